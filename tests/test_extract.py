import csv
import json
import shutil

import networkx as nx
import pytest

from conftest import RAW_DIR, SEED_IDS
from healthkg.extract import ExtractResult, extract, knowledge_graph, load_model, write_outputs
from healthkg.pipeline.schema import ENTITY_LABELS, RELATION_TYPES
from healthkg.pipeline.script import to_traditional
from healthkg.reading import decode_bytes


@pytest.fixture(scope="module")
def nlp(small_pipeline):
    return load_model(small_pipeline)


def assert_entity_maps_to(entity, record, user_text):
    """Clean offsets point at the entity in the clean text, raw offsets at it in the user's text."""
    assert record["text"][entity["start"]:entity["end"]] == entity["text"]
    raw = user_text[entity["raw_start"]:entity["raw_end"]]
    # cleaning may drop a pinyin annotation or collapse a space inside a span, never its ends
    assert raw[0] == entity["text"][0] and raw[-1] == entity["text"][-1], (entity, raw)
    assert len(raw) >= len(entity["text"])


def test_seeds_and_a_bad_file(nlp, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for article_id in SEED_IDS:
        shutil.copy(RAW_DIR / f"{article_id}.txt", inputs)
    (inputs / "broken.txt").write_bytes(b"\x00\x01\x02 not text \x00")
    result = extract([inputs], nlp, batch_size=2, progress=False)

    assert sorted(r["id"] for r in result.records) == SEED_IDS
    assert [e.path for e in result.errors] == [str(inputs / "broken.txt")]
    assert "binary" in result.errors[0].message
    assert result.summary().startswith("5 articles processed, 1 failed")
    assert result.n_entities > 0 and result.n_relations > 0
    for record in result.records:
        user_text = (RAW_DIR / f"{record['id']}.txt").read_text(encoding="utf-8")
        for entity in record["entities"]:
            assert entity["label"] in ENTITY_LABELS
            assert_entity_maps_to(entity, record, user_text)
        for rel in record["relations"]:
            assert rel["label"] in RELATION_TYPES and 0.0 <= rel["score"] <= 1.0
            assert rel["head"] == record["entities"][rel["head_index"]]
            sentence = record["text"][rel["sentence_start"]:rel["sentence_end"]]
            assert sentence == rel["sentence"]
            for side in (rel["head"], rel["tail"]):
                assert rel["sentence_start"] <= side["start"] and side["end"] <= rel["sentence_end"]

    paths = write_outputs(result, tmp_path / "out")
    lines = paths["jsonl"].read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [r["id"] for r in result.records]
    with paths["csv"].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == result.n_relations
    assert {row["relation"] for row in rows} <= set(RELATION_TYPES)
    graph = nx.read_graphml(paths["graphml"])
    assert 0 < graph.number_of_nodes() <= result.n_entities
    assert all({"label", "mentions", "name", "article"} <= set(data) for _, data in graph.nodes(data=True))
    assert all({"label", "score", "article"} <= set(data) for _, _, data in graph.edges(data=True))
    non_alias = sum(1 for r in result.records for rel in r["relations"] if rel["label"] != "ALIAS_OF")
    assert graph.number_of_edges() == non_alias


def test_traditional_big5_input_maps_back_to_the_users_text(nlp, seed_articles, tmp_path):
    article = seed_articles[SEED_IDS[0]]
    body = "\n".join(article.text[s:e] for s, e in article.paragraphs[:6])
    traditional = to_traditional(body)
    # what a user's page looks like: a header, indented paragraphs, an editor line
    user_text = "首頁 > 新聞中心\n" + "\n".join("\u3000\u3000" + p for p in traditional.split("\n")) + "\n(責編:王明)\n"
    path = tmp_path / "traditional.txt"
    path.write_bytes(user_text.encode("big5", errors="replace"))
    decoded, encoding = decode_bytes(path.read_bytes(), str(path))
    assert "big5" in encoding.lower()

    result = extract([path], nlp, progress=False)
    assert not result.errors
    (record,) = result.records
    assert record["script"] == "traditional"
    assert "首頁" not in record["text"] and "責編" not in record["text"]
    assert record["entities"], "the small model finds entities in a traditional article"
    for entity in record["entities"]:
        assert decoded[entity["raw_start"]:entity["raw_end"]] == entity["text"]


def test_jsonl_input_and_a_bad_line(nlp, seed_articles, tmp_path):
    article = seed_articles[SEED_IDS[1]]
    path = tmp_path / "articles.jsonl"
    path.write_text(json.dumps({"id": "a1", "title": "t", "text": article.text}, ensure_ascii=False) + "\n"
                    + "{not json\n", encoding="utf-8")
    result = extract([path], nlp, progress=False)
    assert [r["id"] for r in result.records] == ["a1"]
    assert [(e.path, e.line) for e in result.errors] == [(str(path), 2)]
    for entity in result.records[0]["entities"]:
        assert article.text[entity["raw_start"]:entity["raw_end"]] == entity["text"]


def test_unknown_model_is_a_clear_error():
    with pytest.raises(FileNotFoundError, match="no_such_model_package"):
        load_model("no_such_model_package")


def _entity(text, label, start):
    return {"text": text, "label": label, "start": start, "end": start + len(text),
            "raw_start": start, "raw_end": start + len(text)}


def test_graph_merges_identical_names_and_aliases_within_an_article():
    ents = [_entity("四川大学华西医院", "HOSPITAL", 0), _entity("华西医院", "HOSPITAL", 20),
            _entity("腾讯", "COMPANY", 30), _entity("华西医院", "HOSPITAL", 40), _entity("成都", "LOC", 50)]

    def rel(h, t, label):
        return {"head": ents[h], "tail": ents[t], "head_index": h, "tail_index": t, "label": label,
                "score": 0.9, "sentence": "…", "sentence_start": 0, "sentence_end": 60}

    record = {"id": "a", "entities": ents,
              "relations": [rel(1, 0, "ALIAS_OF"), rel(3, 2, "PARTNER_OF"), rel(0, 4, "LOCATED_IN")]}
    other = {"id": "b", "entities": [_entity("华西医院", "HOSPITAL", 0)], "relations": []}
    graph = knowledge_graph([record, other])
    # one hospital node (3 mentions, 2 names), Tencent, Chengdu in article a; a separate node in b
    assert graph.number_of_nodes() == 4
    hospital = next(d for n, d in graph.nodes(data=True) if d["article"] == "a" and d["label"] == "HOSPITAL")
    assert hospital["name"] == "四川大学华西医院" and hospital["mention_count"] == 3
    assert set(hospital["mentions"].split(" | ")) == {"四川大学华西医院", "华西医院"}
    edges = sorted((graph.nodes[u]["name"], d["label"], graph.nodes[v]["name"]) for u, v, d in graph.edges(data=True))
    assert edges == [("四川大学华西医院", "LOCATED_IN", "成都"), ("四川大学华西医院", "PARTNER_OF", "腾讯")]
    assert ExtractResult(records=[record, other]).n_relations == 3
