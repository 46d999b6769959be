"""Make the files researchers collect from an article's text, for the reader tests:
a web page as a portal serves it (header, navigation bar, breadcrumbs, share bar,
related-articles list, comments, footer), a PDF printed from it (reportlab with the CID font
STSong-Light, which needs no font file), and a Word document (python-docx)."""

from __future__ import annotations

import html
import io

NAV = ["首页", "新闻中心", "政务公开", "政策解读", "办事服务", "互动交流", "专题专栏", "数据发布"]
RELATED = ["全省就业工作会议召开", "2021年春季招聘会即将举行", "关于做好高校毕业生就业工作的通知",
           "我县召开农村公路建设推进会", "市领导调研乡村振兴工作"]


def headline(text: str) -> str:
    """A title for the page: the first short line without sentence punctuation, else the file's start."""
    for line in text.splitlines():
        s = line.strip()
        if 6 <= len(s) <= 40 and not any(c in s for c in "。，,：:|"):
            return s
    return text.strip()[:20]


def html_page(text: str, *, title: str | None = None, date: str = "2020-08-14", site: str = "某某县人民政府网",
              author: str | None = None, url: str = "http://www.example.gov.cn/xwzx/202008/t20200814_1.shtml",
              charset: str = "utf-8") -> str:
    """The article as a saved web page: each line of the text one paragraph of the article body."""
    title = title or headline(text)
    e = html.escape
    paras = "\n".join(f"      <p>{e(line.strip())}</p>" for line in text.splitlines() if line.strip())
    nav = "".join(f'<li><a href="/{i}/">{e(n)}</a></li>' for i, n in enumerate(NAV))
    related = "".join(f'<li><a href="/xw/{i}.shtml">{e(t)}</a><span>2020-08-1{i}</span></li>'
                      for i, t in enumerate(RELATED))
    byline = f'<meta name="author" content="{e(author)}">' if author else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
  <meta charset="{charset}">
  <title>{e(title)}_{e(site)}</title>
  <meta property="og:title" content="{e(title)}">
  <meta property="og:site_name" content="{e(site)}">
  <meta name="PubDate" content="{date} 09:30">
  <meta property="article:published_time" content="{date}T09:30:00+08:00">
  {byline}
  <link rel="canonical" href="{e(url)}">
  <script>var _hmt = _hmt || []; (function() {{ var hm = document.createElement("script"); }})();</script>
  <style>body {{ font-family: sans-serif; }} .nav li {{ display: inline; }}</style>
</head>
<body>
  <div class="top-bar"><a href="/wap/">手机版</a> | <a href="/login">登录</a> | <a href="/reg">注册</a>
    | <a href="/en/">English</a> | 无障碍浏览</div>
  <header class="header"><div class="logo"><img src="/logo.png" alt="{e(site)}"></div>
    <form class="search"><input name="q" placeholder="请输入关键字"><button>搜索</button></form></header>
  <nav class="nav"><ul>{nav}</ul></nav>
  <div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/xwzx/">新闻中心</a> &gt; 正文</div>
  <main class="main">
    <article class="article">
      <h1 class="article-title">{e(title)}</h1>
      <div class="article-info">发布时间：{date}　来源：{e(site)}　浏览次数：1024　【字体：大 中 小】</div>
      <div class="article-content">
{paras}
      </div>
      <div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a></div>
    </article>
    <aside class="related"><h3>相关文章</h3><ul>{related}</ul></aside>
    <section class="comments" id="comments"><h3>网友评论</h3>
      <div class="comment"><span class="user">网友甲</span><p>写得好，为家乡点赞！</p></div>
      <div class="comment"><span class="user">网友乙</span><p>希望多办这样的培训班。</p></div>
    </section>
  </main>
  <footer class="footer"><ul><li><a href="/about">关于我们</a></li><li><a href="/map">网站地图</a></li>
    <li><a href="/contact">联系我们</a></li></ul>
    <p>主办单位：{e(site)}办公室　版权所有　备案号：ICP备12345678号-1　网站标识码：1234000001</p></footer>
</body>
</html>
"""


def pdf_bytes(text: str, *, title: str | None = None, columns: int = 1, author: str | None = None,
              password: str | None = None) -> bytes:
    """The article printed to PDF (A4, 10.5 pt STSong-Light), each paragraph wrapped to the column width;
    ``columns=2`` sets it in two columns, as a newspaper page; ``password`` encrypts it."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, encrypt=password)
    c.setTitle(title or headline(text))
    if author:
        c.setAuthor(author)
    width, height = A4
    margin, size, leading, gap = 56, 10.5, 16, 24
    col_w = (width - 2 * margin - gap * (columns - 1)) / columns
    per_line = int(col_w // size)
    lines: list[str] = []
    for para in text.splitlines():
        para = para.strip()
        if not para:
            continue
        para = "\u3000\u3000" + para
        while para:
            lines.append(para[:per_line])
            para = para[per_line:]
    rows = int((height - 2 * margin) // leading)
    c.setFont(font, size)
    col = row = 0
    for line in lines:
        if row == rows:
            row, col = 0, col + 1
            if col == columns:
                c.drawString(width / 2 - 10, margin / 2, f"- {c.getPageNumber()} -")
                c.showPage()
                c.setFont(font, size)
                col = 0
        c.drawString(margin + col * (col_w + gap), height - margin - row * leading, line)
        row += 1
    c.showPage()
    c.save()
    return buf.getvalue()


def scanned_pdf_bytes() -> bytes:
    """A PDF page holding only an image (a scan): no text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    png = _tiny_png()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.drawImage(ImageReader(io.BytesIO(png)), 50, 400, width=400, height=300)
    c.showPage()
    c.save()
    return buf.getvalue()


def _tiny_png() -> bytes:
    import struct
    import zlib

    w = h = 8
    raw = b"".join(b"\x00" + bytes([(x * 30 + y * 20) % 256 for x in range(w)]) for y in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def docx_bytes(text: str, *, title: str | None = None, author: str | None = None,
               table: list[list[str]] | None = None) -> bytes:
    """The article as a Word document: a Title paragraph, one paragraph per line, an optional table."""
    import docx

    d = docx.Document()
    d.core_properties.title = title or ""
    d.core_properties.author = author or ""
    if title:
        d.add_heading(title, level=1)
    for line in text.splitlines():
        if line.strip():
            d.add_paragraph(line.strip())
    if table:
        t = d.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for k, cell in enumerate(row):
                t.cell(r, k).text = cell
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
