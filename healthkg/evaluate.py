"""One evaluation run: the pipeline and the baselines on the held-out articles of a split.

Writes nothing itself; `scripts/evaluate.py` saves the metrics JSON, the per-article payload and
the reports.
"""
import json
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from healthkg import systems
from healthkg.evaluation import (GoldArticle, SystemSpec, Timer, articles_payload, evaluate_systems, load_gold,
                                 load_split, resolve_gold_dir, score_system, script_robustness)
from healthkg.pipeline.schema import ENTITY_LABELS

BASELINES = ("rules", "jieba", "jiagu")


def run_evaluation(model_path: Optional[Path], gold_dir: Optional[Path] = None, splits_path: Path = Path("corpus/splits.json"),
                   split: str = "fixed", fold: Optional[int] = None, baselines: Sequence[str] = BASELINES,
                   progress=None) -> Tuple[dict, List[dict]]:
    """(metrics, articles payload). `model_path` None scores only the baselines."""
    say = progress or (lambda message: None)
    timer = Timer()
    gold_dir = resolve_gold_dir(gold_dir)
    gold_all = load_gold(gold_dir)
    chosen = load_split(splits_path, split, fold)
    missing = [a for a in chosen["test"] + chosen["train"] if a not in gold_all]
    if missing:
        raise KeyError(f"{splits_path}: split names articles with no gold annotations in {gold_dir}: {missing}")
    held_out: Dict[str, GoldArticle] = {a: gold_all[a] for a in chosen["test"]}
    articles = list(held_out.values())
    predictions, specs, notes = {}, {}, []
    relations_given_gold = robustness = None
    if gold_dir.name != "annotations":
        notes.append(f"Gold is {gold_dir} (the final gold corpus/annotations did not exist yet).")

    if model_path is not None:
        say(f"loading {model_path}")
        with timer("load model"):
            nlp = systems.load_model(model_path)
        say("model: entities and relations end to end")
        with timer("model end to end"):
            predictions["model"] = systems.predict_model(nlp, articles)
        specs["model"] = SystemSpec("model", f"trained pipeline {model_path}")
        if "rule_entities" in nlp.pipe_names:
            # ablations: what each entity source contributes to the pipeline's score
            say("model without rule_entities, and without ner")
            with timer("model without rule_entities"), nlp.select_pipes(disable=["rule_entities"]):
                predictions["learned"] = systems.predict_model(nlp, articles)
            specs["learned"] = SystemSpec(
                "learned", "the same pipeline with its rule_entities component switched off (statistical ner only)")
            statistical = [n for n in ("tok2vec", "transformer", "ner") if n in nlp.pipe_names]
            with timer("model without ner"), nlp.select_pipes(disable=statistical):
                predictions["no_ner"] = systems.predict_model(nlp, articles)
            specs["no_ner"] = SystemSpec(
                "no_ner", "the same pipeline with its statistical ner switched off (rule_entities only)")
        say("model: relations given gold entities")
        with timer("model given gold entities"):
            relations_given_gold = systems.predict_relations_given_gold(nlp, articles)
        say("model: other-script robustness")
        with timer("model other script"):
            converted, scripts = systems.script_variants(nlp, articles)
        robustness = script_robustness({a: p.entities for a, p in predictions["model"].items()}, converted, scripts)
        from healthkg.evaluation import Prediction
        aligned = {a: Prediction(e, None) for a, e in converted.items() if e is not None}
        robustness["converted_entities"] = score_system(
            {a: g for a, g in held_out.items() if a in aligned}, aligned).to_dict(ENTITY_LABELS)

    if "rules" in baselines:
        say("rule baseline")
        with timer("rules"):
            predictions["rules"] = systems.predict_rules(articles, chosen["train"], gold_dir)
        specs["rules"] = SystemSpec("rules", "healthkg.rules with a gazetteer from the training articles only")
    if "jieba" in baselines:
        say("jieba.posseg")
        with timer("jieba"):
            predictions["jieba"] = systems.predict_tool(systems.jieba_entities, articles)
        specs["jieba"] = SystemSpec(
            "jieba", "jieba.posseg 0.42 on the simplified text: nr/nrfg/nrt->PERSON, ns->LOC, nt->organisation "
            "typed by suffix (hospital/government/other-organisation suffixes, else COMPANY)", systems.TOOL_LABELS)
    if "jiagu" in baselines:
        reason = systems.jiagu_available()
        if reason is None:
            say("jiagu")
            with timer("jiagu"):
                predictions["jiagu"] = systems.predict_tool(systems.jiagu_entities, articles)
            specs["jiagu"] = SystemSpec(
                "jiagu", "jiagu 0.2.3 NER over its own segmentation, on the simplified text: PER->PERSON, "
                "LOC->LOC, ORG->organisation typed by suffix as for jieba", systems.TOOL_LABELS)
        else:
            notes.append(f"jiagu left out: {reason}")

    say("scoring")
    reference = "model" if "model" in predictions else next(iter(predictions), "model")
    result = evaluate_systems(held_out, predictions, specs, relations_given_gold, reference=reference)
    title = "fixed split" if split == "fixed" else f"cross-validation fold {fold}"
    metrics = {"title": title, "split": split, "fold": fold, "reference": reference,
               "model_path": str(model_path) if model_path else None, "gold_dir": str(gold_dir),
               "test_articles": list(chosen["test"]), "train_articles": list(chosen["train"]),
               "dev_articles": list(chosen.get("dev", [])), "notes": notes,
               "systems": result["systems"], "robustness": robustness, "errors": result["errors"],
               "timing": timer.times}
    return metrics, articles_payload(held_out, predictions, relations_given_gold)


def attach_resources(metrics: dict, resource_files: Sequence[Path]) -> dict:
    """Add recorded workflow timings (JSON from healthkg.resources) that exist."""
    resources = {}
    for path in resource_files:
        path = Path(path)
        if path.exists():
            record = json.loads(path.read_text(encoding="utf-8"))
            resources[record.get("name", path.stem)] = record
    if resources:
        metrics["resources"] = resources
    return metrics
