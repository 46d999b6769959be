"""kg push: the build into a real, writable ``oxigraph serve`` started on 127.0.0.1 by the
test; the example queries answer there with the same rows as ``kg query``; pushing again
sends only the changed articles' graphs, removes a dropped article's, and repairs a graph
the store lost."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from kg.errors import KGError
from kg.push import GRAPH_NS, SHARED_GRAPH, article_graph, graph_store_url, manifest_path, partition, push
from kg.store import ONTOLOGY_GRAPH, _json_term, oxigraph_binary, query

QUERIES = sorted((Path(__file__).resolve().parents[1] / "queries").glob("*.rq"))


def test_graph_store_url():
    assert graph_store_url("http://h:7878/query", None) == "http://h:7878/store"
    assert graph_store_url("http://h:3030/ds/sparql", "http://h:3030/ds/data") == "http://h:3030/ds/data"
    with pytest.raises(KGError, match="--graph-store"):
        graph_store_url("http://h:3030/ds", None)


@pytest.mark.slow
def test_partition_covers_the_graph_once(built_output):
    from kg.push import _build_dir

    graphs = partition(_build_dir(built_output))
    data = Counter((built_output / "kg.nt").read_text(encoding="utf-8").splitlines(keepends=True))
    ontology = set(graphs.pop(ONTOLOGY_GRAPH).decode().splitlines(keepends=True))
    from kg.summary import SUMMARY_GRAPH

    summary = graphs.pop(SUMMARY_GRAPH).decode()          # the summary triples ride along, apart
    assert "ontology#within>" in summary and not set(summary.splitlines(keepends=True)) & set(data)
    pieces = Counter(line for body in graphs.values() for line in body.decode().splitlines(keepends=True))
    # data graphs + ontology = kg.nt + ontology, each line once
    assert not set(pieces) & ontology
    assert max(pieces.values()) == 1
    assert set(pieces) | (set(data) & ontology) == set(data)
    articles = [g for g in graphs if g.startswith(GRAPH_NS + "article/")]
    assert len(articles) == 5 and SHARED_GRAPH in graphs
    assert all(graphs[g] for g in articles)
    # an article's graph holds its own cases, not another article's
    for g in articles:
        fn = urllib.parse.unquote(g.rsplit("/", 1)[1])
        for line in graphs[g].decode().splitlines():
            if "/resource/case/" in line.split(" ", 1)[0]:
                assert f"/resource/case/{fn}/" in line.split(" ", 1)[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def oxigraph_server(tmp_path):
    """A writable Oxigraph server (union default graph) on a free port: its /query URL."""
    port = _free_port()
    proc = subprocess.Popen([str(oxigraph_binary()), "serve", "--location", str(tmp_path / "db"),
                             "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}/query"
    proc.terminate()
    proc.wait(timeout=10)


def _norm(term: dict) -> tuple:
    return (term["type"], term["value"], term.get("datatype", ""), term.get("xml:lang", ""))


def _remote_rows(endpoint: str, text: str) -> Counter:
    req = urllib.request.Request(endpoint, data=urllib.parse.urlencode({"query": text}).encode(), method="POST",
                                 headers={"Accept": "application/sparql-results+json",
                                          "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        res = json.loads(resp.read())
    names = res["head"]["vars"]
    return Counter(tuple(_norm(b[v]) if v in b else None for v in names) for b in res["results"]["bindings"])


def _local_rows(store: Path, text: str) -> Counter:
    res = query(store, text)
    return Counter(tuple(_norm(_json_term(t)) if t is not None else None for t in row) for row in res.rows)


def _assert_same_answers(out: Path, endpoint: str) -> None:
    assert len(QUERIES) >= 12
    answered = 0
    for q in QUERIES:
        text = q.read_text(encoding="utf-8")
        local = _local_rows(out / "store", text)
        answered += bool(local)
        assert _remote_rows(endpoint, text) == local, q.name
    assert answered >= 10, "most queries have no rows locally: the comparison would prove little"


@pytest.mark.slow
def test_push_answers_like_kg_query_and_sends_only_changes(built_output, oxigraph_server, tmp_path):
    from kg.bench import change_article
    from kg.build import build
    from kg.summary import SUMMARY_GRAPH

    endpoint = oxigraph_server
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    shutil.copytree("corpus", corpus)
    shutil.copytree(built_output / "cache", out / "cache")        # unchanged articles are not extracted again
    build(corpus=corpus, out=out, views=False, shacl=False, quiet=True)

    first = push(out, endpoint)
    assert first.graphs == 8 and len(first.replaced) == 8 and first.unchanged == 0   # 5 articles, shared, ontology, summary
    _assert_same_answers(out, endpoint)
    assert manifest_path(out, graph_store_url(endpoint, None)).is_file()

    again = push(out, endpoint)
    assert again.replaced == [] and again.unchanged == 8 and again.triples_sent == 0

    changed = change_article(corpus)
    build(corpus=corpus, out=out, views=False, shacl=False, quiet=True)
    third = push(out, endpoint)
    assert article_graph(changed.name) in third.replaced
    assert set(third.replaced) <= {article_graph(changed.name), SHARED_GRAPH, SUMMARY_GRAPH}
    assert third.unchanged >= 5
    _assert_same_answers(out, endpoint)

    dropped = sorted(corpus.glob("*.txt"))[0]
    dropped.unlink()
    build(corpus=corpus, out=out, views=False, shacl=False, quiet=True)
    fourth = push(out, endpoint)
    assert fourth.removed == [article_graph(dropped.name)]
    _assert_same_answers(out, endpoint)

    # a graph the store lost behind our back is sent again, though the manifest lists it
    lost = article_graph(sorted(corpus.glob("*.txt"))[0].name)
    store = graph_store_url(endpoint, None)
    urllib.request.urlopen(urllib.request.Request(f"{store}?graph={urllib.parse.quote(lost, safe='')}",
                                                  method="DELETE"), timeout=30).close()
    fifth = push(out, endpoint)
    assert fifth.replaced == [lost]
    _assert_same_answers(out, endpoint)


def test_push_without_a_build_or_a_store_is_one_line(tmp_path):
    with pytest.raises(KGError, match="no build here"):
        push(tmp_path, "http://127.0.0.1:9/query")
