"""Where the doccano install and data live, which server to talk to, and the admin credentials."""
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

USERNAME_VAR = "DOCCANO_ADMIN_USERNAME"
PASSWORD_VAR = "DOCCANO_ADMIN_PASSWORD"
EMAIL_VAR = "DOCCANO_ADMIN_EMAIL"
INSTALL_DIR_VAR = "HEALTHKG_DOCCANO_INSTALL"
DEFAULT_PROJECT = "healthkg"
DEFAULT_PORT = 8000
HOST = "127.0.0.1"  # never exposed beyond this machine


class DoccanoError(RuntimeError):
    """A problem the user can act on; the scripts print the message without a traceback."""


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str
    email: str


def credentials_from_env(need_email: bool = False) -> Credentials:
    missing = [v for v in (USERNAME_VAR, PASSWORD_VAR) + ((EMAIL_VAR,) if need_email else ())
               if not os.environ.get(v)]
    if missing:
        raise DoccanoError(
            f"set {' and '.join(missing)} in the environment: the doccano admin user is taken from "
            f"{USERNAME_VAR}, {PASSWORD_VAR} and {EMAIL_VAR} (no password is ever stored in the project)")
    return Credentials(os.environ[USERNAME_VAR], os.environ[PASSWORD_VAR],
                       os.environ.get(EMAIL_VAR, f"{os.environ[USERNAME_VAR]}@localhost"))


def default_install_dir(project_root: Path = Path(".")) -> Path:
    """The two virtual environments: $HEALTHKG_DOCCANO_INSTALL, else .doccano/install in the project."""
    return Path(os.environ.get(INSTALL_DIR_VAR) or project_root / ".doccano" / "install")


@dataclass(frozen=True)
class Layout:
    """Files of one doccano installation (venvs) and one server instance (data)."""

    install_dir: Path
    data_dir: Path
    port: int = DEFAULT_PORT

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def server_venv(self) -> Path:
        return self.install_dir / "server-venv"

    @property
    def client_venv(self) -> Path:
        return self.install_dir / "client-venv"

    @property
    def client_python(self) -> Path:
        return self.client_venv / "bin" / "python"

    @property
    def run_dir(self) -> Path:
        return self.data_dir / "run"

    @property
    def state_file(self) -> Path:
        return self.run_dir / "server.json"


def server_url(port: Optional[int] = None, url: Optional[str] = None) -> str:
    return url or f"http://{HOST}:{port or DEFAULT_PORT}"


def layout(data_dir: Path, install_dir: Optional[Path] = None, port: int = DEFAULT_PORT) -> Layout:
    return Layout(Path(install_dir) if install_dir else default_install_dir(), Path(data_dir), port)
