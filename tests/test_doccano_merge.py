"""Converting doccano exports back to the corpus and merging them: no server needed."""
import json

from healthkg.corpus import Entity, Paragraph, Relation
from healthkg.doccano.convert import from_export, to_doccano
from healthkg.doccano.labels import ENTITY_STYLE, RELATION_STYLE, label_spec
from healthkg.doccano.merge import merge
from healthkg.pipeline.schema import ENTITY_LABELS, RELATION_TYPES

TEXT = "腾讯与东华软件签署合作协议。"


def gold_paragraph():
    return Paragraph("a1", 0, 0, TEXT, [Entity(7, "COMPANY", 0, 2), Entity(8, "COMPANY", 3, 7)],
                     [Relation(3, 7, 8, "PARTNER_OF")], extra={"note": "kept"})


def exported(paragraph, entities, relations, example_id=41):
    """A line as doccano exports it: its own ids, meta at the top level."""
    record = to_doccano(paragraph, "gold")
    record.update(id=example_id, Comments=[], entities=[
        {"id": 100 + n, "label": label, "start_offset": s, "end_offset": e} for n, (s, e, label) in enumerate(entities)])
    record["relations"] = [{"id": 500 + n, "from_id": 100 + h, "to_id": 100 + t, "type": label}
                           for n, (h, t, label) in enumerate(relations)]
    return from_export(json.loads(json.dumps(record, ensure_ascii=False)), "export:1")


def test_upload_record_keeps_metadata_and_drops_the_corpus_key():
    record = to_doccano(gold_paragraph(), "rules")
    assert "id" not in record and record["preannotation"] == "rules" and record["note"] == "kept"
    assert (record["article_id"], record["paragraph_index"], record["paragraph_offset"]) == ("a1", 0, 0)


def test_unchanged_export_maps_back_to_the_gold_ids():
    gold = {"a1": [gold_paragraph()]}
    result = merge(gold, [exported(gold_paragraph(), [(0, 2, "COMPANY"), (3, 7, "COMPANY")], [(0, 1, "PARTNER_OF")])])
    assert not result.changes and not result.errors and not result.blocking
    assert result.unchanged_paragraphs == 1


def test_relabel_addition_and_removal_are_reported():
    gold = {"a1": [gold_paragraph()]}
    pulled = exported(gold_paragraph(), [(0, 2, "ORG"), (3, 7, "COMPANY"), (9, 13, "DOCUMENT")], [])
    result = merge(gold, [pulled])
    changes = result.changes["a1"]
    assert len(changes.relabelled_entities) == 1 and "COMPANY -> ORG" in changes.relabelled_entities[0]
    assert len(changes.added_entities) == 1 and "合作协议" in changes.added_entities[0]
    assert len(changes.removed_relations) == 1
    assert result.blocking and "remove 0 entities and 1 relations" in result.blocking[0]
    merged = result.articles["a1"][0]
    assert [e.id for e in merged.entities] == [7, 8, 9] and merged.extra == {"note": "kept"}


def test_relation_type_change_is_a_relabel():
    gold = {"a1": [gold_paragraph()]}
    result = merge(gold, [exported(gold_paragraph(), [(0, 2, "COMPANY"), (3, 7, "COMPANY")], [(0, 1, "INVESTS_IN")])])
    changes = result.changes["a1"]
    assert changes.relabelled_relations and not changes.removed_relations and not changes.added_relations
    assert not result.blocking


def test_invalid_pulled_annotations_are_errors():
    gold = {"a1": [gold_paragraph()]}
    result = merge(gold, [exported(gold_paragraph(), [(0, 2, "COMPANY"), (1, 7, "COMPANY")], [])])
    assert any("overlapping" in e for e in result.errors) and not result.can_write


def test_new_article_with_missing_paragraphs_is_blocking():
    new = Paragraph("b2", 1, 15, TEXT)
    result = merge({}, [exported(new, [], [])], paragraph_counts={"b2": 3})
    assert result.blocking and "paragraphs 0, 2 were not pulled" in result.blocking[0]


def test_every_label_has_a_distinct_colour_and_key():
    spec = label_spec()
    assert [t["text"] for t in spec["span"]] == list(ENTITY_LABELS)
    assert [t["text"] for t in spec["relation"]] == list(RELATION_TYPES)
    colours = [c for c, _ in ENTITY_STYLE.values()] + [c for c, _ in RELATION_STYLE.values()]
    assert len(set(colours)) == len(colours)
