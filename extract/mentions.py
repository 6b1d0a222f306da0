"""Mentions: typed spans of a Doc, from the gazetteer, the statistical NER and our patterns.

The ``kg_mentions`` component runs after spaCy's ``ner`` (and after the ``kg_gazetteer``
entity ruler that runs before it). It types every span into one of the 8 classes, drops what
the scheme does not annotate (news outlets, nationalities, money, dates, junk), and adds what
the small model misses: chip codes, regulation phrases, data centers, products named by their
kind ("its chatbot Kimi").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from .cues import STATE_HEADS, STATE_NOUNS, STATE_VERBS
from .gazetteer import Entry, Gazetteer, Lexicon, norm

__all__ = ["Mention", "find_mentions"]

GOV_WORDS = {
    "Department", "Ministry", "Committee", "Congress", "Senate", "House", "Parliament",
    "Commission", "Agency", "Administration", "Bureau", "Council", "Pentagon", "Army", "Navy",
    "Government", "Court", "Treasury", "Cabinet", "Politburo", "Office", "Force", "Assembly",
}
COMPANY_SUFFIXES = re.compile(
    r"[,\s]+(?:Inc|Inc\.|Corp|Corp\.|Corporation|Co|Co\.|Ltd|Ltd\.|Limited|LLC|PLC|plc|"
    r"Holdings|S\.A\.|AG|N\.V\.)$"
)
CHIP_CODE = re.compile(r"^(?:[A-Z]{1,3}\d{2,4}[A-Z]{0,2}|MI\d{3}[A-Z]?)$")
CHIP_NOUNS = {"chip", "gpu", "processor", "accelerator", "card", "semiconductor", "superchip"}
PRODUCT_KINDS = {
    "chatbot", "model", "app", "application", "assistant", "engine", "service", "platform",
    "llm", "bot", "agent", "tool", "software",
}
DC_NOUNS = {"center", "centre", "centers", "centres", "datacenter", "datacentre", "cluster",
            "clusters", "campus", "supercomputer", "farm"}
REG_HEADS = {"control", "restriction", "ban", "curb", "limit", "sanction", "embargo"}
REG_TOPICS = {"export", "chip", "chips", "semiconductor", "supply", "sale", "sales", "technology",
              "tech", "ai", "gpu"}
RULE_HEADS = {"rule", "regulation", "directive", "ruling", "law", "order", "measure", "act",
              "framework", "guideline"}
RULE_MODS = {"proposed", "new", "draft", "interim", "final", "future", "government", "federal",
             "court", "executive", "national"}
DC_LEMMAS = {"datacenter", "datacentre", "cluster", "supercomputer"}
REG_LEMMAS = REG_HEADS | RULE_HEADS | {"list"}
JUNK = re.compile(r"^[\W\d_]+$|[<>{}\[\]|@#]|^\W")
NER_CLASS = {"ORG": "Company", "PERSON": "Person", "GPE": "Place", "LOC": "Place",
             "PRODUCT": "Product"}


@dataclass
class Mention:
    """A typed span of the doc (token offsets), with the entity key it names."""

    start: int
    end: int
    cls: str
    label: str
    rule: str
    confidence: float
    scope: str = "global"
    wikidata: str | None = None
    known: bool = False  # from the gazetteer
    key: str = ""
    generic: bool = False  # "the list": names whichever list the article is about
    head: int = -1  # the head token when it is not the last one ("restrictions on ...")

    def span(self, doc: Doc) -> Span:
        return doc[self.start : self.end]


def clean_name(text: str, cls: str) -> str:
    text = re.sub(r"^(?:the|The|THE)\s+", "", text.strip())
    text = re.sub(r"\s*['\u2019]s?$", "", text).strip(" .,;:-\"'\u201c\u201d")
    text = re.sub(r"\s+(?:and|&|of|for)$", "", text)
    if re.search(r"\b(?:[A-Za-z]\.){1,}[A-Za-z]$", text):
        text += "."  # an abbreviation keeps its final stop: "U.K.", "N.Y."
    if text.count("(") != text.count(")"):
        text = text.replace("(", "").replace(")", "")
    if cls == "Company":
        text = COMPANY_SUFFIXES.sub("", text).strip(" ,")
    return " ".join(text.split())


def _plausible_name(text: str) -> bool:
    if len(text) < 2 or JUNK.search(text) or not any(c.isupper() for c in text):
        return False
    words = text.split()
    if len(words) > 6:
        return False
    # headlines and tables in capitals: accept short acronyms only
    return not (text.isupper() and len(text) > 6 and " " in text)


class _Occupancy:
    def __init__(self, n: int):
        self.taken = [False] * n

    def free(self, start: int, end: int) -> bool:
        return not any(self.taken[start:end])

    def take(self, start: int, end: int) -> None:
        for i in range(start, end):
            self.taken[i] = True


def find_mentions(doc: Doc, gaz: Gazetteer, lex: Lexicon) -> list[Mention]:
    """All typed mentions of ``doc``, non-overlapping, in document order."""
    occ = _Occupancy(len(doc))
    out: list[Mention] = []

    def add(m: Mention) -> None:
        if occ.free(m.start, m.end):
            occ.take(m.start, m.end)
            out.append(m)

    doc.user_data.pop("kg_ents", None)
    ents = list(_ents(doc))
    cands: dict[str, list[Token]] = {"chip": [], "dc": [], "reg": [], "product": [], "head": []}
    for tok in doc:
        text = tok.text
        lemma = tok.lemma_.lower()
        if text[:1].isupper() and CHIP_CODE.match(text):
            cands["chip"].append(tok)
        if tok.lower_ in DC_NOUNS or lemma in DC_LEMMAS:
            cands["dc"].append(tok)
        if lemma in REG_LEMMAS:
            cands["reg"].append(tok)
        if lemma in PRODUCT_KINDS:
            cands["product"].append(tok)
        if lemma in lex.heads:
            cands["head"].append(tok)
    doc.user_data["kg_cands"] = cands
    # 0. phrases that must not be cut up: "House and Senate Armed Services Committees";
    #    offices ("Deputy Secretary of Defense") are read by the title rules, not entities
    text = doc.text  # built from the tokens at every access: once
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
        if ent.ent_id_ and ent.label_ in (*NER_CLASS.values(), "Company", "GovernmentBody",
                                         "Chip", "Regulation", "DataCenter", "Outlet"):
            entry = gaz.by_label.get(ent.ent_id_)
            if entry is None:
                continue
            if entry.cls == "Outlet":
                occ.take(ent.start, ent.end)  # suppressed, and nothing else may claim it
                continue
            if _name_goes_on(doc, ent.end, gaz):
                continue  # "Sarvam-M", "DeepSeek-V3": a product named after its maker
            add(Mention(ent.start, ent.end, entry.cls, entry.label, "gazetteer", 0.95,
                        wikidata=entry.wikidata, known=True))
    # 2. patterns of the domain
    for m in _place_pattern_mentions(doc, occ):
        add(m)
    for m in _chip_mentions(doc, occ):
        add(m)
    for m in _datacenter_mentions(doc, occ, out):
        # a data center phrase contains its place ("data centers in Malaysia"): both stay
        occ.take(m.start, m.end)
        out.append(m)
    for m in _regulation_mentions(doc, occ, gaz, out):
        occ.take(m.start, m.end)  # may contain a place, like a data center phrase
        out.append(m)
    for m in _product_mentions(doc, occ):
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
        elif m.cls == "Place" and _acts_as_state(doc, m):
            country = _seat_of(gaz, m.label)
            if country is not None:  # "Beijing imposed ...": China, as "Washington" is the US
                m.label, m.wikidata, m.rule = country.label, country.wikidata, m.rule + "+seat"
    for m in _head_named_mentions(doc, occ, lex):
        add(m)
    for key in ("kg_cands", "kg_ents"):  # Token/Span caches: never leave them on the doc
        doc.user_data.pop(key, None)
    out.sort(key=lambda m: m.start)
    return out


def _context_class(doc: Doc, m: Mention, lex: Lexicon) -> str | None:
    """The class a name's context gives it: "startup X", "X, a Chinese chipmaker",
    "X's chief executive" (a company); "CEO X Y" (a person)."""
    prev = doc[m.start - 1] if m.start > 0 else None
    last = doc[m.end - 1]
    if _before_based(doc, m.end):
        return "Place"  # "the Suwon-based company"
    if prev is not None and prev.pos_ == "NOUN" and prev.tag_ == "NN" and \
            prev.lemma_.lower() in lex.heads:
        return lex.heads[prev.lemma_.lower()]
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


def _seat_of(gaz: Gazetteer, label: str) -> Entry | None:
    """The country whose government sits in the place called ``label``, if any."""
    entry = gaz.by_label.get(label)
    seat = entry.attr("capital_of") if entry is not None else ()
    return gaz.by_label.get(seat[0]) if seat else None


def _acts_as_state(doc: Doc, m: Mention) -> bool:
    """A place named as an actor: the subject or agent of what a state does ("Beijing
    imposed ...", "controls imposed by Tokyo"), or the possessor of what a state has
    ("Beijing's crackdown")."""
    last = doc[m.end - 1]
    if last.dep_ == "nsubj":
        return last.head.pos_ == "VERB" and last.head.lemma_.lower() in STATE_VERBS
    if last.dep_ == "pobj" and last.head.dep_ == "agent":
        return last.head.head.lemma_.lower() in STATE_VERBS
    return last.dep_ == "poss" and last.head.lemma_.lower() in STATE_NOUNS


def _name_goes_on(doc: Doc, end: int, gaz: Gazetteer) -> bool:
    """Whether a name ending at ``end`` runs on, unspaced, into a model code: "Sarvam-M",
    "DeepSeek-V3" (not "Huawei-Nvidia", nor "TikTok-owner")."""
    if end + 1 >= len(doc) or doc[end].text != "-" or doc[end - 1].whitespace_ or \
            doc[end].whitespace_:
        return False
    code = doc[end + 1].text
    return len(code) <= 4 and (any(c.isdigit() for c in code) or code.isupper()) and \
        gaz.lookup(code) is None


def _before_based(doc: Doc, end: int) -> bool:
    """Whether the tokens from ``end`` read "-based" or "-headquartered"."""
    return end + 1 < len(doc) and doc[end].text == "-" and \
        doc[end + 1].lower_ in {"based", "headquartered"}


def _place_pattern_mentions(doc: Doc, occ: _Occupancy):
    """Places the model missed: "Icheon-based", "Shackelford County", "Dona Ana County"."""
    for tok in doc:
        if tok.text in {"County", "Province", "Prefecture"} and tok.i > 0:
            start = tok.i
            while start > 0 and doc[start - 1].pos_ == "PROPN" and \
                    doc[start - 1].text[:1].isupper() and tok.i - start < 3:
                start -= 1
            if start < tok.i and occ.free(start, tok.i + 1):
                yield Mention(start, tok.i + 1, "Place", doc[start : tok.i + 1].text,
                              "pattern-county", 0.75)
        elif _before_based(doc, tok.i + 1) and tok.pos_ == "PROPN" and tok.text[:1].isupper():
            start = tok.i
            while start > 0 and doc[start - 1].pos_ == "PROPN" and \
                    doc[start - 1].text[:1].isupper() and tok.i - start < 2:
                start -= 1
            if occ.free(start, tok.i + 1) and _plausible_name(doc[start : tok.i + 1].text):
                yield Mention(start, tok.i + 1, "Place", doc[start : tok.i + 1].text,
                              "pattern-based", 0.7)


def _head_named_mentions(doc: Doc, occ: _Occupancy, lex: Lexicon):
    """A name the model missed right after a generic head: "Chinese startup Zhipu"."""
    for tok in _cands(doc, "head"):
        if tok.pos_ != "NOUN" or tok.tag_ != "NN" or tok.lemma_.lower() not in lex.heads:
            continue
        j = k = tok.i + 1
        while k < len(doc) and doc[k].pos_ == "PROPN" and doc[k].text[:1].isupper():
            k += 1
        if k > j and occ.free(j, k) and k - j <= 4:
            label = clean_name(doc[j:k].text, lex.heads[tok.lemma_.lower()])
            if _plausible_name(label) and norm(label) not in lex.stoplist:
                yield Mention(j, k, lex.heads[tok.lemma_.lower()], label, "pattern-head-name",
                              0.6)


TITLE_ABBREV = {"Mr", "Mrs", "Ms", "Dr", "Lt", "Col", "Gen", "Adm", "Sgt", "Capt", "Maj",
                "Sen", "Rep", "Gov", "Prof", "Mr.", "Mrs.", "Ms.", "Dr.", "Lt.", "Col.", "Gen.",
                "Adm.", "Sgt.", "Capt.", "Maj.", "Sen.", "Rep.", "Gov.", "Prof.", "Vice",
                "President", "Marine", "Chairman", "Minister", "Secretary"}


def _split_ner(ent: Span, gaz: Gazetteer | None = None) -> list[Span]:
    """Cut a statistical entity at what never lies inside a name: line breaks, a possessive
    ("OpenAI's GPT" is two names), "and" between names of which one is known ("Douyin and
    TikTok", but not "Savings and Loan Association"), an unclosed parenthesis."""
    doc = ent.doc
    pieces, start = [], ent.start
    for tok in ent:
        if tok.text == "(" and ")" not in ent.text:
            break
        split_and = tok.lower_ == "and" and gaz is not None and (
            gaz.lookup(doc[start : tok.i].text) is not None
            or gaz.lookup(doc[tok.i + 1 : ent.end].text) is not None)
        if split_and or tok.lower_ in {"'s", "\u2019s"} or "\n" in tok.text:
            end = tok.i  # the cutting token itself is dropped
        elif "\n" in tok.whitespace_:
            end = tok.i + 1  # a line ends after this token
        else:
            continue
        if end > start:
            pieces.append(Span(doc, start, end, label=ent.label))
        start = tok.i + 1
    end = next((t.i for t in ent if t.text == "(" and ")" not in ent.text), ent.end)
    if start < end:
        pieces.append(Span(doc, start, end, label=ent.label))
    out = []
    for piece in pieces:
        s = piece.start
        while s < piece.end - 1 and doc[s].text in TITLE_ABBREV and piece.label_ == "PERSON":
            s += 1  # "Marine Lt. Col. Oliver North" -> "Oliver North"
        e = piece.end
        # "Bank of" + "England": a name the model cut before its place
        if doc[e - 1].lower_ in {"of", "for"} and e < len(doc) and doc[e].ent_type_ in {
                "GPE", "LOC", "ORG"}:
            while e < len(doc) and doc[e].ent_type_ in {"GPE", "LOC", "ORG"}:
                e += 1
        elif doc[e - 1].lower_ in {"of", "for", "&"}:
            e -= 1
        if s < e:
            out.append(Span(doc, s, e, label=piece.label))
    return out


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
    if entry is not None:
        if entry.cls == "Outlet":
            return None
        return Mention(start, end, entry.cls, entry.label, "gazetteer-ner", 0.9,
                       wikidata=entry.wikidata, known=True)
    if not _plausible_name(text):
        return None
    words = set(text.replace("-", " ").split())
    if cls == "Company" and words & GOV_WORDS:
        cls = "GovernmentBody"
        if len(span) == 1:
            return None
    if cls == "Person":
        if not all(t.is_alpha or t.text in {"-", "."} for t in span) or not span[0].is_title:
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
    if not label or not _plausible_name(label):
        return None
    conf = {"Company": 0.7, "GovernmentBody": 0.7, "Person": 0.8, "Place": 0.8}.get(cls, 0.6)
    return Mention(start, end, cls, label, f"ner-{ent.label_.lower()}", conf)


def _cands(doc: Doc, kind: str) -> list[Token]:
    return doc.user_data["kg_cands"][kind]


def _chip_mentions(doc: Doc, occ: _Occupancy):
    for tok in _cands(doc, "chip"):
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


def _ents(doc: Doc) -> tuple[Span, ...]:
    """``doc.ents`` builds new spans at every access: keep them once per doc."""
    cached = doc.user_data.get("kg_ents")
    if cached is None:
        cached = doc.user_data["kg_ents"] = tuple(doc.ents)
    return cached


def _place_of(doc: Doc, tok: Token, known: list[Mention]) -> Mention | None:
    """The place a token lies in: a gazetteer place, else a GPE/LOC of the model."""
    for m in known:
        if m.cls == "Place" and m.start <= tok.i < m.end:
            return m
    if tok.ent_type_ in {"GPE", "LOC"}:
        ent = next((e for e in _ents(doc) if e.start <= tok.i < e.end), None)
        if ent is not None:
            return Mention(ent.start, ent.end, "Place", ent.text, "ner-place", 0.7)
    return None


COMPUTE_CUES = {"gpu", "gpus", "chip", "chips", "compute", "computing", "train", "training",
                "model", "models", "server", "servers", "ai", "h100", "h20", "nvidia"}


def _compute_context(tok: Token) -> bool:
    """A "cluster" is a compute cluster only in a sentence about computing."""
    return any(t.lower_ in COMPUTE_CUES for t in tok.sent)


def _datacenter_mentions(doc: Doc, occ: _Occupancy, known: list[Mention]):
    """ "data centers in Southeast Asia", "its data centers in China", "Malaysian clusters"."""
    for tok in _cands(doc, "dc"):
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
        place = None
        for child in head.children:
            if child.dep_ == "prep" and child.lower_ in {"in", "at", "across"}:
                for pobj in child.children:
                    if pobj.dep_ == "pobj":
                        place = _place_of(doc, pobj, known) or place
                        if place is not None:
                            end = max(end, place.end)
        if place is None and end < len(doc) and doc[end].lower_ in {"in", "at"} \
                and end + 1 < len(doc):
            nxt = doc[end + 1]
            if nxt.lower_ == "the" and end + 2 < len(doc):
                nxt = doc[end + 2]
            place = _place_of(doc, nxt, known)
            if place is not None:
                end = place.end
        # premodifiers: "new", "Malaysian", "its", "ByteDance's"
        j = start - 1
        while j >= 0 and doc[j].dep_ in {"amod", "compound", "nummod"} and doc[j].head.i in (
            head.i, start):
            j -= 1
        start_mod = j + 1
        while start_mod < start and start_mod > 0 and doc[start_mod - 1].text == "-":
            start_mod += 1  # "gigawatt-scale AI data center": not "scale AI data center"
        if place is None:
            for k in range(start_mod, start):
                place = _place_of(doc, doc[k], known) or place
        if place is None or not occ.free(start_mod, place.start if place.start > start else start):
            continue
        span = doc[start_mod:end]
        label = clean_name(span.text, "DataCenter")
        label = re.sub(r"^(?:its|their|his|her|new|local)\s+", "", label, flags=re.I)
        yield Mention(start_mod, end, "DataCenter", label, "pattern-datacenter", 0.75,
                      scope="article")


def _country_modifier(doc: Doc, head: Token, gaz: Gazetteer) -> str | None:
    """The place a regulation phrase names as its issuer: "US", "Washington's", "American"."""
    for child in head.children:
        if child.dep_ in {"compound", "amod", "poss", "nmod"}:
            text = child.text
            entry = gaz.lookup(text) or gaz.demonyms.get(text)
            if entry is None and child.i + 1 < len(doc):
                entry = gaz.lookup(doc[child.i : child.i + 2].text)
            if entry is not None and entry.cls == "Place":
                seat = _seat_of(gaz, entry.label)  # "Tokyo's export curbs" are Japan's
                return seat.label if seat is not None else entry.label
            found = _country_modifier(doc, child, gaz) if child.dep_ == "compound" else None
            if found:
                return found
    return None


def _acting_state(head: Token, gaz: Gazetteer) -> str | None:
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
    for subject in subjects:
        words = [subject]
        if subject.lemma_.lower() in STATE_HEADS:
            words += [c for c in subject.children
                      if c.dep_ in {"amod", "compound", "poss", "nmod"}]
        for word in words:
            entry = gaz.lookup(word.text) or gaz.demonyms.get(word.text)
            if entry is None or entry.cls != "Place":
                continue
            seat = _seat_of(gaz, entry.label)  # "Beijing imposed ..." is China's doing
            if seat is not None:
                return seat.label
            if "country" in entry.attr("kind"):
                return entry.label
    return None


def _free_but_places(occ: _Occupancy, doc: Doc, start: int, end: int,
                     known: list[Mention]) -> bool:
    """Free except for places, which a phrase may contain ("U.S. court ruling")."""
    return all(not occ.taken[i] or _place_of(doc, doc[i], known) is not None
               for i in range(start, end)) and not occ.taken[end - 1]


def _regulation_mentions(doc: Doc, occ: _Occupancy, gaz: Gazetteer, known: list[Mention]):
    for tok in _cands(doc, "reg"):
        lemma = tok.lemma_.lower()
        if tok.pos_ not in {"NOUN", "PROPN"}:
            continue
        if lemma in REG_HEADS and (tok.tag_ in {"NNS", "NNPS"} or lemma in {"ban", "embargo"}):
            mods = [c for c in tok.children if c.dep_ in {"compound", "amod", "nmod"}]
            topics = {c.lower_ for c in mods} | {
                g.lower_ for c in mods for g in c.children if g.dep_ == "compound"}
            on_topic = False
            end = tok.i + 1
            for child in tok.children:
                if child.dep_ == "prep" and child.lower_ in {"on", "against"}:
                    sub = {t.lemma_.lower() for t in child.subtree}
                    if sub & (REG_TOPICS | CHIP_NOUNS):
                        on_topic = True
                        end = max(end, child.right_edge.i + 1)
            if topics & {"trade", "regulatory", "market"} and not topics & REG_TOPICS:
                continue
            country = _country_modifier(doc, tok, gaz)
            if not (topics & REG_TOPICS or on_topic or (country and lemma != "ban")):
                continue
            start = min([tok.i, *(c.left_edge.i for c in mods)])
            while start < tok.i and doc[start].dep_ in {"det", "poss", "case"}:
                start += 1
            if not _free_but_places(occ, doc, start, tok.i + 1, known):
                continue
            country = country or _acting_state(tok, gaz) or "United States"
            demonym = "US" if country == "United States" else country
            label = f"{demonym} export controls"
            entry = gaz.lookup(label)
            if entry is not None and entry.cls == "Regulation":
                label = entry.label  # "Netherlands export controls" is "Dutch export controls"
            else:
                entry = None
            yield Mention(start, end, "Regulation", label, "pattern-export-control", 0.8,
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
            if not _free_but_places(occ, doc, start, tok.i + 1, known):
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
            if not (mod_words & RULE_MODS) and not country:
                continue
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
            yield Mention(start, tok.i + 1, "Regulation", label, "pattern-rule", 0.6,
                          scope="article")


def _product_mentions(doc: Doc, occ: _Occupancy):
    """ "its AI chatbot Kimi", "a large language model named Doubao", "Kimi, a chatbot"."""
    for tok in _cands(doc, "product"):
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
            if _plausible_name(label):
                yield Mention(j, k, "Product", label, "pattern-product-kind", 0.7)
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
            if _plausible_name(label):
                yield Mention(start, end, "Product", label, "pattern-product-named", 0.65)
