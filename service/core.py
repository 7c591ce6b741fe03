"""The application-service layer: every question officials and scripts ask, ingest, exports,
node detail, views and charts, each within its limits and with the caller's rights applied.

The CLI and the API only parse, call a ``Service`` and format; the store behind it is a
repository of graph facts (govgraph.graph.storage). People's names are masked here, on every
answer, view, chart and export, for callers without the ``personal`` right: one path for all.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import networkx as nx
from pydantic import BaseModel

from govgraph.graph import algorithms, exports
from govgraph.graph.algorithms import LINE_RELATIONSHIPS, MAX_PATH_HOPS, Line
from govgraph.graph.answers import (
    CompoundProfile,
    CoverageAnswer,
    GapAnswer,
    GapHit,
    NodeRef,
    ProjectFacts,
    Ratio,
    Subgraph,
    TreeNode,
)
from govgraph.graph.editions import (
    Statements,
    Timeline,
    claims_at,
    derive,
    disagreements,
    speaking,
)
from govgraph.graph.facts import Fact
from govgraph.graph.model import (
    InvalidInput,
    LoadSummary,
    Location,
    Node,
    Problem,
    RegisterLayout,
    type_of_uid,
)
from govgraph.graph.privacy import Masker
from govgraph.graph.rules import (
    COVERAGE_RATIOS,
    GAP_RULES,
    Finding,
    GapRule,
    Parameter,
    chosen,
    coverage_parameters,
    coverage_tallies,
    definition,
)
from govgraph.graph.search import query_key
from govgraph.graph.storage import (
    ConflictingFacts,
    DanglingEdges,
    GraphStore,
    InvalidQuery,
    NodeNotFound,
    Stats,
)
from govgraph.graph.storage.base import (
    ProgressCallback,
    collector_paused,
    settle_long_lived,
    untold,
)
from govgraph.graph.storage.memory import GraphView
from govgraph.graph.values import today_anywhere
from govgraph.graph.vocabulary import (
    NODE_TYPES,
    PLACES,
    RELATIONSHIP_TYPES,
    node_properties,
    zh_name,
)
from govgraph.loaders import input_files, read_file
from govgraph.loaders.assemble import assemble
from govgraph.loaders.registers import (
    REGISTER_SOURCE,
    RegisterOptions,
    options_problems,
    register_source,
)
from govgraph.loaders.statements import ParsedFile
from govgraph.service.answers import (
    Change,
    CoverageAt,
    ExportFile,
    FactConflict,
    HistoryEntry,
    NeighbourSummary,
    NodeDetail,
    Relationship,
    SourceCitation,
    SourceEdition,
    StatedValue,
)
from govgraph.viz import orgchart
from govgraph.viz.network import network_html, tree_levels

M = TypeVar("M", bound=BaseModel)
LINES = ("admin", "party")


@dataclass(frozen=True)
class Limits:
    """The bounds of every question, the same for the CLI's options and the API's parameters."""

    tree_depth: int = 10
    neighbourhood_depth: int = 3
    neighbourhood_nodes: int = 1000
    network_depth: int = 3
    view_nodes: int = 1000
    path_hops: int = MAX_PATH_HOPS
    page: int = 1000
    offset: int = 1_000_000


LIMITS = Limits()


def _within(name: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise InvalidQuery(f"{name} {value}: expected {low} to {high}")
    return value


class Service:
    """One caller's view of the graph in ``store``. Without ``personal``, people's names are
    masked in everything returned, and Person nodes are neither found nor shown by uid (so a
    name cannot be confirmed by guessing). ``masker`` gives the masker of every person's name
    (the API keeps one per store revision); by default it is made from the store when needed."""

    def __init__(self, store: GraphStore, *, personal: bool,
                 masker: Callable[[], Masker] | None = None,
                 definitions: Mapping[str, float] | None = None):
        self.store = store
        self.personal = personal
        self.definitions = dict(definitions or {})  # the city's 口径, over the defaults
        self._masker_of = masker or (lambda: Masker.for_people(store.statements_of_type("Person")))
        self._masker: Masker | None = None

    # -- privacy: the one path every answer takes ------------------------------------------

    @property
    def masker(self) -> Masker | None:
        """None when the caller may see names."""
        if self.personal:
            return None
        if self._masker is None:
            self._masker = self._masker_of()
        return self._masker

    def shown(self, answer: M) -> M:
        """An answer as this caller may see it."""
        return answer if self.masker is None else self.masker.model(answer)

    def text(self, value: str) -> str:
        return value if self.masker is None else self.masker.text(value)

    def _visible(self, *uids: str) -> dict[str, Node]:
        """The nodes; NodeNotFound for a missing node, and for a person the caller may not see
        (then the answer is the same whether the person exists or not, and has no name)."""
        found = self.store.get_nodes(uids)
        for uid in uids:
            hidden = not self.personal and type_of_uid(uid) == "Person"
            if hidden:
                raise NodeNotFound(uid.split(":", 1)[0] + ":…")
            if uid not in found:
                raise NodeNotFound(uid, self._not_yet(uid))
        return found

    def _not_yet(self, uid: str) -> str:
        """Why a node the store has is missing from this view as of a date: no source dated
        up to then states it."""
        view = self.store
        if not isinstance(view, GraphView) or view.base is None or view.at is None:
            return ""
        said = view.base.statements([uid]).get(uid)
        if said is None or not said.dates:
            return ""
        return (f"as of {view.at}: no source dated up to then states it (the first that does "
                f"is of {min(said.dates)})")

    # -- look-ups ----------------------------------------------------------------------------

    def stats(self) -> Stats:
        return self.store.stats()

    def prepare(self) -> None:
        """Hold ahead what questions read, so the first question is answered as fast as the
        next: on a store holding its graph in memory, the graph, every compound's profile, and
        each profile's answer to every gap rule and ratio with this service's 口径 (each whole-
        city question asked once)."""
        if self.store.prepare():
            for rule in GAP_RULES.values():  # kept in the profiles: no answer made
                self._findings(rule, None, self._chosen(rule.parameters, None,
                                                        f"rule {rule.name}"))
            self.coverage()
            settle_long_lived()  # what was made lives as long as the graph

    def ref(self, uid: str) -> NodeRef:
        return self.shown(NodeRef.of(self._visible(uid)[uid]))

    def scope_ref(self, scope: str | None) -> NodeRef | None:
        """The place a question is asked of (None: everywhere); InvalidQuery if not a place."""
        if scope is None:
            return None
        place = self.ref(scope)
        if place.type not in PLACES:
            raise InvalidQuery(f"scope {scope!r} is a {place.type}; expected the uid of a place "
                               f"({', '.join(sorted(PLACES))})")
        return place

    def nodes_of_type(self, type_name: str) -> list[NodeRef]:
        if type_name not in NODE_TYPES:
            raise InvalidQuery(f"{type_name!r} is not a node type; expected one of "
                               + ", ".join(NODE_TYPES))
        if type_name == "Person" and not self.personal:
            return []
        return [self.shown(NodeRef.of(n)) for n in self.store.nodes_of_type(type_name)]

    def search(self, text: str, *, types: Iterable[str] = (), offset: int = 0,
               limit: int = 20) -> tuple[list[NodeRef], int]:
        """Nodes whose name or alias contains ``text``, or whose pinyin (full or initials)
        does, best matches first: one page of them, and how many match in all."""
        wanted = list(types)
        unknown = [t for t in wanted if t not in NODE_TYPES]
        if unknown:
            raise InvalidQuery(f"{unknown[0]!r} is not a node type; expected one of "
                               + ", ".join(NODE_TYPES))
        _within("limit", limit, 1, LIMITS.page)
        _within("offset", offset, 0, LIMITS.offset)
        if not self.personal:
            wanted = [t for t in (wanted or NODE_TYPES) if t != "Person"]
        query = query_key(text)
        if not query or (types and not wanted):  # asked only for what the caller may not see
            return [], 0
        best, matching = self.store.search(query, wanted, offset + limit)
        chosen = best[offset:]
        found = self.store.get_nodes(chosen)
        return [self.shown(NodeRef.of(found[u])) for u in chosen if u in found], matching

    def node_detail(self, uid: str) -> NodeDetail:
        """A node: its properties (with Chinese names), its sources with their evidence and
        titles, and its relationships (all, and grouped)."""
        node = self._visible(uid)[uid]
        edges = self.store.edges_of(uid)
        others = self.store.get_nodes(
            {e.target if e.source == uid else e.source for e in edges}
            | {c.source for c in node.citations})
        relationships = [
            Relationship(uid=e.uid, relation=e.type, relation_zh=zh_name(e.type),
                         direction="out" if e.source == uid else "in",
                         other=NodeRef.of(others[e.target if e.source == uid else e.source]))
            for e in edges]
        groups: dict[tuple[str, str], list[NodeRef]] = defaultdict(list)
        for r in relationships:
            groups[(r.relation, r.direction)].append(r.other)
        specs = node_properties(node.type)
        rows = self.store.statements([uid])
        said = speaking(rows[uid], Timeline(self.store.editions())) if uid in rows else []
        current = {"name": node.name, **node.properties}
        values = [StatedValue(field=key, field_zh=_field_zh(node.type, key), value=value,
                              source=s.source, as_of=s.as_of,
                              current=_is_current(value, current.get(key)))
                  for s in reversed(said)
                  for key, value in {"name": s.name, **s.properties}.items()
                  if value is not None]
        return self.shown(NodeDetail(
            uid=node.uid, name=node.name, type=node.type, type_zh=zh_name(node.type),
            properties=node.properties,
            property_names={k: specs[k].zh for k in node.properties},
            sources=[SourceCitation(source=c.source, evidence=c.evidence,
                                    title=others[c.source].name if c.source in others else None)
                     for c in node.citations],
            neighbours=[NeighbourSummary(relation=rel, relation_zh=zh_name(rel),
                                         direction=direction,  # type: ignore[arg-type]
                                         count=len(refs), examples=refs[:5])
                        for (rel, direction), refs in sorted(groups.items())],
            relationships=relationships, values=values))

    # -- the query catalogue -----------------------------------------------------------------

    def _profiles(self, scope: str | None, facts: Iterable[Fact]) -> list[CompoundProfile]:
        """The scope's compounds with the facts a question reads (and no others)."""
        return self.store.profiles(scope, list(facts))

    def _findings(self, rule: GapRule, scope: str | None, values: dict[str, float]
                  ) -> tuple[list[CompoundProfile], list[Finding]]:
        profiles = self._profiles(scope, rule.reads)
        return profiles, rule.findings(profiles, values)

    def gaps(self, rule_name: str, scope: str | None = None,
             parameters: Mapping[str, str | float] | None = None) -> GapAnswer:
        """The compounds of the scope the rule finds, each with its place and reasons, and
        apart those it cannot decide because no source states what decides them."""
        rule = rule_named(rule_name)
        values = self._chosen(rule.parameters, parameters, f"rule {rule.name}")
        scope_ref = self.scope_ref(scope)
        profiles, findings = self._findings(rule, scope, values)
        hits: list[GapHit] = []
        undecided: list[GapHit] = []
        for profile, found in zip(profiles, findings, strict=True):
            if found.reasons:
                (hits if found.hit else undecided).append(GapHit.of(profile, found.reasons))
        return self.shown(GapAnswer(
            rule=rule.name, title=rule.title, scope=scope_ref, parameters=values,
            compounds_checked=sum(f.compounds for f in findings), hits=hits,
            not_recorded=undecided,
            definition=definition(rule.definition_zh, rule.definition_en, rule.parameters,
                                  values)))

    def coverage(self, scope: str | None = None,
                 parameters: Mapping[str, str | float] | None = None) -> CoverageAnswer:
        """The coverage ratios of the scope, with the counts behind each: counted, stated not
        counted, not recorded."""
        values = self._chosen(coverage_parameters(), parameters, "coverage")
        scope_ref = self.scope_ref(scope)
        profiles = self._profiles(scope, (f for r in COVERAGE_RATIOS for f in r.reads))
        compounds, tallies = coverage_tallies(profiles, values)
        ratios = []
        for ratio, (yes, no, unknown) in zip(COVERAGE_RATIOS, tallies, strict=True):
            mine = {k: values[k] for k in ratio.parameters}
            denominator = yes + no + (unknown if mine["unrecorded_in_denominator"] else 0)
            ratios.append(Ratio(
                name=ratio.name, title=ratio.title, description=ratio.description,
                numerator=yes, denominator=denominator,
                ratio=round(yes / denominator, 4) if denominator else None,
                recorded_no=no, not_recorded=unknown,
                definition=definition(ratio.definition_zh, ratio.definition_en,
                                      ratio.parameters, mine)))
        return self.shown(CoverageAnswer(scope=scope_ref, compounds=compounds, ratios=ratios))

    def _chosen(self, parameters: dict[str, Parameter],
                given: Mapping[str, str | float] | None, what: str) -> dict[str, float]:
        """The values of a question's parameters: the documented default, the city's choice
        (``definitions``), what the question gives, in that order."""
        city = {k: v for k, v in self.definitions.items() if k in parameters}
        try:
            return chosen(parameters, {**city, **(given or {})}, what)
        except ValueError as error:
            raise InvalidQuery(str(error)) from None

    def projects(self, scope: str | None = None) -> list[ProjectFacts]:
        """Projects located in or benefiting a place of the scope, and who ran them."""
        self.scope_ref(scope)
        return [self.shown(p) for p in
                algorithms.projects(self.store.scope_graph(scope), scope)]

    def tree(self, root: str, line: str = "admin", depth: int = 5) -> TreeNode:
        """The organisation tree under ``root``: the administrative or the party line."""
        _, tree = self._tree(root, line, depth)
        return self.shown(tree)

    def tree_view(self, root: str, line: str = "admin", depth: int = 5
                  ) -> tuple[TreeNode, Subgraph]:
        """The tree, and its nodes with the relationships of its line, for a network view."""
        graph, tree = self._tree(root, line, depth)
        view = algorithms.induced(graph, set(algorithms.tree_uids(tree)),
                                  frozenset(LINE_RELATIONSHIPS[line]))
        return self.shown(tree), self.shown(view)

    def _tree(self, root: str, line: str, depth: int) -> tuple[nx.MultiDiGraph, TreeNode]:
        self._visible(root)
        if line not in LINES:
            raise InvalidQuery(f"line {line!r}: expected admin or party")
        _within("depth", depth, 0, LIMITS.tree_depth)
        checked: Line = line  # type: ignore[assignment]
        graph = self.store.tree_graph(root, checked, depth)
        return graph, algorithms.tree(graph, root, checked, depth)

    def neighbourhood(self, uid: str, depth: int = 1, types: Iterable[str] | None = None,
                      limit: int = 300) -> Subgraph:
        """Nodes within ``depth`` steps (over relationships of ``types``; all when none) and the
        relationships between them, nearest first, at most ``limit`` nodes."""
        self._visible(uid)
        wanted = frozenset(types) if types else None
        unknown = sorted((wanted or frozenset()) - RELATIONSHIP_TYPES.keys())
        if unknown:
            raise InvalidQuery(f"relationship types {unknown}: expected some of "
                               + ", ".join(RELATIONSHIP_TYPES))
        _within("depth", depth, 0, LIMITS.neighbourhood_depth)
        _within("limit", limit, 1, LIMITS.neighbourhood_nodes)
        graph = self.store.neighbourhood_graph(uid, depth, wanted)
        return self.shown(algorithms.neighbourhood(graph, uid, depth, wanted, limit))

    def scope_view(self, scope: str, limit: int = LIMITS.view_nodes) -> Subgraph:
        """A place and what lies under and around it: at most ``limit`` nodes, places first,
        and every edge among them."""
        members = self._scope_members(scope)
        chosen = set(members[:limit])
        return self.shown(algorithms.induced(self.store.graph_among(chosen), chosen,
                                             truncated=len(members) > limit))

    def _scope_members(self, scope: str) -> list[str]:
        self.scope_ref(scope)
        return algorithms.scope_members(self.store.scope_graph(scope), scope)

    def path(self, source: str, target: str, max_hops: int = 8) -> Subgraph | None:
        """The first (by uids in order) of the shortest chains of relationships between two
        nodes, either direction; None when none is ``max_hops`` long or shorter."""
        self._visible(source, target)
        _within("max_hops", max_hops, 1, LIMITS.path_hops)
        graph, expand = self.store.path_search(source, target)
        found = algorithms.shortest_path(graph, source, target, max_hops, expand)
        return None if found is None else self.shown(found)

    # -- ingest ------------------------------------------------------------------------------

    def ingest(self, paths: list[Path], *, dry_run: bool = False, check_report: bool = True,
               names: Mapping[Path, str] | None = None,
               progress: ProgressCallback = untold,
               source: str | None = None, as_of: str | None = None,
               options: RegisterOptions | None = None
               ) -> tuple[LoadSummary, int]:
        """Read, validate and load files and folders, all or nothing: the summary and how many
        files were read. Each file is an edition of its source (a register's is ``source``
        where given) as of the date it states, else ``as_of``, else today: loaded again, it
        replaces that edition. InvalidInput lists every problem, naming files by ``names``
        (what the caller called them) where given; ``progress`` is told of each step of a long
        load (each file before it is read, then the store's steps). ``options`` say how to
        read registers laid out otherwise (their columns, the values of places they leave
        out); warnings (a column kept as a property, a 合计 row skipped) come with the
        summary."""
        date = checked_date(as_of, "as_of") if as_of else dt.date.today().isoformat()
        if date > today_anywhere():
            raise InvalidQuery(f"as_of {as_of}: expected a date no later than today")
        def told(answer: M) -> M:
            """An answer about the files, naming them as the caller did, shown to this caller."""
            text = answer.model_dump_json()
            for path, name in (names or {}).items():
                text = text.replace(json.dumps(str(path), ensure_ascii=False)[1:-1],
                                    json.dumps(name, ensure_ascii=False)[1:-1])
            return self.shown(type(answer).model_validate_json(text))

        with collector_paused():  # a city's files are millions of objects, none in a cycle
            parsed = _read_files(paths, options, check_report=check_report, source=source,
                                 names=names, progress=progress)
            if as_of:
                _check_stated_dates(parsed, date)
            try:
                progress("merging and checking references", 0, 0)
                batch = assemble(parsed, self.store.get_nodes, date)
                noticed = self._noticed(parsed)
                summary = self.store.load(batch, dry_run=dry_run, progress=progress)
                warnings = [told(w) for f in parsed for w in f.warnings] + [
                    told(w) for w in noticed]
                summary.warnings = [str(w) for w in warnings]
                summary.warnings_zh = [w.zh() for w in warnings]
                summary.registers = [told(layout) for f in parsed for layout in f.layouts]
                return summary, sum(1 for p in parsed if p.readable)
            except InvalidInput as invalid:
                raise InvalidInput([told(p) for p in invalid.problems]) from None
            except ConflictingFacts as error:  # the stored values may name people
                raise ConflictingFacts([self.shown(c) for c in error.conflicts]) from None
            except DanglingEdges as error:
                raise DanglingEdges([self.shown(e) for e in error.edges]) from None

    def _noticed(self, parsed: list[ParsedFile]) -> list[Problem]:
        """What the files read say that the store makes worth a look (load and inspect both
        tell it): a register continued under another name, a place misnamed."""
        return self._registers_continued(parsed) + self._places_misnamed(parsed)

    def _registers_continued(self, parsed: list[ParsedFile]) -> list[Problem]:
        """A warning for each register loaded as a new source when another register states
        most of its compounds already: a month's file named apart from the last (…8月台账.xlsx
        after …7月台账.xlsx) is a source of its own, not that register's next edition, and a
        compound it drops stays current in the other."""
        registers = {e.source for e in self.store.editions() if e.kind == "register"}
        # the compounds of each edition of a new register (by source and the date its files
        # state, as assemble groups them), in order
        new: dict[tuple[str, str | None], dict[str, None]] = {}
        for file in parsed:
            if file.kind == "register" and file.source not in registers:
                new.setdefault((file.source, file.as_of), {}).update(
                    dict.fromkeys(n.uid for n, _ in file.nodes if n.type == "Compound"))
        if not registers or not new:  # a first load: nothing to compare with
            return []
        stated = self.store.statements([uid for compounds in new.values() for uid in compounds])
        warnings = []
        for (source, _), compounds in new.items():
            stating = Counter(other for uid in compounds if uid in stated
                              for other in stated[uid].sources if other in registers)
            for other, count in stating.most_common(1):
                if 2 * count < len(compounds):
                    continue
                name = other.removeprefix(REGISTER_SOURCE)
                warnings.append(Problem(
                    location=Location(file=next(f.path for f in parsed if f.source == source)),
                    field="source", value=source,
                    expected=f"a register of compounds of its own: {count} of its "
                             f"{len(compounds)} are stated by the register {name} already; if "
                             f"this is that register's next edition, load it as that source "
                             f"(--source {name}; uploading, source={name}), else both stay "
                             "current and a compound one drops stays in the other",
                    expected_zh=f"一份台账自己的小区:其{len(compounds)}个小区中已有{count}个由台账"
                                f"“{name}”载明;如本文件是该台账的下一期,请按同一来源导入"
                                f"(--source {name};上传时 source={name}),否则两份台账都算当前,"
                                "一份删去的小区仍留在另一份中"))
        return warnings

    def _places_misnamed(self, parsed: list[ParsedFile]) -> list[Problem]:
        """A warning for each place the files name that the store does not know, under a place
        it knows, and named but one character apart from a place already there (芳章社区
        beside 芳草社区, 怡枫圆 beside 怡枫园): a slip of the keyboard makes a new place, and
        what its rows state is of the new place. Not for a number apart (1号院, 2号院)."""
        new: dict[str, tuple[Node, Location, str]] = {}
        for file in parsed:
            places: dict[str, tuple[Node, Location]] = {}
            for node, where in file.nodes:  # told where a file first names a place
                if node.type in PLACES:
                    places.setdefault(node.uid, (node, where))
            for edge, _ in file.edges:
                if edge.type == "PART_OF" and edge.source in places:
                    new.setdefault(edge.source, (*places[edge.source], edge.target))
        known = self.store.get_nodes([*new, *(above for *_, above in new.values())])
        siblings: dict[str, list[Node]] = {}
        warnings = []
        for uid, (node, where, above) in new.items():
            if uid in known or above not in known:
                continue
            if above not in siblings:
                below = [e.source for e in self.store.edges_of(above)
                         if e.type == "PART_OF" and e.target == above]
                siblings[above] = list(self.store.get_nodes(below).values())
            alike = [other.name for other in siblings[above] if other.type == node.type
                     and _one_character_apart(node.name, other.name)]
            if alike:
                place, type_zh = known[above].name, zh_name(node.type)
                warnings.append(Problem(
                    location=where, value=node.name,
                    expected=f"a {node.type} the store knows under {place}, or a new one: "
                             f"{alike[0]} is there already, one character apart; if this is "
                             "a slip, correct the file and load it again, else a new place is "
                             "made and what its rows state is of it",
                    expected_zh=f"{place}下已有的{type_zh}或新的{type_zh}:已有“{alike[0]}”,只差"
                                f"一字;如为笔误,请改正文件后重新导入,否则将新建该{type_zh},"
                                "其所在行所写都归于新建的"))
        return warnings

    def inspect(self, paths: list[Path], options: RegisterOptions | None = None,
                source: str | None = None
                ) -> tuple[list[RegisterLayout], list[str], list[str]]:
        """How registers will be read, before anything is loaded: each sheet's header row,
        the reading of each column, the rows skipped and why, the first rows as they would
        load; and the warnings and problems of reading them, with what a load would notice
        of them (``_noticed``); the registers read as editions of ``source`` where given, as
        ingest reads them."""
        parsed = _read_files(paths, options, source=source)
        warnings = [w for f in parsed for w in f.warnings] + self._noticed(parsed)
        return ([self.shown(layout) for f in parsed for layout in f.layouts],
                [str(self.shown(w)) for w in warnings],
                [str(self.shown(p)) for f in parsed for p in f.problems])

    # -- living data: sources, editions, as of a date ---------------------------------------

    def at(self, as_of: str | None) -> Service:
        """This caller's view of the graph as the sources dated up to ``as_of`` (YYYY-MM-DD)
        said it; itself when None."""
        if as_of is None:
            return self
        date = checked_date(as_of, "as_of")
        base = self.store
        if isinstance(base, GraphView) and base.base is not None:  # already as of a date
            date, base = min(date, base.at or date), base.base
        # names are masked as they are now: everyone any source ever named
        return Service(GraphView(base.as_of(date), at=date, base=base), personal=self.personal,
                       masker=self._masker_of, definitions=self.definitions)

    def sources(self) -> list[SourceEdition]:
        """Every edition of every source: its date, when it was loaded, what it states, and
        whether it is the one the current answers use."""
        editions = self.store.editions()
        timeline = Timeline(editions)
        return [self.shown(SourceEdition(
            source=e.source, kind=e.kind, title=e.title, as_of=e.as_of, loaded_at=e.loaded_at,
            nodes=e.nodes, edges=e.edges, current=timeline.speaks(e.key)))
            for e in editions]

    def unload(self, source: str, as_of: str | None = None, dry_run: bool = False
               ) -> LoadSummary:
        """Take a source out, every edition or the one of ``as_of``: as if never loaded.
        ``source`` is its uid, or a register's name (its file name, or as given to load)."""
        date = checked_date(as_of, "as_of") if as_of else None
        loaded = {e.source for e in self.store.editions()}
        candidates = [source, register_source(source), register_source(Path(source).stem)]
        uid = next((c for c in candidates if c in loaded), source)
        try:
            return self.store.unload(uid, date, dry_run=dry_run)
        except DanglingEdges as error:
            raise DanglingEdges([self.shown(e) for e in error.edges]) from None

    def conflicts(self, scope: str | None = None) -> list[FactConflict]:
        """The facts of nodes (in the scope) whose sources, as they speak now, disagree: each
        value with its source and date, the current (latest) one marked."""
        self.scope_ref(scope)
        rows = (self.store.statements(self._scope_members(scope)).values() if scope
                else self.store.all_statements())
        timeline = Timeline(self.store.editions())
        found = []
        for row in rows:
            if row.ends is not None or (row.type == "Person" and not self.personal):
                continue
            said = speaking(row, timeline)
            disputed = disagreements(row, said)
            if disputed:
                node = NodeRef.of(derive(row, timeline))  # type: ignore[arg-type]
                found += [FactConflict(node=node, field=key, field_zh=_field_zh(row.type, key),
                                       values=values) for key, values in disputed.items()]
        return [self.shown(c) for c in sorted(found, key=lambda c: (c.node.uid, c.field))]

    def history(self, uid: str) -> list[HistoryEntry]:
        """How a node's facts and relationships changed: at each date a source speaks for,
        what changed, and the editions of that date."""
        if not self.personal and type_of_uid(uid) == "Person":
            raise NodeNotFound("person:…")
        rows = self.store.statements([uid])
        if uid not in rows or rows[uid].ends is not None:
            raise NodeNotFound(uid)
        rows.update(self.store.statements(self.store.statement_edges_at([uid])))
        rows.update(self.store.statements({e for r in rows.values() for e in r.ends or ()}
                                          - rows.keys()))
        editions = self.store.editions()
        sources = {source for r in rows.values() for source in r.sources}
        dates = sorted({e.as_of for e in editions if e.source in sources})
        entries, before = [], _facts_of(uid, rows, Timeline(editions, ""))
        for date in dates:
            after = _facts_of(uid, rows, Timeline(editions, date))
            changes = [Change(field=key, field_zh=_field_zh(rows[uid].type, key),
                              before=before.get(key), after=after.get(key))
                       for key in sorted(before.keys() | after.keys())
                       if before.get(key) != after.get(key)]
            if changes:
                entries.append(HistoryEntry(as_of=date, changes=changes, sources=sorted(
                    {source for r in rows.values() for source in r.sources_on(date)})))
            before = after
        return [self.shown(e) for e in entries]

    def coverage_history(self, scope: str | None = None,
                         parameters: Mapping[str, str | float] | None = None
                         ) -> list[CoverageAt]:
        """The coverage ratios of the scope as of each date a source speaks for there."""
        self.scope_ref(scope)
        self._chosen(coverage_parameters(), parameters, "coverage")
        editions = self.store.editions()
        if scope is not None:  # the dates of the sources that speak of the scope
            rows = self.store.statements(self._scope_members(scope)).values()
            sources = {source for row in rows for source in row.sources}
            editions = [e for e in editions if e.source in sources]
        dates = sorted({e.as_of for e in editions})
        history = []
        for date in dates:
            try:
                history.append(CoverageAt(as_of=date, coverage=self.at(date).coverage(
                    scope, parameters)))
            except NodeNotFound:  # the scope was not yet known then
                continue
        return history

    # -- exports, views and charts -----------------------------------------------------------

    def export(self, format_name: str, scope: str | None = None) -> ExportFile:
        """The whole graph, or the nodes of a scope's view and every edge among them, as a
        file in one of exports.FORMATS."""
        if format_name not in exports.FORMATS:
            raise InvalidQuery(f"format {format_name!r}: expected one of "
                               + ", ".join(exports.FORMATS))
        graph = (self.store.whole_graph() if scope is None
                 else self.store.graph_among(set(self._scope_members(scope))))
        media, suffix = exports.FORMATS[format_name]
        data = exports.export(graph, format_name, None if self.masker is None
                              else self.masker.text)
        return ExportFile(data, media, suffix, graph.number_of_nodes(), graph.number_of_edges())

    @property
    def as_of(self) -> str | None:
        """The date this view answers as of; None: now."""
        return self.store.at if isinstance(self.store, GraphView) else None

    def workbook(self, scope: str | None = None) -> bytes:
        """The coverage ratios and every gap rule's list for a scope, as an XLSX workbook
        (how officials pass results on): a sheet of ratios, then one sheet per rule, Chinese
        headers, the scope and date in a title row."""
        from openpyxl import Workbook
        from openpyxl.styles import Font

        where = self.scope_ref(scope)
        date = self.as_of or dt.date.today().isoformat()
        title = f"{where.name if where else '全部'} · 截至 {date}"
        book = Workbook()
        sheet = book.worksheets[0]
        sheet.title = "覆盖率"
        coverage = self.coverage(scope)
        sheet.append([f"覆盖率 · {title} · 共 {coverage.compounds} 个小区"])
        sheet.append(["指标", "比例", "分子", "分母", "写明未达", "未记录", "口径", "口径选择"])
        for r in coverage.ratios:
            sheet.append([r.title, r.ratio, r.numerator, r.denominator, r.recorded_no,
                          r.not_recorded, r.definition.zh, r.definition.choices_zh()])
            sheet.cell(sheet.max_row, 2).number_format = "0.0%"
        for rule in GAP_RULES.values():
            answer = self.gaps(rule.name, scope)
            sheet = book.create_sheet(re.sub(r"[\[\]:*?/\\]", "_", rule.title)[:31])
            sheet.append([f"{rule.title} · {title} · {len(answer.hits)} / "
                          f"{answer.compounds_checked} 个小区"])
            sheet.append(["小区", "所在", "原因", "未记录, 无法判断"])
            sheet.append(["口径", answer.definition.zh, answer.definition.choices_zh()])
            for hit in answer.hits:
                sheet.append([hit.compound.name, " / ".join(p.name for p in reversed(hit.place)),
                              ";".join(hit.reasons), ""])
            for hit in answer.not_recorded:
                sheet.append([hit.compound.name, " / ".join(p.name for p in reversed(hit.place)),
                              "", ";".join(hit.reasons)])
        for sheet in book.worksheets:
            sheet["A1"].font = Font(bold=True)
            for row in (1, 2):
                for cell in sheet[row]:
                    cell.font = Font(bold=True)
            for column, width in zip("ABCDEF", (24, 36, 48, 24, 10, 60), strict=True):
                sheet.column_dimensions[column].width = width
        data = io.BytesIO()
        book.save(data)
        return data.getvalue()

    def network(self, uid: str, mode: str = "auto", depth: int = 2) -> tuple[NodeRef, Subgraph]:
        """What a network view of ``uid`` shows: a place with everything under and around it
        (``scope``), or the nodes within ``depth`` steps (``neighbourhood``); ``auto`` picks
        the first for places."""
        if mode not in ("auto", "scope", "neighbourhood"):
            raise InvalidQuery(f"mode {mode!r}: expected auto, scope or neighbourhood")
        _within("depth", depth, 1, LIMITS.network_depth)
        node = self.ref(uid)
        if mode == "scope" or (mode == "auto" and node.type in PLACES):
            return node, self.scope_view(uid)
        return node, self.neighbourhood(uid, depth, limit=LIMITS.view_nodes)

    def network_page(self, uid: str, mode: str = "auto", depth: int = 2,
                     assets: str | None = None) -> str:
        """The network view as an HTML page (vis-network from ``assets``; inlined when None)."""
        node, subgraph = self.network(uid, mode, depth)
        return network_html(subgraph, title=node.name, focus=self.text(uid),
                            source_titles=self._source_titles(), assets=assets)

    def tree_page(self, uid: str, line: str = "admin", depth: int = 5,
                  assets: str | None = None) -> str:
        """The organisation tree as an interactive page with a hierarchical layout."""
        tree, subgraph = self.tree_view(uid, line, depth)
        return network_html(subgraph, title=f"{tree.node.name} · {orgchart.LINE_TITLES[line]}",
                            focus=self.text(uid), levels=tree_levels(tree),
                            source_titles=self._source_titles(), assets=assets)

    def orgchart(self, uid: str, line: str = "admin", depth: int = 5, fmt: str = "svg"
                 ) -> bytes:
        """The tree under a node as an image: one line, or both side by side."""
        if line not in ("admin", "party", "both"):
            raise InvalidQuery(f"line {line!r}: expected admin, party or both")
        if fmt not in orgchart.FORMATS:
            raise InvalidQuery(f"format {fmt!r}: expected one of " + ", ".join(orgchart.FORMATS))
        trees = {name: self.tree(uid, name, depth)
                 for name in (LINES if line == "both" else (line,))}
        return orgchart.render(trees, next(iter(trees.values())).node.name, fmt)

    def _source_titles(self) -> dict[str, str]:
        """The title of every source, for hover texts."""
        return {n.uid: self.text(n.name) for n in self.store.nodes_of_type("Source")}


def _read_files(paths: list[Path], options: RegisterOptions | None, *,
                check_report: bool = True, source: str | None = None,
                names: Mapping[Path, str] | None = None,
                progress: ProgressCallback = untold) -> list[ParsedFile]:
    """Every file under ``paths`` read (see Service.ingest for the options); a problem for each
    path that is missing or of a kind no loader reads."""
    problems = options_problems(options) if options else []
    if problems:
        raise InvalidQuery("; ".join(problems))
    files, parsed = input_files(paths)
    for index, path in enumerate(files):
        progress(f"reading {path.name}", index, len(files))
        # a register is its own source by the name the caller gave its file
        named = Path(names[path]).stem if names and path in names else None
        parsed.append(read_file(path, check_report=check_report, source=source or named,
                                options=options))
    return parsed


_NUMERALS = frozenset("0123456789一二三四五六七八九十")


def _one_character_apart(name: str, other: str) -> bool:
    """Whether two names of one length differ in one character, not a numeral.

    >>> [_one_character_apart("芳章社区", n) for n in ("芳草社区", "芳章社区", "1号院")]
    [True, False, False]
    >>> _one_character_apart("1号院", "2号院"), _one_character_apart("东一区", "东二区")
    (False, False)
    """
    if len(name) != len(other):
        return False
    apart = [(a, b) for a, b in zip(name, other, strict=True) if a != b]
    return len(apart) == 1 and not set(apart[0]) <= _NUMERALS


def _check_stated_dates(parsed: list[ParsedFile], as_of: str) -> None:
    """A register whose title states another date than the one given: a problem, not the
    file's date silently taken (a 填报日期 left over from last month's sheet would replace that
    month's edition)."""
    for register in parsed:
        if register.kind == "register" and register.as_of and register.as_of != as_of:
            register.problem(
                Location(file=register.path), f"the date given ({as_of}) to be the one the "
                f"register states ({register.as_of}): correct its 填报日期, or give no date",
                field="as_of", value=as_of,
                zh=f"给定日期({as_of})与台账所写日期({register.as_of})一致:请改正台账的填报日期,"
                   "或不指定日期")


def checked_date(value: str, name: str) -> str:
    """A date given as YYYY-MM-DD, checked; InvalidQuery if it is not one."""
    if len(value) == 10:  # fromisoformat takes other forms too (20240531)
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise InvalidQuery(f"{name} {value!r}: expected a date YYYY-MM-DD")


def _is_current(value: object, shown: object) -> bool:
    """Whether a stated value is what the graph shows (a list: all of it among the united)."""
    if isinstance(value, list) and isinstance(shown, list):
        return all(v in shown for v in value)
    return value == shown


def _field_zh(type_name: str, key: str) -> str:
    """The Chinese name of a node's fact: a property, its name, or a relationship."""
    if key == "name":
        return "名称"
    relation, _, direction = key.partition(" ")
    if relation in RELATIONSHIP_TYPES:
        return f"{zh_name(relation)} {direction}"
    spec = node_properties(type_name).get(key) if type_name in NODE_TYPES else None
    return spec.zh if spec else key


def _facts_of(uid: str, rows: Mapping[str, Statements], timeline: Timeline) -> dict[str, object]:
    """A node's name, properties and relationships (by type and direction: the names of the
    other ends) at the timeline's moment: what its history compares."""
    node = derive(rows[uid], timeline)
    if not isinstance(node, Node):
        return {}
    facts: dict[str, object] = {"name": node.name, **node.properties}
    related: dict[str, list[str]] = defaultdict(list)
    for row in rows.values():
        if row.ends is None or uid not in row.ends:
            continue
        other = row.ends[1] if row.ends[0] == uid else row.ends[0]
        other_node = derive(rows[other], timeline) if other in rows else None
        if isinstance(other_node, Node) and derive(row, timeline, claims_at(row.ends, rows)):
            arrow = "→" if row.ends[0] == uid else "←"
            related[f"{row.type} {arrow}"].append(other_node.name)
    return {**facts, **{key: sorted(names) for key, names in related.items()}}


def rule_named(name: str) -> GapRule:
    if name not in GAP_RULES:
        raise InvalidQuery(f"no gap rule {name!r}; expected one of " + ", ".join(GAP_RULES))
    return GAP_RULES[name]


