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
   not read before the first. A running header above everything and a footer below it
   (set off by more than a line's gap) are read first and last, as paragraphs of their
   own, and once only when every page prints them (page numbers aside).
3. **Paragraphs** (:func:`paragraphs`): a line set in from its column's left edge (by
   ideographic spaces or by position) starts a paragraph, and so does the line after a
   finished sentence that stops short of the column's right edge or after a short line
   without sentence punctuation (a heading), unless the document indents its paragraphs
   (then indentation tells); a gap wider than the line pitch starts one too. Every other
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

__all__ = ["Line", "page_lines", "reading_order", "paragraphs", "INDENT"]

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
    x0 = y0 = x1 = y1 = start = base = size = 0.0

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
        if chars and not (abs((bottom + top) / 2 - base) <= 0.5 * max(size, h)
                          and left >= x1 - 0.5 * size and left - x1 <= 1.5 * size):
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
    # a running header above everything else and a footer below it, each set off by more
    # than a line's gap (at most two lines each): read first and last, set apart
    head: list[Line] = []
    foot: list[Line] = []
    by_top = sorted(lines, key=lambda ln: -ln.y1)
    while len(head) < 2 and len(by_top) - len(head) > 3:
        top, below = by_top[len(head)], by_top[len(head) + 1:]
        if top.y0 - max(ln.y1 for ln in below) <= 0.8 * top.size:
            break
        head.append(top)
    by_bottom = sorted(by_top[len(head):], key=lambda ln: ln.y0)
    while len(foot) < 2 and len(by_bottom) - len(foot) > 3:
        low, above_it = by_bottom[len(foot)], by_bottom[len(foot) + 1:]
        if min(ln.y0 for ln in above_it) - low.y1 <= 0.8 * low.size:
            break
        foot.append(low)
    for ln in head + foot:
        ln.apart, ln.column = True, (ln.x0, ln.x1)
    if head or foot:
        lines = [ln for ln in lines if not ln.apart]
    return head + _bands(lines, page_width) + foot[::-1]


def _bands(lines: list[Line], page_width: float | None) -> list[Line]:
    """The body lines of a page in reading order: bands, then columns."""
    left, right = min(ln.x0 for ln in lines), max(ln.x1 for ln in lines)
    wide = 0.6 * max(right - left, 0.75 * (page_width or 0.0))
    spanning = sorted((ln for ln in lines if ln.width > wide), key=lambda ln: -ln.y1)
    rest = sorted((ln for ln in lines if ln.width <= wide), key=lambda ln: ln.middle)
    for ln in spanning:
        ln.column = (left, right)
    middles = [ln.middle for ln in rest]
    cuts = [ln.middle for ln in spanning] + [float("-inf")]
    groups: list[list[Line]] = []
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
        groups.extend(columns)
        if k < len(spanning):
            out.append(spanning[k])
        above = cut
    one_column = bool(spanning) and len(groups) <= 1 or not spanning and len(groups) == 1
    for col in groups:
        x0, x1 = min(ln.x0 for ln in col), max(ln.x1 for ln in col)
        if spanning and one_column and x0 >= left - 1 and x1 <= right + 1:
            x0, x1 = left, right        # the short lines of a one-column page: the page's edges
        for ln in col:
            ln.column = (x0, x1)
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
    steps = sorted(a.y0 - b.y0 for a, b in zip(lines, lines[1:])
                   if a.column == b.column and 0 < a.y0 - b.y0 < 3 * a.size)
    pitch = steps[len(steps) // 2] if steps else None
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
        if not new and pitch and prev.column == ln.column and prev.y0 - ln.y0 > 1.4 * pitch:
            new = True          # a blank line's space between two lines of a column
        if not new and not indent_style:
            short = prev.x1 < prev.column[1] - 1.5 * prev.size
            ended = prev.text.rstrip(_SPACES).endswith(_SENTENCE_END)
            heading = (prev.x1 < prev.column[0] + 0.7 * (prev.column[1] - prev.column[0])
                       and not any(c in _SENTENCE_MARKS for c in prev.text))
            new = (short and ended) or heading
        if new:
            out.append(ln.text.lstrip(_SPACES))
            open_at = len(out) - 1
        else:           # a line's own spaces kept: a header's fields stay apart (留言 | 设首页)
            out[open_at] = _join(out[open_at], ln.text)
        prev = ln
    return [p.rstrip(_SPACES) for p in out]


def _join(last: str, text: str) -> str:
    """A paragraph and its next line joined: directly in Chinese (a line breaks anywhere),
    by a space between Latin words in a Latin paragraph (a hyphen at the break kept)."""
    if _latin(last) > _cjk(last) and not last[-1:].isspace() and not text[:1].isspace():
        return last + text if last.endswith("-") and text[:1].isalpha() else last + " " + text
    return last + text
