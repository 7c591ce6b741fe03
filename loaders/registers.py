"""Registers (台账) in CSV or XLSX, one compound a row, with Chinese column headers → statements.

The header mapping is ``COLUMNS`` (documented in docs/registers.md). Places and bodies get the
uids of the documented convention, so a register row and a case record naming the same compound
become one node.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from govgraph.graph.model import Claim, ColumnReading, Location, Problem, RegisterLayout
from govgraph.graph.values import BadValue, first_day, normalise_date, today_anywhere
from govgraph.graph.vocabulary import PARTY_ORGANIZATION_KINDS
from govgraph.loaders.statements import ParsedFile, add_edge, add_node


@dataclass(frozen=True)
class Column:
    key: str
    meaning: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    answers: bool = False  # a 有/无 (是/否) column, however its cells word it (see _answer)


COLUMNS: dict[str, Column] = {
    c.key: c
    for c in [
        Column("小区名称", "the compound's name", required=True,
               aliases=("小区", "小区名", "小区(院落)名称", "院落名称")),
        Column("所属社区", "its community", required=True, aliases=("社区", "社区名称")),
        Column("所属街道", "its street office or town", required=True,
               aliases=("街道", "所属镇", "街道(镇)")),
        Column("所属区", "its district", required=True, aliases=("区", "所属区县")),
        Column("所属市", "its city (links the district to the city)", aliases=("市",)),
        Column("户数", "households (户)", aliases=("住户数", "总户数", "户数(户)")),
        Column("楼栋数", "buildings (栋)", aliases=("栋数", "楼栋", "楼栋数量")),
        Column("党员人数", "party members living in the compound (人)",
               aliases=("党员数", "小区党员人数", "在册党员数")),
        Column("小区党组织", "the compound's party organisation: its name, or 有/无",
               aliases=("党组织", "小区党组织名称", "是否建立小区党组织", "是否建立党组织"),
               answers=True),
        Column("党组织类型", "kind of that organisation (default 支部)"),
        Column("党组织成立时间", "when that organisation was set up (a date)",
               aliases=("成立时间", "组建时间", "小区党组织成立时间")),
        Column("业委会", "the owners' committee: its name, or 有/无",
               aliases=("业主委员会", "是否成立业委会", "是否成立业主委员会"), answers=True),
        Column("业委会委员人数", "committee members (人)", aliases=("业委会成员人数", "委员人数")),
        Column("业委会党员人数", "committee members who are party members (人)",
               aliases=("其中党员人数", "其中党员", "业委会党员数")),
        Column("业委会党组织", "the committee's party branch or work group: its name, or 有/无",
               aliases=("是否建立业委会党组织",), answers=True),
        Column("业委会党组织类型", "kind of that organisation (default 支部)"),
        Column("物管会", "the property management committee: its name, or 有/无",
               aliases=("物业管理委员会", "是否成立物管会"), answers=True),
        Column("物业公司", "property companies serving it, separated by 、 or ; (无: none)",
               aliases=("物业服务企业", "物业企业", "物业企业名称", "物业公司名称",
                        "物业服务企业名称"), answers=True),
        Column("物业党组织", "whether the property company has a party organisation: 是/否",
               aliases=("物业企业是否建立党组织", "物业公司是否建立党组织", "物业是否建立党组织"),
               answers=True),
        Column("自办物业", "self-managed property service: 是/否", answers=True),
        Column("备注", "a note"),
    ]
}
IGNORED = {"序号", "编号"}  # row numbers: nothing to read
# headers of columns of personal data no known column reads: not kept as properties, where
# every caller would see them (people's names are kept only as Person nodes, masked)
PERSONAL = re.compile(r"联系人|负责人|姓名|电话|手机|联系方式|身份证|证件|住址|微信|邮箱|书记|"
                      r"主任|楼长|网格员")
TOTALS = ("合计", "小计", "总计")  # rows that sum the others, often formulas
# the rows under a sheet where those who filled and checked it sign: 填表人：孙八 审核人：周九
SIGNATURE = re.compile(r"^(?:填表|填报|制表|审核|审批|统计|经办|负责)人?[:：]")
HEADER_ROWS = 15  # title rows (a merged title, 填报单位, 填报日期) come before the header
HEADER_KEYS = {alias: c.key for c in COLUMNS.values() for alias in (c.key, *c.aliases)}

MAX_XLSX_UNPACKED = 256 * 2**20  # a register of 100,000 compounds unpacks to about 30 MB
MAX_XLSX_RATIO = 200  # real sheets pack 5 to 20 times; bombs thousands of times
YES = {"有", "是", "y", "yes", "true", "1", "√", "✓", "✔"}
NO = {"无", "否", "n", "no", "false", "0", "×", "✗", "✘"}
YES_OR_NO = YES | NO
# how clerks word 有 and 无 in a 有/无 column: read as 有 and 无, never as a body's name
WORDED_YES = {"已成立", "已建立", "已组建", "已设立", "已建", "已有", "成立", "建立"}
WORDED_NO = {"未成立", "未建立", "未组建", "未设立", "未建", "尚未成立", "尚未建立", "暂未成立",
             "暂未建立", "暂无", "没有"}
NOT_STATED = {"/", "／", "-", "－", "--", "—", "——", "、"}  # a dash or slash: nothing stated
_NOTE = re.compile(r"\s*[（(][^（()）]*[)）]$")  # 有（2020年成立）: a note in brackets
_UNSAFE = re.compile(r"[\s/?#]+")
_COUNT = re.compile(r"^(\d{1,9})\s*(户|人|栋|个|名)?$")  # no count needs ten digits
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3})")  # 1,200: as Excel shows a count
# compounds in one register: a street's has hundreds, a district's thousands; a city's is split
# by street (so any register is read or refused within about 2 s)
MAX_ROWS = 8_000
_TOO_MANY_ROWS = (f"a register of at most {MAX_ROWS:,} compounds (rows); split a larger one "
                  "into several files, by street or community")
_TOO_MANY_ROWS_ZH = f"每份台账不超过{MAX_ROWS:,}个小区(行);更大的请按街道或社区拆成几个文件"


def segment(name: str) -> str:
    """A name as one segment of a uid (white space and URL-unsafe characters replaced)."""
    return _UNSAFE.sub("_", name.strip())


def uid(prefix: str, *names: str) -> str:
    """A uid of the documented convention, e.g. uid('compound', '景华社区', '怡枫园')."""
    return f"{prefix}:" + ".".join(segment(n) for n in names)


def _rows(path: Path, parsed: ParsedFile) -> Iterator[tuple[Location, list[Any]]]:
    if path.suffix.lower() == ".csv":
        yield from _csv_rows(path, parsed)
    else:
        yield from _xlsx_rows(path, parsed)


def _csv_row_count(text: str) -> int:
    """How many rows a CSV text holds (a quoted cell may span lines); damaged CSV counts as
    read so far, for the reader to report."""
    reader = csv.reader(io.StringIO(text, newline=""))
    count = 0
    try:
        for _ in reader:
            count += 1
    except csv.Error:
        pass
    return count


def _csv_rows(path: Path, parsed: ParsedFile) -> Iterator[tuple[Location, list[Any]]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GBK
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        parsed.problem(Location(file=str(path)), "a CSV file in UTF-8 or GBK",
                       zh="UTF-8 或 GBK 编码的 CSV 文件")
        parsed.readable = False
        return
    if _csv_row_count(text) > MAX_ROWS + 100:  # refused before the rows are read, one by one
        parsed.problem(Location(file=str(path)), _TOO_MANY_ROWS, zh=_TOO_MANY_ROWS_ZH)
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for number, row in enumerate(reader, start=1):
            yield Location(file=str(path), row=number), row
    except csv.Error as error:
        parsed.problem(Location(file=str(path), row=reader.line_num),
                       f"a CSV file with cells of at most {csv.field_size_limit():,} characters "
                       f"({error})", zh=f"每格不超过{csv.field_size_limit():,}个字符的 CSV 文件")
        parsed.readable = False


def _unzipped_size_problem(path: Path) -> str | None:
    """Why an XLSX (a zip) is not safe to open: too large unpacked, or packed so tightly that it
    is a zip bomb. None when it is fine."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        return f"an XLSX workbook ({error})"
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members) or 1
    if unpacked > MAX_XLSX_UNPACKED:
        return (f"an XLSX workbook of at most {MAX_XLSX_UNPACKED // 2**20} MB unpacked "
                f"(this one unpacks to {unpacked // 2**20} MB)")
    if unpacked > 2**20 and unpacked / packed > MAX_XLSX_RATIO:
        return (f"an XLSX workbook, not a zip bomb (it unpacks {unpacked / packed:.0f} times "
                f"larger; at most {MAX_XLSX_RATIO} expected)")
    return None


def _xlsx_rows(path: Path, parsed: ParsedFile) -> Iterator[tuple[Location, list[Any]]]:
    from openpyxl import load_workbook

    unsafe = _unzipped_size_problem(path)
    if unsafe:
        parsed.problem(Location(file=str(path)), unsafe, zh="可以安全打开的 XLSX 工作簿")
        parsed.readable = False
        return
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        parsed.problem(Location(file=str(path)), f"an XLSX workbook ({error})",
                       zh=f"XLSX 工作簿({error})")
        parsed.readable = False
        return
    try:
        for sheet in workbook.worksheets:
            number = 0
            try:
                # where in the workbook the sheet's XML is: openpyxl's read-only sheet knows
                below = _merged_below(path, getattr(sheet, "_worksheet_path", None))
                merged = {column for columns in below.values() for column in columns}
                firsts: dict[tuple[int, int], Any] = {}  # a merged range's first cell's value
                for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                    cells = list(row)
                    for column, first in below.get(number, {}).items():
                        cells += [None] * (column + 1 - len(cells))
                        cells[column] = firsts.get((first, column))
                    firsts.update({(number, c): cells[c] for c in merged if c < len(cells)})
                    yield Location(file=str(path), sheet=sheet.title, row=number), cells
            except Exception as error:  # a damaged sheet: openpyxl raises many kinds  # noqa: BLE001
                parsed.problem(Location(file=str(path), sheet=sheet.title, row=number + 1),
                               f"a readable XLSX sheet ({type(error).__name__}: {error})",
                               zh=f"可读的工作表({type(error).__name__}: {error})")
                parsed.readable = False
                return
    finally:
        workbook.close()


_MERGED = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)"')


def _merged_below(path: Path, sheet_xml: str | None) -> dict[int, dict[int, int]]:
    """The cells of the sheet's merged ranges one column wide (所属社区 merged over the rows of
    its compounds): {row: {column index: the range's first row}} for every cell below the
    first, whose value Excel shows there and openpyxl reads as empty. Reading them needs the
    sheet's XML: a read-only sheet does not say."""
    from openpyxl.utils import column_index_from_string

    below: dict[int, dict[int, int]] = {}
    if sheet_xml is None:
        return below
    with zipfile.ZipFile(path) as archive:
        xml = archive.read(sheet_xml)
    for left, top, right, bottom in _MERGED.findall(xml):
        if left != right:
            continue
        column = column_index_from_string(left.decode()) - 1
        for row in range(int(top) + 1, int(bottom) + 1):
            below.setdefault(row, {})[column] = int(top)
    return below


def _cell(value: Any) -> str:
    """A cell as text: whole numbers without .0, Excel dates as YYYY-MM-DD; typed the way a
    Chinese input method types: full-width letters and digits as ASCII, and no white space
    beside a Chinese character (芳草东街１号院 and 南苑　小区 are 芳草东街1号院 and 南苑小区, one
    compound however typed).

    >>> _cell("芳草东街１号院"), _cell(" 南苑　小区 "), _cell("Ａ栋 ２单元"), _cell("Blue Sky")
    ('芳草东街1号院', '南苑小区', 'A栋2单元', 'Blue Sky')
    """
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACE_BY_CJK.sub("", str(value).translate(_FULL_WIDTH)).strip()


# full-width letters and digits (Ａ, １): as their ASCII letters and digits
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF5B)
               if chr(code - 0xFEE0).isalnum()}
# white space (the full-width space U+3000 too) beside CJK characters and punctuation
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_BY_CJK = re.compile(f"\\s+(?=[{_CJK}])|(?<=[{_CJK}])\\s+")


_DATE_TEXT = re.compile(
    r"^(\d{4})(?:\s*[年./-]\s*(\d{1,2})(?:\s*[月./-]\s*(\d{1,2}))?)?\s*[日号月年]?$")
# the date a title row says the register speaks for: 填报日期：…, 截至…, 统计时间：…
_DATED = re.compile(r"(?:填报(?:日期|时间)|统计(?:日期|时间|截[至止](?:日期|时间)?)|"
                    r"数据截[至止](?:日期|时间)?|截[至止](?:日期|时间)?)[:：]?\s*"
                    r"(\d{4}(?:\s*[年./-][^\s，,;；(（)）]*)?)")


def register_date(text: str) -> str | None:
    """A date as officials write it (2022-09-20, 2023/1/5, 2023.1.5, 2020年5月, 2020年5月3日,
    an Excel date cell) as YYYY, YYYY-MM or YYYY-MM-DD; None when it is not one."""
    match = _DATE_TEXT.match(text.strip())
    if not match:
        return None
    year, month, day = match.groups()
    date = year + (f"-{int(month):02d}" if month else "") + (f"-{int(day):02d}" if day else "")
    try:
        return normalise_date(date)
    except BadValue:
        return None


def _header_text(text: str) -> str:
    """A header as written, without spaces, line breaks and a unit in brackets: 总户数（户）."""
    text = re.sub(r"\s+", "", text).replace("（", "(").replace("）", ")").rstrip(":：")
    bare = re.sub(r"\([^)]*\)$", "", text)
    return text if text in HEADER_KEYS else bare


@dataclass(frozen=True)
class RegisterOptions:
    """How to read registers laid out otherwise: ``columns`` maps a header as written to a
    column (or "ignore"); ``defaults`` give a column's value where the sheet has none (a street's
    own register has no 所属区)."""

    columns: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)

    def key_of(self, header: str) -> str | None:
        """The column a header names (None: not known), or "ignore"."""
        text = _header_text(header)
        chosen = self.columns.get(header.strip()) or self.columns.get(text)
        if chosen:
            return chosen
        return "ignore" if text in IGNORED else HEADER_KEYS.get(text)


def given_defaults(items: list[str]) -> dict[str, str]:
    """Defaults given as column=value (the CLI's --default, the upload's default=); raises
    ValueError naming one that is not."""
    defaults = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"{item!r}: expected column=value, e.g. 所属区=福田区")
        defaults[key.strip()] = value.strip()
    return defaults


def options_problems(options: RegisterOptions) -> list[str]:
    """What is wrong with given options: each a message."""
    known = set(COLUMNS) | {"ignore"}
    problems = [f"columns: {header!r} → {key!r}: expected one of " + ", ".join(sorted(known))
                for header, key in options.columns.items() if key not in known]
    problems += [f"defaults: {key!r}: expected a column, one of " + ", ".join(COLUMNS)
                 for key in options.defaults if key not in COLUMNS]
    return problems


def read_options(path: Path) -> RegisterOptions:
    """A mapping file (YAML): ``columns: {header as written: column or ignore}`` and
    ``defaults: {column: value}``. Raises ValueError saying what is wrong."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ValueError(f"{path}: expected a readable YAML mapping file ({error})") from None
    if not isinstance(data, dict) or set(data) - {"columns", "defaults"} or not all(
            isinstance(data.get(k) or {}, dict) for k in ("columns", "defaults")):
        raise ValueError(f"{path}: expected a mapping with columns: {{header: column}} and "
                         "defaults: {column: value}")
    options = RegisterOptions(
        columns={str(k).strip(): str(v).strip() for k, v in (data.get("columns") or {}).items()},
        defaults={str(k).strip(): str(v).strip()
                  for k, v in (data.get("defaults") or {}).items()})
    problems = options_problems(options)
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return options


REGISTER_SOURCE = "source:台账."  # the uid of a register source, but for its name


def register_source(name: str) -> str:
    """The uid of the register source called ``name`` (a uid already: itself)."""
    return name if name.startswith("source:") else REGISTER_SOURCE + segment(name)


PREVIEW_ROWS = 5  # rows a layout shows as they would load


@dataclass
class _Sheet:
    """What is known of the sheet being read: its header, once found, and the rows before."""

    name: str | None
    layout: RegisterLayout
    header: list[str | None] | None = None
    header_texts: list[str] = field(default_factory=list)  # as written (two rows: read together)
    header_at: Location | None = None
    checked: bool = False  # the header's columns checked: once the row under it is known
    extra: dict[int, str] = field(default_factory=dict)  # column → header kept as a property
    before: int = 0
    missing: bool = False  # a required column is missing: one problem, its rows not read


def read_register(path: Path, source_name: str | None = None,
                  options: RegisterOptions | None = None) -> ParsedFile:
    """Read one register, an edition of the source ``source_name`` (by default its file name
    without the suffix); every problem is collected, none is raised. Title rows before the
    header are skipped (a 填报日期 among them dates the edition), 序号 columns ignored, 合计
    rows skipped and named in a warning."""
    options = options or RegisterOptions()
    source = register_source(source_name or path.stem)
    parsed = ParsedFile(path=str(path), source=source, kind="register", title=path.name)
    # a source named apart from its files may be split across several: its node names no file
    add_node(parsed, Location(file=str(path)), source, uid=source, type_name="Source",
             name=f"台账 {source_name or path.name}",
             properties={} if source_name else {"file": path.name})
    sheet = _Sheet(name="\0", layout=RegisterLayout(file=str(path)))
    rows = 0
    shared_stated: dict[str, tuple[str, str]] = {}  # places and firms stated (_read_row)
    for location, cells in _rows(path, parsed):
        values = [_cell(v) for v in cells]
        if location.sheet != sheet.name:
            _header_checked(sheet, parsed, options)
            sheet = _Sheet(name=location.sheet,
                           layout=RegisterLayout(file=str(path), sheet=location.sheet))
            parsed.layouts.append(sheet.layout)
        if not any(values):
            continue
        if sheet.header is None:
            _title_or_header(location, values, sheet, parsed, options)
            continue
        if not sheet.checked:
            second = _second_header_row(sheet, values, options)
            if second is not None:  # 业委会 over 是否成立 / 委员人数 / 其中党员
                _use_header(second, sheet, options)
                sheet.layout.skipped.append(f"第{location.row}行:表头第二行")
                _header_checked(sheet, parsed, options)
                continue
            _header_checked(sheet, parsed, options)
        if sheet.missing:
            continue
        skipped = _not_a_compound(values)
        if skipped:
            english, chinese = skipped
            parsed.warnings.append(Problem(location=location, value=" ".join(v for v in values
                                                                               if v)[:80],
                                           expected=f"a compound: {english}, skipped",
                                           expected_zh=f"小区:这是{chinese},已跳过"))
            sheet.layout.skipped.append(f"第{location.row}行:{chinese}")
            continue
        rows += 1
        if rows > MAX_ROWS:
            parsed.problem(location, _TOO_MANY_ROWS, zh=_TOO_MANY_ROWS_ZH)
            break
        row = {**options.defaults, **{key: value for i, key in enumerate(sheet.header)
                                      if key and key != "ignore" and i < len(values)
                                      and (value := _read_cell(key, values[i]))}}
        extra = [f"{name}: {values[i]}" for i, name in sheet.extra.items()
                 if i < len(values) and values[i]]
        if len(sheet.layout.rows) < PREVIEW_ROWS:
            sheet.layout.rows.append({**row, **dict(e.split(": ", 1) for e in extra)})
        _read_row(location, row, source, parsed, extra, shared_stated)
    _header_checked(sheet, parsed, options)
    if not rows and not parsed.problems:  # loaded, it would take every compound out
        if not any(layout.header_row for layout in parsed.layouts):
            parsed.problem(Location(file=str(path)), "a header row naming 小区名称 and another "
                           "known column (see docs/registers.md): every row was read as a "
                           "title", field="header",
                           zh="表头行(含“小区名称”和另一已知列名,见 docs/registers.md);"
                              "未找到表头,各行都被当作标题行")
        else:
            parsed.problem(Location(file=str(path)), "at least one compound under the header "
                           "(to take a register out, unload it)", field="rows",
                           zh="表头下至少有一个小区(要撤下一份台账,请用 unload)")
    return parsed


def _not_a_compound(values: list[str]) -> tuple[str, str] | None:
    """What a row under the header is when it is no compound: a 合计 row (spaced, 合 计, or
    with a note, 合计（2个小区）) or a signature row (填表人：… 审核人：…); None for a compound."""
    first = values[:3]  # cells have no white space beside a Chinese character (_cell)
    if any(v.startswith(TOTALS) for v in first):
        return "a 合计 row", "合计行"
    if any(SIGNATURE.match(v) for v in first):
        return "a signature row (填表人, 审核人)", "签字行"
    return None


def _read_cell(key: str, text: str) -> str:
    """A cell as the row reads it: a 有/无 column's answer however worded (see _answer)."""
    return _answer(text) if COLUMNS[key].answers else text


def _answer(text: str) -> str:
    """A 有/无 cell: 有 or 无 however worded (已成立, 暂无, 有（2020年成立）), blank for a dash or
    a slash (nothing stated), else as written (a body's name).

    >>> [_answer(t) for t in ("已成立", "暂无", "有（2020年成立）", "—", "阳光物业（北京）")]
    ['有', '无', '有', '', '阳光物业（北京）']
    """
    bare = _NOTE.sub("", text).strip().lower()
    if bare in NOT_STATED:
        return ""
    return "有" if bare in WORDED_YES else "无" if bare in WORDED_NO else \
        bare if bare in YES_OR_NO else text


def _title_or_header(location: Location, values: list[str], sheet: _Sheet, parsed: ParsedFile,
                     options: RegisterOptions) -> None:
    """A row before the header: the header itself (it names the compound column and another
    known one), a title row (a 填报日期 in it dates the edition), or, too far down, a problem."""
    keys = [options.key_of(v) if v else None for v in values]
    if "小区名称" in keys and sum(1 for k in keys if k and k != "ignore") >= 2:
        _use_header(values, sheet, options)
        sheet.header_at = location
        sheet.layout.header_row = location.row
        sheet.layout.as_of = parsed.as_of
        return
    text = " ".join(values)
    dated = _DATED.search(text)
    if dated:
        date = register_date(dated.group(1))
        if date and first_day(date) > today_anywhere():
            parsed.problem(location, "a date no later than today", field="填报日期",
                           value=dated.group(1), zh="不晚于今天的日期")
        elif date:
            parsed.as_of = first_day(date)
    sheet.before += 1
    sheet.layout.skipped.append(f"第{location.row}行:表头之前的标题行({text[:40]})")
    if sheet.before == HEADER_ROWS:
        parsed.problem(location, f"a header row within the first {HEADER_ROWS} rows, naming "
                       "小区名称 and the other columns (see docs/registers.md)", field="header",
                       zh=f"前{HEADER_ROWS}行内有表头行,含“小区名称”等列")


def _use_header(texts: list[str], sheet: _Sheet, options: RegisterOptions) -> None:
    sheet.header_texts = texts
    sheet.header = [options.key_of(text) if text else None for text in texts]


def _header_checked(sheet: _Sheet, parsed: ParsedFile, options: RegisterOptions) -> None:
    """Once the row under the header is known (a second header row, or the first compound):
    how each column is read, and the columns that cannot be placed (``_check_header``)."""
    if sheet.header is None or sheet.checked or sheet.header_at is None:
        return
    sheet.checked = True
    sheet.layout.columns = [
        ColumnReading(header=text, column=None if key == "ignore" else key,
                      reading="ignored" if key == "ignore" else "read" if key
                      else "not kept: personal data" if PERSONAL.search(text)
                      else "kept as a property")
        for text, key in zip(sheet.header_texts, sheet.header, strict=True) if text]
    _check_header(sheet.header_at, sheet.header_texts, sheet, parsed, options)


_NUMBER = re.compile(r"[\d,.]+")


def _second_header_row(sheet: _Sheet, values: list[str], options: RegisterOptions
                       ) -> list[str] | None:
    """The header read with the row under it, when that row is a second header row: under
    the compound's name nothing (or the name's header again, merged down), and in the other
    columns no number. A column under a group header (业委会 written once over 是否成立,
    委员人数, 其中党员) is read under it (see ``_under_group``); None for a compound's row.

    >>> sheet = _Sheet(name=None, layout=RegisterLayout(file="台账.xlsx"))
    >>> _use_header(["小区名称", "所属社区", "业委会情况", "", "", "物业服务企业"], sheet,
    ...             RegisterOptions())
    >>> _second_header_row(sheet, ["小区名称", "", "是否成立", "委员人数", "其中党员", "名称"],
    ...                    RegisterOptions())
    ['小区名称', '所属社区', '业委会', '业委会委员人数', '其中党员', '物业公司']
    >>> _second_header_row(sheet, ["怡枫园", "景华社区", "有", "5", "3", ""], RegisterOptions())
    """
    assert sheet.header is not None
    top = sheet.header_texts + [""] * (len(values) - len(sheet.header_texts))
    at = sheet.header.index("小区名称")
    name = values[at] if at < len(values) else ""
    new = [v for v, t in zip(values, top, strict=False) if v and v != t]
    if name not in ("", "小区名称", top[at]) or not new or any(_NUMBER.fullmatch(v) for v in new):
        return None
    texts, group = [], ""
    for i, above in enumerate(top):
        group = above or group  # a blank cell above: the group header on its left spans it
        below = values[i] if i < len(values) else ""
        texts.append(_under_group(group, below, options) if below and below != group
                     else above)
    return texts


_GROUP = re.compile(r"(基本)?(建设|组建|服务)?(情况|信息)$")  # 业委会情况, 党组织建设情况
_WHETHER = frozenset({"是否成立", "是否建立", "是否组建", "有无", "成立情况", "建立情况",
                      "名称", "企业名称", "公司名称"})


def _under_group(group: str, sub: str, options: RegisterOptions) -> str:
    """The header of a column under a group header, as its column is known: 业委会 over
    是否成立 is 业委会, over 委员人数 业委会委员人数, over 其中党员 其中党员 (业委会党员人数);
    a column neither names is read as the two together, kept as a property.

    >>> [_under_group(g, s, RegisterOptions()) for g, s in (
    ...     ("业主委员会", "是否成立"), ("业委会", "委员人数"), ("小区党组织", "成立时间"),
    ...     ("物业服务情况", "企业名称"), ("基本情况", "户数"), ("业委会", "换届时间"))]
    ['业委会', '业委会委员人数', '小区党组织成立时间', '物业企业名称', '户数', '业委会换届时间']
    """
    bare = _GROUP.sub("", _header_text(group))
    key = options.key_of(group) or options.key_of(bare)
    stem = key if key and key != "ignore" else bare
    column = COLUMNS.get(key or "")
    if column is not None and column.answers and _header_text(sub) in _WHETHER:
        return column.key
    if options.key_of(stem + sub):
        return stem + sub
    found = options.key_of(sub)  # 其中党员 under 业委会; not 是否建立党组织 under 物业服务情况
    return sub if found and found.startswith(stem) else stem + sub


def _check_header(location: Location, values: list[str], sheet: _Sheet, parsed: ParsedFile,
                  options: RegisterOptions) -> None:
    """Columns that cannot be placed are kept as properties (and named in a warning); a
    required column neither in the sheet nor given a default is one problem for the file."""
    assert sheet.header is not None
    for i, (text, key) in enumerate(zip(values, sheet.header, strict=True)):
        if text and key is None and PERSONAL.search(text):
            parsed.warnings.append(Problem(
                location=location, field="header", value=text,
                expected="a column govgraph keeps: personal data (names, telephone numbers, "
                         "ID numbers, addresses) in a column of its own is not kept",
                expected_zh="可保存的列:单独一列的个人信息(姓名、电话、身份证号、住址)不保存"))
        elif text and key is None:
            sheet.extra[i] = _header_text(text)
            parsed.warnings.append(Problem(
                location=location, field="header", value=text,
                expected="a known column (see docs/registers.md, or map it with --columns): "
                         "kept as a property of each compound",
                expected_zh="已知的列名(见 docs/registers.md,或用列对照文件指定);"
                            "已作为各小区的属性保留"))
    for column in COLUMNS.values():
        if column.required and column.key not in sheet.header and \
                column.key not in options.defaults:
            parsed.problem(location, f"a column {column.key} ({column.meaning}), or its value "
                           f"for every row: --default {column.key}=…", field="header",
                           zh=f"有“{column.key}”列,或为全表填写{column.key}")
            sheet.missing = True


def _presence(row: dict[str, str], key: str, default_name: str) -> str | None:
    """A body named in a column: its name, the default name for 有, None for 无 or blank."""
    value = row.get(key, "")
    if not value or value.lower() in NO:
        return None
    return default_name if value.lower() in YES else value


# The facets of a compound (or of its committee) a register column speaks for whole: once a row
# fills the column, older statements of other bodies there are superseded (无 included).
FACETS: dict[str, tuple[str, str]] = {  # column → (relationship into the anchor, other type)
    "小区党组织": ("ESTABLISHED_IN", "PartyOrganization"),
    "业委会": ("REPRESENTS", "OwnersCommittee"),
    "业委会党组织": ("ESTABLISHED_IN", "PartyOrganization"),
    "物管会": ("REPRESENTS", "PropertyManagementCommittee"),
    "物业公司": ("SERVES", "PropertyCompany"),
}
NO_FIRM = NO | {"无物业", "没有物业"}
NO_FIRM_NAMED = NO_FIRM | YES  # 有: served by a firm the register does not name


def _count(parsed: ParsedFile, location: Location, row: dict[str, str], key: str,
           unit: str) -> dict[str, Any] | None:
    value = row.get(key, "")
    if not value:
        return None
    match = _COUNT.match(_THOUSANDS.sub("", value))
    if not match:
        parsed.problem(location, f"a whole number >= 0 of at most 9 digits (of {unit})",
                       zh=f"不超过9位的非负整数(单位{unit}),如 1200 或 1200{unit}",
                       field=key, value=value)
        return None
    return {"value": int(match[1]), "unit": unit}


def _read_row(location: Location, row: dict[str, str], source: str, parsed: ParsedFile,
              extra: list[str], shared_stated: dict[str, tuple[str, str]]) -> None:
    if any(not row.get(c.key) for c in COLUMNS.values() if c.required):
        for column in (c for c in COLUMNS.values() if c.required and not row.get(c.key)):
            parsed.problem(location, f"a value: {column.meaning}", field=column.key, value="",
                           zh=f"填写{column.key}")
        return
    evidence = f"{location.sheet + ' ' if location.sheet else ''}第{location.row}行"
    names = {k: row[k] for k in ("小区名称", "所属社区", "所属街道", "所属区")}
    compound = uid("compound", names["所属社区"], names["小区名称"])
    community = uid("community", names["所属街道"], names["所属社区"])
    street = uid("street", names["所属区"], names["所属街道"])

    def node(uid_: str, type_name: str, name: str, shared: bool = False, **properties: Any
             ) -> None:
        """A node of this row; places and firms shared by many rows cite the register without
        a row, so they do not list every row that names them, and are stated again only where
        a row states them apart from the first (the rows of a street's register name its street
        60 times, each alike)."""
        if shared and shared_stated.get(uid_) == (type_name, name):
            return
        properties = {k: v for k, v in properties.items() if v is not None}
        add_node(parsed, location, source, uid=uid_, type_name=type_name, name=name,
                 properties=properties, evidence=None if shared else evidence)
        if shared and uid_ not in parsed.rejected:  # a rejected one is told of on every row
            shared_stated.setdefault(uid_, (type_name, name))

    def edge(type_name: str, start: str, end: str) -> None:
        add_edge(parsed, location, source, uid=None, type_name=type_name, start=start, end=end,
                 properties={}, evidence=evidence)

    def speaks_for(column: str, anchor: str) -> None:
        if row.get(column):
            relation, other = FACETS[column]
            parsed.claims.append(Claim(anchor, relation, "in", other))

    def stated(column: str, no: set[str] = NO) -> bool | None:
        """What a 有/无 cell states: a name or 有 is true, 无 false, blank not recorded."""
        value = row.get(column, "").lower()
        return None if not value else value not in no

    self_managed = row.get("自办物业", "").lower()
    if self_managed and self_managed not in YES_OR_NO:
        parsed.problem(location, "是 or 否", field="自办物业", value=row["自办物业"],
                       zh="是或否")
    node(compound, "Compound", names["小区名称"],
         households=_count(parsed, location, row, "户数", "户"),
         buildings=_count(parsed, location, row, "楼栋数", "栋"),
         party_members=_count(parsed, location, row, "党员人数", "人"),
         self_managed_property=(self_managed in YES) if self_managed in YES_OR_NO else None,
         has_party_organization=stated("小区党组织"), has_owners_committee=stated("业委会"),
         has_management_committee=stated("物管会"),
         has_property_company=stated("物业公司", NO_FIRM),
         note=row.get("备注") or None, register_columns=extra or None)
    node(community, "Community", names["所属社区"], shared=True)
    node(street, "StreetOffice", names["所属街道"], shared=True)
    edge("PART_OF", compound, community)
    edge("PART_OF", community, street)
    if row.get("所属市"):
        district = uid("district", row["所属市"], names["所属区"])
        node(district, "District", names["所属区"], shared=True)
        node(uid("city", row["所属市"]), "City", row["所属市"], shared=True)
        edge("PART_OF", street, district)
        edge("PART_OF", district, uid("city", row["所属市"]))

    def party(column: str, kind_column: str, default_name: str, party_uid: str, home: str,
              established: str | None = None) -> None:
        name = _presence(row, column, default_name)
        if not name:
            return
        kind = row.get(kind_column) or "支部"
        if kind not in PARTY_ORGANIZATION_KINDS:
            parsed.problem(location, "one of " + ", ".join(PARTY_ORGANIZATION_KINDS),
                           zh="以下之一:" + "、".join(PARTY_ORGANIZATION_KINDS),
                           field=kind_column, value=kind)
            return
        node(party_uid, "PartyOrganization", name, kind=kind, established=established)
        edge("ESTABLISHED_IN", party_uid, home)

    def role(name: str) -> str:
        return uid("party", names["所属社区"], names["小区名称"], name)

    established = None
    if row.get("党组织成立时间"):
        established = register_date(row["党组织成立时间"])
        if established is None:
            parsed.problem(location, "a date: 2022-09-20, 2023/1/5, 2023.1.5 or 2020年5月",
                           zh="日期,如 2022-09-20、2023/1/5、2023.1.5 或 2020年5月",
                           field="党组织成立时间", value=row["党组织成立时间"])

    for facet in ("小区党组织", "业委会", "物管会", "物业公司"):
        speaks_for(facet, compound)
    party("小区党组织", "党组织类型", f"{names['小区名称']}党支部", role("小区党支部"), compound,
          established)
    committee_name = _presence(row, "业委会", f"{names['小区名称']}业主委员会")
    if committee_name:
        committee = uid("committee", names["所属社区"], names["小区名称"])
        members = _count(parsed, location, row, "业委会委员人数", "人")
        party_members = _count(parsed, location, row, "业委会党员人数", "人")
        if members and party_members and party_members["value"] > members["value"]:
            parsed.problem(location, f"at most the committee's members ({members['value']})",
                           field="业委会党员人数", value=row["业委会党员人数"],
                           zh=f"不超过业委会委员人数({members['value']})")
        node(committee, "OwnersCommittee", committee_name, members=members,
             party_members=party_members, has_party_organization=stated("业委会党组织"))
        edge("REPRESENTS", committee, compound)
        speaks_for("业委会党组织", committee)
        party("业委会党组织", "业委会党组织类型", f"{names['小区名称']}业委会党支部",
              role("业委会党支部"), committee)
    elif _presence(row, "业委会党组织", "有"):
        parsed.problem(location, "a 业委会 in the same row for its party organisation",
                       zh="同一行有业委会,才有业委会党组织",
                       field="业委会党组织", value=row["业委会党组织"])
    pmc_name = _presence(row, "物管会", f"{names['小区名称']}物业管理委员会")
    if pmc_name:
        pmc = uid("pmc", names["所属社区"], names["小区名称"])
        node(pmc, "PropertyManagementCommittee", pmc_name)
        edge("REPRESENTS", pmc, compound)
    firms = "" if row.get("物业公司", "").lower() in NO_FIRM_NAMED else row.get("物业公司", "")
    firm_party = row.get("物业党组织", "").lower()
    if firm_party and firm_party not in YES_OR_NO:
        parsed.problem(location, "是 or 否", field="物业党组织", value=row["物业党组织"],
                       zh="是或否")
    for company in filter(None, re.split(r"[、;；,，]\s*", firms)):
        company_uid = uid("property", company)
        node(company_uid, "PropertyCompany", company.strip(), shared=True)
        edge("SERVES", company_uid, compound)
        if firm_party in YES:  # the firm's own party organisation
            row["物业党组织"] = "有"
            firm_party_uid = uid("party", company, "党支部")
            party("物业党组织", "", f"{company.strip()}党支部", firm_party_uid, company_uid)
            edge("SERVES", firm_party_uid, compound)  # the compound's, by the 口径
