"""The Neo4j store: the production engine for a city or a province, same interface.

One driver for the store's life; writes are one managed transaction (retried by the driver on
transient errors, so the transaction function re-reads and re-plans each time); reads use
``execute_query`` with READ routing. Every statement comes from ``graph.storage.neo4j_queries``.
Node properties and citations are kept as JSON text, so values of any shape round-trip exactly.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import neo4j
import networkx as nx
from neo4j import GraphDatabase, RoutingControl
from neo4j.exceptions import (
    ClientError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from govgraph.graph.algorithms import (
    MAX_PLACE_DEPTH,
    SCOPE_RING,
    SCOPE_SECOND_RING,
    Expand,
    Line,
    add_edge,
    add_node,
    related,
)
from govgraph.graph.editions import Statements
from govgraph.graph.facts import COMMITTEES_OF_COMPOUND, Fact, fetch_plan
from govgraph.graph.jsontext import dumps
from govgraph.graph.model import Edge, Edition, Node, type_of_uid
from govgraph.graph.search import best
from govgraph.graph.storage import neo4j_queries as q
from govgraph.graph.storage.base import (
    GraphStore,
    Stats,
    StoreError,
    StoreUnavailable,
    Uids,
    WriteTransaction,
)
from govgraph.graph.storage.rows import (
    chunks,
    edge_fields,
    edge_of_fields,
    node_fields,
    node_of_fields,
)
from govgraph.graph.vocabulary import NODE_TYPES, PLACES

T = TypeVar("T")
BATCH_SIZE = 1000
UNBOUNDED = 1_000_000  # walk until nothing new is reached
log = logging.getLogger(__name__)
# how a server refuses a constraint or index it cannot make (ArcadeDB: SyntaxError); any other
# error (no such database, no rights, …) means the store cannot be used
REFUSED_SCHEMA = ("Neo.ClientError.Statement.", "Neo.ClientError.Schema.")
_refused_schema: set[tuple[str, str]] = set()  # (server, statement) already warned about


class Neo4jSettings(BaseSettings):
    """Connection settings, from NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE and
    NEO4J_RETRY_SECONDS."""

    model_config = SettingsConfigDict(env_prefix="NEO4J_")

    uri: str = "neo4j://localhost:7687"
    user: str = "neo4j"
    password: str = Field(default="", repr=False)
    database: str = "neo4j"
    retry_seconds: float = 30.0  # how long a read or write is retried while the server is down


def _edge(row: dict[str, Any]) -> Edge:
    """An edge from a (source, rel, target) row whose ends are nodes or uids."""
    source, target = (end["uid"] if isinstance(end, dict) else end
                      for end in (row["source"], row["target"]))
    return edge_of_fields(source, row["rel"], target)


def _by_type(uids: Iterable[str]) -> dict[str, list[str]]:
    """Uids grouped by the node type their prefix names (unknown prefixes cannot exist)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for uid in uids:
        type_name = type_of_uid(uid)
        if type_name:
            groups[type_name].append(uid)
    return groups


def _node_records(run: Callable[..., list[dict[str, Any]]], uids: Iterable[str]
                  ) -> dict[str, dict[str, Any]]:
    """The stored fields (with the element id) of these uids' nodes, read with ``run``."""
    found: dict[str, dict[str, Any]] = {}
    for type_name, group in _by_type(uids).items():
        for chunk in chunks(group, BATCH_SIZE):
            rows = run(q.nodes_by_uid(type_name), uids=list(chunk))
            found.update({row["node"]["uid"]: row["node"] for row in rows})
    return found


def _grouped(types: dict[str, str]) -> dict[str, list[str]]:
    """uid → type as uids by type."""
    groups: dict[str, list[str]] = defaultdict(list)
    for uid, type_name in types.items():
        groups[type_name].append(uid)
    return groups


def _edition_key(key: tuple[str, str]) -> str:
    return f"{key[0]}@{key[1]}"


def _statements(run: Callable[..., list[dict[str, Any]]], uids: Iterable[str]
                ) -> dict[str, Statements]:
    found = [Statements.of_json(row["body"]) for chunk in chunks(sorted(uids), BATCH_SIZE)
             for row in run(q.STATEMENTS_BY_UID, uids=list(chunk))]
    return {row.uid: row for row in found}


def _edition_uids(run: Callable[..., list[dict[str, Any]]], key: tuple[str, str]) -> Uids:
    rows = run(q.EDITION_UIDS, key=_edition_key(key))
    nodes, edges = json.loads(rows[0]["uids"]) if rows else ([], [])
    return nodes, edges


class _Write:
    """The load's view of one managed write transaction."""

    def __init__(self, tx: neo4j.ManagedTransaction):
        self.tx = tx

    def run(self, statement: str, **parameters: Any) -> list[dict[str, Any]]:
        return self.tx.run(statement, parameters).data()

    def nodes(self, uids: list[str]) -> dict[str, Node]:
        return {u: node_of_fields(r) for u, r in _node_records(self.run, uids).items()}

    def edges(self, types: dict[str, str]) -> dict[str, Edge]:
        found = {}
        for type_name, uids in _grouped(types).items():
            for chunk in chunks(uids, BATCH_SIZE):
                for row in self.run(q.edges_by_uid(type_name), uids=list(chunk)):
                    found[row["rel"]["uid"]] = _edge(row)
        return found

    def present(self, uids: list[str]) -> set[str]:
        return set(_node_records(self.run, uids))

    def statements(self, uids: list[str]) -> dict[str, Statements]:
        return _statements(self.run, uids)

    def statement_edges_at(self, uids: list[str]) -> set[str]:
        return {row["uid"] for chunk in chunks(uids, BATCH_SIZE)
                for row in self.run(q.STATEMENT_EDGES_AT, uids=list(chunk))}

    def editions(self, sources: list[str]) -> list[Edition]:
        return [Edition.model_validate_json(row["body"]) for chunk in chunks(sources, BATCH_SIZE)
                for row in self.run(q.EDITIONS_OF, sources=list(chunk))]

    def edition_uids(self, key: tuple[str, str]) -> Uids:
        return _edition_uids(self.run, key)

    def delete(self, nodes: dict[str, str], edges: dict[str, str]) -> None:
        for statement, uids_by_type in ((q.delete_edges, _grouped(edges)),
                                        (q.delete_nodes, _grouped(nodes))):
            for type_name, uids in uids_by_type.items():
                for chunk in chunks(uids, BATCH_SIZE):
                    self.tx.run(statement(type_name), uids=list(chunk)).consume()

    def keep(self, statements: list[Statements], dropped: list[str],
             editions: list[tuple[Edition, Uids]], dropped_editions: list[tuple[str, str]]
             ) -> None:
        rows = [{"uid": row.uid, "from_uid": row.ends[0] if row.ends else None,
                 "to_uid": row.ends[1] if row.ends else None, "body": row.to_json()}
                for row in statements]
        editions_rows = [{"edition_key": _edition_key(e.key), "source": e.source,
                          "as_of": e.as_of, "body": dumps(e.model_dump()), "uids": dumps(uids)}
                         for e, uids in editions]
        # an edition carries every uid it states (a city's 400: 22 MB, over a server's message
        # limit, ArcadeDB's 16 MB): editions go one a message
        for statement, name, items, size in (
                (q.DELETE_STATEMENTS, "uids", dropped, BATCH_SIZE),
                (q.WRITE_STATEMENTS, "rows", rows, BATCH_SIZE),
                (q.DELETE_EDITIONS, "keys", [_edition_key(k) for k in dropped_editions],
                 BATCH_SIZE),
                (q.WRITE_EDITIONS, "rows", editions_rows, 1)):
            for chunk in chunks(items, size):
                self.tx.run(statement, {name: list(chunk)}).consume()

    def write(self, nodes: list[Node], edges: list[Edge]) -> None:
        by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for node in nodes:
            by_type[node.type].append(node_fields(node))
        for type_name, rows in by_type.items():
            for chunk in chunks(rows, BATCH_SIZE):
                self.tx.run(q.write_nodes(type_name), rows=chunk).consume()
        ids = {u: r["id"] for u, r in _node_records(
            self.run, {u for e in edges for u in (e.source, e.target)}).items()}
        by_type = defaultdict(list)
        for edge in edges:
            by_type[edge.type].append({**edge_fields(edge), "source_id": ids[edge.source],
                                       "target_id": ids[edge.target]})
        for type_name, rows in by_type.items():
            for chunk in chunks(rows, BATCH_SIZE):
                self.tx.run(q.write_edges(type_name), rows=chunk).consume()


class Neo4jStore(GraphStore):
    backend = "neo4j"

    def __init__(self, settings: Neo4jSettings):
        self.settings = settings
        try:
            self._driver = GraphDatabase.driver(
                settings.uri, auth=(settings.user, settings.password),
                max_connection_lifetime=300, max_transaction_retry_time=settings.retry_seconds)
        except (DriverError, ValueError) as error:
            raise StoreUnavailable(f"cannot use Neo4j at {settings.uri}: {error}") from error
        try:
            self._driver.verify_connectivity()
            for statement in q.schema_statements():
                self._apply_schema(statement)
        except (Neo4jError, DriverError, OSError) as error:
            self._driver.close()
            raise StoreUnavailable(f"cannot use Neo4j at {settings.uri} (database "
                                   f"{settings.database}): {error}") from error

    def _apply_schema(self, statement: str) -> None:
        """Create a constraint or index; one the server does not support (ArcadeDB has no
        full-text indexes, for one) is skipped with a warning, once per server and statement:
        every query has a path that needs no index."""
        try:
            self._driver.execute_query(statement, database_=self.settings.database)
        except ClientError as error:
            if not (error.code or "").startswith(REFUSED_SCHEMA):
                raise
            key = (self.settings.uri, statement)
            if key not in _refused_schema:
                _refused_schema.add(key)
                log.warning("the server at %s does not support this schema statement, so the "
                            "store works without it: %s (%s)", self.settings.uri, statement,
                            error.message)

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

    def _in_write_transaction(self, work: Callable[[WriteTransaction], T]) -> T:
        def written(tx: neo4j.ManagedTransaction) -> T:
            done = work(_Write(tx))
            tx.run(q.NEW_REVISION, token=uuid.uuid4().hex).consume()
            return done

        with self._errors(), self._session() as session:
            return session.execute_write(written)

    def revision(self) -> str | None:
        """The token the last write left (a random one each time, so a database emptied and
        written again never repeats one); None before any write."""
        rows = self._read(q.READ_REVISION)
        return rows[0]["token"] if rows else None

    # -- reads ------------------------------------------------------------------------------

    def get_nodes(self, uids: Iterable[str]) -> dict[str, Node]:
        return {uid: node_of_fields(r) for uid, r in _node_records(self._read, uids).items()}

    def editions(self) -> list[Edition]:
        return [Edition.model_validate_json(r["body"]) for r in self._read(q.ALL_EDITIONS)]

    def statements(self, uids: Iterable[str]) -> dict[str, Statements]:
        return _statements(self._read, uids)

    def edition_uids(self, key: tuple[str, str]) -> Uids:
        return _edition_uids(self._read, key)

    def statement_edges_at(self, uids: Iterable[str]) -> set[str]:
        return {row["uid"] for chunk in chunks(sorted(set(uids)), BATCH_SIZE)
                for row in self._read(q.STATEMENT_EDGES_AT, uids=list(chunk))}

    def statements_of_type(self, type_name: str) -> list[Statements]:
        prefix = NODE_TYPES[type_name].uid_prefix + ":"  # a uid's prefix names its type
        return [Statements.of_json(r["body"])
                for r in self._read(q.STATEMENTS_OF_PREFIX, prefix=prefix)]

    def all_statements(self) -> Iterator[Statements]:
        return (Statements.of_json(r["body"]) for r in self._read(q.ALL_STATEMENTS))

    def edges_of(self, uid: str) -> list[Edge]:
        record = _node_records(self._read, [uid]).get(uid)
        if record is None:
            return []
        rows = self._read(q.expand("both"), ids=[record["id"]], types=None)
        edges = [_edge(r) for r in rows]
        return sorted(edges, key=lambda e: (e.type, e.uid))

    def search(self, query: str, types: list[str], first: int) -> tuple[list[str], int]:
        return best([(r["uid"], r["name"]) for r in self._read(q.search(types), query=query)],
                    query, first)

    def nodes_of_type(self, type_name: str) -> list[Node]:
        return [node_of_fields(r["node"]) for r in self._read(q.nodes_of_type(type_name))]

    def whole_graph(self) -> nx.MultiDiGraph:
        """Every node, then every relationship, streamed in one read transaction (a consistent
        view while others write)."""
        def work(tx: neo4j.ManagedTransaction) -> nx.MultiDiGraph:
            graph = nx.MultiDiGraph()
            for record in tx.run(q.ALL_NODES):
                self._add_node(graph, record["node"])
            for record in tx.run(q.ALL_EDGES):
                add_edge(graph, _edge(record.data()))
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
        for chunk in chunks(sorted(set(ids)), BATCH_SIZE):
            reached |= self._add_rows(graph, self._read(q.expand(direction), ids=list(chunk),
                                                        types=types))
        return reached

    def _add_rows(self, graph: nx.MultiDiGraph, rows: list[dict[str, Any]]) -> set[str]:
        """Add (source, rel, target) rows to ``graph``; the element ids of the ends."""
        ends: set[str] = set()
        for row in rows:
            for end in (row["source"], row["target"]):
                self._add_node(graph, end)
                ends.add(end["id"])
            add_edge(graph, _edge(row))
        return ends

    @staticmethod
    def _add_node(graph: nx.MultiDiGraph, record: dict[str, Any]) -> None:
        if record["uid"] not in graph:
            add_node(graph, node_of_fields(record), element_id=record["id"])

    def _start(self, uids: Iterable[str]) -> tuple[nx.MultiDiGraph, dict[str, str]]:
        graph = nx.MultiDiGraph()
        records = _node_records(self._read, uids)
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

    def scope_graph(self, scope: str | None, facts: Iterable[Fact] = ()) -> nx.MultiDiGraph:
        if scope is None:
            graph = nx.MultiDiGraph()
            for row in self._read(q.ALL_PLACES):
                self._add_node(graph, row["node"])
            places = {d["element_id"] for _, d in graph.nodes(data=True)}
        else:
            graph, ids = self._start([scope])

            def is_place(data: dict[str, Any]) -> bool:
                return data["type"] in PLACES
            places = self._walk(graph, {ids[scope]}, "in", ["PART_OF"], MAX_PLACE_DEPTH, is_place)
        # the places above every place: the chain each compound's answer names
        above = self._walk(graph, places, "out", ["PART_OF"], MAX_PLACE_DEPTH,
                           lambda data: data["type"] in PLACES) - places
        around = self._expand(graph, places, "both", list(SCOPE_RING))
        self._expand(graph, around - places, "both", list(SCOPE_SECOND_RING))
        self._fetch_facts(graph, facts, places, above, around - places)
        return graph

    def _fetch_facts(self, graph: nx.MultiDiGraph, facts: Iterable[Fact], places: set[str],
                     above: set[str], ringed: set[str]) -> None:
        """The facts a question reads around the scope's compounds
        (facts.fetch_plan), less what the rings hold already: ``places`` (the scope's) were
        expanded over SCOPE_RING both ways, ``ringed`` (what that reached) over
        SCOPE_SECOND_RING. ``above`` are the places above the scope, where climbing facts
        read too. All are element ids."""
        element = {d["element_id"]: u for u, d in graph.nodes(data=True)}
        compounds = {i for i in places if graph.nodes[element[i]]["type"] == "Compound"}
        for step in fetch_plan(facts):
            if step.at == "committee":  # the compounds' steps came first: committees are here
                anchors = {graph.nodes[c]["element_id"] for i in compounds
                           for c in related(graph, element[i], COMMITTEES_OF_COMPOUND)}
            else:
                anchors = compounds if step.at == "compound" else places | above
            for group, fetched in ((anchors & places, SCOPE_RING),
                                   (anchors & ringed, SCOPE_SECOND_RING),
                                   (anchors - places - ringed, ())):
                missing = [t for t in step.relationships if t not in fetched]
                if group and missing:
                    self._expand(graph, group, step.direction, missing)

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

    def graph_among(self, uids: set[str]) -> nx.MultiDiGraph:
        graph, ids = self._start(uids)
        for chunk in chunks(sorted(ids.values()), BATCH_SIZE):
            rows = self._read(q.expand("out"), ids=list(chunk), types=None)
            self._add_rows(graph, [r for r in rows if r["target"]["uid"] in ids])
        return graph

    def path_search(self, source: str, target: str) -> tuple[nx.MultiDiGraph, Expand | None]:
        graph, _ = self._start([source, target])

        def expand(uids: list[str]) -> None:
            self._expand(graph, [graph.nodes[u]["element_id"] for u in uids], "both", None)

        return graph, expand

    def delete_everything(self) -> None:
        """Empty the database (tests and re-imports); not part of the store interface."""
        with self._errors(), self._session() as session:
            session.run(q.DELETE_EVERYTHING).consume()

    def close(self) -> None:
        self._driver.close()

