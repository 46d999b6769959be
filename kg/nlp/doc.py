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

``doc._.kg_cases`` is the list of Case records the last component assembles.
``doc._.kg_blocks`` lists ``(start_char, end_char, kind)`` layout blocks from the normaliser
(kind: ``body``, ``headline``, ``caption``, ``byline``); persons in bylines and photo
credits are not beneficiaries.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

from kg.records import Evidence

__all__ = ["ensure_extensions", "init_doc", "evidence", "sentence_evidence", "block_kind", "SPAN_GROUPS"]

SPAN_GROUPS = ("kg_places", "kg_orgs", "kg_persons", "kg_programs", "kg_incomes", "kg_stats")
_DOC_ATTRS = {
    "kg_raw": None, "kg_offsets": None, "kg_file": None, "kg_blocks": None,
    "kg_places": None, "kg_orgs": None, "kg_persons": None, "kg_programs": None,
    "kg_incomes": None, "kg_stats": None, "kg_cases": None,
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


def _raw_span(doc: Doc, start: int, end: int) -> tuple[int, int, str]:
    """Map a Doc character span to raw offsets: from the raw offset of its first character
    to one past the raw offset of its last character."""
    offsets, raw = doc._.kg_offsets, doc._.kg_raw
    if offsets is None or raw is None:
        return start, end, doc.text[start:end]
    if end <= start:
        pos = offsets[start] if start < len(offsets) else len(raw)
        return pos, pos, ""
    rs, re_ = offsets[start], offsets[end - 1] + 1
    return rs, re_, raw[rs:re_]


def evidence(doc: Doc, start_char: int, end_char: int) -> Evidence:
    """Evidence for the Doc text ``doc.text[start_char:end_char]``, cited by raw offsets."""
    rs, re_, raw_text = _raw_span(doc, start_char, end_char)
    return Evidence(start=rs, end=re_, raw_text=raw_text, sentence=doc.text[start_char:end_char].strip())


def sentence_evidence(span: Span) -> Evidence:
    """Evidence for the whole sentence containing ``span``."""
    sent = span.sent if span.doc.has_annotation("SENT_START") else span
    text = sent.text
    lead = len(text) - len(text.lstrip())
    trail = len(text) - len(text.rstrip())
    return evidence(span.doc, sent.start_char + lead, sent.end_char - trail)


def block_kind(doc: Doc, char: int) -> str:
    """The layout block kind (body, headline, caption, byline) at a Doc character offset."""
    for start, end, kind in doc._.kg_blocks or ():
        if start <= char < end:
            return kind
    return "body"
