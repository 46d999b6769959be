"""Money and quantity expressions: find them in text and turn them into numbers.

Shared by :mod:`kg.nlp.outcomes` (incomes) and :mod:`kg.nlp.statistics` (aggregate
figures). Money values are parsed with :func:`jionlp.parse_money`; this module adds what
the extractor needs on top of it: finding the expressions in running text (regexes
compiled once), telling an approximation (``4000多元``, ``约3000元``, ``不到1000元``)
from a true range (``两三千元``, ``2000元-3000元``), and a small fallback parser so that
no input string ever raises.

Approximations: jionlp reads ``4000多元`` as the range 4000..5000; here it is the amount
4000 marked approximate, and only a true range sets ``amount_max``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.resources import quiet_import

__all__ = ["Money", "Quantity", "MONEY_RE", "QUANTITY_RE", "parse_money", "parse_quantity",
           "parse_number", "find_money", "find_quantities"]


@dataclass(frozen=True)
class Money:
    """A parsed money expression (yuan)."""

    amount: float
    amount_max: float | None
    approximate: bool
    start: int          # offset of the expression in the searched text
    end: int
    text: str


@dataclass(frozen=True)
class Quantity:
    """A number with its unit (人, 人次, 个, 元 after 万/亿 conversion, % ...)."""

    value: float
    unit: str
    approximate: bool
    start: int
    end: int
    text: str


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_CHARS = "零〇一二两三四五六七八九十百千万亿"

_ARABIC = r"\d+(?:[.．]\d+)?"
_CN_NUM = f"[{_CN_CHARS}]+"
_NUM = f"(?:{_ARABIC}|{_CN_NUM})"
_FUZZ = "(?:多|余|来)"
# 1.2万余 / 67.3余万 / 100多 / 两三千 / 两万余
_AMOUNT = rf"{_NUM}\s*{_FUZZ}?\s*[十百千万亿]?\s*{_FUZZ}?"
_APPROX_PREFIX = r"(?:大约|约合|约|将近|接近|近|超过|逾|不到|不足|不少于|达到|达)"
_APPROX_SUFFIX = r"(?:左右|以上|上下|多|出头)"
_RANGE_SEP = r"[-－—–~～至到]"

#: A money expression: optional approximation word, amount, optional range, 元 (or 块).
MONEY_RE = re.compile(
    rf"(?:(?P<pre>{_APPROX_PREFIX})\s*)?"
    rf"(?P<lo>{_AMOUNT})\s*(?:(?:元|块)\s*)?"
    rf"(?:{_RANGE_SEP}\s*(?P<hi>{_AMOUNT})\s*)?"
    rf"(?:元|块钱|块)(?:钱)?(?P<suf>{_APPROX_SUFFIX})?"
)

#: Units of aggregate figures, longest first (人次 before 人, 万元 handled by the amount).
_UNITS = ("人次", "公斤", "万元", "亿元", "元", "%", "％", "人", "名", "位", "个", "家", "场", "期",
          "条", "户", "次", "所", "座", "项", "吨", "亩", "批", "班")
QUANTITY_RE = re.compile(
    rf"(?:(?P<pre>{_APPROX_PREFIX})\s*)?"
    rf"(?P<num>{_ARABIC}|[一二两三四五六七八九十百千万亿]{{2,}})\s*(?P<fuzz>{_FUZZ})?\s*(?P<mag>[万亿])?\s*(?P<fuzz2>{_FUZZ})?\s*"
    rf"(?P<unit>{'|'.join(map(re.escape, _UNITS))})(?P<suf>左右|以上|多)?"
)

_CN_RANGE_RE = re.compile(r"[一二两三四五六七八九][二两三四五六七八九](?=[十百千万亿])")


def _cn_to_int(s: str) -> float | None:
    """Chinese numerals (一千二百, 两万, 三十五, 十) to a number; None if not one."""
    if not s or any(c not in _CN_CHARS for c in s):
        return None
    total = 0.0
    section = 0.0
    digit = None
    for c in s:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c] if digit is None else digit * 10 + _CN_DIGITS[c]
        elif c in _CN_UNITS:
            section += (digit if digit is not None else 1) * _CN_UNITS[c]
            digit = None
        else:  # 万 / 亿
            section += digit or 0
            total = (total + (section or 1)) * _CN_BIG[c]
            section, digit = 0.0, None
    return total + section + (digit or 0)


def parse_number(text: str) -> float | None:
    """A plain number written in Arabic digits or Chinese numerals, with an optional
    万/亿 multiplier (``1.1万`` -> 11000, ``76.9 万`` -> 769000, ``三十`` -> 30).
    Returns None (never raises) when ``text`` is not a number."""
    try:
        s = "".join(str(text).split()).replace("．", ".")
        s = s.replace("多", "").replace("余", "").replace("来", "")
        if not s:
            return None
        if _CN_RANGE_RE.match(s):  # 两三千 -> 两千 (the low end of the range)
            s = s[0] + s[2:]
        if all(c in _CN_CHARS for c in s):
            return _cn_to_int(s)
        mult = 1.0
        while s and s[-1] in "万亿":
            mult *= _CN_BIG[s[-1]]
            s = s[:-1]
        if re.fullmatch(r"\d+(?:\.\d+)?", s):
            return float(s) * mult
        m = re.fullmatch(r"(\d+(?:\.\d+)?)([十百千])", s)
        if m:
            return float(m.group(1)) * _CN_UNITS[m.group(2)] * mult
        mult_cn = _cn_to_int(s)
        return mult_cn * mult if mult_cn is not None else None
    except (ValueError, OverflowError, KeyError, TypeError):
        return None


def _jio_money(s: str):
    """jionlp.parse_money, or None when it refuses the string."""
    try:
        jionlp = quiet_import("jionlp")  # heavy, and prints a banner: imported when money is met

        return jionlp.parse_money(s)
    except Exception:  # jionlp raises bare ValueError/TypeError/IndexError on odd input
        return None


def _amount_value(text: str) -> tuple[float | None, float | None]:
    """(low, high) of one amount (high only for 两三千-style ranges)."""
    s = "".join(text.split())
    m = _CN_RANGE_RE.search(s)
    if m and m.start() == 0:
        rest = s[2:]
        lo, hi = parse_number(s[0] + rest), parse_number(s[1] + rest)
        if lo is not None and hi is not None:
            return lo, hi
    return parse_number(s), None


def parse_money(text: str) -> Money | None:
    """Parse one money expression (``4000多元``, ``两三千元``, ``2000元-3000元``,
    ``1.2万余元``, ``不到1000元``) into a :class:`Money`; None when it holds none.
    Never raises."""
    try:
        text = str(text)
        m = MONEY_RE.search(text)
        if not m:
            return None
        return _money_from_match(m, 0)
    except Exception:  # the contract: never raise on arbitrary input
        return None


def _money_from_match(m: re.Match, base: int) -> Money | None:
    lo_txt, hi_txt = m.group("lo"), m.group("hi")
    fuzzy = any(c in (lo_txt + (hi_txt or "")) for c in "多余来")
    approx = bool(m.group("pre") and m.group("pre") not in ("达到", "达")) or bool(m.group("suf")) or fuzzy
    amount = amount_max = None
    jio = _jio_money(re.sub(r"(不等|钱)$", "", m.group().replace(" ", "")))
    if jio:
        num = jio.get("num")
        vals = [float(x) for x in (num if isinstance(num, list) else [num])]
        amount = vals[0]
        # jionlp reads 多/余 as a range (4000多 -> 4000..5000): that is an approximation
        if len(vals) > 1 and (hi_txt or not fuzzy):
            amount_max = vals[1]
    if amount is None:  # jionlp refused the string: our own reading
        amount, amount_max = _amount_value(lo_txt)
        if hi_txt and amount is not None:
            hi, _ = _amount_value(hi_txt)
            # 2-3万元: the low end may omit the multiplier
            mag = re.search(r"[万亿]", hi_txt)
            if mag and not re.search(r"[万亿]", lo_txt):
                amount *= _CN_BIG[mag.group()]
            amount_max = hi
    if amount is None:
        return None
    if amount_max is not None and amount_max <= amount:
        amount_max = None
    return Money(amount=amount, amount_max=amount_max, approximate=approx,
                 start=base + m.start(), end=base + m.end(), text=m.group())


def find_money(text: str) -> list[Money]:
    """Every money expression in ``text``, in order, with offsets into ``text``."""
    out = []
    for m in MONEY_RE.finditer(text):
        try:
            money = _money_from_match(m, 0)
        except Exception:  # never let one odd expression stop the scan
            money = None
        if money is not None:
            out.append(money)
    return out


def _quantity_from_match(m: re.Match) -> Quantity | None:
    num = parse_number(m.group("num"))
    if num is None:
        return None
    unit = m.group("unit")
    mult = _CN_BIG[m.group("mag")] if m.group("mag") else 1.0
    if unit in ("万元", "亿元"):
        mult *= _CN_BIG[unit[0]]
        unit = "元"
    if unit == "％":
        unit = "%"
    approx = bool(m.group("pre") and m.group("pre") not in ("达到", "达")) or bool(
        m.group("fuzz") or m.group("fuzz2") or m.group("suf"))
    return Quantity(value=num * mult, unit=unit, approximate=approx, start=m.start(), end=m.end(),
                    text=m.group())


def parse_quantity(text: str) -> Quantity | None:
    """Parse the first quantity in ``text`` (``1.1万人`` -> 11000 人, ``5073.37万元`` ->
    50733700 元, ``30余期`` -> 30 期 approximate). Never raises."""
    try:
        m = QUANTITY_RE.search(str(text))
        return _quantity_from_match(m) if m else None
    except Exception:
        return None


def find_quantities(text: str) -> list[Quantity]:
    """Every quantity with a unit in ``text``, in order."""
    out = []
    for m in QUANTITY_RE.finditer(text):
        try:
            q = _quantity_from_match(m)
        except Exception:
            q = None
        if q is not None:
            out.append(q)
    return out
