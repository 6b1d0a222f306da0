"""Relation rules: typed statements between the mentions of a doc.

The rules are registered by id in ``extract.rules`` (one small function each, with its
trigger and the properties it states) and read the doc through an ``extract.context.Context``;
``docs/extraction.md`` lists them. Every candidate is checked against the scheme's domains and
ranges; a negated trigger yields nothing, and hedges set the modality (reported, planned,
proposed).
"""

from __future__ import annotations

from spacy.tokens import Doc

from .context import Candidate, Context
from .gazetteer import Gazetteer, Lexicon
from .rules import run
from .spans import Mention

__all__ = ["Candidate", "find_relations"]


def find_relations(doc: Doc, mentions: list[Mention], gaz: Gazetteer, lex: Lexicon
                   ) -> tuple[list[Candidate], list[Mention]]:
    """Candidates of ``doc`` and the virtual mentions (implied entities) they introduced."""
    ctx = Context(doc, mentions, gaz, lex)
    run(ctx)
    return ctx.out, ctx.virtual
