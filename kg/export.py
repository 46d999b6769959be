"""Tables for pandas, Stata and Excel users, and the graph for Gephi (``kg export``).

From the knowledge graph (loaded into networkx by :func:`kg.analytics.load_graph`, as the
views are) five tables are made with pandas: ``cases`` (one row per fp:Case, with its
person, categories, programs, places with their path and division code, organizations with
their role, every income, the evidence sentences, the file and the raw offsets),
``incomes`` (one row per income, keyed by ``case_id``), ``persons``, ``organizations`` and
``statistics``. Column names are English; each column's Chinese label and description
come from ``kg/data/export_columns.json`` and go to ``labels.csv`` and the ``labels``
sheet (a second header row would break ``read_csv``). Multi-valued cells join their
values with ``" | "``, parallel columns (``income_amounts``, ``income_periods`` ...) in the
same order.

Formats: CSV (UTF-8 with a BOM, so Excel opens Chinese text), one XLSX workbook (one sheet
per table and ``labels``; openpyxl), Parquet (pyarrow; each column's label in the file's
metadata), and the graph as GraphML and GEXF (networkx's writers). Every file is written
atomically (:mod:`kg.io`).
"""

from __future__ import annotations

import io as _io
import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx

from kg import io
from kg.analytics import case_parts, display_vocabulary, load_graph, monthly_value, nodes_of, place_chain
from kg.errors import KGError
from kg.graphxml import write_gexf, write_graphml

__all__ = ["TABLES", "FORMATS", "SEP", "column_labels", "export_tables", "write_exports", "graph_for_export",
           "export_command"]

#: The tables, in the order of the workbook's sheets.
TABLES = ("cases", "incomes", "persons", "organizations", "statistics")
#: Every format ``kg export`` writes (``--format`` chooses some).
FORMATS = ("csv", "xlsx", "parquet", "graphml", "gexf", "geojson")
#: Separator of the values of a multi-valued cell.
SEP = " | "
WORKBOOK = "fupin-kg.xlsx"
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@lru_cache(maxsize=1)
def column_labels() -> dict[str, dict[str, tuple[str, str]]]:
    """``{table: {column: (Chinese label, English description)}}`` from export_columns.json."""
    from kg.resources import data_file

    raw = json.loads(data_file("export_columns.json").read_text(encoding="utf-8"))
    return {t: {c: (v[0], v[1]) for c, v in cols.items()} for t, cols in raw.items() if not t.startswith("_")}


def _join(values) -> str:
    return SEP.join("" if v is None else _fmt(v) for v in values)


def _fmt(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _first_evidence(d: dict) -> tuple[str | None, int | None, int | None]:
    ev = d.get("evidence") or []
    if not ev:
        return None, None, None
    e = ev[0]
    return e["sentence"], e["start"], e["end"]


class _Places:
    """Paths, levels and division codes of places (memoised along fp:partOf)."""

    def __init__(self, G: nx.MultiDiGraph):
        self.G, self.chains = G, {}

    def chain(self, p: str) -> list[str]:
        return place_chain(self.G, p, self.chains)          # most specific first

    def path(self, p: str) -> str:
        return " › ".join(self.G.nodes[x]["label"] for x in reversed(self.chain(p)))

    def code(self, p: str) -> str | None:
        return next((str(self.G.nodes[x]["admin_code"]) for x in self.chain(p) if self.G.nodes[x].get("admin_code")),
                    None)

    def at(self, p: str, level: str) -> str | None:
        return next((self.G.nodes[x]["label"] for x in self.chain(p) if self.G.nodes[x].get("admin_level") == level),
                    None)


def _int(x: Any) -> int | None:
    return int(x) if isinstance(x, int | float) else None


def _frame(table: str, rows: list[dict[str, Any]]):
    """A DataFrame with exactly the table's columns (in the labels file's order), nullable
    integer offsets, and the Chinese labels in ``df.attrs['labels']``."""
    import pandas as pd

    cols = list(column_labels()[table])
    extra = {k for r in rows for k in r} - set(cols)
    if extra:
        raise KGError(f"export table {table}: columns {sorted(extra)} have no label in kg/data/export_columns.json")
    df = pd.DataFrame(rows, columns=cols)
    for c in cols:
        if c in ("evidence_start", "evidence_end", "income_n", "cases", "age", "start_year", "year"):
            df[c] = df[c].astype("Int64")
        elif c in ("amount", "amount_max", "value"):
            df[c] = df[c].astype("Float64")
        elif c == "approximate":
            df[c] = df[c].astype("boolean")
        else:
            df[c] = df[c].astype("string")
    df.attrs["labels"] = {c: column_labels()[table][c][0] for c in cols}
    return df


def export_tables(G: nx.MultiDiGraph) -> dict[str, Any]:
    """The five tables (pandas DataFrames, keyed by :data:`TABLES`) of the graph ``G``."""
    from kg.views import case_page_name

    vocab = display_vocabulary()
    cat_zh = G.graph.get("category_labels") or vocab["categories"]
    node = G.nodes
    places = _Places(G)
    organizer_of: dict[str, set[str]] = {}           # program -> organizations running it
    for prog in nodes_of(G, "Program"):
        organizer_of[prog] = {v for _, v, k in G.out_edges(prog, keys=True) if k == "organizer"}

    cases, incomes = [], []
    org_roles: dict[str, Counter] = {}
    person_cases: dict[str, list[str]] = {}
    for c in nodes_of(G, "Case"):
        d = node[c]
        parts = case_parts(G, c)
        person_ids = parts["person"]
        for p in person_ids:
            person_cases.setdefault(p, []).append(c)
        pd_ = node[person_ids[0]] if person_ids else {}
        organizers = set().union(*(organizer_of.get(p, set()) for p in parts["program"])) if parts["program"] else set()
        roles = []
        for o in parts["organization"]:
            role = "organizer" if o in organizers else "employer/partner"
            roles.append(role)
            org_roles.setdefault(o, Counter())[role] += 1
        first_place = parts["place"][0] if parts["place"] else None
        ev = d.get("evidence") or []
        arts = [node[a] for a in parts["source"]]
        inc = sorted(parts["outcome"], key=lambda i: (node[i].get("phase") != "before", _ev_start(node[i]), i))
        person = "、".join(node[p]["label"] for p in person_ids)
        cases.append({
            "case_id": c, "person": person, "person_role": pd_.get("role"), "gender": pd_.get("gender"),
            "case_role": d.get("case_role"),
            "categories": _join(d["category"]), "categories_zh": _join(cat_zh.get(x, x) for x in d["category"]),
            "programs": _join(node[p]["label"] for p in parts["program"]),
            "place": _join(node[p]["label"] for p in parts["place"]),
            "place_path": _join(places.path(p) for p in parts["place"]),
            "admin_code": places.code(first_place) if first_place else None,
            **{lvl: places.at(first_place, lvl) if first_place else None
               for lvl in ("province", "county", "township", "village")},
            "organizations": _join(node[o]["label"] for o in parts["organization"]),
            "organization_roles": _join(roles),
            "start_time": (d.get("start_time") or {}).get("label"),
            "start_year": (d.get("start_time") or {}).get("year"),
            "income_n": len(inc),
            "income_amounts": _join(node[i].get("amount") for i in inc),
            "income_amount_max": _join(node[i].get("amount_max") for i in inc),
            "income_periods": _join(node[i].get("period") for i in inc),
            "income_phases": _join(node[i].get("phase") for i in inc),
            "income_kinds": _join(node[i].get("income_kind") for i in inc),
            "income_texts": _join(node[i].get("money_text") for i in inc),
            "income_years": _join((node[i].get("has_time") or {}).get("year") or "" for i in inc)
            if any((node[i].get("has_time") or {}).get("year") for i in inc) else None,
            "evidence": _join(e["sentence"] for e in ev),
            "evidence_spans": _join(f"{e['start']}-{e['end']}" for e in ev),
            "evidence_start": ev[0]["start"] if ev else None,
            "evidence_end": max((e["end"] for e in ev if e["end"] is not None), default=None),
            "file": _join(a.get("file_name") or a["label"] for a in arts),
            "title": _join(a.get("title") for a in arts if a.get("title")),
            "date": _join(str(a["date"]) for a in arts if a.get("date")),
            "page": case_page_name(G, c),
        })
        for i in inc:
            di = node[i]
            s, start, end = _first_evidence(di)
            incomes.append({
                "income_id": i, "case_id": c, "person": person, "amount": di.get("amount"),
                "amount_max": di.get("amount_max"), "period": di.get("period"), "phase": di.get("phase"),
                "year": (di.get("has_time") or {}).get("year"), "time_text": (di.get("has_time") or {}).get("label"),
                "kind": di.get("income_kind"),
                "kind_label": vocab["income_kinds"].get(di.get("income_kind") or "", {}).get("zh"),
                "monthly_yuan": monthly_value(di),
                "approximate": di.get("approximate"), "money_text": di.get("money_text"),
                "evidence": s, "evidence_start": start, "evidence_end": end,
                "file": _join(di["sources"]) or None,
            })

    persons = []
    for p in nodes_of(G, "Person"):
        d = node[p]
        mine = person_cases.get(p, [])
        s, start, end = _first_evidence(d)
        cats = sorted({x for c in mine for x in node[c]["category"]})
        pls = list(dict.fromkeys(node[x]["label"] for c in mine for x in case_parts(G, c)["place"]))
        persons.append({"person_id": p, "name": d["label"], "gender": d.get("gender"), "age": _int(d.get("age")),
                        "role": _join(d["role"]) if isinstance(d.get("role"), list) else d.get("role"),
                        "cases": len(mine), "categories": _join(cats), "places": _join(pls),
                        "evidence": s, "evidence_start": start, "evidence_end": end, "files": _join(d["sources"])})

    orgs = []
    for o in nodes_of(G, "Organization"):
        d = node[o]
        pl = [v for _, v, k in G.out_edges(o, keys=True) if k == "place"]
        s, start, end = _first_evidence(d)
        alt = d.get("alt_label")
        roles = org_roles.get(o, Counter())
        orgs.append({
            "organization_id": o, "name": d["label"], "aliases": _join(alt if isinstance(alt, list) else [alt]) if alt else None,
            "kind": d.get("org_kind"), "place_path": places.path(pl[0]) if pl else None,
            "admin_code": places.code(pl[0]) if pl else None, "cases": sum(roles.values()),
            "roles": _join(f"{r}×{n}" for r, n in sorted(roles.items())),
            "programs_organized": _join(sorted(node[u]["label"] for u, _, k in G.in_edges(o, keys=True) if k == "organizer")),
            "evidence": s, "evidence_start": start, "evidence_end": end, "files": _join(d["sources"]),
        })

    stats = []
    for st in nodes_of(G, "Statistic"):
        d = node[st]
        pl = [v for _, v, k in G.out_edges(st, keys=True) if k == "place"]
        s, start, end = _first_evidence(d)
        cat = d["category"][0] if d["category"] else None
        stats.append({
            "statistic_id": st, "text": d.get("stat_text") or d["label"], "value": d.get("value"), "unit": d.get("unit"),
            "approximate": d.get("approximate"), "category": cat, "category_zh": cat_zh.get(cat, cat) if cat else None,
            "place": node[pl[0]]["label"] if pl else None, "place_path": places.path(pl[0]) if pl else None,
            "admin_code": places.code(pl[0]) if pl else None, "county": places.at(pl[0], "county") if pl else None,
            "evidence": s, "evidence_start": start, "evidence_end": end, "file": _join(d["sources"]) or None,
        })
    rows = {"cases": cases, "incomes": incomes, "persons": persons, "organizations": orgs, "statistics": stats}
    return {t: _frame(t, rows[t]) for t in TABLES}


def _ev_start(d: dict) -> int:
    ev = d.get("evidence") or []
    return ev[0]["start"] if ev and ev[0]["start"] is not None else -1


def labels_frame():
    """Every table's columns with their Chinese label and English description."""
    import pandas as pd

    return pd.DataFrame([{"table": t, "column": c, "label_zh": zh, "description": en}
                         for t in TABLES for c, (zh, en) in column_labels()[t].items()])


def graph_for_export(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """``G`` with attributes GraphML and GEXF can hold: scalars only (lists joined with
    :data:`SEP`, the first evidence sentence and its offsets), ``label`` and ``cls`` (the
    class) on every node, ``predicate`` and ``label`` on every edge."""
    H = nx.MultiDiGraph()
    for n, attrs in export_nodes(G):
        H.add_node(n, **attrs)
    for u, v, k, d in export_edges(G):
        H.add_edge(u, v, key=k, **d)
    return H


def _export_attrs(d: dict[str, Any]) -> dict[str, Any]:
    """A node's attributes as :func:`graph_for_export` keeps them."""
    attrs: dict[str, Any] = {}
    for k, v in d.items():
        if k in ("evidence", "iri") or v is None:
            continue
        if isinstance(v, dict):      # a time (has_time, start_time): its scalar parts
            attrs.update({f"{k}_{kk}": vv for kk, vv in v.items() if isinstance(vv, bool | int | float | str)})
            continue
        if isinstance(v, list):
            v = _join(v)
        if isinstance(v, bool | int | float | str):
            attrs[k] = v
        else:
            attrs[k] = str(v)
    s, start, end = _first_evidence(d)
    if s is not None:
        attrs["evidence"] = s
        if start is not None:
            attrs["evidence_start"], attrs["evidence_end"] = start, end
    return attrs


def export_nodes(G: nx.MultiDiGraph):
    """(node, scalar attributes) of every node, in the graph's order, made one at a time."""
    for n, d in G.nodes(data=True):
        yield n, _export_attrs(d)


def export_edges(G: nx.MultiDiGraph):
    """(source, target, key, {predicate, label}) of every edge, in the graph's order."""
    for u, v, k, d in G.edges(keys=True, data=True):
        yield u, v, k, {"predicate": d.get("predicate", k), "label": d.get("label", k)}


def _csv_text(df) -> str:
    return "\ufeff" + df.to_csv(index=False, lineterminator="\r\n")


def _cell(v: Any) -> Any:
    """A table value as a workbook cell: missing values blank, text without the control
    characters XLSX cannot hold."""
    if v is None or v is pd_NA() or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, str):
        return _ILLEGAL_XLSX.sub("", v)
    return v


@lru_cache(maxsize=1)
def pd_NA() -> Any:
    import pandas as pd

    return pd.NA


def write_workbook(sheets: dict[str, Any], path: Path) -> Path:
    """One XLSX workbook, a sheet per DataFrame (header row frozen), written row by row by
    XlsxWriter in its constant-memory mode (five times faster than pandas' openpyxl writer
    on a thousand articles' tables, and its memory does not grow with the rows). Text is
    written as text: no formulas, links or numbers are guessed from it."""
    import xlsxwriter

    buf = _io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"constant_memory": True, "strings_to_numbers": False,
                                   "strings_to_formulas": False, "strings_to_urls": False,
                                   "nan_inf_to_errors": True})
    bold = wb.add_format({"bold": True})
    for name, df in sheets.items():
        ws = wb.add_worksheet(name)
        ws.freeze_panes(1, 0)
        ws.write_row(0, 0, [str(c) for c in df.columns], bold)
        for r, row in enumerate(df.itertuples(index=False, name=None), 1):
            for c, v in enumerate(row):
                v = _cell(v)
                if v is not None:
                    ws.write(r, c, v)
    wb.close()
    return io.write_bytes(path, buf.getvalue())


def write_exports(G: nx.MultiDiGraph, out_dir: Path, formats: tuple[str, ...] | list[str] = FORMATS) -> list[Path]:
    """Write the tables and the graph to ``out_dir`` (created) in ``formats``; returns the
    paths written: ``<table>.csv`` and ``labels.csv``, ``fupin-kg.xlsx``,
    ``<table>.parquet``, ``graph.graphml``, ``graph.gexf``, ``places.geojson`` (the places
    with a point and their case counts, :func:`kg.geomap.places_geojson`)."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise KGError(f"unknown export format(s) {', '.join(unknown)} (known: {', '.join(FORMATS)})")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    tables = export_tables(G) if {"csv", "xlsx", "parquet"} & set(formats) else {}
    labels = labels_frame()
    if "csv" in formats:
        for t, df in tables.items():
            written.append(io.write_text(out_dir / f"{t}.csv", _csv_text(df)))
        written.append(io.write_text(out_dir / "labels.csv", _csv_text(labels)))
    if "xlsx" in formats:
        written.append(write_workbook({**tables, "labels": labels}, out_dir / WORKBOOK))
    if "parquet" in formats:
        import pyarrow as pa
        import pyarrow.parquet as pq

        for t, df in tables.items():
            tbl = pa.Table.from_pandas(df, preserve_index=False)
            fields = [f.with_metadata({"label_zh": column_labels()[t][f.name][0],
                                       "description": column_labels()[t][f.name][1]}) for f in tbl.schema]
            tbl = tbl.cast(pa.schema(fields, metadata=tbl.schema.metadata))
            buf = pa.BufferOutputStream()
            pq.write_table(tbl, buf)
            written.append(io.write_bytes(out_dir / f"{t}.parquet", buf.getvalue().to_pybytes()))
    if "graphml" in formats:       # streamed (kg.graphxml): no copy of the graph, no element tree
        written.append(write_graphml(export_nodes(G), export_edges(G), out_dir / "graph.graphml"))
    if "gexf" in formats:
        written.append(write_gexf(export_nodes(G), export_edges(G), out_dir / "graph.gexf",
                                  creator=f"Fupin KG (NetworkX {nx.__version__})"))
    if "geojson" in formats:
        from kg.geomap import GEOJSON_FILE, write_geojson  # noqa: PLC0415 - the map's module

        written.append(write_geojson(G, out_dir / GEOJSON_FILE))
    return written


def export_command(graph: Path, out_dir: Path, formats: list[str] | None = None, quiet: bool = False) -> int:
    """``kg export``: the tables and the graph of ``graph`` (a kg.ttl / kg.nt) into ``out_dir``."""
    from kg.errors import EXIT_OK

    graph = Path(graph)
    if not graph.is_file():
        raise KGError(f"{graph}: no graph file (run `kg build`, or give --graph FILE)")
    written = write_exports(load_graph(graph), out_dir, tuple(formats or FORMATS))
    if not quiet:
        for p in written:
            print(p)
    return EXIT_OK
