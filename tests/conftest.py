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
