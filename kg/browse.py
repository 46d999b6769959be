"""Browsing queries: one-entity questions (``queries/browse/*.rq``) with named parameters.

A browsing query is plain SPARQL that names its parameter in its opening comment and
leaves it open in a ``VALUES`` line::

    # Everything about one person ...
    # @param name zh  the person's name (its rdfs:label)
    ...
      VALUES ?name { UNDEF }

``kg query -f queries/browse/person.rq --param name=…`` and the query page fill the
``VALUES`` line with the value given (``"…"@zh`` for ``zh``, ``"…"`` for ``string``, an
integer for ``integer``, ``<…>``, a prefixed name or an ``fp:`` local name for ``iri``); several values of one
parameter give several rows of the ``VALUES`` table. Left open (``UNDEF``) the query
still runs, for every entity: the file is valid SPARQL as it stands.

A looked-up value sits in a ``VALUES`` table joined first, so Oxigraph answers through its
indexes (label -> entity -> its facts) instead of filtering every label of the graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KGError
from kg.namespace import PREFIXES

__all__ = ["Param", "KINDS", "leading_comment", "query_params", "fill_params", "parse_assignments", "browse_dir", "browse_queries",
           "candidate_values", "sample_params"]

#: The kinds of value a parameter takes, and how each is written in SPARQL.
KINDS = ("zh", "string", "integer", "iri")

_PARAM = re.compile(r"^#\s*@param\s+\??([A-Za-z_]\w*)\s+(\w+)\s*(.*)$", re.MULTILINE)


@dataclass(frozen=True)
class Param:
    """A parameter of a browsing query: its variable name, the kind of value and what it is."""

    name: str
    kind: str
    describe: str = ""


def _values_line(name: str) -> re.Pattern[str]:
    return re.compile(rf"VALUES\s+\?{re.escape(name)}\s*\{{\s*UNDEF\s*\}}")


def query_params(text: str, source: str = "<query>") -> list[Param]:
    """The parameters a query declares (``# @param NAME KIND what``), in order.

    Raises KGError naming the file when a declared parameter has an unknown kind or no
    ``VALUES ?NAME { UNDEF }`` line to fill."""
    out = []
    for m in _PARAM.finditer(text):
        name, kind, describe = m.group(1), m.group(2), m.group(3).strip()
        if kind not in KINDS:
            raise KGError(f"{source}: parameter ?{name} has kind {kind!r}; kinds: {', '.join(KINDS)}")
        if not _values_line(name).search(text):
            raise KGError(f"{source}: parameter ?{name} has no `VALUES ?{name} {{ UNDEF }}` line to fill")
        out.append(Param(name, kind, describe))
    return out


def _term(value: str, kind: str, name: str) -> str:
    if kind == "integer":
        if not re.fullmatch(r"[+-]?\d+", value.strip()):
            raise KGError(f"--param {name}: {value!r} is not an integer")
        return value.strip()
    if kind == "iri":
        value = value.strip()
        if value.startswith("<") and value.endswith(">"):
            value = value[1:-1]
        if ":" not in value:                   # a bare local name is an fp: term (PovertyWorkshop)
            value = "fp:" + value
        prefix, _, local = value.partition(":")
        if prefix in PREFIXES and not local.startswith("//"):
            value = PREFIXES[prefix] + local
        if not re.fullmatch(r"[^\s<>\"{}|^`\\]+", value) or ":" not in value:
            raise KGError(f"--param {name}: {value!r} is not an IRI (give <https://…> or a prefixed name such as fp:Case)")
        return f"<{value}>"
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r"))
    return f'"{escaped}"@zh' if kind == "zh" else f'"{escaped}"'


def fill_params(text: str, values: dict[str, list[str]], source: str = "<query>") -> str:
    """The query with each given parameter's ``VALUES ?name { UNDEF }`` line filled with its
    value(s). A name the query does not declare is an error naming the ones it does."""
    params = {p.name: p for p in query_params(text, source)}
    for name, vals in values.items():
        if name not in params:
            known = ", ".join(params) or "none"
            raise KGError(f"{source}: no parameter {name!r} in this query (its parameters: {known})")
        if not vals:
            continue
        terms = " ".join(_term(v, params[name].kind, name) for v in vals)
        line = f"VALUES ?{name} {{ {terms} }}"
        text = _values_line(name).sub(lambda _m, line=line: line, text, count=1)
    return text


def parse_assignments(items: list[str] | None) -> dict[str, list[str]]:
    """``["name=李四", "name=王五"]`` (``--param`` on the command line) as ``{"name": [...]}``."""
    out: dict[str, list[str]] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip().lstrip("?"):
            raise KGError(f"--param {item!r}: write NAME=VALUE, e.g. --param name=…")
        out.setdefault(name.strip().lstrip("?"), []).append(value)
    return out


def browse_dir() -> Path:
    """``queries/browse`` (in an installed package: ``kg/queries/browse``)."""
    from kg.resources import queries_dir

    return queries_dir() / "browse"


def leading_comment(text: str) -> str:
    """A query file's opening ``#`` lines as one line of prose (``@param`` lines left out)."""
    comment = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if not _PARAM.match(line):
            comment.append(line.lstrip("# ").rstrip())
    return " ".join(x for x in comment if x)


def browse_queries() -> list[dict[str, object]]:
    """The browsing queries: ``name`` (``browse/<stem>``), ``comment`` (the opening ``#``
    lines, the ``@param`` lines left out), ``params`` (name, kind, describe) and ``text``."""
    out: list[dict[str, object]] = []
    for p in sorted(browse_dir().glob("*.rq")):
        text = p.read_text(encoding="utf-8")
        out.append({"name": f"browse/{p.stem}", "comment": leading_comment(text),
                    "params": [vars(q) for q in query_params(text, str(p))], "text": text})
    return out


_BINDS = r"(\?\w+)\s+([A-Za-z]+:\w+)\s+\?{name}\b"


def candidate_values(store, text: str, param: Param) -> list[str]:
    """Every value the graph offers for ``param`` of this query, sorted: the objects of the
    property the query looks the parameter up with (``?x rdfs:label ?name``), restricted to
    the class the query asks for (``?x a fp:Person``) when it names one. The bench samples
    these; a test checks that each query finds what it is given."""
    from kg.store import query

    m = re.search(_BINDS.format(name=re.escape(param.name)), text)
    if not m:
        raise KGError(f"parameter ?{param.name}: no `?x prefix:property ?{param.name}` pattern to sample from")
    subject, prop = m.group(1), m.group(2)
    cls = re.search(rf"\{re.escape(subject)}\s+(?:[^.{{}}]*?;\s*)?a\s+(fp:\w+)", text)
    where = f"?s {prop} ?v ." + (f" ?s a {cls.group(1)} ." if cls else "")
    rows = query(store, f"SELECT DISTINCT ?v WHERE {{ {where} }}").rows
    return sorted(row[0].value for row in rows if row[0] is not None)


def sample_params(store, text: str, k: int = 5, seed: int = 0) -> list[dict[str, list[str]]]:
    """``k`` parameter settings for a browsing query, drawn (reproducibly, with ``seed``)
    from :func:`candidate_values` — what a researcher clicking through entities would ask."""
    import random

    rng = random.Random(seed)
    pools = {p.name: candidate_values(store, text, p) for p in query_params(text)}
    if any(not pool for pool in pools.values()):
        return []
    return [{name: [rng.choice(pool)] for name, pool in pools.items()} for _ in range(k)]
