"""The ``fp:`` vocabulary and the IRIs of the graph's resources.

``FP`` is an rdflib :class:`~rdflib.namespace.DefinedNamespace`: ``FP.Person`` works,
``FP.Persn`` raises ``AttributeError``, so a misspelt term fails at import time of the
code that uses it instead of producing a silently wrong graph. Every term here is
declared in ``ontology/fupin.ttl`` (a test checks both directions).

Resource IRIs live under ``https://w3id.org/fupin-kg/resource/`` and are derived from
canonical keys (a place's hierarchy path, an organization's normalised name, a case's
article and person), never from counters, so an entity keeps its IRI across builds.
They are IRIs (RFC 3987): Chinese characters stay readable, ASCII delimiters and
whitespace are percent-encoded.
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata
from collections.abc import Iterable

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

__all__ = ["FP", "FP_NS", "RES", "PREFIXES", "SCHEMA", "PROV", "DCTERMS", "SKOS", "GEO", "WGS", "TIME",
           "iri_segment", "resource", "short_hash"]

FP_NS = "https://w3id.org/fupin-kg/ontology#"
RES_NS = "https://w3id.org/fupin-kg/resource/"
RES = Namespace(RES_NS)
SCHEMA = Namespace("https://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")          # GeoSPARQL: geo:hasGeometry, geo:asWKT
WGS = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")      # W3C Basic Geo: wgs:lat, wgs:long
TIME = Namespace("http://www.w3.org/2006/time#")       # OWL-Time: when a fact happened


class FP(DefinedNamespace):
    """Fupin KG ontology terms (``fp:``); see ``ontology/fupin.ttl`` for their definitions."""

    _NS = Namespace(FP_NS)
    _fail = True

    # classes
    Article: URIRef
    Person: URIRef
    Place: URIRef
    Organization: URIRef
    Program: URIRef
    Case: URIRef
    Outcome: URIRef
    Income: URIRef
    Statistic: URIRef
    Evidence: URIRef
    PersonalRelation: URIRef
    ProgramCategory: URIRef
    # the SKOS concept scheme of program categories and its concepts
    ProgramCategories: URIRef
    SkillsTraining: URIRef
    PovertyWorkshop: URIRef
    PublicWelfareJob: URIRef
    LaborCooperation: URIRef
    JobFair: URIRef
    Entrepreneurship: URIRef
    SocialInsurance: URIRef
    Subsidy: URIRef
    JobReferral: URIRef
    # the SKOS concept scheme of income kinds (fp:incomeKind holds a concept's skos:notation)
    IncomeKinds: URIRef
    WageIncome: URIRef
    JobAllowance: URIRef
    NetIncome: URIRef
    ProfitIncome: URIRef
    BusinessRevenue: URIRef
    HouseholdIncome: URIRef
    OtherIncome: URIRef
    # article metadata
    fileName: URIRef
    sha256: URIRef
    characterCount: URIRef
    encoding: URIRef
    region: URIRef
    pipelineVersion: URIRef
    collection: URIRef
    textFile: URIRef
    # where each metadata field came from: "page", "manifest", "text" or "folder"
    titleFrom: URIRef
    dateFrom: URIRef
    publisherFrom: URIRef
    authorFrom: URIRef
    urlFrom: URIRef
    collectionFrom: URIRef
    regionFrom: URIRef
    # entities
    mentionedIn: URIRef
    partOf: URIRef
    within: URIRef          # summary triples (kg.summary), only in the store's summary graph
    caseWithin: URIRef
    adminLevel: URIRef
    adminCode: URIRef
    pointPrecision: URIRef
    role: URIRef
    gender: URIRef
    age: URIRef
    relation: URIRef
    relationType: URIRef
    relatedPerson: URIRef
    relatedName: URIRef
    orgKind: URIRef
    organizer: URIRef
    category: URIRef
    # cases and outcomes
    person: URIRef
    program: URIRef
    place: URIRef
    organization: URIRef
    outcome: URIRef
    caseRole: URIRef
    source: URIRef
    amount: URIRef
    amountMax: URIRef
    period: URIRef
    approximate: URIRef
    phase: URIRef
    incomeKind: URIRef
    moneyText: URIRef
    # statistics
    value: URIRef
    unit: URIRef
    statText: URIRef
    # provenance
    evidenceText: URIRef
    sentence: URIRef
    startOffset: URIRef
    endOffset: URIRef
    # time (kg.nlp.times): facts carry time:hasTime an OWL-Time time:Instant
    dateEvidence: URIRef
    publisherEvidence: URIRef
    startTime: URIRef
    yearPart: URIRef
    since: URIRef
    relativeTime: URIRef
    resolvedAgainst: URIRef
    timeScope: URIRef


#: Prefixes used in every serialisation and in the example queries.
PREFIXES: dict[str, str] = {
    "fp": FP_NS,
    "res": RES_NS,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": str(SKOS),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "schema": str(SCHEMA),
    "geo": str(GEO),
    "wgs": str(WGS),
    "time": str(TIME),
}

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


@functools.lru_cache(maxsize=65536)
def iri_segment(text: str) -> str:
    """One IRI path segment for a name: NFC, whitespace removed, ASCII delimiters and
    non-printing characters percent-encoded, other Unicode letters kept as they are."""
    text = unicodedata.normalize("NFC", "".join(str(text).split()))
    out = []
    for ch in text:
        if ch in _UNRESERVED or (ord(ch) >= 0xA0 and unicodedata.category(ch)[0] not in "ZC"
                                 and not 0xFFF0 <= ord(ch) <= 0xFFFF):
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8"))
    return "".join(out) or "_"


def resource(kind: str, *parts: str | Iterable[str]) -> URIRef:
    """``res:{kind}/{seg}/{seg}...``; an iterable part (a place path) adds one segment per item."""
    segs = [kind]
    for p in parts:
        if isinstance(p, str):
            segs.append(iri_segment(p))
        else:
            segs.extend(iri_segment(x) for x in p)
    return URIRef(RES_NS + "/".join(segs))


def short_hash(*parts: object) -> str:
    """A 12-hex-digit digest of a canonical key (stable across processes, unlike hash())."""
    key = "\x1f".join(repr(p) for p in parts)
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]
