import datetime as dt

import pytest

from govgraph.graph.values import (
    BadValue,
    format_quantity,
    normalise,
    normalise_date,
    normalise_quantity,
)
from govgraph.graph.vocabulary import NODE_TYPES


@pytest.mark.parametrize("given, expected", [
    ("2022", "2022"), ("2022-01", "2022-01"), (dt.date(2021, 7, 1), "2021-07-01"), (2023, "2023"),
])
def test_dates_may_be_partial(given, expected):
    assert normalise_date(given) == expected


@pytest.mark.parametrize("bad", ["2022-13", "2022-02-30", "去年9月20日", "22-1-1", "", None, True])
def test_bad_dates_are_refused(bad):
    with pytest.raises(BadValue, match="YYYY-MM-DD"):
        normalise_date(bad)


def test_quantity_keeps_the_reports_precision():
    assert normalise_quantity({"value": 1100, "unit": "户", "qualifier": "over"}) == {
        "value": 1100, "unit": "户", "qualifier": "over"}
    assert format_quantity({"value": 1100, "unit": "户", "qualifier": "over"}) == "1100余户"
    assert format_quantity({"value": 3, "max": 5, "unit": "人"}) == "3-5人"
    assert format_quantity({"value": 85.71, "unit": "%"}) == "85.71%"


@pytest.mark.parametrize("bad", [
    {"value": -1, "unit": "个"}, {"value": 3}, {"value": "3", "unit": "个"},
    {"value": 5, "max": 3, "unit": "人"}, {"value": 1, "unit": "个", "qualifier": "lots"},
    {"value": float("nan"), "unit": "个"}, 12, {"value": 1, "unit": "个", "extra": 1},
])
def test_bad_quantities_are_refused(bad):
    with pytest.raises(BadValue, match="quantity"):
        normalise_quantity(bad)


def test_choice_and_count():
    kind = NODE_TYPES["PartyOrganization"].properties["kind"]
    assert normalise(kind, "功能型党支部") == "功能型党支部"
    with pytest.raises(BadValue, match="党小组"):
        normalise(kind, "小组")
