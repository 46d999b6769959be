"""The gazetteer index over jionlp's administrative divisions."""

from __future__ import annotations

import time

import pytest

from kg.nlp.gazetteer import COUNTY, PREFECTURE, PROVINCE, TOWNSHIP, VILLAGE, load_gazetteer


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


def test_full_names_resolve_to_paths(gaz):
    (uid,) = gaz.lookup("永川区")
    assert gaz.path(uid) == ("重庆市", "永川区")
    assert gaz.level(uid) == COUNTY
    assert gaz.code(uid) == "500118"


def test_municipality_prefecture_is_transparent(gaz):
    """重庆市 repeats itself as its own prefecture in jionlp; the path names it once."""
    (uid,) = gaz.lookup("何埂镇")
    assert gaz.path(uid) == ("重庆市", "永川区", "何埂镇")
    assert gaz.level(uid) == TOWNSHIP


def test_short_forms(gaz):
    assert [gaz.path(u) for u in gaz.lookup_short("黔江")] == [("重庆市", "黔江区")]
    assert [gaz.path(u) for u in gaz.lookup_short("山东")] == [("山东省",)]
    assert ("河南省", "濮阳市") in [gaz.path(u) for u in gaz.lookup_short("濮阳")]
    # an autonomous county is written with its short form and 县
    assert [gaz.path(u) for u in gaz.lookup_short("酉阳县")] == [("重庆市", "酉阳土家族苗族自治县")]


def test_parent_prefix_is_stripped(gaz):
    """jionlp writes 濮阳县海通乡 under 濮阳县; the index knows it as 海通乡."""
    paths = [gaz.path(u) for u in gaz.lookup("海通乡")]
    assert ("河南省", "濮阳市", "濮阳县", "海通乡") in paths


def test_ambiguous_township_needs_context(gaz):
    ids = gaz.lookup("金溪镇")
    assert len(ids) > 1
    (qianjiang,) = gaz.lookup("黔江区")
    under = [u for u in ids if gaz.is_under(u, qianjiang)]
    assert [gaz.path(u) for u in under] == [("重庆市", "黔江区", "金溪镇")]
    (village,) = [u for u in gaz.lookup("山坳村") if gaz.is_under(u, under[0])]
    assert gaz.level(village) == VILLAGE


def test_levels(gaz):
    assert gaz.level(gaz.lookup("山东省")[0]) == PROVINCE
    assert gaz.level(gaz.lookup("日照市")[0]) == PREFECTURE


def test_loads_fast_once_cached(gaz):
    load_gazetteer.cache_clear()
    t = time.perf_counter()
    again = load_gazetteer()
    assert time.perf_counter() - t < 5.0     # pickled index; ~1 s on an idle core
    assert len(again) == len(gaz) > 600_000
