"""Run a command and record its wall time and peak memory as JSON (for the reports).

    python scripts/time_workflow.py --name all --output metrics/resources/all.json -- python -m spacy project run all --force
"""
from pathlib import Path
from typing import List

import typer

from healthkg.resources import measure, write_record


def main(
    command: List[str] = typer.Argument(..., help="The command to run, after --"),
    name: str = typer.Option(..., help="Name shown in the report"),
    output: Path = typer.Option(..., help="JSON record to write"),
):
    record = measure(command, name=name)
    write_record(record, output)
    peak = f"{record['peak_rss_mb']:.0f} MB" if record["peak_rss_mb"] else "unknown"
    typer.echo(f"{name}: {record['wall_seconds']:.1f} s wall, peak memory {peak}, exit code {record['returncode']}")
    raise typer.Exit(record["returncode"])


if __name__ == "__main__":
    typer.run(main)
