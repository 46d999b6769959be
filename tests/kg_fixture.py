"""A small knowledge graph in the terms of RDF-CONTRACT.md, written by hand from real facts of
two corpus articles (000 永川区, 001 黔江区/綦江区), so that the analytics' figures can be
checked against values worked out by hand (see the expectations in tests/test_analytics.py).

Evidence is attached as kg.graph attaches it, ``prov:wasDerivedFrom [ a fp:Evidence;
fp:sentence; fp:startOffset; fp:endOffset ]`` (offsets made up here: the analytics only
carry them through to the views).
"""

from __future__ import annotations

from pathlib import Path

FIXTURE_TTL = """
@prefix fp: <https://w3id.org/fupin-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://w3id.org/fupin-kg/id/> .
@prefix prov: <http://www.w3.org/ns/prov#> .

ex:a000 a fp:Article ; fp:fileName "000_832e13d42f1660e4.txt" .
ex:a001 a fp:Article ; fp:fileName "001_d699e7130214e09d.txt" .

ex:cq a fp:Place ; rdfs:label "重庆市"@zh ; fp:adminLevel "province" .
ex:yc a fp:Place ; rdfs:label "永川区"@zh ; fp:adminLevel "county" ; fp:partOf ex:cq ; fp:mentionedIn ex:a000 .
ex:hg a fp:Place ; rdfs:label "何埂镇"@zh ; fp:adminLevel "township" ; fp:partOf ex:yc ; fp:mentionedIn ex:a000 .
ex:fl a fp:Place ; rdfs:label "丰乐村"@zh ; fp:adminLevel "village" ; fp:partOf ex:hg ; fp:mentionedIn ex:a000 .
ex:jjb a fp:Place ; rdfs:label "蒋家坝"@zh ; fp:adminLevel "other" ; fp:partOf ex:fl ; fp:mentionedIn ex:a000 .
ex:wj a fp:Place ; rdfs:label "五间镇"@zh ; fp:adminLevel "township" ; fp:partOf ex:yc ; fp:mentionedIn ex:a000 .
ex:hp a fp:Place ; rdfs:label "和平村"@zh ; fp:adminLevel "village" ; fp:partOf ex:wj ; fp:mentionedIn ex:a000 .
ex:lj a fp:Place ; rdfs:label "临江镇"@zh ; fp:adminLevel "township" ; fp:partOf ex:yc ; fp:mentionedIn ex:a000 .
ex:tt a fp:Place ; rdfs:label "天堂村"@zh ; fp:adminLevel "village" ; fp:partOf ex:lj ; fp:mentionedIn ex:a000 .
ex:qj a fp:Place ; rdfs:label "黔江区"@zh ; fp:adminLevel "county" ; fp:partOf ex:cq ; fp:mentionedIn ex:a001 .
ex:xx a fp:Place ; rdfs:label "新乡乡"@zh ; fp:adminLevel "township" ; fp:partOf ex:qj ; fp:mentionedIn ex:a001 .
ex:lz a fp:Place ; rdfs:label "梨子村"@zh ; fp:adminLevel "village" ; fp:partOf ex:xx ; fp:mentionedIn ex:a001 .
ex:jx a fp:Place ; rdfs:label "金溪镇"@zh ; fp:adminLevel "township" ; fp:partOf ex:qj ; fp:mentionedIn ex:a001 .
ex:tp a fp:Place ; rdfs:label "桃坪村"@zh ; fp:adminLevel "village" ; fp:partOf ex:jx ; fp:mentionedIn ex:a001 .
ex:sa a fp:Place ; rdfs:label "山坳村"@zh ; fp:adminLevel "village" ; fp:partOf ex:jx ; fp:mentionedIn ex:a001 .
ex:qij a fp:Place ; rdfs:label "綦江区"@zh ; fp:adminLevel "county" ; fp:partOf ex:cq ; fp:mentionedIn ex:a001 .
ex:wl a fp:Place ; rdfs:label "文龙街道"@zh ; fp:adminLevel "township" ; fp:partOf ex:qij ; fp:mentionedIn ex:a001 .
ex:cd a fp:Place ; rdfs:label "春灯村"@zh ; fp:adminLevel "village" ; fp:partOf ex:wl ; fp:mentionedIn ex:a001 .
ex:sd a fp:Place ; rdfs:label "山东省"@zh ; fp:adminLevel "province" .
ex:rz a fp:Place ; rdfs:label "日照市"@zh ; fp:adminLevel "prefecture" ; fp:partOf ex:sd ; fp:mentionedIn ex:a001 .

ex:xql a fp:Person ; rdfs:label "徐泉铃"@zh ; fp:mentionedIn ex:a000 .
ex:wsl a fp:Person ; rdfs:label "王世莲"@zh ; fp:mentionedIn ex:a000 .
ex:gmy a fp:Person ; rdfs:label "郭满元"@zh ; fp:mentionedIn ex:a000 .
ex:hjj a fp:Person ; rdfs:label "黄家君"@zh ; fp:mentionedIn ex:a000 .
ex:cqy a fp:Person ; rdfs:label "陈清友"@zh ; fp:mentionedIn ex:a001 .
ex:zxl a fp:Person ; rdfs:label "曾晓林"@zh ; fp:mentionedIn ex:a001 .
ex:ltr a fp:Person ; rdfs:label "刘廷荣"@zh ; fp:mentionedIn ex:a001 .
ex:rqy a fp:Person ; rdfs:label "任启勇"@zh ; fp:mentionedIn ex:a001 .

ex:o1 a fp:Organization ; rdfs:label "五间镇社保所"@zh ; fp:mentionedIn ex:a000 .
ex:o2 a fp:Organization ; rdfs:label "永川区就业和人才中心"@zh ; fp:mentionedIn ex:a000 .
ex:o3 a fp:Organization ; rdfs:label "黔江区人社局"@zh ; fp:mentionedIn ex:a001 .
ex:o4 a fp:Organization ; rdfs:label "重庆卫之服饰有限公司"@zh ; fp:mentionedIn ex:a001 .
ex:o5 a fp:Organization ; rdfs:label "重庆赛之源齿轮制造有限公司"@zh ; fp:mentionedIn ex:a001 .

ex:p1 a fp:Program ; rdfs:label "何埂镇护理病人培训班"@zh ; fp:category fp:SkillsTraining ; fp:mentionedIn ex:a000 .
ex:p2 a fp:Program ; rdfs:label "公共环境卫生保洁公益性岗位"@zh ; fp:category fp:PublicWelfareJob ; fp:mentionedIn ex:a000 .
ex:p3 a fp:Program ; rdfs:label "SYB创业培训"@zh ; fp:category fp:SkillsTraining, fp:Entrepreneurship ; fp:mentionedIn ex:a000 .
ex:p4 a fp:Program ; rdfs:label "回乡自主创业"@zh ; fp:category fp:Entrepreneurship ; fp:mentionedIn ex:a000 .
ex:p5 a fp:Program ; rdfs:label "春风行动专场招聘会"@zh ; fp:category fp:JobFair, fp:LaborCooperation ; fp:mentionedIn ex:a001 .
ex:p6 a fp:Program ; rdfs:label "金溪镇扶贫车间"@zh ; fp:category fp:PovertyWorkshop ; fp:mentionedIn ex:a001 .
ex:p7 a fp:Program ; rdfs:label "返乡创办服饰公司"@zh ; fp:category fp:Entrepreneurship ; fp:mentionedIn ex:a001 .
ex:p8 a fp:Program ; rdfs:label "齿轮加工岗位培训"@zh ; fp:category fp:SkillsTraining, fp:JobReferral ; fp:mentionedIn ex:a001 .

ex:c1 a fp:Case ; fp:person ex:xql ; fp:program ex:p1 ; fp:place ex:jjb ; fp:source ex:a000 ;
  prov:wasDerivedFrom [ a fp:Evidence ; fp:sentence "当日晨，36岁的村民徐泉铃起了个大早，简单洗漱后，兴冲冲来到了离家不远的蒋家坝，开始了一天的课程。"@zh ; fp:startOffset 420 ; fp:endOffset 470 ] .
ex:c2 a fp:Case ; fp:person ex:wsl ; fp:program ex:p1 ; fp:place ex:jjb ; fp:source ex:a000 ;
  prov:wasDerivedFrom [ a fp:Evidence ; fp:sentence "坐在徐泉铃后面的王世莲同样是贫困户，丈夫得了糖尿病和骨质增生，劳力不够，也只能在附近打零工。"@zh ; fp:startOffset 800 ; fp:endOffset 850 ] .
ex:c3 a fp:Case ; fp:person ex:gmy ; fp:program ex:p2 ; fp:place ex:hp ; fp:organization ex:o1 ; fp:source ex:a000 ;
  prov:wasDerivedFrom [ a fp:Evidence ; fp:sentence "吴娟还帮助李刚伟的母亲郭满元申报了公共环境卫生保洁公益性岗位，就近就地安置"@zh ; fp:startOffset 2100 ; fp:endOffset 2140 ] .
ex:c4 a fp:Case ; fp:person ex:hjj ; fp:program ex:p3, ex:p4 ; fp:place ex:tt ; fp:organization ex:o2 ; fp:source ex:a000 ;
  fp:outcome ex:i1, ex:i2 ;
  prov:wasDerivedFrom [ a fp:Evidence ; fp:sentence "永川区临江镇天堂村贫困大学生黄家君就受益于此。"@zh ; fp:startOffset 2600 ; fp:endOffset 2625 ;
    fp:source ex:a000 ] .
ex:c5 a fp:Case ; fp:person ex:cqy ; fp:program ex:p5 ; fp:place ex:lz, ex:rz ; fp:organization ex:o3 ; fp:source ex:a001 ;
  fp:outcome ex:i3, ex:i4 ;
  prov:wasDerivedFrom [ a fp:Evidence ; fp:sentence "新乡乡梨子村村民陈清友，上有80多岁的婆婆，下有两个女儿面临升学，急需用钱"@zh ; fp:startOffset 300 ; fp:endOffset 340 ] .
ex:c6 a fp:Case ; fp:person ex:zxl ; fp:program ex:p6 ; fp:place ex:tp ; fp:organization ex:o4 ; fp:source ex:a001 ;
  fp:outcome ex:i5 ;
  prov:wasDerivedFrom [ a fp:Evidence ; fp:sentence "曾晓林开心地说，现在每月能拿4000元左右"@zh ; fp:startOffset 1200 ; fp:endOffset 1222 ] .
ex:c7 a fp:Case ; fp:person ex:ltr ; fp:program ex:p6, ex:p7 ; fp:place ex:sa ; fp:organization ex:o4 ; fp:source ex:a001 .
ex:c8 a fp:Case ; fp:person ex:rqy ; fp:program ex:p8 ; fp:place ex:cd ; fp:organization ex:o5 ; fp:source ex:a001 ;
  fp:outcome ex:i6, ex:i7 .

ex:i1 a fp:Income ; fp:amount "200000"^^xsd:decimal ; fp:period "year" ; fp:incomeKind "revenue" .
ex:i2 a fp:Income ; fp:amount "50000"^^xsd:decimal ; fp:period "year" ; fp:incomeKind "net_income" .
ex:i3 a fp:Income ; fp:amount "150"^^xsd:decimal ; fp:period "day" ; fp:incomeKind "wage" .
ex:i4 a fp:Income ; fp:amount "4000"^^xsd:decimal ; fp:period "month" .
ex:i5 a fp:Income ; fp:amount "4000"^^xsd:decimal ; fp:period "month" ; fp:approximate true ;
  prov:wasDerivedFrom [ a fp:Evidence ; fp:sentence "曾晓林开心地说，现在每月能拿4000元左右"@zh ; fp:startOffset 1200 ; fp:endOffset 1222 ] .
ex:i6 a fp:Income ; fp:amount "1000"^^xsd:decimal ; fp:period "month" ; fp:approximate true ; fp:phase "before" ;
  prov:wasDerivedFrom [ a fp:Evidence ; fp:sentence "每月打零工仅有不到1000元收入"@zh ; fp:startOffset 3000 ; fp:endOffset 3015 ] .
ex:i7 a fp:Income ; fp:amount "3000"^^xsd:decimal ; fp:period "month" ; fp:phase "after" .

ex:s1 a fp:Statistic ; fp:place ex:yc ; fp:value "4299"^^xsd:decimal ; fp:unit "人" ; fp:source ex:a000 ;
  fp:statText "具有劳动能力有就业意愿的脱贫人口4299人" .
ex:s2 a fp:Statistic ; fp:place ex:yc ; fp:category fp:PovertyWorkshop ; fp:value "5"^^xsd:decimal ; fp:unit "个" ;
  fp:source ex:a000 ; fp:statText "建成5个扶贫车间" .
ex:s3 a fp:Statistic ; fp:place ex:yc ; fp:category fp:PublicWelfareJob ; fp:value "1856"^^xsd:decimal ; fp:unit "人" ;
  fp:source ex:a000 ; fp:statText "累计安置公益性岗位1856人" .
ex:s4 a fp:Statistic ; fp:place ex:yc ; fp:value "100"^^xsd:decimal ; fp:unit "%" ; fp:source ex:a000 ; fp:statText "实现了100%就业" .
ex:s5 a fp:Statistic ; fp:place ex:jx ; fp:category fp:PovertyWorkshop ; fp:value "100"^^xsd:decimal ; fp:unit "个" ;
  fp:approximate true ; fp:source ex:a001 ; fp:statText "为当地村民提供了100多个工作岗位" .
"""

#: Nodes of the fixture per class (what load_graph must find).
FIXTURE_COUNTS = {"Article": 2, "Place": 20, "Person": 8, "Organization": 5, "Program": 8, "Case": 8,
                  "Income": 7, "Statistic": 5}


def write_fixture(directory: Path) -> Path:
    """Write the fixture graph as ``directory/kg.ttl`` and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "kg.ttl"
    path.write_text(FIXTURE_TTL, encoding="utf-8")
    return path


def synthetic_graph(n_articles: int, seed: int = 0):
    """An rdflib graph shaped like a built corpus of ``n_articles`` articles (for scale tests
    of the views): per article ~4 cases with persons, programs, organizations, incomes and
    statistics, over a shared hierarchy of 30 counties × 10 townships × 10 villages."""
    import random

    import rdflib
    from rdflib import RDF, RDFS, XSD, Literal, Namespace

    FP = Namespace("https://w3id.org/fupin-kg/ontology#")
    EX = Namespace("https://w3id.org/fupin-kg/id/")
    rnd = random.Random(seed)
    g = rdflib.Graph()
    cats = ["SkillsTraining", "PovertyWorkshop", "PublicWelfareJob", "LaborCooperation", "Entrepreneurship"]

    def add(s, cls, label=None, **props):
        g.add((s, RDF.type, FP[cls]))
        if label:
            g.add((s, RDFS.label, Literal(label, lang="zh")))
        for k, v in props.items():
            for o in v if isinstance(v, list) else [v]:
                g.add((s, FP[k], o))

    add(EX.prov, "Place", "某省", adminLevel=Literal("province"))
    villages = []
    for c in range(30):
        add(EX[f"co{c}"], "Place", f"第{c}县", adminLevel=Literal("county"), partOf=EX.prov)
        for t in range(10):
            add(EX[f"to{c}_{t}"], "Place", f"第{c}县{t}镇", adminLevel=Literal("township"), partOf=EX[f"co{c}"])
            for v in range(10):
                add(EX[f"vi{c}_{t}_{v}"], "Place", f"{c}县{t}镇{v}村", adminLevel=Literal("village"),
                    partOf=EX[f"to{c}_{t}"])
                villages.append(EX[f"vi{c}_{t}_{v}"])
    for a in range(n_articles):
        art = EX[f"a{a}"]
        add(art, "Article", fileName=Literal(f"{a:04d}_synthetic.txt"))
        org = EX[f"o{a}"]
        add(org, "Organization", f"第{a}号公司", mentionedIn=art)
        progs = []
        for p in range(2):
            progs.append(EX[f"p{a}_{p}"])
            add(progs[-1], "Program", f"项目{a}-{p}", category=FP[rnd.choice(cats)], mentionedIn=art)
        for k in range(4):
            person, case, inc = EX[f"pe{a}_{k}"], EX[f"c{a}_{k}"], EX[f"i{a}_{k}"]
            village = rnd.choice(villages)
            add(person, "Person", f"人{a}之{k}", mentionedIn=art)
            add(inc, "Income", amount=Literal(str(rnd.randrange(1000, 6000)), datatype=XSD.decimal),
                period=Literal("month"))
            add(case, "Case", person=person, program=rnd.choice(progs), place=village, organization=org,
                outcome=inc, source=art)
            g.add((village, FP.mentionedIn, art))
        st = EX[f"s{a}"]
        add(st, "Statistic", place=EX[f"co{a % 30}"], value=Literal(str(rnd.randrange(10, 500)), datatype=XSD.decimal),
            unit=Literal("人"), source=art, statText=Literal(f"培训{a}人"))
    return g
