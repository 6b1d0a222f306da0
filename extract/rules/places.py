"""Relation rules about places: headquarters, operations, containment, data centers."""

from __future__ import annotations

from spacy.tokens import Span, Token

from ..context import Context
from ..spans import Mention
from .registry import OnDocument, OnSentence, OnToken, rule


@rule("facility", OnToken("facility", pos=frozenset({"NOUN"})), ("operatesIn", "headquarteredIn"),
      "its Silicon Valley lab; His team, spread across China, Singapore, and the U.S.")
def facility_rule(ctx: Context, tok: Token, sent: Span) -> None:
    """A company's team/lab/office/operation in a place -> operatesIn; its headquarters or
    head office there -> headquarteredIn (``facility-head``); "a former Ford plant" names
    no place."""
    inside = ctx.res.mention(tok)
    if inside is not None and inside.cls == "DataCenter":
        return
    if tok.dep_ == "appos" and ctx.res.mention(tok.head) is not None:
        return  # "Anthropic, the San Francisco-based lab" describes the firm itself
    if any(c.dep_ in {"compound", "amod"} and (c.lower_ in {"data", "datacenter", "datacentre"}
           or (m := ctx.res.mention(c)) is not None and m.cls == "DataCenter")
           for c in tok.children):
        return  # "the Hyperion data centre campus in Louisiana": where the campus lies
    places: list[Mention] = []
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in {"in", "across", "at"}:
            places += [m for p in c.subtree if (m := ctx.place_ref(p)) is not None
                       and m.cls == "Place"]
        if c.dep_ in {"compound", "amod", "npadvmod", "nmod"} and not any(
                a.lower_ == "former" for a in tok.children):  # "a former Ford plant"
            for t in c.subtree:
                m = ctx.res.mention(t)
                if m is not None and m.cls == "Place":
                    places.append(m)
    for c in tok.children:
        if c.dep_ in {"acl", "relcl"} and c.lemma_.lower() in {"operate", "base", "spread",
                                                               "locate", "work", "scatter"}:
            places += ctx.via_prep(c, {"in", "across", "at", "between"}, {"Place"})
    if not places:
        return
    owners = [m for c in tok.children if c.dep_ == "poss" for m in ctx.res.refer(c)]
    people = [m for m in owners if m.cls == "Person"]
    if people:
        owners = [c.object for c in ctx.out if c.predicate in {"worksFor", "leads"}
                  and c.subject in people and c.object.cls == "Company"]
    if not owners:
        t = tok
        for _ in range(4):
            if t.head.i == t.i:
                break
            t = t.head
            if t.pos_ in {"VERB", "AUX"}:
                owners = ctx.subjects(t, "Company")
                if not owners:
                    people = ctx.subjects(t, "Person")
                    owners = [c.object for c in ctx.out if c.predicate == "worksFor"
                              and c.subject in people]
                break
    head_office = tok.lemma_.lower() in ctx.cue("head_office")
    for o in owners:
        for p in places:
            if head_office and o.cls in {"Company", "GovernmentBody"}:
                ctx.emit(o, "headquarteredIn", p, [tok], "facility-head", 0.6, sent)
            elif o.cls == "Company":
                ctx.emit(o, "operatesIn", p, [tok], "facility", 0.6, sent)

@rule("facility-plant", OnToken("plant_nouns", pos=frozenset({"NOUN"})), ("operatesIn",),
      "TSMC's Arizona fab; its advanced fab in Arizona")
def plant_rule(ctx: Context, tok: Token, sent: Span) -> None:
    """A firm's fab, plant or factory in a place: it operates there, read as ``facility``
    reads a lab or an office (never a head office)."""
    facility_rule(ctx, tok, sent)


@rule("dc-deal", OnToken("build_nouns", pos=frozenset({"NOUN"})), ("operates",),
      "X signed a memorandum with Y for the construction of a data center in Busan")
def dc_deal_rule(ctx: Context, tok: Token, sent: Span) -> None:
    """The parties of a deal for building a data center operate it: the signer and the
    firms named "with" the deal or a deal listed beside it; not who wins or is awarded a
    contract (a builder for hire)."""
    centers = [m for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"
               for p in c.children for m in ctx.np_mentions(p) if m.cls == "DataCenter"]
    if not centers:
        return
    deals = ctx.cue("deal_nouns") | {"letter", "understanding", "mou"}
    parties: list[Mention] = []
    seen_deal = False
    t = tok
    for _ in range(5):
        if t.head.i == t.i:
            return
        t = t.head
        if t.pos_ in {"VERB", "AUX"}:
            if not seen_deal or t.lemma_.lower() in ctx.cue("contract_won_verbs"):
                return
            parties = ctx.subjects(t, "Company") + parties
            break
        if t.lemma_.lower() in deals:
            seen_deal = True
            for d in (t, *t.conjuncts):
                parties += [m for c in d.children if c.dep_ == "prep" and c.lower_ == "with"
                            for p in c.children for m in ctx.res.expand(p, "Company")]
    for party in parties:
        for dc in centers:
            ctx.emit(party, "operates", dc, [tok], "dc-deal", 0.6, sent)


@rule("origin", OnSentence(), ("headquarteredIn", "basedIn"),
      "Chinese tech companies like Alibaba; the Paris-based startup; the US Congress")
def origin_rules(ctx: Context, sent: Span) -> None:
    """ "Chinese firm X", "US companies like X", "Beijing-based X", "US Congress"."""
    deferred: list[tuple[Mention, Mention, Token]] = []
    for tok in ctx.toks_dep(sent, "amod", "compound", "npadvmod", "nmod"):
        place: Mention | None = None
        if tok.head.i != tok.i:
            place = ctx.place_ref(tok)
            m = ctx.res.mention(tok)
            if m is not None and m.cls != "Place":
                place = None
            if place is None:
                continue
            head = tok.head
            based = head.lower_ in {"based", "headquartered"} or head.text.endswith("-based")
            if based:
                head = head.head
            head_m = ctx.res.mention(head)
            if head_m is not None and head_m is place:
                continue
            if _modifies_other(ctx, tok, head, head_m):
                continue
            named = ctx.res.expand(head)
            orgs = [x for x in named if x.cls in {"Company", "GovernmentBody"}]
            if based:  # "Kim Sun-woo, a Seoul-based analyst": where the person works
                for person in (x for x in named if x.cls == "Person"):
                    ctx.emit(person, "basedIn", place, [tok], "origin-person", 0.65, sent)
            if not orgs and head.dep_ in {"compound", "nmod"}:
                # "Chinese startup Zhipu": the head noun modifies the name
                target = ctx.res.mention(head.head)
                orgs = [target] if target and target.cls in {"Company",
                                                             "GovernmentBody"} else []
            if not orgs and head.lemma_.lower() in ctx.lex.heads:
                if head.dep_ == "appos":
                    orgs = ctx.res.refer(head.head)
                elif head.i > 0 and ctx.doc[head.i - 1].lower_ in {"a", "an"}:
                    orgs = []
            if head_m is None and any(t.lower_ == "the" for t in head.children):
                # "the US company" refers back: emitted last, unless the firm it is read
                # as has another home country
                deferred += [(o, place, tok) for o in orgs]
                continue
            for o in orgs:
                ctx.emit(o, "headquarteredIn", place, [tok], "origin", 0.65, sent)
    # the surface pattern, whatever the parse: "Chinese startup Zhipu", "Beijing-based
    # chipmaker Biren"
    for m in ctx.sent_mentions(sent):
        if m.cls not in {"Company", "GovernmentBody"} or m.start < sent.start + 2:
            continue
        head = ctx.doc[m.start - 1]
        if head.text.endswith("-based") and len(head.text) > 6:  # "U.S.-based Micron"
            entry = ctx.gaz.lookup(head.text[:-6])
            if entry is not None and entry.cls == "Place":
                place = ctx.entity(entry.label, head, "origin")
                if place is not None:
                    ctx.emit(m, "headquarteredIn", place, [head], "origin-surface", 0.6, sent)
            continue
        if head.lower_ not in ctx.lex.heads and head.lemma_.lower() not in ctx.lex.heads:
            continue
        j = m.start - 2
        steps = 0
        while j > sent.start and steps < 3 and ctx.doc[j].pos_ in {"ADJ", "NOUN", "PROPN"} \
                and ctx.place_ref(ctx.doc[j]) is None and ctx.doc[j].lower_ not in {
                    "based", "headquartered"}:
            j -= 1  # "Chinese AI startup", "Chinese leading startup"
            steps += 1
        if ctx.doc[j].lower_ in {"based", "headquartered"} and j >= sent.start + 2:
            j -= 2 if ctx.doc[j - 1].text == "-" else 1
        place = ctx.place_ref(ctx.doc[j])
        if place is not None and place is not m:
            ctx.emit(m, "headquarteredIn", place, [ctx.doc[j]], "origin-surface", 0.6,
                      sent)
            if head.tag_ == "NNS":  # "South Korean memory giants Samsung and SK Hynix"
                for o in _name_list(ctx, m, sent):
                    ctx.emit(o, "headquarteredIn", place, [ctx.doc[j]], "origin-surface",
                              0.6, sent)
    # gazetteer aliases that carry a country: "US Congress", "U.S. Department of Defense"
    for m in ctx.sent_mentions(sent):
        if m.cls != "GovernmentBody":
            continue
        first = ctx.doc[m.start]
        place = ctx.place_ref(first) if m.end - m.start > 1 else None
        if place is None:
            ent = ctx.gaz.lookup(first.text)
            if ent is not None and ent.cls == "Place" and m.end - m.start > 1:
                place = ctx.entity(ent.label, first, "origin")
        if place is not None and place is not m and _kind(ctx, place) != "region":
            # "European Commission": a continent is not a government's seat
            ctx.emit(m, "headquarteredIn", place, [first], "origin-name", 0.7, sent)
    origin_poss(ctx, sent)
    for o, place, tok in deferred:
        if not _other_home(ctx, o, place):
            ctx.emit(o, "headquarteredIn", place, [tok], "origin", 0.65, sent)


def _name_list(ctx: Context, first: Mention, sent: Span) -> list[Mention]:
    """The names listed right after ``first``: "Samsung and SK Hynix", "A, B and C"."""
    out: list[Mention] = []
    i = first.end
    while i + 1 < sent.end and ctx.doc[i].lower_ in {",", "and"}:
        i += 1 + (ctx.doc[i].text == "," and ctx.doc[i + 1].lower_ == "and")
        m = ctx.res.mention(ctx.doc[i]) if i < sent.end else None
        if m is None or m.start != i or m.cls != first.cls:
            break
        out.append(m)
        i = m.end
    return out


def _modifies_other(ctx: Context, tok: Token, head: Token, head_m: Mention | None) -> bool:
    """The place does not qualify the firm it precedes when both modify another noun ("a
    UAE Microsoft facility": where the facility is), or when a word that is neither a
    description nor a name stands between them (a headline's "US Greenlights Microsoft's")."""
    if head_m is not None and head_m.cls in {"Company", "GovernmentBody"} and \
            head.dep_ in {"compound", "nmod"} and head.head.pos_ == "NOUN" and \
            ctx.res.mention(head.head) is None:
        return True
    if head_m is None:
        return False
    lo, hi = sorted((tok.i, head_m.start - 1))
    for t in ctx.doc[lo + 1 : hi + 1]:
        if t.pos_ == "PROPN" and not t.text.isupper() and ctx.res.mention(t) is None and \
                t.lemma_.lower() not in ctx.lex.heads:
            return True
    return False


def _other_home(ctx: Context, org: Mention, place: Mention) -> bool:
    """Whether ``org`` is already said to be headquartered in another country."""
    if _kind(ctx, place) != "country":
        return False
    return any(c.predicate == "headquarteredIn" and c.subject.key == org.key
               and c.object.key != place.key and _kind(ctx, c.object) == "country"
               for c in ctx.out)


def origin_poss(ctx: Context, sent: Span) -> None:
    """ "China's largest foundry, SMIC", "China's chip equipment maker Naura", "Infosys,
    India's biggest IT services provider": a place's generic firm named next to it is
    headquartered there (``origin-poss``)."""
    doc = ctx.doc
    heads = ctx.cue("origin_heads")
    for p in ctx.sent_mentions(sent):
        if p.cls != "Place" or p.end + 2 >= sent.end or doc[p.end].lower_ not in {"'s", "’s"}:
            continue
        k = p.end + 1
        while k < sent.end and k - p.end <= 7 and ctx.res.mention(doc[k]) is None and \
                doc[k].pos_ in {"ADJ", "ADV", "NOUN", "PROPN", "NUM"}:
            k += 1
        head = doc[k - 1]
        if k == p.end + 1 or head.pos_ != "NOUN" or head.lemma_.lower() not in heads:
            continue
        org = _org_at(ctx, k)  # "China's chip equipment maker Naura"
        if org is None and k + 1 < sent.end and doc[k].text == ",":
            j = k + 1 + (doc[k + 1].lower_ == "the")
            org = _org_at(ctx, j)  # "China's largest foundry, SMIC"
            if org is not None and head.tag_ == "NNS":
                org = None  # "its largest clients, X, Y and Z": not all of them are
        if org is None and p.start >= sent.start + 2 and doc[p.start - 1].text == "," and \
                (k >= sent.end or doc[k].is_punct):
            # "Infosys, India's biggest IT services provider, said", "TCS (Tata
            # Consultancy Services), India's ..."
            j = p.start - 2
            if doc[j].text == ")" and j > sent.start:
                j -= 1
            m = ctx.res.mention(doc[j])
            org = m if m is not None and m.cls in {"Company", "GovernmentBody"} else None
        if org is not None:
            ctx.emit(org, "headquarteredIn", p, [doc[p.end]], "origin-poss", 0.6, sent)


def _org_at(ctx: Context, i: int) -> Mention | None:
    if i >= len(ctx.doc):
        return None
    m = ctx.res.mention(ctx.doc[i])
    return m if m is not None and m.start == i and m.cls in {"Company", "GovernmentBody"} \
        else None

@rule("place-appos", OnSentence(), ("locatedIn",),
      "Lima, Peru; Jamnagar, in the western state of Gujarat (place-region)")
def place_appos_rule(ctx: Context, sent: Span) -> None:
    """Containment between places: "City, Country" (not a list of places), and "X, in the
    western state of Y" (``place-region``)."""
    ms = [m for m in ctx.sent_mentions(sent) if m.cls == "Place"]
    for a in ms:
        outer = region_of(ctx, a, sent)
        if outer is not None and outer is not a:
            ctx.emit(a, "locatedIn", outer, [ctx.doc[a.end + 1]], "place-region", 0.7,
                      sent)
    for a, b in zip(ms, ms[1:], strict=False):
        if b.start == a.end + 1 and ctx.doc[a.end].lower_ in {"'s", "’s"} and \
                0 < _rank(ctx, b) <= min(_rank(ctx, a), 2) and a.key != b.key and \
                ctx.doc[b.end - 1].dep_ not in {"compound", "amod", "nmod"}:
            # "Zhangjiakou's Zhangbei county", "California's Santa Clara County"
            ctx.emit(b, "locatedIn", a, [ctx.doc[a.end]], "place-appos", 0.7, sent)
    for i, (a, b) in enumerate(zip(ms, ms[1:], strict=False)):
        if b.start == a.end + 1 and ctx.doc[a.end].text == "," and \
                _chain(ctx, ms, i, sent):
            # "Zhangbei county, Hebei province, China": each place in the next one; a place
            # qualified by a possessive ("Zhangjiakou's Zhangbei county") passes it on
            inner = a
            if a.start >= 2 and ctx.doc[a.start - 1].lower_ in {"'s", "’s"}:
                owner = ctx.res.mention(ctx.doc[a.start - 2])
                inner = owner if owner is not None and owner.cls == "Place" else a
            ctx.emit(inner, "locatedIn", b, [ctx.doc[a.end]], "place-appos", 0.7, sent)
        elif b.start == a.end + 1 and ctx.doc[a.end].text == ",":
            # a list "China, Singapore, and the U.S." is not "Lima, Peru"
            after = ctx.doc[b.end].lower_ if b.end < len(ctx.doc) else ""
            nxt = ctx.doc[b.end + 1].lower_ if b.end + 1 < len(ctx.doc) else ""
            before = ctx.doc[a.start - 1].lower_ if a.start > 0 else ""
            if (after == "," and nxt in {"and", "or"}) or after in {"and", "or"} or \
                    before == ",":
                continue
            nxt_m = ctx.res.mention(ctx.doc[b.end + 1]) if after == "," and \
                b.end + 1 < sent.end else None
            if nxt_m is not None and nxt_m.cls == "Place":
                continue
            kinds = [_kind(ctx, x) for x in (a, b)]
            if kinds[0] in {"country", "region"} or kinds[1] not in {
                    "country", "state", "province", "region"}:
                continue
            ctx.emit(a, "locatedIn", b, [ctx.doc[a.end]], "place-appos", 0.7, sent)

def _enclosing(ctx: Context, place: Mention, sent: Span) -> Mention | None:
    """The place named right after ``place`` as containing it: "Shackelford County,
    Texas", "Jamnagar, in the western state of Gujarat"."""
    j = place.end
    outer = region_of(ctx, place, sent) or (
        ctx.res.mention(ctx.doc[j + 1]) if j + 1 < sent.end and ctx.doc[j].text == ","
        else None)
    return outer if outer is not None and outer.cls == "Place" and outer is not place \
        else None

def region_of(ctx: Context, place: Mention, sent: Span) -> Mention | None:
    """ "Jamnagar, in the western state of Gujarat" -> Gujarat."""
    toks = ctx.doc[place.end : min(place.end + 8, sent.end)]
    words = [t.lower_ for t in toks]
    if words[:3] != [",", "in", "the"]:
        return None
    for k in range(3, len(toks) - 1):
        if words[k] in ctx.cue("region_words") and words[k + 1] == "of" and k + 2 < len(toks):
            outer = ctx.res.mention(toks[k + 2])
            return outer if outer is not None and outer.cls == "Place" else None
        if toks[k].pos_ not in {"ADJ", "PROPN"}:
            return None
    return None

_RANKS = {"city": 1, "county": 1, "province": 2, "state": 2, "country": 3}


def _rank(ctx: Context, m: Mention) -> int:
    """How large a place is: a city or county 1, a province or state 2, a country 3; a
    place the gazetteer does not know is small unless its name says ("Hebei province")."""
    kind = _kind(ctx, m)
    if kind in _RANKS:
        return _RANKS[kind]
    last = ctx.doc[m.end - 1].lower_
    return 2 if last in {"province", "state"} else 1 if kind == "" else 0


def _chain(ctx: Context, ms: list[Mention], i: int, sent: Span) -> bool:
    """Whether places ``ms[i]``, ``ms[i+1]`` belong to a comma chain of at least three
    places of strictly growing size ("Zhangbei county, Hebei province, China"); a list of
    like places ("China, Singapore, and the U.S.") is not one."""
    run = [ms[i], ms[i + 1]]
    j = i + 1
    while j + 1 < len(ms) and ms[j + 1].start == ms[j].end + 1 and \
            ctx.doc[ms[j].end].text == ",":
        run.append(ms[j + 1])
        j += 1
    j = i
    while j > 0 and ms[j].start == ms[j - 1].end + 1 and ctx.doc[ms[j - 1].end].text == ",":
        run.insert(0, ms[j - 1])
        j -= 1
    ranks = [_rank(ctx, m) for m in run]
    return len(run) >= 3 and all(0 < x < y for x, y in zip(ranks, ranks[1:], strict=False))


def _kind(ctx: Context, m: Mention) -> str:
    entry = ctx.gaz.by_label.get(m.key)
    return entry.attr("kind")[0] if entry and entry.attr("kind") else ""

@rule("datacenter-place", OnDocument(), ("locatedIn",),
      "data centers in Malaysia; a data center in Shackelford County, Texas")
def datacenter_rules(ctx: Context) -> None:
    """A data center's place, named in its phrase, and the region that place lies in."""
    for m in ctx.mentions:
        if m.cls != "DataCenter":
            continue
        sent = ctx.res.sent_of(m.start)
        k = m.end  # "the Hyperion data centre campus in Louisiana": a name before its noun
        heads = ctx.cue("dc_heads")
        while k < sent.end and k - m.end < 4 and (ctx.doc[k].lower_ == "data" or
                                                   ctx.doc[k].lemma_.lower() in heads):
            k += 1
        if m.end < k < sent.end - 1 and ctx.doc[k].lower_ in {"in", "at"}:
            pl = ctx.res.mention(ctx.doc[k + 1])
            if pl is not None and pl.cls == "Place" and pl.start == k + 1:
                ctx.emit(m, "locatedIn", pl, [ctx.doc[k]], "datacenter-place", 0.7, sent)
        for t in ctx.doc[m.start : m.end]:
            pl = ctx.res.mention(t)
            if pl is not None and pl.cls == "Place" and pl is not m:
                ctx.emit(m, "locatedIn", pl, [t], "datacenter-place", 0.8, sent)
                outer = _enclosing(ctx, pl, sent) if t.i == pl.end - 1 else None
                if outer is not None:
                    ctx.emit(m, "locatedIn", outer, [ctx.doc[pl.end]],
                              "datacenter-place", 0.7, sent)
            elif pl is m and (entry := ctx.gaz.lookup(t.text) or ctx.gaz.demonyms.get(
                    t.text)) is not None and entry.cls == "Place":
                place = ctx.entity(entry.label, t, "datacenter-place")
                if place is not None:
                    ctx.emit(m, "locatedIn", place, [t], "datacenter-place", 0.8, sent)
