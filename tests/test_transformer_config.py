"""configs/ner_trf.cfg on a tiny BERT built locally with transformers (no hub, no download)."""
from pathlib import Path

import pytest

torch = pytest.importorskip("torch", reason="transformer extras not installed (requirements-transformers.txt)")
transformers = pytest.importorskip("transformers")
pytest.importorskip("spacy_curated_transformers")

import spacy  # noqa: E402
from spacy.training import Example  # noqa: E402

import healthkg.training  # noqa: E402,F401  (registers components and readers)
from healthkg.nlp import with_entities  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TEXTS = [
    ("阿里健康与西安高新医院签署合作协议。", [(0, 4, "COMPANY"), (5, 11, "HOSPITAL")]),
    ("国家卫健委主任马晓伟出席。", [(0, 5, "GOV"), (5, 7, "TITLE"), (7, 10, "PERSON")]),
]


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny_bert")
    chars = sorted({c for text, _ in TEXTS for c in text})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + chars
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    config = transformers.BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1,
                                     num_attention_heads=2, intermediate_size=32, max_position_embeddings=160)
    torch.manual_seed(0)
    transformers.BertModel(config).save_pretrained(folder)
    transformers.BertTokenizerFast(vocab_file=str(folder / "vocab.txt")).save_pretrained(folder)
    return folder, len(vocab)


def test_transformer_config_trains_and_predicts(tiny_bert):
    folder, vocab_size = tiny_bert
    config = spacy.util.load_config(ROOT / "configs" / "ner_trf.cfg", overrides={
        "paths.hf_model": str(folder),
        "components.transformer.model.vocab_size": vocab_size,
        "components.transformer.model.hidden_width": 16,
        "components.transformer.model.intermediate_width": 32,
        "components.transformer.model.num_attention_heads": 2,
        "components.transformer.model.num_hidden_layers": 1,
        "components.transformer.model.max_position_embeddings": 160,
    })
    nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    examples = []
    for text, ents in TEXTS:
        gold = with_entities(nlp, text, ents)
        gold._.relations = []
        examples.append(Example(nlp.make_doc(text), gold))
    optimizer = nlp.initialize(lambda: examples)
    losses = {}
    for _ in range(3):
        nlp.update(examples, sgd=optimizer, losses=losses)
    assert losses["ner"] > 0
    doc = nlp(TEXTS[0][0])
    assert doc.has_annotation("ENT_IOB")
    assert isinstance(doc._.relations, list)
