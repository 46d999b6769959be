"""The ontology (ontology/fupin.ttl), the SHACL shapes (ontology/shapes.ttl) and validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, Literal, URIRef

from kg.graph import build_graph, validate
from kg.namespace import FP, FP_NS, PROV, SCHEMA, SKOS
from kg.records import CATEGORIES, ArticleRecord
from kg.resources import ontology_dir

DATA = Path(__file__).parent / "data"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")


@pytest.fixture(scope="module")
def ont() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology_dir() / "fupin.ttl", format="turtle")


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology_dir() / "shapes.ttl", format="turtle")


@pytest.fixture(scope="module")
def graph() -> rdflib.Graph:
    recs = json.loads((DATA / "records_corpus.json").read_text(encoding="utf-8"))
    return build_graph([ArticleRecord.from_dict(d) for d in recs])


def fp_terms() -> set[URIRef]:
    return {URIRef(FP_NS + name) for name in FP.__annotations__}


def test_installed_package_ships_the_ontology():
    for name in ("fupin.ttl", "shapes.ttl", "rules.ttl", "README.md"):
        assert (ontology_dir() / name).is_file(), name


def test_every_namespace_term_is_declared_with_zh_and_en_labels_and_comments(ont):
    for term in fp_terms():
        assert set(ont.objects(term, RDF.type)), f"{term} is not declared"
        for prop in (RDFS.label, RDFS.comment):
            langs = {o.language for o in ont.objects(term, prop)}
            assert {"zh", "en"} <= langs, f"{term} lacks a zh/en {prop}"


def test_ontology_uses_only_namespace_terms(ont):
    used = {t for triple in ont for t in triple if isinstance(t, URIRef) and str(t).startswith(FP_NS)}
    assert used <= fp_terms(), used - fp_terms()


def test_alignments(ont):
    for cls, ext in ((FP.Person, SCHEMA.Person), (FP.Place, SCHEMA.Place), (FP.Organization, SCHEMA.Organization),
                     (FP.Article, SCHEMA.NewsArticle), (FP.Evidence, PROV.Entity), (FP.Case, PROV.Entity)):
        assert (cls, RDFS.subClassOf, ext) in ont
    assert (FP.source, RDFS.subPropertyOf, DCT.source) in ont
    assert (FP.partOf, RDFS.subPropertyOf, SCHEMA.containedInPlace) in ont
    assert (URIRef("https://w3id.org/fupin-kg/ontology"), RDF.type, OWL.Ontology) in ont


def test_categories_form_a_skos_scheme(ont):
    concepts = set(ont.subjects(SKOS.inScheme, FP.ProgramCategories))
    assert concepts == {URIRef(FP_NS + c) for c in CATEGORIES}
    assert (FP.ProgramCategories, RDF.type, SKOS.ConceptScheme) in ont
    for c in concepts:
        assert {o.language for o in ont.objects(c, SKOS.prefLabel)} == {"zh", "en"}
        assert {o.language for o in ont.objects(c, SKOS.scopeNote)} == {"zh", "en"}
        assert (FP.ProgramCategories, SKOS.hasTopConcept, c) in ont
    assert Literal("扶贫车间", lang="zh") in set(ont.objects(FP.PovertyWorkshop, SKOS.prefLabel))


def test_every_class_has_a_shape(ont, shapes):
    classes = {c for c in ont.subjects(RDF.type, OWL.Class) if str(c).startswith(FP_NS)}
    targeted = set(shapes.objects(None, SH.targetClass))
    assert classes <= targeted, classes - targeted


def test_built_graph_conforms(graph):
    conforms, report = validate(graph)
    assert conforms, report


def _tampered(graph, edit) -> rdflib.Graph:
    g = rdflib.Graph()
    for t in graph:
        g.add(t)
    edit(g)
    return g


def test_validation_catches_a_broken_evidence_slice(graph):
    def edit(g):
        ev = next(g.subjects(RDF.type, FP.Evidence))
        g.set((ev, FP.evidenceText, Literal(str(g.value(ev, FP.evidenceText)) + "多")))
    conforms, report = validate(_tampered(graph, edit))
    assert not conforms and "not as long as its offsets say" in report


def test_validation_catches_a_case_without_evidence_and_a_bad_range(graph):
    def edit(g):
        case = next(g.subjects(RDF.type, FP.Case))
        g.remove((case, PROV.wasDerivedFrom, None))
        inc = next(g.subjects(RDF.type, FP.Income))
        g.set((inc, FP.amountMax, Literal("0.5", datatype=rdflib.XSD.decimal)))
    conforms, report = validate(_tampered(graph, edit))
    assert not conforms
    assert "every case carries its evidence sentence" in report
    assert "fp:amountMax is below fp:amount" in report


def test_validation_catches_bad_levels_and_cycles(graph):
    def edit(g):
        place = next(s for s in g.subjects(RDF.type, FP.Place) if g.value(s, FP.partOf) is not None)
        g.set((place, FP.adminLevel, Literal("city")))
        parent = g.value(place, FP.partOf)
        g.set((parent, FP.partOf, place))
    conforms, report = validate(_tampered(graph, edit))
    assert not conforms
    assert "city" in report and "fp:partOf cycle" in report


def test_sparql_rules_agree_with_the_python_rules(graph):
    """rules.ttl (SHACL-SPARQL, run by pyshacl) and kg.graph.rule_violations find the same problems."""
    def edit(g):
        ev = next(iter(sorted(g.subjects(RDF.type, FP.Evidence))))
        g.set((ev, FP.endOffset, Literal(int(g.value(ev, FP.endOffset)) + 1)))
        inc = next(iter(sorted(g.subjects(RDF.type, FP.Income))))
        g.set((inc, FP.amountMax, Literal("0.5", datatype=rdflib.XSD.decimal)))
        place = next(s for s in sorted(g.subjects(RDF.type, FP.Place)) if g.value(s, FP.partOf) is not None)
        g.set((g.value(place, FP.partOf), FP.partOf, place))
    g = _tampered(graph, edit)
    conforms, report = validate(g, sparql_rules=True)
    assert not conforms
    python_part, _, _ = report.partition("Constraint Violation in rule (kg.graph.rule_violations)")
    for message in ("not as long as its offsets say", "fp:amountMax is below fp:amount", "fp:partOf cycle"):
        assert message in python_part, f"pyshacl did not report: {message}"
        assert report.count(message) >= 2, f"the Python rules did not report: {message}"
