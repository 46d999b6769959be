"""Extraction on a Dask cluster: another executor for :func:`kg.extract.extract_corpus`.

``kg build --cluster tcp://HOST:8786`` attaches to a running Dask scheduler;
``kg build --cluster local:N`` starts a :class:`distributed.LocalCluster` of N worker
processes (one thread each) for the build and stops it afterwards. Either way the
extraction step is the one local workers run: :class:`ClusterExecutor` receives the
articles that are not in the cache and hands each record to the same ``done`` callback,
which checks it in, writes the cache entry when the worker could not and counts it; so
the build report, the rejection of bad inputs, the atomic commit and the graph's bytes
are those of a local build.

* **The pipeline, once per worker.** A :class:`PipelineLoader` worker plugin loads the
  spaCy pipeline when it is registered, on every worker then connected and on every
  worker that joins later (a restarted one too).
* **The workers' settings.** Dask's defaults cost this workload ~45 % more CPU per
  article than a pool worker (measured, see the README's "Scale out"): the nanny starts
  each worker with ``MALLOC_TRIM_THRESHOLD_=65536``, which fixes glibc's mmap threshold at
  128 kB, so every large array the NER model frees goes back to the kernel and faults in
  again (~20,000 page faults an article instead of ~2,000); and the statistical profiler
  walks the task's deep stack every 10 ms. A local cluster is started without either
  (:data:`LOCAL_CLUSTER_CONFIG`); on any cluster the :class:`PipelineLoader` gives a
  worker started with that variable glibc's usual thresholds back (:func:`_usual_malloc`).
* **Batches.** Articles go out in batches (about eight per worker, at most
  :data:`MAX_BATCH`), so the scheduler's ~2-3 ms per task is spread over several articles
  while the load stays balanced. A batch returns its records; when the worker sees the
  build's cache directory (one machine, or a shared filesystem) it writes the entries
  by content hash there first, so a rerun, on this cluster or another, reuses them.
* **Faults.** Dask reschedules the tasks of a worker that dies on another worker; every
  article's result is taken once, from the batch that completes. A batch that kills
  workers ``distributed.scheduler.allowed-failures`` times is split and its articles
  are retried one task each: only an article that still kills its worker is rejected,
  with the reason, as with local workers. A scheduler that goes away (or cannot be
  reached) raises :class:`ClusterError`, one line; the build stops before its commit, so
  the previous output stays as it was, and the records finished so far are in the cache.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kg.errors import KGError
from kg.extract import _reason, extract_article, write_cache_entry
from kg.io import fault_point
from kg.records import ArticleRecord

__all__ = ["ClusterError", "ClusterExecutor", "PipelineLoader", "parse_cluster", "batch_size", "MAX_BATCH"]

#: The most articles in one task (a 3,000-character article takes 0.1-0.3 s): small enough
#: that the last tasks leave no worker idle for long, large enough that the scheduler's
#: ~2-3 ms per task is lost in the noise.
MAX_BATCH = 16
_CONNECT_TIMEOUT_S = 10

#: Dask settings of a ``local:N`` cluster (see the module docstring): no statistical
#: profiler in the workers, and no ``MALLOC_TRIM_THRESHOLD_`` in their environment.
LOCAL_CLUSTER_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
}


class ClusterError(KGError):
    """The cluster could not be reached, or went away during the build."""


def parse_cluster(spec: str) -> tuple[str, int | str]:
    """``"local:N"`` -> ``("local", N)``; a scheduler address -> ``("address", ADDRESS)``."""
    spec = spec.strip()
    m = re.fullmatch(r"local(?::(\d+))?", spec)
    if m:
        n = int(m.group(1) or 2)
        if n < 1:
            raise KGError(f"--cluster {spec}: a local cluster needs at least one worker")
        return "local", n
    if re.fullmatch(r"(tcp|tls|inproc|ucx|ws|wss)://\S+|[\w.\-\[\]:]+:\d+", spec):
        return "address", spec
    raise KGError(f"--cluster {spec!r}: expected a Dask scheduler address (tcp://HOST:PORT) or local:N")


def batch_size(n_articles: int, n_workers: int) -> int:
    """Articles per task: about eight tasks per worker, at most :data:`MAX_BATCH`."""
    return max(1, min(MAX_BATCH, math.ceil(n_articles / (8 * max(1, n_workers)))))


# -- on the workers ----------------------------------------------------------------------

_NLP = None


def _load_pipeline() -> Any:
    global _NLP
    if _NLP is None:
        from kg.nlp import load_pipeline

        with contextlib.redirect_stdout(sys.stderr):   # library banners stay off the build's stdout
            _NLP = load_pipeline()
    return _NLP


def _usual_malloc() -> bool:
    """In a worker whose environment sets ``MALLOC_TRIM_THRESHOLD_`` (Dask's nanny does, by
    default): give glibc back thresholds near its own dynamic ones (mmap above 32 MB, trim
    above 64 MB), so the model's freed arrays are reused instead of unmapped and faulted in
    again. Linux/glibc only; returns whether it changed anything."""
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ or not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3                 # <malloc.h>
        return bool(libc.mallopt(m_mmap_threshold, 32 * 2**20)) and bool(libc.mallopt(m_trim_threshold, 64 * 2**20))
    except (OSError, AttributeError):                               # not glibc
        return False


try:
    from distributed.diagnostics.plugin import WorkerPlugin as _WorkerPlugin
except ImportError:         # without the `cluster` extra: the class exists, using it says what is missing
    _WorkerPlugin = object


class PipelineLoader(_WorkerPlugin):
    """Loads the extraction pipeline once in each worker process (``setup`` runs on every
    worker when the plugin is registered, and on every worker that joins later), after
    :func:`_usual_malloc`."""

    name = "fupin-kg-pipeline"

    def setup(self, worker) -> None:
        _usual_malloc()
        _load_pipeline()


def _extract_batch(batch: Sequence[tuple[int, Any, str | None, str]]) -> list[tuple[int, dict | None, str | None, bool]]:
    """In a worker: extract each ``(index, article, cache path, key)``; write its cache entry
    when the path's directory exists here. Returns ``(index, record dict, error, written)``."""
    nlp = _load_pipeline()
    out = []
    for i, art, cache_path, key in batch:
        try:
            rec = extract_article(nlp, art)
        except Exception as e:        # one bad article must not stop the batch
            out.append((i, None, _reason(e), False))
        else:
            written = False
            if cache_path is not None and Path(cache_path).parent.is_dir():
                with contextlib.suppress(OSError):     # not writable from here: the client writes it
                    write_cache_entry(Path(cache_path), rec, key)
                    written = True
            out.append((i, rec.to_dict(), None, written))
        fault_point("cluster_batch")   # tests: a worker killed in the middle of a batch
    return out


# -- on the client -----------------------------------------------------------------------

class ClusterExecutor:
    """``executor(todo, done, vdir)`` for :func:`kg.extract.extract_corpus`, on a Dask cluster.

    Connects on the first call (a build served wholly from the cache never touches the
    cluster); :meth:`close` disconnects and stops a local cluster. ``batch`` fixes the
    articles per task (default :func:`batch_size`). ``stats`` says what was done."""

    def __init__(self, spec: str, batch: int | None = None) -> None:
        self.kind, self.target = parse_cluster(spec)
        self.spec = spec
        self.batch = batch
        if batch is not None and batch < 1:
            raise KGError(f"--cluster-batch must be at least 1 (got {batch})")
        self.client = None
        self._local = None
        self._log_levels: dict[str, int] = {}
        self._environ: dict[str, str | None] = {}
        self.address = ""
        self.stats: dict[str, Any] = {"cluster": spec}

    # connection --------------------------------------------------------------------
    def connect(self):
        if self.client is not None:
            return self.client
        try:
            from distributed import Client, LocalCluster
            from distributed.client import CancelledError
        except ImportError:
            raise ClusterError("--cluster needs Dask distributed: pip install 'fupin-kg[cluster]'") from None
        # the client logs a lost scheduler with tracebacks; the build says it in one line
        self._log_levels = _quiet_loggers()
        try:
            if self.kind == "local":
                import dask

                # the nannies run in this process and export their workers' variables into
                # its environment: put it back as it was when the cluster stops
                names = dask.config.get("distributed.nanny.pre-spawn-environ", {})
                self._environ = {k: os.environ.get(k) for k in [*names, "PYTHONHASHSEED"]}
                with dask.config.set(LOCAL_CLUSTER_CONFIG):
                    self._local = LocalCluster(n_workers=int(self.target), threads_per_worker=1, processes=True,
                                               dashboard_address=None, silence_logs=logging.ERROR)
                self.client = Client(self._local, set_as_default=False)
            else:
                self.client = Client(str(self.target), timeout=_CONNECT_TIMEOUT_S, set_as_default=False)
        except (OSError, TimeoutError) as e:
            self.close()
            raise ClusterError(f"cannot reach the Dask scheduler at {self.target}: {_one_line(e)}") from None
        self.address = self.client.scheduler.address
        workers = self._n_workers()
        if workers == 0:
            try:
                self.client.wait_for_workers(1, timeout=_CONNECT_TIMEOUT_S)
            except (OSError, TimeoutError):
                self.close()
                raise ClusterError(f"the Dask scheduler at {self.address} has no workers") from None
        try:
            self.client.register_plugin(PipelineLoader())
        except (OSError, CancelledError):
            self.close()
            raise ClusterError(f"lost the Dask scheduler at {self.address} while its workers loaded the "
                               "pipeline; nothing was committed, the previous output is unchanged") from None
        except Exception as e:
            self.close()
            raise ClusterError(f"the workers of {self.address} cannot load the pipeline "
                               f"(is fupin-kg installed there?): {_one_line(e)}") from None
        self.stats.update(address=self.address, workers=self._n_workers())
        return self.client

    def _n_workers(self) -> int:
        try:
            return len(self.client.scheduler_info(n_workers=-1).get("workers", {}))
        except TypeError:       # older distributed: no n_workers argument
            return len(self.client.scheduler_info().get("workers", {}))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if self.client is not None:
                self.client.close(timeout=5)
        with contextlib.suppress(Exception):
            if self._local is not None:
                self._local.close(timeout=10)
        self.client = self._local = None
        for name, level in self._log_levels.items():
            logging.getLogger(name).setLevel(level)
        self._log_levels = {}
        for name, value in self._environ.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._environ = {}

    def __enter__(self) -> ClusterExecutor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # the extraction ------------------------------------------------------------------
    def __call__(self, todo: Sequence[tuple[int, Any, str]], done: Callable, vdir: Path | None) -> None:
        from distributed import as_completed
        from distributed.client import CancelledError
        from distributed.scheduler import KilledWorker

        client = self.connect()
        size = self.batch or batch_size(len(todo), max(1, self._n_workers()))
        items = {i: (i, art, key) for i, art, key in todo}

        def task(chunk):
            payload = [(i, art, str(vdir / f"{key}.json") if vdir is not None else None, key) for i, art, key in chunk]
            return client.submit(_extract_batch, payload, pure=False)

        chunks = [todo[k:k + size] for k in range(0, len(todo), size)]
        futures = {task(chunk): chunk for chunk in chunks}
        self.stats.update(batch=size, batches=len(chunks), split_batches=0, worker_deaths_rejected=0)
        finished = 0
        queue = as_completed(list(futures), loop=client.loop)
        for fut in queue:
            chunk = futures.pop(fut)
            try:
                results = fut.result()
            except KilledWorker:
                if len(chunk) > 1:            # split: find the article that kills its worker
                    self.stats["split_batches"] += 1
                    for item in chunk:
                        single = task([item])
                        futures[single] = [item]
                        queue.add(single)
                else:
                    i, art, key = chunk[0]
                    self.stats["worker_deaths_rejected"] += 1
                    done(i, art, key, None, "extraction failed: the worker process died on this article")
                    finished += 1
                continue
            except (CancelledError, OSError):
                raise ClusterError(f"lost the Dask scheduler at {self.address or self.target} during "
                                   f"extraction ({finished} of {len(todo)} articles extracted, kept in the cache); "
                                   "nothing was committed, the previous output is unchanged") from None
            except Exception as e:     # the task itself failed outside the per-article guard
                for i, art, key in chunk:
                    done(i, art, key, None, _reason(e))
                    finished += 1
                continue
            for i, rec, err, wrote in results:
                _, art, key = items[i]
                if rec is None:
                    done(i, art, key, None, err)
                else:
                    # a worker on another machine writes to its own disk: the client checks
                    # the entry is visible here, and writes it itself when it is not
                    written = wrote and vdir is not None and (vdir / f"{key}.json").is_file()
                    done(i, art, key, ArticleRecord.from_dict(rec), None, written=written)
                finished += 1
            del results


def _quiet_loggers() -> dict[str, int]:
    """Set Dask's loggers to CRITICAL; returns their levels before."""
    names = ["distributed", *(n for n in logging.root.manager.loggerDict if n.startswith("distributed."))]
    levels = {n: logging.getLogger(n).level for n in names}
    for n in names:
        logging.getLogger(n).setLevel(logging.CRITICAL)
    return levels


def _one_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0][:200] if text else type(e).__name__
