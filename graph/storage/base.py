"""The store interface every backend implements, its errors, and what backends share.

Backends take and return the typed values of ``graph.model``; failures are exceptions, never
status values. A backend supplies a write transaction and the parts of the graph a question
needs; merging a batch is written here once, for every backend, and the questions are answered
from those parts by the service layer (govgraph.service.core).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Protocol, TypeVar

import networkx as nx
from pydantic import BaseModel

from govgraph.graph.algorithms import Expand, Line
from govgraph.graph.facts import Fact
from govgraph.graph.model import Batch, Conflict, Edge, LoadSummary, Node, merge_edge, merge_node

T = TypeVar("T")


class StoreError(Exception):
    """Base of every store failure."""


class StoreUnavailable(StoreError):
    """The store cannot be opened or reached (missing, read-only, locked, down)."""


class NodeNotFound(StoreError):
    def __init__(self, uid: str):
        self.uid = uid
        super().__init__(f"no node with uid {uid!r}")


class WriteFailed(StoreError):
    """A write the store refused or could not finish (full disk, read-only file, locked):
    nothing of it was written."""


class InvalidQuery(StoreError):
    """A question asked with a parameter that cannot be right (the message says which, why)."""


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


def plan_merge(
    kind: str, items: dict[str, Node] | dict[str, Edge], existing: dict[str, Any],
    summary: LoadSummary,
) -> list[Any]:
    """What a backend must write to merge ``items`` (nodes or edges) into ``existing``: new
    items and changed merges, counted in ``summary``. Raises ConflictingFacts, so a backend
    plans everything before it writes anything."""
    merge = merge_node if kind == "nodes" else merge_edge
    writes, conflicts = [], []
    for uid, item in items.items():
        if uid not in existing:
            writes.append(item)
            summary.count(kind, item.type, "created")
            continue
        merged, found = merge(existing[uid], item)  # type: ignore[arg-type]
        conflicts += found
        if merged == existing[uid]:
            summary.count(kind, item.type, "unchanged")
        else:
            writes.append(merged)
            summary.count(kind, item.type, "updated")
    if conflicts:
        raise ConflictingFacts(conflicts)
    return writes


class WriteTransaction(Protocol):
    """What merging a batch needs of a backend, inside its write transaction."""

    def nodes(self, uids: list[str]) -> dict[str, Node]:
        """The stored nodes of these uids."""

    def edges(self, edges: list[Edge]) -> dict[str, Edge]:
        """The stored edges of these edges' uids."""

    def present(self, uids: list[str]) -> set[str]:
        """Which of these uids are stored nodes."""

    def write(self, nodes: list[Node], edges: list[Edge]) -> None:
        """Store these nodes, then these edges (new, or replacing those of the same uid)."""


def merge_batch(tx: WriteTransaction, batch: Batch, dry_run: bool) -> LoadSummary:
    """Plan the whole merge of ``batch``, check it, then write it (unless ``dry_run``): a
    conflict or a dangling edge raises before anything is written."""
    summary = LoadSummary(dry_run=dry_run)
    node_writes = plan_merge("nodes", batch.nodes, tx.nodes(list(batch.nodes)), summary)
    edge_writes = plan_merge("edges", batch.edges, tx.edges(list(batch.edges.values())), summary)
    ends = sorted({u for e in batch.edges.values() for u in (e.source, e.target)}
                  - batch.nodes.keys())
    present = tx.present(ends) | batch.nodes.keys()
    dangling = [e for e in batch.edges.values()
                if e.source not in present or e.target not in present]
    if dangling:
        raise DanglingEdges(dangling)
    if not dry_run and (node_writes or edge_writes):
        tx.write(node_writes, edge_writes)
    return summary


class Stats(BaseModel):
    nodes: dict[str, int]
    edges: dict[str, int]


class GraphStore(ABC):
    """A durable graph of governance facts: a repository the service layer asks for nodes,
    edges and the parts of the graph a question reads. Writes are atomic: a batch is all in or
    all out."""

    backend: str  # the registry's name for it: "embedded", "neo4j"

    def upsert(self, batch: Batch, *, dry_run: bool = False) -> LoadSummary:
        """Merge a batch (new facts and sources added, nothing overwritten) in one transaction.

        Raises ConflictingFacts or DanglingEdges, leaving the store unchanged. With ``dry_run``
        nothing is written and the summary says what would have changed.
        """
        return self._in_write_transaction(lambda tx: merge_batch(tx, batch, dry_run))

    @abstractmethod
    def _in_write_transaction(self, work: Callable[[WriteTransaction], T]) -> T:
        """Run ``work`` in one write transaction: committed when it returns, rolled back when it
        raises (a backend may run it again after a transient failure, so it only reads and
        writes through the transaction)."""

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
    def search_candidates(self, query: str, types: list[str]) -> list[tuple[str, str]]:
        """(uid, name) of every node (of ``types``; all when empty) whose search key (see
        graph.search) contains ``query``."""

    @abstractmethod
    def nodes_of_type(self, type_name: str) -> list[Node]:
        """Every node of one type, by uid."""

    @abstractmethod
    def whole_graph(self) -> nx.MultiDiGraph:
        """Everything, for exports of the whole graph."""

    @abstractmethod
    def stats(self) -> Stats:
        """How many nodes and edges of each type the store holds."""

    # The parts of the graph questions need, as networkx: one pure function of
    # graph.algorithms answers from each (in the service layer), so every backend answers alike.

    @abstractmethod
    def scope_graph(self, scope: str | None, facts: Iterable[Fact] = ()) -> nx.MultiDiGraph:
        """The places in the scope (all when None) and the places above it, with the bodies,
        party organisations and projects around them and who initiated, approved, supervised
        and implemented those projects."""

    @abstractmethod
    def tree_graph(self, root: str, line: Line, depth: int) -> nx.MultiDiGraph:
        """Enough of the graph below ``root`` to draw its tree ``depth`` levels deep."""

    @abstractmethod
    def neighbourhood_graph(self, uid: str, depth: int, types: frozenset[str] | None
                            ) -> nx.MultiDiGraph:
        """Every node within ``depth`` steps of ``uid`` over edges of ``types``, and those edges."""

    @abstractmethod
    def graph_among(self, uids: set[str]) -> nx.MultiDiGraph:
        """These nodes and every edge between two of them."""

    @abstractmethod
    def path_search(self, source: str, target: str) -> tuple[nx.MultiDiGraph, Expand | None]:
        """The graph a path search starts from, and how to fetch the edges of the nodes it
        reaches (None where the graph holds them all already); see algorithms.shortest_path."""

    def revision(self) -> Hashable | None:
        """A value that changes whenever the store's content does, so answers can be cached;
        None where a backend cannot tell cheaply (then nothing is cached)."""
        return None

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
