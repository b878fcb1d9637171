"""Call client_side.py in the client venv: a JSON request file in, progress lines and a JSON response out."""
import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Optional

from tqdm import tqdm

from .settings import Credentials, DoccanoError, Layout

CLIENT_SCRIPT = Path(__file__).with_name("client_side.py")


def call(layout: Layout, url: str, credentials: Credentials, command: str, request: Optional[dict] = None,
         progress_label: Optional[str] = None) -> dict:
    if not layout.client_python.exists():
        raise DoccanoError(f"doccano-client is not installed in {layout.client_venv}: run doccano-up first")
    env = dict(os.environ, DOCCANO_ADMIN_USERNAME=credentials.username,
               DOCCANO_ADMIN_PASSWORD=credentials.password, PYTHONIOENCODING="utf-8")
    with tempfile.TemporaryDirectory(prefix="healthkg-doccano-") as tmp:
        request_path, response_path = Path(tmp) / "request.json", Path(tmp) / "response.json"
        request = dict(request or {}, command=command, url=url, response=str(response_path))
        request_path.write_text(json.dumps(request, ensure_ascii=False), encoding="utf-8")
        bar = None
        output = []
        with subprocess.Popen([str(layout.client_python), str(CLIENT_SCRIPT), str(request_path)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
            for line in process.stdout:
                try:
                    message = json.loads(line)
                except ValueError:
                    output.append(line.rstrip())
                    continue
                if isinstance(message, dict) and "progress" in message and progress_label:
                    if bar is None:
                        bar = tqdm(total=message["total"], desc=progress_label, unit="paragraph")
                    bar.total = message["total"]  # known only once the export has arrived
                    bar.update(message["progress"] - bar.n)
        if bar is not None:
            bar.close()
        if response_path.exists():
            response = json.loads(response_path.read_text(encoding="utf-8"))
            if "error" in response:
                raise DoccanoError(response["error"])
            if process.returncode == 0:
                return response
        tail = "\n".join(output[-20:])
        raise DoccanoError(f"the doccano client failed (exit status {process.returncode}):\n{tail}")
