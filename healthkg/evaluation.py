"""Held-out evaluation: the trained pipeline and the baselines on the same gold articles.

Everything is scored at article level with offsets into the clean article text (paragraphs joined
with "\\n", as `assemble_article` does), using the one definition of a match in
`healthkg.scoring`:

- entities: (article, start, end, label), exact;
- relations: (article, head span, tail span, relation) where a span is (start, end, label), so a
  relation counts only when both arguments have the right boundaries and labels, the type is right
  and, except for PARTNER_OF, the direction is right. "End to end" uses the pipeline's own
  entities; "given gold entities" runs only the relation part of the pipeline on the gold spans.

Systems that can only produce some labels (jieba, jiagu) are scored on those labels only: gold
entities of other labels are dropped before scoring, and the model is scored on the same subset
next to them so the comparison is like for like.
"""
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from healthkg.corpus import Paragraph, assemble_article, read_corpus
from healthkg.pipeline.schema import ENTITY_LABELS, ORG_LABELS, RELATION_TYPES
from healthkg.scoring import Scores, canonical_relation, score_entities, score_relations

DEFAULT_GOLD_DIR = Path("corpus/annotations")

Span3 = Tuple[int, int, str]  # (start, end, label), article offsets
RelationTuple = Tuple[Span3, Span3, str]


@dataclass
class GoldArticle:
    article_id: str
    text: str
    paragraphs: List[Tuple[int, str]]  # (offset in article text, paragraph text)
    entities: Set[Span3]
    relations: Set[RelationTuple]


@dataclass
class Prediction:
    """One system's output for one article; relations is None when the system makes none."""

    entities: Set[Span3] = field(default_factory=set)
    relations: Optional[Set[RelationTuple]] = None


def gold_article(paragraphs: List[Paragraph]) -> GoldArticle:
    assembled = assemble_article(paragraphs)
    relations = set()
    for head_key, tail_key, label in assembled.relations:
        relations.add((assembled.entities[head_key], assembled.entities[tail_key], label))
    ordered = sorted(paragraphs, key=lambda p: p.index)
    return GoldArticle(assembled.article_id, assembled.text, [(p.offset, p.text) for p in ordered],
                       set(assembled.entities.values()), relations)


def resolve_gold_dir(gold_dir: Optional[Path] = None) -> Path:
    """`gold_dir`, else corpus/annotations."""
    if gold_dir is not None:
        if not Path(gold_dir).is_dir():
            raise FileNotFoundError(f"{gold_dir}: gold annotation folder not found")
        return Path(gold_dir)
    if DEFAULT_GOLD_DIR.is_dir() and any(DEFAULT_GOLD_DIR.glob("*.jsonl")):
        return DEFAULT_GOLD_DIR
    raise FileNotFoundError(f"no gold annotations: {DEFAULT_GOLD_DIR} has no *.jsonl files")


def load_gold(gold_dir: Path) -> Dict[str, GoldArticle]:
    return {aid: gold_article(paragraphs) for aid, paragraphs in read_corpus(gold_dir).items()}


def load_split(splits_path: Path, split: str = "fixed", fold: Optional[int] = None) -> dict:
    """{"train": [...], "dev": [...], "test": [...]} for the fixed split or one cv fold."""
    splits = json.loads(Path(splits_path).read_text(encoding="utf-8"))
    if split == "fixed":
        return splits["fixed"]
    if split == "cv":
        for entry in splits["cv"]:
            if int(entry["fold"]) == int(fold):
                return entry
        raise KeyError(f"{splits_path}: no cv fold {fold}")
    raise ValueError(f"unknown split {split!r} (use 'fixed' or 'cv')")


# -- scoring ---------------------------------------------------------------------------------------

def keyed_entities(article_id: str, entities: Iterable[Span3], labels: Optional[Set[str]] = None,
                   relabel: Optional[Callable[[str], str]] = None) -> Set[tuple]:
    out = set()
    for start, end, label in entities:
        if relabel:
            label = relabel(label)
        if labels is None or label in labels:
            out.add((article_id, start, end, label))
    return out


def keyed_relations(article_id: str, relations: Iterable[RelationTuple]) -> Set[tuple]:
    return {(article_id, tuple(head), tuple(tail), label) for head, tail, label in relations}


def collapse_org(label: str) -> str:
    """COMPANY/HOSPITAL/GOV/ORG -> ORG_ANY: scores finding an organisation, whatever its type."""
    return "ORG_ANY" if label in ORG_LABELS else label


def score_system(gold: Dict[str, GoldArticle], predictions: Dict[str, Prediction],
                 labels: Optional[Set[str]] = None, relabel: Optional[Callable[[str], str]] = None) -> Scores:
    gold_items, pred_items = set(), set()
    for aid, article in gold.items():
        gold_items |= keyed_entities(aid, article.entities, labels, relabel)
        pred_items |= keyed_entities(aid, predictions.get(aid, Prediction()).entities, labels, relabel)
    return score_entities(gold_items, pred_items)


def score_system_relations(gold: Dict[str, GoldArticle], relations: Dict[str, Set[RelationTuple]]) -> Scores:
    gold_items, pred_items = set(), set()
    for aid, article in gold.items():
        gold_items |= keyed_relations(aid, article.relations)
        pred_items |= keyed_relations(aid, relations.get(aid, set()))
    return score_relations(gold_items, pred_items)


def restrict(scores: Scores, labels: Iterable[str]) -> Scores:
    return Scores({k: v for k, v in scores.per_label.items() if k in set(labels)})


# -- error listing ---------------------------------------------------------------------------------

def _overlaps(a: Span3, b: Span3) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def entity_errors(article: GoldArticle, predicted: Set[Span3], labels: Optional[Set[str]] = None,
                  relabel: Optional[Callable[[str], str]] = None) -> Dict[str, List[dict]]:
    """Every false positive and false negative, each with the kind of mistake.

    kinds: "label" (same span, other label), "boundary" (overlaps a span of the same label),
    "boundary+label", "spurious" (FP touching no gold entity), "missed" (FN touching no prediction).
    """
    def norm(ents):
        out = set()
        for s, e, l in ents:
            l = relabel(l) if relabel else l
            if labels is None or l in labels:
                out.add((s, e, l))
        return out

    gold, pred = norm(article.entities), norm(predicted)

    def describe(item: Span3, others: Set[Span3], none_kind: str) -> dict:
        start, end, label = item
        kind = none_kind
        near = None
        for other in sorted(others):
            if not _overlaps(item, other):
                continue
            same_span = other[:2] == item[:2]
            kind = "label" if same_span else ("boundary" if other[2] == label else "boundary+label")
            near = {"start": other[0], "end": other[1], "label": other[2], "text": article.text[other[0]:other[1]]}
            if same_span:
                break
        return {"article": article.article_id, "start": start, "end": end, "label": label,
                "text": article.text[start:end], "kind": kind, "near": near,
                "context": article.text[max(0, start - 12):end + 12].replace("\n", " ")}

    return {"fp": [describe(x, gold, "spurious") for x in sorted(pred - gold)],
            "fn": [describe(x, pred, "missed") for x in sorted(gold - pred)]}


def relation_errors(article: GoldArticle, predicted: Set[RelationTuple], predicted_entities: Set[Span3]) -> Dict[str, List[dict]]:
    """False positive / negative relations; kinds: "direction", "type", "argument", "spurious", "missed"."""
    gold = {canonical_relation(r) for r in article.relations}
    pred = {canonical_relation(r) for r in predicted}
    gold_pairs = {}
    for head, tail, label in gold:
        gold_pairs.setdefault((head, tail), set()).add(label)
    pred_pairs = {}
    for head, tail, label in pred:
        pred_pairs.setdefault((head, tail), set()).add(label)

    def show(rel, kind):
        head, tail, label = rel
        return {"article": article.article_id, "label": label, "kind": kind,
                "head": {"start": head[0], "end": head[1], "label": head[2], "text": article.text[head[0]:head[1]]},
                "tail": {"start": tail[0], "end": tail[1], "label": tail[2], "text": article.text[tail[0]:tail[1]]}}

    fps, fns = [], []
    for rel in sorted(pred - gold):
        head, tail, label = rel
        if label in gold_pairs.get((tail, head), ()):
            kind = "direction"
        elif gold_pairs.get((head, tail)) or gold_pairs.get((tail, head)):
            kind = "type"
        elif head not in article.entities or tail not in article.entities:
            kind = "argument"  # an argument is not a gold entity (boundary or label wrong)
        else:
            kind = "spurious"
        fps.append(show(rel, kind))
    for rel in sorted(gold - pred):
        head, tail, label = rel
        if label in pred_pairs.get((tail, head), ()):
            kind = "direction"
        elif pred_pairs.get((head, tail)) or pred_pairs.get((tail, head)):
            kind = "type"
        elif head not in predicted_entities or tail not in predicted_entities:
            kind = "argument"  # the pipeline did not find both arguments exactly
        else:
            kind = "missed"
        fns.append(show(rel, kind))
    return {"fp": fps, "fn": fns}


# -- robustness ------------------------------------------------------------------------------------

def script_robustness(original: Dict[str, Set[Span3]], converted: Dict[str, Optional[Set[Span3]]],
                      scripts: Dict[str, str]) -> dict:
    """Share of identical entities (offset + label) between each article and its other-script form."""
    per_article, same_total, union_total, orig_total, conv_total = {}, 0, 0, 0, 0
    for aid, ents in original.items():
        other = converted.get(aid)
        if other is None:
            per_article[aid] = {"script": scripts.get(aid), "aligned": False}
            continue
        same, union = len(ents & other), len(ents | other)
        per_article[aid] = {"script": scripts.get(aid), "aligned": True, "original": len(ents),
                            "converted": len(other), "identical": same,
                            "identical_share": round(same / union, 4) if union else None}
        same_total += same
        union_total += union
        orig_total += len(ents)
        conv_total += len(other)
    return {"per_article": per_article, "original": orig_total, "converted": conv_total,
            "identical": same_total,
            # None when neither form has any entity: nothing to compare, not perfect agreement
            "identical_share": round(same_total / union_total, 4) if union_total else None,
            "definition": "identical / (entities found in either form), matching offset and label"}


# -- the whole evaluation --------------------------------------------------------------------------

@dataclass
class SystemSpec:
    """How a system is scored: the labels it can produce and an optional coarse relabelling."""

    name: str
    description: str
    labels: Optional[Set[str]] = None  # None: all 11
    predict: Optional[Callable[[GoldArticle], Prediction]] = None


def evaluate_systems(gold: Dict[str, GoldArticle], predictions: Dict[str, Dict[str, Prediction]],
                     specs: Dict[str, SystemSpec],
                     relations_given_gold: Optional[Dict[str, Set[RelationTuple]]] = None,
                     reference: str = "model") -> dict:
    """Scores and error lists for every system in `predictions` ({system: {article: Prediction}})."""
    systems, errors = {}, {}
    all_labels = list(ENTITY_LABELS)
    for name, per_article in predictions.items():
        spec = specs[name]
        labels = spec.labels
        label_list = [l for l in all_labels if labels is None or l in labels]
        entities = score_system(gold, per_article, labels)
        coarse_labels = {collapse_org(l) for l in label_list}
        coarse = score_system(gold, per_article, coarse_labels, collapse_org)
        result = {"description": spec.description, "labels_scored": label_list,
                  "entities": entities.to_dict(label_list),
                  "entities_org_collapsed": coarse.to_dict(sorted(coarse_labels))}
        errs = {"entities": {"fp": [], "fn": []}}
        for aid, article in gold.items():
            found = per_article.get(aid, Prediction()).entities
            e = entity_errors(article, found, labels)
            errs["entities"]["fp"] += e["fp"]
            errs["entities"]["fn"] += e["fn"]
        has_relations = any(p.relations is not None for p in per_article.values())
        if has_relations:
            rels = {aid: p.relations or set() for aid, p in per_article.items()}
            result["relations_end_to_end"] = score_system_relations(gold, rels).to_dict(RELATION_TYPES)
            errs["relations_end_to_end"] = {"fp": [], "fn": []}
            for aid, article in gold.items():
                p = per_article.get(aid, Prediction())
                e = relation_errors(article, p.relations or set(), p.entities)
                errs["relations_end_to_end"]["fp"] += e["fp"]
                errs["relations_end_to_end"]["fn"] += e["fn"]
        if name == reference and relations_given_gold is not None:
            result["relations_given_gold"] = score_system_relations(gold, relations_given_gold).to_dict(RELATION_TYPES)
            errs["relations_given_gold"] = {"fp": [], "fn": []}
            for aid, article in gold.items():
                e = relation_errors(article, relations_given_gold.get(aid, set()), article.entities)
                errs["relations_given_gold"]["fp"] += e["fp"]
                errs["relations_given_gold"]["fn"] += e["fn"]
        systems[name] = result
        errors[name] = errs
    # The reference system scored on each baseline's label subset, for a like-for-like table.
    if reference in predictions:
        for name, spec in specs.items():
            if name == reference or name not in predictions or spec.labels is None:
                continue
            label_list = [l for l in all_labels if l in spec.labels]
            same = score_system(gold, predictions[reference], spec.labels)
            coarse_labels = {collapse_org(l) for l in label_list}
            coarse = score_system(gold, predictions[reference], coarse_labels, collapse_org)
            systems[name]["reference_on_same_labels"] = {
                "system": reference, "entities": same.to_dict(label_list),
                "entities_org_collapsed": coarse.to_dict(sorted(coarse_labels))}
    return {"systems": systems, "errors": errors}


def articles_payload(gold: Dict[str, GoldArticle], predictions: Dict[str, Dict[str, Prediction]],
                     relations_given_gold: Optional[Dict[str, Set[RelationTuple]]] = None) -> List[dict]:
    """Texts, gold and every system's output per article, for the HTML report's renderings."""
    def ents(items):
        return [{"start": s, "end": e, "label": l} for s, e, l in sorted(items)]

    def rels(items):
        return [{"head": list(h), "tail": list(t), "label": l} for h, t, l in sorted(items or [])]

    out = []
    for aid, article in sorted(gold.items()):
        record = {"id": aid, "text": article.text, "gold": {"entities": ents(article.entities),
                                                            "relations": rels(article.relations)},
                  "systems": {}}
        for name, per_article in predictions.items():
            p = per_article.get(aid, Prediction())
            record["systems"][name] = {"entities": ents(p.entities),
                                       "relations": rels(p.relations) if p.relations is not None else None}
        if relations_given_gold is not None:
            record["relations_given_gold"] = rels(relations_given_gold.get(aid, set()))
        out.append(record)
    return out


class Timer:
    def __init__(self):
        self.times: Dict[str, float] = {}

    def __call__(self, name: str):
        timer = self

        class _Block:
            def __enter__(self):
                self.start = time.perf_counter()

            def __exit__(self, *exc):
                timer.times[name] = round(timer.times.get(name, 0.0) + time.perf_counter() - self.start, 3)

        return _Block()
