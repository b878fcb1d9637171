"""Rule pre-annotator: the rule entities (`healthkg.pipeline.rule_entities`) and rule relations
(`healthkg.pipeline.rule_relations`) for whole articles, with a gazetteer built from the annotated
names of a chosen subset of articles.

It proposes entities and relations for annotation in doccano and is the first baseline. Pass the
training articles as `gazetteer_articles` when scoring held-out ones.
"""
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple, Union

from spacy.tokens import Doc

from healthkg.corpus import assemble_article, read_corpus
from healthkg.pipeline.rule_entities import RuleEntityFinder, Span, lexicon_patterns
from healthkg.pipeline.rule_relations import find_relations
from healthkg.pipeline.script import to_simplified_aligned

DEFAULT_ANNOTATIONS = Path("corpus/annotations")

if not Doc.has_extension("relations"):
    Doc.set_extension("relations", default=None)


@dataclass
class RuleAnnotation:
    text: str
    entities: List[Span] = field(default_factory=list)
    # ((head_start, head_end), (tail_start, tail_end), label)
    relations: List[Tuple[Tuple[int, int], Tuple[int, int], str]] = field(default_factory=list)

    def entity_set(self) -> set:
        return set(self.entities)

    def relation_set(self) -> set:
        """Relations as (head_span, tail_span, label) with labelled spans, as the scorer wants them."""
        label_of = {(s, e): l for s, e, l in self.entities}
        return {((h[0], h[1], label_of[h]), (t[0], t[1], label_of[t]), r) for h, t, r in self.relations}


# --- gazetteer from annotated articles -----------------------------------------------------------

def default_annotations_dir(root: Union[str, Path] = ".") -> Path:
    """The gold corpus folder, corpus/annotations."""
    return Path(root) / DEFAULT_ANNOTATIONS


def gazetteer_from_annotations(article_ids: Optional[Iterable[str]] = None,
                               folder: Union[str, Path, None] = None,
                               labels: Iterable[str] = ("PERSON", "COMPANY", "HOSPITAL", "GOV", "ORG",
                                                        "LOC", "TITLE"),
                               min_length: int = 2) -> Dict[str, str]:
    """Simplified name -> label from the annotations of `article_ids` only (None: every article).

    Names annotated with several labels keep the most frequent one. DATE/MONEY/PERCENT/DOCUMENT
    are left to the regexes: a list of seen amounts would not generalise.
    """
    folder = Path(folder) if folder is not None else default_annotations_dir()
    corpus = read_corpus(folder) if folder.is_dir() else {}
    wanted = None if article_ids is None else set(article_ids)
    unknown = (wanted or set()) - set(corpus)
    if unknown and corpus:
        raise ValueError(f"{folder}: no annotations for article(s) {sorted(unknown)}")
    labels = set(labels)
    counts: Dict[str, Dict[str, int]] = {}
    for article_id, paragraphs in corpus.items():
        if wanted is not None and article_id not in wanted:
            continue
        article = assemble_article(paragraphs)
        for start, end, label in article.entities.values():
            name = to_simplified_aligned(article.text[start:end]).strip()
            if label in labels and len(name) >= min_length and "\n" not in name:
                counts.setdefault(name, {}).setdefault(label, 0)
                counts[name][label] += 1
    return {name: max(by_label, key=lambda l: (by_label[l], l)) for name, by_label in counts.items()}


def entity_ruler_patterns(article_ids: Optional[Iterable[str]] = None,
                          folder: Union[str, Path, None] = None,
                          include_lexicons: bool = True) -> List[dict]:
    """entity_ruler phrase patterns (simplified strings) from the annotations of `article_ids`.

    The pipeline's "rule_entities" component takes the gazetteer part, built from the TRAINING
    articles only. With `include_lexicons` the hand-written title, place and national-body lists
    are added (usable by a plain spaCy entity_ruler with `phrase_matcher_attr = "NORM"`).
    """
    patterns = []
    if include_lexicons:
        patterns.extend(lexicon_patterns())
    gazetteer = gazetteer_from_annotations(article_ids, folder)
    patterns.extend({"label": label, "pattern": name, "id": "gazetteer"}
                    for name, label in sorted(gazetteer.items()))
    return patterns



# --- the annotator -------------------------------------------------------------------------------

class RulePreAnnotator(RuleEntityFinder):
    """Rules for all eleven labels and the seven relations.

    gazetteer_articles: article ids whose annotated names become patterns (None: all annotated
    articles; [] or use_gazetteer=False: none). Pass the training articles when scoring held-out ones.
    """

    def __init__(self, gazetteer_articles: Optional[Iterable[str]] = None,
                 annotations_dir: Union[str, Path, None] = None, use_gazetteer: bool = True,
                 gazetteer: Optional[Dict[str, str]] = None):
        if gazetteer is None:
            if use_gazetteer and (gazetteer_articles is None or list(gazetteer_articles)):
                gazetteer = gazetteer_from_annotations(gazetteer_articles, annotations_dir)
            else:
                gazetteer = {}
        super().__init__(gazetteer)

    def annotate(self, text: str) -> RuleAnnotation:
        entities = self.find_entities(text)
        return RuleAnnotation(text, entities, find_relations(text, entities))

    def __call__(self, text: str) -> Doc:
        """A Doc (char tokens, simplified norms, sentences) with the rule entities and relations."""
        result = self.annotate(text)
        doc = self.nlp.make_doc(text)
        for _, component in self.nlp.pipeline:
            if component is not self.nlp.get_pipe("entity_ruler"):
                doc = component(doc)
        doc.ents = [doc.char_span(s, e, label=l) for s, e, l in result.entities]
        doc._.relations = [{"head": list(h), "tail": list(t), "label": r, "score": 1.0}
                           for h, t, r in result.relations]
        return doc


# --- whole articles --------------------------------------------------------------------------------

def annotate_paragraphs(annotator: RulePreAnnotator, record: dict):
    """Gold-format Paragraphs (healthkg.corpus) for one clean article record, rules filled in.

    The rules see the whole article at once (names found in one paragraph are found in all), and
    their spans and relations are cut back to paragraph offsets.
    """
    from healthkg.corpus import Entity, Relation, paragraphs_from_clean_article

    result = annotator.annotate(record["text"])
    paragraphs = paragraphs_from_clean_article(record)
    ids = {}
    for paragraph in paragraphs:
        lo, hi = paragraph.offset, paragraph.offset + len(paragraph.text)
        for start, end, label in result.entities:
            if lo <= start and end <= hi:
                entity = Entity(len(paragraph.entities) + 1, label, start - lo, end - lo)
                paragraph.entities.append(entity)
                ids[(start, end)] = (paragraph, entity.id)
        paragraph.extra["source"] = "rules"
    for head, tail, label in result.relations:
        (p_head, head_id), (p_tail, tail_id) = ids[tuple(head)], ids[tuple(tail)]
        if p_head is p_tail:
            p_head.relations.append(Relation(len(p_head.relations) + 1, head_id, tail_id, label))
    return paragraphs
