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
* Monthly income: ``month`` as stated, ``year`` divided by 12; ``day`` and ``total`` figures
  are *not* converted (a daily wage times an assumed number of working days would be a guess)
  and are reported per period only. An explicit range (``fp:amountMax``) counts at its
  midpoint. An income whose phase is not stated counts as *after* the program (stories state
  the income reached; extraction marks "before" explicitly).
"""

from __future__ import annotations

import json
import statistics
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx

from kg import io
from kg.errors import InputError

__all__ = [
    "FP", "CLASSES", "ENTITY_CLASSES", "load_graph", "display_vocabulary", "nodes_of", "case_parts",
    "place_chain", "place_at_level", "entity_graph", "centrality", "communities",
    "person_program_projection", "place_rollup", "monthly_amount", "outcomes_by_category",
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


@lru_cache(maxsize=1)
def display_vocabulary() -> dict[str, Any]:
    """The display vocabulary (``kg/templates/labels.json``): class colours, Chinese names."""
    from kg.resources import templates_dir

    return json.loads((templates_dir() / "labels.json").read_text(encoding="utf-8"))


def _parse(source) -> Any:
    import rdflib

    if isinstance(source, rdflib.Graph):
        return source
    path = Path(source)
    if not path.is_file():
        raise InputError(path, "no such graph file (run `kg build` first)")
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(path, f"unknown graph format {path.suffix!r} (use .ttl, .nt, .nq, .trig or .jsonld)")
    g = rdflib.Dataset() if fmt in ("nquads", "trig") else rdflib.Graph()
    try:
        g.parse(path, format=fmt)
    except Exception as e:  # rdflib raises many parser-specific types
        raise InputError(path, f"cannot parse as {fmt}: {e}") from None
    return g


def load_graph(source) -> nx.MultiDiGraph:
    """Load the knowledge graph from RDF into a :class:`networkx.MultiDiGraph`.

    Parameters
    ----------
    source : path or rdflib.Graph
        A graph file (``.ttl``, ``.nt``, ``.nq``, ``.trig``, ``.jsonld``; named graphs merged)
        or an rdflib graph.

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
        ``predicate`` and ``label`` (Chinese where known).
    """
    import rdflib

    rg = _parse(source)
    triples: Iterable = rg.quads((None, None, None, None)) if isinstance(rg, rdflib.Dataset) else rg
    by_subject: dict[Any, list[tuple[Any, Any]]] = defaultdict(list)
    seen = set()
    for t in triples:
        s, p, o = t[0], t[1], t[2]
        if (s, p, o) in seen:
            continue
        seen.add((s, p, o))
        by_subject[s].append((p, o))

    vocab = display_vocabulary()
    pred_zh = dict(vocab["predicates"])
    cat_zh = dict(vocab["categories"])
    # labels the graph itself gives to properties and concepts (the ontology, when merged in)
    for s, pos in by_subject.items():
        for p, o in pos:
            if str(p) in (RDFS_LABEL, SKOS_PREF) and isinstance(o, rdflib.Literal) and o.language == "zh":
                if str(s).startswith(FP):
                    (cat_zh if _local(str(s)) in cat_zh else pred_zh)[_local(str(s))] = str(o)

    G = nx.MultiDiGraph()
    G.graph["pred_labels"] = pred_zh
    G.graph["category_labels"] = cat_zh
    cls_of: dict[Any, str] = {}
    for s, pos in by_subject.items():
        types = {_local(str(o)) for p, o in pos if str(p) == RDF_TYPE and str(o).startswith(FP)}
        for c in CLASSES:
            if c in types:
                cls_of[s] = c
                break

    for s, c in cls_of.items():
        attrs: dict[str, Any] = {"iri": str(s), "cls": c, "category": [], "evidence": [], "sources": []}
        labels: dict[str | None, str] = {}
        for p, o in by_subject[s]:
            ps = str(p)
            ln = _local(ps)
            if ps == RDF_TYPE:
                continue
            if isinstance(o, rdflib.Literal):
                if ps in (RDFS_LABEL, SKOS_PREF):
                    labels.setdefault(o.language, str(o))
                    continue
                if "evidence" in ln.lower():
                    attrs["evidence"].append({"sentence": str(o), "start": None, "end": None, "source": None})
                    continue
                key = _snake(ln)
                val = _py(o)
                if key in attrs and key not in ("category",):
                    prev = attrs[key]
                    attrs[key] = sorted({*(prev if isinstance(prev, list) else [prev]), val}, key=str)
                else:
                    attrs[key] = val
            elif ln == "category":
                attrs["category"].append(_local(str(o)))
            elif "evidence" in ln.lower() or ln == "wasDerivedFrom":
                ev = _evidence_node(by_subject.get(o, []))
                if ev is not None:
                    attrs["evidence"].append(ev)
        attrs["label"] = labels.get("zh") or labels.get(None) or next(iter(labels.values()), None)
        attrs["category"] = sorted(set(attrs["category"]))
        attrs["evidence"].sort(key=lambda e: (e["start"] is None, e["start"] or 0, e["sentence"]))
        G.add_node(str(s), **attrs)

    for s in cls_of:
        for p, o in by_subject[s]:
            if o in cls_of and str(p) != RDF_TYPE:
                ln = _local(str(p))
                G.add_edge(str(s), str(o), key=ln, predicate=ln, label=pred_zh.get(ln, ln))

    # derived attributes: sources, case categories, fallback labels
    for n, d in G.nodes(data=True):
        arts = {v for _, v, k in G.out_edges(n, keys=True) if k in ("source", "mentionedIn")}
        d["sources"] = sorted(G.nodes[a].get("file_name") or G.nodes[a]["label"] or a for a in arts
                              if G.nodes[a]["cls"] == "Article") if arts else []
        if d["cls"] == "Case":
            cats = set()
            for _, v, k in G.out_edges(n, keys=True):
                if k == "program":
                    cats.update(G.nodes[v]["category"])
            d["category"] = sorted(cats | set(d["category"]))
    for d in G.nodes.values():       # evidence names its article by file name
        for ev in d["evidence"]:
            a = ev["source"]
            if a is not None and a in G and G.nodes[a]["cls"] == "Article":
                ev["source"] = G.nodes[a].get("file_name") or G.nodes[a]["label"] or a
    for n, d in G.nodes(data=True):  # an income cites the article of the case it belongs to
        if not d["sources"]:
            d["sources"] = sorted({a for u, _, k in G.in_edges(n, keys=True) if k == "outcome"
                                   for a in G.nodes[u]["sources"]})
    for n, d in G.nodes(data=True):
        if not d.get("label"):
            d["label"] = _fallback_label(G, n, d)
    return G


def _evidence_node(pos) -> dict | None:
    vals = {_local(str(p)): o for p, o in pos}
    text = next((str(vals[k]) for k in _EVIDENCE_TEXT if k in vals), None)
    if text is None:
        return None

    def num(keys):
        v = next((vals[k] for k in keys if k in vals), None)
        return int(v.toPython()) if v is not None else None

    src = vals.get("source") or vals.get("wasQuotedFrom")
    return {"sentence": text, "start": num(_EVIDENCE_START), "end": num(_EVIDENCE_END),
            "source": str(src) if src is not None else None}


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
    return sorted(v for v, keys in G.succ[n].items() if key in keys)


def case_parts(G: nx.MultiDiGraph, case: str) -> dict[str, list[str]]:
    """The nodes a case links to: ``person``, ``program``, ``place``, ``organization``,
    ``outcome``, ``source`` (each a sorted list of node ids)."""
    return {k: _out(G, case, k) for k in ("person", "program", "place", "organization", "outcome", "source")}


def place_chain(G: nx.MultiDiGraph, place: str) -> list[str]:
    """The place and its ancestors along ``fp:partOf``, most specific first (cycle-safe;
    where a place has several parents the first by IRI is followed)."""
    chain, seen = [place], {place}
    while True:
        parents = [p for p in _out(G, chain[-1], "partOf") if p not in seen and G.nodes[p]["cls"] == "Place"]
        if not parents:
            return chain
        chain.append(parents[0])
        seen.add(parents[0])


def place_at_level(G: nx.MultiDiGraph, place: str, level: str) -> str | None:
    """The place itself or its ancestor whose ``fp:adminLevel`` is ``level``, if any."""
    return next((p for p in place_chain(G, place) if G.nodes[p].get("admin_level") == level), None)


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
        bc = nx.betweenness_centrality(H, k=_pivots(len(H)), seed=seed)
    out: dict[str, list[dict[str, Any]]] = {}
    for c in classes:
        rows = [{"id": n, "label": H.nodes[n]["label"], "degree": H.degree(n),
                 "degree_centrality": round(dc[n], 6), "betweenness": round(bc[n], 6)}
                for n in H if H.nodes[n]["cls"] == c]
        rows.sort(key=lambda r: (-r["betweenness"], -r["degree"], r["label"], r["id"]))
        out[c] = rows[:top] if top else rows
    return out


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


def monthly_amount(G: nx.MultiDiGraph, income: str) -> float | None:
    """An income in yuan per month: ``month`` as is, ``year`` / 12; ``None`` for ``day`` and
    ``total`` (not converted). A range counts at its midpoint."""
    d = G.nodes[income]
    amount = d.get("amount")
    if not isinstance(amount, int | float) or isinstance(amount, bool):
        return None
    top = d.get("amount_max")
    value = (amount + top) / 2 if isinstance(top, int | float) and not isinstance(top, bool) else float(amount)
    per = d.get("period")
    if per == "month":
        return value
    if per == "year":
        return value / 12
    return None


def _summary(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0, "median": None, "min": None, "max": None}
    return {"n": len(values), "median": round(statistics.median(values), 2),
            "min": round(min(values), 2), "max": round(max(values), 2)}


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

    def row(level: str, place: str) -> dict[str, Any]:
        r = acc[level].get(place)
        if r is None:
            chain = place_chain(G, place)
            r = acc[level][place] = {"id": place, "label": G.nodes[place]["label"],
                                     "path": [G.nodes[p]["label"] for p in reversed(chain)],
                                     "cases": set(), "persons": set(), "incomes": set(), "stats": set()}
        return r

    for case in nodes_of(G, "Case"):
        parts = case_parts(G, case)
        for lv in levels:
            hits = {place_at_level(G, p, lv) for p in parts["place"]} - {None}
            for h in hits:
                r = row(lv, h)
                r["cases"].add(case)
                r["persons"].update(parts["person"])
                r["incomes"].update(_case_incomes(G, case))
    for st in nodes_of(G, "Statistic"):
        for lv in levels:
            for h in {place_at_level(G, p, lv) for p in _out(G, st, "place")} - {None}:
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
        "by_period"}``: ``monthly_*`` summarise monthly income (:func:`monthly_amount`) as
        ``{"n", "median", "min", "max"}``; ``by_period`` summarises the stated amounts per
        period (``day``, ``month``, ``year``, ``total``) without conversion.
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
        for i in incomes:
            d = G.nodes[i]
            if isinstance(d.get("amount"), int | float):
                top = d.get("amount_max")
                per_period[str(d.get("period"))].append(
                    (d["amount"] + top) / 2 if isinstance(top, int | float) else float(d["amount"]))
            m = monthly_amount(G, i)
            if m is not None:
                (before if d.get("phase") == "before" else after).append(m)
        rows.append({"category": cat, "label": "全部" if cat == "ALL" else cat_zh.get(cat, cat),
                     "cases": len(groups[cat]), "incomes": len(incomes),
                     "monthly_after": _summary(after), "monthly_before": _summary(before),
                     "by_period": {p: _summary(v) for p, v in sorted(per_period.items())}})
    return rows


# ---------------------------------------------------------------------------------------------
# The command


def analyze(graph_path: Path, out_dir: Path, G: nx.MultiDiGraph | None = None) -> dict[str, Any]:
    """Compute every measure, write ``out_dir/analytics.json`` and ``out_dir/report.html``.

    Parameters
    ----------
    graph_path : Path
        The RDF graph (``output/kg.ttl``).
    out_dir : Path
        Where to write; files are replaced atomically.
    G : networkx.MultiDiGraph, optional
        The graph already loaded from ``graph_path`` (saves parsing it twice in a build).

    Returns
    -------
    dict
        What ``analytics.json`` holds.
    """
    if G is None:
        G = load_graph(graph_path)
    by_class = Counter(c for _, c in G.nodes(data="cls"))
    H = entity_graph(G)
    result = {
        "graph": {"file": Path(graph_path).name, "nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
                  "by_class": {c: by_class.get(c, 0) for c in CLASSES},
                  "entity_graph": _entity_graph_summary(H)},
        "centrality": centrality(G, H=H),
        "communities": communities(G, H=H),
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
            "monthly_income": "month as stated, year/12; day and total not converted; a range at its "
                              "midpoint; no stated phase counts as after the program",
            "stat_sums": "sum of stated figures per unit (% left out); may overlap across articles",
        },
    }
    out_dir = Path(out_dir)
    io.write_json(_through_link(out_dir / "analytics.json"), result)
    from kg.views import render_report

    io.write_text(_through_link(out_dir / "report.html"), render_report(result))
    return result


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
