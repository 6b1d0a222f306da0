"""Verb rules: a trigger verb (``ontology/lexicon/triggers.tsv``) with its subjects and
objects gives the verb's property. One rule per property, ``verb:<property>``, plus the verb
families that need more than a subject and an object (passive agents, money raised from a
backer, building "with" a partner, people as agents of founding and leading).

Every verb rule runs at a verb that is not negated ("Alibaba did not buy ..." gives nothing).
"""

from __future__ import annotations

from itertools import combinations

from spacy.tokens import Span, Token

from ..context import Context
from ..spans import Mention
from .money_words import denied, is_money, purpose_places, purpose_targets
from .registry import OnToken, rule

_PASSIVE_PROPS = ("develops", "owns", "purchases", "operates", "investsIn")


def _verb(words: str) -> OnToken:
    return OnToken(words, verb=True)


# --------------------------------------------------------------------- people as agents
def _passive_person(ctx: Context, verb: Token, sent: Span, prop: str) -> None:
    people = [m for c in verb.children if c.dep_ == "agent" for p in c.children
              for m in ctx.res.expand(p, "Person")]
    if not people:  # "founded by OpenAI cofounder Ilya Sutskever": the title's holder
        people = [m for c in verb.children if c.dep_ == "agent" for p in c.children
                  if p.lemma_.lower() in ctx.lex.titles for a in p.children
                  if a.dep_ == "appos" for m in ctx.res.expand(a, "Person")]
    if not people:
        return
    orgs: list[Mention] = []
    unit_owners: list[Mention] = []
    targets = [c for c in verb.children if c.dep_ == "nsubjpass"]
    if not targets and verb.dep_ in {"advcl", "xcomp", "conj"}:  # "was co-founded by"
        targets = [c for c in verb.head.children if c.dep_ == "nsubjpass"]
    lead = verb.head if verb.dep_ == "conj" and verb.head.dep_ == "advcl" else verb
    if not targets and lead.dep_ == "advcl" and lead.i < lead.head.i:
        # "Backed by PIF and chaired by X, Humain aims ...": the main clause's subject
        targets = [c for c in lead.head.children if c.dep_ == "nsubj"]
    if verb.dep_ in {"acl", "relcl"}:
        targets.append(verb.head)
    for t in targets:
        if t.lower_ in {"which", "that", "who"}:
            t = verb.head if verb.dep_ == "relcl" else t
        found = [m for m in ctx.res.expand(t) if m.cls in {"Company", "GovernmentBody"}]
        k = min([t.i] + [c.left_edge.i for c in t.children
                         if c.dep_ in {"det", "amod", "compound", "nmod"}]) - 1
        if not found and (t.dep_ == "appos" or ctx.lex.heads.get(t.lemma_.lower()) == "Company") \
                and k > sent.start and \
                ctx.doc[k].text == ",":  # "Nova Labs, the AI startup founded by"
            before = ctx.res.mention(ctx.doc[k - 1])
            found = [before] if before is not None and before.cls == "Company" else []
        if not found and t.pos_ == "NOUN" and prop == "founded":  # "the firm founded by X"
            found = [m for m in ctx.res.refer(t, "Company")]
        if not found and t.lemma_.lower() in ctx.cue("facility"):
            unit_owners += [m for c in t.children if c.dep_ == "poss"
                            for m in ctx.res.refer(c, "Company")]
        orgs += found
    for p in people:
        for o in orgs:
            ctx.emit(p, prop, o, [verb], f"passive:{prop}", 0.7, sent)
        for o in unit_owners:  # heads an unnamed unit of the company
            ctx.emit(p, "worksFor", o, [verb], "passive:unit", 0.6, sent)


@rule("passive:founded", _verb("passive_founded"), ("founded",),
      "the Hangzhou-based startup founded by Liang Wenfeng")
def passive_founded(ctx: Context, verb: Token, sent: Span) -> None:
    """A person as the agent of founding: founded."""
    _passive_person(ctx, verb, sent, "founded")


@rule("passive:leads", _verb("passive_leads"), ("leads", "worksFor"),
      "G42, chaired by Sheikh Tahnoon; its lab, which is led by Alexandr Wang (worksFor)")
def passive_leads(ctx: Context, verb: Token, sent: Span) -> None:
    """A person as the agent of leading, chairing, heading a named organisation: leads; of
    heading an unnamed unit of a firm: works for the firm (``passive:unit``)."""
    _passive_person(ctx, verb, sent, "leads")


# --------------------------------------------------------------------- families beside triggers
@rule("verb:investsIn-raise", _verb("raise_verbs"), ("investsIn",),
      "Zhipu raised funds from Tencent")
def raise_from(ctx: Context, verb: Token, sent: Span) -> None:
    """Money raised, received or secured from a backer: the backer invests."""
    if not any(t.lemma_.lower() in ctx.cue("funding") or (
            t.dep_ == "dobj" and t.head.i == verb.i and is_money(ctx, t)) for t in verb.subtree):
        return  # "raised funds from", "raised $2 billion from"
    if denied(ctx, verb):
        return
    for backer in ctx.via_prep(verb, {"from"}, {"Company"}):
        for s in ctx.subjects(verb, "Company"):
            ctx.emit(backer, "investsIn", s, [verb], "verb:investsIn-raise", 0.6, sent)


@rule("verb:partnersWith-with", _verb("with_partner_verbs"), ("partnersWith",),
      "a campus it is building with OpenAI and Oracle")
def with_partner(ctx: Context, verb: Token, sent: Span) -> None:
    """Building, developing, working "with" another firm: partners."""
    partners = [m for c in verb.children if c.dep_ == "prep" and c.lower_ == "with"
                for p in c.children for m in ctx.res.refer(p, "Company")]
    if partners:
        ctx.emit_each(ctx.subjects(verb, "Company"), "partnersWith", partners, [verb],
                      "verb:partnersWith-with", 0.6, sent)


@rule("regulation-subject-to", _verb("triggers:restricts"), ("targets",),
      "the rules restrict exports to China")
def restricted_to(ctx: Context, verb: Token, sent: Span) -> None:
    """A regulation restricting something "to", "for" or "against" a place targets it."""
    for reg in ctx.subjects(verb, "Regulation"):
        for t in verb.subtree:
            if t.dep_ == "prep" and t.lower_ in {"to", "for", "against"}:
                for x in t.subtree:
                    pl = ctx.place_ref(x) if x.dep_ in {"pobj", "conj", "appos"} else None
                    if pl is not None:  # not "access to U.S. technology"
                        ctx.emit(reg, "targets", pl, [verb], "regulation-subject", 0.6, sent)


def _passive_agents(ctx: Context, verb: Token) -> list[Mention]:
    """The companies named by a passive's agent ("developed by ByteDance"), when the verb is
    a trigger of making, owning, buying, operating or investing; what is "powered by" or "used by"
    something is used, not made (the verb's object rules read it)."""
    lemma = verb.lemma_.lower()
    if lemma in ctx.cue("passive_used_verbs") or not any(
            lemma in ctx.lex.triggers.get(p, ()) for p in _PASSIVE_PROPS):
        return []
    return ctx.cached(("agents", verb.i), lambda: [
        m for c in verb.children if c.dep_ == "agent" for p in c.children
        for m in ctx.res.expand(p, "Company")])


@rule("verb-passive", _verb("triggers:" + "+".join(_PASSIVE_PROPS)), _PASSIVE_PROPS,
      "Doubao, developed by ByteDance")
def passive_agent(ctx: Context, verb: Token, sent: Span) -> None:
    """The agent of a passive makes, owns, buys, operates or backs (invests in) its patient,
    also the subject after a leading participle ("Backed by PIF, Humain ..."). A verb read
    this way gives no other verb relation."""
    agents = _passive_agents(ctx, verb)
    if not agents:
        return
    patients = [m for c in verb.children if c.dep_ == "nsubjpass" for m in ctx.np_mentions(c)]
    if verb.dep_ == "acl":
        patients += list(ctx.res.refer(verb.head))
    if not patients and verb.dep_ == "advcl" and verb.i < verb.head.i:  # "Backed by PIF, Humain"
        patients = ctx.subjects(verb.head, "Company")
    lemma = verb.lemma_.lower()
    own = ctx.res.mention(verb.head)  # "Zhipu, which is backed by X": the head alone
    relcl = [own] if not patients and verb.dep_ == "relcl" and own is not None and \
        own.cls in {"Company", "DataCenter", "Product"} else []
    for prop in ctx.lex.triggers:
        if prop in _PASSIVE_PROPS and lemma in ctx.lex.triggers[prop]:
            for a in agents:
                for o in patients + (relcl if prop == "investsIn" else []):
                    ctx.emit(a, prop, o, [verb], f"verb-passive:{prop}", 0.65, sent)


# --------------------------------------------------------------------- one rule per property
def _subjects(ctx: Context, verb: Token, prop: str) -> list[Mention]:
    """The verb's subjects of the property's domain."""
    if prop in {"founded", "leads", "worksFor", "meetsWith", "basedIn"}:
        return ctx.subjects(verb, "Person")
    if prop in {"restricts", "targets"}:
        return ctx.subjects(verb, "Regulation")
    if prop == "competesWith":  # a product is its own subject: "Claude outperformed GPT-4"
        v = verb
        for _ in range(4):  # the nearest subject up the chain, a firm or a product ("Ernie
            subs = [c for c in v.children if c.dep_ in {"nsubj", "nsubjpass"}]  # Bot has
            own = [m for c in subs for m in ctx.res.expand(c)  # 13m users, trailing behind")
                   if m.cls in {"Company", "Product"}]
            if own or (subs and v.dep_ not in {"xcomp", "advcl", "conj", "acl"}) or \
                    v.head.i == v.i or v.dep_ in {"ccomp", "relcl"}:
                break
            v = v.head
        return own or ctx.subjects(verb, "Company") or ctx.subjects(verb, "Product")
    return ctx.subjects(verb, "Company")


def _verb_rule(prop: str, example: str):
    """Register ``body(ctx, verb, lemma, subjects, sent) -> objects`` as ``verb:<prop>``: the
    rule skips negated and passive-agent verbs and verbs whose subject is not of the
    property's domain, and states the property from each subject to each object."""

    def register(body):
        def run_rule(ctx: Context, verb: Token, sent: Span) -> None:
            lemma = verb.lemma_.lower()
            if _passive_agents(ctx, verb):
                return
            if prop in {"restricts", "targets", "supplies"} and \
                    lemma in ctx.cue("not_supplying_verbs"):
                return
            subs = _subjects(ctx, verb, prop)
            if not subs:
                return
            objs = body(ctx, verb, lemma, subs, sent)
            for s in subs:
                for o in objs or ():
                    if prop == "develops" and o.cls == "Product" and lemma in {"build", "make"}:
                        continue
                    if prop == "develops" and o.cls == "Product" and s.cls == "Company" and \
                            lemma in ctx.cue("release_verbs"):
                        ctx.emit(s, "owns", o, [verb], "verb:owns-release", 0.55, sent)
                    ctx.emit(s, prop, o, [verb], f"verb:{prop}", 0.65, sent)

        run_rule.__doc__ = body.__doc__
        run_rule.__name__ = body.__name__
        props = (prop, "owns") if prop == "develops" else (prop,)
        rule(f"verb:{prop}", _verb(f"triggers:{prop}"), props, example)(run_rule)
        return body

    return register


def _made_used_or_run(ctx: Context, verb: Token) -> list[Mention]:
    return ctx.verb_objects(verb, set(), {"Chip", "Product", "DataCenter"})


@_verb_rule("purchases", "ByteDance is buying Nvidia's H20 chips")
def purchases(ctx, verb, lemma, subs, sent):
    """Buying, ordering, stockpiling chips or products; a verb whose own subject names
    someone else ("X, which Musk acquired") is not the firm's purchase."""
    if any(c.dep_ == "nsubj" and c.pos_ == "PROPN" and not ctx.res.expand(c, "Company")
           for c in verb.children):
        return []
    return _made_used_or_run(ctx, verb)


def owner_subject(ctx: Context, verb: Token) -> list[Mention]:
    """The firm whose thing is the verb's subject: "OpenAI's infrastructure, which will use
    AMD GPUs", "Meta's models run on Nvidia chips" -> the possessor."""
    for c in verb.children:
        if c.dep_ != "nsubj":
            continue
        s = verb.head if c.lower_ in {"which", "that"} and verb.dep_ == "relcl" else c
        if ctx.res.mention(s) is not None:
            return []
        return [m for p in s.children if p.dep_ == "poss" for m in ctx.res.refer(p, "Company")]
    return []


@_verb_rule("uses", "ByteDance turned to data centers in Malaysia")
def uses(ctx, verb, lemma, subs, sent):
    """Using, relying on, turning to, training at something the subject does not own; what is
    trained is made, not used: only what it is trained on, at or in is used."""
    if owner_subject(ctx, verb):
        return []  # "OpenAI's infrastructure, which will use ...": the rule uses-owner
    child_preps = {c.lower_ for c in verb.children if c.dep_ in {"prep", "prt", "agent"}}
    if lemma == "power" and "by" not in child_preps:
        return []  # "chips to power a data center": the firm runs it, does not rent it
    need = {"turn": {"to"}, "rely": {"on"}, "train": {"at", "in", "on", "abroad"}}
    if lemma in need and not child_preps & need[lemma] and lemma != "train":
        return []
    if lemma == "train":
        dobj_preps = {p.lower_ for c in verb.children if c.dep_ == "dobj"
                      for p in c.children if p.dep_ == "prep"}
        if not (child_preps | dobj_preps) & need["train"]:
            return []
        objs = ctx.via_prep(verb, {"on", "at", "in", "using"}, {"Chip", "Product", "DataCenter"})
        objs += [m for c in verb.children if c.dep_ == "dobj"  # "trained its model on H800s"
                 for pp in c.children if pp.dep_ == "prep" and pp.lower_ in {
                     "on", "at", "in", "using"}
                 for p in pp.children for m in ctx.np_mentions(p, {
                     "Chip", "DataCenter", "Product"})]
        return objs
    preps = {"to", "on", "at", "in", "from", "by"}
    if any(c.dep_ == "dobj" for c in verb.children):  # "use the chips at a new campus"
        preps -= {"at", "in"}
    return ctx.verb_objects(verb, preps, {"Chip", "Product", "DataCenter"})


@_verb_rule("operates", "Oracle operates a data center in Abilene")
def operates(ctx, verb, lemma, subs, sent):
    """Operating, running, building, owning a data center; the partners of a joint venture
    formed to build or run it operate it too ("Meta formed a joint venture with Blue Owl to
    build the Hyperion campus")."""
    objs = _made_used_or_run(ctx, verb)
    centers = [o for o in objs if o.cls == "DataCenter"]
    if centers:
        ctx.emit_each(_venture_partners(ctx, verb), "operates", centers, [verb], "verb:operates",
                      0.6, sent)
    return objs


def _venture_partners(ctx: Context, verb: Token) -> list[Mention]:
    """The firms named "with" a joint venture (or partnership) that a verb is the purpose of:
    "formed a joint venture with X to build ...", "a partnership with X to run ..."."""
    ventures = ctx.cue("venture_nouns")
    t = verb
    for _ in range(3):
        if t.dep_ not in {"xcomp", "advcl", "acl", "conj", "relcl"} or t.head.i == t.i:
            return []
        t = t.head
        nouns = [t] if t.pos_ == "NOUN" else [c for c in t.children if c.dep_ == "dobj"]
        nouns = [n for n in nouns if n.lemma_.lower() in ventures]
        if nouns:
            return [m for g in (t, *nouns) for c in g.children
                    if c.dep_ == "prep" and c.lower_ == "with"
                    for p in c.children for m in ctx.res.expand(p, "Company")]
    return []


@_verb_rule("develops", "Baidu launched Ernie Bot; Alibaba released Qwen3 (owns too)")
def develops(ctx, verb, lemma, subs, sent):
    """Developing, designing, launching a product or chip; releasing a product also owns it
    (``verb:owns-release``); building or making a product is not developing it."""
    return _made_used_or_run(ctx, verb)


@_verb_rule("investsIn", "Nvidia said it would invest up to $100 billion in OpenAI")
def invests(ctx, verb, lemma, subs, sent):
    """Investing in, funding, spending on something, also when the parser hangs "in" on the
    sum; "invests in OpenAI's data centers" is not in OpenAI."""
    kinds = {"Place", "Company", "DataCenter", "Product"}
    objs = ctx.verb_objects(verb, {"in", "into"}, kinds)
    sums = ctx.cue("funding") | ctx.cue("sum_words")
    objs += [m for c in verb.children if c.dep_ == "dobj" and (
        c.like_num or c.lemma_.lower() in sums)
        for m in ctx.via_prep(c, {"in", "into"}, kinds) if m not in objs]
    phrase = {t.i for c in verb.children if c.dep_ in {"prep", "dobj"} for t in c.subtree}
    objs = [m for m in objs if m.cls != "Company" or m.start not in phrase
            or ctx.doc[m.start].dep_ != "poss"]
    for c in verb.children:
        if c.dep_ == "prep" and c.lower_ in {"in", "into"}:
            for g in c.children:
                if g.dep_ == "pcomp" or g.pos_ == "VERB":
                    objs += ctx.via_prep(g, {"in"}, {"Place"})
    # "invest $3 billion to build data centers in Wisconsin"
    objs += [m for m in purpose_targets(ctx, verb) if m not in objs]
    # "a cluster in Yongin, where SK Hynix plans to invest": the place the clause hangs on
    rel = verb if verb.dep_ == "relcl" else verb.head if verb.dep_ == "xcomp" and \
        verb.head.dep_ == "relcl" else None
    if rel is not None and any(c.dep_ == "advmod" and c.lower_ == "where"
                               for t in (verb, rel) for c in t.children):
        at = rel.head  # "Yongin, south of Seoul, where": the place the direction is from
        if at.dep_ == "pobj" and at.head.lower_ == "of" and at.head.head.lower_ in {
                "north", "south", "east", "west", "northeast", "northwest", "southeast",
                "southwest", "outside"}:
            at = at.head.head.head
        where = ctx.res.mention(at)
        if where is not None and where.cls in {"Place", "DataCenter"} and where not in objs:
            objs.append(where)
        if where is not None and where.cls == "DataCenter":  # and the place it is in
            objs += [m for m in purpose_places(ctx, [where]) if m not in objs]
    return objs


def _after_from(ctx: Context, verb: Token, sent: Span) -> list[Mention]:
    """Companies listed after "from" up to the next verb: the parser often breaks long
    coordinations ("from competitors like Alibaba and start-ups such as 01.ai and Zhipu")."""
    start = next((c.i for c in verb.subtree if c.dep_ == "prep" and c.lower_ == "from"
                  and c.head.i in {verb.i, *(x.i for x in verb.children)}), None)
    if start is None:
        return []
    out: list[Mention] = []
    for t in ctx.doc[start + 1 : sent.end]:
        if t.pos_ == "VERB" or t.lower_ in {"while", "but", "because", "."}:
            break
        m = ctx.res.mention(t)
        if m is not None and m.cls == "Company" and m not in out:
            out.append(m)
    return out


@_verb_rule("hiresFrom", "SenseTime poached engineers from Megvii")
def hires(ctx, verb, lemma, subs, sent):
    """Hiring, recruiting, poaching from a firm; hiring people a phrase places at a firm
    ("hired Lyft CEO John Zimmer", "hired Zimmer, previously CEO of Lyft", "recruited ten
    experts, including several former Lyft staff") hires from it (a firm hired is none)."""
    objs = ctx.via_prep(verb, {"from"}, {"Company"}) + _after_from(ctx, verb, sent)
    people = [c for c in verb.children if c.dep_ == "dobj"]
    people += [cc for c in people for cc in c.conjuncts]
    for c in people:
        m = ctx.res.mention(c)
        if m is not None and m.cls != "Person":
            continue
        todo = [c]
        while todo:
            t = todo.pop()
            for x in t.children:
                if x.dep_ in _CLAUSES or x.dep_ in {"conj", "cc", "punct"}:
                    continue
                if x.dep_ == "prep" and x.lower_ not in {"of", "from", "at", "including"}:
                    continue
                todo.append(x)
                f = ctx.res.mention(x)
                if f is not None and f.cls == "Company" and x.dep_ in {
                        "compound", "poss", "pobj"} and f not in objs and f not in subs:
                    objs.append(f)
    return objs


@_verb_rule("partnersWith", "Microsoft partners with G42")
def partners(ctx, verb, lemma, subs, sent):
    """Partnering, collaborating, teaming up with a firm."""
    return ctx.via_prep(verb, {"with"}, {"Company"})


@_verb_rule("competesWith", "Moonshot competes with Alibaba's Qwen team")
def competes(ctx, verb, lemma, subs, sent):
    """Competing with, rivalling, surpassing, outperforming, trailing (behind) a firm or
    product, or eclipsed by it; a firm's team stands for the firm; firms that compete or race
    with no object named compete with one another."""
    preps = {"with", "against"} | ({"behind"} if lemma in ctx.cue("behind_verbs") else set())
    if verb.tag_ == "VBN":  # "eclipsed only by GLM-5"
        preps.add("by")
    if lemma in ctx.cue("behind_verbs") and lemma != "trail" and not any(
            c.lower_ == "behind" for c in verb.children):
        return []  # "falls" or "lags" alone is no rivalry
    heads = [c for c in verb.children if c.dep_ == "dobj"]
    heads += [p for c in verb.children if (c.dep_ == "prep" and c.lower_ in preps)
              or c.dep_ == "agent" for p in c.children if p.dep_ == "pobj"]
    if not heads and lemma in {"compete", "race"} and len(subs) > 1:
        for a, b in combinations(subs, 2):
            ctx.emit(a, "competesWith", b, [verb], "verb:competesWith", 0.6, sent)
    objs: list[Mention] = []
    # "compete with the likes of Google and Meta": the firms after "the likes of"
    heads = [p for h in heads for p in (
        [g for c in h.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children
         if g.dep_ == "pobj"] if h.lower_ == "likes" else [h])]
    for h in heads:
        found = ctx.res.expand(h)
        if not found and h.lemma_.lower() in ctx.cue("facility"):
            found = [m for c in h.children if c.dep_ == "poss"
                     for m in ctx.res.refer(c, "Company")]
        objs += found
    return objs


_CLAUSES = frozenset({"relcl", "acl", "advcl", "xcomp", "ccomp", "pcomp", "csubj", "parataxis"})


def _firm_list(ctx: Context, tok: Token) -> list[Mention]:
    """The firms a phrase names, with a list the parser hangs as an apposition ("power Dell,
    HP, and Lenovo": HP is an apposition of Dell and Lenovo its conjunct)."""
    out = list(ctx.res.expand(tok, "Company"))
    for c in tok.children:
        if c.dep_ == "appos" and ctx.res.mention(c) is not None:
            out += [m for m in ctx.res.refer(c, "Company") if m not in out]
    return out


def _recipients(ctx: Context, tok: Token) -> list[Mention]:
    """The firm a good goes to, named by the phrase headed by ``tok``: the firm itself, else
    the owner of what it names ("to OpenAI's flagship Stargate project" -> OpenAI, not the
    project's name)."""
    if ctx.res.mention(tok) is not None or tok.pos_ == "PRON":
        return _firm_list(ctx, tok)
    owners = [m for c in tok.children if c.dep_ == "poss" for m in ctx.res.refer(c, "Company")]
    return owners or ctx.np_mentions(tok, {"Company"})


@_verb_rule("supplies", "TSMC supplies Apple; Nvidia sells H20 chips to ByteDance")
def supplies(ctx, verb, lemma, subs, sent):
    """Supplying, selling, shipping goods to a firm (selling something that is not goods is
    not supplying); the firm a goods phrase goes to is its owner when the phrase names a
    project ("to OpenAI's Stargate project"); a firm that "powers" firms supplies them."""
    goods = {t.lemma_.lower() for c in verb.children if c.dep_ == "dobj" for t in c.subtree}
    if lemma in {"sell", "make", "manufacture"} and not goods & ctx.cue("goods") and not any(
            m.cls in {"Chip", "Product"} for c in verb.children if c.dep_ == "dobj"
            for m in ctx.np_mentions(c)):
        return []
    if lemma == "power":  # "TSMC will power Nvidia, Apple, and AMD"
        return [m for c in verb.children if c.dep_ == "dobj" for m in _firm_list(ctx, c)]
    objs: list[Mention] = []
    todo = [verb]  # the verb's own phrases, not its clauses ("to" of another verb)
    while todo:
        t = todo.pop()
        for c in t.children:
            if c.dep_ in {"prep", "dative"} and c.lower_ in {"to", "for"}:
                objs += [m for p in c.children if p.dep_ == "pobj"
                         for m in _recipients(ctx, p) if m not in objs]
            elif c.dep_ not in _CLAUSES and c.dep_ != "conj" and c.pos_ != "VERB":
                todo.append(c)
    if lemma in {"supply", "provide"}:
        objs += [m for c in verb.children if c.dep_ == "dobj"
                 for m in ctx.res.expand(c, "Company")]
    if not objs and verb.dep_ in {"acl", "advcl", "xcomp"} and goods & (
            ctx.cue("goods") | {"chip"}):
        # "signed a letter of intent with Anthropic to supply HBM chips": the firm the deal
        # is with gets the goods
        gov = verb.head
        for t in [gov, *(c for c in gov.children if c.dep_ == "dobj")]:
            if t.lemma_.lower() not in ctx.cue("deal_nouns") | {"letter"}:
                continue  # not "a joint venture with Meta to sell tools": selling together
            objs += [m for c in t.children if c.dep_ == "prep" and c.lower_ == "with"
                     for p in c.children for m in ctx.res.expand(p, "Company")
                     if m not in objs]
    return objs


@_verb_rule("owns", "Alibaba owns Lazada")
def owns(ctx, verb, lemma, subs, sent):
    """Owning, acquiring, controlling a firm."""
    return [m for c in verb.children if c.dep_ == "dobj" for m in ctx.res.refer(c, "Company")]


@_verb_rule("meetsWith", "Jensen Huang met Tan Dai")
def meets(ctx, verb, lemma, subs, sent):
    """Meeting, holding talks with a person; people who met one another."""
    objs = [m for c in verb.children if c.dep_ in {"dobj", "prep"}
            for m in ctx.in_subtree(c, set(), {"Person"})]
    for a, b in combinations(subs, 2):
        ctx.emit(a, "meetsWith", b, [verb], "verb:meetsWith", 0.75, sent)
    return objs


def _generic(ctx: Context, verb: Token) -> list[Mention]:
    subj_tokens = {t.i for s in verb.children if s.dep_ in {"nsubj", "nsubjpass"}
                   for t in s.subtree}
    return ctx.in_subtree(verb, subj_tokens, {"Chip", "Product", "DataCenter", "Company",
                                              "Place"})


@_verb_rule("restricts", "the export controls restrict Nvidia's H20")
def restricts(ctx, verb, lemma, subs, sent):
    """A regulation restricting, banning, limiting chips, products or their maker."""
    return _generic(ctx, verb)


@_verb_rule("targets", "the rule targets Huawei")
def targets(ctx, verb, lemma, subs, sent):
    """A regulation aimed at, listing, sanctioning a firm or a place."""
    return _generic(ctx, verb)


def _region_outside(ctx: Context, objs: list[Mention], centers: list[Mention],
                    sent: Span) -> list[Mention]:
    from .places import region_of

    inside = {i for m in centers for i in range(m.start, m.end)}  # data centers or places
    held = [o for o in objs if o.start in inside]
    return [o for o in objs if o.start not in inside and not any(
        region_of(ctx, h, sent) is o for h in held)]


def _firm_itself_based(ctx: Context, verb: Token) -> bool:
    """Whether "based" says where a firm itself is, not where its teams are."""
    subject = [c for c in verb.children if c.dep_ in {"nsubjpass", "nsubj"}]
    if not subject:
        return verb.dep_ == "acl" and (ctx.res.mention(verb.head) is not None or bool(
            _appos_firm(ctx, verb.head)))
    s = subject[0]
    if s.lower_ in {"which", "that"}:
        return verb.dep_ == "relcl" and ctx.res.mention(verb.head) is not None
    return s.lemma_.lower() not in ctx.cue("facility") | ctx.cue("talent") and bool(
        ctx.res.refer(s, "Company"))


def _appos_firm(ctx: Context, head: Token) -> list[Mention]:
    """ "Lianfa Holdings, a state conglomerate based in Wuhan": the firm a generic head stands
    in apposition to."""
    if head.dep_ != "appos" or head.lemma_.lower() not in ctx.lex.heads:
        return []
    m = ctx.res.mention(head.head)
    return [m] if m is not None and m.cls in {"Company", "GovernmentBody"} else []


@_verb_rule("operatesIn", "ByteDance expanded in Malaysia; X is based in Y (verb:based)")
def operates_in(ctx, verb, lemma, subs, sent):
    """Operating, expanding, hiring in a place. Building a data center in a place is operating
    the data center, which lies there; "X is based in Y" (the firm itself, not its teams or
    staff) is its head office (``verb:based``)."""
    objs = ctx.via_prep(verb, {"in", "across", "from", "at", "into"}, {"Place"})
    # places inside the subject ("X, based in Paris, opened ...") or inside the data center
    # built ("the Hyperion campus in Louisiana") are not where the verb operates
    away = {t.i for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"} and c.i < verb.i
            for t in c.subtree}
    dobjs = [c for c in verb.children if c.dep_ == "dobj"]
    if not dobjs:  # "to build and manage the Hyperion campus in Louisiana": a shared object
        dobjs = [c for v in verb.conjuncts for c in v.children if c.dep_ == "dobj"]
    dobjs += [cc for c in dobjs for cc in c.conjuncts]
    centers = [m for c in dobjs for m in ctx.np_mentions(c) if m.cls == "DataCenter"]
    away |= {t.i for c in dobjs if c.lemma_.lower() in ctx.cue("dc_heads") or any(
        m.cls == "DataCenter" for m in ctx.np_mentions(c)) for t in c.subtree}
    centers += [o for o in objs if o.start in away]
    objs = _region_outside(ctx, objs, centers, sent)
    if any(c.lemma_.lower() in ctx.cue("head_office") for c in dobjs):
        for s in subs:  # "X opened its headquarters in Y"
            for o in objs:
                ctx.emit(s, "headquarteredIn", o, [verb], "verb:based", 0.6, sent)
        return []
    if lemma == "base" and _firm_itself_based(ctx, verb):
        subs = _appos_firm(ctx, verb.head) if verb.dep_ == "acl" and \
            ctx.res.mention(verb.head) is None else subs
        ctx.emit_each(subs, "headquarteredIn", objs, [verb], "verb:based", 0.65, sent)
        return []
    return objs


@_verb_rule("basedIn", "Kim lives in Seoul")
def based_in(ctx, verb, lemma, subs, sent):
    """A person living, working, based in a place."""
    return ctx.verb_objects(verb, {"in", "from", "at"}, {"Place"})


@_verb_rule("founded", "Liang Wenfeng founded DeepSeek")
def founded(ctx, verb, lemma, subs, sent):
    """A person founding a firm."""
    return ctx.verb_objects(verb, set(), {"Company"})


def _people_verb(ctx: Context, verb: Token, lemma: str, prop: str, people: list[Mention],
                 sent: Span) -> list[Mention]:
    """What a person heads, chairs or runs (leads), or joined or works for (worksFor).
    "heads Samsung's Device Solutions division": leads the unit when it is named, and
    works for the firm that owns it."""
    orgs = {"Company", "GovernmentBody"}
    if any(c.dep_ == "advmod" and c.lower_ in ctx.cue("former_cues") for c in verb.children):
        return []  # "previously worked at X": the former rule reads it
    if prop == "worksFor":  # "joined Nvidia", "works for / at Nvidia"
        if lemma == "join" and not any(
                c.dep_ == "dobj" and (ctx.res.mention(c) is not None
                                      or c.lemma_.lower() in ctx.cue("facility"))
                for c in verb.children):
            return []  # "joined Nvidia leaders on stage": not a move to Nvidia
        return ctx.verb_objects(verb, {"for", "at"} if lemma == "work" else set(), orgs)
    out: list[Mention] = []
    for c in verb.children:
        if c.dep_ != "dobj":
            continue
        unit = ctx.res.mention(c)
        owners = [m for d in c.children if d.dep_ == "poss" for m in ctx.res.refer(d)
                  if m.cls in orgs]
        if c.lemma_.lower() in ctx.cue("facility") or (unit is None and owners):
            named = [m for d in c.children if d.dep_ == "compound"
                     for m in [ctx.res.mention(d)] if m is not None and m.cls in orgs]
            out += named
            ctx.emit_each(people, "worksFor", owners, [verb], "verb:leads-unit", 0.6, sent)
        else:
            out += ctx.np_mentions(c, orgs)
    return out


@_verb_rule("leads", "Jun Young-hyun, who heads Samsung's Device Solutions division")
def leads(ctx, verb, lemma, subs, sent):
    """A person heading, chairing, running an organisation or a named unit; heading a unit of
    a firm is working for the firm (``verb:leads-unit``)."""
    return _people_verb(ctx, verb, lemma, "leads", subs, sent)


@_verb_rule("worksFor", "Wang joined Meta; she works at Nvidia")
def works_for(ctx, verb, lemma, subs, sent):
    """A person joining or working for an organisation."""
    return _people_verb(ctx, verb, lemma, "worksFor", subs, sent)
