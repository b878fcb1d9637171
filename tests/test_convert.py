import json

import pytest

from healthkg.convert import (ConversionError, blank_zh, gold_docs, make_splits, paragraph_doc, read_docbin,
                              read_gold, segmentation_losses, write_docbin)
from healthkg.corpus import Entity, Paragraph, Relation
from healthkg.rules import default_annotations_dir

from conftest import ROOT, SEED_IDS

TEXT = "阿里健康(以下简称“阿健”)与西安高新医院签署合作协议。董事长 王磊出席。"


def make_paragraph():
    ents = [Entity(1, "COMPANY", 0, 4), Entity(2, "COMPANY", 10, 12), Entity(3, "HOSPITAL", 15, 21),
            Entity(4, "TITLE", 28, 31), Entity(5, "PERSON", 32, 34)]
    rels = [Relation(1, 2, 1, "ALIAS_OF"), Relation(2, 1, 3, "PARTNER_OF"), Relation(3, 5, 4, "HOLDS_TITLE")]
    return Paragraph("a1", 0, 0, TEXT, ents, rels, path="a1.jsonl", line=1)


def test_spans_and_relations_survive_docbin(tmp_path):
    nlp = blank_zh()
    doc = paragraph_doc(nlp, make_paragraph())
    assert [(e.text, e.label_) for e in doc.ents][:3] == [("阿里健康", "COMPANY"), ("阿健", "COMPANY"), ("西安高新医院", "HOSPITAL")]
    assert all(len(t.text) == 1 for t in doc)  # character tokens
    write_docbin([doc], tmp_path / "x.spacy")
    (back,) = read_docbin(tmp_path / "x.spacy")
    assert [(e.start_char, e.end_char, e.label_) for e in back.ents] == [(e.start_char, e.end_char, e.label_) for e in doc.ents]
    assert back._.relations == doc._.relations
    assert {"head": [10, 12], "tail": [0, 4], "label": "ALIAS_OF", "score": 1.0} in back._.relations
    assert back.user_data["article_id"] == "a1" and back.user_data["paragraph_offset"] == 0
    assert back[28].is_sent_start  # sentence starts kept


def test_bad_span_names_file_and_line():
    p = make_paragraph()
    p.entities.append(Entity(9, "PERSON", 31, 33))  # overlaps 王磊 ... and starts on a space
    with pytest.raises(ConversionError, match=r"a1.jsonl:1"):
        paragraph_doc(blank_zh(), p)
    p = make_paragraph()
    p.relations.append(Relation(9, 1, 77, "PARTNER_OF"))
    with pytest.raises(ConversionError, match=r"a1.jsonl:1: relation 9"):
        paragraph_doc(blank_zh(), p)


def test_splits_are_by_article_and_leave_one_out():
    splits = make_splits(SEED_IDS, test=[SEED_IDS[1]], dev=[SEED_IDS[4]])
    fixed = splits["fixed"]
    assert sorted(fixed["train"] + fixed["dev"] + fixed["test"]) == sorted(SEED_IDS)
    assert [f["test"][0] for f in splits["cv"]] == sorted(SEED_IDS)
    for fold in splits["cv"]:
        assert not set(fold["test"]) & set(fold["train"] + fold["dev"])
        assert not set(fold["dev"]) & set(fold["train"])


def test_committed_split_file_matches_the_seed_articles():
    splits = json.loads((ROOT / "corpus" / "splits.json").read_text(encoding="utf-8"))
    assert splits == make_splits(SEED_IDS, splits["fixed"]["test"], splits["fixed"]["dev"])


def test_character_tokens_align_with_every_gold_span():
    folder = ROOT / default_annotations_dir(ROOT).relative_to(ROOT)
    if not any(folder.glob("*.jsonl")):
        pytest.skip("no gold annotations yet")
    corpus = read_gold(folder)
    docs = gold_docs(corpus)  # raises on any span that does not align
    n_gold = sum(len(p.entities) for ps in corpus.values() for p in ps)
    assert sum(len(d.ents) for ds in docs.values() for d in ds) == n_gold
    assert segmentation_losses(corpus, segmenters=("char",))["char"]["lost"] == 0


def test_word_features_are_the_same_for_traditional_text():
    import spacy

    from healthkg.pipeline import lexicon, script  # noqa: F401

    nlp = spacy.blank("zh")
    nlp.add_pipe("zh_simplified_norms")
    nlp.add_pipe("zh_word_features")
    simplified = nlp("图木舒克市人民医院在新疆启动")
    traditional = nlp("圖木舒克市人民醫院在新疆啟動")
    assert [(t.lemma_, t.tag_) for t in simplified] == [(t.lemma_, t.tag_) for t in traditional]
    assert simplified[7].lemma_ == "医院" and simplified[7].tag_ == "B"
