"""Response models of the API (beside the catalogue's own answer models in graph.answers)."""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, Field

from govgraph.graph.answers import Definition, GapHit, NodeRef, Subgraph

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: ``count`` is the length of the whole list."""

    data: list[T]
    count: int
    offset: int
    limit: int


class ProblemOut(BaseModel):
    message: str
    file: str
    line: int | None = None
    sheet: str | None = None
    row: int | None = None
    path: str | None = None
    field: str | None = None
    value: str | None = None
    expected: str
    expected_zh: str | None = None
    message_zh: str


class ErrorOut(BaseModel):
    detail: str
    problems: list[ProblemOut] = Field(default_factory=list)


class Health(BaseModel):
    status: Literal["ok"]
    store: str
    nodes: int
    edges: int


class RuleParameterOut(BaseModel):
    default: float
    description: str
    zh: str
    minimum: float
    maximum: float


class RuleOut(BaseModel):
    name: str
    title: str
    description: str
    definition_zh: str
    definition_en: str
    parameters: dict[str, RuleParameterOut]


class PropertyOut(BaseModel):
    zh: str
    kind: str
    choices: list[str]


class NodeTypeOut(BaseModel):
    name: str
    zh: str
    uid_prefix: str
    description: str
    properties: dict[str, PropertyOut]


class RelationshipTypeOut(BaseModel):
    name: str
    zh: str
    description: str
    from_: list[str] = Field(alias="from")
    to: list[str]
    properties: dict[str, PropertyOut]


class VocabularyOut(BaseModel):
    node_types: list[NodeTypeOut]
    relationship_types: list[RelationshipTypeOut]
    rules: list[RuleOut]


class GapPage(BaseModel):
    """A gap rule's answer, its hits paged."""

    rule: str
    title: str
    scope: NodeRef | None
    parameters: dict[str, float]
    compounds_checked: int
    hits: Page[GapHit]
    not_recorded: list[GapHit]
    definition: Definition


class PathOut(BaseModel):
    found: bool
    hops: int | None = None
    path: Subgraph | None = Field(default=None, description="nodes in path order")
