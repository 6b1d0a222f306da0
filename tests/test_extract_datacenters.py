"""Data centers, their operators and places; headquarters and operations (own wording)."""

from test_extract import check_facts, entities


def test_datacenter_in_listed_places(nlp):
    check_facts(nlp, "Nebius is opening new data centres in Finland and Kenya this year.", {
        ("Nebius", "operates", "data centres in Finland and Kenya"),
        ("data centres in Finland and Kenya", "locatedIn", "Finland"),
        ("data centres in Finland and Kenya", "locatedIn", "Kenya"),
    }, {("Nebius", "operatesIn", "Kenya")})


def test_datacenter_name_drops_size_words(nlp):
    assert ("data center in Norway", "DataCenter") in entities(
        nlp, "OpenAI will build a massive new data center in Norway.")


def test_datacenter_owned_without_place(nlp):
    check_facts(nlp, "Nvidia will deploy its new chips across its global data centers.",
                {("Nvidia", "operates", "global data centers")})
    assert not any(c == "DataCenter" for _, c in entities(
        nlp, "Its chairman called it the world's most powerful data center."))


def test_based_after_generic_appos_is_head_office(nlp):
    check_facts(nlp, "Kyvex, a state investment group based in Wuhan, bought a stake in the "
                "startup.", {("Kyvex", "headquarteredIn", "Wuhan")},
                {("Kyvex", "operatesIn", "Wuhan")})


def test_place_in_subject_is_not_operations(nlp):
    check_facts(nlp, "Mistral AI, based in Paris, opened an office in London.", {
        ("Mistral AI", "headquarteredIn", "Paris"), ("Mistral AI", "operatesIn", "London"),
    }, {("Mistral AI", "operatesIn", "Paris")})


def test_expands_into_and_headquarters(nlp):
    check_facts(nlp, "Tokyo-based SoftBank expanded into India last year.",
                {("SoftBank", "operatesIn", "India")})
    check_facts(nlp, "Lambda's headquarters in San Jose will host 200 engineers.",
                {("Lambda", "headquarteredIn", "San Jose")},
                {("Lambda", "operatesIn", "San Jose")})
