"""Browsing queries (queries/browse/*.rq, kg/browse.py): their parameters, filled by
`kg query --param` and the query page, and their answers on the hand-made records of real
corpus facts (tests/data/records_corpus.json, checked by hand against the articles)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.browse import browse_dir, browse_queries, fill_params, parse_assignments, query_params
from kg.cli import main
from kg.errors import EXIT_OK, EXIT_USAGE, KGError
from kg.store import open_store, query

DATA = Path(__file__).parent / "data"
F000 = "000_832e13d42f1660e4.txt"


@pytest.fixture(scope="module")
def built(records_store_dir):
    return records_store_dir


@pytest.fixture(scope="module")
def store(built):
    return open_store(built / "store")


def ask(store, query_name: str, **params: str | list[str]) -> list[dict]:
    path = browse_dir() / f"{query_name}.rq"
    values = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    return query(store, fill_params(path.read_text(encoding="utf-8"), values, str(path)), str(path)).values()


# -- parameters -------------------------------------------------------------------------

TEXT = """# A question.
# @param name zh  a name
# @param n integer  a number
SELECT * WHERE {
  VALUES ?name { UNDEF }
  VALUES ?n { UNDEF }
}"""


def test_params_are_read_from_the_comment():
    ps = query_params(TEXT)
    assert [(p.name, p.kind, p.describe) for p in ps] == [("name", "zh", "a name"), ("n", "integer", "a number")]


def test_fill_writes_typed_terms_and_several_values():
    out = fill_params(TEXT, {"name": ['王"五', "李四"], "n": ["3"]})
    assert 'VALUES ?name { "王\\"五"@zh "李四"@zh }' in out and "VALUES ?n { 3 }" in out
    assert fill_params(TEXT, {}) == TEXT                          # left open: UNDEF, every entity


def test_iri_values_accept_prefixed_and_bare_fp_names():
    text = "# q\n# @param c iri  a category\nSELECT * WHERE { VALUES ?c { UNDEF } }"
    want = "VALUES ?c { <https://w3id.org/fupin-kg/ontology#PovertyWorkshop> }"
    for v in ("fp:PovertyWorkshop", "PovertyWorkshop", "<https://w3id.org/fupin-kg/ontology#PovertyWorkshop>"):
        assert want in fill_params(text, {"c": [v]})
    with pytest.raises(KGError, match="not an IRI"):
        fill_params(text, {"c": ["two words"]})


def test_bad_params_are_one_line_errors_naming_the_query():
    with pytest.raises(KGError, match=r"q\.rq: no parameter 'nam' in this query \(its parameters: name, n\)"):
        fill_params(TEXT, {"nam": ["x"]}, "q.rq")
    with pytest.raises(KGError, match="not an integer"):
        fill_params(TEXT, {"n": ["three"]})
    with pytest.raises(KGError, match="kind 'date'"):
        query_params("# @param d date  a day\nSELECT * WHERE { VALUES ?d { UNDEF } }", "q.rq")
    with pytest.raises(KGError, match=r"no `VALUES \?x \{ UNDEF \}` line"):
        query_params("# @param x zh  a name\nSELECT * WHERE { ?s ?p ?x }", "q.rq")
    with pytest.raises(KGError, match="NAME=VALUE"):
        parse_assignments(["name"])
    assert parse_assignments(["name=a=b", "?name=c"]) == {"name": ["a=b", "c"]}


# -- the queries ------------------------------------------------------------------------

def test_at_least_ten_browsing_queries_each_documented_with_a_parameter():
    qs = browse_queries()
    assert len(qs) >= 10
    for q in qs:
        assert q["text"].startswith("# "), q["name"]
        assert q["params"] and q["comment"], q["name"]
        assert "@param" not in q["comment"]


def test_every_browsing_query_runs_open_and_filled(store):
    for q in browse_queries():
        path = browse_dir() / f"{q['name'].removeprefix('browse/')}.rq"
        everything = query(store, q["text"], str(path))          # UNDEF: every entity
        assert everything.kind == "select" and len(everything) > 0, q["name"]


def test_person(store):
    got = {(r["what"], r["value"]) for r in ask(store, "person", name="孙天英")}
    # 建卡贫困户孙天英 of 塘坎上村民小组, employed by 五间镇蕊福农食用菌种植有限公司 after 岗位培训
    assert {("case place", "塘坎上村民小组"), ("program", "岗位培训"),
            ("organization", "五间镇蕊福农食用菌种植有限公司"), ("mentioned in", F000)} <= got
    assert {r["value"] for r in ask(store, "person", name="没有此人")} == set()


def test_person_cases_and_evidence(store, raw_article):
    cases = ask(store, "person_cases", name="孙天英")
    assert len(cases) == 1 and cases[0]["file"] == F000 and "SkillsTraining" in cases[0]["categories"]
    ev = ask(store, "person_evidence", name="孙天英")
    assert len(ev) == 3
    raw = raw_article("000")
    for r in ev:
        assert "".join(raw[r["start"]:r["end"]].split()) == r["sentence"]
    assert [r["start"] for r in ev] == sorted(r["start"] for r in ev)


def test_person_incomes(store):
    got = [(r["amount"], r["period"], r["phase"]) for r in ask(store, "person_incomes", name="任启勇")]
    # 每月打零工仅有不到1000元 -> 每月收入约3000元
    assert (3000, "month", "after") in got and len(got) == 2


def test_place_and_its_cases(store):
    facts = {(r["what"], r["value"]) for r in ask(store, "place", name="五间镇")}
    assert {("level", "township"), ("within", "永川区"), ("contains", "景圣村")} <= facts
    persons = [r["person"] for r in ask(store, "place_cases", name="五间镇")]
    assert sorted(set(persons)) == ["孙天英", "李刚伟", "郭满元"]
    county = {r["person"] for r in ask(store, "place_cases", name="永川区")}
    assert set(persons) < county                            # a county holds its townships' cases


def test_place_statistics(store):
    got = {(r["statedFor"], r["value"]) for r in ask(store, "place_statistics", name="永川区")}
    assert ("永川区", 4299) in got and ("永川区", 1856) in got


def test_program_and_category_in_place(store):
    # 曾晓林 of 桃坪村 works in the 扶贫车间 of 重庆卫之服饰有限公司 (001): the program by its IRI,
    # written with the res: prefix as results show it
    got = {(r["what"], r["value"], r["detail"])
           for r in ask(store, "program", program="res:program/001_d699e7130214e09d.txt/扶贫车间")}
    assert {("category", "扶贫车间", "PovertyWorkshop"), ("participant", "曾晓林", None),
            ("participant income", "曾晓林", "4000/month")} <= got
    jobs = ask(store, "category_in_place", name="永川区", category="fp:PublicWelfareJob")
    assert [r["person"] for r in jobs] == ["郭满元"]


def test_organization_and_its_people(store):
    facts = {(r["what"], r["value"]) for r in ask(store, "organization", name="五间镇社保所")}
    assert {("kind", "bureau"), ("employs or serves", "孙天英"), ("employs or serves", "郭满元")} <= facts
    people = {r["person"] for r in ask(store, "organization_people", name="五间镇社保所")}
    assert people == {"孙天英", "李刚伟", "郭满元"}
    # an organization is found by its other name too
    alias = {(r["what"], r["value"]) for r in ask(store, "organization", name="黔江区人力资源和社会保障局")}
    assert ("name", "黔江区人社局") in alias


def test_article_village_and_coworkers(store):
    art = {(r["what"], r["value"]) for r in ask(store, "article", file=F000)}
    assert ("Case", "孙天英") in art and ("Place", "五间镇") in art
    emp = {(r["employer"], r["persons"]) for r in ask(store, "village_employers", name="和平村")}
    assert ("重庆隆兆机械有限公司", 1) in emp
    mates = {r["other"] for r in ask(store, "coworkers", name="孙天英")}
    assert {"李刚伟", "郭满元"} <= mates and "孙天英" not in mates


# -- kg query --param ----------------------------------------------------------------------

def test_kg_query_fills_params_and_finds_shipped_queries(built, capsys):
    assert main(["query", "--store", str(built / "store"), "-f", "browse/place_cases", "--param", "name=五间镇",
                 "--format", "csv"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("place,person,") and "孙天英" in out and "黄家君" not in out
    assert main(["query", "--store", str(built / "store"), "-f", "browse/place_cases", "--param", "nom=x"]) == EXIT_USAGE
    assert "no parameter 'nom'" in capsys.readouterr().err
