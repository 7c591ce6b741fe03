"""Nodes and edges as the flat text fields every backend and export keeps (the embedded store's
rows, the Neo4j store's properties, the neo4j-admin CSV columns), and back to typed values. One
shape, so a graph moves between them unchanged."""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from dataclasses import fields
from functools import lru_cache
from sys import intern
from typing import Any, Protocol, TypeVar

from govgraph.graph.jsontext import dumps, loads
from govgraph.graph.model import Citation, Edge, Node, built, cited
from govgraph.graph.search import search_key

T = TypeVar("T")


class Fields(Protocol):
    """Stored fields by name: a dict, an SQLite row, a Neo4j record's map."""

    def __getitem__(self, key: str) -> Any: ...


_CITATION_FIELDS = tuple(f.name for f in fields(Citation))


def citations_text(citations: list[Citation]) -> str:
    # the fields read flat, not by asdict (which recurses): a load writes 100,000s of these
    return dumps([{k: getattr(c, k) for k in _CITATION_FIELDS} for c in citations])


@lru_cache(maxsize=100_000)
def citations_of(text: str) -> list[Citation]:
    """One list for each text read, shared by every node and edge citing alike (a city's
    268,000 cite 14,000 ways): never changed in place, a change makes a new list."""
    return [cited(c["source"], c.get("evidence")) for c in loads(text)]


_NO_PROPERTIES: dict[str, Any] = {}


@lru_cache(maxsize=100_000)
def properties_of(text: str) -> dict[str, Any]:
    """The properties read: one dictionary for each text read, shared by every node and edge
    stating alike (a city's 97,000 nodes state 16,600 ways; its 170,000 edges, one), never
    changed in place, like every node's and edge's properties. What they hold is shared too
    (``_shared``)."""
    if text == "{}":
        return _NO_PROPERTIES
    properties = loads(text)
    return {key: _shared(value) for key, value in properties.items()}


# the values read, by (type, value) or, for a quantity, its (key, type, value)s; emptied by
# forget_texts_read, or when it holds SHARED_VALUES (a process reading parts, never a whole)
_SHARED: dict[Hashable, Any] = {}
SHARED_VALUES = 200_000
_SCALARS = (str, int, bool, type(None))  # not floats: -0.0 == 0.0, NaN != NaN


def _shared(value: Any) -> Any:
    """One object for each text or quantity read alike (a city's 13,600 compounds state 41,000
    quantities, such as {"unit": "户", "value": 456}, 2,700 ways: 10 MB): values read, like
    properties, are never changed in place. Keyed by type too, as 1 == True.

    >>> _shared({"unit": "户", "value": 1}) is _shared({"unit": "户", "value": 1})
    True
    >>> _shared({"unit": "户", "value": True})
    {'unit': '户', 'value': True}
    """
    if len(_SHARED) >= SHARED_VALUES:
        _SHARED.clear()
    if isinstance(value, str):
        return _SHARED.setdefault((str, value), value)
    if isinstance(value, dict) and all(isinstance(v, _SCALARS) for v in value.values()):
        quantity = {key: _shared(v) if isinstance(v, str) else v for key, v in value.items()}
        return _SHARED.setdefault(tuple((key, type(v), v) for key, v in quantity.items()),
                                  quantity)
    return value


def forget_texts_read() -> None:
    """Let go of the texts ``properties_of`` and ``citations_of`` keep to share what they read,
    once a whole graph is read: it holds what was read of them (the texts are a city's 27 MB).
    """
    properties_of.cache_clear()
    citations_of.cache_clear()
    _SHARED.clear()


def node_fields(node: Node) -> dict[str, str]:
    """uid, name, search (the name search key), properties and citations as JSON text."""
    return {"uid": node.uid, "name": node.name,
            "search": search_key(node.name, node.properties.get("aliases")),
            "properties": dumps(node.properties), "citations": citations_text(node.citations)}


def edge_fields(edge: Edge) -> dict[str, str]:
    """uid, properties and citations as JSON text (the ends and type are the edge's own)."""
    return {"uid": edge.uid, "properties": dumps(edge.properties),
            "citations": citations_text(edge.citations)}


def node_of_fields(fields: Fields) -> Node:
    """The node that ``node_fields`` (plus its ``type``) was made of. Uids, types and names
    are interned: a graph held in memory names each node once, not again at every edge's end
    nor in the embedded store's search keys."""
    return built(Node, uid=intern(fields["uid"]), type=intern(fields["type"]),
                 name=intern(fields["name"]), properties=properties_of(fields["properties"]),
                 citations=citations_of(fields["citations"]))


def edge_of_fields(source: str, fields: Fields, target: str) -> Edge:
    """The edge that ``edge_fields`` (plus its ``type``) was made of, between its two ends."""
    return built(Edge, uid=fields["uid"], type=intern(fields["type"]),
                 source=intern(source), target=intern(target),
                 properties=properties_of(fields["properties"]),
                 citations=citations_of(fields["citations"]))


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """``items`` in consecutive pieces of at most ``size`` (a query's parameter limit).

    >>> [list(c) for c in chunks([1, 2, 3], 2)]
    [[1, 2], [3]]
    """
    for start in range(0, len(items), size):
        yield items[start:start + size]
