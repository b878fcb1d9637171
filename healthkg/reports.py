"""Markdown and HTML reports from the metrics JSON written by `evaluate` and `cv-report`.

The reports only read the JSON (and, for the HTML renderings, the per-article payload), so they can
be regenerated without running any model.
"""
import html
from typing import Dict, Iterable, List, Optional

from healthkg.pipeline.schema import ENTITY_LABELS, RELATION_TYPES

SYSTEM_COLOURS = ["#3b6ea8", "#d9822b", "#5a9e5a", "#a05195", "#7f7f7f", "#c44e52"]
ENTITY_COLOURS = {
    "PERSON": "#aa9cfc", "TITLE": "#fc9ce7", "COMPANY": "#7aecec", "HOSPITAL": "#bfeeb7",
    "GOV": "#feca74", "ORG": "#9cc9cc", "LOC": "#ff9561", "DATE": "#bfe1d9", "MONEY": "#e4e7d2",
    "PERCENT": "#e4e7d2", "DOCUMENT": "#ddd",
}
SCORE_KINDS = [("entities", "Entities"), ("relations_end_to_end", "Relations, end to end (predicted entities)"),
               ("relations_given_gold", "Relations given gold entities")]


def _f(x) -> str:
    return "—" if x is None else f"{x:.3f}"


def _labels_for(kind: str) -> List[str]:
    return list(RELATION_TYPES) if kind.startswith("relations") else list(ENTITY_LABELS)


# -- single run ------------------------------------------------------------------------------------

def summary_rows(metrics: dict) -> List[List[str]]:
    rows = []
    for name, system in metrics["systems"].items():
        ents = system["entities"]
        e2e = system.get("relations_end_to_end")
        given = system.get("relations_given_gold")
        rows.append([name, "all 11" if len(system["labels_scored"]) == len(ENTITY_LABELS) else ", ".join(system["labels_scored"]),
                     _f(ents["micro"]["p"]), _f(ents["micro"]["r"]), _f(ents["micro"]["f"]), _f(ents["macro"]["f"]),
                     _f(e2e["micro"]["f"]) if e2e else "—", _f(given["micro"]["f"]) if given else "—"])
    return rows


SUMMARY_HEADER = ["system", "labels scored", "ent P", "ent R", "ent micro F", "ent macro F",
                  "rel F end to end", "rel F given gold"]


def like_for_like_rows(metrics: dict) -> List[List[str]]:
    rows = []
    for name, system in metrics["systems"].items():
        ref = system.get("reference_on_same_labels")
        if not ref:
            continue
        rows.append([name, ", ".join(system["labels_scored"]),
                     _f(system["entities"]["micro"]["f"]), _f(ref["entities"]["micro"]["f"]),
                     _f(system["entities_org_collapsed"]["micro"]["f"]), _f(ref["entities_org_collapsed"]["micro"]["f"])])
    return rows


def like_for_like_header(metrics: dict) -> List[str]:
    ref = metrics.get("reference", "model")
    return ["baseline", "labels", "baseline micro F", f"{ref} micro F (same labels)",
            "baseline F, org types merged", f"{ref} F, org types merged"]


def per_label_rows(score: dict, labels: Iterable[str]) -> List[List[str]]:
    rows = []
    for label in labels:
        s = score["per_label"].get(label)
        if s is None:
            rows.append([label, "—", "—", "—", "0", "0", "0"])
            continue
        rows.append([label, _f(s["p"]), _f(s["r"]), _f(s["f"]), str(s["tp"] + s["fn"]), str(s["tp"] + s["fp"]), str(s["tp"])])
    m = score["micro"]
    rows.append(["**micro**", _f(m["p"]), _f(m["r"]), _f(m["f"]), str(m["tp"] + m["fn"]), str(m["tp"] + m["fp"]), str(m["tp"])])
    a = score["macro"]
    rows.append(["**macro**", _f(a["p"]), _f(a["r"]), _f(a["f"]), "", "", ""])
    return rows


PER_LABEL_HEADER = ["label", "P", "R", "F", "gold", "predicted", "correct"]


def f1_matrix(metrics: dict, kind: str) -> Dict[str, Dict[str, Optional[float]]]:
    """{label: {system: F1 or None when the system does not produce/was not scored on the label}}."""
    out = {}
    for label in _labels_for(kind):
        out[label] = {}
        for name, system in metrics["systems"].items():
            score = system.get(kind)
            if score is None or (kind == "entities" and label not in system["labels_scored"]):
                out[label][name] = None
                continue
            s = score["per_label"].get(label)
            out[label][name] = s["f"] if s else None  # no gold and no prediction: nothing to score
    return out


def _md_table(header: List[str], rows: List[List[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _error_line(item: dict) -> str:
    if "head" in item:
        h, t = item["head"], item["tail"]
        return (f"{item['article']}: {h['text']} [{h['label']} {h['start']}-{h['end']}] "
                f"-{item['label']}-> {t['text']} [{t['label']} {t['start']}-{t['end']}] ({item['kind']})")
    near = f"; gold/pred nearby: {item['near']['text']} [{item['near']['label']}]" if item.get("near") else ""
    return f"{item['article']} {item['start']}-{item['end']}: {item['text']} [{item['label']}] ({item['kind']}{near})"


def _kind_counts(items: List[dict]) -> str:
    counts: Dict[str, int] = {}
    for item in items:
        counts[item["kind"]] = counts.get(item["kind"], 0) + 1
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"


def markdown_report(metrics: dict) -> str:
    ref = metrics.get("reference", "model")
    out = [f"# Evaluation: {metrics.get('title', '')}", ""]
    for key, label in (("model_path", "Pipeline"), ("gold_dir", "Gold"), ("test_articles", "Held-out articles"),
                       ("train_articles", "Training articles (model, gazetteer)")):
        if metrics.get(key):
            value = metrics[key]
            out.append(f"- {label}: {', '.join(value) if isinstance(value, list) else value}")
    out += ["", "Scores are exact matches at article level. A relation counts only when both argument spans, "
            "their labels, the relation and its direction are right (PARTNER_OF is unordered). "
            "Systems that cannot produce every label are scored only on the labels they produce.", ""]
    for note in metrics.get("notes", []):
        out.append(f"- {note}")
    out += ["", "## Summary", "", _md_table(SUMMARY_HEADER, summary_rows(metrics)), ""]
    lfl = like_for_like_rows(metrics)
    if lfl:
        out += ["### Like for like on each baseline's labels", "", _md_table(like_for_like_header(metrics), lfl), ""]
    for kind, title in SCORE_KINDS:
        matrix = f1_matrix(metrics, kind)
        names = [n for n in metrics["systems"] if metrics["systems"][n].get(kind)]
        if not names:
            continue
        out += [f"## {title}: F1 per label", "",
                _md_table(["label"] + names, [[label] + [_f(matrix[label][n]) for n in names] for label in matrix]), ""]
        for name in names:
            system = metrics["systems"][name]
            labels = system["labels_scored"] if kind == "entities" else _labels_for(kind)
            out += [f"### {name}", "", _md_table(PER_LABEL_HEADER, per_label_rows(system[kind], labels)), ""]
    rob = metrics.get("robustness")
    if rob:
        out += ["## Traditional/simplified robustness", "",
                f"Each held-out article is run as given and converted to the other script with OpenCC; "
                f"{rob['definition']}. Overall: {rob['identical']} identical of {rob['original']} (original) / "
                f"{rob['converted']} (converted) entities, share **{_f(rob['identical_share'])}**.", ""]
        rows = [[aid, r.get("script", ""), str(r.get("original", "—")), str(r.get("converted", "—")),
                 str(r.get("identical", "—")), _f(r.get("identical_share")) if r.get("aligned") else "not length-preserving"]
                for aid, r in rob["per_article"].items()]
        out += [_md_table(["article", "script", "entities (original)", "entities (converted)", "identical", "share"], rows), ""]
        if rob.get("converted_entities"):
            out += [f"Entity micro F1 on the converted text against gold: {rob['converted_entities']['micro']['f']:.3f}", ""]
    resources = metrics.get("resources")
    if resources:
        out += ["## Time and memory", "", _md_table(
            ["step", "wall time (s)", "peak memory (MB)", "command"],
            [[name, f"{r.get('wall_seconds', 0):.1f}", f"{r.get('peak_rss_mb', 0):.0f}" if r.get("peak_rss_mb") else "—",
              f"`{r.get('command', '')}`"] for name, r in resources.items()]), ""]
    if metrics.get("timing"):
        out += ["Evaluation run times (s): " + ", ".join(f"{k} {v:.1f}" for k, v in metrics["timing"].items()), ""]
    errors = metrics.get("errors", {})
    if errors:
        out += ["## Errors", "", "Counts by kind for every system; every error of the reference system is listed "
                "(the HTML report lists every system's).", ""]
        for name, by_kind in errors.items():
            for kind, lists in by_kind.items():
                out.append(f"- {name} {kind}: FP {len(lists['fp'])} ({_kind_counts(lists['fp'])}); "
                           f"FN {len(lists['fn'])} ({_kind_counts(lists['fn'])})")
        out.append("")
        for kind, lists in errors.get(ref, {}).items():
            for side, title in (("fp", "false positives"), ("fn", "false negatives")):
                out += [f"### {ref} {kind}: {title} ({len(lists[side])})", ""]
                out += [f"- {_error_line(item)}" for item in lists[side]] or ["- none"]
                out.append("")
    return "\n".join(out).rstrip() + "\n"


# -- HTML ------------------------------------------------------------------------------------------

def _html_table(header: List[str], rows: List[List[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c).replace('**', ''))}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def f1_chart_svg(matrix: Dict[str, Dict[str, Optional[float]]], spread: Optional[Dict[str, Dict[str, float]]] = None,
                 width: int = 360) -> str:
    """Grouped horizontal bars: one group per label, one bar per system; whiskers show `spread` (std)."""
    systems = list(next(iter(matrix.values())).keys()) if matrix else []
    bar, gap, left = 11, 8, 90
    group = bar * len(systems) + gap
    height = group * len(matrix) + 30 + 16 * len(systems)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 60}" height="{height + 8}" '
             f'font-family="sans-serif" font-size="11"><g transform="translate(0,6)">']
    for i, x in enumerate((0, 0.25, 0.5, 0.75, 1.0)):
        px = left + x * width
        parts.append(f'<line x1="{px}" y1="0" x2="{px}" y2="{group * len(matrix)}" stroke="#ddd"/>')
        parts.append(f'<text x="{px}" y="{group * len(matrix) + 12}" text-anchor="middle">{x:.2f}</text>')
    for g, (label, values) in enumerate(matrix.items()):
        y0 = g * group
        parts.append(f'<text x="{left - 6}" y="{y0 + group / 2}" text-anchor="end">{html.escape(label)}</text>')
        for s, name in enumerate(systems):
            value = values.get(name)
            y = y0 + s * bar
            colour = SYSTEM_COLOURS[s % len(SYSTEM_COLOURS)]
            if value is None:  # not a label this system produces, or nothing to score in gold or output
                parts.append(f'<text x="{left + 2}" y="{y + bar - 2}" fill="#999" font-size="9">n/a</text>')
                continue
            parts.append(f'<rect x="{left}" y="{y + 1}" width="{value * width:.1f}" height="{bar - 2}" fill="{colour}">'
                         f'<title>{html.escape(name)} {html.escape(label)} F1 {value:.3f}</title></rect>')
            sd = (spread or {}).get(label, {}).get(name)
            if sd:
                lo, hi = max(0.0, value - sd), min(1.0, value + sd)
                parts.append(f'<line x1="{left + lo * width:.1f}" x2="{left + hi * width:.1f}" y1="{y + bar / 2}" '
                             f'y2="{y + bar / 2}" stroke="#222"/>')
            parts.append(f'<text x="{left + value * width + 4:.1f}" y="{y + bar - 2}" font-size="9">{value:.2f}</text>')
    ly = group * len(matrix) + 26
    for s, name in enumerate(systems):
        colour = SYSTEM_COLOURS[s % len(SYSTEM_COLOURS)]
        parts.append(f'<rect x="{left}" y="{ly + s * 16}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{left + 14}" y="{ly + s * 16 + 9}">{html.escape(name)}</text>')
    parts.append("</g></svg>")
    return "".join(parts)


STYLE = """<style>
body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;line-height:1.4}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}h2{border-bottom:1px solid #ccc;margin-top:2em}
details{margin:.5em 0}.errors li{font-size:90%}.ok{color:#2a7d2a}.bad{color:#b22}
.article{border:1px solid #ddd;padding:.5em 1em;margin:1em 0}
</style>"""


def _displacy(text: str, ents: List[dict], title: str) -> str:
    from spacy import displacy

    return displacy.render({"text": text, "ents": ents, "title": title}, style="ent", manual=True,
                           page=False, jupyter=False, options={"colors": ENTITY_COLOURS})


def _relation_list(text: str, relations: Optional[List[dict]], gold: List[dict]) -> str:
    if relations is None:
        return "<p>(no relations)</p>"

    def key(r):
        h, t = tuple(r["head"]), tuple(r["tail"])
        if r["label"] == "PARTNER_OF" and t < h:
            h, t = t, h
        return h, t, r["label"]

    gold_keys = {key(r) for r in gold}
    items = []
    for r in relations:
        h, t = r["head"], r["tail"]
        ok = key(r) in gold_keys
        items.append(f'<li class="{"ok" if ok else "bad"}">{"✓" if ok else "✗"} '
                     f'{html.escape(text[h[0]:h[1]])} [{html.escape(str(h[2]))}] —{html.escape(r["label"])}→ '
                     f'{html.escape(text[t[0]:t[1]])} [{html.escape(str(t[2]))}]</li>')
    return "<ul>" + "".join(items) + "</ul>" if items else "<p>none</p>"


def _errors_html(errors: dict) -> str:
    parts = []
    for name, by_kind in errors.items():
        for kind, lists in by_kind.items():
            for side, title in (("fp", "false positives"), ("fn", "false negatives")):
                items = "".join(f"<li>{html.escape(_error_line(i))}</li>" for i in lists[side]) or "<li>none</li>"
                parts.append(f"<details><summary>{html.escape(name)} — {html.escape(kind)}: {title} "
                             f"({len(lists[side])}: {html.escape(_kind_counts(lists[side]))})</summary>"
                             f'<ul class="errors">{items}</ul></details>')
    return "".join(parts)


def html_report(metrics: dict, articles: Optional[List[dict]] = None, markdown_tables: bool = True) -> str:
    ref = metrics.get("reference", "model")
    out = ["<!DOCTYPE html><html><head><meta charset='utf-8'>",
           f"<title>Evaluation: {html.escape(metrics.get('title', ''))}</title>{STYLE}</head><body>",
           f"<h1>Evaluation: {html.escape(metrics.get('title', ''))}</h1><ul>"]
    for key, label in (("model_path", "Pipeline"), ("gold_dir", "Gold"), ("test_articles", "Held-out articles"),
                       ("train_articles", "Training articles")):
        if metrics.get(key):
            value = metrics[key]
            out.append(f"<li>{label}: {html.escape(', '.join(value) if isinstance(value, list) else str(value))}</li>")
    out += [f"<li>{html.escape(n)}</li>" for n in metrics.get("notes", [])]
    out.append("</ul><p>Exact matches at article level; a relation counts only when both argument spans, their "
               "labels, the relation and its direction are right (PARTNER_OF unordered). Baselines are scored "
               "only on the labels they can produce.</p>")
    out += ["<h2>Summary</h2>", _html_table(SUMMARY_HEADER, summary_rows(metrics))]
    lfl = like_for_like_rows(metrics)
    if lfl:
        out += ["<h3>Like for like on each baseline's labels</h3>", _html_table(like_for_like_header(metrics), lfl)]
    for kind, title in SCORE_KINDS:
        names = [n for n in metrics["systems"] if metrics["systems"][n].get(kind)]
        if not names:
            continue
        matrix = f1_matrix(metrics, kind)
        matrix = {label: {n: row[n] for n in names} for label, row in matrix.items()}
        out += [f"<h2>{html.escape(title)}</h2>", "<h3>F1 per label</h3>", f1_chart_svg(matrix)]
        for name in names:
            system = metrics["systems"][name]
            labels = system["labels_scored"] if kind == "entities" else _labels_for(kind)
            out += [f"<h3>{html.escape(name)}</h3>", _html_table(PER_LABEL_HEADER, per_label_rows(system[kind], labels))]
    rob = metrics.get("robustness")
    if rob:
        out += ["<h2>Traditional/simplified robustness</h2>",
                f"<p>{html.escape(rob['definition'])}: overall share <b>{_f(rob['identical_share'])}</b> "
                f"({rob['identical']} identical; {rob['original']} original, {rob['converted']} converted).</p>"]
        rows = [[aid, r.get("script", ""), r.get("original", "—"), r.get("converted", "—"), r.get("identical", "—"),
                 _f(r.get("identical_share")) if r.get("aligned") else "not length-preserving"]
                for aid, r in rob["per_article"].items()]
        out.append(_html_table(["article", "script", "original", "converted", "identical", "share"], rows))
    resources = metrics.get("resources")
    if resources:
        out += ["<h2>Time and memory</h2>", _html_table(
            ["step", "wall time (s)", "peak memory (MB)", "command"],
            [[name, f"{r.get('wall_seconds', 0):.1f}", f"{r.get('peak_rss_mb', 0):.0f}" if r.get("peak_rss_mb") else "—",
              r.get("command", "")] for name, r in resources.items()])]
    if articles:
        out.append("<h2>Held-out articles</h2>")
        for article in articles:
            out.append(f'<div class="article"><h3>{html.escape(article["id"])}</h3>')
            text = article["text"]
            pred = article["systems"].get(ref)
            if pred is not None:
                out.append(f"<details open><summary>{html.escape(ref)} entities</summary>"
                           f"{_displacy(text, pred['entities'], ref)}</details>")
            out.append(f"<details><summary>gold entities</summary>{_displacy(text, article['gold']['entities'], 'gold')}</details>")
            for name, p in article["systems"].items():
                if name != ref:
                    out.append(f"<details><summary>{html.escape(name)} entities</summary>{_displacy(text, p['entities'], name)}</details>")
            out.append(f"<details open><summary>gold relations ({len(article['gold']['relations'])})</summary>"
                       f"{_relation_list(text, article['gold']['relations'], article['gold']['relations'])}</details>")
            if pred is not None and pred.get("relations") is not None:
                out.append(f"<details open><summary>{html.escape(ref)} relations, end to end ({len(pred['relations'])}; ✓ correct)</summary>"
                           f"{_relation_list(text, pred['relations'], article['gold']['relations'])}</details>")
            if article.get("relations_given_gold") is not None:
                out.append(f"<details><summary>{html.escape(ref)} relations given gold entities "
                           f"({len(article['relations_given_gold'])})</summary>"
                           f"{_relation_list(text, article['relations_given_gold'], article['gold']['relations'])}</details>")
            out.append("</div>")
    if metrics.get("errors"):
        out += ["<h2>Every false positive and false negative</h2>",
                "<p>Kinds: label (same span, other label), boundary (overlapping span, same label), "
                "boundary+label, spurious / missed (nothing overlapping); for relations: direction, type, "
                "argument (an argument span or label is wrong), spurious / missed.</p>",
                _errors_html(metrics["errors"])]
    out.append("</body></html>")
    return "\n".join(out)
