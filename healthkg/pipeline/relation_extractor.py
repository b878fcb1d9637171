"""Relation extraction with a scikit-learn classifier over hand-made pair features.

Factory "relation_extractor". It scores every candidate pair (`relations.candidate_pairs`: two
entities in one sentence that the schema allows a relation for) with a logistic regression over
features of the pair: labels, distance, the characters and cue words between and around the two
mentions and, with `rule_features`, the relation the cue-word rules (`rule_relations`) give the
pair, so the classifier learns how far to trust each rule. Only relations the schema allows for the
pair's labels can win.

It trains inside `spacy train`: `initialize` fits the classifier on the gold entities and
relations of the training examples (docs whose `_.relations` is None, e.g. the auxiliary NER
corpora, carry no relation annotation and are skipped); `update` has nothing to do.
"""
import pickle
from typing import Callable, Iterable, List, Optional

import numpy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import ensure_path

try:
    from .relations import candidate_pairs, get_relations, gold_relation_index, make_relation
    from .rule_relations import find_relations
    from .schema import SYMMETRIC_RELATIONS
    from .script import to_simplified_aligned
except ImportError:  # imported on its own by `spacy package --code`
    from healthkg.pipeline.relations import candidate_pairs, get_relations, gold_relation_index, make_relation
    from healthkg.pipeline.rule_relations import find_relations
    from healthkg.pipeline.schema import SYMMETRIC_RELATIONS
    from healthkg.pipeline.script import to_simplified_aligned

NO_RELATION = "NONE"

# Words that state a relation in the guideline; matched on the simplified text.
CUE_WORDS = (
    "合作", "签署", "签约", "协议", "共建", "携手", "联合", "联手", "战略", "共同",
    "投资", "入股", "注资", "持股", "收购", "领投", "融资", "股东", "控股", "参股",
    "旗下", "附属", "子公司", "下属", "隶属", "成立", "设立", "所属",
    "担任", "出任", "任", "兼", "就职", "院长", "董事长", "负责人",
    "位于", "落户", "设在", "在", "地处", "总部",
    "简称", "以下简称", "即", "原", "又称",
    "与", "和", "及", "同", "、", ",", ",", ":", ":", "的", "(", "(", "“",
)


def _bucket(n: int) -> str:
    for limit in (0, 1, 2, 3, 5, 8, 12, 20, 40):
        if n <= limit:
            return str(limit)
    return "more"


def pair_features(text: str, head, tail, ents_between: List) -> dict:
    """Sparse features of one ordered pair; `text` is the simplified doc text."""
    first, second = (head, tail) if head.start_char < tail.start_char else (tail, head)
    between = text[first.end_char:second.start_char]
    before = text[max(0, first.start_char - 4):first.start_char]
    after = text[second.end_char:second.end_char + 4]
    head_text = text[head.start_char:head.end_char]
    tail_text = text[tail.start_char:tail.end_char]
    f = {
        "labels=" + head.label_ + ">" + tail.label_: 1,
        "head=" + head.label_: 1,
        "tail=" + tail.label_: 1,
        "head_first": int(head.start_char < tail.start_char),
        "dist=" + _bucket(len(between)): 1,
        "n_between=" + _bucket(len(ents_between)): 1,
        "adjacent": int(len(between) == 0),
        "between_start=" + between[:2]: 1,
        "between_end=" + between[-2:]: 1,
        "before=" + before[-2:]: 1,
        "after=" + after[:2]: 1,
        "after1=" + after[:1]: 1,
        "before1=" + before[-1:]: 1,
    }
    if len(between) <= 6:
        f["between=" + between] = 1
    for cue in CUE_WORDS:
        if cue in between:
            f["cue_between=" + cue] = 1
        if cue in after:
            f["cue_after=" + cue] = 1
    for i in range(len(between)):
        f["bc=" + between[i]] = 1
        if i + 1 < len(between):
            f["bb=" + between[i:i + 2]] = 1
    for ent in ents_between:
        f["ent_between=" + ent.label_] = 1
    same_label_between = sum(1 for e in ents_between if e.label_ in (head.label_, tail.label_))
    f["same_label_between=" + _bucket(same_label_between)] = 1
    # short name / full name: the shorter mention's characters all appear in the longer one
    short, long = sorted((head_text, tail_text), key=len)
    if short and all(c in long for c in short):
        f["chars_contained"] = 1
        f["chars_contained_dir=" + str(len(head_text) <= len(tail_text))] = 1
    if long.startswith(short[:1]):
        f["same_first_char"] = 1
    return f


def rule_relation_index(doc: Doc) -> dict:
    """((head start, end), (tail start, end)) -> label, from the cue-word rules on doc.ents."""
    entities = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
    return {(tuple(head), tuple(tail)): label for head, tail, label in find_relations(doc.text, entities)}


def doc_pairs(doc: Doc, rule_features: bool = False):
    """(head, tail, allowed labels, features) for each candidate pair of `doc`."""
    text = to_simplified_aligned(doc.text)
    ents = sorted(doc.ents, key=lambda e: e.start_char)
    rules = rule_relation_index(doc) if rule_features else {}
    out = []
    for head, tail, allowed in candidate_pairs(doc, ents):
        lo = min(head.end_char, tail.end_char)
        hi = max(head.start_char, tail.start_char)
        between = [e for e in ents if e.start_char >= lo and e.end_char <= hi]
        features = pair_features(text, head, tail, between)
        if rule_features:
            key = ((head.start_char, head.end_char), (tail.start_char, tail.end_char))
            if key in rules:
                features["rule=" + rules[key]] = 1
            elif key[::-1] in rules:
                features["rule_reversed=" + rules[key[::-1]]] = 1
            else:
                features["rule=none"] = 1
        out.append((head, tail, allowed, features))
    return out


def training_pairs(docs: Iterable[Doc], rule_features: bool = False):
    """Features and gold labels (NONE when no relation) of the candidate pairs of gold docs."""
    X, y = [], []
    for doc in docs:
        if doc._.relations is None:
            continue
        gold = gold_relation_index(doc)
        for head, tail, allowed, feats in doc_pairs(doc, rule_features):
            label = gold.get(((head.start_char, head.end_char), (tail.start_char, tail.end_char)), NO_RELATION)
            X.append(feats)
            y.append(label if label in allowed else NO_RELATION)
    return X, y


def unique_reference_docs(examples: Iterable[Example]) -> List[Doc]:
    """Reference docs with relation annotation, once each (training corpora may repeat gold docs)."""
    seen, docs = set(), []
    for eg in examples:
        doc = eg.reference
        if doc._.relations is None:
            continue
        key = (doc.user_data.get("article_id"), doc.user_data.get("paragraph_index"), doc.text)
        if key in seen:
            continue
        seen.add(key)
        docs.append(doc)
    return docs


class FeatureRelationExtractor:
    def __init__(self, nlp: Language, name: str, threshold: float, C: float, class_weight: Optional[str],
                 rule_features: bool = True):
        self.name = name
        self.threshold = threshold
        self.rule_features = rule_features
        self.C = C
        self.class_weight = class_weight
        self.vectorizer = None
        self.classifier = None

    # -- training -------------------------------------------------------------------------------
    def initialize(self, get_examples: Callable[[], Iterable[Example]], *, nlp: Language = None):
        self.fit(unique_reference_docs(get_examples()))

    def fit(self, docs: Iterable[Doc]) -> "FeatureRelationExtractor":
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        X, y = training_pairs(docs, self.rule_features)
        self.vectorizer = DictVectorizer()
        if not X or len(set(y)) < 2:
            # nothing to learn from: predict no relation rather than fail the whole training run
            self.classifier = None
            return self
        matrix = self.vectorizer.fit_transform(X)
        self.classifier = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=2000)
        self.classifier.fit(matrix, y)
        return self

    def update(self, examples, *, drop: float = 0.0, sgd=None, losses=None):
        losses = {} if losses is None else losses
        losses.setdefault(self.name, 0.0)
        return losses

    # -- prediction -----------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        pairs = doc_pairs(doc, self.rule_features)
        relations = []
        if pairs and self.classifier is not None:
            probs = self.classifier.predict_proba(self._vectorize([p[3] for p in pairs]))
            classes = list(self.classifier.classes_)
            for (head, tail, allowed, _), row in zip(pairs, probs):
                best_label, best = NO_RELATION, row[classes.index(NO_RELATION)] if NO_RELATION in classes else 0.0
                for label in allowed:
                    if label in classes and row[classes.index(label)] > best:
                        best_label, best = label, row[classes.index(label)]
                if best_label != NO_RELATION and best >= self.threshold:
                    relations.append(make_relation(head, tail, best_label, best))
        doc._.relations = _resolve_conflicts(relations)
        return doc

    def _vectorize(self, rows: List[dict]):
        """The same matrix as `self.vectorizer.transform(rows)` for numeric feature values, built
        directly: DictVectorizer checks the type of every value and was most of the prediction time."""
        from scipy.sparse import csr_matrix

        vocabulary = self.vectorizer.vocabulary_
        indices, values, indptr = [], [], [0]
        for row in rows:
            # DictVectorizer sorts each row's columns; csr_matrix does not need it, but keep it identical
            for column, value in sorted((vocabulary[k], v) for k, v in row.items() if k in vocabulary and v):
                indices.append(column)
                values.append(value)
            indptr.append(len(indices))
        return csr_matrix((numpy.asarray(values, dtype=self.vectorizer.dtype), indices, indptr),
                          shape=(len(rows), len(vocabulary)))

    def pipe(self, stream, batch_size: int = 128):
        for doc in stream:
            yield self(doc)

    def score(self, examples: Iterable[Example], **kwargs) -> dict:
        return score_relations(examples)

    # -- serialisation --------------------------------------------------------------------------
    def to_bytes(self, *, exclude=tuple()) -> bytes:
        return pickle.dumps({"threshold": self.threshold, "C": self.C, "class_weight": self.class_weight,
                             "rule_features": self.rule_features,
                             "vectorizer": self.vectorizer, "classifier": self.classifier})

    def from_bytes(self, data: bytes, *, exclude=tuple()):
        state = pickle.loads(data)
        self.threshold, self.C, self.class_weight = state["threshold"], state["C"], state["class_weight"]
        self.rule_features = state.get("rule_features", False)
        self.vectorizer, self.classifier = state["vectorizer"], state["classifier"]
        return self

    def to_disk(self, path, *, exclude=tuple()):
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "model.pkl").write_bytes(self.to_bytes())

    def from_disk(self, path, *, exclude=tuple()):
        return self.from_bytes((ensure_path(path) / "model.pkl").read_bytes())


def _resolve_conflicts(relations: List[dict]) -> List[dict]:
    """Keep one relation per unordered pair of mentions: the highest score (a pair states one fact)."""
    best = {}
    for rel in relations:
        key = tuple(sorted((tuple(rel["head"]), tuple(rel["tail"]))))
        if key not in best or rel["score"] > best[key]["score"]:
            best[key] = rel
    return sorted(best.values(), key=lambda r: (r["head"][0], r["tail"][0]))


def relation_key(rel: dict, with_label: bool = True):
    head, tail = tuple(rel["head"]), tuple(rel["tail"])
    if rel["label"] in SYMMETRIC_RELATIONS and tail < head:
        head, tail = tail, head
    return (head, tail, rel["label"]) if with_label else (head, tail)


def score_relations(examples: Iterable[Example]) -> dict:
    """Micro P/R/F of relations: offsets of both arguments, label and direction must match.

    Used for model selection during `spacy train`; the evaluation reports have their own scorer.
    """
    tp = fp = fn = 0
    for eg in examples:
        if eg.reference._.relations is None:
            continue
        gold = {relation_key(r) for r in get_relations(eg.reference)}
        pred = {relation_key(r) for r in get_relations(eg.predicted)}
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"rel_micro_p": p, "rel_micro_r": r, "rel_micro_f": f}


@Language.factory(
    "relation_extractor",
    assigns=["doc._.relations"],
    requires=["doc.ents"],
    default_config={"threshold": 0.5, "C": 1.0, "class_weight": "balanced", "rule_features": True},
    default_score_weights={"rel_micro_f": 0.0, "rel_micro_p": None, "rel_micro_r": None},
)
def make_relation_extractor(nlp: Language, name: str, threshold: float, C: float, class_weight: Optional[str],
                            rule_features: bool):
    return FeatureRelationExtractor(nlp, name, threshold, C, class_weight, rule_features)
