"""GraphML and GEXF written as a stream, for Gephi, yEd and networkx.

networkx's writers build the whole document as an element tree before writing it (the
GEXF of 1,000 articles: 140 MB of text held as ~2 million elements, 50 s and 500 MB;
GraphML 18 s and 250 MB), and they need a copy of the graph with scalar attributes. Here
each node and edge is formatted as it is read from an iterator and written to the file at
once, so memory stays flat whatever the graph's size. The documents have the structure
networkx writes (``nx.read_graphml`` / ``nx.read_gexf`` read them back into the same
graph: the same nodes, attributes, edges, keys and types; tests/test_graphxml.py):

* GraphML: one ``<key>`` per attribute name and scope, its id the name (networkx's
  ``named_key_ids=True``); an edge's id is its key (``force_multigraph=True`` reads it back
  as the key). Types: ``string``, ``long``, ``double``, ``boolean``.
* GEXF 1.2draft: the node's ``label`` attribute is the element's label, the others are
  ``attvalues`` of static attributes numbered in order of first use (nodes, then edges);
  an edge's ``label`` likewise, its key kept as ``networkx_key``, edges numbered from 0.

The attributes' table comes before the nodes in both formats but is known only once every
node is seen: the body is streamed to a temporary file beside the target, and the file is
then assembled (head, table, body) and renamed into place (:func:`kg.io.atomic_write`).
Characters XML 1.0 cannot hold (control characters from OCR noise) are left out.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from kg import io

__all__ = ["write_graphml", "write_gexf", "xml_type"]

Node = tuple[str, dict[str, Any]]
Edge = tuple[str, str, str, dict[str, Any]]

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTR = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;",
                       "\t": "&#09;"})
#: the type names both formats use, most general first
_ORDER = ("string", "double", "long", "boolean")


def xml_type(value: Any) -> str:
    """The GraphML/GEXF type of a Python value (networkx's mapping)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    return "string"


def _text(s: str) -> str:
    return _ILLEGAL.sub("", s).translate(_TEXT)


def _attr(s: str) -> str:
    return _ILLEGAL.sub("", s).translate(_ATTR)


class _Keys:
    """Attribute names per scope in order of first use, each with its most general type."""

    def __init__(self) -> None:
        self.order: list[tuple[str, str]] = []          # (scope, name)
        self.types: dict[tuple[str, str], str] = {}

    def see(self, scope: str, name: str, value: Any) -> tuple[str, str]:
        key = (scope, name)
        t = xml_type(value)
        old = self.types.get(key)
        if old is None:
            self.order.append(key)
            self.types[key] = t
        elif old != t and _ORDER.index(t) < _ORDER.index(old):
            self.types[key] = t
        return key


@contextlib.contextmanager
def _body(path: Path) -> Iterator[IO[str]]:
    """A scratch file beside ``path`` for the document's body, removed afterwards."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".body", dir=path.parent)
    try:
        with os.fdopen(fd, "w+", encoding="utf-8", newline="") as fh:
            yield fh
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _value(v: Any, gexf: bool) -> str:
    if isinstance(v, bool) and gexf:
        return "true" if v else "false"
    if isinstance(v, float) and gexf:
        s = str(v)
        return {"inf": "INF", "-inf": "-INF", "nan": "NaN"}.get(s, s)
    return str(v)


def write_graphml(nodes: Iterable[Node], edges: Iterable[Edge], path: str | os.PathLike,
                  directed: bool = True) -> Path:
    """Write a GraphML document of ``nodes`` (id, attributes) and ``edges`` (source,
    target, key, attributes) to ``path`` atomically; attribute values are scalars."""
    path = Path(path)
    keys = _Keys()
    with _body(path) as body:
        w = body.write
        def element(kind: str, head: str, attrs: dict) -> None:
            parts = [f"<{kind} {head}>\n"]
            for k, x in attrs.items():
                keys.see(kind, k, x)
                parts.append(f'  <data key="{_attr(k)}">{_text(_value(x, False))}</data>\n')
            parts.append(f"</{kind}>\n")
            w("".join(parts))

        for n, attrs in nodes:
            element("node", f'id="{_attr(str(n))}"', attrs)
        for u, v, key, attrs in edges:
            element("edge", f'source="{_attr(str(u))}" target="{_attr(str(v))}" id="{_attr(str(key))}"', attrs)
        body.seek(0)
        with io.atomic_write(path, "w") as out:
            out.write("<?xml version='1.0' encoding='utf-8'?>\n"
                      '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
                      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                      'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
                      'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
            for scope, name in keys.order:
                out.write(f'<key id="{_attr(name)}" for="{scope}" attr.name="{_attr(name)}" '
                          f'attr.type="{keys.types[scope, name]}"/>\n')
            out.write(f'<graph edgedefault="{"directed" if directed else "undirected"}">\n')
            shutil.copyfileobj(body, out, 1 << 20)
            out.write("</graph></graphml>\n")
    return path


def write_gexf(nodes: Iterable[Node], edges: Iterable[Edge], path: str | os.PathLike, directed: bool = True,
               creator: str = "Fupin KG") -> Path:
    """Write a GEXF 1.2 document of ``nodes`` and ``edges`` (as :func:`write_graphml`) to
    ``path`` atomically. A node's or edge's ``label`` attribute becomes the element's label."""
    path = Path(path)
    keys = _Keys()
    ids: dict[tuple[str, str], int] = {}

    def attvalues(scope: str, attrs: dict[str, Any], indent: str) -> str:
        if not attrs:
            return ""
        rows = [f"{indent}<attvalues>\n"]
        for k, v in attrs.items():
            key = keys.see(scope, k, v)
            i = ids.setdefault(key, len(ids))
            rows.append(f'{indent}  <attvalue for="{i}" value="{_attr(_value(v, True))}" />\n')
        rows.append(f"{indent}</attvalues>\n")
        return "".join(rows)

    with _body(path) as body:
        w = body.write
        w("    <nodes>\n")
        for n, attrs in nodes:
            attrs = dict(attrs)
            label = str(attrs.pop("label", n))
            inner = attvalues("node", attrs, "        ")
            head = f'      <node id="{_attr(str(n))}" label="{_attr(label)}"'
            w(f"{head}>\n{inner}      </node>\n" if inner else f"{head} />\n")
        w("    </nodes>\n    <edges>\n")
        for k, (u, v, key, attrs) in enumerate(edges):
            attrs = dict(attrs)
            label = attrs.pop("label", None)
            attrs["networkx_key"] = key
            head = (f'      <edge source="{_attr(str(u))}" target="{_attr(str(v))}" id="{k}"'
                    + (f' label="{_attr(str(label))}"' if label is not None else ""))
            inner = attvalues("edge", attrs, "        ")
            w(f"{head}>\n{inner}      </edge>\n" if inner else f"{head} />\n")
        w("    </edges>\n")
        body.seek(0)
        with io.atomic_write(path, "w") as out:
            out.write("<?xml version='1.0' encoding='utf-8'?>\n"
                      '<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                      'xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" '
                      'version="1.2">\n'
                      f'  <meta lastmodifieddate="{time.strftime("%Y-%m-%d")}">\n'
                      f"    <creator>{_text(creator)}</creator>\n  </meta>\n"
                      f'  <graph defaultedgetype="{"directed" if directed else "undirected"}" mode="static" name="">\n')
            for scope in ("edge", "node"):
                mine = [key for key in keys.order if key[0] == scope]
                if not mine:
                    continue
                out.write(f'    <attributes mode="static" class="{scope}">\n')
                for key in mine:
                    out.write(f'      <attribute id="{ids[key]}" title="{_attr(key[1])}" type="{keys.types[key]}" />\n')
                out.write("    </attributes>\n")
            shutil.copyfileobj(body, out, 1 << 20)
            out.write("  </graph>\n</gexf>\n")
    return path
