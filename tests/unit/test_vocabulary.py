import re

from govgraph.graph.vocabulary import NODE_TYPES, RELATIONSHIP_TYPES
from tests.conftest import ROOT


def test_relationships_join_known_types():
    for rel in RELATIONSHIP_TYPES.values():
        assert rel.sources and rel.targets, rel.name
        assert rel.sources <= NODE_TYPES.keys(), rel.name
        assert rel.targets <= NODE_TYPES.keys(), rel.name


def test_every_type_has_a_chinese_name_and_a_unique_uid_prefix():
    prefixes = [t.uid_prefix for t in NODE_TYPES.values()]
    assert len(prefixes) == len(set(prefixes))
    for named in [*NODE_TYPES.values(), *RELATIONSHIP_TYPES.values()]:
        assert re.search(r"[\u4e00-\u9fff]", named.zh), named.name


def test_neo4j_schema_has_a_uniqueness_constraint_for_every_node_type():
    schema = (ROOT / "graph" / "schema.cypher").read_text(encoding="utf-8")
    constrained = set(re.findall(r"FOR \(n:(\w+)\) REQUIRE n\.uid IS UNIQUE", schema))
    assert constrained == set(NODE_TYPES)


def test_the_definitions_page_is_generated_from_the_rules():
    """docs/definitions.md says what every rule and ratio counts, as the answers do."""
    from govgraph.graph.rules import definitions_markdown

    page = (ROOT / "docs" / "definitions.md").read_text(encoding="utf-8")
    assert page == definitions_markdown(), \
        "run: python -m govgraph.graph.rules > docs/definitions.md"
