"""The money and alliance rules on sentences of their own kind: funding rounds, backers,
sums put into something, stakes, partnerships, deals and their denials."""

from __future__ import annotations

import pytest

from tests.test_extract import check_facts


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        ("Sequoia led a $300 million round in Moonshot AI.",
         {("Sequoia Capital", "investsIn", "Moonshot AI")}, set()),
        ("Zhipu raised $1 billion in a funding round backed by Alibaba.",
         {("Alibaba", "investsIn", "Zhipu")}, set()),
        ("Tencent participated in the round, which valued Zhipu at $3 billion.",
         {("Tencent", "investsIn", "Zhipu")}, set()),
        ("Moonshot AI raised $2 billion from Tencent and Alibaba.",
         {("Tencent", "investsIn", "Moonshot AI"), ("Alibaba", "investsIn", "Moonshot AI")},
         set()),
        ("Alibaba took a 10 percent stake in Zhipu last year.",
         {("Alibaba", "investsIn", "Zhipu")}, set()),
        ("Alibaba-backed Moonshot AI released a new model.",
         {("Alibaba", "investsIn", "Moonshot AI")}, set()),
        ("The Tencent-backed startup Zhipu released a new model.",
         {("Tencent", "investsIn", "Zhipu")}, set()),
        ("G42 counts Microsoft as a $1.5 billion investor.",
         {("Microsoft", "investsIn", "G42")}, {("G42", "investsIn", "Microsoft")}),
        ("Zhipu, which is backed by Alibaba, and Moonshot AI run their models on Ascend chips.",
         {("Alibaba", "investsIn", "Zhipu")}, {("Alibaba", "investsIn", "Moonshot AI")}),
        ("Amazon Web Services announced a $6 billion outlay to set up data centers in Pune.",
         {("AWS", "investsIn", "Pune")}, set()),
        ("Microsoft will invest $3 billion to build data centers in Wisconsin.",
         {("Microsoft", "investsIn", "Wisconsin")}, set()),
        ("Tencent holds 15% of Zhipu.", {("Tencent", "investsIn", "Zhipu")},
         {("Tencent", "owns", "Zhipu")}),
        ("Arm is a joint venture in which SoftBank holds 60 percent.",
         {("SoftBank", "owns", "Arm")}, {("SoftBank", "investsIn", "Arm")}),
        ("Sundar Pichai, chief executive of Google, announced a $6 billion investment to "
         "build data centers in Finland.", {("Google", "investsIn", "Finland")}, set()),
        ("The ministry will fund roads for a chip cluster in Pyeongtaek, south of Seoul, "
         "where Samsung plans to invest 50 trillion won in new fabs.",
         {("Samsung Electronics", "investsIn", "Pyeongtaek")},
         {("Samsung Electronics", "investsIn", "Seoul")}),
        ("Blue Owl Capital has put about $15 billion into Crusoe.",
         {("Blue Owl Capital", "investsIn", "Crusoe")}, set()),
    ],
)
def test_money_investments(nlp, text, expected, absent):
    check_facts(nlp, text, expected, absent)


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        ("Nvidia and OpenAI partnered to build data centers.",
         {("Nvidia", "partnersWith", "OpenAI")}, set()),
        ("Amazon built an AI zone in partnership with Humain.",
         {("Amazon", "partnersWith", "Humain")}, set()),
        ("Qualcomm signed a memorandum of understanding with Humain.",
         {("Qualcomm", "partnersWith", "Humain")}, set()),
        ("Micron signed a letter of intent with Anthropic to supply HBM chips.",
         {("Micron", "partnersWith", "Anthropic")}, set()),
        ("Nvidia, Oracle and Cisco formed a consortium to build data centers.",
         {("Nvidia", "partnersWith", "Oracle"), ("Nvidia", "partnersWith", "Cisco"),
          ("Oracle", "partnersWith", "Cisco")}, set()),
        ("Nissan announced a tie-up with Honda.",
         {("Nissan", "partnersWith", "Honda")}, set()),
        ("The broader AMD-OpenAI-Oracle collaboration is growing.",
         {("AMD", "partnersWith", "OpenAI"), ("OpenAI", "partnersWith", "Oracle")}, set()),
        ("The campus is part of a new program backed by Google and Nvidia to train engineers.",
         {("Google", "partnersWith", "Nvidia")}, set()),
        ("OpenAI, Oracle and SoftBank will build more sites under their Stargate venture.",
         {("OpenAI", "partnersWith", "Oracle"), ("OpenAI", "partnersWith", "SoftBank"),
          ("Oracle", "partnersWith", "SoftBank")}, set()),
        ("Samsung agreed to supply Tesla with memory chips under a $16 billion partnership.",
         {("Samsung Electronics", "partnersWith", "Tesla")}, set()),
        ("Microsoft will open a campus in Poland with partners Oracle and Nvidia.",
         {("Microsoft", "partnersWith", "Oracle"), ("Microsoft", "partnersWith", "Nvidia")},
         set()),
        ("JPMorgan acted as financial adviser to Oracle.",
         {("JPMorgan", "partnersWith", "Oracle")}, set()),
        ("Goldman Sachs advised Microsoft on the acquisition.",
         {("Goldman Sachs", "partnersWith", "Microsoft")}, set()),
        ("Cohere will use Oracle as its preferred partner for model training.",
         {("Oracle", "partnersWith", "Cohere")}, set()),
    ],
)
def test_money_partnerships(nlp, text, expected, absent):
    check_facts(nlp, text, expected, absent)


def test_money_joint_venture_to_build_a_data_center_invests_in_it(nlp):
    found = check_facts(nlp, "Oracle has formed a joint venture with SoftBank to build a data "
                        "center in Ohio.", {("Oracle", "partnersWith", "SoftBank")})
    investors = {s for s, p, o in found if p == "investsIn" and o.startswith("data center")}
    assert investors == {"Oracle", "SoftBank"}


def test_money_denials_and_mere_mentions_say_nothing(nlp):
    check_facts(nlp, "Apple denied that it had signed a deal with Baidu.", set(),
                {("Apple", "partnersWith", "Baidu"), ("Baidu", "partnersWith", "Apple")})
    check_facts(nlp, "Apple did not partner with Baidu.", set(),
                {("Apple", "partnersWith", "Baidu"), ("Baidu", "partnersWith", "Apple")})
    check_facts(nlp, "The state-backed fund invested in Zhipu.", set(), set())
    check_facts(nlp, "TSMC holds 60% of Nvidia's orders.", set(),
                {("TSMC", "owns", "Nvidia"), ("TSMC", "investsIn", "Nvidia")})
    check_facts(nlp, "Nvidia and Intel did not advise Apple.", set(),
                {("Nvidia", "partnersWith", "Apple"), ("Intel", "partnersWith", "Apple")})
    check_facts(nlp, "A letter from Nvidia to Oracle was leaked.", set(),
                {("Nvidia", "partnersWith", "Oracle"), ("Oracle", "partnersWith", "Nvidia")})
