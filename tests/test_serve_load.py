"""``kg serve`` under load (issue 8): at least 20 concurrent clients send 5,000 SPARQL queries
in all to the read-only endpoint on 127.0.0.1; every one must succeed; p50/p99 latency is
reported; update requests are refused. The store is that of a real build of the corpus and
the queries are the project's example queries (queries/*.rq) plus a few small ones.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = 24
TOTAL = 5000
SLOW_QUERY_S = 2.0
SMALL_QUERIES = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "PREFIX fp: <https://w3id.org/fupin-kg/ontology#> SELECT ?c WHERE { ?c a fp:Case } LIMIT 50",
    "PREFIX fp: <https://w3id.org/fupin-kg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "SELECT ?p ?l WHERE { ?p a fp:Person ; rdfs:label ?l }",
    "PREFIX fp: <https://w3id.org/fupin-kg/ontology#> ASK { ?x fp:partOf ?y }",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def built(built_output):
    pytest.importorskip("kg.store")
    return built_output


@pytest.fixture(scope="module")
def server(built):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--out", str(built), "--port", str(port), "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"kg serve exited {proc.returncode}: {proc.stderr.read().decode()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.2)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("kg serve did not start listening within 60 s")
    yield port
    os.killpg(proc.pid, signal.SIGTERM)        # the server and the oxigraph process it started
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _queries() -> list[str]:
    qs = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))]
    return qs + SMALL_QUERIES


def _get(conn: http.client.HTTPConnection, query: str) -> tuple[int, bytes]:
    conn.request("GET", "/query?" + urllib.parse.urlencode({"query": query}),
                 headers={"Accept": "application/sparql-results+json"})
    resp = conn.getresponse()
    return resp.status, resp.read()


def _load_mix(port: int) -> tuple[list[str], list[str]]:
    """The queries for the load, after one warm-up run each: a query slower than
    SLOW_QUERY_S alone is left out of the mix (and named), as it would measure the query
    planner rather than the endpoint under concurrency."""
    mix, slow = [], []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for q in _queries():
        t = time.perf_counter()
        status, body = _get(conn, q)
        assert status == 200, body[:300]
        took = time.perf_counter() - t
        if took > SLOW_QUERY_S:
            slow.append(f"{q.strip().splitlines()[0][:60]}... ({took:.1f} s)")
        else:
            mix.append(q)
    conn.close()
    return mix, slow


def test_5000_queries_from_24_clients_without_error(server):
    queries, slow = _load_mix(server)
    assert len(queries) >= 8, f"too few queries fast enough for the load test; slow: {slow}"
    if slow:
        print(f"\nleft out of the load mix (slower than {SLOW_QUERY_S} s alone): {slow}")
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    per_client = [TOTAL // CLIENTS + (1 if i < TOTAL % CLIENTS else 0) for i in range(CLIENTS)]
    start = threading.Barrier(CLIENTS)

    def client(n: int, count: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server, timeout=30)
        mine, bad = [], []
        start.wait()
        for k in range(count):
            qi = (n + k) % len(queries)
            q = queries[qi]
            t = time.perf_counter()
            try:
                status, body = _get(conn, q)
                if status != 200:
                    bad.append(f"HTTP {status}: {body[:200]!r}")
                else:
                    json.loads(body)
            except (OSError, http.client.HTTPException, ValueError) as e:
                bad.append(f"{type(e).__name__}: {e}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", server, timeout=30)
            mine.append((qi, time.perf_counter() - t))
        conn.close()
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=client, args=(i, c)) for i, c in enumerate(per_client)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    assert len(latencies) == TOTAL
    assert errors == [], f"{len(errors)} errors, first: {errors[:3]}"
    ms = sorted(x * 1000 for _, x in latencies)
    p50, p99 = statistics.median(ms), ms[int(0.99 * (len(ms) - 1))]
    print(f"\nkg serve: {TOTAL} queries ({len(queries)} distinct) from {CLIENTS} clients in {wall:.1f} s "
          f"({TOTAL / wall:.0f} q/s), 0 errors, p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {ms[-1]:.1f} ms")
    per_query = {qi: statistics.median(x * 1000 for i, x in latencies if i == qi) for qi in range(len(queries))}
    slowest = sorted(per_query, key=per_query.get, reverse=True)[:3]
    print("slowest queries (median ms): " + "; ".join(
        f"{queries[qi].strip().splitlines()[0][:50]} {per_query[qi]:.0f}" for qi in slowest))


@pytest.mark.parametrize("how", ["update-endpoint", "form-update", "query-endpoint"])
def test_updates_are_refused(server, how):
    update = 'INSERT DATA { <urn:x:a> <urn:x:b> "c" }'
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    if how == "update-endpoint":
        conn.request("POST", "/update", body=update.encode(), headers={"Content-Type": "application/sparql-update"})
    elif how == "form-update":
        conn.request("POST", "/update", body=urllib.parse.urlencode({"update": update}).encode(),
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    else:
        conn.request("POST", "/query", body=update.encode(), headers={"Content-Type": "application/sparql-update"})
    resp = conn.getresponse()
    resp.read()
    assert 400 <= resp.status < 500, resp.status
    status, body = _get(conn, "ASK { <urn:x:a> ?p ?o }")
    assert status == 200 and json.loads(body)["boolean"] is False, "the data did not change"
    conn.close()


RUNAWAYS = ["SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
            "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"]


def test_runaway_queries_beside_ordinary_ones(built):
    """``kg serve --timeout 2`` with three clients sending runaway queries over and over
    while eight send ordinary ones: every runaway gets 503 at the limit, every ordinary
    query is answered, and fast."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--out", str(built), "--port", str(port), "-q",
                             "--timeout", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        ordinary = SMALL_QUERIES + [p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))[:4]]
        stop_at = time.monotonic() + 12
        lock = threading.Lock()
        fast: list[float] = []
        runaway: list[tuple[int, float, bytes]] = []
        errors: list[str] = []

        def run(queries: list[str], sink: list, runaway_client: bool) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            k = 0
            while time.monotonic() < stop_at:
                q = queries[k % len(queries)]
                k += 1
                t = time.perf_counter()
                try:
                    status, body = _get(conn, q)
                except (OSError, http.client.HTTPException) as e:
                    with lock:
                        errors.append(f"{type(e).__name__}: {e}")
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    continue
                took = time.perf_counter() - t
                with lock:
                    if runaway_client:
                        sink.append((status, took, body[:200]))
                    elif status != 200:
                        errors.append(f"HTTP {status}: {body[:200]!r}")
                    else:
                        sink.append(took)
            conn.close()

        threads = [threading.Thread(target=run, args=(RUNAWAYS[i % 2:] + RUNAWAYS[:i % 2], runaway, True))
                   for i in range(3)]
        threads += [threading.Thread(target=run, args=(ordinary, fast, False)) for _ in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert errors == [], errors[:3]
        assert len(runaway) >= 6 and all(s == 503 and b"ran longer than 2 s" in b for s, _, b in runaway), runaway[:3]
        assert all(1.9 <= t < 4 for _, t, _ in runaway), [round(t, 2) for _, t, _ in runaway]
        ms = sorted(x * 1000 for x in fast)
        p50, p99 = statistics.median(ms), ms[int(0.99 * (len(ms) - 1))]
        print(f"\nbeside {len(runaway)} runaway queries stopped at 2 s: {len(ms)} ordinary queries from 8 clients, "
              f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {ms[-1]:.1f} ms")
        assert len(ms) > 200 and p50 < 250 and p99 < 2000
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
