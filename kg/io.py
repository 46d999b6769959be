"""Atomic file output: every file the build writes appears whole or not at all.

A build killed at any moment leaves the previous output in place, because each file is
written to a temporary sibling, flushed, fsynced and renamed over the target
(``os.replace`` is atomic on POSIX within one filesystem).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_write", "write_text", "write_bytes", "write_json", "replace_dir"]


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success rename it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    binary = "b" in mode
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, encoding=None if binary else encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(path: str | os.PathLike, text: str) -> Path:
    with atomic_write(path, "w") as fh:
        fh.write(text)
    return Path(path)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    with atomic_write(path, "wb") as fh:
        fh.write(data)
    return Path(path)


def write_json(path: str | os.PathLike, obj: Any, **kw: Any) -> Path:
    """Write JSON (UTF-8, Chinese kept readable, keys sorted so output is byte-stable)."""
    kw.setdefault("ensure_ascii", False)
    kw.setdefault("indent", 2)
    kw.setdefault("sort_keys", True)
    return write_text(path, json.dumps(obj, **kw) + "\n")


def replace_dir(tmp_dir: str | os.PathLike, target: str | os.PathLike) -> Path:
    """Swap a fully written directory into place, keeping the old one until the swap is done."""
    tmp_dir, target = Path(tmp_dir), Path(target)
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(tmp_dir, target)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)
    return target
