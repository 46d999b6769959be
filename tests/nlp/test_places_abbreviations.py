"""One-character short forms of countries and provinces the trained model proposes (kg_ner LOC)."""

from __future__ import annotations


def _proposed(nlp, text: str, *chars: int):
    finder = nlp.get_pipe("kg_places").finder
    return finder.proposed(text, [(i, i + 1, "LOC") for i in chars], [])


def test_country_pair_names_the_full_countries(nlp):
    found = _proposed(nlp, "中美两国关系", 0, 1)
    assert [(m.surface, m.path) for m in found] == [("中", ("中国",)), ("美", ("美国",))]


def test_visit_verb_and_province_pair(nlp):
    assert [m.path for m in _proposed(nlp, "总统将访华", 4)] == [("中国",)]
    assert [m.surface for m in _proposed(nlp, "京沪高速铁路", 0, 1)] == ["京", "沪"]


def test_character_inside_a_word_is_not_a_place(nlp):
    assert _proposed(nlp, "第一个出台政策", 4) == []       # 出台
    assert _proposed(nlp, "花美美不过白牡丹", 1, 2) == []   # doubled
    assert _proposed(nlp, "山东日照市", 2) == []           # start of 日照


def test_paired_provinces_naming_a_cooperation_or_border(nlp):
    assert _proposed(nlp, "深化鲁渝劳务协作", 2, 3) == []
    assert _proposed(nlp, "闽赣省际电子商务产业园", 0, 1) == []


def test_unlisted_character_is_not_a_place(nlp):
    assert _proposed(nlp, "在澳工作", 1) == []
