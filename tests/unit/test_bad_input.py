"""Whatever arrives — random structures, huge strings, deep nesting, GBK or BOM or garbage
bytes, formula cells, zip bombs — the loaders answer with problems, never crash or hang, and
a load with any problem writes nothing."""

import json
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from govgraph.graph.model import InvalidInput
from govgraph.graph.storage.embedded import EmbeddedStore
from govgraph.loaders import read_file
from govgraph.loaders.assemble import assemble
from govgraph.loaders.records import MAX_FIELDS, MAX_NESTING, MAX_PROBLEMS, MAX_VALUES
from tests.conftest import SEED_DATE

FAST = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=30))
structures = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=25)
keys = st.sampled_from(["source", "actors", "projects", "relationships", "uid", "type", "name",
                        "from", "to", "evidence", "kind", "count", "figures", "date"])
record_like = st.dictionaries(keys, structures | st.lists(
    st.dictionaries(keys, structures, max_size=6), max_size=4), max_size=6)


def outcome(path: Path) -> str:
    """'ok' or 'problems', each problem naming this file and what was expected; an exception
    fails the test."""
    parsed = read_file(path, check_report=False)
    try:
        assemble([parsed], lambda _: {}, SEED_DATE)
    except InvalidInput as invalid:
        assert invalid.problems
        for problem in invalid.problems:
            assert problem.expected and problem.location.file == str(path), problem
        return "problems"
    return "ok"


@FAST
@given(data=record_like | structures)
def test_random_structures_as_json_and_yaml(tmp_path, data):
    for suffix, text in ((".json", json.dumps(data, allow_nan=True)),
                         (".yaml", yaml.safe_dump(data, allow_unicode=True))):
        path = tmp_path / f"case{suffix}"
        path.write_text(text, encoding="utf-8")
        result = outcome(path)
        if not isinstance(data, dict) or "source" not in data:  # a record names its source
            assert result == "problems", data


@FAST
@given(raw=st.binary(max_size=400))
def test_random_bytes_in_every_format(tmp_path, raw):
    for suffix in (".json", ".yaml", ".csv", ".xlsx"):
        path = tmp_path / f"input{suffix}"
        path.write_bytes(raw)
        result = outcome(path)
        if suffix == ".xlsx":  # a few random bytes are never a workbook
            assert result == "problems"


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_deep_nesting_is_a_problem_not_a_crash(tmp_path, suffix):
    path = tmp_path / f"deep{suffix}"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    parsed = read_file(path)
    assert parsed.problems and "nested" in parsed.problems[0].expected


def test_huge_strings_are_loaded_or_refused_whole(tmp_path):
    huge = "工" * 2_000_000
    path = tmp_path / "huge.json"
    path.write_text(json.dumps({"source": {"uid": "source:x", "title": huge}, "actors": [
        {"uid": "compound:a." + "b" * 100_000, "type": "Compound", "name": huge}]}),
        encoding="utf-8")
    assert outcome(path) == "ok"


def test_registers_from_excel_in_gbk_with_bom_or_garbage(tmp_path):
    header = "小区名称,所属社区,所属街道,所属区\n"
    row = "工行小区,久安社区,凤山街道,离石区\n"
    (tmp_path / "gbk.csv").write_bytes((header + row).encode("gbk"))
    (tmp_path / "bom.csv").write_bytes((header + row).encode("utf-8-sig"))
    (tmp_path / "latin.csv").write_bytes(b"\xff\xfe\x00garbage\x81\x30")
    assert outcome(tmp_path / "gbk.csv") == "ok"
    assert outcome(tmp_path / "bom.csv") == "ok"
    assert outcome(tmp_path / "latin.csv") == "problems"


def test_a_register_of_more_rows_than_a_register_may_have_is_refused(tmp_path):
    from govgraph.loaders.registers import MAX_ROWS

    rows = "".join(f"小区{i},社区{i % 9},凤山街道,离石区\n" for i in range(MAX_ROWS + 200))
    path = tmp_path / "city.csv"
    path.write_text("小区名称,所属社区,所属街道,所属区\n" + rows, encoding="utf-8")
    parsed = read_file(path)
    assert [p.expected for p in parsed.problems] == [
        f"a register of at most {MAX_ROWS:,} compounds (rows); split a larger one into several "
        "files, by street or community"]
    assert outcome(path) == "problems"


def test_formula_cells_are_read_as_their_values_or_refused(tmp_path):
    workbook = Workbook()
    workbook.active.append(["小区名称", "所属社区", "所属街道", "所属区", "户数"])
    workbook.active.append(["工行小区", "久安社区", "凤山街道", "离石区", "=SUM(1,2)"])
    path = tmp_path / "formula.xlsx"
    workbook.save(path)  # never calculated: the cell has a formula and no value
    assert outcome(path) == "ok"  # an uncalculated count is blank: not recorded
    parsed = read_file(path)
    (compound,) = [n for n, _ in parsed.nodes if n.type == "Compound"]
    assert "households" not in compound.properties
    text = tmp_path / "formula.csv"
    text.write_text("小区名称,所属社区,所属街道,所属区,户数\n工行小区,久安社区,凤山街道,离石区,"
                    "=1+2\n", encoding="utf-8")
    assert outcome(text) == "problems"


def test_a_zip_bomb_xlsx_is_refused_without_unpacking_it(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            block = b"<row>" + b"0" * (1 << 20) + b"</row>"
            for _ in range(300):  # 300 MB of the same bytes, packed into well under 1 MB
                sheet.write(block)
    assert path.stat().st_size < 2_000_000
    parsed = read_file(path)
    assert parsed.problems and "XLSX workbook of at most" in parsed.problems[0].expected


def test_a_bad_file_beside_good_ones_writes_nothing(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("小区名称,所属社区,所属街道,所属区\n工行小区,久安社区,凤山街道,离石区\n",
                    encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with EmbeddedStore(tmp_path / "store.db") as store:
        with pytest.raises(InvalidInput):
            store.load(assemble([read_file(good), read_file(bad)], store.get_nodes, SEED_DATE))
        assert store.stats().nodes == {}



def test_yaml_aliases_are_refused_before_they_expand(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)) + "source: *i\n"
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb, encoding="utf-8")
    parsed = read_file(path)
    assert len(parsed.problems) == 1 and "without aliases" in parsed.problems[0].expected
    assert parsed.problems[0].location.line == 2


def test_a_mapping_key_that_is_a_list_is_a_problem(tmp_path):
    path = tmp_path / "key.yaml"
    path.write_text("? [a, b]\n: 1\n", encoding="utf-8")
    assert outcome(path) == "problems"


def test_a_csv_cell_larger_than_csv_allows_is_a_problem(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text("小区名称,所属社区,所属街道,所属区\n" + "x" * 200_000 + ",a,b,c\n",
                    encoding="utf-8")
    assert outcome(path) == "problems"


def test_a_damaged_xlsx_sheet_is_a_problem(tmp_path):
    good = tmp_path / "good.xlsx"
    workbook = Workbook()
    workbook.active.append(["小区名称", "所属社区", "所属街道", "所属区"])
    workbook.active.append(["工行小区", "久安社区", "凤山街道", "离石区"])
    workbook.save(good)
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]  # cut off mid-sheet
            target.writestr(item, data)
    assert outcome(damaged) == "problems"


def test_deep_nesting_is_refused_at_the_limit_with_the_depth_problem(tmp_path, monkeypatch):
    """The check stops reading at the limit: 200 KB of nested lists (which took 38 s when the
    whole event stream was read first) get the depth problem and the line it was passed on."""
    events_read = []
    parse = yaml.parse

    def counted(*args, **kwargs):
        for event in parse(*args, **kwargs):
            events_read.append(event)
            yield event

    monkeypatch.setattr(yaml, "parse", counted)
    deep_yaml = tmp_path / "deep.yaml"
    deep_yaml.write_text("source:\n  note:\n" + "    " + "[" * 100_000 + "]" * 100_000 + "\n",
                         encoding="utf-8")
    (problem,) = read_file(deep_yaml).problems
    assert problem.expected == f"YAML nested at most {MAX_NESTING} levels deep"
    assert problem.location.line == 3
    assert len(events_read) < MAX_NESTING + 10  # not the 200,000 the file holds
    deep_json = tmp_path / "deep.json"  # deeper than the limit, yet within what json reads
    deep_json.write_text(json.dumps({"source": {"uid": "source:x", "title": "t", "note": "x"},
                                     "actors": [json.loads("[" * 150 + "]" * 150)]}),
                         encoding="utf-8")
    too_deep_for_json = tmp_path / "deeper.json"
    too_deep_for_json.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    for path in (deep_json, too_deep_for_json):
        (problem,) = read_file(path).problems
        assert problem.expected == f"JSON nested at most {MAX_NESTING} levels deep"


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_record_of_too_many_values_is_refused(tmp_path, suffix):
    path = tmp_path / f"large{suffix}"
    path.write_text(json.dumps({"source": {"uid": "source:x", "title": "t"},
                                "actors": [0] * MAX_VALUES}), encoding="utf-8")
    (problem,) = read_file(path).problems
    assert problem.expected.startswith(f"a case record of at most {MAX_VALUES:,} values")


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_reading_stops_after_too_many_problems(tmp_path, suffix):
    path = tmp_path / f"wrong{suffix}"
    path.write_text(json.dumps({"source": {"uid": "source:x", "title": "t"},
                                "projects": [{}] * (MAX_PROBLEMS * 2)}), encoding="utf-8")
    problems = read_file(path).problems
    assert MAX_PROBLEMS < len(problems) < MAX_PROBLEMS + 5
    assert problems[0].expected == "a uid"
    assert problems[-1].expected.startswith(f"at most {MAX_PROBLEMS:,} problems in one file")


def test_an_entry_of_too_many_fields_is_one_problem(tmp_path):
    path = tmp_path / "fields.json"
    entry = {"uid": "community:a.b", "type": "Community", "name": "x",
             **{f"k{i}": 1 for i in range(MAX_FIELDS)}}
    path.write_text(json.dumps({"source": {"uid": "source:x", "title": "t"}, "actors": [entry]}),
                    encoding="utf-8")
    (problem,) = read_file(path).problems
    assert problem.expected == f"an entry of at most {MAX_FIELDS} fields"
    assert problem.location.line == 1 and problem.location.path == "actors[0]"


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_number_too_long_for_python_is_a_problem(tmp_path, suffix):
    path = tmp_path / f"number{suffix}"
    path.write_text('{"source": ' + "1" * 5000 + "}", encoding="utf-8")
    (problem,) = read_file(path).problems
    assert problem.expected.startswith("numbers of at most")
