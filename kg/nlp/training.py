"""``kg train``: train the ``kg_ner`` model from annotated sentences, reproducibly.

Input is a folder of JSON-lines files, one sentence a line, ``{"text": ..., "spans":
[[start, end, "PER"|"LOC"|"ORG"], ...]}`` (character offsets, end exclusive):
``train.jsonl`` (required), ``dev.jsonl`` (model selection) and ``test.jsonl`` (reported
only: never trained or tuned on). Each sentence is segmented by pkuseg for the character
features (:func:`kg.nlp.ner.char_doc`), written as spaCy ``DocBin`` corpora, and trained with
spaCy's own loop from ``kg/nlp/ner.cfg``. The trained pipeline's ``meta.json`` records the
command, the config, the sha256 of every input file and the scores on dev and test;
``--install`` copies it to ``kg/models/ner``, where the ``kg_ner`` component finds it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import spacy
from spacy.tokens import DocBin

from kg.errors import KGError
from kg.nlp.ner import LABELS, char_doc, model_dir, word_tags
from kg.nlp.segmenter import pkuseg_model_dir

__all__ = ["read_jsonl", "pkuseg_tokenizer", "to_docbin", "train_ner", "evaluate_ner", "config_path",
           "Scores", "write_articles"]


def config_path() -> Path:
    return Path(__file__).resolve().parent / "ner.cfg"


def read_jsonl(path: Path) -> Iterator[tuple[str, list[tuple[int, int, str]]]]:
    """Sentences and their spans; a malformed line is an error naming the file and line."""
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                text = rec["text"]
                spans = [(int(s), int(e), str(lab)) for s, e, lab in rec.get("spans", [])]
            except (ValueError, KeyError, TypeError) as e:
                raise KGError(f"{path}:{n}: not a sentence record ({e})") from None
            bad = [sp for sp in spans if not (0 <= sp[0] < sp[1] <= len(text)) or sp[2] not in LABELS]
            if bad:
                raise KGError(f"{path}:{n}: bad span {bad[0]}")
            yield text, spans


def pkuseg_tokenizer():
    """The pipeline's segmenter alone (pkuseg with the CTB8 model), for the word features."""
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
    nlp.tokenizer.initialize(pkuseg_model=str(pkuseg_model_dir()))
    return nlp.tokenizer


def _word_ends(tokenizer, text: str) -> list[int]:
    ends, pos = [], 0
    for tok in tokenizer(text):
        pos = tok.idx + len(tok.text)
        ends.append(pos)
    return ends


def to_docbin(records, vocab, tokenizer) -> DocBin:
    """Character Docs with word features and gold entities (overlapping spans: first kept)."""
    db = DocBin(attrs=["ORTH", "TAG", "ENT_IOB", "ENT_TYPE"], store_user_data=False)
    for text, spans in records:
        doc = char_doc(vocab, text, word_tags(len(text), _word_ends(tokenizer, text)))
        ents, last = [], 0
        for s, e, lab in sorted(spans):
            if s >= last:
                ents.append(doc.char_span(s, e, label=lab))
                last = e
        doc.ents = ents
        db.add(doc)
    return db


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Scores:
    """Entity-level precision, recall and F1 per label (exact span and label)."""

    tp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LABELS, 0))
    pred: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LABELS, 0))
    gold: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LABELS, 0))

    def as_dict(self) -> dict:
        out = {}
        for lab in (*LABELS, "ALL"):
            tp = sum(self.tp.values()) if lab == "ALL" else self.tp[lab]
            pr = sum(self.pred.values()) if lab == "ALL" else self.pred[lab]
            go = sum(self.gold.values()) if lab == "ALL" else self.gold[lab]
            p = tp / pr if pr else 0.0
            r = tp / go if go else 0.0
            out[lab] = {"p": round(p, 4), "r": round(r, 4), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4),
                        "tp": tp, "pred": pr, "gold": go}
        return out


def evaluate_ner(model: Path, data: Path, tokenizer=None) -> dict:
    """Score a trained model on a JSON-lines file (entity level, exact spans)."""
    nlp = spacy.load(model)
    tokenizer = tokenizer or pkuseg_tokenizer()
    ner = nlp.get_pipe("ner")
    recs = list(read_jsonl(data))
    docs = (char_doc(nlp.vocab, t, word_tags(len(t), _word_ends(tokenizer, t))) for t, _ in recs)
    sc = Scores()
    for (_, spans), doc in zip(recs, ner.pipe(docs, batch_size=256)):
        gold = set(spans)
        pred = {(e.start_char, e.end_char, e.label_) for e in doc.ents}
        for s in gold:
            sc.gold[s[2]] += 1
        for s in pred:
            sc.pred[s[2]] += 1
            sc.tp[s[2]] += s in gold
    return sc.as_dict()


def train_ner(data: Path, out: Path, config: Path | None = None, overrides: dict | None = None,
              install: bool = False, quiet: bool = False) -> dict:
    """Convert ``data``'s JSON-lines files, train, score dev/test and write ``out/model``.

    Returns the meta's ``kg_training`` record (inputs with hashes, config, scores, time)."""
    from spacy.cli.train import train as spacy_train

    config = config or config_path()
    train_file, dev_file, test_file = (data / f"{k}.jsonl" for k in ("train", "dev", "test"))
    if not train_file.exists():
        raise KGError(f"{train_file}: no training data (see `kg train --help`)")
    if not dev_file.exists():
        raise KGError(f"{dev_file}: no dev data for model selection")
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = pkuseg_tokenizer()
    vocab = spacy.blank("zh").vocab
    corpus = out / "corpus"
    corpus.mkdir(exist_ok=True)
    t0 = time.time()
    for name, src in (("train", train_file), ("dev", dev_file)):
        to_docbin(read_jsonl(src), vocab, tokenizer).to_disk(corpus / f"{name}.spacy")
    conv_s = time.time() - t0
    ov = {"paths.train": str(corpus / "train.spacy"), "paths.dev": str(corpus / "dev.spacy")}
    ov.update(overrides or {})
    t0 = time.time()
    spacy_train(config, out / "training", overrides=ov, use_gpu=-1)
    train_s = time.time() - t0
    best = out / "training" / "model-best"
    record = {
        "command": "kg train " + " ".join(sys.argv[2:]) if sys.argv[1:2] == ["train"] else "kg.nlp.training.train_ner",
        "config": config.name, "config_sha256": _sha256(config), "overrides": overrides or {},
        "inputs": {p.name: _sha256(p) for p in (train_file, dev_file, test_file) if p.exists()},
        "sentences": {p.name: sum(1 for _ in read_jsonl(p)) for p in (train_file, dev_file, test_file)
                      if p.exists()},
        "seconds": {"convert": round(conv_s, 1), "train": round(train_s, 1)},
        "dev": evaluate_ner(best, dev_file, tokenizer),
    }
    if test_file.exists():
        record["test"] = evaluate_ner(best, test_file, tokenizer)
    meta_path = best / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.update({"name": "fupin_kg_ner", "description": "kg_ner: character-level PER/LOC/ORG proposer",
                 "kg_training": record})
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    target = out / "model"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(best, target)
    if install:
        dest = model_dir()
        tmp = dest.with_name(".ner.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(target, tmp)
        shutil.rmtree(dest, ignore_errors=True)
        tmp.rename(dest)
    return record


def write_articles(data: Path, out: Path, per_file: int = 25) -> tuple[Path, Path]:
    """Group annotated sentences into articles of ``per_file`` sentences (one a line) with
    gold files (GOLD-FORMAT: ``persons``, ``places``, ``organizations`` as the sets of names
    in each article), so the whole pipeline can be scored on them with ``kg eval`` or the
    shared scorer. Returns the texts and gold folders."""
    texts, gold = out / "texts", out / "gold"
    for d in (texts, gold):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    recs = list(read_jsonl(data))
    key = {"PER": "persons", "LOC": "places", "ORG": "organizations"}
    for k in range(0, len(recs), per_file):
        part = recs[k:k + per_file]
        name = f"{data.stem}_{k // per_file:04d}.txt"
        (texts / name).write_text("\n".join(t for t, _ in part) + "\n", encoding="utf-8")
        g: dict = {"doc": name, "persons": [], "places": [], "organizations": [], "cases": [], "stats": []}
        for t, spans in part:
            for st, en, lab in spans:
                if t[st:en] not in g[key[lab]]:
                    g[key[lab]].append(t[st:en])
        (gold / f"{name}.json").write_text(json.dumps(g, ensure_ascii=False, indent=1), encoding="utf-8")
    return texts, gold
