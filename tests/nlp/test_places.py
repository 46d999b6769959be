"""kg_places on real fragments of the corpus (normalised) and general patterns."""

from __future__ import annotations

import pytest

from kg.nlp.doc import init_doc


def run_places(nlp, text: str):
    doc = nlp.make_doc(text)
    init_doc(doc)
    doc = nlp.get_pipe("sentencizer")(doc)
    return nlp.get_pipe("kg_places")(doc)


def paths(doc) -> set[tuple[str, ...]]:
    return set(doc._.kg_places)


def names(doc) -> set[str]:
    return {p.name for p in doc._.kg_places.values()}


def test_chain_is_split_into_units(nlp):
    doc = run_places(nlp, "永川区五间镇景圣村塘坎上村民小组建卡贫困户孙天英就是如此。")
    assert paths(doc) == {
        ("重庆市", "永川区"),
        ("重庆市", "永川区", "五间镇"),
        ("重庆市", "永川区", "五间镇", "景圣村"),
        ("重庆市", "永川区", "五间镇", "景圣村", "塘坎上村民小组"),
    }
    levels = {p.name: p.level for p in doc._.kg_places.values()}
    assert levels == {"永川区": "county", "五间镇": "township", "景圣村": "village", "塘坎上村民小组": "group"}
    assert doc._.kg_places[("重庆市", "永川区")].code == "500118"


def test_spans_and_evidence(nlp):
    text = "但在永川区何埂镇丰乐村一个名叫蒋家坝的小地方，却是人声鼎沸。"
    doc = run_places(nlp, text)
    spans = doc.spans["kg_places"]
    assert all(sp._.kg_ref in doc._.kg_places for sp in spans)
    dam = doc._.kg_places[("重庆市", "永川区", "何埂镇", "丰乐村", "蒋家坝")]
    assert dam.level == "other"
    assert dam.evidence and dam.evidence[0].sentence == text


def test_township_resolved_by_the_article_county(nlp):
    """金溪镇 exists in several provinces; in an article about 黔江区 it is 黔江区's."""
    doc = run_places(nlp, "近年来，黔江区人社局把创建就业扶贫车间作为重要抓手。这是金溪镇山坳村退伍军人刘廷荣创建的就业扶贫车间。")
    assert ("重庆市", "黔江区", "金溪镇", "山坳村") in paths(doc)


def test_short_forms_need_confirmation(nlp):
    doc = run_places(nlp, "黔江区已累计转移贫困劳动力就业11.3万人次。目前黔江有389人通过扶贫车间实现就近就业。")
    place = doc._.kg_places[("重庆市", "黔江区")]
    assert place.name == "黔江区" and place.aliases == ["黔江"]
    # a county's short form alone, without its full name, is not taken
    assert not paths(run_places(nlp, "永川结合贫困群众就业需求开展培训。"))


def test_provinces_and_lists(nlp):
    doc = run_places(nlp, "这双手，近年来曾在河北、山东、广州、北京等地的建筑工地上辛苦劳作。")
    assert paths(doc) == {("河北省",), ("山东省",), ("广东省", "广州市"), ("北京市",)}


def test_regions_and_country(nlp):
    doc = run_places(nlp, "与珠三角、长三角、京津冀等地建立劳务协作机制。作为中国西部职教名城。")
    assert {("珠三角",), ("长三角",), ("京津冀",), ("中国",)} <= paths(doc)


def test_unknown_units_hang_under_their_parent(nlp):
    """新乡乡 (an OCR slip for 新华乡) is no place in 黔江区's gazetteer, nor 新乡市."""
    doc = run_places(nlp, "近日，黔江区人社局举行专场招聘会。\n新乡乡梨子村村民陈清友，上有80多岁的婆婆。")
    assert ("重庆市", "黔江区", "新乡乡", "梨子村") in paths(doc)
    assert not any("新乡市" in p for p in paths(doc))


def test_named_local_places(nlp):
    doc = run_places(nlp, "濮阳县海通乡东森扶贫产业园。范县颜村铺乡佑林有机葡萄园区。")
    assert {"东森扶贫产业园", "佑林有机葡萄园区"} <= names(doc)
    doc = run_places(nlp, "黔江区人社局在黔江区城南街道李家溪易地扶贫搬迁安置点举行招聘会。")
    assert "李家溪易地扶贫搬迁安置点" in names(doc)
    assert "李家溪" not in names(doc)


def test_numbered_groups_are_not_names(nlp):
    doc = run_places(nlp, "曾晓林，家住黔江区金溪镇桃坪村5组，家有6口人。")
    assert names(doc) == {"黔江区", "金溪镇", "桃坪村"}


def test_generic_words_are_not_places(nlp):
    doc = run_places(nlp, "二是镇街上下联动，积极争取镇街的大力支持。三是村社适时更新，充分发挥村社社保员的作用。"
                          "市级贫困村、铜梁区太平镇坪漆村。全市返乡创业人员累计达7.62万人，从乡村走到城里。")
    assert names(doc) == {"铜梁区", "太平镇", "坪漆村"}


def test_generic_parks_are_not_places(nlp):
    doc = run_places(nlp, "綦江区组织在区内工业园区、食品园区等辖区70多家企业开展劳务输出。")
    assert names(doc) == {"綦江区"}


def test_autonomous_county_written_short(nlp):
    doc = run_places(nlp, "酉阳县龙潭镇丹泉村村民冉俊松说。")
    assert ("重庆市", "酉阳土家族苗族自治县", "龙潭镇", "丹泉村") in paths(doc)
    assert doc._.kg_places[("重庆市", "酉阳土家族苗族自治县")].name == "酉阳县"


def test_known_name_found_again_without_its_chain(nlp):
    doc = run_places(nlp, "铜梁区太平镇坪漆村的龙灯彩扎基地扶贫车间。据坪漆村有关负责人介绍。")
    village = doc._.kg_places[("重庆市", "铜梁区", "太平镇", "坪漆村")]
    assert len(village.evidence) == 2
    assert "据坪漆村" not in names(doc)


def test_other_provinces(nlp):
    doc = run_places(nlp, "家住贵州省毕节市威宁县石门乡新龙村的村民在广东东莞务工。")
    assert ("贵州省", "毕节市", "威宁彝族回族苗族自治县", "石门乡", "新龙村") in paths(doc)
    assert ("广东省", "东莞市") in paths(doc)


@pytest.mark.xfail(reason="a place opening a product name (重庆社保APP) is read as a mention of the place",
                   strict=True)
def test_place_inside_product_name(nlp):
    doc = run_places(nlp, "利用微信、重庆社保APP等移动客户端对社保扶贫相关政策进行宣传。")
    assert not paths(doc)


@pytest.mark.xfail(reason="a township of no county the article names, after a word that is no boundary "
                          "(昨天), is not found: the suffix grammar cannot tell where its name starts", strict=True)
def test_unanchored_unknown_township(nlp):
    doc = run_places(nlp, "昨天石板镇花园村的村民在忙碌。")
    assert {"石板镇", "花园村"} <= names(doc)


def test_throughput(nlp):
    """Places run about as fast as the tokenizer: dictionary look-ups only, no scans. Timed as a
    ratio to the tokenizer on the same text in the same run, so a loaded machine slows both."""
    import time

    text = "永川区五间镇景圣村塘坎上村民小组建卡贫困户孙天英就是如此。黔江区金溪镇山坳村退伍军人刘廷荣说。" * 200
    run_places(nlp, "重庆市。在古乡雪瓦卡村,右玉县马头山,在康乐安置点,王家社区")   # warm the gazetteer and word lists
    t = time.perf_counter()
    doc = nlp.make_doc(text)
    tokenizer = time.perf_counter() - t
    init_doc(doc)
    doc = nlp.get_pipe("sentencizer")(doc)
    t = time.perf_counter()
    nlp.get_pipe("kg_places")(doc)
    assert time.perf_counter() - t < 2 * tokenizer   # ~0.6x the tokenizer on this dense text, idle


def test_random_text_never_breaks_the_finder(nlp):
    """Any string: no exception, mentions inside the text and in order (fuzzing, issue 8)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    finder = nlp.get_pipe("kg_places").finder
    alphabet = st.sampled_from(list("省市区县镇乡村街道社区组园坝家李王重庆永川黔江山东河南中国，。、 \n5的在到"))

    @settings(max_examples=200, deadline=None)
    @given(st.one_of(st.text(), st.text(alphabet=alphabet, max_size=80)))
    def check(text):
        ms = finder.find(text, None)
        assert all(0 <= m.start < m.end <= len(text) and text[m.start:m.end] == m.surface for m in ms)
        assert [m.start for m in ms] == sorted(m.start for m in ms)

    check()


def test_places_on_dev_gold(dev_gold_f1):
    """0.995 when written (one extra: 重庆 of 重庆社保APP); the issue's gate is 0.85."""
    assert dev_gold_f1("places", "place_match") >= 0.97


def test_general_patterns_from_other_provinces(nlp):
    """Shapes met in other provinces' reports (not from the corpus)."""
    doc = run_places(nlp, "江西省修水县黄沙镇汤桥村的移民搬迁安置点。修水共建设易地搬迁安置点141个，实行县城园区、"
                          "中心集镇、中心村三级安置。")
    assert paths(doc) == {("江西省",), ("江西省", "九江市", "修水县"), ("江西省", "九江市", "修水县", "黄沙镇"),
                          ("江西省", "九江市", "修水县", "黄沙镇", "汤桥村")}
    doc = run_places(nlp, "甘肃省定西市安定区已在巉口镇建成马铃薯产业园。")
    assert ("甘肃省", "定西市", "安定区", "巉口镇", "马铃薯产业园") in paths(doc)


def test_chain_reading_wins_over_another_county(nlp):
    """武隆区后坪乡 is not in the gazetteer (酉阳县 has a 后坪乡): a bare 后坪乡 later in the text is
    the one the chain named, not the gazetteer's other one."""
    doc = run_places(nlp, "重庆武隆区后坪乡高坪村建卡贫困户告诉笔者。“乡林业站根据区林业局分配指标。”后坪乡林业站负责人介绍道。")
    assert {p for p in paths(doc) if p[-1] == "后坪乡"} == {("重庆市", "武隆区", "后坪乡")}


def test_county_zone_is_named_with_its_county(nlp):
    doc = run_places(nlp, "在于都县工业园，26岁的肖建明已经是车间的技术骨干。")
    assert ("江西省", "赣州市", "于都县", "于都县工业园") in paths(doc)
    assert ("江西省", "赣州市", "于都县") in paths(doc)


@pytest.mark.parametrize(("text", "expected"), [
    # a township with a one-character stem, confirmed by the village after it
    ("西藏林芝市波密县。看着连片茶田,在此工作的古乡雪瓦卡村32岁的村民索朗措姆由衷感慨。", {"古乡", "雪瓦卡村"}),
    # a new district after its city; a named resettlement site after a boundary
    ("西藏拉萨。在拉萨柳梧新区的康乐扶贫搬迁安置点,46岁的曲尼开的茶馆分外热闹。", {"柳梧新区", "康乐扶贫搬迁安置点"}),
    # a site named after its housing estate is the estate
    ("何茂喜和家人住在旺家花园易地扶贫搬迁安置点,走路上班只需5分钟。", {"旺家花园"}),
    # a mountain after its county; a mountain region named after a prefecture (not the prefecture)
    ("在山西省右玉县马头山上,记者见到了山的主人。", {"马头山"}),
    ("山西岚县,吕梁山区的国家扶贫开发工作重点县。", {"吕梁山区"}),
    # village groups: after the village, and surname + 家 + 社
    ("甘肃省临夏回族自治州东乡族自治县。在龙泉镇拱北湾村八羊古社易地扶贫搬迁点。他的家原来在杨家社的山沟里。", {"八羊古社", "杨家社"}),
    # a county short form listed with others in a province the text names; a country
    ("记者连日来到福建建宁、福鼎、古田等地采访。", {"古田"}),
    ("南京大学硕士、公派英国曼彻斯特大学博士。", {"英国"}),
    # a province short form before a county under it is no township (浙江|镇海, not 浙江镇)
    ("“我是到浙江镇海奥利多玩具厂,做翻模,老板承诺年薪7万元至9万元!”", {"浙江", "镇海"}),
])
def test_local_units_and_regions(nlp, text, expected):
    assert expected <= names(run_places(nlp, text))


@pytest.mark.parametrize(("text", "absent"), [
    ("贵州铜仁易地扶贫搬迁安置点见闻", {"易地扶贫搬迁安置点", "铜仁易地扶贫搬迁安置点"}),
    ("搬到了这里的集中安置点,每户分到一套平房。", {"集中安置点"}),
    ("组织“送培训下乡”活动,在滩区迁建安置点开展培训。", {"滩区迁建安置点"}),
    ("新乡乡梨子村村民陈清友。", {"新乡", "乡梨子村"}),
    ("村里的贫困山区群众和城乡居民。", {"贫困山区", "城乡"}),
    ("王家社区的居民。", {"王家社"}),
])
def test_generic_sites_and_words_are_no_places(nlp, text, absent):
    assert not absent & names(run_places(nlp, text))


def test_world_places_are_found_by_name(nlp):
    doc = nlp("保加利亚南部城市哈斯科沃不久前举办了玫瑰节。")
    assert any(p.path == ("保加利亚",) for p in doc._.kg_places.values())


def test_foreign_place_keeps_its_suffix_and_a_feature_is_a_place_of_its_own(nlp):
    doc = nlp("斯特拉斯堡总领事馆是继马赛总领事馆后中国在法国设立的又一个总领事馆。他从斯特拉斯堡市出发，经德黑兰机场回国。")
    names = {n for p in doc._.kg_places.values() for n in [p.name, *p.aliases]}
    assert "德黑兰机场" in names and "德黑兰" not in names


def test_a_proposed_person_with_a_place_ending_is_a_place(nlp):
    doc = nlp("考察队在亚马孙河口的马拉若岛上发现了古代陶器。")
    assert "马拉若岛" not in doc._.kg_persons
