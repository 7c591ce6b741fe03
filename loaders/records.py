"""Case records (YAML or JSON, one schema; see docs/records.md) → statements.

A case record describes what one report says: its source, then the actors, mechanisms,
meetings, projects and facilities it names, and the relationships between them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from govgraph.graph.model import Location
from govgraph.loaders.statements import ParsedFile, add_edge, add_node

# Sections of nodes, with the node type a section implies (None: each entry names its type).
NODE_SECTIONS: dict[str, str | None] = {
    "actors": None,
    "mechanisms": "Mechanism",
    "meetings": "Meeting",
    "projects": "Project",
    "facilities": "Facility",
}
EDGE_SECTION = "relationships"
NODE_KEYS = {"uid", "type", "name", "evidence"}
MAX_NESTING = 100  # a case record nests 4 levels; anything far deeper is not one
EDGE_KEYS = {"uid", "type", "from", "to", "evidence"}
SOURCE_KEYS = {"uid", "title", "publisher", "author", "date", "file", "url", "note"}


class _LineMap(dict[str, Any]):
    """A mapping that remembers the line it started on."""

    line: int | None = None


_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):
    """PyYAML's safe loader (libyaml's when there), keeping each mapping's line number."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _LineMap:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if not isinstance(key, str | int | float | bool | None):
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key that is text, not a list or mapping",
                key_node.start_mark)
        if key in seen:  # PyYAML would silently keep the last one
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} appears twice in one mapping", key_node.start_mark)
        seen.add(key)
    mapping = _LineMap(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


def _construct_date_text(loader: _LineLoader, node: yaml.ScalarNode) -> str:
    """Dates stay text, so a bad one (2021-13-01) is reported by the date check, not a crash."""
    return str(loader.construct_scalar(node))


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_date_text)


class _AliasFound(Exception):
    def __init__(self, line: int):
        self.line = line


def _nesting(text: str) -> int:
    """How deep the YAML's collections nest, from its event stream (which does not recurse):
    libyaml's composer recurses in C and would crash on a hostile file before Python could
    stop it. Aliases are refused here too: a few of them expand to gigabytes."""
    depth = deepest = 0
    for event in yaml.parse(text, Loader=_SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise _AliasFound(event.start_mark.line + 1 if event.start_mark else 0)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            deepest = max(deepest, depth)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return deepest


def _parse_yaml(path: Path, text: str, out: ParsedFile) -> Any:
    where = Location(file=str(path))
    try:
        if _nesting(text) > MAX_NESTING:
            out.problem(where, f"YAML nested at most {MAX_NESTING} levels deep")
            return None
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a safe loader
    except RecursionError:
        out.problem(where, f"YAML nested at most {MAX_NESTING} levels deep")
    except _AliasFound as alias:
        out.problem(where.model_copy(update={"line": alias.line}),
                    "YAML without aliases (*name): write each value out")
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        reason = error.problem or error.context or "malformed YAML"
        hint = "" if isinstance(error, yaml.constructor.ConstructorError) else (
            "; is the file complete?")
        out.problem(where.model_copy(update={"line": line}), f"valid YAML ({reason}){hint}")
    except yaml.YAMLError as error:
        out.problem(where, f"valid YAML ({error})")
    return None


def _at(path: Path, item: Any, where: str) -> Location:
    return Location(file=str(path), line=getattr(item, "line", None), path=where)


def read_case(path: Path, check_report: bool = True) -> ParsedFile:
    """Read one case record file; every problem is collected, none is raised.

    JSON is read by the json module, fast; only when it has problems is it read again as YAML
    (JSON's superset here) to name the line of each."""
    out = ParsedFile(path=str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        out.problem(Location(file=str(path)), f"UTF-8 text ({error.reason} at byte {error.start})")
        out.readable = False
        return out
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            out.problem(Location(file=str(path), line=error.lineno),
                        f"valid JSON ({error.msg} at column {error.colno})")
            out.readable = False
            return out
        except RecursionError:
            out.problem(Location(file=str(path)), f"JSON nested at most {MAX_NESTING} levels deep")
            out.readable = False
            return out
        _read_record(path, data, out, check_report)
        if not out.problems:
            return out
        with_lines = ParsedFile(path=str(path))
        data = _parse_yaml(path, text, with_lines)
        if with_lines.problems:  # JSON that YAML cannot read: keep the answers without lines
            return out
        out = with_lines
    else:
        data = _parse_yaml(path, text, out)
        if out.problems:
            out.readable = False
            return out
    _read_record(path, data, out, check_report)
    return out


def _read_record(path: Path, data: Any, out: ParsedFile, check_report: bool) -> None:
    if not isinstance(data, dict):
        out.problem(_at(path, data, ""), "a case record: a mapping with 'source' and sections "
                    + ", ".join([*NODE_SECTIONS, EDGE_SECTION]))
        out.readable = False
        return
    unknown = set(data) - {"source", *NODE_SECTIONS, EDGE_SECTION}
    for key in sorted(unknown, key=str):
        out.problem(_at(path, data, ""), "one of the sections source, "
                    + ", ".join([*NODE_SECTIONS, EDGE_SECTION]), field=str(key))
    source = _read_source(path, data.get("source"), out, check_report)
    for section, implied_type in NODE_SECTIONS.items():
        for index, item in enumerate(_entries(path, data, section, out)):
            _read_node(path, item, f"{section}[{index}]", implied_type, source, out)
    for index, item in enumerate(_entries(path, data, EDGE_SECTION, out)):
        where = _at(path, item, f"{EDGE_SECTION}[{index}]")
        fields = {k: v for k, v in item.items() if k not in EDGE_KEYS}
        add_edge(out, where, source, uid=item.get("uid"), type_name=item.get("type"),
                 start=item.get("from"), end=item.get("to"), properties=fields,
                 evidence=item.get("evidence"))


def _entries(path: Path, data: dict[str, Any], section: str, out: ParsedFile) -> list[Any]:
    items = data.get(section) or []
    if not isinstance(items, list):
        out.problem(_at(path, data, section), "a list of entries", field=section, value=items)
        return []
    good = []
    for index, item in enumerate(items):
        if isinstance(item, dict):
            good.append(item)
        else:
            out.problem(_at(path, data, f"{section}[{index}]"), "a mapping of fields",
                        field=section, value=item)
    return good


def _read_source(path: Path, given: Any, out: ParsedFile, check_report: bool) -> str:
    where = _at(path, given, "source")
    if not isinstance(given, dict):
        out.problem(where, "a source: {uid, title, publisher, date, file or url}", "source", given)
        return "source:unknown"
    for key in sorted(set(given) - SOURCE_KEYS, key=str):
        out.problem(where, "one of " + ", ".join(sorted(SOURCE_KEYS)), field=f"source.{key}")
    file = given.get("file")
    if check_report and isinstance(file, str) and not (path.parent / file).is_file():
        out.problem(where, "the path of the report, relative to this record", "source.file", file)
    properties = {k: v for k, v in given.items() if k in SOURCE_KEYS - {"uid", "title"}}
    uid = given.get("uid")
    add_node(out, where, uid if isinstance(uid, str) else "source:unknown", uid=uid,
             type_name="Source", name=given.get("title"), properties=properties)
    return uid if isinstance(uid, str) else "source:unknown"


def _read_node(
    path: Path, item: dict[str, Any], where_in_file: str, implied_type: str | None,
    source: str, out: ParsedFile,
) -> None:
    where = _at(path, item, where_in_file)
    type_name = item.get("type", implied_type)
    if implied_type and type_name != implied_type:
        out.problem(where, f"type {implied_type} in this section (or no type)", "type", type_name)
        return
    fields = {k: v for k, v in item.items() if k not in NODE_KEYS}
    add_node(out, where, source, uid=item.get("uid"), type_name=type_name,
             name=item.get("name"), properties=fields, evidence=item.get("evidence"))
