"""Write the extractor's full output on a fixed set of texts, to show a refactor changes nothing.

    python bench/extract_snapshot.py out/snapshot-before.jsonl
    ... refactor ...
    python bench/extract_snapshot.py out/snapshot-after.jsonl
    cmp out/snapshot-before.jsonl out/snapshot-after.jsonl

The texts: the seeds, the held-out sets of tests/data, and (where ../shared is present) the
real-news dev set and 400 corpus articles spread over the collection. Every entity and every
relation with its evidence (offsets, rule, confidence, modality) is written, one text a line,
entities and relations sorted: their order in the records is not output (the store is a set of
statements, and evidence IRIs are content hashes), so a change of rule order is no change.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import extract  # noqa: E402

SHARED = ROOT.parent / "shared"


def texts(corpus: int) -> list[tuple[str, str]]:
    out = [(p.name, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "seeds").glob("*"))
           if p.suffix in {".txt", ".md", ".html"}]
    for p in sorted((ROOT / "tests" / "data").glob("heldout*/*.txt")):
        out.append((f"{p.parent.name}/{p.name}", p.read_text(encoding="utf-8")))
    for p in sorted((SHARED / "eval" / "dev" / "texts").glob("*.txt")):
        out.append((f"dev/{p.name}", p.read_text(encoding="utf-8")))
    path = SHARED / "corpus" / "corpus.jsonl.gz"
    if path.exists() and corpus:
        step = 17876 // corpus
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for n, line in enumerate(fh):
                if n % step == 0 and len(out) < corpus + 100:
                    rec = json.loads(line)
                    out.append((rec["id"], f"{rec['title']}\n\n{rec['text']}"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("output", type=Path)
    ap.add_argument("--corpus", type=int, default=400, help="corpus articles (default 400)")
    args = ap.parse_args()
    items = texts(args.corpus)
    nlp = extract.load_pipeline()
    digest = hashlib.sha256()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8") as fh:
        for (name, _), x in zip(items, extract.extract_texts(nlp, [t for _, t in items]),
                                strict=True):
            record = dataclasses.asdict(x)
            for part in ("entities", "relations"):
                record[part] = sorted(record[part], key=lambda r: json.dumps(r, sort_keys=True))
            line = json.dumps({"text": name, **record}, sort_keys=True, ensure_ascii=False) + "\n"
            digest.update(line.encode())
            fh.write(line)
    print(f"{len(items)} texts, sha256 {digest.hexdigest()}")


if __name__ == "__main__":
    main()
