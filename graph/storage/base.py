"""The store interface every backend implements, its errors, and what backends share.

Backends take and return the typed values of ``graph.model``; failures are exceptions, never
status values. A backend keeps what every edition of every source said (graph.editions) and the
current graph derived from it; it supplies a write transaction and the parts of the graph a
question needs. Loading and unloading are written here once, for every backend, and the
questions are answered from those parts by the service layer (govgraph.service.core).
"""

from __future__ import annotations

import ctypes
import gc
import sys
import threading
import weakref
from abc import ABC, abstractmethod
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, TypeVar

import networkx as nx
from pydantic import BaseModel

from govgraph.graph.algorithms import (
    Expand,
    Line,
    compound_profiles,
    compounds_under,
    copy_changing,
    differing,
    joined_from_below_only,
    outgoing,
    places_under,
)
from govgraph.graph.answers import CompoundProfile
from govgraph.graph.editions import (
    ClaimSaid,
    Statements,
    Timeline,
    Voices,
    claims_at,
    derive,
    derive_graph,
    derive_into,
    said_of,
)
from govgraph.graph.facts import Fact, needed
from govgraph.graph.model import (
    Batch,
    Conflict,
    Edge,
    Edition,
    EditionBatch,
    EditionChange,
    LoadSummary,
    Node,
)
from govgraph.graph.rules import declared_facts
from govgraph.graph.search import keys_ahead
from govgraph.graph.vocabulary import COMMITTEES, PLACES

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")
AS_OF_CACHED = 4  # graphs of past dates kept per store (a city's is a few hundred MB)
AS_OF_DATES = 64  # dates asked at the store's present revision, each with its graph
_AS_OF_LOCK = threading.Lock()
SCOPES_PROFILED = 8  # scopes whose compounds' profiles a store fetching parts keeps


@dataclass
class _Kept:
    """What is made of a graph held in memory, at one revision with every fact declared: its
    compounds' profiles, and the compounds of each scope asked (a whole city's: 13,609 of
    97,000 nodes, sorted)."""

    key: tuple[Hashable, frozenset[Fact]]
    profiles: dict[str, CompoundProfile] = field(default_factory=dict)
    compounds: dict[str | None, list[str]] = field(default_factory=dict)


def _keep_at(kept: OrderedDict[tuple[Hashable, K], V], at: Hashable, item: K, value: V,
             most: int) -> None:
    """Keep ``value`` of ``item`` as made at ``at`` (a revision): what was made at any other is
    dropped (it cannot serve again), and the oldest beyond ``most``."""
    for older in [key for key in kept if key[0] != at]:
        del kept[older]
    kept[at, item] = value
    while len(kept) > most:
        kept.popitem(last=False)


def of_a_past_date(voices: Voices, editions: list[Edition]) -> bool:
    """Whether ``voices`` (Timeline.voices) are the editions speaking at some date, but not
    today: then they speak at the latest of their own dates.

    >>> may, june = (Edition(source=s, as_of=d, kind="register") for s, d in
    ...              (("a", "2024-05-31"), ("b", "2024-06-30")))
    >>> a, b = ("a", "2024-05-31", ""), ("b", "2024-06-30", "")
    >>> [of_a_past_date(frozenset(v), [may, june]) for v in ((), (a,), (a, b), (b,))]
    [True, True, False, False]
    """
    at = max((as_of for _, as_of, _ in voices), default="")
    return Timeline(editions, at).voices == voices != Timeline(editions).voices


_PROFILES: weakref.WeakKeyDictionary[nx.MultiDiGraph, _Kept] = weakref.WeakKeyDictionary()
_PROFILES_LOCK = threading.Lock()


def settle_long_lived() -> None:
    """After making what lives as long as the graph (millions of objects at city size): collect
    what was let go, give back to the system what the C allocator keeps of it (glibc keeps some
    20 MB of a city's graph read: the texts read, the rows), and keep the cyclic collector from
    walking what is left again and again (it stalls answers for 100s of ms)."""
    gc.collect()
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)
    gc.freeze()


# glibc's; no other C library has it (and ctypes.CDLL(None) fails on Windows)
_MALLOC_TRIM = (getattr(ctypes.CDLL(None), "malloc_trim", None)
                if sys.platform.startswith("linux") else None)


@contextmanager
def collector_paused() -> Iterator[None]:
    """A load makes millions of objects without cycles; the cyclic collector would walk them
    again and again (15% of a district's load)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class StoreError(Exception):
    """Base of every store failure."""


class StoreUnavailable(StoreError):
    """The store cannot be opened or reached (missing, read-only, locked, down)."""


class NodeNotFound(StoreError):
    def __init__(self, uid: str, why: str = ""):
        self.uid = uid
        super().__init__(f"no node with uid {uid!r}" + (f" {why}" if why else ""))


class WriteFailed(StoreError):
    """A write the store refused or could not finish (full disk, read-only file, locked):
    nothing of it was written."""


class InvalidQuery(StoreError):
    """A question asked with a parameter that cannot be right (the message says which, why)."""


class ConflictingFacts(StoreError):
    """A batch states a uid as something else than the store holds: another type, or an edge
    between other ends. (Different values of a fact are not an error: see graph.editions.)"""

    def __init__(self, conflicts: list[Conflict]):
        self.conflicts = conflicts
        lines = [f"{c.uid}: is {c.existing}, the batch says {c.incoming}" for c in conflicts]
        super().__init__("conflicting facts:\n" + "\n".join(lines))


class DanglingEdges(StoreError):
    """A batch has edges whose ends are neither in the batch nor in the store."""

    def __init__(self, edges: list[Edge]):
        self.edges = edges
        super().__init__("edges with missing ends: " + ", ".join(e.uid for e in edges[:20]))


class SourceNotFound(StoreError):
    """An unload names a source (or an edition of it) that was never loaded."""


class WriteTransaction(Protocol):
    """What loading and unloading need of a backend, inside its write transaction: the current
    graph, the statements it is derived from, and the editions."""

    def nodes(self, uids: list[str]) -> dict[str, Node]:
        """The current nodes of these uids."""

    def edges(self, types: dict[str, str]) -> dict[str, Edge]:
        """The current edges of these uids (uid → its relationship type)."""

    def present(self, uids: list[str]) -> set[str]:
        """Which of these uids are current nodes."""

    def statements(self, uids: list[str]) -> dict[str, Statements]:
        """The statements kept of these uids (nodes or edges)."""

    def statement_edges_at(self, uids: list[str]) -> set[str]:
        """The uids of the edges with statements kept that start or end at these nodes."""

    def editions(self, sources: list[str]) -> list[Edition]:
        """Every edition of these sources."""

    def edition_uids(self, key: tuple[str, str]) -> Uids:
        """The uids of the nodes and the edges an edition states."""

    def write(self, nodes: list[Node], edges: list[Edge]) -> None:
        """Store these current nodes, then edges (new, or replacing those of the same uid)."""

    def delete(self, nodes: dict[str, str], edges: dict[str, str]) -> None:
        """Remove these current edges, then nodes (uid → type)."""

    def keep(self, statements: list[Statements], dropped: list[str],
             editions: list[tuple[Edition, Uids]], dropped_editions: list[tuple[str, str]]
             ) -> None:
        """Store these statements and editions with their uids (new, or replacing), remove the
        statements of the ``dropped`` uids and the editions of the (source, as_of) keys."""


Uids = tuple[list[str], list[str]]  # an edition's nodes and edges
# Told of long work as it goes: what is being done, and how much of how much (0 of 0: no count).
# A city's load is most of a minute; a bar standing full after its files were read says nothing.
ProgressCallback = Callable[[str, int, int], None]
PROGRESS_EVERY = 5_000  # uids derived between two tellings


def untold(_step: str, _done: int, _total: int) -> None:
    """Progress told to no one."""


class _Plan:
    """A load or unload inside one write transaction: editions put in or taken out, then the
    current form of every uid that can have changed derived again (editions.derive), checked
    and written. Nothing is written before everything is planned and checked."""

    def __init__(self, tx: WriteTransaction, loaded_at: str, progress: ProgressCallback = untold):
        self.tx = tx
        self.loaded_at = loaded_at
        self.progress = progress
        self.before: dict[str, Statements | None] = {}
        self.rows: dict[str, Statements | None] = {}
        self.stored_editions: dict[tuple[str, str], Edition] = {}
        self.editions: dict[tuple[str, str], Edition] = {}
        self.uids: dict[tuple[str, str], Uids] = {}  # of the editions touched
        self.sources_read: set[str] = set()
        self.affected: set[str] = set()
        self.anchors: set[str] = set()  # nodes whose facet claims change effect
        self.batches: dict[tuple[str, str], EditionBatch] = {}  # loaded, changed or not
        self.conflicts: list[Conflict] = []
        self.changed_editions: list[EditionChange] = []

    def _read(self, uids: Iterable[str]) -> None:
        missing = [u for u in uids if u not in self.rows]  # callers name each uid once
        found = self.tx.statements(missing) if missing else {}
        for uid in missing:
            self.rows[uid] = self.before[uid] = found.get(uid)

    def _read_editions(self, sources: Iterable[str]) -> None:
        missing = sorted(set(sources) - self.sources_read)
        if missing:
            for edition in self.tx.editions(missing):
                self.editions[edition.key] = self.stored_editions[edition.key] = edition
        self.sources_read |= set(missing)

    def _latest(self, source: str) -> Edition | None:
        editions = [e for e in self.editions.values() if e.source == source]
        return max(editions, key=lambda e: e.as_of, default=None)

    def _uids(self, key: tuple[str, str]) -> Uids:
        if key not in self.uids:
            self.uids[key] = self.tx.edition_uids(key)
        return self.uids[key]

    def _touch(self, edition: Edition) -> None:
        """Everything an edition states can change, and the facets it claims."""
        nodes, edges = self._uids(edition.key)
        self._read([*nodes, *edges])
        self.affected |= {*nodes, *edges}
        self.anchors |= {u for u in nodes if (row := self.rows[u])
                         and any(c.key == edition.key for c in row.claims)}

    def editions_of(self, source: str) -> list[Edition]:
        self._read_editions([source])
        return sorted((e for e in self.editions.values() if e.source == source),
                      key=lambda e: e.as_of)

    def drop(self, key: tuple[str, str]) -> None:
        """Take one edition's statements out."""
        self._read_editions([key[0]])
        speaker = self._latest(key[0])
        edition = self.editions.pop(key)
        self._touch(edition)
        nodes, edges = self._uids(key)
        for uid in [*nodes, *edges]:
            row = self.rows[uid]
            if row is not None:
                kept = row.without(key)
                self.rows[uid] = None if kept.empty else kept
        for changed in self._speakers_changed(key[0], speaker):
            self._touch(changed)

    def put(self, batch: EditionBatch) -> None:
        """Put one edition in, replacing the one of the same source and date."""
        edition = batch.edition.model_copy(update={
            "loaded_at": self.loaded_at, "nodes": len(batch.nodes), "edges": len(batch.edges)})
        self._read_editions([edition.source])
        old = self.editions.get(edition.key)
        change = "added" if old is None else "unchanged" if self._same(old, batch) \
            else "replaced"
        self.changed_editions.append(EditionChange(source=edition.source, as_of=edition.as_of,
                                                   change=change))
        self.batches[edition.key] = batch  # the last of a key, if a batch holds it twice
        if change == "unchanged":  # loaded again: nothing to do
            return
        if old is not None:
            self.drop(old.key)
        speaker = self._latest(edition.source)
        self.editions[edition.key] = edition
        self.uids[edition.key] = (sorted(batch.nodes), sorted(batch.edges))
        self._read([*batch.nodes, *batch.edges])
        for item in batch.items():
            ends = (item.source, item.target) if isinstance(item, Edge) else None
            row, said = self.rows[item.uid], said_of(item, edition)
            if row is None:  # most of a first load: made once, not made and then copied
                self.rows[item.uid] = Statements(item.uid, item.type, ends, [said], [])
            elif row.type != item.type or row.ends != ends:
                stored, stated = (f"{row.type} {row.ends or ''}".strip(),
                                  f"{item.type} {ends or ''}".strip())
                self.conflicts.append(Conflict(uid=item.uid, field="type", existing=stored,
                                               incoming=stated))
            else:
                self.rows[item.uid] = row.saying([*row.said, said], row.claims)
        for claim in batch.claims:
            anchor = self.rows[claim.anchor]
            assert anchor is not None, f"a claim of {claim.anchor}, which its edition omits"
            self.rows[claim.anchor] = anchor.saying(
                anchor.said, [*anchor.claims, ClaimSaid.of(claim, edition)])
        # touched (_touch) as its rows were just read: all it states, and the nodes it claims of
        self.affected.update(batch.nodes)
        self.affected.update(batch.edges)
        self.anchors.update(c.anchor for c in batch.claims if c.anchor in batch.nodes)
        for changed in self._speakers_changed(edition.source, speaker):
            if changed.key != edition.key:
                self._touch(changed)

    def _stated(self) -> dict[str, tuple[str, str]]:
        """The uids the loaded editions state: kind, type."""
        return {uid: (kind, item.type) for batch in self.batches.values()
                for kind, items in (("nodes", batch.nodes), ("edges", batch.edges))
                for uid, item in items.items()}

    def _same(self, old: Edition, batch: EditionBatch) -> bool:
        """Whether an edition states exactly what the stored one of its key does."""
        if self._uids(old.key) != (sorted(batch.nodes), sorted(batch.edges)):
            return False
        self._read([*batch.nodes, *batch.edges])
        claims: dict[str, list[ClaimSaid]] = {}
        for claim in batch.claims:
            claims.setdefault(claim.anchor, []).append(ClaimSaid.of(claim, old))
        for item in batch.items():
            row = self.rows[item.uid]
            if row is None or [s for s in row.said if s.key == old.key] != [said_of(item, old)] \
                    or [c for c in row.claims if c.key == old.key] != claims.get(item.uid, []):
                return False
        return True

    def _speakers_changed(self, source: str, before: Edition | None) -> list[Edition]:
        """The editions whose statements change effect since the source's speaking edition was
        ``before``: both, if it is another now."""
        after = self._latest(source)
        if (before and before.key) == (after and after.key):
            return []
        return [edition for edition in (before, after) if edition is not None]

    def finish(self, dry_run: bool) -> LoadSummary:
        """Derive what changed, check it, write it (unless ``dry_run``)."""
        if self.conflicts:
            raise ConflictingFacts(self.conflicts)
        tx = self.tx
        if self.anchors:
            self.affected |= tx.statement_edges_at(sorted(self.anchors))
        self._read(self.affected)
        if self.anchors:
            self.affected |= {u for u, row in self.rows.items() if row is not None
                              and row.ends is not None and not self.anchors.isdisjoint(row.ends)}
        # every uid that has, or had, statements: its type and ends; in the order read, which
        # is the order made (a city's 268,000 walked in memory's order, not a set's: 2× faster)
        known = {u: row for u, now in self.rows.items()
                 if u in self.affected and (row := now or self.before[u])}
        self._read({end for row in known.values() if row.ends for end in row.ends})
        # the sources said, not by Statements.sources: two sets a row, for a city's 268,000
        self._read_editions({s.source for row in self.rows.values() if row for s in row.said}
                            | {c.source for row in self.rows.values() if row for c in row.claims})
        timeline = Timeline(self.editions.values())
        derived: dict[str, Node | Edge | None] = {}
        for done, uid in enumerate(known):
            if done % PROGRESS_EVERY == 0:
                self.progress("deriving nodes and relationships", done, len(known))
            now = self.rows[uid]
            derived[uid] = None if now is None else derive(now, timeline,
                                                           claims_at(now.ends, self.rows))
        current: dict[str, Node | Edge] = {
            **tx.nodes([u for u, row in known.items() if row.ends is None]),
            **tx.edges({u: row.type for u, row in known.items() if row.ends is not None})}
        self._check_ends(derived, current)

        summary = LoadSummary(dry_run=dry_run, editions=self.changed_editions)
        changes: Counter[tuple[str, str, str]] = Counter()
        writes: list[Node | Edge] = []
        deletes: dict[str, Statements] = {}
        same: list[str] = []
        for uid in sorted(known):
            row = known[uid]
            kind = "nodes" if row.ends is None else "edges"
            new, old = derived[uid], current.get(uid)
            if new is None and old is None:
                continue
            if new is None:
                deletes[uid] = row
                changes[kind, row.type, "removed"] += 1
            elif old is None or new != old:
                writes.append(new)
                changes[kind, row.type, "created" if old is None else "updated"] += 1
            else:
                same.append(uid)
        # what is stated and stays as it was: every uid an edition put in states has a row, so
        # is known and counted above; only the uids derived alike, and those of editions loaded
        # again unchanged (not touched), are counted here (a first load has none: no pass)
        if same or any(e.change == "unchanged" for e in self.changed_editions):
            stated = self._stated()
            for uid in (*same, *(u for u in stated if u not in known)):
                if uid in stated:
                    changes[(*stated[uid], "unchanged")] += 1
        summary.count(changes)
        if dry_run:
            return summary
        self.progress("writing", 0, 0)
        kept = [row for u, row in self.rows.items()
                if row is not None and ((before := self.before[u]) is None or row != before)]
        dropped = [u for u, row in self.rows.items() if row is None and self.before[u]]
        editions = [(e, self.uids[k]) for k, e in self.editions.items()
                    if self.stored_editions.get(k) != e]
        gone = sorted(self.stored_editions.keys() - self.editions.keys())
        if kept or dropped or editions or gone:
            tx.keep(kept, dropped, editions, gone)
        if deletes:
            tx.delete({u: row.type for u, row in deletes.items() if row.ends is None},
                      {u: row.type for u, row in deletes.items() if row.ends is not None})
        if writes:
            tx.write([w for w in writes if isinstance(w, Node)],
                     [w for w in writes if isinstance(w, Edge)])
        return summary

    def _check_ends(self, derived: dict[str, Node | Edge | None],
                    current: dict[str, Node | Edge]) -> None:
        """Every edge the change leaves must have both ends: raise DanglingEdges if not."""
        edges = [e for e in derived.values() if isinstance(e, Edge)]
        ends = {u for e in edges for u in (e.source, e.target)}
        present = ({u for u in ends if derived.get(u) is not None}  # derived, or else stored
                   | self.tx.present(sorted(ends - derived.keys())))
        dangling = [e for e in edges if e.source not in present or e.target not in present]
        removed = sorted(u for u, item in derived.items()
                         if item is None and isinstance(current.get(u), Node))
        if removed:
            left = self.tx.statement_edges_at(removed) - derived.keys()
            rows = self.tx.statements(sorted(left))
            dangling += self.tx.edges({u: r.type for u, r in rows.items()}).values()
        if dangling:
            raise DanglingEdges(sorted(dangling, key=lambda e: e.uid))


class Stats(BaseModel):
    nodes: dict[str, int]
    edges: dict[str, int]


class GraphStore(ABC):
    """A durable graph of governance facts: a repository the service layer asks for nodes,
    edges and the parts of the graph a question reads. Writes are atomic: a batch is all in or
    all out."""

    backend: str  # the registry's name for it: "embedded", "neo4j"

    def load(self, batch: Batch, *, dry_run: bool = False, progress: ProgressCallback = untold
             ) -> LoadSummary:
        """Put a batch's editions in, in one transaction: an edition of a source and date
        already loaded is replaced, one of a new date is added; the current graph follows each
        source's latest edition. What the load changed is in the summary; ``progress`` is told
        of each step as it goes.

        Raises ConflictingFacts (a uid stated as another type, or an edge with other ends) or
        DanglingEdges, leaving the store unchanged. With ``dry_run`` nothing is written.
        """
        def work(tx: WriteTransaction) -> LoadSummary:
            plan = _Plan(tx, _now(), progress)
            for done, edition in enumerate(batch.editions):
                progress("putting the editions in", done, len(batch.editions))
                plan.put(edition)
            return plan.finish(dry_run)
        names = [] if dry_run else ((n.name, n.properties.get("aliases"))  # no keys written
                                    for e in batch.editions for n in e.nodes.values())
        with collector_paused(), keys_ahead(names):
            return self._in_write_transaction(work)

    def unload(self, source: str, as_of: str | None = None, *, dry_run: bool = False
               ) -> LoadSummary:
        """Take a source out (every edition, or the one of ``as_of``): the store is then as if
        it had never been loaded. Raises SourceNotFound, or DanglingEdges when another source's
        relationships need a node only this one states."""
        def work(tx: WriteTransaction) -> LoadSummary:
            plan = _Plan(tx, _now())
            chosen = [e for e in plan.editions_of(source) if as_of in (None, e.as_of)]
            if not chosen:
                raise SourceNotFound(f"no source {source!r} was loaded"
                                     + (f" as of {as_of}" if as_of else ""))
            for edition in chosen:
                plan.drop(edition.key)
                plan.changed_editions.append(EditionChange(
                    source=edition.source, as_of=edition.as_of, change="removed"))
            return plan.finish(dry_run)
        return self._in_write_transaction(work)

    @abstractmethod
    def editions(self) -> list[Edition]:
        """Every edition loaded, by source and date."""

    @abstractmethod
    def statements(self, uids: Iterable[str]) -> dict[str, Statements]:
        """What the editions said of these uids (nodes or edges; missing ones are absent)."""

    @abstractmethod
    def all_statements(self) -> Iterator[Statements]:
        """What the editions said of every uid."""

    @abstractmethod
    def statement_edges_at(self, uids: Iterable[str]) -> set[str]:
        """The uids of the edges any edition has stated at these nodes."""

    @abstractmethod
    def statements_of_type(self, type_name: str) -> list[Statements]:
        """What the editions said of every node of one type (current or not)."""

    @abstractmethod
    def edition_uids(self, key: tuple[str, str]) -> Uids:
        """The nodes and edges one edition (source, as_of) states."""

    def as_of(self, at: str) -> nx.MultiDiGraph:
        """The graph as the sources dated up to ``at`` (YYYY-MM-DD) said it: each source's
        latest edition by then. The last few are kept, by the editions that speak then: a date
        between the same editions, or asked again after later editions came, is not derived
        again."""
        revision = self.revision()  # the same date asked again before any write: found at once
        dates = self._as_of_dates
        with _AS_OF_LOCK:
            seen = dates.get((revision, at)) if revision is not None else None
        if seen is not None:
            return seen
        graph = self._as_of_graph(at, self.editions(), self._as_of_basis())
        if revision is not None and revision == self.revision():  # else made of a newer graph
            with _AS_OF_LOCK:
                _keep_at(dates, revision, at, graph, AS_OF_DATES)
        return graph

    def _as_of_graph(self, at: str, editions: list[Edition], basis: Hashable
                     ) -> nx.MultiDiGraph:
        timeline = Timeline(editions, at)
        held = self._held_alike(editions, timeline)
        if held is not None:
            return held
        key = (basis, timeline.voices)
        with _AS_OF_LOCK:
            cached = self._as_of_cache.get(key)
            if cached is not None:
                self._as_of_cache.move_to_end(key)
                return cached
        graph = self._derive_as_of(editions, timeline)
        if self.editions() != editions:
            return self.as_of(at)  # a write landed while deriving: derive again
        self._keep_as_of(key, graph)
        return graph

    def _keep_as_of(self, key: tuple[Hashable, Voices], graph: nx.MultiDiGraph) -> None:
        """Keep ``graph`` as the graph of the dates its editions speak at (``key``: the graph
        it was made of, and the editions), forgetting the oldest beyond AS_OF_CACHED."""
        with _AS_OF_LOCK:
            self._as_of_cache[key] = graph
            while len(self._as_of_cache) > AS_OF_CACHED:
                _, dropped = self._as_of_cache.popitem(last=False)
                for date in [d for d, kept in self._as_of_dates.items() if kept is dropped]:
                    del self._as_of_dates[date]  # nothing keeps a dropped graph alive

    def _held_alike(self, editions: list[Edition],  # noqa: ARG002
                    timeline: Timeline) -> nx.MultiDiGraph | None:  # noqa: ARG002
        """The graph the store holds, when it is the graph at the timeline's moment (never
        kept as a graph of a date: it follows later writes); None when none is held."""
        return None

    def _as_of_basis(self) -> Hashable:
        """What a graph of a date is derived from besides the statements (nothing here: each is
        derived from every statement kept, so it serves after later editions too)."""
        return None

    def _derive_as_of(self, editions: list[Edition],  # noqa: ARG002
                      timeline: Timeline) -> nx.MultiDiGraph:
        """The graph at the timeline's moment, derived from every statement kept."""
        return derive_graph({row.uid: row for row in self.all_statements()}, timeline)

    @property
    def _as_of_cache(self) -> OrderedDict[tuple[Hashable, Voices], nx.MultiDiGraph]:
        """The graphs of past dates kept, by the editions that speak then."""
        return self.__dict__.setdefault("_as_of_graphs", OrderedDict())

    @property
    def _as_of_dates(self) -> OrderedDict[tuple[Hashable, str], nx.MultiDiGraph]:
        """The dates asked at the store's present revision, each with its graph (the held one,
        or one of ``_as_of_cache``)."""
        return self.__dict__.setdefault("_as_of_dates", OrderedDict())

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
    def search(self, query: str, types: list[str], first: int) -> tuple[list[str], int]:
        """The uids of the ``first`` best nodes (of ``types``; all when empty) whose search key
        (see graph.search) contains ``query``, in ``graph.search.rank`` order, and how many
        nodes match."""

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

    def profiles(self, scope: str | None, facts: list[Fact]) -> list[CompoundProfile]:
        """What the rules read of each compound of the scope (all when None): the ``facts``.
        Where the store has a revision, the last few scopes' are kept with every fact declared,
        so the next question of the scope, by any rule or ratio, fetches nothing."""
        revision, every = self.revision(), needed(declared_facts())
        if revision is None or not set(needed(facts)) <= set(every):
            return compound_profiles(self.scope_graph(scope, facts), scope, facts)
        kept: OrderedDict[tuple[Hashable, str | None], list[CompoundProfile]] = (
            self.__dict__.setdefault("_scope_profiles", OrderedDict()))
        made = (revision, frozenset(every))  # the rules declared may change (a city's own)
        with _PROFILES_LOCK:
            profiles = kept.get((made, scope))
        if profiles is None:
            profiles = compound_profiles(self.scope_graph(scope, every), scope, every)
            with _PROFILES_LOCK:
                _keep_at(kept, made, scope, profiles, SCOPES_PROFILED)
        return profiles

    def prepare(self) -> bool:
        """Hold ahead what questions read, where the store holds it; whether it does (then
        what questions make of it is kept too). Nothing here: each question fetches its part."""
        return False

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

    # whether ``revision`` is read without a round trip to a server (then a service may ask it
    # on its event loop, for every request)
    revision_is_local = False

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class HeldInMemory(GraphStore):
    """A store whose whole graph is held in memory (the embedded store's snapshot, a graph as
    of a date): every part of the graph a question needs is all of it."""

    def scope_graph(self, scope: str | None,  # noqa: ARG002
                    facts: Iterable[Fact] = ()) -> nx.MultiDiGraph:  # noqa: ARG002
        return self.whole_graph()

    def held(self) -> tuple[nx.MultiDiGraph, Hashable | None]:
        """The graph held and the revision it is at (a graph as of a date: its base's)."""
        return self.whole_graph(), self.revision()

    def _held_alike(self, editions: list[Edition], timeline: Timeline
                    ) -> nx.MultiDiGraph | None:
        """The graph held, when the same editions speak at the timeline's moment as now."""
        if Timeline(editions).speaking != timeline.speaking:
            return None
        graph, _ = self.held()
        return graph if self.editions() == editions else None

    def _graph_replaced(self, revision: Hashable, editions: list[Edition] | None = None,
                        replaced: tuple[Voices, nx.MultiDiGraph] | None = None) -> None:
        """After the graph held was replaced by one at ``revision``. Brought up to date by the
        changes of a write, which left ``editions``, it shares all but what changed with the
        graph it replaced (``replaced``, with the editions that spoke in it; None when not
        known) and with the graphs of dates made of that one: each serves on as a graph of a
        date while its editions still speak at some date before today's (a month's upload,
        then a question as of the month before: found at once). Read whole (no ``editions``),
        the graph shares nothing with them (a city's: hundreds of MB): they are forgotten."""
        with _AS_OF_LOCK:
            for date in [key for key in self._as_of_dates if key[0] != revision]:
                del self._as_of_dates[date]
            kept = [(voices, graph) for (_, voices), graph in self._as_of_cache.items()]
            self._as_of_cache.clear()
            if editions is None:
                return
            if replaced is not None:
                kept.append(replaced)
            kept = [(voices, graph) for voices, graph in kept if of_a_past_date(voices, editions)]
            for voices, graph in kept[-AS_OF_CACHED:]:
                self._as_of_cache[revision, voices] = graph
                with _PROFILES_LOCK:  # what was made of it serves on too
                    made = _PROFILES.get(graph)
                    if made is not None:
                        made.key = (revision, made.key[1])

    def _as_of_basis(self) -> Hashable:
        """The revision of the graph held: a graph of a date is derived from it (see
        ``_derive_as_of``), and shares most of it."""
        return self.held()[1]

    def _derive_as_of(self, editions: list[Edition], timeline: Timeline) -> nx.MultiDiGraph:
        """The graph held, taken back to a past revision where one had the timeline's editions
        speaking (``_graph_back``), else with what differs at the timeline's moment derived
        again, in a copy sharing everything else: what the editions speaking then but not now
        (or now but not then) state, the edges at those nodes, and their ends (a month's
        registers: a street or a few, not the city). The profiles made of the graph held serve
        it too, but for the compounds what differs touches: a whole-city question of a date
        profiles those only."""
        graph, revision = self.held()
        back = self._graph_back(graph, revision, timeline.voices)
        if back is not None:
            return back
        now = Timeline(editions)
        uids: set[str] = set()
        for edition in editions:
            if now.speaks(edition.key) != timeline.speaks(edition.key):
                nodes, edges = self.edition_uids(edition.key)
                uids.update(nodes, edges)
        rows = self.statements(uids)
        rows.update(self.statements(self.statement_edges_at(
            [u for u, row in rows.items() if row.ends is None]) - rows.keys()))
        rows.update(self.statements({end for row in list(rows.values()) for end in row.ends or ()}
                                    - rows.keys()))
        around = {end for row in rows.values() for end in row.ends or (row.uid,)}
        changed = copy_changing(graph, around)
        derive_into(changed, rows, timeline)
        self._carry_profiles(graph, changed, revision, differing(graph, changed, around))
        return changed

    def _graph_back(self, graph: nx.MultiDiGraph, revision: Hashable,  # noqa: ARG002
                    voices: Voices) -> nx.MultiDiGraph | None:  # noqa: ARG002
        """The graph held (``graph``, at ``revision``) as it was at a past revision at which
        the editions ``voices`` spoke (Timeline.voices), with the profiles made of ``graph``
        that serve it; None where the store keeps no way back (then what differs is
        derived)."""
        return None

    def profiles(self, scope: str | None, facts: list[Fact]) -> list[CompoundProfile]:
        """The profiles of the scope's compounds, each made once for each revision of the graph
        with every fact declared: a whole city's second question costs a look-up of what each
        profile answered, and a street's question after a change makes its own compounds'
        profiles only."""
        graph, revision = self.held()
        key = (revision, frozenset(needed(declared_facts())))
        with _PROFILES_LOCK:
            kept = _PROFILES.get(graph)
            if kept is None or kept.key != key or not set(needed(facts)) <= key[1]:
                kept = _PROFILES[graph] = _Kept(key)
        made = kept.profiles
        if scope not in kept.compounds:
            kept.compounds[scope] = compounds_under(graph, scope)
        compounds = kept.compounds[scope]
        missing = [uid for uid in compounds if uid not in made]
        if missing:
            profiles = compound_profiles(graph, None, list(key[1]), only=missing)
            with _PROFILES_LOCK:  # carried to a newer graph (and read whole) under this lock
                made.update((p.compound.uid, p) for p in profiles)
            # Profiles are long-lived, like the graph: keep the cyclic collector from walking
            # them again and again as the kept ones grow (it stalls answers for 100s of ms)
            gc.freeze()
        return [made[uid] for uid in compounds]

    def prepare(self) -> bool:
        """Read the graph, and make the profile of every compound: kept up to date from then
        on (``_carry_profiles``), so a whole-city question is answered from them at once."""
        self.profiles(None, needed(declared_facts()))
        return True

    @staticmethod
    def _carry_profiles(held: nx.MultiDiGraph, graph: nx.MultiDiGraph, now: Hashable,
                        touched: set[str]) -> None:
        """Keep the profiles made of the graph ``held`` for ``graph``, another form of it at
        revision ``now`` (brought up to date, or as of a date): all but those of the compounds
        the ``touched`` nodes (algorithms.differing) can change: each such node's compounds, of
        itself and of its neighbours in ``graph`` (a compound, the compounds a committee
        represents, every compound under a place). Where no fact the profiles were made with
        finds a place, or reads PART_OF, a place touched stales only the compounds under it, and
        none when places only joined or left it from below: a new street of a district changes
        nothing the district's other compounds read."""
        with _PROFILES_LOCK:
            kept = _PROFILES.get(held)
            if kept is None:
                return
            places_found = any("PART_OF" in fact.relationships or PLACES & set(fact.types)
                               for fact in kept.key[1])
            stale: set[str] = set()
            for uid in touched:
                if not places_found and uid in graph and graph.nodes[uid]["type"] in PLACES:
                    if not joined_from_below_only(held, graph, uid):
                        stale.update(places_under(graph, uid))
                    continue
                around = [uid, *graph.predecessors(uid), *graph.successors(uid)] \
                    if uid in graph else [uid]
                for near in around:
                    kind = graph.nodes[near]["type"] if near in graph else ""
                    if kind == "Compound" or near not in graph:
                        stale.add(near)
                    elif kind in COMMITTEES:
                        stale.update(outgoing(graph, near, "REPRESENTS"))
                    elif kind in PLACES:
                        stale.update(places_under(graph, near))
            _PROFILES[graph] = _Kept((now, kept.key[1]), {
                uid: p for uid, p in kept.profiles.items() if uid not in stale})

    def tree_graph(self, root: str, line: Line, depth: int) -> nx.MultiDiGraph:  # noqa: ARG002
        return self.whole_graph()

    def neighbourhood_graph(self, uid: str, depth: int,  # noqa: ARG002
                            types: frozenset[str] | None) -> nx.MultiDiGraph:  # noqa: ARG002
        return self.whole_graph()

    def graph_among(self, uids: set[str]) -> nx.MultiDiGraph:
        return self.whole_graph().subgraph(uids)

    def path_search(self, source: str, target: str  # noqa: ARG002
                    ) -> tuple[nx.MultiDiGraph, Expand | None]:
        return self.whole_graph(), None
