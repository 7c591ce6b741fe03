"""Faults a real load meets: a full disk, a store file made read-only, a connection to a Bolt
server dropped mid-write. The store is never corrupted, the error says what happened, a retry works.
(A load killed with SIGKILL is in test_kill_during_load.py.)"""

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from govgraph.graph.storage.embedded import EmbeddedStore
from tests.conftest import BOLT_SERVERS, CASES, ROOT, seed_batch
from tests.integration.test_kill_during_load import write_register


def govgraph(store: Path, *args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-m", "govgraph", "--store", str(store),
                           *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def seeded(tmp_path: Path) -> tuple[Path, object]:
    store = tmp_path / "store.db"
    assert govgraph(store, "load", str(CASES)).returncode == 0
    with EmbeddedStore(store) as opened:
        return store, opened.stats()


def intact(store: Path, expected: object) -> None:
    assert sqlite3.connect(store).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with EmbeddedStore(store) as opened:
        assert opened.stats() == expected


@pytest.mark.skipif(not shutil.which("prlimit"), reason="prlimit (util-linux) is not installed")
def test_a_full_disk_fails_the_load_clearly_and_a_retry_completes(tmp_path):
    store, before = seeded(tmp_path)
    register = tmp_path / "registers"
    write_register(register)
    # The load may not grow any file beyond 64 KiB past the store's size: the disk is "full".
    limit = store.stat().st_size + 64 * 1024
    failed = govgraph(store, "load", str(register), prefix=("prlimit", f"--fsize={limit}"))
    assert failed.returncode == 3, failed.stderr
    assert "cannot write to" in failed.stderr and ("full" in failed.stderr
                                                   or "I/O" in failed.stderr), failed.stderr
    intact(store, before)
    assert govgraph(store, "load", str(register)).returncode == 0
    with EmbeddedStore(store) as opened:
        assert opened.stats().nodes["Compound"] > before.nodes["Compound"]


def make_read_only(path: Path) -> None:
    if os.geteuid() != 0:
        path.chmod(0o444)
        return
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
    if done.returncode != 0:  # root ignores file modes: only the immutable flag stops it
        pytest.skip(f"cannot make a file read-only for root here: {done.stderr.strip()}")


def make_writable(path: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(path)], check=True)
    path.chmod(0o644)


def test_a_read_only_store_refuses_writes_clearly_and_stays_readable(tmp_path):
    store, before = seeded(tmp_path)
    extra = tmp_path / "extra.csv"
    extra.write_text("小区名称,所属社区,所属街道,所属区\n新苑,久安社区,凤山街道,离石区\n",
                     encoding="utf-8")
    make_read_only(store)
    try:
        failed = govgraph(store, "load", str(extra))
        assert failed.returncode == 3 and "readonly" in failed.stderr.replace("-", ""), \
            failed.stderr
        shown = govgraph(store, "stats", "--json")
        assert shown.returncode == 0, shown.stderr
    finally:
        make_writable(store)
    intact(store, before)
    assert govgraph(store, "load", str(extra)).returncode == 0


def test_a_store_written_by_an_earlier_govgraph_opens_read_only_and_takes_writes(tmp_path):
    """A store file from before the table of replaced rows (undo): read-only, it opens and
    answers; writable, the next load adds the table."""
    store, before = seeded(tmp_path)
    with sqlite3.connect(store) as db:  # as the govgraph of 2026-12-01 left it
        db.execute("DROP TABLE undo")
        db.execute("DELETE FROM meta WHERE key IN ('undo_through', 'undo_from')")
    db.close()
    make_read_only(store)
    try:
        shown = govgraph(store, "stats", "--json")
        assert shown.returncode == 0, shown.stderr
    finally:
        make_writable(store)
    intact(store, before)
    extra = tmp_path / "extra.csv"
    extra.write_text("小区名称,所属社区,所属街道,所属区\n新苑,久安社区,凤山街道,离石区\n",
                     encoding="utf-8")
    assert govgraph(store, "load", str(extra)).returncode == 0
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT COUNT(*) FROM undo").fetchone()[0] > 0
    db.close()


class DroppingProxy:
    """A TCP proxy to a Bolt server that can cut every connection, as a failing network does."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.forwarded = 0
        self.open = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self.forwarded += len(data)
                sink.sendall(data)
        except OSError:
            pass

    def drop(self, refuse: bool = True) -> None:
        self.open = not refuse
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        self.sockets.clear()


@pytest.mark.parametrize("server", BOLT_SERVERS)
def test_a_bolt_connection_dropped_mid_write_leaves_nothing_half_written(request, server):
    from govgraph.graph.storage import StoreError
    from govgraph.graph.storage.neo4j import Neo4jSettings, Neo4jStore

    settings: Neo4jSettings = request.getfixturevalue(f"{server}_settings")
    host, port = settings.uri.split("://", 1)[1].rsplit(":", 1)
    proxy = DroppingProxy(host, int(port))
    through = settings.model_copy(update={"uri": f"bolt://127.0.0.1:{proxy.port}",
                                          "retry_seconds": 3})
    store = Neo4jStore(through)
    store.delete_everything()
    batch = seed_batch()
    sent = proxy.forwarded
    timer = threading.Timer(0.05, proxy.drop)  # cut while the write transaction is running
    timer.start()
    with pytest.raises(StoreError):
        store.load(batch)
    proxy.drop(refuse=False)
    assert proxy.forwarded > sent
    assert sum(store.stats().nodes.values()) == 0  # the transaction was never committed
    summary = store.load(batch)
    assert summary.totals()["created"] == len(batch.node_uids()) + len(batch.edge_uids())
    store.close()
