"""The acceptance table: for every compound a report's body names, each gap rule's answer (a gap,
no gap, or not recorded) and each street's ratios, as a reader of the five reports gives them,
on every store.

The answers are reading_1.yaml's, written by a helper who read only the reports, never the
records; adjudications.yaml changes a few where the report, under the rules' documented 口径,
decides otherwise (each with its sentences and why). The test derives the expected answer of
each rule from the reader's yes / no / not stated, so the table is the reader's, not ours.
"""

import re
from pathlib import Path

import pytest
import yaml

from govgraph.service.core import Service

HERE = Path(__file__).parents[1] / "acceptance"
# The reader's name of each compound → its uid, and how many compounds it stands for
# (宝欣苑八村居民区: "两个小区", named neither).
COMPOUNDS = {
    "宝欣苑八村": ("compound:宝欣苑八村居民区.所辖小区", 2),
    "宝欣苑一村": ("compound:罗店镇.宝欣苑一村", 1),
    "宝欣苑四村": ("compound:罗店镇.宝欣苑四村", 1),
    "市政大院": ("compound:狮岭社区.市政大院", 1),
    "怡枫园": ("compound:景华社区.怡枫园", 1),
    "深业花园": ("compound:福中社区.深业花园", 1),
    "工行小区": ("compound:久安社区.工行小区", 1),
    "泛华盛世小区": ("compound:离石区.泛华盛世小区", 1),
    "俊景苑小区": ("compound:朝西社区.俊景苑", 1),
}
STREETS = {"罗店镇": "street:宝山区.罗店镇", "莲花街道": "street:福田区.莲花街道",
           "凤山街道": "street:离石区.凤山街道", "朝阳门街道": "street:东城区.朝阳门街道"}
THRESHOLD = 50  # the documented default of 红色业委会 (parameter threshold)
GAP, NO_GAP, NOT_RECORDED = "gap", "no gap", "not recorded"


def read(path: Path, adjudications: Path | None = None) -> list[dict]:
    """A reading's entries of report bodies, with the adjudications applied (when given)."""
    entries = [e for e in yaml.safe_load(path.read_text(encoding="utf-8"))
               if not e["location_in_file"].startswith("sidebar")]
    by_name = {e["compound"].removesuffix("小区") if e["compound"] not in COMPOUNDS
               else e["compound"]: e for e in entries}
    for change in yaml.safe_load(adjudications.read_text(encoding="utf-8")) \
            if adjudications else []:
        answer = by_name[change["compound"]]["answers"][change["question"]]
        answer.update(answer=change["answer"], which=change.get("which", answer["which"]),
                      sentences=change["sentences"], adjudicated=change["why"])
    return entries


def compound_of(entry: dict) -> tuple[str, int]:
    """The uid of the compound a reader names, and how many compounds it stands for."""
    name = entry["compound"]
    return COMPOUNDS.get(name) or COMPOUNDS[name.removesuffix("小区")]


READING = read(HERE / "reading_1.yaml", HERE / "adjudications.yaml")


def _presence(answer: dict) -> bool | None:
    return {"yes": True, "no": False, "not stated": None}[answer["answer"]]


def _share(answer: dict) -> float | None:
    if answer["answer"] != "yes":
        return None
    return float(re.search(r"(\d+(?:\.\d+)?)%", answer["which"])[1])


def _gap(has: bool | None) -> str:
    return NOT_RECORDED if has is None else NO_GAP if has else GAP


def expected(entry: dict) -> dict[str, str]:
    """What each rule answers for the compound, by the rule's definition, from the reader's
    answers."""
    a = entry["answers"]
    party, committee, firm = (_presence(a[q]) for q in (
        "party_organisation", "owners_committee", "property_service"))
    legs = [party, committee, firm]
    troika = False if False in legs else None if None in legs else True
    share = _share(a["committee_party_share"])
    return {
        "compound-without-party-branch": _gap(party),
        "compound-without-owners-committee": _gap(committee),
        "compound-without-property-service": _gap(firm),
        "compound-without-committee-branch": GAP if committee is False
        else _gap(_presence(a["committee_party_branch"])),
        "troika-incomplete": _gap(troika),
        "committee-low-party-share": NOT_RECORDED if share is None
        else GAP if share < THRESHOLD else NO_GAP,
    }


def test_where_the_reader_finds_a_whole_troika_it_has_all_three_sides():
    """The rule reads the 三位一体 as its three sides; a reader who finds one formed must find
    each side too (the adjudications settle the two the reader left open)."""
    for entry in READING:
        if _presence(entry["answers"]["troika_complete"]):
            assert expected(entry)["troika-incomplete"] == NO_GAP, entry["compound"]


def _red(entry: dict) -> bool | None:
    """Whether the reader's answers make the compound's committee 红色 (the documented 口径)."""
    a = entry["answers"]
    branch, share = _presence(a["committee_party_branch"]), _share(a["committee_party_share"])
    if branch or (share is not None and share >= THRESHOLD):
        return True
    return None if share is None or branch is None else False


def answers_of(service: Service, rule: str) -> dict[str, str]:
    answer = service.gaps(rule)
    found = {h.compound.uid: GAP for h in answer.hits}
    found.update({h.compound.uid: NOT_RECORDED for h in answer.not_recorded})
    return found


@pytest.fixture(scope="module")
def service(seeded_store):
    return Service(seeded_store, personal=True)


@pytest.mark.parametrize("rule", list(expected(READING[0])))
def test_each_rule_answers_every_compound_as_the_reader(service, rule):
    answers = answers_of(service, rule)
    wrong = []
    for entry in READING:
        uid, _ = compound_of(entry)
        want, got = expected(entry)[rule], answers.get(uid, NO_GAP)
        if want != got:
            wrong.append(f"{entry['compound']}: the reader says {want}, the rule {got}")
    assert not wrong, "\n".join(wrong)


def _count(entries: list[dict], unit) -> tuple[int, int, int]:
    """(yes, stated no, not recorded) over the entries, each weighted by its compounds."""
    tally = [0, 0, 0]
    for entry in entries:
        has = unit(entry)
        tally[0 if has else 1 if has is False else 2] += compound_of(entry)[1]
    return tally[0], tally[1], tally[2]


RATIO_UNITS = {
    "party-organization-coverage": lambda e: _presence(e["answers"]["party_organisation"]),
    "owners-committee-formation": lambda e: _presence(e["answers"]["owners_committee"]),
    "red-committee-share": _red,
}


@pytest.mark.parametrize("street", sorted(STREETS))
def test_each_streets_ratios_are_the_readers_count(service, street):
    entries = [e for e in READING if e["street"] == street]
    ratios = {r.name: r for r in service.coverage(STREETS[street]).ratios}
    for name, unit in RATIO_UNITS.items():
        yes, no, unknown = _count(entries, unit)
        got = ratios[name]
        assert (got.numerator, got.recorded_no, got.not_recorded, got.denominator) == (
            yes, no, unknown, yes + no + unknown), f"{street} {name}"


def test_every_deciding_sentence_is_in_its_report():
    reports = Path(__file__).parents[2] / "data" / "reports"
    for entry in READING:
        text = (reports / entry["report"]).read_text(encoding="utf-8")
        for question, answer in entry["answers"].items():
            for sentence in answer["sentences"]:
                assert sentence in text, f"{entry['compound']} {question}: {sentence}"
