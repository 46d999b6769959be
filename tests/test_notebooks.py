"""The notebooks of ``notebooks/``: stored clean (fast tests), and, marked slow, run top to
bottom with nbclient against the session's real build of the corpus (the ``built_output``
fixture; the notebooks find it through ``$KG_OUT``), with their key outputs checked."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
NAMES = ("01_case_stories.ipynb", "02_sparql.ipynb", "03_graph_analytics.ipynb")
TIMEOUT_S = 180          # per cell; a whole notebook runs in about 10 s on the corpus


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_stored_clean(name):
    """No outputs, no execution counts, kernel python3, valid nbformat, small."""
    nbformat = pytest.importorskip("nbformat")
    path = NOTEBOOKS / name
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    for c in code:
        assert c.outputs == [] and c.execution_count is None, f"{name}: stored with outputs"
    assert path.stat().st_size < 30_000


@pytest.mark.parametrize("name", NAMES)
def test_notebook_uses_the_public_api(name):
    """The notebooks call the package (kg.explore and the modules it wraps), they do not
    carry their own copy of its logic: no rdflib parsing, no direct pyoxigraph use."""
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "from kg import explore" in text
    assert "explore.output_dir()" in text            # honours $KG_OUT
    for forbidden in ("import rdflib", "import pyoxigraph", "Graph().parse", "def "):
        assert forbidden not in text, f"{name}: {forbidden!r}"


# ---------------------------------------------------------------------------------------------
# Running them (slow)


@pytest.fixture(scope="session")
def notebook_build(built_output) -> Path:
    """The shared real build of the corpus (tests/conftest.py: ``output/``, or ``$KG_OUTPUT``)."""
    if not (built_output / "kg.ttl").is_file() or not (built_output / "store").is_dir():
        pytest.fail(f"{built_output}: no graph or store in the build")
    return built_output


def _run(name: str, out: Path, monkeypatch) -> tuple[object, float]:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("KG_OUT", str(out))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    t0 = time.perf_counter()
    # raises CellExecutionError (with the cell and its traceback) on any error
    nbclient.NotebookClient(nb, timeout=TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    elapsed = time.perf_counter() - t0
    print(f"{name}: {elapsed:.1f} s")
    return nb, elapsed


def _outputs(nb) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def _texts(nb, mime: str) -> list[str]:
    out = []
    for o in _outputs(nb):
        if o.output_type == "stream" and mime == "text/plain":
            out.append(o.text)
        elif mime in o.get("data", {}):
            out.append(o["data"][mime])
    return out


def _images(nb) -> int:
    return sum("image/png" in o.get("data", {}) for o in _outputs(nb))


def _no_errors(nb) -> None:
    errors = [o for o in _outputs(nb) if o.output_type == "error"]
    assert not errors, errors


@pytest.mark.slow
def test_case_stories_notebook(notebook_build, monkeypatch):
    nb, elapsed = _run("01_case_stories.ipynb", notebook_build, monkeypatch)
    _no_errors(nb)
    stories = [t for t in _texts(nb, "text/markdown") if t.startswith("### ")]
    assert stories, "no case story shown"
    # each story names its program, its place up the hierarchy and its evidence with raw offsets
    for s in stories:
        assert "**项目 Programs**" in s and "**地点 Where**" in s
        assert re.search(r"^> \[\d+–\d+\] \S", s, re.M), s
    # the default selection (SkillsTraining) holds at least one story with a stated income
    assert any("**收入 Income**:\n" in s for s in stories)
    assert any("**时间线 Timeline**:\n" in s for s in stories)      # each story in time order
    plain = "\n".join(_texts(nb, "text/plain"))
    assert re.search(r"[1-9]\d* case\(s\) for person=None, place=None, category='SkillsTraining'", plain)
    assert re.search(r"person\s+step\s+time\b", plain) and "what" in plain   # the timeline table
    assert re.search(r"previousYear", plain)                          # income changes by year (query 13)
    assert _images(nb) >= 1                           # the income chart
    assert elapsed < 120


@pytest.mark.slow
def test_sparql_notebook(notebook_build, monkeypatch):
    from kg.explore import example_queries

    nb, elapsed = _run("02_sparql.ipynb", notebook_build, monkeypatch)
    _no_errors(nb)
    plain = "\n".join(_texts(nb, "text/plain"))
    rows = {m.group(1): int(m.group(2)) for m in re.finditer(r"^QUERY (\S+): (\d+) rows$", plain, re.M)}
    expected = {q.name for q in example_queries()}
    assert len(expected) >= 10
    assert set(rows) == expected
    empty = sorted(n for n, k in rows.items() if k == 0)
    assert not empty, f"example queries with no result on the corpus: {empty}"
    assert "QueryError: my query: syntax error at line 1" in plain     # the error example
    html = "\n".join(_texts(nb, "text/html"))
    assert "fp:Case" in html and "fp:adminLevel" in html               # class counts, the fp: terms
    assert _images(nb) >= 1
    assert elapsed < 120


@pytest.mark.slow
def test_graph_analytics_notebook(notebook_build, monkeypatch):
    nb, elapsed = _run("03_graph_analytics.ipynb", notebook_build, monkeypatch)
    _no_errors(nb)
    html = "\n".join(_texts(nb, "text/html"))
    for column in ("betweenness", "degree_centrality", "after_mean", "Organization"):
        assert column in html, column
    frames = re.findall(r"<iframe srcdoc=", html)
    assert len(frames) == 2                             # the neighbourhood and the whole graph
    assert "vis-network" in html                        # the pages carry vis-network inline
    plain = "\n".join(_texts(nb, "text/plain"))
    assert re.search(r": \d+ nodes within \d+ links", plain)
    assert _images(nb) >= 4                             # centrality, communities, outcomes, counties
    assert elapsed < 120

