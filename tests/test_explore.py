"""kg.explore on the hand-made graph of real corpus facts (tests/kg_fixture.py): selection of
case stories, their content, the tables, SPARQL as DataFrames and the embedded views."""

from __future__ import annotations

from pathlib import Path

import pytest
from kg_fixture import write_fixture

from kg import explore
from kg.errors import KGError, QueryError

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("explore")
    write_fixture(d)
    return d


@pytest.fixture(scope="module")
def G(out):
    return explore.load_kg(out)


@pytest.fixture(scope="module")
def store(out):
    from kg.store import build_store

    return build_store(out / "kg.ttl", out / "store")


def test_output_dir_honours_kg_out(out, tmp_path, monkeypatch):
    monkeypatch.setenv("KG_OUT", str(out))
    assert explore.output_dir() == out.resolve()
    monkeypatch.setenv("KG_OUT", str(tmp_path / "nowhere"))
    with pytest.raises(KGError, match=r"nowhere: no built knowledge graph here .*KG_OUT"):
        explore.output_dir()
    monkeypatch.delenv("KG_OUT")
    assert explore.output_dir(default=out) == out.resolve()


def _persons(stories):
    return sorted(s["person"] for s in stories)


def test_select_by_place_at_any_level(G):
    assert _persons(explore.case_stories(G, place="金溪镇")) == ["刘廷荣", "曾晓林"]
    assert _persons(explore.case_stories(G, place="永川")) == ["徐泉铃", "王世莲", "郭满元", "黄家君"]
    assert _persons(explore.case_stories(G, place="蒋家坝")) == ["徐泉铃", "王世莲"]
    assert explore.case_stories(G, place="不存在的地方") == []


def test_select_by_category_name_label_or_program(G):
    by_name = _persons(explore.case_stories(G, category="povertyworkshop"))
    assert by_name == ["刘廷荣", "曾晓林"]
    assert _persons(explore.case_stories(G, category="扶贫车间")) == by_name
    assert _persons(explore.case_stories(G, category="护理病人")) == ["徐泉铃", "王世莲"]   # program name
    assert _persons(explore.case_stories(G, category="Entrepreneurship", place="黔江区")) == ["刘廷荣"]


def test_select_by_person(G):
    (s,) = explore.case_stories(G, person="徐泉")
    assert s["person"] == "徐泉铃"


def test_case_story_content(G):
    (s,) = explore.case_stories(G, person="任启勇")
    assert [p["label"] for p in s["places"][0]] == ["重庆市", "綦江区", "文龙街道", "春灯村"]
    assert [p["level"] for p in s["places"][0]] == ["province", "county", "township", "village"]
    assert s["organizations"] == ["重庆赛之源齿轮制造有限公司"]
    assert s["programs"] == [{"label": "齿轮加工岗位培训", "category_ids": ["JobReferral", "SkillsTraining"],
                              "categories": ["就业推荐", "技能培训"]}]
    # before first, then after; the before income carries its sentence and offsets
    assert [(i["phase"], i["amount"]) for i in s["incomes"]] == [("before", 1000.0), ("after", 3000.0)]
    assert s["incomes"][0]["sentence"] == "每月打零工仅有不到1000元收入"
    assert (s["incomes"][0]["start"], s["incomes"][0]["end"]) == (3000, 3015)
    assert s["article"]["file"] == "001_d699e7130214e09d.txt"


def test_story_markdown_shows_hierarchy_income_and_evidence(G):
    (s,) = explore.case_stories(G, person="曾晓林")
    md = explore.story_markdown(s)
    assert md.startswith("### 曾晓林")
    assert "重庆市 (省级) › 黔江区 (县级) › 金溪镇 (乡镇) › 桃坪村 (村)" in md
    assert "约4,000 元/月" in md
    assert "> [1200–1222] 曾晓林开心地说，现在每月能拿4000元左右" in md


def test_frames(G):
    stories = explore.case_stories(G)
    df = explore.stories_frame(stories)
    assert len(df) == 8
    row = df.set_index("person").loc["任启勇"]
    assert (row["monthly_before"], row["monthly_after"]) == (1000.0, 3000.0)
    row = df.set_index("person").loc["黄家君"]           # 200000 revenue (no one's pay) and 50000 net a year
    assert row["monthly_after"] == pytest.approx(50000 / 12)
    inc = explore.incomes_frame(stories)
    assert len(inc) == 7
    assert inc[inc["period"] == "day"]["monthly"].isna().all()   # daily wages are not converted


def test_facets(G):
    f = explore.facets(G)
    assert "金溪镇" in f["townships"] and "永川区" in f["counties"]
    assert "PovertyWorkshop 扶贫车间" in f["categories"]
    assert len(f["persons"]) == 8


def test_plot_incomes_draws_without_error(G):
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    explore.use_cjk_font()
    ax = explore.plot_incomes(explore.case_stories(G))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["任启勇", "曾晓林", "陈清友", "黄家君"]   # the persons with a monthly or yearly income


def test_query_df(store):
    df = explore.query_df(store, "SELECT ?p ?name WHERE { ?c a fp:Case ; fp:person ?p . ?p rdfs:label ?name } "
                                 "ORDER BY ?name")
    assert list(df.columns) == ["p", "name"] and len(df) == 8
    assert df["p"].iloc[0].startswith("<https://w3id.org/fupin-kg/id/")
    n = explore.query_df(store, "SELECT (SUM(?a) AS ?s) WHERE { ?i a fp:Income ; fp:period 'month' ; fp:amount ?a }")
    assert n["s"].iloc[0] == 12000                     # 4000 + 4000 + 1000 + 3000
    assert explore.query_df(store, "ASK { ?c a fp:Case }")["ask"].tolist() == [True]
    with pytest.raises(QueryError, match="mine: syntax error at line 1"):
        explore.query_df(store, "SELECT ?x WHERE { ?x a fp:Case ", source="mine")


def test_example_queries_carry_their_question():
    qs = explore.example_queries()
    assert len(qs) >= 10
    for q in qs:
        assert q.question and "SELECT" in q.text.upper()


def test_analytics_frames(G):
    cent = explore.centrality_frame(G, top=3)
    assert set(cent["class"]) == {"Person", "Program", "Place", "Organization"}
    assert (cent.groupby("class").size() <= 3).all()
    comm = explore.communities_frame(G)
    assert comm["size"].sum() == 20 + 8 + 5 + 8        # every entity in one community
    out = explore.outcomes_frame(G).set_index("category")
    assert out.loc["ALL", "cases"] == 8
    counties = explore.rollup_frame(G, "county").set_index("place")
    assert counties.loc["黔江区", "cases"] == 3 and counties.loc["永川区", "cases"] == 4


def test_neighbourhood_and_embed(G, tmp_path):
    from kg.views import write_graph_html

    (case,) = explore.find_cases(G, person="曾晓林")
    person = next(v for v, keys in G.succ[case].items() if "person" in keys)
    sub = explore.neighbourhood(G, [person], radius=2)
    labels = {d["label"] for _, d in sub.nodes(data=True)}
    assert {"曾晓林", "金溪镇扶贫车间", "桃坪村"} <= labels
    assert all(d["cls"] != "Article" for _, d in sub.nodes(data=True))
    page = write_graph_html(sub, tmp_path / "n.html")
    html = explore.embed_html(page, height=300).data
    assert html.startswith("<div><iframe srcdoc=\"") and "&lt;html" in html.lower()


def test_cjk_font_found_when_matplotlibs_font_cache_predates_it(monkeypatch):
    """Notebook 01's chart: a font cache made before the CJK fonts were installed lists none;
    use_cjk_font() asks fontconfig and adds them itself."""
    import shutil
    import subprocess

    pytest.importorskip("matplotlib")
    from matplotlib import font_manager

    fc = shutil.which("fc-list")
    if fc is None or not subprocess.run([fc, ":lang=zh", "family"], capture_output=True, text=True).stdout.strip():
        pytest.skip("no fontconfig or no Chinese font installed")
    stale = [f for f in font_manager.fontManager.ttflist if f.name not in explore._CJK_FONTS]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)   # as a cache made before the install
    family = explore.use_cjk_font()
    assert family in explore._CJK_FONTS
    path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    assert any(k in path.lower() for k in ("cjk", "wqy", "sourcehan", "droid", "ukai", "uming")), path


def test_timeline_frame_orders_each_story(G):
    """Without times in the fixture the order follows the phases: 任启勇's 1000 before, 3000 after."""
    tl = explore.timeline_frame(explore.case_stories(G, person="任启勇"))
    assert list(tl["phase"]) == ["before", "after"] and list(tl["step"]) == [1, 2]
    assert list(tl["monthly"]) == [1000.0, 3000.0]
    assert (tl["time"] == "").all() and tl["sentence"][0] == "每月打零工仅有不到1000元收入"
    md = explore.story_markdown(explore.case_stories(G, person="任启勇")[0])
    assert md.index("约1,000元/月 (before)") < md.index("3,000元/月 (after)") and "**时间线 Timeline**" in md
