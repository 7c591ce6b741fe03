"""`govgraph` as a new user runs it: load the seeds, look around, get clear errors."""

import json
import re

from openpyxl import Workbook

from govgraph.graph.vocabulary import NODE_TYPES
from tests.conftest import CASES


def test_loading_the_seed_cases_counts_every_type_the_reports_mention(cli):
    summary = cli.json("load", str(CASES))
    assert summary["files"] == 5
    stats = cli.json("stats")
    assert set(stats["nodes"]) == set(NODE_TYPES) - {"Grid"}  # no report names a grid
    assert all(n > 0 for n in [*stats["nodes"].values(), *stats["edges"].values()])
    created = sum(c["created"] for c in summary["nodes"].values())
    assert created == sum(stats["nodes"].values())


def test_loading_twice_changes_nothing(cli):
    cli("load", str(CASES))
    before = cli.json("stats")
    again = cli.json("load", str(CASES))
    assert {c["created"] + c["updated"] for c in [*again["nodes"].values(),
                                                  *again["edges"].values()]} == {0}
    assert cli.json("stats") == before


def test_a_dry_run_writes_nothing(cli):
    result = cli("load", str(CASES), "--dry-run")
    assert "dry run, nothing written" in result.stdout
    assert cli.json("stats") == {"nodes": {}, "edges": {}}


BROKEN = {
    "wrong-types.yaml": """\
source: {uid: source:坏.类型, title: 坏记录}
actors:
  - {uid: "street:某区.某街道", type: Street, name: 某街道}
  - {uid: "community:某街道.某社区", type: Community, name: 某社区}
relationships:
  - {type: SUBORDINATE_TO, from: "community:某街道.某社区", to: "community:某街道.某社区"}
""",
    "dangling.yaml": """\
source: {uid: source:坏.引用, title: 坏引用}
actors:
  - {uid: "compound:某社区.某小区", type: Compound, name: 某小区}
relationships:
  - {type: PART_OF, from: "compound:某社区.某小区", to: "community:某街道.不存在"}
""",
    "bad-dates.yaml": """\
source: {uid: source:坏.日期, title: 坏日期, date: 2022-02-30}
meetings:
  - {uid: "meeting:某社区.议事会", name: 议事会, date: 去年9月, times: {value: -2, unit: 次}}
""",
    "truncated.yaml": """\
source: {uid: source:坏.截断, title: 截断
actors:
  - {uid: "compound:某社区.另一小区", type: Compound,
""",
}


def write_broken_folder(tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    for name, text in BROKEN.items():
        (folder / name).write_text(text, encoding="utf-8")
    workbook = Workbook()
    workbook.active.append(["小区名称", "所属社区", "所属街道", "所属区", "户数"])
    workbook.active.append(["某小区", "某社区", "某街道", "某区", "约三百"])
    workbook.save(folder / "台账.xlsx")
    return folder


def test_broken_records_give_one_message_per_problem_and_change_nothing(cli, tmp_path):
    cli("load", str(CASES))
    before = cli.json("stats")
    result = cli("load", str(write_broken_folder(tmp_path)), ok=False)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == "9 problem(s); nothing was loaded."
    expected = [
        "bad-dates.yaml:1 (source), field 'date', got '2022-02-30': expected a date",
        "bad-dates.yaml:3 (meetings[0]), field 'date', got '去年9月': expected a date",
        "bad-dates.yaml:3 (meetings[0]), field 'times', got '{\"value\": -2",
        "dangling.yaml:5 (relationships[0]), field 'to', got 'community:某街道.不存在': expected "
        "the uid of a node",
        "truncated.yaml:2: expected valid YAML (",
        "wrong-types.yaml:3 (actors[0]), field 'type', got 'Street': expected a node type",
        "wrong-types.yaml:6 (relationships[0]), field 'from', got 'community:某街道.某社区 "
        "(Community)': expected a node of type PartyMemberHousehold, PartyOrganization for "
        "SUBORDINATE_TO",
        "wrong-types.yaml:6 (relationships[0]), field 'to', got 'community:某街道.某社区 "
        "(Community)': expected a node of type PartyOrganization for SUBORDINATE_TO",
        "台账.xlsx sheet Sheet row 2, field '户数', got '约三百': expected a whole number",
    ]
    problems = lines[:-1]
    assert len(problems) == len(expected)
    for fragment in expected:
        assert sum(fragment in line for line in problems) == 1, (fragment, problems)
    assert cli.json("stats") == before


def test_problems_as_json_for_scripts(cli, tmp_path):
    result = cli("load", str(write_broken_folder(tmp_path)), "--json", ok=False)
    problems = json.loads(result.stdout)["problems"]
    assert len(problems) == 9
    header = next(p for p in problems if p["file"].endswith(".xlsx"))
    assert header == {**header, "sheet": "Sheet", "row": 2, "field": "户数", "value": "约三百"}


def test_show_a_node_with_its_sources_and_relationships(cli):
    cli("load", str(CASES))
    text = cli("show", "compound:久安社区.工行小区").stdout
    assert "工行小区  小区 (Compound)" in text
    assert "自办物业: 是" in text
    assert "source:002.工行小区自办物业" in text and "“工行小区坚持党建引领自办物业”" in text
    assert "隶属" in text and "久安社区" in text
    detail = cli.json("show", "compound:久安社区.工行小区")
    assert detail["properties"]["buildings"] == {"value": 3, "unit": "栋"}
    assert {r["relation"] for r in detail["relationships"]} >= {"PART_OF", "ESTABLISHED_IN",
                                                                "REPRESENTS"}


def test_search_in_chinese_and_pinyin(cli):
    cli("load", str(CASES))
    for query in ("工行", "gonghang", "ghxq"):
        found = cli.json("search", query)
        assert "compound:久安社区.工行小区" in [f["uid"] for f in found], query
    assert "俊景苑" in cli("search", "junjing").stdout


def test_unknown_uid_and_unknown_type_are_clear(cli):
    result = cli("show", "compound:无.无", ok=False)
    assert result.exit_code == 4 and "no node with uid 'compound:无.无'" in result.stderr
    result = cli("search", "x", "--type", "Street", ok=False)
    assert result.exit_code == 2 and "'Street' is not a node type" in result.output


def test_an_unusable_store_is_reported(tmp_path, cli):
    bad = tmp_path / "store.db"
    bad.write_text("not sqlite", encoding="utf-8")
    cli.store_path = bad
    result = cli("stats", ok=False)
    assert result.exit_code == 3 and "store unavailable" in result.stderr


def test_the_store_defaults_to_the_user_data_directory(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from govgraph.service.cli import app

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("GOVGRAPH_STORE", raising=False)
    result = CliRunner().invoke(app, ["load", str(CASES / "002_工行小区自办物业.yaml")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "govgraph" / "govgraph.db").is_file()


def test_the_vocabulary_in_chinese_for_people_and_scripts(cli):
    assert "业主委员会" in cli("vocabulary").stdout
    data = cli.json("vocabulary")
    committee = next(t for t in data["node_types"] if t["name"] == "OwnersCommittee")
    assert committee["zh"] == "业主委员会" and "party_members" in committee["properties"]
    represents = next(r for r in data["relationship_types"] if r["name"] == "REPRESENTS")
    assert represents["to"] == ["Compound"]


def test_gaps_list_the_rules_then_answer_one_with_place_and_reason(cli):
    cli("load", str(CASES))
    listing = cli.json("gaps")
    assert [r["name"] for r in listing][:2] == ["compound-without-party-branch",
                                                "compound-without-committee-branch"]
    text = cli("gaps", "compound-without-committee-branch").stdout
    assert "业委会(物管会)未建党组织" in text and "市政大院" in text and "俊景苑" not in text
    assert "未记录, 无法判断 (6)" in text and "口径: 业委会(物管会)党组织指" in text
    answer = cli.json("gaps", "compound-without-committee-branch", "--scope",
                      "street:福田区.莲花街道")
    assert answer["hits"] == []  # no report says a committee has no party organisation
    unknown = next(h for h in answer["not_recorded"] if h["compound"]["name"] == "市政大院")
    assert [p["name"] for p in unknown["place"]][:2] == ["狮岭社区", "莲花街道"]
    assert unknown["reasons"] == ["市政大院业主委员会未记录党支部或党的工作小组"]


def test_gap_parameters_are_checked(cli):
    cli("load", str(CASES))
    ok = cli.json("gaps", "committee-low-party-share", "--param", "threshold=30")
    assert ok["parameters"]["threshold"] == 30.0 and ok["hits"] == []
    bad = cli("gaps", "committee-low-party-share", "--param", "share=30", ok=False)
    assert bad.exit_code == 2 and ("has no parameter 'share' (it takes: threshold, "
                                   "pooled_figure_counts, management_committee_counts)"
                                   ) in bad.stderr
    bad = cli("gaps", "committee-low-party-share", "--param", "threshold", ok=False)
    assert bad.exit_code == 2 and "expected name=value" in bad.output


def test_coverage_tree_path_projects_neighbours(cli):
    cli("load", str(CASES))
    coverage = cli.json("coverage", "--scope", "street:福田区.莲花街道")
    assert coverage["compounds"] == 3
    assert "党组织覆盖率" in cli("coverage").stdout
    tree = cli("tree", "compound:久安社区.工行小区", "--line", "party").stdout
    assert tree.index("工行小区党支部") < tree.index("楼栋党小组") < tree.index("党员中心户")
    assert cli.json("tree", "street:福田区.莲花街道", "--depth", "1")["children"]
    path = cli("path", "compound:久安社区.工行小区", "compound:离石区.泛华盛世小区").stdout
    assert path.splitlines()[0] == "工行小区 → 凤山街道 → 离石区 → 泛华盛世小区"
    assert "no path" in cli("path", "compound:久安社区.工行小区", "compound:朝西社区.俊景苑").stdout
    projects = cli.json("projects", "--scope", "compound:福中社区.深业花园")
    assert [p["initiated_by"][0]["name"] for p in projects] == ["深业花园党支部"]
    neighbours = cli.json("neighbours", "compound:久安社区.工行小区", "--type", "REPRESENTS")
    assert {n["type"] for n in neighbours["nodes"]} == {"Compound",
                                                          "PropertyManagementCommittee"}
    bad = cli("tree", "compound:久安社区.工行小区", "--line", "money", ok=False)
    assert bad.exit_code == 2 and "expected admin or party" in bad.stderr


def test_export_masks_names_unless_asked(cli, tmp_path):
    cli("load", str(CASES))
    out = tmp_path / "graph.graphml"
    cli("export", "-o", str(out))
    text = out.read_text(encoding="utf-8")
    assert "工行小区" in text and "赵鸿翔" not in text and "赵**" in text
    cli("export", "-o", str(out), "--format", "jsonld", "--show-personal")
    assert "赵鸿翔" in out.read_text(encoding="utf-8")
    cli("export", "-o", str(out), "--format", "jsonld", "--scope", "community:凤山街道.久安社区")
    scoped = out.read_text(encoding="utf-8")
    assert "工行小区物管会" in scoped and "莲花街道" not in scoped and "宝欣苑" not in scoped
    bad = cli("export", "-o", str(out), "--format", "xls", ok=False)
    assert bad.exit_code == 2 and "expected one of graphml" in bad.output


def test_render_network_and_orgchart_to_files(cli, tmp_path):
    cli("load", str(CASES))
    page = tmp_path / "lianhua.html"
    cli("render", "network", "street:福田区.莲花街道", "-o", str(page))
    html = page.read_text(encoding="utf-8")
    assert "景华社区" in html and "vis.Network" in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)  # nothing fetched
    chart = tmp_path / "gonghang.png"
    cli("render", "orgchart", "compound:久安社区.工行小区", "--line", "party", "-o", str(chart))
    assert chart.read_bytes().startswith(b"\x89PNG")
    bad = cli("render", "orgchart", "compound:久安社区.工行小区", "-o", str(tmp_path / "x.gif"),
              ok=False)
    assert bad.exit_code == 2 and "x.gif" in bad.output and ".svg" in bad.output
    bad = cli("render", "network", "compound:久安社区.工行小区", "--mode", "all", "-o", str(page),
              ok=False)
    assert bad.exit_code == 2 and "expected auto, scope or neighbourhood" in bad.stderr


def test_synth_is_deterministic_and_loads(cli, tmp_path):
    for name, seed in (("a", "7"), ("b", "7"), ("c", "8")):
        cli("synth", "-o", str(tmp_path / name), "--streets", "2", "--seed", seed)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.*"))
    assert len(files) == 4
    same = all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()
               for f in files)
    assert same
    assert sorted((tmp_path / "c").rglob("*.*")) != sorted((tmp_path / "a").rglob("*.*"))
    summary = cli.json("load", str(tmp_path / "a"))
    assert summary["nodes"]["Compound"]["created"] > 50
    gaps = cli.json("gaps", "troika-incomplete")
    assert gaps["hits"]  # synthetic cities have realistic gaps


def test_a_fact_conflicting_with_the_store_found_at_write_loads_nothing(cli, tmp_path):
    first = tmp_path / "first.yaml"
    first.write_text("""\
source: {uid: source:测试.一, title: 一}
actors:
  - {uid: "community:某街道.甲社区", type: Community, name: 甲社区}
  - {uid: "street:某区.某街道", type: StreetOffice, name: 某街道}
relationships:
  - {uid: link.1, type: PART_OF, from: "community:某街道.甲社区", to: "street:某区.某街道"}
""", encoding="utf-8")
    cli("load", str(first))
    second = tmp_path / "second.yaml"
    second.write_text(first.read_text(encoding="utf-8").replace("source:测试.一", "source:测试.二")
                      .replace("type: PART_OF", "type: GUIDES"), encoding="utf-8")
    before = cli.json("stats")
    result = cli("load", str(second), ok=False)
    assert result.exit_code == 1 and "link.1" in result.stderr
    assert "nothing was changed" in result.stderr
    assert cli.json("stats") == before


def test_without_graphviz_an_org_chart_says_what_to_install(cli, tmp_path, monkeypatch):
    cli("load", str(CASES))
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` to be found
    failed = cli("render", "orgchart", "compound:久安社区.工行小区", "-o",
                 str(tmp_path / "chart.png"), ok=False)
    assert failed.exit_code == 3
    assert "Graphviz" in failed.output and "apt-get install graphviz" in failed.output
    assert "Traceback" not in failed.output and len(failed.output.strip().splitlines()) == 1


def test_brackets_in_what_a_user_types_are_shown_not_read_as_markup(cli):
    cli("load", str(CASES))
    for args in (("show", "[/x]"), ("gaps", "[/x]"), ("tree", "[bold]x")):
        failed = cli(*args, ok=False)
        assert failed.exit_code in (2, 4) and args[1] in failed.output, failed.output


def test_a_register_month_by_month_as_an_official_keeps_it(cli, tmp_path):
    """The issue's check, from the command line: May's register, then June's edition of the
    same file; answers as of any date; the source listed, loaded twice, unloaded."""
    path = tmp_path / "景华社区台账.csv"
    header = "小区名称,所属社区,所属街道,所属区,户数,业委会,物业公司\n"
    path.write_text(header + "怡枫园,景华社区,莲花街道,福田区,1100,有,甲物业\n", "utf-8")
    cli("load", str(path), "--as-of", "2024-05-31")
    path.write_text(header + "怡枫园,景华社区,莲花街道,福田区,1200,无,乙物业\n", "utf-8")
    june = cli.json("load", str(path), "--as-of", "2024-06-30")
    assert june["nodes"]["OwnersCommittee"]["removed"] == 1

    def hits(*args: str) -> list[str]:
        answer = cli.json("gaps", "compound-without-owners-committee", *args)
        return [h["compound"]["name"] for h in answer["hits"]]

    def shown(*args: str) -> tuple[int, list[str]]:
        detail = cli.json("show", "compound:景华社区.怡枫园", *args)
        return (detail["properties"]["households"]["value"],
                [r["other"]["name"] for r in detail["relationships"] if r["relation"] == "SERVES"])

    assert hits() == ["怡枫园"] and shown() == (1200, ["乙物业"])
    assert hits("--as-of", "2024-06-01") == [] and shown("--as-of", "2024-06-01") == (
        1100, ["甲物业"])
    sources = cli.json("sources")
    assert [(s["source"], s["as_of"], s["current"]) for s in sources] == [
        ("source:台账.景华社区台账", "2024-05-31", False),
        ("source:台账.景华社区台账", "2024-06-30", True)]

    again = cli.json("load", str(path), "--as-of", "2024-06-30")
    assert {c["created"] + c["updated"] + c["removed"]
            for c in [*again["nodes"].values(), *again["edges"].values()]} == {0}
    assert cli.json("sources") == sources

    bad = cli("show", "compound:景华社区.怡枫园", "--as-of", "2024-6-1", ok=False)
    assert bad.exit_code == 2 and "expected a date YYYY-MM-DD" in bad.stderr
    cli("unload", "景华社区台账")
    assert cli("show", "compound:景华社区.怡枫园", ok=False).exit_code == 4
    assert cli.json("sources") == []


def test_a_report_and_a_register_that_disagree_are_listed_for_review(cli, tmp_path):
    report = tmp_path / "report.yaml"
    report.write_text(
        "source: {uid: 'source:报道.怡枫园', title: 怡枫园纪实, date: 2021-03-01}\n"
        "actors:\n"
        "  - {uid: 'compound:景华社区.怡枫园', type: Compound, name: 怡枫园,"
        " households: {value: 1000, unit: 户}, evidence: 小区共有1000户}\n", "utf-8")
    register = tmp_path / "台账.csv"
    register.write_text("小区名称,所属社区,所属街道,所属区,户数\n"
                        "怡枫园,景华社区,莲花街道,福田区,1200\n", "utf-8")
    cli("load", str(report), str(register), "--as-of", "2024-05-31")
    assert cli.json("show", "compound:景华社区.怡枫园")["properties"]["households"][
        "value"] == 1200
    (conflict,) = cli.json("conflicts")
    assert [(v["value"]["value"], v["as_of"]) for v in conflict["values"]] == [
        (1200, "2024-05-31"), (1000, "2021-03-01")]
    table = cli("conflicts").stdout
    assert "户数" in table and "1200户" in table and "1000户" in table
    shown = cli("show", "compound:景华社区.怡枫园").stdout
    assert "户数: 各来源不一致" in shown and "1000户  source:报道.怡枫园 (2021-03-01)" in shown


GONGHANG = "compound:久安社区.工行小区"
QUESTIONS = [  # every question, as a user types it
    ("search", "工行", "--json"),
    ("show", GONGHANG, "--json"),
    ("gaps", "compound-without-owners-committee", "--json"),
    ("coverage", "--json"),
    ("conflicts", "--json"),
    ("tree", GONGHANG, "--line", "party", "--json"),
    ("neighbours", GONGHANG, "--json"),
    ("path", GONGHANG, "street:离石区.凤山街道", "--json"),
    ("projects", "--json"),
]


def test_every_question_can_be_asked_as_of_a_date(cli, tmp_path):
    """Before any report was published the graph is empty; after the latest, it is today's."""
    cli("load", str(CASES), "--as-of", "2024-01-01")
    for question in QUESTIONS:
        assert cli(*question, "--as-of", "2099-12-31").stdout == cli(*question).stdout, question
        early = cli(*question, "--as-of", "2020-01-01", ok=False)
        assert early.exit_code in (0, 4), (question, early.output)
        assert "工行" not in early.stdout, question
    for command, suffix in (("export", ".json"), ("render network", ".html"),
                            ("render orgchart", ".svg")):
        args = [*command.split(), *([] if command == "export" else [GONGHANG])]
        today, then = tmp_path / f"today{suffix}", tmp_path / f"2099{suffix}"
        extra = ["--format", "json"] if command == "export" else []
        cli(*args, "-o", str(today), *extra)
        cli(*args, "-o", str(then), *extra, "--as-of", "2099-12-31")
        assert then.read_bytes() == today.read_bytes(), command
        gone = cli(*args, "-o", str(tmp_path / f"early{suffix}"), *extra, "--as-of", "2020-01-01",
                   ok=False)
        assert gone.exit_code == (0 if command == "export" else 4), command


def test_a_load_dated_after_today_is_refused(cli, tmp_path):
    path = tmp_path / "台账.csv"
    path.write_text("小区名称,所属社区,所属街道,所属区\n怡枫园,景华社区,莲花街道,福田区\n", "utf-8")
    refused = cli("load", str(path), "--as-of", "2999-01-01", ok=False)
    assert refused.exit_code == 2 and "expected a date no later than today" in refused.stderr
    assert cli.json("sources") == []


def test_inspect_shows_how_a_register_as_kept_is_read_and_a_mapping_file_places_the_rest(
        cli, tmp_path):
    from tests.unit.test_registers_as_kept import workbook

    path = workbook(tmp_path / "莲花街道台账.xlsx")
    missing = cli("inspect", str(path), ok=False)
    assert missing.exit_code == 1 and "--default 所属区=…" in missing.stderr
    shown = cli.json("inspect", str(path), "--default", "所属区=福田区")
    (layout,) = shown["registers"]
    assert (layout["sheet"], layout["header_row"], layout["as_of"]) == ("小区治理", 3,
                                                                       "2024-05-31")
    readings = {c["header"]: (c["column"], c["reading"]) for c in layout["columns"]}
    assert readings["总户数（户）"] == ("户数", "read")
    assert readings["其中党员人数"] == ("业委会党员人数", "read")
    assert readings["序号"] == (None, "ignored")
    assert readings["停车位"] == (None, "kept as a property")
    assert [s.split(":")[0] for s in layout["skipped"]] == ["第1行", "第2行", "第8行"]
    assert layout["skipped"][-1] == "第8行:合计行"
    assert [r["小区名称"] for r in layout["rows"]] == ["怡枫园", "深业花园", "市政大院", "梅富苑"]
    assert cli.json("stats")["nodes"] == {}  # inspecting loads nothing
    named = cli.json("inspect", str(path), "--default", "所属区=福田区", "--source", "莲花街道台账")
    assert named["registers"] == shown["registers"] and named["problems"] == []

    mapping = tmp_path / "莲花街道列.yaml"
    mapping.write_text("columns:\n  停车位: ignore\n  院内楼宇数: 楼栋数\n"
                       "defaults:\n  所属区: 福田区\n  所属市: 深圳市\n", encoding="utf-8")
    loaded = cli.json("load", str(path), "--columns", str(mapping))
    assert loaded["nodes"]["Compound"]["created"] == 4
    assert not any("停车位" in w or "楼宇" in w for w in loaded["warnings"])
    assert cli.json("show", "compound:景华社区.怡枫园")["properties"]["buildings"] == {
        "value": 12, "unit": "栋"}
    assert cli.json("gaps", "compound-without-owners-committee")["hits"][0]["compound"][
        "name"] == "深业花园"
    bad = tmp_path / "bad.yaml"
    bad.write_text("columns:\n  停车位: 车位数\n", encoding="utf-8")
    refused = cli("load", str(path), "--columns", str(bad), ok=False)
    assert refused.exit_code == 2 and "'停车位' → '车位数': expected one of" in refused.output


def test_a_nodes_history_shows_yes_and_no_as_show_does(cli, tmp_path):
    path = tmp_path / "台账.csv"
    for as_of, said in (("2024-07-31", "有"), ("2024-08-31", "无")):
        path.write_text("小区名称,所属社区,所属街道,所属区,业委会\n"
                        f"甲小区,玉林社区,红星街道,武侯区,{said}\n", encoding="utf-8-sig")
        cli("load", str(path), "--as-of", as_of)
    table = cli("history", "compound:玉林社区.甲小区").stdout
    assert "是" in table and "否" in table
    assert "True" not in table and "False" not in table
