"""Layout repair for OCR'd newspaper text, keeping an exact map back to the raw file.

:func:`normalize` turns the decoded text of one article (``raw``) into :class:`Normalized`:
one line per paragraph, headline, caption or byline, with

* line breaks inside a paragraph removed, also across blank lines, page breaks and narrow
  or staircase column fragments (``徐泉\\n铃`` -> ``徐泉铃``): a paragraph goes on until a
  line ends a sentence;
* spaces inside Chinese text and numbers removed (``人 口 4299 人`` -> ``人口4299人``); a
  space between two Latin letters or digits stays (``SYB 2.0``); headlines and bylines keep
  their single spaces between phrases and names;
* doubled caption text undone (``摄摄//李显彦李显彦`` -> ``摄/李显彦``);
* captions (photo credits, doubled lines, short lines set apart inside a sentence),
  bylines (``杨敏 吴志杰 图片由…提供``, ``僧少琴 摄``) and headlines told apart from body
  text (:attr:`Normalized.blocks`). A caption printed in the middle of a sentence is moved
  after the paragraph it interrupts, so the sentence reads whole;
* traditional characters converted to simplified, character by character (jionlp's table
  with the corrections in ``kg/data/normalize_tra2sim.tsv``), full-width digits and Latin
  letters to ASCII; control and zero-width characters and U+FFFD removed;
* paragraphs and sentences split (``。！？!?；`` and a final ``……``, closing quotes kept
  with their sentence; a sentence never crosses a block).

The offset map is exact: ``offsets[i]`` is the index in ``raw`` of the character that
``text[i]`` came from, and ``text[i] == char_map(raw[offsets[i]])`` where :func:`char_map`
is the documented per-character mapping (script conversion, full-width to ASCII, any
whitespace or line break to a space, or to a newline where it separates blocks). For a
doubled character the first copy is cited; removed characters are cited by nothing. The
offsets are injective and strictly increasing inside every block; they increase over the
whole text too, except where a caption was moved out of a sentence (then the blocks after
it resume from where the interrupted paragraph went on). Separators between blocks are one
newline, or two or three where the raw text had blank lines.

Normalising normalised text changes nothing (``normalize(n.text).text == n.text``), and
the function never raises on a ``str``.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from kg.resources import data_file

__all__ = ["Block", "Normalized", "normalize", "char_map", "BLOCK_KINDS", "SENTENCE_END"]

BLOCK_KINDS = ("body", "headline", "caption", "byline")
#: Characters that end a sentence (``；`` also ends one for splitting, not for paragraphs).
SENTENCE_END = frozenset("。！？!?")
_SPLIT_AFTER = frozenset("。！？!?；;")
_CLOSERS = frozenset("”’」』）)】》〕\"'")
_CLAUSE = frozenset("，,；;。！？!?")
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")

_MAX_HEADLINE = 40     # characters (without spaces) a headline may have
_MAX_CAPTION = 60      # characters a caption set apart inside a sentence may have
_WINDOW = 12           # lines either side used to measure the local column width


# --------------------------------------------------------------------------- data model
@dataclass
class Block:
    """A stretch ``text[start:end]`` of one layout kind (its trailing separator included)."""

    start: int
    end: int
    kind: str          # "body" | "headline" | "caption" | "byline"


@dataclass
class Normalized:
    """The repaired text of an article and its exact map to the raw text."""

    text: str
    offsets: list[int]                     # len == len(text); raw index of each character
    blocks: list[Block] = field(default_factory=list)            # cover the text, in order
    paragraphs: list[tuple[int, int]] = field(default_factory=list)  # one per block, no separator
    sentences: list[tuple[int, int]] = field(default_factory=list)   # inside paragraphs

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The raw ``(start, end)`` covering ``text[start:end]`` (first to last cited character)."""
        if end <= start:
            pos = self.offsets[start] if start < len(self.offsets) else (self.offsets[-1] + 1 if self.offsets else 0)
            return pos, pos
        cited = self.offsets[start:end]
        return min(cited), max(cited) + 1

    def block_at(self, pos: int) -> Block | None:
        """The block containing text position ``pos``."""
        import bisect

        i = bisect.bisect_right([b.start for b in self.blocks], pos) - 1
        return self.blocks[i] if 0 <= i < len(self.blocks) and pos < self.blocks[i].end else None


# --------------------------------------------------------------------------- characters
@functools.cache
def _t2s_table() -> dict[str, str]:
    """jionlp's traditional -> simplified character table with the project's corrections."""
    table: dict[str, str] = {}
    spec = importlib.util.find_spec("jionlp")
    if spec and spec.submodule_search_locations:
        path = Path(next(iter(spec.submodule_search_locations))) / "dictionary" / "tra2sim_char.txt"
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                parts = line.split("\t")
                if len(parts) == 2 and len(parts[0]) == 1 and len(parts[1]) == 1:
                    table[parts[0]] = parts[1]
    for line in data_file("normalize_tra2sim.tsv").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("\t")
        if len(key) != 1:
            continue
        if value:
            table[key] = value
        else:
            table.pop(key, None)
    # resolve chains (a -> b -> c) and drop targets that are themselves converted
    for key in list(table):
        seen = {key}
        value = table[key]
        while value in table and value not in seen:
            seen.add(value)
            value = table[value]
        if value in seen:        # a cycle: leave the character alone
            table.pop(key, None)
        else:
            table[key] = value
    return table


_DROP = "\x00"      # marker: the character is removed


@functools.lru_cache(maxsize=65536)
def _map(c: str) -> str:
    table = _t2s_table()
    if c in table:
        return table[c]
    o = ord(c)
    if 0xFF10 <= o <= 0xFF19 or 0xFF21 <= o <= 0xFF3A or 0xFF41 <= o <= 0xFF5A:
        return chr(o - 0xFEE0)
    if c == "\ufffd":
        return _DROP
    if c.isspace():
        return " "
    if unicodedata.category(c) in ("Cc", "Cf", "Cs"):
        return _DROP
    return c


def char_map(c: str) -> str:
    """The normalised form of one raw character: ``""`` when it is removed, ``" "`` for any
    whitespace (a separator newline may also cite whitespace), else the character after
    script conversion and full-width -> ASCII."""
    m = _map(c)
    return "" if m == _DROP else m


def _is_cjk(c: str) -> bool:
    o = ord(c)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3FFFF


def _is_latin(c: str) -> bool:
    return c.isalnum() and ord(c) < 0x2000


# --------------------------------------------------------------------------- lines
@dataclass
class _Line:
    chars: list[tuple[int, str]]   # content (raw index, char); single spaces kept inside
    gap: list[int]                 # raw indices of separator points before it (line breaks, indent)
    brk: int                       # raw index of the line break after it (-1 at the end)
    text: str = ""                 # content with spaces
    ns: str = ""                   # content without spaces
    eff: float = 0.0               # visual length (a space counts half)
    width: float = 0.0             # local column width
    ended: bool = False
    k: int = 0                     # blank lines before (capped at 2); -1 at the start


def _split_lines(raw: str) -> list[_Line]:
    """Non-blank lines with their content chars and the separator points before them."""
    lines: list[_Line] = []
    gap: list[int] = []
    pos = 0
    n = len(raw)
    for m in [*_LINE_BREAK.finditer(raw), None]:
        end = m.start() if m else n
        chars: list[tuple[int, str]] = []
        indent = None
        space_at = -1
        for i in range(pos, end):
            c = _map(raw[i])
            if c == _DROP:
                continue
            if c == " ":
                if space_at < 0:
                    space_at = i
                continue
            if space_at >= 0:
                if chars:
                    chars.append((space_at, " "))
                elif indent is None:
                    indent = space_at
                space_at = -1
            chars.append((i, c))
        if chars:
            lines.append(_Line(chars=chars, gap=gap + ([indent] if indent is not None else []),
                               brk=m.start() if m else -1))
            gap = []
        if m:
            gap.append(m.start())
            pos = m.end()
    return lines


def _ended(ns: str) -> bool:
    s = ns.rstrip("".join(_CLOSERS))
    return bool(s) and (s[-1] in SENTENCE_END or s.endswith("…"))


_PHRASE_SPACE = re.compile(r"[\u3400-\u9fff“”《》]{2} [\u3400-\u9fff“”《》]{2}")


def _headline_like(line: _Line) -> bool:
    ns = line.ns
    return (0 < len(ns) <= _MAX_HEADLINE and not line.ended and not any(c in _CLAUSE for c in ns)
            and any(_is_cjk(c) for c in ns))


def _short(line: _Line, ratio: float = 0.8) -> bool:
    return line.eff <= ratio * line.width or (line.width >= 36 and len(line.ns) <= 30)


def _measure(lines: list[_Line]) -> None:
    for ln in lines:
        ln.text = "".join(c for _, c in ln.chars)
        ln.ns = ln.text.replace(" ", "")
        ln.eff = len(ln.ns) + 0.5 * (len(ln.text) - len(ln.ns))
        ln.ended = _ended(ln.ns)
    effs = [ln.eff for ln in lines]
    for j, ln in enumerate(lines):
        win = sorted(effs[max(0, j - _WINDOW): j + _WINDOW + 1])
        ln.width = win[int(0.75 * (len(win) - 1))]
    for j, ln in enumerate(lines):
        if j == 0:
            ln.k = -1
        else:
            # the gap holds one point per line break plus one for an indent
            ln.k = min(2, len(ln.gap) - 1)


# --------------------------------------------------------------------------- captions, bylines
_NAME = r"[\u3400-\u9fff]{2,4}"
_BYLINE = re.compile(
    rf"^(?:(?:本报记者|特约记者|记者|通讯员|实习生|文/图|文／图|摄影|文|图)\s*[:：/／]?\s*)?"
    rf"(?P<names>{_NAME}(?:\s+{_NAME}){{0,5}})"
    rf"(?P<tail>\s*(?:图片由\S{{2,40}}提供|摄影?|供图|报道))?$")
_PHOTO_BY = re.compile(r"^(?:图片由\S{2,40}提供|(?:图|图片|摄影|摄)\s*[:：/／]\s*\S{2,12})$")
_CREDIT = re.compile(
    rf"(?:摄影?\s*[/／:：]\s*{_NAME}(?:\s+{_NAME})*|(?<![\u3400-\u9fff]){_NAME}(?:\s+{_NAME})*\s*摄影?"
    rf"|[(（]\s*{_NAME}(?:\s+{_NAME})*\s*摄影?\s*[)）]|(?<![\u3400-\u9fff])图片由\S{{2,40}}提供)$")


def _is_byline(text: str, *, marked: bool = False) -> bool:
    """A byline: names with a marker (记者, 摄, 图片由…提供) or, unless ``marked``, two or
    more names separated by spaces (``成蓉 宗雪``)."""
    if _PHOTO_BY.match(text):
        return True
    m = _BYLINE.match(text)
    if not m:
        return False
    marker = text[: m.start("names")].strip() or m.group("tail")
    return bool(marker) or (not marked and len(m.group("names").split()) >= 2)


def _credit_start(text: str) -> int:
    """Where a photo credit at the end of a caption starts (-1 when there is none)."""
    m = _CREDIT.search(text)
    if not m or m.start() == 0:
        return -1
    return m.start()


def _undouble(chars: list[tuple[int, str]]) -> tuple[list[tuple[int, str]], bool]:
    """Undo OCR doubling (``摄摄//李显彦李显彦`` -> ``摄/李显彦``) when most of the text is
    doubled; returns the chars (first copies) and whether anything was undone."""
    s = "".join(c for _, c in chars)
    n = len(s)
    if n < 6 or n > 800:
        return chars, False
    out: list[tuple[int, str]] = []
    covered = 0
    i = 0
    while i < n:
        best = 0
        limit = min((n - i) // 2, 60)
        j = s.find(s[i], i + 1, i + limit + 1)
        while j != -1:
            k = j - i
            if s[i:j] == s[j:j + k]:
                best = k
            j = s.find(s[i], j + 1, i + limit + 1)
        if best:
            out.extend(chars[i:i + best])
            covered += 2 * best
            i += 2 * best
        else:
            out.append(chars[i])
            i += 1
    if covered < 0.7 * n:
        return chars, False
    return out, True


# --------------------------------------------------------------------------- layout
@dataclass
class _Unit:
    kind: str
    lines: list[int]


def _layout(lines: list[_Line]) -> list[_Unit]:
    """Group lines into paragraphs, headlines, captions and bylines, in reading order."""
    runs: list[list[int]] = []
    for j, ln in enumerate(lines):
        if j == 0 or ln.k != 0:
            runs.append([j])
        else:
            runs[-1].append(j)

    units: list[_Unit] = []
    deferred: list[_Unit] = []
    cur: list[int] = []

    def emit(u: _Unit) -> None:
        units.append(u)

    def close() -> None:
        nonlocal cur
        if cur:
            emit(_Unit("body", cur))
            cur = []
        units.extend(deferred)
        deferred.clear()

    def run_text(run: list[int]) -> str:
        return "".join(lines[j].text for j in run)

    def special(run: list[int]) -> bool:
        """A caption recognisable on its own: photo credit at its end, or doubled text."""
        text = run_text(run)
        if len(text.replace(" ", "")) > 4 * _MAX_CAPTION:
            return False
        if _credit_start(text) > 0:
            return True
        chars = [c for j in run for c in lines[j].chars if c[1] != " "]
        return _undouble(chars)[1]

    def whole_headline(run: list[int]) -> bool:
        if len(run) > 3 or any(not _headline_like(lines[j]) or not _short(lines[j]) for j in run):
            return False
        if any("、" in lines[j].ns for j in run[1:]):
            return False
        return sum(len(lines[j].ns) for j in run) <= _MAX_HEADLINE

    r = 0
    while r < len(runs):
        run = runs[r]
        nxt = runs[r + 1] if r + 1 < len(runs) else None
        first = lines[run[0]]
        r += 1
        pos = 0
        if cur:   # an open paragraph: it goes on unless this run is set apart as a caption
            if special(run) or (first.k >= 2 and len(run) == 1 and not first.ended and nxt is not None
                                and len(first.ns) <= _MAX_CAPTION and _short(first)):
                deferred.append(_Unit("caption", run))
                continue
            if len(run) == 1 and first.k >= 1 and _is_byline(first.text, marked=True):
                deferred.append(_Unit("byline", run))
                continue
        else:
            close()
            if _is_byline(first.text):
                emit(_Unit("byline", [run[0]]))
                pos = 1
            elif special(run):
                emit(_Unit("caption", run))
                continue
            elif nxt is not None and not lines[run[-1]].ended and special(nxt) and \
                    len(run_text(run + nxt).replace(" ", "")) <= 2 * _MAX_CAPTION:
                emit(_Unit("caption", run + nxt))     # a caption broken before its credit
                r += 1
                continue
            elif first.k >= 2 and len(run) == 1 and not first.ended and len(first.ns) <= _MAX_CAPTION \
                    and _short(first):
                emit(_Unit("caption", run))
                continue
            elif first.k != 0 and whole_headline(run):
                emit(_Unit("headline", run))
                continue
            elif first.k != 0 and len(run) == 1 and not first.ended and _short(first) and nxt is not None \
                    and len(first.ns) <= _MAX_HEADLINE and not any(c in "。！？!?" for c in first.ns) \
                    and whole_headline(nxt):
                emit(_Unit("headline", run))          # a subtitle with a comma before a headline
                continue
            elif first.k != 0 and len(run) > 1 and _headline_like(first) and \
                    (_short(first, 0.7) or _PHRASE_SPACE.search(first.text)):
                emit(_Unit("headline", [run[0]]))
                pos = 1
            elif units and units[-1].kind in ("caption", "byline") and len(run) == 1 and first.ended \
                    and len(first.ns) <= 20 and not any(c in _CLAUSE for c in first.ns[:-1]):
                emit(_Unit("caption", run))           # a series of short captions
                continue
        for j in run[pos:]:
            ln = lines[j]
            if not cur and _is_byline(ln.text):
                emit(_Unit("byline", [j]))
                continue
            cur.append(j)
            if ln.ended:
                close()
    close()
    return units


# --------------------------------------------------------------------------- assembly
_Chars = list[tuple[int, str]]


def _unit_chars(unit: _Unit, lines: list[_Line]) -> _Chars:
    """The unit's characters with its lines joined: by a space (cited at the line break)
    between two Latin letters, and always in headlines, bylines and captions (where it is
    removed again later unless it separates a credit or Latin words)."""
    spaced = unit.kind != "body"
    out: _Chars = []
    prev: _Line | None = None
    for j in unit.lines:
        ln = lines[j]
        if prev is not None and prev.brk >= 0:
            a, b = prev.chars[-1][1], ln.chars[0][1]
            if spaced or (_is_latin(a) and _is_latin(b) and not (a.isdigit() and b.isdigit())):
                out.append((prev.brk, " "))
        out.extend(ln.chars)
        prev = ln
    return out


def _drop_spaces(chars: _Chars) -> _Chars:
    """Remove spaces except between two Latin letters or digits (``SYB 2.0``)."""
    kept: _Chars = []
    for i, (idx, c) in enumerate(chars):
        if c == " ":
            a = kept[-1][1] if kept else ""
            b = chars[i + 1][1] if i + 1 < len(chars) else ""
            if not (a and b and a != " " and _is_latin(a) and _is_latin(b)):
                continue
        kept.append((idx, c))
    return kept


def _pieces(unit: _Unit, lines: list[_Line]) -> list[tuple[str, _Chars, list[int]]]:
    """(kind, chars, separator points before it) for one unit: a caption or paragraph that
    ends with a photo credit gives a caption and a byline."""
    chars = _unit_chars(unit, lines)
    kind = unit.kind
    if kind in ("headline", "byline"):
        return [(kind, chars, [])]
    doubled = False
    chars, undone = _undouble(chars)
    while undone:
        doubled = True
        chars, undone = _undouble(chars)
    if doubled:
        kind = "caption"
    out: list[tuple[str, _Chars, list[int]]] = []
    if kind == "caption" or len(chars) <= 4 * _MAX_CAPTION:
        at = _credit_start("".join(c for _, c in chars))
        if at > 0:
            head = _drop_spaces(chars[:at])
            sep = [chars[at - 1][0]] if chars[at - 1][1] == " " else []
            credit = chars[at:]
            if head:
                out.append(("caption", head, []))
            out.append(("byline", credit, sep))
            return out
    return [(kind, _drop_spaces(chars), [])]


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]``: after 。！？!?；; or a final ……, closing
    quotes and brackets staying with their sentence."""
    out: list[tuple[int, int]] = []
    s = start
    i = start
    while i < end:
        c = text[i]
        i += 1
        if c in _SPLIT_AFTER or (c == "…" and (i == end or (text[i] != "…" and text[i] in _CLOSERS))):
            while i < end and (text[i] in _SPLIT_AFTER or text[i] in _CLOSERS):
                i += 1
            out.append((s, i))
            s = i
    if s < end:
        out.append((s, end))
    return out


def normalize(raw: str) -> Normalized:
    """Repair the layout of one article's raw text; see the module docstring."""
    lines = _split_lines(raw)
    if not lines:
        return Normalized(text="", offsets=[])
    _measure(lines)
    line_at = {ln.chars[0][0]: ln for ln in lines}

    parts: list[str] = []
    offsets: list[int] = []
    blocks: list[Block] = []
    paragraphs: list[tuple[int, int]] = []
    sentences: list[tuple[int, int]] = []
    for unit in _layout(lines):
        for kind, chars, sep in _pieces(unit, lines):
            if not chars:
                continue
            if blocks:
                first = line_at.get(chars[0][0])
                seps = (first.gap if first is not None else sep)[:3]
                for g in seps:
                    parts.append("\n")
                    offsets.append(g)
                blocks[-1].end = len(parts)
            start = len(parts)
            for idx, c in chars:
                parts.append(c)
                offsets.append(idx)
            end = len(parts)
            blocks.append(Block(start, end, kind))
            paragraphs.append((start, end))
            if kind in ("body", "caption"):
                seg = "".join(parts[start:end])
                sentences.extend((start + a, start + b) for a, b in _sentences(seg, 0, len(seg)))
            else:
                sentences.append((start, end))
    return Normalized(text="".join(parts), offsets=offsets, blocks=blocks, paragraphs=paragraphs,
                      sentences=sentences)
