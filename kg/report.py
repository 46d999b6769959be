"""The analytics report (``report.html``) and the templates every page shares.

:func:`render_report` turns what :func:`kg.analytics.analyze` computed into HTML; the Jinja
environment, the stylesheet and the display vocabulary (class colours, Chinese names) are
here too, so that the analytics (which write the report) and the views (which use the same
templates) both build on this module and not on each other.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

__all__ = ["display_vocabulary", "ontology_labels", "render_report", "svg_bar_chart"]


@lru_cache(maxsize=1)
def display_vocabulary() -> dict[str, Any]:
    """The display vocabulary: class colours and Chinese names (``kg/templates/labels.json``),
    and the labels of the program categories and income kinds, taken from the ontology
    (:func:`ontology_labels`) so that every page, filter, export and the report show one
    label per concept."""
    from kg.resources import templates_dir

    vocab = json.loads((templates_dir() / "labels.json").read_text(encoding="utf-8"))
    labels = ontology_labels()
    vocab["categories"] = {c: lab["zh"] for c, lab in labels["categories"].items()}
    vocab["income_kinds"] = labels["income_kinds"]
    return vocab


@lru_cache(maxsize=1)
def ontology_labels() -> dict[str, dict[str, dict[str, str]]]:
    """``{"categories": {local name: {"zh", "en"}}, "income_kinds": {notation: {"zh", "en"}}}``:
    the ``skos:prefLabel`` of each concept of ``fp:ProgramCategories`` and ``fp:IncomeKinds``
    in the shipped ontology, sorted by name."""
    import pyoxigraph as ox

    from kg.namespace import FP_NS
    from kg.resources import ontology_dir

    store = ox.Store()
    store.load(path=str(ontology_dir() / "fupin.ttl"), format=ox.RdfFormat.TURTLE)
    out: dict[str, dict[str, dict[str, str]]] = {"categories": {}, "income_kinds": {}}
    for key, scheme, name in (("categories", "ProgramCategories", "STRAFTER(STR(?c), '#')"),
                              ("income_kinds", "IncomeKinds", "STR(?n)")):
        q = (f"PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?name ?l WHERE {{ "
             f"<{FP_NS}{scheme}> skos:hasTopConcept ?c . ?c skos:prefLabel ?l . "
             f"OPTIONAL {{ ?c skos:notation ?n }} BIND ({name} AS ?name) }}")
        for sol in store.query(q):
            out[key].setdefault(sol["name"].value, {})[sol["l"].language] = sol["l"].value
    return {k: dict(sorted(v.items())) for k, v in out.items()}


@lru_cache(maxsize=1)
def _env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    from kg.resources import templates_dir

    env = Environment(loader=FileSystemLoader(str(templates_dir())), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = _num
    return env


def _num(x: Any, digits: int = 0) -> str:
    if x is None:
        return "–"
    if isinstance(x, float) and not x.is_integer():
        return f"{x:,.{max(digits, 2)}f}"
    return f"{x:,.0f}" if isinstance(x, int | float) else str(x)


def _css() -> str:
    from kg.resources import templates_dir

    return (templates_dir() / "style.css").read_text(encoding="utf-8")


def _markup(s: str):
    from markupsafe import Markup

    return Markup(s.replace("</script", "<\\/script").replace("</style", "<\\/style"))


def svg_bar_chart(rows: Iterable[tuple[str, float | None, float | None, float | None]], *, title: str,
                  unit: str = "", width: int = 640, bar_h: int = 22) -> str:
    """A horizontal bar chart as inline SVG (no library, no request).

    Parameters
    ----------
    rows : iterable of (label, value, low, high)
        One bar per row; ``low``/``high`` (optional) draw a range whisker (min–max).
    """
    from markupsafe import escape

    rows = [r for r in rows if r[1] is not None]
    left, right, top = 150, 90, 28
    height = top + bar_h * max(len(rows), 1) + 24
    vmax = max([r[1] for r in rows] + [r[3] for r in rows if r[3] is not None] + [1e-9])
    scale = (width - left - right) / vmax
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}"><title>{escape(title)}</title>',
             f'<text x="0" y="16" class="chart-title">{escape(title)}</text>']
    if not rows:
        parts.append(f'<text x="{left}" y="{top + 16}" class="chart-empty">无数据 (no data)</text>')
    for i, (label, value, low, high) in enumerate(rows):
        y = top + i * bar_h
        w = max(value * scale, 1.0)
        parts.append(f'<text x="{left - 6}" y="{y + bar_h * 0.68:.1f}" text-anchor="end" class="chart-label">'
                     f'{escape(label)}</text>')
        parts.append(f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{bar_h - 6}" class="chart-bar">'
                     f'<title>{escape(label)}: {_num(value)}{escape(unit)}</title></rect>')
        if low is not None and high is not None and high > low:
            x1, x2, ym = left + low * scale, left + high * scale, y + bar_h / 2
            parts.append(f'<line x1="{x1:.1f}" x2="{x2:.1f}" y1="{ym:.1f}" y2="{ym:.1f}" class="chart-range"/>'
                         f'<line x1="{x1:.1f}" x2="{x1:.1f}" y1="{ym - 5:.1f}" y2="{ym + 5:.1f}" class="chart-range"/>'
                         f'<line x1="{x2:.1f}" x2="{x2:.1f}" y1="{ym - 5:.1f}" y2="{ym + 5:.1f}" class="chart-range"/>')
        xe = left + max(w, (high or 0) * scale) + 6
        parts.append(f'<text x="{xe:.1f}" y="{y + bar_h * 0.68:.1f}" class="chart-value">{_num(value)}{escape(unit)}</text>')
    parts.append("</svg>")
    from markupsafe import Markup

    return Markup("".join(parts))


def render_report(result: dict[str, Any]) -> str:
    """The analytics report (``report.html``) from what :func:`kg.analytics.analyze` computed:
    tables and two inline-SVG charts (monthly income after the program by category, cases
    per county)."""
    cat_rows = [r for r in result["outcomes"] if r["category"] != "ALL"]
    income_chart = svg_bar_chart(
        [(r["label"], r["monthly_after"]["mean"], r["monthly_after"]["min"], r["monthly_after"]["max"])
         for r in cat_rows if r["monthly_after"]["n"]],
        title="各项目类别参与后个人月收入（元/月，平均数，线段为最小–最大） Monthly income after the program (yuan/month, mean, min–max)",
        unit="元")
    county_chart = svg_bar_chart([(r["label"], r["cases"], None, None) for r in result["places"].get("county", [])[:30]],
                                 title="各区县案例数 Cases per county", unit="")
    township_chart = svg_bar_chart([(r["label"], r["cases"], None, None)
                                    for r in result["places"].get("township", [])[:30]],
                                   title="各乡镇案例数 Cases per township", unit="")
    vocab = display_vocabulary()
    # one column per unit of the stated figures (a sum never adds 人 to 个 or 元)
    units = {lv: sorted({u for p in rows for u in p["stat_sums"]}) for lv, rows in result["places"].items()}
    kinds = sorted({k for r in result["outcomes"] for k in r.get("by_kind", {})},
                   key=lambda k: (k not in vocab["income_kinds"], k))
    return _env().get_template("report.html").render(
        r=result, income_chart=income_chart, county_chart=county_chart, township_chart=township_chart,
        classes=vocab["classes"], css=_markup(_css()), top=15, units=units, kinds=kinds,
        kind_labels=vocab["income_kinds"], periods=vocab["periods"],
    )
