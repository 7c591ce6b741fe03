"""The govgraph command: load records, look at the graph. Talks to the store interface only.

Exit codes: 0 done, 1 invalid input (nothing loaded), 2 bad usage, 3 store unavailable,
4 not found.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.tree import Tree

from govgraph.graph import catalogue, exports
from govgraph.graph.algorithms import MAX_PATH_HOPS
from govgraph.graph.answers import NodeRef, Subgraph, TreeNode
from govgraph.graph.exports import FORMATS
from govgraph.graph.model import InvalidInput, LoadSummary, Node
from govgraph.graph.privacy import Masker
from govgraph.graph.rules import GAP_RULES, describe_rules
from govgraph.graph.storage import (
    ConflictingFacts,
    DanglingEdges,
    GraphStore,
    InvalidQuery,
    NodeNotFound,
    StoreError,
    StoreUnavailable,
    open_store,
)
from govgraph.graph.values import display
from govgraph.graph.vocabulary import (
    NODE_TYPES,
    RELATIONSHIP_TYPES,
    describe_vocabulary,
    node_properties,
    zh_name,
)
from govgraph.loaders import input_files, read_file
from govgraph.loaders.assemble import assemble
from govgraph.loaders.statements import ParsedFile
from govgraph.service.settings import Settings
from govgraph.viz import orgchart
from govgraph.viz.network import network_html

app = typer.Typer(help="govgraph: the knowledge graph of grassroots governance.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
ShowPersonal = Annotated[bool, typer.Option(
    "--show-personal", help="Show people's names unmasked (they are masked by default).")]


class State:
    store_location: str = ""


@app.callback()
def main(
    store: Annotated[str | None, typer.Option(
        "--store", envvar="GOVGRAPH_STORE",
        help="The store: a file path for the embedded store. Default: a file in the user's "
             "data directory.")] = None,
) -> None:
    State.store_location = store or Settings().store


@contextmanager
def _store() -> Iterator[GraphStore]:
    try:
        store = open_store(State.store_location)
    except StoreUnavailable as error:
        err.print(f"[red]store unavailable:[/] {error}")
        raise typer.Exit(3) from error
    try:
        yield store
    except NodeNotFound as error:
        err.print(f"[red]not found:[/] {error}")
        raise typer.Exit(4) from error
    except (ConflictingFacts, DanglingEdges) as error:
        err.print(f"{error}\n[red]nothing was loaded.[/]", highlight=False)
        raise typer.Exit(1) from error
    except InvalidQuery as error:
        err.print(f"[red]invalid question:[/] {error}", markup=True, highlight=False)
        raise typer.Exit(2) from error
    except StoreError as error:
        err.print(f"[red]store error:[/] {error}")
        raise typer.Exit(3) from error
    finally:
        store.close()


def _print_json(data: Any) -> None:
    out.out(json.dumps(data, ensure_ascii=False, indent=2), highlight=False)


def _read_all(paths: list[Path]) -> list[ParsedFile]:
    files, parsed = input_files(paths)
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=err, transient=True,
                        disable=not err.is_terminal)
    with progress:
        task = progress.add_task("reading", total=len(files))
        for path in files:
            progress.update(task, description=f"reading {path.name}")
            parsed.append(read_file(path))
            progress.advance(task)
    return parsed


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="Case records and registers: files or "
                                                     "folders (.yaml .yml .json .csv .xlsx).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate only; write nothing.")]
    = False,
    as_json: JsonOption = False,
) -> None:
    """Load case records and registers into the store, all or nothing."""
    parsed = _read_all(paths)
    with _store() as store:
        try:
            batch = assemble(parsed, store.get_nodes)
        except InvalidInput as invalid:
            _report_problems(invalid, as_json)
            raise typer.Exit(1) from invalid
        with err.status(f"writing {len(batch.nodes)} nodes and {len(batch.edges)} edges",
                        spinner="dots") if err.is_terminal else _nothing():
            summary = store.upsert(batch, dry_run=dry_run)
    files = sum(1 for p in parsed if p.readable)
    if as_json:
        _print_json({"files": files, **summary.model_dump()})
    else:
        _print_summary(summary, files)


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def _report_problems(invalid: InvalidInput, as_json: bool) -> None:
    if as_json:
        _print_json({"problems": [
            {**p.location.model_dump(exclude_none=True), "field": p.field, "value": p.value,
             "expected": p.expected, "message": str(p)} for p in invalid.problems]})
    for problem in invalid.problems:
        err.print(str(problem), markup=False, highlight=False)
    err.print(f"[red]{len(invalid.problems)} problem(s); nothing was loaded.[/]")


def _print_summary(summary: LoadSummary, files: int) -> None:
    verb = "would change" if summary.dry_run else "loaded"
    table = Table(title=f"{files} file(s) {verb}: dry run, nothing written" if summary.dry_run
                  else f"{files} file(s) {verb}")
    for column in ("", "type", "类型", "created", "updated", "unchanged"):
        table.add_column(column, justify="right" if column in
                         ("created", "updated", "unchanged") else "left")
    for kind, rows in (("node", summary.nodes), ("edge", summary.edges)):
        for type_name, changes in sorted(rows.items()):
            table.add_row(kind, type_name, zh_name(type_name), str(changes.created),
                          str(changes.updated), str(changes.unchanged))
    totals = summary.totals()
    table.add_row("", "total", "合计", str(totals["created"]), str(totals["updated"]),
                  str(totals["unchanged"]), style="bold")
    out.print(table)


@app.command()
def show(uid: str, as_json: JsonOption = False) -> None:
    """A node: its properties, its sources with their evidence, its relationships."""
    with _store() as store:
        node = store.get_node(uid)
        edges = store.edges_of(uid)
        others = store.get_nodes({e.target if e.source == uid else e.source for e in edges})
    if as_json:
        _print_json({**node.model_dump(), "edges": [e.model_dump() for e in edges]})
        return
    out.print(f"[bold]{node.name}[/]  {zh_name(node.type)} ({node.type})  {node.uid}")
    specs = node_properties(node.type)
    for key, value in node.properties.items():
        out.print(f"  {specs[key].zh}: {display(specs[key], value)}", highlight=False)
    out.print("来源:")
    for citation in node.citations:
        out.print(f"  {citation.source}" + (f"  “{citation.evidence}”" if citation.evidence
                                              else ""), highlight=False)
    if edges:
        table = Table(title="关系")
        for column in ("", "关系", "节点", "类型", "uid"):
            table.add_column(column)
        for edge in edges:
            outgoing = edge.source == uid
            other_uid = edge.target if outgoing else edge.source
            other = others.get(other_uid)
            table.add_row("→" if outgoing else "←", zh_name(edge.type),
                          other.name if other else "?", zh_name(other.type) if other else "",
                          other_uid)
        out.print(table)


def _node_table(nodes: list[Node], title: str) -> Table:
    table = Table(title=title)
    for column in ("名称", "类型", "uid"):
        table.add_column(column)
    for node in nodes:
        table.add_row(node.name, zh_name(node.type), node.uid)
    return table


@app.command()
def search(
    text: str,
    type_: Annotated[list[str] | None, typer.Option("--type", help="Only these node types.")]
    = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    as_json: JsonOption = False,
) -> None:
    """Find nodes by name: Chinese substring, full pinyin or pinyin initials."""
    for type_name in type_ or []:
        if type_name not in NODE_TYPES:
            raise typer.BadParameter(f"{type_name!r} is not a node type; expected one of "
                                     + ", ".join(NODE_TYPES), param_hint="--type")
    with _store() as store:
        found = store.search(text, types=type_ or [], limit=limit)
    if as_json:
        _print_json([{"uid": n.uid, "type": n.type, "name": n.name} for n in found])
    else:
        out.print(_node_table(found, f"“{text}”: {len(found)} found"))


@app.command()
def stats(as_json: JsonOption = False) -> None:
    """How many nodes and edges of each type the store holds."""
    with _store() as store:
        counts = store.stats()
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
    param: Annotated[list[str] | None, typer.Option(
        "--param", help="A rule parameter as name=value, e.g. threshold=60.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Coverage gaps: the compounds a rule finds, with their place and the reasons."""
    if rule is None:
        _list_rules(as_json)
        return
    given = {}
    for item in param or []:
        name, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"{item!r}: expected name=value", param_hint="--param")
        given[name.strip()] = value.strip()
    with _store() as store:
        answer = catalogue.gaps(store, rule, scope, given)
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
            "; ".join(h.reasons) for h in answer.not_recorded), highlight=False)


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


@app.command()
def coverage(scope: ScopeOption = None, as_json: JsonOption = False) -> None:
    """Coverage ratios of a scope: 党组织覆盖率, 业委会组建率, 红色业委会比例, with their counts."""
    with _store() as store:
        answer = catalogue.coverage(store, scope)
    if as_json:
        _print_json(answer.model_dump())
        return
    where = answer.scope.name if answer.scope else "全部"
    table = Table(title=f"{where}: {answer.compounds} compounds")
    for column in ("指标", "ratio", "numerator", "denominator", "not recorded", "what it counts"):
        table.add_column(column)
    for r in answer.ratios:
        table.add_row(r.title, "—" if r.ratio is None else f"{r.ratio:.1%}", str(r.numerator),
                      str(r.denominator), str(r.not_recorded), r.description)
    out.print(table)


def _tree_label(node: TreeNode) -> str:
    kind = f" {node.node.kind}" if node.node.kind else ""
    count = f" ×{node.node.count}" if node.node.count != 1 else ""
    more = " …" if node.truncated else ""
    return f"{node.node.name}  [dim]{node.node.type_zh}{kind}{count}  {node.node.uid}[/]{more}"


@app.command()
def tree(
    uid: str,
    line: Annotated[str, typer.Option(help="admin (隶属) or party (党组织)")] = "admin",
    depth: Annotated[int, typer.Option(min=0, max=20)] = 5,
    as_json: JsonOption = False,
) -> None:
    """The organisation tree under a node: the administrative line or the party line."""
    with _store() as store:
        answer = store.tree(uid, line, depth)  # type: ignore[arg-type]
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
    max_hops: Annotated[int, typer.Option(min=1, max=MAX_PATH_HOPS)] = 8,
    as_json: JsonOption = False,
) -> None:
    """A shortest chain of relationships between two actors."""
    with _store() as store:
        answer = store.path(source, target, max_hops)
    if as_json:
        _print_json(answer and answer.model_dump())
        return
    if answer is None:
        out.print(f"no path of at most {max_hops} steps")
        return
    out.print(" → ".join(n.name for n in answer.nodes), highlight=False)
    _print_subgraph(answer)


@app.command()
def neighbours(
    uid: str,
    depth: Annotated[int, typer.Option(min=0, max=5)] = 1,
    type_: Annotated[list[str] | None, typer.Option("--type", help="Only these relationships.")]
    = None,
    limit: Annotated[int, typer.Option(min=1, max=5000)] = 500,
    as_json: JsonOption = False,
) -> None:
    """The neighbourhood of a node: who is related to it, how."""
    with _store() as store:
        answer = store.neighbourhood(uid, depth, type_, limit)
    if as_json:
        _print_json(answer.model_dump())
        return
    _print_subgraph(answer)


@app.command()
def projects(scope: ScopeOption = None, as_json: JsonOption = False) -> None:
    """Projects in a scope: who initiated, approved, supervised and implemented them."""
    with _store() as store:
        answer = store.projects(scope)
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
              f"API docs: {base}/docs\n  API:      {base}/api/v1/", highlight=False)
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
    show_personal: ShowPersonal = False,
) -> None:
    """Export the graph, or a scope with the bodies and projects around it, as a file."""
    if format_ not in FORMATS:
        raise typer.BadParameter(f"{format_!r}: expected one of {', '.join(FORMATS)}",
                                 param_hint="--format")
    with _store() as store:
        store.scope_ref(scope)
        graph = store.export_graph(scope)
        masker = _masker(store, show_personal)
    data = exports.export(graph, format_, masker.text)
    output.write_bytes(data)
    err.print(f"wrote {output} ({len(data)} bytes, {graph.number_of_nodes()} nodes, "
              f"{graph.number_of_edges()} edges)", highlight=False)


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
    from govgraph.loaders.synth import SIZES, Size, generate

    if size is not None and size not in SIZES:
        raise typer.BadParameter(f"{size!r}: expected one of {', '.join(SIZES)}",
                                 param_hint="--size")
    chosen = Size(streets) if streets else SIZES[size or "district"]
    counts = generate(output, chosen, seed)
    err.print(f"wrote {output}: {counts['streets']} streets, {counts['communities']} "
              f"communities, {counts['compounds']} compounds (seed {seed})", highlight=False)


render = typer.Typer(help="Draw views to files: network pages and org-chart images.",
                     no_args_is_help=True)
app.add_typer(render, name="render")


@render.command("network")
def render_network(
    uid: str,
    output: Annotated[Path, typer.Option("-o", "--output", help="The .html file to write.")],
    mode: Annotated[str, typer.Option(help="auto, scope or neighbourhood")] = "auto",
    depth: Annotated[int, typer.Option(min=1, max=3)] = 2,
    show_personal: ShowPersonal = False,
) -> None:
    """An interactive network page that works offline (vis-network inlined)."""
    with _store() as store:
        node, subgraph = catalogue.network_of(store, uid, mode, depth)
        titles = catalogue.source_titles(store)
        masker = _masker(store, show_personal)
    html = network_html(masker.model(subgraph), title=masker.text(node.name),
                        focus=masker.text(uid),  # masked before labels are wrapped
                        source_titles={k: masker.text(v) for k, v in titles.items()})
    output.write_text(html, encoding="utf-8")
    err.print(f"wrote {output} ({len(subgraph.nodes)} nodes, {len(subgraph.edges)} edges)",
              highlight=False)


@render.command("orgchart")
def render_orgchart(
    uid: str,
    output: Annotated[Path, typer.Option("-o", "--output", help="A .svg, .png or .pdf file.")],
    line: Annotated[str, typer.Option(help="admin, party, or both side by side")] = "admin",
    depth: Annotated[int, typer.Option(min=0, max=10)] = 5,
    show_personal: ShowPersonal = False,
) -> None:
    """The organisation tree under a node as an image; the format follows the file's ending."""
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in orgchart.FORMATS:
        raise typer.BadParameter(f"{output.name!r}: expected a file ending in "
                                 + ", ".join(f".{f}" for f in orgchart.FORMATS),
                                 param_hint="--output")
    with _store() as store:
        found = catalogue.chart_trees(store, uid, line, depth)
        masker = _masker(store, show_personal)
    trees: dict[str, TreeNode] = {name: masker.model(tree) for name, tree in found.items()}
    output.write_bytes(orgchart.render(trees, next(iter(trees.values())).node.name, fmt))
    err.print(f"wrote {output}", highlight=False)


def _masker(store: GraphStore, show_personal: bool) -> Masker:
    """Masks people's names unless the user asked to see them."""
    return Masker.for_people([] if show_personal else store.nodes_of_type("Person"))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
