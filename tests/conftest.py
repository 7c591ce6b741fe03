"""Shared fixtures: a fresh embedded store, the seed cases, and running the real CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from graph.storage.embedded import EmbeddedStore
from service.cli import app

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


def seed_batch():
    from loaders import input_files, read_file
    from loaders.assemble import assemble

    files, _ = input_files([CASES])
    return assemble([read_file(f) for f in files], lambda _: {})


@pytest.fixture(scope="session")
def neo4j_settings():
    """A Neo4j to test against: the server NEO4J_URI names, else a testcontainers Neo4j where a
    Docker engine answers; otherwise the Neo4j runs are skipped, saying why."""
    import os

    from graph.storage.neo4j import Neo4jSettings

    if os.environ.get("NEO4J_URI"):
        yield Neo4jSettings()
        return
    try:
        import docker

        docker.from_env().ping()
    except Exception as error:  # any failure to reach an engine means: no Docker here
        pytest.skip(f"Neo4j store not tested: NEO4J_URI is not set and no Docker engine "
                    f"answers ({type(error).__name__}: {error})")
    from testcontainers.community.neo4j import Neo4jContainer
    from testcontainers.core.config import testcontainers_config

    testcontainers_config.timeout = max(testcontainers_config.timeout, 300)  # slow CI start-up
    with Neo4jContainer("neo4j:5.26", password="govgraph-tests") as container:
        yield Neo4jSettings(uri=container.get_connection_url(), user="neo4j",
                            password="govgraph-tests")


STORES = ["embedded", "neo4j"]


@pytest.fixture
def open_empty_store(request, tmp_path):
    """Opens an empty store of a backend by name (the Neo4j database is emptied first)."""
    opened = []

    def open_store(backend: str):
        if backend == "embedded":
            store = EmbeddedStore(tmp_path / f"store{len(opened)}.db")
        else:
            from graph.storage.neo4j import Neo4jStore

            store = Neo4jStore(request.getfixturevalue("neo4j_settings"))
            store.delete_everything()
        opened.append(store)
        return store

    yield open_store
    for store in opened:
        store.close()
