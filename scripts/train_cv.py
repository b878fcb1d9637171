"""Train one pipeline per cross-validation fold (corpus/spacy/cv/fold_<k>/) with `spacy train`."""
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(add_completion=False)


@app.command()
def main(
    config: Path = typer.Option(Path("configs/ner.cfg")),
    corpus: Path = typer.Option(Path("corpus/spacy"), help="Output folder of `convert`"),
    splits: Path = typer.Option(Path("corpus/splits.json")),
    output: Path = typer.Option(Path("training/cv")),
    gpu_id: int = typer.Option(-1),
    folds: Optional[List[int]] = typer.Option(None, help="Only these folds (default: all)"),
    overrides: List[str] = typer.Argument(None, help="Extra spacy train overrides, e.g. --training.max_steps 500"),
):
    split = json.loads(splits.read_text(encoding="utf-8"))
    timings = {}
    for fold in split["cv"]:
        k = fold["fold"]
        if folds and k not in folds:
            continue
        fold_dir = corpus / "cv" / f"fold_{k}"
        if not (fold_dir / "train.spacy").exists():
            typer.echo(f"error: {fold_dir / 'train.spacy'} not found (run `spacy project run convert`)", err=True)
            raise typer.Exit(1)
        command = [sys.executable, "-m", "spacy", "train", str(config), "--code", "healthkg/training.py",
                   "--output", str(output / f"fold_{k}"), "--gpu-id", str(gpu_id),
                   "--paths.train", str(fold_dir / "train.spacy"), "--paths.dev", str(fold_dir / "dev.spacy"),
                   "--paths.aux", str(corpus / "aux.spacy"),
                   "--paths.patterns", str(fold_dir / "patterns.jsonl")] + list(overrides or [])
        typer.echo(f"fold {k}: test {fold['test']}, dev {fold['dev']}")
        start = time.time()
        result = subprocess.run(command)
        if result.returncode:
            typer.echo(f"error: training fold {k} failed (exit {result.returncode})", err=True)
            raise typer.Exit(result.returncode)
        timings[k] = round(time.time() - start, 1)
    output.mkdir(parents=True, exist_ok=True)
    (output / "timings.json").write_text(json.dumps(timings, indent=2) + "\n", encoding="utf-8")
    typer.echo(f"trained folds {sorted(timings)} in {sum(timings.values()):.0f} s")


if __name__ == "__main__":
    app()
