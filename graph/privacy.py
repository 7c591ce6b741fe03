"""Personal information (个人信息保护法): people's names are masked for those without the right
to see them, wherever they appear — as a node's name, inside a uid, inside an evidence sentence."""

from __future__ import annotations

import re
from collections.abc import Iterable


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

    def text(self, value: str) -> str:
        """
        >>> Masker(["赵鸿翔"]).text("原工行办公室主任赵鸿翔正式成为小区党支部书记")
        '原工行办公室主任赵**正式成为小区党支部书记'
        """
        if self._pattern is None:
            return value
        return self._pattern.sub(lambda m: mask_name(m.group(0)), value)

    def data(self, value: bytes) -> bytes:
        """The same for UTF-8 encoded content (JSON, GraphML, CSV …)."""
        if self._pattern is None:
            return value
        return self.text(value.decode("utf-8")).encode("utf-8")
