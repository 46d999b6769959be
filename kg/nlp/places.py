"""Component ``kg_places``: place mentions, split into atomic units and resolved in the gazetteer.

pkuseg splits rare names (五间镇景圣村 -> 五/间/镇景/圣村), so the component works on the
characters of ``doc.text`` and maps what it finds back to spans. It reads the text as
*chains* of units (永川区五间镇景圣村塘坎上村民小组 -> 永川区 | 五间镇 | 景圣村 | 塘坎上村民小组):
a chain starts at a unit the gazetteer knows (a province, prefecture or county, full or
short form: 山东, 黔江区, 濮阳) or at a unit the suffix grammar accepts after a left boundary
(家住XX村), and each next unit must lie under the previous one, in the gazetteer (children
looked up by name) or by the grammar (XX镇, XX村, XX村民小组, XX工业园).

Units are resolved to one branch of the gazetteer with the article's context: a unit in a
chain is looked for under its predecessor; a bare township (金溪镇) under the county the text
is talking about at that point (the nearest county mentioned before it), then under any
county of the article. A well-formed unit the gazetteer lacks (a renamed township, a group,
an industrial park) still becomes a place, with its path under its parent. The path,
built from canonical gazetteer names (重庆市, not 重庆), is the place's identity.

Three passes: (1) chains starting at province/prefecture/county names and the general
lexicon (中国, 长三角); (2) chains starting at townships and villages the context supports;
(3) names already found, elsewhere in the article (坪漆村 after 太平镇坪漆村), and chains
starting at grammar units after a left boundary. Everything is a dictionary look-up keyed
by a substring, so the cost is linear in the text.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import PipelineError
from kg.nlp.dictionary import dictionary_words as _dictionary_words
from kg.nlp.doc import DocIndex, init_doc
from kg.nlp.gazetteer import (
    COUNTY,
    GROUP,
    LEVELS,
    OTHER,
    PREFECTURE,
    PROVINCE,
    TOWNSHIP,
    VILLAGE,
    Gazetteer,
    load_gazetteer,
    world_names,
    world_places,
)
from kg.nlp.ner import dictionary_tags, heads
from kg.records import Evidence, Place
from kg.resources import data_dir

__all__ = ["make_kg_places", "PlaceFinder", "SITE_SUFFIXES", "PlaceMention", "SentenceEvidence", "is_cjk", "read_lines",
           "leading_words", "noun_words"]

_SENT_END = "。！？；!?;\n"
_LEVEL_OF = {name: i for i, name in enumerate(LEVELS)}
#: Chinese and Arabic numerals: 三组, 5组 are not names.
#: The level a grammar unit must have right after a unit of a given level.
_NEXT_LEVEL = {PREFECTURE: TOWNSHIP, COUNTY: TOWNSHIP, TOWNSHIP: VILLAGE, VILLAGE: GROUP}
#: Longest names tried for a province/prefecture/county, and for a township/village.
_MAX_HIGH, _MAX_LOW = 16, 10
#: Verbs a one-character country form follows as a word of its own (访华, 来华, 赴美, 留日).
_VISIT_VERBS = frozenset("访来赴抵驻旅留在离返回")
#: Words after paired short forms that name a border or a cooperation between the places
#: (闽赣省际, 鲁渝劳务协作, 粤滇扶贫协作), not the places themselves.
_PAIR_WORDS = ("省际", "边界", "交界", "边区", "劳务", "协作", "扶贫", "对口", "产业", "合作")
_NUMERALS = set("0123456789０１２３４５６７８９一二三四五六七八九十百零两")
#: A character that is not CJK (what :func:`is_cjk` rejects), found by one regex search.
_NON_CJK = re.compile(r"[^\u4e00-\u9fff\u3400-\u4dbf]")
_SENT_END_RE = re.compile("[" + re.escape(_SENT_END) + "]")
#: Suffixes of resettlement sites (康乐扶贫搬迁安置点): the stem must keep a name once the
#: words that only say what the site is (易地扶贫搬迁) are stripped from its end.
SITE_SUFFIXES = ("安置点", "安置区", "安置小区")
_SITE_GENERIC = ("易地扶贫搬迁", "异地扶贫搬迁", "扶贫搬迁", "易地搬迁", "异地搬迁", "生态移民", "搬迁", "集中",
                 "移民", "扶贫", "易地", "异地", "迁建", "滩区", "库区", "山区", "城区", "城镇", "县城")
#: A site named after its housing estate is that estate (旺家花园|易地扶贫搬迁安置点 -> 旺家花园).
_ESTATE_ENDS = ("花园", "小区", "家园", "新区", "新城", "新居", "馨居", "佳苑", "社区", "新村")
#: Suffixes of natural places and regions whose stem must not be a common word (马头山, not 大山).
_NATURAL_SUFFIXES = ("山区", "山")


#: jieba parts of speech that never open an organization's name: verbs, adverbs, prepositions,
#: conjunctions, particles, pronouns, numerals and measure words.
_STRIP_POS = {"v", "vd", "vn", "d", "p", "c", "u", "r", "m", "q", "ad", "uj", "ul", "ud", "ug", "uz", "uv"}


#: jieba parts of speech of common nouns (数据, 社会): a one-character boundary word (据, 会)
#: that ends one is part of the noun.
_NOUN_POS = {"n", "vn", "an"}


#: What a county or higher unit's full name adds to a proposed short form the model found for
#: it to stand for that unit (石家庄 -> 石家庄市); longer additions (彝族自治州) are written otherwise.
_PLAIN_SUFFIXES = ("", "省", "市", "区", "县")


@functools.cache
def leading_words() -> frozenset[str]:
    """Two- to four-character words jieba's dictionary tags with a part of speech in _STRIP_POS
    (read once, then kept as a small cache file beside the gazetteer's)."""
    return _dictionary_words(frozenset(_STRIP_POS), "leading-words")


@functools.cache
def function_words() -> frozenset[str]:
    """The leading words that are not verbs: adverbs, prepositions, conjunctions, particles,
    pronouns, numerals and measure words (如此, 全县, 其中) — a proposed organization never
    opens with one, while a verb may be a name's first word (联想集团, 解放军)."""
    return _dictionary_words(frozenset(_STRIP_POS - {"v", "vd", "vn"}), "function-words")


@functools.cache
def noun_words() -> frozenset[str]:
    """Two- to four-character common nouns of jieba's dictionary (数据, 社会)."""
    return _dictionary_words(frozenset(_NOUN_POS), "noun-words")


@functools.cache
def common_words() -> frozenset[str]:
    """Two- to four-character common words of jieba's dictionary (nouns, adjectives, verbs,
    adverbs: 贫困, 偏远, 城乡), which name no particular place."""
    return _dictionary_words(frozenset({*_NOUN_POS, *_STRIP_POS, "a", "b"}), "common-words")


@functools.cache
def time_words() -> frozenset[str]:
    """Two- to four-character time words of jieba's dictionary (如今, 目前): they open a
    phrase, not a name the model proposes (如今合作社). Not used by the grammar, where a
    place name can look like one (五间镇)."""
    return _dictionary_words(frozenset({"t"}), "time-words")


@functools.cache
def place_words() -> frozenset[str]:
    """Two- to four-character words jieba's dictionary tags as place names (马头山, 武陵)."""
    return _dictionary_words(frozenset({"ns"}), "place-words")


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def read_lines(name: str) -> list[str]:
    """Non-comment, non-empty lines of a lexicon file under kg/data (or an absolute path)."""
    path = Path(name) if Path(name).is_absolute() else data_dir() / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise PipelineError(f"{path}: cannot read lexicon: {e}") from e
    return [ln.rstrip("\n") for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


@dataclass
class PlaceMention:
    """One unit found in the text: where, what it is called there, and where it sits."""

    start: int
    end: int
    surface: str
    level: int
    path: tuple[str, ...]
    uid: int = -1                      # gazetteer id, -1 when the unit is not in the gazetteer
    chained: bool = False              # right after another unit (永川区|何埂镇)
    code: str | None = None
    aliases: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Suffix:
    text: str
    level: int
    min_stem: int
    max_stem: int
    chain_only: bool


class PlaceFinder:
    """Finds and resolves place units in a text; holds the lexicons (the gazetteer is lazy)."""

    def __init__(self, suffixes: str, lexicon: str, stopwords: str, boundaries: str, features: str,
                 surnames: str, gazetteer: Gazetteer | None = None):
        self._gaz = gazetteer
        self.suffixes: list[_Suffix] = []
        for ln in read_lines(suffixes):
            parts = ln.split("\t")
            if len(parts) != 5 or parts[1] not in _LEVEL_OF:
                raise PipelineError(f"{suffixes}: malformed line {ln!r}")
            self.suffixes.append(_Suffix(parts[0], _LEVEL_OF[parts[1]], int(parts[2]), int(parts[3]),
                                         parts[4] == "chain"))
        self.suffixes.sort(key=lambda s: -len(s.text))
        self.by_first: dict[str, list[_Suffix]] = {}
        for suf in self.suffixes:
            self.by_first.setdefault(suf.text[0], []).append(suf)
        self.max_suffix = max(len(s.text) for s in self.suffixes)
        #: The characters a suffix can start with, as one regex: scans jump from one to the next
        #: instead of testing every position in Python.
        self._suffix_start = re.compile("[" + "".join(re.escape(c) for c in sorted(self.by_first)) + "]")
        #: First two characters -> lengths _high_head tries there, longest first (memo).
        self._head_memo: dict[str, tuple[int, ...]] = _Memo(self._compute_head_lengths)
        self._head_key_set: frozenset[str] | None = None
        self.lexicon: dict[str, tuple[int, str, str]] = {}
        self.zone_words: list[str] = []
        for ln in read_lines(lexicon):
            parts = ln.split("\t")
            if len(parts) != 4 or parts[1] not in _LEVEL_OF:
                raise PipelineError(f"{lexicon}: malformed line {ln!r}")
            if parts[2] == "after":
                self.zone_words.append(parts[0])
                continue
            self.lexicon[parts[0]] = (_LEVEL_OF[parts[1]], parts[2], parts[0] if parts[3] == "-" else parts[3])
        self.zone_words.sort(key=len, reverse=True)
        self.max_lex = max(map(len, self.lexicon), default=0)
        self._lex_lens: dict[str, set[int]] = {}
        for w in self.lexicon:
            self._lex_lens.setdefault(w[:2], set()).add(len(w))
        self.stop_words: set[str] = set()
        self.stop_stems: set[str] = set()
        for ln in read_lines(stopwords):
            w = ln.strip()
            (self.stop_stems if w.startswith("stem:") else self.stop_words).add(w.removeprefix("stem:"))
        self._stop2 = {w[:2] for w in self.stop_words}
        self._stop_tails: dict[str, list[str]] = {}
        suffix_words = {suf.text for suf in self.suffixes}
        for w in self.stop_words - suffix_words:
            self._stop_tails.setdefault(w[-1], []).append(w)
        self.boundaries = {w.strip() for w in read_lines(boundaries)}
        self.max_boundary = max(map(len, self.boundaries), default=1)
        #: Last character -> lengths of the boundary words ending in it (one look-up rules out
        #: most positions in _left_boundary).
        self._boundary_lens: dict[str, tuple[int, ...]] = {}
        for w in self.boundaries:
            self._boundary_lens[w[-1]] = tuple(sorted({*self._boundary_lens.get(w[-1], ()), len(w)}))
        self.features = sorted({w.strip() for w in read_lines(features)}, key=len, reverse=True)
        try:
            self.surnames = {c for ln in read_lines(surnames) for c in ln.split()}
        except PipelineError:
            self.surnames = set()   # toponyms X家坝 then go unrecognised; nothing else depends on it

    @property
    def gaz(self) -> Gazetteer:
        if self._gaz is None:
            self._gaz = load_gazetteer()
        return self._gaz

    # -- helpers -----------------------------------------------------------------------
    def _left_boundary(self, text: str, i: int, token_starts: set[int] | None = None) -> bool:
        if i == 0 or not is_cjk(text[i - 1]):
            return True
        for k in self._boundary_lens.get(text[i - 1], ()):
            if i - k >= 0 and text[i - k:i] in self.boundaries:
                return True
        return token_starts is not None and i in token_starts

    def _stem_ok(self, stem: str, anchored: bool) -> bool:
        if not stem or not all(is_cjk(c) for c in stem) or stem in self.stop_stems:
            return False
        if any(c in _NUMERALS for c in stem[-1:]) or all(c in _NUMERALS for c in stem):
            return False
        if stem[0] in "某这那该各每此其":
            return False
        if not anchored and stem[0] in "省市区县镇乡村的了在是和与及":
            return False
        return not any(c in "的了是在和与及或个" for c in stem)

    def _grammar_units(self, text: str, i: int, anchored: bool, parent_level: int) -> list[tuple[int, int]]:
        """(end, level) of suffix-grammar units starting at ``i``, best first."""
        out: list[tuple[int, int, int]] = []
        n = len(text)
        limit = min(n, i + 12 + self.max_suffix)
        # Suffixes start at j in (i, limit) with text[i:j] all CJK: only the positions holding
        # a suffix's first character are visited (found by regex, not one Python step each).
        non_cjk = _NON_CJK.search(text, i, limit - 1)
        stop = non_cjk.start() + 1 if non_cjk else limit
        for hit in self._suffix_start.finditer(text, i + 1, stop):
            j = hit.start()
            sufs = self.by_first[text[j]]
            stem = text[i:j]
            for suf in sufs:
                if not text.startswith(suf.text, j):
                    continue
                if suf.chain_only and not anchored:
                    continue
                if not suf.min_stem <= len(stem) <= suf.max_stem:
                    continue
                if not anchored and suf.level < OTHER and len(stem) < 2 and suf.level != TOWNSHIP:
                    continue
                if suf.level != OTHER and parent_level >= 0 and suf.level != _NEXT_LEVEL.get(parent_level):
                    continue   # 县 -> 镇/乡/街道 -> 村/社区 -> 村民小组; no 黔江区|人社局组
                word = stem + suf.text
                if suf.level == OTHER and any(stem[:k] in leading_words() for k in (2, 3, 4)):
                    continue   # 巉口镇|建成马铃薯产业园, 实行县城园区: a verb, no name
                if suf.level == TOWNSHIP and len(stem) == 1 and (
                        anchored or word in self.stop_words or word in common_words()
                        or text[j + len(suf.text):j + len(suf.text) + 1] in tuple("乡镇村区县")):
                    continue   # 古乡|雪瓦卡村, but not 城乡, 家乡: a one-character stem only unanchored
                if suf.text in _NATURAL_SUFFIXES and word not in place_words() and (
                        stem in common_words() or stem in self.stop_stems):
                    continue   # 吕梁山区, 马头山; not 贫困山区, 偏远山区
                if suf.text in SITE_SUFFIXES:
                    name = self.site_name(stem)
                    if name is None:
                        continue   # 铜仁|易地扶贫搬迁安置点, 集中安置点: no name of its own
                    if name != stem and name.endswith(_ESTATE_ENDS):
                        out.append((i + len(name), suf.level, 0))
                        break

                if any(word.endswith(w) for w in self._stop_tails.get(word[-1], ())) or not self._stem_ok(stem, anchored):
                    continue
                out.append((j + len(suf.text), suf.level, len(suf.text)))
                break  # the longest suffix at this stem (村民小组 before 村)
        # Prefer the broadest level (a county is followed by its township, not a village),
        # then the shortest unit for admin levels and the longest for named local places.
        out.sort(key=lambda t: (t[1], t[0] if t[1] != OTHER else -t[0]))
        return [(e, lv) for e, lv, _ in out]

    @staticmethod
    def site_name(stem: str) -> str | None:
        """The stem of a resettlement site without its generic tail (康乐|扶贫搬迁), or None
        when nothing names it (易地扶贫搬迁 | 易地扶贫搬迁安置点)."""
        name = stem
        for suf in SITE_SUFFIXES:
            if name.endswith(suf):
                name = name[:-len(suf)]
                break
        changed = True
        while changed:
            changed = False
            for w in _SITE_GENERIC:
                if name.endswith(w):
                    name = name[:-len(w)]
                    changed = True
                    break
        if len(name) < 2 or name in leading_words() or name in common_words():
            return None
        return name

    def _toponym(self, text: str, i: int) -> int:
        """End of a surname + 家 + terrain toponym (X家坝) starting at ``i``, or -1."""
        if text[i] in self.surnames and text[i + 1:i + 2] == "家":
            for f in self.features:
                if text.startswith(f, i + 2):
                    if text[i + 2:i + 4 + len(f) - 1] in noun_words():
                        continue    # 王家|社区, 李家|社会: the feature opens a longer word
                    return i + 2 + len(f)
        return -1

    # -- resolution ----------------------------------------------------------------------
    def _best_under(self, ids, ancestors: list[int]) -> int:
        """The id among ``ids`` under the first ancestor (in preference order) that has one."""
        gaz = self.gaz
        for anc in ancestors:
            for uid in ids:
                if uid != anc and gaz.is_under(uid, anc):
                    return uid
        return -1

    def _mention(self, start: int, end: int, text: str, uid: int, chained: bool = False) -> PlaceMention:
        gaz = self.gaz
        return PlaceMention(start, end, text[start:end], gaz.level(uid), gaz.path(uid), uid, chained,
                            gaz.code(uid))

    def _next_unit(self, text: str, e: int, prev: PlaceMention) -> PlaceMention | None:
        """The unit right after ``prev`` (at ``e``) that lies under it, if any."""
        gaz = self.gaz
        if e >= len(text) or not is_cjk(text[e]) or prev.level in (GROUP, OTHER):
            return None
        if prev.uid >= 0:
            full_names, short_names = gaz.full_name_index, gaz.short_name_index
            for k in range(min(_MAX_LOW if prev.level >= COUNTY else _MAX_HIGH, len(text) - e), 1, -1):
                s = text[e:e + k]
                if s not in full_names and (prev.level >= TOWNSHIP or s not in short_names):
                    continue   # names nothing: no unit under prev here (skips the look-ups)
                ids = [u for u in gaz.lookup(s) if gaz.level(u) > prev.level]
                if prev.level < TOWNSHIP:
                    ids += [u for u in gaz.lookup_short(s) if gaz.level(u) <= COUNTY and gaz.level(u) > prev.level]
                uid = self._best_under(ids, [prev.uid])
                if uid >= 0:
                    return self._mention(e, e + k, text, uid, chained=True)
        for end, level in self._grammar_units(text, e, True, prev.level):
            if level < prev.level:
                continue
            return PlaceMention(e, end, text[e:end], level, (*prev.path, text[e:end]), -1, True)
        if prev.level in (PREFECTURE, COUNTY, TOWNSHIP):
            for word in self.zone_words:         # 于都县|工业园: the county's own zone
                if text.startswith(word, e):
                    end = e + len(word)
                    name = text[prev.start:end]
                    return PlaceMention(prev.start, end, name, OTHER, (*prev.path, name), -1, True)
        return None

    def _chain(self, text: str, head: PlaceMention) -> list[PlaceMention]:
        chain = [head]
        while True:
            nxt = self._next_unit(text, chain[-1].end, chain[-1])
            if nxt is None:
                return chain
            chain.append(nxt)

    # -- the passes ------------------------------------------------------------------------
    def find(self, text: str, token_starts: set[int] | None = None) -> list[PlaceMention]:
        gaz = self.gaz
        n = len(text)
        covered = bytearray(n)
        found: list[PlaceMention] = []

        def take(chain: list[PlaceMention]) -> None:
            for m in chain:
                found.append(m)
                for k in range(m.start, m.end):
                    covered[k] = 1

        # Where a gazetteer or lexicon name starts (one position in twenty): the head finders
        # of passes 1 and 2 find nothing elsewhere, and calling them at every character was
        # this component's main cost.
        named = self._name_starts(text)

        # Pass 1: chains from provinces, prefectures, counties and the general lexicon.
        i = 0
        for j in named:
            if j < i or not is_cjk(text[j]):
                continue     # inside the last chain
            head = self._high_head(text, j, self._head_lengths(text[j:j + 2]))
            if head is None:
                continue
            if (head.uid >= 0 and head.level in (PREFECTURE, COUNTY) and text.startswith("山区", head.end)
                    and head.surface != gaz.names[head.uid]):
                # 吕梁|山区: the mountain region named after the town, not the town (a full name,
                # 黔江区山区, is the county's mountain areas)
                end = head.end + 2
                take([PlaceMention(head.start, end, text[head.start:end], OTHER, (text[head.start:end],))])
                i = end
                continue
            chain = self._chain(text, head)
            take(chain)
            i = chain[-1].end
        high = sorted((m for m in found if m.uid >= 0 and m.level <= COUNTY), key=lambda m: m.start)
        context_counties = _ordered_unique(m.uid for m in high if m.level == COUNTY)
        # Townships are looked for under the article's counties, then its prefectures (a province
        # is too broad: 重庆市 has a 后坪乡 in another county than the one the text is about).
        context_higher = _ordered_unique(m.uid for m in high if m.level == PREFECTURE)
        seen_first = {m.surface for m in found}
        county_pos = [m.start for m in high if m.level == COUNTY]
        county_uid = [m.uid for m in high if m.level == COUNTY]
        # Lexicon places attached to "context" get their parent now: the place written right
        # before them (株洲|高新区), else the county the text is about (高新区 of 铜梁区).
        ends = {m.end: m for m in found if m.path and m.path[0] != "\0context"}
        for m in found:
            if m.path and m.path[0] == "\0context":
                before = ends.get(m.start)
                if before is not None:
                    m.path = (*before.path, m.path[1])
                    continue
                parent = self._county_before(m.start, county_pos, county_uid, context_counties)
                m.path = (*gaz.path(parent), m.path[1]) if parent >= 0 else (m.path[1],)

        def context_for(pos: int) -> list[int]:
            near = self._county_before(pos, county_pos, county_uid, context_counties)
            order = ([near] if near >= 0 else []) + [c for c in context_counties if c != near]
            return order + context_higher

        # Pass 2: chains from townships and villages that the article's context supports
        # (only where a township or village name may start).
        low_index = gaz.low_length_index
        i = 0
        for j in named:
            if j < i or covered[j] or text[j:j + 2] not in low_index or not is_cjk(text[j]):
                continue
            head = self._low_head(text, j, context_for(j), covered, seen_first)
            if head is None:
                continue
            chain = self._chain(text, head)
            take(chain)
            i = chain[-1].end
        # Pass 3: names found so far, elsewhere; grammar units after a left boundary; toponyms.
        known: dict[str, PlaceMention] = {}
        for m in sorted(found, key=lambda m: (len(m.path), m.start)):
            known.setdefault(m.surface, m)
        known_lens: dict[str, set[int]] = {}
        for w in known:
            known_lens.setdefault(w[:2], set()).add(len(w))
        sentence_ends = [m.start() for m in _SENT_END_RE.finditer(text)]
        # Only two kinds of position can start something here: one holding the first two
        # characters of a known name, and one a grammar unit or toponym may start at: an
        # unanchored suffix follows within its stem lengths, or 家 follows (X家坝). Both are
        # marked in a byte mask, from regex and str.find hits, and the loop jumps from mark
        # to mark (_grammar_head finds nothing anywhere else).
        unit_at = bytearray(n + 1)
        for hit in self._suffix_start.finditer(text, 1):
            j = hit.start()
            for suf in self.by_first[text[j]]:
                if not suf.chain_only and text.startswith(suf.text, j):
                    # (a grammar unit is tried only with a suffix character in the next 13)
                    lo, hi = max(0, j - min(suf.max_stem, 13)), j - suf.min_stem + 1
                    if lo < hi:
                        unit_at[lo:hi] = b"\1" * (hi - lo)
        j = text.find("家", 1)
        while j > 0:
            unit_at[j - 1] = 1
            j = text.find("家", j + 1)
        todo = bytearray(unit_at)

        def mark_known(prefix: str, frm: int) -> None:
            j = text.find(prefix, frm)
            while j >= 0:
                todo[j] = 1
                j = text.find(prefix, j + 1)

        for prefix in known_lens:
            mark_known(prefix, 0)
        i = todo.find(1)
        while 0 <= i < n:
            if covered[i] or not is_cjk(text[i]):
                i = todo.find(1, i + 1)
                continue
            head = None
            lens = known_lens.get(text[i:i + 2])
            for k in sorted(lens, reverse=True) if lens else ():
                if k > n - i:
                    continue
                prev = known.get(text[i:i + k])
                if prev is not None and not any(covered[i:i + k]):
                    head = PlaceMention(i, i + k, prev.surface, prev.level, prev.path, prev.uid, False, prev.code)
                    break
            grammar = head is None
            if grammar and unit_at[i]:
                head = self._grammar_head(text, i, token_starts, found, sentence_ends,
                                          county_pos, county_uid, context_counties, covered, known)
            if head is None:
                i = todo.find(1, i + 1)
                continue
            chain = self._chain(text, head)
            if grammar and head.level not in (OTHER, GROUP) and len(chain) < 2 and not self._toponym(text, i) > 0:
                i = todo.find(1, i + 1)     # a bare 为当地村 / 年返乡: an unknown unit must come with its sub-unit
                continue
            take(chain)
            for m in chain:
                if m.surface not in known:
                    known[m.surface] = m
                    if m.surface[:2] not in known_lens:
                        mark_known(m.surface[:2], chain[-1].end)
                    known_lens.setdefault(m.surface[:2], set()).add(len(m.surface))
            i = todo.find(1, chain[-1].end)
        found.sort(key=lambda m: m.start)
        return found

    def _head_keys(self) -> frozenset[str]:
        """Every first-two-characters key of a gazetteer name (any level, full or short) or a
        lexicon word: where :meth:`_high_head` or :meth:`_low_head` can find something."""
        if self._head_key_set is None:
            gaz = self.gaz
            self._head_key_set = frozenset(
                {*gaz.high_length_index, *gaz.low_length_index, *self._lex_lens})
        return self._head_key_set

    def _name_starts(self, text: str) -> list[int]:
        """The positions where some gazetteer name (full or short) or lexicon word starts, in
        text order: a superset of where :meth:`_high_head` and :meth:`_low_head` find something.
        Positions whose next two characters begin no name are ruled out at C speed (set
        membership mapped over the pairs); the rest are tested with dictionary look-ups."""
        if not text:
            return []
        pairs = [*map(str.__add__, text, text[1:]), text[-1:]]     # text[i:i + 2] for each i
        keys = self._head_keys().intersection(set(pairs))   # probe the big table once per distinct pair
        full, short, lexicon = self.gaz.full_name_index, self.gaz.short_name_index, self.lexicon
        head_lengths = self._head_memo         # a plain subscript per position, no method call
        return [j for j in compress(range(len(text)), map(keys.__contains__, pairs))
                if any((s := text[j:j + k]) in full or s in short or s in lexicon for k in head_lengths[pairs[j]])]

    def _head_lengths(self, key: str) -> tuple[int, ...]:
        """Lengths of gazetteer names (any level) and lexicon words starting with ``key`` (the
        text's next two characters), longest first; memoised, as the same pairs recur."""
        return self._head_memo[key]

    def _compute_head_lengths(self, key: str) -> tuple[int, ...]:
        gaz = self.gaz
        return tuple(sorted({*gaz.high_lengths(key, 0), *gaz.low_lengths(key, 0),
                             *self._lex_lens.get(key, ())}, reverse=True))

    def _high_head(self, text: str, i: int, lengths: tuple[int, ...] | None = None) -> PlaceMention | None:
        """A province, prefecture, county or lexicon place starting at ``i`` (longest first);
        ``lengths`` are :meth:`_head_lengths` there when the caller has them already."""
        gaz = self.gaz
        n = len(text)
        best: PlaceMention | None = None
        longest_any = 0
        if lengths is None:
            lengths = self._head_lengths(text[i:i + 2])
        stop = text[i:i + 2] in self._stop2
        full_names, short_names = gaz.full_name_index, gaz.short_name_index
        for k in lengths:
            if k > n - i or k < 2:
                continue
            s = text[i:i + k]
            if stop and s in self.stop_words:
                return None
            if s in self.lexicon:
                level, attach, canon = self.lexicon[s]
                path = (canon,) if attach == "root" else ("\0context", canon)
                return PlaceMention(i, i + k, s, level, path)
            if s not in full_names and s not in short_names:
                continue   # most lengths name nothing: skip the look-ups below (same outcome)
            full = gaz.lookup(s)
            if full and not longest_any:
                longest_any = k
            ids = [u for u in full if gaz.level(u) <= COUNTY]
            short = False
            if not ids:
                ids = [u for u in gaz.lookup_short(s) if gaz.level(u) <= COUNTY]
                short = True
            if not ids:
                continue
            if longest_any > k:
                return None   # 新乡乡 is a township, not 新乡 + 乡
            grammar = self._grammar_units(text, i, False, -1)
            uid = min(ids, key=lambda u: (gaz.level(u), u))
            if grammar and grammar[0][0] > i + k and grammar[0][1] >= TOWNSHIP and short:
                nxt = self._next_unit(text, i + k, self._mention(i, i + k, text, uid))
                if nxt is None or nxt.uid < 0:
                    return None   # 黄溪镇 read as 黄溪 (a county short form elsewhere) + 镇
                # (浙江|镇海: the unit after it lies under it, no 浙江镇)
            if short and gaz.level(uid) > PROVINCE and not self._confirmed(text, uid, i, k):
                continue
            best = self._mention(i, i + k, text, uid)
            break
        return best

    def _confirmed(self, text: str, uid: int, i: int, k: int) -> bool:
        """A short form of a prefecture or county (黔江, 濮阳) counts when the text also gives its
        full name or names one of its ancestors, or lists it with other places (、)."""
        gaz = self.gaz
        if gaz.names[uid] in text:
            return True
        before = text[i - 1] if i else ""
        after = text[i + k:i + k + 1]
        listed = before in "、，" or after == "、" or text.startswith("等地", i + k)
        if gaz.level(uid) == COUNTY:
            # 酉阳县 (short form + level word, for 酉阳土家族苗族自治县), not a bare 永川
            if text[i + k - 1] in "县区市旗" and uid in gaz.lookup_short(text[i:i + k - 1]):
                return True
            # 福建建宁、福鼎、古田等地: a county listed with others, in a province the text names
            return listed and any(self._named(anc, text) for anc in gaz.ancestors(uid))
        if any(self._named(anc, text) for anc in gaz.ancestors(uid)):
            return True
        if gaz.level(uid) == PREFECTURE:
            return listed or after == "，"
        return False

    def _named(self, uid: int, text: str) -> bool:
        """The text names the unit, in full or by a short form."""
        name = self.gaz.names[uid]
        return name in text or any(name.startswith(s) and s in text for s in self._shorts(uid))

    def _shorts(self, uid: int) -> list[str]:
        name = self.gaz.names[uid]
        return [name[:k] for k in range(2, len(name)) if uid in self.gaz.lookup_short(name[:k])]

    @staticmethod
    def _county_before(pos: int, county_pos: list[int], county_uid: list[int], fallback: list[int]) -> int:
        k = bisect.bisect_left(county_pos, pos)
        if k:
            return county_uid[k - 1]
        return fallback[0] if fallback else -1

    def _low_head(self, text: str, i: int, context: list[int], covered: bytearray,
                  seen: set[str]) -> PlaceMention | None:
        """A township or village of the article's counties starting at ``i``; names already
        read in a chain (``seen``) are left to the third pass, which reuses that reading."""
        if not context:
            return None
        gaz = self.gaz
        full_names, short_names = gaz.full_name_index, gaz.short_name_index
        kmax = min(_MAX_LOW, len(text) - i)
        for k in gaz.low_lengths(text, i):
            if k > kmax or k < 2:
                continue
            s = text[i:i + k]
            listed = text[i + k:i + k + 1] in ("、", "，", "等", "和")
            if not (k >= 3 and s in full_names) and not (listed and s in short_names):
                continue   # most lengths name nothing: the tests below would all fail
            if any(covered[i:i + k]) or s in self.stop_words or s in seen:
                continue
            ids = [u for u in gaz.lookup(s) if gaz.level(u) in (TOWNSHIP, VILLAGE)] if k >= 3 else []
            short = False
            if not ids and listed:
                ids = [u for u in gaz.lookup_short(s) if gaz.level(u) == TOWNSHIP]   # 金溪、黄溪等乡镇
                short = True
            if not ids:
                continue
            counties = [c for c in context if gaz.level(c) == COUNTY]
            uid = self._best_under(ids, counties if (short or gaz.level(ids[0]) == VILLAGE) else context)
            if uid < 0:
                continue
            if gaz.level(uid) == VILLAGE and not self._left_boundary(text, i):
                continue
            return self._mention(i, i + k, text, uid)
        return None

    def _grammar_head(self, text, i, token_starts, found, sentence_ends, county_pos, county_uid,
                      context_counties, covered, known) -> PlaceMention | None:
        """An unanchored unit from the suffix grammar (or an X家坝 toponym) starting at ``i``."""
        end = self._toponym(text, i)
        level = OTHER
        if end < 0:
            strong = self._left_boundary(text, i, None)
            if not strong and not (token_starts is not None and i in token_starts):
                return None
            for end_, level_ in self._grammar_units(text, i, False, -1):
                if level_ != OTHER and not strong:
                    continue
                if any(covered[i:end_]):
                    continue
                # A unit ending in a name already known (据坪漆村) is that name, found later;
                # a stem holding a boundary word (并推荐到凤凰湖工业园) starts after it.
                if any(text[j:end_] in known or self._left_boundary(text, j, None) for j in range(i + 1, end_ - 1)):
                    continue
                if level_ == OTHER and token_starts is not None and not text.endswith(SITE_SUFFIXES, i, end_) and any(
                        j in token_starts and self._stem_ok(text[j:self._stem_end(text, j, end_)], False)
                        and self._stem_end(text, j, end_) - j >= 2 for j in range(i + 1, end_ - 2)):
                    continue   # 维护西郊绿道: the name starts at the last token that still leaves a stem
                end, level = end_, level_
                break
            if end < 0:
                return None
        if any(covered[i:end]):
            return None
        surface = text[i:end]
        parent = self._parent_in_sentence(i, level, found, sentence_ends)
        if parent is None:
            c = self._county_before(i, county_pos, county_uid, context_counties)
            path = (*self.gaz.path(c), surface) if c >= 0 else (surface,)
        else:
            path = (*parent.path, surface)
        return PlaceMention(i, end, surface, level, path)

    def _stem_end(self, text: str, j: int, end: int) -> int:
        """Where the suffix of the unit text[j:end] begins (the longest suffix that ends it)."""
        for suf in self.suffixes:
            if text.endswith(suf.text, j, end):
                return end - len(suf.text)
        return end

    def proposed(self, text: str, proposals, found: list[PlaceMention]) -> list[PlaceMention]:
        """Places the trained model proposes (``LOC`` in ``doc._.kg_ner``) that the gazetteer and
        the grammars did not find: a city named without its suffix (石家庄), a foreign capital, a
        mountain, a river, a region, a new district. A proposal is confirmed by the gazetteer
        (then resolved to its unit: the highest-level one of that name, when it is a county or
        above named by its plain suffix, 石家庄 -> 石家庄市; 凉山 is not 凉山彝族自治州 by name), by jionlp's world list (:func:`world_places`), by jieba's dictionary (a word
        tagged ``ns``) or by how it ends (``kg/data/ner_place_heads.txt``: 山, 江, 岛, 地区 …);
        others are typed by their suffix (``X乡`` a township, ``X村`` a village, else
        ``other``). One overlapping a place already found, a stop word or a determiner (某地,
        当地) is dropped."""
        covered = bytearray(len(text) + 1)
        for m in found:
            covered[m.start:m.end] = b"\x01" * (m.end - m.start)
        out: list[PlaceMention] = []
        if not proposals:
            return out
        tags, place_heads, world, gaz = dictionary_tags(), heads("ner_place_heads.txt"), world_places(), self.gaz
        for start, end, label in proposals:
            surface = text[start:end]
            if label == "PER" and self._person_like_place(surface):
                label = "LOC"       # 莱克伍德县, 马拉若岛: a transliterated name with a place's ending
            if label == "LOC" and len(surface) == 1 and not covered[start]:
                m = self._abbreviated(text, start)
                if m is not None:
                    out.append(m)
                    covered[start] = 1
                continue
            if (label != "LOC" or len(surface) < 2 or any(covered[start:end]) or not all(map(is_cjk, surface))
                    or surface in self.stop_words or surface[0] in "某这那该各每此其本全"):
                continue
            ids = gaz.lookup(surface) or gaz.lookup_short(surface)
            top = min(ids, key=gaz.level) if ids else -1
            if top >= 0 and gaz.level(top) <= COUNTY and gaz.path(top)[-1][len(surface):] in _PLAIN_SUFFIXES:
                out.append(self._mention(start, end, text, top))
            elif (ids or surface in world or tags.get(surface) == "ns"
                  or surface.endswith(place_heads) and len(surface) > 2):
                level = next((s.level for s in self.suffixes if surface.endswith(s.text) and len(surface) > len(s.text)
                              and not s.chain_only), OTHER)
                out.append(PlaceMention(start, end, surface, level, (surface,)))
            else:
                continue   # neither a gazetteer, the dictionary nor the name's ending says it is a place
            covered[start:end] = b"\x01" * (end - start)
        return out

    def _person_like_place(self, surface: str) -> bool:
        """A name the model takes for a person that ends as a place does (县, 省, 岛, 河) and
        is not a Chinese name of that shape (洪湖 may be one): at least four characters, or
        three not opening with a common surname."""
        ends = surface.endswith(_WORLD_ADMIN) or surface.endswith(_PLACE_NOT_NAME_ENDS)
        return (ends and all(map(is_cjk, surface))
                and (len(surface) >= 4 or len(surface) == 3 and surface[0] not in self.surnames))

    @functools.cached_property
    def _world_by_first(self) -> dict[str, list[str]]:
        """:func:`world_names` that the gazetteer and the lexicon do not already find, by first
        character, longest first."""
        gaz, out = self.gaz, {}
        for name in sorted(world_names(), key=len, reverse=True):
            if name not in self.lexicon and name not in gaz.full_name_index and name not in gaz.short_name_index:
                out.setdefault(name[0], []).append(name)
        return out

    def world(self, text: str, found: list[PlaceMention], proposals=()) -> list[PlaceMention]:
        """Countries, capitals and major cities of the world named in the text (jionlp's list:
        保加利亚, 巴西利亚, 阿姆斯特丹), longest name first, as places of their own with the
        country's short name as the path (大不列颠及北爱尔兰联合王国 -> 英国). A name inside a
        common word (今日|本地, 增加|纳), over a place already found or opening a longer
        organization the trained model proposes (《纽约时报》, 波兰科学院) is none."""
        covered = bytearray(len(text) + 1)
        for m in found:
            covered[m.start:m.end] = b"\x01" * (m.end - m.start)
        org_end = {start: end for start, end, label in proposals if label == "ORG"}
        by_first, names, words, out = self._world_by_first, world_names(), common_words(), []
        i = 0
        while i < len(text):
            for name in by_first.get(text[i], ()):
                j = i + len(name)
                if (text.startswith(name, i) and not any(covered[i:j]) and org_end.get(i, j) <= j
                        and text[i - 1:i + 1] not in words and text[j - 1:j + 1] not in words
                        and text[j:j + 1] != "族"):         # 朝鲜族 is a people
                    tail = next((h for h in _WORLD_TAILS if text.startswith(h, j)), "")
                    j += len(tail)
                    # 斯特拉斯堡市 is the city itself; 德黑兰机场, 朝鲜半岛 are places of their own
                    path = (text[i:j],) if tail and tail not in _WORLD_ADMIN else (names[name],)
                    out.append(PlaceMention(i, j, text[i:j], OTHER, path))
                    covered[i:j] = b"\x01" * (j - i)
                    i = j - 1
                    break
            i += 1
        return out

    @functools.cached_property
    def abbreviations(self) -> dict[str, str]:
        """One-character short forms (美 -> 美国, 鲁 -> 山东省): ``kg/data/place_abbreviations.tsv``."""
        return dict(ln.split("\t")[:2] for ln in read_lines("place_abbreviations.tsv"))

    def _abbreviated(self, text: str, i: int) -> PlaceMention | None:
        """The place a one-character short form at ``i`` names (中美 -> 中国, 美国; 访华; 鲁渝):
        the full place, with the character as its surface (an alias)."""
        full = self.abbreviations.get(text[i])
        if full is None:
            return None
        words, short, gaz = common_words(), self.abbreviations, self.gaz
        if text[i - 1:i] == text[i] or text[i + 1:i + 2] == text[i]:
            return None   # 美美: a doubled character is a word, not a country
        for w, other in ((text[max(i - 1, 0):i + 1], text[i - 1:i]), (text[i:i + 2], text[i + 1:i + 2])):
            if len(w) == 2 and w in words and other not in short and other not in _VISIT_VERBS:
                return None   # 出台, 华人: the character is part of a word (访华, 中美 are not)
        if any(text[i:i + k] in gaz.full_name_index or text[i:i + k] in gaz.short_name_index for k in (2, 3)):
            return None   # 日照: the start of a place name, not 日本
        a, j = i, i + 1
        while a > 0 and text[a - 1] in short:
            a -= 1
        while j < len(text) and text[j] in short:
            j += 1
        if j - a >= 2 and text.startswith(_PAIR_WORDS, j):
            return None   # 闽赣省际, 鲁渝劳务协作: a border or a pairing of provinces names neither
        ids = [u for u in self.gaz.lookup(full) if self.gaz.level(u) == PROVINCE]
        if ids:
            return self._mention(i, i + 1, text, ids[0])
        level, _, canonical = self.lexicon.get(full, (OTHER, "root", full))
        return PlaceMention(i, i + 1, text[i], level, (canonical,))

    @staticmethod
    def _parent_in_sentence(i: int, level: int, found: list[PlaceMention], sentence_ends: list[int]):
        k = bisect.bisect_left(sentence_ends, i)
        sent_start = sentence_ends[k - 1] + 1 if k else 0
        best = None
        for m in found:
            if sent_start <= m.end <= i and m.level < level and m.level != OTHER and len(m.path) >= 1:
                if best is None or m.end > best.end:
                    best = m
        return best


#: Suffixes that a foreign place name takes without becoming another place (斯特拉斯堡市, 圣保罗州).
_WORLD_ADMIN = ("市", "州", "省", "县", "区", "郡", "大区")
#: Place endings no transliterated personal name has (巴蒂斯图|塔, 阴衍|江 do: not here).
_PLACE_NOT_NAME_ENDS = ("岛", "河", "湖", "宫", "港", "湾", "峡", "半岛", "平原", "高原", "盆地", "山脉", "地区")
#: Features named after a foreign place, places of their own (德黑兰机场, 朝鲜半岛, 奥克兰港).
_WORLD_FEATURES = ("港", "岛", "湾", "宫", "机场", "车站", "火车站", "半岛", "山脉", "平原", "高原", "盆地", "地区")
_WORLD_TAILS = tuple(sorted({*_WORLD_FEATURES, *_WORLD_ADMIN}, key=len, reverse=True))   # longest first


class _Memo(dict):
    """A dict that computes a missing value with ``fill(key)`` and keeps it."""

    def __init__(self, fill):
        super().__init__()
        self.fill = fill

    def __missing__(self, key):
        value = self[key] = self.fill(key)
        return value


def _ordered_unique(xs) -> list[int]:
    seen: dict[int, None] = {}
    for x in xs:
        seen.setdefault(x, None)
    return list(seen)


class SentenceEvidence:
    """Evidence of the sentence around a character, memoised per sentence, on the shared
    :class:`kg.nlp.doc.DocIndex` (``doc.text`` and ``doc.sents`` are read once per Doc)."""

    def __init__(self, doc: Doc):
        self.index = DocIndex(doc)
        self.text: str = self.index.text
        self.memo: dict[tuple[int, int], Evidence] = {}

    def __call__(self, char: int) -> Evidence:
        bounds = self.index.sentence_at(char)
        ev = self.memo.get(bounds)
        if ev is None:
            s, e = bounds
            chunk = self.text[s:e]
            s += len(chunk) - len(chunk.lstrip())
            e -= len(chunk) - len(chunk.rstrip())
            ev = self.memo[bounds] = self.index.evidence(s, e)
        return ev

    def span(self, start: int, end: int):
        """The tokens covering text[start:end] (``alignment_mode="expand"``)."""
        return self.index.span(start, end)


def add_place_records(doc: Doc, mentions: list[PlaceMention], cite: SentenceEvidence | None = None) -> None:
    """Write mentions to ``doc.spans['kg_places']`` and ``doc._.kg_places`` (path -> Place)."""
    places = doc._.kg_places
    cite = cite or SentenceEvidence(doc)
    spans = list(doc.spans["kg_places"])
    for m in mentions:
        span = cite.span(m.start, m.end)
        if span is None:
            continue
        span._.kg_ref = m.path
        spans.append(span)
        place = places.get(m.path)
        if place is None:
            place = places[m.path] = Place(name=m.surface, level=LEVELS[m.level], path=m.path, code=m.code)
        elif m.surface != place.name:
            # The fullest form the text gives is the name; other forms are aliases.
            if len(m.surface) > len(place.name):
                place.aliases.append(place.name)
                place.name = m.surface
            elif m.surface not in place.aliases:
                place.aliases.append(m.surface)
            if place.name in place.aliases:
                place.aliases.remove(place.name)
        ev = cite(m.start)
        if ev not in place.evidence:
            place.evidence.append(ev)
    doc.spans["kg_places"] = spans


@Language.factory(
    "kg_places",
    default_config={
        "suffixes": "place_suffixes.tsv",
        "lexicon": "place_lexicon.tsv",
        "stopwords": "place_stopwords.txt",
        "boundaries": "place_boundaries.txt",
        "features": "place_features.txt",
        "surnames": "person_surnames_common.txt",
    },
)
def make_kg_places(nlp: Language, name: str, suffixes: str, lexicon: str, stopwords: str, boundaries: str,
                   features: str, surnames: str):
    """Place units (lexicon files under kg/data; the gazetteer is indexed on first use)."""
    finder = PlaceFinder(suffixes, lexicon, stopwords, boundaries, features, surnames)

    def kg_places(doc: Doc) -> Doc:
        init_doc(doc)
        cite = SentenceEvidence(doc)
        token_starts = set(cite.index.starts)
        found = finder.find(cite.text, token_starts)
        found += finder.world(cite.text, found, doc._.kg_ner or ())
        found += finder.proposed(cite.text, doc._.kg_ner or (), found)
        add_place_records(doc, found, cite)
        return doc

    kg_places.finder = finder  # type: ignore[attr-defined]
    return kg_places

