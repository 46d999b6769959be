"""Tests of kg.readcost: the bench's inputs (web pages, a PDF edition) and its shares."""

from __future__ import annotations

import re

import pytest

from kg.readcost import _paragraphs, bench_reading, page_html, print_pdf
from kg.readers import read_html, read_pdf


def squeeze(text: str) -> str:
    return re.sub(r"[\s\u3000]", "", text)


def test_page_and_print_read_back_as_the_synthetic_article():
    title, paras = _paragraphs(3, 0)
    assert len(paras) >= 3 and all("\n" not in p for p in paras)
    page = read_html(page_html(title, paras))
    assert squeeze("".join(paras)) in squeeze(page.text) and "网友评论" not in page.text
    data, pages = print_pdf([title, *paras], columns=2)
    doc = read_pdf(data)
    assert doc.pages == pages and squeeze(doc.text) == squeeze(title + "".join(paras))
    assert [squeeze(p) for p in doc.text.split("\n\n")] == [squeeze(p) for p in [title, *paras]]


def test_print_stops_at_the_page_limit():
    paras = [p for i in range(6) for p in _paragraphs(i, 0)[1]]
    data, pages = print_pdf(paras, columns=2, max_pages=2)
    assert pages == 2 and read_pdf(data).pages == 2


def test_bench_reading_measures_both_shares(tmp_path, nlp):
    res = bench_reading(tmp_path, html_pages=4, pdf_pages=2, sample=2, nlp=nlp, quiet=True)
    assert res["html"]["pages"] == 4 and res["pdf"]["pages"] == 2
    assert res["extract_sample"]["articles"] == 2 and res["extract_sample"]["chars_per_s"] > 0
    for key in ("html", "pdf"):
        r = res[key]
        assert r["read_s"] > 0 and r["chars"] > 1000
        # (the times are rounded to the millisecond: a few pages read in a few of them)
        assert r["share"] == pytest.approx(r["read_s"] / (r["chars"] / res["extract_sample"]["chars_per_s"]),
                                           rel=0.02, abs=0.001)
        assert 0 < r["share"] < 1
    assert (tmp_path / "edition-2p-0.pdf").is_file()
