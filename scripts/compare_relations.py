"""Compare the relation approaches given gold entities, leaving one article out at a time."""
import json
from pathlib import Path
from statistics import mean, stdev

import typer

from healthkg.convert import read_docbin
from healthkg.experiments import compare_relation_approaches

app = typer.Typer(add_completion=False)


@app.command()
def main(articles: Path = typer.Argument(..., help="Folder of per-article gold .spacy files (from `convert`)"),
         output: Path = typer.Option(Path("metrics/relations_comparison.json")),
         report: Path = typer.Option(Path("reports/relations_comparison.md"))):
    files = sorted(articles.glob("*.spacy"))
    if len(files) < 2:
        raise typer.BadParameter(f"{articles}: needs at least two article .spacy files, found {len(files)}")
    docs_by_article = {f.stem: read_docbin(f) for f in files}
    results = compare_relation_approaches(docs_by_article)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    lines = ["# Relation approaches given gold entities (leave one article out)", "",
             f"{len(files)} articles; pooled P/R/F over all held-out articles, and mean ± sd of the per-article F.", "",
             "| approach | P | R | F pooled | F per article | train seconds |", "|---|---:|---:|---:|---:|---:|"]
    for name, s in results.items():
        fs = list(s["per_article_f"].values())
        spread = f"{mean(fs):.3f} ± {stdev(fs):.3f}" if len(fs) > 1 else f"{fs[0]:.3f}"
        lines.append(f"| {name} | {s['rel_micro_p']:.3f} | {s['rel_micro_r']:.3f} | {s['rel_micro_f']:.3f} | {spread} | {s['train_seconds']:.0f} |")
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    typer.echo("\n".join(lines))


if __name__ == "__main__":
    app()
