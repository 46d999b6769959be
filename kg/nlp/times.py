"""Component ``kg_times``: when each fact happened, where the text says it.

Time expressions are found by :func:`find_times` (cue words in ``kg/data/time_cues.tsv``):

* absolute: ``2016年``, ``2019年3月``, ``2018年冬``, ``2020年2月底``, ``二〇一八年``;
* relative to the article's date: ``去年`` (-1 year), ``前年``, ``今年``, ``去年10月16日``,
  ``上个月`` (-1 month), ``三年前``, ``40多年前``, a day without a year (``3月22日``: the
  article's year), and ``如今``/``现在`` (the article's own time);
* ``…起``, ``…以来``, ``…至今`` mark a time from which something holds (``since``);
* ``当年`` / ``当月`` (that year, that month) are the absolute date before them in their
  sentence, else unresolved.

A relative time is resolved against the article's date (``doc._.kg_date``: the manifest's,
the page's or the header's, :mod:`kg.readers`) when it is known and kept unresolved, with
its expression, otherwise (``kg.records.When``); :meth:`kg.records.ArticleRecord.anchor_times`
resolves a cached record again when the date changes.

Each time is attached by clause structure to the facts it governs, never across sentences:

* an income or a statistic takes the time of its own clause (nearest before the figure,
  else after it); else the nearest time of an earlier clause of its sentence (a leading
  adverbial: ``2018年，她进入车间，月收入3000元``), ``scope="sentence"``. ``如今`` and a
  time stating an age (``今年37岁``) govern only their own clause;
* a case's program start (``Case.start``) is the first time, in the case's sentences,
  whose clause says the person began something (a start cue: 进入, 参加, 返乡, 创办 …) or
  names one of the case's programs; a time that is a clause of its own (``2016年，``) or
  nearly so (``他是在上个月，``) governs the clauses after it up to the next time of its
  sentence. A time of the reporter's scene (``12月11日一早``, ``2月17日清晨``) is not a start,
  nor a period (``2016年以来``, ``2013年起``: a policy's or a region's, not someone's
  beginning), nor one whose clauses name another person and not the case's
  (``2017年，村民吴亦军…回来``).
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import KGError
from kg.nlp.doc import DocIndex, init_doc
from kg.nlp.persons import load_lexicons
from kg.nlp.programs import vocabulary_path
from kg.records import PARTS, When

__all__ = ["TimeCues", "TimeMention", "TimeAttacher", "find_times", "load_time_cues", "make_kg_times",
           "cn_number"]

_KINDS = ("rel_year", "rel_month", "now", "part", "since", "ago", "start", "scene")
_CLAUSE_RE = re.compile(r"[，,；;。！？!?：:\n]")
_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_CN = "〇零○一二两三四五六七八九十"
_CJK = "\u4e00-\u9fff"
_AGE = re.compile(rf"^(?:已经|已|才|刚|都)?(?:\d+|[{_CN}]+)多?岁")


@functools.cache
def _officials() -> re.Pattern:
    """Role words of officials and leaders (``kg/data/person_roles.txt``): a time followed by
    one as the clause's subject (8月23日第一书记…来到) dates their act, not a case's start."""
    roles = sorted((r for r, k in load_lexicons().roles.items() if k in ("official", "leader")), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, roles)))


def cn_number(text: str) -> int | None:
    """An integer written in digits or Chinese numerals up to 99 (``三``, ``十二``, ``二十``,
    ``40``); None for what is not one number (``几``, ``两三``)."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if "十" in text:
        head, _, tail = text.partition("十")
        if "十" in tail or len(head) > 1 or len(tail) > 1:
            return None
        tens = _CN_DIGITS.get(head, -1) if head else 1
        ones = _CN_DIGITS.get(tail, -1) if tail else 0
        return tens * 10 + ones if tens > 0 and ones >= 0 else None
    if len(text) == 1 and text in _CN_DIGITS:
        return _CN_DIGITS[text]
    return None


def _cn_year(text: str) -> int | None:
    """``二〇一八`` -> 2018 (digit by digit), ``2018`` -> 2018."""
    if text.isdigit():
        return int(text)
    digits = [_CN_DIGITS.get(c) for c in text]
    return int("".join(str(d) for d in digits)) if all(d is not None for d in digits) else None


@dataclass(frozen=True)
class TimeCues:
    """The cue words of ``time_cues.tsv`` by kind, each ``word -> value``."""

    words: dict[str, dict[str, str]]

    @classmethod
    def from_file(cls, path: Path) -> TimeCues:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError as e:
            raise KGError(f"{path}: cannot read the time cues ({e.strerror})") from e
        words: dict[str, dict[str, str]] = {k: {} for k in _KINDS}
        for n, line in enumerate(lines, 1):
            if not line.strip() or line.startswith("#") or line.startswith("kind\t"):
                continue
            kind, _, rest = line.partition("\t")
            word, _, value = rest.partition("\t")
            if kind not in words or not word.strip():
                raise KGError(f"{path}:{n}: expected one of {', '.join(_KINDS)}, a tab and a word")
            value = value.strip()
            if kind in ("rel_year", "rel_month", "now") and value and not re.fullmatch(r"-?\d+", value):
                raise KGError(f"{path}:{n}: {kind} {word!r}: offset {value!r} is not an integer")
            if kind == "part" and value not in PARTS:
                raise KGError(f"{path}:{n}: part {word!r}: {value!r} is not one of {', '.join(PARTS)}")
            words[kind][word.strip()] = value
        return cls(words)

    def alt(self, kind: str) -> str:
        return "|".join(re.escape(w) for w in sorted(self.words[kind], key=len, reverse=True))

    # compiled once per instance (cached_property writes the instance's __dict__ directly,
    # which a frozen dataclass allows)
    @functools.cached_property
    def pattern(self) -> re.Pattern:
        return _compile(self)

    @functools.cached_property
    def scene_rx(self) -> re.Pattern:
        return re.compile(self.alt("scene"))

    @functools.cached_property
    def start_rx(self) -> re.Pattern:
        return re.compile(self.alt("start"))


def _compile(cues: TimeCues) -> re.Pattern:
    def month(k: str) -> str:
        return rf"(?P<m{k}>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])月份?"

    def day(k: str) -> str:
        return rf"(?P<d{k}>3[01]|[12]\d|0?[1-9]|[二三]?十[一二三四五六七八九]?|[一二三四五六七八九])[日号]"

    def since(k: str) -> str:
        return rf"(?P<since{k}>{cues.alt('since')})"

    # a one-character season or 初 only where no word goes on (2019年春风行动, 2019年初中 are not parts)
    parts = sorted(cues.words["part"], key=len, reverse=True)
    long_parts = "|".join(re.escape(p) for p in parts if len(p) > 1)
    free = "".join(re.escape(p) for p in parts if len(p) == 1 and p in "底末")      # 去年底就业规模
    short_parts = "".join(re.escape(p) for p in parts if len(p) == 1 and p not in "底末")
    part = rf"(?P<part>{long_parts}|[{free}]|[{short_parts}](?=[^{_CJK}]|[前后时以起至开到的里季天期节]|$))"
    year = (rf"(?:(?<![\d.])(?P<y>(?:19|20)\d\d)年|(?P<ycn>[一二][〇零○一二三四五六七八九]{{3}})年"
            rf"|(?P<rel>{cues.alt('rel_year')}))")
    ago = rf"(?<![\d{_CN}几])(?P<n>\d+|[{_CN}几]+)(?P<more>多)?(?P<unit>年|个多?月)(?:{cues.alt('ago')})"
    return re.compile(
        rf"(?P<full>{year}(?:{month('1')}(?:{day('1')})?)?{part}?{since('1')}?)"
        rf"|(?P<md>(?<![\d年月{_CN}]){month('2')}{day('2')}{since('2')}?)"
        rf"|(?P<ago>{ago})"
        rf"|(?P<relm>(?P<relmw>{cues.alt('rel_month')}){since('3')}?)"
        rf"|(?P<now>(?<![体表出实发呈展])(?:{cues.alt('now')}))"
    )


@dataclass
class TimeMention:
    """A time expression at ``text[start:end]``."""

    start: int
    end: int
    when: When
    kind: str            # "absolute", "relative", "now"
    age: bool = False    # 今年37岁: states an age, governs nothing beyond its clause
    scene: bool = False  # 12月11日一早: the reporter's scene, not when a program began


def find_times(text: str, cues: TimeCues, date: str | None = None) -> list[TimeMention]:
    """Every time expression in ``text``, resolved against the article date ``date`` when relative."""
    out: list[TimeMention] = []
    for m in cues.pattern.finditer(text):
        g = m.groupdict()
        w = When(text=m.group(0))
        kind = "absolute"
        if g["full"]:
            if g["y"] or g["ycn"]:
                w.year = _cn_year(g["y"] or g["ycn"])
            else:
                off = cues.words["rel_year"].get(g["rel"], "")
                kind = "relative"
                if off:
                    w.offset_years = int(off)
            if g["m1"]:
                w.month = cn_number(g["m1"])
            if g["d1"]:
                w.day = cn_number(g["d1"])
            if g["part"]:
                w.part = cues.words["part"][g["part"]]
        elif g["md"]:
            kind = "relative"
            w.offset_years = 0
            w.month, w.day = cn_number(g["m2"]), cn_number(g["d2"])
        elif g["ago"]:
            kind = "relative"
            n = cn_number(g["n"])
            if n is not None:
                if g["unit"] == "年":
                    w.offset_years = -n
                else:
                    w.offset_months = -n
        elif g["relm"]:
            kind = "relative"
            off = cues.words["rel_month"].get(g["relmw"], "")
            if off:
                w.offset_months = int(off)
        else:
            kind = "now"
            w.offset_years = int(cues.words["now"].get(g["now"], "0") or 0)
        w.since = bool(g["since1"] or g["since2"] or g["since3"])
        if w.month is not None and not 1 <= w.month <= 12 or w.day is not None and not 1 <= w.day <= 31:
            continue
        w.resolve(date)
        out.append(TimeMention(m.start(), m.end(), w, kind, age=bool(_AGE.match(text[m.end():m.end() + 6])),
                               scene=cues.scene_rx.match(text, m.end()) is not None))
    return out


def load_time_cues(name: str = "time_cues.tsv") -> TimeCues:
    return TimeCues.from_file(vocabulary_path(name))


def _clauses(text: str, s0: int, s1: int) -> list[tuple[int, int]]:
    """Clause bounds of the sentence ``text[s0:s1]``."""
    out, pos = [], s0
    for m in _CLAUSE_RE.finditer(text, s0, s1):
        out.append((pos, m.start()))
        pos = m.end()
    if pos < s1:
        out.append((pos, s1))
    return out or [(s0, s1)]


def _at(bounds: list[tuple[int, int]], char: int) -> int:
    k = bisect.bisect_right(bounds, (char, float("inf"))) - 1
    return max(k, 0)


class TimeAttacher:
    """The ``kg_times`` pipeline component."""

    def __init__(self, cues: TimeCues, lead_chars: int = 4):
        self.cues = cues
        self.lead_chars = lead_chars

    def __call__(self, doc: Doc) -> Doc:
        init_doc(doc)
        ix = DocIndex(doc)
        text = ix.text
        date = doc._.kg_date
        mentions = find_times(text, self.cues, date)
        if not mentions:
            return doc
        starts = [t.start for t in mentions]
        self._same_year(ix, mentions)
        whens: dict[tuple[int, str], When] = {}

        def when_of(t: TimeMention, scope: str) -> When:
            key = (id(t), scope)
            w = whens.get(key)
            if w is None:
                w = When(**{**t.when.__dict__, "scope": scope, "evidence": ix.evidence(t.start, t.end)})
                whens[key] = w
            return w

        def governing(start: int, end: int) -> When | None:
            s0, s1 = ix.sentence_at(start)
            lo, hi = bisect.bisect_left(starts, s0), bisect.bisect_left(starts, s1)
            if lo == hi:
                return None
            clauses = _clauses(text, s0, s1)
            c = clauses[_at(clauses, start)]
            inside = [t for t in mentions[lo:hi] if c[0] <= t.start and t.end <= c[1]]
            before = [t for t in inside if t.end <= start]
            after = [t for t in inside if t.start >= end]
            if before:
                return when_of(before[-1], "clause")
            if after:
                return when_of(after[0], "clause")
            lead = [t for t in mentions[lo:hi] if t.end <= c[0] and t.kind != "now" and not t.age]
            return when_of(lead[-1], "sentence") if lead else None

        incomes = doc._.kg_incomes or []
        for sp in doc.spans["kg_incomes"]:
            ref = sp._.kg_ref
            if isinstance(ref, int) and 0 <= ref < len(incomes):
                incomes[ref].when = governing(sp.start_char, sp.end_char)
        stats = doc._.kg_stats or []
        for sp in doc.spans["kg_stats"]:
            ref = sp._.kg_ref
            if isinstance(ref, int) and 0 <= ref < len(stats):
                stats[ref].when = governing(sp.start_char, sp.end_char)
        self._starts(doc, ix, mentions, when_of)
        return doc

    @staticmethod
    def _same_year(ix: DocIndex, mentions: list[TimeMention]) -> None:
        """当年 (that year) and 当月 (that month) after an absolute date of their sentence are
        its year (and month): 2016年，他购进鱼苗……当年实现收入20万元; 2016年，她报了名，当月便
        领到800元补助. Elsewhere they stay unresolved."""
        for k, t in enumerate(mentions):
            w = t.when
            if w.year is not None or w.relative or t.kind != "relative" or not w.text.startswith(("当年", "当月")):
                continue
            s0, _s1 = ix.sentence_at(t.start)
            prev = next((u for u in reversed(mentions[:k]) if u.start >= s0 and u.kind == "absolute"
                         and u.when.year is not None), None)
            if prev is not None:
                w.year = prev.when.year
                if w.text.startswith("当月"):
                    w.month = prev.when.month

    def _starts(self, doc: Doc, ix: DocIndex, mentions: list[TimeMention], when_of) -> None:
        """Each case's program start: the first time, in its sentences, governing a clause
        that says the person began something or names one of its programs."""
        cases = doc._.kg_cases or []
        if not cases:
            return
        text = ix.text
        offsets = doc._.kg_offsets
        program_spans = [(sp.start_char, sp.end_char, sp._.kg_ref) for sp in doc.spans["kg_programs"]]
        person_spans = [(sp.start_char, sp.end_char, sp._.kg_ref) for sp in doc.spans["kg_persons"]]

        def doc_char(raw: int) -> int:
            return bisect.bisect_left(offsets, raw) if offsets else raw

        for case in cases:
            progs = set(case.programs)
            for ev in case.evidence:
                s0, s1 = doc_char(ev.start), doc_char(ev.end)
                clauses = _clauses(text, s0, s1)
                found = None
                for t in mentions:
                    if not (s0 <= t.start < s1) or t.kind == "now" or t.age or t.scene or t.when.since:
                        continue
                    k = _at(clauses, t.start)
                    c0, c1 = clauses[k]
                    rest = text[c0:c1].replace(text[t.start:t.end], "", 1)
                    scope = "clause"
                    if len(rest) <= self.lead_chars:
                        # a leading time (2016年，… / 他是在上个月，…) governs the clauses after it,
                        # up to the next time of the sentence
                        nxt = next((u.start for u in mentions if t.end <= u.start < s1 and u is not t), s1)
                        c1 = max(c1, *(b for a, b in clauses[k + 1:] if a < nxt))
                        scope = "sentence" if c1 > clauses[k][1] else "clause"
                    region = text[c0:c1]
                    others = {ref for a, b, ref in person_spans if c0 <= a and b <= c1}
                    if others and case.person not in others:
                        continue                     # 2017年，村民吴亦军从浙江务工回来: another person's start
                    if not others and _officials().search(text, t.end, min(c1, t.end + 8)):
                        continue                     # 8月23日第一书记和村支书来到扶贫车间: their visit
                    if self.cues.start_rx.search(region) or any(
                            ref in progs and c0 <= a and b <= c1 for a, b, ref in program_spans):
                        found = (t, scope)
                        break
                if found is not None:
                    case.start = when_of(*found)
                    break


@Language.factory(
    "kg_times",
    default_config={"cues": "time_cues.tsv", "lead_chars": 4},
    requires=["doc._.kg_incomes", "doc._.kg_stats", "doc._.kg_cases"],
    assigns=["doc._.kg_incomes", "doc._.kg_stats", "doc._.kg_cases"],
)
def make_kg_times(nlp: Language, name: str, cues: str, lead_chars: int):
    """Build the time attacher from the cue file named in the config."""
    return TimeAttacher(load_time_cues(cues), lead_chars=lead_chars)
