"""The contract of writing, on every store that writes: atomic, idempotent loading with
provenance, a uid stated as something else and dangling edges refused whole, dry runs, look-ups
and search. (Editions over time: test_living_data.py.)"""

import json

import pytest

from govgraph.graph.algorithms import edge_of
from govgraph.graph.model import (
    Batch,
    Citation,
    Edge,
    Edition,
    EditionBatch,
    Node,
    edge_uid,
)
from govgraph.graph.storage import ConflictingFacts, DanglingEdges, NodeNotFound
from govgraph.graph.storage.embedded import EmbeddedStore
from govgraph.graph.storage.neo4j import Neo4jStore
from govgraph.loaders.registers import segment
from govgraph.service.core import Service
from tests.conftest import WRITE_STORES, open_empty


def ask(store):
    return Service(store, personal=True)


@pytest.fixture(params=WRITE_STORES)
def store(request, tmp_path):
    opened = open_empty(request, request.param, tmp_path / "store.db")
    yield opened
    opened.close()


def street(source="source:a", **properties):
    return Node(uid="street:福田区.莲花街道", type="StreetOffice", name="莲花街道",
                properties=properties, citations=[Citation(source=source, evidence="莲花街道")])


def community(source="source:a"):
    return Node(uid="community:莲花街道.景华社区", type="Community", name="景华社区",
                citations=[Citation(source=source)])


def part_of(source="source:a"):
    return Edge(uid="c-PART_OF->s", type="PART_OF", source="community:莲花街道.景华社区",
                target="street:福田区.莲花街道", citations=[Citation(source=source)])


def batch(*items, as_of="2024-01-01"):
    """The items as editions of the sources they cite, as of ``as_of``."""
    editions: dict[str, EditionBatch] = {}
    for item in items:
        source = item.citations[0].source
        part = editions.setdefault(source, EditionBatch(
            edition=Edition(source=source, as_of=as_of, kind="case")))
        (part.nodes if isinstance(item, Node) else part.edges)[item.uid] = item
    return Batch(editions=list(editions.values()))


def test_loading_twice_changes_nothing(store):
    first = store.load(batch(street(kind="街道"), community(), part_of()))
    assert first.totals() == {"created": 3, "updated": 0, "removed": 0, "unchanged": 0}
    again = store.load(batch(street(kind="街道"), community(), part_of()))
    assert again.totals() == {"created": 0, "updated": 0, "removed": 0, "unchanged": 3}
    assert store.stats().model_dump() == {"nodes": {"Community": 1, "StreetOffice": 1},
                                          "edges": {"PART_OF": 1}}


def test_an_edition_given_twice_in_one_batch_is_its_last_and_counted_as_such(store):
    """The second of one source and date replaces the first within the load: what only the
    first stated is neither written nor counted, with or without anything unchanged."""
    first = batch(street(kind="街道"), community(), part_of())
    second = batch(street(kind="街道"))
    summary = store.load(Batch(editions=[*first.editions, *second.editions]))
    assert summary.totals() == {"created": 1, "updated": 0, "removed": 0, "unchanged": 0}
    assert store.stats().model_dump() == {"nodes": {"StreetOffice": 1}, "edges": {}}
    again = store.load(Batch(editions=[*first.editions, *second.editions]))
    assert again.totals() == {"created": 0, "updated": 0, "removed": 0, "unchanged": 1}


def test_a_second_source_of_the_same_fact_is_added_not_duplicated(store):
    store.load(batch(street(kind="街道"), community(), part_of()))
    summary = store.load(batch(street("source:b"), community("source:b"), part_of("source:b")))
    assert summary.totals()["updated"] == 3
    assert store.get_node("street:福田区.莲花街道").sources == ["source:a", "source:b"]
    assert store.get_node("street:福田区.莲花街道").properties == {"kind": "街道"}
    (edge,) = store.edges_of("community:莲花街道.景华社区")
    assert edge.sources == ["source:a", "source:b"]


def test_edges_of_one_type_between_two_nodes_keep_their_own_uids(store):
    """A graph holds most edges by their type's name (algorithms.edge_key): an edge with the
    uid its type and ends make, one with a uid of its own, and one whose uid is a type's name,
    all between the same two nodes, stay three, each with its uid, and one goes by its uid."""
    c, s = "community:莲花街道.景华社区", "street:福田区.莲花街道"
    derived, own, typed = (
        Edge(uid=uid, type="PART_OF", source=c, target=s, citations=[Citation(source=source)])
        for uid, source in ((edge_uid("PART_OF", c, s), "source:b"), ("PART_OF.2", "source:a"),
                            ("SERVES", "source:a")))
    store.load(batch(street(), community(), derived, own, typed, community("source:b")))
    uids = sorted([derived.uid, own.uid, typed.uid])
    assert sorted(e.uid for e in store.edges_of(c)) == uids
    assert sorted(link["key"] for link in json.loads(ask(store).export("json").data)["links"]
                  ) == uids
    ask(store).unload("source:b")
    assert sorted(e.uid for e in store.edges_of(c)) == [own.uid, typed.uid]
    graph = store.whole_graph()
    assert sorted(edge_of(graph, *key).uid for key in graph.edges(keys=True)) == \
        [own.uid, typed.uid]


def test_an_edge_uid_between_other_ends_writes_nothing_of_the_batch(store):
    store.load(batch(street(kind="街道"), community(), part_of()))
    other_ends = part_of("source:b").model_copy(update={"source": "street:福田区.莲花街道",
                                                        "target": "community:莲花街道.景华社区"})
    with pytest.raises(ConflictingFacts, match="c-PART_OF->s"):
        store.load(batch(street("source:b", kind="镇"), community("source:b"), other_ends))
    assert store.get_node("street:福田区.莲花街道").sources == ["source:a"]
    assert store.get_node("street:福田区.莲花街道").properties == {"kind": "街道"}


def test_edges_need_both_ends(store):
    with pytest.raises(DanglingEdges):
        store.load(batch(community(), part_of()))
    assert store.stats().nodes == {}


def test_a_dry_run_reports_and_writes_nothing(store):
    summary = store.load(batch(street(), community(), part_of()), dry_run=True)
    assert summary.dry_run and summary.totals()["created"] == 3
    assert store.stats().nodes == {}


def test_unknown_uid(store):
    with pytest.raises(NodeNotFound, match="street:无"):
        store.get_node("street:无")


def test_search_by_chinese_pinyin_and_initials(store):
    store.load(batch(street(), community()))
    for text in ("景华", "jinghua", "JingHua", "jhsq", "jing hua"):
        assert [n.uid for n in ask(store).search(text)[0]] == ["community:莲花街道.景华社区"], text
    assert ask(store).search("社区", types=["StreetOffice"]) == ([], 0)
    assert ask(store).search("%") == ([], 0) and ask(store).search("") == ([], 0)


def test_a_large_writes_search_keys_come_from_a_second_process_alike(store, monkeypatch):
    """A write of many names has their search keys computed by a second process while it
    derives (graph.search.keys_ahead): they find what keys computed here find."""
    import govgraph.graph.search as search

    def not_here(text):
        raise AssertionError(f"the key of {text} computed here, not by the second process")

    def no_second_process():
        raise AssertionError("a second process started for a dry run, which writes no key")

    monkeypatch.setattr(search, "AHEAD_FROM", 1)  # as if these two names were a city's
    with monkeypatch.context() as dry:
        dry.setattr(search, "second_process", no_second_process)
        store.load(batch(street(aliases=["荷花街道办"]), community()), dry_run=True)
    monkeypatch.setattr(search, "_full_and_initials", not_here)
    store.load(batch(street(aliases=["荷花街道办"]), community()))
    monkeypatch.undo()
    for text in ("景华", "jinghua", "jhsq"):
        assert [n.uid for n in ask(store).search(text)[0]] == ["community:莲花街道.景华社区"], text
    assert [n.uid for n in ask(store).search("hehua")[0]] == ["street:福田区.莲花街道"]


def test_search_ranks_exact_names_then_names_starting_with_the_text(store):
    names = ["怡|枫", "怡枫", "怡", "Yi 枫"]
    places = [(compound(segment(n)).model_copy(update={"name": n}), in_community(segment(n)))
              for n in names]  # uids as loaders make them of names
    store.load(batch(street(), community(), part_of(), *(item for pair in places
                                                         for item in pair)))
    assert [n.name for n in ask(store).search("怡")[0]] == ["怡", "怡枫", "怡|枫"]
    assert [n.name for n in ask(store).search("yi")[0]] == ["Yi 枫", "怡", "怡枫", "怡|枫"]
    assert [n.name for n in ask(store).search("yi", limit=2, offset=1)[0]] == ["怡", "怡枫"]


def compound(name, source="source:a"):
    return Node(uid=f"compound:景华社区.{name}", type="Compound", name=name,
                citations=[Citation(source=source)])


def in_community(name, source="source:a"):
    return Edge(uid=f"{name}-PART_OF->c", type="PART_OF", source=f"compound:景华社区.{name}",
                target="community:莲花街道.景华社区", citations=[Citation(source=source)])


@pytest.mark.parametrize("backend", WRITE_STORES)
def test_answers_follow_a_write_made_through_another_connection(request, tmp_path, backend):
    """What one process keeps (answers, profiles, the graph held) follows what another writes:
    every write gives the store a new revision."""
    asking = open_empty(request, backend, tmp_path / "store.db")
    writing = (EmbeddedStore(tmp_path / "store.db") if backend == "embedded"
               else Neo4jStore(request.getfixturevalue(f"{backend}_settings")))
    try:
        writing.load(batch(street(), community(), part_of(), compound("怡枫园"),
                           in_community("怡枫园")))
        first = asking.revision()
        checked = [ask(asking).gaps("compound-without-owners-committee", scope).compounds_checked
                   for scope in (None, "street:福田区.莲花街道")]
        found = [[n.name for n in ask(asking).search(text)[0]] for text in ("xiaoqu", "yfy")]
        writing.load(batch(compound("新小区", "source:b"), in_community("新小区", "source:b")))
        assert asking.revision() not in (None, first)
        assert [ask(asking).gaps("troika-incomplete", scope).compounds_checked
                for scope in (None, "street:福田区.莲花街道")] == [2, 2]
        assert checked == [1, 1]
        assert found == [[], ["怡枫园"]]
        assert ask(asking).search("xiaoqu")[0][0].name == "新小区"
        writing.unload("source:b")
        assert ask(asking).search("xiaoqu") == ([], 0)
    finally:
        writing.close()
        asking.close()
