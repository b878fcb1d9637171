"""Clean raw articles (txt, html, jsonl; any common encoding) into corpus JSONL records."""
from pathlib import Path
from typing import List

import typer

from healthkg.preprocess import cleaning_report_markdown, load_metadata, preprocess, write_jsonl


def main(
    inputs: List[Path] = typer.Argument(..., help="Raw article files or folders"),
    output: Path = typer.Option(Path("corpus/clean/articles.jsonl"), help="Clean JSONL output"),
    report: Path = typer.Option(Path("corpus/clean/cleaning_report.md"), help="Markdown cleaning audit"),
    metadata: Path = typer.Option(Path("corpus/raw/metadata.jsonl"), help="Hand-recorded article metadata"),
):
    result = preprocess(inputs, load_metadata(metadata), exclude=[metadata])
    write_jsonl((article.to_record() for article in result.articles), output)
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(cleaning_report_markdown(result), encoding="utf-8")
    for article in result.articles:
        s = article.stats
        typer.echo(
            f"{article.id}: {s['clean_chars']} clean chars in {s['paragraphs']} paragraphs; removed "
            f"{s.get('lines_removed', 0)} lines ({s.get('chars_removed_in_lines', 0)} chars), "
            f"{s.get('pinyin_annotations_removed', 0)} pinyin annotations, "
            f"{s.get('whitespace_chars_removed', 0)} whitespace chars"
        )
    for error in result.errors:
        typer.echo(f"ERROR {error}", err=True)
    typer.echo(f"{len(result.articles)} articles written to {output}; {len(result.errors)} files failed; report: {report}")
    if not result.articles:
        raise typer.Exit(1)


if __name__ == "__main__":
    typer.run(main)
