"""Fetch the project.yml assets: from a local mirror folder when there is one, else from their URL.

An asset `dest: assets/<path>` is looked for at `<mirror>/<path>`; either way its MD5 checksum
(the one weasel uses) must match, so the mirror and upstream give the same bytes.
"""
import hashlib
import shutil
import urllib.request
from pathlib import Path

import srsly
import typer


def md5sum(path: Path) -> str:
    digest = hashlib.md5()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main(
    mirror: Path = typer.Option(Path("../shared/data"), help="Local mirror of the assets folder"),
    project: Path = typer.Option(Path("project.yml"), help="project.yml declaring the assets"),
):
    assets = srsly.read_yaml(project).get("assets", [])
    failed = 0
    for asset in assets:
        dest = Path(asset["dest"])
        checksum = asset.get("checksum")
        if dest.exists() and (not checksum or md5sum(dest) == checksum):
            typer.echo(f"ok       {dest} (already present)")
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        local = mirror / Path(*dest.parts[1:])
        if local.exists():
            shutil.copyfile(local, dest)
            origin = f"copied from {local}"
        else:
            try:
                urllib.request.urlretrieve(asset["url"], dest)
            except OSError as error:
                typer.echo(f"FAILED   {dest}: no mirror at {local} and download failed: {error}", err=True)
                failed += 1
                continue
            origin = f"downloaded from {asset['url']}"
        if checksum and md5sum(dest) != checksum:
            typer.echo(f"FAILED   {dest}: checksum mismatch ({origin}); expected md5 {checksum}", err=True)
            dest.unlink()
            failed += 1
            continue
        typer.echo(f"fetched  {dest} ({origin})")
    if failed:
        raise typer.Exit(1)


if __name__ == "__main__":
    typer.run(main)
