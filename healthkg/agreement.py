"""Inter-annotator agreement between two annotation passes of the same articles, and their differences."""
from collections import defaultdict
from dataclasses import dataclass
from typing import Dict, List, Set, Tuple

from .corpus import Paragraph, assemble_article
from .pipeline.schema import ENTITY_LABELS, RELATION_TYPES
from .scoring import Scores, canonical_relation, score_entities, score_relations

EntityItem = Tuple[str, int, int, str]  # (article_id, start, end, label), article offsets
RelationItem = Tuple[str, Tuple[int, int, str], Tuple[int, int, str], str]


def corpus_items(corpus: Dict[str, List[Paragraph]]) -> Tuple[Set[EntityItem], Set[RelationItem]]:
    """All entities and relations of a corpus with article-level offsets."""
    entities, relations = set(), set()
    for article_id, paragraphs in corpus.items():
        article = assemble_article(paragraphs)
        for start, end, label in article.entities.values():
            entities.add((article_id, start, end, label))
        for head, tail, label in article.relations:
            relations.add(canonical_relation((article_id, article.entities[head], article.entities[tail], label)))
    return entities, relations


@dataclass
class Agreement:
    entities: Scores
    entity_spans: Scores  # boundaries only, labels ignored
    relations: Scores
    only_a: List[tuple]
    only_b: List[tuple]
    relations_only_a: List[tuple]
    relations_only_b: List[tuple]


def compare_passes(a: Dict[str, List[Paragraph]], b: Dict[str, List[Paragraph]]) -> Agreement:
    """Agreement of pass B against pass A (F1 is symmetric, so the order only names P and R)."""
    common = sorted(set(a) & set(b))
    ents_a, rels_a = corpus_items({k: a[k] for k in common})
    ents_b, rels_b = corpus_items({k: b[k] for k in common})
    spans_a = {(d, s, e, "span") for d, s, e, _ in ents_a}
    spans_b = {(d, s, e, "span") for d, s, e, _ in ents_b}
    return Agreement(
        entities=score_entities(ents_a, ents_b),
        entity_spans=score_entities(spans_a, spans_b),
        relations=score_relations(rels_a, rels_b),
        only_a=sorted(ents_a - ents_b), only_b=sorted(ents_b - ents_a),
        relations_only_a=sorted(rels_a - rels_b), relations_only_b=sorted(rels_b - rels_a),
    )


def agreement_report(agreement: Agreement, texts: Dict[str, str], name_a: str = "A", name_b: str = "B") -> str:
    """Markdown: the figures, then every difference with its text, for adjudication."""
    from .scoring import format_table

    e, s, r = agreement.entities.micro, agreement.entity_spans.micro, agreement.relations.micro
    lines = [
        f"# Agreement between annotation passes {name_a} and {name_b}", "",
        f"- entities (span + label): F1 {e.f1:.3f} ({e.tp} agreed, {e.fn} only in {name_a}, {e.fp} only in {name_b})",
        f"- entity spans (label ignored): F1 {s.f1:.3f}",
        f"- relations (both spans with labels, type, direction): F1 {r.f1:.3f} "
        f"({r.tp} agreed, {r.fn} only in {name_a}, {r.fp} only in {name_b})", "",
        format_table(agreement.entities, f"Entities, {name_b} scored against {name_a}", ENTITY_LABELS), "",
        format_table(agreement.relations, f"Relations, {name_b} scored against {name_a}", RELATION_TYPES), "",
        "## Entity differences", "",
    ]
    by_article = defaultdict(list)
    for who, items in ((name_a, agreement.only_a), (name_b, agreement.only_b)):
        for article_id, start, end, label in items:
            by_article[article_id].append((start, end, who, label))
    for article_id in sorted(by_article):
        lines.append(f"### {article_id}")
        text = texts.get(article_id, "")
        for start, end, who, label in sorted(by_article[article_id]):
            context = text[max(0, start - 8):start] + "[" + text[start:end] + "]" + text[end:end + 8]
            lines.append(f"- only {who}: {label} `{text[start:end]}` @{start}-{end} … {context.replace(chr(10), ' ')}")
        lines.append("")
    lines += ["## Relation differences", ""]
    for who, items in ((name_a, agreement.relations_only_a), (name_b, agreement.relations_only_b)):
        for article_id, head, tail, label in items:
            text = texts.get(article_id, "")
            lines.append(f"- only {who}: {article_id} {text[head[0]:head[1]]} ({head[2]}) -{label}-> "
                         f"{text[tail[0]:tail[1]]} ({tail[2]})")
    return "\n".join(lines) + "\n"
