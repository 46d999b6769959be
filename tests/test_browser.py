"""The HTML views in a real browser: headless Chromium (Debian's /usr/bin/chromium driven by
Playwright), pages opened from disk with every non-file request blocked and recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from kg_fixture import write_fixture

from kg import analytics as A
from kg import views as V

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[1]

if not Path(V.CHROMIUM).exists():
    pytest.skip(f"{V.CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)",
                allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser")
    path = write_fixture(out)
    G = A.load_graph(path)
    V.write_views(path, out, G=G)
    A.analyze(path, out, G=G)
    return out


def assert_clean(result: dict) -> None:
    assert result["blocked"] == [], f"requests left the page: {result['blocked']}"
    assert result["failed"] == [], f"failed requests: {result['failed']}"
    assert result["console_errors"] == [], f"console errors: {result['console_errors']}"


def test_graph_page_draws_every_node_offline(out):
    shot = out / "graph.png"
    result = V.measure_draw(out / "graph.html", screenshot=shot)
    G = A.load_graph(out / "kg.ttl")
    assert result["nodes"] == G.number_of_nodes()
    assert result["edges"] == G.number_of_edges()
    assert_clean(result)
    assert shot.stat().st_size > 10_000


def test_case_page_and_report_open_offline(out):
    G = A.load_graph(out / "kg.ttl")
    case = A.nodes_of(G, "Case")[0]
    for page in (out / "cases" / V.case_page_name(G, case), out / "cases" / "index.html", out / "report.html"):
        result = V.measure_draw(page, screenshot=out / f"{page.stem}.png")
        assert_clean(result)


def test_search_and_filters_work(out):
    from playwright.sync_api import sync_playwright

    G = A.load_graph(out / "kg.ttl")
    n_persons = len(A.nodes_of(G, "Person"))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=V.CHROMIUM, args=V.CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
            page.goto((out / "graph.html").as_uri())
            page.wait_for_function("window.kgDrawn === true")
            page.fill("#q", "徐泉铃")            # the person and her case
            page.press("#q", "Enter")
            assert page.text_content("#hits").startswith("2 ")
            page.fill("#q", "五间镇社保所")
            page.press("#q", "Enter")
            assert page.text_content("#hits").startswith("1 ")
            assert "五间镇社保所" in page.text_content("#info") and "000_832e13d42f1660e4.txt" in page.text_content("#info")
            visible = "kgNetwork.body.nodeIndices.length"
            assert page.evaluate(visible) == G.number_of_nodes()
            page.uncheck('input.f-cls[value="Person"]')
            assert page.evaluate(visible) == G.number_of_nodes() - n_persons
            page.check('input.f-cls[value="Person"]')
            page.uncheck('input.f-cat[value="SkillsTraining"]')
            # p1 (SkillsTraining only) and c1, c2 (its cases) disappear; p3/p8 keep another category
            assert page.evaluate(visible) == G.number_of_nodes() - 3
        finally:
            browser.close()


def test_built_output_in_browser(built_output):
    """The real build of corpus/ (output/, or $KG_OUTPUT): the drawn graph matches the
    RDF graph; the screenshot is saved as output/graph.png."""
    built = built_output
    G = A.load_graph(built / "kg.ttl")
    result = V.measure_draw(built / "graph.html", screenshot=built / "graph.png")
    assert result["nodes"] == G.number_of_nodes()
    assert_clean(result)
    cases = sorted((built / "cases").glob("*.html"))
    assert cases, "no case pages in output/cases"
    assert_clean(V.measure_draw(cases[0]))
    assert (built / "graph.png").stat().st_size > 10_000


def _open(pw, path: Path):
    browser = pw.chromium.launch(executable_path=V.CHROMIUM, args=V.CHROMIUM_ARGS, headless=True)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_function("window.kgDrawn === true", timeout=120_000)
    return browser, page, errors


def test_thousand_article_graph_opens_on_regions(tmp_path):
    """~20,000 nodes (synthetic, shaped like 1,000 built articles): the page opens on the
    overview of its regions, offline; a region draws its nodes and its edges; the whole
    graph draws every node, and its provenance edges when asked for."""
    from kg_fixture import synthetic_graph
    from playwright.sync_api import sync_playwright

    G = A.load_graph(synthetic_graph(1000))
    V.write_graph_html(G, tmp_path / "graph.html")
    regions = V.graph_regions(G)
    result = V.measure_draw(tmp_path / "graph.html", screenshot=tmp_path / "graph.png")
    assert_clean(result)
    assert result["page"]["mode"] == "overview" and result["page"]["total_nodes"] == G.number_of_nodes() > 20000
    assert result["page"]["regions"] == len(regions) and result["nodes"] >= len(regions)
    print(f"\noverview of {G.number_of_nodes()} nodes drawn in {result['seconds']:.2f}s (page: {result['page']})")
    provenance = sum(1 for *_, k in G.edges(keys=True) if k in ("mentionedIn", "source"))
    with sync_playwright() as pw:
        browser, page, errors = _open(pw, tmp_path / "graph.html")
        try:
            i = max(range(len(regions)), key=lambda k: len(regions[k].members))
            drawn = page.evaluate(f"kgOpenRegion({i})")
            members = set(regions[i].members)
            inside = sum(1 for u, v, k in G.edges(keys=True) if u in members and v in members and k not in ("mentionedIn", "source"))
            assert (drawn["mode"], drawn["nodes"], drawn["edges"]) == ("region", len(members), inside)
            assert page.text_content("#where").endswith(regions[i].label)
            drawn = page.evaluate("kgShowAll()")
            assert (drawn["nodes"], drawn["edges"]) == (G.number_of_nodes(), G.number_of_edges() - provenance)
            page.check("#prov")
            assert page.evaluate("kgNetwork.body.edgeIndices.length") == G.number_of_edges()
            assert page.evaluate("kgShowOverview()")["nodes"] == result["nodes"]
            assert errors == []
        finally:
            browser.close()


def test_search_leads_from_the_overview_to_a_region(out):
    """The corpus fixture drawn as if it were big (overview above 10 nodes): a search from
    the overview lists the match with its region; following it draws the region, selects
    the node and shows its evidence."""
    from playwright.sync_api import sync_playwright

    G = A.load_graph(out / "kg.ttl")
    V.write_graph_html(G, out / "regions.html", overview_above=10)
    with sync_playwright() as pw:
        browser, page, errors = _open(pw, out / "regions.html")
        try:
            assert page.evaluate("kgStats.mode") == "overview"
            assert page.evaluate("kgNetwork.body.nodeIndices.length") == 3       # 永川区, 黔江区, 重庆市
            page.fill("#q", "五间镇社保所")
            page.press("#q", "Enter")
            assert page.text_content("#hits").startswith("0 个匹配") and "→ 永川区" in page.text_content("#hits")
            page.click("#hits a")
            page.wait_for_function("kgNetwork.getSelectedNodes().length === 1")
            assert page.text_content("#where").endswith("永川区")
            assert "五间镇社保所" in page.text_content("#info") and "000_832e13d42f1660e4.txt" in page.text_content("#info")
            n_region = len(V.graph_regions(G)[0].members)
            n_persons = sum(1 for n in V.graph_regions(G)[0].members if G.nodes[n]["cls"] == "Person")
            visible = "kgNetwork.body.nodeIndices.length"
            assert page.evaluate(visible) == n_region
            page.uncheck('input.f-cls[value="Person"]')
            assert page.evaluate(visible) == n_region - n_persons
            page.click("#overview")
            page.wait_for_function("kgNetwork.body.nodeIndices.length === 3")
            assert errors == []
        finally:
            browser.close()
