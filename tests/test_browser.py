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


def test_thousand_article_graph_draws(tmp_path):
    """~20,000 nodes (synthetic, shaped like 1,000 built articles): every node drawn, offline;
    the provenance edges, deferred on big graphs, come when asked for."""
    from kg_fixture import synthetic_graph
    from playwright.sync_api import sync_playwright

    G = A.load_graph(synthetic_graph(1000))
    V.write_graph_html(G, tmp_path / "graph.html")
    result = V.measure_draw(tmp_path / "graph.html", screenshot=tmp_path / "graph.png")
    assert_clean(result)
    assert result["nodes"] == G.number_of_nodes() > 20000
    provenance = sum(1 for *_, k in G.edges(keys=True) if k in ("mentionedIn", "source"))
    assert result["edges"] == G.number_of_edges() - provenance
    print(f"\n{G.number_of_nodes()} nodes drawn in {result['seconds']:.2f}s (page: {result['page']})")
    assert result["seconds"] < 60
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=V.CHROMIUM, args=V.CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
            page.goto((tmp_path / "graph.html").as_uri())
            page.wait_for_function("window.kgDrawn === true", timeout=120_000)
            page.check("#prov")
            assert page.evaluate("kgNetwork.body.edgeIndices.length") == G.number_of_edges()
        finally:
            browser.close()
