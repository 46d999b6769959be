"""Component kg_cases: placeholder until its issue-3 implementation lands (owned by a helper)."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.doc import init_doc


@Language.factory("kg_cases")
def make_kg_cases(nlp: Language, name: str):
    def kg_cases(doc: Doc) -> Doc:
        return init_doc(doc)

    return kg_cases
