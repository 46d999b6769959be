"""Layout repair for OCR'd newspaper text, keeping an exact map back to the raw file.

:func:`normalize` turns the decoded text of one article (``raw``) into :class:`Normalized`:
one line per paragraph, headline, caption or byline, with

* line breaks inside a paragraph removed, also across blank lines, page breaks and narrow
  or staircase column fragments (``徐泉\\n铃`` -> ``徐泉铃``): a paragraph goes on until a
  line ends a sentence (a paragraph that stops without punctuation runs into the next);
* spaces inside Chinese text and numbers removed (``人 口 4299 人`` -> ``人口4299人``); a
  space between two Latin letters or digits stays (``SYB 2.0``); headlines and bylines keep
  their single spaces between phrases and names (``走出去 深化鲁渝劳务协作``, ``成蓉 宗雪``);
* doubled caption text undone line by line (``摄摄//李显彦李显彦`` -> ``摄/李显彦``, also
  whole doubled lines) when at least 70% of a line is doubled;
* captions (a photo credit at the end, or a short line set apart by two or more blank
  lines), bylines (``杨敏 吴志杰 图片由…提供``, ``僧少琴 摄``, ``摄/李显彦``) and headlines
  (short lines set apart, without sentence punctuation) told apart from body text
  (:attr:`Normalized.blocks`). A caption printed in the middle of a sentence is moved after
  the paragraph it interrupts, so the sentence reads whole (``日工资达到了150`` + caption +
  ``余元。`` -> ``日工资达到了150余元。``);
* pinyin glosses after a character removed (``鎮(zhèn)`` -> ``镇``);
* traditional characters converted to simplified, character by character (jionlp's table
  with the corrections in ``kg/data/normalize_tra2sim.tsv``), full-width digits and Latin
  letters to ASCII; control and zero-width characters and U+FFFD removed;
* paragraphs (one per block) and sentences split (after ``。！？!?；;`` or a final ``……``,
  closing quotes and brackets kept with their sentence; a sentence never crosses a block).

The offset map is exact: ``offsets[i]`` is the index in ``raw`` of the character that
``text[i]`` came from, and ``text[i] == char_map(raw[offsets[i]])`` where :func:`char_map`
is the per-character mapping (script conversion, full-width to ASCII, whitespace and line
breaks to a space), except that a newline separating two blocks cites a raw whitespace
character (a line break or an indent). A doubled character cites its first copy; removed
characters are cited by nothing; no raw character is cited twice. Offsets increase
strictly inside every block (separator included); over the whole text they increase too,
except after a caption moved out of a sentence: ``Normalized.raw_span`` gives the raw span
of any stretch. Blocks are separated by one newline, or two where the raw text had a blank
line (three before a caption set apart by blank lines).

Normalising normalised text gives the same text (checked on the corpus and with
hypothesis on broken layouts and random text); the function never raises on a ``str``.
Speed: about 1.5 million characters per second of CPU in pure Python.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import unicodedata
from array import array
from collections.abc import Sequence
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
    """A stretch ``text[start:end]`` of one layout kind (the separator before it included)."""

    start: int
    end: int
    kind: str          # "body" | "headline" | "caption" | "byline"


@dataclass
class Normalized:
    """The repaired text of an article and its exact map to the raw text."""

    text: str
    #: len == len(text); raw index of each character. A compact ``array('i')`` (4 bytes a
    #: character instead of ~36 for a list of ints): index, slice or ``list()`` it like a list.
    offsets: Sequence[int]
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
    # resolve chains (a -> b -> c); leave cycles alone
    for key in list(table):
        seen = {key}
        value = table[key]
        while value in table and value not in seen:
            seen.add(value)
            value = table[value]
        if value in seen:
            table.pop(key, None)
        else:
            table[key] = value
    return table


_DROP = "\x00"      # what a removed character becomes in the mapped text
#: astral code points that may be format characters (checked against unicodedata at import)
_ASTRAL_FORMAT = ((0x110BD, 0x110CD), (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
                  (0xE0001, 0xE0001), (0xE0020, 0xE007F))


@functools.cache
def _table() -> dict[int, str]:
    """The per-character mapping as a str.translate table (one character in, one out)."""
    t: dict[int, str] = {}
    for i in range(0x10000):
        c = chr(i)
        if c.isspace():
            t[i] = " "
        elif unicodedata.category(c) in ("Cc", "Cf", "Cs"):
            t[i] = _DROP
    for lo, hi in _ASTRAL_FORMAT:
        for i in range(lo, hi + 1):
            if unicodedata.category(chr(i)) == "Cf":
                t[i] = _DROP
    t[0xFFFD] = _DROP
    for i in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)):
        t[i] = chr(i - 0xFEE0)
    for k, v in _t2s_table().items():
        t[ord(k)] = v
    for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029":   # line breaks are split on first
        t[ord(c)] = " "
    return t


def char_map(c: str) -> str:
    """The normalised form of one raw character: ``""`` when it is removed, ``" "`` for any
    whitespace or line break (a separator newline also cites whitespace), else the
    character after script conversion and full-width -> ASCII."""
    m = _table().get(ord(c), c)
    return "" if m == _DROP else m


def _is_cjk(c: str) -> bool:
    o = ord(c)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3FFFF


def _is_latin(c: str) -> bool:
    return c.isalnum() and ord(c) < 0x2000


# --------------------------------------------------------------------------- lines
@dataclass
class _Line:
    text: str                      # content, single spaces kept inside
    idx: list[int]                 # raw index of each character of text
    gap: list[int]                 # raw indices of separator points before it (line breaks, indent)
    indent: bool = False           # the line starts with whitespace
    ns: str = ""                   # content without spaces
    eff: float = 0.0               # visual length without spaces (Latin letters, digits count half)
    width: float = 0.0             # local column width
    ended: bool = False
    k: int = 0                     # blank lines before (capped at 2); -1 at the start


_TOKEN = re.compile(r"[^ \x00]+| [ \x00]*|\x00+")


def _split_lines(raw: str) -> list[_Line]:
    """Non-blank lines with their content and the separator points before them."""
    mapped = raw.translate(_table())
    lines: list[_Line] = []
    gap: list[int] = []
    pos = 0
    for m in [*_LINE_BREAK.finditer(raw), None]:
        end = m.start() if m else len(raw)
        seg = mapped[pos:end]
        if " " not in seg and _DROP not in seg:
            text, idx, indent = seg, list(range(pos, end)), None
        else:
            parts: list[str] = []
            idx = []
            indent = None
            space = -1
            for t in _TOKEN.finditer(seg):
                tok = t.group()
                if tok[0] == _DROP:
                    continue
                if tok[0] == " ":
                    if parts:
                        space = pos + t.start()
                    elif indent is None:
                        indent = pos + t.start()
                    continue
                if space >= 0:
                    parts.append(" ")
                    idx.append(space)
                    space = -1
                parts.append(tok)
                idx.extend(range(pos + t.start(), pos + t.end()))
            text = "".join(parts)
        if text:
            lines.append(_Line(text=text, idx=idx, gap=gap + ([indent] if indent is not None else []),
                               indent=indent is not None))
            gap = []
        if m:
            gap.append(m.start())
            pos = m.end()
    return lines


def _ended(ns: str) -> bool:
    s = ns.rstrip("".join(_CLOSERS))
    return bool(s) and (s[-1] in SENTENCE_END or s.endswith(("…", "——")))


_HEADLINE_SPACE = re.compile(r"[^\x00-\x7f ]{2} [^\x00-\x7f ]|[^\x00-\x7f ] [^\x00-\x7f ]{2}")
_PHRASE_SPACE = re.compile(r"[\u3400-\u9fff“”《》]{2} [\u3400-\u9fff“”《》]{2}")


def _headline_like(line: _Line) -> bool:
    ns = line.ns
    return (4 <= len(ns) <= _MAX_HEADLINE and not line.ended and not any(c in _CLAUSE for c in ns)
            and any(_is_cjk(c) for c in ns))


def _short(line: _Line, ratio: float = 0.8) -> bool:
    return line.eff <= ratio * line.width or (line.width >= 36 and len(line.ns) <= 30)


def _measure(lines: list[_Line]) -> None:
    for ln in lines:
        # undo caption doubling line by line (摄摄//李显彦李显彦 -> 摄/李显彦)
        bare, bare_idx, undone = _undouble(*_drop_spaces(ln.text, ln.idx))
        if undone:
            while undone:
                bare, bare_idx, undone = _undouble(bare, bare_idx)
            ln.text, ln.idx = bare, bare_idx
        ln.ns = ln.text.replace(" ", "")
        ln.eff = len(ln.ns) - 0.5 * sum(1 for c in ln.ns if c < "\x80")
        ln.ended = _ended(ln.ns)
    effs = [ln.eff for ln in lines]
    for j, ln in enumerate(lines):
        # the width of the column: the upper quartile of the other lines nearby
        win = sorted(effs[max(0, j - _WINDOW): j] + effs[j + 1: j + _WINDOW + 1]) or [ln.eff]
        ln.width = win[round(0.75 * (len(win) - 1))]
        # the gap holds one point per line break plus one for an indent
        ln.k = -1 if j == 0 else min(2, len(ln.gap) - 1)


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
    if len(text) > 80:
        return False
    if "摄" in text or "提供" in text:
        if _PHOTO_BY.match(text) or (m := _CREDIT.search(text)) and m.start() == 0:
            return True
    m = _BYLINE.match(text)
    if not m:
        return False
    marker = text[: m.start("names")].strip() or m.group("tail")
    return bool(marker) or (not marked and len(m.group("names").split()) >= 2)


def _credit_start(text: str) -> int:
    """Where a photo credit at the end of a caption starts (-1 when there is none)."""
    if "摄" not in text and "提供" not in text:
        return -1
    m = _CREDIT.search(text)
    if not m or m.start() == 0:
        return -1
    return m.start()


def _undouble(text: str, idx: list[int]) -> tuple[str, list[int], bool]:
    """Undo OCR doubling (``摄摄//李显彦李显彦`` -> ``摄/李显彦``) when at least 70% of the
    text is doubled: each doubled stretch keeps its first copy. Returns (text, idx, undone)."""
    n = len(text)
    if n < 6 or n > 800:
        return text, idx, False
    budget = 0.3 * n            # characters that may stay single
    singles = 0
    # most text has no doubling at all: look for one among the first three characters
    for i in range(3):
        hi = i + min((n - i) // 2, 60) + 1
        j = text.find(text[i], i + 1, hi)
        while j != -1 and text[i:j] != text[j:2 * j - i]:
            j = text.find(text[i], j + 1, hi)
        if j != -1:
            break
    else:
        return text, idx, False
    keep: list[tuple[int, int]] = []
    i = 0
    while i < n:
        best = 0
        c = text[i]
        hi = i + min((n - i) // 2, 60) + 1
        j = text.find(c, i + 1, hi)
        while j != -1:
            if text[i:j] == text[j:2 * j - i]:
                best = j - i
            j = text.find(c, j + 1, hi)
        if best:
            keep.append((i, i + best))
            i += 2 * best
        else:
            singles += 1
            if singles > budget:
                return text, idx, False
            keep.append((i, i + 1))
            i += 1
    out_text = "".join(text[a:b] for a, b in keep)
    out_idx: list[int] = []
    for a, b in keep:
        out_idx.extend(idx[a:b])
    return out_text, out_idx, True


# --------------------------------------------------------------------------- layout
@dataclass
class _Unit:
    kind: str
    lines: list[int]
    trail: list[int] = field(default_factory=list)   # separator points after a moved caption


def _layout(lines: list[_Line]) -> list[_Unit]:
    """Group lines into paragraphs, headlines, captions and bylines, in reading order."""
    # runs: lines between blank lines (or an indent); a line ending with a photo credit,
    # and a byline, also end a run
    runs: list[list[int]] = []
    cut = True
    for ln_no, ln in enumerate(lines):
        credit = _credit_start(ln.ns) > 0 or _is_byline(ln.text, marked=True)
        if cut or ln.k != 0 or _is_byline(ln.text, marked=True):
            runs.append([ln_no])
        else:
            runs[-1].append(ln_no)
        cut = credit

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

    def last_clause(run: list[int], nxt: list[int] | None) -> bool:
        """The article's last line, indented and cut off after a clause (普安58名贫困人员就到):
        an unfinished paragraph."""
        return nxt is None and lines[run[0]].indent and any(c in "，," for c in run_text(run))

    def special(run: list[int]) -> bool:
        """A caption recognisable on its own: a photo credit at its end."""
        text = run_text(run)
        ns = text.replace(" ", "")
        return (len(ns) <= 2 * _MAX_CAPTION and _credit_start(ns) > 0
                and not any(lines[j].ended for j in run[:-1]))

    def whole_headline(run: list[int]) -> bool:
        """A run that is all headline: one line set apart, or up to three short lines."""
        if len(run) > 3 or any(not _headline_like(lines[j]) for j in run):
            return False
        if len(run) == 1 and _HEADLINE_SPACE.search(lines[run[0]].text):
            return True
        if any(lines[j].width < 10 for j in run):
            return False
        if any(not (_short(lines[j]) or _PHRASE_SPACE.search(lines[j].text)) for j in run[:1]):
            return False
        if any("、" in lines[j].ns or not (_short(lines[j], 0.7) or _PHRASE_SPACE.search(lines[j].text))
               for j in run[1:]):
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
            if len(run) == 1 and _is_byline(first.text, marked=True):
                deferred.append(_Unit("byline", run))
                continue
            if special(run) or (first.k >= 2 and len(run) == 1 and not first.ended
                                and len(first.ns) <= _MAX_CAPTION):
                deferred.append(_Unit("caption", run))
                continue
            if deferred and not deferred[-1].trail:
                # the paragraph goes on after the moved caption: the line breaks between them
                # (free, as the join drops them) keep the caption set apart where it lands
                deferred[-1].trail = first.gap[:-1][:2]     # (the last one may cite a join)
        else:
            close()
            if _is_byline(first.text, marked=len(run) > 1):
                emit(_Unit("byline", [run[0]]))
                pos = 1
            elif special(run):
                emit(_Unit("caption", run))
                continue
            elif first.k >= 2 and len(run) <= 3 and not any(lines[j].ended for j in run) \
                    and len(run_text(run).replace(" ", "")) <= _MAX_CAPTION \
                    and not last_clause(run, nxt):
                emit(_Unit("caption", run))           # set apart by two or more blank lines
                continue
            elif first.k != 0 and whole_headline(run):
                emit(_Unit("headline", run))
                continue
            elif first.k != 0 and len(run) == 1 and not first.ended and _short(first) and nxt is not None \
                    and 4 <= len(first.ns) <= _MAX_HEADLINE and not any(c in "。！？!?" for c in first.ns) \
                    and any(c in "，,；;" for c in first.ns) \
                    and whole_headline(nxt):
                emit(_Unit("headline", run))          # a subtitle with a comma before a headline
                continue
            elif len(run) > 1 and _headline_like(first) and not first.indent and \
                    len(lines[run[1]].ns) >= 4 and max(first.width, lines[run[1]].eff) >= 10 and \
                    (first.eff <= 0.6 * max(first.width, lines[run[1]].eff) or _PHRASE_SPACE.search(first.text)):
                emit(_Unit("headline", [run[0]]))
                pos = 1
            elif units and units[-1].kind in ("caption", "byline") and len(run) == 1 and first.ended \
                    and len(first.ns) <= 20 and not any(c in _CLAUSE for c in first.ns[:-1]):
                emit(_Unit("caption", run))           # a series of short captions
                continue
        for j in run[pos:]:
            ln = lines[j]
            if not cur and _is_byline(ln.text, marked=True):
                emit(_Unit("byline", [j]))
                continue
            cur.append(j)
            if ln.ended or _credit_start(ln.ns) > 0:     # a sentence or a caption ends
                close()
    close()
    return units


# --------------------------------------------------------------------------- assembly
def _unit_text(unit: _Unit, lines: list[_Line]) -> tuple[str, list[int]]:
    """The unit's text with its lines joined: by a space (cited at the line break) between
    two Latin letters, and always in headlines, bylines and captions (where it is removed
    again later unless it separates a credit or Latin words)."""
    spaced = unit.kind != "body"
    parts: list[str] = []
    idx: list[int] = []
    prev: _Line | None = None
    for j in unit.lines:
        ln = lines[j]
        if prev is not None and ln.gap:
            a, b = prev.text[-1], ln.text[0]
            if spaced or (_is_latin(a) and _is_latin(b) and not (a.isdigit() and b.isdigit())):
                parts.append(" ")
                idx.append(ln.gap[-1])      # the last line break (or indent) before the line
        parts.append(ln.text)
        idx.extend(ln.idx)
        prev = ln
    return "".join(parts), idx


def _drop_spaces(text: str, idx: list[int]) -> tuple[str, list[int]]:
    """Remove spaces except between two Latin letters or digits (``SYB 2.0``)."""
    p = text.find(" ")
    if p < 0:
        return text, idx
    parts: list[str] = []
    out: list[int] = []
    last = 0
    while p >= 0:
        a = text[p - 1] if p else ""
        b = text[p + 1] if p + 1 < len(text) else ""
        if not (a and b and a != " " and b != " " and _is_latin(a) and _is_latin(b)):
            parts.append(text[last:p])
            out.extend(idx[last:p])
            last = p + 1
        p = text.find(" ", p + 1)
    parts.append(text[last:])
    out.extend(idx[last:])
    return "".join(parts), out


#: A pinyin gloss printed after a character (东乡(xiāng)族, 鎮(zhèn)): one syllable of Latin
#: letters carrying a tone mark, in brackets, right after a CJK character.
_GLOSS = re.compile(r"(?<=[\u3400-\u9fff])[(（][a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*[)）]")


def _drop_glosses(text: str, idx: list[int]) -> tuple[str, list[int]]:
    """Remove pinyin glosses (``东乡(xiāng)族自治县`` -> ``东乡族自治县``): they split names."""
    if "(" not in text and "（" not in text:
        return text, idx
    parts: list[str] = []
    out: list[int] = []
    last = 0
    for m in _GLOSS.finditer(text):
        if len(m.group()) > 9:
            continue
        parts.append(text[last:m.start()])
        out.extend(idx[last:m.start()])
        last = m.end()
    if not last:
        return text, idx
    parts.append(text[last:])
    out.extend(idx[last:])
    return "".join(parts), out


def _pieces(unit: _Unit, lines: list[_Line]) -> list[tuple[str, str, list[int], list[int]]]:
    """(kind, text, idx, separator points before it) for one unit: a caption or paragraph
    that ends with a photo credit gives a caption and a byline."""
    text, idx = _drop_glosses(*_unit_text(unit, lines))
    kind = unit.kind
    if kind == "byline":
        return [(kind, text, idx, [])]
    if kind == "headline":
        bare, bare_idx, undone = _undouble(*_drop_spaces(text, idx))
        while undone:
            text, idx = bare, bare_idx
            bare, bare_idx, undone = _undouble(text, idx)
        return [(kind, text, idx, [])]
    # undo doubling that only shows once the lines are joined
    bare, bare_idx, undone = _undouble(*_drop_spaces(text, idx))
    if undone:
        text, idx = bare, bare_idx
        while undone:
            text, idx, undone = _undouble(text, idx)
    bare, bare_idx = _drop_spaces(text, idx)
    if _is_byline(bare):        # a byline once its spaces are gone (it reads so the next time too)
        return [("byline", bare, bare_idx, [])]
    if kind == "caption" or len(bare) <= 2 * _MAX_CAPTION:
        # a credit is found on the text as it reads (spaces gone); the byline keeps its spaces
        at = _credit_start(bare)
        if at > 0:
            k = idx.index(bare_idx[at])
            out = []
            if at:
                out.append(("caption", bare[:at], bare_idx[:at], []))
            # no separator: the caption and its credit stay on one line, as printed
            out.append(("byline", text[k:], idx[k:], []))
            return out
    return [(kind, bare, bare_idx, [])]


_SENTENCE_STOP = re.compile(r"(?:[。！？!?；;]|…(?=[”’」』）)】》〕\"']|$))[。！？!?；;”’」』）)】》〕\"']*")


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text``: after 。！？!?；; or a final ……, closing quotes and
    brackets staying with their sentence."""
    out: list[tuple[int, int]] = []
    s = 0
    for m in _SENTENCE_STOP.finditer(text):
        out.append((s, m.end()))
        s = m.end()
    if s < len(text):
        out.append((s, len(text)))
    return out


def normalize(raw: str) -> Normalized:
    """Repair the layout of one article's raw text; see the module docstring."""
    lines = _split_lines(raw)
    if not lines:
        return Normalized(text="", offsets=array("i"))
    _measure(lines)
    line_at = {ln.idx[0]: ln for ln in lines}

    parts: list[str] = []
    offsets: list[int] = []
    blocks: list[Block] = []
    paragraphs: list[tuple[int, int]] = []
    sentences: list[tuple[int, int]] = []
    pos = 0
    trail: list[int] = []
    for unit in _layout(lines):
        pieces = _pieces(unit, lines)
        for n, (kind, text, idx, sep) in enumerate(pieces):
            if not text:
                continue
            block_start = pos
            if blocks:
                first = line_at.get(idx[0])
                # up to two newlines; three only before a caption (set apart by blank lines)
                seps = (first.gap if first is not None else sep)[:3 if kind == "caption" else 2]
                if trail:       # after a moved caption: its own separator, then as many as usual
                    seps = trail + seps[:max(0, max(len(seps), 2) - len(trail))]
                parts.append("\n" * len(seps))
                offsets.extend(seps)
                pos += len(seps)
            start = pos
            parts.append(text)
            offsets.extend(idx)
            pos += len(text)
            trail = unit.trail if n == len(pieces) - 1 else []
            blocks.append(Block(block_start, pos, kind))
            paragraphs.append((start, pos))
            if kind in ("body", "caption"):
                sentences.extend((start + a, start + b) for a, b in _sentences(text))
            else:
                sentences.append((start, pos))
    return Normalized(text="".join(parts), offsets=array("i", offsets), blocks=blocks, paragraphs=paragraphs,
                      sentences=sentences)
