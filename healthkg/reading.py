"""Read raw articles from .txt, .html and .jsonl files in any common encoding.

Every problem becomes a `ReadError` naming the file (and line), never an exception that stops a
batch and never a silent skip: callers count and report them.
"""
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, List, Optional, Union

from charset_normalizer import from_bytes

SUPPORTED_SUFFIXES = (".txt", ".html", ".htm", ".jsonl")
# Encodings Chinese news pages come in; restricting detection to them avoids exotic misreads.
CANDIDATE_ENCODINGS = ["utf_8", "gb18030", "big5", "big5hkscs", "utf_16", "utf_32"]
_BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
    "section", "article", "header", "footer", "nav", "title", "blockquote", "figcaption", "pre",
)


@dataclass
class RawDocument:
    """One article as read from disk, before cleaning."""

    id: str
    path: str
    text: str
    encoding: str
    title: Optional[str] = None
    date: Optional[str] = None
    source: Optional[str] = None
    notes: List[str] = field(default_factory=list)


@dataclass
class ReadError:
    """A file (or one line of a JSONL file) that could not be read, and why."""

    path: str
    message: str
    line: Optional[int] = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


def iter_input_files(inputs: Union[str, Path, Iterable[Union[str, Path]]], exclude=()) -> Iterator[Path]:
    """Every file under the given files/folders, sorted, except hidden ones and those in `exclude`.
    Unsupported types are yielded too, so that reading reports them instead of skipping them."""
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    excluded = {Path(p).resolve() for p in exclude}
    for item in inputs:
        path = Path(item)
        children = sorted(path.rglob("*")) if path.is_dir() else [path]
        for child in children:
            if child.is_dir() or child.name.startswith(".") or child.resolve() in excluded:
                continue
            yield child


def read_documents(inputs, exclude=()) -> Iterator[Union[RawDocument, ReadError]]:
    """Each readable article as a RawDocument; each unreadable file or record as a ReadError."""
    for path in iter_input_files(inputs, exclude):
        yield from read_file(path)


def read_file(path: Path) -> Iterator[Union[RawDocument, ReadError]]:
    path = Path(path)
    if not path.exists():
        yield ReadError(str(path), "no such file")
        return
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        yield ReadError(str(path), f"unsupported file type {suffix or '(none)'}; expected one of {', '.join(SUPPORTED_SUFFIXES)}")
        return
    decoded = decode_bytes(path.read_bytes(), str(path))
    if isinstance(decoded, ReadError):
        yield decoded
        return
    text, encoding = decoded
    if suffix == ".jsonl":
        yield from _jsonl_documents(path, text, encoding)
        return
    notes = []
    if suffix in (".html", ".htm"):
        text, removed = html_to_text(text)
        if removed:
            notes.append(f"removed {removed} characters of script/style markup content")
    if not text.strip():
        yield ReadError(str(path), "no text left after reading (empty article)")
        return
    yield RawDocument(id=path.stem, path=str(path), text=text, encoding=encoding, notes=notes)


def decode_bytes(data: bytes, name: str):
    """(text, encoding) for `data`, or a ReadError saying why it is not text."""
    if not data.strip():
        return ReadError(name, "empty file")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    has_utf16_bom = data[:2] in (b"\xff\xfe", b"\xfe\xff")
    if b"\x00" in data and not has_utf16_bom:
        return ReadError(name, "binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8"), "utf_8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=CANDIDATE_ENCODINGS).best()
    if best is None:
        return ReadError(name, "cannot decode as UTF-8, GB18030, Big5 or UTF-16 text")
    text = str(best)
    if _control_share(text) > 0.01:
        return ReadError(name, f"binary file (decodes as {best.encoding} only to control characters)")
    return text, best.encoding


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    return controls / len(text)


def html_to_text(html: str):
    """Visible text of an HTML page with block elements on their own lines, and how many
    characters of <script>/<style> content were dropped."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    removed = 0
    for element in soup(["script", "style", "noscript", "template"]):
        removed += len(element.get_text())
        element.decompose()
    for element in soup.find_all(_BLOCK_TAGS):
        element.insert_before("\n")
        element.insert_after("\n")
    return soup.get_text(), removed


def _jsonl_documents(path: Path, text: str, encoding: str):
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield ReadError(str(path), f"invalid JSON: {error.msg}", line_number)
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            yield ReadError(str(path), 'record has no "text" string', line_number)
            continue
        if not record["text"].strip():
            yield ReadError(str(path), 'record has an empty "text"', line_number)
            continue
        yield RawDocument(
            id=str(record.get("id") or f"{path.stem}-{line_number}"),
            path=f"{path}:{line_number}",
            text=record["text"],
            encoding=encoding,
            title=record.get("title"),
            date=record.get("date"),
            source=record.get("source"),
        )
