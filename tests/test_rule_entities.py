"""The rule_entities pipeline component: gazetteer from patterns, saved with the pipeline, and the
statistical ner keeping its spans."""
import spacy

from healthkg.pipeline import rule_entities, script, sentences  # noqa: F401  registers the components

TEXT = "西安国际医学投资股份有限公司董事长史今女士与华西医院于2018年4月16日签约,投资3.3亿元。"


def pipeline(patterns=None):
    nlp = spacy.blank("zh")
    nlp.add_pipe("zh_simplified_norms")
    nlp.add_pipe("zh_sentences")
    ruler = nlp.add_pipe("rule_entities")
    ruler.initialize(patterns=patterns or [])
    return nlp


def ents(doc):
    return [(e.text, e.label_) for e in doc.ents]


def test_rule_entities_find_every_kind_of_span():
    found = ents(pipeline()(TEXT))
    for expected in [("西安国际医学投资股份有限公司", "COMPANY"), ("董事长", "TITLE"), ("史今", "PERSON"),
                     ("华西医院", "HOSPITAL"), ("2018年4月16日", "DATE"), ("3.3亿元", "MONEY")]:
        assert expected in found


def test_gazetteer_comes_from_patterns_and_survives_saving(tmp_path):
    text = "微医与好大夫在线合作。"
    assert ("好大夫在线", "COMPANY") not in ents(pipeline()(text))
    nlp = pipeline([{"label": "COMPANY", "pattern": "好大夫在线", "id": "gazetteer"},
                    {"label": "TITLE", "pattern": "院长", "id": "lexicon"}])  # lexicon entries are built in
    assert nlp.get_pipe("rule_entities").finder.gazetteer == {"好大夫在线": "COMPANY"}
    assert ("好大夫在线", "COMPANY") in ents(nlp(text))
    nlp.to_disk(tmp_path / "model")
    loaded = spacy.load(tmp_path / "model")
    assert ents(loaded(text)) == ents(nlp(text))
    # traditional script: same spans, offsets into the text as given
    assert [(e.start_char, e.end_char, e.label_) for e in loaded("微醫與好大夫在線合作。").ents] == \
        [(e.start_char, e.end_char, e.label_) for e in loaded(text).ents]


def test_entities_already_on_the_doc_win():
    nlp = pipeline()
    doc = nlp.make_doc(TEXT)
    for name, proc in nlp.pipeline[:-1]:
        doc = proc(doc)
    doc.ents = [doc.char_span(0, 6, label="ORG")]  # 西安国际医学 set by someone before
    doc = nlp.get_pipe("rule_entities")(doc)
    assert ("西安国际医学", "ORG") in ents(doc)
    assert not any(e.start_char < 6 and e.label_ == "COMPANY" for e in doc.ents)
    assert ("华西医院", "HOSPITAL") in ents(doc)


def test_bad_gazetteer_pattern_is_named():
    import pytest

    with pytest.raises(ValueError, match="bad gazetteer pattern"):
        pipeline([{"label": "NOT_A_LABEL", "pattern": "x"}])
