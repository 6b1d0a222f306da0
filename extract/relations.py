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

from .gazetteer import Gazetteer, Lexicon
from .mentions import Mention
from .resolve import Resolver
from .schema import allowed

__all__ = ["Candidate", "find_relations"]

TALENT = {"talent", "expert", "engineer", "researcher", "scientist", "staff", "employee",
          "people", "worker", "executive", "hire", "veteran", "alumnus", "alumni"}
FACILITY = {"team", "lab", "laboratory", "office", "operation", "unit", "hub", "center",
            "centre", "presence", "foothold", "branch", "subsidiary", "campus", "headquarters",
            "facility", "base", "division", "arm", "studio", "group"}
FORMER_CUES = {"résumé", "resume", "formerly", "previously", "former", "ex", "alumnus",
               "stint", "veteran", "onetime", "erstwhile"}
REPORTED = {"according", "reportedly", "reports", "report", "sources", "source", "insiders",
            "insider", "said", "says", "citing", "alleged", "allegedly"}
PLANNED = {"plan", "plans", "planned", "planning", "aim", "aims", "intend", "intends",
           "expected", "expects", "will", "could", "may", "might", "would", "seek", "seeks"}
PROPOSED = {"proposed", "propose", "proposes", "draft", "proposal"}
RESTRICT_VERBS = {"restrict", "limit", "ban", "curb", "block", "bar", "prohibit", "cut",
                  "tighten", "control", "sanction", "blacklist"}
CORPORATE_TITLES = {"ceo", "chief executive", "chief executive officer", "founder",
                    "co-founder", "cofounder", "chairman", "chairwoman", "cto", "cfo", "coo"}
ISSUE_VERBS = {"issue", "propose", "impose", "announce", "introduce", "adopt", "pass", "enact",
               "draft", "unveil", "publish", "sign", "approve", "release", "finalize",
               "finalise", "enforce"}
GOODS = {"chip", "gpu", "processor", "semiconductor", "accelerator", "battery", "server",
         "equipment", "component", "part", "memory", "wafer", "tool", "machine", "module",
         "product", "device", "system", "hardware", "software", "model", "service"}
WITH_PARTNER_VERBS = {"build", "develop", "work", "team", "partner", "collaborate", "launch",
                      "create", "design", "operate", "co-develop", "codevelop", "join", "ally"}
REG_ACTS = {"issue", "impose", "introduce", "announce", "scrap", "rescind", "repeal", "adopt",
            "propose", "unveil", "finalize", "finalise", "enforce", "tighten", "expand",
            "relax", "ease", "revise", "update", "pass", "enact", "draft", "publish"}
FUNDING = {"fund", "funding", "investment", "capital", "money", "financing", "round", "backing",
           "stake"}
LIST_VERBS = {"add", "include", "put", "place", "list", "blacklist", "designate"}


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


class _Finder:
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
                    found = self.res.expand(s, cls)
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
            if t.dep_ == "prep" and t.lower_ in preps:
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
                if lemma in {"parent", "owner", "subsidiary", "unit", "division", "arm"}:
                    self.owner_rule(tok, lemma, sent)
                if lemma in {"export", "shipment", "sale", "delivery"} and tok.pos_ == "NOUN":
                    self.export_rule(tok, sent)
                if lemma in {"customer", "client", "buyer"}:
                    self.customer_rule(tok, sent)
                if lemma in {"supplier", "vendor", "provider", "manufacturer", "foundry"} and \
                        tok.pos_ == "NOUN":
                    self.supplier_rule(tok, sent)
                if lemma in {"competitor", "rival"} and tok.pos_ == "NOUN":
                    self.rival_rule(tok, sent)
                if lemma in {"collaboration", "partnership", "alliance", "partner", "tie"} and \
                        tok.pos_ == "NOUN":
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

    def passive_person_rule(self, verb: Token, lemma: str, sent: Span) -> None:
        """ "the startup founded by Liang Wenfeng", "G42, chaired by Sheikh Tahnoon",
        "its lab, which is led by Alexandr Wang"."""
        prop = {"found": "founded", "cofound": "founded", "co-found": "founded",
                "lead": "leads", "chair": "leads", "head": "leads", "run": "leads",
                "helm": "leads"}.get(lemma)
        if prop is None:
            return
        people = [m for c in verb.children if c.dep_ == "agent" for p in c.children
                  for m in self.res.expand(p, "Person")]
        if not people:
            return
        orgs: list[Mention] = []
        unit_owners: list[Mention] = []
        targets = [c for c in verb.children if c.dep_ == "nsubjpass"]
        if not targets and verb.dep_ in {"advcl", "xcomp", "conj"}:  # "was co-founded by"
            targets = [c for c in verb.head.children if c.dep_ == "nsubjpass"]
        if verb.dep_ in {"acl", "relcl"}:
            targets.append(verb.head)
        for t in targets:
            if t.lower_ in {"which", "that", "who"}:
                t = verb.head if verb.dep_ == "relcl" else t
            found = [m for m in self.res.expand(t) if m.cls in {"Company", "GovernmentBody"}]
            if not found and t.lemma_.lower() in FACILITY:
                unit_owners += [m for c in t.children if c.dep_ == "poss"
                                for m in self.res.refer(c, "Company")]
            orgs += found
        for p in people:
            for o in orgs:
                self.emit(p, prop, o, [verb], f"passive:{prop}", 0.7, sent)
            for o in unit_owners:  # heads an unnamed unit of the company
                self.emit(p, "worksFor", o, [verb], "passive:unit", 0.6, sent)

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
            if prop in {"restricts", "targets", "owns", "supplies"} and lemma in {"make", "buy",
                                                                                    "acquire"}:
                if prop != "owns":
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
            if prop == "founded":
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
            elif prop == "basedIn":
                objs = self.verb_objects(verb, {"in", "from", "at"}, {"Place"})
            elif prop == "investsIn":
                objs = self.verb_objects(verb, {"in", "into"}, {"Place", "Company",
                                                                "DataCenter", "Product"})
                objs = [m for m in objs if m.cls != "Company" or self.doc[m.start].dep_ != "poss"]
                for c in verb.children:
                    if c.dep_ == "prep" and c.lower_ in {"in", "into"}:
                        for g in c.children:
                            if g.dep_ == "pcomp" or g.pos_ == "VERB":
                                objs += self.via_prep(g, {"in"}, {"Place"})
            elif prop == "founded":
                objs = self.verb_objects(verb, set(), {"Company"})
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

    def poss_rules(self, sent: Span) -> None:
        for tok in self.toks(sent):
            if tok.dep_ != "poss":
                continue
            owners = self.res.refer(tok)
            head = tok.head
            owned = self.res.mention(head)
            if owned is None:  # "its R1 model", "Alibaba's Qwen team"
                inner = [self.res.mention(c) for c in head.children if c.dep_ == "compound"]
                owned = next((m for m in inner if m is not None and m.cls in {
                    "Product", "Chip"}), None)
            if owned is None:
                continue
            for owner in owners:
                if owner is owned:
                    continue
                if owner.cls == "Company":
                    if owned.cls == "Product":
                        self.emit(owner, "owns", owned, [tok], "poss", 0.8, sent)
                        self.emit(owner, "develops", owned, [tok], "poss", 0.8, sent)
                    elif owned.cls == "Chip":
                        self.emit(owner, "develops", owned, [tok], "poss", 0.8, sent)
                    elif owned.cls == "DataCenter":
                        self.emit(owner, "operates", owned, [tok], "poss", 0.75, sent)
                    elif owned.cls == "Company" and (self.gaz.parent_of(owned.key) == owner.key
                                                     or owned.known is False):
                        self.emit(owner, "owns", owned, [tok], "poss", 0.6, sent)
                elif owner.cls == "Place" and owned.cls in {"Company", "GovernmentBody"}:
                    self.emit(owned, "headquarteredIn", owner, [tok], "poss", 0.6, sent)
                elif owner.cls in {"Place", "GovernmentBody"} and owned.cls == "Regulation":
                    self.emit(owned, "issuedBy", owner, [tok], "poss", 0.75, sent)
        # compound "Nvidia H20", "Baidu Ernie Bot"
        for m in [x for x in self.mentions if sent.start <= x.start < sent.end]:
            last = self.doc[m.end - 1]
            if last.dep_ == "compound":
                target = self.res.mention(last.head)
                if target is None:  # "Nvidia H800 chips": two compounds of one noun
                    target = next((x for c in last.head.children if c.dep_ == "compound"
                                   and c.i > last.i and (x := self.res.mention(c)) is not None
                                   and x.cls in {"Chip", "Product"}), None)
                if target is not None and target is not m and m.cls == "Company":
                    if target.cls == "Chip":
                        self.emit(m, "develops", target, [last], "poss-compound", 0.7, sent)
                    elif target.cls == "Product":
                        self.emit(m, "owns", target, [last], "poss-compound", 0.65, sent)
                        self.emit(m, "develops", target, [last], "poss-compound", 0.65, sent)

    def owner_rule(self, tok: Token, lemma: str, sent: Span) -> None:
        """ "TikTok owner ByteDance", "ByteDance, the parent company of TikTok",
        "TikTok's parent company", "Volcano Engine, a unit of ByteDance"."""
        np = tok if tok.dep_ not in {"compound", "amod"} else tok.head
        if np.dep_ in {"compound", "amod"}:
            np = np.head
        anchor: list[Mention] = []
        if np.dep_ == "appos":
            anchor = self.res.refer(np.head)
        elif self.res.mention(np) is not None and np.i != tok.i:
            anchor = [self.res.mention(np)]
        elif np.dep_ in {"attr"}:
            anchor = [m for c in np.head.children if c.dep_ == "nsubj"
                      for m in self.res.expand(c)]
        if not anchor:
            for c in np.children:
                if c.dep_ == "appos":
                    anchor = self.res.refer(c)
        other: list[Mention] = []
        for c in list(np.children) + list(tok.children):
            if c.dep_ == "poss" or (c.dep_ == "compound" and c.i < tok.i):
                other += self.res.refer(c)
            if c.dep_ == "prep" and c.lower_ == "of":
                for p in c.children:
                    other += self.res.expand(p)
        # "TikTok-owner ByteDance": TikTok is a compound of "owner" or of the hyphen chain
        j = tok.i - 1
        while j >= sent.start and self.doc[j].text in {"-", "\u2011"}:
            j -= 1
        if j >= sent.start and self.res.mention(self.doc[j]) and not other:
            other = [self.res.mention(self.doc[j])]
        for a in anchor:
            for o in other:
                if lemma in {"parent", "owner"}:
                    s, t = a, o
                else:
                    s, t = o, a
                self.emit(s, "owns", t, [tok], "owner", 0.8, sent)
                if t.cls == "Product" and s.cls == "Company":
                    self.emit(s, "develops", t, [tok], "owner", 0.7, sent)

    def under_rule(self, tok: Token, sent: Span) -> None:
        owners = [m for p in tok.children for m in self.res.expand(p, "Company")]
        head = tok.head
        owned = self.res.refer(head)
        if not owned and head.dep_ == "appos":
            owned = self.res.refer(head.head)
        for s in owners:
            for o in owned:
                self.emit(s, "owns", o, [tok], "owner-under", 0.65, sent)

    def customer_rule(self, tok: Token, sent: Span) -> None:
        """ "X's biggest customer" -> X supplies the customer (the clause's company)."""
        sellers = [m for c in tok.children if c.dep_ == "poss"
                   for m in self.res.refer(c, "Company")]
        if not sellers:
            return
        buyer: Mention | None = None
        for j in range(tok.i - 1, sent.start - 1, -1):
            t = self.doc[j]
            named = self.res.mention(t) or t.lower_ == "it"
            found = self.res.refer(t, "Company") if named else []
            found = [m for m in found if m not in sellers and m.cls == "Company"]
            if found and t.dep_ not in {"poss", "pobj"}:
                buyer = found[0]
                break
        if buyer is not None:
            for s in sellers:
                self.emit(s, "supplies", buyer, [tok], "customer", 0.75, sent)

    def export_rule(self, tok: Token, sent: Span) -> None:
        """ "exports of Nvidia's B200 chips to G42": the maker supplies the buyer, who buys."""
        items = [m for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"
                 for p in c.children for m in self.np_mentions(p, {"Chip", "Product", "Company"})]
        buyers = [m for c in tok.children if c.dep_ == "prep" and c.lower_ == "to"
                  for p in c.children for m in self.res.expand(p, "Company")]
        for b in buyers:
            for it in items:
                if it.cls == "Company":
                    self.emit(it, "supplies", b, [tok], "export", 0.6, sent)
                else:
                    self.emit(b, "purchases", it, [tok], "export", 0.55, sent)
                    maker = self.gaz.maker_of(it.key)
                    seller = next((m for m in items if m.key == maker), None)
                    if seller is not None:
                        self.emit(seller, "supplies", b, [tok], "export", 0.6, sent)

    def supplier_rule(self, tok: Token, sent: Span) -> None:
        """ "TSMC, Nvidia's main supplier" / "TSMC is a supplier to Apple"."""
        buyers = [m for c in tok.children if c.dep_ == "poss" for m in self.res.refer(c, "Company")]
        buyers += [m for c in tok.children if c.dep_ == "prep" and c.lower_ in {"to", "for", "of"}
                   for p in c.children for m in self.np_mentions(p, {"Company"})]
        if not buyers:
            return
        sellers: list[Mention] = []
        if tok.dep_ == "appos":
            sellers = self.res.refer(tok.head, "Company")
        elif tok.dep_ == "attr":
            sellers = self.subjects(tok.head, "Company")
        for s in sellers:
            for b in buyers:
                self.emit(s, "supplies", b, [tok], "supplier", 0.7, sent)

    def rival_rule(self, tok: Token, sent: Span) -> None:
        rivals = self.res.expand(tok)
        rivals = [r for r in rivals if r.cls in {"Company", "Product"}]
        if not rivals:
            return
        anchors: list[Mention] = []
        t = tok
        for _ in range(4):
            t = t.head
            if t.pos_ in {"VERB", "AUX"}:
                anchors = self.subjects(t, "Company")
                break
            m = self.res.mention(t)
            if m is not None:
                anchors = [m]
                break
        for a in anchors:
            for r in rivals:
                self.emit(a, "competesWith", r, [tok], "rival", 0.65, sent)

    def race_rule(self, tok: Token, sent: Span) -> None:
        """ "a race among Chinese tech companies like Baidu, Alibaba, and Tencent"."""
        group = [m for c in tok.children if c.dep_ == "prep" and c.lower_ in {"among", "between"}
                 for p in c.children for m in self.res.expand(p, "Company")]
        for a, b in combinations(group, 2):
            self.emit(a, "competesWith", b, [tok], "rival-race", 0.6, sent)

    def partner_noun_rule(self, tok: Token, sent: Span) -> None:
        owners = [m for c in tok.children if c.dep_ == "poss" for m in self.res.refer(c)]
        if not owners and tok.dep_ == "ROOT":
            owners = self.subjects(tok, "Company")
        if not owners and tok.head.pos_ in {"VERB", "AUX"}:
            owners = self.subjects(tok.head, "Company")
        partners = [m for c in tok.children if c.dep_ == "prep" and c.lower_ == "with"
                    for p in c.children for m in self.np_mentions(p, {"Company", "DataCenter"})]
        if tok.lemma_.lower() in {"tie", "partnership", "alliance"}:  # "deepens Mistral ties"
            partners += [m for c in tok.children if c.dep_ == "compound"
                         for m in self.res.refer(c, "Company")]
        for s in owners:
            for o in partners:
                prop = "uses" if o.cls == "DataCenter" else "partnersWith"
                self.emit(s, prop, o, [tok], "partner", 0.65, sent)

    def meeting_noun_rule(self, tok: Token, sent: Span) -> None:
        people = self.via_prep(tok, {"between", "with"}, {"Person"})
        for a, b in combinations(people, 2):
            self.emit(a, "meetsWith", b, [tok], "meeting", 0.7, sent)

    def facility_rule(self, tok: Token, sent: Span) -> None:
        """A company's team/lab/office/operation in a place -> operatesIn."""
        inside = self.res.mention(tok)
        if inside is not None and inside.cls == "DataCenter":
            return
        if tok.dep_ == "appos" and self.res.mention(tok.head) is not None:
            return  # "Anthropic, the San Francisco-based lab" describes the firm itself
        places: list[Mention] = []
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ in {"in", "across", "at"}:
                places += [m for p in c.subtree if (m := self.place_ref(p)) is not None
                           and m.cls == "Place"]
            if c.dep_ in {"compound", "amod", "npadvmod", "nmod"}:
                for t in c.subtree:
                    m = self.res.mention(t)
                    if m is not None and m.cls == "Place":
                        places.append(m)
        for c in tok.children:
            if c.dep_ in {"acl", "relcl"} and c.lemma_.lower() in {"operate", "base", "spread",
                                                                   "locate", "work", "scatter"}:
                places += self.via_prep(c, {"in", "across", "at", "between"}, {"Place"})
        if not places:
            return
        owners = [m for c in tok.children if c.dep_ == "poss" for m in self.res.refer(c)]
        people = [m for m in owners if m.cls == "Person"]
        if people:
            owners = [c.object for c in self.out if c.predicate in {"worksFor", "leads"}
                      and c.subject in people and c.object.cls == "Company"]
        if not owners:
            t = tok
            for _ in range(4):
                if t.head.i == t.i:
                    break
                t = t.head
                if t.pos_ in {"VERB", "AUX"}:
                    owners = self.subjects(t, "Company")
                    if not owners:
                        people = self.subjects(t, "Person")
                        owners = [c.object for c in self.out if c.predicate == "worksFor"
                                  and c.subject in people]
                    break
        for o in owners:
            for p in places:
                if o.cls == "Company":
                    self.emit(o, "operatesIn", p, [tok], "facility", 0.6, sent)

    def talent_rule(self, tok: Token, sent: Span) -> None:
        """ "talent from US companies like OpenAI", "experts from Microsoft Research Asia"."""
        sources = [m for c in tok.children if c.dep_ == "prep" and c.lower_ == "from"
                   for p in c.children for m in self.res.expand(p, "Company")]
        if not sources:
            return
        hirers: list[Mention] = []
        t = tok
        for _ in range(5):
            if t.head.i == t.i:
                break
            t = t.head
            if t.pos_ in {"VERB", "AUX"} and t.lemma_.lower() not in {"be", "have"}:
                hirers = self.subjects(t, "Company")
                if hirers:
                    break
        if not hirers:
            for c in self.toks(sent):
                if c.dep_ in {"nsubj", "nsubjpass"}:
                    for x in c.subtree:
                        if x.dep_ == "poss":
                            hirers += self.res.refer(x, "Company")
        if not hirers:
            hirers = self.res.recent_group(tok.i) or (
                [r] if (r := self.res._recent(tok.i, "Company")) else [])
        # "job offers from Chinese firms, including Alibaba" names the hirer
        for c in self.toks(sent):
            if c.lemma_.lower() == "offer" and c.pos_ == "NOUN":
                hirers = self.via_prep(c, {"from"}, {"Company"}) or hirers
        for h in hirers:
            for s in sources:
                if h not in sources:
                    self.emit(h, "hiresFrom", s, [tok], "talent", 0.55, sent)

    def origin_rules(self, sent: Span) -> None:
        """ "Chinese firm X", "US companies like X", "Beijing-based X", "US Congress"."""
        for tok in self.toks(sent):
            place: Mention | None = None
            if tok.dep_ in {"amod", "compound", "npadvmod", "nmod"} and tok.head.i != tok.i:
                place = self.place_ref(tok)
                m = self.res.mention(tok)
                if m is not None and m.cls != "Place":
                    place = None
                if place is None:
                    continue
                head = tok.head
                if head.lower_ in {"based", "headquartered"} or head.text.endswith("-based"):
                    head = head.head
                head_m = self.res.mention(head)
                if head_m is not None and head_m is place:
                    continue
                orgs = [x for x in self.res.expand(head) if x.cls in {"Company", "GovernmentBody"}]
                if not orgs and head.dep_ in {"compound", "nmod"}:
                    # "Chinese startup Zhipu": the head noun modifies the name
                    target = self.res.mention(head.head)
                    orgs = [target] if target and target.cls in {"Company",
                                                                 "GovernmentBody"} else []
                if not orgs and head.lemma_.lower() in self.lex.heads:
                    if head.dep_ == "appos":
                        orgs = self.res.refer(head.head)
                    elif head.i > 0 and self.doc[head.i - 1].lower_ in {"a", "an"}:
                        orgs = []
                for o in orgs:
                    self.emit(o, "headquarteredIn", place, [tok], "origin", 0.65, sent)
        # the surface pattern, whatever the parse: "Chinese startup Zhipu", "Beijing-based
        # chipmaker Biren"
        for m in [x for x in self.mentions if sent.start <= x.start < sent.end]:
            if m.cls not in {"Company", "GovernmentBody"} or m.start < sent.start + 2:
                continue
            head = self.doc[m.start - 1]
            if head.lower_ not in self.lex.heads and head.lemma_.lower() not in self.lex.heads:
                continue
            j = m.start - 2
            steps = 0
            while j > sent.start and steps < 3 and self.doc[j].pos_ in {"ADJ", "NOUN", "PROPN"} \
                    and self.place_ref(self.doc[j]) is None and self.doc[j].lower_ not in {
                        "based", "headquartered"}:
                j -= 1  # "Chinese AI startup", "Chinese leading startup"
                steps += 1
            if self.doc[j].lower_ in {"based", "headquartered"} and j >= sent.start + 2:
                j -= 2 if self.doc[j - 1].text == "-" else 1
            place = self.place_ref(self.doc[j])
            if place is not None and place is not m:
                self.emit(m, "headquarteredIn", place, [self.doc[j]], "origin-surface", 0.6,
                          sent)
        # gazetteer aliases that carry a country: "US Congress", "U.S. Department of Defense"
        for m in [x for x in self.mentions if sent.start <= x.start < sent.end]:
            if m.cls != "GovernmentBody":
                continue
            first = self.doc[m.start]
            place = self.place_ref(first) if m.end - m.start > 1 else None
            if place is None:
                ent = self.gaz.lookup(first.text)
                if ent is not None and ent.cls == "Place" and m.end - m.start > 1:
                    place = self.entity(ent.label, first, "origin")
            if place is not None and place is not m:
                self.emit(m, "headquarteredIn", place, [first], "origin-name", 0.7, sent)

    def place_appos_rule(self, sent: Span) -> None:
        ms = [m for m in self.mentions if sent.start <= m.start < sent.end and m.cls == "Place"]
        for a, b in zip(ms, ms[1:], strict=False):
            if b.start == a.end + 1 and self.doc[a.end].text == ",":
                # a list "China, Singapore, and the U.S." is not "Lima, Peru"
                after = self.doc[b.end].lower_ if b.end < len(self.doc) else ""
                nxt = self.doc[b.end + 1].lower_ if b.end + 1 < len(self.doc) else ""
                before = self.doc[a.start - 1].lower_ if a.start > 0 else ""
                if (after == "," and nxt in {"and", "or"}) or after in {"and", "or"} or \
                        before == ",":
                    continue
                nxt_m = self.res.mention(self.doc[b.end + 1]) if after == "," and \
                    b.end + 1 < sent.end else None
                if nxt_m is not None and nxt_m.cls == "Place":
                    continue
                kinds = [self._kind(x) for x in (a, b)]
                if kinds[0] in {"country", "region"} or kinds[1] not in {
                        "country", "state", "province", "region"}:
                    continue
                self.emit(a, "locatedIn", b, [self.doc[a.end]], "place-appos", 0.7, sent)

    def _kind(self, m: Mention) -> str:
        entry = self.gaz.by_label.get(m.key)
        return entry.attr("kind")[0] if entry and entry.attr("kind") else ""

    def title_rules(self, sent: Span) -> None:
        people = [m for m in self.mentions if sent.start <= m.start < sent.end
                  and m.cls == "Person"]
        for p in people:
            # offices: "Deputy Secretary of Defense Steven Feinberg"
            before = self.doc[max(sent.start, p.start - 8) : p.start].text
            for phrase, body in self.lex.offices.items():
                if phrase.lower() in before.lower():
                    org = self.entity(body, p, "office")
                    if org is not None:
                        self.emit(p, "worksFor", org, [], "title-office", 0.75, sent)
            title, title_toks = self._title_of(p, sent)
            if title is None:
                continue
            prop, _scope = self.lex.titles[title]
            j = title_toks[0].i - 1
            while j >= sent.start and (self.res.mention(self.doc[j]) is not None
                                       or self.doc[j].lower_ in {"'s", "\u2019s", "-"}):
                j -= 1
            if j >= sent.start and self.doc[j].lower_ in {"former", "ex", "onetime"}:
                prop = "formerlyWorkedFor"
            orgs, unit_orgs = self._orgs_of_title(title_toks, p, sent)
            unit = any(c.dep_ in {"compound", "amod"} and self.res.mention(c) is None
                       and c.lower_ not in {"co", "-", "former", "deputy", "chief", "vice",
                                            "executive", "general"}
                       and c.pos_ in {"PROPN", "NOUN"} for c in title_toks[-1].children)
            if not orgs and title in CORPORATE_TITLES:
                r = self.res._recent(p.start, "Company", window_sents=3)
                if r is not None and not self.res.subjectish(r):
                    r = None
                j = title_toks[0].i - 1
                if j >= sent.start and self.doc[j].is_title and self.res.mention(
                        self.doc[j]) is None:
                    r = None  # "Federal Reserve Board chairman": an org we did not type
                orgs = [r] if r else []
                conf = 0.5
            else:
                conf = 0.75
            for o in orgs:
                if prop == "formerlyWorkedFor":
                    self.emit(p, prop, o, title_toks, "title-former", conf, sent)
                elif prop == "leads" and unit:
                    self.emit(p, "worksFor", o, title_toks, "title-unit", conf, sent)
                else:
                    self.emit(p, prop, o, title_toks, f"title:{title}", conf, sent)
            for o in unit_orgs:
                self.emit(p, "worksFor", o, title_toks, "title-parent", conf, sent)

    def _title_of(self, p: Mention, sent: Span) -> tuple[str | None, list[Token]]:
        doc = self.doc
        # before: "CEO Wang Xing", "co-founder Wu Yuxin", "Nvidia CEO Jensen Huang"
        for n in (3, 2, 1):
            lo = p.start - n
            if lo < sent.start:
                continue
            words = doc[lo : p.start].text.lower().replace(" - ", "-").replace(" -", "-")
            if words in self.lex.titles:
                return words, list(doc[lo : p.start])
        # after: "Tan Dai, head of X", "Zhu Wenjia, the creator of X"
        j = p.end
        if j < sent.end and doc[j].text == ",":
            j += 1
            while j < sent.end and doc[j].lower_ in {"the", "a", "an", "its", "his", "her",
                                                      "former", "ex", "onetime"}:
                j += 1
            for n in (3, 2, 1):
                w = doc[j : min(j + n, sent.end)].text.lower()
                if w in self.lex.titles:
                    return w, list(doc[j : j + n])
        # apposition before: "ByteDance's AI boss, Zhu Wenjia"
        last = doc[p.end - 1]
        if last.dep_ == "appos" and last.head.lemma_.lower() in self.lex.titles:
            return last.head.lemma_.lower(), [last.head]
        if doc[p.start].dep_ == "appos" and doc[p.start].head.lemma_.lower() in self.lex.titles:
            return doc[p.start].head.lemma_.lower(), [doc[p.start].head]
        return None, []

    def _orgs_of_title(self, toks: list[Token], p: Mention, sent: Span):
        """Organisations a title names: "Nvidia CEO", "head of X's Y division", "X's boss"."""
        orgs: list[Mention] = []
        parents: list[Mention] = []
        head = toks[-1]
        first = toks[0]
        j = first.i - 1
        while j >= sent.start and self.doc[j].lower_ in {"'s", "\u2019s", "ai", "-"}:
            j -= 1
        if j >= sent.start:
            m = self.res.mention(self.doc[j])
            if m is not None and m.cls in {"Company", "GovernmentBody"}:
                orgs.append(m)
            elif self.doc[j].lower_ in {"its", "their"}:
                orgs += [x for x in self.res.refer(self.doc[j]) if x.cls == "Company"]
        for c in head.children:
            if c.dep_ == "poss":
                orgs += [x for x in self.res.refer(c) if x.cls in {"Company", "GovernmentBody"}]
            if c.dep_ == "prep" and c.lower_ in {"of", "at"}:
                inner = self.in_subtree(c, set(), {"Company", "GovernmentBody"})
                poss = [self.res.mention(t) for t in c.subtree if t.dep_ == "poss"]
                poss = [x for x in poss if x is not None]
                main = [x for x in inner if x not in poss]
                orgs += main or poss
                if main:
                    parents += poss
        return [o for o in orgs if o is not p], parents

    def regulation_rules(self, sent: Span) -> None:
        regs = [m for m in self.mentions + self.virtual
                if sent.start <= m.start < sent.end and m.cls == "Regulation"]
        # a government restricting exports by verb: the implicit export controls
        for tok in self.toks(sent):
            if tok.lemma_.lower() not in RESTRICT_VERBS or tok.pos_ != "VERB" or self.negated(tok):
                continue
            issuers = [m for m in self.subjects(tok, None) if m.cls in {"Place", "GovernmentBody"}]
            if not issuers:
                continue
            words = {t.lemma_.lower() for t in tok.subtree}
            if not words & {"export", "chip", "access", "technology", "semiconductor", "gpu"}:
                continue
            issuer = issuers[0]
            us_issuers = {"United States", "Department of Commerce",
                          "Bureau of Industry and Security"}
            label = "US export controls" if issuer.key in us_issuers else None
            if label is None:
                continue
            reg = self.entity(label, tok, "regulation-verb")
            if reg is None:
                continue
            self.emit(reg, "issuedBy", issuer, [tok], "regulation-verb", 0.7, sent)
            subj = {t.i for s in tok.children if s.dep_ in {"nsubj", "nsubjpass"}
                    for t in s.subtree}
            for t in tok.subtree:
                if t.i in subj:
                    continue
                pl = self.place_ref(t)
                if pl is not None and pl is not issuer:
                    self.emit(reg, "targets", pl, [tok], "regulation-verb", 0.65, sent)
                m = self.res.mention(t)
                if m is not None and m.cls in {"Company", "Chip", "Product"}:
                    self.emit(reg, "restricts", m, [tok], "regulation-verb", 0.6, sent)
        for r in regs:
            head = self.doc[r.head if r.head >= 0 else r.end - 1] if r.end - 1 < sent.end else None
            if head is None:
                continue
            if head.dep_ in {"dobj", "nsubjpass"} and head.head.lemma_.lower() in REG_ACTS:
                for g in self.subjects(head.head, None):
                    if g.cls in {"GovernmentBody", "Place"}:
                        self.emit(r, "issuedBy", g, [head.head], "regulation-act", 0.65, sent)
            # issuer named in the phrase: "US export controls", "rule from the Commerce Dept"
            label_words = r.key.split()
            if r.key.endswith("export controls") and label_words[0] == "US":
                us = self.entity("United States", r, "regulation-issuer")
                if us is not None:
                    self.emit(r, "issuedBy", us, [head], "regulation-issuer", 0.7, sent)
            for t in self.doc[r.start : r.end]:
                if t.i >= head.i or t.head.i != head.i and t.head.head.i != head.i:
                    continue
                pl = self.place_ref(t) if t.dep_ in {"compound", "amod", "poss", "nmod"} else None
                if pl is not None:
                    self.emit(r, "issuedBy", pl, [t], "regulation-issuer", 0.7, sent)
            for c in head.children:
                if c.dep_ == "prep" and c.lower_ in {"from", "by"}:
                    for m in self.in_subtree(c, set(), {"GovernmentBody", "Place", "Person"}):
                        self.emit(r, "issuedBy", m, [c], "regulation-issuer", 0.7, sent)
                if c.dep_ in {"acl", "relcl"} and c.lemma_.lower() in ISSUE_VERBS:
                    for a in c.children:
                        if a.dep_ == "agent":
                            for m in self.in_subtree(a, set(), {"GovernmentBody", "Place",
                                                                "Person"}):
                                self.emit(r, "issuedBy", m, [c], "regulation-issuer", 0.7, sent)
            # what it restricts: "restrictions on the supply of Nvidia's chips", "restrict
            # China's access to ..."
            span_toks = set(range(r.start, r.end))
            for c in head.children:
                if c.dep_ in {"prep", "acl", "relcl"} and c.i not in span_toks:
                    for t in c.subtree:
                        m = self.res.mention(t)
                        if m is not None and m.cls in {"Chip", "Product"} or (
                                m is not None and m.cls == "Company" and c.dep_ == "prep"):
                            self.emit(r, "restricts", m, [c], "regulation-object", 0.65, sent)
                        pl = self.place_ref(t)
                        if pl is not None and (t.dep_ == "poss" or t.lower_ in {"chinese"}):
                            self.emit(r, "targets", pl, [c], "regulation-object", 0.6, sent)
            # the regulation as a verb's subject: "export controls restrict the GPUs ..."
            if head.dep_ in {"nsubj", "nsubjpass"} and head.head.lemma_.lower() in (
                    RESTRICT_VERBS | {"force", "require", "hit", "affect", "target"}):
                verb = head.head
                for t in verb.subtree:
                    if t.i in span_toks or t.i <= head.i:
                        continue
                    m = self.res.mention(t)
                    if m is not None and m.cls in {"Company", "Chip", "Product"}:
                        prop = "targets" if (m.cls == "Company" and verb.lemma_ == "force") \
                            else "restricts"
                        self.emit(r, prop, m, [verb], "regulation-subject", 0.65, sent)
                    pl = self.place_ref(t)
                    if pl is not None and t.dep_ in {"amod", "poss", "compound"}:
                        self.emit(r, "targets", pl, [verb], "regulation-subject", 0.6, sent)
            # "add X, Y and Z to the list", "inclusion in the 1260H list"
            for t in self.toks(sent):
                lem = t.lemma_.lower()
                if lem in LIST_VERBS | {"inclusion"} and t.i not in span_toks:
                    near = any(x.i in span_toks for x in t.subtree) or lem == "inclusion"
                    if not near:
                        continue
                    skip = {x.i for c in t.subtree if c.dep_ in {"relcl", "acl"}
                            for x in c.subtree}
                    scope = sent if lem == "inclusion" else t.subtree
                    for x in scope:
                        if x.i in skip:
                            continue
                        m = self.res.mention(x)
                        if m is not None and m.cls == "Company" and x.i not in span_toks:
                            self.emit(r, "targets", m, [t], "regulation-list", 0.7, sent)
                    if lem in LIST_VERBS and t.pos_ == "VERB":
                        for v in [t, t.head]:
                            for c in v.children:
                                if c.dep_ in {"nsubj", "dobj"}:
                                    for m in self.res.expand(c):
                                        if m.cls == "GovernmentBody":
                                            self.emit(r, "issuedBy", m, [t], "regulation-list",
                                                      0.6, sent)
            # the court ruling that could force X to sell Y
            for t in self.toks(sent):
                if t.lemma_.lower() == "force" and any(x.i in span_toks for x in t.head.subtree):
                    for c in t.children:
                        if c.dep_ in {"dobj", "nsubj"}:
                            for m in self.res.expand(c, "Company"):
                                self.emit(r, "targets", m, [t], "regulation-force", 0.6, sent)
                        if c.dep_ in {"xcomp", "ccomp"}:
                            for d in c.children:
                                if d.dep_ == "dobj":
                                    for m in self.res.expand(d):
                                        if m.cls == "Product":
                                            self.emit(r, "restricts", m, [t],
                                                      "regulation-force", 0.6, sent)

    def former_rule(self, sent: Span) -> None:
        words = {t.lower_ for t in self.toks(sent)}
        if not words & FORMER_CUES:
            return
        people = [m for m in self.mentions if sent.start <= m.start < sent.end
                  and m.cls == "Person"]
        if not people:
            for t in self.toks(sent):
                if t.lower_ in {"he", "she"}:
                    people = self.res.refer(t)
                    break
        orgs = [m for m in self.mentions if sent.start <= m.start < sent.end
                and m.cls in {"Company", "GovernmentBody"}]
        current = {(c.subject.key, c.object.key) for c in self.out
                   if c.predicate in {"leads", "worksFor", "founded"}}
        for p in people:
            for o in orgs:
                if (p.key, o.key) not in current and self._former_near(p, o, sent):
                    self.emit(p, "formerlyWorkedFor", o, [], "former", 0.55, sent)

    def _former_near(self, p: Mention, o: Mention, sent: Span) -> bool:
        for t in self.toks(sent):
            if t.lower_ not in FORMER_CUES:
                continue
            gap = o.start - t.i
            if 0 < gap <= 3 or (t.lower_ not in {"former", "ex", "onetime", "erstwhile"}
                                and 0 < gap <= 25):
                return True
        return False

    def known_rules(self, sent: Span) -> None:
        """Co-mention backed by the gazetteer: a product and its maker, a unit and its parent."""
        ms = [m for m in self.mentions if sent.start <= m.start < sent.end and m.known]
        keys = {m.key: m for m in ms}
        for m in ms:
            maker = self.gaz.maker_of(m.key)
            first = self.gaz.lookup(self.doc[m.start].text)
            if maker and m.end - m.start > 1 and first is not None and first.label == maker \
                    and maker not in keys:
                made_by = self.entity(maker, self.doc[m.start], "known-maker")
                if made_by is not None:  # "Nvidia H800": the maker named in the name
                    self.emit(made_by, "develops", m, [self.doc[m.start]], "known-maker-name",
                              0.7, sent)
            if maker in keys and m.cls in {"Product", "Chip"}:
                self.emit(keys[maker], "develops", m, [], "known-maker", 0.5, sent)
                if m.cls == "Product":
                    self.emit(keys[maker], "owns", m, [], "known-maker", 0.5, sent)
            parent = self.gaz.parent_of(m.key)
            if parent in keys and m.cls in {"Company", "Product"}:
                self.emit(keys[parent], "owns", m, [], "known-parent", 0.5, sent)

    def datacenter_rules(self) -> None:
        for m in self.mentions:
            if m.cls != "DataCenter":
                continue
            sent = self.res.sent_of(m.start)
            for t in self.doc[m.start : m.end]:
                pl = self.res.mention(t)
                if pl is not None and pl.cls == "Place" and pl is not m:
                    self.emit(m, "locatedIn", pl, [t], "datacenter-place", 0.8, sent)
                elif pl is m and (entry := self.gaz.lookup(t.text) or self.gaz.demonyms.get(
                        t.text)) is not None and entry.cls == "Place":
                    place = self.entity(entry.label, t, "datacenter-place")
                    if place is not None:
                        self.emit(m, "locatedIn", place, [t], "datacenter-place", 0.8, sent)


def find_relations(doc: Doc, mentions: list[Mention], gaz: Gazetteer, lex: Lexicon
                   ) -> tuple[list[Candidate], list[Mention]]:
    """Candidates of ``doc`` and the virtual mentions (implied entities) they introduced."""
    finder = _Finder(doc, mentions, gaz, lex)
    cands = finder.run()
    return cands, finder.virtual

