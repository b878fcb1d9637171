"""Loading a trained pipeline and running its relation step on given entities."""
from typing import Iterable, Tuple

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from healthkg.pipeline import (lexicon, relation_extractor, relation_extractor_nn, relations, rule_entities,  # noqa: F401
                               script, sentences)

def load_pipeline(path) -> Language:
    """spacy.load with every healthkg.pipeline component registered."""
    return spacy.load(path)


RELATION_CLASSES = (relation_extractor.FeatureRelationExtractor, relation_extractor_nn.NNRelationExtractor)


def with_entities(nlp: Language, text: str, entities: Iterable[Tuple[int, int, str]]) -> Doc:
    doc = nlp.make_doc(text)
    spans = []
    for start, end, label in entities:
        span = doc.char_span(start, end, label=label)
        if span is None:
            raise ValueError(f"entity [{start}, {end}) {text[start:end]!r} does not align with character tokens")
        spans.append(span)
    doc.ents = spans
    return doc


def relations_given_entities(nlp: Language, text: str, entities: Iterable[Tuple[int, int, str]]) -> Doc:
    """Run the pipeline's non-NER steps and its relation extractor on `text` with the given entities."""
    doc = with_entities(nlp, text, entities)
    # everything except what sets or changes entities (ner, rule_entities) and what only feeds the ner
    skip = {"ner", "rule_entities", "entity_ruler", "tok2vec", "transformer"}
    for name, proc in nlp.pipeline:
        if name not in skip or isinstance(proc, RELATION_CLASSES):
            doc = proc(doc)
    return doc
