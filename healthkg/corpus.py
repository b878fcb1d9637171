"""The gold corpus: doccano relation JSONL, one example per paragraph, one file per article.

A line looks like doccano's own export of a relation project, plus the metadata that ties the
paragraph to its article::

    {"id": "000_8da672c9920b2cfd:3", "text": "...",
     "entities": [{"id": 1, "label": "COMPANY", "start_offset": 0, "end_offset": 4}],
     "relations": [{"id": 1, "from_id": 1, "to_id": 2, "type": "PARTNER_OF"}],
     "article_id": "000_8da672c9920b2cfd", "paragraph_index": 3, "paragraph_offset": 120}

Offsets are into the paragraph text; `paragraph_offset` is where the paragraph starts in the clean
article text written by `preprocess`.
"""
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Tuple, Union

METADATA_KEYS = ("article_id", "paragraph_index", "paragraph_offset")


class AnnotationFormatError(ValueError):
    """A gold file that cannot be read; the message names the file and line."""


@dataclass
class Entity:
    id: int
    label: str
    start: int
    end: int

    def to_json(self) -> dict:
        return {"id": self.id, "label": self.label, "start_offset": self.start, "end_offset": self.end}


@dataclass
class Relation:
    id: int
    head: int  # entity id
    tail: int  # entity id
    label: str

    def to_json(self) -> dict:
        return {"id": self.id, "from_id": self.head, "to_id": self.tail, "type": self.label}


@dataclass
class Paragraph:
    article_id: str
    index: int
    offset: int
    text: str
    entities: List[Entity] = field(default_factory=list)
    relations: List[Relation] = field(default_factory=list)
    extra: Dict = field(default_factory=dict)  # other keys found on the line, kept as they were
    path: str = ""
    line: int = 0

    @property
    def key(self) -> str:
        return f"{self.article_id}:{self.index}"

    def to_json(self) -> dict:
        record = {"id": self.key, "text": self.text,
                  "entities": [e.to_json() for e in self.entities],
                  "relations": [r.to_json() for r in self.relations],
                  "article_id": self.article_id, "paragraph_index": self.index,
                  "paragraph_offset": self.offset}
        record.update({k: v for k, v in self.extra.items() if k not in record})
        return record


def parse_paragraph(record: dict, path: str = "", line: int = 0) -> Paragraph:
    """A Paragraph from one JSON record; AnnotationFormatError naming `path:line` if malformed."""
    where = f"{path}:{line}" if path else f"line {line}"
    if not isinstance(record, dict):
        raise AnnotationFormatError(f"{where}: expected a JSON object")
    for key in ("text",) + METADATA_KEYS:
        if key not in record:
            raise AnnotationFormatError(f'{where}: missing "{key}"')
    if not isinstance(record["text"], str):
        raise AnnotationFormatError(f'{where}: "text" must be a string')
    try:
        entities = [Entity(int(e["id"]), str(e["label"]), int(e["start_offset"]), int(e["end_offset"]))
                    for e in record.get("entities", [])]
    except (KeyError, TypeError, ValueError) as error:
        raise AnnotationFormatError(f"{where}: malformed entity ({error!r}); need id, label, start_offset, end_offset") from None
    try:
        relations = [Relation(int(r["id"]), int(r["from_id"]), int(r["to_id"]), str(r["type"]))
                     for r in record.get("relations", [])]
    except (KeyError, TypeError, ValueError) as error:
        raise AnnotationFormatError(f"{where}: malformed relation ({error!r}); need id, from_id, to_id, type") from None
    known = {"id", "text", "entities", "relations", *METADATA_KEYS}
    return Paragraph(
        article_id=str(record["article_id"]), index=int(record["paragraph_index"]),
        offset=int(record["paragraph_offset"]), text=record["text"], entities=entities,
        relations=relations, extra={k: v for k, v in record.items() if k not in known},
        path=str(path), line=line,
    )


def read_annotation_file(path: Union[str, Path]) -> List[Paragraph]:
    path = Path(path)
    paragraphs = []
    try:
        content = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise AnnotationFormatError(f"{path}: not UTF-8 text") from None
    for line_number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise AnnotationFormatError(f"{path}:{line_number}: invalid JSON ({error.msg})") from None
        paragraphs.append(parse_paragraph(record, str(path), line_number))
    return paragraphs


def annotation_files(folder: Union[str, Path]) -> List[Path]:
    return sorted(Path(folder).glob("*.jsonl"))


def read_corpus(folder: Union[str, Path]) -> Dict[str, List[Paragraph]]:
    """Paragraphs by article id, in paragraph order, from every *.jsonl file in `folder`."""
    corpus: Dict[str, List[Paragraph]] = {}
    for path in annotation_files(folder):
        for paragraph in read_annotation_file(path):
            corpus.setdefault(paragraph.article_id, []).append(paragraph)
    for paragraphs in corpus.values():
        paragraphs.sort(key=lambda p: p.index)
    return corpus


def write_annotation_file(paragraphs: Iterable[Paragraph], path: Union[str, Path]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for paragraph in sorted(paragraphs, key=lambda p: p.index):
            handle.write(json.dumps(paragraph.to_json(), ensure_ascii=False) + "\n")


def write_corpus(corpus: Dict[str, List[Paragraph]], folder: Union[str, Path]) -> List[Path]:
    """One file per article, named by article id."""
    written = []
    for article_id, paragraphs in sorted(corpus.items()):
        path = Path(folder) / f"{article_id}.jsonl"
        write_annotation_file(paragraphs, path)
        written.append(path)
    return written


@dataclass
class ArticleAnnotation:
    """A whole article's gold spans and relations, with offsets into the clean article text."""

    article_id: str
    text: str
    # (start, end, label) by entity key "paragraph_index:entity_id"
    entities: Dict[str, Tuple[int, int, str]]
    relations: List[Tuple[str, str, str]]  # (head key, tail key, label)


def assemble_article(paragraphs: List[Paragraph], separator: str = "\n") -> ArticleAnnotation:
    """Join an article's paragraphs (in order) into one text with article-level offsets.

    The paragraphs must be consecutive and their `paragraph_offset`s must match the joined text;
    `validate` checks that before anything relies on it.
    """
    paragraphs = sorted(paragraphs, key=lambda p: p.index)
    text = separator.join(p.text for p in paragraphs)
    entities, relations = {}, []
    for p in paragraphs:
        for e in p.entities:
            entities[f"{p.index}:{e.id}"] = (p.offset + e.start, p.offset + e.end, e.label)
        for r in p.relations:
            relations.append((f"{p.index}:{r.head}", f"{p.index}:{r.tail}", r.label))
    return ArticleAnnotation(paragraphs[0].article_id if paragraphs else "", text, entities, relations)


def paragraphs_from_clean_article(record: dict) -> List[Paragraph]:
    """Empty (unannotated) paragraphs for one `preprocess` record."""
    return [Paragraph(record["id"], i, start, record["text"][start:end])
            for i, (start, end) in enumerate(record["paragraphs"])]
