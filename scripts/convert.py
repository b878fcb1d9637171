"""Convert the gold corpus (and the auxiliary NER corpora) into spaCy DocBin files per split."""
import json
from pathlib import Path
from typing import List, Optional

import srsly
import typer
from tqdm import tqdm

from healthkg.rules import entity_ruler_patterns
from healthkg.convert import (ConversionError, blank_zh, cluener_docs, gold_docs, make_splits, read_gold,
                              resume_docs, segmentation_losses, segmentation_report, write_docbin)

app = typer.Typer(add_completion=False)

# Fixed split: see corpus/splits.md for the reasons.
DEFAULT_TEST = ["001_10ffcf9db8a8ca64"]
DEFAULT_DEV = ["004_7ccae0e84f9d4e94"]


@app.command()
def main(
    gold: Path = typer.Option(Path("corpus/annotations"), help="Folder of gold annotation files (one .jsonl per article)"),
    output: Path = typer.Option(Path("corpus/spacy"), help="Folder for the .spacy files"),
    splits: Path = typer.Option(Path("corpus/splits.json"), help="Split file; written with --test/--dev when missing"),
    test: Optional[List[str]] = typer.Option(None, help="Fixed-split test article (when writing a new split file)"),
    dev: Optional[List[str]] = typer.Option(None, help="Fixed-split dev article (when writing a new split file)"),
    cluener: Optional[Path] = typer.Option(None, help="CLUENER2020 train.json"),
    resume: List[Path] = typer.Option([], help="Resume NER *.char.bmes files"),
    report: Optional[Path] = typer.Option(None, help="Write the segmentation measurement here (Markdown)"),
):
    try:
        corpus = read_gold(gold)
        nlp = blank_zh()
        docs = gold_docs(corpus, nlp)
    except ConversionError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1)
    if splits.exists():
        split = json.loads(splits.read_text(encoding="utf-8"))
        named = set(split["fixed"]["train"] + split["fixed"]["dev"] + split["fixed"]["test"])
        missing = sorted(named - set(docs))
        if missing:
            typer.echo(f"error: {splits} names articles without gold annotation in {gold}: {missing}", err=True)
            raise typer.Exit(1)
        unsplit = sorted(set(docs) - named)
        if unsplit:
            typer.echo(f"error: {gold} has articles that {splits} does not place: {unsplit}", err=True)
            raise typer.Exit(1)
    else:
        split = make_splits(list(docs), list(test or DEFAULT_TEST), list(dev or DEFAULT_DEV))
        splits.parent.mkdir(parents=True, exist_ok=True)
        splits.write_text(json.dumps(split, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        typer.echo(f"wrote {splits}")

    def write_patterns(ids, path):
        # learnt from the split's TRAINING articles only
        patterns = entity_ruler_patterns(ids, folder=gold, include_lexicons=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        srsly.write_jsonl(path, patterns)
        typer.echo(f"{path}: {len(patterns)} gazetteer patterns (names annotated in {len(ids)} training article(s))")

    def write(ids, path):
        n = write_docbin((d for a in ids for d in docs[a]), path)
        typer.echo(f"{path}: {n} paragraphs from {len(ids)} article(s)")

    for article_id in docs:
        write([article_id], output / "articles" / f"{article_id}.spacy")
    for part in ("train", "dev", "test"):
        write(split["fixed"][part], output / "fixed" / f"{part}.spacy")
    write_patterns(split["fixed"]["train"], output / "fixed" / "patterns.jsonl")
    for fold in split["cv"]:
        for part in ("train", "dev", "test"):
            write(fold[part], output / "cv" / f"fold_{fold['fold']}" / f"{part}.spacy")
        write_patterns(fold["train"], output / "cv" / f"fold_{fold['fold']}" / "patterns.jsonl")

    aux_sources = ([("CLUENER2020", cluener, cluener_docs)] if cluener else []) + \
        [("Resume NER", path, resume_docs) for path in resume]
    if aux_sources:
        def aux_stream():
            for name, path, reader in aux_sources:
                if not path.exists():
                    raise ConversionError(f"{path}: auxiliary corpus not found (run `spacy project assets`)")
                yield from tqdm(reader(path, nlp), desc=f"{name} {path.name}", unit=" sentences", mininterval=5)
        try:
            n = write_docbin(aux_stream(), output / "aux.spacy")
        except ConversionError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(1)
        typer.echo(f"{output / 'aux.spacy'}: {n} auxiliary sentences")

    if report:
        losses = segmentation_losses(corpus)
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(segmentation_report(losses), encoding="utf-8")
        summary = ", ".join(f"{k} {v['lost']}/{v['total']}" for k, v in losses.items())
        typer.echo(f"{report}: gold spans lost by segmenter: {summary}")


if __name__ == "__main__":
    app()
