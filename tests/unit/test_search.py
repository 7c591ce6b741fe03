"""Search keys are pypinyin's own reading of each name, however they are computed."""

import sqlite3
import sys
import threading

import pytest
from pypinyin import Style, lazy_pinyin

import govgraph.graph.search as search
from govgraph.graph.search import KeyIndex, keys_ahead, search_key
from govgraph.graph.storage.embedded import KEYS_IN_ORDER

NAMES = ["重庆银行长安分行", "行长办公室", "单元楼3单元", "乐都小区乐器行", "曾家巷曾经",
         "A栋3号楼", "ＡＢＣ小区", "Ⅲ期〇号", "还建小区还款", "朝阳门街道朝西社区", "工行小区"]


@pytest.mark.parametrize("name", NAMES)
def test_a_search_key_reads_a_name_as_pypinyin_reads_it(name):
    def reading(style):
        return "".join(lazy_pinyin(name, style=style, errors="default")).lower()

    expected = "|".join(dict.fromkeys([name.lower(), reading(Style.NORMAL),
                                       reading(Style.FIRST_LETTER)]))
    assert search_key(name) == expected


NAMED = [*((name, None) for name in NAMES), ("重庆银行", ["渝行", "重庆 银行"]),
         ("乐\ud800园", []), ("", None)]  # a lone surrogate (from a bad file), no name at all
TEXTS = sum(1 + len(aliases or []) for _, aliases in NAMED)


THIS_ONE = search.second_process


@pytest.mark.parametrize(("second_process", "computes"), [
    (THIS_ONE, True), (lambda: [sys.executable, "-c", "import sys; sys.exit(3)"], False),
    (lambda: [sys.executable, "-c", "print('a\\nb')"], False),
    (lambda: ["/nonexistent/python"], False)], ids=["computing", "failing", "garbling", "missing"])
def test_keys_of_many_names_are_the_same_whoever_computes_them(monkeypatch, second_process,
                                                               computes):
    """keys_ahead: a second process computes them; one that fails, answers something else or
    cannot start leaves them to be computed here. A name it was not given is computed here
    too."""
    expected = [search_key(name, aliases) for name, aliases in NAMED]
    monkeypatch.setattr(search, "AHEAD_FROM", len(NAMED))
    monkeypatch.setattr(search, "second_process", second_process)
    computed_here = _counted(monkeypatch)
    with keys_ahead(NAMED):
        assert [search_key(name, aliases) for name, aliases in NAMED] == expected
        assert search_key("新名字") == "新名字|xinmingzi|xmz"
    given_to_it = len(computed_here) - 1  # the name it was not given
    assert given_to_it == (0 if computes else TEXTS)


KEYS_HERE = search._full_and_initials


def _counted(monkeypatch):
    """The texts whose keys are computed in this process from here on."""
    computed_here = []
    monkeypatch.setattr(search, "_full_and_initials", lambda text: (
        computed_here.append(text) or KEYS_HERE(text)))
    return computed_here


def test_the_second_process_runs_this_govgraph_whatever_the_working_folder_holds(
        monkeypatch, tmp_path):
    """Started from a folder holding another govgraph (a checkout), it still imports this one."""
    other = tmp_path / "govgraph" / "graph"
    other.mkdir(parents=True)
    (tmp_path / "govgraph" / "__init__.py").write_text("")
    (other / "__init__.py").write_text("")
    (other / "search.py").write_text(
        "import json, sys\n"
        "def serve_keys():\n"
        "    json.dump(['wrong' for _ in json.load(sys.stdin)], sys.stdout)\n")
    expected = [search_key(name, aliases) for name, aliases in NAMED]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(search, "AHEAD_FROM", 1)
    computed_here = _counted(monkeypatch)
    with keys_ahead(NAMED):
        assert [search_key(name, aliases) for name, aliases in NAMED] == expected
    assert computed_here == []


def test_another_thread_neither_waits_for_a_writes_keys_nor_takes_them(monkeypatch):
    """While a write's keys are on the way (a second process that takes its time), another
    thread asking for a key computes its own at once."""
    monkeypatch.setattr(search, "AHEAD_FROM", 1)
    monkeypatch.setattr(search, "second_process", lambda: [
        sys.executable, "-c", "import sys, time; sys.stdin.read(); time.sleep(60)"])
    found = []
    with keys_ahead(NAMED):
        other = threading.Thread(target=lambda: found.append(search_key("怡枫园")))
        other.start()
        other.join(10)
        assert found == ["怡枫园|yifengyuan|yfy"]  # before the write is done with them


def test_a_few_names_are_not_worth_a_second_process(monkeypatch):
    monkeypatch.setattr(search, "second_process", lambda: ["/nonexistent/python"])
    with keys_ahead(NAMED[:3]):
        assert search._AHEAD.child is None


def _entries(names):
    return [(f"compound:{i}.{name}", search_key(name), name) for i, name in enumerate(names)]


QUERIES = ["行", "hang", "xq", "a", "3", "𬌗", "zzz", "chongqing", "单元"]


def test_an_index_read_in_sqlite_order_answers_as_one_sorted_in_python():
    """The embedded store reads the keys in order from SQLite instead of sorting them: names
    with letters, full-width and astral characters order alike in both."""
    names = [*NAMES, "𬌗口小区", "a小区", "B小区", "行", "Ａ栋", "a\x00b小区", "e\u0301小区"]
    db = sqlite3.connect(":memory:")
    db.create_function("code_points", 1, len, deterministic=True)  # as the store does
    db.execute("CREATE TABLE nodes (uid TEXT, search TEXT, name TEXT)")
    db.executemany("INSERT INTO nodes VALUES (?, ?, ?)", _entries(names))
    read = KeyIndex.of(db.execute(KEYS_IN_ORDER), in_order=True)
    sorted_ = KeyIndex.of(_entries(names))
    assert read.uids == sorted_.uids
    for query in QUERIES:
        assert read.best(query, [], 5) == sorted_.best(query, [], 5), query


def test_an_index_brought_up_to_date_answers_as_one_made_anew():
    entries = _entries(NAMES)
    renamed = [(uid, search_key(name + "二期"), name + "二期") for uid, _, name in entries[:3]]
    added = _entries(["新行小区", "行"])[::-1]
    added = [(uid.replace("compound:", "community:"), key, name) for uid, key, name in added]
    gone = [entries[5][0]]
    # a uid logged in two revisions comes twice: the last counts
    changed = KeyIndex.of(entries).changed(gone, [*renamed, *added, entries[0], renamed[0]])
    anew = KeyIndex.of([*renamed, *entries[3:5], *entries[6:], *added])
    assert changed.uids == anew.uids and changed.keys == anew.keys and changed.names == anew.names
    for query in QUERIES:
        for prefixes in ([], ["community:"], ["compound:"]):
            assert changed.best(query, prefixes, 3) == anew.best(query, prefixes, 3)
    # the name that is the query first, then the rest shortest first
    assert changed.best("行", ["community:"], 5) == (["community:1.行", "community:0.新行小区"], 2)


def test_a_query_no_key_can_hold_finds_nothing():
    index = KeyIndex.of(_entries(NAMES))
    assert index.best("\udcff", [], 5) == ([], 0)  # a lone surrogate, as argv may hold
