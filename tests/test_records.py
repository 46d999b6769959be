"""kg.records: the extraction records, the interface between the extractor and the graph."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from kg.records import ArticleRecord

DATA = Path(__file__).parent / "data"


def _corpus_records() -> list[ArticleRecord]:
    recs = json.loads((DATA / "records_corpus.json").read_text(encoding="utf-8"))
    return [ArticleRecord.from_dict(d) for d in recs]


def test_to_dict_is_asdict_and_round_trips():
    recs = _corpus_records()
    assert recs and any(r.cases for r in recs)
    for rec in recs:
        d = rec.to_dict()
        assert d == dataclasses.asdict(rec)
        assert json.dumps(d, ensure_ascii=False, sort_keys=True) == json.dumps(
            dataclasses.asdict(rec), ensure_ascii=False, sort_keys=True)
        assert ArticleRecord.from_dict(json.loads(json.dumps(d))) == rec


def test_evidences_are_every_evidence_of_the_record():
    rec = max(_corpus_records(), key=lambda r: len(r.cases))
    evs = list(rec.evidences())
    assert evs and all(ev.end > ev.start for ev in evs)
    assert set(map(id, (c.evidence[0] for c in rec.cases if c.evidence))) <= set(map(id, evs))
