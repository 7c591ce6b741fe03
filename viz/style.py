"""How node types look in every view: colour and shape, by group with a few overrides, so a
new node type gets a style without a change here."""

from __future__ import annotations

from dataclasses import dataclass

from govgraph.graph.vocabulary import ACTIVITIES, BODIES, NODE_TYPES, PLACES, zh_name

# Graphviz and vis fonts: a CJK font named explicitly, or Chinese turns into boxes.
CJK_FONT = "Noto Sans CJK SC"
CJK_FONTS = f"{CJK_FONT}, WenQuanYi Micro Hei, sans-serif"


@dataclass(frozen=True)
class Style:
    colour: str  # fill
    border: str
    shape: str  # a vis-network shape that holds its label, so layouts keep labels apart
    radius: int = 3  # corner radius of boxes


GROUP_STYLES = {
    "place": Style("#dbe8f6", "#4a78a8", "box", 2),
    "body": Style("#fde9c9", "#c7812b", "ellipse"),
    "activity": Style("#dcefd9", "#4f8a4a", "box", 14),
    "other": Style("#eeeeee", "#888888", "ellipse"),
}
OVERRIDES = {
    "PartyOrganization": Style("#f9d3d0", "#c0392b", "ellipse"),
    "OwnersCommittee": Style("#fff2b3", "#b8961e", "ellipse"),
    "PropertyManagementCommittee": Style("#fff2b3", "#b8961e", "ellipse"),
    "PropertyCompany": Style("#d7e3f5", "#2f5f9e", "ellipse"),
    "Person": Style("#f0e0f5", "#8e44ad", "ellipse"),
    "Facility": Style("#e0f2f1", "#26857a", "box", 6),
    "Mechanism": Style("#eef6e6", "#6b9a3a", "box", 14),
    "Source": Style("#f4f4f4", "#999999", "text"),
}


def style_of(type_name: str) -> Style:
    """The style of a node type.

    >>> style_of("Compound").shape
    'box'
    """
    if type_name in OVERRIDES:
        return OVERRIDES[type_name]
    group = ("place" if type_name in PLACES else "body" if type_name in BODIES
             else "activity" if type_name in ACTIVITIES else "other")
    return GROUP_STYLES[group]


def legend(types: set[str] | None = None) -> list[dict[str, str]]:
    """Legend entries (Chinese name, colours, shape) in vocabulary order."""
    return [{"type": t, "zh": zh_name(t), "colour": style_of(t).colour,
             "border": style_of(t).border, "shape": style_of(t).shape}
            for t in NODE_TYPES if types is None or t in types]


def wrap(text: str, width: int = 8) -> str:
    """Line breaks every ``width`` characters: vis and graphviz wrap only at spaces, and Chinese
    has none.

    >>> wrap("工行小区党员中心户", 4)
    '工行小区\\n党员中心\\n户'
    """
    return "\n".join(text[i:i + width] for i in range(0, len(text), width)) or text
