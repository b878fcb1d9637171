"""Evaluation on hand-made gold and a tiny hand-built pipeline (no training): exact numbers."""
import json
import subprocess
import sys

import pytest
import spacy
from spacy.language import Language

from healthkg.corpus import Entity, Paragraph, Relation, write_corpus
from healthkg.cv_report import aggregate_folds, cv_html, cv_markdown
from healthkg.evaluate import run_evaluation
from healthkg.evaluation import (GoldArticle, Prediction, SystemSpec, entity_errors, evaluate_systems, load_gold,
                                 relation_errors, script_robustness)
from healthkg.pipeline import relations as _relations  # noqa: F401  (registers Doc._.relations)
from healthkg.reports import html_report, markdown_report

from conftest import ROOT

A = "art_a"
P0 = "腾讯与东华软件签署合作协议。"
P1 = "张三任腾讯总裁。"
TEXT = P0 + "\n" + P1
OFF1 = len(P0) + 1


def span(text, sub, label, offset=0, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(sub, start + 1)
    return (offset + start, offset + start + len(sub), label)


TENCENT = span(P0, "腾讯", "COMPANY")
DONGHUA = span(P0, "东华软件", "COMPANY")
DONGHUA_SHORT = span(P0, "东华软", "COMPANY")
ZHANG = span(P1, "张三", "PERSON", OFF1)
TENCENT2 = span(P1, "腾讯", "COMPANY", OFF1)
TITLE = span(P1, "总裁", "TITLE", OFF1)


def gold():
    return GoldArticle(A, TEXT, [(0, P0), (OFF1, P1)], {TENCENT, DONGHUA, ZHANG, TENCENT2, TITLE},
                       {(TENCENT, DONGHUA, "PARTNER_OF"), (ZHANG, TENCENT2, "WORKS_FOR"), (ZHANG, TITLE, "HOLDS_TITLE")})


def counts(score, label=None):
    s = score["micro"] if label is None else score["per_label"][label]
    return s["tp"], s["fp"], s["fn"]


# -- scoring on hand-made predictions --------------------------------------------------------------

def test_relation_scoring_direction_symmetry_and_argument_bounds():
    predicted = Prediction(
        {TENCENT, DONGHUA_SHORT, ZHANG, TENCENT2, TITLE},
        {(DONGHUA_SHORT, TENCENT, "PARTNER_OF"),   # reversed (fine) but on a wrongly bounded entity
         (ZHANG, TENCENT2, "WORKS_FOR"),           # right
         (TITLE, ZHANG, "HOLDS_TITLE")})           # wrong direction
    given_gold = {A: {(DONGHUA, TENCENT, "PARTNER_OF"), (ZHANG, TENCENT2, "WORKS_FOR"), (TITLE, ZHANG, "HOLDS_TITLE")}}
    result = evaluate_systems({A: gold()}, {"model": {A: predicted}}, {"model": SystemSpec("model", "")}, given_gold)
    model = result["systems"]["model"]
    assert counts(model["entities"]) == (4, 1, 1)
    assert counts(model["entities"], "COMPANY") == (2, 1, 1)
    e2e = model["relations_end_to_end"]
    assert counts(e2e, "PARTNER_OF") == (0, 1, 1)  # the boundary error sinks the relation
    assert counts(e2e, "WORKS_FOR") == (1, 0, 0)
    assert counts(e2e, "HOLDS_TITLE") == (0, 1, 1)  # wrong direction: a FP and a FN
    assert counts(e2e) == (1, 2, 2)
    assert e2e["micro"]["f"] == pytest.approx(1 / 3, abs=1e-4)
    given = model["relations_given_gold"]
    assert counts(given, "PARTNER_OF") == (1, 0, 0)  # reversed PARTNER_OF is correct
    assert counts(given) == (2, 1, 1)
    errors = result["errors"]["model"]
    assert sorted(e["kind"] for e in errors["relations_end_to_end"]["fp"]) == ["argument", "direction"]
    assert sorted(e["kind"] for e in errors["relations_end_to_end"]["fn"]) == ["argument", "direction"]
    assert [e["kind"] for e in errors["entities"]["fp"]] == ["boundary"]
    assert errors["entities"]["fp"][0]["near"]["text"] == "东华软件"


def test_entity_error_kinds():
    predicted = {(0, 2, "PERSON"), (3, 6, "COMPANY"), (7, 9, "LOC")}
    errors = entity_errors(gold(), predicted)
    assert {(e["text"], e["kind"]) for e in errors["fp"]} == {("腾讯", "label"), ("东华软", "boundary"),
                                                            ("签署", "spurious")}
    kinds = {(e["start"], e["text"]): e["kind"] for e in errors["fn"]}
    assert kinds == {(0, "腾讯"): "label", (3, "东华软件"): "boundary", (ZHANG[0], "张三"): "missed",
                     (TENCENT2[0], "腾讯"): "missed", (TITLE[0], "总裁"): "missed"}


def test_baseline_scored_only_on_its_labels_next_to_the_model():
    model = Prediction({TENCENT, DONGHUA, ZHANG, TENCENT2, TITLE}, set())
    tool = Prediction({ZHANG, (TITLE[0], TITLE[1], "LOC"), (0, 2, "HOSPITAL")}, None)
    specs = {"model": SystemSpec("model", ""), "tool": SystemSpec("tool", "", {"PERSON", "LOC", "COMPANY", "HOSPITAL"})}
    result = evaluate_systems({A: gold()}, {"model": {A: model}, "tool": {A: tool}}, specs)
    scored = result["systems"]["tool"]
    assert "TITLE" not in scored["labels_scored"]
    assert counts(scored["entities"]) == (1, 2, 3)  # the gold TITLE is not held against it
    assert counts(scored["entities_org_collapsed"]) == (2, 1, 2)  # HOSPITAL for a COMPANY: an organisation found
    assert "relations_end_to_end" not in scored
    same = scored["reference_on_same_labels"]["entities"]
    assert counts(same) == (4, 0, 0)


def test_organisation_types_merged_turn_type_confusions_into_hits():
    tool = Prediction({(TENCENT[0], TENCENT[1], "HOSPITAL")}, None)
    specs = {"tool": SystemSpec("tool", "", {"COMPANY", "HOSPITAL"})}
    scored = evaluate_systems({A: gold()}, {"tool": {A: tool}}, specs, reference="none")["systems"]["tool"]
    assert counts(scored["entities"]) == (0, 1, 3)
    assert counts(scored["entities_org_collapsed"]) == (1, 0, 2)


def test_relation_error_missing_argument():
    errors = relation_errors(gold(), set(), {TENCENT, ZHANG, TENCENT2})
    kinds = {e["label"]: e["kind"] for e in errors["fn"]}
    assert kinds == {"PARTNER_OF": "argument", "WORKS_FOR": "missed", "HOLDS_TITLE": "argument"}


def test_script_robustness_share():
    result = script_robustness({"a": {(0, 2, "X"), (3, 4, "Y")}, "b": {(0, 1, "Z")}},
                               {"a": {(0, 2, "X"), (3, 5, "Y")}, "b": None}, {"a": "simplified", "b": "traditional"})
    assert result["identical"] == 1 and result["identical_share"] == pytest.approx(1 / 3, abs=1e-4)
    assert result["per_article"]["b"]["aligned"] is False


# -- a tiny hand-built pipeline end to end ---------------------------------------------------------

@Language.component("test_pair_relations")
def pair_relations(doc):
    """Within a line: PERSON->COMPANY WORKS_FOR, COMPANY pairs PARTNER_OF (later first),
    TITLE->PERSON HOLDS_TITLE (reversed)."""
    rels = []
    for a in doc.ents:
        for b in doc.ents:
            if a is b or "\n" in doc.text[min(a.start_char, b.start_char):max(a.end_char, b.end_char)]:
                continue
            if a.label_ == "PERSON" and b.label_ == "COMPANY":
                rels.append((a, b, "WORKS_FOR"))
            elif a.label_ == b.label_ == "COMPANY" and a.start > b.start:
                rels.append((a, b, "PARTNER_OF"))
            elif a.label_ == "TITLE" and b.label_ == "PERSON":
                rels.append((a, b, "HOLDS_TITLE"))
    doc._.relations = [{"head": [h.start_char, h.end_char], "tail": [t.start_char, t.end_char], "label": l,
                        "score": 0.9} for h, t, l in rels]
    return doc


@pytest.fixture(scope="module")
def tiny_setup(tmp_path_factory):
    from healthkg.pipeline import script, sentences  # noqa: F401  (register the components)

    root = tmp_path_factory.mktemp("evaluation")
    nlp = spacy.blank("zh")
    nlp.add_pipe("zh_simplified_norms")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "NORM"})
    ruler.add_patterns([{"label": "COMPANY", "pattern": "腾讯"}, {"label": "COMPANY", "pattern": "东华软"},
                        {"label": "PERSON", "pattern": "张三"}, {"label": "TITLE", "pattern": "总裁"}])
    nlp.add_pipe("test_pair_relations", name="relation_extractor")
    nlp.to_disk(root / "model")

    def paragraph(aid, index, offset, text, ents, rels):
        return Paragraph(aid, index, offset, text,
                         [Entity(i + 1, l, s - offset, e - offset) for i, (s, e, l) in enumerate(ents)],
                         [Relation(i + 1, ents.index(h) + 1, ents.index(t) + 1, l) for i, (h, t, l) in enumerate(rels)])

    test_article = [paragraph(A, 0, 0, P0, [TENCENT, DONGHUA], [(TENCENT, DONGHUA, "PARTNER_OF")]),
                    paragraph(A, 1, OFF1, P1, [ZHANG, TENCENT2, TITLE],
                              [(ZHANG, TENCENT2, "WORKS_FOR"), (ZHANG, TITLE, "HOLDS_TITLE")])]
    train_text = "李四是阿里巴巴总裁。"
    train = [paragraph("art_b", 0, 0, train_text, [span(train_text, "李四", "PERSON"), span(train_text, "阿里巴巴", "COMPANY")], [])]
    dev_text = "王五在北京。"
    dev = [paragraph("art_c", 0, 0, dev_text, [span(dev_text, "王五", "PERSON"), span(dev_text, "北京", "LOC")], [])]
    write_corpus({A: test_article, "art_b": train, "art_c": dev}, root / "gold")
    splits = {"fixed": {"train": ["art_b"], "dev": ["art_c"], "test": [A]},
              "cv": [{"fold": 0, "train": ["art_b"], "dev": ["art_c"], "test": [A]},
                     {"fold": 1, "train": [A], "dev": ["art_c"], "test": ["art_b"]}]}
    (root / "splits.json").write_text(json.dumps(splits), encoding="utf-8")
    return root


def test_run_evaluation_with_a_pipeline_and_baselines(tiny_setup):
    root = tiny_setup
    metrics, articles = run_evaluation(root / "model", root / "gold", root / "splits.json", baselines=("rules", "jieba"))
    model = metrics["systems"]["model"]
    assert counts(model["entities"]) == (4, 1, 1)
    assert counts(model["relations_end_to_end"]) == (1, 2, 2)
    assert counts(model["relations_given_gold"]) == (2, 1, 1)
    assert metrics["test_articles"] == [A] and metrics["train_articles"] == ["art_b"]
    # NORM-based matching: the traditional form gives exactly the same entities
    assert metrics["robustness"]["identical_share"] == 1.0
    assert metrics["robustness"]["per_article"][A]["script"] == "simplified"
    assert set(metrics["systems"]) == {"model", "rules", "jieba"}
    assert metrics["systems"]["jieba"]["labels_scored"] == ["PERSON", "COMPANY", "HOSPITAL", "GOV", "ORG", "LOC"]
    assert metrics["systems"]["rules"]["relations_end_to_end"] is not None
    assert articles[0]["id"] == A and articles[0]["systems"]["model"]["entities"]
    json.dumps(metrics)  # serialisable as written by the script

    md = markdown_report(metrics)
    assert "| model | all 11 | 0.800 | 0.800 | 0.800 |" in md
    assert "art_a 3-6: 东华软 [COMPANY] (boundary; gold/pred nearby: 东华软件 [COMPANY])" in md
    assert "总裁 [TITLE" in md and "(direction)" in md
    page = html_report(metrics, articles)
    assert page.count("<svg") == 3  # entity, end-to-end and given-gold F1 charts
    assert 'class="entities"' in page  # displaCy rendering
    assert "Every false positive and false negative" in page and "✗" in page

    fold = [run_evaluation(root / "model", root / "gold", root / "splits.json", "cv", k, baselines=())[0] for k in (0, 1)]
    cv = aggregate_folds(fold)
    f = cv["systems"]["model"]["entities"]["micro"]["f"]
    assert f["n"] == 2 and f["mean"] == pytest.approx((0.8 + fold[1]["systems"]["model"]["entities"]["micro"]["f"]) / 2, abs=1e-4)
    assert "± " in cv_markdown(cv) and "<svg" in cv_html(cv)


def test_cv_aggregation_exact_numbers():
    def fold(tp, fp, fn, f):
        score = {"per_label": {"PERSON": {"p": f, "r": f, "f": f, "tp": tp, "fp": fp, "fn": fn}},
                 "micro": {"p": f, "r": f, "f": f, "tp": tp, "fp": fp, "fn": fn}, "macro": {"p": f, "r": f, "f": f}}
        return {"fold": 0, "systems": {"model": {"labels_scored": ["PERSON"], "entities": score}}}

    cv = aggregate_folds([fold(1, 0, 0, 1.0), fold(1, 1, 1, 0.5)])
    person = cv["systems"]["model"]["entities"]["per_label"]["PERSON"]
    assert person["f"]["mean"] == 0.75 and person["f"]["std"] == pytest.approx(0.3536, abs=1e-4)
    assert person["pooled"]["tp"] == 2 and person["pooled"]["f"] == pytest.approx(0.6667, abs=1e-4)
    one = aggregate_folds([fold(1, 0, 0, 1.0)])
    assert one["systems"]["model"]["entities"]["micro"]["f"]["std"] is None
    assert "1.000 (1 fold)" in cv_markdown(one)


# -- datasets export and timing --------------------------------------------------------------------

def test_datasets_export_loads_back(tiny_setup, tmp_path):
    import datasets

    from healthkg.hf_export import BIO_NAMES, export, spans_from_tags

    sizes = export(tiny_setup / "gold", tiny_setup / "splits.json", tmp_path / "hf")
    assert sizes == {"train": 1, "dev": 1, "test": 2}
    loaded = datasets.load_from_disk(str(tmp_path / "hf"))
    assert set(loaded) == {"train", "dev", "test"}
    row = loaded["test"][1]
    assert row["text"] == P1 and row["tokens"] == list(P1)
    tags = [loaded["test"].features["ner_tags"].feature.int2str(t) for t in row["ner_tags"]]
    assert spans_from_tags(tags) == [(0, 2, "PERSON"), (3, 5, "COMPANY"), (5, 7, "TITLE")]
    assert [(s["text"], s["label"]) for s in row["spans"]] == [("张三", "PERSON"), ("腾讯", "COMPANY"), ("总裁", "TITLE")]
    names = loaded["test"].features["relations"].feature["label"]
    assert [(r["head"], r["tail"], names.int2str(r["label"])) for r in row["relations"]] == [
        (0, 1, "WORKS_FOR"), (0, 2, "HOLDS_TITLE")]
    assert len(BIO_NAMES) == 23


def test_measure_records_wall_time_and_peak_memory(tmp_path):
    out = tmp_path / "t.json"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "time_workflow.py"), "--name", "alloc", "--output", str(out), "--",
                    sys.executable, "-c", "x = bytearray(80_000_000); import time; time.sleep(0.2)"], check=True,
                   capture_output=True)
    record = json.loads(out.read_text())
    assert record["name"] == "alloc" and record["returncode"] == 0
    assert record["wall_seconds"] >= 0.2 and record["peak_rss_mb"] >= 75


def test_pipelines_with_rule_entities_get_ablations(tiny_setup, tmp_path):
    from healthkg.pipeline import rule_entities  # noqa: F401

    root = tiny_setup
    nlp = spacy.blank("zh")
    nlp.add_pipe("zh_simplified_norms")
    nlp.add_pipe("zh_sentences")
    nlp.add_pipe("rule_entities").initialize(patterns=[{"label": "COMPANY", "pattern": "腾讯"}])
    nlp.add_pipe("test_pair_relations", name="relation_extractor")
    nlp.to_disk(tmp_path / "model")
    metrics, _ = run_evaluation(tmp_path / "model", root / "gold", root / "splits.json", baselines=())
    systems = metrics["systems"]
    assert set(systems) == {"model", "learned", "no_ner"}
    # no statistical ner here: without it nothing changes, without the rules nothing is found
    assert systems["no_ner"]["entities"] == systems["model"]["entities"]
    assert systems["model"]["entities"]["micro"]["tp"] > 0
    assert systems["learned"]["entities"]["micro"]["tp"] == 0
