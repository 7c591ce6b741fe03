"""Coverage-gap rules and coverage ratios, declared once as data beside the vocabulary.

A rule declares the facts around a compound it reads (``reads``: graph.facts), and reads one
compound's profile of them to give the reasons it is a hit (none: not a hit) and what it could
not decide because a fact is not recorded. The profile and what a store fetches are derived from
those declarations, so a new rule is one more entry in ``GAP_RULES``: every store, the CLI and
the API pick it up (docs/rules.md).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any, NamedTuple, TypeVar

from govgraph.graph.answers import (
    CommitteeProfile,
    CompoundProfile,
    Definition,
    NodeRef,
    ParameterUsed,
    declaring,
)
from govgraph.graph.facts import (
    COMMITTEE_PARTY_ORGANIZATIONS,
    COMMITTEES_OF_COMPOUND,
    LEADING_PARTY_ORGANIZATIONS,
    PARTY_ORGANIZATIONS,
    PROPERTY_COMPANIES,
    SERVING_PARTY_ORGANIZATIONS,
    Fact,
    declared_names,
    needed,
)


@dataclass(frozen=True)
class Parameter:
    """A choice of 口径 a city may make: a number, or a switch (0: no, 1: yes)."""

    default: float
    description: str  # English
    zh: str  # Chinese, as the page shows it
    minimum: float = 0
    maximum: float = 1


# The choices of 口径 a city may make, shared by every rule and ratio that reads them, so one
# choice means the same everywhere (docs/definitions.md). Rules name the ones they use.
PARAMETERS: dict[str, Parameter] = {
    "committee_party_organization_counts": Parameter(
        1, "a party organisation in the compound's 业委会 or 物管会 counts as the compound's party "
           "organisation", "业委会(物管会)中建立的党组织计为小区党组织"),
    "serving_party_organization_counts": Parameter(
        1, "a party organisation serving the compound (a property company's party branch working "
           "in it) counts as the compound's party organisation",
        "服务小区的党组织(如物业企业党支部)计为小区党组织"),
    "leading_party_organization_counts": Parameter(
        1, "the party organisation a report makes the party side of the compound's 三位一体 or "
           "三驾马车 counts as the compound's party organisation",
        "小区“三位一体”“三驾马车”的党组织一方计为小区党组织"),
    "management_committee_counts": Parameter(
        1, "a 物管会 counts as the compound's owners' committee where it has none",
        "物管会计为业委会(小区未成立业委会时)"),
    "self_managed_counts": Parameter(
        1, "self-managed property (自办物业) counts as a property service",
        "自办物业计为有物业服务"),
    "threshold": Parameter(
        50, "the share of party members (percent) at which a committee is 红色",
        "红色业委会党员委员占比下限(%)", 0, 100),
    "party_organization_makes_red": Parameter(
        1, "a committee with a party branch or party work group in it is 红色 whatever its share",
        "建有党支部或党的工作小组的业委会即为红色业委会"),
    "pooled_figure_counts": Parameter(
        1, "a figure stated for several committees together (one record standing for them, "
           "count > 1) holds for each of them; 0: it decides none of them (not recorded)",
        "几个业委会合并统计的数字计为每个业委会的数字"),
    "unrecorded_in_denominator": Parameter(
        1, "a ratio's denominator counts units whose answer is not recorded (they are not in the "
           "numerator); 0: the ratio is over recorded units only",
        "分母含未记录的单位"),
}


def _parameters(*names: str) -> dict[str, Parameter]:
    return {name: PARAMETERS[name] for name in names}


T = TypeVar("T")
Verdict = tuple[list[str], list[str]]  # (reasons it is a hit, facts not recorded)
Presence = bool | None  # yes, no (stated none), None (not recorded)


class Finding(NamedTuple):
    """What a gap rule finds of a compound: kept in its profile for every rule, so a whole
    city's answers are read, not made again (``_read_once``); one object for each finding alike
    (``_finding``: a city's 95,000 are 21,000), made into the answer's GapHit when asked."""

    compounds: int  # how many it stands for (a record may stand for several)
    reasons: tuple[str, ...]  # its reasons, or what is not recorded; none: nothing found
    hit: bool  # its reasons found, not only not recorded


_FINDINGS: dict[Finding, Finding] = {}  # each finding alike, once; emptied at KEPT_FINDINGS
KEPT_FINDINGS = 100_000


def _finding(compounds: int, reasons: tuple[str, ...], hit: bool) -> Finding:
    found = Finding(compounds, reasons, hit)
    if len(_FINDINGS) >= KEPT_FINDINGS:
        _FINDINGS.clear()
    return _FINDINGS.setdefault(found, found)


@dataclass(frozen=True)
class GapRule:
    name: str
    title: str  # Chinese, as officials name the gap
    description: str  # what a hit means
    definition_zh: str  # its 口径
    definition_en: str
    reads: tuple[Fact, ...]  # every fact around a compound the verdict reads
    verdict: Callable[[CompoundProfile, dict[str, float]], Verdict]
    parameters: dict[str, Parameter] = field(default_factory=dict)

    @cached_property
    def _declared(self) -> frozenset[str]:
        return declared_names(self.reads)

    def findings(self, profiles: list[CompoundProfile], parameters: dict[str, float]
                 ) -> list[Finding]:
        """What the rule finds of each compound, seeing only the facts it declares (made once
        for a profile and these parameters: a whole city's question again costs a look-up
        per compound)."""
        return _read_once(profiles, self._declared, self.name, self._find, parameters)

    def _find(self, profile: CompoundProfile, parameters: dict[str, float]) -> Finding:
        reasons, unknown = self.verdict(profile, parameters)
        return _finding(profile.compound.count, tuple(reasons or unknown), bool(reasons))


def _read_once(profiles: list[CompoundProfile], declared: frozenset[str], name: Hashable,
               read: Callable[[CompoundProfile, dict[str, float]], T],
               parameters: dict[str, float]) -> list[T]:
    """What a rule or ratio reads of each profile, seeing only the facts it declares, made once
    for a profile and these parameters (kept in the profile: a whole city's question again
    costs a lookup per compound). Only the first KEPT_ANSWERS (rule or ratio, parameters) are
    kept: the service's own 口径 come first (it asks them when it starts), and a client trying
    parameter after parameter does not grow every profile."""
    asked = (name, read, *parameters.items())
    key = _KEYS.get(asked)
    if key is None and len(_KEYS) < KEPT_ANSWERS:
        key = _KEYS.setdefault(asked, next(_NUMBERS))
    with declaring(declared):
        if key is None:
            return [read(profile, parameters) for profile in profiles]
        found: list[T] = []
        for profile in profiles:
            kept = profile.answers
            answer: Any = kept[key] if key < len(kept) else _MISSING
            if answer is _MISSING:
                answer = read(profile, parameters)
                if key >= len(kept):
                    kept.extend([_MISSING] * (key + 1 - len(kept)))
                kept[key] = answer
            found.append(answer)
    return found


KEPT_ANSWERS = 32  # (rule or ratio, parameters) whose answers profiles keep (see _read_once)
# a small number for each (rule or ratio, parameters) a profile keeps an answer of: looked up
# once per compound of a question, where the tuple would be hashed again for each
_KEYS: dict[tuple[Any, ...], int] = {}
_NUMBERS = itertools.count()  # next() is atomic: two threads never get the same number
_MISSING = object()


def _names(bodies: list[CommitteeProfile]) -> str:
    return "、".join(b.committee.name for b in bodies)


PARTY_SIDE = (PARTY_ORGANIZATIONS, COMMITTEES_OF_COMPOUND, COMMITTEE_PARTY_ORGANIZATIONS,
              SERVING_PARTY_ORGANIZATIONS, LEADING_PARTY_ORGANIZATIONS)


def party_organizations(p: CompoundProfile, params: dict[str, float]) -> list[NodeRef]:
    """The compound's party organisations under the 口径 chosen (PARAMETERS)."""
    found = list(p.found(PARTY_ORGANIZATIONS))
    if params["committee_party_organization_counts"]:
        found += [o for c in p.committees for o in c.found(COMMITTEE_PARTY_ORGANIZATIONS)]
    if params["serving_party_organization_counts"]:
        found += p.found(SERVING_PARTY_ORGANIZATIONS)
    if params["leading_party_organization_counts"]:
        found += p.found(LEADING_PARTY_ORGANIZATIONS)
    return list({o.uid: o for o in found}.values())


def _has_party_organization(p: CompoundProfile, params: dict[str, float]) -> Presence:
    return True if party_organizations(p, params) else p.stated.get("has_party_organization")


def _committees(p: CompoundProfile, params: dict[str, float]) -> list[CommitteeProfile]:
    """The committees that count as the compound's 业委会 under the 口径 chosen."""
    if p.owners_committees or not params["management_committee_counts"]:
        return p.owners_committees
    return p.management_committees


def _has_committee(p: CompoundProfile, params: dict[str, float]) -> Presence:
    """Whether the compound has a 业委会 (or, by the 口径, a 物管会 in its stead)."""
    if _committees(p, params):
        return True
    if p.management_committees or p.stated.get("has_owners_committee") is False:
        return False  # a stated none of the 业委会 decides, a 物管会 not recorded or not
    return None


def _has_property_service(p: CompoundProfile, params: dict[str, float]) -> Presence:
    if p.found(PROPERTY_COMPANIES):
        return True
    if p.self_managed_property:
        return bool(params["self_managed_counts"])
    return False if p.stated.get("has_property_company") is False else None


def _without_party_branch(p: CompoundProfile, params: dict[str, float]) -> Verdict:
    has = _has_party_organization(p, params)
    if has is None:
        return [], ["未记录小区党组织"]
    return ([] if has else ["无小区党组织(来源写明)"]), []


def _without_committee_branch(p: CompoundProfile, _: dict[str, float]) -> Verdict:
    committees = p.committees
    if not committees:
        owners = p.stated.get("has_owners_committee")
        management = p.stated.get("has_management_committee")
        if owners is False and management is False:
            return ["无业委会或物管会(来源写明),故无业委会党组织"], []
        if owners is False:
            return [], ["无业委会,未记录物管会"]
        if management is False:
            return [], ["无物管会,未记录业委会"]
        return [], ["未记录业委会或物管会"]
    if any(c.found(COMMITTEE_PARTY_ORGANIZATIONS) for c in committees):
        return [], []
    if all(c.stated.get("has_party_organization") is False for c in committees):
        return [f"{c.committee.name}无党支部或党的工作小组(来源写明)" for c in committees], []
    return [], [f"{c.committee.name}未记录党支部或党的工作小组" for c in committees]


def _without_owners_committee(p: CompoundProfile, params: dict[str, float]) -> Verdict:
    has = _has_committee(p, params)
    if has:
        return [], []
    if p.management_committees:
        return [f"未成立业委会,由物管会({_names(p.management_committees)})代行"], []
    if has is False:
        pmc = {False: ",也无物管会", None: ",未记录物管会"}.get(
            p.stated.get("has_management_committee"), "")
        return [f"无业委会(来源写明){pmc}"], []
    return [], ["未记录业委会或物管会"]


def _without_property_service(p: CompoundProfile, params: dict[str, float]) -> Verdict:
    has = _has_property_service(p, params)
    if has:
        return [], []
    if has is None:
        return [], ["未记录物业服务企业或自办物业"]
    if p.self_managed_property:
        return ["无物业服务企业,实行自办物业"], []
    return ["无物业服务企业(来源写明)"], []


def _troika_incomplete(p: CompoundProfile, params: dict[str, float]) -> Verdict:
    legs = [("小区党组织", _has_party_organization(p, params)),
            ("业委会", _has_committee(p, params)),
            ("物业服务", _has_property_service(p, params))]
    missing = [f"缺{leg}" for leg, has in legs if has is False]
    if missing and p.management_committees and not p.owners_committees:
        missing = [m + f"(物管会{_names(p.management_committees)}代行)" if m == "缺业委会" else m
                   for m in missing]
    unknown = [f"未记录{leg}" for leg, has in legs if has is None]
    return (missing + unknown if missing else []), ([] if missing else unknown)


def _share(c: CommitteeProfile, params: dict[str, float]) -> float | None:
    """The committee's party-member share as the 口径 lets it be read."""
    if c.committee.count > 1 and not params["pooled_figure_counts"]:
        return None
    return c.party_member_share


def _low_party_share(p: CompoundProfile, params: dict[str, float]) -> Verdict:
    threshold = params["threshold"]
    reasons, unknown = [], []
    for c in _committees(p, params):
        share = _share(c, params)
        if share is None and c.party_member_share is not None:
            unknown.append(f"{c.committee.name}的党员委员占比为{c.committee.count}个业委会合计,"
                           "按口径不据以判断")
        elif share is None:
            unknown.append(f"{c.committee.name}未记录党员委员占比")
        elif share < threshold:
            pooled = f"({c.committee.count}个业委会合计)" if c.committee.count > 1 else ""
            reasons.append(f"{c.committee.name}党员委员占比{share:g}%{pooled},"
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
    return [], [f"未记录位于或服务小区的党群服务站、议事厅等阵地{around}"]


PARTY_DEFINITION_ZH = ("小区党组织指:建在小区的党组织(小区党支部、党小组等);按口径,也包括小区业委会"
                       "(物管会)中建立的党组织、服务小区的党组织(如物业企业党支部),以及报道写明作为"
                       "小区“三位一体”“三驾马车”党组织一方的党组织")
PARTY_DEFINITION_EN = ("a compound's party organisation is one set up in the compound (a "
                       "小区党支部, 党小组 …); by the parameters, also one set up in its "
                       "业委会 or 物管会, one serving it (a property company's party branch), and "
                       "one a report makes the party side of its 三位一体 or 三驾马车")
UNKNOWN_ZH = "来源未写明的记为“未记录”,不算缺失;只有来源写明“无”(台账填“无”)才算缺失。"
UNKNOWN_EN = ("what no source states is \"not recorded\", never a gap; only a stated none (a "
              "register's 无) is a gap.")

GAP_RULES: dict[str, GapRule] = {
    r.name: r
    for r in [
        GapRule("compound-without-party-branch", "小区未建党组织",
                "the compound is stated to have no party organisation",
                PARTY_DEFINITION_ZH + "。" + UNKNOWN_ZH, PARTY_DEFINITION_EN + "; " + UNKNOWN_EN,
                PARTY_SIDE, _without_party_branch,
                _parameters("committee_party_organization_counts",
                            "serving_party_organization_counts",
                            "leading_party_organization_counts")),
        GapRule("compound-without-committee-branch", "业委会(物管会)未建党组织",
                "neither the compound's 业委会 nor its 物管会 has a party branch or party work "
                "group, as stated; a compound stated to have no committee is a hit too",
                "业委会(物管会)党组织指建在业委会或物管会中的党支部、党的工作小组;委员中有党员、"
                "主任由党支部书记兼任都不算。" + UNKNOWN_ZH,
                "a committee's party organisation is a party branch or party work group set up in "
                "the 业委会 or 物管会; party members among its members, or a branch secretary "
                "chairing it, do not count. " + UNKNOWN_EN,
                (COMMITTEES_OF_COMPOUND, COMMITTEE_PARTY_ORGANIZATIONS),
                _without_committee_branch),
        GapRule("compound-without-owners-committee", "小区未成立业委会",
                "the compound is stated to have no owners' committee; the reason says whether a "
                "物管会 stands in",
                "业委会指代表小区业主的业主委员会;按口径,未成立业委会而成立物管会的,物管会计为"
                "业委会。" + UNKNOWN_ZH,
                "the owners' committee is the 业委会 that represents the compound's owners; by "
                "the parameter, a 物管会 counts where there is no 业委会. " + UNKNOWN_EN,
                (COMMITTEES_OF_COMPOUND,), _without_owners_committee,
                _parameters("management_committee_counts")),
        GapRule("compound-without-property-service", "小区无物业服务企业",
                "the compound is stated to have no property service; the reason says whether it "
                "is self-managed (自办物业)",
                "物业服务指为小区服务的物业服务企业(含物业管理处);按口径,自办物业计为有物业服务。"
                + UNKNOWN_ZH,
                "a property service is a property company (or 物业管理处) serving the compound; by "
                "the parameter, self-managed property (自办物业) counts. " + UNKNOWN_EN,
                (PROPERTY_COMPANIES,), _without_property_service,
                _parameters("self_managed_counts")),
        GapRule("troika-incomplete", "三位一体不完整",
                "one of 小区党组织, 业委会 and 物业服务 is stated missing; the reasons name which",
                "三位一体指小区党组织、业委会(物管会)、物业服务三方俱全,三方各按本规则口径:"
                + PARTY_DEFINITION_ZH + "。任一方来源写明“无”即不完整;未写明的记为“未记录”。",
                "the 三位一体 is whole when the compound has a party organisation, an owners' "
                "committee and a property service, each as the parameters define it: "
                + PARTY_DEFINITION_EN + ". A side stated missing makes it incomplete; a side no "
                "source states is \"not recorded\".",
                (*PARTY_SIDE, PROPERTY_COMPANIES), _troika_incomplete,
                _parameters("committee_party_organization_counts",
                            "serving_party_organization_counts",
                            "leading_party_organization_counts", "management_committee_counts",
                            "self_managed_counts")),
        GapRule("committee-low-party-share", "业委会党员占比偏低",
                "a 业委会 (or 物管会 standing in) whose share of party members is below the "
                "threshold; committees whose share is not recorded are listed apart",
                "党员委员占比 = 党员委员人数 ÷ 委员人数(或来源所述占比;“全部由党员担任”即100%),"
                "低于下限为偏低;几个业委会合并统计的占比按口径处理。未写明占比的记为“未记录”。",
                "the party share is party members ÷ members (or the share a source states; \"all "
                "members are party members\" is 100%), below the threshold is low; a share pooled "
                "over several committees counts by the parameter. A share no source states is "
                "\"not recorded\".",
                (COMMITTEES_OF_COMPOUND,), _low_party_share,
                _parameters("threshold", "pooled_figure_counts", "management_committee_counts")),
        GapRule("compound-without-service-facility", "小区无党群服务阵地",
                "no 党群服务阵地 (a 阵地 of kind " + ", ".join(SERVICE_FACILITY_KINDS) + ") is "
                "recorded in, serving or benefiting the compound: every such compound is listed "
                "as not recorded (no source states a compound has none); one in its community "
                "or street does not count, the reason names it",
                "党群服务阵地指位于、服务或惠及小区的" + "、".join(SERVICE_FACILITY_KINDS) + ";"
                "所在社区、街道的阵地不计,但在原因中列出。来源无从写明“无阵地”,未记录的小区列为"
                "“未记录”。",
                "a 党群服务阵地 is a " + ", ".join(SERVICE_FACILITY_KINDS) + " located in, serving "
                "or benefiting the compound; one of its community or street does not count (the "
                "reason names it). No source states a compound has none, so a compound with none "
                "recorded is listed as not recorded.",
                (SERVICE_FACILITIES, SERVICE_FACILITIES_AROUND), _without_service_facility),
    ]
}


def describe_rules() -> list[dict[str, Any]]:
    """The rules as plain data, for `govgraph gaps --json` and the API."""
    return [{"name": r.name, "title": r.title, "description": r.description,
             "definition_zh": r.definition_zh, "definition_en": r.definition_en,
             "parameters": {k: asdict(p) for k, p in r.parameters.items()}}
            for r in GAP_RULES.values()]


Unit = tuple[int, Presence]  # how many like units, and whether each is counted (None: unknown)


@dataclass(frozen=True)
class CoverageRatio:
    """A ratio over a scope's compounds or committees, each counted with its ``count``."""

    name: str
    title: str
    description: str
    definition_zh: str  # its 口径, as the page shows it
    definition_en: str
    reads: tuple[Fact, ...]  # every fact around a compound ``units`` reads
    units: Callable[[CompoundProfile, dict[str, float]], list[Unit]]
    # for one compound: (how many units, is each counted in the numerator; None: not recorded)
    parameters: dict[str, Parameter] = field(default_factory=dict)

    @cached_property
    def _declared(self) -> frozenset[str]:
        return declared_names(self.reads)

    def tally(self, profile: CompoundProfile, parameters: dict[str, float]
              ) -> tuple[int, int, int]:
        """How many units of the compound are counted, stated not counted and not recorded,
        read from the facts the ratio declares only."""
        with declaring(self._declared):
            units = self.units(profile, parameters)
        return (sum(n for n, counted in units if counted),
                sum(n for n, counted in units if counted is False),
                sum(n for n, counted in units if counted is None))


def _red(c: CommitteeProfile, params: dict[str, float]) -> Presence:
    """Whether a committee is 红色 under the 口径; None when what decides it is not recorded."""
    branch: Presence = bool(c.found(COMMITTEE_PARTY_ORGANIZATIONS)) or \
        c.stated.get("has_party_organization")
    if branch and params["party_organization_makes_red"]:
        return True
    share = _share(c, params)
    if share is not None and share >= params["threshold"]:
        return True
    if share is None or (branch is None and params["party_organization_makes_red"]):
        return None
    return False


RATIO_UNKNOWN_ZH = ("来源未写明的单位计为“未记录”,不计入分子;按口径计入或不计入分母。")
RATIO_UNKNOWN_EN = ("a unit no source decides is \"not recorded\": never in the numerator, in the "
                    "denominator or not by the parameter.")

COVERAGE_RATIOS: list[CoverageRatio] = [
    CoverageRatio("party-organization-coverage", "党组织覆盖率",
                  "compounds with a party organisation, of all compounds",
                  "有小区党组织的小区数 ÷ 小区总数。" + PARTY_DEFINITION_ZH + "。"
                  + RATIO_UNKNOWN_ZH,
                  "compounds with a party organisation ÷ compounds. " + PARTY_DEFINITION_EN + ". "
                  + RATIO_UNKNOWN_EN,
                  PARTY_SIDE,
                  lambda p, params: [(p.compound.count, _has_party_organization(p, params))],
                  _parameters("committee_party_organization_counts",
                              "serving_party_organization_counts",
                              "leading_party_organization_counts", "unrecorded_in_denominator")),
    CoverageRatio("owners-committee-formation", "业委会组建率",
                  "compounds with an owners' committee, of all compounds",
                  "成立业委会的小区数 ÷ 小区总数;按口径,物管会计为业委会。" + RATIO_UNKNOWN_ZH,
                  "compounds with an owners' committee ÷ compounds; by the parameter a 物管会 "
                  "counts. " + RATIO_UNKNOWN_EN,
                  (COMMITTEES_OF_COMPOUND,),
                  lambda p, params: [(p.compound.count, _has_committee(p, params))],
                  _parameters("management_committee_counts", "unrecorded_in_denominator")),
    CoverageRatio("red-committee-share", "红色业委会比例",
                  "owners' committees that are 红色, of all owners' committees",
                  "红色业委会数 ÷ 业委会总数。红色业委会:建有党支部或党的工作小组(按口径),"
                  "或党员委员占比达到下限;几个业委会合并统计的占比按口径处理。" + RATIO_UNKNOWN_ZH,
                  "红色 committees ÷ committees: one with a party branch or work group in it (by "
                  "the parameter), or whose party share reaches the threshold; a share pooled over "
                  "several committees counts by the parameter. " + RATIO_UNKNOWN_EN,
                  (COMMITTEES_OF_COMPOUND, COMMITTEE_PARTY_ORGANIZATIONS),
                  lambda p, params: [(c.committee.count, _red(c, params))
                                     for c in _committees(p, params)],
                  _parameters("threshold", "party_organization_makes_red",
                              "pooled_figure_counts", "management_committee_counts",
                              "unrecorded_in_denominator")),
]


def chosen(parameters: dict[str, Parameter], given: Mapping[str, str | float],
           what: str) -> dict[str, float]:
    """The values of ``parameters``: defaults, overridden by ``given`` (checked: known,
    numeric, in range). ValueError names what is wrong."""
    unknown = sorted(set(given) - set(parameters))
    if unknown:
        known = ", ".join(parameters) or "none"
        raise ValueError(f"{what} has no parameter {unknown[0]!r} (it takes: {known})")
    values = {name: p.default for name, p in parameters.items()}
    for name, raw in given.items():
        spec = parameters[name]
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"parameter {name}={raw!r}: expected a number") from None
        if not spec.minimum <= value <= spec.maximum:
            raise ValueError(f"parameter {name}={raw!r}: expected a number from "
                             f"{spec.minimum:g} to {spec.maximum:g}")
        values[name] = value
    return values


def definition(zh: str, en: str, parameters: dict[str, Parameter], values: dict[str, float]
               ) -> Definition:
    """The 口径 an answer is given under, with the value of each choice it used."""
    return Definition(zh=zh, en=en, parameters={
        name: ParameterUsed(value=values[name], default=p.default, zh=p.zh, en=p.description)
        for name, p in parameters.items()})


def coverage_tallies(profiles: list[CompoundProfile], parameters: dict[str, float]
                     ) -> tuple[int, list[tuple[int, int, int]]]:
    """How many compounds the profiles stand for, and each coverage ratio's tally over them
    (see CoverageRatio.tally), with ``parameters`` (every ratio's): made once for a profile and
    these parameters, all in one look-up per compound."""
    ratios = tuple((ratio.name, ratio.units) for ratio in COVERAGE_RATIOS)  # as they stand
    made = _read_once(profiles, frozenset(), ratios, _tallies, parameters)
    totals = [sum(column) for column in zip(*made, strict=True)] or \
        [0] * (1 + 3 * len(COVERAGE_RATIOS))
    return totals[0], [(totals[i], totals[i + 1], totals[i + 2])
                       for i in range(1, len(totals), 3)]


def _tallies(profile: CompoundProfile, parameters: dict[str, float]) -> tuple[int, ...]:
    """A compound's count, then each coverage ratio's tally of it."""
    made = [profile.compound.count]
    for ratio in COVERAGE_RATIOS:
        made += ratio.tally(profile, {k: parameters[k] for k in ratio.parameters})
    return tuple(made)


def coverage_parameters() -> dict[str, Parameter]:
    """Every parameter a coverage ratio reads."""
    return {k: p for ratio in COVERAGE_RATIOS for k, p in ratio.parameters.items()}


def declared_facts() -> Iterator[Fact]:
    """Every fact a gap rule or a coverage ratio declares, as the rules stand when asked (a rule
    added at run time counts): what compound profiles gather and stores fetch."""
    for rule in GAP_RULES.values():
        yield from rule.reads
    for ratio in COVERAGE_RATIOS:
        yield from ratio.reads


needed(declared_facts())  # two different facts of one name fail here, when the rules load


def definitions_markdown() -> str:
    """docs/definitions.md: the 口径 of every rule and ratio and the choices a city may make,
    written from the declarations here (`python -m govgraph.graph.rules > docs/definitions.md`;
    a test keeps the two alike)."""
    lines = ["# 口径: what each gap rule and ratio counts", "",
             "Generated by `python -m govgraph.graph.rules > docs/definitions.md` from "
             "`graph/rules.py`; every answer of the CLI, the API and the page carries the same "
             "text and the value of each choice it used (`definition`).", "",
             "Every rule and ratio tells three answers apart: **yes**, **no** (a source states "
             "none: a register's 无, a report's 没有) and **not recorded** (no source says). "
             "Only a stated no is a gap; a compound no source decides is listed under 未记录 (not "
             "recorded), and a ratio counts it apart (`recorded_no`, `not_recorded`).", "",
             "## Choices a city may make (parameters)", "",
             "A city sets its own once, for every answer: `GOVGRAPH_DEFINITIONS='{\"threshold\": "
             "60}'` (the CLI and the API read it; an unknown name or a value out of range stops "
             "them with a message). One question may choose otherwise with `--param name=value` "
             "(CLI) or `?name=value` (API). Each answer shows the values it used, beside the "
             "defaults below.", "",
             "| parameter | default | 口径 | meaning |", "|---|---|---|---|"]
    lines += [f"| `{name}` | {p.default:g} | {p.zh} | {p.description} |"
              for name, p in PARAMETERS.items()]
    for heading, items in (("Gap rules", GAP_RULES.values()), ("Ratios", COVERAGE_RATIOS)):
        lines += ["", f"## {heading}"]
        for item in items:
            lines += ["", f"### {item.title} (`{item.name}`)", "", f"- 口径: {item.definition_zh}",
                      f"- Definition: {item.definition_en}",
                      "- Parameters: " + (", ".join(f"`{k}`" for k in item.parameters) or "none")]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(definitions_markdown(), end="")
