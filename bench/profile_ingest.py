"""Where single-process ingest spends the time that bare spaCy does not (issue 14).

    .venv/bin/python bench/profile_ingest.py [--articles 200] [--rounds 2] [--profile OUT]

On the same texts (the seeds and the first ``--articles`` Reuters-21578 articles, as
bench/bench_ingest.py reads them), times each stage alone, best of ``--rounds``, unprofiled:

- ``spacy.load(model).pipe``: the statistical model alone (bench_ingest's "bare");
- ``nlp.pipe`` of kg's whole pipeline (the model and kg's components: mentions, relations);
- ``extract.extract_texts`` (the pipeline and the extraction records);
- ``kg.sources.read_sources`` of the files (reading, hashing, language detection);
- ``kg.ingest.ingest`` into a fresh on-disk store, and within it the writer thread's time
  (``IngestRun.write``: the store writes, the merged default graph, the change log, the class
  look-ups of kg.identity), which overlaps the next batch's extraction.

With ``--profile OUT`` one more ingest runs under cProfile (the main thread; OUT.writer
holds the writer thread's profile): read them with ``python -m pstats``.
"""

from __future__ import annotations

import argparse
import cProfile
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench_ingest import (  # bench/ is on sys.path when run as a script
    load_records,
    text_folder,
    texts_of,
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--profile", type=Path, help="write cProfile stats of one ingest here")
    args = ap.parse_args(argv)

    import spacy

    import extract
    from extract.pipeline import model_name
    from kg import readers
    from kg.ingest import IngestRun, ingest
    from kg.sources import read_sources
    from kg.store import LocalStore

    records = load_records(args.articles)
    texts = texts_of(records)
    folder = text_folder(records, texts, "kg-profile-")
    bare, nlp = spacy.load(model_name()), extract.load_pipeline()
    once = {}
    for name in readers.READERS:  # each reader's set-up, once per process (kg.readers)
        started = time.perf_counter()
        readers.load(name)
        once[name] = time.perf_counter() - started
    writer = {"seconds": 0.0, "profile": None}
    write = IngestRun.write

    def timed_write(self, *a, **k):  # the writer thread's share
        start = time.perf_counter()
        if writer["profile"] is not None:
            writer["profile"].enable()
        try:
            return write(self, *a, **k)
        finally:
            if writer["profile"] is not None:
                writer["profile"].disable()
            writer["seconds"] += time.perf_counter() - start

    IngestRun.write = timed_write

    def run_ingest() -> None:
        with tempfile.TemporaryDirectory() as tmp, LocalStore(Path(tmp) / "store") as store:
            assert not ingest(store, [folder], nlp=nlp, batch_size=args.batch_size).failed

    b = args.batch_size
    stages = {
        "bare model nlp.pipe": lambda: [None for _ in bare.pipe(texts, batch_size=b)],
        "kg pipeline nlp.pipe": lambda: [None for _ in nlp.pipe(texts, batch_size=b)],
        "extract_texts": lambda: list(extract.extract_texts(nlp, texts, batch_size=b)),
        "read_sources": lambda: list(read_sources([folder])),
        "ingest": run_ingest,
    }
    best = dict.fromkeys(stages, float("inf"))
    best_writer = float("inf")
    try:
        for _ in range(args.rounds):
            for name, stage in stages.items():
                writer["seconds"] = 0.0
                start = time.perf_counter()
                stage()
                best[name] = min(best[name], time.perf_counter() - start)
                if name == "ingest":
                    best_writer = min(best_writer, writer["seconds"])
        if args.profile:
            profile, writer["profile"] = cProfile.Profile(), cProfile.Profile()
            profile.runcall(run_ingest)
            profile.dump_stats(args.profile)
            writer["profile"].dump_stats(f"{args.profile}.writer")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    n = len(texts)
    print(f"{n} texts, batch size {b}, best of {args.rounds} rounds")
    for name, seconds in best.items():
        print(f"{name:22s} {seconds:7.2f} s  {n / seconds:7.1f} articles/s")
    print(f"{'of ingest: writer':22s} {best_writer:7.2f} s  (a thread, overlapping extraction)")
    print(f"{'readers set-up, once':22s} {sum(once.values()):7.2f} s  (kg.readers, per process, "
          "each when a source first needs it: "
          + ", ".join(f"{name} {secs:.2f} s" for name, secs in once.items()) + ")")
    model = best["bare model nlp.pipe"]
    print(f"ratio ingest / bare model: {model / best['ingest']:.2f}; "
          f"kg pipeline / bare model: {model / best['kg pipeline nlp.pipe']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
