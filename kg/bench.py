"""``kg bench``: speed, memory and scale, measured on a synthetic corpus (:mod:`kg.synth`).

Parts (each can be skipped with ``--skip PART``):

``throughput``
    Extraction throughput (characters of raw text per second) of
    :func:`kg.extract.extract_corpus` against bare spaCy + pkuseg tokenisation
    (``nlp.make_doc`` only) of the same texts in the same run, as a ratio; then the same
    extraction with ``--workers`` processes, as a speed-up over one process. The pipeline
    is loaded before the clock starts for the single-process runs; the parallel run's time
    includes starting its workers (each loads the pipeline), as a real build does.
``scale``
    ``kg build`` end to end (fresh output, cold extraction cache, views included) at each N,
    run as a child process: wall time, and peak memory as the largest sum of the resident
    set sizes of the process tree (polled every 50 ms with psutil; the largest single
    process's ``ru_maxrss`` is recorded too).
``incremental``
    On the built N=1,000 corpus (or the largest N), one article is changed and the build
    re-run: wall time, and how many articles were extracted and served from the cache
    (``build-report.json``): exactly one should be extracted.
``sparql``
    The example queries (``queries/*.rq``) on that graph: median and p95 latency in the
    embedded Oxigraph store the build wrote, and in rdflib over ``kg.nt`` (with the store's
    summary graph, :mod:`kg.summary`), as a ratio. Each
    query runs in a forked child with a time budget (a query still running after 35 s is
    killed, listed, and counted at that limit). Then the browsing queries
    (``queries/browse/*.rq``), each for 8 entities drawn from the graph: p50 and p95 over
    the (query, entity) medians, in Oxigraph and (two entities a query) in rdflib.
``cluster``
    ``kg build --cluster local:W`` (W = ``--workers``; :mod:`kg.cluster`, Dask) on the N=1,000
    corpus (or the largest N), cold cache, without views: its extract stage in chars/s (the
    local cluster's start-up and each worker's pipeline load included, as in a real build),
    over the one-process throughput and over the worker pool's extract stage at the same N
    (the scale part's build, or one run here), all in this run.
``browser``
    Time for that build's ``graph.html`` to draw in headless Chromium (``/usr/bin/chromium``
    through Playwright, every request leaving the page blocked), from navigation until the
    page reports that the network view is drawn. A big graph's page opens on an overview of
    its regions (:func:`kg.views.write_graph_html`); the largest region and the whole graph,
    drawn on request, are timed as well. The same build's ``map.html`` (:mod:`kg.geomap`) is
    timed the same way, navigation to the SVG drawn (``map``).
``reading``
    Reading 1,000 web pages and a 200-page two-column PDF made from synthetic articles,
    against the extraction time of the text read (:mod:`kg.readcost`; CPU seconds, one
    process, the extraction rate from a sample of the pages).

With ``scale``, the smallest build is also scored against the synthetic corpus's own gold
(``kg eval``; no target: it shows the extractor's quality on unseen names and places).

Everything is written under ``OUT/bench/`` (corpora and builds) and the results to
``OUT/bench.json`` (atomically); a table marks each target met or missed.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import KGError
from kg.io import write_json, write_text

__all__ = ["PARTS", "TARGETS", "Target", "bench_command", "run_bench", "check_targets", "format_table",
           "measure_build", "percentile", "change_article"]

PARTS = ("throughput", "scale", "incremental", "sparql", "browser", "cluster", "reading")
REFERENCE_N = 1000          # the size the incremental, SPARQL and browser parts prefer


@dataclass(frozen=True)
class Target:
    """A performance target of issue 7: ``value(results) <op> bound``."""

    name: str
    describe: str
    path: tuple[str, ...]        # where the measured value sits in the results
    op: str                      # ">=" or "<="
    bound: float
    unit: str = ""


TARGETS = (
    Target("extract_vs_tokeniser", "extraction >= 0.5x bare tokeniser (1 process)",
           ("throughput", "ratio_vs_tokeniser"), ">=", 0.5, "x"),
    Target("parallel_speedup", "--workers 2 >= 1.6x one process",
           ("parallel", "speedup"), ">=", 1.6, "x"),
    Target("build_1000_wall", "1,000 articles built end to end <= 180 s",
           ("scale_by_n", "1000", "wall_s"), "<=", 180.0, "s"),
    Target("build_1000_memory", "1,000-article build peak memory <= 2 GB",
           ("scale_by_n", "1000", "peak_rss_mb"), "<=", 2048.0, "MB"),
    Target("incremental_wall", "one changed article rebuilt <= 15 s",
           ("incremental", "wall_s"), "<=", 15.0, "s"),
    Target("incremental_added_wall", "one added article rebuilt <= 15 s",
           ("incremental", "added", "wall_s"), "<=", 15.0, "s"),
    Target("build_5000_memory", "5,000-article build peak memory <= 4 GB",
           ("scale_by_n", "5000", "peak_rss_mb"), "<=", 4096.0, "MB"),
    Target("build_5000_vs_1000", "5,000-article build <= 5.5x the 1,000-article build",
           ("scale_ratio", "5000_over_1000"), "<=", 5.5, "x"),
    Target("sparql_oxigraph_median", "example queries' median <= 20 ms in Oxigraph",
           ("sparql", "oxigraph", "median_ms"), "<=", 20.0, "ms"),
    Target("sparql_browse_p50", "browsing queries p50 <= 20 ms (Oxigraph, on disk)",
           ("sparql", "browse", "oxigraph", "p50_ms"), "<=", 20.0, "ms"),
    Target("sparql_browse_p95", "browsing queries p95 <= 100 ms (Oxigraph, on disk)",
           ("sparql", "browse", "oxigraph", "p95_ms"), "<=", 100.0, "ms"),
    Target("sparql_whole_graph_p50", "whole-graph example queries p50 <= 150 ms (store in memory, as kg serve answers)",
           ("sparql", "oxigraph_memory", "median_ms"), "<=", 150.0, "ms"),
    Target("browser_draw", "1,000-article graph page drawn <= 5 s",
           ("browser", "draw_s"), "<=", 5.0, "s"),
    Target("map_draw", "1,000-article map page drawn <= 5 s",
           ("browser", "map", "draw_s"), "<=", 5.0, "s"),
    Target("cluster_speedup", "--cluster local:2 extract >= 1.6x one process",
           ("cluster", "speedup"), ">=", 1.6, "x"),
    Target("cluster_vs_pool", "--cluster local:2 extract within 10 % of the pool",
           ("cluster", "vs_pool"), ">=", 0.9, "x"),
    Target("read_pdf_share", "reading a 200-page PDF <= 20 % of its extraction",
           ("reading", "pdf", "share"), "<=", 0.20, ""),
    Target("read_html_share", "reading 1,000 web pages <= 20 % of their extraction",
           ("reading", "html", "share"), "<=", 0.20, ""),
)


# -- small helpers -----------------------------------------------------------------------

def percentile(values: Iterable[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation between closest ranks."""
    xs = sorted(values)
    if not xs:
        raise ValueError("percentile of no values")
    k = (len(xs) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def _lookup(results: dict, path: tuple[str, ...]) -> Any:
    cur: Any = results
    for key in path:
        if not isinstance(cur, dict) or key not in cur:
            return None
        cur = cur[key]
    return cur


def check_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with the measured value and ``met`` (None when the part was not run)."""
    out = []
    for t in TARGETS:
        value = _lookup(results, t.path)
        if not isinstance(value, int | float):
            value, met = None, None
        else:
            met = value >= t.bound if t.op == ">=" else value <= t.bound
        part = results.get(t.path[0])
        n = int(t.path[1]) if t.path[0] == "scale_by_n" else (part.get("n") if isinstance(part, dict) else None)
        out.append({"name": t.name, "target": t.describe, "op": t.op, "bound": t.bound, "unit": t.unit,
                    "value": value, "met": met, "n": n})
    return out


def _say(quiet: bool, msg: str) -> None:
    if not quiet:
        print(msg, file=sys.stderr, flush=True)


def _kg_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "kg.cli", *args]


# -- corpora -----------------------------------------------------------------------------

def _corpus(work: Path, n: int, seed: int) -> Path:
    """The synthetic corpus of size n under ``work`` (written once, reused by every part)."""
    from kg.synth import write_corpus

    d = work / f"corpus-{n}"
    stamp = d / ".complete"
    if not stamp.exists() or not stamp.read_text().startswith(f"{n}:{seed}:"):
        shutil.rmtree(d, ignore_errors=True)
        shutil.rmtree(work / f"gold-{n}", ignore_errors=True)
        write_corpus(d, n, seed, gold_dir=work / f"gold-{n}")
        write_text(stamp, f"{n}:{seed}:{time.time_ns()}")     # a generation id: builds record it
    return d


def _corpus_id(corpus: Path) -> str | None:
    stamp = corpus / ".complete"
    return stamp.read_text() if stamp.exists() else None


def change_article(corpus: Path, index: int | None = None) -> Path:
    """Change one article of a corpus (a figure in its last sentence and one added
    sentence), so its content hash changes; returns its path."""
    files = sorted(corpus.glob("*.txt"))
    path = files[len(files) // 2 if index is None else index]
    text = path.read_text(encoding="utf-8")
    stamp = time.strftime("%H%M%S")
    write_text(path, text.rstrip("\n") + f"\n\n（本文于{stamp}更新，新增就业岗位{len(text) % 90 + 10}个。）\n")
    return path


# -- process tree memory -----------------------------------------------------------------

def measure_build(cmd: list[str], poll_s: float = 0.05, timeout: float | None = None,
                  env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``cmd``; return wall time, exit code, the peak summed RSS of its process tree
    (psutil, every ``poll_s``), the children's ``ru_maxrss`` and the last stderr lines."""
    import psutil

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    peak = 0
    err_chunks: list[str] = []
    try:
        ps = psutil.Process(proc.pid)
        import threading

        reader = threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()), daemon=True)
        reader.start()
        while proc.poll() is None:
            total = 0
            try:
                for p in [ps, *ps.children(recursive=True)]:
                    try:
                        total += p.memory_info().rss
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        pass
            except psutil.NoSuchProcess:
                pass
            peak = max(peak, total)
            if timeout is not None and time.perf_counter() - t0 > timeout:
                proc.kill()
                break
            time.sleep(poll_s)
        proc.wait()
        reader.join(timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    stderr = "".join(err_chunks).strip().splitlines()
    return {"wall_s": round(wall, 3), "exit_code": proc.returncode, "peak_rss_mb": round(peak / 2**20, 1),
            "max_child_rss_mb": round(max(after, before) / 1024, 1) if after > before else None,
            "stderr_tail": stderr[-3:]}


def _build(corpus: Path, out: Path, workers: int, fresh: bool, views: bool = True,
           cluster: str | None = None) -> dict[str, Any]:
    """``kg build`` as a child process, measured; adds the build report's cache and timings."""
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
    cmd = _kg_cmd("build", "-q", "--corpus", str(corpus), "--out", str(out))
    cmd += ["--cluster", cluster] if cluster else ["--workers", str(workers)]
    if not views:
        cmd.append("--no-views")
    res = measure_build(cmd)
    report = out / "build-report.json"
    if res["exit_code"] in (0, 3) and report.exists():
        write_text(out / ".bench-corpus", _corpus_id(corpus) or "")   # which corpus this build is of
        r = json.loads(report.read_text(encoding="utf-8"))
        res["cache"] = r.get("cache", {})
        res["pipeline_version"] = r.get("pipeline_version")
        res["timings"] = r.get("timings", {})
        res["counts"] = r.get("counts", {})
        res["extracted_files"] = [i["file"] for i in r.get("inputs", [])
                                  if i.get("status") == "built" and not i.get("cached")]
    else:
        res["error"] = (res["stderr_tail"] or ["build failed"])[-1]
    return res


# -- the parts ---------------------------------------------------------------------------

@contextlib.contextmanager
def _stage_clock(nlp) -> Iterator[dict[str, float]]:
    """Time the stages of extraction while the block runs: layout repair
    (``kg.normalize.normalize``), tokenisation (``nlp.make_doc``) and each pipeline
    component, by wrapping them for the duration (diagnostic; restored afterwards)."""
    import kg.normalize

    spent: dict[str, float] = {}

    def timed(name: str, fn: Callable) -> Callable:
        def run(*args, **kw):
            t = time.perf_counter()
            try:
                return fn(*args, **kw)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - t
        return run

    article_cls = getattr(importlib.import_module("kg.corpus"), "Article", None)
    orig_method = getattr(article_cls, "normalize", None)
    orig_norm, orig_components = kg.normalize.normalize, list(nlp._components)
    kg.normalize.normalize = timed("normalize", orig_norm)
    if callable(orig_method):
        article_cls.normalize = timed("normalize", orig_method)
    nlp.make_doc = timed("tokenizer", nlp.make_doc)
    nlp._components = [(n, timed(n, p)) for n, p in orig_components]
    try:
        yield spent
    finally:
        kg.normalize.normalize = orig_norm
        if callable(orig_method):
            article_cls.normalize = orig_method
        del nlp.make_doc
        nlp._components = orig_components


def bench_throughput(corpus: Path, workers: int, quiet: bool) -> dict[str, Any]:
    """Extraction vs bare tokenisation, one process; then ``workers`` processes."""
    from kg.corpus import read_corpus
    from kg.extract import extract_corpus
    from kg.nlp import load_pipeline

    articles, rejected = read_corpus(corpus)
    if not articles:
        raise KGError(f"{corpus}: the synthetic corpus yielded no readable articles")
    texts = [a.raw for a in articles]
    chars = sum(len(t) for t in texts)
    t = time.perf_counter()
    nlp = load_pipeline()
    load_s = time.perf_counter() - t
    nlp.make_doc(texts[0])                                    # warm the segmenter

    _say(quiet, f"  bare tokeniser over {len(texts)} articles ({chars} chars)")
    t = time.perf_counter()
    tokens = sum(len(nlp.make_doc(x)) for x in texts)
    bare_s = time.perf_counter() - t

    _say(quiet, "  extraction, 1 process")
    with _stage_clock(nlp) as breakdown:
        t = time.perf_counter()
        single = extract_corpus(articles, cache_dir=None, workers=1, progress=False, nlp=nlp)
        single_s = time.perf_counter() - t

    res: dict[str, Any] = {
        "articles": len(articles), "chars": chars, "tokens": tokens, "pipeline_load_s": round(load_s, 3),
        "tokeniser_s": round(bare_s, 3), "tokeniser_chars_per_s": round(chars / bare_s, 1),
        "extract_s": round(single_s, 3), "extract_chars_per_s": round(chars / single_s, 1),
        "ratio_vs_tokeniser": round(bare_s / single_s, 4),
        "extracted": single.extracted, "rejected": len(single.rejected) + len(rejected),
        "workers": workers,
        # where the single-process time goes (seconds per stage: normalise, tokenise, components)
        "breakdown_s": {k: round(v, 3) for k, v in breakdown.items()},
    }
    if workers > 1:
        _say(quiet, f"  extraction, {workers} worker processes")
        t = time.perf_counter()
        par = extract_corpus(articles, cache_dir=None, workers=workers, progress=False)
        par_s = time.perf_counter() - t
        res.update({"parallel_s": round(par_s, 3), "parallel_chars_per_s": round(chars / par_s, 1),
                    "parallel_speedup": round(single_s / par_s, 4), "parallel_extracted": par.extracted})
        if par.extracted != single.extracted:     # a speed-up of work not done means nothing
            res["parallel_speedup"] = None
            res["parallel_error"] = (f"{par.extracted} of {single.extracted} articles extracted; "
                                     + (par.rejected[0].reason if par.rejected else "unknown reason"))
    return res


def _timed_child(run: Callable[[Any, str], int], setup: Callable[[], Any], q: str, runs: int,
                 budget_s: float) -> dict[str, Any]:
    """Time ``run(engine, q)`` in a forked child (``engine = setup()`` there, untimed): a cold
    first run, then up to ``runs`` more while half the budget lasts. A query still running
    after ``1.5 * budget_s + 5`` seconds is killed and reported as timed out."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)

    def child() -> None:
        try:
            engine = setup()
            t0 = time.perf_counter()
            rows = run(engine, q)
            first = (time.perf_counter() - t0) * 1000
            times = []
            end = time.perf_counter() + budget_s / 2
            while len(times) < runs and time.perf_counter() < end:
                t0 = time.perf_counter()
                run(engine, q)
                times.append((time.perf_counter() - t0) * 1000)
            send.send({"rows": rows, "first_ms": first, "times": times or [first]})
        except Exception as e:  # reported as this query's error
            send.send({"error": f"{type(e).__name__}: {' '.join(str(e).split())[:200]}"})

    limit = budget_s * 1.5 + 5
    proc = ctx.Process(target=child, daemon=True)
    proc.start()
    out = recv.recv() if recv.poll(limit) else None
    if proc.is_alive():
        proc.kill()
    proc.join()
    if out is None:
        return {"error": f"timed out: more than {limit:.0f} s", "timed_out": True, "limit_ms": limit * 1000}
    if "error" in out:
        return out
    times = out["times"]
    return {"rows": out["rows"], "runs": len(times), "first_ms": round(out["first_ms"], 3),
            "median_ms": round(statistics.median(times), 3), "p95_ms": round(percentile(times, 95), 3)}


def bench_sparql(build_out: Path, repeats: int, quiet: bool, budget_s: float = 20.0) -> dict[str, Any]:
    """Median and p95 latency of every example query in Oxigraph (the built store, through
    :func:`kg.store.query` as ``kg query`` runs it) and in rdflib (over ``kg.nt``).

    Each query runs in a forked child with a time budget, so one pathological query cannot
    stall the bench; a query that times out enters the summary at its time limit (a lower
    bound) and is listed."""
    import pyoxigraph as ox
    import rdflib

    from kg.resources import queries_dir

    queries = sorted(queries_dir().glob("*.rq"))
    if not queries:
        return {"error": f"no example queries (*.rq) in {queries_dir()}"}
    nt = build_out / "kg.nt"
    store_dir = build_out / "store"

    def open_ox():
        if store_dir.is_dir():
            from kg.store import open_store

            return open_store(store_dir)
        store = ox.Store()
        store.load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
        return store

    def run_ox(store, q: str) -> int:
        from kg.store import query

        res = query(store, q)                 # what `kg query` runs, rows materialised
        return len(res.rows or res.triples or [])

    t = time.perf_counter()
    g = rdflib.Dataset()
    g.parse(nt, format="nt")
    _add_summary_graph(g, open_ox())       # the queries that read the summary graph find it in rdflib too
    rdflib_load_s = time.perf_counter() - t
    # the store in memory, as `kg serve` answers when it fits (kg.memstore): loaded once here,
    # shared with each forked child
    t = time.perf_counter()
    if store_dir.is_dir():
        from kg.memstore import load_memory_store, memory_needed

        mem, mem_needed = load_memory_store(store_dir), memory_needed(store_dir)
    else:
        mem, mem_needed = open_ox(), None
    memory_load_s = time.perf_counter() - t

    def run_rdflib(graph, q: str) -> int:
        return sum(1 for _ in graph.query(q))

    per_query: dict[str, Any] = {}
    summary_in: dict[str, list[float]] = {"oxigraph": [], "oxigraph_memory": [], "rdflib": []}
    timed_out: dict[str, list[str]] = {"oxigraph": [], "oxigraph_memory": [], "rdflib": []}
    for path in queries:
        text = path.read_text(encoding="utf-8")
        entry = {"oxigraph": _timed_child(run_ox, open_ox, text, repeats, budget_s),
                 "oxigraph_memory": _timed_child(run_ox, lambda: mem, text, repeats, budget_s),
                 "rdflib": _timed_child(run_rdflib, lambda: g, text, max(3, repeats // 10), budget_s)}
        original = path.parent / "portable" / path.name      # the shape before the summary graph
        before = (_timed_child(run_ox, open_ox, original.read_text(encoding="utf-8"), repeats, budget_s)
                  if original.is_file() else entry["oxigraph"])
        if "median_ms" in before:
            summary_in.setdefault("oxigraph_original", []).append(before["median_ms"])
        for engine, e in entry.items():
            if engine == "oxigraph_original":
                continue
            if "median_ms" in e:
                summary_in[engine].append(e["median_ms"])
            elif e.get("timed_out"):
                summary_in[engine].append(e["limit_ms"])
                timed_out[engine].append(path.name)
        if original.is_file():
            entry["oxigraph_original"] = before
        if "median_ms" in entry["oxigraph"] and "median_ms" in entry["rdflib"]:
            entry["ratio"] = round(entry["rdflib"]["median_ms"] / max(entry["oxigraph"]["median_ms"], 1e-6), 2)
        per_query[path.name] = entry
        _say(quiet, f"  {path.name}: " + ", ".join(
            f"{k} {v.get('median_ms', 'timeout' if v.get('timed_out') else 'error')}" for k, v in entry.items()
            if isinstance(v, dict)))

    def summary(xs: list[float]) -> dict[str, float] | None:
        return {"median_ms": round(statistics.median(xs), 3), "p95_ms": round(percentile(xs, 95), 3)} if xs else None

    browse = bench_browse(open_ox, run_ox, lambda: g, run_rdflib, repeats, quiet, budget_s)
    res: dict[str, Any] = {"queries": len(queries), "triples": len(g), "rdflib_load_s": round(rdflib_load_s, 3),
                           "budget_s": budget_s, "timed_out": timed_out,
                           "oxigraph": summary(summary_in["oxigraph"]), "rdflib": summary(summary_in["rdflib"]),
                           "oxigraph_memory": summary(summary_in["oxigraph_memory"]),
                           "memory_load_s": round(memory_load_s, 3), "memory_needed_mb": (
                               round(mem_needed / 2**20) if mem_needed else None),
                           "oxigraph_original": summary(summary_in.get("oxigraph_original", [])),
                           "per_query": per_query,
                           "note": "median/p95 over the per-query medians; a timed-out query counts at its "
                                   "time limit (a lower bound); oxigraph: the store on disk, oxigraph_memory: "
                                   "a copy in memory (kg.memstore, what kg serve answers from when it fits)"}
    if res["oxigraph"] and res["rdflib"]:
        res["ratio_rdflib_over_oxigraph"] = round(res["rdflib"]["median_ms"] / max(res["oxigraph"]["median_ms"], 1e-6), 2)
    res["browse"] = browse
    return res


def _add_summary_graph(ds: Any, store: Any) -> None:
    """Copy the store's summary graph (:mod:`kg.summary`) into an rdflib Dataset."""
    import pyoxigraph as ox
    import rdflib

    from kg.summary import SUMMARY_GRAPH

    def term(t: Any) -> Any:
        return rdflib.URIRef(t.value) if isinstance(t, ox.NamedNode) else rdflib.Literal(t.value)

    graph = ds.graph(rdflib.URIRef(SUMMARY_GRAPH))
    for q in store.quads_for_pattern(None, None, None, ox.NamedNode(SUMMARY_GRAPH)):
        graph.add((term(q.subject), term(q.predicate), term(q.object)))


def bench_browse(open_ox: Callable[[], Any], run_ox: Callable[[Any, str], int], open_rdflib: Callable[[], Any],
                 run_rdflib: Callable[[Any, str], int], repeats: int, quiet: bool, budget_s: float,
                 per_query: int = 8, rdflib_per_query: int = 2) -> dict[str, Any]:
    """The browsing queries (``queries/browse/*.rq``) for ``per_query`` entities each, drawn
    from the graph (:func:`kg.browse.sample_params`): p50 and p95 over every (query, entity)
    median in Oxigraph; rdflib on the first ``rdflib_per_query`` of them for comparison."""
    from kg.browse import browse_queries, fill_params, sample_params

    store = open_ox()
    times: dict[str, list[float]] = {"oxigraph": [], "rdflib": []}
    per: dict[str, Any] = {}
    for q in browse_queries():
        settings = sample_params(store, str(q["text"]), per_query)
        entry: dict[str, Any] = {"entities": len(settings), "oxigraph": [], "rdflib": [], "rows": []}
        for i, values in enumerate(settings):
            text = fill_params(str(q["text"]), values)
            ox_t = _timed_child(run_ox, open_ox, text, repeats, budget_s)
            entry["rows"].append(ox_t.get("rows"))
            if "median_ms" in ox_t:
                entry["oxigraph"].append(ox_t["median_ms"])
                times["oxigraph"].append(ox_t["median_ms"])
            if i < rdflib_per_query:
                rl_t = _timed_child(run_rdflib, open_rdflib, text, 2, budget_s / 2)
                ms = rl_t.get("median_ms", rl_t.get("limit_ms"))
                if ms is not None:
                    entry["rdflib"].append(ms)
                    times["rdflib"].append(ms)
        per[str(q["name"])] = entry
        _say(quiet, f"  {q['name']}: oxigraph " + ", ".join(f"{x:.1f}" for x in entry["oxigraph"])
             + " ms; rdflib " + ", ".join(f"{x:.0f}" for x in entry["rdflib"]) + " ms")
    del store

    def summary(xs: list[float]) -> dict[str, float] | None:
        return ({"p50_ms": round(percentile(xs, 50), 3), "p95_ms": round(percentile(xs, 95), 3), "n": len(xs)}
                if xs else None)

    out: dict[str, Any] = {"queries": len(per), "oxigraph": summary(times["oxigraph"]),
                           "rdflib": summary(times["rdflib"]), "per_query": per,
                           "note": f"{per_query} entities a query; p50/p95 over the (query, entity) medians "
                                   "of repeated runs in the on-disk store; rdflib: the first "
                                   f"{rdflib_per_query} entities, a timed-out run counted at its limit"}
    if out["oxigraph"] and out["rdflib"]:
        out["ratio_rdflib_over_oxigraph"] = round(out["rdflib"]["p50_ms"] / max(out["oxigraph"]["p50_ms"], 1e-6), 2)
    return out


#: JavaScript that tells whether the page's network view has drawn: the page's own flag
#: (the graph.html template sets ``window.kgDrawn`` and ``window.kgStats`` on vis.js's
#: first ``afterDrawing``).
_DRAWN_JS = """() => {
  if (window.kgDrawn === true) return true;
  const b = document.body; if (b && b.dataset && b.dataset.drawn === 'true') return true;
  return false;
}"""


def bench_browser(page_path: Path, timeout_s: float = 120.0) -> dict[str, Any]:
    """Open ``graph.html`` from disk in headless Chromium with the network blocked and time
    navigation -> drawn."""
    from playwright.sync_api import sync_playwright

    chromium = Path(os.environ.get("KG_CHROMIUM", "/usr/bin/chromium"))
    if not chromium.exists():
        return {"error": f"{chromium}: no Chromium (apt-get install -y chromium)"}
    if not page_path.exists():
        return {"error": f"{page_path}: no graph page (build with views)"}
    blocked: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})

            def route(r):
                if r.request.url.startswith("file:"):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            t = time.perf_counter()
            page.goto(page_path.resolve().as_uri(), wait_until="commit", timeout=timeout_s * 1000)
            page.wait_for_function(_DRAWN_JS, timeout=timeout_s * 1000, polling=20)
            draw_s = time.perf_counter() - t
            stats = page.evaluate("() => window.kgStats || null") or {}
            views: dict[str, Any] = {}
            if stats.get("mode") == "overview":
                # a big graph opens on its regions: also time the largest region and the
                # whole graph, drawn on request (the page's own clock, click to drawing)
                sizes = page.evaluate("() => window.kgRegions.map(r => r.nodes)")
                largest = max(range(len(sizes)), key=sizes.__getitem__)
                views["largest_region"] = page.evaluate(f"kgOpenRegion({largest})")
                views["whole_graph"] = page.evaluate("kgShowAll()")
        finally:
            browser.close()
    return {"draw_s": round(draw_s, 3), "nodes": stats.get("nodes"), "edges": stats.get("edges"),
            "mode": stats.get("mode", "all"), "total_nodes": stats.get("total_nodes", stats.get("nodes")),
            "regions": stats.get("regions", 0),
            # the page's own clock: from creating the vis.js network to its first drawing
            "network_draw_ms": stats.get("ms"), "page_mb": round(page_path.stat().st_size / 2**20, 2),
            # nodes/edges: drawn (the classes and focus the page opens with); loaded: in the view
            **{f"{k}_{f}": v.get(f) for k, v in views.items() for f in ("ms", "nodes", "edges", "loaded")},
            "blocked_requests": len(blocked), "console_errors": errors[:5]}


def bench_map(page_path: Path, timeout_s: float = 120.0) -> dict[str, Any]:
    """Open ``map.html`` from disk in headless Chromium with the network blocked and time
    navigation -> the map drawn (:func:`kg.views.measure_draw`)."""
    from kg.views import CHROMIUM, measure_draw

    chromium = os.environ.get("KG_CHROMIUM", CHROMIUM)
    if not Path(chromium).exists():
        return {"error": f"{chromium}: no Chromium (apt-get install -y chromium)"}
    if not page_path.exists():
        return {"error": f"{page_path}: no map page (build with views)"}
    r = measure_draw(page_path, timeout_s=timeout_s, chromium=chromium)
    page = r.get("page") or {}
    return {"draw_s": r["seconds"], "marks": r["nodes"], "arcs": r["edges"], "counties": page.get("counties"),
            "townships": page.get("townships"), "svg_ms": page.get("ms"), "page_mb": round(page_path.stat().st_size / 2**20, 2),
            "blocked_requests": len(r["blocked"]), "console_errors": r["console_errors"][:5]}


# -- the whole bench ---------------------------------------------------------------------

def run_bench(sizes: list[int], out: str | os.PathLike, workers: int = 2, quiet: bool = False,
              skip: Iterable[str] = (), seed: int = 0, sparql_repeats: int = 30,
              throughput_n: int | None = None, views: bool = True,
              reading_sizes: tuple[int, int] = (1000, 200)) -> dict[str, Any]:
    """Run the parts not skipped; return the results (also written to ``OUT/bench.json``).

    ``views=False`` builds without analytics and HTML views (``kg build --no-views``); the
    browser part then has no page to open. ``reading_sizes``: the web pages and PDF pages the
    reading part reads (the target's 1,000 and 200)."""
    import psutil

    skip = set(skip)
    unknown = skip - set(PARTS)
    if unknown:
        raise KGError(f"--skip: unknown part(s) {', '.join(sorted(unknown))}; parts: {', '.join(PARTS)}")
    sizes = sorted(set(sizes))
    if not sizes or min(sizes) < 1:
        raise KGError("--sizes: give positive article counts, e.g. 100,1000,5000")
    if workers < 1:
        raise KGError(f"--workers must be at least 1 (got {workers})")
    out = Path(out)
    work = out / "bench"
    try:
        work.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise KGError(f"{out}: cannot write to the output directory ({e.strerror or e})") from None
    ref_n = REFERENCE_N if REFERENCE_N in sizes else max(sizes)
    for stamp in work.glob("corpus-*/.complete"):
        if ":changed:" in stamp.read_text():         # changed by an earlier incremental run
            stamp.unlink()
    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
                    "python": platform.python_version(), "platform": platform.platform()},
        "config": {"sizes": sizes, "workers": workers, "seed": seed, "skip": sorted(skip),
                   "reference_n": ref_n, "views": views},
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    from kg.synth import synth_article

    sample = [len(synth_article(i, seed).text) for i in range(min(50, max(sizes)))]
    results["synth"] = {"mean_chars_per_article": round(statistics.mean(sample), 1), "seed": seed}

    def part(name: str, fn: Callable[[], Any]) -> None:
        if name in skip:
            return
        _say(quiet, f"[bench] {name}")
        t = time.perf_counter()
        try:
            results[name] = fn()
        except KGError:
            raise
        except Exception as e:  # one failing part must not lose the others' figures
            results[name] = {"error": f"{type(e).__name__}: {' '.join(str(e).split())[:300]}"}
        results.setdefault("part_seconds", {})[name] = round(time.perf_counter() - t, 1)
        write_json(out / "bench.json", {**results, "targets": check_targets(results), "finished": None})

    tn = throughput_n or min(sizes)
    part("throughput", lambda: bench_throughput(_corpus(work, tn, seed), workers, quiet))

    def scale() -> list[dict[str, Any]]:
        rows = []
        for n in sizes:
            _say(quiet, f"  kg build, N={n}, --workers {workers}")
            corpus = _corpus(work, n, seed)
            chars = sum(len(p.read_text(encoding="utf-8")) for p in corpus.glob("*.txt"))
            rows.append({"n": n, "workers": workers, "chars": chars,
                         **_build(corpus, work / f"build-{n}", workers, fresh=True, views=views)})
        return rows

    part("scale", scale)

    def quality() -> dict[str, Any]:
        """How well the extractor does on the synthetic gold of the smallest build (no target)."""
        from kg.evaluate import METRICS, evaluate

        n = sizes[0]
        res = evaluate(work / f"build-{n}" / "kg.nt", work / f"gold-{n}")
        return {"n": n, **{f"{k}_f1": res[k]["f1"] for k in METRICS},
                "case_place_accuracy": res["case_place_accuracy"]}

    if isinstance(results.get("scale"), list) and "error" not in results["scale"][0]:
        part("quality", quality)
    if isinstance(results.get("scale"), list):
        results["scale_by_n"] = {str(r["n"]): r for r in results["scale"]}
        results["parallel"] = parallel_at_scale(results)
        by_n = results["scale_by_n"]
        if all(k in by_n and "error" not in by_n[k] for k in ("1000", "5000")):
            results["scale_ratio"] = {"5000_over_1000": round(by_n["5000"]["wall_s"] / by_n["1000"]["wall_s"], 2)}

    ref_out = work / f"build-{ref_n}"

    def ensure_ref_build() -> None:
        corpus = _corpus(work, ref_n, seed)
        built_from = ref_out / ".bench-corpus"
        if not built_from.exists() or built_from.read_text() != _corpus_id(corpus):
            _say(quiet, f"  (building the N={ref_n} corpus first, untimed)")
            res = _build(corpus, ref_out, workers, fresh=True, views=views)
            if "error" in res:
                raise RuntimeError(f"the N={ref_n} build failed: {res['error']}")

    def incremental() -> dict[str, Any]:
        ensure_ref_build()
        corpus = _corpus(work, ref_n, seed)
        changed = change_article(corpus)
        # the corpus now differs from its seed: a new generation id, and the next bench run rewrites it
        write_text(corpus / ".complete", f"{ref_n}:{seed}:changed:{time.time_ns()}")
        before = json.loads((ref_out / "build-report.json").read_text(encoding="utf-8")).get("pipeline_version")
        res = _build(corpus, ref_out, workers, fresh=False, views=views)
        cache = res.get("cache", {})
        # the extractor's code or lexicons edited between the two builds: everything re-extracts
        res["pipeline_changed"] = res.get("pipeline_version") != before
        res.update({"n": ref_n, "changed": changed.name, "extracted": cache.get("extracted"),
                    "cache_hits": cache.get("hits"),
                    "only_changed_reextracted": res.get("extracted_files") == [changed.name]})
        # one added article, then the same article deleted again (the corpus as it was)
        from kg.synth import synth_article

        new = synth_article(ref_n, seed)
        write_text(corpus / new.file_name, new.text)
        added = _build(corpus, ref_out, workers, fresh=False, views=views)
        (corpus / new.file_name).unlink()
        deleted = _build(corpus, ref_out, workers, fresh=False, views=views)
        # a full build of the same size: the scale part's, else the reference build's own report
        scale = (results.get("scale_by_n") or {}).get(str(ref_n)) or {}
        full_s = scale.get("wall_s") if "error" not in scale else None
        res["full_s"] = full_s
        res["ratio_to_full"] = round(res["wall_s"] / full_s, 3) if full_s and "wall_s" in res else None
        for key, r in (("added", added), ("deleted", deleted)):
            res[key] = {k: r.get(k) for k in ("wall_s", "peak_rss_mb", "timings", "extracted_files", "error")
                        if r.get(k) is not None}
            res[key]["patch"] = (r.get("cache") or {}).get("patch")
            res[key]["ratio_to_full"] = round(r["wall_s"] / full_s, 3) if full_s and "wall_s" in r else None
        res["added"]["file"] = new.file_name
        return res

    part("incremental", incremental)

    def sparql() -> dict[str, Any]:
        ensure_ref_build()
        return {"n": ref_n, **bench_sparql(ref_out, sparql_repeats, quiet)}

    part("sparql", sparql)

    def browser() -> dict[str, Any]:
        ensure_ref_build()
        return {"n": ref_n, **bench_browser(ref_out / "graph.html"), "map": bench_map(ref_out / "map.html")}

    part("browser", browser)
    part("cluster", lambda: bench_cluster(work, _corpus(work, ref_n, seed), ref_n, workers, results, quiet))

    def reading() -> dict[str, Any]:
        from kg.readcost import bench_reading

        return bench_reading(work / "reading", seed=seed, html_pages=reading_sizes[0], pdf_pages=reading_sizes[1],
                             sample=min(60, reading_sizes[0]), quiet=quiet)

    part("reading", reading)

    results["targets"] = check_targets(results)
    results["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    write_json(out / "bench.json", results)
    return results


def bench_cluster(work: Path, corpus: Path, n: int, workers: int, results: dict[str, Any],
                  quiet: bool) -> dict[str, Any]:
    """The ``cluster`` part (see the module docstring)."""
    spec = f"local:{max(2, workers)}"
    chars = sum(len(p.read_text(encoding="utf-8")) for p in corpus.glob("*.txt"))

    def extract_cps(res: dict[str, Any], what: str) -> float:
        if "error" in res or not res.get("timings", {}).get("extract"):
            raise RuntimeError(f"{what} failed: {res.get('error', 'no extract timing')}")
        if res.get("cache", {}).get("hits"):
            raise RuntimeError(f"{what}: the cache was not cold")
        return chars / res["timings"]["extract"]

    _say(quiet, f"  kg build --cluster {spec}, N={n} (no views)")
    res = _build(corpus, work / f"build-{n}-cluster", workers, fresh=True, views=False, cluster=spec)
    cps = extract_cps(res, f"the --cluster {spec} build")
    cluster_info = json.loads((work / f"build-{n}-cluster" / "build-report.json").read_text(encoding="utf-8"))
    out: dict[str, Any] = {"n": n, "cluster": spec, "chars": chars, "extract_s": res["timings"]["extract"],
                           "wall_s": res["wall_s"], "peak_rss_mb": res["peak_rss_mb"],
                           "chars_per_s": round(cps, 1), "batches": cluster_info.get("cluster", {}).get("batches"),
                           "batch": cluster_info.get("cluster", {}).get("batch")}
    tp = results.get("throughput")
    if isinstance(tp, dict) and tp.get("extract_chars_per_s"):
        out["speedup"] = round(cps / tp["extract_chars_per_s"], 4)
    par = results.get("parallel")
    if isinstance(par, dict) and par.get("n") == n and par.get("workers") == max(2, workers):
        pool_cps, out["pool_from"] = par["chars_per_s"], "scale"
    else:
        _say(quiet, f"  kg build --workers {max(2, workers)}, N={n} (no views), for the pool's figure")
        pool = _build(corpus, work / f"build-{n}-pool", max(2, workers), fresh=True, views=False)
        pool_cps, out["pool_from"] = extract_cps(pool, "the worker pool build"), "this part"
    out["pool_chars_per_s"] = round(pool_cps, 1)
    out["vs_pool"] = round(cps / pool_cps, 4)
    return out


def parallel_at_scale(results: dict[str, Any]) -> dict[str, Any] | None:
    """``--workers`` against one process where start-up does not dominate: the extraction
    stage of the largest scale build (a fresh cache: every article extracted, worker start-up
    included) in chars/s, over the one-process throughput of the throughput part."""
    tp = results.get("throughput")
    rows = [r for r in results.get("scale") or [] if "error" not in r and r.get("timings", {}).get("extract")]
    if not isinstance(tp, dict) or "extract_chars_per_s" not in tp or not rows:
        return None
    r = max(rows, key=lambda r: r["n"])
    if r.get("workers", 1) < 2 or r.get("cache", {}).get("hits"):
        return None
    cps = r["chars"] / r["timings"]["extract"]
    return {"n": r["n"], "workers": r["workers"], "chars": r["chars"], "extract_s": r["timings"]["extract"],
            "chars_per_s": round(cps, 1), "speedup": round(cps / tp["extract_chars_per_s"], 4)}


def _fmt(v: Any, unit: str = "") -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.3g}{unit}" if abs(v) < 100 else f"{v:,.0f}{unit}"
    return f"{v}{unit}"


def format_table(results: dict[str, Any]) -> str:
    """The bench results as a readable table, ending with each target met or missed."""
    lines = []
    tp = results.get("throughput")
    if isinstance(tp, dict):
        if "error" in tp:
            lines.append(f"throughput: ERROR {tp['error']}")
        else:
            lines.append(f"throughput ({tp['articles']} articles, {tp['chars']:,} chars)")
            lines.append(f"  bare tokeniser   {_fmt(tp['tokeniser_chars_per_s'])} chars/s")
            lines.append(f"  extraction x1    {_fmt(tp['extract_chars_per_s'])} chars/s"
                         f"  = {tp['ratio_vs_tokeniser']:.2f}x tokeniser")
            if tp.get("parallel_error"):
                lines.append(f"  extraction x{tp['workers']}    ERROR {tp['parallel_error']}")
            elif "parallel_s" in tp:
                lines.append(f"  extraction x{tp['workers']}    {_fmt(tp['parallel_chars_per_s'])} chars/s"
                             f"  = {tp['parallel_speedup']:.2f}x one process (pool start-up included)")
            par = results.get("parallel")
            if isinstance(par, dict):
                lines.append(f"  extraction x{par['workers']}    {_fmt(par['chars_per_s'])} chars/s"
                             f"  = {par['speedup']:.2f}x one process (kg build's extract stage, N={par['n']})")
            slow = sorted(tp.get("breakdown_s", {}).items(), key=lambda kv: -kv[1])[:4]
            if slow:
                lines.append("  slowest stages   " + ", ".join(f"{k} {v:.1f} s" for k, v in slow))
    if isinstance(results.get("scale"), list):
        lines.append("kg build end to end")
        lines.append(f"  {'N':>6} {'wall s':>9} {'peak MB':>9} {'extract s':>10} {'graph s':>8} {'views s':>8}  status")
        for r in results["scale"]:
            tm = r.get("timings", {})
            status = r.get("error") or f"exit {r['exit_code']}"
            lines.append(f"  {r['n']:>6} {r['wall_s']:>9.1f} {r['peak_rss_mb']:>9.0f} {_fmt(tm.get('extract')):>10}"
                         f" {_fmt(tm.get('graph')):>8} {_fmt(tm.get('views')):>8}  {status}")
    elif isinstance(results.get("scale"), dict):
        lines.append(f"scale: ERROR {results['scale'].get('error')}")
    q = results.get("quality")
    if isinstance(q, dict) and "error" not in q:
        lines.append(f"extraction quality on the synthetic gold (N={q['n']}; kg eval): " + ", ".join(
            f"{k.removesuffix('_f1')} {v:.2f}" for k, v in q.items() if k.endswith("_f1") or k == "case_place_accuracy"))
    inc = results.get("incremental")
    if isinstance(inc, dict):
        if "error" in inc:
            lines.append(f"incremental: ERROR {inc['error']}")
        else:
            lines.append(f"incremental rebuild (N={inc['n']}, changed {inc['changed']}): {inc['wall_s']:.1f} s, "
                         f"{inc.get('extracted')} extracted, {inc.get('cache_hits')} from cache"
                         f"{'' if inc.get('only_changed_reextracted') else '  (NOT only the changed article!)'}"
                         + (f"; {inc['ratio_to_full']:.2f}x the full build ({inc['full_s']:.1f} s)"
                            if inc.get("ratio_to_full") else ""))
            for key in ("added", "deleted"):
                r = inc.get(key) or {}
                if "wall_s" in r:
                    tm = r.get("timings") or {}
                    lines.append(f"  one article {key} (N={inc['n']}): {r['wall_s']:.1f} s"
                                 + (f", {r['ratio_to_full']:.2f}x the full build" if r.get("ratio_to_full") else "")
                                 + f" (graph {_fmt(tm.get('graph'))}, store {_fmt(tm.get('store'))}, "
                                   f"SHACL {_fmt(tm.get('validate'))}, views {_fmt(tm.get('views'))}; "
                                   f"patch {r.get('patch')})")
    sp = results.get("sparql")
    if isinstance(sp, dict):
        if "error" in sp:
            lines.append(f"sparql: ERROR {sp['error']}")
        else:
            ox, rl = sp.get("oxigraph") or {}, sp.get("rdflib") or {}
            lines.append(f"SPARQL, {sp['queries']} example queries on N={sp['n']} ({sp['triples']:,} triples)")
            lines.append(f"  oxigraph  median {_fmt(ox.get('median_ms'), ' ms')}  p95 {_fmt(ox.get('p95_ms'), ' ms')}")
            om = sp.get("oxigraph_memory") or {}
            if om:
                lines.append(f"  oxigraph, the store in memory (as kg serve answers; loaded in "
                             f"{_fmt(sp.get('memory_load_s'), ' s')}, ~{_fmt(sp.get('memory_needed_mb'), ' MB')}): median "
                             f"{_fmt(om.get('median_ms'), ' ms')}  p95 {_fmt(om.get('p95_ms'), ' ms')}")
            orig = sp.get("oxigraph_original") or {}
            if orig:
                lines.append(f"  oxigraph, the original query shapes (queries/portable/, no summary graph): median "
                             f"{_fmt(orig.get('median_ms'), ' ms')}  p95 {_fmt(orig.get('p95_ms'), ' ms')}")
            lines.append(f"  rdflib    median {_fmt(rl.get('median_ms'), ' ms')}  p95 {_fmt(rl.get('p95_ms'), ' ms')}"
                         f"  ratio rdflib/oxigraph {_fmt(sp.get('ratio_rdflib_over_oxigraph'), 'x')}")
            for engine, names in (sp.get("timed_out") or {}).items():
                if names:
                    lines.append(f"  {engine} timed out ({sp['budget_s'] * 1.5 + 5:.0f} s) on: {', '.join(names)}")
            per = sp.get("per_query", {})
            if per:
                lines.append("  per query, median / p95 ms: on disk (original shapes) | on disk | in memory | rdflib")

                def cell(e: dict | None) -> str:
                    if not e:
                        return "—"
                    if "median_ms" not in e:
                        return "timeout" if e.get("timed_out") else "error"
                    return f"{e['median_ms']:.1f} / {e['p95_ms']:.1f}"

                for k, v in per.items():
                    lines.append(f"    {k[:40]:40s} {cell(v.get('oxigraph_original')):>17s} | {cell(v.get('oxigraph')):>17s}"
                                 f" | {cell(v.get('oxigraph_memory')):>17s} | {cell(v.get('rdflib')):>17s}")
            bw = sp.get("browse") or {}
            if bw.get("oxigraph"):
                bo, br = bw["oxigraph"], bw.get("rdflib") or {}
                lines.append(f"  browsing, {bw['queries']} one-entity queries x {bo['n'] // max(bw['queries'], 1)} "
                             f"entities: oxigraph p50 {_fmt(bo['p50_ms'], ' ms')}  p95 {_fmt(bo['p95_ms'], ' ms')};"
                             f"  rdflib p50 {_fmt(br.get('p50_ms'), ' ms')}  p95 {_fmt(br.get('p95_ms'), ' ms')}"
                             f"  ratio {_fmt(bw.get('ratio_rdflib_over_oxigraph'), 'x')}")
    br = results.get("browser")
    if isinstance(br, dict):
        if "error" in br:
            lines.append(f"browser: ERROR {br['error']}")
        else:
            if br.get("mode") == "overview":
                lines.append(f"graph.html (N={br['n']}, {br['page_mb']} MB, {br['total_nodes']} nodes): overview of "
                             f"{br['regions']} regions ({br['nodes']} nodes) drawn in {br['draw_s']:.2f} s; "
                             f"{br['blocked_requests']} outside requests blocked")
                lines.append(f"  on request: largest region ({br['largest_region_nodes']} nodes) "
                             f"{br['largest_region_ms'] / 1000:.2f} s, whole graph ({br['whole_graph_nodes']} nodes) "
                             f"{br['whole_graph_ms'] / 1000:.2f} s")
            else:
                lines.append(f"graph.html (N={br['n']}, {br['page_mb']} MB, {br['nodes']} nodes) drawn in "
                             f"{br['draw_s']:.2f} s; {br['blocked_requests']} outside requests blocked")
    mp = results.get("browser", {}).get("map") if isinstance(results.get("browser"), dict) else None
    if isinstance(mp, dict):
        if "error" in mp:
            lines.append(f"map: ERROR {mp['error']}")
        else:
            lines.append(f"map.html ({mp['page_mb']} MB, {mp['counties']} counties, {mp['townships']} townships, "
                         f"{mp['arcs']} flows) drawn in {mp['draw_s']:.2f} s; {mp['blocked_requests']} outside "
                         "requests blocked")
    cl = results.get("cluster")
    if isinstance(cl, dict):
        if "error" in cl:
            lines.append(f"cluster: ERROR {cl['error']}")
        else:
            lines.append(f"extraction on --cluster {cl['cluster']} (N={cl['n']}, {cl['batches']} tasks of "
                         f"{cl['batch']}): {_fmt(cl['chars_per_s'])} chars/s = {_fmt(cl.get('speedup'), 'x')} one "
                         f"process, {_fmt(cl['vs_pool'], 'x')} the worker pool (start-up included)")
    rd = results.get("reading")
    if isinstance(rd, dict):
        if "error" in rd:
            lines.append(f"reading: ERROR {rd['error']}")
        else:
            ex = rd["extract_sample"]
            lines.append(f"reading (extraction {_fmt(ex['chars_per_s'])} chars/s on {ex['articles']} of the pages, "
                         "CPU time)")
            for key, what in (("html", "web pages"), ("pdf", "PDF pages")):
                r = rd[key]
                lines.append(f"  {r['pages']:>5} {what:<9} {r['read_s']:>7.2f} s ({_fmt(r['read_chars_per_s'])} chars/s)"
                             f" = {100 * r['share']:.1f} % of extracting their {r['chars']:,} chars ({r['extract_s']:.0f} s)")
    lines.append("targets")
    for t in results.get("targets", check_targets(results)):
        mark = {True: "met", False: "MISSED", None: "not measured"}[t["met"]]
        if t["met"] is not None and t.get("n") not in (None, REFERENCE_N):
            mark += f" (measured at N={t['n']}, not 1,000)"
        lines.append(f"  {t['target']:<50} {_fmt(t['value'], t['unit']):>12}  {mark}")
    return "\n".join(lines)


def bench_command(sizes: list[int], out: str | os.PathLike, workers: int = 2, quiet: bool = False,
                  skip: Iterable[str] = ()) -> int:
    """``kg bench``: run, write ``OUT/bench.json``, print the table. Exit 0 (targets missed
    are findings, not failures); 1 when a part failed with an error."""
    results = run_bench(sizes, out, workers=workers, quiet=quiet, skip=skip)
    print(format_table(results))
    print(f"results: {Path(out) / 'bench.json'}")
    failed = [k for k in PARTS if isinstance(results.get(k), dict) and "error" in results[k]]
    return 1 if failed else 0
