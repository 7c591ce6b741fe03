"""Looking at nodes: search, detail, neighbourhood, tree, path."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Path, Query

from govgraph.graph.answers import NodeRef, Subgraph, TreeNode
from govgraph.graph.vocabulary import NODE_TYPES, RELATIONSHIP_TYPES
from govgraph.service.answers import HistoryEntry, NodeDetail
from govgraph.service.api.deps import LiveServiceDep, ServiceDep
from govgraph.service.api.models import Page, PathOut
from govgraph.service.api.routes._common import NOT_FOUND, Limit, Offset, page, reading_router
from govgraph.service.core import LIMITS

router = reading_router("nodes")
Uid = Annotated[str, Path(description="a node's uid, e.g. compound:久安社区.工行小区",
                          max_length=500)]
NodeType = Literal[tuple(NODE_TYPES)]  # type: ignore[valid-type]
RelationshipType = Literal[tuple(RELATIONSHIP_TYPES)]  # type: ignore[valid-type]


@router.get("/search", response_model=Page[NodeRef])
def search(
    service: ServiceDep,
    q: Annotated[str, Query(min_length=1, max_length=100,
                            description="Chinese substring, full pinyin or pinyin initials")],
    type: Annotated[list[NodeType] | None,  # type: ignore[valid-type]
                    Query(description="only these node types")] = None,
    offset: Offset = 0, limit: Limit = 20,
) -> Page[NodeRef]:
    """Find nodes by name."""
    found, total = service.search(q, types=type or [], offset=offset, limit=limit)
    return Page[NodeRef](data=found, count=total, offset=offset, limit=limit)


@router.get("/nodes", response_model=Page[NodeRef])
def nodes_of_type(
    service: ServiceDep, type: NodeType,  # type: ignore[valid-type]
    offset: Offset = 0, limit: Limit = 100,
) -> Page[NodeRef]:
    """Every node of one type (e.g. all streets, to pick one), by uid."""
    return page(service.nodes_of_type(type), offset, limit)


@router.get("/nodes/{uid}", response_model=NodeDetail, responses=NOT_FOUND)
def node_detail(uid: Uid, service: ServiceDep) -> NodeDetail:
    """A node: its properties (with Chinese names), every value its sources state with their
    dates, its sources with their evidence, and its relationships (every one, and a summary by
    type)."""
    return service.node_detail(uid)


@router.get("/nodes/{uid}/history", response_model=list[HistoryEntry], responses=NOT_FOUND)
def history(uid: Uid, service: LiveServiceDep) -> list[HistoryEntry]:
    """How the node's facts and relationships changed: at each date a source speaks for, what
    changed, and the sources of that date."""
    return service.history(uid)


@router.get("/nodes/{uid}/neighbourhood", response_model=Subgraph, responses=NOT_FOUND)
def neighbourhood(
    uid: Uid, service: ServiceDep,
    depth: Annotated[int, Query(ge=0, le=LIMITS.neighbourhood_depth)] = 1,
    type: Annotated[list[RelationshipType] | None, Query(  # type: ignore[valid-type]
        description="only these relationships")] = None,
    limit: Annotated[int, Query(ge=1, le=LIMITS.neighbourhood_nodes,
                                description="at most this many nodes")] = 300,
) -> Subgraph:
    """The nodes within ``depth`` steps and the relationships between them (nearest first;
    ``truncated`` when the limit cut it)."""
    return service.neighbourhood(uid, depth, type, limit)


@router.get("/nodes/{uid}/tree", response_model=TreeNode, responses=NOT_FOUND)
def tree(
    uid: Uid, service: ServiceDep,
    line: Annotated[Literal["admin", "party"], Query(
        description="admin: 隶属 (PART_OF); party: 党组织 set up here and below")] = "admin",
    depth: Annotated[int, Query(ge=0, le=LIMITS.tree_depth)] = 5,
) -> TreeNode:
    """The organisation tree under a node."""
    return service.tree(uid, line, depth)


@router.get("/path", response_model=PathOut, responses=NOT_FOUND)
def path(
    service: ServiceDep,
    source: Annotated[str, Query(max_length=500)],
    target: Annotated[str, Query(max_length=500)],
    max_hops: Annotated[int, Query(ge=1, le=LIMITS.path_hops)] = 8,
) -> PathOut:
    """A shortest chain of relationships between two actors (either direction)."""
    found = service.path(source, target, max_hops)
    if found is None:
        return PathOut(found=False)
    return PathOut(found=True, hops=len(found.edges), path=found)
