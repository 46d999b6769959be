"""kg.io: atomic files, atomic directory swaps, and the fault hook the reliability tests use."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kg import io


def test_write_text_replaces_whole_file_and_leaves_no_temp(tmp_path: Path):
    p = tmp_path / "sub" / "kg.ttl"
    io.write_text(p, "旧\n")
    io.write_text(p, "新的内容\n")
    assert p.read_text(encoding="utf-8") == "新的内容\n"
    assert sorted(x.name for x in p.parent.iterdir()) == ["kg.ttl"]
    assert p.stat().st_mode & 0o044, "output files are readable by others (not mkstemp's 0600)"


def test_failed_write_keeps_the_old_file(tmp_path: Path):
    p = tmp_path / "report.json"
    io.write_json(p, {"n": 1})
    with pytest.raises(RuntimeError), io.atomic_write(p) as fh:
        fh.write('{"n": 2, "trunc')
        raise RuntimeError("disk full")
    assert json.loads(p.read_text(encoding="utf-8")) == {"n": 1}
    assert [x.name for x in tmp_path.iterdir()] == ["report.json"]


def test_write_json_is_byte_stable_and_readable_chinese(tmp_path: Path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    io.write_json(a, {"z": 1, "name": "何埂镇"})
    io.write_json(b, {"name": "何埂镇", "z": 1})
    assert a.read_bytes() == b.read_bytes()
    assert "何埂镇" in a.read_text(encoding="utf-8")


def _make_dir(path: Path, content: str) -> Path:
    path.mkdir(parents=True)
    (path / "data.txt").write_text(content, encoding="utf-8")
    return path


def test_replace_dir_swaps_a_symlink_and_prunes_old_versions(tmp_path: Path):
    target = tmp_path / "store"
    io.replace_dir(_make_dir(tmp_path / "tmp1", "one"), target)
    assert target.is_symlink() and (target / "data.txt").read_text(encoding="utf-8") == "one"
    first = os.readlink(target)
    io.replace_dir(_make_dir(tmp_path / "tmp2", "two"), target)
    assert (target / "data.txt").read_text(encoding="utf-8") == "two"
    assert os.readlink(target) != first
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["store", os.readlink(target)])


def test_replace_dir_over_a_real_directory(tmp_path: Path):
    target = _make_dir(tmp_path / "cases", "old layout")
    io.replace_dir(_make_dir(tmp_path / "new", "new"), target)
    assert (target / "data.txt").read_text(encoding="utf-8") == "new"
    assert not (tmp_path / ".cases.old").exists()


def test_replace_dir_keeps_old_until_the_link_swaps(tmp_path: Path):
    """place_version (phase 1) never disturbs what the name points at."""
    target = tmp_path / "store"
    io.replace_dir(_make_dir(tmp_path / "a", "old"), target)
    version = io.place_version(_make_dir(tmp_path / "b", "new"), target, "x1")
    assert (target / "data.txt").read_text(encoding="utf-8") == "old"
    io.link_dir(version, target)
    assert (target / "data.txt").read_text(encoding="utf-8") == "new"


def test_remove_path_removes_link_and_its_version(tmp_path: Path):
    target = tmp_path / "store"
    io.replace_dir(_make_dir(tmp_path / "a", "x"), target)
    io.remove_path(target)
    assert list(tmp_path.iterdir()) == []
    io.remove_path(tmp_path / "missing")  # no error


def test_fault_point_is_inert_without_the_variable(monkeypatch):
    monkeypatch.delenv(io.FAULT_ENV, raising=False)
    for _ in range(3):
        io.fault_point("write")


def test_fault_point_kills_on_the_nth_pass(tmp_path: Path):
    """KG_FAULT=write:2 kills the writer with the second file written but not renamed: the
    first file is complete, the target of the second keeps its old content."""
    (tmp_path / "b.txt").write_text("old", encoding="utf-8")
    code = ("from kg import io; import sys; d = sys.argv[1]\n"
            "io.write_text(d + '/a.txt', 'A')\n"
            "io.write_text(d + '/b.txt', 'B')\n"
            "print('not reached')\n")
    env = {**os.environ, io.FAULT_ENV: "write:2"}
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path)], env=env, capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL
    assert "not reached" not in proc.stdout
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "A"
    assert (tmp_path / "b.txt").read_text(encoding="utf-8") == "old"


def test_write_or_link_links_only_the_same_bytes(tmp_path):
    from kg.io import write_or_link

    prev = tmp_path / "prev" / "a.json"
    prev.parent.mkdir()
    prev.write_bytes("记录 1\n".encode())
    same = write_or_link(tmp_path / "new" / "a.json", "记录 1\n".encode(), prev)
    assert same.read_bytes() == prev.read_bytes() and same.stat().st_ino == prev.stat().st_ino
    other = write_or_link(tmp_path / "new" / "b.json", "记录 2\n".encode(), prev)
    assert other.read_bytes() == "记录 2\n".encode() and other.stat().st_ino != prev.stat().st_ino
    assert prev.read_bytes() == "记录 1\n".encode()                    # the previous file is untouched
    gone = write_or_link(tmp_path / "new" / "c.json", b"x", tmp_path / "missing.json")
    assert gone.read_bytes() == b"x"
    assert write_or_link(tmp_path / "new" / "d.json", b"y", None).read_bytes() == b"y"
