"""Ingest: case records and registers, validated by the same loaders, written all or nothing."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, UploadFile, status

from govgraph.graph.model import LoadSummary
from govgraph.service.api.deps import ServiceDep, require_write
from govgraph.service.api.models import ErrorOut
from govgraph.service.api.routes._common import ERRORS

router = APIRouter(tags=["records"], responses={
    **ERRORS, 400: {"model": ErrorOut, "description": "the body is not valid multipart data"},
    403: {"model": ErrorOut, "description": "the token has no right to write"},
    413: {"model": ErrorOut, "description": "the upload is too large"}})
_UNSAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


@router.post("/records", status_code=status.HTTP_201_CREATED, response_model=LoadSummary,
             dependencies=[Depends(require_write)])
def load_records(
    service: ServiceDep,
    files: Annotated[list[UploadFile], File(
        description="case records (.yaml .yml .json) and registers (.csv .xlsx)")],
    dry_run: Annotated[bool, Query(description="validate only; write nothing")] = False,
) -> LoadSummary:
    """Load records, all or nothing: 201 with what was created and updated, or 422 with every
    problem (file, line or sheet and row, field, bad value, what was expected)."""
    with tempfile.TemporaryDirectory(prefix="govgraph-upload-") as folder:
        names = {}
        for index, upload in enumerate(files):
            name = _UNSAFE_NAME.sub("_", Path(upload.filename or f"upload{index}").name)
            path = Path(folder) / f"{index:03d}" / name  # its own name: a register's source
            path.parent.mkdir()
            path.write_bytes(upload.file.read())
            names[path] = name
        summary, _ = service.ingest(list(names), dry_run=dry_run, check_report=False,
                                    names=names)
        return summary
