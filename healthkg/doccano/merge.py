"""Merge paragraphs pulled from doccano into the gold corpus, and describe what changes.

Entities are matched to the gold by their span (so a changed label is a relabel, and an unchanged
entity keeps its corpus id); relations by their two arguments and type. New entities and relations
get ids after the largest id of their article. Removing gold annotations and writing an article
whose paragraphs are not all there are reported as blocking, to be overridden only by --force.
"""
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Tuple

from ..corpus import Entity, Paragraph, Relation
from ..validation import check_paragraph


@dataclass
class ArticleChanges:
    added_entities: List[str] = field(default_factory=list)
    removed_entities: List[str] = field(default_factory=list)
    relabelled_entities: List[str] = field(default_factory=list)
    added_relations: List[str] = field(default_factory=list)
    removed_relations: List[str] = field(default_factory=list)
    relabelled_relations: List[str] = field(default_factory=list)
    new_paragraphs: int = 0

    @property
    def any(self) -> bool:
        return bool(self.new_paragraphs or self.added_entities or self.removed_entities or self.relabelled_entities
                    or self.added_relations or self.removed_relations or self.relabelled_relations)

    @property
    def removals(self) -> int:
        return len(self.removed_entities) + len(self.removed_relations)


@dataclass
class MergeResult:
    articles: Dict[str, List[Paragraph]]  # merged paragraphs of every article that changes
    changes: Dict[str, ArticleChanges]
    errors: List[str]  # invalid pulled data: never written
    blocking: List[str]  # needs --force: removals, incomplete new articles
    unchanged_paragraphs: int = 0

    @property
    def can_write(self) -> bool:
        return not self.errors


def _describe(p: Paragraph, start: int, end: int, label: str) -> str:
    return f"{p.index}:{p.text[start:end]!r}[{start}:{end}] {label}"


def _remap(pulled: Paragraph, old: Optional[Paragraph], next_entity_id, next_relation_id,
           changes: ArticleChanges) -> Paragraph:
    old_entities = {(e.start, e.end): e for e in old.entities} if old else {}
    old_by_id = {e.id: e for e in old.entities} if old else {}
    id_map, kept, added = {}, [], []
    for e in sorted(pulled.entities, key=lambda e: (e.start, e.end)):
        previous = old_entities.get((e.start, e.end))
        if previous is not None and previous.id not in id_map.values():
            id_map[e.id] = previous.id
            kept.append(Entity(previous.id, e.label, e.start, e.end))
            if previous.label != e.label:
                changes.relabelled_entities.append(_describe(pulled, e.start, e.end, f"{previous.label} -> {e.label}"))
        else:
            id_map[e.id] = next_entity_id()
            added.append(Entity(id_map[e.id], e.label, e.start, e.end))
            changes.added_entities.append(_describe(pulled, e.start, e.end, e.label))
    kept_ids = {e.id for e in kept}
    for e in (old.entities if old else []):
        if e.id not in kept_ids:
            changes.removed_entities.append(_describe(old, e.start, e.end, e.label))
    order = {e.id: n for n, e in enumerate(old.entities)} if old else {}
    entities = sorted(kept, key=lambda e: order[e.id]) + added

    def span(entity_id, by_id):
        e = by_id.get(entity_id)
        return (e.start, e.end) if e else None

    old_relations = {}
    for r in (old.relations if old else []):
        old_relations.setdefault((span(r.head, old_by_id), span(r.tail, old_by_id), r.label), r)
    new_by_id = {e.id: e for e in entities}
    kept_r, added_r, matched = [], [], set()
    for r in pulled.relations:
        head, tail = id_map.get(r.head, -1), id_map.get(r.tail, -1)  # -1: dangling, caught by validation
        key = (span(head, new_by_id), span(tail, new_by_id), r.label)
        previous = old_relations.get(key)
        if previous is not None and previous.id not in matched:
            matched.add(previous.id)
            kept_r.append(Relation(previous.id, head, tail, r.label))
        else:
            added_r.append(Relation(next_relation_id(), head, tail, r.label))
    r_order = {r.id: n for n, r in enumerate(old.relations)} if old else {}
    relations = sorted(kept_r, key=lambda r: r_order[r.id]) + added_r
    removed_r = [r for r in (old.relations if old else []) if r.id not in matched]
    # a relation whose type changed between the same two spans is a relabel, not a removal plus an addition
    added_pairs = Counter((span(r.head, new_by_id), span(r.tail, new_by_id)) for r in added_r)
    for r in removed_r:
        pair = (span(r.head, old_by_id), span(r.tail, old_by_id))
        new_label = next((a.label for a in added_r if (span(a.head, new_by_id), span(a.tail, new_by_id)) == pair
                          and added_pairs[pair] > 0), None)
        text = f"{old.index}:{_arg(old, r.head, old_by_id)}->{_arg(old, r.tail, old_by_id)}"
        if new_label is not None:
            added_pairs[pair] -= 1
            changes.relabelled_relations.append(f"{text} {r.label} -> {new_label}")
        else:
            changes.removed_relations.append(f"{text} {r.label}")
    for r in added_r:
        pair = (span(r.head, new_by_id), span(r.tail, new_by_id))
        if added_pairs[pair] > 0:
            added_pairs[pair] -= 1
            changes.added_relations.append(
                f"{pulled.index}:{_arg(pulled, r.head, new_by_id)}->{_arg(pulled, r.tail, new_by_id)} {r.label}")
    return Paragraph(pulled.article_id, pulled.index, pulled.offset, pulled.text, entities, relations,
                     dict(pulled.extra), old.path if old else "", old.line if old else 0)


def _arg(p: Paragraph, entity_id: int, by_id: dict) -> str:
    e = by_id.get(entity_id)
    return repr(p.text[e.start:e.end]) if e else f"#{entity_id}"


def _counter(start: int):
    value = [start]

    def next_id() -> int:
        value[0] += 1
        return value[0]
    return next_id


def merge(gold: Dict[str, List[Paragraph]], pulled: Iterable[Tuple[Paragraph, dict]],
          paragraph_counts: Optional[Dict[str, int]] = None) -> MergeResult:
    """Merge `pulled` (paragraph, export details) into a copy of `gold`; `gold` itself is not changed.

    `paragraph_counts` (article id -> number of paragraphs in the clean text) lets an article that is
    new to the gold be checked for completeness.
    """
    result = MergeResult({}, {}, [], [])
    by_article: Dict[str, List[Tuple[Paragraph, dict]]] = {}
    for paragraph, details in pulled:
        by_article.setdefault(paragraph.article_id, []).append((paragraph, details))
    for article_id, items in sorted(by_article.items()):
        old_paragraphs = {p.index: p for p in gold.get(article_id, [])}
        seen = Counter(p.index for p, _ in items)
        for index, count in seen.items():
            if count > 1:
                result.errors.append(f"{article_id}:{index}: {count} doccano examples hold this paragraph; "
                                     "delete the extra ones in doccano")
        all_old = list(old_paragraphs.values())
        next_entity = _counter(max((e.id for p in all_old for e in p.entities), default=0))
        next_relation = _counter(max((r.id for p in all_old for r in p.relations), default=0))
        changes = ArticleChanges()
        differs = False
        merged = dict(old_paragraphs)
        for paragraph, details in sorted(items, key=lambda item: item[0].index):
            where = f"{article_id}:{paragraph.index} (doccano example {details['example_id']})"
            old = old_paragraphs.get(paragraph.index)
            if old is not None and (old.text != paragraph.text or old.offset != paragraph.offset):
                result.errors.append(f"{where}: the text or offset differs from the gold paragraph in {old.path}; "
                                     "the corpus and the doccano project hold different versions of this article")
                continue
            new = _remap(paragraph, old, next_entity, next_relation, changes)
            if old is None:
                changes.new_paragraphs += 1
                differs = True
            elif new.to_json() == old.to_json():
                result.unchanged_paragraphs += 1
            else:
                differs = True
            result.errors += [f"{where}: {problem}" for problem in check_paragraph(new)]
            merged[paragraph.index] = new
        if not old_paragraphs:
            expected = (paragraph_counts or {}).get(article_id)
            indexes = sorted(merged)
            missing = sorted(set(range(expected)) - set(indexes)) if expected else \
                [i for i in range(indexes[-1] + 1) if i not in merged]
            if missing:
                result.blocking.append(
                    f"{article_id} is new to the corpus but paragraphs {_ranges(missing)} were not pulled "
                    "(not approved yet?): the article file would be incomplete")
        if changes.removals:
            result.blocking.append(f"{article_id}: the pull would remove {len(changes.removed_entities)} entities and "
                                   f"{len(changes.removed_relations)} relations from the gold corpus")
        if changes.any or differs:
            result.changes[article_id] = changes
            result.articles[article_id] = [merged[i] for i in sorted(merged)]
    return result


def _ranges(numbers: List[int]) -> str:
    parts, start = [], None
    for n, value in enumerate(numbers):
        if start is None:
            start = value
        if n + 1 == len(numbers) or numbers[n + 1] != value + 1:
            parts.append(str(start) if start == value else f"{start}-{value}")
            start = None
    return ", ".join(parts)
