"""kg.analytics on a hand-made graph of real corpus facts (tests/kg_fixture.py): every
expected figure below was worked out by hand from the fixture, and the comment says how."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kg_fixture import FIXTURE_COUNTS, write_fixture

from kg import analytics as A
from kg.errors import InputError

EX = "https://w3id.org/fupin-kg/id/"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def fixture_path(tmp_path_factory) -> Path:
    return write_fixture(tmp_path_factory.mktemp("kg"))


@pytest.fixture(scope="module")
def G(fixture_path):
    return A.load_graph(fixture_path)


def by_label(rows, label):
    (row,) = [r for r in rows if r["label"] == label]
    return row


# -- loading ---------------------------------------------------------------------------------

def test_load_graph_classes_labels_and_edges(G):
    counts = {c: len(A.nodes_of(G, c)) for c in A.CLASSES}
    assert counts == FIXTURE_COUNTS
    assert G.nodes[EX + "xql"]["label"] == "徐泉铃"
    assert G.nodes[EX + "hg"]["admin_level"] == "township"
    # the edge keyed by predicate, labelled in Chinese
    assert G.has_edge(EX + "hg", EX + "yc", key="partOf")
    assert G.edges[EX + "hg", EX + "yc", "partOf"]["label"] == "隶属于"
    # fp:category is an attribute, not a node (SKOS concepts are not drawn)
    assert G.nodes[EX + "p3"]["category"] == ["Entrepreneurship", "SkillsTraining"]


def test_load_graph_derived_attributes(G):
    c4 = G.nodes[EX + "c4"]
    assert c4["label"] == "案例：黄家君"                        # no rdfs:label: made from its person
    assert c4["category"] == ["Entrepreneurship", "SkillsTraining"]   # union over p3, p4
    assert c4["sources"] == ["000_832e13d42f1660e4.txt"]
    assert c4["evidence"][0] == {"sentence": "永川区临江镇天堂村贫困大学生黄家君就受益于此。", "start": 2600, "end": 2625,
                              "source": "000_832e13d42f1660e4.txt"}
    i5 = G.nodes[EX + "i5"]
    assert (i5["amount"], i5["period"], i5["approximate"]) == (4000.0, "month", True)
    assert i5["label"] == "约4,000元/月"
    assert i5["sources"] == ["001_d699e7130214e09d.txt"]     # from the case that cites it
    assert G.nodes[EX + "s2"]["label"] == "建成5个扶贫车间"


def test_load_graph_accepts_rdflib_graph_and_agrees_with_file(fixture_path, G):
    import rdflib

    g = rdflib.Graph().parse(fixture_path, format="turtle")
    H = A.load_graph(g)
    assert set(H.nodes) == set(G.nodes) and H.number_of_edges() == G.number_of_edges()
    # the rdflib path and the pyoxigraph path give the same nodes, attributes, edges and order
    assert list(H.nodes(data=True)) == list(G.nodes(data=True))
    assert list(H.edges(keys=True, data=True)) == list(G.edges(keys=True, data=True))


def test_load_graph_formats_agree_and_ignore_triple_order(fixture_path, G, tmp_path):
    import random

    import rdflib

    nt = tmp_path / "kg.nt"
    rdflib.Graph().parse(fixture_path, format="turtle").serialize(nt, format="nt", encoding="utf-8")
    lines = nt.read_text(encoding="utf-8").splitlines(keepends=True)
    random.Random(1).shuffle(lines)
    shuffled = tmp_path / "shuffled.nt"
    shuffled.write_text("".join(lines + lines[:5]), encoding="utf-8")     # and some duplicates
    for path in (nt, shuffled):
        H = A.load_graph(path)
        assert list(H.nodes(data=True)) == list(G.nodes(data=True))
        assert list(H.edges(keys=True, data=True)) == list(G.edges(keys=True, data=True))


def test_load_graph_errors_name_the_file(tmp_path):
    with pytest.raises(InputError, match="missing.ttl"):
        A.load_graph(tmp_path / "missing.ttl")
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(InputError, match="bad.ttl: cannot parse"):
        A.load_graph(bad)
    odd = tmp_path / "graph.xyz"
    odd.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="unknown graph format"):
        A.load_graph(odd)


def test_place_chain_and_level(G):
    assert [G.nodes[p]["label"] for p in A.place_chain(G, EX + "jjb")] == ["蒋家坝", "丰乐村", "何埂镇", "永川区", "重庆市"]
    assert A.place_at_level(G, EX + "jjb", "county") == EX + "yc"
    assert A.place_at_level(G, EX + "rz", "county") is None        # 日照市 is a prefecture


# -- incomes and roll-ups --------------------------------------------------------------------

def test_monthly_amount_conversion(G):
    assert A.monthly_amount(G, EX + "i4") == 4000             # month as is
    assert A.monthly_amount(G, EX + "i2") == pytest.approx(50000 / 12)   # a year / 12
    assert A.monthly_amount(G, EX + "i3") is None             # a daily wage is not converted
    # a business's yearly revenue is never a person's monthly income; nor is a household's
    assert A.monthly_amount(G, EX + "i1") is None
    assert A.monthly_value({"amount": 24000, "period": "year", "income_kind": "household"}) is None
    assert A.monthly_value({"amount": 24000, "period": "year", "income_kind": "allowance"}) == 2000
    assert A.yuan(3791.5) == 3792 and A.yuan(2.5) == 3      # half up, as SPARQL's ROUND


def test_monthly_amount_range_midpoint():
    import rdflib

    g = rdflib.Graph().parse(data="""
        @prefix fp: <https://w3id.org/fupin-kg/ontology#> .
        <urn:i> a fp:Income ; fp:amount 2000.0 ; fp:amountMax 3000.0 ; fp:period "month" .""", format="turtle")
    assert A.monthly_amount(A.load_graph(g), "urn:i") == 2500


def test_place_rollup_by_hand(G):
    roll = A.place_rollup(G)
    county = roll["county"]
    # 永川区: 徐泉铃, 王世莲 (蒋家坝 › 丰乐村 › 何埂镇), 郭满元 (和平村 › 五间镇), 黄家君 (天堂村 › 临江镇)
    yc = by_label(county, "永川区")
    assert (yc["cases"], yc["persons"], yc["incomes"]) == (4, 4, 2)
    # 黄家君's 200000 a year is his business's revenue (no monthly income); his 50000 net a
    # year is 4166.67 a month
    assert yc["monthly_income"] == {"n": 1, "mean": 4167, "min": 4167, "max": 4167}
    # statistics s1..s4 about 永川区; sums per unit leave % out: 4299 + 1856 人, 5 个
    assert yc["statistics"] == 4 and yc["stat_sums"] == {"个": 5.0, "人": 6155.0}
    qj = by_label(county, "黔江区")      # 陈清友 (梨子村), 曾晓林 (桃坪村), 刘廷荣 (山坳村)
    assert (qj["cases"], qj["incomes"], qj["statistics"]) == (3, 3, 1)
    assert qj["monthly_income"]["n"] == 2 and qj["monthly_income"]["mean"] == 4000   # 150/day left out
    qij = by_label(county, "綦江区")     # 任启勇: 1000 before (left out), 3000 after
    assert qij["monthly_income"] == {"n": 1, "mean": 3000, "min": 3000, "max": 3000}
    assert [r["label"] for r in county] == ["永川区", "黔江区", "綦江区"]          # most cases first
    assert yc["path"] == ["重庆市", "永川区"]
    townships = {r["label"]: r["cases"] for r in roll["township"]}
    assert townships == {"何埂镇": 2, "金溪镇": 2, "五间镇": 1, "临江镇": 1, "新乡乡": 1, "文龙街道": 1}
    assert by_label(roll["township"], "金溪镇")["statistics"] == 1


def test_outcomes_by_category_by_hand(G):
    rows = {r["category"]: r for r in A.outcomes_by_category(G)}
    st = rows["SkillsTraining"]      # cases c1, c2, c4, c8; incomes i1, i2 (year), i6 (before), i7
    assert (st["cases"], st["incomes"]) == (4, 4)
    # after: 50000 net a year (4166.67 a month) and 3000 a month; the revenue i1 is no one's pay
    assert st["monthly_after"] == {"n": 2, "mean": 3583, "min": 3000, "max": 4167}
    assert st["monthly_before"] == {"n": 1, "mean": 1000, "min": 1000, "max": 1000}
    assert st["by_period"]["year"] == {"n": 1, "mean": 50000, "min": 50000, "max": 50000}
    assert st["by_kind"] == {"income": 2, "net_income": 1, "revenue": 1}
    jf = rows["JobFair"]             # 陈清友: 150 a day and 4000 a month
    assert jf["monthly_after"]["n"] == 1 and jf["by_period"]["day"]["mean"] == 150
    assert rows["PublicWelfareJob"]["incomes"] == 0 and rows["PublicWelfareJob"]["monthly_after"]["mean"] is None
    assert rows["PovertyWorkshop"]["cases"] == 2                 # 曾晓林, 刘廷荣
    everything = rows["ALL"]         # after: 4166.67, 4000, 4000, 3000 (mean 3791.67)
    assert (everything["cases"], everything["incomes"]) == (8, 7)
    assert everything["monthly_after"] == {"n": 4, "mean": 3792, "min": 3000, "max": 4167}
    assert rows["SkillsTraining"]["label"] == "技能培训"


# -- networks --------------------------------------------------------------------------------

def test_entity_graph_links_through_cases(G):
    H = A.entity_graph(G)
    assert set(H.nodes) == {n for n in G if G.nodes[n]["cls"] in A.ENTITY_CLASSES}
    # 黄家君: programs p3, p4, place 天堂村, organization o2
    assert set(H[EX + "hjj"]) == {EX + "p3", EX + "p4", EX + "tt", EX + "o2"}
    assert H.degree(EX + "o1") == 1                      # 五间镇社保所 only through 郭满元's case


def test_centrality_by_hand(G):
    cen = A.centrality(G)
    H = A.entity_graph(G)
    n = len(H)
    progs = {r["label"]: r for r in cen["Program"]}
    # 何埂镇护理病人培训班 lies on one of the two shortest paths 徐泉铃–王世莲 (the other runs
    # through 蒋家坝): raw betweenness 1/2, normalised by (n-1)(n-2)/2
    assert progs["何埂镇护理病人培训班"]["betweenness"] == pytest.approx(0.5 * 2 / ((n - 1) * (n - 2)), abs=1e-6)
    assert progs["何埂镇护理病人培训班"]["degree"] == 2
    persons = {r["label"]: r for r in cen["Person"]}
    assert persons["黄家君"]["degree"] == 4
    assert persons["黄家君"]["degree_centrality"] == pytest.approx(4 / (n - 1), abs=1e-6)
    # the most central place is the province joining the three counties
    assert cen["Place"][0]["label"] == "重庆市"
    assert set(cen) == set(A.ENTITY_CLASSES)


def test_sampled_betweenness_equals_networkx():
    import networkx as nx

    # several components, cycles (many shortest paths), isolated nodes
    H = nx.disjoint_union_all([nx.karate_club_graph(), nx.grid_2d_graph(6, 7), nx.path_graph(9),
                               nx.empty_graph(3)])
    for k, seed in ((10, 0), (40, 3), (len(H) - 1, 1)):
        ref = nx.betweenness_centrality(H, k=k, seed=seed)
        ours = A._sampled_betweenness(H, k, seed)
        assert ours == pytest.approx(ref, abs=1e-12)


def test_analytics_do_not_depend_on_the_string_hash_seed(fixture_path):
    """Node order (hence Louvain's partition and the betweenness sample) is canonical: the
    same graph gives the same analytics in every process, whatever PYTHONHASHSEED is."""
    import os
    import subprocess
    import sys

    code = ("import json, sys; from kg import analytics as A; G = A.load_graph(sys.argv[1]); "
            "print(json.dumps([A.communities(G), A.centrality(G)], sort_keys=True))")
    outs = {subprocess.run([sys.executable, "-c", code, str(fixture_path)], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(outs) == 1


def test_communities_partition_and_determinism(G):
    first, second = A.communities(G), A.communities(G)
    assert first == second
    ids = [i for c in first for i in c["ids"]]
    assert sorted(ids) == sorted(A.entity_graph(G).nodes) and len(ids) == len(set(ids))
    assert [c["size"] for c in first] == sorted((c["size"] for c in first), reverse=True)
    # 徐泉铃 and 王世莲 share their program and place: always one community
    (home,) = [c for c in first if "徐泉铃" in c["members"]]
    assert "王世莲" in home["members"]


def test_person_program_projection_by_hand(G):
    pp = A.person_program_projection(G)
    # links: c1..c8 have 1,1,1,2,1,1,2,1 programs
    assert (pp["persons"], pp["programs"], pp["links"]) == (8, 8, 10)
    assert pp["density"] == pytest.approx(10 / 64)
    pairs = {(r["a"], r["b"]): r for r in pp["person_pairs"]}
    assert set(pairs) == {("徐泉铃", "王世莲"), ("刘廷荣", "曾晓林")}
    assert pairs[("徐泉铃", "王世莲")]["shared"] == ["何埂镇护理病人培训班"]
    progs = {(r["a"], r["b"]) for r in pp["program_pairs"]}
    assert progs == {("SYB创业培训", "回乡自主创业"), ("返乡创办服饰公司", "金溪镇扶贫车间")}


# -- the command -----------------------------------------------------------------------------

def test_analyze_writes_json_and_report(fixture_path, tmp_path):
    result = A.analyze(fixture_path, tmp_path)
    data = json.loads((tmp_path / "analytics.json").read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(result, ensure_ascii=False))
    assert data["graph"]["by_class"] == FIXTURE_COUNTS
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 2 and "永川区" in html and "技能培训" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html
    # same graph, same bytes (Louvain seeded, everything sorted)
    before = (tmp_path / "analytics.json").read_bytes()
    A.analyze(fixture_path, tmp_path)
    assert (tmp_path / "analytics.json").read_bytes() == before


def test_analyze_command_via_cli(fixture_path, tmp_path, capsys):
    from kg.cli import main

    assert main(["analyze", "--graph", str(fixture_path), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "report.html").exists()
    assert "analytics.json" in capsys.readouterr().err
    assert main(["analyze", "--graph", str(tmp_path / "nope.ttl"), "--out", str(tmp_path), "-q"]) == 2


def test_load_graph_reads_what_kg_graph_builds():
    """The analytics read the graph builder's real output (records of the corpus)."""
    graph_mod = pytest.importorskip("kg.graph")
    from kg.records import ArticleRecord

    data = ROOT / "tests" / "data" / "records_corpus.json"
    if not data.exists():
        pytest.skip("tests/data/records_corpus.json not present")
    raw = json.loads(data.read_text(encoding="utf-8"))
    records = [ArticleRecord.from_dict(d) for d in (raw if isinstance(raw, list) else raw["records"])]
    g = graph_mod.build_graph(records)
    G = A.load_graph(g)
    fp = A.FP
    for cls in A.CLASSES:
        n = len(set(g.subjects(predicate=__import__("rdflib").RDF.type, object=__import__("rdflib").URIRef(fp + cls))))
        assert len(A.nodes_of(G, cls)) == n, cls
    cases = A.nodes_of(G, "Case")
    assert cases and all(A.case_parts(G, c)["person"] for c in cases)
    assert any(G.nodes[c]["evidence"] for c in cases)          # prov:wasDerivedFrom -> fp:Evidence
    assert all(G.nodes[c]["sources"] for c in cases)


@pytest.fixture(scope="module")
def corpus_rdf():
    """The RDF graph kg.graph builds from the corpus's extraction records (tests/data)."""
    graph_mod = pytest.importorskip("kg.graph")
    from kg.records import ArticleRecord

    data = ROOT / "tests" / "data" / "records_corpus.json"
    if not data.exists():
        pytest.skip("tests/data/records_corpus.json not present")
    return graph_mod.build_graph([ArticleRecord.from_dict(d) for d in json.loads(data.read_text(encoding="utf-8"))])


def test_rollup_agrees_with_sparql_on_the_corpus(corpus_rdf):
    """networkx roll-ups and SPARQL over the same RDF give the same figures."""
    G = A.load_graph(corpus_rdf)
    roll = A.place_rollup(G)
    q = """PREFIX fp: <https://w3id.org/fupin-kg/ontology#>
           SELECT ?p (COUNT(DISTINCT ?c) AS ?n) WHERE {
             ?c a fp:Case ; fp:place/fp:partOf* ?p . ?p fp:adminLevel ?lv } GROUP BY ?p"""
    for level in ("county", "township"):
        expected = {str(r.p): int(r.n) for r in corpus_rdf.query(q.replace("?lv", f'"{level}"'))}
        assert {r["id"]: r["cases"] for r in roll[level]} == expected, level
    assert roll["county"], "the corpus has cases in counties"
    q = """PREFIX fp: <https://w3id.org/fupin-kg/ontology#>
           SELECT ?cat (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a fp:Case ; fp:program/fp:category ?cat } GROUP BY ?cat"""
    expected = {str(r.cat).rsplit("#", 1)[1]: int(r.n) for r in corpus_rdf.query(q)}
    got = {r["category"]: r["cases"] for r in A.outcomes_by_category(G) if r["category"] != "ALL"}
    assert got == expected
    q = """PREFIX fp: <https://w3id.org/fupin-kg/ontology#>
           SELECT ?a WHERE { ?c a fp:Case ; fp:outcome ?i . ?i a fp:Income ; fp:amount ?a ; fp:period "month" .
                             FILTER NOT EXISTS { ?i fp:amountMax ?m } FILTER NOT EXISTS { ?i fp:phase "before" } }"""
    month_amounts = [float(r.a) for r in corpus_rdf.query(q)]
    everything = next(r for r in A.outcomes_by_category(G) if r["category"] == "ALL")
    # every stated monthly amount (without range) is in the after-program summary, within its range
    assert everything["monthly_after"]["n"] >= len(month_amounts)
    if month_amounts:
        assert everything["monthly_after"]["min"] <= min(month_amounts)
        assert everything["monthly_after"]["max"] >= max(month_amounts)


def test_analyze_writes_through_output_symlinks(fixture_path, tmp_path):
    """A built output's files are links into its current build; `kg analyze` keeps them links."""
    current = tmp_path / ".current"
    current.mkdir()
    for name in ("analytics.json", "report.html"):
        (current / name).write_text("old", encoding="utf-8")
        (tmp_path / name).symlink_to(Path(".current") / name)
    A.analyze(fixture_path, tmp_path)
    for name in ("analytics.json", "report.html"):
        assert (tmp_path / name).is_symlink()
        assert (current / name).read_text(encoding="utf-8") != "old"


def test_centrality_and_communities_kept_while_the_entity_graph_is_the_same(fixture_path, tmp_path, monkeypatch):
    """A build keeps the costly figures from the previous build directory (kg.analytics.MEMO)
    when its entity graph hashes the same, and the files are the same bytes as computing them."""
    first, second, fresh = tmp_path / "first", tmp_path / "second", tmp_path / "fresh"
    for d in (first, second, fresh):
        d.mkdir()
    G = A.load_graph(fixture_path)
    A.analyze(fixture_path, first, G=G, previous=first)            # no memo yet: computed, recorded
    assert json.loads((first / A.MEMO).read_text(encoding="utf-8"))["entity_graph"] == A.entity_digest(A.entity_graph(G))
    A.analyze(fixture_path, fresh, G=A.load_graph(fixture_path))   # kg analyze: nothing recorded
    assert not (fresh / A.MEMO).exists()

    def fail(*a, **k):
        raise AssertionError("computed again")

    with monkeypatch.context() as m:
        m.setattr(A, "centrality", fail)
        m.setattr(A, "communities", fail)
        A.analyze(fixture_path, second, G=A.load_graph(fixture_path), previous=first)
    for name in ("analytics.json", "report.html"):
        assert (second / name).read_bytes() == (first / name).read_bytes() == (fresh / name).read_bytes()
    # another entity graph (one person gone): computed again
    H = A.load_graph(fixture_path)
    H.remove_node(next(n for n, c in H.nodes(data="cls") if c == "Person"))
    assert A.entity_digest(A.entity_graph(H)) != A.entity_digest(A.entity_graph(G))
    with monkeypatch.context() as m:
        m.setattr(A, "communities", fail)
        with pytest.raises(AssertionError, match="computed again"):
            A.analyze(fixture_path, second, G=H, previous=first)
