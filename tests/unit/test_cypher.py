"""Every Cypher statement the Neo4j store can send, checked by Neo4j's own front-end."""

import json
import shutil
import subprocess

import pytest

from govgraph.graph.storage import neo4j_queries as q
from govgraph.graph.vocabulary import NODE_TYPES, RELATIONSHIP_TYPES
from tests.conftest import ROOT

LINTER = ROOT / "tools" / "cypher-lint"
SCHEMA = {
    "labels": [*NODE_TYPES, q.STATEMENTS, q.EDITION, q.REVISION],
    "relationshipTypes": list(RELATIONSHIP_TYPES),
    "propertyKeys": ["uid", "name", "search", "properties", "citations", "from_uid", "to_uid",
                     "body", "edition_key", "source", "as_of", "uids", "id", "token"],
}


def lint(statements: list[q.Statement]) -> list[dict]:
    node = shutil.which("node")
    assert node, "Node.js is needed to check Cypher; scripts/setup.sh installs it"
    assert (LINTER / "node_modules").is_dir(), "run scripts/setup.sh (npm ci in tools/cypher-lint)"
    payload = {"schema": SCHEMA, "statements": [
        {"text": s.text, "parameters": s.parameters} for s in statements]}
    done = subprocess.run([node, "lint.mjs"], cwd=LINTER, input=json.dumps(payload),
                          capture_output=True, text=True, timeout=600, check=True)
    return json.loads(done.stdout)


def test_every_statement_passes_neo4j_cypher_front_end_without_errors_or_warnings():
    statements = q.all_statements()
    assert len(statements) > 100
    results = lint(statements)
    flagged = [(r["text"], r["diagnostics"]) for r in results if r["diagnostics"]]
    assert flagged == []


def test_the_check_catches_an_invalid_or_deprecated_statement():
    broken = [
        q.Statement(q.nodes_by_uid("Compound").replace("RETURN", "RETRUN"), {"uids": []}),
        q.Statement(q.COUNT_NODES.replace("labels(n)[0]", "id(n)")),
        q.Statement(q.nodes_by_uid("Compound").replace("$uids", "$missing"), {"uids": []}),
        q.Statement(q.ALL_PLACES.replace("Building", "Bilding")),
    ]
    results = lint(broken)
    assert [r["diagnostics"][0]["severity"] for r in results] == [
        "error", "warning", "error", "warning"]
    assert "deprecated" in results[1]["diagnostics"][0]["message"]


def test_schema_file_is_generated_from_the_vocabulary():
    written = (ROOT / "graph" / "schema.cypher").read_text(encoding="utf-8")
    assert written == q.schema_cypher(), \
        "run: python -m govgraph.graph.storage.neo4j_queries > graph/schema.cypher"


def test_labels_and_relationship_types_only_come_from_the_vocabulary():
    for bad in ("Compound) DETACH DELETE (n", "compound", "Foo"):
        with pytest.raises(ValueError, match="vocabulary"):
            q.nodes_by_uid(bad)
        with pytest.raises(ValueError, match="vocabulary"):
            q.write_edges(bad)
