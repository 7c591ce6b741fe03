"""Search keys are pypinyin's own reading of each name, however they are computed."""

import pytest
from pypinyin import Style, lazy_pinyin

from govgraph.graph.search import search_key

NAMES = ["重庆银行长安分行", "行长办公室", "单元楼3单元", "乐都小区乐器行", "曾家巷曾经",
         "A栋3号楼", "ＡＢＣ小区", "Ⅲ期〇号", "还建小区还款", "朝阳门街道朝西社区", "工行小区"]


@pytest.mark.parametrize("name", NAMES)
def test_a_search_key_reads_a_name_as_pypinyin_reads_it(name):
    def reading(style):
        return "".join(lazy_pinyin(name, style=style, errors="default")).lower()

    expected = "|".join(dict.fromkeys([name.lower(), reading(Style.NORMAL),
                                       reading(Style.FIRST_LETTER)]))
    assert search_key(name) == expected
