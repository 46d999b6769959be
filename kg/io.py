"""Atomic output: every file and directory the build writes appears whole or not at all.

Files are written to a temporary sibling, flushed, fsynced and renamed over the target
(``os.replace`` is atomic on POSIX within one filesystem), so a reader sees either the
old file or the new one, never a torn one.

Directories (``output/store``, ``output/cases``, ``output/extractions``) cannot be renamed
over a non-empty directory, so :func:`replace_dir` makes the visible name a *symlink* to a
versioned sibling (``output/.store.v-<token>``) and swaps the link with one ``os.replace``:
the name always resolves to a complete directory, the previous one until the swap and the
new one after. (On a filesystem without symlinks it falls back to two renames with a
window of a few microseconds in which the name is missing.)

:func:`fault_point` is the hook the reliability tests use to kill a build at a chosen,
deterministic moment (``KG_FAULT=extract:3`` sends SIGKILL to the process on the third
time it passes the ``extract`` point). It costs one dictionary lookup when unset.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_write", "write_text", "write_bytes", "write_json", "replace_dir", "remove_path",
           "place_version", "link_dir",
           "fsync_dir", "fault_point", "FAULT_ENV"]

#: Environment variable naming fault points, ``name[:N]`` separated by commas.
FAULT_ENV = "KG_FAULT"
_fault_counts: dict[str, int] = {}


def fault_point(name: str) -> None:
    """Kill this process with SIGKILL on the N-th pass through point ``name`` when
    ``$KG_FAULT`` asks for it (``name`` or ``name:N``, N defaults to 1). For tests only."""
    spec = os.environ.get(FAULT_ENV)
    if not spec:
        return
    for item in spec.split(","):
        point, _, nth = item.strip().partition(":")
        if point != name:
            continue
        _fault_counts[name] = _fault_counts.get(name, 0) + 1
        if _fault_counts[name] == int(nth or 1):
            os.kill(os.getpid(), signal.SIGKILL)


def fsync_dir(path: str | os.PathLike) -> None:
    """Flush a directory entry (so a rename inside it survives a power cut)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


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
        fault_point("write")          # tests: die with the new file written but not yet in place
        os.chmod(tmp, 0o644 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: str | os.PathLike, text: str) -> Path:
    with atomic_write(path, "w") as fh:
        fh.write(text)
    return Path(path)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    with atomic_write(path, "wb") as fh:
        fh.write(data)
    return Path(path)


def json_text(obj: Any, **kw: Any) -> str:
    """JSON as :func:`write_json` writes it."""
    kw.setdefault("ensure_ascii", False)
    kw.setdefault("indent", 2)
    kw.setdefault("sort_keys", True)
    return json.dumps(obj, **kw) + "\n"


def write_json(path: str | os.PathLike, obj: Any, **kw: Any) -> Path:
    """Write JSON (UTF-8, Chinese kept readable, keys sorted so output is byte-stable)."""
    return write_text(path, json_text(obj, **kw))


def write_or_link(path: str | os.PathLike, data: bytes, previous: str | os.PathLike | None) -> Path:
    """Write ``data`` to ``path`` atomically, or hard-link the file ``previous`` when it holds
    the same bytes (an unchanged article's record and text in the next build: no write, no
    fsync). Written files are never modified in place, so a link is as good as a copy."""
    path = Path(path)
    if previous is not None:
        try:
            if os.path.getsize(previous) == len(data) and Path(previous).read_bytes() == data:
                path.parent.mkdir(parents=True, exist_ok=True)
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
                os.link(previous, path)
                return path
        except OSError:
            pass
    return write_bytes(path, data)


def remove_path(path: str | os.PathLike) -> None:
    """Remove a file, a symlink (and the versioned directory it points to) or a directory."""
    path = Path(path)
    if path.is_symlink():
        target = path.parent / os.readlink(path)
        path.unlink()
        if target.parent == path.parent and target.name.startswith(f".{path.name}.v-"):
            shutil.rmtree(target, ignore_errors=True)
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        path.unlink()


def place_version(src: str | os.PathLike, target: str | os.PathLike, token: str | None = None) -> Path:
    """Move the directory ``src`` beside ``target`` as ``.<name>.v-<token>``, not yet linked
    (first half of :func:`replace_dir`; the build commits in two phases with it)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    version = target.parent / f".{target.name}.v-{token or secrets.token_hex(6)}"
    if version.exists():
        shutil.rmtree(version)
    os.replace(src, version)
    return version


def link_dir(version: str | os.PathLike, target: str | os.PathLike) -> Path:
    """Point ``target`` at the placed directory ``version`` with one atomic symlink swap,
    then delete versions no longer linked (second half of :func:`replace_dir`)."""
    version, target = Path(version), Path(target)
    parent = target.parent
    link = parent / f".{target.name}.link-{secrets.token_hex(6)}"
    try:
        os.symlink(version.name, link, target_is_directory=True)
    except (OSError, NotImplementedError):        # no symlinks here: two renames
        return _replace_dir_by_rename(version, target)
    if target.exists() and not target.is_symlink():
        # first swap over a real directory (an older layout): move it aside, then link.
        old = parent / f".{target.name}.old"
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
        os.replace(link, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(link, target)
    fsync_dir(parent)
    _prune_versions(target)
    return target


def replace_dir(tmp_dir: str | os.PathLike, target: str | os.PathLike) -> Path:
    """Swap the fully written directory ``tmp_dir`` in at ``target`` atomically.

    ``target`` becomes a relative symlink to ``.<name>.v-<token>`` beside it; the swap is one
    ``os.replace`` of the link, so ``target`` always names a complete directory. Versions no
    longer linked are removed afterwards. ``tmp_dir`` must be on the same filesystem.
    """
    return link_dir(place_version(tmp_dir, target), target)


def _replace_dir_by_rename(new: Path, target: Path) -> Path:
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def _prune_versions(target: Path) -> None:
    """Delete ``.<name>.v-*`` siblings that ``target`` no longer links to (left by earlier swaps
    or by a build killed between writing a version and linking it)."""
    current = os.readlink(target) if target.is_symlink() else None
    stale = [*target.parent.glob(f".{target.name}.v-*"), *target.parent.glob(f".{target.name}.link-*")]
    for p in stale:
        if p.name == current:
            continue
        if p.is_symlink() or p.is_file():
            with contextlib.suppress(OSError):
                p.unlink()
        else:
            shutil.rmtree(p, ignore_errors=True)
