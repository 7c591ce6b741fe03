"""The service layer on a fake store held in memory: the questions, their limits and the
caller's rights, with no file and no server."""

import pytest

from govgraph.graph.storage import InvalidQuery, NodeNotFound
from govgraph.service.core import LIMITS, Service
from tests.conftest import seed_batch
from tests.fakes import MemoryStore

GONGHANG = "compound:久安社区.工行小区"
PERSON = "person:工行小区.赵鸿翔"
LIANHUA = "street:福田区.莲花街道"


@pytest.fixture(scope="module")
def store():
    memory = MemoryStore()
    memory.upsert(seed_batch())
    return memory


def test_the_catalogue_answers_on_the_fake_store(store):
    service = Service(store, personal=True)
    gaps = service.gaps("compound-without-owners-committee")
    assert {h.compound.name for h in gaps.hits} == {"工行小区", "泛华盛世小区"}
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



def test_a_refused_load_does_not_show_stored_names_to_a_caller_without_the_right(store,
                                                                                tmp_path):
    from govgraph.graph.model import InvalidInput

    record = tmp_path / "rename.yaml"
    record.write_text("source: {uid: source:更正, title: 更正}\nactors:\n"
                      "  - {uid: 'person:工行小区.赵鸿翔', type: Person, name: 赵某}\n",
                      encoding="utf-8")
    for personal, shown in ((True, "赵鸿翔"), (False, "赵**")):
        with pytest.raises(InvalidInput) as raised:
            Service(store, personal=personal).ingest([record], check_report=False)
        text = "\n".join(map(str, raised.value.problems))
        assert shown in text and (personal or "赵鸿翔" not in text), text
