"""Locate the data that ships with the package (ontology, queries, lexicons, templates)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["ontology_dir", "queries_dir", "data_dir", "templates_dir", "data_file"]


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
