"""The domain's pattern recognisers: what the small model misses or mistypes.

Chip codes beside "chip" ("Nvidia's H20 chips"), data centers and compute clusters with their
place ("data centers in Southeast Asia"), regulation phrases (export controls named after the
country that issues them, named lists and acts, rules with a telling modifier), products
named by their kind ("its chatbot Kimi", "its Sarvam-M language model"), places before
"-based" and counties, and names right after a generic head ("Chinese startup Zhipu").
:func:`extract.mentions.find_mentions` runs them in that order; each yields
:class:`~extract.spans.Mention` objects for the tokens still free.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Token

from .gazetteer import Gazetteer, Lexicon, norm
from .spans import (
    Mention,
    Occupancy,
    before_based,
    candidates,
    clean_name,
    model_ents,
    plausible_name,
    token_words,
)

__all__ = ["CHIP_CODE", "CHIP_NOUNS", "PRODUCT_KINDS", "DC_NOUNS", "DC_LEMMAS", "REG_LEMMAS",
           "REG_TOPICS", "PLACE_WORDS", "chip_mentions", "datacenter_mentions",
           "regulation_mentions", "product_mentions", "product_version_end",
           "product_version_label", "PRODUCT_CODE", "PRODUCT_VERSION", "PRODUCT_VERSION_WORDS",
           "place_pattern_mentions",
           "head_named_mentions"]

CHIP_CODE = re.compile(r"^(?:[A-Z]{1,3}\d{2,4}[A-Z]{0,2}|MI\d{3}[A-Z]?)$")


CHIP_NOUNS = {"chip", "gpu", "processor", "accelerator", "card", "semiconductor", "superchip"}


PRODUCT_KINDS = {
    "chatbot", "model", "app", "application", "assistant", "engine", "service", "platform",
    "llm", "bot", "agent", "tool", "software",
}


#: Words that end a model's version name: "Claude 3.5 Sonnet", "Gemini 1.5 Pro", "o4-mini".
PRODUCT_VERSION_WORDS = {
    "pro", "ultra", "flash", "sonnet", "opus", "haiku", "max", "plus", "turbo", "mini", "nano",
    "lite", "instruct", "coder", "thinking", "preview", "air", "omni", "maverick", "scout",
    "light", "vision", "reasoner", "instant",
}

#: A version code after a product name: "3.5", "K2.5", "X1", "R1", "4o", "V3".
PRODUCT_VERSION = re.compile(r"^(?:[A-Z]{0,2}\d{1,2}(?:\.\d{1,2})?[a-z]?|[A-Z]{1,2}\d{1,2})$")

#: A model named by its family and version in one token: "GLM-5", "Qwen3-Max".
PRODUCT_CODE = re.compile(r"^([A-Z][A-Za-z]{1,11})-(\d{1,2}(?:\.\d{1,2})?[A-Za-z]?)$")

#: Words after a number that make it a quantity, not a version: "ChatGPT 400 million".
_QUANTITY = {"million", "billion", "thousand", "percent", "%", "times", "users", "months",
             "years", "days", "weeks", "hours", "per", "x"}


DC_NOUNS = {"center", "centre", "centers", "centres", "datacenter", "datacentre", "cluster",
            "clusters", "campus", "supercomputer", "farm"}


REG_HEADS = {"control", "restriction", "ban", "curb", "limit", "sanction", "embargo"}


REG_TOPICS = {"export", "chip", "chips", "semiconductor", "supply", "sale", "sales", "technology",
              "tech", "ai", "gpu"}


RULE_HEADS = {"rule", "regulation", "directive", "ruling", "law", "order", "measure", "act",
              "framework", "guideline"}


RULE_MODS = {"proposed", "new", "draft", "interim", "final", "future", "government", "federal",
             "court", "executive", "national", "replacement"}


DC_LEMMAS = {"datacenter", "datacentre", "cluster", "supercomputer"}


#: arrangements between states that are rules when they restrict exports ("an accord between
#: Germany, France and Italy to restrict exports of chip tools to Russia")
REG_PACTS = {"deal", "agreement", "pact", "accord", "arrangement"}


#: what a pact does to be a rule, and what it must be about
REG_PACT_VERBS = {"restrict", "limit", "curb", "ban", "block", "control", "tighten", "halt",
                  "stop", "prevent"}
REG_PACT_TOPICS = {"export", "shipment", "sale", "sell", "ship", "chip", "semiconductor",
                   "technology", "tool", "equipment", "machine", "microchip"}


#: what names a code of conduct as a rule: "a Code of Practice", "the code of conduct"
REG_CODE_KINDS = {"practice", "conduct"}


REG_LEMMAS = REG_HEADS | RULE_HEADS | REG_PACTS | {"list", "code", "guidance"}


COMPUTE_CUES = {"gpu", "gpus", "chip", "chips", "compute", "computing", "train", "training",
                "model", "models", "server", "servers", "ai", "h100", "h20", "nvidia"}


def _place_of(doc: Doc, tok: Token, known: list[Mention]) -> Mention | None:
    """The place a token lies in: a gazetteer place, else a GPE/LOC of the model."""
    for m in known:
        if m.cls == "Place" and m.start <= tok.i < m.end:
            return m
    if tok.ent_type_ in {"GPE", "LOC"}:
        ent = next((e for e in model_ents(doc) if e.start <= tok.i < e.end), None)
        if ent is not None:
            return Mention(ent.start, ent.end, "Place", ent.text, "ner-place", 0.7)
    return None


def _compute_context(tok: Token) -> bool:
    """A "cluster" is a compute cluster only in a sentence about computing."""
    return any(t.lower_ in COMPUTE_CUES for t in tok.sent)


def chip_mentions(doc: Doc, occ: Occupancy):
    for tok in candidates(doc, "chip"):
        if not tok.text[:1].isupper() or not CHIP_CODE.match(tok.text) or \
                not occ.free(tok.i, tok.i + 1):
            continue
        nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
        prev = doc[tok.i - 1] if tok.i > 0 else None
        near_chip = (nxt is not None and nxt.lemma_.lower() in CHIP_NOUNS) or (
            tok.head.lemma_.lower() in CHIP_NOUNS
        )
        after_maker = prev is not None and prev.lower_ in {"'s", "\u2019s"}
        if near_chip or after_maker:
            yield Mention(tok.i, tok.i + 1, "Chip", tok.text, "pattern-chip-code", 0.8)


#: Size and novelty words before a data center that are not part of its name: "a massive new
#: data center in Abilene" is "data center in Abilene".
DC_QUALIFIERS = {"its", "their", "his", "her", "new", "local", "massive", "huge",
                 "big", "giant", "vast", "sprawling", "enormous", "major", "planned",
                 "proposed", "additional", "several", "more", "first", "largest", "biggest",
                 "gigantic", "mega", "state-of-the-art", "a", "an", "the"}

#: Verbs whose object, with a company as subject, is a data center even without a place:
#: "OpenAI will build AI data centers", "the startup built a supercomputer".
DC_BUILD_VERBS = {"build", "construct", "operate", "run", "open", "own", "launch", "develop",
                  "activate", "expand"}


#: Generic heads that name a builder of data centers: "the company built a supercomputer".
DC_BUILDERS = {"company", "firm", "startup", "maker", "giant", "group", "provider", "operator",
               "developer", "lab", "hyperscaler"}


def _dc_places(doc: Doc, head: Token, known: list[Mention]) -> tuple[list[Mention], int]:
    """The places after ``head`` ("in Thailand and Mexico", "in Zhangjiakou's Zhangbei county,
    Hebei province, China") and where its name ends: at the last place of an "and" list, not
    at the regions after a comma."""
    places: list[Mention] = []
    name_end = 0
    for child in head.children:
        if child.dep_ != "prep" or child.lower_ not in {"in", "at", "across"}:
            continue
        for pobj in child.children:
            if pobj.dep_ != "pobj":
                continue
            todo = [pobj]
            while todo:
                t = todo.pop()
                p = _place_of(doc, t, known)
                if p is not None and p not in places:
                    places.append(p)
                    if not any(doc[k].text == "," for k in range(pobj.i, p.start)):
                        name_end = max(name_end, p.end)
                todo += [c for c in t.children if c.dep_ in {"conj", "appos", "poss",
                                                             "compound"} and c.i > child.i]
    return places, name_end


def _dc_owned(doc: Doc, head: Token, start: int) -> bool:
    """A data center phrase with an owner or a builder: "its global data centers", "xAI's
    supercomputer", "OpenAI will build 10 gigawatts of AI data centers"."""
    if any(c.dep_ == "poss" and (c.pos_ == "PROPN" or c.lower_ in {"its", "their", "our"})
           for c in head.children):  # not "the world's most powerful data center"
        return True
    t = head
    if t.dep_ == "pobj" and t.head.lower_ == "of" and t.head.head.dep_ == "dobj":
        t = t.head.head  # "10 gigawatts of AI data centers"
    if t.dep_ != "dobj" or t.head.lemma_.lower() not in DC_BUILD_VERBS:
        return False
    v = t.head
    for _ in range(4):  # the builder: a name, "it", "the company", up the verb chain
        for c in v.children:
            if c.dep_ == "nsubj":
                return c.pos_ == "PROPN" or c.lower_ in {"it", "they", "we"} or \
                    c.lemma_.lower() in DC_BUILDERS
        if v.dep_ not in {"xcomp", "conj", "advcl", "relcl", "acl", "pcomp"} or v.head.i == v.i:
            return False
        v = v.head
    return False


def datacenter_mentions(doc: Doc, occ: Occupancy, known: list[Mention]):
    """ "data centers in Southeast Asia", "its data centers in China", "Malaysian clusters",
    "new data centres in Thailand and Mexico", "its global data centers", "built a
    supercomputer"."""
    for tok in candidates(doc, "dc"):
        low = tok.lower_
        is_dc = low in {"datacenter", "datacenters", "datacentre", "datacentres"} or (
            low in DC_NOUNS and tok.i > 0 and doc[tok.i - 1].lower_ == "data"
        ) or (tok.lemma_.lower() in {"cluster", "supercomputer"} and _compute_context(tok))
        if not is_dc:
            continue
        head = tok
        start = tok.i - 1 if low in DC_NOUNS and doc[tok.i - 1].lower_ == "data" else tok.i
        end = tok.i + 1
        if end < len(doc) and doc[end].lemma_.lower() in {"campus", "cluster", "hub", "site",
                                                           "facility", "complex", "park"}:
            head = doc[end]  # "a data center campus in Abu Dhabi"
            end += 1
        head_end = end
        given = _dc_given_name(doc, head_end, known)
        if given is not None:  # "a new AI data center, known as "Stargate Norway," in ..."
            n0, n1, place_end = given
            start_mod = start
            while start_mod > 0 and doc[start_mod - 1].dep_ in {"amod", "compound"} and \
                    doc[start_mod - 1].head.i in (head.i, tok.i):
                start_mod -= 1
            if occ.free(start_mod, head_end):
                yield Mention(start_mod, max(n1, place_end), "DataCenter", doc[n0:n1].text,
                              "pattern-datacenter", 0.75, scope="article")
            continue
        places, name_end = _dc_places(doc, head, known)
        if not places:
            for c in head.children:  # "data centres and AI infrastructure in Pune"
                if c.dep_ == "conj":
                    places, name_end = _dc_places(doc, c, known)
                    break
        if places:
            end = max(end, max(p.end for p in places))
        if not places and end < len(doc) and doc[end].lower_ in {"in", "at"} \
                and end + 1 < len(doc):
            nxt = doc[end + 1]
            if nxt.lower_ == "the" and end + 2 < len(doc):
                nxt = doc[end + 2]
            place = _place_of(doc, nxt, known)
            if place is not None:
                places, end = [place], place.end
                name_end = end
        # premodifiers: "new", "Malaysian", "its", "ByteDance's"
        j = start - 1
        while j >= 0 and doc[j].dep_ in {"amod", "compound", "nummod"} and doc[j].head.i in (
            head.i, start, tok.i):
            j -= 1
        start_mod = j + 1
        while start_mod < start and start_mod > 0 and doc[start_mod - 1].text == "-":
            start_mod += 1  # "gigawatt-scale AI data center": not "scale AI data center"
        pre_place = None
        for k in range(start_mod, start):
            pre_place = _place_of(doc, doc[k], known) or pre_place
        if not places and pre_place is None and not _dc_owned(doc, head, start):
            continue
        if not occ.free(start_mod, head_end):
            continue
        while start_mod < start and doc[start_mod].lower_ in DC_QUALIFIERS:
            start_mod += 1
        name = doc[start_mod:head_end].text
        if places and name_end > head_end:
            first = min(p.start for p in places)
            name += " " + doc[first - 1].text + " " + doc[first:name_end].text \
                if doc[first - 1].dep_ == "prep" else " " + doc[first:name_end].text
        label = clean_name(name, "DataCenter")
        label = re.sub(r"^(?:its|their|his|her|new|local)\s+", "", label, flags=re.I)
        yield Mention(start_mod, end, "DataCenter", label, "pattern-datacenter", 0.75,
                      scope="article")


#: Words that give a data center its name: "known as", "called", "dubbed"
DC_NAMING = {"known", "called", "dubbed", "named", "nicknamed"}
QUOTES = {'"', "“", "”", "'", "‘", "’"}


def _dc_given_name(doc: Doc, i: int, known: list[Mention]) -> tuple[int, int, int] | None:
    """The name given after a data center noun at ``i`` ("data center, known as "Stargate
    Korea," in southwestern South Korea"; "a data centre called Project Falcon"): the name's
    token span, and the end of the place phrase that follows it (else the name's end)."""
    n = len(doc)
    k = i + (i < n and doc[i].text == ",")
    if k >= n or doc[k].lower_ not in DC_NAMING:
        return None
    k += 1
    if doc[k - 1].lower_ == "known":
        if k >= n or doc[k].lower_ != "as":
            return None
        k += 1
    k += k < n and doc[k].text in QUOTES
    n0 = k
    while k < n and k - n0 < 5 and (doc[k].pos_ in {"PROPN", "NUM"} or doc[k].text[:1].isupper()
                                     ) and doc[k].text not in QUOTES and not doc[k].is_punct:
        k += 1
    if k == n0 or not doc[n0].text[:1].isupper():
        return None
    n1 = k
    while k < n and (doc[k].text in QUOTES or doc[k].text == ","):
        k += 1
    place_end = n1
    if k + 1 < n and doc[k].lower_ in {"in", "at", "near"}:
        k += 1
        while k < n and doc[k].pos_ == "ADJ" and doc[k].text[:1].islower():
            k += 1  # "in southwestern South Korea"
        place = _place_of(doc, doc[k], known) if k < n else None
        if place is not None:
            place_end = place.end
    return n0, n1, place_end


def _country_modifier(doc: Doc, head: Token, gaz: Gazetteer) -> str | None:
    """The place a regulation phrase names as its issuer: "US", "Washington's", "American"."""
    for child in head.children:
        if child.dep_ in {"compound", "amod", "poss", "nmod"}:
            text = child.text
            entry = gaz.lookup(text) or gaz.demonyms.get(text)
            if entry is None and child.i + 1 < len(doc):
                entry = gaz.lookup(doc[child.i : child.i + 2].text)
            if entry is not None and entry.cls == "Place":
                seat = gaz.seat_of(entry.label)  # "Tokyo's export curbs" are Japan's
                return seat.label if seat is not None else entry.label
            found = _country_modifier(doc, child, gaz) if child.dep_ == "compound" else None
            if found:
                return found
    return None


def _acting_state(head: Token, gaz: Gazetteer, state_heads: frozenset[str]) -> str | None:
    """The country whose government acts on a regulation phrase: "Japan tightened export
    controls", "the Dutch government expanded export controls", "controls imposed by Seoul".
    """
    if head.dep_ == "dobj":
        subjects = [c for c in head.head.children if c.dep_ == "nsubj"]
    elif head.dep_ == "nsubjpass":
        subjects = [p for a in head.head.children if a.dep_ == "agent"
                    for p in a.children if p.dep_ == "pobj"]
    else:
        return None
    return _state_of_subjects(subjects, gaz, state_heads)


def _state_of_subjects(subjects: list[Token], gaz: Gazetteer,
                       state_heads: frozenset[str]) -> str | None:
    """The country one of ``subjects`` acts for: a country, a capital ("Beijing"), a
    government noun with its country ("the Dutch government"), or a known government body
    of one country ("the Commerce Department" -> United States)."""
    for subject in subjects:
        words = [subject]
        if subject.lemma_.lower() in state_heads:
            words += [c for c in subject.children
                      if c.dep_ in {"amod", "compound", "poss", "nmod"}]
        if subject.lemma_.lower() in state_heads or subject.pos_ == "PROPN":
            # "the Dutch Cabinet", "the former Biden administration": the longest known name
            start = min(c.i for c in subject.subtree if c.i <= subject.i)
            words[:0] = [subject.doc[k : subject.i + 1] for k in range(start, subject.i)]
        for word in words:
            entry = gaz.lookup(word.text) or gaz.demonyms.get(word.text)
            if entry is not None and entry.cls == "GovernmentBody":
                juris = [gaz.by_label.get(j) for j in entry.attr("jurisdiction")]
                if juris and juris[0] is not None and "country" in juris[0].attr("kind"):
                    return juris[0].label
            if entry is None or entry.cls != "Place":
                continue
            seat = gaz.seat_of(entry.label)  # "Beijing imposed ..." is China's doing
            if seat is not None:
                return seat.label
            if "country" in entry.attr("kind"):
                return entry.label
    return None


def restricting_states(doc: Doc, gaz: Gazetteer, lex: Lexicon) -> list[tuple[int, str]]:
    """(token index, country) of each state restricting exports by verb: "Japan restricts
    chip exports", "the Dutch cabinet said it is restricting exports" (the pronoun subject
    of a reported clause is the reporting state)."""
    out: list[tuple[int, str]] = []
    verbs, words = lex.cue("restrict_verbs"), lex.cue("export_words")
    tokens = token_words(doc)
    lemmas, pos = tokens.lemma, tokens.pos
    for i in [i for i, lemma in enumerate(lemmas) if lemma in verbs and pos[i] == "VERB"]:
        tok = doc[i]
        if any(c.dep_ == "neg" for c in tok.children):
            continue
        if not any(t.lemma_.lower() in words for t in tok.subtree):
            continue
        subjects = [c for c in tok.children if c.dep_ == "nsubj"]
        if subjects and subjects[0].lower_ in {"it", "they"} and tok.dep_ == "ccomp":
            subjects = [c for c in tok.head.children if c.dep_ == "nsubj"]
        country = _state_of_subjects(subjects, gaz, lex.cue("state_heads"))
        if country is not None:
            out.append((tok.i, country))
    return out


#: what ends the phrase of a rule's object: "restrictions on chips, which ...", "-- a move"
REG_PHRASE_STOPS = {",", ";", ":", "(", "\u2014", "\u2013", "--", "-", "\u201c", '"'}


def _phrase_end(prep: Token) -> int:
    """The end of the prepositional phrase ``prep`` as part of a rule's name: up to its
    right edge, cut before a comma, a dash, a parenthesis or a clause on its object."""
    end = prep.right_edge.i + 1
    for t in prep.subtree:
        stop = t.text in REG_PHRASE_STOPS and (t.text != "-" or t.doc[t.i - 1].whitespace_)
        if t.i > prep.i and (stop or t.dep_ in {"relcl", "acl", "advcl"}):
            end = min(end, t.i if stop else t.left_edge.i)
    return end


def _free_but_places(occ: Occupancy, doc: Doc, start: int, end: int,
                     known: list[Mention]) -> bool:
    """Free except for places, which a phrase may contain ("U.S. court ruling")."""
    return all(not occ.taken[i] or _place_of(doc, doc[i], known) is not None
               for i in range(start, end)) and not occ.taken[end - 1]


def _era_free(occ: Occupancy, doc: Doc, start: int, end: int, known: list[Mention]) -> bool:
    """Free but for places and a person naming an era: "Biden-era GPU export rules"."""
    def era(i: int) -> bool:
        return any(m.cls == "Person" and m.start <= i < m.end and m.end + 1 < end
                   and doc[m.end + (doc[m.end].text == "-")].lower_ in {"era", "-era"}
                   for m in known)
    return all(not occ.taken[i] or era(i) or _place_of(doc, doc[i], known) is not None
               for i in range(start, end)) and not occ.taken[end - 1]


def _guidance_mention(doc: Doc, tok: Token, occ: Occupancy, known: list[Mention],
                      acts: set[str], seen: dict[str, str]) -> Mention | None:
    """Guidance a government body issues is a rule: "the BIS announced new guidance",
    "the regulator has since issued guidance discouraging X from buying the chip" (a
    participle clause tells what it is about and is part of its name)."""
    verb = tok.head
    if tok.dep_ != "dobj" or verb.lemma_.lower() not in acts:
        return None
    while verb.dep_ == "conj" and not any(c.dep_ == "nsubj" for c in verb.children):
        verb = verb.head
    subj = [c for c in verb.children if c.dep_ == "nsubj"]
    body = [m for m in known if subj and m.cls == "GovernmentBody" and
            m.start <= subj[0].i < m.end]
    if not body:
        return None
    mods = [c for c in tok.children if c.dep_ in {"amod", "compound"} and c.i < tok.i]
    start = min([tok.i, *(c.left_edge.i for c in mods)])
    if not occ.free(start, tok.i + 1):
        return None
    end = tok.i + 1
    for c in tok.children:
        if c.dep_ == "acl" and c.tag_ == "VBG" and c.i == tok.i + 1:
            end = _phrase_end(c)
    label = clean_name(doc[start:end].text, "Regulation")
    # the guidance of one body is one node of the article: "announced new guidance ... also
    # issued guidance"
    label = seen.setdefault(body[0].label, label)
    return Mention(start, end, "Regulation", label, "pattern-guidance", 0.6, scope="article",
                   head=tok.i)


def _code_of(tok: Token) -> Token | None:
    """The "practice" of "code of practice" (or "conduct")."""
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ == "of":
            for p in c.children:
                if p.dep_ == "pobj" and p.lower_ in REG_CODE_KINDS:
                    return p
    return None


def _code_mentions(doc: Doc, occ: Occupancy, gaz: Gazetteer, known: list[Mention],
                   codes: list[Token]):
    """A code of practice or of conduct is a rule ("the Commission released a Code of
    Practice"); once the article names one, "the code", "the EU's new AI code" are it."""
    named = [(t, k) for t in codes if (k := _code_of(t)) is not None]
    if not named:
        return
    label = clean_name(doc[named[0][0].i : named[0][1].i + 1].text, "Regulation")
    label = label[:1].upper() + label[1:]
    ends = {t.i: k.i + 1 for t, k in named}
    for tok in codes:
        if tok.pos_ not in {"NOUN", "PROPN"} or tok.dep_ == "compound":
            continue
        mods = [c for c in tok.children if c.dep_ in {"amod", "compound", "poss", "det"}]
        if tok.i not in ends:
            if any(c.dep_ == "compound" and c.lower_ not in {"ai", "eu"} for c in mods):
                continue  # "source code"
            dets = {c.lower_ for c in mods if c.dep_ in {"det", "poss"}}
            places = [c for c in mods if c.dep_ == "poss" and _place_of(doc, c, known)]
            if not (dets & {"the", "this", "that"} or places):
                continue
        start = min([tok.i, *(c.left_edge.i for c in mods if c.dep_ != "det")])
        while start < tok.i and doc[start].dep_ == "det":
            start += 1
        end = ends.get(tok.i, tok.i + 1)
        if not _free_but_places(occ, doc, start, tok.i + 1, known) or not occ.free(tok.i, end):
            continue
        yield Mention(start, end, "Regulation", label, "pattern-code", 0.6, scope="article",
                      head=tok.i)


def _pact_mention(doc: Doc, tok: Token, occ: Occupancy, known: list[Mention]):
    """An arrangement between states to restrict exports is a rule: "an accord between
    Germany, France and Italy to restrict exports of chip tools to Russia",
    "the US-Japan pact to curb chip exports". Named by its noun and its parties."""
    clause = [c for c in tok.children if c.dep_ in {"acl", "relcl"} and c.lemma_.lower()
              in REG_PACT_VERBS and any(a.lower_ == "to" for a in c.children)]
    if not clause or not {t.lemma_.lower() for t in clause[0].subtree} & REG_PACT_TOPICS:
        return None
    comps = [c for c in tok.children if c.dep_ == "compound"]
    comps += [g for c in comps for g in c.children if g.dep_ == "compound"]  # "US-Japan"
    parties = [c for c in comps if _place_of(doc, c, known)]
    end = tok.i + 1
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in {"between", "among"} and c.i == tok.i + 1:
            found = [pl for t in c.subtree if t.dep_ in {"pobj", "conj"}
                     and (pl := _place_of(doc, t, known)) is not None]
            if len(found) >= 2:
                parties += found
                end = max(pl.end for pl in found)
    if len(parties) < 2:
        return None
    start = min([tok.i, *(c.i for c in comps)])
    if not all(not occ.taken[i] or _place_of(doc, doc[i], known) is not None
               for i in range(start, end)):
        return None
    label = clean_name(doc[start:end].text, "Regulation")
    return Mention(start, end, "Regulation", label, "pattern-pact", 0.6, scope="article",
                   head=tok.i)


def regulation_mentions(doc: Doc, occ: Occupancy, gaz: Gazetteer, known: list[Mention],
                        lex: Lexicon):
    # who the article last said restricts exports: "the export controls" with no country of
    # its own are that state's ("Japan restricts chip exports ... The export controls ...")
    acting = restricting_states(doc, gaz, lex)
    cands = candidates(doc, "reg")
    seen: dict[str, str] = {}
    yield from _code_mentions(doc, occ, gaz, known,
                              [t for t in cands if t.lemma_.lower() == "code"])
    for tok in cands:
        lemma = tok.lemma_.lower()
        if tok.pos_ not in {"NOUN", "PROPN"}:
            continue
        if lemma in REG_PACTS:
            pact = _pact_mention(doc, tok, occ, known)
            if pact is not None:
                yield pact
            continue
        if lemma == "guidance":
            guide = _guidance_mention(doc, tok, occ, known,
                                      lex.cue("reg_acts") | lex.cue("reg_release_acts"), seen)
            if guide is not None:
                yield guide
            continue
        if lemma in REG_HEADS and (tok.tag_ in {"NNS", "NNPS"} or lemma in {"ban", "embargo"}):
            mods = [c for c in tok.children if c.dep_ in {"compound", "amod", "nmod"}]
            topics = {c.lower_ for c in mods} | {
                g.lower_ for c in mods for g in c.children if g.dep_ == "compound"}
            on_topic = False
            end = tok.i + 1
            # "impose export controls on 20 kinds of tools": the parser hangs "on" on the verb
            verb_on = [c for c in tok.head.children if c.i == tok.i + 1 and tok.dep_ == "dobj"
                       and c.dep_ == "prep"]
            for child in [*tok.children, *verb_on]:
                if child.dep_ == "prep" and child.lower_ in {"on", "against"}:
                    sub = {t.lemma_.lower() for t in child.subtree}
                    when = any(t.ent_type_ in {"DATE", "TIME"} for t in child.subtree)
                    # "export controls on 18 kinds of etching gear": the topic is the head's
                    if not when and (sub & (REG_TOPICS | CHIP_NOUNS) or topics & REG_TOPICS):
                        on_topic = True
                        end = max(end, _phrase_end(child))
            if topics & {"trade", "regulatory", "market"} and not topics & REG_TOPICS:
                continue
            country = _country_modifier(doc, tok, gaz)
            imposed = tok.dep_ == "dobj" and tok.head.lemma_.lower() in lex.cue("reg_acts") \
                and _acting_state(tok, gaz, lex.cue("state_heads")) is not None
            # "the administration imposed new controls on 24 tools": a state's act
            if not (topics & REG_TOPICS or on_topic or (country and lemma != "ban") or imposed):
                continue
            start = min([tok.i, *(c.left_edge.i for c in mods)])
            while start < tok.i and doc[start].dep_ in {"det", "poss", "case"}:
                start += 1
            if not _free_but_places(occ, doc, start, tok.i + 1, known):
                continue
            rule = "pattern-export-control"
            country = country or _acting_state(tok, gaz, lex.cue("state_heads"))
            if country is not None:
                acting.append((tok.i, country))
                acting.sort()
            else:
                earlier = [c for i, c in acting if i < tok.i]
                country = earlier[-1] if earlier else "United States"
                if end == tok.i + 1:  # "the export controls": a reference, not a name
                    rule = "pattern-export-control-ref"
            demonym = "US" if country == "United States" else country
            label = f"{demonym} export controls"
            other = [c.lower_ for c in mods if c.dep_ == "compound" and c.pos_ == "NOUN"
                     and c.i < tok.i and c.lower_ not in REG_TOPICS]
            if other and not topics & REG_TOPICS and not on_topic:
                # "U.S. arms embargoes", "US steel tariffs": a rule of its own
                label = f"{demonym} {' '.join(other)} {tok.lower_}"
            entry = gaz.lookup(label)
            if entry is not None and entry.cls == "Regulation":
                label = entry.label  # "Netherlands export controls" is "Dutch export controls"
            else:
                entry = None
            yield Mention(start, end, "Regulation", label, rule, 0.8,
                          wikidata=entry.wikidata if entry else None, known=entry is not None,
                          head=tok.i)
        elif lemma in RULE_HEADS or (lemma == "list" and tok.i > 0):
            mods = [c for c in tok.children if c.dep_ in {"amod", "compound", "nmod"}]
            mod_words = {c.lower_ for c in mods}
            start = min([tok.i, *(c.left_edge.i for c in mods)])
            poss = [c for c in tok.children if c.dep_ == "poss"]
            poss_entry = gaz.lookup(poss[0].text) if poss else None
            if poss_entry is not None and poss_entry.cls == "Place":
                start = min(start, poss[0].i)
            while start < tok.i and doc[start].dep_ in {"det", "case", "predet"} or (
                    start < tok.i and doc[start].dep_ == "poss" and doc[start].pos_ == "PRON"):
                start += 1
            if not _free_but_places(occ, doc, start, tok.i + 1, known) and \
                    not _era_free(occ, doc, start, tok.i + 1, known):
                continue
            if lemma == "list":
                # a named list: "1260H list", "Entity List"
                name_mods = [c for c in mods if c.pos_ in {"PROPN", "NUM", "X"} or c.is_title]
                if not name_mods:
                    dets = {c.lower_ for c in tok.children if c.dep_ == "det"}
                    if dets & {"the", "this", "that"}:
                        end = tok.i + 1
                        for c in tok.children:
                            if c.dep_ == "prep" and c.lower_ == "of":
                                end = c.right_edge.i + 1
                        text = clean_name(doc[tok.i : end].text, "Regulation")
                        yield Mention(tok.i, end, "Regulation", text, "pattern-list-ref", 0.6,
                                      scope="article", generic=True, head=tok.i)
                    continue
                label = clean_name(doc[start : tok.i + 1].text, "Regulation")
                yield Mention(start, tok.i + 1, "Regulation", label, "pattern-list", 0.75)
                continue
            if lemma in {"act", "law"} and tok.is_title and mods:
                label = clean_name(doc[start : tok.i + 1].text, "Regulation")
                yield Mention(start, tok.i + 1, "Regulation", label, "pattern-act", 0.75)
                continue
            country = _country_modifier(doc, tok, gaz)
            topical = {c.lower_ for c in tok.children if c.dep_ == "compound"} & REG_TOPICS
            if not (mod_words & RULE_MODS) and not country and not topical:
                continue  # "GPU export rules" name a rule of their own
            if lemma == "order" and "executive" not in mod_words:
                continue
            label = clean_name(doc[start : tok.i + 1].text, "Regulation")
            sub = {t.lemma_.lower() for t in tok.subtree}
            if country == "United States" and sub & {"restrict", "limit", "curb", "block"} and \
                    sub & (REG_TOPICS | CHIP_NOUNS | {"access"}):
                # "Washington's measures to restrict China's access to chips" are its
                # export controls
                entry = gaz.by_label.get("US export controls")
                yield Mention(start, tok.i + 1, "Regulation", "US export controls",
                              "pattern-export-control", 0.65, known=entry is not None,
                              wikidata=entry.wikidata if entry else None)
                continue
            end = tok.i + 1
            gov = tok.head.head if tok.dep_ == "pobj" else tok.head
            # "new EU rules on online campaigning", also when "on" hangs on the verb
            for c in [*tok.children, *(x for x in gov.children if x.i == end)]:
                if c.dep_ == "prep" and c.lower_ == "on" and c.i == end and not any(
                        t.ent_type_ in {"DATE", "TIME"} for t in c.subtree) and \
                        occ.free(c.i, _phrase_end(c)) and _phrase_end(c) - c.i <= 6:
                    end = _phrase_end(c)
                    label = clean_name(doc[start:end].text, "Regulation")
            yield Mention(start, end, "Regulation", label, "pattern-rule", 0.6,
                          scope="article", head=tok.i)


def product_version_end(doc: Doc, end: int) -> int:
    """Where a model's name ends when a version follows its family's name at ``end``:
    "Claude 3.5 Sonnet", "Gemini 1.5 Pro", "Kimi K2.5", "Ernie 5", "Qwen3-Max", "Claude 3
    Opus" (a number of a quantity is no version: "ChatGPT 400 million users"). ``end`` when
    none follows."""
    j = end
    if j < len(doc) and PRODUCT_VERSION.match(doc[j].text) and doc[j - 1].whitespace_ and \
            "\n" not in doc[j - 1].whitespace_ and not (
                doc[j].text.isdigit() and int(doc[j].text) > 20) and not (
                j + 1 < len(doc) and doc[j + 1].lower_ in _QUANTITY):
        j += 1
    while j < len(doc) and (
            (doc[j].lower_ in PRODUCT_VERSION_WORDS and doc[j].text[:1].isupper()
             and j > end and doc[j - 1].whitespace_ == " ")
            or (doc[j].text == "-" and not doc[j - 1].whitespace_ and not doc[j].whitespace_
                and j + 1 < len(doc) and doc[j + 1].lower_ in PRODUCT_VERSION_WORDS)):
        j += 2 if doc[j].text == "-" else 1
    return j


def product_version_label(text: str, label: str) -> str:
    """The full name of a version the article names in full elsewhere: "Claude 3.5" ->
    "Claude 3.5 Sonnet" when the text reads so."""
    words = "|".join(w.capitalize() for w in sorted(PRODUCT_VERSION_WORDS))
    found = re.search(re.escape(label) + r"((?: (?:" + words + r"))+)\b", text)
    return label + found.group(1) if found else label


def _known_family(gaz: Gazetteer | None, name: str) -> bool:
    entry = gaz.lookup(name) if gaz is not None else None
    return entry is not None and entry.cls == "Product"


def product_mentions(doc: Doc, occ: Occupancy, gaz: Gazetteer | None = None):
    """ "its AI chatbot Kimi", "a large language model named Doubao", "Kimi, a chatbot",
    "its chatbot, SenseChat,"; a known family with its version in one token: "GLM-5"."""
    families: dict[str, str] | None = None  # version code -> the full name, once per doc
    for tok in candidates(doc, "product"):
        if PRODUCT_VERSION.match(tok.text) and any(c.isalpha() for c in tok.text) and \
                any(c.isdigit() for c in tok.text) and occ.free(tok.i, tok.i + 1):
            # "K2.5" alone: the version the article names in full ("Kimi K2.5")
            if families is None:
                families = {doc[j + 1].text: doc[j:product_version_end(doc, j + 1)].text
                            for j in range(len(doc) - 1)
                            if PRODUCT_VERSION.match(doc[j + 1].text)
                            and doc[j].text[:1].isupper() and _known_family(gaz, doc[j].text)}
            full = families.get(tok.text)
            if full is not None and (tok.i == 0 or doc[tok.i - 1].text != full.split()[0]):
                yield Mention(tok.i, tok.i + 1, "Product", full, "pattern-product-version", 0.6)
            continue
        code = PRODUCT_CODE.match(tok.text)
        if code is not None and _known_family(gaz, code.group(1)) and occ.free(tok.i, tok.i + 1):
            end = product_version_end(doc, tok.i + 1)
            yield Mention(tok.i, end, "Product", doc[tok.i:end].text.replace(" - ", "-"),
                          "pattern-product-version", 0.7)
            continue
        if tok.lemma_.lower() not in PRODUCT_KINDS or tok.pos_ != "NOUN":
            continue
        j = tok.i + 1
        if j < len(doc) and doc[j].lower_ in {"named", "called", "dubbed"}:
            j += 1
        k = j
        while k < len(doc) and doc[k].pos_ == "PROPN" and any(c.isupper() for c in doc[k].text):
            k += 1
        if k > j and occ.free(j, k):
            label = clean_name(doc[j:k].text, "Product")
            if plausible_name(label):
                yield Mention(j, k, "Product", label, "pattern-product-kind", 0.7)
                continue
        # "its chatbot, SenseChat,", "Zhipu's newest model, GLM-5": a name in apposition
        # to an owned kind
        if j == tok.i + 1 and j + 1 < len(doc) and doc[j].text == "," and any(
                c.dep_ == "poss" for c in tok.children):
            k = j + 1
            while k < len(doc) and doc[k].pos_ == "PROPN" and doc[k].text[:1].isupper():
                k += 1
            if k > j + 1 and doc[k - 1].dep_ == "appos" and doc[k - 1].head.i == tok.i and \
                    occ.free(j + 1, k) and (k == len(doc) or doc[k].is_punct):
                label = clean_name(doc[j + 1:k].text, "Product")
                if plausible_name(label):
                    yield Mention(j + 1, k, "Product", label, "pattern-product-kind", 0.65)
                    continue
        # the name before its kind, after an owner: "its Sarvam-M language model",
        # "Zhipu's GLM-4 model", "the DeepSeek-R1 reasoning model"
        end = tok.i
        while end > 0 and doc[end - 1].pos_ in {"NOUN", "ADJ"} and doc[end - 1].is_lower and \
                tok.i - end < 2:
            end -= 1  # "language", "reasoning", "large"
        start = end
        while start > 0 and end - start < 5 and (
                ((doc[start - 1].pos_ in {"PROPN", "NUM"} or any(
                    c.isdigit() for c in doc[start - 1].text)) and not doc[start - 1].is_lower)
                or (doc[start - 1].text == "-" and start - 1 > 0 and start < end)):
            start -= 1
        if start == end or doc[start].text == "-" or start == 0:
            continue
        before = doc[start - 1]
        owned = before.lower_ in {"its", "their", "whose", "the", "'s", "\u2019s"}
        code = doc[start:end]
        generic = len(code) == 1 and code[0].text.isupper() and len(code[0].text) <= 3 and \
            not any(c.isdigit() for c in code[0].text)  # "their AI models", "its LLM app"
        if owned and not generic and occ.free(start, end):
            label = code.text.replace(" - ", "-")
            if plausible_name(label):
                yield Mention(start, end, "Product", label, "pattern-product-named", 0.65)


#: Heads of the places "Shackelford County", "Guangdong Province"; and the words of "-based"
PLACE_WORDS = {"County", "Province", "Prefecture", "county", "province", "prefecture", "based",
               "headquartered"}


def place_pattern_mentions(doc: Doc, occ: Occupancy):
    """Places the model missed: "Icheon-based", "Shackelford County", "Dona Ana County"."""
    for word in candidates(doc, "place"):
        if word.text in {"based", "headquartered"}:  # the name two tokens before
            tok = doc[word.i - 2] if word.i >= 2 else None
            if tok is None or not before_based(doc, tok.i + 1) or tok.pos_ != "PROPN" or \
                    not tok.text[:1].isupper():
                continue
            start, longest, rule, conf = tok.i, 2, "pattern-based", 0.7
        else:
            tok = word
            start, longest, rule, conf = tok.i, 3, "pattern-county", 0.75
        while start > 0 and doc[start - 1].pos_ == "PROPN" and \
                doc[start - 1].text[:1].isupper() and tok.i - start < longest:
            start -= 1
        if rule == "pattern-county" and start == tok.i:
            continue
        if occ.free(start, tok.i + 1) and (
                rule == "pattern-county" or plausible_name(doc[start : tok.i + 1].text)):
            yield Mention(start, tok.i + 1, "Place", doc[start : tok.i + 1].text, rule, conf)


def head_named_mentions(doc: Doc, occ: Occupancy, lex: Lexicon):
    """A name the model missed right after a generic head: "Chinese startup Zhipu"."""
    for tok in candidates(doc, "head"):
        if tok.pos_ != "NOUN" or tok.tag_ != "NN" or tok.lemma_.lower() not in lex.heads:
            continue
        j = k = tok.i + 1
        while k < len(doc) and doc[k].pos_ == "PROPN" and doc[k].text[:1].isupper():
            k += 1
        if k > j and occ.free(j, k) and k - j <= 4:
            label = clean_name(doc[j:k].text, lex.heads[tok.lemma_.lower()])
            if plausible_name(label) and norm(label) not in lex.stoplist:
                yield Mention(j, k, lex.heads[tok.lemma_.lower()], label, "pattern-head-name",
                              0.6)
