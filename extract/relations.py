"""Relation rules: typed statements between the mentions of one sentence.

Rule families (each candidate records its rule id; see docs/extraction.md):

- ``verb:<prop>``     a trigger verb of the lexicon with its subject and objects
                      ("ByteDance is buying Nvidia's H20 chips" -> purchases)
- ``poss``            possessives ("Baidu's Ernie Bot" -> owns + develops,
                      "Nvidia's H20" -> develops)
- ``owner``           parent/owner/unit wording ("TikTok owner ByteDance", "under X")
- ``title``           job titles beside a person ("Nvidia CEO Jensen Huang", "co-founder Wu Yuxin")
- ``customer``        "X's biggest customer" -> X supplies the customer
- ``origin``          "Chinese firm X", "US companies like X", "Beijing-based X", "US Congress"
- ``place-appos``     "Sunnyvale, California" -> locatedIn
- ``facility``        "its Silicon Valley lab", "teams in Singapore" -> operatesIn
- ``talent``          "experts from Microsoft Research Asia", "job offers from X"
- ``rival`` ``partner`` nouns: "competitors like Alibaba", "collaboration with Nvidia"
- ``regulation``      issuer, target and restricted items of a regulation phrase or of a
                      government's restricting verb ("the U.S. has limited China's access to
                      Nvidia chips" -> US export controls: issuedBy, targets, restricts)
- ``former``          "résumé ... Meta, Cruise, Google Brain", "former X executive"
- ``known``           co-mention in one sentence backed by the gazetteer (maker, parent)

Every candidate is checked against the scheme's domains and ranges; a negated trigger yields
nothing, and hedges set the modality (reported, planned, proposed).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from spacy.tokens import Doc, Span, Token

from .cues import (
    FACILITY,
    FUNDING,
    GOODS,
    PROPOSED,
    REPORTED,
    STATE_HEADS,
    TALENT,
    WITH_PARTNER_VERBS,
)
from .gazetteer import Gazetteer, Lexicon
from .resolve import Resolver
from .rules_business import BusinessRules
from .rules_people import PeopleRules
from .rules_places import PlaceRules
from .rules_regulations import RegulationRules
from .schema import allowed
from .spans import Mention

__all__ = ["Candidate", "find_relations"]


@dataclass
class Candidate:
    subject: Mention
    predicate: str
    object: Mention
    start: int  # token span of the support
    end: int
    rule: str
    confidence: float
    modality: str = "asserted"


class _Finder(BusinessRules, PlaceRules, PeopleRules, RegulationRules):
    def __init__(self, doc: Doc, mentions: list[Mention], gaz: Gazetteer, lex: Lexicon):
        self.doc = doc
        self.gaz = gaz
        self.lex = lex
        self.res = Resolver(doc, mentions, lex, gaz)
        self.mentions = mentions
        self.virtual: list[Mention] = []
        self.out: list[Candidate] = []
        self._modality: dict[int, str] = {}
        self._toks = list(doc)  # one Token object per token, reused by every loop
        self.trigger_props: dict[str, list[str]] = {}
        for prop, lemmas in lex.triggers.items():
            for lemma in lemmas:
                self.trigger_props.setdefault(lemma, []).append(prop)

    # ------------------------------------------------------------------ helpers
    def toks(self, sent: Span) -> list[Token]:
        return self._toks[sent.start : sent.end]

    def emit(self, s: Mention, p: str, o: Mention, toks: list[Token] | tuple, rule: str,
             conf: float, sent: Span, modality: str | None = None) -> None:
        if s is o or s.key == o.key or not allowed(s.cls, p, o.cls):
            return
        idx = [t.i for t in toks] + [s.start, o.start] if toks else [s.start, o.start]
        lo, hi = max(min(idx), sent.start), min(max(idx) + 1, sent.end)
        self.out.append(Candidate(s, p, o, lo, hi, rule, conf,
                                  modality or self.modality(sent)))

    def modality(self, sent: Span) -> str:
        cached = self._modality.get(sent.start)
        if cached is None:
            cached = self._modality[sent.start] = self._modality_of(sent)
        return cached

    def _modality_of(self, sent: Span) -> str:
        words = {t.lower_ for t in self.toks(sent)}
        if words & PROPOSED:
            return "proposed"
        if words & {"plan", "plans", "planning", "intends", "aims"}:
            return "planned"
        if words & REPORTED:
            return "reported"
        return "asserted"

    def entity(self, label: str, anchor: Token | Mention, rule: str) -> Mention | None:
        """The article's mention of a known entity, or a virtual one anchored at ``anchor``."""
        for m in self.mentions + self.virtual:
            if m.key == label:
                return m
        entry = self.gaz.by_label.get(label)
        if entry is None or entry.cls == "Outlet":
            return None
        start, end = (anchor.start, anchor.end) if isinstance(anchor, Mention) else (
            anchor.i, anchor.i + 1)
        m = Mention(start, end, entry.cls, entry.label, rule, 0.7, wikidata=entry.wikidata,
                    known=True, key=entry.label)
        self.virtual.append(m)
        return m

    def place_ref(self, tok: Token) -> Mention | None:
        """A place named by a token: its mention, or a demonym ("Chinese" -> China)."""
        m = self.res.mention(tok)
        if m is not None and m.cls == "Place":
            return m
        entry = self.gaz.demonyms.get(tok.text)
        if entry is not None and entry.cls == "Place":
            return self.entity(entry.label, tok, "demonym")
        return None

    def state_of(self, tok: Token, cls: str | None = None) -> list[Mention]:
        """The state a government noun stands for: "the Dutch government" -> Netherlands."""
        if tok.lemma_.lower() not in STATE_HEADS or tok.pos_ != "NOUN" or \
                cls not in (None, "Place"):
            return []
        for c in tok.children:
            if c.dep_ in {"amod", "compound", "poss", "nmod"}:
                place = self.place_ref(c)
                if place is not None:
                    return [place]
        return []

    def _people_verb(self, verb: Token, lemma: str, prop: str, people: list[Mention],
                     sent: Span) -> list[Mention]:
        """What a person heads, chairs or runs (leads), or joined or works for (worksFor).
        "heads Samsung's Device Solutions division": leads the unit when it is named, and
        works for the firm that owns it."""
        orgs = {"Company", "GovernmentBody"}
        if prop == "worksFor":  # "joined Nvidia", "works for / at Nvidia"
            return self.verb_objects(verb, {"for", "at"} if lemma == "work" else set(), orgs)
        out: list[Mention] = []
        for c in verb.children:
            if c.dep_ != "dobj":
                continue
            unit = self.res.mention(c)
            owners = [m for d in c.children if d.dep_ == "poss" for m in self.res.refer(d)
                      if m.cls in orgs]
            if c.lemma_.lower() in FACILITY or (unit is None and owners):
                named = [m for d in c.children if d.dep_ == "compound"
                         for m in [self.res.mention(d)] if m is not None and m.cls in orgs]
                out += named
                for p in people:
                    for o in owners:
                        self.emit(p, "worksFor", o, [verb], "verb:leads-unit", 0.6, sent)
            else:
                out += self.np_mentions(c, orgs)
        return out

    def _firm_itself_based(self, verb: Token) -> bool:
        """Whether "based" says where a firm itself is, not where its teams are."""
        subject = [c for c in verb.children if c.dep_ in {"nsubjpass", "nsubj"}]
        if not subject:
            return verb.dep_ == "acl" and self.res.mention(verb.head) is not None
        s = subject[0]
        if s.lower_ in {"which", "that"}:
            return verb.dep_ == "relcl" and self.res.mention(verb.head) is not None
        return s.lemma_.lower() not in FACILITY | TALENT and bool(self.res.refer(s, "Company"))

    def negated(self, tok: Token) -> bool:
        return any(c.dep_ == "neg" for c in tok.children) or any(
            c.dep_ == "neg" for c in tok.head.children if tok.dep_ in {"xcomp", "acomp"})

    def subjects(self, verb: Token, cls: str | None = "Company") -> list[Mention]:
        v = verb
        for _ in range(5):
            subs = [c for c in v.children if c.dep_ in {"nsubj", "nsubjpass"}]
            for s in subs:
                if s.lower_ in {"which", "that", "who"} and v.dep_ == "relcl":
                    head_m = self._antecedent(s) or self.res.mention(v.head)
                    found = [head_m] if head_m and (cls is None or head_m.cls == cls) else []
                else:
                    found = self.res.expand(s, cls) or self.state_of(s, cls)
                if found:
                    return found
            if subs and not any(s.lower_ in {"which", "that", "who"} for s in subs):
                # a subject that is not an entity of the class: look no further up
                if v.dep_ not in {"xcomp", "advcl", "pcomp", "acl", "relcl", "conj", "ccomp"}:
                    return []
            if v.dep_ in {"acl", "relcl"}:
                found = self.res.expand(v.head, cls)
                if found:
                    return found
            if v.head.i == v.i:
                if v.pos_ == "NOUN":  # a verb the tagger took for a noun: "X partners with Y"
                    return [m for c in v.children if c.dep_ == "compound" and c.i < v.i
                            for m in self.res.refer(c, cls)]
                break
            v = v.head
        return []

    def _antecedent(self, pronoun: Token, classes: set[str] | None = None) -> Mention | None:
        """The mention right before a relative pronoun: "X and Y, which ..." -> Y; with
        ``classes``, the nearest one of those ("a cluster in Johor, Malaysia, which")."""
        j = pronoun.i - 1
        if j >= 0 and self.doc[j].text == ",":
            j -= 1
        if classes is None:
            return self.res.mention(self.doc[j]) if j >= 0 else None
        lo = max(self.res.sent_of(pronoun.i).start, pronoun.i - 10)
        for k in range(j, lo - 1, -1):
            t = self.doc[k]
            cands = [m for m in self.mentions if m.start <= k < m.end and m.cls in classes]
            if cands:
                return cands[0]
            if t.pos_ == "VERB":
                break
        return None

    def in_subtree(self, root: Token, exclude: set[int], classes: set[str]) -> list[Mention]:
        seen: list[Mention] = []
        for t in root.subtree:
            if t.i in exclude:
                continue
            found = [self.res.mention(t)] if self.res.mention(t) else []
            if not found and t.lower_ == "it" and t.dep_ == "dobj" and t.i != root.i:
                found = self.res.refer(t)
            for m in found:
                if m is not None and m.cls in classes and m not in seen:
                    seen.append(m)
        return seen

    def _after_from(self, verb: Token, sent: Span) -> list[Mention]:
        """Companies listed after "from" up to the next verb: the parser often breaks long
        coordinations ("from competitors like Alibaba and start-ups such as 01.ai and Zhipu")."""
        start = next((c.i for c in verb.subtree if c.dep_ == "prep" and c.lower_ == "from"
                      and c.head.i in {verb.i, *(x.i for x in verb.children)}), None)
        if start is None:
            return []
        out: list[Mention] = []
        for t in self.doc[start + 1 : sent.end]:
            if t.pos_ == "VERB" or t.lower_ in {"while", "but", "because", "."}:
                break
            m = self.res.mention(t)
            if m is not None and m.cls == "Company" and m not in out:
                out.append(m)
        return out

    def np_mentions(self, tok: Token, classes: set[str] | None = None) -> list[Mention]:
        """Mentions inside the noun phrase headed by ``tok``, not inside its clauses or
        prepositional phrases (except "of": "large quantities of H20 chips")."""
        maker = self.res.maker_of(tok)  # "the ChatGPT maker" names OpenAI, not ChatGPT
        if maker is not None:
            return [maker] if classes is None or maker.cls in classes else []
        out: list[Mention] = []

        def walk(t: Token) -> None:
            for m in self.res.refer(t) if t.i == tok.i else (
                    [self.res.mention(t)] if self.res.mention(t) else []):
                if m not in out and (classes is None or m.cls in classes):
                    out.append(m)
            for c in t.children:
                if c.dep_ in {"acl", "relcl", "advcl", "punct", "cc"} and c.lower_ not in {
                        "called", "named", "dubbed", "known"}:
                    continue
                if c.dep_ == "prep" and c.lower_ not in {"of", "like", "including", "as"}:
                    continue
                if c.dep_ == "appos" and self.res.mention(t) is not None:
                    continue
                walk(c)

        walk(tok)
        return out

    def verb_objects(self, verb: Token, preps: set[str] = frozenset(),
                     classes: set[str] | None = None) -> list[Mention]:
        """Direct objects of a verb (and objects of the given prepositions), as phrases."""
        out: list[Mention] = []
        for c in verb.children:
            if c.dep_ in {"dobj", "attr", "oprd"} and c.lower_ in {"which", "that"} and \
                    verb.dep_ == "relcl":
                ante = self._antecedent(c, classes) or self.res.mention(verb.head)
                if ante is not None and (classes is None or ante.cls in classes):
                    out.append(ante)  # "a cluster in Johor, which ByteDance uses"
            elif c.dep_ in {"dobj", "attr", "oprd"}:
                out += self.np_mentions(c, classes)
            elif c.dep_ in {"prep", "prt"} and c.lower_ in preps:
                for p in c.children:
                    if p.dep_ == "pobj":
                        out += self.np_mentions(p, classes)
            elif c.dep_ == "xcomp" and c.lower_ in {"up"}:
                out += self.verb_objects(c, preps, classes)
        if any(c.dep_ == "prt" for c in verb.children):  # "snap up", "roll out"
            for c in verb.children:
                if c.dep_ == "prt":
                    for p in c.children:
                        if p.dep_ == "pobj":
                            out += self.np_mentions(p, classes)
        seen: list[Mention] = []
        for m in out:
            if m not in seen:
                seen.append(m)
        return seen

    def via_prep(self, root: Token, preps: set[str], classes: set[str]) -> list[Mention]:
        """Mentions reached from ``root`` through a preposition in ``preps``."""
        out: list[Mention] = []
        for t in root.subtree:
            if t.dep_ in {"prep", "dative"} and t.lower_ in preps:  # "sell X to Y": dative
                for m in self.in_subtree(t, set(), classes):
                    if m not in out:
                        out.append(m)
        return out

    # ------------------------------------------------------------------ rules
    def run(self) -> list[Candidate]:
        for sent in self.res.sents:
            self.title_rules(sent)
            for tok in self.toks(sent):
                lemma = tok.lemma_.lower()
                if tok.pos_ in {"VERB", "AUX"} or (tok.pos_ == "NOUN" and tok.tag_ == "VBG"):
                    if not self.negated(tok):
                        self.verb_rules(tok, lemma, sent)
                if lemma in {"parent", "owner", "subsidiary", "unit", "division", "arm",
                             "venture", "affiliate"}:
                    self.owner_rule(tok, lemma, sent)
                if lemma == "stake" and tok.pos_ == "NOUN":
                    self.stake_rule(tok, sent)
                if lemma in {"export", "shipment", "sale", "delivery"} and tok.pos_ == "NOUN":
                    self.export_rule(tok, sent)
                if lemma in {"customer", "client", "buyer"}:
                    self.customer_rule(tok, sent)
                if lemma in {"supplier", "vendor", "provider", "manufacturer", "foundry"} and \
                        tok.pos_ == "NOUN":
                    self.supplier_rule(tok, sent)
                if lemma in {"competitor", "rival"} and tok.pos_ == "NOUN":
                    self.rival_rule(tok, sent)
                if (lemma in {"collaboration", "partnership", "alliance", "partner", "tie"} or (
                        lemma == "venture" and any(c.lower_ == "joint" for c in tok.children))) \
                        and tok.pos_ == "NOUN":
                    self.partner_noun_rule(tok, sent)
                if lemma in {"summit", "meeting", "talk"} and tok.pos_ == "NOUN":
                    self.meeting_noun_rule(tok, sent)
                if lemma == "race" and tok.pos_ == "NOUN":
                    self.race_rule(tok, sent)
                if lemma in FACILITY and tok.pos_ == "NOUN":
                    self.facility_rule(tok, sent)
                if lemma in TALENT and tok.pos_ == "NOUN":
                    self.talent_rule(tok, sent)
                if tok.lower_ in {"under"} and tok.dep_ == "prep":
                    self.under_rule(tok, sent)
            self.poss_rules(sent)
            self.origin_rules(sent)
            self.place_appos_rule(sent)
            self.regulation_rules(sent)
            self.former_rule(sent)
            self.known_rules(sent)
        self.datacenter_rules()
        return self.out


    def verb_rules(self, verb: Token, lemma: str, sent: Span) -> None:
        self.passive_person_rule(verb, lemma, sent)
        if lemma in {"raise", "receive", "secure", "get", "win"} and any(
                t.lemma_.lower() in FUNDING for t in verb.subtree):
            for backer in self.via_prep(verb, {"from"}, {"Company"}):
                for s in self.subjects(verb, "Company"):
                    self.emit(backer, "investsIn", s, [verb], "verb:investsIn-raise", 0.6, sent)
        if lemma in WITH_PARTNER_VERBS:
            partners = [m for c in verb.children if c.dep_ == "prep" and c.lower_ == "with"
                        for p in c.children for m in self.res.refer(p, "Company")]
            if partners:
                for s in self.subjects(verb, "Company"):
                    for o in partners:
                        self.emit(s, "partnersWith", o, [verb], "verb:partnersWith-with", 0.6,
                                  sent)
        props = self.trigger_props.get(lemma)
        if not props:
            return
        if "restricts" in props:
            for reg in self.subjects(verb, "Regulation"):
                for t in verb.subtree:
                    if t.dep_ == "prep" and t.lower_ in {"to", "for", "against"}:
                        for x in t.subtree:
                            pl = self.place_ref(x)
                            if pl is not None:
                                self.emit(reg, "targets", pl, [verb], "regulation-subject", 0.6,
                                          sent)
        child_preps = {c.lower_ for c in verb.children if c.dep_ in {"prep", "prt", "agent"}}
        subj_cls: str | None = None
        people = self.subjects(verb, "Person") if {"meetsWith", "basedIn"} & set(props) else []
        companies = self.subjects(verb, "Company")
        regs = self.subjects(verb, "Regulation")
        subj_tokens = {t.i for s in verb.children if s.dep_ in {"nsubj", "nsubjpass"}
                       for t in s.subtree}
        agents = [m for c in verb.children if c.dep_ == "agent" for p in c.children
                  for m in self.res.expand(p, "Company")]
        # the agent of "powered by" is what is used: an object, handled below
        if agents and lemma not in {"power", "use"} and set(props) & {"develops", "owns",
                                                                         "purchases", "operates"}:
            patients = [m for c in verb.children if c.dep_ == "nsubjpass"
                        for m in self.np_mentions(c)]
            if verb.dep_ == "acl":
                patients += [m for m in self.res.refer(verb.head)]
            for prop in props:
                if prop in {"develops", "owns", "purchases", "operates"}:
                    for a in agents:
                        for o in patients:
                            self.emit(a, prop, o, [verb], f"verb-passive:{prop}", 0.65, sent)
            return
        for prop in props:
            if prop in {"restricts", "targets", "supplies"} and lemma in {"make", "buy", "acquire"}:
                continue
            if prop == "uses":
                need = {"turn": {"to"}, "rely": {"on"}, "train": {"at", "in", "on", "abroad"}}
                if lemma in need and not child_preps & need[lemma] and lemma != "train":
                    continue
                dobj_preps = {p.lower_ for c in verb.children if c.dep_ == "dobj"
                              for p in c.children if p.dep_ == "prep"}
                if lemma == "train" and not (child_preps | dobj_preps) & need["train"]:
                    continue
            subs = companies
            if prop in {"founded", "leads", "worksFor"}:
                subs = self.subjects(verb, "Person")
            if prop == "competesWith" and not subs:
                subs = self.subjects(verb, "Product")
            if prop in {"meetsWith", "basedIn"}:
                subs = people
            if prop in {"restricts", "targets"}:
                subs = regs
            if not subs:
                continue
            subj_cls = subs[0].cls
            if prop == "hiresFrom":
                objs = self.via_prep(verb, {"from"}, {"Company"})
                objs += self._after_from(verb, sent)
            elif prop == "supplies":
                goods = {t.lemma_.lower() for c in verb.children if c.dep_ == "dobj"
                         for t in c.subtree}
                if lemma in {"sell", "make", "manufacture"} and not goods & GOODS and not any(
                        m.cls in {"Chip", "Product"} for c in verb.children if c.dep_ == "dobj"
                        for m in self.np_mentions(c)):
                    continue
                objs = self.via_prep(verb, {"to", "for"}, {"Company"})
                if lemma in {"supply", "provide"}:
                    objs += [m for c in verb.children if c.dep_ == "dobj"
                             for m in self.res.expand(c, "Company")]
            elif prop == "operatesIn":
                objs = self.via_prep(verb, {"in", "across", "from", "at"}, {"Place"})
                # "builds a data center in Jamnagar": it operates the data center, which is
                # located there; "In Malaysia, X is building data centers" still holds
                centers = [m for c in verb.children if c.dep_ == "dobj"
                           for m in self.np_mentions(c) if m.cls == "DataCenter"]
                inside = {i for m in centers for i in range(m.start, m.end)}
                held = [o for o in objs if o.start in inside]
                objs = [o for o in objs if o.start not in inside and not any(
                    self._region_of(h, sent) is o for h in held)]
                if lemma == "base" and self._firm_itself_based(verb):
                    # "X is based in Y", "X, which is based in Y": its head office; teams,
                    # labs and staff "based in Y" are operations there
                    for s in subs:
                        for o in objs:
                            self.emit(s, "headquarteredIn", o, [verb], "verb:based", 0.65, sent)
                    continue
            elif prop == "basedIn":
                objs = self.verb_objects(verb, {"in", "from", "at"}, {"Place"})
            elif prop == "investsIn":
                objs = self.verb_objects(verb, {"in", "into"}, {"Place", "Company",
                                                                "DataCenter", "Product"})
                # "invest up to $100 billion in OpenAI": the parser hangs "in" on the sum
                objs += [m for c in verb.children if c.dep_ == "dobj" and (
                    c.like_num or c.lemma_.lower() in FUNDING | {"billion", "million", "$"})
                    for m in self.via_prep(c, {"in", "into"}, {"Place", "Company",
                                                               "DataCenter", "Product"})
                    if m not in objs]
                # "invests in OpenAI's data centers" is not in OpenAI; a name resolved from
                # elsewhere ("the ChatGPT maker") is
                phrase = {t.i for c in verb.children if c.dep_ in {"prep", "dobj"}
                          for t in c.subtree}
                objs = [m for m in objs if m.cls != "Company" or m.start not in phrase
                        or self.doc[m.start].dep_ != "poss"]
                for c in verb.children:
                    if c.dep_ == "prep" and c.lower_ in {"in", "into"}:
                        for g in c.children:
                            if g.dep_ == "pcomp" or g.pos_ == "VERB":
                                objs += self.via_prep(g, {"in"}, {"Place"})
            elif prop == "founded":
                objs = self.verb_objects(verb, set(), {"Company"})
            elif prop in {"leads", "worksFor"}:
                objs = self._people_verb(verb, lemma, prop, subs, sent)
            elif prop == "partnersWith":
                objs = self.via_prep(verb, {"with"}, {"Company"})
            elif prop == "owns":
                objs = [m for c in verb.children if c.dep_ == "dobj"
                        for m in self.res.refer(c, "Company")]
            elif prop in {"purchases", "develops", "operates"}:
                objs = self.verb_objects(verb, set(), {"Chip", "Product", "DataCenter"})
            elif prop == "uses":
                objs = self.verb_objects(verb, {"to", "on", "at", "in", "from", "by"},
                                         {"Chip", "Product", "DataCenter"})
                if lemma == "train":  # what is trained is made, not used
                    objs = self.via_prep(verb, {"on", "at", "in", "using"},
                                         {"Chip", "Product", "DataCenter"})
                if lemma == "train":  # "trained its model on Nvidia H800 chips"
                    objs += [m for c in verb.children if c.dep_ == "dobj"
                             for pp in c.children if pp.dep_ == "prep" and pp.lower_ in {
                                 "on", "at", "in", "using"}
                             for p in pp.children for m in self.np_mentions(p, {
                                 "Chip", "DataCenter", "Product"})]
            elif prop == "competesWith":
                heads = [c for c in verb.children if c.dep_ == "dobj"]
                heads += [p for c in verb.children if c.dep_ == "prep" and c.lower_ in {
                    "with", "against"} for p in c.children if p.dep_ == "pobj"]
                objs = []
                for h in heads:
                    found = self.res.expand(h)
                    if not found and h.lemma_.lower() in FACILITY:  # "Alibaba's Qwen team"
                        found = [m for c in h.children if c.dep_ == "poss"
                                 for m in self.res.refer(c, "Company")]
                    objs += found
            elif prop == "meetsWith":
                objs = [m for c in verb.children if c.dep_ in {"dobj", "prep"}
                        for m in self.in_subtree(c, set(), {"Person"})]
                for a, b in combinations(subs, 2):
                    self.emit(a, prop, b, [verb], f"verb:{prop}", 0.75, sent)
            else:
                objs = self.in_subtree(verb, subj_tokens, {"Chip", "Product", "DataCenter",
                                                          "Company", "Place"})
            for s in subs:
                for o in objs:
                    if prop == "develops" and o.cls == "Product" and lemma in {"build", "make"}:
                        continue
                    if prop == "develops" and o.cls == "Product" and s.cls == "Company" and \
                            lemma in {"release", "launch", "unveil", "debut", "introduce", "roll"}:
                        self.emit(s, "owns", o, [verb], "verb:owns-release", 0.55, sent)
                    self.emit(s, prop, o, [verb], f"verb:{prop}", 0.65 if subj_cls else 0.5,
                              sent)


def find_relations(doc: Doc, mentions: list[Mention], gaz: Gazetteer, lex: Lexicon
                   ) -> tuple[list[Candidate], list[Mention]]:
    """Candidates of ``doc`` and the virtual mentions (implied entities) they introduced."""
    finder = _Finder(doc, mentions, gaz, lex)
    cands = finder.run()
    return cands, finder.virtual

