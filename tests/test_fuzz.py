"""Fuzzing with hypothesis (issue 8): the reader/normaliser, the money and quantity parsers,
the place finder and the whole extractor take random Unicode, mixed scripts, huge numbers
and broken layouts without an unexpected exception, and keep every offset exact.

Inputs are drawn from four families: any Unicode; a mixed-script alphabet (simplified and
traditional Chinese, full-width digits and punctuation, Latin, Cyrillic, emoji, controls,
line breaks and spaces); huge and odd numbers glued to money/count units; and real corpus
fragments with their layout broken (line breaks and spaces inserted, characters doubled,
paragraphs shuffled). ``FUZZED`` counts the inputs; the last test prints the figure.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
FUZZED: dict[str, int] = {}

MIXED = ("扶贫车间公益性岗位技能培训村民贫困户月收入元万多余约左右何埂镇永川区重庆市丰乐村"
         "組織經濟發展協會縣鄉鎮區為與們個學務勞動"
         "0123456789０１２３４５６７８９一二三四五六七八九十百千万亿两"
         "abcXYZ éüßЖжαβ😀🏠، "
         "，。！？；：、（）《》“”‘’—…·/\\-_.%％+*#@"
         " \u3000\t\n\r\n\u200b\ufeff\u00a0\x00\x07")

mixed_text = st.text(alphabet=st.sampled_from(MIXED), max_size=400)
any_text = st.text(max_size=300)
huge_number = st.one_of(
    st.integers(min_value=0, max_value=10**400).map(str),
    st.decimals(allow_nan=False, allow_infinity=False).map(lambda d: format(d, "f")[:60]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(alphabet="0123456789.,，．０１２３４５６７８９一二三四五六七八九十百千万亿两", min_size=1, max_size=40),
)
money_text = st.builds(lambda pre, n, unit, post: pre + n + unit + post,
                       st.sampled_from(["", "月收入", "约", "不到", "超过", "年均", "人均", "每月", "达到"]),
                       huge_number,
                       st.sampled_from(["元", "多元", "余元", "万元", "亿元", "块", "元/月", "元左右", "人", "人次", "%",
                                        "个", "万人", "元-", "至"]),
                       st.one_of(st.just(""), huge_number.map(lambda s: s + "元"), mixed_text.map(lambda s: s[:20])))


def _fragments() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    return [t[i:i + 600] for t in texts for i in range(0, len(t), 450)]


FRAGMENTS = _fragments()


@st.composite
def broken_layout(draw) -> str:
    """A real corpus fragment with its layout broken further."""
    text = draw(st.sampled_from(FRAGMENTS))
    chars = list(text)
    for _ in range(draw(st.integers(0, 25))):
        i = draw(st.integers(0, len(chars)))
        op = draw(st.sampled_from(["nl", "space", "double", "cut", "cr", "fullspace"]))
        if op == "nl":
            chars.insert(i, "\n")
        elif op == "space":
            chars.insert(i, " ")
        elif op == "cr":
            chars.insert(i, "\r\n")
        elif op == "fullspace":
            chars.insert(i, "\u3000")
        elif op == "double" and i < len(chars):
            chars.insert(i, chars[i])
        elif op == "cut" and i < len(chars):
            del chars[i:i + draw(st.integers(1, 30))]
    return "".join(chars)


anything = st.one_of(any_text, mixed_text, money_text, broken_layout())
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ_SLOW = settings(max_examples=200, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _count(name: str) -> None:
    FUZZED[name] = FUZZED.get(name, 0) + 1


# -- the normaliser ----------------------------------------------------------------------


@FUZZ
@given(raw=anything)
def test_normalize_keeps_the_offset_map_exact(raw):
    """The contract of kg.normalize: text[i] == char_map(raw[offsets[i]]) (a separator
    newline may cite whitespace), offsets injective and increasing inside every paragraph,
    sentences and blocks inside the text."""
    mod = pytest.importorskip("kg.normalize")
    _count("normalize")
    norm = mod.normalize(raw)
    text, offsets = norm.text, list(norm.offsets)
    assert len(offsets) == len(text)
    assert len(set(offsets)) == len(offsets), "each raw character is cited at most once"
    for ch, o in zip(text, offsets):
        assert 0 <= o < len(raw)
        assert ch == mod.char_map(raw[o]) or (ch == "\n" and raw[o].isspace()), (ch, raw[o])
    for start, end in norm.paragraphs:
        span = offsets[start:end]
        assert span == sorted(span), "offsets increase inside a paragraph"
    for start, end in norm.sentences:
        assert 0 <= start <= end <= len(text)
    assert all(0 <= b.start <= b.end <= len(text) for b in norm.blocks)


@FUZZ
@given(raw=anything)
def test_normalize_is_idempotent(raw):
    normalize = pytest.importorskip("kg.normalize").normalize
    _count("normalize-idempotent")
    once = normalize(raw).text
    assert normalize(once).text == once


# -- the money and quantity parsers (kg.nlp.money, used by kg_outcomes and kg_stats) ------


def _finite_or_inf(x: float) -> bool:
    return isinstance(x, float) and not math.isnan(x)


@FUZZ
@given(text=st.one_of(money_text, mixed_text, any_text))
def test_money_parsers_never_raise_and_cite_exact_offsets(text):
    money = pytest.importorskip("kg.nlp.money")
    _count("money")
    m = money.parse_money(text)
    if m is not None:
        assert _finite_or_inf(m.amount)
        assert m.amount_max is None or m.amount_max > m.amount
    for m in money.find_money(text):
        assert text[m.start:m.end] == m.text
        assert _finite_or_inf(m.amount)
    q = money.parse_quantity(text)
    if q is not None:
        assert _finite_or_inf(q.value) and q.unit
    for q in money.find_quantities(text):
        assert text[q.start:q.end] == q.text
    n = money.parse_number(text)
    assert n is None or _finite_or_inf(float(n))


# -- the place finder and the whole extractor (need the pipeline) -------------------------


@pytest.fixture(scope="module")
def place_finder(nlp):
    return nlp.get_pipe("kg_places").finder


@FUZZ_SLOW
@given(text=st.one_of(mixed_text, broken_layout(), any_text))
def test_place_finder_never_raises_and_cites_exact_offsets(place_finder, text):
    _count("places")
    for m in place_finder.find(text):
        assert text[m.start:m.end] == m.surface
        assert m.path and all(isinstance(x, str) and x for x in m.path)


@FUZZ_SLOW
@given(raw=st.one_of(broken_layout(), mixed_text, money_text))
def test_extractor_never_raises_and_evidence_slices_raw(nlp, raw):
    """The whole pipeline (places, organizations, persons, programs, outcomes, statistics,
    cases) on hostile text: no exception, and every evidence is raw[start:end]."""
    pytest.importorskip("kg.normalize")
    from dataclasses import dataclass

    from kg.extract import extract_article
    from kg.records import ArticleMeta

    @dataclass
    class A:
        path: str
        file_name: str
        raw: str
        meta: ArticleMeta

    _count("extractor")
    rec = extract_article(nlp, A("fuzz.txt", "fuzz.txt", raw, ArticleMeta(file_name="fuzz.txt", sha256="0")))
    for ev in rec.evidences():
        assert raw[ev.start:ev.end] == ev.raw_text
        assert 0 <= ev.start <= ev.end <= len(raw)


def test_zz_fuzz_figures():
    """Runs last: prints how many inputs each target took (for the README and the report)."""
    print(f"\ninputs fuzzed: {sum(FUZZED.values())} " + str(dict(sorted(FUZZED.items()))))
