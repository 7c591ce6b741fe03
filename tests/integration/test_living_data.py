"""Living data on every store that writes: sources as dated editions, replaced when loaded
again, unloaded as if never loaded; disagreements kept and listed; every question as of a date.
Each scenario is a street office's register month by month, written here as it would keep it."""

import csv
import json
from pathlib import Path

import pytest

from govgraph.graph.model import InvalidInput
from govgraph.graph.storage import DanglingEdges, NodeNotFound, SourceNotFound
from govgraph.graph.storage.embedded import EmbeddedStore
from govgraph.service.core import Service
from tests.conftest import WRITE_STORES, as_of_view, open_empty, seed_batch

COMPOUND = "compound:景华社区.怡枫园"
COMMITTEE_RULE = "compound-without-owners-committee"
HEADER = ["小区名称", "所属社区", "所属街道", "所属区", "所属市", "户数", "业委会", "物业公司"]


@pytest.fixture(params=WRITE_STORES)
def store(request, tmp_path):
    opened = open_empty(request, request.param, tmp_path / "store.db")
    yield opened
    opened.close()


def ask(store):
    return Service(store, personal=True)


def register(path: Path, *rows: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return path


def yifengyuan(households: str, committee: str, firm: str) -> list[str]:
    return ["怡枫园", "景华社区", "莲花街道", "福田区", "深圳市", households, committee, firm]


def report(path: Path, date: str, households: int, firm: str | None = None) -> Path:
    """A case record of a report of ``date`` about 怡枫园."""
    firm_lines = (f"  - {{uid: 'property:{firm}', type: PropertyCompany, name: {firm}}}\n"
                  if firm else "")
    serves = (f"  - {{type: SERVES, from: 'property:{firm}', to: '{COMPOUND}', "
              f"evidence: {firm}为小区提供物业服务}}\n" if firm else "")
    path.write_text(
        f"source: {{uid: 'source:报道.怡枫园', title: 怡枫园纪实, date: {date}}}\n"
        "actors:\n"
        f"  - {{uid: '{COMPOUND}', type: Compound, name: 怡枫园, "
        f"households: {{value: {households}, unit: 户}}, evidence: 小区共有{households}户}}\n"
        + firm_lines + "relationships:\n" + (serves or "  []\n"), encoding="utf-8")
    return path


def load(store, *paths: Path, as_of: str | None = None, source: str | None = None):
    summary, _ = ask(store).ingest(list(paths), as_of=as_of, source=source, check_report=False)
    return summary


def firms(service: Service) -> list[str]:
    return sorted(r.other.name for r in service.node_detail(COMPOUND).relationships
                  if r.relation == "SERVES")


def households(service: Service) -> float:
    return service.node_detail(COMPOUND).properties["households"]["value"]


def committee_hits(service: Service) -> list[str]:
    return [h.compound.uid for h in service.gaps(COMMITTEE_RULE).hits]


def test_a_nodes_statements_list_its_values_in_the_order_of_the_registers_columns(store,
                                                                                 tmp_path):
    rows = tmp_path / "台账.csv"
    rows.write_text("小区名称,所属社区,所属街道,所属区,户数,小区党组织\n"
                    "怡枫园,景华社区,莲花街道,福田区,1100,有\n", encoding="utf-8")
    load(store, rows, as_of="2024-05-31")
    detail = ask(store).node_detail(COMPOUND)
    assert [v.field for v in detail.values] == ["name", "households", "has_party_organization"]


def export(store) -> dict:
    return json.loads(ask(store).export("json").data)


def test_next_months_register_brings_the_graph_up_to_date(store, tmp_path):
    may = register(tmp_path / "may" / "景华社区台账.csv", yifengyuan("1100", "有", "甲物业"))
    june = register(tmp_path / "june" / "景华社区台账.csv", yifengyuan("1200", "无", "乙物业"))
    assert [e.change for e in load(store, may, as_of="2024-05-31").editions] == ["added"]
    assert committee_hits(ask(store)) == [] and firms(ask(store)) == ["甲物业"]

    summary = load(store, june, as_of="2024-06-30")
    changed = summary.totals()
    assert changed["created"] == 2 and changed["removed"] == 4 and changed["updated"] == 1
    now = ask(store)
    assert committee_hits(now) == [COMPOUND]  # 业委会 无 ends May's 有
    assert firms(now) == ["乙物业"] and households(now) == 1200
    assert store.stats().nodes.get("OwnersCommittee") is None

    may_view = now.at("2024-06-01")
    assert committee_hits(may_view) == [] and firms(may_view) == ["甲物业"]
    assert households(may_view) == 1100
    assert now.at("2024-05-30").stats().nodes == {}  # nothing was said before May
    with pytest.raises(NodeNotFound, match="as of 2024-05-30: no source dated up to then "
                                           r"states it \(the first that does is of 2024-05-31\)"):
        now.at("2024-05-30").coverage("street:福田区.莲花街道")

    editions = [(e.source, e.as_of, e.kind, e.current, e.nodes) for e in now.sources()]
    assert editions == [("source:台账.景华社区台账", "2024-05-31", "register", False, 8),
                        ("source:台账.景华社区台账", "2024-06-30", "register", True, 7)]

    history = now.history(COMPOUND)
    assert [e.as_of for e in history] == ["2024-05-31", "2024-06-30"]
    june_changes = {c.field: (c.before, c.after) for c in history[1].changes}
    assert june_changes["SERVES ←"] == (["甲物业"], ["乙物业"])
    assert june_changes["REPRESENTS ←"] == (["怡枫园业主委员会"], None)
    assert june_changes["households"][1] == {"value": 1200, "unit": "户"}

    trend = now.coverage_history("street:福田区.莲花街道")
    formation = [(t.as_of, {r.name: r.ratio for r in t.coverage.ratios}[
        "owners-committee-formation"]) for t in trend]
    assert formation == [("2024-05-31", 1.0), ("2024-06-30", 0.0)]


def test_a_register_dated_otherwise_than_the_date_given_is_refused(store, tmp_path):
    """July's sheet copied for September, its 填报日期 left as it was: loaded as July's, it would
    replace July's edition."""
    july = register(tmp_path / "july" / "景华社区台账.csv", yifengyuan("1100", "有", "甲物业"))
    load(store, july, as_of="2024-07-31")
    before = export(store)
    september = tmp_path / "september" / "景华社区台账.csv"
    september.parent.mkdir()
    september.write_text("填报日期：2024年7月31日\n" + ",".join(HEADER) + "\n"
                         + ",".join(yifengyuan("1200", "无", "乙物业")) + "\n",
                         encoding="utf-8-sig")
    with pytest.raises(InvalidInput) as refused:
        load(store, september, as_of="2024-09-30")
    (problem,) = refused.value.problems
    assert (problem.field, problem.value) == ("as_of", "2024-09-30")
    assert "2024-07-31" in problem.expected and str(september) == problem.location.file
    assert export(store) == before
    load(store, september)  # no date given: the one it states
    assert [e.as_of for e in ask(store).sources()] == ["2024-07-31"]


def test_a_months_register_named_apart_from_the_last_is_warned_of(store, tmp_path):
    """Files named by month are sources of their own: August's does not replace July's, and a
    compound August drops would stay current; the load says so, and how to load it instead."""
    july = register(tmp_path / "景华社区2024年7月台账.csv", yifengyuan("1100", "有", "甲物业"))
    august = register(tmp_path / "景华社区2024年8月台账.csv", yifengyuan("1200", "有", "甲物业"))
    assert load(store, july, as_of="2024-07-31").warnings == []
    _, told_before, _ = ask(store).inspect([august])  # told before loading it too
    (warning,) = load(store, august, as_of="2024-08-31").warnings
    assert told_before == [warning]
    assert ask(store).inspect([august], source="景华社区2024年7月台账")[1] == []
    assert "1 of its 1 are stated by the register 景华社区2024年7月台账" in warning
    assert "--source 景华社区2024年7月台账" in warning
    again = load(store, august, as_of="2024-08-31", source="景华社区2024年7月台账")
    assert again.warnings == []
    assert [e.source for e in ask(store).sources() if e.current] == [
        "source:台账.景华社区2024年7月台账", "source:台账.景华社区2024年8月台账"]


def test_each_month_of_a_new_register_loaded_at_once_is_compared_on_its_own(store, tmp_path):
    """August's and September's files of a register named anew, loaded together: August's
    restates most of July's register and is warned of; September's does not. Taken together
    (3 of 8) neither would be."""
    def month(name: str, date: str, *compounds: str) -> Path:
        path = register(tmp_path / name, *(
            [c, "景华社区", "莲花街道", "福田区", "深圳市", "300", "", ""] for c in compounds))
        path.write_text(f"填报日期：{date}\n" + path.read_text("utf-8-sig"), "utf-8-sig")
        return path

    july = month("景华社区台账.csv", "2024年7月31日", "怡枫园", "深业花园", "市政大院", "梅富苑")
    load(store, july)
    august = month("8月.csv", "2024年8月31日", "怡枫园", "深业花园", "东方明珠城", "碧海湾")
    september = month("9月.csv", "2024年9月30日", "市政大院", "翠竹苑小区", "海滨广场", "荔园")
    (warning,) = load(store, august, september, source="新台账").warnings
    assert "8月.csv" in warning and "2 of its 4 are stated by the register 景华社区台账" in warning


def test_loading_the_same_file_twice_changes_nothing(store, tmp_path):
    may = register(tmp_path / "台账.csv", yifengyuan("1100", "有", "甲物业"))
    load(store, may, as_of="2024-05-31")
    before, sources = export(store), ask(store).sources()
    summary = load(store, may, as_of="2024-05-31")
    again = summary.totals()
    assert again["created"] == again["updated"] == again["removed"] == 0
    assert [e.change for e in summary.editions] == ["unchanged"]
    assert export(store) == before and ask(store).sources() == sources  # not even loaded_at


def test_loading_the_seed_cases_again_changes_nothing(store):
    store.load(seed_batch())
    before = export(store)
    again = store.load(seed_batch()).totals()
    assert again["created"] == again["updated"] == again["removed"] == 0
    assert again["unchanged"] == len(seed_batch().node_uids() | seed_batch().edge_uids())
    assert export(store) == before


def test_a_place_named_one_character_apart_from_one_there_is_warned_of(store, tmp_path):
    """June's register slips: 怡枫圆 for 怡枫园, 景化社区 for 景华社区 (on two rows). Each makes a
    new place, so each is warned of, naming the place already there and the row where the file
    first names it. A compound 2号院 beside 1号院 and a community 新村社区 are new places, not
    slips."""
    path = tmp_path / "景华社区台账.csv"

    def row(compound: str, community: str) -> list[str]:
        return [compound, community, "莲花街道", "福田区", "深圳市", "300", "", ""]

    may = load(store, register(path, yifengyuan("1100", "有", "甲物业"), row("1号院", "景华社区")),
               as_of="2024-05-31")
    assert may.warnings == []
    june_file = register(path, row("怡枫圆", "景华社区"), row("深业花园", "景化社区"),
                         row("2号院", "景华社区"), row("新村小区", "新村社区"),
                         row("梅富苑", "景化社区"))
    _, inspected, _ = ask(store).inspect([june_file])  # before loading, too
    assert sum("one character apart" in w for w in inspected) == 2
    june = load(store, june_file, as_of="2024-06-30")
    slips = [(w, zh) for w, zh in zip(june.warnings, june.warnings_zh, strict=True)
             if "one character apart" in w]
    assert len(slips) == 2
    (compound, compound_zh), (community, community_zh) = sorted(
        slips, key=lambda pair: "景化社区" in pair[0])
    assert "怡枫圆" in compound and "怡枫园" in compound and "row 2" in compound
    assert "景化社区" in community and "景华社区" in community and "莲花街道" in community
    assert "row 3" in community
    assert "只差一字" in compound_zh and "“怡枫园”" in compound_zh


def test_a_corrected_file_of_the_same_date_replaces_its_edition(store, tmp_path):
    may = register(tmp_path / "台账.csv", yifengyuan("1100", "有", "甲物业"))
    load(store, report(tmp_path / "report.yaml", "2021-03-01", 1100, firm="甲物业"))
    load(store, may, as_of="2024-05-31")
    register(may, yifengyuan("1150", "有", ""))  # corrected: no firm stated, 1150 households
    summary = load(store, may, as_of="2024-05-31")
    assert summary.totals()["removed"] == 0  # the firm stays: the report states it too
    assert [(e.source, e.as_of, e.change) for e in summary.editions] == [
        ("source:台账.台账", "2024-05-31", "replaced")]
    now = ask(store)
    assert [e.as_of for e in now.sources() if e.kind == "register"] == ["2024-05-31"]
    assert households(now) == 1150 and firms(now) == ["甲物业"]
    serves = next(e for e in store.edges_of(COMPOUND) if e.type == "SERVES")
    assert serves.sources == ["source:报道.怡枫园"]  # the register's citation went with its row


def test_a_later_register_speaks_for_the_whole_of_each_column_it_fills(store, tmp_path):
    load(store, report(tmp_path / "report.yaml", "2021-03-01", 1000, firm="甲物业"))
    load(store, register(tmp_path / "五月台账.csv", yifengyuan("1100", "有", "甲物业")),
         as_of="2024-05-31")
    load(store, register(tmp_path / "六月台账.csv", yifengyuan("", "", "乙物业")),
         as_of="2024-06-30")  # another file: blank cells say nothing, 物业公司 says all
    now = ask(store)
    assert firms(now) == ["乙物业"]  # served by 乙物业 alone
    assert committee_hits(now) == [] and households(now) == 1100  # blank is not 无
    assert firms(now.at("2021-12-31")) == ["甲物业"]  # the report, as of its own date
    assert firms(now.at("2024-06-29")) == ["甲物业"]


def test_sources_that_disagree_both_load_and_the_pair_is_listed(store, tmp_path):
    load(store, report(tmp_path / "report.yaml", "2021-03-01", 1000))
    load(store, register(tmp_path / "台账.csv", yifengyuan("1200", "", "")), as_of="2024-05-31")
    now = ask(store)
    assert households(now) == 1200
    (conflict,) = now.conflicts()
    assert (conflict.node.uid, conflict.field, conflict.field_zh) == (
        COMPOUND, "households", "户数")
    assert [(v.value["value"], v.source, v.as_of, v.current) for v in conflict.values] == [
        (1200, "source:台账.台账", "2024-05-31", True),
        (1000, "source:报道.怡枫园", "2021-03-01", False)]
    assert now.conflicts("street:福田区.莲花街道") == [conflict]
    stated = [(v.value["value"], v.source) for v in now.node_detail(COMPOUND).values
              if v.field == "households"]
    assert stated == [(1200, "source:台账.台账"), (1000, "source:报道.怡枫园")]
    assert now.at("2022-01-01").conflicts() == []  # then, only the report spoke


def test_unloading_a_source_leaves_the_store_as_if_it_had_never_been_loaded(store, tmp_path):
    report_file = report(tmp_path / "report.yaml", "2021-03-01", 1000, firm="甲物业")
    load(store, report_file)
    alone = export(store)
    load(store, register(tmp_path / "台账.csv", yifengyuan("1200", "有", "乙物业")),
         as_of="2024-05-31")
    load(store, register(tmp_path / "台账.csv", yifengyuan("1300", "无", "")),
         as_of="2024-06-30")
    dry = ask(store).unload("台账.csv", dry_run=True)
    assert dry.dry_run and dry.totals()["removed"] > 0 and households(ask(store)) == 1300
    ask(store).unload("台账")
    assert export(store) == alone
    assert [e.source for e in ask(store).sources()] == ["source:报道.怡枫园"]
    ask(store).unload("source:报道.怡枫园")
    assert store.stats().nodes == {} and list(store.all_statements()) == []
    with pytest.raises(SourceNotFound):
        ask(store).unload("台账")


def test_unloading_one_edition_makes_the_one_before_current_again(store, tmp_path):
    path = tmp_path / "台账.csv"
    load(store, register(path, yifengyuan("1100", "有", "甲物业")), as_of="2024-05-31")
    may = export(store)
    load(store, register(path, yifengyuan("1200", "无", "乙物业")), as_of="2024-06-30")
    unloaded = ask(store).unload("source:台账.台账", "2024-06-30")
    assert [(e.as_of, e.change) for e in unloaded.editions] == [("2024-06-30", "removed")]
    assert export(store) == may


def test_a_source_others_depend_on_is_not_unloaded(store, tmp_path):
    load(store, register(tmp_path / "台账.csv", yifengyuan("1100", "", "")), as_of="2024-05-31")
    meeting = tmp_path / "meeting.yaml"
    meeting.write_text(  # its relationship needs the compound only the register states
        "source: {uid: 'source:会议', title: 会议, date: 2024-06-02}\n"
        "actors: [{uid: 'property:丙物业', type: PropertyCompany, name: 丙物业}]\n"
        f"relationships: [{{type: SERVES, from: 'property:丙物业', to: '{COMPOUND}'}}]\n",
        encoding="utf-8")
    load(store, meeting)
    before = export(store)
    with pytest.raises(DanglingEdges, match="丙物业"):
        ask(store).unload("台账")
    assert export(store) == before
    ask(store).unload("source:会议")
    ask(store).unload("台账")
    assert store.stats().nodes == {}


def test_the_graph_derived_as_of_now_is_the_graph_the_store_keeps(store, tmp_path):
    path = tmp_path / "台账.csv"
    load(store, report(tmp_path / "report.yaml", "2021-03-01", 1000, firm="甲物业"))
    load(store, register(path, yifengyuan("1100", "有", "甲物业")), as_of="2024-05-31")
    load(store, register(path, yifengyuan("1200", "无", "乙物业")), as_of="2024-06-30")
    load(store, register(tmp_path / "b" / "其他.csv", yifengyuan("", "有", "")),
         as_of="2024-07-01")
    derived = as_of_view(store, "9999-12-31")
    assert export(derived) == export(store)


def test_a_register_split_across_files_is_one_edition_of_the_source_named(store, tmp_path):
    load(store, register(tmp_path / "景华社区.csv", yifengyuan("1100", "有", "甲物业")),
         register(tmp_path / "福中社区.csv",
                  ["深业花园", "福中社区", "莲花街道", "福田区", "深圳市", "800", "有", ""]),
         source="莲花街道台账", as_of="2024-05-31")
    (edition,) = ask(store).sources()
    assert (edition.source, edition.title) == ("source:台账.莲花街道台账",
                                               "景华社区.csv、福中社区.csv")


def test_history_shows_what_went_when_a_source_stopped_speaking_of_a_node(store, tmp_path):
    path = tmp_path / "台账.csv"
    load(store, register(path, yifengyuan("1100", "有", "甲物业")), as_of="2024-05-31")
    load(store, register(tmp_path / "b" / "其他.csv", yifengyuan("", "", "")), as_of="2024-05-31")
    other = ["深业花园", "福中社区", "莲花街道", "福田区", "深圳市", "800", "", ""]
    load(store, register(path, other), as_of="2024-06-30")  # 怡枫园's row is gone from it
    june = {c.field: c for c in ask(store).history(COMPOUND)[-1].changes}
    assert ask(store).history(COMPOUND)[-1].as_of == "2024-06-30"
    assert june["households"].after is None and june["SERVES ←"].after is None


def test_every_stated_value_is_listed_no_and_zero_too(store, tmp_path):
    header = "小区名称,所属社区,所属街道,所属区,自办物业\n"
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(header + "怡枫园,景华社区,莲花街道,福田区,否\n", "utf-8")
    b.write_text(header + "怡枫园,景华社区,莲花街道,福田区,是\n", "utf-8")
    load(store, a, as_of="2024-05-31")
    load(store, b, as_of="2024-06-30")
    values = [(v.value, v.current) for v in ask(store).node_detail(COMPOUND).values
              if v.field == "self_managed_property"]
    assert values == [(True, True), (False, False)]


def scenario(store, folder: Path) -> dict:
    """Months of one street's registers and a report, then every living-data answer."""
    folder.mkdir()
    path = folder / "台账.csv"
    load(store, report(folder / "report.yaml", "2021-03-01", 1000, firm="甲物业"))
    load(store, register(path, yifengyuan("1100", "有", "甲物业")), as_of="2024-05-31")
    load(store, register(path, yifengyuan("1200", "无", "乙物业")), as_of="2024-06-30")
    load(store, register(path, yifengyuan("1250", "无", "乙物业")), as_of="2024-06-30")
    load(store, register(folder / "b" / "其他.csv", yifengyuan("", "有", "")),
         as_of="2024-07-01")
    ask(store).unload("其他", "2024-07-01")
    now = ask(store)
    return {
        "export": export(store),
        "as of June 1": json.loads(now.at("2024-06-01").export("json").data),
        "sources": [s.model_dump(exclude={"loaded_at"}) for s in now.sources()],
        "conflicts": [c.model_dump() for c in now.conflicts()],
        "history": [h.model_dump() for h in now.history(COMPOUND)],
        "trend": [t.model_dump() for t in now.coverage_history("street:福田区.莲花街道")],
        "detail": now.node_detail(COMPOUND).model_dump(),
    }


def test_every_store_answers_living_data_as_the_embedded_store_does(store, tmp_path):
    with EmbeddedStore(tmp_path / "reference.db") as reference:
        expected = scenario(reference, tmp_path / "reference")
    answers = scenario(store, tmp_path / "store")
    for name, answer in answers.items():
        assert answer == expected[name], name


def test_the_graph_as_of_any_date_is_what_every_statement_derives_then(store, tmp_path):
    """As-of graphs are derived from today's by what differs, and kept by the editions that
    speak: at every date around every edition, after each upload, replacement and unload, they
    are the graph every statement kept derives at that date."""
    from govgraph.graph.editions import Timeline, derive_graph
    from govgraph.graph.storage.memory import GraphView

    path = tmp_path / "台账.csv"
    other = ["深业花园", "福中社区", "莲花街道", "福田区", "深圳市", "800", "有", "丙物业"]
    steps = [
        lambda: load(store, report(tmp_path / "report.yaml", "2021-03-01", 1000, firm="丁物业")),
        # its 物业公司 says all: the report's firm is no longer 怡枫园's from this edition on
        lambda: load(store, register(path, yifengyuan("1100", "有", "甲物业"), other),
                     as_of="2024-05-31"),
        lambda: load(store, register(path, yifengyuan("1200", "无", "乙物业")),
                     as_of="2024-06-30"),  # 深业花园's row gone, 怡枫园's firm changed
        lambda: load(store, register(path, yifengyuan("1250", "无", "乙物业")),
                     as_of="2024-06-30"),  # the same edition, corrected
        lambda: load(store, register(tmp_path / "b" / "其他.csv", yifengyuan("", "有", "")),
                     as_of="2024-07-01"),
        lambda: ask(store).unload("台账", "2024-06-30"),
    ]
    dates = ["2021-02-28", "2021-03-01", "2024-05-30", "2024-05-31", "2024-06-15",
             "2024-06-30", "2024-07-01", "9999-12-31"]
    for step in steps:
        step()
        statements = {row.uid: row for row in store.all_statements()}
        for date in dates:
            expected = derive_graph(statements, Timeline(store.editions(), date))
            assert export(GraphView(store.as_of(date))) == export(GraphView(expected)), date


def test_a_load_tells_its_progress_step_by_step(store, monkeypatch):
    """What the bar of `govgraph load` shows: each file as it is read, then the store's steps
    (a city's are most of a minute), each counted up to its total; a dry run writes nothing."""
    from govgraph.graph.storage import base
    from govgraph.loaders import input_files
    from tests.conftest import CASES

    monkeypatch.setattr(base, "PROGRESS_EVERY", 2)
    files, _ = input_files([CASES])
    told: list[tuple[str, int, int]] = []
    for dry_run in (True, False):
        told.clear()
        ask(store).ingest([CASES], dry_run=dry_run, progress=lambda *step: told.append(step))
        steps = list(dict.fromkeys(step for step, _, _ in told))
        assert steps == ([f"reading {f.name}" for f in files]
                         + ["merging and checking references", "putting the editions in",
                            "deriving nodes and relationships"] + ([] if dry_run else ["writing"]))
        assert [(done, total) for step, done, total in told if step.startswith("reading")] == [
            (done, len(files)) for done in range(len(files))]
        editions = [(done, total) for step, done, total in told
                    if step == "putting the editions in"]
        assert editions == [(done, len(files)) for done in range(len(files))]
        derived = [(done, total) for step, done, total in told if step.startswith("deriving")]
        uids = derived[0][1]
        assert uids > 100 and derived == [(done, uids) for done in range(0, uids, 2)]
