"""kg_ner: the trained proposer, its character features, and how the rule components combine
its proposals (a name with no cue found; a model false positive rejected by a rule)."""

from __future__ import annotations

import json

import pytest
import spacy

from kg.errors import KGError, PipelineError
from kg.nlp.doc import init_doc
from kg.nlp.ner import char_doc, fold, model_dir, word_tags
from kg.nlp.training import read_jsonl, write_articles


def test_word_tags_mark_position_and_length():
    # 扶贫|车间|的|王小刚 -> words ending at 2, 4, 5, 8
    assert word_tags(8, [2, 4, 5, 8]) == ["B2", "E2", "B2", "E2", "S1", "B3", "M3", "E3"]
    # a window that starts inside a word keeps its length, characters past the words are singles
    assert word_tags(4, [13], offset=11) == ["B2", "E2", "S1", "S1"]
    assert word_tags(4, [12, 15], offset=11) == ["S1", "B3", "M3", "E3"]
    assert word_tags(6, [3, 9], offset=0) == ["B3", "M3", "E3", "B3", "M3", "E3"]


def test_fold_keeps_one_character_for_one():
    assert [fold(c) for c in "１９９８年ＡＢ"] == ["1", "9", "9", "8", "年", "A", "B"]
    assert fold("㈠") == "㈠" or len(fold("㈠")) == 1


def test_char_doc_has_one_token_per_character():
    vocab = spacy.blank("zh").vocab
    doc = char_doc(vocab, "李毛才让说，１０人", word_tags(9, [4, 5, 6, 9]))
    assert len(doc) == 9 and doc[6].text == "1"
    assert [t.tag_ for t in doc[:4]] == ["B4", "M4", "M4", "E4"]


def test_packaged_model_is_there_and_records_its_training():
    meta = json.loads((model_dir() / "meta.json").read_text(encoding="utf-8"))
    training = meta["kg_training"]
    assert set(training["inputs"]) >= {"train.jsonl", "dev.jsonl"}
    assert all(len(h) == 64 for h in training["inputs"].values())
    assert training["dev"]["PER"]["f1"] > 0.8


def test_kg_ner_proposes_names_with_offsets(nlp):
    text = "国务院总理李鹏昨天在北京会见了美国总统克林顿。"
    doc = nlp.make_doc(text)
    init_doc(doc)
    doc = nlp.get_pipe("sentencizer")(doc)
    doc = nlp.get_pipe("kg_ner")(doc)
    found = {(text[s:e], lab) for s, e, lab in doc._.kg_ner}
    assert {("李鹏", "PER"), ("北京", "LOC"), ("克林顿", "PER")} <= found


def run(nlp, text: str, proposals=None):
    """The pipeline up to kg_persons; ``proposals`` replaces the model's output when given."""
    doc = nlp.make_doc(text)
    init_doc(doc)
    for name in ("sentencizer", "kg_ner", "kg_places", "kg_orgs", "kg_persons"):
        doc = nlp.get_pipe(name)(doc)
        if name == "kg_ner" and proposals is not None:
            doc._.kg_ner = [(text.index(s), text.index(s) + len(s), lab) for s, lab in proposals]
    return doc


def test_a_name_with_no_cue_is_found_through_the_model(nlp):
    # no role word, speech verb, age or repetition around the name
    doc = run(nlp, "坐在后排的赵德明听得很认真。")
    assert set(doc._.kg_persons) == {"赵德明"}


def test_model_false_positives_are_rejected_by_the_rules(nlp):
    # a dictionary word (高度) and a span over a place the gazetteer knows are never persons
    doc = run(nlp, "县委高度重视，在永川区召开会议。", proposals=[("高度", "PER"), ("永川区", "PER")])
    assert doc._.kg_persons == {}
    # the same proposal made of a surname and a given name is taken
    doc = run(nlp, "会后王秀敏留了下来。", proposals=[("王秀敏", "PER")])
    assert set(doc._.kg_persons) == {"王秀敏"}


def test_model_places_and_organizations_the_grammars_miss(nlp):
    text = "新华社记者从吕梁山区发回报道。"
    doc = run(nlp, text, proposals=[("新华社", "ORG"), ("吕梁山区", "LOC")])
    assert "新华社" in doc._.kg_orgs
    assert any(p.name == "吕梁山区" for p in doc._.kg_places.values())


def test_training_data_errors_name_the_file_and_line(tmp_path):
    p = tmp_path / "train.jsonl"
    p.write_text('{"text": "李鹏", "spans": [[0, 2, "PER"]]}\n{"text": "x", "spans": [[0, 5, "PER"]]}\n',
                 encoding="utf-8")
    with pytest.raises(KGError, match=r"train.jsonl:2: bad span"):
        list(read_jsonl(p))


def test_write_articles_groups_sentences_with_gold(tmp_path):
    p = tmp_path / "s.jsonl"
    lines = [{"text": f"李鹏在北京{i}。", "spans": [[0, 2, "PER"], [3, 5, "LOC"]]} for i in range(30)]
    p.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    texts, gold = write_articles(p, tmp_path / "set", per_file=25)
    assert sorted(f.name for f in texts.iterdir()) == ["s_0000.txt", "s_0001.txt"]
    g = json.loads((gold / "s_0001.txt.json").read_text(encoding="utf-8"))
    assert g["persons"] == ["李鹏"] and g["places"] == ["北京"]
    assert len((texts / "s_0001.txt").read_text(encoding="utf-8").splitlines()) == 5


def test_missing_model_is_a_clear_error(tmp_path):
    from kg.nlp.ner import EntityProposer

    with pytest.raises(PipelineError, match="no trained NER model"):
        EntityProposer(spacy.blank("zh")).initialize(model=str(tmp_path))


def test_proposed_places_confirmed_by_the_gazetteer_and_the_world_list(nlp):
    # jieba's dictionary tags 石家庄 and 莫斯科 as person names: the gazetteers confirm them,
    # and a Chinese city named without its suffix is resolved to its unit
    text = "代表团从石家庄出发，经莫斯科前往欧洲。"
    doc = run(nlp, text, proposals=[("石家庄", "LOC"), ("莫斯科", "LOC")])
    paths = {p.name: tuple(p.path) for p in doc._.kg_places.values()}
    assert paths.get("石家庄") == ("河北省", "石家庄市")
    assert "莫斯科" in paths
    # a short form standing for a longer official name is kept as written, not resolved
    doc = run(nlp, "记者从凉山获悉。", proposals=[("凉山", "LOC")])
    assert [p.name for p in doc._.kg_places.values()] == ["凉山"]


def test_proposed_organizations_known_by_short_forms_and_brands(nlp):
    text = "联合国安理会和北大的专家与丰田公司代表会面。"
    doc = run(nlp, text, proposals=[("联合国安理会", "ORG"), ("北大", "ORG")])
    assert {"联合国安理会", "北大"} <= set(doc._.kg_orgs)
    # a proposal opening with a function word stays refused
    doc = run(nlp, "其中合作社发展很快。", proposals=[("其中合作社", "ORG")])
    assert "其中合作社" not in doc._.kg_orgs


def test_a_famous_name_jieba_tags_otherwise_is_taken_from_the_model(nlp):
    # jieba's dictionary has 周恩来 as a time word (t): no evidence against the model
    doc = run(nlp, "该书研究周恩来经济思想。", proposals=[("周恩来", "PER")])
    assert set(doc._.kg_persons) == {"周恩来"}
