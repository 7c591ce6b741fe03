"""What only the embedded store does: one file, followed across processes and reopenings."""

import pytest

from govgraph.graph.storage import StoreUnavailable
from govgraph.graph.storage.embedded import EmbeddedStore
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
