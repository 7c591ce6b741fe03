"""Typed values that flow from loaders to stores: nodes, edges, citations, batches, problems.

Merging lives here too, because the loaders (merging records of several files) and every store
(merging a batch into what it holds) must agree on it exactly.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Set
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from govgraph.graph.values import display
from govgraph.graph.vocabulary import (
    NODE_TYPES,
    RELATIONSHIP_TYPES,
    UID_PREFIXES,
    Kind,
    PropertySpec,
    edge_properties,
    node_properties,
)

M = TypeVar("M", bound=BaseModel)

# prefix:readable-name, e.g. "compound:景华社区.怡枫园"; no white space, /, ? or # (URL-safe)
UID_PATTERN = re.compile(r"^(?P<prefix>[a-z]+):[^\s/?#]+$")


@dataclass(frozen=True, slots=True)
class Citation:
    """One source a fact came from, with the sentence of the source that supports it.
    (A plain dataclass: batches merge hundreds of thousands of them.)"""

    source: str
    evidence: str | None = None


@lru_cache(maxsize=200_000)
def cited(source: str, evidence: str | None = None) -> Citation:
    """One object for each citation: a city's graph holds 326,500 of 14,011 distinct ones (every
    row of a register cites the register), 45 MB of each process's memory if each were its own.
    Deriving looks them up too: a frozen dataclass is slow to make and to hash."""
    return Citation(source, evidence)


@cache
def field_names(model: type[BaseModel]) -> frozenset[str]:
    """A model's field names: one frozen set per model, which models may share as their
    fields set (answers.kept_model)."""
    return frozenset(model.model_fields)


@cache
def _plain_fields(model: type[BaseModel]) -> frozenset[str] | None:
    """A model's field names, when ``built`` may set them itself: no private attributes and no
    post-init hook to run."""
    plain = not model.__private_attributes__ and not model.__pydantic_post_init__
    return field_names(model) if plain else None


def built(model: type[M], fields_set: Set[str] | None = None, /, **values: Any) -> M:
    """``model.model_construct(fields_set, **values)``: a model of values already checked, not
    validated again, in a third of model_construct's time when every field is given (a city's
    load makes a million). Otherwise, or for a model with private attributes or a post-init
    hook, model_construct itself fills in what is missing. Every model built of all its fields
    shares one fields set (``_every_field``).

    >>> a, b = (built(Node, uid="compound:怡枫园", type="Compound", name="怡枫园", properties={},
    ...               citations=[]) for _ in range(2))
    >>> a == Node(uid="compound:怡枫园", type="Compound", name="怡枫园")
    True
    >>> a.name = "怡枫园一期"  # pydantic adds "name" to the shared set: already there
    >>> c = a.model_copy(update={"name": "怡枫园二期"})  # copies the set, then adds
    >>> [m.model_fields_set == set(Node.model_fields) for m in (a, b, c)], b.name
    ([True, True, True], '怡枫园')
    """
    if values.keys() != _plain_fields(model):
        return model.model_construct(fields_set, **values)  # type: ignore[arg-type]
    made = model.__new__(model)
    _set(made, "__dict__", values)
    _set(made, "__pydantic_fields_set__", _every_field(model) if fields_set is None
         else fields_set)
    _set(made, "__pydantic_extra__", None)
    _set(made, "__pydantic_private__", None)
    return made


_set = object.__setattr__  # a model's own __setattr__ would validate


@cache
def _every_field(model: type[BaseModel]) -> set[str]:
    """The fields set of every model ``built`` of all its fields: one set for all (a set of five
    names is 728 bytes, half of a city load's memory). Safe to share, as it holds every field:
    pydantic adds a field assigned (there already), and model_copy copies it before adding."""
    return set(model.model_fields)


class Node(BaseModel):
    uid: str
    type: str
    name: str
    properties: dict[str, Any] = Field(default_factory=dict)
    citations: list[Citation] = Field(default_factory=list)

    @property
    def sources(self) -> list[str]:
        return sorted({c.source for c in self.citations})


class Edge(BaseModel):
    uid: str
    type: str
    source: str
    target: str
    properties: dict[str, Any] = Field(default_factory=dict)
    citations: list[Citation] = Field(default_factory=list)

    @property
    def sources(self) -> list[str]:
        return sorted({c.source for c in self.citations})


def edge_uid(type_name: str, source: str, target: str) -> str:
    """The readable uid an edge gets when its record names none."""
    return f"{source}-{type_name}->{target}"


def type_of_uid(uid: str) -> str | None:
    """The node type a uid's prefix names, or None when the prefix is unknown."""
    match = UID_PATTERN.match(uid)
    return UID_PREFIXES.get(match["prefix"]) if match else None


def uid_problem(uid: str, type_name: str | None = None) -> str | None:
    """What is wrong with a node uid (None when it is fine), checked against its type if given."""
    match = UID_PATTERN.match(uid)
    if not match:
        return "a uid 'prefix:name' with no spaces, '/', '?' or '#', e.g. compound:景华社区.怡枫园"
    prefix = match["prefix"]
    if prefix not in UID_PREFIXES:
        known = ", ".join(sorted(UID_PREFIXES))
        return f"a uid whose prefix names a node type ({known})"
    if type_name and type_name in NODE_TYPES and NODE_TYPES[type_name].uid_prefix != prefix:
        return f"a uid starting '{NODE_TYPES[type_name].uid_prefix}:' for a {type_name}"
    return None


class Location(BaseModel):
    """Where a record came from: a file and a line, or a sheet and a row."""

    model_config = ConfigDict(frozen=True)

    file: str
    line: int | None = None
    sheet: str | None = None
    row: int | None = None
    path: str | None = None  # where in the record, e.g. nodes[3]

    def zh(self) -> str:
        """Where, in Chinese."""
        where = self.file
        if self.sheet is not None:
            where += f" 工作表“{self.sheet}”"
        if self.row is not None:
            where += f" 第{self.row}行"
        if self.line is not None:
            where += f" 第{self.line}行"
        return where

    def __str__(self) -> str:
        where = self.file
        if self.sheet is not None:
            where += f" sheet {self.sheet}"
        if self.row is not None:
            where += f" row {self.row}"
        if self.line is not None:
            where += f":{self.line}"
        if self.path:
            where += f" ({self.path})"
        return where


class Problem(BaseModel):
    """One thing wrong with the input: where, which field, the bad value, what was expected."""

    location: Location
    field: str | None = None
    value: str | None = None
    expected: str
    expected_zh: str | None = None  # the same in Chinese, where the reader wrote one
    field_zh: str | None = None  # the field's Chinese name, where it is not a column's

    def zh(self) -> str:
        """The problem in Chinese, as the explorer shows it (English where none was written)."""
        parts = [self.location.zh()]
        if self.field:
            parts.append("表头" if self.field == "header"
                         else f"列“{self.field_zh or self.field}”")
        if self.value is not None:
            parts.append(f"值“{self.value[:80]}”")
        return ",".join(parts) + ":应为" + (self.expected_zh or self.expected)

    def __str__(self) -> str:
        parts = [str(self.location)]
        if self.field:
            parts.append(f"field '{self.field}'")
        if self.value is not None:
            value = self.value if len(self.value) <= 80 else self.value[:77] + "..."
            parts.append(f"got {value!r}")
        return ": ".join([", ".join(parts), f"expected {self.expected}"])


class InvalidInput(Exception):
    """Input that cannot be loaded; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s):\n" + "\n".join(map(str, problems)))


class Conflict(BaseModel):
    """The same uid stated with different facts."""

    uid: str
    field: str
    existing: str  # as a reader writes the value (1100户, 是), see _shown
    incoming: str
    field_zh: str | None = None


def merge_citations(a: list[Citation], b: list[Citation]) -> list[Citation]:
    known = set(a)
    return [*a, *(c for c in dict.fromkeys(b) if c not in known)]


def _merge(
    existing: Node | Edge, incoming: Node | Edge, identity: dict[str, tuple[Any, Any]],
    specs: dict[str, PropertySpec],
) -> tuple[dict[str, Any], list[Conflict]]:
    """Merged properties and the conflicts: lists of text are united, anything else must agree."""
    properties = {**incoming.properties, **existing.properties}
    compared = dict(identity)
    for key in sorted(existing.properties.keys() & incoming.properties.keys()):
        old, new = existing.properties[key], incoming.properties[key]
        if key in specs and specs[key].kind is Kind.TEXTS:
            properties[key] = list(dict.fromkeys([*old, *new]))
        else:
            compared[key] = (old, new)
    conflicts = [
        Conflict(uid=existing.uid, field=name, existing=_shown(specs.get(name), old),
                 incoming=_shown(specs.get(name), new),
                 field_zh=specs[name].zh if name in specs else IDENTITY_ZH.get(name))
        for name, (old, new) in compared.items()
        if old != new
    ]
    return properties, conflicts


IDENTITY_ZH = {"type": "类型", "name": "名称", "from": "起点", "to": "终点"}


def _shown(spec: PropertySpec | None, value: Any) -> str:
    """A value as a reader writes it (1100户, 是), where its property is known."""
    if spec is not None:
        try:
            return display(spec, value)
        except (KeyError, TypeError, AttributeError):  # not of its kind: shown as it is
            pass
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _merged(existing: M, properties: dict[str, Any], citations: list[Citation]) -> M:
    """``existing`` with the merged properties and citations (``model_copy``, without its
    copying and validating machinery: a register's rows merge 23,000 times)."""
    return built(type(existing), **{**existing.__dict__, "properties": properties,
                                    "citations": citations})


def _adds_nothing(existing: Node, incoming: Node) -> bool:
    """Whether ``incoming`` states only what ``existing`` does: a register names its street
    and community again on every row (an 8,000-row register, 16,000 times), and merging each
    only to find it the same was a third of reading it."""
    return (incoming.name == existing.name and incoming.type == existing.type
            and incoming.properties == existing.properties
            and all(c in existing.citations for c in incoming.citations))


def merge_node(existing: Node, incoming: Node) -> tuple[Node, list[Conflict]]:
    """Union of two statements of one node: facts and citations added, never overwritten."""
    if _adds_nothing(existing, incoming):
        return existing, []
    specs = node_properties(existing.type) if existing.type in NODE_TYPES else {}
    properties, conflicts = _merge(existing, incoming, {
        "type": (existing.type, incoming.type), "name": (existing.name, incoming.name)}, specs)
    citations = merge_citations(existing.citations, incoming.citations)
    return _merged(existing, properties, citations), conflicts


def merge_edge(existing: Edge, incoming: Edge) -> tuple[Edge, list[Conflict]]:
    """Union of two statements of one edge, as for nodes; its ends and type must agree."""
    specs = edge_properties(existing.type) if existing.type in RELATIONSHIP_TYPES else {}
    properties, conflicts = _merge(existing, incoming, {
        "type": (existing.type, incoming.type), "from": (existing.source, incoming.source),
        "to": (existing.target, incoming.target)}, specs)
    citations = merge_citations(existing.citations, incoming.citations)
    return _merged(existing, properties, citations), conflicts


@dataclass(frozen=True, slots=True)
class Claim:
    """A register row speaks for a whole facet of a node as of its date: every relationship of
    ``relation`` at ``anchor`` (``direction`` "in" or "out") whose other end is a node of type
    ``other``. What older statements say of that facet and the row does not repeat is then
    superseded: 业委会 无 ends an earlier 有, 乙物业 replaces 甲物业."""

    anchor: str
    relation: str
    direction: str
    other: str

    def covers(self, relation: str, source: str, target: str) -> bool:
        """Whether the relationship ``source -relation-> target`` belongs to this facet."""
        if relation != self.relation:
            return False
        anchor, other = (target, source) if self.direction == "in" else (source, target)
        return anchor == self.anchor and type_of_uid(other) == self.other


class Edition(BaseModel):
    """One edition of a source: what it said as of one date (``as_of``, YYYY-MM-DD), loaded
    at ``loaded_at``. Loading the source again with the same date replaces the edition; with
    another date it is a new one. ``nodes`` and ``edges`` count the uids it states (stores keep
    the uids apart: a district's register states tens of thousands)."""

    source: str
    as_of: str
    kind: str  # "case" (a case record) or "register" (a 台账)
    title: str = ""
    loaded_at: str = ""
    nodes: int = 0
    edges: int = 0

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.as_of)


class EditionBatch(BaseModel):
    """What one edition states, validated: its nodes and edges (merged by uid) and the facets
    its rows speak for whole."""

    edition: Edition
    nodes: dict[str, Node] = Field(default_factory=dict)
    edges: dict[str, Edge] = Field(default_factory=dict)
    claims: list[Claim] = Field(default_factory=list)

    def items(self) -> list[Node | Edge]:
        """Its nodes, then its edges."""
        return [*self.nodes.values(), *self.edges.values()]


class Batch(BaseModel):
    """Validated editions ready to be loaded into a store in one transaction."""

    editions: list[EditionBatch] = Field(default_factory=list)

    def node_uids(self) -> set[str]:
        return {uid for e in self.editions for uid in e.nodes}

    def edge_uids(self) -> set[str]:
        return {uid for e in self.editions for uid in e.edges}


class ColumnReading(BaseModel):
    """How one column of a register is read."""

    header: str
    column: str | None = Field(description="the register column it is read as; None: kept as "
                                            "a property of each compound")
    reading: str = Field(description="read, ignored, kept as a property, or not kept: "
                                     "personal data")


class RegisterLayout(BaseModel):
    """How one sheet of a register is read: what `govgraph inspect` shows before loading."""

    file: str
    sheet: str | None = None
    header_row: int | None = None
    as_of: str | None = Field(default=None, description="the 填报日期 the title rows state")
    columns: list[ColumnReading] = Field(default_factory=list)
    skipped: list[str] = Field(default_factory=list, description="rows skipped, and why")
    rows: list[dict[str, str]] = Field(default_factory=list,
                                       description="the first rows, as they would load")


class TypeChanges(BaseModel):
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0


class EditionChange(BaseModel):
    """What a load or unload did to one edition of a source."""

    source: str
    as_of: str
    change: str = Field(description="added, replaced (a corrected file of the same source and "
                                    "date), unchanged (the same file again) or removed")


class LoadSummary(BaseModel):
    """What a load or unload did (or, on a dry run, would do) to the current graph, per node
    and relationship type, and to each edition it put in or took out."""

    editions: list[EditionChange] = Field(default_factory=list)
    nodes: dict[str, TypeChanges] = Field(default_factory=dict)
    edges: dict[str, TypeChanges] = Field(default_factory=dict)
    dry_run: bool = False
    warnings: list[str] = Field(default_factory=list, description=(
        "what was read anyway but deserves a look: a column kept as a property, a 合计 row "
        "skipped"))
    warnings_zh: list[str] = Field(default_factory=list, description="the same in Chinese")
    registers: list[RegisterLayout] = Field(default_factory=list, description=(
        "how each register sheet was read (its header, columns, skipped and first rows)"))

    def count(self, changes: Mapping[tuple[str, str, str], int]) -> None:
        """Count changes, each (kind: "nodes" or "edges", type, change) that many times."""
        for (kind, type_name, change), times in changes.items():
            table = self.nodes if kind == "nodes" else self.edges
            counted = table.setdefault(type_name, TypeChanges())
            setattr(counted, change, getattr(counted, change) + times)

    def totals(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for changes in [*self.nodes.values(), *self.edges.values()]:
            total.update(changes.model_dump())
        return total
