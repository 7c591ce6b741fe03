"""The bad-input corpus: hostile uploads within the upload size limit, each read as an upload
is (read, then checked and merged), timed in a process of its own that is cut off when it runs
far past the target.

    .venv/bin/python -m benchmarks.bad_input   # this step alone, a table on stdout (about 20 s)

The target: every input within the upload limit is accepted or refused within TARGET seconds.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import shutil
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import yaml

from govgraph.graph.model import InvalidInput
from govgraph.graph.storage.base import collector_paused
from govgraph.loaders import input_files, read_file
from govgraph.loaders.assemble import assemble
from govgraph.loaders.records import MAX_FIELDS, MAX_VALUES
from govgraph.loaders.registers import MAX_ROWS
from govgraph.service.settings import Settings

TARGET = 2.0  # seconds
CUTOFF = 10.0  # seconds: an input still being read then is stopped, and reported as over it
LIMIT: int = Settings.model_fields["max_upload_bytes"].default  # the default upload limit
REGISTER_HEADER = "小区名称,所属社区,所属街道,所属区\n"


def nested_lists(size: int) -> bytes:
    """Lists in lists, ``size`` bytes: as YAML or JSON."""
    return ("[" * (size // 2) + "]" * (size // 2)).encode()


def alias_bomb() -> bytes:
    """A YAML 'billion laughs': nine levels of nine aliases to the level above."""
    levels = "".join(f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9)
                     + "]\n" for i in range(8))
    return ("a: &a [x, x, x, x, x, x, x, x, x]\n" + levels + "source: *i\n").encode()


def huge_string_record(size: int, yaml_text: bool = False) -> bytes:
    """A record whose source title is one string of CJK characters, ``size`` bytes in all."""
    title = "工" * ((size - 200) // 3)
    if yaml_text:
        return f"source:\n  uid: source:x\n  title: {title}\n".encode()
    return json.dumps({"source": {"uid": "source:x", "title": title}},
                      ensure_ascii=False).encode()


def flat_yaml_list(size: int) -> bytes:
    """One value a line, ``size`` bytes: millions of values."""
    return b"- x\n" * (size // 4)


def flat_json_lists(size: int) -> bytes:
    """Empty lists in a list, ``size`` bytes: the most objects JSON makes of its bytes."""
    return b"[" + b"[]," * (size // 3 - 1) + b"[]]"


def well_formed_record(json_text: bool = False) -> bytes:
    """A record just within the value limit that is right: a community and its compounds,
    each compound a node and a PART_OF relationship (14 values)."""
    count = (MAX_VALUES - 30) // 14
    community = "community:莲花街道.景华社区"
    actors = [{"uid": community, "type": "Community", "name": "景华社区"}] + [
        {"uid": f"compound:景华社区.小区{i}", "type": "Compound", "name": f"小区{i}"}
        for i in range(count)]
    links = [{"type": "PART_OF", "from": f"compound:景华社区.小区{i}", "to": community}
             for i in range(count)]
    record = {"source": {"uid": "source:bench.测试", "title": "测试"}, "actors": actors,
              "relationships": links}
    if json_text:
        return json.dumps(record, ensure_ascii=False).encode()
    return yaml.safe_dump(record, allow_unicode=True, width=200).encode()


def empty_entries_record(json_text: bool = False) -> bytes:
    """A record just within the loader's value limit whose every entry is an empty mapping:
    three problems a value, the most any shape makes (until the loader stops counting)."""
    count = MAX_VALUES - 20
    if json_text:
        return ('{"source": {"uid": "source:x", "title": "t"}, "projects": ['
                + ", ".join(["{}"] * count) + "]}").encode()
    return ("source: {uid: 'source:x', title: t}\nprojects:\n" + "  - {}\n" * count).encode()


def unknown_fields_record() -> bytes:
    """Entries of as many unknown fields as the loader reads in one (a problem each), as many
    as the value limit allows."""
    fields = "".join(f"k{i}: 1, " for i in range(MAX_FIELDS - 3))
    entry = f"  - {{uid: 'community:a.b', type: Community, name: x, {fields}}}\n"
    return ("source: {uid: 'source:x', title: t}\nactors:\n"
            + entry * (MAX_VALUES // (2 * MAX_FIELDS + 1) - 1)).encode()


def long_number() -> bytes:
    """A number of more digits than Python's int() converts."""
    return b"source: " + b"1" * 5000 + b"\n"


def zip_bomb_xlsx() -> bytes:
    """300 MB of one repeated sheet row, packed into well under 1 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            block = b"<row>" + b"0" * (1 << 20) + b"</row>"
            for _ in range(300):
                sheet.write(block)
    return buffer.getvalue()


def register_rows(size: int, rows: int | None = None) -> bytes:
    """A register of well-formed rows (each its own compound), ``size`` bytes or ``rows``
    rows, whichever comes first."""
    out = io.StringIO()
    out.write(REGISTER_HEADER)
    written, index = len(REGISTER_HEADER.encode()), 0
    while rows is None or index < rows:
        row = f"小区{index},社区{index % 30},街道{index % 7},离石区\n"
        written += len(row.encode())
        if written > size:
            break
        out.write(row)
        index += 1
    return out.getvalue().encode()


def base60_number(size: int) -> bytes:
    """A YAML 1.1 base-60 number (1:30:30…), which PyYAML multiplies out group by group."""
    return ("source: {uid: source:x, title: t}\nnote: 1" + ":30" * ((size - 60) // 3)
            + "\n").encode()


def records_filling(limit: int) -> list[bytes]:
    """As many well-formed records of the most values a record may have as one upload holds."""
    record = well_formed_record()
    return [record] * max(1, limit // len(record))


def corpus(limit: int = LIMIT) -> list[tuple[str, str, Callable[[], bytes | list[bytes]]]]:
    """(what it is, file name, its bytes made on demand; a list: files uploaded together):
    each within ``limit`` bytes in all."""
    mb = f"{limit / 2**20:.0f} MB"
    return [
        ("nested YAML lists, 200 KB", "nested.yaml", lambda: nested_lists(200_000)),
        (f"nested YAML lists, {mb}", "nested.yaml", lambda: nested_lists(limit)),
        ("nested JSON lists, 200 KB", "nested.json", lambda: nested_lists(200_000)),
        (f"nested JSON lists, {mb}", "nested.json", lambda: nested_lists(limit)),
        ("YAML alias bomb", "bomb.yaml", alias_bomb),
        (f"huge-string record, JSON, {mb}", "huge.json", lambda: huge_string_record(limit)),
        (f"huge-string record, YAML, {mb}", "huge.yaml",
         lambda: huge_string_record(limit, yaml_text=True)),
        (f"one YAML value a line, {mb}", "flat.yaml", lambda: flat_yaml_list(limit)),
        (f"empty JSON lists, {mb}", "flat.json", lambda: flat_json_lists(limit)),
        (f"well-formed YAML record of {MAX_VALUES:,} values", "right.yaml", well_formed_record),
        (f"well-formed JSON record of {MAX_VALUES:,} values", "right.json",
         lambda: well_formed_record(json_text=True)),
        (f"YAML record of {MAX_VALUES:,} values, every entry empty", "empty.yaml",
         empty_entries_record),
        (f"JSON record of {MAX_VALUES:,} values, every entry empty", "empty.json",
         lambda: empty_entries_record(json_text=True)),
        (f"YAML record of {MAX_VALUES:,} values, entries of {MAX_FIELDS} unknown fields",
         "fields.yaml", unknown_fields_record),
        ("a number of 5,000 digits", "number.yaml", long_number),
        ("zip-bomb XLSX", "bomb.xlsx", zip_bomb_xlsx),
        (f"a base-60 number (1:30:30…), {mb}", "base60.yaml", lambda: base60_number(limit)),
        (f"well-formed YAML records of {MAX_VALUES:,} values filling an upload of {mb}",
         "records.yaml", lambda: records_filling(limit)),
        (f"register CSV of well-formed rows, {mb}", "register.csv", lambda: register_rows(limit)),
        (f"register CSV of the most rows a register may have ({MAX_ROWS:,})", "largest.csv",
         lambda: register_rows(limit, MAX_ROWS)),
    ]


def _read(path: Path, sender: Connection) -> None:
    """In the child: read and check the file (or the files of a folder) as an upload is, and
    send (seconds, outcome)."""
    start = time.perf_counter()
    try:
        with collector_paused():  # as Service.ingest reads an upload
            files, parsed = input_files([path])
            parsed += [read_file(f, check_report=False) for f in files]
            try:
                assemble(parsed, lambda _: {}, "2024-06-30")
                outcome = "accepted"
            except InvalidInput as invalid:
                outcome = f"refused: {invalid.problems[0].expected}"
    except Exception as error:  # noqa: BLE001 - a crash is an outcome to report
        outcome = f"crashed: {type(error).__name__}"
    sender.send((time.perf_counter() - start, outcome))


def time_input(path: Path, cutoff: float = CUTOFF) -> tuple[float | None, str]:
    """Seconds to accept or refuse the file (None if cut off) and the outcome."""
    receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_read, args=(path, sender))
    child.start()
    sender.close()
    if receiver.poll(cutoff):
        result: tuple[float, str] = receiver.recv()
        child.join()
        return result
    child.kill()
    child.join()
    return None, f"still reading after {cutoff:.0f} s: stopped"


def measure(limit: int = LIMIT, cutoff: float = CUTOFF) -> dict[str, Any]:
    """Every input of the corpus, timed; and the worst."""
    folder = Path(tempfile.mkdtemp(prefix="govgraph-bad-input-"))
    inputs: list[dict[str, Any]] = []
    try:
        for name, file_name, make in corpus(limit):
            path = folder / file_name
            made = make()
            if isinstance(made, bytes):
                path.write_bytes(made)
            else:  # several files, uploaded together
                path.mkdir()
                for index, content in enumerate(made):
                    (path / f"{index:03d}{path.suffix}").write_bytes(content)
            size = sum(f.stat().st_size for f in ([path] if path.is_file()
                                                  else path.iterdir()))
            assert size <= limit, (name, size)
            seconds, outcome = time_input(path, cutoff)
            inputs.append({"name": name, "bytes": size, "seconds": seconds,
                           "outcome": outcome[:160]})
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    worst = max(inputs, key=lambda i: float("inf") if i["seconds"] is None else i["seconds"])
    return {"limit": limit, "target": TARGET, "cutoff": cutoff, "inputs": inputs,
            "worst": worst,
            "met": all(i["seconds"] is not None and i["seconds"] <= TARGET
                       and not i["outcome"].startswith("crashed") for i in inputs)}


def shown(seconds: float | None, cutoff: float = CUTOFF) -> str:
    return f"> {cutoff:.0f} s (cut off)" if seconds is None else f"{seconds:.2f} s"


if __name__ == "__main__":
    results = measure()
    for item in results["inputs"]:
        print(f"{shown(item['seconds']):>18}  {item['bytes']:>10,} B  {item['name']}: "
              f"{item['outcome'][:90]}")
    print(f"worst: {results['worst']['name']}, {shown(results['worst']['seconds'])} "
          f"(target ≤ {TARGET:.0f} s: {'met' if results['met'] else 'not met'})")
    sys.exit(0)
