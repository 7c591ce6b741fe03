"""The contract every store keeps: the seed cases loaded, every catalogue question answered the
same way. Expected answers are counted by hand from the five reports."""

import pytest

from graph import catalogue
from graph.storage import InvalidQuery, NodeNotFound
from tests.conftest import STORES, seed_batch

LIANHUA = "street:福田区.莲花街道"
GONGHANG = "compound:久安社区.工行小区"
FANHUA = "compound:离石区.泛华盛世小区"


@pytest.fixture(params=STORES, scope="module")
def store(request, tmp_path_factory):
    if request.param == "embedded":
        from graph.storage.embedded import EmbeddedStore

        opened = EmbeddedStore(tmp_path_factory.mktemp("contract") / "store.db")
    else:
        from graph.storage.neo4j import Neo4jStore

        opened = Neo4jStore(request.getfixturevalue("neo4j_settings"))
        opened.delete_everything()
    summary = opened.upsert(seed_batch())
    assert summary.totals()["created"] > 400
    yield opened
    opened.close()


def names(hits):
    return sorted(h.compound.name for h in hits)


def test_loading_again_changes_nothing(store):
    before = store.stats()
    again = store.upsert(seed_batch())
    assert again.totals()["created"] == again.totals()["updated"] == 0
    assert store.stats() == before


def test_every_type_the_reports_mention_is_counted(store):
    stats = store.stats()
    assert stats.nodes["Compound"] == 9 and stats.nodes["Person"] == 1
    assert stats.nodes["Source"] == 5
    assert sum(stats.nodes.values()) == len(seed_batch().nodes)
    assert sum(stats.edges.values()) == len(seed_batch().edges)


def test_compounds_lacking_a_committee_branch(store):
    answer = catalogue.gaps(store, "compound-without-committee-branch")
    assert answer.title == "业委会(物管会)未建党组织"
    assert names(answer.hits) == sorted(
        ["宝欣苑一村", "宝欣苑四村", "市政大院", "深业花园", "怡枫园", "工行小区", "泛华盛世小区"])
    by_name = {h.compound.name: h for h in answer.hits}
    assert by_name["泛华盛世小区"].reasons == ["未记录业委会或物管会,故无业委会党组织"]
    assert by_name["工行小区"].reasons == ["工行小区物管会未记录党支部或党的工作小组"]
    assert [p.name for p in by_name["怡枫园"].place] == ["景华社区", "莲花街道", "福田区", "深圳市"]
    assert answer.compounds_checked == 10  # 宝欣苑八村's "两个小区" count twice


def test_gaps_in_a_scope(store):
    answer = catalogue.gaps(store, "compound-without-committee-branch", LIANHUA)
    assert answer.scope.name == "莲花街道"
    assert names(answer.hits) == ["市政大院", "怡枫园", "深业花园"]
    assert answer.compounds_checked == 3


def test_owners_committee_and_property_service_gaps_say_what_stands_in(store):
    committee = catalogue.gaps(store, "compound-without-owners-committee")
    assert {h.compound.name: h.reasons for h in committee.hits} == {
        "工行小区": ["未记录业委会,由物管会(工行小区物管会)代行"],
        "泛华盛世小区": ["未记录业委会,也未记录物管会"],
    }
    service = catalogue.gaps(store, "compound-without-property-service")
    reasons = {h.compound.name: h.reasons for h in service.hits}
    assert reasons["工行小区"] == ["未记录物业服务企业,实行自办物业"]
    assert "泛华盛世小区" not in reasons  # 泛华物业公司


def test_troika(store):
    answer = catalogue.gaps(store, "troika-incomplete", "district:吕梁市.离石区")
    assert {h.compound.name: h.reasons for h in answer.hits} == {
        "工行小区": ["缺业委会(物管会工行小区物管会代行)"],
        "泛华盛世小区": ["缺业委会"],
    }


def test_committee_party_share_with_a_threshold(store):
    default = catalogue.gaps(store, "committee-low-party-share")
    assert [(h.compound.name, h.reasons) for h in default.hits] == [
        ("宝欣苑八村居民区所辖小区", ["业委会(宝欣苑八村居民区两个小区)党员委员占比40%,低于50%"])]
    assert len(default.not_recorded) == 6
    assert catalogue.gaps(store, "committee-low-party-share", parameters={"threshold": "30"}
                          ).hits == []


def test_coverage_ratios_match_a_count_by_hand(store):
    ratios = {r.name: r for r in catalogue.coverage(store).ratios}
    assert (ratios["party-organization-coverage"].numerator,
            ratios["party-organization-coverage"].denominator) == (3, 10)
    assert (ratios["owners-committee-formation"].numerator,
            ratios["owners-committee-formation"].denominator) == (8, 10)
    red = ratios["red-committee-share"]
    assert (red.numerator, red.denominator, red.not_recorded) == (4, 4, 4)
    lianhua = {r.name: r for r in catalogue.coverage(store, LIANHUA).ratios}
    assert lianhua["party-organization-coverage"].ratio == pytest.approx(1 / 3, abs=1e-4)
    assert lianhua["owners-committee-formation"].ratio == 1.0


def test_party_line_of_gonghang(store):
    tree = store.tree(GONGHANG, "party", 5)
    chain = []
    while tree.children:
        (tree,) = tree.children
        chain.append((tree.node.kind, tree.node.count, tree.relation))
    assert chain == [("支部", 1, "建在"), ("党小组", 3, "上级党组织"),
                     ("党员中心户", 9, "上级党组织")]


def test_administrative_tree_is_depth_limited(store):
    tree = store.tree(LIANHUA, "admin", 1)
    communities = {c.node.name: c.truncated for c in tree.children}
    assert communities == {"景华社区": True, "狮岭社区": True, "福中社区": True, "梅富社区": False}
    assert all(not c.children for c in tree.children)


def test_neighbourhood_and_path(store):
    around = store.neighbourhood(GONGHANG, 1)
    assert {n.name for n in around.nodes} >= {"久安社区", "工行小区党支部", "工行小区物管会"}
    only = store.neighbourhood(GONGHANG, 1, ["PART_OF"])
    assert [n.uid for n in only.nodes] == sorted(
        [GONGHANG, "community:凤山街道.久安社区", "building:工行小区.楼栋"])
    assert {e.type for e in only.edges} == {"PART_OF"}
    path = store.path(GONGHANG, FANHUA)
    assert [path.nodes[0].uid, path.nodes[-1].uid] == [GONGHANG, FANHUA]
    assert len(path.edges) == 3
    assert store.path(GONGHANG, "compound:朝西社区.俊景苑") is None  # different cities
    itself = store.path(GONGHANG, GONGHANG)
    assert [n.uid for n in itself.nodes] == [GONGHANG] and itself.edges == []


def test_projects_with_who_initiated_and_implemented_them(store):
    found = {p.project.name: p for p in store.projects(LIANHUA)}
    gate = found["小区东南门及沿路绿化升级改造"]
    assert [a.name for a in gate.initiated_by] == ["深业花园党支部"]
    assert gate.status == "已完成"
    elevators = found["加装电梯"]
    assert {"value": 22, "unit": "台"} in elevators.figures.values()


def test_search_in_chinese_and_pinyin(store):
    assert store.search("gonghang")[0].uid == GONGHANG
    assert store.search("工行小区", types=["Compound"])[0].uid == GONGHANG


def test_bad_questions(store):
    with pytest.raises(NodeNotFound):
        store.tree("compound:无.无")
    with pytest.raises(InvalidQuery, match="expected the uid of a place"):
        catalogue.coverage(store, "party:久安社区.工行小区.小区党支部")
    with pytest.raises(InvalidQuery, match="threshold"):
        catalogue.gaps(store, "committee-low-party-share", parameters={"threshold": "120"})
    with pytest.raises(InvalidQuery, match="no gap rule"):
        catalogue.gaps(store, "compound-without-mayor")
