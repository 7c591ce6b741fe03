"""What every loader hands on: nodes and edges as stated in one file, each with where it was stated.

The checks that depend only on the vocabulary live here once, so case records and registers
are held to the same rules.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from govgraph.graph.model import (
    Citation,
    Claim,
    Edge,
    Location,
    Node,
    Problem,
    RegisterLayout,
    built,
    cited,
    edge_uid,
    uid_problem,
)
from govgraph.graph.values import BadValue, normalise
from govgraph.graph.vocabulary import (
    NODE_TYPES,
    RELATIONSHIP_TYPES,
    PropertySpec,
    edge_properties,
    node_properties,
)


@dataclass
class ParsedFile:
    """The statements one input file makes, and the problems found reading it: an edition of
    its source (a case record's report, a register), as of the date it states, if any."""

    path: str
    source: str = "source:unknown"  # the uid of the source it is an edition of
    kind: str = "case"  # or "register"
    title: str = ""
    as_of: str | None = None  # YYYY-MM-DD: a report's publication date, a register's 填报日期
    claims: list[Claim] = field(default_factory=list)  # facets its rows speak for whole
    nodes: list[tuple[Node, Location]] = field(default_factory=list)
    edges: list[tuple[Edge, Location]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # read anyway, but worth a look
    layouts: list[RegisterLayout] = field(default_factory=list)  # a register's sheets
    readable: bool = True  # False when the file as a whole could not be parsed
    # uids of nodes stated but rejected (bad type, name …): references to them are not "dangling"
    rejected: set[str] = field(default_factory=set)

    def problem(self, location: Location, expected: str, field: str | None = None,
                value: Any = None, zh: str | None = None) -> None:
        """A problem: what was ``expected`` (and the same in Chinese, ``zh``, where written)."""
        self.problems.append(Problem(location=location, field=field, expected=expected,
                                     value=_shown(value), expected_zh=zh))


def _shown(value: Any, limit: int = 500) -> str | None:
    """A bad value as a message shows it: as text, at most ``limit`` characters."""
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + "…"


def _properties(
    out: ParsedFile, location: Location, specs: dict[str, PropertySpec], given: dict[str, Any],
    owner: str,
) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for key, value in given.items():
        if key not in specs:
            known = ", ".join(sorted(specs)) or "none"
            out.problem(location, f"a property {owner} knows ({known})", field=key, value=value)
            continue
        try:
            properties[key] = normalise(specs[key], value)
        except BadValue as bad:
            out.problem(location, str(bad), field=key, value=value)
    return properties


def _text(out: ParsedFile, location: Location, field: str, value: Any, expected: str) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    out.problem(location, expected, field=field, value=value)
    return None


def _citations(
    out: ParsedFile, location: Location, source: str, evidence: Any
) -> list[Citation]:
    if evidence is None:
        return [cited(source)]
    sentences = [evidence] if isinstance(evidence, str) else evidence
    if not isinstance(sentences, list) or not all(
        isinstance(s, str) and s.strip() for s in sentences
    ):
        out.problem(location, "a sentence of the source, or a list of them", "evidence", evidence)
        return [cited(source)]
    return [cited(source, s.strip()) for s in sentences]


def add_node(
    out: ParsedFile, location: Location, source: str, *, uid: Any, type_name: Any, name: Any,
    properties: dict[str, Any], evidence: Any = None,
) -> None:
    """Check one stated node against the vocabulary and keep it if it passes."""
    if not isinstance(type_name, str) or type_name not in NODE_TYPES:
        known = ", ".join(NODE_TYPES)
        out.problem(location, f"a node type ({known})", field="type", value=type_name)
        type_name = None
    uid_ok = isinstance(uid, str) and not uid_problem(uid, type_name)
    if not uid_ok:
        expected = uid_problem(uid, type_name) if isinstance(uid, str) else "a uid"
        out.problem(location, expected or "a uid", "uid", uid)
    name = _text(out, location, "name", name, "a non-empty name")
    props = (
        _properties(out, location, node_properties(type_name), properties, f"a {type_name}")
        if type_name
        else {}
    )
    citations = _citations(out, location, source, evidence)
    # Kept even when a property is bad, and remembered when rejected, so references to it do
    # not add false "dangling" errors; the problem found already stops the load.
    if not (type_name and name and uid_ok):
        if isinstance(uid, str):
            out.rejected.add(uid)
        return
    # every field checked above: not validated again (a register of 8,000 rows makes 24,000)
    node = built(Node, uid=uid, type=type_name, name=name, properties=props, citations=citations)
    out.nodes.append((node, location))


def add_edge(
    out: ParsedFile, location: Location, source: str, *, uid: Any, type_name: Any, start: Any,
    end: Any, properties: dict[str, Any], evidence: Any = None,
) -> None:
    """Check one stated edge against the vocabulary (its ends are checked once all is read)."""
    if not isinstance(type_name, str) or type_name not in RELATIONSHIP_TYPES:
        known = ", ".join(RELATIONSHIP_TYPES)
        out.problem(location, f"a relationship type ({known})", field="type", value=type_name)
        type_name = None
    start = _text(out, location, "from", start, "the uid of the node the relationship starts at")
    end = _text(out, location, "to", end, "the uid of the node the relationship ends at")
    uid_ok = uid is None or (isinstance(uid, str) and uid.strip() != "" and " " not in uid)
    if not uid_ok:
        out.problem(location, "a uid without spaces, or none", "uid", uid)
    props = (
        _properties(out, location, edge_properties(type_name), properties, type_name)
        if type_name
        else {}
    )
    citations = _citations(out, location, source, evidence)
    if type_name and start and end and uid_ok:  # every field checked: not validated again
        edge = built(Edge, uid=uid or edge_uid(type_name, start, end), type=type_name,
                     source=start, target=end, properties=props, citations=citations)
        out.edges.append((edge, location))
