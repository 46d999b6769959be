"""Provision the pkuseg CTB8 segmentation model offline.

spaCy's trained Chinese pipelines cannot be installed here, but the ``pkuseg==0.0.12``
wheel ships a CTB8-trained model in pkuseg's old text format under
``pkuseg/models/ctb8/``. ``spacy_pkuseg`` converts it on first load and writes the
converted files into the model directory, so we copy it into our cache first and never
touch site-packages.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from kg.errors import PipelineError

__all__ = ["cache_dir", "pkuseg_model_dir"]


def cache_dir() -> Path:
    """The project's cache (``$KG_CACHE_DIR``, else ``$XDG_CACHE_HOME/fupin-kg``, else ``~/.cache/fupin-kg``)."""
    env = os.environ.get("KG_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "fupin-kg"


def _shipped_model() -> Path:
    try:
        import pkuseg  # noqa: PLC0415  (only needed once, to find the model files)
    except ImportError as e:  # pragma: no cover - dependency is declared
        raise PipelineError("the pkuseg package (which carries the CTB8 model) is not installed") from e
    src = Path(pkuseg.__file__).parent / "models" / "ctb8"
    if not (src / "model.txt").exists():
        raise PipelineError(f"{src}: the pkuseg CTB8 model is missing from the installed pkuseg wheel")
    return src


def pkuseg_model_dir() -> Path:
    """A private, converted copy of the CTB8 model, ready for ``initialize(pkuseg_model=...)``."""
    target = cache_dir() / "pkuseg-ctb8"
    if (target / "features.msgpack").exists() and (target / "weights.npz").exists():
        return target
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(_shipped_model(), tmp, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    import spacy_pkuseg  # noqa: PLC0415

    spacy_pkuseg.pkuseg(model_name=str(tmp))  # converts the old text format in place
    _publish(tmp, target, ready="weights.npz")
    return target


def _publish(tmp: Path, target: Path, ready: str) -> None:
    """Move a fully written cache directory into place without ever removing a live one:
    when another process published ``target`` first, keep theirs and drop ours."""
    if not (target / ready).exists():
        try:
            os.replace(tmp, target)  # atomic; fails when target exists (non-empty directory)
            return
        except OSError:  # another process won the race
            pass
    shutil.rmtree(tmp, ignore_errors=True)
