"""Component ``kg_outcomes``: incomes per period, with their kind (:mod:`kg.nlp.income_kinds`).

Every money expression (found and parsed by :mod:`kg.nlp.money`) whose clause says it is
an earning (``月薪有5000多元``, ``每月能拿4000元左右``, ``淡季做得到100多元一天``,
``实现收入20万元，净赚5万元``) becomes an :class:`~kg.records.Income` in
``doc._.kg_incomes`` with a span in ``doc.spans["kg_incomes"]`` (``_.kg_ref`` = its index).
Savings, remittances, subsidies, loans, investment, output value and a collective's
earnings are not incomes. The cue words live in ``kg/data/outcome_cues.tsv``.

* period: the day/month/year cue nearest the amount in its clause; else a year context in
  the sentence (当年, 全年 ...); else ``month`` for a wage and ``total`` otherwise.
* phase: ``before``/``after`` where the clause (else the sentence) says so
  (此前/几年前 ... / 现在/如今/涨到 ...).
* amount: the lower end of 多/余 forms, marked approximate; ``amount_max`` only for true
  ranges (两三千元, 2000元-3000元).
Which person an income belongs to is decided by the cases component.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.errors import KGError
from kg.nlp.doc import DocIndex, block_kind, init_doc
from kg.nlp.income_kinds import income_kind
from kg.nlp.money import Money, find_money
from kg.nlp.programs import vocabulary_path
from kg.records import Income

__all__ = ["OutcomeCues", "IncomeRecognizer", "make_kg_outcomes", "load_cues", "classify_income"]

_CLAUSE_RE = re.compile(r"[，,；;。！？!?：:\n]")
_KINDS = ("income", "periodic", "exclude", "collective", "day", "month", "year", "year_context",
          "before", "after")


@dataclass(frozen=True)
class OutcomeCues:
    """The compiled cue regexes, one per kind of ``outcome_cues.tsv``."""

    rx: dict[str, re.Pattern]

    @classmethod
    def from_file(cls, path: Path) -> OutcomeCues:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError as e:
            raise KGError(f"{path}: cannot read the outcome cues ({e.strerror})") from e
        rx: dict[str, re.Pattern] = {}
        for n, line in enumerate(lines, 1):
            if not line.strip() or line.startswith("#") or line.startswith("kind\t"):
                continue
            kind, sep, words = line.partition("\t")
            if not sep or kind not in _KINDS:
                raise KGError(f"{path}:{n}: expected one of {', '.join(_KINDS)} then a tab and words")
            alts = sorted((w for w in words.strip().split("|") if w), key=len, reverse=True)
            try:
                rx[kind] = re.compile("|".join(alts))
            except re.error as e:
                raise KGError(f"{path}:{n}: bad pattern: {e}") from e
        missing = [k for k in _KINDS if k not in rx]
        if missing:
            raise KGError(f"{path}: missing cue kinds {', '.join(missing)}")
        return cls(rx)

    def has(self, kind: str, text: str) -> bool:
        return self.rx[kind].search(text) is not None


def load_cues(name: str = "outcome_cues.tsv") -> OutcomeCues:
    return OutcomeCues.from_file(vocabulary_path(name))


def _clause_bounds(text: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    cut = [m.end() for m in _CLAUSE_RE.finditer(text, lo, start)]
    nxt = _CLAUSE_RE.search(text, end, hi)
    return (cut[-1] if cut else lo), (nxt.start() if nxt else hi)


def _nearest(rx: re.Pattern, text: str, start: int, end: int) -> int | None:
    """Distance from the money expression ``[start, end)`` to the nearest cue of ``rx``."""
    best = None
    for m in rx.finditer(text):
        d = start - m.end() if m.end() <= start else (m.start() - end if m.start() >= end else 0)
        best = d if best is None or d < best else best
    return best


#: a year date in the clause (2018年通过刺绣赚了9000多元): the earnings of that year
_YEAR_DATE = re.compile(r"(?<!\d)(?:19|20)\d\d年(?![\d〇一二三四五六七八九十]|以来|起|前|后|至|到|底|初|末|[上下]半年)")
#: a span of several months (两个月下来能挣1万多元): the sum of that span, not a monthly figure
_MONTHS_SPAN = re.compile(r"(?:[两二三四五六七八九十]|\d+)个?多?月(?:下来|来|里|内|就|能|可以|可|共|一共|总共)")
#: a span of more than a year (一年多时间里就赚了10多万元, 两年来): the sum of that span, not a yearly figure
_YEARS_SPAN = re.compile(r"(?:[一两二三四五六七八九十]|\d+)年多|(?<![\d〇一二三四五六七八九十])(?:[两二三四五六七八九十]|\d)年(?:时间|下来|来|里|间)")
#: the money sums the earnings listed before it (打工收入、…分红等加起来，超过三万五千元)
_SUM = re.compile(r"加起来|加在一起|合计|总计|总共|一共|算下来")


def classify_income(cues: OutcomeCues, clause: str, sentence: str, money: Money, mstart: int, mend: int,
                    before: str = "") -> Income | None:
    """An :class:`Income` when the money in ``clause`` (at ``mstart:mend`` of it) is an earning;
    ``before`` is the sentence before the clause (a sum of earnings listed there)."""
    if cues.has("exclude", clause) or cues.has("collective", clause):
        return None
    if not (cues.has("income", clause) or cues.has("periodic", clause)):
        # 打工收入、草原禁牧补贴、光伏分红等加起来，超过三万五千元
        tail = before[-40:]
        if not (_SUM.search(tail + clause[:mstart]) and cues.has("income", tail)):
            return None
    dist = {p: _nearest(cues.rx[p], clause, mstart, mend) for p in ("day", "month", "year")}
    found = {p: d for p, d in dist.items() if d is not None}
    kind = income_kind(clause, before)
    if found:
        period = min(found, key=lambda p: (found[p], ("day", "month", "year").index(p)))
        if period == "month" and _MONTHS_SPAN.search(clause[:mstart]):
            period = "total"
        elif period == "year" and _YEARS_SPAN.search(clause[:mstart]):
            period = "total"
    elif kind != "wage" and _YEAR_DATE.search(clause[:mstart]):
        period = "year"
    elif cues.has("year_context", sentence):
        period = "year"
    else:
        period = "month" if kind == "wage" else "total"
    phase = None
    for scope in (clause, sentence):
        b, a = cues.has("before", scope), cues.has("after", scope)
        if b != a:
            phase = "before" if b else "after"
            break
    return Income(amount=money.amount, period=period, amount_max=money.amount_max,
                  approximate=money.approximate, phase=phase, kind=kind, text=money.text)


class IncomeRecognizer:
    """The ``kg_outcomes`` pipeline component."""

    def __init__(self, cues: OutcomeCues):
        self.cues = cues

    def __call__(self, doc: Doc) -> Doc:
        init_doc(doc)
        ix = DocIndex(doc)
        text = ix.text
        incomes: list[Income] = doc._.kg_incomes
        spans: list[Span] = list(doc.spans["kg_incomes"])
        for s0, s1 in ix.sentences:
            stext = text[s0:s1]
            if "元" not in stext and "块" not in stext:
                continue
            if block_kind(doc, s0) in ("caption", "byline"):
                continue
            for money in find_money(stext):
                cs, ce = _clause_bounds(stext, money.start, money.end, 0, len(stext))
                clause = stext[cs:ce]
                inc = classify_income(self.cues, clause, stext, money, money.start - cs, money.end - cs,
                                      before=stext[:cs])
                if inc is None:
                    continue
                span = ix.span(s0 + money.start, s0 + money.end)
                if span is None:
                    continue
                inc.evidence = ix.sentence_evidence(span)
                span._.kg_ref = len(incomes)
                incomes.append(inc)
                spans.append(span)
        doc.spans["kg_incomes"] = spans
        return doc


@Language.factory(
    "kg_outcomes",
    default_config={"cues": "outcome_cues.tsv"},
    assigns=["doc._.kg_incomes", "doc.spans"],
)
def make_kg_outcomes(nlp: Language, name: str, cues: str):
    """Build the income recognizer from the cue file named in the config."""
    return IncomeRecognizer(load_cues(cues))
