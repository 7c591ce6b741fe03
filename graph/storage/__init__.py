"""Storage: one interface (``base``), a module per backend, chosen by the store's address.

A file path is the embedded store (SQLite); a Bolt or Neo4j URI is the Neo4j store, which runs on
any server that speaks Bolt and Neo4j's Cypher (Neo4j; ArcadeDB). Backends are imported only when
a store of theirs is opened.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from govgraph.graph.storage.base import (
    ConflictingFacts,
    DanglingEdges,
    GraphStore,
    InvalidQuery,
    NodeNotFound,
    SourceNotFound,
    Stats,
    StoreError,
    StoreUnavailable,
    WriteFailed,
)

BOLT_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")


def _embedded(location: str) -> GraphStore:
    from govgraph.graph.storage.embedded import EmbeddedStore

    return EmbeddedStore(Path(location))


def _neo4j(location: str) -> GraphStore:
    """Credentials and database come from NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE."""
    from govgraph.graph.storage.neo4j import Neo4jSettings, Neo4jStore

    return Neo4jStore(Neo4jSettings(uri=location))


BACKENDS: dict[str, Callable[[str], GraphStore]] = {"embedded": _embedded, "neo4j": _neo4j}


def backend_of(location: str | Path) -> str:
    """The backend an address names: a Bolt or Neo4j URI, else a file path."""
    return "neo4j" if str(location).startswith(BOLT_SCHEMES) else "embedded"


def open_store(location: str | Path) -> GraphStore:
    """The store at ``location`` (see backend_of)."""
    return BACKENDS[backend_of(location)](str(location))


__all__ = ["BACKENDS", "ConflictingFacts", "DanglingEdges", "GraphStore", "InvalidQuery",
           "NodeNotFound", "SourceNotFound", "Stats", "StoreError", "StoreUnavailable",
           "WriteFailed", "backend_of", "open_store"]
