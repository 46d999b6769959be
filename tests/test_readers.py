"""Tests of kg.readers: web pages, PDFs and Word files made from real article text
(corpus/*.txt, ../shared/real/texts when present) read back to that text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from saved_pages import NAV, RELATED, docx_bytes, html_page, pdf_bytes, scanned_pdf_bytes

from kg.readers import FORMATS, ReadError, read_docx, read_header, read_html, read_pdf

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "corpus").glob("*.txt"))
REAL = ROOT.parent / "shared" / "real" / "texts"
REAL_MORE = ROOT / "tests" / "data" / "real_more"


def squeeze(text: str) -> str:
    """Text without whitespace (and the page numbers a print adds): what reading order must keep."""
    return re.sub(r"[\s\u3000]", "", text)


def seed_text(n: int = 0, chars: int = 1500) -> str:
    """The first paragraphs of a corpus article, cut at a line end."""
    text = SEEDS[n].read_text(encoding="utf-8")
    return text[: text.index("\n", chars) + 1]


def paragraphs(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


# --------------------------------------------------------------------------- HTML
def test_html_page_gives_the_article_without_navigation_comments_or_related_list():
    text = seed_text(0)
    page = read_html(html_page(text, title="“技术+勤劳”是留守群众脱贫的密码", date="2020-12-10",
                               site="永川区人民政府网", author="李华",
                               url="http://www.cqyc.gov.cn/zwxx_208/bmdt/202012/t20201210_1.html"))
    assert page.format == "html"
    assert squeeze(text) in squeeze(page.text)                   # every paragraph, in order
    for junk in (*NAV[1:], *RELATED, "网友评论", "为家乡点赞", "ICP备", "请输入关键字", "分享到", "_hmt"):
        assert junk not in page.text, junk
    assert page.fields == {"title": "“技术+勤劳”是留守群众脱贫的密码", "date": "2020-12-10",
                           "publisher": "永川区人民政府网", "author": "李华",
                           "url": "http://www.cqyc.gov.cn/zwxx_208/bmdt/202012/t20201210_1.html"}
    assert page.text.startswith("“技术+勤劳”是留守群众脱贫的密码\n\n")    # the headline first, as in a text file


def test_html_paragraphs_are_set_as_in_a_text_article():
    """Body paragraphs indented and set off by a blank line; a heading not indented."""
    text = seed_text(1, 600)
    html = html_page(text).replace("<p>决战决胜脱贫攻坚</p>", "<h2>决战决胜脱贫攻坚</h2>")
    lines = read_html(html).text.split("\n")
    assert all(ln == "" for ln in lines[1::2])
    body = [ln for ln in lines if ln]
    assert any(ln == "决战决胜脱贫攻坚" for ln in body) or "决战决胜脱贫攻坚" not in text
    assert sum(ln.startswith("\u3000\u3000") for ln in body) >= len(paragraphs(text)) - 2


def test_html_page_without_article_text_is_refused():
    with pytest.raises(ReadError, match="an HTML page without article text"):
        read_html("<html><head><title>首页</title></head><body><nav><a href='/'>首页</a></nav></body></html>")


# --------------------------------------------------------------------------- PDF
@pytest.mark.parametrize("columns", [1, 2, 3])
def test_pdf_text_layer_in_reading_order(columns):
    """A three-page print in one, two or three columns reads back column by column, page by
    page: the same characters in the same order (the page numbers left out)."""
    text = seed_text(2, 4000)
    page = read_pdf(pdf_bytes(text, columns=columns))
    assert page.format == "pdf" and page.pages >= 2 // columns
    assert squeeze(page.text) == squeeze(text)
    assert not re.search(r"^\s*- \d+ -\s*$", page.text, re.MULTILINE)


def test_pdf_paragraphs_and_title():
    text = seed_text(3)
    page = read_pdf(pdf_bytes(text, title="巩固脱贫成果 端稳就业饭碗", columns=2))
    assert page.fields == {"title": "巩固脱贫成果 端稳就业饭碗"}      # no print date, no placeholder author
    starts = [p for p in page.text.split("\n\n") if p.strip()]
    assert len(starts) == len(paragraphs(text))                 # one paragraph for each of the text's


def test_scanned_pdf_is_refused_with_the_reason():
    with pytest.raises(ReadError, match=r"a scanned PDF without a text layer \(1 page, no text to read: OCR it first\)"):
        read_pdf(scanned_pdf_bytes())


def test_damaged_pdf_is_refused():
    data = pdf_bytes(seed_text(0, 300))
    with pytest.raises(ReadError, match="unreadable PDF"):
        read_pdf(data[: len(data) // 3])


# --------------------------------------------------------------------------- Word
def test_docx_paragraphs_table_and_properties():
    text = seed_text(4)
    data = docx_bytes(text, title="来自我市脱贫攻坚一线的报道·就业篇", author="濮阳日报",
                      table=[["乡镇", "扶贫车间", "吸纳就业"], ["城关镇", "12个", "560人"]])
    page = read_docx(data)
    assert page.format == "docx"
    assert page.fields == {"title": "来自我市脱贫攻坚一线的报道·就业篇", "author": "濮阳日报"}
    assert page.text.startswith("来自我市脱贫攻坚一线的报道·就业篇\n\n\u3000\u3000")    # heading, then body
    assert squeeze(text) in squeeze(page.text)
    assert "\u3000\u3000城关镇\t12个\t560人\n" in page.text


def test_docx_that_is_not_a_docx_is_refused():
    with pytest.raises(ReadError, match="unreadable Word file, not a valid .docx"):
        read_docx(b"PK\x03\x04" + b"\x00" * 100)


def test_formats_table():
    assert {FORMATS[s] for s in (".html", ".htm", ".shtml")} == {"html"}
    assert FORMATS[".pdf"] == "pdf" and FORMATS[".docx"] == "docx" and FORMATS[".txt"] == "text"


# --------------------------------------------------------------------------- the real articles
@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real is not present")
@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
def test_every_real_article_reads_back_whole_from_each_format(fmt):
    for p in sorted(REAL.glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        if fmt == "html":
            got = read_html(html_page(text)).text
            assert squeeze(text) in squeeze(got), p.name
        elif fmt == "pdf":
            got = read_pdf(pdf_bytes(text, columns=2)).text
            assert squeeze(got) == squeeze(text), p.name
        else:
            got = read_docx(docx_bytes(text)).text
            assert squeeze(got) == squeeze(text), p.name


# -- the date and publisher an article saved as text prints (read_header) -----------------

@pytest.mark.parametrize(("name", "date", "publisher", "how"), [
    ("r01_wanshan_workshop.txt", "2020-03-25", "新华社", "dateline"),       # 时间:2020-03-25 … 来源:不详; 新华社贵阳3月22日电
    ("r03_puan_ningbo_labor.txt", "2019-02-21", "贵州日报", "label"),        # 2019-02-21 11:16:28|來源:貴州日報
    ("r04_zhaotong_yuedian_labor.txt", None, "南方日报", "byline"),          # 南方日报见习记者 许舒智 摄
    ("r07_fuding_returnee_ecommerce.txt", "2016-03-10", "中国兰州网", "dateline"),   # 10.03.2016 15:59 中国兰州网3月10日消息
    ("r05_lanxian_daning_forest_ranger.txt", None, None, None),
])
def test_header_of_real_articles(name, date, publisher, how):
    path = REAL / name
    if not path.exists():
        pytest.skip("../shared/real is not present")
    raw = path.read_text(encoding="utf-8")
    h = read_header(raw)
    assert (h["date"].value if "date" in h else None) == date
    assert (h["publisher"].value if "publisher" in h else None) == publisher
    if publisher:
        f = h["publisher"]
        assert f.how == how
        assert len(raw[f.start:f.end]) == len(publisher) and publisher in f.line   # 貴州日報 as printed


@pytest.mark.parametrize(("name", "date", "publisher"), [
    ("dev/texts/x04_moyu_awati_cotton_picking.txt", "2018-10-21", "新华网"),       # 2018-10-21 10:11:01 新華網(wǎng)
    ("heldout/texts/x03_cangwu_forest_ranger.txt", "2019-08-26", "梧州日报"),      # 2019-08-26 09:23 梧州日報
    ("heldout/texts/x09_hanyin_community_factory.txt", "2020-01-02", "新华网"),    # 來源:新華網
    ("heldout/texts/x10_qinghe_skills_training.txt", None, "长城网"),             # 长城网讯(记者…)
    ("dev/texts/x06_liangshan_migrant_workers.txt", None, None),                  # 本报记者: names nobody
])
def test_header_of_saved_pages(name, date, publisher):
    raw = (REAL_MORE / name).read_text(encoding="utf-8")
    h = read_header(raw)
    assert (h["date"].value if "date" in h else None) == date
    assert (h["publisher"].value if "publisher" in h else None) == publisher
    for f in h.values():          # the span is where the value is printed (traditional script kept)
        assert len(raw[f.start:f.end]) == len(f.value) and f.line


def test_header_date_reaches_the_article_meta_with_its_span():
    from kg.corpus import read_article

    path = REAL_MORE / "dev/texts/x04_moyu_awati_cotton_picking.txt"
    meta = read_article(path).meta
    raw = read_article(path).raw
    assert (meta.date, meta.sources["date"], meta.publication, meta.sources["publisher"]) == (
        "2018-10-21", "text", "新华网", "text")
    assert raw[meta.spans["date"].start:meta.spans["date"].end] == "2018-10-21"
    assert raw[meta.spans["publisher"].start:meta.spans["publisher"].end] == "新華網"
