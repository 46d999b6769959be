"""kg_persons on real fragments of the corpus (and a few general patterns).

The component runs alone on Docs made with the pipeline's tokenizer and sentencizer; where a test
needs places or organizations found earlier, it sets those spans itself."""

from __future__ import annotations

from kg.nlp.doc import init_doc
from kg.records import Organization, Place


def run_persons(nlp, text: str, places=(), orgs=(), blocks=None, model: bool = True):
    """Doc for ``text`` after sentencizer, kg_ner (unless ``model`` is false: the rules alone)
    and kg_persons; ``places``/``orgs`` are substrings to mark."""
    doc = nlp.make_doc(text)
    init_doc(doc)
    if blocks is not None:
        doc._.kg_blocks = blocks
    doc = nlp.get_pipe("sentencizer")(doc)
    if model:
        doc = nlp.get_pipe("kg_ner")(doc)
    pspans, ospans = [], []
    for sub in places:
        i = text.index(sub)
        sp = doc.char_span(i, i + len(sub), alignment_mode="expand")
        sp._.kg_ref = (sub,)
        doc._.kg_places[(sub,)] = Place(name=sub, level="village", path=(sub,))
        pspans.append(sp)
    for sub in orgs:
        i = text.index(sub)
        sp = doc.char_span(i, i + len(sub), alignment_mode="expand")
        sp._.kg_ref = sub
        doc._.kg_orgs[sub] = Organization(name=sub)
        ospans.append(sp)
    doc.spans["kg_places"] = pspans
    doc.spans["kg_orgs"] = ospans
    return nlp.get_pipe("kg_persons")(doc)


def names(doc) -> set[str]:
    return set(doc._.kg_persons)


def test_role_cue_before_name(nlp):
    doc = run_persons(nlp, "永川区五间镇景圣村塘坎上村民小组建卡贫困户孙天英就是如此。")
    assert names(doc) == {"孙天英"}
    assert doc._.kg_persons["孙天英"].roles == ["建卡贫困户"]


def test_age_relation_gender_and_three_character_name(nlp):
    text = ("这是何埂镇护理病人培训班的第6天。当日晨，36岁的村民徐泉铃起了个大早，简单洗漱后，兴冲冲来到了离家不远的蒋家坝。\n"
            "“对我们贫困户来说实在是太友好了。”她说。\n"
            "徐泉铃有两个儿子，家里的经济来源完全靠丈夫吴军在工地上打零工。")
    doc = run_persons(nlp, text, places=["何埂镇", "蒋家坝"])
    assert names(doc) == {"徐泉铃", "吴军"}
    p = doc._.kg_persons["徐泉铃"]
    assert p.age == 36 and "村民" in p.roles
    assert p.gender == "female"
    assert ("丈夫", "吴军") in p.relations
    assert doc._.kg_persons["吴军"].gender == "male"
    assert [sp._.kg_ref for sp in doc.spans["kg_persons"]] == ["徐泉铃", "徐泉铃", "吴军"]


def test_two_character_name_decided_by_repetition(nlp):
    text = ("12月11日一早，綦江区郭扶镇平等村26岁的残疾贫困户杨刚坐着轮椅来到了村便民服务中心，开始了一天的工作。\n"
            "杨刚12岁时因为事故导致了下半身瘫痪，后来也因此被评为贫困户。村里在了解到杨刚的想法后，为他开发了公益性岗位。")
    doc = run_persons(nlp, text, places=["綦江区", "郭扶镇", "平等村"])
    assert names(doc) == {"杨刚"}
    assert doc._.kg_persons["杨刚"].age == 26          # not 12 (杨刚12岁时)


def test_speech_verb_after_name(nlp):
    doc = run_persons(nlp, "“我现在工资涨到每月7000元左右了！”肖仁安笑着说，感谢政府。")
    assert names(doc) == {"肖仁安"}


def test_clause_stating_a_role(nlp):
    doc = run_persons(nlp, "印向珍是首批进入车间的村民。陈淑香是黔江区金溪镇金溪社区8组居民，为建档立卡贫困户。",
                      places=["黔江区", "金溪镇", "金溪社区"])
    assert names(doc) == {"印向珍", "陈淑香"}
    assert doc._.kg_persons["陈淑香"].roles == ["居民"]


def test_role_inside_a_place_name_is_not_the_role(nlp):
    doc = run_persons(nlp, "38岁的肖仁安是城口县蓼子乡长湾村村民，家中两个女儿年幼。",
                      places=["城口县", "蓼子乡", "长湾村"])
    assert doc._.kg_persons["肖仁安"].roles == ["村民"]


def test_leader_with_title(nlp):
    doc = run_persons(nlp, "习近平总书记在视察河南时强调：“脱贫攻坚既要扶智也要扶志。”", places=["河南"])
    assert names(doc) == {"习近平"}
    assert doc._.kg_persons["习近平"].roles == ["总书记"]


def test_short_reference_resolved_to_full_name(nlp):
    text = ("浑浑噩噩的日子过了好些年，五间镇社保所所长吴娟和村社保员上门了。\n"
            "“吴所长经常到车间关心我们的工作情况，要我多看多学。”她说，在吴娟的鼓励下，自己主动参加了岗位培训。")
    doc = run_persons(nlp, text, orgs=["五间镇社保所"])
    assert names(doc) == {"吴娟"}
    assert doc._.kg_persons["吴娟"].aliases == ["吴所长"]
    assert [sp._.kg_ref for sp in doc.spans["kg_persons"]].count("吴娟") == 3


def test_relation_owner_through_possessive(nlp):
    text = ("五间镇和平村沙岚坳村民小组贫困户李正福瘫痪在床。李正福的儿子名叫李刚伟，今年37岁。"
            "吴娟还帮助李刚伟的母亲郭满元申报了公共环境卫生保洁公益性岗位。")
    doc = run_persons(nlp, text, places=["五间镇", "和平村", "沙岚坳村民小组"])
    assert {"李正福", "李刚伟", "郭满元"} <= names(doc)
    assert ("儿子", "李刚伟") in doc._.kg_persons["李正福"].relations
    assert ("母亲", "郭满元") in doc._.kg_persons["李刚伟"].relations
    assert doc._.kg_persons["李刚伟"].age == 37


def test_compound_surname(nlp):
    doc = run_persons(nlp, "村民欧阳春花说，培训班让她学到了手艺。")
    assert names(doc) == {"欧阳春花"}


def test_places_and_common_words_are_not_persons(nlp):
    text = ("截至目前，黔江区人社局已成功指导金溪、黄溪、黎水等乡镇创建了19个扶贫车间。"
            "近日，黔江区人社局在黔江区城南街道李家溪易地扶贫搬迁安置点举行渝鲁劳务协作专场招聘会。"
            "永川区就业和人才中心相关负责人表示，鼓励和引导有就业创业愿望的残疾人按需参加职业技能培训，努力实现有培训愿望的残疾人应训尽训。")
    doc = run_persons(nlp, text, places=["黔江区", "城南街道", "李家溪"], orgs=["黔江区人社局", "永川区就业和人才中心"])
    assert names(doc) == set()


def test_name_overlapping_a_known_place_is_not_a_person(nlp):
    doc = run_persons(nlp, "昨天，村民黄溪镇的人都来了。", places=["黄溪镇"])
    assert names(doc) == set()


def test_overlapping_candidates_keep_the_better_supported_name(nlp):
    text = ("酉阳县龙潭镇丹泉村村民冉俊松说。冉俊松家曾是建卡贫困户。"
            "春节前后，当地人社部门工作人员向冉俊松宣传了鲁渝劳务扶贫协作优惠政策。")
    doc = run_persons(nlp, text, places=["酉阳县", "龙潭镇", "丹泉村"])
    assert names(doc) == {"冉俊松"}


def test_byline_block_is_not_read(nlp):
    text = "杨刚说，他在村里上班。\n成蓉 宗雪 记者王小明说"
    cut = text.index("\n") + 1
    doc = run_persons(nlp, text, blocks=[(0, cut, "body"), (cut, len(text), "byline")])
    assert names(doc) == {"杨刚"}


def test_single_two_character_name_before_verb(nlp):
    doc = run_persons(nlp, "她的丈夫吴军回来帮忙。")
    assert names(doc) == {"吴军"}


def test_single_three_character_name_ending_in_function_character(nlp):
    # the rules alone cut it to 王小 (刚 is a common adverb); the model reads it whole
    doc = run_persons(nlp, "村民王小刚说，培训班很好。")
    assert names(doc) == {"王小刚"}


def test_list_of_names_closed_by_a_word_for_people(nlp):
    doc = run_persons(nlp, "参加培训的有周光学、印向珍等人。指导金溪、黄溪、黎水等乡镇创建了扶贫车间。")
    assert names(doc) == {"周光学", "印向珍"}


def test_bare_name_without_cue(nlp):
    # no role, verb, list or repetition: the rules alone miss it, the model proposes it
    doc = run_persons(nlp, "坐在后排的周光学听得很认真。")
    assert names(doc) == {"周光学"}
    assert names(run_persons(nlp, "坐在后排的周光学听得很认真。", model=False)) == set()


def test_coordinated_name_shares_the_cue(nlp):
    doc = run_persons(nlp, "在石门镇的扶贫车间里，村民李华和王秀敏正在缝制手套。", places=["石门镇"])
    assert names(doc) == {"李华", "王秀敏"}
    assert doc._.kg_persons["王秀敏"].roles == ["村民"]


def test_four_character_name_written_consistently(nlp):
    text = "家住昭觉县三河村的吉克阿呷是一名护林员。“现在日子好过多了。”吉克阿呷说。"
    doc = run_persons(nlp, text, places=["昭觉县", "三河村"])
    assert names(doc) == {"吉克阿呷"}
    assert doc._.kg_persons["吉克阿呷"].roles == ["护林员"]


def test_four_character_name_written_once(nlp):
    # the rules alone cut it to three characters; the model reads the minority name whole
    doc = run_persons(nlp, "他的妻子曲比阿果在村里的扶贫车间上班。")
    assert names(doc) == {"曲比阿果"}


def test_titles_and_anonymised_names_are_not_persons(nlp):
    doc = run_persons(nlp, "村民王某某告诉记者，他已经在工业园区上班。村民张大爷说，现在日子好多了。贫困户高兴地说，感谢好政策。")
    assert names(doc) == set()


def test_uyghur_name_with_middle_dot(nlp):
    # the model never proposes it (few such names in its training news): the dotted-name cue finds it
    doc = run_persons(nlp, "惊得野禽四起，艾合买提·热西提用袖子擦了擦汗。艾合买提和身后的同乡一起走进棉田。")
    assert "艾合买提·热西提" in names(doc)


def test_names_joined_by_a_middle_dot(nlp):
    text = ("村民阿依努尔·赛买提笑呵呵地说。阿依努尔每天在家门口上班。"
            "秘书长瓦尔特·沙佛尔霍夫说，繁忙景象让图罕·赛麦尔感到紧张。")
    doc = nlp(text)
    names = set(doc._.kg_persons)
    assert {"阿依努尔·赛买提", "瓦尔特·沙佛尔霍夫", "图罕·赛麦尔"} <= names
    assert "阿依努尔" not in names      # the first part alone is the same person
    assert "阿依努尔" in doc._.kg_persons["阿依努尔·赛买提"].aliases


def test_third_character_that_follows_names_is_kept_when_every_mention_has_it(nlp):
    # 来 usually follows a name (X来了), but every mention of this one has it and one ends at 是
    text = ("该镇乌牛河村村民储召来手拿着一叠企业招聘岗位表和宣传材料，在现场与村扶贫专干交流着。"
            "储召来是乌牛河村2016年脱贫的建档立卡贫困户，春节前他从湖北武汉返乡。")
    doc = run_persons(nlp, text, places=["乌牛河村"])
    assert "储召来" in doc._.kg_persons and "储召" not in doc._.kg_persons


def test_adverb_before_a_verb_with_zhe_is_no_part_of_the_name(nlp):
    doc = run_persons(nlp, "裁剪工何茂喜和妻子陈香正拿着电剪，沿着电脑打印出来的图案裁剪布料。")
    assert "陈香" in doc._.kg_persons and "陈香正" not in doc._.kg_persons


def test_tibetan_name_is_completed_by_its_name_word(nlp):
    # the model ends the name one character short (李毛才|让); 才让 is a Tibetan name word
    doc = run_persons(nlp, "村级光伏扶贫电站，让村民有了稳定的收入来源。”廿地乡政府干部李毛才让接过话头，"
                           "电站发电收入，六成用于发展集体经济。")
    assert "李毛才让" in doc._.kg_persons and "李毛才" not in doc._.kg_persons


def test_name_words_do_not_swallow_a_following_adverb(nlp):
    # 才让 after a complete name is 刚才让 (just now let), not a Tibetan name word
    doc = run_persons(nlp, "村民王刚说，他刚才让儿子去镇上买化肥。")
    assert "王刚" in doc._.kg_persons and not any(n.startswith("王刚才") for n in doc._.kg_persons)


def test_byline_verb_after_a_reporters_name(nlp):
    doc = run_persons(nlp, "他已经可以熟练操作冲压机。本报记者郝飞发自东莞。")
    assert "郝飞发" not in doc._.kg_persons


def test_person_named_by_surname_and_title_alone(nlp):
    # no full name with the surname in the text: the reference is a person, the surname its alias
    doc = run_persons(nlp, "每年清明节后，都会收到陈老师寄来的玉峰茶。")
    assert "陈老师" in doc._.kg_persons
    assert doc._.kg_persons["陈老师"].aliases == ["陈"]


def test_surname_and_title_with_a_full_name_is_the_short_reference(nlp):
    doc = run_persons(nlp, "村民陈秀英在车间上班。陈大姐说，她每月能挣两千元。")
    assert set(doc._.kg_persons) == {"陈秀英"}
    assert "陈大姐" in doc._.kg_persons["陈秀英"].aliases


def test_surname_like_character_in_a_word_is_no_reference(nlp):
    # 任 serves as (任组长); 老师 is a word, not 老 + the surname 师
    doc = run_persons(nlp, "区委、区政府有关领导任组长和副组长。授课老师说，学员学得很认真。")
    assert not doc._.kg_persons


def test_proposed_name_running_into_a_word_is_trimmed(nlp):
    # 邓小平|理论 every time: the following character opens a common word, not the name
    doc = run_persons(nlp, "他们组织骨干教师围绕邓小平理论，联系实际，编写了一整套教材，使邓小平理论学习由战役转入常规。")
    assert "邓小平理" not in doc._.kg_persons


def test_proposed_name_ends_before_a_title(nlp):
    doc = run_persons(nlp, "骨质增生专科门诊开业两年来，王家传人王汝大夫采用中医药“掌拍”疗法。")
    assert "王汝大夫" not in doc._.kg_persons
