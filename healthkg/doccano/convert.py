"""Corpus paragraphs to doccano's relation JSONL (for upload) and doccano's export back to paragraphs.

doccano keeps the metadata keys of an uploaded line as the example's meta and writes them back at
the top level of its export; it renumbers entity and relation ids with its own database ids, which
`merge` maps back to the corpus ids.
"""
import json
from pathlib import Path
from typing import Iterable, List, Tuple, Union

from ..corpus import METADATA_KEYS, AnnotationFormatError, Paragraph, parse_paragraph

SOURCE_KEY = "preannotation"  # meta only: which source pre-filled the example
EXPORT_ONLY_KEYS = ("id", "Comments", "_export_file", SOURCE_KEY)


def to_doccano(paragraph: Paragraph, source: str) -> dict:
    record = paragraph.to_json()
    record.pop("id")  # "article:index"; doccano's example id replaces it, and meta identifies the paragraph
    record[SOURCE_KEY] = source
    return record


def from_export(record: dict, where: str) -> Tuple[Paragraph, dict]:
    """The paragraph in an exported line (entity/relation ids still doccano's) and export details."""
    details = {"example_id": record.get("id"), "comments": record.get("Comments") or [],
               "file": record.get("_export_file", "")}
    missing = [k for k in METADATA_KEYS if k not in record]
    if missing:
        raise AnnotationFormatError(f"{where}: doccano example {details['example_id']} has no {', '.join(missing)} "
                                    "in its metadata: it was not pushed by doccano-push, so it cannot be placed in the corpus")
    clean = {k: v for k, v in record.items() if k not in EXPORT_ONLY_KEYS}
    return parse_paragraph(clean, where), details


def read_export(path: Union[str, Path]) -> List[Tuple[Paragraph, dict]]:
    path = Path(path)
    pulled = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            pulled.append(from_export(json.loads(line), f"{path}:{number}"))
    return pulled


def write_batches(paragraphs_by_article: dict, source: str, folder: Path) -> List[Path]:
    """One upload file per article, so the push can show progress article by article."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for article_id, paragraphs in sorted(paragraphs_by_article.items()):
        path = folder / f"{article_id}.jsonl"
        _write_lines((to_doccano(p, source) for p in sorted(paragraphs, key=lambda p: p.index)), path)
        paths.append(path)
    return paths


def _write_lines(records: Iterable[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
