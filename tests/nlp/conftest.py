"""Fixtures shared by the component tests."""

from __future__ import annotations

import pytest

from kg.nlp.doc import init_doc


@pytest.fixture(scope="session")
def dev_gold_f1(nlp, shared_dir, corpus_dir):
    """``f1(key, matcher)``: F1 of the places (or organizations) the first components find on
    the five corpus articles, with the shared scorer's matching (skips without ../shared)."""

    def f1(key: str, matcher: str) -> float:
        """F1 of the places or organizations found on the five normalised corpus articles, with the
        scorer's own matching (../shared/eval/score.py)."""
        import importlib.util
        import json

        from kg.normalize import normalize

        spec = importlib.util.spec_from_file_location("shared_score", shared_dir / "eval" / "score.py")
        score = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(score)
        same = score.alike(getattr(score, matcher))
        tp = pred_n = gold_n = 0
        for path in sorted(corpus_dir.glob("*.txt")):
            doc = nlp.make_doc(normalize(path.read_text(encoding="utf-8")).text)
            init_doc(doc)
            for name in ("sentencizer", "kg_places", "kg_orgs"):
                doc = nlp.get_pipe(name)(doc)
            records = doc._.kg_places if key == "places" else doc._.kg_orgs
            pred = [[r.name, *r.aliases] for r in records.values()]
            gold = json.loads((shared_dir / "gold" / f"{path.name}.json").read_text(encoding="utf-8"))
            gold_items = gold[key]
            tp += score.match_count(pred, gold_items, same)
            pred_n += len(pred)
            gold_n += len(gold_items)
        p, r = tp / pred_n, tp / gold_n
        return 2 * p * r / (p + r)

    return f1
