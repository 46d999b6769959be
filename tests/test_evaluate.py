"""kg eval: the project's scorer agrees with the shared reference scorer, and fails clearly."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS

from kg.cli import main
from kg.errors import KGError
from kg.evaluate import METRICS, evaluate, format_report, load_graph, org_match, place_match, read_gold

FP = Namespace("https://w3id.org/fupin-kg/ontology#")
EX = "https://example.org/test/"
ROOT = Path(__file__).resolve().parents[1]


def _node(kind: str, *parts: str) -> URIRef:
    import hashlib

    return URIRef(EX + kind + "/" + hashlib.sha1("|".join(parts).encode()).hexdigest()[:12])


def _names(x):
    return [x] if isinstance(x, str) else list(x)


def graph_from_gold(gold_dir: Path) -> Graph:
    """A graph in the RDF contract made by hand from the gold, with deliberate errors:
    entities dropped, extras added, an alias as altLabel, a wrong income, a shortened place,
    a typed statistic without place, a byline person (ignored), a case with two labels."""
    from rdflib.namespace import XSD

    g = Graph()
    for n, gf in enumerate(sorted(gold_dir.glob("*.json"))):
        gold = json.loads(gf.read_text(encoding="utf-8"))
        art = _node("article", gold["doc"])
        g.add((art, RDF.type, FP.Article))
        g.add((art, FP.fileName, Literal(gold["doc"])))

        def entity(cls, name_or_aliases, art=art):
            names = _names(name_or_aliases)
            e = _node(cls, names[0])
            g.add((e, RDF.type, FP[cls]))
            g.add((e, RDFS.label, Literal(names[0], lang="zh")))
            for alt in names[1:]:
                g.add((e, SKOS.altLabel, Literal(alt, lang="zh")))
            g.add((e, FP.mentionedIn, art))
            return e

        for i, p in enumerate(gold["persons"]):
            if i % 4 != 3:                      # drop every fourth person
                entity("Person", p)
        entity("Person", "某某某")               # an extra
        for b in gold.get("ignore_persons", []):
            entity("Person", b)                  # bylines are ignored, not penalised
        for i, pl in enumerate(gold["places"]):
            if i % 5 == 4:
                continue
            names = _names(pl)
            # shorten a name by its admin suffix sometimes (still a match)
            if i % 3 == 0 and names[0][-1] in "镇村区县" and len(names[0]) > 2:
                names = [names[0][:-1]]
            entity("Place", names)
        entity("Place", "无名村")
        for i, o in enumerate(gold["organizations"]):
            if i % 3 != 2:
                entity("Organization", o)

        for j, c in enumerate(gold["cases"]):
            if j % 4 == 1:
                continue                          # a missed case
            case = _node("case", gold["doc"], c["person"])
            g.add((case, RDF.type, FP.Case))
            g.add((case, FP.source, art))
            g.add((case, FP.person, entity("Person", c["person"])))
            for k, pl in enumerate(c.get("places", [])):
                if (j + k) % 2 == 0:
                    g.add((case, FP.place, entity("Place", pl)))
            for k, prog in enumerate(c.get("programs", [])):
                pr = _node("program", gold["doc"], c["person"], str(k))
                g.add((pr, RDF.type, FP.Program))
                g.add((pr, RDFS.label, Literal(prog["name"], lang="zh")))
                cat = prog["category"] if (j + k) % 3 else "Subsidy"
                g.add((pr, FP.category, FP[cat]))
                g.add((case, FP.program, pr))
            for k, o in enumerate(c.get("organizations", [])):
                if k % 2 == 0:
                    g.add((case, FP.organization, entity("Organization", o)))
            for k, inc in enumerate(c.get("incomes", [])):
                i_node = _node("income", gold["doc"], c["person"], str(k))
                g.add((i_node, RDF.type, FP.Income))
                amount = Decimal(str(inc["amount"])) * (2 if k % 3 == 2 else 1)
                g.add((i_node, FP.amount, Literal(amount, datatype=XSD.decimal)))
                g.add((i_node, FP.period, Literal(inc["period"])))
                g.add((case, FP.outcome, i_node))
        # an extra case
        extra = _node("case", gold["doc"], "extra")
        g.add((extra, RDF.type, FP.Case))
        g.add((extra, FP.source, art))
        g.add((extra, FP.person, entity("Person", "某某某")))

        for k, s in enumerate(gold.get("stats", [])):
            st = _node("stat", gold["doc"], str(k))
            g.add((st, RDF.type, FP.Statistic))
            g.add((st, FP.source, art))
            g.add((st, FP.value, Literal(Decimal(str(s["value"])) + (k % 2), datatype=XSD.decimal)))
            if k % 3:
                g.add((st, FP.place, entity("Place", s["place"])))
        # n-th article: entity without label (invisible to both scorers)
        blank = _node("Person", "nolabel", str(n))
        g.add((blank, RDF.type, FP.Person))
        g.add((blank, FP.mentionedIn, art))
    return g


def _reference(shared_dir: Path, graph_file: Path) -> dict:
    proc = subprocess.run([sys.executable, str(shared_dir / "eval" / "score.py"), "--graph", str(graph_file),
                           "--gold", str(shared_dir / "gold"), "--json"],
                          capture_output=True, text=True, timeout=600, check=True)
    # score.py prints the JSON, then a one-line summary
    body = proc.stdout[: proc.stdout.rstrip().rfind("\n")]
    return json.loads(body)


def _assert_agree(ours: dict, ref: dict) -> None:
    for k in METRICS:
        assert ours[k] == ref[k], k
    assert ours["case_place_accuracy"] == ref["case_place_accuracy"]
    assert set(ours["per_doc"]) == set(ref["per_doc"])
    for doc, d in ref["per_doc"].items():
        for key, v in d.items():
            assert ours["per_doc"][doc][key] == v, (doc, key)


def test_agrees_with_reference_on_hand_made_graph(shared_dir, tmp_path):
    g = graph_from_gold(shared_dir / "gold")
    path = tmp_path / "kg.ttl"
    g.serialize(path, format="turtle")
    ours = evaluate(path, shared_dir / "gold")
    ref = _reference(shared_dir, path)
    _assert_agree(ours, ref)
    # the perturbations make every metric imperfect but not empty
    for k in ("persons", "places", "organizations", "cases"):
        assert 0 < ours[k]["f1"] < 1, k
    assert 0 < ours["case_place_accuracy"] < 1
    # case slot details name what differs
    slots = [s for d in ours["per_doc"].values() for s in d["case_slots"].values()]
    assert any("categories" in s for s in slots)


def test_formats_agree(shared_dir, tmp_path):
    g = graph_from_gold(shared_dir / "gold")
    base = evaluate(g, shared_dir / "gold")
    for ext, fmt in ((".nt", "nt"), (".jsonld", "json-ld")):
        path = tmp_path / f"kg{ext}"
        g.serialize(path, format=fmt)
        assert {k: v for k, v in evaluate(path, shared_dir / "gold").items()} == base, ext


def test_perfect_graph_scores_one(shared_dir):
    """A graph that says exactly what the gold says scores 1.0 on every entity metric."""
    gold_dir = shared_dir / "gold"
    g = Graph()
    for gold in read_gold(gold_dir):
        art = _node("article", gold.doc)
        g.add((art, FP.fileName, Literal(gold.doc)))
        for cls, items in (("Person", gold.persons), ("Place", gold.places),
                           ("Organization", gold.organizations)):
            for x in items:
                e = _node(cls, gold.doc, _names(x)[0])
                g.add((e, RDF.type, FP[cls]))
                g.add((e, RDFS.label, Literal(_names(x)[0])))
                g.add((e, FP.mentionedIn, art))
    res = evaluate(g, gold_dir)
    for k in ("persons", "places", "organizations"):
        assert res[k]["f1"] == 1.0, (k, res["per_doc"])


def test_matchers():
    assert place_match("何埂", "何埂镇") and not place_match("何", "何镇")
    assert not place_match("丰乐村", "丰乐村委会")
    assert org_match("区扶贫办", "永川区扶贫办")
    assert not org_match("人社局", "扶贫办")


def test_cli_table_and_json(shared_dir, tmp_path, capsys):
    path = tmp_path / "kg.ttl"
    graph_from_gold(shared_dir / "gold").serialize(path, format="turtle")
    assert main(["eval", "--gold", str(shared_dir / "gold"), "--graph", str(path)]) == 0
    out = capsys.readouterr().out
    assert "persons" in out and "missed:" in out and "case_place_accuracy" in out
    assert main(["eval", "--gold", str(shared_dir / "gold"), "--graph", str(path), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert set(METRICS) <= set(res) and "per_doc" in res
    assert all({"p", "r", "f1", "tp", "pred", "gold"} <= set(res[k]) for k in METRICS)
    assert format_report(res).splitlines()[0].startswith("metric")


@pytest.mark.parametrize("case", ["no_dir", "empty_dir", "bad_json", "no_doc", "no_graph", "bad_ext", "bad_ttl"])
def test_errors_are_one_line(case, tmp_path, capsys, shared_dir):
    gold = tmp_path / "gold"
    graph = tmp_path / "kg.ttl"
    graph.write_text("<a:b> <a:c> <a:d> .\n", encoding="utf-8")
    if case != "no_dir":
        gold.mkdir()
    if case not in ("no_dir", "empty_dir"):
        shutil.copy(next((shared_dir / "gold").glob("*.json")), gold / "a.txt.json")
    if case == "bad_json":
        (gold / "b.txt.json").write_text('{\n  "doc": "b.txt",\n  "persons": [,]\n}\n', encoding="utf-8")
    if case == "no_doc":
        (gold / "b.txt.json").write_text('{"persons": []}', encoding="utf-8")
    if case == "no_graph":
        graph.unlink()
    if case == "bad_ext":
        graph = graph.rename(tmp_path / "kg.xyz")
    if case == "bad_ttl":
        graph.write_text("this is not turtle", encoding="utf-8")
    code = main(["eval", "--gold", str(gold), "--graph", str(graph)])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    expected = {"no_dir": "no such gold directory", "empty_dir": "no gold files", "bad_json": "b.txt.json:3:",
                "no_doc": "b.txt.json", "no_graph": "no such graph file", "bad_ext": "unknown graph format",
                "bad_ttl": "cannot parse"}[case]
    assert expected in err


def test_errors_raise_kgerror(tmp_path):
    with pytest.raises(KGError, match="no such graph file"):
        load_graph(tmp_path / "missing.ttl")


@pytest.mark.slow
def test_agrees_with_reference_on_built_graph(shared_dir, tmp_path):
    """After a real build of the corpus, both scorers give the same figures."""
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "kg.cli", "build", "-q", "--no-views", "--corpus",
                           str(ROOT / "corpus"), "--out", str(out)], capture_output=True, text=True, timeout=1800)
    assert proc.returncode in (0, 3), proc.stderr
    path = out / "kg.ttl"
    _assert_agree(evaluate(path, shared_dir / "gold"), _reference(shared_dir, path))


def _hand_made_records():
    """Records written by hand for two corpus articles (some right, some wrong)."""
    from kg.records import (
        ArticleMeta,
        ArticleRecord,
        Case,
        Income,
        Organization,
        Person,
        Place,
        Program,
        Statistic,
    )

    cq = ("重庆市",)
    yc = cq + ("永川区",)
    r0 = ArticleRecord(
        meta=ArticleMeta(file_name="000_832e13d42f1660e4.txt", sha256="0" * 64, chars=4150),
        persons=[Person("徐泉铃"), Person("王世莲"), Person("孙天英"), Person("何埂镇护理")],
        places=[Place("永川区", "county", yc), Place("何埂镇", "township", yc + ("何埂镇",)),
                Place("丰乐村", "village", yc + ("何埂镇", "丰乐村")),
                Place("景圣村", "village", yc + ("五间镇", "景圣村")), Place("蒋家坝", "other", yc + ("何埂镇", "丰乐村", "蒋家坝"))],
        organizations=[Organization("五间镇社保所", "bureau", place=yc + ("五间镇",)),
                       Organization("重庆隆兆机械有限公司", "company")],
        programs=[Program("p1", "护理病人培训班", ["SkillsTraining"]), Program("p2", "推荐就业", ["JobReferral"])],
        statistics=[Statistic(4299, "人", "人口4299人", place=yc), Statistic(5, "个", "建成5个扶贫车间", place=yc,
                                                                          category="PovertyWorkshop")],
        cases=[Case("徐泉铃", ["p1"], [yc + ("何埂镇", "丰乐村")]),
               Case("孙天英", ["p2", "p1"], [yc + ("五间镇", "景圣村")], ["五间镇社保所"],
                    [Income(3000, "month", approximate=True)]),
               Case("王世莲", ["p2"], [yc + ("何埂镇",)], ["重庆隆兆机械有限公司"])],
    )
    r1 = ArticleRecord(
        meta=ArticleMeta(file_name="002_3a04103933793c00.txt", sha256="2" * 64, chars=4739),
        persons=[Person("周光学")],
        places=[Place("铜梁区", "county", cq + ("铜梁区",)), Place("坪漆村", "village", cq + ("铜梁区", "太平镇", "坪漆村"))],
        organizations=[Organization("铜梁区人社局", "bureau", aliases=["铜梁区人力资源和社会保障局"])],
        programs=[Program("w", "龙灯彩扎基地扶贫车间", ["PovertyWorkshop"])],
        cases=[Case("周光学", ["w"], [cq + ("铜梁区", "太平镇", "坪漆村")], [],
                    [Income(100, "day", approximate=True), Income(200, "day", amount_max=300)])],
    )
    return [r0, r1]


def test_agrees_with_reference_on_graph_from_records(shared_dir, tmp_path):
    """Hand-made extraction records -> kg.graph -> both scorers give the same figures."""
    graph = pytest.importorskip("kg.graph")
    g = graph.build_graph(_hand_made_records())
    path = tmp_path / "kg.ttl"
    g.serialize(path, format="turtle")
    ours = evaluate(path, shared_dir / "gold")
    _assert_agree(ours, _reference(shared_dir, path))
    assert ours["cases"]["tp"] >= 3 and ours["persons"]["tp"] >= 4
    assert ours["per_doc"]["000_832e13d42f1660e4.txt"]["persons"]["extra"] == [["何埂镇护理"]]


# -- times (the gold format extended: README "Dates and timelines") -------------------------

TIME_NS = Namespace("http://www.w3.org/2006/time#")
DCT = Namespace("http://purl.org/dc/terms/")


def _timed_graph() -> Graph:
    """r07 as a graph: its date and publisher, 杜赢's start (2013) and his 去年 income (2015)."""
    from rdflib.namespace import XSD

    g = Graph()
    art, case, person, inc = (URIRef(EX + x) for x in ("art", "case", "person", "inc"))
    g.add((art, RDF.type, FP.Article))
    g.add((art, FP.fileName, Literal("r07_fuding_returnee_ecommerce.txt")))
    g.add((art, DCT.date, Literal("2016-03-10", datatype=XSD.date)))
    g.add((art, DCT.publisher, Literal("中国兰州网", lang="zh")))
    g.add((person, RDF.type, FP.Person))
    g.add((person, RDFS.label, Literal("杜赢", lang="zh")))
    g.add((case, RDF.type, FP.Case))
    g.add((case, FP.person, person))
    g.add((case, FP.source, art))
    g.add((case, FP.startTime, URIRef(EX + "case/start")))
    g.add((URIRef(EX + "case/start"), TIME_NS.inXSDgYear, Literal("2013", datatype=XSD.gYear)))
    g.add((case, FP.outcome, inc))
    g.add((inc, RDF.type, FP.Income))
    g.add((inc, FP.amount, Literal(Decimal("200000"))))
    g.add((inc, FP.period, Literal("year")))
    g.add((inc, TIME_NS.hasTime, URIRef(EX + "inc/time")))
    g.add((URIRef(EX + "inc/time"), TIME_NS.inXSDgYear, Literal("2014", datatype=XSD.gYear)))
    return g


def _write_gold(d: Path, **fields) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    gold = {"doc": "r07_fuding_returnee_ecommerce.txt", "date": "2016-03-10", "publisher": "中国兰州网",
            "cases": [{"person": "杜赢", "start": "2013",
                       "incomes": [{"amount": 200000, "period": "year", "approx": True, "year": 2015}]},
                      {"person": "艾美玲", "start": "2014-08", "incomes": []}], **fields}
    (d / "r07.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    return d


def test_times_are_scored_where_the_gold_gives_them(tmp_path):
    res = evaluate(_timed_graph(), _write_gold(tmp_path / "gold"))
    t = res["times"]
    assert t["articles"] == 1
    assert (t["article_dates"]["right"], t["publishers"]["right"]) == (1, 1)
    assert (t["case_starts"]["tp"], t["case_starts"]["pred"], t["case_starts"]["gold"]) == (1, 1, 1)  # 艾美玲 unmatched
    assert (t["income_years"]["tp"], t["income_years"]["pred"], t["income_years"]["gold"]) == (0, 1, 1)  # 2014 != 2015
    assert res["per_doc"]["r07_fuding_returnee_ecommerce.txt"]["times"]["income_years"] == {
        "杜赢": [[[200000.0, "year", 2014]], [[200000, "year", 2015]]]}
    assert "income_years" in format_report(res)
    # a gold without times has no times section
    plain = _write_gold(tmp_path / "plain")
    gold = json.loads((plain / "r07.json").read_text(encoding="utf-8"))
    del gold["date"], gold["publisher"]
    for c in gold["cases"]:
        c.pop("start")
        for i in c["incomes"]:
            i.pop("year")
    (plain / "r07.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    assert "times" not in evaluate(_timed_graph(), plain)


@pytest.mark.parametrize(("fields", "message"), [
    ({"date": "2016年"}, r"r07.json: \"date\" must be YYYY, YYYY-MM or YYYY-MM-DD"),
    ({"cases": [{"person": "杜赢", "start": "去年"}]}, r"cases\[0\]: \"start\" must be YYYY or YYYY-MM"),
    ({"cases": [{"person": "杜赢", "incomes": [{"amount": 1, "period": "year", "year": "2015"}]}]},
     r"incomes\[0\]: \"year\" must be a year"),
])
def test_times_gold_errors_name_the_file(tmp_path, fields, message):
    with pytest.raises(KGError, match=message):
        read_gold(_write_gold(tmp_path / "gold", **fields))


def test_shared_scorer_reads_the_extended_format(shared_dir, tmp_path):
    """Backwards compatible: the reference scorer ignores the time fields."""
    path = tmp_path / "kg.ttl"
    _timed_graph().serialize(path, format="turtle")
    proc = subprocess.run([sys.executable, str(shared_dir / "eval" / "score.py"), "--graph", str(path),
                           "--gold", str(ROOT / "tests" / "data" / "times_gold" / "real")],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "case_incomes_f1=" in proc.stdout


def _times_on(nlp, texts: Path, gold: Path) -> dict:
    from kg.corpus import read_article
    from kg.extract import extract_article
    from kg.graph import build_graph

    records = [extract_article(nlp, read_article(p)) for p in sorted(texts.glob("*.txt"))]
    return evaluate(build_graph(records), gold)["times"]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "starts_f1", "dates", "publishers"), [
    ("real_more_dev", 0.75, 1.0, 1.0),          # the job-fair cases' start is the fair's date: not read
    ("real_more_heldout", 0.8, 1.0, 0.75),      # 今日农业 (a magazine's issue line) is not read
    ("real_more_heldout2", 0.9, 1.0, 0.75),     # 来 源: on a line, 中国就业网 glued to the body on the next
])
def test_times_on_annotated_real_articles(nlp, name, starts_f1, dates, publishers):
    texts = ROOT / "tests" / "data" / "real_more" / name.rsplit("_", 1)[1] / "texts"
    t = _times_on(nlp, texts, ROOT / "tests" / "data" / "times_gold" / name)
    assert t["case_starts"]["f1"] >= starts_f1
    assert t["article_dates"]["accuracy"] >= dates and t["publishers"]["accuracy"] >= publishers
    assert t["income_years"]["p"] == 1.0 or t["income_years"]["pred"] == 0


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="a job fair's participant starts on the fair's date (3月23日 … 当天, the year "
                   "from the fair's name 2020年巡回…招聘会); case starts are read only in the case's own sentences")
def test_a_job_fair_participant_starts_on_the_fairs_date(nlp):
    times = _times_on(nlp, ROOT / "tests" / "data" / "real_more" / "dev" / "texts",
                      ROOT / "tests" / "data" / "times_gold" / "real_more_dev")
    assert times["case_starts"]["f1"] >= 0.85


@pytest.mark.slow
def test_times_on_the_shared_real_articles(nlp, shared_dir):
    t = _times_on(nlp, shared_dir / "real" / "texts", ROOT / "tests" / "data" / "times_gold" / "real")
    assert t["case_starts"]["f1"] >= 0.9 and t["income_years"]["f1"] == 1.0
    assert t["article_dates"]["accuracy"] == 1.0 and t["publishers"]["accuracy"] == 1.0
