"""``kg push``: the committed build into a SPARQL 1.1 store, over the Graph Store HTTP Protocol.

Any store that speaks the protocol (Oxigraph server, Apache Jena Fuseki, GraphDB …) takes
the graph as named graphs:

* one graph per article, ``https://w3id.org/fupin-kg/graph/article/{file}``: the triples
  of ``kg.nt`` that come from that article alone (its cases, incomes, statistics,
  programs, evidence, and the mentions of places and persons in it);
* ``https://w3id.org/fupin-kg/graph/shared``: the triples more than one article gives, or
  that the merge decides across articles (a place's type, label and ``partOf`` chain, its
  administrative level and an organization's kind chosen by vote);
* ``https://w3id.org/fupin-kg/ontology`` (:data:`kg.store.ONTOLOGY_GRAPH`, as in the
  embedded store): ``ontology/fupin.ttl``;
* ``https://w3id.org/fupin-kg/summary`` (:data:`kg.summary.SUMMARY_GRAPH`): the build
  store's summary triples, which the example queries read.

The graphs do not overlap (the SKOS category scheme that ``kg.nt`` copies from the ontology
is left to the ontology graph), so the store's *union default graph* holds each triple of
``kg.nt`` once, plus the ontology: the example queries give the same rows as ``kg query``
when the store queries the union of its graphs by default (``oxigraph serve
--union-default-graph``, Fuseki's ``tdb2:unionDefaultGraph``, GraphDB by default).

Pushing again sends only what changed: each graph's SHA-256 is kept in a small manifest,
``OUT/cache/push-<digest of the graph store URL>.json``, and the store is asked how many
triples each of our graphs holds (a graph missing or altered there is sent again even when
the manifest says it is current). A graph that changed is replaced whole with one ``PUT``;
an article that left the corpus has its graph removed with ``DELETE``.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import EXIT_OK, KGError
from kg.io import write_json
from kg.namespace import iri_segment

__all__ = ["GRAPH_NS", "SHARED_GRAPH", "article_graph", "partition", "push", "PushReport", "push_command",
           "graph_store_url", "manifest_path"]

GRAPH_NS = "https://w3id.org/fupin-kg/graph/"
SHARED_GRAPH = GRAPH_NS + "shared"
_NT = "application/n-triples"
_TIMEOUT_S = 300
_JOBS = 4               # concurrent PUTs


def article_graph(file_name: str) -> str:
    """The named graph of one article."""
    return f"{GRAPH_NS}article/{iri_segment(file_name)}"


def _build_dir(out: Path) -> Path:
    """The committed build of ``out`` (read through one resolved path, so a build that
    commits meanwhile cannot mix two builds' files)."""
    from kg.build import _current

    current = _current(out)
    d = current if current is not None else out
    if not (d / "kg.nt").is_file() or not (d / "extractions").is_dir():
        raise KGError(f"{out}: no build here (kg.nt and extractions/ are missing); run `kg build` first")
    return d


def _ontology_lines() -> list[str]:
    import pyoxigraph as ox

    from kg.resources import ontology_dir

    nt = ox.serialize(ox.parse(path=str(ontology_dir() / "fupin.ttl"), format=ox.RdfFormat.TURTLE),
                      format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    return sorted(set(nt.splitlines(keepends=True)))


def partition(build_dir: Path) -> dict[str, bytes]:
    """The named graphs of a build directory: graph IRI -> sorted N-Triples bytes (see the
    module docstring). Every line of ``kg.nt`` is in exactly one graph."""
    from kg.graph import _ntriples_lines, build_triples
    from kg.records import ArticleRecord

    build_dir = Path(build_dir)
    with open(build_dir / "kg.nt", encoding="utf-8") as f:
        data = f.readlines()
    present = set(data)
    ontology = _ontology_lines()
    in_ontology = set(ontology)
    owner: dict[str, str | None] = {}          # line -> the one article it comes from (None: several)
    graphs: dict[str, list[str]] = {}
    for path in sorted((build_dir / "extractions").glob("*.json")):
        try:
            rec = ArticleRecord.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise KGError(f"{path}: cannot read the extraction record ({e})") from None
        name = article_graph(rec.meta.file_name)
        graphs[name] = []
        for line in _ntriples_lines(build_triples([rec])):
            if line in present and line not in in_ontology:
                owner[line] = name if owner.get(line, name) == name else None
    shared: list[str] = []
    for line in data:
        if line in in_ontology:
            continue
        g = owner.get(line)
        (graphs[g] if g is not None else shared).append(line)
    out = {g: "".join(lines).encode("utf-8") for g, lines in sorted(graphs.items())}
    out[SHARED_GRAPH] = "".join(shared).encode("utf-8")
    from kg.store import ONTOLOGY_GRAPH

    out[ONTOLOGY_GRAPH] = "".join(ontology).encode("utf-8")
    summary = _summary_lines(build_dir)
    if summary is not None:
        from kg.summary import SUMMARY_GRAPH

        out[SUMMARY_GRAPH] = "".join(summary).encode("utf-8")
    return out


def _summary_lines(build_dir: Path) -> list[str] | None:
    """The build store's summary graph (:mod:`kg.summary`) as sorted N-Triples lines: the
    example queries read it, so the store pushed to needs it too (None: no store here)."""
    import pyoxigraph as ox

    from kg.store import open_store
    from kg.summary import SUMMARY_GRAPH

    if not (build_dir / "store").is_dir():
        return None
    st = open_store(build_dir / "store")
    quads = st.quads_for_pattern(None, None, None, ox.NamedNode(SUMMARY_GRAPH))
    text = ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    return sorted(line + "\n" for line in text.splitlines() if line)


# -- HTTP ---------------------------------------------------------------------------------

def graph_store_url(endpoint: str, graph_store: str | None) -> str:
    """The Graph Store Protocol URL: given, or the endpoint's ``/query`` (``/sparql``) made
    ``/store`` (Oxigraph's layout)."""
    if graph_store:
        return graph_store
    m = re.fullmatch(r"(.*)/(query|sparql)/?", endpoint)
    if not m:
        raise KGError(f"--endpoint {endpoint}: cannot guess the Graph Store Protocol URL from it; give "
                      "--graph-store URL (Oxigraph: http://HOST:PORT/store, Fuseki: http://HOST:3030/DATASET/data)")
    return f"{m.group(1)}/store"


def _request(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> bytes:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=_TIMEOUT_S) as resp:
            return resp.read()
    except urllib.error.HTTPError as e:
        text = e.read().decode("utf-8", "replace").strip().splitlines()
        raise KGError(f"{method} {url}: HTTP {e.code} {e.reason}" + (f": {text[0][:200]}" if text else "")) from None
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", None) or e
        raise KGError(f"cannot reach {url.split('?')[0]}: {reason}") from None


def _graph_url(store: str, graph: str) -> str:
    sep = "&" if "?" in store else "?"
    return f"{store}{sep}graph={urllib.parse.quote(graph, safe='')}"


def store_counts(endpoint: str) -> dict[str, int]:
    """Our graphs in the store and their triple counts (one SPARQL query)."""
    from kg.store import ONTOLOGY_GRAPH
    from kg.summary import SUMMARY_GRAPH

    q = (f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
         f"FILTER(STRSTARTS(STR(?g), \"{GRAPH_NS}\") || ?g = <{ONTOLOGY_GRAPH}> || ?g = <{SUMMARY_GRAPH}>) }} "
         "GROUP BY ?g")
    body = urllib.parse.urlencode({"query": q}).encode()
    raw = _request("POST", endpoint, body, {"Content-Type": "application/x-www-form-urlencoded",
                                             "Accept": "application/sparql-results+json"})
    try:
        rows = json.loads(raw)["results"]["bindings"]
        return {r["g"]["value"]: int(r["n"]["value"]) for r in rows}
    except (ValueError, KeyError, TypeError):
        raise KGError(f"{endpoint}: not a SPARQL endpoint (its answer is not SPARQL JSON results)") from None


# -- the push -----------------------------------------------------------------------------

@dataclass
class PushReport:
    """What ``kg push`` did."""

    endpoint: str
    graph_store: str
    graphs: int = 0
    replaced: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    triples_sent: int = 0
    bytes_sent: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def manifest_path(out: Path, graph_store: str) -> Path:
    return Path(out) / "cache" / f"push-{hashlib.sha256(graph_store.encode()).hexdigest()[:16]}.json"


def _read_manifest(path: Path, graph_store: str) -> dict[str, dict[str, Any]]:
    try:
        m = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(m, dict) or m.get("graph_store") != graph_store or not isinstance(m.get("graphs"), dict):
        return {}
    return m["graphs"]


def push(out: str | os.PathLike, endpoint: str, graph_store: str | None = None, full: bool = False,
         progress: bool = False) -> PushReport:
    """Load the committed build of ``out`` into the store at ``endpoint`` (SPARQL query URL)
    through ``graph_store`` (Graph Store Protocol URL); only changed graphs unless ``full``."""
    from tqdm import tqdm

    out = Path(out)
    t0 = time.perf_counter()
    store = graph_store_url(endpoint, graph_store)
    graphs = partition(_build_dir(out))
    report = PushReport(endpoint=endpoint, graph_store=store, graphs=len(graphs))
    counts = store_counts(endpoint)              # also checks the endpoint answers before sending
    mpath = manifest_path(out, store)
    known = {} if full else _read_manifest(mpath, store)
    pushed: dict[str, dict[str, Any]] = {g: v for g, v in known.items() if g in graphs}
    todo = []
    for g, body in graphs.items():
        digest = hashlib.sha256(body).hexdigest()
        n = body.count(b"\n")
        entry = known.get(g)
        if entry and entry.get("sha256") == digest and counts.get(g, 0) == n:
            report.unchanged += 1
        else:
            todo.append((g, body, digest, n))
    gone = sorted(g for g in counts if g not in graphs)

    def put(item):
        g, body, digest, n = item
        if body:
            _request("PUT", _graph_url(store, g), body, {"Content-Type": _NT})
        elif counts.get(g):          # an empty graph: nothing to PUT, the old one removed
            _request("DELETE", _graph_url(store, g))
        return item

    bar = tqdm(total=len(todo) + len(gone), desc="push", unit="graph", disable=not progress, leave=False)
    try:
        with cf.ThreadPoolExecutor(max_workers=_JOBS) as pool:
            for g, body, digest, n in pool.map(put, todo):
                pushed[g] = {"sha256": digest, "triples": n}
                report.replaced.append(g)
                report.triples_sent += n
                report.bytes_sent += len(body)
                bar.update(1)
        for g in gone:
            _request("DELETE", _graph_url(store, g))
            report.removed.append(g)
            bar.update(1)
    finally:
        bar.close()
        # what reached the store is recorded even when a later request failed
        with contextlib.suppress(OSError):
            write_json(mpath, {"graph_store": store, "endpoint": endpoint, "graphs": pushed})
    report.seconds = round(time.perf_counter() - t0, 3)
    return report


def push_command(out: Path, endpoint: str, graph_store: str | None, full: bool, quiet: bool) -> int:
    """``kg push``: push and print one summary line."""
    report = push(out, endpoint, graph_store, full=full, progress=not quiet)
    if not quiet:
        articles = sum(1 for g in report.replaced if g.startswith(GRAPH_NS + "article/"))
        print(f"kg push: {report.graphs} graphs in {report.graph_store}: {len(report.replaced)} replaced "
              f"({articles} article graphs, {report.triples_sent} triples), {report.unchanged} unchanged, "
              f"{len(report.removed)} removed, in {report.seconds:.1f} s")
    return EXIT_OK
