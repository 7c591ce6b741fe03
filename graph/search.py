"""Name search keys shared by every store: Chinese text, full pinyin and pinyin initials.

Officials type 怡枫园, yifengyuan or yfy; each store keeps ``search_key(...)`` beside the node and
matches ``query_key(text)`` as a substring of it.
"""

from __future__ import annotations

import heapq
import re
from functools import lru_cache

_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=100_000)
def _word(word: str) -> tuple[str, str]:
    # pypinyin's dictionaries are 55 MB: imported by what writes keys, not by every process
    # that only answers (a typed query is matched as typed, see query_key)
    from pypinyin import Style, lazy_pinyin

    full, initials = ("".join(lazy_pinyin(word, style=style, errors="default")).lower()
                      for style in (Style.NORMAL, Style.FIRST_LETTER))
    return full, initials


def _full_and_initials(text: str) -> tuple[str, str]:
    """The full pinyin and the initials of ``text``, as lazy_pinyin gives them, word by word:
    split the way pypinyin splits (Chinese and other runs, the Chinese ones into its MMSEG
    words), each word's pinyin cached. A load computes this for every node: the words repeat
    (小区, 业委会, 党支部), the names do not.

    >>> _full_and_initials("重庆银行长安分行a栋")
    ('chongqingyinhangchanganfenhangadong', 'cqyhcafhad')
    """
    from pypinyin.seg.simpleseg import seg

    words = [_word(word) for word in seg(text)]
    return "".join(full for full, _ in words), "".join(initials for _, initials in words)


def search_key(name: str, aliases: list[str] | None = None) -> str:
    """One lower-case string holding each name, its full pinyin and its initials, '|'-separated.

    >>> search_key("怡枫园")
    '怡枫园|yifengyuan|yfy'
    """
    parts: list[str] = []
    for text in [name, *(aliases or [])]:
        compact = _SPACE.sub("", text).lower()
        parts += [compact, *_full_and_initials(compact)]
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
    return (0 if compact == query else 1 if compact.startswith(query) else 2, *order(name, uid))


def order(name: str, uid: str) -> tuple[int, str, str]:
    """How matches that neither are nor start with the query are ordered: shortest name first."""
    return len(name), name, uid


def best(hits: list[tuple[str, str]], query: str, first: int) -> tuple[list[str], int]:
    """The uids of the ``first`` best (uid, name) ``hits`` in ``rank`` order, and how many
    there are.

    >>> best([("c:2", "怡枫园二期"), ("c:1", "怡枫园"), ("c:3", "大怡枫园")], "怡枫园", 2)
    (['c:1', 'c:2'], 3)
    """
    chosen = heapq.nsmallest(first, hits, key=lambda hit: rank(hit[1], hit[0], query))
    return [uid for uid, _ in chosen], len(hits)
