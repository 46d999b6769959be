"""kg_orgs (after kg_places) on real fragments of the corpus (normalised) and general patterns."""

from __future__ import annotations

import pytest

from kg.nlp.doc import init_doc


def run_orgs(nlp, text: str):
    doc = nlp.make_doc(text)
    init_doc(doc)
    for name in ("sentencizer", "kg_places", "kg_orgs"):
        doc = nlp.get_pipe(name)(doc)
    return doc


def names(doc) -> set[str]:
    return set(doc._.kg_orgs)


def test_company_with_township_prefix(nlp):
    text = "多次劝导后，孙天英克服了悲观情绪，来到五间镇蕊福农食用菌种植有限公司上班。"
    doc = run_orgs(nlp, text)   # no county in sight: 五间镇 is no place, the name is still read whole
    assert names(doc) == {"五间镇蕊福农食用菌种植有限公司"}
    doc = run_orgs(nlp, "永川区五间镇景圣村塘坎上村民小组建卡贫困户孙天英就是如此。" + text)
    assert names(doc) == {"五间镇蕊福农食用菌种植有限公司"}
    org = doc._.kg_orgs["五间镇蕊福农食用菌种植有限公司"]
    assert org.kind == "company"
    assert org.place == ("重庆市", "永川区", "五间镇")
    assert org.evidence and org.evidence[0].sentence == text
    assert [sp.text for sp in doc.spans["kg_orgs"]] == ["五间镇蕊福农食用菌种植有限公司"]
    assert ("重庆市", "永川区", "五间镇") in doc._.kg_places   # a township prefix stays a place mention


def test_abbreviations_are_one_organization(nlp):
    doc = run_orgs(nlp, "近日，黔江区人社局在黔江区城南街道举行专场招聘会。"
                        "杨敏吴志杰图片由黔江区人力资源和社会保障局提供")
    assert names(doc) == {"黔江区人社局"}
    assert doc._.kg_orgs["黔江区人社局"].aliases == ["黔江区人力资源和社会保障局"]
    assert doc._.kg_orgs["黔江区人社局"].kind == "bureau"


def test_bare_level_word_takes_the_article_county(nlp):
    doc = run_orgs(nlp, "永川区加强就业技能培训力度。一是借助部门力量，会同区扶贫办等单位召开各个层级的业务培训会议。")
    org = doc._.kg_orgs["永川区扶贫办"]
    assert org.aliases == ["区扶贫办"]
    assert org.place == ("重庆市", "永川区")


def test_list_members_share_the_level_word(nlp):
    doc = run_orgs(nlp, "同时，铜梁区还组织区财政局、民政局、扶贫办相关部门召开社保扶贫工作协调会。")
    assert {"铜梁区财政局", "铜梁区民政局", "铜梁区扶贫办"} <= names(doc)
    assert doc._.kg_orgs["铜梁区民政局"].aliases == ["民政局"]


def test_place_opening_a_company_name_is_no_place_mention(nlp):
    doc = run_orgs(nlp, "向他推送了岗位信息，并推荐到凤凰湖工业园重庆隆兆机械有限公司从事机械加工。")
    assert names(doc) == {"重庆隆兆机械有限公司"}
    assert {p.name for p in doc._.kg_places.values()} == {"凤凰湖工业园"}


def test_schools_and_quoted_shop(nlp):
    doc = run_orgs(nlp, "黄家君2015年毕业于云南农业职业技术学院水产养殖专业。")
    assert names(doc) == {"云南农业职业技术学院"}
    assert not doc._.kg_places      # 云南 opens the school's name
    doc = run_orgs(nlp, "12月16日早上8时30分，濮阳县鲁河镇集上的“爱心”理发店开门纳客。")
    assert "爱心理发店" in names(doc)


def test_named_workshops_and_bases(nlp):
    doc = run_orgs(nlp, "隆冬时节，市级贫困村、铜梁区太平镇坪漆村的龙灯彩扎基地扶贫车间里却是一片热火朝天的景象。"
                        "2018年，坪漆村建起了龙灯彩扎基地。")
    assert names(doc) == {"龙灯彩扎基地扶贫车间"}
    assert doc._.kg_orgs["龙灯彩扎基地扶贫车间"].aliases == ["龙灯彩扎基地"]


def test_generic_mentions_are_not_organizations(nlp):
    text = ("在当地商会的组织下，任启勇在离家不远的工业园区找到了工作。他在浙江一家电子厂打工已有10多年。"
            "铜梁区加快推进扶贫车间建设。动员各培训机构采取线上培训方式。这个就业帮扶车间是长乐村里建起来的。"
            "建立专家服务基地和服务团队。感谢政府有这样的政策。在滩区迁建安置点设立培训学校。"
            "从理发店走到学校，再从学校走回理发店。")
    assert names(doc := run_orgs(nlp, text)) == set(), names(doc)


def test_formula_of_higher_authorities_is_skipped(nlp):
    doc = run_orgs(nlp, "铜梁区人社部门深入贯彻落实党中央、国务院和市委、市政府关于脱贫攻坚的决策部署。")
    assert names(doc) == set()


def test_government_and_committee(nlp):
    doc = run_orgs(nlp, "每天上午，铜梁区侣俸镇文曲村建卡贫困户张均会准时来到侣俸镇政府机关开始清扫楼道。"
                        "统筹推进精准对接铜梁区委、区政府高度重视。区委主要领导亲自谋划。区人力社保局、高新区管委会等与区内重点企业建立机制。")
    assert {"侣俸镇政府", "铜梁区委", "铜梁区政府", "高新区管委会", "铜梁区人力社保局"} <= names(doc)
    assert "区委" in doc._.kg_orgs["铜梁区委"].aliases


def test_province_level_word(nlp):
    doc = run_orgs(nlp, "南乐县杨村乡吴村村民。清丰县高堡乡范村。八九月份省人社厅通报全省就业、培训扶贫完成情况。")
    assert doc._.kg_orgs["河南省人社厅"].aliases == ["省人社厅"]


def test_other_provinces(nlp):
    doc = run_orgs(nlp, "陇西县首阳镇南门村的李建国，加入了陇西县惠民中药材种植专业合作社。"
                        "据甘肃省定西市安定区人力资源和社会保障局介绍。")
    assert names(doc) == {"陇西县惠民中药材种植专业合作社", "安定区人力资源和社会保障局"}
    assert doc._.kg_orgs["陇西县惠民中药材种植专业合作社"].kind == "cooperative"


@pytest.mark.xfail(reason="a workshop named by its product (花椒产业扶贫车间) is taken for a generic one", strict=True)
def test_workshop_named_by_product(nlp):
    doc = run_orgs(nlp, "永新镇创建花椒产业扶贫车间，从私人单打独斗到依托集体抱团经营。")
    assert "花椒产业扶贫车间" in names(doc)


@pytest.mark.xfail(reason="a bare 省 institution in an article about a municipality (重庆) keeps no province, "
                          "though the sentence names 山东", strict=True)
def test_bare_province_institution_in_municipality_article(nlp):
    doc = run_orgs(nlp, "山东高层次专家助力重庆黔江乡村振兴。来自山东农业大学、山东中医药大学、省科学院等单位的专家。")
    assert doc._.kg_orgs["省科学院"].place == ("山东省",)


def test_short_reference_to_a_named_workshop(nlp):
    doc = run_orgs(nlp, "铜梁区太平镇坪漆村的龙灯彩扎基地扶贫车间里一片热火朝天。"
                        "建在家门口的彩扎基地让他看到了新的希望。")
    org = doc._.kg_orgs["龙灯彩扎基地扶贫车间"]
    assert "彩扎基地" in org.aliases
    assert org.place == ("重庆市", "铜梁区", "太平镇", "坪漆村")
    refs = [sp.text for sp in doc.spans["kg_orgs"] if sp._.kg_ref == org.name]
    assert len(refs) == 2 and len(org.evidence) == 2


def test_names_from_other_provinces_and_zones(nlp):
    doc = run_orgs(nlp, "花垣县人社局组织技能培训。在双龙镇的湘西金草苗绣有限公司车间里，绣娘正在赶制订单。"
                        "长沙市某物流园区、株洲高新区的企业也提供了岗位。")
    assert {"花垣县人社局", "湘西金草苗绣有限公司"} <= names(doc)
    paths = set(doc._.kg_places)
    assert ("湖南省", "株洲市", "高新区") in paths
    assert not any("物流园区" in p[-1] for p in paths)


def test_organizations_on_dev_gold(dev_gold_f1):
    """1.0 when written; the issue's gate is 0.75."""
    assert dev_gold_f1("organizations", "org_match") >= 0.95


def test_references_back_to_a_named_organization(nlp):
    doc = run_orgs(nlp, "濮阳县鲁河镇集上的“爱心”理发店开门纳客。转机发生在5年前，当年即在镇上开了这间理发店。")
    refs = [sp.text for sp in doc.spans["kg_orgs"] if sp._.kg_ref == "爱心理发店"]
    assert refs == ["“爱心”理发店", "这间理发店"]
    doc = run_orgs(nlp, "黔江区人社局聚焦志智双扶。陈淑香说，我主动报名参加了区人社部门组织的培训。")
    refs = [sp.text for sp in doc.spans["kg_orgs"] if sp._.kg_ref == "黔江区人社局"]
    assert refs == ["黔江区人社局", "区人社部门"]
    assert len(doc._.kg_orgs["黔江区人社局"].evidence) == 2
    # a department word with no bureau named before it is no organization
    assert not names(run_orgs(nlp, "去年底，肖仁安又参加了城口县人社部门组织的中级焊工培训。"))


def test_unknown_township_in_a_bureau_name(nlp):
    doc = run_orgs(nlp, "五间镇社保所摸排到这一情况后，该所多次与企业负责人沟通。")
    assert names(doc) == {"五间镇社保所"}
    assert [sp.text for sp in doc.spans["kg_orgs"]][-1] == "该所"


def test_general_patterns_from_other_provinces(nlp):
    """Shapes met in other provinces' reports (not from the corpus)."""
    doc = run_orgs(nlp, "贵阳学院、贵州民族大学的学者到贵州省毕节市调研。")
    assert names(doc) == {"贵阳学院", "贵州民族大学"}
    assert ("贵州省", "贵阳市") not in doc._.kg_places      # 贵阳 only names the college
    # 市 in a county-level city's report is that city
    doc = run_orgs(nlp, "红网涟源市分站讯，8月23日，市人社局相关负责同志深入杨市镇指导就业扶贫车间工作。")
    assert names(doc) == {"涟源市人社局"}
    doc = run_orgs(nlp, "新宁县人社局一行到巡田乡验收就业扶贫车间，了解巡田乡境内就业扶贫车间的建设情况。"
                        "验收人员来到新宁县齐兴菸农专业合作社。")
    assert names(doc) == {"新宁县人社局", "新宁县齐兴菸农专业合作社"}


def test_a_name_inside_a_longer_phrase(nlp):
    """Shapes met in other provinces' reports (not from the corpus)."""
    doc = run_orgs(nlp, "5月中旬，平舆县李屯镇，河南鑫芳生态农业发展有限公司种植基地的西红柿成熟。"
                        "在成都、重庆开办商贸公司的王刚强回乡，农投公司统一采购农资。")
    assert names(doc) == {"河南鑫芳生态农业发展有限公司"}


def test_county_bureaus_and_generic_bases(nlp):
    doc = run_orgs(nlp, "于都县今年共举办招聘会45场。他从广东返乡，参加了县就业局组织的缝纫工培训。"
                        "返乡青年谢文斌在梓山镇办起了蔬菜种植基地。渭源县劳务工作站组织输转。")
    assert names(doc) == {"于都县就业局", "渭源县劳务工作站"}


@pytest.mark.parametrize(("text", "expected"), [
    ("中国兰州网3月10日消息 每个人心中都有一个共同的愿望。", {"中国兰州网"}),
    ("2019-02-21 11:16:28\n来源:贵州日报\n编辑:孔令娟", {"贵州日报"}),
    ("工人正在生产鞋子。南方日报见习记者许舒智摄", {"南方日报"}),
    ("新华社贵阳3月22日电题:微工厂办在家门口", {"新华社"}),
    ("他通过互联网销售茶叶,在电商网上开了店。", set()),
])
def test_news_outlets(nlp, text, expected):
    """A medium's name (XX日报, XX网 cited as a source, 新华社); a place opening it is no mention."""
    doc = run_orgs(nlp, text)
    assert names(doc) == expected
    assert not any(p.name in ("中国", "贵州") for p in doc._.kg_places.values())


def test_universities_and_banks(nlp):
    doc = run_orgs(nlp, "2013年从广西玉林师范大学毕业后,杜赢带着女朋友回乡创业。2014年8月,仰恩大学毕业两年后,"
                        "艾美玲回到福鼎市。杜赢获得福鼎市人社局和市农业银行两笔共20万元创业基金。")
    assert names(doc) == {"玉林师范大学", "仰恩大学", "福鼎市人社局", "福鼎市农业银行"}
    assert "市农业银行" in doc._.kg_orgs["福鼎市农业银行"].aliases
    assert {p.name for p in doc._.kg_places.values()} == {"广西", "福鼎市"}   # 玉林 only names the school


def test_company_name_read_through_nouns_and_adverbs(nlp):
    doc = run_orgs(nlp, "每月还有400元就业援助。\n阿里巴巴大数据标注公司位于微工厂产业园一楼右侧。")
    assert "阿里巴巴大数据标注公司" in names(doc)      # 数据: 据 is no boundary inside a noun
    doc = run_orgs(nlp, "骑自行车来到位于市区的粤滇产业园昭通立时技术有限公司生产车间。")
    assert "昭通立时技术有限公司" in names(doc)        # 立时 after a place is the company's name


@pytest.mark.parametrize("text", [
    "楼下镇的杨永贵说,一过完年,他就赶忙联系工厂,“再干一两年。",
    "实施龙头企业、农业合作社、光伏扶贫、扶贫车间、致富带头人等模式。",
    "梓文励志奖学金助力暨大学子逐梦世界",
    # 跟 (with) opens no name: 线上跟|工厂
    "刚刚来到广东佛山务工的凉山彝族小伙在生产线上跟工厂技术人员学习机器操作。",
])
def test_fragments_are_no_organizations(nlp, text):
    assert names(run_orgs(nlp, text)) == set()


def test_workshop_of_an_unnamed_site_is_generic(nlp):
    doc = run_orgs(nlp, "心中都有一个愿望。\n昭通市盐津县水田新区异地扶贫搬迁安置点扶贫车间,工人正在生产鞋子。")
    assert names(doc) == set()
    assert "水田新区" in {p.name for p in doc._.kg_places.values()}


def test_country_government_is_no_record(nlp):
    doc = run_orgs(nlp, "印度政府今天宣布，县政府也表示支持。")
    assert not any(n.endswith("印度政府") for n in names(doc))
    assert "印度" in {p.name for p in doc._.kg_places.values()}


def test_country_opening_an_organization_name_is_no_place(nlp):
    doc = nlp("中国农科院的专家说。")   # the model proposes the organization whole
    assert "中国农科院" in names(doc)
    assert "中国" not in {p.name for p in doc._.kg_places.values()}


def test_offices_named_by_an_abbreviation_after_their_place(nlp):
    doc = run_orgs(nlp, "霍山县单龙寺镇依托此次招聘会契机，镇扶贫办和镇人社所对照前期摸排的有务工意愿人员逐人逐户通知。")
    assert {"单龙寺镇扶贫办", "单龙寺镇人社所"} <= names(doc)
    assert doc._.kg_orgs["单龙寺镇人社所"].kind == "bureau"
    doc = nlp("记者近日从凉山州农劳办获悉，今年春节期间有约30万彝族群众坚持在外务工。")   # the model finds 凉山州
    assert "凉山州农劳办" in names(doc)


@pytest.mark.parametrize("text", [
    "东乡族自治县以县城为中心，向四周延伸出6条大梁。",        # 为中心: a preposition, no office
    "浑浑噩噩的日子过了好些年，五间镇社保所所长吴娟上门了。",     # 所长: a title after the office
    "该县举办了招聘会，场所设在县城中心。",                      # 举办, 场所: words of their own
])
def test_generic_endings_that_are_no_office(nlp, text):
    assert not any(n.endswith(("为中心", "所所", "举办", "场所", "城中心")) for n in names(run_orgs(nlp, text)))


def test_name_in_apposition_to_a_generic_workshop(nlp):
    doc = run_orgs(nlp, "黄军华所说的村里就业，指的是就业扶贫车间凯美制衣厂。")
    assert "凯美制衣厂" in names(doc) and not any(n.startswith("车间") for n in names(doc))


@pytest.mark.parametrize("text", [
    "2017年，村民吴亦军从浙江务工回来，计划建设服装加工厂。",     # what the business does, no name
    "2018年，以草场牛羊入股合作社，拉毛吉和女儿搬到了文化村。",   # 入股: a verb whose object is the cooperative
    "她告诉我们，她来到离家较近的衣服加工就业扶贫车间，每个月可以拿到2000多元工资。",   # what the workshop does
])
def test_a_kind_of_business_is_no_name(nlp, text):
    assert not any(n.endswith(("加工厂", "厂", "合作社", "车间")) for n in names(nlp(text)))


def test_short_names_of_farms_and_one_word_companies_after_a_place(nlp):
    assert "日月农场" in names(run_orgs(nlp, "最终，他选择了日月农场，年薪3.6万元。"))
    assert "家庭农场" not in names(run_orgs(nlp, "他办起了家庭农场。"))       # a kind of farm, no name
    assert "河北实达公司" in names(nlp("结业后被推荐到河北实达公司就业。"))     # 实达 is no verb here
