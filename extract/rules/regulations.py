"""Relation rules about regulations: who issues a rule, what it restricts, whom it targets.

Most rules read one regulation mention of the sentence at a time (:func:`_regulations`: the
regulation phrases found by ``extract.patterns`` and the gazetteer, and the head word of each);
``regulation-verb`` reads a government's restricting verb, which implies its export controls.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Span, Token

from ..context import Context
from ..patterns import restricting_states
from ..spans import Mention
from .registry import OnSentence, rule

_ISSUERS = {"GovernmentBody", "Place", "Person"}


def _last_restricting_state(ctx: Context, tok: Token):
    """The gazetteer entry of the state the article last named as restricting before ``tok``
    (else the United States): whose export controls an unnamed restriction is."""
    states = ctx.cached("restricting-states",
                        lambda: restricting_states(ctx.doc, ctx.gaz, ctx.lex))
    earlier = [c for i, c in states if i < tok.i]
    return ctx.gaz.by_label.get(earlier[-1] if earlier else "United States")


def _regulations(ctx: Context, sent: Span) -> Iterator[tuple[Mention, Token, set[int]]]:
    """The sentence's regulations, each with its head token and its tokens. A known name's
    head is its syntactic root: "controls" in "export controls on gallium and germanium"."""
    known = ctx.cached(("regulations", sent.start, sent.end), lambda: [
        m for m in ctx.sent_mentions(sent) if m.cls == "Regulation"])
    for r in known + [m for m in ctx.virtual
                      if sent.start <= m.start < sent.end and m.cls == "Regulation"]:
        if r.end > sent.end:
            continue
        head = ctx.doc[r.head] if r.head >= 0 else ctx.doc[r.start : r.end].root
        yield r, head, set(range(r.start, r.end))


def _home(ctx: Context, r: Mention) -> str | None:
    """The country whose rule a known regulation is (its ``issuer=``, or the issuer's
    jurisdiction): a rule does not target its own country."""
    entry = ctx.gaz.by_label.get(r.key)
    for issuer in entry.attr("issuer") if entry is not None else ():
        e = ctx.gaz.by_label.get(issuer)
        if e is not None and e.cls == "Place":
            return e.label
        if e is not None and e.attr("jurisdiction"):
            return e.attr("jurisdiction")[0]
    return None


def _country_of(ctx: Context, issuer: Mention):
    """The country a state or a government body acts for: a country, a capital's country
    ("Beijing"), a body's jurisdiction ("the Commerce Department" -> United States)."""
    entry = ctx.gaz.by_label.get(issuer.key)
    if entry is None:
        return None
    if entry.cls == "GovernmentBody":
        found = [ctx.gaz.by_label.get(j) for j in entry.attr("jurisdiction")]
        entry = found[0] if found else None
        if entry is None:
            return None
    seat = ctx.gaz.seat_of(entry.label)
    if seat is not None:
        return seat
    return entry if entry.cls == "Place" and "country" in entry.attr("kind") else None


def _export_controls(ctx: Context, country, anchor: Token) -> Mention | None:
    """The export controls of a country: its known node ("US export controls", "Dutch export
    controls"), the article's mention of it, or a new node named after the country."""
    specific = _known_topic_controls(ctx, country.label, anchor)
    if specific is not None:  # "banning exports of gallium and germanium"
        return ctx.entity(specific.label, anchor, "regulation-verb")
    demonym = "US" if country.label == "United States" else country.label
    entry = ctx.gaz.lookup(f"{demonym} export controls")
    if entry is not None and entry.cls == "Regulation":
        return ctx.entity(entry.label, anchor, "regulation-verb")
    names = country.attr("demonym")
    label = f"{names[0] if names else country.label} export controls"
    for m in ctx.mentions + ctx.virtual:
        if m.key == label:
            return m
    m = Mention(anchor.i, anchor.i + 1, "Regulation", label, "regulation-verb", 0.6,
                key=label)
    ctx.virtual.append(m)
    return m


def _known_topic_controls(ctx: Context, country: str, verb: Token):
    """A known export control of the country's government whose topic words ("gallium",
    "germanium", "rare earth") the verb's phrase names."""
    def controls():
        out = []
        for e in ctx.gaz.entries:
            if e.cls != "Regulation" or "export control" not in e.attr("kind"):
                continue
            issuers = [ctx.gaz.by_label.get(i) for i in e.attr("issuer")]
            lands = {i.label if i.cls == "Place" else (i.attr("jurisdiction") or ("",))[0]
                     for i in issuers if i is not None}
            words = {w.lower() for w in e.label.split()} - ctx.cue("reg_generic_words")
            if words:
                out.append((e, lands, words))
        return out

    known = ctx.cached("known-topic-controls", controls)
    said = {t.lemma_.lower() for t in verb.subtree} | {t.lower_ for t in verb.subtree}
    for entry, lands, words in known:
        if country in lands and words <= said:
            return entry
    return None


@rule("regulation-act", OnSentence(), ("issuedBy",),
      "Washington scrapped the AI diffusion rule")
def act(ctx: Context, sent: Span) -> None:
    """A government issuing, scrapping, tightening a rule issues it."""
    for r, head, _ in _regulations(ctx, sent):
        if head.dep_ in {"dobj", "nsubjpass"} and head.head.lemma_.lower() in (
                ctx.cue("reg_acts") | ctx.cue("reg_release_acts")):
            owners = [m for c in head.children if c.dep_ == "poss"
                      for m in ctx.res.refer(c) if m.cls in _ISSUERS]
            for g in _governments(ctx, head.head):
                if owners and g not in owners:
                    continue  # "Commerce rescinded the Biden administration's rule"
                ctx.emit(r, "issuedBy", g, [head.head], "regulation-act", 0.65, sent)


def _governments(ctx: Context, verb: Token) -> list[Mention]:
    """The governments acting by ``verb``; "it" in what a government said or plans is that
    government ("the BIS said it plans to issue a rule")."""
    found = [g for g in ctx.subjects(verb, None) if g.cls in {"GovernmentBody", "Place"}]
    v = verb
    for _ in range(4):
        if found or v.head.i == v.i:
            break
        subs = [c for c in v.children if c.dep_ in {"nsubj", "nsubjpass"}]
        if subs and subs[0].lower_ not in {"it", "they"}:
            break
        if subs and v.dep_ != "ccomp":
            break
        v = v.head
        if subs:  # a pronoun subject of a reported clause: the reporter's
            found = [g for g in ctx.subjects(v, None) if g.cls in {"GovernmentBody", "Place"}]
    return found


@rule("regulation-nominal", OnSentence(), ("issuedBy",),
      "China's introduction of interim rules; a revision of the rules by the Commerce Department")
def nominal(ctx: Context, sent: Span) -> None:
    """A government's act told by a noun: "China's introduction of interim rules", "a
    revision of the export rules by the Commerce Department": the possessor or the agent
    after "by" issues the rule."""
    for r, head, _ in _regulations(ctx, sent):
        if head.dep_ != "pobj" or head.head.lower_ != "of":
            continue
        noun = head.head.head
        if noun.lemma_.lower() not in ctx.cue("reg_act_nouns"):
            continue
        for c in noun.children:
            found: list[Mention] = []
            if c.dep_ == "poss":
                found = [m for m in ctx.res.refer(c) if m.cls in _ISSUERS]
                pl = ctx.place_ref(c)
                if not found and pl is not None:
                    found = [pl]
            elif c.dep_ == "prep" and c.lower_ == "by":
                found = ctx.in_subtree(c, set(), _ISSUERS)
            for m in found:
                ctx.emit(r, "issuedBy", m, [noun], "regulation-nominal", 0.6, sent)


@rule("regulation-on-list", OnSentence(), ("targets",),
      "SMIC has been on the Entity List since 2020")
def on_list(ctx: Context, sent: Span) -> None:
    """A firm that is, remains or lands on a list is its target."""
    for r, head, _ in _regulations(ctx, sent):
        prep = head.head
        if head.dep_ == "pobj" and prep.lower_ == "on" and \
                prep.head.lemma_.lower() in ctx.cue("on_list_verbs") and \
                not ctx.negated(prep.head):
            for m in ctx.subjects(prep.head, "Company"):
                ctx.emit(r, "targets", m, [prep], "regulation-on-list", 0.65, sent)


@rule("regulation-issuer", OnSentence(), ("issuedBy",),
      "a proposed rule from the Department of Commerce; US export controls")
def issuer(ctx: Context, sent: Span) -> None:
    """The issuer named in the phrase: a country before it ("US export controls", "Japan's
    curbs", also right before a known name: "the U.S. Chips and Science Act"), a body after
    "from" or "by", the agent of "issued by"."""
    for r, head, span_toks in _regulations(ctx, sent):
        if r.start >= 2 and ctx.doc[r.start - 1].lower_ in {"'s", "\u2019s"}:
            # "the Bureau of Industry and Security's Entity List", however it parses
            owner = ctx.res.mention(ctx.doc[r.start - 2])
            if owner is not None and owner.end == r.start - 1 and owner.cls in {
                    "GovernmentBody", "Person"}:
                ctx.emit(r, "issuedBy", owner, [ctx.doc[r.start - 1]], "regulation-issuer",
                         0.7, sent)
        before = ctx.doc[r.start - 1] if r.start > sent.start else None
        if before is not None and before.head.i in span_toks and before.dep_ in {
                "compound", "amod", "nmod"}:  # "the U.S. Chips and Science Act"
            pl = ctx.place_ref(before)
            if pl is not None and pl.end == r.start:
                ctx.emit(r, "issuedBy", pl, [before], "regulation-issuer", 0.7, sent)
        if r.key.endswith("export controls") and r.key.split()[0] == "US":
            us = ctx.entity("United States", r, "regulation-issuer")
            if us is not None:
                ctx.emit(r, "issuedBy", us, [head], "regulation-issuer", 0.7, sent)
        for t in ctx.doc[r.start : r.end]:
            if t.i >= head.i or t.head.i != head.i and t.head.head.i != head.i:
                continue
            pl = ctx.place_ref(t) if t.dep_ in {"compound", "amod", "poss", "nmod"} else None
            if pl is not None:
                ctx.emit(r, "issuedBy", pl, [t], "regulation-issuer", 0.7, sent)
        for c in head.children:
            if c.dep_ == "prep" and c.lower_ in {"from", "by"}:
                for m in ctx.in_subtree(c, set(), _ISSUERS):
                    ctx.emit(r, "issuedBy", m, [c], "regulation-issuer", 0.7, sent)
            if c.dep_ in {"acl", "relcl"} and c.lemma_.lower() in ctx.cue("issue_verbs"):
                for a in c.children:
                    if a.dep_ == "agent":
                        for m in ctx.in_subtree(a, set(), _ISSUERS):
                            ctx.emit(r, "issuedBy", m, [c], "regulation-issuer", 0.7, sent)


@rule("regulation-object", OnSentence(), ("restricts", "targets"),
      "restrictions on the supply of Nvidia's flagship chips")
def restricted_object(ctx: Context, sent: Span) -> None:
    """What the phrase restricts, in its prepositional or clausal modifiers; a place that
    owns what is restricted ("China's access") is targeted."""
    for r, head, span_toks in _regulations(ctx, sent):
        # "export controls on X" (its "on" phrase may be part of its name), also when the
        # parser hangs "on" on the verb: "impose export controls on X"
        verb_on = [c for c in head.head.children if head.dep_ == "dobj" and c.i == head.i + 1]
        for c in [*head.children, *verb_on]:
            if c.dep_ in {"prep", "acl", "relcl"} and (
                    c.i not in span_toks or c.lower_ in {"on", "against"}):
                for t in c.subtree:
                    m = ctx.res.mention(t)
                    if m is not None and m.cls in {"Chip", "Product"} or (
                            m is not None and m.cls == "Company" and c.dep_ == "prep"):
                        ctx.emit(r, "restricts", m, [c], "regulation-object", 0.65, sent)
                    pl = ctx.place_ref(t)
                    if pl is not None and (t.dep_ == "poss" or t.lower_ in {"chinese"}):
                        ctx.emit(r, "targets", pl, [c], "regulation-object", 0.6, sent)


@rule("regulation-subject", OnSentence(), ("restricts", "targets"),
      "the export controls restrict the GPUs Nvidia can sell")
def as_subject(ctx: Context, sent: Span) -> None:
    """The regulation as the subject of a restricting verb: what the verb's phrase names is
    restricted, a place modifying it targeted, a firm "forced" targeted."""
    for r, head, span_toks in _regulations(ctx, sent):
        if head.dep_ not in {"nsubj", "nsubjpass"} or head.head.lemma_.lower() not in (
                ctx.cue("restrict_verbs") | ctx.cue("regulation_subject_verbs")):
            continue
        verb = head.head
        for t in verb.subtree:
            if t.i in span_toks or t.i <= head.i:
                continue
            m = ctx.res.mention(t)
            if m is not None and m.cls in {"Company", "Chip", "Product"}:
                prop = "targets" if (m.cls == "Company" and verb.lemma_ == "force") \
                    else "restricts"
                ctx.emit(r, prop, m, [verb], "regulation-subject", 0.65, sent)
            pl = ctx.place_ref(t)
            if pl is not None and t.dep_ in {"amod", "poss", "compound"} and \
                    pl.key != _home(ctx, r):  # "restricts access to U.S. technology"
                ctx.emit(r, "targets", pl, [verb], "regulation-subject", 0.6, sent)


@rule("regulation-list", OnSentence(), ("targets", "issuedBy"),
      "add Alibaba, Baidu, and BYD to the list; their inclusion in the 1260H list")
def listed(ctx: Context, sent: Span) -> None:
    """Firms added or put on a list (or whose inclusion in it is told) are its targets; the
    body that adds them issues it."""
    list_verbs = ctx.cue("list_verbs")
    for r, head, span_toks in _regulations(ctx, sent):
        # what the rule itself is about is restricted, not listed: "the measures include
        # restrictions on shipments of memory chips (HBM)"
        inner = {x.i for x in head.subtree} if head.i in span_toks else set()
        for t in ctx.toks_with(sent, list_verbs | {"inclusion"}):
            lem = ctx.lemma[t.i]
            if t.i in span_toks:
                continue
            if not (any(x.i in span_toks for x in t.subtree) or lem == "inclusion"):
                continue
            skip = {x.i for c in t.subtree if c.dep_ in {"relcl", "acl"} for x in c.subtree}
            scope = sent if lem == "inclusion" else t.subtree
            for x in scope:
                if x.i in skip:
                    continue
                m = ctx.res.mention(x)
                if m is not None and m.cls == "Company" and x.i not in span_toks | inner:
                    ctx.emit(r, "targets", m, [t], "regulation-list", 0.7, sent)
            if lem in list_verbs and t.pos_ == "VERB":
                for v in [t, t.head]:
                    for c in v.children:
                        if c.dep_ in {"nsubj", "dobj"}:
                            for m in ctx.res.expand(c):
                                if m.cls == "GovernmentBody":
                                    ctx.emit(r, "issuedBy", m, [t], "regulation-list", 0.6,
                                             sent)


@rule("regulation-force", OnSentence(), ("targets", "restricts"),
      "a U.S. court ruling that could force ByteDance to sell TikTok")
def forcing(ctx: Context, sent: Span) -> None:
    """A ruling that forces a firm to sell a product targets the firm and restricts the
    product."""
    for r, _, span_toks in _regulations(ctx, sent):
        for t in ctx.toks_with(sent, {"force"}):
            if not any(x.i in span_toks for x in t.head.subtree):
                continue
            for c in t.children:
                if c.dep_ in {"dobj", "nsubj"}:
                    for m in ctx.res.expand(c, "Company"):
                        ctx.emit(r, "targets", m, [t], "regulation-force", 0.6, sent)
                if c.dep_ in {"xcomp", "ccomp"}:
                    for d in c.children:
                        if d.dep_ == "dobj":
                            for m in ctx.res.expand(d):
                                if m.cls == "Product":
                                    ctx.emit(r, "restricts", m, [t], "regulation-force", 0.6,
                                             sent)


@rule("regulation-verb", OnSentence(), ("issuedBy", "targets", "restricts"),
      "the U.S. has limited China's access to cutting-edge Nvidia AI chips")
def restricting_state(ctx: Context, sent: Span) -> None:
    """A government restricting exports, chips or technology by verb implies its export
    controls: issued by it, targeting the places, restricting the firms and chips named.
    Runs after the other regulation rules of the sentence, which do not read the implied
    rule."""
    for tok in ctx.toks_with(sent, ctx.cue("restrict_verbs")):
        if tok.pos_ != "VERB" or ctx.negated(tok):
            continue
        issuers = [m for m in ctx.subjects(tok, None) if m.cls in {"Place", "GovernmentBody"}]
        if not issuers and tok.dep_ == "ccomp" and any(
                c.dep_ == "nsubj" and c.lower_ in {"it", "they"} for c in tok.children):
            # "the Dutch cabinet confirmed that it is restricting exports"
            issuers = [m for m in ctx.subjects(tok.head, None)
                       if m.cls in {"Place", "GovernmentBody"}]
        if not issuers:
            continue
        words = {t.lemma_.lower() for t in tok.subtree}
        if not words & ctx.cue("export_words"):
            continue
        issuer = issuers[0]
        country = _country_of(ctx, issuer)
        seat = ctx.gaz.seat_of(issuer.key)
        if seat is not None:  # "Tokyo restricted exports": Japan did
            issuer = ctx.entity(seat.label, issuer, "regulation-verb") or issuer
        reg = _export_controls(ctx, country, tok) if country is not None else None
        if reg is None:
            continue
        ctx.emit(reg, "issuedBy", issuer, [tok], "regulation-verb", 0.7, sent)
        state = ctx.entity(country.label, tok, "regulation-verb")
        if state is not None and state.key != issuer.key:
            ctx.emit(reg, "issuedBy", state, [tok], "regulation-verb", 0.6, sent)
        # not the subject, nor a clause of its own ("... as the US seeks to contain China")
        skip = {t.i for s in tok.children if s.dep_ in {"nsubj", "nsubjpass", "advcl", "ccomp"}
                for t in s.subtree}
        for t in tok.subtree:
            if t.i in skip or t.dep_ in {"nsubj", "nsubjpass"}:
                continue
            pl = ctx.place_ref(t)
            target = ctx.gaz.seat_of(pl.key) if pl is not None else None
            if target is not None:  # "shipments to Beijing" go to China
                pl = ctx.entity(target.label, pl, "regulation-verb")
            if pl is not None and pl.key not in {issuer.key, country.label}:
                ctx.emit(reg, "targets", pl, [tok], "regulation-verb", 0.65, sent)
            m = ctx.res.mention(t)
            if m is not None and m.cls in {"Company", "Chip", "Product"}:
                ctx.emit(reg, "restricts", m, [tok], "regulation-verb", 0.6, sent)



def _restricted_in(ctx: Context, tok: Token) -> list[Mention]:
    """The firms, chips and products a noun phrase names, with the owner its possessive
    pronoun stands for ("its newest tools" -> the firm)."""
    found = list(ctx.np_mentions(tok, {"Company", "Chip", "Product"}))
    for c in tok.children:
        if c.dep_ == "poss" and c.pos_ == "PRON":
            found += [m for m in ctx.res.refer(c, "Company") if m not in found]
    return found


@rule("regulation-agent", OnSentence(), ("restricts", "targets"),
      "only its newest tools are affected by the export controls")
def as_agent(ctx: Context, sent: Span) -> None:
    """The regulation as the agent of a passive restricting or affecting verb: the firms,
    chips and products of its patient are restricted (a pronoun owner is the firm), the
    places of the patient targeted."""
    verbs = ctx.cue("restrict_verbs") | ctx.cue("regulation_subject_verbs")
    for r, head, _ in _regulations(ctx, sent):
        if head.dep_ != "pobj" or head.head.dep_ != "agent":
            continue
        verb = head.head.head
        if verb.lemma_.lower() not in verbs or ctx.negated(verb):
            continue
        patients = [c for c in verb.children if c.dep_ == "nsubjpass"]
        if verb.dep_ == "acl":
            patients.append(verb.head)
        for p in patients:
            for m in _restricted_in(ctx, p):
                prop = "targets" if verb.lemma_.lower() == "target" and \
                    m.cls == "Company" else "restricts"
                ctx.emit(r, prop, m, [verb], "regulation-agent", 0.6, sent)
            pl = ctx.place_ref(p)
            if pl is not None:
                ctx.emit(r, "targets", pl, [verb], "regulation-agent", 0.6, sent)


def _cause_verb(head: Token) -> Token | None:
    """The verb a rule is the cause of: "stopped selling ... following the controls",
    "unable to buy ... due to the embargo", "designed ... to comply with the controls"."""
    prep = head.head
    if head.dep_ != "pobj":
        return None
    word = prep.lower_
    if word == "to" and prep.head.lower_ in {"due", "owing"} or \
            word == "of" and prep.head.lower_ == "because":
        prep = prep.head
    elif word == "with" and prep.head.lemma_.lower() == "comply":
        return prep.head.head if prep.head.dep_ in {"xcomp", "advcl"} else None
    elif word not in {"following", "under", "amid"}:
        return None
    return prep.head if prep.head.pos_ in {"VERB", "AUX", "ADJ"} else None


@rule("regulation-cause", OnSentence(), ("restricts", "targets"),
      "Kodak stopped selling its printers to Iran because of U.S. export restrictions")
def as_cause(ctx: Context, sent: Span) -> None:
    """A rule given as the reason ("due to", "because of", "following", "under") why a firm
    stops or cannot sell, ship or buy something restricts the seller and what is sold,
    and targets the buying state; a product designed "to comply with" a rule is
    restricted, and so is its maker."""
    stop, trade = ctx.cue("reg_stop_words"), ctx.cue("reg_trade_verbs")
    for r, head, span_toks in _regulations(ctx, sent):
        verb = _cause_verb(head)
        if verb is None:
            continue
        if head.head.lower_ == "with":  # "designed the H20 to comply with"
            for c in verb.children:
                if c.dep_ == "dobj":
                    for m in _restricted_in(ctx, c):
                        ctx.emit(r, "restricts", m, [verb], "regulation-cause", 0.6, sent)
                        if m.cls in {"Chip", "Product"}:
                            for s in ctx.subjects(verb, "Company"):
                                ctx.emit(r, "restricts", s, [verb], "regulation-cause", 0.55,
                                         sent)
            continue
        top = verb
        while top.dep_ in {"xcomp", "acomp", "ccomp"} and top.head.i != top.i:
            top = top.head
        clause = [t for t in top.subtree if t.i not in span_toks]
        words = {t.lemma_.lower() for t in clause} | {t.lower_ for t in clause}
        trading = [t for t in clause if t.lemma_.lower() in trade and t.pos_ == "VERB"]
        if not words & stop or not trading or ctx.negated(top):
            continue
        for s in ctx.subjects(top, None):
            if s.cls == "Company":
                ctx.emit(r, "restricts", s, [verb], "regulation-cause", 0.55, sent)
            elif s.cls == "Place":
                ctx.emit(r, "targets", s, [verb], "regulation-cause", 0.55, sent)
        for t in trading:
            for c in t.children:
                if c.dep_ == "prep" and c.lower_ == "from":  # the seller
                    for m in ctx.in_subtree(c, set(), {"Company"}):
                        ctx.emit(r, "restricts", m, [t], "regulation-cause", 0.55, sent)
                if c.dep_ == "dobj":
                    for m in ctx.np_mentions(c, {"Chip", "Product"}):
                        ctx.emit(r, "restricts", m, [t], "regulation-cause", 0.55, sent)


@rule("regulation-passive", OnSentence(), ("restricts", "targets"),
      "the H20, which had been banned for export to China")
def banned(ctx: Context, sent: Span) -> None:
    """Goods "banned for export", "barred from export to China" with no agent: the export
    controls of the state the article last said restricts exports (else the US) restrict
    the chips, products and firms named, and the maker of a chip named when the article
    names it too; the place they may not go to is targeted."""
    for tok in ctx.toks_with(sent, ctx.cue("restrict_verbs")):
        if tok.tag_ != "VBN" or ctx.negated(tok) or any(c.dep_ == "agent"
                                                        for c in tok.children):
            continue
        if not any(c.dep_ == "auxpass" for c in tok.children) and tok.dep_ not in {"acl",
                                                                                  "amod"}:
            continue
        said = {t.lemma_.lower() for c in tok.children if c.dep_ == "prep" for t in c.subtree}
        if "export" not in said:
            continue
        patients = [c for c in tok.children if c.dep_ == "nsubjpass"]
        if tok.dep_ in {"acl", "amod"} or any(p.lower_ in {"which", "that"} for p in patients):
            patients = [tok.head]
        goods = [m for p in patients for m in ctx.np_mentions(p, {"Chip", "Product", "Company"})]
        if not goods:
            continue
        country = _last_restricting_state(ctx, tok)
        reg = _export_controls(ctx, country, tok) if country is not None else None
        if reg is None:
            continue
        named = {m.key: m for m in ctx.mentions if m.cls == "Company"}
        for m in goods:
            ctx.emit(reg, "restricts", m, [tok], "regulation-passive", 0.55, sent)
            maker = ctx.gaz.maker_of(m.key) if m.cls == "Chip" else None
            if maker in named:
                ctx.emit(reg, "restricts", named[maker], [tok], "regulation-passive", 0.5,
                         sent)
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ in {"for", "from"}:
                for t in c.subtree:
                    pl = ctx.place_ref(t) if t.dep_ == "pobj" else None
                    if pl is not None and pl.key != country.label:
                        ctx.emit(reg, "targets", pl, [tok], "regulation-passive", 0.5, sent)


@rule("regulation-license", OnSentence(), ("restricts", "targets"),
      "Nvidia will need a license to sell the H20 to China")
def licensed(ctx: Context, sent: Span) -> None:
    """A firm that needs, seeks or gets a licence to ship, sell or export goods is
    restricted by the export controls of the sentence, or else of the state the article last
    said restricts exports (else the US); so are the goods, and the destination targeted."""
    trade = ctx.cue("reg_trade_verbs")
    for tok in ctx.toks_with(sent, ctx.cue("licence_nouns")):
        if tok.pos_ != "NOUN":
            continue
        top = tok.head
        while top.dep_ in {"xcomp", "conj"} and top.head.i != top.i:
            top = top.head
        if top.pos_ not in {"VERB", "AUX"} or ctx.negated(top) or tok.dep_ != "dobj":
            continue
        traders = [t for t in [*tok.children, *tok.head.children]
                   if t.dep_ in {"acl", "relcl", "xcomp", "advcl"} and t.lemma_.lower() in trade]
        firms = ctx.subjects(top, "Company")
        if not traders or not firms:
            continue
        regs = [r for r, _, _ in _regulations(ctx, sent) if r.key.endswith("export controls")]
        if regs:
            reg = regs[0]
        else:
            country = _last_restricting_state(ctx, tok)
            reg = _export_controls(ctx, country, tok) if country is not None else None
        if reg is None:
            continue
        home = _home(ctx, reg)
        for m in firms:
            ctx.emit(reg, "restricts", m, [tok], "regulation-license", 0.55, sent)
        for t in traders:
            for c in t.children:
                if c.dep_ == "dobj":
                    for m in ctx.np_mentions(c, {"Chip", "Product"}):
                        ctx.emit(reg, "restricts", m, [tok], "regulation-license", 0.55, sent)
                if c.dep_ in {"prep", "dative"} and c.lower_ == "to":
                    for p in c.children:
                        pl = ctx.place_ref(p) if p.dep_ == "pobj" else None
                        if pl is not None and pl.key != home:
                            ctx.emit(reg, "targets", pl, [tok], "regulation-license", 0.5,
                                     sent)


@rule("regulation-person", OnSentence(), ("issuedBy",),
      "Biden's rule alienated allies; one of Trump's largest restrictions")
def person_issuer(ctx: Context, sent: Span) -> None:
    """A person's rule ("Biden's rule", "one of Trump's sweeping restrictions") is issued by
    that person, however the parser hangs the possessive: the rule the words name, else a
    rule word with no name of its own stands for the rule the article last named."""
    heads = ctx.cue("reg_person_heads")
    for p in ctx.sent_mentions(sent):
        if p.cls != "Person" or p.end + 1 >= sent.end \
                or ctx.doc[p.end].lower_ not in {"'s", "\u2019s"}:
            continue
        head = None
        for t in ctx.doc[p.end + 1 : min(p.end + 5, sent.end)]:
            m = ctx.res.mention(t)
            if m is not None and m.cls == "Regulation":
                head = (t, m)
                break
            if t.pos_ == "NOUN" and t.lemma_.lower() in heads:
                head = (t, None)
                break
            if t.pos_ not in {"ADJ", "ADV", "NOUN"} or m is not None:
                break
        if head is None:
            continue
        tok, reg = head
        if reg is None:
            if tok.tag_ not in {"NN", "NNS"} or tok.i + 1 < sent.end and \
                    ctx.doc[tok.i + 1].lower_ in {"on", "against", "to", "for"}:
                continue  # "Biden's restrictions on X" would be a mention of their own
            earlier = [m for m in ctx.mentions + ctx.virtual
                       if m.cls == "Regulation" and m.end <= p.start]
            if not earlier:
                continue
            reg = max(earlier, key=lambda m: m.start)
        ctx.emit(reg, "issuedBy", p, [ctx.doc[p.end], tok], "regulation-person", 0.55, sent)


@rule("regulation-pact", OnSentence(), ("issuedBy", "targets", "restricts"),
      "an accord between Germany, France and Italy to restrict exports to Russia")
def pact(ctx: Context, sent: Span) -> None:
    """An arrangement between states to restrict exports: each party issues it; the places
    the exports may not go to are targeted, the firms, chips and products of its clause
    restricted."""
    for r, head, _ in _regulations(ctx, sent):
        if r.rule != "pattern-pact":
            continue
        parties = set()
        for t in ctx.doc[r.start : r.end]:
            pl = ctx.place_ref(t) if t.i != head.i else None
            if pl is not None:
                parties.add(pl.key)
                ctx.emit(r, "issuedBy", pl, [head], "regulation-pact", 0.6, sent)
        for c in head.children:
            if c.dep_ not in {"acl", "relcl"}:
                continue
            for t in c.subtree:
                m = ctx.res.mention(t)
                if m is not None and m.cls in {"Company", "Chip", "Product"}:
                    ctx.emit(r, "restricts", m, [c], "regulation-pact", 0.55, sent)
                pl = ctx.place_ref(t) if t.dep_ == "pobj" and t.head.lower_ == "to" else None
                if pl is not None and pl.key not in parties:
                    ctx.emit(r, "targets", pl, [c], "regulation-pact", 0.55, sent)


@rule("regulation-violate", OnSentence(), ("restricts",),
      "the use of Huawei's Ascend chips anywhere violates U.S. export controls")
def violated(ctx: Context, sent: Span) -> None:
    """Chips or products whose use, sale or shipment violates, breaches or evades a rule are
    restricted by it, and so is a chip's maker when the article names it."""
    named = None
    for r, head, _ in _regulations(ctx, sent):
        verb = head.head
        if head.dep_ != "dobj" or verb.lemma_.lower() not in ctx.cue("reg_violate_verbs") or \
                ctx.negated(verb):
            continue
        scopes = [list(s.subtree) for s in verb.children if s.dep_ in {"nsubj", "csubj"}]
        if not scopes:  # the parser lost the subject: "the use of X chips anywhere violates"
            uses = [t for t in ctx.doc[max(sent.start, verb.i - 12) : verb.i]
                    if t.lemma_.lower() in ctx.cue("reg_use_nouns") and t.pos_ == "NOUN"]
            scopes = [list(ctx.doc[uses[-1].i : verb.i])] if uses else []
        for scope in scopes:
            for t in scope:
                m = ctx.res.mention(t)
                if m is None or m.cls not in {"Chip", "Product"}:
                    continue
                ctx.emit(r, "restricts", m, [verb], "regulation-violate", 0.6, sent)
                if named is None:
                    named = {x.key: x for x in ctx.mentions if x.cls == "Company"}
                maker = ctx.gaz.maker_of(m.key) if m.cls == "Chip" else None
                if maker in named:
                    ctx.emit(r, "restricts", named[maker], [verb], "regulation-violate", 0.5,
                             sent)


@rule("regulation-impact", OnSentence(), ("restricts",),
      "New curbs on HBM exports take effect. Samsung will be impacted the most.")
def impacted(ctx: Context, sent: Span) -> None:
    """A firm "impacted", "affected", "hit" (with no agent of its own) right after a
    sentence that names a rule, or in one that names it, is restricted by that rule."""
    for tok in ctx.toks_with(sent, ctx.cue("reg_impact_verbs")):
        if tok.tag_ != "VBN" or ctx.negated(tok) or any(c.dep_ == "agent"
                                                        for c in tok.children):
            continue
        firms = [m for c in tok.children if c.dep_ == "nsubjpass"
                 for m in ctx.res.refer(c, "Company")]
        if not firms:
            continue
        regs = [r for r, _, _ in _regulations(ctx, sent)]
        i = ctx.res.sents.index(sent) if not regs else 0
        for prev in ctx.res.sents[max(0, i - 2) : i][::-1]:  # the nearest of two before
            regs = regs or [r for r, _, _ in _regulations(ctx, prev)]
        if len({r.key for r in regs}) != 1:
            continue
        for m in firms:
            ctx.emit(regs[-1], "restricts", m, [tok], "regulation-impact", 0.5, sent)


@rule("regulation-comply", OnSentence(), ("restricts",),
      "Apple withdrew its app from Europe rather than comply with new EU rules")
def complying(ctx: Context, sent: Span) -> None:
    """A firm that pulls, withdraws, halts or stops something to comply with a rule (or
    rather than comply with it) is restricted by the rule, and so are its chips and products
    withdrawn."""
    for r, head, _ in _regulations(ctx, sent):
        comply = head.head.head if head.dep_ == "pobj" and head.head.lower_ == "with" else None
        if comply is None or comply.lemma_.lower() not in {"comply", "abide", "conform"}:
            continue
        rather = ctx.doc[comply.i - 1].lower_ == "than" or any(
            c.lower_ == "than" for c in comply.head.children if c.i < comply.i)
        to = any(c.dep_ == "aux" and c.lower_ == "to" for c in comply.children)
        if comply.dep_ not in {"conj", "advcl", "xcomp", "advmod"} or not (rather or to):
            continue
        verb = comply.head
        if verb.lemma_.lower() not in ctx.cue("reg_withdraw_verbs") or ctx.negated(verb):
            continue
        for m in ctx.subjects(verb, "Company"):
            ctx.emit(r, "restricts", m, [verb, comply], "regulation-comply", 0.55, sent)
        for c in verb.children:
            if c.dep_ == "dobj":
                for m in ctx.np_mentions(c, {"Chip", "Product"}):
                    ctx.emit(r, "restricts", m, [verb, comply], "regulation-comply", 0.55,
                             sent)


@rule("regulation-guidance", OnSentence(), ("targets", "restricts"),
      "the regulator issued guidance discouraging ByteDance and Tencent from buying the H20")
def guidance(ctx: Context, sent: Span) -> None:
    """Guidance that discourages, bars or warns firms from buying or using something
    targets the firms and restricts the chips and products it names."""
    for r, head, _ in _regulations(ctx, sent):
        if r.rule != "pattern-guidance":
            continue
        for c in head.children:
            if c.dep_ != "acl" or c.lemma_.lower() not in ctx.cue("reg_guide_verbs"):
                continue
            for t in c.subtree:
                if t.i == c.i:
                    continue
                for m in ctx.res.refer(t):
                    if m.cls == "Company" and t.dep_ in {"dobj", "conj", "nsubj"}:
                        ctx.emit(r, "targets", m, [c], "regulation-guidance", 0.55, sent)
                    elif m.cls in {"Chip", "Product"}:
                        ctx.emit(r, "restricts", m, [c], "regulation-guidance", 0.55, sent)
