"""Relation rules about firms: ownership, possessives, customers and suppliers, exports,
rivals, partners, meetings, talent, and what the gazetteer knows of makers and parents."""

from __future__ import annotations

from itertools import combinations

from spacy.tokens import Span, Token

from ..context import Context, verb_above
from ..spans import Mention
from .money_words import denied, person_firms, purpose_targets
from .registry import OnSentence, OnToken, rule

_NOUN = frozenset({"NOUN"})


def product_maker(ctx: Context, m: Mention) -> str | None:
    """The maker the gazetteer gives a product or chip, also to a version of a known family
    ("Claude 3.5 Sonnet" is Anthropic's, as Claude is)."""
    if m.cls not in {"Product", "Chip"}:
        return None
    maker = ctx.gaz.maker_of(m.key) if m.known else None
    if maker is None and m.rule == "pattern-product-version":
        words = m.label.split()
        family = ctx.gaz.lookup(words[0].split("-")[0]) or ctx.gaz.lookup(" ".join(words[:-1]))
        maker = ctx.gaz.maker_of(family.label) if family is not None else None
    return maker


@rule("poss", OnSentence(), ("owns", "develops", "operates", "headquarteredIn", "issuedBy"),
      "Baidu's Ernie Bot; Nvidia's H20; its data centers in China; Nvidia H20 (poss-compound)")
def poss_rules(ctx: Context, sent: Span) -> None:
    """Possessives and name compounds: an owner's product is owned and developed, a maker's
    chip developed, a firm's data center operated, a place's firm headquartered there, a
    place's or government's regulation issued by it (``poss``, ``poss-compound``); what a
    firm's orders or purchases name is bought, not made (``poss-order``: "Nvidia's HBM4
    orders")."""
    for tok in ctx.toks_dep(sent, "poss"):
        owners = ctx.res.refer(tok)
        head = tok.head
        owned = ctx.res.mention(head)
        owned_all = [owned] if owned is not None else []
        if owned is None and head.lemma_.lower() in ctx.cue("acquisition_nouns"):
            # "Nvidia's HBM4 orders": the possessor buys what it orders, it does not make it
            for c in head.children:
                bought = ctx.res.mention(c) if c.dep_ in {"compound", "amod"} else None
                for owner in owners if bought is not None else ():
                    ctx.emit(owner, "purchases", bought, [tok], "poss-order", 0.65, sent)
            continue
        if owned is None:  # "its R1 model", "Alibaba's Qwen team"
            inner = [ctx.res.mention(c) for c in head.children if c.dep_ == "compound"]
            owned = next((m for m in inner if m is not None and m.cls in {
                "Product", "Chip"}), None)
            owned_all = [owned] if owned is not None else []
            if head.lemma_.lower() in ctx.cue("product_heads"):
                # "its chatbot, SenseChat", "Zhipu's newest release, GLM-5"
                owned_all += [m for c in head.children if c.dep_ == "appos"
                              for m in ctx.res.expand(c) if m.cls in {"Product", "Chip"}
                              and m not in owned_all]
        for owned in owned_all:
            _poss_owned(ctx, tok, head, owners, owned, sent)
    _compound_owners(ctx, sent)


def _poss_owned(ctx: Context, tok: Token, head: Token, owners: list[Mention], owned: Mention,
            sent: Span) -> None:
    """What one possessor owns, makes or operates (``poss``). A pronoun is never the owner of
    a product or chip the gazetteer says another firm makes ("its chatbot, Doubao" after
    "ByteDance, alongside rivals like Alibaba,")."""
    maker = product_maker(ctx, owned) if tok.pos_ == "PRON" else None
    for owner in owners:
        if owner is owned or (maker is not None and owner.key != maker):
            continue
        if owner.cls == "Company":
            if owned.cls == "Product":
                ctx.emit(owner, "owns", owned, [tok], "poss", 0.8, sent)
                ctx.emit(owner, "develops", owned, [tok], "poss", 0.8, sent)
            elif owned.cls == "Chip":
                ctx.emit(owner, "develops", owned, [tok], "poss", 0.8, sent)
            elif owned.cls == "DataCenter":
                ctx.emit(owner, "operates", owned, [tok], "poss", 0.75, sent)
            elif owned.cls == "Company" and (ctx.gaz.parent_of(owned.key) == owner.key
                                             or owned.known is False):
                ctx.emit(owner, "owns", owned, [tok], "poss", 0.6, sent)
        elif owner.cls == "Place" and owned.cls in {"Company", "GovernmentBody"}:
            ctx.emit(owned, "headquarteredIn", owner, [tok], "poss", 0.6, sent)
        elif owner.cls in {"Place", "GovernmentBody"} and owned.cls == "Regulation" and \
                (owned.head < 0 or owned.head == head.i):  # not "curbs on China's chips"
            ctx.emit(owned, "issuedBy", owner, [tok], "poss", 0.75, sent)


def _compound_owners(ctx: Context, sent: Span) -> None:
    """compound "Nvidia H20", "Baidu Ernie Bot"."""
    for m in ctx.sent_mentions(sent):
        last = ctx.doc[m.end - 1]
        if last.dep_ == "compound":
            target = ctx.res.mention(last.head)
            if target is None:  # "Nvidia H800 chips": two compounds of one noun
                target = next((x for c in last.head.children if c.dep_ == "compound"
                               and c.i > last.i and (x := ctx.res.mention(c)) is not None
                               and x.cls in {"Chip", "Product"}), None)
            if target is not None and target is not m and m.cls == "Company":
                if target.cls == "Chip":
                    ctx.emit(m, "develops", target, [last], "poss-compound", 0.7, sent)
                elif target.cls == "Product":
                    ctx.emit(m, "owns", target, [last], "poss-compound", 0.65, sent)
                    ctx.emit(m, "develops", target, [last], "poss-compound", 0.65, sent)


@rule("owner", OnToken("owner_nouns"), ("owns", "develops"),
      "TikTok owner ByteDance; Volcano Engine, a unit of ByteDance")
def owner_rule(ctx: Context, tok: Token, sent: Span) -> None:
    """ "TikTok owner ByteDance", "ByteDance, the parent company of TikTok",
    "TikTok's parent company", "Volcano Engine, a unit of ByteDance"."""
    lemma = tok.lemma_.lower()
    np = tok if tok.dep_ not in {"compound", "amod"} else tok.head
    if np.dep_ in {"compound", "amod"}:
        np = np.head
    anchor: list[Mention] = []
    if np.dep_ == "appos":
        anchor = ctx.res.refer(np.head)
    elif ctx.res.mention(np) is not None and np.i != tok.i:
        anchor = [ctx.res.mention(np)]
    elif np.dep_ in {"attr"}:
        anchor = [m for c in np.head.children if c.dep_ == "nsubj"
                  for m in ctx.res.expand(c)]
    if not anchor:
        for c in np.children:
            if c.dep_ == "appos":
                anchor = ctx.res.refer(c)
    other: list[Mention] = []
    for c in list(np.children) + list(tok.children):
        if c.dep_ == "poss" or (c.dep_ == "compound" and c.i < tok.i):
            other += ctx.res.refer(c)
        if c.dep_ == "prep" and c.lower_ == "of":
            for p in c.children:
                other += ctx.res.expand(p)
    if not other and lemma in {"subsidiary", "unit", "division", "arm", "venture"} and \
            np.dep_ == "dobj":  # "Reliance set up a new subsidiary, Reliance Intelligence"
        other = ctx.subjects(np.head, "Company")
    # "TikTok-owner ByteDance": TikTok is a compound of "owner" or of the hyphen chain
    j = tok.i - 1
    while j >= sent.start and ctx.doc[j].text in {"-", "\u2011"}:
        j -= 1
    if j >= sent.start and ctx.res.mention(ctx.doc[j]) and not other:
        other = [ctx.res.mention(ctx.doc[j])]
    for a in anchor:
        for o in other:
            if lemma in {"parent", "owner"}:
                s, t = a, o
            else:
                s, t = o, a
            ctx.emit(s, "owns", t, [tok], "owner", 0.8, sent)
            if t.cls == "Product" and s.cls == "Company":
                ctx.emit(s, "develops", t, [tok], "owner", 0.7, sent)

@rule("stake", OnToken(frozenset({"stake"}), pos=_NOUN), ("investsIn", "owns"),
      "Tencent's stake in Zhipu; TSMC holds a majority stake in JASM")
def stake_rule(ctx: Context, tok: Token, sent: Span) -> None:
    """ "Tencent's stake in Zhipu", "TSMC holds a majority stake in JASM": a holder
    invests in the firm, or owns it with a majority or controlling stake; a stake sold,
    cut or denied says nothing."""
    held = ctx.via_prep(tok, {"in"}, {"Company", "Product", "DataCenter"})
    verb = tok.head
    if not held and tok.dep_ == "dobj":  # "took a 10 percent stake in Zhipu": "in" on the verb
        held = [m for c in verb.children if c.dep_ == "prep" and c.lower_ == "in"
                for p in c.children for m in ctx.np_mentions(p, {"Company", "Product",
                                                                 "DataCenter"})]
    if not held:
        return
    if tok.dep_ == "dobj" and (ctx.negated(verb) or verb.lemma_.lower() in {
            "sell", "divest", "reduce", "cut", "offload", "dump", "exit", "trim"}):
        return
    holders = [m for c in tok.children if c.dep_ == "poss"
               for m in ctx.res.refer(c, "Company")]
    if not holders and tok.dep_ == "dobj":
        holders = ctx.subjects(verb, "Company")
    words = {c.lower_ for c in tok.children if c.dep_ in {"amod", "compound"}}
    prop = "owns" if words & {"majority", "controlling"} else "investsIn"
    for h in holders:
        for o in held:
            if h is not o and not (prop == "owns" and o.cls == "DataCenter"):
                ctx.emit(h, prop, o, [tok], "stake", 0.65, sent)

@rule("owner-under", OnToken(frozenset({"under"}), field="lower", dep=frozenset({"prep"})),
      ("owns",), "a search engine under the Alibaba International Digital Commerce Group")
def under_rule(ctx: Context, tok: Token, sent: Span) -> None:
    """What sits "under" a firm is owned by it."""
    owners = [m for p in tok.children for m in ctx.res.expand(p, "Company")]
    head = tok.head
    owned = ctx.res.refer(head)
    if not owned and head.dep_ == "appos":
        owned = ctx.res.refer(head.head)
    ctx.emit_each(owners, "owns", owned, [tok], "owner-under", 0.65, sent)

@rule("customer", OnToken("customer_nouns"), ("supplies",),
      "ByteDance is emerging as Nvidia's biggest customer")
def customer_rule(ctx: Context, tok: Token, sent: Span) -> None:
    """ "X's biggest customer" -> X supplies the customer, named by the phrase's structure:
    "B is / emerged as A's customer", "B, A's customer", "A's customer, B", "A's biggest
    customer is B", "A's customers include B", "A counts B as a customer"; an unnamed
    customer ("asked X to audit their customers") names no one; "one of A's customers" and
    "A counts B among its customers" too."""
    sellers = [m for c in tok.children if c.dep_ == "poss"
               for m in ctx.res.refer(c, "Company")]
    np = tok  # "one of ASML's largest customers": the phrase is "one"
    if tok.dep_ == "pobj" and tok.head.lower_ == "of" and tok.head.head.lower_ in {
            "one", "some", "several", "many", "two", "three"}:
        np = tok.head.head
    head = np.head
    buyers: list[Mention] = []
    if np.dep_ in {"attr", "oprd"}:
        buyers = ctx.subjects(head, "Company")
    elif np.dep_ == "appos":
        buyers = ctx.res.refer(head, "Company")
    elif np.dep_ == "pobj" and head.lower_ in {"as", "among"} and \
            head.head.pos_ in {"VERB", "AUX"}:
        verb = head.head
        objs = [m for c in verb.children if c.dep_ == "dobj"
                for m in ctx.res.expand(c, "Company")]
        if objs:  # "TSMC counts Apple as its largest customer"
            sellers = sellers or ctx.subjects(verb, "Company")
            buyers = objs
        else:
            buyers = ctx.subjects(verb, "Company")
    elif np.dep_ == "nsubj" and head.pos_ in {"VERB", "AUX"} and (
            head.lemma_.lower() in {"be", "include"}):
        buyers = [m for c in head.children if c.dep_ in {"attr", "dobj"}
                  for m in ctx.res.expand(c, "Company")]
    if not buyers:
        buyers = [m for c in tok.children if c.dep_ == "appos"
                  for m in ctx.res.expand(c, "Company")]
    for s in sellers:
        for b in buyers:
            if b not in sellers:
                ctx.emit(s, "supplies", b, [tok], "customer", 0.75, sent)

@rule("export", OnToken("export_nouns", pos=_NOUN), ("supplies", "purchases"),
      "exports of Nvidia's B200 chips to G42")
def export_rule(ctx: Context, tok: Token, sent: Span) -> None:
    """ "exports of Nvidia's B200 chips to G42": the maker supplies the buyer, who buys."""
    items = [m for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"
             for p in c.children for m in ctx.np_mentions(p, {"Chip", "Product", "Company"})]
    buyers = [m for c in tok.children if c.dep_ == "prep" and c.lower_ == "to"
              for p in c.children for m in ctx.res.expand(p, "Company")]
    for b in buyers:
        for it in items:
            if it.cls == "Company":
                ctx.emit(it, "supplies", b, [tok], "export", 0.6, sent)
            else:
                ctx.emit(b, "purchases", it, [tok], "export", 0.55, sent)
                maker = ctx.gaz.maker_of(it.key)
                seller = next((m for m in items if m.key == maker), None)
                if seller is not None:
                    ctx.emit(seller, "supplies", b, [tok], "export", 0.6, sent)

@rule("supplier", OnToken("supplier_nouns", pos=_NOUN), ("supplies",),
      "TSMC, Nvidia's main supplier; TSMC is a supplier to Apple")
def supplier_rule(ctx: Context, tok: Token, sent: Span) -> None:
    """ "TSMC, Nvidia's main supplier" / "TSMC is a supplier to Apple" / "CoreWeave was named
    Mistral's compute provider"."""
    buyers = [m for c in tok.children if c.dep_ == "poss" for m in ctx.res.refer(c, "Company")]
    buyers += [m for c in tok.children if c.dep_ == "prep" and c.lower_ in {"to", "for", "of"}
               for p in c.children for m in ctx.np_mentions(p, {"Company"})]
    if not buyers:
        return
    sellers = ctx.role_holders(tok)  # "X, Y's supplier", "X is / was named Y's supplier"
    ctx.emit_each(sellers, "supplies", buyers, [tok], "supplier", 0.7, sent)


def _clause_subjects(ctx: Context, verb: Token) -> list[Mention]:
    """The firms or products a clause is about: its own subject (a product is a subject too:
    "the model sits ahead of rivals"), the possessor of a generic subject ("DeepSeek's models
    have shown ..."), else the firms the verb's subject chain gives."""
    v = verb
    for _ in range(3):  # up a participle: "K2.5 ranks second, eclipsed only by ..."
        for c in v.children:
            if c.dep_ in {"nsubj", "nsubjpass"}:
                own = [m for m in ctx.res.expand(c) if m.cls in {"Company", "Product"}]
                own = own or [m for p in c.children if p.dep_ == "poss"
                              for m in ctx.res.refer(p) if m.cls in {"Company", "Product"}]
                if own:
                    return own
        if v.tag_ != "VBN" or v.dep_ not in {"advcl", "acl", "conj"} or any(
                c.dep_ in {"nsubj", "nsubjpass"} for c in v.children):
            break
        v = v.head
    return ctx.subjects(verb, "Company")


@rule("rival", OnToken("rival_nouns", pos=frozenset({"NOUN", "ADJ"})), ("competesWith",),
      "competitors like Alibaba; CoreWeave, a rival to Oracle")
def rival_rule(ctx: Context, tok: Token, sent: Span) -> None:
    """Rivals and competitors: in apposition with whom they rival, or of a clause's subject."""
    rivals = ctx.res.expand(tok)
    rivals = [r for r in rivals if r.cls in {"Company", "Product"}]
    named = [r for r in rivals if ctx.doc[r.end - 1].dep_ != "poss" and not (
        r.end < len(ctx.doc) and ctx.doc[r.end].lower_ in {"'s", "\u2019s"})]  # not Alphabet of
    rivals = named or rivals  # "rivals like Alphabet's Gemini"
    titled = False
    if not rivals and tok.dep_ in {"compound", "amod", "nmod"} and tok.i < tok.head.i:
        # "Chinese rival Zhipu": the name the noun is a title of
        named = ctx.res.mention(tok.head)
        rivals = [named] if named is not None and named.cls in {"Company", "Product"} else []
        titled = bool(rivals)
        tok = tok.head if titled else tok
    if not rivals:
        return
    # "CoreWeave, a rival to Oracle", "a competitor of Nvidia"
    others = ctx.via_prep(tok, {"to", "of"}, {"Company", "Product"})
    if others and tok.dep_ == "appos":
        for a in rivals:
            for r in others:
                if r is not a:
                    ctx.emit(a, "competesWith", r, [tok], "rival", 0.65, sent)
        return
    # "Zhipu's rival, DeepSeek": the possessor is the one rivalled
    anchors = [m for c in tok.children if c.dep_ == "poss"
               for m in ctx.res.refer(c) if m.cls in {"Company", "Product"}]
    t = tok
    for _ in range(4):
        if anchors or t.head.i == t.i:
            break
        t = t.head
        if t.pos_ in {"VERB", "AUX"}:
            anchors = _clause_subjects(ctx, t)
            break
        m = ctx.res.mention(t)
        if m is not None:
            anchors = [m]
            break
        # "xAI's position against rivals like OpenAI"
        anchors = [m for c in t.children if c.dep_ == "poss"
                   for m in ctx.res.refer(c) if m.cls in {"Company", "Product"}
                   and m not in rivals]
    for a in anchors:
        for r in rivals:
            if titled and a.cls == "Product" and r.cls == "Company":
                # "K2.5 trails only Chinese rival Zhipu": the product's maker is the rival's
                maker = product_maker(ctx, a)
                a = ctx.entity(maker, ctx.doc[a.start], "known-maker") if maker else a
            if a is not None and a is not r:
                ctx.emit(a, "competesWith", r, [tok], "rival", 0.65, sent)

@rule("rival-race", OnToken(frozenset({"race"}), pos=_NOUN), ("competesWith",),
      "a race among Chinese tech companies like Baidu, Alibaba, and Tencent")
def race_rule(ctx: Context, tok: Token, sent: Span) -> None:
    """ "a race among Chinese tech companies like Baidu, Alibaba, and Tencent"; firms that
    are "locked in a race" or "in a race" race one another."""
    group = [m for c in tok.children if c.dep_ == "prep" and c.lower_ in {"among", "between"}
             for p in c.children for m in ctx.res.expand(p, "Company")]
    if not group and tok.dep_ == "pobj" and tok.head.lower_ == "in" and \
            tok.head.head.pos_ in {"VERB", "AUX"}:  # "X, Y and Z are locked in a race"
        group = ctx.subjects(tok.head.head, "Company")
    for a, b in combinations(group, 2):
        ctx.emit(a, "competesWith", b, [tok], "rival-race", 0.6, sent)

@rule("rival-comparable", OnToken("comparable_words"), ("competesWith",),
      "Hunyuan T1 offers results comparable to GPT-4o")
def comparable_rule(ctx: Context, tok: Token, sent: Span) -> None:
    """A firm's or product's performance "comparable to", "on par with" another's: rivals.
    The rivalled are after "to" or "with"; the rival is the subject of the clause."""
    others = ctx.via_prep(tok, {"to", "with"}, {"Company", "Product"})
    named = [m for m in others if ctx.doc[m.end - 1].dep_ != "poss"]  # not OpenAI of
    others = named or others  # "OpenAI's ChatGPT"
    if not others:
        return
    t = tok
    anchors: list[Mention] = []
    for _ in range(4):
        if t.head.i == t.i:
            break
        t = t.head
        if t.pos_ in {"VERB", "AUX"}:
            anchors = _clause_subjects(ctx, t)
            break
    ctx.emit_each(anchors, "competesWith", others, [tok], "rival-comparable", 0.55, sent)


@rule("partner", OnToken("partner_nouns", pos=_NOUN), ("partnersWith", "uses"),
      "ByteDance's collaboration with Nvidia; a joint venture with Meta")
def partner_noun_rule(ctx: Context, tok: Token, sent: Span) -> None:
    """Nouns of partnership (a joint venture too): the owner partners with the firm after
    "with"; a partnership with a data center is using it."""
    if tok.lemma_.lower() == "venture" and not any(c.lower_ in {"joint", "their"}
                                                   for c in tok.children):
        return  # "their venture" is a joint one: its owners partner
    if denied(ctx, tok):
        return
    word = tok.lemma_.lower()
    if word == "tie" and tok.dep_ == "compound" and tok.head.lower_ == "up":
        tok = tok.head  # "a tie-up with Honda": the phrase is headed by "up"
    owners = [m for c in tok.children if c.dep_ == "poss" for m in ctx.res.refer(c)]
    if not owners and tok.dep_ == "ROOT":
        owners = ctx.subjects(tok, "Company")
    if not owners and tok.head.pos_ in {"VERB", "AUX"}:
        owners = ctx.subjects(tok.head, "Company")
    if not owners and tok.dep_ == "pobj" and tok.head.lower_ in {"in", "through", "under"}:
        verb = verb_above(tok)  # "built an AI zone in partnership with Humain"
        owners = ctx.subjects(verb, "Company") if verb is not None else []
    partners = [m for c in tok.children if c.dep_ == "prep" and c.lower_ == "with"
                for p in c.children for m in ctx.np_mentions(p, {"Company", "DataCenter"})]
    if word in {"tie", "partnership", "alliance"}:  # "deepens Mistral ties"
        partners += [m for c in tok.children if c.dep_ == "compound"
                     for m in ctx.res.refer(c, "Company")]
    if not partners and tok.dep_ == "pobj" and tok.head.lower_ in {"under", "through"}:
        verb = verb_above(tok)  # "agreed to supply Humain with chips under a collaboration"
        partners = [m for c in (verb.children if verb is not None else ()) if c.dep_ in {
            "dobj", "dative"} for m in ctx.res.expand(c, "Company")]
    _pairwise_partners(ctx, tok, sent, owners, partners, "partner")
    if not partners and word in {"venture", "partnership", "alliance", "collaboration"} and \
            any(c.dep_ == "poss" and c.lower_ == "their" for c in tok.children):
        above = verb_above(tok)  # "X, Y and Z will build ... under their Stargate venture"
        group = ctx.subjects(above, "Company") if above is not None else []
        group = group if len(group) > 1 else [m for m in owners if m.cls == "Company"]
        for a, b in combinations(group, 2):
            if a.key != b.key:
                ctx.emit(a, "partnersWith", b, [tok], "partner", 0.6, sent)
    for s in owners:
        for o in partners:
            prop = "uses" if o.cls == "DataCenter" else "partnersWith"
            ctx.emit(s, prop, o, [tok], "partner", 0.65, sent)

def _pairwise_partners(ctx: Context, tok: Token, sent: Span, owners: list[Mention],
                       partners: list[Mention], rule_id: str) -> None:
    """ "a joint venture between X and Y", "X and Y announced a partnership": with no partner
    after "with", the firms the noun is between, or its joint owners, partner one another."""
    if partners:
        return
    group = [m for c in tok.children if c.dep_ == "prep" and c.lower_ == "between"
             for p in c.children for m in ctx.res.expand(p, "Company")]
    if len(group) < 2 and len(owners) > 1 and tok.dep_ == "dobj":
        group = [m for m in owners if m.cls == "Company"]
    for a, b in combinations(group, 2):
        ctx.emit(a, "partnersWith", b, [tok], rule_id, 0.6, sent)


@rule("partner-deal", OnToken("deal_nouns", pos=_NOUN), ("partnersWith",),
      "OpenAI signed a cloud deal with Oracle; an agreement between Samsung and OpenAI")
def deal_rule(ctx: Context, tok: Token, sent: Span) -> None:
    """Deals, agreements, contracts between firms: the firm that signs, strikes or reaches a
    deal "with" another partners with it; firms a deal is between partner one another."""
    if tok.head.pos_ in {"VERB", "AUX"} and ctx.negated(tok.head) or denied(ctx, tok):
        return
    of_objs = [p for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"
               for p in c.children if p.dep_ == "pobj"]
    if tok.lemma_.lower() == "letter" and not any(p.lower_ == "intent" for p in of_objs):
        return
    owners = [m for c in tok.children if c.dep_ == "poss" for m in ctx.res.refer(c, "Company")]
    if not owners and tok.dep_ == "dobj":
        owners = ctx.subjects(tok.head, "Company") or person_firms(ctx, tok.head)
    partners = [m for c in tok.children if c.dep_ == "prep" and c.lower_ == "with"
                for p in c.children for m in ctx.res.expand(p, "Company")]
    if not partners:  # "a memorandum of understanding with X", "a letter of intent with X"
        partners = [m for o in of_objs for c in o.children if c.dep_ == "prep"
                    and c.lower_ == "with" for p in c.children
                    for m in ctx.res.expand(p, "Company")]
    if not partners:  # "signed a deal with the chipmaker": the firm it refers to
        partners = [m for o in [tok] + of_objs for c in o.children if c.dep_ == "prep"
                    and c.lower_ == "with" for p in c.children if p.pos_ == "NOUN"
                    for m in ctx.res.refer(p, "Company")]
    if not partners and tok.dep_ == "dobj":  # "signed a deal in May with Oracle"
        partners = [m for c in tok.head.children if c.dep_ == "prep" and c.lower_ == "with"
                    for p in c.children for m in ctx.res.expand(p, "Company")]
    partners = [m for m in partners if ctx.doc[m.end - 1].dep_ != "poss" and not any(
        c.dep_ == "case" for c in ctx.doc[m.end - 1].children)]  # "with A and Y's pact"
    _pairwise_partners(ctx, tok, sent, owners, partners, "partner-deal")
    ctx.emit_each(owners, "partnersWith", partners, [tok], "partner-deal", 0.6, sent)


@rule("investment", OnToken("investment_nouns", pos=_NOUN), ("investsIn",),
      "Amazon's $4 billion investment in Anthropic; Zhipu received an investment from Huafa")
def investment_rule(ctx: Context, tok: Token, sent: Span) -> None:
    """An investment noun: its possessor, or the subject of the verb making it, invests in
    what follows "in"; an investment received, won or secured "from" a backer is the
    backer's in the subject."""
    verb = tok.head if tok.dep_ == "dobj" else None
    if verb is not None and ctx.negated(verb) or denied(ctx, tok):
        return
    targets = [m for c in tok.children if c.dep_ == "prep" and c.lower_ in {"in", "into"}
               for p in c.children for m in ctx.np_mentions(p, {"Company", "Product",
                                                                "DataCenter", "Place"})]
    compound_places = [m for c in tok.children if c.dep_ == "compound"  # "Arizona investments"
                       for m in [ctx.place_ref(c)] if m is not None]
    if not targets:  # "a $6.8 billion outlay to set up data centres in Hyderabad"
        targets = purpose_targets(ctx, tok, to_phrase=True)
    if not targets and verb is not None and verb.lemma_.lower() in ctx.cue("make_verbs"):
        targets = purpose_targets(ctx, verb, to_phrase=True)  # parsed as "announced ... to"
    backers = [m for c in tok.children if c.dep_ == "prep" and c.lower_ == "from"
               for p in c.children for m in ctx.res.expand(p, "Company")]
    if verb is not None and verb.lemma_.lower() in ctx.cue("raise_verbs"):
        backers += [m for c in verb.children if c.dep_ == "prep" and c.lower_ == "from"
                    for p in c.children for m in ctx.res.expand(p, "Company")]
        if backers and not targets:
            targets = ctx.subjects(verb, "Company")
            ctx.emit_each(backers, "investsIn", targets, [tok], "investment", 0.6, sent)
            return
    investors = [m for c in tok.children if c.dep_ == "poss" for m in ctx.res.refer(c, "Company")]
    if not investors and verb is not None and verb.lemma_.lower() in ctx.cue("make_verbs"):
        investors = ctx.subjects(verb, "Company") or person_firms(ctx, verb)
    if not investors and tok.dep_ == "pobj" and tok.head.head.pos_ == "VERB" and \
            tok.head.head.lemma_.lower() in ctx.cue("make_verbs"):  # "making a $5bn investment"
        investors = ctx.subjects(tok.head.head, "Company")
    if compound_places and not targets:
        targets = compound_places
        above = verb_above(tok)  # "Backed by $20 billion in planned Ohio investments, Intel"
        if not investors and above is not None and not ctx.negated(above) and (
                above.lemma_.lower() in ctx.cue("make_verbs") | {"back"}):
            investors = ctx.subjects(above, "Company")
    ctx.emit_each(investors or backers, "investsIn", targets, [tok], "investment", 0.6, sent)


@rule("backer", OnToken("backer_nouns", pos=_NOUN), ("investsIn",),
      "Microsoft, its largest backer; Tencent is an investor in Zhipu")
def backer_rule(ctx: Context, tok: Token, sent: Span) -> None:
    """Backers and investors: "X, Y's largest backer", "X is an investor in Y", "Y's backers
    such as X": the backer invests in the firm it backs."""
    backed = [m for c in tok.children if c.dep_ == "poss" for m in ctx.res.refer(c, "Company")]
    backed += [m for c in tok.children if c.dep_ == "prep" and c.lower_ in {"in", "of", "behind"}
               for p in c.children for m in ctx.np_mentions(p, {"Company", "Product",
                                                                "DataCenter"})]
    if not backed:
        return
    backers = [m for m in ctx.res.expand(tok, "Company") if m not in backed]
    if not backers and tok.dep_ == "attr":
        backers = ctx.subjects(tok.head, "Company")
    ctx.emit_each(backers, "investsIn", backed, [tok], "backer", 0.6, sent)


@rule("meeting", OnToken("meeting_nouns", pos=_NOUN), ("meetsWith",),
      "a summit between Donald Trump and Xi Jinping")
def meeting_noun_rule(ctx: Context, tok: Token, sent: Span) -> None:
    """People a meeting is between or with met each other."""
    people = ctx.via_prep(tok, {"between", "with"}, {"Person"})
    if people and not ctx.via_prep(tok, {"between"}, {"Person"}):
        # "Huang reported on the meeting with He Lifeng": the clause's subject is the other
        v = tok.head
        while v.pos_ not in {"VERB", "AUX"} and v.head.i != v.i:
            v = v.head
        if v.pos_ in {"VERB", "AUX"}:
            people = [m for m in ctx.subjects(v, "Person") if m not in people] + people
    for a, b in combinations(people, 2):
        ctx.emit(a, "meetsWith", b, [tok], "meeting", 0.7, sent)

def _join_target(ctx: Context, verb: Token) -> list[Mention]:
    """The firm people join or defect to: "join Meta", "defect to Google DeepMind"."""
    return [m for c in verb.children if c.dep_ in {"dobj", "attr"}
            for m in ctx.res.expand(c, "Company")] + [
        m for c in verb.children if c.dep_ == "prep" and c.lower_ in {"to", "for"}
        for p in c.children for m in ctx.res.expand(p, "Company")]


@rule("talent", OnToken("talent", pos=_NOUN), ("hiresFrom",),
      "talent from US companies like OpenAI; job offers from Chinese firms, including Alibaba")
def talent_rule(ctx: Context, tok: Token, sent: Span) -> None:
    """ "talent from US companies like OpenAI", "experts from Microsoft Research Asia": the
    firm that hires, attracts or recruits them hires from the source; people from a firm who
    join or defect to another ("talent from OpenAI and Anthropic join Meta", also as a
    headline the parser breaks) are hired by it; people from a firm who do something else
    ("executives from TSMC commemorated ...") are hired by no one."""
    sources = [m for c in tok.children if c.dep_ == "prep" and c.lower_ == "from"
               for p in c.children for m in ctx.res.expand(p, "Company")]
    if not sources:
        return
    joins = ctx.cue("join_verbs")
    # a list the parser breaks ("from OpenAI, Deepmind, and Anthropic join Meta")
    start = next(c.i for c in tok.children if c.dep_ == "prep" and c.lower_ == "from")
    stop = sent.end
    for t in ctx.doc[start + 1: sent.end]:
        if t.pos_ in {"VERB", "AUX"} or t.lemma_.lower() in joins or t.lower_ in {
                ".", ";", "while", "but", "because"}:
            stop = t.i
            break
        m = ctx.res.mention(t)
        if m is not None and m.cls == "Company" and m not in sources:
            sources.append(m)
    hirers: list[Mention] = []
    t = tok
    subject = False
    verb: Token | None = None
    for _ in range(5):
        if t.head.i == t.i:
            break
        subject = subject or t.dep_ in {"nsubj", "nsubjpass"}
        t = t.head
        if t.pos_ in {"VERB", "AUX"} and t.lemma_.lower() not in {"be", "have"}:
            verb = t
            hirers = _join_target(ctx, t) if t.lemma_.lower() in joins and subject else \
                ctx.subjects(t, "Company")
            if hirers:
                break
    if verb is None and stop < sent.end and ctx.doc[stop].lemma_.lower() in joins:
        # a headline with no verb: "Top AI talent from OpenAI ... join Meta"
        hirers = next(([m] for t in ctx.doc[stop + 1: sent.end]
                       if (m := ctx.res.mention(t)) is not None and m.cls == "Company"), [])
    if not hirers and not (subject and verb is not None):
        for c in ctx.toks(sent):
            if c.dep_ in {"nsubj", "nsubjpass"}:
                for x in c.subtree:
                    if x.dep_ == "poss":
                        hirers += ctx.res.refer(x, "Company")
        if not hirers:
            hirers = ctx.res.recent_group(tok.i) or (
                [r] if (r := ctx.res._recent(tok.i, "Company")) else [])
    # "job offers from Chinese firms, including Alibaba" names the hirer
    for c in ctx.toks(sent):
        if c.lemma_.lower() == "offer" and c.pos_ == "NOUN":
            hirers = ctx.via_prep(c, {"from"}, {"Company"}) or hirers
    for h in hirers:
        for s in sources:
            if h not in sources:
                ctx.emit(h, "hiresFrom", s, [tok], "talent", 0.55, sent)

@rule("known", OnSentence(), ("develops", "owns"),
      "Moonshot's flagship product is Kimi (known-maker)")
def known_rules(ctx: Context, sent: Span) -> None:
    """Co-mention backed by the gazetteer: a product and its maker, a unit and its parent
    (``known-maker``, ``known-parent``: background knowledge, confidence 0.5, never shown as
    stated by the sentence); a maker named inside a known name ("Nvidia H800") is stated by
    the text (``name-maker``)."""
    ms = [m for m in ctx.sent_mentions(sent) if m.known]
    keys = {m.key: m for m in ms}
    for m in ms:
        maker = ctx.gaz.maker_of(m.key)
        first = ctx.gaz.lookup(ctx.doc[m.start].text)
        if maker and m.end - m.start > 1 and first is not None and first.label == maker \
                and maker not in keys:
            made_by = ctx.entity(maker, ctx.doc[m.start], "known-maker")
            if made_by is not None:  # "Nvidia H800": the maker named in the name
                ctx.emit(made_by, "develops", m, [ctx.doc[m.start]], "name-maker", 0.7,
                         sent)
                if m.cls == "Product" and made_by not in ctx.virtual:
                    # "DeepSeek R1" in an article about DeepSeek: the firm's own product
                    ctx.emit(made_by, "owns", m, [ctx.doc[m.start]], "name-maker", 0.65,
                             sent)
        if maker in keys and m.cls in {"Product", "Chip"}:
            ctx.emit(keys[maker], "develops", m, [], "known-maker", 0.5, sent)
            if m.cls == "Product":
                ctx.emit(keys[maker], "owns", m, [], "known-maker", 0.5, sent)
        parent = ctx.gaz.parent_of(m.key)
        if parent in keys and m.cls in {"Company", "Product"}:
            ctx.emit(keys[parent], "owns", m, [], "known-parent", 0.5, sent)
