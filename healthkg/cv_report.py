"""Cross-validation: mean and spread over the leave-one-article-out folds' metrics JSONs.

For every system and every score (entities, entities with organisation types merged, relations end
to end, relations given gold entities, the model on each baseline's labels) it gives, per label and
for micro and macro, the mean and the sample standard deviation (n-1) of P, R and F over the folds,
and the pooled score (TP/FP/FN summed over folds). A label is averaged over the folds in which it
occurs (gold or predicted) only; `folds` says in how many that is.
"""
import html
import statistics
from typing import Dict, List, Optional

from healthkg.pipeline.schema import ENTITY_LABELS, RELATION_TYPES
from healthkg.reports import STYLE, _html_table, _md_table, f1_chart_svg
from healthkg.scoring import PRF

SCORE_KEYS = ("entities", "entities_org_collapsed", "relations_end_to_end", "relations_given_gold")


def _mean_std(values: List[float]) -> dict:
    if not values:
        return {"mean": None, "std": None, "n": 0}
    return {"mean": round(statistics.fmean(values), 4),
            "std": round(statistics.stdev(values), 4) if len(values) > 1 else None, "n": len(values)}


def aggregate_scores(fold_scores: List[dict]) -> dict:
    """Mean/std of per-label, micro and macro P/R/F over folds, plus pooled counts."""
    labels = sorted({l for s in fold_scores for l in s["per_label"]})
    per_label = {}
    for label in labels:
        rows = [s["per_label"][label] for s in fold_scores if label in s["per_label"]]
        pooled = PRF(sum(r["tp"] for r in rows), sum(r["fp"] for r in rows), sum(r["fn"] for r in rows))
        per_label[label] = {m: _mean_std([r[m] for r in rows]) for m in ("p", "r", "f")}
        per_label[label]["folds"] = len(rows)
        per_label[label]["pooled"] = pooled.to_dict()
    micro = {m: _mean_std([s["micro"][m] for s in fold_scores]) for m in ("p", "r", "f")}
    pooled = PRF(sum(s["micro"]["tp"] for s in fold_scores), sum(s["micro"]["fp"] for s in fold_scores),
                 sum(s["micro"]["fn"] for s in fold_scores))
    micro["pooled"] = pooled.to_dict()
    macro = {m: _mean_std([s["macro"][m] for s in fold_scores]) for m in ("p", "r", "f")}
    return {"per_label": per_label, "micro": micro, "macro": macro, "folds": len(fold_scores)}


def aggregate_folds(fold_metrics: List[dict]) -> dict:
    """The cross-validation summary from the per-fold metrics dicts written by `evaluate --split cv`."""
    if not fold_metrics:
        raise ValueError("no fold metrics to aggregate")
    systems: Dict[str, dict] = {}
    names = []
    for m in fold_metrics:
        names += [n for n in m["systems"] if n not in names]
    for name in names:
        present = [m["systems"][name] for m in fold_metrics if name in m["systems"]]
        result = {"folds": len(present), "labels_scored": present[0]["labels_scored"],
                  "description": present[0].get("description", "")}
        for key in SCORE_KEYS:
            scores = [s[key] for s in present if s.get(key)]
            if scores:
                result[key] = aggregate_scores(scores)
        refs = [s["reference_on_same_labels"] for s in present if s.get("reference_on_same_labels")]
        if refs:
            result["reference_on_same_labels"] = {
                "system": refs[0]["system"],
                "entities": aggregate_scores([r["entities"] for r in refs]),
                "entities_org_collapsed": aggregate_scores([r["entities_org_collapsed"] for r in refs])}
        systems[name] = result
    shares = [m["robustness"]["identical_share"] for m in fold_metrics
              if m.get("robustness") and m["robustness"].get("identical_share") is not None]
    notes = []
    for m in fold_metrics:
        notes += [n for n in m.get("notes", []) if n not in notes]
    return {"title": "cross-validation (leave one article out)", "reference": fold_metrics[0].get("reference", "model"),
            "folds": [{"fold": m.get("fold"), "test": m.get("test_articles"), "train": m.get("train_articles"),
                       "model_path": m.get("model_path")} for m in fold_metrics],
            "gold_dir": fold_metrics[0].get("gold_dir"), "notes": notes, "systems": systems,
            "robustness": {"identical_share": _mean_std(shares)} if shares else None,
            "std": "sample standard deviation over folds (n-1)"}


def _ms(cell: Optional[dict]) -> str:
    if not cell or cell.get("mean") is None:
        return "—"
    if cell.get("std") is None:  # a single fold: no spread to show
        return f"{cell['mean']:.3f} (1 fold)"
    return f"{cell['mean']:.3f} ± {cell['std']:.3f}"


def _labels(key: str, system: dict) -> List[str]:
    if key.startswith("relations"):
        return list(RELATION_TYPES)
    if key == "entities":
        return system["labels_scored"]
    return sorted(system[key]["per_label"])


def _summary(cv: dict) -> List[List[str]]:
    rows = []
    for name, s in cv["systems"].items():
        e = s.get("entities")
        rows.append([name, str(s["folds"]), _ms(e["micro"]["p"]), _ms(e["micro"]["r"]), _ms(e["micro"]["f"]),
                     _ms(e["macro"]["f"]), f"{e['micro']['pooled']['f']:.3f}",
                     _ms(s["relations_end_to_end"]["micro"]["f"]) if s.get("relations_end_to_end") else "—",
                     _ms(s["relations_given_gold"]["micro"]["f"]) if s.get("relations_given_gold") else "—"])
    return rows


SUMMARY_HEADER = ["system", "folds", "ent P", "ent R", "ent micro F", "ent macro F", "ent F pooled",
                  "rel F end to end", "rel F given gold"]
LABEL_HEADER = ["label", "folds", "P", "R", "F", "F pooled", "gold (all folds)"]


def _label_rows(score: dict, labels: List[str]) -> List[List[str]]:
    rows = []
    for label in labels:
        s = score["per_label"].get(label)
        if not s:
            rows.append([label, "0", "—", "—", "—", "—", "0"])
            continue
        rows.append([label, str(s["folds"]), _ms(s["p"]), _ms(s["r"]), _ms(s["f"]), f"{s['pooled']['f']:.3f}",
                     str(s["pooled"]["tp"] + s["pooled"]["fn"])])
    rows.append(["micro", str(score["folds"]), _ms(score["micro"]["p"]), _ms(score["micro"]["r"]),
                 _ms(score["micro"]["f"]), f"{score['micro']['pooled']['f']:.3f}",
                 str(score["micro"]["pooled"]["tp"] + score["micro"]["pooled"]["fn"])])
    rows.append(["macro", str(score["folds"]), _ms(score["macro"]["p"]), _ms(score["macro"]["r"]),
                 _ms(score["macro"]["f"]), "", ""])
    return rows


def _like_for_like(cv: dict) -> List[List[str]]:
    rows = []
    for name, s in cv["systems"].items():
        ref = s.get("reference_on_same_labels")
        if ref:
            rows.append([name, ", ".join(s["labels_scored"]), _ms(s["entities"]["micro"]["f"]),
                         _ms(ref["entities"]["micro"]["f"]), _ms(s["entities_org_collapsed"]["micro"]["f"]),
                         _ms(ref["entities_org_collapsed"]["micro"]["f"])])
    return rows


def _matrix(cv: dict, key: str):
    labels = list(RELATION_TYPES) if key.startswith("relations") else list(ENTITY_LABELS)
    names = [n for n, s in cv["systems"].items() if s.get(key)]
    means, stds = {}, {}
    for label in labels:
        means[label], stds[label] = {}, {}
        for n in names:
            s = cv["systems"][n]
            cell = s[key]["per_label"].get(label)
            scored = key != "entities" or label in s["labels_scored"]
            means[label][n] = cell["f"]["mean"] if cell and scored else None
            stds[label][n] = cell["f"]["std"] if cell and scored else None
    return names, means, stds


TITLES = [("entities", "Entities"), ("relations_end_to_end", "Relations, end to end"),
          ("relations_given_gold", "Relations given gold entities")]


def cv_markdown(cv: dict) -> str:
    ref = cv.get("reference", "model")
    out = [f"# Evaluation: {cv['title']}", "",
           f"Mean ± {cv['std']}; 'pooled' sums TP/FP/FN over all folds. A label's mean covers the folds in "
           "which it occurs. Baselines are scored only on the labels they can produce.", ""]
    out += [f"- {n}" for n in cv.get("notes", [])]
    out += ["", _md_table(["fold", "test", "train", "pipeline"],
                          [[str(f["fold"]), ", ".join(f["test"] or []), ", ".join(f["train"] or []), str(f["model_path"])]
                           for f in cv["folds"]]), ""]
    out += ["## Summary", "", _md_table(SUMMARY_HEADER, _summary(cv)), ""]
    lfl = _like_for_like(cv)
    if lfl:
        out += ["### Like for like on each baseline's labels", "", _md_table(
            ["baseline", "labels", "baseline micro F", f"{ref} micro F (same labels)", "baseline F, org types merged",
             f"{ref} F, org types merged"], lfl), ""]
    if cv.get("robustness"):
        out += [f"Traditional/simplified: share of identical entities {_ms(cv['robustness']['identical_share'])}.", ""]
    for key, title in TITLES:
        names, means, stds = _matrix(cv, key)
        if not names:
            continue
        out += [f"## {title}: mean F1 per label", "", _md_table(
            ["label"] + names, [[l] + [(_ms({"mean": means[l][n], "std": stds[l][n]})) for n in names] for l in means]), ""]
        for n in names:
            out += [f"### {n}", "", _md_table(LABEL_HEADER, _label_rows(cv["systems"][n][key], _labels(key, cv["systems"][n]))), ""]
    if cv.get("resources"):
        out += ["## Time and memory", "", _md_table(
            ["step", "wall time (s)", "peak memory (MB)", "command"],
            [[k, f"{r.get('wall_seconds', 0):.1f}", f"{r['peak_rss_mb']:.0f}" if r.get("peak_rss_mb") else "—",
              f"`{r.get('command', '')}`"] for k, r in cv["resources"].items()]), ""]
    return "\n".join(out).rstrip() + "\n"


def cv_html(cv: dict) -> str:
    ref = cv.get("reference", "model")
    out = ["<!DOCTYPE html><html><head><meta charset='utf-8'>",
           f"<title>Evaluation: {html.escape(cv['title'])}</title>{STYLE}</head><body>",
           f"<h1>Evaluation: {html.escape(cv['title'])}</h1>",
           f"<p>Mean ± {html.escape(cv['std'])}; 'pooled' sums TP/FP/FN over all folds. Bars show the mean F1, "
           "whiskers ± one standard deviation. Baselines are scored only on the labels they can produce.</p><ul>"]
    out += [f"<li>{html.escape(n)}</li>" for n in cv.get("notes", [])]
    out.append("</ul>")
    out.append(_html_table(["fold", "test", "train", "pipeline"],
                           [[f["fold"], ", ".join(f["test"] or []), ", ".join(f["train"] or []), f["model_path"]]
                            for f in cv["folds"]]))
    out += ["<h2>Summary</h2>", _html_table(SUMMARY_HEADER, _summary(cv))]
    lfl = _like_for_like(cv)
    if lfl:
        out += ["<h3>Like for like on each baseline's labels</h3>", _html_table(
            ["baseline", "labels", "baseline micro F", f"{ref} micro F (same labels)", "baseline F, org merged",
             f"{ref} F, org merged"], lfl)]
    if cv.get("robustness"):
        out.append(f"<p>Traditional/simplified: share of identical entities {_ms(cv['robustness']['identical_share'])}.</p>")
    for key, title in TITLES:
        names, means, stds = _matrix(cv, key)
        if not names:
            continue
        out += [f"<h2>{html.escape(title)}</h2>", f1_chart_svg(means, stds)]
        for n in names:
            out += [f"<h3>{html.escape(n)}</h3>", _html_table(LABEL_HEADER, _label_rows(cv["systems"][n][key], _labels(key, cv["systems"][n])))]
    if cv.get("resources"):
        out += ["<h2>Time and memory</h2>", _html_table(
            ["step", "wall time (s)", "peak memory (MB)", "command"],
            [[k, f"{r.get('wall_seconds', 0):.1f}", f"{r['peak_rss_mb']:.0f}" if r.get("peak_rss_mb") else "—",
              r.get("command", "")] for k, r in cv["resources"].items()])]
    out.append("</body></html>")
    return "\n".join(out)
