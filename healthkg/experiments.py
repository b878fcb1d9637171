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


def compare_relation_approaches(docs_by_article: Dict[str, List[Doc]], factories=("relation_extractor", "relation_extractor_nn"),
                                epochs: int = 30) -> dict:
    """Leave-one-article-out relation P/R/F given gold entities, per approach (pooled over folds)."""
    results = {}
    for factory in factories:
        all_examples, seconds = [], 0.0
        for held_out in docs_by_article:
            train = [d for a, docs in docs_by_article.items() if a != held_out for d in docs]
            start = time.time()
            nlp = train_relations(factory, train, epochs=epochs)
            seconds += time.time() - start
            all_examples.extend(predict_given_gold(nlp, docs_by_article[held_out]))
        scores = score_relations(all_examples)
        scores["train_seconds"] = seconds
        results[factory] = scores
    return results
