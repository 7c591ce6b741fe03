"""The govgraph command: load records, look at the graph. It parses, calls the service layer
(govgraph.service.core) and formats; nothing else.

Exit codes: 0 done, 1 invalid input (nothing loaded), 2 bad usage, 3 store unavailable (or a
program a chart needs), 4 not found.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from govgraph.graph.answers import Definition, NodeRef, Subgraph, TreeNode
from govgraph.graph.model import InvalidInput, LoadSummary
from govgraph.graph.rules import GAP_RULES, PARAMETERS, describe_rules
from govgraph.graph.storage import (
    ConflictingFacts,
    DanglingEdges,
    InvalidQuery,
    NodeNotFound,
    SourceNotFound,
    StoreError,
    StoreUnavailable,
    open_store,
)
from govgraph.graph.values import display, format_quantity
from govgraph.graph.vocabulary import (
    NODE_TYPES,
    RELATIONSHIP_TYPES,
    describe_vocabulary,
    node_properties,
    zh_name,
)
from govgraph.loaders.registers import RegisterOptions, given_defaults, read_options
from govgraph.service.answers import CoverageAt, StatedValue
from govgraph.service.core import LIMITS, Service
from govgraph.service.settings import Settings
from govgraph.viz import orgchart
from govgraph.viz.orgchart import RendererMissing

app = typer.Typer(help="govgraph: the knowledge graph of grassroots governance.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
# no markup: names, evidence and messages are shown as they are, brackets included
out = Console(soft_wrap=True, markup=False)
err = Console(stderr=True, soft_wrap=True, markup=False)


def _fail(label: str, message: object, code: int) -> typer.Exit:
    """Print ``label: message`` (the label in red) and the exit that ends the command."""
    err.print(Text.assemble((f"{label}: ", "red"), str(message)))
    return typer.Exit(code)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
DefaultOption = Annotated[list[str] | None, typer.Option(
    "--default", help="A register column's value for every row that has none, as "
                      "column=value, e.g. 所属区=福田区 (repeatable).")]
SourceOption = Annotated[str | None, typer.Option(
    "--source", help="The source the registers are editions of (default: each file's name "
                     "without its ending).")]
ColumnsOption = Annotated[Path | None, typer.Option(
    "--columns", help="A mapping file (YAML) placing a register's other headers: see "
                      "docs/registers.md.")]
ShowPersonal = Annotated[bool, typer.Option(
    "--show-personal", help="Show people's names unmasked (they are masked by default).")]


class State:
    store_location: str = ""


@app.callback()
def main(
    store: Annotated[str | None, typer.Option(
        "--store", envvar="GOVGRAPH_STORE",
        help="The store: a file path (the embedded store; default: a file in the user's data "
             "directory) or a Bolt URI, bolt://host:7687 or neo4j://host:7687 (the Neo4j store, "
             "on Neo4j or ArcadeDB; NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE).")] = None,
) -> None:
    State.store_location = store or _settings().store


AsOf = Annotated[str | None, typer.Option(
    "--as-of", help="Answer as of a date, YYYY-MM-DD: from what the sources dated up to then "
                    "said (default: now, each source's latest edition).")]


def _settings() -> Settings:
    """GOVGRAPH_* settings; a bad one (an unknown 口径 in GOVGRAPH_DEFINITIONS) is bad usage."""
    try:
        return Settings()
    except ValidationError as error:
        raise _fail("bad settings", error, 2) from error


@contextmanager
def _service(personal: bool = True, as_of: str | None = None) -> Iterator[Service]:
    """The service on the configured store (as of a date, if given), failures as messages and
    exit codes. Whoever runs the command holds the store file, so names are shown unless a file
    leaves the machine."""
    try:
        store = open_store(State.store_location)
    except StoreUnavailable as error:
        raise _fail("store unavailable", error, 3) from error
    try:
        yield Service(store, personal=personal,
                      definitions=_settings().definitions).at(as_of)
    except (NodeNotFound, SourceNotFound) as error:
        raise _fail("not found", error, 4) from error
    except (ConflictingFacts, DanglingEdges) as error:
        raise _fail("nothing was changed", error, 1) from error
    except InvalidQuery as error:
        raise _fail("invalid question", error, 2) from error
    except (StoreError, RendererMissing) as error:
        raise _fail("unavailable", error, 3) from error
    finally:
        store.close()


def _print_json(data: Any) -> None:
    out.out(json.dumps(data, ensure_ascii=False, indent=2))


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="Case records and registers: files or "
                                                     "folders (.yaml .yml .json .csv .xlsx).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate only; write nothing.")]
    = False,
    source: SourceOption = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="The date, YYYY-MM-DD, the files speak for where they state none (a "
                        "report's date, a register's 填报日期); default: today.")] = None,
    default: DefaultOption = None,
    columns: ColumnsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load case records and registers into the store, all or nothing. A file is an edition of
    its source as of its date: loaded again with the same date it replaces that edition, with a
    later date it is the new current one (the earlier stays for questions --as-of its date)."""
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=err, transient=True,
                        disable=not err.is_terminal)
    task, counted_to = progress.add_task("reading", total=None), 0

    def told(step: str, done: int, total: int) -> None:
        """A step starting, or counted to another total, gets a bar anew (its own time); with
        no total, one that only moves: rich's update cannot take a total back to none."""
        nonlocal task, counted_to
        if done == 0 or total != counted_to:
            progress.remove_task(task)
            task, counted_to = progress.add_task(step, total=total or None), total
        progress.update(task, description=step, completed=done)

    options = _register_options(columns, default or [])
    with _service() as service, progress:
        try:
            summary, readable = service.ingest(paths, dry_run=dry_run, progress=told,
                                               source=source, as_of=as_of, options=options)
        except InvalidInput as invalid:
            progress.stop()
            _report_problems(invalid, as_json)
            raise typer.Exit(1) from invalid
    if as_json:
        _print_json({"files": readable, **summary.model_dump()})
        return
    for warning in summary.warnings:
        err.print(Text.assemble(("warning: ", "yellow"), warning))
    _print_summary(summary, f"{readable} file(s) " + ("would change" if dry_run else "loaded"))


def _register_options(columns: Path | None, defaults: list[str]) -> RegisterOptions:
    """The mapping file's options, with the --default values over its defaults."""
    try:
        options = read_options(columns) if columns else RegisterOptions()
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--columns") from None
    try:
        given = given_defaults(defaults)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--default") from None
    return RegisterOptions(columns=options.columns, defaults={**options.defaults, **given})


def _report_problems(invalid: InvalidInput, as_json: bool) -> None:
    if as_json:
        _print_json({"problems": [
            {**p.location.model_dump(exclude_none=True), "field": p.field, "value": p.value,
             "expected": p.expected, "message": str(p)} for p in invalid.problems]})
    for problem in invalid.problems:
        err.print(str(problem), markup=False)
    err.print(Text(f"{len(invalid.problems)} problem(s); nothing was loaded.", "red"))


CHANGES = ("created", "updated", "removed", "unchanged")


def _print_summary(summary: LoadSummary, what: str) -> None:
    title = f"{what}: dry run, nothing written" if summary.dry_run else what
    table = Table(title=title)
    for column in ("", "type", "类型", *CHANGES):
        table.add_column(column, justify="right" if column in CHANGES else "left")
    for kind, rows in (("node", summary.nodes), ("edge", summary.edges)):
        for type_name, changes in sorted(rows.items()):
            counts = changes.model_dump()
            table.add_row(kind, type_name, zh_name(type_name), *(str(counts[c]) for c in CHANGES))
    totals = summary.totals()
    table.add_row("", "total", "合计", *(str(totals[c]) for c in CHANGES), style="bold")
    out.print(table)
    for edition in summary.editions:
        out.print(f"{edition.source} as of {edition.as_of}: {edition.change} "
                  f"({EDITION_CHANGES_ZH[edition.change]})")


EDITION_CHANGES_ZH = {"added": "新增一期", "replaced": "替换同日期的一期",
                      "unchanged": "与已导入的相同,未改动", "removed": "已撤下"}


@app.command()
def show(uid: str, as_of: AsOf = None, as_json: JsonOption = False) -> None:
    """A node: its properties, every value its sources state (with their dates), its sources
    with their evidence, its relationships."""
    with _service(as_of=as_of) as service:
        node = service.node_detail(uid)
    if as_json:
        _print_json(node.model_dump())
        return
    out.print(Text.assemble((node.name, "bold"), f"  {node.type_zh} ({node.type})  {node.uid}"))
    specs = node_properties(node.type)
    for key, value in node.properties.items():
        out.print(f"  {node.property_names[key]}: {display(specs[key], value)}")
    by_field: dict[str, list[StatedValue]] = defaultdict(list)
    for value in node.values:
        by_field[value.field_zh].append(value)
    for field_zh, values in by_field.items():
        if len({repr(v.value) for v in values}) > 1:
            out.print(f"  {field_zh}: 各来源不一致")
            for v in values:
                out.print(f"    {_shown_value(v.value)}  {v.source} ({v.as_of})"
                          + ("  ← 当前" if v.current else ""))
    out.print("来源:")
    for source in node.sources:
        title = f" {source.title}" if source.title else ""
        out.print(f"  {source.source}{title}" + (
            f"  “{source.evidence}”" if source.evidence else ""))
    if node.relationships:
        table = Table(title="关系")
        for column in ("", "关系", "节点", "类型", "uid"):
            table.add_column(column)
        for r in node.relationships:
            table.add_row("→" if r.direction == "out" else "←", r.relation_zh, r.other.name,
                          r.other.type_zh, r.other.uid)
        out.print(table)


def _node_table(nodes: list[NodeRef], title: str) -> Table:
    table = Table(title=title)
    for column in ("名称", "类型", "uid"):
        table.add_column(column)
    for node in nodes:
        table.add_row(node.name, node.type_zh, node.uid)
    return table


@app.command()
def search(
    text: str,
    type_: Annotated[list[str] | None, typer.Option("--type", help="Only these node types.")]
    = None,
    limit: Annotated[int, typer.Option(min=1, max=LIMITS.page)] = 20,
    as_of: AsOf = None,
    as_json: JsonOption = False,
) -> None:
    """Find nodes by name: Chinese substring, full pinyin or pinyin initials."""
    with _service(as_of=as_of) as service:
        found, _ = service.search(text, types=type_ or [], limit=limit)
    if as_json:
        _print_json([{"uid": n.uid, "type": n.type, "name": n.name} for n in found])
    else:
        out.print(_node_table(found, f"“{text}”: {len(found)} found"))


@app.command()
def stats(as_json: JsonOption = False) -> None:
    """How many nodes and edges of each type the store holds."""
    with _service() as service:
        counts = service.stats()
    if as_json:
        _print_json(counts.model_dump())
        return
    table = Table(title=f"store {State.store_location}")
    for column in ("", "type", "类型", "count"):
        table.add_column(column, justify="right" if column == "count" else "left")
    for kind, rows in (("node", counts.nodes), ("edge", counts.edges)):
        for type_name, n in rows.items():
            table.add_row(kind, type_name, zh_name(type_name), str(n))
    table.add_row("", "total", "合计", str(sum(counts.nodes.values()) + sum(
        counts.edges.values())), style="bold")
    out.print(table)


@app.command()
def vocabulary(as_json: JsonOption = False) -> None:
    """The node and relationship types with their Chinese names and properties."""
    if as_json:
        _print_json(describe_vocabulary())
        return
    table = Table(title="node types")
    for column in ("type", "类型", "uid prefix", "properties"):
        table.add_column(column)
    for t in NODE_TYPES.values():
        table.add_row(t.name, t.zh, t.uid_prefix, ", ".join(node_properties(t.name)))
    out.print(table)
    table = Table(title="relationship types")
    for column in ("type", "关系", "from", "to"):
        table.add_column(column)
    for r in RELATIONSHIP_TYPES.values():
        table.add_row(r.name, r.zh, ", ".join(sorted(r.sources)), ", ".join(sorted(r.targets)))
    out.print(table)


ScopeOption = Annotated[str | None, typer.Option(
    "--scope", help="The uid of a city, district, street, community or compound; default: all.")]


def _place(refs: list[NodeRef]) -> str:
    return " / ".join(r.name for r in reversed(refs))


@app.command()
def gaps(
    rule: Annotated[str | None, typer.Argument(help="A rule name; none lists the rules.")] = None,
    scope: ScopeOption = None,
    param: ParamOption = None,
    as_of: AsOf = None,
    as_json: JsonOption = False,
) -> None:
    """Coverage gaps: the compounds a rule finds, with their place and the reasons."""
    if rule is None:
        _list_rules(as_json)
        return
    given = _parameters(param)
    with _service(as_of=as_of) as service:
        answer = service.gaps(rule, scope, given)
    if as_json:
        _print_json(answer.model_dump())
        return
    where = answer.scope.name if answer.scope else "全部"
    table = Table(title=f"{answer.title} ({answer.rule}) · {where} · "
                        f"{len(answer.hits)} of {answer.compounds_checked} compounds")
    for column in ("小区", "所在", "原因", "uid"):
        table.add_column(column)
    for hit in answer.hits:
        table.add_row(hit.compound.name, _place(hit.place), "; ".join(hit.reasons),
                      hit.compound.uid)
    out.print(table)
    if answer.not_recorded:
        out.print(f"未记录, 无法判断 ({len(answer.not_recorded)}): " + "; ".join(
            f"{h.compound.name}: " + "; ".join(h.reasons) for h in answer.not_recorded))
    _print_definition(answer.definition)


def _print_definition(definition: Definition) -> None:
    out.print(Text(f"口径: {definition.zh}", style="dim"))
    if definition.parameters:
        out.print(Text(definition.choices_zh() + "  (--param " + ", ".join(
            f"{k}={p.value:g}" for k, p in definition.parameters.items()) + ")", style="dim"))


ParamOption = Annotated[list[str] | None, typer.Option(
    "--param", help="A choice of 口径 as name=value, e.g. threshold=60 or "
                    "management_committee_counts=0 (`govgraph gaps` lists them).")]


def _parameters(items: list[str] | None) -> dict[str, str]:
    given = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"{item!r}: expected name=value", param_hint="--param")
        given[name.strip()] = value.strip()
    return given


def _list_rules(as_json: bool) -> None:
    if as_json:
        _print_json(describe_rules())
        return
    table = Table(title="gap rules")
    for column in ("rule", "名称", "what a hit means", "parameters"):
        table.add_column(column)
    for r in GAP_RULES.values():
        table.add_row(r.name, r.title, r.description, ", ".join(
            f"{k}={p.default:g}" for k, p in r.parameters.items()))
    out.print(table)
    table = Table(title="口径 parameters (--param name=value)")
    for column in ("parameter", "default", "口径", "meaning"):
        table.add_column(column)
    for name, p in PARAMETERS.items():
        table.add_row(name, f"{p.default:g}", p.zh, p.description)
    out.print(table)


@app.command()
def coverage(
    scope: ScopeOption = None,
    history: Annotated[bool, typer.Option(
        "--history", help="The ratios as of each date a source speaks for in the scope.")]
    = False,
    param: ParamOption = None,
    as_of: AsOf = None,
    as_json: JsonOption = False,
) -> None:
    """Coverage ratios of a scope: 党组织覆盖率, 业委会组建率, 红色业委会比例, with their counts
    (counted, stated not counted, not recorded) and the 口径 of each."""
    given = _parameters(param)
    with _service(as_of=as_of) as service:
        if history:
            _print_coverage_history(service.coverage_history(scope, given), as_json)
            return
        answer = service.coverage(scope, given)
    if as_json:
        _print_json(answer.model_dump())
        return
    where = answer.scope.name if answer.scope else "全部"
    table = Table(title=f"{where}: {answer.compounds} compounds")
    for column in ("指标", "ratio", "计入", "分母", "写明未达", "未记录"):
        table.add_column(column)
    for r in answer.ratios:
        table.add_row(r.title, "—" if r.ratio is None else f"{r.ratio:.1%}", str(r.numerator),
                      str(r.denominator), str(r.recorded_no), str(r.not_recorded))
    out.print(table)
    for r in answer.ratios:
        out.print(Text(f"{r.title}", style="bold"))
        _print_definition(r.definition)


def _print_coverage_history(history: list[CoverageAt], as_json: bool) -> None:
    if as_json:
        _print_json([h.model_dump() for h in history])
        return
    if not history:
        out.print("no source speaks for this scope")
        return
    table = Table(title="coverage over time")
    table.add_column("as of")
    for ratio in history[0].coverage.ratios:
        table.add_column(ratio.title, justify="right")
    for entry in history:
        table.add_row(entry.as_of, *(
            "—" if r.ratio is None else f"{r.ratio:.1%} ({r.numerator}/{r.denominator})"
            for r in entry.coverage.ratios))
    out.print(table)


def _tree_label(node: TreeNode) -> Text:
    kind = f" {node.node.kind}" if node.node.kind else ""
    count = f" ×{node.node.count}" if node.node.count != 1 else ""
    more = " …" if node.truncated else ""
    return Text.assemble(node.node.name, (f"  {node.node.type_zh}{kind}{count}  {node.node.uid}",
                                          "dim"), more)


@app.command()
def tree(
    uid: str,
    line: Annotated[str, typer.Option(help="admin (隶属) or party (党组织)")] = "admin",
    depth: Annotated[int, typer.Option(min=0, max=LIMITS.tree_depth)] = 5,
    as_of: AsOf = None,
    as_json: JsonOption = False,
) -> None:
    """The organisation tree under a node: the administrative line or the party line."""
    with _service(as_of=as_of) as service:
        answer = service.tree(uid, line, depth)
    if as_json:
        _print_json(answer.model_dump())
        return
    root = Tree(_tree_label(answer))

    def add(branch: Tree, node: TreeNode) -> None:
        for child in node.children:
            add(branch.add(_tree_label(child)), child)

    add(root, answer)
    out.print(root)


def _print_subgraph(subgraph: Subgraph) -> None:
    names = {n.uid: n.name for n in subgraph.nodes}
    table = Table()
    for column in ("from", "关系", "to"):
        table.add_column(column)
    for edge in subgraph.edges:
        table.add_row(names[edge.source], zh_name(edge.type), names[edge.target])
    out.print(table)


@app.command()
def path(
    source: str, target: str,
    max_hops: Annotated[int, typer.Option(min=1, max=LIMITS.path_hops)] = 8,
    as_of: AsOf = None,
    as_json: JsonOption = False,
) -> None:
    """A shortest chain of relationships between two actors."""
    with _service(as_of=as_of) as service:
        answer = service.path(source, target, max_hops)
    if as_json:
        _print_json(answer and answer.model_dump())
        return
    if answer is None:
        out.print(f"no path of at most {max_hops} steps")
        return
    out.print(" → ".join(n.name for n in answer.nodes))
    _print_subgraph(answer)


@app.command()
def neighbours(
    uid: str,
    depth: Annotated[int, typer.Option(min=0, max=LIMITS.neighbourhood_depth)] = 1,
    type_: Annotated[list[str] | None, typer.Option("--type", help="Only these relationships.")]
    = None,
    limit: Annotated[int, typer.Option(min=1, max=LIMITS.neighbourhood_nodes)] = 300,
    as_of: AsOf = None,
    as_json: JsonOption = False,
) -> None:
    """The neighbourhood of a node: who is related to it, how."""
    with _service(as_of=as_of) as service:
        answer = service.neighbourhood(uid, depth, type_, limit)
    if as_json:
        _print_json(answer.model_dump())
        return
    _print_subgraph(answer)


@app.command()
def projects(scope: ScopeOption = None, as_of: AsOf = None, as_json: JsonOption = False
             ) -> None:
    """Projects in a scope: who initiated, approved, supervised and implemented them."""
    with _service(as_of=as_of) as service:
        answer = service.projects(scope)
    if as_json:
        _print_json([p.model_dump() for p in answer])
        return
    table = Table(title=f"{len(answer)} projects")
    for column in ("项目", "状态", "位于", "发起/牵头", "表决通过", "监督", "实施"):
        table.add_column(column)
    for p in answer:
        table.add_row(p.project.name, p.status or "未记录", *(
            "、".join(r.name for r in refs) or "未记录" for refs in (
                p.places, p.initiated_by, p.approved_by, p.supervised_by, p.implemented_by)))
    out.print(table)


@app.command()
def inspect(
    paths: Annotated[list[Path], typer.Argument(help="Registers (.csv .xlsx), or folders.")],
    source: SourceOption = None,
    default: DefaultOption = None,
    columns: ColumnsOption = None,
    as_json: JsonOption = False,
) -> None:
    """How registers will be read, before anything is loaded: the header row found, how each
    column is read, the rows skipped and why, the first rows as they would load; and what
    loading them as they are (or as editions of ``--source``) would warn of."""
    options = _register_options(columns, default or [])
    with _service() as service:
        layouts, warnings, problems = service.inspect(paths, options, source=source)
    if as_json:
        _print_json({"registers": [layout.model_dump() for layout in layouts],
                     "warnings": warnings, "problems": problems})
        return
    for layout in layouts:
        where = f"{layout.file}" + (f" sheet {layout.sheet}" if layout.sheet else "")
        out.print(Text(f"{where}: header on row {layout.header_row or '—'}"
                       + (f", 填报日期 {layout.as_of}" if layout.as_of else ""), "bold"))
        table = Table(title="columns")
        for column in ("header", "read as", "how"):
            table.add_column(column)
        for reading in layout.columns:
            table.add_row(reading.header, reading.column or "—", reading.reading)
        out.print(table)
        for skipped in layout.skipped:
            out.print(f"  skipped {skipped}")
        if layout.rows:
            keys = list(dict.fromkeys(k for row in layout.rows for k in row))
            table = Table(title=f"the first {len(layout.rows)} rows, as they would load")
            for key in keys:
                table.add_column(key)
            for row in layout.rows:
                table.add_row(*(row.get(k, "") for k in keys))
            out.print(table)
    for warning in warnings:
        err.print(Text.assemble(("warning: ", "yellow"), warning))
    for problem in problems:
        err.print(problem)
    if problems:
        err.print(Text(f"{len(problems)} problem(s): loading would change nothing.", "red"))
        raise typer.Exit(1)


@app.command()
def sources(as_json: JsonOption = False) -> None:
    """The sources loaded: every edition with the date it speaks for, when it was loaded and
    what it states; the current one of each source marked."""
    with _service() as service:
        editions = service.sources()
    if as_json:
        _print_json([e.model_dump() for e in editions])
        return
    table = Table(title=f"{len({e.source for e in editions})} source(s), "
                        f"{len(editions)} edition(s)")
    for column in ("source", "kind", "title", "as of", "loaded at", "nodes", "edges", "current"):
        table.add_column(column, justify="right" if column in ("nodes", "edges") else "left")
    for e in editions:
        table.add_row(e.source, e.kind, e.title, e.as_of, e.loaded_at[:19].replace("T", " "),
                      str(e.nodes), str(e.edges), "✓" if e.current else "")
    out.print(table)


@app.command()
def unload(
    source: Annotated[str, typer.Argument(help="The source's uid (see `govgraph sources`), or a "
                                               "register's name.")],
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Only its edition of this date, YYYY-MM-DD (default: every edition).")]
    = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would go; write nothing.")]
    = False,
    as_json: JsonOption = False,
) -> None:
    """Take a source out of the store (every edition, or one): the store is then as if it had
    never been loaded."""
    with _service() as service:
        summary = service.unload(source, as_of, dry_run)
    if as_json:
        _print_json(summary.model_dump())
    else:
        _print_summary(summary, f"{source} " + ("would be unloaded" if dry_run else "unloaded"))


@app.command()
def conflicts(scope: ScopeOption = None, as_of: AsOf = None, as_json: JsonOption = False
              ) -> None:
    """Facts whose sources disagree now: every value with its source and date, for review."""
    with _service(as_of=as_of) as service:
        found = service.conflicts(scope)
    if as_json:
        _print_json([c.model_dump() for c in found])
        return
    table = Table(title=f"{len(found)} fact(s) whose sources disagree")
    for column in ("节点", "事实", "值", "来源", "日期", "当前"):
        table.add_column(column)
    for conflict in found:
        for index, v in enumerate(conflict.values):
            table.add_row(conflict.node.name if index == 0 else "",
                          conflict.field_zh if index == 0 else "", _shown_value(v.value),
                          v.source, v.as_of, "✓" if v.current else "")
    out.print(table)


@app.command()
def history(uid: str, as_json: JsonOption = False) -> None:
    """How a node's facts and relationships changed over time, with the sources that said so."""
    with _service() as service:
        entries = service.history(uid)
    if as_json:
        _print_json([e.model_dump() for e in entries])
        return
    table = Table(title=f"history of {uid}")
    for column in ("as of", "事实", "before", "after", "sources"):
        table.add_column(column)
    for entry in entries:
        for index, change in enumerate(entry.changes):
            table.add_row(entry.as_of if index == 0 else "", change.field_zh,
                          _shown_value(change.before), _shown_value(change.after),
                          "、".join(entry.sources) if index == 0 else "")
    out.print(table)


def _shown_value(value: Any) -> str:
    """A fact's value as a table cell: none as —, yes/no as 是/否 (as ``show`` has them), lists
    joined, quantities as written."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(map(str, value)) or "—"
    if isinstance(value, dict) and "value" in value and "unit" in value:
        return format_quantity(value)
    return str(value)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (GOVGRAPH_HOST).")]
    = None,
    port: Annotated[int | None, typer.Option(help="Port (GOVGRAPH_PORT).")] = None,
    workers: Annotated[int, typer.Option(
        min=1, max=64, help="Worker processes (each holds its own copy of the graph).")] = 1,
) -> None:
    """Start the HTTP API on the configured store."""
    import os

    import uvicorn

    from govgraph.service.api.main import create_app

    settings = Settings(store=State.store_location)
    host, port = host or settings.host, port or settings.port
    base = f"http://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host}:{port}"
    err.print(f"govgraph on {State.store_location}\n  explorer: {base}/\n  "
              f"API docs: {base}/docs\n  API:      {base}/api/v1/")
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
        return
    os.environ["GOVGRAPH_STORE"] = State.store_location  # the workers read their settings anew
    uvicorn.run("govgraph.service.api.main:create_app", factory=True, workers=workers, host=host,
                port=port, log_level="info")


@app.command()
def export(
    output: Annotated[Path, typer.Option("-o", "--output", help="The file to write.")],
    format_: Annotated[str, typer.Option("--format", help="graphml, json, csv (a zip for "
                                                          "neo4j-admin import) or jsonld")]
    = "graphml",
    scope: ScopeOption = None,
    as_of: AsOf = None,
    show_personal: ShowPersonal = False,
) -> None:
    """Export the graph, or a scope with the bodies and projects around it, as a file."""
    with _service(personal=show_personal, as_of=as_of) as service:
        exported = service.export(format_, scope)
    output.write_bytes(exported.data)
    err.print(f"wrote {output} ({len(exported.data)} bytes, {exported.nodes} nodes, "
              f"{exported.edges} edges)")


@app.command()
def workbook(
    output: Annotated[Path, typer.Option("-o", "--output", help="The .xlsx file to write.")],
    scope: ScopeOption = None,
    as_of: AsOf = None,
    show_personal: ShowPersonal = False,
) -> None:
    """The coverage ratios and every gap rule's list as an XLSX workbook, one sheet each."""
    with _service(personal=show_personal, as_of=as_of) as service:
        data = service.workbook(scope)
    output.write_bytes(data)
    err.print(f"wrote {output}")


@app.command()
def synth(
    output: Annotated[Path, typer.Option("-o", "--output", help="The folder to write into.")],
    size: Annotated[str | None, typer.Option(
        help="district (10 streets), city (200) or province (2000)")] = None,
    streets: Annotated[int | None, typer.Option(min=1, max=100_000,
                                                help="How many streets (overrides --size).")]
    = None,
    seed: Annotated[int, typer.Option(help="The same seed gives the same city.")] = 1,
) -> None:
    """Write a synthetic city as case records and registers, for benchmarks and scale tests."""
    from govgraph.service.synth import SIZES, Size, generate

    if size is not None and size not in SIZES:
        raise typer.BadParameter(f"{size!r}: expected one of {', '.join(SIZES)}",
                                 param_hint="--size")
    chosen = Size(streets) if streets else SIZES[size or "district"]
    counts = generate(output, chosen, seed)
    err.print(f"wrote {output}: {counts['streets']} streets, {counts['communities']} "
              f"communities, {counts['compounds']} compounds (seed {seed})")


render = typer.Typer(help="Draw views to files: network pages and org-chart images.",
                     no_args_is_help=True)
app.add_typer(render, name="render")


@render.command("network")
def render_network(
    uid: str,
    output: Annotated[Path, typer.Option("-o", "--output", help="The .html file to write.")],
    mode: Annotated[str, typer.Option(help="auto, scope or neighbourhood")] = "auto",
    depth: Annotated[int, typer.Option(min=1, max=LIMITS.network_depth)] = 2,
    as_of: AsOf = None,
    show_personal: ShowPersonal = False,
) -> None:
    """An interactive network page that works offline (vis-network inlined)."""
    with _service(personal=show_personal, as_of=as_of) as service:
        html = service.network_page(uid, mode, depth)
    output.write_text(html, encoding="utf-8")
    err.print(f"wrote {output}")


@render.command("orgchart")
def render_orgchart(
    uid: str,
    output: Annotated[Path, typer.Option("-o", "--output", help="A .svg, .png or .pdf file.")],
    line: Annotated[str, typer.Option(help="admin, party, or both side by side")] = "admin",
    depth: Annotated[int, typer.Option(min=0, max=LIMITS.tree_depth)] = 5,
    as_of: AsOf = None,
    show_personal: ShowPersonal = False,
) -> None:
    """The organisation tree under a node as an image; the format follows the file's ending."""
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in orgchart.FORMATS:
        raise typer.BadParameter(f"{output.name!r}: expected a file ending in "
                                 + ", ".join(f".{f}" for f in orgchart.FORMATS),
                                 param_hint="--output")
    with _service(personal=show_personal, as_of=as_of) as service:
        image = service.orgchart(uid, line, depth, fmt)
    output.write_bytes(image)
    err.print(f"wrote {output}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
