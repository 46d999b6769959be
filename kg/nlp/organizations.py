"""Component ``kg_orgs``: named organizations (companies, bureaus, schools, cooperatives,
workshops and bases that employ people, government bodies), merged across abbreviations.

An organization name is read from its end: a suffix from ``org_suffixes.tsv`` (有限公司,
人社局, 社保所, 学院, 扶贫车间...) and, before it, a proper name (蕊福农食用菌种植) and/or a
place (五间镇, found by ``kg_places``). Walking left from the suffix, the name stops at a
place unit (kept as the name's prefix), at a verb or preposition (来到, 会同: see
``org_boundaries.txt``) or at punctuation. Companies and schools need a proper name;
bureaus and government bodies may carry just a place (五间镇社保所) or a bare level word
(区扶贫办, 市人社局). A bare level word is resolved to the place the article is about at
that point (区扶贫办 in an article about 永川区 is 永川区扶贫办, with 区扶贫办 as an alias),
so that two counties' 扶贫办 never merge. Generic mentions (当地商会, 一家电子厂, 培训学校,
专家服务基地) are rejected with ``org_generic.txt``.

Names that differ only by an abbreviation of the institution (人社局 = 人力资源和社会保障局,
``org_abbreviations.tsv``) or that are contained in a longer name of the article
(龙灯彩扎基地 in 龙灯彩扎基地扶贫车间) are one organization with aliases.

A place that only opens a company's or school's name (重庆|隆兆机械有限公司,
云南|农业职业技术学院) is part of the name, not a mention of the place: its span is
removed from ``kg_places``.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import PipelineError
from kg.nlp.dictionary import dictionary_words as _dictionary_words
from kg.nlp.doc import init_doc
from kg.nlp.ner import dictionary_tags, heads, in_policy_phrase
from kg.nlp.places import (
    SITE_SUFFIXES,
    PlaceFinder,
    SentenceEvidence,
    common_words,
    function_words,
    is_cjk,
    leading_words,
    noun_words,
    read_lines,
    time_words,
)
from kg.records import Organization

__all__ = ["make_kg_orgs", "OrgFinder", "OrgMention"]

_LEVEL_CHARS = "省市区县镇乡"
_MAX_BODY = 14
#: Prepositions: a proposed name never opens with one (以|草场牛羊入股合作社).
_PREPOSITIONS = set("以在从把被将对为向与和及由让给")
#: Generic names a proper name can follow in apposition (就业扶贫车间|凯美制衣厂).
_APPOSITION_HEADS = ("车间", "工厂", "企业", "公司")
#: An office's abbreviated name holds none of these (镇|扶贫办和镇|人社|所: 和 ends a name).
_AGENCY_STOP = set("的了是在个和与及等们这那其各每全共为于从到被把将对给由向以所办省市区县镇乡村")
#: After these the ending is a word of its own (所以, 所有, 中心城区) or a title (所长), not an
#: office's end.
_AGENCY_NEXT = set("以有在需得属谓城长")
#: Characters that open a phrase, not a name (全县…, 各村…, 共…).
_DETERMINERS = set("全共各该本此每某这那其")
#: A body named by a level word alone (市委, 县政府, 区人社): not a name without its place.
_BARE_LEVEL = re.compile(r"[省市区县镇乡村][^省市区县镇乡村]{1,3}")
_QUOTES = "“”\"'‘’「」"
_OPENING = "“‘「\"'"
_CLOSING = "”’」\"'"
#: Government bodies named in the formula that cites higher authorities
#: (党中央、国务院和市委、市政府的决策部署) are not actors of the story.
_FORMULA = ("党中央", "国务院")
_CLAUSE_END = "。，；！？\n"
_NUMERAL_START = "一二三四五六七八九十百千万两几0123456789"
_MEASURES = "个家人名位种批次项条座所户"
#: Suffixes that close a name: a body holding one is two names, not one.
_NAME_ENDS = ("有限公司", "公司", "集团", "合作社", "学校", "大学", "学院")
#: Name endings a determiner can refer back to (这间理发店, 该所, 这家公司, 该合作社).
#: Legal forms of a registered company.
_LEGAL_FORMS = frozenset({"有限公司", "股份有限公司", "有限责任公司"})
#: News outlets: a place before one is part of its name (贵州日报, 中国兰州网), not a mention.
_MEDIA_SUFFIXES = frozenset({"日报", "晚报", "晨报", "都市报", "商报", "电视台", "广播电视台", "网", "新闻网"})
#: Suffixes that name an outlet only where it is cited (网: 互联网, 电商网 are no names).
_DATELINE_SUFFIXES = frozenset({"网"})
_DATELINE = re.compile(r"[0-9０-９]{1,2}月[0-9０-９]{1,2}日|讯|消息|报道|记者|客户端|[(（]?记者")
_REFERABLE_TAILS = {"公司", "厂", "店", "理发店", "超市", "所", "局", "中心", "学校", "学院", "合作社", "车间",
                    "基地", "农场", "办"}


@dataclass(frozen=True)
class _Suffix:
    text: str
    kind: str
    needs_body: bool
    min_body: int
    needs_name: bool = False     # a shop: only a quoted name (“爱心”理发店) or a place prefix names it
    whole: bool = False          # the suffix is a whole name by itself (新华社)
    agency: bool = False         # an office named by a short abbreviation after its place (镇|人社|所)


@dataclass
class OrgMention:
    start: int
    end: int
    name: str                       # as written (quotes removed)
    kind: str
    suffix: str
    prefix: str                     # place or level word opening the name ("" if none)
    place: tuple[str, ...] | None   # the place the organization belongs to
    body: str
    qualified: str | None = None    # name with a bare level word resolved (区扶贫办 -> 永川区扶贫办)
    leading_place_span: tuple[int, int] | None = None   # a place that only opens the name
    more_leading: list[tuple[int, int]] = field(default_factory=list)   # places before that one (中国|兰州|网)
    listed: bool = False            # a bare list member (区财政局、民政局) waiting for a place
    aliases: list[str] = field(default_factory=list)


#: What the suffix grammar returns for a generic name (服装|加工厂): stop at this position.
_GENERIC = OrgMention(0, 0, "", "", "", "", None, "")


@functools.cache
def proper_nouns() -> frozenset[str]:
    """Proper nouns of jieba's dictionary that are neither places nor organizations by its tag:
    other proper nouns, abbreviations and transliterations (丰田 nz, 北大 j, 海尔 nrt). A name the
    model proposes as an organization that is one of them is a brand, a university, a body
    known by its short form."""
    return _dictionary_words(frozenset({"nz", "j", "nrt", "nr"}), "proper-nouns", max_len=6)


#: What a workshop does, closing a body that only describes it (衣服加工|就业扶贫车间).
_TRADES = ("加工", "制作", "生产", "种植", "养殖", "编织", "组装")


def _common_only(body: str) -> bool:
    """Whether ``body`` is nothing but common words of jieba's dictionary (服装, 农业种植): it
    says what a business does, not what it is called."""
    if not body:
        return False
    words = common_words()
    ok = [True] + [False] * len(body)
    for i in range(len(body)):
        if ok[i]:
            for k in (2, 3, 4):
                if i + k <= len(body) and body[i:i + k] in words:
                    ok[i + k] = True
    return ok[-1]


def _outside_words(body: str, tags: dict[str, str]) -> str:
    """``body`` with the place and organization words jieba knows blanked out, so a boundary
    word inside one (联合|国) is not read as a verb before the name (联合国安理会)."""
    keep = list(body)
    for i in range(len(body)):
        for k in range(min(len(body), i + 6), i + 2, -1):
            if body[i:k] in tags:
                keep[i:k] = " " * (k - i)
                break
    return "".join(keep)


class OrgFinder:
    """Finds organization mentions in a text, given the place mentions already found."""

    def __init__(self, suffixes: str, abbreviations: str, generic: str, boundaries: str, references: str):
        self.suffixes: dict[str, _Suffix] = {}
        for ln in read_lines(suffixes):
            parts = ln.split("\t")
            if len(parts) != 4 or parts[2] not in ("body", "place", "named", "whole", "agency"):
                raise PipelineError(f"{suffixes}: malformed line {ln!r}")
            self.suffixes[parts[0]] = _Suffix(parts[0], parts[1], parts[2] == "body", int(parts[3]),
                                              parts[2] == "named", parts[2] == "whole", parts[2] == "agency")
        self.by_last: dict[str, list[_Suffix]] = {}
        for suf in sorted(self.suffixes.values(), key=lambda s: -len(s.text)):
            self.by_last.setdefault(suf.text[-1], []).append(suf)
        self.canonical: dict[str, str] = {}
        for ln in read_lines(abbreviations):
            forms = [f.strip() for f in ln.split("\t") if f.strip()]
            for f in forms:
                self.canonical[f] = forms[0]
        self.generic_pre: set[str] = set()
        self.generic_body: set[str] = set()
        self.generic_tail: set[str] = set()
        self.workshop_tail: set[str] = set()
        self.generic_bare: set[str] = set()
        for ln in read_lines(generic):
            kind, _, word = ln.strip().partition(":")
            {"pre": self.generic_pre, "body": self.generic_body, "tail": self.generic_tail,
             "wtail": self.workshop_tail, "bare": self.generic_bare}.get(kind, self.generic_body).add(word)
        self.boundaries = {w.strip() for w in read_lines(boundaries)}
        self.max_boundary = max(map(len, self.boundaries), default=1)
        self.determiners: list[str] = []
        self.departments: dict[str, str] = {}
        for ln in read_lines(references):
            parts = ln.split("\t")
            if parts[0] == "det" and len(parts) == 2:
                self.determiners.append(parts[1])
            elif parts[0] == "dept" and len(parts) == 3:
                self.departments[parts[1]] = self.canonical.get(parts[2], parts[2])
            else:
                raise PipelineError(f"{references}: malformed line {ln!r}")
        self.determiners.sort(key=len, reverse=True)
        #: How the article writes a place (威宁县 for 威宁彝族回族苗族自治县); set per document.
        self.written = lambda path: path[-1]

    # -- helpers -----------------------------------------------------------------------------
    def _boundary_ending_at(self, text: str, j: int) -> int:
        """Length of the longest boundary word ending at ``j`` (0 if none); a one-character
        boundary that ends a noun (数据 of 大数据标注公司, 社会) is no boundary."""
        for k in range(min(self.max_boundary, j), 0, -1):
            if text[j - k:j] in self.boundaries:
                if k == 1 and j >= 2 and any(text[j - w:j] in noun_words() for w in (2, 3) if j >= w):
                    return 0
                return k
        return 0

    def _generic_before(self, text: str, j: int) -> bool:
        return any(j >= len(w) and text[j - len(w):j] in self.generic_pre for w in self.generic_pre)

    def _suffixes_ending_at(self, text: str, e: int) -> list[_Suffix]:
        return [s for s in self.by_last.get(text[e - 1], ()) if text.endswith(s.text, 0, e)]

    def proposed(self, text: str, proposals, found: list[OrgMention],
                 places: list[tuple[int, int, tuple[str, ...], str]]) -> list[OrgMention]:
        """Organizations the trained model proposes (``ORG`` in ``doc._.kg_ner``) that the suffix
        grammar did not find (新华社, 国务院, a company named without its legal suffix). A
        proposal is confirmed by jieba's dictionary (a word tagged ``nt``) or by how it ends
        (the suffix grammar, ``kg/data/ner_org_heads.txt``); one overlapping an organization
        found, a place or a generic word alone (合作社, 公司), a bare level body (市委) or a
        body named only as the source of a policy is dropped. Its kind comes from its
        suffix, the place opening it is its place."""
        taken = [(m.start, m.end) for m in found]
        place_at = {(s, e): path for s, e, path, _ in places}
        out: list[OrgMention] = []
        if not proposals:
            return out
        tags, org_heads = dictionary_tags(), heads("ner_org_heads.txt")
        opening, times, known = function_words(), time_words(), common_words()
        for start, end, label in proposals:
            name = text[start:end]
            if (label != "ORG" or len(name) < 2 or (start, end) in place_at or name in self.suffixes
                    or name in self.generic_body or not all("\u4e00" <= c <= "\u9fff" for c in name)
                    or any(a < end and start < b for a, b in taken)):
                continue
            if (tags.get(name) != "nt" and name not in proper_nouns()
                    and not (name.endswith(org_heads) or self._suffixes_ending_at(text, end))):
                continue   # neither the dictionary nor the name's ending says it is an organization
            if _BARE_LEVEL.fullmatch(name) or in_policy_phrase(text, start, end):
                continue   # 市委, 县政府 with no place named; 贯彻落实党中央…的决策部署
            head = max((h for h in org_heads if name.endswith(h)), key=len, default="")
            body = _outside_words(name[:len(name) - len(head)], tags)
            if (name[0] in _DETERMINERS or name.endswith("人社") or any(name[:k] in opening or name[:k] in times for k in (2, 3, 4))
                    or any(len(b) > 1 and b in body for b in self.boundaries)):
                continue   # 全县共认定扶贫车间, 如今合作社, 吴兴区人社(部门): not a name (国际…组织 is)
            suf = next((s for s in self._suffixes_ending_at(text, end) if len(s.text) < len(name)), None)
            lead = next(((s, e, path) for s, e, path, _ in places if s == start and e < end), None)
            if name[0] in _PREPOSITIONS and not any(name[:k] in tags or name[:k] in known for k in (2, 3)):
                continue   # 以|草场牛羊入股合作社: a phrase, no name (以色列工党 is one)
            out.append(OrgMention(start, end, name, suf.kind if suf else "other", suf.text if suf else "",
                                  text[start:lead[1]] if lead else "", lead[2] if lead else None,
                                  name[(lead[1] - start) if lead else 0:len(name) - (len(suf.text) if suf else 0)]))
            taken.append((start, end))
        return out

    # -- finding --------------------------------------------------------------------------------
    def find(self, text: str, places: list[tuple[int, int, tuple[str, ...], str]],
             county_at, prefecture: tuple[str, ...] | None, province: tuple[str, ...] | None,
             township_at) -> list[OrgMention]:
        """Organization mentions. ``places``: (start, end, path, level) of place mentions;
        ``county_at(pos)``/``township_at(pos)``: the county/township path the text is about at a
        position; ``prefecture``/``province``: the article's dominant ones (for 市人社局, 省人社厅)."""
        place_end = {e: (s, e, path, level) for s, e, path, level in places}
        place_start = {s for s, _, _, _ in places}
        n = len(text)
        found: list[OrgMention] = []
        # Walk right to left so a longer name claims its characters first.
        ends = [k + 1 for k in range(n) if text[k] in self.by_last]
        taken_until = n + 1
        for e in reversed(ends):
            if e > taken_until:
                continue
            for suf in self._suffixes_ending_at(text, e):
                m = self._read(text, e, suf, place_end, place_start)
                if m is _GENERIC:
                    break      # 服装|加工厂: no shorter suffix (服装加|厂) makes it a name
                if m is None:
                    continue
                found.append(m)
                taken_until = m.start
                break
        found.reverse()
        self._resolve_levels(text, found, county_at, prefecture, province, township_at)
        self._inherit_lists(text, found)
        return [m for m in found if m.name and not (m.listed and m.place is None and not m.prefix)]

    def _read(self, text: str, e: int, suf: _Suffix, place_end, place_start) -> OrgMention | None:
        nxt = text[e:e + 1]
        if suf.text in ("厂", "委", "工厂") and (nxt and nxt in "门车房区长里书员会" or text[e:e + 2] == "主任"):
            return None   # 厂门, 厂车, 村委会, 市委书记, 村委主任: not a name's end
        if suf.text in ("大学", "学院", "学校") and nxt and nxt in "生子":
            return None   # 大学生, 暨大学子
        if suf.text == "厂" and text[e - 2:e - 1] == "工":
            return None   # 联系|工厂: 工厂 was read (and refused) already
        if suf.whole:
            return OrgMention(e - len(suf.text), e, suf.text, suf.kind, suf.text, "", None, "")
        if suf.agency:
            return self._read_agency(text, e, suf, place_end)
        m = self._read_named(text, e, suf, place_end, place_start)
        if m is not None and suf.text in _DATELINE_SUFFIXES and not self._dateline(text, m.start, e):
            return None   # 互联网, 电商网: a website only where it is cited as a source
        s = e - len(suf.text)
        if m is None and not suf.needs_body and s > 0 and text[s - 1] in _LEVEL_CHARS and s not in place_end:
            m = self._bare(text, s - 1, e, s, suf)   # 八九月份|省人社厅: the words before are no name
        return m

    def _read_named(self, text: str, e: int, suf: _Suffix, place_end, place_start) -> OrgMention | None:
        """The name ending at ``e`` with suffix ``suf``, read leftwards (see the module docstring)."""
        s = e - len(suf.text)
        # A quoted proper name: “爱心”理发店.
        if s > 0 and text[s - 1] in _CLOSING:
            q = s - 2
            while q >= 0 and text[q] not in _QUOTES and s - q <= _MAX_BODY:
                q -= 1
            if q >= 0 and text[q] in _OPENING and s - 1 - (q + 1) >= 2 and all(is_cjk(c) for c in text[q + 1:s - 1]):
                body = text[q + 1:s - 1]
                if self._strip_leading(body) != body or any(c in "的了是在个" for c in body) \
                        or body in self.generic_body:
                    return None   # “我们的”合作社: a quotation, not a name
                return OrgMention(q, e, body + suf.text, suf.kind, suf.text, "", None, body)
        j = s
        prefix_place = None
        hit_limit = False
        while True:
            if j in place_end:
                prefix_place = place_end[j]
                break
            if self._boundary_ending_at(text, j) and j not in place_start:
                break
            if j == 0 or not is_cjk(text[j - 1]):
                break
            if s - j >= _MAX_BODY:
                hit_limit = True
                break
            j -= 1
        if hit_limit:
            return None
        raw_body = text[j:s]
        # after a place, a registered company's name is whole (昭通|立时技术有限公司: no adverb 立时),
        # and so is a company's one-word name (河北|实达公司: no verb 实达)
        whole = prefix_place is not None and (suf.text in _LEGAL_FORMS or suf.kind == "company" and len(raw_body) <= 4
                                              and raw_body in common_words() and raw_body not in function_words())
        body = raw_body if whole else self._strip_leading(raw_body)
        j = s - len(body) if prefix_place is None else j
        if (prefix_place is None and not suf.needs_body and 3 <= len(body) <= 5 and body[-1] in "镇乡县区"
                and raw_body == body and not any(c in "的了是在个" for c in body)):
            # 五间镇|社保所 where the gazetteer has no 五间镇 in sight: an unknown place's own name
            return OrgMention(j, e, text[j:e], suf.kind, suf.text, body, None, "")
        if prefix_place is not None and len(body) != s - j:
            if body == "" or not suf.needs_body:
                return None      # 铜梁区|加快推进|扶贫车间: the place is not the name's
            prefix_place, j = None, s - len(body)
        if prefix_place is None and len(body) == 1 and body in _LEVEL_CHARS:
            return self._bare(text, j, e, s, suf)   # 区扶贫办, 市人社局, 乡卫生院
        if prefix_place is None and not body:
            if j > 0 and text[j - 1] == "、" and not suf.needs_body:
                # 区财政局、民政局: a list member; it keeps the first member's place or goes.
                return OrgMention(j, e, suf.text, suf.kind, suf.text, "", None, "", listed=True)
            return None
        if body and (body in self.generic_body or body in self.generic_pre
                     or (prefix_place is None and body in self.generic_bare)
                     or (body.endswith(SITE_SUFFIXES) and PlaceFinder.site_name(body) is None)
                     or any(body.endswith(t) for t in self.generic_tail)
                     or (suf.kind == "workshop" and any(body.endswith(t) for t in self.workshop_tail))
                     or any(body.startswith(w) for w in self.generic_pre)
                     or (len(body) <= 4 and body[0] in _NUMERAL_START
                         and body[1:2] in ("", *_NUMERAL_START, *_MEASURES))):   # 一人一厂
            return None
        if prefix_place is None and j > 0 and self._generic_before(text, j):
            return None
        if prefix_place is None and _common_only(body) and (
                suf.kind in ("company", "cooperative") or suf.text == "农场"
                or suf.kind == "workshop" and body.endswith(_TRADES)):
            return _GENERIC   # 服装|加工厂, 农业种植|合作社, 衣服加工|就业扶贫车间: a kind of business, no name
        media = suf.text in _MEDIA_SUFFIXES
        if ((suf.kind == "school" or media) and not body and prefix_place is not None
                and prefix_place[3] in ("province", "prefecture", "county", "other")
                and (media or prefix_place[3] != "other")):
            ps, pe, _, _ = prefix_place     # 贵阳|学院, 山东|大学, 贵州|日报: the place is its name
            more = []
            while ps in place_end and place_end[ps][3] in ("province", "prefecture", "other"):
                more.append((place_end[ps][0], ps))     # 中国|兰州|网
                ps = place_end[ps][0]
            return OrgMention(ps, e, text[ps:e], suf.kind, suf.text, text[ps:pe], None, "",
                              leading_place_span=(prefix_place[0], pe), more_leading=more)
        if suf.needs_body and len(body) < suf.min_body:
            return None
        if suf.needs_name and prefix_place is None:
            return None
        if not suf.needs_body and prefix_place is None:
            return None          # 坚持政府, 感谢政府: a bureau or government needs its place
        if suf.text.endswith("政府") and not body and prefix_place[3] == "other" and len(prefix_place[2]) == 1:
            return None          # 印度政府, 中国政府: a country acting (the country is the place), no record
        if suf.text == "委" and (prefix_place is None or body or prefix_place[3] not in ("province", "prefecture", "county")):
            return None
        if any(c in "的了是在个" for c in body):
            return None
        if any(w in body for w in _NAME_ENDS):
            return None   # 鑫芳生态农业发展有限公司|种植基地: the company is the name, read at its own end
        if prefix_place is None and j >= 1 and text[j - 1] == "的" and (j - 1) in place_end:
            # 坪漆村的龙灯彩扎基地扶贫车间: the place it belongs to, not part of its name
            path = place_end[j - 1][2]
            return OrgMention(j, e, text[j:e], suf.kind, suf.text, "", path, body)
        if prefix_place is not None:
            ps, pe, path, level = prefix_place
            start = ps
            prefix = text[ps:pe]
            leading = None
            if media:
                leading = (ps, pe)           # 中国|兰州网: a medium's name, not a place it is about
            elif suf.kind in ("company", "school") and body:
                if level in ("village", "group", "other"):
                    start, prefix = pe, ""   # 许集村|迪兰运动用品公司: a location, not part of the name
                elif level in ("province", "prefecture") and (ps not in place_end or place_end[ps][3] == "other"):
                    leading = (ps, pe)       # (凤凰湖工业园)重庆|隆兆机械有限公司: the place opens the name
                elif suf.kind == "school" and level in ("province", "prefecture", "county"):
                    leading = (ps, pe)       # 广西|玉林|师范大学: a school is named after its town
            if leading is not None:
                path = None   # the place is part of the name (a company's registered region), no location
            return OrgMention(start, e, text[start:e], suf.kind, suf.text, prefix, path, body,
                              leading_place_span=leading)
        return OrgMention(j, e, text[j:e], suf.kind, suf.text, "", None, body)

    def _read_agency(self, text: str, e: int, suf: _Suffix, place_end) -> OrgMention | None:
        """An office named by its place or level word, a short abbreviation of its field and a
        generic ending (凉山州|农劳|办, 镇|人社|所, 州|劳务开发|中心, 县|职教|中心). The
        abbreviation is two to four characters with no function word, and its last character
        does not make a word with the ending (举办, 场所: a verb or a noun, no office)."""
        s = e - len(suf.text)
        if text[s - 1:e] in common_words() or text[e:e + 1] in _AGENCY_NEXT:
            return None
        words = leading_words()
        for k in range(suf.min_body, 5):
            b = s - k
            body = text[b:s]
            if b < 1 or not all(is_cjk(c) for c in body) or any(c in _AGENCY_STOP for c in body):
                return None
            if any(body.startswith(w) for w in words) or body in self.generic_body:
                return None
            if b in place_end:
                ps, pe, path, _ = place_end[b]
                return OrgMention(ps, e, text[ps:e], suf.kind, suf.text, text[ps:pe], path, body)
            if text[b - 1] in _LEVEL_CHARS and text[max(b - 2, 0):b] not in common_words():
                return OrgMention(b - 1, e, text[b - 1:e], suf.kind, suf.text, text[b - 1], None, body)
        return None

    @staticmethod
    def _dateline(text: str, start: int, end: int) -> bool:
        """A news outlet cited as a source: a dateline or credit after it (中国兰州网3月10日消息),
        or a citing word before it (来源:, 据, 《)."""
        before = text[max(0, start - 3):start]
        return bool(_DATELINE.match(text, end)) or any(w in before for w in ("来源", "据", "《", "稿源"))

    def _strip_leading(self, body: str) -> str:
        """Drop verbs, adverbs and function words that open a body (大力推进|扶贫车间 -> ''),
        and a generic name the body stands in apposition to (就业扶贫车间|凯美制衣厂)."""
        words = leading_words()
        changed = True
        while body and changed:
            changed = False
            for k in range(min(4, len(body)), 0, -1):
                if (k > 1 and body[:k] in words) or body[:k] in self.boundaries:
                    body = body[k:]
                    changed = True
                    break
            head = next((t for t in _APPOSITION_HEADS if body.startswith(t) and len(body) - len(t) >= 2), None)
            if head:
                body = body[len(head):]
                changed = True
        return body

    def _bare(self, text: str, j: int, e: int, s: int, suf: _Suffix) -> OrgMention | None:
        if suf.needs_body:
            return None
        if suf.text == "委" and text[j] not in "省市区县":
            return None
        return OrgMention(j, e, text[j:e], suf.kind, suf.text, text[j], None, "")

    def _resolve_levels(self, text, found, county_at, prefecture, province, township_at) -> None:
        for m in found:
            if m.prefix not in tuple(_LEVEL_CHARS) or m.place is not None:
                continue
            clause_start = max(text.rfind(c, 0, m.start) for c in _CLAUSE_END) + 1
            clause_end = min((k for k in (text.find(c, m.end) for c in _CLAUSE_END) if k >= 0), default=len(text))
            if m.kind == "government" and any(f in text[clause_start:clause_end] for f in _FORMULA):
                m.name = ""     # 党中央、国务院和市委、市政府: the formula, not an actor
                continue
            level = m.prefix
            path = None
            if level in "区县":
                path = county_at(m.start, level)
            elif level in "镇乡":
                path = township_at(m.start, level)
            elif level == "市":
                # a county-level city the text is about (涟源市 -> 市人社局), else the prefecture
                near = county_at(m.start, "市")
                path = near if near and near[-1].endswith("市") else prefecture
            elif level == "省":
                path = province if province and province[-1].endswith("省") else None
            if path:
                m.place = path
                m.qualified = self.written(path) + m.name[1:]

    def _inherit_lists(self, text: str, found: list[OrgMention]) -> None:
        """区财政局、民政局、扶贫办: bare list members share the first member's level word."""
        i = 0
        while i < len(found) - 1:
            a, b = found[i], found[i + 1]
            if text[a.end:b.start] == "、" and not b.prefix and not b.body and a.prefix:
                b.place = a.place
                b.prefix = a.prefix
                if a.place:
                    b.qualified = self.written(a.place) + b.name
            i += 1

    def short_forms(self, forms: list[str]) -> set[str]:
        """Tails of the names that still carry a proper name and a suffix (彩扎基地 of 龙灯彩扎基地)."""
        out: set[str] = set()
        # Heads that are names themselves: 龙灯彩扎基地 of 龙灯彩扎基地扶贫车间.
        heads = [f[:k] for f in forms for k in range(4, len(f))
                 if any(s.needs_body and k - len(s.text) >= 2 for s in self._suffixes_ending_at(f, k)[:1])]
        out.update(h for h in heads if h[0] not in _LEVEL_CHARS and h not in forms)
        for form in [*forms, *heads]:
            for k in range(1, len(form) - 3):
                tail = form[k:]
                if tail[0] in _LEVEL_CHARS or tail in forms:
                    continue
                for suf in self._suffixes_ending_at(tail, len(tail)):
                    if suf.needs_body and len(tail) - len(suf.text) >= 2:
                        out.add(tail)
                    break
        return out

    # -- merging ------------------------------------------------------------------------------
    def key(self, m: OrgMention) -> tuple:
        """Identity of an organization: its place (or prefix) and its canonical name body+suffix."""
        canon = self.canonical.get(m.suffix, m.suffix)
        return (m.place or (m.prefix,), m.body, canon)


def _core(ms: list[OrgMention]) -> str:
    """The name without its place prefix (太平镇|龙灯彩扎基地)."""
    m = ms[0]
    return m.body + m.suffix


def _compatible(a, b) -> bool:
    if not a or not b:
        return True
    k = min(len(a), len(b))
    return tuple(a[:k]) == tuple(b[:k])


def _references(doc: Doc, text: str, finder: OrgFinder, merged, taken, places, counties) -> None:
    """Mentions that refer back to a named organization: 这间理发店, 该所, 区人社部门."""
    mentions = sorted(((m.start, m.end, org) for org, ms in merged for m in ms), key=lambda t: t[0])
    starts = [t[0] for t in mentions]

    def free(a: int, b: int) -> bool:
        return not any(x < b and a < y for x, y in taken)

    def add(org: Organization, ms: list, a: int, b: int) -> None:
        ms.append(OrgMention(a, b, text[a:b], org.kind, "", "", org.place, ""))
        taken.append((a, b))

    by_org = {id(org): ms for org, ms in merged}
    for det in finder.determiners:
        k = text.find(det)
        while k >= 0:
            after = k + len(det)
            k_next = text.find(det, after)
            # the nearest organization before whose name ends with what follows the determiner
            i = bisect.bisect_left(starts, k)
            for _, _, org in reversed(mentions[:i]):
                for cut in range(len(org.name) - 1, 0, -1):
                    tail = org.name[cut:]
                    if len(tail) <= 4 and text.startswith(tail, after) and tail in _REFERABLE_TAILS:
                        if free(k, after + len(tail)):
                            add(org, by_org[id(org)], k, after + len(tail))
                        break
                else:
                    continue
                break
            k = k_next
    place_end = {e: path for _, e, path, _ in places}
    for word, canon in finder.departments.items():
        k = text.find(word)
        while k >= 0:
            path = place_end.get(k)
            start = k
            if path is None and k > 0 and text[k - 1] in "区县市":
                start = k - 1
                path = next((p for s, p in reversed(counties) if s < k), None) if text[k - 1] in "区县" else None
            if path is not None:
                for org, ms in merged:
                    if tuple(org.place or ()) == tuple(path) and finder.canonical.get(ms[0].suffix, ms[0].suffix) == canon:
                        if free(start, k + len(word)):
                            add(org, ms, start, k + len(word))
                        break
            k = text.find(word, k + len(word))


def _exact(doc: Doc, span) -> tuple[int, int]:
    """The characters of a place span that name the place: spans are expanded to whole tokens
    (当庆|隆镇 -> 当庆隆镇), the place's name or alias tells which characters are its own."""
    place = doc._.kg_places.get(span._.kg_ref)
    if place is None:
        return span.start_char, span.end_char
    text = span.text
    for form in sorted({place.name, *place.aliases}, key=len, reverse=True):
        k = text.rfind(form)
        if k >= 0:
            return span.start_char + k, span.start_char + k + len(form)
    return span.start_char, span.end_char


def _kind_of(doc: Doc, path) -> str:
    p = doc._.kg_places.get(path)
    return p.level if p is not None else "other"


def add_org_records(doc: Doc, finder: OrgFinder) -> None:
    cite = SentenceEvidence(doc)
    text = cite.text
    place_spans = list(doc.spans["kg_places"])
    places = [(*_exact(doc, sp), sp._.kg_ref, _kind_of(doc, sp._.kg_ref)) for sp in place_spans]
    counties = sorted((s, path) for s, _, path, lv in places if lv == "county")
    townships = sorted((s, path) for s, _, path, lv in places if lv == "township")

    def nearest(items, pos: int, char: str):
        best = None
        for s, path in items:
            if s >= pos:
                break
            if path[-1].endswith(char) or char in "区县" and path[-1][-1] in "区县":
                best = path if path[-1].endswith(char) else best or path
        return best

    # The article's dominant prefecture/municipality and province: those above most counties.
    above: Counter = Counter()
    provinces: Counter = Counter()
    for _, path in counties:
        if len(path) >= 3:
            above[path[:2]] += 1
        elif path[0].endswith("市"):
            above[path[:1]] += 1     # a municipality's district: 重庆市 is the 市
        provinces[path[:1]] += 1
    if not counties:   # no county named: the prefecture / province the article names most
        for _, _, path, lv in places:
            if lv == "prefecture" or (lv == "province" and path[0].endswith("市")):
                above[tuple(path)] += 1
            if lv == "province" or lv == "prefecture":
                provinces[tuple(path[:1])] += 1
    total = len(counties) or sum(above.values())
    prefecture = above.most_common(1)[0][0] if above and above.most_common(1)[0][1] * 2 >= total else None
    total = len(counties) or sum(provinces.values())
    province = provinces.most_common(1)[0][0] if provinces and provinces.most_common(1)[0][1] * 2 >= total else None

    def written(path) -> str:
        place = doc._.kg_places.get(tuple(path))
        return place.name if place is not None and place.name.endswith(path[-1][-1]) else path[-1]

    finder.written = written
    mentions = finder.find(text, places, lambda pos, ch: nearest(counties, pos, ch), prefecture, province,
                           lambda pos, ch: nearest(townships, pos, ch))
    mentions += finder.proposed(text, doc._.kg_ner or (), mentions, places)
    # Group mentions into organizations.
    groups: dict[tuple, list[OrgMention]] = {}
    for m in mentions:
        groups.setdefault(finder.key(m), []).append(m)
    orgs: list[tuple[Organization, list[OrgMention]]] = []
    for ms in groups.values():
        forms = Counter((m.qualified or m.name) for m in ms)
        first = {}
        for m in sorted(ms, key=lambda m: m.start):
            first.setdefault(m.qualified or m.name, m.start)
        name = max(forms, key=lambda f: (forms[f], -first[f]))   # the most frequent form, else the first
        aliases = sorted({f for m in ms for f in (m.name, m.qualified) if f and f != name})
        orgs.append((Organization(name=name, kind=ms[0].kind, aliases=aliases, place=ms[0].place), ms))
    # A name contained in a longer one (龙灯彩扎基地 in 龙灯彩扎基地扶贫车间) is that organization.
    orgs.sort(key=lambda om: -len(om[0].name))
    merged: list[tuple[Organization, list[OrgMention]]] = []
    for org, ms in orgs:
        core = _core(ms)
        host = next((o for o in merged if len(core) >= 4 and core in o[0].name and core != o[0].name
                     and (org.kind == o[0].kind or o[0].kind == "workshop") and _compatible(org.place, o[0].place)),
                    None)
        if host is None:
            merged.append((org, ms))
            continue
        for f in (org.name, *org.aliases):
            if f != host[0].name and f not in host[0].aliases:
                host[0].aliases.append(f)
        host[1].extend(ms)
    # Short references: the tail of a name met on its own (彩扎基地 for 龙灯彩扎基地扶贫车间).
    taken = [(m.start, m.end) for _, ms in merged for m in ms]
    for org, ms in merged:
        for ref in finder.short_forms([org.name, *org.aliases]):
            k = text.find(ref)
            while k >= 0:
                if not any(a < k + len(ref) and k < b for a, b in taken):
                    ms.append(OrgMention(k, k + len(ref), ref, org.kind, "", "", org.place, ""))
                    taken.append((k, k + len(ref)))
                    if ref not in org.aliases:
                        org.aliases.append(ref)
                k = text.find(ref, k + len(ref))
    _references(doc, text, finder, merged, taken, places, counties)
    # Spans, evidence, records.
    drop_places: set[tuple[int, int]] = set()
    spans = list(doc.spans["kg_orgs"])
    for org, ms in merged:
        for m in sorted(ms, key=lambda m: m.start):
            span = cite.span(m.start, m.end)
            if span is None:
                continue
            span._.kg_ref = org.name
            spans.append(span)
            ev = cite(m.start)
            if ev not in org.evidence:
                org.evidence.append(ev)
            if m.leading_place_span:
                drop_places.add(m.leading_place_span)
                drop_places.update(m.more_leading)
            drop_places.update(_country_openings(doc, places, m.start, m.end))
        doc._.kg_orgs[org.name] = org
    doc.spans["kg_orgs"] = spans
    if drop_places:
        _drop_place_mentions(doc, place_spans, drop_places, cite)


def _country_openings(doc: Doc, places, start: int, end: int) -> list[tuple[int, int]]:
    """A country that opens an organization's name (中国|农科院, 美国|能源部, 俄罗斯|中央银行) is
    part of the name: its span there names no place of the article."""
    return [(s, e) for s, e, path, lv in places
            if s == start and e < end and lv == "other" and len(path) == 1
            and path[0] in _country_names()]


@functools.cache
def _country_names() -> frozenset[str]:
    """Countries of the place lexicon and of the short-form table (中国, 美国, 俄罗斯); not the
    macro-regions (长三角, 京津冀) nor the provinces."""
    from kg.nlp.places import read_lines  # noqa: PLC0415
    rows = [ln.split("\t") for ln in read_lines("place_lexicon.tsv")]
    out = {r[0] if r[3] == "-" else r[3] for r in rows if len(r) == 4 and r[2] == "root"}
    out |= {ln.split("\t")[1] for ln in read_lines("place_abbreviations.tsv")}
    return frozenset(n for n in out if not n.endswith(("省", "市", "区", "洲", "三角", "冀", "湾区", "地区")))


def _drop_place_mentions(doc: Doc, place_spans, drop: set[tuple[int, int]], cite: SentenceEvidence) -> None:
    """Remove place spans that only open an organization's name; drop places left unmentioned."""
    keep = [sp for sp in place_spans if _exact(doc, sp) not in drop]
    doc.spans["kg_places"] = keep
    alive: dict = {}
    for sp in keep:
        alive.setdefault(sp._.kg_ref, []).append(sp)
    for path in list(doc._.kg_places):
        if path not in alive:
            del doc._.kg_places[path]
            continue
        place = doc._.kg_places[path]
        evs = []
        for sp in alive[path]:
            ev = cite(sp.start_char)
            if ev not in evs:
                evs.append(ev)
        place.evidence = evs


@Language.factory(
    "kg_orgs",
    default_config={
        "suffixes": "org_suffixes.tsv",
        "abbreviations": "org_abbreviations.tsv",
        "generic": "org_generic.txt",
        "boundaries": "org_boundaries.txt",
        "references": "org_references.tsv",
    },
)
def make_kg_orgs(nlp: Language, name: str, suffixes: str, abbreviations: str, generic: str, boundaries: str,
                 references: str):
    """Organizations (lexicon files under kg/data); reads the places ``kg_places`` found."""
    finder = OrgFinder(suffixes, abbreviations, generic, boundaries, references)

    def kg_orgs(doc: Doc) -> Doc:
        init_doc(doc)
        add_org_records(doc, finder)
        return doc

    kg_orgs.finder = finder  # type: ignore[attr-defined]
    return kg_orgs
