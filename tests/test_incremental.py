"""kg.incremental: an incrementally maintained build equals a full build of the same corpus.

The fast tests work on the corpus's extraction records (tests/data/records_corpus.json):
parts merged == kg.graph.build_triples, the diff, the patched store, SHACL of the changed
part. The slow test builds the real corpus through add, change and delete steps and
compares every output with a fresh build (same N-Triples, Turtle, JSON-LD, store contents,
SHACL result, analytics figures, pages and exports).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import incremental as inc
from kg.graph import build_triples
from kg.ntriples import graph_to_ntriples
from kg.records import ArticleRecord

ROOT = Path(__file__).resolve().parents[1]
RECORDS = ROOT / "tests" / "data" / "records_corpus.json"


@pytest.fixture(scope="module")
def records() -> list[ArticleRecord]:
    if not RECORDS.is_file():
        pytest.skip("tests/data/records_corpus.json not present")
    recs = [ArticleRecord.from_dict(d) for d in json.loads(RECORDS.read_text(encoding="utf-8"))]
    assert len(recs) >= 4
    return recs


def _full(recs) -> list[str]:
    return graph_to_ntriples(build_triples(recs)).splitlines(keepends=True)


def _assemble(parts) -> list[str]:
    return list(inc.assemble(parts))


def _parts(recs, cache=None):
    parts, _stats = inc.make_parts(recs, cache)
    return parts


def test_parts_merged_equal_the_whole_graph(records, tmp_path):
    for subset in (records, records[:1], records[1:3], records[::2]):
        assert _assemble(_parts(subset)) == _full(subset)
        assert _assemble(_parts(subset, tmp_path)) == _full(subset)       # merged from the cached files


def test_shared_entities_follow_their_articles(records):
    """A place named by two articles keeps its triples when one goes, loses them when both go."""
    a, b = records[0], records[1]
    both = _assemble(_parts([a, b]))
    dropped = set(both) - set(_assemble(_parts([b])))
    assert any("/article/" + a.meta.file_name in line for line in dropped)
    top = {tuple(p.path[:1]) for p in a.places} & {tuple(p.path[:1]) for p in b.places}
    for path in top:               # a province both name stays, with its type
        iri = "".join(line.split(" ")[0] for line in both if line.startswith("<https://w3id.org/fupin-kg/resource/place/")
                      and f'"{path[0]}"@zh' in line and "rdf-schema#label" in line)
        assert iri and any(line.startswith(iri + " <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>")
                           for line in _assemble(_parts([b])))
    assert _assemble(_parts([b])) == _full([b])


def test_parts_are_cached_per_record(records, tmp_path):
    parts, stats = inc.make_parts(records, tmp_path)
    assert stats == {"reused": 0, "made": len(records)}
    again, stats = inc.make_parts(records, tmp_path)
    assert stats == {"reused": len(records), "made": 0}
    assert _assemble(again) == _assemble(parts)
    changed = ArticleRecord.from_dict({**records[0].to_dict(), "persons": []})
    _parts2, stats = inc.make_parts([changed, *records[1:]], tmp_path)
    assert stats == {"reused": len(records) - 1, "made": 1}


def test_diff_lines(records, tmp_path):
    old, new = _full(records[:3]), _full(records[1:4])
    (tmp_path / "kg.nt").write_text("".join(old), encoding="utf-8")
    removed, added = inc.diff_lines(tmp_path / "kg.nt", new)
    assert set(removed) == set(old) - set(new) and set(added) == set(new) - set(old)
    assert removed and added
    assert inc.diff_lines(tmp_path / "kg.nt", old) == ([], [])


def _quads(store_dir: Path) -> list[str]:
    store = ox.Store.read_only(str(store_dir))
    return sorted(str(q) for q in store)


def test_patched_store_equals_a_fresh_one(records, tmp_path):
    from kg.store import build_store

    old, new = _full(records[:3]), _full(records[1:4])
    (tmp_path / "old.nt").write_text("".join(old), encoding="utf-8")
    (tmp_path / "new.nt").write_text("".join(new), encoding="utf-8")
    build_store(tmp_path / "old.nt", tmp_path / "old")
    build_store(tmp_path / "new.nt", tmp_path / "fresh")
    removed, added = inc.diff_lines(tmp_path / "old.nt", new)
    inc.patch_store(tmp_path / "old", tmp_path / "patched", removed, added)
    assert _quads(tmp_path / "patched") == _quads(tmp_path / "fresh")
    assert _quads(tmp_path / "old") != _quads(tmp_path / "fresh")     # the old store is left as it was


def _tamper(lines: list[str]) -> list[str]:
    """Violations of several kinds: a place without its label, an evidence whose text is
    shorter than its offsets, a datatype gone wrong."""
    out, dropped_label, bad_offsets, bad_type = [], False, False, False
    for line in lines:
        if not dropped_label and "/resource/place/" in line.split(" ")[0] and "rdf-schema#label" in line:
            dropped_label = True
            continue
        if not bad_offsets and "#endOffset>" in line:
            line = line.replace('"^^', '9"^^', 1)
            bad_offsets = True
        if not bad_type and "#age>" in line:
            line = line.replace("XMLSchema#integer", "XMLSchema#string")
            bad_type = True
        out.append(line)
    return sorted(out, key=inc._subject_first)


def test_shacl_of_the_changed_part_equals_the_whole(records, tmp_path):
    from kg.shacl import validate_oxigraph

    old = _tamper(_full(records[:3]))
    (tmp_path / "old.nt").write_text("".join(old), encoding="utf-8")
    _c, _t, old_results = validate_oxigraph(tmp_path / "old.nt")
    assert old_results, "the tampered graph has violations"
    rows = [inc._result_row(r) for r in old_results]
    for new in (_full(records[1:4]), _tamper(_full(records[:4])), _full(records[:3]), _tamper(_full(records[1:3]))):
        (tmp_path / "new.nt").write_text("".join(new), encoding="utf-8")
        removed, added = inc.diff_lines(tmp_path / "old.nt", new)
        summary, new_rows = inc.validate_changed(tmp_path / "new.nt", removed, added, rows)
        conforms, text, whole = validate_oxigraph(tmp_path / "new.nt")
        assert new_rows == [inc._result_row(r) for r in whole]
        assert summary["conforms"] is conforms and summary["report"] == text


def test_a_cycle_closed_far_away_is_found(records, tmp_path):
    """Closing an fp:partOf cycle puts places on the cycle that no changed line names in
    violation: they are checked again too."""
    from kg.shacl import validate_oxigraph

    old = _full(records[:2])
    (tmp_path / "old.nt").write_text("".join(old), encoding="utf-8")
    _c, _t, old_results = validate_oxigraph(tmp_path / "old.nt")
    part_of = "<https://w3id.org/fupin-kg/ontology#partOf>"
    parent = {line.split(" ")[0]: line.split(" ")[2] for line in old if f" {part_of} " in line}

    def ancestors(iri: str) -> list[str]:
        up = []
        while iri in parent:
            iri = parent[iri]
            up.append(iri)
        return up

    deep = max(parent, key=lambda iri: len(ancestors(iri)))
    top = ancestors(deep)[-1]                                   # a place two or more levels up
    assert len(ancestors(deep)) >= 2
    new = sorted({*old, f"{top} {part_of} {deep} .\n"}, key=inc._subject_first)
    (tmp_path / "new.nt").write_text("".join(new), encoding="utf-8")
    removed, added = inc.diff_lines(tmp_path / "old.nt", new)
    _summary, rows = inc.validate_changed(tmp_path / "new.nt", removed, added,
                                          [inc._result_row(r) for r in old_results])
    _c, _t, whole = validate_oxigraph(tmp_path / "new.nt")
    cycle = [r for r in whole if "partOf cycle" in r.message]
    assert len(cycle) >= 3 and rows == [inc._result_row(r) for r in whole]


# -- end to end: kg build through add, change and delete ----------------------------------

def _corpus(folder: Path, names: list[str], changed: dict[str, str] | None = None) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    src = ROOT / "corpus"
    for name in names:
        text = (changed or {}).get(name) or (src / name).read_text(encoding="utf-8")
        (folder / name).write_text(text, encoding="utf-8")
    rows = (src / "manifest.tsv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "manifest.tsv").write_text("".join([rows[0], *(r for r in rows[1:] if r.split("\t")[0] in names)]),
                                         encoding="utf-8")
    return folder


def _content(p: Path) -> object:
    """A file's bytes; for a workbook the bytes of its parts (the zip's timestamps and the
    creation time in docProps/core.xml differ between any two writes)."""
    if p.suffix != ".xlsx":
        return p.read_bytes()
    import zipfile

    with zipfile.ZipFile(p) as z:
        return {n: z.read(n) for n in sorted(z.namelist()) if n != "docProps/core.xml"}


def _snapshot(out: Path) -> dict[str, object]:
    """Every output a researcher sees, as bytes (pages, files) or values (store, figures)."""
    snap: dict[str, object] = {}
    for name in ("kg.nt", "kg.ttl", "kg.jsonld", "analytics.json", "report.html", "graph.html"):
        snap[name] = (out / name).read_bytes()
    for sub in ("cases", "exports", "extractions", "texts"):
        for p in sorted((out / sub).rglob("*")):
            if p.is_file() and not p.name.startswith("."):
                snap[str(p.relative_to(out))] = _content(p)
    snap["store"] = _quads(out / "store")
    report = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
    snap["shacl"] = {k: v for k, v in report["shacl"].items() if k != "cached"}
    snap["counts"] = report["counts"]
    snap["inputs"] = [{k: v for k, v in i.items() if k != "cached"} for i in report["inputs"]]
    return snap


@pytest.mark.slow
def test_incremental_builds_equal_fresh_builds(tmp_path):
    from kg.build import build

    names = sorted(p.name for p in (ROOT / "corpus").glob("*.txt"))
    assert len(names) >= 4
    first = (ROOT / "corpus" / names[1]).read_text(encoding="utf-8")
    paragraphs = first.split("\n\n")
    edited = "\n\n".join(paragraphs[:-2]) if len(paragraphs) > 3 else first[: len(first) * 2 // 3]
    steps = [("start", names[:3], None),
             ("add", names[:4], None),
             ("change", names[:4], {names[1]: edited}),
             ("delete", names[1:4], {names[1]: edited})]
    out, cache = tmp_path / "out", tmp_path / "cache"
    for i, (step, files, changed) in enumerate(steps):
        corpus = _corpus(tmp_path / "corpus", files, changed)
        report = build(corpus, out, quiet=True, cache_dir=cache)
        assert report.exit_code == 0
        if i:
            assert "patch" in report.cache, f"{step}: the store was not patched"
            assert report.cache["parts"]["made"] == (0 if step == "delete" else 1), step
            removed, added = report.cache["patch"]["removed"], report.cache["patch"]["added"]
            assert (removed > 0) == (step != "add") and (added > 0) == (step != "delete"), (step, removed, added)
        # a fresh build of the same corpus: its own output and cache (extraction cache copied, no parts)
        fresh_out, fresh_cache = tmp_path / f"fresh-{step}", tmp_path / f"fresh-cache-{step}"
        shutil.copytree(cache, fresh_cache, ignore=shutil.ignore_patterns(".parts", "shacl.json"))
        fresh = build(corpus, fresh_out, quiet=True, cache_dir=fresh_cache)
        assert "patch" not in fresh.cache and fresh.cache["parts"]["reused"] == 0
        got, want = _snapshot(out), _snapshot(fresh_out)
        assert sorted(got) == sorted(want), step
        for key in want:
            assert got[key] == want[key], f"{step}: {key} differs from a fresh build"
        # and the graph is the one kg.graph builds from the records in one go
        recs = [ArticleRecord.from_dict(json.loads(p.read_text(encoding="utf-8")))
                for p in sorted((out / "extractions").rglob("*.json"))]
        assert (out / "kg.nt").read_text(encoding="utf-8") == graph_to_ntriples(build_triples(recs))
        shutil.rmtree(fresh_out)
    assert not any(names[0] in line for line in (out / "kg.nt").read_text(encoding="utf-8").splitlines()
                   if "/article/" in line), "the deleted article's facts are gone"
