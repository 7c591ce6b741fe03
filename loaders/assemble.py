"""Statements of many files → one Batch: merged by uid, references and endpoint types checked.

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
    return [
        Problem(location=location, field=c.field, value=c.incoming,
                expected=f"{c.existing} for {c.uid}, {elsewhere} (same uid, conflicting facts)")
        for c in conflicts
    ]


def assemble(files: list[ParsedFile], existing: Lookup) -> Batch:
    """Merge the files' statements into one batch; raise InvalidInput with every problem."""
    problems = [p for f in files for p in f.problems]
    batch = Batch()
    first_seen = _merge_all([s for f in files for s in f.nodes], batch.nodes, merge_node,
                            problems)
    edge_locations = _merge_all([s for f in files for s in f.edges], batch.edges, merge_edge,
                                problems)

    referenced = {e.source for e in batch.edges.values()} | {e.target for e in batch.edges.values()}
    stored = existing(sorted(set(batch.nodes) | referenced))
    for uid, node in batch.nodes.items():
        if uid in stored:
            _, conflicts = merge_node(stored[uid], node)
            problems += _conflict_problems(conflicts, first_seen[uid], None)

    known = {**{uid: n.type for uid, n in stored.items()},
             **{uid: n.type for uid, n in batch.nodes.items()}}
    unreadable = [f.path for f in files if not f.readable]
    for parsed in files:
        known.update({uid: "" for uid in parsed.rejected if uid not in known})
    for uid, edge in batch.edges.items():
        problems += _endpoint_problems(edge, edge_locations[uid], known, unreadable)

    if problems:
        raise InvalidInput(problems)
    return batch


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
