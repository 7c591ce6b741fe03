"""Loaders: input files → validated graph batches. They know nothing of stores."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from govgraph.graph.model import Location
from govgraph.loaders.records import read_case
from govgraph.loaders.registers import RegisterOptions, read_register
from govgraph.loaders.statements import ParsedFile

READERS: dict[str, Callable[[Path], ParsedFile]] = {
    ".yaml": read_case,
    ".yml": read_case,
    ".json": read_case,
    ".csv": read_register,
    ".xlsx": read_register,
}


def input_files(paths: Iterable[Path]) -> tuple[list[Path], list[ParsedFile]]:
    """The loadable files under the given files and folders, and a problem for each path that
    is missing or of a kind no loader reads."""
    found: list[Path] = []
    bad: list[ParsedFile] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*")
                            if p.is_file() and p.suffix.lower() in READERS
                            and not any(part.startswith(".") for part in p.parts))
            continue
        reason = None
        if not path.exists():
            reason = "an existing file or folder"
        elif path.suffix.lower() not in READERS:
            reason = "a file ending in " + ", ".join(READERS)
        if reason:
            parsed = ParsedFile(path=str(path), readable=False)
            parsed.problem(Location(file=str(path)), reason)
            bad.append(parsed)
        else:
            found.append(path)
    return found, bad


def read_file(path: Path, check_report: bool = True, source: str | None = None,
              options: RegisterOptions | None = None) -> ParsedFile:
    """Read one input file. ``check_report=False`` skips checking that a case record's report
    file exists beside it (uploads come without their reports); ``source`` names a register's
    source (by default its file name; a case record names its own); ``options`` say how to read
    registers laid out otherwise."""
    if path.suffix.lower() in (".csv", ".xlsx"):
        return read_register(path, source, options)
    return read_case(path, check_report=check_report)
