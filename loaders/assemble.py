"""Statements of many files → one Batch of editions: the files of one source and date make one
edition, merged by uid; references and endpoint types checked across all of them.

It needs to know which nodes already exist; it is handed a look-up function rather than a store,
so loaders stay independent of where the graph is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from govgraph.graph.model import (
    Batch,
    Conflict,
    Edge,
    Edition,
    EditionBatch,
    InvalidInput,
    Location,
    Node,
    Problem,
    merge_edge,
    merge_node,
)
from govgraph.graph.vocabulary import RELATIONSHIP_TYPES
from govgraph.loaders.statements import ParsedFile

Lookup = Callable[[Iterable[str]], dict[str, Node]]


def _conflict_problems(
    conflicts: list[Conflict], location: Location, first_seen: Location | None
) -> list[Problem]:
    elsewhere = f"as stated at {first_seen}" if first_seen else "as already in the store"
    elsewhere_zh = f"与{first_seen.zh()}所写" if first_seen else "与库中已有的"
    return [
        Problem(location=location, field=c.field, field_zh=c.field_zh, value=c.incoming,
                expected=f"{c.existing} for {c.uid}, {elsewhere} (same uid, conflicting facts)",
                expected_zh=f"{c.existing}:{elsewhere_zh}一致(同一个{c.uid},"
                            f"{c.field_zh or c.field}只能有一个值)")
        for c in conflicts
    ]


def assemble(files: list[ParsedFile], existing: Lookup, as_of: str) -> Batch:
    """Group the files' statements into editions (by source, and by the date each file states,
    else ``as_of``) and merge each; raise InvalidInput with every problem. Within one edition a
    fact must have one value; editions may disagree (see graph.editions)."""
    problems = [p for f in files for p in f.problems]
    groups: dict[tuple[str, str], list[ParsedFile]] = {}
    for parsed in files:
        if parsed.readable:
            groups.setdefault((parsed.source, parsed.as_of or as_of), []).append(parsed)
    batch = Batch()
    first_seen: dict[str, tuple[Node, Location]] = {}
    edge_locations: dict[str, tuple[Edge, Location]] = {}
    for (source, date), parts in groups.items():
        edition = EditionBatch(edition=Edition(
            source=source, as_of=date, kind=parts[0].kind,
            title="、".join(dict.fromkeys(p.title for p in parts if p.title))))
        seen = _merge_all([s for f in parts for s in f.nodes], edition.nodes, merge_node, problems)
        located = _merge_all([s for f in parts for s in f.edges], edition.edges, merge_edge,
                             problems)
        edition.claims = list(dict.fromkeys(c for f in parts for c in f.claims))
        batch.editions.append(edition)
        for uid, location in seen.items():
            problems += _identity_problems(edition.nodes[uid], location, first_seen)
        edge_locations.update({u: (edition.edges[u], loc) for u, loc in located.items()})

    referenced = {e.source for e, _ in edge_locations.values()} | {
        e.target for e, _ in edge_locations.values()}
    stored = existing(sorted(set(first_seen) | referenced))
    for uid, (node, location) in first_seen.items():
        if uid in stored and stored[uid].type != node.type:
            problems.append(Problem(location=location, field="type", value=node.type,
                                    expected=f"{stored[uid].type} for {uid}, as already in the "
                                    "store (one uid is one thing)"))

    known = {**{uid: n.type for uid, n in stored.items()},
             **{uid: n.type for uid, (n, _) in first_seen.items()}}
    unreadable = [f.path for f in files if not f.readable]
    for parsed in files:
        known.update({uid: "" for uid in parsed.rejected if uid not in known})
    for edge, location in edge_locations.values():
        problems += _endpoint_problems(edge, location, known, unreadable)

    if problems:
        raise InvalidInput(problems)
    return batch


def _identity_problems(node: Node, location: Location,
                       first_seen: dict[str, tuple[Node, Location]]) -> list[Problem]:
    """A uid must name one thing in every edition: the same type (its name and facts may
    differ between sources)."""
    if node.uid not in first_seen:
        first_seen[node.uid] = (node, location)
        return []
    first, where = first_seen[node.uid]
    if first.type == node.type:
        return []
    return [Problem(location=location, field="type", value=node.type,
                    expected=f"{first.type} for {node.uid}, as stated at {where} (one uid is "
                    "one thing)")]


def _merge_all(statements: list[tuple[Any, Location]], merged: dict[str, Any],
               merge: Callable[[Any, Any], tuple[Any, list[Conflict]]],
               problems: list[Problem]) -> dict[str, Location]:
    """Merge statements by uid into ``merged``, adding a problem per conflicting fact; where each
    uid was first stated."""
    first_seen: dict[str, Location] = {}
    for item, location in statements:
        if item.uid in merged:
            merged[item.uid], conflicts = merge(merged[item.uid], item)
            problems += _conflict_problems(conflicts, location, first_seen[item.uid])
        else:
            merged[item.uid] = item
            first_seen[item.uid] = location
    return first_seen


def _endpoint_problems(
    edge: Edge, location: Location, known: dict[str, str], unreadable: list[str]
) -> list[Problem]:
    """Dangling references and ends of the wrong type. A reference may dangle only because its
    node is in a file that could not be read; the message then names those files."""
    rel = RELATIONSHIP_TYPES[edge.type]
    problems = []
    expected = "the uid of a node defined in the records loaded or in the store"
    if unreadable:
        expected += " (or in the unreadable " + ", ".join(unreadable) + ")"
    ends = (("from", edge.source, rel.sources), ("to", edge.target, rel.targets))
    for field, uid, allowed in ends:
        if uid not in known:
            problems.append(Problem(location=location, field=field, value=uid, expected=expected))
        elif not known[uid]:
            continue  # its node was rejected, and that is already reported
        elif known[uid] not in allowed:
            problems.append(Problem(
                location=location, field=field, value=f"{uid} ({known[uid]})",
                expected=f"a node of type {', '.join(sorted(allowed))} for {edge.type}",
            ))
    return problems
