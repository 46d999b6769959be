"""Summary triples (kg/summary.py): the place hierarchy's closure in the store's summary graph,
recomputed from the facts; the example queries that read it answer exactly as their
property-path originals (queries/portable/) on the hand-made corpus records and, marked
slow, on a built corpus output."""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.resources import queries_dir
from kg.store import open_store, query
from kg.summary import RULES, SUMMARY_GRAPH, materialise, summary_counts

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[1]
FP = "https://w3id.org/fupin-kg/ontology#"
PORTABLE = sorted(p.name for p in (queries_dir() / "portable").glob("*.rq"))


@pytest.fixture(scope="module")
def built(records_store_dir):
    return records_store_dir


@pytest.fixture(scope="module")
def store(built):
    return open_store(built / "store")


def _pairs(store, text: str) -> set[tuple[str, str]]:
    return {(r["a"], r["b"]) for r in query(store, text).values()}


def test_within_is_the_reflexive_transitive_closure_of_part_of(store):
    closure = _pairs(store, f"SELECT ?a ?b WHERE {{ ?a a <{FP}Place> ; <{FP}partOf>* ?b }}")
    summary = _pairs(store, f"SELECT ?a ?b WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{ ?a <{FP}within> ?b }} }}")
    assert summary == closure
    # a village group reaches its village, township, county and province
    assert any(a.endswith("/塘坎上村民小组") and b.endswith("/重庆市") for a, b in summary)


def test_case_within_is_the_case_places_and_everything_above(store):
    direct = _pairs(store, f"SELECT ?a ?b WHERE {{ ?a a <{FP}Case> ; <{FP}place>/<{FP}partOf>* ?b }}")
    summary = _pairs(store, f"SELECT ?a ?b WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{ ?a <{FP}caseWithin> ?b }} }}")
    assert summary == direct and len(summary) > 20


def test_summary_stays_out_of_the_default_graph(store):
    n = query(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{FP}within> ?o }}").values()[0]["n"]
    assert n == 0


def test_materialise_recomputes_after_the_facts_change(built, tmp_path):
    st = ox.Store()
    st.load(path=str(built / "kg.nt"), format=ox.RdfFormat.N_TRIPLES)
    first = materialise(st)
    assert set(first) == {name for name, _ in RULES} | {"total"}
    counts = summary_counts(st)
    assert counts["within"] > 0 and counts["caseWithin"] > 0
    materialise(st)                                   # rerun: the same triples, not twice as many
    assert summary_counts(st) == counts
    # one article's facts dropped (as an incremental build does): its cases leave the summary
    article = "000_832e13d42f1660e4.txt"
    st.update(f"DELETE {{ ?c <{FP}place> ?p }} WHERE {{ ?c a <{FP}Case> ; <{FP}place> ?p . "
              f"FILTER (CONTAINS(STR(?c), '/case/{article}/')) }}")
    materialise(st)
    left = summary_counts(st)["caseWithin"]
    assert 0 < left < counts["caseWithin"]
    asked = st.query(f"ASK {{ GRAPH <{SUMMARY_GRAPH}> {{ ?c <{FP}caseWithin> ?p }} "
                     f"FILTER (CONTAINS(STR(?c), '/case/{article}/')) }}")
    assert bool(asked) is False


def _answer(store, path: Path) -> list[tuple]:
    """The rows, terms as (kind, value); a GROUP_CONCAT list (?categories) as its sorted items:
    SPARQL leaves the order of GROUP_CONCAT unspecified, and join order decides it."""
    res = query(store, path.read_text(encoding="utf-8"), source=str(path))

    def cell(var: str, t) -> tuple | None:
        if t is None:
            return None
        return (type(t).__name__, ", ".join(sorted(t.value.split(", "))) if var in ("categories", "places") else t.value)

    return [tuple(cell(v, t) for v, t in zip(res.variables, row)) for row in res.rows]


def test_every_rewritten_query_keeps_a_portable_original():
    assert len(PORTABLE) >= 5
    for path in queries_dir().glob("*.rq"):          # every example that reads the summary has one
        text = path.read_text(encoding="utf-8")
        assert (SUMMARY_GRAPH in text) == (path.name in PORTABLE), path.name
    for name in PORTABLE:
        original = (queries_dir() / "portable" / name).read_text(encoding="utf-8")
        assert SUMMARY_GRAPH not in original, name


@pytest.mark.parametrize("name", PORTABLE)
def test_rewritten_query_answers_as_the_original(store, name):
    rewritten = _answer(store, queries_dir() / name)
    original = _answer(store, queries_dir() / "portable" / name)
    assert rewritten == original and rewritten, name


@pytest.fixture(scope="module")
def corpus_store():
    out = Path(os.environ.get("KG_TEST_OUTPUT", ROOT / "output"))
    if not (out / "store").exists():
        pytest.skip(f"no built store in {out} (run `kg build` or set KG_TEST_OUTPUT)")
    st = open_store(out / "store")
    if not summary_counts(st):
        pytest.skip(f"{out}/store was built without summary triples (rebuild it)")
    return st


@pytest.mark.slow
@pytest.mark.parametrize("name", PORTABLE)
def test_rewritten_query_answers_as_the_original_on_the_corpus_build(corpus_store, name):
    rewritten = _answer(corpus_store, queries_dir() / name)
    assert rewritten == _answer(corpus_store, queries_dir() / "portable" / name) and rewritten, name
