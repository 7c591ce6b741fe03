"""Org-chart images (SVG, PNG, PDF) of organisation trees, drawn top-down by Graphviz ``dot``.

They take trees (graph data), never a store. Chinese needs a CJK font named explicitly, or it
turns into empty boxes. Wide levels wrap onto several rows rather than shrink, so a street's
whole tree stays readable on A4.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

import graphviz

from govgraph.graph.answers import TreeNode
from govgraph.viz.style import CJK_FONT, style_of, wrap

FORMATS = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}
LINE_TITLES = {"admin": "行政隶属", "party": "党组织体系"}
MAX_WIDTH = 6  # boxes across a row: about what an A4 page holds at a readable size
LEAF_COLUMNS = 3  # more leaves than this under one node go into a grid of this many columns
DOT_MISSING = ("Graphviz is not installed: org charts need its `dot` program (Debian: apt-get "
               "install graphviz; or run bash scripts/setup.sh)")


class RendererMissing(RuntimeError):
    """Graphviz's `dot`, which draws the charts, is not installed; the message says what to do."""


def _label(tree: TreeNode) -> str:
    """An HTML-like label: the name (wrapped), then the type, kind and count, smaller."""
    node = tree.node
    name = "<BR/>".join(escape(line) for line in wrap(node.name, 9).split("\n"))
    detail = node.type_zh + (f" · {node.kind}" if node.kind and node.kind != node.type_zh else "")
    if node.count != 1:
        detail += f" · {node.count}个"
    more = '<BR/><FONT POINT-SIZE="9" COLOR="#a04000">(下级未展开)</FONT>' if tree.truncated else ""
    return (f'<<FONT POINT-SIZE="13"><B>{name}</B></FONT><BR/>'
            f'<FONT POINT-SIZE="9" COLOR="#555555">{escape(detail)}</FONT>{more}>')


def _split(node: TreeNode) -> tuple[list[TreeNode], list[TreeNode]]:
    """A node's children without children of their own (leaves), and the others."""
    return ([c for c in node.children if not c.children],
            [c for c in node.children if c.children])


def _width(node: TreeNode) -> int:
    """How many boxes wide the subtree is drawn: its leaves in a grid of at most LEAF_COLUMNS,
    its branches side by side unless they wrap."""
    leaves, branches = _split(node)
    if len(leaves) <= LEAF_COLUMNS and not branches:
        return max(1, len(leaves))
    grid = min(len(leaves), LEAF_COLUMNS) if len(leaves) > LEAF_COLUMNS else len(leaves)
    return max(1, grid + sum(min(_width(b), MAX_WIDTH) for b in branches))


def _add_tree(graph: graphviz.Digraph, tree: TreeNode, prefix: str) -> None:
    """Draw a tree top-down. Nodes get plain ids (a uid's ':' would read as a Graphviz port);
    the uid is the tooltip. Where a level would be wider than MAX_WIDTH boxes it wraps: more
    than LEAF_COLUMNS leaves go into one grid box, and sibling subtrees into boxes laid out in
    rows, each row below the one above; one edge joins the parent to the whole group."""
    counter = iter(range(1_000_000))

    def box(target: graphviz.Digraph, node: TreeNode) -> str:
        name = f"{prefix}{next(counter)}"
        style = style_of(node.node.type)
        target.node(name, _label(node), fillcolor=style.colour, color=style.border,
                    tooltip=node.node.uid)
        return name

    def leaf_grid(target: graphviz.Digraph, leaves: list[TreeNode], key: str
                  ) -> tuple[str, str, list[str]]:
        """Leaves in rows of LEAF_COLUMNS inside a dashed box: (cluster, first, last, top row)."""
        with target.subgraph(name=f"cluster_{key}") as grid:
            grid.attr(label=f"{leaves[0].relation or ''} · {len(leaves)}个",
                      style="rounded,dashed", color="#9aa4ad", fontname=CJK_FONT,
                      fontsize="10", labeljust="l")
            names = [box(grid, leaf) for leaf in leaves]
            for upper, lower in zip(names, names[LEAF_COLUMNS:], strict=False):
                grid.edge(upper, lower, style="invis")
            for start in range(0, len(names), LEAF_COLUMNS):  # each row in order, left to right
                row_names = names[start:start + LEAF_COLUMNS]
                with grid.subgraph() as row:
                    row.attr(rank="same")
                    for left, right in zip(row_names, row_names[1:], strict=False):
                        row.edge(left, right, style="invis")
        return names[0], names[-1], names[:LEAF_COLUMNS]

    def add(target: graphviz.Digraph, node: TreeNode) -> tuple[str, list[str]]:
        """Draw a subtree into ``target``: its top node and the nodes at its bottom."""
        name = box(target, node)
        leaves, branches = _split(node)
        if len(leaves) <= LEAF_COLUMNS:
            branches, leaves = node.children, []
        wrap_rows = _width(node) > MAX_WIDTH and len(branches) + bool(leaves) > 1
        if not wrap_rows:
            bottoms: list[str] = []
            for child in branches:
                top, child_bottoms = add(target, child)
                graph.edge(name, top, label=child.relation or "")
                bottoms += child_bottoms
            if leaves:
                first, last, row = leaf_grid(target, leaves, f"{name}_leaves")
                for index, top in enumerate(row):
                    attributes = ({"lhead": f"cluster_{name}_leaves"}
                                  if index == len(row) // 2 else {"style": "invis"})
                    graph.edge(name, top, **attributes)
                bottoms.append(last)
            return name, bottoms or [name]
        # Wrap: each branch (and the leaf grid) is one item; items fill rows of MAX_WIDTH.
        group = f"cluster_{name}_group"
        rows: list[list[tuple[str, list[str]]]] = [[]]
        used = 0
        with target.subgraph(name=group) as outer:
            outer.attr(label="", style="invis")
            items: list[tuple[int, str, list[str]]] = []
            for index, child in enumerate(branches):
                with outer.subgraph(name=f"cluster_{name}_{index}") as unit:
                    unit.attr(label="", style="rounded", color="#e1e5e8")
                    top, child_bottoms = add(unit, child)
                items.append((min(_width(child), MAX_WIDTH), top, child_bottoms))
            if leaves:
                first, last, row = leaf_grid(outer, leaves, f"{name}_leaves")
                items.append((min(len(leaves), LEAF_COLUMNS), first, [last]))
            for item_width, top, item_bottoms in items:
                if rows[-1] and used + item_width > MAX_WIDTH:
                    rows.append([])
                    used = 0
                rows[-1].append((top, item_bottoms))
                used += item_width
        for upper, lower in zip(rows, rows[1:], strict=False):
            for _, item_bottoms in upper:  # the next row below every subtree of this one
                for bottom in item_bottoms:
                    for top, _ in lower:
                        graph.edge(bottom, top, style="invis")
        for index, (top, _) in enumerate(rows[0]):
            attributes = ({"lhead": group} if index == len(rows[0]) // 2
                          else {"style": "invis"})
            graph.edge(name, top, **attributes)
        return name, [b for _, item_bottoms in rows[-1] for b in item_bottoms]

    add(graph, tree)


def orgchart(trees: Mapping[str, TreeNode], title: str, dpi: int = 96) -> graphviz.Digraph:
    """A chart of one tree, or of several lines side by side (``{"admin": …, "party": …}``)."""
    graph = graphviz.Digraph("orgchart", graph_attr={
        "rankdir": "TB", "fontname": CJK_FONT, "label": title, "labelloc": "t", "fontsize": "18",
        "nodesep": "0.25", "ranksep": "0.45", "newrank": "true", "pad": "0.3", "dpi": str(dpi),
        "compound": "true", "ordering": "out",
    }, node_attr={"shape": "box", "style": "rounded,filled", "fontname": CJK_FONT,
                  "margin": "0.12,0.06", "penwidth": "1.3"},
        edge_attr={"fontname": CJK_FONT, "fontsize": "8", "fontcolor": "#777777",
                   "color": "#8a949c", "arrowsize": "0.6"})
    for line, tree in trees.items():
        if len(trees) == 1:
            _add_tree(graph, tree, f"{line}_")
            continue
        with graph.subgraph(name=f"cluster_{line}") as cluster:
            cluster.attr(label=LINE_TITLES.get(line, line), fontname=CJK_FONT, fontsize="14",
                         style="rounded", color="#cccccc")
            _add_tree(cluster, tree, f"{line}_")
    return graph


def render(trees: Mapping[str, TreeNode], title: str, format_name: str) -> bytes:
    """The chart as SVG, PNG or PDF bytes."""
    if format_name not in FORMATS:
        raise ValueError(f"unknown image format {format_name!r}; expected one of "
                         + ", ".join(FORMATS))
    chart = orgchart(trees, title, dpi=144 if format_name == "png" else 72)
    try:
        return chart.pipe(format=format_name)
    except graphviz.ExecutableNotFound:
        raise RendererMissing(DOT_MISSING) from None
