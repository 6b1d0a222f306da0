"""Ingestion throughput against the limit: bare spaCy with the same model on the same texts.

    .venv/bin/python bench/bench_ingest.py [--articles 2000] [--rounds 2] [--write]

Measures, in one run and alternating so that machine noise hits both sides alike:

- bare:  ``spacy.load(model).pipe(texts)`` (the statistical model alone, same batch size);
- kg:    ``kg.ingest.ingest`` of the same texts as files into a fresh on-disk store
         (our components, resolution, relation rules, RDF building, provenance, the
         transactional writes).

Prints articles/s for each and the ratio kg/bare (1.0 = as fast as bare spaCy). With
``--write`` the figures go to docs/performance.md between the ``bench_ingest`` markers.
The corpus is ../shared/corpus (Reuters-21578, research use: benchmark data, never shipped).
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _report import machine_line, write_section  # bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "corpus.jsonl.gz"


def load_texts(n: int) -> list[tuple[str, str]]:
    """(id, text) of the seeds and the first ``n`` corpus articles."""
    out = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "seeds").glob("*.txt"))]
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for line in fh:
            if len(out) >= n + 5:
                break
            rec = json.loads(line)
            out.append((rec["id"], f"{rec['title']}\n\n{rec['text']}"))
    return out


def bare(model: str, texts: list[str], batch_size: int) -> float:
    import spacy

    nlp = spacy.load(model)
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    return time.perf_counter() - start


def ours(folder: Path, nlp, batch_size: int) -> float:
    from kg.ingest import ingest
    from kg.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        with Store(Path(tmp) / "store") as store:
            start = time.perf_counter()
            report = ingest(store, [folder], nlp=nlp, batch_size=batch_size)
            elapsed = time.perf_counter() - start
        assert not report.failed, report.failed[:3]
    return elapsed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--write", action="store_true", help="update docs/performance.md")
    args = ap.parse_args(argv)

    import extract
    from extract.pipeline import model_name

    items = load_texts(args.articles)
    texts = [t for _, t in items]
    folder = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    for ident, text in items:
        (folder / f"{ident}.txt").write_text(text, encoding="utf-8")
    nlp = extract.load_pipeline()
    model = model_name()
    chars = sum(len(t) for t in texts)
    best_bare, best_ours = float("inf"), float("inf")
    ratios: list[float] = []
    try:
        for r in range(args.rounds):
            b = bare(model, texts, args.batch_size)
            o = ours(folder, nlp, args.batch_size)
            best_bare, best_ours = min(best_bare, b), min(best_ours, o)
            ratios.append(b / o)
            print(f"round {r + 1}: bare {len(texts) / b:6.1f} art/s   kg {len(texts) / o:6.1f} "
                  f"art/s   ratio {b / o:.2f}", file=sys.stderr)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    ratio = best_bare / best_ours
    lines = [
        machine_line(),
        f"- texts: {len(texts)} ({args.articles} Reuters-21578 articles + 5 seeds, "
        f"{chars / 1e6:.2f} M characters); model {model}; batch size {args.batch_size}; "
        f"best of {args.rounds} alternating rounds",
        f"- bare `nlp.pipe`: {len(texts) / best_bare:.1f} articles/s",
        f"- `kg ingest` (extraction, resolution, RDF, provenance, store): "
        f"{len(texts) / best_ours:.1f} articles/s",
        f"- **ratio kg / bare: {ratio:.2f}** best against best; per round "
        f"{', '.join(f'{r:.2f}' for r in ratios)} (median {statistics.median(ratios):.2f}); "
        "target >= 0.80",
    ]
    print("\n".join(lines))
    if args.write:
        write_section("bench_ingest", "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
