"""kg.build: the orchestration, the all-or-nothing commit, and the build report.

The fast tests replace the stages (reader, extractor, graph, store, views) by small
stand-ins so the orchestration and the commit are tested in milliseconds; the slow test
at the end builds the real corpus end to end.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import types
from pathlib import Path

import pytest

from kg import build as kb
from kg import extract
from kg.corpus import Article, Rejection
from kg.errors import EXIT_OK, EXIT_REJECTED, InputError, KGError
from kg.records import ArticleMeta, ArticleRecord, Person

# -- stand-in stages ---------------------------------------------------------------------


def _read_corpus(d: Path, **kw):
    arts, rej = [], []
    for p in sorted(Path(d).glob("*.txt")):
        raw = p.read_text(encoding="utf-8", errors="replace")
        if not raw.strip():
            rej.append(Rejection(p, p.name, "empty file"))
            continue
        meta = ArticleMeta(file_name=p.name, sha256=hashlib.sha256(p.read_bytes()).hexdigest(), chars=len(raw))
        arts.append(Article(p, p.name, raw, meta))
    return arts, rej


def _extract_article(nlp, art):
    if "CRASH" in art.raw:
        raise RuntimeError("component kg_cases failed")
    return ArticleRecord(meta=art.meta, persons=[Person(name=art.raw[:3])])


def _write_graph(g, out_dir):
    out = Path(out_dir)
    names = sorted(p.name for rec in g for p in rec.persons)
    (out / "kg.ttl").write_text("\n".join(names) + "\n", encoding="utf-8")
    (out / "kg.nt").write_text("\n".join(names) + "\n", encoding="utf-8")
    return [out / "kg.ttl", out / "kg.nt"]


def _build_store(graph_file, store_dir):
    Path(store_dir).mkdir()
    (Path(store_dir) / "data").write_bytes(Path(graph_file).read_bytes())


def _validate(path):
    return kb._shacl_summary(sys.modules["kg.graph"].validate_file(path)), None


def _incremental() -> dict:
    """kg.incremental with the graph and store parts standing in (the records are the "lines")."""
    from kg import incremental as real

    return {"make_parts": lambda recs, cache_dir: (list(recs), {"reused": 0, "made": len(recs)}),
            "assemble": lambda parts: sorted(parts, key=lambda r: r.meta.file_name),
            "write_graph_lines": _write_graph, "diff_lines": lambda old, new: ([], [new]),
            "patch_store": lambda prev, store_dir, removed, added: sys.modules["kg.store"].build_store(
                Path(store_dir).parent / "kg.nt", store_dir),
            "validate_with_results": _validate,
            "validate_patched": lambda path, removed, added, rows: _validate(path),
            "read_state": real.read_state, "write_state": real.write_state, "store_key": lambda: "stand-in"}


VIEWS_PREVIOUS: list = []     # the ``previous`` output each write_views call was given


def _write_views(graph_path, out_dir, G, previous=None):
    VIEWS_PREVIOUS.append(previous)
    (Path(out_dir) / "cases").mkdir()
    (Path(out_dir) / "cases" / "index.html").write_text("<html></html>", encoding="utf-8")
    (Path(out_dir) / "graph.html").write_text("<html></html>", encoding="utf-8")


def _write_exports(G, out_dir):
    Path(out_dir).mkdir()
    (Path(out_dir) / "cases.csv").write_text("\ufeffcase_id\n" + G[0] + "\n", encoding="utf-8")


def _write_map(G, out_dir):
    (Path(out_dir) / "map.html").write_text("<html></html>", encoding="utf-8")


@pytest.fixture
def stages(monkeypatch):
    """Install stand-ins for the stage modules (the orchestration is what is tested)."""
    mods = {
        "kg.corpus": {"read_corpus": _read_corpus},
        "kg.graph": {"build_triples": lambda recs: list(recs), "write_triples": _write_graph,
                     "count_triples": lambda path: len(Path(path).read_text(encoding="utf-8").splitlines()),
                     "validate_file": lambda path, engine="oxigraph": (True, "Conforms: True")},
        "kg.store": {"build_store": _build_store},
        "kg.analytics": {"load_graph": lambda g: ("nx", g),
                         "analyze": lambda p, d, G, previous=None: (Path(d) / "report.html").write_text(G[0], encoding="utf-8")},
        "kg.views": {"write_views": _write_views},
        "kg.export": {"write_exports": _write_exports},
        "kg.geomap": {"write_map": _write_map},
        "kg.incremental": _incremental(),
    }
    for name, attrs in mods.items():
        monkeypatch.setitem(sys.modules, name, types.SimpleNamespace(**attrs))
    monkeypatch.setattr(extract, "extract_article", _extract_article)
    monkeypatch.setattr("kg.nlp.load_pipeline", lambda: object())


def _corpus(tmp_path: Path, files: dict[str, str]) -> Path:
    d = tmp_path / "corpus"
    d.mkdir()
    for name, text in files.items():
        (d / name).write_text(text, encoding="utf-8")
    return d


GOOD = {"a.txt": "吴玉兰在扶贫车间务工。", "b.txt": "徐泉铃参加培训。"}


def test_build_writes_every_output_and_the_report(tmp_path, stages, capsys):
    out = tmp_path / "out"
    report = kb.build(_corpus(tmp_path, GOOD), out, quiet=True)
    assert report.exit_code == EXIT_OK
    assert [i.file for i in report.built] == ["a.txt", "b.txt"]
    for name in ("kg.ttl", "kg.nt", "store/data", "report.html", "graph.html", "map.html", "cases/index.html",
                 "extractions/a.json", "extractions/b.json", "build-report.json", "exports/cases.csv"):
        assert (out / name).is_file(), name
    saved = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
    assert saved["counts"]["built"] == 2 and saved["exit_code"] == 0
    assert saved["shacl"]["conforms"] is True
    assert set(saved["timings"]) >= {"read", "extract", "graph", "store", "views", "total"}
    rec = ArticleRecord.from_dict(json.loads((out / "extractions/a.json").read_text(encoding="utf-8")))
    assert rec.persons[0].name == "吴玉兰"
    assert capsys.readouterr().out == ""          # quiet


def test_every_input_is_listed_and_rejections_are_one_line_each(tmp_path, stages, capsys):
    corpus = _corpus(tmp_path, {**GOOD, "empty.txt": "", "crash.txt": "CRASH here"})
    report = kb.build(corpus, tmp_path / "out", quiet=True)
    assert report.exit_code == EXIT_REJECTED
    status = {i.file: (i.status, i.reason) for i in report.inputs}
    assert status == {"a.txt": ("built", None), "b.txt": ("built", None),
                      "crash.txt": ("rejected", "extraction failed: RuntimeError: component kg_cases failed"),
                      "empty.txt": ("rejected", "empty file")}
    err = capsys.readouterr().err.splitlines()
    assert f"{corpus / 'crash.txt'}: extraction failed: RuntimeError: component kg_cases failed" in err
    assert f"{corpus / 'empty.txt'}: empty file" in err


def test_summary_says_where_to_open_things(tmp_path, stages, capsys):
    out = tmp_path / "out"
    kb.build(_corpus(tmp_path, GOOD), out)
    text = capsys.readouterr().out
    assert f"file://{os.path.abspath(out / 'graph.html')}" in text   # the stable name, not the build dir
    assert "kg serve" in text and "kg query" in text


def test_rebuild_uses_the_cache_and_replaces_the_output(tmp_path, stages):
    corpus, out = _corpus(tmp_path, GOOD), tmp_path / "out"
    kb.build(corpus, out, quiet=True)
    (corpus / "b.txt").write_text("张三参加培训。", encoding="utf-8")
    report = kb.build(corpus, out, quiet=True)
    assert report.cache["hits"] == 1 and report.cache["extracted"] == 1
    assert (out / "kg.ttl").read_text(encoding="utf-8") == "吴玉兰\n张三参\n"
    builds = [p.name for p in out.glob(".build-*")]
    assert builds == [os.readlink(out / ".current")], "old build directories are removed"


def test_views_of_an_unchanged_graph_are_reused_else_rebuilt_from_the_previous(tmp_path, stages):
    corpus, out = _corpus(tmp_path, GOOD), tmp_path / "out"
    VIEWS_PREVIOUS.clear()
    kb.build(corpus, out, quiet=True)
    first = (out / kb.CURRENT).resolve()
    assert VIEWS_PREVIOUS == [None]                      # nothing committed yet
    # the same graph: analytics and views are linked from the committed build
    report = kb.build(corpus, out, quiet=True)
    assert report.cache.get("views") == "reused" and len(VIEWS_PREVIOUS) == 1
    assert (out / "report.html").read_text(encoding="utf-8") == "nx"
    assert (out / "cases" / "index.html").is_file() and (out / "graph.html").is_file()
    assert (out / "exports" / "cases.csv").is_file()    # exports are written from the graph again
    # a file of the committed output changed since (kg analyze, damage): computed again
    second = (out / kb.CURRENT).resolve()
    (second / "report.html").write_text("damaged", encoding="utf-8")
    report = kb.build(corpus, out, quiet=True)
    assert "views" not in report.cache and VIEWS_PREVIOUS[-1].resolve() == second
    assert (out / "report.html").read_text(encoding="utf-8") == "nx"
    # a changed graph: computed again, with the committed build to take unchanged pages from
    (corpus / "c.txt").write_text("黄家君返乡创业。", encoding="utf-8")
    third = (out / kb.CURRENT).resolve()
    report = kb.build(corpus, out, quiet=True)
    assert "views" not in report.cache and len(VIEWS_PREVIOUS) == 3
    assert VIEWS_PREVIOUS[-1].resolve() == third != first


def test_no_views_drops_the_views_of_the_previous_build(tmp_path, stages):
    corpus, out = _corpus(tmp_path, GOOD), tmp_path / "out"
    kb.build(corpus, out, quiet=True)
    kb.build(corpus, out, quiet=True, views=False)
    assert not os.path.lexists(out / "graph.html") and not os.path.lexists(out / "cases")
    assert not os.path.lexists(out / "exports")
    assert (out / "kg.ttl").exists()


def test_a_failing_stage_leaves_the_previous_output(tmp_path, stages, monkeypatch):
    corpus, out = _corpus(tmp_path, GOOD), tmp_path / "out"
    kb.build(corpus, out, quiet=True)
    before = (out / "build-report.json").read_bytes()

    def boom(*a):
        raise RuntimeError("store exploded")

    monkeypatch.setitem(sys.modules, "kg.store", types.SimpleNamespace(build_store=boom))
    (corpus / "c.txt").write_text("新文章。", encoding="utf-8")
    with pytest.raises(RuntimeError):
        kb.build(corpus, out, quiet=True)
    assert (out / "build-report.json").read_bytes() == before
    assert len(list(out.glob(".build-*"))) == 1


def test_missing_stage_module_is_a_clear_error(tmp_path, stages, monkeypatch):
    monkeypatch.setitem(sys.modules, "kg.store", types.SimpleNamespace())
    with pytest.raises(KGError, match="store stage is not available: kg.store has no build_store"):
        kb.build(_corpus(tmp_path, GOOD), tmp_path / "out", quiet=True)


def test_missing_corpus_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such corpus directory"):
        kb.build(tmp_path / "nope", tmp_path / "out", quiet=True)
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="not a directory"):
        kb.build(tmp_path / "file.txt", tmp_path / "out", quiet=True)


def test_unwritable_output_is_a_one_line_error(tmp_path, stages):
    (tmp_path / "blocker").write_text("a file, not a directory", encoding="utf-8")
    with pytest.raises(KGError, match="cannot write to the output directory") as ei:
        kb.build(_corpus(tmp_path, GOOD), tmp_path / "blocker" / "out", quiet=True)
    assert "\n" not in str(ei.value)


def test_empty_corpus_is_an_input_error(tmp_path, stages):
    with pytest.raises(InputError, match="no .txt articles"):
        kb.build(_corpus(tmp_path, {}), tmp_path / "out", quiet=True)


def test_concurrent_build_is_refused(tmp_path, stages):
    out = tmp_path / "out"
    with kb._locked(out), pytest.raises(KGError, match="another kg build"):
        kb.build(_corpus(tmp_path, GOOD), out, quiet=True)


# -- the commit ------------------------------------------------------------------------------


def _build_dir(out: Path, name: str, content: str) -> Path:
    d = out / f"{kb.BUILD_PREFIX}{name}"
    (d / "store").mkdir(parents=True)
    (d / "store" / "data").write_text(content, encoding="utf-8")
    (d / "kg.ttl").write_text(content, encoding="utf-8")
    (d / kb.REPORT).write_text(json.dumps({"v": content}), encoding="utf-8")
    return d


def _state(out: Path) -> tuple[str, str, str]:
    return ((out / "kg.ttl").read_text(encoding="utf-8"), (out / "store" / "data").read_text(encoding="utf-8"),
            json.loads((out / kb.REPORT).read_text(encoding="utf-8"))["v"])


def test_commit_swaps_everything_at_once(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    kb._commit(out, _build_dir(out, "1", "old"))
    assert _state(out) == ("old", "old", "old")
    assert (out / "kg.ttl").is_symlink() and os.readlink(out / "kg.ttl") == ".current/kg.ttl"
    kb._commit(out, _build_dir(out, "2", "new"))
    assert _state(out) == ("new", "new", "new")
    assert not (out / ".build-1").exists()


def test_commit_over_an_older_real_layout(tmp_path):
    out = tmp_path / "out"
    (out / "store").mkdir(parents=True)
    (out / "store" / "data").write_text("real", encoding="utf-8")
    (out / "kg.ttl").write_text("real", encoding="utf-8")
    (out / "notes.md").write_text("mine", encoding="utf-8")
    kb._commit(out, _build_dir(out, "1", "new"))
    assert _state(out) == ("new", "new", "new")
    assert (out / "notes.md").read_text(encoding="utf-8") == "mine", "files the build does not own stay"


_COMMIT_SCRIPT = """
import sys
from pathlib import Path
from kg import build as kb
out = Path(sys.argv[1])
kb._commit(out, out / (kb.BUILD_PREFIX + "2"))
"""


@pytest.mark.parametrize("point,expected", [("before_swap", "old"), ("after_swap", "new")])
def test_killed_commit_is_all_or_nothing(tmp_path, point, expected):
    out = tmp_path / "out"
    out.mkdir()
    kb._commit(out, _build_dir(out, "1", "old"))
    _build_dir(out, "2", "new")
    (out / kb.BUILD_PREFIX.rstrip("-")).mkdir()   # not a build dir: never touched
    proc = subprocess.run([sys.executable, "-c", _COMMIT_SCRIPT, str(out)],
                          env={**os.environ, "KG_FAULT": point}, capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    assert _state(out) == (expected,) * 3
    kb.recover(out)
    assert _state(out) == (expected,) * 3
    assert [p.name for p in out.glob(".build-*")] == [os.readlink(out / ".current")]


def test_recover_removes_leftovers_only(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    kb._commit(out, _build_dir(out, "1", "old"))
    half = out / f"{kb.BUILD_PREFIX}killed"
    (half / "extractions").mkdir(parents=True)
    os.symlink(".current/graph.html", out / "graph.html")     # dangling: the killed build's new name
    os.symlink(".current/kg.ttl", out / ".kg.ttl.link-.build-killed")   # a link not yet swapped in
    removed = kb.recover(out)
    assert sorted(removed) == [".build-killed", "graph.html"]
    assert not os.path.lexists(out / ".kg.ttl.link-.build-killed")
    assert _state(out) == ("old", "old", "old")


def test_report_exit_code():
    r = kb.BuildReport(corpus="c", out="o", inputs=[kb.InputStatus("a.txt", "c/a.txt", "built")])
    assert r.exit_code == EXIT_OK
    r.inputs.append(kb.InputStatus("b.txt", "c/b.txt", "rejected", reason="empty file"))
    assert r.exit_code == EXIT_REJECTED and r.to_dict()["exit_code"] == EXIT_REJECTED


def test_shacl_can_be_skipped_and_the_report_says_so(tmp_path, stages):
    report = kb.build(_corpus(tmp_path, GOOD), tmp_path / "out", quiet=True, shacl=False)
    assert report.shacl == {"conforms": None, "skipped": "validation turned off"}


def test_unchanged_graph_reuses_the_shacl_result(tmp_path, stages, monkeypatch):
    corpus, out = _corpus(tmp_path, GOOD), tmp_path / "out"
    first = kb.build(corpus, out, quiet=True)
    assert first.shacl["conforms"] is True and "cached" not in first.shacl

    def must_not_run(path, engine="oxigraph"):
        raise AssertionError("validated again")

    monkeypatch.setattr(sys.modules["kg.graph"], "validate_file", must_not_run)
    second = kb.build(corpus, out, quiet=True)
    assert second.shacl["cached"] is True and second.shacl["conforms"] is True
    (corpus / "a.txt").write_text("李四在车间务工。", encoding="utf-8")   # a new graph: validated again
    with pytest.raises(AssertionError, match="validated again"):
        kb.build(corpus, out, quiet=True)


def test_nothing_readable_is_an_input_error_and_keeps_the_output(tmp_path, stages, capsys):
    corpus, out = _corpus(tmp_path, GOOD), tmp_path / "out"
    kb.build(corpus, out, quiet=True)
    before = (out / "kg.ttl").read_bytes()
    for p in corpus.iterdir():
        p.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="none of the 2 input"):
        kb.build(corpus, out, quiet=True)
    assert (out / "kg.ttl").read_bytes() == before
    assert capsys.readouterr().err.count("empty file") == 2


# -- the real stages on web pages, PDFs and nested folders (issue 14) ----------------------

@pytest.mark.slow
def test_build_of_a_nested_corpus_of_pages_and_pdfs(tmp_path):
    """Every file found is in the report; texts/ holds what evidence offsets index; the
    article metadata and where it came from are in the graph."""
    import rdflib
    from saved_pages import html_page, pdf_bytes

    from kg.build import build
    from kg.namespace import DCTERMS, FP, SCHEMA

    seeds = sorted((Path(__file__).resolve().parents[1] / "corpus").glob("*.txt"))
    # a real article with cases, one paragraph a line as saved from the web
    text = (Path(__file__).parent / "data" / "real_more" / "dev" / "texts" / "x02_yiyang_workshop.txt").read_text(
        encoding="utf-8")
    corpus = tmp_path / "corpus"
    (corpus / "chongqing" / "yongchuan").mkdir(parents=True)
    (corpus / "chongqing" / "yongchuan" / "a.html").write_text(
        html_page(text, title="技术+勤劳", date="2020-12-10", site="弋阳县政府网", url="http://www.jxyy.gov.cn/1.html"),
        encoding="utf-8")
    (corpus / "chongqing" / "b.pdf").write_bytes(pdf_bytes(text, columns=2))
    (corpus / "notes.md").write_text("# 说明\n", encoding="utf-8")
    (corpus / "leak.txt").symlink_to(seeds[1])
    (corpus / "manifest.csv").write_text("file,publisher,collection\nb.pdf,永川日报,重庆 2020\n", encoding="utf-8")
    out = corpus / "output"           # inside the corpus: skipped
    report = build(corpus=corpus, out=out, quiet=True, views=True, shacl=True)
    items = {i.file: i for i in report.inputs}
    assert set(items) == {"chongqing/yongchuan/a.html", "chongqing/b.pdf", "notes.md", "leak.txt"}
    assert items["leak.txt"].status == "rejected" and "leading out of the corpus folder" in items["leak.txt"].reason
    assert items["notes.md"].reason.startswith("not an article file (.md)")
    assert (items["chongqing/b.pdf"].format, items["chongqing/b.pdf"].text) == ("pdf", "texts/chongqing/b.pdf.txt")
    assert report.exit_code == 3 and report.shacl["conforms"] is True

    rec = json.loads((out / "extractions" / "chongqing" / "yongchuan" / "a.html.json").read_text(encoding="utf-8"))
    raw = (out / "texts" / "chongqing" / "yongchuan" / "a.html.txt").read_text(encoding="utf-8")
    evidences = [e for p in rec["persons"] + rec["places"] for e in p["evidence"]]
    assert evidences and all(raw[e["start"]:e["end"]] == e["raw_text"] for e in evidences)

    g = rdflib.Graph().parse(out / "kg.ttl")
    page = next(g.subjects(FP.fileName, rdflib.Literal("chongqing/yongchuan/a.html")))
    pdf = next(g.subjects(FP.fileName, rdflib.Literal("chongqing/b.pdf")))
    assert str(g.value(page, DCTERMS.title)) == "技术+勤劳" and str(g.value(page, DCTERMS.date)) == "2020-12-10"
    assert str(g.value(page, SCHEMA.url)) == "http://www.jxyy.gov.cn/1.html"
    assert str(g.value(page, FP.collection)) == "chongqing/yongchuan" and str(g.value(page, FP.titleFrom)) == "page"
    assert str(g.value(pdf, DCTERMS.publisher)) == "永川日报" and str(g.value(pdf, FP.publisherFrom)) == "manifest"
    assert str(g.value(pdf, FP.collection)) == "重庆 2020" and str(g.value(pdf, DCTERMS["format"])) == "application/pdf"
    pages = [p.read_text(encoding="utf-8") for p in (out / "cases").glob("*.html") if p.name != "index.html"]
    assert len(pages) == 6           # the same three cases from the page and from the PDF
    assert any("来源 Source: 弋阳县政府网" in p and "http://www.jxyy.gov.cn/1.html" in p for p in pages)
    assert any("来源 Source: 永川日报 · 文集 重庆 2020 <span title=\"where each field came from\">(collection: manifest, publisher: manifest, title: page)" in p for p in pages)
