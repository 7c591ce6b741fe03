"""A real `govgraph load` killed by SIGKILL mid-write leaves the store as it was."""

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from govgraph.graph.storage.embedded import EmbeddedStore
from tests.conftest import CASES, ROOT

ROWS = 20_000


def write_register(folder: Path) -> None:
    """A district's registers, one per street (ROWS compounds in all): a load long enough to
    be interrupted."""
    folder.mkdir()
    for street in range(ROWS // 2000):
        with (folder / f"测试街道{street}.csv").open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["小区名称", "所属社区", "所属街道", "所属区", "户数", "物业公司"])
            for i in range(street * 2000, (street + 1) * 2000):
                writer.writerow([f"测试小区{i}", f"测试社区{i // 20}", f"测试街道{street}",
                                 "测试区", 100 + i % 500, f"测试物业{i % 300}"])


def govgraph(store: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "govgraph", "--store", str(store), *args],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


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
