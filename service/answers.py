"""Answers of the service layer beside the catalogue's own (govgraph.graph.answers): a node's
detail, an export file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field

from govgraph.graph.answers import NodeRef


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


@dataclass(frozen=True)
class ExportFile:
    data: bytes
    media_type: str
    suffix: str
    nodes: int
    edges: int
