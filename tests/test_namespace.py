"""The fp: vocabulary and resource IRIs (kg/namespace.py)."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from kg.namespace import FP, FP_NS, RES_NS, iri_segment, resource, short_hash


def test_fp_terms_are_iris_in_the_contract_namespace():
    assert FP_NS == "https://w3id.org/fupin-kg/ontology#"
    assert FP.Person == URIRef(FP_NS + "Person")
    assert FP.mentionedIn == URIRef(FP_NS + "mentionedIn")
    assert FP.SkillsTraining == URIRef(FP_NS + "SkillsTraining")


def test_misspelt_term_fails():
    with pytest.raises(AttributeError):
        FP.Persn  # noqa: B018
    with pytest.raises(AttributeError):
        FP.mentionIn  # noqa: B018


def test_iri_segment_keeps_chinese_and_encodes_delimiters():
    assert iri_segment("何埂镇") == "何埂镇"
    assert iri_segment("何埂 镇\n") == "何埂镇"             # whitespace is not part of a name
    assert iri_segment("a/b#c?d") == "a%2Fb%23c%3Fd"        # ASCII delimiters encoded
    assert iri_segment("<x> y") == "%3Cx%3Ey"
    assert iri_segment("100%") == "100%25"
    assert iri_segment("（免费）") == "（免费）"              # full-width punctuation is a valid IRI char
    assert iri_segment("\u3000") == "_"                       # an empty name still makes a segment


def test_resource_paths_one_segment_per_place():
    iri = resource("place", ("重庆市", "永川区", "何埂镇"))
    assert iri == URIRef(RES_NS + "place/重庆市/永川区/何埂镇")
    assert resource("case", "000_832e13d42f1660e4.txt", "徐泉铃") == \
        URIRef(RES_NS + "case/000_832e13d42f1660e4.txt/徐泉铃")
    # a slash inside a name cannot fake a level of the path
    assert resource("org", "A/B") != resource("org", ("A", "B"))


def test_short_hash_is_stable_across_processes():
    # a fixed value: Python's hash() is salted per process, this digest must not be
    assert short_hash(4000.0, "month", None) == short_hash(4000.0, "month", None)
    assert short_hash("a") == "850d88779338"
    assert len(short_hash(1, 2, 3)) == 12
