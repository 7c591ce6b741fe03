"""What officials look at: the explorer page, network views, org-chart images, and the static
files they need, all served here so nothing comes from the internet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import swagger_ui_bundle
from fastapi import APIRouter, HTTPException, Query
from fastapi import Path as PathParameter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response

from govgraph import viz
from govgraph.service.api.deps import ServiceDep
from govgraph.service.api.routes._common import NOT_FOUND, OneHopRoute, reading_router
from govgraph.service.core import LIMITS
from govgraph.viz import orgchart
from govgraph.viz.network import VIS_DIR, VIS_FILES

router = reading_router("views")
static = APIRouter(route_class=OneHopRoute, include_in_schema=False)
EXPLORER = Path(viz.__file__).parent / "templates" / "explorer.html"
SWAGGER_FILES = {"swagger-ui-bundle.js": "application/javascript",
                 "swagger-ui.css": "text/css"}
Uid = Annotated[str, PathParameter(description="a node's uid", max_length=500)]
LineChoice = Literal["admin", "party", "both"]
VIS_ASSETS = "/static/vis"  # where the pages load vis-network from: this service


HTML_PAGE: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND, 200: {"description": "an HTML page", "content": {"text/html": {}}}}


@router.get("/views/network/{uid}", response_class=Response, responses=HTML_PAGE)
def network_view(
    uid: Uid, service: ServiceDep,
    mode: Annotated[Literal["auto", "scope", "neighbourhood"], Query(
        description="scope: a place and all under and around it; neighbourhood: nodes within "
                    "depth steps; auto: scope for places, else neighbourhood")] = "auto",
    depth: Annotated[int, Query(ge=1, le=LIMITS.network_depth)] = 2,
) -> HTMLResponse:
    """An interactive network view (vis-network), in Chinese, working offline."""
    return HTMLResponse(service.network_page(uid, mode, depth, assets=VIS_ASSETS))


@router.get("/views/tree/{uid}", response_class=Response, responses=HTML_PAGE)
def tree_view(uid: Uid, service: ServiceDep,
              line: Annotated[Literal["admin", "party"], Query()] = "admin",
              depth: Annotated[int, Query(ge=0, le=LIMITS.tree_depth)] = 5) -> HTMLResponse:
    """The organisation tree as an interactive network with a hierarchical layout."""
    return HTMLResponse(service.tree_page(uid, line, depth, assets=VIS_ASSETS))


@router.get("/orgchart/{uid}.{format}", response_class=Response, responses={**NOT_FOUND, 200: {
    "description": "the org chart", "content": {m: {} for m in orgchart.FORMATS.values()}}})
def orgchart_image(
    uid: Uid, format: Literal["svg", "png", "pdf"], service: ServiceDep,
    line: Annotated[LineChoice, Query(description="admin, party, or both side by side")]
    = "admin",
    depth: Annotated[int, Query(ge=0, le=LIMITS.tree_depth)] = 5,
) -> Response:
    """The organisation tree under a node as an image, Chinese rendered with a CJK font."""
    return Response(service.orgchart(uid, line, depth, format),
                    media_type=orgchart.FORMATS[format], headers={"Cache-Control": "no-store"})


@static.get("/")
def explorer() -> FileResponse:
    return FileResponse(EXPLORER, media_type="text/html; charset=utf-8")


@static.get("/static/vis/{name}")
def vis_asset(name: str) -> FileResponse:
    if name not in VIS_FILES:
        raise HTTPException(404, f"no static file {name!r}")
    return FileResponse(VIS_DIR / name, media_type=VIS_FILES[name])


@static.get("/static/swagger/{name}")
def swagger_asset(name: str) -> FileResponse:
    if name not in SWAGGER_FILES:
        raise HTTPException(404, f"no static file {name!r}")
    return FileResponse(Path(swagger_ui_bundle.swagger_ui_path) / name,
                        media_type=SWAGGER_FILES[name])


@static.get("/docs")
def docs() -> HTMLResponse:
    """Swagger UI from files served here, not from a CDN."""
    return get_swagger_ui_html(openapi_url="/openapi.json", title="govgraph API",
                               swagger_js_url="/static/swagger/swagger-ui-bundle.js",
                               swagger_css_url="/static/swagger/swagger-ui.css",
                               swagger_favicon_url="data:,")
