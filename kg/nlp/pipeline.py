"""Assemble, cache and load the extraction pipeline.

The pipeline is described by ``config.cfg`` beside this module. The first call builds it
(pkuseg model from :mod:`kg.nlp.segmenter`, then ``nlp.initialize()``) and saves it with
``nlp.to_disk`` under ``<cache>/pipeline-<key>/``; later calls ``spacy.load`` it, which
constructs each component with the installed code. The saved directory's key hashes the
config and the lexicons (what ``to_disk`` captures). :func:`pipeline_version` hashes those
*and* the component sources: it keys cached extractions, so any change to the extractor
re-extracts.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
from importlib import resources
from pathlib import Path

import spacy
from spacy.language import Language

from kg import __version__
from kg.errors import PipelineError
from kg.nlp import doc as kgdoc
from kg.nlp.segmenter import _publish, cache_dir, pkuseg_model_dir

__all__ = ["load_pipeline", "pipeline_version", "pipeline_key", "build_pipeline", "config_path", "COMPONENT_MODULES"]

#: Modules that register the kg_* factories (also declared as spacy_factories entry points).
COMPONENT_MODULES = ("kg.nlp.ner", "kg.nlp.places", "kg.nlp.organizations", "kg.nlp.persons", "kg.nlp.programs",
                     "kg.nlp.outcomes", "kg.nlp.statistics", "kg.nlp.cases",
                     "kg.nlp.times")


def config_path() -> Path:
    return Path(str(resources.files("kg.nlp") / "config.cfg"))


def _register_components() -> None:
    import importlib

    kgdoc.ensure_extensions()
    for mod in COMPONENT_MODULES:
        importlib.import_module(mod)


def _hash_files(files: list[Path]) -> str:
    h = hashlib.sha256(__version__.encode())
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _data_files() -> list[Path]:
    """The lexicons and the trained model's files: what the saved pipeline captures."""
    pkg = Path(__file__).resolve().parent.parent
    files = [p for d in (pkg / "data", pkg / "models") for p in d.rglob("*")
             if p.is_file() and "__pycache__" not in p.parts
             and not p.name.startswith("synth_")]  # the benchmark generator's data, not the extractor's
    return sorted(files)


@functools.cache
def pipeline_key() -> str:
    """Hash of what the saved pipeline directory holds: the config and the lexicons."""
    return _hash_files([config_path(), *_data_files()])


@functools.cache
def pipeline_version() -> str:
    """A short hash of everything that decides what the pipeline extracts (config, lexicons, code)."""
    pkg = Path(__file__).resolve().parent
    srcs = sorted(pkg.glob("*.py")) + [pkg.parent / "normalize.py", pkg.parent / "records.py"]
    return _hash_files([config_path(), *_data_files(), *(p for p in srcs if p.exists())])


def build_pipeline(target: Path | None = None) -> Path:
    """Build the pipeline from ``config.cfg`` and save it to ``target`` (atomically)."""
    _register_components()
    target = target or cache_dir() / f"pipeline-{pipeline_key()}"
    config = spacy.util.load_config(config_path())
    config["initialize"]["tokenizer"]["pkuseg_model"] = str(pkuseg_model_dir())
    try:
        nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
        nlp.initialize()
    except Exception as e:  # spaCy raises many kinds of errors here
        raise PipelineError(f"{config_path()}: cannot build the pipeline: {e}") from e
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    nlp.to_disk(tmp)
    _publish(tmp, target, ready="config.cfg")
    return target


def load_pipeline(path: str | os.PathLike | None = None) -> Language:
    """Load the extraction pipeline, building it into the cache on first use."""
    _register_components()
    target = Path(path) if path else cache_dir() / f"pipeline-{pipeline_key()}"
    if not (target / "config.cfg").exists():
        build_pipeline(target)
    try:
        return spacy.load(target)
    except Exception as e:
        raise PipelineError(f"{target}: cannot load the pipeline ({e}); delete it to rebuild") from e
