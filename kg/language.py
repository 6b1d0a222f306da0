"""Is an article in English? kg's spaCy model reads English only; any other language would
come out as noise (wrong entities, no relations), so such an article is reported and skipped.

Detection is by ``py3langid`` (the langid.py model, shipped inside the package: nothing is
fetched at run time; about a millisecond an article, against hundreds for spaCy). Texts under
:data:`MIN_CHARS` characters are too short to tell and count as English, and an article is
refused only when the detector is sure (:data:`MIN_CONFIDENCE`): a wrong refusal loses an
article, a wrong pass costs only its noise.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from . import readers

__all__ = ["MIN_CHARS", "MIN_CONFIDENCE", "detect", "not_english", "warm_up"]

#: Characters of text below which the language is not judged (too little to tell).
MIN_CHARS = 200
#: Probability the detector must give a language other than English to refuse the text.
MIN_CONFIDENCE = 0.9


@cache
def _identifier() -> Any:
    """langid's identifier with probabilities normalised to 0..1, loaded once."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def warm_up() -> None:
    """Load langid's model and classify once (:mod:`kg.readers` calls this outside any
    article's time budget)."""
    _identifier().classify("Nvidia sells chips to cloud providers in the United States. " * 4)


def detect(text: str) -> tuple[str, float] | None:
    """``(ISO 639-1 code, probability)`` of ``text``'s language, or None when the text is
    shorter than :data:`MIN_CHARS` characters."""
    if len(text.strip()) < MIN_CHARS:
        return None
    readers.need("language")  # langid's model, loaded on first use (outside a time budget)
    code, probability = _identifier().classify(text)
    return str(code), float(probability)


def not_english(text: str) -> str | None:
    """Why ``text`` is not read (``not in English (detected: de, 0.98); kg's model reads
    English``), or None when it is English or too short to tell."""
    found = detect(text)
    if found is None or found[0] == "en" or found[1] < MIN_CONFIDENCE:
        return None
    return f"not in English (detected: {found[0]}, {found[1]:.2f}); kg's model reads English"
