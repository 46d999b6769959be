"""Articles -> extraction records: the NLP pipeline run over a corpus, cached by content.

:func:`extract_article` runs the spaCy pipeline over one normalised article and collects
what the components put on the Doc into an :class:`~kg.records.ArticleRecord`.

:func:`extract_corpus` does it for a corpus:

* **Cache.** A record is stored under ``<cache_dir>/<cache_version>/<sha256(raw)>.json``
  (the version hashes the pipeline version and this module),
  so an article whose text and extractor are unchanged is never extracted again (a cached
  run does not even load the pipeline). Each entry starts with a header line holding the
  SHA-256 of the payload; a corrupt or truncated entry fails the check, is counted and
  recomputed, never used. Entries are written atomically as soon as each article is done,
  so a build killed half-way keeps everything finished before the kill. Directories of
  other pipeline versions are deleted.
* **Workers.** ``workers > 1`` runs a pool of processes (spawned, so no thread or lock
  state is inherited) that each load the pipeline once in their initializer. Articles are
  the unit of work: spaCy's own ``n_process`` splits nothing useful for pkuseg.
* **Failures.** An article that makes the extractor raise is rejected with the reason
  and the rest of the corpus goes on; a worker process that dies takes only its article.
"""

from __future__ import annotations

import bisect
import concurrent.futures as cf
import contextlib
import functools
import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.io import fault_point, write_bytes
from kg.records import ArticleRecord

__all__ = ["extract_article", "extract_corpus", "Extraction", "ExtractionFailure", "content_key",
           "read_cache_entry", "write_cache_entry", "cache_version", "die_with_parent", "CACHE_MAGIC"]

#: First bytes of a cache entry; the header line is ``CACHE_MAGIC <sha256 of payload>``.
CACHE_MAGIC = b"KGREC1"


@dataclass(frozen=True)
class ExtractionFailure:
    """An article the extractor could not process (becomes a rejection in the build report)."""

    path: str
    file_name: str
    reason: str


class Extraction(list):
    """The records of the articles extracted without error, in input order (a plain list),
    with what happened on the side: ``rejected`` (ExtractionFailure), ``hits`` (served
    from the cache), ``extracted`` (run through the pipeline), ``corrupt`` (cache entries
    that failed their checksum and were recomputed) and ``cached`` (file names served
    from the cache)."""

    def __init__(self, records: Iterable[ArticleRecord] = ()):
        super().__init__(records)
        self.rejected: list[ExtractionFailure] = []
        self.hits = 0
        self.extracted = 0
        self.corrupt = 0
        self.cached: set[str] = set()


# -- one article -------------------------------------------------------------------------

def _set_sentence_starts(doc, sentences: Sequence[tuple[int, int]] | None) -> None:
    """Make the normaliser's ``(start, end)`` sentences the Doc's: the first token ending
    after each sentence start opens a sentence, no other token does (the sentencizer runs
    with ``overwrite = false`` and keeps them). Set in one ``from_array`` call: assigning
    ``token.is_sent_start`` token by token re-checks the whole Doc each time (quadratic)."""
    import numpy  # noqa: PLC0415  (spaCy and numpy load only when something is extracted)
    from spacy.attrs import SENT_START  # noqa: PLC0415

    from kg.nlp.doc import DocIndex  # noqa: PLC0415

    if not sentences or len(doc) == 0:
        return
    ends = DocIndex(doc).ends                              # increasing
    flags = numpy.full((len(doc), 1), -1, dtype="int64")
    flags[0, 0] = 1
    for sent in sentences:
        i = bisect.bisect_right(ends, sent[0])          # first token ending after the start
        if i < len(doc):
            flags[i, 0] = 1
    doc.from_array([SENT_START], flags.astype("uint64"))  # spaCy reads -1 (not a start) from uint64
    doc.user_data.pop(DocIndex.CACHE_KEY, None)  # its sentence bounds predate these flags


def extract_article(nlp, article) -> ArticleRecord:
    """Run the pipeline over one article (``kg.corpus.Article``) and return its record.

    The Doc carries the raw text and the offset map (``doc._.kg_raw``/``kg_offsets``) so
    every Evidence cites the raw file, and the layout blocks so bylines are not persons.
    """
    from kg.nlp import pipeline_version
    from kg.nlp.doc import init_doc
    from kg.normalize import normalize

    # the reader has usually normalised the article already (kg.corpus.Article.normalize)
    norm = article.normalize() if callable(getattr(article, "normalize", None)) else normalize(article.raw)
    doc = nlp.make_doc(norm.text)
    init_doc(doc)
    doc._.kg_raw = article.raw
    doc._.kg_offsets = list(norm.offsets)
    doc._.kg_blocks = [(b.start, b.end, b.kind) for b in norm.blocks] or [(0, len(norm.text), "body")]
    doc._.kg_file = article.file_name
    doc._.kg_date = getattr(getattr(article, "meta", None), "date", None)
    _set_sentence_starts(doc, norm.sentences)
    for _name, proc in nlp.pipeline:
        doc = proc(doc)
    return ArticleRecord(
        meta=article.meta,
        persons=list((doc._.kg_persons or {}).values()),
        places=list((doc._.kg_places or {}).values()),
        organizations=list((doc._.kg_orgs or {}).values()),
        programs=list((doc._.kg_programs or {}).values()),
        statistics=list(doc._.kg_stats or []),
        cases=list(doc._.kg_cases or []),
        pipeline_version=pipeline_version(),
    )


# -- the cache ---------------------------------------------------------------------------

def content_key(raw: str) -> str:
    """The cache key of an article: SHA-256 of its decoded raw text."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def write_cache_entry(path: Path, record: ArticleRecord, key: str) -> None:
    payload = json.dumps({"key": key, "record": record.to_dict()}, ensure_ascii=False,
                         sort_keys=True, separators=(",", ":")).encode("utf-8")
    header = CACHE_MAGIC + b" " + hashlib.sha256(payload).hexdigest().encode() + b"\n"
    write_bytes(path, header + payload)


def read_cache_entry(path: Path, key: str) -> ArticleRecord | None:
    """The cached record, or None when the entry is missing. Raises ValueError when it is
    corrupt: bad header, checksum mismatch (truncated or altered), wrong key, bad JSON."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    header, nl, payload = data.partition(b"\n")
    magic, _, digest = header.partition(b" ")
    if not nl or magic != CACHE_MAGIC:
        raise ValueError("bad header")
    if hashlib.sha256(payload).hexdigest().encode() != digest:
        raise ValueError("checksum mismatch")
    obj = json.loads(payload.decode("utf-8"))
    if obj.get("key") != key:
        raise ValueError("entry belongs to another article")
    return ArticleRecord.from_dict(obj["record"])


@functools.cache
def cache_version() -> str:
    """Names the cache directory: the pipeline version combined with this module's source,
    which also decides what a record holds (sentence starts, blocks)."""
    from kg.nlp import pipeline_version

    h = hashlib.sha256(pipeline_version().encode())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()[:16]


def _prune_other_versions(cache_dir: Path, version: str) -> None:
    if not cache_dir.is_dir():
        return
    for p in cache_dir.iterdir():
        if p.is_dir() and p.name != version and not p.name.startswith("."):
            shutil.rmtree(p, ignore_errors=True)


# -- workers -----------------------------------------------------------------------------

_WORKER_NLP = None


def die_with_parent() -> None:
    """Linux: have the kernel kill this worker when its parent dies, even by SIGKILL, so a
    killed build leaves no process behind."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(Exception):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _init_worker() -> None:
    global _WORKER_NLP
    from kg.nlp import load_pipeline

    die_with_parent()
    sys.stdout = sys.stderr          # library banners must not mix into the parent's stdout
    _WORKER_NLP = load_pipeline()


def _work(article, cache_path: Path | None, key: str) -> dict[str, Any]:
    """In a worker: extract one article and write its cache entry (the JSON and checksum
    work stays out of the parent, which has the results of every worker to take in)."""
    fault_point("worker")       # tests: a worker process dying on its N-th article
    rec = extract_article(_WORKER_NLP, article)
    if cache_path is not None:
        write_cache_entry(cache_path, rec, key)
    return rec.to_dict()


def _reason(e: BaseException) -> str:
    msg = str(e).strip().splitlines()[0] if str(e).strip() else ""
    return f"extraction failed: {type(e).__name__}" + (f": {msg}" if msg else "")


# -- the corpus --------------------------------------------------------------------------

def extract_corpus(articles: Sequence[Any], *, cache_dir: str | os.PathLike | None, workers: int = 1,
                   progress: bool = True, nlp=None, executor=None) -> Extraction:
    """Extract every article, from the cache when possible; see the module docstring.

    ``cache_dir=None`` disables the cache. ``nlp`` reuses an already loaded pipeline
    (otherwise it is loaded only if some article is not cached). ``executor`` runs the
    articles not in the cache elsewhere (:class:`kg.cluster.ClusterExecutor`): it is called
    as ``executor(todo, done, cache version dir)`` with ``todo`` a list of ``(index, article,
    key)`` and must call ``done(index, article, key, record or None, error or None,
    written=...)`` once for each.
    """
    from tqdm import tqdm

    from kg.nlp import pipeline_version

    version = pipeline_version()
    result = Extraction()
    records: dict[int, ArticleRecord] = {}
    vdir = Path(cache_dir) / cache_version() if cache_dir is not None else None
    if cache_dir is not None:
        _prune_other_versions(Path(cache_dir), cache_version())

    bar = tqdm(total=len(articles), desc="extract", unit="article", disable=not progress or not articles, leave=False)
    todo: list[tuple[int, Any, str]] = []
    for i, art in enumerate(articles):
        key = content_key(art.raw)
        rec = None
        if vdir is not None:
            try:
                rec = read_cache_entry(_entry(vdir, key), key)
            except (ValueError, KeyError, TypeError, UnicodeDecodeError, OSError):
                result.corrupt += 1        # detected: recompute below, never use it
                rec = None
        if rec is not None:
            rec.meta = art.meta            # metadata comes from the reader, not the cache
            rec.anchor_times(art.meta.date)   # and relative times follow its date
            rec.pipeline_version = version
            records[i] = rec
            result.hits += 1
            result.cached.add(art.file_name)
            bar.update(1)
        else:
            todo.append((i, art, key))

    def done(i: int, art, key: str, rec: ArticleRecord | None, err: str | None, written: bool = False) -> None:
        # written: a worker has already written the cache entry (when there is a cache)
        bar.update(1)
        if rec is None:
            result.rejected.append(ExtractionFailure(str(getattr(art, "path", art.file_name)), art.file_name,
                                                     err or "extraction failed"))
            return
        rec.meta = art.meta
        rec.anchor_times(art.meta.date)
        rec.pipeline_version = version
        records[i] = rec
        result.extracted += 1
        if vdir is not None and not written:
            write_cache_entry(_entry(vdir, key), rec, key)
        fault_point("extract")   # tests: die after N articles extracted and cached

    try:
        if todo and executor is not None:
            executor(todo, done, vdir)
        elif todo and workers > 1 and len(todo) > 1:
            _run_pool(todo, workers, done, vdir)
        elif todo:
            if nlp is None:
                from kg.nlp import load_pipeline

                nlp = load_pipeline()
            for i, art, key in todo:
                try:
                    rec = extract_article(nlp, art)
                except Exception as e:  # one bad article must not stop the corpus
                    done(i, art, key, None, _reason(e))
                else:
                    done(i, art, key, rec, None)
    finally:
        bar.close()
    result.extend(records[i] for i in sorted(records))
    order = {a.file_name: n for n, a in enumerate(articles)}
    result.rejected.sort(key=lambda f: order.get(f.file_name, 0))
    return result


def _run_pool(todo, workers: int, done, vdir: Path | None) -> None:
    """Extract ``todo`` in ``workers`` spawned processes; a crashed worker rejects its article."""
    ctx = multiprocessing.get_context("spawn")
    pending = list(todo)
    while pending:
        with cf.ProcessPoolExecutor(max_workers=min(workers, len(pending)), mp_context=ctx,
                                    initializer=_init_worker) as pool:
            futures = {pool.submit(_work, art, _entry(vdir, key), key): (i, art, key) for i, art, key in pending}
            pending = []
            broken = False
            for fut in cf.as_completed(futures):
                i, art, key = futures.pop(fut)    # the future holds its result: let both go
                try:
                    rec = ArticleRecord.from_dict(fut.result())
                except cf.process.BrokenProcessPool:
                    broken = True
                    pending.append((i, art, key))
                except Exception as e:
                    done(i, art, key, None, _reason(e))
                else:
                    done(i, art, key, rec, None, written=True)
        if broken:
            # A worker died (crash, OOM kill). Retry the unfinished articles one at a time
            # in a fresh pool of one, so only the article that kills its worker is rejected.
            for item in pending:
                _run_single(item, ctx, done, vdir)
            pending = []


def _entry(vdir: Path | None, key: str) -> Path | None:
    return vdir / f"{key}.json" if vdir is not None else None


def _run_single(item, ctx, done, vdir: Path | None) -> None:
    i, art, key = item
    with cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=_init_worker) as pool:
        try:
            rec = ArticleRecord.from_dict(pool.submit(_work, art, _entry(vdir, key), key).result())
        except cf.process.BrokenProcessPool:
            done(i, art, key, None, "extraction failed: the worker process died on this article")
        except Exception as e:
            done(i, art, key, None, _reason(e))
        else:
            done(i, art, key, rec, None, written=True)
