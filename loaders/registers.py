"""Registers (台账) in CSV or XLSX, one compound a row, with Chinese column headers → statements.

The header mapping is ``COLUMNS`` (documented in docs/registers.md). Places and bodies get the
uids of the documented convention, so a register row and a case record naming the same compound
become one node.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govgraph.graph.model import Claim, Location
from govgraph.graph.vocabulary import PARTY_ORGANIZATION_KINDS
from govgraph.loaders.statements import ParsedFile, add_edge, add_node


@dataclass(frozen=True)
class Column:
    key: str
    meaning: str
    required: bool = False
    aliases: tuple[str, ...] = ()


COLUMNS: dict[str, Column] = {
    c.key: c
    for c in [
        Column("小区名称", "the compound's name", required=True, aliases=("小区",)),
        Column("所属社区", "its community", required=True, aliases=("社区",)),
        Column("所属街道", "its street office or town", required=True, aliases=("街道", "所属镇")),
        Column("所属区", "its district", required=True, aliases=("区",)),
        Column("所属市", "its city (links the district to the city)", aliases=("市",)),
        Column("户数", "households (户)", aliases=("住户数",)),
        Column("楼栋数", "buildings (栋)"),
        Column("党员人数", "party members living in the compound (人)"),
        Column("小区党组织", "the compound's party organisation: its name, or 有/无",
               aliases=("党组织",)),
        Column("党组织类型", "kind of that organisation (default 支部)"),
        Column("业委会", "the owners' committee: its name, or 有/无", aliases=("业主委员会",)),
        Column("业委会委员人数", "committee members (人)"),
        Column("业委会党员人数", "committee members who are party members (人)"),
        Column("业委会党组织", "the committee's party branch or work group: its name, or 有/无"),
        Column("业委会党组织类型", "kind of that organisation (default 支部)"),
        Column("物管会", "the property management committee: its name, or 有/无"),
        Column("物业公司", "property companies serving it, separated by 、 or ; (无: none)"),
        Column("自办物业", "self-managed property service: 是/否"),
        Column("备注", "a note"),
    ]
}
HEADER_KEYS = {alias: c.key for c in COLUMNS.values() for alias in (c.key, *c.aliases)}
MAX_XLSX_UNPACKED = 256 * 2**20  # a register of 100,000 compounds unpacks to about 30 MB
MAX_XLSX_RATIO = 200  # real sheets pack 5 to 20 times; bombs thousands of times
YES = {"有", "是", "y", "yes", "true", "1", "√"}
NO = {"无", "否", "n", "no", "false", "0", "×"}
_UNSAFE = re.compile(r"[\s/?#]+")
_COUNT = re.compile(r"^(\d{1,9})\s*(户|人|栋|个|名)?$")  # no count needs ten digits
# compounds in one register: a street's has hundreds, a district's thousands; a city's is split
# by street (so any register is read or refused within about 2 s)
MAX_ROWS = 8_000
_TOO_MANY_ROWS = (f"a register of at most {MAX_ROWS:,} compounds (rows); split a larger one "
                  "into several files, by street or community")


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
        parsed.problem(Location(file=str(path)), "a CSV file in UTF-8 or GBK")
        parsed.readable = False
        return
    if _csv_row_count(text) > MAX_ROWS + 100:  # refused before the rows are read, one by one
        parsed.problem(Location(file=str(path)), _TOO_MANY_ROWS)
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for number, row in enumerate(reader, start=1):
            yield Location(file=str(path), row=number), row
    except csv.Error as error:
        parsed.problem(Location(file=str(path), row=reader.line_num),
                       f"a CSV file with cells of at most {csv.field_size_limit():,} characters "
                       f"({error})")
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
        parsed.problem(Location(file=str(path)), unsafe)
        parsed.readable = False
        return
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        parsed.problem(Location(file=str(path)), f"an XLSX workbook ({error})")
        parsed.readable = False
        return
    try:
        for sheet in workbook.worksheets:
            number = 0
            try:
                for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                    yield Location(file=str(path), sheet=sheet.title, row=number), list(row)
            except Exception as error:  # a damaged sheet: openpyxl raises many kinds  # noqa: BLE001
                parsed.problem(Location(file=str(path), sheet=sheet.title, row=number + 1),
                               f"a readable XLSX sheet ({type(error).__name__}: {error})")
                parsed.readable = False
                return
    finally:
        workbook.close()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def register_source(name: str) -> str:
    """The uid of the register source called ``name`` (a uid already: itself)."""
    return name if name.startswith("source:") else uid("source", "台账", name)


def read_register(path: Path, source_name: str | None = None) -> ParsedFile:
    """Read one register, an edition of the source ``source_name`` (by default its file name
    without the suffix); every problem is collected, none is raised."""
    source = register_source(source_name or path.stem)
    parsed = ParsedFile(path=str(path), source=source, kind="register", title=path.name)
    # a source named apart from its files may be split across several: its node names no file
    add_node(parsed, Location(file=str(path)), source, uid=source, type_name="Source",
             name=f"台账 {source_name or path.name}",
             properties={} if source_name else {"file": path.name})
    header: list[str | None] | None = None
    header_sheet: str | None = None
    rows = 0
    for location, cells in _rows(path, parsed):
        values = [_cell(v) for v in cells]
        if location.sheet != header_sheet:
            header, header_sheet = None, location.sheet
        if not any(values):
            continue
        if header is None:
            header = _read_header(location, values, parsed)
            continue
        rows += 1
        if rows > MAX_ROWS:
            parsed.problem(location, _TOO_MANY_ROWS)
            break
        row = {key: values[i] for i, key in enumerate(header) if key and i < len(values)}
        _read_row(location, row, source, parsed)
    return parsed


def _read_header(location: Location, values: list[str], parsed: ParsedFile) -> list[str | None]:
    header: list[str | None] = []
    for text in values:
        key = HEADER_KEYS.get(text)
        if text and key is None:
            parsed.problem(location, "a known column (see docs/registers.md): "
                           + ", ".join(COLUMNS), field="header", value=text)
        header.append(key)
    for column in COLUMNS.values():
        if column.required and column.key not in header:
            parsed.problem(location, f"a column {column.key} ({column.meaning})", field="header")
    return header


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


def _count(parsed: ParsedFile, location: Location, row: dict[str, str], key: str,
           unit: str) -> dict[str, Any] | None:
    value = row.get(key, "")
    if not value:
        return None
    match = _COUNT.match(value)
    if not match:
        parsed.problem(location, f"a whole number >= 0 of at most 9 digits (of {unit})",
                       field=key, value=value)
        return None
    return {"value": int(match[1]), "unit": unit}


def _read_row(location: Location, row: dict[str, str], source: str, parsed: ParsedFile) -> None:
    if any(not row.get(c.key) for c in COLUMNS.values() if c.required):
        for column in (c for c in COLUMNS.values() if c.required and not row.get(c.key)):
            parsed.problem(location, f"a value: {column.meaning}", field=column.key, value="")
        return
    evidence = f"{location.sheet + ' ' if location.sheet else ''}第{location.row}行"
    names = {k: row[k] for k in ("小区名称", "所属社区", "所属街道", "所属区")}
    compound = uid("compound", names["所属社区"], names["小区名称"])
    community = uid("community", names["所属街道"], names["所属社区"])
    street = uid("street", names["所属区"], names["所属街道"])

    def node(uid_: str, type_name: str, name: str, shared: bool = False, **properties: Any
             ) -> None:
        """A node of this row; places and firms shared by many rows cite the register without
        a row, so they do not list every row that names them."""
        properties = {k: v for k, v in properties.items() if v is not None}
        add_node(parsed, location, source, uid=uid_, type_name=type_name, name=name,
                 properties=properties, evidence=None if shared else evidence)

    def edge(type_name: str, start: str, end: str) -> None:
        add_edge(parsed, location, source, uid=None, type_name=type_name, start=start, end=end,
                 properties={}, evidence=evidence)

    def speaks_for(column: str, anchor: str) -> None:
        if row.get(column):
            relation, other = FACETS[column]
            parsed.claims.append(Claim(anchor, relation, "in", other))

    self_managed = row.get("自办物业", "").lower()
    if self_managed and self_managed not in YES | NO:
        parsed.problem(location, "是 or 否", field="自办物业", value=row["自办物业"])
    node(compound, "Compound", names["小区名称"],
         households=_count(parsed, location, row, "户数", "户"),
         buildings=_count(parsed, location, row, "楼栋数", "栋"),
         party_members=_count(parsed, location, row, "党员人数", "人"),
         self_managed_property=(self_managed in YES) if self_managed in YES | NO else None,
         note=row.get("备注") or None)
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

    def party(column: str, kind_column: str, default_name: str, role: str, home: str) -> None:
        name = _presence(row, column, default_name)
        if not name:
            return
        kind = row.get(kind_column) or "支部"
        if kind not in PARTY_ORGANIZATION_KINDS:
            parsed.problem(location, "one of " + ", ".join(PARTY_ORGANIZATION_KINDS),
                           field=kind_column, value=kind)
            return
        party_uid = uid("party", names["所属社区"], names["小区名称"], role)
        node(party_uid, "PartyOrganization", name, kind=kind)
        edge("ESTABLISHED_IN", party_uid, home)

    for facet in ("小区党组织", "业委会", "物管会", "物业公司"):
        speaks_for(facet, compound)
    party("小区党组织", "党组织类型", f"{names['小区名称']}党支部", "小区党支部", compound)
    committee_name = _presence(row, "业委会", f"{names['小区名称']}业主委员会")
    if committee_name:
        committee = uid("committee", names["所属社区"], names["小区名称"])
        node(committee, "OwnersCommittee", committee_name,
             members=_count(parsed, location, row, "业委会委员人数", "人"),
             party_members=_count(parsed, location, row, "业委会党员人数", "人"))
        edge("REPRESENTS", committee, compound)
        speaks_for("业委会党组织", committee)
        party("业委会党组织", "业委会党组织类型", f"{names['小区名称']}业委会党支部",
              "业委会党支部", committee)
    elif _presence(row, "业委会党组织", "有"):
        parsed.problem(location, "a 业委会 in the same row for its party organisation",
                       field="业委会党组织", value=row["业委会党组织"])
    pmc_name = _presence(row, "物管会", f"{names['小区名称']}物业管理委员会")
    if pmc_name:
        pmc = uid("pmc", names["所属社区"], names["小区名称"])
        node(pmc, "PropertyManagementCommittee", pmc_name)
        edge("REPRESENTS", pmc, compound)
    firms = "" if row.get("物业公司", "").lower() in NO_FIRM else row.get("物业公司", "")
    for company in filter(None, re.split(r"[、;；,，]\s*", firms)):
        company_uid = uid("property", company)
        node(company_uid, "PropertyCompany", company.strip(), shared=True)
        edge("SERVES", company_uid, compound)
