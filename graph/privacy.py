"""Personal information (个人信息保护法): people's names are masked for those without the right
to see them, wherever they appear — as a node's name, inside a uid, inside an evidence sentence."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeVar

from pydantic import BaseModel

from govgraph.graph.editions import Statements

M = TypeVar("M", bound=BaseModel)


def mask_name(name: str) -> str:
    """A name with all but its first character hidden.

    >>> mask_name("赵鸿翔")
    '赵**'
    """
    return name[:1] + "*" * (len(name) - 1)


class Masker:
    """Replaces every given name (longest first) in a text by its masked form."""

    def __init__(self, names: Iterable[str]):
        wanted = sorted({n for n in names if len(n) > 1}, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, wanted))) if wanted else None

    @classmethod
    def for_people(cls, people: Iterable[Statements]) -> Masker:
        """A masker of every name and alias any source has given these people (Person
        statements), so a name is masked in answers as of any date, and after a rename."""
        return cls(n for row in people for said in row.said
                   for n in [said.name or "", *said.properties.get("aliases", [])])

    def text(self, value: str) -> str:
        """
        >>> Masker(["赵鸿翔"]).text("原工行办公室主任赵鸿翔正式成为小区党支部书记")
        '原工行办公室主任赵**正式成为小区党支部书记'
        """
        if self._pattern is None:
            return value
        return self._pattern.sub(lambda m: mask_name(m.group(0)), value)

    def model(self, value: M) -> M:
        """A pydantic answer (a tree, a subgraph …) with every text in it masked."""
        if self._pattern is None:
            return value
        return type(value).model_validate_json(self.text(value.model_dump_json()))

