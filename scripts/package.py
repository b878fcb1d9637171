"""Package a trained pipeline as a pip-installable wheel (spacy package + the pipeline code)."""
from pathlib import Path
from typing import List

import typer

from healthkg.packaging import PackagingError, build_package, runtime_requirements, pipeline_code_files


def main(
    model: Path = typer.Argument(..., help="Trained pipeline directory, e.g. training/fixed/model-last"),
    output: Path = typer.Argument(Path("packages"), help="Folder for the wheel"),
    name: str = typer.Option("health_kg", help="Package name (the language code is prefixed: zh_health_kg)"),
    version: str = typer.Option("0.1.0", help="Package version"),
    metrics: List[Path] = typer.Option([], help="Evaluation JSON (scripts/evaluate.py) for the model card; repeatable, missing files are skipped"),
    gold: Path = typer.Option(Path("corpus/annotations"), help="Gold corpus, summarised in the model card"),
    build_dir: Path = typer.Option(None, help="Keep the generated package source here (default: a temporary folder)"),
):
    if not model.exists():
        typer.echo(f"error: {model}: trained pipeline not found (run the training step first)", err=True)
        raise typer.Exit(1)
    typer.echo("requirements: " + ", ".join(runtime_requirements(pipeline_code_files())))
    try:
        wheel = build_package(model, output, name, version, metrics=metrics, gold_dir=gold, keep_build=build_dir)
    except PackagingError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1)
    typer.echo(f"wrote {wheel}")


if __name__ == "__main__":
    typer.run(main)
