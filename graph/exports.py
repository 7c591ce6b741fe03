"""Exports of graph data for other tools: GraphML (Gephi, yEd), node-link JSON, CSV for
``neo4j-admin database import``, and JSON-LD with the W3C Organization Ontology where it fits.

They take a networkx graph of the shape ``graph.algorithms`` documents, never a store.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import networkx as nx

from govgraph.graph.algorithms import edge_of, node_of
from govgraph.graph.jsontext import dumps
from govgraph.graph.model import Edge, Node
from govgraph.graph.storage.rows import edge_fields, node_fields
from govgraph.graph.vocabulary import BODIES, PLACES, zh_name

TextFilter = Callable[[str], str]
FORMATS = {
    "graphml": ("application/graphml+xml", "graphml"),
    "json": ("application/json", "json"),
    "csv": ("application/zip", "zip"),
    "jsonld": ("application/ld+json", "jsonld"),
}


def _items(graph: nx.MultiDiGraph) -> tuple[list[Node], list[Edge]]:
    nodes = [node_of(graph, uid) for uid in sorted(graph.nodes)]
    edges = sorted((edge_of(graph, u, v, k) for u, v, k in graph.edges(keys=True)),
                   key=lambda e: e.uid)
    return nodes, edges


def node_link(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """Node-link JSON (as networkx and d3 read it), with Chinese type names and sources."""
    nodes, edges = _items(graph)
    return {
        "directed": True, "multigraph": True, "graph": {},
        "nodes": [{"id": n.uid, "name": n.name, "type": n.type, "type_zh": zh_name(n.type),
                   "properties": n.properties, "citations": [asdict(c) for c in n.citations]}
                  for n in nodes],
        "links": [{"key": e.uid, "source": e.source, "target": e.target, "type": e.type,
                   "type_zh": zh_name(e.type), "properties": e.properties,
                   "citations": [asdict(c) for c in e.citations]} for e in edges],
    }


def graphml(graph: nx.MultiDiGraph) -> str:
    """GraphML with flat attributes: label (the name), type, type_zh, properties and sources
    as JSON text."""
    nodes, edges = _items(graph)
    flat = nx.MultiDiGraph()
    for n in nodes:
        flat.add_node(n.uid, label=n.name, type=n.type, type_zh=zh_name(n.type),
                      properties=dumps(n.properties), sources=" ".join(n.sources))
    for e in edges:
        flat.add_edge(e.source, e.target, key=e.uid, label=zh_name(e.type), type=e.type,
                      properties=dumps(e.properties), sources=" ".join(e.sources))
    buffer = io.BytesIO()
    nx.write_graphml(flat, buffer, encoding="utf-8", prettyprint=True)  # UTF-8, not &#…; refs
    return buffer.getvalue().decode("utf-8")


NEO4J_IMPORT_README = """\
Import into an empty Neo4j database (then open it with govgraph as a neo4j:// store):

  neo4j-admin database import full neo4j --nodes=nodes.csv --relationships=relationships.csv

Node and relationship properties are stored exactly as govgraph's Neo4j store keeps them.
"""


def neo4j_import_csv(graph: nx.MultiDiGraph) -> bytes:
    """A zip of nodes.csv and relationships.csv with neo4j-admin import headers."""
    nodes, edges = _items(graph)
    node_file, edge_file = io.StringIO(), io.StringIO()
    writer = csv.writer(node_file)
    writer.writerow(["uid:ID", "name", "search", "properties", "citations", ":LABEL"])
    for n in nodes:
        fields = node_fields(n)
        writer.writerow([n.uid, n.name, fields["search"], fields["properties"],
                         fields["citations"], n.type])
    writer = csv.writer(edge_file)
    writer.writerow([":START_ID", ":END_ID", ":TYPE", "uid", "properties", "citations"])
    for e in edges:
        fields = edge_fields(e)
        writer.writerow([e.source, e.target, e.type, e.uid, fields["properties"],
                         fields["citations"]])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("nodes.csv", node_file.getvalue())
        archive.writestr("relationships.csv", edge_file.getvalue())
        archive.writestr("README.txt", NEO4J_IMPORT_README)
    return buffer.getvalue()


ORG = "http://www.w3.org/ns/org#"
VOCAB = "urn:govgraph:vocab#"
# Where the W3C Organization Ontology fits: organisations, sites, sub-organisations,
# memberships and posts; the rest keeps govgraph's own terms.
ORG_CLASSES = {
    **dict.fromkeys(BODIES, "org:Organization"),
    "PropertyCompany": "org:FormalOrganization",
    "GovernmentDepartment": "org:FormalOrganization",
    "WorkingGroup": "org:OrganizationalUnit",
    **dict.fromkeys(PLACES, "org:Site"),
    "Person": "foaf:Person",
    "Source": "prov:Entity",
}
ORG_PROPERTIES = {
    "SUBORDINATE_TO": "org:subOrganizationOf",
    "MEMBER_OF": "org:memberOf",
    "LOCATED_IN": "org:basedAt",
}


def _linked(e: Edge, graph: nx.MultiDiGraph) -> str:
    if e.type == "PART_OF":
        both_bodies = all(graph.nodes[u]["type"] in BODIES for u in (e.source, e.target))
        return "org:subOrganizationOf" if both_bodies else "gg:PART_OF"
    return ORG_PROPERTIES.get(e.type, f"gg:{e.type}")


def jsonld(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """JSON-LD: each node a resource typed by the org: class that fits; relationships as org:
    properties where they fit; posts (HOLDS_POST) as org:Post with org:heldBy and org:postIn;
    sources as prov:wasDerivedFrom."""
    nodes, edges = _items(graph)
    resources: dict[str, dict[str, Any]] = {}
    for n in nodes:
        resources[n.uid] = {
            "@id": f"urn:govgraph:{n.uid}",
            "@type": [ORG_CLASSES.get(n.type, "rdfs:Resource"), f"gg:{n.type}"],
            "skos:prefLabel": {"@value": n.name, "@language": "zh"},
            "gg:typeName": {"@value": zh_name(n.type), "@language": "zh"},
            "gg:properties": dumps(n.properties),
            "prov:wasDerivedFrom": [{"@id": f"urn:govgraph:{s}"} for s in n.sources],
        }
    posts = []
    for e in edges:
        if e.type == "HOLDS_POST":
            posts.append({
                "@id": f"urn:govgraph:post:{e.uid}", "@type": "org:Post",
                "skos:prefLabel": {"@value": e.properties.get("post", zh_name(e.type)),
                                   "@language": "zh"},
                "org:heldBy": {"@id": f"urn:govgraph:{e.source}"},
                "org:postIn": {"@id": f"urn:govgraph:{e.target}"},
                "prov:wasDerivedFrom": [{"@id": f"urn:govgraph:{s}"} for s in e.sources],
            })
            continue
        resources[e.source].setdefault(_linked(e, graph), []).append(
            {"@id": f"urn:govgraph:{e.target}"})
    return {
        "@context": {"org": ORG, "skos": "http://www.w3.org/2004/02/skos/core#",
                     "prov": "http://www.w3.org/ns/prov#", "foaf": "http://xmlns.com/foaf/0.1/",
                     "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "gg": VOCAB},
        "@graph": [*resources.values(), *posts],
    }


def filtered(graph: nx.MultiDiGraph, text_filter: TextFilter) -> nx.MultiDiGraph:
    """The graph with ``text_filter`` applied to every text in it (uids, names, properties,
    evidence), before any format encodes it."""
    def clean(value: Any) -> Any:
        return json.loads(text_filter(json.dumps(value, ensure_ascii=False)))

    copy = nx.MultiDiGraph()
    for uid in graph.nodes:
        copy.add_node(text_filter(uid), **clean(node_of(graph, uid).model_dump(exclude={"uid"})))
    for u, v, key in graph.edges(keys=True):
        edge = edge_of(graph, u, v, key)
        copy.add_edge(text_filter(u), text_filter(v), key=text_filter(edge.uid),
                      **clean(edge.model_dump(exclude={"uid", "source", "target"})))
    return copy


def export(graph: nx.MultiDiGraph, format_name: str, text_filter: TextFilter | None = None
           ) -> bytes:
    """The graph in one of FORMATS, as UTF-8 bytes (a zip for csv); ``text_filter`` is applied to
    every text of the graph first (it masks people's names for those without the right)."""
    if text_filter is not None:
        graph = filtered(graph, text_filter)
    if format_name == "graphml":
        return graphml(graph).encode("utf-8")
    if format_name == "json":
        return json.dumps(node_link(graph), ensure_ascii=False, indent=1,
                          sort_keys=True).encode("utf-8")
    if format_name == "csv":
        return neo4j_import_csv(graph)
    if format_name == "jsonld":
        return json.dumps(jsonld(graph), ensure_ascii=False, indent=1,
                          sort_keys=True).encode("utf-8")
    raise ValueError(f"unknown export format {format_name!r}; expected one of "
                     + ", ".join(FORMATS))
