"""Times in the graph (OWL-Time terms, SHACL shapes), a case's timeline and its page.

The records are hand-made from real sentences of corpus/003 (肖仁安: 几年前 in another city,
2000元 a month; 去年底 the training; 现在 7000元 a month) and corpus/004 (张秀花: 2018年冬),
with the times as kg_times gives them."""

from __future__ import annotations

import re

import pytest
import rdflib
from rdflib import RDF, Literal, URIRef

from kg import analytics as A
from kg import views as V
from kg.graph import build_graph, validate, write_graph
from kg.namespace import FP, TIME
from kg.records import ArticleMeta, ArticleRecord, Case, Evidence, Income, Statistic, When
from kg.shacl import validate_oxigraph
from kg.timeline import case_timeline, time_text

F003 = "003_7f47214507696cc7.txt"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
GYEAR, DATE = URIRef(XSD_NS + "gYear"), URIRef(XSD_NS + "date")


def ev(raw: str, text: str) -> Evidence:
    i = raw.index(text)
    return Evidence(i, i + len(text), text, text)


@pytest.fixture(scope="module")
def records(raw_article):
    raw = raw_article("003")
    flat = "".join(raw.split())

    def find(text: str) -> Evidence:        # the sentence as it runs over the raw lines
        # map the text (no spaces/line breaks) back to raw offsets
        k = flat.index(text)
        pos = [i for i, c in enumerate(raw) if not c.isspace()]
        s, e = pos[k], pos[k + len(text) - 1] + 1
        return Evidence(s, e, raw[s:e], text)

    before = Income(amount=2000, period="month", approximate=True, phase="before", text="2000元左右",
                    evidence=find("每月只有2000元左右"),
                    when=When(text="几年前", scope="sentence", evidence=find("几年前")))
    after = Income(amount=7000, period="month", approximate=True, phase="after", text="7000元左右",
                   evidence=find("涨到每月7000元左右"),
                   when=When(text="现在", offset_years=0, evidence=find("现在")))
    undated = Income(amount=5000, period="month", approximate=True, text="超过5000元",
                     evidence=find("超过5000元"))
    start = When(text="去年底", part="end", offset_years=-1, evidence=find("去年底"))
    stat = Statistic(value=3.2, unit="万人", text="去年已招生3.2万余人", evidence=find("去年已招生3.2万余人"),
                     when=When(text="去年", offset_years=-1, evidence=find("去年已招生")))
    stat.when.evidence = Evidence(stat.when.evidence.start, stat.when.evidence.start + 2, "去年", "去年")
    meta = ArticleMeta(file_name=F003, sha256="0" * 64, date="2020-12-01", chars=len(raw),
                       sources={"date": "text"}, spans={"date": Evidence(0, 4, raw[:4], raw[:4])})
    rec = ArticleRecord(meta=meta, cases=[Case(person="肖仁安", incomes=[after, undated, before], start=start,
                                               evidence=[find("去年底，肖仁安又参加了城口县人社部")])],
                        statistics=[stat])
    rec.anchor_times(meta.date)
    return [rec]


@pytest.fixture(scope="module")
def graph(records) -> rdflib.Graph:
    return build_graph(records)


def test_times_are_owl_time_instants(graph):
    instants = set(graph.subjects(RDF.type, TIME.Instant))
    assert len(instants) == 4                   # the start, two dated incomes, the statistic
    by_label = {str(graph.value(t, rdflib.RDFS.label)): t for t in instants}
    start = by_label["去年底"]
    assert graph.value(start, TIME.inXSDgYear) == Literal("2019", datatype=GYEAR)
    assert (start, FP.yearPart, Literal("end")) in graph
    assert graph.value(start, FP.resolvedAgainst) == Literal("2020-12-01", datatype=DATE)
    assert set(graph.subjects(FP.startTime, start)) and all(
        (c, RDF.type, FP.Case) in graph for c in graph.subjects(FP.startTime, start))
    # 几年前 stays unresolved: the expression, no year
    vague = by_label["几年前"]
    assert graph.value(vague, TIME.inXSDgYear) is None and graph.value(vague, FP.timeScope) == Literal("sentence")
    # each time cites its expression
    for t in instants:
        (e,) = graph.objects(t, rdflib.namespace.PROV.wasDerivedFrom)
        assert str(graph.value(e, FP.evidenceText)) == str(graph.value(t, rdflib.RDFS.label))


def test_article_date_read_from_the_text_cites_its_span(graph):
    (art,) = graph.subjects(RDF.type, FP.Article)
    assert graph.value(art, FP.dateFrom) == Literal("text")
    assert (graph.value(art, FP.dateEvidence), RDF.type, FP.Evidence) in graph


def test_times_conform_to_the_shapes_in_both_engines(graph):
    assert validate(graph, engine="pyshacl")[0]
    assert validate_oxigraph(graph)[0]


def test_a_broken_time_violates_the_shapes(graph):
    g = rdflib.Graph()
    for t in graph:
        g.add(t)
    t = next(iter(g.subjects(RDF.type, TIME.Instant)))
    g.set((t, FP.timeScope, Literal("paragraph")))
    g.add((t, TIME.inXSDgYear, Literal("1999", datatype=GYEAR)))
    g.add((t, TIME.inXSDgYear, Literal("2001", datatype=GYEAR)))
    conforms, _text, results = validate_oxigraph(g)
    assert not conforms
    assert {r.component for r in results} >= {"InConstraintComponent", "MaxCountConstraintComponent"}
    assert not validate(g, engine="pyshacl")[0]


@pytest.fixture(scope="module")
def built(graph, tmp_path_factory):
    out = tmp_path_factory.mktemp("timeline")
    write_graph(graph, out)
    G = A.load_graph(out / "kg.ttl")
    (case,) = A.nodes_of(G, "Case")
    return out, G, case


def test_case_timeline_reads_before_start_after(built):
    _out, G, case = built
    tl = case_timeline(G, case)
    assert [(e["kind"], e["phase"], e["amount"]) for e in tl] == [
        ("income", "before", 2000), ("start", None, None), ("income", "after", 7000), ("income", None, 5000)]
    assert [e["time"] for e in tl] == ["几年前", "2019年底（去年底）", "2020年（现在）", ""]
    assert [e["dated"] for e in tl] == [False, True, True, False]
    assert tl[0]["sentence"] == "每月只有2000元左右" and tl[1]["sentence"].startswith("去年底")


def test_time_text():
    assert time_text({"label": "2018年冬", "year": 2018, "part": "winter"}) == "2018年冬"
    assert time_text({"label": "三年前", "year": None, "relative": True}) == "三年前（未推算 unresolved）"
    assert time_text({"label": "去年10月16日", "year": 2018, "month": 10, "day": 16}) == "2018年10月16日（去年10月16日）"
    assert time_text({"label": "2013年起", "year": 2013, "since": True}) == "2013年起"
    assert time_text(None) == ""


def test_case_page_shows_the_timeline_in_order(built, tmp_path):
    _out, G, case = built
    V.write_case_pages(G, tmp_path)
    html = (tmp_path / "cases" / V.case_page_name(G, case)).read_text(encoding="utf-8")
    section = html[html.index("时间线 Timeline"):html.index("项目 Programs")]
    rows = re.findall(r"<tr class=\"([a-z ]+)\"><td>(.*?)</td><td>(.*?)</td>", section)
    assert [(cls.split()[0], what.split(":")[0]) for cls, _when, what in rows] == [
        ("income", "收入 income"), ("start", "开始 start"), ("income", "收入 income"), ("income", "收入 income")]
    assert "2019年底（去年底）" in rows[1][1] and "undated" in rows[3][0]


def test_exports_carry_the_times(built):
    """The tables give each income's year and time as written, each case's start; GraphML
    holds the time's parts as scalars."""
    pd = pytest.importorskip("pandas")
    from kg.export import export_tables, graph_for_export

    _out, G, case = built
    t = export_tables(G)
    inc = t["incomes"].set_index("amount")
    assert (inc.loc[7000, "year"], inc.loc[7000, "time_text"]) == (2020, "现在")
    assert inc.loc[2000, "time_text"] == "几年前" and pd.isna(inc.loc[2000, "year"])
    (row,) = t["cases"].to_dict("records")
    assert (row["start_time"], row["start_year"]) == ("去年底", 2019)
    H = graph_for_export(G)
    assert H.nodes[case]["start_time_year"] == 2019 and H.nodes[case]["start_time_label"] == "去年底"
