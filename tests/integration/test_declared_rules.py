"""Gap rules declare the facts they read (graph.facts), and every store answers from those
declarations alone: the new rule 小区无党群服务阵地 on the seed cases, and rules declared only here,
about another facility kind and about relationships no other rule reads, added to GAP_RULES with
nothing else changed. Expected answers are read by hand from the seed records and reports."""

import pytest

from govgraph.graph import algorithms
from govgraph.graph.facts import PARTY_ORGANIZATIONS, Fact, UndeclaredFact, fetch_plan
from govgraph.graph.rules import GAP_RULES, SERVICE_FACILITY_KINDS, GapRule, declared_facts
from govgraph.graph.vocabulary import FACILITY_KINDS
from govgraph.service.core import Service
from tests.conftest import REPORTS, seed_batch

RULE = "compound-without-service-facility"
GONGHANG = "compound:久安社区.工行小区"
FANHUA = "compound:离石区.泛华盛世小区"
JUNJINGYUAN = "compound:朝西社区.俊景苑"
BAOXIN_4 = "compound:罗店镇.宝欣苑四村"
LVLIANG = "district:吕梁市.离石区"
SCOPES = [None, "street:福田区.莲花街道", "street:宝山区.罗店镇", "street:东城区.朝阳门街道",
          LVLIANG, "community:凤山街道.久安社区", "community:罗店镇.宝欣苑四村居委", GONGHANG,
          FANHUA, JUNJINGYUAN, BAOXIN_4]
NOT_RECORDED = "未记录位于或服务小区的党群服务站、议事厅等阵地"


@pytest.fixture(scope="module")
def store(seeded_store):
    return seeded_store


def gaps(store, rule, scope=None):
    return Service(store, personal=True).gaps(rule, scope)


def reasons(answer):
    """What the rule says of each compound it lists: a gap or (no source deciding) 未记录."""
    return {h.compound.name: h.reasons for h in [*answer.hits, *answer.not_recorded]}


def report(number):
    (path,) = REPORTS.glob(f"{number}_*.txt")
    return path.read_text(encoding="utf-8")


# -- the new rule: 小区无党群服务阵地 -------------------------------------------------------------

def test_compounds_without_a_service_facility(store):
    """Only 002 (工行小区) and 003 (泛华盛世小区) record a 党群服务站 in a compound; 004 records
    the 居民议事厅 of 朝西社区, the community of 俊景苑, which the reason names; 000 and 001
    record no 阵地 at all, so their compounds are listed as not recorded: no source says a
    compound has none."""
    answer = gaps(store, RULE)
    assert answer.title == "小区无党群服务阵地"
    assert reasons(answer) == {
        "宝欣苑一村": [NOT_RECORDED],
        "宝欣苑四村": [NOT_RECORDED],
        "宝欣苑八村居民区所辖小区": [NOT_RECORDED],
        "市政大院": [NOT_RECORDED],
        "深业花园": [NOT_RECORDED],
        "怡枫园": [NOT_RECORDED],
        "俊景苑": [NOT_RECORDED + ",所在朝西社区有居民议事厅"],
    }
    assert answer.hits == []
    assert answer.compounds_checked == 10  # 宝欣苑八村's "两个小区" count twice


def test_the_reports_service_facilities_are_found(store):
    assert "揭牌成立了“泛华物业公司党支部”和“泛华盛世小区党群服务站”" in report("003")
    assert "把废弃锅炉房改造成小区党群服务站" in report("002")
    assert "同时作为小区“议事厅”" in report("002")
    assert "充分利用社区原有的“居民议事厅”平台" in report("004")
    for scope in (GONGHANG, FANHUA, LVLIANG):
        answer = gaps(store, RULE, scope)
        assert answer.hits == [] and answer.not_recorded == [], scope
    assert gaps(store, RULE, LVLIANG).compounds_checked == 2
    # 俊景苑 asked alone: its community lies above the scope, and is still read
    assert reasons(gaps(store, RULE, JUNJINGYUAN)) == {
        "俊景苑": [NOT_RECORDED + ",所在朝西社区有居民议事厅"]}


@pytest.mark.parametrize("scope", SCOPES)
def test_the_new_rule_equals_the_reference_in_every_scope(store, reference, scope):
    assert gaps(store, RULE, scope).model_dump() == gaps(reference, RULE, scope).model_dump()


def test_the_rules_facility_kinds_are_the_vocabularys_closed_choice():
    assert set(SERVICE_FACILITY_KINDS) <= set(FACILITY_KINDS)
    used = {n.properties["kind"] for e in seed_batch().editions for n in e.nodes.values()
            if n.type == "Facility" and "kind" in n.properties}
    assert used == {"党群服务站", "充电棚", "党员活动室", "议事厅", "文化长廊", "教育基地"}
    assert used <= set(FACILITY_KINDS)


# -- rules declared only here -------------------------------------------------------------------

CHARGING_SHEDS = Fact("test-charging-sheds", ("LOCATED_IN", "SERVES", "BENEFITS"), ("Facility",),
                      kinds=("充电棚",))
COMMITTEE_MECHANISMS = Fact("test-committee-mechanisms", ("PARTICIPATES_IN",), ("Mechanism",),
                            direction="out", of="committee")
MECHANISMS_AROUND = Fact("test-mechanisms-around", ("PARTICIPATES_IN",), ("Mechanism",),
                         direction="out", climb=True)


def _without_charging_shed(p, _):
    return ([] if p.found(CHARGING_SHEDS) else ["未记录小区的充电棚"]), []


def _committee_outside_mechanisms(p, _):
    return [f"{c.committee.name}未记录参与的工作机制" for c in p.committees
            if not c.found(COMMITTEE_MECHANISMS)], []


def _no_mechanism_around(p, _):
    return ([] if p.found(MECHANISMS_AROUND) else ["小区及所在地未记录参与的工作机制"]), []


TEST_RULES = [
    # another facility kind
    GapRule("test-compound-without-charging-shed", "小区无充电棚", "test", "口径", "definition",
            (CHARGING_SHEDS,), _without_charging_shed),
    # a relationship no other rule reads (nor any ring of the network view), from committees
    GapRule("test-committee-outside-mechanisms", "业委会(物管会)未参与工作机制", "test", "口径",
            "definition",
            (COMMITTEE_MECHANISMS,), _committee_outside_mechanisms),
    # the same relationship from the compound or any place above it
    GapRule("test-no-mechanism-around", "小区及所在地未参与工作机制", "test", "口径",
            "definition",
            (MECHANISMS_AROUND,), _no_mechanism_around),
]


@pytest.fixture
def test_rules(monkeypatch):
    for rule in TEST_RULES:
        monkeypatch.setitem(GAP_RULES, rule.name, rule)


@pytest.mark.usefixtures("test_rules")
def test_a_rule_about_another_facility_kind(store):
    # 002: 安装充电车棚; 003: 重新修建了三个智能充电棚
    assert "安装充电车棚" in report("002") and "重新修建了三个智能充电棚" in report("003")
    hits = reasons(gaps(store, "test-compound-without-charging-shed"))
    assert set(hits) == {"宝欣苑一村", "宝欣苑四村", "宝欣苑八村居民区所辖小区", "市政大院",
                         "深业花园", "怡枫园", "俊景苑"}
    assert set(map(tuple, hits.values())) == {("未记录小区的充电棚",)}


@pytest.mark.usefixtures("test_rules")
def test_a_rule_about_a_relationship_no_other_rule_reads(store):
    """业委会 that take part in no mechanism: 宝欣苑一村's and 深业花园's take part in projects
    only, 怡枫园's in nothing recorded; the others in 三驾马车月度议事会, 三位一体, 联席会议,
    党建引领自办物业, 未诉先办 …"""
    assert reasons(gaps(store, "test-committee-outside-mechanisms")) == {
        "宝欣苑一村": ["宝欣苑一村业委会未记录参与的工作机制"],
        "深业花园": ["深业花园业主委员会未记录参与的工作机制"],
        "怡枫园": ["怡枫园业主委员会未记录参与的工作机制"],
    }


@pytest.mark.usefixtures("test_rules")
def test_a_rule_that_climbs_the_place_chain(store):
    """Only 宝欣苑四村's 居委 takes part in a mechanism (电动自行车专项安全治理攻坚行动); the
    compound itself takes part in none, so it is found one place up; asked of the compound
    alone, its 居委 lies above the scope and is still read."""
    assert set(reasons(gaps(store, "test-no-mechanism-around"))) == {
        "宝欣苑一村", "宝欣苑八村居民区所辖小区", "市政大院", "深业花园", "怡枫园", "工行小区",
        "泛华盛世小区", "俊景苑"}
    assert gaps(store, "test-no-mechanism-around", BAOXIN_4).hits == []
    facts = [MECHANISMS_AROUND]
    (profile,) = algorithms.compound_profiles(store.scope_graph(BAOXIN_4, facts), BAOXIN_4,
                                              facts)
    assert profile.facts[MECHANISMS_AROUND.name] == [
        n for a in profile.found_above(MECHANISMS_AROUND) for n in a.nodes]
    assert [(a.place.name, [n.name for n in a.nodes])
            for a in profile.found_above(MECHANISMS_AROUND)] == [
        ("居委(宝欣苑四村)", ["电动自行车专项安全治理攻坚行动"])]


@pytest.mark.usefixtures("test_rules")
@pytest.mark.parametrize("scope", SCOPES)
def test_rules_declared_here_equal_the_reference_in_every_scope(store, reference, scope):
    for rule in TEST_RULES:
        assert gaps(store, rule.name, scope).model_dump() == gaps(
            reference, rule.name, scope).model_dump(), rule.name


@pytest.mark.usefixtures("test_rules")
def test_the_fetch_plan_follows_the_rules(monkeypatch):
    steps = {(s.at, s.direction): s.relationships for s in fetch_plan(declared_facts())}
    assert "PARTICIPATES_IN" in steps["committee", "out"]
    assert "PARTICIPATES_IN" in steps["place", "out"]
    for rule in TEST_RULES:
        monkeypatch.delitem(GAP_RULES, rule.name)
    assert all("PARTICIPATES_IN" not in s.relationships for s in fetch_plan(declared_facts()))


# -- declarations are checked ---------------------------------------------------------------

def test_a_rule_that_reads_what_it_does_not_declare_fails_on_every_store(store, monkeypatch):
    sloppy = GapRule("test-sloppy", "未声明", "test", "口径", "definition", (),
                     lambda p, _: ([] if p.found(PARTY_ORGANIZATIONS) else ["x"], []))
    monkeypatch.setitem(GAP_RULES, sloppy.name, sloppy)
    with pytest.raises(UndeclaredFact, match="party-organizations"):
        gaps(store, sloppy.name)


@pytest.mark.parametrize(("arguments", "problem"), [
    ({"kinds": ("党群活动中心",)}, "not a kind of Facility"),
    ({"types": ("Organization",), "kinds": ("银行",)}, "not a closed choice"),
    ({"direction": "out"}, "does not join"),
    ({"relationships": ("LOCATED_NEAR",)}, "not in the vocabulary"),
    ({"of": "committee", "climb": True}, "only facts of the compound climb"),
])
def test_a_fact_is_checked_against_the_vocabulary_when_declared(arguments, problem):
    declared = {"name": "test", "relationships": ("LOCATED_IN",), "types": ("Facility",),
                **arguments}
    with pytest.raises(ValueError, match=problem):
        Fact(**declared)
