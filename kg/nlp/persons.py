"""Component ``kg_persons``: named persons, their roles, relations, age, gender and short references.

Chinese person names have no capital letters and segmenters split rare ones, so names are
found from *cues* around a surname (a general surname list, compound surnames included):

* a role or relation word just before it (村民徐泉铃, 所长吴娟, 丈夫吴军, 名叫李刚伟),
* an age (36岁的村民徐泉铃), ``家住…的X``, ``像X这样``,
* a speech verb after it (黄家君说, 陈清友激动地说) or a leader's title (X总书记),
* a clause that starts with it and states a role (印向珍是首批进入车间的村民, 曾晓林，家住…),
  or (weakly, counted with repetition) any clause it opens,
* coordination with a name already found (村民李华和王秀敏).

Each cue scores the candidate; repetition, jieba's person tag and a common surname add to it, a
dictionary word (高度, 周边) or a rare surname take away. The name's length (two or three
characters; four for minority names written the same way every time) is decided by how often
each form recurs in the article and by the segmenter's token boundaries. Mentions overlapping places or organizations found earlier are not persons.
Short references (吴所长, 老李) are resolved to the one person of that surname.

The component fills ``doc._.kg_persons`` (name -> :class:`~kg.records.Person`) and the span group
``kg_persons`` (one span per mention, ``span._.kg_ref`` the full name).
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.doc import DocIndex, block_kind, init_doc
from kg.nlp.ner import dictionary_tags
from kg.nlp.places import common_words
from kg.records import Evidence, Person
from kg.resources import data_file

__all__ = ["make_kg_persons", "PersonRecognizer", "Lexicons", "load_lexicons", "Mention", "fast_evidence",
           "sentence_evidence_at", "doc_text", "THIRD_PERSON"]

_CJK = "\u4e00-\u9fff"
#: Characters that never occur inside a given name in running text (particles, admin suffixes...).
_NOT_IN_NAME = set("的了是在们这那村镇乡县区市省街组社说岁和与也就都又把被给让从对为等着过吗呢吧啊某地得")
#: Kinship titles after a surname (张大爷, 李阿姨): a way to address someone, not a given name.
_TITLE_GIVEN = ("大爷", "大妈", "大娘", "大姐", "大哥", "大叔", "大婶", "阿姨", "老汉", "师傅", "老师", "老板")
#: Characters that do not end a three-character name (function words, verbs that follow names).
_END_STOP = set("一不很还将已便则却才再并及或而以到去来上下里外后前时年月日人家等会能要想曾"
                "笑坐刚正拿每靠跟坦介表告高激开感回" "他她其我你自")
#: A name followed by one of these is a place (李家村, 黄溪镇), not a person.
_PLACE_NEXT = set("村镇乡县区市省州街路巷湖河江溪山坝湾屯寨庄沟")
#: A name does not end with a toponym character (蒋家坝, 李家屯).
_PLACE_END = set("村镇乡县区市省州街路巷坝湾屯寨庄沟垭")
#: Characters after which a name has visibly ended (储召来是, 储召来说).
_NAME_FOLLOW = "是说的，。、；！？：”"
#: Words a bare-surname reference may follow without a word boundary (托项市长, 的陈小姐).
_ADDRESS_AFTER = set("的了和与给找让请问向对把被跟同及是位名托由据称为见叫派带陪随当")
#: Surnames that before a title are far more often a verb or adverb (任组长, 代县长, 时任).
_ADDRESS_NOT_SURNAME = "任代时原向和从将把被让同"
#: A third-person pronoun for one person (他, 她; not 他们).
THIRD_PERSON = re.compile(r"[她他](?!们)")
#: The joint of a transliterated or minority name's parts (阿依努尔·赛买提, 卡洛斯·阿马特).
_DOTS = "·・•‧"
#: What a proposed name may be made of: CJK characters, with a middle dot between the parts of
#: a transliterated or minority name (阿依古丽·买买提).
_MODEL_NAME = re.compile(rf"[{_CJK}]+(?:[{_DOTS}][{_CJK}]+)*")
#: A name with at least one dot: a cue of its own.
_DOTTED = re.compile(rf"[{_CJK}]+(?:[{_DOTS}][{_CJK}]+)+")
#: What precedes a name in a photo or text credit (记者陈某某摄): a credit, not a person of the story.
_CREDIT = re.compile("记者|摄影|通讯员|编辑")


#: jieba parts of speech it gives some well-known persons' names (周恩来 t, 金正日 nz, 罗干 ns):
#: no evidence against a name the trained model proposes.
_NAME_LIKE_POS = frozenset({"t", "nz", "ns", "nt", "j"})


def _credit(text: str, start: int, end: int) -> bool:
    """True for a name in a credit run into the body text (新华社记者陈某某摄): bylines are
    neither right nor wrong, and a name cut short there (陈某|才摄) would be a wrong person."""
    return bool(_CREDIT.search(text, max(0, start - 4), start)) and "摄" in text[end:end + 3]


def fast_evidence(doc: Doc, text: str, start: int, end: int) -> Evidence:
    """Evidence for ``text[start:end]`` without its surrounding white space (through the shared
    :class:`~kg.nlp.doc.DocIndex`, so ``doc.text`` is not rebuilt per call)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return DocIndex(doc).evidence(start, end)


def doc_text(doc: Doc) -> str:
    """``doc.text``, computed once per Doc (:class:`~kg.nlp.doc.DocIndex`)."""
    return DocIndex(doc).text


def sentence_evidence_at(doc: Doc, text: str, char: int) -> Evidence | None:
    """Evidence for the sentence holding the character ``char``."""
    if not 0 <= char < len(text):
        return None
    s, e = DocIndex(doc).sentence_at(char)
    return fast_evidence(doc, text, s, e)


def _lines(name: str) -> list[str]:
    text = data_file(name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


@dataclass(frozen=True)
class Lexicons:
    """The general word lists the recogniser reads from ``kg/data``."""

    surnames: frozenset[str]
    compound_surnames: frozenset[str]
    common_surnames: frozenset[str]
    roles: dict[str, str]                           # role word -> kind
    relations: dict[str, tuple[str, str, str]]      # relation -> (relative gender, owner gender, inverse)
    speech: tuple[str, ...]
    stopnames: frozenset[str]


@functools.cache
def load_lexicons() -> Lexicons:
    """Read the person lexicons once per process."""
    sur = [w for ln in _lines("person_surnames.txt") for w in ln.split()]
    common = [w for ln in _lines("person_surnames_common.txt") for w in ln.split()]
    roles = {}
    for ln in _lines("person_roles.txt"):
        word, _, kind = ln.partition("\t")
        roles[word.strip()] = kind.strip() or "beneficiary"
    relations = {}
    for ln in _lines("person_relations.txt"):
        cols = ln.split("\t")
        cols += ["-"] * (4 - len(cols))
        relations[cols[0]] = (cols[1], cols[2], cols[3])
    return Lexicons(
        surnames=frozenset(w for w in sur if len(w) == 1),
        compound_surnames=frozenset(w for w in sur if len(w) == 2),
        common_surnames=frozenset(common),
        roles=roles,
        relations=relations,
        speech=tuple(_lines("person_cues.txt")),
        stopnames=frozenset(_lines("person_stopnames.txt")),
    )


#: Dictionary words this frequent are "common" wherever they start (given-name and prefix checks).
_FREQUENT = 1000


@functools.cache
def _jieba_lexicon() -> dict[str, tuple[int, str]]:
    """Words of jieba's dictionary the recogniser looks up: word -> (frequency, part of speech).

    Names tagged ``nr`` support a candidate, common non-name words (高度, 周边) count against
    it. Only two- to five-character words that start with a surname character, or are very
    frequent, can ever be looked up, so only those are kept. Parsing the 350k-line file is the
    slowest part of loading the pipeline, so the selection is cached (marshal) in the project
    cache, keyed by the dictionary's and the surname list's size and mtime."""
    import importlib.util
    import marshal
    import os

    from kg.nlp.segmenter import cache_dir

    spec = importlib.util.find_spec("jieba")     # only its dictionary file is needed: no import
    if spec is None or not spec.origin:  # pragma: no cover - jieba is a declared dependency
        return {}
    path = Path(spec.origin).resolve().parent / "dict.txt"
    sur = data_file("person_surnames.txt")
    key = "-".join(str(int(x)) for f in (path, sur) for x in (f.stat().st_size, f.stat().st_mtime))
    cached = cache_dir() / f"person-jieba-pos-{key}.marshal"
    try:
        return marshal.loads(cached.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        pass
    lx = load_lexicons()
    first = set(lx.surnames) | {c[0] for c in lx.compound_surnames}
    out: dict[str, tuple[int, str]] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) < 3 or not 2 <= len(parts[0]) <= 5:
                continue
            try:
                freq = int(parts[1])
            except ValueError:
                continue
            word, pos = parts[0], parts[2]
            if word[0] in first or (freq >= _FREQUENT and not pos.startswith("nr")):
                out[word] = (freq, pos)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(out))
        os.replace(tmp, cached)
    except OSError:
        pass            # a read-only cache only costs the parse next time
    return out


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@dataclass
class Mention:
    """One mention of a person in the Doc text."""

    start: int
    end: int
    name: str
    alias: str | None = None   # the short form written (吴所长), when not the full name


@dataclass
class _Cue:
    start: int
    end: int
    name: str
    kind: str
    weight: float
    role: str | None = None
    relation: str | None = None
    age: int | None = None


class PersonRecognizer:
    """The ``kg_persons`` pipeline component (see the module docstring)."""

    def __init__(self, min_score: float = 2.0, skip_blocks: tuple[str, ...] = ("caption", "byline", "headline"),
                 use_jieba: bool = True, common_word_freq: int = 3, model_weight: float = 3.0):
        self.lex = load_lexicons()
        self.min_score = min_score
        self.model_weight = model_weight
        self.skip_blocks = tuple(skip_blocks)
        self.common_word_freq = common_word_freq
        self.jieba = _jieba_lexicon() if use_jieba else {}
        self.translit = frozenset("".join(_lines("person_transliteration_chars.txt")))
        self.elements = frozenset(w for ln in _lines("person_name_elements.txt") for w in ln.split())
        lx = self.lex
        first = "".join(sorted(lx.surnames | {c[0] for c in lx.compound_surnames}))
        self._first = set(first)
        s = f"(?=[{re.escape(first)}])"
        roles_rel = _alt(list(lx.roles) + list(lx.relations))
        self.re_left = re.compile(rf"(?P<cue>{roles_rel}|名叫|叫做|名为|像){s}")
        self.re_age = re.compile(rf"(?:现年|今年)?(?P<age>\d{{1,3}})岁的(?P<role>{_alt(lx.roles)})?{s}")
        self.re_home = re.compile(rf"家住[^，。；！？\n]{{2,24}}?的{s}")
        # a list of names closed by 等 + a word for people (周光学、印向珍等人 / 等3名贫困户), not
        # by a word for places (金溪、黄溪等乡镇)
        people = _alt([r for r, k in lx.roles.items() if k == "beneficiary"] + ["人", "同志"])
        self.re_list = re.compile(rf"((?:[{_CJK}]{{2,4}}、)+[{_CJK}]{{2,4}})等(?:\d+|[一二三四五六七八九十几]+)?[名位个]?(?:{people})")
        speech = _alt(lx.speech)
        self.re_speech = re.compile(rf"(?:[{_CJK}]{{2}}地|笑着|笑了笑)?(?:{speech})")
        leaders = [r for r, k in lx.roles.items() if k == "leader"]
        self.re_leader = re.compile(_alt(leaders))
        self.re_clause = re.compile(rf"(?:^|(?<=[。！？；，“”\n的]))\s*{s}")
        self.re_is_role = re.compile(
            rf"(?:同样|也|就|都|还|曾|原)?是[^，。；！？\n]{{0,16}}(?P<role>{_alt(lx.roles)})(?=[，。；！？\n]|$)"
            rf"|，?家住|，?(?:今年|现年)\d{{1,3}}岁")
        titles = [r for r, k in lx.roles.items() if k in ("official", "occupation", "leader")]
        titles += ["大姐", "大哥", "阿姨", "大爷", "大叔", "大妈", "先生", "女士"]
        self._address_first = lx.common_surnames - set(_NOT_IN_NAME) - set(_ADDRESS_NOT_SURNAME)
        common = re.escape("".join(sorted(self._address_first)))
        kinds = dict(ln.split("\t") for ln in _lines("person_address_titles.txt"))
        self.address_titles = sorted(kinds, key=len, reverse=True)   # longest first
        formal = _alt(w for w, k in kinds.items() if k == "formal")
        self.re_address = re.compile(
            rf"(?P<s>[{common}])(?:{formal}|老(?=[说讲介绍表示认为，。、去来]))"
            rf"|[小老](?P<s2>[{common}])(?=[，。！？、”说的])")
        self.re_short = re.compile(rf"(?P<s>[{re.escape(first)}])(?P<t>{_alt(titles)})|[小老](?P<s2>[{re.escape(first)}])(?=[，。！？、”说的])")

    # -- name extent ----------------------------------------------------------------------
    def _surname_len(self, text: str, i: int) -> int:
        if text[i:i + 2] in self.lex.compound_surnames:
            return 2
        return 1 if text[i:i + 1] in self.lex.surnames else 0

    def _given_ok(self, text: str, a: int, b: int) -> bool:
        if b > len(text):
            return False
        return all("\u4e00" <= c <= "\u9fff" and c not in _NOT_IN_NAME for c in text[a:b])

    def _inside_word(self, text: str, start: int, end: int) -> bool:
        """True when the candidate and the next character(s) form a dictionary word (养老保|险)."""
        for k in (1, 2):
            info = self.jieba.get(text[start:end + k])
            if info and not info[1].startswith("nr") and info[0] >= self.common_word_freq:
                return True
        return False

    def extent(self, text: str, start: int, ctx: _DocCtx) -> int | None:
        """End offset of the name starting at ``start``, or None."""
        end = self._extent23(text, start, ctx)
        if end is not None:
            longer = self._element_end(text, start, end)
            if longer != end:
                return longer
        if end is not None and end - start == 3:
            # four-character names (minority names, 吉克阿呷): only when the longer form is how
            # the name is always written in the article
            c = text[end:end + 1]
            if (c and "\u4e00" <= c <= "\u9fff" and c not in _NOT_IN_NAME and c not in _END_STOP
                    and c not in _PLACE_END and ctx.count(text[start:end]) >= 2
                    and ctx.count(text[start:end + 1]) == ctx.count(text[start:end])):
                return end + 1
        return end

    def _element_end(self, text: str, start: int, end: int) -> int:
        """Where a Tibetan or Mongolian name ends (``kg/data/person_name_elements.txt``):
        completed when its last character opens a name word (李毛才|让), extended over a
        whole name word that follows (X|卓玛); at most six characters."""
        for k in (2, 1):
            if end - start + k <= 6 and text[end - 1:end + k] in self.elements:
                return end + k
        for k in (3, 2):
            word = text[end:end + k]
            if (end - start + k <= 6 and word in self.elements and word[0] not in _END_STOP
                    and word[0] not in _NOT_IN_NAME):
                return end + k
        return end

    def _extent23(self, text: str, start: int, ctx: _DocCtx) -> int | None:
        """End offset of a two- or three-character name (compound surnames: three or four)."""
        sl = self._surname_len(text, start)
        if not sl:
            return None
        e2, e3 = start + sl + 1, start + sl + 2
        ok2 = (self._given_ok(text, start + sl, e2) and text[e2:e2 + 1] not in _PLACE_NEXT
               and text[e2 - 1] not in _PLACE_END and not self._inside_word(text, start, e2))
        ok3 = (self._given_ok(text, start + sl, e3) and text[e3 - 1] not in _END_STOP
               and text[e3 - 1:e3 + 1] != "发自"       # 记者郝飞|发自东莞: a byline's verb
               and text[e3:e3 + 1] not in _PLACE_NEXT and text[e3 - 1] not in _PLACE_END
               and not self._inside_word(text, start, e3))
        if ok2 and ok3:
            c2, c3 = ctx.count(text[start:e2]), ctx.count(text[start:e3])
            if c3 >= 2 and 2 * c3 >= c2:
                return e3
            if c2 >= 2 and c2 > c3:
                return e2
            if e3 in ctx.token_ends or e2 not in ctx.token_ends:
                return e3
            return e2
        if ok3:
            return e3
        if ok2 and text[e3 - 1:e3] in _END_STOP and self._given_ok(text, start + sl, e3):
            # 储召|来: a third character that usually follows a name is the name's own when
            # the form recurs, every mention has it, and one mention visibly ends there (储召来是)
            n3 = ctx.count(text[start:e3])
            if n3 >= 2 and n3 == ctx.count(text[start:e2]) and re.search(
                    rf"{re.escape(text[start:e3])}[{_NAME_FOLLOW}]", ctx.text):
                return e3
        if ok2:
            return e2
        return None

    def _lookback(self, text: str, end: int, ctx: _DocCtx) -> tuple[int, int] | None:
        """A name ending at ``end`` (before a speech verb or title)."""
        for ln in (4, 3, 2):
            st = end - ln
            if st < 0:
                continue
            sl = self._surname_len(text, st)
            if not sl or ln - sl not in (1, 2) or not self._given_ok(text, st + sl, end):
                continue
            if ln == 3 and not sl == 1:
                continue
            if ln == 4 and sl != 2:
                continue
            if ln == 3 and text[end - 1] in _END_STOP:
                continue
            before = text[st - 1] if st > 0 else "。"
            if ln == 3 and "\u4e00" <= before <= "\u9fff" and st not in ctx.token_starts:
                # a CJK character before the three-character form: prefer it only when the
                # segmenter starts a token there or the form recurs
                if ctx.count(text[st:end]) < 2:
                    continue
            return st, end
        return None

    # -- cues -----------------------------------------------------------------------------
    def _cues(self, text: str, ctx: _DocCtx) -> list[_Cue]:
        cues: list[_Cue] = []
        lx = self.lex

        def add(st, kind, weight, role=None, relation=None, age=None):
            en = self.extent(text, st, ctx)
            if en is not None and ctx.free(st, en):
                cues.append(_Cue(st, en, text[st:en], kind, weight, role, relation, age))

        for m in self.re_left.finditer(text):
            cue = m.group("cue")
            if cue in lx.relations:
                add(m.end(), "relation", 2, relation=cue)
            elif cue in lx.roles:
                add(m.end(), "role", 2, role=cue)
            elif cue == "像":
                en = self.extent(text, m.end(), ctx)
                if en is not None and text.startswith("这样", en) and ctx.free(m.end(), en):
                    cues.append(_Cue(m.end(), en, text[m.end():en], "like", 2))
            else:
                before = text[max(0, m.start() - 3):m.start()]
                rel = next((r for r in lx.relations if before.endswith(r)), None)   # 儿子名叫X
                add(m.end(), "named", 3, relation=rel)
        for m in self.re_age.finditer(text):
            add(m.end(), "age", 2, role=m.group("role"), age=int(m.group("age")))
        for m in self.re_list.finditer(text):
            pos = m.start(1)
            for item in m.group(1).split("、"):
                end = pos + len(item)
                for st in (end - 3, end - 2, end - 4):     # the first item may carry a prefix (有周光学)
                    if st >= pos and text[st] in self._first and self.extent(text, st, ctx) == end \
                            and ctx.free(st, end):
                        cues.append(_Cue(st, end, text[st:end], "list", 2.5))
                        break
                pos = end + 1
        for m in self.re_home.finditer(text):
            add(m.end(), "home", 2)
        for pattern, kind, weight in ((self.re_speech, "speech", 2), (self.re_leader, "leader", 3)):
            for m in pattern.finditer(text):
                span = self._lookback(text, m.start(), ctx)
                if span and ctx.free(*span):
                    role = m.group(0) if kind == "leader" else None
                    cues.append(_Cue(span[0], span[1], text[span[0]:span[1]], kind, weight, role))
        for m in self.re_clause.finditer(text):
            st = m.end()
            en = self.extent(text, st, ctx)
            if en is None or not ctx.free(st, en):
                continue
            r = self.re_is_role.match(text, en)
            if r:
                cues.append(_Cue(st, en, text[st:en], "clause", 2, r.groupdict().get("role")))
            elif en - st == 3 and text[st:en] not in self.jieba:
                # a three-character candidate opening a clause: weak alone, counts with repetition
                cues.append(_Cue(st, en, text[st:en], "opening", 1))
        cues.extend(self._model_cues(text, ctx))
        cues.extend(self._dotted_cues(text, ctx))
        return [c for c in cues if ctx.body(c.start) and not _credit(text, c.start, c.end)]

    def _dotted_cues(self, text: str, ctx: _DocCtx) -> list[_Cue]:
        """Names whose parts are joined by a middle dot (图罕·赛麦尔, 卡洛斯·阿马特): in Chinese
        text the dot between two runs of characters joins the parts of one person's name. The
        name's outer edges are the pkuseg tokens next to the dots that are not common words
        (让|图罕·赛麦尔|感到, 村民|阿依努尔·赛买提|笑呵呵)."""
        out: list[_Cue] = []
        for m in _DOTTED.finditer(text):
            st, en = m.start(), m.end()
            first_dot = next(i for i in range(st, en) if text[i] in _DOTS)
            last_dot = max(i for i in range(st, en) if text[i] in _DOTS)
            a = self._name_edge(text, first_dot, st, leftwards=True)
            b = self._name_edge(text, last_dot + 1, en, leftwards=False)
            if first_dot - a < 1 or b - last_dot - 1 < 1 or b - a > 16:
                continue
            if text[a - 1:a] in "《“\"" or not ctx.free(a, b):
                continue   # a title (《乔布斯·传》) or over a place or organization found
            out.append(_Cue(a, b, text[a:b], "dotted", 3))
        return out

    def _name_edge(self, text: str, pos: int, limit: int, leftwards: bool) -> int:
        """From a dot at ``pos`` outwards to ``limit``: at most eight characters, no function
        character (让, 地, 说); before the first dot, none that ends a role or a common word
        (村民|阿依努尔, 秘书长|瓦尔特); after the last dot only characters that names of this kind
        are written with (``kg/data/person_transliteration_chars.txt``), since a verb follows
        (赛买提|笑呵呵)."""
        edge, words = pos, common_words()
        while edge != limit and abs(edge - pos) < 8:
            c = text[edge - 1] if leftwards else text[edge]
            if c in _NOT_IN_NAME or (c not in self.translit if not leftwards
                                     else not "\u4e00" <= c <= "\u9fff" or c in _END_STOP):
                break
            if leftwards and any(w in self.lex.roles or w in words
                                 for w in (text[max(edge - k, 0):edge] for k in (2, 3, 4, 5))):
                break   # 村民|, 秘书长|, 名叫|: a role or a common word before the name
            if not leftwards and (c in "年月日时" or any(text[edge:edge + k] in words for k in (2, 3))):
                break   # |希望, |日: a common word or a date after the name
            edge += -1 if leftwards else 1
        return edge

    def _model_cues(self, text: str, ctx: _DocCtx) -> list[_Cue]:
        """Names the trained model proposes (``doc._.kg_ner``), as cues of their own: the
        model finds names no cue announces (a leader, a name in a list, a minority or
        foreign name); the same scoring then weighs them (a dictionary word or a rare
        surname counts against, repetition for), and a span over a place or organization
        found by the grammars, or a word jieba's dictionary tags as one, is never a person."""
        out: list[_Cue] = []
        if not self.model_weight or not ctx.doc._.kg_ner:
            return out
        known = dictionary_tags()
        for start, end, label in ctx.doc._.kg_ner:
            if label != "PER":
                continue
            name = text[start:end]
            if not (2 <= len(name) <= 12) or not _MODEL_NAME.fullmatch(name):
                continue
            end = self._model_extent(text, name, end, ctx)
            name = text[start:end]
            if (not ctx.free(start, end) or any(text[start:end + k] in known for k in range(3))
                    or len(name) <= 3 and name[-1] in _NOT_IN_NAME):
                continue   # over a place or organization found, or one of jieba's (塔克拉玛干, 塔里木|盆地)
            out.append(_Cue(start, end, name, "model", self.model_weight))
        return out

    def _model_extent(self, text: str, name: str, end: int, ctx: _DocCtx) -> int:
        """Where a proposed name ends, by how the article writes it: one character shorter
        when the last one is a function character that opens a common word with the next
        (陈香|正在) or the shorter form recurs without it; one longer when every mention is followed by the same
        name character (扎西次|旺 each time)."""
        if len(name) >= 3 and name[-1] in _END_STOP:
            word = self.jieba.get(text[end - 1:end + 1])      # 陈香|正在: the last character opens a word
            if (ctx.count(name[:-1]) > ctx.count(name) or word and not word[1].startswith("nr") and word[0] >= _FREQUENT
                    or text[end + 1:end + 2] == "着"):        # 陈香|正拿着: an adverb before a verb with 着
                return end - 1
        title = next((t for t in self.address_titles if name.endswith(t) and len(name) - len(t) >= 2), "")
        if title:
            return end - len(title)                           # 王汝|大夫
        if ((len(name) >= 4 or len(name) == 3 and name[0] not in self._first) and not any(d in name for d in _DOTS)
                and self._word_at(text, end - 1)):
            return end - 1                                    # 姜天云|嫁给, 桥本|坦言: a word runs on
        longer = self._element_end(text, end - len(name), end)
        if longer != end:
            return longer
        n = ctx.count(name)
        c = text[end:end + 1]
        if self._word_at(text, end) or text[end:end + 2] in common_words():
            return end                                        # 邓小平|理论, 郝飞|发自 each time
        if (n >= 2 and c and "\u4e00" <= c <= "\u9fff" and c not in _NOT_IN_NAME and c not in _END_STOP
                and c not in _PLACE_END and c not in _PLACE_NEXT and ctx.count(name + c) == n):
            return end + 1
        return end

    def _word_at(self, text: str, i: int) -> bool:
        """A frequent two-character word of jieba's dictionary (not a name) starts at ``i``."""
        tag = self.jieba.get(text[i:i + 2])
        return bool(tag) and not tag[1].startswith("nr") and tag[0] >= _FREQUENT // 5

    def _address_surname(self, name: str) -> str | None:
        """The surname of a reference by surname and title (陈老师, 胡老, 老于), else None."""
        if name[:1] in self._address_first and (name[1:] in self.address_titles or name[1:] == "老"):
            return name[0]
        if len(name) == 2 and name[0] in "小老" and name[1] in self._address_first:
            return name[1]
        return None

    def _score(self, name: str, cues: list[_Cue], ctx: _DocCtx) -> float:
        if name in self.lex.stopnames or name.endswith(_TITLE_GIVEN):
            return float("-inf")
        kinds = Counter(c.kind for c in cues)
        score = sum(max(c.weight for c in cues if c.kind == k) + 0.5 * min(n - 1, 2) for k, n in kinds.items())
        sl = 2 if name[:2] in self.lex.compound_surnames else 1
        if name[:sl] not in self.lex.common_surnames:
            score -= 1
        info = self.jieba.get(name)
        if info:
            freq, tag = info
            if tag.startswith("nr"):
                score += 1
            elif freq >= self.common_word_freq and not (tag in _NAME_LIKE_POS and "model" in kinds):
                score -= 3   # a common word; but jieba tags some famous names t, nz, ns (周恩来 t)
        if len(name) - sl == 2:
            pinfo = self.jieba.get(name[:sl + 1])     # 高兴|地: the name's start is a common word
            if pinfo and not pinfo[1].startswith("nr") and pinfo[0] >= _FREQUENT:
                score -= 1
        given = name[sl:]
        ginfo = self.jieba.get(given) if len(given) > 1 else None
        if ginfo and not ginfo[1].startswith("nr") and ginfo[0] >= _FREQUENT:
            score -= 0.5
        if ctx.count(name) >= 3:
            score += 1
        return score

    # -- the component --------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        init_doc(doc)
        text = doc_text(doc)
        ctx = _DocCtx(doc, self.skip_blocks, text)
        cues = self._cues(text, ctx)
        by_name: dict[str, list[_Cue]] = defaultdict(list)
        for c in cues:
            by_name[c.name].append(c)
        accepted = {n for n, cs in by_name.items() if self._score(n, cs, ctx) >= self.min_score}
        # coordination: 村民李华和王秀敏 -> the second name shares the first one's cue
        if accepted:
            for m in re.finditer(rf"(?:{_alt(accepted)})[和与、及](?=[{re.escape(''.join(self._first))}])", text):
                st = m.end()
                en = self.extent(text, st, ctx)
                if (en is None or not ctx.free(st, en) or not ctx.body(st)
                        or any(c.kind == "coord" for c in by_name.get(text[st:en], ()))):
                    continue   # a name already accepted (by the model) still takes the shared role
                first = text[m.start():m.end() - 1]
                role = next((c.role for c in by_name.get(first, []) if c.role), None)
                by_name[text[st:en]].append(_Cue(st, en, text[st:en], "coord", 2, role))
            accepted |= {n for n, cs in by_name.items()
                         if any(c.kind == "coord" for c in cs) and self._score(n, cs, ctx) >= self.min_score}
        # 阿依努尔 beside 阿依努尔·赛买提: the first part alone is the same person
        firsts = {re.split(f"[{_DOTS}]", n)[0]: n for n in accepted if any(d in n for d in _DOTS)}
        accepted -= set(firsts)
        # a two-character name that is only the prefix of an accepted three-character one
        accepted = {n for n in accepted
                    if not any(o != n and o.startswith(n) and ctx.count(o) == ctx.count(n) for o in accepted)}
        scores = {n: self._score(n, by_name[n], ctx) for n in accepted}
        mentions = self._mentions(text, scores, ctx)
        accepted = {m.name for m in mentions}
        persons = self._records(doc, accepted, by_name, mentions)
        self._short_refs(doc, text, persons, mentions, ctx)
        self._first_parts(text, firsts, persons, mentions, ctx)
        self._surname_refs(doc, text, persons, mentions, ctx)
        mentions.sort(key=lambda m: m.start)
        spans = []
        for m in mentions:
            sp = doc.char_span(m.start, m.end, alignment_mode="expand")
            if sp is not None:
                sp._.kg_ref = m.name
                spans.append(sp)
        doc.spans["kg_persons"] = spans
        doc._.kg_persons.update(persons)
        return doc

    def _mentions(self, text: str, scores: dict[str, float], ctx: _DocCtx) -> list[Mention]:
        """Every occurrence of the accepted names; where two overlap (工作人员向冉俊松: 向冉俊 /
        冉俊松) the better-supported name keeps the characters."""
        found = []
        for name, sc in scores.items():
            i = text.find(name)
            while i >= 0:
                if ctx.free(i, i + len(name)) and text[i + len(name):i + len(name) + 1] not in _PLACE_NEXT:
                    found.append((-sc, -len(name), i, name))
                i = text.find(name, i + 1)
        found.sort()
        occupied = bytearray(len(text) + 1)
        out = []
        for _, _, i, name in found:
            if any(occupied[i:i + len(name)]):
                continue
            occupied[i:i + len(name)] = b"\x01" * len(name)
            out.append(Mention(i, i + len(name), name))
        out.sort(key=lambda m: m.start)
        return out

    def _records(self, doc: Doc, names: set[str], by_name, mentions: list[Mention]) -> dict[str, Person]:
        text = doc_text(doc)
        persons: dict[str, Person] = {}
        first: dict[str, int] = {}
        for m in mentions:
            first.setdefault(m.name, m.start)
        for name in sorted(names, key=lambda n: first.get(n, 0)):
            p = Person(name=name)
            for c in sorted(by_name[name], key=lambda c: c.start):
                if c.role and c.role not in p.roles:
                    p.roles.append(c.role)
                if c.age is not None and p.age is None:
                    p.age = c.age
            if p.age is None:
                for m in mentions:
                    if m.name == name:
                        a = re.match(r"，?(?:今年|现年)(\d{1,3})岁", text[m.end:m.end + 8])
                        if a:
                            p.age = int(a.group(1))
                            break
            ms = [m for m in mentions if m.name == name]
            seen = set()
            for m in ms[:3]:
                ev = sentence_evidence_at(doc, text, m.start)
                if ev is not None and (ev.start, ev.end) not in seen:
                    seen.add((ev.start, ev.end))
                    p.evidence.append(ev)
            persons[name] = p
        # relations: 丈夫吴军 belongs to the person named just before (X的丈夫Y, or the story's person)
        for name, cs in by_name.items():
            if name not in persons:
                continue
            for c in cs:
                if not c.relation:
                    continue
                owner = self._owner(text, text.rfind(c.relation, 0, c.start), mentions, name)
                rel_gender, owner_gender, inverse = self.lex.relations[c.relation]
                if rel_gender in ("male", "female") and persons[name].gender is None:
                    persons[name].gender = rel_gender
                if owner and owner in persons:
                    op = persons[owner]
                    if (c.relation, name) not in op.relations:
                        op.relations.append((c.relation, name))
                    if inverse != "-" and (inverse, owner) not in persons[name].relations:
                        persons[name].relations.append((inverse, owner))
                    if owner_gender in ("male", "female") and op.gender is None:
                        op.gender = owner_gender
        self._pronoun_gender(text, persons, mentions)
        return persons

    def _owner(self, text: str, rel_start: int, mentions: list[Mention], relative: str) -> str | None:
        """Whose relative is named at ``rel_start``: ``X的丈夫`` or the last person named before it
        in the paragraph (or the paragraph before)."""
        para_start = text.rfind("\n", 0, max(0, text.rfind("\n", 0, rel_start)))
        best = None
        for m in mentions:
            if m.end > rel_start:
                break
            if m.name != relative and m.start > para_start:
                best = m.name
        return best

    def _pronoun_gender(self, text: str, persons: dict[str, Person], mentions: list[Mention]) -> None:
        votes: dict[str, Counter] = defaultdict(Counter)
        idx = 0
        last = None
        for pm in THIRD_PERSON.finditer(text):
            while idx < len(mentions) and mentions[idx].start < pm.start():
                last = mentions[idx]
                idx += 1
            if last is None or "\n\n" in text[last.end:pm.start()] or pm.start() - last.end > 200:
                continue
            votes[last.name]["female" if pm.group(0) == "她" else "male"] += 1
        for name, v in votes.items():
            p = persons.get(name)
            if p is not None and p.gender is None and v:
                (g, n), *rest = v.most_common()
                if not rest or n > rest[0][1]:
                    p.gender = g

    @staticmethod
    def _first_parts(text: str, firsts: dict[str, str], persons: dict[str, Person], mentions: list[Mention],
                     ctx: _DocCtx) -> None:
        """Mentions of a dotted name's first part alone (图罕 for 图罕·赛麦尔), as its alias."""
        taken = [(m.start, m.end) for m in mentions]
        for first, full in firsts.items():
            if full not in persons or len(first) < 2:
                continue
            for m in re.finditer(re.escape(first), text):
                st, en = m.span()
                if text[en:en + 1] in _DOTS or any(a < en and st < b for a, b in taken) or not ctx.free(st, en):
                    continue
                if first not in persons[full].aliases:
                    persons[full].aliases.append(first)
                mentions.append(Mention(st, en, full, first))

    def _short_refs(self, doc: Doc, text: str, persons: dict[str, Person], mentions: list[Mention],
                    ctx: _DocCtx) -> None:
        if not persons:
            return
        by_surname: dict[str, list[str]] = defaultdict(list)
        for name in persons:
            sl = 2 if name[:2] in self.lex.compound_surnames else 1
            by_surname[name[:sl]].append(name)
        taken = [(m.start, m.end) for m in mentions]
        for m in self.re_short.finditer(text):
            s = m.group("s") or m.group("s2")
            st, en = m.start(), m.end()
            if any(a < en and st < b for a, b in taken) or not ctx.free(st, en) or not ctx.body(st):
                continue
            cands = by_surname.get(s, [])
            if m.group("t") and len(cands) > 1:
                cands = [c for c in cands if m.group("t") in persons[c].roles] or cands
            if len(cands) != 1:
                continue
            full = cands[0]
            alias = m.group(0)
            if alias not in persons[full].aliases:
                persons[full].aliases.append(alias)
            mentions.append(Mention(st, en, full, alias))

    def _surname_refs(self, doc: Doc, text: str, persons: dict[str, Person], mentions: list[Mention],
                      ctx: _DocCtx) -> None:
        """A person named only by surname and formal title (陈老师, 汤局长说, 老于的女儿) when the
        article gives no full name with that surname: a person of its own, labelled as written,
        with the bare surname as its alias. All such references with one surname are one person."""
        known = set()
        for name, p in persons.items():
            sur = self._address_surname(name)
            if sur is None:
                known.add(name[:1])
            elif sur not in p.aliases:
                p.aliases.append(sur)         # 唐外长 proposed by the model, 胡老 by a speech cue
        starts = {t.idx for t in doc}
        taken = [(m.start, m.end) for m in mentions]
        found: dict[str, Person] = {}
        for m in self.re_address.finditer(text):
            s = m.group("s") or m.group("s2")
            st, en = m.span()
            if (s in known or st not in starts or any(a < en and st < b for a, b in taken)
                    or not ctx.free(st, en) or not ctx.body(st) or _credit(text, st, en)):
                continue
            prev = text[st - 1:st]
            if "\u4e00" <= prev <= "\u9fff" and prev not in _ADDRESS_AFTER:
                tok = doc.char_span(st - 1, st, alignment_mode="expand")
                if tok is None or len(tok.text) < 2:
                    continue    # 家明老师: the surname-like character ends a name or word
            alias = m.group(0)
            if m.group("s2") and self.jieba.get(alias, (0, "nr"))[1][:2] != "nr":
                continue    # 老师, 小时: a word, not 老于
            p = found.get(s)
            if p is None:
                p = found[s] = persons[alias] = Person(name=alias, aliases=[s])
                ev = sentence_evidence_at(doc, text, st)
                if ev is not None:
                    p.evidence.append(ev)
            elif alias not in p.aliases and alias != p.name:
                p.aliases.append(alias)
            mentions.append(Mention(st, en, p.name, alias))
            taken.append((st, en))


class _DocCtx:
    """Per-Doc helpers: counts of strings, token boundaries, spans taken by places/orgs, blocks."""

    def __init__(self, doc: Doc, skip_blocks: tuple[str, ...], text: str | None = None):
        self.doc = doc
        self.text = doc.text if text is None else text
        self._counts: dict[str, int] = {}
        index = DocIndex(doc)
        self.token_starts = set(index.starts)
        self.token_ends = set(index.ends)
        taken = []
        for group in ("kg_places", "kg_orgs"):
            if group in doc.spans:
                taken.extend((s.start_char, s.end_char) for s in doc.spans[group])
        self.taken = sorted(taken)
        self.skip_blocks = skip_blocks

    def count(self, s: str) -> int:
        c = self._counts.get(s)
        if c is None:
            c = self._counts[s] = self.text.count(s)
        return c

    def free(self, start: int, end: int) -> bool:
        """True when no place or organization mention overlaps ``[start, end)``."""
        for a, b in self.taken:
            if a >= end:
                break
            if b > start:
                return False
        return True

    def body(self, char: int) -> bool:
        return block_kind(self.doc, char) not in self.skip_blocks


@Language.factory(
    "kg_persons",
    default_config={"min_score": 2.0, "skip_blocks": ["caption", "byline", "headline"], "use_jieba": True,
                    "common_word_freq": 3, "model_weight": 3.0},
)
def make_kg_persons(nlp: Language, name: str, min_score: float, skip_blocks: list[str], use_jieba: bool,
                    common_word_freq: int, model_weight: float) -> PersonRecognizer:
    """Build the person recogniser (lexicons from ``kg/data/person_*.txt``; ``model_weight``
    is what a name proposed by ``kg_ner`` scores, 0 to ignore the model)."""
    return PersonRecognizer(min_score=min_score, skip_blocks=tuple(skip_blocks), use_jieba=use_jieba,
                            common_word_freq=common_word_freq, model_weight=model_weight)
