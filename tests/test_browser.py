"""The HTML views in a real browser: headless Chromium (Debian's /usr/bin/chromium driven by
Playwright), pages opened from disk with every non-file request blocked and recorded."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from kg_fixture import write_fixture

from kg import analytics as A
from kg import views as V

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[1]
EX = "https://w3id.org/fupin-kg/id/"

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


SHOWN = {c for c, st in V.display_vocabulary()["classes"].items() if st.get("shown")}
VISIBLE_GROUPS = "kgNetwork.body.nodeIndices.map(i => kgNetwork.body.nodes[i].options.group)"


def opening_view(G) -> set:
    """What the graph page opens on: the cases' neighbourhood, of the classes shown by default."""
    return {n for n in V.case_focus(G) if G.nodes[n]["cls"] in SHOWN}


def assert_clean(result: dict) -> None:
    assert result["blocked"] == [], f"requests left the page: {result['blocked']}"
    assert result["failed"] == [], f"failed requests: {result['failed']}"
    assert result["console_errors"] == [], f"console errors: {result['console_errors']}"


def test_graph_page_draws_every_node_offline(out):
    shot = out / "graph.png"
    result = V.measure_draw(out / "graph.html", screenshot=shot)
    G = A.load_graph(out / "kg.ttl")
    assert result["page"]["loaded"] == G.number_of_nodes()          # every node in the page,
    assert result["page"]["loaded_edges"] == G.number_of_edges()
    view = opening_view(G)                                          # the opening view drawn
    assert result["nodes"] == len(view)
    assert result["edges"] == sum(1 for u, v in G.edges() if u in view and v in view)
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
            page.uncheck("#focus")               # every node of every class
            for box in page.query_selector_all("input.f-cls"):
                box.check()
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
    assert result["page"]["loaded"] == G.number_of_nodes() and result["nodes"] == len(opening_view(G))
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
            assert (drawn["mode"], drawn["loaded"], drawn["loaded_edges"]) == ("region", len(members), inside)
            view = opening_view(G) & members
            assert drawn["nodes"] == len(view) > 0 and set(page.evaluate(VISIBLE_GROUPS)) <= SHOWN
            assert page.text_content("#where").endswith(regions[i].label)
            # a node's neighbours outside the region: added around it when expanded
            inner = next(n for n in sorted(view) if any(v not in members for v in nx.all_neighbors(G, n)))
            nid = page.evaluate(f"kgIdOf({json.dumps(G.nodes[inner]['iri'])})")
            outside = {v for v in nx.all_neighbors(G, inner) if v not in members}
            before, hidden = page.evaluate("kgCounts()"), page.evaluate(f"kgHiddenNeighbours({nid})")
            assert hidden >= len(outside) > 0
            assert page.evaluate(f"kgExpand({nid})") == hidden
            after = page.evaluate("kgCounts()")
            assert after["loaded"] == before["loaded"] + len(outside) and after["nodes"] == before["nodes"] + hidden
            assert page.evaluate(f"kgHiddenNeighbours({nid})") == 0
            drawn = page.evaluate("kgShowAll()")
            assert (drawn["loaded"], drawn["loaded_edges"]) == (G.number_of_nodes(), G.number_of_edges() - provenance)
            page.check("#prov")
            assert page.evaluate("kgCounts().loaded_edges") == G.number_of_edges()
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
            members = set(V.graph_regions(G)[0].members)
            assert page.evaluate("kgCounts().loaded") == len(members)
            groups = page.evaluate(VISIBLE_GROUPS)
            assert len(groups) == len(opening_view(G) & members) and groups.count("Person") > 0
            page.uncheck('input.f-cls[value="Person"]')
            assert page.evaluate(VISIBLE_GROUPS) == [g for g in groups if g != "Person"]
            page.click("#overview")
            page.wait_for_function("kgNetwork.body.nodeIndices.length === 3")
            assert errors == []
        finally:
            browser.close()


# -- the opening view, the search list, a node's neighbourhood, one label per category -------

def test_graph_page_opens_on_the_cases_labelled(out):
    """Cases with their persons, programs, places and organizations, labelled; articles,
    incomes and statistics a toggle away, evidence sentences too."""
    from playwright.sync_api import sync_playwright

    G = A.load_graph(out / "kg.ttl")
    with sync_playwright() as pw:
        browser, page, errors = _open(pw, out / "graph.html")
        try:
            groups = page.evaluate(VISIBLE_GROUPS)
            assert len(groups) == len(opening_view(G)) and set(groups) == {"Case", "Person", "Program", "Place",
                                                                           "Organization"}
            for cls in ("Article", "Statistic", "Income"):
                assert not page.is_checked(f'input.f-cls[value="{cls}"]')
            assert page.is_checked("#focus") and not page.is_checked("#evi")
            # labels are drawn: the smallest shown label is over vis-network's 6 px threshold
            sizes = page.evaluate("kgNetwork.body.nodeIndices.map(i => kgNetwork.body.nodes[i].options.font.size)")
            assert min(sizes) * page.evaluate("kgNetwork.getScale()") >= 6
            # a case's label is its person's, not the article's file name
            labels = page.evaluate("kgNetwork.body.nodeIndices.map(i => kgNetwork.body.nodes[i].options.label)")
            assert any(lab.startswith("案例") and "徐泉铃" in lab for lab in labels)
            assert not any(".txt" in lab for lab in labels)
            # articles a toggle away
            page.check('input.f-cls[value="Article"]')
            assert page.evaluate(VISIBLE_GROUPS).count("Article") == len(A.nodes_of(G, "Article"))
            # evidence: closed in the details until asked for
            nid = page.evaluate(f"kgIdOf({json.dumps(G.nodes[EX + 'i5']['iri'])})")
            page.evaluate(f"kgReveal({nid})")
            assert page.locator("#info details.evd").count() == 1
            assert not page.locator("#info details.evd").evaluate("d => d.open")
            page.check("#evi")
            assert page.locator("#info details.evd").evaluate("d => d.open")
            assert "曾晓林开心地说" in page.text_content("#info")
            assert errors == []
        finally:
            browser.close()


def test_search_hits_are_a_list_to_click(out):
    """Two hits are two links; clicking one selects and focuses its node, shows its details;
    a hit the filters hide (an article) is shown when clicked."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser, page, errors = _open(pw, out / "graph.html")
        try:
            page.fill("#q", "徐泉铃")            # the person and her case
            page.press("#q", "Enter")
            assert page.text_content("#hits").startswith("2 ")
            links = page.locator("#hits ol.hitlist a")
            assert links.count() == 2
            for k in range(2):
                want = int(links.nth(k).get_attribute("data-id"))
                links.nth(k).click()
                assert page.evaluate("kgNetwork.getSelectedNodes()") == [want]
                assert links.nth(k).text_content() in page.text_content("#info")
            page.fill("#q", ".txt")                          # the two articles: hidden by default
            page.press("#q", "Enter")
            assert page.text_content("#hits").startswith("2 ") and "hidden" in page.text_content("#hits")
            link = page.locator("#hits ol.hitlist a").first
            want = int(link.get_attribute("data-id"))
            assert want not in page.evaluate("kgNetwork.body.nodeIndices")
            link.click()
            assert want in page.evaluate("kgNetwork.body.nodeIndices")
            assert page.evaluate("kgNetwork.getSelectedNodes()") == [want]
            assert errors == []
        finally:
            browser.close()


def test_double_click_expands_a_node_and_labels_agree(out):
    """Double-clicking a case shows its hidden neighbours (its incomes, its article); the
    category labels of the filter and of the details panel are the same (the ontology's)."""
    from playwright.sync_api import sync_playwright

    G = A.load_graph(out / "kg.ttl")
    case = EX + "c8"                         # 任启勇: two incomes, one article, hidden at first
    hidden = [v for v in set(nx.all_neighbors(G, case)) if G.nodes[v]["cls"] not in SHOWN]
    with sync_playwright() as pw:
        browser, page, errors = _open(pw, out / "graph.html")
        try:
            nid = page.evaluate(f"kgIdOf({json.dumps(G.nodes[case]['iri'])})")
            assert page.evaluate(f"kgHiddenNeighbours({nid})") == len(hidden) == 3
            page.evaluate(f"kgNetwork.focus({nid}, {{scale: 1.5, animation: false}})")
            xy = page.evaluate(f"kgNetwork.canvasToDOM(kgNetwork.getPositions([{nid}])[{nid}])")
            box = page.locator("#net").bounding_box()
            before = page.evaluate("kgCounts().nodes")
            page.mouse.dblclick(box["x"] + xy["x"], box["y"] + xy["y"])
            page.wait_for_function(f"kgHiddenNeighbours({nid}) === 0")
            assert page.evaluate("kgCounts().nodes") == before + 3
            assert sorted(page.evaluate(VISIBLE_GROUPS)).count("Income") == 2
            assert "任启勇" in page.text_content("#info")
            # the expand button does the same for a node clicked
            p3 = page.evaluate(f"kgIdOf({json.dumps(G.nodes[EX + 'p3']['iri'])})")   # SYB创业培训
            page.evaluate(f"kgReveal({p3})")
            button = page.locator("#info button.expand")      # its article is hidden
            assert button.count() == 1 and "1" in button.text_content()
            button.click()
            assert page.evaluate(f"kgHiddenNeighbours({p3})") == 0
            # one label per category: the filter's and the details' (the ontology's prefLabel)
            zh = V.display_vocabulary()["categories"]["Entrepreneurship"]
            assert zh in page.text_content('label:has(input.f-cat[value="Entrepreneurship"])')
            assert zh in page.text_content("#info .cats")
            assert errors == []
        finally:
            browser.close()
