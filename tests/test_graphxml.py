"""kg.graphxml: the streamed GraphML and GEXF read back by networkx as the graph networkx's
own writers give (nodes, attributes with their types, edges with their keys)."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from kg.analytics import load_graph
from kg.export import export_edges, export_nodes, graph_for_export
from kg.graph import build_graph, write_graph
from kg.graphxml import write_gexf, write_graphml, xml_type
from kg.records import ArticleRecord

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def G(tmp_path_factory) -> nx.MultiDiGraph:
    out = tmp_path_factory.mktemp("graphxml")
    recs = json.loads((DATA / "records_corpus.json").read_text(encoding="utf-8"))
    write_graph(build_graph([ArticleRecord.from_dict(d) for d in recs]), out)
    return load_graph(out / "kg.nt")


def _same(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> None:
    assert list(a.nodes) == list(b.nodes)
    for n in a:
        assert a.nodes[n] == b.nodes[n], n
    assert type(a) is type(b)
    edges = (lambda g: sorted(g.edges(keys=True, data=True))) if a.is_multigraph() else (lambda g: sorted(
        (u, v, sorted(d.items())) for u, v, d in g.edges(data=True)))
    assert edges(a) == edges(b)


def test_graphml_reads_back_as_networkx_writes_it(G, tmp_path):
    H = graph_for_export(G)
    nx.write_graphml(H, tmp_path / "nx.graphml", encoding="utf-8", named_key_ids=True)
    write_graphml(export_nodes(G), export_edges(G), tmp_path / "kg.graphml")
    theirs = nx.read_graphml(tmp_path / "nx.graphml", force_multigraph=True)
    ours = nx.read_graphml(tmp_path / "kg.graphml", force_multigraph=True)
    assert ours.number_of_nodes() == G.number_of_nodes() and ours.number_of_edges() == G.number_of_edges()
    _same(ours, theirs)
    assert any(isinstance(v, bool) for _, d in ours.nodes(data=True) for v in d.values())
    assert any(isinstance(v, int) and not isinstance(v, bool) for _, d in ours.nodes(data=True) for v in d.values())


def test_gexf_reads_back_as_networkx_writes_it(G, tmp_path):
    H = graph_for_export(G)
    nx.write_gexf(H, tmp_path / "nx.gexf", encoding="utf-8")
    write_gexf(export_nodes(G), export_edges(G), tmp_path / "kg.gexf")
    _same(nx.read_gexf(tmp_path / "kg.gexf"), nx.read_gexf(tmp_path / "nx.gexf"))


def test_awkward_text_and_types(tmp_path):
    nodes = [("a&b", {"label": 'say "hi" <now>\n', "n": 1, "x": 2.5, "ok": True, "ocr": "bad\x07char"}),
             ("c", {"label": "c", "n": 2.0})]                    # n: long then double -> double
    edges = [("a&b", "c", "k<1>", {"label": "l&", "predicate": "p"}),
             ("a&b", "c", "k2", {"label": "m", "predicate": "p"})]
    write_graphml(nodes, edges, tmp_path / "g.graphml")
    write_gexf(nodes, edges, tmp_path / "g.gexf")
    g = nx.read_graphml(tmp_path / "g.graphml", force_multigraph=True)
    assert g.nodes["a&b"] == {"label": 'say "hi" <now>\n', "n": 1.0, "x": 2.5, "ok": True, "ocr": "badchar"}
    assert set(g["a&b"]["c"]) == {"k<1>", "k2"}
    x = nx.read_gexf(tmp_path / "g.gexf")
    assert x.nodes["a&b"]["label"] == 'say "hi" <now>\n' and x.nodes["a&b"]["ok"] is True
    assert x.nodes["c"]["n"] == 2.0 and x.number_of_edges() == 2
    assert [xml_type(v) for v in (True, 1, 1.0, "s")] == ["boolean", "long", "double", "string"]
    assert not list(tmp_path.glob(".*"))            # no scratch file left
