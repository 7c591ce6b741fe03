"""The FastAPI application: routers under /api/v1, errors mapped once, privacy and limits."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from govgraph.graph.model import InvalidInput
from govgraph.graph.storage import (
    ConflictingFacts,
    DanglingEdges,
    InvalidQuery,
    NodeNotFound,
    SourceNotFound,
    StoreError,
    StoreUnavailable,
    WriteFailed,
)
from govgraph.service.api.cache import AnswerCache, KeptAnswers
from govgraph.service.api.deps import StoreHolder, bearer, rights_of
from govgraph.service.api.models import ErrorOut, ProblemOut
from govgraph.service.api.routes import catalogue, meta, nodes, records, views
from govgraph.service.core import Service
from govgraph.service.settings import Settings
from govgraph.viz.orgchart import RendererMissing

log = logging.getLogger("govgraph.api")
started = logging.getLogger("uvicorn.error")  # where uvicorn says it is starting


def problems_out(error: InvalidInput) -> list[ProblemOut]:
    return [ProblemOut(message=str(p), message_zh=p.zh(), **p.location.model_dump(),
                       field=p.field, value=p.value, expected=p.expected,
                       expected_zh=p.expected_zh) for p in error.problems]


def _error(status: int, detail: str, **extra: object) -> JSONResponse:
    return JSONResponse(ErrorOut(detail=detail, **extra).model_dump(), status_code=status)  # type: ignore[arg-type]


def _prepare(store: StoreHolder, definitions: dict[str, float]) -> None:
    """Hold ahead what questions read; a store that cannot be read now (down, or locked by a
    long write) is read when asked: preparing only saves the first question's wait. Said in
    uvicorn's own log, between its lines: a city's takes seconds before the service answers."""
    started.info("reading the store ahead: the graph and every compound's profile")
    begun = time.perf_counter()
    try:
        Service(store.get(), personal=True, definitions=definitions).prepare()
    except Exception as error:  # noqa: BLE001
        log.warning("the store was not read ahead (%s): questions will read it", error)
        return
    started.info("read ahead in %.1f s", time.perf_counter() - begun)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.prepare_on_start:
            await run_in_threadpool(_prepare, app.state.store, settings.definitions)
        yield
        app.state.store.close()

    app = FastAPI(
        title="govgraph",
        description="基层治理知识图谱 — the knowledge graph of grassroots governance: streets, "
                    "communities, compounds, party organisations, owners' committees, property "
                    "firms and their projects. People's names are masked (赵**) unless the "
                    "bearer token has the right `personal`.",
        version="1.0.0", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.store = StoreHolder(settings.store)

    @app.exception_handler(NodeNotFound)
    @app.exception_handler(SourceNotFound)
    async def not_found(_: Request, error: StoreError) -> JSONResponse:
        return _error(404, str(error))

    @app.exception_handler(InvalidQuery)
    async def invalid_query(_: Request, error: InvalidQuery) -> JSONResponse:
        return _error(422, str(error))

    @app.exception_handler(InvalidInput)
    async def invalid_input(_: Request, error: InvalidInput) -> JSONResponse:
        return _error(422, f"{len(error.problems)} problem(s); nothing was loaded",
                      problems=problems_out(error))

    @app.exception_handler(ConflictingFacts)
    @app.exception_handler(DanglingEdges)
    async def rejected(_: Request, error: Exception) -> JSONResponse:
        return _error(422, f"nothing was changed: {error}")

    @app.exception_handler(RendererMissing)
    async def renderer_missing(_: Request, error: RendererMissing) -> JSONResponse:
        return _error(503, str(error))

    @app.exception_handler(WriteFailed)
    async def write_failed(_: Request, error: WriteFailed) -> JSONResponse:
        return _error(503, f"the store could not write, try again later: {error}")

    @app.exception_handler(StoreError)
    async def refused(_: Request, error: StoreError) -> JSONResponse:
        log.warning("store error: %s", error)
        return _error(503, "the store could not answer, try again later (the service's log "
                           "says why)")

    @app.exception_handler(StoreUnavailable)
    async def unavailable(request: Request, error: StoreUnavailable) -> JSONResponse:
        request.app.state.store.failed()
        log.warning("store unavailable: %s", error)
        # why is for the log: it names the store's file or server address, which a caller
        # (without a token, where reads are open) has no need to know
        return _error(503, "the store is unavailable, try again later (the service's log "
                           "says why)")

    @app.exception_handler(RequestValidationError)
    async def bad_request(_: Request, error: RequestValidationError) -> JSONResponse:
        reasons = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        return _error(422, f"invalid request: {reasons}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
        response = _error(error.status_code, str(error.detail))
        response.headers.update(error.headers or {})
        return response

    @app.exception_handler(Exception)
    async def internal(_: Request, error: Exception) -> JSONResponse:
        log.exception("internal error", exc_info=error)
        return _error(500, "internal error; the service log has the details")

    app.add_middleware(UploadLimit, largest=settings.max_upload_bytes)
    # answers differ by the caller's rights (names are masked without `personal`)
    app.add_middleware(
        KeptAnswers, answers=AnswerCache(settings.answer_cache_entries), revision=_revision,
        key=lambda request: (str(request.url),
                             frozenset(rights_of(bearer(request), settings))))
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_methods=["GET", "POST", "DELETE"], allow_headers=["Authorization",
                                                                         "Content-Type"])
    for router in (meta.router, nodes.router, catalogue.router, records.router):
        app.include_router(router, prefix="/api/v1")
    app.include_router(views.router)
    app.include_router(views.static)
    return app


class UploadLimit:
    """ASGI middleware refusing a write without a Content-Length (411) or larger than the
    settings allow (413) before its body is read."""

    def __init__(self, app: ASGIApp, largest: int):
        self.app, self.largest = app, largest

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("POST", "PUT", "PATCH"):
            length = Headers(scope=scope).get("content-length")
            if length is None or not length.isdigit():
                return await _error(411, "a Content-Length header is needed")(scope, receive,
                                                                              send)
            if int(length) > self.largest:
                return await _error(413, f"request larger than {self.largest} bytes")(
                    scope, receive, send)
        return await self.app(scope, receive, send)


async def _revision(request: Request) -> Hashable | None:
    """The store's revision, or None when it cannot be had (then nothing is cached): on the
    event loop where that is a local read, else in a worker thread (a server may be slow)."""
    holder: StoreHolder = request.app.state.store
    store = holder.opened()
    try:
        if store is not None and store.revision_is_local:
            return store.revision()
        return await run_in_threadpool(lambda: holder.get().revision())
    except StoreError:  # unavailable or refused: the question itself then says what failed
        return None



