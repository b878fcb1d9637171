"""Code that `spacy train` loads with `--code healthkg/training.py`.

Registers the pipeline's components (by importing them) and the corpus reader that mixes the gold
paragraphs with a sample of the auxiliary NER corpora. Not shipped with the model: nothing here
runs at prediction time.
"""
import random
from pathlib import Path
from typing import Callable, Iterator, List, Optional

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin
from spacy.training import Example

from healthkg.pipeline import (lexicon, relation_extractor, relation_extractor_nn, relations, rule_entities,  # noqa: F401
                               script, sentences)
from healthkg.pipeline.relations import normalize_relations
from healthkg.pipeline.script import to_traditional


def _load(path: Optional[str], nlp: Language) -> List[Doc]:
    if not path:
        return []
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: corpus file not found (run `spacy project run convert`)")
    return [normalize_relations(d) for d in DocBin().from_disk(path).get_docs(nlp.vocab)]


def traditional_copy(nlp: Language, doc: Doc) -> Optional[Doc]:
    """The gold doc in traditional script (OpenCC s2t with phrases); None if the length changes."""
    text = to_traditional(doc.text)
    if len(text) != len(doc.text):
        return None
    copy = nlp.make_doc(text)
    ents = [copy.char_span(e.start_char, e.end_char, label=e.label_) for e in doc.ents]
    if any(e is None for e in ents):
        return None
    copy.ents = ents
    copy._.relations = doc._.relations
    copy.user_data.update({k: v for k, v in doc.user_data.items() if isinstance(k, str)})
    return copy


@spacy.registry.readers("healthkg.GoldWithAux.v1")
def gold_with_aux(gold_path: Optional[str], aux_path: Optional[str] = None, gold_repeat: int = 1,
                  aux_per_epoch: int = 0, traditional_share: float = 0.0,
                  seed: int = 0) -> Callable[[Language], Iterator[Example]]:
    """Each epoch: the gold paragraphs `gold_repeat` times plus `aux_per_epoch` auxiliary sentences
    drawn afresh, shuffled. `traditional_share` of the gold copies are given in traditional script
    (so the model also sees traditional ORTH/SHAPE with the simplified NORM)."""
    cache = {}

    def read(nlp: Language) -> Iterator[Example]:
        if "gold" not in cache:
            cache["gold"] = _load(gold_path, nlp)
            cache["aux"] = _load(aux_path, nlp) if aux_per_epoch else []
            cache["rng"] = random.Random(seed)
            cache["trad"] = [traditional_copy(nlp, d) for d in cache["gold"]] if traditional_share else []
        rng = cache["rng"]
        docs = []
        for _ in range(gold_repeat):
            for i, doc in enumerate(cache["gold"]):
                trad = cache["trad"][i] if cache["trad"] else None
                docs.append(trad if trad is not None and rng.random() < traditional_share else doc)
        if cache["aux"]:
            docs.extend(rng.sample(cache["aux"], min(aux_per_epoch, len(cache["aux"]))))
        rng.shuffle(docs)
        for doc in docs:
            yield Example(nlp.make_doc(doc.text), doc)

    return read


@spacy.registry.readers("healthkg.RulerPatterns.v1")
def ruler_patterns(path: Optional[str]) -> List[dict]:
    """Gazetteer patterns from a JSONL file; none when `path` is null (rule_entities then has no gazetteer)."""
    if not path:
        return []
    import srsly

    if not Path(path).exists():
        raise FileNotFoundError(f"{path}: gazetteer patterns not found (run `spacy project run convert`)")
    return list(srsly.read_jsonl(path))
