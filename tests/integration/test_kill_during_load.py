"""A real `govgraph load` killed by SIGKILL mid-write leaves the store as it was: a first load,
and a replacement of an edition, on the embedded store and on a Bolt server."""

import csv
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from govgraph.graph.storage import GraphStore
from govgraph.graph.storage.embedded import EmbeddedStore
from govgraph.graph.storage.neo4j import Neo4jStore
from tests.conftest import BOLT_SERVERS, CASES, ROOT

ROWS = 20_000


def write_register(folder: Path, rows: int = ROWS, households: int = 100) -> None:
    """A district's registers, one per street (``rows`` compounds in all): a load long enough
    to be interrupted."""
    folder.mkdir(exist_ok=True)
    for street in range(rows // 2000):
        with (folder / f"测试街道{street}.csv").open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["小区名称", "所属社区", "所属街道", "所属区", "户数", "物业公司"])
            for i in range(street * 2000, (street + 1) * 2000):
                writer.writerow([f"测试小区{i}", f"测试社区{i // 20}", f"测试街道{street}",
                                 "测试区", households + i % 500, f"测试物业{i % 300}"])


def govgraph(store: Path | str, *args: str, env: dict[str, str] | None = None
             ) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "govgraph", "--store", str(store), *args],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, **(env or {})})


def households(store: GraphStore) -> dict[str, int]:
    return {n.uid: n.properties["households"]["value"] for n in store.nodes_of_type("Compound")
            if "households" in n.properties}


def test_sigkill_mid_replacement_keeps_the_previous_edition(tmp_path):
    store_path = tmp_path / "store.db"
    register = tmp_path / "registers"
    write_register(register)
    assert govgraph(store_path, "load", str(register), "--as-of", "2024-05-31").wait(600) == 0
    with EmbeddedStore(store_path) as store:
        before, editions = households(store), store.editions()

    write_register(register, households=1000)  # the same edition, corrected
    process = govgraph(store_path, "load", str(register), "--as-of", "2024-05-31")
    journal = Path(f"{store_path}-journal")
    deadline = time.monotonic() + 300
    while not journal.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    assert process.poll() is None, "the load finished before it could be killed mid-write"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)

    with EmbeddedStore(store_path) as store:
        assert households(store) == before and store.editions() == editions
    assert govgraph(store_path, "load", str(register), "--as-of", "2024-05-31").wait(600) == 0
    with EmbeddedStore(store_path) as store:
        assert households(store) == {uid: n + 900 for uid, n in before.items()}


@pytest.mark.parametrize("server", BOLT_SERVERS)
def test_sigkill_mid_replacement_on_a_bolt_server_keeps_the_previous_edition(
        request, server, tmp_path):
    """The server rolls back the transaction of a client that died: killed once its reading
    and planning are done (timed by a dry run), the load leaves the previous edition."""
    settings = request.getfixturevalue(f"{server}_settings")
    env = {"NEO4J_USER": settings.user, "NEO4J_PASSWORD": settings.password,
           "NEO4J_DATABASE": settings.database}
    with Neo4jStore(settings) as store:
        store.delete_everything()
    register = tmp_path / "registers"
    write_register(register, rows=4000)
    load = ("load", str(register), "--as-of", "2024-05-31")
    assert govgraph(settings.uri, *load, env=env).wait(600) == 0
    with Neo4jStore(settings) as store:
        before, editions = households(store), store.editions()

    original = tmp_path / "original"
    shutil.copytree(register, original)
    write_register(register, rows=4000, households=1000)
    started = time.monotonic()
    assert govgraph(settings.uri, *load, "--dry-run", env=env).wait(600) == 0
    planning = time.monotonic() - started
    after = {uid: n + 900 for uid, n in before.items()}
    # Killed once its planning is done: mid-write, or (on a fast server) just after the commit or
    # even after the load ended. Either way the store holds one edition whole; only a kill before
    # the commit proves the rollback, so the kill comes earlier until one does.
    for share in (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4):
        process = govgraph(settings.uri, *load, env=env)
        time.sleep(planning * share)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=30) in (0, -signal.SIGKILL)
        with Neo4jStore(settings) as store:
            now = households(store)
            assert now in (before, after), "a killed load left part of an edition"
            if now == before:
                assert store.editions() == editions
                break
        # committed before the kill: put the previous edition back and kill earlier
        assert govgraph(settings.uri, "load", str(original), "--as-of", "2024-05-31",
                        env=env).wait(600) == 0
        with Neo4jStore(settings) as store:
            assert households(store) == before
            editions = store.editions()
    else:
        pytest.fail("every kill came after the commit: the rollback was never exercised")
    assert govgraph(settings.uri, *load, env=env).wait(600) == 0
    with Neo4jStore(settings) as store:
        assert households(store) == after


def test_sigkill_mid_write_keeps_the_previous_content_and_a_retry_completes(tmp_path):
    store_path = tmp_path / "store.db"
    assert govgraph(store_path, "load", str(CASES)).wait(timeout=120) == 0
    with EmbeddedStore(store_path) as store:
        before = store.stats()
    register = tmp_path / "registers"
    write_register(register)

    process = govgraph(store_path, "load", str(register))
    journal = Path(f"{store_path}-journal")
    deadline = time.monotonic() + 300
    while not journal.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    assert process.poll() is None, "the load finished before it could be killed mid-write"
    assert journal.exists(), "the load never started writing"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    assert sqlite3.connect(store_path).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with EmbeddedStore(store_path) as store:
        assert store.stats() == before

    assert govgraph(store_path, "load", str(register)).wait(timeout=600) == 0
    with EmbeddedStore(store_path) as store:
        after = store.stats()
    assert after.nodes["Compound"] == before.nodes["Compound"] + ROWS
    assert after.nodes["PartyOrganization"] == before.nodes["PartyOrganization"]
