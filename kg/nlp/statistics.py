"""Component ``kg_stats``: headline aggregate figures tied to a place and a program category.

``截至目前，永川区……实现了100%就业，建成5个扶贫车间吸纳50人就业`` gives three
:class:`~kg.records.Statistic` records (100 %, 5 个, 50 人), each with the place the
figure is about and, where the clause names one, a program category.

* Figures are numbers with a unit from ``kg/data/stat_rules.tsv`` (人, 人次, 名, 个, 家, 场,
  期, 条, 元 with 万元/亿元 converted, %, 公斤), parsed by :mod:`kg.nlp.money`.
* Not statistics: figures in a person's story (a sentence naming a person or led by
  他/她), money already taken as an income, figures in parentheses, plans and targets,
  ordinals, rates (每天每人…七八十公斤), ranks (52个…贫困县之一), quoted speech of a
  company (“公司有126名工人…”), and counts of things that are not results (3个学生, 8个部门,
  28个镇街 — but 覆盖12个乡镇121个村 is a program's reach).
* An official named only as the speaker (局长王志平说,……) speaks for the region: no story.
  In a person's story, a clause without the person that gives an enterprise's aggregate
  figure (吴亦军将服装加工厂建在了蒋坊村坝头组,总投资200万元) counts, at the most specific
  place before it.
* Besides numbers with a unit: bare magnitudes of money (近万元) and counts of people in 万
  with no unit word (二十二万贫困劳动力).
* The place: the last county-or-higher place written before the figure in its sentence
  (``全市/我市`` stand for the article's city, ``全区/该区`` for the current district);
  else a lower place in the sentence (a village's own figures); else the region the text
  is currently about (the last such place met in an earlier non-story sentence).
* The category: a program-vocabulary cue between the previous figure and this one
  (培训总量93890人), else one between this figure and the next in its clause
  (建成5个扶贫车间), else the nearest earlier cue in the sentence.
* A figure restated in a later sentence (389名 … 389人, 19个 … 19家) is one statistic; so is
  a headline's figure restated in a body sentence that names no place (105人全部到齐).
* Headlines count as well as body text (普安105名贫困人员赴宁波上班); captions and bylines do not.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.errors import KGError
from kg.nlp.doc import DocIndex, block_kind, init_doc
from kg.nlp.money import Quantity, find_quantities, parse_number
from kg.nlp.programs import ProgramVocabulary, load_vocabulary, vocabulary_path
from kg.records import Statistic

__all__ = ["StatRules", "StatisticsRecognizer", "make_kg_stats", "load_rules"]

_CLAUSE_RE = re.compile(r"[，,；;。！？!?：:\n]")
_PRONOUN_RE = re.compile(r"(?:^|[，。；“”\"])\s*[他她](?!们)")
_NOUN_END_RE = re.compile(r"[，,；;。！？!?：:\n、和及与（(）)的]")
_COUNTY_UP = ("country", "province", "prefecture", "county")
_FIRST_PERSON_RE = re.compile(r"我(?!们)|自己|[他她](?!们)")
_QUOTE_RE = re.compile(r"“[^“”]*”")
_BARE_MAG_RE = re.compile(r"(?:近|约|上|逾|超)(?P<mag>十万|百万|千万|万|亿)元")
_MAG = {"十万": 100_000, "百万": 1_000_000, "千万": 10_000_000, "万": 10_000, "亿": 100_000_000}
_REALIZED_RE = re.compile(r"(?<!为)了|已|目前")
_LOCAL_CADRE_RE = re.compile(r"(?:镇|乡|村|街道|社区)(?:党委|党支部|政府|人民政府|村委会?|居委会?)?$")


_RULE_KINDS = ("unit", "not_followed", "skip_sentence", "skip_before", "region", "foreign",
               "org_head", "specific_start", "specific_except", "general_story", "money_cue",
               "percent_not_after", "place_count_unit", "place_noun", "unit_class", "cover_verb",
               "speech_verb", "speaker_title", "rate_cue", "people_noun", "part_of", "story_keep",
               "enterprise_noun", "quote_body")


@dataclass(frozen=True)
class StatRules:
    """The word lists of ``stat_rules.tsv``, one tuple per kind (see the file's header)."""

    words: dict[str, tuple[str, ...]]

    def __getattr__(self, kind: str) -> tuple[str, ...]:
        try:
            return self.__dict__["words"][kind]
        except KeyError:
            raise AttributeError(kind) from None

    def unit_class(self, unit: str) -> str:
        """The class under which two figures restate one another (名 ~ 人, 家 ~ 个)."""
        for pair in self.words["unit_class"]:
            u, _, cls = pair.partition("=")
            if u == unit:
                return cls
        return unit

    @classmethod
    def from_file(cls, path: Path) -> StatRules:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError as e:
            raise KGError(f"{path}: cannot read the statistics rules ({e.strerror})") from e
        kinds: dict[str, tuple[str, ...]] = {}
        for n, line in enumerate(lines, 1):
            if not line.strip() or line.startswith("#") or line.startswith("kind\t"):
                continue
            kind, sep, words = line.partition("\t")
            if not sep or kind.strip() not in _RULE_KINDS:
                raise KGError(f"{path}:{n}: expected one of {', '.join(_RULE_KINDS)}, a tab, then words")
            kinds[kind.strip()] = tuple(w for w in words.strip().split("|") if w)
        missing = [k for k in _RULE_KINDS if k not in kinds]
        if missing:
            raise KGError(f"{path}: missing rule kinds {', '.join(missing)}")
        return cls(kinds)


def load_rules(name: str = "stat_rules.tsv") -> StatRules:
    return StatRules.from_file(vocabulary_path(name))


def _level(path: tuple[str, ...], i: int, known: dict) -> str:
    """Administrative level of ``path[i]`` (from the places component, else by suffix)."""
    rec = known.get(path[: i + 1])
    if rec is not None:
        return rec.level
    name = path[i]
    if name.endswith(("省", "自治区")) or (i == 0 and name.endswith("市")):
        return "province"
    if name.endswith(("市", "州", "盟", "地区")):
        return "prefecture"
    if name.endswith(("区", "县", "旗")):
        return "county"
    return "other"


@dataclass
class _Mention:
    start: int
    end: int
    path: tuple[str, ...] | None
    level: str


class StatisticsRecognizer:
    """The ``kg_stats`` pipeline component."""

    def __init__(self, rules: StatRules, vocab: ProgramVocabulary, min_money: float = 1000.0):
        self.rules = rules
        self.vocab = vocab
        self.min_money = min_money
        self._region_re = re.compile("|".join(map(re.escape, sorted(rules.region, key=len, reverse=True))))
        self._general_res = [re.compile(w) for w in rules.general_story]
        self._skip_sentence_re = re.compile("|".join(rules.skip_sentence))
        self._story_keep_res = [re.compile(w) for w in rules.story_keep]
        nouns = "|".join(map(re.escape, sorted(rules.people_noun, key=len, reverse=True)))
        # 二十二万贫困劳动力, 约30万彝族群众, 超80万易地搬迁贫困群众: a count of people in 万 with no unit word
        self._people_re = re.compile(
            r"(?P<num>\d+(?:\.\d+)?|[一二两三四五六七八九十百千]{2,}|[一二两三四五六七八九])"
            rf"(?P<fuzz>多|余)?(?P<mag>[万亿])(?P<fuzz2>多|余)?"
            rf"(?=(?:[\u4e00-\u9fff]{{1,2}}族|(?!元)[\u4e00-\u9fff]{{2,4}})?(?:{nouns}))")

    # -- places ---------------------------------------------------------------------------
    def _dominant(self, doc: Doc, levels: tuple[str, ...], suffix: str = "") -> tuple[str, ...] | None:
        """The place at one of ``levels`` (named with ``suffix``) that the article's place
        mentions fall under most."""
        known = doc._.kg_places or {}
        votes: Counter = Counter()
        for sp in doc.spans["kg_places"]:
            path = tuple(sp._.kg_ref or ())
            for i in range(len(path)):
                if _level(path, i, known) in levels and path[i].endswith(suffix):
                    votes[path[: i + 1]] += 1
        if not votes:
            return None
        return max(votes.items(), key=lambda kv: (kv[1], -len(kv[0])))[0]

    def _mentions(self, doc: Doc, text: str) -> list[_Mention]:
        known = doc._.kg_places or {}
        out: list[_Mention] = []
        city = (self._dominant(doc, ("prefecture", "province"), suffix="市")
                or self._dominant(doc, ("prefecture", "province")))
        province = self._dominant(doc, ("province",))
        county = self._dominant(doc, ("county",))
        for sp in doc.spans["kg_places"]:
            path = tuple(sp._.kg_ref or ())
            if not path:
                continue
            if text[sp.end_char:sp.end_char + 3].startswith(self.rules.org_head):
                continue  # 高新区企业: the place names an employer, it does not govern the figure
            out.append(_Mention(sp.start_char, sp.end_char, path, _level(path, len(path) - 1, known)))
        for m in self._region_re.finditer(text):
            kind = m.group()[-1]
            if kind == "市":
                out.append(_Mention(m.start(), m.end(), city, "prefecture"))
            elif kind == "省":
                out.append(_Mention(m.start(), m.end(), province, "province"))
            else:
                out.append(_Mention(m.start(), m.end(), None if kind in "区县" else county, "county"))
        out.sort(key=lambda x: x.start)
        return out

    def _foreign(self, text: str, start: int) -> bool:
        return text[max(0, start - 3):start].endswith(self.rules.foreign)

    # -- the component --------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        init_doc(doc)
        ix = DocIndex(doc)
        text = ix.text
        mentions = self._mentions(doc, text)
        doc_cues = self.vocab.categories_in(text)   # once per article: the patterns are many
        persons = [(sp.start_char, sp.end_char) for sp in doc.spans["kg_persons"]]
        # figures in a quoted speech (“公司有126名工人,目前已到岗98人。”) are the speaker's
        quotes = [(m.start(), m.end()) for m in _QUOTE_RE.finditer(text)
                  if any(c in "，,。！？!?；;" for c in m.group())
                  and not any(w in m.group() for w in self.rules.quote_body)]
        incomes = [(sp.start_char, sp.end_char) for sp in doc.spans["kg_incomes"]]
        stats: list[Statistic] = doc._.kg_stats
        spans: list[Span] = list(doc.spans["kg_stats"])
        seen: dict = {}
        current: tuple[str, ...] | None = None     # the region the text is about
        current_county: tuple[str, ...] | None = None
        for s0, s1 in ix.sentences:
            stext = text[s0:s1]
            in_sent = [m for m in mentions if s0 <= m.start < s1 and not self._foreign(text, m.start)]
            # region words for 区/县 resolve to the district the text is about
            for m in in_sent:
                if m.path is None and m.level == "county":
                    m.path = current_county
            in_persons = [(ps, pe) for ps, pe in persons if s0 <= ps < s1]
            actors = [(ps, pe) for ps, pe in in_persons if not self._speaker_only(text, ps, pe, s0, s1)]
            story = bool(actors) or bool(_PRONOUN_RE.search(stext))
            if any(self._speaks(text, pe, s1) for _, pe in actors):
                actors = [(s0, s1)]   # a person's own account: no figure of it counts
            if story and any(rx.search(stext) for rx in self._general_res):
                story = False  # 像张三这样……还有400余名: a figure generalising from a story
            lead = stext.lstrip("“”\"‘’ ")
            specific = lead.startswith(self.rules.specific_start) and not lead.startswith(self.rules.specific_except)
            kind = block_kind(doc, s0)
            if not specific and kind in ("body", "headline"):
                self._sentence_stats(ix, doc_cues, s0, s1, in_sent, current, incomes, seen, stats, spans,
                                     actors if story else None, quotes)
            if not story:
                for m in in_sent:
                    if m.level in _COUNTY_UP and m.path:
                        current = m.path
                        if m.level == "county":
                            current_county = m.path
        doc.spans["kg_stats"] = spans
        return doc

    def _sentence_stats(self, ix: DocIndex, doc_cues, s0: int, s1: int, in_sent, current, incomes, seen,
                        stats, spans, actors: list | None = None, quotes=()) -> None:
        """The statistics of one sentence; ``actors`` (the persons it is about) is None unless
        it is a person's story, where only an enterprise's figures in clauses without the
        person count (吴亦军将服装加工厂建在了蒋坊村,总投资200万元)."""
        text = ix.text
        stext = text[s0:s1]
        plans = [m.start() for m in self._skip_sentence_re.finditer(stext)]
        quantities = self._quantities(stext)
        cues: list | None = None   # the sentence's category cues (sentence offsets), on first need
        for n, q in enumerate(quantities):
            qs, qe = s0 + q.start, s0 + q.end
            if q.unit not in self.rules.unit:
                continue
            if plans and self._planned(stext, plans, q.start):
                continue
            if any(a <= qs < b for a, b in quotes):
                continue
            cs, ce = self._clause(stext, q.start, q.end)
            if actors is not None and not self._enterprise_figure(stext, s0, cs, ce, actors):
                continue
            if any(w in stext[cs:q.start] for w in self.rules.rate_cue):
                continue   # 每天每人平均能采七八十公斤: a rate, not a total
            noun = self._noun(stext, q.end)
            if self.rules.part_of and any(w in noun for w in self.rules.part_of):
                continue   # 52个国家级贫困县之一: a rank
            covers = q.unit in self.rules.place_count_unit and self._counts_places(stext, q.end) and any(
                w in stext[cs:q.start] for w in self.rules.cover_verb)
            if q.unit == "元" and (q.value < self.min_money or not self._has_money_cue(stext, q.start, q.end)):
                continue
            if q.unit == "%" and stext[:q.start].endswith(self.rules.percent_not_after):
                continue
            if q.unit not in ("%",) and q.value < 2:
                continue
            if any(a < qe and qs < b for a, b in incomes):
                continue
            if text[qe:qe + 6].startswith(self.rules.not_followed) and not covers:
                continue
            if q.unit in self.rules.place_count_unit and self._counts_places(stext, q.end) and not covers:
                continue   # 4个国家乡村振兴重点帮扶县 (but 覆盖12个乡镇121个村 is a program's reach)
            if text[max(0, qs - 3):qs].endswith(self.rules.skip_before):
                continue
            if self._in_parens(stext, q.start):
                continue
            place = self._place(in_sent, qs, current, local=actors is not None)
            if cues is None:
                lo = bisect.bisect_left(doc_cues, (s0,))
                cues = []
                for cs_, ce_, cats in doc_cues[lo:]:
                    if cs_ >= s1:
                        break
                    cues.append((cs_ - s0, ce_ - s0, cats))
            category = self._category(stext, cues, q.start, q.end, quantities[n - 1].end if n else 0,
                                      quantities[n + 1].start if n + 1 < len(quantities) else None)
            # one figure restated in another sentence (389名 ... 389人) is one statistic;
            # the same figure twice in one sentence (转移就业93890人、培训93890人) is two
            # (and a body figure with no place in its sentence restates the headline's figure,
            # whatever place each is given: the headline's 普安105名, the body's 105人全部到齐)
            figure = (round(q.value, 4), self.rules.unit_class(q.unit))
            key = (*figure, place)
            if seen.get(key, s0) != s0 or (key, category) in seen:
                continue
            headline = ("headline", *figure)
            if not any(m.end <= qs and m.path for m in in_sent) and seen.get(headline, s0) != s0:
                continue
            seen.setdefault(key, s0)
            if block_kind(ix.doc, qs) == "headline":
                seen.setdefault(headline, s0)
            seen[(key, category)] = s0
            span = ix.span(qs, qe)
            if span is None:
                continue
            span._.kg_ref = len(stats)
            stats.append(Statistic(value=q.value, unit=q.unit, text=stext[cs:ce].strip(), place=place,
                                   category=category, approximate=q.approximate,
                                   evidence=ix.evidence(s0 + cs, s0 + ce)))
            spans.append(span)

    def _quantities(self, stext: str) -> list[Quantity]:
        """The sentence's figures: :func:`find_quantities` plus bare magnitudes of money (近万元)
        and counts of people in 万 with no unit word (二十二万贫困劳动力)."""
        found = find_quantities(stext)
        extra = []
        for m in _BARE_MAG_RE.finditer(stext):
            extra.append(Quantity(value=float(_MAG[m.group("mag")]), unit="元", approximate=True,
                                  start=m.start(), end=m.end(), text=m.group()))
        for m in self._people_re.finditer(stext):
            num = parse_number(m.group("num"))
            if num is None:
                continue
            approx = bool(m.group("fuzz") or m.group("fuzz2")) or stext[:m.start()].endswith(("约", "近", "超过", "超", "逾"))
            extra.append(Quantity(value=num * (10_000 if m.group("mag") == "万" else 100_000_000), unit="人",
                                  approximate=approx, start=m.start(), end=m.end(), text=m.group()))
        extra = [x for x in extra if not any(q.start < x.end and x.start < q.end for q in found)]
        return sorted(found + extra, key=lambda q: q.start) if extra else found

    def _speaks(self, text: str, pe: int, s1: int) -> bool:
        return text[pe:s1].lstrip().startswith(self.rules.speech_verb)

    def _speaker_only(self, text: str, ps: int, pe: int, s0: int, s1: int) -> bool:
        """An official named only as the speaker (局长王志平说,……), not speaking of himself:
        he speaks for the region or the project. A township or village cadre (化处镇党委书记,
        长乐村村支书) tells the local story."""
        if not self._speaks(text, pe, s1) or _FIRST_PERSON_RE.search(text[pe:s1]):
            return False
        before = text[max(s0, ps - 12):ps]
        title = next((t for t in self.rules.speaker_title if before.endswith(t)), None)
        return title is not None and not _LOCAL_CADRE_RE.search(before[:len(before) - len(title)])

    def _enterprise_figure(self, stext: str, s0: int, cs: int, ce: int, actors: list) -> bool:
        """In a person's story, a figure whose clause neither names the person nor refers to
        him, and holds an enterprise's aggregate cue (总投资, 提供就业岗位, 带动, 安置 ...)."""
        clause = stext[cs:ce]
        if any(s0 + cs < pe and ps < s0 + ce for ps, pe in actors) or _FIRST_PERSON_RE.search(clause):
            return False
        return any(rx.search(clause) for rx in self._story_keep_res) and any(
            w in stext[:cs] for w in self.rules.enterprise_noun)

    @staticmethod
    def _planned(stext: str, plans: list[int], pos: int) -> bool:
        """A plan or target: a plan word (计划, 预计 ...) in the sentence, unless the last one
        before the figure is followed by something done (了, 已, 目前) before it."""
        before = [p for p in plans if p < pos]
        return not before or not _REALIZED_RE.search(stext, before[-1], pos)

    def _has_money_cue(self, stext: str, qs: int, qe: int) -> bool:
        cs, ce = self._clause(stext, qs, qe)
        return any(w in stext[cs:ce] for w in self.rules.money_cue)

    @staticmethod
    def _noun(stext: str, qe: int) -> str:
        """The noun phrase after a figure, up to the next clause break, 和, 的 ..."""
        m = _NOUN_END_RE.search(stext, qe)
        return stext[qe:m.start() if m else len(stext)][:12]

    def _counts_places(self, stext: str, qe: int) -> bool:
        """4个国家乡村振兴重点帮扶县, 全区28个镇街: the counted noun is a kind of place."""
        noun = self._noun(stext, qe)
        return noun.endswith(self.rules.place_noun) or any(
            w in noun for w in self.rules.place_noun if len(w) > 1)

    @staticmethod
    def _in_parens(stext: str, pos: int) -> bool:
        opened = max(stext.rfind("（", 0, pos), stext.rfind("(", 0, pos))
        closed = max(stext.rfind("）", 0, pos), stext.rfind(")", 0, pos))
        return opened > closed

    @staticmethod
    def _clause(stext: str, qs: int, qe: int) -> tuple[int, int]:
        starts = [m.end() for m in _CLAUSE_RE.finditer(stext, 0, qs)]
        end = _CLAUSE_RE.search(stext, qe)
        return (starts[-1] if starts else 0), (end.start() if end else len(stext))

    @staticmethod
    def _place(in_sent: list[_Mention], pos: int, current, local: bool = False):
        """The place a figure is about (see the module docstring); ``local`` (an enterprise's
        figure in a person's story) takes the most specific place before it, down to a village
        (建在了蒋坊村坝头组,总投资200万元 -> 蒋坊村)."""
        before = [m for m in in_sent if m.end <= pos and m.path]
        if local and before:
            last = max(reversed(before), key=lambda m: len(m.path))
            return last.path[:-1] if last.level == "group" and len(last.path) > 1 else last.path
        upper = [m for m in before if m.level in _COUNTY_UP]
        if upper:
            return upper[-1].path
        if before:
            return before[-1].path
        return current

    def _category(self, stext: str, cues: list, qs: int, qe: int, prev_end: int = 0,
                  next_start: int | None = None) -> str | None:
        """The category cue for the figure at ``stext[qs:qe]``: first one between the previous
        figure and this one (培训总量93890人), then one between this figure and the next
        (建成5个扶贫车间), then the nearest earlier one in the clause, then in the sentence."""
        cs, ce = self._clause(stext, qs, qe)
        nxt = min(ce, next_start) if next_start is not None else ce
        between = [cats for s, e, cats in cues if max(cs, prev_end) <= s and e <= qs]
        if between:
            return between[-1][0]
        after = [cats for s, e, cats in cues if qe <= s and e <= nxt]
        if after:
            return after[0][0]
        before = [cats for s, e, cats in cues if e <= qs]
        return before[-1][0] if before else None


@Language.factory(
    "kg_stats",
    default_config={"rules": "stat_rules.tsv", "vocabulary": "program_vocabulary.tsv", "min_money": 1000.0},
    requires=["doc._.kg_places", "doc._.kg_persons", "doc._.kg_incomes"],
    assigns=["doc._.kg_stats", "doc.spans"],
)
def make_kg_stats(nlp: Language, name: str, rules: str, vocabulary: str, min_money: float):
    """Build the statistics recognizer from the rule and vocabulary files named in the config."""
    return StatisticsRecognizer(load_rules(rules), load_vocabulary(vocabulary), min_money)
