"""SHACL Core and SHACL-SPARQL validation in SPARQL on an in-memory Oxigraph store.

pyshacl checks a 1,000-article graph in about a minute and needs it as an rdflib graph
(parsing ``kg.nt`` into rdflib alone takes half a minute). This module compiles every shape
of ``ontology/shapes.ttl`` and ``ontology/rules.ttl`` into SPARQL ``SELECT ?this ?value``
queries, one per constraint, each returning the violating focus (and value) nodes, and runs
them in Oxigraph: the same checks in seconds.

Equivalence with pyshacl (tests/test_shacl.py runs both on clean and tampered graphs and
compares the (focus node, result path, constraint component) of every result):

=========================  =================================================================
constraint                 SPARQL
=========================  =================================================================
``sh:targetClass C``       ``?this rdf:type/rdfs:subClassOf* C`` (subclass instances too)
``sh:minCount n``          ``COUNT`` of the path's values per focus node ``< n``
``sh:maxCount n``          ``COUNT`` of the path's values per focus node ``> n``
``sh:datatype D``          ``isLiteral`` and ``datatype() = D`` (``rdf:langString`` for tagged
                           literals); integer, decimal and boolean values must be well formed
``sh:class C``             ``EXISTS { ?v rdf:type/rdfs:subClassOf* C }``
``sh:in (..)``             ``sameTerm`` with one of the members
``sh:pattern``             not a blank node and ``REGEX(STR(?v), pattern, flags)``
``sh:minLength n``         not a blank node and ``STRLEN(STR(?v)) >= n``
``sh:languageIn (..)``     ``langMatches(lang(?v), tag)`` for one tag
``sh:min/maxInclusive``    the comparison holds (a failed comparison is a violation)
``sh:hasValue v``          ``?this path v`` exists
``sh:uniqueLang true``     no two values share a (case-insensitive) language tag
``sh:or`` / ``sh:xone``    one / exactly one member shape holds for the value (or focus) node;
                           members may use ``sh:class``, ``sh:datatype``, ``sh:in`` and
                           property shapes with ``sh:minCount 1`` / ``sh:maxCount 1``
``sh:sparql``              the constraint's own ``SELECT $this`` with the target bound
=========================  =================================================================

Paths must be single predicates. A shape using anything else raises :class:`ShaclError`
(so a new kind of constraint cannot be skipped silently).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import RDF, XSD, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.errors import KGError
from kg.ntriples import graph_to_ntriples

__all__ = ["Check", "ShaclError", "ViolationResult", "compile_shapes", "load_store", "run_checks",
           "validate_oxigraph", "format_report"]

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
_RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
_WELL_FORMED = {
    str(XSD.integer): r"^[+-]?[0-9]+$",
    str(XSD.decimal): r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$",
    str(XSD.boolean): r"^(true|false|1|0)$",
}


class ShaclError(KGError):
    """A shape that this validator cannot translate (names the shape and the constraint)."""


@dataclass(frozen=True)
class Check:
    """One constraint of one shape as a SPARQL query returning ``?this`` (and ``?value``)."""

    shape: str           # the source shape (IRI or blank node id)
    node_shape: str      # the node shape (with the target) it belongs to
    path: str | None     # the result path (property shapes)
    component: str       # e.g. "MinCountConstraintComponent", "SPARQLConstraintComponent"
    message: str
    sparql: str


@dataclass(frozen=True)
class ViolationResult:
    focus: str
    path: str | None
    component: str
    value: str | None
    message: str
    shape: str


def _term(t: Node) -> str:
    """A term in SPARQL syntax."""
    if isinstance(t, URIRef):
        return f"<{t}>"
    if isinstance(t, Literal):
        lex = str(t).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if t.language:
            return f'"{lex}"@{t.language}'
        if t.datatype is not None and t.datatype != XSD.string:
            return f'"{lex}"^^<{t.datatype}>'
        return f'"{lex}"'
    raise ShaclError(f"cannot use {t!r} in a SPARQL constraint")


def _str_lit(text: str) -> str:
    return _term(Literal(str(text)))


def _shape_name(sg: rdflib.Graph, shape: Node) -> str:
    return str(shape) if isinstance(shape, URIRef) else f"_:{shape}"


def _list(sg: rdflib.Graph, head: Node) -> list[Node]:
    return list(Collection(sg, head))


def _one(sg: rdflib.Graph, s: Node, p: URIRef) -> Node | None:
    vals = list(sg.objects(s, p))
    if len(vals) > 1:
        raise ShaclError(f"shape {_shape_name(sg, s)}: more than one {p}")
    return vals[0] if vals else None


def _path(sg: rdflib.Graph, shape: Node) -> URIRef:
    p = _one(sg, shape, SH.path)
    if not isinstance(p, URIRef):
        raise ShaclError(f"shape {_shape_name(sg, shape)}: only single-predicate sh:path is supported")
    return p


# -- value-node expressions -------------------------------------------------------------

_VALUE_PARAMS = (SH["class"], SH.datatype, SH["in"], SH.pattern, SH.minLength, SH.maxLength, SH.languageIn,
                 SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive)
_HANDLED = {SH.path, SH.minCount, SH.maxCount, SH.message, SH.hasValue, SH.uniqueLang, SH["or"], SH.xone,
            SH.flags, SH.targetClass, SH.property, SH.sparql, SH.name, SH.description, SH.order, SH.group,
            RDF.type, *_VALUE_PARAMS}
_COMPONENT = {SH["class"]: "ClassConstraintComponent", SH.datatype: "DatatypeConstraintComponent",
              SH["in"]: "InConstraintComponent", SH.pattern: "PatternConstraintComponent",
              SH.minLength: "MinLengthConstraintComponent", SH.maxLength: "MaxLengthConstraintComponent",
              SH.languageIn: "LanguageInConstraintComponent",
              SH.minInclusive: "MinInclusiveConstraintComponent", SH.maxInclusive: "MaxInclusiveConstraintComponent",
              SH.minExclusive: "MinExclusiveConstraintComponent", SH.maxExclusive: "MaxExclusiveConstraintComponent"}
_COMPARE = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}


def _value_expr(sg: rdflib.Graph, shape: Node, param: URIRef, arg: Node, v: str) -> str:
    """A SPARQL boolean expression: value ``v`` satisfies ``param arg``."""
    if param == SH["class"]:
        return f"EXISTS {{ {v} a/<{_RDFS_SUBCLASS}>* {_term(arg)} }}"
    if param == SH.datatype:
        expr = f"(isLiteral({v}) && datatype({v}) = {_term(arg)})"
        if str(arg) in _WELL_FORMED:
            expr = f"({expr} && REGEX(STR({v}), {_str_lit(_WELL_FORMED[str(arg)])}))"
        return expr
    if param == SH["in"]:
        members = _list(sg, arg)
        return "(" + (" || ".join(f"sameTerm({v}, {_term(m)})" for m in members) or "false") + ")"
    if param == SH.pattern:
        flags = _one(sg, shape, SH.flags)
        fl = f", {_str_lit(str(flags))}" if flags is not None else ""
        return f"(!isBlank({v}) && REGEX(STR({v}), {_str_lit(str(arg))}{fl}))"
    if param == SH.minLength:
        return f"(!isBlank({v}) && STRLEN(STR({v})) >= {int(arg)})"
    if param == SH.maxLength:
        return f"(!isBlank({v}) && STRLEN(STR({v})) <= {int(arg)})"
    if param == SH.languageIn:
        tags = [str(t) for t in _list(sg, arg)]
        return f"(isLiteral({v}) && (" + (" || ".join(f"langMatches(lang({v}), {_str_lit(t)})" for t in tags)
                                          or "false") + "))"
    if param in _COMPARE:
        return f"COALESCE({v} {_COMPARE[param]} {_term(arg)}, false)"
    raise ShaclError(f"shape {_shape_name(sg, shape)}: unsupported constraint {param}")


_counter = iter(range(10**9))


def _fresh() -> str:
    return f"?_v{next(_counter)}"


def _conforms_expr(sg: rdflib.Graph, shape: Node, v: str) -> str:
    """A SPARQL boolean expression: node ``v`` conforms to the (member) shape ``shape``."""
    parts: list[str] = []
    for p, o in sg.predicate_objects(shape):
        if p in (RDF.type, SH.message, SH.flags, SH.name, SH.description):
            continue
        if p in _VALUE_PARAMS and _one(sg, shape, SH.path) is None:
            parts.append(_value_expr(sg, shape, p, o, v))
        elif p == SH.path:
            continue
        elif p == SH.property:
            parts.append(_conforms_expr(sg, o, v))
        elif p in (SH["or"], SH.xone):
            parts.append(_choice_expr(sg, p, o, v))
        elif p in (SH.minCount, SH.maxCount) or p in _VALUE_PARAMS:
            continue
        else:
            raise ShaclError(f"shape {_shape_name(sg, shape)}: unsupported constraint {p} in a member shape")
    path = _one(sg, shape, SH.path)
    if path is not None:
        pred = _term(_path(sg, shape))
        mn, mx = _one(sg, shape, SH.minCount), _one(sg, shape, SH.maxCount)
        if mn is not None:
            if int(mn) > 1:
                raise ShaclError(f"shape {_shape_name(sg, shape)}: sh:minCount > 1 in a member shape")
            if int(mn) == 1:
                parts.append(f"EXISTS {{ {v} {pred} {_fresh()} }}")
        if mx is not None:
            if int(mx) > 1:
                raise ShaclError(f"shape {_shape_name(sg, shape)}: sh:maxCount > 1 in a member shape")
            a, b = _fresh(), _fresh()
            parts.append(f"NOT EXISTS {{ {v} {pred} {a} , {b} FILTER ({a} != {b}) }}" if int(mx) == 1
                         else f"NOT EXISTS {{ {v} {pred} {a} }}")
        for param in _VALUE_PARAMS:
            for arg in sg.objects(shape, param):
                x = _fresh()
                parts.append(f"NOT EXISTS {{ {v} {pred} {x} FILTER (!{_value_expr(sg, shape, param, arg, x)}) }}")
    return "(" + (" && ".join(parts) or "true") + ")"


def _choice_expr(sg: rdflib.Graph, kind: URIRef, head: Node, v: str) -> str:
    members = [_conforms_expr(sg, m, v) for m in _list(sg, head)]
    if kind == SH["or"]:
        return "(" + (" || ".join(members) or "false") + ")"
    return "((" + " + ".join(f"IF({m}, 1, 0)" for m in members) + ") = 1)"


# -- compiling the shapes ---------------------------------------------------------------

def _prefixes(sg: rdflib.Graph, node: Node) -> str:
    out = []
    for holder in sg.objects(node, SH.prefixes):
        for decl in sg.objects(holder, SH.declare):
            out.append(f"PREFIX {_one(sg, decl, SH.prefix)}: <{_one(sg, decl, SH.namespace)}>")
    return "\n".join(out)


def compile_shapes(sg: rdflib.Graph) -> list[Check]:
    """Every constraint of every node shape with a ``sh:targetClass`` as a :class:`Check`."""
    checks: list[Check] = []
    for shape in sorted(set(sg.subjects(SH.targetClass, None)), key=str):
        name = _shape_name(sg, shape)
        for p in set(sg.predicates(shape, None)):
            if p not in _HANDLED:
                raise ShaclError(f"shape {name}: unsupported constraint {p}")
        targets = sorted(sg.objects(shape, SH.targetClass), key=str)
        target = " UNION ".join(f"{{ ?this a/<{_RDFS_SUBCLASS}>* {_term(c)} }}" for c in targets)
        node_msg = _one(sg, shape, SH.message)
        # node-level constraints on the focus node itself
        for param in _VALUE_PARAMS:
            for arg in sg.objects(shape, param):
                checks.append(Check(name, name, None, _COMPONENT[param], str(node_msg or f"{param} {arg}"),
                                    f"SELECT DISTINCT ?this ?value WHERE {{ {target} BIND (?this AS ?value) "
                                    f"FILTER (!{_value_expr(sg, shape, param, arg, '?this')}) }}"))
        for kind in (SH["or"], SH.xone):
            for head in sg.objects(shape, kind):
                comp = "OrConstraintComponent" if kind == SH["or"] else "XoneConstraintComponent"
                checks.append(Check(name, name, None, comp, str(node_msg or f"{comp} not satisfied"),
                                    f"SELECT DISTINCT ?this ?value WHERE {{ {target} BIND (?this AS ?value) "
                                    f"FILTER (!{_choice_expr(sg, kind, head, '?this')}) }}"))
        for prop in sg.objects(shape, SH.property):
            checks += _property_checks(sg, prop, target, name)
        for cons in sg.objects(shape, SH.sparql):
            select = str(_one(sg, cons, SH.select))
            msg = _one(sg, cons, SH.message)
            head, brace, body = select.partition("{")
            if not brace or "$this" not in head:
                raise ShaclError(f"shape {name}: sh:select must be SELECT $this WHERE {{ ... }}")
            body = body.replace("$this", "?this")
            checks.append(Check(name, name, None, "SPARQLConstraintComponent", str(msg or "SPARQL constraint"),
                                f"{_prefixes(sg, cons)}\nSELECT DISTINCT ?this ?value WHERE {{ {target} {{ "
                                f"SELECT ?this WHERE {{ {body} }} BIND (?this AS ?value) }}"))
    return checks


def _property_checks(sg: rdflib.Graph, prop: Node, target: str, node_shape: str) -> list[Check]:
    name = _shape_name(sg, prop)
    for p in set(sg.predicates(prop, None)):
        if p not in _HANDLED:
            raise ShaclError(f"property shape {name}: unsupported constraint {p}")
    path = _path(sg, prop)
    pred = _term(path)
    msg = _one(sg, prop, SH.message)
    out: list[Check] = []

    def add(component: str, default: str, query: str) -> None:
        out.append(Check(name, node_shape, str(path), component, str(msg) if msg is not None else default, query))

    mn = _one(sg, prop, SH.minCount)
    if mn is not None and int(mn) > 0:
        add("MinCountConstraintComponent", f"less than {int(mn)} values on {path}",
            f"SELECT ?this (?this AS ?value) WHERE {{ {target} OPTIONAL {{ ?this {pred} ?v }} }} "
            f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {int(mn)})")
    mx = _one(sg, prop, SH.maxCount)
    if mx is not None:
        add("MaxCountConstraintComponent", f"more than {int(mx)} values on {path}",
            f"SELECT ?this (?this AS ?value) WHERE {{ {target} ?this {pred} ?v }} "
            f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {int(mx)})")
    for param in _VALUE_PARAMS:
        for arg in sg.objects(prop, param):
            add(_COMPONENT[param], f"value does not satisfy {param} {arg}",
                f"SELECT DISTINCT ?this ?value WHERE {{ {target} ?this {pred} ?value "
                f"FILTER (!{_value_expr(sg, prop, param, arg, '?value')}) }}")
    for arg in sg.objects(prop, SH.hasValue):
        add("HasValueConstraintComponent", f"missing value {arg} on {path}",
            f"SELECT DISTINCT ?this (?this AS ?value) WHERE {{ {target} FILTER NOT EXISTS {{ ?this {pred} {_term(arg)} }} }}")
    if (_one(sg, prop, SH.uniqueLang) or Literal(False)).toPython() is True:
        add("UniqueLangConstraintComponent", f"two values of {path} share a language",
            f"SELECT DISTINCT ?this (?this AS ?value) WHERE {{ {target} ?this {pred} ?a , ?b "
            f"FILTER (!sameTerm(?a, ?b) && lang(?a) != \"\" && LCASE(lang(?a)) = LCASE(lang(?b))) }}")
    for kind in (SH["or"], SH.xone):
        for head in sg.objects(prop, kind):
            comp = "OrConstraintComponent" if kind == SH["or"] else "XoneConstraintComponent"
            add(comp, f"value of {path} does not satisfy {comp}",
                f"SELECT DISTINCT ?this ?value WHERE {{ {target} ?this {pred} ?value "
                f"FILTER (!{_choice_expr(sg, kind, head, '?value')}) }}")
    return out


@functools.lru_cache(maxsize=4)
def _default_checks(with_rules: bool) -> tuple[Check, ...]:
    from kg.resources import ontology_dir

    sg = rdflib.Graph().parse(ontology_dir() / "shapes.ttl", format="turtle")
    if with_rules:
        sg.parse(ontology_dir() / "rules.ttl", format="turtle")
    return tuple(compile_shapes(sg))


# -- running ----------------------------------------------------------------------------

def load_store(data: Path | str | rdflib.Graph | Iterable[tuple[Node, Node, Node]]) -> ox.Store:
    """An in-memory Oxigraph store with the data: a graph file (N-Triples/Turtle), an rdflib
    graph or triples."""
    store = ox.Store()
    if isinstance(data, (str, Path)):
        path = Path(data)
        fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".")) or ox.RdfFormat.N_TRIPLES
        store.bulk_load(path=str(path), format=fmt)
    else:
        store.bulk_load(graph_to_ntriples(data).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def run_checks(store: ox.Store, checks: Iterable[Check]) -> list[ViolationResult]:
    """Every violation of the checks in the store, sorted."""
    out: set[ViolationResult] = set()
    for c in checks:
        try:
            res = store.query(c.sparql)
        except (SyntaxError, ValueError) as e:
            raise ShaclError(f"shape {c.shape} ({c.component}): bad SPARQL: {e}\n{c.sparql}") from None
        for sol in res:
            this, value = sol["this"], sol["value"]
            out.add(ViolationResult(_show(this), c.path, c.component, _show(value) if value is not None else None,
                                    c.message, c.shape))
    return sorted(out, key=lambda r: (r.shape, r.component, r.focus, r.value or ""))


def _show(t: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<{t.value}>"
    return str(t)


def format_report(results: list[ViolationResult]) -> str:
    """A report in the layout of pyshacl's text report."""
    lines = ["Validation Report", f"Conforms: {not results}"]
    if results:
        lines.append(f"Results ({len(results)}):")
    for r in results:
        lines += [f"Constraint Violation in {r.component.removesuffix('Component')} (sh:{r.component}):",
                  "\tSeverity: sh:Violation", f"\tSource Shape: {r.shape}", f"\tFocus Node: {r.focus}"]
        if r.value is not None:
            lines.append(f"\tValue Node: {r.value}")
        if r.path is not None:
            lines.append(f"\tResult Path: <{r.path}>")
        lines.append(f"\tMessage: {r.message}")
    return "\n".join(lines) + "\n"


def validate_oxigraph(data: Path | str | rdflib.Graph | Iterable[tuple[Node, Node, Node]] | ox.Store,
                      shapes: Path | None = None, rules: bool = True) -> tuple[bool, str, list[ViolationResult]]:
    """Validate against ``shapes.ttl`` (and ``rules.ttl``) in Oxigraph: (conforms, report, results)."""
    if shapes is None:
        checks: Iterable[Check] = _default_checks(rules)
    else:
        sg = rdflib.Graph().parse(shapes, format="turtle")
        if rules:
            from kg.resources import ontology_dir

            sg.parse(ontology_dir() / "rules.ttl", format="turtle")
        checks = compile_shapes(sg)
    store = data if isinstance(data, ox.Store) else load_store(data)
    results = run_checks(store, checks)
    return not results, format_report(results), results

