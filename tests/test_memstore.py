"""The store held in memory (kg.memstore): the same quads and answers as the store on disk."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import ServeError
from kg.memstore import fits_in_memory, load_memory_store, load_server, memory_available, memory_needed
from kg.resources import queries_dir
from kg.store import _stop, open_store, oxigraph_binary, query
from kg.summary import SUMMARY_GRAPH

DATA = Path(__file__).parent / "data"
QUADS = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"


@pytest.fixture(scope="module")
def store(records_store_dir) -> Path:
    """The store of the hand-made records (one session fixture, tests/conftest.py)."""
    return records_store_dir / "store"


def _term(t) -> tuple | None:
    if t is None:
        return None
    # GROUP_CONCAT joins in the order the store meets the values (06's categories): a set
    parts = t.value.split(", ")
    return type(t).__name__, (t.value if len(parts) == 1 else tuple(sorted(parts)))


def _rows(store, text: str) -> list[tuple]:
    return [tuple(_term(t) for t in row) for row in query(store, text).rows]


def test_the_copy_in_memory_has_every_quad_and_the_same_answers(store):
    mem = load_memory_store(store)
    disk = open_store(store)
    assert len(mem) == len(disk) > 1000
    summary = ox.NamedNode(SUMMARY_GRAPH)
    assert len(list(mem.quads_for_pattern(None, None, None, summary))) == \
        len(list(disk.quads_for_pattern(None, None, None, summary))) > 0
    for path in sorted(queries_dir().glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        assert _rows(mem, text) == _rows(disk, text), path.name


def test_memory_needed_follows_the_store_size(store, tmp_path):
    need = memory_needed(store)
    on_disk = sum(p.stat().st_size for p in Path(store).resolve().rglob("*") if p.is_file())
    assert need >= on_disk > 0
    assert memory_needed(tmp_path) == 0                   # an empty folder needs nothing
    free = memory_available()
    assert free is None or free > 0
    assert fits_in_memory(store, share=0.0) is False      # no share of the memory: never
    if free is not None:
        assert fits_in_memory(store) is (need <= 0.5 * free)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int, proc: subprocess.Popen) -> None:
    import time

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and proc.poll() is None:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail("the in-memory oxigraph server did not start")


def test_load_server_streams_the_store_into_an_in_memory_server(store):
    port = _free_port()
    proc = subprocess.Popen([str(oxigraph_binary()), "serve", "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(port, proc)
        took = load_server(store, port)
        assert took["seconds"] > 0
        import urllib.parse
        import urllib.request

        req = urllib.request.Request(f"http://127.0.0.1:{port}/query?" + urllib.parse.urlencode({"query": QUADS}),
                                     headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            served = int(json.load(r)["results"]["bindings"][0]["n"]["value"])
        assert served == query(store, QUADS).values()[0]["n"] == len(open_store(store))
    finally:
        _stop(proc)


def test_load_server_without_a_server_is_one_clear_error(store):
    with pytest.raises(ServeError, match="could not load the store into the in-memory server"):
        load_server(store, _free_port(), timeout=5)
