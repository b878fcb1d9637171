"""Speed and peak memory of the pipeline next to jieba.posseg and jiagu, on the same text.

Each system runs in a fresh Python process of its own (`python -m healthkg.benchmark SYSTEM ...`),
so its peak resident memory is its own: the process's `ru_maxrss`, and for `n_process=2` also the
largest worker's (`RUSAGE_CHILDREN`). Loading the model and one warm-up article are not timed.
The corpus is the clean seed articles repeated until it reaches `min_bytes` of UTF-8.
"""
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional, Sequence

MIB = 1024 * 1024


def build_corpus(clean_articles: Path, min_bytes: int = MIB) -> List[str]:
    """The clean seed texts, repeated in order until their UTF-8 size is at least `min_bytes`."""
    from .preprocess import read_clean_articles

    seeds = [r["text"] for r in read_clean_articles(clean_articles) if r.get("text")]
    if not seeds:
        raise ValueError(f"{clean_articles}: no clean articles (run `spacy project run preprocess`)")
    texts, size = [], 0
    while size < min_bytes:
        for text in seeds:
            texts.append(text)
            size += len(text.encode("utf-8"))
    return texts


def _rss_mb(who=resource.RUSAGE_SELF) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)  # kilobytes on Linux


def _current_rss_mb() -> Optional[float]:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def run_system(system: str, texts: List[str], model: Optional[str] = None, n_process: int = 1,
               batch_size: int = 4) -> dict:
    """Time one system on `texts` in this process (call in a fresh process: see `measure`)."""
    if system == "pipeline":
        from .extract import load_model

        nlp = load_model(model)

        def warm():
            nlp(texts[0])

        def run():
            n_ents = n_rels = 0
            for doc in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
                n_ents += len(doc.ents)
                n_rels += len(doc._.relations or [])
            return {"entities": n_ents, "relations": n_rels}
    elif system in ("jieba.posseg", "jieba.posseg-nohmm"):
        import jieba
        import jieba.posseg as pseg

        jieba.setLogLevel(60)
        hmm = system == "jieba.posseg"

        def warm():
            list(pseg.cut(texts[0], HMM=hmm))

        def run():
            return {"tokens": sum(1 for text in texts for _ in pseg.cut(text, HMM=hmm))}
    elif system == "jiagu":
        import jiagu

        def analyse(text):
            n_words = n_ents = 0
            for line in text.split("\n"):  # jiagu's models work sentence by sentence; lines are paragraphs
                words = jiagu.seg(line)
                jiagu.pos(words)
                tags = jiagu.ner(words)
                n_words += len(words)
                n_ents += sum(1 for tag in tags if tag.startswith("B-"))
            return n_words, n_ents

        def warm():
            analyse(texts[0])

        def run():
            counts = [analyse(text) for text in texts]
            return {"tokens": sum(c[0] for c in counts), "entities": sum(c[1] for c in counts)}
    else:
        raise ValueError(f"unknown system {system!r}")

    warm()
    loaded_rss = _current_rss_mb()
    start = time.perf_counter()
    output = run()
    seconds = time.perf_counter() - start
    chars = sum(len(t) for t in texts)
    return {
        "system": system, "n_process": n_process, "articles": len(texts), "chars": chars,
        "utf8_bytes": sum(len(t.encode("utf-8")) for t in texts),
        "seconds": round(seconds, 2), "chars_per_second": round(chars / seconds),
        "rss_after_loading_mb": loaded_rss, "peak_rss_mb": _rss_mb(),
        "peak_worker_rss_mb": _rss_mb(resource.RUSAGE_CHILDREN) if n_process > 1 else None,
        "output": output,
        # thinc (and spaCy plugins) import torch when it is installed: ~300 MB of the peak
        "torch_loaded": sys.modules.get("torch") is not None,
    }


def measure(system: str, corpus_path: Path, model: Optional[str] = None, n_process: int = 1,
            batch_size: int = 4, timeout: int = 3600, without_torch: bool = False) -> dict:
    """`run_system` in a fresh process; a failure becomes {"error": ...} instead of an exception."""
    command = [sys.executable, "-m", "healthkg.benchmark", system, str(corpus_path),
               "--n-process", str(n_process), "--batch-size", str(batch_size)] + (["--model", model] if model else []) \
        + (["--without-torch"] if without_torch else [])
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"system": system, "n_process": n_process, "error": f"timed out after {timeout} s"}
    if completed.returncode != 0:
        lines = (completed.stderr or completed.stdout).strip().splitlines()
        return {"system": system, "n_process": n_process, "error": lines[-1] if lines else f"exit {completed.returncode}"}
    return json.loads(completed.stdout.strip().splitlines()[-1])


def machine() -> dict:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    info = {"platform": f"{platform.system()} {platform.machine()}", "cores": cores,
            "python": platform.python_version()}
    try:
        info["load_average_at_start"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    try:
        import spacy
        info["spacy"] = spacy.__version__
    except ImportError:
        pass
    return info


def markdown_table(report: dict) -> str:
    rows = ["| system | processes | chars/s | seconds | peak RSS (MB) | largest worker RSS (MB) | torch loaded | output |",
            "|---|---:|---:|---:|---:|---:|---|---|"]
    for r in report["results"]:
        if "error" in r:
            rows.append(f"| {r['system']} | {r['n_process']} | – | – | – | – | – | not run: {r['error']} |")
            continue
        output = ", ".join(f"{v:,} {k}" for k, v in r["output"].items())
        worker = r["peak_worker_rss_mb"] if r["peak_worker_rss_mb"] is not None else "–"
        rows.append(f"| {r['system']} | {r['n_process']} | {r['chars_per_second']:,} | {r['seconds']} "
                    f"| {r['peak_rss_mb']} | {worker} | {'yes' if r.get('torch_loaded') else 'no'} | {output} |")
    corpus = report["corpus"]
    m = report["machine"]
    head = [
        "# Speed benchmark", "",
        f"Corpus: the {corpus['seed_articles']} clean seed articles repeated to {corpus['articles']} articles, "
        f"{corpus['chars']:,} characters ({corpus['utf8_bytes'] / MIB:.2f} MiB UTF-8). Model: `{report['model']}`. "
        f"Machine: {m['platform']}, {m['cores']} cores, Python {m['python']}, spaCy {m.get('spacy', '?')}"
        + (f", load average {m['load_average_at_start'][0]} at the start" if "load_average_at_start" in m else "") + ".",
        "",
        "Each row ran in its own process; loading and one warm-up article are not timed. The pipeline "
        "does NER and relation extraction on whole articles; jieba.posseg segments and POS-tags (by default with its HMM for unknown words; -nohmm without); jiagu "
        "segments, POS-tags and tags entities (line by line). Peak RSS includes the Python interpreter "
        "and the loaded model, and torch where the row says so (thinc and installed spaCy plugins import "
        "it when it is installed; the model package does not need it); with 2 processes the "
        "workers' memory comes on top of the main process.",
        "",
    ]
    return "\n".join(head + rows) + "\n"


def _main(argv: Sequence[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="time one system (used by scripts/benchmark.py)")
    parser.add_argument("system")
    parser.add_argument("corpus", type=Path, help="JSON list of texts")
    parser.add_argument("--model")
    parser.add_argument("--n-process", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--without-torch", action="store_true",
                        help="keep torch out (thinc and installed spaCy plugins import it when present)")
    args = parser.parse_args(argv)
    if args.without_torch:
        # none of the systems uses torch, but importing it adds ~300 MB to a process; the model
        # package does not require it. Fails if an installed spaCy plugin imports torch unguarded.
        sys.modules["torch"] = None
    texts = json.loads(args.corpus.read_text(encoding="utf-8"))
    result = run_system(args.system, texts, args.model, args.n_process, args.batch_size)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    _main(sys.argv[1:])
