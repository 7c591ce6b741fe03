"""Views of the structure: network pages work offline and speak Chinese; org charts draw real
CJK glyphs (compared against the same chart drawn with the CJK fonts taken away)."""

import io
import re

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from govgraph.graph.storage.embedded import EmbeddedStore
from govgraph.service.api.main import create_app
from govgraph.service.core import Service
from govgraph.service.settings import Settings
from govgraph.viz import orgchart
from tests.conftest import seed_batch

LIANHUA = "street:福田区.莲花街道"
GONGHANG = "compound:久安社区.工行小区"
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with EmbeddedStore(tmp_path_factory.mktemp("views") / "store.db") as opened:
        opened.load(seed_batch())
        yield opened


@pytest.fixture(scope="module")
def client(store):
    with TestClient(create_app(Settings(store=str(store.file)))) as client:
        yield client


def test_a_network_file_is_self_contained_and_in_chinese(store):
    html = Service(store, personal=True).network_page(LIANHUA)
    assert not EXTERNAL.search(html)
    assert "vis.Network" in html and "<script src" not in html  # vis-network inlined
    for text in ("莲花街道", "景华社区", "党组织", "业主委员会", "隶属"):
        assert text in html
    assert "\\u" not in html.split("const data = ")[1][:2000]  # Chinese kept as characters


def test_served_views_use_local_assets(client):
    page = client.get(f"/views/network/{LIANHUA}")
    assert page.status_code == 200 and "/static/vis/vis-network.min.js" in page.text
    assert not EXTERNAL.search(page.text)
    assert client.get("/static/vis/vis-network.min.js").status_code == 200
    tree = client.get(f"/views/tree/{GONGHANG}", params={"line": "party"})
    assert '"hierarchical"' in tree.text and "工行小区党员中心户" in tree.text
    docs = client.get("/docs").text
    assert "/static/swagger/swagger-ui-bundle.js" in docs and not EXTERNAL.search(docs)
    explorer = client.get("/")
    assert explorer.status_code == 200 and "基层治理知识图谱" in explorer.text
    assert not EXTERNAL.search(explorer.text)


def test_views_mask_peoples_names(client):
    page = client.get(f"/views/network/{GONGHANG}")
    assert page.status_code == 200 and "赵鸿翔" not in page.text and "赵**" in page.text
    assert client.get("/views/network/person:工行小区.赵鸿翔").status_code == 404


def test_orgchart_formats(client):
    for fmt, magic in (("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF")):
        image = client.get(f"/orgchart/{GONGHANG}.{fmt}", params={"line": "both"})
        assert image.status_code == 200 and image.content.startswith(magic), fmt
    svg = client.get(f"/orgchart/{GONGHANG}.svg", params={"line": "party"}).text
    for text in ("工行小区党支部", "党小组", "党员中心户", "9个", "Noto Sans CJK SC"):
        assert text in svg
    assert client.get("/orgchart/compound:无.无.png").status_code == 404


def test_without_graphviz_an_org_chart_is_503_saying_what_to_install(client, monkeypatch,
                                                                      tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` to be found
    answer = client.get(f"/orgchart/{GONGHANG}.png", params={"line": "party"})
    assert answer.status_code == 503
    assert "apt-get install graphviz" in answer.json()["detail"]


def tofu_free_render(store, monkeypatch, tmp_path, cjk: bool) -> Image.Image:
    if not cjk:  # a fontconfig that knows only DejaVu, which has no Chinese glyphs
        conf = tmp_path / "fonts.conf"
        conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
                        "<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir>"
                        f"<cachedir>{tmp_path}/cache</cachedir></fontconfig>", encoding="utf-8")
        monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    tree = Service(store, personal=True).tree(GONGHANG, "party", 5)
    return Image.open(io.BytesIO(orgchart.render({"party": tree}, "工行小区", "png"))).convert("L")


def test_orgchart_png_draws_cjk_glyphs_not_tofu(store, monkeypatch, tmp_path):
    with_font = tofu_free_render(store, monkeypatch, tmp_path, cjk=True)
    without = tofu_free_render(store, monkeypatch, tmp_path, cjk=False)
    ink = sum(with_font.histogram()[:128])
    tofu_ink = sum(without.histogram()[:128])
    assert ink > 1000
    # real glyphs of bold Chinese names carry far more ink than hollow boxes do
    assert abs(ink - tofu_ink) / max(ink, tofu_ink) > 0.15, (ink, tofu_ink)


def test_wide_levels_wrap_into_rows_rather_than_shrink():
    from govgraph.graph.answers import NodeRef, TreeNode

    def compound(i):
        return TreeNode(node=NodeRef(uid=f"compound:测试.小区{i}", name=f"测试小区{i}号",
                                     type="Compound", type_zh="小区"), relation="隶属")

    communities = [TreeNode(node=NodeRef(uid=f"community:测试.社区{j}", name=f"测试社区{j}",
                                         type="Community", type_zh="社区"), relation="隶属",
                            children=[compound(100 * j + i) for i in range(6)])
                   for j in range(12)]
    street = TreeNode(node=NodeRef(uid="street:测试.街道", name="测试街道",
                                   type="StreetOffice", type_zh="街道/镇"), children=communities)
    chart = Image.open(io.BytesIO(orgchart.render({"admin": street}, "测试", "png")))
    width, height = chart.size
    # 72 compounds side by side would be ~90 inches wide; wrapped, the page is taller than wide
    # and its width stays near an A4 page's at the drawn size (144 dpi)
    assert width < height and width / 144 < 14, chart.size
