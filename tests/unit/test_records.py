"""Case records: what a user writes, what they get back when it is wrong."""

import json
import re
from pathlib import Path

import pytest
import yaml

from govgraph.graph.model import InvalidInput
from govgraph.loaders import input_files, read_file
from govgraph.loaders.assemble import assemble
from tests.conftest import ROOT, SEED_DATE, stated

GOOD = """\
source:
  uid: source:t.测试
  title: 测试报道
actors:
  - uid: street:福田区.莲花街道
    type: StreetOffice
    name: 莲花街道
    kind: 街道
  - uid: community:莲花街道.景华社区
    type: Community
    name: 景华社区
    residential_compounds: {value: 15, unit: 个}
    evidence: 景华社区有住宅小区15个
projects:
  - uid: project:景华社区.加装电梯
    name: 加装电梯
    status: 已完成
    start: 2021-03
relationships:
  - type: PART_OF
    from: community:莲花街道.景华社区
    to: street:福田区.莲花街道
"""


def nothing_stored(_uids):
    return {}


def load_text(tmp_path: Path, text: str, name: str = "case.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return stated(assemble([read_file(path)], nothing_stored, SEED_DATE))


def problems_of(tmp_path: Path, text: str, name: str = "case.yaml") -> list[str]:
    with pytest.raises(InvalidInput) as raised:
        load_text(tmp_path, text, name)
    return [str(p) for p in raised.value.problems]


def test_a_good_record_becomes_nodes_and_edges_citing_its_source(tmp_path):
    batch = load_text(tmp_path, GOOD)
    assert set(batch.nodes) == {"source:t.测试", "street:福田区.莲花街道",
                                "community:莲花街道.景华社区", "project:景华社区.加装电梯"}
    community = batch.nodes["community:莲花街道.景华社区"]
    assert community.properties["residential_compounds"] == {"value": 15, "unit": "个"}
    assert community.citations[0].source == "source:t.测试"
    assert community.citations[0].evidence == "景华社区有住宅小区15个"
    assert batch.nodes["project:景华社区.加装电梯"].type == "Project"
    edge = batch.edges["community:莲花街道.景华社区-PART_OF->street:福田区.莲花街道"]
    assert edge.sources == ["source:t.测试"]


def test_json_and_yaml_records_are_one_schema(tmp_path):
    as_yaml = load_text(tmp_path, GOOD)
    as_json = load_text(tmp_path, json.dumps(yaml.safe_load(GOOD), default=str,
                                             ensure_ascii=False, indent=1), "case.json")
    assert as_json == as_yaml


def test_the_documented_example_loads(tmp_path):
    doc = (ROOT / "docs" / "records.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", doc, re.S)[1]
    (tmp_path / "cases").mkdir()
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "example.txt").write_text("报道", encoding="utf-8")
    batch = load_text(tmp_path / "cases", example)
    assert batch.nodes["committee:景华社区.怡枫园"].properties["party_member_share"] == {
        "value": 85.71, "unit": "%"}
    established = "party:景华社区.怡枫园.业委会党支部-ESTABLISHED_IN->committee:景华社区.怡枫园"
    assert batch.edges[established].properties == {"since": "2021"}


def test_every_problem_is_reported_with_line_field_value_and_expectation(tmp_path):
    text = GOOD.replace("kind: 街道", "kind: 大街").replace(
        "start: 2021-03", "start: 2021-13-01").replace(
        "residential_compounds: {value: 15, unit: 个}",
        "residential_compounds: {value: -15, unit: 个}") + """\
  - type: SUBORDINATE_TO
    from: community:莲花街道.景华社区
    to: party:莲花街道.党工委
  - type: OWNS
    from: street:福田区.莲花街道
    to: community:莲花街道.景华社区
"""
    problems = problems_of(tmp_path, text)
    joined = "\n".join(problems)
    assert len(problems) == 6, joined
    assert re.search(r"case\.yaml:5 \(actors\[0\]\), field 'kind', got '大街': expected one of "
                     r"街道, 镇, 乡", joined)
    assert "field 'residential_compounds', got '{\"value\": -15" in joined
    assert "field 'start', got '2021-13-01': expected a date YYYY, YYYY-MM or YYYY-MM-DD" in joined
    assert ("field 'from', got 'community:莲花街道.景华社区 (Community)': expected a node of "
            "type PartyMemberHousehold, PartyOrganization for SUBORDINATE_TO") in joined
    assert ("field 'to', got 'party:莲花街道.党工委': expected the uid of a node defined in the "
            "records loaded or in the store") in joined
    assert "field 'type', got 'OWNS': expected a relationship type (PART_OF" in joined


def test_unknown_type_property_and_uid_prefix(tmp_path):
    text = GOOD.replace("type: Community", "type: Neighbourhood").replace(
        "    kind: 街道", "    kind: 街道\n    mayor: 某某").replace(
        "uid: project:景华社区.加装电梯", "uid: compound:景华社区.加装电梯")
    joined = "\n".join(problems_of(tmp_path, text))
    assert "field 'type', got 'Neighbourhood': expected a node type (City, District" in joined
    assert "field 'mayor', got '某某': expected a property a StreetOffice knows" in joined
    assert ("field 'uid', got 'compound:景华社区.加装电梯': expected a uid starting 'project:' "
            "for a Project") in joined


def test_one_source_stating_a_uid_two_ways_names_both_places(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(GOOD.replace("kind: 街道", "kind: 镇"), encoding="utf-8")
    files, _ = input_files([tmp_path])
    with pytest.raises(InvalidInput) as raised:
        assemble([read_file(f) for f in files], nothing_stored, SEED_DATE)
    (problem,) = raised.value.problems
    assert problem.location.file.endswith("b.yaml") and problem.field == "kind"
    assert "街道 for street:福田区.莲花街道, as stated at" in problem.expected
    assert "a.yaml:5" in problem.expected


def test_two_sources_that_disagree_both_load_and_the_later_one_is_current(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD.replace("source:t.测试", "source:t.甲"), "utf-8")
    (tmp_path / "b.yaml").write_text(
        GOOD.replace("source:t.测试", "source:t.乙").replace("kind: 街道", "kind: 镇")
        .replace("  title:", "  date: 2025-01-02\n  title:", 1), encoding="utf-8")
    files, _ = input_files([tmp_path])
    batch = assemble([read_file(f) for f in files], nothing_stored, SEED_DATE)
    assert [(e.edition.source, e.edition.as_of) for e in batch.editions] == [
        ("source:t.甲", SEED_DATE), ("source:t.乙", "2025-01-02")]
    street = stated(batch).nodes["street:福田区.莲花街道"]
    assert street.properties["kind"] == "镇" and street.sources == ["source:t.乙", "source:t.甲"]


def test_the_same_fact_from_two_sources_is_one_node_citing_both(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(GOOD.replace("source:t.测试", "source:t.另一"),
                                     encoding="utf-8")
    files, _ = input_files([tmp_path])
    batch = stated(assemble([read_file(f) for f in files], nothing_stored, SEED_DATE))
    assert batch.nodes["street:福田区.莲花街道"].sources == ["source:t.另一", "source:t.测试"]
    assert len(batch.edges) == 1
    assert batch.edges["community:莲花街道.景华社区-PART_OF->street:福田区.莲花街道"].sources == [
        "source:t.另一", "source:t.测试"]


def test_a_truncated_yaml_file_says_where_it_stops(tmp_path):
    problems = problems_of(tmp_path, GOOD[: GOOD.index("    residential") + 30])
    assert len(problems) == 1
    assert re.search(r"case\.yaml:\d+: expected valid YAML \(.*\); is the file complete\?",
                     problems[0])


def test_a_key_given_twice_is_reported_not_silently_dropped(tmp_path):
    twice = GOOD.replace("start: 2021-03", "start: 2021-03\n    start: 2022")
    problems = problems_of(tmp_path, twice)
    assert len(problems) == 1
    assert problems[0].endswith(
        "case.yaml:19: expected valid YAML (the key 'start' appears twice in one mapping)")


def test_bad_json_gives_its_line(tmp_path):
    problems = problems_of(tmp_path, '{"source": {"uid": "source:x",\n "title": }', "case.json")
    assert problems == [
        f"{tmp_path}/case.json:2: expected valid JSON (Expecting value at column 11)"]


def test_a_missing_report_file_is_reported(tmp_path):
    text = GOOD.replace("  title: 测试报道", "  title: 测试报道\n  file: ../reports/none.txt")
    assert any("field 'source.file', got '../reports/none.txt'" in p
               for p in problems_of(tmp_path, text))


def test_paths_that_are_not_records_are_reported(tmp_path):
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    _, bad = input_files([tmp_path / "notes.txt", tmp_path / "missing.yaml"])
    assert [str(p) for f in bad for p in f.problems] == [
        f"{tmp_path}/notes.txt: expected a file ending in .yaml, .yml, .json, .csv, .xlsx",
        f"{tmp_path}/missing.yaml: expected an existing file or folder",
    ]


def test_a_report_dated_after_today_is_refused(tmp_path):
    text = GOOD.replace("  title:", "  date: 2999-01-01\n  title:", 1)
    (problem,) = problems_of(tmp_path, text)
    assert "field 'source.date', got '2999-01-01': expected a publication date no later" in problem


@pytest.mark.parametrize("uid", ["5", "a b", "''"])
def test_a_relationship_uid_that_is_no_uid_is_named(tmp_path, uid):
    """A relationship may name its uid; one that is a number, holds a space or is blank is
    reported where it is, not a crash, and only that: not taken for another relationship
    between the same ends."""
    text = GOOD.replace("  - type: PART_OF\n", f"  - type: PART_OF\n    uid: {uid}\n"
                        "    since: 2020-01-01\n") + (
        "  - type: PART_OF\n    from: community:莲花街道.景华社区\n    to: street:福田区.莲花街道\n"
        "    since: 2021-01-01\n")
    (problem,) = problems_of(tmp_path, text)
    assert "field 'uid'" in problem and "expected a uid without spaces, or none" in problem
