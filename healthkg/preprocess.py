"""The `preprocess` step: raw files -> one clean JSONL record per article, plus a cleaning report."""
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Union

from .cleaning import CleanArticle, clean_article
from .reading import RawDocument, ReadError, read_documents


@dataclass
class PreprocessResult:
    articles: List[CleanArticle] = field(default_factory=list)
    errors: List[ReadError] = field(default_factory=list)


def load_metadata(path: Optional[Union[str, Path]]) -> Dict[str, dict]:
    """Hand-recorded metadata by article id (and by file name), from a JSONL file; {} if none."""
    if not path or not Path(path).exists():
        return {}
    metadata = {}
    for line_number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}:{line_number}: invalid JSON: {error.msg}") from None
        if "id" not in record:
            raise ValueError(f'{path}:{line_number}: metadata record has no "id"')
        metadata[record["id"]] = record
        if record.get("file"):
            metadata[Path(record["file"]).stem] = record
    return metadata


def clean_document(document: RawDocument, metadata: Optional[dict] = None) -> CleanArticle:
    metadata = metadata or {}
    article = clean_article(
        document.text,
        metadata.get("id", document.id),
        title=metadata.get("title") or document.title,
        date=metadata.get("date") or document.date,
        source=metadata.get("source") or document.source,
    )
    article.stats["encoding"] = document.encoding
    return article


def preprocess(inputs: Iterable, metadata: Optional[Dict[str, dict]] = None, exclude=()) -> PreprocessResult:
    """Clean every readable article; collect (do not raise) the errors of unreadable ones."""
    metadata = metadata or {}
    result = PreprocessResult()
    for item in read_documents(inputs, exclude):
        if isinstance(item, ReadError):
            result.errors.append(item)
            continue
        article = clean_document(item, metadata.get(item.id))
        if not article.text:
            result.errors.append(ReadError(item.path, "no article body left after cleaning"))
            continue
        result.articles.append(article)
    return result


def write_jsonl(records: Iterable[dict], path: Union[str, Path]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def read_clean_articles(path: Union[str, Path]) -> List[dict]:
    """The records written by `preprocess`."""
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def cleaning_report_markdown(result: PreprocessResult) -> str:
    """A per-article audit of what cleaning removed and changed."""
    lines = [
        "# Cleaning report", "",
        "| article | script | raw chars | clean chars | paragraphs | lines removed | chars in removed lines "
        "| pinyin annotations removed | whitespace chars removed |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for article in result.articles:
        s = article.stats
        lines.append(
            f"| {article.id} | {article.script} | {s.get('raw_chars', 0)} | {s.get('clean_chars', 0)} "
            f"| {s.get('paragraphs', 0)} | {s.get('lines_removed', 0)} | {s.get('chars_removed_in_lines', 0)} "
            f"| {s.get('pinyin_annotations_removed', 0)} | {s.get('whitespace_chars_removed', 0)} |"
        )
    if result.errors:
        lines += ["", f"## Files not processed ({len(result.errors)})", ""]
        lines += [f"- `{error}`" for error in result.errors]
    for article in result.articles:
        lines += ["", f"## {article.id}", "", f"title: {article.title} · date: {article.date} · source: {article.source}", ""]
        if not article.removed_lines:
            lines.append("(no lines removed)")
        for removal in article.removed_lines:
            lines.append(f"- *{removal.reason}*: {removal.text[:120]}")
    return "\n".join(lines) + "\n"
