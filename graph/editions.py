"""Living data: what every edition of every source said, and the graph derived from it.

The ground truth is kept per uid as ``Statements``: each edition's statement of the node or
edge (``Said``) and the facets register rows speak for whole (``ClaimSaid``). A node or edge of
the graph is derived from them for a moment in time (a ``Timeline``): each source speaks through
its latest edition up to then; a relationship a later register row's facet leaves out is
superseded; the latest statement of a value wins (loaded later on a tie) and lists are united.
Stores keep the derived current graph for questions, and re-derive only the uids a load or
unload touches; a question asked as of a date derives the graph of that date (``derive_graph``),
from today's by what the editions speaking differently then state (``derive_into``).
Pure functions over plain values, so every store derives alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from pydantic import BaseModel

from govgraph.graph.algorithms import HeldGraph, add_edge, add_node, remove_edge
from govgraph.graph.jsontext import dumps, loads
from govgraph.graph.model import Batch, Claim, Edge, Edition, Node, built, cited
from govgraph.graph.vocabulary import (
    NODE_TYPES,
    RELATIONSHIP_TYPES,
    Kind,
    edge_properties,
    node_properties,
)


@dataclass(slots=True)
class Said:
    """What one edition of a source says of one node or edge. (Plain dataclasses, these three:
    a city's load makes and writes hundreds of thousands, a quarter of the time of models.)"""

    source: str
    as_of: str
    name: str | None = None  # nodes only
    properties: dict[str, Any] = field(default_factory=dict)
    evidence: list[str | None] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.as_of)


@dataclass(slots=True)
class ClaimSaid:
    """A facet of this node that one edition's register row speaks for whole (see Claim)."""

    source: str
    as_of: str
    relation: str
    direction: str
    other: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.as_of)

    @classmethod
    def of(cls, claim: Claim, edition: Edition) -> ClaimSaid:
        """An edition's claim, as its anchor keeps it."""
        return cls(edition.source, edition.as_of, claim.relation, claim.direction, claim.other)

    def claim(self, anchor: str) -> Claim:
        return Claim(anchor, self.relation, self.direction, self.other)


@dataclass(slots=True)
class Statements:
    """Everything every edition has said of one node or edge (an edge has ``ends``). Never
    changed in place once kept: a change makes a new one (``saying``)."""

    uid: str
    type: str
    ends: tuple[str, str] | None = None
    said: list[Said] = field(default_factory=list)
    claims: list[ClaimSaid] = field(default_factory=list)

    def to_json(self) -> str:
        """As stored: the JSON object of its fields, each property in the order stated (as the
        register's columns: a node's details show them so), read by ``of_json``."""
        return dumps(self, sort_keys=False)

    @classmethod
    def of_json(cls, text: str) -> Statements:
        """Statements as stored (``to_json``; or by an earlier govgraph, alike; a field a later
        one may add is left out).

        >>> row = Statements("edge:1", "LOCATED_IN", ("compound:a", "community:b"),
        ...                  [Said("台账.csv", "2024-06-30", evidence=["第3行"])])
        >>> row.to_json()[:60]
        '{"uid":"edge:1","type":"LOCATED_IN","ends":["compound:a","co'
        >>> Statements.of_json(row.to_json()) == row
        True
        """
        row = loads(text)
        ends = row.get("ends")
        return cls(row["uid"], row["type"], None if ends is None else (ends[0], ends[1]),
                   [Said(s["source"], s["as_of"], s.get("name"), s.get("properties", {}),
                         s.get("evidence", [])) for s in row.get("said", ())],
                   [ClaimSaid(c["source"], c["as_of"], c["relation"], c["direction"],
                              c["other"]) for c in row.get("claims", ())])

    def saying(self, said: list[Said], claims: list[ClaimSaid]) -> Statements:
        """The statements of this node or edge that are ``said`` and ``claims`` (a copy, made
        directly: dataclasses.replace takes four times as long, and a load makes 75,000)."""
        return Statements(self.uid, self.type, self.ends, said, claims)

    def without(self, key: tuple[str, str]) -> Statements:
        """These statements less those of one edition."""
        return self.saying([s for s in self.said if s.key != key],
                           [c for c in self.claims if c.key != key])

    @property
    def sources(self) -> set[str]:
        return {s.source for s in self.said} | {c.source for c in self.claims}

    @property
    def dates(self) -> set[str]:
        """The dates its editions speak for."""
        return {s.as_of for s in self.said} | {c.as_of for c in self.claims}

    def sources_on(self, date: str) -> set[str]:
        """The sources whose editions of ``date`` say something of it."""
        return ({s.source for s in self.said if s.as_of == date}
                | {c.source for c in self.claims if c.as_of == date})

    @property
    def empty(self) -> bool:
        return not self.said and not self.claims


def said_of(item: Node | Edge, edition: Edition) -> Said:
    """An edition's statement of a node or edge, as kept."""
    return Said(edition.source, edition.as_of, item.name if isinstance(item, Node) else None,
                item.properties, [c.evidence for c in item.citations])


def statements_of(batch: Batch) -> dict[str, Statements]:
    """What a batch's editions state, kept per uid as a store would keep it if it held only
    them (benchmarks and tests read a batch this way)."""
    rows: dict[str, Statements] = {}
    for part in batch.editions:
        for item in part.items():
            ends = (item.source, item.target) if isinstance(item, Edge) else None
            row = rows.setdefault(item.uid, Statements(uid=item.uid, type=item.type, ends=ends))
            row.said.append(said_of(item, part.edition))
        for claim in part.claims:
            rows[claim.anchor].claims.append(ClaimSaid.of(claim, part.edition))
    return rows


Voices = frozenset[tuple[str, str, str]]  # editions as loaded: (source, as_of, loaded_at)


class Timeline:
    """Which edition of each source speaks at a moment (``at``, YYYY-MM-DD; None: now, every
    source's latest), and how editions rank: by as_of, then by when they were loaded."""

    def __init__(self, editions: Iterable[Edition], at: str | None = None):
        self.at = at
        self.rank: dict[tuple[str, str], tuple[str, str, str]] = {}
        self.speaking: dict[str, str] = {}
        for edition in editions:
            self.rank[edition.key] = (edition.as_of, edition.loaded_at, edition.source)
            if (at is None or edition.as_of <= at) and \
                    edition.as_of > self.speaking.get(edition.source, ""):
                self.speaking[edition.source] = edition.as_of

    def speaks(self, key: tuple[str, str]) -> bool:
        return self.speaking.get(key[0]) == key[1]

    @property
    def voices(self) -> Voices:
        """The editions speaking, each as loaded (source, as_of, loaded_at: one loaded again is
        another): what the graph at the moment is made of, so a graph of a date is kept by it."""
        return frozenset((source, as_of, loaded_at)
                         for key, (as_of, loaded_at, source) in self.rank.items()
                         if self.speaks(key))


def speaking(statements: Statements, timeline: Timeline,
             claims_at_ends: Sequence[tuple[str, ClaimSaid]] = ()) -> list[Said]:
    """The statements that count at the timeline's moment, oldest first: those of each source's
    speaking edition, less (for an edge) those a later facet claim of its ends leaves out.
    ``claims_at_ends`` are (anchor, claim) pairs of the edge's two ends."""
    speaks_as_of = timeline.speaking.get  # speaks(), inline: a load asks for every uid
    said = [s for s in statements.said if speaks_as_of(s.source) == s.as_of]
    if len(said) > 1:
        said.sort(key=lambda s: timeline.rank[s.key])
    if statements.ends is None or not said or not claims_at_ends:
        return said
    source, target = statements.ends
    stating = {s.key for s in said}
    later_claims = [timeline.rank[c.key] for anchor, c in claims_at_ends
                    if timeline.speaks(c.key) and c.key not in stating
                    and c.claim(anchor).covers(statements.type, source, target)]
    if not later_claims:
        return said
    newest = max(later_claims)
    return [s for s in said if timeline.rank[s.key] > newest]


def _kinds(statements: Statements) -> Mapping[str, Any]:
    if statements.ends is None:
        return node_properties(statements.type) if statements.type in NODE_TYPES else {}
    return edge_properties(statements.type) if statements.type in RELATIONSHIP_TYPES else {}


def combine(statements: Statements, said: list[Said]) -> dict[str, Any]:
    """The properties the statements (oldest first) give: lists of text united, any other
    value that of the latest statement giving it."""
    if len(said) == 1:  # most of a load: nothing to unite
        return dict(sorted(said[0].properties.items()))
    specs = _kinds(statements)
    properties: dict[str, Any] = {}
    for s in said:
        for key, value in s.properties.items():
            spec = specs.get(key)
            if spec is not None and spec.kind is Kind.TEXTS and key in properties:
                properties[key] = list(dict.fromkeys([*properties[key], *value]))
            else:
                properties[key] = value
    return dict(sorted(properties.items()))


def derive(statements: Statements, timeline: Timeline,
           claims_at_ends: Sequence[tuple[str, ClaimSaid]] = ()) -> Node | Edge | None:
    """The node or edge as the statements that count make it; None when none counts."""
    said = speaking(statements, timeline, claims_at_ends)
    if not said:
        return None
    citations = [cited(*pair) for pair in dict.fromkeys(
        (s.source, e) for s in said for e in s.evidence)]
    properties = combine(statements, said)
    if statements.ends is None:  # of checked statements: not validated again
        name = next(s.name for s in reversed(said) if s.name)
        return built(Node, uid=statements.uid, type=statements.type, name=name,
                     properties=properties, citations=citations)
    return built(Edge, uid=statements.uid, type=statements.type,
                 source=statements.ends[0], target=statements.ends[1],
                 properties=properties, citations=citations)


def claims_at(ends: tuple[str, str] | None, rows: Mapping[str, Statements | None]
              ) -> list[tuple[str, ClaimSaid]]:
    """The facet claims made of an edge's two ends (from their rows in ``rows``)."""
    if ends is None:
        return []
    found: list[tuple[str, ClaimSaid]] = []
    for end in ends if ends[0] != ends[1] else ends[:1]:
        row = rows.get(end)
        if row is not None and row.claims:  # few have any: a load asks for every edge
            found += [(end, c) for c in row.claims]
    return found


class Disagreement(BaseModel):
    """One value of a fact whose sources disagree: what one edition says."""

    value: Any
    source: str
    as_of: str
    current: bool  # the value the graph shows now (the latest statement's)


def disagreements(statements: Statements, said: list[Said]) -> dict[str, list[Disagreement]]:
    """The facts (name, properties other than lists of text) the counting statements (oldest
    first) give different values for: field → every statement's value, newest first. Values are
    compared as JSON with keys in order: 1 is not True, and a quantity is one value whatever the
    order of its keys.

    >>> said = [Said("a", "2024-01-31", properties={"households": {"value": 1, "unit": "户"}}),
    ...         Said("b", "2024-02-29", properties={"households": {"unit": "户", "value": 1}})]
    >>> disagreements(Statements("compound:x", "Compound", said=said), said)
    {}
    """
    specs = _kinds(statements)
    fields: dict[str, list[tuple[Any, Said]]] = {}
    for s in said:
        values = {**({"name": s.name} if s.name else {}), **s.properties}
        for key, value in values.items():
            spec = specs.get(key)
            if spec is None or spec.kind is not Kind.TEXTS:
                fields.setdefault(key, []).append((value, s))
    found = {}
    for key, stated in sorted(fields.items()):
        texts = [dumps(v) for v, _ in stated]
        if len(set(texts)) > 1:
            found[key] = [Disagreement(value=v, source=s.source, as_of=s.as_of,
                                       current=text == texts[-1])
                          for (v, s), text in zip(reversed(stated), reversed(texts), strict=True)]
    return found


def derive_graph(rows: Mapping[str, Statements], timeline: Timeline) -> nx.MultiDiGraph:
    """The whole graph at the timeline's moment (edges whose ends do not exist then left out)."""
    graph = HeldGraph()
    derive_into(graph, rows, timeline)
    return graph


def derive_into(graph: nx.MultiDiGraph, rows: Mapping[str, Statements],
                timeline: Timeline) -> None:
    """Put the nodes and edges of ``rows`` into ``graph`` as the timeline's moment makes them
    (removed where none counts then). A graph of one moment becomes that of another when
    ``rows`` hold everything the editions speaking differently state, the edges at those nodes,
    and those edges' ends."""
    for row in rows.values():
        if row.ends is None:
            node = derive(row, timeline)
            if node is None:
                if row.uid in graph:
                    graph.remove_node(row.uid)
            else:
                if row.uid in graph:
                    graph.nodes[row.uid].clear()
                add_node(graph, node)  # type: ignore[arg-type]
    for row in rows.values():
        if row.ends is not None:
            source, target = row.ends
            remove_edge(graph, row.uid, source, target)
            if source in graph and target in graph:
                edge = derive(row, timeline, claims_at(row.ends, rows))
                if edge is not None:
                    add_edge(graph, edge)  # type: ignore[arg-type]
