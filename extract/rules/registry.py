"""The registry of relation rules: each rule one small function with its id, its trigger and
the properties it states, registered by :func:`rule`, looked up by id (an unknown id is an
error), and run in registration order by :func:`run`.

Triggers say when a rule looks at the text:

- :class:`OnToken`   at each token whose lemma (or lower-case form) is in a named word set
                     of the lexicon (``cues.tsv``), or in the trigger lemmas of a property
                     (``triggers.tsv``), with optional part-of-speech and verb tests;
- :class:`OnSentence` once per sentence, before or after the token rules of that sentence;
- :class:`OnDocument` once per doc, after every sentence.

Token rules run token by token (every rule triggered by one token before the next token), so a
rule that reads earlier candidates (``ctx.out``) sees those of the tokens before it.

    >>> from extract.rules import REGISTRY          # doctest: +SKIP
    >>> REGISTRY["poss"].props                      # doctest: +SKIP
    ('owns', 'develops', 'operates', 'headquarteredIn', 'issuedBy')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..schema import PROPERTIES

if TYPE_CHECKING:
    from spacy.tokens import Token

    from ..context import Context
    from ..gazetteer import Lexicon

__all__ = ["Rule", "OnToken", "OnSentence", "OnDocument", "REGISTRY", "rule", "get", "run"]


@dataclass(frozen=True)
class OnToken:
    """At tokens whose ``field`` ("lemma" or "lower") is in the word set ``words``: a cue set
    of ``cues.tsv`` by name, ``"triggers:<property>"`` for a property's trigger lemmas, or a
    literal set. ``pos`` limits the part of speech; ``verb`` asks for a verb that is not
    negated (a gerund the tagger calls a noun counts)."""

    words: str | frozenset[str]
    field: str = "lemma"
    pos: frozenset[str] = frozenset()
    dep: frozenset[str] = frozenset()
    verb: bool = False

    def keys(self, lex: Lexicon) -> frozenset[str]:
        if not isinstance(self.words, str):
            return self.words
        if self.words.startswith("triggers:"):  # "triggers:owns+develops": their union
            props = self.words.split(":", 1)[1].split("+")
            return frozenset().union(*(lex.triggers.get(p, frozenset()) for p in props))
        return lex.cue(self.words)

    def accepts(self, tok: Token, ctx: Context) -> bool:
        if self.pos and tok.pos_ not in self.pos:
            return False
        if self.dep and tok.dep_ not in self.dep:
            return False
        if self.verb:
            if not (tok.pos_ in {"VERB", "AUX"} or (tok.pos_ == "NOUN" and tok.tag_ == "VBG")):
                return False
            return not ctx.negated(tok)
        return True


@dataclass(frozen=True)
class OnSentence:
    """Once per sentence; ``first`` runs it before the sentence's token rules."""

    first: bool = False


@dataclass(frozen=True)
class OnDocument:
    """Once per doc, after all sentences."""


Trigger = OnToken | OnSentence | OnDocument


@dataclass(frozen=True)
class Rule:
    """A named rule: ``body(ctx, tok, sent)`` for token triggers, ``body(ctx, sent)`` for
    sentence triggers, ``body(ctx)`` for document triggers."""

    id: str
    trigger: Trigger
    props: tuple[str, ...]
    body: Callable = field(compare=False)
    example: str = ""

    @property
    def doc(self) -> str:
        return (self.body.__doc__ or "").strip()


REGISTRY: dict[str, Rule] = {}


def rule(rule_id: str, trigger: Trigger, props: tuple[str, ...] | str,
         example: str = "") -> Callable[[Callable], Callable]:
    """Register the decorated function as the rule ``rule_id``."""
    props = (props,) if isinstance(props, str) else tuple(props)
    unknown = [p for p in props if p not in PROPERTIES]
    if unknown:
        raise ValueError(f"rule {rule_id!r}: unknown properties {unknown}")

    def register(fn: Callable) -> Callable:
        if rule_id in REGISTRY:
            raise ValueError(f"rule {rule_id!r} is registered twice")
        REGISTRY[rule_id] = Rule(rule_id, trigger, props, fn, example)
        return fn

    return register


def get(rule_id: str) -> Rule:
    """The rule registered as ``rule_id``; an unknown id is an error."""
    try:
        return REGISTRY[rule_id]
    except KeyError:
        raise KeyError(f"no relation rule {rule_id!r}; known: {', '.join(REGISTRY)}") from None


def _dispatch(lex: Lexicon) -> tuple[dict[str, list[tuple[int, Rule]]],
                                     dict[str, list[tuple[int, Rule]]]]:
    """Token rules indexed by the lemma / lower-case form that triggers them."""
    by_lemma: dict[str, list[tuple[int, Rule]]] = {}
    by_lower: dict[str, list[tuple[int, Rule]]] = {}
    for n, r in enumerate(REGISTRY.values()):
        if isinstance(r.trigger, OnToken):
            index = by_lemma if r.trigger.field == "lemma" else by_lower
            for word in r.trigger.keys(lex):
                index.setdefault(word, []).append((n, r))
    return by_lemma, by_lower


_DISPATCH: dict[int, tuple] = {}


def run(ctx: Context) -> None:
    """Run every registered rule over ``ctx.doc``, in registration order."""
    key = id(ctx.lex)
    if key not in _DISPATCH or _DISPATCH[key][0] is not ctx.lex:
        _DISPATCH[key] = (ctx.lex, *_dispatch(ctx.lex))
    _, by_lemma, by_lower = _DISPATCH[key]
    rules = list(REGISTRY.values())
    first = [r for r in rules if isinstance(r.trigger, OnSentence) and r.trigger.first]
    after = [r for r in rules if isinstance(r.trigger, OnSentence) and not r.trigger.first]
    # the tokens that trigger a token rule, found once per doc from the per-token words of
    # the context (most tokens trigger none): (index, the rules it fires, in order)
    lemma, lower = ctx.lemma, ctx.lower
    triggers: list[tuple[int, list[tuple[int, Rule]]]] = []
    for i in range(len(lemma)):
        fired = by_lemma.get(lemma[i])
        extra = by_lower.get(lower[i])
        if extra:
            fired = sorted((fired or []) + extra, key=lambda x: x[0])
        if fired:
            triggers.append((i, fired))
    at = 0
    toks = ctx.tokens
    for sent in ctx.res.sents:
        for r in first:
            r.body(ctx, sent)
        while at < len(triggers) and triggers[at][0] < sent.start:
            at += 1
        while at < len(triggers) and triggers[at][0] < sent.end:
            i, fired = triggers[at]
            at += 1
            tok = toks[i]
            for _, r in fired:
                if r.trigger.accepts(tok, ctx):
                    r.body(ctx, tok, sent)
        for r in after:
            r.body(ctx, sent)
    for r in rules:
        if isinstance(r.trigger, OnDocument):
            r.body(ctx)
