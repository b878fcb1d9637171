"""Install doccano and doccano-client into their own virtual environments, once.

A venv is reused while the requirement file it was built from is unchanged (a hash is kept inside
the venv), so a second `doccano-up` or test run installs nothing.
"""
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Optional

from .settings import DoccanoError, Layout

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVER_REQUIREMENTS = REPO_ROOT / "requirements-doccano-server.txt"
CLIENT_REQUIREMENTS = REPO_ROOT / "requirements-doccano-client.txt"
MARKER = ".healthkg-requirements.sha256"
BASE_PYTHON_VAR = "HEALTHKG_DOCCANO_PYTHON"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def venv_is_current(venv: Path, requirements: Path) -> bool:
    marker = venv / MARKER
    return (venv / "bin" / "python").exists() and marker.exists() and marker.read_text().strip() == _digest(requirements)


def _base_python() -> str:
    # doccano 1.8.4's pins (pandas<2) have wheels up to Python 3.11
    return os.environ.get(BASE_PYTHON_VAR) or sys.executable


def ensure_venv(venv: Path, requirements: Path, say: Callable[[str], None] = print) -> bool:
    """Create `venv` with `requirements` unless it is already current; True when it installed."""
    if venv_is_current(venv, requirements):
        return False
    if not requirements.exists():
        raise DoccanoError(f"{requirements} is missing: it lists what the doccano tooling needs")
    if venv.exists():
        shutil.rmtree(venv)
    venv.parent.mkdir(parents=True, exist_ok=True)
    log = venv.parent / f"{venv.name}-install.log"
    say(f"installing {requirements.name} into {venv} (a few minutes the first time; log: {log})")
    started = time.time()
    with log.open("w") as out:
        steps = [[_base_python(), "-m", "venv", str(venv)],
                 [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check",
                  "-r", str(requirements)]]
        for step in steps:
            if subprocess.run(step, stdout=out, stderr=subprocess.STDOUT).returncode != 0:
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
                raise DoccanoError(f"installing {requirements.name} into {venv} failed; end of {log}:\n{tail}")
    (venv / MARKER).write_text(_digest(requirements))
    say(f"installed {venv.name} in {time.time() - started:.0f} s")
    return True


def ensure_installed(layout: Layout, say: Callable[[str], None] = print) -> None:
    ensure_venv(layout.server_venv, SERVER_REQUIREMENTS, say)
    ensure_venv(layout.client_venv, CLIENT_REQUIREMENTS, say)


def ensure_client(layout: Layout, say: Optional[Callable[[str], None]] = print) -> None:
    """The client venv alone (push and pull need only this one)."""
    ensure_venv(layout.client_venv, CLIENT_REQUIREMENTS, say or (lambda _: None))
