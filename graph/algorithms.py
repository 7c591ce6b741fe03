"""Small pure functions over a governance graph held in networkx, shared by every store.

The graph is a ``networkx.MultiDiGraph`` whose nodes carry ``type``, ``name``, ``properties`` and
``citations`` and whose edges (keyed by ``edge_key``) carry ``type``, ``properties`` and
``citations``: what ``EmbeddedStore.snapshot()`` returns, and what the Neo4j store builds from
the part of the graph a question needs. So both stores answer with the same code.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx

from govgraph.graph.answers import (
    CommitteeProfile,
    CompoundProfile,
    NodeRef,
    PlaceFacts,
    ProjectFacts,
    Subgraph,
    TreeNode,
    kept_model,
)
from govgraph.graph.facts import COMMITTEES_OF_COMPOUND, Fact, needed
from govgraph.graph.model import Edge, Node, edge_uid
from govgraph.graph.rules import declared_facts
from govgraph.graph.vocabulary import (
    COMMITTEES,
    PLACES,
    RELATIONSHIP_TYPES,
    STATED_PRESENCE,
    zh_name,
)

Line = Literal["admin", "party"]
Expand = Callable[[list[str]], None]
# What lies around the places of a scope: the bodies, party organisations and projects joined to
# a place (first ring), and their own party organisations and project actors (second ring): what
# a scope's network view and export hold. What the gap rules and ratios read is not listed here:
# each declares its facts (graph.facts), and stores fetch those by facts.fetch_plan.
SCOPE_RING = ("PART_OF", "REPRESENTS", "SERVES", "ESTABLISHED_IN", "LOCATED_IN", "BENEFITS")
SCOPE_SECOND_RING = ("ESTABLISHED_IN", "INITIATED", "SUPERVISES", "APPROVED_BY",
                     "IMPLEMENTED_BY", "LOCATED_IN")
MAX_PLACE_DEPTH = 10  # city → district → street → community → compound → building, with room
MAX_PATH_HOPS = 20
LINE_RELATIONSHIPS = {"admin": ("PART_OF",), "party": ("ESTABLISHED_IN", "SUBORDINATE_TO")}


class HeldGraph(nx.MultiDiGraph):
    """networkx's MultiDiGraph without the views it keeps on itself (nodes, edges, degree …):
    each holds the graph, a reference cycle, so a graph a store replaces or drops would wait
    for the cyclic collector, which never walks a graph held long enough to be frozen
    (gc.freeze, see graph.storage). A view is made when asked instead (a fraction of a
    microsecond), and the graph is freed as soon as nothing holds it.

    >>> import gc, weakref
    >>> g = HeldGraph(); _ = g.add_edge("a", "b", key="e")
    >>> len(g.nodes) + len(g.edges) + len(g.in_edges("b")) + g.degree["a"]
    5
    >>> gone = weakref.ref(g); gc.freeze(); del g; gone() is None
    True
    >>> gc.unfreeze()
    """

    nodes = property(nx.MultiDiGraph.nodes.func)
    edges = property(nx.MultiDiGraph.edges.func)
    out_edges = property(nx.MultiDiGraph.out_edges.func)
    in_edges = property(nx.MultiDiGraph.in_edges.func)
    degree = property(nx.MultiDiGraph.degree.func)
    in_degree = property(nx.MultiDiGraph.in_degree.func)
    out_degree = property(nx.MultiDiGraph.out_degree.func)


def node_of(graph: nx.MultiDiGraph, uid: str) -> Node:
    """The node ``uid`` of the graph as a model."""
    return Node(uid=uid, **graph.nodes[uid])


def ref(graph: nx.MultiDiGraph, uid: str) -> NodeRef:
    """The node as answers name it, built straight from the graph's own (valid) data."""
    data = graph.nodes[uid]
    properties = data["properties"]
    return kept_model(NodeRef, uid=uid, name=data["name"], type=data["type"],
                      type_zh=zh_name(data["type"]), kind=properties.get("kind"),
                      count=properties.get("count", 1))


_TYPE_KEYS = {name: name for name in RELATIONSHIP_TYPES}  # one string of each type's name
_OWN = "\0"  # opens the key of a uid that could be taken for another key: it is kept whole


def edge_key(uid: str, source: str, target: str) -> str:
    """The key a graph holds an edge by: the name of a relationship type where ``uid`` is the
    uid that type and the ends make (model.edge_uid: most edges, and the graph keeps no uid
    string of its own for them, 31 MB of a city's), else ``uid`` itself (behind ``_OWN`` when
    it is a type's name, or opens with ``_OWN``), so each key stands for one uid.

    >>> [edge_key(uid, "a", "b") for uid in ("a-SERVES->b", "e1", "SERVES")]
    ['SERVES', 'e1', '\\x00SERVES']
    >>> [edge_uid_of("a", "b", key) for key in ("SERVES", "e1", "\\x00SERVES")]
    ['a-SERVES->b', 'e1', 'SERVES']
    """
    if uid in _TYPE_KEYS or uid.startswith(_OWN):
        return _OWN + uid
    kind = uid[len(source) + 1:len(uid) - len(target) - 2]
    held = _TYPE_KEYS.get(kind)
    return held if held is not None and uid == edge_uid(held, source, target) else uid


def edge_uid_of(source: str, target: str, key: str) -> str:
    """The uid of the edge a graph holds by ``key`` (see edge_key)."""
    if key in _TYPE_KEYS:
        return edge_uid(key, source, target)
    return key.removeprefix(_OWN)


def edge_of(graph: nx.MultiDiGraph, source: str, target: str, key: str) -> Edge:
    return Edge(uid=edge_uid_of(source, target, key), source=source, target=target,
                **graph.edges[source, target, key])


def add_node(graph: nx.MultiDiGraph, node: Node, **extra: Any) -> None:
    """Put a node into a question's graph (the shape graph.algorithms reads)."""
    graph.add_node(node.uid, type=node.type, name=node.name, properties=node.properties,
                   citations=node.citations, **extra)


EdgesAlike = dict[tuple[str, int, int], dict[str, Any]]


def add_edge(graph: nx.MultiDiGraph, edge: Edge, alike: EdgesAlike | None = None) -> None:
    """Put an edge into a question's graph, keyed by ``edge_key``. With ``alike`` (kept while the
    graph is read), edges of one type whose properties and citations are the same objects share
    one dictionary of attributes: a city's 170,000 edges state 20,000 ways (its graph 12 MB
    smaller). An edge's dictionary is never changed in place, not even when the edge is put
    again: it gets a new one.

    >>> from govgraph.graph.model import built  # as stores read edges: objects not copied
    >>> g, alike, stated = nx.MultiDiGraph(), {}, {"properties": {}, "citations": []}
    >>> for key in ("e1", "e2"):
    ...     add_edge(g, built(Edge, uid=key, type="PART_OF", source="a", target="b", **stated),
    ...              alike)
    >>> g.edges["a", "b", "e1"] is g.edges["a", "b", "e2"], len(alike)
    (True, 1)
    """
    data = {"type": edge.type, "properties": edge.properties, "citations": edge.citations}
    if alike is not None:  # the dictionary keeps both objects alive: their ids stay theirs
        data = alike.setdefault((edge.type, id(edge.properties), id(edge.citations)), data)
    key = edge_key(edge.uid, edge.source, edge.target)
    graph.add_edge(edge.source, edge.target, key=key)
    graph._succ[edge.source][edge.target][key] = data  # the key's dict, shared with pred


def share_alike_keys(graph: nx.MultiDiGraph) -> None:
    """Let the pairs of nodes whose edges are alike (the same keys, each to the same
    dictionary of attributes: see ``add_edge``) share one dictionary of keys: a city's 157,000
    pairs have 55,000 ways (its graph 20 MB smaller). For a graph held, never changed in place
    (``copy_changing`` copies the keys of each pair it lets change).

    >>> g, data = nx.MultiDiGraph(), {"type": "PART_OF"}
    >>> for end in ("a", "b"):
    ...     _ = g.add_edge(end, "c", key="PART_OF"); g._succ[end]["c"]["PART_OF"] = data
    >>> share_alike_keys(g); g._succ["a"]["c"] is g._succ["b"]["c"] is g._pred["c"]["a"]
    True
    """
    alike: dict[tuple[tuple[str, int], ...], dict[str, Any]] = {}
    for source, targets in graph._succ.items():
        for target, keyed in targets.items():
            shared = alike.setdefault(tuple((k, id(d)) for k, d in keyed.items()), keyed)
            if shared is not keyed:
                targets[target] = graph._pred[target][source] = shared


def remove_edge(graph: nx.MultiDiGraph, uid: str, source: str, target: str) -> None:
    """Take the edge ``uid`` from ``source`` to ``target`` out of the graph, if there."""
    key = edge_key(uid, source, target)
    if graph.has_edge(source, target, key):
        graph.remove_edge(source, target, key)


def copy_changing(graph: nx.MultiDiGraph, uids: Iterable[str]) -> nx.MultiDiGraph:
    """A copy of ``graph`` in which the nodes ``uids`` may be added, changed and removed, the
    edges at them removed, and edges between two of them added, without touching ``graph``:
    it shares every other node's dictionaries with ``graph``, and every edge's attributes (an
    edge is put again by ``add_edge``, never changed in place). A city's graph is copied whole
    in a second; this, in milliseconds. ``graph`` must not change while the copy is used.

    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("a", "b", key="e1", type="PART_OF")
    >>> _ = g.add_edge("c", "d", key="e2", type="PART_OF")
    >>> h = copy_changing(g, ["b", "c"])
    >>> h.remove_edge("a", "b", "e1"); h.nodes["c"]["name"] = "丙"
    >>> _ = h.add_edge("b", "c", key="e3")
    >>> sorted(g.edges(keys=True)), dict(g.pred["c"]), dict(g.succ["b"]), g.nodes["c"]
    ([('a', 'b', 'e1'), ('c', 'd', 'e2')], {}, {}, {})
    >>> sorted(h.edges(keys=True)), h.nodes["c"]
    ([('b', 'c', 'e3'), ('c', 'd', 'e2')], {'name': '丙'})
    >>> h.remove_node("c"); sorted(g.edges(keys=True)), list(g.pred["d"]), list(h.pred["d"])
    ([('a', 'b', 'e1'), ('c', 'd', 'e2')], ['c'], [])
    >>> h = copy_changing(g, ["a"]); add_edge(h, Edge(uid="e1", type="LEADS", source="a",
    ...                                                target="b"))
    >>> g.edges["a", "b", "e1"]["type"], h.edges["a", "b", "e1"]["type"]
    ('PART_OF', 'LEADS')
    """
    copy = graph.__class__()
    copy.graph = dict(graph.graph)
    copy._node = dict(graph._node)
    copy._succ = copy._adj = dict(graph._succ)
    copy._pred = dict(graph._pred)

    def own(adjacency: dict[str, Any], shared: dict[str, Any], uid: str) -> dict[str, Any]:
        if adjacency[uid] is shared[uid]:
            adjacency[uid] = dict(shared[uid])
        return adjacency[uid]

    def edges_between(source: str, target: str) -> None:
        keyed = dict(graph._succ[source][target])
        own(copy._succ, graph._succ, source)[target] = keyed
        own(copy._pred, graph._pred, target)[source] = keyed  # one dict, as networkx keeps it

    for uid in set(uids) & graph._node.keys():
        copy._node[uid] = dict(graph._node[uid])
        own(copy._succ, graph._succ, uid)
        own(copy._pred, graph._pred, uid)
        for target in graph._succ[uid]:
            edges_between(uid, target)
        for source in graph._pred[uid]:
            edges_between(source, uid)
    return copy


def _reads_alike(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Whether two forms of a node show a rule the same: the same type, name, kind and count
    (what a profile shows of it), and, for a compound or a committee, the same properties."""
    if before["type"] != after["type"] or before["name"] != after["name"]:
        return False
    if after["type"] == "Compound" or after["type"] in COMMITTEES:
        return bool(before["properties"] == after["properties"])
    return all(before["properties"].get(k) == after["properties"].get(k)
               for k in ("kind", "count"))


def _edges_at(graph: nx.MultiDiGraph, uid: str) -> set[tuple[str, str, str, str]]:
    """The edges at a node, each as (key, type, direction, the other end)."""
    if uid not in graph:
        return set()
    return ({(k, d["type"], "out", v) for v, keyed in graph._succ[uid].items()
             for k, d in keyed.items()}
            | {(k, d["type"], "in", u) for u, keyed in graph._pred[uid].items()
               for k, d in keyed.items()})


def _edges_differing(before: nx.MultiDiGraph, after: nx.MultiDiGraph, uid: str
                     ) -> set[tuple[str, str, str, str]]:
    """The edges at a node in one graph and not the other (see ``_edges_at``); most nodes'
    are equal whole, which is quick to see."""
    if before._succ.get(uid) == after._succ.get(uid) and \
            before._pred.get(uid) == after._pred.get(uid):
        return set()
    return _edges_at(before, uid) ^ _edges_at(after, uid)


def joined_from_below_only(before: nx.MultiDiGraph, after: nx.MultiDiGraph, uid: str) -> bool:
    """Whether a place differs between two forms of a graph only by places joining or leaving
    it from below (PART_OF into it): the compounds under it that stay read it the same.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("d", type="District", name="区", properties={})
    >>> g.add_node("s", type="StreetOffice", name="街道", properties={})
    >>> h = copy_changing(g, ["d", "s"])
    >>> _ = h.add_edge("s", "d", key="e", type="PART_OF")
    >>> joined_from_below_only(g, h, "d"), joined_from_below_only(g, h, "s")
    (True, False)
    """
    def place(other: str) -> bool:
        return (after if other in after else before).nodes[other]["type"] in PLACES

    return uid in before and uid in after and \
        _reads_alike(before.nodes[uid], after.nodes[uid]) and \
        all(kind == "PART_OF" and direction == "in" and place(other)
            for _, kind, direction, other in _edges_differing(before, after, uid))


def differing(before: nx.MultiDiGraph, after: nx.MultiDiGraph, uids: Iterable[str]
              ) -> set[str]:
    """Of the nodes ``uids`` (where two forms of a graph may differ), those ``after`` shows a
    rule otherwise than ``before``: added, removed, read otherwise, or with other edges; and
    the other ends of those edges. What is made of ``before`` serves ``after`` for every node
    whose compounds (see graph.storage.base) none of these touch.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", type="Compound", name="甲", properties={})
    >>> g.add_node("b", type="Organization", name="乙", properties={"kind": "x"})
    >>> h = copy_changing(g, ["a", "b"])
    >>> h.nodes["b"]["properties"] = {"kind": "x", "phone": "1"}
    >>> sorted(differing(g, h, ["a", "b"]))
    []
    >>> _ = h.add_edge("b", "a", key="e", type="SERVES")
    >>> sorted(differing(g, h, ["a", "b"]))
    ['a', 'b']
    """
    found: set[str] = set()
    for uid in uids:
        edges = _edges_differing(before, after, uid)
        if (uid in before) != (uid in after) or edges or (
                uid in after and not _reads_alike(before.nodes[uid], after.nodes[uid])):
            found.add(uid)
        found.update(other for *_, other in edges)
    return found


def incoming(graph: nx.MultiDiGraph, uid: str, *types: str) -> Iterator[str]:
    """Sources of the edges of these types that end at ``uid``, sorted, without repeats.

    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("b", "a", key="e1", type="PART_OF")
    >>> _ = g.add_edge("c", "a", key="e2", type="LEADS")
    >>> list(incoming(g, "a", "PART_OF"))
    ['b']
    """
    # the adjacency dictionaries themselves, not networkx's views of them: a city's profiles
    # walk 200,000 of these
    yield from sorted({u for u, keyed in graph._pred[uid].items()
                       if any(d["type"] in types for d in keyed.values())})


def outgoing(graph: nx.MultiDiGraph, uid: str, *types: str) -> Iterator[str]:
    """Targets of the edges of these types that start at ``uid``, sorted, without repeats."""
    yield from sorted({v for v, keyed in graph._succ[uid].items()
                       if any(d["type"] in types for d in keyed.values())})


def places_under(graph: nx.MultiDiGraph, scope: str | None) -> list[str]:
    """The places in a scope (the scope itself included), following PART_OF downwards; every
    place of the graph when ``scope`` is None.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("s", type="StreetOffice"); g.add_node("c", type="Community")
    >>> g.add_node("x", type="Compound"); g.add_node("y", type="Compound")
    >>> _ = g.add_edge("c", "s", key="1", type="PART_OF")
    >>> _ = g.add_edge("x", "c", key="2", type="PART_OF")
    >>> places_under(g, "s")
    ['c', 's', 'x']
    """
    if scope is None:
        return sorted(u for u, t in graph.nodes(data="type") if t in PLACES)
    seen = {scope}
    queue = deque([(scope, 0)])
    while queue:
        uid, depth = queue.popleft()
        if depth >= MAX_PLACE_DEPTH:
            continue
        for child in incoming(graph, uid, "PART_OF"):
            if child not in seen and graph.nodes[child].get("type") in PLACES:
                seen.add(child)
                queue.append((child, depth + 1))
    return sorted(seen)


def place_chain(graph: nx.MultiDiGraph, uid: str, memo: dict[str, list[NodeRef]] | None = None,
                seen: frozenset[str] = frozenset()) -> list[NodeRef]:
    """The places a node lies in, nearest first, following PART_OF upwards (first parent by uid).
    ``memo`` keeps the chain from each place climbed up, that place first: the compounds of a
    community share one (a city's profiles hold 13,600).

    >>> g = nx.MultiDiGraph()
    >>> for u, t in {"a": "Compound", "b": "Compound", "c": "Community", "s": "StreetOffice"
    ...              }.items():
    ...     g.add_node(u, type=t, name=u, properties={})
    >>> _ = g.add_edges_from([("a", "c"), ("b", "c"), ("c", "s")], type="PART_OF")
    >>> memo = {}
    >>> [p.uid for p in place_chain(g, "a", memo)], place_chain(g, "b", memo) is memo["c"]
    (['c', 's'], True)
    """
    memo = {} if memo is None else memo
    seen = seen | {uid}
    parent = next((p for p in outgoing(graph, uid, "PART_OF")
                   if graph.nodes[p].get("type") in PLACES and p not in seen), None)
    if parent is None or len(seen) > MAX_PLACE_DEPTH:
        return []
    if parent not in memo:
        memo[parent] = [ref(graph, parent), *place_chain(graph, parent, memo, seen)]
    return memo[parent]


def party_member_share(properties: dict[str, Any]) -> float | None:
    """The stated share of party members in percent, else party members / members.

    >>> party_member_share({"members": {"value": 10, "unit": "名"},
    ...                     "party_members": {"value": 4, "unit": "名"}})
    40.0
    >>> party_member_share({"members": {"value": 10, "unit": "名"}}) is None
    True
    """
    share = properties.get("party_member_share")
    if share and share.get("unit") == "%" and "max" not in share:
        return float(share["value"])
    members, party = properties.get("members"), properties.get("party_members")
    if members and party and members["value"] > 0 and "max" not in members:
        return round(100 * party["value"] / members["value"], 2)
    return None


def related(graph: nx.MultiDiGraph, uid: str, fact: Fact) -> list[str]:
    """The nodes joined to ``uid`` as the fact declares (its relationships, direction, node
    types and kinds), sorted, without repeats; the place chain is not climbed here.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("c", type="Compound", properties={})
    >>> g.add_node("f", type="Facility", properties={"kind": "党群服务站"})
    >>> g.add_node("s", type="Facility", properties={"kind": "充电棚"})
    >>> _ = g.add_edge("f", "c", key="1", type="LOCATED_IN")
    >>> _ = g.add_edge("s", "c", key="2", type="LOCATED_IN")
    >>> related(g, "c", Fact("stations", ("LOCATED_IN",), ("Facility",), kinds=("党群服务站",)))
    ['f']
    """
    ends: set[str] = set()
    if fact.direction != "out":
        ends.update(incoming(graph, uid, *fact.relationships))
    if fact.direction != "in":
        ends.update(outgoing(graph, uid, *fact.relationships))
    nodes = graph.nodes
    return sorted(e for e in ends
                  if fact.admits(nodes[e]["type"], nodes[e]["properties"].get("kind")))


@dataclass
class Shared:
    """What the profiles of many compounds share, made once: each node as answers name it (a
    street's party committee is found for every compound under it), each place's chain of
    places above, and what climbing facts found at each place."""

    refs: dict[str, NodeRef] = field(default_factory=dict)
    chains: dict[str, list[NodeRef]] = field(default_factory=dict)
    at_places: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    # what a climbing fact finds at a place, where a compound finds all of it there
    place_facts: dict[tuple[str, str], PlaceFacts] = field(default_factory=dict)

    def ref(self, graph: nx.MultiDiGraph, uid: str) -> NodeRef:
        if uid not in self.refs:
            self.refs[uid] = ref(graph, uid)
        return self.refs[uid]


def _gather(graph: nx.MultiDiGraph, uid: str, place: list[NodeRef], fact: Fact,
            shared: Shared) -> tuple[list[NodeRef], list[PlaceFacts]]:
    """What the fact finds around ``uid``: every node (the compound's own first), and for a
    climbing fact what it finds at each place above (those with any)."""
    found = related(graph, uid, fact)
    if not fact.climb:
        return [shared.ref(graph, n) for n in found] or _NOTHING, _NOTHING
    seen, above = set(found), []
    for at in place:
        key = (at.uid, fact.name)
        if key not in shared.at_places:
            shared.at_places[key] = related(graph, at.uid, fact)
        there = shared.at_places[key]
        here = [n for n in there if n not in seen]
        if here:
            seen.update(here)
            found = found + here
            whole = len(here) == len(there)  # as every other compound there finds
            facts = shared.place_facts.get(key) if whole else None
            if facts is None:
                facts = kept_model(PlaceFacts, place=at,
                                   nodes=[shared.ref(graph, n) for n in here])
                if whole:
                    shared.place_facts[key] = facts
            above.append(facts)
    return [shared.ref(graph, n) for n in found] or _NOTHING, above or _NOTHING


# One empty list for every profile finding nothing of a fact (most find nothing of most: 3 MB
# in a city's profiles), never changed in place, as profiles are not.
_NOTHING: list[Any] = []


def compound_profile(graph: nx.MultiDiGraph, uid: str, facts: Iterable[Fact] | None = None,
                     shared: Shared | None = None) -> CompoundProfile:
    """What the rules read of one compound: each fact they declare (``facts``; by default those
    of every rule and ratio of graph.rules), the compound's committees with their own facts, and
    its properties. Built without re-validating the graph's own data (kept_model): a city
    asks this of thirteen thousand compounds at once, sharing what they share (``shared``)."""
    wanted = needed(declared_facts() if facts is None else facts)
    shared = Shared() if shared is None else shared
    place = place_chain(graph, uid, shared.chains)
    found: dict[str, list[NodeRef]] = {}
    above: dict[str, list[PlaceFacts]] = {}
    for fact in wanted:
        if fact.of == "compound":
            found[fact.name], at_place = _gather(graph, uid, place, fact, shared)
            if fact.climb:
                above[fact.name] = at_place
    committees = []
    if COMMITTEES_OF_COMPOUND.name in found:
        for body in found[COMMITTEES_OF_COMPOUND.name]:
            properties = graph.nodes[body.uid]["properties"]
            committees.append(kept_model(
                CommitteeProfile,
                committee=body,
                facts={f.name: [shared.ref(graph, n) for n in related(graph, body.uid, f)]
                       or _NOTHING for f in wanted if f.of == "committee"},
                members=properties.get("members"),
                party_members=properties.get("party_members"),
                party_member_share=party_member_share(properties),
                stated=stated_presence(properties),
            ))
    return kept_model(
        CompoundProfile,
        compound=shared.ref(graph, uid),
        place=place,
        facts=found,
        facts_above=above,
        committee_profiles=committees or _NOTHING,
        self_managed_property=graph.nodes[uid]["properties"].get("self_managed_property"),
        stated=stated_presence(graph.nodes[uid]["properties"]),
        answers=[],  # given: pydantic inspects a default factory's signature at each use
    )


def stated_presence(properties: dict[str, Any]) -> dict[str, bool]:
    """The bodies a node's sources state it has or has not (vocabulary.STATED_PRESENCE): one
    dictionary for each way of stating them (a city's 23,000 compounds and committees state 15
    ways), never changed in place, as profiles are not.

    >>> stated_presence({"has_owners_committee": False}) is stated_presence(
    ...     {"has_owners_committee": False, "households": 9})
    True
    """
    stated = tuple((k, type(properties[k]), properties[k]) for k in STATED_PRESENCE
                   if k in properties)  # by type too, as 0 == False
    if stated not in _STATED:
        _STATED[stated] = {k: value for k, _, value in stated}
    return _STATED[stated]


_STATED: dict[tuple[tuple[str, type, Any], ...], dict[str, bool]] = {}


def compound_profiles(graph: nx.MultiDiGraph, scope: str | None,
                      facts: Iterable[Fact] | None = None, only: Iterable[str] | None = None
                      ) -> list[CompoundProfile]:
    """A profile of every compound in the scope (all compounds when scope is None), or of the
    compounds ``only`` names, with the facts every rule and ratio declares (or ``facts``)."""
    shared = Shared()
    wanted = needed(declared_facts() if facts is None else facts)
    uids = compounds_under(graph, scope) if only is None else only
    return [compound_profile(graph, uid, wanted, shared) for uid in uids]


def compounds_under(graph: nx.MultiDiGraph, scope: str | None) -> list[str]:
    """The compounds among ``places_under(graph, scope)``, in its order; on the whole graph, by
    the nodes' types alone (a graph as of a date asks it anew: 10 ms, not 100).

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("s", type="StreetOffice"); g.add_node("x", type="Compound")
    >>> _ = g.add_edge("x", "s", key="1", type="PART_OF")
    >>> compounds_under(g, None), compounds_under(g, "s")
    (['x'], ['x'])
    """
    types = graph._node
    if scope is None:
        return sorted(uid for uid, data in types.items() if data["type"] == "Compound")
    return [uid for uid in places_under(graph, scope) if types[uid]["type"] == "Compound"]


def _tree_children(graph: nx.MultiDiGraph, uid: str, line: Line) -> list[tuple[str, str]]:
    """(child, relationship type) pairs one level below ``uid`` on the given line."""
    if line == "admin":
        return [(c, "PART_OF") for c in incoming(graph, uid, "PART_OF")]
    if graph.nodes[uid]["type"] == "PartyOrganization":
        return [(c, "SUBORDINATE_TO") for c in incoming(graph, uid, "SUBORDINATE_TO")]
    # The party organisations set up here, less those already below another of them.
    here = [p for p in incoming(graph, uid, "ESTABLISHED_IN")
            if graph.nodes[p]["type"] == "PartyOrganization"]
    below = set()
    for party in here:
        below |= _party_descendants(graph, party)
    return [(p, "ESTABLISHED_IN") for p in here if p not in below]


def _party_descendants(graph: nx.MultiDiGraph, uid: str) -> set[str]:
    found: set[str] = set()
    queue = deque([uid])
    while queue:
        for child in incoming(graph, queue.popleft(), "SUBORDINATE_TO"):
            if child not in found:
                found.add(child)
                queue.append(child)
    return found


def tree_uids(tree: TreeNode) -> Iterator[str]:
    """Every node of a tree, top down."""
    yield tree.node.uid
    for child in tree.children:
        yield from tree_uids(child)


def tree(graph: nx.MultiDiGraph, root: str, line: Line, depth: int) -> TreeNode:
    """The organisation tree under ``root``: the administrative line (PART_OF) or the party
    line (party organisations set up in a place or body, then SUBORDINATE_TO), ``depth`` levels
    deep. A node met twice is shown once (the graph may hold cycles)."""
    seen = {root}

    def build(uid: str, relation: str | None, level: int) -> TreeNode:
        children = [(c, r) for c, r in _tree_children(graph, uid, line) if c not in seen]
        node = TreeNode(node=ref(graph, uid), relation=relation and zh_name(relation))
        if level >= depth:
            node.truncated = bool(children)
            return node
        seen.update(c for c, _ in children)
        node.children = [build(c, r, level + 1) for c, r in children]
        return node

    return build(root, None, 0)


def neighbourhood(graph: nx.MultiDiGraph, uid: str, depth: int, types: frozenset[str] | None,
                  limit: int) -> Subgraph:
    """Nodes within ``depth`` steps of ``uid`` (either direction), over edges of ``types`` (all
    when None), at most ``limit`` nodes, nearest first."""
    seen = {uid}
    queue = deque([(uid, 0)])
    truncated = False
    while queue:
        current, level = queue.popleft()
        if level >= depth:
            continue
        out = {v for _, v, t in graph.out_edges(current, data="type") if not types or t in types}
        into = {u for u, _, t in graph.in_edges(current, data="type") if not types or t in types}
        neighbours = sorted(out | into)
        for other in neighbours:
            if other in seen:
                continue
            if len(seen) >= limit:
                truncated = True
                break
            seen.add(other)
            queue.append((other, level + 1))
    return induced(graph, seen, types, truncated)


def induced(graph: nx.MultiDiGraph, uids: set[str], types: frozenset[str] | None = None,
            truncated: bool = False) -> Subgraph:
    """The nodes ``uids`` and the edges (of ``types``) between them, in a stable order."""
    edges = [edge_of(graph, u, v, k) for u, v, k, t in graph.subgraph(uids).edges(keys=True,
                                                                                  data="type")
             if types is None or t in types]
    return Subgraph(nodes=[node_of(graph, u) for u in sorted(uids)],
                    edges=sorted(edges, key=lambda e: e.uid), truncated=truncated)


def _neighbours(graph: nx.MultiDiGraph, uid: str) -> set[str]:
    return set(graph.succ[uid]) | set(graph.pred[uid])


def shortest_path(graph: nx.MultiDiGraph, source: str, target: str, max_hops: int,
                  expand: Expand | None = None) -> Subgraph | None:
    """The first, by the uids of its nodes in order, of the shortest chains of relationships
    (either direction) between two nodes; None when none is ``max_hops`` long or shorter.

    Searched breadth-first from both ends, a whole level at a time, the smaller side first, so
    the answer depends on the graph alone, never on the order it was read in. ``expand(uids)``,
    where given, is called before the search reads the edges of those nodes: a backend that
    fetches the graph piece by piece adds their edges then, and answers as on the whole graph.

    >>> g = nx.MultiDiGraph()
    >>> for uid in "sbat":
    ...     g.add_node(uid, type="Organization", name=uid, properties={}, citations=[])
    >>> for u, v in [("s", "b"), ("s", "a"), ("b", "t"), ("a", "t")]:
    ...     _ = g.add_edge(u, v, key=u + v, type="LEADS", properties={}, citations=[])
    >>> [n.uid for n in shortest_path(g, "s", "t", 4).nodes]
    ['s', 'a', 't']
    """
    if source == target:
        return Subgraph(nodes=[node_of(graph, source)], edges=[])
    distance: list[dict[str, int]] = [{source: 0}, {target: 0}]
    frontier, levels = [[source], [target]], [0, 0]
    meeting: list[str] = []
    while not meeting:
        if not frontier[0] or not frontier[1] or sum(levels) >= max_hops:
            return None
        side = 0 if len(frontier[0]) <= len(frontier[1]) else 1
        if expand is not None:
            expand(frontier[side])
        levels[side] += 1
        reached = sorted({n for u in frontier[side] for n in _neighbours(graph, u)}
                         - distance[side].keys())
        distance[side].update(dict.fromkeys(reached, levels[side]))
        frontier[side] = reached
        meeting = [n for n in reached if n in distance[1 - side]]
    length = min(distance[0][m] + distance[1][m] for m in meeting)
    middle = {m for m in meeting if distance[0][m] + distance[1][m] == length}
    from_source, from_target = distance
    # the nodes of the source's side that lie on a shortest path, level by level back to it
    on_path = [middle]
    for level in range(from_source[next(iter(middle))] - 1, -1, -1):
        on_path.insert(0, {u for n in on_path[0] for u in _neighbours(graph, n)
                           if from_source.get(u) == level})
    uids = [source]
    for layer in on_path[1:]:
        uids.append(min(_neighbours(graph, uids[-1]) & layer))
    while uids[-1] != target:
        step = from_target[uids[-1]] - 1
        uids.append(min(n for n in _neighbours(graph, uids[-1]) if from_target.get(n) == step))
    edges = []
    for a, b in zip(uids, uids[1:], strict=False):
        between = [edge_of(graph, a, b, k) for k in graph.get_edge_data(a, b) or {}] or \
            [edge_of(graph, b, a, k) for k in graph.get_edge_data(b, a) or {}]
        edges.append(min(between, key=lambda edge: edge.uid))
    return Subgraph(nodes=[node_of(graph, u) for u in uids], edges=edges)


def _ring(graph: nx.MultiDiGraph, uids: set[str], types: tuple[str, ...]) -> set[str]:
    return ({v for u in uids for _, v, t in graph.out_edges(u, data="type") if t in types}
            | {w for u in uids for w, _, t in graph.in_edges(u, data="type") if t in types})


def scope_members(graph: nx.MultiDiGraph, scope: str) -> list[str]:
    """What a scope's view and export hold: its places, then what the first ring joins to them,
    then what the second ring joins to those (each part sorted)."""
    places = set(places_under(graph, scope))
    first = _ring(graph, places, SCOPE_RING) - places
    second = _ring(graph, first, SCOPE_SECOND_RING) - places - first
    return [*sorted(places), *sorted(first), *sorted(second)]


def projects(graph: nx.MultiDiGraph, scope: str | None) -> list[ProjectFacts]:
    """Projects located in or benefiting a place of the scope, with who initiated, approved,
    supervised and implemented them."""
    places = set(places_under(graph, scope))
    found = {p for place in places for p in incoming(graph, place, "LOCATED_IN", "BENEFITS")
             if graph.nodes[p]["type"] == "Project"}
    answers = []
    for uid in sorted(found):
        node = node_of(graph, uid)
        answers.append(ProjectFacts(
            project=NodeRef.of(node),
            status=node.properties.get("status"),
            figures=node.properties.get("figures", {}),
            places=[ref(graph, p) for p in outgoing(graph, uid, "LOCATED_IN")],
            initiated_by=[ref(graph, a) for a in incoming(graph, uid, "INITIATED")],
            approved_by=[ref(graph, a) for a in outgoing(graph, uid, "APPROVED_BY")],
            supervised_by=[ref(graph, a) for a in incoming(graph, uid, "SUPERVISES")],
            implemented_by=[ref(graph, a) for a in outgoing(graph, uid, "IMPLEMENTED_BY")],
        ))
    return answers
