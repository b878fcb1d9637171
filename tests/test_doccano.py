"""The annotation loop against a live doccano server on 127.0.0.1.

The session fixture installs doccano and doccano-client once into a cached folder outside the repo
($HEALTHKG_DOCCANO_INSTALL, else ~/.cache/healthkg/doccano), starts a server on a free port with a
temporary data folder and a throwaway admin, and stops it at the end.
"""
import os
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from healthkg.corpus import read_corpus
from healthkg.doccano import bridge, install, loop, server
from healthkg.doccano.settings import INSTALL_DIR_VAR, Credentials, DoccanoError, Layout

from conftest import ROOT, SEED_IDS

pytestmark = pytest.mark.doccano
GOLD = ROOT / "corpus" / "annotations"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def doccano(tmp_path_factory):
    install_dir = Path(os.environ.get(INSTALL_DIR_VAR) or Path.home() / ".cache" / "healthkg" / "doccano")
    where = Layout(install_dir, tmp_path_factory.mktemp("doccano-data"), free_port())
    credentials = Credentials("annotator-admin", secrets.token_urlsafe(16), "admin@localhost")
    install.ensure_installed(where)
    server.initialise(where, credentials)
    server.start(where)
    try:
        yield where, credentials
    finally:
        state = server.read_state(where)
        # stopped through a layout with another install dir: the state file records the venv
        server.stop(Layout(where.install_dir / "elsewhere", where.data_dir, where.port))
        left = [pid for pid in (state["web_pid"], state["worker_pid"]) if server._alive(pid, where.server_venv)]
        if left:
            server.stop(where)
        assert not left, f"doccano processes {left} survived doccano-down"


@pytest.fixture()
def gold_copy(tmp_path):
    assert GOLD.is_dir() and sorted(p.stem for p in GOLD.glob("*.jsonl")) == SEED_IDS, \
        f"{GOLD} must hold the gold annotations of all five seeds"
    copy = tmp_path / "annotations"
    shutil.copytree(GOLD, copy)
    return copy


def pull(doccano, project, annotations, **options):
    where, credentials = doccano
    return loop.pull(where, where.url, credentials, project, annotations, **options)


def push(doccano, project, source_path, **options):
    where, credentials = doccano
    return loop.push(where, where.url, credentials, project, "gold", source_path, **options)


def content(paragraphs):
    """Everything but ids: what the round trip must keep."""
    result = {}
    for p in paragraphs:
        spans = {e.id: (e.start, e.end) for e in p.entities}
        result[p.key] = {
            "meta": (p.article_id, p.index, p.offset, p.text, p.extra),
            "entities": sorted((e.start, e.end, e.label) for e in p.entities),
            "relations": sorted((spans[r.head], spans[r.tail], r.label) for r in p.relations),
        }
    return result


def test_gold_round_trip_is_identical_and_push_is_idempotent(doccano, gold_copy):
    pushed = push(doccano, "round-trip", gold_copy)
    gold = read_corpus(GOLD)
    assert pushed["uploaded"] == pushed["paragraphs"] == sum(len(ps) for ps in gold.values())

    outcome = pull(doccano, "round-trip", gold_copy)
    assert not outcome.merge.errors and not outcome.merge.blocking and not outcome.merge.changes
    assert outcome.pulled == outcome.merge.unchanged_paragraphs == pushed["paragraphs"]
    assert outcome.written == []
    for path in GOLD.glob("*.jsonl"):
        assert (gold_copy / path.name).read_bytes() == path.read_bytes()

    # into an empty corpus: every article is new, ids are fresh, the content is the gold's
    empty = gold_copy.parent / "empty"
    outcome = pull(doccano, "round-trip", empty)
    assert sorted(p.name for p in outcome.written) == sorted(p.name for p in GOLD.glob("*.jsonl"))
    pulled = read_corpus(empty)
    for article_id in SEED_IDS:
        assert content(pulled[article_id]) == content(gold[article_id])

    again = push(doccano, "round-trip", gold_copy)
    assert again["uploaded"] == 0 and len(again["skipped"]) == pushed["paragraphs"]
    assert again["examples"] == pushed["examples"]


class Browser:
    """The REST calls doccano's web page makes when a person annotates: session login with CSRF."""

    def __init__(self, url, credentials):
        self.api = f"{url}/v1"
        self.session = requests.Session()
        response = self.session.post(f"{self.api}/auth/login/",
                                     json={"username": credentials.username, "password": credentials.password})
        response.raise_for_status()
        self.session.headers["X-CSRFToken"] = self.session.cookies["csrftoken"]

    def get(self, path, **params):
        response = self.session.get(f"{self.api}/{path}", params=params)
        response.raise_for_status()
        return response.json()

    def post(self, path, payload=None):
        response = self.session.post(f"{self.api}/{path}", json=payload or {})
        response.raise_for_status()
        return response.json() if response.content else None

    def delete(self, path):
        self.session.delete(f"{self.api}/{path}").raise_for_status()

    def project(self, name):
        return next(p for p in self.get("projects", limit=100)["results"] if p["name"] == name)

    def example(self, project_id, article_id, index):
        examples = self.get(f"projects/{project_id}/examples", limit=500)["results"]
        return next(e for e in examples if e["meta"]["article_id"] == article_id and e["meta"]["paragraph_index"] == index)


def free_region(paragraph, length=2):
    """A stretch of Chinese characters inside one sentence that no gold entity touches, next to an org."""
    from healthkg.pipeline.schema import ORG_LABELS
    from healthkg.pipeline.sentences import sentence_spans

    covered = {i for e in paragraph.entities for i in range(e.start, e.end)}
    for s_start, s_end in sentence_spans(paragraph.text):
        orgs = [e for e in paragraph.entities if e.label in ORG_LABELS and s_start <= e.start and e.end <= s_end]
        if not orgs:
            continue
        for start in range(s_start, s_end - length):
            chars = paragraph.text[start:start + length]
            if all("\u4e00" <= c <= "\u9fff" for c in chars) and not covered & set(range(start, start + length)):
                return orgs[0], start, start + length
    raise AssertionError("no free region")


def test_an_edit_in_doccano_comes_back_into_the_corpus(doccano, gold_copy):
    where, credentials = doccano
    article_id = SEED_IDS[3]
    push(doccano, "edits", gold_copy, articles=[article_id])
    gold = read_corpus(gold_copy)[article_id]
    paragraph = gold[0]
    org, start, end = free_region(paragraph)

    browser = Browser(where.url, credentials)
    project_id = browser.project("edits")["id"]
    example = browser.example(project_id, article_id, paragraph.index)
    loc = next(t for t in browser.get(f"projects/{project_id}/span-types") if t["text"] == "LOC")
    located_in = next(t for t in browser.get(f"projects/{project_id}/relation-types") if t["text"] == "LOCATED_IN")
    spans = browser.get(f"projects/{project_id}/examples/{example['id']}/spans")
    org_span = next(s for s in spans if (s["start_offset"], s["end_offset"]) == (org.start, org.end))
    new_span = browser.post(f"projects/{project_id}/examples/{example['id']}/spans",
                            {"label": loc["id"], "start_offset": start, "end_offset": end})
    browser.post(f"projects/{project_id}/examples/{example['id']}/relations",
                 {"from_id": org_span["id"], "to_id": new_span["id"], "type": located_in["id"]})
    browser.post(f"projects/{project_id}/examples/{example['id']}/states")  # the "approve" check mark

    outcome = pull(doccano, "edits", gold_copy, approved_only=True)
    assert outcome.pulled == 1 and not outcome.merge.errors and not outcome.merge.blocking
    changes = outcome.merge.changes[article_id]
    assert len(changes.added_entities) == 1 and len(changes.added_relations) == 1
    assert not changes.removed_entities and not changes.relabelled_entities
    assert [p.name for p in outcome.written] == [f"{article_id}.jsonl"]
    merged = read_corpus(gold_copy)[article_id][0]
    added = [e for e in merged.entities if (e.start, e.end) == (start, end)]
    assert len(added) == 1 and added[0].label == "LOC"
    assert added[0].id > max(e.id for p in gold for e in p.entities)
    assert any(r.head == org.id and r.tail == added[0].id and r.label == "LOCATED_IN" for r in merged.relations)
    for other in SEED_IDS[:3]:
        assert (gold_copy / f"{other}.jsonl").read_bytes() == (GOLD / f"{other}.jsonl").read_bytes()

    # deleting a gold entity in doccano: the pull stops and explains, and writes only with --force
    victim = next(s for s in spans if s["id"] != org_span["id"])
    browser.delete(f"projects/{project_id}/examples/{example['id']}/spans/{victim['id']}")
    before = (gold_copy / f"{article_id}.jsonl").read_bytes()
    outcome = pull(doccano, "edits", gold_copy, approved_only=True)
    assert outcome.merge.blocking and "remove 1 entities" in outcome.merge.blocking[0]
    assert outcome.written == [] and (gold_copy / f"{article_id}.jsonl").read_bytes() == before
    outcome = pull(doccano, "edits", gold_copy, approved_only=True, force=True)
    assert outcome.written and len(outcome.merge.changes[article_id].removed_entities) == 1
    assert not any((e.start, e.end) == (victim["start_offset"], victim["end_offset"])
                   for e in read_corpus(gold_copy)[article_id][0].entities)


def test_up_again_does_nothing_harmful(doccano):
    where, _ = doccano
    state = server.read_state(where)
    messages = []
    again = server.start(where, say=messages.append)
    assert (again["web_pid"], again["worker_pid"]) == (state["web_pid"], state["worker_pid"])
    assert "already running" in messages[0]


def run_script(name, *args, env_update=None):
    env = dict(os.environ, **(env_update or {}))
    return subprocess.run([sys.executable, str(ROOT / "scripts" / name), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_wrong_credentials_give_a_clear_error(doccano, gold_copy, tmp_path):
    where, credentials = doccano
    wrong = Credentials(credentials.username, "not-the-password", credentials.email)
    with pytest.raises(DoccanoError, match="refused the login"):
        bridge.call(where, where.url, wrong, "ping")
    result = run_script("doccano_pull.py", "--annotations", str(gold_copy), "--data-dir", str(where.data_dir),
                        "--install-dir", str(where.install_dir), "--project", "round-trip",
                        env_update={"DOCCANO_ADMIN_USERNAME": credentials.username,
                                    "DOCCANO_ADMIN_PASSWORD": "not-the-password"})
    assert result.returncode == 1
    assert "refused the login" in result.stdout and "DOCCANO_ADMIN_PASSWORD" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_a_server_that_is_down_gives_a_clear_error(doccano, gold_copy, tmp_path):
    where, credentials = doccano
    down = Layout(where.install_dir, tmp_path / "no-server", free_port())
    with pytest.raises(DoccanoError, match="cannot reach doccano"):
        bridge.call(down, down.url, credentials, "ping")  # the client side's own check
    result = run_script("doccano_push.py", "--source", "gold", "--source-path", str(gold_copy),
                        "--data-dir", str(down.data_dir), "--install-dir", str(down.install_dir),
                        "--port", str(down.port),
                        env_update={"DOCCANO_ADMIN_USERNAME": "x", "DOCCANO_ADMIN_PASSWORD": "y"})
    assert result.returncode == 1 and "cannot reach doccano" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_missing_admin_variables_are_named(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCCANO_ADMIN_")}
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "doccano_up.py"), "--data-dir", str(tmp_path)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "DOCCANO_ADMIN_USERNAME" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
