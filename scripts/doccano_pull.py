"""Export a doccano project, validate it and merge it into the gold corpus, showing what changes."""
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from healthkg.doccano import loop
from healthkg.doccano.settings import DEFAULT_PORT, DEFAULT_PROJECT, DoccanoError, credentials_from_env, layout

SHOWN = 15  # detail lines per article and kind of change


def main(
    annotations: Path = typer.Option(Path("corpus/annotations"), help="the gold corpus folder to merge into"),
    approved_only: bool = typer.Option(False, "--approved-only", help="only examples marked as approved in doccano"),
    force: bool = typer.Option(False, "--force", help="write even when gold annotations would be removed "
                               "or a new article is incomplete"),
    dry_run: bool = typer.Option(False, "--dry-run", help="show the changes, write nothing"),
    project: str = typer.Option(DEFAULT_PROJECT, help="doccano project name"),
    clean: Path = typer.Option(Path("corpus/clean/articles.jsonl"), help="clean articles, to check new articles are complete"),
    data_dir: Path = typer.Option(Path(".doccano/data"), help="the data folder given to doccano_up.py"),
    install_dir: Optional[Path] = typer.Option(None, help="where the venvs live (default as doccano_up.py)"),
    port: int = typer.Option(DEFAULT_PORT, help="port on 127.0.0.1, when no server was started from --data-dir"),
):
    console = Console()
    where = layout(data_dir, install_dir, port)
    try:
        outcome = loop.pull(where, loop.server_url(where), credentials_from_env(), project, annotations,
                            approved_only, force, dry_run, clean)
    except DoccanoError as error:
        console.print(f"[red]{error}[/]", highlight=False)
        raise typer.Exit(1)
    result = outcome.merge
    table = Table(title=f"{outcome.pulled} paragraphs pulled from {project!r}; "
                        f"{result.unchanged_paragraphs} unchanged")
    table.add_column("article", no_wrap=True)
    for column in ("new par.", "+ent", "-ent", "~ent", "+rel", "-rel", "~rel"):
        table.add_column(column, justify="right")
    table.caption = "+ added, - removed, ~ relabelled entities (ent) and relations (rel)"
    for article_id, c in sorted(result.changes.items()):
        table.add_row(article_id, *map(str, (c.new_paragraphs, len(c.added_entities), len(c.removed_entities),
                                             len(c.relabelled_entities), len(c.added_relations),
                                             len(c.removed_relations), len(c.relabelled_relations))))
    if result.changes:
        console.print(table)
    else:
        console.print(table.title)
    for article_id, c in sorted(result.changes.items()):
        for kind, items in (("removed entity", c.removed_entities), ("relabelled entity", c.relabelled_entities),
                            ("removed relation", c.removed_relations), ("relabelled relation", c.relabelled_relations)):
            for item in items[:SHOWN]:
                console.print(f"  {article_id} {kind}: {item}", highlight=False)
            if len(items) > SHOWN:
                console.print(f"  {article_id}: {len(items) - SHOWN} more of kind {kind!r}")
    if outcome.comments:
        console.print(f"[yellow]{outcome.comments} doccano comments were not copied into the corpus: read them in doccano[/]")
    if result.errors:
        for error in result.errors:
            console.print(f"[red]{error}[/]", highlight=False)
        console.print(f"[red]{len(result.errors)} problems in the pulled annotations: nothing written; fix them in doccano[/]")
        raise typer.Exit(1)
    if result.blocking and not force:
        for reason in result.blocking:
            console.print(f"[red]{reason}[/]", highlight=False)
        console.print("[red]nothing written: review the changes above, then pull again with --force to accept them[/]")
        raise typer.Exit(1)
    if dry_run:
        console.print("dry run: nothing written")
    elif outcome.written:
        console.print(f"[green]wrote {len(outcome.written)} article files: {', '.join(p.name for p in outcome.written)}[/]")
    else:
        console.print("[green]the corpus already holds every pulled annotation; nothing written[/]")


if __name__ == "__main__":
    typer.run(main)
