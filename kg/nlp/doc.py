"""What the extraction components share on a Doc: extension attributes, span groups and
the mapping from Doc character offsets back to raw-file offsets.

Span groups (``doc.spans[...]``), one per kind of mention, each Span's ``_.kg_ref`` the
key of the record it mentions:

===============  ==========================================  =====================
group            record dict on the Doc                      ``span._.kg_ref``
===============  ==========================================  =====================
``kg_places``    ``doc._.kg_places``   path -> Place          the place path
``kg_orgs``      ``doc._.kg_orgs``     name -> Organization   the org name
``kg_persons``   ``doc._.kg_persons``  name -> Person         the full name
``kg_programs``  ``doc._.kg_programs`` key -> Program         the program key
``kg_incomes``   ``doc._.kg_incomes``  list[Income]           index into the list
``kg_stats``     ``doc._.kg_stats``    list[Statistic]        index into the list
===============  ==========================================  =====================

``doc._.kg_ner`` lists the ``(start_char, end_char, label)`` names the trained model proposes
(``PER``, ``LOC``, ``ORG``); the rule components decide what becomes of them.
``doc._.kg_cases`` is the list of Case records the cases component assembles.
``doc._.kg_date`` is the article's date (``YYYY[-MM[-DD]]``, or None): what ``kg_times``
resolves relative times (去年, 三年前) against.
``doc._.kg_blocks`` lists ``(start_char, end_char, kind)`` layout blocks from the normaliser
(kind: ``body``, ``headline``, ``caption``, ``byline``); persons in bylines and photo
credits are not beneficiaries.
"""

from __future__ import annotations

import bisect
import functools

from spacy.attrs import ORTH, SENT_START, SPACY
from spacy.tokens import Doc, Span

from kg.records import Evidence

__all__ = ["ensure_extensions", "init_doc", "evidence", "sentence_evidence", "block_kind", "SPAN_GROUPS",
           "DocIndex"]

SPAN_GROUPS = ("kg_places", "kg_orgs", "kg_persons", "kg_programs", "kg_incomes", "kg_stats")
_DOC_ATTRS = {
    "kg_raw": None, "kg_offsets": None, "kg_file": None, "kg_blocks": None,
    "kg_places": None, "kg_orgs": None, "kg_persons": None, "kg_programs": None,
    "kg_incomes": None, "kg_stats": None, "kg_cases": None, "kg_ner": None, "kg_date": None,
}


def ensure_extensions() -> None:
    """Register the ``kg_*`` extension attributes once per process."""
    for name, default in _DOC_ATTRS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    if not Span.has_extension("kg_ref"):
        Span.set_extension("kg_ref", default=None)


def init_doc(doc: Doc) -> Doc:
    """Give a Doc empty record containers and span groups (idempotent)."""
    ensure_extensions()
    for name in ("kg_places", "kg_orgs", "kg_persons", "kg_programs"):
        if getattr(doc._, name) is None:
            setattr(doc._, name, {})
    for name in ("kg_incomes", "kg_stats", "kg_cases"):
        if getattr(doc._, name) is None:
            setattr(doc._, name, [])
    if doc._.kg_blocks is None:
        doc._.kg_blocks = [(0, len(doc.text), "body")]
    for group in SPAN_GROUPS:
        if group not in doc.spans:
            doc.spans[group] = []
    return doc


class DocIndex:
    """Per-Doc lookups computed once. spaCy rebuilds ``doc.text`` from the tokens on every
    access (``char_span`` and :func:`kg.nlp.doc.evidence` read it), which makes one lookup
    per mention quadratic over an article; this index keeps the text and token offsets."""

    _KEY = "kg_text_index"   # doc.user_data entry: (n_tokens, text, starts, ends), plain data
    CACHE_KEY = "kg_doc_index"  # doc.user_data entry: the DocIndex itself (drop it after re-segmenting)

    def __new__(cls, doc: Doc):
        """One index per Doc (kept in doc.user_data), shared by all components."""
        cached = doc.user_data.get(cls.CACHE_KEY)
        if isinstance(cached, cls) and cached.n == len(doc):
            return cached
        self = super().__new__(cls)
        doc.user_data[cls.CACHE_KEY] = self
        return self


    def __init__(self, doc: Doc):
        if getattr(self, "doc", None) is doc and self.n == len(doc):
            return
        self.doc = doc
        self.n = len(doc)
        self._ = doc._                       # what kg.nlp.doc.evidence reads besides .text
        cached = doc.user_data.get(self._KEY)
        if cached and cached[0] == len(doc):
            _, self.text, self.starts, self.ends = cached
        else:
            # text and token offsets from the orth strings: doc.text and token.idx build a
            # Token object per token, several times slower
            strings = doc.vocab.strings
            self.starts, self.ends = [], []
            parts: list[str] = []
            pos = 0
            for orth, space in (doc.to_array([ORTH, SPACY]).tolist() if len(doc) else []):
                word = strings[orth]
                parts.append(word + " " if space else word)
                self.starts.append(pos)
                pos += len(word)
                self.ends.append(pos)
                pos += 1 if space else 0
            self.text = "".join(parts)
            doc.user_data[self._KEY] = (len(doc), self.text, self.starts, self.ends)
        self.has_sents = doc.has_annotation("SENT_START")

    def token_at(self, char: int) -> int | None:
        """Index of the token covering character ``char`` (or the next one)."""
        i = bisect.bisect_right(self.ends, char)
        return i if i < len(self.starts) else None

    def span(self, start: int, end: int) -> Span | None:
        """The tokens covering ``text[start:end]`` (spaCy's ``alignment_mode="expand"``)."""
        if not 0 <= start < end <= len(self.text):
            return None
        i = bisect.bisect_right(self.ends, start)
        j = bisect.bisect_left(self.starts, end)
        return self.doc[i:j] if i < j else None

    def evidence(self, start: int, end: int) -> Evidence:
        return _evidence(self.doc, self.text, start, end)

    @functools.cached_property
    def sentences(self) -> list[tuple[int, int]]:
        """``(start_char, end_char)`` of each sentence, as ``doc.sents`` gives them (which
        builds Span objects slowly); the whole text when the Doc has no sentences."""
        n = len(self.doc)
        if not n or not self.has_sents:
            return [(0, len(self.text))]
        flags = self.doc.to_array([SENT_START]).tolist()
        firsts = [i for i, f in enumerate(flags) if i == 0 or f == 1]
        return [(self.starts[i], self.ends[(firsts[k + 1] if k + 1 < len(firsts) else n) - 1])
                for k, i in enumerate(firsts)]

    def sentence_at(self, char: int) -> tuple[int, int]:
        """The sentence bounds around character ``char``."""
        sents = self.sentences
        k = bisect.bisect_right(sents, (char, len(self.text) + 1)) - 1
        return sents[max(k, 0)]

    def sentence_evidence(self, span: Span) -> Evidence:
        """Evidence for the sentence containing ``span`` (as kg.nlp.doc.sentence_evidence)."""
        s, e = self.sentence_at(span.start_char) if self.has_sents else (span.start_char, span.end_char)
        chunk = self.text[s:e]
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk) - len(chunk.rstrip())
        return self.evidence(s + lead, e - trail)


def _raw_span(doc: Doc, start: int, end: int) -> tuple[int, int, str]:
    """Map a Doc character span to raw offsets: from the raw offset of its first character
    to one past the raw offset of its last character."""
    offsets, raw = doc._.kg_offsets, doc._.kg_raw
    if end <= start:
        pos = offsets[start] if start < len(offsets) else len(raw)
        return pos, pos, ""
    rs, re_ = offsets[start], offsets[end - 1] + 1
    return rs, re_, raw[rs:re_]


def _evidence(doc: Doc, text: str, start_char: int, end_char: int) -> Evidence:
    offsets, raw = doc._.kg_offsets, doc._.kg_raw
    if offsets is None or raw is None:
        rs, re_, raw_text = start_char, end_char, text[start_char:end_char]
    else:
        rs, re_, raw_text = _raw_span(doc, start_char, end_char)
    return Evidence(start=rs, end=re_, raw_text=raw_text, sentence=text[start_char:end_char].strip())


def evidence(doc: Doc, start_char: int, end_char: int) -> Evidence:
    """Evidence for the Doc text ``doc.text[start_char:end_char]``, cited by raw offsets."""
    return DocIndex(doc).evidence(start_char, end_char)


def sentence_evidence(span: Span) -> Evidence:
    """Evidence for the whole sentence containing ``span``."""
    return DocIndex(span.doc).sentence_evidence(span)


def block_kind(doc: Doc, char: int) -> str:
    """The layout block kind (body, headline, caption, byline) at a Doc character offset."""
    for start, end, kind in doc._.kg_blocks or ():
        if start <= char < end:
            return kind
    return "body"
