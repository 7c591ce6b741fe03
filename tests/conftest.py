"""Shared fixtures: a fresh embedded store, the seed cases, and running the real CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from graph.embedded import EmbeddedStore
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
