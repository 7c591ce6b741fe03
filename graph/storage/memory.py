"""A read-only store over one graph held in memory: how a question asked as of a date is
answered (the graph the sources said by then, from GraphStore.as_of), by the same service layer
and the same algorithms as today's. The tests use it as the fake store too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import TypeVar

import networkx as nx

from govgraph.graph.algorithms import edge_of, node_of
from govgraph.graph.editions import Statements
from govgraph.graph.model import Edge, Edition, Node
from govgraph.graph.search import best, search_key
from govgraph.graph.storage.base import (
    GraphStore,
    HeldInMemory,
    Stats,
    Uids,
    WriteFailed,
    WriteTransaction,
)

T = TypeVar("T")


class GraphView(HeldInMemory):
    """The graph ``graph`` as a store: the graph of ``base`` as of ``at`` (its editions and
    statements dated up to then), or, without a base, a graph on its own."""

    backend = "memory"

    def __init__(self, graph: nx.MultiDiGraph, *, at: str | None = None,
                 base: GraphStore | None = None):
        self.graph = graph
        self.at = at
        self.base = base

    def _in_write_transaction(self, work: Callable[[WriteTransaction], T]) -> T:  # noqa: ARG002
        raise WriteFailed(f"the graph as of {self.at} is read-only: load into the store itself")

    def _dated(self, rows: Iterable[Statements]) -> dict[str, Statements]:
        """The statements of editions dated up to ``at``."""
        at = self.at or "9999-12-31"
        dated = (row.saying([s for s in row.said if s.as_of <= at],
                            [c for c in row.claims if c.as_of <= at]) for row in rows)
        return {row.uid: row for row in dated if not row.empty}

    def editions(self) -> list[Edition]:
        at = self.at or "9999-12-31"
        return [e for e in self.base.editions() if e.as_of <= at] if self.base else []

    def edition_uids(self, key: tuple[str, str]) -> Uids:
        dated = self.base is not None and key[1] <= (self.at or "9999-12-31")
        return self.base.edition_uids(key) if self.base and dated else ([], [])

    def statements(self, uids: Iterable[str]) -> dict[str, Statements]:
        return self._dated(self.base.statements(uids).values()) if self.base else {}

    def all_statements(self) -> Iterator[Statements]:
        return iter(self._dated(self.base.all_statements()).values()) if self.base else iter(())

    def statements_of_type(self, type_name: str) -> list[Statements]:
        return list(self._dated(self.base.statements_of_type(type_name)).values()) \
            if self.base else []

    def statement_edges_at(self, uids: Iterable[str]) -> set[str]:
        return set(self.statements(self.base.statement_edges_at(uids))) if self.base else set()

    def get_nodes(self, uids: Iterable[str]) -> dict[str, Node]:
        return {u: node_of(self.graph, u) for u in uids if u in self.graph}

    def edges_of(self, uid: str) -> list[Edge]:
        if uid not in self.graph:
            return []
        found = [edge_of(self.graph, u, v, k) for u, v, k in
                 [*self.graph.out_edges(uid, keys=True), *self.graph.in_edges(uid, keys=True)]]
        return sorted({e.uid: e for e in found}.values(), key=lambda e: (e.type, e.uid))

    def search(self, query: str, types: list[str], first: int) -> tuple[list[str], int]:
        return best([(u, d["name"]) for u, d in self.graph.nodes(data=True)
                     if (not types or d["type"] in types)
                     and query in search_key(d["name"], d["properties"].get("aliases"))],
                    query, first)

    def nodes_of_type(self, type_name: str) -> list[Node]:
        return [node_of(self.graph, u) for u in sorted(self.graph)
                if self.graph.nodes[u]["type"] == type_name]

    def whole_graph(self) -> nx.MultiDiGraph:
        return self.graph

    def stats(self) -> Stats:
        return Stats(nodes=dict(sorted(Counter(t for _, t in self.graph.nodes(data="type"))
                                       .items())),
                     edges=dict(sorted(Counter(t for *_, t in self.graph.edges(data="type"))
                                       .items())))

    def revision(self) -> Hashable | None:
        return self.base.revision() if self.base else None

    def close(self) -> None:
        pass
