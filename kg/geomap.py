"""The map of the graph: cases and statistics by county and township, labour-cooperation
flows as arcs (``OUT/map.html``), and the places as GeoJSON (``exports/places.geojson``).

Everything comes from the networkx graph (:func:`kg.analytics.load_graph`): a place's
point is the ``wgs:lat``/``wgs:long`` the graph builder gave it (:mod:`kg.geo`), with its
``fp:pointPrecision``; the counts are :func:`kg.analytics.place_rollup`'s. A flow goes from
a labour-cooperation case's home county (its first place that lies in a county) to each of
its places in another province (or, with none, in another county): the route the example
query ``07_labour_cooperation_flows.rq`` counts, drawn at the workplace itself.

The page draws with plain SVG from data inlined in it: no tile server, no script or font
from anywhere. No open outline of China's administrative units ships in an installed
package (Natural Earth's country outlines, in npm's ``world-atlas``, draw China's borders
as they are held, not as published maps in China must), so the background is a graticule
with the provincial capitals marked, both from the same coordinate source.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import networkx as nx

from kg import io
from kg.analytics import case_parts, nodes_of, place_at_level, place_chain, place_rollup
from kg.geo import SOURCE, load_points

__all__ = ["MAP_FILE", "GEOJSON_FILE", "map_data", "places_geojson", "write_map", "write_geojson"]

MAP_FILE = "map.html"
GEOJSON_FILE = "places.geojson"
#: Case pages listed per place on the map's side panel (the rest are counted).
MAX_CASE_LINKS = 30


def _point(G: nx.MultiDiGraph, n: str) -> tuple[float, float] | None:
    d = G.nodes[n]
    lon, lat = d.get("long"), d.get("lat")
    if isinstance(lon, int | float) and isinstance(lat, int | float):
        return round(float(lon), 6), round(float(lat), 6)
    return None


def _admin_code(G: nx.MultiDiGraph, n: str) -> str | None:
    code = G.nodes[n].get("admin_code")
    return str(code) if code is not None else None


def flows(G: nx.MultiDiGraph, chains: dict[str, list[str]] | None = None) -> list[dict[str, Any]]:
    """Labour-cooperation routes: ``{"from", "to", "persons", "cases"}`` (node ids; persons
    counted once per route), most persons first."""
    chains = {} if chains is None else chains
    routes: dict[tuple[str, str], dict[str, set]] = defaultdict(lambda: {"persons": set(), "cases": set()})
    for case in nodes_of(G, "Case"):
        if "LaborCooperation" not in G.nodes[case].get("category", []):
            continue
        parts = case_parts(G, case)
        where = [(p, place_at_level(G, p, "county", chains), place_at_level(G, p, "province", chains))
                 for p in parts["place"]]
        home = next(((c, pr) for _p, c, pr in where if c is not None), None)
        if home is None:
            continue
        county, province = home
        away = [p for p, _c, pr in where if pr is not None and pr != province]
        if not away:
            away = [p for p, c, _pr in where if c is not None and c != county]
        for work in away:
            r = routes[(county, work)]
            r["persons"].update(parts["person"])
            r["cases"].add(case)
    out = [{"from": a, "to": b, "persons": len(r["persons"]), "cases": sorted(r["cases"])}
           for (a, b), r in routes.items()]
    out.sort(key=lambda f: (-f["persons"], f["from"], f["to"]))
    return out


def _place_row(G: nx.MultiDiGraph, r: dict[str, Any], xy: tuple[float, float]) -> dict[str, Any]:
    d = G.nodes[r["id"]]
    return {"id": r["id"], "label": r["label"], "path": r["path"], "lon": xy[0], "lat": xy[1],
            "precision": d.get("point_precision"), "code": _admin_code(G, r["id"]),
            "cases": r["cases"], "persons": r["persons"], "statistics": r["statistics"],
            "stat_sums": r["stat_sums"], "income": r["monthly_income"]}


def map_data(G: nx.MultiDiGraph) -> dict[str, Any]:
    """What the map page draws: counties and townships with a point and their counts, the
    flows between points, and the provincial capitals for orientation."""
    from kg.views import case_page_name  # noqa: PLC0415 - the case pages' file names

    chains: dict[str, list[str]] = {}
    rollup = place_rollup(G, ("county", "township"))
    case_sets: dict[str, list[str]] = defaultdict(list)
    for case in nodes_of(G, "Case"):
        hits = set()
        for p in case_parts(G, case)["place"]:
            hits.update(x for x in place_chain(G, p, chains)
                        if G.nodes[x].get("admin_level") in ("county", "township"))
        for h in hits:
            case_sets[h].append(case)

    def cases_of(place: str) -> list[list[str]]:
        out = []
        for case in case_sets.get(place, [])[:MAX_CASE_LINKS]:
            persons = [G.nodes[p]["label"] for p in case_parts(G, case)["person"]]
            out.append(["、".join(persons) or G.nodes[case]["label"], case_page_name(G, case)])
        return out

    counties, townships, unplaced = [], [], 0
    for level, bucket in (("county", counties), ("township", townships)):
        for r in rollup.get(level, []):
            xy = _point(G, r["id"])
            if xy is None:
                unplaced += 1
                continue
            row = _place_row(G, r, xy)
            row["case_links"] = cases_of(r["id"])
            if level == "township":
                county = place_at_level(G, r["id"], "county", chains)
                row["county"] = county
            bucket.append(row)
    arcs = []
    for f in flows(G, chains):
        a, b = _point(G, f["from"]), _point(G, f["to"])
        if a is None or b is None or a == b:
            continue
        arcs.append({"from": G.nodes[f["from"]]["label"], "to": G.nodes[f["to"]]["label"],
                     "to_path": [G.nodes[x]["label"] for x in reversed(place_chain(G, f["to"], chains))],
                     "a": a, "b": b, "persons": f["persons"], "cases": len(f["cases"])})
    pts = load_points()
    capitals = [{"label": pts.names.get(code, code), "lon": xy[0], "lat": xy[1]}
                for code, xy in sorted(pts.by_code.items()) if code.endswith("0000")]
    return {"counties": counties, "townships": townships, "flows": arcs, "provinces": capitals,
            "unplaced": unplaced, "source": SOURCE}


def places_geojson(G: nx.MultiDiGraph) -> dict[str, Any]:
    """Every place with a point as a GeoJSON FeatureCollection (RFC 7946: WGS 84, longitude
    first), with its path, level, precision, division code and its case, person and
    statistic counts (a case counts for each place it is at or under)."""
    chains: dict[str, list[str]] = {}
    counts: dict[str, dict[str, Any]] = defaultdict(lambda: {"cases": 0, "persons": set(), "statistics": 0})
    for case in nodes_of(G, "Case"):             # one pass: a case counts for every place at or above its own
        parts = case_parts(G, case)
        for a in {a for p in parts["place"] for a in place_chain(G, p, chains)}:
            counts[a]["cases"] += 1
            counts[a]["persons"].update(parts["person"])
    for st in nodes_of(G, "Statistic"):
        for a in {a for p in _out_places(G, st) for a in place_chain(G, p, chains)}:
            counts[a]["statistics"] += 1
    features = []
    for n in nodes_of(G, "Place"):
        xy = _point(G, n)
        if xy is None:
            continue
        d, r = G.nodes[n], counts.get(n, {"cases": 0, "persons": (), "statistics": 0})
        features.append({
            "type": "Feature", "id": n,
            "geometry": {"type": "Point", "coordinates": [xy[0], xy[1]]},
            "properties": {"name": d["label"], "iri": n,
                           "path": " › ".join(G.nodes[x]["label"] for x in reversed(place_chain(G, n, chains))),
                           "level": d.get("admin_level"), "admin_code": _admin_code(G, n),
                           "precision": d.get("point_precision"), "cases": r["cases"],
                           "persons": len(r["persons"]), "statistics": r["statistics"]}})
    features.sort(key=lambda f: (-f["properties"]["cases"], f["properties"]["path"], f["id"]))
    return {"type": "FeatureCollection", "features": features,
            "kg:source": SOURCE}


def _out_places(G: nx.MultiDiGraph, n: str) -> list[str]:
    return sorted(v for v, keys in G._adj[n].items() if "place" in keys)


def write_geojson(G: nx.MultiDiGraph, path: Path) -> Path:
    """Write :func:`places_geojson` to ``path`` (atomically)."""
    text = json.dumps(places_geojson(G), ensure_ascii=False, indent=1)
    io.write_text(Path(path), text + "\n")
    return Path(path)


def _json_for_script(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def write_map(G: nx.MultiDiGraph, out_dir: Path, title: str = "扶贫地图 Fupin KG map") -> Path:
    """Write ``out_dir/map.html``: the offline map page."""
    from kg.views import _css, _env, _markup  # noqa: PLC0415 - the views' templates and style

    data = map_data(G)
    flows_persons = sum(f["persons"] for f in data["flows"])
    html = _env().get_template("map.html").render(
        title=title, css=_markup(_css()), data=_json_for_script(data), counties=data["counties"], flows=data["flows"],
        n_counties=len(data["counties"]), n_townships=len(data["townships"]), n_flows=len(data["flows"]),
        flows_persons=flows_persons, unplaced=data["unplaced"], source=data["source"])
    path = Path(out_dir) / MAP_FILE
    io.write_text(path, html)
    return path
