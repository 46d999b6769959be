"""The package's import graph has no cycles: each stage imports only from stages before it.

Every ``import``/``from ... import`` of a ``kg`` module counts, at the top of a file or
inside a function (a deferred import is still a dependency), read with :mod:`ast`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

import kg

PACKAGE = Path(kg.__file__).parent


def _module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules(package: Path) -> dict[str, Path]:
    return {_module_name(p, package): p for p in sorted(package.rglob("*.py"))}


def import_graph(package: Path = PACKAGE) -> nx.DiGraph:
    """module -> the modules of ``package`` it imports (anywhere in its body)."""
    modules = _modules(package)
    G = nx.DiGraph()
    for name, path in modules.items():
        G.add_node(name)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
                # `from kg.nlp import doc`: the submodule when there is one, else the package
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            for t in targets:
                if t in modules and t != name:
                    G.add_edge(name, t)
    return G


def test_the_graph_is_read():
    G = import_graph()
    # a few imports everyone can check by reading the files
    assert G.has_edge("kg.build", "kg.io")
    assert G.has_edge("kg.views", "kg.analytics")
    assert G.has_edge("kg.nlp.pipeline", "kg.nlp.segmenter")
    assert G.has_edge("kg.graph", "kg.shacl")          # a deferred import counts too
    assert len(G) > 30


def test_no_import_cycles():
    G = import_graph()
    cycles = sorted(sorted(c) for c in nx.simple_cycles(G))
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_a_deferred_cycle_is_found(tmp_path):
    """The check itself: a module importing another inside a function, which imports it back
    at the top (as kg.nlp.segmenter and kg.nlp.pipeline did), is a cycle."""
    pkg = tmp_path / "pk"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "a.py").write_text("from pk.sub.b import f\n")
    (pkg / "sub" / "b.py").write_text("def f():\n    from . import a\n    return a\n")
    G = import_graph(pkg)
    assert sorted(map(sorted, nx.simple_cycles(G))) == [["pk.sub.a", "pk.sub.b"]]
