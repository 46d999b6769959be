"""The kind of an income (wage, business revenue, profit, household income …) from its own
sentence.

An income's kind says whose money it is and what it measures, so that the analyses compare
like with like: a cooperative's yearly takings (``今年销售鱼苗已实现年收入25万元``) or a
couple's earnings together (``我俩现在月收入加起来至少有1万元``) are not one person's pay.
The cue words live in ``kg/data/income_kinds.tsv``; its rows are tried in order, first on
the income's clause, then on the sentence just before it (see that file). The kinds'
labels are the ontology's (``fp:IncomeKinds``), read by :func:`kg.report.display_vocabulary`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.errors import KGError
from kg.resources import data_file

__all__ = ["IncomeKind", "INCOME_KINDS_FILE", "load_income_kinds", "income_kind"]

INCOME_KINDS_FILE = "income_kinds.tsv"
#: how much of the sentence before the income's clause is its context
_CONTEXT = 60


@dataclass(frozen=True)
class IncomeKind:
    """One row of ``income_kinds.tsv``."""

    kind: str
    clause: re.Pattern | None
    context: re.Pattern | None
    unless: re.Pattern | None


def _pattern(path: Path, n: int, words: str) -> re.Pattern | None:
    words = words.strip()
    if words in ("", "-"):
        return None
    try:
        return re.compile(words)
    except re.error as e:
        raise KGError(f"{path}:{n}: bad pattern: {e}") from e


@lru_cache(maxsize=4)
def load_income_kinds(name: str = INCOME_KINDS_FILE) -> tuple[IncomeKind, ...]:
    """The kinds of ``kg/data/<name>``, in precedence order (the last is the fallback)."""
    path = data_file(name)
    rows: list[IncomeKind] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.startswith("kind\t"):
            continue
        cols = line.split("\t")
        if len(cols) != 4 or not re.fullmatch(r"[a-z_]+", cols[0]):
            raise KGError(f"{path}:{n}: expected kind, clause, context, unless (4 tab-separated columns)")
        rows.append(IncomeKind(cols[0], *(_pattern(path, n, c) for c in cols[1:])))
    if not rows or rows[-1].clause is not None or rows[-1].context is not None:
        raise KGError(f"{path}: the last row must be the fallback kind, with no cues")
    return tuple(rows)


def income_kind(clause: str, before: str = "", kinds: tuple[IncomeKind, ...] | None = None) -> str:
    """The kind of the income stated in ``clause``; ``before`` is the sentence before the clause.

    >>> income_kind("每月工资1800元")
    'wage'
    >>> income_kind("今年销售鱼苗已实现年收入25万元")
    'revenue'
    """
    kinds = kinds or load_income_kinds()
    context = before[-_CONTEXT:]
    for scope, text in (("clause", clause), ("context", context)):
        for k in kinds:
            rx = getattr(k, scope)
            if rx is not None and rx.search(text) and not (
                    k.unless is not None and (k.unless.search(clause) or k.unless.search(context))):
                return k.kind
    return kinds[-1].kind

