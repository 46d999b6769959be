"""RDF terms and triples as sorted, byte-stable N-Triples lines.

The one serialiser every stage shares: :mod:`kg.graph` writes ``kg.nt`` with it,
:mod:`kg.shacl` loads triples into Oxigraph with it, :mod:`kg.incremental` keeps each
article's lines with it. Sorted by subject first (see :func:`_ntriples_lines`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import rdflib
from rdflib import XSD, Literal, URIRef
from rdflib.term import Node

from kg.errors import KGError

__all__ = ["GraphError", "graph_to_ntriples"]


class GraphError(KGError):
    """A record that cannot be turned into RDF (unknown category, level or period)."""


_ESC = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}
_NEEDS_ESC = re.compile(r'[\\"\n\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')


def _esc_char(m: re.Match) -> str:
    ch = m.group(0)
    return _ESC.get(ch) or f"\\u{ord(ch):04X}"


def _nt_term(t: Node) -> str:
    if isinstance(t, URIRef):
        return f"<{t}>"
    if isinstance(t, Literal):
        lex = _NEEDS_ESC.sub(_esc_char, str(t))
        if t.language:
            return f'"{lex}"@{t.language}'
        if t.datatype is not None and t.datatype != XSD.string:
            return f'"{lex}"^^<{t.datatype}>'
        return f'"{lex}"'
    if isinstance(t, rdflib.BNode):
        return f"_:{t}"
    raise GraphError(f"cannot serialise RDF term {t!r}")


def _ntriples_lines(g: rdflib.Graph | Iterable[tuple[Node, Node, Node]]) -> list[str]:
    memo: dict[Node, str] = {}

    def term(t: Node) -> str:
        s = memo.get(t)
        if s is None:
            s = memo[t] = _nt_term(t)
        return s

    # sorted by subject IRI, then by the rest of the line: the subject's closing ">" sorts
    # below every character, so a subject comes before those it is a prefix of (a case
    # before its incomes), as in Turtle, and each subject's lines are contiguous
    return sorted((f"{term(s)} {term(p)} {term(o)} .\n" for s, p, o in g), key=_subject_first)


def _subject_first(line: str) -> str:
    return line.replace(">", "\x00", 1)


def graph_to_ntriples(g: rdflib.Graph | Iterable[tuple[Node, Node, Node]]) -> str:
    """Sorted N-Triples of a graph or of a collection of triples (one per line, byte-stable)."""
    return "".join(_ntriples_lines(g))
