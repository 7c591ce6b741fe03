"""A synthetic city in the loaders' own formats, for benchmarks and scale tests.

Each street gets a case record (JSON: the street, its communities, grids, party organisations,
facilities, volunteer teams, mechanisms, meetings and projects, in the shapes of the seed cases)
and a register (CSV, one compound a row, as officials keep them). Missing pieces are drawn at
realistic rates, so every gap rule finds something. The same seed gives the same city.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govgraph.loaders.registers import uid

SYLLABLES = ("莲 花 景 华 狮 岭 福 中 梅 富 凤 山 久 安 朝 阳 宝 欣 罗 店 泛 盛 世 俊 "
             "新 和 平 东 西 南 北 城 江 河 湖 海 春 秋 兴 隆 德 胜 龙 泉 金 银 玉 松 柏 "
             "桂 兰 竹 康 乐 民 丰 裕 文 明 光 荣 青 云 林 园 翠 苑 雅 清 嘉 瑞").split()
COMPANY_WORDS = ("鑫诚", "万象", "安居", "恒信", "家和", "嘉园", "汇通", "宏业", "瑞丰", "中天")


@dataclass(frozen=True)
class Size:
    streets: int
    communities_per_street: int = 30
    compounds_per_community: float = 2.2


SIZES = {"district": Size(10), "city": Size(200), "province": Size(2000)}


class _Names:
    """Unique, Chinese-looking names from a seeded random source."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def __call__(self, suffix: str, length: int = 2) -> str:
        """A new name; one character longer after every 20 collisions (names run out)."""
        tries = 0
        while True:
            size = length + tries // 20
            name = "".join(self.rng.choice(SYLLABLES) for _ in range(size)) + suffix
            if name not in self.used:
                self.used.add(name)
                return name
            tries += 1


def _q(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit}


def generate(out: Path, size: Size, seed: int = 1) -> dict[str, int]:
    """Write the city's records into ``out`` (cases/*.json, registers/*.csv); the counts."""
    rng = random.Random(seed)
    names = _Names(rng)
    (out / "cases").mkdir(parents=True, exist_ok=True)
    (out / "registers").mkdir(parents=True, exist_ok=True)
    city = "合成市"
    districts = [names("区") for _ in range(max(1, size.streets // 10))]
    companies = [f"{rng.choice(COMPANY_WORDS)}{names('', 2)}物业服务有限公司" for _ in range(
        max(20, size.streets * 3))]
    counts = {"streets": 0, "communities": 0, "compounds": 0}
    for index in range(size.streets):
        district = districts[index % len(districts)]
        street = names("街道")
        record, rows = _street(rng, names, city, district, street, companies, size, index, seed)
        counts["streets"] += 1
        counts["communities"] += len({r[1] for r in rows})
        counts["compounds"] += len(rows)
        (out / "cases" / f"{index:04d}_{street}.json").write_text(
            json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        with (out / "registers" / f"{index:04d}_{street}.csv").open(
                "w", encoding="utf-8-sig", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(["小区名称", "所属社区", "所属街道", "所属区", "所属市", "户数",
                             "楼栋数", "党员人数", "小区党组织", "业委会", "业委会委员人数",
                             "业委会党员人数", "业委会党组织", "业委会党组织类型", "物管会",
                             "物业公司", "自办物业"])
            writer.writerows(rows)
    return counts


def _street(rng: random.Random, names: _Names, city: str, district: str, street: str,
            companies: list[str], size: Size, index: int, seed: int
            ) -> tuple[dict[str, Any], list[list[str]]]:
    street_uid = uid("street", district, street)
    district_uid = uid("district", city, district)
    mechanism = f"mechanism:{street}.联席会议"
    actors: list[dict[str, Any]] = [
        {"uid": uid("city", city), "type": "City", "name": city},
        {"uid": district_uid, "type": "District", "name": district},
        {"uid": street_uid, "type": "StreetOffice", "name": street, "kind": "街道"},
        {"uid": f"party:{street}.党工委", "type": "PartyOrganization", "name": f"{street}党工委",
         "kind": "党工委"},
    ]
    relationships: list[dict[str, Any]] = [
        {"type": "PART_OF", "from": district_uid, "to": uid("city", city)},
        {"type": "PART_OF", "from": street_uid, "to": district_uid},
        {"type": "ESTABLISHED_IN", "from": f"party:{street}.党工委", "to": street_uid},
        {"type": "INITIATED", "from": f"party:{street}.党工委", "to": mechanism},
    ]
    mechanisms = [{"uid": mechanism, "name": "联席会议", "frequency": "每月"}]
    meetings: list[dict[str, Any]] = []
    projects: list[dict[str, Any]] = []
    facilities: list[dict[str, Any]] = []
    rows: list[list[str]] = []
    for _ in range(size.communities_per_street):
        community = names("社区")
        community_uid = uid("community", street, community)
        committee_party = f"party:{street}.{community}.社区党委"
        actors.append({"uid": community_uid, "type": "Community", "name": community,
                       "kind": "社区"})
        relationships.append({"type": "PART_OF", "from": community_uid, "to": street_uid})
        has_party = rng.random() < 0.92
        if has_party:
            actors.append({"uid": committee_party, "type": "PartyOrganization",
                           "name": f"{community}党委", "kind": "党委"})
            relationships += [
                {"type": "ESTABLISHED_IN", "from": committee_party, "to": community_uid},
                {"type": "SUBORDINATE_TO", "from": committee_party,
                 "to": f"party:{street}.党工委"},
                {"type": "PARTICIPATES_IN", "from": committee_party, "to": mechanism},
            ]
        for grid_index in range(2):
            grid = f"grid:{street}.{community}.第{grid_index + 1}网格"
            actors.append({"uid": grid, "type": "Grid",
                           "name": f"{community}第{grid_index + 1}网格"})
            relationships.append({"type": "PART_OF", "from": grid, "to": community_uid})
            if has_party and rng.random() < 0.8:
                branch = f"party:{street}.{community}.第{grid_index + 1}网格党支部"
                actors.append({"uid": branch, "type": "PartyOrganization",
                               "name": f"{community}第{grid_index + 1}网格党支部", "kind": "支部"})
                relationships += [{"type": "ESTABLISHED_IN", "from": branch, "to": grid},
                                  {"type": "SUBORDINATE_TO", "from": branch, "to": committee_party}]
        station = f"facility:{street}.{community}.党群服务站"
        facilities.append({"uid": station, "name": f"{community}党群服务站", "kind": "党群服务站",
                           "area": _q(rng.randrange(40, 300, 10), "平方米")})
        team = f"team:{street}.{community}.志愿服务队"
        actors.append({"uid": team, "type": "VolunteerTeam", "name": f"{community}志愿服务队",
                       "members": _q(rng.randrange(8, 120), "人")})
        meeting = f"meeting:{street}.{community}.居民议事会"
        meetings.append({"uid": meeting, "name": f"{community}居民议事会",
                         "times": _q(rng.randrange(2, 30), "次")})
        relationships += [
            {"type": "LOCATED_IN", "from": station, "to": community_uid},
            {"type": "SERVES", "from": station, "to": community_uid},
            {"type": "SERVES", "from": team, "to": community_uid},
            {"type": "INSTANCE_OF", "from": meeting, "to": mechanism},
            {"type": "LOCATED_IN", "from": meeting, "to": station},
        ]
        count = max(1, round(rng.gauss(size.compounds_per_community, 1)))
        for _ in range(count):
            compound = names("小区", 2 if rng.random() < 0.7 else 3)
            row = _compound_row(rng, compound, community, street, district, city, companies)
            rows.append(row)
            if row[8] == "有" and has_party:
                relationships.append({
                    "type": "SUBORDINATE_TO",
                    "from": uid("party", community, compound, "小区党支部"),
                    "to": committee_party})
            if rng.random() < 0.6:
                work = rng.choice(["加装电梯", "充电桩", "监控升级", "大门改造"])
                project = f"project:{community}.{compound}.{work}"
                if any(p["uid"] == project for p in projects):
                    continue
                compound_uid = uid("compound", community, compound)
                projects.append({"uid": project, "name": project.rsplit(".", 1)[1],
                                 "status": rng.choice(["计划", "进行中", "已完成"]),
                                 "figures": {"户数受益": _q(rng.randrange(50, 900), "户")}})
                relationships += [{"type": "LOCATED_IN", "from": project, "to": compound_uid},
                                  {"type": "BENEFITS", "from": project, "to": compound_uid},
                                  {"type": "APPROVED_BY", "from": project, "to": meeting}]
                if has_party:
                    relationships.append({"type": "INITIATED", "from": committee_party,
                                          "to": project})
    record = {
        "source": {"uid": f"source:合成.{seed}.{index:04d}", "title": f"合成数据 {street}",
                   "publisher": "govgraph synth", "note": f"seed {seed}"},
        "actors": actors, "mechanisms": mechanisms, "meetings": meetings, "projects": projects,
        "facilities": facilities, "relationships": relationships,
    }
    return record, rows


def _compound_row(rng: random.Random, compound: str, community: str, street: str,
                  district: str, city: str, companies: list[str]) -> list[str]:
    has_committee = rng.random() < 0.7
    members = rng.randrange(5, 12)
    party_members = rng.randrange(0, members + 1)
    has_company = rng.random() < 0.85
    return [
        compound, community, street, district, city,
        str(rng.randrange(80, 2500)), str(rng.randrange(2, 40)), str(rng.randrange(3, 200)),
        "有" if rng.random() < 0.6 else "无",
        "有" if has_committee else "无",
        str(members) if has_committee else "",
        str(party_members) if has_committee and rng.random() < 0.8 else "",
        ("有" if rng.random() < 0.4 else "无") if has_committee else "",
        rng.choice(["支部", "功能型党支部", "党的工作小组"]) if has_committee else "",
        "有" if not has_committee and rng.random() < 0.5 else "",
        rng.choice(companies) if has_company else "",
        ("是" if rng.random() < 0.5 else "否") if not has_company else "否",
    ]
