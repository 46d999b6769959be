"""``kg serve``: one local site — the SPARQL endpoint, a query page, the graph, the case
pages, the report and the downloads at one address, with a time limit on every query.

A small HTTP server (the standard library's ``ThreadingHTTPServer``) listens on the
address given and sits in front of the Oxigraph server (``oxigraph serve-read-only``, on a
private port of 127.0.0.1, started with ``--timeout-s``):

* ``/query`` is the SPARQL 1.1 Protocol endpoint (GET ``?query=``, POST form or
  ``application/sparql-query``). The project's prefixes (``fp:``, ``rdfs:``, ``skos:``...)
  are added to a query that uses them without declaring them, as ``kg query`` does, and a
  syntax error names the line and column of the query as sent. Each query has ``timeout``
  seconds: past them the client gets ``503`` with a one-line reason and the connection to
  Oxigraph is dropped, which, with Oxigraph's own ``--timeout-s``, stops the work (Oxigraph's
  limit alone lets a streaming result run for ever). Updates are refused (403).
* ``/`` is the site's home page; ``/query.html`` a query page preloaded with the prefixes
  and the example queries (``queries/*.rq``, each with its comment) and the browsing
  queries (``queries/browse/*.rq``, a field for each parameter; ``query.html?example=
  browse/person&name=…`` opens one filled in and runs it), that runs them here and
  shows the results as a table; ``/graph.html``, ``/report.html``, ``/cases/…`` and
  ``/exports/…`` are the build's files (through the output's entry links, so a new build is
  served as soon as it commits). Every page is self-contained: no request leaves it.

When a build commits a new store, Oxigraph is restarted on it (about a second during which
queries get 503 "restarting").

Where the store fits in memory (``--memory auto``, the default: at most half the free memory,
:func:`kg.memstore.fits_in_memory`), Oxigraph runs without ``--location`` and the store is
copied into it at start and after each new build (:func:`kg.memstore.load_server`; ~20 s at
1,000 articles, queries meanwhile get 503): whole-graph queries then answer 2–4x faster than
from RocksDB on disk. That server is read-write, but only this process reaches its private
port and the site refuses updates.
"""

from __future__ import annotations

import http.client
import math
import mimetypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from kg.browse import leading_comment
from kg.errors import EXIT_OK, ServeError
from kg.memstore import fits_in_memory, load_server, memory_needed
from kg.resources import queries_dir
from kg.store import (
    DEFAULT_TIMEOUT,
    _die_with_parent,
    _on_sigterm_interrupt,
    _one_line,
    _query_error,
    _stop,
    _wait_port_free,
    oxigraph_binary,
    port_in_use,
    sparql_prefixes,
    with_default_prefixes,
)

__all__ = ["serve", "example_queries", "site_pages", "render_query_page", "render_home"]

#: Top-level files of the output directory the site serves, and its folders.
SITE_FILES = ("graph.html", "map.html", "report.html", "analytics.json", "build-report.json", "kg.ttl", "kg.nt", "kg.jsonld")
SITE_DIRS = ("cases", "exports")
_TYPES = {".ttl": "text/turtle; charset=utf-8", ".nt": "application/n-triples; charset=utf-8",
          ".jsonld": "application/ld+json", ".json": "application/json", ".html": "text/html; charset=utf-8",
          ".csv": "text/csv; charset=utf-8", ".parquet": "application/vnd.apache.parquet",
          ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          ".graphml": "application/graphml+xml", ".gexf": "application/xml", ".geojson": "application/geo+json"}
_CANCELLED = b"The SPARQL operation has been cancelled"   # what Oxigraph appends to an answer it stops
_GRACE_S = 0.5          # the proxy waits this much past the limit before it gives up on Oxigraph


# ---------------------------------------------------------------------------------------------
# Pages


def example_queries() -> list[dict[str, str]]:
    """The example queries (``queries/*.rq``): ``name``, ``comment`` (the leading ``#``
    lines) and ``text``."""
    out = []
    for p in sorted(queries_dir().glob("*.rq")):
        text = p.read_text(encoding="utf-8")
        out.append({"name": p.stem, "comment": leading_comment(text), "text": text})
    return out


_START_QUERY = """SELECT ?case ?person ?place WHERE {
  ?case a fp:Case ; fp:person/rdfs:label ?person .
  OPTIONAL { ?case fp:place/rdfs:label ?place }
}
ORDER BY ?person
LIMIT 50
"""


def render_query_page() -> str:
    """The query page: an editor preloaded with the project's prefixes, the example queries
    (each with its comment) and a results table; it posts to ``query`` beside it."""
    from kg.browse import browse_queries
    from kg.views import _css, _env, _markup, _script_json

    # the example queries, then the browsing queries (queries/browse/) with their parameters:
    # the page shows a field per parameter and fills the query's VALUES line from it
    examples = example_queries() + browse_queries()
    return _env().get_template("query.html").render(
        css=_markup(_css()), examples=examples, examples_json=_script_json(examples),
        start=sparql_prefixes() + "\n" + _START_QUERY)


def site_pages(out: Path) -> dict[str, bool]:
    """Which of the site's pages the output directory has."""
    out = Path(out)
    return {"graph.html": (out / "graph.html").is_file(), "report.html": (out / "report.html").is_file(),
            "map.html": (out / "map.html").is_file(),
            "cases/index.html": (out / "cases" / "index.html").is_file(),
            "exports": (out / "exports").is_dir()}


def render_home(out: Path) -> str:
    """The site's home page: what is served here and where."""
    from kg.views import _css, _env, _markup

    out = Path(out)
    exports = sorted(p.name for p in (out / "exports").iterdir() if p.is_file()) if (out / "exports").is_dir() else []
    return _env().get_template("site.html").render(css=_markup(_css()), pages=site_pages(out), exports=exports)


# ---------------------------------------------------------------------------------------------
# The server


class _Upstream(http.client.HTTPConnection):
    """A connection to Oxigraph without Nagle's delay (http.client sends a POST's headers
    and body in two writes: with Nagle and a delayed ACK each query would wait ~40 ms)."""

    def connect(self) -> None:
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


@dataclass
class _Site:
    out: Path
    store: Path
    upstream_port: int
    timeout: float
    query_page: bytes
    local: threading.local = field(default_factory=threading.local)

    def connection(self, fresh: bool = False) -> http.client.HTTPConnection:
        """This thread's keep-alive connection to Oxigraph."""
        conn = getattr(self.local, "conn", None)
        if conn is None or fresh:
            if conn is not None:
                conn.close()
            conn = self.local.conn = _Upstream("127.0.0.1", self.upstream_port, timeout=self.timeout + _GRACE_S)
        return conn

    def drop(self) -> None:
        conn = getattr(self.local, "conn", None)
        if conn is not None:
            conn.close()
            self.local.conn = None


class _Timeout(Exception):
    pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kg-serve"
    site: _Site               # set on the subclass made by serve()

    def setup(self) -> None:
        super().setup()
        # headers and body go out in two writes: without this, Nagle's algorithm and the
        # client's delayed ACK hold every answer back ~40 ms
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:   # quiet: no line per request
        pass

    # -- replies ------------------------------------------------------------------------
    def _reply(self, status: int, body: bytes, ctype: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str) -> None:
        self._reply(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")

    # -- routing ------------------------------------------------------------------------
    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        if path in ("/query", "/sparql"):
            params = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
            return self._query(params)
        if path in ("/update",):
            return self._error(403, "kg serve: this endpoint is read-only (updates are refused)")
        if path in ("/", "/index.html"):
            return self._reply(200, render_home(self.site.out).encode("utf-8"), "text/html; charset=utf-8")
        if path == "/query.html":
            return self._reply(200, self.site.query_page, "text/html; charset=utf-8")
        return self._file(path)

    def do_POST(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if path == "/update":
            return self._error(403, "kg serve: this endpoint is read-only (updates are refused)")
        if path not in ("/query", "/sparql"):
            return self._error(404, f"kg serve: nothing to POST to at {path}")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
        if ctype == "application/x-www-form-urlencoded":
            params += urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        elif ctype == "application/sparql-query":
            params.append(("query", body.decode("utf-8", "replace")))
        else:
            return self._error(415, f"kg serve: POST a query as application/x-www-form-urlencoded or "
                                    f"application/sparql-query (got {ctype or 'no content type'}); updates are refused")
        return self._query(params)

    # -- SPARQL -------------------------------------------------------------------------
    def _query(self, params: list[tuple[str, str]]) -> None:
        if any(k in ("update", "using-graph-uri", "using-named-graph-uri") for k, _ in params):
            return self._error(403, "kg serve: this endpoint is read-only (updates are refused)")
        texts = [v for k, v in params if k == "query"]
        if len(texts) != 1:
            return self._error(400, "kg serve: give one SPARQL query, as ?query=… or in a POST body")
        text, added = with_default_prefixes(texts[0])
        forwarded = [("query", text)] + [(k, v) for k, v in params if k != "query"]
        accept = self.headers.get("Accept") or "application/sparql-results+json"
        site = self.site
        start = time.monotonic()
        deadline = start + site.timeout + _GRACE_S
        for attempt in (0, 1):
            conn = site.connection(fresh=attempt > 0)
            try:
                status, headers, body = self._forward(conn, forwarded, accept, deadline)
                break
            except _Timeout:
                site.drop()          # Oxigraph sees the client leave and stops (with --timeout-s)
                return self._error(503, f"kg serve: the query ran longer than {site.timeout:g} s and was stopped "
                                        f"(the limit is kg serve --timeout SECONDS)")
            except (ConnectionError, http.client.HTTPException, OSError) as e:
                site.drop()
                if time.monotonic() - start >= site.timeout:
                    return self._error(503, f"kg serve: the query ran longer than {site.timeout:g} s and was "
                                            f"stopped (the limit is kg serve --timeout SECONDS)")
                if attempt == 1 or not isinstance(e, ConnectionError | http.client.RemoteDisconnected):
                    return self._error(503, f"kg serve: the SPARQL server is not answering ({_one_line(str(e)) or type(e).__name__}); "
                                            "it restarts after a new build, try again")
        if status == 400:
            message = body.decode("utf-8", "replace")
            err = _query_error(ValueError(message), "query", added)
            return self._error(400, f"kg serve: {err}")
        self._reply(status, body, headers.get("Content-Type", "application/octet-stream"))

    def _forward(self, conn: http.client.HTTPConnection, params: list[tuple[str, str]], accept: str,
                 deadline: float) -> tuple[int, http.client.HTTPMessage, bytes]:
        """POST the query to Oxigraph and read the whole answer before ``deadline`` (an
        answer cut short — Oxigraph stopping a query past its own limit — is an error)."""
        data = urllib.parse.urlencode(params).encode("utf-8")
        conn.request("POST", "/query", body=data, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
        chunks: list[bytes] = []
        try:
            conn.sock.settimeout(max(deadline - time.monotonic(), 0.01))
            resp = conn.getresponse()
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise _Timeout
                if conn.sock is not None:
                    conn.sock.settimeout(left)
                piece = resp.read1(1 << 16)
                if not piece:
                    break
                chunks.append(piece)
            resp.close()        # read whole: the connection is ready for the next request
        except TimeoutError:
            raise _Timeout from None
        except http.client.IncompleteRead:      # Oxigraph cut the answer: it stopped the query at its limit
            raise _Timeout from None
        if resp.will_close:
            self.site.drop()
        body = b"".join(chunks)
        if body.endswith(_CANCELLED):       # Oxigraph stopped it at its own limit mid-answer
            raise _Timeout
        return resp.status, resp.headers, body

    # -- files --------------------------------------------------------------------------
    def _file(self, path: str) -> None:
        parts = [p for p in path.split("/") if p]
        ok = ((len(parts) == 1 and parts[0] in (*SITE_FILES, *SITE_DIRS))
              or (len(parts) == 2 and parts[0] in SITE_DIRS and not parts[1].startswith(".")))
        if not ok or any(p in (".", "..") for p in parts):
            return self._error(404, f"kg serve: no page {path} here (see / for what is served)")
        if parts == ["exports"]:
            return self._reply(302, b"", "text/plain", {"Location": "/#downloads"})
        if parts == ["cases"]:
            parts.append("index.html")
        target = self.site.out.joinpath(*parts)
        try:
            data = target.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return self._error(404, f"kg serve: {path} is not in this build (run kg build)")
        suffix = target.suffix.lower()
        ctype = _TYPES.get(suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        extra = {}
        if parts[0] == "exports":
            extra["Content-Disposition"] = f"attachment; filename*=UTF-8''{urllib.parse.quote(target.name)}"
        self._reply(200, data, ctype, extra)


def _wait_ready(proc: subprocess.Popen, port: int, err, timeout: float = 30.0) -> None:
    """Wait until the Oxigraph server accepts connections (or say why it did not start)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err.seek(0)
            raise ServeError(f"the oxigraph server did not start (exit {proc.returncode}): "
                             f"{_one_line(err.read().decode('utf-8', 'replace'))}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    _stop(proc)
    raise ServeError(f"the oxigraph server did not answer on 127.0.0.1:{port} within {timeout:g} s")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(store: Path, host: str = "127.0.0.1", port: int = 7878, quiet: bool = False, poll_s: float = 1.0,
          out: Path | None = None, timeout: float = DEFAULT_TIMEOUT, memory: str = "auto") -> int:
    """``kg serve``: the local site (see the module docstring) until interrupted.

    ``store`` is usually ``OUT/store``, a link into the committed build; ``out`` (default:
    the store's parent) holds the pages. ``timeout``: seconds each query may run.
    ``memory``: ``on`` answers from a copy of the store in memory (:mod:`kg.memstore`),
    ``off`` from the store on disk, ``auto`` in memory when it fits."""
    store = Path(store)
    out = Path(out) if out is not None else store.parent
    if not store.is_dir() or not any(store.iterdir()):
        raise ServeError(f"{store}: no SPARQL store here; run `kg build` first (or give --store DIR)")
    if not 0 < port < 65536:
        raise ServeError(f"port {port} is not a valid TCP port")
    if not timeout or timeout <= 0 or not math.isfinite(timeout):
        raise ServeError(f"--timeout must be a positive number of seconds (got {timeout})")
    if memory not in ("auto", "on", "off"):
        raise ServeError(f"--memory must be auto, on or off (got {memory})")
    if port_in_use(host, port):
        raise ServeError(f"port {port} is in use on {host}; choose another with --port")
    binary = oxigraph_binary()
    upstream = _free_port()

    handler = type("Handler", (_Handler,), {})
    handler.site = _Site(out=out, store=store, upstream_port=upstream, timeout=float(timeout),
                         query_page=render_query_page().encode("utf-8"))
    try:
        httpd = ThreadingHTTPServer((host, port), handler)
    except OSError as e:
        raise ServeError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    httpd.daemon_threads = True
    url_host = f"[{host}]" if ":" in host else host
    base = f"http://{url_host}:{port}"
    if not quiet:
        print(f"Fupin KG site: {base}/\n"
              f"SPARQL endpoint (read-only): {base}/query   (queries stop after {timeout:g} s)\n"
              f"query page: {base}/query.html\n"
              f"graph {base}/graph.html · cases {base}/cases/ · report {base}/report.html · downloads {base}/exports/\n"
              f"store: {store}\npress Ctrl-C to stop", flush=True)

    def start(location: str) -> subprocess.Popen:
        # in memory: a read-write Oxigraph server without --location, loaded with the store
        # (only this process reaches its private port; the site refuses updates)
        in_memory = memory == "on" or (memory == "auto" and fits_in_memory(location))
        where = [] if in_memory else ["--location", location]
        proc = subprocess.Popen([str(binary), "serve" if in_memory else "serve-read-only", *where,
                                 "--bind", f"127.0.0.1:{upstream}", "--timeout-s", str(max(1, math.ceil(timeout)))],
                                stdout=subprocess.DEVNULL, stderr=err,
                                preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        if in_memory:
            _wait_ready(proc, upstream, err)
            if not quiet:
                print(f"endpoint: copying the store into memory (~{memory_needed(location) / 2**20:,.0f} MB)…", flush=True)
            try:
                took = load_server(location, upstream)["seconds"]
            except ServeError:
                _stop(proc)
                raise
            if not quiet:
                print(f"endpoint: the store in memory (loaded in {took:.1f} s)", flush=True)
        elif not quiet:
            print("endpoint: the store on disk" + (" (too big to copy into memory)" if memory == "auto" else ""),
                  flush=True)
        return proc

    previous = _on_sigterm_interrupt()
    web = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    with tempfile.TemporaryFile() as err:          # a file, not a pipe: a chatty server never blocks
        location = os.path.realpath(store)
        proc = start(location)
        try:
            _wait_ready(proc, upstream, err)
            web.start()             # requests that came meanwhile waited in the listen queue
            while True:
                try:
                    proc.wait(timeout=poll_s)
                    break                          # the server stopped by itself
                except subprocess.TimeoutExpired:
                    pass
                now = os.path.realpath(store)
                if now != location and os.path.isdir(now):     # a new build was committed
                    _stop(proc)
                    _wait_port_free("127.0.0.1", upstream)
                    location = now
                    proc = start(location)
                    if not quiet:
                        print(f"new build: endpoint restarted on {location}", flush=True)
                    _wait_ready(proc, upstream, err)
        except KeyboardInterrupt:
            _stop(proc)
            return EXIT_OK
        finally:
            if web.is_alive():
                httpd.shutdown()
            httpd.server_close()
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
        err.seek(0)
        message = err.read().decode("utf-8", "replace")
    if proc.returncode not in (0, -2, -15):
        raise ServeError(f"the oxigraph server stopped (exit {proc.returncode}): {_one_line(message)}")
    return EXIT_OK

