"""Component ``kg_cases``: one :class:`~kg.records.Case` per named person who takes part in a program.

A case is a person's participation story: which programs, where the person lives or works,
which employer or organiser, what the person earns (before and after). Stories run over
several sentences and paragraphs and refer to the person as 她/他/其, so the component
walks the body sentences in order and keeps the *current story subject*:

* a named person introduced in a sentence (贫困户李正福, 36岁的村民徐泉铃, X是…的村民)
  becomes the subject; a relative named inside another's story (丈夫吴军) does not;
* a sentence without a name continues the subject's story; a new paragraph continues it only
  when it refers back (她/他, a quote); an unnamed official's statement (…负责人介绍) or a
  non-body block ends it;
* each fact of a sentence (program, income, organisation, place, participation word) goes to
  the person named nearest before it in the sentence (after it when none is before: quotes
  end with ``…”X说``), else to the subject; ``她丈夫`` sends it to the subject's husband;
  facts nearest to an official (所长吴娟, 村支书熊达友) are nobody's.

Persons joined by 和/与/、 (村民李华和王秀敏) share the facts of their sentence. A quote whose
speaker is an official (…”相关负责人介绍, …”村支书熊达友说) and a sentence opening with
据了解/据统计… are not part of anyone's story.

A person becomes a case when the facts attached to them show participation: a program
mention or a strong participation word (培训, 公益性岗位, 创业, 养老保险…) not negated
(无法外出务工), or an income. Officials and national leaders who only speak or organise,
and names in bylines and captions, never get a case.

Places: the most specific place of the clause that introduces the person (XX村村民X,
X，家住…), else a relative's home (through Person.relations), else the home of someone named
beside them when they enter, else the place of their program, else the nearest local place
named just before the story; plus every place the story says they work at (在上海市…打工).
Working far from home (another province) with no program named (or only training received there) is a
labour-transfer story: the component adds a ``外出务工`` program (LaborCooperation) for it. A returnee who sets up a
factory (务工回来，…建设服装加工厂) runs a business of their own (Entrepreneurship); bureaus that send
a group to work (…安排…集中送他们去上班) organise the case of each person named in the group
just after. Organisations of unknown kind (news outlets, landmarks) and schools a person only
studied at (毕业于…) are not case organisations; an income from one's own farm alone is no case.
A name that never acts as a person (乌龙茶、白茶等, 一首弗朗明戈风格的乐曲, 王府刺绣) gets no case; the
employer's head on each worker's wage (负责人X介绍，…每人每月工资6000元) right after a worker's story is
that worker's wage; programs for the poor told between two parts of a poor person's story (旗里…为贫困户
…举办刺绣培训班), with nobody else's story in between, are that person's too.
The word lists are in ``kg/data/case_triggers.txt`` and ``kg/data/case_lexicon.txt``.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.doc import DocIndex, init_doc
from kg.nlp.persons import THIRD_PERSON, doc_text, fast_evidence, load_lexicons
from kg.records import ADMIN_LEVELS, Case, Evidence, Income, Program
from kg.resources import data_file

__all__ = ["make_kg_cases", "CaseAssembler", "CaseLexicon", "load_case_lexicon"]

_PRONOUN = re.compile(r"[她他其](?!们|他|中|实|次|余)")
_SPEECH = re.compile(r"(?:[\u4e00-\u9fff]{0,3}地|笑着)?(?:说|表示|介绍|坦言|指出|强调|告诉)")
#: a place after these is where the person used to work (曾在广东打工多年)
#: Categories of support received rather than work: a story with only these may still tell of a job.
_SUPPORT = frozenset({"Subsidy", "SocialInsurance"})
_PAST = re.compile(r"曾经?|以前|过去|原来|此前|早年|之前")
_NOW = re.compile(r"如今|现在|目前|眼下|今年|后来|随后|此后")
#: a sentence opening with a scene: 在…， / 在…里，
_SCENE = re.compile(r"\s*在[^，,。；;！？!?]{2,30}?(?:里|内|上|中|旁|前|)[，,]")
#: a clause before the person's that sets a scene without 在 (千里之外，广东省中山市…生产车间内，来自…的X)
_SCENE_CLAUSE = re.compile(r"[^，,。；;！？!?]{2,40}?(?:里|内|中)\s*[，,]")
#: organisations sending a group to work (…人社局、县扶贫办专门安排了两辆大客，集中送他们去上班)
_GROUP_TRANSFER = re.compile(r"(?:安排|组织|输送|护送|送|带领|带)[^。；;！？!?]{0,20}?"
                             r"(?:他们|她们|大家|务工人员|劳动力|贫困户|群众)[^。；;！？!?]{0,8}?(?:上班|务工|就业|打工|上岗)")
#: a story opening inside a workplace already described (在车间另一头，…): its employer is the one named before
_DEFINITE_WORKPLACE = re.compile(r"车间|厂房|厂里|生产线|流水线")
#: a name listed among things (生产乌龙茶、白茶等，): a 、-list closed by 等 and a clause end
_THING_LIST = re.compile(r"(?:[、,，][\u4e00-\u9fff·]{1,8})*等(?:[，,。；;）)]|$)")
#: a name used as a kind of thing: a classifier before it (一首X风格的乐曲) or a style word after it
_THING_BEFORE = re.compile(r"[一两几每这那][首种款件幅份支曲段]$")
_THING_AFTER = re.compile(r"风格|風格|式的|牌的|品牌|风味|風味|流派|系列")
#: a per-head figure (农牧民每人每月工资6000元)
_PER_HEAD = re.compile(r"每人|每名|每位")
#: a program for a group of people (为贫困户发放…, 让贫困户通过…) and the roles of its members
_GROUP_TARGET = re.compile(r"[为让给帮助带动组织][^，,。；;]{0,4}(?:贫困户|脱贫户|贫困群众|贫困人口|建档立卡户)")
_GROUP_ROLES = frozenset({"贫困户", "脱贫户", "建档立卡贫困户", "建档立卡户", "贫困群众"})
_CLAUSE_END = "，,。；;！？!?：:\n"   # real articles often use ASCII punctuation
#: how specific a place level is (smaller is more specific); named local places count as villages
_SPECIFICITY = {lvl: i for i, lvl in enumerate(reversed(ADMIN_LEVELS))}
_SPECIFICITY["other"] = _SPECIFICITY["village"]


def _sections(name: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    cur = None
    for ln in data_file(name).read_text(encoding="utf-8").splitlines():
        ln = ln.strip()
        if not ln or ln.startswith("#"):
            continue
        if ln.startswith("[") and ln.endswith("]"):
            cur = ln[1:-1]
            continue
        if cur:
            out[cur].append(ln)
    return out


@dataclass(frozen=True)
class CaseLexicon:
    strong: tuple[str, ...]
    weak: tuple[str, ...]
    negation: tuple[str, ...]
    not_income: tuple[str, ...]
    work: tuple[str, ...]
    home: tuple[str, ...]
    speaker: tuple[str, ...]
    general: tuple[str, ...]
    migrant: tuple[str, ...]
    aggregate: tuple[str, ...]
    own_business: tuple[str, ...]
    out: tuple[str, ...]
    studied: tuple[str, ...] = ()
    returned: tuple[str, ...] = ()
    founded: tuple[str, ...] = ()
    self_employed: tuple[str, ...] = ()
    cited: tuple[str, ...] = ()


@functools.cache
def load_case_lexicon() -> CaseLexicon:
    strong, weak = [], []
    for ln in data_file("case_triggers.txt").read_text(encoding="utf-8").splitlines():
        if not ln.strip() or ln.startswith("#"):
            continue
        word, _, kind = ln.partition("\t")
        (weak if kind.strip() == "weak" else strong).append(word.strip())
    s = _sections("case_lexicon.txt")
    return CaseLexicon(tuple(strong), tuple(weak), tuple(s["negation"]), tuple(s["not_income"]),
                       tuple(s["work"]), tuple(s["home"]), tuple(s["speaker"]), tuple(s["general"]),
                       tuple(s["migrant"]), tuple(s["aggregate"]), tuple(s["own_business"]),
                       tuple(s["out"]), tuple(s["studied"]), tuple(s["returned"]), tuple(s["founded"]),
                       tuple(s["self_employed"]), tuple(s["cited"]))


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@dataclass
class _Mention:
    start: int
    end: int
    name: str
    actor: bool          # can be the one facts are about (not an official, not X的母亲 / 像X这样)
    relative: bool       # named as someone's relative (丈夫吴军)
    intro: bool          # introduced with a role, age or place right before it
    speaker: bool = False  # followed by a speech verb (熊达友说): what follows in the sentence is theirs


@dataclass
class _Fact:
    start: int
    end: int
    kind: str            # program, income, org, place, strong, weak
    ref: object
    sent: int
    negated: bool = False
    official: bool = False   # the organisation of an official acting here (吴娟还帮助…郭满元…)


@dataclass
class _Story:
    name: str
    facts: list[_Fact] = field(default_factory=list)
    sents: list[int] = field(default_factory=list)
    intro_places: list[tuple] = field(default_factory=list)
    intro_work: list[tuple] = field(default_factory=list)
    co: list[str] = field(default_factory=list)       # others named in the sentence that introduces them


class CaseAssembler:
    """The ``kg_cases`` pipeline component (see the module docstring)."""

    def __init__(self, skip_blocks: tuple[str, ...] = ("caption", "byline", "headline"), lookback_sents: int = 4,
                 employer_kinds: tuple[str, ...] = ("company", "workshop", "cooperative")):
        self.lex = load_case_lexicon()
        self.plex = load_lexicons()
        self.skip_blocks = tuple(skip_blocks)
        self.lookback_sents = lookback_sents
        self.re_strong = re.compile(_alt(self.lex.strong))
        self.re_weak = re.compile(_alt(self.lex.weak))
        self.re_speaker = re.compile(rf"(?:{_alt(self.lex.speaker)})(?:[\u4e00-\u9fff]{{0,2}}地)?(?:介绍|表示|说|认为|指出)")
        self.re_rel_pron = re.compile(rf"[她他其](?:的)?(?P<rel>{_alt(self.plex.relations)})")
        roles = [r for r in self.plex.roles]
        self.re_intro_before = re.compile(rf"(?:{_alt(roles)}|\d{{1,3}}岁的|名叫|家住[^，,。]{{0,24}}的)$")
        # 曲尼一家还住在…, 艾美玲在家乡福建建宁县…
        self.re_home_after = re.compile(rf"[，,]?(?:一家人?|全家|夫妻|夫妇)?(?:还|原来|原先|以前|曾经?|都|也)?"
                                        rf"(?:{_alt(self.lex.home)})")
        self.re_work = re.compile(_alt(self.lex.work))
        rels = _alt(self.plex.relations)
        self.re_possessive = re.compile(rf"的(?:{rels})")
        self.re_rel_coord = re.compile(rf"[和与跟及](?P<rel>{rels})")
        self.re_coord_gap = re.compile(rf"[和与、及跟](?:{rels})?")
        self.re_relation_end = re.compile(rf"(?P<pron>[她他其]的?)?(?:{rels})$")
        self.re_role_only = re.compile(rf"(?:{_alt(roles)})?")
        self.org_kinds = frozenset(employer_kinds)
        # any-of-these-words tests as one regex search each (None: an empty list matches nothing)
        self.re_negation = re.compile(_alt(self.lex.negation)) if self.lex.negation else None
        self.re_not_income = re.compile(_alt(self.lex.not_income)) if self.lex.not_income else None
        self.re_studied = re.compile(_alt(self.lex.studied)) if self.lex.studied else None
        self.re_cited = re.compile(rf"(?:{_alt(self.lex.cited)})") if self.lex.cited else None
        self.re_self_employed = re.compile(_alt(self.lex.self_employed)) if self.lex.self_employed else None
        self.re_returned = re.compile(_alt(self.lex.returned)) if self.lex.returned else None
        self.re_founded = re.compile(rf"(?:{_alt(self.lex.founded)})[^，,。；;！？!?]{{0,8}}?(?:厂|车间|公司|合作社|基地|工坊|作坊|店)"
                                     ) if self.lex.founded else None

    # -- helpers --------------------------------------------------------------------------
    def _person_kind(self, person) -> str:
        kinds = {self.plex.roles.get(r, "beneficiary") for r in person.roles}
        if "beneficiary" in kinds or "occupation" in kinds or not kinds:
            return "person"
        return "leader" if "leader" in kinds else "official"

    def _things(self, text: str, persons, mentions: list[_Mention]) -> set[str]:
        """Names that never act as a person in the text: no role, age or relative, never introduced by a role
        or age, never speaking, and every mention an item of a list of things (生产乌龙茶、白茶等，), a kind of
        thing (一首弗朗明戈风格的乐曲) or mostly the first part of the same compound (王府刺绣 ×4, 王府世袭)."""
        by_name: dict[str, list[_Mention]] = defaultdict(list)
        for m in mentions:
            by_name[m.name].append(m)
        out: set[str] = set()
        for name, ms in by_name.items():
            p = persons[name]
            if p.roles or p.age or p.relations or any(
                    m.speaker or m.relative or self.re_intro_before.search(text, max(0, m.start - 12), m.start)
                    for m in ms):    # a place before the name (科右中旗王府) is no introduction here
                continue
            nexts = Counter(text[m.end:m.end + 2] for m in ms)
            word, n = nexts.most_common(1)[0]
            compound = n >= 2 and 3 * n >= 2 * len(ms) and len(word) == 2 and all(
                "\u4e00" <= c <= "\u9fff" for c in word)
            if compound or all(_THING_LIST.match(text, m.end) or _THING_BEFORE.search(text, max(0, m.start - 2), m.start)
                               or _THING_AFTER.match(text, m.end) for m in ms):
                out.add(name)
        return out

    def _negated(self, text: str, start: int) -> bool:
        """A negation word in the six characters before ``start`` (无法外出务工)."""
        return self.re_negation is not None and self.re_negation.search(text, max(0, start - 6), start) is not None

    @staticmethod
    def _former(text: str, start: int) -> bool:
        """A word for the past governs ``start`` (以前我在杭州一家电子厂打工; 以前当地村民…，只能
        常年外出打工): the person's life before, not what the story reports. It governs from
        where it stands to the end of its sentence, unless a word for now follows (以前…，如今…)."""
        sent = max(text.rfind(c, 0, start) for c in "。；！？\n") + 1
        past = [m.end() for m in _PAST.finditer(text, sent, start)]
        return bool(past) and _NOW.search(text, past[-1], start) is None

    def __call__(self, doc: Doc) -> Doc:
        init_doc(doc)
        text = doc_text(doc)
        persons = doc._.kg_persons or {}
        bounds = list(DocIndex(doc).sentences)
        starts = [b[0] for b in bounds]

        def sent_of(char: int) -> int:
            return max(0, bisect.bisect_right(starts, char) - 1)

        newlines = [m.start() for m in re.finditer("\n", text)]

        def para_of(char: int) -> int:
            return bisect.bisect_right(newlines, char)

        # every mention as a plain (start_char, end_char, kg_ref) tuple, read once per group
        # (iterating a SpanGroup builds a Span and its Tokens per mention, on every pass)
        plist = _span_tuples(doc, "kg_places")
        org_list = _span_tuples(doc, "kg_orgs")
        place_ends = {e: r for _s, e, r in plist}
        # mentions
        kinds = {n: self._person_kind(p) for n, p in persons.items()}
        mentions: list[_Mention] = []
        for sp_start, sp_end, name in _span_tuples(doc, "kg_persons"):
            if name not in persons:
                continue
            st, en = self._name_bounds(text, sp_start, sp_end, name, persons[name].aliases)
            after = text[en:en + 4]
            before = text[max(0, st - 12):st]
            possessive = bool(self.re_possessive.match(after))          # 李刚伟的母亲
            likeness = before.endswith("像") and after.startswith("这样")    # 像陈淑香这样
            rel = self.re_relation_end.search(before)
            # 丈夫吴军 is a relative inside someone's story; 她的丈夫李强 opens a story about him
            relative = bool(rel) and not rel.group("pron")
            intro = bool(self.re_intro_before.search(before)) or bool(
                place_ends.get(st) or place_ends.get(st - 1)) or bool(self.re_home_after.match(text, en))
            actor = kinds.get(name) == "person" and not possessive and not likeness
            speaker = bool(_SPEECH.match(text, en))
            mentions.append(_Mention(st, en, name, actor, relative, intro, speaker))
        mentions.sort(key=lambda m: m.start)
        for name in self._things(text, persons, mentions):
            kinds[name] = "thing"
            for m in mentions:
                if m.name == name:
                    m.actor = False

        # facts
        facts: list[_Fact] = []
        for sp_start, sp_end, ref in _span_tuples(doc, "kg_programs"):
            facts.append(_Fact(sp_start, sp_end, "program", ref, sent_of(sp_start), self._negated(text, sp_start)))
        incomes = doc._.kg_incomes or []
        for sp_start, sp_end, ref in _span_tuples(doc, "kg_incomes"):
            if isinstance(ref, int) and 0 <= ref < len(incomes):
                if self.re_not_income is not None and self.re_not_income.search(
                        text, max(0, sp_start - 8), sp_start):
                    continue
                facts.append(_Fact(sp_start, sp_end, "income", ref, sent_of(sp_start)))
        for group_list, kind in ((org_list, "org"), (plist, "place")):
            for sp_start, sp_end, ref in group_list:
                facts.append(_Fact(sp_start, sp_end, kind, ref, sent_of(sp_start)))
        # an official's organisation (五间镇社保所所长吴娟): where the official acts in someone's
        # story (在吴娟的鼓励下, 吴娟还帮助…郭满元申报…), that organisation is the organiser
        affiliation: dict[str, str] = {}
        for m in mentions:
            if kinds.get(m.name) == "official" and m.name not in affiliation:
                for _os, oe, ref in org_list:
                    if 0 <= m.start - oe <= 6 and self.re_role_only.fullmatch(text[oe:m.start]):
                        affiliation[m.name] = ref
        for m in mentions:
            if m.name in affiliation and not m.speaker:
                facts.append(_Fact(m.start, m.end, "org", affiliation[m.name], sent_of(m.start), official=True))
        for rx, kind in ((self.re_strong, "strong"), (self.re_weak, "weak")):
            for m in rx.finditer(text):
                facts.append(_Fact(m.start(), m.end(), kind, m.group(0), sent_of(m.start()),
                                   self._negated(text, m.start())))
        facts.sort(key=lambda f: f.start)

        stories: dict[str, _Story] = {}
        by_sent_m: dict[int, list[_Mention]] = defaultdict(list)
        for m in mentions:
            by_sent_m[sent_of(m.start)].append(m)
        by_sent_f: dict[int, list[_Fact]] = defaultdict(list)
        for f in facts:
            by_sent_f[f.sent].append(f)

        official_quotes = self._official_quotes(text, mentions)
        actor_quotes = self._actor_quotes(text, mentions)
        place_starts = {ps for ps, _pe, _r in plist} | {os_ for os_, _oe, _r in org_list}

        def para_end(char: int) -> int:
            i = bisect.bisect_right(newlines, char)
            return newlines[i] if i < len(newlines) else len(text)
        blocks = doc._.kg_blocks or ()
        current: str | None = None
        orphans: list[_Fact] = []      # programs nobody is named for, in sentences naming nobody
        recent: list[str] = []
        last_para = -1
        for si, (ss, se) in enumerate(bounds):
            stext = text[ss:se]
            if not stext.strip():
                continue
            if _block_kind(blocks, ss) in self.skip_blocks:
                current = None
                continue
            para = para_of(ss + len(stext) - len(stext.lstrip()))
            ms = by_sent_m.get(si, [])
            new_para = para != last_para
            last_para = para
            before_para = current       # the subject before a paragraph break resets it
            if new_para and current is not None and not any(m.actor for m in ms):
                lead = stext.lstrip()
                k = ss - 1      # the last character before the paragraph that is not white space
                while k >= 0 and text[k].isspace():
                    k -= 1
                broken = k >= 0 and text[k] not in "。！？；.!?;”」\"）)…"
                if not (broken or lead.startswith(("“", "\"", "「")) or _PRONOUN.search(stext[:40])
                        or self._continues(text, ss, para_end(ss), place_starts)):
                    current = None
            if self.re_speaker.search(stext) and not any(m.actor for m in ms):
                current = None
                continue
            lead_at = ss + len(stext) - len(stext.lstrip())
            if any(qs <= lead_at < qe for qs, qe in official_quotes) and not any(m.actor for m in ms):
                current = None     # “…”市人力社保局相关负责人介绍: the quote is the official's
                continue
            if not any(m.actor for m in ms) and stext.lstrip().startswith(self.lex.general):
                current = None
            # 他/她 opening a sentence that names nobody: when the subject's gender does not fit
            # the pronoun, the person meant is the one of that gender named just before
            pm = _PRONOUN.search(stext[:12])
            if pm and pm.group(0) in "他她" and not any(m.actor for m in ms) and current in persons:
                want = "female" if pm.group(0) == "她" else "male"
                if persons[current].gender not in (None, want):
                    for name in reversed(recent):
                        if name in persons and persons[name].gender == want and kinds.get(name) == "person":
                            current = name
                            break
            # pseudo mentions: 她丈夫 -> the current subject's husband
            pseudo: list[_Mention] = []
            for pm in self.re_rel_pron.finditer(stext):
                prior = [m for m in ms if m.actor and m.end <= ss + pm.start()]
                owner = prior[-1].name if prior else current
                if owner in persons:
                    other = dict(persons[owner].relations).get(pm.group("rel"))
                    if other and other in persons:
                        pseudo.append(_Mention(ss + pm.start(), ss + pm.end(), other, True, True, False))
            # 何茂喜和妻子曾在…: the person's spouse named by the relation only
            starts_m = {m.start for m in ms}
            for m in ms:
                cm = self.re_rel_coord.match(text, m.end) if m.actor and m.name in persons else None
                if cm and cm.end() not in starts_m:
                    other = dict(persons[m.name].relations).get(cm.group("rel"))
                    if other and other in persons:
                        pseudo.append(_Mention(cm.start("rel"), cm.end(), other, True, True, False))
            allm = sorted(ms + pseudo, key=lambda m: m.start)
            # the subject after this sentence
            actors = [m for m in allm if m.actor and not m.relative]
            subject = None
            if actors:
                intros = [m for m in actors if m.intro]
                subject = (intros[-1] if intros else actors[-1]).name
            groups = self._coordinated(text, allm)
            for f in by_sent_f.get(si, []):
                owner = self._quote_owner(f, actor_quotes, allm) or self._owner(f, allm, current)
                if owner is None:
                    # the employer's head on the workers' pay, next to a worker's story (茶园负责人陈伟介绍，
                    # …农牧民每人每月工资6000元): the wage of that worker
                    worker = current or before_para
                    if not (f.kind == "income" and worker is not None and kinds.get(worker) == "person"
                            and incomes[f.ref].kind == "wage"
                            and _PER_HEAD.search(text, max(ss, f.start - 12), f.start)):
                        if f.kind == "program" and not f.negated and not any(m.actor for m in allm):
                            orphans.append(f)
                        continue
                    owner = worker
                for who in groups.get(owner, [owner]):
                    st = stories.setdefault(who, _Story(who))
                    st.facts.append(f)
                    if si not in st.sents:
                        st.sents.append(si)
            for m in allm:
                if m.actor:
                    st = stories.setdefault(m.name, _Story(m.name))
                    if si not in st.sents:
                        st.sents.append(si)
                    if not st.intro_places and not st.intro_work:
                        st.intro_places, st.intro_work = self._intro_places(text, m, plist)
                    elif not st.intro_places and self.re_home_after.match(text, m.end):
                        # introduced at work (在…安置点，46岁的曲尼…), home told later (曲尼一家还住在…)
                        st.intro_places = self._intro_places(text, m, plist)[0]
                    if len(st.sents) == 1 and not st.co:
                        st.co = [o.name for o in allm if o.name != m.name and o.actor]
            if subject is not None:
                current = subject
            recent.extend(m.name for m in ms if m.actor)
            del recent[:-8]

        self._background_programs(text, bounds, blocks, stories, orphans, kinds, persons)
        doc._.kg_cases = self._cases(doc, text, persons, stories, bounds, kinds, plist, org_list)
        return doc

    def _background_programs(self, text: str, bounds, blocks, stories: dict[str, _Story], orphans: list[_Fact],
                             kinds, persons) -> None:
        """Programs for a group (为贫困户…, 让贫困户…) told between two parts of a person's story, the
        person being one of that group (脱贫户赵桂霞 … 旗里…定期举办刺绣培训班 … 记者在赵桂霞家): theirs too."""
        for st in stories.values():
            if kinds.get(st.name) != "person" or len(st.sents) < 2:
                continue
            roles = set(persons[st.name].roles) if st.name in persons else set()
            if not roles & _GROUP_ROLES:
                continue
            sents = sorted(st.sents)
            others = {i for o in stories.values() if o.name != st.name and kinds.get(o.name) == "person"
                      for i in o.sents}
            for a, b in zip(sents, sents[1:]):
                if b - a < 2 or b - a > 2 * self.lookback_sents or any(a <= i < b for i in others) or any(
                        kind == "headline" and bounds[a][1] <= bs < bounds[b][0] for bs, _be, kind in blocks):
                    continue        # nobody else's story, no section heading in between (刘志鲜 … 家门口的就业选择)
                for f in orphans:
                    if a < f.sent < b and f not in st.facts:
                        ss, se = bounds[f.sent]
                        if _GROUP_TARGET.search(text, ss, se):
                            st.facts.append(f)

    def _work_place_at(self, text: str, start: int, limit: int) -> bool:
        """A place written as where someone works now: ``在上海市一家食品企业打工`` (not
        ``曾在广东打工多年``)."""
        before = text[max(0, start - 6):start]
        if not re.search(r"[到在赴往去]", before[-3:]) or _PAST.search(before):
            return False
        clause = re.split(r"[，,。；;！？!?]", text[start:limit], maxsplit=1)[0]
        return bool(self.re_work.search(clause))

    def _continues(self, text: str, start: int, end: int, entity_starts: set[int]) -> bool:
        """A paragraph naming nobody that goes on with the story (zero anaphora: 2020年2月底，…今年
        销售鱼苗已实现年收入25万元): not general text (据了解…, 全市/累计/人次…, an official's
        words) and not opening with a place or organisation as its subject."""
        para = text[start:end].strip()
        lead = start + len(text[start:end]) - len(text[start:end].lstrip())
        if not para or para.startswith(self.lex.general):
            return False
        first = re.split(r"[。！？；!?;]", para, maxsplit=1)[0]
        clause_starts = [lead] + [lead + m.end() for m in re.finditer(r"[，,]\s*", first)]
        if any(c in entity_starts for c in clause_starts):
            return False       # 台前县夹河乡卫生院北门口，…: a new scene, not the person's
        if any(w in para for w in self.lex.aggregate) or self.re_speaker.search(para):
            return False
        return True

    def _official_quotes(self, text: str, mentions: list[_Mention]) -> list[tuple[int, int]]:
        """Quotes whose speaker, named right after the closing mark, is an unnamed official
        (…”相关负责人介绍) or an official person (…”村支书熊达友说)."""
        out = []
        speakers = {m.start: m for m in mentions if m.speaker and not m.actor}
        for q in re.finditer(r"“[^“”]{1,600}”", text):
            tail = text[q.end():q.end() + 40]
            cut = re.split(r"[，,。；;！？!?“]", tail, maxsplit=1)[0]
            if self.re_speaker.search(cut) or any(q.end() <= st <= q.end() + len(cut) for st in speakers):
                out.append((q.start(), q.end()))
        return out

    @staticmethod
    def _actor_quotes(text: str, mentions: list[_Mention]) -> list[tuple[int, int, str]]:
        """Quotes whose speaker, named right after the closing mark, is a person who can have a
        case (“…一个月有5000元左右。”楼下镇的杨永贵说): ``(start, end, name)``."""
        out = []
        speakers = [m for m in mentions if m.speaker and m.actor]
        if not speakers:
            return out
        for q in re.finditer(r"“[^“”]{1,600}”", text):
            tail = text[q.end():q.end() + 40]
            cut = re.split(r"[，,。；;！？!?“\n]", tail, maxsplit=1)[0]
            for m in speakers:
                if q.end() <= m.start and m.end <= q.end() + len(cut):
                    out.append((q.start(), q.end(), m.name))
                    break
        return out

    @staticmethod
    def _quote_owner(f: _Fact, quotes: list[tuple[int, int, str]], mentions: list[_Mention]) -> str | None:
        """The speaker of the quote the fact is in, unless someone is named in the quote before it."""
        for qs, qe, name in quotes:
            if qs <= f.start < qe:
                if any(m.actor and qs <= m.start < f.start for m in mentions):
                    return None
                return name
        return None

    @staticmethod
    def _name_bounds(text: str, st: int, en: int, name: str, aliases: list[str]) -> tuple[int, int]:
        """The exact characters of the mention inside a token-aligned span."""
        for form in (name, *aliases):
            i = text.find(form, st, en)
            if i >= 0:
                return i, i + len(form)
        return st, en

    def _coordinated(self, text: str, mentions: list[_Mention]) -> dict[str, list[str]]:
        """Actors joined by 和/与/、/及 in a sentence (村民李华和王秀敏, 何茂喜和妻子陈香): facts
        about one are about all."""
        groups: dict[str, list[str]] = {}
        run: list[_Mention] = []
        for m in mentions:
            if run and m.actor and self.re_coord_gap.fullmatch(text, run[-1].end, m.start):
                run.append(m)
            else:
                if len(run) > 1:
                    for x in run:
                        groups[x.name] = [y.name for y in run]
                run = [m] if m.actor else []
        if len(run) > 1:
            for x in run:
                groups[x.name] = [y.name for y in run]
        return groups

    def _owner(self, f: _Fact, mentions: list[_Mention], current: str | None) -> str | None:
        if f.official:       # the official acts on the person named after them
            for m in mentions:
                if m.start >= f.end and m.actor:
                    return m.name
        before = [m for m in mentions if m.end <= f.start]
        spoken = False
        for m in reversed(before):
            if m.actor:
                return m.name
            if m.speaker:          # 村支书熊达友说，…收入: the official's words, nobody's case
                spoken = True
                break
            # an official only mentioned (在吴娟的鼓励下) is passed over
        # nobody who could own it is named before it: the first person named after it in the
        # sentence (quotes end with …”X说; 车间由返乡创业能人罗志强创办)
        if f.kind != "place":
            for m in mentions:
                if m.start < f.end:
                    continue
                if m.actor:
                    return m.name
                if m.speaker:     # “…收入…”村支书熊达友说
                    if f.kind in ("income", "program", "strong", "weak"):
                        return None
                    break
        return None if spoken else current

    def _intro_places(self, text: str, m: _Mention, plist: list) -> tuple[list, list]:
        """Places in the clause that introduces the mention (``丰乐村村民X``, ``X，家住…``), split
        into home places and work places (``在上海市一家食品企业打工的丈夫X``)."""
        cs = m.start
        while cs > 0 and text[cs - 1] not in _CLAUSE_END:
            cs -= 1
        found, work = [], []
        for ps, pe, ref in plist:
            if cs <= ps and pe <= m.start:
                (work if self._work_place_at(text, ps, min(m.start, pe + 16)) else found).append(ref)
        # the scene the sentence opens with (在于都县工业园，26岁的肖建明…; 在X村的…车间里，…):
        # where the person works
        ss = cs
        while ss > 0 and text[ss - 1] not in "。；！？;!?\n":
            ss -= 1
        scene = _SCENE.match(text, ss, cs)
        scene_end = scene.end() if scene else ss
        k = ss
        while k < cs:        # clauses of the sentence before the person's that end in a place word (…车间内，)
            e = k
            while e < cs and text[e] not in "，,":
                e += 1
            c = _SCENE_CLAUSE.fullmatch(text, k, min(e + 1, cs))
            if c is not None and any(k <= ps and pe <= c.end() for ps, pe, _r in plist):
                scene_end = c.end()
            k = e + 1
        if scene_end > ss:
            for ps, pe, ref in plist:
                if ss <= ps and pe <= scene_end and ref not in work and ref not in found:
                    work.append(ref)
        h = self.re_home_after.match(text, m.end)
        if h:
            ce = h.end()
            while ce < len(text) and text[ce] not in "。；！？;!?\n":
                ce += 1
            found += [ref for ps, pe, ref in plist if h.end() <= ps and pe <= ce]
        return found, work

    # -- assembling the records -----------------------------------------------------------
    def _cases(self, doc: Doc, text: str, persons, stories: dict[str, _Story], bounds, kinds,
               plist: list, org_list: list) -> list[Case]:
        places = doc._.kg_places or {}
        if doc._.kg_programs is None:
            doc._.kg_programs = {}
        programs = doc._.kg_programs
        incomes = doc._.kg_incomes or []
        cases: list[Case] = []
        home: dict[str, list[tuple]] = {}
        work_of: dict[str, list[tuple]] = {}
        for name, st in stories.items():
            home[name] = st.intro_places
            work_of[name] = st.intro_work
        order = sorted(stories.values(), key=lambda s: min(s.sents) if s.sents else 0)
        groups = self._group_transfers(doc, text, bounds, org_list)
        for st in order:
            name = st.name
            if kinds.get(name) != "person":
                continue
            live = [f for f in st.facts if not f.negated]
            progs = [f for f in live if f.kind == "program"]
            incs = [f for f in live if f.kind == "income"]
            strong = [f for f in live if f.kind == "strong"]
            if not (progs or incs or strong):
                continue
            if not (progs or strong) and self._own_trade_income(text, live, bounds):
                continue
            case = Case(person=name)
            for f in progs:
                if f.ref in programs and f.ref not in case.programs:
                    case.programs.append(f.ref)
            seen_inc = set()
            for f in incs:
                inc: Income = incomes[f.ref]
                key = (inc.amount, inc.amount_max, inc.period)
                if key not in seen_inc:
                    seen_inc.add(key)
                    case.incomes.append(inc)
            forms = (name, *(persons[name].aliases if name in persons else ()))
            for f in live:
                if (f.kind == "org" and f.ref not in case.organizations and self._case_org(doc, text, f)
                        and self._government_acts_on(doc, text, f, bounds, forms)):
                    case.organizations.append(f.ref)
            home_places, work_places = self._places(text, st, persons, home, places, programs, bounds, plist, work_of)
            case.places = home_places + work_places
            if not case.organizations and not st.intro_work and self._works(live, programs):
                # the workplace named in the scene just before the story (在位于綦江的重庆赛之源
                # 齿轮制造有限公司内…。在一条生产线上，贫困户任启勇…)
                employer = self._setting_employer(doc, st, bounds, org_list)
                if employer:
                    case.organizations.append(employer)
            if home_places:
                home[name] = home_places
            group = next((g for g in groups if st.sents and g[0] < min(st.sents) <= g[0] + 2 * self.lookback_sents),
                         None)
            if group is not None:
                # named among the group that the organisations sent to work just before: the
                # organisers and the transfer are theirs too
                for ref in group[1]:
                    if ref not in case.organizations:
                        case.organizations.append(ref)
                if not any("LaborCooperation" in programs[k].categories for k in case.programs):
                    key = f"集中输送:{name}"
                    s0, e0 = bounds[group[0]]
                    programs[key] = Program(key=key, name="集中输送务工", categories=["LaborCooperation"],
                                            evidence=[fast_evidence(doc, text, s0, e0)])
                    case.programs.append(key)
            migrant = [f for f in live if f.kind == "weak" and f.ref in self.lex.migrant
                       and not self._former(text, f.start)]
            # training only, received after the person is at work far away (在东莞…务工…。经过培训，他…)
            trained_there = bool(case.programs and migrant) and all(
                programs[k].categories == ["SkillsTraining"] for k in case.programs) and all(
                f.start > migrant[0].start for f in progs if f.ref in case.programs)
            if (not case.programs or trained_there) and migrant:
                # working far from home (another province), or going out to work (外出务工), with no
                # program named: a labour-transfer story
                far = [w for w in work_places if not home_places or all(w[0] != h[0] for h in home_places)]
                out = any(f.kind == "weak" and f.ref in self.lex.out and not self._former(text, f.start)
                          for f in live) and not case.programs
                if far or out:
                    key = f"外出务工:{name}"
                    first = migrant[0]
                    s0, e0 = bounds[first.sent]
                    programs[key] = Program(key=key, name="外出务工", categories=["LaborCooperation"],
                                            place=far[0] if far else None, evidence=[fast_evidence(doc, text, s0, e0)])
                    case.programs.append(key)
            support_only = all(set(programs[k].categories) <= _SUPPORT for k in case.programs)
            if support_only:
                # with no program named, or only support received (搬迁补贴): the job is the story's
                shop = self._workshop_job(doc, live, case.organizations)
                if shop is not None:
                    # works in a (poverty) workshop or a poverty cooperative near home with no
                    # program named: a workshop job (进入…公司生产车间，易地搬迁贫困户X…)
                    fact, org = shop
                    key = f"车间就业:{name}"
                    s0, e0 = bounds[fact.sent]
                    programs[key] = Program(key=key, name=org or "车间就业", categories=["PovertyWorkshop"],
                                            evidence=[fast_evidence(doc, text, s0, e0)])
                    case.programs.append(key)
            cats = {c for k in case.programs for c in programs[k].categories}
            if "Entrepreneurship" not in cats:
                si = self._returnee_business(text, st, bounds, persons)
                if si is not None:
                    # 从浙江务工回来，计划建设服装加工厂: a returnee's own business
                    key = f"返乡创业:{name}"
                    s0, e0 = bounds[si]
                    programs[key] = Program(key=key, name="返乡创业", categories=["Entrepreneurship"],
                                            evidence=[fast_evidence(doc, text, s0, e0)])
                    case.programs.append(key)
                    cats.add("Entrepreneurship")
            if "Entrepreneurship" in cats:
                case.role = "entrepreneur"
            elif "JobReferral" in cats:
                case.role = "referral"
            elif incs or any(f.ref in ("上班", "工资", "月薪", "聘用", "录用", "上岗") for f in live):
                case.role = "employee"
            evs: list[Evidence] = []
            for si in sorted(st.sents):
                s, e = bounds[si]
                if text[s:e].strip():
                    evs.append(fast_evidence(doc, text, s, e))
            case.evidence = evs
            cases.append(case)
        return cases

    @staticmethod
    def _group_transfers(doc: Doc, text: str, bounds, org_list: list) -> list[tuple[int, list[str]]]:
        """Sentences where bureaus or governments send a group to work (…安排…送他们去上班), with
        those organisations: ``(sentence index, refs)``."""
        orgs = doc._.kg_orgs or {}
        out = []
        for si, (s0, e0) in enumerate(bounds):
            refs = [(oe, ref) for os_, oe, ref in org_list
                    if s0 <= os_ < e0 and ref in orgs and orgs[ref].kind in ("bureau", "government")]
            if refs and _GROUP_TRANSFER.search(text, refs[-1][0], e0):
                out.append((si, list(dict.fromkeys(r for _e, r in refs))))
        return out

    def _own_trade_income(self, text: str, facts: list[_Fact], bounds) -> bool:
        """The story holds nothing but incomes (and income words) and an income's sentence says the
        person earns from their own farm or trade (他在山上搞起了多种养殖和经营，每年有几十万元的收入)."""
        if self.re_self_employed is None or any(
                f.kind == "org" or f.kind == "weak" and f.ref not in ("收入", "挣钱") for f in facts):
            return False
        return any(f.kind == "income" and self.re_self_employed.search(text, *bounds[f.sent]) for f in facts)

    def _returnee_business(self, text: str, st: _Story, bounds, persons) -> int | None:
        """A sentence naming the person that says they came home and set up a business
        (…从浙江务工回来，计划建设服装加工厂): its index."""
        if self.re_returned is None or self.re_founded is None:
            return None
        forms = (st.name, *(persons[st.name].aliases if st.name in persons else ()))
        for si in sorted(st.sents):
            s0, e0 = bounds[si]
            sent = text[s0:e0]
            if not any(f in sent for f in forms):
                continue
            r = self.re_returned.search(sent)
            if r and self.re_founded.search(sent, r.end()):
                return si
        return None

    def _case_org(self, doc: Doc, text: str, f: _Fact) -> bool:
        """Whether an organisation named in the story can be the person's employer or organiser:
        not one of unknown kind (a news outlet, 党中央, a landmark such as 卫生院北门口), not a
        school the person (or a relative) only studied at (毕业于…, 从…毕业, 考上了…大学)."""
        org = (doc._.kg_orgs or {}).get(f.ref)
        if org is None or org.kind == "other":
            return False
        if self.re_cited is not None and text[f.start - 1:f.start] in "从据" and self.re_cited.match(text, f.end):
            return False   # 记者从凉山州农劳办获悉, 据县人社局统计: the source of a figure, no employer
        if org.kind == "school" and self.re_studied is not None and (
                self.re_studied.search(text, max(0, f.start - 4), f.start)
                or self.re_studied.match(text, f.end)):
            return False
        return True

    @staticmethod
    def _government_acts_on(doc: Doc, text: str, f: _Fact, bounds, forms: tuple[str, ...]) -> bool:
        """A government body (县委, 镇政府) is in a person's case only where its sentence is about
        the person (在圭峰镇党委、政府的引导下，吴亦军…; 他是在…由县委、县政府主办的招聘会上…),
        not where it turns to the region (这个问题引起了县委、县政府的高度重视)."""
        org = (doc._.kg_orgs or {}).get(f.ref)
        if org is None or org.kind != "government":
            return True
        s0, e0 = bounds[f.sent]
        sent = text[s0:e0]
        return any(form in sent for form in forms) or bool(THIRD_PERSON.search(sent))

    def _works(self, facts: list[_Fact], programs) -> bool:
        """The story says the person works somewhere (a workshop, a job)."""
        return any(f.kind == "weak" and f.ref in ("上班", "工作", "上岗") or f.kind == "strong" and "车间" in f.ref
                   or f.kind == "program" and f.ref in programs
                   and "PovertyWorkshop" in programs[f.ref].categories for f in facts)

    def _workshop_job(self, doc: Doc, facts: list[_Fact], org_refs: list[str]) -> tuple[_Fact, str | None] | None:
        """The fact that shows the person works in a workshop (车间), or at a workshop or a
        poverty cooperative (扶贫…合作社) they do not run, with that organisation's name."""
        orgs = doc._.kg_orgs or {}
        if any(f.kind in ("strong", "weak") and f.ref in self.lex.own_business for f in facts):
            return None
        for f in facts:
            if f.kind == "org" and f.ref in org_refs and f.ref in orgs and (
                    orgs[f.ref].kind == "workshop"
                    or orgs[f.ref].kind == "cooperative" and re.search(r"扶贫|帮扶|脱贫", f.ref)):
                if self._works(facts, {}):
                    return f, f.ref
        for f in facts:
            if f.kind == "strong" and "车间" in f.ref:
                return f, None
        return None

    def _setting_employer(self, doc: Doc, st: _Story, bounds, org_list: list) -> str | None:
        if not st.sents:
            return None
        orgs = doc._.kg_orgs or {}
        first = min(st.sents)
        text = doc_text(doc)
        # 在车间另一头，…: the workshop described a few sentences before
        backs = (2, 2 * self.lookback_sents) if _DEFINITE_WORKPLACE.search(text, *bounds[first]) else (2,)
        for back in backs:
            lo, hi = bounds[max(0, first - back)][0], bounds[first][0]
            found = [ref for os_, _oe, ref in org_list if lo <= os_ < hi]
            found = [r for r in found if r in orgs and orgs[r].kind in self.org_kinds]
            if found:
                return found[-1]
        return None

    def _places(self, text: str, st: _Story, persons, home, places, programs, bounds,
                plist: list, work_of: dict[str, list]) -> tuple[list, list]:
        """The most specific home place(s) and the work place(s) the story states."""

        def spec(p) -> int:
            return _SPECIFICITY.get(_level(places[p]), 99)

        def most_specific(paths):
            paths = [p for p in paths if p in places]
            if not paths:
                return []
            best = min(spec(p) for p in paths)
            out = []
            for p in paths:
                if spec(p) == best and p not in out:
                    out.append(p)
            # 丰乐村 and 蒋家坝 (a named place inside it): keep the one further down
            return [p for p in out if not any(len(q) > len(p) and q[:len(p)] == p for q in out)]

        # someone else's workplace is not this person's setting (their homes may well be: one village)
        others_work = {p for who, ps in work_of.items() if who != st.name for p in ps}
        chosen = most_specific(st.intro_places)
        if not chosen:
            # a relative's home (郭满元 -> her son 李刚伟 -> his father's village)
            seen, frontier = {st.name}, [st.name]
            for _depth in range(3):
                nxt = []
                for who in frontier:
                    for _rel, other in persons[who].relations if who in persons else []:
                        if other not in seen:
                            seen.add(other)
                            nxt.append(other)
                            chosen = chosen or most_specific(home.get(other, []))
                if chosen or not nxt:
                    break
                frontier = nxt
        if not chosen:
            # someone named beside them when they enter (坐在徐泉铃后面的王世莲): the same setting
            for other in st.co:
                chosen = most_specific(home.get(other, []))
                if chosen:
                    break
        if not chosen:
            chosen = most_specific([programs[f.ref].place for f in st.facts
                                    if f.kind == "program" and f.ref in programs and programs[f.ref].place])
        if not chosen and st.sents and not st.intro_work:
            # the setting of the story: the nearest local place named shortly before it
            first = min(st.sents)
            for back in (self.lookback_sents, 3 * self.lookback_sents):
                lo, hi = bounds[max(0, first - back)][0], bounds[first][1]
                cands = [ref for ps, _pe, ref in plist if lo <= ps < hi and ref in places
                         and spec(ref) <= _SPECIFICITY["township"]
                         and ref not in others_work]
                chosen = most_specific(cands[-3:])
                if chosen:
                    break
        if not chosen and st.sents and not st.intro_work:
            # nothing named before the story (it opens the article): the first places of county level
            # or below (administrative units) its next sentences name (马哈力麦在…车间上班。…形容甘肃省临夏回族自治州东乡族自治县)
            first = min(st.sents)
            cands = [f.ref for f in st.facts if f.kind == "place" and f.ref in places
                     and f.sent <= first + self.lookback_sents and spec(f.ref) <= _SPECIFICITY["county"]
                     and _level(places[f.ref]) != "other" and f.ref not in others_work]   # 大梁大沟: a landform
            chosen = most_specific(cands[:3])
        work = [w for w in st.intro_work if w in places and w not in chosen]
        pfacts = [f for f in st.facts if f.kind == "place" and f.ref in places]
        by_start = {f.start: f for f in pfacts}
        for f in pfacts:
            before = text[max(0, f.start - 6):f.start]
            if not re.search(r"[到在赴往去]", before[-3:]) or _PAST.search(before):
                continue
            last = f
            while last.end in by_start:          # 山东省|东营市: the chain's last unit
                last = by_start[last.end]
            after = text[last.end:last.end + 16]
            clause = re.split(r"[，,。；;！？!?]", after, maxsplit=1)[0]
            if self.re_work.search(clause) and last.ref not in chosen and last.ref not in work:
                work.append(last.ref)
        # 田家河乡|元古堆村: keep the unit further down the hierarchy
        work = [w for w in work if not any(len(o) > len(w) and o[:len(w)] == w for o in work + chosen)]
        return chosen, work


#: the level an unresolved place's suffix implies (凉山州 the gazetteer did not place is no village)
_SUFFIX_LEVELS = (("自治州", "prefecture"), ("地区", "prefecture"), ("州", "prefecture"), ("盟", "prefecture"),
                  ("超市", "other"), ("集市", "other"), ("市", "prefecture"), ("县", "county"), ("旗", "county"),
                  ("街道", "township"), ("乡", "township"), ("镇", "township"), ("苏木", "township"))


def _level(place) -> str:
    """The place's level; for a place the gazetteer did not resolve, the level its suffix implies."""
    if place.level != "other":
        return place.level
    return next((lvl for suf, lvl in _SUFFIX_LEVELS if place.name.endswith(suf) and len(place.name) > len(suf) + 1),
                "other")


def _span_tuples(doc: Doc, group: str) -> list[tuple[int, int, object]]:
    """``(start_char, end_char, kg_ref)`` of each span of a group (empty when the group is absent)."""
    if group not in doc.spans:
        return []
    return [(sp.start_char, sp.end_char, sp._.kg_ref) for sp in doc.spans[group]]


def _block_kind(blocks, char: int) -> str:
    """:func:`kg.nlp.doc.block_kind` over ``doc._.kg_blocks`` read once (the extension
    attribute look-up costs more than the test)."""
    for start, end, kind in blocks:
        if start <= char < end:
            return kind
    return "body"


@Language.factory("kg_cases", default_config={"skip_blocks": ["caption", "byline", "headline"], "lookback_sents": 4,
                                              "employer_kinds": ["company", "workshop", "cooperative"]})
def make_kg_cases(nlp: Language, name: str, skip_blocks: list[str], lookback_sents: int,
                  employer_kinds: list[str]) -> CaseAssembler:
    """Build the case assembler (lexicons from ``kg/data/case_*.txt`` and ``person_*.txt``)."""
    return CaseAssembler(skip_blocks=tuple(skip_blocks), lookback_sents=lookback_sents,
                         employer_kinds=tuple(employer_kinds))
