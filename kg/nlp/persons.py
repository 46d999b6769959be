"""Component kg_persons: placeholder until its issue-3 implementation lands (owned by a helper)."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.doc import init_doc


@Language.factory("kg_persons")
def make_kg_persons(nlp: Language, name: str):
    def kg_persons(doc: Doc) -> Doc:
        return init_doc(doc)

    return kg_persons
