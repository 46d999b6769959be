"""kg_stats on real corpus paragraphs: which figures are headline statistics, their place and category."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import KGError
from kg.nlp.doc import init_doc
from kg.nlp.statistics import StatRules
from kg.records import Place

CQ = "重庆市"


def run(nlp, text, places=(), persons=()):
    """Run kg_outcomes and kg_stats over ``text`` with the given upstream mentions:
    places as (surface, path, level) (every occurrence), persons as names."""
    doc = nlp.make_doc(text)
    init_doc(doc)
    nlp.get_pipe("sentencizer")(doc)
    spans = []
    for surface, path, level in places:
        doc._.kg_places[path] = Place(name=surface, level=level, path=path)
        for m in re.finditer(re.escape(surface), text):
            sp = doc.char_span(m.start(), m.end(), alignment_mode="expand")
            sp._.kg_ref = path
            spans.append(sp)
    doc.spans["kg_places"] = sorted(spans, key=lambda s: s.start_char)
    pspans = []
    for name in persons:
        for m in re.finditer(re.escape(name), text):
            sp = doc.char_span(m.start(), m.end(), alignment_mode="expand")
            sp._.kg_ref = name
            pspans.append(sp)
    doc.spans["kg_persons"] = pspans
    doc = nlp.get_pipe("kg_outcomes")(doc)
    return nlp.get_pipe("kg_stats")(doc)


def figures(doc):
    return [(s.value, s.unit) for s in doc._.kg_stats]


YONGCHUAN = ("永川区", (CQ, "永川区"), "county")


def test_headline_paragraph(nlp):
    text = ("截至目前，永川区具有劳动能力有就业意愿的脱贫人口4299人，实现了100%就业，建成5个扶贫车间吸纳50人就业，"
            "累计安置公益性岗位1856人，兑现各类就业帮扶资金5073.37万元，受益贫困群体3645人，"
            "基本实现了“一人就业，全家脱贫”的目标。")
    doc = run(nlp, text, places=[YONGCHUAN])
    assert figures(doc) == [(4299, "人"), (100, "%"), (5, "个"), (50, "人"), (1856, "人"), (50733700, "元"),
                            (3645, "人")]
    assert {s.place for s in doc._.kg_stats} == {(CQ, "永川区")}
    cats = {s.value: s.category for s in doc._.kg_stats}
    assert cats[5] == cats[50] == "PovertyWorkshop"
    assert cats[1856] == "PublicWelfareJob"
    assert cats[50733700] == "Subsidy"
    s = doc._.kg_stats[2]
    assert s.text == "建成5个扶贫车间吸纳50人就业"
    assert doc.spans["kg_stats"][2].text == "5个" and doc.spans["kg_stats"][2]._.kg_ref == 2


def test_city_words_resolve_to_the_articles_city(nlp):
    text = ("铜梁区石鱼镇长乐村就业帮扶车间里一片忙碌。\n酉阳县龙潭镇丹泉村村民在山东省东营市找了份工作。\n"
            "目前，我市共建成就业帮扶车间473个，吸纳就业9986人，其中脱贫人口4121人。")
    doc = run(nlp, text, places=[("铜梁区", (CQ, "铜梁区"), "county"), ("酉阳县", (CQ, "酉阳县"), "county"),
                                 ("东营市", ("山东省", "东营市"), "prefecture")])
    assert figures(doc) == [(473, "个"), (9986, "人"), (4121, "人")]
    assert {s.place for s in doc._.kg_stats} == {(CQ,)}
    assert {s.category for s in doc._.kg_stats} == {"PovertyWorkshop"}


def test_village_figures_belong_to_the_village(nlp):
    text = "石角镇千秋村的扶贫车间在政府帮扶下，年销售高山大米5万公斤、手工菜籽油10万公斤；"
    doc = run(nlp, text, places=[("石角镇", (CQ, "綦江区", "石角镇"), "township"),
                                 ("千秋村", (CQ, "綦江区", "石角镇", "千秋村"), "village")])
    assert figures(doc) == [(50000, "公斤"), (100000, "公斤")]
    assert doc._.kg_stats[0].place == (CQ, "綦江区", "石角镇", "千秋村")


def test_the_current_region_carries_over(nlp):
    text = ("一组数据诠释着“稳”的良好态势。截至今年底，綦江区实现新增就业人数13917人，完成132.5%；"
            "开展补贴性职业技能培训1.5万人；累计完成扶贫车间建设29个，财政投入资金360万元。")
    doc = run(nlp, text, places=[("綦江区", (CQ, "綦江区"), "county")])
    assert figures(doc) == [(13917, "人"), (132.5, "%"), (15000, "人"), (29, "个"), (3600000, "元")]
    assert {s.place for s in doc._.kg_stats} == {(CQ, "綦江区")}
    assert doc._.kg_stats[2].category == "SkillsTraining"


def test_story_sentences_give_no_statistics(nlp):
    text = "曾晓林，家住金溪镇桃坪村5组，家有6口人，3个学生，一个老人，家里十分困难。现在每月能拿4000元左右。"
    doc = run(nlp, text, persons=["曾晓林"])
    assert doc._.kg_stats == []


def test_generalising_from_a_story_is_a_statistic(nlp):
    text = "像张均这样在公益性岗位就业的建卡贫困户，在铜梁还有400余名。"
    doc = run(nlp, text, places=[("铜梁", (CQ, "铜梁区"), "county")], persons=["张均"])
    assert figures(doc) == [(400, "名")]
    assert doc._.kg_stats[0].approximate and doc._.kg_stats[0].category == "PublicWelfareJob"


def test_comparisons_and_parentheses_are_not_statistics(nlp):
    text = "今年以来，铜梁区贫困人员实现就业5632人，为去年贫困人员就业人数（5311人）的106.04%；"
    doc = run(nlp, text, places=[("铜梁区", (CQ, "铜梁区"), "county")])
    assert figures(doc) == [(5632, "人")]


def test_restated_figure_is_one_statistic_but_two_in_one_sentence_are_two(nlp):
    text = ("黔江区人社局已成功指导金溪等乡镇创建了19个扶贫车间，惠及了389名贫困群众。\n"
            "据悉，目前黔江有389人通过扶贫车间实现就近就业。\n"
            "2019年，全市贫困劳动力转移就业总量93890人、培训总量93890人。")
    doc = run(nlp, text, places=[("黔江区", (CQ, "黔江区"), "county"), ("黔江", (CQ, "黔江区"), "county")])
    assert figures(doc).count((389, "名")) + figures(doc).count((389, "人")) == 1
    both = [s for s in doc._.kg_stats if s.value == 93890]
    assert [s.category for s in both] == ["LaborCooperation", "SkillsTraining"]


def test_plans_are_not_statistics(nlp):
    text = "“我们计划到2025年，全市脱贫人口就业形势总体平稳，规模保持在76万人以上。"
    assert run(nlp, text)._.kg_stats == []


def test_counts_of_covered_places(nlp):
    text = "4个国家乡村振兴重点帮扶县和8个市级重点帮扶区县脱贫人口就业规模全部超过去年。"
    assert run(nlp, text)._.kg_stats == []
    text = "组织全区28个镇街通过入户走访等方式，全面摸排全区333个村（社区）务工人员信息，累计收集掌握务工人员信息11.2万条。"
    assert figures(run(nlp, text)) == [(112000, "条")]


@pytest.mark.xfail(reason="a count of experts who came to help is read as a headline figure of the region "
                          "(no cue tells a visit from a result)", strict=True)
def test_visitors_are_not_results(nlp):
    text = ("活动中，来自山东农业大学、山东中医药大学等单位的15名高层次专家通过实地调研走访、座谈、专题讲座等形式"
            "为黔江区企事业单位“把脉问诊”。")
    assert run(nlp, text, places=[("黔江区", (CQ, "黔江区"), "county")])._.kg_stats == []


def test_rules_file_errors_name_the_line(tmp_path):
    f = tmp_path / "rules.tsv"
    f.write_text("kind\twords\nunits\t人\n", encoding="utf-8")
    with pytest.raises(KGError, match=r"rules\.tsv:2"):
        StatRules.from_file(f)


@pytest.mark.slow
def test_statistics_against_the_dev_gold(nlp, shared_dir, corpus_dir):
    """Whole articles through the whole pipeline: the scorer's stat_match (value within
    0.5 %, same place where one is given) reaches F1 >= 0.5 on the dev gold."""
    import importlib.util

    from kg.normalize import normalize

    spec = importlib.util.spec_from_file_location("score", shared_dir / "eval" / "score.py")
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    tp = npred = ngold = 0
    for gf in sorted((shared_dir / "gold").glob("*.json")):
        gold = json.loads(gf.read_text(encoding="utf-8"))
        raw = (corpus_dir / gold["doc"]).read_text(encoding="utf-8")
        doc = nlp(normalize(raw).text)
        pred = [(s.place[-1] if s.place else "", s.value) for s in doc._.kg_stats]
        tp += score.match_count(pred, gold["stats"], score.stat_match)
        npred += len(pred)
        ngold += len(gold["stats"])
    p, r = tp / npred, tp / ngold
    assert 2 * p * r / (p + r) >= 0.5


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list("0123456789.%万亿元人名个家场期多余约近，。；：“”（）\n 全市我区该村镇培训扶贫车间公益性岗位他她")),
               max_size=80))
def test_components_never_raise_on_odd_text(nlp, text):
    doc = run(nlp, text)
    doc = nlp.get_pipe("kg_programs")(doc)
    for s in doc._.kg_stats:
        assert s.evidence is not None and s.evidence.sentence in text
    for sp in doc.spans["kg_programs"]:
        assert sp._.kg_ref in doc._.kg_programs


def test_households_and_land_are_headline_units(nlp):
    text = ("据黑龙江省扶贫办统计,全省累计建设特色农业产业扶贫项目2570个,覆盖贫困户48.8万户次,"
            "带动13.6万户贫困户实现稳定脱贫。")
    doc = run(nlp, text, places=[("黑龙江省", ("黑龙江省",), "province")])
    got = {s.value for s in doc._.kg_stats}     # 户次 is read as 户 by kg.nlp.money
    assert {2570, 488000, 136000} <= got
    assert all(s.place == ("黑龙江省",) for s in doc._.kg_stats)
    doc = run(nlp, "波密县的茶园项目共流转农牧民土地1220亩,主要生产乌龙茶、白茶等。",
              places=[("波密县", ("西藏自治区", "林芝市", "波密县"), "county")])
    assert {(s.value, s.unit) for s in doc._.kg_stats} == {(1220, "亩")}


def _headline_stats(nlp, text: str) -> list:
    """(value, place) of the statistics of a text whose first line is its headline."""
    doc = nlp.make_doc(text)
    init_doc(doc)
    doc._.kg_blocks = [(0, text.index("\n"), "headline"), (text.index("\n"), len(text), "body")]
    places = [("普安", ("贵州省", "普安县"), "county"), ("宁波", ("浙江省", "宁波市"), "prefecture")]
    doc = run_with_blocks(nlp, doc, places)
    return [(s.value, s.place) for s in doc._.kg_stats]


def test_headline_figure_counts(nlp):
    """A headline's aggregate figure (普安105名贫困人员赴宁波上班) is a statistic of its subject."""
    text = "东部帮扶“暖风”吹:普安105名贫困人员赴宁波上班\n2月17日清晨,大客车从普安县城出发。"
    assert _headline_stats(nlp, text) == [(105, ("贵州省", "普安县"))]


def run_with_blocks(nlp, doc, places):
    """Like :func:`run`, on a Doc whose blocks are set already."""
    nlp.get_pipe("sentencizer")(doc)
    spans = []
    for surface, path, level in places:
        doc._.kg_places[path] = Place(name=surface, level=level, path=path)
        for m in re.finditer(re.escape(surface), doc.text):
            sp = doc.char_span(m.start(), m.end(), alignment_mode="expand")
            sp._.kg_ref = path
            spans.append(sp)
    doc.spans["kg_places"] = sorted(spans, key=lambda s: s.start_char)
    doc.spans["kg_persons"] = []
    doc = nlp.get_pipe("kg_outcomes")(doc)
    return nlp.get_pipe("kg_stats")(doc)


LANXIAN = ("岚县", ("山西省", "吕梁市", "岚县"), "county")


def test_counted_places_after_a_coverage_verb_are_the_programs_reach(nlp):
    text = "岚县共有102个扶贫攻坚造林专业合作社,覆盖12个乡镇121个村,涉及1751户贫困户、5155名贫困人口。"
    doc = run(nlp, text, places=[LANXIAN])
    assert figures(doc) == [(102, "个"), (12, "个"), (121, "个"), (1751, "户"), (5155, "名")]
    assert {s.place for s in doc._.kg_stats} == {LANXIAN[1]}


def test_an_official_speaking_for_the_region_is_no_story(nlp):
    text = ("岚县林业局局长王志平说,近年来,县里的林业建设工程全部交给了合作社组织实施,"
            "贫困户每年增收达到近万元。")
    doc = run(nlp, text, places=[LANXIAN], persons=["王志平"])
    assert [(s.value, s.unit, s.approximate) for s in doc._.kg_stats] == [(10000, "元", True)]
    # a speaker without a title tells his own story
    assert run(nlp, "王志平说,近年来,贫困户每年增收达到近万元。", places=[LANXIAN],
               persons=["王志平"])._.kg_stats == []


def test_quoted_speech_of_a_company_gives_no_statistics(nlp):
    text = "“公司有126名工人,目前已到岗98人。”廖景伟说,新招聘的工人培训合格后即可上岗。"
    assert run(nlp, text, places=[LANXIAN], persons=["廖景伟"])._.kg_stats == []
    text = "我市组织参加全国乡村振兴技能大赛。“我们共有432名选手参加决赛,以此带动更多青年劳动力技能成才。"
    assert figures(run(nlp, text)) == [(432, "名")]


def test_an_enterprises_figures_in_a_persons_story(nlp):
    text = ("2017年,蒋坊村村民吴亦军从浙江务工回来,计划建设服装加工厂,在圭峰镇党委、政府的引导下,"
            "吴亦军将服装加工厂建在了蒋坊村坝头组,总投资200万元,占地面积550平方米的主厂房顺利投入使用,"
            "是圭峰镇具有代表性的就业扶贫车间,目前为当地群众提供就业岗位60余个,安置8名精准扶贫对象在“家门口”就业。")
    county = ("江西省", "上饶市", "弋阳县")
    village = (*county, "圭峰镇", "蒋坊村")
    places = [("浙江", ("浙江省",), "province"), ("圭峰镇", (*county, "圭峰镇"), "township"),
              ("蒋坊村", village, "village"), ("坝头组", (*village, "坝头组"), "group")]
    doc = run(nlp, text, places=places, persons=["吴亦军"])
    assert figures(doc) == [(2000000, "元"), (60, "个"), (8, "名")]
    assert {s.place for s in doc._.kg_stats} == {village}


def test_a_persons_own_account_of_an_enterprise_is_no_statistic(nlp):
    text = ("刘廷荣说，2019年1月，为支持家乡的脱贫工作，帮助金溪镇贫困群众就近就业，重庆卫之服饰有限公司应运而生，"
            "为当地村民提供了100多个工作岗位。")
    assert run(nlp, text, persons=["刘廷荣"])._.kg_stats == []
    text = ("他低价将鱼苗销售给周边的养殖户，积极帮助其他养殖户养殖白甲乌鳢和四大家鱼，并给予免费技术指导，"
            "引导周边10余户农民发展水产养殖，带动农村劳动力就业20余人。")
    assert run(nlp, text)._.kg_stats == []


def test_counts_of_people_in_wan_without_a_unit_word(nlp):
    doc = run(nlp, "广东帮助云南二十二万贫困劳动力端稳“饭碗”", places=[("云南", ("云南省",), "province")])
    assert figures(doc) == [(220000, "人")]
    doc = run(nlp, "记者近日从凉山州农劳办获悉,今年春节期间有约30万彝族群众坚持在外务工。",
              places=[("凉山州", ("四川省", "凉山彝族自治州"), "prefecture")])
    assert [(s.value, s.approximate) for s in doc._.kg_stats] == [(300000, True)]


def test_rates_ranks_and_landforms_are_not_statistics(nlp):
    assert run(nlp, "到了目的地,“采棉小队”早出晚归,每天每人平均能采七八十公斤。")._.kg_stats == []
    assert run(nlp, "目前东乡还是全国尚未脱贫摘帽的52个国家级贫困县之一。")._.kg_stats == []
    assert run(nlp, "这里以锁南镇为中心,向四周延伸出6条大梁,夹着6条大沟。")._.kg_stats == []


def test_a_body_figure_without_a_place_restates_the_headline(nlp):
    text = "东部帮扶“暖风”吹:普安105名贫困人员赴宁波上班\n清晨8点,105人全部到齐,两辆大客车准时出发。"
    assert _headline_stats(nlp, text) == [(105, ("贵州省", "普安县"))]


def test_a_township_cadre_tells_the_local_story(nlp):
    text = "据化处镇党委书记匡顺介绍，全镇已建成扶贫车间25个，带动周边68余名群众在家门口就业，其中建卡贫困户21人。"
    places = [("化处镇", ("贵州省", "安顺市", "普定县", "化处镇"), "township")]
    assert run(nlp, text, places=places, persons=["匡顺"])._.kg_stats == []


def test_a_person_introduced_as_one_of_many_leaves_the_figure_a_statistic(nlp):
    text = "目前，隆德县已有800余名村民通过在家制作人造花实现灵活就业，家住隆德县城关镇红崖社区的魏巧宁便是其中之一。"
    doc = run(nlp, text, places=[("隆德县", ("宁夏回族自治区", "固原市", "隆德县"), "county")], persons=["魏巧宁"])
    assert figures(doc) == [(800, "名")]


def test_people_counted_in_wan_with_a_modifier_and_spending_on_a_program(nlp):
    doc = run(nlp, "陕西：超80万易地搬迁贫困群众生活改善走上富裕新路。", places=[("陕西", ("陕西省",), "province")])
    assert figures(doc) == [(800_000, "人")] and doc._.kg_stats[0].approximate
    doc = run(nlp, "近3年来，该县用于贫困户、脱贫户技能培训的费用达1250多万元。")
    assert figures(doc) == [(12_500_000, "元")] and doc._.kg_stats[0].category == "SkillsTraining"
    doc = run(nlp, "陕西省投入资金80万元用于群众搬迁。", places=[("陕西省", ("陕西省",), "province")])
    assert figures(doc) == [(800_000, "元")]     # money, not people


def test_a_periodicals_issue_line_is_no_statistic(nlp):
    assert figures(run(nlp, "32今日农业2017年12期关键词：扶贫车间 人造花")) == []
    # sessions of a training course in a year are
    assert figures(run(nlp, "全县2019年3期电焊培训班共培训贫困劳动力120人。")) == [(3, "期"), (120, "人")]
