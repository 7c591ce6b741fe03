"""The typed answers of the query catalogue, shared by every store, the CLI and the API."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from govgraph.graph.facts import COMMITTEES_OF_COMPOUND, Fact, UndeclaredFact
from govgraph.graph.model import Edge, Node, built, field_names
from govgraph.graph.vocabulary import zh_name

M = TypeVar("M", bound=BaseModel)


def kept_model(model: type[M], **values: Any) -> M:
    """``built(model, **values)``, of values already checked, made to be kept by the 100,000s
    (a city's profiles): one frozen set of field names shared by every instance as the fields
    set (a set of its own is up to 700 bytes), and its values in a dictionary whose table of
    keys every instance shares (``_sharing_keys``: about 140 bytes less each). Not for a model
    later copied with an update (that adds to its fields set).

    >>> kept_model(NodeRef, uid="compound:怡枫园", name="怡枫园", type="Compound",
    ...            type_zh="小区") == NodeRef(uid="compound:怡枫园", name="怡枫园",
    ...                                      type="Compound", type_zh="小区")
    True
    """
    # frozen: a model that would add to it fails loudly instead of changing every instance's
    made = built(model, field_names(model), **values)
    object.__setattr__(made, "__dict__", _sharing_keys(model, made.__dict__))
    return made


@cache
def _values_holder(model: type[BaseModel]) -> type:
    """A plain class to hold a model's values: CPython keeps the keys of its instances'
    dictionaries in one table shared by all (PEP 412), where a model's own ``__dict__`` has a
    table of its own."""
    return type(f"{model.__name__}Values", (), {})


def _sharing_keys(model: type[BaseModel], values: dict[str, Any]) -> dict[str, Any]:
    """``values`` (every field of ``model``) in a dictionary sharing its table of keys."""
    holder = _values_holder(model)()
    for name in model.model_fields:  # always in one order, so the table stays shared
        setattr(holder, name, values[name])
    return holder.__dict__


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
    """An owners' committee or 物管会 with what the rules read of it: its declared facts (see
    graph.facts: those ``of="committee"``) and its stated figures."""

    committee: NodeRef
    facts: dict[str, list[NodeRef]] = Field(default_factory=dict)
    members: dict[str, Any] | None = None
    party_members: dict[str, Any] | None = None
    party_member_share: float | None = None  # percent, when stated or computable
    stated: dict[str, bool] = Field(
        default_factory=dict, description="has_… as stated (vocabulary.STATED_PRESENCE); "
                                          "absent: not recorded")

    def found(self, fact: Fact) -> list[NodeRef]:
        """The nodes the fact finds around this committee."""
        return _found(self.facts, fact, self.committee)


class PlaceFacts(BaseModel):
    """What a climbing fact finds at one place a compound lies in."""

    place: NodeRef
    nodes: list[NodeRef]


class CompoundProfile(BaseModel):
    """A compound and what the gap rules and ratios read of it: the facts they declare (see
    graph.facts), gathered the same way from every store, and the compound's own properties."""

    compound: NodeRef
    place: list[NodeRef]  # community, street, district, city: nearest first
    facts: dict[str, list[NodeRef]] = Field(default_factory=dict)
    facts_above: dict[str, list[PlaceFacts]] = Field(
        default_factory=dict, description="for a climbing fact, what it finds at each place "
                                           "above the compound that has any, nearest first")
    committee_profiles: list[CommitteeProfile] = Field(default_factory=list)
    self_managed_property: bool | None = None
    stated: dict[str, bool] = Field(
        default_factory=dict, description="has_… as stated (vocabulary.STATED_PRESENCE): false "
                                          "is a stated none; absent: not recorded")
    answers: list[Any] = Field(
        default_factory=list, exclude=True, repr=False,
        description="what rules and ratios answered of this profile, at the number of each "
                    "(rule or ratio, parameters) (graph.rules._read_once; a list, a third the "
                    "size of a dictionary): a store keeping profiles across questions "
                    "(HeldInMemory) keeps these too")

    def found(self, fact: Fact) -> list[NodeRef]:
        """The nodes the fact finds: those joined to the compound, then (for a climbing fact)
        those joined to each place above it, nearest first. UndeclaredFact when the rule
        reading this profile did not declare the fact. The list is shared with other profiles
        (one empty list for all that find nothing): copy it before changing it."""
        return _found(self.facts, fact, self.compound)

    def found_above(self, fact: Fact) -> list[PlaceFacts]:
        """What a climbing fact finds at each place above the compound (those with any)."""
        _found(self.facts, fact, self.compound)
        return self.facts_above.get(fact.name, [])

    @property
    def committees(self) -> list[CommitteeProfile]:
        """The 业委会 and 物管会 of the compound (fact ``committees``), each with its facts."""
        _found(self.facts, COMMITTEES_OF_COMPOUND, self.compound)
        return self.committee_profiles

    @property
    def owners_committees(self) -> list[CommitteeProfile]:
        return [c for c in self.committees if c.committee.type == "OwnersCommittee"]

    @property
    def management_committees(self) -> list[CommitteeProfile]:
        return [c for c in self.committees if c.committee.type == "PropertyManagementCommittee"]


# The names of the facts the rule or ratio now reading a profile declares (None: any fact).
_DECLARED: ContextVar[frozenset[str] | None] = ContextVar("declared", default=None)


@contextmanager
def declaring(names: frozenset[str]) -> Iterator[None]:
    """Profiles read within answer only for the facts of these names (see graph.facts
    declared_names): a rule that reads what it does not declare fails on every store alike,
    and no profile is copied to say so."""
    token = _DECLARED.set(names)
    try:
        yield
    finally:
        _DECLARED.reset(token)


def _found(facts: dict[str, list[NodeRef]], fact: Fact, around: NodeRef) -> list[NodeRef]:
    declared = _DECLARED.get()
    if fact.name in facts and (declared is None or fact.name in declared):
        return facts[fact.name]
    raise UndeclaredFact(f"the fact {fact.name!r} about {around.uid} was read but not "
                         "declared: add it to the reads of the rule or ratio")


class ParameterUsed(BaseModel):
    """A choice of 口径 as an answer used it."""

    value: float
    default: float
    zh: str
    en: str


class Definition(BaseModel):
    """The 口径 an answer was given under: what it counts, in Chinese and English, and the
    value of every choice a city may make (graph.rules.PARAMETERS)."""

    zh: str
    en: str
    parameters: dict[str, ParameterUsed] = Field(default_factory=dict)

    def choices_zh(self) -> str:
        """The choices made, in Chinese: "口径选择:…=是;…=50", for tables and workbooks."""
        def shown(p: ParameterUsed) -> str:
            value = ("是" if p.value else "否") if p.default in (0, 1) and p.value in (0, 1) \
                else f"{p.value:g}"
            return f"{p.zh}:{value}"
        return "口径选择:" + ";".join(shown(p) for p in self.parameters.values()) \
            if self.parameters else ""


class GapHit(BaseModel):
    compound: NodeRef
    place: list[NodeRef]
    reasons: list[str]

    @classmethod
    def of(cls, profile: CompoundProfile, reasons: Iterable[str]) -> GapHit:
        """The compound of a profile, found for these reasons (of the profile's own checked
        parts: not validated again)."""
        return built(cls, field_names(cls), compound=profile.compound, place=profile.place,
                     reasons=list(reasons))  # the fields set shared: a new one is slower


class GapAnswer(BaseModel):
    rule: str
    title: str
    scope: NodeRef | None
    parameters: dict[str, float]
    compounds_checked: int
    hits: list[GapHit]
    not_recorded: list[GapHit] = Field(
        default_factory=list,
        description="compounds the rule cannot decide because no source states the fact")
    definition: Definition


class Ratio(BaseModel):
    name: str
    title: str
    description: str
    numerator: int  # units counted: yes
    denominator: int  # every unit, or the recorded ones only (parameter unrecorded_in_denominator)
    ratio: float | None  # None when there is nothing to divide by
    recorded_no: int = 0  # units a source states are not counted
    not_recorded: int = 0  # units no source decides
    definition: Definition


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
