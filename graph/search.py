"""Name search keys shared by every store: Chinese text, full pinyin and pinyin initials.

Officials type 怡枫园, yifengyuan or yfy; each store keeps ``search_key(...)`` beside the node and
matches ``query_key(text)`` as a substring of it.
"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

_SPACE = re.compile(r"\s+")


def _pinyin(text: str, style: Style) -> str:
    return "".join(lazy_pinyin(text, style=style, errors="default")).lower()


def search_key(name: str, aliases: list[str] | None = None) -> str:
    """One lower-case string holding each name, its full pinyin and its initials, '|'-separated.

    >>> search_key("怡枫园")
    '怡枫园|yifengyuan|yfy'
    """
    parts: list[str] = []
    for text in [name, *(aliases or [])]:
        compact = _SPACE.sub("", text).lower()
        parts += [compact, _pinyin(compact, Style.NORMAL), _pinyin(compact, Style.FIRST_LETTER)]
    return "|".join(dict.fromkeys(parts))


def query_key(text: str) -> str:
    """What a typed query is matched as: lower case, no white space (so 'yi feng' finds 怡枫园).

    >>> query_key(" Yi Feng ")
    'yifeng'
    """
    return _SPACE.sub("", text).lower()


def rank(name: str, uid: str, query: str) -> tuple[int, int, str, str]:
    """Sort key: exact name first, then names starting with the query, then the shortest;
    ties by uid, so every store orders alike."""
    compact = "".join(name.split()).lower()  # query_key, without a regex: ranks run in bulk
    return (0 if compact == query else 1 if compact.startswith(query) else 2, len(name), name,
            uid)
