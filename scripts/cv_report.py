"""Aggregate the per-fold metrics JSONs of the cross-validation: mean and spread per label."""
import json
from pathlib import Path
from typing import List

import typer
from rich.console import Console

from healthkg.cv_report import aggregate_folds, cv_html, cv_markdown
from healthkg.evaluate import attach_resources


def main(
    folds: List[Path] = typer.Argument(..., help="Per-fold metrics JSONs (evaluate --split cv --fold k)"),
    output: Path = typer.Option(Path("metrics/cv/summary.json"), help="Aggregated metrics JSON"),
    report_md: Path = typer.Option(Path("reports/cv.md"), help="Markdown report"),
    report_html: Path = typer.Option(Path("reports/cv.html"), help="HTML report"),
    resources: List[Path] = typer.Option([], help="Timing records (scripts/time_workflow.py output) to show if present"),
):
    console = Console()
    fold_metrics = []
    for path in folds:
        if not path.exists():
            console.print(f"[red]{path}: fold metrics not found (run evaluate for that fold first)[/]")
            raise typer.Exit(1)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            console.print(f"[red]{path}: not valid JSON ({error.msg}, line {error.lineno})[/]")
            raise typer.Exit(1)
        if not isinstance(record, dict) or "systems" not in record:
            console.print(f"[red]{path}: not a metrics file written by evaluate (no \"systems\")[/]")
            raise typer.Exit(1)
        fold_metrics.append(record)
    cv = attach_resources(aggregate_folds(fold_metrics), resources)
    for path, text in ((output, json.dumps(cv, ensure_ascii=False, indent=1) + "\n"),
                       (report_md, cv_markdown(cv)), (report_html, cv_html(cv))):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for name, system in cv["systems"].items():
        f = system["entities"]["micro"]["f"]
        line = f"{name:>6}: entities micro F {f['mean']:.3f} ± {f['std']:.3f}"
        if system.get("relations_end_to_end"):
            r = system["relations_end_to_end"]["micro"]["f"]
            line += f", relations end to end {r['mean']:.3f} ± {r['std']:.3f}"
        console.print(line)
    console.print(f"wrote {output}, {report_md}, {report_html}")


if __name__ == "__main__":
    typer.run(main)
