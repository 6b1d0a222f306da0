"""Relation rules about regulations: issuer, targets, restricted items, lists."""

from __future__ import annotations

from spacy.tokens import Span

from .cues import (
    ISSUE_VERBS,
    LIST_VERBS,
    REG_ACTS,
    RESTRICT_VERBS,
)


class RegulationRules:
    """Mixed into the relation finder (extract.relations); uses its helpers."""

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
            if r.end > sent.end:
                continue
            # a known name's head is its syntactic root: "controls" in "export controls on
            # gallium and germanium"
            head = self.doc[r.head] if r.head >= 0 else self.doc[r.start : r.end].root
            if head.dep_ in {"dobj", "nsubjpass"} and head.head.lemma_.lower() in REG_ACTS:
                for g in self.subjects(head.head, None):
                    if g.cls in {"GovernmentBody", "Place"}:
                        self.emit(r, "issuedBy", g, [head.head], "regulation-act", 0.65, sent)
            # "SMIC has been on the Entity List since 2020", "firms that remain on the list"
            prep = head.head
            if head.dep_ == "pobj" and prep.lower_ == "on" and prep.head.lemma_.lower() in {
                    "be", "remain", "stay", "appear", "land", "end"} and \
                    not self.negated(prep.head):
                for m in self.subjects(prep.head, "Company"):
                    self.emit(r, "targets", m, [prep], "regulation-on-list", 0.65, sent)
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
