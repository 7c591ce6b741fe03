"""The questions of the query catalogue that combine a store's answers with the declared rules."""

from __future__ import annotations

from collections.abc import Mapping

from govgraph.graph.algorithms import Line
from govgraph.graph.answers import CoverageAnswer, GapAnswer, GapHit, Ratio, Subgraph, TreeNode
from govgraph.graph.model import Node
from govgraph.graph.rules import COVERAGE_RATIOS, GAP_RULES, GapRule
from govgraph.graph.storage import GraphStore, InvalidQuery
from govgraph.graph.vocabulary import PLACES


def rule_named(name: str) -> GapRule:
    if name not in GAP_RULES:
        raise InvalidQuery(f"no gap rule {name!r}; expected one of " + ", ".join(GAP_RULES))
    return GAP_RULES[name]


def rule_parameters(rule: GapRule, given: Mapping[str, str | float]) -> dict[str, float]:
    """The rule's parameters: defaults, overridden by ``given`` (checked: known, numeric, in
    range)."""
    unknown = sorted(set(given) - set(rule.parameters))
    if unknown:
        known = ", ".join(rule.parameters) or "none"
        raise InvalidQuery(f"rule {rule.name} has no parameter {unknown[0]!r} (it takes: {known})")
    values = {name: p.default for name, p in rule.parameters.items()}
    for name, raw in given.items():
        spec = rule.parameters[name]
        try:
            value = float(raw)
        except ValueError:
            raise InvalidQuery(f"parameter {name}={raw!r}: expected a number") from None
        if not spec.minimum <= value <= spec.maximum:
            raise InvalidQuery(f"parameter {name}={raw!r}: expected a number from "
                               f"{spec.minimum:g} to {spec.maximum:g}")
        values[name] = value
    return values


def gaps(store: GraphStore, rule_name: str, scope: str | None = None,
         parameters: Mapping[str, str | float] | None = None) -> GapAnswer:
    """The compounds of the scope the rule finds, each with its place and reasons."""
    rule = rule_named(rule_name)
    values = rule_parameters(rule, parameters or {})
    scope_ref = store.scope_ref(scope)
    profiles = store.compound_profiles(scope)
    hits, undecided = [], []
    for profile in profiles:
        reasons, unknown = rule.check(profile, values)
        if reasons:
            hits.append(GapHit(compound=profile.compound, place=profile.place, reasons=reasons))
        elif unknown:
            undecided.append(GapHit(compound=profile.compound, place=profile.place,
                                    reasons=unknown))
    return GapAnswer(rule=rule.name, title=rule.title, scope=scope_ref, parameters=values,
                     compounds_checked=sum(p.compound.count for p in profiles), hits=hits,
                     not_recorded=undecided)


def coverage(store: GraphStore, scope: str | None = None) -> CoverageAnswer:
    """The coverage ratios of the scope, with the counts behind each."""
    scope_ref = store.scope_ref(scope)
    profiles = store.compound_profiles(scope)
    ratios = []
    for ratio in COVERAGE_RATIOS:
        units = [unit for profile in profiles for unit in ratio.over(profile)]
        decided = [(n, counted) for n, counted in units if counted is not None]
        numerator = sum(n for n, counted in decided if counted)
        denominator = sum(n for n, _ in decided)
        ratios.append(Ratio(
            name=ratio.name, title=ratio.title, description=ratio.description,
            numerator=numerator, denominator=denominator,
            ratio=round(numerator / denominator, 4) if denominator else None,
            not_recorded=sum(n for n, counted in units if counted is None)))
    return CoverageAnswer(scope=scope_ref, compounds=sum(p.compound.count for p in profiles),
                          ratios=ratios)


def network_of(store: GraphStore, uid: str, mode: str = "auto", depth: int = 2
               ) -> tuple[Node, Subgraph]:
    """What a network view of ``uid`` shows: a place with everything under and around it
    (``scope``), or the nodes within ``depth`` steps (``neighbourhood``); ``auto`` picks the
    first for places."""
    if mode not in ("auto", "scope", "neighbourhood"):
        raise InvalidQuery(f"mode {mode!r}: expected auto, scope or neighbourhood")
    node = store.get_node(uid)
    if mode == "scope" or (mode == "auto" and node.type in PLACES):
        return node, store.scope_view(uid)
    return node, store.neighbourhood(uid, depth, limit=1000)


def chart_trees(store: GraphStore, uid: str, line: str, depth: int) -> dict[str, TreeNode]:
    """The trees of an org chart: one line, or both side by side."""
    if line not in ("admin", "party", "both"):
        raise InvalidQuery(f"line {line!r}: expected admin, party or both")
    lines: list[Line] = ["admin", "party"] if line == "both" else [line]  # type: ignore[list-item]
    return {name: store.tree(uid, name, depth) for name in lines}


def source_titles(store: GraphStore) -> dict[str, str]:
    """The title of every source, for hover texts."""
    return {n.uid: n.name for n in store.nodes_of_type("Source")}
