"""Coverage-gap rules and coverage ratios, declared once as data beside the vocabulary.

A rule declares the facts around a compound it reads (``reads``: graph.facts), and reads one
compound's profile of them to give the reasons it is a hit (none: not a hit) and what it could
not decide because a fact is not recorded. The profile and what a store fetches are derived from
those declarations, so a new rule is one more entry in ``GAP_RULES``: every store, the CLI and
the API pick it up (docs/rules.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

from govgraph.graph.answers import CommitteeProfile, CompoundProfile
from govgraph.graph.facts import (
    COMMITTEE_PARTY_ORGANIZATIONS,
    COMMITTEES_OF_COMPOUND,
    PARTY_ORGANIZATIONS,
    PROPERTY_COMPANIES,
    Fact,
    declared_names,
    needed,
)


@dataclass(frozen=True)
class Parameter:
    default: float
    description: str
    minimum: float
    maximum: float


Verdict = tuple[list[str], list[str]]  # (reasons it is a hit, facts not recorded)


@dataclass(frozen=True)
class GapRule:
    name: str
    title: str  # Chinese, as officials name the gap
    description: str  # what a hit means
    reads: tuple[Fact, ...]  # every fact around a compound the verdict reads
    verdict: Callable[[CompoundProfile, dict[str, float]], Verdict]
    parameters: dict[str, Parameter] = field(default_factory=dict)

    @cached_property
    def _declared(self) -> frozenset[str]:
        return declared_names(self.reads)

    def check(self, profile: CompoundProfile, parameters: dict[str, float]) -> Verdict:
        """The verdict on one compound, which sees only the facts the rule declares."""
        return self.verdict(profile.reading(self._declared), parameters)


def _names(bodies: list[CommitteeProfile]) -> str:
    return "、".join(b.committee.name for b in bodies)


def _without_party_branch(p: CompoundProfile, _: dict[str, float]) -> Verdict:
    return ([] if p.found(PARTY_ORGANIZATIONS) else ["未记录建在小区的党组织"]), []


def _without_committee_branch(p: CompoundProfile, _: dict[str, float]) -> Verdict:
    if not p.committees:
        return ["未记录业委会或物管会,故无业委会党组织"], []
    if any(c.found(COMMITTEE_PARTY_ORGANIZATIONS) for c in p.committees):
        return [], []
    return [f"{c.committee.name}未记录党支部或党的工作小组" for c in p.committees], []


def _without_owners_committee(p: CompoundProfile, _: dict[str, float]) -> Verdict:
    if p.owners_committees:
        return [], []
    if p.management_committees:
        return [f"未记录业委会,由物管会({_names(p.management_committees)})代行"], []
    return ["未记录业委会,也未记录物管会"], []


def _without_property_service(p: CompoundProfile, _: dict[str, float]) -> Verdict:
    if p.found(PROPERTY_COMPANIES):
        return [], []
    if p.self_managed_property:
        return ["未记录物业服务企业,实行自办物业"], []
    return ["未记录物业服务企业,也未记录自办物业"], []


def _troika_incomplete(p: CompoundProfile, _: dict[str, float]) -> Verdict:
    missing = []
    if not p.found(PARTY_ORGANIZATIONS):
        missing.append("缺小区党组织")
    if not p.owners_committees:
        stand_in = _names(p.management_committees)
        missing.append(f"缺业委会(物管会{stand_in}代行)" if stand_in else "缺业委会")
    if not p.found(PROPERTY_COMPANIES) and not p.self_managed_property:
        missing.append("缺物业服务")
    return missing, []


def _low_party_share(p: CompoundProfile, params: dict[str, float]) -> Verdict:
    threshold = params["threshold"]
    reasons, unknown = [], []
    for c in p.committees:
        if c.party_member_share is None:
            unknown.append(f"{c.committee.name}未记录党员委员占比")
        elif c.party_member_share < threshold:
            reasons.append(f"{c.committee.name}党员委员占比{c.party_member_share:g}%,"
                           f"低于{threshold:g}%")
    return reasons, unknown


# 党群服务阵地: the kinds of 阵地 (vocabulary.FACILITY_KINDS) where residents meet the party
# organisation and talk over the compound's affairs.
SERVICE_FACILITY_KINDS = ("党群服务中心", "党群服务站", "党员活动室", "议事厅")
SERVICE_FACILITIES = Fact(
    "service-facilities", ("LOCATED_IN", "SERVES", "BENEFITS"), ("Facility",),
    kinds=SERVICE_FACILITY_KINDS,
    description="党群服务站, 议事厅 and the like located in, serving or benefiting the compound")
SERVICE_FACILITIES_AROUND = Fact(
    "service-facilities-around", SERVICE_FACILITIES.relationships, SERVICE_FACILITIES.types,
    kinds=SERVICE_FACILITY_KINDS, climb=True,
    description="the same, or located in, serving or benefiting a place the compound lies in")


def _without_service_facility(p: CompoundProfile, _: dict[str, float]) -> Verdict:
    if p.found(SERVICE_FACILITIES):
        return [], []
    around = "".join(f",所在{a.place.name}有{'、'.join(n.name for n in a.nodes)}"
                     for a in p.found_above(SERVICE_FACILITIES_AROUND))
    return [f"未记录位于或服务小区的党群服务站、议事厅等阵地{around}"], []


GAP_RULES: dict[str, GapRule] = {
    r.name: r
    for r in [
        GapRule("compound-without-party-branch", "小区未建党组织",
                "no party organisation is recorded as set up in the compound",
                (PARTY_ORGANIZATIONS,), _without_party_branch),
        GapRule("compound-without-committee-branch", "业委会(物管会)未建党组织",
                "neither the compound's 业委会 nor its 物管会 has a party branch or party work "
                "group; a compound with no committee at all is a hit too",
                (COMMITTEES_OF_COMPOUND, COMMITTEE_PARTY_ORGANIZATIONS),
                _without_committee_branch),
        GapRule("compound-without-owners-committee", "小区未成立业委会",
                "no owners' committee is recorded; the reason says whether a 物管会 stands in",
                (COMMITTEES_OF_COMPOUND,), _without_owners_committee),
        GapRule("compound-without-property-service", "小区无物业服务企业",
                "no property company serves the compound; the reason says whether it is "
                "self-managed (自办物业)", (PROPERTY_COMPANIES,), _without_property_service),
        GapRule("troika-incomplete", "三位一体不完整",
                "one of 小区党组织, 业委会 and 物业服务 is missing; the reasons name which",
                (PARTY_ORGANIZATIONS, COMMITTEES_OF_COMPOUND, PROPERTY_COMPANIES),
                _troika_incomplete),
        GapRule("committee-low-party-share", "业委会党员占比偏低",
                "a 业委会 or 物管会 whose share of party members is below the threshold; "
                "committees whose share is not recorded are listed apart",
                (COMMITTEES_OF_COMPOUND,), _low_party_share,
                {"threshold": Parameter(50, "the share (percent) a 红色业委会 reaches", 0, 100)}),
        GapRule("compound-without-service-facility", "小区无党群服务阵地",
                "no 党群服务阵地 (a 阵地 of kind " + ", ".join(SERVICE_FACILITY_KINDS) + ") is "
                "located in, serving or benefiting the compound. A compound whose records name "
                "none is a hit, its reason saying 未记录 (not recorded), as for a party "
                "organisation; one in its community or street does not count, the reason names it",
                (SERVICE_FACILITIES, SERVICE_FACILITIES_AROUND), _without_service_facility),
    ]
}


def describe_rules() -> list[dict[str, Any]]:
    """The rules as plain data, for `govgraph gaps --json` and the API."""
    return [{"name": r.name, "title": r.title, "description": r.description,
             "parameters": {k: asdict(p) for k, p in r.parameters.items()}}
            for r in GAP_RULES.values()]


@dataclass(frozen=True)
class CoverageRatio:
    """A ratio over a scope's compounds or committees, each counted with its ``count``."""

    name: str
    title: str
    description: str
    description_zh: str  # its 口径, as the explorer shows it
    reads: tuple[Fact, ...]  # every fact around a compound ``units`` reads
    units: Callable[[CompoundProfile], list[tuple[int, bool | None]]]
    # for one compound: (how many units, is each counted in the numerator; None: not recorded)

    @cached_property
    def _declared(self) -> frozenset[str]:
        return declared_names(self.reads)

    def over(self, profile: CompoundProfile) -> list[tuple[int, bool | None]]:
        """The units of one compound, read from the facts the ratio declares only."""
        return self.units(profile.reading(self._declared))


def _red(c: CommitteeProfile) -> bool | None:
    if c.found(COMMITTEE_PARTY_ORGANIZATIONS):
        return True
    if c.party_member_share is None:
        return None
    return c.party_member_share >= GAP_RULES["committee-low-party-share"].parameters[
        "threshold"].default


COVERAGE_RATIOS: list[CoverageRatio] = [
    CoverageRatio("party-organization-coverage", "党组织覆盖率",
                  "compounds with a party organisation set up in them, of all compounds",
                  "建有党组织的小区数 ÷ 小区总数",
                  (PARTY_ORGANIZATIONS,),
                  lambda p: [(p.compound.count, bool(p.found(PARTY_ORGANIZATIONS)))]),
    CoverageRatio("owners-committee-formation", "业委会组建率",
                  "compounds with an owners' committee, of all compounds",
                  "成立业委会的小区数 ÷ 小区总数",
                  (COMMITTEES_OF_COMPOUND,),
                  lambda p: [(p.compound.count, bool(p.owners_committees))]),
    CoverageRatio("red-committee-share", "红色业委会比例",
                  "owners' committees with a party branch or work group in them or a party-member "
                  "share of at least 50%, of all owners' committees",
                  "建有党支部或党的工作小组、或党员委员占比不低于50%的业委会数 ÷ 业委会总数",
                  (COMMITTEE_PARTY_ORGANIZATIONS,),
                  lambda p: [(c.committee.count, _red(c)) for c in p.owners_committees]),
]


def declared_facts() -> Iterator[Fact]:
    """Every fact a gap rule or a coverage ratio declares, as the rules stand when asked (a rule
    added at run time counts): what compound profiles gather and stores fetch."""
    for rule in GAP_RULES.values():
        yield from rule.reads
    for ratio in COVERAGE_RATIOS:
        yield from ratio.reads


needed(declared_facts())  # two different facts of one name fail here, when the rules load
