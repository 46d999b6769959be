"""Shared fixtures: the pipeline is loaded once per session; ../shared is optional."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
CHROMIUM = Path("/usr/bin/chromium")  # kg.views.CHROMIUM; not imported here to keep collection light


def pytest_collection_modifyitems(config, items):
    """Tests marked ``browser`` skip with the reason when Debian's chromium is absent (a fresh
    machine without ``.ci/run``), instead of failing inside the benchmark's browser stage."""
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared (gold, scorer); tests that need it skip on a fresh clone without it."""
    if not (SHARED / "gold").is_dir():
        pytest.skip("../shared is not present")
    return SHARED


@pytest.fixture(scope="session")
def nlp():
    """The extraction pipeline, built into the cache on first use and loaded once."""
    from kg.nlp import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def raw_article():
    """Read a corpus article's raw text by file-name prefix ("000", "001"...)."""

    def read(prefix: str) -> str:
        (path,) = CORPUS.glob(f"{prefix}_*.txt")
        return path.read_text(encoding="utf-8")

    return read


@pytest.fixture(scope="session")
def built_output() -> Path:
    """One real build of corpus/ into output/ (graph, store, analytics, views), shared by the
    slow tests. Incremental: unchanged articles come from the extraction cache, so after
    ``make build`` this costs only the graph and view stages. ``$KG_OUTPUT`` points it at an
    existing build instead, without rebuilding.
    """
    import os

    given = os.environ.get("KG_OUTPUT")
    if given:
        return Path(given)
    from kg.build import build

    out = ROOT / "output"
    report = build(corpus=CORPUS, out=out, quiet=True)
    assert report.exit_code == 0, f"the corpus build rejected articles: {report}"
    return out


@pytest.fixture(scope="session")
def records_store_dir(tmp_path_factory) -> Path:
    """The graph files and store of the hand-made records of real corpus facts
    (tests/data/records_corpus.json), built once for the query tests."""
    import json

    from kg.graph import build_graph, write_graph
    from kg.records import ArticleRecord
    from kg.store import build_store

    out = tmp_path_factory.mktemp("records-store")
    recs = json.loads((Path(__file__).parent / "data" / "records_corpus.json").read_text(encoding="utf-8"))
    write_graph(build_graph([ArticleRecord.from_dict(d) for d in recs]), out)
    build_store(out / "kg.nt", out / "store")
    return out
