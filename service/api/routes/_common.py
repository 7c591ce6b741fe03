"""What every router shares: documented error answers, paging."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute

from govgraph.service.api.deps import require_read
from govgraph.service.api.models import ErrorOut, Page
from govgraph.service.core import LIMITS

T = TypeVar("T")

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "a bearer token is needed"},
    422: {"model": ErrorOut, "description": "a parameter is wrong: which, and why"},
    503: {"model": ErrorOut, "description": "the store is unavailable"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "no node with that uid"}}
READ = [Depends(require_read)]

Offset = Annotated[int, Query(ge=0, le=LIMITS.offset, description="items to skip")]
Limit = Annotated[int, Query(ge=1, le=LIMITS.page, description="items per page")]
Scope = Annotated[str | None, Query(
    description="the uid of a city, district, street, community or compound; none: all",
    max_length=500)]


class OneHopRoute(APIRoute):
    """A route whose plain ``def`` endpoint runs in a worker thread in one hop. FastAPI runs
    such an endpoint in one worker thread, then checks its answer against the response model
    in another (fastapi#1359, as zenml-io/zenml#3685 found): that second hop cost a third of a
    street's fresh gap answer (2 workers: 640 → 890 answers/s without it). Here the endpoint
    is made ``async``, running the plain one in a thread itself, so the check runs on the
    event loop. Endpoints stay plain ``def``: a question may read for seconds (a graph read
    whole after a large load, a date derived), which must not hold up the event loop."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any):
        super().__init__(path, _in_a_thread(endpoint), **options)


def _in_a_thread(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """A plain function as an ``async`` one; anything else (a coroutine or generator function,
    which FastAPI runs its own way) as it is."""
    if not inspect.isfunction(endpoint) or inspect.iscoroutinefunction(endpoint) \
            or inspect.isgeneratorfunction(endpoint) or inspect.isasyncgenfunction(endpoint):
        return endpoint

    @functools.wraps(endpoint)  # FastAPI reads the parameters and answer of the plain one
    async def threaded(*args: Any, **kwargs: Any) -> Any:
        return await run_in_threadpool(endpoint, *args, **kwargs)
    return threaded


def reading_router(tag: str) -> APIRouter:
    """A router of questions: each needs the right to read, documents the common errors and
    runs in one hop (OneHopRoute)."""
    return APIRouter(tags=[tag], route_class=OneHopRoute, responses=ERRORS, dependencies=READ)


def page(items: list[T], offset: int, limit: int) -> Page[T]:
    return Page[T](data=items[offset:offset + limit], count=len(items), offset=offset,
                   limit=limit)
