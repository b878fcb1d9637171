"""Evaluate a trained pipeline and the baselines on the held-out articles of a split.

Writes the metrics JSON, the per-article predictions (for re-rendering), a Markdown and an HTML report.
"""
import json
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console

from healthkg.evaluate import BASELINES, attach_resources, run_evaluation
from healthkg.reports import html_report, markdown_report


def main(
    model: Optional[Path] = typer.Argument(None, help="Trained pipeline directory (omit to score only the baselines)"),
    split: str = typer.Option("fixed", help="'fixed' or 'cv'"),
    fold: Optional[int] = typer.Option(None, help="cv fold number (with --split cv)"),
    gold: Optional[Path] = typer.Option(None, help="Gold folder (default corpus/annotations, else the first-pass annotations)"),
    splits: Path = typer.Option(Path("corpus/splits.json"), help="Split file written by convert"),
    output: Path = typer.Option(Path("metrics/fixed/evaluation.json"), help="Metrics JSON"),
    predictions: Optional[Path] = typer.Option(None, help="Per-article predictions JSON (default: next to --output)"),
    report_md: Optional[Path] = typer.Option(None, help="Markdown report"),
    report_html: Optional[Path] = typer.Option(None, help="HTML report with displaCy renderings"),
    baseline: List[str] = typer.Option(list(BASELINES), help="Baselines to run beside the model (repeatable)"),
    resources: List[Path] = typer.Option([], help="Timing records (scripts/time_workflow.py output) to show if present"),
):
    console = Console()
    if split == "cv" and fold is None:
        console.print("[red]--split cv needs --fold[/]")
        raise typer.Exit(2)
    if model is not None and not model.exists():
        console.print(f"[red]{model}: trained pipeline not found[/]")
        raise typer.Exit(1)
    if not splits.exists():
        console.print(f"[red]{splits}: split file not found (run convert first)[/]")
        raise typer.Exit(1)
    unknown = [b for b in baseline if b not in BASELINES]
    if unknown:
        console.print(f"[red]unknown baseline(s) {unknown}; choose from {list(BASELINES)}[/]")
        raise typer.Exit(2)
    with console.status("evaluating") as status:
        metrics, articles = run_evaluation(model, gold, splits, split, fold, baseline,
                                           progress=lambda m: status.update(m))
    attach_resources(metrics, resources)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(metrics, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    predictions = predictions or output.with_name(output.stem + "_predictions.json")
    predictions.write_text(json.dumps(articles, ensure_ascii=False) + "\n", encoding="utf-8")
    for path, text in ((report_md, markdown_report(metrics) if report_md else None),
                       (report_html, html_report(metrics, articles) if report_html else None)):
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for name, system in metrics["systems"].items():
        e2e = system.get("relations_end_to_end")
        given = system.get("relations_given_gold")
        console.print(f"{name:>6}: entities micro F {system['entities']['micro']['f']:.3f}"
                      + (f", relations end to end {e2e['micro']['f']:.3f}" if e2e else "")
                      + (f", given gold entities {given['micro']['f']:.3f}" if given else ""))
    for note in metrics["notes"]:
        console.print(f"[yellow]{note}[/]")
    console.print(f"wrote {output}, {predictions}" + "".join(f", {p}" for p in (report_md, report_html) if p))


if __name__ == "__main__":
    typer.run(main)
