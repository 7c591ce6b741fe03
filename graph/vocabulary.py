"""The one vocabulary of govgraph: node and relationship types, Chinese names, properties.

Loaders, stores, the CLI (and later the API and the views) read this module and nothing else to
know what a type is called, which properties it takes and which types a relationship may join.
Adding a node type is adding one entry to ``NODE_TYPES`` (and, if it can take part in existing
relationships, naming it in the groups below).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """How a property value is written and checked."""

    TEXT = "text"
    TEXTS = "texts"  # a list of text; statements from several sources are united, never conflict
    BOOL = "bool"
    INT = "int"  # a whole number >= 0
    DATE = "date"  # ISO date, possibly partial: 2022, 2022-01, 2022-01-15
    CHOICE = "choice"  # one of PropertySpec.choices
    QUANTITY = "quantity"  # {value, unit, qualifier?, max?}: a number as the report states it
    QUANTITIES = "quantities"  # {label: quantity}: several stated figures of one thing


@dataclass(frozen=True)
class PropertySpec:
    kind: Kind
    zh: str
    choices: tuple[str, ...] = ()
    description: str = ""

    def expected(self) -> str:
        """What a valid value looks like, for error messages."""
        return {
            Kind.TEXT: "text",
            Kind.TEXTS: "a list of text",
            Kind.BOOL: "true or false",
            Kind.INT: "a whole number >= 0",
            Kind.DATE: "a date YYYY, YYYY-MM or YYYY-MM-DD",
            Kind.CHOICE: "one of " + ", ".join(self.choices),
            Kind.QUANTITY: "a quantity {value: number >= 0, unit: text, qualifier?, max?}",
            Kind.QUANTITIES: "a mapping of label to quantity {value, unit, qualifier?, max?}",
        }[self.kind]


@dataclass(frozen=True)
class NodeType:
    name: str
    zh: str
    uid_prefix: str
    description: str
    properties: dict[str, PropertySpec] = field(default_factory=dict)


@dataclass(frozen=True)
class RelationshipType:
    name: str
    zh: str
    description: str
    sources: frozenset[str]
    targets: frozenset[str]
    properties: dict[str, PropertySpec] = field(default_factory=dict)


def _p(kind: Kind, zh: str, *choices: str, description: str = "") -> PropertySpec:
    return PropertySpec(kind=kind, zh=zh, choices=tuple(choices), description=description)


# Whether a compound has each body, as a register's 有/无 cell or a report's explicit "没有"
# states it: false is a stated "none", which the gap rules tell apart from "not recorded" (unset).
# A body recorded as a node speaks for itself; these say what no node can, that there is none.
STATED_PRESENCE: dict[str, PropertySpec] = {
    "has_party_organization": PropertySpec(Kind.BOOL, "有党组织"),
    "has_owners_committee": PropertySpec(Kind.BOOL, "有业委会"),
    "has_management_committee": PropertySpec(Kind.BOOL, "有物管会"),
    "has_property_company": PropertySpec(Kind.BOOL, "有物业服务企业"),
}
COMMITTEE_STATED_PRESENCE = {"has_party_organization": STATED_PRESENCE["has_party_organization"]}

# Properties every node may carry. `count` lets one node stand for several like units the report
# counts but does not name ("3栋楼设置3个党小组"), so nothing unstated is invented.
COMMON_NODE_PROPERTIES: dict[str, PropertySpec] = {
    "aliases": _p(Kind.TEXTS, "别名"),
    "note": _p(Kind.TEXTS, "备注", description="remarks; each source may add its own"),
    "count": _p(Kind.INT, "数量", description="how many like units this node stands for"),
    "figures": _p(Kind.QUANTITIES, "数据",
                  description="figures the report states that no other property names, by label"),
}

COMMON_EDGE_PROPERTIES: dict[str, PropertySpec] = {
    "note": _p(Kind.TEXTS, "备注", description="remarks; each source may add its own"),
    "since": _p(Kind.DATE, "起始"),
    "until": _p(Kind.DATE, "截止"),
}

PARTY_ORGANIZATION_KINDS = (
    "党工委",
    "党委",
    "大党委",
    "总支",
    "支部",
    "功能型党支部",
    "党小组",
    "党的工作小组",
)

PROJECT_STATUSES = ("计划", "进行中", "已完成")

# The kinds of 阵地, a closed choice so that rules can select by kind (graph.rules); the facility
# keeps the report's own word in its name (智能充电棚: kind 充电棚). docs/records.md lists them.
FACILITY_KINDS = (
    "党群服务中心",  # a community's or street's 党群服务中心
    "党群服务站",  # a compound's or building's station
    "党员活动室",
    "议事厅",  # 议事厅, 议事亭, 议事室: where residents talk things over
    "调解室",
    "文化长廊",  # 文化长廊, 宣传栏
    "文体场所",  # 文体广场, 健身场地, 活动室
    "教育基地",
    "充电棚",  # 充电棚, 充电车棚, 充电桩
    "办公用房",  # of a 业委会, 物管会 or property company
)

NODE_TYPES: dict[str, NodeType] = {
    t.name: t
    for t in [
        NodeType("City", "市", "city", "a city (地级市 or 直辖市)"),
        NodeType("District", "区", "district", "a district or county under a city"),
        NodeType(
            "StreetOffice",
            "街道/镇",
            "street",
            "a street office, town or township and its party working committee",
            {"kind": _p(Kind.CHOICE, "类别", "街道", "镇", "乡")},
        ),
        NodeType(
            "Community",
            "社区",
            "community",
            "a community (社区/居民区) with its residents' committee (居委会)",
            {
                "kind": _p(Kind.CHOICE, "类别", "社区", "居民区", "城中村社区"),
                "residential_compounds": _p(Kind.QUANTITY, "住宅小区数"),
                "office_buildings": _p(Kind.QUANTITY, "办公楼宇数"),
                "old_compound_share": _p(Kind.QUANTITY, "老旧小区占比"),
                "property_companies": _p(Kind.QUANTITY, "物业公司数"),
            },
        ),
        NodeType(
            "Compound",
            "小区",
            "compound",
            "a residential compound (小区)",
            {
                "households": _p(Kind.QUANTITY, "户数"),
                "buildings": _p(Kind.QUANTITY, "楼栋数"),
                "elevators": _p(Kind.QUANTITY, "电梯数"),
                "party_members": _p(Kind.QUANTITY, "党员人数"),
                "old_compound": _p(Kind.BOOL, "老旧小区"),
                "self_managed_property": _p(Kind.BOOL, "自办物业"),
                "honours": _p(Kind.TEXTS, "荣誉"),
                "register_columns": _p(Kind.TEXTS, "台账其他列"),  # "列名: 值", kept as given
                **STATED_PRESENCE,
            },
        ),
        NodeType("Building", "楼栋", "building", "a residential building of a compound"),
        NodeType("Grid", "网格", "grid", "a grid (网格) of grid-based management"),
        NodeType(
            "PartyOrganization",
            "党组织",
            "party",
            "a party organisation; ESTABLISHED_IN says where it is set up",
            {
                "kind": _p(Kind.CHOICE, "类别", *PARTY_ORGANIZATION_KINDS),
                "members": _p(Kind.QUANTITY, "党员人数"),
                "established": _p(Kind.DATE, "成立时间"),
            },
        ),
        NodeType(
            "PartyMemberHousehold",
            "党员中心户",
            "household",
            "households of party members designated 党员中心户: party members, not a party "
            "organisation; SUBORDINATE_TO names the party organisation they answer to",
        ),
        NodeType(
            "OwnersAssembly",
            "业主大会",
            "assembly",
            "the owners' assembly of a compound",
            {"first_meeting": _p(Kind.DATE, "首次会议")},
        ),
        NodeType(
            "OwnersCommittee",
            "业主委员会",
            "committee",
            "an owners' committee (业委会)",
            {
                "members": _p(Kind.QUANTITY, "委员人数"),
                "party_members": _p(Kind.QUANTITY, "党员委员人数"),
                "party_member_share": _p(Kind.QUANTITY, "党员占比"),
                "established": _p(Kind.DATE, "成立时间"),
                **COMMITTEE_STATED_PRESENCE,
            },
        ),
        NodeType(
            "PropertyManagementCommittee",
            "物业管理委员会",
            "pmc",
            "a property management committee (物管会), where a compound has no 业委会",
            {
                "members": _p(Kind.QUANTITY, "委员人数"),
                "party_members": _p(Kind.QUANTITY, "党员委员人数"),
                "party_member_share": _p(Kind.QUANTITY, "党员占比"),
                "established": _p(Kind.DATE, "成立时间"),
                **COMMITTEE_STATED_PRESENCE,
            },
        ),
        NodeType("PropertyCompany", "物业服务企业", "property", "a property service company"),
        NodeType("GovernmentDepartment", "政府部门", "dept", "a government department"),
        NodeType(
            "Organization",
            "其他单位",
            "org",
            "any other unit: contractor, school, retirees' unit, bank …",
            {"kind": _p(Kind.TEXT, "类别")},
        ),
        NodeType(
            "WorkingGroup",
            "工作小组",
            "group",
            "a group set up for a task: supervision group, project working group …",
            {"members": _p(Kind.QUANTITY, "成员人数")},
        ),
        NodeType(
            "VolunteerTeam",
            "志愿服务队",
            "team",
            "a volunteer team",
            {"members": _p(Kind.QUANTITY, "成员人数")},
        ),
        NodeType(
            "Person",
            "人员",
            "person",
            "a named person: personal information, masked in answers by default",
            {"former_post": _p(Kind.TEXT, "原职务")},
        ),
        NodeType(
            "Mechanism",
            "工作机制",
            "mechanism",
            "a standing way of working: 联席会议, 说事议事, 吹哨报到 …",
            {"frequency": _p(Kind.TEXT, "频次"), "description": _p(Kind.TEXT, "说明")},
        ),
        NodeType(
            "Meeting",
            "会议",
            "meeting",
            "a meeting held, or the meetings of one kind held, with date or count",
            {
                "date": _p(Kind.DATE, "日期"),
                "times": _p(Kind.QUANTITY, "次数"),
                "topic": _p(Kind.TEXT, "议题"),
            },
        ),
        NodeType(
            "Project",
            "实事项目",
            "project",
            "a practical project (实事项目) with status, dates and figures",
            {
                "status": _p(Kind.CHOICE, "状态", *PROJECT_STATUSES),
                "category": _p(Kind.TEXT, "类别"),
                "start": _p(Kind.DATE, "开始"),
                "end": _p(Kind.DATE, "完成"),
            },
        ),
        NodeType(
            "Facility",
            "阵地",
            "facility",
            "a place for party and community work: 党群服务站, 议事厅, 充电棚 …",
            {
                "kind": _p(Kind.CHOICE, "类别", *FACILITY_KINDS),
                "area": _p(Kind.QUANTITY, "面积"),
                "capacity": _p(Kind.QUANTITY, "容量"),
                "established": _p(Kind.DATE, "建成时间"),
            },
        ),
        NodeType(
            "Source",
            "来源",
            "source",
            "the case record or report facts come from",
            {
                "title": _p(Kind.TEXT, "标题"),
                "publisher": _p(Kind.TEXT, "发布者"),
                "author": _p(Kind.TEXT, "作者"),
                "date": _p(Kind.DATE, "日期"),
                "file": _p(Kind.TEXT, "文件"),
                "url": _p(Kind.TEXT, "网址"),
            },
        ),
    ]
}

# Groups of node types that relationships join; a new type joins relationships by being named here.
PLACES = frozenset(
    {"City", "District", "StreetOffice", "Community", "Compound", "Building", "Grid"}
)
BODIES = frozenset(
    {
        "PartyOrganization",
        "OwnersAssembly",
        "OwnersCommittee",
        "PropertyManagementCommittee",
        "PropertyCompany",
        "GovernmentDepartment",
        "Organization",
        "WorkingGroup",
        "VolunteerTeam",
    }
)
ACTORS = PLACES | BODIES | {"Person", "PartyMemberHousehold"}
ACTIVITIES = frozenset({"Mechanism", "Meeting", "Project"})
COMMITTEES = frozenset({"OwnersCommittee", "PropertyManagementCommittee"})


def _r(
    name: str,
    zh: str,
    description: str,
    sources: frozenset[str] | set[str],
    targets: frozenset[str] | set[str],
    properties: dict[str, PropertySpec] | None = None,
) -> RelationshipType:
    return RelationshipType(
        name, zh, description, frozenset(sources), frozenset(targets), properties or {}
    )


RELATIONSHIP_TYPES: dict[str, RelationshipType] = {
    r.name: r
    for r in [
        _r("PART_OF", "隶属", "administrative containment, or a group within a body",
           PLACES | BODIES, PLACES | BODIES),
        _r("SUBORDINATE_TO", "上级党组织",
           "the party line: an organisation (or a 党员中心户) under its superior",
           {"PartyOrganization", "PartyMemberHousehold"}, {"PartyOrganization"}),
        _r("ESTABLISHED_IN", "建在", "a party organisation set up in a place or body",
           {"PartyOrganization"}, (PLACES | BODIES) - {"PartyOrganization"}),
        _r("LEADS", "引领", "leads (党建引领) an actor or an activity",
           ACTORS, ACTORS | ACTIVITIES),
        _r("GUIDES", "指导", "guides an actor or an activity", ACTORS, ACTORS | ACTIVITIES),
        _r("SUPERVISES", "监督", "supervises an actor or an activity", ACTORS, ACTORS | ACTIVITIES),
        _r("REPRESENTS", "代表", "a committee or assembly represents a compound's owners",
           COMMITTEES | {"OwnersAssembly"}, {"Compound"}),
        _r("ELECTED_BY", "选举产生", "a committee or person elected by an assembly or meeting",
           COMMITTEES | {"Person"}, {"OwnersAssembly", "Meeting"}),
        _r("SERVES", "服务", "a property firm, team or facility serves a place",
           BODIES | {"Facility"}, PLACES),
        _r("MEMBER_OF", "成员", "membership of a person or body in a body",
           BODIES | {"Person"}, BODIES,
           {"role": _p(Kind.TEXT, "角色"), "party_member": _p(Kind.BOOL, "党员")}),
        _r("HOLDS_POST", "任职", "a person holds a post (书记, 主任 …) in a body or place",
           {"Person"}, BODIES | PLACES,
           {"post": _p(Kind.TEXT, "职务"), "concurrent": _p(Kind.BOOL, "交叉任职")}),
        _r("PARTICIPATES_IN", "参与", "takes part in a mechanism, meeting or project",
           ACTORS, ACTIVITIES, {"role": _p(Kind.TEXT, "角色")}),
        _r("INITIATED", "发起/牵头", "initiated or led the setting up of something",
           ACTORS, ACTIVITIES | BODIES | {"Facility"}),
        _r("IMPLEMENTED_BY", "实施", "an activity carried out by an actor",
           ACTIVITIES, ACTORS),
        _r("APPROVED_BY", "表决通过", "an activity approved by an assembly, meeting or body",
           ACTIVITIES, ACTORS | {"Meeting"}),
        _r("LOCATED_IN", "位于", "where a facility, unit, activity is",
           {"Facility", "Organization", "Project", "Meeting", "Mechanism",
            "PartyMemberHousehold"},
           PLACES | {"Facility"}),
        _r("BENEFITS", "受益", "an activity or facility benefits a place or actor",
           ACTIVITIES | {"Facility"}, ACTORS),
        _r("FUNDED_BY", "出资", "an activity or facility paid for by an actor",
           ACTIVITIES | {"Facility"}, ACTORS),
        _r("DONATED_BY", "捐赠", "an activity or facility donated by an actor",
           ACTIVITIES | {"Facility"}, ACTORS),
        _r("COOPERATES_WITH", "联建共建", "joint building between actors", ACTORS, ACTORS),
        _r("INSTANCE_OF", "属于机制", "a meeting held under a standing mechanism",
           {"Meeting"}, {"Mechanism"}),
    ]
}

UID_PREFIXES: dict[str, str] = {t.uid_prefix: t.name for t in NODE_TYPES.values()}


def node_properties(type_name: str) -> dict[str, PropertySpec]:
    """Every property a node of this type may carry (its own and the common ones)."""
    return {**COMMON_NODE_PROPERTIES, **NODE_TYPES[type_name].properties}


def edge_properties(type_name: str) -> dict[str, PropertySpec]:
    """Every property an edge of this relationship type may carry."""
    return {**COMMON_EDGE_PROPERTIES, **RELATIONSHIP_TYPES[type_name].properties}


def zh_name(type_name: str) -> str:
    """The Chinese display name of a node or relationship type."""
    if type_name in NODE_TYPES:
        return NODE_TYPES[type_name].zh
    return RELATIONSHIP_TYPES[type_name].zh


def describe_vocabulary() -> dict[str, list[dict[str, Any]]]:
    """The vocabulary as plain data, for `govgraph vocabulary --json` and the API."""
    return {
        "node_types": [
            {"name": t.name, "zh": t.zh, "uid_prefix": t.uid_prefix, "description": t.description,
             "properties": {k: {"zh": s.zh, "kind": s.kind.value, "choices": list(s.choices)}
                            for k, s in node_properties(t.name).items()}}
            for t in NODE_TYPES.values()
        ],
        "relationship_types": [
            {"name": r.name, "zh": r.zh, "description": r.description,
             "from": sorted(r.sources), "to": sorted(r.targets),
             "properties": {k: {"zh": s.zh, "kind": s.kind.value, "choices": list(s.choices)}
                            for k, s in edge_properties(r.name).items()}}
            for r in RELATIONSHIP_TYPES.values()
        ],
    }
