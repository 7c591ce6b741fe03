"""A register as a street office keeps it, not in our template: a merged title row, 填报单位 and
填报日期 lines, the header on row 3 with the office's own phrasing, a 序号 column, yes/no
questions as headers, counts with units, dates as Excel dates and as text, a 合计 row of
formulas at the bottom, no 所属区 column (the whole sheet is one street's), and a column of its
own. The expected answers are what a reader of the sheet counts."""

import csv
import datetime as dt

import pytest
from openpyxl import Workbook

from govgraph.graph.model import InvalidInput
from govgraph.graph.rules import GAP_RULES
from govgraph.graph.storage.embedded import EmbeddedStore
from govgraph.loaders.registers import RegisterOptions
from govgraph.service.core import Service

HEADER = ["序号", "小区名称", "所属社区", "所属街道", "总户数（户）", "是否成立业委会",
          "业委会委员人数", "其中党员人数", "是否建立业委会党组织", "物业服务企业",
          "物业企业是否建立党组织", "小区党组织名称", "成立时间", "停车位", "院内楼宇数"]
ROWS = [
    [1, "怡枫园", "景华社区", "莲花街道", 1200, "是", "5人", "3人", "√", "甲物业", "是",
     "怡枫园党支部", dt.datetime(2020, 5, 1), 120, 12],
    [2, "深业花园", "福中社区", "莲花街道", 800, "否", None, None, None, "乙物业", "否",
     "深业花园党支部", "2022-09-20", None, 8],
    [3, "市政大院", "狮岭社区", "莲花街道", 300, "是", 7, 2, "否", "无", None, "市政大院党支部",
     "2020年5月", 40, None],
    [4, "梅富苑", "梅富社区", "莲花街道", "450户", "是", "5人", "4人", "是", "丙物业", "×",
     "梅富苑党支部", "2023.1.5", None, None],
]
STREET = "street:福田区.莲花街道"


def workbook(path):
    book = Workbook()
    sheet = book.active
    sheet.title = "小区治理"
    sheet.append(["莲花街道小区党建引领治理情况统计表"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append(["填报单位：莲花街道办事处", None, None, None, None, None, None, None,
                  "填报日期：2024年5月31日"])
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    last = 3 + len(ROWS)
    sheet.append(["合计", f"=COUNTA(B4:B{last})", None, None, f"=SUM(E4:E{last})"])
    book.save(path)
    return path


def gbk_csv(path):
    """The CSV Excel on Chinese Windows saves of the same sheet (GBK, dates as it shows them)."""
    with path.open("w", encoding="gbk", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["莲花街道小区党建引领治理情况统计表"])
        writer.writerow(["填报单位：莲花街道办事处", *[""] * 7, "填报日期：2024/5/31"])
        writer.writerow(HEADER)
        for row in ROWS:
            writer.writerow(["" if v is None else v.strftime("%Y/%m/%d")
                             if isinstance(v, dt.datetime) else v for v in row])
        writer.writerow(["合计", "4", "", "", "2750"])
    return path


@pytest.fixture(params=["xlsx", "gbk csv"])
def register(request, tmp_path):
    make = workbook if request.param == "xlsx" else gbk_csv
    return make(tmp_path / f"莲花街道台账.{'xlsx' if request.param == 'xlsx' else 'csv'}")


def test_without_its_district_the_register_is_one_problem_not_one_a_row(register, tmp_path):
    with EmbeddedStore(tmp_path / "store.db") as store, pytest.raises(InvalidInput) as raised:
        Service(store, personal=True).ingest([register])
    (problem,) = raised.value.problems
    assert problem.location.row == 3 and "--default 所属区=…" in problem.expected


def test_a_register_as_kept_loads_and_answers_as_its_reader_counts(register, tmp_path):
    with EmbeddedStore(tmp_path / "store.db") as store:
        service = Service(store, personal=True)
        summary, _ = service.ingest([register], options=RegisterOptions(
            defaults={"所属区": "福田区"}))  # nothing more than the district
        warnings = "\n".join(summary.warnings)
        assert "合计 row, skipped" in warnings and "停车位" in warnings
        assert "第8行,值“合计" in "\n".join(summary.warnings_zh)  # the row, in Chinese
        (edition,) = service.sources()
        assert edition.as_of == "2024-05-31"  # its 填报日期

        def hits(rule):
            answer = service.gaps(rule, STREET)
            assert answer.compounds_checked == 4  # the 合计 row is no compound
            return sorted(h.compound.name for h in answer.hits)

        assert hits("compound-without-owners-committee") == ["深业花园"]
        assert hits("compound-without-property-service") == ["市政大院"]
        # 市政大院: 业委会 是, 业委会党组织 否; 深业花园: 否 and no 物管会 column, so
        # whether it has a 物管会 (with a party branch) is not recorded
        branch = service.gaps("compound-without-committee-branch", STREET)
        assert {h.compound.name: h.reasons for h in branch.hits} == {
            "市政大院": ["市政大院业主委员会无党支部或党的工作小组(来源写明)"]}
        assert {h.compound.name: h.reasons for h in branch.not_recorded} == {
            "深业花园": ["无业委会,未记录物管会"]}
        owners = service.gaps("compound-without-owners-committee", STREET)
        assert owners.hits[0].reasons == ["无业委会(来源写明),未记录物管会"]
        troika = service.gaps("troika-incomplete", STREET)
        assert {h.compound.name: h.reasons for h in troika.hits} == {
            "深业花园": ["缺业委会"], "市政大院": ["缺物业服务"]}
        for rule in GAP_RULES:  # every rule answers a register's 有, 无 and blanks
            service.gaps(rule, STREET)
        ratios = {r.name: (r.numerator, r.denominator) for r in service.coverage(STREET).ratios}
        assert ratios["owners-committee-formation"] == (3, 4)
        assert ratios["red-committee-share"] == (2, 3)  # 怡枫园 √ and 梅富苑 是; 市政大院 否
        yifengyuan = service.node_detail("compound:景华社区.怡枫园")
        assert yifengyuan.properties["households"] == {"value": 1200, "unit": "户"}
        assert yifengyuan.properties["register_columns"] == ["停车位: 120", "院内楼宇数: 12"]
        branch = service.node_detail("party:景华社区.怡枫园.小区党支部")
        assert (branch.name, branch.properties["established"]) == ("怡枫园党支部", "2020-05-01")
        established = {uid: service.node_detail(f"party:{uid}.小区党支部").properties[
            "established"] for uid in ("狮岭社区.市政大院", "福中社区.深业花园", "梅富社区.梅富苑")}
        assert established == {"狮岭社区.市政大院": "2020-05", "福中社区.深业花园": "2022-09-20",
                               "梅富社区.梅富苑": "2023-01-05"}
        assert "party:丙物业.党支部" not in {n.uid for n in service.nodes_of_type(
            "PartyOrganization")}  # ×: 丙物业 has none
        firm = service.node_detail("party:甲物业.党支部")
        # set up in the firm, serving the compound of its row
        assert sorted((r.relation, r.other.name) for r in firm.relationships) == [
            ("ESTABLISHED_IN", "甲物业"), ("SERVES", "怡枫园")]
        committee = service.node_detail("committee:梅富社区.梅富苑")
        assert committee.properties["party_members"] == {"value": 4, "unit": "人"}


TWO_ROW_HEADER = [["序号", "小区名称", "所属社区", "户数", "业主委员会", None, None, "小区党组织",
                   None, "物业服务情况", None],
                  [None, None, None, None, "是否成立", "委员人数", "其中党员", "名称", "成立时间",
                   "企业名称", "是否建立党组织"]]
TWO_ROW_ROWS = [[1, "怡枫园", "景华社区", 1200, "是", 5, 3, "怡枫园党支部", "2020-05-01", "甲物业",
                 "是"],
                [2, "深业花园", "福中社区", 800, "否", None, None, "深业花园党支部", "2022-09-20",
                 "乙物业", "否"]]


def two_row_workbook(path):
    """The header in two rows: 业主委员会, 小区党组织 and 物业服务情况 merged across the columns
    under them, the other headers merged down over both rows."""
    book = Workbook()
    sheet = book.active
    sheet.append(["莲花街道小区治理台账"])
    sheet.append(["填报日期：2024年5月31日"])
    for row in [*TWO_ROW_HEADER, *TWO_ROW_ROWS]:
        sheet.append(row)
    for column in range(1, 5):
        sheet.merge_cells(start_row=3, start_column=column, end_row=4, end_column=column)
    for first, last in ((5, 7), (8, 9), (10, 11)):
        sheet.merge_cells(start_row=3, start_column=first, end_row=3, end_column=last)
    book.save(path)
    return path


def two_row_csv(path):
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([["莲花街道小区治理台账"], ["填报日期：2024年5月31日"],
                                 *TWO_ROW_HEADER, *TWO_ROW_ROWS])
    return path


@pytest.mark.parametrize("make", [two_row_workbook, two_row_csv], ids=["xlsx", "csv"])
def test_a_header_in_two_rows_reads_each_column_under_its_group(make, tmp_path):
    """是否成立, 委员人数 and 其中党员 under 业主委员会 are the committee's; 名称 and 成立时间
    under 小区党组织, the compound's branch; 企业名称 and 是否建立党组织 under 物业服务情况, the
    firm and the firm's branch: read as a reader of the sheet reads them, nothing left over."""
    path = make(tmp_path / f"莲花街道台账.{'xlsx' if make is two_row_workbook else 'csv'}")
    with EmbeddedStore(tmp_path / "store.db") as store:
        service = Service(store, personal=True)
        options = RegisterOptions(defaults={"所属街道": "莲花街道", "所属区": "福田区"})
        summary, _ = service.ingest([path], options=options)
        assert summary.warnings == []
        (layout,) = summary.registers
        assert "第4行:表头第二行" in layout.skipped
        committee = service.node_detail("committee:景华社区.怡枫园").properties
        assert (committee["members"]["value"], committee["party_members"]["value"]) == (5, 3)
        branch = service.node_detail("party:景华社区.怡枫园.小区党支部")
        assert (branch.name, branch.properties["established"]) == ("怡枫园党支部", "2020-05-01")
        firms = {n.uid for n in service.nodes_of_type("PartyOrganization")}
        assert "party:甲物业.党支部" in firms and "party:乙物业.党支部" not in firms
        owners = service.gaps("compound-without-owners-committee", STREET)
        assert [h.compound.name for h in owners.hits] == ["深业花园"]
        assert owners.compounds_checked == 2
