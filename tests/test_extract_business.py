"""Business relations between firms, products and chips: rivals, partners, investors,
suppliers and customers, on sentences of our own wording."""

from __future__ import annotations

from test_extract import check_facts

C = "competesWith"


def test_rivals_locked_in_a_race(nlp):
    check_facts(nlp, "Samsung, SK Hynix and Micron are locked in a fierce race for memory chips.",
                {("Micron", C, "SK Hynix"), ("Micron", C, "Samsung Electronics"),
                 ("SK Hynix", C, "Samsung Electronics")})


def test_product_outperforms_and_trails(nlp):
    check_facts(nlp, "Anthropic said Claude outperformed OpenAI's GPT-4 and Google's Gemini "
                "on coding tests.", {("Claude", C, "GPT-4"), ("Claude", C, "Gemini")},
                {("Anthropic", C, "GPT-4")})
    check_facts(nlp, "Ernie Bot trails behind ByteDance's Doubao in users.",
                {("Ernie Bot", C, "Doubao")})
    check_facts(nlp, "Qwen ranks third, eclipsed only by Kimi.", {("Qwen", C, "Kimi")})


def test_rival_nouns(nlp):
    check_facts(nlp, "Shenzhen is home to Tencent's rival, Huawei.", {("Huawei", C, "Tencent")})
    check_facts(nlp, "The deal strengthens Mistral's position against rivals such as Anthropic "
                "and Cohere.", {("Mistral AI", C, "Anthropic"), ("Mistral AI", C, "Cohere")})
    check_facts(nlp, "Kimi sits well ahead of rivals like Qwen and Doubao.",
                {("Kimi", C, "Qwen"), ("Kimi", C, "Doubao")})


def test_comparable_to(nlp):
    check_facts(nlp, "Baidu's chatbot Ernie Bot offers performance comparable to OpenAI's "
                "ChatGPT at a lower price.", {("Ernie Bot", C, "ChatGPT")},
                {("Ernie Bot", C, "OpenAI")})


INV, P = "investsIn", "partnersWith"


def test_investment_nouns(nlp):
    check_facts(nlp, "Google is following up on its $2 billion investment in Mistral with more "
                "money.", {("Google", INV, "Mistral AI")})
    check_facts(nlp, "Nvidia has made several bets, including making a $5 billion investment "
                "in Intel.", {("Nvidia", INV, "Intel")})
    check_facts(nlp, "Chinese startup Zhipu has received a 300 million yuan investment from "
                "Tencent.", {("Tencent", INV, "Zhipu")})


def test_backers(nlp):
    check_facts(nlp, "OpenAI's failed deal angered Microsoft, its largest backer.",
                {("Microsoft", INV, "OpenAI")})
    check_facts(nlp, "Sequoia is an early investor in Mistral.",
                {("Sequoia Capital", INV, "Mistral AI")})
    check_facts(nlp, "Backed by Saudi Arabia's Public Investment Fund, Humain plans to build "
                "data centers.", {("Public Investment Fund", INV, "Humain")})


def test_deals_and_partnerships(nlp):
    check_facts(nlp, "Anthropic signed a three-year computing deal with Google in March.",
                {("Anthropic", P, "Google")})
    check_facts(nlp, "Samsung and OpenAI jointly announced a partnership to build data centers.",
                {("Samsung Electronics", P, "OpenAI")})
    check_facts(nlp, "The supply agreement between Samsung and Tesla ended last year.",
                {("Samsung Electronics", P, "Tesla")})
    check_facts(nlp, "Mistral did not sign a deal with Nvidia.", set(),
                {("Mistral AI", P, "Nvidia")})
    check_facts(nlp, "It resembles Microsoft's deal with Mustafa Suleyman and Google's prior "
                "arrangement with a startup.", set(), {("Microsoft", P, "Google")})


def test_named_provider(nlp):
    check_facts(nlp, "CoreWeave was named Mistral's main compute provider last year.",
                {("CoreWeave", "supplies", "Mistral AI")})
