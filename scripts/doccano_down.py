"""Stop the doccano web server and task worker started by doccano_up.py, by their process ids."""
from pathlib import Path

import typer
from rich.console import Console

from healthkg.doccano import server
from healthkg.doccano.settings import layout


def main(data_dir: Path = typer.Option(Path(".doccano/data"), help="the data folder given to doccano_up.py")):
    server.stop(layout(data_dir), say=Console().print)


if __name__ == "__main__":
    typer.run(main)
