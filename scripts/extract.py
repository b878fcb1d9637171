"""Entities, relation triples and a knowledge graph from new articles (txt, html, jsonl; any common
encoding; simplified or traditional): JSONL per article, a triples CSV and a GraphML file."""
from pathlib import Path
from typing import List

import typer

from healthkg.extract import extract, load_model, write_outputs
from healthkg.preprocess import load_metadata


def main(
    inputs: List[Path] = typer.Argument(..., help="Article files, folders or JSONL files"),
    model: str = typer.Option("training/fixed/model-last", help="Pipeline directory or installed package name (zh_health_kg)"),
    output: Path = typer.Option(Path("extracted"), help="Folder for articles.jsonl, triples.csv and graph.graphml"),
    exclude: List[Path] = typer.Option([], help="Files to leave out (repeatable), e.g. a metadata file inside the input folder"),
    metadata: Path = typer.Option(None, help="Article metadata JSONL (as for preprocess): ids, titles, dates, sources"),
    batch_size: int = typer.Option(8, help="Articles per nlp.pipe batch"),
    progress: bool = typer.Option(True, help="Show a progress bar"),
):
    try:
        nlp = load_model(model)
    except (FileNotFoundError, OSError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1)
    try:
        known = load_metadata(metadata) if metadata else {}
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1)
    exclude = list(exclude) + ([metadata] if metadata else [])
    result = extract(inputs, nlp, batch_size=batch_size, exclude=exclude, metadata=known, progress=progress)
    paths = write_outputs(result, output)
    for error in result.errors:
        typer.echo(f"ERROR {error}", err=True)
    typer.echo(result.summary())
    typer.echo("wrote " + ", ".join(str(p) for p in paths.values()))
    if not result.records:
        raise typer.Exit(1)


if __name__ == "__main__":
    typer.run(main)
