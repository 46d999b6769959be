"""`kg serve`: a real SPARQL 1.1 Protocol endpoint (the Oxigraph server) over the store."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kg.errors import ServeError
from kg.graph import build_graph, write_graph
from kg.records import ArticleRecord
from kg.serve import serve
from kg.store import build_store, port_in_use, query

DATA = Path(__file__).parent / "data"
COUNT_CASES = ("PREFIX fp: <https://w3id.org/fupin-kg/ontology#>\n"
               "SELECT (COUNT(?c) AS ?n) WHERE { ?c a fp:Case }")


@pytest.fixture(scope="module")
def store(records_store_dir) -> Path:
    """The store of the hand-made records (one session fixture, tests/conftest.py)."""
    return records_store_dir / "store"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, proc: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"kg serve exited early: {proc.stderr.read()}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail("the endpoint did not come up")


@pytest.fixture
def server(store):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(port, proc)
        yield port, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_endpoint_answers_sparql_over_http_and_refuses_updates(server, store):
    port, proc = server
    base = f"http://127.0.0.1:{port}"
    # SPARQL 1.1 Protocol: query via GET
    req = urllib.request.Request(f"{base}/query?" + urllib.parse.urlencode({"query": COUNT_CASES}),
                                 headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        doc = json.load(r)
    assert doc["results"]["bindings"][0]["n"]["value"] == "13"
    # ... and via POST (form-encoded), with CSV results
    req = urllib.request.Request(f"{base}/query", data=urllib.parse.urlencode({"query": COUNT_CASES}).encode(),
                                 headers={"Accept": "text/csv",
                                          "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.read().decode().split() == ["n", "13"]
    # read-only: an update is refused and changes nothing
    upd = "PREFIX fp: <https://w3id.org/fupin-kg/ontology#> INSERT DATA { <urn:x> a fp:Case }"
    req = urllib.request.Request(f"{base}/update", data=urllib.parse.urlencode({"update": upd}).encode(),
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert 400 <= e.value.code < 500
    req = urllib.request.Request(f"{base}/query?" + urllib.parse.urlencode({"query": COUNT_CASES}),
                                 headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert json.load(r)["results"]["bindings"][0]["n"]["value"] == "13"
    # the store stays readable by `kg query` while the endpoint runs
    assert query(store, COUNT_CASES).values() == [{"n": 13}]
    # the banner gives the endpoint and UI
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=15)
    assert proc.returncode == 0
    assert f"{base}/query" in out and f"{base}/" in out
    assert not port_in_use("127.0.0.1", port)       # the server child went away with it


def test_port_in_use_is_a_clear_error(server, store):
    port, _ = server
    r = subprocess.run([sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--port", str(port)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert r.stderr.strip() == f"kg serve: port {port} is in use on 127.0.0.1; choose another with --port"


def test_sigterm_stops_the_server_child(store):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(port, proc)
    os.kill(proc.pid, signal.SIGTERM)
    proc.wait(timeout=15)
    deadline = time.monotonic() + 10
    while port_in_use("127.0.0.1", port) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not port_in_use("127.0.0.1", port)


def test_missing_store(tmp_path):
    with pytest.raises(ServeError, match="run `kg build` first"):
        serve(tmp_path / "store", port=free_port())


def _count(port: int) -> int | None:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/query?" + urllib.parse.urlencode({"query": COUNT_CASES}),
                                 headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return int(json.load(r)["results"]["bindings"][0]["n"]["value"])
    except OSError:                   # refused while the endpoint restarts
        return None


def test_endpoint_follows_a_new_build(tmp_path):
    """Served through the build layout (OUT/store -> .current/store): when a build commits
    (``.current`` swapped, the old build deleted), the endpoint answers from the new one."""
    recs = [ArticleRecord.from_dict(d) for d in json.loads((DATA / "records_corpus.json").read_text(encoding="utf-8"))]
    out = tmp_path / "out"
    for build_id, subset in (("a", recs), ("b", recs[:1])):
        d = out / f".build-{build_id}"
        write_graph(build_graph(subset), d)
        build_store(d / "kg.nt", d / "store")
    expected_b = query(out / ".build-b" / "store", COUNT_CASES).values()[0]["n"]
    assert expected_b != 13
    (out / ".current").symlink_to(".build-a")
    (out / "store").symlink_to(Path(".current") / "store")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--out", str(out), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(port, proc)
        assert _count(port) == 13
        (out / ".next").symlink_to(".build-b")            # commit as kg build does
        os.replace(out / ".next", out / ".current")
        shutil.rmtree(out / ".build-a")
        deadline, seen = time.monotonic() + 20, None
        while time.monotonic() < deadline and seen != expected_b:
            time.sleep(0.2)
            seen = _count(port)
        assert seen == expected_b
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGINT)
        out_text, _ = proc.communicate(timeout=15)
    assert "new build: endpoint restarted" in out_text


def _get(port: int, path: str, headers: dict | None = None) -> tuple[int, str, bytes]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def _sparql(port: int, query_text: str, accept: str = "application/sparql-results+json") -> tuple[int, str, bytes]:
    return _get(port, "/query?" + urllib.parse.urlencode({"query": query_text}), {"Accept": accept})


def test_queries_without_prefix_lines_get_the_project_prefixes(server):
    port, _ = server
    status, ctype, body = _sparql(port, "SELECT (COUNT(?c) AS ?n) WHERE { ?c a fp:Case ; fp:person/rdfs:label ?l }")
    assert status == 200 and "sparql-results+json" in ctype
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "13"
    # POSTed as application/sparql-query too
    req = urllib.request.Request(f"http://127.0.0.1:{port}/query", data=b"ASK { ?c a fp:Case }",
                                 headers={"Content-Type": "application/sparql-query",
                                          "Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert json.load(r)["boolean"] is True
    # a syntax error names the line and column of the query as sent (not of the prefixed one)
    status, _, body = _sparql(port, "SELECT ?c WHERE {\n  ?c a fp:Case\n  FILTER(\n}")
    assert status == 400
    assert body.decode().startswith("kg serve: query: syntax error at line 4, column ")
    # an unknown prefix is still an error, said plainly
    status, _, body = _sparql(port, "SELECT ?c WHERE { ?c a nope:Case }")
    assert status == 400 and "unknown prefix" in body.decode()


def test_the_site_serves_pages_and_files_and_nothing_else(server, store):
    port, _ = server
    status, ctype, body = _get(port, "/")
    assert status == 200 and ctype.startswith("text/html")
    home = body.decode()
    assert 'href="query.html"' in home and "/query" in home
    status, _, body = _get(port, "/query.html")
    page = html.unescape(body.decode())
    assert status == 200 and "PREFIX fp: <https://w3id.org/fupin-kg/ontology#>" in page
    from kg.serve import example_queries

    examples = example_queries()
    assert len(examples) >= 12
    for q in examples:                        # each example with its comment
        assert q["comment"] and f">{q['name']}<" in page
    assert not re.search(r"""\s(src|href)=["']?(https?:)?//""", page)     # nothing from elsewhere
    status, ctype, body = _get(port, "/kg.ttl")
    assert status == 200 and ctype.startswith("text/turtle") and body == (store.parent / "kg.ttl").read_bytes()
    for bad in ("/nothing.html", "/../kg.ttl", "/%2e%2e/%2e%2e/etc/passwd", "/cases/../kg.nt", "/store/data",
                "/cases/.pages.json"):
        assert _get(port, bad)[0] == 404, bad
    assert _get(port, "/graph.html")[0] == 404          # this store's folder has no views
    req = urllib.request.Request(f"http://127.0.0.1:{port}/update", data=b"update=CLEAR+ALL",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code == 403 and "read-only" in e.value.read().decode()


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
RUNAWAY_STREAM = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _oxigraph_child(proc: subprocess.Popen):
    import psutil

    (child,) = [c for c in psutil.Process(proc.pid).children() if "oxigraph" in c.name()]
    return child


def test_runaway_queries_are_stopped_at_the_time_limit(store):
    """``kg serve --timeout 2``: a runaway query (aggregating or streaming) gets 503 with the
    reason after about 2 s, and the Oxigraph process stops working on it."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--port", str(port),
                             "--timeout", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(port, proc)
        ox = _oxigraph_child(proc)
        for q in (RUNAWAY, RUNAWAY_STREAM):
            t = time.monotonic()
            status, _, body = _sparql(port, q)
            took = time.monotonic() - t
            assert status == 503, body[:200]
            assert body.decode().strip() == ("kg serve: the query ran longer than 2 s and was stopped "
                                             "(the limit is kg serve --timeout SECONDS)")
            assert 2 <= took < 6, took
        # the work stops: within a few seconds the server's CPU time no longer grows
        deadline, idle = time.monotonic() + 30, False
        while time.monotonic() < deadline and not idle:
            before = sum(ox.cpu_times()[:2])
            time.sleep(1.0)
            idle = sum(ox.cpu_times()[:2]) - before < 0.05
        assert idle, "the oxigraph server kept working on the stopped queries"
        assert _count(port) == 13                          # and it still answers
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=15)


@pytest.mark.slow
@pytest.mark.browser
def test_the_served_site_in_a_browser(built_output):
    """Every page of the site at one address in headless Chromium: nothing requested
    elsewhere, no failed request, no script error; the query page runs an example query
    and a case page's link runs the query of its facts."""
    from playwright.sync_api import sync_playwright

    from kg.resources import queries_dir
    from kg.views import CHROMIUM, CHROMIUM_ARGS

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--out", str(built_output), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(port, proc)
        expected_01 = len(query(built_output / "store",
                                (queries_dir() / "01_monthly_income_by_category.rq").read_text(encoding="utf-8")))
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                page = browser.new_page()
                outside, failed, errors = [], [], []
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base)
                           else (outside.append(r.request.url), r.abort()))
                page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

                page.goto(f"{base}/")
                links = page.eval_on_selector_all("a", "as => as.map(a => a.getAttribute('href'))")
                assert {"query.html", "graph.html", "cases/index.html", "report.html"} <= set(links)
                assert any(x.startswith("exports/") for x in links)
                for href in [x for x in links if x.startswith("exports/")] + ["kg.ttl"]:
                    assert page.request.get(f"{base}/{href}").status == 200, href

                page.goto(f"{base}/graph.html")
                page.wait_for_function("window.kgDrawn === true", timeout=60_000)
                page.goto(f"{base}/report.html")
                assert "map.html" in links
                page.goto(f"{base}/map.html")
                page.wait_for_function("window.kgDrawn === true", timeout=60_000)
                assert page.evaluate("window.kgStats.nodes") > 0
                page.goto(f"{base}/cases/index.html")
                page.wait_for_function("window.kgCases && window.kgCases.rows > 0")
                page.click("#rows tr:first-child a")               # a case page
                page.wait_for_load_state()
                assert "/cases/" in page.url and page.url.endswith(".html")
                page.click("text=its facts in SPARQL")             # its facts, queried here
                page.wait_for_function("window.kgQuery && window.kgQuery.state !== 'running'")
                facts = page.evaluate("window.kgQuery")
                assert facts["state"] == "done" and facts["rows"] >= 5, facts

                page.goto(f"{base}/query.html")
                assert "PREFIX fp: <https://w3id.org/fupin-kg/ontology#>" in page.input_value("#editor")
                page.select_option("#examples", label="01_monthly_income_by_category")
                page.wait_for_function("window.kgQuery && window.kgQuery.state !== 'running'")
                result = page.evaluate("window.kgQuery")
                assert result == {"state": "done", "rows": expected_01, "vars": result["vars"]} and expected_01 > 0
                assert "收入" in page.text_content("#comment") or "income" in page.text_content("#comment")
                assert page.locator("#results tr").count() == expected_01 + 1
                # a query without PREFIX lines, and an error shown as one line
                page.fill("#editor", "SELECT (COUNT(?c) AS ?n) WHERE { ?c a fp:Case }")
                page.click("#run")
                page.wait_for_function("window.kgQuery.state !== 'running'")
                assert page.evaluate("window.kgQuery.rows") == 1
                seen = len(errors)
                page.fill("#editor", "SELECT ?c WHERE { ?c a fp:Case")
                page.click("#run")
                page.wait_for_function("window.kgQuery.state !== 'running'")
                assert page.evaluate("window.kgQuery.state") == "error"
                assert page.text_content("#status").startswith("kg serve: query: syntax error at line 1")
                # a browsing query opened filled in from its address, then run again from its field
                from kg.browse import browse_dir, fill_params

                town = query(built_output / "store", 'SELECT ?n WHERE { ?c a fp:Case ; fp:place/fp:partOf* ?t . '
                             '?t fp:adminLevel "township" ; rdfs:label ?n } LIMIT 1').values()[0]["n"]
                text = (browse_dir() / "place_cases.rq").read_text(encoding="utf-8")
                expected = len(query(built_output / "store", fill_params(text, {"name": [town]})))
                page.goto(f"{base}/query.html?example=browse/place_cases&name={urllib.parse.quote(town)}")
                page.wait_for_function("window.kgQuery && window.kgQuery.state !== 'running'")
                assert page.evaluate("window.kgQuery.rows") == expected > 0
                assert page.input_value("#param-name") == town
                page.fill("#param-name", "没有这个地方")
                page.press("#param-name", "Enter")
                page.wait_for_function("window.kgQuery.state !== 'running'")
                assert page.evaluate("[window.kgQuery.state, window.kgQuery.rows]") == ["done", 0]
                # the 400 of that query is expected (the browser logs it as a console error)
                failed = [f for f in failed if not f.startswith("400 ") or not f.endswith("/query")]
                errors[seen:] = [e for e in errors[seen:] if "status of 400" not in e]
            finally:
                browser.close()
        assert outside == [], f"requests left the site: {outside}"
        assert failed == [], failed
        assert errors == [], errors
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=15)


@pytest.mark.parametrize("memory, says", [("on", "endpoint: the store in memory"), ("off", "endpoint: the store on disk")])
def test_the_endpoint_answers_from_memory_or_from_disk(store, memory, says):
    """--memory on copies the store into an in-memory Oxigraph server (kg.memstore), off reads
    it on disk: the same answers, and updates are refused either way."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--port", str(port),
                             "--memory", memory], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(port, proc)
        assert _count(port) == query(store, COUNT_CASES).values()[0]["n"] == 13
        code, _, _ = _sparql(port, "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
        assert code == 400                               # an update is no query
        update = urllib.parse.urlencode({"update": "DELETE WHERE { ?s ?p ?o }"})
        assert _get(port, "/query?" + update)[0] == 403
        assert _get(port, "/update?" + update)[0] == 403
        assert _count(port) == 13
    finally:
        proc.send_signal(signal.SIGINT)
        out_text, _ = proc.communicate(timeout=15)
    assert says in out_text
