"""Ingest and sources: case records and registers, validated by the same loaders, loaded all or
nothing as editions of their sources; the sources listed, unloaded."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, UploadFile, status
from fastapi import Path as Path_

from govgraph.graph.model import LoadSummary
from govgraph.graph.storage import InvalidQuery
from govgraph.loaders.registers import RegisterOptions, given_defaults
from govgraph.service.answers import SourceEdition
from govgraph.service.api.deps import AsOf, LiveServiceDep, iso, require_write
from govgraph.service.api.models import ErrorOut
from govgraph.service.api.routes._common import ERRORS, READ, OneHopRoute

router = APIRouter(tags=["records"], route_class=OneHopRoute, responses={
    **ERRORS, 400: {"model": ErrorOut, "description": "the body is not valid multipart data"},
    403: {"model": ErrorOut, "description": "the token has no right to write"},
    413: {"model": ErrorOut, "description": "the upload is too large"}})
_UNSAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


@router.post("/records", status_code=status.HTTP_201_CREATED, response_model=LoadSummary,
             dependencies=[Depends(require_write)])
def load_records(
    service: LiveServiceDep,
    files: Annotated[list[UploadFile], File(
        description="case records (.yaml .yml .json) and registers (.csv .xlsx)")],
    dry_run: Annotated[bool, Query(description="validate only; write nothing")] = False,
    source: Annotated[str | None, Query(
        max_length=200, description="the source the registers are editions of (default: each "
                                    "file's name without its ending)")] = None,
    as_of: Annotated[AsOf, Query(description="the date the files speak for where they state "
                                             "none; default: today")] = None,
    default: Annotated[list[str] | None, Query(
        max_length=30, description="a register column's value for every row that has none, "
                                   "as column=value, e.g. 所属区=福田区")] = None,
) -> LoadSummary:
    """Load records, all or nothing, each file an edition of its source as of its date (loaded
    again, it replaces that edition): 201 with what was created, updated and removed, the
    warnings and how each register sheet was read (with ``dry_run``: the preview, nothing
    written), or 422 with every problem (file, line or sheet and row, field, bad value, what
    was expected)."""
    try:
        defaults = given_defaults(default or [])
    except ValueError as error:
        raise InvalidQuery(f"default {error}") from None
    with tempfile.TemporaryDirectory(prefix="govgraph-upload-") as folder:
        names = {}
        for index, upload in enumerate(files):
            name = Path(upload.filename or f"upload{index}").name  # a register's source
            path = Path(folder) / f"{index:03d}" / _UNSAFE_NAME.sub("_", name)
            path.parent.mkdir()
            path.write_bytes(upload.file.read())
            names[path] = name
        summary, _ = service.ingest(list(names), dry_run=dry_run, check_report=False,
                                    names=names, source=source, as_of=iso(as_of),
                                    options=RegisterOptions(defaults=defaults))
        return summary


@router.get("/sources", response_model=list[SourceEdition], dependencies=READ)
def sources(service: LiveServiceDep) -> list[SourceEdition]:
    """Every edition of every source: the date it speaks for, when it was loaded, how many
    nodes and relationships it states, and whether it is its source's current edition."""
    return service.sources()


@router.delete("/sources/{source_id}", response_model=LoadSummary,
               dependencies=[Depends(require_write)],
               responses={404: {"model": ErrorOut, "description": "no such source loaded"}})
def unload_source(
    service: LiveServiceDep,
    source_id: Annotated[str, Path_(max_length=500, description="the source's uid, or a "
                                                                "register's name")],
    as_of: Annotated[AsOf, Query(description="only its edition of this date")] = None,
    dry_run: Annotated[bool, Query(description="say what would go; write nothing")] = False,
) -> LoadSummary:
    """Take a source out (every edition, or the one of ``as_of``): the store is then as if it
    had never been loaded. 422 when another source's relationships need a node only it
    states."""
    return service.unload(source_id, iso(as_of), dry_run)
