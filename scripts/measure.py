"""Score trained pipelines on held-out gold .spacy files (entities, relations end to end and given
gold entities, and the same text in traditional script), for choosing training options."""
import json
from pathlib import Path
from typing import List

import typer

from healthkg.convert import read_docbin
from healthkg.experiments import evaluate_pipeline
from healthkg.nlp import load_pipeline

app = typer.Typer(add_completion=False)


@app.command()
def main(models: List[Path] = typer.Argument(..., help="Trained pipeline directories"),
         test: List[Path] = typer.Option(..., help="Gold .spacy files of the held-out articles"),
         output: Path = typer.Option(None, help="Write the scores as JSON here"),
         traditional: bool = typer.Option(True, help="Also score the test text converted to traditional script")):
    results = {}
    for model in models:
        nlp = load_pipeline(model)
        docs = [d for path in test for d in read_docbin(path, nlp)]
        row = {"simplified": evaluate_pipeline(nlp, docs)}
        if traditional:
            row["traditional"] = evaluate_pipeline(nlp, docs, traditional=True)
        results[str(model)] = row
        s = row["simplified"]
        line = f"{model}: ents F {s['ents_f']:.3f} (P {s['ents_p']:.3f} R {s['ents_r']:.3f}); rel e2e F {s['rel_e2e_f']:.3f}; rel|gold F {s['rel_gold_f']:.3f}"
        if traditional:
            line += f"; traditional ents F {row['traditional']['ents_f']:.3f}"
        typer.echo(line)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    app()
