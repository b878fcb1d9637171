"""Score the rule pre-annotator against gold annotations, per label, entities and relations.

Two settings: the gazetteer of annotated names built without the scored article
(leave-one-article-out) and no gazetteer at all. Relations are scored end to end on the predicted
entities: a relation counts only if both spans, their labels, the type and the direction are right
(PARTNER_OF unordered), see `healthkg.scoring`.
"""
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Union

from healthkg.corpus import assemble_article, read_corpus
from healthkg.pipeline.schema import ENTITY_LABELS, RELATION_TYPES
from healthkg.rules import RulePreAnnotator, gazetteer_from_annotations
from healthkg.scoring import Scores, format_table, score_entities, score_relations


def gold_sets(article):
    """(entities, relations) of an assembled gold article in scorer form."""
    entities = set(article.entities.values())
    relations = {(article.entities[h], article.entities[t], label) for h, t, label in article.relations}
    return entities, relations


def score_rules(gold_dir: Union[str, Path], setting: str = "loo",
                article_ids: Optional[Iterable[str]] = None) -> Dict[str, Scores]:
    """{"entities": Scores, "relations": Scores} summed over the gold articles.

    setting "loo": gazetteer from every other gold article; "none": no gazetteer.
    """
    corpus = read_corpus(gold_dir)
    ids = sorted(corpus) if article_ids is None else list(article_ids)
    entity_scores, relation_scores = Scores(), Scores()
    for article_id in ids:
        article = assemble_article(corpus[article_id])
        if setting == "loo":
            others = [a for a in corpus if a != article_id]
            gazetteer = gazetteer_from_annotations(others, gold_dir) if others else {}
        elif setting == "none":
            gazetteer = {}
        else:
            raise ValueError(f"unknown setting {setting!r}: use 'loo' or 'none'")
        annotator = RulePreAnnotator(gazetteer=gazetteer)
        predicted = annotator.annotate(article.text)
        gold_entities, gold_relations = gold_sets(article)
        entity_scores = entity_scores.add(score_entities(
            {(article_id, *e) for e in gold_entities}, {(article_id, *e) for e in predicted.entity_set()}))
        relation_scores = relation_scores.add(score_relations(
            {(article_id, *r) for r in gold_relations}, {(article_id, *r) for r in predicted.relation_set()}))
    return {"entities": entity_scores, "relations": relation_scores}


def word_lists_seen_in_one_article(gold_dir: Union[str, Path]) -> Dict[str, List[str]]:
    """Per article, the hand-written word-list entries (titles, places, national bodies) that are gold
    names in that article and in no other: where the word lists may have been written from that
    article, so held-out scores on it are optimistic."""
    from healthkg.pipeline import rule_lexicon as lex

    words = set(lex.TITLES) | set(lex.LOCATIONS) | set(lex.GOV_NAMES)
    names = {}
    for article_id, paragraphs in read_corpus(gold_dir).items():
        article = assemble_article(paragraphs)
        names[article_id] = {article.text[s:e] for s, e, _ in article.entities.values()}
    return {a: sorted(n for n in mine & words if not any(n in other for b, other in names.items() if b != a))
            for a, mine in sorted(names.items())}


def baseline_report(gold_dir: Union[str, Path]) -> str:
    """Markdown tables for both settings, and the word-list entries seen in only one article."""
    parts: List[str] = [f"Rule baseline against `{gold_dir}` ({len(read_corpus(gold_dir))} articles).\n"]
    for setting, name in (("loo", "gazetteer from the other articles (leave-one-article-out)"),
                          ("none", "no gazetteer")):
        scores = score_rules(gold_dir, setting)
        parts.append(f"### {name}\n")
        parts.append(format_table(scores["entities"], "entities", ENTITY_LABELS) + "\n")
        parts.append(format_table(scores["relations"], "relations (end to end)", RELATION_TYPES) + "\n")
    parts.append("### word-list entries that are gold names in one article only\n")
    parts.append("The suffix rules, cue words and word lists were written by hand while reading all five "
                 "seed articles; only the gazetteer is rebuilt without the scored article. Entries below "
                 "may come from that article, so its scores are optimistic.\n")
    parts.append("| article | entries |\n|---|---|")
    for article_id, entries in word_lists_seen_in_one_article(gold_dir).items():
        parts.append(f"| {article_id} | {'、'.join(entries) or '—'} |")
    return "\n".join(parts) + "\n"
