"""kg_cases on real fragments of the corpus.

The unit tests run kg_persons + kg_cases on Docs whose places, programs and incomes the test marks
itself (so they test the story tracking, not the other components); the slow test runs the whole
pipeline over the corpus and checks the cases against the dev gold."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from kg.nlp.doc import init_doc
from kg.records import Income, Organization, Place, Program


def build(nlp, text: str, places=(), programs=(), incomes=(), blocks=None, orgs=(), ner=False):
    """Run sentencizer, kg_persons and kg_cases on ``text``.

    places: (substring, path, level); programs: (substring, key, categories);
    incomes: (substring, amount, period); orgs: (substring, kind). Each substring's first occurrence is marked
    (``substring@n`` marks the n-th). ``ner``: run kg_ner too (names only the trained model proposes)."""
    doc = nlp.make_doc(text)
    init_doc(doc)
    if blocks is not None:
        doc._.kg_blocks = blocks
    doc = nlp.get_pipe("sentencizer")(doc)
    if ner:
        doc = nlp.get_pipe("kg_ner")(doc)

    def span(sub):
        sub, _, nth = sub.partition("@")
        i = -1
        for _ in range(int(nth or 1)):
            i = text.index(sub, i + 1)
        return doc.char_span(i, i + len(sub), alignment_mode="expand")

    pl, pr, inc = [], [], []
    for sub, path, level in places:
        sp = span(sub)
        sp._.kg_ref = path
        doc._.kg_places[path] = Place(name=path[-1], level=level, path=path)
        pl.append(sp)
    for sub, key, cats in programs:
        sp = span(sub)
        sp._.kg_ref = key
        doc._.kg_programs.setdefault(key, Program(key=key, name=key, categories=list(cats)))
        pr.append(sp)
    for sub, amount, period in incomes:
        sp = span(sub)
        sp._.kg_ref = len(doc._.kg_incomes)
        doc._.kg_incomes.append(Income(amount=amount, period=period, text=sub.partition("@")[0]))
        inc.append(sp)
    og = []
    for sub, kind in orgs:
        sp = span(sub)
        name = sub.partition("@")[0]
        sp._.kg_ref = name
        doc._.kg_orgs.setdefault(name, Organization(name=name, kind=kind))
        og.append(sp)
    doc.spans["kg_orgs"] = sorted(og, key=lambda s: s.start_char)
    doc.spans["kg_places"] = sorted(pl, key=lambda s: s.start_char)
    doc.spans["kg_programs"] = pr
    doc.spans["kg_incomes"] = inc
    doc = nlp.get_pipe("kg_persons")(doc)
    return nlp.get_pipe("kg_cases")(doc)


def cases(doc) -> dict:
    return {c.person: c for c in doc._.kg_cases}


SUN = ("永川区五间镇景圣村塘坎上村民小组建卡贫困户孙天英就是如此。\n"
       "浑浑噩噩的日子过了好些年，五间镇社保所所长吴娟和村社保员上门了。\n"
       "孙天英的生活仿佛被照进了一道阳光。多次劝导后，孙天英克服了悲观情绪，来到五间镇蕊福农食用菌种植有限公司上班。"
       "“吴所长经常到车间关心我们的工作情况，要我多看多学。”她说，在吴娟的鼓励下，自己主动参加了岗位培训，掌握了食用菌生产技术。")
SUN_PLACES = [("永川区", ("重庆市", "永川区"), "county"), ("五间镇", ("重庆市", "永川区", "五间镇"), "township"),
              ("景圣村", ("重庆市", "永川区", "五间镇", "景圣村"), "village"),
              ("塘坎上村民小组", ("重庆市", "永川区", "五间镇", "景圣村", "塘坎上村民小组"), "group")]


def test_story_over_sentences_and_official_is_not_a_case(nlp):
    doc = build(nlp, SUN, places=SUN_PLACES, programs=[("岗位培训", "岗位培训", ["SkillsTraining"])])
    cs = cases(doc)
    assert set(cs) == {"孙天英"}                       # 吴娟 the 所长 only organises
    c = cs["孙天英"]
    assert c.programs == ["岗位培训"]
    assert c.places == [("重庆市", "永川区", "五间镇", "景圣村", "塘坎上村民小组")]
    assert any("岗位培训" in e.sentence for e in c.evidence)


HUANG = ("永川区临江镇天堂村贫困大学生黄家君就受益于此。\n"
         "“我大学毕业后，一时没有找到理想的工作，于是便回到家里。”黄家君说，同时自己还参加了永川区就业和人才中心组织的SYB创业培训，学习创业知识。\n"
         "2016年，黄家君从外地购进白甲乌鳢鱼苗2万尾，开始留在家里自主创业。经过一年的精心养殖，黄家君的白甲乌鳢终于养成商品鱼，当年销售成鱼1万余斤，实现收入20万元，净赚5万元。\n"
         "2019年，为尽快脱贫致富，黄家君决定扩大养殖规模。他流转了周边农户土地共计60余亩发展养殖，申请创业贷款15万元作为流动资金。"
         "今年销售鱼苗已实现年收入25万元，纯利润10万元。")


def test_incomes_follow_the_story_and_loans_are_not_income(nlp):
    doc = build(nlp, HUANG,
                places=[("天堂村", ("重庆市", "永川区", "临江镇", "天堂村"), "village")],
                programs=[("SYB创业培训", "SYB创业培训", ["SkillsTraining", "Entrepreneurship"]),
                          ("自主创业", "自主创业", ["Entrepreneurship"])],
                incomes=[("20万元", 200000, "year"), ("5万元", 50000, "year"), ("15万元", 150000, "total"),
                         ("25万元", 250000, "year"), ("10万元", 100000, "year")])
    c = cases(doc)["黄家君"]
    assert sorted(i.amount for i in c.incomes) == [50000, 100000, 200000, 250000]
    assert c.programs == ["SYB创业培训", "自主创业"]
    assert c.role == "entrepreneur"
    assert c.places == [("重庆市", "永川区", "临江镇", "天堂村")]


JIA = ("12月18日，家住清丰县高堡乡范村的贾爱粉刚吃过晚饭，手机响了。她远在上海市一家食品企业打工的丈夫李留朝发来了视频通话请求。"
       "李留朝跟妻子讲述一天的经历，描述在城里的工作与生活。贾爱粉笑着说，“越活越时尚了。”\n"
       "工作条件舒适，待遇也不低。贾爱粉说，她丈夫每月工资5000元左右，能寄回家3000余元。")


def test_spouse_reference_sends_facts_to_the_husband(nlp):
    doc = build(nlp, JIA,
                places=[("清丰县", ("河南省", "濮阳市", "清丰县"), "county"),
                        ("高堡乡", ("河南省", "濮阳市", "清丰县", "高堡乡"), "township"),
                        ("范村", ("河南省", "濮阳市", "清丰县", "高堡乡", "范村"), "village"),
                        ("上海市", ("上海市",), "province")],
                incomes=[("5000元左右", 5000, "month"), ("3000余元", 3000, "month")])
    cs = cases(doc)
    assert set(cs) == {"李留朝"}                       # the wife only tells the story
    c = cs["李留朝"]
    assert [i.amount for i in c.incomes] == [5000]     # the remittance is not his income
    assert ("上海市",) in c.places
    assert doc._.kg_persons["贾爱粉"].gender == "female"


GUO = ("五间镇和平村沙岚坳村民小组贫困户李正福瘫痪在床，生活都不能自理，无法外出务工，收入自然上不去。"
       "李正福的儿子名叫李刚伟，今年37岁，只能靠打零工补贴家用。\n"
       "五间镇社保所摸排到这一情况后，立即根据李刚伟的个人情况，向他推送了岗位信息，并推荐到凤凰湖工业园重庆隆兆机械有限公司从事机械加工。"
       "考虑李刚伟家庭的具体情况，吴娟还帮助李刚伟的母亲郭满元申报了公共环境卫生保洁公益性岗位，就近就地安置。")
GUO_PLACES = [("五间镇", ("重庆市", "永川区", "五间镇"), "township"),
              ("和平村", ("重庆市", "永川区", "五间镇", "和平村"), "village"),
              ("沙岚坳村民小组", ("重庆市", "永川区", "五间镇", "和平村", "沙岚坳村民小组"), "group"),
              ("凤凰湖工业园", ("重庆市", "永川区", "凤凰湖工业园"), "other")]


def test_family_members_and_negated_work(nlp):
    doc = build(nlp, GUO, places=GUO_PLACES,
                programs=[("推送了岗位信息", "推送岗位信息", ["JobReferral"]),
                          ("公益性岗位", "公益性岗位", ["PublicWelfareJob"])])
    cs = cases(doc)
    assert set(cs) == {"李刚伟", "郭满元"}              # 李正福 cannot work (无法外出务工)
    assert cs["郭满元"].programs == ["公益性岗位"]
    assert cs["李刚伟"].programs == ["推送岗位信息"]
    # the mother lives with the family: her place comes through her son and his father
    assert cs["郭满元"].places == [GUO_PLACES[2][1]]
    assert GUO_PLACES[3][1] in cs["李刚伟"].places    # where he is placed to work


def test_official_speaking_ends_story_and_owns_nothing(nlp):
    text = ("“车间开工两个多月来，他们绝大多数成为了熟练工。”长乐村村支书熊达友说，村民们每天都能完成生产任务，也保证了他们每月有2000元-3000元的收入。\n"
            "印向珍是首批进入车间的村民。“在家门口就能工作，每个月还有两三千元现金装进荷包。”\n"
            "“比如，就业帮扶车间，我们在延续奖补政策支持基础上，拓宽产品销售渠道。”市人力社保局相关负责人介绍，目前，我市共建成就业帮扶车间473个。")
    doc = build(nlp, text, places=[("长乐村", ("重庆市", "铜梁区", "石鱼镇", "长乐村"), "village")],
                programs=[("车间@2", "车间", ["PovertyWorkshop"]), ("就业帮扶车间@2", "就业帮扶车间", ["PovertyWorkshop"])],
                incomes=[("2000元-3000元", 2000, "month"), ("两三千元", 2000, "month")])
    cs = cases(doc)
    assert set(cs) == {"印向珍"}
    c = cs["印向珍"]
    assert [i.text for i in c.incomes] == ["两三千元"]
    assert c.programs == ["车间"]                      # not the official's 就业帮扶车间
    assert c.places == [("重庆市", "铜梁区", "石鱼镇", "长乐村")]   # the nearest place before her story


def test_leader_and_byline_never_get_a_case(nlp):
    text = ("习近平总书记在视察河南时强调，脱贫攻坚既要扶智也要扶志，要抓好技能培训。\n"
            "杨敏说 培训 吴志杰")
    cut = text.index("\n") + 1
    doc = build(nlp, text, blocks=[(0, cut, "body"), (cut, len(text), "byline")])
    assert "习近平" in doc._.kg_persons
    assert cases(doc) == {}


def test_place_from_the_person_beside_them(nlp):
    """王世莲 has no place of her own: she sits behind 徐泉铃 in the class held at 蒋家坝."""
    text = ("在永川区何埂镇丰乐村一个名叫蒋家坝的小地方，却是人声鼎沸。\n"
            "这是何埂镇护理病人培训班的第6天。当日晨，36岁的村民徐泉铃起了个大早。\n"
            "“之前只是懂一点皮毛，通过培训班学到了不少东西。”她说。\n"
            "徐泉铃有两个儿子，一个13岁，一个4岁。\n"
            "徐泉铃正想着出来做事，村里就送来了培训的消息。徐泉铃一听还有这等好事，赶紧报了名。\n"
            "坐在徐泉铃后面的王世莲同样是贫困户，丈夫得了糖尿病。“这个培训班不错。”她高兴地说。")
    doc = build(nlp, text, places=[("丰乐村", ("重庆市", "永川区", "何埂镇", "丰乐村"), "village"),
                                   ("蒋家坝", ("重庆市", "永川区", "何埂镇", "丰乐村", "蒋家坝"), "other")],
                programs=[("护理病人培训班", "护理病人培训班", ["SkillsTraining"]),
                          ("培训班@3", "护理病人培训班", ["SkillsTraining"])])
    cs = cases(doc)
    assert set(cs) == {"徐泉铃", "王世莲"}
    assert cs["王世莲"].places == cs["徐泉铃"].places == [("重庆市", "永川区", "何埂镇", "丰乐村", "蒋家坝")]


@pytest.mark.slow
def test_corpus_cases_against_dev_gold(nlp, corpus_dir, shared_dir):
    """Whole pipeline over the five articles: persons and cases as the scorer counts them."""
    from kg.extract import extract_article
    from kg.records import ArticleMeta

    tp = pred = gold_n = ptp = ppred = pgold = 0
    for gf in sorted((shared_dir / "gold").glob("*.json")):
        gold = json.loads(gf.read_text(encoding="utf-8"))
        raw = (corpus_dir / gold["doc"]).read_text(encoding="utf-8")
        art = SimpleNamespace(raw=raw, file_name=gold["doc"], meta=ArticleMeta(file_name=gold["doc"], sha256=""))
        rec = extract_article(nlp, art)
        ignore = set(gold.get("ignore_persons", []))
        pp = {p.name for p in rec.persons} - ignore
        ptp += len(pp & set(gold["persons"]))
        ppred += len(pp)
        pgold += len(gold["persons"])
        pc = {c.person for c in rec.cases} - ignore
        gc = {c["person"] for c in gold["cases"]}
        tp += len(pc & gc)
        pred += len(pc)
        gold_n += len(gc)
    f1 = lambda t, p, g: 2 * t / (p + g) if p + g else 0.0  # noqa: E731
    assert f1(ptp, ppred, pgold) >= 0.90
    assert f1(tp, pred, gold_n) >= 0.85


def test_coordinated_subjects_share_the_facts(nlp):
    text = "在石门镇的扶贫车间里，村民李华和王秀敏正在缝制手套，两人每月收入都在2500元左右。"
    doc = build(nlp, text, places=[("石门镇", ("湖南省", "常德市", "石门县", "石门镇"), "township")],
                programs=[("扶贫车间", "扶贫车间", ["PovertyWorkshop"])],
                incomes=[("2500元左右", 2500, "month")])
    cs = cases(doc)
    assert set(cs) == {"李华", "王秀敏"}
    for c in cs.values():
        assert c.programs == ["扶贫车间"] and [i.amount for i in c.incomes] == [2500]
        assert c.places == [("湖南省", "常德市", "石门县", "石门镇")]


def test_work_far_from_home_is_a_labour_transfer(nlp):
    doc = build(nlp, JIA,
                places=[("范村", ("河南省", "濮阳市", "清丰县", "高堡乡", "范村"), "village"),
                        ("上海市", ("上海市",), "province")],
                incomes=[("5000元左右", 5000, "month")])
    c = cases(doc)["李留朝"]
    assert [doc._.kg_programs[k].categories for k in c.programs] == [["LaborCooperation"]]
    assert c.places == [("河南省", "濮阳市", "清丰县", "高堡乡", "范村"), ("上海市",)]


def test_story_continued_without_name_or_pronoun(nlp):
    """Zero anaphora: the next paragraph names nobody but is still the person's story."""
    text = "今年45岁的村民周大成参加了县里的厨师培训。\n培训结束后，在县城一家饭店当上了厨师，每月工资4000元。"
    doc = build(nlp, text, programs=[("厨师培训", "厨师培训", ["SkillsTraining"])],
                incomes=[("4000元", 4000, "month")])
    assert [i.amount for i in cases(doc)["周大成"].incomes] == [4000]


def test_new_paragraph_with_an_official_ends_the_story(nlp):
    text = ("搬迁户韦美玲今年38岁。2020年3月，她在安置点的就业帮扶车间找到了工作，每月工资2200元。\n"
            "驻村第一书记黄海涛告诉记者，车间由返乡创业能人罗志强创办。罗志强曾在外地打工多年，回乡后办起了这家服装厂，年利润30多万元。")
    doc = build(nlp, text, programs=[("就业帮扶车间", "就业帮扶车间", ["PovertyWorkshop"]),
                                     ("返乡创业", "返乡创业", ["Entrepreneurship"])],
                incomes=[("2200元", 2200, "month"), ("30多万元", 300000, "year")])
    cs = cases(doc)
    assert set(cs) == {"韦美玲", "罗志强"}            # 黄海涛, the 第一书记, only tells
    assert cs["韦美玲"].programs == ["就业帮扶车间"] and [i.amount for i in cs["韦美玲"].incomes] == [2200]
    assert cs["罗志强"].programs == ["返乡创业"] and [i.amount for i in cs["罗志强"].incomes] == [300000]
    assert cs["罗志强"].role == "entrepreneur"


def test_official_organisation_is_the_organiser(nlp):
    text = ("五间镇和平村沙岚坳村民小组贫困户李正福瘫痪在床。李正福的儿子名叫李刚伟。\n"
            "五间镇社保所所长吴娟了解情况后，帮助李刚伟的母亲郭满元申报了公益性岗位。")
    doc = build(nlp, text, places=GUO_PLACES[:3], programs=[("公益性岗位", "公益性岗位", ["PublicWelfareJob"])],
                orgs=[("五间镇社保所", "bureau")])
    cs = cases(doc)
    assert set(cs) == {"郭满元"}
    assert cs["郭满元"].organizations == ["五间镇社保所"]


def test_employer_named_in_the_scene_before_the_story(nlp):
    text = ("但在位于綦江的重庆赛之源齿轮制造有限公司内，却是一片热火朝天的生产景象。\n"
            "在一条生产线上，文龙街道春灯村贫困户任启勇正在师傅的指导下学习齿轮零件的加工。"
            "在当地商会的组织下，任启勇在离家不远的工业园区找到了工作，每月收入约3000元。")
    doc = build(nlp, text, places=[("春灯村", ("重庆市", "綦江区", "文龙街道", "春灯村"), "village")],
                incomes=[("约3000元", 3000, "month")], orgs=[("重庆赛之源齿轮制造有限公司", "company")])
    c = cases(doc)["任启勇"]
    assert c.organizations == ["重庆赛之源齿轮制造有限公司"]
    assert [i.amount for i in c.incomes] == [3000]


def test_general_paragraph_after_a_story_is_nobodys(nlp):
    text = ("卧病多年的贫困户李正福又重新看到了生活的希望。\n"
            "为实现全面小康残疾人一个也不能少的目标，永川区就业和人才中心拿出不少举措，千方百计促进残疾人就业创业。\n"
            "台前县夹河乡卫生院北门口，几辆流动扶贫餐车前摆放着热气腾腾的快餐小吃。")
    doc = build(nlp, text, places=[("台前县", ("河南省", "濮阳市", "台前县"), "county")],
                programs=[("扶贫餐车", "扶贫餐车", ["Entrepreneurship"])], orgs=[("永川区就业和人才中心", "bureau")])
    assert cases(doc) == {}


def test_past_workplace_is_not_a_case_place(nlp):
    text = "返乡创业能人罗志强办起了服装厂。罗志强曾在广东打工多年，2019年回乡后，办起了这家服装厂，年利润30多万元。"
    doc = build(nlp, text, places=[("广东", ("广东省",), "province")],
                programs=[("返乡创业", "返乡创业", ["Entrepreneurship"])], incomes=[("30多万元", 300000, "year")])
    assert ("广东省",) not in cases(doc)["罗志强"].places


def test_pronoun_follows_gender(nlp):
    text = ("村民王丽参加了县里的家政培训，丈夫李强常年在外。\n"
            "他在工地打工，每月收入3000元。")
    doc = build(nlp, text, programs=[("家政培训", "家政培训", ["SkillsTraining"])],
                incomes=[("3000元", 3000, "month")])
    cs = cases(doc)
    assert [i.amount for i in cs["李强"].incomes] == [3000]
    assert not cs["王丽"].incomes


@pytest.mark.xfail(reason="anyone with only an official's role (村党支部书记) is never a case, even when they run "
                          "a program themselves", strict=True)
def test_official_who_runs_a_program(nlp):
    text = "村党支部书记张勇带头返乡创业，创办了扶贫车间，吸纳20名贫困户就业。"
    doc = build(nlp, text, programs=[("返乡创业", "返乡创业", ["Entrepreneurship"]),
                                     ("扶贫车间", "扶贫车间", ["PovertyWorkshop"])])
    assert "张勇" in cases(doc)


def test_scene_place_opening_the_sentence_is_the_workplace(nlp):
    text = ("梓山镇潭头村村民刘春华今年53岁。村里为她开发了公益性岗位，每月工资800元。\n"
            "在于都县工业园，26岁的肖建明已经是江西华尔服饰有限公司车间的技术骨干。"
            "他参加了县就业局组织的缝纫工培训，随后进入这家企业工作。")
    tan = ("江西省", "赣州市", "于都县", "梓山镇", "潭头村")
    park = ("江西省", "赣州市", "于都县", "于都县工业园")
    doc = build(nlp, text, places=[("梓山镇", tan[:4], "township"), ("潭头村", tan, "village"),
                                   ("于都县工业园", park, "other")],
                programs=[("公益性岗位", "公益性岗位", ["PublicWelfareJob"]),
                          ("缝纫工培训", "缝纫工培训", ["SkillsTraining"])],
                incomes=[("800元", 800, "month")], orgs=[("江西华尔服饰有限公司", "company")])
    cs = cases(doc)
    assert cs["刘春华"].places == [tan]
    assert cs["肖建明"].places == [park]            # not the previous story's village
    assert cs["肖建明"].organizations == ["江西华尔服饰有限公司"]


def test_quote_before_the_speaker_is_the_speakers(nlp):
    """A quote that ends with …”X说 is X's: its income and employer are not the current subject's."""
    text = ("和罗坤一起到宁波镇海上班的还有104人。\n"
            "“我是到浙江镇海奥利多玩具厂，做翻模，老板承诺年薪7万元至9万元，包吃包住！”家住龙吟镇的邓伟说，"
            "以前他也在外面打工，一年有三四万元的收入。\n"
            "“我之前就在宁波干，一个月有5000元左右。”楼下镇的杨永贵说。")
    doc = build(nlp, text, places=[("龙吟镇", ("贵州省", "普安县", "龙吟镇"), "township"),
                                   ("楼下镇", ("贵州省", "普安县", "楼下镇"), "township")],
                incomes=[("7万元至9万元", 70000, "year"), ("三四万元", 30000, "year"), ("5000元左右", 5000, "month")],
                orgs=[("镇海奥利多玩具厂", "company")])
    cs = cases(doc)
    assert "罗坤" not in cs
    assert sorted(i.amount for i in cs["邓伟"].incomes) == [30000, 70000]
    assert cs["邓伟"].organizations == ["镇海奥利多玩具厂"]
    assert [i.amount for i in cs["杨永贵"].incomes] == [5000]


def test_spouse_joined_by_relation_shares_the_facts(nlp):
    """何茂喜和妻子陈香 / 何茂喜和妻子曾在…: the wife shares the couple's facts."""
    text = ("记者进入铜仁市景航服装有限公司的生产车间，裁剪工何茂喜和妻子陈香正拿着电剪裁剪布料。\n"
            "“布料将被做成衬衫，这一摞有200多层，一下午能裁剪800件。”何茂喜说。\n"
            "何茂喜和家人住在安置点，走路上班只需5分钟。何茂喜和妻子曾在广东省中山市务工21年，今年过完春节，他们决定留在本地就业，“我俩现在月收入加起来至少有1万元。”")
    doc = build(nlp, text, incomes=[("1万元", 10000, "month")], orgs=[("铜仁市景航服装有限公司", "company")])
    cs = cases(doc)
    assert set(cs) == {"何茂喜", "陈香"}
    for c in cs.values():
        assert [i.amount for i in c.incomes] == [10000]
        assert c.organizations == ["铜仁市景航服装有限公司"]


def test_workshop_job_without_a_program_word(nlp):
    """Working in a company's production workshop near home, no program named: a workshop job."""
    text = ("园区一角,昭通立时技术有限公司生产车间内,易地搬迁贫困户刘志鲜坐在数据线检测仪前,熟练地操作着仪器。"
            "两年前,刘志鲜从100多公里外的山区搬进了安置点。")
    doc = build(nlp, text, orgs=[("昭通立时技术有限公司", "company")])
    c = cases(doc)["刘志鲜"]
    assert [doc._.kg_programs[k].categories for k in c.programs] == [["PovertyWorkshop"]]
    assert c.organizations == ["昭通立时技术有限公司"]


def test_work_in_a_poverty_cooperative_is_a_workshop_job(nlp):
    text = ("清晨,正在除草的蛤蟆神村脱贫户王明珍说:“我和老伴儿都在别样红扶贫攻坚造林专业合作社从事沙棘苗的抚育、"
            "栽植等工作,去年收入了3.5万元左右。”")
    doc = build(nlp, text, places=[("蛤蟆神村", ("山西省", "岚县", "蛤蟆神村"), "village")],
                incomes=[("3.5万元左右", 35000, "year")], orgs=[("别样红扶贫攻坚造林专业合作社", "cooperative")])
    c = cases(doc)["王明珍"]
    assert [doc._.kg_programs[k].categories for k in c.programs] == [["PovertyWorkshop"]]
    assert c.places == [("山西省", "岚县", "蛤蟆神村")]


def test_home_told_later_with_ascii_commas(nlp):
    """Articles with ASCII commas: the scene is where the person works; 曲尼一家还住在… is the home."""
    text = ("在拉萨柳梧新区的康乐扶贫搬迁安置点,46岁的曲尼开的茶馆分外热闹。穿梭在顾客间,曲尼不断招呼着大家。\n"
            "2018年4月,曲尼一家还住在曲水县色达村,靠着几亩薄田和牛羊过日子。")
    doc = build(nlp, text, places=[("拉萨", ("西藏自治区", "拉萨市"), "city"),
                                   ("曲水县", ("西藏自治区", "拉萨市", "曲水县"), "county"),
                                   ("色达村", ("西藏自治区", "拉萨市", "曲水县", "色达村"), "village")],
                programs=[("开的茶馆", "开的茶馆", ["Entrepreneurship"])])
    c = cases(doc)["曲尼"]
    assert ("西藏自治区", "拉萨市", "曲水县", "色达村") in c.places


def test_going_out_to_work_is_a_labour_transfer(nlp):
    """外出务工 with no program named and no work place far from home: still a labour transfer."""
    text = ("1月24日晚7点,来自凉山州布拖县九都乡的成木呷坐在行李上,看着西昌火车站前人来人往。"
            "当晚,他要乘坐K113次列车去昆明,再转车到深圳。“老乡帮忙联系好了,在一家电子厂上班,春节期间每天400元!”\n"
            "对大多数人而言,春运意味着回家团圆,而成木呷等彝族老乡却抓住春节机会外出务工。\n"
            "彝族农民工具有吃苦耐劳、朴实诚信等优点。成木呷2017年在保定一处工地负责")
    doc = build(nlp, text, places=[("九都乡", ("四川省", "凉山彝族自治州", "布拖县", "九都乡"), "township")],
                incomes=[("400元", 400, "day")])
    c = cases(doc)["成木呷"]
    assert [doc._.kg_programs[k].categories for k in c.programs] == [["LaborCooperation"]]
    assert [i.amount for i in c.incomes] == [400]


def test_a_school_studied_at_and_an_organisation_of_unknown_kind_are_not_case_organisations(nlp):
    text = ("现年28岁的黄家君2015年毕业于云南农业职业技术学院，同时自己还参加了SYB创业培训。"
            "贫困户王秀兰当上保洁员，不仅全家顺利脱贫，大女儿还考上了青海大学。“去年收入有4万多元呢！”王秀兰乐开了花。")
    doc = build(nlp, text, programs=[("SYB创业培训", "SYB创业培训", ["SkillsTraining"]),
                                     ("保洁员", "保洁员", ["PublicWelfareJob"])],
                incomes=[("4万多元", 40000, "year")],
                orgs=[("云南农业职业技术学院", "school"), ("青海大学", "school")])
    cs = cases(doc)
    assert cs["黄家君"].organizations == [] and cs["王秀兰"].organizations == []
    text = "台前县夹河乡卫生院北门口，在路边摆摊的贫困户张秀花参加了公益性岗位，当上了保洁员。"
    doc = build(nlp, text, programs=[("公益性岗位", "公益性岗位", ["PublicWelfareJob"])],
                orgs=[("台前县夹河乡卫生院", "other")])
    assert cases(doc)["张秀花"].organizations == []


def test_a_training_school_is_a_case_organisation(nlp):
    text = "转机发生在5年前，贫困户李国强到吴越美容美发学校参加了美发培训。"
    doc = build(nlp, text, programs=[("美发培训", "美发培训", ["SkillsTraining"])],
                orgs=[("吴越美容美发学校", "school")])
    assert cases(doc)["李国强"].organizations == ["吴越美容美发学校"]


def test_a_far_scene_of_its_own_is_a_labour_transfer_not_the_previous_employer(nlp):
    """千里之外，广东省中山市…生产车间内，来自昭通市盐津县的X: a work place of the story's own (far from
    home), not the company of the person described just before."""
    text = ("家住安置点的贫困户刘志鲜走出家门,进入昭通立时技术有限公司生产车间,开启了新一天的工作。"
            "千里之外,广东省中山市奥马冰箱生产车间内,来自昭通市盐津县的务工人员陈群霖此时也已走上生产线,在此工作2年。")
    doc = build(nlp, text, places=[("广东省", ("广东省",), "province"),
                                   ("中山市", ("广东省", "中山市"), "prefecture"),
                                   ("昭通市", ("云南省", "昭通市"), "prefecture"),
                                   ("盐津县", ("云南省", "昭通市", "盐津县"), "county")],
                orgs=[("昭通立时技术有限公司", "company")])
    c = cases(doc)["陈群霖"]
    assert c.organizations == []
    assert [doc._.kg_programs[k].categories for k in c.programs] == [["LaborCooperation"]]
    assert ("广东省", "中山市") in c.places


def test_a_story_opening_in_the_workshop_described_before_has_its_employer(nlp):
    text = ("记者进入铜仁市景航服装有限公司的生产车间,裁剪工何茂喜正拿着电剪裁剪布料。"
            "“布料将被做成衬衫。”何茂喜说。何茂喜和家人住在安置点,走路上班只需5分钟。"
            "何茂喜曾在广东省中山市务工21年。“受疫情影响,春节后不能顺利复工。”公司负责人廖景伟介绍。"
            "在车间另一头,易地扶贫搬迁群众万铣正埋头熨烫衬衣。万铣告诉记者,他在外打工多年,月工资6000元左右。")
    doc = build(nlp, text, incomes=[("6000元左右", 6000, "month")], orgs=[("铜仁市景航服装有限公司", "company")])
    assert cases(doc)["万铣"].organizations == ["铜仁市景航服装有限公司"]


def test_an_unresolved_prefecture_is_not_more_specific_than_a_township(nlp):
    text = "1月24日晚7点,来自凉山州布拖县九都乡的务工人员成木呷坐在行李上。他要乘坐列车去昆明,再转车到深圳,在一家电子厂上班。"
    doc = build(nlp, text, places=[("凉山州", ("凉山州",), "other"),
                                   ("布拖县", ("四川省", "凉山彝族自治州", "布拖县"), "county"),
                                   ("九都乡", ("四川省", "凉山彝族自治州", "布拖县", "九都乡"), "township")],
                programs=[("上班", "上班", ["LaborCooperation"])])
    assert cases(doc)["成木呷"].places[0] == ("四川省", "凉山彝族自治州", "布拖县", "九都乡")


def test_a_returnee_who_sets_up_a_factory_is_an_entrepreneur(nlp):
    text = ("2017年,蒋坊村村民吴亦军从浙江务工回来,计划建设服装加工厂,在就业扶贫政策的扶持下,"
            "吴亦军将服装加工厂建在了蒋坊村坝头组,是圭峰镇具有代表性的就业扶贫车间。")
    doc = build(nlp, text, programs=[("就业扶贫车间", "就业扶贫车间", ["PovertyWorkshop"])])
    c = cases(doc)["吴亦军"]
    assert sorted(cat for k in c.programs for cat in doc._.kg_programs[k].categories) == [
        "Entrepreneurship", "PovertyWorkshop"]
    assert c.role == "entrepreneur"


def test_an_income_from_ones_own_farm_alone_is_no_case(nlp):
    text = ("在山西省右玉县马头山上,记者见到了山的主人李云生。2000年,李云生开始在马头山种树。"
            "他在山上搞起了多种养殖和经营,每年有几十万元的收入。")
    doc = build(nlp, text, incomes=[("几十万元", 100000, "year")])
    assert "李云生" not in cases(doc)
    text = "“我之前就在宁波干,一个月有5000元左右。”楼下镇的杨永贵说。"
    doc = build(nlp, text, places=[("楼下镇", ("贵州省", "普安县", "楼下镇"), "township")],
                incomes=[("5000元左右", 5000, "month")])
    assert "杨永贵" in cases(doc)


def test_the_organisers_of_a_group_transfer_are_those_of_each_person_named_in_the_group(nlp):
    text = ("和罗坤一起到宁波镇海上班的还有104人。"
            "正月十三这天,普安县人力资源和社会保障局、县扶贫办专门安排了两辆大客,集中送他们去上班。\n"
            "“我是到浙江镇海奥利多玩具厂,做翻模,老板承诺年薪7万元至9万元,包吃包住!”家住龙吟镇的邓伟说。\n"
            "清晨7点,室外寒气逼人,他们已三三两两赶到集合点。\n"
            "“我之前就在宁波干,一个月有5000元左右。”楼下镇的杨永贵说。")
    doc = build(nlp, text, places=[("龙吟镇", ("贵州省", "普安县", "龙吟镇"), "township"),
                                   ("楼下镇", ("贵州省", "普安县", "楼下镇"), "township")],
                incomes=[("7万元至9万元", 70000, "year"), ("5000元左右", 5000, "month")],
                orgs=[("普安县人力资源和社会保障局", "bureau"), ("县扶贫办", "bureau"), ("镇海奥利多玩具厂", "company")])
    cs = cases(doc)
    assert cs["邓伟"].organizations == ["镇海奥利多玩具厂", "普安县人力资源和社会保障局", "县扶贫办"]
    c = cs["杨永贵"]
    assert c.organizations == ["普安县人力资源和社会保障局", "县扶贫办"]
    assert [doc._.kg_programs[k].categories for k in c.programs] == [["LaborCooperation"]]


def _mentions_of(text: str, names: list[str]):
    from kg.nlp.cases import _Mention
    out = []
    for name in names:
        i = text.find(name)
        while i >= 0:
            out.append(_Mention(i, i + len(name), name, True, False, False))
            i = text.find(name, i + 1)
    return sorted(out, key=lambda m: m.start)


def _bare(**kw):
    return SimpleNamespace(roles=[], age=None, relations=[], **kw)


def test_names_that_never_act_as_a_person_get_no_case(nlp):
    asm = nlp.get_pipe("kg_cases")
    text = ("茶园负责人陈伟介绍,茶园项目共流转农牧民土地1220亩,主要生产乌龙茶、白茶等,"
            "长期带动雪瓦卡村32名群众在本地就业,农牧民每人每月工资6000元。")
    persons = {"乌龙茶": _bare(), "白茶": _bare()}
    assert asm._things(text, persons, _mentions_of(text, list(persons))) == {"乌龙茶", "白茶"}
    text = "塔里木盆地北缘的棉田里,一首弗朗明戈风格的乐曲从音箱中传出,惊得野禽四起。"
    assert asm._things(text, {"弗朗明戈": _bare()}, _mentions_of(text, ["弗朗明戈"])) == {"弗朗明戈"}
    text = ("近年,科右中旗将传统的蒙古族王府刺绣,打造为重要产业扶贫项目。这是金星嘎查脱贫户赵桂霞在做王府刺绣。"
            "王府刺绣起源于清代,是旗内图什业图王府世袭传承的一种蒙古族传统手工艺。")
    assert asm._things(text, {"王府": _bare()}, _mentions_of(text, ["王府"])) == {"王府"}
    # persons who act: listed with a group of persons (王宝英等几名贫困户), or twice doing different things
    text = "在佳木斯市汤原县汤旺乡裕红村,随处可见的稻草秸秆,在王宝英等几名贫困户的巧手下变成了能卖钱的鸡窝笼。"
    assert asm._things(text, {"王宝英": _bare()}, _mentions_of(text, ["王宝英"])) == set()
    text = "如今,扎西次旺家盖起了家庭旅馆,入股村集体旅游观光车等项目。谈起新生活,扎西次旺满眼憧憬。"
    assert asm._things(text, {"扎西次旺": _bare()}, _mentions_of(text, ["扎西次旺"])) == set()


def test_working_in_another_province_after_training_is_a_labour_transfer(nlp):
    text = ("1月24日,来自凉山的彝族务工人员杨小川,在东莞勤上光电公司务工已经一月有余。"
            "经过培训,他已经可以熟练操作冲压机,成为生产线上的一名冲压工。")
    doc = build(nlp, text, places=[("凉山", ("四川省", "凉山彝族自治州"), "prefecture"),
                                   ("东莞", ("广东省", "东莞市"), "prefecture")],
                programs=[("培训", "培训", ["SkillsTraining"])], orgs=[("东莞勤上光电公司", "company")])
    c = cases(doc)["杨小川"]
    assert sorted(cat for k in c.programs for cat in doc._.kg_programs[k].categories) == [
        "LaborCooperation", "SkillsTraining"]


def test_a_story_opening_the_article_takes_the_county_its_next_sentences_name(nlp):
    text = ("马哈力麦在“方大腾达”服饰扶贫车间上班,一天能缝10条裤子。\n"
            "“山高没顶子,沟深没底子”,当地人都这么形容甘肃省临夏回族自治州东乡族自治县。"
            "东乡县四面环河,中间突兀,再由这些大梁大沟分出数不清的支岭支沟。")
    county = ("甘肃省", "临夏回族自治州", "东乡族自治县")
    doc = build(nlp, text, places=[("甘肃省", county[:1], "province"), ("临夏回族自治州", county[:2], "prefecture"),
                                   ("东乡族自治县", county, "county"), ("东乡县", county, "county"),
                                   ("大梁大沟", ("大梁大沟",), "other")],
                programs=[("扶贫车间", "扶贫车间", ["PovertyWorkshop"])], ner=True)
    assert cases(doc)["马哈力麦"].places == [county]


BOMI = ("“茶园让我们增加了新的收入。”看着现代化的连片茶田,在此工作的古乡雪瓦卡村32岁的村民索朗措姆由衷感慨。\n"
        "茶园负责人陈伟介绍,茶园项目共流转农牧民土地1220亩,主要生产乌龙茶、白茶等,"
        "长期带动雪瓦卡村32名群众在本地就业,农牧民每人每月工资6000元。")


def test_the_employers_head_on_each_workers_wage_next_to_a_workers_story(nlp):
    village = ("西藏自治区", "林芝市", "波密县", "古乡", "雪瓦卡村")
    doc = build(nlp, BOMI, places=[("古乡", village[:4], "township"), ("雪瓦卡村", village, "village"),
                                   ("雪瓦卡村@2", village, "village")],
                incomes=[("6000元", 6000, "month")], ner=True)
    doc._.kg_incomes[0].kind = "wage"
    doc = nlp.get_pipe("kg_cases")(doc)
    cs = cases(doc)
    # 乌龙茶、白茶 are teas, not persons taking part (the name's extent is kg_persons' business)
    assert len(cs) == 1 and next(iter(cs)).startswith("索朗")
    assert [i.amount for i in next(iter(cs.values())).incomes] == [6000]


ZHAO = ("这是金星嘎查脱贫户赵桂霞在做王府刺绣。\n"
        "王府刺绣起源于清代,是旗内图什业图王府世袭传承的一种蒙古族传统手工艺,自治区级非物质文化遗产。\n"
        "为了传承好这门手艺,同时让贫困户通过产业技能摆脱贫困,2016年以来,旗里从精准扶贫出发,"
        "通过“集中培训、上门辅导、手把手教授”,在全旗推广刺绣。\n"
        "“没老师我来讲,没场地就去借,困难遇到一个就解决一个。”旗人大常委会主任、王府刺绣产业推进组组长白晶莹说。"
        "之后,旗里免费为贫困户发放刺绣工具和原料,定期举办刺绣培训班,还建起了王府刺绣文化博物馆。\n"
        "记者在赵桂霞家,看到绣花架子整齐地摆在客厅里。过去靠低保生活的她,2018年通过刺绣赚了9000多元。")


def test_programs_for_the_poor_told_inside_a_poor_persons_story_are_theirs(nlp):
    doc = build(nlp, ZHAO, programs=[("集中培训", "集中培训", ["SkillsTraining"]),
                                     ("刺绣培训班", "刺绣培训班", ["SkillsTraining"])],
                incomes=[("9000多元", 9000, "year")])
    assert sorted(cases(doc)["赵桂霞"].programs) == ["刺绣培训班", "集中培训"]
    # another person's story in between: the background is not theirs
    text = ("园区一角,易地搬迁贫困户刘志鲜坐在数据线检测仪前。来自昭通市盐津县的陈群霖此时也已走上生产线,在此工作2年。\n"
            "云南省是劳务输出大省,如何稳就业、助创业、促增收,成为帮助贫困群众脱贫的关键所在。\n"
            "两年前,刘志鲜从100多公里外搬进了城里,月收入3000元。")
    doc = build(nlp, text, programs=[("助创业", "创业", ["Entrepreneurship"])], incomes=[("3000元", 3000, "month")],
                ner=True)
    assert cases(doc)["刘志鲜"].programs == []


def test_training_before_going_to_work_far_away_is_no_labour_transfer(nlp):
    text = ("家住会川镇本庙村的何建平则选择了另一条路。去年3月,他参加了县人社局组织的电工技能培训班,考取了电工证,"
            "到天津一家建筑公司务工,月工资达到6000多元。")
    doc = build(nlp, text, places=[("会川镇", ("甘肃省", "渭源县", "会川镇"), "township"),
                                   ("本庙村", ("甘肃省", "渭源县", "会川镇", "本庙村"), "village"),
                                   ("天津", ("天津市",), "province")],
                programs=[("电工技能培训班", "电工技能培训班", ["SkillsTraining"])],
                incomes=[("6000多元", 6000, "month")])
    c = cases(doc)["何建平"]
    assert [cat for k in c.programs for cat in doc._.kg_programs[k].categories] == ["SkillsTraining"]


def test_organization_cited_as_a_source_is_no_case_organization(nlp):
    text = ("记者近日从凉山州农劳办获悉，今年春节期间有约30万彝族群众坚持在外务工。"
            "布拖县九都乡村民成木呷去年到东莞勤上光电公司务工，每月工资4000元。")
    doc = build(nlp, text, places=[("布拖县", ("四川省", "凉山彝族自治州", "布拖县"), "county")],
                orgs=[("凉山州农劳办", "bureau"), ("东莞勤上光电公司", "company")],
                incomes=[("4000元", 4000, "month")])
    case = cases(doc)["成木呷"]
    assert case.organizations == ["东莞勤上光电公司"]


def test_quote_owned_by_a_speaker_named_with_a_long_home_and_a_manner(nlp):
    text = ("“在进入工厂之前，我们家的月收入约520元，现在我每个月能拿到2500元。”"
            "英吉沙县城关乡喀赞其艾日克村村民阿依努尔·赛买提笑呵呵地说。阿依努尔每天在家门口的卫星工厂上班挣钱。")
    doc = nlp(text)
    assert sorted(i.amount for i in cases(doc)["阿依努尔·赛买提"].incomes) == [520, 2500]


def test_a_rangers_allowance_is_his_pay(nlp):
    text = ("58岁的聂石林是当地贫困户。去年，他被聘为木双镇生态护林员。"
            "“有了护林员的工作，我在家门口就能就业，每年能享受国家护林补助一万元。”聂石林说。")
    case = cases(nlp(text))["聂石林"]
    assert [(i.amount, i.period) for i in case.incomes] == [(10000, "year")]


def test_government_turning_to_the_region_is_no_case_organization(nlp):
    text = ("河北省清河县坝营镇西洪河村农民任保柱学到大棚蔬菜种植技术后，到清河县日月农场当技术员，年薪3.6万元。"
            "这个问题引起了清河县委、县政府的高度重视。")
    doc = build(nlp, text, places=[("清河县", ("河北省", "邢台市", "清河县"), "county")],
                orgs=[("清河县日月农场", "workshop"), ("清河县委", "government"), ("县政府", "government")],
                incomes=[("3.6万元", 36000, "year")])
    assert cases(doc)["任保柱"].organizations == ["清河县日月农场"]
    text = "在圭峰镇党委、政府的引导下，蒋坊村村民吴亦军将服装加工厂建在了蒋坊村，月收入5000元。"
    doc = build(nlp, text, orgs=[("圭峰镇党委", "government"), ("政府", "government")],
                incomes=[("5000元", 5000, "month")])
    assert cases(doc)["吴亦军"].organizations == ["圭峰镇党委", "政府"]


def test_work_away_in_the_past_is_no_labour_transfer(nlp):
    # 以前…打工 is her life before the workshop opened at home, not the program of her story
    doc = nlp("伴随着机器轰鸣，38岁的女工卜桂琴正将零散的纱布拼接成鲜花。"
              "“以前我在杭州一家电子厂打工，一年见不上娃几面，如今家门口有了这个车间，可以边打工边带娃。”卜桂琴说。"
              "卜桂琴家住宁夏固原市隆德县观庄乡前庄村，以前当地村民挣钱渠道较少，只能常年外出打工。")
    cats = {c for case in doc._.kg_cases for k in case.programs for c in doc._.kg_programs[k].categories}
    assert "LaborCooperation" not in cats


def test_a_job_in_a_workshop_beside_a_subsidy(nlp):
    # the relocation subsidy she received does not hide the workshop job her story opens with
    doc = nlp("新年的早晨，不到8点，45岁的强志华将两个孩子送到学校后，就来到移民社区里开办的工厂车间，开始了一天的工作。"
              "建档立卡贫困户强志华原先住在陕西省汉阴县汉阳镇健康村，2019年夏季搬到了离县城不远的搬迁安置小区。"
              "在全家4口人享受到搬迁补贴后，她家自付了1万元，就住进了79平方米的两居室。")
    cats = {c for case in doc._.kg_cases for k in case.programs for c in doc._.kg_programs[k].categories}
    assert {"PovertyWorkshop", "Subsidy"} <= cats
