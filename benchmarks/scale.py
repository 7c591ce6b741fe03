"""Where the embedded store stops scaling: load time, memory and answer times at growing sizes.

    .venv/bin/python -m benchmarks.scale 50 200 600   # streets; writes docs/scale-measurements.md
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.run import ROOT, machine, step
from govgraph.service.synth import Size, generate


def main(sizes: list[int]) -> None:
    rows = []
    for streets in sizes:
        work = Path(tempfile.mkdtemp(prefix="govgraph-scale-"))
        counts = generate(work / "records", Size(streets), 1)
        load = step("load", work / "records", work / "store.db")
        queries = step("queries", work / "store.db", 1)
        store_mb = (work / "store.db").stat().st_size / 2**20
        street = max(v["p99"] for k, v in queries["queries"].items() if "(street)" in k)
        whole = queries["queries"]["coverage (whole city)"]["p99"]
        rows.append(f"| {streets} | {counts['compounds']:,} | {load['items']:,} | "
                    f"{load['seconds']:.0f} s | {load['peak_mb']:,.0f} MB | {store_mb:,.0f} MB | "
                    f"{queries['graph_read_seconds']:.1f} s | {queries['peak_mb']:,.0f} MB | "
                    f"{queries['peak_mb'] * 1024 / load['items']:.2f} KB | "
                    f"{street:.1f} ms | {whole:,.0f} ms |")
        shutil.rmtree(work, ignore_errors=True)
        print(rows[-1], file=sys.stderr, flush=True)
    table = [
        "# Embedded store at growing sizes",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {machine()} by "
        f"`.venv/bin/python -m benchmarks.scale {' '.join(map(str, sizes))}` (synthetic cities, "
        "seed 1; 30 communities and about 68 compounds a street).",
        "",
        "| streets | compounds | nodes+edges | load | load peak memory | store file | graph read "
        "into memory | query process peak | … per node or edge | slowest street question p99 | "
        "whole-city coverage p99 |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *rows,
    ]
    (ROOT / "docs" / "scale-measurements.md").write_text("\n".join(table) + "\n",
                                                         encoding="utf-8")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [50, 200, 600])
