"""Text -> typed records: entities, relations and their evidence.

Importing this package does not import spaCy; ``load_pipeline`` and ``extract_texts`` do.

    >>> import extract                                   # doctest: +SKIP
    >>> nlp = extract.load_pipeline()                    # doctest: +SKIP
    >>> [x] = extract.extract_texts(nlp, ["Nvidia CEO Jensen Huang met Tan Dai."])  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from .records import Entity, Evidence, Extraction, Relation

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["EXTRACTOR_VERSION", "load_pipeline", "extract_texts", "extract_doc",
           "Entity", "Evidence", "Extraction", "Relation"]

EXTRACTOR_VERSION = "0.4.0"
MAX_CHARS = 200_000  # spaCy refuses texts over 1,000,000 characters (E088); we split far below
BATCH_CHARS = 200_000  # characters per nlp.pipe batch at most (one longer piece goes alone)


def load_pipeline(model: str | None = None) -> Language:
    """The spaCy pipeline with kg's components (see ``extract.pipeline``)."""
    from .pipeline import load_pipeline as _load

    return _load(model)


def extract_doc(doc: Doc) -> Extraction:
    """Records of a processed doc."""
    from .collect import records_of

    return records_of(doc)


def _chunks(text: str) -> list[tuple[int, str]]:
    """Split a long text at paragraph breaks into pieces under MAX_CHARS, with offsets."""
    if len(text) <= MAX_CHARS:
        return [(0, text)]
    out, start = [], 0
    while start < len(text):
        end = min(len(text), start + MAX_CHARS)
        if end < len(text):
            cut = text.rfind("\n", start + MAX_CHARS // 2, end)
            if cut == -1:
                cut = text.rfind(" ", start + MAX_CHARS // 2, end)
            end = cut + 1 if cut != -1 else end
        out.append((start, text[start:end]))
        start = end
    return out


def _batches(texts: Iterable[str], batch_size: int
             ) -> Iterator[list[tuple[str, tuple[int, int]]]]:
    """The pieces of ``texts`` (each with its text's index and its offset there), grouped
    into batches of at most ``batch_size`` pieces and :data:`BATCH_CHARS` characters (a
    longer piece goes alone): spaCy's memory grows with the characters of a batch, and the
    pieces of one long text batched together took 3 GB for 1 MB of text."""
    batch: list[tuple[str, tuple[int, int]]] = []
    chars = 0
    for idx, text in enumerate(texts):
        for offset, chunk in _chunks(text):
            if batch and (len(batch) >= batch_size or chars + len(chunk) > BATCH_CHARS):
                yield batch
                batch, chars = [], 0
            batch.append((chunk, (idx, offset)))
            chars += len(chunk)
    if batch:
        yield batch


def extract_texts(nlp: Language, texts: Iterable[str], batch_size: int = 16
                  ) -> Iterator[Extraction]:
    """One Extraction per text, in order. Long texts are split and their records merged."""
    from .collect import merge, records_of

    current: int | None = None
    parts: list[Extraction] = []
    for batch in _batches(texts, batch_size):
        for doc, (idx, offset) in nlp.pipe(batch, as_tuples=True, batch_size=len(batch)):
            if current is not None and idx != current:
                yield merge(parts)
                parts = []
            current = idx
            parts.append(records_of(doc, offset=offset))
    if current is not None:
        yield merge(parts)
