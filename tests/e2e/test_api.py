"""The HTTP API as scripts and dashboards use it: answers, ingest, exports, rights, privacy."""

import io
import json
import re
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from govgraph.graph.storage.embedded import EmbeddedStore
from govgraph.loaders import read_file
from govgraph.loaders.assemble import assemble
from govgraph.service.api.main import create_app
from govgraph.service.core import Service
from govgraph.service.settings import Settings
from tests.conftest import SEED_DATE, seed_batch

WRITER = "w" * 24
PERSONAL = "p" * 24
NAME = "赵鸿翔"


@pytest.fixture
def settings(tmp_path):
    path = tmp_path / "store.db"
    with EmbeddedStore(path) as store:
        store.load(seed_batch())
    return Settings(store=str(path), tokens={WRITER: ["write"], PERSONAL: ["personal"]},
                    max_upload_bytes=200_000)


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def test_health_vocabulary_stats(client):
    assert client.get("/api/v1/health").json()["status"] == "ok"
    vocabulary = client.get("/api/v1/vocabulary").json()
    assert {"name": "REPRESENTS", "zh": "代表"}.items() <= next(
        r for r in vocabulary["relationship_types"] if r["name"] == "REPRESENTS").items()
    assert [r["title"] for r in vocabulary["rules"]][0] == "小区未建党组织"
    assert client.get("/api/v1/stats").json()["nodes"]["Compound"] == 9


def test_a_question_reading_for_long_holds_up_no_other_request(client, monkeypatch):
    """A question may read for seconds (the graph read whole after a large load, a date
    derived): meanwhile the service answers the others."""
    reading, done_reading = threading.Event(), threading.Event()
    answer = Service.gaps

    def reading_for_long(self, *args, **kwargs):
        reading.set()
        done_reading.wait(timeout=30)
        return answer(self, *args, **kwargs)

    monkeypatch.setattr(Service, "gaps", reading_for_long)
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(client.get, "/api/v1/gaps/troika-incomplete")
        try:
            assert reading.wait(timeout=30)
            assert client.get("/api/v1/health").status_code == 200
            assert client.get("/api/v1/stats").status_code == 200
            assert not slow.done()
        finally:
            done_reading.set()
        assert slow.result().json()["compounds_checked"] == 10


def test_search_is_paged_and_finds_pinyin(client):
    page = client.get("/api/v1/search", params={"q": "gonghang", "limit": 1}).json()
    assert page["data"][0]["uid"] == "compound:久安社区.工行小区" and page["count"] >= 1
    assert page["limit"] == 1 and page["offset"] == 0


def test_node_detail_with_sources_evidence_and_neighbours(client):
    detail = client.get("/api/v1/nodes/compound:久安社区.工行小区").json()
    assert detail["type_zh"] == "小区" and detail["property_names"]["buildings"] == "楼栋数"
    assert any(s["evidence"] == "工行小区坚持党建引领自办物业" and s["title"]
               for s in detail["sources"])
    part_of = next(n for n in detail["neighbours"]
                   if n["relation"] == "PART_OF" and n["direction"] == "out")
    assert part_of["relation_zh"] == "隶属" and part_of["examples"][0]["name"] == "久安社区"


def test_catalogue_answers(client):
    gaps = client.get("/api/v1/gaps/compound-without-committee-branch",
                      params={"scope": "street:福田区.莲花街道"}).json()
    assert gaps["title"] == "业委会(物管会)未建党组织" and gaps["hits"]["count"] == 0
    assert {h["compound"]["name"] for h in gaps["not_recorded"]} == {"市政大院", "深业花园"}
    assert gaps["definition"]["zh"].startswith("业委会(物管会)党组织指")
    low = client.get("/api/v1/gaps/committee-low-party-share", params={"offset": 1}).json()
    assert low["hits"]["count"] == 1 and low["hits"]["data"] == []  # paged
    low = client.get("/api/v1/gaps/committee-low-party-share",
                     params={"threshold": 30}).json()
    assert low["parameters"]["threshold"] == 30.0 and low["hits"]["count"] == 0
    assert low["definition"]["parameters"]["threshold"] == {
        "value": 30.0, "default": 50.0, "zh": "红色业委会党员委员占比下限(%)",
        "en": "the share of party members (percent) at which a committee is 红色"}
    coverage = client.get("/api/v1/coverage").json()
    assert coverage["ratios"][0]["numerator"] == 10
    unrecorded_apart = client.get("/api/v1/coverage",
                                  params={"unrecorded_in_denominator": 0}).json()
    red = unrecorded_apart["ratios"][2]
    assert (red["numerator"], red["denominator"], red["not_recorded"]) == (5, 5, 5)
    assert client.get("/api/v1/coverage", params={"threshold": 120}).status_code == 422
    tree = client.get("/api/v1/nodes/compound:久安社区.工行小区/tree",
                      params={"line": "party"}).json()
    assert tree["children"][0]["node"]["kind"] == "支部"
    path = client.get("/api/v1/path", params={"source": "compound:久安社区.工行小区",
                                              "target": "compound:离石区.泛华盛世小区"}).json()
    assert path["found"] and path["hops"] == 3
    projects = client.get("/api/v1/projects", params={"scope": "street:福田区.莲花街道"}).json()
    assert projects["count"] == len(projects["data"]) > 0
    around = client.get("/api/v1/nodes/compound:久安社区.工行小区/neighbourhood",
                        params={"type": "PART_OF"}).json()
    assert {n["type"] for n in around["nodes"]} == {"Compound", "Community", "Building"}


def test_errors_name_what_is_wrong(client):
    missing = client.get("/api/v1/nodes/compound:无.无")
    assert missing.status_code == 404 and "compound:无.无" in missing.json()["detail"]
    bad = client.get("/api/v1/gaps/committee-low-party-share", params={"threshold": 200})
    assert bad.status_code == 422 and "threshold" in bad.json()["detail"]
    bad = client.get("/api/v1/nodes/compound:久安社区.工行小区/tree", params={"depth": -1})
    assert bad.status_code == 422 and "depth" in bad.json()["detail"]
    bad = client.get("/api/v1/coverage", params={"scope": "party:久安社区.工行小区.小区党支部"})
    assert bad.status_code == 422 and "expected the uid of a place" in bad.json()["detail"]


def test_internal_errors_show_no_stack_trace(client, monkeypatch):
    def broken(*_):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(EmbeddedStore, "stats", broken)
    response = client.get("/api/v1/stats")
    assert response.status_code == 500
    assert "secret" not in response.text and "Traceback" not in response.text


UPLOAD = """\
source: {uid: source:上传.测试, title: 上传测试}
actors:
  - {uid: "compound:久安社区.新小区", type: Compound, name: 新小区}
relationships:
  - {type: PART_OF, from: "compound:久安社区.新小区", to: "community:凤山街道.久安社区"}
"""


def upload(client, text=UPLOAD, name="case.yaml", token=None, **params):
    return client.post("/api/v1/records", params=params, headers=auth(token) if token else {},
                       files=[("files", (name, text.encode("utf-8")))])


def test_a_write_needs_a_token_with_the_right(client):
    before = client.get("/api/v1/stats").json()
    assert upload(client).status_code == 401
    assert upload(client, token=PERSONAL).status_code == 403
    assert upload(client, token="x" * 24).status_code == 401
    assert client.get("/api/v1/stats").json() == before
    created = upload(client, token=WRITER)
    assert created.status_code == 201 and created.json()["nodes"]["Compound"]["created"] == 1
    assert client.get("/api/v1/nodes/compound:久安社区.新小区").status_code == 200


def test_a_bad_upload_lists_every_problem_and_changes_nothing(client):
    before = client.get("/api/v1/stats").json()
    bad = UPLOAD.replace("type: Compound", "type: Compund").replace(
        "community:凤山街道.久安社区", "community:无.无")
    response = upload(client, bad, token=WRITER)
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert [(p["file"], p["field"]) for p in problems] == [("case.yaml", "type"),
                                                           ("case.yaml", "to")]
    assert problems[0]["line"] == 3 and "Compound" in problems[0]["expected"]
    assert upload(client, "x", name="notes.txt", token=WRITER).status_code == 422
    assert upload(client, token=WRITER, dry_run="true").status_code == 201
    assert client.get("/api/v1/stats").json() == before


def test_uploads_are_limited_in_size(client):
    response = upload(client, UPLOAD + "#" * 300_000, token=WRITER)
    assert response.status_code == 413


def test_registers_can_be_uploaded(client):
    register = "小区名称,所属社区,所属街道,所属区\n新苑,久安社区,凤山街道,离石区\n".encode("gbk")
    response = client.post("/api/v1/records", headers=auth(WRITER),
                           files=[("files", ("台账.csv", register))])
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("fmt", ["graphml", "json", "csv", "jsonld"])
def test_exports(client, fmt):
    response = client.get("/api/v1/export", params={"format": fmt})
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    if fmt == "graphml":
        graph = nx.parse_graphml(response.text)
        assert graph.nodes["compound:久安社区.工行小区"]["label"] == "工行小区"
    elif fmt == "json":
        assert any(n["type_zh"] == "小区" for n in response.json()["nodes"])
    elif fmt == "csv":
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        nodes = archive.read("nodes.csv").decode("utf-8")
        assert nodes.startswith("uid:ID,name,search,properties,citations,:LABEL")
        assert NAME not in nodes and "赵**" in nodes
    else:
        data = response.json()
        assert data["@context"]["org"] == "http://www.w3.org/ns/org#"
        assert any(r.get("@type") == "org:Post" for r in data["@graph"])
    scoped = client.get("/api/v1/export", params={"format": fmt,
                                                  "scope": "community:凤山街道.久安社区"})
    assert scoped.status_code == 200
    whole, part = (zipfile.ZipFile(io.BytesIO(r.content)).read("nodes.csv").decode("utf-8")
                   if fmt == "csv" else r.text for r in (response, scoped))
    # the community, its compound and the bodies around them; nothing of other streets
    assert "工行小区物管会" in part and "莲花街道" not in part and "莲花街道" in whole
    assert len(part) < len(whole) / 3


ALL_READS = [
    "/api/v1/search?q=zhao", "/api/v1/search?q=赵",
    "/api/v1/nodes/compound:久安社区.工行小区/neighbourhood?depth=2",
    "/api/v1/nodes/party:久安社区.工行小区.小区党支部",
    "/api/v1/export?format=json", "/api/v1/export?format=graphml",
    "/api/v1/export?format=jsonld", "/views/network/compound:久安社区.工行小区",
]
PERSON = "person:工行小区.赵鸿翔"


def test_peoples_names_are_masked_without_the_right(client):
    for url in ALL_READS:
        response = client.get(url)
        assert response.status_code == 200, url
        assert NAME not in response.text, url
    assert "赵**" in client.get("/api/v1/nodes/compound:久安社区.工行小区/neighbourhood").text
    personal = client.get(f"/api/v1/nodes/{PERSON}", headers=auth(PERSONAL))
    assert personal.json()["name"] == NAME


def test_names_cannot_be_confirmed_by_guessing(client):
    assert client.get("/api/v1/search", params={"q": "zhaohongxiang"}).json()["count"] == 0
    for url in (f"/api/v1/nodes/{PERSON}", f"/api/v1/nodes/{PERSON}/neighbourhood",
                f"/views/network/{PERSON}", f"/api/v1/path?source={PERSON}"
                "&target=compound:久安社区.工行小区"):
        response = client.get(url)
        assert response.status_code == 404 and NAME not in response.text, url
    found = client.get("/api/v1/search", params={"q": "zhaohongxiang"}, headers=auth(PERSONAL))
    assert found.json()["count"] == 1


def test_a_name_inside_a_long_label_is_masked_before_it_is_wrapped(client):
    facility = """source: {uid: source:上传.调解室, title: 调解室}
facilities:
  - {uid: "facility:工行小区.调解室", name: 久安社区党群服务站赵鸿翔调解室}
relationships:
  - {type: LOCATED_IN, from: "facility:工行小区.调解室", to: "compound:久安社区.工行小区"}
"""
    assert upload(client, facility, token=WRITER).status_code == 201
    page = client.get("/views/network/compound:久安社区.工行小区")
    assert page.status_code == 200
    assert "赵" in page.text and "鸿翔" not in page.text


def test_reads_can_require_a_token(settings):
    closed = settings.model_copy(update={"read_requires_token": True})
    with TestClient(create_app(closed)) as client:
        assert client.get("/api/v1/stats").status_code == 401
        assert client.get("/api/v1/stats", headers=auth(WRITER)).status_code == 200


def test_store_down_is_503_and_the_service_recovers(settings, tmp_path):
    good = settings.store
    broken = tmp_path / "broken.db"
    broken.write_text("not a database", encoding="utf-8")
    with TestClient(create_app(settings.model_copy(update={"store": str(broken)})),
                    raise_server_exceptions=False) as client:
        response = client.get("/api/v1/health")
        assert response.status_code == 503 and "unavailable" in response.json()["detail"]
        assert "broken.db" not in response.text  # where the store is: for the log only
        broken.write_bytes(open(good, "rb").read())
        assert client.get("/api/v1/health").status_code == 200


def test_placeholder_tokens_are_refused_in_production():
    with pytest.raises(ValueError, match="placeholder or short token"):
        Settings(environment="production", tokens={"changeme": ["write"]})
    assert Settings(environment="development", tokens={"changeme": ["write"]})


def test_the_openapi_document_describes_every_endpoint(client):
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ["/api/v1/health", "/api/v1/vocabulary", "/api/v1/search", "/api/v1/nodes/{uid}",
                 "/api/v1/nodes/{uid}/neighbourhood", "/api/v1/nodes/{uid}/tree",
                 "/api/v1/path", "/api/v1/gaps", "/api/v1/gaps/troika-incomplete",
                 "/api/v1/gaps/committee-low-party-share", "/api/v1/coverage",
                 "/api/v1/projects", "/api/v1/stats", "/api/v1/records", "/api/v1/export"]:
        assert path in paths, path
    assert json.dumps(spec, ensure_ascii=False).count("业委会") > 0


def test_cors_is_configurable(settings):
    open_to = settings.model_copy(update={"cors_origins": ["http://dashboard.local"]})
    with TestClient(create_app(open_to)) as client:
        response = client.get("/api/v1/stats", headers={"Origin": "http://dashboard.local"})
        assert response.headers["access-control-allow-origin"] == "http://dashboard.local"
    with TestClient(create_app(settings)) as client:
        response = client.get("/api/v1/stats", headers={"Origin": "http://dashboard.local"})
        assert "access-control-allow-origin" not in response.headers


def test_tokens_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("GOVGRAPH_TOKENS", json.dumps({WRITER: ["write", "personal"]}))
    monkeypatch.setenv("GOVGRAPH_READ_REQUIRES_TOKEN", "true")
    loaded = Settings()
    assert loaded.tokens == {WRITER: ["write", "personal"]} and loaded.read_requires_token
    assert WRITER not in repr(loaded)


def test_malformed_multipart_is_a_documented_400(client):
    response = client.post("/api/v1/records", headers={
        **auth(WRITER), "Content-Type": "multipart/form-data; boundary=x"},
        content=b"--x\r\nNone--x--\r\n")
    assert response.status_code == 400 and "multipart" in response.json()["detail"]


def test_answers_follow_a_load_made_by_another_process(client, settings):
    url = "/api/v1/stats"
    before = client.get(url).json()["nodes"]["Compound"]
    with EmbeddedStore(Path(settings.store)) as other:  # as `govgraph load` elsewhere would
        other.load(assemble([read_file(write_case(Path(settings.store).parent))],
                            other.get_nodes, SEED_DATE))
    assert client.get(url).json()["nodes"]["Compound"] == before + 1


def write_case(folder: Path) -> Path:
    path = folder / "case.yaml"
    path.write_text(UPLOAD, encoding="utf-8")
    return path


def test_repeated_answers_follow_every_change_and_every_callers_rights(client):
    url = "/api/v1/nodes/community:凤山街道.久安社区/tree"
    first = client.get(url).json()
    assert client.get(url).json() == first  # answered again, the same
    assert upload(client, token=WRITER).status_code == 201  # adds 新小区 under 久安社区
    changed = client.get(url).json()
    assert "新小区" in {c["node"]["name"] for c in changed["children"]}
    person = "/api/v1/nodes/person:工行小区.赵鸿翔"
    assert client.get(person, headers=auth(PERSONAL)).json()["name"] == NAME
    assert client.get(person).status_code == 404  # not shown without the right


def register_file(households: int, committee: str) -> tuple[str, bytes, str]:
    text = ("小区名称,所属社区,所属街道,所属区,所属市,户数,业委会\n"
            f"怡枫园,景华社区,莲花街道,福田区,深圳市,{households},{committee}\n")
    return ("景华社区台账.csv", text.encode("utf-8"), "text/csv")


def test_monthly_registers_sources_as_of_conflicts_history_and_unloading(client):
    compound = "/api/v1/nodes/compound:景华社区.怡枫园"
    for as_of, households, committee in (("2024-05-31", 1100, "有"), ("2024-06-30", 1200, "无")):
        loaded = client.post("/api/v1/records", params={"as_of": as_of}, headers=auth(WRITER),
                             files=[("files", register_file(households, committee))])
        assert loaded.status_code == 201, loaded.text
    assert loaded.json()["edges"]["REPRESENTS"]["removed"] == 1  # the report's too: superseded
    report = ("source: {uid: 'source:报道.怡枫园', title: 怡枫园纪实, date: 2021-03-01}\n"
              "actors: [{uid: 'compound:景华社区.怡枫园', type: Compound, name: 怡枫园, "
              "households: {value: 1000, unit: 户}}]\n")
    assert client.post("/api/v1/records", headers=auth(WRITER), files=[
        ("files", ("report.yaml", report.encode(), "text/yaml"))]).status_code == 201

    sources = client.get("/api/v1/sources").json()
    register = [s for s in sources if s["kind"] == "register"]
    assert [(s["source"], s["as_of"], s["current"]) for s in register] == [
        ("source:台账.景华社区台账", "2024-05-31", False),
        ("source:台账.景华社区台账", "2024-06-30", True)]

    def hits(**params):
        answer = client.get("/api/v1/gaps/compound-without-owners-committee",
                            params={"scope": "street:福田区.莲花街道", **params}).json()
        return [h["compound"]["name"] for h in answer["hits"]["data"]]
    assert hits() == ["怡枫园"] and hits(as_of="2024-06-01") == []
    assert client.get(compound).json()["properties"]["households"]["value"] == 1200
    may = client.get(compound, params={"as_of": "2024-06-01"}).json()
    assert may["properties"]["households"]["value"] == 1100
    bad = client.get(compound, params={"as_of": "2024-02-30"})
    assert bad.status_code == 422 and "query.as_of: Input should be a valid date" in bad.json()[
        "detail"]

    conflicts = client.get("/api/v1/conflicts").json()["data"]
    assert [(c["node"]["name"], c["field"]) for c in conflicts] == [("怡枫园", "households")]
    assert [(v["value"]["value"], v["source"]) for v in conflicts[0]["values"]] == [
        (1200, "source:台账.景华社区台账"), (1000, "source:报道.怡枫园")]
    history = client.get(compound + "/history").json()
    assert [h["as_of"] for h in history] == ["2021-03-01", "2021-07-01", "2024-05-31",
                                             "2024-06-30"]
    trend = client.get("/api/v1/coverage/history",
                       params={"scope": "street:福田区.莲花街道"}).json()
    assert [t["as_of"] for t in trend] == ["2021-07-01", "2024-05-31", "2024-06-30"]

    url = "/api/v1/sources/" + "source:台账.景华社区台账"
    assert client.delete(url).status_code == 401
    assert client.delete(url, headers=auth(PERSONAL)).status_code == 403
    dry = client.delete(url, params={"dry_run": True}, headers=auth(WRITER)).json()
    assert dry["dry_run"] is True and hits() == ["怡枫园"]
    assert client.delete(url, headers=auth(WRITER)).status_code == 200
    assert hits() == [] and client.delete(url, headers=auth(WRITER)).status_code == 404
    assert all(s["kind"] == "case" for s in client.get("/api/v1/sources").json())


def test_an_uploaded_register_is_the_source_its_file_name_says_as_from_the_cli(client):
    register = "小区名称,所属社区,所属街道,所属区\n新苑,久安社区,凤山街道,离石区\n".encode()
    for as_of in ("2024-05-31", "2024-06-30"):
        assert client.post("/api/v1/records", params={"as_of": as_of}, headers=auth(WRITER),
                           files=[("files", ("台账（5月） 终.csv", register))]).status_code == 201
    editions = [(s["source"], s["as_of"]) for s in client.get("/api/v1/sources").json()
                if s["kind"] == "register"]
    assert editions == [("source:台账.台账（5月）_终", "2024-05-31"),
                        ("source:台账.台账（5月）_终", "2024-06-30")]


def test_a_register_as_kept_previewed_then_loaded_with_its_district_given(client, tmp_path):
    from tests.unit.test_registers_as_kept import workbook

    data = workbook(tmp_path / "莲花街道台账.xlsx").read_bytes()
    upload = [("files", ("莲花街道台账.xlsx", data))]
    missing = client.post("/api/v1/records", params={"dry_run": True}, headers=auth(WRITER),
                          files=upload)
    assert missing.status_code == 422
    (problem,) = missing.json()["problems"]
    assert (problem["file"], problem["row"]) == ("莲花街道台账.xlsx", 3)
    preview = client.post("/api/v1/records", params={"dry_run": True, "default": "所属区=福田区"},
                          headers=auth(WRITER), files=upload).json()
    (layout,) = preview["registers"]
    assert layout["header_row"] == 3 and layout["file"] == "莲花街道台账.xlsx"
    compounds = preview["nodes"]["Compound"]
    assert preview["dry_run"] and compounds["created"] + compounds["updated"] == 4  # 3 in seeds
    assert client.get("/api/v1/stats").json()["nodes"]["Compound"] == 9  # nothing written
    assert client.post("/api/v1/records", params={"default": "所属区"}, headers=auth(WRITER),
                       files=upload).status_code == 422


def test_gap_lists_and_ratios_download_as_a_workbook(client):
    from openpyxl import load_workbook

    answer = client.get("/api/v1/workbook", params={"scope": "street:福田区.莲花街道",
                                                    "as_of": "2024-06-01"})
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames[0] == "覆盖率" and "业委会(物管会)未建党组织" in book.sheetnames
    ratios = list(book["覆盖率"].values)
    assert ratios[0][0] == "覆盖率 · 莲花街道 · 截至 2024-06-01 · 共 3 个小区"
    assert ratios[1] == ("指标", "比例", "分子", "分母", "写明未达", "未记录", "口径", "口径选择")
    assert ratios[3][:6] == ("业委会组建率", 1, 3, 3, 0, 0)
    assert ratios[3][7].startswith("口径选择:物管会计为业委会(小区未成立业委会时):是")
    branches = list(book["业委会(物管会)未建党组织"].values)
    assert branches[1][:4] == ("小区", "所在", "原因", "未记录, 无法判断")
    assert branches[2][0] == "口径" and branches[2][1].startswith("业委会(物管会)党组织指")
    assert {r[0] for r in branches[3:]} == {"市政大院", "深业花园"}
    assert branches[3][1].startswith("深圳市 / 福田区 / 莲花街道")


def test_a_citys_choice_of_definitions_is_every_answers_default(settings):
    """GOVGRAPH_DEFINITIONS sets the city's 口径: answers use it unless a question gives its
    own, and say so; an unknown choice is refused when the service starts."""
    city = settings.model_copy(update={"definitions": {"management_committee_counts": 0}})
    with TestClient(create_app(city)) as client:
        answer = client.get("/api/v1/gaps/compound-without-owners-committee").json()
        assert [h["compound"]["name"] for h in answer["hits"]["data"]] == ["工行小区"]
        used = answer["definition"]["parameters"]["management_committee_counts"]
        assert (used["value"], used["default"]) == (0, 1)
        asked = client.get("/api/v1/gaps/compound-without-owners-committee",
                           params={"management_committee_counts": 1}).json()
        assert asked["hits"]["count"] == 0
        formation = client.get("/api/v1/coverage").json()["ratios"][1]
        assert (formation["numerator"], formation["recorded_no"]) == (9, 1)
    with pytest.raises(ValueError, match="has no parameter 'bogus'"):
        Settings(definitions={"bogus": 1})


@pytest.mark.parametrize("prepare", [True, False])
def test_the_service_makes_every_compounds_profile_before_answering(settings, profiled,
                                                                    prepare, caplog):
    """Started, the service reads the graph and profiles every compound before it answers, and
    says so in the server's log, so the first whole-city question profiles nothing; told not
    to, that question profiles all."""
    started = settings.model_copy(update={"prepare_on_start": prepare})
    with caplog.at_level("INFO", logger="uvicorn.error"), TestClient(create_app(started)) as client:
        said = [r.getMessage() for r in caplog.records if r.name == "uvicorn.error"]
        assert (said[:1], len(said)) == ((["reading the store ahead: the graph and every "
                                           "compound's profile"], 2) if prepare else ([], 0))
        assert not prepare or re.fullmatch(r"read ahead in \d+\.\d s", said[1])
        before = len(profiled)
        answer = client.get("/api/v1/gaps/troika-incomplete")
        assert answer.status_code == 200
        compounds = client.get("/api/v1/stats").json()["nodes"]["Compound"]
    assert (before, len(profiled)) == ((compounds, compounds) if prepare else (0, compounds))
