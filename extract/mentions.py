"""Mentions: typed spans of a Doc, from the gazetteer, the statistical NER and our patterns.

The ``kg_mentions`` component runs after spaCy's ``ner`` (and after the ``kg_gazetteer``
entity ruler that runs before it). It types every span into one of the 8 classes, drops what
the scheme does not annotate (news outlets, nationalities, money, dates, junk, titles), adds
what the small model misses through the domain's recognisers (``extract.patterns``: chip
codes, regulation phrases, data centers, products, places), and lets the context correct
types ("Kuaishou, a Chinese video company"; "Beijing imposed ..." is China acting).
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from .gazetteer import KNOWN_CLASSES, Gazetteer, Lexicon, norm
from .patterns import (
    CHIP_CODE,
    DC_LEMMAS,
    DC_NOUNS,
    PLACE_WORDS,
    PRODUCT_CODE,
    PRODUCT_KINDS,
    PRODUCT_VERSION,
    REG_LEMMAS,
    chip_mentions,
    datacenter_mentions,
    head_named_mentions,
    place_pattern_mentions,
    product_mentions,
    product_version_end,
    product_version_label,
    regulation_mentions,
)
from .spans import (
    Mention,
    Occupancy,
    before_based,
    clean_name,
    doc_text,
    model_ents,
    plausible_name,
    token_words,
)

__all__ = ["Mention", "find_mentions"]

GOV_WORDS = {
    "Department", "Ministry", "Committee", "Congress", "Senate", "House", "Parliament",
    "Commission", "Agency", "Administration", "Bureau", "Council", "Pentagon", "Army", "Navy",
    "Government", "Court", "Treasury", "Cabinet", "Politburo", "Office", "Force", "Assembly",
}


NER_CLASS = {"ORG": "Company", "PERSON": "Person", "GPE": "Place", "LOC": "Place",
             "PRODUCT": "Product"}


def find_mentions(doc: Doc, gaz: Gazetteer, lex: Lexicon) -> list[Mention]:
    """All typed mentions of ``doc``, non-overlapping, in document order."""
    occ = Occupancy(len(doc))
    out: list[Mention] = []

    def add(m: Mention) -> None:
        if occ.free(m.start, m.end):
            occ.take(m.start, m.end)
            out.append(m)

    doc.user_data.pop("kg_ents", None)
    ents = list(model_ents(doc))
    cands: dict[str, list[Token]] = {"chip": [], "dc": [], "reg": [], "product": [], "head": [],
                                     "place": []}
    words = token_words(doc)
    kinds_of = _kinds_memo(lex)
    for i, key in enumerate(zip(words.text, words.lower, words.lemma, strict=True)):
        kinds = kinds_of.get(key)
        if kinds is None:
            kinds = kinds_of[key] = _candidate_kinds(*key, lex)
        if kinds:
            tok = doc[i]
            for kind in kinds:
                cands[kind].append(tok)
    doc.user_data["kg_cands"] = cands
    # 0. phrases that must not be cut up: "House and Senate Armed Services Committees";
    #    offices ("Deputy Secretary of Defense") are read by the title rules, not entities
    text = doc_text(doc)
    for m in _shared_head_mentions(doc, gaz, text):
        add(m)
    for phrase in lex.offices:
        if phrase not in text:
            continue
        for match in re.finditer(re.escape(phrase), text):
            span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
            if span is not None:
                occ.take(span.start, span.end)
    # 1. gazetteer hits (labels set by the kg_gazetteer entity ruler)
    for ent in ents:
        if ent.ent_id_ and ent.label_ in KNOWN_CLASSES:
            entry = gaz.by_label.get(ent.ent_id_)
            if entry is None:
                continue
            if entry.cls == "Outlet":
                occ.take(ent.start, ent.end)  # suppressed, and nothing else may claim it
                continue
            if _name_goes_on(doc, ent.end, gaz):
                continue  # "Sarvam-M", "DeepSeek-V3": a product named after its maker
            end = product_version_end(doc, ent.end) if entry.cls == "Product" else ent.end
            if end > ent.end:  # "Claude 3.5 Sonnet": a version of a known family
                name = clean_name(doc[ent.start:end].text, "Product")
                add(Mention(ent.start, end, "Product", product_version_label(text, name),
                            "pattern-product-version", 0.8))
                continue
            add(Mention(ent.start, ent.end, entry.cls, entry.label, "gazetteer", 0.95,
                        wikidata=entry.wikidata, known=True))
    # 2. patterns of the domain
    for m in place_pattern_mentions(doc, occ):
        add(m)
    for m in chip_mentions(doc, occ):
        add(m)
    for m in datacenter_mentions(doc, occ, out):
        # a data center phrase contains its place ("data centers in Malaysia"): both stay
        occ.take(m.start, m.end)
        out.append(m)
    for m in regulation_mentions(doc, occ, gaz, out, lex):
        occ.take(m.start, m.end)  # may contain a place, like a data center phrase
        out.append(m)
    for m in product_mentions(doc, occ, gaz):
        add(m)
    # 3. the statistical NER, typed and filtered
    for ent in ents:
        for piece in _split_ner(ent, gaz):
            if not occ.free(piece.start, piece.end) or norm(piece.text) in lex.stoplist:
                continue
            m = _typed_ner(piece, gaz)
            if m is not None and not m.known and _generic_plural(m.label, lex):
                continue  # "Chinese Tech Giants": a headline's description, not a name
            if m is not None and norm(m.label) not in lex.stoplist:
                add(m)
    # 4. the context corrects the model's types and names what it missed
    for m in out:
        if not m.known:
            cls = _context_class(doc, m, lex)
            if cls is not None and cls != m.cls:
                m.cls, m.rule = cls, m.rule + "+context"
        elif m.cls == "Place" and _acts_as_state(doc, m, lex):
            country = gaz.seat_of(m.label)
            if country is not None:  # "Beijing imposed ...": China, as "Washington" is the US
                m.label, m.wikidata, m.rule = country.label, country.wikidata, m.rule + "+seat"
    for m in head_named_mentions(doc, occ, lex):
        add(m)
    for m in _missed_people(doc, occ, out, lex):
        add(m)
    for key in ("kg_cands", "kg_ents"):  # Token/Span caches: never leave them on the doc
        doc.user_data.pop(key, None)
    out = _outside_capital_headlines(doc, out, text)
    for m in out:  # a recogniser that ran on past the name: "UAE-US AI Campus.  "
        while m.end - 1 > m.start and (doc[m.end - 1].is_space or doc[m.end - 1].text in {
                ".", ",", ";", ":"}):
            m.end -= 1
    out.sort(key=lambda m: m.start)
    return out


def _candidate_kinds(text: str, lower: str, lemma: str, lex: Lexicon) -> tuple[str, ...]:
    """The recognisers a token is a candidate for, by its text, lower-case form and lemma
    (in lower case): ``chip`` (a chip code), ``dc`` (a data center noun), ``reg`` (a
    regulation word), ``product``, ``head`` (a generic head noun), ``place``."""
    kinds = []
    if text[:1].isupper() and CHIP_CODE.match(text):
        kinds.append("chip")
    if lower in DC_NOUNS or lemma in DC_LEMMAS:
        kinds.append("dc")
    if lemma in REG_LEMMAS:
        kinds.append("reg")
    if lemma in PRODUCT_KINDS or PRODUCT_CODE.match(text) or (
            PRODUCT_VERSION.match(text) and not text[:1].isdigit()):
        kinds.append("product")
    if lemma in lex.heads:
        kinds.append("head")
    if text in PLACE_WORDS:
        kinds.append("place")
    return tuple(kinds)


#: (text, lower, lemma) -> the candidate kinds, per lexicon: a corpus repeats its words, so
#: each distinct word is classified once (the regular expressions ran on every token).
_KINDS: dict[int, tuple[Lexicon, dict[tuple[str, str, str], tuple[str, ...]]]] = {}


def _kinds_memo(lex: Lexicon) -> dict[tuple[str, str, str], tuple[str, ...]]:
    held = _KINDS.get(id(lex))
    if held is None or held[0] is not lex or len(held[1]) > 200_000:
        held = _KINDS[id(lex)] = (lex, {})
    return held[1]


#: Words a title-case headline leaves in lower case ("Microsoft's AI Chip Exports to UAE").
_HEADLINE_SMALL = {"a", "an", "the", "to", "of", "in", "on", "at", "for", "and", "or", "with",
                   "as", "by", "from", "vs", "over", "into", "after", "amid", "is", "are"}


_WORD = re.compile(r"(?<![\u2019'])\b[^\W\d_]+")


def _headline_lines(doc: Doc) -> tuple[list[bool], list[bool]]:
    """Per token: does it lie on a headline in capitals ("NVIDIA BEATS ESTIMATES"), and on a
    headline in title case ("US Greenlights Microsoft's AI Chip Exports to UAE Facility")?
    A headline has at least three (title case: four) words and no final full stop. Lines are
    read as strings (the tokens of a line are looked up only when it is a headline)."""
    caps = [False] * len(doc)
    title = [False] * len(doc)
    at = 0
    for line in doc_text(doc).split("\n"):
        start, at = at, at + len(line) + 1
        words = _WORD.findall(line)
        if len(words) < 3:
            continue
        if sum(w.isupper() for w in words) >= 0.8 * len(words):
            flags = caps
        else:
            big = [w for w in words if w.lower() not in _HEADLINE_SMALL]
            if len(words) < 4 or line.rstrip()[-1:] in {".", "!", "?", ":"} or \
                    sum(w[0].isupper() for w in big) < 0.85 * len(big):
                continue
            flags = title
        span = doc.char_span(start, start + len(line), alignment_mode="expand")
        for i in range(span.start, span.end) if span is not None else ():
            flags[i] = True
    return caps, title


def _outside_capital_headlines(doc: Doc, mentions: list[Mention], text: str) -> list[Mention]:
    """Drop what the model or a pattern read into a headline in capitals ("ANGER", "FORD
    OUTLOOK"), and what the model alone read into a title-case headline ("AI Chip Exports
    to"), unless the same words name it in the body too (an acronym: "OPEC"); known names
    stay, and the article's body names the rest in its own case."""
    caps, title = _headline_lines(doc)
    if not any(caps) and not any(title):
        return mentions
    texts = token_words(doc).text
    body = {texts[i] for i in range(len(doc)) if not caps[i] and not title[i]}
    kept = []
    for m in mentions:
        headline = caps[m.start] or (title[m.start] and m.rule.startswith("ner-"))
        if m.known or not headline:
            kept.append(m)
            continue
        surface = doc[m.start : m.end].text
        first = texts[m.start]
        elsewhere = first in body and any(
            not caps[i] and not title[i] and doc[i : i + (m.end - m.start)].text == surface
            for i in range(len(doc)) if texts[i] == first)
        if elsewhere:
            kept.append(m)
    return kept


def _context_class(doc: Doc, m: Mention, lex: Lexicon) -> str | None:
    """The class a name's context gives it: "startup X", "X, a Chinese chipmaker",
    "X's chief executive" (a company); "CEO X Y" (a person)."""
    prev = doc[m.start - 1] if m.start > 0 else None
    last = doc[m.end - 1]
    if before_based(doc, m.end):
        return "Place"  # "the Suwon-based company"
    if m.cls == "Person" and m.start >= 3 and doc[m.start - 2].lower_ == "of" and \
            doc[m.start - 3].lower_ in lex.titles:
        return None  # "head of business Jeff Wang": the unit the title is of, not a head
    if prev is not None and prev.pos_ == "NOUN" and prev.tag_ == "NN" and \
            prev.lemma_.lower() in lex.heads:
        return lex.heads[prev.lemma_.lower()]
    if m.cls == "Company" and len(m.label.split()) == 2 and _title_follows(doc, m.end, lex):
        return "Person"  # "Karan Batta, Senior Vice President at X"
    for c in last.children:
        if c.dep_ == "appos" and c.pos_ == "NOUN" and c.lemma_.lower() in lex.heads and \
                any(d.dep_ == "det" and d.lower_ in {"a", "an", "the"} for d in c.children):
            return lex.heads[c.lemma_.lower()]
    if m.end + 1 < len(doc) and doc[m.end].lower_ in {"'s", "\u2019s"} and \
            doc[m.end + 1].lower_ in {"ceo", "founder", "co-founder", "chairman", "cto"}:
        return "Company"
    if prev is not None and prev.lower_ in {"ceo", "founder", "co-founder", "cofounder",
                                            "chairman", "chairwoman", "cto", "cfo"} and \
            len(m.label.split()) >= 2 and m.cls in {"Company", "Place", "Product"}:
        return "Person"
    return None


def _title_follows(doc: Doc, end: int, lex: Lexicon) -> bool:
    """Whether a job title follows a name's comma: "X Y, Senior Vice President at Z", "X Y,
    a partner at Z" (an article and seniority words may come first)."""
    if end + 1 >= len(doc) or doc[end].text != ",":
        return False
    j = end + 1
    k = 0
    while j < len(doc) and (doc[j].lower_ in {"a", "an", "the", "senior", "former", "deputy"}
                            or (doc[j].pos_ == "PROPN" and k < 3)):
        k += doc[j].pos_ == "PROPN"  # "an xAI engineer": the firm before the title
        j += 1
    for n in (4, 3, 2, 1):
        words = doc[j : j + n].text.lower()
        if j + n <= len(doc) and words in lex.titles:
            return j + n < len(doc) and doc[j + n].lower_ in {"at", "of", "for", ","}
    return False


def _missed_people(doc: Doc, occ, out: list[Mention], lex: Lexicon) -> list[Mention]:
    """People the model missed: two or three capitalised words before a comma and a job
    title ("Brent Mayo, an xAI engineer, said"), and the family name alone of a person the
    article names in full ("Babuschkin and Musk founded xAI" after "Elon Musk")."""
    family = {m.label.split()[-1] for m in out if m.cls == "Person" and " " in m.label}
    found: list[Mention] = []
    words = token_words(doc)
    pos, titled = words.pos, words.is_title
    for i in [i for i in range(len(doc)) if titled[i] and pos[i] == "PROPN"]:
        if not occ.free(i, i + 1):
            continue
        tok = doc[i]
        if tok.text in family and (i == 0 or not doc[i - 1].is_title) and (
                i + 1 >= len(doc) or not doc[i + 1].is_title):
            found.append(Mention(i, i + 1, "Person", tok.text, "ner-person+family", 0.6))
            continue
        if i > 0 and doc[i - 1].text in _NAME_TITLES:  # "Science Minister Bae Kyung-hoon"
            j = i
            while j < min(len(doc), i + 6) and (
                    (doc[j].is_alpha and (doc[j].is_title or doc[j - 1].text == "-"))
                    or (doc[j].text == "-" and not doc[j - 1].whitespace_)):
                j += 1
            if doc[j - 1].text == "-":
                j -= 1
            words = [t for t in doc[i:j] if t.is_alpha]
            if 2 <= len(words) <= 4 and occ.free(i, j):
                found.append(Mention(i, j, "Person", doc[i:j].text, "ner-person+title", 0.6))
                continue
        for n in (2, 3):
            span = doc[i : i + n]
            if i + n > len(doc) or not all(t.pos_ == "PROPN" and t.is_title and t.is_alpha
                                           for t in span) or not occ.free(i, i + n):
                continue
            if (i == 0 or not doc[i - 1].is_title) and _title_follows(doc, i + n, lex):
                found.append(Mention(i, i + n, "Person", span.text, "ner-person+title", 0.6))
                break
    return found


def _acts_as_state(doc: Doc, m: Mention, lex: Lexicon) -> bool:
    """A place named as an actor: the subject or agent of what a state does ("Beijing
    imposed ...", "controls imposed by Tokyo"), or the possessor of what a state has
    ("Beijing's crackdown")."""
    last = doc[m.end - 1]
    if last.dep_ == "nsubj":
        return last.head.pos_ == "VERB" and last.head.lemma_.lower() in lex.cue("state_verbs")
    if last.dep_ == "pobj" and last.head.dep_ == "agent":
        return last.head.head.lemma_.lower() in lex.cue("state_verbs")
    return last.dep_ == "poss" and last.head.lemma_.lower() in lex.cue("state_nouns")


def _name_goes_on(doc: Doc, end: int, gaz: Gazetteer) -> bool:
    """Whether a name ending at ``end`` runs on, unspaced, into a model code: "Sarvam-M",
    "DeepSeek-V3" (not "Huawei-Nvidia", nor "TikTok-owner")."""
    if end + 1 >= len(doc) or doc[end].text != "-" or doc[end - 1].whitespace_ or \
            doc[end].whitespace_:
        return False
    code = doc[end + 1].text
    return len(code) <= 4 and (any(c.isdigit() for c in code) or code.isupper()) and \
        gaz.lookup(code) is None


TITLE_ABBREV = {"Mr", "Mrs", "Ms", "Dr", "Lt", "Col", "Gen", "Adm", "Sgt", "Capt", "Maj",
                "Sen", "Rep", "Gov", "Prof", "Mr.", "Mrs.", "Ms.", "Dr.", "Lt.", "Col.", "Gen.",
                "Adm.", "Sgt.", "Capt.", "Maj.", "Sen.", "Rep.", "Gov.", "Prof.", "Vice",
                "President", "Marine", "Chairman", "Minister", "Secretary"}


def _split_ner(ent: Span, gaz: Gazetteer | None = None) -> list[Span]:
    """Cut a statistical entity at what never lies inside a name: line breaks, a possessive
    ("OpenAI's GPT" is two names), "and" between names of which one is known ("Douyin and
    TikTok", but not "Savings and Loan Association"), an unclosed parenthesis."""
    doc = ent.doc
    words = token_words(doc)
    texts, lowers = words.text, words.lower
    # ")" in ent.text (its tokens and the spaces between them)
    closed = any(")" in texts[i] for i in range(ent.start, ent.end))
    pieces, start = [], ent.start
    for i in range(ent.start, ent.end):
        if texts[i] == "(" and not closed:
            break
        split_and = lowers[i] == "and" and gaz is not None and (
            gaz.lookup(doc[start:i].text) is not None
            or gaz.lookup(doc[i + 1 : ent.end].text) is not None)
        # (a line break is a token of its own: a token's trailing white space is one space)
        if split_and or lowers[i] in {"'s", "\u2019s"} or "\n" in texts[i]:
            end = i  # the cutting token itself is dropped
        else:
            continue
        if end > start:
            pieces.append(Span(doc, start, end, label=ent.label))
        start = i + 1
    end = next((i for i in range(ent.start, ent.end) if texts[i] == "(" and not closed),
               ent.end)
    if start < end:
        pieces.append(Span(doc, start, end, label=ent.label))
    out = []
    for piece in pieces:
        s = piece.start
        while s < piece.end - 1 and texts[s] in TITLE_ABBREV and piece.label_ == "PERSON":
            s += 1  # "Marine Lt. Col. Oliver North" -> "Oliver North"
        label = piece.label
        cut = _after_title(doc, s, piece.end)
        if cut is not None:  # "Law Minister K Shanmugam" (an ORG): the person after the title
            s, label = cut, doc.vocab.strings["PERSON"]
        e = piece.end
        # "Bank of" + "England": a name the model cut before its place
        if lowers[e - 1] in {"of", "for"} and e < len(doc) and doc[e].ent_type_ in {
                "GPE", "LOC", "ORG"}:
            while e < len(doc) and doc[e].ent_type_ in {"GPE", "LOC", "ORG"}:
                e += 1
        elif lowers[e - 1] in {"of", "for", "&"}:
            e -= 1
        if s < e:
            out.append(Span(doc, s, e, label=label))
    return out


#: Title words that end an office inside a name the model ran on: "Law Minister K Shanmugam".
_NAME_TITLES = {"Minister", "Secretary", "Premier", "CEO", "Chairman", "Chairwoman",
                "Governor", "Speaker", "Senator", "Ambassador"}
#: Initials written as one token: "Y.L.", "K."
_INITIALS = re.compile(r"(?:[A-Z]\.)+")


def _after_title(doc: Doc, start: int, end: int) -> int | None:
    """Where the person's name starts when a model entity is an office and a name ("Law
    Minister K Shanmugam", "Trade Minister Ann Lee"): after the last title word, if one to
    three capitalised words (or initials) follow it."""
    texts = token_words(doc).text
    for i in range(end - 2, start - 1, -1):
        if texts[i] in _NAME_TITLES:
            rest = doc[i + 1 : end]
            if 1 <= len(rest) <= 3 and all(
                    (t.is_alpha and t.text[:1].isupper()) or _INITIALS.fullmatch(t.text)
                    for t in rest) and (len(rest) > 1 or i > start):
                return i + 1
            return None
    return None


SHARED_HEAD = re.compile(
    r"\b(House|Senate)\s+and\s+(House|Senate)\s+((?:[A-Z][a-z]+\s+){1,4})(Committee|Subcommittee)s\b")


def _shared_head_mentions(doc: Doc, gaz: Gazetteer, text: str):
    """ "the House and Senate Armed Services Committees" names two committees."""
    for match in SHARED_HEAD.finditer(text):
        for group in (1, 2):
            span = doc.char_span(match.start(group), match.end(group), alignment_mode="expand")
            if span is None:
                continue
            name = f"{match.group(group)} {match.group(3).strip()} {match.group(4)}"
            entry = gaz.lookup(name)
            yield Mention(span.start, span.end, "GovernmentBody", entry.label if entry else name,
                          "pattern-shared-head", 0.75, wikidata=entry.wikidata if entry else None,
                          known=entry is not None)


def _generic_plural(label: str, lex: Lexicon) -> bool:
    last = label.split()[-1].lower()
    return last.endswith("s") and (last[:-1] in lex.heads or last[:-2] in lex.heads)


def _places_or_demonym_only(span: Span, gaz: Gazetteer) -> bool:
    """Places joined by hyphens ("U.S.-China"), or a demonym before a stop word or nothing
    ("American AI")."""
    parts = [p for p in re.split(r"[-\u2013]", span.text) if p]
    if len(parts) >= 2 and all((e := gaz.lookup(p)) is not None and e.cls == "Place"
                               for p in parts):
        return True
    first = span[0].text
    return first in gaz.demonyms and len(span) <= 2 and (
        len(span) == 1 or span[-1].text.upper() in {"AI", "A.I.", "TECH", "GPU", "CHIP"})


def _typed_ner(ent: Span, gaz: Gazetteer) -> Mention | None:
    cls = NER_CLASS.get(ent.label_)
    if cls is None:
        return None
    # trim a leading determiner and a trailing possessive
    start, end = ent.start, ent.end
    doc = ent.doc
    while start < end and doc[start].lower_ in {"the", "a", "an"}:
        start += 1
    while end > start and doc[end - 1].lower_ in {"'s", "\u2019s", "'", "\u2019"}:
        end -= 1
    if start >= end:
        return None
    span = doc[start:end]
    text = span.text
    entry = gaz.lookup(text)
    if entry is not None and text.islower() and len(span) < 3:
        entry = None  # "the white house of the mayor": a known name is written capitalised
    if entry is not None:
        if entry.cls == "Outlet":
            return None
        return Mention(start, end, entry.cls, entry.label, "gazetteer-ner", 0.9,
                       wikidata=entry.wikidata, known=True)
    if not plausible_name(text):
        return None
    if _places_or_demonym_only(span, gaz):
        return None  # "U.S.-China" (ties), "American AI": adjectives, not names
    words = set(text.replace("-", " ").split())
    if cls == "Company" and words & GOV_WORDS:
        cls = "GovernmentBody"
        if len(span) == 1:
            return None
    if cls == "Person":
        if not all(t.is_alpha or t.text in {"-", "."} or _INITIALS.fullmatch(t.text)
                   for t in span) or not (span[0].is_title or _INITIALS.fullmatch(span[0].text)):
            return None
        if words & GOV_WORDS:
            return None
    if cls == "Product" and not span[0].is_title:
        return None
    if cls == "Place" and not span[0].is_title and not span.text.isupper():
        return None
    if cls == "Place" and text in gaz.demonyms:
        return None  # "the Emirati capital": an adjective; rules read it as the country
    label = clean_name(text, cls)
    if not label or not plausible_name(label):
        return None
    conf = {"Company": 0.7, "GovernmentBody": 0.7, "Person": 0.8, "Place": 0.8}.get(cls, 0.6)
    return Mention(start, end, cls, label, f"ner-{ent.label_.lower()}", conf)
