"""The embedded Oxigraph store and `kg query` (kg/store.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.cli import main
from kg.errors import KGError, QueryError
from kg.graph import build_graph, write_graph
from kg.records import ArticleRecord
from kg.store import build_store, format_result, open_store, query, query_command, sparql_prefixes

DATA = Path(__file__).parent / "data"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
INCOMES = sparql_prefixes() + """
SELECT ?name ?amount ?period WHERE {
  ?c a fp:Case ; fp:person/rdfs:label ?name ; fp:outcome ?i .
  ?i fp:amount ?amount ; fp:period ?period ; fp:phase "before" .
}"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, int]:
    out = tmp_path_factory.mktemp("store")
    recs = json.loads((DATA / "records_corpus.json").read_text(encoding="utf-8"))
    g = build_graph([ArticleRecord.from_dict(d) for d in recs])
    write_graph(g, out)
    build_store(out / "kg.nt", out / "store")
    return out, len(g)


def test_store_holds_the_graph(built):
    out, n = built
    res = query(out / "store", COUNT)
    assert res.kind == "select" and res.values() == [{"n": n}]


def test_ontology_is_in_a_named_graph(built):
    out, _ = built
    q = ("SELECT ?en WHERE { GRAPH <https://w3id.org/fupin-kg/ontology> { fp:Case rdfs:label ?en "
         "FILTER (lang(?en) = 'en') } }")
    assert query(out / "store", q).values() == [{"en": "Case"}]


def test_rebuild_swaps_the_store_in_while_a_reader_has_it_open(built):
    out, n = built
    reader = open_store(out / "store")
    build_store(out / "kg.nt", out / "store")
    assert query(reader, COUNT).values() == [{"n": n}]
    assert query(out / "store", COUNT).values() == [{"n": n}]
    assert not list(out.glob(".store.*.tmp"))


def test_values_are_python_values(built):
    out, _ = built
    assert query(out / "store", INCOMES).values() == [{"name": "任启勇", "amount": 1000.0, "period": "month"}]


def test_formats(built, capsys):
    out, _ = built
    assert query_command(INCOMES, out / "store", "table") == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["name", "|", "amount", "|", "period"]
    assert table[2].split() == ["任启勇", "|", "1000", "|", "month"] and table[-1] == "(1 row)"
    query_command(INCOMES, out / "store", "csv")
    assert capsys.readouterr().out == "name,amount,period\r\n任启勇,1000,month\r\n"
    query_command(INCOMES, out / "store", "json")
    doc = json.loads(capsys.readouterr().out)
    assert doc["head"]["vars"] == ["name", "amount", "period"]
    (row,) = doc["results"]["bindings"]
    assert row["name"] == {"type": "literal", "value": "任启勇", "xml:lang": "zh"}
    assert row["amount"]["datatype"] == "http://www.w3.org/2001/XMLSchema#decimal"


def test_ask_and_construct(built):
    out, _ = built
    ask = query(out / "store", sparql_prefixes() + "ASK { ?p a fp:Person ; rdfs:label '冉俊松'@zh }")
    assert ask.kind == "ask" and ask.boolean is True
    assert format_result(ask, "json") == '{"head": {}, "boolean": true}\n'
    con = query(out / "store", sparql_prefixes() + "CONSTRUCT { ?p a fp:Person } WHERE { ?p a fp:Person }")
    assert con.kind == "graph" and len(con) == 16   # 9 + 4 + 2 + 1 persons in the four records
    assert "fp:Person" in format_result(con, "table")


def test_malformed_query_names_source_and_position(built):
    out, _ = built
    with pytest.raises(QueryError, match=r"^q\.rq: syntax error at line 2, column \d+: "):
        query(out / "store", "SELECT ?x WHERE {\n  ?x ?y }", source="q.rq")


def test_cli_malformed_query_is_one_line_exit_2(built, tmp_path, capsys):
    out, _ = built
    bad = tmp_path / "bad.rq"
    bad.write_text("PREFIX fp: <https://w3id.org/fupin-kg/ontology#>\nSELECT * WHERE { ?s fp:x }\n", encoding="utf-8")
    assert main(["query", "--store", str(out / "store"), "-f", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{bad}: syntax error at line 2, column" in err
    assert main(["query", "--store", str(out / "store"), "SELEC * {}"]) == 2
    assert "<query>: syntax error at line 1, column 1" in capsys.readouterr().err


def test_missing_store_says_to_build(tmp_path, capsys):
    with pytest.raises(KGError, match="run `kg build` first"):
        query(tmp_path / "nowhere", COUNT)
    assert main(["query", "--out", str(tmp_path), COUNT]) == 2
    assert "run `kg build` first" in capsys.readouterr().err


def test_unloadable_graph_file(tmp_path):
    with pytest.raises(KGError, match="no graph file"):
        build_store(tmp_path / "kg.nt", tmp_path / "store")
    bad = tmp_path / "bad.nt"
    bad.write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(KGError, match=r"bad\.nt: cannot load"):
        build_store(bad, tmp_path / "store")
    assert not (tmp_path / "store").exists() and not list(tmp_path.glob(".store.*"))


def test_project_prefixes_need_no_declaration(built):
    out, _ = built
    assert query(out / "store", "SELECT (COUNT(?c) AS ?n) WHERE { ?c a fp:Case }").values() == [{"n": 13}]
    # positions still refer to the user's text, not to the prefixes added in front of it
    with pytest.raises(QueryError, match=r"line 2, column 6"):
        query(out / "store", "SELECT ?c WHERE { ?c a fp:Case\n ?x }")
    with pytest.raises(QueryError, match="line 1, column 28: unknown prefix"):
        query(out / "store", "SELECT * WHERE { ?s foo:bar ?o }")


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_query_timeout_stops_a_runaway_query(built):
    """``kg query --timeout``: past the limit the process says so and exits 2 (the work stops
    with it); a query within the limit is unaffected."""
    import subprocess
    import sys
    import time

    run = [sys.executable, "-m", "kg.cli", "query", "--store", str(built[0] / "store")]
    t = time.monotonic()
    r = subprocess.run([*run, "--timeout", "1.5", RUNAWAY], capture_output=True, text=True, timeout=60)
    took = time.monotonic() - t
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.strip() == ("kg query: <query>: the query ran longer than 1.5 s and was stopped "
                                "(raise the limit with --timeout SECONDS)")
    assert 1.5 <= took < 15
    r = subprocess.run([*run, "--timeout", "30", "--format", "csv", "SELECT (COUNT(?c) AS ?n) WHERE { ?c a fp:Case }"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.split() == ["n", "13"]
