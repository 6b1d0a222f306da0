"""Relation rules about places: headquarters, operations, containment, data centers."""

from __future__ import annotations

from spacy.tokens import Span, Token

from .spans import Mention

#: "in the western state of Gujarat", "the southern province of Guangdong"
REGION_WORDS = {"state", "province", "region", "county", "prefecture", "district",
                "territory", "emirate", "country"}


class PlaceRules:
    """Mixed into the relation finder (extract.relations); uses its helpers."""

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
                based = head.lower_ in {"based", "headquartered"} or head.text.endswith("-based")
                if based:
                    head = head.head
                head_m = self.res.mention(head)
                if head_m is not None and head_m is place:
                    continue
                named = self.res.expand(head)
                orgs = [x for x in named if x.cls in {"Company", "GovernmentBody"}]
                if based:  # "Kim Sun-woo, a Seoul-based analyst": where the person works
                    for person in (x for x in named if x.cls == "Person"):
                        self.emit(person, "basedIn", place, [tok], "origin-person", 0.65, sent)
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
        for a in ms:
            outer = self._region_of(a, sent)
            if outer is not None and outer is not a:
                self.emit(a, "locatedIn", outer, [self.doc[a.end + 1]], "place-region", 0.7,
                          sent)
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

    def _enclosing(self, place: Mention, sent: Span) -> Mention | None:
        """The place named right after ``place`` as containing it: "Shackelford County,
        Texas", "Jamnagar, in the western state of Gujarat"."""
        j = place.end
        outer = self._region_of(place, sent) or (
            self.res.mention(self.doc[j + 1]) if j + 1 < sent.end and self.doc[j].text == ","
            else None)
        return outer if outer is not None and outer.cls == "Place" and outer is not place \
            else None

    def _region_of(self, place: Mention, sent: Span) -> Mention | None:
        """ "Jamnagar, in the western state of Gujarat" -> Gujarat."""
        toks = self.doc[place.end : min(place.end + 8, sent.end)]
        words = [t.lower_ for t in toks]
        if words[:3] != [",", "in", "the"]:
            return None
        for k in range(3, len(toks) - 1):
            if words[k] in REGION_WORDS and words[k + 1] == "of" and k + 2 < len(toks):
                outer = self.res.mention(toks[k + 2])
                return outer if outer is not None and outer.cls == "Place" else None
            if toks[k].pos_ not in {"ADJ", "PROPN"}:
                return None
        return None

    def _kind(self, m: Mention) -> str:
        entry = self.gaz.by_label.get(m.key)
        return entry.attr("kind")[0] if entry and entry.attr("kind") else ""

    def datacenter_rules(self) -> None:
        for m in self.mentions:
            if m.cls != "DataCenter":
                continue
            sent = self.res.sent_of(m.start)
            for t in self.doc[m.start : m.end]:
                pl = self.res.mention(t)
                if pl is not None and pl.cls == "Place" and pl is not m:
                    self.emit(m, "locatedIn", pl, [t], "datacenter-place", 0.8, sent)
                    outer = self._enclosing(pl, sent) if t.i == pl.end - 1 else None
                    if outer is not None:
                        self.emit(m, "locatedIn", outer, [self.doc[pl.end]],
                                  "datacenter-place", 0.7, sent)
                elif pl is m and (entry := self.gaz.lookup(t.text) or self.gaz.demonyms.get(
                        t.text)) is not None and entry.cls == "Place":
                    place = self.entity(entry.label, t, "datacenter-place")
                    if place is not None:
                        self.emit(m, "locatedIn", place, [t], "datacenter-place", 0.8, sent)
