"""The synthetic scaling corpus: deterministic, realistic noise, gold that matches its text."""

from __future__ import annotations

import json
import re

from kg.evaluate import read_gold
from kg.resources import data_file
from kg.synth import load_counties, load_templates, synth_article, write_corpus


def _flat(text: str) -> str:
    """The text with line breaks and spaces removed (what layout repair should recover)."""
    return re.sub(r"\s+", "", text)


def _names(x):
    return [x] if isinstance(x, str) else x


def test_deterministic_and_prefix_stable(tmp_path):
    assert synth_article(3, seed=7).text == synth_article(3, seed=7).text
    assert synth_article(3, seed=7).text != synth_article(3, seed=8).text
    a = write_corpus(tmp_path / "a", 3, seed=1)
    b = write_corpus(tmp_path / "b", 5, seed=1)
    assert [p.name for p in a] == ["synth_00000.txt", "synth_00001.txt", "synth_00002.txt"]
    for pa, pb in zip(a, b):
        assert pa.read_bytes() == pb.read_bytes()


def test_gold_matches_text(tmp_path):
    write_corpus(tmp_path / "c", 20, seed=0, gold_dir=tmp_path / "g")
    golds = read_gold(tmp_path / "g")                    # valid GOLD-FORMAT
    assert len(golds) == 20
    for g in golds:
        text = (tmp_path / "c" / g.doc).read_text(encoding="utf-8")
        flat = _flat(text)
        assert "{" not in text and "}" not in text
        assert 7 <= len(g.cases) <= 14
        for name in g.persons + g.ignore_persons:
            assert name in flat, (g.doc, name)
        for x in g.places + g.organizations:
            assert any(n in flat for n in _names(x)), (g.doc, x)
        for c in g.cases:
            assert c.person in g.persons and c.categories and c.places
            for inc in c.incomes:
                amount = inc["amount"]
                forms = {str(amount), f"{amount / 10000:g}万"}
                assert any(f in flat for f in forms), (g.doc, c.person, inc)
        for s in g.stats:
            assert str(s["value"]) in flat


def test_places_come_from_the_gazetteer():
    counties = {c.name: c for c in load_counties()}
    assert len(counties) > 1000
    for i in range(10):
        gold = synth_article(i).gold
        county = next(c for c in counties.values() if c.name in _names(gold["places"][0]) or
                      any(c.name == n for x in gold["places"] for n in _names(x)))
        towns = {t for t, _ in county.towns}
        villages = {v for _, vs in county.towns for v in vs}
        for x in gold["places"]:
            name = _names(x)[0]
            assert name == county.name or name in towns or name in villages, name


def test_ocr_noise_is_present():
    texts = [synth_article(i).text for i in range(30)]
    lines = [line for t in texts for line in t.splitlines()]
    assert max(len(line) for line in lines[1:]) < 60                   # column lines, not paragraphs
    assert any(re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff] [\u4e00-\u9fff]", line) for line in lines)
    assert any(re.search(r" \d+ ", line) for line in lines)               # spaced numbers
    assert any("摄摄//" in t for t in texts)                             # doubled photo credits
    broken = 0
    for i, t in enumerate(texts):
        for name in synth_article(i).gold["persons"]:
            if name not in t.replace(" ", "") and name in _flat(t):
                broken += 1                                               # a name split by a line break
    assert broken > 0


def test_templates_hold_no_corpus_names(shared_dir):
    """Templates are generic: no person, place or organization of the dev gold occurs in them."""
    text = data_file("synth_templates.txt").read_text(encoding="utf-8")
    assert set(load_templates()) >= {"headline", "lead", "policy", "case", "quote", "closing"}
    for gf in (shared_dir / "gold").glob("*.json"):
        gold = json.loads(gf.read_text(encoding="utf-8"))
        for key in ("persons", "places", "organizations"):
            for x in gold[key]:
                for name in _names(x):
                    if len(name) >= 2 and name not in ("中国",):
                        assert name not in text, (gf.name, name)
