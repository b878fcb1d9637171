"""Relation extraction with a thinc pair classifier over its own character tok2vec.

Factory "relation_extractor_nn" (after explosion/projects' rel_component): each candidate pair
(`relations.candidate_pairs`) is the mean token vector of the head, of the tail and of the
characters between them, plus one-hot entity labels and a distance bucket; a hidden ReLU layer
and a softmax over NONE + the 7 relations. The schema's type constraints mask the output.

It trains with `spacy train` (initialize/update) on gold entities: during update the predicted
docs get the reference entities, so the classifier learns relations, not NER errors.
"""
from typing import Callable, Iterable, List, Optional, Tuple

import numpy
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.tokens import Doc
from spacy.training import Example
from spacy.vocab import Vocab
from spacy.util import registry
from thinc.api import Config, Model, Optimizer, Relu, Softmax, chain
from thinc.types import Floats2d

try:
    from .relation_extractor import NO_RELATION, _resolve_conflicts, score_relations
    from .relations import candidate_pairs, gold_relation_index, make_relation
    from .schema import ENTITY_LABELS, RELATION_TYPES
except ImportError:  # imported on its own by `spacy package --code`
    from healthkg.pipeline.relation_extractor import NO_RELATION, _resolve_conflicts, score_relations
    from healthkg.pipeline.relations import candidate_pairs, gold_relation_index, make_relation
    from healthkg.pipeline.schema import ENTITY_LABELS, RELATION_TYPES

CLASSES = (NO_RELATION,) + RELATION_TYPES
_DIST_BUCKETS = (0, 2, 5, 10, 20, 40)
EXTRA_WIDTH = 2 * len(ENTITY_LABELS) + len(_DIST_BUCKETS) + 2


def _extra_features(head, tail) -> numpy.ndarray:
    v = numpy.zeros((EXTRA_WIDTH,), dtype="f")
    v[ENTITY_LABELS.index(head.label_)] = 1
    v[len(ENTITY_LABELS) + ENTITY_LABELS.index(tail.label_)] = 1
    gap = max(head.start, tail.start) - min(head.end, tail.end)
    b = sum(1 for limit in _DIST_BUCKETS if gap > limit)
    v[2 * len(ENTITY_LABELS) + min(b, len(_DIST_BUCKETS) - 1)] = 1
    v[-2] = float(head.start < tail.start)
    v[-1] = 1.0
    return v


def doc_instances(doc: Doc) -> List[Tuple]:
    return candidate_pairs(doc)


def pair_pooler(tok2vec: Model) -> Model[List[Doc], Floats2d]:
    """Docs -> one row per candidate pair: [mean(head), mean(tail), mean(between), extra]."""
    return Model("pair_pooler", _pool_forward, layers=[tok2vec], refs={"tok2vec": tok2vec},
                 dims={"nO": None}, init=_pool_init)


def _pool_init(model, X=None, Y=None):
    tok2vec = model.get_ref("tok2vec")
    if X is not None:
        tok2vec.initialize(X=X)
    else:
        tok2vec.initialize()
    width = tok2vec.get_dim("nO")
    model.set_dim("nO", 3 * width + EXTRA_WIDTH)


def _pool_forward(model, docs: List[Doc], is_train: bool):
    tok2vec = model.get_ref("tok2vec")
    tokvecs, backprop_tok2vec = tok2vec(docs, is_train)
    width = tok2vec.get_dim("nO")
    rows, index = [], []  # index: (doc i, head range, tail range, between range)
    for i, doc in enumerate(docs):
        vecs = model.ops.to_numpy(tokvecs[i])
        for head, tail, _ in doc_instances(doc):
            lo, hi = min(head.end, tail.end), max(head.start, tail.start)
            between = (lo, hi) if hi > lo else None
            parts = [vecs[head.start:head.end].mean(axis=0), vecs[tail.start:tail.end].mean(axis=0),
                     vecs[between[0]:between[1]].mean(axis=0) if between else numpy.zeros((width,), dtype="f"),
                     _extra_features(head, tail)]
            rows.append(numpy.concatenate(parts))
            index.append((i, (head.start, head.end), (tail.start, tail.end), between))
    output = model.ops.asarray2f(numpy.vstack(rows)) if rows else model.ops.alloc2f(0, model.get_dim("nO"))

    def backprop(d_output: Floats2d):
        d_output = model.ops.to_numpy(d_output)
        d_tokvecs = [numpy.zeros(model.ops.to_numpy(t).shape, dtype="f") for t in tokvecs]
        for row, (i, h, t, b) in zip(d_output, index):
            for k, span in enumerate((h, t, b)):
                if span is None:
                    continue
                d_tokvecs[i][span[0]:span[1]] += row[k * width:(k + 1) * width] / (span[1] - span[0])
        return backprop_tok2vec([model.ops.asarray2f(d) for d in d_tokvecs])

    return output, backprop


class NNRelationExtractor(TrainablePipe):
    def __init__(self, vocab: Vocab, model: Model, name: str = "relation_extractor_nn", *, threshold: float = 0.5):
        self.vocab = vocab
        self.model = model
        self.name = name
        self.cfg = {"threshold": threshold}

    def predict(self, docs: Iterable[Doc]):
        docs = list(docs)
        if not any(doc_instances(d) for d in docs):
            return None
        return self.model.predict(docs)

    def set_annotations(self, docs: Iterable[Doc], scores) -> None:
        row = 0
        for doc in docs:
            relations = []
            for head, tail, allowed in doc_instances(doc):
                probs = self.model.ops.to_numpy(scores[row])
                row += 1
                best_label, best = NO_RELATION, probs[0]
                for label in allowed:
                    p = probs[CLASSES.index(label)]
                    if p > best:
                        best_label, best = label, p
                if best_label != NO_RELATION and best >= self.cfg["threshold"]:
                    relations.append(make_relation(head, tail, best_label, float(best)))
            doc._.relations = _resolve_conflicts(relations)

    def _training_docs(self, examples: Iterable[Example]) -> Tuple[List[Doc], List[Doc]]:
        """Predicted docs carrying the reference entities, and their references (only annotated ones)."""
        docs, refs = [], []
        for eg in examples:
            if eg.reference._.relations is None:
                continue
            doc = eg.predicted.copy()
            doc.ents = [doc.char_span(e.start_char, e.end_char, label=e.label_) for e in eg.reference.ents]
            docs.append(doc)
            refs.append(eg.reference)
        return docs, refs

    def _truth(self, docs: List[Doc], refs: List[Doc]) -> numpy.ndarray:
        truth = []
        for doc, ref in zip(docs, refs):
            gold = gold_relation_index(ref)
            for head, tail, allowed in doc_instances(doc):
                label = gold.get(((head.start_char, head.end_char), (tail.start_char, tail.end_char)), NO_RELATION)
                row = numpy.zeros((len(CLASSES),), dtype="f")
                row[CLASSES.index(label if label in allowed or label == NO_RELATION else NO_RELATION)] = 1
                truth.append(row)
        return numpy.vstack(truth) if truth else numpy.zeros((0, len(CLASSES)), dtype="f")

    def update(self, examples: Iterable[Example], *, drop: float = 0.0, sgd: Optional[Optimizer] = None,
               losses: Optional[dict] = None) -> dict:
        losses = {} if losses is None else losses
        losses.setdefault(self.name, 0.0)
        docs, refs = self._training_docs(examples)
        if not docs or not any(doc_instances(d) for d in docs):
            return losses
        scores, backprop = self.model.begin_update(docs)
        truth = self.model.ops.asarray2f(self._truth(docs, refs))
        d_scores = (scores - truth) / max(1, scores.shape[0])
        backprop(d_scores)
        if sgd is not None:
            self.finish_update(sgd)
        losses[self.name] += float((d_scores ** 2).sum())
        return losses

    def get_loss(self, examples, scores):
        raise NotImplementedError  # the loss is computed in update, on the gold-entity docs

    def initialize(self, get_examples: Callable[[], Iterable[Example]], *, nlp: Language = None) -> None:
        docs, _ = self._training_docs(list(get_examples())[:50])
        docs = [d for d in docs if doc_instances(d)] or [nlp.make_doc("。") if nlp else None]
        self.model.initialize(X=docs)

    def score(self, examples: Iterable[Example], **kwargs) -> dict:
        return score_relations(examples)


@registry.architectures("healthkg.RelationPairClassifier.v1")
def relation_pair_classifier(tok2vec: Model, hidden_width: int = 64, dropout: float = 0.1) -> Model[List[Doc], Floats2d]:
    return chain(pair_pooler(tok2vec), Relu(nO=hidden_width, dropout=dropout), Softmax(nO=len(CLASSES)))


DEFAULT_MODEL = """
[model]
@architectures = "healthkg.RelationPairClassifier.v1"
hidden_width = 64
dropout = 0.1

[model.tok2vec]
@architectures = "spacy.Tok2Vec.v2"

[model.tok2vec.embed]
@architectures = "spacy.MultiHashEmbed.v2"
width = 64
attrs = ["NORM","SHAPE"]
rows = [5000,500]
include_static_vectors = false

[model.tok2vec.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = 64
depth = 2
window_size = 2
maxout_pieces = 3
"""


@Language.factory(
    "relation_extractor_nn",
    assigns=["doc._.relations"],
    requires=["doc.ents"],
    default_config={"model": Config().from_str(DEFAULT_MODEL)["model"], "threshold": 0.5},
    default_score_weights={"rel_micro_f": 0.0, "rel_micro_p": None, "rel_micro_r": None},
)
def make_nn_relation_extractor(nlp: Language, name: str, model: Model, threshold: float):
    return NNRelationExtractor(nlp.vocab, model, name, threshold=threshold)
