"""The extractor on sentences of its own kind that are not in the seeds: one per rule family.

Each test runs the real pipeline (spaCy model + gazetteer + rules) and asserts the typed
statements a reader would take from the sentence, and, where it matters, what must NOT come
out (denials, lists of places, the wrong antecedent).
"""

from __future__ import annotations

import pytest

import extract
from extract.schema import SYMMETRIC, allowed


def facts(nlp, text: str) -> set[tuple[str, str, str]]:
    [ex] = extract.extract_texts(nlp, [text])
    labels = {e.key: e.label for e in ex.entities}
    return {(labels[r.subject], r.predicate, labels[r.object]) for r in ex.relations}


def check_facts(nlp, text: str, expected: set, absent: set = frozenset()) -> set:
    """The facts of ``text``, asserting that ``expected`` are among them (a symmetric
    property in either direction) and ``absent`` are not."""
    found = facts(nlp, text)
    both_ways = found | {(o, p, s) for s, p, o in found if p in SYMMETRIC}
    assert expected <= both_ways, f"missing {expected - both_ways}; found {sorted(found)}"
    assert not absent & found, f"unwanted {absent & found}"
    return found


def entities(nlp, text: str) -> set[tuple[str, str]]:
    [ex] = extract.extract_texts(nlp, [text])
    return {(e.label, e.cls) for e in ex.entities}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tencent is buying Nvidia's H20 chips for its data centers in Malaysia.",
         {("Tencent", "purchases", "H20"), ("Nvidia", "develops", "H20"),
          ("Tencent", "operates", "data centers in Malaysia"),
          ("data centers in Malaysia", "locatedIn", "Malaysia")}),
        ("Kuaishou, a Chinese video company, launched its chatbot Kling last year.",
         {("Kuaishou", "headquarteredIn", "China"), ("Kuaishou", "owns", "Kling"),
          ("Kuaishou", "develops", "Kling")}),
        ("The Commerce Department added Huawei and SMIC to the Entity List in 2019.",
         {("Entity List", "targets", "Huawei"),
          ("Entity List", "issuedBy", "Department of Commerce")}),
        ("Mistral AI, the Paris-based startup, has hired researchers from Google DeepMind.",
         {("Mistral AI", "headquarteredIn", "Paris"),
          ("Mistral AI", "hiresFrom", "Google DeepMind")}),
        ("Microsoft partners with G42 to build data centers in the United Arab Emirates.",
         {("G42", "partnersWith", "Microsoft")}),
        ("The AI diffusion rule, issued by the Bureau of Industry and Security, restricts "
         "exports of Nvidia's H100 to the Gulf.",
         {("AI diffusion rule", "issuedBy", "Bureau of Industry and Security"),
          ("AI diffusion rule", "restricts", "H100"), ("AI diffusion rule", "targets", "Gulf")}),
        ("DeepSeek founder Liang Wenfeng is based in Hangzhou.",
         {("Liang Wenfeng", "founded", "DeepSeek"), ("Liang Wenfeng", "basedIn", "Hangzhou")}),
        ("SenseTime poached engineers from Megvii and Baidu.",
         {("SenseTime", "hiresFrom", "Megvii"), ("SenseTime", "hiresFrom", "Baidu")}),
        ("TSMC, Nvidia's main supplier, makes the Blackwell chips in Taiwan.",
         {("Taiwan Semiconductor Manufacturing Co", "supplies", "Nvidia")}),
        ("Amazon invested $4 billion in Anthropic, the San Francisco-based AI lab.",
         {("Amazon", "investsIn", "Anthropic"), ("Anthropic", "headquarteredIn", "San Francisco")}),
        ("Former Google executive Kai-Fu Lee founded 01.ai in Beijing.",
         {("Kai-Fu Lee", "formerlyWorkedFor", "Google"), ("Kai-Fu Lee", "founded", "01.ai")}),
        ("Nvidia CEO Jensen Huang met Malaysian Prime Minister Anwar Ibrahim in Kuala Lumpur.",
         {("Jensen Huang", "leads", "Nvidia")}),
        ("Oracle operates a large GPU cluster in Johor, which ByteDance uses to train models.",
         {("ByteDance", "uses", "large GPU cluster in Johor"),
          ("Oracle", "operates", "large GPU cluster in Johor")}),
        ("Tan Dai, head of ByteDance's Volcano Engine cloud division, met Lisa Su.",
         {("Tan Dai", "leads", "Volcano Engine"), ("Tan Dai", "worksFor", "ByteDance"),
          ("Tan Dai", "meetsWith", "Lisa Su")}),
        ("Xiaomi, the parent company of Redmi, competes with Huawei.",
         {("Xiaomi", "competesWith", "Huawei")}),
        ("Chinese startup Zhipu AI raised funds from Tencent.",
         {("Zhipu", "headquarteredIn", "China"), ("Tencent", "investsIn", "Zhipu")}),
        ("Beijing-based chipmaker Biren Technology unveiled its BR100 GPU.",
         {("Biren", "headquarteredIn", "Beijing"), ("Biren", "develops", "BR100")}),
        ("Stepfun, a Shanghai startup, released a new model called Step-2.",
         {("StepFun", "headquarteredIn", "Shanghai"), ("StepFun", "develops", "Step-2")}),
        ("US chip designer Nvidia said ByteDance is its largest customer in China.",
         {("Nvidia", "headquarteredIn", "United States")}),
    ],
)
def test_extract_rule_families_on_unseen_sentences(nlp, text, expected):
    check_facts(nlp, text, expected)


def test_extract_denied_relation_is_not_asserted(nlp):
    found = facts(nlp, "Alibaba did not buy Nvidia's B200 chips.")
    assert ("Alibaba", "purchases", "B200") not in found


def test_extract_list_of_places_is_not_containment(nlp):
    found = facts(nlp, "Its teams are spread across China, Singapore, and the U.S.")
    assert not {f for f in found if f[1] == "locatedIn"}


def test_extract_place_apposition_is_containment(nlp):
    found = facts(nlp, "The two leaders met in Lima, Peru, last week.")
    assert ("Lima", "locatedIn", "Peru") in found


def test_extract_aliases_resolve_to_one_entity(nlp):
    text = ("The U.S. restricted exports to China. Washington also lobbied allies, "
            "and the United States added firms to the Entity List.")
    ents = entities(nlp, text)
    assert ("United States", "Place") in ents
    assert not {e for e in ents if e[0] in {"U.S.", "Washington", "US"}}


def test_extract_short_names_resolve_within_article(nlp):
    text = "Nvidia chief executive Jensen Huang visited Beijing. Huang met officials there."
    ents = entities(nlp, text)
    assert ("Jensen Huang", "Person") in ents
    assert ("Huang", "Person") not in ents


def test_extract_anaphora_points_to_the_subject(nlp):
    text = ("ByteDance has emerged as Nvidia's biggest customer in China. "
            "The Beijing-based company is hiring engineers from Alibaba.")
    found = facts(nlp, text)
    assert ("ByteDance", "hiresFrom", "Alibaba") in found
    assert ("Nvidia", "hiresFrom", "Alibaba") not in found
    assert ("ByteDance", "headquarteredIn", "Beijing") in found
    assert ("Nvidia", "supplies", "ByteDance") in found


def test_extract_context_types_unknown_names(nlp):
    ents = entities(nlp, "Chinese chipmaker Xinyuan Semi said its CEO Li Wei met Acme Labs.")
    assert ("Xinyuan Semi", "Company") in ents


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        # a government other than Washington's: its own export controls, not the US ones
        ("The Dutch government expanded export controls on ASML's lithography machines.",
         {("Dutch export controls", "issuedBy", "Netherlands"),
          ("Dutch export controls", "restricts", "ASML")},
         {("US export controls", "issuedBy", "Netherlands")}),
        ("Japan tightened export controls on chipmaking equipment.",
         {("Japanese export controls", "issuedBy", "Japan")},
         {("US export controls", "issuedBy", "United States")}),
        # a capital acting for its state, as "Washington" does
        ("Beijing imposed export controls on gallium and germanium last year.",
         {("gallium and germanium export controls", "issuedBy", "China")},
         {("gallium and germanium export controls", "issuedBy", "Beijing")}),
        ("Tokyo's export curbs on chipmaking tools took effect in July.",
         {("Japanese export controls", "issuedBy", "Japan")}, set()),
        # "X is based in Y" is its head office; its staff based in Y are operations there
        ("ByteDance, which is based in Beijing, trains models in Malaysia.",
         {("ByteDance", "headquarteredIn", "Beijing")},
         {("ByteDance", "operatesIn", "Beijing")}),
        ("Moonshot AI has engineers based in San Francisco.",
         {("Moonshot AI", "operatesIn", "San Francisco")},
         {("Moonshot AI", "headquarteredIn", "San Francisco")}),
    ],
)
def test_extract_the_acting_state_and_the_head_office(nlp, text, expected, absent):
    check_facts(nlp, text, expected, absent)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jensen Huang, Nvidia's chief executive, told reporters in Taipei about demand.",
         {("Jensen Huang", "leads", "Nvidia")}),
        ("Larry Ellison, Oracle's co-founder and chairman, spoke on an earnings call.",
         {("Larry Ellison", "founded", "Oracle"), ("Larry Ellison", "leads", "Oracle")}),
        ("Clay Magouyrk, one of Oracle's two new co-chief executives, was not worried.",
         {("Clay Magouyrk", "leads", "Oracle")}),
        ("Jeff Koch, an analyst at SemiAnalysis, said yields will drift.",
         {("Jeff Koch", "worksFor", "SemiAnalysis")}),
        ("Kim Sun-woo, a Seoul-based analyst at Meritz Securities, said so.",
         {("Kim Sun-woo", "worksFor", "Meritz Securities"), ("Kim Sun-woo", "basedIn", "Seoul")}),
        ("Jun Young-hyun, who heads Samsung's Device Solutions division, said so.",
         {("Jun Young-hyun", "worksFor", "Samsung Electronics"),
          ("Jun Young-hyun", "leads", "Device Solutions")}),
        # "its" in a relative clause on a name is that name, not the sentence's subject
        ("Samsung Electronics said it would supply HBM3E memory to Nvidia, which uses the "
         "chips in its Blackwell GPUs.",
         {("Nvidia", "develops", "Blackwell"), ("Samsung Electronics", "supplies", "Nvidia")}),
    ],
)
def test_extract_titles_after_the_name_and_people_verbs(nlp, text, expected):
    found = check_facts(nlp, text, expected)
    # a second title shares the first one's organisation, never the last firm named before
    assert not {f for f in found if f[1] == "leads" and f[0] == "Larry Ellison"
                and f[2] != "Oracle"}
    assert ("Samsung Electronics", "develops", "Blackwell") not in found


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        ("Separately, Nvidia said on Monday it would invest up to $100 billion in OpenAI.",
         {("Nvidia", "investsIn", "OpenAI")}, set()),
        ("Microsoft, OpenAI's biggest backer, has invested about $13 billion in the ChatGPT "
         "maker.", {("Microsoft", "investsIn", "OpenAI")}, {("Microsoft", "investsIn", "ChatGPT")}),
        ("Japan's Tokyo Electron and Canon also sell equipment to SMIC.",
         {("Tokyo Electron", "supplies", "Semiconductor Manufacturing International Corp"),
          ("Canon", "supplies", "Semiconductor Manufacturing International Corp")}, set()),
        ("Samsung, the Suwon-based company, has sold most of its output.",
         {("Samsung Electronics", "headquarteredIn", "Suwon")}, set()),
        # "the Suwon-based company" is the recent firm the gazetteer places in South Korea
        ("Nvidia buys memory from Samsung. The Suwon-based company said demand was strong.",
         {("Samsung Electronics", "headquarteredIn", "Suwon")},
         {("Nvidia", "headquarteredIn", "Suwon")}),
        ("Oracle will develop a data center in Shackelford County, Texas.",
         {("data center in Shackelford County", "locatedIn", "Shackelford County"),
          ("data center in Shackelford County", "locatedIn", "Texas"),
          ("Shackelford County", "locatedIn", "Texas")}, set()),
        ("Reliance is building a gigawatt-scale AI data center in Jamnagar, in the western "
         "state of Gujarat.",
         {("Reliance Industries", "operates", "AI data center in Jamnagar"),
          ("AI data center in Jamnagar", "locatedIn", "Gujarat"),
          ("Jamnagar", "locatedIn", "Gujarat")},
         {("Reliance Industries", "operatesIn", "Jamnagar"),
          ("Reliance Industries", "operatesIn", "Gujarat")}),
        ("In Malaysia, YTL Power is building AI data centers in Johor.",
         {("YTL Power", "operatesIn", "Malaysia")}, {("YTL Power", "operatesIn", "Johor")}),
        ("OpenAI signed a contract with CoreWeave, a rival to Oracle.",
         {("CoreWeave", "competesWith", "Oracle")}, set()),
        ("SMIC, the Shanghai-based contract chipmaker, has been on the Entity List since 2020.",
         {("Entity List", "targets", "Semiconductor Manufacturing International Corp")}, set()),
    ],
)
def test_extract_money_customers_places_and_lists(nlp, text, expected, absent):
    check_facts(nlp, text, expected, absent)


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        # a model named before its kind, after its owner; a maker's name inside a model code
        ("Sarvam released its Sarvam-M language model in May.",
         {("Sarvam AI", "develops", "Sarvam-M"), ("Sarvam AI", "owns", "Sarvam-M")}, set()),
        ("Zhipu's GLM-4 model beat rivals.", {("Zhipu", "develops", "GLM-4")}, set()),
        ("Chinese tech firms are training their AI models abroad.", set(),
         {("Chinese tech firms", "develops", "AI")}),
        ("Reliance set up a new subsidiary, Reliance Intelligence, and announced a joint "
         "venture with Meta.",
         {("Meta", "partnersWith", "Reliance Industries")}, set()),
    ],
)
def test_extract_products_units_and_ventures(nlp, text, expected, absent):
    check_facts(nlp, text, expected, absent)
    assert ("AI", "Product") not in entities(nlp, text)


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        ("Commerce Secretary Howard Lutnick pressed the chipmaker.",
         {("Howard Lutnick", "leads", "Department of Commerce")}, set()),
        ("Deputy Secretary of Defense Steven Feinberg said so.",
         {("Steven Feinberg", "worksFor", "Pentagon")},
         {("Steven Feinberg", "leads", "Pentagon")}),
        ("Former Commerce Secretary Gina Raimondo said so.",
         {("Gina Raimondo", "formerlyWorkedFor", "Department of Commerce")},
         {("Gina Raimondo", "leads", "Department of Commerce")}),
        ("Alibaba, whose Qwen models compete with DeepSeek, has pledged to spend more.",
         {("Alibaba", "owns", "Qwen"), ("Alibaba", "develops", "Qwen")}, set()),
        ("DeepSeek, the Hangzhou-based start-up whose R1 reasoning model rattled markets, "
         "is training.", {("DeepSeek", "develops", "R1")}, set()),
        ("TSMC holds a majority stake in JASM.",
         {("Taiwan Semiconductor Manufacturing Co", "owns", "JASM")}, set()),
        ("Tencent's stake in Zhipu is small.", {("Tencent", "investsIn", "Zhipu")}, set()),
        ("SoftBank sold its stake in Alibaba.", set(), {("SoftBank", "investsIn", "Alibaba")}),
    ],
)
def test_extract_offices_owners_and_stakes(nlp, text, expected, absent):
    check_facts(nlp, text, expected, absent)


def test_extract_titles_and_adjectives_are_not_entities(nlp):
    found = entities(nlp, "Trump, who met Crown Prince Mohammed bin Salman in Riyadh, spoke "
                          "in the Emirati capital, Abu Dhabi.")
    assert ("Donald Trump", "Person") in found and ("Mohammed bin Salman", "Person") in found
    assert not {e for e in found if e[0] in {"Trump", "Crown Prince", "Emirati"}}


def test_extract_a_capital_is_a_city_unless_it_acts(nlp):
    assert ("Beijing", "Place") in entities(nlp, "Meituan opened an office in Beijing.")
    acting = entities(nlp, "Beijing has urged local firms to stop buying Nvidia's H20 chips.")
    assert ("China", "Place") in acting and ("Beijing", "Place") not in acting


def test_extract_news_outlets_are_not_entities(nlp):
    ents = entities(nlp, "Alibaba is training models abroad, the Financial Times reported.")
    assert ("Alibaba", "Company") in ents
    assert not {e for e in ents if "Financial Times" in e[0]}


def test_extract_statements_fit_the_schema_and_offsets_fit_the_text(nlp):
    text = ("Washington's export controls restrict Nvidia's H20 chips, which ByteDance "
            "stockpiled for its data centers in Malaysia, according to insiders.")
    [ex] = extract.extract_texts(nlp, [text])
    cls = {e.key: e.cls for e in ex.entities}
    assert ex.relations
    for r in ex.relations:
        assert allowed(cls[r.subject], r.predicate, cls[r.object])
        ev = r.evidence
        assert 0 <= ev.sentence_start <= ev.start <= ev.end <= ev.sentence_end <= len(text)
        assert text[ev.start : ev.end] == ev.surface
        assert 0 < ev.confidence <= 1 and ev.rule
    for e in ex.entities:
        for m in e.mentions:
            assert text[m.start : m.end] == m.surface


def test_extract_modality_reported_and_planned(nlp):
    [ex] = extract.extract_texts(
        nlp, ["According to insiders, Alibaba plans to buy Nvidia's H20 chips."])
    modality = {r.predicate: r.evidence.modality for r in ex.relations}
    assert modality.get("purchases") in {"reported", "planned"}


def test_extract_long_text_is_split_and_offsets_stay_true(nlp, monkeypatch):
    # a small piece size, and spaCy's own limit just above it: the same splitting as a text
    # over 200,000 characters, and E088 if a piece were ever longer, in a second
    monkeypatch.setattr(extract, "MAX_CHARS", 4_000)
    monkeypatch.setattr(nlp, "max_length", 4_001)
    para = "Tencent is buying Nvidia's H20 chips for its data centers in Malaysia.\n"
    text = para * (extract.MAX_CHARS // len(para) * 3 + 50)
    [ex] = extract.extract_texts(nlp, [text])
    assert len(text) > 3 * extract.MAX_CHARS
    purchases = [r for r in ex.relations if r.predicate == "purchases"]
    # found in the last piece too, at its offset in the whole text
    assert purchases and max(r.evidence.start for r in purchases) > 3 * extract.MAX_CHARS
    for r in ex.relations:
        assert text[r.evidence.start : r.evidence.end] == r.evidence.surface


def test_extract_empty_and_odd_text_yield_no_records(nlp):
    for text in ["", "   \n\n", "12345 67.8 %%", "\u202e\u0000\ufffd"]:
        [ex] = extract.extract_texts(nlp, [text])
        assert ex.relations == ()
