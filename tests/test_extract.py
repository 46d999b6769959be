"""kg.extract: one article through the pipeline, and the corpus with its content cache."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from kg import extract
from kg.corpus import Article
from kg.records import ArticleMeta, ArticleRecord, Evidence, Person

# -- the cache and the corpus loop, with a stand-in extractor (no pipeline needed) --------


def _article(name: str, raw: str) -> Article:
    meta = ArticleMeta(file_name=name, sha256=hashlib.sha256(raw.encode()).hexdigest(), chars=len(raw))
    return Article(Path("corpus") / name, name, raw, meta)


ARTICLES = [
    _article("a.txt", "村民吴玉兰在扶贫车间务工，月收入2000多元。"),
    _article("b.txt", "何埂镇举办护理病人培训班。"),
    _article("c.txt", "公益性岗位每月收入800元。"),
]


class _Counting:
    """Stands in for extract_article: records which articles it was asked to extract."""

    def __init__(self, fail: str | None = None):
        self.calls: list[str] = []
        self.fail = fail

    def __call__(self, nlp, article) -> ArticleRecord:
        self.calls.append(article.file_name)
        if article.file_name == self.fail:
            raise ValueError("no sentence could be segmented\nsecond line")
        ev = Evidence(0, 2, article.raw[:2], article.raw[:2])
        return ArticleRecord(meta=article.meta, persons=[Person(name=article.raw[2:5], evidence=[ev])],
                             pipeline_version="test")


@pytest.fixture
def fake(monkeypatch):
    counting = _Counting()
    monkeypatch.setattr(extract, "extract_article", counting)
    return counting


def test_second_run_is_served_from_the_cache(tmp_path: Path, fake):
    first = extract.extract_corpus(ARTICLES, cache_dir=tmp_path, progress=False, nlp=object())
    assert (first.extracted, first.hits, first.corrupt) == (3, 0, 0)
    assert [r.meta.file_name for r in first] == ["a.txt", "b.txt", "c.txt"]
    fake.calls.clear()
    # nlp=None and every article cached: the pipeline is never loaded
    second = extract.extract_corpus(ARTICLES, cache_dir=tmp_path, progress=False)
    assert fake.calls == []
    assert (second.extracted, second.hits) == (0, 3)
    assert [r.to_dict() for r in second] == [r.to_dict() for r in first]


def test_changed_article_alone_is_reextracted(tmp_path: Path, fake):
    extract.extract_corpus(ARTICLES, cache_dir=tmp_path, progress=False, nlp=object())
    fake.calls.clear()
    changed = [ARTICLES[0], _article("b.txt", ARTICLES[1].raw + "新增一句。"), ARTICLES[2]]
    result = extract.extract_corpus(changed, cache_dir=tmp_path, progress=False, nlp=object())
    assert fake.calls == ["b.txt"]
    assert (result.extracted, result.hits) == (1, 2)


def test_cache_hit_takes_metadata_from_the_reader(tmp_path: Path, fake):
    """The cache is keyed by content: a renamed file reuses the record under its new name."""
    extract.extract_corpus(ARTICLES[:1], cache_dir=tmp_path, progress=False, nlp=object())
    renamed = _article("renamed.txt", ARTICLES[0].raw)
    (rec,) = extract.extract_corpus([renamed], cache_dir=tmp_path, progress=False, nlp=object())
    assert rec.meta.file_name == "renamed.txt"


def _entry(tmp_path: Path, art: Article) -> Path:
    return tmp_path / extract.cache_version() / f"{extract.content_key(art.raw)}.json"


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "swap"])
def test_corrupt_cache_entry_is_detected_and_recomputed(tmp_path: Path, fake, damage):
    extract.extract_corpus(ARTICLES, cache_dir=tmp_path, progress=False, nlp=object())
    entry = _entry(tmp_path, ARTICLES[1])
    data = entry.read_bytes()
    if damage == "truncate":
        entry.write_bytes(data[: len(data) // 2])
    elif damage == "flip":    # same length, still valid JSON: only the checksum catches it
        assert "镇举办".encode() in data
        entry.write_bytes(data.replace("镇举办".encode(), "镇学办".encode()))
    elif damage == "empty":
        entry.write_bytes(b"")
    else:                     # a valid entry of another article under this name
        entry.write_bytes(_entry(tmp_path, ARTICLES[2]).read_bytes())
    fake.calls.clear()
    result = extract.extract_corpus(ARTICLES, cache_dir=tmp_path, progress=False, nlp=object())
    assert fake.calls == ["b.txt"]
    assert (result.corrupt, result.extracted, result.hits) == (1, 1, 2)
    assert result[1].persons[0].name == ARTICLES[1].raw[2:5]
    key = extract.content_key(ARTICLES[1].raw)
    assert extract.read_cache_entry(entry, key) is not None, "the entry is rewritten valid"


def test_read_cache_entry_raises_on_bad_checksum(tmp_path: Path):
    rec = ArticleRecord(meta=ARTICLES[0].meta)
    path = tmp_path / "e.json"
    extract.write_cache_entry(path, rec, "k")
    assert extract.read_cache_entry(path, "k").to_dict() == rec.to_dict()
    assert extract.read_cache_entry(tmp_path / "missing.json", "k") is None
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(ValueError, match="checksum"):
        extract.read_cache_entry(path, "k")


def test_failing_article_is_rejected_and_the_rest_continues(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(extract, "extract_article", _Counting(fail="b.txt"))
    result = extract.extract_corpus(ARTICLES, cache_dir=tmp_path, progress=False, nlp=object())
    assert [r.meta.file_name for r in result] == ["a.txt", "c.txt"]
    (failure,) = result.rejected
    assert failure.file_name == "b.txt"
    assert failure.reason == "extraction failed: ValueError: no sentence could be segmented"


def test_other_pipeline_versions_are_pruned(tmp_path: Path, fake):
    stale = tmp_path / "0000000000000000"
    stale.mkdir()
    (stale / "x.json").write_text("old", encoding="utf-8")
    extract.extract_corpus(ARTICLES[:1], cache_dir=tmp_path, progress=False, nlp=object())
    assert not stale.exists()


def test_no_cache_dir_means_no_cache(tmp_path: Path, fake):
    extract.extract_corpus(ARTICLES, cache_dir=None, progress=False, nlp=object())
    extract.extract_corpus(ARTICLES, cache_dir=None, progress=False, nlp=object())
    assert len(fake.calls) == 6


# -- the real pipeline on corpus articles -----------------------------------------------


@pytest.fixture(scope="module")
def corpus_articles(corpus_dir):
    corpus = pytest.importorskip("kg.corpus")
    articles, rejections = corpus.read_corpus(corpus_dir)
    assert not rejections
    return articles


def test_extract_article_cites_raw_offsets(nlp, corpus_articles):
    """Every evidence of every fact slices the raw text exactly (the provenance contract)."""
    art = corpus_articles[0]
    rec = extract.extract_article(nlp, art)
    assert rec.meta.file_name == art.file_name
    assert rec.pipeline_version
    for ev in rec.evidences():
        assert art.raw[ev.start:ev.end] == ev.raw_text


def test_sentences_are_the_normalisers(nlp, corpus_articles):
    from kg.normalize import normalize

    art = corpus_articles[1]
    norm = normalize(art.raw)
    doc = nlp.make_doc(norm.text)
    extract._set_sentence_starts(doc, norm.sentences)
    starts = {doc[s.start].idx for s in doc.sents}
    expected = set()
    for s in norm.sentences:
        b = s[0]
        tok = next((t for t in doc if t.idx + len(t.text) > b), None)
        if tok is not None:
            expected.add(tok.idx)
    assert starts == expected | {0}


def test_extract_corpus_with_the_pipeline_uses_the_cache(tmp_path: Path, nlp, corpus_articles):
    arts = corpus_articles[:2]
    first = extract.extract_corpus(arts, cache_dir=tmp_path, progress=False, nlp=nlp)
    second = extract.extract_corpus(arts, cache_dir=tmp_path, progress=False)
    assert (first.extracted, second.hits, second.extracted) == (2, 2, 0)
    assert [r.to_dict() for r in first] == [r.to_dict() for r in second]


@pytest.mark.slow
def test_two_workers_give_the_same_records(tmp_path: Path, nlp, corpus_articles):
    one = extract.extract_corpus(corpus_articles, cache_dir=None, progress=False, nlp=nlp)
    two = extract.extract_corpus(corpus_articles, cache_dir=None, workers=2, progress=False)
    assert not two.rejected
    assert [r.to_dict() for r in two] == [r.to_dict() for r in one]


@pytest.mark.slow
def test_a_dying_worker_costs_nothing_but_a_retry(tmp_path: Path, corpus_articles, monkeypatch):
    """KG_FAULT=worker:2: every worker process is killed on its second article. The pool
    breaks, the unfinished articles are retried one process each, and all are extracted."""
    monkeypatch.setenv("KG_FAULT", "worker:2")
    result = extract.extract_corpus(corpus_articles[:3], cache_dir=None, workers=2, progress=False)
    assert not result.rejected
    assert [r.meta.file_name for r in result] == [a.file_name for a in corpus_articles[:3]]


@pytest.mark.slow
def test_an_article_that_kills_its_worker_is_rejected(tmp_path: Path, corpus_articles, monkeypatch):
    monkeypatch.setenv("KG_FAULT", "worker:1")      # every worker dies on its first article
    result = extract.extract_corpus(corpus_articles[:2], cache_dir=None, workers=2, progress=False)
    assert list(result) == []
    assert [f.reason for f in result.rejected] == ["extraction failed: the worker process died on this article"] * 2
