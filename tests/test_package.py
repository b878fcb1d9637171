"""The packaged model installs into a fresh virtual environment (dependencies from the package
index, nothing from the project's environment) and runs there, outside the repository."""
import json
import os
import subprocess
import sys
import zipfile

import pytest

from conftest import GOLD_DIR, ROOT, SEED_IDS
from healthkg.packaging import build_package, pipeline_code_files
from healthkg.pipeline.schema import ENTITY_LABELS, RELATION_TYPES

RUN_IN_FRESH_ENV = r"""
import json, sys
import spacy

texts = json.load(open(sys.argv[1], encoding="utf-8"))
nlp = spacy.load("zh_health_kg")
out = {"module": sys.modules["zh_health_kg"].__file__, "pipeline": nlp.pipe_names,
       "healthkg_imported": any(m == "healthkg" or m.startswith("healthkg.") for m in sys.modules),
       "docs": []}
for doc in nlp.pipe(texts, batch_size=2):
    out["docs"].append({"text_length": len(doc.text),
                        "ents": [[e.start_char, e.end_char, e.label_, e.text] for e in doc.ents],
                        "relations": doc._.relations})
print(json.dumps(out, ensure_ascii=False))
"""


def clean_env():
    """The environment without anything that would let the project's own packages leak in."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(sys.prefix))
    return env


@pytest.mark.slow
def test_wheel_installs_and_runs_in_a_fresh_environment(small_pipeline, seed_articles, tmp_path):
    wheel = build_package(small_pipeline, tmp_path / "packages", "health_kg", "0.1.0", gold_dir=GOLD_DIR)
    assert wheel.name == "zh_health_kg-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read("zh_health_kg-0.1.0.dist-info/METADATA").decode("utf-8")
    for code in pipeline_code_files():
        assert f"zh_health_kg/{code.name}" in names
    assert "zh_health_kg/zh_health_kg-0.1.0/README.md" in names
    requires = [line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert {r.split("<")[0].split(">")[0].split("=")[0].lower() for r in requires} >= {"spacy", "opencc", "scikit-learn"}
    assert not any(r.lower().startswith("healthkg") for r in requires)
    assert "## Limits" in metadata and "HOSPITAL" in metadata

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=clean_env())
    python = venv / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
                             capture_output=True, text=True, env=clean_env(), cwd=tmp_path)
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]

    texts_path = tmp_path / "texts.json"
    texts = [seed_articles[i].text for i in SEED_IDS]
    texts_path.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    assert ROOT not in workdir.parents
    run = subprocess.run([str(python), "-c", RUN_IN_FRESH_ENV, str(texts_path)], capture_output=True, text=True,
                         env=clean_env(), cwd=workdir)
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])

    assert out["module"].startswith(str(venv)), out["module"]
    assert not out["healthkg_imported"]
    assert out["pipeline"][:2] == ["zh_simplified_norms", "zh_sentences"] and "ner" in out["pipeline"]
    assert len(out["docs"]) == len(texts)
    for doc, text in zip(out["docs"], texts):
        assert doc["text_length"] == len(text)
        for start, end, label, ent_text in doc["ents"]:
            assert label in ENTITY_LABELS and text[start:end] == ent_text
        for rel in doc["relations"] or []:
            assert set(rel) == {"head", "tail", "label", "score"} and rel["label"] in RELATION_TYPES
            assert [rel["head"][0], rel["head"][1]] in [[s, e] for s, e, _, _ in doc["ents"]]
            assert [rel["tail"][0], rel["tail"][1]] in [[s, e] for s, e, _, _ in doc["ents"]]
            assert 0.0 <= rel["score"] <= 1.0
    assert sum(len(d["ents"]) for d in out["docs"]) > 0
    assert sum(len(d["relations"] or []) for d in out["docs"]) > 0
