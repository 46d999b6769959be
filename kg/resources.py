"""Locate the data that ships with the package (ontology, queries, lexicons, templates)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["ontology_dir", "queries_dir", "data_dir", "templates_dir", "data_file", "quiet_import"]


def _dir(package: str) -> Path:
    return Path(str(resources.files(package)))


def ontology_dir() -> Path:
    return _dir("kg.ontology")


def queries_dir() -> Path:
    return _dir("kg.queries")


def data_dir() -> Path:
    return _dir("kg.data")


def templates_dir() -> Path:
    return _dir("kg.templates")


def data_file(name: str) -> Path:
    """A lexicon file under kg/data; raises FileNotFoundError naming it when missing."""
    p = data_dir() / name
    if not p.exists():
        raise FileNotFoundError(f"{p}: lexicon file missing from the installed package")
    return p


def quiet_import(name: str):
    """Import a module that prints a banner to stdout on import (jionlp, jiojio), silently,
    so that `kg query --format csv` output and quiet builds stay clean."""
    import contextlib
    import importlib
    import io
    import sys

    if name in sys.modules:
        return sys.modules[name]
    with contextlib.redirect_stdout(io.StringIO()):
        return importlib.import_module(name)
