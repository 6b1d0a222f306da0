"""Relation rules about people: titles, offices and past employers (people verbs are in
``extract.rules.verbs``)."""

from __future__ import annotations

from spacy.tokens import Span, Token

from ..context import Context
from ..spans import Mention
from .registry import OnSentence, rule

#: Words between a name's comma and its title: "X, one of its two new co-chief executives".
_BEFORE_TITLE = {"the", "a", "an", "its", "his", "her", "their", "former", "ex", "onetime",
                 "one", "of", "new", "longtime", "current", "then", "top", "senior", "and"}



@rule("title", OnSentence(first=True), ("leads", "worksFor", "founded", "formerlyWorkedFor"),
      "Nvidia CEO Jensen Huang; Larry Ellison, Oracle's co-founder and chairman")
def title_rules(ctx: Context, sent: Span) -> None:
    """Job titles beside a person (``titles.tsv``) and offices that name their body
    (``offices.tsv``), before the name or after its comma; rule ids ``title:<title>``,
    ``title-unit``, ``title-parent``, ``title-former``, ``title-office``."""
    people = [m for m in ctx.mentions if sent.start <= m.start < sent.end
              and m.cls == "Person"]
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
    if not orgs and title in ctx.cue("corporate_titles"):
        r = ctx.res._recent(p.start, "Company", window_sents=3)
        if r is not None and not ctx.res.subjectish(r):
            r = None
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
            if t.lower_ in _BEFORE_TITLE or t.like_num or (
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

@rule("former", OnSentence(), ("formerlyWorkedFor",),
      "has a résumé that reads like a who's who: Meta, Cruise, Google Brain")
def former_rule(ctx: Context, sent: Span) -> None:
    """Past employers after "résumé", "previously", "former" (not those the person leads or
    works for now, by the rules before)."""
    words = {t.lower_ for t in ctx.toks(sent)}
    if not words & ctx.cue("former_cues"):
        return
    people = [m for m in ctx.mentions if sent.start <= m.start < sent.end
              and m.cls == "Person"]
    if not people:
        for t in ctx.toks(sent):
            if t.lower_ in {"he", "she"}:
                people = ctx.res.refer(t)
                break
    orgs = [m for m in ctx.mentions if sent.start <= m.start < sent.end
            and m.cls in {"Company", "GovernmentBody"}]
    current = {(c.subject.key, c.object.key) for c in ctx.out
               if c.predicate in {"leads", "worksFor", "founded"}}
    for p in people:
        for o in orgs:
            if (p.key, o.key) not in current and _former_near(ctx, p, o, sent):
                ctx.emit(p, "formerlyWorkedFor", o, [], "former", 0.55, sent)

def _former_near(ctx: Context, p: Mention, o: Mention, sent: Span) -> bool:
    for t in ctx.toks(sent):
        if t.lower_ not in ctx.cue("former_cues"):
            continue
        gap = o.start - t.i
        if 0 < gap <= 3 or (t.lower_ not in {"former", "ex", "onetime", "erstwhile"}
                            and 0 < gap <= 25):
            return True
    return False
