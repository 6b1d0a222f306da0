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


def test_place_possessive_generic_head_names_home(nlp):
    check_facts(nlp, "The order went to Taiwan's biggest contract foundry, UMC, last week.",
                {("United Microelectronics", "headquarteredIn", "Taiwan")})
    check_facts(nlp, "Rules now cover Japan's chip equipment maker Tokyo Electron.",
                {("Tokyo Electron", "headquarteredIn", "Japan")})
    check_facts(nlp, "Wipro, India's fourth largest IT services provider, hired 5,000 staff.",
                {("Wipro", "headquarteredIn", "India")})


def test_plural_head_gives_every_listed_name(nlp):
    check_facts(nlp, "Chinese memory makers CXMT and YMTC are expanding output.", {
        ("ChangXin Memory Technologies", "headquarteredIn", "China"),
        ("Yangtze Memory Technologies", "headquarteredIn", "China")})


def test_place_based_token_before_name(nlp):
    check_facts(nlp, "Shares of U.S.-based Micron rose on Friday.",
                {("Micron", "headquarteredIn", "United States")})


def test_place_before_firm_before_noun_is_not_home(nlp):
    check_facts(nlp, "Regulators approved shipments to a Saudi Oracle facility.", set(),
                {("Oracle", "headquarteredIn", "Saudi Arabia")})


def test_definite_description_does_not_override_known_home(nlp):
    check_facts(nlp, "Executives of Japanese electronics firm Sony met officials, and Sony "
                "agreed to sell sensors to the US company.",
                {("Sony", "headquarteredIn", "Japan")},
                {("Sony", "headquarteredIn", "United States")})


def test_datacenter_named_after_known_as(nlp):
    check_facts(nlp, 'Kakao signed a deal with OpenAI on a new AI data center, known as '
                '"Stargate Busan," in southern South Korea.',
                {("Stargate Busan", "locatedIn", "South Korea")})
    check_facts(nlp, "Crusoe is building a new data centre called Project Falcon in Wyoming.",
                {("Crusoe", "operates", "Project Falcon"),
                 ("Project Falcon", "locatedIn", "Wyoming")})


def test_place_chain_of_growing_size(nlp):
    found = check_facts(nlp, "The plant sits in Suzhou's Kunshan county, Jiangsu province, "
                        "China.", {("Kunshan county", "locatedIn", "Suzhou"),
                                   ("Suzhou", "locatedIn", "Jiangsu"),
                                   ("Jiangsu", "locatedIn", "China")})
    assert ("Kunshan county", "locatedIn", "Jiangsu") not in found
    check_facts(nlp, "America's China policy changed again.", set(),
                {("China", "locatedIn", "United States")})
    check_facts(nlp, "It has offices in China, Singapore, and Japan.", set(),
                {("China", "locatedIn", "Singapore"), ("Singapore", "locatedIn", "Japan")})


def test_fab_or_plant_of_a_firm_in_a_place(nlp):
    check_facts(nlp, "Engineers met at Micron's Idaho fab on Tuesday.",
                {("Micron", "operatesIn", "Idaho")})
    check_facts(nlp, "Visitors toured Samsung's new chip plant in Texas.",
                {("Samsung Electronics", "operatesIn", "Texas")})


def test_joint_venture_partners_operate_what_it_builds(nlp):
    check_facts(nlp, "Oracle formed a joint venture with Crusoe to build and run the Titan "
                "data centre campus in Wyoming.",
                {("Oracle", "operates", "Titan data centre campus in Wyoming"),
                 ("Crusoe", "operates", "Titan data centre campus in Wyoming")},
                {("Oracle", "operatesIn", "Wyoming")})


def test_deal_for_building_a_datacenter_makes_operators(nlp):
    check_facts(nlp, "Kakao signed a memorandum of understanding with OpenAI for the "
                "construction of a new AI data center in Busan.", {
                    ("Kakao", "operates", "AI data center in Busan"),
                    ("OpenAI", "operates", "AI data center in Busan")})
    check_facts(nlp, "Fluor won a contract for the construction of a data center in Ohio.",
                set(), {("Fluor", "operates", "data center in Ohio")})


def test_named_datacenter_before_its_noun_and_place(nlp):
    check_facts(nlp, "Workers poured concrete at the Hyperion data centre campus in Louisiana.",
                {("Hyperion", "locatedIn", "Louisiana")})
