"""The five seed reports: faithful to their text, loadable together, answering basic look-ups."""

import re

import pytest

from govgraph.graph.storage.embedded import EmbeddedStore
from govgraph.loaders import input_files, read_file
from govgraph.loaders.assemble import assemble
from govgraph.service.core import Service
from tests.conftest import CASES, REPORTS, SEED_DATE, seed_batch, stated

SEED_FILES = sorted(CASES.glob("*.yaml"))


def compact(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def seeds():
    files, bad = input_files([CASES])
    assert not bad
    return stated(assemble([read_file(f) for f in files], lambda _: {}, SEED_DATE))


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory):
    with EmbeddedStore(tmp_path_factory.mktemp("seeds") / "store.db") as store:
        store.load(seed_batch())
        yield store


def test_there_is_one_case_record_per_report():
    reports = {p.name for p in REPORTS.glob("*.txt")}
    assert len(SEED_FILES) == len(reports) == 5
    assert {f.name[:3] for f in SEED_FILES} == {r[:3] for r in reports}


@pytest.mark.parametrize("case", SEED_FILES, ids=lambda p: p.name[:3])
def test_every_evidence_sentence_occurs_in_its_report(case):
    parsed = read_file(case)
    assert not parsed.problems
    (source,) = [n for n, _ in parsed.nodes if n.type == "Source"]
    report = compact((case.parent / source.properties["file"]).read_text(encoding="utf-8"))
    stated = [*parsed.nodes, *parsed.edges]
    cited = [(item.uid, c.evidence) for item, _ in stated for c in item.citations if c.evidence]
    assert cited
    missing = [(uid, evidence) for uid, evidence in cited if compact(evidence) not in report]
    assert missing == []
    without = [item.uid for item, _ in stated
               if item.type != "Source" and not any(c.evidence for c in item.citations)]
    assert without == []


def test_every_fact_cites_a_source_that_is_in_the_graph(seeds):
    sources = {uid for uid, n in seeds.nodes.items() if n.type == "Source"}
    assert len(sources) == 5
    for item in [*seeds.nodes.values(), *seeds.edges.values()]:
        assert item.citations and set(item.sources) <= sources, item.uid


def test_a_place_named_in_two_reports_is_one_node_citing_both(seeds):
    lishi = seeds.nodes["district:吕梁市.离石区"]
    assert lishi.name == "离石区"
    assert len(lishi.sources) == 2


def parents(store, uid, relation):
    return [e.target for e in store.edges_of(uid) if e.type == relation and e.source == uid]


def test_gonghang_compound_party_line_and_self_managed_property(seed_store):
    compound = seed_store.get_node("compound:久安社区.工行小区")
    assert compound.properties["self_managed_property"] is True
    assert parents(seed_store, "compound:久安社区.工行小区", "PART_OF") == [
        "community:凤山街道.久安社区"]
    assert parents(seed_store, "community:凤山街道.久安社区", "PART_OF") == [
        "street:离石区.凤山街道"]
    graph = seed_store.snapshot()
    kinds_down_the_party_line = []
    node = next(u for u, _, d in graph.in_edges("compound:久安社区.工行小区", data=True)
                if d["type"] == "ESTABLISHED_IN"
                and graph.nodes[u]["properties"].get("kind") == "支部")
    while node:
        kinds_down_the_party_line.append(graph.nodes[node]["properties"].get("kind")
                                         or graph.nodes[node]["type"])
        node = next((u for u, _, d in graph.in_edges(node, data=True)
                     if d["type"] == "SUBORDINATE_TO"), None)
    # 党员中心户 are party members' households, not a party organisation
    assert kinds_down_the_party_line == ["支部", "党小组", "PartyMemberHousehold"]
    pmc = [u for u, _, d in graph.in_edges("compound:久安社区.工行小区", data=True)
           if d["type"] == "REPRESENTS"]
    assert [graph.nodes[u]["type"] for u in pmc] == ["PropertyManagementCommittee"]


def test_lianhua_numbers_are_recorded_with_units(seed_store):
    service = Service(seed_store, personal=True)
    (project,) = [n for n in service.search("电梯", types=["Project"])[0] if "市政大院" in n.uid]
    figures = seed_store.get_node(project.uid).properties["figures"]
    assert {"value": 22, "unit": "台"} in figures.values()
    branch, _ = service.search("业委会功能型党支部", types=["PartyOrganization"])
    assert branch and branch[0].kind == "功能型党支部"


def test_committees_record_members_and_party_members(seed_store):
    committee = seed_store.get_node("committee:宝欣苑八村居民区.所辖小区")
    assert committee.properties["members"]["value"] == 10
    assert committee.properties["party_members"]["value"] == 4


def test_only_named_people_are_in_the_graph(seeds):
    people = [n.name for n in seeds.nodes.values() if n.type == "Person"]
    assert people == ["赵鸿翔"]


def test_every_project_has_its_place_and_the_actors_its_report_names(seed_store):
    """`govgraph projects` lists every project of the seeds, each under its place; where a report
    names who proposed or led a project, the role column says so."""
    service = Service(seed_store, personal=True)
    listed = {p.project.uid: p for p in service.projects()}
    assert set(listed) == {uid for uid in seed_batch().node_uids() if uid.startswith("project:")}
    # 001: 业委会还牵头成立一个3-5人的加装电梯工作小组
    lift = listed["project:市政大院.加装电梯"]
    assert "市政大院业主委员会" in {a.name for a in lift.initiated_by}
    # 000: 在党建引领下“三驾马车”共同商议,提出大门改造方案
    gate = listed["project:宝欣苑四村.大门改造"]
    assert {a.type for a in gate.initiated_by} >= {"OwnersCommittee", "PropertyCompany"}
