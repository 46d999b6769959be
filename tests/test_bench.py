"""kg bench: the logic of the benchmark on tiny sizes (never timing targets)."""

from __future__ import annotations

import importlib.util
import json
import sys

import pytest

from kg.bench import (
    PARTS,
    TARGETS,
    change_article,
    check_targets,
    format_table,
    measure_build,
    percentile,
    run_bench,
)
from kg.errors import KGError
from kg.synth import write_corpus


def test_percentile():
    assert percentile([3, 1, 2], 50) == 2
    assert percentile([1, 2, 3, 4], 95) == pytest.approx(3.85)
    assert percentile([5], 95) == 5
    with pytest.raises(ValueError):
        percentile([], 50)


def test_targets_met_missed_and_not_measured():
    results = {"throughput": {"ratio_vs_tokeniser": 0.7}, "parallel": {"n": 1000, "speedup": 1.2},
               "scale_by_n": {"1000": {"wall_s": 170.0, "peak_rss_mb": 2500.0}},
               "sparql": {"oxigraph": {"median_ms": 3.0}, "oxigraph_memory": {"median_ms": 2.0}}}
    got = {t["name"]: t["met"] for t in check_targets(results)}
    assert got == {"extract_vs_tokeniser": True, "parallel_speedup": False, "build_1000_wall": True,
                   "build_1000_memory": False, "incremental_wall": None, "incremental_added_wall": None,
                   "build_5000_memory": None, "build_5000_vs_1000": None, "sparql_oxigraph_median": True,
                   "sparql_browse_p50": None, "sparql_browse_p95": None, "sparql_whole_graph_p50": True,
                   "browser_draw": None, "map_draw": None, "cluster_speedup": None, "cluster_vs_pool": None,
                   "read_pdf_share": None, "read_html_share": None}
    table = format_table({"targets": check_targets(results)})
    assert table.count("MISSED") == 2 and table.count("not measured") == 12 and table.count(" met") == 4
    results["incremental"] = {"wall_s": 20.0, "added": {"wall_s": 12.0}}
    results["scale_by_n"]["5000"] = {"wall_s": 900.0, "peak_rss_mb": 3900.0}
    results["scale_ratio"] = {"5000_over_1000": 5.29}
    got = {t["name"]: t["met"] for t in check_targets(results)}
    assert (got["incremental_wall"], got["incremental_added_wall"], got["build_5000_memory"],
            got["build_5000_vs_1000"]) == (False, True, True, True)
    results["cluster"] = {"n": 1000, "speedup": 1.7, "vs_pool": 0.85}
    got = {t["name"]: t["met"] for t in check_targets(results)}
    assert got["cluster_speedup"] is True and got["cluster_vs_pool"] is False
    results["reading"] = {"pdf": {"share": 0.05}, "html": {"share": 0.26}}
    got = {t["name"]: t["met"] for t in check_targets(results)}
    assert got["read_pdf_share"] is True and got["read_html_share"] is False
    assert len(TARGETS) == 18


def test_change_article_changes_exactly_one(tmp_path):
    paths = write_corpus(tmp_path, 4, seed=0)
    before = {p.name: p.read_bytes() for p in paths}
    changed = change_article(tmp_path)
    after = {p.name: p.read_bytes() for p in paths}
    assert [n for n in before if before[n] != after[n]] == [changed.name]
    assert after[changed.name].startswith(before[changed.name].rstrip(b"\n"))


def test_measure_build_sees_memory_of_grandchildren():
    """Peak memory is summed over the whole process tree (workers are grandchildren)."""
    code = ("import subprocess, sys; subprocess.run([sys.executable, '-c', "
            "\"b = bytearray(300 * 2**20); import time; time.sleep(1.0)\"])")
    res = measure_build([sys.executable, "-c", code])
    assert res["exit_code"] == 0
    assert res["peak_rss_mb"] >= 300
    assert res["wall_s"] >= 1.0


def test_bad_arguments(tmp_path):
    with pytest.raises(KGError, match="unknown part"):
        run_bench([5], tmp_path, skip=["nope"])
    with pytest.raises(KGError, match="--sizes"):
        run_bench([0], tmp_path, skip=list(PARTS))
    with pytest.raises(KGError, match="--workers"):
        run_bench([5], tmp_path, workers=0, skip=list(PARTS))


def test_everything_skipped_writes_bench_json(tmp_path, capsys):
    from kg.bench import bench_command

    assert bench_command([3], tmp_path, skip=list(PARTS)) == 0
    res = json.loads((tmp_path / "bench.json").read_text(encoding="utf-8"))
    assert {"machine", "config", "synth", "targets"} <= set(res)
    assert all(t["met"] is None for t in res["targets"])
    assert "not measured" in capsys.readouterr().out


needs_build = pytest.mark.skipif(importlib.util.find_spec("kg.corpus") is None or
                                 importlib.util.find_spec("kg.store") is None,
                                 reason="the build stages (kg.corpus, kg.store) have not landed")


@pytest.mark.slow
@needs_build
def test_tiny_bench(tmp_path):
    """N=4 and N=6: every part but the browser runs; figures are consistent with each other."""
    res = run_bench([4, 6], tmp_path, workers=2, quiet=True, skip=["browser"], sparql_repeats=3, views=False,
                    reading_sizes=(3, 1))
    saved = json.loads((tmp_path / "bench.json").read_text(encoding="utf-8"))
    assert saved["config"]["sizes"] == [4, 6] and saved["config"]["reference_n"] == 6
    from kg.resources import queries_dir

    has_queries = any(queries_dir().glob("*.rq"))
    for part in ("throughput", "scale", "incremental", "sparql", "reading"):
        if part == "sparql" and not has_queries:
            assert "no example queries" in saved[part]["error"]
            continue
        assert part in saved and "error" not in saved[part], (part, saved.get(part))
    tp = res["throughput"]
    assert tp["articles"] == 4 and tp["extracted"] == 4 and tp["parallel_extracted"] == 4
    assert tp["ratio_vs_tokeniser"] == pytest.approx(tp["tokeniser_s"] / tp["extract_s"], rel=0.01)
    assert tp["parallel_speedup"] == pytest.approx(tp["extract_s"] / tp["parallel_s"], rel=0.01)
    assert [r["n"] for r in res["scale"]] == [4, 6]
    par, big = res["parallel"], res["scale"][-1]
    assert par["n"] == 6 and par["chars"] == big["chars"] > res["scale"][0]["chars"] > 0
    assert par["speedup"] == pytest.approx(big["chars"] / big["timings"]["extract"] / tp["extract_chars_per_s"], rel=0.01)
    for r in res["scale"]:
        assert r["exit_code"] in (0, 3) and r["peak_rss_mb"] > 50
        assert r["cache"]["extracted"] == r["n"] and r["cache"]["hits"] == 0
    sp = res["sparql"]
    if has_queries:
        assert sp["queries"] >= 1 and sp["oxigraph"]["median_ms"] > 0 and sp["rdflib"]["median_ms"] > 0
        assert sp["ratio_rdflib_over_oxigraph"] == pytest.approx(
            sp["rdflib"]["median_ms"] / sp["oxigraph"]["median_ms"], rel=0.02)
        assert sp["oxigraph_original"]["median_ms"] > 0          # the queries/portable/ shapes, same run
        assert sp["oxigraph_memory"]["median_ms"] > 0 and sp["memory_load_s"] > 0   # the store in memory
        assert all(e["oxigraph_memory"]["rows"] == e["oxigraph"]["rows"] for e in sp["per_query"].values())
        assert "in memory" in format_table(res)
        bw = sp["browse"]                                        # one-entity queries on sampled entities
        assert bw["queries"] >= 10 and bw["oxigraph"]["n"] >= bw["queries"] and bw["oxigraph"]["p50_ms"] > 0
        assert bw["rdflib"]["p50_ms"] > 0
        assert "browsing" in format_table(res)
    assert {t["name"] for t in res["targets"] if t["met"] is not None} >= {"extract_vs_tokeniser", "incremental_wall",
                                                                           "read_pdf_share", "read_html_share"}
    rd = res["reading"]
    assert rd["html"]["pages"] == 3 and rd["pdf"]["pages"] == 1 and "web pages" in format_table(res)
    inc = res["incremental"]
    if inc["pipeline_changed"]:
        pytest.skip("the extractor's files were edited during the test: every article re-extracted")
    assert inc["extracted"] == 1 and inc["cache_hits"] == 5 and inc["only_changed_reextracted"]


@pytest.mark.slow
@pytest.mark.browser
@needs_build
def test_tiny_bench_browser(tmp_path):
    if importlib.util.find_spec("kg.views") is None:
        pytest.skip("kg.views has not landed")
    res = run_bench([3], tmp_path, workers=1, quiet=True, skip=["throughput", "scale", "incremental", "sparql",
                                                                 "reading"])
    br = res["browser"]
    assert "error" not in br, br
    assert br["draw_s"] > 0 and br["blocked_requests"] == 0 and br["nodes"]
    mp = br["map"]
    assert "error" not in mp, mp
    assert mp["draw_s"] > 0 and mp["blocked_requests"] == 0 and mp["console_errors"] == [] and mp["marks"] >= 1
    assert {t["name"]: t["met"] for t in res["targets"]}["map_draw"] is True


@pytest.mark.slow
@pytest.mark.browser
def test_bench_browser_times_overview_region_and_whole_graph(tmp_path):
    """A page big enough to open on its regions: the overview is what the target times; the
    largest region and the whole graph are timed on request."""
    from pathlib import Path

    from kg_fixture import synthetic_graph

    from kg import analytics, views
    from kg.bench import bench_browser

    if not Path(views.CHROMIUM).exists():
        pytest.skip(f"{views.CHROMIUM} not found")
    G = analytics.load_graph(synthetic_graph(300))
    views.write_graph_html(G, tmp_path / "graph.html")
    br = bench_browser(tmp_path / "graph.html")
    assert br["mode"] == "overview" and br["total_nodes"] == G.number_of_nodes() > 5000
    assert br["whole_graph_loaded"] == G.number_of_nodes() and 0 < br["largest_region_loaded"] < br["total_nodes"]
    assert 0 < br["largest_region_nodes"] <= br["largest_region_loaded"]     # the opening classes and focus drawn
    assert br["largest_region_ms"] > 0 and br["whole_graph_ms"] > 0 and br["blocked_requests"] == 0
    assert "overview of" in format_table({"browser": {"n": 300, **br}})
