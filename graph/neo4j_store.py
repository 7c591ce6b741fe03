"""The Neo4j store: the production engine for a city or a province, same interface.

One driver for the store's life; writes are one managed transaction (retried by the driver on
transient errors, so the transaction function re-reads and re-plans each time); reads use
``execute_query`` with READ routing. Every statement comes from ``graph.neo4j_queries``.
Node properties and citations are kept as JSON text, so values of any shape round-trip exactly.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import neo4j
import networkx as nx
from neo4j import GraphDatabase, RoutingControl
from neo4j.exceptions import DriverError, Neo4jError, ServiceUnavailable, SessionExpired
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph import neo4j_queries as q
from graph.algorithms import SCOPE_RING, SCOPE_SECOND_RING, Line
from graph.model import Batch, Edge, LoadSummary, Node, edge_uid, type_of_uid
from graph.rows import citations_of, edge_fields, node_fields
from graph.store import (
    DanglingEdges,
    GraphStore,
    Stats,
    StoreError,
    StoreUnavailable,
    plan_merge,
)
from graph.vocabulary import PLACES, RELATIONSHIP_TYPES

BATCH_SIZE = 1000
MAX_DEPTH = 10  # as algorithms.MAX_PLACE_DEPTH
UNBOUNDED = 1_000_000  # walk until nothing new is reached


class Neo4jSettings(BaseSettings):
    """Connection settings, from NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE."""

    model_config = SettingsConfigDict(env_prefix="NEO4J_")

    uri: str = "neo4j://localhost:7687"
    user: str = "neo4j"
    password: str = Field(default="", repr=False)
    database: str = "neo4j"


def batched(rows: list[Any], size: int = BATCH_SIZE) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _node(record: dict[str, Any]) -> Node:
    return Node(uid=record["uid"], type=record["type"], name=record["name"],
                properties=json.loads(record["properties"]),
                citations=citations_of(record["citations"]))


def _edge(source: str, rel: dict[str, Any], target: str) -> Edge:
    return Edge(uid=rel["uid"], type=rel["type"], source=source, target=target,
                properties=json.loads(rel["properties"]),
                citations=citations_of(rel["citations"]))


def _by_type(uids: Iterable[str]) -> dict[str, list[str]]:
    """Uids grouped by the node type their prefix names (unknown prefixes cannot exist)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for uid in uids:
        type_name = type_of_uid(uid)
        if type_name:
            groups[type_name].append(uid)
    return groups


class Neo4jStore(GraphStore):
    def __init__(self, settings: Neo4jSettings):
        self.settings = settings
        try:
            self._driver = GraphDatabase.driver(
                settings.uri, auth=(settings.user, settings.password),
                max_connection_lifetime=300)
        except (DriverError, ValueError) as error:
            raise StoreUnavailable(f"cannot use Neo4j at {settings.uri}: {error}") from error
        try:
            self._driver.verify_connectivity()
            for statement in q.schema_statements():
                self._driver.execute_query(statement, database_=settings.database)
        except (Neo4jError, DriverError, OSError) as error:
            self._driver.close()
            raise StoreUnavailable(f"cannot use Neo4j at {settings.uri} (database "
                                   f"{settings.database}): {error}") from error

    # -- plumbing ---------------------------------------------------------------------------

    def _read(self, statement: str, **parameters: Any) -> list[dict[str, Any]]:
        with self._errors():
            records, _, _ = self._driver.execute_query(
                statement, parameters, database_=self.settings.database,
                routing_=RoutingControl.READ)
        return [record.data() for record in records]

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Driver failures as store errors: unreachable → StoreUnavailable, refused → StoreError."""
        try:
            yield
        except (ServiceUnavailable, SessionExpired) as error:
            raise StoreUnavailable(f"Neo4j at {self.settings.uri} is unavailable: {error}"
                                   ) from error
        except (Neo4jError, DriverError) as error:
            raise StoreError(f"Neo4j refused: {error}") from error

    def _session(self) -> neo4j.Session:
        """A session that sees what execute_query wrote and is seen by it (one bookmark
        manager), so a read after a write finds it, on a cluster too."""
        return self._driver.session(
            database=self.settings.database,
            bookmark_manager=self._driver.execute_query_bookmark_manager)

    def _node_records(self, uids: Iterable[str], tx: neo4j.ManagedTransaction | None = None
                      ) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for type_name, group in _by_type(uids).items():
            for chunk in batched(group):
                query = q.nodes_by_uid(type_name)
                rows = (tx.run(query, uids=chunk).data() if tx
                        else self._read(query, uids=chunk))
                found.update({row["node"]["uid"]: row["node"] for row in rows})
        return found

    # -- writes -----------------------------------------------------------------------------

    def upsert(self, batch: Batch, *, dry_run: bool = False) -> LoadSummary:
        def work(tx: neo4j.ManagedTransaction) -> LoadSummary:
            summary = LoadSummary(dry_run=dry_run)
            existing_nodes = {u: _node(r) for u, r in self._node_records(batch.nodes, tx).items()}
            node_writes = plan_merge("nodes", batch.nodes, existing_nodes, summary)
            existing_edges: dict[str, Edge] = {}
            edge_types: dict[str, list[str]] = defaultdict(list)
            for edge in batch.edges.values():
                # a uid of the default form names its type; another may be stored under any type
                default = edge.uid == edge_uid(edge.type, edge.source, edge.target)
                for type_name in [edge.type] if default else RELATIONSHIP_TYPES:
                    edge_types[type_name].append(edge.uid)
            for type_name, uids in edge_types.items():
                for chunk in batched(uids):
                    for row in tx.run(q.edges_by_uid(type_name), uids=chunk).data():
                        existing_edges[row["rel"]["uid"]] = _edge(row["source"], row["rel"],
                                                                  row["target"])
            edge_writes = plan_merge("edges", batch.edges, existing_edges, summary)
            if not dry_run:
                by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
                for node in node_writes:
                    by_type[node.type].append(node_fields(node))
                for type_name, rows in by_type.items():
                    for chunk in batched(rows):
                        tx.run(q.write_nodes(type_name), rows=chunk).consume()
            ends = {u for e in batch.edges.values() for u in (e.source, e.target)}
            ids = {u: r["id"] for u, r in self._node_records(ends, tx).items()}
            if dry_run:
                ids.update({uid: uid for uid in batch.nodes})
            dangling = [e for e in batch.edges.values()
                        if e.source not in ids or e.target not in ids]
            if dangling:
                raise DanglingEdges(dangling)
            if not dry_run:
                rows_by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
                for edge in edge_writes:
                    rows_by_type[edge.type].append({**edge_fields(edge),
                                                    "source_id": ids[edge.source],
                                                    "target_id": ids[edge.target]})
                for type_name, rows in rows_by_type.items():
                    for chunk in batched(rows):
                        tx.run(q.write_edges(type_name), rows=chunk).consume()
            return summary

        with self._errors(), self._session() as session:
            return session.execute_write(work)

    # -- reads ------------------------------------------------------------------------------

    def get_nodes(self, uids: Iterable[str]) -> dict[str, Node]:
        return {uid: _node(record) for uid, record in self._node_records(uids).items()}

    def edges_of(self, uid: str) -> list[Edge]:
        record = self._node_records([uid]).get(uid)
        if record is None:
            return []
        rows = self._read(q.expand("both"), ids=[record["id"]], types=None)
        edges = [_edge(r["source"]["uid"], r["rel"], r["target"]["uid"]) for r in rows]
        return sorted(edges, key=lambda e: (e.type, e.uid))

    def search_candidates(self, query: str, types: list[str]) -> list[tuple[str, str]]:
        return [(r["uid"], r["name"]) for r in self._read(q.SEARCH, query=query, types=types)]

    def nodes_of_type(self, type_name: str) -> list[Node]:
        return [_node(r["node"]) for r in self._read(q.nodes_of_type(type_name))]

    def whole_graph(self) -> nx.MultiDiGraph:
        """Every node, then every relationship, streamed in one read transaction (a consistent
        view while others write)."""
        def work(tx: neo4j.ManagedTransaction) -> nx.MultiDiGraph:
            graph = nx.MultiDiGraph()
            for record in tx.run(q.ALL_NODES):
                self._add_node(graph, record["node"])
            for record in tx.run(q.ALL_EDGES):
                edge = _edge(record["source"], record["rel"], record["target"])
                graph.add_edge(edge.source, edge.target, key=edge.uid,
                               **edge.model_dump(exclude={"uid", "source", "target"}))
            return graph

        with self._errors(), self._session() as session:
            return session.execute_read(work)

    def stats(self) -> Stats:
        return Stats(nodes={r["type"]: r["count"] for r in self._read(q.COUNT_NODES)},
                     edges={r["type"]: r["count"] for r in self._read(q.COUNT_EDGES)})

    # -- the parts of the graph questions need ------------------------------------------------

    def _expand(self, graph: nx.MultiDiGraph, ids: Iterable[str], direction: str,
                types: list[str] | None) -> set[str]:
        """Add the relationships at these nodes to ``graph``; the element ids of their ends."""
        reached: set[str] = set()
        for chunk in batched(sorted(set(ids))):
            reached |= self._add_rows(graph, self._read(q.expand(direction), ids=chunk,
                                                        types=types))
        return reached

    def _add_rows(self, graph: nx.MultiDiGraph, rows: list[dict[str, Any]]) -> set[str]:
        """Add (source, rel, target) rows to ``graph``; the element ids of the ends."""
        ends: set[str] = set()
        for row in rows:
            for end in (row["source"], row["target"]):
                self._add_node(graph, end)
                ends.add(end["id"])
            edge = _edge(row["source"]["uid"], row["rel"], row["target"]["uid"])
            graph.add_edge(edge.source, edge.target, key=edge.uid,
                           **edge.model_dump(exclude={"uid", "source", "target"}))
        return ends

    @staticmethod
    def _add_node(graph: nx.MultiDiGraph, record: dict[str, Any]) -> None:
        if record["uid"] not in graph:
            node = _node(record)
            graph.add_node(node.uid, **node.model_dump(exclude={"uid"}), element_id=record["id"])

    def _start(self, uids: Iterable[str]) -> tuple[nx.MultiDiGraph, dict[str, str]]:
        graph = nx.MultiDiGraph()
        records = self._node_records(uids)
        for record in records.values():
            self._add_node(graph, record)
        return graph, {uid: r["id"] for uid, r in records.items()}

    def _walk(self, graph: nx.MultiDiGraph, frontier: set[str], direction: str,
              types: list[str] | None, depth: int, keep: Any = None) -> set[str]:
        """Breadth-first over ``types`` from the element ids ``frontier``; ``keep`` decides which
        reached nodes are walked on from. The element ids of every node walked from."""
        walked = set(frontier)
        for _ in range(depth):
            if not frontier:
                break
            reached = self._expand(graph, frontier, direction, types) - walked
            ids = {d["element_id"]: u for u, d in graph.nodes(data=True)}
            frontier = {i for i in reached if keep is None or keep(graph.nodes[ids[i]])}
            walked |= frontier
        return walked

    def scope_graph(self, scope: str | None) -> nx.MultiDiGraph:
        if scope is None:
            graph = nx.MultiDiGraph()
            for row in self._read(q.ALL_PLACES):
                self._add_node(graph, row["node"])
            places = {d["element_id"] for _, d in graph.nodes(data=True)}
        else:
            graph, ids = self._start([scope])

            def is_place(data: dict[str, Any]) -> bool:
                return data["type"] in PLACES
            places = self._walk(graph, {ids[scope]}, "in", ["PART_OF"], MAX_DEPTH, is_place)
        # the places above every place: the chain each compound's answer names
        self._walk(graph, places, "out", ["PART_OF"], MAX_DEPTH,
                   lambda data: data["type"] in PLACES)
        around = self._expand(graph, places, "both", list(SCOPE_RING))
        self._expand(graph, around - places, "both", list(SCOPE_SECOND_RING))
        return graph

    def tree_graph(self, root: str, line: Line, depth: int) -> nx.MultiDiGraph:
        graph, ids = self._start([root])
        if line == "admin":  # one level more than drawn, to know whether more lies below
            self._walk(graph, {ids[root]}, "in", ["PART_OF"], depth + 1)
        else:
            # every party organisation set up here, and all below them (to find the top ones)
            first = self._expand(graph, {ids[root]}, "in", ["ESTABLISHED_IN"])
            self._walk(graph, first | {ids[root]}, "in", ["SUBORDINATE_TO"], UNBOUNDED)
        return graph

    def neighbourhood_graph(self, uid: str, depth: int, types: frozenset[str] | None
                            ) -> nx.MultiDiGraph:
        graph, ids = self._start([uid])
        wanted = sorted(types) if types else None
        # one step further than asked, so edges among the farthest nodes are there too
        self._walk(graph, {ids[uid]}, "both", wanted, depth + 1)
        return graph

    def path_graph(self, source: str, target: str) -> nx.MultiDiGraph:
        graph, ids = self._start([source, target])
        if source == target:
            return graph
        ends = self._add_rows(graph, self._read(q.SHORTEST_PATH, source=ids[source],
                                                target=ids[target]))
        # every relationship at the path's nodes, so the edge chosen per step is the one the
        # shared function chooses on the whole graph
        self._expand(graph, ends, "both", None)
        return graph

    def delete_everything(self) -> None:
        """Empty the database (tests and re-imports); not part of the store interface."""
        with self._errors(), self._session() as session:
            session.run(q.DELETE_EVERYTHING).consume()

    def close(self) -> None:
        self._driver.close()

