"""Characters per second and peak memory of the pipeline (1 and 2 processes) next to jieba.posseg and
jiagu, on the clean seed articles repeated to at least 1 MiB. Not a test: run it on a quiet machine."""
import json
import tempfile
from pathlib import Path
from typing import List

import typer

from healthkg.benchmark import MIB, build_corpus, machine, markdown_table, measure
from healthkg.preprocess import read_clean_articles


def main(
    model: str = typer.Option("training/fixed/model-last", help="Pipeline directory or installed package name"),
    clean: Path = typer.Option(Path("corpus/clean/articles.jsonl"), help="Clean seed articles (preprocess output)"),
    output: Path = typer.Option(Path("metrics/benchmark.json"), help="Figures as JSON"),
    report: Path = typer.Option(Path("reports/benchmark.md"), help="Figures as a Markdown table"),
    min_mib: float = typer.Option(1.0, help="Corpus size in MiB of UTF-8 text"),
    processes: List[int] = typer.Option([1, 2], help="n_process values for the pipeline"),
    baselines: List[str] = typer.Option(["jieba.posseg", "jieba.posseg-nohmm", "jiagu"], help="Other systems on the same text"),
    batch_size: int = typer.Option(4, help="Articles per nlp.pipe batch"),
    without_torch: bool = typer.Option(False, help="Keep torch out of the measured processes (it is only imported, never used)"),
):
    if not clean.exists():
        typer.echo(f"error: {clean} not found (run `spacy project run preprocess`)", err=True)
        raise typer.Exit(1)
    texts = build_corpus(clean, int(min_mib * MIB))
    info = machine()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        corpus_path = Path(tmp) / "corpus.json"
        corpus_path.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        runs = [("pipeline", n) for n in processes] + [(b, 1) for b in baselines]
        for system, n in runs:
            typer.echo(f"{system} (n_process={n}) ...")
            result = measure(system, corpus_path, model if system == "pipeline" else None, n, batch_size,
                             without_torch=without_torch)
            results.append(result)
            typer.echo("  " + (f"not run: {result['error']}" if "error" in result else
                              f"{result['chars_per_second']:,} chars/s, peak RSS {result['peak_rss_mb']} MB"))
    corpus = {"seed_articles": len(read_clean_articles(clean)), "articles": len(texts),
              "chars": sum(len(t) for t in texts), "utf8_bytes": sum(len(t.encode('utf-8')) for t in texts)}
    figures = {"model": model, "corpus": corpus, "machine": info, "results": results}
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(markdown_table(figures), encoding="utf-8")
    typer.echo(f"wrote {output} and {report}")
    if all("error" in r for r in results if r["system"] == "pipeline"):
        raise typer.Exit(1)


if __name__ == "__main__":
    typer.run(main)
