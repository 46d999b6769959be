"""Read the text and the metadata out of web pages, PDFs and Word files.

Researchers save articles as they find them: a page from a county government site, a
newspaper edition as PDF, a Word document from an office. Each reader here turns one such
file into a :class:`PageText`: the article's text (what every evidence offset will index,
stored by the build as ``OUT/texts/<article>.txt``) and the metadata the file itself carries.

* HTML (``.html``, ``.htm``, ``.shtml``, ``.xhtml``): trafilatura finds the main text and
  leaves out navigation, footers, comments and "related articles" lists; it also reads the
  title, publication date, site name, author and canonical URL from the page header. The
  page's headline is put first when the extracted body does not start with it (a headline
  names the places and programs the article is about, as it does in a ``.txt`` article).
* PDF: the text layer (PDFium, through pypdfium2), put back into the article's paragraphs
  by :mod:`kg.pdftext`: columns read one after the other, lines of a paragraph joined
  (across columns and pages too). A PDF without a text layer (a scan) is refused with that
  reason, as is an encrypted one.
* Word (``.docx``): paragraphs and table rows in document order (python-docx); title and
  author from the document properties (not its dates: a Word file's creation date is the
  office's, not the article's; nor a PDF's, which is when it was printed).

Every reader raises :class:`ReadError` with a one-line reason (the corpus reader adds the
file name). The metadata keys are those of the manifest: ``title``, ``date``
(``YYYY[-MM[-DD]]``), ``publisher``, ``author``, ``url``.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

__all__ = ["PageText", "ReadError", "FORMATS", "read_html", "read_pdf", "read_docx", "read_header", "HeaderField"]

#: File suffix -> format. ``.txt`` is decoded by :mod:`kg.corpus` itself.
FORMATS: dict[str, str] = {
    ".txt": "text", ".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html",
    ".pdf": "pdf", ".docx": "docx",
}

_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
#: what PDF and Word writers put where nobody gave a title or author
_PLACEHOLDER = re.compile(r"^\(?(anonymous|unknown|untitled|unspecified|none|user|admin|administrator|作者|无标题"
                          r"|microsoft word - .*|.*\.(docx?|pdf|txt|html?))\)?$", re.IGNORECASE)


class ReadError(ValueError):
    """A file of a known format whose text cannot be read; ``str(err)`` is the reason."""


@dataclass
class PageText:
    """The text of one page or document and the metadata it carries."""

    text: str                                              # the article text (offsets index it)
    format: str                                            # "html", "pdf", "docx"
    fields: dict[str, str] = field(default_factory=dict)   # title, date, publisher, author, url
    pages: int | None = None                               # PDF pages


def _clean_fields(fields: dict[str, str | None]) -> dict[str, str]:
    return {k: " ".join(str(v).split()) for k, v in fields.items() if v and str(v).strip()}


# --------------------------------------------------------------------------- HTML
def read_html(html: str) -> PageText:
    """The main text of a decoded HTML page and its header metadata (trafilatura)."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=True,
                                          include_images=False, include_links=False, deduplicate=False,
                                          favor_recall=True)
    except Exception as e:  # lxml or trafilatura on a badly broken page
        raise ReadError(f"unreadable HTML page ({type(e).__name__})") from None
    if doc is None or not (doc.text or "").strip():
        raise ReadError("an HTML page without article text")
    text = _body_text(doc.body) if doc.body is not None else _tidy(doc.text, paragraphs=True)
    if not text.strip():
        raise ReadError("an HTML page without article text")
    title = " ".join((doc.title or "").split())
    if title and title not in text[: len(title) + 200]:
        text = f"{title}\n\n{text}"
    date = doc.date if doc.date and _ISO_DATE.match(doc.date) else None
    author = doc.author
    if not author:      # trafilatura drops names shorter than three characters: most Chinese names
        m = _META_AUTHOR.search(html[:20000])
        author = m.group(1) if m else None
    fields = _clean_fields({"title": title, "date": date, "publisher": doc.sitename,
                            "author": author, "url": doc.url})
    return PageText(text=text, format="html", fields=fields)


_META_AUTHOR = re.compile(r"""<meta\s+name=["']author["']\s+content=["']([^"'<>]{1,40})["']""", re.IGNORECASE)
_INDENT = "\u3000\u3000"     # a body paragraph's indent, as Chinese text sets it (two ideographic spaces)


def _body_text(body) -> str:
    """The text of trafilatura's XML body: one paragraph a line with a blank line between;
    paragraphs, quotes and list items indented, headings (``<head>``) not, table rows as
    tab-separated cells. Headings stand out to the normaliser as they do in a text article."""
    out: list[str] = []
    for el in body:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "table":
            for row in el.iter("row"):
                cells = [" ".join("".join(c.itertext()).split()) for c in row if isinstance(c.tag, str)]
                if any(cells):
                    out.append(_INDENT + "\t".join(c for c in cells if c))
            continue
        if tag == "list":
            items = [i for i in el.iter("item")] or [el]
        else:
            items = [el]
        for item in items:
            text = " ".join("".join(item.itertext()).split())
            if text:
                out.append(text if tag == "head" else _INDENT + text)
    return "\n\n".join(out) + "\n" if out else ""


def _tidy(text: str, *, paragraphs: bool = False) -> str:
    """Line ends normalised, trailing spaces dropped, at most one blank line in a row;
    ``paragraphs``: each line is a paragraph, followed by a blank line, as in a ``.txt``
    article (the normaliser and the case finder read paragraphs by their blank lines)."""
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    out: list[str] = []
    for ln in lines:
        if ln or (out and out[-1]):
            if paragraphs and ln and out and out[-1]:
                out.append("")
            out.append(ln)
    return "\n".join(out).strip("\n") + "\n"


# --------------------------------------------------------------------------- PDF
def read_pdf(data: bytes) -> PageText:
    """The text layer of a PDF as paragraphs in reading order (:mod:`kg.pdftext`); a scan
    without text, an encrypted or a damaged file is a :class:`ReadError`."""
    import pypdfium2 as pdfium

    from kg.pdftext import INDENT, mark_running, page_lines, paragraphs, reading_order

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if "password" in str(e).lower():
            raise ReadError("an encrypted PDF (password protected)") from None
        why = str(e).split("(PDFium: ", 1)[-1].rstrip(").") if "PDFium:" in str(e) else type(e).__name__
        raise ReadError(f"unreadable PDF ({why})") from None
    try:
        meta = doc.get_metadata_dict(skip_empty=True)
        # not its dates: a PDF's creation date is when it was printed, not published
        fields = {k.lower(): v for k, v in meta.items() if k in ("Title", "Author") and not _PLACEHOLDER.match(v.strip())}
        pages: list[tuple[list, float]] = []
        count = len(doc)
        for i in range(count):
            page = doc[i]
            textpage = page.get_textpage()
            try:
                pages.append((page_lines(textpage), page.get_width()))
            finally:
                textpage.close()
                page.close()
        mark_running([p for p, _ in pages])
        lines = [ln for p, width in pages for ln in reading_order(p, width)]
    except pdfium.PdfiumError as e:
        raise ReadError(f"unreadable PDF ({e})") from None
    finally:
        doc.close()
    if not count:
        raise ReadError("a PDF without pages")
    paras = paragraphs(lines)
    if not paras:
        raise ReadError(f"a scanned PDF without a text layer ({count} page{'s' if count > 1 else ''}, "
                        "no text to read: OCR it first)")
    text = "\n\n".join(INDENT + p for p in paras) + "\n"
    return PageText(text=text, format="pdf", fields=_clean_fields(fields), pages=count)


# --------------------------------------------------------------------------- Word
def read_docx(data: bytes) -> PageText:
    """Paragraphs and table rows of a .docx file, in document order, with its title and author."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # not a zip, no word/document.xml, broken XML
        raise ReadError(f"unreadable Word file, not a valid .docx ({type(e).__name__})") from None
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:      # merged cells repeat: keep each text once
                    t = " ".join(cell.text.split())
                    if t and (not cells or cells[-1] != t):
                        cells.append(t)
                if cells:
                    lines.append(_INDENT + "\t".join(cells))
        else:
            text = block.text.strip()
            style = (block.style.name if block.style is not None else "") or ""
            if text:    # headings stand out as in a text article; body paragraphs are indented
                lines.append(text if style.startswith(("Heading", "Title")) else _INDENT + text)
    text = _tidy("\n".join(lines), paragraphs=True)
    if not text.strip():
        raise ReadError("a Word file without text")
    props = document.core_properties
    fields = {k: v for k, v in {"title": props.title, "author": props.author}.items()
              if v and not _PLACEHOLDER.match(v.strip())}
    return PageText(text=text, format="docx", fields=_clean_fields(fields))


# --------------------------------------------------------------------------- a text's header
@dataclass(frozen=True)
class HeaderField:
    """A metadata value read from an article's own text, with the raw span it came from."""

    value: str          # YYYY-MM-DD for a date; the name (simplified script) for a publisher
    start: int          # raw offsets of the stretch that says it
    end: int
    how: str            # "label" (来源:…), "dateline" (新华社…电), "date line" (the line of the date), "byline"
    line: str = ""      # the header line it is on (simplified script)


_HEADER_LINES = 12       # the lines above the body a saved page or a newspaper prints
_DATE_VALUE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?!\d)日?")
_DMY_VALUE = re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>(?:19|20)\d\d)(?!\d)")   # 10.03.2016: day first
_TIME_OF_DAY = re.compile(r"^\s*\d{1,2}:\d{2}(?::\d{2})?")


def header_cues() -> dict[str, list[str]]:
    """``kg/data/header_cues.tsv`` by kind (labels, unknown values, publisher endings, dateline ends)."""
    from kg.resources import data_file

    out: dict[str, list[str]] = {}
    path = data_file("header_cues.tsv")
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.startswith("kind\t"):
            continue
        kind, sep, word = line.partition("\t")
        if not sep or not word.strip():
            raise ValueError(f"{path}:{n}: expected a kind, a tab and a word")
        out.setdefault(kind, []).append(word.strip())
    return out


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _spaced_alt(words: list[str]) -> str:
    """Labels as pages print them, also letter-spaced (来 源:, 时 间:)."""
    return "|".join(r"\s?".join(re.escape(c) for c in w) for w in sorted(words, key=len, reverse=True))


def _header_patterns() -> dict[str, re.Pattern]:
    cues = header_cues()
    heads = _alt(cues["publisher_head"])
    cjk = "\u4e00-\u9fff"
    return {
        "date_label": re.compile(rf"(?:{_spaced_alt(cues['date_label'])})\s*[:：]\s*"),
        "source_label": re.compile(rf"(?:{_spaced_alt(cues['source_label'])})\s*[:：]\s*(?P<v>[^\s|｜丨/：:，,]{{2,20}})"),
        "unknown": re.compile(rf"^(?:{_alt(cues['unknown'])}|本报|本台|本网|本刊)$"),
        "publisher": re.compile(rf"^[{cjk}A-Za-z]{{1,12}}(?:{heads})$"),
        "dateline": re.compile(rf"(?:^[\s•·□■]*|[-－—])(?P<v>[{cjk}]{{1,10}}?(?:{heads}))(?:[{cjk}]{{0,5}}?"
                               rf"(?:\d{{1,2}}月\d{{1,2}}日)?)(?:{_alt(cues['dateline_end'])})"),
        # a newspaper's byline or photo credit starts a line or follows a separator, never a
        # sentence's words (…告诉海南日报记者 is a reporter of that paper, not the publisher)
        "byline": re.compile(rf"(?:^|(?<=[\s(（|｜/□■•·。！？；]))(?P<v>[{cjk}]{{2,8}}?(?:{heads}))(?:见习|特约|首席)?记者"),
    }


_PATTERNS: dict[str, re.Pattern] = {}


def _simplified(raw: str, start: int, end: int) -> tuple[str, list[int]]:
    """``raw[start:end]`` in simplified script with pinyin glosses (網(wǎng)) left out, and
    the raw offset of each character kept."""
    from kg.normalize import char_map

    chars: list[str] = []
    idx: list[int] = []
    for i in range(start, end):
        c = char_map(raw[i])
        if c:
            chars.append(c)
            idx.append(i)
    text = "".join(chars)
    for m in reversed(list(re.finditer(r"(?<=[\u4e00-\u9fff])\([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*\)", text))):
        text = text[:m.start()] + text[m.end():]
        del idx[m.start():m.end()]
    return text, idx


def read_header(raw: str) -> dict[str, HeaderField]:
    """The publication date and publisher an article saved as text prints above its body:
    a web page's header line (``时间:2020-03-25 来源:不详``, ``2019-02-21 11:16:28|来源:贵州日报``,
    ``2018-10-21 10:11:01 新华网``, ``10.03.2016 15:59``), a dateline (``新华社贵阳3月22日电``,
    ``长城网讯``, ``中国兰州网3月10日消息``) or a newspaper's byline (``南方日报记者``).

    Returns ``date`` (``YYYY-MM-DD``) and ``publisher`` where found, each with the raw span
    it came from. A value that names nobody (``来源:不详``, ``本报讯``) is not a publisher."""
    if not _PATTERNS:
        _PATTERNS.update(_header_patterns())
    p = _PATTERNS
    found: dict[str, HeaderField] = {}
    publishers: list[tuple[int, HeaderField]] = []   # (rank, field): label, date line, dateline, byline
    pos = 0
    lines: list[tuple[int, int]] = []
    for line in raw.splitlines(keepends=True):
        if line.strip():
            lines.append((pos, pos + len(line.rstrip("\r\n"))))
        pos += len(line)
    dateline_md: tuple[int, int] | None = None

    def field_of(text: str, idx: list[int], a: int, b: int, value: str, how: str) -> HeaderField:
        """The field at ``text[a:b]`` of a header line, cited by the raw offsets ``idx`` keeps."""
        return HeaderField(value=value, start=idx[a], end=idx[b - 1] + 1, how=how, line=" ".join(text.split()))

    for s, e in lines[:_HEADER_LINES]:
        text, idx = _simplified(raw, s, e)
        if not text.strip():
            continue
        short = len(text) <= 120
        # a labelled date, or a line that starts with a date
        date_m = None
        lab = p["date_label"].search(text)
        if lab:
            date_m = _DATE_VALUE.match(text, lab.end())
        if date_m is None and short:
            lead = len(text) - len(text.lstrip(" •·□■|"))
            date_m = _DATE_VALUE.match(text, lead) or _DMY_VALUE.match(text, lead)
            if date_m is not None and not (_TIME_OF_DAY.match(text[date_m.end():])
                                           or not text[date_m.end():].strip()
                                           or text[date_m.end():date_m.end() + 1] in " |｜"):
                date_m = None            # a date that begins a sentence, not a header
        if date_m is not None and "date" not in found:
            y, mo, d = int(date_m["y"]), int(date_m["m"]), int(date_m["d"])
            if 1 <= mo <= 12 and 1 <= d <= 31:
                a, b = date_m.start(), date_m.end()
                found["date"] = field_of(text, idx, a, b, f"{y:04d}-{mo:02d}-{d:02d}", "label" if lab else "date line")
                # the publisher printed on the date's line, unlabelled (2018-10-21 10:11:01 新华网)
                rest = text[b:]
                t = _TIME_OF_DAY.match(rest)
                off = b + (t.end() if t else 0)
                for tok in re.finditer(r"[^\s|｜]+", text[off:]):
                    word = tok.group()
                    if p["publisher"].match(word) and not p["unknown"].match(word):
                        publishers.append((1, field_of(text, idx, off + tok.start(), off + tok.end(), word,
                                                       "date line")))
                    break
        for m in p["source_label"].finditer(text):
            v = m.group("v").strip("　 ")
            if v and not p["unknown"].match(v):
                publishers.append((0, field_of(text, idx, m.start("v"), m.start("v") + len(v), v, "label")))
        dl = p["dateline"].search(text[:60])
        if dl and not p["unknown"].match(dl.group("v")):
            publishers.append((2, field_of(text, idx, dl.start("v"), dl.end("v"), dl.group("v"), "dateline")))
            md = re.search(r"(\d{1,2})月(\d{1,2})日", dl.group(0))
            if md:
                dateline_md = int(md.group(1)), int(md.group(2))
    if "date" in found and dateline_md and found["date"].how == "date line":
        # 10.03.2016 read day first: a dateline (3月10日) settles it when the day and month could swap
        y, mo, d = (int(x) for x in found["date"].value.split("-"))
        if (d, mo) == dateline_md and d <= 12:
            found["date"] = HeaderField(f"{y:04d}-{d:02d}-{mo:02d}", found["date"].start, found["date"].end,
                                        found["date"].how, found["date"].line)
    if not publishers:
        for s, e in lines[:40]:
            text, idx = _simplified(raw, s, e)
            m = p["byline"].search(text)
            if m and not p["unknown"].match(m.group("v")):
                publishers.append((3, field_of(text, idx, m.start("v"), m.end("v"), m.group("v"), "byline")))
                break
    if publishers:
        found["publisher"] = min(publishers, key=lambda rp: (rp[0], rp[1].start))[1]
    return found
