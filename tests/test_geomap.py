"""The map page, the GeoJSON of places and the points in the graph, on the hand-made records
of real corpus facts (tests/data/records_corpus.json): 13 cases in five Chongqing counties,
two of them labour cooperation to 山东 (陈清友 黔江区 -> 日照市, 冉俊松 酉阳 -> 东营市)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from kg import geomap
from kg.analytics import load_graph
from kg.export import write_exports
from kg.geo import point_for_code
from kg.graph import build_graph, validate_file, write_graph
from kg.records import ArticleRecord

DATA = Path(__file__).parent / "data"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("geomap")
    recs = json.loads((DATA / "records_corpus.json").read_text(encoding="utf-8"))
    write_graph(build_graph([ArticleRecord.from_dict(d) for d in recs]), out)
    return out


@pytest.fixture(scope="module")
def G(out):
    return load_graph(out / "kg.nt")


def _place(G, label: str) -> dict:
    return next(d for n, d in G.nodes(data=True) if d["cls"] == "Place" and d["label"] == label)


def test_places_carry_points_with_their_precision(G, out):
    yc = point_for_code("500118")
    assert (_place(G, "永川区")["long"], _place(G, "永川区")["lat"]) == (yc.lon, yc.lat)
    assert _place(G, "永川区")["point_precision"] == "county"
    for village in ("景圣村", "塘坎上村民小组", "丰乐村"):      # no coordinates of their own: the county seat
        d = _place(G, village)
        assert (d["long"], d["lat"], d["point_precision"]) == (yc.lon, yc.lat, "county")
    assert _place(G, "东营市")["point_precision"] == "prefecture"
    assert _place(G, "山东省")["point_precision"] == "province"
    text = (out / "kg.ttl").read_text(encoding="utf-8")
    assert "geo:asWKT \"POINT(105.9" in text and "^^geo:wktLiteral" in text
    ok, report = validate_file(out / "kg.nt")
    assert ok, report


def test_flows_go_from_home_county_to_workplace(G):
    got = [(G.nodes[f["from"]]["label"], G.nodes[f["to"]]["label"], f["persons"]) for f in geomap.flows(G)]
    assert sorted(got) == [("酉阳土家族苗族自治县", "东营市", 1), ("黔江区", "日照市", 1)]


def test_map_data_counts_cases_by_county_and_township(G):
    d = geomap.map_data(G)
    counties = {c["label"]: c for c in d["counties"]}
    assert {k: v["cases"] for k, v in counties.items()} == {"永川区": 6, "黔江区": 2, "綦江区": 2, "铜梁区": 2,
                                                          "酉阳土家族苗族自治县": 1}
    towns = {t["label"]: t for t in d["townships"]}
    assert towns["五间镇"]["cases"] == 3 and towns["五间镇"]["precision"] == "county"
    assert len(d["provinces"]) == 34 and d["unplaced"] == 0
    assert {(f["from"], f["to"]) for f in d["flows"]} == {("黔江区", "日照市"), ("酉阳土家族苗族自治县", "东营市")}
    assert all(len(c["case_links"]) == c["cases"] for c in d["counties"])


def test_geojson_is_valid_rfc7946(G, tmp_path):
    written = write_exports(G, tmp_path, ("geojson",))
    assert [p.name for p in written] == ["places.geojson"]
    gj = json.loads(written[0].read_text(encoding="utf-8"))
    assert gj["type"] == "FeatureCollection" and gj["features"]
    ids = [f["id"] for f in gj["features"]]
    assert len(ids) == len(set(ids))
    for f in gj["features"]:
        assert f["type"] == "Feature" and f["geometry"]["type"] == "Point"
        lon, lat = f["geometry"]["coordinates"]
        assert math.isfinite(lon) and math.isfinite(lat) and 73 < lon < 136 and 3 < lat < 54
        assert set(f["properties"]) >= {"name", "path", "level", "precision", "cases", "persons", "statistics"}
    by = {f["properties"]["path"]: f["properties"] for f in gj["features"]}
    assert by["重庆市"]["cases"] == 13 and by["山东省"]["cases"] == 2
    assert by["重庆市 › 永川区"]["cases"] == 6 and by["重庆市 › 永川区"]["precision"] == "county"
    assert by["重庆市 › 永川区 › 五间镇"]["precision"] == "county"
    # every place that has a coded unit on its path is there (all of these records' places)
    assert len(gj["features"]) == sum(1 for _, c in G.nodes(data="cls") if c == "Place")


def test_map_page_is_self_contained(G, out):
    page = geomap.write_map(G, out)
    html = page.read_text(encoding="utf-8")
    assert "<script src" not in html and "<link" not in html and "@import" not in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html.replace("https://w3id.org/fupin-kg/", "")
    start = html.index('id="kg-map-data">') + len('id="kg-map-data">')
    data = json.loads(html[start:html.index("</script>", start)])
    assert len(data["counties"]) == 5 and len(data["flows"]) == 2
    assert "<td>永川区</td>" in html and "日照市" in html


@pytest.mark.slow
@pytest.mark.browser
def test_map_draws_offline_in_chromium(G, out):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found")
    pytest.importorskip("playwright.sync_api")
    from playwright.sync_api import sync_playwright

    from kg.views import CHROMIUM_ARGS, measure_draw

    page_path = geomap.write_map(G, out)
    result = measure_draw(page_path, screenshot=out / "map.png")
    assert result["blocked"] == [] and result["failed"] == [] and result["console_errors"] == []
    assert result["nodes"] == 5 + len(geomap.map_data(G)["townships"]) and result["edges"] == 2
    assert (out / "map.png").stat().st_size > 10_000
    blocked: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "about:"))
                       else (blocked.append(r.request.url), r.abort()))
            page.goto(page_path.resolve().as_uri())
            page.wait_for_function("window.kgDrawn === true")
            assert page.locator("#map circle.county").count() == 5
            assert page.locator("#map path.flow").count() == 2
            page.locator("#map circle.county").first.click()
            assert "案例 cases" in page.inner_text("#detail")
            page.uncheck("#show-flow")
            assert page.locator("#map path.flow").count() == 0
            page.mouse.move(500, 400)
            page.mouse.wheel(0, -400)                # zoom in: still drawn, still offline
            assert page.locator("#map circle.county").count() >= 1
        finally:
            browser.close()
    assert blocked == []
