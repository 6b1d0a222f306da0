"""Helpers shared by the money and alliance rules (``money``, and the partner, deal,
investment and backer rules of ``business`` and ``verbs``): denials and sums. No rules here."""

from __future__ import annotations

from spacy.tokens import Token

from ..context import Context


def denied(ctx: Context, tok: Token) -> bool:
    """A statement whose trigger sits under a verb of denial ("denied that it had signed a
    deal") or under a negated verb of its own clause."""
    t = tok
    for _ in range(8):
        if t.lemma_.lower() in ctx.cue("deny_verbs"):
            return True
        if t.head.i == t.i:
            return False
        t = t.head
    return False


def is_money(ctx: Context, tok: Token) -> bool:
    """A sum or a funding noun: "$15 billion", "capital", "a minority stake"."""
    return tok.like_num or tok.lemma_.lower() in ctx.cue("money_nouns") or any(
        c.like_num or c.lower_ in {"$", "us$"} for c in tok.children if c.dep_ in {
            "nummod", "quantmod", "compound"})
