from healthkg.benchmark import MIB, build_corpus, markdown_table
from healthkg.preprocess import write_jsonl


def test_corpus_repeats_the_seeds_to_the_requested_size(seed_articles, tmp_path):
    clean = tmp_path / "articles.jsonl"
    write_jsonl((article.to_record() for article in seed_articles.values()), clean)
    texts = build_corpus(clean, MIB)
    assert sum(len(t.encode("utf-8")) for t in texts) >= MIB
    assert len(set(texts)) == 5 and texts[:5] == texts[5:10]


def test_markdown_table_shows_every_run_and_failures():
    report = {"model": "m", "corpus": {"seed_articles": 5, "articles": 10, "chars": 1000, "utf8_bytes": 3000},
              "machine": {"platform": "Linux", "cores": 2, "python": "3.11"},
              "results": [{"system": "pipeline", "n_process": 2, "chars_per_second": 5000, "seconds": 0.2,
                           "peak_rss_mb": 300.0, "peak_worker_rss_mb": 250.0, "output": {"entities": 7},
                           "torch_loaded": False},
                          {"system": "jiagu", "n_process": 1, "error": "No module named 'jiagu'"}]}
    table = markdown_table(report)
    assert "| pipeline | 2 | 5,000 | 0.2 | 300.0 | 250.0 | no | 7 entities |" in table
    assert "not run: No module named 'jiagu'" in table
