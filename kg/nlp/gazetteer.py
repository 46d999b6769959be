"""An index over jionlp's administrative-division gazetteer (province down to village).

jionlp ships ``dictionary/china_location.txt``: one unit per line, indented by level
(province, prefecture, county with division code and short form; township; village).
:class:`Gazetteer` flattens it into parallel arrays and two dictionaries keyed by name
(full names, and short forms such as 黔江 -> 黔江区, 山东 -> 山东省, 金溪 -> 金溪镇), so that
the place component only does dictionary look-ups, never scans. Two quirks of the data
are smoothed: pseudo units (省直辖行政区划, 市直辖行政区划) and the prefecture that repeats a
municipality (重庆市 under 重庆市) are transparent, and units written with their parent's
name in front (濮阳县海通乡 under 濮阳县) are indexed under their own name (海通乡).

The index is built once per process (:func:`load_gazetteer`, cached) and pickled into the
project cache keyed by the data file's size and mtime, so later processes load it fast.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import pickle
from array import array
from pathlib import Path

from kg.errors import PipelineError

__all__ = ["Gazetteer", "load_gazetteer", "world_places", "LEVELS", "PROVINCE", "PREFECTURE", "COUNTY", "TOWNSHIP",
           "VILLAGE", "GROUP", "OTHER", "level_name"]

#: Level numbers used throughout the place component, broadest first.
PROVINCE, PREFECTURE, COUNTY, TOWNSHIP, VILLAGE, GROUP, OTHER = range(7)
LEVELS = ("province", "prefecture", "county", "township", "village", "group", "other")
_PSEUDO = ("省直辖行政区划", "市直辖行政区划", "自治区直辖县级行政区划")
#: Suffixes whose removal gives a usable short form of a township (金溪镇 -> 金溪).
_TOWN_SUFFIXES = ("街道", "镇", "乡")
#: Generic words of autonomous-unit names: 酉阳土家族苗族自治县 is written 酉阳县.
_AUTONOMOUS = ("自治县", "自治州", "自治旗")
_CACHE_VERSION = 5


def level_name(level: int) -> str:
    return LEVELS[level]


class Gazetteer:
    """Administrative units with name indexes. Units are integer ids; ``-1`` is the root."""

    def __init__(self, names: list[str], levels: bytes, parents, codes: dict[int, str],
                 by_name: dict[str, object], by_short: dict[str, object]):
        self.names = names
        self.levels = levels
        self.parents = parents
        self.codes = codes
        self._by_name = by_name
        self._by_short = by_short
        # Name lengths per first two characters, longest first, for names of a province,
        # prefecture or county (full or short) and for townships and villages: a text scan
        # tries only the lengths that can match where it stands.
        high: dict[str, set[int]] = {}
        low: dict[str, set[int]] = {}
        for index in (by_name, by_short):
            for key, value in index.items():
                ids = self._ids(value)
                if any(levels[u] <= 2 for u in ids):
                    high.setdefault(key[:2], set()).add(len(key))
                if any(levels[u] >= 3 for u in ids):
                    low.setdefault(key[:2], set()).add(len(key))
        self._high_lens = {k: tuple(sorted(v, reverse=True)) for k, v in high.items()}
        self._low_lens = {k: tuple(sorted(v, reverse=True)) for k, v in low.items()}
        #: Longest name in either index: bounds the look-ahead of text scans.
        self.max_len = max(max(map(len, by_name)), max(map(len, by_short)))

    # -- look-ups ------------------------------------------------------------------
    @staticmethod
    def _ids(value: object) -> tuple[int, ...]:
        if value is None:
            return ()
        return (value,) if isinstance(value, int) else value  # type: ignore[return-value]

    def lookup(self, name: str) -> tuple[int, ...]:
        """Units whose full name is ``name`` (any level)."""
        return self._ids(self._by_name.get(name))

    def lookup_short(self, name: str) -> tuple[int, ...]:
        """Units of which ``name`` is a short form (黔江 -> 黔江区, 山东 -> 山东省, 金溪 -> 金溪镇)."""
        return self._ids(self._by_short.get(name))

    def high_lengths(self, text: str, i: int) -> tuple[int, ...]:
        """Lengths of province/prefecture/county names (full or short) that may start at text[i]."""
        return self._high_lens.get(text[i:i + 2], ())

    def low_lengths(self, text: str, i: int) -> tuple[int, ...]:
        """Lengths of township/village names (full or short) that may start at text[i]."""
        return self._low_lens.get(text[i:i + 2], ())

    @property
    def high_length_index(self) -> dict[str, tuple[int, ...]]:
        """First two characters -> :meth:`high_lengths` (for scans that inline the look-up)."""
        return self._high_lens

    @property
    def low_length_index(self) -> dict[str, tuple[int, ...]]:
        """First two characters -> :meth:`low_lengths` (for scans that inline the look-up)."""
        return self._low_lens

    @property
    def full_name_index(self) -> dict[str, object]:
        """Full name -> unit id(s), for membership tests in hot loops (read-only; ids through :meth:`lookup`)."""
        return self._by_name

    @property
    def short_name_index(self) -> dict[str, object]:
        """Short form -> unit id(s), for membership tests in hot loops (read-only; ids through :meth:`lookup_short`)."""
        return self._by_short

    def has_name(self, name: str) -> bool:
        return name in self._by_name or name in self._by_short

    # -- structure -----------------------------------------------------------------
    def level(self, uid: int) -> int:
        return self.levels[uid]

    def parent(self, uid: int) -> int:
        return self.parents[uid]

    def code(self, uid: int) -> str | None:
        return self.codes.get(uid)

    def ancestors(self, uid: int) -> list[int]:
        """The unit's ancestors, nearest first."""
        out = []
        p = self.parents[uid]
        while p >= 0:
            out.append(p)
            p = self.parents[p]
        return out

    def is_under(self, uid: int, ancestor: int) -> bool:
        p = self.parents[uid]
        while p >= 0:
            if p == ancestor:
                return True
            p = self.parents[p]
        return False

    def path(self, uid: int) -> tuple[str, ...]:
        """Canonical names from the province down to the unit."""
        return tuple(self.names[u] for u in reversed([uid, *self.ancestors(uid)]))

    def __len__(self) -> int:
        return len(self.names)


def gazetteer_file() -> Path:
    """jionlp's administrative-division file (``dictionary/china_location.txt``), located
    without importing jionlp (slow, prints a banner) unless the file is still zipped: jionlp
    ships it as a zip and unpacks it on its first import."""
    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - declared dependency
        raise PipelineError("jionlp (which carries the administrative-division gazetteer) is not installed")
    src = Path(next(iter(spec.submodule_search_locations))) / "dictionary" / "china_location.txt"
    if not src.exists() and src.with_suffix(".zip").exists():
        from kg.resources import quiet_import  # noqa: PLC0415

        quiet_import("jionlp")
    return src


@functools.cache
def world_places() -> frozenset[str]:
    """Countries (short and full names), capitals and major cities of the world, from jionlp's
    ``dictionary/world_location.txt`` (莫斯科, 吉隆坡, 俄罗斯联邦): what confirms a foreign place
    the trained model proposes, since jieba's dictionary tags many of them as person names."""
    path = gazetteer_file().with_name("world_location.txt")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    names = set()
    for line in lines:
        fields = line.split("\t")
        if len(fields) < 3:
            continue   # a continent heading (亚洲:)
        names.update(fields[:3])
        if len(fields) > 3:
            names.update(fields[3].split("/"))
    return frozenset(n.strip() for n in names if len(n.strip()) >= 2)


@functools.cache
def world_names() -> dict[str, str]:
    """The names of :func:`world_places` outside China with the name each stands for: a
    country's full name its short one (大不列颠及北爱尔兰联合王国 -> 英国), a capital or city itself."""
    path = gazetteer_file().with_name("world_location.txt")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    out: dict[str, str] = {}
    for line in lines:
        fields = [f.strip() for f in line.split("\t")]
        if len(fields) < 3 or fields[0] == "中国":
            continue   # a continent heading; China's places are the gazetteer's
        out.setdefault(fields[0], fields[0])
        out.setdefault(fields[1], fields[0])
        for city in [fields[2], *(fields[3].split("/") if len(fields) > 3 else ())]:
            out.setdefault(city.strip(), city.strip())
    return {k: v for k, v in out.items() if len(k) >= 2}


def _add(index: dict[str, object], key: str, uid: int) -> None:
    cur = index.get(key)
    if cur is None:
        index[key] = uid
    elif isinstance(cur, int):
        if cur != uid:
            index[key] = (cur, uid)
    elif uid not in cur:  # type: ignore[operator]
        index[key] = (*cur, uid)  # type: ignore[misc]


def _parse(path: Path) -> Gazetteer:
    names: list[str] = []
    levels = bytearray()
    parents: list[int] = []
    codes: dict[int, str] = {}
    shorts: dict[int, str] = {}
    stack: list[int] = [-1] * 5       # the current unit (or its transparent stand-in) per depth
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise PipelineError(f"{path}: cannot read the gazetteer: {e}") from e
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip("\t"))
        if depth > 4:
            raise PipelineError(f"{path}:{lineno}: unexpected indentation")
        parts = line.strip().split("\t")
        name = parts[0]
        parent = stack[depth - 1] if depth else -1
        # Transparent units: pseudo divisions and a prefecture repeating its municipality.
        if name in _PSEUDO or (depth == 1 and parent >= 0 and names[parent] == name):
            stack[depth] = parent
            continue
        # Strip the parent's (or grandparent's) name written in front: 濮阳县海通乡 -> 海通乡.
        for anc in (parent, parents[parent] if parent >= 0 else -1):
            if anc >= 0 and name.startswith(names[anc]) and len(name) > len(names[anc]) + 1:
                name = name[len(names[anc]):]
        if depth >= 3:  # a township may carry the county and itself: 南乐县城关镇林海社区
            p = parent
            while p >= 0:
                if name.startswith(names[p]) and len(name) > len(names[p]) + 1:
                    name = name[len(names[p]):]
                p = parents[p]
        uid = len(names)
        names.append(name)
        levels.append(min(depth, VILLAGE))
        parents.append(parent)
        if len(parts) >= 2 and parts[1].isdigit():
            codes[uid] = parts[1]
        if len(parts) >= 3 and parts[2]:
            shorts[uid] = parts[2]
        stack[depth] = uid
    by_name: dict[str, object] = {}
    by_short: dict[str, object] = {}
    one: dict[str, str] = {}          # one string object per distinct name (names repeat: 新村...)
    names = [one.setdefault(n, n) for n in names]
    for uid, name in enumerate(names):
        _add(by_name, name, uid)
        lvl = levels[uid]
        if lvl <= COUNTY:
            for short in shorts.get(uid, "").split("/"):
                if len(short) >= 2 and short != name:
                    _add(by_short, short, uid)
                    for generic in _AUTONOMOUS:   # 酉阳土家族苗族自治县 -> 酉阳县
                        if name.endswith(generic):
                            _add(by_short, short + generic[-1], uid)
        elif lvl == TOWNSHIP:
            for suf in _TOWN_SUFFIXES:
                if name.endswith(suf) and len(name) - len(suf) >= 2:
                    _add(by_short, name[: -len(suf)], uid)
                    break
    return Gazetteer(names, bytes(levels), array("i", parents), codes, by_name, by_short)


def _cache_file(path: Path) -> Path:
    from kg.nlp.segmenter import cache_dir  # noqa: PLC0415

    st = path.stat()
    return cache_dir() / f"gazetteer-v{_CACHE_VERSION}-{st.st_size}-{int(st.st_mtime)}.pickle"


@functools.cache
def load_gazetteer(path: str | None = None) -> Gazetteer:
    """The gazetteer index, built once per process (and pickled into the cache for the next)."""
    src = Path(path) if path else gazetteer_file()
    if not src.exists():
        raise PipelineError(f"{src}: the administrative-division gazetteer is missing")
    cache = _cache_file(src)
    if cache.exists():
        try:
            with cache.open("rb") as f:
                obj = pickle.load(f)
            if isinstance(obj, Gazetteer):
                return obj
        except Exception:  # noqa: BLE001 - a corrupt cache entry is rebuilt, never used
            pass
    gaz = _parse(src)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            pickle.dump(gaz, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)
        for stale in cache.parent.glob("gazetteer-v*.pickle"):   # earlier versions of the index
            if stale != cache:
                stale.unlink(missing_ok=True)
    except OSError:
        pass  # the cache is an optimisation only
    return gaz
