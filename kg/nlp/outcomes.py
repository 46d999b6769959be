"""Component kg_outcomes: placeholder until its issue-3 implementation lands (owned by a helper)."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.doc import init_doc


@Language.factory("kg_outcomes")
def make_kg_outcomes(nlp: Language, name: str):
    def kg_outcomes(doc: Doc) -> Doc:
        return init_doc(doc)

    return kg_outcomes
