"""The store held in memory: whole-graph queries without the disk in the way.

On disk (RocksDB) every pattern a query joins is an index seek and every string it
sorts or returns is decoded through a second lookup: at 1,000 articles (1.4 M quads) an
example query that lists thousands of rows spends most of its time there (02: 0.6 s on
disk, 0.15 s in memory). The built store is small beside the machine's memory (about
0.5 GB in memory at that size), so ``kg serve`` keeps a copy of it in memory when it fits
and answers from that, and ``kg bench`` measures both.

* :func:`memory_needed` estimates the bytes an in-memory copy takes, from the store's size
  on disk; :func:`fits_in_memory` compares that with the memory the machine has free.
* :func:`load_memory_store` copies a built store into a ``pyoxigraph.Store()`` (for the bench
  and notebooks); :func:`load_server` streams it into an Oxigraph server started without
  ``--location`` (in-memory, what ``kg serve --memory`` runs), through the SPARQL 1.1 Graph
  Store Protocol: the named graphs (ontology, summary) come along, as N-Quads.

The copy is a snapshot: a new build is loaded again (``kg serve`` does so when the build
commits).
"""

from __future__ import annotations

import http.client
import os
import threading
import time
from pathlib import Path

import pyoxigraph as ox

from kg.errors import ServeError
from kg.store import open_store

__all__ = ["MEMORY_FACTOR", "memory_needed", "memory_available", "fits_in_memory", "load_memory_store",
           "load_server"]

#: Bytes an in-memory Oxigraph store takes per byte of the same store on disk (RocksDB,
#: compressed): measured 1.35 at 1,000 articles (360 MB on disk, 487 MB resident in the
#: server after loading); rounded up.
MEMORY_FACTOR = 1.6


def _disk_bytes(store_dir: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(os.path.realpath(store_dir)):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(root, f))
            except OSError:        # a RocksDB file compacted away meanwhile
                pass
    return total


def memory_needed(store_dir: str | os.PathLike) -> int:
    """Estimated bytes an in-memory copy of the store at ``store_dir`` needs."""
    return int(_disk_bytes(Path(store_dir)) * MEMORY_FACTOR)


def memory_available() -> int | None:
    """Bytes of memory the machine can give without swapping (``MemAvailable``), or None
    where ``/proc/meminfo`` does not say."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def fits_in_memory(store_dir: str | os.PathLike, share: float = 0.5) -> bool:
    """True when an in-memory copy of the store needs at most ``share`` of the free memory
    (a rebuild, the bench or a notebook may want the rest)."""
    free = memory_available()
    return free is not None and memory_needed(store_dir) <= share * free


def load_memory_store(store_dir: str | os.PathLike) -> ox.Store:
    """A ``pyoxigraph.Store()`` in memory holding every quad of the built store at
    ``store_dir`` (facts, ontology graph, summary graph)."""
    disk = open_store(Path(store_dir))
    data = disk.dump(format=ox.RdfFormat.N_QUADS)
    del disk
    store = ox.Store()
    store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
    return store


class _Pipe:
    """The read end of an ``os.pipe`` as the body http.client streams (chunked)."""

    def __init__(self, fd: int) -> None:
        self.file = os.fdopen(fd, "rb", buffering=1 << 20)

    def read(self, n: int = -1) -> bytes:
        return self.file.read(n if n and n > 0 else 1 << 20)


def load_server(store_dir: str | os.PathLike, port: int, timeout: float = 600.0) -> dict[str, float]:
    """Stream every quad of the built store at ``store_dir`` into the (empty, in-memory)
    Oxigraph server on ``127.0.0.1:port``: the store is dumped as N-Quads into a pipe while
    the server reads it (a POST to ``/store``), so dumping and loading overlap.
    Returns the seconds it took."""
    t0 = time.perf_counter()
    read_fd, write_fd = os.pipe()
    failure: list[BaseException] = []

    def dump() -> None:
        try:
            with os.fdopen(write_fd, "wb", buffering=1 << 20) as w:
                open_store(Path(store_dir)).dump(output=w, format=ox.RdfFormat.N_QUADS)
        except BaseException as e:  # reported by the caller, after the server's answer
            failure.append(e)

    writer = threading.Thread(target=dump, daemon=True)
    writer.start()
    body = _Pipe(read_fd)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", "/store", body=body, headers={"Content-Type": "application/n-quads"},
                     encode_chunked=True)
        resp = conn.getresponse()
        answer = resp.read().decode("utf-8", "replace")
    except OSError as e:
        raise ServeError(f"{store_dir}: could not load the store into the in-memory server: {e}") from None
    finally:
        conn.close()
        body.file.close()
        writer.join(timeout=5)
    if failure:
        raise ServeError(f"{store_dir}: could not read the store to load it into memory: {failure[0]}")
    if resp.status >= 300:
        raise ServeError(f"{store_dir}: the in-memory server refused the store (HTTP {resp.status}): "
                         f"{' '.join(answer.split())[:160]}")
    return {"seconds": round(time.perf_counter() - t0, 3)}
