"""A real Bolt server for the Neo4j store: ArcadeDB, from PyPI (``arcadedb-embedded``, which
ships the server, its Bolt plugin and its own Java), on free loopback ports.

The tests start one per session (tests/conftest.py). By hand, for the CLI or the service:

    .venv/bin/python -m tests.bolt_server     # prints the NEO4J_* settings; Ctrl-C stops it
"""

from __future__ import annotations

import importlib.util
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PASSWORD = "govgraph-tests"  # ArcadeDB wants 8 characters or more, as Neo4j 5 does
DATABASE = "govgraph"
READY = "ArcadeDB Server started"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _package() -> Path:
    spec = importlib.util.find_spec("arcadedb_embedded")
    if spec is None or spec.origin is None:
        raise RuntimeError("arcadedb-embedded is not installed: run bash scripts/setup.sh --dev")
    return Path(spec.origin).parent


class BoltServer:
    """One ArcadeDB server process with a fresh database, stopped (and its files removed) by
    ``stop``. ``heap`` is the JVM's maximum heap: 1 GB holds the tests' graphs; the benchmarks
    give a city more. ``max_message_mb`` bounds one Bolt message (ArcadeDB's default, 16 MB): a
    city's first load sends all its editions in one message of about 22 MB, which ArcadeDB
    refuses while the driver waits for an answer for ever, so the benchmarks raise it."""

    def __init__(self, timeout: float = 180, heap: str = "1g", max_message_mb: int = 16):
        package = _package()
        self.root = Path(tempfile.mkdtemp(prefix="govgraph-arcadedb-"))
        self.port = _free_port()
        self.log = self.root / "server.log"
        properties = {
            "arcadedb.server.rootPath": self.root,
            "arcadedb.server.rootPassword": PASSWORD,
            "arcadedb.server.defaultDatabases": f"{DATABASE}[root]",
            "arcadedb.server.httpIncomingHost": "127.0.0.1",
            "arcadedb.server.httpIncomingPort": _free_port(),
            "arcadedb.server.plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
            "arcadedb.bolt.host": "127.0.0.1",
            "arcadedb.bolt.port": self.port,
            "arcadedb.bolt.maxMessageSize": max_message_mb * 2**20,
        }
        command = [str(package / "jre" / "bin" / "java"), f"-Xmx{heap}",
                   *(f"-D{k}={v}" for k, v in properties.items()),
                   "-cp", f"{package / 'jars'}/*", "com.arcadedb.server.ArcadeDBServer"]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, cwd=self.root)
        deadline = time.monotonic() + timeout
        while READY not in self.log.read_text(errors="replace"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                tail = self.log.read_text(errors="replace")[-3000:]
                self.stop()
                raise RuntimeError(f"ArcadeDB did not start (exit {self.process.returncode}):\n"
                                   f"{tail}")
            time.sleep(0.2)

    @property
    def environment(self) -> dict[str, str]:
        """The NEO4J_* settings the Neo4j store reads."""
        return {"NEO4J_URI": f"bolt://127.0.0.1:{self.port}", "NEO4J_USER": "root",
                "NEO4J_PASSWORD": PASSWORD, "NEO4J_DATABASE": DATABASE}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def main() -> None:  # pragma: no cover - by hand
    server = BoltServer()
    print("ArcadeDB's Bolt server is up; for govgraph:")
    for key, value in server.environment.items():
        print(f"export {key}={value}")
    print(f"export GOVGRAPH_STORE={server.environment['NEO4J_URI']}")
    try:
        while server.process.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
