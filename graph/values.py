"""Checking and normalising property values against their vocabulary kind.

Every loader goes through ``normalise`` so a value means the same wherever it came from:
dates are ISO strings (possibly partial), quantities are ``{value, unit[, qualifier][, max]}``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from govgraph.graph.vocabulary import Kind, PropertySpec

QUANTITY_QUALIFIERS = {
    "about": "约",  # 约, 左右
    "over": "余",  # 余, 多, 以上: more than the value
    "nearly": "近",  # 近: a little less than the value
}
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def first_day(date: str) -> str:
    """A date YYYY, YYYY-MM or YYYY-MM-DD as the day it begins on.

    >>> first_day("2021"), first_day("2021-07"), first_day("2021-07-05")
    ('2021-01-01', '2021-07-01', '2021-07-05')
    """
    return date + "-01-01"[len(date) - 4:] if len(date) < 10 else date


def today_anywhere() -> str:
    """The latest date it is now anywhere (UTC+14), YYYY-MM-DD: a date after it is in the
    future wherever the service or its users are (a server on UTC runs 8 hours behind China)."""
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=14)).date().isoformat()


class BadValue(ValueError):
    """A value that does not fit its property's kind."""


def normalise(spec: PropertySpec, value: Any) -> Any:
    """The value in its canonical form; raises BadValue when it does not fit ``spec``."""
    match spec.kind:
        case Kind.TEXT:
            if isinstance(value, str) and value.strip():
                return value.strip()
        case Kind.TEXTS:
            if isinstance(value, str) and value.strip():
                return [value.strip()]
            if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
                return [v.strip() for v in value]
        case Kind.BOOL:
            if isinstance(value, bool):
                return value
        case Kind.INT:
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                return value
        case Kind.DATE:
            return normalise_date(value)
        case Kind.CHOICE:
            if value in spec.choices:
                return value
        case Kind.QUANTITY:
            return normalise_quantity(value)
        case Kind.QUANTITIES:
            if isinstance(value, dict) and value and all(isinstance(k, str) for k in value):
                return {k: normalise_quantity(v) for k, v in value.items()}
    raise BadValue(spec.expected())


def normalise_date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and _DATE.match(value.strip()):
        text = value.strip()
        parts = [int(p) for p in text.split("-")]
        try:
            dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
        except ValueError:
            pass
        else:
            return text
    raise BadValue("a date YYYY, YYYY-MM or YYYY-MM-DD")


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value if value >= 0 else None


def normalise_quantity(value: Any) -> dict[str, Any]:
    expected = (
        "a quantity {value: number >= 0, unit: text, qualifier: "
        + "|".join(QUANTITY_QUALIFIERS)
        + " (optional), max: number (optional, for a range)}"
    )
    if not isinstance(value, dict) or not set(value) <= {"value", "unit", "qualifier", "max"}:
        raise BadValue(expected)
    number = _number(value.get("value"))
    unit = value.get("unit")
    if number is None or not isinstance(unit, str) or not unit.strip():
        raise BadValue(expected)
    quantity: dict[str, Any] = {"value": number, "unit": unit.strip()}
    if value.get("qualifier") is not None:
        if not isinstance(value["qualifier"], str) or value["qualifier"] not in QUANTITY_QUALIFIERS:
            raise BadValue(expected)
        quantity["qualifier"] = value["qualifier"]
    if value.get("max") is not None:
        upper = _number(value["max"])
        if upper is None or upper < number:
            raise BadValue(expected + ", with max >= value")
        quantity["max"] = upper
    return quantity


def display(spec: PropertySpec, value: Any) -> str:
    """A property value as a Chinese reader expects it (quantities 1100余户, yes/no 是/否)."""
    if spec.kind is Kind.QUANTITY:
        return format_quantity(value)
    if spec.kind is Kind.QUANTITIES:
        return "; ".join(f"{label} {format_quantity(q)}" for label, q in value.items())
    if spec.kind is Kind.TEXTS:
        return "、".join(value)
    if spec.kind is Kind.BOOL:
        return "是" if value else "否"
    return str(value)


def format_quantity(quantity: dict[str, Any]) -> str:
    """A quantity as a Chinese reader writes it: 1100余户, 3-5人, 85.71%."""
    number = f"{quantity['value']:g}"
    if "max" in quantity:
        number += f"-{quantity['max']:g}"
    qualifier = quantity.get("qualifier")
    if qualifier in ("about", "nearly"):
        number = QUANTITY_QUALIFIERS[qualifier] + number
    elif qualifier == "over":
        number += QUANTITY_QUALIFIERS[qualifier]
    return number + quantity["unit"]
