"""Export the gold corpus as a Hugging Face DatasetDict (train/dev/test by the fixed split)."""
from pathlib import Path

import typer
from rich.console import Console

from healthkg.corpus import AnnotationFormatError
from healthkg.hf_export import ExportError, export


def main(
    gold: Path = typer.Argument(Path("corpus/annotations"), help="Gold folder of *.jsonl files"),
    splits: Path = typer.Option(Path("corpus/splits.json"), help="Split file written by convert"),
    output: Path = typer.Option(Path("corpus/hf_dataset"), help="datasets.save_to_disk folder"),
):
    console = Console()
    for path, what in ((gold, "gold folder"), (splits, "split file")):
        if not path.exists():
            console.print(f"[red]{path}: {what} not found[/]")
            raise typer.Exit(1)
    try:
        sizes = export(gold, splits, output)
    except (ExportError, AnnotationFormatError) as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1)
    console.print(f"wrote {output}: " + ", ".join(f"{k} {v} paragraphs" for k, v in sizes.items())
                  + '  (load with datasets.load_from_disk)')


if __name__ == "__main__":
    typer.run(main)
