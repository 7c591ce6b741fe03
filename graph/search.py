"""Name search keys shared by every store: Chinese text, full pinyin and pinyin initials.

Officials type 怡枫园, yifengyuan or yfy; each store keeps ``search_key(...)`` beside the node and
matches ``query_key(text)`` as a substring of it.
"""

from __future__ import annotations

import heapq
import json
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from itertools import compress, count, repeat
from operator import contains

_SPACE = re.compile(r"\s+")
AHEAD_FROM = 5_000  # names in a write: below this, a second process costs more than it saves


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
    ahead = _AHEAD.key(name, aliases)
    if ahead is not None:
        return ahead
    parts: list[str] = []
    for text in [name, *(aliases or [])]:
        compact = _SPACE.sub("", text).lower()
        parts += [compact, *_full_and_initials(compact)]
    return "|".join(dict.fromkeys(parts))


class _KeysAhead:
    """The search keys a second process computes for the write under way (``keys_ahead``):
    (name, aliases) → key, for the thread writing it only (another thread's keys are its own).
    They are read from it all at once, when the first is asked for (after the write has put its
    editions in and derived its nodes); no thread of this process serves it meanwhile: one would
    wait for this process's lock at every pipe's worth of names, five times slower."""

    WAIT = 300.0  # seconds the first key waits; then every key is computed here

    def __init__(self) -> None:
        self.in_use = threading.Lock()  # for one write at a time
        self.child: subprocess.Popen[bytes] | None = None  # computing, not read yet
        self.writer: int | None = None  # the thread whose write it is
        self.wanted: list[tuple[str, tuple[str, ...]]] = []
        self.keys: dict[tuple[str, tuple[str, ...]], str] = {}

    def key(self, name: str, aliases: list[str] | None) -> str | None:
        if self.writer != threading.get_ident():
            return None
        if self.child is not None:
            self.keys, self.child = self._received(self.child), None
        return self.keys.get((name, tuple(aliases or ())))

    def _received(self, child: subprocess.Popen[bytes]) -> dict[tuple[str, tuple[str, ...]], str]:
        """The keys the second process wrote; none if it failed or took too long."""
        try:
            out, _ = child.communicate(timeout=self.WAIT)
            if child.returncode == 0:
                keys = out.decode(errors="surrogatepass").split("\n")
                return dict(zip(self.wanted, keys, strict=True))
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
        except ValueError:  # not as many keys
            pass
        return {}

    @contextmanager
    def computing(self, wanted: list[tuple[str, tuple[str, ...]]]) -> Iterator[None]:
        try:
            with tempfile.TemporaryFile() as names:  # read at its pace, written at once
                names.write(json.dumps(wanted).encode())
                names.seek(0)
                child = subprocess.Popen(second_process(), stdin=names,
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except (OSError, ValueError):  # no second process: every key computed here
            yield
            return
        self.child, self.wanted, self.writer = child, wanted, threading.get_ident()
        try:
            yield
        finally:
            self.writer = None
            child.kill()  # not needed any more, if not done yet
            child.communicate()
            self.child, self.wanted, self.keys = None, [], {}


_AHEAD = _KeysAhead()


def second_process() -> list[str]:
    """The command of keys_ahead's second process: this Python, importing this govgraph as
    this process does (its import path, not the working folder's)."""
    return [sys.executable, "-P", "-c", f"import sys; sys.path[:] = {sys.path!r}; "
            f"from {__name__} import serve_keys; serve_keys()"]


def serve_keys() -> None:
    """keys_ahead's second process: the keys of the names read from stdin (JSON), to stdout,
    one a line (a key holds no white space)."""
    keys = [search_key(name, aliases) for name, aliases in json.load(sys.stdin)]
    sys.stdout.buffer.write("\n".join(keys).encode(errors="surrogatepass"))


@contextmanager
def keys_ahead(names: Iterable[tuple[str, list[str] | None]]) -> Iterator[None]:
    """Within this, the search keys of ``names`` (name, aliases) are computed in a second
    process, when there are many: pinyin is a tenth of a city's load, a load knows its names
    long before it writes its nodes, and the machine's second core is idle meanwhile. A name not
    among them, or a second process that fails, has its key computed here, as without this."""
    wanted = list(dict.fromkeys((name, tuple(aliases or ())) for name, aliases in names))
    if len(wanted) < AHEAD_FROM or not sys.executable or \
            not _AHEAD.in_use.acquire(blocking=False):
        yield
        return
    try:
        with _AHEAD.computing(wanted):
            yield
    finally:
        _AHEAD.in_use.release()


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


class KeyIndex:
    """Every node's search key, for a store that scans them in memory: in ``order`` (shortest
    name first), with its uid and name beside. Each key is held as its UTF-8 bytes, one
    character each (``_narrow``: half the size of a string of Chinese, and ``in`` on a string is
    four times faster than on bytes); a query, narrowed alike, is tested against every key in C
    (``map`` of ``contains``), not in a Python loop, and the keys found come in ``order``
    already, so only the few that open with the query are ranked in Python. A city's 97,000
    keys take 14 MB so, not 25 as a string and an entry each.

    >>> index = KeyIndex.of([("c:1", "怡枫园|yifengyuan|yfy", "怡枫园"),
    ...                      ("c:2", "大怡枫园|dayifengyuan|dyfy", "大怡枫园"),
    ...                      ("c:3", "枫林|fenglin|fl", "枫林")])
    >>> index.best("feng", [], 2), index.best("yfy", ["c:"], 5), index.best("yfy", ["s:"], 5)
    ((['c:3', 'c:1'], 3), (['c:1', 'c:2'], 2), ([], 0))
    """

    def __init__(self, narrowed: Iterable[tuple[str, str, str]]) -> None:
        """Each node's (uid, narrowed key, name), in ``order``."""
        self.uids: list[str] = []
        self.keys: list[str] = []
        self.names: list[str] = []
        for uid, key, name in narrowed:
            self.uids.append(uid)
            self.keys.append(key)
            self.names.append(name)

    @classmethod
    def of(cls, entries: Iterable[tuple[str, str, str]], in_order: bool = False) -> KeyIndex:
        """The index of each node's (uid, search key, name), sorted unless ``in_order``
        already (as SQL's ORDER BY length(name), name, uid gives them: a city's read makes no
        tuple per node so, and its memory peaks 20 MB lower)."""
        ordered = entries if in_order else sorted(entries, key=_in_order)
        # narrowed in order: a scan reads the keys where they lie in memory, twice as fast
        return cls((uid, _narrow(key), name) for uid, key, name in ordered)

    def changed(self, gone: Iterable[str], entries: Iterable[tuple[str, str, str]]) -> KeyIndex:
        """A new index without the nodes ``gone`` (uids), with ``entries`` (replacing any entry
        of theirs)."""
        new = {uid: (uid, _narrow(key), name) for uid, key, name in entries}  # the last of each
        dropped = {*gone, *new}
        kept = (entry for entry in zip(self.uids, self.keys, self.names, strict=True)
                if entry[0] not in dropped)  # in order already: merged, not sorted again
        return KeyIndex(heapq.merge(kept, sorted(new.values(), key=_in_order), key=_in_order))

    def best(self, query: str, prefixes: list[str], first: int) -> tuple[list[str], int]:
        """The uids of the ``first`` best nodes (uids opening with one of ``prefixes``; any when
        empty) whose keys hold ``query``, in ``rank`` order, and how many there are. The
        compact name opens each key, so the few that are or start with the query are among the
        keys opening with it, ranked by ``rank`` itself; the rest are in ``order``, as the keys
        are."""
        uids, names, wanted = self.uids, self.names, tuple(prefixes)
        needle, keys = _narrow(query), self.keys
        hits = list(compress(count(), map(contains, keys, repeat(needle))))
        if wanted:
            hits = [line for line in hits if uids[line].startswith(wanted)]
        opening = compress(hits, map(str.startswith, map(keys.__getitem__, hits),
                                     repeat(needle)))
        leading = sorted(ranked for line in opening
                         if (ranked := rank(names[line], uids[line], query))[0] < 2)
        chosen = [ranked[-1] for ranked in leading[:first]]
        taken = set(chosen)
        others = [uid for uid in (uids[line] for line in hits[:first + len(taken)])
                  if uid not in taken]
        chosen += others[:first - len(chosen)]
        return chosen, len(hits)


def _in_order(entry: tuple[str, str, str]) -> tuple[int, str, str]:
    uid, _, name = entry
    return order(name, uid)


def _narrow(text: str) -> str:
    """``text``'s UTF-8 bytes, one character each: a string of one byte per character, where
    one character of Chinese takes two. A string holds a text in another's characters exactly
    where their UTF-8 bytes do.

    >>> _narrow("怡枫园|yfy"), _narrow("枫") in _narrow("怡枫园|yfy")
    ('æ\x80¡æ\x9e«å\x9b\xad|yfy', True)
    """
    return text.encode(errors="surrogatepass").decode("latin-1")  # no key holds a surrogate
