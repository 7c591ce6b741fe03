"""Registers (台账) as officials keep them: CSV from Excel (GBK or UTF-8), XLSX sheets."""

from pathlib import Path

import pytest
from openpyxl import Workbook

from govgraph.graph.model import InvalidInput
from govgraph.loaders import read_file
from govgraph.loaders.assemble import assemble
from govgraph.loaders.registers import COLUMNS, RegisterOptions
from tests.conftest import CASES, ROOT, SEED_DATE, stated

HEADER = ["小区名称", "所属社区", "所属街道", "所属区", "所属市", "户数", "小区党组织", "业委会",
          "业委会委员人数", "业委会党员人数", "业委会党组织", "物业公司", "自办物业"]
ROWS = [
    ["怡枫园", "景华社区", "莲花街道", "福田区", "深圳市", "320户", "有", "有", "5", "3", "无",
     "甲物业、乙物业", "否"],
    ["工行小区", "久安社区", "凤山街道", "离石区", "吕梁市", "", "有", "无", "", "", "", "", "是"],
]


def write_csv(path: Path, rows, encoding="utf-8-sig") -> Path:
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding=encoding)
    return path


def write_xlsx(path: Path, rows, sheet="台账") -> Path:
    workbook = Workbook()
    workbook.active.title = sheet
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def batch_of(*paths: Path, existing=lambda _: {}):
    return stated(assemble([read_file(p) for p in paths], existing, SEED_DATE))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_csv_from_excel_in_any_usual_encoding(tmp_path, encoding):
    batch = batch_of(write_csv(tmp_path / "台账.csv", [HEADER, *ROWS], encoding))
    compound = batch.nodes["compound:景华社区.怡枫园"]
    assert compound.properties == {"households": {"value": 320, "unit": "户"},
                                   "self_managed_property": False,
                                   # 有 and names state the body is there
                                   "has_party_organization": True, "has_owners_committee": True,
                                   "has_property_company": True}
    assert compound.citations[0].evidence == "第2行"
    assert batch.nodes["committee:景华社区.怡枫园"].properties == {
        "members": {"value": 5, "unit": "人"}, "party_members": {"value": 3, "unit": "人"},
        "has_party_organization": False}  # 无: stated none, not "not recorded"
    assert batch.nodes["party:景华社区.怡枫园.小区党支部"].name == "怡枫园党支部"
    assert "party:景华社区.怡枫园.业委会党支部" not in batch.nodes  # 无
    assert {e.source for e in batch.edges.values() if e.type == "SERVES"} == {
        "property:甲物业", "property:乙物业"}
    chain = [("compound:景华社区.怡枫园", "community:莲花街道.景华社区"),
             ("community:莲花街道.景华社区", "street:福田区.莲花街道"),
             ("street:福田区.莲花街道", "district:深圳市.福田区"),
             ("district:深圳市.福田区", "city:深圳市")]
    part_of = {(e.source, e.target) for e in batch.edges.values() if e.type == "PART_OF"}
    assert set(chain) <= part_of
    assert batch.nodes["compound:久安社区.工行小区"].properties["self_managed_property"] is True


def test_xlsx_rows_are_named_by_sheet_and_row(tmp_path):
    batch = batch_of(write_xlsx(tmp_path / "台账.xlsx", [[], HEADER, *ROWS]))
    assert batch.nodes["compound:久安社区.工行小区"].citations[0].evidence == "台账 第4行"


def test_a_missing_place_is_one_problem_and_an_unknown_column_is_kept(tmp_path):
    header = [h for h in HEADER if h != "所属区"] + ["负责人电话"]
    rows = [[c for h, c in zip(HEADER, row, strict=True) if h != "所属区"] + ["123"]
            for row in ROWS]
    path = write_xlsx(tmp_path / "台账.xlsx", [header, *rows])
    with pytest.raises(InvalidInput) as raised:
        batch_of(path)
    (problem,) = [str(p) for p in raised.value.problems]  # one for the file, not one a row
    assert "row 1, field 'header': expected a column 所属区 (its district), or its value for " \
           "every row: --default 所属区=…" in problem
    parsed = read_file(path, options=RegisterOptions(defaults={"所属区": "福田区"}))
    assert parsed.problems == []
    (warning,) = parsed.warnings
    assert (warning.value, warning.location.row) == ("负责人电话", 1)
    compound = next(n for n, _ in parsed.nodes if n.type == "Compound")
    assert compound.properties["register_columns"] == ["负责人电话: 123"]


def test_bad_cells_name_their_row_and_column(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][HEADER.index("户数")] = "三百"
    rows[1][HEADER.index("自办物业")] = "也许"
    rows[1][HEADER.index("小区名称")] = ""
    with pytest.raises(InvalidInput) as raised:
        batch_of(write_csv(tmp_path / "台账.csv", [HEADER, *rows]))
    messages = sorted(str(p) for p in raised.value.problems)
    assert len(messages) == 2, messages
    assert messages[0].endswith("row 2, field '户数', got '三百': expected a whole number >= 0 "
                                "of at most 9 digits (of 户)")
    assert messages[1].endswith("row 3, field '小区名称', got '': expected a value: the "
                                "compound's name")


@pytest.mark.parametrize("spellings", [["景华 社区", "景华　社区", "景华　社区", "景华　社区"],
                                       ["景华 社区", "景华_社区", "景华 社区", "景华_社区"]])
def test_every_row_naming_a_place_apart_from_the_first_is_a_conflict(tmp_path, spellings):
    """Rows name their community again and again; each row spelling it apart from the first
    (a full-width space: the same uid, another name) is reported, not only the first of them."""
    rows = [[f"小区{i}", name, "莲花街道", "福田区"] for i, name in enumerate(spellings)]
    with pytest.raises(InvalidInput) as raised:
        batch_of(write_csv(tmp_path / "台账.csv", [HEADER[:4], *rows]))
    differing = [i + 2 for i, name in enumerate(spellings) if name != spellings[0]]
    assert [p.location.row for p in raised.value.problems] == differing
    assert all(p.field == "name" and "community:莲花街道.景华_社区" in p.expected
               for p in raised.value.problems)


def test_a_register_row_and_a_case_record_make_one_compound(tmp_path):
    register = write_csv(tmp_path / "台账.csv", [HEADER, ROWS[1]])
    batch = batch_of(CASES / "002_工行小区自办物业.yaml", register)
    compound = batch.nodes["compound:久安社区.工行小区"]
    assert len(compound.sources) == 2
    branch = batch.nodes["party:久安社区.工行小区.小区党支部"]
    assert len(branch.sources) == 2


def test_a_file_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(InvalidInput, match="expected an XLSX workbook"):
        batch_of(path)


def test_every_column_is_documented():
    doc = (ROOT / "docs" / "registers.md").read_text(encoding="utf-8")
    for column in COLUMNS.values():
        assert f"| {column.key} |" in doc
