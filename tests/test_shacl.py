"""kg.shacl: the SHACL shapes and rules run as SPARQL in Oxigraph agree with pyshacl."""

from __future__ import annotations

import json
from pathlib import Path

import pyshacl
import pytest
import rdflib
from rdflib import RDF, RDFS, XSD, Literal, URIRef

from kg.graph import build_graph, validate, validate_file, write_graph
from kg.namespace import FP, PROV, SKOS
from kg.records import ArticleRecord
from kg.resources import ontology_dir
from kg.shacl import SH, ShaclError, compile_shapes, validate_oxigraph

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def graph() -> rdflib.Graph:
    recs = json.loads((DATA / "records_corpus.json").read_text(encoding="utf-8"))
    return build_graph([ArticleRecord.from_dict(d) for d in recs])


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    sg = rdflib.Graph().parse(ontology_dir() / "shapes.ttl", format="turtle")
    return sg.parse(ontology_dir() / "rules.ttl", format="turtle")


def _pyshacl_results(g: rdflib.Graph, sg: rdflib.Graph) -> set[tuple[str, str | None, str]]:
    _conforms, rg, _text = pyshacl.validate(g, shacl_graph=sg, inference="none", advanced=True, allow_warnings=True)
    out = set()
    for r in rg.subjects(RDF.type, SH.ValidationResult):
        focus, path = rg.value(r, SH.focusNode), rg.value(r, SH.resultPath)
        component = str(rg.value(r, SH.sourceConstraintComponent)).split("#")[1]
        out.add((f"<{focus}>", None if path is None else str(path), component))
    return out


def _oxigraph_results(g: rdflib.Graph) -> set[tuple[str, str | None, str]]:
    _conforms, _text, results = validate_oxigraph(g)
    return {(r.focus, r.path, r.component) for r in results}


def _tampered(graph: rdflib.Graph) -> rdflib.Graph:
    """The corpus graph broken in a way that violates every kind of constraint in the shapes."""
    g = rdflib.Graph()
    for t in graph:
        g.add(t)

    def first(cls):
        return sorted(g.subjects(RDF.type, cls))[0]

    case, place0, person = first(FP.Case), first(FP.Place), first(FP.Person)
    g.remove((case, PROV.wasDerivedFrom, None))                          # minCount
    g.add((case, FP.outcome, place0))                                    # sh:or of classes
    g.add((case, FP.caseRole, Literal("boss")))                          # sh:in, maxCount
    ev = first(FP.Evidence)
    g.set((ev, FP.evidenceText, Literal(str(g.value(ev, FP.evidenceText)) + "多")))   # rule
    g.set((ev, FP.startOffset, Literal("-1", datatype=XSD.integer)))     # minInclusive
    inc = first(FP.Income)
    g.set((inc, FP.amountMax, Literal("0.5", datatype=XSD.decimal)))     # rule amountMax < amount
    other = sorted(g.subjects(RDF.type, FP.Income))[1]
    g.set((other, FP.amount, Literal("abc", datatype=XSD.decimal)))      # ill-formed datatype
    place = next(s for s in sorted(g.subjects(RDF.type, FP.Place)) if g.value(s, FP.partOf) is not None)
    g.set((place, FP.adminLevel, Literal("city")))
    g.set((g.value(place, FP.partOf), FP.partOf, place))                 # cycle rule
    g.add((place, RDFS.label, Literal("x", lang="en")))                  # languageIn, maxCount
    g.add((place, FP.adminCode, Literal("12a")))                         # pattern
    g.add((person, FP.gender, Literal("x")))
    g.add((person, FP.age, Literal(200)))                                # maxInclusive
    g.set((person, RDFS.label, Literal("", lang="zh")))                  # minLength
    g.add((person, FP.mentionedIn, place0))                              # class
    art = first(FP.Article)
    g.set((art, FP.sha256, Literal("XYZ")))
    g.set((art, FP.characterCount, Literal("12")))                       # datatype
    cat = sorted(g.subjects(RDF.type, FP.ProgramCategory))[0]
    g.add((cat, SKOS.prefLabel, Literal("另一个", lang="zh")))            # uniqueLang
    g.remove((cat, SKOS.inScheme, None))                                 # hasValue
    g.add((URIRef("https://w3id.org/fupin-kg/resource/relation/x"), RDF.type, FP.PersonalRelation))  # xone
    g.remove((first(FP.Statistic), FP.unit, None))
    return g


def test_clean_graph_conforms_in_both(graph, shapes):
    assert _pyshacl_results(graph, shapes) == set() == _oxigraph_results(graph)


def test_same_violations_as_pyshacl(graph, shapes):
    g = _tampered(graph)
    expected = _pyshacl_results(g, shapes)
    assert _oxigraph_results(g) == expected
    components = {c for _f, _p, c in expected}
    # every kind of constraint the shapes use is exercised
    assert components >= {"ClassConstraintComponent", "DatatypeConstraintComponent", "HasValueConstraintComponent",
                          "InConstraintComponent", "LanguageInConstraintComponent", "MaxCountConstraintComponent",
                          "MaxInclusiveConstraintComponent", "MinCountConstraintComponent",
                          "MinInclusiveConstraintComponent", "MinLengthConstraintComponent", "OrConstraintComponent",
                          "PatternConstraintComponent", "SPARQLConstraintComponent",
                          "UniqueLangConstraintComponent", "XoneConstraintComponent"}


def test_every_shape_compiles(shapes):
    checks = compile_shapes(shapes)
    shaped = {str(s) for s in shapes.subjects(SH.targetClass, None)}
    assert shaped <= {c.node_shape for c in checks}


def test_unsupported_constraint_is_refused():
    sg = rdflib.Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:qualifiedMinCount 1 ] .
    """, format="turtle")
    with pytest.raises(ShaclError, match="qualifiedMinCount"):
        compile_shapes(sg)


def test_validate_engines_and_file(graph, tmp_path):
    g = _tampered(graph)
    conforms, report = validate(g, engine="oxigraph")
    assert not conforms
    for message in ("every case carries its evidence sentence", "fp:amountMax is below fp:amount",
                    "fp:partOf cycle", "not as long as its offsets say", "city"):
        assert message in report
    assert report.count("Constraint Violation") == len(_oxigraph_results(g))
    write_graph(graph, tmp_path)
    assert validate_file(tmp_path / "kg.nt") == (True, "Validation Report\nConforms: True\n")
