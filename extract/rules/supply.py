"""Relation rules of the supply chain beside the verb rules: a maker's chips ordered,
spent on, deployed or used (the maker supplies the buyer), and orders as nouns ("Oracle's
new order for AMD MI450 chips")."""

from __future__ import annotations

from spacy.tokens import Span, Token

from ..context import Context
from ..spans import Mention
from .registry import OnDocument, OnToken, rule
from .verbs import owner_subject

_NOUN = frozenset({"NOUN"})
_SKIP = frozenset({"relcl", "acl", "advcl", "xcomp", "ccomp", "appos", "punct", "cc"})


def _words(t: Token) -> set[str]:
    """A noun's lemma and its singular as written ("GPUs" is a PROPN whose lemma stays)."""
    low = t.lower_
    return {t.lemma_.lower(), low, low[:-1] if low.endswith("s") else low}


def _goods(ctx: Context, head: Token) -> tuple[list[Mention], list[Mention]]:
    """The chips (or products) a goods phrase names and the firms that make them: "Nvidia's
    newest chips" -> ([], [Nvidia]); "AMD MI450 chips" -> ([MI450], [AMD]); "50,000 units
    of AMD's MI450 accelerators" reads the phrase after "of". A phrase whose head is neither
    a chip nor a goods word names nothing."""
    if _words(head) & ctx.cue("unit_nouns") or head.like_num:
        head = next((p for c in head.children if c.dep_ == "prep" and c.lower_ == "of"
                     for p in c.children if p.dep_ == "pobj"), head)
    own = ctx.res.mention(head)
    if not (_words(head) & ctx.cue("chip_goods") or (
            own is not None and own.cls == "Chip")):
        return [], []
    items: list[Mention] = []
    makers: list[Mention] = []
    todo = [head]
    while todo:
        t = todo.pop()
        m = ctx.res.mention(t)
        if m is not None:
            if m.cls in {"Chip", "Product"} and m not in items:
                items.append(m)
            elif m.cls == "Company" and m not in makers and t.i < head.i:
                makers.append(m)
        for c in t.children:
            if c.dep_ in _SKIP or (c.dep_ == "prep" and c.lower_ != "of"):
                continue
            todo.append(c)
    if head.dep_ != "conj":
        for c in head.conjuncts:  # "H100s and H200s"
            m = ctx.res.mention(c)
            if m is not None and m.cls == "Chip" and m not in items:
                items.append(m)
    for it in items:  # "AMD MI450 chips": the maker of a chip named in the phrase
        maker = ctx.gaz.maker_of(it.key)
        found = next((m for m in ctx.mentions if m.key == maker
                      and head.left_edge.i <= m.start <= head.i), None)
        first = ctx.gaz.lookup(ctx.doc[it.start].text)
        if found is None and maker and it.end - it.start > 1 and first is not None and \
                first.label == maker:  # "AMD MI450": the maker named in the chip's name
            found = ctx.entity(maker, ctx.doc[it.start], "known-maker")
        if found is not None and found not in makers:
            makers.append(found)
    return items, makers


def _counted(head: Token, ctx: Context) -> bool:
    """ "50,000 units of", "100,000 GPUs": a number of goods."""
    return head.like_num or head.lemma_.lower() in ctx.cue("unit_nouns") or any(
        c.dep_ == "nummod" for c in head.children)


@rule("supply-maker", OnToken("maker_goods_verbs", verb=True), ("supplies", "purchases"),
      "Meta ordered AMD's chips; Oracle will spend $40 billion on Nvidia's chips")
def maker_goods(ctx: Context, verb: Token, sent: Span) -> None:
    """A firm that orders, spends on, deploys or uses a maker's chips ("Nvidia's chips",
    "AMD MI450 chips") is supplied by the maker (buying or stockpiling them states no sale by
    the maker); spending on chips, and deploying a number of them ("deploy 50,000 units of
    AMD's MI450 accelerators"), is buying them."""
    lemma = verb.lemma_.lower()
    heads = [c for c in verb.children if c.dep_ == "dobj"]
    heads += [p for c in verb.children if c.dep_ == "prep" and c.lower_ in {"on", "for"}
              for p in c.children if p.dep_ == "pobj"]
    heads += [cc for h in heads for cc in h.conjuncts]
    if not heads:
        return
    buyers = ctx.subjects(verb, "Company")
    if not buyers and verb.dep_ == "acl":  # "build 10 GW of data centers using Nvidia chips"
        gov = next((a for a in verb.ancestors if a.pos_ == "VERB"), None)
        buyers = ctx.subjects(gov, "Company") if gov is not None else []
    if not buyers:
        return
    buys = lemma in ctx.cue("spend_verbs")
    for h in heads:
        items, makers = _goods(ctx, h)
        for b in buyers:
            for mk in makers:
                if mk is not b:
                    ctx.emit(mk, "supplies", b, [verb], "supply-maker", 0.6, sent)
            if buys or (lemma == "deploy" and _counted(h, ctx)):
                for it in items:
                    if it.cls == "Chip":
                        ctx.emit(b, "purchases", it, [verb], "supply-maker", 0.6, sent)


@rule("supply-order", OnToken("order_nouns", pos=_NOUN), ("purchases", "supplies"),
      "Oracle's new order for AMD MI450 chips; Meta placed an order for Nvidia GPUs")
def order_noun(ctx: Context, tok: Token, sent: Span) -> None:
    """An order as a noun: its possessor, or the firm that places or makes it, buys the chips
    "for" which it is; their maker, or the firm it is placed "with" or "from", supplies the
    buyer."""
    buyers = [m for c in tok.children if c.dep_ == "poss" for m in ctx.res.refer(c, "Company")]
    if not buyers and tok.dep_ == "dobj" and not ctx.negated(tok.head):
        buyers = ctx.subjects(tok.head, "Company")
    if not buyers:
        return
    goods = [p for c in tok.children if c.dep_ == "prep" and c.lower_ in {"for", "of"}
             for p in c.children if p.dep_ == "pobj"]
    sellers = [m for c in tok.children if c.dep_ == "prep" and c.lower_ in {"with", "from"}
               for p in c.children for m in ctx.res.expand(p, "Company")]
    for h in goods:
        items, makers = _goods(ctx, h)
        for b in buyers:
            for it in items:
                if it.cls == "Chip":
                    ctx.emit(b, "purchases", it, [tok], "supply-order", 0.6, sent)
            for mk in makers + sellers:
                if mk is not b:
                    ctx.emit(mk, "supplies", b, [tok], "supply-order", 0.6, sent)


def _made_for(ctx: Context, head: Token) -> list[Mention]:
    """The firms whose chips or products a phrase names: their possessor ("Huawei's Kirin
    9000S processor"), else the maker the gazetteer gives for a chip named there when the
    article names that maker ("the chip" just named counts)."""
    named = ctx.res.mention(head)
    if not (head.lemma_.lower() in ctx.cue("goods") | ctx.cue("chip_goods") or (
            named is not None and named.cls in {"Chip", "Product"})):
        return []  # "made its investment in Zhipu": no goods made
    owners = [m for c in head.children if c.dep_ == "poss" for m in ctx.res.refer(c, "Company")]
    if owners:
        return owners
    out: list[Mention] = []
    for it in ctx.np_mentions(head, {"Chip", "Product"}):
        maker = ctx.gaz.maker_of(it.key)
        found = next((m for m in ctx.mentions if m.key == maker), None)
        if found is not None and found not in out:
            out.append(found)
    return out


@rule("supply-foundry", OnToken("foundry_verbs", verb=True), ("supplies",),
      "SMIC makes Huawei's Kirin processors; the chip is manufactured by SMIC")
def foundry(ctx: Context, verb: Token, sent: Span) -> None:
    """A firm that makes, manufactures or fabricates another firm's chips or products (its
    possessor, or the maker the gazetteer knows of a chip named) supplies that firm: "SMIC
    makes Huawei's Kirin processors", "the chip is manufactured by China's largest foundry,
    SMIC"."""
    agents = [m for c in verb.children if c.dep_ == "agent" for p in c.children
              for m in ctx.res.expand(p, "Company")]
    if agents:
        made = [m for c in verb.children if c.dep_ == "nsubjpass" for m in _made_for(ctx, c)]
        if verb.dep_ == "acl":  # "Huawei's chips, made by SMIC"
            made += _made_for(ctx, verb.head)
    else:
        agents = ctx.subjects(verb, "Company")
        objs = [c for c in verb.children if c.dep_ == "dobj"]
        objs += [s for c in verb.children if c.dep_ == "ccomp" for s in c.children
                 if s.dep_ == "nsubj" and s.i > verb.i]  # "makes X's chips using ..."
        made = [m for c in objs for m in _made_for(ctx, c)]
    for a in agents:
        for m in made:
            if a is not m and a.key != m.key:
                ctx.emit(a, "supplies", m, [verb], "supply-foundry", 0.6, sent)


@rule("uses-owner", OnToken("triggers:uses", verb=True), ("uses", "supplies"),
      "OpenAI's infrastructure, which will utilize AMD Instinct GPUs")
def uses_owner(ctx: Context, verb: Token, sent: Span) -> None:
    """A firm's infrastructure, models or systems that use, run on or rely on chips or
    services: the firm uses them (and the maker of the chips, named in their phrase, supplies
    it when the verb is one of ``maker_goods_verbs``)."""
    owners = owner_subject(ctx, verb)
    if not owners:
        return
    objs = ctx.verb_objects(verb, {"on", "to"}, {"Chip", "Product", "DataCenter"})
    heads = [c for c in verb.children if c.dep_ == "dobj"]
    for o in owners:
        for m in objs:
            ctx.emit(o, "uses", m, [verb], "uses-owner", 0.55, sent)
        if verb.lemma_.lower() in ctx.cue("maker_goods_verbs"):
            for h in heads:
                for mk in _goods(ctx, h)[1]:
                    if mk is not o:
                        ctx.emit(mk, "supplies", o, [verb], "uses-owner", 0.55, sent)


def _powered_center(ctx: Context, verb: Token) -> Mention | None:
    """The data center a "powered by" / "runs on" verb is about: its subject named, described
    ("the facility", "the campus") or referred to ("it", "which": the data center named last
    in this sentence or the one before)."""
    for s in (c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}):
        named = [m for m in ctx.res.expand(s) if m.cls == "DataCenter"]
        if named:
            return named[0]
        if s.lower_ in {"it", "which", "that"} or s.lemma_.lower() in ctx.cue("center_nouns"):
            sent = ctx.res.sent_of(verb.i)
            lo = ctx.res.sents[max(0, ctx.res.sents.index(sent) - 1)].start
            before = [m for m in ctx.mentions if m.cls == "DataCenter" and lo <= m.start < s.i]
            return before[-1] if before else None
    return None


@rule("uses-powered", OnDocument(), ("uses",),
      "xAI runs the Colossus cluster. It is powered by 100,000 Nvidia H100 GPUs.")
def powered_by(ctx: Context) -> None:
    """Chips a data center is powered by or runs on are used by the firms that operate or
    use the data center in the article (``uses-powered``, a reader's inference across the
    article: lower confidence)."""
    users: dict[str, list[Mention]] = {}
    for c in ctx.out:
        if c.predicate in {"operates", "uses"} and c.object.cls == "DataCenter":
            users.setdefault(c.object.key, []).append(c.subject)
    if not users:
        return
    for sent in ctx.res.sents:
        for verb in ctx.toks_with(sent, ctx.cue("powered_verbs")):
            if verb.pos_ not in {"VERB", "AUX"} or ctx.negated(verb):
                continue
            center = _powered_center(ctx, verb)
            if center is None or center.key not in users:
                continue
            chips = [m for c in verb.children if c.dep_ in {"agent", "prep"} and c.lower_ in {
                "by", "on"} for m in ctx.in_subtree(c, set(), {"Chip"})]
            for chip in chips:
                for user in users[center.key]:
                    ctx.emit(user, "uses", chip, [verb], "uses-powered", 0.55, sent)
