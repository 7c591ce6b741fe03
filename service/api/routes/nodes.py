"""Looking at nodes: search, detail, neighbourhood, tree, path."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from govgraph.graph.algorithms import MAX_PATH_HOPS
from govgraph.graph.answers import NodeRef, Subgraph, TreeNode
from govgraph.graph.model import Edge
from govgraph.graph.vocabulary import NODE_TYPES, RELATIONSHIP_TYPES, node_properties, zh_name
from govgraph.service.api.deps import PrivacyDep, StoreDep
from govgraph.service.api.models import NeighbourSummary, NodeDetail, Page, PathOut, SourceCitation
from govgraph.service.api.routes._common import ERRORS, NOT_FOUND, READ, Limit, Offset, page

router = APIRouter(tags=["nodes"], responses=ERRORS, dependencies=READ)
Uid = Annotated[str, Path(description="a node's uid, e.g. compound:久安社区.工行小区",
                          max_length=500)]
NodeType = Literal[tuple(NODE_TYPES)]  # type: ignore[valid-type]
RelationshipType = Literal[tuple(RELATIONSHIP_TYPES)]  # type: ignore[valid-type]


@router.get("/search", response_model=Page[NodeRef])
def search(
    store: StoreDep, privacy: PrivacyDep,
    q: Annotated[str, Query(min_length=1, max_length=100,
                            description="Chinese substring, full pinyin or pinyin initials")],
    type: Annotated[list[NodeType] | None,  # type: ignore[valid-type]
                    Query(description="only these node types")] = None,
    offset: Offset = 0, limit: Limit = 20,
) -> Page[NodeRef]:
    """Find nodes by name."""
    found, total = store.search_page(q, types=privacy.searchable(type or []), offset=offset,
                                     limit=limit)
    return Page[NodeRef](data=[NodeRef.of(n) for n in found], count=total, offset=offset,
                         limit=limit)


@router.get("/nodes", response_model=Page[NodeRef])
def nodes_of_type(
    store: StoreDep, type: NodeType,  # type: ignore[valid-type]
    offset: Offset = 0, limit: Limit = 100,
) -> Page[NodeRef]:
    """Every node of one type (e.g. all streets, to pick one), by uid."""
    return page([NodeRef.of(n) for n in store.nodes_of_type(type)], offset, limit)


def _neighbours(uid: str, edges: list[Edge], store: StoreDep) -> list[NeighbourSummary]:
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for edge in edges:
        outgoing = edge.source == uid
        groups[(edge.type, "out" if outgoing else "in")].append(
            edge.target if outgoing else edge.source)
    shown = store.get_nodes({u for others in groups.values() for u in others[:5]})
    return [NeighbourSummary(relation=rel, relation_zh=zh_name(rel), direction=direction,  # type: ignore[arg-type]
                             count=len(others),
                             examples=[NodeRef.of(shown[u]) for u in others[:5] if u in shown])
            for (rel, direction), others in sorted(groups.items())]


@router.get("/nodes/{uid}", response_model=NodeDetail, responses=NOT_FOUND)
def node_detail(uid: Uid, store: StoreDep, privacy: PrivacyDep) -> NodeDetail:
    """A node: its properties (with Chinese names), its sources with their evidence, and a
    summary of its relationships."""
    privacy.check(store, uid)
    node = store.get_node(uid)
    sources = store.get_nodes({c.source for c in node.citations})
    return NodeDetail(
        uid=node.uid, name=node.name, type=node.type, type_zh=zh_name(node.type),
        properties=node.properties,
        property_names={k: node_properties(node.type)[k].zh for k in node.properties},
        sources=[SourceCitation(source=c.source, evidence=c.evidence,
                                title=sources[c.source].name if c.source in sources else None)
                 for c in node.citations],
        neighbours=_neighbours(uid, store.edges_of(uid), store))


@router.get("/nodes/{uid}/neighbourhood", response_model=Subgraph, responses=NOT_FOUND)
def neighbourhood(
    uid: Uid, store: StoreDep, privacy: PrivacyDep,
    depth: Annotated[int, Query(ge=0, le=3)] = 1,
    type: Annotated[list[RelationshipType] | None, Query(  # type: ignore[valid-type]
        description="only these relationships")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="at most this many nodes")] = 300,
) -> Subgraph:
    """The nodes within ``depth`` steps and the relationships between them (nearest first;
    ``truncated`` when the limit cut it)."""
    privacy.check(store, uid)
    return store.neighbourhood(uid, depth, type, limit)


@router.get("/nodes/{uid}/tree", response_model=TreeNode, responses=NOT_FOUND)
def tree(
    uid: Uid, store: StoreDep, privacy: PrivacyDep,
    line: Annotated[Literal["admin", "party"], Query(
        description="admin: 隶属 (PART_OF); party: 党组织 set up here and below")] = "admin",
    depth: Annotated[int, Query(ge=0, le=10)] = 5,
) -> TreeNode:
    """The organisation tree under a node."""
    privacy.check(store, uid)
    return store.tree(uid, line, depth)


@router.get("/path", response_model=PathOut, responses=NOT_FOUND)
def path(
    store: StoreDep, privacy: PrivacyDep,
    source: Annotated[str, Query(max_length=500)],
    target: Annotated[str, Query(max_length=500)],
    max_hops: Annotated[int, Query(ge=1, le=MAX_PATH_HOPS)] = 8,
) -> PathOut:
    """A shortest chain of relationships between two actors (either direction)."""
    privacy.check(store, source, target)
    found = store.path(source, target, max_hops)
    if found is None:
        return PathOut(found=False)
    return PathOut(found=True, hops=len(found.edges), path=found)
