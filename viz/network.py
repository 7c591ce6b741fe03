"""Interactive network views (pyvis / vis-network) of graph data, in Chinese, working offline.

pyvis builds the nodes, edges and options; the page is our own template, because pyvis's pulls
vis.js and Bootstrap from CDNs. vis-network comes from the copy inside the pyvis wheel: inlined
into a written file, or served by the service at ``/static/vis/``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govgraph.graph.answers import Subgraph, TreeNode
from govgraph.graph.model import Node
from govgraph.graph.values import display
from govgraph.graph.vocabulary import node_properties, zh_name
from govgraph.viz.style import CJK_FONTS, legend, style_of, wrap

if TYPE_CHECKING:
    from jinja2 import Environment

# pyvis (it imports IPython) and jinja2 are imported by the first view drawn, not by every
# process that answers: 7 MB and 0.2 s less at start
VIS_DIR = Path(find_spec("pyvis").origin or "").parent / "lib" / "vis-9.1.2"  # type: ignore[union-attr]
VIS_FILES = {"vis-network.min.js": "application/javascript", "vis-network.css": "text/css"}
MAX_NODES = 1000  # beyond this a view is cut and says so (Neo4j Browser and others do the same)


@cache
def _templates() -> Environment:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                       autoescape=select_autoescape(["html"]))


def tooltip(node: Node, source_titles: dict[str, str]) -> str:
    """Hover text: type, uid, the properties with Chinese names, and the sources."""
    specs = node_properties(node.type)
    lines = [f"{zh_name(node.type)} · {node.name}", node.uid]
    lines += [f"{specs[k].zh}: {display(specs[k], v)}" for k, v in node.properties.items()]
    for citation in node.citations[:3]:
        title = source_titles.get(citation.source, citation.source)
        lines.append(f"来源: {title}" + (f"\n  “{citation.evidence}”" if citation.evidence else ""))
    if len(node.citations) > 3:
        lines.append(f"… 另有 {len(node.citations) - 3} 条来源")
    return "\n".join(lines)


def tree_levels(tree: TreeNode) -> dict[str, int]:
    """Each node's depth in a tree: the explicit levels a hierarchical layout needs."""
    levels: dict[str, int] = {}

    def walk(node: TreeNode, level: int) -> None:
        levels.setdefault(node.node.uid, level)
        for child in node.children:
            walk(child, level + 1)

    walk(tree, 0)
    return levels


def _options(hierarchical: bool, nodes: int) -> dict[str, Any]:
    # vis's improved first layout (Kamada-Kawai) costs seconds beyond a few hundred nodes,
    # "dynamic" smooth edges add a body per edge to the physics, and drawing every edge's label
    # takes the first picture of a street (900 edges) 1.5 s, while at the scale a street is
    # shown whole they are too small to read: labels drawn from a zoom where they can be read,
    # all three only for small views. Barnes-Hut's repulsion is most of the physics: a coarser
    # approximation (theta 0.8, vis's default 0.5) halves a street's settling (574 nodes: 2 s to
    # 1 s in headless Chromium) for a picture alike to the eye
    small = nodes <= 150
    layout: dict[str, Any] = {"randomSeed": 7, "improvedLayout": small}
    if hierarchical:
        layout["hierarchical"] = {"enabled": True, "direction": "UD", "sortMethod": "directed",
                                  "levelSeparation": 170, "nodeSpacing": 190}
    return {
        "layout": layout,
        "physics": {"enabled": not hierarchical, "solver": "forceAtlas2Based",
                    "forceAtlas2Based": {"gravitationalConstant": -45, "centralGravity": 0.01,
                                         "springLength": 70, "springConstant": 0.06,
                                         "avoidOverlap": 1, "theta": 0.5 if small else 0.8},
                    "stabilization": {"enabled": True, "iterations": 400 if small else 200,
                                      "fit": True}},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": True,
                        "navigationButtons": False, "keyboard": True},
        "nodes": {"font": {"face": CJK_FONTS, "size": 18}, "borderWidth": 1.5,
                  "margin": 8},
        "edges": {"font": {"face": CJK_FONTS, "size": 13, "align": "middle",
                           "strokeWidth": 3, "color": "#555"},
                  "color": {"color": "#9aa4ad", "highlight": "#c0392b"},
                  "smooth": {"enabled": True, "type": "dynamic" if small else "continuous"},
                  "scaling": {"label": {"drawThreshold": 5 if small else 9}}},
    }


def network_data(subgraph: Subgraph, *, focus: str | None = None,
                 levels: dict[str, int] | None = None,
                 source_titles: dict[str, str] | None = None) -> dict[str, Any]:
    """Nodes, edges, options and legend of a view, built with pyvis."""
    titles = source_titles or {}
    nodes = subgraph.nodes[:MAX_NODES]
    shown = {n.uid for n in nodes}
    from pyvis.network import Network

    net = Network(directed=True)
    for node in nodes:
        style = style_of(node.type)
        extra: dict[str, Any] = {"level": levels[node.uid]} if levels and node.uid in levels else {}
        count = node.properties.get("count")
        label = wrap(node.name, 10) + (f"\n×{count}" if count else "")
        net.add_node(node.uid, label=label, title=tooltip(node, titles), shape=style.shape,
                     color={"background": style.colour, "border": style.border,
                            "highlight": {"background": style.colour, "border": "#c0392b"}},
                     node_type=node.type, borderWidth=3 if node.uid == focus else 1.5,
                     shapeProperties={"borderRadius": style.radius},
                     **extra)
    for edge in subgraph.edges:
        if edge.source in shown and edge.target in shown:
            net.add_edge(edge.source, edge.target, id=edge.uid, label=zh_name(edge.type),
                         title=f"{zh_name(edge.type)} ({edge.type})", arrows="to")
    return {
        "nodes": net.nodes, "edges": net.edges,
        "options": _options(levels is not None, len(net.nodes)),
        "legend": legend({n.type for n in nodes}),
        "truncated": subgraph.truncated or len(subgraph.nodes) > MAX_NODES,
        "total": len(subgraph.nodes), "focus": focus if focus in shown else None,
    }


def _json_for_script(data: Any) -> str:
    """JSON safe inside <script> (no closing tag), with Chinese kept as characters."""
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def network_html(subgraph: Subgraph, *, title: str, focus: str | None = None,
                 levels: dict[str, int] | None = None, source_titles: dict[str, str] | None = None,
                 assets: str | None = None) -> str:
    """A complete page. ``assets`` is the URL folder of vis-network's files; None inlines them,
    so the file works anywhere, offline."""
    data = network_data(subgraph, focus=focus, levels=levels, source_titles=source_titles)
    inline = None if assets else {name: (VIS_DIR / name).read_text(encoding="utf-8")
                                  for name in VIS_FILES}
    return _templates().get_template("network.html").render(
        title=title, data=_json_for_script(data), assets=assets, inline=inline,
        legend=data["legend"], truncated=data["truncated"], total=data["total"],
        shown=len(data["nodes"]), fonts=CJK_FONTS)
