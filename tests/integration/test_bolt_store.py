"""The Neo4j store on every Bolt server there is, through the `govgraph` command as a user runs it:
the same answers as the embedded store; a schema statement the server refuses is skipped with one
warning."""

import logging

import pytest

from govgraph.graph.rules import GAP_RULES
from govgraph.graph.storage import neo4j_queries as q
from govgraph.graph.storage.neo4j import Neo4jStore
from govgraph.service.core import Service
from tests.conftest import BOLT_SERVERS, CASES, Cli, seed_batch

LIANHUA = "street:福田区.莲花街道"
GONGHANG = "compound:久安社区.工行小区"
# Neo4j's CJK full-text index: ArcadeDB refuses it ("Only standard, RANGE and TEXT index types")
FULLTEXT = ("CREATE FULLTEXT INDEX node_names IF NOT EXISTS FOR (n:Compound) ON EACH [n.name] "
            "OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}")

QUESTIONS = [
    ("stats",), ("search", "gonghang"), ("search", "社区", "--limit", "50"),
    ("show", GONGHANG), ("coverage",), ("coverage", "--scope", LIANHUA),
    *(("gaps", rule) for rule in GAP_RULES), ("gaps", "troika-incomplete", "--scope", LIANHUA),
    ("tree", LIANHUA), ("tree", GONGHANG, "--line", "party"),
    ("path", GONGHANG, "compound:离石区.泛华盛世小区"), ("projects", "--scope", LIANHUA),
    ("neighbours", GONGHANG, "--depth", "2"),
]


@pytest.fixture(params=BOLT_SERVERS)
def bolt(request, monkeypatch):
    """A Bolt server's settings in the environment, as a user sets them, its database empty."""
    settings = request.getfixturevalue(f"{request.param}_settings")
    for key, value in (("URI", settings.uri), ("USER", settings.user),
                       ("PASSWORD", settings.password), ("DATABASE", settings.database)):
        monkeypatch.setenv(f"NEO4J_{key}", value)
    with Neo4jStore(settings) as store:
        store.delete_everything()
    return settings


def test_the_command_answers_on_a_bolt_server_as_on_the_embedded_store(bolt, tmp_path):
    embedded, served = Cli(tmp_path / "store.db"), Cli(bolt.uri)
    for cli in (embedded, served):
        loaded = cli.json("load", str(CASES))
        assert loaded["files"] == 5
    for question in QUESTIONS:
        assert served.json(*question) == embedded.json(*question), question


def test_a_schema_statement_the_server_refuses_is_skipped_with_one_warning(
        arcadedb_settings, monkeypatch, caplog):
    schema = q.schema_statements()
    monkeypatch.setattr(q, "schema_statements", lambda: [*schema, FULLTEXT])
    with caplog.at_level(logging.WARNING, logger="govgraph.graph.storage.neo4j"):
        Neo4jStore(arcadedb_settings).close()
        with Neo4jStore(arcadedb_settings) as store:  # opened again: no second warning
            store.delete_everything()
            store.load(seed_batch())
            assert Service(store, personal=True).search("gonghang")[0][0].uid == GONGHANG
    warned = [r.getMessage() for r in caplog.records]
    assert len(warned) == 1 and "FULLTEXT" in warned[0] and "works without it" in warned[0]


def test_a_database_that_does_not_exist_makes_the_store_unavailable(arcadedb_settings):
    from govgraph.graph.storage import StoreUnavailable

    with pytest.raises(StoreUnavailable, match="no-such-database"):
        Neo4jStore(arcadedb_settings.model_copy(update={"database": "no-such-database"}))
