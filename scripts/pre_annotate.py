"""Pre-annotate the clean articles for doccano, one gold-format file per article.

    python scripts/pre_annotate.py --source rules

writes corpus/preannotated/rules/<article_id>.jsonl (healthkg/corpus.py format: one line per
paragraph with article_id, paragraph_index, paragraph_offset). The names in the annotated
articles (corpus/annotations/) feed the rules' gazetteer, always
without the article being pre-annotated.
"""
import json
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from tqdm import tqdm

from healthkg.corpus import read_corpus, write_annotation_file
from healthkg.rules import RulePreAnnotator, annotate_paragraphs, default_annotations_dir, gazetteer_from_annotations

SOURCES = ("rules", "model")


def load_clean_records(path: Path) -> List[dict]:
    if not path.exists():
        raise typer.BadParameter(f"{path}: not found (run `python -m spacy project run preprocess` first)")
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise typer.BadParameter(f"{path}:{number}: invalid JSON ({error.msg})") from None
        missing = [k for k in ("id", "text", "paragraphs") if k not in record]
        if missing:
            raise typer.BadParameter(f"{path}:{number}: record lacks {', '.join(missing)}")
        records.append(record)
    return records


def rules_paragraphs(records: List[dict], annotations: Optional[Path], use_gazetteer: bool):
    annotated = read_corpus(annotations) if use_gazetteer and annotations and annotations.is_dir() else {}
    for record in tqdm(records, desc="rules"):
        others = [a for a in annotated if a != record["id"]]
        gazetteer = gazetteer_from_annotations(others, annotations) if others else {}
        yield record["id"], annotate_paragraphs(RulePreAnnotator(gazetteer=gazetteer), record)


def model_paragraphs(records: List[dict], model: Optional[Path]):
    # The trained pipeline's predictions go here: run the model on record["text"], then cut
    # doc.ents and doc._.relations back to paragraphs as `annotate_paragraphs` does for the rules.
    raise typer.BadParameter("--source model is not available yet: no trained pipeline is wired in")


def main(
    source: str = typer.Option("rules", help=f"Where the proposals come from: {' or '.join(SOURCES)}"),
    clean: Path = typer.Option(Path("corpus/clean/articles.jsonl"), help="preprocess output"),
    output: Optional[Path] = typer.Option(None, help="Output folder (default corpus/preannotated/<source>)"),
    annotations: Optional[Path] = typer.Option(None, help="Annotated articles for the gazetteer (default corpus/annotations)"),
    gazetteer: bool = typer.Option(True, help="Use names from the annotated articles (never the article's own)"),
    model: Optional[Path] = typer.Option(None, help="Trained pipeline for --source model"),
):
    if source not in SOURCES:
        raise typer.BadParameter(f"--source must be one of {', '.join(SOURCES)}, not {source!r}")
    console = Console()
    records = load_clean_records(clean)
    output = output or Path("corpus/preannotated") / source
    annotations = annotations or default_annotations_dir()
    if source == "rules":
        results = rules_paragraphs(records, annotations, gazetteer)
    else:
        results = model_paragraphs(records, model)
    entities = relations = 0
    for article_id, paragraphs in results:
        write_annotation_file(paragraphs, output / f"{article_id}.jsonl")
        entities += sum(len(p.entities) for p in paragraphs)
        relations += sum(len(p.relations) for p in paragraphs)
    console.print(f"[green]{len(records)} articles -> {output}: {entities} entities, {relations} relations[/]")


if __name__ == "__main__":
    typer.run(main)
