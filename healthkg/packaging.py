"""Build the installable model package: `spacy package` with the pipeline code, the runtime
requirements the code imports, the metrics and a model card, then a wheel.

The wheel is built with `pip wheel` (pip's isolated build fetches setuptools from the package
index), so the project needs neither `build` nor `wheel` installed. `spacy package` itself adds
`healthkg` to the requirements (the components are registered from healthkg.pipeline while it
runs); the requirements are therefore written by us after it, from the imports of the shipped code.
"""
import ast
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from importlib import metadata
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence

PIPELINE_CODE_DIR = Path(__file__).resolve().parent / "pipeline"
# Packages spaCy itself depends on with its own pins: listing them again only invites conflicts.
SPACY_OWNED = {"thinc", "srsly", "spacy-legacy", "spacy-loggers", "catalogue", "cymem", "preshed", "murmurhash"}
# The relation extractor pickles a fitted scikit-learn model: scikit-learn only promises to read its
# pickles with the version that wrote them.
EXACT_PINS = {"scikit-learn"}
# numpy arrays pickled by numpy 2 load in any numpy 2 (not in numpy 1).
MAJOR_PINS = {"numpy"}


class PackagingError(RuntimeError):
    pass


# ------------------------------------------------------------------------------ shipped code
def _relative_imports(path: Path) -> List[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            # `from .x import y` names module x; `from . import x` names module x too
            modules += [node.module] if node.module else [alias.name for alias in node.names]
    return modules


def pipeline_code_files(code_dir: Path = PIPELINE_CODE_DIR) -> List[Path]:
    """Every component module of healthkg/pipeline, each after the siblings it imports."""
    files = {p.stem: p for p in sorted(Path(code_dir).glob("*.py")) if p.stem != "__init__"}
    ordered: List[Path] = []
    visiting = set()

    def visit(name: str) -> None:
        if files[name] in ordered or name in visiting:
            return
        visiting.add(name)
        for dependency in _relative_imports(files[name]):
            if dependency not in files:
                raise PackagingError(f"{files[name]}: imports .{dependency}, which is not in {code_dir}")
            visit(dependency)
        ordered.append(files[name])

    for name in files:
        visit(name)
    return ordered


def imported_modules(files: Iterable[Path]) -> List[str]:
    """Top-level third-party modules the files import anywhere (also inside functions), without
    the standard library, the files themselves and the project's own package."""
    files = list(files)
    own = {p.stem for p in files} | {"healthkg"}
    found = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return sorted(m for m in found if m not in own and m not in sys.stdlib_module_names)


def version_range(distribution: str, version: str) -> str:
    parts = [int(p) if p.isdigit() else 0 for p in version.split(".")[:3]] + [0, 0]
    major, minor = parts[0], parts[1]
    if distribution in EXACT_PINS:
        return f"{distribution}=={version}"
    if distribution in MAJOR_PINS:
        return f"{distribution}>={major}.0.0,<{major + 1}.0.0"
    return f"{distribution}>={version},<{major}.{minor + 1}.0"


def runtime_requirements(files: Iterable[Path]) -> List[str]:
    """Requirement specifiers for what the shipped code imports, from the versions installed now
    (the ones the pipeline was built and tested with). spaCy is always first."""
    distributions = metadata.packages_distributions()
    requirements = {"spacy": version_range("spacy", metadata.version("spacy"))}
    for module in imported_modules(files):
        names = distributions.get(module)
        if not names:
            raise PackagingError(f"the pipeline code imports {module!r}, which no installed distribution provides")
        name = names[0]
        if name.lower() in SPACY_OWNED or name.lower() in requirements:
            continue
        requirements[name.lower()] = version_range(name, metadata.version(name))
    return [requirements["spacy"]] + sorted(v for k, v in requirements.items() if k != "spacy")


# ------------------------------------------------------------------------------ model card
def corpus_summary(gold_dir: Optional[Path]) -> Optional[dict]:
    """Articles, paragraphs and label counts of the gold corpus, or None when it is missing."""
    if not gold_dir or not Path(gold_dir).is_dir() or not any(Path(gold_dir).glob("*.jsonl")):
        return None
    from healthkg.corpus import read_corpus

    corpus = read_corpus(gold_dir)
    entities, relations = Counter(), Counter()
    for paragraphs in corpus.values():
        for paragraph in paragraphs:
            entities.update(e.label for e in paragraph.entities)
            relations.update(r.label for r in paragraph.relations)
    return {"articles": len(corpus), "paragraphs": sum(len(p) for p in corpus.values()),
            "characters": sum(len(p.text) for ps in corpus.values() for p in ps),
            "entities": dict(sorted(entities.items())), "relations": dict(sorted(relations.items()))}


def evaluation_summary(paths: Sequence[Path]) -> Dict[str, dict]:
    """Micro/macro scores per system from evaluation JSON files (scripts/evaluate.py) that exist."""
    summary = {}
    for path in paths:
        path = Path(path)
        if not path.exists():
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        systems = data.get("systems") if isinstance(data, dict) else None
        if not isinstance(systems, dict):
            continue
        scores = {}
        for system, result in systems.items():
            row = {}
            for key in ("entities", "relations_end_to_end", "relations_given_gold"):
                micro = (result.get(key) or {}).get("micro") if isinstance(result, dict) else None
                if micro:
                    row[key] = {k: round(float(micro[k]), 4) for k in ("p", "r", "f") if k in micro}
            if row:
                scores[system] = row
        if scores:
            summary[str(path)] = {"systems": scores, "test_articles": data.get("test_articles") or data.get("articles")}
    return summary


def _pct(value) -> str:
    return f"{100 * float(value):.1f}" if isinstance(value, (int, float)) else "–"


def model_card(meta: dict, corpus: Optional[dict], evaluation: Dict[str, dict]) -> str:
    name = f"{meta['lang']}_{meta['name']}"
    labels = meta.get("labels", {})
    perf = meta.get("performance", {})
    lines = [
        f"# {name} {meta['version']}", "",
        meta.get("description", ""), "",
        "```bash", f"pip install {name}-{meta['version']}-py3-none-any.whl", "```", "",
        "```python", "import spacy", "", f'nlp = spacy.load("{name}")',
        'doc = nlp("华西医院与腾讯签署战略合作协议。")',
        "for ent in doc.ents:", "    print(ent.text, ent.label_, ent.start_char, ent.end_char)",
        "for rel in doc._.relations or []:  # char offsets into doc.text",
        '    print(doc.text[slice(*rel["head"])], rel["label"], doc.text[slice(*rel["tail"])], rel["score"])',
        "```", "",
        "| | |", "|---|---|",
        f"| Name | `{name}` |", f"| Version | `{meta['version']}` |",
        f"| spaCy | `{meta.get('spacy_version', '')}` |",
        f"| Pipeline | {', '.join(f'`{p}`' for p in meta.get('pipeline', []))} |",
        f"| Requirements | {', '.join(f'`{r}`' for r in meta.get('requirements', []))} |",
        f"| License | `{meta.get('license', '')}` |", "",
        "## Labels", "",
        f"Entities (`ner`): {', '.join(f'`{l}`' for l in labels.get('ner', []))}", "",
        f"Relations (`Doc._.relations`): {', '.join(f'`{l}`' for l in labels.get('relations', []))}. "
        "Each relation is a dict `{\"head\": [start, end], \"tail\": [start, end], \"label\", \"score\"}` with "
        "character offsets into `doc.text`; relations only hold inside one sentence; `PARTNER_OF` is "
        "symmetric and given with the earlier mention as head.", "",
        "## Data", "",
    ]
    if corpus:
        lines += [
            f"Gold corpus: {corpus['articles']} Chinese healthcare-industry news articles "
            f"({corpus['paragraphs']} paragraphs, {corpus['characters']:,} characters), annotated in two "
            "independent passes and adjudicated.", "",
            "| entity label | mentions |", "|---|---:|",
            *[f"| {k} | {v} |" for k, v in corpus["entities"].items()], "",
            "| relation | count |", "|---|---:|",
            *[f"| {k} | {v} |" for k, v in corpus["relations"].items()], "",
        ]
    for source in meta.get("sources") or []:
        if isinstance(source, dict):
            lines.append(f"- {source.get('name', '')}: {source.get('url', '')} {source.get('license', '')}".rstrip())
        else:
            lines.append(f"- {source}")
    lines += ["", "## Scores", ""]
    if evaluation:
        for path, result in evaluation.items():
            lines += [f"Held-out evaluation (`{path}`):", "",
                      "| system | entities P | R | F | relations end to end F | relations given gold entities F |",
                      "|---|---:|---:|---:|---:|---:|"]
            for system, row in result["systems"].items():
                ents = row.get("entities", {})
                lines.append(f"| {system} | {_pct(ents.get('p'))} | {_pct(ents.get('r'))} | {_pct(ents.get('f'))} "
                             f"| {_pct(row.get('relations_end_to_end', {}).get('f'))} "
                             f"| {_pct(row.get('relations_given_gold', {}).get('f'))} |")
            lines.append("")
    if any(k in perf for k in ("ents_f", "rel_micro_f")):
        lines += ["Development-set scores recorded by `spacy train`:", "",
                  "| score | value |", "|---|---:|",
                  *[f"| {k} | {_pct(perf[k])} |" for k in ("ents_p", "ents_r", "ents_f", "rel_micro_p",
                                                          "rel_micro_r", "rel_micro_f") if perf.get(k) is not None], ""]
    if not evaluation and not any(k in perf for k in ("ents_f", "rel_micro_f")):
        lines += ["No scores were recorded for this build.", ""]
    lines += [
        "## Limits", "",
        "- Trained on a handful of articles: expect misses on organisations, people and relations not "
        "like those in the training news, and treat the scores above (a single held-out article, or "
        "leave-one-article-out folds) as rough.",
        "- Most entities come from the `rule_entities` component (regexes, suffix rules, word lists and "
        "a gazetteer of the training articles' names), which was written while reading the same few "
        "articles; the statistical `ner` only labels what the rules leave. Expect lower scores on news "
        "unlike the training articles, above all for company brand names without a suffix.",
        "- Character-level model: it reads each Chinese character as one token and never segments words.",
        "- Relations are only predicted between two entities the model found in the same sentence "
        "(sentences end at 。!?; and line breaks); an entity miss is always a relation miss.",
        "- Traditional-script text is read through simplified character norms (OpenCC, one character "
        "for one character): offsets stay in the text you give, but phrase-level variants "
        "(e.g. 軟體/软件) are not normalised.",
        "- Meant for clean article text: page furniture (menus, share bars, footers) produces noise; the "
        "project's `extract` command cleans raw pages first.",
        "",
    ]
    return "\n".join(lines)


# ------------------------------------------------------------------------------ build
def build_package(model_dir: Path, output_dir: Path, name: str, version: str, *,
                  metrics: Sequence[Path] = (), gold_dir: Optional[Path] = None,
                  description: Optional[str] = None, license: str = "MIT",
                  author: str = "", keep_build: Optional[Path] = None, quiet: bool = True) -> Path:
    """`spacy package` `model_dir` with the healthkg/pipeline code and build a wheel into
    `output_dir`. Returns the wheel's path."""
    from spacy.cli.package import package as spacy_package

    import healthkg.nlp  # noqa: F401  registers every component, so spacy package can load the pipeline
    from healthkg.pipeline.schema import RELATION_TYPES

    model_dir, output_dir = Path(model_dir), Path(output_dir)
    if not (model_dir / "meta.json").exists() or not (model_dir / "config.cfg").exists():
        raise PackagingError(f"{model_dir}: not a trained pipeline directory (no meta.json/config.cfg)")
    output_dir.mkdir(parents=True, exist_ok=True)
    code = pipeline_code_files()
    requirements = runtime_requirements(code)

    meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))
    lang = meta.get("lang", "zh")
    meta.update({
        "name": name, "version": version, "license": license, "author": author,
        "requirements": requirements,
        "description": description or (
            "Chinese healthcare-industry news: named entities (hospitals, companies, government bodies, "
            "people, titles, places, money...) and relations between them (partnership, investment, "
            "ownership, employment, location, aliases), character-based, CPU."),
    })
    meta.setdefault("labels", {})["relations"] = list(RELATION_TYPES)
    evaluation = evaluation_summary(metrics)
    if evaluation:
        meta.setdefault("performance", {})["evaluation"] = evaluation
    corpus = corpus_summary(gold_dir)
    if corpus:
        meta["sources"] = [{"name": f"healthkg gold corpus ({corpus['articles']} articles, "
                                    f"{corpus['paragraphs']} paragraphs)", "url": "", "license": ""}]

    with tempfile.TemporaryDirectory(prefix="healthkg-package-") as tmp:
        tmp = Path(tmp)
        stage = tmp / "pipeline"
        shutil.copytree(model_dir, stage)
        # The model card travels with the pipeline files: spacy package picks up README.md from there.
        (stage / "README.md").write_text(model_card({**meta, "lang": lang}, corpus, evaluation), encoding="utf-8")
        meta_path = tmp / "meta.json"
        meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        build_dir = keep_build or tmp / "build"
        build_dir.mkdir(parents=True, exist_ok=True)
        spacy_package(stage, build_dir, meta_path=meta_path, code_paths=code, name=name, version=version,
                      create_sdist=False, create_wheel=False, force=True, silent=quiet)
        package_name = name if name.startswith(f"{lang}_") else f"{lang}_{name}"
        main_path = build_dir / f"{package_name}-{version}"
        built_meta = json.loads((main_path / "meta.json").read_text(encoding="utf-8"))
        built_meta["requirements"] = requirements
        (main_path / "meta.json").write_text(json.dumps(built_meta, ensure_ascii=False, indent=2), encoding="utf-8")
        for stale in output_dir.glob(f"{package_name}-{version}-*.whl"):
            stale.unlink()
        result = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-q",
             "-w", str(output_dir), str(main_path)],
            capture_output=True, text=True)
        if result.returncode != 0:
            raise PackagingError(f"building the wheel failed:\n{result.stdout}\n{result.stderr}")
    wheels = sorted(output_dir.glob(f"{package_name}-{version}-*.whl"))
    if not wheels:
        raise PackagingError(f"no wheel {package_name}-{version}-*.whl appeared in {output_dir}")
    return wheels[-1]
