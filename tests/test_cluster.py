"""kg build --cluster: extraction on a real Dask cluster started by the tests (a scheduler and
workers as processes, or ``local:N``); the graph byte-identical to the local build; a worker
killed in the middle of a batch; a scheduler that goes away."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.build import build
from kg.cluster import ClusterError, ClusterExecutor, batch_size, parse_cluster
from kg.errors import KGError

pytest.importorskip("distributed")

GRAPH_FILES = ("kg.nt", "kg.ttl", "kg.jsonld")


# -- fast ---------------------------------------------------------------------------------

def test_parse_cluster():
    assert parse_cluster("local:3") == ("local", 3)
    assert parse_cluster("local") == ("local", 2)
    assert parse_cluster("tcp://10.0.0.5:8786") == ("address", "tcp://10.0.0.5:8786")
    assert parse_cluster("scheduler.lan:8786") == ("address", "scheduler.lan:8786")
    for bad in ("local:0", "local:x", "http://", "nowhere", ""):
        with pytest.raises(KGError):
            parse_cluster(bad)


def test_batch_size_spreads_the_work_and_is_bounded():
    assert batch_size(5, 2) == 1
    assert batch_size(1000, 2) == 16           # capped: a task stays a few seconds
    assert batch_size(160, 2) == 10            # eight tasks a worker
    assert batch_size(0, 4) == 1


def test_workers_and_cluster_together_are_refused(tmp_path):
    with pytest.raises(KGError, match="not both"):
        build(corpus="corpus", out=tmp_path / "out", workers=2, cluster="local:2", quiet=True)


_FAULTS_SCRIPT = """
import resource, sys
import numpy as np
from kg.cluster import _usual_malloc

def faults():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(50):
        a = np.ones(500_000)        # 4 MB, freed again: as the NER model's arrays
        del a
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

faults()
dask_default = faults()
changed = _usual_malloc()
print(dask_default, changed, faults())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_usual_malloc_stops_the_page_faults_of_dask_trim_threshold():
    env = {**os.environ, "MALLOC_TRIM_THRESHOLD_": "65536", "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    out = subprocess.run([sys.executable, "-c", _FAULTS_SCRIPT], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    dask_default, changed, after = int(out[0]), out[1], int(out[2])
    assert changed == "True"
    assert dask_default > 10_000          # every 4 MB array mapped and faulted in again (~1,000 pages)
    assert after < dask_default / 10      # reused from the heap
    # without the variable, glibc's own thresholds stand and nothing is changed
    env.pop("MALLOC_TRIM_THRESHOLD_")
    out = subprocess.run([sys.executable, "-c", _FAULTS_SCRIPT], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[1] == "False" and int(out[0]) < dask_default / 10


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_scheduler_is_one_line_and_keeps_nothing(tmp_path, monkeypatch, capsys):
    import kg.cluster
    from kg.cli import main

    monkeypatch.setattr(kg.cluster, "_CONNECT_TIMEOUT_S", 1)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(sorted(Path("corpus").glob("*.txt"))[0], corpus)
    address = f"tcp://127.0.0.1:{_free_port()}"
    code = main(["build", "-q", "--no-views", "--corpus", str(corpus), "--out", str(tmp_path / "out"),
                 "--cluster", address])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[-1].startswith(f"kg build: cannot reach the Dask scheduler at {address}")
    assert not list((tmp_path / "out").glob(".build-*")) and not (tmp_path / "out" / "kg.nt").exists()


# -- a real cluster ------------------------------------------------------------------------

def _start(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})})


def _wait_workers(address: str, n: int, timeout: float = 120) -> None:
    from distributed import Client

    with Client(address, timeout=30, set_as_default=False) as c:
        c.wait_for_workers(n, timeout=timeout)


@pytest.fixture
def scheduler():
    """A Dask scheduler on a free port of 127.0.0.1: (address, process)."""
    port = _free_port()
    proc = _start(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port),
                   "--dashboard-address", ":0"])
    address = f"tcp://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.2)
    procs = [proc]
    yield address, procs
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.wait()


def _worker(address: str, procs: list, env: dict[str, str] | None = None) -> subprocess.Popen:
    p = _start(["distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny",
                "--dashboard-address", ":0"], env)
    procs.append(p)
    return p


def _graph_bytes(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in GRAPH_FILES}


@pytest.mark.slow
def test_local_cluster_build_is_byte_identical_and_rejects_like_local(built_output, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree("corpus", corpus)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 8)
    report = build(corpus=corpus, out=tmp_path / "out", cluster="local:2", views=False, quiet=True)
    assert _graph_bytes(tmp_path / "out") == _graph_bytes(built_output)
    assert report.exit_code == 3
    assert sorted(i.file for i in report.rejected) == ["binary.txt", "empty.txt"]
    assert all(i.reason for i in report.rejected)
    assert len(report.built) == 5 and report.cache["extracted"] == 5 and report.cache["hits"] == 0
    assert report.cluster["workers"] == 2 and report.cluster["batches"] >= 2
    written = json.loads((tmp_path / "out" / "build-report.json").read_text(encoding="utf-8"))
    assert written["cluster"]["cluster"] == "local:2"
    # the workers wrote the cache: a local rebuild extracts nothing
    again = build(corpus=corpus, out=tmp_path / "out", views=False, quiet=True)
    assert again.cache["hits"] == 5 and again.cache["extracted"] == 0


@pytest.mark.slow
def test_local_cluster_workers_run_without_profiler_or_trim_threshold():
    before = {k: os.environ.get(k) for k in ("MALLOC_TRIM_THRESHOLD_", "OMP_NUM_THREADS", "PYTHONHASHSEED")}
    with ClusterExecutor("local:2") as ex:
        client = ex.connect()
        seen = client.run(lambda dask_worker: (os.environ.get("MALLOC_TRIM_THRESHOLD_"),
                                               "profile" in dask_worker.periodic_callbacks))
        assert len(seen) == 2 and set(seen.values()) == {(None, False)}
    # the nannies exported their variables into this process: put back
    assert {k: os.environ.get(k) for k in before} == before


@pytest.mark.slow
def test_worker_killed_mid_batch_its_articles_run_elsewhere(built_output, scheduler, tmp_path):
    address, procs = scheduler
    doomed = _worker(address, procs, env={"KG_FAULT": "cluster_batch:1"})   # dies after its first article
    _worker(address, procs)
    _wait_workers(address, 2)
    report = build(corpus="corpus", out=tmp_path / "out", cluster=address, cluster_batch=2, views=False,
                   quiet=True)
    assert doomed.wait(timeout=5) == -9, "the worker was not killed mid-batch: nothing was tested"
    assert [i.status for i in report.inputs] == ["built"] * 5
    assert report.cache["extracted"] == 5            # each article counted once
    assert report.cluster["worker_deaths_rejected"] == 0
    assert _graph_bytes(tmp_path / "out") == _graph_bytes(built_output)


@pytest.mark.slow
def test_scheduler_gone_mid_build_is_one_line_and_keeps_the_previous_output(built_output, scheduler, tmp_path,
                                                                           capfd):
    from distributed import Client

    address, procs = scheduler
    out = tmp_path / "out"
    # the previous output: a local build from the extraction cache of the shared build
    build(corpus="corpus", out=out, cache_dir=built_output / "cache", views=False, shacl=False, quiet=True)
    before = _graph_bytes(out)
    current = os.readlink(out / ".current")
    _worker(address, procs)
    _wait_workers(address, 1)
    error: list[BaseException] = []

    def run():
        try:        # a fresh cache, so every article goes to the cluster, in one task
            build(corpus="corpus", out=out, cache_dir=tmp_path / "cache", cluster=address, cluster_batch=5,
                  views=False, quiet=True)
        except BaseException as e:     # noqa: BLE001 (reported by the assertions)
            error.append(e)

    import threading

    t = threading.Thread(target=run)
    with Client(address, timeout=30, set_as_default=False) as watcher:
        t.start()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not any(watcher.processing().values()):
            time.sleep(0.05)
        assert any(watcher.processing().values()), "no task reached the cluster"
        procs[0].kill()                  # the scheduler goes away while the batch runs
    t.join(timeout=120)
    assert not t.is_alive()
    assert len(error) == 1 and isinstance(error[0], ClusterError), error
    message = str(error[0])
    assert "\n" not in message and message.startswith(f"lost the Dask scheduler at {address}")
    assert "Traceback" not in capfd.readouterr().err        # Dask's own logging is kept quiet
    assert _graph_bytes(out) == before and os.readlink(out / ".current") == current
    assert [p.name for p in out.glob(".build-*")] == [current]      # the failed build's directory is gone


@pytest.mark.slow
def test_executor_connects_only_when_something_is_extracted(built_output, tmp_path):
    """Everything in the cache: the cluster is never contacted (here: not even reachable)."""
    ex = ClusterExecutor(f"tcp://127.0.0.1:{_free_port()}")
    report = build(corpus="corpus", out=tmp_path / "out", cache_dir=built_output / "cache", cluster=ex.spec,
                   views=False, shacl=False, quiet=True)
    assert report.cache["hits"] == 5 and report.cluster == {"cluster": ex.spec}
