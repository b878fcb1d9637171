"""Measurements that choose between training options (see scripts/measure.py)."""
import time
from typing import Dict, List

import spacy
from spacy.tokens import Doc
from spacy.training import Example

from healthkg.pipeline import relation_extractor, relation_extractor_nn, relations, script, sentences  # noqa: F401
from healthkg.pipeline.relation_extractor import score_relations


def relation_pipeline(factory: str, config: dict = None):
    nlp = spacy.blank("zh")
    nlp.add_pipe("zh_simplified_norms")
    nlp.add_pipe("zh_sentences")
    nlp.add_pipe(factory, config=config or {})
    return nlp


def train_relations(factory: str, train_docs: List[Doc], epochs: int = 30, seed: int = 0, config: dict = None):
    """Train a relation component alone on gold docs (gold entities), as `spacy train` would."""
    import random

    spacy.util.fix_random_seed(seed)
    nlp = relation_pipeline(factory, config)
    examples = [Example(nlp.make_doc(d.text), d) for d in train_docs]
    optimizer = nlp.initialize(lambda: examples)
    if factory == "relation_extractor_nn":
        rng = random.Random(seed)
        for _ in range(epochs):
            rng.shuffle(examples)
            for i in range(0, len(examples), 8):
                nlp.update(examples[i:i + 8], sgd=optimizer, drop=0.1)
    return nlp


def predict_given_gold(nlp, gold_docs: List[Doc]) -> List[Example]:
    out = []
    for gold in gold_docs:
        doc = nlp.make_doc(gold.text)
        doc.ents = [doc.char_span(e.start_char, e.end_char, label=e.label_) for e in gold.ents]
        for _, proc in nlp.pipeline:
            doc = proc(doc)
        out.append(Example(doc, gold))
    return out


# name -> (factory, config); None is the cue-word rules alone (healthkg.pipeline.rule_relations)
RELATION_APPROACHES = {
    "scikit-learn pair features": ("relation_extractor", {"rule_features": False}),
    "scikit-learn pair features + rule verdict (default)": ("relation_extractor", {"rule_features": True}),
    "thinc tok2vec pair classifier": ("relation_extractor_nn", {}),
    "cue-word rules alone": None,
}


def rule_relations_given_gold(gold_docs: List[Doc]) -> List[Example]:
    """The cue-word rules on the gold entities of each doc."""
    from healthkg.pipeline.relations import make_relation
    from healthkg.pipeline.rule_relations import find_relations

    out = []
    for gold in gold_docs:
        doc = gold.copy()
        spans = {(e.start_char, e.end_char): e for e in doc.ents}
        found = find_relations(doc.text, [(e.start_char, e.end_char, e.label_) for e in doc.ents])
        doc._.relations = [make_relation(spans[tuple(h)], spans[tuple(t)], label) for h, t, label in found]
        out.append(Example(doc, gold))
    return out


def compare_relation_approaches(docs_by_article: Dict[str, List[Doc]], approaches: Dict[str, object] = None,
                                epochs: int = 30) -> dict:
    """Leave-one-article-out relation P/R/F given gold entities, per approach: pooled over folds, and
    the F of each held-out article."""
    results = {}
    for name, approach in (approaches or RELATION_APPROACHES).items():
        all_examples, per_article, seconds = [], {}, 0.0
        for held_out in docs_by_article:
            if approach is None:
                examples = rule_relations_given_gold(docs_by_article[held_out])
            else:
                factory, config = approach
                train = [d for a, docs in docs_by_article.items() if a != held_out for d in docs]
                start = time.time()
                nlp = train_relations(factory, train, epochs=epochs, config=config)
                seconds += time.time() - start
                examples = predict_given_gold(nlp, docs_by_article[held_out])
            per_article[held_out] = score_relations(examples)["rel_micro_f"]
            all_examples.extend(examples)
        scores = score_relations(all_examples)
        scores["per_article_f"] = per_article
        scores["train_seconds"] = seconds
        results[name] = scores
    return results


def evaluate_pipeline(nlp, gold_docs: List[Doc], traditional: bool = False) -> dict:
    """Entity micro P/R/F and relation micro P/R/F (end to end and given gold entities) on gold docs.

    With `traditional`, the text is converted to traditional script first (OpenCC s2t, same length
    checked) and the gold offsets reused: the robustness check for traditional input.
    """
    from spacy.scorer import Scorer

    from healthkg.training import traditional_copy

    if traditional:
        converted = [traditional_copy(nlp, d) for d in gold_docs]
        gold_docs = [c for c in converted if c is not None]
    start = time.time()
    end_to_end = [Example(nlp(d.text), d) for d in gold_docs]
    seconds = time.time() - start
    ents = Scorer.score_spans(end_to_end, "ents")
    rel_e2e = score_relations(end_to_end)
    rel_gold = score_relations(predict_given_gold_pipeline(nlp, gold_docs))
    return {"ents_p": ents["ents_p"], "ents_r": ents["ents_r"], "ents_f": ents["ents_f"],
            "ents_per_type": ents["ents_per_type"],
            "rel_e2e_p": rel_e2e["rel_micro_p"], "rel_e2e_r": rel_e2e["rel_micro_r"], "rel_e2e_f": rel_e2e["rel_micro_f"],
            "rel_gold_p": rel_gold["rel_micro_p"], "rel_gold_r": rel_gold["rel_micro_r"], "rel_gold_f": rel_gold["rel_micro_f"],
            "predict_seconds": seconds, "docs": len(gold_docs)}


def predict_given_gold_pipeline(nlp, gold_docs: List[Doc]) -> List[Example]:
    from healthkg.nlp import relations_given_entities

    return [Example(relations_given_entities(nlp, d.text, [(e.start_char, e.end_char, e.label_) for e in d.ents]), d)
            for d in gold_docs]
