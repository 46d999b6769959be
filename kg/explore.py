"""Notebook-friendly access to a built ``output/``: case stories, SPARQL as pandas tables,
analytics as tables and charts, and the interactive view embedded in a notebook.

A thin layer over the public API (:mod:`kg.analytics`, :mod:`kg.store`, :mod:`kg.views`):
it computes nothing of its own beyond reshaping, so the notebooks, the report and
``kg query`` always agree. The notebooks in ``notebooks/`` use only this module and the
modules it wraps.

* :func:`output_dir` finds the build (``$KG_OUT``, else ``../output`` seen from the
  notebook), :func:`load_kg` loads its graph into networkx (from the RDF).
* :func:`case_stories` selects stories by person, place (any level of the hierarchy) or
  program category; :func:`story_markdown`, :func:`stories_frame`, :func:`incomes_frame`,
  :func:`timeline_frame` (each story in time order) and :func:`plot_incomes` show them.
* :func:`example_queries` lists ``queries/*.rq`` with the question each asks;
  :func:`query_df` runs a query and returns a :class:`pandas.DataFrame`.
* :func:`centrality_frame`, :func:`communities_frame`, :func:`outcomes_frame`,
  :func:`rollup_frame` turn the analytics into tables; :func:`neighbourhood` cuts a
  subgraph and :func:`embed_html` shows an offline page (``graph.html`` or one written by
  :func:`kg.views.write_graph_html`) inside the notebook.

pandas and matplotlib come with the ``notebooks`` extra (``pip install -e '.[notebooks]'``);
they are imported when first needed.
"""

from __future__ import annotations

import html
import os
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from kg.analytics import (
    case_parts,
    centrality,
    communities,
    display_vocabulary,
    load_graph,
    monthly_amount,
    nodes_of,
    outcomes_by_category,
    place_chain,
    place_rollup,
)
from kg.errors import KGError
from kg.timeline import case_timeline

__all__ = [
    "ENV_VAR", "output_dir", "load_kg", "facets", "find_cases", "case_story", "case_stories", "story_markdown",
    "stories_frame", "incomes_frame", "timeline_frame", "plot_incomes", "use_cjk_font", "ExampleQuery",
    "example_queries",
    "query_df", "centrality_frame", "communities_frame", "outcomes_frame", "rollup_frame",
    "neighbourhood", "embed_html",
]

#: The environment variable naming the build directory the notebooks read.
ENV_VAR = "KG_OUT"

#: Font families tried, in order, for Chinese labels in matplotlib.
_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
              "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Noto Serif CJK SC", "SimHei",
              "Microsoft YaHei", "PingFang SC", "Heiti SC", "AR PL UMing CN", "Droid Sans Fallback")


# ---------------------------------------------------------------------------------------------
# Finding and loading the build


def output_dir(default: str | os.PathLike = "../output", env: str = ENV_VAR) -> Path:
    """The build directory: ``$KG_OUT`` when set, else ``default`` (relative to the working
    directory, which for a notebook is the notebook's folder).

    Raises :class:`~kg.errors.KGError` when it holds no built graph (``kg.ttl``).
    """
    raw = os.environ.get(env) or os.fspath(default)
    out = Path(raw).expanduser().resolve()
    if not (out / "kg.ttl").is_file():
        raise KGError(f"{out}: no built knowledge graph here (no kg.ttl); run `kg build --out {raw}` "
                      f"or set {env} to a build directory")
    return out


def load_kg(out: str | os.PathLike) -> nx.MultiDiGraph:
    """The knowledge graph of a build directory as networkx (:func:`kg.analytics.load_graph`
    on ``out/kg.ttl``)."""
    return load_graph(Path(out) / "kg.ttl")


# ---------------------------------------------------------------------------------------------
# Case stories


def _labels(G: nx.MultiDiGraph, ids: Iterable[str]) -> list[str]:
    return [G.nodes[n]["label"] for n in ids]


def _category_labels(G: nx.MultiDiGraph) -> dict[str, str]:
    return G.graph.get("category_labels") or display_vocabulary()["categories"]


def _matches(query: str, text: str | None) -> bool:
    return bool(text) and query.casefold() in str(text).casefold()


def facets(G: nx.MultiDiGraph) -> dict[str, list[str]]:
    """What the stories can be selected by: ``persons`` (with a case), ``townships`` and
    ``counties`` (above or at a case's place), ``categories`` (``"LocalName 中文"`` of the
    categories the cases have), each sorted."""
    cat_zh = _category_labels(G)
    persons, places, cats = set(), {"township": set(), "county": set()}, set()
    for case in nodes_of(G, "Case"):
        parts = case_parts(G, case)
        persons.update(_labels(G, parts["person"]))
        for p in parts["place"]:
            for a in place_chain(G, p):
                lv = G.nodes[a].get("admin_level")
                if lv in places:
                    places[lv].add(G.nodes[a]["label"])
        cats.update(G.nodes[case]["category"])
    return {"persons": sorted(persons), "townships": sorted(places["township"]),
            "counties": sorted(places["county"]), "categories": [f"{c} {cat_zh.get(c, '')}".strip() for c in sorted(cats)]}


def find_cases(G: nx.MultiDiGraph, person: str | None = None, place: str | None = None,
               category: str | None = None) -> list[str]:
    """Case nodes matching every criterion given (``None`` means any), in label order.

    Parameters
    ----------
    person : str, optional
        Part of the person's name (``"小明"`` finds 王小明).
    place : str, optional
        Part of the name of any place up the hierarchy of the case's places: a village, its
        township, county or province (``"某某镇"``; ``"某某"`` finds 某某区 and 某某县).
    category : str, optional
        A program category of the SKOS scheme, by local name (``"SkillsTraining"``, case
        insensitive) or Chinese label (``"技能培训"``), or part of a program's name
        (``"扶贫车间"``).
    """
    cat_zh = _category_labels(G)
    out = []
    for case in nodes_of(G, "Case"):
        parts = case_parts(G, case)
        if person and not any(_matches(person, G.nodes[p]["label"]) for p in parts["person"]):
            continue
        if place and not any(_matches(place, G.nodes[a]["label"])
                             for p in parts["place"] for a in place_chain(G, p)):
            continue
        if category:
            cats = G.nodes[case]["category"]
            hit = any(c.casefold() == category.casefold() or cat_zh.get(c) == category for c in cats)
            hit = hit or any(_matches(category, G.nodes[p]["label"]) for p in parts["program"])
            if not hit:
                continue
        out.append(case)
    return out


def _evidence(d: dict) -> list[dict[str, Any]]:
    return [{"sentence": e["sentence"], "start": e.get("start"), "end": e.get("end"), "source": e.get("source")}
            for e in d.get("evidence") or []]


def case_story(G: nx.MultiDiGraph, case: str) -> dict[str, Any]:
    """Everything the graph says about one case, as plain values.

    Returns
    -------
    dict
        ``case`` (IRI), ``person`` (name), ``person_roles``, ``gender``, ``role`` (of the case:
        participant, employee, entrepreneur, referral), ``programs`` (``{"label",
        "categories": [zh], "category_ids"}``), ``categories`` (zh labels of the case),
        ``places`` (one list per place, broadest first, of ``{"label", "level"}``),
        ``organizations`` (labels), ``incomes`` (``{"label", "amount", "amount_max",
        "period", "phase", "approximate", "text", "monthly", "sentence", "start", "end"}``;
        ``monthly`` per :func:`kg.analytics.monthly_amount`), ``evidence`` (``{"sentence",
        "start", "end", "source"}``, raw offsets), ``article`` (``{"file", "title", "date",
        "publication"}``), ``timeline`` (the story in time order: :func:`kg.timeline.case_timeline`),
        ``started`` (when the program began, as the text says it, or None).
    """
    d = G.nodes[case]
    parts = case_parts(G, case)
    cat_zh = _category_labels(G)
    persons = [G.nodes[p] for p in parts["person"]]
    roles = sorted({r for p in persons for r in (p.get("role") if isinstance(p.get("role"), list)
                                                  else [p.get("role")]) if r})
    programs = [{"label": G.nodes[p]["label"], "category_ids": list(G.nodes[p]["category"]),
                 "categories": [cat_zh.get(c, c) for c in G.nodes[p]["category"]]} for p in parts["program"]]
    places = [[{"label": G.nodes[a]["label"], "level": G.nodes[a].get("admin_level")}
               for a in reversed(place_chain(G, p))] for p in parts["place"]]
    incomes = []
    for i in parts["outcome"]:
        x = G.nodes[i]
        if x["cls"] != "Income":
            continue
        ev = (x.get("evidence") or [{}])[0]
        incomes.append({"label": x["label"], "amount": x.get("amount"), "amount_max": x.get("amount_max"),
                        "period": x.get("period"), "phase": x.get("phase"),
                        "approximate": bool(x.get("approximate")), "text": x.get("money_text") or x.get("text"),
                        "monthly": monthly_amount(G, i), "sentence": ev.get("sentence"),
                        "start": ev.get("start"), "end": ev.get("end")})
    incomes.sort(key=lambda r: ({"before": 0, None: 1, "after": 2}.get(r["phase"], 1), r["start"] or 0))
    art = G.nodes[parts["source"][0]] if parts["source"] else {}
    return {
        "case": case, "person": "、".join(_labels(G, parts["person"])), "person_roles": roles,
        "gender": next((p.get("gender") for p in persons if p.get("gender")), None),
        "role": d.get("case_role") or d.get("role"), "programs": programs,
        "categories": [cat_zh.get(c, c) for c in d["category"]], "places": places,
        "organizations": _labels(G, parts["organization"]), "incomes": incomes, "evidence": _evidence(d),
        "timeline": case_timeline(G, case), "started": (d.get("start_time") or {}).get("label"),
        "article": {"file": art.get("file_name") or (d["sources"][0] if d["sources"] else None),
                    "title": art.get("title"), "date": art.get("date"), "publication": art.get("publication")},
    }


def case_stories(G: nx.MultiDiGraph, person: str | None = None, place: str | None = None,
                 category: str | None = None) -> list[dict[str, Any]]:
    """:func:`case_story` of every case :func:`find_cases` selects."""
    return [case_story(G, c) for c in find_cases(G, person=person, place=place, category=category)]


def _fmt(x: float | None) -> str:
    if x is None:
        return "?"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def _income_text(i: dict[str, Any]) -> str:
    vocab = display_vocabulary()
    amount = _fmt(i["amount"]) + (f"–{_fmt(i['amount_max'])}" if i["amount_max"] is not None else "")
    per = vocab["periods"].get(i["period"] or "", i["period"] or "")
    phase = vocab["phases"].get(i["phase"] or "", "阶段未注明")
    return (f"{phase}: {'约' if i['approximate'] else ''}{amount} 元" + (f"/{per}" if per else "")
            + (f" (“{i['text']}”)" if i["text"] else ""))


def _md(text: str) -> str:
    """Escape Markdown's special characters in text taken from the articles."""
    return re.sub(r"([\\`*_{}\[\]<>#|])", r"\\\1", text)


def story_markdown(story: dict[str, Any]) -> str:
    """One case story as Markdown: who, programs, places up the hierarchy, employer or
    organiser, incomes before and after, and the evidence sentences with raw offsets."""
    levels = display_vocabulary()["levels"]
    lines = [f"### {_md(story['person'])}"]
    who = "、".join(story["person_roles"]) or "—"
    lines.append(f"- **人物 Who**: {_md(story['person'])} ({_md(who)}; case role: {story['role'] or '—'})")
    progs = "; ".join(f"{_md(p['label'])} [{'、'.join(p['categories']) or '未分类'}]" for p in story["programs"])
    lines.append(f"- **项目 Programs**: {progs or '—'}")
    for chain in story["places"] or [[]]:
        where = " › ".join(f"{_md(p['label'])} ({levels.get(p['level'] or '', p['level'] or '?')})" for p in chain)
        lines.append(f"- **地点 Where**: {where or '—'}")
    lines.append(f"- **机构 Employer / organiser**: {_md('、'.join(story['organizations'])) or '—'}")
    if story.get("timeline"):
        lines.append("- **时间线 Timeline**:")
        lines += [f"    - {_md(e['time'] or '（未注明时间 undated）')} · {_md(e['what'])}"
                  + (f" ({e['phase']})" if e["phase"] else "") for e in story["timeline"]]
    if story["incomes"]:
        lines.append("- **收入 Income**:")
        lines += [f"    - {_md(_income_text(i))}" for i in story["incomes"]]
    else:
        lines.append("- **收入 Income**: — (none stated)")
    art = story["article"]
    lines.append(f"- **来源 Source**: {_md(art['title'] or '')} `{art['file'] or '?'}`"
                 + (f", {art['date']}" if art["date"] else ""))
    lines.append("")
    lines.append("**证据 Evidence** (raw offsets in the article):")
    lines.append("")
    for e in story["evidence"] or [{"start": None, "end": None, "sentence": "—"}]:
        lines += [f"> [{e['start']}–{e['end']}] {_md(e['sentence'])}", ""]
    return "\n".join(lines)


def _pandas():
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - depends on the environment
        raise KGError("pandas is needed here: pip install -e '.[notebooks]'") from None
    return pd


def _monthly(story: dict[str, Any], phase: str) -> float | None:
    vals = [i["monthly"] for i in story["incomes"] if i["monthly"] is not None
            and (i["phase"] == phase or (phase == "after" and i["phase"] is None))]
    return max(vals) if vals else None


def stories_frame(stories: list[dict[str, Any]]):
    """One row per story: person, role, programs, categories, place (most specific, full
    path), organizations, monthly income before/after (yuan; after includes incomes of
    unstated phase, as in :mod:`kg.analytics`), number of evidence sentences, article."""
    pd = _pandas()
    rows = [{"person": s["person"], "role": s["role"],
             "programs": "; ".join(p["label"] for p in s["programs"]),
             "categories": "、".join(s["categories"]),
             "place": " / ".join(" › ".join(p["label"] for p in chain) for chain in s["places"]),
             "organizations": "; ".join(s["organizations"]),
             "monthly_before": _monthly(s, "before"), "monthly_after": _monthly(s, "after"),
             "evidence": len(s["evidence"]), "article": s["article"]["file"]} for s in stories]
    return pd.DataFrame(rows, columns=["person", "role", "programs", "categories", "place", "organizations",
                                       "monthly_before", "monthly_after", "evidence", "article"])


def incomes_frame(stories: list[dict[str, Any]]):
    """One row per stated income: person, phase (``before``/``after``/``unstated``), period,
    amount, range top, approximate, monthly (yuan/month or NaN for day and total figures),
    the money expression and its evidence sentence."""
    pd = _pandas()
    rows = [{"person": s["person"], "phase": i["phase"] or "unstated", "period": i["period"],
             "amount": i["amount"], "amount_max": i["amount_max"], "approximate": i["approximate"],
             "monthly": i["monthly"], "text": i["text"], "sentence": i["sentence"], "start": i["start"]}
            for s in stories for i in s["incomes"]]
    return pd.DataFrame(rows, columns=["person", "phase", "period", "amount", "amount_max", "approximate",
                                       "monthly", "text", "sentence", "start"])


def timeline_frame(stories: list[dict[str, Any]]):
    """Each story in time order (:func:`kg.timeline.case_timeline`), one row per event:
    person, step (1, 2 ... within the story), kind (``start`` of the program or ``income``),
    time (as the text dates it, resolved against the article's date where relative; empty
    when undated), year, what happened, phase, monthly income (yuan) and the evidence."""
    pd = _pandas()
    rows = [{"person": s["person"], "step": k, "kind": e["kind"], "time": e["time"], "year": e["year"],
             "what": e["what"], "phase": e["phase"] or "", "monthly": e["monthly"], "sentence": e["sentence"],
             "start": e["start"], "article": s["article"]["file"]}
            for s in stories for k, e in enumerate(s.get("timeline") or [], 1)]
    return pd.DataFrame(rows, columns=["person", "step", "kind", "time", "year", "what", "phase", "monthly",
                                       "sentence", "start", "article"])


# ---------------------------------------------------------------------------------------------
# Charts


def use_cjk_font() -> str | None:
    """Make matplotlib draw Chinese labels with an installed CJK font; returns its family,
    or ``None`` when none is installed (the labels then show as boxes and matplotlib's
    missing-glyph warnings are silenced: install e.g. Debian's ``fonts-noto-cjk``)."""
    import matplotlib as mpl
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    family = next((f for f in _CJK_FONTS if f in installed), None)
    if family is None:
        # matplotlib's font list is cached: fonts installed after it was made are not in it.
        # Ask fontconfig for the installed Chinese fonts and add them.
        installed |= _add_fontconfig_cjk_fonts(font_manager.fontManager)
        family = next((f for f in _CJK_FONTS if f in installed), None)
    if family is None:
        warnings.filterwarnings("ignore", message=r".*[Gg]lyph .* missing from.*")
        return None
    current = list(mpl.rcParams["font.sans-serif"])
    mpl.rcParams["font.sans-serif"] = [family, *[f for f in current if f != family]]
    mpl.rcParams["font.family"] = "sans-serif"
    mpl.rcParams["axes.unicode_minus"] = False
    return family


def _add_fontconfig_cjk_fonts(manager) -> set[str]:
    """Add the fonts ``fc-list :lang=zh`` names to matplotlib's font manager; returns their
    family names (empty without fontconfig)."""
    import shutil
    import subprocess

    fc = shutil.which("fc-list")
    if fc is None:
        return set()
    try:
        listing = subprocess.run([fc, ":lang=zh", "file"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return set()
    before = len(manager.ttflist)
    for path in sorted({line.split(":")[0].strip() for line in listing.splitlines() if line.strip()}):
        try:
            manager.addfont(path)
        except (OSError, RuntimeError, ValueError):
            continue
    return {f.name for f in manager.ttflist[before:]}


def plot_incomes(stories: list[dict[str, Any]], ax=None):
    """Monthly income before → after per person (a dumbbell chart): grey dots before, red dots
    after the program, hollow red dots where the phase is not stated (counted as after, as in
    :mod:`kg.analytics`), an arrow where both are known,
    a bar for a stated range. Day and total figures are not converted and not drawn.
    Returns the matplotlib Axes."""
    import matplotlib.pyplot as plt

    rows = [(s["person"], s) for s in stories if any(i["monthly"] is not None for i in s["incomes"])]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.45 * max(len(rows), 2) + 1.2))
    seen: set[str] = set()

    def label(text: str) -> str | None:
        if text in seen:
            return None
        seen.add(text)
        return text

    for y, (_name, s) in enumerate(rows):
        before = [i for i in s["incomes"] if i["monthly"] is not None and i["phase"] == "before"]
        after = [i for i in s["incomes"] if i["monthly"] is not None and i["phase"] != "before"]
        for i in before + after:
            if i["amount_max"] is not None:
                k = 12 if i["period"] == "year" else 1
                ax.plot([i["amount"] / k, i["amount_max"] / k], [y, y], color="#cccccc", lw=5, zorder=1,
                        solid_capstyle="round")
        if before:
            ax.scatter([i["monthly"] for i in before], [y] * len(before), color="#888888", zorder=3,
                       label=label("before 参与前"))
        stated = [i["monthly"] for i in after if i["phase"] == "after"]
        unstated = [i["monthly"] for i in after if i["phase"] != "after"]
        if stated:
            ax.scatter(stated, [y] * len(stated), color="#e15759", zorder=3, label=label("after 参与后"))
        if unstated:
            ax.scatter(unstated, [y] * len(unstated), facecolors="none", edgecolors="#e15759", zorder=3,
                       label=label("phase not stated (counted as after) 未注明"))
        if before and after:
            b, a = max(i["monthly"] for i in before), max(i["monthly"] for i in after)
            ax.annotate("", xy=(a, y), xytext=(b, y), arrowprops={"arrowstyle": "->", "color": "#e15759"})
    ax.set_yticks(range(len(rows)), [name for name, _ in rows])
    ax.set_xlabel("monthly income, yuan (元/月; a year ÷ 12; a range: grey bar, dot at its midpoint)")
    ax.set_title("收入 Incomes before → after the program")
    ax.grid(axis="x", alpha=0.3)
    if rows:
        ax.legend(loc="best", fontsize="small")
    ax.invert_yaxis()
    return ax


# ---------------------------------------------------------------------------------------------
# SPARQL


@dataclass(frozen=True)
class ExampleQuery:
    """An example query of ``queries/``: file name, the question (its leading comment) and text."""

    name: str
    question: str
    text: str
    path: Path


def example_queries(directory: str | os.PathLike | None = None) -> list[ExampleQuery]:
    """The example queries (``queries/*.rq``, installed as ``kg.queries``), in file order."""
    from kg.resources import queries_dir

    d = Path(directory) if directory is not None else queries_dir()
    out = []
    for path in sorted(d.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        comment = []
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            comment.append(line.lstrip("#").strip())
        out.append(ExampleQuery(path.stem, " ".join(c for c in comment if c), text, path))
    return out


def query_df(store, text: str, source: str = "<query>"):
    """Run a SPARQL query (:func:`kg.store.query`: the project's prefixes need no ``PREFIX``
    line) and return a :class:`pandas.DataFrame`: one column per variable, IRIs in prefixed
    form (``fp:Case``), numbers as numbers, unbound as ``None``. An ASK query gives one
    column ``ask``; CONSTRUCT/DESCRIBE give ``subject``, ``predicate``, ``object``.
    ``store`` is a store directory or an open store (:func:`kg.store.open_store`)."""
    import pyoxigraph as ox

    from kg.store import compact, py_value, query

    pd = _pandas()
    res = query(store, text, source=source)

    def cell(t):
        return compact(t) if isinstance(t, ox.NamedNode | ox.BlankNode) else py_value(t)

    if res.kind == "ask":
        return pd.DataFrame({"ask": [res.boolean]})
    if res.kind == "graph":
        return pd.DataFrame([(cell(t.subject), cell(t.predicate), cell(t.object)) for t in res.triples],
                            columns=["subject", "predicate", "object"])
    return pd.DataFrame([[cell(t) for t in row] for row in res.rows], columns=res.variables)


# ---------------------------------------------------------------------------------------------
# Analytics as tables


def centrality_frame(G: nx.MultiDiGraph, top: int | None = 10):
    """:func:`kg.analytics.centrality` as one table: class, label, degree, degree
    centrality, betweenness; the ``top`` most central of each class."""
    pd = _pandas()
    rows = [{"class": c, **{k: r[k] for k in ("label", "degree", "degree_centrality", "betweenness")}}
            for c, rs in centrality(G, top=top).items() for r in rs]
    return pd.DataFrame(rows, columns=["class", "label", "degree", "degree_centrality", "betweenness"])


def communities_frame(G: nx.MultiDiGraph, members: int = 8):
    """:func:`kg.analytics.communities` as a table: size, members per class, the first
    ``members`` members (most connected first)."""
    pd = _pandas()
    rows = []
    for i, c in enumerate(communities(G)):
        rows.append({"community": i, "size": c["size"], **{k: c["by_class"].get(k, 0) for k in
                                                            ("Person", "Program", "Place", "Organization")},
                     "members": "、".join(c["members"][:members]) + ("…" if c["size"] > members else "")})
    return pd.DataFrame(rows, columns=["community", "size", "Person", "Program", "Place", "Organization", "members"])


def outcomes_frame(G: nx.MultiDiGraph):
    """:func:`kg.analytics.outcomes_by_category` flattened: per category, cases, incomes and
    monthly income after / before the program (n, mean, min, max in yuan per month)."""
    pd = _pandas()
    rows = []
    for r in outcomes_by_category(G):
        row = {"category": r["category"], "label": r["label"], "cases": r["cases"], "incomes": r["incomes"]}
        for phase in ("after", "before"):
            for k, v in r[f"monthly_{phase}"].items():
                row[f"{phase}_{k}"] = v
        rows.append(row)
    return pd.DataFrame(rows)


def rollup_frame(G: nx.MultiDiGraph, level: str = "county"):
    """:func:`kg.analytics.place_rollup` at one administrative level as a table."""
    pd = _pandas()
    rows = [{"place": r["label"], "path": " › ".join(r["path"]), "cases": r["cases"], "persons": r["persons"],
             "incomes": r["incomes"], "mean_monthly_income": r["monthly_income"]["mean"],
             "statistics": r["statistics"]} for r in place_rollup(G, levels=(level,))[level]]
    return pd.DataFrame(rows, columns=["place", "path", "cases", "persons", "incomes", "mean_monthly_income",
                                       "statistics"])


# ---------------------------------------------------------------------------------------------
# Interactive views


def neighbourhood(G: nx.MultiDiGraph, nodes: Iterable[str], radius: int = 1,
                  skip: Iterable[str] = ("Article",)) -> nx.MultiDiGraph:
    """The subgraph of ``nodes`` and everything within ``radius`` links of them (either
    direction), keeping the graph's attributes, ready for :func:`kg.views.write_graph_html`.

    Nodes of the classes in ``skip`` are left out and not walked through: an article links
    everything it mentions, so a radius of 2 through it would take in the whole article.
    """
    skip = set(skip)
    U = G.to_undirected(as_view=True)
    U = nx.subgraph_view(U, filter_node=lambda n: G.nodes[n]["cls"] not in skip)
    keep: set[str] = set()
    for n in nodes:
        keep.update(nx.single_source_shortest_path_length(U, n, cutoff=radius))
    H = G.subgraph(keep).copy()
    H.graph.update(G.graph)
    return H


def embed_html(page: str | os.PathLike, height: int = 600):
    """Show an offline HTML page (``output/graph.html``, a case page, or one written by
    :func:`kg.views.write_graph_html`) inside the notebook, in an ``<iframe srcdoc>``: the
    page travels with the notebook output, so it works wherever the build directory is."""
    from IPython.display import HTML

    text = Path(page).read_text(encoding="utf-8")
    return HTML(f'<div><iframe srcdoc="{html.escape(text, quote=True)}" style="width:100%;height:{int(height)}px;'
                f'border:1px solid #ddd" sandbox="allow-scripts allow-same-origin"></iframe></div>')
