"""Graph analytics with networkx: centrality, communities, the person–program projection,
roll-ups along the place hierarchy and outcomes by program category.

The networkx graph is always loaded *from the RDF* (:func:`load_graph`), so the analytics,
the views and SPARQL never disagree. Every RDF resource typed with one of the classes of
``RDF-CONTRACT.md`` (Person, Place, Organization, Program, Case, Income, Statistic, Article)
becomes a node; every triple between two such nodes becomes an edge keyed by its predicate.
Functions take the graph first and return plain values (networkx style).

Conventions the report states too:

* Centrality and communities are computed on the *entity graph* (:func:`entity_graph`):
  persons, programs, places and organizations, linked directly in the RDF (``fp:partOf``,
  organizer, ...) or through a case (the case's person to each of its programs, places and
  organizations). Cases, incomes, statistics and articles are left out: an article links
  everything it mentions and would make every entity look central.
* Monthly income, the one rule of the report, the case index and the example queries
  (``queries/README.md``): an income that is a person's own earning (kind ``wage``,
  ``allowance``, ``net_income`` or ``income``; a business's ``revenue`` or ``profit`` and a
  ``household``'s income are never one person's monthly income), stated per ``month`` as
  is or per ``year`` divided by 12 (``day`` and ``total`` figures are *not* converted: a
  daily wage times an assumed number of working days would be a guess); an explicit range
  (``fp:amountMax``) counts at its midpoint. An income whose phase is not stated counts as
  *after* the program (stories state the income reached; extraction marks "before"
  explicitly). The statistic is the mean, rounded to the yuan (half up, as SPARQL's
  ``ROUND``), with the count, minimum and maximum.
"""

from __future__ import annotations

import hashlib
import json
import math
import statistics
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import networkx as nx

from kg import io
from kg.errors import InputError
from kg.report import display_vocabulary, render_report

__all__ = [
    "FP", "CLASSES", "ENTITY_CLASSES", "load_graph", "display_vocabulary", "nodes_of", "case_parts",
    "place_chain", "place_at_level", "entity_graph", "centrality", "communities",
    "person_program_projection", "place_rollup", "monthly_amount", "monthly_value", "PERSONAL_KINDS", "yuan",
    "outcomes_by_category",
    "analyze", "analyze_command",
]

FP = "https://w3id.org/fupin-kg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"

#: Node classes, in the order a resource typed with several of them is classified.
CLASSES = ("Case", "Income", "Statistic", "Article", "Program", "Organization", "Place", "Person")
ENTITY_CLASSES = ("Person", "Program", "Place", "Organization")
#: Predicates (local names) whose literal, or whose linked resource, holds evidence.
_EVIDENCE_TEXT = ("sentence", "evidenceSentence", "evidenceText", "text", "rawText", "exact", "value")
_EVIDENCE_START = ("start", "startOffset", "beginIndex", "charStart")
_EVIDENCE_END = ("end", "endOffset", "endIndex", "charEnd")
_FORMATS = {".ttl": "turtle", ".nt": "nt", ".nq": "nquads", ".trig": "trig", ".jsonld": "json-ld",
            ".json": "json-ld", ".rdf": "xml", ".owl": "xml", ".n3": "n3"}
_BETWEENNESS_EXACT_MAX = 1000   # above this many entity nodes, betweenness is sampled (k pivots, fixed seed)
_BETWEENNESS_WORK = 300_000  # pivots x entity nodes spent on sampled betweenness (at least 32 pivots)


# ---------------------------------------------------------------------------------------------
# Loading


def _local(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1]
    return iri


def _snake(name: str) -> str:
    out = []
    for ch in name:
        if ch.isupper() and out:
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def _py(lit) -> Any:
    v = lit.toPython()
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, int | float | bool | str):
        return v
    return str(lit)


class _Lit(NamedTuple):
    """A literal as the loader keeps it: ``lex`` (rdflib's lexical form, ``str(literal)``),
    ``lang``, ``value`` (:func:`_py`: int, float, bool or str)."""

    lex: str
    lang: str | None
    datatype: str | None
    value: Any


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
#: pyoxigraph's parser for each file suffix (JSON-LD and N3 are left to rdflib)
_OX_FORMATS = {".ttl": "TURTLE", ".nt": "N_TRIPLES", ".nq": "N_QUADS", ".trig": "TRIG", ".rdf": "RDF_XML",
               ".owl": "RDF_XML"}


def _typed_value(lex: str, datatype: str, memo: dict) -> tuple[str, Any]:
    """``(str(lit), _py(lit))`` for a typed literal, exactly as rdflib converts it (rdflib
    builds the literal; the answer is memoised: figures and flags repeat)."""
    key = (lex, datatype)
    hit = memo.get(key)
    if hit is None:
        import rdflib

        lit = rdflib.Literal(lex, datatype=rdflib.URIRef(datatype))
        hit = memo[key] = (str(lit), _py(lit))
    return hit


def _ox_triples(path: Path) -> Iterator[tuple[str, str, str | _Lit]]:
    """The triples of a graph file (named graphs merged; duplicates are left to the caller),
    parsed by pyoxigraph (a Rust parser, ~30x faster than rdflib's on N-Triples). Each IRI
    and literal is one Python object however often it occurs (a place cited by a thousand
    articles, a sentence cited by five facts): a large graph loads in far less memory."""
    import pyoxigraph as ox

    fmt = getattr(ox.RdfFormat, _OX_FORMATS[path.suffix.lower()])
    memo: dict = {}
    one: dict = {}          # IRI or literal -> the one object kept for it
    try:
        for t in ox.parse(path=str(path), format=fmt):
            o = t.object
            if isinstance(o, ox.Literal):
                dt = o.datatype.value
                lex = o.value
                if o.language is not None:
                    obj: str | _Lit = _Lit(lex, o.language, None, lex)
                elif dt == _XSD_STRING:
                    obj = _Lit(lex, None, None, lex)
                else:
                    lex, val = _typed_value(lex, dt, memo)
                    obj = _Lit(lex, None, dt, val)
            else:
                obj = o.value
            s, p = t.subject.value, t.predicate.value
            yield one.setdefault(s, s), one.setdefault(p, p), one.setdefault(obj, obj)
    except (SyntaxError, ValueError, OSError) as e:
        raise InputError(path, f"cannot parse as {fmt}: {e}") from None


def _rdflib_triples(rg) -> Iterator[tuple[str, str, str | _Lit]]:
    import rdflib

    triples: Iterable = rg.quads((None, None, None, None)) if isinstance(rg, rdflib.Dataset) else rg
    seen = set()
    for t in triples:
        s, p, o = t[0], t[1], t[2]
        if (s, p, o) in seen:
            continue
        seen.add((s, p, o))
        if isinstance(o, rdflib.Literal):
            dt = None if o.datatype is None or str(o.datatype) in (_XSD_STRING, _RDF_LANGSTRING) else str(o.datatype)
            lang = o.language.lower() if o.language else None     # as pyoxigraph gives them
            obj: str | _Lit = _Lit(str(o), lang, dt, _py(o))
        else:
            obj = str(o)
        yield str(s), str(p), obj


def _triples(source) -> Iterator[tuple[str, str, str | _Lit]]:
    """The triples of ``source`` (a file or an rdflib graph) as plain strings and literals."""
    import rdflib

    if isinstance(source, rdflib.Graph):
        return _rdflib_triples(source)
    path = Path(source)
    if not path.is_file():
        raise InputError(path, "no such graph file (run `kg build` first)")
    suffix = path.suffix.lower()
    if suffix in _OX_FORMATS:
        return _ox_triples(path)
    fmt = _FORMATS.get(suffix)
    if fmt is None:
        raise InputError(path, f"unknown graph format {path.suffix!r} (use .ttl, .nt, .nq, .trig or .jsonld)")
    g = rdflib.Dataset() if fmt in ("nquads", "trig") else rdflib.Graph()
    try:
        g.parse(path, format=fmt)
    except Exception as e:  # rdflib raises many parser-specific types
        raise InputError(path, f"cannot parse as {fmt}: {e}") from None
    return _rdflib_triples(g)


def load_graph(source) -> nx.MultiDiGraph:
    """Load the knowledge graph from RDF into a :class:`networkx.MultiDiGraph`.

    Parameters
    ----------
    source : path or rdflib.Graph
        A graph file (``.ttl``, ``.nt``, ``.nq``, ``.trig``, ``.jsonld``; named graphs merged)
        or an rdflib graph. Files other than JSON-LD and N3 are parsed with pyoxigraph
        (a 245,000-triple graph in under a second, against ~10 s for rdflib); literal values
        are converted exactly as rdflib converts them.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes are IRIs (strings) with attributes ``iri``, ``label`` (Chinese), ``cls``,
        ``category`` (sorted list of category local names: a program's own, a statistic's,
        the union over a case's programs), ``evidence`` (list of dicts with ``sentence``,
        ``start``, ``end`` (raw offsets) and ``source`` (the article's file name), read from
        ``prov:wasDerivedFrom`` -> ``fp:Evidence`` nodes or ``fp:evidence*`` literals), ``sources`` (file names of the articles it comes from) and
        every literal property under its snake-cased local name (``amount``, ``period``,
        ``admin_level``...). Edges are keyed by the predicate's local name and carry
        ``predicate`` and ``label`` (Chinese where known). Nodes are added in IRI order and
        each node's edges in (predicate, target) order (the order of sorted N-Triples or of
        ``kg.ttl``), whatever the order of the triples
        in the source: the same graph gives the same networkx graph, hence the same
        communities and samples, from any file or store.
    """
    by_subject: dict[str, list[tuple[str, str | _Lit]]] = defaultdict(list)
    for s, p, o in _triples(source):
        by_subject[s].append((p, o))
    for s, pos in by_subject.items():       # a graph is a set of triples (as in rdflib)
        if len(set(pos)) < len(pos):
            by_subject[s] = list(dict.fromkeys(pos))

    vocab = display_vocabulary()
    pred_zh = dict(vocab["predicates"])
    cat_zh = dict(vocab["categories"])
    # labels the graph itself gives to properties and concepts (the ontology, when merged in)
    for s, pos in by_subject.items():
        if not s.startswith(FP):
            continue
        for p, o in pos:
            if p in (RDFS_LABEL, SKOS_PREF) and isinstance(o, _Lit) and o.lang == "zh":
                (cat_zh if _local(s) in cat_zh else pred_zh)[_local(s)] = o.lex

    G = nx.MultiDiGraph()
    G.graph["pred_labels"] = pred_zh
    G.graph["category_labels"] = cat_zh
    cls_of: dict[str, str] = {}
    for s in sorted(by_subject):
        types = {_local(o) for p, o in by_subject[s] if p == RDF_TYPE and isinstance(o, str) and o.startswith(FP)}
        for c in CLASSES:
            if c in types:
                cls_of[s] = c
                break

    for s, c in cls_of.items():
        attrs: dict[str, Any] = {"iri": s, "cls": c, "category": [], "evidence": [], "sources": []}
        labels: dict[str | None, str] = {}
        for p, o in by_subject[s]:
            if p == RDF_TYPE:
                continue
            ln = _local(p)
            if isinstance(o, _Lit):
                if p in (RDFS_LABEL, SKOS_PREF):
                    labels.setdefault(o.lang, o.lex)
                    continue
                if "evidence" in ln.lower():
                    attrs["evidence"].append({"sentence": o.lex, "start": None, "end": None, "source": None})
                    continue
                key = _snake(ln)
                val = o.value
                if key in attrs and key not in ("category",):
                    prev = attrs[key]
                    attrs[key] = sorted({*(prev if isinstance(prev, list) else [prev]), val}, key=str)
                else:
                    attrs[key] = val
            elif ln == "category":
                attrs["category"].append(_local(o))
            elif "evidence" in ln.lower() or ln == "wasDerivedFrom":
                ev = _evidence_node(by_subject.get(o, []))
                if ev is not None:
                    attrs["evidence"].append(ev)
            elif ln in _TIME_LINKS:      # time:hasTime, fp:startTime -> has_time, start_time (kg.timeline)
                attrs[_snake(ln)] = _time_node(by_subject.get(o, []))
        attrs["label"] = labels.get("zh") or labels.get(None) or next(iter(labels.values()), None)
        attrs["category"] = sorted(set(attrs["category"]))
        attrs["evidence"].sort(key=_evidence_order)
        G.add_node(s, **attrs)

    for s in cls_of:
        for p, o in sorted({(p, o) for p, o in by_subject[s] if isinstance(o, str) and o in cls_of and p != RDF_TYPE}):
            ln = _local(p)
            G.add_edge(s, o, key=ln, predicate=ln, label=pred_zh.get(ln, ln))
    del by_subject

    # derived attributes: sources, case categories, fallback labels (on networkx's raw
    # adjacency dicts: its views cost more than the work at hundreds of thousands of edges)
    succ, pred, node = G._adj, G._pred, G._node
    for n, d in node.items():
        arts = {v for v, keys in succ[n].items() if "source" in keys or "mentionedIn" in keys}
        d["sources"] = sorted(node[a].get("file_name") or node[a]["label"] or a for a in arts
                              if node[a]["cls"] == "Article") if arts else []
        if d["cls"] == "Case":
            cats = set()
            for v, keys in succ[n].items():
                if "program" in keys:
                    cats.update(node[v]["category"])
            d["category"] = sorted(cats | set(d["category"]))
    for d in node.values():          # evidence names its article by file name
        for ev in d["evidence"]:
            a = ev["source"]
            if a is not None and a in node and node[a]["cls"] == "Article":
                ev["source"] = node[a].get("file_name") or node[a]["label"] or a
    for n, d in node.items():        # an income cites the article of the case it belongs to
        if not d["sources"]:
            d["sources"] = sorted({a for u, keys in pred[n].items() if "outcome" in keys
                                   for a in node[u]["sources"]})
    for n, d in G.nodes(data=True):
        if not d.get("label"):
            d["label"] = _fallback_label(G, n, d)
    return G


_TIME_LINKS = ("hasTime", "startTime")


def _time_node(pos) -> dict[str, Any]:
    """An OWL-Time instant as plain values: ``label`` (the expression as written), ``year``,
    ``month``, ``day`` (ints, as far as known), ``part``, ``since``, ``relative``,
    ``resolved_against``, ``scope``."""
    vals = {_local(p): o for p, o in pos if isinstance(o, _Lit)}

    def lex(k: str) -> str | None:
        return vals[k].lex if k in vals else None

    ym, day = lex("inXSDgYearMonth"), lex("inXSDDate")
    year = lex("inXSDgYear")
    return {"label": lex("label"), "year": int(year[:4]) if year else None,
            "month": int(ym[5:7]) if ym else None, "day": int(day[8:10]) if day else None,
            "part": lex("yearPart"), "since": lex("since") == "true", "relative": lex("relativeTime") == "true",
            "resolved_against": lex("resolvedAgainst"), "scope": lex("timeScope")}


def _evidence_node(pos) -> dict | None:
    vals = {_local(p): o for p, o in pos}
    text = next((_lex(vals[k]) for k in _EVIDENCE_TEXT if k in vals), None)
    if text is None:
        return None

    def num(keys):
        v = next((vals[k] for k in keys if k in vals), None)
        return int(v.value if isinstance(v, _Lit) else v) if v is not None else None

    src = vals.get("source") or vals.get("wasQuotedFrom")
    return {"sentence": text, "start": num(_EVIDENCE_START), "end": num(_EVIDENCE_END),
            "source": _lex(src) if src is not None else None}


def _evidence_order(e: dict) -> tuple:
    """Evidence in text order; ties (one sentence in two articles) by article, then end."""
    return (e["start"] is None, e["start"] or 0, e["sentence"], e["source"] or "", e["end"] is None, e["end"] or 0)


def _lex(term: str | _Lit) -> str:
    return term.lex if isinstance(term, _Lit) else term


def _fmt_amount(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def _fallback_label(G: nx.MultiDiGraph, n: str, d: dict) -> str:
    vocab = display_vocabulary()
    c = d["cls"]
    if c == "Case":
        persons = [G.nodes[v]["label"] or v for _, v, k in G.out_edges(n, keys=True) if k == "person"]
        return "案例：" + "、".join(sorted(p for p in persons if p)) if persons else "案例"
    if c == "Income" and isinstance(d.get("amount"), int | float):
        txt = _fmt_amount(d["amount"])
        if isinstance(d.get("amount_max"), int | float):
            txt += "–" + _fmt_amount(d["amount_max"])
        per = vocab["periods"].get(d.get("period"), d.get("period") or "")
        return ("约" if d.get("approximate") is True else "") + txt + "元" + (f"/{per}" if per else "")
    if c == "Statistic":
        if d.get("stat_text") or d.get("text"):
            return str(d.get("stat_text") or d["text"])
        if isinstance(d.get("value"), int | float):
            return f"{d['value']:g}{d.get('unit') or ''}"
    if c == "Article":
        return str(d.get("title") or d.get("file_name") or _local(n))
    return _local(n)


# ---------------------------------------------------------------------------------------------
# Navigation helpers


def nodes_of(G: nx.MultiDiGraph, cls: str) -> list[str]:
    """Nodes of one class, sorted by (label, IRI) so every listing is deterministic."""
    return sorted((n for n, c in G.nodes(data="cls") if c == cls), key=lambda n: (G.nodes[n]["label"], n))


def _out(G: nx.MultiDiGraph, n: str, key: str) -> list[str]:
    # the raw adjacency dict: networkx's views cost ~10x per neighbour, and a place has
    # thousands of them in a large graph (one fp:mentionedIn per article)
    return sorted(v for v, keys in G._adj[n].items() if key in keys)


def case_parts(G: nx.MultiDiGraph, case: str) -> dict[str, list[str]]:
    """The nodes a case links to: ``person``, ``program``, ``place``, ``organization``,
    ``outcome``, ``source`` (each a sorted list of node ids)."""
    return {k: _out(G, case, k) for k in ("person", "program", "place", "organization", "outcome", "source")}


def place_chain(G: nx.MultiDiGraph, place: str, memo: dict[str, list[str]] | None = None) -> list[str]:
    """The place and its ancestors along ``fp:partOf``, most specific first (cycle-safe;
    where a place has several parents the first by IRI is followed). ``memo``: a dict
    kept by the caller across calls on the same graph."""
    if memo is not None:
        chain = memo.get(place)
        if chain is None:
            chain = memo[place] = place_chain(G, place)
        return chain
    chain, seen = [place], {place}
    while True:
        parents = [p for p in _out(G, chain[-1], "partOf") if p not in seen and G.nodes[p]["cls"] == "Place"]
        if not parents:
            return chain
        chain.append(parents[0])
        seen.add(parents[0])


def place_at_level(G: nx.MultiDiGraph, place: str, level: str,
                   memo: dict[str, list[str]] | None = None) -> str | None:
    """The place itself or its ancestor whose ``fp:adminLevel`` is ``level``, if any
    (``memo`` as for :func:`place_chain`)."""
    return next((p for p in place_chain(G, place, memo) if G.nodes[p].get("admin_level") == level), None)


# ---------------------------------------------------------------------------------------------
# Centrality and communities


def entity_graph(G: nx.MultiDiGraph) -> nx.Graph:
    """Undirected simple graph of persons, programs, places and organizations.

    Two entities are linked when a triple links them directly or when one case links its
    person to the other (its programs, places and organizations). Edge attribute ``weight``
    counts the supporting triples and cases.
    """
    H = nx.Graph()
    for n, d in G.nodes(data=True):
        if d["cls"] in ENTITY_CLASSES:
            H.add_node(n, cls=d["cls"], label=d["label"])

    def link(a: str, b: str) -> None:
        if a == b:
            return
        if H.has_edge(a, b):
            H[a][b]["weight"] += 1
        else:
            H.add_edge(a, b, weight=1)

    for u, v in G.edges():
        if u in H and v in H:
            link(u, v)
    for case in nodes_of(G, "Case"):
        parts = case_parts(G, case)
        others = parts["program"] + parts["place"] + parts["organization"]
        for p in parts["person"]:
            for o in others:
                link(p, o)
    return H


def centrality(G: nx.MultiDiGraph, classes: Iterable[str] = ENTITY_CLASSES, top: int | None = None,
               seed: int = 0, H: nx.Graph | None = None) -> dict[str, list[dict[str, Any]]]:
    """Degree and betweenness centrality of the entities, per class, most central first.

    Computed on :func:`entity_graph`. Betweenness is exact (normalised) up to 1,000 entity
    nodes; above, it is estimated from ``max(32, 300000 // n)`` pivots drawn with ``seed``
    (Brandes and Pich's sampling, networkx ``k=``; 32 pivots at 10,000 entities): good for
    ranking the most central, rough for the rest.

    Returns
    -------
    dict
        ``{class: [{"id", "label", "degree", "degree_centrality", "betweenness"}, ...]}``,
        sorted by betweenness, then degree, then label. ``H``: the entity graph, when
        already computed.
    """
    H = entity_graph(G) if H is None else H
    dc = nx.degree_centrality(H) if len(H) > 1 else {n: 0.0 for n in H}
    if len(H) <= _BETWEENNESS_EXACT_MAX:
        bc = nx.betweenness_centrality(H)
    else:
        bc = _sampled_betweenness(H, _pivots(len(H)), seed)
    out: dict[str, list[dict[str, Any]]] = {}
    for c in classes:
        rows = [{"id": n, "label": H.nodes[n]["label"], "degree": H.degree(n),
                 "degree_centrality": round(dc[n], 6), "betweenness": round(bc[n], 6)}
                for n in H if H.nodes[n]["cls"] == c]
        rows.sort(key=lambda r: (-r["betweenness"], -r["degree"], r["label"], r["id"]))
        out[c] = rows[:top] if top else rows
    return out


def _sampled_betweenness(H: nx.Graph, k: int, seed: int) -> dict[Any, float]:
    """``nx.betweenness_centrality(H, k=k, seed=seed)`` (normalised, endpoints excluded,
    unweighted, the same pivots), computed for all pivots at once on sparse matrices:
    Brandes's breadth-first path counting and dependency accumulation, one level of the
    search per matrix product (a ``n x k`` block). Equal to networkx's figures up to the
    order of floating-point additions; ~20x faster on 20,000 entities."""
    import random

    import numpy as np
    import scipy.sparse as sp

    nodes = list(H)
    n = len(nodes)
    pivots = random.Random(seed).sample(nodes, k)      # as networkx draws them
    index = {v: i for i, v in enumerate(nodes)}
    rows = [index[u] for u, v in H.edges() if u != v]
    cols = [index[v] for u, v in H.edges() if u != v]
    A = sp.csr_matrix((np.ones(2 * len(rows)), (rows + cols, cols + rows)), shape=(n, n))
    A.data[:] = 1.0                                      # (no multi-edges in a simple graph)
    src = np.array([index[v] for v in pivots])
    dist = np.full((n, k), -1, dtype=np.int32)
    sigma = np.zeros((n, k))
    dist[src, np.arange(k)] = 0
    sigma[src, np.arange(k)] = 1.0
    level, frontier = 0, sigma.copy()
    while True:                                          # forward: distances and path counts
        reach = A @ frontier
        new = (reach > 0) & (dist < 0)
        if not new.any():
            break
        level += 1
        dist[new] = level
        sigma[new] = reach[new]
        frontier = np.where(new, sigma, 0.0)
    delta = np.zeros((n, k))
    safe = np.where(sigma > 0, sigma, 1.0)
    for d in range(level, 0, -1):                        # backward: dependencies
        coeff = np.where(dist == d, (1.0 + delta) / safe, 0.0)
        delta += np.where(dist == d - 1, sigma * (A @ coeff), 0.0)
    delta[src, np.arange(k)] = 0.0                       # a pivot is no endpoint of its own paths
    total = delta.sum(axis=1)
    N = n - 1                                            # networkx's _rescale, sampled, endpoints off
    if N < 2:
        return dict.fromkeys(nodes, 0.0)
    scale_source = 1 / ((k - 1) * (N - 1)) if k > 1 else math.nan
    scale_other = 1 / (k * (N - 1))
    is_src = np.zeros(n, dtype=bool)
    is_src[src] = True
    total *= np.where(is_src, scale_source, scale_other)
    return {v: float(total[i]) for i, v in enumerate(nodes)}


def _pivots(n: int) -> int:
    return min(n, max(32, _BETWEENNESS_WORK // max(n, 1)))


def communities(G: nx.MultiDiGraph, seed: int = 0, resolution: float = 1.0,
                H: nx.Graph | None = None) -> list[dict[str, Any]]:
    """Louvain communities of the entity graph (fixed ``seed``: the same graph gives the same
    partition), largest first.

    Returns
    -------
    list of dict
        ``{"size", "by_class": {class: n}, "members": [labels...], "ids": [...]}``; members
        sorted by degree within the community, then label. ``H``: the entity graph, when
        already computed.
    """
    H = entity_graph(G) if H is None else H
    if H.number_of_edges() == 0:
        parts = [{n} for n in H]
    else:
        parts = nx.community.louvain_communities(H, weight="weight", resolution=resolution, seed=seed)
    rows = []
    for part in parts:
        members = sorted(part, key=lambda n: (-H.degree(n), H.nodes[n]["label"], n))
        rows.append({"size": len(members),
                     "by_class": dict(sorted(Counter(H.nodes[n]["cls"] for n in members).items())),
                     "members": [H.nodes[n]["label"] for n in members], "ids": members})
    rows.sort(key=lambda r: (-r["size"], r["ids"][0] if r["ids"] else ""))
    return rows


def person_program_projection(G: nx.MultiDiGraph) -> dict[str, Any]:
    """The person–program bipartite graph (through cases) and its two weighted projections.

    Returns
    -------
    dict
        ``persons``, ``programs``, ``links`` (bipartite edges), ``density``, and
        ``person_pairs`` / ``program_pairs``: pairs sharing programs / participants, each
        ``{"a", "b", "weight", "shared": [labels]}``, heaviest first.
    """
    from networkx.algorithms import bipartite

    B = nx.Graph()
    for case in nodes_of(G, "Case"):
        parts = case_parts(G, case)
        for p in parts["person"]:
            B.add_node(p, bipartite=0)
            for q in parts["program"]:
                B.add_node(q, bipartite=1)
                B.add_edge(p, q)
    persons = sorted(n for n, b in B.nodes(data="bipartite") if b == 0)
    programs = sorted(n for n, b in B.nodes(data="bipartite") if b == 1)

    def pairs(side: list[str]) -> list[dict[str, Any]]:
        if not persons or not programs:
            return []
        P = bipartite.weighted_projected_graph(B, side)
        rows = []
        for a, b, w in P.edges(data="weight"):
            a, b = sorted((a, b), key=lambda n: (G.nodes[n]["label"], n))
            shared = sorted(G.nodes[x]["label"] for x in set(B[a]) & set(B[b]))
            rows.append({"a": G.nodes[a]["label"], "b": G.nodes[b]["label"], "a_id": a, "b_id": b,
                         "weight": w, "shared": shared})
        rows.sort(key=lambda r: (-r["weight"], r["a"], r["b"], r["a_id"], r["b_id"]))
        return rows

    return {"persons": len(persons), "programs": len(programs), "links": B.number_of_edges(),
            "density": round(bipartite.density(B, persons), 6) if persons and programs else 0.0,
            "person_pairs": pairs(persons), "program_pairs": pairs(programs)}


# ---------------------------------------------------------------------------------------------
# Incomes and roll-ups


#: The kinds of income that are a person's own earnings (:func:`monthly_amount`); the example
#: queries list the same (``queries/01_monthly_income_by_category.rq``, tested).
PERSONAL_KINDS = ("wage", "allowance", "net_income", "income")


def monthly_amount(G: nx.MultiDiGraph, income: str) -> float | None:
    """An income in yuan per month, by the module's one rule: a person's own earning stated
    per ``month`` as is, per ``year`` / 12, a range at its midpoint; ``None`` for ``day`` and
    ``total`` figures (not converted) and for other kinds (revenue, profit, household)."""
    return monthly_value(G.nodes[income])


def monthly_value(d: dict[str, Any]) -> float | None:
    """:func:`monthly_amount` of an income's attributes (``amount``, ``amount_max``,
    ``period``, ``income_kind``)."""
    amount = d.get("amount")
    if not isinstance(amount, int | float) or isinstance(amount, bool):
        return None
    if (d.get("income_kind") or "income") not in PERSONAL_KINDS:
        return None
    top = d.get("amount_max")
    value = (amount + top) / 2 if isinstance(top, int | float) and not isinstance(top, bool) else float(amount)
    per = d.get("period")
    if per == "month":
        return value
    if per == "year":
        return value / 12
    return None


def yuan(x: float) -> int:
    """Rounded to the yuan, half up (SPARQL's ``ROUND``), so the report and the queries agree."""
    return math.floor(x + 0.5)


def _summary(values: list[float]) -> dict[str, Any]:
    """n, mean, min and max of monthly incomes, each rounded to the yuan."""
    if not values:
        return {"n": 0, "mean": None, "min": None, "max": None}
    return {"n": len(values), "mean": yuan(statistics.fmean(values)),
            "min": yuan(min(values)), "max": yuan(max(values))}


def _case_incomes(G: nx.MultiDiGraph, case: str) -> list[str]:
    return [o for o in case_parts(G, case)["outcome"] if G.nodes[o]["cls"] == "Income"]


def place_rollup(G: nx.MultiDiGraph, levels: Iterable[str] = ("county", "township")) -> dict[str, list[dict]]:
    """Cases, persons, incomes and statistics per place at each administrative level.

    A case counts once for every place at the level above or at one of its places (through
    ``fp:partOf``); its incomes come with it (``monthly_income`` summarises those after the
    program, :func:`monthly_amount`). A statistic counts for the place it is about
    and that place's ancestors at the level. ``stat_sums`` adds the stated figures per unit
    (``%`` left out): figures from different articles may overlap, so read them as "stated",
    not as totals.

    Returns
    -------
    dict
        ``{level: [{"id", "label", "path", "cases", "persons", "incomes", "monthly_income",
        "statistics", "stat_sums"}, ...]}``, most cases first.
    """
    levels = tuple(levels)
    acc: dict[str, dict[str, dict[str, Any]]] = {lv: {} for lv in levels}
    chains: dict[str, list[str]] = {}

    def row(level: str, place: str) -> dict[str, Any]:
        r = acc[level].get(place)
        if r is None:
            chain = place_chain(G, place, chains)
            r = acc[level][place] = {"id": place, "label": G.nodes[place]["label"],
                                     "path": [G.nodes[p]["label"] for p in reversed(chain)],
                                     "cases": set(), "persons": set(), "incomes": set(), "stats": set()}
        return r

    for case in nodes_of(G, "Case"):
        parts = case_parts(G, case)
        for lv in levels:
            hits = {place_at_level(G, p, lv, chains) for p in parts["place"]} - {None}
            for h in hits:
                r = row(lv, h)
                r["cases"].add(case)
                r["persons"].update(parts["person"])
                r["incomes"].update(_case_incomes(G, case))
    for st in nodes_of(G, "Statistic"):
        for lv in levels:
            for h in {place_at_level(G, p, lv, chains) for p in _out(G, st, "place")} - {None}:
                row(lv, h)["stats"].add(st)

    out: dict[str, list[dict]] = {}
    for lv in levels:
        rows = []
        for r in acc[lv].values():
            monthly = [m for i in sorted(r["incomes"]) if G.nodes[i].get("phase") != "before"
                       and (m := monthly_amount(G, i)) is not None]
            sums: dict[str, float] = defaultdict(float)
            for s in r["stats"]:
                d = G.nodes[s]
                if isinstance(d.get("value"), int | float) and d.get("unit") and d.get("unit") != "%":
                    sums[str(d["unit"])] += d["value"]
            rows.append({"id": r["id"], "label": r["label"], "path": r["path"], "cases": len(r["cases"]),
                         "persons": len(r["persons"]), "incomes": len(r["incomes"]),
                         "monthly_income": _summary(monthly), "statistics": len(r["stats"]),
                         "stat_sums": {k: round(v, 2) for k, v in sorted(sums.items())}})
        rows.sort(key=lambda r: (-r["cases"], -r["statistics"], r["label"], r["id"]))
        out[lv] = rows
    return out


def outcomes_by_category(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Outcomes of the cases per program category (a case counts under each category of its
    programs), plus an ``"ALL"`` row over every case.

    Returns
    -------
    list of dict
        ``{"category", "label", "cases", "incomes", "monthly_after", "monthly_before",
        "by_kind", "by_period"}``: ``monthly_*`` summarise monthly income (:func:`monthly_amount`) as
        ``{"n", "mean", "min", "max"}`` (yuan per month); ``by_kind``: how many incomes of
        each kind (``fp:incomeKind``); ``by_period`` summarises the stated amounts of a
        person's own earnings per period (``day``, ``month``, ``year``, ``total``) without
        conversion.
    """
    cat_zh = G.graph.get("category_labels") or display_vocabulary()["categories"]
    groups: dict[str, set[str]] = defaultdict(set)
    for case in nodes_of(G, "Case"):
        groups["ALL"].add(case)
        for c in G.nodes[case]["category"]:
            groups[c].add(case)
    rows = []
    for cat in sorted(groups, key=lambda c: (c == "ALL", c)):
        incomes = sorted({i for case in groups[cat] for i in _case_incomes(G, case)})
        after, before = [], []
        per_period: dict[str, list[float]] = defaultdict(list)
        by_kind: Counter[str] = Counter()
        for i in incomes:
            d = G.nodes[i]
            by_kind[str(d.get("income_kind") or "income")] += 1
            if isinstance(d.get("amount"), int | float) and (d.get("income_kind") or "income") in PERSONAL_KINDS:
                top = d.get("amount_max")
                per_period[str(d.get("period"))].append(
                    (d["amount"] + top) / 2 if isinstance(top, int | float) else float(d["amount"]))
            m = monthly_amount(G, i)
            if m is not None:
                (before if d.get("phase") == "before" else after).append(m)
        rows.append({"category": cat, "label": "全部" if cat == "ALL" else cat_zh.get(cat, cat),
                     "cases": len(groups[cat]), "incomes": len(incomes),
                     "monthly_after": _summary(after), "monthly_before": _summary(before),
                     "by_kind": dict(sorted(by_kind.items())),
                     "by_period": {p: _summary(v) for p, v in sorted(per_period.items())}})
    return rows


# ---------------------------------------------------------------------------------------------
# The command


def analyze(graph_path: Path, out_dir: Path, G: nx.MultiDiGraph | None = None,
            previous: Path | None = None) -> dict[str, Any]:
    """Compute every measure, write ``out_dir/analytics.json`` and ``out_dir/report.html``.

    Parameters
    ----------
    graph_path : Path
        The RDF graph (``output/kg.ttl``).
    out_dir : Path
        Where to write; files are replaced atomically.
    G : networkx.MultiDiGraph, optional
        The graph already loaded from ``graph_path`` (saves parsing it twice in a build).
    previous : Path, optional
        A build directory (``kg build``'s committed one, or ``out_dir`` itself): its
        centrality and communities (``MEMO``) are kept when its entity graph had the same
        :func:`entity_digest`; given, the figures are recorded in ``out_dir/MEMO`` for
        the next build.

    Returns
    -------
    dict
        What ``analytics.json`` holds.
    """
    if G is None:
        G = load_graph(graph_path)
    by_class = Counter(c for _, c in G.nodes(data="cls"))
    H = entity_graph(G)
    # centrality and communities are the costly whole-graph figures and a function of the
    # entity graph alone: kept from the previous build when its entity graph is the same
    digest = entity_digest(H)
    kept = _read_memo(previous, digest)
    result = {
        "graph": {"file": Path(graph_path).name, "nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
                  "by_class": {c: by_class.get(c, 0) for c in CLASSES},
                  "entity_graph": _entity_graph_summary(H)},
        "centrality": kept["centrality"] if kept else centrality(G, H=H),
        "communities": kept["communities"] if kept else communities(G, H=H),
        "person_program": person_program_projection(G),
        "places": place_rollup(G),
        "outcomes": outcomes_by_category(G),
        "notes": {
            "centrality": "degree and betweenness (normalised) on the entity graph: persons, programs, "
                          "places, organizations linked directly or through a case; betweenness exact "
                          f"up to {_BETWEENNESS_EXACT_MAX} entities, else estimated from max(32, 300000/n) pivots"
                          + (f" ({_pivots(result_n)} here)" if (result_n := _entity_count(G)) > _BETWEENNESS_EXACT_MAX
                             else " (exact here)"),
            "communities": "networkx louvain_communities(weight='weight', resolution=1.0, seed=0) on the entity graph",
            "monthly_income": "a person's own earnings (wage, job allowance, net income, income; not business "
                              "revenue, profit or household income): month as stated, year/12; day and total "
                              "not converted; a range at its midpoint; no stated phase counts as after the "
                              "program; mean, min and max rounded to the yuan (as queries/01)",
            "stat_sums": "sum of stated figures of one unit each (% left out; never across units); may overlap across articles",
        },
    }
    out_dir = Path(out_dir)
    if previous is not None:          # a build: the next one may keep these figures
        io.write_text(out_dir / MEMO, json.dumps({"entity_graph": digest, "centrality": result["centrality"],
                                                  "communities": result["communities"]},
                                                 ensure_ascii=False, separators=(",", ":")))
    # one line: indenting forces json's pure-Python encoder (5 s for a 1,000-article graph)
    io.write_json(_through_link(out_dir / "analytics.json"), result, indent=None, separators=(",", ":"))
    io.write_text(_through_link(out_dir / "report.html"), render_report(result))
    return result


#: In a build directory: the entity graph's digest with its centrality and communities.
MEMO = ".analytics-memo.json"


@lru_cache(maxsize=1)
def _code_key() -> str:
    """What centrality and communities depend on besides the entity graph: this module and
    the libraries that compute them."""
    from importlib.metadata import version

    h = hashlib.sha256(Path(__file__).read_bytes())
    for dist in ("networkx", "numpy", "scipy"):
        h.update(f"{dist}={version(dist)}".encode())
    return h.hexdigest()


def entity_digest(H: nx.Graph) -> str:
    """A hash of the entity graph as centrality and communities see it: its nodes (with
    class and label) and weighted edges, in order (the order seeds Louvain and the pivots)."""
    h = hashlib.sha256(_code_key().encode())
    for n, d in H.nodes(data=True):
        h.update(f"{n}\0{d['cls']}\0{d['label']}\n".encode())
    h.update(b"\0edges\n")
    for u, v, w in H.edges(data="weight"):
        h.update(f"{u}\0{v}\0{w}\n".encode())
    return h.hexdigest()


def _read_memo(previous: Path | None, digest: str) -> dict[str, Any] | None:
    if previous is None:
        return None
    try:
        memo = json.loads((Path(previous) / MEMO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(memo, dict) or memo.get("entity_graph") != digest:
        return None
    return memo


def _through_link(path: Path) -> Path:
    """Where to write ``path``: a built output's files are symlinks into its current build
    directory (kg.build); ``kg analyze`` rewrites the file there rather than the link."""
    return path.resolve() if path.is_symlink() else path


def _entity_count(G: nx.MultiDiGraph) -> int:
    return sum(1 for _, c in G.nodes(data="cls") if c in ENTITY_CLASSES)


def _entity_graph_summary(H: nx.Graph) -> dict[str, Any]:
    comps = list(nx.connected_components(H)) if len(H) else []
    return {"nodes": H.number_of_nodes(), "edges": H.number_of_edges(),
            "components": len(comps), "largest_component": max((len(c) for c in comps), default=0),
            "density": round(nx.density(H), 6) if len(H) > 1 else 0.0}


def analyze_command(graph: Path, out: Path, quiet: bool = False) -> int:
    """``kg analyze``: analytics.json and report.html from the graph file; exit status 0."""
    result = analyze(Path(graph), Path(out))
    if not quiet:
        g = result["graph"]
        print(f"analyzed {graph}: {g['nodes']} nodes, {g['edges']} edges, "
              f"{len(result['communities'])} communities", file=sys.stderr)
        print(f"wrote {Path(out) / 'analytics.json'} and {Path(out) / 'report.html'}", file=sys.stderr)
    return 0
