"""kg_times on real sentences: time expressions, their resolution against the article's date,
and which facts each governs (by clause). The header reader is tested in tests/test_readers.py."""

from __future__ import annotations

import pytest

from kg.errors import KGError
from kg.nlp.doc import init_doc
from kg.nlp.times import TimeCues, cn_number, find_times, load_time_cues
from kg.records import ArticleMeta, ArticleRecord, Case, Income, When


@pytest.fixture(scope="module")
def cues() -> TimeCues:
    return load_time_cues()


def times(cues, text, date=None):
    return [(t.when.text, t.when.iso()) for t in find_times(text, cues, date)]


# -- expressions --------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "date", "expected"), [
    # absolute years, months, parts of the year (corpus/004, corpus/000, ../shared/real r06)
    ("2018年冬，张秀花在家门口的扶贫车间上班，每月能挣3000元左右。", None, [("2018年冬", "2018")]),
    ("2020年2月底，眼看到了鱼苗销售期，因受疫情影响，鱼苗无法外运。", None, [("2020年2月底", "2020-02")]),
    ("2018年4月,曲尼一家还住在曲水县色达村,靠着几亩薄田和牛羊过日子", None, [("2018年4月", "2018-04")]),
    ("现年28岁的黄家君2015年毕业于云南农业", None, [("2015年", "2015")]),
    # relative years and months, resolved against the article's date (r03: 2019-02-21)
    ("去年10月16日,普安58名贫困人员就到", "2019-02-21", [("去年10月16日", "2018-10-16")]),
    ("他是在上个月,由镇海区委、区人民政府和普安县委、县人民政府组织", "2019-02-21", [("上个月", "2019-01")]),
    ("2月17日清晨5点不到,普安县城的一家宾馆", "2019-02-21", [("2月17日", "2019-02-17")]),
    ("依托技能培训,西藏波密县玉普乡米堆村村民扎西次旺,5年前学习机动车驾驶技术", "2021-11", [("5年前", "2016")]),
    ("由于他3年前参加县里组织的免费电焊培训", "2020", [("3年前", "2017")]),
    ("“40多年前,俺们觉得没有风沙就是过上了小康生活", "2020", [("40多年前", "1980")]),
    ("2013年从广西玉林师范大学毕业后,杜赢带着女朋友回乡创业,去年盈利20多万元,今年准备新建600平方米的大厂房。",
     "2016-03-10", [("2013年", "2013"), ("去年", "2015"), ("今年", "2016")]),
    # without the article's date a relative time stays unresolved, with its expression
    ("去年底，肖仁安又参加了城口县人社部门组织的培训", None, [("去年底", None)]),
    ("和两三年前的她比起来，简直是天翻地覆", "2020", [("两三年前", None)]),
])
def test_time_expressions_on_real_sentences(cues, text, date, expected):
    assert times(cues, text, date) == expected


def test_parts_since_and_words_that_are_not_times(cues):
    (w,) = [t.when for t in find_times("2018年冬，她", cues)]
    assert w.part == "winter" and not w.relative
    (w,) = [t.when for t in find_times("从2019年至今先后组织大型招聘活动73场", cues)]
    assert w.since and w.year == 2019
    (w,) = [t.when for t in find_times("截至今年底，綦江区实现新增就业人数13917人", cues, "2020-12-20")]
    assert (w.year, w.part, w.offset_years) == (2020, "end", 0)
    # 2019年春风行动 is a program, 2019年初中 a school: the year only; 体现在 is not 现在
    assert times(cues, "参加2019年春风行动招聘会") == [("2019年", "2019")]
    assert times(cues, "他2019年初中毕业") == [("2019年", "2019")]
    assert times(cues, "这体现在收入上") == []
    # 今年37岁 states an age: it governs nothing beyond its clause
    (t,) = find_times("伟，今年37岁，虽正值盛年", cues)
    assert t.age
    # 12月11日一早: the reporter's scene, not when a program began
    (t,) = find_times("12月11日一早，綦江区郭扶镇平等村26岁的残疾贫困户杨刚坐着轮椅来到了村便民服务中心", cues)
    assert t.scene


@pytest.mark.parametrize(("text", "n"), [("三", 3), ("十二", 12), ("二十", 20), ("40", 40), ("两", 2),
                                         ("几", None), ("两三", None)])
def test_cn_number(text, n):
    assert cn_number(text) == n


# -- resolution ---------------------------------------------------------------------------

def test_resolve_against_the_article_date_and_again_when_it_changes():
    w = When(text="去年10月16日", month=10, day=16, offset_years=-1)
    w.resolve(None)
    assert w.iso() is None and w.anchor is None               # unresolved without a date
    w.resolve("2019-02-21")
    assert (w.iso(), w.anchor) == ("2018-10-16", "2019-02-21")
    w.resolve("2020")                                          # a manifest gives another date
    assert w.iso() == "2019-10-16"
    m = When(text="上个月", offset_months=-1)
    m.resolve("2019-01-05")
    assert m.iso() == "2018-12"                                # across the year
    m.resolve("2019")                                          # a month offset needs the month
    assert m.iso() is None
    a = When(text="2016年", year=2016)
    a.resolve("2020-01-01")
    assert a.iso() == "2016" and a.anchor is None              # absolute: untouched


def test_record_round_trip_and_anchor_times():
    inc = Income(amount=3000, period="month", when=When(text="去年", offset_years=-1, scope="sentence"))
    rec = ArticleRecord(meta=ArticleMeta(file_name="x.txt", sha256="0"),
                        cases=[Case(person="某", incomes=[inc], start=When(text="三年前", offset_years=-3))])
    rec.anchor_times("2020-06-01")
    back = ArticleRecord.from_dict(rec.to_dict())
    assert back.cases[0].incomes[0].when.iso() == "2019" and back.cases[0].incomes[0].when.scope == "sentence"
    assert back.cases[0].start.iso() == "2017"
    back.anchor_times(None)
    assert [w.iso() for w in back.times()] == [None, None]


def test_cue_file_errors_name_the_line(tmp_path):
    bad = tmp_path / "cues.tsv"
    bad.write_text("kind\tword\tvalue\nrel_year\t去年\tone\n", encoding="utf-8")
    with pytest.raises(KGError, match=r"cues.tsv:2: .*not an integer"):
        TimeCues.from_file(bad)
    bad.write_text("part\t冬\tsnow\n", encoding="utf-8")
    with pytest.raises(KGError, match=r"cues.tsv:1: .*not one of"):
        TimeCues.from_file(bad)


# -- which facts a time governs (the pipeline component) ----------------------------------

def run(nlp, text, date=None):
    doc = nlp.make_doc(text)
    init_doc(doc)
    doc._.kg_date = date
    for name in ("sentencizer", "kg_outcomes", "kg_stats", "kg_times"):
        doc = nlp.get_pipe(name)(doc)
    return doc


def test_income_takes_the_time_of_its_clause(nlp):
    doc = run(nlp, "2013年从广西玉林师范大学毕业后,杜赢带着女朋友回乡创业,去年盈利20多万元,今年准备新建600平方米的大厂房。",
              "2016-03-10")
    (inc,) = doc._.kg_incomes
    assert (inc.when.text, inc.when.year, inc.when.scope) == ("去年", 2015, "clause")
    assert doc.text[inc.when.evidence.start:inc.when.evidence.end] == "去年"


def test_leading_adverbial_governs_the_clauses_after_it(nlp):
    doc = run(nlp, "2018年冬，张秀花在家门口的扶贫车间上班，每月能挣3000元左右。")
    (inc,) = doc._.kg_incomes
    assert (inc.when.text, inc.when.year, inc.when.part, inc.when.scope) == ("2018年冬", 2018, "winter", "sentence")


def test_now_and_age_govern_only_their_own_clause(nlp):
    doc = run(nlp, "伟，今年37岁，只能靠打零工补贴家用，每月收入不到1000元。")
    assert [i.when for i in doc._.kg_incomes] == [None]
    doc = run(nlp, "“以前我在杭州一家电子厂打工，如今家门口有了这个车间，每月能挣2000元。”", "2017-02-01")
    assert [i.when for i in doc._.kg_incomes] == [None]     # 如今 is in another clause
    doc = run(nlp, "何茂喜说，“我俩现在月收入加起来至少有1万元。”", "2020-03-25")
    (inc,) = doc._.kg_incomes
    assert (inc.when.text, inc.when.year, inc.phase) == ("现在", 2020, "after")


def test_that_year_is_the_year_before_it_in_its_sentence(nlp):
    doc = run(nlp, "2016年，黄家君从外地购进白甲乌鳢鱼苗2万尾，当年实现收入20万元。")
    (inc,) = doc._.kg_incomes
    assert (inc.when.text, inc.when.year, inc.when.relative) == ("当年", 2016, False)
    doc = run(nlp, "2016年，黄家君从外地购进白甲乌鳢鱼苗2万尾。当年实现收入20万元。")
    (inc,) = doc._.kg_incomes
    assert (inc.when.text, inc.when.year) == ("当年", None)      # not across sentences
    # real_more/heldout2 x14 (工资 for its 补助, which is no income): 当月 is that year
    doc = run(nlp, "2016年,李玉花第一次听说“生态护林员”的工作,她便报了名,当月便领到800元工资。")
    (inc,) = doc._.kg_incomes
    assert (inc.when.text, inc.when.year, inc.when.scope) == ("当月", 2016, "clause")


def test_no_time_across_sentences(nlp):
    doc = run(nlp, "2016年，黄家君从外地购进白甲乌鳢鱼苗2万尾。经过一年的精心养殖，实现收入20万元。")
    assert [i.when for i in doc._.kg_incomes] == [None]


def test_statistic_takes_its_sentence_time(nlp):
    doc = run(nlp, "今年以来，黔江区已开展贫困人员职业培训3170人次，其中，易地扶贫搬迁贫困人员培训685人次。",
              "2020-12-01")
    assert doc._.kg_stats
    for st in doc._.kg_stats:
        assert (st.when.text, st.when.year, st.when.since) == ("今年以来", 2020, True)


def test_case_start_on_a_real_article(nlp, corpus_dir):
    """corpus/004: 张秀花 began at the workshop in 2018年冬; 赵晓权's training was 3年前."""
    from kg.corpus import read_article
    from kg.extract import extract_article

    (path,) = corpus_dir.glob("004_*.txt")
    rec = extract_article(nlp, read_article(path))
    starts = {c.person: c.start for c in rec.cases}
    assert starts["张秀花"].text == "2018年冬" and starts["张秀花"].year == 2018
    assert starts["赵晓权"].text == "3年前" and starts["赵晓权"].year is None   # no article date: unresolved
    rec.anchor_times("2020")
    assert {c.person: c.start for c in rec.cases}["赵晓权"].year == 2017
    raw = path.read_text(encoding="utf-8")
    for w in rec.times():
        assert raw[w.evidence.start:w.evidence.end] == w.evidence.raw_text


def test_an_officials_visit_dates_no_case(nlp):
    # 8月23日 dates the first secretary's visit to the workshop, not the worker's start there
    doc = nlp("村支书邹冬英将徐燕平介绍到了扶贫车间工作。8月23日第一书记和村支书来到扶贫车间了解贫困户的就业情况，"
              "徐燕平就在其中，她正卖力地干着活。")
    assert all(c.start is None or "8月23日" not in c.start.text for c in doc._.kg_cases)
