"""Validate the gold annotations and print counts per label and per article."""
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from healthkg.pipeline.schema import ENTITY_LABELS, RELATION_TYPES
from healthkg.preprocess import read_clean_articles
from healthkg.validation import validate_corpus


def main(
    annotations: Path = typer.Argument(Path("corpus/annotations"), help="Folder of gold *.jsonl files"),
    clean: Path = typer.Option(Path("corpus/clean/articles.jsonl"), help="preprocess output to check the text against"),
):
    console = Console()
    clean_articles = read_clean_articles(clean) if clean.exists() else None
    if clean_articles is None:
        console.print(f"[yellow]{clean} not found: paragraph texts are not checked against the clean corpus[/]")
    result = validate_corpus(annotations, clean_articles)
    _print_counts(console, "Entities", ENTITY_LABELS, result.entity_counts())
    _print_counts(console, "Relations", RELATION_TYPES, result.relation_counts())
    for problem in result.problems:
        console.print(f"[red]{problem}[/]", highlight=False, soft_wrap=True)
    if not result.ok:
        console.print(f"[red]{len(result.problems)} problems[/]")
        raise typer.Exit(1)
    console.print(f"[green]{annotations}: {sum(len(ps) for ps in result.paragraphs.values())} paragraphs in "
                  f"{len(result.paragraphs)} articles, no problems[/]")


def _print_counts(console, title, labels, counts):
    articles = sorted(counts)
    table = Table(title=f"{title} per label and article")
    table.add_column("label")
    for article in articles:
        table.add_column(article.split("_")[0], justify="right")
    table.add_column("total", justify="right")
    for label in labels:
        row = [counts[a][label] for a in articles]
        table.add_row(label, *map(str, row), str(sum(row)))
    totals = [sum(counts[a].values()) for a in articles]
    table.add_row("all", *map(str, totals), str(sum(totals)))
    console.print(table)


if __name__ == "__main__":
    typer.run(main)
