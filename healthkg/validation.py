"""Checks on gold annotation files: each problem names the file, line and what is wrong."""
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Union

from .corpus import AnnotationFormatError, Paragraph, annotation_files, read_annotation_file
from .pipeline.schema import ENTITY_LABELS, RELATION_TYPES, SYMMETRIC_RELATIONS, relation_allowed
from .pipeline.sentences import sentence_spans


@dataclass
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def check_paragraph(p: Paragraph) -> List[str]:
    """Everything wrong with one annotated paragraph, as messages."""
    problems = []
    by_id = {}
    for e in p.entities:
        if e.id in by_id:
            problems.append(f"entity id {e.id} used twice")
        by_id[e.id] = e
        if e.label not in ENTITY_LABELS:
            problems.append(f"entity {e.id}: unknown label {e.label!r}")
        if not (0 <= e.start < e.end <= len(p.text)):
            problems.append(f"entity {e.id}: offsets {e.start}-{e.end} out of range for a text of {len(p.text)} characters")
            continue
        span = p.text[e.start:e.end]
        if span != span.strip():
            problems.append(f"entity {e.id}: span {span!r} starts or ends with whitespace")
    spans = sorted((e for e in p.entities if 0 <= e.start < e.end <= len(p.text)), key=lambda e: (e.start, e.end))
    for a, b in zip(spans, spans[1:]):
        if (a.start, a.end) == (b.start, b.end):
            kind = "duplicate entity" if a.label == b.label else "same span with two labels"
            problems.append(f"{kind}: {p.text[a.start:a.end]!r} (ids {a.id}, {b.id})")
        elif b.start < a.end:
            problems.append(f"overlapping entities {p.text[a.start:a.end]!r} (id {a.id}) and {p.text[b.start:b.end]!r} (id {b.id})")
    sentences = sentence_spans(p.text)
    seen_relations = set()
    relation_ids = set()
    for r in p.relations:
        if r.id in relation_ids:
            problems.append(f"relation id {r.id} used twice")
        relation_ids.add(r.id)
        if r.label not in RELATION_TYPES:
            problems.append(f"relation {r.id}: unknown type {r.label!r}")
            continue
        head, tail = by_id.get(r.head), by_id.get(r.tail)
        if head is None or tail is None:
            missing = r.head if head is None else r.tail
            problems.append(f"relation {r.id}: entity id {missing} is not in this paragraph")
            continue
        if head.id == tail.id:
            problems.append(f"relation {r.id}: head and tail are the same entity")
        if not relation_allowed(r.label, head.label, tail.label):
            problems.append(f"relation {r.id}: {r.label} not allowed from {head.label} to {tail.label} "
                            f"({p.text[head.start:head.end]!r} -> {p.text[tail.start:tail.end]!r})")
        if not any(s <= head.start and head.end <= e and s <= tail.start and tail.end <= e for s, e in sentences):
            problems.append(f"relation {r.id}: {p.text[head.start:head.end]!r} and {p.text[tail.start:tail.end]!r} "
                            "are not in one sentence")
        key = (r.label, frozenset({(head.start, head.end), (tail.start, tail.end)})) if r.label in SYMMETRIC_RELATIONS \
            else (r.label, (head.start, head.end), (tail.start, tail.end))
        if key in seen_relations:
            problems.append(f"relation {r.id}: duplicate {r.label} between {p.text[head.start:head.end]!r} and {p.text[tail.start:tail.end]!r}")
        seen_relations.add(key)
    return problems


def check_against_clean(paragraphs: List[Paragraph], article: Optional[dict]) -> List[Problem]:
    """The annotated paragraphs must be exactly the paragraphs `preprocess` produced, all of them."""
    if not paragraphs:
        return []
    path = paragraphs[0].path
    if article is None:
        return [Problem(path, 0, f"article {paragraphs[0].article_id} is not in the clean corpus (run preprocess)")]
    problems = []
    expected = article["paragraphs"]
    seen = set()
    for p in paragraphs:
        if p.index in seen:
            problems.append(Problem(p.path, p.line, f"paragraph {p.index} appears twice"))
        seen.add(p.index)
        if not 0 <= p.index < len(expected):
            problems.append(Problem(p.path, p.line, f"paragraph index {p.index} does not exist (article has {len(expected)})"))
            continue
        start, end = expected[p.index]
        if p.offset != start:
            problems.append(Problem(p.path, p.line, f"paragraph_offset {p.offset} but the paragraph starts at {start}"))
        if p.text != article["text"][start:end]:
            problems.append(Problem(p.path, p.line, f"paragraph {p.index} text differs from the clean article text"))
    missing = sorted(set(range(len(expected))) - seen)
    if missing:
        problems.append(Problem(path, 0, f"paragraphs not annotated: {missing}"))
    return problems


@dataclass
class ValidationResult:
    problems: List[Problem]
    paragraphs: Dict[str, List[Paragraph]]

    @property
    def ok(self) -> bool:
        return not self.problems

    def entity_counts(self) -> Dict[str, Counter]:
        return {a: Counter(e.label for p in ps for e in p.entities) for a, ps in self.paragraphs.items()}

    def relation_counts(self) -> Dict[str, Counter]:
        return {a: Counter(r.label for p in ps for r in p.relations) for a, ps in self.paragraphs.items()}


def validate_corpus(folder: Union[str, Path], clean_articles: Optional[List[dict]] = None) -> ValidationResult:
    """Validate every *.jsonl in `folder`; with `clean_articles`, also check the text against them."""
    problems: List[Problem] = []
    corpus: Dict[str, List[Paragraph]] = {}
    files = annotation_files(folder)
    if not files:
        problems.append(Problem(str(folder), 0, "no *.jsonl annotation files"))
    for path in files:
        try:
            paragraphs = read_annotation_file(path)
        except AnnotationFormatError as error:
            problems.append(Problem(str(path), 0, str(error)))
            continue
        for p in paragraphs:
            problems.extend(Problem(p.path, p.line, message) for message in check_paragraph(p))
            if corpus.get(p.article_id) and corpus[p.article_id][0].path != p.path:
                problems.append(Problem(p.path, p.line, f"article {p.article_id} is also in {corpus[p.article_id][0].path}"))
            corpus.setdefault(p.article_id, []).append(p)
    if clean_articles is not None:
        by_id = {a["id"]: a for a in clean_articles}
        for article_id, paragraphs in corpus.items():
            problems.extend(check_against_clean(paragraphs, by_id.get(article_id)))
        for article_id in sorted(set(by_id) - set(corpus)):
            problems.append(Problem(str(folder), 0, f"clean article {article_id} has no annotation file"))
    return ValidationResult(problems, corpus)
