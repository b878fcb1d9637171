"""Run a local doccano server: initialise its data folder, start the web server and the task worker,
wait for /v1/health/, and stop both by their process ids."""
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Dict, Optional

from .settings import HOST, Credentials, DoccanoError, Layout

TEMPLATE_DB = "initialised-db.sqlite3"  # a migrated, user-less database kept beside the venvs
CREATE_ADMIN = """
import os, django
django.setup()
from django.contrib.auth import get_user_model
users = get_user_model()
name = os.environ["DOCCANO_ADMIN_USERNAME"]
if users.objects.filter(username=name).exists():
    print("exists")
else:
    users.objects.create_superuser(name, os.environ["DOCCANO_ADMIN_EMAIL"], os.environ["DOCCANO_ADMIN_PASSWORD"])
    print("created")
"""


def backend_dir(layout: Layout) -> Path:
    found = sorted(layout.server_venv.glob("lib/python3*/site-packages/backend"))
    if not found:
        raise DoccanoError(f"doccano is not installed in {layout.server_venv}: run doccano-up")
    return found[0]


def _secret_key(data_dir: Path) -> str:
    path = data_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def server_env(layout: Layout, credentials: Optional[Credentials] = None) -> Dict[str, str]:
    data = layout.data_dir.resolve()
    env = dict(os.environ)
    for key in ("DOCCANO_ADMIN_USERNAME", "DOCCANO_ADMIN_PASSWORD", "DOCCANO_ADMIN_EMAIL"):
        env.pop(key, None)  # only the one-off admin creation sees the password
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "STANDALONE": "True",
        "DEBUG": "False",
        "DOCCANO_HOME": str(data),
        "DATABASE_URL": f"sqlite:///{data / 'db.sqlite3'}",
        "MEDIA_ROOT": str(data / "media"),
        "SECRET_KEY": _secret_key(layout.data_dir),
        "CSRF_TRUSTED_ORIGINS": f"http://{HOST}:{layout.port},http://localhost:{layout.port}",
    })
    if credentials:
        env.update({"DOCCANO_ADMIN_USERNAME": credentials.username, "DOCCANO_ADMIN_PASSWORD": credentials.password,
                    "DOCCANO_ADMIN_EMAIL": credentials.email})
    return env


def _run(layout: Layout, args, what: str, credentials: Optional[Credentials] = None) -> str:
    result = subprocess.run(args, cwd=backend_dir(layout), env=server_env(layout, credentials),
                            capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-15:])
        raise DoccanoError(f"doccano {what} failed:\n{tail}")
    return result.stdout


def initialise(layout: Layout, credentials: Credentials, say: Callable[[str], None] = print) -> None:
    """Create the database (copied from the install's migrated template when there is one) and the admin."""
    layout.data_dir.mkdir(parents=True, exist_ok=True)
    (layout.data_dir / "media").mkdir(exist_ok=True)
    db = layout.data_dir / "db.sqlite3"
    python = str(layout.server_venv / "bin" / "python")
    if not db.exists():
        template = layout.install_dir / TEMPLATE_DB
        if template.exists():
            shutil.copyfile(template, db)
        else:
            say(f"creating the doccano database in {layout.data_dir}")
            _run(layout, [python, "manage.py", "migrate", "--noinput"], "database migration")
            _run(layout, [python, "manage.py", "create_roles"], "role creation")
            shutil.copyfile(db, template)
    if _run(layout, [python, "-c", CREATE_ADMIN], "admin user creation", credentials).strip() == "created":
        say(f"created the doccano admin user {credentials.username!r}")


def health(url: str, timeout: float = 3.0) -> bool:
    request = urllib.request.Request(f"{url}/v1/health/", headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((HOST, port)) == 0


def _alive(pid: int, venv: Path) -> bool:
    """True when `pid` runs and is one of ours (a program from the server venv), not a reused pid."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    return str(venv) in cmdline


def read_state(layout: Layout) -> Optional[dict]:
    try:
        return json.loads(layout.state_file.read_text())
    except (OSError, ValueError):
        return None


def _recorded_venv(state: dict, layout: Layout) -> Path:
    # the venv the processes were started from, whatever --install-dir this call was given
    return Path(state.get("server_venv") or layout.server_venv)


def running(layout: Layout) -> Optional[dict]:
    """The state of a server started from this data folder whose processes are still alive."""
    state = read_state(layout)
    if state and all(_alive(state[k], _recorded_venv(state, layout)) for k in ("web_pid", "worker_pid")):
        return state
    return None


def start(layout: Layout, wait_seconds: float = 90.0, say: Callable[[str], None] = print) -> dict:
    state = running(layout)
    if state:
        if health(state["url"]):
            say(f"doccano is already running at {state['url']} (pids {state['web_pid']}, {state['worker_pid']}); nothing to do")
            return state
        stop(layout, say=lambda _: None)
    if _port_in_use(layout.port):
        raise DoccanoError(f"port {layout.port} on {HOST} is taken by another program: choose another with --port")
    layout.run_dir.mkdir(parents=True, exist_ok=True)
    venv_bin = layout.server_venv / "bin"
    env = server_env(layout)
    backend = backend_dir(layout)
    logs = {name: layout.run_dir / f"{name}.log" for name in ("web", "worker")}
    commands = {
        "web": [str(venv_bin / "gunicorn"), "--chdir", str(backend), "--bind", f"{HOST}:{layout.port}",
                "--workers", "2", "--timeout", "300", "config.wsgi"],
        "worker": [str(venv_bin / "doccano"), "task", "--concurrency", "1"],
    }
    processes = {}

    def launch(name: str) -> None:
        with logs[name].open("w") as log:
            # a session of its own: Ctrl-C in the calling shell does not take the server down
            processes[name] = subprocess.Popen(commands[name], cwd=backend, env=env, stdout=log,
                                               stderr=subprocess.STDOUT, start_new_session=True)

    def record() -> None:
        layout.state_file.write_text(json.dumps(state))

    def check_exits() -> None:
        for name, process in processes.items():
            if process.poll() is not None:
                stop(layout, say=lambda _: None)
                tail = "\n".join(logs[name].read_text(errors="replace").splitlines()[-15:])
                raise DoccanoError(f"the doccano {name} process exited while starting; end of {logs[name]}:\n{tail}")

    deadline = time.time() + wait_seconds
    # The worker first, and the web server only once the worker is ready: /v1/health/ sends a
    # celery task, and a first task racing the worker's own declaration of the queue in the SQLite
    # broker kills the worker (UNIQUE constraint failed: kombu_queue.name).
    launch("worker")
    state = {"url": layout.url, "port": layout.port, "web_pid": None, "worker_pid": processes["worker"].pid,
             "server_venv": str(layout.server_venv), "started": time.time()}
    record()
    while " ready." not in logs["worker"].read_text(errors="replace"):
        check_exits()
        if time.time() > deadline:
            stop(layout, say=lambda _: None)
            raise DoccanoError(f"the doccano worker was not ready within {wait_seconds:.0f} s; see {logs['worker']}")
        time.sleep(0.5)
    launch("web")
    state["web_pid"] = processes["web"].pid
    record()
    while time.time() < deadline:
        if health(layout.url, timeout=2):
            state["startup_seconds"] = round(time.time() - state["started"], 1)
            record()
            say(f"doccano is up at {layout.url} ({state['startup_seconds']} s; logs in {layout.run_dir})")
            return state
        check_exits()
        time.sleep(0.5)
    stop(layout, say=lambda _: None)
    raise DoccanoError(f"doccano did not answer {layout.url}/v1/health/ within {wait_seconds:.0f} s; see {layout.run_dir}")


def stop(layout: Layout, timeout: float = 20.0, say: Callable[[str], None] = print) -> bool:
    """Stop the web server and worker recorded in the state file; False when nothing was running."""
    state = read_state(layout)
    if not state:
        say(f"doccano is not running (no {layout.state_file})")
        return False
    venv = _recorded_venv(state, layout)
    pids = [state[k] for k in ("web_pid", "worker_pid") if _alive(state[k], venv)]
    for pid in pids:
        os.kill(pid, signal.SIGTERM)
    deadline = time.time() + timeout
    while time.time() < deadline and any(_alive(pid, venv) for pid in pids):
        time.sleep(0.2)
    for pid in pids:
        if _alive(pid, venv):
            # each was started as the leader of its own process group
            os.killpg(pid, signal.SIGKILL)
    layout.state_file.unlink(missing_ok=True)
    say(f"doccano stopped (pids {', '.join(map(str, pids)) or 'already gone'})")
    return True
