"""Answers of the service layer beside the catalogue's own (govgraph.graph.answers): a node's
detail and history, the sources and their disagreements, an export file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field

from govgraph.graph.answers import CoverageAnswer, NodeRef
from govgraph.graph.editions import Disagreement


class SourceCitation(BaseModel):
    source: str
    title: str | None
    evidence: str | None


class Relationship(BaseModel):
    """One relationship of a node, seen from it."""

    uid: str
    relation: str
    relation_zh: str
    direction: Literal["out", "in"]
    other: NodeRef


class NeighbourSummary(BaseModel):
    relation: str
    relation_zh: str
    direction: Literal["out", "in"]
    count: int
    examples: list[NodeRef]


class StatedValue(BaseModel):
    """One value of a node's fact as one edition of a source states it."""

    field: str
    field_zh: str
    value: Any
    source: str
    as_of: str
    current: bool = Field(description="whether this is the value the graph shows")


class NodeDetail(BaseModel):
    uid: str
    name: str
    type: str
    type_zh: str
    properties: dict[str, Any]
    property_names: dict[str, str] = Field(description="Chinese name of each property")
    sources: list[SourceCitation]
    neighbours: list[NeighbourSummary] = Field(
        description="relationships grouped by type and direction, with up to 5 examples each")
    relationships: list[Relationship] = Field(description="every relationship of the node")
    values: list[StatedValue] = Field(
        default_factory=list, description="every value of every fact, with its source and "
        "date, as the sources speaking now (or at the date asked) state them")


class SourceEdition(BaseModel):
    """One edition of a source: the date it speaks for, when it was loaded, what it states."""

    source: str
    kind: str
    title: str
    as_of: str
    loaded_at: str
    nodes: int = Field(description="how many nodes it states")
    edges: int = Field(description="how many relationships it states")
    current: bool = Field(description="whether it is its source's latest edition (the one the "
                                      "current answers use)")


class FactConflict(BaseModel):
    """A fact of a node whose sources disagree now: every value, newest first."""

    node: NodeRef
    field: str
    field_zh: str
    values: list[Disagreement]


class Change(BaseModel):
    """One change of a node's facts or relationships between two dates."""

    field: str = Field(description="a property, 'name', or a relationship (e.g. SERVES ←)")
    field_zh: str
    before: Any = None
    after: Any = None


class HistoryEntry(BaseModel):
    """What changed of a node as of one date, and the editions of that date that said so."""

    as_of: str
    sources: list[str]
    changes: list[Change]


class CoverageAt(BaseModel):
    as_of: str
    coverage: CoverageAnswer


@dataclass(frozen=True)
class ExportFile:
    data: bytes
    media_type: str
    suffix: str
    nodes: int
    edges: int
