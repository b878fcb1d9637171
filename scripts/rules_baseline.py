"""Score the rule pre-annotator against the gold corpus, per label (Markdown + JSON)."""
import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from healthkg.pipeline.schema import ENTITY_LABELS, RELATION_TYPES
from healthkg.rules import default_annotations_dir
from healthkg.rules_baseline import baseline_report, score_rules


def main(
    gold: Optional[Path] = typer.Argument(None, help="Gold folder (default corpus/annotations)"),
    output: Path = typer.Option(Path("metrics/rules_baseline.json"), help="Scores as JSON"),
    report: Path = typer.Option(Path("reports/rules_baseline.md"), help="Scores as Markdown tables"),
):
    gold = gold or default_annotations_dir()
    if not gold.is_dir() or not any(gold.glob("*.jsonl")):
        raise typer.BadParameter(f"{gold}: no gold *.jsonl files")
    scores = {setting: {kind: s.to_dict(ENTITY_LABELS if kind == "entities" else RELATION_TYPES)
                        for kind, s in score_rules(gold, setting).items()}
              for setting in ("loo", "none")}
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({"gold": str(gold), **scores}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    text = baseline_report(gold)
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("# Rule baseline\n\n" + text, encoding="utf-8")
    Console().print(text)


if __name__ == "__main__":
    typer.run(main)
