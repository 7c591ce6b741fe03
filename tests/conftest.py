"""Shared fixtures: a fresh embedded store, the seed cases, and running the real CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner

from govgraph.graph.storage import GraphStore
from govgraph.graph.storage.embedded import EmbeddedStore
from govgraph.service.cli import app

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "data" / "cases"
REPORTS = ROOT / "data" / "reports"


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


@pytest.fixture
def store(store_path: Path):
    with EmbeddedStore(store_path) as opened:
        yield opened


class Cli:
    """Runs `govgraph` in-process against one store file, as a user would type it."""

    def __init__(self, store_path: Path):
        self.store_path = store_path
        self.runner = CliRunner()

    def __call__(self, *args: str, ok: bool = True) -> Any:
        result = self.runner.invoke(app, ["--store", str(self.store_path), *args])
        if ok:
            assert result.exit_code == 0, result.output
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json").stdout)


@pytest.fixture
def cli(store_path: Path) -> Cli:
    return Cli(store_path)


SEED_DATE = "2024-01-01"  # the date the seed reports without one are loaded as of


def seed_batch():
    from govgraph.loaders import input_files, read_file
    from govgraph.loaders.assemble import assemble

    files, _ = input_files([CASES])
    return assemble([read_file(f) for f in files], lambda _: {}, SEED_DATE)


def stated(batch: Any) -> SimpleNamespace:
    """What a batch states, by uid (``.nodes``, ``.edges``), as a store holding only it shows."""
    from govgraph.graph.algorithms import edge_of, node_of
    from govgraph.graph.editions import Timeline, derive_graph, statements_of

    graph = derive_graph(statements_of(batch), Timeline(p.edition for p in batch.editions))
    return SimpleNamespace(nodes={u: node_of(graph, u) for u in graph},
                           edges={e.uid: e for e in (edge_of(graph, *key)
                                                     for key in graph.edges(keys=True))})


def _neo4j_reachable() -> bool:
    """Whether a real Neo4j can be had: NEO4J_URI names one, or a Docker engine answers."""
    if os.environ.get("NEO4J_URI"):
        return True
    try:
        import docker

        docker.from_env(timeout=5).ping()
    except Exception:  # any failure to reach an engine means: no Docker here
        return False
    return True


# The Neo4j store runs on every Bolt server there is: ArcadeDB always (the tests start it), and
# Neo4j itself where NEO4J_URI or a Docker engine provides one.
BOLT_SERVERS = ["arcadedb", *(["neo4j"] if _neo4j_reachable() else [])]
WRITE_STORES = ["embedded", *BOLT_SERVERS]
# memory: the graph derived as of a date, read through a GraphView (how as-of questions are
# answered, and the fake store the service tests use)
STORES = [*WRITE_STORES, "memory"]


@pytest.fixture(scope="session")
def arcadedb_settings():
    """ArcadeDB's Bolt server, started once for the session (tests/bolt_server.py)."""
    from govgraph.graph.storage.neo4j import Neo4jSettings
    from tests.bolt_server import BoltServer

    server = BoltServer()
    env = server.environment
    yield Neo4jSettings(uri=env["NEO4J_URI"], user=env["NEO4J_USER"],
                        password=env["NEO4J_PASSWORD"], database=env["NEO4J_DATABASE"])
    server.stop()


@pytest.fixture(scope="session")
def neo4j_settings():
    """Neo4j itself: the server NEO4J_URI names, else a testcontainers Neo4j."""
    from govgraph.graph.storage.neo4j import Neo4jSettings

    if os.environ.get("NEO4J_URI"):
        yield Neo4jSettings()
        return
    from testcontainers.community.neo4j import Neo4jContainer
    from testcontainers.core.config import testcontainers_config

    testcontainers_config.timeout = max(testcontainers_config.timeout, 300)  # slow CI start-up
    with Neo4jContainer("neo4j:5.26", password="govgraph-tests") as container:
        yield Neo4jSettings(uri=container.get_connection_url(), user="neo4j",
                            password="govgraph-tests")


@pytest.fixture(params=STORES, scope="module")
def seeded_store(request, tmp_path_factory):
    """Each store in turn, with the seed cases loaded (one per test module)."""
    folder = tmp_path_factory.mktemp("seeded")
    if request.param == "memory":
        with EmbeddedStore(folder / "store.db") as base:
            base.load(seed_batch())
            yield as_of_view(base, "9999-12-31")
        return
    opened = open_empty(request, request.param, folder / "store.db")
    summary = opened.load(seed_batch())
    assert summary.totals()["created"] > 400
    yield opened
    opened.close()


def as_of_view(store: GraphStore, date: str) -> GraphStore:
    """The store's graph as of ``date``, derived from its statements, as a read-only store."""
    from govgraph.graph.storage.memory import GraphView

    return GraphView(store.as_of(date), at=date, base=store)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The embedded store with the seed cases: what every store must answer alike."""
    with EmbeddedStore(tmp_path_factory.mktemp("reference") / "store.db") as opened:
        opened.load(seed_batch())
        yield opened


def open_empty(request: pytest.FixtureRequest, backend: str, path: Path) -> GraphStore:
    """An empty store of ``backend`` (a file at ``path``; a Bolt server's database, emptied).
    A Bolt server has one database: one store of it at a time."""
    if backend == "embedded":
        return EmbeddedStore(path)
    from govgraph.graph.storage.neo4j import Neo4jStore

    store = Neo4jStore(request.getfixturevalue(f"{backend}_settings"))
    store.delete_everything()
    return store


@pytest.fixture
def profiled(monkeypatch):
    """The uids of the compounds a store profiles from here on, in order."""
    from govgraph.graph.storage import base

    made: list[str] = []
    profile = base.compound_profiles

    def counted(graph, scope, facts, only=None):
        made.extend(only or [])
        return profile(graph, scope, facts, only=only)

    monkeypatch.setattr(base, "compound_profiles", counted)
    return made
