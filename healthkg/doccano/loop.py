"""doccano-push and doccano-pull: the two halves of the annotation loop."""
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from ..corpus import read_corpus, write_annotation_file
from ..preprocess import read_clean_articles
from . import bridge, server
from .convert import read_export, write_batches
from .labels import label_spec
from .merge import MergeResult, merge
from .settings import Credentials, DoccanoError, Layout
from .sources import load_source

DESCRIPTION = ("Chinese healthcare news: 11 entity labels and 7 relation types, one example per paragraph. "
               "Guideline: corpus/annotation_guidelines.md in the project.")


def _check_server(url: str) -> None:
    if not server.health(url):
        raise DoccanoError(f"cannot reach doccano at {url}: is it running? "
                           "(start it with `python -m spacy project run doccano-up`)")


def push(layout: Layout, url: str, credentials: Credentials, project: str, source: str,
         source_path: Optional[Path] = None, articles: Optional[Sequence[str]] = None,
         guideline: Optional[Path] = None) -> dict:
    corpus = load_source(source, source_path, articles)
    _check_server(url)
    guideline_text = guideline.read_text(encoding="utf-8") if guideline and guideline.exists() else ""
    with tempfile.TemporaryDirectory(prefix="healthkg-push-") as tmp:
        batches = write_batches(corpus, source, Path(tmp))
        result = bridge.call(layout, url, credentials, "push",
                             {"project": project, "description": DESCRIPTION, "guideline": guideline_text,
                              "labels": label_spec(), "batches": [str(p) for p in batches]},
                             progress_label=f"push {source}")
    result["paragraphs"] = sum(len(ps) for ps in corpus.values())
    result["articles"] = len(corpus)
    return result


@dataclass
class PullOutcome:
    merge: MergeResult
    written: List[Path]
    pulled: int
    comments: int


def pull(layout: Layout, url: str, credentials: Credentials, project: str, annotations: Path,
         approved_only: bool = False, force: bool = False, dry_run: bool = False,
         clean_articles: Optional[Path] = None) -> PullOutcome:
    _check_server(url)
    with tempfile.TemporaryDirectory(prefix="healthkg-pull-") as tmp:
        export = Path(tmp) / "export.jsonl"
        bridge.call(layout, url, credentials, "pull",
                    {"project": project, "approved_only": approved_only, "output": str(export)},
                    progress_label="pull")
        pulled = read_export(export)
    gold = read_corpus(annotations) if annotations.exists() else {}
    counts: Dict[str, int] = {}
    if clean_articles and clean_articles.exists():
        counts = {r["id"]: len(r["paragraphs"]) for r in read_clean_articles(clean_articles)}
    result = merge(gold, pulled, counts)
    written = []
    if result.can_write and (force or not result.blocking) and not dry_run:
        for article_id, paragraphs in result.articles.items():
            # an article keeps the file it came from
            path = next((Path(p.path) for p in paragraphs if p.path), annotations / f"{article_id}.jsonl")
            write_annotation_file(paragraphs, path)
            written.append(path)
    return PullOutcome(result, written, len(pulled), sum(len(d["comments"]) for _, d in pulled))


def server_url(layout: Layout) -> str:
    """The URL of the server started from this data folder, else the one its port implies."""
    return (server.read_state(layout) or {}).get("url", layout.url)
