"""Case records (YAML or JSON, one schema; see docs/records.md) → statements.

A case record describes what one report says: its source, then the actors, mechanisms,
meetings, projects and facilities it names, and the relationships between them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Generator
from contextlib import closing
from pathlib import Path
from typing import Any, cast

import yaml

from govgraph.graph.model import Location
from govgraph.graph.values import BadValue, first_day, normalise_date, today_anywhere
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
# Keys, texts, numbers, lists and mappings in one record: a synthetic street's record has about
# 7,500 (135 KB of JSON). A value costs up to 20 µs to read and check (YAML, or JSON with
# problems, read again as YAML for their lines), so any record is answered within about 1 s.
MAX_VALUES = 50_000
MAX_PROBLEMS = 1_000  # a file with more is wrong throughout: the first ones show how
MAX_FIELDS = 100  # in one entry: no type has more than 15; each unknown one is a problem
EDGE_KEYS = {"uid", "type", "from", "to", "evidence"}
SOURCE_KEYS = {"uid", "title", "publisher", "author", "date", "file", "url", "note"}


class _LineMap(dict[str, Any]):
    """A mapping that remembers the line it started on."""

    line: int | None = None


_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):
    """PyYAML's safe loader (libyaml's when there), keeping each mapping's line number."""


def _sexagesimal_as_text(construct: Any) -> Any:
    """YAML 1.1 reads 1:30:00 as a base-60 number, by a multiplication per digit group: slow
    beyond measure for a long one, and surprising (YAML 1.2 reads it as text). So it is text."""
    def constructor(loader: _LineLoader, node: yaml.ScalarNode) -> Any:
        if ":" in node.value:
            return node.value
        return construct(loader, node)
    return constructor


for _tag, _construct in (("int", yaml.constructor.SafeConstructor.construct_yaml_int),
                         ("float", yaml.constructor.SafeConstructor.construct_yaml_float)):
    _LineLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _sexagesimal_as_text(_construct))


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


class _Refused(Exception):
    """The YAML's event stream broke a limit: the line (if known) and what was expected."""

    def __init__(self, line: int | None, expected: str):
        super().__init__(expected)
        self.line = line
        self.expected = expected


def _nested(format_name: str) -> str:
    return f"{format_name} nested at most {MAX_NESTING} levels deep"


TOO_LARGE = (f"a case record of at most {MAX_VALUES:,} values (keys, texts, numbers, lists, "
             "mappings): split it into several records")
LONG_NUMBER = (f"numbers of at most {sys.get_int_max_str_digits()} digits (quote longer ones, "
               "as text)")


def _check_events(text: str) -> None:
    """Check the YAML's nesting, size and aliases from its event stream, stopping at the first
    event that breaks a limit, so a hostile file costs no more than reading up to that limit.
    The event stream does not recurse: libyaml's composer recurses in C and would crash on a
    deep file before Python could stop it. Aliases are refused: a few expand to gigabytes."""
    depth = values = 0
    stream = cast(Generator[yaml.Event, None, None], yaml.parse(text, Loader=_SafeLoader))
    with closing(stream) as events:  # closed as soon as a limit is passed
        for event in events:
            if isinstance(event, yaml.NodeEvent | yaml.DocumentStartEvent):
                values += 1
                line = event.start_mark.line + 1 if event.start_mark else None
                if isinstance(event, yaml.AliasEvent):
                    raise _Refused(line, "YAML without aliases (*name): write each value out")
                if values > MAX_VALUES:
                    raise _Refused(line, TOO_LARGE)
                if isinstance(event, yaml.CollectionStartEvent):
                    depth += 1
                    if depth > MAX_NESTING:
                        raise _Refused(line, _nested("YAML"))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1


def _check_json(data: Any) -> str | None:
    """What the parsed JSON breaks of the limits a YAML record is held to (nesting, size), if
    anything. Each container's items are looked at only once the count allows them."""
    values = 1
    stack = [(data, 1)] if isinstance(data, list | dict) else []
    while stack:
        item, depth = stack.pop()
        if depth > MAX_NESTING:
            return _nested("JSON")
        values += len(item) * (2 if isinstance(item, dict) else 1)
        if values > MAX_VALUES:
            return TOO_LARGE
        stack += [(child, depth + 1) for child in (item.values() if isinstance(item, dict)
                                                   else item) if isinstance(child, list | dict)]
    return None


def _parse_yaml(path: Path, text: str, out: ParsedFile) -> Any:
    where = Location(file=str(path))
    try:
        _check_events(text)
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a safe loader
    except RecursionError:
        out.problem(where, _nested("YAML"))
    except _Refused as refused:
        out.problem(where.model_copy(update={"line": refused.line}), refused.expected)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        reason = error.problem or error.context or "malformed YAML"
        if "nesting depth" in reason:  # PyYAML's own limit, newer releases
            out.problem(where.model_copy(update={"line": line}), _nested("YAML"))
            return None
        hint = "" if isinstance(error, yaml.constructor.ConstructorError) else (
            "; is the file complete?")
        out.problem(where.model_copy(update={"line": line}), f"valid YAML ({reason}){hint}")
    except yaml.YAMLError as error:
        out.problem(where, f"valid YAML ({error})")
    except ValueError:  # int() of a number longer than Python converts
        out.problem(where, LONG_NUMBER)
    return None


def _parse_json(path: Path, text: str, out: ParsedFile) -> Any:
    """The JSON's data, or None and a problem. Every item of a JSON list or mapping but the
    first follows a comma, so commas and brackets (counted in C, fast) bound the values before
    the json module spends seconds building millions of them; commas inside texts count too,
    hence the margin. What passes is held to the limits of YAML records."""
    where = Location(file=str(path))
    if text.count(",") + text.count("[") + text.count("{") > 2 * MAX_VALUES:
        out.problem(where, TOO_LARGE)
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        out.problem(where.model_copy(update={"line": error.lineno}),
                    f"valid JSON ({error.msg} at column {error.colno})")
        return None
    except RecursionError:
        out.problem(where, _nested("JSON"))
        return None
    except ValueError:  # int() of a number longer than Python converts
        out.problem(where, LONG_NUMBER)
        return None
    refused = _check_json(data)
    if refused:
        out.problem(where, refused)
        return None
    return data


def _at(path: Path, item: Any, where: str) -> Location:
    return Location(file=str(path), line=getattr(item, "line", None), path=where)


def read_case(path: Path, check_report: bool = True) -> ParsedFile:
    """Read one case record file; every problem is collected, none is raised.

    JSON is read by the json module, fast; only when it has problems (not too many) is it read
    again as YAML (JSON's superset here) to name the line of each."""
    out = ParsedFile(path=str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        out.problem(Location(file=str(path)), f"UTF-8 text ({error.reason} at byte {error.start})")
        out.readable = False
        return out
    if path.suffix.lower() == ".json":
        data = _parse_json(path, text, out)
        if out.problems:
            out.readable = False
            return out
        _read_record(path, data, out, check_report)
        if not out.problems or len(out.problems) > MAX_PROBLEMS:
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


class _TooManyProblems(Exception):
    """The record has more than MAX_PROBLEMS problems: the rest of it is not checked."""


def _enough(out: ParsedFile) -> None:
    if len(out.problems) > MAX_PROBLEMS:
        raise _TooManyProblems


def _read_record(path: Path, data: Any, out: ParsedFile, check_report: bool) -> None:
    """Check the record, stopping once it has more than MAX_PROBLEMS problems: each costs
    time and room in the answer, and a file that wrong is wrong throughout."""
    try:
        _read_sections(path, data, out, check_report)
    except _TooManyProblems:
        out.problem(Location(file=str(path)), f"at most {MAX_PROBLEMS:,} problems in one file "
                    "(the rest of it was not checked): fix these first")


def _read_sections(path: Path, data: Any, out: ParsedFile, check_report: bool) -> None:
    if not isinstance(data, dict):
        out.problem(_at(path, data, ""), "a case record: a mapping with 'source' and sections "
                    + ", ".join([*NODE_SECTIONS, EDGE_SECTION]))
        out.readable = False
        return
    unknown = set(data) - {"source", *NODE_SECTIONS, EDGE_SECTION}
    for key in sorted(unknown, key=str):
        out.problem(_at(path, data, ""), "one of the sections source, "
                    + ", ".join([*NODE_SECTIONS, EDGE_SECTION]), field=str(key))
        _enough(out)
    source = _read_source(path, data.get("source"), out, check_report)
    for section, implied_type in NODE_SECTIONS.items():
        for index, item in enumerate(_entries(path, data, section, out)):
            _read_node(path, item, f"{section}[{index}]", implied_type, source, out)
            _enough(out)
    for index, item in enumerate(_entries(path, data, EDGE_SECTION, out)):
        where = _at(path, item, f"{EDGE_SECTION}[{index}]")
        fields = {k: v for k, v in item.items() if k not in EDGE_KEYS}
        add_edge(out, where, source, uid=item.get("uid"), type_name=item.get("type"),
                 start=item.get("from"), end=item.get("to"), properties=fields,
                 evidence=item.get("evidence"))
        _enough(out)


def _entries(path: Path, data: dict[str, Any], section: str, out: ParsedFile) -> list[Any]:
    items = data.get(section) or []
    if not isinstance(items, list):
        out.problem(_at(path, data, section), "a list of entries", field=section, value=items)
        return []
    good = []
    for index, item in enumerate(items):
        if isinstance(item, dict) and len(item) > MAX_FIELDS:
            out.problem(_at(path, item, f"{section}[{index}]"),
                        f"an entry of at most {MAX_FIELDS} fields", field=section)
            _enough(out)
        elif isinstance(item, dict):
            good.append(item)
        else:
            out.problem(_at(path, data, f"{section}[{index}]"), "a mapping of fields",
                        field=section, value=item)
            _enough(out)
    return good


def _read_source(path: Path, given: Any, out: ParsedFile, check_report: bool) -> str:
    where = _at(path, given, "source")
    if not isinstance(given, dict):
        out.problem(where, "a source: {uid, title, publisher, date, file or url}", "source", given)
        return "source:unknown"
    for key in sorted(set(given) - SOURCE_KEYS, key=str):
        out.problem(where, "one of " + ", ".join(sorted(SOURCE_KEYS)), field=f"source.{key}")
        _enough(out)
    file = given.get("file")
    if check_report and isinstance(file, str) and not (path.parent / file).is_file():
        out.problem(where, "the path of the report, relative to this record", "source.file", file)
    properties = {k: v for k, v in given.items() if k in SOURCE_KEYS - {"uid", "title"}}
    uid = given.get("uid")
    out.source = uid if isinstance(uid, str) else "source:unknown"
    title = given.get("title")
    out.title = title if isinstance(title, str) else ""
    out.as_of = as_of_date(given.get("date"))
    if out.as_of and out.as_of > today_anywhere():
        out.problem(where, "a publication date no later than today", "source.date",
                    given.get("date"))
    add_node(out, where, out.source, uid=uid, type_name="Source", name=given.get("title"),
             properties=properties)
    return out.source


def as_of_date(value: Any) -> str | None:
    """The date a source speaks for, as YYYY-MM-DD (a year or month alone: its first day);
    None when it states no valid date (its problem is reported with the source's properties)."""
    try:
        date = normalise_date(value)
    except BadValue:
        return None
    return first_day(date)


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
