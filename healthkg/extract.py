"""Entities, relation triples and a knowledge graph from new articles.

    from healthkg.extract import load_model, extract, write_outputs
    nlp = load_model("training/fixed/model-last")          # or an installed package: "zh_health_kg"
    result = extract(["new_articles/"], nlp)
    write_outputs(result, "out/")                          # articles.jsonl, triples.csv, graph.graphml

Articles are read and cleaned by the same code as `preprocess` (healthkg.reading, healthkg.cleaning),
then run through the pipeline with `nlp.pipe`. Every offset is given twice: into the clean text
(`start`/`end`, the text the model saw) and into the text the user gave (`raw_start`/`raw_end`, via
CleanArticle.offsets; for .html, the page's visible text; for .jsonl, the record's "text").
Traditional articles are not converted: the model normalises script internally, so offsets and
entity texts stay in the user's own script.
"""
import csv
import importlib.util
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

from spacy.language import Language
from spacy.tokens import Doc

from .cleaning import CleanArticle
from .preprocess import clean_document
from .reading import RawDocument, ReadError, read_documents

ALIAS = "ALIAS_OF"
OUTPUT_NAMES = {"jsonl": "articles.jsonl", "csv": "triples.csv", "graphml": "graph.graphml"}
TRIPLE_COLUMNS = ["article_id", "head", "head_label", "relation", "tail", "tail_label", "score",
                  "head_start", "head_end", "tail_start", "tail_end",
                  "head_raw_start", "head_raw_end", "tail_raw_start", "tail_raw_end", "sentence"]


@dataclass
class ExtractResult:
    records: List[dict] = field(default_factory=list)
    errors: List[ReadError] = field(default_factory=list)

    @property
    def n_entities(self) -> int:
        return sum(len(r["entities"]) for r in self.records)

    @property
    def n_relations(self) -> int:
        return sum(len(r["relations"]) for r in self.records)

    def summary(self) -> str:
        return (f"{len(self.records)} articles processed, {len(self.errors)} failed; "
                f"{self.n_entities} entities, {self.n_relations} relations")


# ------------------------------------------------------------------------------ model
def load_model(model: Union[str, Path]) -> Language:
    """A trained pipeline from a directory, or from an installed package by name.

    With the project installed, an installed model package is loaded from its data folder with the
    project's own (identical) components: importing the package as well would register every
    component a second time from another file, which spaCy refuses."""
    from .nlp import load_pipeline

    path = Path(model)
    if path.exists():
        return load_pipeline(path)
    name = str(model)
    spec = importlib.util.find_spec(name) if name.isidentifier() else None
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"{model}: neither a pipeline directory nor an installed model package")
    package_dir = Path(list(spec.submodule_search_locations)[0])
    meta = json.loads((package_dir / "meta.json").read_text(encoding="utf-8"))
    data_dir = package_dir / f"{meta['lang']}_{meta['name']}-{meta['version']}"
    if not data_dir.is_dir():
        data_dir = package_dir / f"{name}-{meta['version']}"
    return load_pipeline(data_dir)


# ------------------------------------------------------------------------------ reading
def iter_articles(inputs, exclude=(), metadata: Optional[Dict[str, dict]] = None
                  ) -> Iterator[Union[Tuple[RawDocument, CleanArticle], ReadError]]:
    """(raw document, clean article) per readable article, else a ReadError; the same reading and
    cleaning as `preprocess` (with the same optional metadata by article id), one article at a time."""
    metadata = metadata or {}
    for item in read_documents(inputs, exclude):
        if isinstance(item, ReadError):
            yield item
            continue
        try:
            article = clean_document(item, metadata.get(item.id))
        except Exception as error:  # a cleaning bug must not stop the other files
            yield ReadError(item.path, f"cleaning failed: {type(error).__name__}: {error}")
            continue
        if not article.text:
            yield ReadError(item.path, "no article body left after cleaning")
            continue
        yield item, article


# ------------------------------------------------------------------------------ records
def _raw_span(article: CleanArticle, start: int, end: int) -> Tuple[int, int]:
    """Offsets in the user's text of the clean span [start, end) (line breaks we insert have -1)."""
    inside = [article.offsets[i] for i in range(start, end) if article.offsets[i] >= 0]
    if not inside:
        return -1, -1
    return inside[0], inside[-1] + 1


def _sentence_of(article: CleanArticle, start: int, end: int) -> Tuple[int, int]:
    for s_start, s_end in article.sentences:
        if s_start <= start and end <= s_end:
            return s_start, s_end
    # relations hold inside one sentence; fall back to the smallest covering range
    starts = [s for s, e in article.sentences if s <= start] or [0]
    ends = [e for s, e in article.sentences if e >= end] or [len(article.text)]
    return max(starts), min(ends)


def article_record(doc: Doc, raw: RawDocument, article: CleanArticle) -> dict:
    """The JSON record of one processed article."""
    entities, by_offsets = [], {}
    for ent in doc.ents:
        # character tokens let a weak model take a line break or space into a span: trim it
        start, end = ent.start_char, ent.end_char
        while start < end and doc.text[start].isspace():
            start += 1
        while end > start and doc.text[end - 1].isspace():
            end -= 1
        if start == end:
            continue
        raw_start, raw_end = _raw_span(article, start, end)
        entity = {"text": doc.text[start:end], "label": ent.label_, "start": start, "end": end,
                  "raw_start": raw_start, "raw_end": raw_end}
        by_offsets[(ent.start_char, ent.end_char)] = len(entities)
        entities.append(entity)
    relations = []
    for rel in doc._.relations or []:
        head, tail = tuple(rel["head"]), tuple(rel["tail"])
        if head not in by_offsets or tail not in by_offsets:
            continue  # a relation always joins two of the doc's entities; anything else is not ours to report
        s_start, s_end = _sentence_of(article, min(head[0], tail[0]), max(head[1], tail[1]))
        relations.append({
            "head": entities[by_offsets[head]], "tail": entities[by_offsets[tail]],
            "head_index": by_offsets[head], "tail_index": by_offsets[tail],
            "label": rel["label"], "score": round(float(rel["score"]), 4),
            "sentence": article.text[s_start:s_end], "sentence_start": s_start, "sentence_end": s_end,
        })
    return {
        "id": article.id, "path": raw.path, "title": article.title, "date": article.date,
        "source": article.source, "script": article.script, "encoding": raw.encoding,
        "text": article.text, "raw_chars": len(raw.text),
        "entities": entities, "relations": relations,
    }


# ------------------------------------------------------------------------------ extraction
def extract(inputs, nlp: Language, *, batch_size: int = 8, exclude=(), metadata: Optional[Dict[str, dict]] = None,
            progress: bool = True, on_record: Optional[Callable[[dict], None]] = None) -> ExtractResult:
    """Read, clean and run the pipeline on every article under `inputs` (files, folders, JSONL).

    Unreadable files and articles the pipeline fails on are collected in `result.errors` (with the
    file and the reason) and skipped; the others are still processed."""
    from tqdm import tqdm

    result = ExtractResult()
    seen_ids: Dict[str, int] = {}
    bar = tqdm(desc="extract", unit=" articles", disable=not progress)

    def flush(batch: List[Tuple[RawDocument, CleanArticle]]) -> None:
        try:
            docs = list(nlp.pipe((a.text for _, a in batch), batch_size=batch_size))
        except Exception:  # find the article that broke the batch; keep the rest
            docs = []
            for raw, article in batch:
                try:
                    docs.append(nlp(article.text))
                except Exception as error:
                    docs.append(ReadError(raw.path, f"pipeline failed: {type(error).__name__}: {error}"))
        for (raw, article), doc in zip(batch, docs):
            if isinstance(doc, ReadError):
                result.errors.append(doc)
            else:
                record = article_record(doc, raw, article)
                result.records.append(record)
                if on_record:
                    on_record(record)
            bar.update(1)
        batch.clear()

    batch: List[Tuple[RawDocument, CleanArticle]] = []
    for item in iter_articles(inputs, exclude, metadata):
        if isinstance(item, ReadError):
            result.errors.append(item)
            bar.write(f"skipped {item}")
            continue
        raw, article = item
        # Two files may share a name (a.txt, a.html); article ids must stay unique in the outputs.
        count = seen_ids.get(article.id, 0)
        seen_ids[article.id] = count + 1
        if count:
            article.id = f"{article.id}~{count + 1}"
        batch.append((raw, article))
        if len(batch) >= batch_size:
            flush(batch)
    if batch:
        flush(batch)
    bar.close()
    return result


# ------------------------------------------------------------------------------ outputs
def triples(records: Iterable[dict]) -> Iterator[dict]:
    for record in records:
        for rel in record["relations"]:
            head, tail = rel["head"], rel["tail"]
            yield {"article_id": record["id"], "head": head["text"], "head_label": head["label"],
                   "relation": rel["label"], "tail": tail["text"], "tail_label": tail["label"],
                   "score": rel["score"], "head_start": head["start"], "head_end": head["end"],
                   "tail_start": tail["start"], "tail_end": tail["end"],
                   "head_raw_start": head["raw_start"], "head_raw_end": head["raw_end"],
                   "tail_raw_start": tail["raw_start"], "tail_raw_end": tail["raw_end"],
                   "sentence": rel["sentence"]}


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        a, b = self.find(a), self.find(b)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def entity_clusters(record: dict) -> List[int]:
    """Cluster number of each entity of an article: mentions with identical text, and the two sides
    of every ALIAS_OF relation, are one entity."""
    entities = record["entities"]
    sets = _UnionFind(len(entities))
    first_by_name: Dict[str, int] = {}
    for i, entity in enumerate(entities):
        if entity["text"] in first_by_name:
            sets.union(first_by_name[entity["text"]], i)
        else:
            first_by_name[entity["text"]] = i
    for rel in record["relations"]:
        if rel["label"] == ALIAS:
            sets.union(rel["head_index"], rel["tail_index"])
    return [sets.find(i) for i in range(len(entities))]


def knowledge_graph(records: Sequence[dict]):
    """A networkx MultiDiGraph: one node per entity of an article (mentions merged by identical
    name and ALIAS_OF), one edge per other relation. Nodes: name (longest mention), label (most
    frequent), mentions (distinct names, " | "-joined), mention_count, article. Edges: label,
    score, article, sentence, symmetric."""
    import networkx as nx
    from collections import Counter

    graph = nx.MultiDiGraph()
    for record in records:
        clusters = entity_clusters(record)
        members: Dict[int, List[dict]] = {}
        for entity, cluster in zip(record["entities"], clusters):
            members.setdefault(cluster, []).append(entity)
        node_ids = {}
        for cluster, mentions in members.items():
            names = list(dict.fromkeys(m["text"] for m in mentions))
            labels = Counter(m["label"] for m in mentions)
            node_id = f"{record['id']}#{cluster}"
            node_ids[cluster] = node_id
            graph.add_node(node_id, name=max(names, key=len), label=labels.most_common(1)[0][0],
                           labels=" | ".join(sorted(labels)), mentions=" | ".join(names),
                           mention_count=len(mentions), article=record["id"])
        for rel in record["relations"]:
            if rel["label"] == ALIAS:
                continue
            head = node_ids[clusters[rel["head_index"]]]
            tail = node_ids[clusters[rel["tail_index"]]]
            graph.add_edge(head, tail, label=rel["label"], score=float(rel["score"]), article=record["id"],
                           sentence=rel["sentence"], symmetric=rel["label"] == "PARTNER_OF",
                           head_text=rel["head"]["text"], tail_text=rel["tail"]["text"])
    return graph


def write_outputs(result: ExtractResult, output_dir: Union[str, Path], *, write_jsonl: bool = True) -> Dict[str, Path]:
    """articles.jsonl, triples.csv and graph.graphml in `output_dir`; returns their paths."""
    import networkx as nx

    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    paths = {kind: output_dir / name for kind, name in OUTPUT_NAMES.items()}
    if write_jsonl:
        with paths["jsonl"].open("w", encoding="utf-8") as handle:
            for record in result.records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    # utf-8-sig so that spreadsheet programs read the Chinese text correctly
    with paths["csv"].open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=TRIPLE_COLUMNS)
        writer.writeheader()
        writer.writerows(triples(result.records))
    nx.write_graphml(knowledge_graph(result.records), paths["graphml"])
    return paths
