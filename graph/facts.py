"""The facts around a compound that gap rules and coverage ratios read, declared as data.

A ``Fact`` names the nodes joined to a compound (or to each of its committees) by some
relationship types, from or to some node types, optionally of some ``kind``s, optionally also
those joined to the places the compound lies in (its community, street …). A rule lists the facts
it reads (``GapRule.reads``); from those declarations alone

- ``algorithms.compound_profile`` gathers each fact into the compound's profile (the rule reads
  it with ``profile.found(fact)``), and
- ``fetch_plan`` tells a store that fetches the graph piece by piece (the Neo4j store) which
  relationships to fetch at which nodes,

so a new rule is one entry in ``graph.rules`` and reads the same facts on every store.
Declarations are checked against the vocabulary when they are made: a relationship that cannot
join the declared types, or a ``kind`` that is not one of the type's closed choice, is an error
at import, never an empty answer at query time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from govgraph.graph.vocabulary import (
    COMMITTEES,
    NODE_TYPES,
    PLACES,
    RELATIONSHIP_TYPES,
    Kind,
    node_properties,
)

Anchor = Literal["compound", "committee"]
Direction = Literal["in", "out", "both"]  # "in": the other node → the anchor; "out": anchor → it
At = Literal["compound", "place", "committee"]


class UndeclaredFact(LookupError):
    """A rule read a fact it does not declare (so a store need not have fetched it)."""


@dataclass(frozen=True)
class Fact:
    """The nodes joined to a compound (``of="compound"``) or to each of its committees
    (``of="committee"``: the 业委会 and 物管会 of ``COMMITTEES_OF_COMPOUND``) by one of
    ``relationships``, in ``direction`` relative to that anchor, whose type is one of ``types``
    and, when ``kinds`` are given, whose ``kind`` is one of them. With ``climb``, the nodes so
    joined to each place the compound lies in (its community, street, district …) count too:
    they come after the compound's own, nearest place first."""

    name: str
    relationships: tuple[str, ...]
    types: tuple[str, ...]
    direction: Direction = "in"
    kinds: tuple[str, ...] = ()
    of: Anchor = "compound"
    climb: bool = False
    description: str = ""

    def __post_init__(self) -> None:
        problems = self._problems()
        if problems:
            raise ValueError(f"fact {self.name!r}: " + "; ".join(problems))

    def _problems(self) -> list[str]:
        unknown = [r for r in self.relationships if r not in RELATIONSHIP_TYPES]
        unknown += [t for t in self.types if t not in NODE_TYPES]
        if unknown:
            return [f"{', '.join(unknown)} not in the vocabulary"]
        if not self.relationships or not self.types:
            return ["name at least one relationship type and one node type"]
        if self.climb and self.of != "compound":
            return ["only facts of the compound climb the place chain"]
        problems = []
        anchors = self.anchor_types()
        for name in self.relationships:
            rel = RELATIONSHIP_TYPES[name]
            joins = ((self.direction != "out" and rel.sources & set(self.types)
                      and rel.targets & anchors)
                     or (self.direction != "in" and rel.sources & anchors
                         and rel.targets & set(self.types)))
            if not joins:
                problems.append(f"{name} does not join {'/'.join(self.types)} to a {self.of} "
                                f"in direction {self.direction!r}")
        for type_name in self.types if self.kinds else ():
            spec = node_properties(type_name).get("kind")
            if spec is None or spec.kind != Kind.CHOICE:
                problems.append(f"the kind of {type_name} is not a closed choice in the "
                                "vocabulary, so a fact cannot select by it")
            elif stray := [k for k in self.kinds if k not in spec.choices]:
                problems.append(f"{', '.join(stray)} not a kind of {type_name} (expected one "
                                f"of {', '.join(spec.choices)})")
        return problems

    def anchor_types(self) -> set[str]:
        """The node types the fact starts from."""
        if self.of == "committee":
            return set(COMMITTEES)
        return set(PLACES) if self.climb else {"Compound"}

    def admits(self, type_name: str, kind: object) -> bool:
        """Whether a node of this type and kind is one the fact is about."""
        return type_name in self.types and (not self.kinds or kind in self.kinds)


COMMITTEES_OF_COMPOUND = Fact(
    "committees", ("REPRESENTS",), tuple(sorted(COMMITTEES)),
    description="the 业委会 and 物管会 that represent the compound's owners; the anchors of "
                "every fact of='committee'")
PARTY_ORGANIZATIONS = Fact(
    "party-organizations", ("ESTABLISHED_IN",), ("PartyOrganization",),
    description="party organisations set up in the compound")
COMMITTEE_PARTY_ORGANIZATIONS = Fact(
    "committee-party-organizations", ("ESTABLISHED_IN",), ("PartyOrganization",),
    of="committee", description="party organisations set up in a committee")
SERVING_PARTY_ORGANIZATIONS = Fact(
    "party-organizations-serving", ("SERVES",), ("PartyOrganization",),
    description="party organisations serving the compound: a property company's party branch "
                "that works in it, and the like")
LEADING_PARTY_ORGANIZATIONS = Fact(
    "party-organizations-leading", ("LEADS",), ("PartyOrganization",),
    description="party organisations leading the compound: the party side of its 三位一体 or "
                "三驾马车 (records reserve LEADS into a compound for that)")
PROPERTY_COMPANIES = Fact(
    "property-companies", ("SERVES",), ("PropertyCompany",),
    description="property companies serving the compound")


def needed(facts: Iterable[Fact]) -> list[Fact]:
    """The facts to gather, once each, with the committees wherever a fact of a committee is
    read. Two different facts of one name are an error (a profile keeps facts by name)."""
    chosen: dict[str, Fact] = {}
    for fact in facts:
        for one in ([COMMITTEES_OF_COMPOUND, fact] if fact.of == "committee" else [fact]):
            if chosen.setdefault(one.name, one) != one:
                raise ValueError(f"two different facts are named {one.name!r}: "
                                 f"{chosen[one.name]} and {one}")
    return list(chosen.values())


def declared_names(facts: Iterable[Fact]) -> frozenset[str]:
    """The names of the facts a profile keeps for a reader declaring ``facts``."""
    return frozenset(f.name for f in needed(facts))


@dataclass(frozen=True)
class Expansion:
    """One step of a fetch plan: fetch the relationships of these types, in this direction,
    at every compound of the scope (``compound``), at every place of the scope and above it
    (``place``), or at the committees of the scope's compounds (``committee``)."""

    at: At
    direction: Direction
    relationships: tuple[str, ...]


def fetch_plan(facts: Iterable[Fact]) -> list[Expansion]:
    """What a store must fetch around a scope's compounds for these facts to be whole: the
    compounds' and places' steps first, then the committees' (found by the first).

    >>> fetch_plan([COMMITTEE_PARTY_ORGANIZATIONS, PROPERTY_COMPANIES])
    ... # doctest: +NORMALIZE_WHITESPACE
    [Expansion(at='compound', direction='in', relationships=('REPRESENTS', 'SERVES')),
     Expansion(at='committee', direction='in', relationships=('ESTABLISHED_IN',))]
    """
    steps: dict[tuple[At, Direction], set[str]] = defaultdict(set)
    for fact in needed(facts):
        at: At = "committee" if fact.of == "committee" else "place" if fact.climb else "compound"
        steps[at, fact.direction].update(fact.relationships)
    order = {"compound": 0, "place": 1, "committee": 2}
    return [Expansion(at, direction, tuple(sorted(types)))
            for (at, direction), types in sorted(steps.items(), key=lambda s: (order[s[0][0]],
                                                                             s[0][1]))]
