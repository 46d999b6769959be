"""HTML views of the knowledge graph: the whole graph (pyvis / vis-network), one page per
case story, and the analytics report.

Every page is self-contained: vis-network's script and style (shipped inside pyvis) are
inlined and nothing else is linked, so opening a page makes no network request at all.
The graph page is laid out in advance (:func:`graph_layout`) and drawn with physics off.
A big graph (over 5,000 nodes) opens on an overview of its regions (:func:`graph_regions`:
the articles of one county and everything they cite), each drawn on request with a layout
of its own, so the page opens in a few seconds whatever the corpus's size; the whole graph
is a button away.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import tempfile
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx

from kg import io
from kg.analytics import (
    CLASSES,
    case_parts,
    display_vocabulary,
    load_graph,
    monthly_value,
    nodes_of,
    place_at_level,
    place_chain,
)
from kg.report import _css, _env, _markup, _num, render_report, svg_bar_chart  # noqa: F401 (kg.views API)
from kg.timeline import case_timeline

__all__ = [
    "graph_layout", "layout_parts", "focus_layouts", "graph_regions", "Region", "case_focus", "make_network", "write_graph_html", "case_page_name", "write_case_pages",
    "render_report", "svg_bar_chart", "write_views", "measure_draw", "CHROMIUM", "CHROMIUM_ARGS",
]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
_SMALL = 800          # up to this many nodes the whole graph gets one force layout
_PIECE = 40           # above _SMALL nodes, the graph is laid out in pieces of this size
_PART_WHOLE = 120     # laying out many parts (regions), each up to this size is laid out whole
_PROV_DEFER = 5000    # above this many nodes, provenance edges are drawn on request
_OVERVIEW_ABOVE = 5000   # above this many nodes the page opens on an overview of regions
_REGION_MAX = 4000    # a region (drawn on its own) holds about this many nodes at most
_PROVENANCE = frozenset({"mentionedIn", "source"})
_EDGE = 90.0          # median edge length of the layout, in pixels


# ---------------------------------------------------------------------------------------------
# Templates


def _script_json(obj: Any) -> str:
    """JSON safe to put inside a <script> element."""
    from markupsafe import Markup

    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return Markup(s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                  .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


@lru_cache(maxsize=1)
def _vis_assets() -> tuple[str, str]:
    """vis-network's script and stylesheet as shipped inside pyvis (inlined into the page)."""
    import pyvis

    lib = Path(pyvis.__file__).parent / "templates" / "lib"
    d = max(lib.glob("vis-*/vis-network.min.js"), key=lambda p: [int(x) for x in re.findall(r"\d+", p.parent.name)]).parent
    return ((d / "vis-network.min.js").read_text(encoding="utf-8"),
            (d / "vis-network.css").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# Layout


def _force(pieces: list[nx.Graph], seed: int, iterations: int = 60,
           memo: LayoutMemo | None = None) -> list[dict[Any, tuple[float, float]]]:
    """Fruchterman–Reingold (as networkx's spring layout) on many small graphs at once: the
    pieces of one size are stepped together as one numpy array (repulsion between all pairs
    of a piece, attraction along the edges), so thousands of pieces cost a few array
    operations per iteration. Each layout is scaled so that its median edge is _EDGE
    pixels long and centred on (0, 0).

    A piece's layout depends on the piece alone (its nodes, edges, ``seed`` and
    ``iterations``: its own random start, no padding), so ``memo`` (:class:`LayoutMemo`,
    the previous build's layouts by that content) gives back the layouts of the pieces a
    change did not touch, the same numbers as computing them."""
    import numpy as np

    out: dict[int, dict[Any, tuple[float, float]]] = {}
    orders_all = [sorted(H, key=str) for H in pieces]
    keys = [memo.key(H, order, seed, iterations) for H, order in zip(pieces, orders_all)] if memo is not None else None
    todo = []
    for i, order in enumerate(orders_all):
        hit = memo.get(keys[i], order) if keys is not None else None
        if hit is not None:
            out[i] = hit
        else:
            todo.append(i)
    by_size: dict[int, list[int]] = defaultdict(list)     # one size per batch: no padding
    for i in todo:
        by_size[len(orders_all[i])].append(i)
    batches = []
    for size in sorted(by_size):
        # bounded memory: at most 512 pieces or 2**21 node pairs a batch
        step = max(1, min(512, 2**21 // max(size * size, 1)))
        same = by_size[size]
        batches += [same[k:k + step] for k in range(0, len(same), step)]
    for members in batches:
        batch = [pieces[i] for i in members]
        orders = [orders_all[i] for i in members]
        P, B = len(batch), max(len(o) for o in orders)
        valid = np.zeros((P, B), dtype=bool)
        eu, ev = [], []                               # edges as flat indices into (P*B)
        offsets = [0]                                 # edges of piece i: eu[offsets[i]:offsets[i+1]]
        for i, (H, order) in enumerate(zip(batch, orders)):
            idx = {v: i * B + j for j, v in enumerate(order)}
            valid[i, :len(order)] = True
            for u, v in H.edges():
                if u != v:
                    eu.append(idx[u])
                    ev.append(idx[v])
            offsets.append(len(eu))
        eu_a, ev_a = np.array(eu, dtype=np.int64), np.array(ev, dtype=np.int64)
        pair = (valid[:, :, None] & valid[:, None, :]).astype(np.float32)
        k = (1.0 / np.sqrt(np.maximum(valid.sum(1), 1))).astype(np.float32)
        k2pair = pair * (k * k)[:, None, None]
        kflat = np.repeat(k, B)
        pos = np.stack([np.random.default_rng([seed, _piece_seed(o)]).random((B, 2)) for o in orders]).astype(np.float32)
        px, py = pos[..., 0].copy(), pos[..., 1].copy()
        fx, fy = px.reshape(-1), py.reshape(-1)         # views: flat node index -> coordinate
        n_flat = P * B
        t, dt = 0.1, 0.1 / (iterations + 1)
        for _ in range(iterations):
            dx = px[:, :, None] - px[:, None, :]
            dy = py[:, :, None] - py[:, None, :]
            w = dx * dx
            w += dy * dy
            np.maximum(w, 1e-4, out=w)
            np.divide(k2pair, w, out=w)                 # repulsion k²/d, along (dx, dy)/d
            dispx = np.einsum("pij,pij->pi", dx, w)
            dispy = np.einsum("pij,pij->pi", dy, w)
            ex, ey = fx[eu_a] - fx[ev_a], fy[eu_a] - fy[ev_a]
            f = np.sqrt(ex * ex + ey * ey) / kflat[eu_a]  # attraction d²/k along the edge
            ex *= f
            ey *= f
            for disp, pull in ((dispx.reshape(-1), ex), (dispy.reshape(-1), ey)):
                disp -= np.bincount(eu_a, pull, n_flat).astype(np.float32)
                disp += np.bincount(ev_a, pull, n_flat).astype(np.float32)
            length = np.sqrt(dispx * dispx + dispy * dispy)
            np.maximum(length, 0.01, out=length)
            move = t / length
            px += dispx * move
            py += dispy * move
            t -= dt
        pos = np.stack([px, py], axis=-1)
        flat = pos.reshape(-1, 2)
        all_lengths = np.sqrt(((flat[eu_a] - flat[ev_a]) ** 2).sum(-1)) if len(eu) else np.zeros(0)
        for i, order in enumerate(orders):
            p = pos[i, :len(order)].astype(float)
            p = p - p.mean(0)
            lengths = all_lengths[offsets[i]:offsets[i + 1]]
            med = float(np.median(lengths)) if len(lengths) else float(k[i])
            scale = _EDGE / max(med, float(k[i]) / 2)
            out[members[i]] = {v: (float(p[j, 0] * scale), float(p[j, 1] * scale)) for j, v in enumerate(order)}
    if memo is not None:
        for i, order in enumerate(orders_all):
            memo.put(keys[i], order, out[i])
    return [out[i] for i in range(len(pieces))]


def _piece_seed(order: list[Any]) -> int:
    """A piece's own random start: from its nodes, not from its place among other pieces."""
    return int.from_bytes(hashlib.sha256("\0".join(map(str, order)).encode("utf-8")).digest()[:8], "big")


#: In a build directory: the layouts of the graph page's pieces, by their content (kg.views.LayoutMemo).
LAYOUT_MEMO = ".layout-memo.json"


class LayoutMemo:
    """The force layouts of pieces by a hash of what they depend on (the piece's nodes and
    edges in order, seed, iterations, this module): read from a previous build directory,
    and what this build used written for the next (:meth:`save`)."""

    def __init__(self, previous: Path | None = None) -> None:
        self.old: dict[str, list[list[float]]] = {}
        self.used: dict[str, list[list[float]]] = {}
        self.hits = 0
        if previous is not None:
            try:
                data = json.loads((Path(previous) / LAYOUT_MEMO).read_text(encoding="utf-8"))
                if isinstance(data, dict) and data.get("code") == _render_fingerprint():
                    self.old = data.get("layouts") or {}
            except (OSError, ValueError):
                pass

    @staticmethod
    def key(H: nx.Graph, order: list[Any], seed: int, iterations: int) -> str:
        index = {v: j for j, v in enumerate(order)}
        h = hashlib.sha256(f"{seed}:{iterations}:{len(order)}\n".encode())
        h.update("\0".join(map(str, order)).encode("utf-8"))
        h.update(",".join(f"{index[u]}-{index[v]}" for u, v in H.edges() if u != v).encode())
        return h.hexdigest()[:32]

    def get(self, key: str, order: list[Any]) -> dict[Any, tuple[float, float]] | None:
        xy = self.old.get(key)
        if xy is None or len(xy) != len(order):
            return None
        self.hits += 1
        self.used[key] = xy
        return {v: (p[0], p[1]) for v, p in zip(order, xy)}

    def put(self, key: str, order: list[Any], pos: dict[Any, tuple[float, float]]) -> None:
        self.used.setdefault(key, [list(pos[v]) for v in order])

    def save(self, out_dir: Path) -> None:
        io.write_text(Path(out_dir) / LAYOUT_MEMO, json.dumps({"code": _render_fingerprint(), "layouts": self.used},
                                                              separators=(",", ":")))


def _chunks(H: nx.Graph, size: int) -> list[list[Any]]:
    """Cut a graph into connected pieces of at most ``size`` nodes, in linear time: walk each
    component breadth-first from its best connected node and grow a piece, breadth-first
    over the nodes not yet taken, from each node not yet in a piece."""
    pieces: list[list[Any]] = []
    taken: set = set()
    for comp in sorted(nx.connected_components(H), key=lambda c: (-len(c), min(map(str, c)))):
        root = max(comp, key=lambda v: (H.degree(v), str(v)))
        for v in nx.bfs_tree(H, root, sort_neighbors=lambda ns: sorted(ns, key=str)):
            if v in taken:
                continue
            piece, queue = [v], deque([v])
            taken.add(v)
            while queue and len(piece) < size:
                u = queue.popleft()
                for w in sorted(H[u], key=str):
                    if w not in taken:
                        taken.add(w)
                        piece.append(w)
                        queue.append(w)
                        if len(piece) >= size:
                            break
            pieces.append(piece)
    # fold crumbs (pieces of a few nodes left between others) into a neighbouring piece,
    # and bag the remaining small ones together, so that few force layouts are run
    where = {v: i for i, p in enumerate(pieces) for v in p}
    merged: dict[int, list[Any]] = {i: p for i, p in enumerate(pieces)}
    for i, p in enumerate(pieces):
        if len(p) >= 10:
            continue
        target = next((where[w] for v in p for w in sorted(H[v], key=str)
                       if where[w] != i and where[w] in merged and len(merged[where[w]]) + len(p) <= 2 * size), None)
        if target is not None:
            merged[target].extend(p)
            for v in p:
                where[v] = target
            del merged[i]
    out, bag = [], []
    for p in merged.values():
        if len(p) >= 10:
            out.append(p)
        else:
            bag.extend(p)
            if len(bag) >= size:
                out.append(bag)
                bag = []
    return out + ([bag] if bag else [])


def _undirected(G: nx.Graph, nodes: Iterable[Any] | None = None) -> tuple[nx.Graph, list[Any]]:
    """The graph the layout works on (of ``nodes`` only, when given), and the articles left
    out of it: provenance links (to articles) would collapse the layout into one clump per
    article, except for nodes linked to nothing but articles (a program only mentioned,
    say), which form a ring around their article."""
    order = list(G) if nodes is None else sorted(set(nodes), key=str)   # (load_graph adds nodes in IRI order)
    articles = sorted((n for n in order if G.nodes[n]["cls"] == "Article"), key=str)
    arts = set(articles)
    U = nx.Graph()
    U.add_nodes_from(n for n in order if n not in arts)
    U.add_edges_from((u, v) for u, v in G.edges(list(U)) if u != v and v in U)
    for n in [n for n in U if U.degree(n) == 0]:        # satellites: linked to articles only
        for a in nx.all_neighbors(G, n):
            if a in arts:
                U.add_edge(n, a)
    return U, articles


def _pack(blocks: list[dict[Any, tuple[float, float]]]) -> dict[Any, tuple[float, float]]:
    """Blocks of positions (each centred on (0, 0)) packed in rows, in their order."""
    pos: dict[Any, tuple[float, float]] = {}
    blocks = [b for b in blocks if b]
    if not blocks:
        return pos
    radius = [max(math.hypot(*p) for p in b.values()) + _EDGE for b in blocks]
    width = max(math.sqrt(sum((2 * r) ** 2 for r in radius)) * 1.2, 2 * max(radius))
    x = y = row_h = 0.0
    for b, r in zip(blocks, radius):
        if x + 2 * r > width and x > 0:
            x, y, row_h = 0.0, y + row_h, 0.0
        for v, (px, py) in b.items():
            pos[v] = (round(x + r + px, 1), round(y + r + py, 1))
        x += 2 * r
        row_h = max(row_h, 2 * r)
    return pos


def layout_parts(G: nx.Graph, parts: list[Iterable[Any]], seed: int = 0,
                 memo: LayoutMemo | None = None) -> list[dict[Any, tuple[float, float]]]:
    """Positions (pixels) for the nodes of each part of ``G`` (parts may share nodes: each
    part gets its own layout), computed in advance so the page needs no physics.

    Each part's graph (:func:`_undirected`) is laid out force-directed: whole when it is
    small (up to 800 nodes for a single part, 120 when there are several), otherwise cut
    into connected pieces of about 40 nodes (:func:`_chunks`, breadth-first, so neighbours
    share a piece) packed in rows in the order they were cut. All the pieces of all parts
    are stepped together (:func:`_force`). Each article is put at the centre of what it
    mentions. Deterministic for a given ``seed``; about linear in the number of nodes.
    ``memo``: layouts of unchanged pieces from the previous build (:class:`LayoutMemo`).
    """
    prepared = [_undirected(G, part) for part in parts]
    whole_max = _SMALL if len(parts) == 1 else _PART_WHOLE
    blocks: list[list[dict[Any, tuple[float, float]]]] = [[] for _ in parts]
    whole: list[tuple[int, nx.Graph]] = []
    cut: list[tuple[int, nx.Graph]] = []
    for i, (U, _articles) in enumerate(prepared):
        if len(U) and len(U) <= whole_max:
            whole.append((i, U))
        elif len(U):
            cut.extend((i, U.subgraph(p)) for p in _chunks(U, _PIECE))
    for jobs, iterations in ((whole, 100 if len(parts) == 1 else 50), (cut, 40)):
        if jobs:
            for (i, _), b in zip(jobs, _force([H for _, H in jobs], seed, iterations=iterations, memo=memo)):
                blocks[i].append(b)
    out = []
    for (_, articles), part_blocks in zip(prepared, blocks):
        pos = _pack(part_blocks)
        for k, a in enumerate(a for a in articles if a not in pos):
            nb = [pos[v] for v in nx.all_neighbors(G, a) if v in pos]
            if nb:
                pos[a] = (round(sum(p[0] for p in nb) / len(nb) + 15, 1),
                          round(sum(p[1] for p in nb) / len(nb) - 15, 1))
            else:
                pos[a] = (-2 * _EDGE, k * _EDGE)
        out.append(pos)
    return out


def focus_layouts(G: nx.MultiDiGraph, parts: list[Iterable[Any]], focus: set[Any],
                  seed: int = 0, memo: LayoutMemo | None = None) -> list[dict[Any, tuple[float, float]]]:
    """Positions for the nodes of each part, its ``focus`` nodes (what the page opens on,
    :func:`case_focus`) laid out on their own (:func:`layout_parts`), so that the opening
    view is compact enough to read its labels; every other node of the part is then put
    breadth-first around the first placed node it links to (a sunflower spiral, so many
    satellites of one hub do not overlap), where the reader who shows its class looks for
    it. What links to no placed node is laid out apart (:func:`layout_parts`) and set beside.
    Without focus nodes in a part: :func:`layout_parts` of the part."""
    from collections import deque

    parts = [list(p) for p in parts]
    cores = [[n for n in p if n in focus] for p in parts]
    core_pos = layout_parts(G, [c for c in cores if c], seed, memo)
    out: list[dict[Any, tuple[float, float]]] = []
    lone_parts: list[list[Any]] = []
    it = iter(core_pos)
    for part, core in zip(parts, cores):
        if not core:
            out.append({})
            lone_parts.append(part)
            continue
        pos = dict(next(it))
        members = set(part)
        count: dict[Any, int] = {}
        queue = deque(sorted(pos, key=str))
        while queue:
            a = queue.popleft()
            ax, ay = pos[a]
            for v in sorted((v for v in set(nx.all_neighbors(G, a)) if v in members and v not in pos), key=str):
                k = count.get(a, 0)
                count[a] = k + 1
                r, t = 0.55 * _EDGE * math.sqrt(k + 1), k * 2.399963      # the golden angle
                pos[v] = (round(ax + r * math.cos(t), 1), round(ay + r * math.sin(t), 1))
                queue.append(v)
        rest = [n for n in part if n not in pos]
        out.append(pos)
        lone_parts.append(rest)
    lone = layout_parts(G, lone_parts, seed, memo) if any(lone_parts) else [{} for _ in parts]
    for pos, extra in zip(out, lone):
        if extra and pos:
            x1 = max(p[0] for p in pos.values()) + 3 * _EDGE
            y0 = min(p[1] for p in pos.values())
            ex0, ey0 = min(p[0] for p in extra.values()), min(p[1] for p in extra.values())
            pos.update({v: (round(x1 + x - ex0, 1), round(y0 + y - ey0, 1)) for v, (x, y) in extra.items()})
        elif extra:
            pos.update(extra)
    return out


def graph_layout(G: nx.Graph, seed: int = 0, memo: LayoutMemo | None = None) -> dict[Any, tuple[float, float]]:
    """Positions (pixels) for every node of ``G``: :func:`layout_parts` with one part."""
    return layout_parts(G, [G], seed, memo)[0]


# ---------------------------------------------------------------------------------------------
# Regions: what a big graph page opens on


@dataclass
class Region:
    """A part of the graph drawn on its own: the articles whose places lie mostly in one
    county (or township, on crowded counties) and every node they cite."""

    label: str
    place: str | None            # the place node it is named after (None: no place found)
    articles: list[str]          # article nodes
    parent: str | None = None    # the place it was cut from (a crowded county)
    members: list[str] = field(default_factory=list)   # every node of the region's view
    cases: int = 0


#: the levels regions are cut at, coarsest first; an article with none of them is "unplaced"
_REGION_LEVELS = ("county", "township")
_FALLBACK_LEVELS = ("prefecture", "province")
_UNPLACED = "未定位 unplaced"
_UNCITED = "无来源 cited by no article"


def _article_places(G: nx.MultiDiGraph, article: str, case_place: dict[str, list[str]]) -> list[str]:
    """The places an article cites: those it mentions and its cases' places (with repeats:
    a place cited by three cases counts three times)."""
    adj, node = G._pred[article], G._node
    places = [u for u, keys in adj.items() if node[u]["cls"] == "Place" and ("mentionedIn" in keys or "source" in keys)]
    for u, keys in adj.items():
        if "source" in keys and node[u]["cls"] == "Case":
            places += case_place.get(u, [])
    return places


def _most_common(G: nx.MultiDiGraph, places: list[str], level: str, memo: dict) -> str | None:
    counts = Counter(p for p in (place_at_level(G, q, level, memo) for q in places) if p)
    return min(counts, key=lambda p: (-counts[p], G.nodes[p]["label"] or "", p)) if counts else None


def graph_regions(G: nx.MultiDiGraph, max_nodes: int = _REGION_MAX) -> list[Region]:
    """Cut the graph into regions of at most about ``max_nodes`` nodes for the graph page.

    Each article goes to the county its places (mentioned, and its cases') most often lie
    in, or failing a county its prefecture or province, else to "未定位 unplaced". A region
    holds its articles and every node citing one of them (``sources``); a node citing no
    article (a place above those cited, say) joins the regions of the nodes that point at
    it, and any left over make regions of their own. A region over ``max_nodes`` is cut by
    township, and one still over it into runs of articles. Nodes shared by regions (a
    province, an organization active in two counties) are members of each. Regions are
    ordered by place label; deterministic.
    """
    node = G._node
    articles = sorted((n for n, d in node.items() if d["cls"] == "Article"), key=str)
    by_file = {node[a].get("file_name") or node[a]["label"] or a: a for a in articles}
    cited: dict[str, list[str]] = defaultdict(list)      # article -> nodes citing it
    for n, d in node.items():
        for f in d["sources"]:
            a = by_file.get(f)
            if a is not None and a != n:
                cited[a].append(n)
    case_place = {c: [v for v, keys in G._adj[c].items() if "place" in keys] for c, d in node.items() if d["cls"] == "Case"}
    memo: dict[str, list[str]] = {}
    places = {a: _article_places(G, a, case_place) for a in articles}

    def members(arts: list[str]) -> set[str]:
        return {*arts, *(n for a in arts for n in cited[a])}

    def cut(arts: list[str], depth: int, parent: str | None) -> list[Region]:
        level = _REGION_LEVELS[depth]
        groups: dict[str | None, list[str]] = defaultdict(list)
        for a in arts:
            key = _most_common(G, places[a], level, memo)
            if key is None and depth == 0:
                key = next((k for lv in _FALLBACK_LEVELS if (k := _most_common(G, places[a], lv, memo))), None)
            groups[key].append(a)
        out: list[Region] = []
        for key, group in sorted(groups.items(), key=lambda kv: (kv[0] is None, node[kv[0]]["label"] if kv[0] else "", kv[0] or "")):
            if key is None:
                label = f"{node[parent]['label']} · 其他 other" if parent else _UNPLACED
            else:
                label = node[key]["label"] if parent is None else f"{node[parent]['label']} · {node[key]['label']}"
            size = len(members(group))
            if size > max_nodes and key is not None and depth + 1 < len(_REGION_LEVELS):
                sub = cut(group, depth + 1, key)
                if len(sub) > 1:
                    out += sub
                    continue
            if size > max_nodes and len(group) > 1:
                out += _runs(group, label, key, parent, members, max_nodes)
            else:
                out.append(Region(label, key, group, parent))
        return out

    regions = cut(articles, 0, None) if articles else []
    where: dict[str, set[int]] = defaultdict(set)
    for i, r in enumerate(regions):
        for n in members(r.articles):
            where[n].add(i)
    # nodes citing no article (places above those cited, say) join the regions of the nodes
    # that point at them (passes: a province above a prefecture above a cited county); the
    # rest to regions of their own
    pred, changed = G._pred, True
    while changed:
        changed = False
        for n in [n for n in node if n not in where]:
            near = {i for v in pred[n] for i in where.get(v, ())}
            if near:
                where[n] = near
                changed = True
    lonely = sorted((n for n in node if n not in where), key=str)
    runs = [lonely[k:k + max_nodes] for k in range(0, len(lonely), max_nodes)]
    for k, run in enumerate(runs, 1):
        regions.append(Region(f"{_UNCITED} ({k}/{len(runs)})" if len(runs) > 1 else _UNCITED, None, []))
        for n in run:
            where[n] = {len(regions) - 1}
    for n, regs in where.items():
        for i in regs:
            regions[i].members.append(n)
    for r in regions:
        r.members.sort(key=str)
        r.cases = sum(1 for n in r.members if node[n]["cls"] == "Case")
    return regions


def _runs(arts: list[str], label: str, place: str | None, parent: str | None, members,
          max_nodes: int) -> list[Region]:
    """Cut a crowded region into runs of consecutive articles of at most ``max_nodes`` nodes."""
    runs: list[list[str]] = [[]]
    nodes: set[str] = set()
    for a in arts:
        more = members([a])
        if runs[-1] and len(nodes | more) > max_nodes:
            runs.append([])
            nodes = set()
        runs[-1].append(a)
        nodes |= more
    return [Region(f"{label} ({k}/{len(runs)})", place, run, parent) for k, run in enumerate(runs, 1)]


def _centred(pos: dict[Any, tuple[float, float]]) -> dict[Any, tuple[float, float]]:
    """``pos`` moved so that its bounding box is centred on (0, 0)."""
    if not pos:
        return pos
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    return {v: (p[0] - cx, p[1] - cy) for v, p in pos.items()}


def _overview(G: nx.MultiDiGraph, regions: list[Region], seed: int) -> dict[str, Any]:
    """The overview the page opens on: one node per region (sized by its cases) under the
    places above it (prefecture, province), laid out like the graph."""
    vocab = display_vocabulary()
    size, label = vocab["classes"]["Place"]["size"], vocab["predicates"].get("partOf", "partOf")
    memo: dict[str, list[str]] = {}
    T = nx.Graph()
    nodes, edges, meta = [], [], {}
    for i, r in enumerate(regions):
        rid = f"r{i}"
        T.add_node(rid, cls="Place")
        nodes.append({"id": rid, "label": f"{r.label}\n{r.cases} 案例", "group": "Place",
                      "size": round(size + 3 * math.sqrt(r.cases), 1)})
        meta[rid] = {"label": r.label, "region": i, "cases": r.cases, "articles": len(r.articles),
                     "nodes": len(r.members), "iri": r.place or ""}
        above = (place_chain(G, r.place, memo)[1:] if r.place is not None
                 else place_chain(G, r.parent, memo) if r.parent is not None else [])
        if not above and r.place is None:
            nodes[-1]["color"] = "#aaaaaa"
        below = rid
        for p in above:
            pid = f"p:{p}"
            if pid not in T:
                T.add_node(pid, cls="Place")
                nodes.append({"id": pid, "label": G.nodes[p]["label"], "group": "Place"})
                meta[pid] = {"label": G.nodes[p]["label"], "iri": G.nodes[p]["iri"]}
            if not T.has_edge(below, pid):
                T.add_edge(below, pid)
                edges.append({"from": below, "to": pid, "label": label})
            below = pid
    pos = graph_layout(T, seed)
    for nd in nodes:
        nd["x"], nd["y"] = pos[nd["id"]]
    return {"nodes": nodes, "edges": edges, "meta": meta}


# ---------------------------------------------------------------------------------------------
# The graph page


def _first_sentence(d: dict) -> str:
    ev = d.get("evidence") or []
    return ev[0]["sentence"] if ev else ""


def case_focus(G: nx.MultiDiGraph) -> set[str]:
    """What the graph page opens on: the cases, the persons, programs, places and
    organizations they link to, and the places above those places (``fp:partOf``). Empty
    when the graph has no case (the page then shows every node of the shown classes)."""
    memo: dict[str, list[str]] = {}
    keep: set[str] = set()
    for case in nodes_of(G, "Case"):
        keep.add(case)
        parts = case_parts(G, case)
        for k in ("person", "program", "organization"):
            keep.update(parts[k])
        for p in parts["place"]:
            keep.update(place_chain(G, p, memo))
    return keep


def make_network(G: nx.MultiDiGraph, pos: dict | None = None, seed: int = 0, focus: set[str] | None = None):
    """A :class:`pyvis.network.Network` holding the graph, and the per-node details the page
    shows on hover and click.

    One vis node per graph node (its Chinese label, its class as vis *group*: colour, shape
    and size come from the group options), one vis edge per triple (labelled with the
    relation), fixed positions, physics off. Nodes and edges are loaded in bulk: pyvis's
    ``add_node``/``add_edge`` check membership in a list, quadratic at tens of thousands
    of nodes.

    Above 5,000 nodes the provenance edges (``fp:mentionedIn``, ``fp:source``) are kept
    apart in ``net.deferred_edges``; the page adds them when the reader asks.

    Returns
    -------
    (pyvis.network.Network, list of dict)
        The network and, per vis node id, ``{cls, cats, ev, src, iri, page?, core?}``
        (``core``: 1 for the nodes of :func:`case_focus`, what the page opens on).
    """
    from pyvis.network import Network

    styles = display_vocabulary()["classes"]
    if pos is None:
        pos = graph_layout(G, seed)
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    order = sorted(G, key=lambda n: (CLASSES.index(G.nodes[n]["cls"]), n))
    ids = {n: i for i, n in enumerate(order)}
    nodes, meta = [], []
    focus = case_focus(G) if focus is None else focus
    for n in order:
        d = G.nodes[n]
        x, y = pos.get(n, (0.0, 0.0))
        label = d["label"]
        if d["cls"] == "Case":           # 任启勇（001_….txt） -> 案例·任启勇: the file is in the details
            label = re.sub(r"（[^（）]*）$", "", label)
            label = label if label.startswith("案例") else "案例·" + label
        nodes.append({"id": ids[n], "label": label, "x": x, "y": y, "group": d["cls"]})
        m = {"cls": d["cls"], "cats": d["category"], "ev": _first_sentence(d), "src": d["sources"], "iri": d["iri"]}
        if d["cls"] == "Case":
            m["page"] = case_page_name(G, n)
        if n in focus:
            m["core"] = 1
        meta.append(m)
    net.nodes = nodes
    net.node_ids = list(range(len(nodes)))
    net.node_map = {nd["id"]: nd for nd in nodes}
    all_edges = sorted(G.edges(keys=True, data="label"), key=lambda e: (ids[e[0]], ids[e[1]], e[2]))
    # above _PROV_DEFER nodes, provenance links (to articles) are added only when asked for:
    # they are a third of the edges, and vis-network's start-up time grows with the edges
    defer = len(nodes) > _PROV_DEFER
    net.edges = [{"from": ids[u], "to": ids[v], "label": lab} for u, v, k, lab in all_edges
                 if not (defer and k in _PROVENANCE)]
    net.deferred_edges = [{"from": ids[u], "to": ids[v], "label": lab} for u, v, k, lab in all_edges
                          if defer and k in _PROVENANCE]
    big = len(nodes) > 2000
    net.options = {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "groups": {c: {"shape": st["shape"], "color": st["color"], "size": st["size"], "font": {"size": st.get("font", 14)}}
                   for c, st in styles.items()},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": big, "hideEdgesOnZoom": big,
                        "navigationButtons": False, "keyboard": False},
        "nodes": {"font": {"size": 14, "face": "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, sans-serif"},
                  "borderWidth": 1, "scaling": {"label": {"drawThreshold": 6, "maxVisible": 20}}},
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.4}}, "smooth": False,
                  "color": {"color": "#b8b8b8", "highlight": "#444", "hover": "#666"},
                  "font": {"size": 9, "align": "middle", "color": "#555", "strokeWidth": 2},
                  "width": 0.7, "selectionWidth": 2},
    }
    return net, meta


def write_graph_html(G: nx.MultiDiGraph, path: Path, *, seed: int = 0, title: str = "扶贫知识图谱 Fupin KG",
                     overview_above: int = _OVERVIEW_ABOVE, region_max: int = _REGION_MAX,
                     memo: LayoutMemo | None = None) -> Path:
    """Write the whole graph as one offline HTML page (what the benchmark times).

    A graph of up to ``overview_above`` nodes is drawn whole. A bigger one (a thousand
    articles make ~95,000 nodes, which vis-network takes ~15 s to draw and nobody can read)
    opens on an overview: one node per region (:func:`graph_regions`, at most
    ``region_max`` nodes each) under the places above it; clicking a region, or a search
    hit, draws that region with its own layout, and a button draws the whole graph (laid
    out region by region). Every node is in the page either way. A view (the whole page, a
    region) opens on :func:`case_focus` of the classes shown by default, laid out first
    (:func:`focus_layouts`); the rest is a toggle, a search hit or a double-click away.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        From :func:`kg.analytics.load_graph`.
    path : Path
        The page to write (atomically).

    Returns
    -------
    Path
        ``path``. The page sets ``window.kgDrawn`` once vis-network has drawn, and
        ``window.kgStats = {nodes, edges, ms, mode, ...}``; ``kgOpenRegion(i)``,
        ``kgShowAll()`` and ``kgShowOverview()`` switch views and return a promise of
        the same statistics for the new view.
    """
    regions = graph_regions(G, region_max) if G.number_of_nodes() > overview_above else []
    focus = case_focus(G)
    pos = None
    if regions:
        layouts = focus_layouts(G, [r.members for r in regions], focus, seed, memo)
        home: dict[str, int] = {}
        for i, r in enumerate(regions):
            for n in r.members:
                home.setdefault(n, i)
        # the whole graph: each region's layout (of the nodes it is home to) packed in rows
        pos = _pack([_centred({n: p for n, p in layout.items() if home[n] == i})
                     for i, layout in enumerate(layouts)])
    else:
        pos = focus_layouts(G, [list(G)], focus, seed, memo)[0]
    net, meta = make_network(G, pos=pos, seed=seed, focus=focus)
    nodes, edges, _heading, _h, _w, options = net.get_network_data()
    deferred = net.deferred_edges
    region_data, overview, homes = [], None, []
    if regions:
        ids = {m["iri"]: i for i, m in enumerate(meta)}
        for r, layout in zip(regions, layouts):
            region_data.append({"label": r.label, "cases": r.cases, "articles": len(r.articles),
                                "ids": [ids[n] for n in r.members],
                                "xy": [round(c) for n in r.members for c in layout[n]]})
        homes = [home[m["iri"]] for m in meta]
        overview = _overview(G, regions, seed)
    vocab = display_vocabulary()
    present = {m["cls"] for m in meta}
    cats = sorted({c for m in meta for c in m["cats"]})
    # one label per category, in the filter and in the details alike (the ontology's)
    cat_labels = {**vocab["categories"], **G.graph.get("category_labels", {})}
    vis_js, vis_css = _vis_assets()
    html = _env().get_template("graph.html").render(
        title=title, nodes=_script_json(nodes), edges=_script_json(edges), meta=_script_json(meta),
        deferred=_script_json(deferred), n_deferred=len(deferred),
        regions=_script_json(region_data), overview=_script_json(overview), home=_script_json(homes),
        n_regions=len(region_data),
        options=_script_json(json.loads(options)),
        classes=[(c, vocab["classes"][c]) for c in CLASSES if c in present],
        categories=[(c, cat_labels.get(c, c)) for c in cats], focus=any("core" in m for m in meta),
        vocab=_script_json({"classes": vocab["classes"], "categories": cat_labels}),
        n_nodes=len(nodes), n_edges=len(edges) + len(deferred), vis_js=_markup(vis_js), vis_css=_markup(vis_css), css=_markup(_css()),
    )
    return io.write_text(path, html)


# ---------------------------------------------------------------------------------------------
# Case pages


def case_page_name(G: nx.MultiDiGraph, case: str) -> str:
    """A safe, stable file name for a case page: the person's name and a short hash of the
    case IRI (``徐泉铃-3f2a9c1b.html``)."""
    persons = [G.nodes[p]["label"] for p in case_parts(G, case)["person"]]
    name = "_".join(persons) or "case"
    name = re.sub(r"[^\w\u3400-\u9fff\uf900-\ufaff-]+", "_", name, flags=re.UNICODE).strip("_")[:40] or "case"
    return f"{name}-{hashlib.sha1(case.encode('utf-8')).hexdigest()[:8]}.html"


def _item(G: nx.MultiDiGraph, n: str, articles: Iterable[str] | None = None) -> dict[str, Any]:
    """What a page shows of a node; with ``articles``, only the evidence from those articles
    (a place merged across articles keeps, on a case page, the sentences of that case's
    article)."""
    d = G.nodes[n]
    vocab = display_vocabulary()
    cat_zh = G.graph.get("category_labels") or vocab["categories"]
    evidence = d.get("evidence") or []
    if articles is not None:
        keep = set(articles)
        evidence = [e for e in evidence if e.get("source") is None or e["source"] in keep]
    return {"id": n, "label": d["label"], "cls": d["cls"], "evidence": evidence,
            "sources": d.get("sources") or [], "categories": [(c, cat_zh.get(c, c)) for c in d["category"]],
            "level": vocab["levels"].get(d.get("admin_level") or "", d.get("admin_level")), "attrs": d}


def _case_view(G: nx.MultiDiGraph, case: str, chains: dict[str, list[str]] | None = None) -> dict[str, Any]:
    vocab = display_vocabulary()
    parts = case_parts(G, case)
    arts = G.nodes[case]["sources"]
    places = []
    for p in parts["place"]:
        chain = [_item(G, x, arts) for x in place_chain(G, p, chains)]
        places.append({"place": chain[0], "chain": list(reversed(chain))})
    incomes = []
    for o in parts["outcome"]:
        it = _item(G, o, arts)
        d = G.nodes[o]
        it["period"] = vocab["periods"].get(d.get("period") or "", d.get("period"))
        it["phase"] = vocab["phases"].get(d.get("phase") or "", d.get("phase") or "")
        kind = d.get("income_kind") or "income"
        it["kind"] = vocab["income_kinds"].get(kind, {}).get("zh", kind)
        incomes.append(it)
    incomes.sort(key=lambda i: (i["attrs"].get("phase") != "before", i["label"]))
    src = [G.nodes[s] for s in parts["source"]]
    return {"case": _item(G, case, arts), "persons": [_item(G, p, arts) for p in parts["person"]],
            "programs": [_item(G, p, arts) for p in parts["program"]], "places": places,
            "organizations": [_item(G, o, arts) for o in parts["organization"]], "incomes": incomes,
            "timeline": case_timeline(G, case),
            "articles": [{"file": s.get("file_name") or s["label"], "title": s.get("title"), "date": s.get("date"),
                          "publication": s.get("publication"), **_article_meta(s)} for s in src],
            "page": case_page_name(G, case)}


def _article_meta(d: dict[str, Any]) -> dict[str, Any]:
    """An article's page metadata for a case page: publisher, author, address, collection,
    and where each field came from (``{"title": "page", ...}``)."""
    fields = ("title", "date", "publisher", "author", "url", "collection")
    return {"publisher": d.get("publisher"), "author": d.get("creator"), "url": d.get("url"),
            "collection": d.get("collection"), "text_file": d.get("text_file"),
            "from": {f: d[f"{f}_from"] for f in fields if d.get(f"{f}_from")}}


_MANIFEST = ".pages.json"    # in cases/: page -> (what it was rendered from, sha256 of its bytes)


@lru_cache(maxsize=1)
def _render_fingerprint() -> str:
    """What a page's HTML depends on besides its data: this module (filters, escaping)
    and every template, stylesheet and vocabulary file."""
    from kg.resources import templates_dir

    h = hashlib.sha256(Path(__file__).read_bytes())
    for p in sorted(templates_dir().iterdir()):
        if p.is_file():
            h.update(p.name.encode("utf-8") + b"\0" + p.read_bytes())
    return h.hexdigest()


def _dumps(x: Any) -> str:
    return json.dumps(x, ensure_ascii=False, sort_keys=True, default=repr, separators=(",", ":"))


def _view_key(v: dict[str, Any], memo: dict[str, str] | None = None) -> str:
    """A hash of everything a case page is rendered from (and of how it is rendered).

    A node's full attributes (a county's evidence from every article that names it...)
    are on the pages of all its cases: each node's are serialised once (``memo``, by node
    id) and enter the page's data as their hash."""
    memo = {} if memo is None else memo

    def item(it: dict[str, Any]) -> dict[str, Any]:
        h = memo.get(it["id"])
        if h is None:
            h = memo[it["id"]] = hashlib.sha256(_dumps(it["attrs"]).encode("utf-8")).hexdigest()
        return {**it, "attrs": h}

    data = {**v, "case": item(v["case"]), "persons": [item(i) for i in v["persons"]],
            "programs": [item(i) for i in v["programs"]], "organizations": [item(i) for i in v["organizations"]],
            "incomes": [item(i) for i in v["incomes"]],
            "places": [{**p, "place": item(p["place"]), "chain": [item(c) for c in p["chain"]]} for p in v["places"]]}
    return hashlib.sha256((_render_fingerprint() + _dumps(data)).encode("utf-8")).hexdigest()


def _reusable_pages(previous: Path | None) -> dict[str, list[str]]:
    if previous is None:
        return {}
    try:
        manifest = json.loads((previous / _MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _reuse(previous: Path, page: str, digest: str, target: Path) -> bool:
    """Link (or copy) the previous build's page when its bytes still hash to ``digest``."""
    src = previous / page
    try:
        data = src.read_bytes()
        if hashlib.sha256(data).hexdigest() != digest:
            return False                  # damaged or changed since: render it again
        try:
            os.link(src, target)
        except OSError:
            target.write_bytes(data)
    except OSError:
        return False
    return True


def _monthly(income: dict[str, Any]) -> float | None:
    """An income in yuan per month as the report counts it (:func:`kg.analytics.monthly_value`)."""
    return monthly_value(income["attrs"])


def index_rows(views: list[dict[str, Any]]) -> list[list[Any]]:
    """The rows of the case index's table (the page sorts and filters them itself): page,
    person, categories (Chinese), place paths, county, organizations, incomes, monthly
    income after the program (incomes not stated as before it; the highest), article."""
    rows = []
    for v in views:
        places = [" › ".join(x["label"] for x in pl["chain"]) for pl in v["places"]]
        county = next((x["label"] for pl in v["places"] for x in pl["chain"] if x["attrs"].get("admin_level") == "county"),
                      "")
        monthly = [m for i in v["incomes"] if i["attrs"].get("phase") != "before" and (m := _monthly(i)) is not None]
        rows.append([v["page"], "、".join(p["label"] for p in v["persons"]) or v["case"]["label"],
                     [zh for _, zh in v["case"]["categories"]], "；".join(places), county,
                     "、".join(o["label"] for o in v["organizations"]), "；".join(i["label"] for i in v["incomes"]),
                     round(max(monthly), 2) if monthly else None, ", ".join(a["file"] for a in v["articles"])])
    return rows


def write_case_pages(G: nx.MultiDiGraph, out_dir: Path, previous: Path | None = None) -> list[Path]:
    """Write ``out_dir/cases/<person>-<hash>.html`` for every case and
    ``out_dir/cases/index.html`` listing them; returns the paths (index last).

    The pages are written into a fresh sibling directory that then replaces ``cases/`` in
    one move (:func:`kg.io.replace_dir`): a build killed midway leaves the previous pages,
    and pages of cases that no longer exist disappear.

    A page is rendered only when what it shows changed: ``cases/.pages.json`` keeps, per
    page, a hash of the data it was rendered from (with the templates and this module) and
    a hash of its bytes; a page whose data hash is unchanged is hard-linked (or copied)
    from ``previous`` (default: the existing ``out_dir/cases``) once its bytes are checked
    against the recorded hash. The result is byte for byte what rendering would give.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if previous is None and (out_dir / "cases").is_dir():
        previous = (out_dir / "cases").resolve()
    env = _env()
    css = _markup(_css())
    chains: dict[str, list[str]] = {}          # place chains, shared by the cases of a place
    views = [_case_view(G, c, chains) for c in nodes_of(G, "Case")]
    views.sort(key=lambda v: (v["persons"][0]["label"] if v["persons"] else "", v["page"]))
    tpl = env.get_template("case.html")
    old = _reusable_pages(previous)
    manifest: dict[str, list[str]] = {}
    memo: dict[str, str] = {}                  # node id -> hash of its attributes
    tmp = Path(tempfile.mkdtemp(prefix=".cases.", dir=out_dir))
    try:
        for v in views:
            key, page = _view_key(v, memo), v["page"]
            prev = old.get(page)
            if (isinstance(prev, list) and len(prev) == 2 and prev[0] == key and previous is not None
                    and _reuse(previous, page, prev[1], tmp / page)):
                manifest[page] = prev
                continue
            data = tpl.render(v=v, css=css).encode("utf-8")
            (tmp / page).write_bytes(data)
            manifest[page] = [key, hashlib.sha256(data).hexdigest()]
        (tmp / "index.html").write_text(env.get_template("cases_index.html").render(
            rows=_script_json(index_rows(views)), css=css, n=len(views)), encoding="utf-8")
        (tmp / _MANIFEST).write_text(json.dumps(manifest, sort_keys=True), encoding="utf-8")
        io.replace_dir(tmp, out_dir / "cases")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [out_dir / "cases" / v["page"] for v in views] + [out_dir / "cases" / "index.html"]


# ---------------------------------------------------------------------------------------------
# Report


# ---------------------------------------------------------------------------------------------
# All views, and the browser measurement


def write_views(graph_path: Path, out_dir: Path, G: nx.MultiDiGraph | None = None,
                previous: Path | None = None) -> list[Path]:
    """Write ``out_dir/graph.html``, ``out_dir/cases/*.html`` and ``out_dir/cases/index.html``
    from the RDF graph; returns the paths written. ``previous``: an earlier output directory
    whose unchanged case pages are reused (:func:`write_case_pages`) and whose layouts of
    unchanged pieces of the graph are kept (:class:`LayoutMemo`, written to ``out_dir``
    for the next build)."""
    if G is None:
        G = load_graph(graph_path)
    out_dir = Path(out_dir)
    prev_cases = Path(previous) / "cases" if previous is not None and (Path(previous) / "cases").is_dir() else None
    memo = LayoutMemo(previous)             # the layouts of the pieces a change did not touch
    page = write_graph_html(G, out_dir / "graph.html", memo=memo)
    memo.save(out_dir)
    return [page, *write_case_pages(G, out_dir, prev_cases)]


def measure_draw(html_path: Path, *, screenshot: Path | None = None, timeout_s: float = 120.0,
                 chromium: str = CHROMIUM) -> dict[str, Any]:
    """Open a page from disk in headless Chromium with the network blocked and wait until
    the graph is drawn.

    Returns
    -------
    dict
        ``seconds`` (load to first drawing), ``nodes``/``edges`` drawn (``None`` on pages
        without a graph), ``blocked`` (requests that tried to leave the page),
        ``failed`` (failed requests), ``console_errors`` (console errors and uncaught
        exceptions).
    """
    import time

    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    failed: list[str] = []
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})

            def route(r):
                if r.request.url.startswith(("file:", "data:", "blob:", "about:")):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.on("requestfailed", lambda req: failed.append(f"{req.url} {req.failure}"))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            t0 = time.perf_counter()
            page.goto(Path(html_path).resolve().as_uri(), wait_until="load", timeout=timeout_s * 1000)
            has_graph = page.evaluate("typeof window.kgDrawn !== 'undefined'")
            stats = None
            if has_graph:
                page.wait_for_function("window.kgDrawn === true", timeout=timeout_s * 1000)
                stats = page.evaluate("window.kgStats")
            seconds = time.perf_counter() - t0
            if screenshot is not None:
                page.screenshot(path=str(screenshot))
        finally:
            browser.close()
    return {"seconds": round(seconds, 3), "nodes": stats and stats["nodes"], "edges": stats and stats["edges"],
            "page": stats and {k: v for k, v in stats.items() if k not in ("nodes", "edges")},
            "blocked": blocked, "failed": failed, "console_errors": errors}
