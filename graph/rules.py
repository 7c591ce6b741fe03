"""Coverage-gap rules and coverage ratios, declared once as data beside the vocabulary.

A rule reads one compound's profile and gives the reasons it is a hit (none: not a hit) and what
it could not decide because a fact is not recorded. A new rule is one more entry in ``GAP_RULES``;
every store, the CLI and the API pick it up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from govgraph.graph.answers import CommitteeProfile, CompoundProfile


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
    check: Callable[[CompoundProfile, dict[str, float]], Verdict]
    parameters: dict[str, Parameter] = field(default_factory=dict)


def _names(bodies: list[CommitteeProfile]) -> str:
    return "、".join(b.committee.name for b in bodies)


def _without_party_branch(p: CompoundProfile, _: dict[str, float]) -> Verdict:
    return ([] if p.party_organizations else ["未记录建在小区的党组织"]), []


def _without_committee_branch(p: CompoundProfile, _: dict[str, float]) -> Verdict:
    if not p.committees:
        return ["未记录业委会或物管会,故无业委会党组织"], []
    if any(c.party_organizations for c in p.committees):
        return [], []
    return [f"{c.committee.name}未记录党支部或党的工作小组" for c in p.committees], []


def _without_owners_committee(p: CompoundProfile, _: dict[str, float]) -> Verdict:
    if p.owners_committees:
        return [], []
    if p.management_committees:
        return [f"未记录业委会,由物管会({_names(p.management_committees)})代行"], []
    return ["未记录业委会,也未记录物管会"], []


def _without_property_service(p: CompoundProfile, _: dict[str, float]) -> Verdict:
    if p.property_companies:
        return [], []
    if p.self_managed_property:
        return ["未记录物业服务企业,实行自办物业"], []
    return ["未记录物业服务企业,也未记录自办物业"], []


def _troika_incomplete(p: CompoundProfile, _: dict[str, float]) -> Verdict:
    missing = []
    if not p.party_organizations:
        missing.append("缺小区党组织")
    if not p.owners_committees:
        stand_in = _names(p.management_committees)
        missing.append(f"缺业委会(物管会{stand_in}代行)" if stand_in else "缺业委会")
    if not p.property_companies and not p.self_managed_property:
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


GAP_RULES: dict[str, GapRule] = {
    r.name: r
    for r in [
        GapRule("compound-without-party-branch", "小区未建党组织",
                "no party organisation is recorded as set up in the compound",
                _without_party_branch),
        GapRule("compound-without-committee-branch", "业委会(物管会)未建党组织",
                "neither the compound's 业委会 nor its 物管会 has a party branch or party work "
                "group; a compound with no committee at all is a hit too",
                _without_committee_branch),
        GapRule("compound-without-owners-committee", "小区未成立业委会",
                "no owners' committee is recorded; the reason says whether a 物管会 stands in",
                _without_owners_committee),
        GapRule("compound-without-property-service", "小区无物业服务企业",
                "no property company serves the compound; the reason says whether it is "
                "self-managed (自办物业)", _without_property_service),
        GapRule("troika-incomplete", "三位一体不完整",
                "one of 小区党组织, 业委会 and 物业服务 is missing; the reasons name which",
                _troika_incomplete),
        GapRule("committee-low-party-share", "业委会党员占比偏低",
                "a 业委会 or 物管会 whose share of party members is below the threshold; "
                "committees whose share is not recorded are listed apart", _low_party_share,
                {"threshold": Parameter(50, "the share (percent) a 红色业委会 reaches", 0, 100)}),
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
    over: Callable[[CompoundProfile], list[tuple[int, bool | None]]]
    # for one compound: (how many units, is each counted in the numerator; None: not recorded)


def _red(c: CommitteeProfile) -> bool | None:
    if c.party_organizations:
        return True
    if c.party_member_share is None:
        return None
    return c.party_member_share >= GAP_RULES["committee-low-party-share"].parameters[
        "threshold"].default


COVERAGE_RATIOS: list[CoverageRatio] = [
    CoverageRatio("party-organization-coverage", "党组织覆盖率",
                  "compounds with a party organisation set up in them, of all compounds",
                  lambda p: [(p.compound.count, bool(p.party_organizations))]),
    CoverageRatio("owners-committee-formation", "业委会组建率",
                  "compounds with an owners' committee, of all compounds",
                  lambda p: [(p.compound.count, bool(p.owners_committees))]),
    CoverageRatio("red-committee-share", "红色业委会比例",
                  "owners' committees with a party branch or work group in them or a party-member "
                  "share of at least 50%, of all owners' committees",
                  lambda p: [(c.committee.count, _red(c)) for c in p.owners_committees]),
]
