"""The context a relation rule receives: the doc, its mentions and resolver, the domain
knowledge (gazetteer, lexicon), and the helpers every rule shares (subjects of a verb, the
mentions of a noun phrase, references, modality) and :meth:`Context.emit`, the one way a rule
states a candidate. A candidate whose classes do not fit the property's domain and range
(``extract/schema.py``) is dropped there, so rules do not re-test classes by hand.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from .gazetteer import Gazetteer, Lexicon
from .resolve import Resolver
from .schema import allowed
from .spans import Mention, token_words

__all__ = ["Candidate", "Context", "verb_above"]



def verb_above(tok: Token, steps: int = 5) -> Token | None:
    """The first verb (or auxiliary) among the ``steps`` heads above ``tok``, or None at the
    root: the clause a noun phrase ("under a collaboration", "in a round") belongs to."""
    t = tok
    for _ in range(steps):
        if t.head.i == t.i:
            return None
        t = t.head
        if t.pos_ in {"VERB", "AUX"}:
            return t
    return None

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


class Context:
    """One doc being read by the rules (see ``extract.rules``)."""

    def __init__(self, doc: Doc, mentions: list[Mention], gaz: Gazetteer, lex: Lexicon):
        self.doc = doc
        self.gaz = gaz
        self.lex = lex
        self.res = Resolver(doc, mentions, lex, gaz)
        self.mentions = mentions
        self.virtual: list[Mention] = []
        self.out: list[Candidate] = []
        self._modality: dict[int, str] = {}
        self._toks = self.tokens = list(doc)  # one Token object per token, reused by every loop
        self._cache: dict = {}
        self._cues = lex.cues
        self._denied: dict[int, bool] = {}
        #: per token: lemma in lower case, lower-case form, dependency label (strings)
        words = token_words(doc)
        self.lemma, self.lower, self.dep = words.lemma, words.lower, words.dep
        self._sent_words: dict[tuple[int, int, str], frozenset[str]] = {}
        self._sent_mentions: dict[tuple[int, int], list[Mention]] = {}
        self._by_dep: dict[str, list[int]] | None = None

    def cue(self, name: str) -> frozenset[str]:
        """A named word set of ``ontology/lexicon/cues.tsv`` (an unknown name is an error)."""
        found = self._cues.get(name)
        return found if found is not None else self.lex.cue(name)

    def cached(self, key, compute):
        """``compute()`` once per doc and ``key``: what several rules ask of one token."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def toks(self, sent: Span) -> list[Token]:
        return self._toks[sent.start : sent.end]

    # What a sentence holds, asked by many rules of every sentence: kept once per doc, so
    # that a rule whose cue words a sentence lacks costs a set test, not a pass over its
    # tokens (the rules read the tokens these give in the same order as ``toks``).

    def words(self, sent: Span, field: str = "lemma") -> frozenset[str]:
        """The lemmas (lower case; ``field="lower"``: the lower-case forms) of ``sent``."""
        key = (sent.start, sent.end, field)
        found = self._sent_words.get(key)
        if found is None:
            values = self.lemma if field == "lemma" else self.lower
            found = self._sent_words[key] = frozenset(values[sent.start : sent.end])
        return found

    def toks_with(self, sent: Span, words: frozenset[str] | set[str],
                  field: str = "lemma") -> list[Token]:
        """The tokens of ``sent`` whose lemma in lower case (``field="lower"``: lower-case
        form) is in ``words``, in order."""
        if words.isdisjoint(self.words(sent, field)):
            return []
        values = self.lemma if field == "lemma" else self.lower
        return [self._toks[i] for i in range(sent.start, sent.end) if values[i] in words]

    def toks_dep(self, sent: Span, *deps: str) -> list[Token]:
        """The tokens of ``sent`` whose dependency label is one of ``deps``, in order."""
        if len(deps) > 1:
            labels = self.dep
            return [self._toks[i] for i in range(sent.start, sent.end) if labels[i] in deps]
        dep = deps[0]
        if self._by_dep is None:
            self._by_dep = {}
            for i, label in enumerate(self.dep):
                self._by_dep.setdefault(label, []).append(i)
        found = self._by_dep.get(dep, ())
        lo = bisect_left(found, sent.start)
        hi = bisect_left(found, sent.end, lo)
        return [self._toks[i] for i in found[lo:hi]]

    def sent_mentions(self, sent: Span) -> list[Mention]:
        """The article's mentions (not the virtual ones) that start in ``sent``, in order:
        ``[m for m in ctx.mentions if sent.start <= m.start < sent.end]``, kept per sentence
        (the rules do not change ``ctx.mentions``)."""
        key = (sent.start, sent.end)
        found = self._sent_mentions.get(key)
        if found is None:
            found = self._sent_mentions[key] = [
                m for m in self.mentions if sent.start <= m.start < sent.end]
        return found

    def emit(self, s: Mention, p: str, o: Mention, toks: list[Token] | tuple, rule: str,
             conf: float, sent: Span, modality: str | None = None) -> None:
        if s is o or s.key == o.key or not allowed(s.cls, p, o.cls):
            return
        if toks and toks[0].pos_ in {"VERB", "AUX"} and self.denied(toks[0]):
            return  # "Samsung denied a report that it had agreed to ship HBM to Huawei"
        idx = [t.i for t in toks] + [s.start, o.start] if toks else [s.start, o.start]
        lo, hi = max(min(idx), sent.start), min(max(idx) + 1, sent.end)
        self.out.append(Candidate(s, p, o, lo, hi, rule, conf,
                                  modality or self.modality(sent)))

    def emit_each(self, subjects, p: str, objects, toks: list[Token] | tuple, rule: str,
                  conf: float, sent: Span, modality: str | None = None) -> None:
        """:meth:`emit` from each subject to each object (subjects first, in order)."""
        for s in subjects:
            for o in objects:
                self.emit(s, p, o, toks, rule, conf, sent, modality)

    def role_holders(self, tok: Token, cls: str = "Company") -> list[Mention]:
        """Who holds the role a noun names: "TSMC, Nvidia's main supplier" (apposition),
        "TSMC is / was named Nvidia's supplier" (the clause's subject)."""
        if tok.dep_ == "appos":
            return self.res.refer(tok.head, cls)
        if tok.dep_ in {"attr", "oprd"}:
            return self.subjects(tok.head, cls)
        return []

    def denied(self, tok: Token) -> bool:
        """Whether ``tok`` sits under a verb of denial ("denied that it had signed a deal",
        "dismissed reports that it would buy"): nothing under it is stated."""
        found = self._denied.get(tok.i)
        if found is None:
            deny, t, found = self.cue("deny_verbs"), tok, False
            for _ in range(8):
                if t.lemma_.lower() in deny:
                    found = True
                    break
                if t.head.i == t.i:
                    break
                t = t.head
            self._denied[tok.i] = found
        return found

    def modality(self, sent: Span) -> str:
        cached = self._modality.get(sent.start)
        if cached is None:
            cached = self._modality[sent.start] = self._modality_of(sent)
        return cached

    def _modality_of(self, sent: Span) -> str:
        words = {t.lower_ for t in self.toks(sent)}
        if words & self.cue("proposed"):
            return "proposed"
        if words & self.cue("planned_modality"):
            return "planned"
        if words & self.cue("reported"):
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
        if tok.lemma_.lower() not in self.cue("state_heads") or tok.pos_ != "NOUN" or \
                cls not in (None, "Place"):
            return []
        for c in tok.children:
            if c.dep_ in {"amod", "compound", "poss", "nmod"}:
                place = self.place_ref(c)
                if place is not None:
                    return [place]
        return []


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

