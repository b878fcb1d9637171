"""The gold corpus as a Hugging Face `datasets.DatasetDict` (train/dev/test by the fixed split).

One example per paragraph (the annotated unit; paragraphs fit a 512-token encoder, articles often do
not). Tokens are the paragraph's characters, so token i is text[i] and span offsets are token
indices; ner_tags are BIO over the 11 labels. `spans` lists the gold entities and `relations` refers
to them by index (head/tail), with the relation type.
"""
import json
from pathlib import Path
from typing import Dict, List, Optional

from healthkg.corpus import Paragraph, read_corpus
from healthkg.pipeline.schema import ENTITY_LABELS, RELATION_TYPES

SPLIT_NAMES = ("train", "dev", "test")
BIO_NAMES = ["O"] + [f"{prefix}-{label}" for label in ENTITY_LABELS for prefix in ("B", "I")]


class ExportError(ValueError):
    """Gold data that cannot be exported; the message names the file, line and problem."""


def features():
    from datasets import ClassLabel, Features, List, Value

    return Features({
        "id": Value("string"), "article_id": Value("string"), "paragraph_index": Value("int32"),
        "paragraph_offset": Value("int32"), "text": Value("string"),
        "tokens": List(Value("string")), "ner_tags": List(ClassLabel(names=BIO_NAMES)),
        "spans": List({"start": Value("int32"), "end": Value("int32"), "label": Value("string"),
                       "text": Value("string")}),
        "relations": List({"head": Value("int32"), "tail": Value("int32"),
                           "label": ClassLabel(names=list(RELATION_TYPES))}),
    })


def paragraph_example(paragraph: Paragraph) -> dict:
    where = f"{paragraph.path}:{paragraph.line}" if paragraph.path else paragraph.key
    text = paragraph.text
    tags = ["O"] * len(text)
    entities = sorted(paragraph.entities, key=lambda e: (e.start, e.end))
    index_of: Dict[int, int] = {}
    spans = []
    for entity in entities:
        if entity.label not in ENTITY_LABELS:
            raise ExportError(f"{where}: entity {entity.id} has unknown label {entity.label!r}")
        if not 0 <= entity.start < entity.end <= len(text):
            raise ExportError(f"{where}: entity {entity.id} offsets [{entity.start}, {entity.end}) outside the text")
        if any(tag != "O" for tag in tags[entity.start:entity.end]):
            raise ExportError(f"{where}: entity {entity.id} overlaps another entity; BIO tags cannot hold both")
        tags[entity.start] = f"B-{entity.label}"
        for i in range(entity.start + 1, entity.end):
            tags[i] = f"I-{entity.label}"
        index_of[entity.id] = len(spans)
        spans.append({"start": entity.start, "end": entity.end, "label": entity.label,
                      "text": text[entity.start:entity.end]})
    relations = []
    for relation in paragraph.relations:
        if relation.head not in index_of or relation.tail not in index_of:
            raise ExportError(f"{where}: relation {relation.id} refers to an entity that does not exist")
        if relation.label not in RELATION_TYPES:
            raise ExportError(f"{where}: relation {relation.id} has unknown type {relation.label!r}")
        relations.append({"head": index_of[relation.head], "tail": index_of[relation.tail], "label": relation.label})
    return {"id": paragraph.key, "article_id": paragraph.article_id, "paragraph_index": paragraph.index,
            "paragraph_offset": paragraph.offset, "text": text, "tokens": list(text), "ner_tags": tags,
            "spans": spans, "relations": relations}


def build_dataset_dict(gold_dir: Path, splits_path: Path, split: str = "fixed"):
    """DatasetDict(train/dev/test) of the gold paragraphs by the fixed split in `splits_path`."""
    from datasets import Dataset, DatasetDict

    corpus = read_corpus(gold_dir)
    chosen = json.loads(Path(splits_path).read_text(encoding="utf-8"))[split]
    missing = [a for name in SPLIT_NAMES for a in chosen.get(name, []) if a not in corpus]
    if missing:
        raise ExportError(f"{splits_path}: split names articles with no gold file in {gold_dir}: {missing}")
    feats = features()
    parts = {}
    for name in SPLIT_NAMES:
        rows = [paragraph_example(p) for aid in chosen.get(name, []) for p in corpus[aid]]
        if rows:
            parts[name] = Dataset.from_list(rows, features=feats)
        else:
            parts[name] = Dataset.from_dict({key: [] for key in feats}, features=feats)
    return DatasetDict(parts)


def export(gold_dir: Path, splits_path: Path, output: Path) -> Dict[str, int]:
    dataset = build_dataset_dict(gold_dir, splits_path)
    # One shard per split: the corpus is small, and an empty split saved with no shard cannot be loaded back.
    dataset.save_to_disk(str(output), num_shards={name: 1 for name in dataset})
    return {name: len(part) for name, part in dataset.items()}


def spans_from_tags(tags: List[str]) -> List[tuple]:
    """(start, end, label) from BIO tag names: the inverse of the export, for checks and users."""
    spans, current = [], None
    for i, tag in enumerate(list(tags) + ["O"]):
        if current and not (tag.startswith("I-") and tag[2:] == current[2]):
            spans.append(tuple(current))
            current = None
        if tag.startswith("B-") or (tag.startswith("I-") and current is None):
            current = [i, i + 1, tag[2:]]
        elif tag.startswith("I-"):
            current[1] = i + 1
    return spans
