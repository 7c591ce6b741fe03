"""The typed answers of the query catalogue, shared by every store, the CLI and the API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from govgraph.graph.model import Edge, Node
from govgraph.graph.vocabulary import zh_name


class NodeRef(BaseModel):
    """A node as answers name it: uid, name, type and the type's Chinese name."""

    uid: str
    name: str
    type: str
    type_zh: str
    kind: str | None = None
    count: int = 1

    @classmethod
    def of(cls, node: Node) -> NodeRef:
        return cls(uid=node.uid, name=node.name, type=node.type, type_zh=zh_name(node.type),
                   kind=node.properties.get("kind"), count=node.properties.get("count", 1))


class CommitteeProfile(BaseModel):
    """An owners' committee or 物管会 with what the rules need to know of it."""

    committee: NodeRef
    party_organizations: list[NodeRef] = Field(default_factory=list)
    members: dict[str, Any] | None = None
    party_members: dict[str, Any] | None = None
    party_member_share: float | None = None  # percent, when stated or computable


class CompoundProfile(BaseModel):
    """A compound and the governance bodies around it: what every gap rule and ratio reads."""

    compound: NodeRef
    place: list[NodeRef]  # community, street, district, city: nearest first
    party_organizations: list[NodeRef] = Field(default_factory=list)
    committees: list[CommitteeProfile] = Field(default_factory=list)
    property_companies: list[NodeRef] = Field(default_factory=list)
    self_managed_property: bool | None = None

    @property
    def owners_committees(self) -> list[CommitteeProfile]:
        return [c for c in self.committees if c.committee.type == "OwnersCommittee"]

    @property
    def management_committees(self) -> list[CommitteeProfile]:
        return [c for c in self.committees if c.committee.type == "PropertyManagementCommittee"]


class GapHit(BaseModel):
    compound: NodeRef
    place: list[NodeRef]
    reasons: list[str]


class GapAnswer(BaseModel):
    rule: str
    title: str
    scope: NodeRef | None
    parameters: dict[str, float]
    compounds_checked: int
    hits: list[GapHit]
    not_recorded: list[GapHit] = Field(
        default_factory=list,
        description="compounds the rule cannot decide because a fact is not recorded")


class Ratio(BaseModel):
    name: str
    title: str
    description: str
    numerator: int
    denominator: int
    ratio: float | None  # None when there is nothing to divide by
    not_recorded: int = 0


class CoverageAnswer(BaseModel):
    scope: NodeRef | None
    compounds: int
    ratios: list[Ratio]


class TreeNode(BaseModel):
    node: NodeRef
    relation: str | None = None  # the Chinese name of the relationship to the parent
    children: list[TreeNode] = Field(default_factory=list)
    truncated: bool = False  # more lies below the depth limit


class Subgraph(BaseModel):
    nodes: list[Node]
    edges: list[Edge]
    truncated: bool = False


class ProjectFacts(BaseModel):
    project: NodeRef
    status: str | None
    figures: dict[str, Any]
    places: list[NodeRef]
    initiated_by: list[NodeRef]
    approved_by: list[NodeRef]
    supervised_by: list[NodeRef]
    implemented_by: list[NodeRef]
