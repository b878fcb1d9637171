"""The systems compared in `evaluate`: the trained pipeline, the rule baseline, jieba.posseg, jiagu.

Each turns a GoldArticle into article-level predictions (offsets into the clean article text, its
paragraphs joined by newlines).
"""
from typing import Dict, Iterable, List, Optional, Set, Tuple

from healthkg.evaluation import GoldArticle, Prediction, RelationTuple, Span3
from healthkg.pipeline.script import detect_script, to_simplified_aligned, to_traditional

# -- the trained pipeline --------------------------------------------------------------------------


def load_model(path):
    """The pipeline with every project component registered."""
    try:
        from healthkg.nlp import load_pipeline
    except ImportError:  # older checkouts: register the components by importing them
        import importlib

        import spacy
        for module in ("script", "sentences", "relations", "relation_extractor", "relation_extractor_nn"):
            try:
                importlib.import_module(f"healthkg.pipeline.{module}")
            except ImportError:
                pass
        return spacy.load(path)
    return load_pipeline(path)


def _doc_prediction(doc, offset: int) -> Tuple[Set[Span3], Set[RelationTuple]]:
    ents = {(e.start_char + offset, e.end_char + offset, e.label_) for e in doc.ents}
    labels = {(e.start_char, e.end_char): e.label_ for e in doc.ents}
    rels = set()
    for rel in (getattr(doc._, "relations", None) or []) if doc.has_extension("relations") else []:
        (hs, he), (ts, te) = rel["head"], rel["tail"]
        # A relation on a span that is not one of the doc's entities gets label "?" and cannot match.
        head = (hs + offset, he + offset, labels.get((hs, he), "?"))
        tail = (ts + offset, te + offset, labels.get((ts, te), "?"))
        rels.add((head, tail, rel["label"]))
    return ents, rels


def predict_model(nlp, articles: Iterable[GoldArticle], batch_size: int = 8,
                  transform=None) -> Dict[str, Prediction]:
    """Entities and relations end to end, one Doc per article as `extract` runs it (names found in one
    paragraph help in the others; sentences never cross a paragraph). `transform` maps each article
    text first (same length)."""
    articles = list(articles)
    texts = [transform(a.text) if transform else a.text for a in articles]
    out = {}
    for article, doc in zip(articles, nlp.pipe(texts, batch_size=batch_size)):
        ents, rels = _doc_prediction(doc, 0)
        out[article.article_id] = Prediction(ents, rels)
    return out


def relations_given_entities(nlp, text: str, entities: List[Tuple[int, int, str]]):
    """Run only the non-NER part of the pipeline on a doc whose ents are `entities`."""
    try:
        from healthkg.nlp import relations_given_entities as given
    except ImportError:
        given = None
    if given is not None:
        return given(nlp, text, entities)
    doc = nlp.make_doc(text)
    doc.ents = [doc.char_span(s, e, label=l) for s, e, l in sorted(entities)]
    for name, proc in nlp.pipeline:
        if "doc.ents" in nlp.get_pipe_meta(name).assigns:
            continue  # the entity recogniser(s): the gold spans stand in for them
        doc = proc(doc)
    return doc


def predict_relations_given_gold(nlp, articles: Iterable[GoldArticle]) -> Dict[str, Set[RelationTuple]]:
    """The pipeline's relations when its entities are the gold ones, one Doc per article."""
    return {a.article_id: _doc_prediction(relations_given_entities(nlp, a.text, sorted(a.entities)), 0)[1]
            for a in articles}


def other_script(text: str, script: str) -> Optional[str]:
    """The article in the other script, or None when the conversion changes the length."""
    converted = to_simplified_aligned(text) if script == "traditional" else to_traditional(text)
    return converted if len(converted) == len(text) else None


def script_variants(nlp, articles: List[GoldArticle]) -> Tuple[Dict[str, Optional[Set[Span3]]], Dict[str, str]]:
    """Model entities on each article converted to the other script (None if not length-preserving)."""
    converted, scripts = {}, {}
    for article in articles:
        script = detect_script(article.text)
        scripts[article.article_id] = script
        text = other_script(article.text, script)
        converted[article.article_id] = None if text is None else _doc_prediction(nlp(text), 0)[0]
    return converted, scripts


# -- off-the-shelf Chinese tools -------------------------------------------------------------------

# Both tools tag people, places and organisations. Organisations are typed by the same suffix rules
# that map CLUENER's organisations to ours (hospital/government/other-organisation suffixes), and
# default to COMPANY, the commonest organisation in this news domain.
TOOL_LABELS = {"PERSON", "LOC", "COMPANY", "HOSPITAL", "GOV", "ORG"}
JIEBA_FLAGS = {"nr": "PERSON", "nrfg": "PERSON", "nrt": "PERSON", "ns": "LOC", "nt": "ORG"}
JIAGU_TAGS = {"PER": "PERSON", "LOC": "LOC", "ORG": "ORG"}


def org_label(text: str) -> str:
    from healthkg.convert import map_org_label
    return map_org_label(text, "COMPANY")


def _final_label(text: str, label: str) -> str:
    return org_label(text) if label == "ORG" else label


def jieba_entities(text: str) -> Set[Tuple[int, int, str]]:
    """jieba.posseg on the simplified form (same offsets): nr*->PERSON, ns->LOC, nt->organisation."""
    import jieba.posseg

    simplified = to_simplified_aligned(text)
    ents, position = set(), 0
    for pair in jieba.posseg.cut(simplified):
        word, flag = pair.word, pair.flag
        start, position = position, position + len(word)
        label = JIEBA_FLAGS.get(flag)
        if label and word.strip():
            ents.add((start, position, _final_label(word, label)))
    return ents


def jiagu_available() -> Optional[str]:
    """None when jiagu imports and runs here, else the reason it cannot be used."""
    try:
        import jiagu
        jiagu.ner(jiagu.seg("腾讯在深圳"))
    except Exception as error:  # noqa: BLE001 - any failure means "leave it out, say why"
        return f"{type(error).__name__}: {error}"
    return None


def jiagu_entities(text: str) -> Set[Tuple[int, int, str]]:
    """jiagu's BIO tags over its own words (on the simplified form), joined into character spans."""
    import jiagu

    simplified = to_simplified_aligned(text)
    words = jiagu.seg(simplified)
    tags = jiagu.ner(words)
    ents, position, current = set(), 0, None

    def close():
        if current:
            s, e, l = current
            ents.add((s, e, _final_label(simplified[s:e], l)))

    for word, tag in zip(words, tags):
        start, position = position, position + len(word)
        prefix, _, kind = tag.partition("-")
        label = JIAGU_TAGS.get(kind)
        if prefix == "B" or (prefix == "I" and (current is None or current[2] != label)):
            close()
            current = [start, position, label] if label else None
        elif prefix == "I" and current:
            current[1] = position
        else:
            close()
            current = None
    close()
    return ents


def predict_tool(entities_of, articles: Iterable[GoldArticle]) -> Dict[str, Prediction]:
    out = {}
    for article in articles:
        ents = set()
        for offset, text in article.paragraphs:
            ents |= {(s + offset, e + offset, l) for s, e, l in entities_of(text)}
        out[article.article_id] = Prediction(ents, None)
    return out


# -- the rule baseline -----------------------------------------------------------------------------

def predict_rules(articles: Iterable[GoldArticle], gazetteer_articles: List[str], gold_dir) -> Dict[str, Prediction]:
    """healthkg.rules with a gazetteer built from `gazetteer_articles` (the training articles) only."""
    from healthkg.rules import RulePreAnnotator

    annotator = RulePreAnnotator(gazetteer_articles=list(gazetteer_articles), annotations_dir=gold_dir,
                                 use_gazetteer=bool(gazetteer_articles))
    out = {}
    for article in articles:
        result = annotator.annotate(article.text)
        out[article.article_id] = Prediction(set(result.entity_set()), set(result.relation_set()))
    return out
