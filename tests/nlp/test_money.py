"""Money and quantity parsing (kg.nlp.money): GOLD-FORMAT examples, corpus forms, fuzzing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.nlp.money import find_money, find_quantities, parse_money, parse_number, parse_quantity


@pytest.mark.parametrize(
    ("text", "amount", "amount_max", "approx"),
    [
        # GOLD-FORMAT.md examples
        ("4000多元", 4000, None, True),
        ("1.2万元", 12000, None, False),
        ("两三千元", 2000, 3000, False),
        # forms met in the corpus
        ("150余元", 150, None, True),
        ("4000元左右", 4000, None, True),
        ("不到1000元", 1000, None, True),
        ("约3000元", 3000, None, True),
        ("超过5000元", 5000, None, True),
        ("1.2万余元", 12000, None, True),
        ("2000元-3000元", 2000, 3000, False),
        ("2000 元至 5000 元", 2000, 5000, False),
        ("两三百元", 200, 300, False),
        ("100多元", 100, None, True),
        ("20万元", 200000, None, False),
        ("5073.37万元", 50733700, None, False),
        ("67.3余万元", 673000, None, True),
        ("1.7亿元", 170000000, None, False),
        ("4000多元钱", 4000, None, True),
        ("两万余元", 20000, None, True),
        ("2-3万元", 20000, 30000, False),
        ("3万多块钱", 30000, None, True),
        ("三四千元", 3000, 4000, False),
    ],
)
def test_parse_money(text, amount, amount_max, approx):
    m = parse_money(text)
    assert m is not None
    assert m.amount == pytest.approx(amount)
    assert (m.amount_max is None) if amount_max is None else m.amount_max == pytest.approx(amount_max)
    assert m.approximate is approx


def test_find_money_in_a_corpus_sentence_keeps_offsets():
    s = "淡季做得到100多元一天，旺季做得到两三百元一天。"
    found = find_money(s)
    assert [m.text for m in found] == ["100多元", "两三百元"]
    assert all(s[m.start:m.end] == m.text for m in found)
    assert (found[1].amount, found[1].amount_max) == (200, 300)


def test_no_money_without_yuan():
    assert parse_money("2019年12月10日，36岁的村民") is None
    assert find_money("建成5个扶贫车间吸纳50人就业") == []


@pytest.mark.parametrize(
    ("text", "value", "unit", "approx"),
    [
        ("有效对接产业人才1.1万人", 11000, "人", False),
        ("兑现各类就业帮扶资金5073.37万元", 50733700, "元", False),
        ("职业技能培训30余期", 30, "期", True),
        ("提供了近500个岗位", 500, "个", True),
        ("全市脱贫人口就业达到76.9 万人", 769000, "人", False),
        ("已累计转移贫困劳动力就业11.3万人次", 113000, "人次", False),
        ("完成132.5%", 132.5, "%", False),
        ("年销售高山大米5万公斤", 50000, "公斤", False),
    ],
)
def test_parse_quantity(text, value, unit, approx):
    q = parse_quantity(text)
    assert q is not None
    assert (q.value, q.unit, q.approximate) == (pytest.approx(value), unit, approx)


def test_two_figures_in_one_clause():
    qs = find_quantities("发放贫困人员培训补贴3170人次456万元")
    assert [(q.value, q.unit) for q in qs] == [(3170, "人次"), (4560000, "元")]


@pytest.mark.parametrize(("text", "value"), [("三十", 30), ("一千二百", 1200), ("两万", 20000), ("1.5万", 15000),
                                             ("十", 10), ("两三千", 2000), ("abc", None), ("", None)])
def test_parse_number(text, value):
    assert parse_number(text) == value


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_money_parsers_never_raise(s):
    parse_money(s)
    parse_quantity(s)
    parse_number(s)
    for m in find_money(s):
        assert s[m.start:m.end] == m.text
    for q in find_quantities(s):
        assert s[q.start:q.end] == q.text


_money_like = st.text(alphabet="0123456789.万亿千百十两三多余约近左右不到超过元-至块钱 ", max_size=20)


@settings(max_examples=300, deadline=None)
@given(_money_like)
def test_money_like_strings_never_raise(s):
    m = parse_money(s)
    if m is not None:
        assert m.amount >= 0
        assert m.amount_max is None or m.amount_max > m.amount
