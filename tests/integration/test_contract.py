"""The contract every store keeps: the seed cases loaded, every question the service asks of a
store answered the same way. Expected answers are counted by hand from the five reports; beyond
them, every store's whole answer (the same nodes, edges and order) must equal the embedded
store's."""

import json
import os
import subprocess
import sys

import pytest

from govgraph.graph.algorithms import edge_of
from govgraph.graph.rules import GAP_RULES
from govgraph.graph.storage import InvalidQuery, NodeNotFound
from govgraph.service.core import Service
from tests.conftest import CASES, ROOT, seed_batch

LIANHUA = "street:福田区.莲花街道"
GONGHANG = "compound:久安社区.工行小区"
FANHUA = "compound:离石区.泛华盛世小区"


@pytest.fixture(scope="module")
def store(seeded_store):
    return seeded_store


def ask(store):
    """The service layer on ``store``, for a caller with every right."""
    return Service(store, personal=True)


def names(hits):
    return sorted(h.compound.name for h in hits)


def test_every_type_the_reports_mention_is_counted(store):
    stats = store.stats()
    assert stats.nodes["Compound"] == 9 and stats.nodes["Person"] == 1
    assert stats.nodes["Source"] == 5
    assert sum(stats.nodes.values()) == len(seed_batch().node_uids())
    assert sum(stats.edges.values()) == len(seed_batch().edge_uids())


def test_compounds_lacking_a_committee_branch(store):
    """No report says a committee has no party branch: those it names none for are not
    recorded, never gaps."""
    answer = ask(store).gaps("compound-without-committee-branch")
    assert answer.title == "业委会(物管会)未建党组织"
    assert answer.hits == []
    assert names(answer.not_recorded) == sorted(
        ["宝欣苑一村", "宝欣苑四村", "市政大院", "深业花园", "工行小区", "泛华盛世小区"])
    by_name = {h.compound.name: h for h in answer.not_recorded}
    assert by_name["工行小区"].reasons == ["工行小区物管会未记录党支部或党的工作小组"]
    assert [p.name for p in by_name["市政大院"].place] == ["狮岭社区", "莲花街道", "福田区",
                                                           "深圳市"]
    assert answer.compounds_checked == 10  # 宝欣苑八村's "两个小区" count twice
    assert "未记录" in answer.definition.zh and "not recorded" in answer.definition.en


def test_gaps_in_a_scope(store):
    answer = ask(store).gaps("compound-without-committee-branch", LIANHUA)
    assert answer.scope.name == "莲花街道"
    assert names(answer.not_recorded) == ["市政大院", "深业花园"]  # 怡枫园: 业委会功能型党支部
    assert answer.compounds_checked == 3


def test_a_stand_in_counts_or_not_as_the_city_chooses(store):
    """工行小区 has a 物管会 and 自办物业: by default they count; a city that does not count them
    sees 工行小区 as a gap, the reason saying what stands in."""
    for rule in ("compound-without-owners-committee", "compound-without-property-service",
                 "troika-incomplete"):
        default = ask(store).gaps(rule)
        assert default.hits == [] and default.not_recorded == [], rule
    strict = {"management_committee_counts": 0, "self_managed_counts": 0}
    committee = ask(store).gaps("compound-without-owners-committee",
                                parameters={"management_committee_counts": 0})
    assert {h.compound.name: h.reasons for h in committee.hits} == {
        "工行小区": ["未成立业委会,由物管会(工行小区物管会)代行"]}
    service = ask(store).gaps("compound-without-property-service",
                              parameters={"self_managed_counts": 0})
    assert {h.compound.name: h.reasons for h in service.hits} == {
        "工行小区": ["无物业服务企业,实行自办物业"]}
    troika = ask(store).gaps("troika-incomplete", "district:吕梁市.离石区", strict)
    assert {h.compound.name: h.reasons for h in troika.hits} == {
        "工行小区": ["缺业委会(物管会工行小区物管会代行)", "缺物业服务"]}
    assert troika.definition.parameters["self_managed_counts"].value == 0


def test_the_party_side_of_a_troika_counts_as_the_city_chooses(store):
    """宝欣苑一村 and 四村 record no 小区党支部; the 党支部 that convenes their 三驾马车 counts by
    default, and not for a city that counts only a party organisation set up in the compound."""
    default = ask(store).gaps("compound-without-party-branch")
    assert default.hits == [] and default.not_recorded == []
    strict = ask(store).gaps("compound-without-party-branch", parameters={
        "leading_party_organization_counts": 0, "committee_party_organization_counts": 0,
        "serving_party_organization_counts": 0})
    assert strict.hits == []  # no report says a compound has none
    assert names(strict.not_recorded) == ["俊景苑", "宝欣苑一村", "宝欣苑八村居民区所辖小区",
                                          "宝欣苑四村", "怡枫园"]


def test_committee_party_share_with_a_threshold(store):
    default = ask(store).gaps("committee-low-party-share")
    assert [(h.compound.name, h.reasons) for h in default.hits] == [
        ("宝欣苑八村居民区所辖小区",
         ["业委会(宝欣苑八村居民区两个小区)党员委员占比40%(2个业委会合计),低于50%"])]
    assert len(default.not_recorded) == 6
    assert ask(store).gaps("committee-low-party-share", parameters={"threshold": "30"}
                          ).hits == []
    unpooled = ask(store).gaps("committee-low-party-share",
                               parameters={"pooled_figure_counts": 0})
    assert unpooled.hits == [] and len(unpooled.not_recorded) == 7


def test_coverage_ratios_match_a_count_by_hand(store):
    ratios = {r.name: r for r in ask(store).coverage().ratios}
    counts = {name: (r.numerator, r.recorded_no, r.not_recorded, r.denominator)
              for name, r in ratios.items()}
    assert counts == {
        "party-organization-coverage": (10, 0, 0, 10),
        "owners-committee-formation": (10, 0, 0, 10),  # 工行小区's 物管会 counts
        # 八村 (two, 党的工作小组), 市政大院 (全部由党员担任), 怡枫园 and 俊景苑 (党支部);
        # five say neither branch nor share
        "red-committee-share": (5, 0, 5, 10),
    }
    known = {r.name: r for r in ask(store).coverage(
        parameters={"unrecorded_in_denominator": 0}).ratios}
    assert (known["red-committee-share"].numerator,
            known["red-committee-share"].denominator) == (5, 5)
    assert ratios["red-committee-share"].definition.parameters["threshold"].value == 50
    lianhua = {r.name: r for r in ask(store).coverage(LIANHUA).ratios}
    assert lianhua["red-committee-share"].ratio == pytest.approx(2 / 3, abs=1e-4)
    assert lianhua["owners-committee-formation"].ratio == 1.0


def test_party_line_of_gonghang(store):
    tree = ask(store).tree(GONGHANG, "party", 5)
    chain = []
    while tree.children:
        (tree,) = tree.children
        chain.append((tree.node.kind, tree.node.count, tree.relation))
    assert chain == [("支部", 1, "建在"), ("党小组", 3, "上级党组织"),
                     (None, 9, "上级党组织")]  # 党员中心户: households, not an organisation
    assert tree.node.type == "PartyMemberHousehold"


def test_administrative_tree_is_depth_limited(store):
    tree = ask(store).tree(LIANHUA, "admin", 1)
    communities = {c.node.name: c.truncated for c in tree.children}
    assert communities == {"景华社区": True, "狮岭社区": True, "福中社区": True, "梅富社区": False}
    assert all(not c.children for c in tree.children)


def test_neighbourhood_and_path(store):
    around = ask(store).neighbourhood(GONGHANG, 1)
    assert {n.name for n in around.nodes} >= {"久安社区", "工行小区党支部", "工行小区物管会"}
    only = ask(store).neighbourhood(GONGHANG, 1, ["PART_OF"])
    assert [n.uid for n in only.nodes] == sorted(
        [GONGHANG, "community:凤山街道.久安社区", "building:工行小区.楼栋"])
    assert {e.type for e in only.edges} == {"PART_OF"}
    path = ask(store).path(GONGHANG, FANHUA)
    assert [path.nodes[0].uid, path.nodes[-1].uid] == [GONGHANG, FANHUA]
    assert len(path.edges) == 3
    assert ask(store).path(GONGHANG, "compound:朝西社区.俊景苑") is None  # different cities
    itself = ask(store).path(GONGHANG, GONGHANG)
    assert [n.uid for n in itself.nodes] == [GONGHANG] and itself.edges == []


def test_projects_with_who_initiated_and_implemented_them(store):
    found = {p.project.name: p for p in ask(store).projects(LIANHUA)}
    gate = found["小区东南门及沿路绿化升级改造"]
    assert [a.name for a in gate.initiated_by] == ["深业花园党支部"]
    assert gate.status == "已完成"
    elevators = found["加装电梯"]
    assert {"value": 22, "unit": "台"} in elevators.figures.values()


def test_search_in_chinese_and_pinyin(store):
    assert ask(store).search("gonghang")[0][0].uid == GONGHANG
    assert ask(store).search("工行小区", types=["Compound"])[0][0].uid == GONGHANG


def test_bad_questions(store):
    with pytest.raises(NodeNotFound):
        ask(store).tree("compound:无.无")
    with pytest.raises(InvalidQuery, match="expected the uid of a place"):
        ask(store).coverage("party:久安社区.工行小区.小区党支部")
    with pytest.raises(InvalidQuery, match="threshold"):
        ask(store).gaps("committee-low-party-share", parameters={"threshold": "120"})
    with pytest.raises(InvalidQuery, match="no gap rule"):
        ask(store).gaps("compound-without-mayor")


STREETS = [LIANHUA, "street:宝山区.罗店镇", "street:离石区.凤山街道", "street:东城区.朝阳门街道"]
SCOPES = [None, *STREETS, "district:吕梁市.离石区", "community:凤山街道.久安社区", GONGHANG]
PATHS = [(GONGHANG, FANHUA), ("compound:宝欣苑八村居民区.所辖小区",
                              "compound:罗店镇.宝欣苑四村"),
         (LIANHUA, "compound:景华社区.怡枫园"), (GONGHANG, "person:工行小区.赵鸿翔"),
         (GONGHANG, "compound:朝西社区.俊景苑")]


def dump(answer):
    return None if answer is None else answer.model_dump()


def test_the_uids_these_tests_ask_about_exist(reference):
    asked = {*STREETS, *(s for s in SCOPES if s), *(u for ends in PATHS for u in ends)}
    assert set(reference.get_nodes(asked)) == asked


@pytest.mark.parametrize("scope", SCOPES)
def test_gaps_coverage_and_projects_equal_the_reference(store, reference, scope):
    for rule in GAP_RULES:
        assert dump(ask(store).gaps(rule, scope)) == dump(
            ask(reference).gaps(rule, scope)), rule
    assert dump(ask(store).coverage(scope)) == dump(ask(reference).coverage(scope))
    assert [dump(p) for p in ask(store).projects(scope)] == [
        dump(p) for p in ask(reference).projects(scope)]


@pytest.mark.parametrize("root", [*STREETS, GONGHANG, "district:吕梁市.离石区"])
def test_trees_and_tree_views_equal_the_reference(store, reference, root):
    for line in ("admin", "party"):
        for depth in (1, 5):
            assert dump(ask(store).tree(root, line, depth)) == dump(
                ask(reference).tree(root, line, depth))
        tree, view = ask(store).tree_view(root, line, 5)
        want_tree, want_view = ask(reference).tree_view(root, line, 5)
        assert (dump(tree), dump(view)) == (dump(want_tree), dump(want_view))


@pytest.mark.parametrize("scope", [s for s in SCOPES if s])
def test_scope_views_and_scoped_exports_equal_the_reference(store, reference, scope):
    assert dump(ask(store).scope_view(scope)) == dump(ask(reference).scope_view(scope))
    assert dump(ask(store).scope_view(scope, limit=7)) == dump(
        ask(reference).scope_view(scope, limit=7))
    assert ask(store).export("json", scope) == ask(reference).export("json", scope)


def test_whole_exports_and_look_ups_equal_the_reference(store, reference):
    assert ask(store).export("json") == ask(reference).export("json")
    assert store.stats() == reference.stats()
    for type_name in ("Compound", "PartyOrganization", "Source"):
        assert store.nodes_of_type(type_name) == reference.nodes_of_type(type_name)
    for uid in (GONGHANG, LIANHUA, "person:工行小区.赵鸿翔"):
        assert store.edges_of(uid) == reference.edges_of(uid)


def test_a_scoped_export_holds_the_scope_and_every_edge_among_its_nodes(store):
    whole = store.whole_graph()
    exported = json.loads(ask(store).export("json", LIANHUA).data)
    uids = {n["id"] for n in exported["nodes"]}
    view = ask(store).scope_view(LIANHUA, limit=100_000)
    assert sorted(uids) == [n.uid for n in view.nodes]
    assert len(uids) < len(whole)  # not the whole graph
    among = {edge_of(whole, u, v, k).uid for u, v, k in whole.edges(keys=True)
             if u in uids and v in uids}
    assert {e["key"] for e in exported["links"]} == among == {e.uid for e in view.edges}
    assert "宝欣苑四村" not in {n["name"] for n in exported["nodes"]}


@pytest.mark.parametrize("text", ["gonghang", "社区", "lh", "党支部", "xiaoqu", "工行小区", "无"])
def test_search_pages_equal_the_reference(store, reference, text):
    for types in ([], ["Compound"], ["PartyOrganization", "Community"]):
        for offset in (0, 3):
            found, total = ask(store).search(text, types=types, offset=offset, limit=5)
            want, want_total = ask(reference).search(text, types=types, offset=offset, limit=5)
            assert ([n.uid for n in found], total) == ([n.uid for n in want], want_total)


@pytest.mark.parametrize("ends", PATHS)
def test_paths_equal_the_reference(store, reference, ends):
    for hops in (2, 8, 20):
        assert dump(ask(store).path(*ends, max_hops=hops)) == dump(
            ask(reference).path(*ends, max_hops=hops))
        assert dump(ask(store).path(*reversed(ends), max_hops=hops)) == dump(
            ask(reference).path(*reversed(ends), max_hops=hops))


def test_a_path_is_the_same_in_every_process(tmp_path):
    """Set iteration order changes with PYTHONHASHSEED: the path must not."""
    store = tmp_path / "store.db"
    subprocess.run([sys.executable, "-m", "govgraph", "--store", str(store), "load",
                    str(CASES)], cwd=ROOT, check=True, capture_output=True)
    answers = set()
    for seed in range(5):
        done = subprocess.run(
            [sys.executable, "-m", "govgraph", "--store", str(store), "path", *PATHS[1],
             "--json"], cwd=ROOT, capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)})
        answers.add(done.stdout)
    assert len(answers) == 1
    assert "三驾马车月度议事会" in answers.pop()  # the first by uid of the shortest paths


@pytest.mark.parametrize("uid", [GONGHANG, LIANHUA, "party:久安社区.工行小区.小区党支部"])
def test_neighbourhoods_equal_the_reference(store, reference, uid):
    for depth, types, limit in ((1, None, 500), (2, None, 500), (2, ["PART_OF"], 500),
                                (3, None, 10)):
        assert dump(ask(store).neighbourhood(uid, depth, types, limit)) == dump(
            ask(reference).neighbourhood(uid, depth, types, limit))
