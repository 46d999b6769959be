"""The example queries (queries/*.rq): each answers its question on the hand-made records of
real corpus facts (tests/data/records_corpus.json), checked by hand against the articles;
slow tests check the same questions on a built corpus output (``output/`` or $KG_TEST_OUTPUT)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kg.graph import build_graph, write_graph
from kg.records import ArticleRecord
from kg.resources import queries_dir
from kg.store import build_store, open_store, query

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[1]
F000, F001, F002, F003 = ("000_832e13d42f1660e4.txt", "001_d699e7130214e09d.txt", "002_3a04103933793c00.txt",
                          "003_7f47214507696cc7.txt")


def run(store, name: str) -> list[dict]:
    path = queries_dir() / name
    return query(store, path.read_text(encoding="utf-8"), source=str(path)).values()


def rows(store, name: str, *cols: str) -> list[tuple]:
    return [tuple(r[c] for c in cols) for r in run(store, name)]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    out = tmp_path_factory.mktemp("queries")
    recs = json.loads((DATA / "records_corpus.json").read_text(encoding="utf-8"))
    write_graph(build_graph([ArticleRecord.from_dict(d) for d in recs]), out)
    return open_store(build_store(out / "kg.nt", out / "store"))


def test_every_query_is_documented_and_tested():
    files = sorted(p.name for p in queries_dir().glob("*.rq"))
    assert len(files) >= 10
    tested = {name for name in globals() if name.startswith("test_q")}
    for f in files:
        text = (queries_dir() / f).read_text(encoding="utf-8")
        assert text.startswith("# "), f"{f} must open with a comment saying what it asks"
        assert f"test_q{f[:2]}" in {t[:8] for t in tested}, f"{f} has no test"


def test_q01_monthly_income_by_category(store):
    got = {r["label"]: (r["incomes"], r["min_yuan_month"], r["mean_yuan_month"], r["max_yuan_month"])
           for r in run(store, "01_monthly_income_by_category.rq")}
    # 陈清友 4000多 + 冉俊松 5000多 (labour cooperation); 杨刚 1800 + 张均 2000 (public-welfare jobs);
    # 任启勇 after training 约3000 (his 不到1000 before is left out); 曾晓林 4000 (workshop);
    # 黄家君's yearly 收入 from selling fish is his business's revenue and his 利润 its profit:
    # neither is a person's monthly income, so 创业扶持 has none
    assert got == {"劳务协作": (2, 4000, 4500, 5000), "公益性岗位": (2, 1800, 1900, 2000),
                   "招聘会": (1, 4000, 4000, 4000), "就业推荐": (1, 3000, 3000, 3000),
                   "扶贫车间": (1, 4000, 4000, 4000), "技能培训": (1, 3000, 3000, 3000)}


def test_q01_and_the_report_use_one_rule(store, tmp_path):
    """Query 01 (summary and portable shapes) and the report's table give the same n, mean, min
    and max per category on the same graph: one rule for kinds, periods and ranges."""
    import re

    from kg import analytics as A
    from kg.summary import RULES

    recs = json.loads((DATA / "records_corpus.json").read_text(encoding="utf-8"))
    g = build_graph([ArticleRecord.from_dict(d) for d in recs])
    report = {r["label"]: r["monthly_after"] for r in A.outcomes_by_category(A.load_graph(g)) if r["category"] != "ALL"}
    for name in ("01_monthly_income_by_category.rq", "portable/01_monthly_income_by_category.rq"):
        got = {r["label"]: {"n": r["incomes"], "mean": r["mean_yuan_month"], "min": r["min_yuan_month"],
                            "max": r["max_yuan_month"]} for r in run(store, name)}
        assert got == {k: v for k, v in report.items() if v["n"]}, name
    # the kinds the queries count are the report's (kg.analytics.PERSONAL_KINDS)
    texts = [(queries_dir() / "portable/01_monthly_income_by_category.rq").read_text(encoding="utf-8"),
             dict(RULES)["category monthly incomes"]]
    for text in texts:
        listed = re.search(r'\?kind IN \(([^)]*)\)', text).group(1)
        assert tuple(w.strip().strip('"') for w in listed.split(",")) == A.PERSONAL_KINDS


def test_q02_beneficiaries_by_county_township(store):
    got = rows(store, "02_beneficiaries_by_county_township.rq", "county", "township", "beneficiaries")
    assert got[:3] == [("永川区", "五间镇", 3), ("永川区", "何埂镇", 2), ("永川区", "临江镇", 1)]
    assert ("黔江区", "金溪镇", 1) in got and ("綦江区", "文龙街道", 1) in got and ("铜梁区", "侣俸镇", 1) in got
    assert len(got) == 10 and sum(r[2] for r in got) == 13


def test_q03_cases_in_township_with_evidence(store, raw_article):
    got = [r for r in run(store, "03_cases_in_township_with_evidence.rq") if r["township"] == "五间镇"]
    assert [r["person"] for r in got] == ["孙天英"] * 3 + ["李刚伟"] * 2 + ["郭满元"]
    raw = raw_article("000")
    for r in got:
        assert r["file"] == F000
        assert "".join(raw[r["start"]:r["end"]].split()) == r["sentence"]
    assert got[0]["sentence"] == "永川区五间镇景圣村塘坎上村民小组建卡贫困户孙天英就是如此。"


def test_q04_employers_by_village(store):
    got = rows(store, "04_employers_by_village.rq", "employer", "village", "township", "persons")
    assert sorted(got) == sorted([
        ("五间镇蕊福农食用菌种植有限公司", "景圣村", "五间镇", 1), ("重庆隆兆机械有限公司", "和平村", "五间镇", 1),
        ("美佳科苑食品加工厂", "梨子村", "新乡乡", 1), ("重庆赛之源齿轮制造有限公司", "春灯村", "文龙街道", 1),
        ("重庆卫之服饰有限公司", "桃坪村", "金溪镇", 1), ("龙灯彩扎基地扶贫车间", "坪漆村", "太平镇", 1),
        ("侣俸镇政府", "文曲村", "侣俸镇", 1)])
    # the social-security office refers people, it does not employ them
    assert all(r[0] != "五间镇社保所" for r in got)


def test_q05_workshops_most_beneficiaries(store):
    got = rows(store, "05_workshops_most_beneficiaries.rq", "workshop", "organizer", "place", "file", "beneficiaries")
    assert got == [("扶贫车间", "重庆卫之服饰有限公司", "金溪镇", F001, 1),      # 曾晓林
                   ("龙灯彩扎基地扶贫车间", "龙灯彩扎基地扶贫车间", "坪漆村", F002, 1)]   # 周光学


def test_q06_income_before_after(store):
    (r,) = run(store, "06_income_before_after.rq")
    assert (r["person"], r["period"], r["before"], r["after"], r["change"]) == ("任启勇", "month", 1000, 3000, 2000)
    assert set(r["categories"].split(", ")) == {"JobReferral", "SkillsTraining"}


@pytest.fixture(scope="module")
def dated_store(tmp_path_factory):
    """The hand-made records with the times of 黄家君's incomes (000): 2016年 he bought the fry,
    经过一年 … 当年 (2017) 实现收入20万元，净赚5万元; 今年 (the article's 2020: 2020年2月底 …)
    年收入25万元，纯利润10万元; his start 2015年 (毕业). Checked by hand against the article."""
    from kg.records import When

    out = tmp_path_factory.mktemp("queries_dated")
    recs = [ArticleRecord.from_dict(d) for d in json.loads((DATA / "records_corpus.json").read_text(encoding="utf-8"))]
    (case,) = [c for r in recs for c in r.cases if c.person == "黄家君"]
    for inc in case.incomes:
        inc.when = (When(text="当年", year=2017) if inc.amount in (200000, 50000)
                    else When(text="今年", offset_years=0))
        inc.when.resolve("2020")
    case.start = When(text="2015年", year=2015)
    write_graph(build_graph(recs), out)
    return open_store(build_store(out / "kg.nt", out / "store"))


def test_q14_income_changes_by_year(dated_store):
    got = rows(dated_store, "14_income_changes_by_year.rq", "person", "kind", "period", "year", "amount", "when",
               "startYear", "previousYear", "previousAmount", "change")
    assert got == [("黄家君", "profit", "year", 2017, 50000, "当年", 2015, None, None, None),
                   ("黄家君", "profit", "year", 2020, 100000, "今年", 2015, 2017, 50000, 50000),
                   ("黄家君", "revenue", "year", 2017, 200000, "当年", 2015, None, None, None),
                   ("黄家君", "revenue", "year", 2020, 250000, "今年", 2015, 2017, 200000, 50000)]
    assert rows(dated_store, "06_income_before_after.rq", "person") == [("任启勇",)]   # the others are unchanged


def test_q07_labour_cooperation_flows(store):
    got = rows(store, "07_labour_cooperation_flows.rq", "homeCounty", "workProvince", "persons")
    assert sorted(got) == [("酉阳土家族苗族自治县", "山东省", 1), ("黔江区", "山东省", 1)]


def test_q08_statistics_by_district(store):
    got = rows(store, "08_statistics_by_district.rq", "district", "category", "value", "unit")
    assert [r for r in got if r[0] == "永川区"] == [
        ("永川区", None, 4299, "人"), ("永川区", "PovertyWorkshop", 50, "人"), ("永川区", "PovertyWorkshop", 5, "个"),
        ("永川区", "PublicWelfareJob", 1856, "人"), ("永川区", "SkillsTraining", 449, "人")]
    assert ("黔江区", "PovertyWorkshop", 389, "人") in got and ("铜梁区", "PovertyWorkshop", 11, "个") in got
    assert len(got) == 10


def test_q09_programs_and_cases_by_category(store):
    got = {r["category"].rsplit("#", 1)[1]: (r["zh"], r["programs"], r["cases"])
           for r in run(store, "09_programs_and_cases_by_category.rq")}
    assert len(got) == 9
    assert got["SkillsTraining"] == ("技能培训", 4, 5)      # 徐泉铃 王世莲 孙天英 黄家君 任启勇
    assert got["PovertyWorkshop"] == ("扶贫车间", 2, 2)     # 曾晓林 周光学
    assert got["SocialInsurance"] == ("社保扶贫", 0, 0)


def test_q10_income_provenance(store, raw_article):
    got = run(store, "10_income_provenance.rq")
    assert len(got) == 14
    raw = {f: raw_article(f[:3]) for f in (F000, F001, F002, F003)}
    for r in got:
        assert raw[r["file"]][r["start"]:r["end"]] == r["raw"]
    zgx = [(r["amount"], r["amountMax"], r["approximate"]) for r in got if r["person"] == "周光学"]
    assert sorted(zgx, key=lambda x: x[0]) == [(100, None, True), (200, 300, False)]


def test_q11_where_beneficiaries_live(store):
    got = [(r["ancestor"], r["level"]) for r in run(store, "11_where_beneficiaries_live.rq")
           if r["person"] == "孙天英"]
    assert got == [("塘坎上村民小组", "group"), ("景圣村", "village"), ("五间镇", "township"),
                   ("永川区", "county"), ("重庆市", "province")]


def test_q12_organizations_by_cases(store):
    got = rows(store, "12_organizations_by_cases.rq", "organization", "kind", "persons")
    assert got[0] == ("五间镇社保所", "bureau", 3)      # 孙天英 李刚伟 郭满元
    assert ("黔江区人社局", "bureau", 1) in got and len(got) == 10


# -- the same questions on a built corpus output ---------------------------------------

@pytest.fixture(scope="module")
def corpus_store():
    out = Path(os.environ.get("KG_TEST_OUTPUT", ROOT / "output"))
    if not (out / "store").exists():
        pytest.skip(f"no built store in {out} (run `kg build` or set KG_TEST_OUTPUT)")
    return open_store(out / "store")


@pytest.mark.slow
def test_corpus_beneficiaries_by_township(corpus_store):
    got = {(r[0], r[1]): r[2] for r in rows(corpus_store, "02_beneficiaries_by_county_township.rq",
                                            "county", "township", "beneficiaries")}
    assert got.get(("永川区", "五间镇"), 0) >= 3          # 孙天英, 李刚伟, 郭满元
    assert got.get(("永川区", "临江镇"), 0) >= 1          # 黄家君
    assert got.get(("铜梁区", "侣俸镇"), 0) >= 1          # 张均


@pytest.mark.slow
def test_corpus_beneficiaries_in_hegeng(corpus_store):
    got = {(r[0], r[1]): r[2] for r in rows(corpus_store, "02_beneficiaries_by_county_township.rq",
                                            "county", "township", "beneficiaries")}
    assert got.get(("永川区", "何埂镇"), 0) >= 2          # 徐泉铃, 王世莲


@pytest.mark.slow
def test_corpus_income_before_after(corpus_store):
    got = rows(corpus_store, "06_income_before_after.rq", "person", "before", "after")
    assert ("肖仁安", 2000, 7000) in got                 # 每月只有2000元左右 -> 涨到每月7000元左右


@pytest.mark.slow
@pytest.mark.xfail(reason="extraction: 任启勇's 每月打零工仅有不到1000元 is not marked as the income before the "
                          "program", strict=False)
def test_corpus_income_before_after_ren(corpus_store):
    got = rows(corpus_store, "06_income_before_after.rq", "person", "before", "after")
    assert ("任启勇", 1000, 3000) in got


@pytest.mark.slow
def test_corpus_labour_flows(corpus_store):
    got = rows(corpus_store, "07_labour_cooperation_flows.rq", "homeCounty", "workProvince")
    assert ("黔江区", "山东省") in got                     # 陈清友, 梨子村 -> 日照
    assert any(h.startswith("酉阳") and w == "山东省" for h, w in got)   # 冉俊松 -> 东营


@pytest.mark.slow
def test_corpus_statistics_and_provenance(corpus_store, raw_article):
    stats = rows(corpus_store, "08_statistics_by_district.rq", "district", "value")
    assert ("永川区", 4299) in stats and ("永川区", 1856) in stats
    incomes = run(corpus_store, "10_income_provenance.rq")
    assert len(incomes) >= 10
    for r in incomes:
        assert raw_article(r["file"][:3])[r["start"]:r["end"]] == r["raw"]


@pytest.mark.slow
def test_corpus_employers(corpus_store):
    employers = rows(corpus_store, "04_employers_by_village.rq", "employer", "village")
    assert ("重庆隆兆机械有限公司", "和平村") in employers       # 李刚伟, 沙岚坳村民小组
    assert ("五间镇蕊福农食用菌种植有限公司", "景圣村") in employers   # 孙天英, 塘坎上村民小组


@pytest.mark.slow
def test_corpus_organizations_by_cases(corpus_store):
    orgs = {r[0]: r[1] for r in rows(corpus_store, "12_organizations_by_cases.rq", "organization", "persons")}
    assert orgs.get("五间镇社保所", 0) >= 3               # 孙天英, 李刚伟, 郭满元


@pytest.mark.slow
def test_corpus_monthly_income_by_category(corpus_store):
    got = {r["label"]: r for r in run(corpus_store, "01_monthly_income_by_category.rq")}
    # 陈清友 4000多 (日照), 冉俊松 5000多 (东营), 李留朝 5000 (上海): labour cooperation
    assert got["劳务协作"]["incomes"] >= 2 and got["劳务协作"]["max_yuan_month"] == 5000
    # 杨刚 1800 and 张均 2000左右 in public-welfare jobs
    assert got["公益性岗位"]["min_yuan_month"] == 1800 and got["公益性岗位"]["max_yuan_month"] == 2000


@pytest.mark.slow
def test_corpus_cases_in_wujian_with_evidence(corpus_store, raw_article):
    got = [r for r in run(corpus_store, "03_cases_in_township_with_evidence.rq") if r["township"] == "五间镇"]
    assert {"孙天英", "李刚伟", "郭满元"} <= {r["person"] for r in got}
    raw = raw_article("000")
    for r in got:
        assert "".join(raw[r["start"]:r["end"]].split()) == "".join(r["sentence"].split())


@pytest.mark.slow
def test_corpus_workshops(corpus_store):
    got = run(corpus_store, "05_workshops_most_beneficiaries.rq")
    # 曾晓林 of 桃坪村 works in the 扶贫车间 of 重庆卫之服饰有限公司 (001); 印向珍 in 长乐村's (003)
    assert any(r["place"] == "桃坪村" and r["beneficiaries"] >= 1 for r in got)
    assert any(r["place"] == "长乐村" and r["beneficiaries"] >= 1 for r in got)


@pytest.mark.slow
def test_corpus_categories(corpus_store):
    got = {r["category"].rsplit("#", 1)[1]: r for r in run(corpus_store, "09_programs_and_cases_by_category.rq")}
    assert len(got) == 9
    # 11 cases take part in training in the gold (徐泉铃 王世莲 孙天英 李刚伟 黄家君 陈淑香 任启勇 肖仁安
    # 赵晓权 李国旗 张秀花); allow the extraction to miss one
    assert got["SkillsTraining"]["cases"] >= 10


@pytest.mark.slow
def test_corpus_where_sun_tianying_lives(corpus_store):
    got = [(r["ancestor"], r["level"]) for r in run(corpus_store, "11_where_beneficiaries_live.rq")
           if r["person"] == "孙天英"]
    assert got == [("塘坎上村民小组", "group"), ("景圣村", "village"), ("五间镇", "township"),
                   ("永川区", "county"), ("重庆市", "province")]


def test_q13_cases_near_a_county_seat(store):
    from kg.geo import distance_km, point_for_code

    got = rows(store, "13_cases_near_a_county_seat.rq", "person", "county", "distanceKm")
    # within 100 km of 永川区's seat: its own six cases (their villages carry its seat), then
    # 铜梁区 (张均, 周光学) and 綦江区 (任启勇, 杨刚); 黔江区 and 酉阳 lie ~275 km away
    assert [(p, c) for p, c, _ in got] == [
        ("孙天英", "永川区"), ("徐泉铃", "永川区"), ("李刚伟", "永川区"), ("王世莲", "永川区"), ("郭满元", "永川区"),
        ("黄家君", "永川区"), ("周光学", "铜梁区"), ("张均", "铜梁区"), ("任启勇", "綦江区"), ("杨刚", "綦江区")]
    seat = point_for_code("500118")          # 永川区
    for county, code in (("铜梁区", "500151"), ("綦江区", "500110")):
        other = point_for_code(code)
        km = distance_km((seat.lon, seat.lat), (other.lon, other.lat))
        assert {d for _, c, d in got if c == county} == {round(km)}, county   # the query's arithmetic is exact enough
    assert all(d == 0 for _, c, d in got if c == "永川区")


@pytest.mark.slow
def test_corpus_income_changes_by_year(corpus_store):
    got = rows(corpus_store, "14_income_changes_by_year.rq", "person", "year", "amount", "when", "startYear")
    # 004: 2018年冬，张秀花报名参加了在乡里举办的…培训…每月能挣3000元左右
    assert ("张秀花", 2018, 3000, "2018年冬", 2018) in got
