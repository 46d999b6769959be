"""kg.views: the offline graph page, the case pages and the report, on the hand-made graph
of real corpus facts (tests/kg_fixture.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from kg_fixture import FIXTURE_COUNTS, synthetic_graph, write_fixture

from kg import analytics as A
from kg import views as V

EX = "https://w3id.org/fupin-kg/id/"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("views")
    path = write_fixture(out)
    G = A.load_graph(path)
    written = V.write_views(path, out, G=G)
    A.analyze(path, out, G=G)
    return out, G, written


def page_data(html: str, name: str):
    m = re.search(rf"const {name} = (.*?);\n", html)
    return json.loads(m.group(1))


def external_refs(html: str) -> list[str]:
    """Every src/href/url()/import that would make the browser fetch something."""
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"'#][^"']*)["']""", html)
    refs += re.findall(r"""url\(\s*["']?([^"')]+)""", html)
    refs += re.findall(r"""@import\s+["']([^"']+)""", html)
    return [r for r in refs if not r.startswith(("data:", "cases/", "../", "report.html", "analytics.json",
                                                  "index.html", "graph.html"))
            and not re.fullmatch(r"[^/:]+\.html", r)]


def test_views_written(built):
    out, G, written = built
    assert written[0] == out / "graph.html"
    cases = A.nodes_of(G, "Case")
    pages = sorted(p.name for p in (out / "cases").glob("*.html"))
    assert len(pages) == len(cases) + 1 and "index.html" in pages


def test_graph_page_holds_every_node_and_edge(built):
    out, G, _ = built
    html = (out / "graph.html").read_text(encoding="utf-8")
    nodes, edges, meta = page_data(html, "NODES"), page_data(html, "EDGES"), page_data(html, "META")
    assert len(nodes) == G.number_of_nodes() == sum(FIXTURE_COUNTS.values())
    assert len(edges) == G.number_of_edges()
    assert all(isinstance(n["x"], float | int) and isinstance(n["y"], float | int) for n in nodes)
    labels = {n["label"] for n in nodes}
    assert {"徐泉铃", "何埂镇", "五间镇社保所", "何埂镇护理病人培训班"} <= labels
    # tooltips: evidence sentence and source article; class and categories for the filters
    by_iri = {m["iri"]: m for m in meta}
    c1 = by_iri[EX + "c1"]
    assert c1["cls"] == "Case" and c1["cats"] == ["SkillsTraining"] and "徐泉铃" in c1["ev"]
    assert c1["src"] == ["000_832e13d42f1660e4.txt"] and c1["page"].startswith("徐泉铃-")
    assert "隶属于" in {e["label"] for e in edges}
    opts = page_data(html, "OPTIONS")
    assert opts["physics"]["enabled"] is False
    assert set(opts["groups"]) >= {"Person", "Place", "Case"}
    # legend, search box, class and category filters
    assert 'id="q"' in html and html.count('class="f-cls"') == 8 and 'value="PovertyWorkshop"' in html


def test_pages_make_no_request(built):
    out, _, _ = built
    for page in [out / "graph.html", out / "report.html", *sorted((out / "cases").glob("*.html"))]:
        html = page.read_text(encoding="utf-8")
        assert external_refs(html) == [], page.name
        assert "cdn" not in html.lower().replace("cdn_resources", "") or page.name == "graph.html"
        assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?:", html), page.name


def test_case_page_tells_the_story(built):
    out, G, _ = built
    page = out / "cases" / V.case_page_name(G, EX + "c8")
    html = page.read_text(encoding="utf-8")
    assert page.name.startswith("任启勇-") and page.name.endswith(".html")
    for text in ("任启勇", "齿轮加工岗位培训", "技能培训", "就业推荐", "重庆赛之源齿轮制造有限公司",
                 "春灯村", "约1,000元/月", "3,000元/月", "参与前", "001_d699e7130214e09d.txt"):
        assert text in html, text
    # places up the hierarchy, broadest first
    assert re.search(r"重庆市 › 綦江区 › 文龙街道 › <b>春灯村</b>", html)
    # evidence with its raw offsets
    hj = (out / "cases" / V.case_page_name(G, EX + "c4")).read_text(encoding="utf-8")
    assert "永川区临江镇天堂村贫困大学生黄家君就受益于此。" in hj and "2600–2625" in hj
    index = (out / "cases" / "index.html").read_text(encoding="utf-8")
    assert sorted(r[0] for r in page_data(index, "ROWS")) == sorted(V.case_page_name(G, c) for c in A.nodes_of(G, "Case"))


def test_case_index_rows_hold_what_the_table_sorts_and_filters(built):
    out, G, _ = built
    index = (out / "cases" / "index.html").read_text(encoding="utf-8")
    rows = {r[1]: r for r in page_data(index, "ROWS")}
    assert len(rows) == len(A.nodes_of(G, "Case"))
    page, person, cats, place, county, orgs, incomes, monthly, article = rows["任启勇"]
    assert page == V.case_page_name(G, EX + "c8") and county == "綦江区" and article == "001_d699e7130214e09d.txt"
    assert set(cats) == {"技能培训", "就业推荐"} and place.endswith("文龙街道 › 春灯村")
    assert monthly == 3000                                 # the income after; the one before is not counted
    assert rows["黄家君"][7] == round(50000 / 12, 2)       # his net a year / 12; the 200000 is business revenue
    assert rows["陈清友"][7] == 4000                       # a daily wage is not converted
    assert rows["刘廷荣"][7] is None and rows["黄家君"][4] == "永川区"
    # the page is offline: one inline script, downloads next door, nothing fetched
    assert index.count("<script") == 1 and "<script src" not in index and external_refs(index) == []
    for name in ("cases.csv", "fupin-kg.xlsx", "cases.parquet", "labels.csv", "graph.graphml", "graph.gexf"):
        assert f'href="../exports/{name}"' in index


@pytest.mark.browser
def test_case_index_table_searches_sorts_and_filters_10000_cases(built, tmp_path):
    """The case index as a working table at 10,000 cases, in headless Chromium: it opens,
    searches, filters by category, county and income and sorts in well under a second."""
    from playwright.sync_api import sync_playwright

    out, G, _ = built
    base = page_data((out / "cases" / "index.html").read_text(encoding="utf-8"), "ROWS")
    rows = []
    for k in range(10_000):
        r = list(base[k % len(base)])
        r[1] = f"{r[1]}{k:05d}"
        r[7] = None if r[7] is None else r[7] + k % 7 * 100
        rows.append(r)
    html = V._env().get_template("cases_index.html").render(rows=V._script_json(rows), css="", n=len(rows))
    page_file = tmp_path / "index.html"
    page_file.write_text(html, encoding="utf-8")
    expect_cat = sum("扶贫车间" in r[2] for r in rows)
    expect_county = sum(r[4] == "永川区" for r in rows)
    expect_income = sum(r[7] is not None and 3000 <= r[7] <= 4000 for r in rows)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=V.CHROMIUM, args=V.CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            requests = []
            page.on("request", lambda r: requests.append(r.url))
            t = __import__("time").perf_counter()
            page.goto(page_file.as_uri())
            page.wait_for_function("window.kgCases && window.kgCases.rows > 0")
            opened = __import__("time").perf_counter() - t
            assert page.evaluate("window.kgCases") == {"shown": 10_000, "rows": 100, "page": 0}
            assert requests == [page_file.as_uri()]

            def timed(action) -> float:
                t0 = page.evaluate("performance.now()")
                action()
                return page.evaluate("performance.now()") - t0

            ms = {}
            page.fill("#q", "任启勇0001")        # the 任启勇 rows numbered 0001x
            ms["search"] = timed(lambda: page.press("#q", "Enter"))
            shown = page.evaluate("window.kgCases.shown")
            assert shown == sum("任启勇0001" in r[1] for r in rows) > 0
            assert all("任启勇0001" in t for t in page.locator("#rows tr td:first-child").all_text_contents())
            page.click("#clear")
            ms["category"] = timed(lambda: page.select_option("#f-cat", "扶贫车间"))
            assert page.evaluate("window.kgCases.shown") == expect_cat
            page.select_option("#f-cat", "")
            ms["county"] = timed(lambda: page.select_option("#f-county", "永川区"))
            assert page.evaluate("window.kgCases.shown") == expect_county
            page.select_option("#f-county", "")
            page.fill("#f-min", "3000")
            page.fill("#f-max", "4000")
            page.press("#f-max", "Tab")
            page.wait_for_function(f"window.kgCases.shown === {expect_income}")
            vals = [float(x.replace(",", "")) for x in page.locator("#rows td.n").all_text_contents()]
            assert vals and all(3000 <= v <= 4000 for v in vals)
            page.click("#clear")
            page.wait_for_function("window.kgCases.shown === 10000")
            ms["sort"] = timed(lambda: page.click('th[data-col="7"]'))     # monthly income, ascending
            first = [float(x.replace(",", "")) for x in page.locator("#rows td.n").all_text_contents()]
            assert first == sorted(first) and first[0] == min(r[7] for r in rows if r[7] is not None)
            page.click('th[data-col="7"]')                                   # descending
            assert page.get_attribute('th[data-col="7"]', "aria-sort") == "descending"
            top = float(page.locator("#rows td.n").first.text_content().replace(",", ""))
            assert top == max(r[7] for r in rows if r[7] is not None)
            page.click("#next")
            assert page.evaluate("window.kgCases.page") == 1
            print(f"\ncase index at 10,000 cases: opened in {opened:.2f} s; "
                  + ", ".join(f"{k} {v:.0f} ms" for k, v in ms.items()))
            assert opened < 5 and max(ms.values()) < 1000, ms
        finally:
            browser.close()


def test_case_page_names_safe_and_stable(built):
    _, G, _ = built
    names = [V.case_page_name(G, c) for c in A.nodes_of(G, "Case")]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[\w\u3400-\u9fff-]+-[0-9a-f]{8}\.html", n) for n in names)
    assert names == [V.case_page_name(A.load_graph(write_fixture(Path(__import__("tempfile").mkdtemp()))), c)
                     for c in A.nodes_of(G, "Case")]


def test_rewrite_drops_pages_of_vanished_cases(built, tmp_path):
    out, G, _ = built
    V.write_case_pages(G, tmp_path)
    G2 = G.copy()
    G2.remove_node(EX + "c8")
    V.write_case_pages(G2, tmp_path)
    names = {p.name for p in (tmp_path / "cases").glob("*.html")}
    assert V.case_page_name(G, EX + "c8") not in names and len(names) == 8


def test_unchanged_case_pages_are_reused_byte_for_byte(built, tmp_path):
    _, G, _ = built
    fresh, again = tmp_path / "fresh", tmp_path / "again"
    V.write_case_pages(G, fresh)
    V.write_case_pages(G, again)
    first = {p.name: p.read_bytes() for p in (again / "cases").glob("*.html")}
    ino = {p.name: p.stat().st_ino for p in (again / "cases").glob("*.html")}
    # one case changes (its person's label), one page is damaged on disk
    G2 = G.copy()
    person = A.case_parts(G2, EX + "c4")["person"][0]
    G2.nodes[person]["label"] = "黄家君甲"
    damaged = V.case_page_name(G, EX + "c1")
    (again / "cases" / damaged).resolve().write_bytes(b"<html>truncated")
    V.write_case_pages(G2, again)
    V.write_case_pages(G2, fresh := tmp_path / "fresh2")
    pages = {p.name: p for p in (again / "cases").glob("*.html")}
    assert {n: p.read_bytes() for n, p in pages.items()} == {p.name: p.read_bytes()
                                                            for p in (fresh / "cases").glob("*.html")}
    changed = V.case_page_name(G2, EX + "c4")
    assert "黄家君甲" in pages[changed].read_text(encoding="utf-8")
    assert pages[damaged].read_bytes() == first[damaged]            # rendered again, not copied
    reused = [n for n in pages if n in ino and n not in (changed, damaged, "index.html")]
    assert reused and all(pages[n].stat().st_ino == ino[n] for n in reused)   # linked, not rewritten


def test_layout_deterministic_and_spread(built):
    _, G, _ = built
    a, b = V.graph_layout(G), V.graph_layout(G)
    assert a == b and set(a) == set(G)
    assert len(set(a.values())) == len(a)                       # no two nodes on one spot


def test_svg_bar_chart():
    svg = str(V.svg_bar_chart([("技能培训", 4166.67, 3000, 16666.67), ("扶贫车间", 4000, None, None)],
                              title="月收入", unit="元"))
    assert svg.startswith("<svg") and svg.count("<rect") == 2 and "技能培训" in svg and "4,166.67元" in svg
    assert svg.count("chart-range") == 3                         # one whisker with its two ends
    assert "无数据" in str(V.svg_bar_chart([], title="empty"))
    assert "&lt;b&gt;" in str(V.svg_bar_chart([("<b>", 1, None, None)], title="t"))


def test_report_has_tables_and_two_charts(built, tmp_path):
    out, G, _ = built
    result = A.analyze(out / "kg.ttl", tmp_path, G=G)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 2 and html.count("<table") >= 6
    assert "Monthly income after the program" in html and "Cases per county" in html
    assert "4,167" in html                                      # 永川区 mean monthly income (yuan)
    # units in the headers; one column per unit of the stated figures (人 and 个 never added up)
    assert "平均 mean (元/月 yuan/month)" in html and "mean monthly (元/月)" in html
    assert "所述合计 stated sum (人)" in html and "所述合计 stated sum (个)" in html
    yc = next(r for r in result["places"]["county"] if r["label"] == "永川区")
    assert yc["stat_sums"] == {"个": 5.0, "人": 6155.0}
    assert re.search(r"<td>永川区</td>.*?<td class=\"n\">5</td><td class=\"n\">6,155</td>", html, re.S)
    # the incomes by kind, with the ontology's labels
    assert "经营收入 <span class=\"muted\">Business revenue</span>" in html
    assert str(result["person_program"]["links"]) in html


@pytest.mark.slow
def test_regions_follow_the_articles_counties(built):
    """Each article goes to the county its places mostly lie in; 重庆市, cited by no article,
    is in both regions as the place above their counties."""
    _, G, _ = built
    regions = V.graph_regions(G)
    assert [(r.label, r.articles, r.cases) for r in regions] == [("永川区", [EX + "a000"], 4), ("黔江区", [EX + "a001"], 4)]
    assert set().union(*(r.members for r in regions)) == set(G)
    assert all(EX + "cq" in r.members for r in regions)
    assert EX + "qij" in regions[1].members            # 綦江区, also cited by a001


def test_crowded_regions_are_cut_by_township_then_by_articles():
    G = A.load_graph(synthetic_graph(200))
    regions = V.graph_regions(G, max_nodes=150)
    articles = [a for r in regions for a in r.articles]
    assert sorted(articles) == sorted(A.nodes_of(G, "Article")) and len(set(articles)) == len(articles)
    assert set().union(*(r.members for r in regions)) == set(G)
    assert any(" · " in r.label and r.parent is not None for r in regions)     # e.g. 第0县 · 第0县3镇
    cited = [r for r in regions if r.articles]
    # about max_nodes: the places above a region's own are added after the cut
    assert all(len(r.members) <= 200 or len(r.articles) == 1 for r in cited)
    assert V.graph_regions(G, max_nodes=150) == regions


def test_views_scale_to_a_thousand_articles(tmp_path):
    """~20,000 nodes: the page is written in seconds, holds every node and opens on an
    overview of its regions."""
    import time

    G = A.load_graph(synthetic_graph(1000))
    assert G.number_of_nodes() > 20000
    t = time.perf_counter()
    V.write_graph_html(G, tmp_path / "graph.html")
    elapsed = time.perf_counter() - t
    html = (tmp_path / "graph.html").read_text(encoding="utf-8")
    nodes, regions, home = page_data(html, "NODES"), page_data(html, "REGIONS"), page_data(html, "HOME")
    assert len(nodes) == G.number_of_nodes()
    assert elapsed < 60, f"graph.html of {len(nodes)} nodes took {elapsed:.1f}s"
    assert set().union(*(r["ids"] for r in regions)) == set(range(len(nodes)))
    assert all(len(r["xy"]) == 2 * len(r["ids"]) for r in regions)
    assert all(i in regions[home[i]]["ids"] for i in range(len(nodes)))
    overview = page_data(html, "OVERVIEW")
    assert sum(1 for n in overview["nodes"] if n["id"].startswith("r")) == len(regions)
    assert {"某省"} <= {n["label"] for n in overview["nodes"]}
    assert all(e["label"] == "隶属于" for e in overview["edges"])


def test_small_graph_page_has_no_regions(built):
    out, _, _ = built
    html = (out / "graph.html").read_text(encoding="utf-8")
    assert page_data(html, "REGIONS") == [] and page_data(html, "OVERVIEW") is None


def test_empty_graph_still_gives_pages(tmp_path):
    """A build where nothing was extracted still writes valid, empty pages."""
    path = tmp_path / "kg.ttl"
    path.write_text("@prefix fp: <https://w3id.org/fupin-kg/ontology#> .\n", encoding="utf-8")
    result = A.analyze(path, tmp_path)
    assert result["graph"]["nodes"] == 0 and result["communities"] == []
    written = V.write_views(path, tmp_path)
    assert [p.name for p in written] == ["graph.html", "index.html"]
    assert page_data((tmp_path / "graph.html").read_text(encoding="utf-8"), "NODES") == []
    assert "无数据" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_layouts_of_untouched_pieces_kept_from_the_previous_build(tmp_path):
    """kg.views.LayoutMemo: a piece's layout is a function of the piece, so the previous
    build's layouts of the pieces a change did not touch are kept, and the page is the same
    bytes as one laid out from scratch."""
    G = A.load_graph(synthetic_graph(300))
    assert G.number_of_nodes() > V._OVERVIEW_ABOVE                 # regions, cut into pieces
    first, second, fresh = tmp_path / "first", tmp_path / "second", tmp_path / "fresh"
    memo = V.LayoutMemo(None)
    V.write_graph_html(G, first / "graph.html", memo=memo)
    memo.save(first)
    assert memo.hits == 0 and memo.used
    again = V.LayoutMemo(first)
    V.write_graph_html(G, second / "graph.html", memo=again)
    assert again.hits == len(memo.used)                              # every piece kept
    V.write_graph_html(G, fresh / "graph.html")                      # no memo at all
    assert (second / "graph.html").read_bytes() == (first / "graph.html").read_bytes() == (
        fresh / "graph.html").read_bytes()
    # one article gone: most pieces are kept, the page equals a fresh layout of the new graph
    H = G.copy()
    art = sorted(A.nodes_of(H, "Article"))[0]
    H.remove_nodes_from([art, *(u for u in list(H.predecessors(art)) if H.nodes[u]["cls"] in ("Case", "Income", "Statistic"))])
    partial = V.LayoutMemo(first)
    V.write_graph_html(H, second / "graph.html", memo=partial)
    V.write_graph_html(H, fresh / "graph.html")
    assert (second / "graph.html").read_bytes() == (fresh / "graph.html").read_bytes()
    assert 0 < partial.hits < len(partial.used)
    # the memo of another version of the code is not used
    (first / V.LAYOUT_MEMO).write_text(json.dumps({"code": "other", "layouts": memo.used}), encoding="utf-8")
    assert V.LayoutMemo(first).old == {}
