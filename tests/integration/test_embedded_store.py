"""What only the embedded store does: one file, followed across processes and reopenings."""

import weakref

import pytest

from govgraph.graph.storage import StoreUnavailable
from govgraph.graph.storage.embedded import EmbeddedStore
from govgraph.service.core import Service
from tests.integration.test_contract_writes import batch, community, part_of, street


def test_snapshot_follows_writes_of_other_processes(store, store_path):
    store.load(batch(street()))
    assert set(store.snapshot().nodes) == {"street:福田区.莲花街道"}
    with EmbeddedStore(store_path) as other:
        other.load(batch(community("source:b"), part_of("source:b")))
    graph = store.snapshot()
    assert graph.nodes["community:莲花街道.景华社区"]["name"] == "景华社区"
    assert graph.has_edge("community:莲花街道.景华社区", "street:福田区.莲花街道")


def test_a_store_survives_reopening(store_path):
    with EmbeddedStore(store_path) as store:
        store.load(batch(street(kind="街道")))
    with EmbeddedStore(store_path) as store:
        assert store.get_node("street:福田区.莲花街道").properties == {"kind": "街道"}


def test_a_first_load_leaves_the_indexes_a_failed_one_found(store, store_path):
    """A load into an empty file makes the indexes after its rows; one that fails, or a dry
    run, leaves them as they were."""
    import sqlite3

    from govgraph.graph.storage import DanglingEdges
    from govgraph.graph.storage.embedded import INDEXES

    def indexes():
        with sqlite3.connect(store_path) as db:
            found = {row[0] for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
            plan = db.execute("EXPLAIN QUERY PLAN SELECT * FROM edges WHERE target = 'x'")
            uses = " ".join(row[-1] for row in plan)
        db.close()
        return found - {"undo_revision"}, uses

    made = indexes()
    assert made == (set(INDEXES), "SEARCH edges USING INDEX edges_target (target=?)")
    with pytest.raises(DanglingEdges):
        store.load(batch(community(), part_of()))  # the street it is part of is missing
    assert indexes() == made
    store.load(batch(street(), community(), part_of()), dry_run=True)
    assert indexes() == made
    store.load(batch(street(), community(), part_of()))
    assert indexes() == made
    assert [e.uid for e in store.edges_of("street:福田区.莲花街道")] == ["c-PART_OF->s"]


def test_a_file_that_is_not_a_store_is_refused_clearly(tmp_path):
    path = tmp_path / "not-a-store.db"
    path.write_text("hello", encoding="utf-8")
    with pytest.raises(StoreUnavailable, match="cannot open the embedded store"):
        EmbeddedStore(path)


def test_a_store_of_an_earlier_format_is_refused_untouched(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('schema', '1')")
    with pytest.raises(StoreUnavailable, match="format 1, this govgraph reads 2: load its"):
        EmbeddedStore(path)
    with sqlite3.connect(path) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"meta"}


def _graph_data(graph):
    return ({n: dict(d) for n, d in graph.nodes(data=True)},
            sorted((u, v, k, d["type"], str(d["properties"])) for u, v, k, d in
                   graph.edges(keys=True, data=True)))


def answers(store):
    """Every gap rule's and ratio's answer over every compound."""
    from govgraph.graph.rules import GAP_RULES
    from govgraph.service.core import Service

    service = Service(store, personal=True)
    return ([service.gaps(rule).model_dump() for rule in GAP_RULES],
            service.coverage().model_dump())


REGISTER = ("小区名称,所属社区,所属街道,所属区,所属市,业委会,物业公司\n"
            "怡枫园,景华社区,莲花街道,福田区,深圳市,{committee},{firm}\n")


def test_a_process_holding_the_graph_applies_another_ones_upload(tmp_path, monkeypatch,
                                                                 profiled):
    """The service holds the seed graph; a street uploads its register twice, then takes it
    back. Each time the service's graph follows by the logged changes, not by reading the whole
    graph again, and equals the graph read whole, while a question still reading the graph
    held before reads it unchanged. That graph serves on as the graph of the days before the
    upload, with its profiles, and so does a graph of a date asked before; a write too large
    to log is read whole, and lets every graph held before go."""
    from govgraph.graph.storage import embedded
    from govgraph.graph.storage.memory import GraphView
    from govgraph.service.core import Service
    from tests.conftest import seed_batch

    path = tmp_path / "store.db"
    register = tmp_path / "景华社区台账.csv"
    with EmbeddedStore(path) as serving, EmbeddedStore(path) as uploads:
        uploads.load(seed_batch())
        answers(serving)  # profiles of every compound made, to be carried over the uploads
        early = serving.as_of("2023-06-01")  # three of the five seed cases said it by then
        replaced = [weakref.ref(early)]
        for day_before, date, committee, firm in (("2024-05-30", "2024-05-31", "有", "甲物业"),
                                                  ("2024-06-29", "2024-06-30", "无", "乙物业")):
            register.write_text(REGISTER.format(committee=committee, firm=firm),
                                encoding="utf-8")
            held = serving.snapshot()
            before = _graph_data(held)
            assert serving.as_of("2099-12-31") is held
            Service(uploads, personal=True).ingest([register], as_of=date)
            graph = serving.snapshot()
            assert serving.refreshed == "changes"
            assert _graph_data(held) == before != _graph_data(graph)
            assert serving.as_of(day_before) is held  # not derived again
            assert serving.as_of("2023-06-01") is early
            replaced.append(weakref.ref(held))
            del held
            with EmbeddedStore(path) as fresh:
                assert _graph_data(graph) == _graph_data(fresh.snapshot())
                assert answers(serving) == answers(fresh)
        assert "property:乙物业" in graph and not graph.has_edge(
            "property:甲物业", "compound:景华社区.怡枫园")
        profiled.clear()
        then = answers(GraphView(serving.as_of("2024-01-01"), at="2024-01-01", base=serving))
        assert profiled == []  # the seed graph's profiles serve on with it
        with EmbeddedStore(path) as fresh:
            assert then == answers(GraphView(fresh.as_of("2024-01-01"), at="2024-01-01",
                                             base=fresh)) != answers(serving)
        with monkeypatch.context() as patched:
            patched.setattr(embedded, "LOGGED_CHANGES", 3)
            register.write_text(REGISTER.format(committee="有", firm="丙物业"),
                                encoding="utf-8")
            Service(uploads, personal=True).ingest([register], as_of="2024-07-31")
            assert "property:丙物业" in serving.snapshot() and serving.refreshed == "whole"
        del early
        assert [graph() for graph in replaced] == [None, None, None]  # freed, though frozen
        Service(uploads, personal=True).unload("source:台账.景华社区台账")
        assert "property:丙物业" not in serving.snapshot()
        assert serving.refreshed == "changes"


def test_a_month_of_uploads_keeps_the_graph_of_the_month_before(tmp_path):
    """Six streets upload their registers as of the same month's end, one by one, and the
    service follows each: the graphs between two of them are no date's, and are let go, so
    more uploads than graphs of dates kept still leave the graph of the month before."""
    from govgraph.graph.storage import base
    from govgraph.service.core import Service
    from tests.conftest import seed_batch

    path = tmp_path / "store.db"
    with EmbeddedStore(path) as serving, EmbeddedStore(path) as uploads:
        uploads.load(seed_batch())
        month_before = serving.snapshot()
        for street in range(base.AS_OF_CACHED + 2):
            register = tmp_path / f"街道{street}台账.csv"
            register.write_text(REGISTER.format(committee="有", firm=f"物业{street}"),
                                encoding="utf-8")
            Service(uploads, personal=True).ingest([register], as_of="2024-05-31")
            assert f"property:物业{street}" in serving.snapshot()
        assert serving.as_of("2024-05-30") is month_before
        assert len(serving._as_of_cache) == 1


def test_a_question_of_a_date_profiles_only_the_compounds_that_differ_then(tmp_path,
                                                                          profiled):
    """A street's register says 怡枫园 has an owners' committee and 甲物业 as of May, none and
    乙物业 as of June. Asked every question today, the service answers the same questions as
    of mid-May as a process that never asked anything, and profiles again only 怡枫园: every
    other compound reads the same then as now."""
    from govgraph.graph.storage.memory import GraphView
    from govgraph.service.core import Service
    from tests.conftest import seed_batch

    path = tmp_path / "store.db"
    register = tmp_path / "景华社区台账.csv"
    with EmbeddedStore(path) as store:
        store.load(seed_batch())
        for date, committee, firm in (("2024-05-31", "有", "甲物业"),
                                      ("2024-06-30", "无", "乙物业")):
            register.write_text(REGISTER.format(committee=committee, firm=firm),
                                encoding="utf-8")
            Service(store, personal=True).ingest([register], as_of=date)
    with EmbeddedStore(path) as serving, EmbeddedStore(path) as fresh:
        answers(serving)
        profiled.clear()
        then = answers(GraphView(serving.as_of("2024-06-15"), at="2024-06-15", base=serving))
        assert profiled == ["compound:景华社区.怡枫园"]
        assert then == answers(GraphView(fresh.as_of("2024-06-15"), at="2024-06-15", base=fresh))
        assert then != answers(serving)


def test_an_upload_profiles_again_only_the_compounds_it_changes(tmp_path, profiled):
    """A register names a new street of 福田区 with a new compound, and an owners' committee
    for 怡枫园. The service holding the seed graph then makes the profiles of those two
    compounds only: the street joining 福田区, or 怡枫园 changing, changes nothing the other
    compounds of 福田区 or of 景华社区 read. It answers as a process that never asked."""
    from govgraph.service.core import Service
    from tests.conftest import seed_batch

    path = tmp_path / "store.db"
    register = tmp_path / "福田区台账.csv"
    register.write_text("小区名称,所属社区,所属街道,所属区,所属市,业委会\n"
                        "怡枫园,景华社区,莲花街道,福田区,深圳市,有\n"
                        "新园,新社区,新街道,福田区,深圳市,无\n", encoding="utf-8")
    with EmbeddedStore(path) as serving, EmbeddedStore(path) as uploads:
        uploads.load(seed_batch())
        before = answers(serving)
        profiled.clear()
        Service(uploads, personal=True).ingest([register], as_of="2024-06-30")
        after = answers(serving)
        assert serving.refreshed == "changes"
        assert sorted(profiled) == ["compound:新社区.新园", "compound:景华社区.怡枫园"]
        with EmbeddedStore(path) as fresh:
            assert after == answers(fresh) != before


@pytest.mark.parametrize("prepared", [True, False], ids=["prepared", "not prepared"])
def test_a_process_started_after_the_uploads_answers_every_date_as_the_statements_say(
        tmp_path, monkeypatch, prepared):
    """A street's register month by month, corrected, joined by another source, a month
    unloaded, a month before filled in late; after each, a process started anew asks as of
    every date around the editions. Where some past revision of the file had that date's
    editions speaking, it takes the graph it holds back by what the writes since replaced,
    reading no statement: only the dates of the month filled in late are derived. Every graph
    is the one every statement kept derives at that date. Prepared as the service starts, it
    takes back the graphs of the last few revisions at once."""
    from govgraph.graph.editions import Timeline, derive_graph
    from govgraph.graph.storage.memory import GraphView
    from tests.integration.test_living_data import export, load, register, report, yifengyuan

    path = tmp_path / "台账.csv"
    other = ["深业花园", "福中社区", "莲花街道", "福田区", "深圳市", "800", "有", "丙物业"]
    steps = [
        lambda s: load(s, report(tmp_path / "report.yaml", "2021-03-01", 1000, firm="丁物业")),
        lambda s: load(s, register(path, yifengyuan("1100", "有", "甲物业"), other),
                       as_of="2024-05-31"),
        lambda s: load(s, register(path, yifengyuan("1200", "无", "乙物业")),
                       as_of="2024-06-30"),  # 深业花园's row gone, 怡枫园's firm changed
        lambda s: load(s, register(path, yifengyuan("1250", "无", "乙物业")),
                       as_of="2024-06-30"),  # the same edition, corrected
        lambda s: load(s, register(tmp_path / "b" / "其他.csv", yifengyuan("", "有", "")),
                       as_of="2024-07-01"),
        lambda s: Service(s, personal=True).unload("台账", "2024-06-30"),
        lambda s: load(s, register(path, yifengyuan("1000", "无", "")), as_of="2024-04-30"),
    ]
    dates = ["2021-02-28", "2021-03-01", "2024-04-30", "2024-05-30", "2024-05-31",
             "2024-06-15", "2024-06-30", "2024-07-01"]
    derived = []
    store_path = tmp_path / "store.db"
    for number, step in enumerate(steps):
        with EmbeddedStore(store_path) as writer:
            step(writer)
            statements = {row.uid: row for row in writer.all_statements()}
            editions = writer.editions()
        for date in dates:
            with EmbeddedStore(store_path) as fresh:
                if prepared:
                    fresh.prepare()
                read = []
                monkeypatch.setattr(fresh, "statements", lambda uids, read=read: read.append(
                    uids) or EmbeddedStore.statements(fresh, uids))
                then = export(GraphView(fresh.as_of(date)))
                expected = derive_graph(statements, Timeline(editions, date))
                assert then == export(GraphView(expected)), (number, date)
                derived += [(number, date)] if read else []
    assert derived == [(6, "2024-04-30"), (6, "2024-05-30")]


def test_a_revision_an_earlier_govgraph_wrote_cuts_the_way_back(tmp_path):
    """May's register, then another source loaded by a govgraph that kept no replaced rows
    (as before 2026-12-02), then June's: a process started after answers every date as the
    statements say. It cannot take its graph back past that revision: there, it derives."""
    import sqlite3

    from govgraph.graph.editions import Timeline, derive_graph
    from govgraph.graph.storage.memory import GraphView
    from tests.integration.test_living_data import export, load, register, yifengyuan

    path, store_path = tmp_path / "台账.csv", tmp_path / "store.db"
    other = ["深业花园", "福中社区", "莲花街道", "福田区", "深圳市", "800", "有", "戊物业"]
    with EmbeddedStore(store_path) as writer:
        load(writer, register(path, yifengyuan("1100", "有", "甲物业")), as_of="2024-05-31")
        load(writer, register(tmp_path / "b" / "乙源.csv", other), as_of="2024-01-31")
        revision = writer.revision()
    with sqlite3.connect(store_path) as db:  # what that govgraph left: no rows replaced
        db.execute("DELETE FROM undo WHERE revision = ?", (revision,))
        db.execute("UPDATE meta SET value = ? WHERE key = 'undo_through'", (revision - 1,))
    db.close()
    with EmbeddedStore(store_path) as writer:
        load(writer, register(path, yifengyuan("1200", "无", "乙物业")), as_of="2024-06-30")
        statements = {row.uid: row for row in writer.all_statements()}
        editions = writer.editions()
    for date in ("2024-01-30", "2024-04-30", "2024-05-31", "2024-06-15"):
        with EmbeddedStore(store_path) as fresh:
            expected = derive_graph(statements, Timeline(editions, date))
            assert export(GraphView(fresh.as_of(date))) == export(GraphView(expected)), date
