"""Income kinds on real corpus sentences: whose money an income is and what it measures."""

from __future__ import annotations

import pytest

from kg.errors import KGError
from kg.nlp.doc import init_doc
from kg.nlp.income_kinds import IncomeKind, income_kind, load_income_kinds
from kg.resources import ontology_dir


def incomes(nlp, text):
    doc = nlp.make_doc(text)
    init_doc(doc)
    nlp.get_pipe("sentencizer")(doc)
    return nlp.get_pipe("kg_outcomes")(doc)._.kg_incomes


@pytest.mark.parametrize(("text", "kinds"), [
    # a business's takings: the sale is in the clause, or in the clause before it
    ("4月初，40万尾四大家鱼、白甲乌鳢鱼苗销售一空，今年销售鱼苗已实现年收入25万元，纯利润10万元。",
     [("revenue", "year"), ("profit", "year")]),
    ("经过一年的精心养殖，黄家君的白甲乌鳢终于养成商品鱼，当年销售成鱼1万余斤，实现收入20万元，净赚5万元。",
     [("revenue", "year"), ("net_income", "year")]),
    ("目前，农场发展持续稳定，全年实现总产值65万元，纯收入20万元。", [("net_income", "year")]),
    ("2013年从广西玉林师范大学毕业后,杜赢带着女朋友回乡创业,去年盈利20多万元,今年准备新建600平方米的大厂房。",
     [("profit", "year")]),
    # a couple's earnings together
    ("他们决定留在本地就业,“我俩现在月收入加起来至少有1万元。”", [("household", "month")]),
    ("“我和老伴儿都在别样红扶贫攻坚造林专业合作社从事沙棘苗的抚育、栽植、浇水、拔草、喷药等工作,去年收入了3.5万元左右。”",
     [("household", "year")]),
    # a job's fee, a wage, a worker's income (the workplace is no business revenue of theirs)
    ("“我们每天都要骑摩托车巡护,确保树木安全,这样才能对得起我这每年一万元的管护费。”", [("allowance", "year")]),
    ("负责信息录入、社保办理等工作，每月工资1800元，还缴纳五险。", [("wage", "month")]),
    ("任启勇在离家不远的工业园区找到了工作，经过简单培训后就能上岗，每月收入约3000元，一家人的生活得到了保障。",
     [("income", "month")]),
    ("他是家里仅有的劳动力，但缺少知识和技术，每月打零工仅有不到1000元收入，一家人的日子过得拮据。",
     [("income", "month")]),
])
def test_kinds_in_the_pipeline(nlp, text, kinds):
    assert [(i.kind, i.period) for i in incomes(nlp, text)] == kinds


def test_a_yearly_business_revenue_is_no_monthly_income(nlp):
    (rev, _) = incomes(nlp, "今年销售鱼苗已实现年收入25万元，纯利润10万元。")
    assert (rev.kind, rev.period) == ("revenue", "year")
    # a workplace named in the clause is not the worker's business
    assert income_kind("在合作社务工每月收入2000元") == "income"
    assert income_kind("他的合作社去年收入50万元") == "revenue"


def test_clause_cues_come_before_context_cues():
    # the sale before the clause makes 实现收入 revenue, but the clause's own 净赚 wins for its money
    assert income_kind("实现收入20万元", before="当年销售成鱼1万余斤，") == "revenue"
    assert income_kind("净赚5万元", before="当年销售成鱼1万余斤，实现收入20万元，") == "net_income"
    assert income_kind("每月收入约3000元") == "income"


def test_kinds_file_is_well_formed_and_matches_the_ontology_and_shapes():
    import rdflib
    from rdflib.namespace import SKOS

    kinds = load_income_kinds()
    names = [k.kind for k in kinds]
    assert names[-1] == "income" and len(set(names)) == len(names)
    assert all(isinstance(k, IncomeKind) for k in kinds)
    g = rdflib.Graph().parse(ontology_dir() / "fupin.ttl")
    fp = rdflib.Namespace("https://w3id.org/fupin-kg/ontology#")
    notations = {str(n) for c in g.subjects(SKOS.inScheme, fp.IncomeKinds) for n in g.objects(c, SKOS.notation)}
    assert notations == set(names)
    for c in g.subjects(SKOS.inScheme, fp.IncomeKinds):     # one Chinese and one English label each
        assert sorted(lab.language for lab in g.objects(c, SKOS.prefLabel)) == ["en", "zh"]
    shapes = (ontology_dir() / "shapes.ttl").read_text(encoding="utf-8")
    line = next(x for x in shapes.splitlines() if "fp:incomeKind" in x)
    assert {w.strip('"') for w in line.split("sh:in (")[1].split(")")[0].split()} == set(names)


def test_bad_kinds_file_names_the_line(tmp_path, monkeypatch):
    import kg.nlp.income_kinds as mod

    bad = tmp_path / "kinds.tsv"
    bad.write_text("kind\tclause\tcontext\tunless\nwage\t(工资\t-\t-\nincome\t-\t-\t-\n", encoding="utf-8")
    monkeypatch.setattr(mod, "data_file", lambda name: bad)
    with pytest.raises(KGError, match=r"kinds.tsv:2: bad pattern"):
        mod.load_income_kinds.__wrapped__("kinds.tsv")
