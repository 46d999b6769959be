"""The fast paths of kg_places and kg_cases skip work only where the slow definition finds nothing."""

from __future__ import annotations

import pytest

from kg.normalize import normalize


@pytest.fixture(scope="module")
def finder(nlp):
    return nlp.get_pipe("kg_places").finder


@pytest.fixture(scope="module")
def texts(raw_article):
    return [normalize(raw_article(p)).text for p in ("000", "002")]


def test_name_starts_cover_every_high_head(finder, texts):
    # _high_head tried at every character (what pass 1 did before) finds heads only where
    # _name_starts says a name starts
    for text in texts:
        named = set(finder._name_starts(text))
        heads = [i for i in range(len(text)) if finder._high_head(text, i) is not None]
        assert heads, "the article names places"
        assert set(heads) <= named


def test_left_boundary_matches_its_definition(finder, texts):
    text = texts[0]
    for i in range(1, len(text)):
        brute = any(text[i - k:i] in finder.boundaries for k in range(1, min(i, finder.max_boundary) + 1))
        fast = finder._left_boundary(text, i)
        if "\u4e00" <= text[i - 1] <= "\u9fff":      # a non-CJK character before is a boundary anyway
            assert fast == brute, (i, text[max(0, i - 5):i + 5])


def test_negation_window(nlp):
    cases = nlp.get_pipe("kg_cases")
    text = "她因病无法外出务工，后来参加了培训"
    for start in range(len(text)):
        before = text[max(0, start - 6):start]
        assert cases._negated(text, start) == any(neg in before for neg in cases.lex.negation)
