"""Upload paragraphs with pre-annotations to a doccano project; paragraphs already there are skipped."""
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console

from healthkg.doccano import loop
from healthkg.doccano.settings import DEFAULT_PORT, DEFAULT_PROJECT, DoccanoError, credentials_from_env, layout
from healthkg.doccano.sources import SOURCES


def main(
    source: str = typer.Option("rules", help=f"pre-annotations: {', '.join(SOURCES)}"),
    source_path: Optional[Path] = typer.Option(None, help="read the source from here instead of its default place"),
    article: Optional[List[str]] = typer.Option(None, help="push only this article id (repeatable)"),
    project: str = typer.Option(DEFAULT_PROJECT, help="doccano project name (created if missing)"),
    guideline: Path = typer.Option(Path("corpus/annotation_guidelines.md"), help="shown in doccano's guideline page"),
    data_dir: Path = typer.Option(Path(".doccano/data"), help="the data folder given to doccano_up.py"),
    install_dir: Optional[Path] = typer.Option(None, help="where the venvs live (default as doccano_up.py)"),
    port: int = typer.Option(DEFAULT_PORT, help="port on 127.0.0.1, when no server was started from --data-dir"),
):
    console = Console()
    where = layout(data_dir, install_dir, port)
    try:
        result = loop.push(where, loop.server_url(where), credentials_from_env(), project, source, source_path,
                           article, guideline)
    except DoccanoError as error:
        console.print(f"[red]{error}[/]", highlight=False)
        raise typer.Exit(1)
    console.print(f"project {project!r} (id {result['project_id']}{', new' if result['project_created'] else ''}): "
                  f"{result['uploaded']} paragraphs uploaded, {len(result['skipped'])} already there and left as they are; "
                  f"{result['examples']} examples in the project")


if __name__ == "__main__":
    typer.run(main)
