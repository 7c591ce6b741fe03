"""What every router shares: documented error answers, paging."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query

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


def page(items: list[T], offset: int, limit: int) -> Page[T]:
    return Page[T](data=items[offset:offset + limit], count=len(items), offset=offset,
                   limit=limit)
