"""Helpers shared by the money and alliance rules (``money``, and the partner, deal,
investment and backer rules of ``business`` and ``verbs``): denials and sums. No rules here."""

from __future__ import annotations

from spacy.tokens import Token

from ..context import Context


def denied(ctx: Context, tok: Token) -> bool:
    """A statement whose trigger sits under a verb of denial (:meth:`Context.denied`)."""
    return ctx.denied(tok)


def is_money(ctx: Context, tok: Token) -> bool:
    """A sum or a funding noun: "$15 billion", "capital", "a minority stake"."""
    return tok.like_num or tok.lemma_.lower() in ctx.cue("money_nouns") or any(
        c.like_num or c.lower_ in {"$", "us$"} for c in tok.children if c.dep_ in {
            "nummod", "quantmod", "compound"})


def purpose_targets(ctx: Context, tok: Token, to_phrase: bool = False) -> list:
    """What a sum or an investment is for: the data centers built, set up or expanded by the
    clause that says its purpose ("$5 billion to build data centres in Hyderabad"), and the
    places they are in; with ``to_phrase``, also data centers after a "to" the parser hung on
    the verb ("announced an outlay to set-up data centres")."""
    out: list = []
    if to_phrase:
        out += [m for c in tok.children if c.dep_ == "prep" and c.lower_ == "to"
                for p in c.children if p.dep_ == "pobj" and any(
                    a.lemma_.lower() in ctx.cue("build_verbs") for a in p.children)
                for m in ctx.np_mentions(p, {"DataCenter"})]
    for c in tok.children:
        if c.dep_ in {"relcl", "acl", "advcl", "xcomp"} and c.lemma_.lower() in ctx.cue(
                "build_verbs") and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children):
            for m in ctx.verb_objects(c, {"in"}, {"DataCenter", "Place"}):
                if m not in out:
                    out.append(m)
    return out + [m for m in purpose_places(ctx, out) if m not in out]


def purpose_places(ctx: Context, found: list) -> list:
    """The place each data center of ``found`` names first (not its region)."""
    out: list = []
    for m in found:
        if m.cls == "DataCenter":
            places = [pl for t in ctx.doc[m.start:m.end] if (pl := ctx.res.mention(t))
                      is not None and pl.cls == "Place"]
            if places and places[0] not in out:
                out.append(places[0])
    return out


def person_firms(ctx: Context, verb: Token) -> list:
    """The firm of a person who is the verb's subject, named in the person's own phrase
    ("Microsoft CEO Satya Nadella announced ...", "Satya Nadella, chairman of Microsoft,
    announced ..."): an executive's announcement is the firm's."""
    out: list = []
    for s in verb.children:
        if s.dep_ != "nsubj":
            continue
        person = ctx.res.mention(s)
        if person is None or person.cls != "Person":
            continue
        stack = [c for c in s.children if c.dep_ in {"compound", "appos"}]
        while stack:
            t = stack.pop()
            m = ctx.res.mention(t)
            if m is not None and m.cls == "Company" and m not in out:
                out.append(m)
            stack += [c for c in t.children if c.dep_ in {
                "compound", "appos", "conj", "prep", "pobj", "poss"}]
    return out
