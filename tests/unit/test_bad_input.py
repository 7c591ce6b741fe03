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
    """'ok' or 'problems'; anything else (an exception) fails the test."""
    parsed = read_file(path, check_report=False)
    try:
        assemble([parsed], lambda _: {})
    except InvalidInput as invalid:
        assert invalid.problems and all(p.expected for p in invalid.problems)
        return "problems"
    return "ok"


@FAST
@given(data=record_like | structures)
def test_random_structures_as_json_and_yaml(tmp_path, data):
    for suffix, text in ((".json", json.dumps(data, allow_nan=True)),
                         (".yaml", yaml.safe_dump(data, allow_unicode=True))):
        path = tmp_path / f"case{suffix}"
        path.write_text(text, encoding="utf-8")
        assert outcome(path) in ("ok", "problems")


@FAST
@given(raw=st.binary(max_size=400))
def test_random_bytes_in_every_format(tmp_path, raw):
    for suffix in (".json", ".yaml", ".csv", ".xlsx"):
        path = tmp_path / f"input{suffix}"
        path.write_bytes(raw)
        assert outcome(path) in ("ok", "problems")


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
            store.upsert(assemble([read_file(good), read_file(bad)], store.get_nodes))
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
