"""A case's story in time order: when the program began and the incomes before and after it.

Read from the networkx view of the graph (:func:`kg.analytics.load_graph`, which puts the
OWL-Time instant of a fact on its node as ``has_time`` and a case's ``fp:startTime`` as
``start_time``). :func:`case_timeline` orders the events:

* an event the text dates (``2016年``, ``去年`` resolved against the article's date) sits at
  its year and month;
* an undated income sits by its phase: a *before* income just before the program's start,
  an *after* income just after it (the start itself may be undated: the order still reads
  before -> start -> after);
* what neither dates nor phases comes last, marked undated.

The case pages (:mod:`kg.views`) and notebook 01 (:func:`kg.explore.timeline_frame`) show it.
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx

from kg.analytics import case_parts, display_vocabulary, monthly_amount

__all__ = ["case_timeline", "time_text", "EVENT_KINDS"]

#: What a timeline event is: the program's start, or an income.
EVENT_KINDS = ("start", "income")
_SEASONS = {"start": "初", "end": "底", "spring": "春", "summer": "夏", "autumn": "秋", "winter": "冬",
            "first_half": "上半年", "second_half": "下半年"}


def time_text(t: dict[str, Any] | None) -> str:
    """A time as a reader wants it: the resolved date with the expression as written
    (``2018年（去年）``), the expression alone when unresolved (``三年前（未推算）``), ``""``
    when there is none."""
    if not t:
        return ""
    label = t.get("label") or ""
    if t.get("year") is None:
        return f"{label}（未推算 unresolved）" if t.get("relative") else label
    date = f"{t['year']}年"
    if t.get("month"):
        date += f"{t['month']}月"
        if t.get("day"):
            date += f"{t['day']}日"
    elif t.get("part"):
        date += _SEASONS.get(t["part"], "")
    if t.get("since"):
        date += "起"
    return date if label in (date, date.rstrip("起")) else f"{date}（{label}）"


def _position(t: dict[str, Any] | None) -> float | None:
    """A sortable position in years for a dated time (2018年3月 -> 2018.17; 年底 late in the year)."""
    if not t or t.get("year") is None:
        return None
    month = t.get("month")
    if month is None:
        month = {"start": 1, "spring": 3, "first_half": 3, "summer": 6, "autumn": 9, "second_half": 9,
                 "winter": 12, "end": 12}.get(t.get("part") or "", 6.5)
    return t["year"] + (month - 1) / 12 + (t.get("day") or 0) / 400


def case_timeline(G: nx.MultiDiGraph, case: str) -> list[dict[str, Any]]:
    """The events of one case in time order.

    Returns
    -------
    list of dict
        ``kind`` (``start`` or ``income``), ``time`` (:func:`time_text`, ``""`` when the
        text gives none), ``year`` (int or None), ``dated`` (bool: the text dates it),
        ``what`` (the programs begun, or the income as ``3000元/月``), ``phase``
        (``before``/``after``/None), ``amount``, ``period``, ``monthly`` (yuan per month,
        :func:`kg.analytics.monthly_amount`), ``sentence``, ``start``, ``end`` (the evidence's
        raw offsets) and ``expression`` (the time as written).
    """
    vocab = display_vocabulary()
    parts = case_parts(G, case)
    d = G.nodes[case]
    begin = d.get("start_time")
    incomes = [o for o in parts["outcome"] if G.nodes[o]["cls"] == "Income"]
    begin_pos = _position(begin)
    dated = begin_pos is not None
    if begin_pos is None:
        # an undated start sits between the dated incomes before and after it
        after = [p for o in incomes if G.nodes[o].get("phase") != "before"
                 and (p := _position(G.nodes[o].get("has_time"))) is not None]
        before = [p for o in incomes if G.nodes[o].get("phase") == "before"
                  and (p := _position(G.nodes[o].get("has_time"))) is not None]
        begin_pos = min(after) - 1e-6 if after else (max(before) + 1e-6 if before else None)
    events: list[tuple[tuple, dict[str, Any]]] = []
    if begin:
        ev = _evidence_of(begin, d)
        programs = "、".join(G.nodes[p]["label"] for p in parts["program"]) or "项目 program"
        events.append(((begin_pos if begin_pos is not None else 0.0, 1, ev.get("start") or 0), {
            "kind": "start", "time": time_text(begin), "year": begin.get("year"), "dated": dated,
            "what": f"开始 start: {programs}", "phase": None, "amount": None, "period": None, "monthly": None,
            "expression": begin.get("label"), **ev}))
    for o in incomes:
        x = G.nodes[o]
        t = x.get("has_time")
        pos = _position(t)
        phase = x.get("phase")
        ev = (x.get("evidence") or [{}])[0]
        if pos is not None:
            key = (pos, 0 if phase == "before" else 2, ev.get("start") or 0)
        elif begin_pos is not None and phase in ("before", "after"):
            key = (begin_pos, 0 if phase == "before" else 2, ev.get("start") or 0)
        elif phase in ("before", "after"):       # no start to place it by: before first, after next
            key = (-math.inf if phase == "before" else math.inf, 0 if phase == "before" else 2, ev.get("start") or 0)
        else:
            key = (math.inf, 3, ev.get("start") or 0)
        per = vocab["periods"].get(x.get("period") or "", x.get("period") or "")
        amount = x.get("label") or ""
        events.append((key, {
            "kind": "income", "time": time_text(t), "year": (t or {}).get("year"), "dated": pos is not None,
            "what": f"{_kind_label(vocab, x.get('income_kind'))}: {amount}" + (f"/{per}" if per and per not in amount else ""),
            "phase": phase, "amount": x.get("amount"), "period": x.get("period"),
            "monthly": monthly_amount(G, o), "expression": (t or {}).get("label"),
            "sentence": ev.get("sentence"), "start": ev.get("start"), "end": ev.get("end")}))
    events.sort(key=lambda e: e[0])
    return [e for _, e in events]


def _kind_label(vocab: dict[str, Any], kind: str | None) -> str:
    """``工资 wage``: the income kind's labels (the ontology's)."""
    lab = vocab["income_kinds"].get(kind or "income") or {"zh": kind, "en": ""}
    return f"{lab['zh']} {lab.get('en', '').lower()}".strip()


def _evidence_of(t: dict[str, Any], case_attrs: dict[str, Any]) -> dict[str, Any]:
    """The case sentence that holds the start's expression (its evidence, for the page)."""
    label = t.get("label") or ""
    for e in case_attrs.get("evidence") or []:
        if label and label in (e.get("sentence") or ""):
            return {"sentence": e.get("sentence"), "start": e.get("start"), "end": e.get("end")}
    return {"sentence": None, "start": None, "end": None}
