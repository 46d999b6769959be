"""``kg eval``: score a built graph against gold annotations a researcher wrote.

The gold format (one JSON file per article, named ``<article file>.json``)::

    {
      "doc": "article.txt",                      # the article's file name (fp:fileName)
      "persons": ["张三", ["李四", "李 四"]],      # every named individual; a list = aliases of one
      "ignore_persons": ["王五"],                 # bylines / photo credits: neither right nor wrong
      "places": ["某某县", "某某镇", "某某村"],     # atomic named places, fullest form in the text
      "organizations": ["某某县人社局"],           # companies, bureaus, schools, cooperatives...
      "cases": [{"person": "张三",                # one per person taking part in a program
                 "places": ["某某村"],             # most specific place(s) the person lives/works
                 "programs": [{"name": "...", "category": "SkillsTraining"}],
                 "organizations": ["..."],         # employer or organiser
                 "incomes": [{"amount": 2000, "amount_max": 3000, "period": "month", "approx": false}]}],
      "stats": [{"place": "某某县", "category": "PovertyWorkshop", "value": 5, "unit": "个",
                 "text": "..."}]
    }

Times (optional, read only by ``kg eval``; the shared scorer ignores them): the article's
``"date"`` (``YYYY[-MM[-DD]]``, or ``null``: the file annotates times and the text gives no
date) and ``"publisher"``, a case's ``"start"`` (``YYYY`` or
``YYYY-MM``: when the person's program began, as the text dates it, a relative time resolved
against the article's date) and an income's ``"year"`` (the year its clause gives). Where
any gold file has them, the result has a ``times`` section: ``article_dates`` and
``publishers`` (accuracy over the articles whose gold gives one), ``case_starts`` and
``income_years`` (P/R/F1 over matched cases and matched incomes: a predicted start or year
that equals the gold one is a true positive).

``period`` is ``day``, ``month``, ``year`` or ``total``; ``category`` is a local name of the
program-category scheme (``kg.records.CATEGORIES``). The graph is read only through the
terms of the RDF contract (``fp:Article``/``fp:fileName``, entity classes with
``rdfs:label``/``skos:altLabel`` and ``fp:mentionedIn``, ``fp:Case`` with ``fp:person``,
``fp:place``, ``fp:program``/``fp:category``, ``fp:organization``, ``fp:outcome`` →
``fp:Income``, and ``fp:Statistic``), so any graph following it can be scored.

Matching rules (the same as the shared reference scorer, so figures agree):
persons by exact name (whitespace ignored); places by name or name + one administrative
suffix (何埂 ~ 何埂镇); organizations by name, by a place-prefixed form (区扶贫办 ~
永川区扶贫办) or by long containment; an entity with aliases or several labels matches if
any of its names does; entities are paired greedily one to one. Cases are matched by
person; a matched case's place counts as right when any predicted place matches any gold
place; program categories are compared as sets; incomes match on period and amount within
0.5 %; statistics on value within 0.5 % and, when the prediction names one, place.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rdflib
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from kg.errors import KGError

__all__ = [
    "GoldCase", "GoldArticle", "Tally", "METRICS", "GRAPH_FORMATS", "read_gold", "load_graph",
    "evaluate", "eval_command", "format_report", "person_match", "place_match", "org_match",
]

FP = "https://w3id.org/fupin-kg/ontology#"

#: Suffixes that may be dropped from a place name and still name the same unit.
ADMIN_SUFFIXES = ("街道", "社区", "省", "市", "区", "县", "镇", "乡", "村", "组", "社")
#: Graph file formats by extension (rdflib parser names).
GRAPH_FORMATS = {".ttl": "turtle", ".nt": "nt", ".nq": "nquads", ".trig": "trig",
                 ".jsonld": "json-ld", ".json": "json-ld", ".rdf": "xml", ".owl": "xml"}
#: The P/R/F1 metrics in the result, in display order.
METRICS = ("persons", "places", "organizations", "cases", "case_categories", "case_incomes",
           "case_organizations", "stats")

Name = str | list[str]          # a gold entity: one name, or a list of aliases of one entity
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_YEAR_MONTH = re.compile(r"^\d{4}(-\d{2})?$")
_TIME = "http://www.w3.org/2006/time#"
_DCT = "http://purl.org/dc/terms/"


def _fp(local: str) -> URIRef:
    return URIRef(FP + local)


# -- gold ---------------------------------------------------------------------------------

@dataclass
class GoldCase:
    person: str
    places: list[Name] = field(default_factory=list)
    categories: set[str] = field(default_factory=set)
    organizations: list[Name] = field(default_factory=list)
    incomes: list[dict[str, Any]] = field(default_factory=list)
    start: str | None = None          # YYYY or YYYY-MM: when the program began (times, optional)


@dataclass
class GoldArticle:
    """One gold file (GOLD-FORMAT.md)."""

    doc: str
    path: Path
    persons: list[Name] = field(default_factory=list)
    ignore_persons: list[str] = field(default_factory=list)
    places: list[Name] = field(default_factory=list)
    organizations: list[Name] = field(default_factory=list)
    cases: list[GoldCase] = field(default_factory=list)
    stats: list[dict[str, Any]] = field(default_factory=list)
    date: str | None = None           # the article's date (times, optional)
    publisher: str | None = None
    timed: bool = False               # the file annotates times ("date" given, even as null)


def _names(value: Any, where: str) -> list[Name]:
    if not isinstance(value, list) or not all(
            isinstance(x, str) or (isinstance(x, list) and x and all(isinstance(y, str) for y in x))
            for x in value):
        raise KGError(f"{where}: expected a list of names (a name may be a list of aliases)")
    return value


def _parse_gold(path: Path) -> GoldArticle:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise KGError(f"{path}: cannot read gold file ({e})") from None
    try:
        d = json.loads(text)
    except json.JSONDecodeError as e:
        raise KGError(f"{path}:{e.lineno}:{e.colno}: malformed gold JSON ({e.msg})") from None
    if not isinstance(d, dict) or not isinstance(d.get("doc"), str):
        raise KGError(f"{path}: gold file needs an object with a \"doc\" field naming the article")
    cases = []
    for i, c in enumerate(d.get("cases", [])):
        where = f"{path}: cases[{i}]"
        if not isinstance(c, dict) or not isinstance(c.get("person"), str):
            raise KGError(f"{where}: a case needs a \"person\" name")
        programs = c.get("programs", [])
        if not all(isinstance(p, dict) and isinstance(p.get("category"), str) for p in programs):
            raise KGError(f"{where}.programs: each program needs a \"category\"")
        incomes = c.get("incomes", [])
        for j, inc in enumerate(incomes):
            try:
                float(inc["amount"])
                str(inc["period"])
            except (TypeError, KeyError, ValueError):
                raise KGError(f"{where}.incomes[{j}]: an income needs a numeric \"amount\" and a \"period\"") from None
            if "year" in inc and not (isinstance(inc["year"], int) and 1900 <= inc["year"] <= 2100):
                raise KGError(f"{where}.incomes[{j}]: \"year\" must be a year such as 2018")
        start = c.get("start")
        if start is not None and not (isinstance(start, str) and _YEAR_MONTH.match(start)):
            raise KGError(f"{where}: \"start\" must be YYYY or YYYY-MM")
        cases.append(GoldCase(person=c["person"], places=_names(c.get("places", []), f"{where}.places"),
                              categories={p["category"] for p in programs},
                              organizations=_names(c.get("organizations", []), f"{where}.organizations"),
                              incomes=incomes, start=start))
    date = d.get("date")
    if date is not None and not (isinstance(date, str) and _DATE.match(date)):
        raise KGError(f"{path}: \"date\" must be YYYY, YYYY-MM or YYYY-MM-DD")
    stats = d.get("stats", [])
    for j, s in enumerate(stats):
        try:
            float(s["value"])
        except (TypeError, KeyError, ValueError):
            raise KGError(f"{path}: stats[{j}]: a statistic needs a numeric \"value\"") from None
    return GoldArticle(
        doc=d["doc"], path=path,
        persons=_names(d.get("persons", []), f"{path}: persons"),
        ignore_persons=[n for n in _names(d.get("ignore_persons", []), f"{path}: ignore_persons")
                        if isinstance(n, str)],
        places=_names(d.get("places", []), f"{path}: places"),
        organizations=_names(d.get("organizations", []), f"{path}: organizations"),
        cases=cases, stats=stats, date=date, timed="date" in d or "publisher" in d,
        publisher=d.get("publisher") if isinstance(d.get("publisher"), str) else None,
    )


def read_gold(gold_dir: str | Path) -> list[GoldArticle]:
    """Read every ``*.json`` gold file of a folder, sorted by file name."""
    gold_dir = Path(gold_dir)
    if not gold_dir.is_dir():
        raise KGError(f"{gold_dir}: no such gold directory")
    files = sorted(gold_dir.glob("*.json"))
    if not files:
        raise KGError(f"{gold_dir}: no gold files (*.json) in this directory")
    return [_parse_gold(f) for f in files]


# -- graph ---------------------------------------------------------------------------------

def load_graph(path: str | Path) -> Graph:
    """Load a graph file into one rdflib graph (format by extension; named graphs merged)."""
    path = Path(path)
    if not path.is_file():
        raise KGError(f"{path}: no such graph file (build it first: kg build)")
    fmt = GRAPH_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise KGError(f"{path}: unknown graph format (use one of {', '.join(sorted(GRAPH_FORMATS))})")
    try:
        if fmt in ("nquads", "trig", "json-ld"):
            ds = rdflib.Dataset()
            ds.parse(path, format=fmt)
            g = Graph()
            for s, p, o, _ in ds.quads((None, None, None, None)):
                g.add((s, p, o))
            return g
        g = Graph()
        g.parse(path, format=fmt)
        return g
    except Exception as e:  # rdflib raises parser-specific errors
        msg = " ".join(str(e).split())[:300]
        raise KGError(f"{path}: cannot parse as {fmt}: {msg}") from None


def _labels(g: Graph, node, alt: bool = False) -> list[str]:
    out = [str(x) for x in g.objects(node, RDFS.label)]
    if alt:
        out += [str(x) for x in g.objects(node, SKOS.altLabel)]
    return out


def _article(g: Graph, doc: str):
    for lit in (Literal(doc), Literal(doc, datatype=XSD.string)):
        for s in g.subjects(_fp("fileName"), lit):
            return s
    return None


def _entities(g: Graph, cls: str, article) -> list[list[str]]:
    """Entities of a class mentioned in the article, each as its sorted names (label + altLabels)."""
    out = []
    for e in set(g.subjects(_fp("mentionedIn"), article)):
        if (e, RDF.type, _fp(cls)) in g:
            names = sorted(set(_labels(g, e, alt=True)))
            if names:
                out.append(names)
    return sorted(out)


@dataclass
class _PredCase:
    places: set[str] = field(default_factory=set)
    categories: set[str] = field(default_factory=set)
    orgs: set[str] = field(default_factory=set)
    incomes: set[tuple[float, str]] = field(default_factory=set)
    income_years: dict[tuple[float, str], set[int]] = field(default_factory=lambda: defaultdict(set))
    starts: set[str] = field(default_factory=set)      # YYYY and YYYY-MM of fp:startTime


def _float(x) -> float | None:
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def _cases(g: Graph, article) -> dict[str, _PredCase]:
    """Person name -> the union of the slots of every fp:Case about that person in the article."""
    out: dict[str, _PredCase] = defaultdict(_PredCase)
    for c in set(g.subjects(_fp("source"), article)):
        if (c, RDF.type, _fp("Case")) not in g:
            continue
        for person in g.objects(c, _fp("person")):
            for name in _labels(g, person):
                slot = out[clean(name)]
                for pl in g.objects(c, _fp("place")):
                    slot.places.update(_labels(g, pl))
                for pr in g.objects(c, _fp("program")):
                    slot.categories.update(str(x).rsplit("#", 1)[-1] for x in g.objects(pr, _fp("category")))
                for o in g.objects(c, _fp("organization")):
                    slot.orgs.update(_labels(g, o))
                for t in g.objects(c, _fp("startTime")):
                    slot.starts.update(str(y) for y in g.objects(t, URIRef(_TIME + "inXSDgYear")))
                    slot.starts.update(str(y) for y in g.objects(t, URIRef(_TIME + "inXSDgYearMonth")))
                for inc in g.objects(c, _fp("outcome")):
                    if (inc, RDF.type, _fp("Income")) not in g:
                        continue
                    for amt in g.objects(inc, _fp("amount")):
                        for per in g.objects(inc, _fp("period")):
                            value = _float(amt)
                            if value is not None:
                                slot.incomes.add((value, str(per)))
                                for t in g.objects(inc, URIRef(_TIME + "hasTime")):
                                    slot.income_years[(value, str(per))].update(
                                        int(str(y)[:4]) for y in g.objects(t, URIRef(_TIME + "inXSDgYear")))
    return out


def _statistics(g: Graph, article) -> list[tuple[str, float]]:
    """(place label or "", value) per statistic of the article."""
    out = []
    for s in set(g.subjects(_fp("source"), article)):
        if (s, RDF.type, _fp("Statistic")) not in g:
            continue
        places = [lab for p in g.objects(s, _fp("place")) for lab in _labels(g, p)] or [""]
        for v in g.objects(s, _fp("value")):
            value = _float(v)
            if value is not None:
                out.extend((pl, value) for pl in places)
    return sorted(out)


# -- matching ------------------------------------------------------------------------------

def clean(s: str) -> str:
    """A name without whitespace (OCR spacing must not decide a match)."""
    return "".join(str(s).split())


def person_match(a: str, b: str) -> bool:
    return clean(a) == clean(b)


def place_match(a: str, b: str) -> bool:
    """Same name, or the same name with one administrative suffix (何埂 ~ 何埂镇)."""
    a, b = clean(a), clean(b)
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 2 and long_.startswith(short) and long_[len(short):] in ADMIN_SUFFIXES


def org_match(a: str, b: str) -> bool:
    """Same name, a place-prefixed form (区扶贫办 ~ 永川区扶贫办), or a long containment."""
    a, b = clean(a), clean(b)
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return (len(short) >= 3 and long_.endswith(short)) or (len(short) >= 4 and short in long_)


def _as_names(x: Name) -> list[str]:
    return [x] if isinstance(x, str) else list(x)


def _any_name(same: Callable[[str, str], bool]) -> Callable[[Name, Name], bool]:
    """Lift a name matcher to entities that carry several names (aliases, labels)."""
    return lambda p, g: any(same(a, b) for a in _as_names(p) for b in _as_names(g))


def _greedy(pred: Sequence, gold: Iterable, same: Callable) -> int:
    """Greedy one-to-one pairing of gold with predicted items; the number of pairs."""
    used: set[int] = set()
    for g in gold:
        for i, p in enumerate(pred):
            if i not in used and same(p, g):
                used.add(i)
                break
    return len(used)


def _income_match(pred: tuple[float, str], gold: dict) -> bool:
    amount, period = pred
    g = float(gold["amount"])
    return period == gold["period"] and abs(amount - g) <= 0.005 * max(1.0, g)


def _stat_match(pred: tuple[str, float], gold: dict) -> bool:
    place, value = pred
    g = float(gold["value"])
    return abs(value - g) <= 0.005 * max(1.0, abs(g)) and (
        not place or _any_name(place_match)(place, gold.get("place", "")))


# -- scoring -------------------------------------------------------------------------------

@dataclass
class Tally:
    """True positives, predictions and gold items of one metric, summed over articles."""

    tp: int = 0
    pred: int = 0
    gold: int = 0

    def add(self, tp: int, pred: int, gold: int) -> None:
        self.tp += tp
        self.pred += pred
        self.gold += gold

    @property
    def p(self) -> float:
        return self.tp / self.pred if self.pred else 0.0

    @property
    def r(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"p": round(self.p, 4), "r": round(self.r, 4), "f1": round(self.f1, 4),
                "tp": self.tp, "pred": self.pred, "gold": self.gold}


def _score_article(g: Graph, gold: GoldArticle, m: dict[str, Tally]) -> tuple[dict, int, int]:
    art = _article(g, gold.doc)
    ignore = {clean(n) for n in gold.ignore_persons}
    doc: dict[str, Any] = {}
    for key, cls, same in (("persons", "Person", person_match), ("places", "Place", place_match),
                           ("organizations", "Organization", org_match)):
        pred = _entities(g, cls, art) if art is not None else []
        if key == "persons":
            pred = [p for p in pred if not any(clean(n) in ignore for n in p)]
        items, match = getattr(gold, key), _any_name(same)
        tp = _greedy(pred, items, match)
        m[key].add(tp, len(pred), len(items))
        doc[key] = {"tp": tp, "pred": len(pred), "gold": len(items),
                    "missed": [x for x in items if not any(match(p, x) for p in pred)],
                    "extra": [p for p in pred if not any(match(p, x) for x in items)]}

    pcases = {k: v for k, v in (_cases(g, art) if art is not None else {}).items() if k not in ignore}
    gcases = {clean(c.person): c for c in gold.cases}
    hit = set(pcases) & set(gcases)
    m["cases"].add(len(hit), len(pcases), len(gcases))
    doc["cases"] = {"tp": len(hit), "pred": len(pcases), "gold": len(gcases),
                    "missed": sorted(set(gcases) - hit), "extra": sorted(set(pcases) - hit)}
    place_ok = place_n = 0
    slots: dict[str, dict[str, list]] = {}
    for name in sorted(hit):
        p, gc = pcases[name], gcases[name]
        wrong: dict[str, list] = {}
        if gc.places:
            place_n += 1
            if any(_any_name(place_match)(a, b) for a in p.places for b in gc.places):
                place_ok += 1
            else:
                wrong["places"] = [sorted(p.places), gc.places]
        m["case_categories"].add(len(p.categories & gc.categories), len(p.categories), len(gc.categories))
        if p.categories != gc.categories:
            wrong["categories"] = [sorted(p.categories), sorted(gc.categories)]
        incomes = sorted(p.incomes)
        tp = _greedy(incomes, gc.incomes, _income_match)
        m["case_incomes"].add(tp, len(incomes), len(gc.incomes))
        if tp < max(len(incomes), len(gc.incomes)):
            wrong["incomes"] = [[list(x) for x in incomes],
                                [[i["amount"], i["period"]] for i in gc.incomes]]
        orgs = sorted(p.orgs)
        tp = _greedy(orgs, gc.organizations, _any_name(org_match))
        m["case_organizations"].add(tp, len(orgs), len(gc.organizations))
        if tp < max(len(orgs), len(gc.organizations)):
            wrong["organizations"] = [orgs, gc.organizations]
        if wrong:
            slots[name] = wrong            # slot -> [predicted, gold]
    doc["case_slots"] = slots

    pstats = _statistics(g, art) if art is not None else []
    tp = _greedy(pstats, gold.stats, _stat_match)
    m["stats"].add(tp, len(pstats), len(gold.stats))
    doc["stats"] = {"tp": tp, "pred": len(pstats), "gold": len(gold.stats)}
    return doc, place_ok, place_n


#: The time metrics of the ``times`` section (when some gold file carries times).
TIME_METRICS = ("case_starts", "income_years")


def _has_times(gold: GoldArticle) -> bool:
    return bool(gold.timed or any(c.start for c in gold.cases)
                or any("year" in i for c in gold.cases for i in c.incomes))


def _score_times(g: Graph, gold: GoldArticle, t: dict[str, Tally], acc: dict[str, list[int]]) -> dict[str, Any]:
    """The ``times`` of one article whose gold carries them: the article's date and publisher,
    matched cases' starts and matched incomes' years; what differs, as ``[predicted, gold]``."""
    art = _article(g, gold.doc)
    wrong: dict[str, Any] = {}
    for key, prop, given, same in (
            ("article_dates", _DCT + "date", gold.date, lambda p, x: p[:len(x)] == x),
            ("publishers", _DCT + "publisher", gold.publisher, lambda p, x: clean(p) == clean(x))):
        if not given:
            continue
        pred = sorted(str(x) for x in g.objects(art, URIRef(prop))) if art is not None else []
        ok = any(same(p, given) for p in pred)
        acc[key][0] += ok
        acc[key][1] += 1
        if not ok:
            wrong[key] = [pred, given]
    pcases = _cases(g, art) if art is not None else {}
    for gc in gold.cases:
        p = pcases.get(clean(gc.person))
        if p is None:
            continue
        t["case_starts"].add(int(bool(gc.start) and gc.start in p.starts), int(bool(p.starts)), int(bool(gc.start)))
        if (gc.start or p.starts) and gc.start not in p.starts:
            wrong.setdefault("case_starts", {})[gc.person] = [sorted(p.starts), gc.start]
        dated = sorted((k, y) for k, ys in p.income_years.items() for y in ys)
        gold_dated = [i for i in gc.incomes if "year" in i]
        tp = _greedy(dated, gold_dated, lambda pr, gi: _income_match(pr[0], gi) and pr[1] == gi["year"])
        t["income_years"].add(tp, len(dated), len(gold_dated))
        if tp < max(len(dated), len(gold_dated)):
            wrong.setdefault("income_years", {})[gc.person] = [
                [[a, per, y] for (a, per), y in dated], [[i["amount"], i["period"], i["year"]] for i in gold_dated]]
    return wrong


def evaluate(graph: Graph | str | Path, gold_dir: str | Path) -> dict[str, Any]:
    """Score ``graph`` (an rdflib graph or a graph file) against the gold files in ``gold_dir``.

    Returns ``{metric: {p, r, f1, tp, pred, gold}}`` for :data:`METRICS`, plus
    ``case_place_accuracy`` and ``per_doc`` (per article: missed and extra entities and
    cases, and ``case_slots``: for each matched case the slots that differ, as
    ``[predicted, gold]``).
    """
    golds = read_gold(gold_dir)
    g = graph if isinstance(graph, Graph) else load_graph(graph)
    m = {k: Tally() for k in METRICS}
    place_ok = place_n = 0
    per_doc = {}
    for gold in golds:
        per_doc[gold.doc], ok, n = _score_article(g, gold, m)
        place_ok += ok
        place_n += n
    out: dict[str, Any] = {k: v.as_dict() for k, v in m.items()}
    out["case_place_accuracy"] = round(place_ok / place_n, 4) if place_n else 0.0
    out["per_doc"] = per_doc
    timed = [gold for gold in golds if _has_times(gold)]
    if timed:
        t = {k: Tally() for k in TIME_METRICS}
        acc = {"article_dates": [0, 0], "publishers": [0, 0]}
        for gold in timed:
            wrong = _score_times(g, gold, t, acc)
            if wrong:
                per_doc[gold.doc]["times"] = wrong
        out["times"] = {**{k: {"accuracy": round(ok / n, 4) if n else None, "right": ok, "gold": n}
                           for k, (ok, n) in acc.items()},
                        **{k: v.as_dict() for k, v in t.items()}, "articles": len(timed)}
    return out


# -- command -------------------------------------------------------------------------------

def _show(x: Name | list) -> str:
    return "/".join(x) if isinstance(x, list) else x


def format_report(res: dict[str, Any]) -> str:
    """A readable table of the metrics, then per article what was missed and what was extra."""
    lines = [f"{'metric':<20}{'P':>8}{'R':>8}{'F1':>8}{'tp':>7}{'pred':>7}{'gold':>7}"]
    for k in METRICS:
        v = res[k]
        lines.append(f"{k:<20}{v['p']:>8.3f}{v['r']:>8.3f}{v['f1']:>8.3f}{v['tp']:>7}{v['pred']:>7}{v['gold']:>7}")
    lines.append(f"{'case_place_accuracy':<20}{res['case_place_accuracy']:>8.3f}")
    times = res.get("times")
    if times:
        lines.append(f"times ({times['articles']} articles with time annotations):")
        for k in TIME_METRICS:
            v = times[k]
            lines.append(f"  {k:<18}{v['p']:>8.3f}{v['r']:>8.3f}{v['f1']:>8.3f}{v['tp']:>7}{v['pred']:>7}{v['gold']:>7}")
        for k in ("article_dates", "publishers"):
            v = times[k]
            if v["gold"]:
                lines.append(f"  {k:<18}accuracy {v['accuracy']:.3f} ({v['right']}/{v['gold']})")
    for doc, d in res["per_doc"].items():
        lines.append("")
        lines.append(f"{doc}:")
        for key in ("persons", "places", "organizations", "cases"):
            missed = ", ".join(_show(x) for x in d[key]["missed"]) or "-"
            extra = ", ".join(_show(x) for x in d[key]["extra"]) or "-"
            lines.append(f"  {key:<14} missed: {missed}")
            lines.append(f"  {'':<14} extra:  {extra}")
        for person, wrong in d.get("case_slots", {}).items():
            for slot, (pred, gold) in wrong.items():
                lines.append(f"  case {person} {slot}: predicted {json.dumps(pred, ensure_ascii=False)}"
                             f" gold {json.dumps(gold, ensure_ascii=False)}")
        for key, wrong in d.get("times", {}).items():
            lines.append(f"  times {key}: {json.dumps(wrong, ensure_ascii=False)} ([predicted, gold])")
    return "\n".join(lines)


def eval_command(gold: str | Path, graph: str | Path, as_json: bool = False) -> int:
    """``kg eval``: print the scores (table, or JSON with ``--json``); exit status 0."""
    res = evaluate(graph, gold)
    if as_json:
        print(json.dumps(res, ensure_ascii=False, indent=2))
    else:
        print(format_report(res))
    sys.stdout.flush()
    return 0
