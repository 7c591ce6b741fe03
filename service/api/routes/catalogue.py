"""The query catalogue: gap rules, coverage ratios, projects, exports."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import Query, Response

from govgraph.graph.answers import CoverageAnswer, ProjectFacts
from govgraph.graph.exports import FORMATS
from govgraph.graph.rules import (
    GAP_RULES,
    GapRule,
    Parameter,
    coverage_parameters,
    describe_rules,
)
from govgraph.service.answers import CoverageAt, FactConflict
from govgraph.service.api.deps import ServiceDep
from govgraph.service.api.models import GapPage, Page, RuleOut
from govgraph.service.api.routes._common import (
    NOT_FOUND,
    Limit,
    Offset,
    Scope,
    page,
    reading_router,
)

router = reading_router("catalogue")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/gaps", response_model=Page[RuleOut])
def rules(offset: Offset = 0, limit: Limit = 100) -> Page[RuleOut]:
    """The coverage-gap rules, with their Chinese titles and parameters."""
    return page([RuleOut.model_validate(r) for r in describe_rules()], offset, limit)


def _taking(endpoint: Callable[..., Any], parameters: dict[str, Parameter]) -> None:
    """Give an endpoint taking ``**parameters`` exactly these query parameters (the choices of
    口径 it reads), so the OpenAPI document says what each question takes; those not given
    arrive as None (see ``given``)."""
    fixed = list(inspect.signature(endpoint).parameters.values())[:-1]
    extra = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None,
                               annotation=Annotated[float | None, Query(
                                   ge=p.minimum, le=p.maximum,
                                   description=f"{p.zh}. {p.description} Default: the city's "
                                               f"choice (GOVGRAPH_DEFINITIONS), else "
                                               f"{p.default:g}.")])
             for name, p in parameters.items()]
    endpoint.__signature__ = inspect.Signature([*fixed, *extra])  # type: ignore[attr-defined]


def given(parameters: dict[str, float | None]) -> dict[str, float]:
    """The parameters the caller gave: the others take the city's choice or the default."""
    return {k: v for k, v in parameters.items() if v is not None}


def _gap_route(rule: GapRule) -> None:
    """One route per rule, with exactly that rule's parameters; routes follow GAP_RULES."""

    def endpoint(service: ServiceDep, scope: Scope = None, offset: Offset = 0,
                 limit: Limit = 100, **parameters: float | None) -> GapPage:
        answer = service.gaps(rule.name, scope, given(parameters))
        # the answer's own values, not dumped and checked again (a street's: a fifth of its cost)
        return GapPage(**{**answer.__dict__, "hits": page(answer.hits, offset, limit)})

    _taking(endpoint, rule.parameters)
    router.add_api_route(
        f"/gaps/{rule.name}", endpoint, methods=["GET"], response_model=GapPage,
        responses=NOT_FOUND, name=f"gaps_{rule.name.replace('-', '_')}",
        summary=f"{rule.title} ({rule.name})",
        description=f"The compounds of the scope where {rule.description}; each hit with its "
                    "place in the hierarchy and its reasons.")


for _rule in GAP_RULES.values():
    _gap_route(_rule)


def coverage(service: ServiceDep, scope: Scope = None, **parameters: float | None
             ) -> CoverageAnswer:
    """党组织覆盖率, 业委会组建率, 红色业委会比例 of a scope, with the counts behind each (counted,
    stated not counted, not recorded) and the 口径 of each."""
    return service.coverage(scope, given(parameters))


def coverage_history(service: ServiceDep, scope: Scope = None, **parameters: float | None
                     ) -> list[CoverageAt]:
    """The coverage ratios of a scope as of each date a source speaks for there: the trend."""
    return service.coverage_history(scope, given(parameters))


for _path, _endpoint, _model in (("/coverage", coverage, CoverageAnswer),
                                 ("/coverage/history", coverage_history, list[CoverageAt])):
    _taking(_endpoint, coverage_parameters())
    router.add_api_route(_path, _endpoint, methods=["GET"], response_model=_model,
                         responses=NOT_FOUND)


@router.get("/conflicts", response_model=Page[FactConflict], responses=NOT_FOUND)
def conflicts(service: ServiceDep, scope: Scope = None, offset: Offset = 0, limit: Limit = 100
              ) -> Page[FactConflict]:
    """Facts whose sources disagree now (or as of the date asked): every value with its source
    and date, the current one marked, for an official to review."""
    return page(service.conflicts(scope), offset, limit)


@router.get("/workbook", responses={**NOT_FOUND, 200: {
    "description": "the ratios and every rule's list as an XLSX workbook",
    "content": {XLSX: {}}}})
def workbook(service: ServiceDep, scope: Scope = None) -> Response:
    """The coverage ratios and every gap rule's list of a scope as an XLSX workbook, one sheet
    each, Chinese headers, the scope and date in a title row: how officials pass results on."""
    data = service.workbook(scope)
    name = f"{(scope or '全部').replace(':', '_')}_{service.as_of or '最新'}.xlsx"
    return Response(data, media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{_quote(name)}"})


@router.get("/projects", response_model=Page[ProjectFacts], responses=NOT_FOUND)
def projects(service: ServiceDep, scope: Scope = None, offset: Offset = 0, limit: Limit = 100
             ) -> Page[ProjectFacts]:
    """Projects in a scope, with who initiated, approved, supervised and implemented them."""
    return page(service.projects(scope), offset, limit)


@router.get("/export", responses={**NOT_FOUND, 200: {
    "description": "the graph or the scope as a file",
    "content": {media: {} for media, _ in FORMATS.values()}}})
def export_graph(
    service: ServiceDep,
    format: Annotated[Literal[tuple(FORMATS)], Query(  # type: ignore[valid-type]
        description="graphml (Gephi, yEd), json (node-link), csv (zip for neo4j-admin "
                    "import), jsonld (W3C Organization Ontology)")] = "graphml",
    scope: Scope = None,
) -> Response:
    """The whole graph, or a scope with the bodies and projects around it, as a file."""
    exported = service.export(format, scope)
    name = (scope or "govgraph").replace(":", "_")
    return Response(exported.data, media_type=exported.media_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{_quote(name)}.{exported.suffix}"})


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")

