"""Each benchmark step in its own process, so its peak memory is its own. Prints JSON."""

from __future__ import annotations

import json
import random
import resource
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.bad_input import measure as bad_input
from govgraph.graph.algorithms import edge_of, node_of
from govgraph.graph.editions import Timeline, derive_graph, statements_of
from govgraph.graph.jsontext import dumps
from govgraph.graph.rules import GAP_RULES
from govgraph.graph.storage import GraphStore, backend_of, open_store
from govgraph.graph.storage.base import HeldInMemory, collector_paused
from govgraph.graph.storage.embedded import (
    CREATE_INDEXES,
    TABLES,
    EmbeddedStore,
    edge_row,
    node_row,
)
from govgraph.loaders import input_files, read_file
from govgraph.loaders.assemble import assemble
from govgraph.service.core import Service

SYNTH_DATE = "2024-06-30"  # the date the synthetic city's files are loaded as of
# A question is asked until it has its samples or they took this long: a whole-city question on
# the Neo4j store takes most of a minute, and the benchmarks must end in reasonable time.
SAMPLING_SECONDS = 30
MIN_SAMPLES = 3


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def status_mb(field: str, pid: int | str = "self") -> float:
    """A memory figure of a process from /proc: VmRSS (resident now), VmHWM (its peak)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split(f"{field}:")[1].split()[0]) / 1024


def read_batch(records: Path) -> tuple[Any, int]:
    files, _ = input_files([records])
    parsed = [read_file(f) for f in files]
    statements = sum(len(p.nodes) + len(p.edges) for p in parsed)
    return assemble(parsed, lambda _: {}, SYNTH_DATE), statements


def load(records: Path, location: str | Path) -> dict[str, Any]:
    """The whole load, as `govgraph load` does it: read, validate, merge, write; into the store
    at ``location`` (a file: the embedded store; a Bolt URI: the Neo4j store, with the NEO4J_*
    settings from the environment)."""
    start = time.perf_counter()
    with collector_paused(), open_store(location) as opened:  # as Service.ingest reads
        files, _ = input_files([records])
        parsed = [read_file(f) for f in files]
        read = time.perf_counter()
        batch = assemble(parsed, opened.get_nodes, SYNTH_DATE)
        assembled = time.perf_counter()
        summary = opened.load(batch)
    end = time.perf_counter()
    rows = sum(1 for f in files if f.suffix == ".csv" for _ in f.open(encoding="utf-8-sig")) - \
        sum(1 for f in files if f.suffix == ".csv")
    entries = sum(len(p.nodes) + len(p.edges) for p in parsed)
    return {"seconds": end - start, "read": read - start, "assemble": assembled - read,
            "write": end - assembled, "items": summary.totals()["created"],
            "register_rows": rows, "statements": entries, "files": len(files),
            "peak_mb": peak_mb()}


def raw_floor(records: Path, store: Path) -> dict[str, Any]:
    """The same rows written straight into the store's file format (the current graph, and the
    statements and editions it is derived from): no parsing, validation, deriving or checking
    timed, only SQLite's inserts, the indexes made after them (as a load into an empty store
    makes them) and the commit."""
    batch, _ = read_batch(records)
    statements = statements_of(batch)
    graph = derive_graph(statements, Timeline(p.edition for p in batch.editions))
    # in uid order, as a load writes them (SQLite appends to each table's tree)
    nodes = sorted(node_row(node_of(graph, u)) for u in graph)
    edges = sorted(edge_row(edge_of(graph, u, v, k)) for u, v, k in graph.edges(keys=True))
    kept = sorted((r.uid, *(r.ends or (None, None)), r.to_json())
                  for r in statements.values())
    editions = [(p.edition.source, p.edition.as_of, dumps(p.edition.model_dump()),
                 dumps([sorted(p.nodes), sorted(p.edges)])) for p in batch.editions]
    start = time.perf_counter()
    db = sqlite3.connect(store, isolation_level=None)
    db.execute("PRAGMA journal_mode=DELETE")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(TABLES)
    db.execute("BEGIN IMMEDIATE")
    db.executemany("INSERT INTO nodes VALUES (?,?,?,?,?,?)", nodes)
    db.executemany("INSERT INTO edges VALUES (?,?,?,?,?,?)", edges)
    db.executemany("INSERT INTO statements VALUES (?,?,?,?)", kept)
    db.executemany("INSERT INTO editions VALUES (?,?,?,?)", editions)
    for statement in CREATE_INDEXES:
        db.execute(statement)
    db.execute("COMMIT")
    db.close()
    return {"seconds": time.perf_counter() - start, "items": len(nodes) + len(edges),
            "statements": len(kept),
            "peak_mb": peak_mb()}


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50": statistics.median(ordered),
            "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], "n": len(ordered)}


def whole_graph_read(store: GraphStore) -> dict[str, Any]:
    start = time.perf_counter()
    graph = store.whole_graph()
    return {"seconds": time.perf_counter() - start, "nodes": graph.number_of_nodes(),
            "edges": graph.number_of_edges()}


def queries(location: str | Path, seed: int) -> dict[str, Any]:
    """The catalogue's questions on the store at ``location`` (see ``load``), and reading its
    whole graph. The embedded store answers from the whole graph held in memory, so it is read
    first, and every compound's profile made, as the service does on start, and the first
    question is not charged with them; the Neo4j store fetches the part each
    question needs, and its whole graph (read by exports only) is read after the questions, so
    the peak memory is the questions'. What the questions are asked of (every compound, by uid
    and name) is listed first: that is the benchmark's, not the answering's."""
    rng = random.Random(seed)
    store = open_store(location)
    before_graph = status_mb("VmRSS")
    streets = [n.uid for n in store.nodes_of_type("StreetOffice")]
    compound_nodes = store.nodes_of_type("Compound")
    compounds, names = [n.uid for n in compound_nodes], [n.name for n in compound_nodes]
    del compound_nodes
    held = isinstance(store, HeldInMemory)
    graph_read = whole_graph_read(store) if held else None
    begin = time.perf_counter()
    Service(store, personal=True).prepare()  # as the service does on start, where held
    prepared = time.perf_counter() - begin

    def timed(run: Any, n: int) -> dict[str, float]:
        """``n`` samples, fewer (at least MIN_SAMPLES) once they took SAMPLING_SECONDS."""
        samples: list[float] = []
        while len(samples) < n and (len(samples) < MIN_SAMPLES
                                    or sum(samples) < SAMPLING_SECONDS * 1000):
            begin = time.perf_counter()
            run()
            samples.append((time.perf_counter() - begin) * 1000)
        return percentiles(samples)

    service = Service(store, personal=True)
    results: dict[str, Any] = {}
    for rule in GAP_RULES:
        results[f"gaps {rule} (street)"] = timed(
            lambda rule=rule: service.gaps(rule, rng.choice(streets)), 100)
    results["coverage (street)"] = timed(lambda: service.coverage(rng.choice(streets)),
                                         100)
    results["tree admin, depth 3 (street)"] = timed(
        lambda: service.tree(rng.choice(streets), "admin", 3), 100)
    results["tree party (compound)"] = timed(
        lambda: service.tree(rng.choice(compounds), "party", 5), 200)
    results["projects (street)"] = timed(lambda: service.projects(rng.choice(streets)), 100)
    results["neighbourhood, depth 2 (compound)"] = timed(
        lambda: service.neighbourhood(rng.choice(compounds), 2), 200)
    results["path (two compounds)"] = timed(
        lambda: service.path(rng.choice(compounds), rng.choice(compounds)), 100)
    results["search (part of a compound's name, pinyin)"] = timed(
        lambda: service.search(rng.choice([rng.choice(names)[:2], "jing", "xq", "安"])), 100)
    results["gaps troika-incomplete (whole city)"] = timed(
        lambda: service.gaps("troika-incomplete"), 20)
    results["coverage (whole city)"] = timed(lambda: service.coverage(), 20)
    peak = peak_mb()
    graph_read = graph_read or whole_graph_read(store)
    return {"graph_read_seconds": graph_read["seconds"], "answers_from_whole_graph": held,
            "prepare_seconds": prepared,
            "nodes": graph_read["nodes"], "edges": graph_read["edges"], "queries": results,
            "peak_mb": peak, "before_graph_mb": before_graph}


def renders(store_path: Path, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    store = EmbeddedStore(store_path)
    store.snapshot()
    streets = [n.uid for n in store.nodes_of_type("StreetOffice")]
    service = Service(store, personal=True)
    network, chart = [], []
    for street in rng.sample(streets, min(5, len(streets))):
        begin = time.perf_counter()
        service.network_page(street, assets="/static/vis")
        network.append(time.perf_counter() - begin)
        begin = time.perf_counter()
        service.orgchart(street, "admin", 5, "png")
        chart.append(time.perf_counter() - begin)
    return {"network_seconds": max(network), "orgchart_png_seconds": max(chart),
            "peak_mb": peak_mb()}


AS_OF = "2024-07-01"  # before the living step's uploads (2024-07-31, 2024-08-31)
LIVING_RULE = "troika-incomplete"
ONE_ROW = "小区名称,所属社区,所属街道,所属区,户数\n新小区,新社区,新街道,新区,100\n"
ONE_ROW_STREET = "street:新区.新街道"  # what the one-row register adds: not there as of AS_OF


def seconds(run: Any) -> float:
    begin = time.perf_counter()
    run()
    return time.perf_counter() - begin


def as_of_questions(service: Service, street: str) -> dict[str, float]:
    """A street's question as of a date before the uploads, first and again (the least of
    20), and the whole city's (today's profiles serve, but where the editions then differ)."""
    def question() -> Any:
        return service.at(AS_OF).gaps(LIVING_RULE, street)
    return {"as_of_first_seconds": seconds(question),
            "as_of_again_seconds": min(seconds(question) for _ in range(20)),
            "as_of_whole_city_seconds": seconds(lambda: service.at(AS_OF).gaps(LIVING_RULE))}


def living(store_path: Path, records: Path) -> dict[str, Any]:
    """Living data on the loaded city: a process answering questions while registers arrive.
    A one-row register and a street's register (its file again, as of a later date) are loaded
    by another connection; the answering process's next answers, and questions as of a date
    before the uploads (see ``started_after`` for a process started after them)."""
    answering = EmbeddedStore(store_path)
    service = Service(answering, personal=True)
    street = answering.nodes_of_type("StreetOffice")[0].uid
    rule = LIVING_RULE
    prepared = seconds(service.prepare)  # as the service starts: the graph, every profile
    held_before = answering.snapshot()
    today_first = seconds(lambda: service.gaps(rule, street))
    today = min(seconds(lambda: service.gaps(rule, street)) for _ in range(20))
    whole_before = seconds(lambda: service.gaps(rule))
    row = store_path.with_name("one-row.csv")
    row.write_text(ONE_ROW, encoding="utf-8")
    register = next(f for f in sorted(records.rglob("*.csv")))
    results: dict[str, Any] = {"prepare_seconds": prepared, "today_first_seconds": today_first,
                               "today_seconds": today,
                               "whole_city_first_seconds": whole_before}
    with EmbeddedStore(store_path) as writer:
        uploads = Service(writer, personal=True)
        results["one_row_upload_seconds"] = seconds(
            lambda: uploads.ingest([row], as_of="2024-07-31"))
        results["after_one_row_seconds"] = seconds(lambda: service.gaps(rule, street))
        results["refreshed"] = answering.refreshed
        results["street_register_seconds"] = seconds(
            lambda: uploads.ingest([register], as_of="2024-08-31"))
        results["after_street_register_seconds"] = seconds(lambda: service.gaps(rule, street))
    results["whole_city_after_seconds"] = seconds(lambda: service.gaps(rule))
    results["whole_city_again_seconds"] = seconds(lambda: service.gaps(rule))
    results["as_of_from_graph_held_before"] = answering.as_of(AS_OF) is held_before
    results.update(as_of_questions(service, street))
    results["peak_mb"] = peak_mb()
    return results


def started_after(store_path: Path) -> dict[str, Any]:
    """A process started after the living step's uploads, prepared as the service starts: the
    street's question today, first asked, and as of the date before the uploads."""
    store = EmbeddedStore(store_path)
    service = Service(store, personal=True)
    street = next(n.uid for n in store.nodes_of_type("StreetOffice") if n.uid != ONE_ROW_STREET)
    return {"prepare_seconds": seconds(service.prepare),
            "today_first_seconds": seconds(lambda: service.gaps(LIVING_RULE, street)),
            **as_of_questions(service, street)}


STEPS = {"load": load, "raw_floor": raw_floor, "queries": queries, "renders": renders,
         "bad_input": bad_input, "living": living, "started_after": started_after}


def argument(text: str) -> int | str | Path:
    """A step's argument: a number, a Bolt URI (kept as text: a Path would fold its //), or a
    path."""
    if text.isdigit():
        return int(text)
    return text if backend_of(text) == "neo4j" else Path(text)


if __name__ == "__main__":
    step, *args = sys.argv[1:]
    print(json.dumps(STEPS[step](*map(argument, args))))  # type: ignore[operator]
