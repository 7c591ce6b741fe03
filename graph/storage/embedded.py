"""The embedded store: one SQLite file on disk, read into a networkx graph for queries.

SQLite gives atomic, durable transactions in a single file: a process killed in the middle of a
write leaves the previous content (the rollback journal is replayed on the next open). The
networkx snapshot is rebuilt when another writer has changed the file.
"""

from __future__ import annotations

import gc
import json
import sqlite3
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from functools import cached_property
from itertools import groupby
from operator import attrgetter, itemgetter
from pathlib import Path
from sys import intern
from typing import TypeVar

import networkx as nx

from govgraph.graph.algorithms import (
    EdgesAlike,
    HeldGraph,
    add_edge,
    add_node,
    copy_changing,
    differing,
    remove_edge,
    share_alike_keys,
)
from govgraph.graph.editions import Statements, Timeline, Voices
from govgraph.graph.jsontext import dumps
from govgraph.graph.model import Edge, Edition, Node
from govgraph.graph.search import KeyIndex
from govgraph.graph.storage.base import (
    AS_OF_CACHED,
    HeldInMemory,
    Stats,
    StoreUnavailable,
    Uids,
    WriteFailed,
    WriteTransaction,
    of_a_past_date,
    settle_long_lived,
)
from govgraph.graph.storage.rows import (
    chunks,
    edge_fields,
    edge_of_fields,
    forget_texts_read,
    node_fields,
    node_of_fields,
)
from govgraph.graph.vocabulary import NODE_TYPES

T = TypeVar("T")
SCHEMA_VERSION = "2"  # 2: statements of every edition kept, the graph derived from them
TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (
    uid TEXT PRIMARY KEY, type TEXT NOT NULL, name TEXT NOT NULL, search TEXT NOT NULL,
    properties TEXT NOT NULL, citations TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS edges (
    uid TEXT PRIMARY KEY, type TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,
    properties TEXT NOT NULL, citations TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS statements (
    uid TEXT PRIMARY KEY, start TEXT, end TEXT, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS editions (
    source TEXT NOT NULL, as_of TEXT NOT NULL, body TEXT NOT NULL, uids TEXT NOT NULL,
    PRIMARY KEY (source, as_of));
CREATE TABLE IF NOT EXISTS changes (
    revision INTEGER NOT NULL, uid TEXT NOT NULL, is_edge INTEGER NOT NULL, source TEXT,
    target TEXT);
"""
INDEXES = {"changes_revision": "changes(revision)", "statements_start": "statements(start)",
           "statements_end": "statements(end)", "nodes_type": "nodes(type)",
           "edges_source": "edges(source)", "edges_target": "edges(target)"}
CREATE_INDEXES = [f"CREATE INDEX IF NOT EXISTS {name} ON {on}" for name, on in INDEXES.items()]
SCHEMA = TABLES + "".join(f"{statement};\n" for statement in CREATE_INDEXES)
# Made by the first write, not on opening: a store file written by an earlier govgraph opens
# read-only too. Meta undo_through is the last revision whose replaced rows it holds, undo_from
# the first: a revision written by an earlier govgraph (keeping none) cuts the way back there.
UNDO_SCHEMA = ("CREATE TABLE IF NOT EXISTS undo (revision INTEGER NOT NULL, kind TEXT NOT NULL, "
               "key TEXT NOT NULL, before TEXT)",
               "CREATE INDEX IF NOT EXISTS undo_revision ON undo(revision)")
_CHUNK = 500  # uids per IN (...) look-up, under SQLite's variable limit
# A write of at most this many nodes and edges is logged (table changes), so that every process
# holding the graph applies it instead of reading the whole graph again, with the rows and
# editions it replaced (table undo), so that a process can take its graph back to a past
# revision; a larger one (a city's first load) is not: whoever held the graph before it reads
# it whole, and no graph goes back past it.
LOGGED_CHANGES = 20_000
KEPT_REVISIONS = 5_000  # how far back the log reaches; a process further behind reads it all


# the search keys in graph.search.order: SQLite orders text as Python does (UTF-8's bytes in
# the order of the code points); its length() stops at a NUL, Python's len (code_points) not
KEYS_IN_ORDER = "SELECT uid, search, name FROM nodes ORDER BY code_points(name), name, uid"


def _entry(row: sqlite3.Row) -> tuple[str, str, str]:
    """A node's search entry (uid, key, name); the uid and name interned, as the graph held has
    them."""
    return intern(row["uid"]), row["search"], intern(row["name"])


def node_row(node: Node) -> tuple[str, str, str, str, str, str]:
    """A node as the row the nodes table holds (also the benchmark's raw-floor format)."""
    fields = node_fields(node)
    return (node.uid, node.type, node.name, fields["search"], fields["properties"],
            fields["citations"])


def edge_row(edge: Edge) -> tuple[str, str, str, str, str, str]:
    fields = edge_fields(edge)
    return (edge.uid, edge.type, edge.source, edge.target, fields["properties"],
            fields["citations"])


def _edge(row: sqlite3.Row) -> Edge:
    return edge_of_fields(row["source"], row, row["target"])


def _put(graph: nx.MultiDiGraph, logged: Iterable[sqlite3.Row], nodes: dict[str, Node | None],
         edges: Iterable[Edge]) -> tuple[nx.MultiDiGraph, set[str]]:
    """``graph`` with what the log rows ``logged`` name put otherwise: each of ``nodes`` put
    (None: removed), each logged edge taken from the ends logged, and ``edges`` put; in a copy
    sharing all it does not change (``graph`` itself never changes: a question or a graph of a
    date still reading it reads it whole). Also returns the nodes the copy shows a rule
    otherwise (algorithms.differing)."""
    removed = {(row["uid"], row["source"], row["target"]) for row in logged if row["is_edge"]}
    edges = list(edges)
    around = set(nodes).union(*((s, t) for _, s, t in removed),
                              *((e.source, e.target) for e in edges))
    changed = copy_changing(graph, around)
    for uid, source, target in removed:
        remove_edge(changed, uid, source, target)
    for uid, node in nodes.items():
        if node is not None:
            if uid in changed:
                changed.nodes[uid].clear()
            add_node(changed, node)
    for edge in edges:
        add_edge(changed, edge)
    changed.remove_nodes_from([uid for uid, node in nodes.items() if node is None])
    return changed, differing(graph, changed, around)


class _Write:
    """The merge's view of one SQLite write transaction."""

    def __init__(self, db: sqlite3.Connection, empty: bool = False):
        self.db = db
        self.logged = 0  # nodes and edges this transaction has changed, for the log
        # the file holds nothing and nothing is written yet: every look-up finds nothing, and
        # a city's first load skips a million of them (seconds)
        self.empty = empty
        self.indexes_later = False  # dropped at begin, made at end (an empty file)

    def rows(self, table: str, column: str, keys: Iterable[str]) -> Iterator[sqlite3.Row]:
        if self.empty:
            return
        for chunk in chunks(list(keys), _CHUNK):
            marks = ",".join("?" * len(chunk))
            yield from self.db.execute(
                f"SELECT * FROM {table} WHERE {column} IN ({marks})", chunk)  # noqa: S608

    def nodes(self, uids: list[str]) -> dict[str, Node]:
        return {row["uid"]: node_of_fields(row) for row in self.rows("nodes", "uid", uids)}

    def edges(self, types: dict[str, str]) -> dict[str, Edge]:
        return {row["uid"]: _edge(row) for row in self.rows("edges", "uid", types)}

    def present(self, uids: list[str]) -> set[str]:
        return {row["uid"] for row in self.rows("nodes", "uid", uids)}

    def statements(self, uids: list[str]) -> dict[str, Statements]:
        return {row["uid"]: Statements.of_json(row["body"])
                for row in self.rows("statements", "uid", uids)}

    def statement_edges_at(self, uids: list[str]) -> set[str]:
        return {row["uid"] for column in ("start", "end")
                for row in self.rows("statements", column, uids)}

    def editions(self, sources: list[str]) -> list[Edition]:
        return [Edition.model_validate_json(row["body"])
                for row in self.rows("editions", "source", sources)]

    def edition_uids(self, key: tuple[str, str]) -> Uids:
        row = self.db.execute("SELECT uids FROM editions WHERE source = ? AND as_of = ?",
                              key).fetchone()
        nodes, edges = json.loads(row["uids"]) if row else ([], [])
        return nodes, edges

    def write(self, nodes: list[Node], edges: list[Edge]) -> None:
        if self._logging(len(nodes) + len(edges)):
            self._log([n.uid for n in nodes], [(e.uid, e.source, e.target) for e in edges])
        for table, rows in (("nodes", map(node_row, nodes)), ("edges", map(edge_row, edges))):
            self.db.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?,?,?,?,?,?)", rows)  # noqa: S608
        self._written()

    def delete(self, nodes: dict[str, str], edges: dict[str, str]) -> None:
        if self._logging(len(nodes) + len(edges)):
            self._log(list(nodes), [(row["uid"], row["source"], row["target"])
                                    for row in self.rows("edges", "uid", edges)])
        for table, uids in (("edges", edges), ("nodes", nodes)):
            self.db.executemany(f"DELETE FROM {table} WHERE uid = ?", [(u,) for u in uids])  # noqa: S608
        self._written()

    @cached_property
    def revision(self) -> int:
        """The revision this transaction makes: one for all it writes, so every revision is a
        state of the file some process may have read."""
        return _revision(self.db) + 1

    def _logging(self, changes: int) -> bool:
        """Whether this transaction's changes are logged: not once it has changed more than
        LOGGED_CHANGES (meta log_from: a process holding an older graph then reads it whole)."""
        self.logged += changes
        if self.logged > LOGGED_CHANGES:
            _set_meta(self.db, "log_from", self.revision)
            return False
        return True

    def _log(self, nodes: list[str], edges: list[tuple[str, str, str]]) -> None:
        """Log the nodes and edges (with their ends) this transaction changes, and the rows
        they replace (none: new)."""
        revision = self.revision
        self.db.executemany("INSERT INTO changes VALUES (?,?,0,NULL,NULL)",
                            [(revision, uid) for uid in nodes])
        self.db.executemany("INSERT INTO changes VALUES (?,?,1,?,?)",
                            [(revision, *ends) for ends in edges])
        edge_uids = [uid for uid, *_ in edges]
        for kind, table, uids in (("node", "nodes", nodes), ("edge", "edges", edge_uids)):
            replaced = {row["uid"]: dumps(dict(row)) for row in self.rows(table, "uid", uids)}
            self.db.executemany("INSERT INTO undo VALUES (?,?,?,?)",
                                [(revision, kind, uid, replaced.get(uid)) for uid in uids])
        if revision % 100 == 0:  # now and then, forget the oldest changes
            for table in ("changes", "undo"):
                self.db.execute(f"DELETE FROM {table} WHERE revision <= ?",  # noqa: S608
                                (revision - KEPT_REVISIONS,))
            _set_meta(self.db, "log_from", max(_meta(self.db, "log_from"),
                                               revision - KEPT_REVISIONS))

    def keep(self, statements: list[Statements], dropped: list[str],
             editions: list[tuple[Edition, Uids]], dropped_editions: list[tuple[str, str]]
             ) -> None:
        self.db.executemany("DELETE FROM statements WHERE uid = ?", [(u,) for u in dropped])
        # in uid order: SQLite appends to the table's tree instead of inserting all over it
        self.db.executemany("INSERT OR REPLACE INTO statements VALUES (?,?,?,?)", [
            (row.uid, *(row.ends or (None, None)), row.to_json())
            for row in sorted(statements, key=attrgetter("uid"))])
        keys = [*dropped_editions, *(e.key for e, _ in editions)]
        if self._logging(0):  # the editions replaced: which spoke before (_voices_before)
            self.db.executemany("INSERT INTO undo VALUES (?,'edition',?,?)", [
                (self.revision, dumps(key), self._edition_body(key)) for key in keys])
        self.db.executemany("DELETE FROM editions WHERE source = ? AND as_of = ?",
                            dropped_editions)
        self.db.executemany("INSERT OR REPLACE INTO editions VALUES (?,?,?,?)", [
            (e.source, e.as_of, dumps(e.model_dump()), dumps(uids)) for e, uids in editions])
        self._written()

    def _edition_body(self, key: tuple[str, str]) -> str | None:
        row = self.db.execute("SELECT body FROM editions WHERE source = ? AND as_of = ?",
                              key).fetchone()
        return row["body"] if row else None

    def _written(self) -> None:
        """After every write: the file is no longer empty, and at this transaction's revision."""
        self.empty = False
        _set_meta(self.db, "revision", self.revision)
        _set_meta(self.db, "undo_through", self.revision)

    def begin(self) -> None:
        """At the start of a write transaction: the table of replaced rows there, and its reach
        cut where a govgraph that keeps none wrote since the last revision it holds. Into an
        empty file, the rows go in without the indexes, which are made after them (``end``):
        sorted once, not kept up row by row, seconds less for a city."""
        for statement in UNDO_SCHEMA:
            self.db.execute(statement)
        if _meta(self.db, "undo_through") != _revision(self.db):
            _set_meta(self.db, "undo_from", _revision(self.db))
        self.indexes_later = self.empty
        if self.indexes_later:
            for name in INDEXES:
                self.db.execute(f"DROP INDEX IF EXISTS {name}")

    def end(self) -> None:
        """At the end of a write transaction that began on an empty file: its indexes made."""
        if self.indexes_later:
            for statement in CREATE_INDEXES:
                self.db.execute(statement)


def _meta(db: sqlite3.Connection, key: str) -> int:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return int(row["value"]) if row else 0


def _set_meta(db: sqlite3.Connection, key: str, value: int) -> None:
    db.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = ?",
               (key, str(value), str(value)))


def _revision(db: sqlite3.Connection) -> int:
    return _meta(db, "revision")


def _empty(db: sqlite3.Connection) -> bool:
    """Whether the file holds no edition, statement, node or edge."""
    return not db.execute(" UNION ALL ".join(
        f"SELECT 1 FROM (SELECT 1 FROM {table} LIMIT 1)"  # noqa: S608
        for table in ("editions", "statements", "nodes", "edges"))).fetchone()


class EmbeddedStore(HeldInMemory):
    backend = "embedded"
    revision_is_local = True

    def __init__(self, path: Path):
        self.file = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None,
                                       timeout=30)
            self._db.row_factory = sqlite3.Row
            self._db.create_function("code_points", 1, len, deterministic=True)  # KEYS_IN_ORDER
            # revisions are read on a connection of their own: asking whether the file changed
            # never waits on a whole graph being read, so a service can ask on its event loop
            self._revision_db = sqlite3.connect(path, check_same_thread=False,
                                                isolation_level=None, timeout=30)
            self._revision_db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=DELETE")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, "
                             "value TEXT NOT NULL)")
            version = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if version is not None and version["value"] != SCHEMA_VERSION:
                raise StoreUnavailable(
                    f"{path} has store format {version['value']}, this govgraph reads "
                    f"{SCHEMA_VERSION}: load its files again into a new store")
            self._db.executescript(SCHEMA)
            if version is None:
                self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            if self._db.execute("SELECT 1 FROM meta WHERE key = 'log_from'").fetchone() is None:
                # the log starts now: writes before it (by an older govgraph) are not in it
                _set_meta(self._db, "log_from", _revision(self._db))
        except sqlite3.DatabaseError as error:
            hint = ("; the store file or its folder is read-only, and the store needs to finish "
                    "an interrupted write first" if "readonly" in str(error) else "")
            raise StoreUnavailable(f"cannot open the embedded store {path}: {error}{hint}"
                                   ) from error
        except OSError as error:
            raise StoreUnavailable(f"cannot create the embedded store {path}: {error}") from error
        self._lock = threading.RLock()
        self._revision_lock = threading.Lock()
        self._graph: nx.MultiDiGraph | None = None
        self._graph_version: int | None = None
        # the editions speaking in it (Timeline.voices); None: not known (read as a write landed)
        self._voices: Voices | None = None
        self._editions: tuple[int | None, list[Edition]] = (None, [])
        self._search: tuple[KeyIndex | None, int | None] = (None, None)
        self.refreshed = ""  # how the graph was last brought up to date: "whole" or "changes"

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                raise self._cannot_write(error) from error
            try:
                yield self._db
            except BaseException:
                self._rollback()
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.OperationalError as error:
                self._rollback()
                raise self._cannot_write(error) from error

    def _cannot_write(self, error: sqlite3.Error) -> WriteFailed:
        """The error of a failed write, with what usually causes it."""
        text = str(error)
        hint = ("; is the disk full?" if "full" in text or "I/O" in text
                else "; is the store file or its folder read-only?" if "readonly" in text
                else "")
        return WriteFailed(f"cannot write to {self.file}: {text}{hint}; nothing was written, "
                           "and the store keeps what it held")

    def _rollback(self) -> None:
        """Undo the open transaction. SQLite may have undone it already (a full disk does
        that), and then there is nothing to undo: the first error is the one to report."""
        if self._db.in_transaction:
            try:
                self._db.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    def _in_write_transaction(self, work: Callable[[WriteTransaction], T]) -> T:
        try:
            with self._transaction() as db:
                write = _Write(db, empty=_empty(db))
                write.begin()
                done = work(write)
                write.end()
                return done
        except sqlite3.OperationalError as error:
            raise self._cannot_write(error) from error

    def get_nodes(self, uids: Iterable[str]) -> dict[str, Node]:
        with self._lock:
            return _Write(self._db).nodes(list(uids))

    def editions(self) -> list[Edition]:
        """Read again only when the file changed: every question as of a date asks."""
        with self._lock:
            revision = self.revision()
            if self._editions[0] != revision:
                self._editions = (revision, self._read_editions())
            return list(self._editions[1])

    def _read_editions(self) -> list[Edition]:
        rows = self._db.execute("SELECT body FROM editions ORDER BY source, as_of")
        return [Edition.model_validate_json(r["body"]) for r in rows]

    def edition_uids(self, key: tuple[str, str]) -> Uids:
        with self._lock:
            return _Write(self._db).edition_uids(key)

    def statements(self, uids: Iterable[str]) -> dict[str, Statements]:
        with self._lock:
            return _Write(self._db).statements(list(uids))

    def statement_edges_at(self, uids: Iterable[str]) -> set[str]:
        with self._lock:
            return _Write(self._db).statement_edges_at(list(uids))

    def statements_of_type(self, type_name: str) -> list[Statements]:
        prefix = NODE_TYPES[type_name].uid_prefix + ":"  # a uid's prefix names its type
        with self._lock:
            rows = self._db.execute("SELECT body FROM statements WHERE uid >= ? AND uid < ?",
                                    (prefix, prefix[:-1] + ";")).fetchall()
        return [Statements.of_json(row["body"]) for row in rows]

    def all_statements(self) -> Iterator[Statements]:
        with self._lock:
            rows = self._db.execute("SELECT body FROM statements").fetchall()
        return (Statements.of_json(row["body"]) for row in rows)

    def edges_of(self, uid: str) -> list[Edge]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM edges WHERE source = ? UNION SELECT * FROM edges WHERE target = ?"
                " ORDER BY type, uid", (uid, uid)).fetchall()
        return [_edge(row) for row in rows]

    def search(self, query: str, types: list[str], first: int) -> tuple[list[str], int]:
        """Scans the search keys held in memory (graph.search.KeyIndex; LIKE over the table
        took 45 ms at city size), outside the store's lock (a new write makes a new index)."""
        with self._lock:
            index = self._key_index()
        return index.best(query, [NODE_TYPES[t].uid_prefix + ":" for t in types], first)

    def prepare(self) -> bool:
        """The graph and its profiles (see HeldInMemory), and the search keys: the first search
        in a process reads them (0.5 s at city size), not its caller. Then the graphs of the
        last few past revisions whose editions still speak at a date before today's, taken
        back: what a process serving across those writes keeps (``_graph_replaced``), so one
        started after them answers as of the month before the last upload at once too."""
        super().prepare()
        with self._lock:
            self._key_index()
        graph, revision = self.held()
        editions = self.editions()
        past: dict[Voices, int] = {}  # the editions, and the latest revision they spoke before
        with self._lock, self._reading():
            for since, voices in self._voices_before():
                if voices not in past and of_a_past_date(voices, editions):
                    past[voices] = since
                    if len(past) == AS_OF_CACHED:
                        break
        for voices, since in reversed(past.items()):  # the latest kept last, as writes keep them
            back = self._undone_since(graph, revision, since)
            if back is not None and self.revision() == revision:  # else of an older graph
                self._keep_as_of((revision, voices), back)
        return True

    def _key_index(self) -> KeyIndex:
        """The search keys, held from the first search (or ``prepare``) on and brought up to
        date as the graph is: by the logged changes, in a new index (a search may be scanning
        the one before), else read whole."""
        revision = self.revision()
        index, version = self._search
        if index is not None and version != revision:
            logged = self._logged_since(version)
            if logged is not None:
                changed = [row["uid"] for row in logged if not row["is_edge"]]
                index = index.changed(changed, map(
                    _entry, _Write(self._db).rows("nodes", "uid", changed)))
            else:
                index = None
        if index is None:
            index = KeyIndex.of(map(_entry, self._db.execute(KEYS_IN_ORDER)), in_order=True)
        self._search = (index, revision)
        return index

    def nodes_of_type(self, type_name: str) -> list[Node]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM nodes WHERE type = ? ORDER BY uid",
                                    (type_name,)).fetchall()
        return [node_of_fields(row) for row in rows]

    def whole_graph(self) -> nx.MultiDiGraph:
        return self.snapshot()

    def stats(self) -> Stats:
        with self._lock:
            count = "SELECT type, COUNT(*) AS n FROM {} GROUP BY type ORDER BY type"
            return Stats(
                nodes={r["type"]: r["n"] for r in self._db.execute(count.format("nodes"))},
                edges={r["type"]: r["n"] for r in self._db.execute(count.format("edges"))},
            )

    def held(self) -> tuple[nx.MultiDiGraph, int | None]:
        """The graph and the revision it was brought to: a write committed since is not in it,
        so what is made of it is not taken for the newer revision."""
        with self._lock:
            return self.snapshot(), self._graph_version

    def revision(self) -> int:
        """A counter every committed write raises, whichever process or connection made it."""
        with self._revision_lock:
            return _revision(self._revision_db)

    def snapshot(self) -> nx.MultiDiGraph:
        """The whole graph, brought up to date when the file changed: by the logged changes
        since the graph held (a register's upload: milliseconds), else read whole."""
        with self._lock:
            if self._graph is not None and self._graph_version == self.revision():
                return self._graph
            if self._graph is not None:
                changed = self._changed_graph()
                if changed is not None:
                    return changed
                gc.unfreeze()  # let the collector free the old graph
                self._graph = None
            revision, editions = _revision(self._db), self._read_editions()
            self._graph_replaced(revision)  # nothing made of the old graph is kept while reading
            graph = self._read_graph()
            exact = _revision(self._db) == revision  # else a write landed while reading
            self._hold(graph, revision, editions if exact else None, "whole")
            settle_long_lived()
            return self._graph

    def _changed_graph(self) -> nx.MultiDiGraph | None:
        """The graph held brought up to date by the changes logged since, and held; None when
        the log does not reach back that far. The graph it replaces, and the graphs of dates,
        serve on as graphs of dates (``_graph_replaced``)."""
        with self._reading():  # the revision, the changes and the editions agree
            revision = _revision(self._db)
            logged = self._logged_since(self._graph_version)
            if logged is None:
                return None
            editions = self._read_editions()
            held, held_voices = self._graph, self._voices
            graph, touched = self._apply_changes(held, logged)
        self._carry_profiles(held, graph, revision, touched)
        self._hold(graph, revision, editions, "changes")
        self._graph_replaced(revision, editions,
                             None if held_voices is None else (held_voices, held))
        return graph

    def _hold(self, graph: nx.MultiDiGraph, revision: int, editions: list[Edition] | None,
              how: str) -> None:
        """Hold ``graph`` as the file at ``revision``, made of ``editions`` (None: not known
        for sure, a write landed while reading)."""
        self._graph, self._graph_version, self.refreshed = graph, revision, how
        if editions is not None:
            self._editions = (revision, editions)
        self._voices = None if editions is None else Timeline(editions).voices

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """One read transaction: all read in it is of one revision. (Never asked for inside a
        write's transaction, whose rows are not yet committed: BEGIN would fail.)"""
        self._db.execute("BEGIN")
        try:
            yield
        finally:
            if self._db.in_transaction:  # SQLite may have ended it on an error
                self._db.execute("COMMIT")

    def _logged_since(self, version: int | None) -> list[sqlite3.Row] | None:
        """The changes logged since revision ``version`` (uid, is_edge, source, target), oldest
        first; None when the log does not reach back that far (then read the file whole)."""
        if version is None or version < _meta(self._db, "log_from"):
            return None
        return self._db.execute("SELECT uid, is_edge, source, target FROM changes "
                                "WHERE revision > ? ORDER BY revision", (version,)).fetchall()

    def _apply_changes(self, graph: nx.MultiDiGraph, rows: list[sqlite3.Row]
                       ) -> tuple[nx.MultiDiGraph, set[str]]:
        """``graph`` brought to the file's present content by the changes logged since it
        (``rows``): each node and edge the log names put as the file holds it, or removed (see
        ``_put``)."""
        now = _Write(self._db)
        nodes = [row["uid"] for row in rows if not row["is_edge"]]
        present = now.nodes(nodes)
        edges = now.edges(dict.fromkeys([row["uid"] for row in rows if row["is_edge"]], ""))
        return _put(graph, rows, {uid: present.get(uid) for uid in nodes}, edges.values())

    def _graph_back(self, graph: nx.MultiDiGraph, revision: Hashable, voices: Voices
                    ) -> nx.MultiDiGraph | None:
        """``graph``, held at ``revision``, taken back to the latest revision before at which
        the editions ``voices`` spoke (Timeline.voices), by what the writes since replaced
        (table undo): a month's upload, then a question as of the month before, in a process
        started after the upload (what it changed, not what its edition states: milliseconds).
        None when the log reaches back to no such revision (an edition of a past date loaded
        or unloaded since: that date speaks otherwise than ever before)."""
        with self._lock, self._reading():
            since = next((at for at, spoke in self._voices_before() if spoke == voices), None)
        return None if since is None else self._undone_since(graph, revision, since)

    def _undone_since(self, graph: nx.MultiDiGraph, revision: Hashable, since: int
                      ) -> nx.MultiDiGraph | None:
        """``graph``, held at ``revision``, with every change of revision ``since`` and later
        undone, and the profiles made of it that serve the result; None when the file is no
        longer at ``revision`` (then ``since`` may not be of the log it has)."""
        with self._lock, self._reading():
            if _revision(self._db) != revision:
                return None
            logged = self._db.execute("SELECT uid, is_edge, source, target FROM changes "
                                      "WHERE revision >= ?", (since,)).fetchall()
            before: dict[tuple[str, str], str | None] = {}
            for row in self._db.execute(  # the earliest change since: the row as it was then
                    "SELECT kind, key, before FROM undo WHERE kind != 'edition' AND revision >= ?"
                    " ORDER BY revision DESC, rowid DESC", (since,)):
                before[row["kind"], row["key"]] = row["before"]
        nodes = {uid: None if row is None else node_of_fields(json.loads(row))
                 for (kind, uid), row in before.items() if kind == "node"}
        edges = [_edge(json.loads(row)) for (kind, _), row in before.items()
                 if kind == "edge" and row is not None]
        back, touched = _put(graph, logged, nodes, edges)
        self._carry_profiles(graph, back, revision, touched)
        return back

    def _voices_before(self) -> Iterator[tuple[int, Voices]]:
        """Each revision the log reaches, newest first, with the editions that spoke just
        before it (Timeline.voices), by the editions it replaced (table undo)."""
        revision = _revision(self._db)
        if not revision or _meta(self._db, "undo_through") != revision:
            return  # nothing written yet, or by an earlier govgraph since (or ever)
        editions = {e.key: e for e in self._read_editions()}
        reach = max(_meta(self._db, "log_from"), _meta(self._db, "undo_from"))
        replaced = self._db.execute(
            "SELECT revision, key, before FROM undo WHERE kind = 'edition' AND revision > ?"
            " ORDER BY revision DESC, rowid DESC", (reach,)).fetchall()
        for revision, rows in groupby(replaced, itemgetter("revision")):
            for row in rows:
                key = tuple(json.loads(row["key"]))
                editions.pop(key, None)
                if row["before"] is not None:
                    editions[key] = Edition.model_validate_json(row["before"])
            yield revision, Timeline(editions.values()).voices

    def _read_graph(self) -> nx.MultiDiGraph:
        graph = HeldGraph()
        for row in self._db.execute("SELECT * FROM nodes"):
            add_node(graph, node_of_fields(row))
        alike: EdgesAlike = {}
        for row in self._db.execute("SELECT * FROM edges"):
            add_edge(graph, _edge(row), alike)
        share_alike_keys(graph)
        forget_texts_read()
        return graph

    def close(self) -> None:
        with self._lock, self._revision_lock:
            self._db.close()
            self._revision_db.close()
