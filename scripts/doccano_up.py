"""Install (once) and start a local doccano server with its task worker; the admin comes from the environment."""
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from healthkg.doccano import install, server
from healthkg.doccano.settings import DEFAULT_PORT, DoccanoError, credentials_from_env, layout


def main(
    data_dir: Path = typer.Option(Path(".doccano/data"), help="doccano's database, uploads, pid files and logs"),
    install_dir: Optional[Path] = typer.Option(None, help="where the server and client venvs live "
                                               "(default: $HEALTHKG_DOCCANO_INSTALL, else .doccano/install)"),
    port: int = typer.Option(DEFAULT_PORT, help="port on 127.0.0.1"),
):
    console = Console()
    where = layout(data_dir, install_dir, port)
    try:
        credentials = credentials_from_env(need_email=False)
        state = server.running(where)
        if state and server.health(state["url"]):
            console.print(f"doccano is already running at {state['url']}; nothing to do")
            return
        install.ensure_installed(where, say=console.print)
        server.initialise(where, credentials, say=console.print)
        state = server.start(where, say=console.print)
    except DoccanoError as error:
        console.print(f"[red]{error}[/]", highlight=False)
        raise typer.Exit(1)
    console.print(f"open {state['url']} and log in as {credentials.username!r}")


if __name__ == "__main__":
    typer.run(main)
