"""A real browser (Debian's Chromium, headless) on the running service, with every request that
leaves this machine refused: the explorer finds a seed compound and shows it; network views
draw their nodes. Screenshots go to the test's folder, and to $GOVGRAPH_SCREENSHOTS if set."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from govgraph.graph.rules import GAP_RULES
from govgraph.graph.storage.embedded import EmbeddedStore
from tests.conftest import ROOT, seed_batch

CHROMIUM = shutil.which("chromium")
WRITER = "w" * 24  # the token with the right to write
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


REGISTER = ["小区名称,所属社区,所属街道,所属区,所属市,业委会",
            "怡枫园,景华社区,莲花街道,福田区,深圳市,{committee}"]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """The seed cases, and two monthly editions of 景华社区's register: in June 怡枫园's
    committee is gone."""
    folder = tmp_path_factory.mktemp("browser")
    store = folder / "store.db"
    with EmbeddedStore(store) as opened:
        opened.load(seed_batch())
    register = folder / "景华社区台账.csv"
    for date, committee in (("2024-05-31", "有"), ("2024-06-30", "无")):
        register.write_text("\n".join(REGISTER).format(committee=committee), encoding="utf-8")
        subprocess.run([sys.executable, "-m", "govgraph", "--store", str(store), "load",
                        str(register), "--as-of", date], cwd=ROOT, check=True,
                       capture_output=True)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "govgraph", "--store", str(store), "serve", "--port", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "GOVGRAPH_TOKENS": json.dumps({WRITER: ["write"]})})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/v1/health", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("the service did not start")
    yield base
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM, "Chromium is needed for browser tests; scripts/setup.sh --dev installs it"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, service):
    """A page that may only reach the service: anything else is refused and recorded."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.refused = []

    def only_local(route):
        url = route.request.url
        if url.startswith(service) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            page.refused.append(url)
            route.abort()

    context.route("**/*", only_local)
    yield page
    context.close()


def save(page, tmp_path, name):
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("GOVGRAPH_SCREENSHOTS"):
        target = Path(os.environ["GOVGRAPH_SCREENSHOTS"])
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target / name)
    return path


def drawn_nodes(frame) -> int:
    """Nodes the vis network holds, once it has settled, and whether its canvas has ink."""
    frame.wait_for_selector("body[data-stable=true]", timeout=60_000)
    count = frame.evaluate("window.govgraphData.nodes.length")
    inked = frame.evaluate("""() => {
        const canvas = document.querySelector('#graph canvas');
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let ink = 0;
        for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) { ink++; } }
        return ink;
    }""")
    assert inked > 500, "the canvas is blank"
    return count


def test_explorer_search_finds_a_seed_compound_and_shows_it_offline(page, service, tmp_path):
    page.goto(service + "/")
    assert page.title().startswith("基层治理知识图谱")
    page.fill("#search", "ghxq")
    page.wait_for_selector("#results li[data-uid='compound:久安社区.工行小区']")
    page.click("#results li[data-uid='compound:久安社区.工行小区']")
    assert page.inner_text("#name") == "工行小区"
    frame = page.frame_locator("#network").locator("body")
    frame.wait_for()
    network = page.frames[1]
    assert drawn_nodes(network) >= 10
    page.wait_for_function("document.getElementById('chart').naturalWidth > 0")
    page.wait_for_selector("#gaps details.not-recorded", state="attached")
    gaps = page.text_content("#gaps")
    assert "业委会(物管会)未建党组织 — 缺口 0 · 未记录 1 / 1 个小区" in gaps
    assert "工行小区物管会未记录党支部或党的工作小组" in gaps  # not recorded, not a gap
    page.click("#gaps details.not-recorded summary >> nth=0")
    page.click("#gaps details.definition summary >> nth=0")
    assert "口径选择" in page.inner_text("#coverage")
    assert "党组织覆盖率" in page.inner_text("#coverage")
    save(page, tmp_path, "explorer-gonghang.png")
    assert page.refused == []


def test_explorer_picks_a_street_and_lists_its_communities(page, service, tmp_path):
    page.goto(service + "/")
    page.wait_for_selector("#streets option[value='street:福田区.莲花街道']", state="attached")
    page.select_option("#streets", "street:福田区.莲花街道")
    page.wait_for_selector("#children li[data-uid='community:莲花街道.景华社区']")
    assert drawn_nodes(page.frames[1]) >= 30
    page.check("input[name=line][value=both]")
    page.wait_for_function("document.getElementById('chart').src.includes('line=both')")
    page.wait_for_function("document.getElementById('chart').naturalWidth > 0")
    save(page, tmp_path, "explorer-lianhua.png")
    assert page.refused == []


def test_network_view_of_lianhua_draws_with_chinese_labels(page, service, tmp_path):
    page.goto(f"{service}/views/network/{quote('street:福田区.莲花街道')}")
    assert drawn_nodes(page) >= 30
    labels = page.evaluate("window.govgraphData.nodes.get().map(n => n.label).join(' ')")
    assert "景华社区" in labels and "莲花街道" in labels
    page.uncheck("#legend input[data-type=Project]")
    hidden = page.evaluate("window.govgraphData.nodes.get().filter(n => n.hidden).length")
    assert hidden > 0
    page.check("#legend input[data-type=Project]")
    save(page, tmp_path, "network-lianhua.png")
    assert page.refused == []


def test_party_line_of_gonghang_as_a_tree_view(page, service, tmp_path):
    page.goto(f"{service}/views/tree/{quote('compound:久安社区.工行小区')}?line=party")
    assert drawn_nodes(page) == 4
    save(page, tmp_path, "tree-gonghang-party.png")
    assert page.refused == []


ALL_GAPS_ANSWERED = ("[...document.querySelectorAll('#gaps .rule')].length === "
                     f"{len(GAP_RULES)} && [...document.querySelectorAll('#gaps .rule')]"
                     ".every(r => r.textContent.includes('个小区'))")
FORMATION = ("[...document.querySelectorAll('#coverage tr')]"
             ".some(r => r.innerText.includes('业委会组建率') && r.innerText.includes('RATIO'))")


def test_the_coverage_trend_and_a_date_for_the_whole_page(page, service, tmp_path):
    page.goto(service + "/?uid=" + quote("street:福田区.莲花街道"))
    page.click("#show-trend")
    page.wait_for_selector("#trend svg polyline", state="attached")
    assert page.locator("#trend svg polyline").count() == 3  # one line a ratio
    dates = page.eval_on_selector_all("#trend svg text", "els => els.map(e => e.textContent)")
    assert {"2021-07-01", "2024-05-31", "2024-06-30"} <= set(dates)
    formation = page.locator("#coverage tr", has_text="业委会组建率")
    assert "66.7%" in formation.inner_text()  # June: 怡枫园 has no committee any more
    page.locator("#trend").scroll_into_view_if_needed()
    save(page, tmp_path, "explorer-trend.png")

    page.locator("#trend svg circle").nth(4).dispatch_event("click")  # 业委会组建率, May
    assert page.input_value("#asof") == "2024-05-31"
    page.wait_for_function(FORMATION.replace("RATIO", "100.0%"))
    assert page.locator("#trend svg text", has_text="2024-06-30").count() == 1  # still whole
    page.fill("#asof", "2024-06-01")
    page.dispatch_event("#asof", "change")
    page.wait_for_function("document.querySelector('#network').src.includes('as_of=2024-06-01')")
    page.wait_for_function(FORMATION.replace("RATIO", "100.0%"))
    assert "按 2024-06-01 的数据" in page.inner_text("#asof-note")
    page.wait_for_selector("#trend svg polyline", state="attached")
    page.wait_for_function(ALL_GAPS_ANSWERED)  # 怡枫园 without its committee in June
    assert "error" not in page.inner_text("#gaps")
    page.locator("#trend").scroll_into_view_if_needed()
    save(page, tmp_path, "explorer-as-of.png")
    page.click("#latest")
    page.wait_for_function(FORMATION.replace("RATIO", "66.7%"))
    page.wait_for_function(ALL_GAPS_ANSWERED)
    assert "error" not in page.inner_text("#gaps")
    assert page.refused == []


def test_the_import_panel_shows_every_problem_then_previews_and_loads_a_register(
        page, service, tmp_path):
    from tests.unit.test_registers_as_kept import workbook

    register = workbook(tmp_path / "莲花街道台账.xlsx")  # a street's own layout, no 所属区
    page.goto(service + "/")
    page.click("#open-import")
    page.fill("#token", WRITER)
    page.set_input_files("#files", str(register))
    page.click("#preview")
    page.wait_for_selector("#import-result table")
    problems = page.inner_text("#import-result")
    assert "有 1 个问题,未导入任何内容" in problems
    assert "有“所属区”列,或为全表填写所属区" in problems  # what was expected, in Chinese
    assert "莲花街道台账.xlsx\t小区治理\t3" in problems  # file, sheet, row: a table row

    page.fill("#default-district", "福田区")
    page.fill("#default-city", "深圳市")
    page.click("#preview")
    page.wait_for_selector("#import-result h3")
    preview = page.inner_text("#import-result")
    assert "预览(尚未写入)" in preview and "表头在第 3 行 · 填报日期 2024-05-31" in preview
    assert "停车位\t—\t保留为小区属性" in preview and "跳过 第8行:合计行" in preview
    assert "小区:这是合计行,已跳过" in preview
    save(page, tmp_path, "explorer-import.png")
    page.click("#confirm")
    page.wait_for_selector("#import-result .ok")
    assert "已导入" in page.inner_text("#import-result")

    page.click("#open-sources")
    row = page.locator("#source-list tr", has_text="source:台账.莲花街道台账")
    row.wait_for()
    assert "2024-05-31" in row.inner_text()
    save(page, tmp_path, "explorer-sources.png")
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("button").click()
    page.wait_for_function("![...document.querySelectorAll('#source-list tr')]"
                           ".some(r => r.innerText.includes('source:台账.莲花街道台账'))")
    assert page.refused == []
