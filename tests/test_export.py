"""``kg export``: the tables read back by pandas (CSV, XLSX, Parquet) and the graph by
networkx (GraphML, GEXF), counted against the graph with SPARQL (not with the export's code)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

pd = pytest.importorskip("pandas")

from kg.analytics import load_graph  # noqa: E402
from kg.export import SEP, TABLES, column_labels, write_exports  # noqa: E402
from kg.graph import build_graph, write_graph  # noqa: E402
from kg.records import ArticleRecord  # noqa: E402
from kg.store import build_store, query  # noqa: E402

DATA = Path(__file__).parent / "data"
CORPUS = Path(__file__).resolve().parents[1] / "corpus"
CLASS_OF = {"cases": "Case", "incomes": "Income", "persons": "Person", "organizations": "Organization",
            "statistics": "Statistic"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The graph and store of the corpus's records (tests/data/records_corpus.json), exported."""
    out = tmp_path_factory.mktemp("export")
    recs = json.loads((DATA / "records_corpus.json").read_text(encoding="utf-8"))
    write_graph(build_graph([ArticleRecord.from_dict(d) for d in recs]), out)
    build_store(out / "kg.nt", out / "store")
    write_exports(load_graph(out / "kg.nt"), out / "exports")
    return out


def sparql_count(store: Path, cls: str) -> int:
    q = f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a fp:{cls} }}"
    return query(store, q).values()[0]["n"]


def test_every_table_in_every_format_has_one_row_per_node_of_its_class(built):
    ex = built / "exports"
    sheets = pd.read_excel(ex / "fupin-kg.xlsx", sheet_name=None)
    assert list(sheets) == [*TABLES, "labels"]
    for table in TABLES:
        n = sparql_count(built / "store", CLASS_OF[table])
        assert n > 0, table
        csv = pd.read_csv(ex / f"{table}.csv")
        pq = pd.read_parquet(ex / f"{table}.parquet")
        for df in (csv, pq, sheets[table]):
            assert len(df) == n, table
            assert list(df.columns) == list(column_labels()[table]), table
        id_col = csv.columns[0]
        assert csv[id_col].is_unique and set(csv[id_col]) == set(pq[id_col]) == set(sheets[table][id_col])
    # one income row per fp:outcome of a case, keyed to its case
    cases, incomes = pd.read_csv(ex / "cases.csv"), pd.read_csv(ex / "incomes.csv")
    assert set(incomes["case_id"]) <= set(cases["case_id"])
    assert cases["income_n"].sum() == len(incomes)
    per_case = query(built / "store", "SELECT ?c (COUNT(?i) AS ?n) WHERE { ?c a fp:Case ; fp:outcome ?i } GROUP BY ?c")
    assert {r["c"]: r["n"] for r in per_case.values()} == incomes.groupby("case_id").size().to_dict()


def test_csv_opens_in_excel_and_keeps_chinese(built):
    raw = (built / "exports" / "cases.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                 # UTF-8 BOM: Excel reads it as UTF-8
    df = pd.read_csv(built / "exports" / "cases.csv")      # pandas skips the BOM
    assert df.columns[0] == "case_id"
    persons = query(built / "store", "SELECT ?l WHERE { ?c a fp:Case ; fp:person/rdfs:label ?l }")
    assert set(df["person"]) == {r["l"] for r in persons.values()}


def test_case_rows_carry_their_facts_as_the_graph_states_them(built):
    cases = pd.read_csv(built / "exports" / "cases.csv", dtype={"admin_code": str}, keep_default_na=False)
    rows = query(built / "store", """
        SELECT ?c ?file ?role (GROUP_CONCAT(DISTINCT ?prog; separator="|") AS ?progs) WHERE {
          ?c a fp:Case ; fp:caseRole ?role ; fp:source/fp:fileName ?file .
          OPTIONAL { ?c fp:program/rdfs:label ?prog } } GROUP BY ?c ?file ?role""").values()
    by_id = cases.set_index("case_id")
    for r in rows:
        row = by_id.loc[r["c"]]
        assert row["file"] == r["file"] and row["case_role"] == r["role"]
        assert set(filter(None, row["programs"].split(SEP))) == set(filter(None, (r["progs"] or "").split("|")))
    # the place path ends at the case's place; the division code is the gazetteer's, 6 or more digits
    with_place = cases[cases["place"] != ""]
    assert len(with_place) and all(p.split(SEP)[0].endswith(pl.split(SEP)[0])
                                   for p, pl in zip(with_place["place_path"], with_place["place"]))
    assert all(c == "" or (c.isdigit() and len(c) >= 6) for c in cases["admin_code"])
    # parallel income columns have one value per income
    for _, row in cases[cases["income_n"] > 0].iterrows():
        for col in ("income_amounts", "income_periods", "income_phases", "income_kinds", "income_texts"):
            assert len(row[col].split(SEP)) == row["income_n"], col


def test_evidence_offsets_slice_the_raw_article(built):
    """Every evidence sentence of a case or income comes with raw offsets: raw[start:end] of
    the article named in ``file`` is the evidence as the graph cites it (its fp:evidenceText),
    and the sentence is the graph's normalised fp:sentence for that span."""
    ev = query(built / "store", """SELECT ?x ?s ?raw ?a ?b WHERE {
        ?x prov:wasDerivedFrom ?e . ?e fp:sentence ?s ; fp:evidenceText ?raw ; fp:startOffset ?a ; fp:endOffset ?b .
        { ?x a fp:Case } UNION { ?x a fp:Income } }""").values()
    cited = {(r["x"], r["a"], r["b"]): (r["s"], r["raw"]) for r in ev}
    cases = pd.read_csv(built / "exports" / "cases.csv", keep_default_na=False)
    checked = 0
    for _, row in cases.iterrows():
        raw = (CORPUS / row["file"]).read_text(encoding="utf-8")
        spans = row["evidence_spans"].split(SEP)
        assert len(spans) == sum(1 for x, *_ in cited if x == row["case_id"])
        for sentence, span in zip(row["evidence"].split(SEP), spans):
            start, end = map(int, span.split("-"))
            assert cited[row["case_id"], start, end] == (sentence, raw[start:end])
            checked += 1
        assert row["evidence_start"] == int(spans[0].split("-")[0])
    incomes = pd.read_parquet(built / "exports" / "incomes.parquet")
    for _, row in incomes.iterrows():
        raw = (CORPUS / row["file"]).read_text(encoding="utf-8")
        start, end = int(row["evidence_start"]), int(row["evidence_end"])
        assert cited[row["income_id"], start, end] == (row["evidence"], raw[start:end])
        checked += 1
    assert checked > 30


def test_labels_name_every_column_in_chinese(built):
    labels = pd.read_csv(built / "exports" / "labels.csv")
    assert list(labels.columns) == ["table", "column", "label_zh", "description"]
    for table in TABLES:
        cols = list(pd.read_csv(built / "exports" / f"{table}.csv", nrows=0).columns)
        mine = labels[labels["table"] == table]
        assert list(mine["column"]) == cols
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in zh) for zh in mine["label_zh"])
    # the Parquet schema carries them too
    import pyarrow.parquet as pq

    field = pq.read_schema(built / "exports" / "cases.parquet").field("person")
    assert field.metadata[b"label_zh"].decode("utf-8") == "人物"
    assert pd.read_parquet(built / "exports" / "cases.parquet").attrs["labels"]["person"] == "人物"


def test_graph_files_open_in_networkx_with_every_node_and_edge(built):
    n_nodes = query(built / "store", """SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?c
        FILTER(?c IN (fp:Case, fp:Income, fp:Statistic, fp:Article, fp:Program, fp:Organization, fp:Place, fp:Person)) }
        """).values()[0]["n"]
    n_cases = sparql_count(built / "store", "Case")
    for name, read in (("graph.graphml", nx.read_graphml), ("graph.gexf", nx.read_gexf)):
        H = read(built / "exports" / name)
        assert H.number_of_nodes() == n_nodes, name
        assert sum(1 for _, d in H.nodes(data=True) if d.get("cls") == "Case") == n_cases, name
        assert all(d.get("label") for _, d in H.nodes(data=True)), name
    G = load_graph(built / "kg.nt")
    H = nx.read_graphml(built / "exports" / "graph.graphml", force_multigraph=True)
    assert H.number_of_edges() == G.number_of_edges()
    assert {d["predicate"] for *_, d in H.edges(data=True)} >= {"person", "program", "place", "outcome", "partOf"}


def test_export_command(built, tmp_path):
    run = [sys.executable, "-m", "kg.cli", "export", "--graph", str(built / "kg.nt"), "--dir", str(tmp_path / "x")]
    r = subprocess.run([*run, "--format", "csv,parquet"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == sorted(
        [f"{t}.csv" for t in TABLES] + ["labels.csv"] + [f"{t}.parquet" for t in TABLES])
    assert len(r.stdout.splitlines()) == 2 * len(TABLES) + 1
    r = subprocess.run([*run, "--format", "sav"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and r.stderr.strip().startswith("kg export: unknown export format(s) sav")
    r = subprocess.run([sys.executable, "-m", "kg.cli", "export", "--out", str(tmp_path / "none")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "no graph file" in r.stderr


def test_incomes_carry_their_kind_label_and_the_reports_monthly_value(built):
    """Each income's kind with the ontology's label, and its yuan per month by the one rule of
    the report and query 01: a yearly business revenue is no monthly income."""
    from kg.report import ontology_labels

    inc = pd.read_csv(built / "exports" / "incomes.csv")
    kinds = ontology_labels()["income_kinds"]
    assert set(inc["kind"]) <= set(kinds)
    assert all(row.kind_label == kinds[row.kind]["zh"] for row in inc.itertuples())
    revenue = inc[inc["kind"] == "revenue"]                 # 黄家君's yearly sales of fish
    assert len(revenue) == 2 and revenue["monthly_yuan"].isna().all() and set(revenue["period"]) == {"year"}
    wages = inc[(inc["kind"] == "wage") & (inc["period"] == "month")]
    assert len(wages) >= 3 and (wages["monthly_yuan"] == wages["amount"]).all()
    assert inc[inc["period"] == "day"]["monthly_yuan"].isna().all()
