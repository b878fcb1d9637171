"""Re-render the Markdown and HTML reports from saved metrics, e.g. after timing the workflows.

    python scripts/report.py metrics/fixed/evaluation.json --report-md reports/evaluation.md \
        --report-html reports/evaluation.html --resources metrics/resources/all.json
Works for a single evaluation (with its predictions file for the displaCy renderings) and for the
cross-validation summary.
"""
import json
from pathlib import Path
from typing import List, Optional

import typer

from healthkg.cv_report import cv_html, cv_markdown
from healthkg.evaluate import attach_resources
from healthkg.reports import html_report, markdown_report


def main(
    metrics: Path = typer.Argument(..., help="evaluation.json or the cv summary.json"),
    predictions: Optional[Path] = typer.Option(None, help="Per-article predictions (default: <metrics>_predictions.json)"),
    report_md: Path = typer.Option(..., help="Markdown report"),
    report_html: Path = typer.Option(..., help="HTML report"),
    resources: List[Path] = typer.Option([], help="Timing records to show if present"),
):
    if not metrics.exists():
        typer.echo(f"{metrics}: metrics file not found", err=True)
        raise typer.Exit(1)
    data = attach_resources(json.loads(metrics.read_text(encoding="utf-8")), resources)
    metrics.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if "folds" in data and "split" not in data:
        md, page = cv_markdown(data), cv_html(data)
    else:
        predictions = predictions or metrics.with_name(metrics.stem + "_predictions.json")
        articles = json.loads(predictions.read_text(encoding="utf-8")) if predictions.exists() else None
        md, page = markdown_report(data), html_report(data, articles)
    for path, text in ((report_md, md), (report_html, page)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {report_md}, {report_html}")


if __name__ == "__main__":
    typer.run(main)
