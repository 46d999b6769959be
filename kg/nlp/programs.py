"""Component ``kg_programs``: program instances and their SKOS categories.

Every mention of an employment / poverty-alleviation program (技能培训班, 扶贫车间,
公益性岗位, 劳务协作, 招聘会, 返乡创业, 社保扶贫, 交通补贴, 推荐就业 ...) becomes a span in
``doc.spans["kg_programs"]`` whose ``_.kg_ref`` is the key of a :class:`~kg.records.Program`
in ``doc._.kg_programs``. Mentions are found with the cue vocabulary in
``kg/data/program_vocabulary.tsv`` (general vocabulary, regex patterns -> categories) and
grown into the name the text gives (modifiers, place prefix, quoted titles:
``何埂镇护理病人培训班``, ``“春风行动”专场招聘会``). Adjacent cues joined only by quotes or
``+`` make one program with several categories (``“创业培训+技能培训”``). Repeated mentions
of one program share one key. Generic mentions inside a person's story (参加了培训,
扶贫车间, 自主创业) are emitted too: the cases component links programs to persons by
where their mentions occur.

The organizer is an organization from ``kg_orgs`` written right before
``组织/主办/举办的``; the place is the last ``kg_places`` mention inside the name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.errors import KGError
from kg.nlp.doc import DocIndex, init_doc
from kg.records import CATEGORIES, Program
from kg.resources import data_dir

__all__ = ["Cue", "ProgramVocabulary", "ProgramRecognizer", "make_kg_programs", "load_vocabulary",
           "vocabulary_path"]

_QUOTES = "“”\"‘’'「」『』《》〈〉"
_OPENERS = {"“": "”", "‘": "’", "「": "」", "『": "』", "《": "》", "〈": "〉"}
_JOINER_RE = re.compile(rf"^[{_QUOTES}+＋]{{1,3}}$")
_CJK_OR_ALNUM_RE = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9]+$")
_ORGANIZE_RE = re.compile(r"^(?:所|)(?:在[^，。；！？,;!?]{1,20})?(?:牵头|联合|共同)?"
                          r"(?:组织|主办|举办|举行|承办|开办|开展|召开)(?:开展|举办|实施)?(?:的|了)?$")
_ANAPHOR_RE = re.compile(r"(?:这个|该|这家|进入|进|到|在)(车间)")
#: Words that refer back to a program of a category named shortly before: a workshop (进入车间),
#: the venue of a job fair (在现场, 来到现场).
_ANAPHORA = ((_ANAPHOR_RE, "PovertyWorkshop"),
             (re.compile(r"(?:在|来到|到了?|赶到|赶来|走进)(现场)"), "JobFair"))


@dataclass(frozen=True)
class Cue:
    """One vocabulary line: a compiled pattern and what a match means."""

    pattern: re.Pattern
    categories: tuple[str, ...]
    role: str                      # "program" or "cue"
    not_after: tuple[str, ...]
    not_before: tuple[str, ...]


def vocabulary_path(name: str) -> Path:
    """A lexicon name from the config: relative names live in ``kg/data``."""
    p = Path(name)
    return p if p.is_absolute() else data_dir() / p


class ProgramVocabulary:
    """The cue vocabulary: find program mentions and category cues in text."""

    def __init__(self, cues: list[Cue]):
        self.cues = cues

    @classmethod
    def from_file(cls, path: Path) -> ProgramVocabulary:
        cues: list[Cue] = []
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError as e:
            raise KGError(f"{path}: cannot read the program vocabulary ({e.strerror})") from e
        header_seen = False
        for n, line in enumerate(lines, 1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if not header_seen and cols[0] == "pattern":
                header_seen = True
                continue
            if len(cols) < 3:
                raise KGError(f"{path}:{n}: expected pattern, categories, role (tab-separated)")
            pat, cats, role = cols[0], tuple(c.strip() for c in cols[1].split(",") if c.strip()), cols[2].strip()
            bad = [c for c in cats if c not in CATEGORIES]
            if bad or not cats:
                raise KGError(f"{path}:{n}: unknown program category {bad or cols[1]!r}")
            if role not in ("program", "cue"):
                raise KGError(f"{path}:{n}: role must be 'program' or 'cue', not {role!r}")
            try:
                rx = re.compile(pat)
            except re.error as e:
                raise KGError(f"{path}:{n}: bad pattern {pat!r}: {e}") from e
            cues.append(Cue(rx, cats, role, _words(cols, 3), _words(cols, 4)))
        return cls(cues)

    def matches(self, text: str, roles: tuple[str, ...] = ("program", "cue"), context: bool = True
                ) -> list[tuple[int, int, Cue]]:
        """Non-overlapping matches ``(start, end, cue)`` in text order; longer matches win.
        With ``context`` false the not_after/not_before conditions of program lines are
        ignored (培训总量 is no program but still says SkillsTraining); cue lines keep theirs."""
        found: list[tuple[int, int, Cue]] = []
        for cue in self.cues:
            if cue.role not in roles:
                continue
            for m in cue.pattern.finditer(text):
                s, e = m.span()
                if e <= s:
                    continue
                ctx = context or cue.role == "cue"
                if ctx and cue.not_after and text[max(0, s - 4):s].endswith(cue.not_after):
                    continue
                if ctx and cue.not_before and text[e:e + 6].startswith(cue.not_before):
                    continue
                found.append((s, e, cue))
        found.sort(key=lambda x: (-(x[1] - x[0]), x[0]))
        taken: list[tuple[int, int, Cue]] = []
        occupied = bytearray(len(text) + 1)
        for s, e, cue in found:
            if any(occupied[s:e]):
                continue
            occupied[s:e] = b"\x01" * (e - s)
            taken.append((s, e, cue))
        taken.sort(key=lambda x: x[0])
        return taken

    def categories_in(self, text: str) -> list[tuple[int, int, tuple[str, ...]]]:
        """Every category cue (program or cue role) in text: ``(start, end, categories)``."""
        return [(s, e, c.categories) for s, e, c in self.matches(text, context=False)]


def _words(cols: list[str], i: int) -> tuple[str, ...]:
    return tuple(w for w in cols[i].split("|") if w) if len(cols) > i else ()


_VOCAB_CACHE: dict[Path, ProgramVocabulary] = {}


def load_vocabulary(name: str = "program_vocabulary.tsv") -> ProgramVocabulary:
    """The vocabulary file (cached per process)."""
    path = vocabulary_path(name)
    if path not in _VOCAB_CACHE:
        _VOCAB_CACHE[path] = ProgramVocabulary.from_file(path)
    return _VOCAB_CACHE[path]


def _load_stops(name: str) -> frozenset[str]:
    path = vocabulary_path(name)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise KGError(f"{path}: cannot read the program-name stop words ({e.strerror})") from e
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def _ordered(cats) -> list[str]:
    return [c for c in CATEGORIES if c in set(cats)]


def _key(name: str) -> str:
    return "".join(ch for ch in name if ch not in _QUOTES and not ch.isspace())


class ProgramRecognizer:
    """The ``kg_programs`` pipeline component."""

    def __init__(self, vocabulary: ProgramVocabulary, stops: frozenset[str], max_modifier_chars: int = 8,
                 max_modifier_tokens: int = 4, anaphora_window: int = 400):
        self.vocab = vocabulary
        self.stops = stops
        self.max_chars = max_modifier_chars
        self.max_tokens = max_modifier_tokens
        self.anaphora_window = anaphora_window

    # -- mention boundaries -------------------------------------------------------------
    def _mentions(self, text: str) -> list[tuple[int, int, set[str]]]:
        raw = self.vocab.matches(text, roles=("program",))
        merged: list[tuple[int, int, set[str]]] = []
        for s, e, cue in raw:
            if merged:
                ps, pe, cats = merged[-1]
                gap = text[pe:s]
                # a compound (渝鲁劳务协作专场招聘会), a joined pair (“创业培训+技能培训”), or a
                # quoted title and its head noun (“春风行动”专场招聘会)
                if gap == "" or (_JOINER_RE.match(gap) and ("+" in gap or "＋" in gap
                                                           or cats & set(cue.categories))):
                    merged[-1] = (ps, e, cats | set(cue.categories))
                    continue
            merged.append((s, e, set(cue.categories)))
        return merged

    def _grow_left(self, ix: DocIndex, start: int, places_by_end: dict[int, Span], persons: set[int]) -> int:
        doc, text = ix.doc, ix.text
        first = ix.token_at(start)
        if first is None:
            return start
        i = first - 1
        new_start, chars, ntok = start, 0, 0
        while i >= 0:
            t = doc[i]
            place = places_by_end.get(t.idx + len(t.text))
            if place is not None and place.end_char == new_start:
                new_start = place.start_char
                break
            if t.idx + len(t.text) != new_start:
                break
            w = t.text
            # modifiers are words of two or more characters that are not verbs or function
            # words, numbers (5个扶贫车间) or person names
            if (w in self.stops or not _CJK_OR_ALNUM_RE.match(w) or any(s in w for s in ("的", "了"))
                    or (len(w) == 1 and not w.isascii()) or any(c.isdigit() for c in w) or t.i in persons):
                if w and w[-1] in "”』」\"'" and ntok == 0:
                    q = text.rfind(w[-1] if w[-1] in "\"'" else {"”": "“", "』": "『", "」": "「"}[w[-1]], 0, t.idx)
                    if q >= 0 and new_start - q <= 14 and "\n" not in text[q:new_start]:
                        new_start = q
                break
            if chars + len(w) > self.max_chars or ntok >= self.max_tokens:
                break
            new_start = t.idx
            chars += len(w)
            ntok += 1
            i -= 1
        return new_start

    def _organizer(self, text: str, start: int, orgs: list[Span]) -> str | None:
        """An organization written before the program with 组织/主办/举办(的) between them,
        possibly with a venue (黔江区人社局在……安置点举行渝鲁劳务协作专场招聘会)."""
        for span in reversed(orgs):
            if span.end_char > start:
                continue
            if start - span.end_char > 30:
                break
            if span.end_char == start or _ORGANIZE_RE.match(text[span.end_char:start]):
                return span._.kg_ref
        return None

    # -- the component --------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        init_doc(doc)
        ix = DocIndex(doc)
        text = ix.text
        places = list(doc.spans["kg_places"])
        orgs = sorted(doc.spans["kg_orgs"], key=lambda sp: sp.end_char)
        places_by_end = {sp.end_char: sp for sp in places}
        person_tokens = {i for sp in doc.spans["kg_persons"] for i in range(sp.start, sp.end)}
        spans: list[Span] = []
        programs: dict[str, Program] = doc._.kg_programs
        for s, e, cats in self._mentions(text):
            ns = self._grow_left(ix, s, places_by_end, person_tokens)
            # “春风行动”专场招聘会: take in the opening quote whose closing one is in the name
            if ns > 0 and text[ns - 1] in _OPENERS and _OPENERS[text[ns - 1]] in text[ns:e]:
                ns -= 1
            span = ix.span(ns, e)
            if span is None:
                continue
            name = text[ns:e].strip()
            key = _key(name) or name
            place = None
            for p in places:
                if ns <= p.start_char and p.end_char <= e:
                    place = p._.kg_ref
            organizer = self._organizer(text, ns, orgs)
            prog = programs.get(key)
            if prog is None:
                prog = programs[key] = Program(key=key, name=name, categories=_ordered(cats),
                                               organizer=organizer, place=place)
            else:
                prog.categories = _ordered(set(prog.categories) | cats)
                prog.organizer = prog.organizer or organizer
                prog.place = prog.place or place
            ev = ix.sentence_evidence(span)
            if ev not in prog.evidence:
                prog.evidence.append(ev)
            span._.kg_ref = key
            spans.append(span)
        doc.spans["kg_programs"] = sorted(spans, key=lambda sp: (sp.start_char, sp.end_char))
        _resolve_anaphora(doc, self.anaphora_window, ix)
        return doc


def _resolve_anaphora(doc: Doc, window: int, ix: DocIndex | None = None) -> None:
    """Bare ``车间`` (进入车间, 该车间) shortly after a workshop program refers to it, and
    ``现场`` (在现场, 来到现场) shortly after a job fair to the fair."""
    ix = ix or DocIndex(doc)
    spans = list(doc.spans["kg_programs"])
    covered = [(sp.start_char, sp.end_char) for sp in spans]
    added = []
    for pattern, category in _ANAPHORA:
        antecedents = [(sp.end_char, sp._.kg_ref) for sp in spans
                       if category in doc._.kg_programs[sp._.kg_ref].categories]
        if antecedents:
            added += _refer_back(doc, ix, pattern, antecedents, covered, window)
    if added:
        doc.spans["kg_programs"] = sorted(spans + added, key=lambda sp: (sp.start_char, sp.end_char))


def _refer_back(doc: Doc, ix: DocIndex, pattern: re.Pattern, antecedents: list[tuple[int, str]],
                covered: list[tuple[int, int]], window: int) -> list[Span]:
    """Spans of ``pattern``'s first group, each referring to the last antecedent program
    ending at most ``window`` characters before it; their sentences become its evidence."""
    added = []
    for m in pattern.finditer(ix.text):
        s, e = m.span(1)
        if any(cs <= s < ce for cs, ce in covered):
            continue
        prior = [w for w in antecedents if w[0] <= s and s - w[0] <= window]
        if not prior:
            continue
        key = prior[-1][1]
        span = ix.span(s, e)
        if span is None:
            continue
        span._.kg_ref = key
        prog = doc._.kg_programs[key]
        ev = ix.sentence_evidence(span)
        if ev not in prog.evidence:
            prog.evidence.append(ev)
        added.append(span)
    return added


@Language.factory(
    "kg_programs",
    default_config={"vocabulary": "program_vocabulary.tsv", "name_stops": "program_name_stops.txt",
                    "max_modifier_chars": 8, "max_modifier_tokens": 4, "anaphora_window": 400},
    requires=["doc._.kg_places", "doc._.kg_orgs"],
    assigns=["doc._.kg_programs", "doc.spans"],
)
def make_kg_programs(nlp: Language, name: str, vocabulary: str, name_stops: str, max_modifier_chars: int,
                     max_modifier_tokens: int, anaphora_window: int):
    """Build the program recognizer from the lexicons named in the config."""
    rec = ProgramRecognizer(load_vocabulary(vocabulary), _load_stops(name_stops), max_modifier_chars,
                            max_modifier_tokens, anaphora_window)

    return rec
