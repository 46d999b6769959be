"""Component ``kg_ner``: a trained statistical recogniser that *proposes* person, place and
organization names; the rule components confirm, type, split and link them.

The model is spaCy's transition-based ``ner`` trained by ``kg train`` (:mod:`kg.nlp.training`)
on public People's Daily-style annotations. It reads **characters**, not pkuseg tokens: on
that data 9 % of the entities do not start or end on a pkuseg token boundary (苗立|杰年纪,
姜天云嫁), so a token-level model could never output them. What the segmenter knows is
kept as a feature: each character's ``TAG`` is its position in its pkuseg word (``B``, ``M``,
``E``, ``S``) and the word's length, so the model sees word boundaries without being bound
to them. Digits and Latin letters are folded to their ASCII forms (``１９９７`` -> ``1997``),
one character for one, so offsets stay those of the Doc.

The inner model is its own small spaCy pipeline (``zh`` with the character segmenter and one
``ner``), loaded from the packaged weights at ``initialize`` and saved with the outer
pipeline by ``to_disk``. The component writes ``doc._.kg_ner``: a list of
``(start_char, end_char, label)`` with labels ``PER``, ``LOC``, ``ORG``.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import registry

from kg.errors import PipelineError
from kg.nlp.dictionary import dictionary_words
from kg.nlp.doc import DocIndex, init_doc
from kg.resources import data_file

__all__ = ["make_kg_ner", "EntityProposer", "char_doc", "word_tags", "fold", "model_dir", "LABELS",
           "read_examples", "dictionary_tags", "heads", "in_policy_phrase"]

LABELS = ("PER", "LOC", "ORG")
#: Longest stretch of characters given to the model at once (long lines are cut there).
MAX_CHARS = 300


def model_dir() -> Path:
    """The packaged trained model (``kg/models/ner``)."""
    return Path(__file__).resolve().parent.parent / "models" / "ner"


def fold(ch: str) -> str:
    """One character's model form: full-width digits, letters and signs to ASCII (NFKC) when
    that gives exactly one character, else the character itself."""
    if ch.isascii():
        return ch
    f = unicodedata.normalize("NFKC", ch)
    return f if len(f) == 1 else ch


def word_tags(n_chars: int, word_ends: Iterable[int], offset: int = 0) -> list[str]:
    """Each character's position in its segmenter word (``B``/``M``/``E``/``S``) with the
    word's length (capped at 4): ``["B3", "M3", "E3", "S1"]``. ``word_ends`` are the end
    offsets of the words covering ``[offset, offset + n_chars)``."""
    tags: list[str] = []
    start = 0
    for end in word_ends:
        end -= offset
        if end <= start:
            continue
        end = min(end, n_chars)
        n = end - start
        ln = str(min(n, 4))
        tags.extend(["S" + ln] if n == 1 else ["B" + ln] + ["M" + ln] * (n - 2) + ["E" + ln])
        start = end
        if start >= n_chars:
            break
    tags.extend(["S1"] * (n_chars - len(tags)))
    return tags


def char_doc(vocab, text: str, tags: Sequence[str] | None = None) -> Doc:
    """The model's view of ``text``: one token per character (folded), with the word tags."""
    words = [fold(c) for c in text]
    return Doc(vocab, words=words, spaces=[False] * len(words), tags=list(tags) if tags else None)


# -- what the rule components confirm proposals with ------------------------------------------
@functools.cache
def dictionary_tags() -> dict[str, str]:
    """Words of jieba's dictionary tagged as a place (``ns``) or an organization (``nt``):
    a proposal the dictionary knows as such is confirmed (伦敦, 雅鲁藏布江, 国务院, 新华社)."""
    tags = dict.fromkeys(dictionary_words(frozenset({"ns"}), "ner-places", max_len=None), "ns")
    tags.update(dict.fromkeys(dictionary_words(frozenset({"nt"}), "ner-orgs", max_len=None), "nt"))
    return tags


@functools.cache
def heads(name: str) -> tuple[str, ...]:
    """The name endings listed in a ``kg/data`` file (``ner_place_heads.txt``...), longest first."""
    words = [ln.strip() for ln in data_file(name).read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    return tuple(sorted(words, key=len, reverse=True))


@functools.cache
def _policy_cues() -> tuple[re.Pattern, re.Pattern]:
    cues: dict[str, list[str]] = {"before": [], "after": []}
    for ln in data_file("ner_policy_cues.txt").read_text(encoding="utf-8").splitlines():
        if ln.strip() and not ln.startswith("#"):
            side, _, word = ln.partition("\t")
            cues[side.strip()].append(re.escape(word.strip()))
    return re.compile("|".join(cues["before"])), re.compile("|".join(cues["after"]))


def in_policy_phrase(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` is named only as the source of a policy: between a word
    like 贯彻/落实 and one like 决策/部署 in the same clause (贯彻落实党中央、国务院…决策部署)."""
    before, after = _policy_cues()
    lo = max(text.rfind(c, 0, start) for c in "。；！？，\n")
    his = [i for i in (text.find(c, end) for c in "。；！？\n") if i >= 0]
    hi = min(his) if his else len(text)
    return bool(before.search(text, lo + 1, start)) and bool(after.search(text, end, hi))


@registry.readers("kg.ner_corpus.v1")
def read_examples(path: Path, limit: int = 0):
    """A spaCy corpus reader for ``kg train``: the DocBin's docs are the reference, the
    predicted docs are copies keeping the character features (spaCy's own reader would
    re-tokenise the text and lose them)."""
    from spacy.tokens import DocBin

    def reader(nlp: Language) -> Iterable[Example]:
        db = DocBin().from_disk(path)
        for i, ref in enumerate(db.get_docs(nlp.vocab)):
            if limit and i >= limit:
                break
            pred = Doc(nlp.vocab, words=[t.text for t in ref], spaces=[False] * len(ref),
                       tags=[t.tag_ for t in ref])
            yield Example(pred, ref)

    return reader


class EntityProposer:
    """The ``kg_ner`` pipeline component (see the module docstring)."""

    def __init__(self, nlp: Language, name: str = "kg_ner", batch_size: int = 256):
        self.name = name
        self.batch_size = batch_size
        self.inner: Language | None = None

    # -- loading ----------------------------------------------------------------------------
    def initialize(self, get_examples=None, *, nlp: Language | None = None, model: str | None = None) -> None:
        """Load the trained model (``model``: a directory ``spacy.load`` reads; the packaged
        one by default)."""
        self._load(Path(model) if model else model_dir())

    def _load(self, path: Path) -> None:
        if not (path / "config.cfg").exists():
            raise PipelineError(f"{path}: no trained NER model there (run `kg train`, see README)")
        try:
            self.inner = spacy.load(path)
        except Exception as e:  # spaCy raises many kinds of errors here
            raise PipelineError(f"{path}: cannot load the NER model ({e})") from e

    def to_disk(self, path, *, exclude=()) -> None:
        if self.inner is None:
            raise PipelineError("kg_ner: no model loaded (initialize the pipeline first)")
        self.inner.to_disk(path)

    def from_disk(self, path, *, exclude=()) -> EntityProposer:
        self._load(Path(path))
        return self

    # -- running ----------------------------------------------------------------------------
    def chunks(self, doc: Doc) -> list[tuple[int, int]]:
        """The stretches of the Doc the model reads: its sentences, long ones cut."""
        index = DocIndex(doc)
        out = []
        for s, e in index.sentences:
            while s < e and index.text[s].isspace():
                s += 1
            while e - s > MAX_CHARS:
                out.append((s, s + MAX_CHARS))
                s += MAX_CHARS
            if e > s:
                out.append((s, e))
        return out

    def predict(self, doc: Doc) -> list[tuple[int, int, str]]:
        """``(start_char, end_char, label)`` of every name the model finds in ``doc``."""
        if self.inner is None:
            raise PipelineError("kg_ner: no model loaded (initialize the pipeline first)")
        index = DocIndex(doc)
        text = index.text
        chunks = self.chunks(doc)
        ends = index.ends
        docs = []
        for s, e in chunks:
            i = bisect.bisect_right(ends, s)     # first word ending after s
            j = bisect.bisect_left(ends, e)
            docs.append(char_doc(self.inner.vocab, text[s:e], word_tags(e - s, ends[i:j + 1], s)))
        ner = self.inner.get_pipe("ner")
        found = []
        for (s, _), d in zip(chunks, ner.pipe(docs, batch_size=self.batch_size)):
            for ent in d.ents:
                found.append((s + ent.start_char, s + ent.end_char, ent.label_))
        return found

    def __call__(self, doc: Doc) -> Doc:
        init_doc(doc)
        doc._.kg_ner = self.predict(doc) if len(doc) else []
        return doc


@Language.factory("kg_ner", default_config={"batch_size": 256})
def make_kg_ner(nlp: Language, name: str, batch_size: int) -> EntityProposer:
    """Build the proposer; its model is loaded by ``initialize`` or ``from_disk``."""
    return EntityProposer(nlp, name, batch_size=batch_size)
