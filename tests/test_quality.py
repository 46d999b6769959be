"""Quality gates: the extractor must not fall below the level the project has reached.

* the dev gold (../shared/gold, the five corpus articles) through the independent scorer
  ``../shared/eval/score.py`` (skips without ../shared);
* two held-out articles of our own (tests/data/heldout: other provinces, invented stories,
  annotated in GOLD-FORMAT) through ``kg eval``'s implementation;
* a synthetic corpus (kg.synth: generic templates, general name lexicons, real gazetteer
  chains) through the same implementation — names and places the dev gold never saw;
* real articles from other provinces: ../shared/real (eight, through the shared scorer; skips
  without ../shared) and tests/data/real_more (twenty we annotated: ``dev`` used while
  developing, ``heldout`` scored first-seen and later looked at, ``heldout2`` scored
  first-seen and never looked at; see its SOURCES.md).

Floors are the figures reached (README, "Extraction quality"), rounded down a little.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.build import build
from kg.evaluate import evaluate

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent

#: Issue 3's gate, raised to the level reached on the dev gold.
DEV_FLOORS = {
    "persons_f1": 0.99, "places_f1": 0.98, "organizations_f1": 0.98, "cases_f1": 0.99,
    "case_place_accuracy": 0.95, "case_categories_f1": 0.95, "case_incomes_f1": 0.95,
    "case_organizations_f1": 0.90, "stats_f1": 0.93,
}
HELDOUT_FLOORS = {"persons": 0.95, "places": 0.90, "organizations": 0.80, "cases": 0.95,
                  "case_categories": 0.80, "case_incomes": 0.90}
#: ../shared/real and our own real articles (issue "case facts on real articles").
#: Floors are the figures reached, rounded down a little; the held-out part is never tuned on,
#: so its floor only guards against a regression.
REAL_FLOORS = {
    "persons_f1": 0.95, "places_f1": 0.95, "organizations_f1": 0.91, "cases_f1": 0.96,
    "case_place_accuracy": 0.93, "case_categories_f1": 0.98, "case_incomes_f1": 0.98,
    "case_organizations_f1": 0.91, "stats_f1": 0.90,
}
#: real_more/dev case orgs: the job-fair case found on 2026-12-03 has two organizations not found,
#: so the figure fell from 0.909 to 0.769 while cases rose from 0.857 to 0.909.
REAL_MORE_DEV_FLOORS = {"persons": 0.89, "places": 0.87, "organizations": 0.78, "cases": 0.90,
                        "case_categories": 0.92, "case_incomes": 0.92, "case_organizations": 0.76, "stats": 0.93}
#: First seen: persons 0.741 places 0.821 orgs 0.452 cases 0.727 categories 0.750 incomes 0.800
#: case orgs 0.210 stats 0.500. Case slot figures fall when more cases are found (more slots to get right).
REAL_MORE_HELDOUT_FLOORS = {"persons": 0.96, "places": 0.92, "organizations": 0.83, "cases": 0.87,
                            "case_categories": 0.96, "case_incomes": 0.94, "case_organizations": 0.80,
                            "stats": 0.88}
#: heldout2: eight more (2026-12-03), annotated from the text alone and never tuned on (only
#: their figures were looked at). First seen: persons 0.936 places 0.924 orgs 0.873 cases 0.815
#: categories 0.741 incomes 0.706 case orgs 0.462 stats 0.516; the floor (today's figures, one
#: more case found, with fewer of its slots right) guards a regression.
REAL_MORE_HELDOUT2_FLOORS = {"persons": 0.93, "places": 0.92, "organizations": 0.87, "cases": 0.85,
                             "case_categories": 0.68, "case_incomes": 0.66, "case_organizations": 0.46,
                             "stats": 0.51}
SYNTH_FLOORS = {"persons": 0.85, "places": 0.98, "organizations": 0.77, "cases": 0.82,
                "case_categories": 0.80, "case_incomes": 0.88, "stats": 0.72}


def _build(corpus: Path, out: Path) -> Path:
    report = build(corpus=corpus, out=out, quiet=True, views=False, shacl=False)
    assert report.exit_code == 0
    return out / "kg.ttl"


def _shared_scorer(graph: Path, gold: Path, shared_dir: Path, floors: dict[str, float]) -> None:
    args = [sys.executable, str(shared_dir / "eval" / "score.py"), "--graph", str(graph), "--gold", str(gold)]
    args += [f"--min={k}={v}" for k, v in floors.items()]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]


def test_dev_gold_with_the_shared_scorer(built_output, shared_dir):
    _shared_scorer(built_output / "kg.ttl", shared_dir / "gold", shared_dir, DEV_FLOORS)


def test_real_articles_with_the_shared_scorer(shared_dir, tmp_path):
    graph = _build(shared_dir / "real" / "texts", tmp_path / "out")
    _shared_scorer(graph, shared_dir / "real" / "gold", shared_dir, REAL_FLOORS)


@pytest.mark.parametrize("part", ["dev", "heldout", "heldout2"])
def test_our_real_articles(part, tmp_path):
    floors = {"dev": REAL_MORE_DEV_FLOORS, "heldout": REAL_MORE_HELDOUT_FLOORS, "heldout2": REAL_MORE_HELDOUT2_FLOORS}[part]
    graph = _build(HERE / "data" / "real_more" / part / "texts", tmp_path / "out")
    _check(evaluate(graph, HERE / "data" / "real_more" / part / "gold"), floors)


def _check(res: dict, floors: dict[str, float]) -> None:
    low = {k: res[k]["f1"] for k, floor in floors.items() if res[k]["f1"] < floor}
    assert not low, f"below the floor: {low}\n" + json.dumps(res["per_doc"], ensure_ascii=False)[:3000]


def test_heldout_articles(tmp_path):
    graph = _build(HERE / "data" / "heldout" / "articles", tmp_path / "out")
    _check(evaluate(graph, HERE / "data" / "heldout" / "gold"), HELDOUT_FLOORS)


def test_synthetic_corpus(tmp_path):
    from kg.synth import write_corpus

    write_corpus(tmp_path / "corpus", 30, seed=7, gold_dir=tmp_path / "gold")
    graph = _build(tmp_path / "corpus", tmp_path / "out")
    _check(evaluate(graph, tmp_path / "gold"), SYNTH_FLOORS)


def _scores(graph: Path, gold: Path, shared_dir: Path) -> dict[str, float]:
    args = [sys.executable, str(shared_dir / "eval" / "score.py"), "--graph", str(graph), "--gold", str(gold)]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    last = proc.stdout.strip().splitlines()[-1]
    return {k: float(v) for k, v in (kv.split("=") for kv in last.split())}


def test_real_articles_saved_as_web_pages_pdfs_and_word_files_score_as_their_text(shared_dir, tmp_path):
    """Issue 14's target: each real article saved as a web page (header, navigation,
    related articles, comments, footer around it), printed to PDF (in one column and in
    two) and kept as a Word file,
    in subfolders of one corpus, gives the shared scorer's figures of its text file, within
    0.02 (today: the same figures)."""
    from saved_pages import docx_bytes, html_page, pdf_bytes

    corpus, golds = tmp_path / "corpus", tmp_path / "gold"
    makers = {"text": ("txt", lambda t: t.encode("utf-8")), "html": ("html", lambda t: html_page(t).encode("utf-8")),
              "pdf": ("pdf", pdf_bytes), "pdf2": ("pdf", lambda t: pdf_bytes(t, columns=2)),
              "docx": ("docx", docx_bytes)}
    for p in sorted((shared_dir / "real" / "texts").glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        gold = json.loads((shared_dir / "real" / "gold" / f"{p.name}.json").read_text(encoding="utf-8"))
        for folder, (ext, make) in makers.items():
            name = f"{folder}/{p.stem}.{ext}"
            (corpus / folder).mkdir(parents=True, exist_ok=True)
            (corpus / name).write_bytes(make(text))
            (golds / folder).mkdir(parents=True, exist_ok=True)
            (golds / folder / f"{p.stem}.json").write_text(json.dumps({**gold, "doc": name}, ensure_ascii=False),
                                                           encoding="utf-8")
    graph = _build(corpus, tmp_path / "out")
    base = _scores(graph, golds / "text", shared_dir)
    assert base["cases_f1"] >= REAL_FLOORS["cases_f1"]
    for folder in ("html", "pdf", "pdf2", "docx"):         # pdf2: printed in two columns
        got = _scores(graph, golds / folder, shared_dir)
        assert set(got) == set(base)
        worse = {k: (base[k], got[k]) for k in base if abs(got[k] - base[k]) > 0.02}
        assert not worse, f"{folder}: {worse}"
