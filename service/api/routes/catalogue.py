"""The query catalogue: gap rules, coverage ratios, projects, exports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from graph import catalogue
from graph.answers import CoverageAnswer, ProjectFacts
from graph.exports import FORMATS, export
from graph.privacy import Masker
from graph.rules import GAP_RULES, describe_rules
from graph.store import InvalidQuery
from service.api.deps import RightsDep, StoreDep
from service.api.models import GapPage, Page, RuleOut
from service.api.routes._common import ERRORS, NOT_FOUND, READ, Limit, Offset, Scope, page

router = APIRouter(tags=["catalogue"], responses=ERRORS, dependencies=READ)
RuleName = Literal[tuple(GAP_RULES)]  # type: ignore[valid-type]


@router.get("/gaps", response_model=Page[RuleOut])
def rules(offset: Offset = 0, limit: Limit = 100) -> Page[RuleOut]:
    """The coverage-gap rules, with their Chinese titles and parameters."""
    return page([RuleOut.model_validate(r) for r in describe_rules()], offset, limit)


@router.get("/gaps/{rule}", response_model=GapPage, responses=NOT_FOUND)
def gaps(
    rule: RuleName, store: StoreDep, scope: Scope = None,  # type: ignore[valid-type]
    param: Annotated[list[str] | None, Query(
        description="rule parameters as name=value, e.g. threshold=60", max_length=100)] = None,
    offset: Offset = 0, limit: Limit = 100,
) -> GapPage:
    """The compounds of the scope the rule finds, with their place and the reasons."""
    given: dict[str, str] = {}
    for item in param or []:
        name, sep, value = item.partition("=")
        if not sep:
            raise InvalidQuery(f"param {item!r}: expected name=value")
        given[name.strip()] = value.strip()
    answer = catalogue.gaps(store, rule, scope, given)
    return GapPage(**answer.model_dump(exclude={"hits"}),
                   hits=page(answer.hits, offset, limit))


@router.get("/coverage", response_model=CoverageAnswer, responses=NOT_FOUND)
def coverage(store: StoreDep, scope: Scope = None) -> CoverageAnswer:
    """党组织覆盖率, 业委会组建率, 红色业委会比例 of a scope, with the counts behind each."""
    return catalogue.coverage(store, scope)


@router.get("/projects", response_model=Page[ProjectFacts], responses=NOT_FOUND)
def projects(store: StoreDep, scope: Scope = None, offset: Offset = 0, limit: Limit = 100
             ) -> Page[ProjectFacts]:
    """Projects in a scope, with who initiated, approved, supervised and implemented them."""
    return page(store.projects(scope), offset, limit)


@router.get("/export", responses={**NOT_FOUND, 200: {
    "description": "the graph or the scope as a file",
    "content": {media: {} for media, _ in FORMATS.values()}}})
def export_graph(
    store: StoreDep, rights: RightsDep,
    format: Annotated[Literal["graphml", "json", "csv", "jsonld"], Query(
        description="graphml (Gephi, yEd), json (node-link), csv (zip for neo4j-admin "
                    "import), jsonld (W3C Organization Ontology)")] = "graphml",
    scope: Scope = None,
) -> Response:
    """The whole graph, or a scope with the bodies and projects around it, as a file."""
    store.scope_ref(scope)
    graph = store.whole_graph() if scope is None else store.scope_graph(scope)
    mask: Callable[[str], str] = str
    if "personal" not in rights:
        people = store.nodes_of_type("Person")
        mask = Masker([n for p in people for n in [p.name, *p.properties.get("aliases", [])]]
                      ).text
    media, suffix = FORMATS[format]
    name = (scope or "govgraph").replace(":", "_")
    return Response(export(graph, format, mask), media_type=media, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{_quote(name)}.{suffix}"})


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")

