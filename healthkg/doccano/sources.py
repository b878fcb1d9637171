"""Which paragraphs go up to doccano, pre-annotated by which source.

- gold: the gold corpus itself (corpus/annotations/), e.g. to review it or to test the round trip;
- rules / model: corpus/preannotated/<source>/<article_id>.jsonl, written by `pre-annotate` in the
  gold format (this package never computes pre-annotations itself);
- none: the clean paragraphs of corpus/clean/articles.jsonl, without annotations.
"""
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from ..corpus import Paragraph, paragraphs_from_clean_article, read_corpus
from ..preprocess import read_clean_articles
from .settings import DoccanoError

SOURCES = ("gold", "rules", "model", "none")


def source_path(source: str, root: Path = Path(".")) -> Path:
    if source == "gold":
        return root / "corpus" / "annotations"
    if source == "none":
        return root / "corpus" / "clean" / "articles.jsonl"
    return root / "corpus" / "preannotated" / source


def load_source(source: str, path: Optional[Path] = None,
                articles: Optional[Sequence[str]] = None) -> Dict[str, List[Paragraph]]:
    if source not in SOURCES:
        raise DoccanoError(f"unknown source {source!r}: choose one of {', '.join(SOURCES)}")
    path = Path(path) if path else source_path(source)
    if not path.exists():
        hint = {"gold": "annotate and adjudicate first", "none": "run `python -m spacy project run preprocess`"}
        raise DoccanoError(f"{path} does not exist: {hint.get(source, f'run the pre-annotate step for {source!r} first')}")
    if source == "none":
        corpus = {}
        for record in read_clean_articles(path):
            corpus[record["id"]] = paragraphs_from_clean_article(record)
    else:
        corpus = read_corpus(path)
    if not corpus:
        raise DoccanoError(f"{path} holds no paragraphs")
    if articles:
        unknown = sorted(set(articles) - set(corpus))
        if unknown:
            raise DoccanoError(f"{path} has no article {', '.join(unknown)}")
        corpus = {a: corpus[a] for a in articles}
    return corpus
