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
    header = [h for h in HEADER if h != "所属区"] + ["建成年代"]
    rows = [[c for h, c in zip(HEADER, row, strict=True) if h != "所属区"] + ["1998"]
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
    assert (warning.value, warning.location.row) == ("建成年代", 1)
    compound = next(n for n, _ in parsed.nodes if n.type == "Compound")
    assert compound.properties["register_columns"] == ["建成年代: 1998"]


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


@pytest.mark.parametrize("spellings", [["景华/社区", "景华?社区", "景华?社区", "景华?社区"],
                                       ["景华/社区", "景华_社区", "景华/社区", "景华_社区"]])
def test_every_row_naming_a_place_apart_from_the_first_is_a_conflict(tmp_path, spellings):
    """Rows name their community again and again; each row spelling it apart from the first
    (a slash for a question mark: the same uid, another name) is reported, not only the first
    of them."""
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


def test_columns_of_personal_data_are_not_kept(tmp_path):
    """A 联系人 or 联系电话 column no known column reads would be served to every caller."""
    header = [*HEADER, "联系人", "联系电话", "建成年代"]
    rows = [[*row, "张三", "13800000000", "1998"] for row in ROWS]
    parsed = read_file(write_csv(tmp_path / "台账.csv", [header, *rows]))
    assert parsed.problems == []
    compound = next(n for n, _ in parsed.nodes if n.type == "Compound")
    assert compound.properties["register_columns"] == ["建成年代: 1998"]
    warned = {w.value: w.expected for w in parsed.warnings}
    assert "personal data" in warned["联系人"] and "personal data" in warned["联系电话"]


@pytest.mark.parametrize("header", [["小区明称", "所属社区", "所属街道", "所属区"],  # misspelt
                                    ["名称", "社区", "街道", "区县"]])
def test_a_register_whose_header_is_not_found_is_refused_not_loaded_empty(tmp_path, header):
    """Loaded, a register of no rows would take every compound of its last edition out."""
    path = write_csv(tmp_path / "台账.csv",
                     [header, ["甲小区", "玉林社区", "红星街道", "武侯区"]])
    (problem,) = read_file(path).problems
    assert problem.field == "header" and "every row was read as a title" in problem.expected
    assert "未找到表头" in problem.expected_zh


def test_a_register_with_a_header_and_no_rows_is_refused(tmp_path):
    (problem,) = read_file(write_csv(tmp_path / "台账.csv", [HEADER])).problems
    assert "unload" in problem.expected


@pytest.mark.parametrize(("said", "stated_yes"), [
    ("已成立", True), ("未成立", False), ("暂无", False), ("有（2020年成立）", True),
    ("尚未建立", False), ("/", None), ("—", None)])
def test_yes_and_no_however_worded_are_not_names(tmp_path, said, stated_yes):
    header = ["小区名称", "所属社区", "所属街道", "所属区", "是否成立业委会", "物业公司"]
    path = write_csv(tmp_path / "台账.csv",
                     [header, ["甲小区", "玉林社区", "红星街道", "武侯区", said, said]])
    batch = batch_of(path)
    compound = batch.nodes["compound:玉林社区.甲小区"]
    assert compound.properties.get("has_owners_committee") is stated_yes
    committees = [n for n in batch.nodes.values() if n.type == "OwnersCommittee"]
    assert [c.name for c in committees] == (["甲小区业主委员会"] if stated_yes else [])
    assert not [n for n in batch.nodes.values() if n.type == "PropertyCompany"]


@pytest.mark.parametrize("total", ["合 计", "合　计", "总 计", "合计（2个小区）"])
def test_totals_rows_however_spaced_are_skipped(tmp_path, total):
    header = ["序号", "小区名称", "所属社区", "所属街道", "所属区", "户数"]
    path = write_csv(tmp_path / "台账.csv", [
        header, ["1", "玉林小区", "玉林社区", "红星街道", "武侯区", "800"],
        ["", total, "", "", "", "800"]])
    parsed = read_file(path)
    assert parsed.problems == []
    assert [n.name for n, _ in parsed.nodes if n.type == "Compound"] == ["玉林小区"]


@pytest.mark.parametrize(("title", "as_of"), [
    ("填报日期：2024年7月31日", "2024-07-31"), ("截至2024年7月31日", "2024-07-31"),
    ("统计时间：2024/8/31", "2024-08-31"), ("数据截止2024年07月31号", "2024-07-31"),
    ("截止日期：2024.9.30（星期一）", "2024-09-30")])
def test_the_date_a_title_row_states_dates_the_edition(tmp_path, title, as_of):
    path = write_csv(tmp_path / "台账.csv", [["红星街道小区台账"], [title], HEADER, ROWS[0]])
    assert read_file(path).as_of == as_of


def test_a_stated_date_after_today_is_refused(tmp_path):
    path = write_csv(tmp_path / "台账.csv", [["填报日期：2999年1月31日"], HEADER, ROWS[0]])
    (problem,) = read_file(path).problems
    assert (problem.field, problem.value) == ("填报日期", "2999年1月31日")


def test_more_party_members_than_members_is_refused(tmp_path):
    row = list(ROWS[0])
    row[HEADER.index("业委会委员人数")], row[HEADER.index("业委会党员人数")] = "3", "5"
    (problem,) = read_file(write_csv(tmp_path / "台账.csv", [HEADER, row])).problems
    assert (problem.field, problem.value) == ("业委会党员人数", "5")


def test_a_name_typed_full_width_or_spaced_is_one_compound(tmp_path):
    header = ["小区名称", "所属社区", "所属街道", "所属区", "户数"]
    july = write_csv(tmp_path / "july.csv", [
        header, ["芳草东街１号院", "芳草社区", "红星街道", "武侯区", "１２００户"],
        ["南苑　小区", "芳草社区", "红星街道", "武侯区", ""]])
    august = write_xlsx(tmp_path / "august.xlsx", [
        header, ["芳草东街1号院", "芳草社区", "红星街道", "武侯区", "1200"],
        ["南苑小区", " 芳草社区", "红星街道", "武侯区", ""]])
    compounds = {n.uid: n for n in batch_of(july, august).nodes.values() if n.type == "Compound"}
    assert sorted(compounds) == ["compound:芳草社区.南苑小区", "compound:芳草社区.芳草东街1号院"]
    assert compounds["compound:芳草社区.芳草东街1号院"].properties["households"]["value"] == 1200


def test_a_compound_stated_twice_otherwise_names_both_rows_and_values_as_written(tmp_path):
    header = ["小区名称", "所属社区", "所属街道", "所属区", "户数"]
    path = write_csv(tmp_path / "台账.csv", [
        header, ["芳草苑", "芳草社区", "红星街道", "武侯区", "500"],
        ["芳草苑", "芳草社区", "红星街道", "武侯区", "520户"]])
    with pytest.raises(InvalidInput) as raised:
        batch_of(path)
    (problem,) = raised.value.problems
    assert (problem.location.row, problem.value) == (3, "520户")
    assert problem.zh() == (f"{path} 第3行,列“户数”,值“520户”:应为500户:与{path} 第2行所写一致"
                            "(同一个compound:芳草社区.芳草苑,户数只能有一个值)")


def test_a_place_merged_over_the_rows_of_its_compounds_is_each_rows_place(tmp_path):
    """所属社区 written once and merged down over its compounds' rows, as sheets are kept."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["红星街道小区台账"])
    sheet.merge_cells("A1:D1")
    sheet.append(["小区名称", "所属社区", "所属街道", "所属区"])
    for name, community in [("甲小区", "玉林社区"), ("乙小区", None), ("丙小区", None),
                            ("丁小区", "芳草社区")]:
        sheet.append([name, community, "红星街道" if community else None, "武侯区"])
    sheet.merge_cells("B3:B5")
    sheet.merge_cells("C3:C6")
    workbook.save(tmp_path / "台账.xlsx")
    compounds = [n.uid for n in batch_of(tmp_path / "台账.xlsx").nodes.values()
                 if n.type == "Compound"]
    assert sorted(compounds) == ["compound:玉林社区.丙小区", "compound:玉林社区.乙小区",
                                 "compound:玉林社区.甲小区", "compound:芳草社区.丁小区"]


@pytest.mark.parametrize(("written", "households"), [("1,200", 1200), ("1，200户", 1200),
                                                     ("12,345,678", 12345678)])
def test_a_count_written_with_thousands_separators(tmp_path, written, households):
    header = ["小区名称", "所属社区", "所属街道", "所属区", "户数"]
    path = write_csv(tmp_path / "台账.csv", [header, ["甲小区", "玉林社区", "红星街道", "武侯区",
                                                     f'"{written}"']])
    compound = batch_of(path).nodes["compound:玉林社区.甲小区"]
    assert compound.properties["households"]["value"] == households


@pytest.mark.parametrize("signed", [["填表人：孙八 审核人：周九"],
                                    ["", "填报人:孙八", "", "审核：周九"]])
def test_a_signature_row_under_the_compounds_is_skipped(tmp_path, signed):
    header = ["序号", "小区名称", "所属社区", "所属街道", "所属区"]
    path = write_csv(tmp_path / "台账.csv", [
        header, ["1", "玉林小区", "玉林社区", "红星街道", "武侯区"], signed])
    parsed = read_file(path)
    assert parsed.problems == []
    assert [n.name for n, _ in parsed.nodes if n.type == "Compound"] == ["玉林小区"]
    assert any("signature row" in w.expected for w in parsed.warnings)
