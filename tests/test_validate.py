"""`validate` on the real gold corpus and on hand-made bad files."""
import json
import subprocess
import sys

import pytest

from healthkg.corpus import AnnotationFormatError, read_annotation_file
from healthkg.validation import validate_corpus

from conftest import ROOT, SEED_IDS

GOLD = ROOT / "corpus" / "annotations"


def test_gold_corpus_is_valid_and_complete(seed_articles):
    clean = [article.to_record() for article in seed_articles.values()]
    result = validate_corpus(GOLD, clean)
    assert result.ok, "\n".join(map(str, result.problems[:20]))
    assert sorted(result.paragraphs) == SEED_IDS
    for article_id, counts in result.entity_counts().items():
        assert sum(counts.values()) >= 20, f"{article_id} looks unannotated"
    assert sum(sum(c.values()) for c in result.relation_counts().values()) >= 50


def test_validate_command_prints_counts():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "validate.py"), str(GOLD),
                           "--clean", str(ROOT / "missing.jsonl")], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "HOSPITAL" in proc.stdout and "PARTNER_OF" in proc.stdout and "no problems" in proc.stdout


def _paragraph(text, entities=(), relations=(), index=0, offset=0, article="a1"):
    return {
        "id": f"{article}:{index}", "text": text, "article_id": article, "paragraph_index": index,
        "paragraph_offset": offset,
        "entities": [{"id": i, "label": l, "start_offset": s, "end_offset": e} for i, l, s, e in entities],
        "relations": [{"id": i, "from_id": h, "to_id": t, "type": l} for i, h, t, l in relations],
    }


def _write(tmp_path, *records, name="a1.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


def test_a_clean_paragraph_passes(tmp_path):
    text = "国际医学与阿里巴巴签署协议。"
    _write(tmp_path, _paragraph(text, [(1, "COMPANY", 0, 4), (2, "COMPANY", 5, 9)], [(1, 1, 2, "PARTNER_OF")]))
    assert validate_corpus(tmp_path).ok


@pytest.mark.parametrize("entities,relations,expected", [
    ([(1, "COMPANY", 0, 40)], [], "out of range"),
    ([(1, "COMPANIES", 0, 4)], [], "unknown label 'COMPANIES'"),
    ([(1, "COMPANY", 0, 4), (2, "COMPANY", 2, 6)], [], "overlapping entities"),
    ([(1, "COMPANY", 0, 4), (2, "COMPANY", 0, 4)], [], "duplicate entity"),
    ([(1, "COMPANY", 0, 4), (2, "ORG", 0, 4)], [], "same span with two labels"),
    ([(1, "COMPANY", 0, 4), (2, "COMPANY", 5, 9)], [(1, 1, 3, "PARTNER_OF")], "entity id 3 is not in this paragraph"),
    ([(1, "COMPANY", 0, 4), (2, "COMPANY", 5, 9)], [(1, 1, 2, "FRIENDS")], "unknown type 'FRIENDS'"),
    ([(1, "COMPANY", 0, 4), (2, "COMPANY", 5, 9)], [(1, 1, 2, "HOLDS_TITLE")], "HOLDS_TITLE not allowed from COMPANY to COMPANY"),
    ([(1, "COMPANY", 0, 4), (2, "COMPANY", 5, 9)], [(1, 1, 2, "PARTNER_OF"), (2, 2, 1, "PARTNER_OF")], "duplicate PARTNER_OF"),
    ([(1, "COMPANY", 0, 4), (2, "COMPANY", 15, 19)], [(1, 1, 2, "PARTNER_OF")], "not in one sentence"),
])
def test_bad_annotations_are_reported_with_file_and_line(tmp_path, entities, relations, expected):
    text = "国际医学与阿里巴巴签署协议。阿里巴巴合作。"
    path = _write(tmp_path, _paragraph("第一段。"), _paragraph(text, entities, relations, index=1, offset=5))
    result = validate_corpus(tmp_path)
    assert not result.ok
    messages = [str(p) for p in result.problems]
    assert any(expected in m and m.startswith(f"{path}:2:") for m in messages), messages


def test_malformed_lines_name_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(_paragraph("好。")) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(AnnotationFormatError, match=r"bad.jsonl:2: invalid JSON"):
        read_annotation_file(path)
    record = _paragraph("好。")
    del record["paragraph_offset"]
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with pytest.raises(AnnotationFormatError, match=r'bad.jsonl:1: missing "paragraph_offset"'):
        read_annotation_file(path)
    result = validate_corpus(tmp_path)
    assert not result.ok and "bad.jsonl:1" in str(result.problems[0])


def test_text_must_match_the_clean_corpus(tmp_path):
    _write(tmp_path, _paragraph("第一段。"), _paragraph("第二段改了。", index=1, offset=5))
    clean = [{"id": "a1", "text": "第一段。\n第二段。\n第三段。", "paragraphs": [[0, 4], [5, 9], [10, 14]]}]
    messages = [str(p) for p in validate_corpus(tmp_path, clean).problems]
    assert any("paragraph 1 text differs" in m for m in messages)
    assert any("paragraphs not annotated: [2]" in m for m in messages)


def test_validate_command_fails_on_bad_file(tmp_path):
    _write(tmp_path, _paragraph("国际医学。", [(1, "COMPANY", 0, 9)]))
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "validate.py"), str(tmp_path),
                           "--clean", str(tmp_path / "none.jsonl")], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "a1.jsonl:1: entity 1: offsets 0-9 out of range" in proc.stdout
