"""The ``kg`` command: documented exit statuses and one-line errors, never a traceback.

0 success; 3 the build finished but some inputs were rejected; 2 usage or input error
(missing corpus, unwritable output, malformed query, port in use); 1 internal error.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from kg.cli import main
from kg.errors import EXIT_OK, EXIT_REJECTED, EXIT_USAGE

ROOT = Path(__file__).resolve().parents[1]


def _one_line_error(capsys, command: str) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"kg {command}: ")
    assert "Traceback" not in err
    return lines[0]


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == EXIT_USAGE
    assert "build" in capsys.readouterr().out


def test_every_command_has_help():
    for cmd in ("build", "query", "serve", "analyze", "eval", "bench", "ner-data"):
        with pytest.raises(SystemExit) as ei:
            main([cmd, "--help"])
        assert ei.value.code == 0


def test_missing_corpus(tmp_path, capsys):
    missing = tmp_path / "no-such-corpus"
    assert main(["build", "--corpus", str(missing), "--out", str(tmp_path / "out")]) == EXIT_USAGE
    assert _one_line_error(capsys, "build") == f"kg build: {missing}: no such corpus directory"


def test_unwritable_output_directory(tmp_path, capsys):
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("吴玉兰在扶贫车间务工。", encoding="utf-8")
    out = tmp_path / "afile" / "out"
    assert main(["build", "--corpus", str(corpus), "--out", str(out)]) == EXIT_USAGE
    line = _one_line_error(capsys, "build")
    assert str(out) in line and "cannot write to the output directory" in line


@pytest.fixture
def unwritable_dir(tmp_path):
    """A directory this process may not create files in (a read-only mode for a user; for
    root, who ignores modes, a path under /sys, where even root may not create anything)."""
    if os.geteuid() != 0:
        d = tmp_path / "ro"
        d.mkdir()
        d.chmod(0o500)
        yield d / "out"
        d.chmod(0o700)
    elif Path("/sys").is_dir():
        yield Path("/sys") / f"kg-test-out-{os.getpid()}"
    else:
        pytest.skip("no unwritable directory for root here")


def test_read_only_output_directory(unwritable_dir, capsys):
    assert main(["build", "--corpus", str(ROOT / "corpus"), "--out", str(unwritable_dir)]) == EXIT_USAGE
    line = _one_line_error(capsys, "build")
    assert line.startswith(f"kg build: {unwritable_dir}: cannot write to the output directory")
    assert not unwritable_dir.exists()


def test_bad_workers_value(tmp_path, capsys):
    assert main(["build", "--corpus", str(ROOT / "corpus"), "--out", str(tmp_path), "--workers", "0"]) == EXIT_USAGE
    assert "--workers" in _one_line_error(capsys, "build")


def test_query_needs_text_or_file(capsys):
    pytest.importorskip("kg.store")
    assert main(["query"]) == EXIT_USAGE
    _one_line_error(capsys, "query")


def test_missing_query_file(tmp_path, capsys):
    pytest.importorskip("kg.store")
    assert main(["query", "-f", str(tmp_path / "nope.rq")]) == EXIT_USAGE
    assert "no such query file" in _one_line_error(capsys, "query")


# -- against a small store (needs kg.store) --------------------------------------------------

TTL = """@prefix fp: <https://w3id.org/fupin-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/fupin-kg/resource/person/x> a fp:Person ; rdfs:label "吴玉兰"@zh .
"""


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    store_mod = pytest.importorskip("kg.store")
    d = tmp_path_factory.mktemp("store")
    (d / "kg.ttl").write_text(TTL, encoding="utf-8")
    store_mod.build_store(d / "kg.ttl", d / "store")
    return d / "store"


def test_query_ok(small_store, capsys):
    code = main(["query", "--store", str(small_store), "--format", "json",
                 "PREFIX fp: <https://w3id.org/fupin-kg/ontology#> SELECT ?p WHERE { ?p a fp:Person }"])
    assert code == EXIT_OK
    assert "person/x" in capsys.readouterr().out


def test_malformed_query(small_store, capsys):
    assert main(["query", "--store", str(small_store), "SELECT ?x WHERE { ?x"]) == EXIT_USAGE
    line = _one_line_error(capsys, "query")
    assert any(w in line.lower() for w in ("line", "column", "position", "offset")), line


def test_query_without_a_store(tmp_path, capsys):
    pytest.importorskip("kg.store")
    assert main(["query", "--store", str(tmp_path / "none"), "SELECT * WHERE { ?s ?p ?o }"]) == EXIT_USAGE
    _one_line_error(capsys, "query")


def test_port_in_use(small_store, capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["serve", "--store", str(small_store), "--port", str(port)]) == EXIT_USAGE
    line = _one_line_error(capsys, "serve")
    assert str(port) in line


# -- as a user runs it: a separate process --------------------------------------------------

def _kg(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


def test_subprocess_missing_corpus_has_no_traceback(tmp_path):
    proc = _kg("build", "--corpus", str(tmp_path / "missing"), "--out", str(tmp_path / "out"))
    assert proc.returncode == EXIT_USAGE
    assert proc.stderr.strip() == f"kg build: {tmp_path / 'missing'}: no such corpus directory"


def test_subprocess_usage_error_exits_2(tmp_path):
    proc = _kg("build", "--workers", "many")
    assert proc.returncode == EXIT_USAGE
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_build_with_bad_inputs_exits_3_and_lists_every_input(tmp_path):
    """Issue 2's done-when: seeds mixed with bad files build the good ones, name every input."""
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus, ignore=shutil.ignore_patterns("*.json", "*.csv", "*.md"))
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (corpus / "page.txt").write_text("<!DOCTYPE html><html><head><title>x</title></head><body>扶贫</body></html>",
                                     encoding="utf-8")
    out = tmp_path / "out"
    proc = _kg("build", "--corpus", str(corpus), "--out", str(out), "-q")
    assert proc.returncode == EXIT_REJECTED, proc.stderr
    assert "Traceback" not in proc.stderr
    bad = {"empty.txt", "binary.txt", "page.txt"}
    lines = [line for line in proc.stderr.splitlines() if line.startswith(str(corpus))]
    assert sorted(Path(line.split(": ", 1)[0]).name for line in lines) == sorted(bad)   # one line each
    report = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
    status = {i["file"]: i["status"] for i in report["inputs"]}
    assert status == {**{p.name: "built" for p in (ROOT / "corpus").glob("*.txt")}, **dict.fromkeys(bad, "rejected")}
    assert all(i["reason"] for i in report["inputs"] if i["status"] == "rejected")
