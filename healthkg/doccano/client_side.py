"""The doccano-client side of the annotation loop. Runs in the client venv, not the main env.

It imports nothing from the project (doccano-client 1.2.8 needs pydantic 1, the main env has
pydantic 2) and exchanges plain files with healthkg.doccano.bridge:

    python client_side.py REQUEST.json

REQUEST.json holds {"command": "ping" | "push" | "pull", "url": ..., "response": path, ...}; the
credentials come from DOCCANO_ADMIN_USERNAME / DOCCANO_ADMIN_PASSWORD in the environment.
Progress goes to stdout as JSON lines {"progress": done, "total": n}; the result (or {"error": ...})
is written to the response path. Exit status 0 on success, 2 on an error we could explain.
"""
import json
import os
import sys
import tempfile
import zipfile
from pathlib import Path

import requests
from doccano_client import DoccanoClient
from doccano_client.repositories.base import DoccanoAPIError

KEY_FIELDS = ("article_id", "paragraph_index")
PAGE = 500


class Failure(Exception):
    pass


def progress(done: int, total: int) -> None:
    print(json.dumps({"progress": done, "total": total}), flush=True)


def connect(url: str) -> DoccanoClient:
    username = os.environ.get("DOCCANO_ADMIN_USERNAME", "")
    password = os.environ.get("DOCCANO_ADMIN_PASSWORD", "")
    client = DoccanoClient(url)
    try:
        client.login(username, password)
    except DoccanoAPIError as error:
        status = error.response.status_code if error.response is not None else "?"
        if status in (400, 401, 403):
            raise Failure(f"doccano at {url} refused the login of user {username!r} (HTTP {status}): "
                          "check DOCCANO_ADMIN_USERNAME and DOCCANO_ADMIN_PASSWORD") from None
        raise Failure(f"doccano at {url} answered HTTP {status} to the login") from None
    return client


def find_project(client: DoccanoClient, name: str):
    for project in client.list_projects():
        if project.name == name:
            return project
    return None


def ensure_project(client: DoccanoClient, name: str, description: str, guideline: str):
    project = find_project(client, name)
    if project is None:
        project = client.create_project(name=name, project_type="SequenceLabeling", description=description,
                                        guideline=guideline, use_relation=True, collaborative_annotation=True)
        return project, True
    if project.project_type.value != "SequenceLabeling" or not project.use_relation:
        raise Failure(f"doccano project {name!r} exists but is not a sequence-labelling project with "
                      "relations; choose another --project name")
    return project, False


def ensure_label_types(client: DoccanoClient, project_id: int, spec: dict) -> list:
    created = []
    for kind in ("span", "relation"):
        existing = {t.text: t for t in client.list_label_types(project_id, kind)}
        for label in spec[kind]:
            current = existing.get(label["text"])
            if current is None:
                client.create_label_type(project_id, kind, label["text"], suffix_key=label["suffix_key"],
                                         color=label["color"])
                created.append(label["text"])
            elif current.background_color.lower() != label["color"] or current.suffix_key != label["suffix_key"]:
                client.update_label_type(project_id, current.id, kind, suffix_key=label["suffix_key"],
                                         color=label["color"])
    return created


def example_keys(client: DoccanoClient, project_id: int) -> dict:
    """(article_id, paragraph_index) -> example id, for every example on the server."""
    keys = {}
    response = client._base_repository.get(f"projects/{project_id}/examples", params={"limit": PAGE})
    while True:
        page = response.json()
        for example in page["results"]:
            meta = example.get("meta") or {}
            if all(k in meta for k in KEY_FIELDS):
                keys[(str(meta["article_id"]), int(meta["paragraph_index"]))] = example["id"]
        if not page.get("next"):
            return keys
        response = client._base_repository.get(page["next"])


def push(client: DoccanoClient, request: dict) -> dict:
    project, created = ensure_project(client, request["project"], request.get("description", ""),
                                      request.get("guideline", ""))
    new_labels = ensure_label_types(client, project.id, request["labels"])
    present = example_keys(client, project.id)
    batches = []
    skipped = []
    for path in request["batches"]:
        records = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
        fresh = [r for r in records if (r["article_id"], r["paragraph_index"]) not in present]
        skipped += [f"{r['article_id']}:{r['paragraph_index']}" for r in records if r not in fresh]
        if fresh:
            batches.append(fresh)
    total = sum(len(b) for b in batches)
    done = 0
    progress(0, total)
    with tempfile.TemporaryDirectory() as tmp:
        for number, batch in enumerate(batches):
            upload = Path(tmp) / f"batch{number:04d}.jsonl"
            upload.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in batch), encoding="utf-8")
            status = client.upload(project.id, [str(upload)], "RelationExtraction", "JSONL", column_data="text")
            errors = (status.result or {}).get("error") if status.result else None
            if status.error or errors:
                raise Failure(f"doccano rejected the upload of {batch[0]['article_id']}: {status.error or errors}")
            done += len(batch)
            progress(done, total)
    after = example_keys(client, project.id)
    missing = [f"{a}:{i}" for b in batches for a, i in [(r["article_id"], r["paragraph_index"]) for r in b]
               if (a, i) not in after]
    if missing:
        raise Failure(f"{len(missing)} paragraphs did not arrive in doccano, e.g. {missing[:3]}")
    return {"project_id": project.id, "project_created": created, "labels_created": new_labels,
            "uploaded": total, "skipped": skipped, "examples": len(after)}


def pull(client: DoccanoClient, request: dict) -> dict:
    project = find_project(client, request["project"])
    if project is None:
        raise Failure(f"doccano has no project named {request['project']!r}: push to it first")
    output = Path(request["output"])
    progress(0, 1)
    with tempfile.TemporaryDirectory() as tmp:
        archive = client.download(project.id, "JSONL", only_approved=bool(request.get("approved_only")), dir_name=tmp)
        lines = []
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zipped:
                names = sorted(n for n in zipped.namelist() if n.endswith(".jsonl"))
                for name in names:
                    lines += [(name, l) for l in zipped.read(name).decode("utf-8").splitlines() if l.strip()]
        else:
            names = [Path(archive).name]
            lines = [(names[0], l) for l in Path(archive).read_text(encoding="utf-8").splitlines() if l.strip()]
    with output.open("w", encoding="utf-8") as out:
        for number, (name, line) in enumerate(lines, start=1):
            record = json.loads(line)
            record["_export_file"] = name
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            progress(number, len(lines))
    return {"project_id": project.id, "records": len(lines), "files": names}


COMMANDS = {"ping": lambda client, request: {"ok": True}, "push": push, "pull": pull}


def main(request_path: str) -> int:
    request = json.loads(Path(request_path).read_text(encoding="utf-8"))
    response_path = Path(request["response"])
    try:
        try:
            client = connect(request["url"])
            result = COMMANDS[request["command"]](client, request)
        except requests.ConnectionError:
            raise Failure(f"cannot reach doccano at {request['url']}: is it running? "
                          "(start it with `python -m spacy project run doccano-up`)") from None
        except DoccanoAPIError as error:
            body = error.response.text[:500] if error.response is not None else ""
            raise Failure(f"doccano at {request['url']} answered with an error: {error} {body}") from None
    except Failure as failure:
        response_path.write_text(json.dumps({"error": str(failure)}, ensure_ascii=False), encoding="utf-8")
        return 2
    response_path.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
