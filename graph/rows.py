"""Nodes and edges as the flat text fields every store and export keeps: the embedded store's
rows, the Neo4j store's properties, the neo4j-admin CSV columns. One shape, so a graph moves
between them unchanged."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from graph.model import Citation, Edge, Node
from graph.search import search_key


def dumps(value: Any) -> str:
    """Compact JSON with Chinese kept as characters and keys in order (stable for comparing)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def citations_text(citations: list[Citation]) -> str:
    return dumps([asdict(c) for c in citations])


def citations_of(text: str) -> list[Citation]:
    return [Citation(**c) for c in json.loads(text)]


def node_fields(node: Node) -> dict[str, str]:
    """uid, name, search (the name search key), properties and citations as JSON text."""
    return {"uid": node.uid, "name": node.name,
            "search": search_key(node.name, node.properties.get("aliases")),
            "properties": dumps(node.properties), "citations": citations_text(node.citations)}


def edge_fields(edge: Edge) -> dict[str, str]:
    """uid, properties and citations as JSON text (the ends and type are the edge's own)."""
    return {"uid": edge.uid, "properties": dumps(edge.properties),
            "citations": citations_text(edge.citations)}
