"""``kg build``: corpus -> records -> graph -> store -> analytics and views, all or nothing.

Stages: read the corpus (:mod:`kg.corpus`), extract (:mod:`kg.extract`, cached), write one
JSON record per article (``extractions/``), build the RDF graph and write ``kg.ttl``,
``kg.nt``, ``kg.jsonld`` (:mod:`kg.graph`); then, in a thread, load the Oxigraph store
(``store/``, :mod:`kg.store`) and validate the graph against the SHACL shapes, while the
main thread computes the analytics, ``report.html`` and the pyvis views (:mod:`kg.analytics`,
:mod:`kg.views`); last ``build-report.json``, which lists every input as built or rejected
with the reason.

Where things go
    Each build writes into a fresh directory ``OUT/.build-<id>/`` and is then *committed*
    with one atomic step: every top-level output (``kg.ttl``, ``store``, ``cases``,
    ``build-report.json``...) is a symlink ``OUT/NAME -> .current/NAME``, and the commit
    swaps the symlink ``OUT/.current`` to the new build directory with one ``os.replace``.
    A build that fails or is killed at any moment therefore leaves the previous output
    complete and consistent (readers see all of the old output or all of the new, never a
    mixture), and the next build removes what the killed one left. The previous build
    directory is deleted after the swap (a running ``kg serve`` follows to the new store).

The cache
    ``OUT/cache/<version>/<sha256 of the text>.json`` (or ``cache_dir``): extraction records
    (:mod:`kg.extract`), kept in the output directory so that each output tree is
    self-contained and deleting it resets everything; an unchanged article is never
    extracted twice, and a build killed during extraction resumes from the articles
    already done. ``OUT/cache/shacl.json`` keeps the last SHACL result with a key hashing
    the graph's bytes, the shapes and the validator, so an unchanged graph is not
    validated again.

Incremental
    The graph is merged from per-article parts cached by record (:mod:`kg.incremental`), so
    only added and changed articles make new triples; when the committed build left its
    state (``.incremental.json``), its store is copied by hard links and patched with the
    lines that differ, and SHACL checks the changed part plus what links to it. The result
    equals a build from scratch (tests/test_incremental.py).

One build at a time writes to an output directory (``OUT/.lock``, released by the kernel
even when the process is killed).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import gc
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kg import __version__
from kg.errors import EXIT_FAILURE, EXIT_OK, EXIT_REJECTED, InputError, KGError
from kg.io import fault_point, fsync_dir, json_text, remove_path, write_json, write_or_link

__all__ = ["build", "BuildReport", "InputStatus", "recover", "CURRENT", "BUILD_PREFIX", "REPORT"]

CURRENT = ".current"
BUILD_PREFIX = ".build-"
REPORT = "build-report.json"


@dataclass
class InputStatus:
    """One input file and what became of it."""

    file: str
    path: str
    status: str                 # "built" or "rejected"
    reason: str | None = None
    cached: bool = False        # its record came from the extraction cache
    format: str | None = None   # what a built file was read as: text, html, pdf, docx
    text: str | None = None     # where its text (what evidence offsets index) is stored, under OUT
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class BuildReport:
    """What ``kg build`` did (also written as ``OUT/build-report.json``)."""

    corpus: str
    out: str
    inputs: list[InputStatus] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    shacl: dict[str, Any] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)
    cluster: dict[str, Any] = field(default_factory=dict)     # --cluster: address, workers, batches
    pipeline_version: str = ""
    kg_version: str = __version__
    started: str = ""
    finished: str = ""

    @property
    def built(self) -> list[InputStatus]:
        return [i for i in self.inputs if i.status == "built"]

    @property
    def rejected(self) -> list[InputStatus]:
        return [i for i in self.inputs if i.status == "rejected"]

    @property
    def exit_code(self) -> int:
        return EXIT_REJECTED if self.rejected else EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["exit_code"] = self.exit_code
        return d


class _StageMissing(KGError):
    exit_code = EXIT_FAILURE


def _stage_import(module: str, names: tuple[str, ...], stage: str) -> tuple[Callable, ...]:
    """Import a stage's functions, with a clear message while the module is not there."""
    import importlib

    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name == module:
            raise _StageMissing(f"the {stage} stage is not available: module {module} is missing") from None
        raise
    missing = [n for n in names if not hasattr(mod, n)]
    if missing:
        raise _StageMissing(f"the {stage} stage is not available: {module} has no {', '.join(missing)}")
    return tuple(getattr(mod, n) for n in names)


@contextlib.contextmanager
def _long_lived_heap():
    """Tune Python's cycle collector for a build, which holds millions of long-lived
    objects (records, the networkx graph): collect the young generation less often, and
    the callers ``gc.freeze()`` those objects once made, so collections stop scanning them
    (they are still freed by reference counting). About 10 % off the graph, load and
    analytics stages at 1,000 articles. Restored on exit."""
    threshold = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


# -- output directory: lock, staging, commit ---------------------------------------------

@contextlib.contextmanager
def _locked(out: Path):
    import fcntl

    try:
        out.mkdir(parents=True, exist_ok=True)
        fh = open(out / ".lock", "a+")  # noqa: SIM115 (held for the whole build)
    except OSError as e:
        raise KGError(f"{out}: cannot write to the output directory ({e.strerror or e})") from None
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise KGError(f"{out}: another kg build is writing to this output directory") from None
        yield
    finally:
        fh.close()


def _current(out: Path) -> Path | None:
    """The build directory ``OUT/.current`` points at, if any."""
    link = out / CURRENT
    if link.is_symlink():
        target = out / os.readlink(link)
        if target.is_dir():
            return target
    return None


def recover(out: str | os.PathLike) -> list[str]:
    """Tidy what a killed build left: build directories that never became current and
    dangling entry links. The committed output is never touched. Returns what was removed."""
    out = Path(out)
    if not out.is_dir():
        return []
    current = _current(out)
    removed = []
    for p in out.glob(f"{BUILD_PREFIX}*"):
        if current is None or p.name != current.name:
            remove_path(p)
            removed.append(p.name)
    for p in out.glob(f".*.link-{BUILD_PREFIX}*"):     # links a killed commit had not yet swapped in
        if p.is_symlink():
            p.unlink()
    for p in out.iterdir():
        if _is_entry_link(p) and not p.exists():
            p.unlink()
            removed.append(p.name)
    return removed


def _is_entry_link(p: Path) -> bool:
    return p.is_symlink() and os.readlink(p).startswith(f"{CURRENT}/")


def _commit(out: Path, build_dir: Path) -> list[str]:
    """Make ``build_dir`` the output in one atomic step.

    Each top-level output name is (once and for all) a symlink ``NAME -> .current/NAME``;
    committing swaps ``.current`` to the new build directory with one ``os.replace``. A
    reader sees the whole previous output or the whole new one, never a mixture.
    """
    names = sorted(p.name for p in build_dir.iterdir() if not p.name.startswith("."))
    for name in names:                       # 1. entry links (new names dangle until the swap)
        entry = out / name
        if _is_entry_link(entry):
            continue
        tmp = out / f".{name}.link-{build_dir.name}"
        remove_path(tmp)
        os.symlink(f"{CURRENT}/{name}", tmp)
        if entry.exists() or entry.is_symlink():
            if entry.is_dir() and not entry.is_symlink():   # an older layout: a real directory
                old = out / f".{name}.old"
                remove_path(old)
                os.replace(entry, old)
                os.replace(tmp, entry)
                remove_path(old)
                continue
        os.replace(tmp, entry)
    fault_point("before_swap")               # tests: die with everything ready but not swapped
    link = out / f".{CURRENT}.link-{build_dir.name}"
    remove_path(link)
    os.symlink(build_dir.name, link, target_is_directory=True)
    os.replace(link, out / CURRENT)           # 2. the commit
    fsync_dir(out)
    fault_point("after_swap")
    recover(out)                              # 3. old build directories, links to dropped names
    return names


# -- the build ---------------------------------------------------------------------------

def _record_counts(rec) -> dict[str, int]:
    return {"persons": len(rec.persons), "places": len(rec.places), "organizations": len(rec.organizations),
            "programs": len(rec.programs), "statistics": len(rec.statistics), "cases": len(rec.cases)}


def _shacl_summary(result: Any) -> dict[str, Any]:
    """Normalise what kg.graph.validate returns (pyshacl's triple, an object, or a bool)."""
    if isinstance(result, tuple) and result:
        conforms, text = bool(result[0]), str(result[-1]) if len(result) > 1 else ""
    elif isinstance(result, dict):
        return {"conforms": bool(result.get("conforms")), **{k: v for k, v in result.items() if k != "conforms"}}
    elif hasattr(result, "conforms"):
        conforms, text = bool(result.conforms), str(getattr(result, "text", "") or getattr(result, "report", ""))
    else:
        conforms, text = bool(result), ""
    violations = text.count("Constraint Violation")
    return {"conforms": conforms, "violations": violations, "report": text[:20000]}


def _article_stem(file_name: str) -> str:
    """Where an article's files go under ``extractions/`` and ``texts/``: its id (path in the
    corpus) without a ``.txt`` suffix (``x.txt`` -> ``x``, ``gansu/x.html`` -> ``gansu/x.html``)."""
    return file_name[:-4] if file_name.lower().endswith(".txt") else file_name


def _record_file_name(file_name: str) -> str:
    return f"{_article_stem(file_name)}.json"


def _text_file_name(file_name: str) -> str:
    """``texts/<article>.txt``: the article's text as read, which evidence offsets index."""
    return f"texts/{_article_stem(file_name)}.txt"


def build(corpus: str | os.PathLike = "corpus", out: str | os.PathLike = "output", workers: int = 1,
          quiet: bool = False, views: bool = True, cache_dir: str | os.PathLike | None = None,
          shacl: bool = True, manifest: str | os.PathLike | None = None, cluster: str | None = None,
          cluster_batch: int | None = None) -> BuildReport:
    """Build everything from ``corpus`` into ``out``; see the module docstring.

    Prints each rejected input as ``corpus/x.txt: reason`` on stderr and, unless
    ``quiet``, a progress bar and a summary of what was written. Raises
    :class:`~kg.errors.InputError` for a missing corpus and :class:`~kg.errors.KGError`
    for an unwritable output directory (exit status 2). ``shacl=False`` skips the SHACL
    validation (the slowest stage on large corpora; the report says it was skipped).
    ``manifest`` is a metadata file to use instead of the corpus folder's own (:mod:`kg.corpus`).
    ``cluster`` extracts on a Dask cluster instead of local workers (:mod:`kg.cluster`: a
    scheduler address, or ``local:N``), ``cluster_batch`` articles to a task.
    """
    corpus, out = Path(corpus), Path(out)
    if not corpus.exists():
        raise InputError(corpus, "no such corpus directory")
    if not corpus.is_dir():
        raise InputError(corpus, "not a directory (give a folder of .txt articles)")
    if workers < 1:
        raise KGError(f"--workers must be at least 1 (got {workers})")
    executor = None
    if cluster:
        if workers > 1:
            raise KGError("give --workers or --cluster, not both")
        from kg.cluster import ClusterExecutor

        executor = ClusterExecutor(cluster, batch=cluster_batch)    # connects when first needed
    t0 = time.perf_counter()
    report = BuildReport(corpus=str(corpus), out=str(out),
                         started=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    with _locked(out), _long_lived_heap(), contextlib.ExitStack() as stack:
        if executor is not None:
            stack.callback(executor.close)
        recovered = recover(out)
        build_dir = out / f"{BUILD_PREFIX}{_build_id()}"
        try:
            _run(report, corpus, out, build_dir, workers, quiet, views, shacl,
                 Path(cache_dir) if cache_dir is not None else out / "cache", t0, recovered, manifest, executor)
        except BaseException:
            if _current(out) != build_dir:        # failed before the commit: the old output stays
                remove_path(build_dir)
            raise
    if report.shacl.get("conforms") is False:
        print(f"kg build: warning: the graph does not conform to the SHACL shapes "
              f"({report.shacl.get('violations', '?')} violations; see {out / REPORT})", file=sys.stderr)
    if not quiet:
        _print_summary(report, out)
    return report


def _run(report: BuildReport, corpus: Path, out: Path, staging: Path, workers: int, quiet: bool,
         views: bool, shacl: bool, cache_dir: Path, t0: float, recovered: list[str],
         manifest: str | os.PathLike | None = None, executor=None) -> None:
    from kg.extract import cache_version, extract_corpus
    from kg.nlp import pipeline_version

    timings = report.timings

    def lap(stage: str, start: float) -> float:
        now = time.perf_counter()
        timings[stage] = round(now - start, 3)
        fault_point(f"after_{stage}")
        return now

    t = time.perf_counter()
    (read_corpus,) = _stage_import("kg.corpus", ("read_corpus",), "corpus reader")
    articles, rejections = read_corpus(corpus, **({"manifest": manifest} if manifest is not None else {}),
                                       exclude=[out])
    t = lap("read", t)

    # libraries the components load print banners on stdout (jionlp, jiojio): keep stdout
    # for the summary, send them to stderr
    with contextlib.redirect_stdout(sys.stderr):
        extraction = extract_corpus(articles, cache_dir=cache_dir, workers=workers, progress=not quiet,
                                    executor=executor)
    if executor is not None:
        report.cluster = dict(executor.stats)
        executor.close()                # the workers' memory is not needed by the later stages
    report.pipeline_version = pipeline_version()
    report.cache = {"dir": str(cache_dir), "version": cache_version(), "hits": extraction.hits,
                    "extracted": extraction.extracted, "corrupt_recomputed": extraction.corrupt}
    if recovered:
        report.cache["removed_leftovers"] = recovered
    t = lap("extract", t)

    records = list(extraction)
    gc.freeze()             # the records live until the graph is written (see _long_lived_heap)
    by_file = {r.meta.file_name: r for r in records}
    for a in articles:
        rec = by_file.get(a.file_name)
        if rec is not None:
            report.inputs.append(InputStatus(a.file_name, str(corpus / a.file_name), "built",
                                             cached=a.file_name in extraction.cached, counts=_record_counts(rec),
                                             format=getattr(a.meta, "format", None),
                                             text=_text_file_name(a.file_name)))
    for rej in [*rejections, *extraction.rejected]:
        report.inputs.append(InputStatus(rej.file_name, str(corpus / rej.file_name), "rejected", reason=rej.reason))
    report.inputs.sort(key=lambda i: i.file)
    if not report.inputs:
        raise InputError(corpus, "no .txt articles in this directory")
    for item in report.rejected:        # as soon as known, so they show even if a stage fails
        print(f"{item.path}: {item.reason}", file=sys.stderr, flush=True)
    if not records:
        raise InputError(corpus, f"none of the {len(report.inputs)} input(s) could be read; nothing was built "
                                 "(the previous output is unchanged)")

    staging.mkdir(parents=True)
    committed = _current(out)   # an unchanged article's record and text are linked from it
    for rec in records:
        name = f"extractions/{_record_file_name(rec.meta.file_name)}"
        write_or_link(staging / name, json_text(rec.to_dict()).encode("utf-8"),
                      committed / name if committed is not None else None)
    (staging / "extractions").mkdir(exist_ok=True)
    for a in articles:          # the text every evidence offset indexes: raw[start:end] == evidence
        if a.file_name in by_file:
            name = _text_file_name(a.file_name)
            write_or_link(staging / name, a.raw.encode("utf-8"), committed / name if committed is not None else None)
    t = lap("records", t)

    # the triples go straight to the files (filling an rdflib Graph would cost more time and
    # memory than building them); later stages read the files
    (count_triples,) = _stage_import("kg.graph", ("count_triples",), "graph")
    # the triples and the records are freed as soon as they are written: the later stages
    # read the files, and the networkx graph needs the memory
    # each article's triples (its part, cached per record) and the shared places and
    # organizations merged from them (kg.incremental): only added and changed articles
    # cost anything, and the parts' lines are merged from their files, not held
    inc = _incremental_stage()
    previous = _current(out)
    state = inc.read_state(previous)
    parts, report.cache["parts"] = inc.make_parts(records, cache_dir)
    del records, by_file, extraction
    graph_files = inc.write_graph_lines(inc.assemble(parts), staging)
    del parts
    nt = staging / "kg.nt"
    graph_file = nt if nt.exists() else staging / "kg.ttl"
    n_triples = count_triples(graph_file)
    t = lap("graph", t)
    patch = None           # (removed, added) lines against the committed graph, when it can be patched
    if (state is not None and state.get("store_key") == inc.store_key() and (previous / "kg.nt").is_file()
            and (previous / "store").is_dir()):
        patch = inc.diff_lines(previous / "kg.nt", nt)
        report.cache["patch"] = {"removed": len(patch[0]), "added": len(patch[1])}
        t = lap("diff", t)

    graph_digest = _digest(graph_file)      # the graph's bytes, for the SHACL and views keys
    shacl_key = _shacl_key(graph_digest) if shacl else ""
    shacl_cached = _read_shacl_cache(cache_dir, shacl_key) if shacl else None
    with contextlib.ExitStack() as stack:
        # the store is bulk-loaded by Oxigraph (native code, the GIL released) in a thread,
        # alongside the analytics and views, and the graph is then checked against the SHACL
        # shapes there too (no process of its own); each reports its own duration.
        # An unchanged graph (same bytes, shapes and validator) reuses the last SHACL result.
        (build_store,) = _stage_import("kg.store", ("build_store",), "store")
        store_job = stack.enter_context(cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="store"))
        rows = state.get("shacl_rows") if state is not None and state.get("shacl_key") == _shacl_key("") else None
        if patch is not None:
            storing = store_job.submit(_patch_and_validate, inc, previous / "store", staging / "store", patch,
                                       graph_file, shacl and shacl_cached is None, rows)
        else:
            storing = store_job.submit(_store_and_validate, build_store, inc.validate_with_results, graph_file,
                                       staging / "store", shacl and shacl_cached is None)
        if views:
            load_nx, analyze = _stage_import("kg.analytics", ("load_graph", "analyze"), "analytics")
            (write_views,) = _stage_import("kg.views", ("write_views",), "views")
            views_key = _views_key(graph_digest)
            if previous is not None and _reuse_views(previous, staging, views_key):
                # the same graph, code and templates as the committed build: its analytics,
                # report, views and exports are linked, not computed again
                report.cache["views"] = "reused"
                t = lap("views", t)
            else:
                # the graph just written, loaded into networkx once for analytics and views,
                # from the file (pyoxigraph's parser: faster than walking the rdflib graph)
                nxg = load_nx(graph_file)
                gc.freeze()         # the networkx graph lives until the views are written
                t = lap("load", t)
                analyze(staging / "kg.ttl", staging, G=nxg, previous=previous or staging)
                t = lap("analytics", t)
                # case pages whose content did not change are linked from the committed output
                write_views(staging / "kg.ttl", staging, G=nxg, previous=previous)
                t = lap("views", t)
                # the tables (CSV, XLSX, Parquet) and the graph (GraphML, GEXF) for pandas,
                # Excel, Stata and Gephi users: OUT/exports/, linked from the case index
                (write_exports,) = _stage_import("kg.export", ("write_exports",), "exports")
                write_exports(nxg, staging / "exports")
                # the map of cases, statistics and labour-cooperation flows (offline SVG)
                (write_map,) = _stage_import("kg.geomap", ("write_map",), "map")
                write_map(nxg, staging)
                del nxg
                _write_views_key(staging, views_key)
                t = lap("exports", t)
        timings["store"], validation, validate_s = storing.result()
        fault_point("after_store")
        new_rows = None
        if not shacl:
            report.shacl = {"conforms": None, "skipped": "validation turned off"}
        elif shacl_cached is not None:
            report.shacl = {**shacl_cached, "cached": True}
            if state is not None and state.get("graph_digest") == graph_digest:
                new_rows = rows
        else:
            validation, new_rows = validation
            report.shacl = validation
            timings["validate"] = validate_s
            _write_shacl_cache(cache_dir, shacl_key, report.shacl)
        inc.write_state(staging, {"graph_digest": graph_digest, "store_key": inc.store_key(),
                                  "shacl_key": _shacl_key(""), "shacl_rows": new_rows})

    totals: dict[str, int] = {}
    for item in report.built:
        for k, v in item.counts.items():
            totals[k] = totals.get(k, 0) + v
    report.counts = {"inputs": len(report.inputs), "built": len(report.built), "rejected": len(report.rejected),
                     "triples": n_triples, "graph_files": len(graph_files), **totals}
    report.outputs = sorted({p.name for p in staging.iterdir() if not p.name.startswith(".")} | {REPORT})
    report.finished = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    timings["total"] = round(time.perf_counter() - t0, 3)
    write_json(staging / REPORT, report.to_dict())
    t = time.perf_counter()
    _commit(out, staging)
    timings["commit"] = round(time.perf_counter() - t, 3)


def _store_and_validate(build_store: Callable, validate_file: Callable, graph_file: Path, store_dir: Path,
                        validate: bool) -> tuple[float, dict[str, Any] | None, float]:
    """Build the store, then (``validate``) check the graph file against the SHACL shapes
    (in an in-memory Oxigraph store: five times faster than querying the on-disk one):
    (store seconds, SHACL summary, validation seconds). One after the other, so their
    memory never adds up."""
    t = time.perf_counter()
    build_store(graph_file, store_dir)
    store_s = round(time.perf_counter() - t, 3)
    if not validate:
        return store_s, None, 0.0
    t = time.perf_counter()
    result = validate_file(graph_file)          # (SHACL summary, result rows or None)
    return store_s, result, round(time.perf_counter() - t, 3)


_INCREMENTAL = ("make_parts", "assemble", "write_graph_lines", "diff_lines", "patch_store", "validate_with_results",
                "validate_patched", "read_state", "write_state", "store_key")


def _incremental_stage() -> Any:
    """kg.incremental's functions (per-article parts, the store patch, SHACL of the changed part)."""
    import types

    return types.SimpleNamespace(**dict(zip(_INCREMENTAL, _stage_import("kg.incremental", _INCREMENTAL,
                                                                         "incremental graph"), strict=True)))


def _patch_and_validate(inc: Any, previous_store: Path, store_dir: Path,
                        patch: tuple[list[str], list[str]], graph_file: Path, validate: bool,
                        rows: list | None) -> tuple[float, Any, float]:
    """:func:`_store_and_validate` by patching the committed store, and checking only the
    changed part plus what links to it when the committed build's SHACL results are at
    hand (kg.incremental)."""
    t = time.perf_counter()
    inc.patch_store(previous_store, store_dir, *patch)
    store_s = round(time.perf_counter() - t, 3)
    if not validate:
        return store_s, None, 0.0
    t = time.perf_counter()
    result = inc.validate_patched(graph_file, *patch, rows)
    return store_s, result, round(time.perf_counter() - t, 3)


def _digest(path: Path) -> str:
    import hashlib

    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _shacl_key(graph_digest: str) -> str:
    """What a SHACL result depends on: the graph's bytes (``graph_digest``), the ontology
    and shapes, the validating code (kg.graph, kg.shacl) and pyshacl's version."""
    import hashlib
    import importlib

    from kg.resources import ontology_dir

    h = hashlib.sha256(graph_digest.encode())
    for p in sorted(ontology_dir().glob("*.ttl")):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    for module in ("kg.graph", "kg.shacl", "kg.ntriples"):
        source = getattr(importlib.import_module(module), "__file__", None)
        if source:
            h.update(Path(source).read_bytes())
    with contextlib.suppress(Exception):
        from importlib.metadata import version

        h.update(version("pyshacl").encode())
    return h.hexdigest()


_VIEWS_KEY = ".views-key.json"      # in a build directory: what its analytics and views came from
_VIEW_FILES = ("analytics.json", "report.html", "graph.html", "map.html")
_MEMO_FILES = (".analytics-memo.json", ".layout-memo.json")   # kg.analytics.MEMO, kg.views.LAYOUT_MEMO


def _views_key(graph_digest: str) -> str:
    """What analytics.json, report.html and the views depend on: the graph's bytes
    (``graph_digest``), the analytics and views code, the templates, and the libraries
    that compute and render."""
    import hashlib
    import importlib
    from importlib.metadata import version

    from kg.resources import templates_dir

    h = hashlib.sha256(graph_digest.encode())
    for name in ("kg.analytics", "kg.views", "kg.export", "kg.report", "kg.geo", "kg.geomap"):
        source = getattr(importlib.import_module(name), "__file__", None)
        if source:
            h.update(Path(source).read_bytes())
    for p in sorted(templates_dir().iterdir()):
        if p.is_file():
            h.update(p.name.encode("utf-8") + b"\0" + p.read_bytes())
    for dist in ("networkx", "numpy", "scipy", "jinja2", "pyvis", "pyoxigraph", "pandas", "pyarrow", "openpyxl", "xlsxwriter"):
        with contextlib.suppress(Exception):
            h.update(f"{dist}={version(dist)}".encode())
    return h.hexdigest()


def _view_files(build_dir: Path) -> list[str]:
    """The analytics, view and export files of a build directory, relative to it."""
    names = [n for n in _VIEW_FILES if (build_dir / n).is_file()]
    for sub in ("cases", "exports"):
        if (build_dir / sub).is_dir():
            names += [f"{sub}/{p.name}" for p in sorted((build_dir / sub).iterdir()) if p.is_file()]
    return names


def _write_views_key(build_dir: Path, key: str) -> None:
    import hashlib

    files = {n: hashlib.sha256((build_dir / n).read_bytes()).hexdigest() for n in _view_files(build_dir)}
    write_json(build_dir / _VIEWS_KEY, {"key": key, "files": files})


def _reuse_views(previous: Path, staging: Path, key: str) -> bool:
    """Link the committed build's analytics and views into ``staging`` when they were made
    from the same key and every file still has the bytes recorded then (a file changed or
    damaged since, e.g. by ``kg analyze``, means computing them again)."""
    import hashlib
    import shutil
    import tempfile

    from kg.io import replace_dir

    try:
        entry = json.loads((previous / _VIEWS_KEY).read_text(encoding="utf-8"))
        if not isinstance(entry, dict) or entry.get("key") != key or not isinstance(entry.get("files"), dict):
            return False
        files: dict[str, str] = entry["files"]
        if sorted(files) != sorted(_view_files(previous)):
            return False
        for name, digest in files.items():
            if hashlib.sha256((previous / name).read_bytes()).hexdigest() != digest:
                return False
    except (OSError, ValueError):
        return False
    tmp = Path(tempfile.mkdtemp(prefix=".cases.", dir=staging))
    try:
        for name in files:
            target = tmp / name.removeprefix("cases/") if name.startswith("cases/") else staging / name
            target.parent.mkdir(exist_ok=True)          # exports/
            try:
                os.link(previous / name, target)
            except OSError:
                shutil.copyfile(previous / name, target)
        if any(n.startswith("cases/") for n in files):
            replace_dir(tmp, staging / "cases")
        else:
            shutil.rmtree(tmp)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        for name in _VIEW_FILES:
            (staging / name).unlink(missing_ok=True)
        remove_path(staging / "cases")
        remove_path(staging / "exports")
        return False
    for memo in _MEMO_FILES:            # what the next build keeps of analytics and layouts
        with contextlib.suppress(OSError):
            os.link(previous / memo, staging / memo)
    write_json(staging / _VIEWS_KEY, entry)
    return True


def _read_shacl_cache(cache_dir: Path, key: str) -> dict[str, Any] | None:
    try:
        entry = json.loads((cache_dir / "shacl.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("key") != key or not isinstance(entry.get("result"), dict):
        return None
    return entry["result"]


def _write_shacl_cache(cache_dir: Path, key: str, result: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):
        write_json(cache_dir / "shacl.json", {"key": key, "result": result})


def _build_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f") + f"-{os.getpid()}"


def _print_summary(report: BuildReport, out: Path) -> None:
    def url(p: Path) -> str:      # absolute, through the stable entry links (not resolved)
        return Path(os.path.abspath(p)).as_uri()

    c = report.counts
    lines = [f"kg build: {c.get('built', 0)} article(s) built, {c.get('rejected', 0)} rejected "
             f"in {report.timings.get('total', 0):.1f} s (pipeline {report.pipeline_version}; "
             f"{report.cache.get('hits', 0)} from cache)",
             f"  {c.get('cases', 0)} cases, {c.get('persons', 0)} persons, {c.get('places', 0)} places, "
             f"{c.get('organizations', 0)} organizations, {c.get('programs', 0)} programs, "
             f"{c.get('statistics', 0)} statistics; {c.get('triples', 0)} triples",
             f"  graph        {out / 'kg.ttl'}  (also kg.nt, kg.jsonld)  SHACL: "
             f"{'conforms' if report.shacl.get('conforms') else 'VIOLATIONS, see build-report.json'}",
             f"  records      {out / 'extractions'}/",
             f"  SPARQL       kg query --out {out} 'SELECT ...'   or   kg serve --out {out}"]
    for name, label in (("report.html", "report"), ("graph.html", "graph view"), ("cases/index.html", "case pages"),
                        ("map.html", "map")):
        if (out / name).exists():
            lines.append(f"  {label:<12} {url(out / name)}")
    if (out / "exports").is_dir():
        lines.append(f"  exports      {out / 'exports'}/  (cases, incomes, persons, organizations, statistics: "
                     "CSV, XLSX, Parquet; graph: GraphML, GEXF; places: GeoJSON)")
    lines.append(f"  build report {out / REPORT}")
    if report.rejected:
        lines.append(f"  {len(report.rejected)} input(s) rejected (listed above): exit status {EXIT_REJECTED}")
    print("\n".join(lines))
