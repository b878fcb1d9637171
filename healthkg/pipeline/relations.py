"""The `Doc._.relations` extension and the candidate pairs that relation extractors score.

Relations are plain dicts {"head": [start, end], "tail": [start, end], "label": str, "score": float}
with character offsets into doc.text, so DocBin(store_user_data=True) and `spacy package` keep them.
"""
from typing import Iterable, List, Tuple

from spacy.tokens import Doc, Span

try:
    from .schema import SYMMETRIC_RELATIONS, allowed_relations
    from .sentences import sentence_spans
except ImportError:  # imported on its own by `spacy package --code`
    from healthkg.pipeline.schema import SYMMETRIC_RELATIONS, allowed_relations
    from healthkg.pipeline.sentences import sentence_spans

if not Doc.has_extension("relations"):
    Doc.set_extension("relations", default=None)


def get_relations(doc: Doc) -> List[dict]:
    return list(doc._.relations or [])


def normalize_relations(doc: Doc) -> Doc:
    """Offsets back to lists after DocBin (its msgpack turns lists inside user_data into tuples)."""
    if doc._.relations is not None:
        doc._.relations = [{**r, "head": list(r["head"]), "tail": list(r["tail"])} for r in doc._.relations]
    return doc


def make_relation(head: Span, tail: Span, label: str, score: float = 1.0) -> dict:
    return {"head": [head.start_char, head.end_char], "tail": [tail.start_char, tail.end_char],
            "label": label, "score": float(score)}


def candidate_pairs(doc: Doc, ents: Iterable[Span] = None) -> List[Tuple[Span, Span, List[str]]]:
    """Ordered entity pairs inside one sentence that the schema allows some relation for.

    Sentences come from `sentence_spans(doc.text)`, the rule used in annotation, so candidates are
    the same whether or not "zh_sentences" ran. A symmetric relation is only offered with the
    earlier mention as head, which is how the gold records it.
    """
    ents = sorted(doc.ents if ents is None else ents, key=lambda e: e.start_char)
    bounds = sentence_spans(doc.text)
    by_sentence = {}
    s = 0
    for ent in ents:
        while s < len(bounds) and bounds[s][1] <= ent.start_char:
            s += 1
        if s < len(bounds) and bounds[s][0] <= ent.start_char and ent.end_char <= bounds[s][1]:
            by_sentence.setdefault(s, []).append(ent)
    pairs = []
    for sentence_ents in by_sentence.values():
        for head in sentence_ents:
            for tail in sentence_ents:
                if head is tail:
                    continue
                labels = [r for r in allowed_relations(head.label_, tail.label_)
                          if r not in SYMMETRIC_RELATIONS or head.start_char < tail.start_char]
                if labels:
                    pairs.append((head, tail, labels))
    return pairs


def gold_relation_index(doc: Doc) -> dict:
    """(head offsets, tail offsets) -> label for the relations stored on a (gold) doc."""
    index = {}
    for rel in get_relations(doc):
        head, tail = tuple(rel["head"]), tuple(rel["tail"])
        if rel["label"] in SYMMETRIC_RELATIONS and tail[0] < head[0]:
            head, tail = tail, head
        index[(head, tail)] = rel["label"]
    return index
