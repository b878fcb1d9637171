from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RAW_DIR = ROOT / "corpus" / "raw"
SEED_IDS = [
    "000_8da672c9920b2cfd", "001_10ffcf9db8a8ca64", "002_f0ed0490d8566eb9",
    "003_b17b1d2af71fb75d", "004_7ccae0e84f9d4e94",
]


@pytest.fixture(scope="session")
def seed_articles():
    """The five seeds cleaned exactly as `preprocess` cleans them, by article id."""
    from healthkg.preprocess import load_metadata, preprocess

    metadata_path = RAW_DIR / "metadata.jsonl"
    result = preprocess(RAW_DIR, load_metadata(metadata_path), exclude=[metadata_path])
    assert not result.errors, result.errors
    return {article.id: article for article in result.articles}


GOLD_DIR = ROOT / "corpus" / "annotations"
# A deliberately tiny model: enough steps that it finds entities and relations on the seeds it
# was trained on, few enough to train in well under a minute on two cores.
SMALL_TRAINING_OVERRIDES = {
    "corpora.train.aux_per_epoch": 0,
    "corpora.train.gold_repeat": 1,
    "training.max_steps": 150,
    "training.eval_frequency": 150,
    "training.dropout": 0.1,
    "training.optimizer.learn_rate": 0.005,
    "training.batcher.size.start": 1000,
    "training.batcher.size.stop": 1000,
    "components.tok2vec.model.encode.width": 64,
    "components.tok2vec.model.encode.depth": 2,
    "components.tok2vec.model.embed.rows": [2000, 100],
}


@pytest.fixture(scope="session")
def small_pipeline(tmp_path_factory):
    """A small pipeline trained by `spacy train` with the project's config and training code on the
    gold corpus (every article; it is for exercising packaging and extraction, not for scores)."""
    import healthkg.training  # noqa: F401  registers the corpus reader the config names
    from spacy.cli.train import train

    from healthkg.convert import gold_docs, read_gold, write_docbin

    folder = tmp_path_factory.mktemp("small_pipeline")
    docs = gold_docs(read_gold(GOLD_DIR))
    ids = sorted(docs)
    write_docbin((d for a in ids for d in docs[a]), folder / "train.spacy")
    write_docbin(docs[ids[-1]], folder / "dev.spacy")
    overrides = {"paths.train": str(folder / "train.spacy"), "paths.dev": str(folder / "dev.spacy"),
                 "paths.aux": None, **SMALL_TRAINING_OVERRIDES}
    train(ROOT / "configs" / "ner.cfg", folder / "model", overrides=overrides)
    return folder / "model" / "model-last"
