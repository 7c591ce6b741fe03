"""The service layer on a read-only store held in memory: the questions, their limits and the
caller's rights, with no file and no server."""

import pytest

from govgraph.graph.storage import InvalidQuery, NodeNotFound
from govgraph.graph.storage.embedded import EmbeddedStore
from govgraph.service.core import LIMITS, Service
from tests.conftest import as_of_view, seed_batch

GONGHANG = "compound:久安社区.工行小区"
PERSON = "person:工行小区.赵鸿翔"
LIANHUA = "street:福田区.莲花街道"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The seed graph as of today, derived from the statements and held in memory."""
    with EmbeddedStore(tmp_path_factory.mktemp("base") / "store.db") as base:
        base.load(seed_batch())
        yield as_of_view(base, "2099-01-01")


def test_the_catalogue_answers_on_the_fake_store(store):
    service = Service(store, personal=True)
    gaps = service.gaps("compound-without-owners-committee")
    assert gaps.hits == [] and gaps.not_recorded == []  # 工行小区's 物管会 counts, by default
    strict = service.gaps("compound-without-owners-committee",
                          parameters={"management_committee_counts": 0})
    assert [(h.compound.name, h.reasons) for h in strict.hits] == [
        ("工行小区", ["未成立业委会,由物管会(工行小区物管会)代行"])]
    assert strict.definition.parameters["management_committee_counts"].value == 0
    lianhua = {r.name: r for r in service.coverage(LIANHUA).ratios}
    assert lianhua["owners-committee-formation"].ratio == 1.0
    assert service.path(GONGHANG, GONGHANG).nodes[0].uid == GONGHANG
    assert service.search("gonghang")[0][0].uid == GONGHANG


def test_every_limit_is_checked_where_every_caller_meets_it(store):
    service = Service(store, personal=True)
    for ask in (lambda: service.tree(LIANHUA, "admin", LIMITS.tree_depth + 1),
                lambda: service.neighbourhood(GONGHANG, LIMITS.neighbourhood_depth + 1),
                lambda: service.neighbourhood(GONGHANG, 1, limit=LIMITS.neighbourhood_nodes + 1),
                lambda: service.path(GONGHANG, LIANHUA, LIMITS.path_hops + 1),
                lambda: service.network(LIANHUA, depth=LIMITS.network_depth + 1),
                lambda: service.search("社区", limit=LIMITS.page + 1)):
        with pytest.raises(InvalidQuery, match="expected"):
            ask()
    assert service.tree(LIANHUA, "admin", LIMITS.tree_depth).node.uid == LIANHUA


def test_without_the_personal_right_names_are_masked_and_people_hidden(store):
    service = Service(store, personal=False)
    around = service.neighbourhood("party:久安社区.工行小区.小区党支部", 1)
    names = {n.name for n in around.nodes}
    assert "赵**" in names and "赵鸿翔" not in names
    assert "赵鸿翔" not in service.export("json").data.decode("utf-8")
    assert "赵鸿翔" not in service.network_page(GONGHANG)
    assert service.search("zhaohongxiang") == ([], 0)
    assert service.search("赵鸿翔", types=["Person"]) == ([], 0)
    assert Service(store, personal=True).search("赵鸿翔", types=["Person"])[1] == 1
    for ask in (lambda: service.node_detail(PERSON), lambda: service.path(PERSON, GONGHANG),
                lambda: service.node_detail("person:工行小区.不存在")):
        with pytest.raises(NodeNotFound) as raised:
            ask()
        assert str(raised.value) == "no node with uid 'person:…'"  # the same, whoever exists
    assert Service(store, personal=True).node_detail(PERSON).name == "赵鸿翔"



def test_a_person_named_otherwise_is_a_disagreement_only_the_right_shows(tmp_path):
    record = tmp_path / "rename.yaml"
    record.write_text("source: {uid: source:更正, title: 更正, date: 2024-02-01}\nactors:\n"
                      "  - {uid: 'person:工行小区.赵鸿翔', type: Person, name: 赵某}\n",
                      encoding="utf-8")
    with EmbeddedStore(tmp_path / "store.db") as base:
        base.load(seed_batch())
        Service(base, personal=True).ingest([record], check_report=False)
        (conflict,) = Service(base, personal=True).conflicts()
        assert [v.value for v in conflict.values] == ["赵某", "赵鸿翔"]
        assert conflict.values[0].current and conflict.field_zh == "名称"
        assert Service(base, personal=False).conflicts() == []
        with pytest.raises(NodeNotFound):
            Service(base, personal=False).history(PERSON)


def test_a_name_is_masked_in_answers_as_of_a_date_before_its_person_was_recorded(tmp_path):
    record = tmp_path / "early.yaml"
    record.write_text(  # names 赵鸿翔 in its evidence, a year before the report that adds him
        "source: {uid: source:早期, title: 早期报道, date: 2022-01-01}\n"
        "actors:\n  - {uid: 'compound:久安社区.工行小区', type: Compound, name: 工行小区,"
        " evidence: 原工行办公室主任赵鸿翔带头}\n", encoding="utf-8")
    with EmbeddedStore(tmp_path / "store.db") as base:
        base.load(seed_batch())
        Service(base, personal=True).ingest([record], check_report=False)
        then = Service(base, personal=False).at("2022-06-01")
        assert then.stats().nodes.get("Person") is None  # no person recorded yet
        detail = then.node_detail(GONGHANG).model_dump_json()
        assert "赵**" in detail and "赵鸿翔" not in detail
        assert "赵鸿翔" in Service(base, personal=True).at("2022-06-01").node_detail(
            GONGHANG).model_dump_json()


def test_parameters_tried_one_after_another_do_not_grow_what_profiles_keep(tmp_path,
                                                                           monkeypatch):
    """Profiles keep what rules answered with a few (rule, parameters) only: past that, a
    threshold tried after another is answered alike, and not kept."""
    from govgraph.graph import rules

    with EmbeddedStore(tmp_path / "store.db") as store:
        store.load(seed_batch())
        service = Service(store, personal=True)
        service.prepare()
        profiles = store.profiles(None, [])
        kept = sum(len(p.answers) for p in profiles)
        monkeypatch.setattr(rules, "KEPT_ANSWERS", len(rules._KEYS))
        found = [len(service.gaps("committee-low-party-share",
                                  parameters={"threshold": t}).hits)
                 for t in (31.5, 41.5, 31.5)]  # thresholds no other test asks with
        assert sum(len(p.answers) for p in profiles) == kept
    assert found == [0, 1, 0]
