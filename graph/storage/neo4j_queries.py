"""Every Cypher statement the Neo4j store sends: constants, and small builders for the ones that
name a label or relationship type (those come only from the vocabulary, never from input).

``all_statements()`` lists each statement with each variant and its parameters, so a test can run
all of them through Neo4j's own Cypher front-end. ``python -m govgraph.graph.storage.neo4j_queries``
prints the schema that ``graph/schema.cypher`` holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from govgraph.graph.vocabulary import NODE_TYPES, PLACES, RELATIONSHIP_TYPES

# What a node or relationship comes back as (properties and citations are JSON text).
NODE_FIELDS = ".uid, .name, .properties, .citations, type: labels({v})[0], id: elementId({v})"
REL_FIELDS = ".uid, .properties, .citations, type: type({v})"
PLACE_LABELS = "|".join(sorted(PLACES))
GRAPH_LABELS = "|".join(NODE_TYPES)
# what the graph is derived from (graph.editions): kept as nodes of their own labels, linked to
# nothing, so no question of the graph ever meets them
STATEMENTS = "GovgraphStatements"
EDITION = "GovgraphEdition"
# one node whose token every write transaction replaces: what answers are kept by
REVISION = "GovgraphRevision"


def label(name: str) -> str:
    """A node label, checked against the vocabulary."""
    if name not in NODE_TYPES:
        raise ValueError(f"{name!r} is not a node type of the vocabulary")
    return name


def relationship(name: str) -> str:
    """A relationship type, checked against the vocabulary."""
    if name not in RELATIONSHIP_TYPES:
        raise ValueError(f"{name!r} is not a relationship type of the vocabulary")
    return name


def _node(v: str) -> str:
    return f"{v} {{{NODE_FIELDS.format(v=v)}}}"


def _rel(v: str) -> str:
    return f"{v} {{{REL_FIELDS.format(v=v)}}}"


def schema_statements() -> list[str]:
    """Constraints and indexes, all idempotent (IF NOT EXISTS)."""
    statements = [
        f"CREATE CONSTRAINT {t.uid_prefix}_uid IF NOT EXISTS "
        f"FOR (n:{t.name}) REQUIRE n.uid IS UNIQUE"
        for t in NODE_TYPES.values()
    ]
    statements += [
        f"CREATE INDEX {r.name.lower()}_uid IF NOT EXISTS FOR ()-[r:{r.name}]-() ON (r.uid)"
        for r in RELATIONSHIP_TYPES.values()
    ]
    statements += [
        f"CREATE INDEX {t.uid_prefix}_name IF NOT EXISTS FOR (n:{t.name}) ON (n.name)"
        for t in NODE_TYPES.values()
    ]
    # text indexes serve `search CONTAINS $query` (names, pinyin, initials), exactly the match
    # the embedded store makes; a server without them still answers, by scanning
    statements += [
        f"CREATE TEXT INDEX {t.uid_prefix}_search IF NOT EXISTS FOR (n:{t.name}) ON (n.search)"
        for t in NODE_TYPES.values()
    ]
    statements += [
        f"CREATE CONSTRAINT statements_uid IF NOT EXISTS FOR (s:{STATEMENTS}) "
        "REQUIRE s.uid IS UNIQUE",
        f"CREATE INDEX statements_from IF NOT EXISTS FOR (s:{STATEMENTS}) ON (s.from_uid)",
        f"CREATE INDEX statements_to IF NOT EXISTS FOR (s:{STATEMENTS}) ON (s.to_uid)",
        f"CREATE CONSTRAINT edition_key IF NOT EXISTS FOR (e:{EDITION}) "
        "REQUIRE e.edition_key IS UNIQUE",
        f"CREATE INDEX edition_source IF NOT EXISTS FOR (e:{EDITION}) ON (e.source)",
        f"CREATE CONSTRAINT revision_id IF NOT EXISTS FOR (r:{REVISION}) REQUIRE r.id IS UNIQUE",
    ]
    return statements


def schema_cypher() -> str:
    header = (
        "// Neo4j schema of govgraph, applied idempotently when the Neo4j store opens.\n"
        "// Generated from graph/vocabulary.py by\n"
        "// `python -m govgraph.graph.storage.neo4j_queries`;\n"
        "// tests/unit/test_cypher.py fails when it is out of date.\n"
        "// A uniqueness constraint on every node type's uid, an index on every relationship\n"
        "// type's uid, name indexes for look-ups, text indexes for search by name or pinyin;\n"
        "// look-ups of the statements and editions the graph is derived from.\n"
        "// A statement the server does not support is skipped with a warning.\n\n"
    )
    return header + "".join(f"{s};\n" for s in schema_statements())


def nodes_by_uid(type_name: str) -> str:
    return (f"MATCH (n:{label(type_name)}) WHERE n.uid IN $uids "
            f"RETURN {_node('n')} AS node")


def search(types: list[str]) -> str:
    """(uid, name) of the nodes of ``types`` (all when empty) whose search key contains $query:
    one match per label, so a server's text index on that label serves it."""
    return " UNION ALL ".join(
        f"MATCH (n:{label(t)}) WHERE n.search CONTAINS $query RETURN n.uid AS uid, n.name AS name"
        for t in (types or list(NODE_TYPES)))


def nodes_of_type(type_name: str) -> str:
    return f"MATCH (n:{label(type_name)}) RETURN {_node('n')} AS node ORDER BY node.uid"


def edges_by_uid(type_name: str) -> str:
    return (f"MATCH (s)-[r:{relationship(type_name)}]->(t) WHERE r.uid IN $uids "
            f"RETURN s.uid AS source, {_rel('r')} AS rel, t.uid AS target")


def write_nodes(type_name: str) -> str:
    return (f"UNWIND $rows AS row MERGE (n:{label(type_name)} {{uid: row.uid}}) "
            "SET n.name = row.name, n.search = row.search, n.properties = row.properties, "
            "n.citations = row.citations")


def write_edges(type_name: str) -> str:
    """Ends are found by element id (looked up in the same transaction), so one statement per
    relationship type serves every pair of end labels."""
    return ("UNWIND $rows AS row "
            "MATCH (s) WHERE elementId(s) = row.source_id "
            "MATCH (t) WHERE elementId(t) = row.target_id "
            f"MERGE (s)-[r:{relationship(type_name)} {{uid: row.uid}}]->(t) "
            "SET r.properties = row.properties, r.citations = row.citations")


def delete_nodes(type_name: str) -> str:
    return f"MATCH (n:{label(type_name)}) WHERE n.uid IN $uids DETACH DELETE n"


def delete_edges(type_name: str) -> str:
    return f"MATCH ()-[r:{relationship(type_name)}]->() WHERE r.uid IN $uids DELETE r"


STATEMENTS_BY_UID = f"MATCH (s:{STATEMENTS}) WHERE s.uid IN $uids RETURN s.body AS body"
STATEMENT_EDGES_AT = (
    f"MATCH (s:{STATEMENTS}) WHERE s.from_uid IN $uids RETURN s.uid AS uid UNION "
    f"MATCH (s:{STATEMENTS}) WHERE s.to_uid IN $uids RETURN s.uid AS uid")
ALL_STATEMENTS = f"MATCH (s:{STATEMENTS}) RETURN s.body AS body"
STATEMENTS_OF_PREFIX = (f"MATCH (s:{STATEMENTS}) WHERE s.uid STARTS WITH $prefix "
                        "RETURN s.body AS body")
WRITE_STATEMENTS = (f"UNWIND $rows AS row MERGE (s:{STATEMENTS} {{uid: row.uid}}) "
                    "SET s.from_uid = row.from_uid, s.to_uid = row.to_uid, s.body = row.body")
DELETE_STATEMENTS = f"MATCH (s:{STATEMENTS}) WHERE s.uid IN $uids DELETE s"
EDITIONS_OF = f"MATCH (e:{EDITION}) WHERE e.source IN $sources RETURN e.body AS body"
EDITION_UIDS = f"MATCH (e:{EDITION}) WHERE e.edition_key = $key RETURN e.uids AS uids"
ALL_EDITIONS = f"MATCH (e:{EDITION}) RETURN e.body AS body ORDER BY e.source, e.as_of"
WRITE_EDITIONS = (f"UNWIND $rows AS row MERGE (e:{EDITION} {{edition_key: row.edition_key}}) "
                  "SET e.source = row.source, e.as_of = row.as_of, e.body = row.body, "
                  "e.uids = row.uids")
DELETE_EDITIONS = f"MATCH (e:{EDITION}) WHERE e.edition_key IN $keys DELETE e"
NEW_REVISION = f"MERGE (r:{REVISION} {{id: 1}}) SET r.token = $token"
READ_REVISION = f"MATCH (r:{REVISION} {{id: 1}}) RETURN r.token AS token"

_EXPAND_PATTERNS = {"in": "(n)<-[r]-(m)", "out": "(n)-[r]->(m)", "both": "(n)-[r]-(m)"}


def expand(direction: str) -> str:
    """The relationships (of $types; all when null) at the nodes of element ids $ids."""
    return ("UNWIND $ids AS id MATCH (n) WHERE elementId(n) = id "
            f"MATCH {_EXPAND_PATTERNS[direction]} WHERE $types IS NULL OR type(r) IN $types "
            "WITH DISTINCT r WITH r, startNode(r) AS s, endNode(r) AS t "
            f"RETURN {_node('s')} AS source, {_rel('r')} AS rel, {_node('t')} AS target")


ALL_EDGES = f"MATCH (s)-[r]->(t) RETURN s.uid AS source, {_rel('r')} AS rel, t.uid AS target"
ALL_NODES = f"MATCH (n:{GRAPH_LABELS}) RETURN {_node('n')} AS node"
ALL_PLACES = f"MATCH (n:{PLACE_LABELS}) RETURN {_node('n')} AS node"
COUNT_NODES = (f"MATCH (n:{GRAPH_LABELS}) RETURN labels(n)[0] AS type, count(*) AS count "
               "ORDER BY type")
COUNT_EDGES = "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS count ORDER BY type"
DELETE_EVERYTHING = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"


@dataclass(frozen=True)
class Statement:
    text: str
    parameters: dict[str, Any] = field(default_factory=dict)


def all_statements() -> list[Statement]:
    """Every statement the Neo4j store can send, each variant once, with example parameters."""
    uids = {"uids": ["x:1"]}
    row = {"uid": "x:1", "name": "n", "search": "n", "properties": "{}", "citations": "[]"}
    edge_row = {"uid": "e", "source_id": "4:a:1", "target_id": "4:a:2", "properties": "{}",
                "citations": "[]"}
    statements = [Statement(s) for s in schema_statements()]
    for type_name in NODE_TYPES:
        statements += [Statement(nodes_by_uid(type_name), uids),
                       Statement(nodes_of_type(type_name)),
                       Statement(write_nodes(type_name), {"rows": [row]}),
                       Statement(delete_nodes(type_name), uids)]
    for type_name in RELATIONSHIP_TYPES:
        statements += [Statement(edges_by_uid(type_name), uids),
                       Statement(write_edges(type_name), {"rows": [edge_row]}),
                       Statement(delete_edges(type_name), uids)]
    for direction in _EXPAND_PATTERNS:
        statements.append(Statement(expand(direction), {"ids": ["4:a:1"], "types": ["PART_OF"]}))
    statements += [
        Statement(ALL_PLACES),
        Statement(ALL_NODES),
        Statement(ALL_EDGES),
        Statement(search([]), {"query": "jinghua"}),
        Statement(search(["Compound"]), {"query": "jinghua"}),
        Statement(COUNT_NODES),
        Statement(COUNT_EDGES),
        Statement(DELETE_EVERYTHING),
        Statement(STATEMENTS_BY_UID, uids),
        Statement(STATEMENT_EDGES_AT, uids),
        Statement(ALL_STATEMENTS),
        Statement(STATEMENTS_OF_PREFIX, {"prefix": "person:"}),
        Statement(WRITE_STATEMENTS, {"rows": [
            {"uid": "x:1", "from_uid": None, "to_uid": None, "body": "{}"}]}),
        Statement(DELETE_STATEMENTS, uids),
        Statement(EDITIONS_OF, {"sources": ["source:a"]}),
        Statement(EDITION_UIDS, {"key": "source:a@2024-05-31"}),
        Statement(ALL_EDITIONS),
        Statement(WRITE_EDITIONS, {"rows": [{"edition_key": "source:a@2024-05-31",
                                             "source": "source:a", "as_of": "2024-05-31",
                                             "body": "{}", "uids": "[[],[]]"}]}),
        Statement(DELETE_EDITIONS, {"keys": ["source:a@2024-05-31"]}),
        Statement(NEW_REVISION, {"token": "0f1e"}),
        Statement(READ_REVISION),
    ]
    return statements


if __name__ == "__main__":  # pragma: no cover
    print(schema_cypher(), end="")
