"""Precision/recall/F1 over sets of spans and relations: per label, micro and macro.

Shared by the rule baseline, model evaluation and annotation agreement, so one definition of
"the same entity" and "the same relation" holds everywhere:

- an entity is (start, end, label); it matches only an identical tuple;
- a relation is (head_span, tail_span, label) with spans as (start, end, label) (or (start, end)
  if the caller wants to ignore entity labels); it matches only an identical tuple, except that
  symmetric types (PARTNER_OF) are compared unordered.

Items carry a document key when they come from several documents: prefix the tuples with the
article id, e.g. ("000_...", 4, 10, "COMPANY"), and give `label_of` that picks the label.
"""
from dataclasses import dataclass, field
from typing import Callable, Dict, Hashable, Iterable, List, Optional, Set, Tuple

try:
    from healthkg.pipeline.schema import SYMMETRIC_RELATIONS
except ImportError:  # pragma: no cover
    SYMMETRIC_RELATIONS = frozenset({"PARTNER_OF"})


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        """Number of gold items."""
        return self.tp + self.fn

    def add(self, other: "PRF") -> "PRF":
        return PRF(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def to_dict(self) -> dict:
        return {"p": round(self.precision, 4), "r": round(self.recall, 4), "f": round(self.f1, 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class Scores:
    per_label: Dict[str, PRF] = field(default_factory=dict)

    @property
    def micro(self) -> PRF:
        total = PRF()
        for prf in self.per_label.values():
            total = total.add(prf)
        return total

    def macro(self, labels: Optional[Iterable[str]] = None) -> Tuple[float, float, float]:
        """Mean P, R, F over `labels` (default: every label seen in gold or predictions).

        Labels with no gold and no predictions are skipped so they do not count as 0 or 1.
        """
        names = list(labels) if labels is not None else sorted(self.per_label)
        rows = [self.per_label[n] for n in names
                if n in self.per_label and (self.per_label[n].support or self.per_label[n].fp)]
        if not rows:
            return 0.0, 0.0, 0.0
        n = len(rows)
        return (sum(r.precision for r in rows) / n, sum(r.recall for r in rows) / n,
                sum(r.f1 for r in rows) / n)

    def add(self, other: "Scores") -> "Scores":
        merged = dict(self.per_label)
        for label, prf in other.per_label.items():
            merged[label] = merged.get(label, PRF()).add(prf)
        return Scores(merged)

    def to_dict(self, labels: Optional[Iterable[str]] = None) -> dict:
        mp, mr, mf = self.macro(labels)
        return {"per_label": {k: v.to_dict() for k, v in sorted(self.per_label.items())},
                "micro": self.micro.to_dict(),
                "macro": {"p": round(mp, 4), "r": round(mr, 4), "f": round(mf, 4)}}


def _last(item: tuple) -> str:
    return item[-1]


def score_sets(gold: Iterable[Hashable], predicted: Iterable[Hashable],
               label_of: Callable[[Hashable], str] = _last) -> Scores:
    """Per-label TP/FP/FN of exact matches between two collections of hashable items."""
    gold_set, pred_set = set(gold), set(predicted)
    scores: Dict[str, PRF] = {}
    for item in gold_set | pred_set:
        prf = scores.setdefault(label_of(item), PRF())
        if item in gold_set and item in pred_set:
            prf.tp += 1
        elif item in gold_set:
            prf.fn += 1
        else:
            prf.fp += 1
    return Scores(scores)


def score_entities(gold: Iterable[tuple], predicted: Iterable[tuple]) -> Scores:
    """Entities as (start, end, label) or (doc_key, start, end, label)."""
    return score_sets(gold, predicted)


def canonical_relation(relation: tuple, symmetric: frozenset = SYMMETRIC_RELATIONS) -> tuple:
    """(…, head, tail, label) with head/tail sorted for symmetric labels, so order does not matter."""
    *prefix, head, tail, label = relation
    if label in symmetric and tail < head:
        head, tail = tail, head
    return (*prefix, head, tail, label)


def score_relations(gold: Iterable[tuple], predicted: Iterable[tuple],
                    symmetric: frozenset = SYMMETRIC_RELATIONS) -> Scores:
    """Relations as (head_span, tail_span, label), optionally prefixed by a doc key.

    Spans are tuples like (start, end, label): a relation counts only when both spans (with
    their labels), the type and, except for symmetric types, the direction are right.
    """
    return score_sets({canonical_relation(r, symmetric) for r in gold},
                      {canonical_relation(r, symmetric) for r in predicted})


def format_table(scores: Scores, title: str = "", labels: Optional[Iterable[str]] = None) -> str:
    """A plain-text (Markdown) table: one row per label, then micro and macro."""
    names = list(labels) if labels is not None else sorted(scores.per_label)
    lines = []
    if title:
        lines.append(f"**{title}**\n")
    lines.append("| label | P | R | F | gold | pred | tp |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|")
    for name in names:
        prf = scores.per_label.get(name, PRF())
        lines.append(f"| {name} | {prf.precision:.3f} | {prf.recall:.3f} | {prf.f1:.3f} | "
                     f"{prf.support} | {prf.tp + prf.fp} | {prf.tp} |")
    micro = scores.micro
    lines.append(f"| micro | {micro.precision:.3f} | {micro.recall:.3f} | {micro.f1:.3f} | "
                 f"{micro.support} | {micro.tp + micro.fp} | {micro.tp} |")
    mp, mr, mf = scores.macro(names)
    lines.append(f"| macro | {mp:.3f} | {mr:.3f} | {mf:.3f} | | | |")
    return "\n".join(lines)
