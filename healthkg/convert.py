"""Gold corpus and auxiliary NER corpora -> spaCy Docs and DocBin files.

One Doc per PARAGRAPH (the unit doccano annotates): relations never cross a sentence, so nothing
is lost, and short docs shuffle and batch better than five long articles. Each Doc keeps
`user_data` article_id / paragraph_index / paragraph_offset, so article-level results can be
rebuilt (the paragraph starts at paragraph_offset in the clean article text).

Tokens are characters (spaCy Chinese, segmenter "char"): every gold span is a token span.
"""
import json
import re
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Tuple

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span

from healthkg.corpus import Paragraph, read_corpus
from healthkg.pipeline import relations as _relations  # noqa: F401  (registers Doc._.relations)
from healthkg.pipeline.relations import make_relation, normalize_relations
from healthkg.pipeline.schema import ENTITY_LABELS, RELATION_TYPES
from healthkg.pipeline.sentences import sentence_spans

DEFAULT_GOLD_DIR = Path("corpus/annotations")


class ConversionError(ValueError):
    """Gold data that cannot become a Doc; the message names the file, line and problem."""


def blank_zh() -> Language:
    """The tokeniser every corpus goes through: Chinese, one token per character."""
    return spacy.blank("zh")


def set_sentence_starts(doc: Doc) -> None:
    starts = {start for start, _ in sentence_spans(doc.text)}
    for token in doc:
        token.is_sent_start = token.i == 0 or token.idx in starts


def paragraph_doc(nlp: Language, paragraph: Paragraph) -> Doc:
    """A Doc with the paragraph's gold entities (doc.ents) and relations (doc._.relations)."""
    where = f"{paragraph.path}:{paragraph.line}" if paragraph.path else paragraph.key
    doc = nlp.make_doc(paragraph.text)
    spans: Dict[int, Span] = {}
    for ent in paragraph.entities:
        if ent.label not in ENTITY_LABELS:
            raise ConversionError(f"{where}: entity {ent.id} has unknown label {ent.label!r}")
        span = doc.char_span(ent.start, ent.end, label=ent.label)
        if span is None:
            raise ConversionError(
                f"{where}: entity {ent.id} [{ent.start}, {ent.end}) {paragraph.text[ent.start:ent.end]!r} "
                "does not align with the character tokens (whitespace at a boundary or out of range)")
        spans[ent.id] = span
    try:
        doc.ents = sorted(spans.values(), key=lambda s: s.start)
    except ValueError as error:
        raise ConversionError(f"{where}: overlapping entities ({error})") from None
    rels = []
    for rel in paragraph.relations:
        if rel.label not in RELATION_TYPES:
            raise ConversionError(f"{where}: relation {rel.id} has unknown type {rel.label!r}")
        if rel.head not in spans or rel.tail not in spans:
            raise ConversionError(f"{where}: relation {rel.id} refers to an entity id not in this paragraph")
        rels.append(make_relation(spans[rel.head], spans[rel.tail], rel.label, 1.0))
    doc._.relations = rels
    set_sentence_starts(doc)
    doc.user_data["article_id"] = paragraph.article_id
    doc.user_data["paragraph_index"] = paragraph.index
    doc.user_data["paragraph_offset"] = paragraph.offset
    return doc


def gold_docs(corpus: Dict[str, List[Paragraph]], nlp: Optional[Language] = None) -> Dict[str, List[Doc]]:
    nlp = nlp or blank_zh()
    return {article_id: [paragraph_doc(nlp, p) for p in paragraphs]
            for article_id, paragraphs in sorted(corpus.items())}


def read_gold(folder) -> Dict[str, List[Paragraph]]:
    folder = Path(folder)
    if not folder.is_dir() or not any(folder.glob("*.jsonl")):
        raise ConversionError(f"{folder}: no gold annotation files (*.jsonl) found")
    return read_corpus(folder)


def write_docbin(docs: Iterable[Doc], path) -> int:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    docbin = DocBin(store_user_data=True)
    n = 0
    for doc in docs:
        docbin.add(doc)
        n += 1
    docbin.to_disk(path)
    return n


def read_docbin(path, nlp: Optional[Language] = None) -> List[Doc]:
    nlp = nlp or blank_zh()
    return [normalize_relations(d) for d in DocBin().from_disk(path).get_docs(nlp.vocab)]


# -- splits ----------------------------------------------------------------------------------------

def make_splits(article_ids: List[str], test: List[str], dev: List[str]) -> dict:
    """The fixed split plus leave-one-article-out folds.

    Fold k tests article k (sorted order) and uses the next article (cyclically) as dev for early
    stopping; the rest train. Every article is the test article of exactly one fold.
    """
    ids = sorted(article_ids)
    unknown = [a for a in test + dev if a not in ids]
    if unknown:
        raise ConversionError(f"split names articles that are not in the gold corpus: {unknown}")
    if set(test) & set(dev):
        raise ConversionError(f"an article is in both test and dev: {sorted(set(test) & set(dev))}")
    fixed = {"train": [a for a in ids if a not in test and a not in dev], "dev": list(dev), "test": list(test)}
    folds = []
    for k, held_out in enumerate(ids):
        dev_id = ids[(k + 1) % len(ids)]
        folds.append({"fold": k, "train": [a for a in ids if a not in (held_out, dev_id)],
                      "dev": [dev_id], "test": [held_out]})
    return {"fixed": fixed, "cv": folds}


# -- auxiliary NER corpora -------------------------------------------------------------------------

HOSPITAL_SUFFIXES = ("医院", "诊所", "卫生院", "卫生室", "医疗中心", "医学中心", "门诊部", "卫生服务中心", "妇幼保健院", "保健院", "疗养院")
GOV_SUFFIXES = ("政府", "委员会", "管委会", "卫健委", "卫生局", "局", "厅", "署", "法院", "检察院", "公安厅", "党委", "人大", "政协")
ORG_SUFFIXES = ("大学", "学院", "学校", "中学", "小学", "研究院", "研究所", "研究中心", "实验室", "协会", "学会", "基金会", "联合会", "商会", "报", "杂志", "电视台", "出版社")

# CLUENER label -> ours. game/book/movie/scene are not ours but may overlap ours (a book may be a
# DOCUMENT, a scene a LOC): their spans become "missing", not "outside".
CLUENER_LABELS = {"name": "PERSON", "position": "TITLE", "company": "COMPANY",
                  "organization": "ORG", "government": "GOV", "address": "LOC"}
# Resume NER: NAME, TITLE, ORG, LOC map; EDU (degrees), PRO (majors), RACE (ethnicity) are not
# entities in our guideline, so they are outside; CONT spans ("中国国籍") are missing.
RESUME_LABELS = {"NAME": "PERSON", "TITLE": "TITLE", "ORG": "COMPANY", "LOC": "LOC"}
RESUME_MISSING = {"CONT"}
RESUME_OUTSIDE = {"EDU", "PRO", "RACE"}

# Our DATE/MONEY/PERCENT are not annotated in either corpus: such characters are unknown, not outside.
_NUMERIC = re.compile(r"[0-9０-９一二三四五六七八九十百千万亿两零〇.,，%％]+\s*(年|月|日|号|元|美元|美金|万|亿|%|％|岁)")


def map_org_label(text: str, label: str) -> str:
    """Hospitals are HOSPITAL whatever the corpus called them; other organisations by suffix."""
    if text.endswith(HOSPITAL_SUFFIXES):
        return "HOSPITAL"
    if text.endswith(GOV_SUFFIXES) and label in ("ORG", "COMPANY"):
        return "GOV"
    if text.endswith(ORG_SUFFIXES) and label == "COMPANY":
        return "ORG"
    return label


def _aux_doc(nlp: Language, text: str, spans: List[Tuple[int, int, str]], missing: List[Tuple[int, int]]) -> Optional[Doc]:
    doc = nlp.make_doc(text)
    ents, miss = [], []
    for start, end, label in sorted(spans):
        span = doc.char_span(start, end, label=label)
        if span is None or any(span.start < e.end and e.start < span.end for e in ents):
            return None  # a span that does not align or overlaps: skip the sentence rather than guess
        ents.append(span)
    for start, end in missing:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None:
            miss.append(span)
    for match in _NUMERIC.finditer(text):
        span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
        if span is not None and not any(span.start < e.end and e.start < span.end for e in ents):
            miss.append(span)
    in_ent = {i for e in ents for i in range(e.start, e.end)}
    unknown = sorted({i for m in miss for i in range(m.start, m.end)} - in_ent)
    doc.set_ents(ents, missing=[doc[i:i + 1] for i in unknown], default="outside")
    doc.user_data["corpus"] = "aux"
    return doc


def cluener_docs(path, nlp: Optional[Language] = None) -> Iterator[Doc]:
    nlp = nlp or blank_zh()
    with open(path, encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                text = record["text"]
                labels = record.get("label", {})
            except (json.JSONDecodeError, KeyError) as error:
                raise ConversionError(f"{path}:{line_number}: not a CLUENER record ({error})") from None
            spans, missing = [], []
            for label, mentions in labels.items():
                for surface, offsets in mentions.items():
                    for start, end in offsets:  # CLUENER ends are inclusive
                        if label in CLUENER_LABELS:
                            spans.append((start, end + 1, map_org_label(surface, CLUENER_LABELS[label])))
                        else:
                            missing.append((start, end + 1))
            doc = _aux_doc(nlp, text, spans, missing)
            if doc is not None:
                yield doc


def resume_docs(path, nlp: Optional[Language] = None) -> Iterator[Doc]:
    """Resume NER in BMES, one "char tag" per line, blank line between sentences."""
    nlp = nlp or blank_zh()

    def flush(chars, tags, line_number):
        text = "".join(chars)
        spans, missing, start, label = [], [], None, None
        for i, tag in enumerate(tags):
            prefix, _, name = tag.partition("-")
            if prefix in ("B", "S"):
                start, label = i, name
            if prefix in ("E", "S") and start is not None:
                if label in RESUME_LABELS:
                    ours = RESUME_LABELS[label]
                    if label == "ORG":
                        ours = map_org_label(text[start:i + 1], "COMPANY")
                    spans.append((start, i + 1, ours))
                elif label in RESUME_MISSING:
                    missing.append((start, i + 1))
                elif label not in RESUME_OUTSIDE:
                    raise ConversionError(f"{path}:{line_number}: unknown Resume NER label {label!r}")
                start = None
        return _aux_doc(nlp, text, spans, missing)

    chars, tags = [], []
    with open(path, encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            parts = line.split()
            if not parts:
                if chars:
                    doc = flush(chars, tags, line_number)
                    if doc is not None:
                        yield doc
                chars, tags = [], []
                continue
            if len(parts) != 2:
                raise ConversionError(f"{path}:{line_number}: expected 'char tag', got {line.rstrip()!r}")
            chars.append(parts[0])
            tags.append(parts[1])
    if chars:
        doc = flush(chars, tags, line_number)
        if doc is not None:
            yield doc


# -- segmentation measurement ----------------------------------------------------------------------

def segmenter_boundaries(name: str):
    """A function text -> set of token boundary offsets for each offline segmenter."""
    if name == "char":
        return lambda text: set(range(len(text) + 1))
    if name.startswith("jieba"):
        import jieba

        hmm = name != "jieba-nohmm"

        def cut(text):
            bounds, offset = {0}, 0
            for word in jieba.cut(text, HMM=hmm):
                offset += len(word)
                bounds.add(offset)
            return bounds
        return cut
    raise ValueError(f"unknown segmenter {name}")


def segmentation_losses(corpus: Dict[str, List[Paragraph]], segmenters=("char", "jieba", "jieba-nohmm")) -> dict:
    """How many gold spans each segmenter cuts across (a start or end inside a word)."""
    import logging

    import jieba
    jieba.setLogLevel(logging.WARNING)
    result = {}
    for name in segmenters:
        bounds_of = segmenter_boundaries(name)
        lost, total, by_label, examples = 0, 0, {}, []
        for paragraphs in corpus.values():
            for p in paragraphs:
                bounds = bounds_of(p.text)
                for e in p.entities:
                    total += 1
                    by_label.setdefault(e.label, [0, 0])
                    by_label[e.label][1] += 1
                    if e.start not in bounds or e.end not in bounds:
                        lost += 1
                        by_label[e.label][0] += 1
                        if len(examples) < 15:
                            context = p.text[max(0, e.start - 6):e.end + 6]
                            examples.append(f"{p.text[e.start:e.end]} ({e.label}) in …{context}…")
        result[name] = {"lost": lost, "total": total, "by_label": by_label, "examples": examples}
    return result


def segmentation_report(losses: dict) -> str:
    lines = ["# Gold spans lost by word segmentation", "",
             "A span is lost when its start or end falls inside a segmenter's token: a token-based NER",
             "model can then never predict it. spaCy's Chinese segmenters that run offline here are",
             "`char` and `jieba` (`pkuseg` needs a downloaded model).", "",
             "| segmenter | spans lost | of | share |", "| --- | ---: | ---: | ---: |"]
    for name, r in losses.items():
        share = r["lost"] / r["total"] if r["total"] else 0.0
        lines.append(f"| {name} | {r['lost']} | {r['total']} | {share:.1%} |")
    for name, r in losses.items():
        if not r["lost"]:
            continue
        lines += ["", f"## {name}: lost spans by label", "", "| label | lost | of |", "| --- | ---: | ---: |"]
        for label, (lost, total) in sorted(r["by_label"].items()):
            lines.append(f"| {label} | {lost} | {total} |")
        lines += ["", "Examples:", ""] + [f"- {x}" for x in r["examples"]]
    return "\n".join(lines) + "\n"


# -- FinRE (relation extraction between two named organisations/people in financial news) ------------

# FinRE relation -> (our relation, True when FinRE's head is our tail). Others are not ours: skipped.
FINRE_RELATIONS = {
    "注资": ("INVESTS_IN", False), "被注资": ("INVESTS_IN", True),
    "持股": ("INVESTS_IN", False), "被持股": ("INVESTS_IN", True),
    "入股": ("INVESTS_IN", False), "被入股": ("INVESTS_IN", True),
    "增持": ("INVESTS_IN", False), "被增持": ("INVESTS_IN", True),
    "收购": ("INVESTS_IN", False), "被收购": ("INVESTS_IN", True),
    "买资": ("INVESTS_IN", False), "被买资": ("INVESTS_IN", True),
    "合作": ("PARTNER_OF", False), "签约": ("PARTNER_OF", False), "合资": ("PARTNER_OF", False),
    "拥有": ("SUBSIDIARY_OF", True), "被拥有": ("SUBSIDIARY_OF", False),
    "unknown": (None, False),
}


def finre_docs(path, nlp: Optional[Language] = None, label: str = "COMPANY") -> Iterator[Doc]:
    """FinRE lines "head<TAB>tail<TAB>relation<TAB>sentence" -> Docs with the two names as `label`
    entities (FinRE gives no types; most are companies) and the mapped relation (or none for
    "unknown", which gives negatives). Lines whose relation is not ours or whose names are not
    found or overlap are skipped."""
    nlp = nlp or blank_zh()
    with open(path, encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 4:
                if line.strip():
                    raise ConversionError(f"{path}:{line_number}: expected 4 tab-separated fields")
                continue
            head_name, tail_name, relation, text = parts
            if relation not in FINRE_RELATIONS:
                continue
            ours, swap = FINRE_RELATIONS[relation]
            h, t = text.find(head_name), text.find(tail_name)
            if h < 0 or t < 0 or not head_name or not tail_name:
                continue
            doc = nlp.make_doc(text)
            head = doc.char_span(h, h + len(head_name), label=label)
            tail = doc.char_span(t, t + len(tail_name), label=label)
            if head is None or tail is None or (head.start < tail.end and tail.start < head.end):
                continue
            doc.ents = sorted([head, tail], key=lambda s: s.start)
            if swap:
                head, tail = tail, head
            if ours == "PARTNER_OF" and tail.start < head.start:
                head, tail = tail, head
            doc._.relations = [make_relation(head, tail, ours)] if ours else []
            doc.user_data["corpus"] = "finre"
            yield doc
