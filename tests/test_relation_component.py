import pytest
import spacy

from healthkg.convert import blank_zh, paragraph_doc
from healthkg.corpus import Entity, Paragraph, Relation
from healthkg.experiments import predict_given_gold, train_relations
from healthkg.pipeline.relations import candidate_pairs

TEXTS = [
    ("阿里健康与西安高新医院签署合作协议。腾讯旗下的微医位于杭州。",
     [("COMPANY", 0, 4), ("HOSPITAL", 5, 11), ("COMPANY", 18, 20), ("COMPANY", 23, 25), ("LOC", 27, 29)],
     [(1, 2, "PARTNER_OF"), (4, 3, "SUBSIDIARY_OF"), (4, 5, "LOCATED_IN")]),
    ("京东健康与华西医院签署合作协议。阿里巴巴旗下的蚂蚁金服位于上海。",
     [("COMPANY", 0, 4), ("HOSPITAL", 5, 9), ("COMPANY", 16, 20), ("COMPANY", 23, 27), ("LOC", 29, 31)],
     [(1, 2, "PARTNER_OF"), (4, 3, "SUBSIDIARY_OF"), (4, 5, "LOCATED_IN")]),
]


def gold_docs():
    nlp = blank_zh()
    docs = []
    for i, (text, ents, rels) in enumerate(TEXTS):
        p = Paragraph("t", i, 0, text, [Entity(k + 1, l, s, e) for k, (l, s, e) in enumerate(ents)],
                      [Relation(k + 1, h, t, r) for k, (h, t, r) in enumerate(rels)])
        docs.append(paragraph_doc(nlp, p))
    return docs


def test_candidates_stay_in_one_sentence_and_respect_the_schema():
    doc = gold_docs()[0]
    pairs = candidate_pairs(doc)
    assert pairs
    for head, tail, labels in pairs:
        assert (head.start_char < 17) == (tail.start_char < 17)  # same sentence
    # LOC is never a head; PARTNER_OF is offered only with the earlier mention as head
    assert not any(h.label_ == "LOC" for h, _, _ in pairs)
    assert all(h.start_char < t.start_char for h, t, labels in pairs if "PARTNER_OF" in labels)


@pytest.mark.parametrize("factory", ["relation_extractor", "relation_extractor_nn"])
def test_relation_component_trains_saves_and_loads(factory, tmp_path):
    docs = gold_docs()
    nlp = train_relations(factory, docs, epochs=40, config={"threshold": 0.0})
    examples = predict_given_gold(nlp, docs)
    predicted = [r for eg in examples for r in eg.predicted._.relations]
    assert predicted and all(set(r) == {"head", "tail", "label", "score"} for r in predicted)
    nlp.to_disk(tmp_path / "model")
    loaded = spacy.load(tmp_path / "model")
    again = predict_given_gold(loaded, docs)
    assert [eg.predicted._.relations for eg in again] == [eg.predicted._.relations for eg in examples]
    if factory == "relation_extractor":
        # the feature model learns the training pairs back
        gold = {(tuple(r["head"]), tuple(r["tail"]), r["label"]) for r in docs[0]._.relations}
        got = {(tuple(r["head"]), tuple(r["tail"]), r["label"]) for r in again[0].predicted._.relations}
        assert gold <= got


def test_rule_features_carry_the_cue_word_rules_verdict():
    from healthkg.pipeline.relation_extractor import doc_pairs

    doc = gold_docs()[0]
    with_rules = {(h.start_char, t.start_char): f for h, t, _, f in doc_pairs(doc, rule_features=True)}
    without = {(h.start_char, t.start_char): f for h, t, _, f in doc_pairs(doc, rule_features=False)}
    assert with_rules.keys() == without.keys()
    assert not any(k.startswith("rule") for f in without.values() for k in f)
    # 阿里健康与西安高新医院签署合作协议: the rules say PARTNER_OF
    assert with_rules[(0, 5)].get("rule=PARTNER_OF") == 1
    # 腾讯旗下的微医: the pair is offered both ways; the rules give child -> parent
    assert with_rules[(23, 18)].get("rule=SUBSIDIARY_OF") == 1
    assert with_rules[(18, 23)].get("rule_reversed=SUBSIDIARY_OF") == 1
