"""Within-article resolution: mentions -> entities, and references -> entities.

- names: a surname or given name alone ("Huang", "Zhang") is the person named in full
  elsewhere in the article; a first word ("Moonshot") is the longer company name
  ("Moonshot AI"); an acronym ("CATL") is the entity whose initials it spells;
- types: one entity has one class; the gazetteer wins, otherwise the majority of mentions;
- references: "it", "its", "they", "the company", "the Beijing-based tech giant",
  "the chipmaker" point back to the most salient entity of the fitting class.

Across articles, one key names one node: the gazetteer's label for known entities, the
normalised name otherwise (see ``Mention.key``).
"""

from __future__ import annotations

from collections import Counter, defaultdict

from spacy.tokens import Doc, Span, Token

from .gazetteer import Gazetteer, Lexicon, norm
from .spans import Mention

__all__ = ["assign_keys", "Resolver"]

PRONOUNS = {
    "it": "Company", "its": "Company", "itself": "Company",
    "he": "Person", "his": "Person", "him": "Person",
    "she": "Person", "her": "Person",
}
PLURAL = {"they", "their", "them", "themselves"}
#: "the ChatGPT maker" is OpenAI: heads naming the firm behind a product or chip
MAKER_HEADS = {"maker", "developer", "creator", "designer", "owner", "operator", "parent"}
GENERIC_HEADS = {"company", "firm", "group", "business", "chip", "processor", "gpu",
                 "accelerator", "semiconductor", "model", "app", "chatbot"}


def _initials(label: str) -> str:
    return "".join(w[0] for w in label.split() if w[:1].isupper())


def assign_keys(mentions: list[Mention], gaz: Gazetteer) -> list[Mention]:
    """Give each mention its entity key and one class per key; drop unresolvable fragments."""
    full_people = [m for m in mentions if m.cls == "Person" and len(m.label.split()) > 1]
    multi = [m for m in mentions if len(m.label.split()) > 1]
    named_lists = {m.label for m in mentions if m.cls == "Regulation" and not m.generic
                   and m.label.lower().endswith("list")}
    kept: list[Mention] = []
    for m in mentions:
        m.key = m.label
        if m.generic:
            if len(named_lists) != 1:
                continue  # "the list" with no single named list to point to
            target = next(x for x in mentions if x.label in named_lists)
            m.key, m.known, m.scope = target.label, target.known, target.scope
            kept.append(m)
            continue
        words = m.label.split()
        if not m.known and len(words) == 1:
            target = _expand_short(m, full_people, multi)
            if target is not None:
                m.key, m.cls, m.known = target.key or target.label, target.cls, target.known
                m.wikidata = target.wikidata
            elif m.cls == "Person":
                continue  # a lone given or family name we cannot place
        kept.append(m)
    # one class per key: gazetteer first, then the majority of mentions
    votes: dict[str, Counter] = defaultdict(Counter)
    known_cls: dict[str, str] = {}
    for m in kept:
        votes[norm(m.key)][m.cls] += 1
        if m.known:
            known_cls[norm(m.key)] = m.cls
    for m in kept:
        k = norm(m.key)
        m.cls = known_cls.get(k) or votes[k].most_common(1)[0][0]
    return kept


def _expand_short(m: Mention, people: list[Mention], multi: list[Mention]) -> Mention | None:
    word = m.label
    if m.cls == "Person" or word.istitle():
        hits = {p.label: p for p in people if word in (p.label.split()[0], p.label.split()[-1])}
        if len(hits) == 1:
            return next(iter(hits.values()))
    if word.isupper() and 2 <= len(word) <= 6:
        hits = {x.label: x for x in multi if _initials(x.label) == word and x.cls != "Person"}
        if len(hits) == 1:
            return next(iter(hits.values()))
    hits = {x.label: x for x in multi if x.cls in ("Company", "Product")
            and x.label.split()[0] == word}
    if len(hits) == 1:
        return next(iter(hits.values()))
    return None


class Resolver:
    """Maps tokens of a doc to the mentions they name or refer back to."""

    #: what a clause subject that is no entity ("the facility") leaves "it" to refer to
    _NOTHING = Mention(0, 0, "Thing", "", "clause-subject", 0.0)

    def __init__(self, doc: Doc, mentions: list[Mention], lex: Lexicon,
                 gaz: Gazetteer | None = None):
        self.doc = doc
        self.mentions = mentions
        self.lex = lex
        self.gaz = gaz
        self.sents: list[Span] = list(doc.sents)
        self._sent_index = [0] * len(doc)
        for n, sent in enumerate(self.sents):
            for i in range(sent.start, sent.end):
                self._sent_index[i] = n
        self.at: dict[int, Mention] = {}
        # inner mentions win: "Malaysia" inside "data centers in Malaysia" is the place
        for m in sorted(mentions, key=lambda m: m.start - m.end):
            for i in range(m.start, m.end):
                self.at[i] = m

    def sent_of(self, i: int) -> Span:
        """The sentence of token ``i`` (``Token.sent`` rescans the doc at every call)."""
        return self.sents[self._sent_index[i]]

    def mention(self, tok: Token) -> Mention | None:
        return self.at.get(tok.i)

    def _recent(self, before: int, cls: str, *, window_sents: int = 3,
                head: str | None = None, country: str | None = None, strict: bool = False,
                exclude: Mention | None = None) -> Mention | None:
        """The most salient mention of ``cls`` before token ``before``: subjects first; with a
        descriptive ``head`` ("the startup", "the chipmaker"), entities the gazetteer
        describes so come before those it describes otherwise."""
        idx = self._sent_index[before]
        sent_start = self.sents[idx].start
        first_sent_start = self.sents[max(0, idx - window_sents)].start
        cands = [m for m in self.mentions
                 if m.cls == cls and first_sent_start <= m.start < before and
                 (exclude is None or m.key != exclude.key)]
        if not cands:
            return None
        if head and self.gaz is not None and head not in GENERIC_HEADS:
            fits = [self._fits(m, head) for m in cands]
            if True in fits:
                cands = [m for m, f in zip(cands, fits, strict=True) if f]
            else:
                cands = [m for m, f in zip(cands, fits, strict=True) if f is None] or cands
        if country is not None and self.gaz is not None:
            # "the Suwon-based company": a firm the gazetteer places in South Korea
            there = [m for m in cands if country in self._hq_of(m)]
            if strict:  # "the US company": not a firm placed elsewhere (gazetteer, text)
                cands = there or [m for m in cands if not self._hq_of(m) and
                                  self._described_country(m) in (None, country)]
                if not cands:
                    return None
            else:
                cands = there or cands
        in_sent = [m for m in cands if m.start >= sent_start]
        pool = in_sent or cands
        subjects = [m for m in pool if self.subjectish(m)]
        return (subjects or pool)[-1]

    def _hq_of(self, m: Mention) -> tuple[str, ...]:
        entry = self.gaz.by_label.get(m.key) if self.gaz is not None else None
        return entry.attr("hq") if entry is not None else ()

    def _based_country(self, head: Token) -> str | None:
        """The country of the place in "the Suwon-based company" (through the gazetteer's
        ``in=`` chain: Suwon, South Korea), or None."""
        if self.gaz is None:
            return None
        for c in head.children:
            if c.lower_ not in {"based", "headquartered"}:
                continue
            for p in c.children:
                m = self.at.get(p.i)
                country = self.gaz.country_of(m.label) if m is not None and \
                    m.cls == "Place" else None
                if country is not None:
                    return country.label
        return None

    def _origin_country(self, head: Token) -> str | None:
        """The country a description's modifier names: "the US company", "the Chinese firm",
        "the American chipmaker" (a demonym or a place), or None."""
        if self.gaz is None:
            return None
        for c in head.children:
            if c.dep_ not in {"amod", "compound", "nmod"} or c.i > head.i:
                continue
            m = self.at.get(c.i)
            if m is not None:
                entry = self.gaz.country_of(m.key) if m.cls == "Place" else None
            else:
                entry = self.gaz.demonyms.get(c.text)
                entry = self.gaz.country_of(entry.label) if entry is not None else None
            if entry is not None:
                return entry.label
        return None

    def _described_country(self, m: Mention) -> str | None:
        """The country a firm's own phrase gives it: "Korean firms Samsung and LG" (both)."""
        t = self.doc[m.end - 1]
        heads = [t, t.head] if t.dep_ == "conj" else [t]
        for h in heads:
            for c in h.children:
                if c.dep_ in {"amod", "compound"} and c.i < h.i:
                    found = self._origin_country(c) if c.pos_ == "NOUN" else \
                        self._origin_country(h)
                    if found is not None:
                        return found
        return None

    def _apposed_to(self, tok: Token) -> Mention | None:
        """The name a phrase holding ``tok`` is in apposition with: "Microsoft, its largest
        backer" (its is not Microsoft), "Meta, the parent company of ..."."""
        t = tok
        for _ in range(4):
            if t.dep_ == "appos":
                return self.at.get(t.head.i)
            if t.head.i == t.i or t.pos_ in {"VERB", "AUX"}:
                return None
            t = t.head
        return None

    def _clause_subject(self, pronoun: Token) -> Mention | None:
        """The named subject of the clause "it"/"its" stands in, or of the clause that one
        depends on, when it comes first and is not a person: "Google said its planned
        facility" (Google), "OCI plans to deploy chips across its data centers" (OCI, which
        is no firm here, so no firm), "the facility will be the largest when it opens"."""
        own = set(t.i for t in pronoun.ancestors)
        t = pronoun
        for _ in range(8):
            if t.head.i == t.i:
                return None
            t = t.head
            if t.pos_ not in {"VERB", "AUX"}:
                continue
            for c in t.children:
                if c.dep_ not in {"nsubj", "nsubjpass"} or c.i >= pronoun.i or c.i in own:
                    continue
                if c.conjuncts:  # "X and Y made its ...": not one subject
                    return None
                m = self.at.get(c.i)
                if m is None and c.pos_ == "NOUN":
                    if c.lemma_.lower() in self.lex.cue("it_things"):
                        return self._NOTHING  # "the facility ... when it opens"
                    found = self.refer(c)  # "the company said its ..."
                    m = found[0] if len(found) == 1 else None
                if m is None or m.cls == "Person":
                    return None
                return m
        return None

    def _fits(self, m: Mention, head: str) -> bool | None:
        """Does the gazetteer describe ``m`` with ``head``? None when it has no description."""
        entry = self.gaz.by_label.get(m.key) if self.gaz is not None else None
        descriptors = entry.attr("descriptors") if entry else ()
        if not descriptors:
            return None
        return any(d.lower().split()[-1].rstrip("s") == head.rstrip("s") for d in descriptors)

    def subjectish(self, m: Mention) -> bool:
        """A mention inside its clause's subject ("Smaller players like Moonshot AI are...")."""
        t = self.doc[m.end - 1]
        for _ in range(6):
            if t.dep_ in {"nsubj", "nsubjpass"}:
                return True
            if t.pos_ in {"VERB", "AUX"} or t.head.i == t.i:
                return t.head.i == t.i and t.pos_ not in {"VERB", "AUX"}  # a heading line
            t = t.head
        return False

    def recent_group(self, before: int, cls: str = "Company") -> list[Mention]:
        """The last coordinated group ("Alibaba, ByteDance, and Meituan") before a token."""
        best: list[Mention] = []
        for m in self.mentions:
            if m.start >= before or m.cls != cls:
                continue
            group = [m] + [self.at[c.i] for c in self.doc[m.end - 1].conjuncts
                           if c.i in self.at and self.at[c.i].cls == cls and c.i > m.start]
            if len(group) >= 2:
                best = group
        return best

    def refer(self, tok: Token, cls: str | None = None) -> list[Mention]:
        """Mentions a token names or refers to (with its conjuncts when it names one)."""
        m = self.at.get(tok.i)
        if m is not None:
            out = [m]
            for c in tok.conjuncts:
                cm = self.at.get(c.i)
                if cm is not None and cm not in out:
                    out.append(cm)
            return [x for x in out if cls is None or x.cls == cls]
        low = tok.lower_
        maker = self.maker_of(tok)
        if maker is not None:
            return [maker] if cls is None or cls == maker.cls else []
        if low == "whose":  # "Alibaba, whose Qwen models ...": the clause's name
            clause = next((a for a in tok.ancestors if a.dep_ == "relcl"), None)
            if clause is not None and clause.head.i != tok.i:
                return self.expand(clause.head, cls)
            j = tok.i - 1 if tok.i > 0 and self.doc[tok.i - 1].text != "," else tok.i - 2
            return self.expand(self.doc[j], cls) if j >= 0 else []
        if low in PRONOUNS and tok.text != "IT":  # "IT services" is no pronoun
            want = PRONOUNS[low]
            r = self._relative_antecedent(tok, want)
            if r is None and tok.dep_ == "poss" and tok.head.dep_ == "conj":
                r = self.at.get(tok.head.head.i)  # "Zhipu and its subsidiaries": Zhipu
                r = r if r is not None and r.cls == want else None
            if r is None and want == "Company":
                clause = self._clause_subject(tok)
                if clause is not None:  # "X said its ...", "the facility ... when it opens"
                    return [clause] if clause.cls in {want, "GovernmentBody"} and \
                        (cls is None or cls == clause.cls) else []
            if cls is None or cls == want:
                r = r or self._recent(tok.i, want, exclude=self._apposed_to(tok))
                return [r] if r else []
            return []
        if low in {"we", "our", "us"} and cls in (None, "Company"):
            r = self._speaker_firm(tok)
            return [r] if r else []
        if low in PLURAL:
            group = self.recent_group(tok.i, cls or "Company")
            return group
        head_cls = self.lex.heads.get(tok.lemma_.lower()) or self.lex.heads.get(low)
        if head_cls and tok.pos_ == "NOUN" and (cls is None or head_cls == cls):
            dets = {c.lower_ for c in tok.children if c.dep_ == "det"}
            # "the company" is one firm; "the chips" are the chips just named
            number_ok = tok.tag_ == "NN" or (head_cls == "Chip" and tok.tag_ == "NNS")
            if dets & {"the", "this", "that", "these"} and number_ok:
                country, strict = self._based_country(tok), False
                if country is None:
                    country = self._origin_country(tok)
                    strict = country is not None
                r = self._recent(tok.i, head_cls, head=tok.lemma_.lower(),
                                 country=country, strict=strict,
                                 exclude=self._apposed_to(tok) if tok.dep_ == "poss"
                                 else None)
                return [r] if r else []
        return []

    def _speaker_firm(self, tok: Token) -> Mention | None:
        """ "we"/"our" in a quotation is the firm of its speaker, when the attribution of the
        same sentence names it: "“... we are building with X,” said A, CEO of OpenAI" or
        "... said Google's president A" or "..., OpenAI said"."""
        sent = self.sent_of(tok.i)
        if not any(t.text in {'"', "“"} for t in self.doc[sent.start:tok.i]):
            return None
        for v in self.doc[tok.i + 1:sent.end]:
            if v.lemma_ not in self.lex.cue("speech_verbs") or v.pos_ != "VERB":
                continue
            if not any(t.text in {'"', "”"} for t in self.doc[tok.i + 1:v.i]):
                continue  # the verb is inside the quotation
            for c in v.children:
                if c.dep_ != "nsubj":
                    continue
                m = self.at.get(c.i)
                if m is not None and m.cls == "Company":
                    return m
                if m is not None and m.cls == "Person":
                    firms = [self.at[t.i] for t in c.subtree
                             if t.i in self.at and self.at[t.i].cls == "Company"]
                    return firms[0] if len({f.key for f in firms}) == 1 else None
            return None
        return None

    def maker_of(self, tok: Token) -> Mention | None:
        """ "the ChatGPT maker", "the H20's designer": the firm the gazetteer says makes
        the product or chip named in the phrase, when the article names that firm."""
        if tok.lemma_.lower() not in MAKER_HEADS or tok.pos_ != "NOUN" or self.gaz is None:
            return None
        for c in tok.children:
            made = self.at.get(c.i) if c.dep_ in {"compound", "poss"} else None
            maker = self.gaz.maker_of(made.label) if made is not None and made.cls in {
                "Product", "Chip"} else None
            named = [m for m in self.mentions if m.cls == "Company" and m.label == maker]
            if named:
                return named[0]
        return None

    def _relative_antecedent(self, pronoun: Token, cls: str) -> Mention | None:
        """In a relative clause on a name, "it"/"its" is that name: "Nvidia, which uses the
        memory in its Blackwell GPUs" (not the sentence's subject)."""
        for clause in pronoun.ancestors:
            if clause.dep_ == "relcl" and any(
                    c.dep_ in {"nsubj", "nsubjpass"} and c.lower_ in {"which", "that", "who"}
                    for c in clause.children):
                m = self.at.get(clause.head.i)
                return m if m is not None and m.cls == cls else None
        return None

    def expand(self, tok: Token, cls: str | None = None) -> list[Mention]:
        """Entities a noun phrase headed by ``tok`` stands for.

        "companies like Alibaba, ByteDance and Meituan" -> the three; "ByteDance, TikTok's
        parent" -> ByteDance; otherwise what ``refer`` gives.
        """
        if tok.dep_ == "appos" and self.at.get(tok.i) is None:
            anchor = self.refer(tok.head, cls)  # "Anthropic, the San Francisco-based lab"
            if len(anchor) > 1 and tok.tag_ == "NN":
                # "Nvidia, Bpifrance and Nordvik Capital, a Stockholm-based fund": a singular
                # description after a list is the last name's
                left = tok.left_edge.i
                before = [m for m in anchor if m.end <= left]
                anchor = [max(before, key=lambda m: m.end)] if before else anchor
            if anchor:
                return anchor
        found = self.refer(tok, cls)
        if found:
            return found
        out: list[Mention] = []
        for child in tok.children:
            if child.dep_ == "prep" and child.lower_ in {"like", "including", "as"}:
                for pobj in child.children:
                    if pobj.dep_ == "pobj":
                        out += self.refer(pobj, cls)
            if child.dep_ == "appos":
                out += self.refer(child, cls)
            if child.dep_ == "amod" and child.lower_ == "such":
                for gc in child.children:
                    if gc.dep_ == "prep":
                        for pobj in gc.children:
                            out += self.refer(pobj, cls)
        if tok.dep_ == "appos":
            out += self.refer(tok.head, cls)
        seen: list[Mention] = []
        for m in out:
            if m not in seen:
                seen.append(m)
        return seen
