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
* PDF: the text layer, laid out by pdfminer.six (``LAParams``: characters grouped into
  lines and lines into boxes, boxes ordered column by column, so a two-column page reads
  one column after the other). A PDF without a text layer (a scan) is refused with that
  reason, as is an encrypted one. Pages are separated by a blank line.
* Word (``.docx``): paragraphs and table rows in document order (python-docx); title and
  author from the document properties (not its dates: a Word file's creation date is the
  office's, not the article's).

Every reader raises :class:`ReadError` with a one-line reason (the corpus reader adds the
file name). The metadata keys are those of the manifest: ``title``, ``date``
(``YYYY[-MM[-DD]]``), ``publisher``, ``author``, ``url``.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

__all__ = ["PageText", "ReadError", "FORMATS", "read_html", "read_pdf", "read_docx"]

#: File suffix -> format. ``.txt`` is decoded by :mod:`kg.corpus` itself.
FORMATS: dict[str, str] = {
    ".txt": "text", ".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html",
    ".pdf": "pdf", ".docx": "docx",
}

_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")


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
    text = _tidy(doc.text)
    title = " ".join((doc.title or "").split())
    if title and title not in text[: len(title) + 200]:
        text = f"{title}\n\n{text}"
    date = doc.date if doc.date and _ISO_DATE.match(doc.date) else None
    fields = _clean_fields({"title": title, "date": date, "publisher": doc.sitename,
                            "author": doc.author, "url": doc.url})
    return PageText(text=text, format="html", fields=fields)


def _tidy(text: str) -> str:
    """Line ends normalised, trailing spaces dropped, at most one blank line in a row."""
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    out: list[str] = []
    for ln in lines:
        if ln or (out and out[-1]):
            out.append(ln)
    return "\n".join(out).strip("\n") + "\n"


# --------------------------------------------------------------------------- PDF
def read_pdf(data: bytes) -> PageText:
    """The text layer of a PDF in reading order; a scan without text is a :class:`ReadError`."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFParser, PDFSyntaxError

    fields: dict[str, str | None] = {}
    pages: list[str] = []
    try:
        parser = PDFParser(io.BytesIO(data))
        info = PDFDocument(parser).info
        if info:
            meta = info[0]
            fields = {"title": _pdf_str(meta.get("Title")), "author": _pdf_str(meta.get("Author")),
                      "date": _pdf_date(_pdf_str(meta.get("CreationDate")))}
        laparams = LAParams()
        for layout in extract_pages(io.BytesIO(data), laparams=laparams):
            parts = [el.get_text() for el in layout if isinstance(el, LTTextContainer)]
            pages.append("".join(parts))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise ReadError("an encrypted PDF (password protected)") from None
    except PDFSyntaxError as e:
        raise ReadError(f"unreadable PDF ({e})") from None
    except Exception as e:  # pdfminer raises many kinds on damaged files
        if "encrypt" in type(e).__name__.lower() or "password" in type(e).__name__.lower():
            raise ReadError("an encrypted PDF (password protected)") from None
        raise ReadError(f"unreadable PDF ({type(e).__name__})") from None
    if not pages:
        raise ReadError("a PDF without pages")
    if not any(p.strip() for p in pages):
        raise ReadError(f"a scanned PDF without a text layer ({len(pages)} page{'s' if len(pages) > 1 else ''}, "
                        "no text to read: OCR it first)")
    text = _tidy("\n\n".join(_tidy(p) for p in pages if p.strip()))
    return PageText(text=text, format="pdf", fields=_clean_fields(fields), pages=len(pages))


def _pdf_str(value) -> str | None:
    """A PDF info value as text (PDF text strings are PDFDocEncoding or UTF-16 with BOM)."""
    from pdfminer.pdftypes import resolve1

    value = resolve1(value)
    if isinstance(value, bytes):
        if value.startswith((b"\xfe\xff", b"\xff\xfe")):
            return value.decode("utf-16", errors="replace")
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.decode("latin-1")
    return str(value) if value is not None else None


def _pdf_date(value: str | None) -> str | None:
    """``D:20200325120000+08'00'`` -> ``2020-03-25``."""
    m = _PDF_DATE.match(value or "")
    if not m:
        return None
    return "-".join(x for x in m.groups() if x)


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
                    lines.append("\t".join(cells))
        else:
            lines.append(block.text)
    text = _tidy("\n".join(lines))
    if not text.strip():
        raise ReadError("a Word file without text")
    props = document.core_properties
    return PageText(text=text, format="docx", fields=_clean_fields({"title": props.title, "author": props.author}))
