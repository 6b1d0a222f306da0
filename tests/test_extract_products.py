"""Products and models: their names (versions of a known family), who develops and owns
them, and who competes with whom. Sentences are our own wording."""

from __future__ import annotations

from test_extract import check_facts, entities


def test_version_of_a_known_family_is_one_product(nlp):
    found = entities(nlp, "Anthropic shipped Claude 4.1 Opus in May, and Google answered with "
                          "Gemini 3 Pro while Zhipu put out GLM-6 and Moonshot its Kimi K3.")
    assert {("Claude 4.1 Opus", "Product"), ("Gemini 3 Pro", "Product"), ("GLM-6", "Product"),
            ("Kimi K3", "Product")} <= found


def test_a_quantity_after_a_product_is_no_version(nlp):
    found = entities(nlp, "ChatGPT 300 million users log in each week, OpenAI says.")
    assert ("ChatGPT", "Product") in found


def test_short_version_takes_the_full_name_of_the_article(nlp):
    found = entities(nlp, "Anthropic released Claude 4.1 Opus on Tuesday. Testers said Claude "
                          "4.1 was quick.")
    assert ("Claude 4.1 Opus", "Product") in found and ("Claude 4.1", "Product") not in found


def test_owned_kind_with_name_in_apposition(nlp):
    check_facts(nlp, "iFlytek opened its chatbot, SparkBot, to every user on Monday.",
                {("iFlytek", "owns", "SparkBot"), ("iFlytek", "develops", "SparkBot")})


def test_people_who_built_a_model_develop_it(nlp):
    check_facts(nlp, "Jack Rae, who worked on Gemini, left Google in May.",
                {("Jack Rae", "develops", "Gemini")})
    check_facts(nlp, "Maria Lopez, the creator of Claude Code, joined Meta.",
                {("Maria Lopez", "develops", "Claude Code")})


def test_working_with_partners_on_a_product_is_not_building_it_for_the_speaker(nlp):
    check_facts(nlp, "Maria Lopez said Nvidia was working with partners on GPT-4o.", set(),
                {("Maria Lopez", "develops", "GPT-4o")})


def test_the_company_behind_a_chatbot_makes_it(nlp):
    check_facts(nlp, "Moonshot AI raised cash. The company behind the Kimi chatbot hired.",
                {("Moonshot AI", "develops", "Kimi"), ("Moonshot AI", "owns", "Kimi")})


def test_a_clause_above_lends_no_builder(nlp):
    check_facts(nlp, "Lisa Su said the firm would ship its chips and was working with "
                     "partners on Claude Code.", set(), {("Lisa Su", "develops", "Claude Code")})


def test_rivals_of_a_model_and_of_its_maker(nlp):
    found = check_facts(
        nlp, "Moonshot AI shipped its Kimi K3. On the leaderboard K3 now places second, "
             "beaten only by Chinese rival Zhipu's latest release, GLM-6. K3 sits far ahead "
             "of rivals like DeepSeek and Alphabet's Gemini.",
        {("Moonshot AI", "competesWith", "Zhipu"), ("Kimi K3", "competesWith", "Gemini"),
         ("Kimi K3", "competesWith", "DeepSeek"), ("Zhipu", "owns", "GLM-6")})
    assert not {("Alphabet", "competesWith", "Kimi K3"), ("Kimi K3", "competesWith", "Alphabet")} \
        & found


def test_the_likes_of_and_a_product_trailing_behind(nlp):
    check_facts(nlp, "Moonshot AI competes with the likes of OpenAI and Anthropic.",
                {("Moonshot AI", "competesWith", "OpenAI"),
                 ("Moonshot AI", "competesWith", "Anthropic")})
    check_facts(nlp, "According to the tracker, Ernie Bot has about 9 million users, trailing "
                     "behind ByteDance's Doubao and DeepSeek.",
                {("Ernie Bot", "competesWith", "Doubao")})


def test_a_product_named_after_its_maker_is_owned_when_the_maker_is_named(nlp):
    check_facts(nlp, "DeepSeek has grown fast. Users praised DeepSeek R1 for its price.",
                {("DeepSeek", "owns", "DeepSeek-R1"), ("DeepSeek", "develops", "DeepSeek-R1")})


def test_a_cloud_unit_is_a_company(nlp):
    assert ("Oracle Cloud Infrastructure", "Company") in entities(
        nlp, "Oracle Cloud Infrastructure said it will deploy more GPUs.")
