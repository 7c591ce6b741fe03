"""A fake store held in memory: the service layer's questions tested without a file or a server
(Cosmic Python's FakeRepository). It answers every part-of-the-graph request from its whole
graph, as the embedded store does."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import TypeVar

import networkx as nx

from govgraph.graph.algorithms import Expand, Line, edge_of, node_of
from govgraph.graph.facts import Fact
from govgraph.graph.model import Edge, Node
from govgraph.graph.search import search_key
from govgraph.graph.storage import GraphStore, Stats
from govgraph.graph.storage.base import WriteTransaction
from govgraph.graph.storage.rows import add_edge, add_node

T = TypeVar("T")


class MemoryStore(GraphStore):
    backend = "memory"

    def __init__(self) -> None:
        self.graph = nx.MultiDiGraph()
        self.revisions = 0

    # writes: the shared merge, on a copy that replaces the graph only when it succeeds
    def _in_write_transaction(self, work: Callable[[WriteTransaction], T]) -> T:
        draft = _Draft(self.graph.copy())
        result = work(draft)
        if draft.written:
            self.graph, self.revisions = draft.graph, self.revisions + 1
        return result

    def get_nodes(self, uids: Iterable[str]) -> dict[str, Node]:
        return _nodes(self.graph, uids)

    def edges_of(self, uid: str) -> list[Edge]:
        if uid not in self.graph:
            return []
        found = [edge_of(self.graph, u, v, k) for u, v, k in
                 [*self.graph.out_edges(uid, keys=True), *self.graph.in_edges(uid, keys=True)]]
        return sorted({e.uid: e for e in found}.values(), key=lambda e: (e.type, e.uid))

    def search_candidates(self, query: str, types: list[str]) -> list[tuple[str, str]]:
        return [(u, d["name"]) for u, d in self.graph.nodes(data=True)
                if (not types or d["type"] in types)
                and query in search_key(d["name"], d["properties"].get("aliases"))]

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

    def scope_graph(self, scope: str | None,  # noqa: ARG002
                    facts: Iterable[Fact] = ()) -> nx.MultiDiGraph:  # noqa: ARG002
        return self.graph

    def tree_graph(self, root: str, line: Line, depth: int) -> nx.MultiDiGraph:  # noqa: ARG002
        return self.graph

    def neighbourhood_graph(self, uid: str, depth: int,  # noqa: ARG002
                            types: frozenset[str] | None) -> nx.MultiDiGraph:  # noqa: ARG002
        return self.graph

    def graph_among(self, uids: set[str]) -> nx.MultiDiGraph:
        return self.graph.subgraph(uids)

    def path_search(self, source: str, target: str  # noqa: ARG002
                    ) -> tuple[nx.MultiDiGraph, Expand | None]:
        return self.graph, None

    def revision(self) -> int:
        return self.revisions

    def close(self) -> None:
        pass


def _nodes(graph: nx.MultiDiGraph, uids: Iterable[str]) -> dict[str, Node]:
    return {u: node_of(graph, u) for u in uids if u in graph}


class _Draft:
    def __init__(self, graph: nx.MultiDiGraph):
        self.graph = graph
        self.written = False

    def nodes(self, uids: list[str]) -> dict[str, Node]:
        return _nodes(self.graph, uids)

    def edges(self, edges: list[Edge]) -> dict[str, Edge]:
        wanted = {e.uid for e in edges}  # by uid alone, whatever its ends, as the stores do
        return {k: edge_of(self.graph, u, v, k) for u, v, k in self.graph.edges(keys=True)
                if k in wanted}

    def present(self, uids: list[str]) -> set[str]:
        return {u for u in uids if u in self.graph}

    def write(self, nodes: list[Node], edges: list[Edge]) -> None:
        for node in nodes:
            add_node(self.graph, node)
        for edge in edges:
            add_edge(self.graph, edge)
        self.written = True
