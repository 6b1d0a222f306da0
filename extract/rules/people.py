"""Relation rules about people: titles, offices and past employers (people verbs are in
``extract.rules.verbs``)."""

from __future__ import annotations

from spacy.tokens import Span, Token

from ..context import Context
from ..spans import Mention
from .registry import OnSentence, OnToken, rule

#: Words between a name's comma and its title: "X, one of its two new co-chief executives".
_BEFORE_TITLE = {"the", "a", "an", "its", "his", "her", "their", "former", "ex", "onetime",
                 "one", "of", "new", "longtime", "current", "then", "top", "senior", "and"}



@rule("title", OnSentence(first=True), ("leads", "worksFor", "founded", "formerlyWorkedFor"),
      "Nvidia CEO Jensen Huang; Larry Ellison, Oracle's co-founder and chairman")
def title_rules(ctx: Context, sent: Span) -> None:
    """Job titles beside a person (``titles.tsv``) and offices that name their body
    (``offices.tsv``), before the name or after its comma; rule ids ``title:<title>``,
    ``title-unit``, ``title-parent``, ``title-former``, ``title-office``."""
    people = [m for m in ctx.sent_mentions(sent) if m.cls == "Person"]
    for p in people:
        # offices: "Deputy Secretary of Defense Steven Feinberg"
        before = ctx.doc[max(sent.start, p.start - 8) : p.start].text
        for phrase, body in ctx.lex.offices.items():
            at = before.lower().rfind(phrase.lower())
            if at < 0:
                continue
            org = ctx.entity(body, p, "office")
            if org is None:
                continue
            # "Commerce Secretary Howard Lutnick" heads it; "Deputy Secretary of Defense
            # Steven Feinberg" works for it; "former Commerce Secretary X" did
            word = before[:at].split()[-1].lower() if before[:at].split() else ""
            prop = "formerlyWorkedFor" if word in {"former", "ex", "onetime"} else \
                "worksFor" if word in {"deputy", "under", "assistant", "vice"} else "leads"
            ctx.emit(p, prop, org, [], "title-office", 0.75, sent)
        titles = _titles_of(ctx, p, sent)
        for title, title_toks in titles:
            # "Oracle's co-founder and chairman": the second title has the first's org
            _title_rule(ctx, p, title, title_toks, titles[0][1], sent)

def _title_rule(ctx: Context, p: Mention, title: str, title_toks: list[Token],
                org_toks: list[Token], sent: Span) -> None:
    """The relation one title gives its holder with the organisation the title, or the
    first of a person's titles (``org_toks``), names."""
    prop, _scope = ctx.lex.titles[title]
    j = org_toks[0].i - 1
    while j >= sent.start and (ctx.res.mention(ctx.doc[j]) is not None
                               or ctx.doc[j].lower_ in {"'s", "\u2019s", "-"}):
        j -= 1
    if j >= sent.start and ctx.doc[j].lower_ in {"former", "ex", "onetime"}:
        prop = "formerlyWorkedFor"
    orgs, unit_orgs = _orgs_of_title(ctx, org_toks, p, sent)
    unit = any(c.dep_ in {"compound", "amod"} and ctx.res.mention(c) is None
               and c.lower_ not in {"co", "-", "former", "deputy", "chief", "vice",
                                    "executive", "general"}
               and c.pos_ in {"PROPN", "NOUN"} for c in title_toks[-1].children)
    end = title_toks[-1].i + 1
    if not orgs and end < sent.end and ctx.doc[end].lower_ in {"of", "at"}:
        # "the former CEO of payments startup Stripe": the parser lost the "of"
        orgs = _phrase_orgs(ctx, end + 1, sent)[0][:1]
    j = org_toks[0].i - 1
    if not orgs and j > sent.start and ctx.doc[j].lower_ in {",", "and"}:
        # "Acme CEO Jane Roe, co-founder John Doe": the list's organisation
        orgs = [c.object for c in ctx.out if c.rule.startswith("title")
                and c.subject.end == j and c.start < j][:1]
    head = title_toks[-1]
    if head.dep_ in {"amod", "compound"} and head.head.i > head.i and \
            head.head.pos_ == "NOUN" and ctx.res.mention(head.head) is None:
        unit = True  # "Meta's chief global affairs officer": not the chief of Meta
    if any(c.dep_ == "prep" and c.lower_ == "of" and not ctx.in_subtree(
            c, set(), {"Company", "GovernmentBody", "Place", "Product"})
           and any(g.dep_ == "pobj" and g.pos_ == "NOUN" for g in c.children)
           for c in head.children):
        unit = True  # "Google's president of global affairs", "head of business"
    if not orgs and (title in ctx.cue("corporate_titles") or title in ctx.cue(
            "spokes_titles")) and prop != "formerlyWorkedFor":
        r = ctx.res._recent(p.start, "Company", window_sents=3)
        if r is not None and not ctx.res.subjectish(r):
            r = None
        if title in ctx.cue("spokes_titles"):  # a ministry's spokeswoman: the latest speaker
            g = ctx.res._recent(p.start, "GovernmentBody", window_sents=3)
            if g is not None and ctx.res.subjectish(g) and (r is None or g.start > r.start):
                r = g
        if r is not None and ctx.doc[r.end - 1].dep_ in {"compound", "nmod"} and \
                ctx.res.mention(ctx.doc[r.end - 1].head) is None:
            r = None  # "Windsurf's OpenAI deal ends as CEO X ...": a deal is no employer
        j = org_toks[0].i - 1
        if j >= sent.start and ctx.doc[j].is_title and ctx.res.mention(
                ctx.doc[j]) is None:
            r = None  # "Federal Reserve Board chairman": an org we did not type
        orgs = [r] if r else []
        conf = 0.5
    else:
        conf = 0.75
    for o in orgs:
        if prop == "formerlyWorkedFor":
            ctx.emit(p, prop, o, title_toks, "title-former", conf, sent)
        elif prop == "leads" and unit:
            ctx.emit(p, "worksFor", o, title_toks, "title-unit", conf, sent)
        else:
            ctx.emit(p, prop, o, title_toks, f"title:{title}", conf, sent)
    for o in unit_orgs:
        ctx.emit(p, "worksFor", o, title_toks, "title-parent", conf, sent)

def _titles_of(ctx: Context, p: Mention, sent: Span) -> list[tuple[str, list[Token]]]:
    """The titles next to a person: "Nvidia CEO Jensen Huang", "Larry Ellison, Oracle's
    co-founder and chairman" (both), "X, one of Oracle's two co-chief executives"."""
    title, toks = _title_of(ctx, p, sent)
    if title is None:
        return []
    found = [(title, toks)]
    j = toks[-1].i + 1
    while j + 1 < sent.end and ctx.doc[j].lower_ in {"and", ","} and toks[0].i > p.start:
        title, toks = _title_at(ctx, j + 1, sent)
        if title is None:
            break
        found.append((title, toks))
        j = toks[-1].i + 1
    return found

def _title_at(ctx: Context, j: int, sent: Span) -> tuple[str | None, list[Token]]:
    """The title starting at token ``j`` (longest first; a plural too: "executives")."""
    doc = ctx.doc
    for n in (4, 3, 2, 1):
        if j + n > sent.end:
            continue
        span = doc[j : j + n]
        words = span.text.lower().replace(" - ", "-").replace(" -", "-")
        if words in ctx.lex.titles:
            return words, list(span)
        last = span[-1]
        if last.tag_ in {"NNS", "NNPS"}:
            singular = " ".join([*(t.lower_ for t in span[:-1]), last.lemma_.lower()])
            singular = singular.replace(" - ", "-").replace(" -", "-")
            if singular in ctx.lex.titles:
                return singular, list(span)
    return None, []

def _title_of(ctx: Context, p: Mention, sent: Span) -> tuple[str | None, list[Token]]:
    doc = ctx.doc
    # before: "CEO Wang Xing", "co-founder Wu Yuxin", "Nvidia CEO Jensen Huang"
    for n in (3, 2, 1):
        lo = p.start - n
        if lo < sent.start:
            continue
        words = doc[lo : p.start].text.lower().replace(" - ", "-").replace(" -", "-")
        if words in ctx.lex.titles:
            return words, list(doc[lo : p.start])
    # after: "Tan Dai, head of X", "Zhu Wenjia, the creator of X", "Jensen Huang,
    # Nvidia's chief executive", "Kim, a Seoul-based analyst at X", "Clay Magouyrk, one
    # of Oracle's two new co-chief executives"
    j = p.end
    if j < sent.end and doc[j].text == ",":
        j += 1
        while j < sent.end:
            t = doc[j]
            m = ctx.res.mention(t)
            if t.lower_ in _BEFORE_TITLE or t.like_num or t.lower_ in {"year", "old"} or (
                    m is not None and m.cls in {"Company", "GovernmentBody", "Place"}):
                j = m.end if m is not None and m.end > j else j + 1
            elif t.lower_ in {"'s", "’s", "-", "based"} and j > p.end + 1:
                j += 1
            else:
                break
        title, toks = _title_at(ctx, j, sent)
        if title is not None:
            return title, toks
    # apposition before: "ByteDance's AI boss, Zhu Wenjia"
    last = doc[p.end - 1]
    if last.dep_ == "appos" and last.head.lemma_.lower() in ctx.lex.titles:
        return last.head.lemma_.lower(), [last.head]
    if doc[p.start].dep_ == "appos" and doc[p.start].head.lemma_.lower() in ctx.lex.titles:
        return doc[p.start].head.lemma_.lower(), [doc[p.start].head]
    return None, []

def _orgs_of_title(ctx: Context, toks: list[Token], p: Mention, sent: Span):
    """Organisations a title names: "Nvidia CEO", "head of X's Y division", "X's boss"."""
    orgs: list[Mention] = []
    parents: list[Mention] = []
    head = toks[-1]
    first = toks[0]
    j = first.i - 1
    while j >= sent.start and ctx.doc[j].lower_ in {"'s", "\u2019s", "ai", "-"}:
        j -= 1
    if j >= sent.start:
        m = ctx.res.mention(ctx.doc[j])
        if m is not None and m.cls in {"Company", "GovernmentBody"}:
            orgs.append(m)
        elif ctx.doc[j].lower_ in {"its", "their"}:
            orgs += [x for x in ctx.res.refer(ctx.doc[j]) if x.cls == "Company"]
    for c in head.children:
        if c.dep_ == "poss":
            orgs += [x for x in ctx.res.refer(c) if x.cls in {"Company", "GovernmentBody"}]
        if c.dep_ == "prep" and c.lower_ in {"of", "at"}:
            inner = ctx.in_subtree(c, set(), {"Company", "GovernmentBody"})
            poss = [ctx.res.mention(t) for t in c.subtree if t.dep_ == "poss"]
            poss = [x for x in poss if x is not None]
            main = [x for x in inner if x not in poss]
            orgs += main or poss
            if main:
                parents += poss
    return [o for o in orgs if o is not p], parents

#: Adjectives that put the noun phrase they modify in the past: "a former Google engineer".
_PAST_ADJ = {"former", "ex", "onetime", "erstwhile"}
#: Words that end a "former" phrase: "X, previously CEO of Y, the startup founded by Z".
_PHRASE_END = {",", ";", ":", "(", ")", "which", "who", "that", "where", "when", "while",
               "\u2014", "--", "\u2013"}
_ORGS = {"Company", "GovernmentBody"}


def _person_at(ctx: Context, i: int) -> Mention | None:
    m = ctx.res.mention(ctx.doc[i]) if 0 <= i < len(ctx.doc) else None
    return m if m is not None and m.cls == "Person" else None


def _phrase_orgs(ctx: Context, start: int, sent: Span) -> tuple[list[Mention], int]:
    """The organisations of the phrase that starts at ``start`` and runs to the next comma,
    clause or verb (at most 12 tokens), and where it ends."""
    out: list[Mention] = []
    j = start
    while j < min(sent.end, start + 12):
        t = ctx.doc[j]
        m = ctx.res.mention(t)
        if m is not None and m.cls == "Person":
            break
        if t.lower_ in _PHRASE_END or (t.lower_ not in ctx.lex.heads and (
                t.pos_ == "AUX" or t.tag_ in {"VBD", "VBZ", "VBP", "MD"})):
            break
        if m is not None and m.cls in _ORGS and m not in out:
            out.append(m)
            j = max(j + 1, m.end)
            continue
        j += 1
    return out, j


def _appos_person(ctx: Context, cue: Token, sent: Span) -> Mention | None:
    """The person whose comma-apposition holds ``cue``: "X, a former ...", "X, previously
    ...", "X, responsible for ... and former ..." (no verb, clause or other person between)."""
    j = cue.i - 1
    lo = max(sent.start, cue.i - 12)
    while j >= lo:
        t = ctx.doc[j]
        if t.text == ",":
            return _person_at(ctx, j - 1)
        if t.pos_ in {"VERB", "AUX"} or t.lower_ in _PHRASE_END or _person_at(ctx, j):
            return None
        j -= 1
    return None


def _past_holder(ctx: Context, cue: Token, end: int, sent: Span) -> list[Mention]:
    """Who a "former" phrase is about: the person it is in apposition with, the person
    right after it ("former Google engineer X"), or the subject of "is a former ..."."""
    p = _appos_person(ctx, cue, sent)
    if p is not None:
        return [p]
    if cue.lower_ in _PAST_ADJ:
        p = _person_at(ctx, end)
        if p is not None and p.start == end:
            return [p]
        head = cue.head
        if head.dep_ in {"attr", "appos"} and head.head.lemma_ == "be":
            return ctx.subjects(head.head, "Person")
    return []


def _current(ctx: Context) -> set[tuple[str, str]]:
    return {(c.subject.key, c.object.key) for c in ctx.out
            if c.predicate in {"leads", "worksFor", "founded"}
            and not c.rule.startswith("title")}


@rule("former", OnSentence(), ("formerlyWorkedFor",),
      "Maria Lopez, previously chief executive of Nvidia; a former Google engineer; "
      "who previously worked at Intel; has a résumé that reads like a who's who: Meta, Cruise")
def former_rule(ctx: Context, sent: Span) -> None:
    """Past employers read from the structure around "former", "previously", "formerly":
    the organisations of the phrase the cue opens, for the person that phrase is in
    apposition with or names ("X, previously CEO of Y", "a former Y engineer, X", "X is a
    former Y employee"); after a verb the cue modifies, its objects ("X previously worked
    at Y"); after "résumé", "stint", "alumnus", "veteran", the organisations the word governs.
    Not an organisation the person leads or works for now by a verb rule."""
    toks = ctx.toks_with(sent, ctx.cue("former_cues"), "lower")
    if not toks:
        return
    current = _current(ctx)
    for t in toks:
        found: list[tuple[Mention, Mention]] = []
        if t.lower_ in _PAST_ADJ or (t.pos_ == "ADV" and t.head.pos_ not in {"VERB", "AUX"}):
            # "a former Google engineer", "previously CEO of Nvidia"
            orgs, end = _phrase_orgs(ctx, t.i + 1, sent)
            found = [(p, o) for p in _past_holder(ctx, t, end, sent) for o in orgs]
        elif t.pos_ == "ADV":  # "X previously worked at Y", "X had previously led Y"
            v = t.head
            orgs = ctx.verb_objects(v, {"at", "for", "with"}, _ORGS)
            found = [(p, o) for p in ctx.subjects(v, "Person") for o in orgs]
        else:  # "résumé", "stint at Y", "a Google veteran", "an OpenAI alumnus"
            found = _record_nouns(ctx, t, sent)
        for p, o in found:
            if (p.key, o.key) not in current:
                ctx.emit(p, "formerlyWorkedFor", o, [t], "former", 0.6, sent)


def _record_nouns(ctx: Context, t: Token, sent: Span) -> list[tuple[Mention, Mention]]:
    """Past employers named by a word of a career record: the organisations "résumé" is
    followed by or "stint" governs; the organisation right before "veteran" / "alumnus"."""
    w = t.lower_
    people: list[Mention] = []
    v = t.head
    if t.dep_ in {"dobj", "nsubj", "pobj", "attr"}:
        while v.pos_ not in {"VERB", "AUX"} and v.head.i != v.i:
            v = v.head
        people = ctx.subjects(v, "Person")
    owners = [m for c in t.children if c.dep_ == "poss" for m in ctx.res.refer(c, "Person")]
    people = owners or people or ([p] if (p := _appos_person(ctx, t, sent)) else [])
    if w in {"veteran", "alumnus"}:
        orgs = [m for c in t.children if c.dep_ in {"compound", "amod", "nmod"}
                for m in [ctx.res.mention(c)] if m is not None and m.cls in _ORGS]
        orgs += ctx.via_prep(t, {"of"}, _ORGS)
    elif w == "stint":
        orgs = ctx.via_prep(t, {"at", "with"}, _ORGS)
    else:  # résumé
        orgs = [m for m in ctx.mentions if t.i < m.start < min(sent.end, t.i + 25)
                and m.cls in _ORGS]
    return [(p, o) for p in people for o in orgs]


def _titles_to_past(ctx: Context, p: Mention, sent: Span, keep: set[str]) -> list[Mention]:
    """The organisations the title rule gave ``p`` in this sentence (not those in ``keep``):
    its leads/worksFor statements are withdrawn, for the person has left them; the
    organisations are returned (a founder who leaves keeps ``founded``)."""
    orgs: list[Mention] = []
    for c in list(ctx.out):
        if c.subject.key != p.key or not c.rule.startswith("title") or \
                c.object.key in keep or not sent.start <= c.start < sent.end:
            continue
        if c.predicate in {"leads", "worksFor"}:
            ctx.out.remove(c)
        if c.predicate in {"leads", "worksFor", "founded"} and c.object not in orgs:
            orgs.append(c.object)
    return orgs


@rule("career", OnToken("career_words"), ("worksFor", "formerlyWorkedFor"),
      "Intel hired Lena Park from Qualcomm; Tom Reed left Microsoft to join Anthropic; "
      "Lena Park, who spent a decade at Google; Intel CEO Anna Berg's departure")
def career_rule(ctx: Context, tok: Token, sent: Span) -> None:
    """Moves between employers. Hired, recruited, poached by an organisation: works for it;
    joining one "from" another, being hired "from" one, leaving, quitting, departing one:
    formerly worked for it; a person who leaves or is hired elsewhere no longer holds the
    titles the sentence gives him ("Windsurf CEO X" hired by Google: formerly worked for
    Windsurf); "spent a decade at X" (past tense): formerly worked for X."""
    if ctx.negated(tok):
        return
    lemma = tok.lemma_.lower()
    people: list[Mention] = []
    now: list[Mention] = []
    past: list[Mention] = []
    titled = False  # the titles of the sentence become past
    if lemma in ctx.cue("hire_verbs") and tok.pos_ == "VERB":
        agents = [m for c in tok.children if c.dep_ == "agent" for x in c.children
                  for m in ctx.res.expand(x) if m.cls in _ORGS]
        if agents:  # "X was hired by Y"
            people = [m for c in tok.children if c.dep_ == "nsubjpass"
                      for m in ctx.res.expand(c, "Person")]
            now = agents
        else:
            now = ctx.subjects(tok, None)
            now = [m for m in now if m.cls in _ORGS]
            objs = [c for c in tok.children if c.dep_ == "dobj"]
            objs += [a for c in objs for a in c.children if a.dep_ == "appos"]
            people = [m for c in objs for m in ctx.res.expand(c, "Person")]
        past = ctx.via_prep(tok, {"from"}, _ORGS)
        titled = bool(now)
    elif lemma == "join" and tok.pos_ == "VERB":
        people = ctx.subjects(tok, "Person")
        now = [m for c in tok.children if c.dep_ == "dobj" and (
            ctx.res.mention(c) is not None or c.lemma_.lower() in ctx.cue("facility"))
            for m in ctx.np_mentions(c, _ORGS)]
        past = [m for c in tok.children if c.dep_ == "prep" and c.lower_ == "from"
                for m in ctx.in_subtree(c, set(), _ORGS)]
        titled = bool(now)
    elif lemma in ctx.cue("leave_words"):
        if tok.pos_ == "NOUN" or tok.dep_ in {"pobj", "dobj", "nsubj", "compound"}:
            # "X's departure", "the departure of X"; "after the leadership exits" (a noun
            # the tagger took for a verb) says nothing of the sentence's subject
            people = [m for c in tok.children if c.dep_ == "poss"
                      for m in ctx.res.refer(c, "Person")]
            people += [m for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"
                       for x in c.children for m in ctx.res.expand(x, "Person")]
            past = [m for c in tok.children if c.dep_ == "prep" and c.lower_ == "from"
                    for m in ctx.in_subtree(c, set(), _ORGS)]
        elif tok.pos_ == "VERB":
            people = ctx.subjects(tok, "Person")
            past = ctx.verb_objects(tok, {"from"}, _ORGS)
            if any(c.dep_ == "dobj" and not ctx.res.mention(c) for c in tok.children):
                return  # "left the door open", "quit smoking"
        titled = not past
    elif lemma == "spend" and tok.tag_ == "VBD":
        spans = [c for c in tok.children if c.dep_ in {"dobj", "npadvmod"}
                 and c.lemma_.lower() in ctx.cue("span_words")]
        if spans:
            people = ctx.subjects(tok, "Person")
            past = [m for c in tok.children if c.dep_ == "prep" and c.lower_ in {"at", "with"}
                    for m in ctx.in_subtree(c, set(), _ORGS)]
    for p in people:
        for o in now:
            ctx.emit(p, "worksFor", o, [tok], "career", 0.65, sent)
        gone = past + (_titles_to_past(ctx, p, sent, {o.key for o in now}) if titled else [])
        for o in gone:
            ctx.emit(p, "formerlyWorkedFor", o, [tok], "career", 0.6, sent)


@rule("role", OnToken("role_verbs", verb=True), ("leads", "worksFor", "founded"),
      "Ravi Shah, Intel's head of sales, stepped in as interim CEO; Ana Ruiz was named "
      "chief executive of Cohere")
def role_rule(ctx: Context, tok: Token, sent: Span) -> None:
    """A person taking a post: "stepped in as interim CEO", "serves as chairman", "was
    named / appointed chief executive of X", "became CEO". The post's organisation is the one
    its title names ("of X", "X's"), else the one the person's other title in the sentence
    names ("X's head of business Y has stepped in as CEO"), else, for a firm's top titles,
    the firm the paragraph is about."""
    if ctx.negated(tok):
        return
    lemma = tok.lemma_.lower()
    parts = {c.lower_ for c in tok.children if c.dep_ in {"prt", "advmod"}}
    if lemma == "step" and not parts & {"in", "up"} or lemma == "take" and "over" not in parts:
        return  # "stepped down as CEO" is leaving the post
    people = ctx.subjects(tok, "Person")
    held = [c for c in tok.children if c.dep_ == "nsubj" and c.lemma_.lower() in ctx.lex.titles]
    if not people and held:  # "Cohere's head of sales Ravi Shah stepped in as CEO"
        people = [m for m in ctx.in_subtree(held[0], set(), {"Person"})]
    posts: list[Token] = []
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ == "as":
            posts += [g for g in c.children if g.dep_ == "pobj"]
        elif c.dep_ in {"oprd", "attr"} or (c.dep_ in {"xcomp", "dobj"} and c.pos_ in {
                "NOUN", "PROPN"} and lemma in {"name", "appoint", "become"}):
            posts.append(c)
    for post in posts:
        toks = [t for t in post.subtree if t.i <= post.i and t.dep_ != "det"
                and t.lower_ not in {"interim", "acting", "new", "permanent", "its", "the"}]
        title, title_toks = _title_at(ctx, toks[0].i, sent) if toks else (None, [])
        if title is None or title == "former":
            continue
        for p in people:
            orgs, _parents = _orgs_of_title(ctx, title_toks, p, sent)
            if not orgs:
                orgs = [c.object for c in ctx.out if c.rule.startswith("title")
                        and c.subject.key == p.key and sent.start <= c.start < sent.end
                        and c.predicate in {"leads", "worksFor"}][:1]
            if not orgs and held:
                orgs = _orgs_of_title(ctx, held[:1], p, sent)[0]
                if orgs and ctx.lex.titles[held[0].lemma_.lower()][0] == "leads":
                    for o in orgs:  # "X's head of sales Y": a unit's head works for X
                        ctx.emit(p, "worksFor", o, [held[0]], "title-unit", 0.6, sent)
            if orgs:
                prop = ctx.lex.titles[title][0]
                for o in orgs:
                    ctx.emit(p, prop, o, [tok, *title_toks], "role", 0.6, sent)
            else:
                _title_rule(ctx, p, title, title_toks, title_toks, sent)


@rule("person-poss", OnSentence(), ("leads",),
      "Elon Musk's xAI; Under Liang's leadership, DeepSeek grew")
def person_poss_rule(ctx: Context, sent: Span) -> None:
    """A firm a person possesses is the firm he leads: "Elon Musk's xAI", "Musk's AI company,
    xAI" (the generic head in apposition with the firm); "under X's leadership" the clause's
    firm is led by X."""
    for tok in ctx.toks_dep(sent, "poss"):
        people = [m for m in ctx.res.refer(tok, "Person")]
        if not people or tok.lower_ in {"his", "her", "their"}:
            continue
        head = tok.head
        firms: list[Mention] = []
        m = ctx.res.mention(head)
        if m is not None and m.start <= head.i < m.end and m.cls == "Company":
            firms = [m]
        elif head.lemma_.lower() in ctx.lex.heads and ctx.lex.heads[
                head.lemma_.lower()] == "Company":
            firms = [x for c in head.children if c.dep_ == "appos"
                     for x in [ctx.res.mention(c)] if x is not None and x.cls == "Company"]
        elif head.lemma_.lower() == "leadership" and head.dep_ == "pobj" and \
                head.head.lower_ == "under":
            firms = ctx.subjects(head.head.head, "Company")
        ctx.emit_each(people, "leads", firms, [tok], "person-poss", 0.55, sent)


@rule("minister", OnSentence(), ("basedIn", "leads"),
      "Norway's Digital Minister Kari Holm; Science Minister Lee Min-ho (Ministry of Science)")
def minister_rule(ctx: Context, sent: Span) -> None:
    """A country's minister ("Singapore's Law Minister X", "Japan Trade Minister X") is based
    in the country (a named place, not a demonym: "Malaysian Prime Minister" says less); a
    "<topic> Minister" leads the article's ministry of that topic ("Science Minister X" and
    the "Ministry of Science and ICT")."""
    if "minister" not in ctx.words(sent, "lower"):
        return
    for p in [m for m in ctx.sent_mentions(sent) if m.cls == "Person"]:
        j = p.start - 1
        if j < sent.start or ctx.doc[j].lower_ != "minister":
            continue
        topic: list[str] = []
        k = j - 1
        while k >= max(sent.start, j - 6) and getattr(
                ctx.res.mention(ctx.doc[k]), "cls", None) in {None, "Company"} and (
                ctx.doc[k].is_title or ctx.doc[k].lower_ in {"and", "&"}):
            if ctx.doc[k].is_title:
                topic.append(ctx.doc[k].lower_)
            k -= 1
        if k >= sent.start and ctx.doc[k].lower_ in {"'s", "\u2019s"}:
            k -= 1
        place = ctx.res.mention(ctx.doc[k]) if k >= sent.start else None
        if place is not None and place.cls == "Place" and place.end == k + 1:
            ctx.emit(p, "basedIn", place, [ctx.doc[j]], "minister", 0.6, sent)
        words = set(topic) - {"prime", "deputy", "vice", "foreign", "state"}
        if not words:
            continue
        for m in ctx.mentions:
            low = m.label.lower()
            if m.cls == "GovernmentBody" and low.startswith("ministry of") and \
                    words <= set(low.replace(",", " ").split()):
                ctx.emit(p, "leads", m, [ctx.doc[j]], "minister", 0.6, sent)
                break
