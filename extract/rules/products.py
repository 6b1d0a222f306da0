"""Relation rules about products and models: people who built them, the firm "behind" one.
(Possessives, owners, rivals and the gazetteer's makers are in ``business``.)"""

from __future__ import annotations

from spacy.tokens import Span, Token

from ..context import Context
from ..spans import Mention
from .registry import OnToken, rule

_PREP_OF = {"developer": {"of"}, "creator": {"of"}, "architect": {"of"}, "inventor": {"of"},
            "designer": {"of"}, "responsible": {"for"}, "involve": {"in"}, "work": {"on"}}


def _person_of(ctx: Context, tok: Token) -> list[Mention]:
    """The person a creator word describes: the name it stands in apposition to or modifies
    ("Ana Ruiz, co-developer of X"; "Ana Ruiz, responsible for X"), the subject of its verb
    ("who worked on X", "she was involved in X")."""
    t = tok
    if t.dep_ in {"appos", "amod", "acl"}:
        return ctx.res.refer(t.head, "Person")
    if t.dep_ == "relcl":  # "Li Wei, who worked on X"
        return ctx.res.refer(t.head, "Person")
    verb = t.head if t.dep_ in {"acomp", "attr"} else t
    # the verb's own subject, not one a clause above it lends ("Lisa Su said the firm was
    # working with partners on X")
    return [m for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}
            for m in ctx.res.refer(c, "Person")]


@rule("product-person", OnToken("product_people"), ("develops",),
      "Ana Ruiz, co-developer of GPT-4o; Li Wei, who worked on Gemini")
def person_product(ctx: Context, tok: Token, sent: Span) -> None:
    """A person who built a product or chip: a "(co-)developer", "creator", "architect" of
    it, "responsible for" or "involved in" it, who "worked on" it (the product may name a
    part of it: "the GPT-4o voice mode")."""
    lemma = tok.lemma_.lower()
    preps = _PREP_OF.get(lemma, set()) & ctx.cue("product_people_preps")
    if lemma == "work" and tok.pos_ != "VERB":
        return
    made = [m for c in tok.children if c.dep_ == "prep" and c.lower_ in preps
            for p in c.children if p.dep_ == "pobj"
            for x in [p, *p.conjuncts]
            for m in ctx.np_mentions(x, {"Product", "Chip"})]
    if not made:
        return
    for person in _person_of(ctx, tok):
        for m in made:
            ctx.emit(person, "develops", m, [tok], "product-person", 0.6, sent)


@rule("product-behind", OnToken(frozenset({"behind"}), field="lower", dep=frozenset({"prep"})),
      ("develops", "owns"), "the company behind the Kimi chatbot")
def behind_product(ctx: Context, tok: Token, sent: Span) -> None:
    """ "the company behind the Kimi chatbot": the firm the generic head refers to (a name
    too: "Moonshot, the startup behind Kimi") makes and owns the product."""
    head = tok.head
    if head.lemma_.lower() not in ctx.cue("maker_heads") or head.pos_ != "NOUN":
        return
    made = [m for p in tok.children if p.dep_ == "pobj"
            for m in ctx.np_mentions(p, {"Product"})]
    if not made:
        return
    firms = ctx.res.refer(head.head, "Company") if head.dep_ == "appos" else []
    firms = firms or ctx.res.refer(head, "Company")
    for f in firms:
        for m in made:
            ctx.emit(f, "develops", m, [tok], "product-behind", 0.6, sent)
            ctx.emit(f, "owns", m, [tok], "product-behind", 0.6, sent)
