"""The text layer of a PDF as paragraphs in reading order (PDFium through pypdfium2).

A newspaper page sets an article in columns, a heading or a photo caption across them, a
running header above and a page number below; its text layer is a stream of characters
with positions. This module puts them back into the article's paragraphs:

1. **Lines**: characters in the order PDFium gives them (the content stream's), a new line
   wherever the baseline moves, the pen goes back, or a gap wider than 1.5 type sizes
   opens (a column's gutter). PDFium's own line breaks are ignored.
2. **Reading order** (:func:`reading_order`): lines wider than 60 % of the page's text
   (a headline across the columns, or every line of a one-column page; the text taken to
   be at least three quarters of the page wide) cut the page into
   bands, read top to bottom; within a band, lines whose horizontal extents overlap form a
   column, and the columns are read left to right, each top to bottom. So a two-column
   page reads one column after the other, and the short last column of an article is
   not read before the first. Running headers and footers (a line of a page's top or
   bottom two rows that another page prints too, figures aside: a paper's name and date,
   a browser's date, title and address) are read first and last, as paragraphs of their
   own, once.
3. **Paragraphs** (:func:`paragraphs`): a line set in from its column's left edge (by
   ideographic spaces or by position) starts a paragraph, and so does the line after a
   finished sentence that stops short of the column's right edge or after a short line
   without sentence punctuation (a heading), unless the document indents its paragraphs
   (then indentation tells, and a finished short line only at a column's or page's end);
   a gap wider than the line pitch starts one too. Every other
   line continues the paragraph
   before it — across columns and pages too — and is joined to it without a line break
   (Chinese breaks a line anywhere, inside a number or a pinyin gloss as well: ``600|0元``,
   ``(dān|g)``), by a space between Latin words in a Latin paragraph. Page numbers are
   left out.

The result is one paragraph a line, indented and set off by a blank line as in a ``.txt``
article (and as :func:`kg.readers.read_html` gives a web page), so the normaliser reads a
PDF as it reads the same article's text.

Why PDFium: it reads a text layer about ten times faster than pdfminer.six's pure-Python
layout analysis (the cost that missed issue 14's 20 % target), is the PDF engine of
Chrome, and pypdfium2 ships it as a wheel under Apache-2.0/BSD-3-Clause (PyMuPDF would be
as fast but is AGPL).
"""

from __future__ import annotations

import ctypes
import re
from bisect import bisect_right
from dataclasses import dataclass, field

__all__ = ["Line", "page_lines", "mark_running", "reading_order", "paragraphs", "INDENT"]

INDENT = "\u3000\u3000"     # a body paragraph's indent, as Chinese text sets it (two ideographic spaces)

_SPACES = " \u3000\t\u00a0"
_PAGE_NUMBER = re.compile(r"^[-—–\s]*(?:第\s*)?\d{1,4}(?:\s*页)?[-—–\s]*$|^\d{1,4}\s*/\s*\d{1,4}$")
_SENTENCE_END = tuple("。！？!?.”」』…：:；;")
_SENTENCE_MARKS = set("。，、；：！？,.;:!?”“")


@dataclass
class Line:
    """One line of text on a page: its characters and where it is (PDF points, y up)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float                 # the type size (the characters' box height)
    start: float                # where its first visible character begins (after any indent spaces)
    column: tuple[float, float] = field(default=(0.0, 0.0))   # its column's left and right edge
    apart: bool = False         # a running header or footer: set apart from the text around it

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def middle(self) -> float:
        return (self.y0 + self.y1) / 2


def page_lines(textpage) -> list[Line]:
    """The lines of one page (a ``pypdfium2.PdfTextPage``), in the content stream's order."""
    import pypdfium2.raw as pdfium_c

    tp = textpage.raw
    n = pdfium_c.FPDFText_CountChars(tp)
    if n <= 0:
        return []
    buf = (ctypes.c_ushort * (n + 1))()
    got = pdfium_c.FPDFText_GetText(tp, 0, n, buf)
    text = bytes(buf)[: max(got - 1, 0) * 2].decode("utf-16-le", errors="replace")
    if len(text) != n:          # characters outside the BMP take two UTF-16 units: one at a time
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(tp, i)) for i in range(n))
    rect = pdfium_c.FS_RECTF()
    box = pdfium_c.FPDFText_GetLooseCharBox
    generated = pdfium_c.FPDFText_IsGenerated
    lines: list[Line] = []
    chars: list[str] = []
    visible = False             # the line has a character besides spaces
    x0 = y0 = x1 = y1 = start = base = size = last = 0.0      # last: the previous character's left edge

    def close() -> None:
        if visible:
            lines.append(Line("".join(chars), x0, y0, x1, y1, size, start))

    for i, c in enumerate(text):
        if c in "\r\n\x02\ufffe":   # PDFium's own line ends and soft hyphens' markers
            continue
        box(tp, i, rect)
        left, right, bottom, top = rect.left, rect.right, rect.bottom, rect.top
        h = top - bottom
        if h <= 0 or right < left:
            if c == " " and chars and generated(tp, i):     # a word space PDFium inferred
                chars.append(" ")
            continue
        # (the pen going back is measured from the previous character's left edge: a dash's
        # box may reach over the next character's)
        if chars and not (abs((bottom + top) / 2 - base) <= 0.5 * max(size, h)
                          and left >= last - 0.25 * size and left - x1 <= 1.5 * max(size, h)):
            close()
            chars, visible = [], False
        space = c in _SPACES
        if not chars:
            x0, y0, x1, y1, size, base = left, bottom, right, top, h, (bottom + top) / 2
            start = right if space else left
        else:
            x1, y0, y1, size = max(x1, right), min(y0, bottom), max(y1, top), max(size, h)
            if not visible:
                start = right if space else left
        visible = visible or not space
        last = left
        chars.append(c)
    close()
    return lines


def reading_order(lines: list[Line], page_width: float | None = None) -> list[Line]:
    """The lines of a page in reading order (bands, then columns; see the module docstring),
    each with its column's edges set. ``page_width``: the text is taken to be at least
    three quarters of it wide, so the first column of a page whose second column holds a
    line or two is not taken for lines across the page."""
    lines = [ln for ln in lines if not _PAGE_NUMBER.match(ln.text.strip(_SPACES))]
    if not lines:
        return []
    mid = (min(ln.y0 for ln in lines) + max(ln.y1 for ln in lines)) / 2
    # running headers and footers (:func:`mark_running`): read first and last, apart
    head = sorted((ln for ln in lines if ln.apart and ln.middle > mid), key=lambda ln: (-ln.y1, ln.x0))
    foot = sorted((ln for ln in lines if ln.apart and ln.middle <= mid), key=lambda ln: (-ln.y1, ln.x0))
    for ln in head + foot:
        ln.apart, ln.column = True, (ln.x0, ln.x1)
    if head or foot:
        lines = [ln for ln in lines if not ln.apart]
    return head + _bands(lines, page_width) + foot


def mark_running(pages: list[list[Line]]) -> None:
    """Mark as ``apart`` the lines of a page's top two and bottom two rows whose text (its
    figures aside) recurs in those rows of another page: running headers and footers (a
    paper's name and date, a browser's date, title, address and page count)."""
    if len(pages) < 2:
        return
    seen: dict[str, int] = {}
    edges: list[list[tuple[str, Line]]] = []
    for lines in pages:
        rows = sorted({round(ln.middle) for ln in lines}, reverse=True)
        keep = set(rows[:2] + rows[-2:])
        here = [(re.sub(r"\d+", "#", ln.text.strip(_SPACES)), ln) for ln in lines if round(ln.middle) in keep]
        edges.append(here)
        for key in {k for k, _ in here}:
            seen[key] = seen.get(key, 0) + 1
    for here in edges:
        for key, ln in here:
            if seen[key] >= 2:
                ln.apart, ln.column = True, (ln.x0, ln.x1)


def _bands(lines: list[Line], page_width: float | None) -> list[Line]:
    """The body lines of a page in reading order: bands, then columns."""
    left, right = min(ln.x0 for ln in lines), max(ln.x1 for ln in lines)
    wide = 0.6 * max(right - left, 0.75 * (page_width or 0.0))
    spanning = sorted((ln for ln in lines if ln.width > wide), key=lambda ln: -ln.y1)
    rest = sorted((ln for ln in lines if ln.width <= wide), key=lambda ln: ln.middle)
    if spanning:        # the edges of the text the spanning lines set (a header may stand out)
        left, right = min(ln.x0 for ln in spanning), max(ln.x1 for ln in spanning)
    for ln in spanning:
        ln.column = (left, right)
    middles = [ln.middle for ln in rest]
    cuts = [ln.middle for ln in spanning] + [float("-inf")]
    out: list[Line] = []
    above = float("inf")
    for k, cut in enumerate(cuts):
        # the band between two spanning lines: middles in (cut, above]
        band = rest[bisect_right(middles, cut): bisect_right(middles, above)]
        columns: list[list[Line]] = []
        reach = float("-inf")
        for ln in sorted(band, key=lambda ln: ln.x0):
            if columns and ln.x0 < reach - 1:
                columns[-1].append(ln)
                reach = max(reach, ln.x1)
            else:
                columns.append([ln])
                reach = ln.x1
        for col in columns:
            out.extend(sorted(col, key=lambda ln: -ln.y1))
            x0, x1 = min(ln.x0 for ln in col), max(ln.x1 for ln in col)
            if spanning and len(columns) == 1 and x0 >= left - 1 and x1 <= right + 1:
                x0, x1 = left, right    # short lines between lines across: one column's edges
            for ln in col:
                ln.column = (x0, x1)
        if k < len(spanning):
            out.append(spanning[k])
        above = cut
    return out


def _cjk(text: str) -> int:
    return sum(1 for c in text if "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff")


def _latin(text: str) -> int:
    return sum(1 for c in text if c.isascii() and c.isalpha())


def paragraphs(lines: list[Line]) -> list[str]:
    """The paragraphs of a document's lines (in reading order, all pages in turn): see the
    module docstring. A document that indents its paragraphs as Chinese does (some line set
    in by about two ideographs) starts a paragraph only at an indented line or after a gap
    wider than its line pitch: a line that stops short is then taken for a wrap (ragged
    right, or digits and Latin letters narrower than the ideographs a line was counted
    in), not a paragraph's end."""
    lines = [ln for ln in lines if ln.text.strip(_SPACES)]
    offsets = [(ln.start - ln.column[0]) / (ln.size or 10.0) for ln in lines]
    indent_style = any(1.2 <= off <= 2.6 for off, ln in zip(offsets, lines) if not ln.apart)
    steps = sorted(a.y0 - b.y0 for a, b in zip(lines, lines[1:]) if _below(a, b))
    pitch = steps[len(steps) // 4] if steps else None       # the lower quartile: a wrap, not a paragraph's gap
    out: list[str] = []
    prev: Line | None = None
    seen_apart: set[str] = set()
    open_at = -1                # the paragraph a continuing line joins (headers and footers aside)
    for ln, off in zip(lines, offsets):
        if ln.apart:            # its own paragraph; a header or footer printed on every page once
            key = re.sub(r"\d+", "#", ln.text.strip(_SPACES))
            if key not in seen_apart:
                seen_apart.add(key)
                out.append(ln.text.strip(_SPACES))
            continue
        new = prev is None or off > 0.8
        if not new and pitch and _below(prev, ln) and prev.y0 - ln.y0 > 1.4 * pitch:
            new = True          # a blank line's space between two lines of a column
        if not new:
            short = prev.x1 < prev.column[1] - 1.5 * prev.size
            ended = prev.text.rstrip(_SPACES).endswith(_SENTENCE_END)
            if not indent_style:
                heading = (prev.x1 < prev.column[0] + 0.7 * (prev.column[1] - prev.column[0])
                           and not any(c in _SENTENCE_MARKS for c in prev.text))
                new = (short and ended) or heading
            elif not _below(prev, ln):      # a new column or page after a finished short line
                new = short and ended
        if new:
            out.append(ln.text.lstrip(_SPACES))
            open_at = len(out) - 1
        else:           # a line's own spaces kept: a header's fields stay apart (留言 | 设首页)
            out[open_at] = _join(out[open_at], ln.text)
        prev = ln
    return [p.rstrip(_SPACES) for p in out]


def _below(a: Line, b: Line) -> bool:
    """Whether line ``b`` follows ``a`` down one column: below it, within three type sizes,
    overlapping it horizontally."""
    return 0 < a.y0 - b.y0 < 3 * a.size and min(a.x1, b.x1) > max(a.x0, b.x0)


def _join(last: str, text: str) -> str:
    """A paragraph and its next line joined: directly in Chinese (a line breaks anywhere),
    by a space between Latin words in a Latin paragraph (a hyphen at the break kept)."""
    if _latin(last) > _cjk(last) and not last[-1:].isspace() and not text[:1].isspace():
        return last + text if last.endswith("-") and text[:1].isalpha() else last + " " + text
    return last + text
