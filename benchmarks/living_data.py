"""What living data costs on a synthetic city, measured by hand (issue 11; the benchmark table
of issue 14 takes these over):

    govgraph synth -o /tmp/city --size city
    .venv/bin/python -m benchmarks.living_data /tmp/city /tmp/city.db [AS_OF]

the city's load (when the store file is new), a street's question on opening and again, a
one-row register uploaded as of AS_OF (a new date each run, so it changes the store), the first
answer after it, and the same question as of a date, first and again."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from govgraph.graph.storage.embedded import EmbeddedStore
from govgraph.service.core import Service

RULE = "compound-without-owners-committee"


def timed(label: str, work: Callable[[], object]) -> None:
    start = time.perf_counter()
    work()
    print(f"{label}: {time.perf_counter() - start:.3f} s")


def main(city: Path, store: Path, as_of: str) -> None:
    if not store.exists():
        with EmbeddedStore(store) as writer:
            timed("city load", lambda: Service(writer, personal=True).ingest(
                [city], check_report=False, as_of="2024-05-31"))
    answering = EmbeddedStore(store)
    service = Service(answering, personal=True)
    street = answering.nodes_of_type("StreetOffice")[0].uid
    timed("first answer on opening", lambda: service.gaps(RULE, street))
    timed("second answer", lambda: service.gaps(RULE, street))
    row = store.with_name("one-row.csv")
    row.write_text("小区名称,所属社区,所属街道,所属区,户数\n新小区,新社区,新街道,新区,100\n",
                   encoding="utf-8")
    with EmbeddedStore(store) as writer:
        timed("one-row upload into the city",
              lambda: Service(writer, personal=True).ingest([row], as_of=as_of))
    timed("first answer after the upload", lambda: service.gaps(RULE, street))
    for label in ("as of a date, first", "as of a date, again"):
        timed(label, lambda: service.at("2024-06-01").gaps(RULE, street))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else
         "2024-06-30")
