"""Extraction records: the plain dataclasses every stage after the NLP pipeline reads.

One :class:`ArticleRecord` per article is written as JSON under ``output/extractions/``
and is the whole interface between extraction and the graph builder.

Offsets. ``Evidence.start``/``end`` index the article's *raw* text: the decoded file
(BOM removed, line breaks untouched), counted in Unicode code points, so that
``raw[start:end] == evidence.raw_text`` always holds. ``sentence`` is the same stretch
after layout repair (what a reader wants to see).

Places are identified by their ``path`` in the administrative hierarchy, from the
broadest unit down to the place itself (``("重庆市", "永川区", "何埂镇", "丰乐村")``),
so two villages of the same name in different townships stay two places.
Entities inside one record refer to each other by key (``Person.name``,
``Place.path``, ``Organization.name``, ``Program.key``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ADMIN_LEVELS", "CATEGORIES", "PERIODS", "Evidence", "Person", "Place", "Organization",
    "Program", "Income", "Statistic", "Case", "ArticleMeta", "ArticleRecord", "SCHEMA_VERSION",
    "When", "PARTS",
]

SCHEMA_VERSION = 1

#: fp:adminLevel values, broadest first.
ADMIN_LEVELS = ("country", "province", "prefecture", "county", "township", "village", "group", "other")
#: The program categories: local names of the SKOS concepts in ontology/ (RDF-CONTRACT.md).
CATEGORIES = ("SkillsTraining", "PovertyWorkshop", "PublicWelfareJob", "LaborCooperation", "JobFair",
              "Entrepreneurship", "SocialInsurance", "Subsidy", "JobReferral")
PERIODS = ("day", "month", "year", "total")
#: When.part values: a part of the year (2018年冬, 去年底, 上半年).
PARTS = ("start", "end", "spring", "summer", "autumn", "winter", "first_half", "second_half")


@dataclass(frozen=True)
class Evidence:
    """A stretch of the source article that a fact cites."""

    start: int            # raw offset (inclusive)
    end: int              # raw offset (exclusive)
    raw_text: str         # == raw[start:end]
    sentence: str         # the normalised sentence text


@dataclass
class When:
    """The time a fact is set in, as the text says it (kg.nlp.times): an absolute date
    (``2016年``, ``2018年冬``, ``2019年3月``) or one relative to the article's date (``去年``,
    ``三年前``, ``上个月``, ``3月22日``), resolved against that date when it is known
    (``anchor``) and kept unresolved, with its expression, otherwise."""

    text: str                              # the expression as written: 2018年冬, 去年10月16日, 三年前
    year: int | None = None                # calendar year (absolute, or resolved)
    month: int | None = None
    day: int | None = None
    part: str | None = None                # PARTS: 2018年冬 -> winter, 去年底 -> end
    since: bool = False                    # 2013年起, 今年以来, 2019年至今: from that time on
    offset_years: int | None = None        # relative: 去年 -1, 三年前 -3, 今年 and 3月22日 0
    offset_months: int | None = None       # relative: 上个月 -1, 两个月前 -2
    anchor: str | None = None              # the article date a relative time was resolved against
    scope: str = "clause"                  # how it governs the fact: "clause", or "sentence" (leading adverbial)
    evidence: Evidence | None = None       # the expression itself, by raw offsets

    @property
    def relative(self) -> bool:
        return self.offset_years is not None or self.offset_months is not None

    def iso(self) -> str | None:
        """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as far as known; None when unresolved."""
        if self.year is None:
            return None
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def resolve(self, date: str | None) -> None:
        """Resolve a relative time against the article date ``date`` (``YYYY[-MM[-DD]]``);
        without a date (or without the month a month offset needs) it stays unresolved.
        An absolute time is left as it is."""
        if not self.relative:
            return
        y, m = _date_parts(date)
        if self.offset_months is not None:
            if self.anchor is not None or self.year is not None:    # resolved before: the month was computed
                self.month = None
            self.year = self.anchor = None
            if y is None or m is None:
                return
            k = y * 12 + (m - 1) + self.offset_months
            self.year, self.month, self.anchor = k // 12, k % 12 + 1, date
        else:   # a relative year keeps the month and day the text gives (去年10月16日)
            self.year = y + (self.offset_years or 0) if y is not None else None
            self.anchor = date if y is not None else None


def _date_parts(date: str | None) -> tuple[int | None, int | None]:
    if not date or len(date) < 4 or not date[:4].isdigit():
        return None, None
    m = int(date[5:7]) if len(date) >= 7 and date[5:7].isdigit() else None
    return int(date[:4]), m


@dataclass
class Person:
    name: str                                        # full name as written (key within the article)
    roles: list[str] = field(default_factory=list)   # 村民, 贫困户, 所长, 村支书, 退伍军人 ...
    gender: str | None = None                        # "female" / "male" when the text says (她/他, 丈夫...)
    age: int | None = None
    relations: list[tuple[str, str]] = field(default_factory=list)  # (relation, other person's name): ("丈夫", "吴军")
    aliases: list[str] = field(default_factory=list)  # short references resolved to this person: 吴所长
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Place:
    name: str                  # the fullest form the text gives: 何埂镇, 塘坎上村民小组, 凤凰湖工业园
    level: str                 # one of ADMIN_LEVELS
    path: tuple[str, ...]      # canonical names from the broadest unit down to this place (identity)
    code: str | None = None    # administrative division code where the gazetteer has one
    aliases: list[str] = field(default_factory=list)   # other spellings met in the text (永川 for 永川区)
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Organization:
    name: str                                          # full name as written
    kind: str = "other"                                # company, bureau, school, cooperative, workshop, government, other
    aliases: list[str] = field(default_factory=list)   # 黔江区人社局 <-> 黔江区人力资源和社会保障局
    place: tuple[str, ...] | None = None               # path of the place it belongs to, when known
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Program:
    key: str                                            # unique within the article
    name: str                                           # as the text names it: 何埂镇护理病人培训班
    categories: list[str] = field(default_factory=list)  # CATEGORIES
    organizer: str | None = None                        # Organization.name
    place: tuple[str, ...] | None = None                # Place.path
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Income:
    amount: float                   # yuan
    period: str                     # PERIODS
    amount_max: float | None = None  # range top (两三千元 -> 2000..3000)
    approximate: bool = False       # 多/余/约/左右/近/超过/不到
    phase: str | None = None        # "before" / "after" the program, where the text says
    kind: str = "income"            # wage, allowance, net_income, profit, revenue, household, income (kg/data/income_kinds.tsv)
    text: str = ""                  # the money expression as written: 4000多元
    evidence: Evidence | None = None
    when: When | None = None        # the time its clause (or its sentence's leading adverbial) gives


@dataclass
class Statistic:
    value: float
    unit: str                            # 人, 人次, 个, 元, %, 场 ...
    text: str                            # the clause stating it: 建成5个扶贫车间
    place: tuple[str, ...] | None = None  # Place.path the figure is about
    category: str | None = None          # CATEGORIES, where stated
    approximate: bool = False
    evidence: Evidence | None = None
    when: When | None = None             # the time its clause (or its sentence's leading adverbial) gives


@dataclass
class Case:
    """One named person's participation story in one article (fp:Case)."""

    person: str                                               # Person.name
    programs: list[str] = field(default_factory=list)         # Program.key
    places: list[tuple[str, ...]] = field(default_factory=list)  # most specific Place.path(s)
    organizations: list[str] = field(default_factory=list)    # Organization.name: employer / organiser
    incomes: list[Income] = field(default_factory=list)
    role: str = "participant"                                 # participant, employee, entrepreneur, referral
    evidence: list[Evidence] = field(default_factory=list)
    start: When | None = None                                 # when the person's program began, where the text says


@dataclass
class ArticleMeta:
    file_name: str
    sha256: str                    # of the raw bytes
    title: str | None = None
    region: str | None = None
    publication: str | None = None
    date: str | None = None        # ISO date where the text or manifest tells
    encoding: str = "utf-8"
    chars: int = 0                 # length of the raw text
    url: str | None = None         # the page's address (canonical URL or manifest)
    author: str | None = None
    collection: str | None = None  # the corpus subfolder (a province, a year) or the manifest's
    format: str = "text"           # what the file was: text, html, pdf, docx
    sources: dict[str, str] = field(default_factory=dict)   # field -> page, manifest, text or folder
    spans: dict[str, Evidence] = field(default_factory=dict)  # field read from the text -> the stretch saying it


@dataclass
class ArticleRecord:
    meta: ArticleMeta
    persons: list[Person] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    organizations: list[Organization] = field(default_factory=list)
    programs: list[Program] = field(default_factory=list)
    statistics: list[Statistic] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    pipeline_version: str = ""
    schema_version: int = SCHEMA_VERSION

    def times(self) -> Iterator[When]:
        """Every When the record holds (statistics, case starts, incomes), each once."""
        seen: set[int] = set()
        whens = [s.when for s in self.statistics]
        for c in self.cases:
            whens.append(c.start)
            whens.extend(i.when for i in c.incomes)
        for w in whens:
            if w is not None and id(w) not in seen:
                seen.add(id(w))
                yield w

    def anchor_times(self, date: str | None) -> None:
        """Resolve the relative times against ``date``: the article's, which may come from a
        manifest the cached record never saw."""
        for w in self.times():
            w.resolve(date)

    def evidences(self) -> Iterator[Evidence]:
        """Every Evidence the record cites (entities, statistics, cases and their incomes)."""
        for group in (self.persons, self.places, self.organizations, self.programs):
            for x in group:
                yield from x.evidence
        for s in self.statistics:
            if s.evidence:
                yield s.evidence
        for c in self.cases:
            yield from c.evidence
            yield from (i.evidence for i in c.incomes if i.evidence)

    # -- JSON round trip -------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain dicts and lists, as :func:`dataclasses.asdict` gives them (twice as fast)."""
        return _plain(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ArticleRecord:
        def ev(x):
            return Evidence(**x) if x else None

        def evs(xs):
            return [Evidence(**x) for x in xs or []]

        def path(x):
            return tuple(x) if x is not None else None

        def when(x):
            return When(**{**x, "evidence": ev(x.get("evidence"))}) if x else None

        def income(x):
            return Income(**{**x, "evidence": ev(x.get("evidence")), "when": when(x.get("when"))})

        return cls(
            meta=ArticleMeta(**{**d["meta"], "spans": {k: Evidence(**v) for k, v in d["meta"].get("spans", {}).items()}}),
            persons=[Person(**{**p, "relations": [tuple(r) for r in p.get("relations", [])],
                               "evidence": evs(p.get("evidence"))}) for p in d.get("persons", [])],
            places=[Place(**{**p, "path": tuple(p["path"]), "evidence": evs(p.get("evidence"))})
                    for p in d.get("places", [])],
            organizations=[Organization(**{**o, "place": path(o.get("place")), "evidence": evs(o.get("evidence"))})
                           for o in d.get("organizations", [])],
            programs=[Program(**{**p, "place": path(p.get("place")), "evidence": evs(p.get("evidence"))})
                      for p in d.get("programs", [])],
            statistics=[Statistic(**{**s, "place": path(s.get("place")), "evidence": ev(s.get("evidence")),
                                     "when": when(s.get("when"))})
                        for s in d.get("statistics", [])],
            cases=[Case(**{**c, "places": [tuple(p) for p in c.get("places", [])],
                           "incomes": [income(i) for i in c.get("incomes", [])],
                           "evidence": evs(c.get("evidence")), "start": when(c.get("start"))})
                   for c in d.get("cases", [])],
            pipeline_version=d.get("pipeline_version", ""),
            schema_version=d.get("schema_version", SCHEMA_VERSION),
        )


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _plain(x: Any) -> Any:
    """:func:`dataclasses.asdict` for these records, without its deep copies of every leaf."""
    cls = type(x)
    if cls in (str, int, float, bool) or x is None:
        return x
    names = _FIELD_NAMES.get(cls)
    if names is None and dataclasses.is_dataclass(cls):
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    if names is not None:
        return {n: _plain(getattr(x, n)) for n in names}
    if cls is list or cls is tuple:
        return cls(_plain(v) for v in x)
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    return x
