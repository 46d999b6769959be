"""Records -> RDF (kg/graph.py): contract terms, stable IRIs, merging, provenance, output files.

The records are hand-made from real corpus facts (tests/data/records_corpus.json: four
articles, 13 cases, evidence located in the raw files) until the extraction lands.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, RDFS, XSD, Literal, URIRef
from rdflib.compare import isomorphic

from kg.graph import (
    GRAPH_FILES,
    GraphError,
    build_graph,
    build_triples,
    graph_to_ntriples,
    guess_level,
    load_graph,
    place_iri,
    write_graph,
    write_triples,
)
from kg.namespace import FP, PROV, RES_NS, SKOS, resource
from kg.records import (
    ArticleMeta,
    ArticleRecord,
    Case,
    Evidence,
    Income,
    Organization,
    Person,
    Place,
    Program,
)

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[1]
F000 = "000_832e13d42f1660e4.txt"
F001 = "001_d699e7130214e09d.txt"


def load_records(name: str = "records_corpus.json") -> list[ArticleRecord]:
    return [ArticleRecord.from_dict(d) for d in json.loads((DATA / name).read_text(encoding="utf-8"))]


@pytest.fixture(scope="module")
def records() -> list[ArticleRecord]:
    return load_records()


@pytest.fixture(scope="module")
def graph(records) -> rdflib.Graph:
    return build_graph(records)


def labels(g, s) -> set[str]:
    return {str(o) for o in g.objects(s, RDFS.label)}


def case_of(g, file_name: str, person: str) -> URIRef:
    return resource("case", file_name, person)


# -- the contract terms ------------------------------------------------------------

def test_articles_have_file_names(graph, records):
    files = {str(o) for o in graph.objects(None, FP.fileName)}
    assert files == {r.meta.file_name for r in records}
    for s in graph.subjects(FP.fileName, None):
        assert (s, RDF.type, FP.Article) in graph


def test_entities_have_zh_labels_and_mentions(graph):
    for cls in (FP.Person, FP.Place, FP.Organization, FP.Program):
        for e in graph.subjects(RDF.type, cls):
            (label,) = graph.objects(e, RDFS.label)
            assert label.language == "zh", e
    person = resource("person", "孙天英", ("重庆市", "永川区"))
    assert labels(graph, person) == {"孙天英"}
    assert set(graph.objects(person, FP.mentionedIn)) == {resource("article", F000)}
    # short references are skos:altLabel (the scorer reads both)
    wu = resource("person", "吴娟", F000)
    assert {str(o) for o in graph.objects(wu, SKOS.altLabel)} == {"吴所长"}


def test_place_hierarchy_with_levels_and_ancestors(graph):
    group = place_iri(("重庆市", "永川区", "五间镇", "景圣村", "塘坎上村民小组"))
    chain, node = [], group
    while node is not None:
        chain.append((str(next(graph.objects(node, RDFS.label))), str(next(graph.objects(node, FP.adminLevel)))))
        node = next(graph.objects(node, FP.partOf), None)
    assert chain == [("塘坎上村民小组", "group"), ("景圣村", "village"), ("五间镇", "township"),
                     ("永川区", "county"), ("重庆市", "province")]
    # the ancestor 重庆市 is created with its level but is not "mentioned" (the text never names it)
    cq = place_iri(("重庆市",))
    assert (cq, RDF.type, FP.Place) in graph
    assert (cq, FP.mentionedIn, None) not in graph


def test_program_categories_are_skos_concepts(graph):
    prog = resource("program", F000, "SYB创业培训")
    assert set(graph.objects(prog, FP.category)) == {FP.SkillsTraining, FP.Entrepreneurship}
    assert (FP.SkillsTraining, RDF.type, SKOS.Concept) in graph
    assert Literal("技能培训", lang="zh") in set(graph.objects(FP.SkillsTraining, SKOS.prefLabel))


def test_case_slots(graph):
    c = case_of(graph, F000, "李刚伟")
    assert (c, RDF.type, FP.Case) in graph
    assert set(graph.objects(c, FP.person)) == {resource("person", "李刚伟", ("重庆市", "永川区"))}
    assert {labels(graph, p).pop() for p in graph.objects(c, FP.place)} == {"沙岚坳村民小组", "凤凰湖工业园"}
    assert {labels(graph, o).pop() for o in graph.objects(c, FP.organization)} == {"重庆隆兆机械有限公司", "五间镇社保所"}
    assert set(graph.objects(c, FP.source)) == {resource("article", F000)}


def test_income_literals(graph):
    c = case_of(graph, F001, "任启勇")
    incomes = {}
    for i in graph.objects(c, FP.outcome):
        assert (i, RDF.type, FP.Income) in graph
        (amount,) = graph.objects(i, FP.amount)
        (phase,) = graph.objects(i, FP.phase)
        (approx,) = graph.objects(i, FP.approximate)
        assert amount.datatype == XSD.decimal and approx.datatype == XSD.boolean
        incomes[str(phase)] = (float(amount), str(next(graph.objects(i, FP.period))), approx.toPython())
    assert incomes == {"before": (1000.0, "month", True), "after": (3000.0, "month", True)}
    # a range keeps its top (两三百元 -> 200..300)
    zgx = case_of(graph, "002_3a04103933793c00.txt", "周光学")
    tops = {float(m) for i in graph.objects(zgx, FP.outcome) for m in graph.objects(i, FP.amountMax)}
    assert tops == {300.0}


def test_statistics(graph):
    stats = {(float(next(graph.objects(s, FP.value))), str(next(graph.objects(s, FP.unit))))
             for s in graph.subjects(RDF.type, FP.Statistic)
             if next(graph.objects(s, FP.source)) == resource("article", F000)}
    assert (5.0, "个") in stats and (4299.0, "人") in stats and len(stats) == 5


# -- provenance --------------------------------------------------------------------

def test_every_case_income_statistic_cites_raw_evidence(graph, raw_article):
    raw = {f"{p}": raw_article(p) for p in ("000", "001", "002", "003")}
    n = 0
    for cls in (FP.Case, FP.Income, FP.Statistic):
        for s in graph.subjects(RDF.type, cls):
            (art,) = graph.objects(s, FP.source)
            evs = list(graph.objects(s, PROV.wasDerivedFrom))
            assert evs, f"{s} has no evidence"
            for ev in evs:
                assert next(graph.objects(ev, FP.source)) == art
                start = int(next(graph.objects(ev, FP.startOffset)))
                end = int(next(graph.objects(ev, FP.endOffset)))
                text = str(next(graph.objects(ev, FP.evidenceText)))
                fn = str(next(graph.objects(art, FP.fileName)))
                assert raw[fn[:3]][start:end] == text
                assert "".join(text.split()) == "".join(str(next(graph.objects(ev, FP.sentence))).split())
                n += 1
    assert n > 40


# -- stable IRIs and merging -------------------------------------------------------

def _rec(fn: str, **kw) -> ArticleRecord:
    return ArticleRecord(meta=ArticleMeta(file_name=fn, sha256="0" * 64), **kw)


def _ev(text: str = "某某") -> Evidence:
    return Evidence(0, len(text), text, text)


def test_iris_from_canonical_keys():
    g = build_graph([_rec("a.txt", places=[Place("丰乐村", "village", ("重庆市", "永川区", "何埂镇", "丰乐村"))])])
    assert URIRef(RES_NS + "place/重庆市/永川区/何埂镇/丰乐村") in set(g.subjects(RDF.type, FP.Place))


def test_same_name_villages_in_different_townships_stay_two():
    a = _rec("a.txt", places=[Place("丰乐村", "village", ("四川省", "甲县", "东镇", "丰乐村"))])
    b = _rec("b.txt", places=[Place("丰乐村", "village", ("四川省", "甲县", "西镇", "丰乐村"))])
    g = build_graph([a, b])
    villages = [p for p in g.subjects(RDF.type, FP.Place) if labels(g, p) == {"丰乐村"}]
    assert len(villages) == 2
    assert {labels(g, next(g.objects(v, FP.partOf))).pop() for v in villages} == {"东镇", "西镇"}


def test_entities_merge_across_articles():
    path = ("四川省", "甲县", "东镇", "丰乐村")

    def article(fn):
        return _rec(fn, places=[Place("丰乐村", "village", path)],
                    organizations=[Organization("某某服饰有限公司", "company")],
                    persons=[Person("张三")], programs=[Program("p1", "扶贫车间", ["PovertyWorkshop"])],
                    cases=[Case("张三", ["p1"], [path], ["某某服饰有限公司"], evidence=[_ev()])])

    g = build_graph([article("a.txt"), article("b.txt")])
    for cls, n_articles in ((FP.Person, 2), (FP.Organization, 2), (FP.Place, 2)):
        nodes = [s for s in g.subjects(RDF.type, cls) if g.value(s, FP.mentionedIn) is not None]
        assert len(nodes) == 1, cls
        assert len(set(g.objects(nodes[0], FP.mentionedIn))) == n_articles
    assert len(set(g.subjects(RDF.type, FP.Case))) == 2        # one case per article
    assert len(set(g.subjects(RDF.type, FP.Program))) == 2     # program instances are per article


def test_person_is_keyed_by_home_county_not_work_place():
    rec = _rec("a.txt", persons=[Person("张三")],
               cases=[Case("张三", places=[("山东省", "日照市"), ("四川省", "甲县", "东镇", "丰乐村")], evidence=[_ev()])])
    g = build_graph([rec])
    assert set(g.subjects(RDF.type, FP.Person)) == {resource("person", "张三", ("四川省", "甲县"))}


def test_same_name_without_place_stays_apart_and_relative_orgs_are_qualified():
    a = _rec("a.txt", persons=[Person("李明")], organizations=[Organization("区扶贫办", "bureau", place=("四川省", "甲县"))])
    b = _rec("b.txt", persons=[Person("李明")], organizations=[Organization("区扶贫办", "bureau", place=("四川省", "乙县"))])
    g = build_graph([a, b])
    assert len(set(g.subjects(RDF.type, FP.Person))) == 2
    orgs = set(g.subjects(RDF.type, FP.Organization))
    assert len(orgs) == 2 and all(labels(g, o) == {"区扶贫办"} for o in orgs)


def test_triples_and_graph_agree(records, graph, tmp_path):
    assert set(build_triples(records)) == set(graph)
    a, b = write_triples(build_triples(records), tmp_path / "t"), write_graph(graph, tmp_path / "g")
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


def test_record_order_does_not_matter(records):
    assert graph_to_ntriples(build_graph(records)) == graph_to_ntriples(build_graph(list(reversed(records))))


def test_bad_records_are_refused_with_the_file_named():
    bad = _rec("x.txt", programs=[Program("p1", "培训", ["Training"])])
    with pytest.raises(GraphError, match=r"x\.txt.*unknown program category 'Training'"):
        build_graph([bad])
    bad = _rec("y.txt", persons=[Person("张三")], cases=[Case("张三", incomes=[Income(1, "week", evidence=_ev())])])
    with pytest.raises(GraphError, match=r"y\.txt.*unknown period 'week'"):
        build_graph([bad])
    with pytest.raises(GraphError, match=r"z\.txt.*unknown program key 'p9'"):
        build_graph([_rec("z.txt", cases=[Case("张三", ["p9"])])])


@pytest.mark.parametrize("name,index,level", [
    ("中国", 0, "country"), ("四川省", 0, "province"), ("上海市", 0, "province"), ("广西壮族自治区", 0, "province"),
    ("成都市", 1, "prefecture"), ("都江堰市", 2, "county"), ("凉山彝族自治州", 1, "prefecture"),
    ("武侯区", 2, "county"), ("金堂县", 2, "county"), ("城南街道", 3, "township"), ("白沙镇", 3, "township"),
    ("新华乡", 3, "township"), ("桃园社区", 4, "village"), ("红星村", 4, "village"), ("上坝村民小组", 5, "group"),
    ("3组", 5, "group"), ("高新技术产业开发区", 2, "other"), ("龙泉工业园", 3, "other"),
])
def test_guess_level(name, index, level):
    assert guess_level(name, index) == level


# -- files -------------------------------------------------------------------------

def test_write_graph_is_byte_identical_and_round_trips(graph, tmp_path):
    paths = write_graph(graph, tmp_path / "a")
    assert [p.name for p in paths] == list(GRAPH_FILES)
    again = write_graph(build_graph(load_records()), tmp_path / "b")
    for p, q in zip(paths, again):
        assert p.read_bytes() == q.read_bytes(), p.name
    for p in paths:
        assert isomorphic(load_graph(p), graph), p.name
    assert not list((tmp_path / "a").glob(".*.tmp"))      # atomic writes leave no temporaries


def test_output_is_identical_across_processes(tmp_path):
    """Hash randomisation differs per process: the bytes must not."""
    script = ("import sys, json; from pathlib import Path; from kg.records import ArticleRecord;"
              "from kg.graph import build_graph, write_graph;"
              "recs=[ArticleRecord.from_dict(d) for d in json.load(open(sys.argv[1], encoding='utf-8'))];"
              "write_graph(build_graph(recs), Path(sys.argv[2]))")
    for seed, out in (("1", "s1"), ("2", "s2")):
        subprocess.run([sys.executable, "-c", script, str(DATA / "records_corpus.json"), str(tmp_path / out)],
                       check=True, env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"})
    for name in GRAPH_FILES:
        assert (tmp_path / "s1" / name).read_bytes() == (tmp_path / "s2" / name).read_bytes(), name


def test_scorer_reads_the_graph(graph, shared_dir, tmp_path):
    spec = importlib.util.spec_from_file_location("fupin_score", shared_dir / "eval" / "score.py")
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    write_graph(graph, tmp_path)
    g = score.load_graph(tmp_path / "kg.ttl")
    art = next(g.subjects(FP.fileName, Literal(F000)))
    cases = score.cases(g, art)
    assert cases["孙天英"]["categories"] == {"JobReferral", "SkillsTraining"}
    assert cases["孙天英"]["places"] == {"塘坎上村民小组"}
    assert cases["黄家君"]["incomes"] == {(200000.0, "year"), (50000.0, "year"), (250000.0, "year"),
                                          (100000.0, "year")}
    persons = score.labels(g, "Person", art)
    assert ["吴娟", "吴所长"] in persons
    assert (4299.0 in {v for _, v in score.statistics(g, art)})


@pytest.mark.slow
def test_build_scales_to_a_thousand_articles(tmp_path):
    base = json.loads((DATA / "records_corpus.json").read_text(encoding="utf-8"))
    recs = []
    for i in range(1000):
        d = copy.deepcopy(base[i % len(base)])
        d["meta"]["file_name"] = f"{i:05d}_{d['meta']['file_name']}"
        for p in d["persons"]:
            p["name"] += str(i)
        for c in d["cases"]:
            c["person"] += str(i)
        recs.append(ArticleRecord.from_dict(d))
    t = time.perf_counter()
    triples = build_triples(recs)
    write_triples(triples, tmp_path)
    elapsed = time.perf_counter() - t
    assert len(triples) > 200_000
    assert elapsed < 45, f"build + write of 1,000 articles took {elapsed:.1f}s"
