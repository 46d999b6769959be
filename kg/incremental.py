"""Incremental maintenance of ``kg build``'s graph, store and SHACL result.

The knowledge graph splits into *article parts* and a *shared part*. An article's part is
what :class:`kg.graph._Builder` makes of its record alone: its N-Triples lines (everything
about the article, its cases, programs, evidence, and the mentions of shared entities) and
its contributions to the shared entities (the places it names with their levels, codes and
alternative names; the kinds it gives each organization). The shared part (each place's
type, label, level, ``fp:partOf``, code and altLabels; each organization's ``fp:orgKind``;
the category scheme) is a function of the merged contributions alone. Hence

    kg.nt == sorted(union(article lines) | shared lines)

exactly what :func:`kg.graph.build_triples` gives for the same records (tests/test_incremental.py
checks it on the corpus).

Parts are cached per record (``CACHE/.parts/<graph key>/<record digest>.json``: the key
hashes the code and ontology the triples depend on), so a build re-makes only the parts of
added or changed articles, merges, and writes the graph files. The store is then *patched*:
the committed build's store is copied by hard links (RocksDB checkpoint,
``pyoxigraph.Store.backup``) and only the lines that differ from the committed ``kg.nt``
are removed and inserted. SHACL is run on the changed part plus what links to it and merged
with the committed build's results (:func:`validate_changed`). A deleted article's part
is simply absent: its lines, and the shared lines only it supported, leave the graph.

Everything here depends only on the records and the committed build directory; the result
equals a full build of the same corpus (same bytes of ``kg.nt``/``kg.ttl``/``kg.jsonld``,
same store contents, same SHACL results).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import shutil
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg import io
from kg.ntriples import _ntriples_lines, _subject_first

__all__ = ["ArticlePart", "article_part", "graph_key", "make_parts", "assemble", "write_graph_lines",
           "diff_lines", "patch_store", "store_key", "validate_with_results", "validate_changed", "validate_patched", "read_state", "write_state", "STATE"]

#: In a build directory: what its store and SHACL results were made from (read by the next build).
STATE = ".incremental.json"


# -- parts -----------------------------------------------------------------------------

@dataclass
class ArticlePart:
    """One article's share of the graph: its own N-Triples lines (sorted; in memory, or in
    the file ``nt`` of the parts cache, read only while merging), and its contributions to
    the shared places and organizations."""

    lines: list[str] | None
    places: list[tuple[str, ...]] = field(default_factory=list)
    levels: list[tuple[tuple[str, ...], str, int]] = field(default_factory=list)
    codes: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    alts: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    orgs: list[tuple[str, str, int]] = field(default_factory=list)   # (iri, kind, count); kind "" = seen
    nt: Path | None = None

    def iter_lines(self) -> Iterator[str]:
        if self.lines is not None:
            yield from self.lines
        elif self.nt is not None:
            yield from _file_lines(self.nt)

    def save(self, path: Path) -> None:
        """``path`` (the contributions, JSON) and ``path.with_suffix(".nt")`` (the lines); the
        JSON is written last, so it being there means the part is whole."""
        io.write_text(path.with_suffix(".nt"), "".join(self.iter_lines()))
        io.write_text(path, json.dumps({"places": self.places, "levels": self.levels, "codes": self.codes,
                                        "alts": self.alts, "orgs": self.orgs},
                                       ensure_ascii=False, separators=(",", ":")))

    @classmethod
    def load(cls, path: Path) -> ArticlePart:
        """A saved part, its lines left in their file."""
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        nt = Path(path).with_suffix(".nt")
        if not nt.is_file():
            raise OSError(f"{nt}: missing")
        return cls(None, [tuple(p) for p in d["places"]],
                   [(tuple(p), lv, n) for p, lv, n in d["levels"]], [(tuple(p), c) for p, c in d["codes"]],
                   [(tuple(p), a) for p, a in d["alts"]], [(i, k, n) for i, k, n in d["orgs"]], nt=nt)


def article_part(rec) -> ArticlePart:
    """The part of one :class:`kg.records.ArticleRecord` (see the module docstring)."""
    from kg.graph import _Builder

    b = _Builder()
    b.record(rec)
    orgs = [(str(iri), kind, n) for iri, kinds in b.org_kinds.items() for kind, n in sorted(kinds.items())]
    orgs += [(str(iri), "", 0) for iri, kinds in b.org_kinds.items() if not kinds]
    return ArticlePart(
        lines=_ntriples_lines(b.triples),
        places=sorted(b.places),
        levels=sorted((p, lv, n) for p, c in b.place_levels.items() for lv, n in c.items()),
        codes=sorted((p, c) for p, cs in b.place_codes.items() for c in cs),
        alts=sorted((p, a) for p, al in b.place_alts.items() for a in al),
        orgs=sorted(orgs))


@functools.lru_cache(maxsize=1)
def graph_key() -> str:
    """What an article's part depends on besides its record: the code that makes triples
    and the ontology (the category scheme)."""
    import importlib

    from kg.resources import ontology_dir

    h = hashlib.sha256(b"parts-2")           # the format of a part file: change it with ArticlePart
    for name in ("kg.graph", "kg.ntriples", "kg.namespace", "kg.records"):
        h.update(Path(importlib.import_module(name).__file__).read_bytes())
    h.update((ontology_dir() / "fupin.ttl").read_bytes())
    return h.hexdigest()[:20]


def _record_digest(rec) -> str:
    data = json.dumps(rec.to_dict(), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def make_parts(records: Iterable, cache_dir: Path | None) -> tuple[list[ArticlePart], dict[str, int]]:
    """The part of each record, from ``cache_dir/.parts/`` when made before (then only added
    and changed articles cost anything); returns (parts, {"reused": n, "made": m})."""
    # a dot-name: the extraction cache prunes every other entry of cache_dir
    folder = Path(cache_dir) / ".parts" / graph_key() if cache_dir is not None else None
    parts, stats = [], {"reused": 0, "made": 0}
    for rec in sorted(records, key=lambda r: r.meta.file_name):
        path = folder / f"{_record_digest(rec)}.json" if folder is not None else None
        part = None
        if path is not None and path.is_file():
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                part = ArticlePart.load(path)
                stats["reused"] += 1
        if part is None:
            part = article_part(rec)
            stats["made"] += 1
            if path is not None:
                with contextlib.suppress(OSError):
                    part.save(path)
                    part = ArticlePart.load(path)     # the lines are not held in memory
        parts.append(part)
    return parts, stats


def shared_lines(parts: Iterable[ArticlePart]) -> list[str]:
    """The lines of the shared part: places and organizations from the merged contributions,
    and the category scheme (as :func:`kg.graph.build_triples` emits them)."""
    from rdflib import URIRef

    from kg.graph import _Builder, _category_scheme

    b = _Builder()
    b.triples.update(_category_scheme())
    org_kinds: dict[str, Counter] = defaultdict(Counter)
    for part in parts:
        b.places.update(part.places)
        for path, level, n in part.levels:
            b.place_levels[path][level] += n
        for path, code in part.codes:
            b.place_codes[path].add(code)
        for path, alt in part.alts:
            b.place_alts[path].add(alt)
        for iri, kind, n in part.orgs:
            kinds = org_kinds[iri]
            if kind:
                kinds[kind] += n
    for iri, kinds in org_kinds.items():
        b.org_kinds[URIRef(iri)] = kinds
    b.emit_places()
    b.emit_orgs()
    return _ntriples_lines(b.triples)


def assemble(parts: list[ArticlePart]) -> Iterator[str]:
    """The sorted N-Triples lines of the whole graph (``kg.nt``) from the parts, streamed:
    the parts' sorted lines merged (``heapq.merge``, one open file per part), duplicates
    (an organization two articles name) dropped, so memory does not grow with the corpus."""
    import heapq

    streams = [iter(shared_lines(parts)), *(p.iter_lines() for p in parts)]
    last = None
    for line in heapq.merge(*streams, key=_subject_first):
        if line != last:
            yield line
            last = line


def write_graph_lines(lines: Iterable[str], out_dir: Path) -> list[Path]:
    """``kg.nt``, ``kg.ttl`` and ``kg.jsonld`` from sorted lines, as :func:`kg.graph.write_triples`
    writes them."""
    from kg.graph import write_graph_lines as write

    return write(lines, out_dir)


# -- the difference with the committed graph --------------------------------------------

def _file_lines(path: Path) -> Iterator[str]:
    with open(path, encoding="utf-8", newline="") as f:
        yield from f


def diff_lines(old_nt: Path, new_lines: Iterable[str] | Path) -> tuple[list[str], list[str]]:
    """(removed, added): the lines of the committed ``kg.nt`` not in ``new_lines`` (lines, or
    the new ``kg.nt``) and the reverse. Both are sorted the same way: one merge pass, streamed."""
    removed, added = [], []
    new = iter(_file_lines(new_lines) if isinstance(new_lines, Path) else new_lines)
    nxt = next(new, None)
    nkey = _subject_first(nxt) if nxt is not None else None
    for line in _file_lines(old_nt):
        key = _subject_first(line)
        while nxt is not None and nkey < key:
            added.append(nxt)
            nxt = next(new, None)
            nkey = _subject_first(nxt) if nxt is not None else None
        if nxt is not None and nkey == key:
            nxt = next(new, None)
            nkey = _subject_first(nxt) if nxt is not None else None
        else:
            removed.append(line)
    while nxt is not None:
        added.append(nxt)
        nxt = next(new, None)
    return removed, added


# -- the store --------------------------------------------------------------------------

def store_key() -> str:
    """What a store holds besides the graph: the ontology's named graph, and the store's format."""
    from importlib.metadata import version

    from kg.resources import ontology_dir

    h = hashlib.sha256((ontology_dir() / "fupin.ttl").read_bytes())
    h.update(version("pyoxigraph").encode())
    return h.hexdigest()[:20]


def patch_store(previous_store: Path, store_dir: Path, removed: list[str], added: list[str]) -> Path:
    """``store_dir``: a copy of ``previous_store`` (hard links to its immutable files) with the
    ``removed`` N-Triples lines taken out of the default graph and the ``added`` ones put in,
    and the summary graph (:mod:`kg.summary`) recomputed from them."""
    import pyoxigraph as ox

    from kg.store import KGError, _one_line
    from kg.summary import materialise

    store_dir = Path(store_dir)
    store_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{store_dir.name}.", suffix=".tmp", dir=store_dir.parent))
    tmp.rmdir()                                    # backup() creates it
    try:
        old = ox.Store.read_only(str(previous_store))
        old.backup(str(tmp))
        del old
        store = ox.Store(str(tmp))
        try:
            if removed:
                for t in ox.parse("".join(removed).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES):
                    store.remove(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()))
            if added:
                store.load("".join(added).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
            if removed or added:
                materialise(store)     # the summary graph follows the patched facts
            store.flush()
        except (SyntaxError, ValueError, OSError) as e:
            raise KGError(f"{previous_store}: cannot patch the store: {_one_line(str(e))}") from None
        finally:
            del store
        io.replace_dir(tmp, store_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return store_dir


# -- SHACL ------------------------------------------------------------------------------

_PART_OF = "<https://w3id.org/fupin-kg/ontology#partOf>"
_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def _result_row(r) -> list[Any]:
    return [r.focus, r.path, r.component, r.value, r.message, r.shape]


def _summary(results: list) -> dict[str, Any]:
    from kg.shacl import format_report

    text = format_report(results)
    return {"conforms": not results, "violations": text.count("Constraint Violation"), "report": text[:20000]}


def _sort_results(results: list) -> list:
    return sorted(set(results), key=lambda r: (r.shape, r.component, r.focus, r.value or ""))


def validate_with_results(graph_file: Path) -> tuple[dict[str, Any], list[list[Any]] | None]:
    """Validate a written graph as :func:`kg.graph.validate_file` (``engine="auto"``) does:
    (summary for the build report, every result as a row, or None when pyshacl checked a
    small graph and gave text only)."""
    from kg.graph import PYSHACL_MAX_TRIPLES, count_triples, validate_file

    if count_triples(graph_file) <= PYSHACL_MAX_TRIPLES:
        conforms, text = validate_file(graph_file, engine="pyshacl")
        return {"conforms": bool(conforms), "violations": text.count("Constraint Violation"),
                "report": text[:20000]}, None
    from kg.shacl import validate_oxigraph

    _conforms, _text, results = validate_oxigraph(graph_file)
    return _summary(results), [_result_row(r) for r in results]


def _subject(line: str) -> str:
    return line[: line.index(" ")]


def _object_iri(line: str) -> str | None:
    """The object of an N-Triples line when it is an IRI (IRIs hold no spaces)."""
    p_end = line.index(" ", line.index(" ") + 1)
    obj = line[p_end + 1:].rstrip()[:-1].rstrip()
    return obj if obj.startswith("<") else None


def validate_patched(graph_file: Path, removed: list[str], added: list[str],
                     previous_rows: list[list[Any]] | None) -> tuple[dict[str, Any], list[list[Any]] | None]:
    """SHACL of a patched graph: :func:`validate_changed` when the committed build's results
    are at hand and the graph is one Oxigraph checks, else the whole graph again."""
    from kg.graph import PYSHACL_MAX_TRIPLES, count_triples

    if previous_rows is None or count_triples(graph_file) <= PYSHACL_MAX_TRIPLES:
        return validate_with_results(graph_file)
    return validate_changed(graph_file, removed, added, previous_rows)


def validate_changed(graph_file: Path | list[str], removed: list[str], added: list[str],
                     previous_rows: list[list[Any]]) -> tuple[dict[str, Any], list[list[Any]]]:
    """SHACL results of the whole graph (``graph_file``, sorted N-Triples, or its lines) from
    the committed build's results (``previous_rows``) and a validation of the changed part plus what links to it.

    The focus nodes whose results may differ are the subjects and IRI objects of the changed
    lines and the subjects that link to them; they are validated on a subgraph holding
    every triple about them and about the nodes they link to (for ``sh:class`` and
    value shapes). The other focus nodes keep their results. Checks that follow a path (the
    ``fp:partOf`` cycle rule), whose results can change far from the change, are run again
    on every ``fp:partOf`` and ``rdf:type`` triple of the graph."""
    import pyoxigraph as ox

    from kg.shacl import ViolationResult, _default_checks, run_checks

    checks = _default_checks(True)
    # checks that follow a path (the fp:partOf cycle rule) can change far from the change:
    # they are run again over the whole graph's partOf and type triples (a small part of it)
    import re

    chain = [c for c in checks if re.search(r"(fp:partOf|ontology#partOf>)[+*]", c.sparql)]
    chain_keys = {(c.shape, c.component, c.message) for c in chain}
    local = [c for c in checks if (c.shape, c.component, c.message) not in chain_keys]

    def lines() -> Iterable[str]:                  # streamed: the graph is not held in memory
        return graph_file if isinstance(graph_file, list) else _file_lines(graph_file)

    changed: set[str] = set()
    for line in (*removed, *added):
        changed.add(_subject(line))
        obj = _object_iri(line)
        if obj is not None:
            changed.add(obj)
    focus = set(changed)
    for line in lines():                           # what links to the changed nodes
        obj = _object_iri(line)
        if obj is not None and obj in changed:
            focus.add(_subject(line))
    reach = set(focus)
    for line in lines():
        if _subject(line) in focus:
            obj = _object_iri(line)
            if obj is not None:
                reach.add(obj)
    sub, links = [], []
    for line in lines():
        if _subject(line) in reach:
            sub.append(line)
        if f" {_PART_OF} " in line or f" {_RDF_TYPE} " in line:
            links.append(line)

    def run(part: list[str], which: list) -> list:
        store = ox.Store()
        if part:
            store.load("".join(part).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
        return run_checks(store, which)

    fresh = [r for r in run(sub, local) if r.focus in focus] + (run(links, chain) if chain else [])
    kept = [ViolationResult(*row) for row in previous_rows
            if row[0] not in focus and (row[5], row[2], row[4]) not in chain_keys]
    results = _sort_results(kept + fresh)
    return _summary(results), [_result_row(r) for r in results]


# -- the state a build leaves for the next ---------------------------------------------

def read_state(build_dir: Path | None) -> dict[str, Any] | None:
    if build_dir is None:
        return None
    try:
        state = json.loads((Path(build_dir) / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) else None


def write_state(build_dir: Path, state: dict[str, Any]) -> None:
    io.write_json(Path(build_dir) / STATE, state, indent=None, separators=(",", ":"))
