"""Extraction records -> RDF: the knowledge graph in the terms of ``ontology/fupin.ttl``.

:func:`build_graph` turns :class:`kg.records.ArticleRecord` objects into an rdflib
graph. It is deterministic and merges entities across articles by canonical key:

=============  ===========================================================  ==========================
entity         key (and IRI under ``res:``)                                  merged across articles
=============  ===========================================================  ==========================
article        file name: ``article/{file}``                                 --
place          hierarchy path: ``place/重庆市/永川区/何埂镇``                 yes (same path)
organization   normalised name: ``org/{name}``; a relative name (区扶贫办)   yes
               is qualified by its place or article
person         name + county of the person's case: ``person/{name}/{county    yes (same name, county)
               path}``; without a place, ``person/{name}/{article file}``
program        article + name: ``program/{file}/{name}``                     no (instances)
case           article + person: ``case/{file}/{name}``                      no
income         case + digest of its values and evidence                      no
statistic      article + digest of its values and evidence                   no
evidence       article + raw offsets: ``evidence/{file}/{start}-{end}``      --
=============  ===========================================================  ==========================

Every ancestor of a place path is a place too, with its administrative level (from the
records where they give it, else from the suffix grammar of Chinese admin names) and an
``fp:partOf`` chain. Provenance follows PROV-O: cases, incomes, statistics and entity
mentions are ``prov:wasDerivedFrom`` an ``fp:Evidence`` node that carries the raw slice
(``fp:evidenceText``), the repaired sentence and the raw offsets.

:func:`write_graph` writes ``kg.nt`` (sorted N-Triples), ``kg.ttl`` and ``kg.jsonld``,
byte-identical for the same input; :func:`validate` checks the SHACL shapes (pyshacl on
small graphs, :mod:`kg.shacl` in Oxigraph on large ones; :func:`validate_file` for a written file).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path

import rdflib
from rdflib import RDF, RDFS, XSD, Literal, URIRef
from rdflib.term import Node

from kg import io
from kg.errors import KGError
from kg.geo import code_for_path, locate
from kg.namespace import DCTERMS as DCT
from kg.namespace import FP, FP_NS, GEO, PREFIXES, PROV, SCHEMA, SKOS, TIME, WGS, resource, short_hash
from kg.ntriples import GraphError, _nt_term, _ntriples_lines, _subject_first, graph_to_ntriples  # noqa: F401
from kg.records import ADMIN_LEVELS, CATEGORIES, PARTS, PERIODS, ArticleRecord, Evidence, When

__all__ = ["build_graph", "build_triples", "write_graph", "write_triples", "write_graph_lines", "validate", "validate_file",
           "rule_violations", "PYSHACL_MAX_TRIPLES",
           "load_graph", "guess_level", "graph_to_ntriples", "GRAPH_FILES", "place_iri", "org_iri", "article_iri",
           "GraphError"]

#: The files :func:`write_graph` writes, in order.
GRAPH_FILES = ("kg.nt", "kg.ttl", "kg.jsonld")

ZH = "zh"
_MUNICIPALITIES = frozenset({"北京市", "天津市", "上海市", "重庆市", "北京", "天津", "上海", "重庆"})
_COUNTRIES = frozenset({"中国", "中华人民共和国"})
_RELATIVE_PREFIX = tuple("省市区县镇乡村州")


class _Terms:
    """``FP`` with attribute lookups cached (DefinedNamespace.__getattr__ is slow in a hot loop);
    misspelt names still fail, in ``FP``."""

    def __getattr__(self, name: str) -> URIRef:
        term = getattr(FP, name)
        setattr(self, name, term)
        return term


F = _Terms()


# -- IRIs -----------------------------------------------------------------------------

def article_iri(file_name: str) -> URIRef:
    return resource("article", file_name)


def place_iri(path: Iterable[str]) -> URIRef:
    return resource("place", tuple(path))


def org_iri(name: str, qualifier: tuple[str, ...] | str | None = None) -> URIRef:
    if qualifier is None:
        return resource("org", name)
    return resource("org", name, qualifier)


def _norm(name: str) -> str:
    return "".join(str(name).split())


# -- levels ---------------------------------------------------------------------------

def guess_level(name: str, index: int = 0) -> str:
    """The administrative level of a place name from its suffix (general grammar of Chinese
    admin names); ``index`` is its depth in the path (市 at depth 0/1 is a prefecture,
    deeper a county-level city)."""
    n = _norm(name)
    if n in _COUNTRIES:
        return "country"
    if n in _MUNICIPALITIES or n.endswith(("省", "自治区", "特别行政区")):
        return "province"
    if n.endswith(("村民小组", "居民小组")) or re.search(r"[0-9一二三四五六七八九十]+(组|社)$", n):
        return "group"
    if n.endswith(("社区", "居委会", "村委会", "嘎查", "村")):
        return "village"
    if n.endswith(("街道", "街道办事处", "镇", "乡", "苏木")):
        return "township"
    if n.endswith(("工业园", "园区", "开发区", "工业区", "景区", "片区", "新城", "基地", "坝", "湾")):
        return "other"
    if n.endswith(("自治州", "地区", "盟")):
        return "prefecture"
    if n.endswith("市"):
        return "prefecture" if index <= 1 else "county"
    if n.endswith(("区", "县", "旗", "自治县")):
        return "county"
    if n.endswith("组"):
        return "group"
    return "other"


# -- literals -------------------------------------------------------------------------

_XSD_DECIMAL, _XSD_INTEGER, _XSD_BOOLEAN = XSD.decimal, XSD.integer, XSD.boolean
_TRUE = Literal("true", datatype=_XSD_BOOLEAN, normalize=False)
_FALSE = Literal("false", datatype=_XSD_BOOLEAN, normalize=False)


def _decimal(x: float | int | str) -> Literal:
    try:
        d = Decimal(str(x))
    except InvalidOperation:
        raise GraphError(f"not a number: {x!r}") from None
    text = format(d.normalize(), "f")
    if text in ("-0", "-0.0"):
        text = "0"
    return Literal(text, datatype=_XSD_DECIMAL, normalize=False)


def _int(x: int) -> Literal:
    return Literal(str(int(x)), datatype=_XSD_INTEGER, normalize=False)


_MEDIA_TYPES = {"text": "text/plain", "html": "text/html", "pdf": "application/pdf",
                "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
_FROM = {"title": F.titleFrom, "date": F.dateFrom, "publisher": F.publisherFrom, "author": F.authorFrom,
         "url": F.urlFrom, "collection": F.collectionFrom, "region": F.regionFrom}
_ORIGINS = ("page", "manifest", "text", "folder")
_EVIDENCE_OF = {"date": F.dateEvidence, "publisher": F.publisherEvidence}


def _bool(x: bool) -> Literal:
    return _TRUE if x else _FALSE


@functools.lru_cache(maxsize=65536)
def _zh(text: str) -> Literal:
    return Literal(str(text), lang=ZH)


@functools.lru_cache(maxsize=65536)
def _str(text: str) -> Literal:
    return Literal(str(text))


def _date(text: str) -> Literal:
    t = str(text).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
        return Literal(t, datatype=XSD.date, normalize=False)
    if re.fullmatch(r"\d{4}-\d{2}", t):
        return Literal(t, datatype=XSD.gYearMonth, normalize=False)
    if re.fullmatch(r"\d{4}", t):
        return Literal(t, datatype=XSD.gYear, normalize=False)
    return Literal(t)


# -- the builder ----------------------------------------------------------------------

class _Builder:
    """Collects triples and entity attributes across records, then emits them."""

    def __init__(self) -> None:
        self.triples: set[tuple[Node, Node, Node]] = set()
        # place path -> attributes gathered from every record
        self.place_levels: dict[tuple[str, ...], Counter] = defaultdict(Counter)
        self.place_codes: dict[tuple[str, ...], set[str]] = defaultdict(set)
        self.place_alts: dict[tuple[str, ...], set[str]] = defaultdict(set)
        self.places: set[tuple[str, ...]] = set()
        self.org_kinds: dict[URIRef, Counter] = defaultdict(Counter)
        self.evidence_sentence: dict[URIRef, str] = {}

    def add(self, s: Node, p: Node, o: Node) -> None:
        self.triples.add((s, p, o))

    # places ----------------------------------------------------------------
    def place(self, path: Iterable[str], article: URIRef | None = None) -> URIRef:
        path = tuple(_norm(x) for x in path if _norm(x))
        if not path:
            raise GraphError("empty place path")
        for i in range(1, len(path) + 1):
            self.places.add(path[:i])
        iri = place_iri(path)
        if article is not None:
            self.add(iri, F.mentionedIn, article)
        return iri

    def emit_places(self) -> None:
        for path in self.places:
            iri = place_iri(path)
            self.add(iri, RDF.type, F.Place)
            self.add(iri, RDFS.label, _zh(path[-1]))
            levels = self.place_levels.get(path)
            if levels:
                level = min(levels, key=lambda lv: (-levels[lv], ADMIN_LEVELS.index(lv)))
            else:
                level = guess_level(path[-1], len(path) - 1)
            self.add(iri, F.adminLevel, _str(level))
            if len(path) > 1:
                self.add(iri, F.partOf, place_iri(path[:-1]))
            codes = self.place_codes.get(path)
            if codes:
                self.add(iri, F.adminCode, _str(min(codes)))
            self.emit_point(iri, path)
            for alt in self.place_alts.get(path, ()):
                if alt != path[-1]:
                    self.add(iri, SKOS.altLabel, _zh(alt))

    def emit_point(self, iri: URIRef, path: tuple[str, ...]) -> None:
        """The place's point (:mod:`kg.geo`): its seat, else its nearest coded ancestor's,
        as W3C Basic Geo lat/long and a GeoSPARQL geometry, with the level it is precise to."""
        point = locate(path, lambda p: min(self.place_codes[p]) if self.place_codes.get(p) else code_for_path(p),
                       lambda p: self._place_level(p))
        if point is None:
            return
        self.add(iri, WGS.lat, Literal(f"{point.lat:.6f}", datatype=XSD.decimal))
        self.add(iri, WGS.long, Literal(f"{point.lon:.6f}", datatype=XSD.decimal))
        self.add(iri, F.pointPrecision, _str(point.precision))
        geometry = URIRef(f"{iri}#point")
        self.add(iri, GEO.hasGeometry, geometry)
        self.add(geometry, RDF.type, GEO.Geometry)
        self.add(geometry, GEO.asWKT, Literal(point.wkt, datatype=GEO.wktLiteral))

    def _place_level(self, path: tuple[str, ...]) -> str:
        levels = self.place_levels.get(path)
        if levels:
            return min(levels, key=lambda lv: (-levels[lv], ADMIN_LEVELS.index(lv)))
        return guess_level(path[-1], len(path) - 1)

    def emit_orgs(self) -> None:
        for iri, kinds in self.org_kinds.items():
            named = Counter({k: v for k, v in kinds.items() if k != "other"})
            kind = min(named, key=lambda k: (-named[k], k)) if named else "other"
            self.add(iri, F.orgKind, _str(kind))

    # provenance ------------------------------------------------------------
    def evidence(self, ev: Evidence, file_name: str, article: URIRef) -> URIRef:
        iri = resource("evidence", file_name, f"{int(ev.start)}-{int(ev.end)}")
        if iri not in self.evidence_sentence:
            self.evidence_sentence[iri] = ev.sentence
            self.add(iri, RDF.type, F.Evidence)
            self.add(iri, F.evidenceText, _str(ev.raw_text))
            self.add(iri, F.sentence, _zh(ev.sentence))
            self.add(iri, F.startOffset, _int(ev.start))
            self.add(iri, F.endOffset, _int(ev.end))
            self.add(iri, F.source, article)
        return iri

    def derived(self, subject: URIRef, evs: Iterable[Evidence | None], file_name: str, article: URIRef) -> None:
        for ev in evs:
            if ev is not None:
                self.add(subject, PROV.wasDerivedFrom, self.evidence(ev, file_name, article))

    def when(self, subject: URIRef, prop: URIRef, w: When | None, file_name: str, article: URIRef,
             suffix: str = "time") -> None:
        """The time a fact is set in, as an OWL-Time ``time:Instant``: its expression as label,
        ``time:inXSDgYear`` (and ``inXSDgYearMonth``, ``inXSDDate``) as far as known; a
        relative time says so (``fp:relativeTime``) and what it was resolved against, an
        unresolved one has no year; cited by the expression's evidence."""
        if w is None:
            return
        add = self.add
        iri = URIRef(f"{subject}/{suffix}")
        add(subject, prop, iri)
        add(iri, RDF.type, TIME.Instant)
        add(iri, RDFS.label, _zh(w.text))
        if w.year is not None:
            add(iri, TIME.inXSDgYear, Literal(f"{w.year:04d}", datatype=XSD.gYear, normalize=False))
            if w.month is not None:
                add(iri, TIME.inXSDgYearMonth,
                    Literal(f"{w.year:04d}-{w.month:02d}", datatype=XSD.gYearMonth, normalize=False))
                if w.day is not None:
                    add(iri, TIME.inXSDDate, Literal(w.iso(), datatype=XSD.date, normalize=False))
        if w.part in PARTS:
            add(iri, F.yearPart, _str(w.part))
        if w.since:
            add(iri, F.since, _TRUE)
        if w.relative:
            add(iri, F.relativeTime, _TRUE)
            if w.anchor and w.year is not None:
                add(iri, F.resolvedAgainst, _date(w.anchor))
        add(iri, F.timeScope, _str(w.scope))
        self.derived(iri, [w.evidence], file_name, article)

    def article_metadata(self, art: URIRef, meta) -> None:
        """What the reader found besides the text: author, address, collection, the file's
        format, where the text is stored, and where each field came from (fp:titleFrom...)."""
        add = self.add
        if getattr(meta, "author", None):
            add(art, DCT.creator, _zh(meta.author))
        if getattr(meta, "url", None):
            add(art, SCHEMA.url, Literal(meta.url, datatype=XSD.anyURI))
        if getattr(meta, "collection", None):
            add(art, F.collection, _str(meta.collection))
        fmt = _MEDIA_TYPES.get(getattr(meta, "format", "text"))
        if fmt:
            add(art, DCT["format"], _str(fmt))
        stem = meta.file_name[:-4] if meta.file_name.lower().endswith(".txt") else meta.file_name
        add(art, F.textFile, _str(f"texts/{stem}.txt"))
        for key, origin in sorted((getattr(meta, "sources", None) or {}).items()):
            prop = _FROM.get(key)
            if prop is not None and origin in _ORIGINS:
                add(art, prop, _str(origin))
        for key, ev in sorted((getattr(meta, "spans", None) or {}).items()):
            # the header line a date or publisher was read from (发布时间:…, 新华社…电)
            prop = _EVIDENCE_OF.get(key)
            if prop is not None and isinstance(ev, Evidence):
                add(art, prop, self.evidence(ev, meta.file_name, art))

    # one record ------------------------------------------------------------
    def record(self, rec: ArticleRecord) -> None:
        meta = rec.meta
        fn = meta.file_name
        art = article_iri(fn)
        add = self.add
        add(art, RDF.type, F.Article)
        add(art, F.fileName, _str(fn))
        add(art, RDFS.label, _zh(meta.title) if meta.title else _str(fn))
        if meta.title:
            add(art, DCT.title, _zh(meta.title))
        if meta.date:
            add(art, DCT.date, _date(meta.date))
        if meta.publication:
            add(art, DCT.publisher, _zh(meta.publication))
        if meta.region:
            add(art, F.region, _zh(meta.region))
        if meta.sha256:
            add(art, F.sha256, _str(meta.sha256))
        add(art, F.characterCount, _int(meta.chars))
        if meta.encoding:
            add(art, F.encoding, _str(meta.encoding))
        self.article_metadata(art, meta)
        if rec.pipeline_version:
            add(art, F.pipelineVersion, _str(rec.pipeline_version))

        # places --------------------------------------------------------------
        for pl in rec.places:
            if pl.level not in ADMIN_LEVELS:
                raise GraphError(f"{fn}: place {pl.name}: unknown admin level {pl.level!r}")
            path = tuple(_norm(x) for x in pl.path)
            iri = self.place(path, art)
            self.place_levels[path][pl.level] += 1
            if pl.code:
                self.place_codes[path].add(str(pl.code))
            for alt in (pl.name, *pl.aliases):
                if _norm(alt):
                    self.place_alts[path].add(_norm(alt))
            self.derived(iri, pl.evidence, fn, art)

        # organizations ---------------------------------------------------------
        orgs: dict[str, URIRef] = {}

        def org(name: str, place: tuple[str, ...] | None = None) -> URIRef:
            key = _norm(name)
            if key in orgs:
                return orgs[key]
            if key.startswith(_RELATIVE_PREFIX) and len(key) <= 6:
                iri = org_iri(key, tuple(_norm(x) for x in place) if place else fn)
            else:
                iri = org_iri(key)
            orgs[key] = iri
            self.org_kinds.setdefault(iri, Counter())  # every organization gets an fp:orgKind
            add(iri, RDF.type, F.Organization)
            add(iri, RDFS.label, _zh(key))
            add(iri, F.mentionedIn, art)
            return iri

        for o in rec.organizations:
            iri = org(o.name, o.place)
            self.org_kinds[iri][o.kind or "other"] += 1
            for alt in o.aliases:
                if _norm(alt) and _norm(alt) != _norm(o.name):
                    add(iri, SKOS.altLabel, _zh(_norm(alt)))
                    orgs.setdefault(_norm(alt), iri)
            if o.place:
                add(iri, F.place, self.place(o.place))
            self.derived(iri, o.evidence, fn, art)

        # persons ---------------------------------------------------------------
        person_ctx: dict[str, tuple[str, ...] | str] = {}
        levels = self._level_of(rec)
        for c in rec.cases:
            if c.places and _norm(c.person) not in person_ctx:
                # home county: the first case place that lies in a county (a village rather than
                # the province the person went to work in), else the first place
                found = [_county_prefix(p, levels) for p in c.places]
                in_county = [prefix for prefix, ok in found if ok]
                person_ctx[_norm(c.person)] = in_county[0] if in_county else found[0][0]
        for p in rec.persons:
            for _rel, other in p.relations:
                a, b = _norm(p.name), _norm(other)
                if a in person_ctx and b not in person_ctx:
                    person_ctx[b] = person_ctx[a]
                elif b in person_ctx and a not in person_ctx:
                    person_ctx[a] = person_ctx[b]
        persons: dict[str, URIRef] = {}

        def person(name: str) -> URIRef:
            key = _norm(name)
            if key in persons:
                return persons[key]
            ctx = person_ctx.get(key, fn)
            iri = resource("person", key, ctx)
            persons[key] = iri
            add(iri, RDF.type, F.Person)
            add(iri, RDFS.label, _zh(key))
            add(iri, F.mentionedIn, art)
            return iri

        for p in rec.persons:
            iri = person(p.name)
            for role in p.roles:
                if _norm(role):
                    add(iri, F.role, _zh(_norm(role)))
            if p.gender:
                add(iri, F.gender, _str(p.gender))
            if p.age is not None:
                add(iri, F.age, _int(p.age))
            for alias in p.aliases:
                if _norm(alias) and _norm(alias) != _norm(p.name):
                    add(iri, SKOS.altLabel, _zh(_norm(alias)))
            self.derived(iri, p.evidence, fn, art)
        for p in rec.persons:
            for rel, other in p.relations:
                r = resource("relation", fn, _norm(p.name), _norm(rel), _norm(other))
                add(person(p.name), F.relation, r)
                add(r, RDF.type, F.PersonalRelation)
                add(r, F.relationType, _zh(_norm(rel)))
                add(r, F.source, art)
                if _norm(other) in persons:
                    add(r, F.relatedPerson, persons[_norm(other)])
                else:
                    add(r, F.relatedName, _zh(_norm(other)))

        # programs --------------------------------------------------------------
        programs: dict[str, URIRef] = {}
        name_count = Counter(_norm(p.name) for p in rec.programs)
        for p in rec.programs:
            label = _norm(p.name) or p.key
            iri = (resource("program", fn, label) if name_count[_norm(p.name)] == 1 and label
                   else resource("program", fn, label, p.key))
            programs[p.key] = iri
            add(iri, RDF.type, F.Program)
            add(iri, RDFS.label, _zh(label))
            add(iri, F.mentionedIn, art)
            for cat in p.categories:
                add(iri, F.category, _category(cat, fn, f"program {p.name}"))
            if p.organizer:
                add(iri, F.organizer, org(p.organizer))
            if p.place:
                add(iri, F.place, self.place(p.place))
            self.derived(iri, p.evidence, fn, art)

        # cases -----------------------------------------------------------------
        seen_cases: Counter = Counter()
        for c in rec.cases:
            name = _norm(c.person)
            seen_cases[name] += 1
            parts = (fn, name) if seen_cases[name] == 1 else (fn, name, str(seen_cases[name]))
            iri = resource("case", *parts)
            add(iri, RDF.type, F.Case)
            add(iri, RDFS.label, _zh(f"{name}（{fn}）"))
            add(iri, F.person, person(name))
            add(iri, F.source, art)
            add(iri, F.caseRole, _str(c.role))
            for key in c.programs:
                if key not in programs:
                    raise GraphError(f"{fn}: case of {name}: unknown program key {key!r}")
                add(iri, F.program, programs[key])
            for path in c.places:
                add(iri, F.place, self.place(path, art))
            for oname in c.organizations:
                add(iri, F.organization, org(oname))
            self.derived(iri, c.evidence, fn, art)
            self.when(iri, F.startTime, c.start, fn, art, "start")
            for inc in c.incomes:
                if inc.period not in PERIODS:
                    raise GraphError(f"{fn}: income of {name}: unknown period {inc.period!r}")
                ev = inc.evidence
                digest = short_hash(inc.amount, inc.amount_max, inc.period, inc.phase, inc.kind,
                                    (ev.start, ev.end) if ev else None)
                i_iri = URIRef(f"{iri}/income/{digest}")
                add(iri, F.outcome, i_iri)
                add(i_iri, RDF.type, F.Income)
                add(i_iri, F.amount, _decimal(inc.amount))
                if inc.amount_max is not None:
                    add(i_iri, F.amountMax, _decimal(inc.amount_max))
                add(i_iri, F.period, _str(inc.period))
                add(i_iri, F.approximate, _bool(inc.approximate))
                if inc.phase:
                    add(i_iri, F.phase, _str(inc.phase))
                add(i_iri, F.incomeKind, _str(inc.kind))
                if inc.text:
                    add(i_iri, F.moneyText, _zh(inc.text))
                add(i_iri, F.source, art)
                self.derived(i_iri, [ev], fn, art)
                self.when(i_iri, TIME.hasTime, inc.when, fn, art)

        # statistics ------------------------------------------------------------
        for st in rec.statistics:
            ev = st.evidence
            digest = short_hash(st.value, st.unit, st.text, st.place, st.category,
                                (ev.start, ev.end) if ev else None)
            iri = resource("statistic", fn, digest)
            add(iri, RDF.type, F.Statistic)
            add(iri, RDFS.label, _zh(_norm(st.text) or f"{st.value}{st.unit}"))
            add(iri, F.value, _decimal(st.value))
            add(iri, F.unit, _str(st.unit))
            if st.text:
                add(iri, F.statText, _zh(st.text))
            add(iri, F.approximate, _bool(st.approximate))
            if st.place:
                add(iri, F.place, self.place(st.place))
            if st.category:
                add(iri, F.category, _category(st.category, fn, f"statistic {st.text}"))
            add(iri, F.source, art)
            self.derived(iri, [ev], fn, art)
            self.when(iri, TIME.hasTime, st.when, fn, art)

    @staticmethod
    def _level_of(rec: ArticleRecord) -> dict[tuple[str, ...], str]:
        return {tuple(_norm(x) for x in p.path): p.level for p in rec.places}


def _category(cat: str, fn: str, what: str) -> URIRef:
    if cat not in CATEGORIES:
        raise GraphError(f"{fn}: {what}: unknown program category {cat!r} (known: {', '.join(CATEGORIES)})")
    return URIRef(FP_NS + cat)


def _county_prefix(path: tuple[str, ...], levels: dict[tuple[str, ...], str]) -> tuple[tuple[str, ...], bool]:
    """The path down to its county-level unit and True; the whole path and False when it
    has no county."""
    path = tuple(_norm(x) for x in path if _norm(x))
    for i in range(len(path)):
        level = levels.get(path[: i + 1]) or guess_level(path[i], i)
        if level == "county":
            return path[: i + 1], True
    return path, False


_SCHEME_PREDICATES = frozenset({RDF.type, RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.scopeNote,
                                SKOS.inScheme, SKOS.topConceptOf, SKOS.hasTopConcept})


@functools.lru_cache(maxsize=1)
def _category_scheme() -> tuple[tuple[Node, Node, Node], ...]:
    """The SKOS scheme of program categories from ``ontology/fupin.ttl``, copied into every
    graph so that queries can show category labels and the graph is self-contained."""
    from kg.resources import ontology_dir

    ont = rdflib.Graph().parse(ontology_dir() / "fupin.ttl", format="turtle")
    subjects = {F.ProgramCategories, *(URIRef(FP_NS + c) for c in CATEGORIES)}
    return tuple(t for s in sorted(subjects) for t in ont.triples((s, None, None)) if t[1] in _SCHEME_PREDICATES)


def build_triples(records: Iterable[ArticleRecord]) -> set[tuple[Node, Node, Node]]:
    """The triples of the knowledge graph of the given records, without an rdflib Graph
    (filling one costs several times more than building the triples: use this with
    :func:`write_triples` when only the files are needed)."""
    b = _Builder()
    b.triples.update(_category_scheme())
    for rec in sorted(records, key=lambda r: r.meta.file_name):
        b.record(rec)
    b.emit_places()
    b.emit_orgs()
    return b.triples


def build_graph(records: Iterable[ArticleRecord]) -> rdflib.Graph:
    """The knowledge graph of the given extraction records (deterministic: the same records,
    in any order, give the same triples), with the SKOS scheme of program categories."""
    g = rdflib.Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True, replace=True)
    g.addN((s, p, o, g) for s, p, o in build_triples(records))
    return g


# -- serialisation --------------------------------------------------------------------

def write_graph(g: rdflib.Graph, out_dir: Path) -> list[Path]:
    """Write ``kg.nt``, ``kg.ttl`` and ``kg.jsonld`` into ``out_dir``, each atomically; the
    same graph always gives the same bytes."""
    return write_triples(g, out_dir)


def write_triples(triples: rdflib.Graph | Iterable[tuple[Node, Node, Node]], out_dir: Path) -> list[Path]:
    """:func:`write_graph` for a graph or a collection of triples (from :func:`build_triples`).

    Sorted N-Triples are written first and streamed back through pyoxigraph into Turtle and
    JSON-LD: no serialisation and no second copy of the triples is held in memory (a
    1,000-article graph is 1.2 M triples, 200 MB of N-Triples). Pass the triples as a
    temporary (``write_triples(build_triples(records), out)``) and they are freed as soon as
    their N-Triples lines are made."""
    lines = _ntriples_lines(triples)
    del triples
    return write_graph_lines(lines, out_dir)


def write_graph_lines(lines: Iterable[str], out_dir: Path) -> list[Path]:
    """``kg.nt``, ``kg.ttl`` and ``kg.jsonld`` from sorted N-Triples lines: the lines are written
    to ``kg.nt`` (a list passed in is emptied then, freeing it) and Turtle and JSON-LD are
    streamed from that file."""
    import pyoxigraph as ox

    nt, ttl, jsonld = (Path(out_dir) / name for name in GRAPH_FILES)
    with io.atomic_write(nt, "w") as f:
        f.writelines(lines)
    if isinstance(lines, list):
        lines.clear()
    # resource IRIs stay whole in Turtle: as prefixed names their slashes would need escaping
    prefixes = {k: v for k, v in PREFIXES.items() if k != "res"}
    with io.atomic_write(ttl, "wb") as f:
        ox.serialize(_types_first(nt), f, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    with io.atomic_write(jsonld, "wb") as f:
        ox.serialize(_types_first(nt), f, format=ox.RdfFormat.JSON_LD)
    return [nt, ttl, jsonld]


def count_triples(nt: Path) -> int:
    """The number of triples of an N-Triples file written by :func:`write_triples`."""
    with open(nt, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def _types_first(nt: Path):
    """The triples of an N-Triples file from :func:`write_triples`, streamed, with each
    subject's ``rdf:type`` first (Turtle then writes ``<x> a fp:Case ; ...``)."""
    import pyoxigraph as ox

    rdf_type = ox.NamedNode(str(RDF.type))
    for _subject, group in itertools.groupby(ox.parse(path=nt, format=ox.RdfFormat.N_TRIPLES), lambda t: t.subject):
        yield from sorted(group, key=lambda t: t.predicate != rdf_type)    # stable


def load_graph(path: Path) -> rdflib.Graph:
    """Read a graph file written by :func:`write_graph` (format from the extension)."""
    path = Path(path)
    fmt = {".nt": "nt", ".ttl": "turtle", ".jsonld": "json-ld"}.get(path.suffix)
    if fmt is None:
        raise KGError(f"{path}: unknown graph format (expected .nt, .ttl or .jsonld)")
    if not path.exists():
        raise KGError(f"{path}: no such graph file (run `kg build` first)")
    g = rdflib.Graph()
    g.parse(path, format=fmt)
    return g


# -- validation -----------------------------------------------------------------------

#: Graphs with more triples than this are validated in Oxigraph (:mod:`kg.shacl`, the same
#: checks as pyshacl, tested to agree); smaller ones by pyshacl.
PYSHACL_MAX_TRIPLES = 20_000


def validate(g: rdflib.Graph, shapes: Path | None = None, sparql_rules: bool = False,
             engine: str = "auto") -> tuple[bool, str]:
    """Check the graph against the SHACL shapes (default ``ontology/shapes.ttl``; no inference:
    the graph carries its category scheme) and the cross-value rules of ``ontology/rules.ttl``;
    returns (conforms, report text).

    ``engine="pyshacl"``: pyshacl for the shapes, the rules in Python (:func:`rule_violations`),
    or by pyshacl too with ``sparql_rules=True`` (slow on large graphs). ``engine="oxigraph"``:
    every shape and rule compiled to SPARQL and run in Oxigraph (:mod:`kg.shacl`; seconds for
    a 1,000-article graph where pyshacl takes a minute). ``"auto"`` (default) picks pyshacl up
    to :data:`PYSHACL_MAX_TRIPLES` triples, else Oxigraph."""
    if engine not in ("auto", "pyshacl", "oxigraph"):
        raise KGError(f"unknown SHACL engine {engine!r} (auto, pyshacl or oxigraph)")
    if engine == "oxigraph" or (engine == "auto" and len(g) > PYSHACL_MAX_TRIPLES):
        from kg.shacl import validate_oxigraph

        conforms, text, _results = validate_oxigraph(g, shapes)
        return conforms, text

    import pyshacl

    from kg.resources import ontology_dir

    sg = rdflib.Graph().parse(shapes or ontology_dir() / "shapes.ttl", format="turtle")
    if sparql_rules:
        sg.parse(ontology_dir() / "rules.ttl", format="turtle")
    conforms, _report_graph, text = pyshacl.validate(
        g, shacl_graph=sg, inference="none", advanced=True, allow_warnings=True)
    problems = rule_violations(g)
    if problems:
        text = str(text).rstrip("\n") + "\n" + "\n".join(
            f"Constraint Violation in rule (kg.graph.rule_violations):\n\tSeverity: sh:Violation\n"
            f"\tFocus Node: <{node}>\n\tMessage: {message}" for node, message in problems) + "\n"
    return bool(conforms) and not problems, str(text)


def validate_file(path: Path, shapes: Path | None = None, engine: str = "oxigraph") -> tuple[bool, str]:
    """:func:`validate` of a written graph file (``kg.nt``/``kg.ttl``). ``engine="oxigraph"``
    (default) reads the file in Oxigraph, never into rdflib (which alone takes half a minute
    for 1,000 articles); ``"auto"`` picks as :func:`validate` does, counting an N-Triples
    file's lines (one triple each) instead of loading it."""
    path = Path(path)
    if not path.is_file():
        raise KGError(f"{path}: no such graph file (run `kg build` first)")
    if engine == "auto" and path.suffix == ".nt":
        engine = "oxigraph" if count_triples(path) > PYSHACL_MAX_TRIPLES else "pyshacl"
    if engine != "oxigraph":
        return validate(load_graph(path), shapes, engine=engine)
    from kg.shacl import validate_oxigraph

    conforms, text, _results = validate_oxigraph(path, shapes)
    return conforms, text


def rule_violations(g: rdflib.Graph) -> list[tuple[URIRef, str]]:
    """The rules of ``ontology/rules.ttl``, in Python: (focus node, message) of each violation."""
    out: list[tuple[URIRef, str]] = []
    for ev in sorted(set(g.subjects(RDF.type, F.Evidence))):
        text, start, end = g.value(ev, F.evidenceText), g.value(ev, F.startOffset), g.value(ev, F.endOffset)
        if text is None or start is None or end is None:
            continue                     # a missing value is the shapes' business
        try:
            s, e = int(start), int(end)
        except (TypeError, ValueError):
            continue
        if e < s or len(str(text)) != e - s:
            out.append((ev, "the evidence text is not as long as its offsets say (endOffset - startOffset)"))
    for inc in sorted(set(g.subjects(RDF.type, F.Income))):
        a, m = g.value(inc, F.amount), g.value(inc, F.amountMax)
        if a is not None and m is not None:
            try:
                if Decimal(str(m)) < Decimal(str(a)):
                    out.append((inc, "fp:amountMax is below fp:amount"))
            except InvalidOperation:
                continue
    parent = {s: o for s, o in g.subject_objects(F.partOf)}
    for place in sorted(set(g.subjects(RDF.type, F.Place))):
        seen, node = set(), parent.get(place)
        while node is not None and node not in seen:
            if node == place:
                out.append((place, "a place is not its own ancestor (fp:partOf cycle)"))
                break
            seen.add(node)
            node = parent.get(node)
    return out
