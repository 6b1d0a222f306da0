"""Relation rules about money and alliances beside the verb and noun rules of ``verbs`` and
``business``: funding rounds and who leads or backs them, "X-backed Y", sums put into
something, firms that partner one another with no partner after "with", partnerships named
by a hyphen chain of firms ("the AMD-OpenAI collaboration"), "counts X as an investor"."""

from __future__ import annotations

from itertools import combinations

from spacy.tokens import Span, Token

from ..context import Context, verb_above
from ..spans import Mention
from .money_words import denied, is_money
from .registry import OnToken, rule

_NOUN = frozenset({"NOUN", "PROPN"})
_INVESTED = {"Company", "Product", "DataCenter"}


@rule("round", OnToken("round_nouns", pos=_NOUN), ("investsIn",),
      "Sequoia led a $300 million round in Moonshot AI; Zhipu closed a round backed by Tencent")
def round_rule(ctx: Context, tok: Token, sent: Span) -> None:
    """A funding round: who leads, joins, backs or takes part in it ("X led the round", "a
    round led by X", "X participated in the round") invests in the firm the round is of: the
    firm after "in"/"of"/"for", the round's possessor, else the subject of the clause that
    raises, closes or announces it ("Zhipu raised $1 billion in a round backed by Alibaba");
    "the round" with no firm in its clause is that of the firm the article is about."""
    if denied(ctx, tok):
        return
    investor_verbs = ctx.cue("round_investor_verbs")
    investors: list[Mention] = []
    # "a round led / backed by X"
    for c in tok.children:
        if c.dep_ in {"acl", "relcl"} and c.lemma_.lower() in investor_verbs and not \
                ctx.negated(c):
            investors += [m for a in c.children if a.dep_ == "agent" for p in a.children
                          for m in ctx.res.expand(p, "Company")]
    verb = verb_above(tok, 3)
    investor_verb = None
    if not investors and verb is not None and verb.lemma_.lower() in investor_verbs and \
            not ctx.negated(verb) and (tok.dep_ == "dobj" or (
                tok.dep_ == "pobj" and tok.head.head.i == verb.i)):
        investors = ctx.subjects(verb, "Company")
        investor_verb = verb
    if not investors:
        return
    backed = [m for c in tok.children if c.dep_ == "prep" and c.lower_ in {"in", "of", "for"}
              for p in c.children for m in ctx.np_mentions(p, {"Company"})]
    backed += [m for c in tok.children if c.dep_ == "poss" for m in ctx.res.refer(c, "Company")]
    if not backed:  # "the round, which valued Zhipu at $3 billion"
        backed = [m for c in tok.children if c.dep_ in {"relcl", "acl"} and
                  c.lemma_.lower() == "value" for d in c.children if d.dep_ == "dobj"
                  for m in ctx.res.refer(d, "Company")]
    if not backed and investor_verb is not None:  # "led a round in X" with "in" on the verb
        backed = [m for c in investor_verb.children if c.dep_ == "prep" and c.lower_ in {
            "in", "into"} for p in c.children for m in ctx.np_mentions(p, {"Company"})]
    if not backed and investor_verb is None and verb is not None:
        backed = [m for m in ctx.subjects(verb, "Company") if m not in investors]
    if not backed and any(c.lower_ in {"the", "this", "that", "its", "their"} and c.dep_ in {
            "det", "poss"} for c in tok.children):
        if not any(m.cls == "Company" and m not in investors
                   for m in ctx.sent_mentions(sent)):
            recent = ctx.res._recent(sent.start, "Company")
            backed = [recent] if recent is not None else []
    for i in investors:
        for b in backed:
            if i is not b and i.key != b.key:
                ctx.emit(i, "investsIn", b, [tok], "round", 0.6, sent)


@rule("backed-compound", OnToken("backed_words", dep=frozenset({"amod", "compound"})),
      ("investsIn",), "Alibaba-backed Moonshot AI; the Tencent-backed startup Zhipu")
def backed_compound(ctx: Context, tok: Token, sent: Span) -> None:
    """ "X-backed Y": the firm before the hyphen invests in the firm the word modifies (a
    generic head is the name beside it or the firm it refers to); "state-backed" names none."""
    if tok.i < sent.start + 2 or ctx.doc[tok.i - 1].text not in {"-", "\u2011"}:
        return
    backer = ctx.res.mention(ctx.doc[tok.i - 2])
    if backer is None or backer.cls != "Company":
        return
    head = tok.head
    backed = ctx.res.mention(head)
    found = [backed] if backed is not None else []
    if not found:  # "the Tencent-backed startup Zhipu": the name beside the head
        near = [ctx.res.mention(ctx.doc[j]) for j in (head.i + 1, head.i - 1)
                if sent.start <= j < sent.end]
        found = [m for m in near if m is not None and m.cls == "Company"]
        found = found or [m for c in head.children if c.dep_ == "appos"
                          for m in ctx.res.refer(c, "Company")]
    if not found and head.pos_ == "NOUN":
        found = ctx.res.refer(head, "Company")
    for b in found:
        if b is not backer and b.key != backer.key and b.cls in _INVESTED:
            ctx.emit(backer, "investsIn", b, [tok], "backed-compound", 0.6, sent)


@rule("money-into", OnToken("money_into_verbs", verb=True), ("investsIn",),
      "Blue Owl put $15 billion into the Abilene campus; SoftBank committed $19 billion to X")
def money_into(ctx: Context, verb: Token, sent: Span) -> None:
    """A sum put, injected, pumped, committed or pledged into (or to) a firm, data center or
    place: the subject invests in it."""
    if denied(ctx, verb):
        return
    if not any(c.dep_ == "dobj" and is_money(ctx, c) for c in verb.children):
        return
    preps = {"into", "in"} if verb.lemma_.lower() not in {"commit", "pledge", "contribute"} \
        else {"to", "into", "toward", "towards"}
    targets = [m for c in verb.children if c.dep_ == "prep" and c.lower_ in preps
               for p in c.children for m in ctx.np_mentions(p, _INVESTED | {"Place"})]
    targets += [m for c in verb.children if c.dep_ == "dobj" for pp in c.children
                if pp.dep_ == "prep" and pp.lower_ in preps
                for p in pp.children for m in ctx.np_mentions(p, _INVESTED | {"Place"})]
    for s in ctx.subjects(verb, "Company"):
        for t in targets:
            if s is not t and s.key != t.key:
                ctx.emit(s, "investsIn", t, [verb], "money-into", 0.6, sent)


@rule("partner-joint", OnToken("triggers:partnersWith", verb=True), ("partnersWith",),
      "Nvidia and OpenAI partnered to build data centers")
def partner_joint(ctx: Context, verb: Token, sent: Span) -> None:
    """Firms that partner, collaborate or team up with no partner after "with" ("X and Y
    partnered to build ...", "X and Y will cooperate on ...") partner one another."""
    if denied(ctx, verb) or any(c.dep_ == "prep" and c.lower_ == "with" for c in verb.subtree):
        return
    group = ctx.subjects(verb, "Company")
    for a, b in combinations(group, 2):
        if a.key != b.key:
            ctx.emit(a, "partnersWith", b, [verb], "partner-joint", 0.6, sent)


@rule("partner-chain", OnToken(frozenset({"collaboration", "partnership", "alliance", "deal",
                                          "agreement", "venture", "pact", "tie", "consortium"}),
                               pos=_NOUN), ("partnersWith",),
      "the AMD-OpenAI-Oracle collaboration; the OpenAI-Oracle deal")
def partner_chain(ctx: Context, tok: Token, sent: Span) -> None:
    """A partnership named by the firms before it, joined by hyphens or dashes or "and"
    ("the AMD-OpenAI-Oracle collaboration", "the Nissan-Honda tie-up"): they partner one
    another."""
    if denied(ctx, tok):
        return
    head = tok
    if tok.dep_ == "compound" and tok.head.lower_ == "up":  # "tie-up"
        head = tok.head
    firms: list[Mention] = []
    for c in head.children:
        if c.dep_ in {"compound", "nmod", "amod"} and c.i < tok.i:
            for t in c.subtree:
                m = ctx.res.mention(t)
                if m is not None and m.cls == "Company" and m not in firms:
                    firms.append(m)
    if len(firms) < 2:
        return
    for a, b in combinations(firms, 2):
        if a.key != b.key:
            ctx.emit(a, "partnersWith", b, [tok], "partner-chain", 0.6, sent)


@rule("as-role", OnToken(frozenset({"partner", "investor", "backer", "shareholder"}),
                         pos=_NOUN), ("partnersWith", "investsIn"),
      "G42 counts Microsoft as an investor; Anthropic named AWS as its primary partner")
def as_role(ctx: Context, tok: Token, sent: Span) -> None:
    """ "Y counts X as an investor", "Y named X (as) its partner": the verb's object is the
    investor in (or partner of) the verb's subject, or of the noun's possessor."""
    if denied(ctx, tok):
        return
    if tok.dep_ == "pobj" and tok.head.lower_ == "as":
        verb = tok.head.head
    elif tok.dep_ == "oprd":
        verb = tok.head
    else:
        return
    if verb.pos_ not in {"VERB", "AUX"} or verb.lemma_.lower() not in ctx.cue("counts_verbs") \
            or ctx.negated(verb):
        return
    role = [m for c in verb.children if c.dep_ == "dobj" for m in ctx.res.expand(c, "Company")]
    owners = [m for c in tok.children if c.dep_ == "poss" for m in ctx.res.refer(c, "Company")]
    owners = owners or ctx.subjects(verb, "Company")
    prop = "partnersWith" if tok.lemma_.lower() == "partner" else "investsIn"
    for r in role:
        for o in owners:
            if r is not o and r.key != o.key:
                ctx.emit(r, prop, o, [tok], "as-role", 0.6, sent)


@rule("joint-lead", OnToken("project_nouns", pos=_NOUN), ("partnersWith",),
      "a $40 billion project led by Oracle and MGX")
def joint_lead(ctx: Context, tok: Token, sent: Span) -> None:
    """A joint undertaking (initiative, project, venture, consortium) led, backed, run or
    founded by two firms or more: they partner one another."""
    if denied(ctx, tok):
        return
    group = [m for c in tok.children if c.dep_ == "acl" and c.lemma_.lower() in ctx.cue(
        "project_lead_verbs") and not ctx.negated(c)
             for a in c.children if a.dep_ == "agent" for p in a.children
             for m in ctx.res.expand(p, "Company")]
    for a, b in combinations(group, 2):
        if a.key != b.key:
            ctx.emit(a, "partnersWith", b, [tok], "joint-lead", 0.6, sent)


@rule("venture-build", OnToken(frozenset({"venture", "partnership", "consortium"}), pos=_NOUN),
      ("investsIn",), "Meta formed a joint venture with Blue Owl to build the Hyperion campus")
def venture_build(ctx: Context, tok: Token, sent: Span) -> None:
    """A joint venture (partnership, consortium) formed to build, develop or run a data
    center: the firms that form it, and the firm it is formed with, invest in the data
    center."""
    if denied(ctx, tok) or (tok.lemma_.lower() == "venture" and not any(
            c.lower_ == "joint" for c in tok.children)):
        return
    if tok.dep_ != "dobj" or ctx.negated(tok.head):
        return
    centers: list[Mention] = []
    for c in tok.children:
        if c.dep_ in {"acl", "relcl"} and any(a.dep_ == "aux" and a.lower_ == "to"
                                               for a in c.children):
            for v in [c] + list(c.conjuncts):
                centers += [m for m in ctx.verb_objects(v, set(), {"DataCenter"})
                            if m not in centers]
    if not centers:
        return
    firms = ctx.subjects(tok.head, "Company")
    firms += [m for c in tok.children if c.dep_ == "prep" and c.lower_ == "with"
              for p in c.children for m in ctx.res.expand(p, "Company") if m not in firms]
    ctx.emit_each(firms, "investsIn", centers, [tok], "venture-build", 0.55, sent)


@rule("adviser", OnToken("adviser_nouns", pos=_NOUN), ("partnersWith",),
      "Morgan Stanley served as financial adviser to Meta; Meta's adviser, Lazard")
def adviser_rule(ctx: Context, tok: Token, sent: Span) -> None:
    """A firm serving as (or named) adviser, bookrunner or underwriter to a firm works with
    it on a deal: they partner."""
    if denied(ctx, tok):
        return
    clients = [m for c in tok.children if c.dep_ == "poss" for m in ctx.res.refer(c, "Company")]
    clients += [m for c in tok.children if c.dep_ == "prep" and c.lower_ in {"to", "for", "of"}
                for p in c.children for m in ctx.np_mentions(p, {"Company"})]
    for c in tok.conjuncts:  # "adviser to Meta and sole bookrunner"
        clients += [m for d in c.children if d.dep_ == "prep" and d.lower_ in {"to", "for"}
                    for p in d.children for m in ctx.np_mentions(p, {"Company"})]
    if not clients:
        return
    advisers = ctx.role_holders(tok)
    if tok.dep_ == "pobj" and tok.head.lower_ == "as" and tok.head.head.pos_ in {"VERB", "AUX"}:
        advisers = ctx.subjects(tok.head.head, "Company")  # "served as adviser to Meta"
    ctx.emit_each(advisers, "partnersWith", clients, [tok], "adviser", 0.55, sent)


@rule("advise", OnToken("advise_verbs", verb=True), ("partnersWith",),
      "Milbank advised Morgan Stanley on the offering")
def advise_rule(ctx: Context, verb: Token, sent: Span) -> None:
    """A firm that advises a firm (on a deal, an offering) partners with it."""
    if denied(ctx, verb):
        return
    clients = [m for c in verb.children if c.dep_ == "dobj" for m in ctx.res.expand(c, "Company")]
    for a in ctx.subjects(verb, "Company"):
        for c in clients:
            if a is not c and a.key != c.key:
                ctx.emit(a, "partnersWith", c, [verb], "advise", 0.55, sent)


def _percent(tok: Token) -> float | None:
    """The number of "70%", "10 percent", "a 20 per cent" (None if the token is no share)."""
    if tok.text != "%" and tok.lemma_.lower() not in {"percent", "cent"}:
        return None
    for c in tok.children:
        if c.dep_ in {"nummod", "compound"} and c.like_num:
            try:
                return float(c.text.replace(",", ""))
            except ValueError:
                return None
    return None


@rule("hold-percent", OnToken(frozenset({"hold", "own", "control", "take", "acquire", "buy"}),
                              verb=True), ("investsIn", "owns"),
      "Tencent holds 15% of Zhipu; a joint venture in which TSMC holds 70%")
def hold_percent(ctx: Context, verb: Token, sent: Span) -> None:
    """A firm holding, owning or taking a share of a firm ("holds 15% of Zhipu", "a joint
    venture in which TSMC holds 70%"): more than half owns it, less invests in it."""
    if denied(ctx, verb):
        return
    share = next((c for c in verb.children if c.dep_ == "dobj" and _percent(c) is not None),
                 None)
    if share is None:
        return
    pct = _percent(share) or 0.0
    held = [m for c in list(share.children) + list(verb.children) if c.dep_ == "prep"
            and c.lower_ in {"in", "of"} and not any(p.lower_ == "which" for p in c.children)
            for p in c.children for m in ctx.np_mentions(p, {"Company"})]
    if not held and verb.dep_ == "relcl" and any(
            c.dep_ == "prep" and any(p.lower_ == "which" for p in c.children)
            for c in verb.children):  # "a joint venture in which TSMC holds 70%"
        head = verb.head
        own = ctx.res.mention(head)
        if own is None and head.dep_ == "appos":
            own = ctx.res.mention(head.head)
        held = [own] if own is not None and own.cls == "Company" else []
    held = [m for m in held if ctx.doc[m.end - 1].dep_ != "poss" and not any(
        c.dep_ == "case" for c in ctx.doc[m.end - 1].children)]  # not "60% of Nvidia's orders"
    prop = "owns" if pct > 50 else "investsIn"
    for s in ctx.subjects(verb, "Company"):
        for h in held:
            if s is not h and s.key != h.key:
                ctx.emit(s, prop, h, [verb], "hold-percent", 0.6, sent)


@rule("with-partners", OnToken(frozenset({"partner"}), pos=_NOUN), ("partnersWith",),
      "Microsoft will build a campus in Poland with partners Oracle and Nvidia")
def with_partners(ctx: Context, tok: Token, sent: Span) -> None:
    """ "... with partners X and Y", "... with its partners, X and Y": the firms named are
    partners of the subject of the verb the phrase hangs on."""
    if denied(ctx, tok):
        return
    named: list[Mention] = []
    if tok.dep_ == "compound" and tok.head.dep_ == "pobj" and tok.head.head.lower_ == "with":
        named, prep = ctx.res.refer(tok.head, "Company"), tok.head.head
    elif tok.dep_ == "pobj" and tok.head.lower_ == "with":
        named, prep = [m for c in tok.children if c.dep_ == "appos"
                       for m in ctx.res.refer(c, "Company")], tok.head
    if not named:
        return
    verb = verb_above(prep, 4)
    if verb is None or ctx.negated(verb):
        return
    for s in ctx.subjects(verb, "Company"):
        for o in named:
            if s is not o and s.key != o.key:
                ctx.emit(s, "partnersWith", o, [tok], "with-partners", 0.6, sent)
