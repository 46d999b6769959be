"""What reading web pages and PDFs costs next to extracting their text (``kg bench``'s ``reading`` part).

Issue 14's target: reading a 200-page PDF or 1,000 HTML pages costs no more than 20 % of
the build's extraction time. The inputs are made here from synthetic articles
(:mod:`kg.synth`, layout repaired by :func:`kg.normalize.normalize` into paragraphs):

* 1,000 web pages, each article wrapped in a portal's page (header, navigation,
  breadcrumbs, share bar, related list, comments, footer), read with :func:`kg.readers.read_html`;
* one 200-page PDF (A4, two columns of 10.5 pt STSong-Light, as a newspaper edition; the
  articles one after another), printed with reportlab and read with :func:`kg.readers.read_pdf`.

Reading is timed on all of them (CPU time of the process, so other load on the machine
does not tilt the ratio; wall time is recorded too); extraction (:func:`kg.extract.extract_corpus`, one
process, no cache) on a sample of the pages' texts as read, and its rate (characters per
second) gives the extraction time of each input's text. The share is reading time over
that extraction time, both measured in the same run.
"""

from __future__ import annotations

import html
import io
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["bench_reading", "page_html", "print_pdf"]

_NAV = ("首页", "新闻中心", "政务公开", "政策解读", "办事服务", "互动交流", "专题专栏", "数据发布")
_RELATED = ("全省就业工作会议召开", "春季招聘会即将举行", "关于做好高校毕业生就业工作的通知",
            "我县召开农村公路建设推进会", "市领导调研乡村振兴工作")


def page_html(title: str, paragraphs: list[str], *, date: str = "2020-08-14", site: str = "某某县人民政府网") -> str:
    """An article as a portal serves it: the body among navigation, a related list, comments and a footer."""
    e = html.escape
    body = "\n".join(f"      <p>{e(p)}</p>" for p in paragraphs)
    nav = "".join(f'<li><a href="/{i}/">{e(n)}</a></li>' for i, n in enumerate(_NAV))
    related = "".join(f'<li><a href="/xw/{i}.shtml">{e(t)}</a><span>2020-08-1{i}</span></li>'
                      for i, t in enumerate(_RELATED))
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{e(title)}_{e(site)}</title>
<meta property="og:site_name" content="{e(site)}"><meta name="PubDate" content="{date} 09:30">
<script>var _hmt = _hmt || [];</script><style>.nav li {{ display: inline; }}</style></head>
<body><div class="top-bar"><a href="/wap/">手机版</a> | <a href="/login">登录</a> | 无障碍浏览</div>
  <nav class="nav"><ul>{nav}</ul></nav>
  <div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/xwzx/">新闻中心</a> &gt; 正文</div>
  <main><article><h1>{e(title)}</h1><div class="info">发布时间：{date}　来源：{e(site)}</div>
    <div class="article-content">
{body}
    </div><div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a></div></article>
  <aside class="related"><h3>相关文章</h3><ul>{related}</ul></aside>
  <section class="comments"><h3>网友评论</h3><div class="comment"><p>写得好，为家乡点赞！</p></div></section></main>
  <footer><p>主办单位：{e(site)}办公室　版权所有　备案号：ICP备12345678号-1</p></footer>
</body></html>
"""


def print_pdf(paragraphs: list[str], *, columns: int = 2, max_pages: int | None = None) -> tuple[bytes, int]:
    """Paragraphs printed to PDF (A4, 10.5 pt STSong-Light, a CID font that needs no font file),
    each indented two ideographs and wrapped to the column width; ``(pdf, pages)``. Printing
    stops at ``max_pages``."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    width, height = A4
    margin, size, leading, gap = 56, 10.5, 16, 24
    col_w = (width - 2 * margin - gap * (columns - 1)) / columns
    rows = int((height - 2 * margin) // leading)
    c.setFont(font, size)
    col = row = 0
    pages = 1
    for para in paragraphs:
        rest = "\u3000\u3000" + para.strip()
        while rest:
            n, w = 1, pdfmetrics.stringWidth(rest[0], font, size)    # as many characters as fit the column
            while n < len(rest) and w + (cw := pdfmetrics.stringWidth(rest[n], font, size)) <= col_w:
                n, w = n + 1, w + cw
            line, rest = rest[:n], rest[n:]
            if row == rows:
                row, col = 0, col + 1
                if col == columns:
                    c.drawString(width / 2 - 10, margin / 2, f"- {pages} -")
                    if max_pages is not None and pages >= max_pages:
                        c.save()
                        return buf.getvalue(), pages
                    c.showPage()
                    c.setFont(font, size)
                    col, pages = 0, pages + 1
            c.drawString(margin + col * (col_w + gap), height - margin - row * leading, line)
            row += 1
    c.showPage()
    c.save()
    return buf.getvalue(), pages


def _paragraphs(index: int, seed: int) -> tuple[str, list[str]]:
    """A synthetic article's headline and paragraphs (its OCR-like layout repaired)."""
    from kg.normalize import normalize
    from kg.synth import synth_article

    text = normalize(synth_article(index, seed).text).text
    paras = [" ".join(p.split()) for p in text.split("\n") if p.strip()]
    return paras[0], paras[1:]


def bench_reading(work: Path, *, seed: int = 0, html_pages: int = 1000, pdf_pages: int = 200,
                  sample: int = 60, nlp=None, quiet: bool = False) -> dict[str, Any]:
    """Read ``html_pages`` web pages and a ``pdf_pages``-page PDF; extract ``sample`` of the
    pages' texts; return the times, the extraction rate and each reading share."""
    from kg.extract import extract_corpus
    from kg.readers import read_html, read_pdf

    work.mkdir(parents=True, exist_ok=True)
    articles = [_paragraphs(i, seed) for i in range(html_pages)]
    pages = [page_html(title, paras).encode("utf-8") for title, paras in articles]
    book = work / f"edition-{pdf_pages}p-{seed}.pdf"
    if not book.exists():
        flat: list[str] = []
        k = 0
        while True:      # as many articles as fill the pages (the list of pages repeats if short)
            title, paras = articles[k % len(articles)]
            flat += [title, *paras]
            k += 1
            if sum(len(p) for p in flat) > pdf_pages * 2400:
                break
        data, printed = print_pdf(flat, columns=2, max_pages=pdf_pages)
        book.write_bytes(data)
    pdf = book.read_bytes()

    def say(msg: str) -> None:
        if not quiet:
            print(msg, file=sys.stderr, flush=True)

    say(f"  reading {len(pages)} web pages")
    t, c = time.perf_counter(), time.process_time()
    texts = [read_html(p.decode("utf-8")).text for p in pages]
    html_wall, html_s = time.perf_counter() - t, time.process_time() - c
    say(f"  reading a {pdf_pages}-page PDF ({len(pdf) / 2**20:.1f} MB)")
    t, c = time.perf_counter(), time.process_time()
    doc = read_pdf(pdf)
    pdf_wall, pdf_s = time.perf_counter() - t, time.process_time() - c

    say(f"  extracting {sample} of the pages' texts, one process")
    from kg.corpus import read_article

    sample_dir = work / "sample"
    sample_dir.mkdir(exist_ok=True)
    chosen = []
    for i in range(0, len(texts), max(1, len(texts) // sample))[:sample]:
        path = sample_dir / f"page_{i:05d}.txt"
        path.write_text(texts[i], encoding="utf-8")
        chosen.append(read_article(path))
    if nlp is None:
        from kg.nlp import load_pipeline

        nlp = load_pipeline()
    nlp.make_doc(texts[0])
    chars = sum(len(a.raw) for a in chosen)
    t, c = time.perf_counter(), time.process_time()
    result = extract_corpus(chosen, cache_dir=None, workers=1, progress=False, nlp=nlp)
    extract_wall, extract_s = time.perf_counter() - t, time.process_time() - c
    if result.extracted != len(chosen):
        raise RuntimeError(f"{len(chosen) - result.extracted} of the sampled pages failed to extract")
    rate = chars / extract_s
    html_chars, pdf_chars = sum(len(x) for x in texts), len(doc.text)
    return {
        "html": {"pages": len(pages), "chars": html_chars, "read_s": round(html_s, 3), "read_wall_s": round(html_wall, 3),
                 "read_chars_per_s": round(html_chars / html_s, 1),
                 "extract_s": round(html_chars / rate, 3), "share": round(html_s / (html_chars / rate), 4)},
        "pdf": {"pages": doc.pages, "mb": round(len(pdf) / 2**20, 2), "chars": pdf_chars, "read_s": round(pdf_s, 3),
                "read_wall_s": round(pdf_wall, 3),
                "read_chars_per_s": round(pdf_chars / pdf_s, 1),
                "extract_s": round(pdf_chars / rate, 3), "share": round(pdf_s / (pdf_chars / rate), 4)},
        "extract_sample": {"articles": len(chosen), "chars": chars, "extract_s": round(extract_s, 3),
                           "extract_wall_s": round(extract_wall, 3),
                           "chars_per_s": round(rate, 1)},
        "note": "share = reading time / extraction time of the text read (at the sampled extraction rate, "
                "one process, same run); times are CPU seconds of this process (the machine's other load "
                "left out), wall seconds beside them",
    }
