"""The query path: an embedded Oxigraph store, ``kg query`` and ``kg serve``.

The store is a directory (RocksDB) under ``output/store`` built from ``kg.nt`` by
:func:`build_store`: bulk-loaded into a temporary sibling and swapped in whole, so a
killed build leaves the previous store usable. Beside the facts it holds the ontology
(named graph :data:`ONTOLOGY_GRAPH`) and the summary triples of :mod:`kg.summary`. Queries open it read-only, so several
readers (``kg query``, notebooks, the ``kg serve`` endpoint) can share it.

``kg serve`` (:mod:`kg.serve`) runs the Oxigraph server (``oxigraph serve-read-only``)
behind the local site; the helpers to start and stop it are here.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io as _io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import io
from kg.errors import EXIT_OK, EXIT_USAGE, KGError, QueryError, ServeError
from kg.namespace import PREFIXES
from kg.resources import ontology_dir
from kg.summary import materialise

__all__ = ["ONTOLOGY_GRAPH", "build_store", "open_store", "query", "with_default_prefixes", "query_command", "QueryResult", "format_result",
           "oxigraph_binary", "port_in_use", "sparql_prefixes", "compact", "DEFAULT_TIMEOUT"]


#: The named graph of the store that holds ontology/fupin.ttl.
ONTOLOGY_GRAPH = "https://w3id.org/fupin-kg/ontology"


def sparql_prefixes() -> str:
    """``PREFIX`` lines for the project's namespaces (the example queries declare their own)."""
    return "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())


# -- building and opening -------------------------------------------------------------

def build_store(graph_file: Path, store_dir: Path) -> Path:
    """Bulk-load the N-Triples file ``graph_file`` into a fresh Oxigraph store at ``store_dir``.

    The store is built in a temporary sibling directory and swapped in atomically
    (:func:`kg.io.replace_dir`); a reader that has the old store open keeps reading it.
    """
    graph_file, store_dir = Path(graph_file), Path(store_dir)
    if not graph_file.is_file():
        raise KGError(f"{graph_file}: no graph file to load into the store (run `kg build`)")
    fmt = ox.RdfFormat.from_extension(graph_file.suffix.lstrip(".")) or ox.RdfFormat.N_TRIPLES
    store_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{store_dir.name}.", suffix=".tmp", dir=store_dir.parent))
    try:
        store = ox.Store(str(tmp))
        try:
            store.bulk_load(path=str(graph_file), format=fmt)
            # the ontology rides along in a named graph: GRAPH <ONTOLOGY_GRAPH> { ... } gives the
            # classes' and properties' labels and comments without touching the data
            store.bulk_load(path=str(ontology_dir() / "fupin.ttl"), format=ox.RdfFormat.TURTLE,
                            to_graph=ox.NamedNode(ONTOLOGY_GRAPH))
            # shortcuts for whole-graph and browsing queries (the place hierarchy's closure):
            # the named graph fp:summary, recomputed from the facts (kg.summary)
            materialise(store)
            store.flush()
            store.optimize()
        except (SyntaxError, ValueError, OSError) as e:
            raise KGError(f"{graph_file}: cannot load into the store: {_one_line(str(e))}") from None
        finally:
            del store
        io.replace_dir(tmp, store_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return store_dir


def open_store(store_dir: Path) -> ox.Store:
    """Open a built store read-only (shared with other readers and the endpoint)."""
    store_dir = Path(store_dir)
    if not store_dir.is_dir() or not any(store_dir.iterdir()):
        raise KGError(f"{store_dir}: no SPARQL store here; run `kg build` first (or give --store DIR)")
    try:
        return ox.Store.read_only(str(store_dir))
    except OSError as e:
        raise KGError(f"{store_dir}: cannot open the store: {_one_line(str(e))}") from None


# -- querying -------------------------------------------------------------------------

@dataclass
class QueryResult:
    """A materialised query result: ``kind`` is ``select``, ``ask`` or ``graph``."""

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)   # pyoxigraph terms or None
    boolean: bool | None = None
    triples: list[Any] = field(default_factory=list)            # pyoxigraph Triples (CONSTRUCT/DESCRIBE)

    def values(self) -> list[dict[str, Any]]:
        """Rows as dicts of Python values (str for IRIs and strings, int/float/bool for typed numbers)."""
        return [{v: py_value(t) for v, t in zip(self.variables, row)} for row in self.rows]

    def __len__(self) -> int:
        return len(self.rows) if self.kind == "select" else len(self.triples)


_POS = re.compile(r"error at (\d+):(\d+)")


def _one_line(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _query_error(e: Exception, source: str, added_lines: int = 0) -> QueryError:
    msg = str(e)
    m = _POS.search(msg)
    if m:
        line, col = int(m.group(1)) - added_lines, m.group(2)
        detail = msg[m.end():].lstrip(": ")
        if "Prefix not found" in detail:
            detail = "unknown prefix (declare it with PREFIX name: <namespace>)"
        return QueryError(f"{source}: syntax error at line {line}, column {col}: {_one_line(detail)}")
    return QueryError(f"{source}: {_one_line(msg)}")


_DECLARED = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE | re.MULTILINE)


def with_default_prefixes(text: str) -> tuple[str, int]:
    """Prepend ``PREFIX`` lines for the project's prefixes the query uses without declaring
    (``fp:``, ``rdfs:``, ``skos:``...); returns the text and the number of lines added."""
    declared = {m.group(1) or "" for m in _DECLARED.finditer(text)}
    lines = [f"PREFIX {k}: <{v}>" for k, v in PREFIXES.items()
             if k not in declared and re.search(rf"(?<![\w<]){re.escape(k)}:", text)]
    return ("\n".join(lines) + "\n" + text if lines else text), len(lines)


def query(store: Path | ox.Store, text: str, source: str = "<query>") -> QueryResult:
    """Run a SPARQL query against a store (a directory or an open Store). The project's
    prefixes (``fp:``, ``rdfs:``, ``skos:``, ``prov:``...) may be used without declaring them."""
    st = store if isinstance(store, ox.Store) else open_store(Path(store))
    text, added = with_default_prefixes(text)
    try:
        res = st.query(text)
        if isinstance(res, ox.QuerySolutions):
            variables = [v.value for v in res.variables]
            rows = [tuple(sol[i] for i in range(len(variables))) for sol in res]
            return QueryResult("select", variables, rows)
        if isinstance(res, ox.QueryBoolean):
            return QueryResult("ask", boolean=bool(res))
        return QueryResult("graph", triples=list(res))
    except (SyntaxError, ValueError, OSError) as e:
        raise _query_error(e, source, added) from None


# -- formatting -----------------------------------------------------------------------

_XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {_XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")}


def py_value(t: Any) -> Any:
    """A pyoxigraph term as a plain Python value (None for unbound)."""
    if t is None:
        return None
    if isinstance(t, ox.Literal):
        dt = t.datatype.value if t.datatype is not None else None
        try:
            if dt in _NUMERIC:
                return int(t.value)
            if dt in (_XSD + "decimal", _XSD + "double", _XSD + "float"):
                return float(t.value)
            if dt == _XSD + "boolean":
                return t.value in ("true", "1")
        except ValueError:
            return t.value
        return t.value
    return t.value


def compact(t: Any) -> str:
    """Display form of a term: IRIs with the project's prefixes, literals as their value."""
    if t is None:
        return ""
    if isinstance(t, ox.NamedNode):
        iri = t.value
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if iri.startswith(ns):
                return f"{prefix}:{iri[len(ns):]}"
        return f"<{iri}>"
    if isinstance(t, ox.BlankNode):
        return f"_:{t.value}"
    if isinstance(t, ox.Literal):
        return t.value.replace("\r", "\\r").replace("\n", "\\n")
    return str(t)


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, w: int) -> str:
    return s + " " * (w - _width(s))


def format_result(res: QueryResult, fmt: str = "table") -> str:
    """Render a result as an aligned ``table``, SPARQL 1.1 ``csv`` or SPARQL 1.1 ``json``."""
    if fmt not in ("table", "csv", "json"):
        raise KGError(f"unknown result format {fmt!r} (table, csv or json)")
    if res.kind == "ask":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": res.boolean}) + "\n"
        return ("true" if res.boolean else "false") + "\n"
    if res.kind == "graph":
        if fmt == "json":
            return ox.serialize(res.triples, format=ox.RdfFormat.JSON_LD).decode("utf-8") + "\n"
        return ox.serialize(res.triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES).decode("utf-8")
    if fmt == "json":
        return json.dumps({"head": {"vars": res.variables},
                           "results": {"bindings": [
                               {v: _json_term(t) for v, t in zip(res.variables, row) if t is not None}
                               for row in res.rows]}}, ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        buf = _io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(res.variables)
        for row in res.rows:
            w.writerow(["" if t is None else t.value for t in row])
        return buf.getvalue()
    cells = [[compact(t) for t in row] for row in res.rows]
    widths = [max([_width(v)] + [_width(r[i]) for r in cells]) for i, v in enumerate(res.variables)]
    lines = [" | ".join(_pad(v, w) for v, w in zip(res.variables, widths)).rstrip(),
             "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(_pad(c, w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _json_term(t: Any) -> dict[str, str]:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    d = {"type": "literal", "value": t.value}
    if t.language:
        d["xml:lang"] = t.language
    elif t.datatype is not None and t.datatype.value != _XSD + "string":
        d["datatype"] = t.datatype.value
    return d


#: Default time limit of ``kg query`` and of each query ``kg serve`` answers, in seconds.
DEFAULT_TIMEOUT = 60.0


def query_command(text: str, store: Path, fmt: str = "table", source: str = "<query>",
                  timeout: float | None = DEFAULT_TIMEOUT) -> int:
    """``kg query``: run one query and print its result; errors are QueryError/KGError (exit 2).

    Past ``timeout`` seconds (None or 0: no limit) the process says so on stderr and exits
    with status 2: Oxigraph evaluates outside the GIL and cannot be interrupted, so a
    watchdog thread ends the process, which stops the work."""
    if timeout is not None and timeout < 0:
        raise KGError(f"--timeout must be positive (got {timeout:g})")
    watchdog = None
    if timeout:
        def expire() -> None:
            sys.stderr.write(f"kg query: {source}: the query ran longer than {timeout:g} s and was stopped "
                             "(raise the limit with --timeout SECONDS)\n")
            sys.stderr.flush()
            os._exit(EXIT_USAGE)

        watchdog = threading.Timer(timeout, expire)
        watchdog.daemon = True
        watchdog.start()
    try:
        res = query(Path(store), text, source=source)
        out = format_result(res, fmt)
    finally:
        if watchdog is not None:
            watchdog.cancel()
    sys.stdout.write(out)
    sys.stdout.flush()
    return EXIT_OK


# -- serving --------------------------------------------------------------------------

def oxigraph_binary() -> Path:
    """The ``oxigraph`` server binary: next to the running Python (the venv's bin), else on PATH."""
    here = Path(sys.executable).parent / "oxigraph"
    if here.is_file() and os.access(here, os.X_OK):
        return here
    found = shutil.which("oxigraph")
    if found:
        return Path(found)
    raise ServeError("the oxigraph server binary is not installed (pip install oxigraph)")


def port_in_use(host: str, port: int) -> bool:
    """True when ``host:port`` cannot be bound because a server is listening there (sockets in
    TIME_WAIT do not count: the server binds with SO_REUSEADDR, and so does this check)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as e:
            if e.errno in (errno.EADDRINUSE, errno.EACCES):
                return True
            raise ServeError(f"cannot bind {host}:{port}: {e.strerror}") from None
    return False


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: the server gets SIGTERM when ``kg serve`` dies, even by SIGKILL (no orphans)."""
    import ctypes

    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _on_sigterm_interrupt():
    """Turn SIGTERM into KeyboardInterrupt while serving, so the server child is stopped too."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, frame):
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, handler)


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _wait_port_free(host: str, port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while port_in_use(host, port) and time.monotonic() < deadline:
        time.sleep(0.05)
