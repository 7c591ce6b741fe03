"""The store interface every backend implements, its errors, and the factory that picks one.

Backends take and return the typed values of ``graph.model``; failures are exceptions, never
status values.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from pathlib import Path

import networkx as nx
from pydantic import BaseModel

from graph.model import Batch, Conflict, Edge, LoadSummary, Node


class StoreError(Exception):
    """Base of every store failure."""


class StoreUnavailable(StoreError):
    """The store cannot be opened or reached (missing, read-only, locked, down)."""


class NodeNotFound(StoreError):
    def __init__(self, uid: str):
        self.uid = uid
        super().__init__(f"no node with uid {uid!r}")


class ConflictingFacts(StoreError):
    """A batch states a different value for a fact the store already holds."""

    def __init__(self, conflicts: list[Conflict]):
        self.conflicts = conflicts
        lines = [f"{c.uid}: {c.field} is {c.existing}, the batch says {c.incoming}"
                 for c in conflicts]
        super().__init__("conflicting facts:\n" + "\n".join(lines))


class DanglingEdges(StoreError):
    """A batch has edges whose ends are neither in the batch nor in the store."""

    def __init__(self, edges: list[Edge]):
        self.edges = edges
        super().__init__("edges with missing ends: " + ", ".join(e.uid for e in edges[:20]))


class Stats(BaseModel):
    nodes: dict[str, int]
    edges: dict[str, int]


class GraphStore(ABC):
    """A durable graph of governance facts. Writes are atomic: a batch is all in or all out."""

    @abstractmethod
    def upsert(self, batch: Batch, *, dry_run: bool = False) -> LoadSummary:
        """Merge a batch (new facts and sources added, nothing overwritten) in one transaction.

        Raises ConflictingFacts or DanglingEdges, leaving the store unchanged. With ``dry_run``
        nothing is written and the summary says what would have changed.
        """

    @abstractmethod
    def get_nodes(self, uids: Iterable[str]) -> dict[str, Node]:
        """The nodes of these uids that exist (missing ones are simply absent)."""

    def get_node(self, uid: str) -> Node:
        found = self.get_nodes([uid])
        if uid not in found:
            raise NodeNotFound(uid)
        return found[uid]

    @abstractmethod
    def edges_of(self, uid: str) -> list[Edge]:
        """Every edge starting or ending at the node."""

    @abstractmethod
    def search(self, text: str, *, types: Iterable[str] = (), limit: int = 20) -> list[Node]:
        """Nodes whose name or alias contains ``text``, or whose pinyin (full or initials) does;
        best matches first."""

    @abstractmethod
    def stats(self) -> Stats:
        """How many nodes and edges of each type the store holds."""

    @abstractmethod
    def snapshot(self) -> nx.MultiDiGraph:
        """The whole graph for the pure query functions (node and edge attributes: the models'
        fields). Callers must not modify it."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def open_store(location: str | Path) -> GraphStore:
    """The store at ``location``: a file path for the embedded store."""
    from graph.embedded import EmbeddedStore

    return EmbeddedStore(Path(location))
