"""People rules: titles, past employers, moves between employers, founders, meetings.
Every sentence is our own wording."""

from __future__ import annotations

import pytest

from tests.test_extract import check_facts, entities

W, F, L, FD = "worksFor", "formerlyWorkedFor", "leads", "founded"


@pytest.mark.parametrize("text, expected, absent", [
    # the former phrase belongs to the person it is in apposition with, and ends at its comma
    ("Maria Lopez, previously chief executive of Nvidia, joined Intel from Qualcomm.",
     {("Maria Lopez", F, "Nvidia"), ("Maria Lopez", F, "Qualcomm"),
      ("Maria Lopez", W, "Intel")}, {("Maria Lopez", F, "Intel")}),
    ("Tom Reed, a former Google engineer, left Microsoft to join Anthropic.",
     {("Tom Reed", F, "Google"), ("Tom Reed", F, "Microsoft"), ("Tom Reed", W, "Anthropic")},
     {("Tom Reed", F, "Anthropic")}),
    ("Lena Park previously worked at Google.", {("Lena Park", F, "Google")},
     {("Lena Park", W, "Google")}),
    # a sentence-initial "Previously," says nothing about the organisations after it
    ("Previously, Intel chief executive Anna Berg met with Sam Ford, the head of Baidu.",
     {("Anna Berg", L, "Intel")}, {("Anna Berg", F, "Baidu"), ("Sam Ford", F, "Baidu")}),
    # a startup named in a clause after the former employer is not a former employer
    ("Apple hired Laura Jimenez, previously chief executive of Cohere, which Google "
     "researcher Aidan Gomez founded.",
     {("Laura Jimenez", W, "Apple"), ("Laura Jimenez", F, "Cohere")},
     {("Laura Jimenez", F, "Google"), ("Aidan Gomez", F, "Cohere"), ("Aidan Gomez", F, "Apple")}),
])
def test_former(nlp, text, expected, absent):
    check_facts(nlp, text, expected, absent)


@pytest.mark.parametrize("text, expected, absent", [
    ("Intel hired Lena Park from Qualcomm.",
     {("Lena Park", W, "Intel"), ("Lena Park", F, "Qualcomm")}, set()),
    ("Microsoft hired Ann Lee, who spent a decade at Google.",
     {("Ann Lee", W, "Microsoft"), ("Ann Lee", F, "Google")}, set()),
    # a hired chief executive no longer leads the firm he came from
    ("Amazon has hired Cohere CEO Victor Hale and co-founder Mia Tran.",
     {("Victor Hale", W, "Amazon"), ("Victor Hale", F, "Cohere")},
     {("Victor Hale", L, "Cohere")}),
    ("Baidu's legal chief, Peter Novak, left this month.",
     {("Peter Novak", F, "Baidu")}, {("Peter Novak", L, "Baidu")}),
    ("The move followed Intel CEO Anna Berg's departure in May.",
     {("Anna Berg", F, "Intel")}, {("Anna Berg", L, "Intel")}),
    ("Tom Reed left the door open for a deal with Intel.", set(),
     {("Tom Reed", F, "Intel")}),
])
def test_career(nlp, text, expected, absent):
    check_facts(nlp, text, expected, absent)


@pytest.mark.parametrize("text, expected, absent", [
    # a title "of" something that is not an organisation is a unit's: works for the firm
    ("Omar Haddad, Intel's president of global affairs, spoke on Monday.",
     {("Omar Haddad", W, "Intel")}, {("Omar Haddad", L, "Intel")}),
    ("Rita Gomez, Apple's chief global affairs officer, disagreed.",
     {("Rita Gomez", W, "Apple")}, {("Rita Gomez", L, "Apple")}),
    ("Wei Tan, the 52-year-old founder of Chinese AI startup Moonshot AI, said so.",
     {("Wei Tan", FD, "Moonshot AI")}, set()),
    # joining a firm's leaders on stage is not joining the firm
    ("Intel CEO Anna Berg joined Samsung leaders at the ceremony.",
     {("Anna Berg", L, "Intel")}, {("Anna Berg", W, "Samsung")}),
])
def test_titles(nlp, text, expected, absent):
    check_facts(nlp, text, expected, absent)


@pytest.mark.parametrize("text, expected, absent", [
    # a post taken: its organisation is the one the person's other title names
    ("Following the departures, Cohere's head of sales Ravi Shah has stepped in as interim CEO.",
     {("Ravi Shah", L, "Cohere"), ("Ravi Shah", W, "Cohere")}, {("Ravi Shah", F, "Cohere")}),
    # stepping down from a post is leaving it
    ("Sam Ford, Baidu's founder, remains involved after stepping down as CEO in 2020.",
     {("Sam Ford", FD, "Baidu")}, {("Sam Ford", L, "Baidu")}),
    # a firm that only modifies a deal is not the employer of a bare title
    ("Intel's $2B Nvidia deal ended as CEO Maria Lopez left.", set(),
     {("Maria Lopez", L, "Nvidia")}),
])
def test_roles(nlp, text, expected, absent):
    check_facts(nlp, text, expected, absent)


@pytest.mark.parametrize("text, person", [
    # initials, an office the model ran into the name, a name before its job title
    ("Nvidia's Jensen Huang and TSMC Vice President R.K. Chou signed the wafer.", "R.K. Chou"),
    ("Indonesia's Home Affairs and Law Minister R Sulistyo told reporters on Monday that the "
     "servers were seized.", "R Sulistyo"),
    ("Dana Okafor, Senior Vice President at Intel, told reporters it was a record.",
     "Dana Okafor"),
    ("Brant Hollis, an Intel engineer, stressed the plan's role in local growth.",
     "Brant Hollis"),
])
def test_person_names(nlp, text, person):
    assert (person, "Person") in entities(nlp, text)


@pytest.mark.parametrize("text, expected, absent", [
    # a firm a person possesses is the firm he leads
    ("Sam Ford's Cohere is expanding in Toronto.", {("Sam Ford", L, "Cohere")}, set()),
    ("Tom Reed, a co-founder of Sam Ford's AI company, Cohere, is leaving.",
     {("Sam Ford", L, "Cohere"), ("Tom Reed", FD, "Cohere")}, {("Tom Reed", L, "Cohere")}),
    # founders and chairs as agents: a generic head in apposition with its firm, a leading
    # participle's clause subject
    ("Apple hired Ann Lee, previously CEO of Mistral AI, the AI startup founded by Google "
     "cofounder Sergey Brin that Apple tried to buy.", {("Sergey Brin", FD, "Mistral AI")},
     {("Sergey Brin", FD, "Apple")}),
    ("Backed by Tencent and chaired by Sam Ford himself, Zhipu aims to grow.",
     {("Sam Ford", L, "Zhipu")}, set()),
])
def test_leaders(nlp, text, expected, absent):
    check_facts(nlp, text, expected, absent)


@pytest.mark.parametrize("text, expected, absent", [
    # a country's minister is based there; a topic minister leads the ministry of the topic
    ("The Ministry of Science and ICT signed a deal. Norway's Home Affairs and Law Minister "
     "K Holm said so. Japan Trade Minister Kenji Sato said the move was new. Science "
     "Minister Lee Min-ho said it was good.",
     {("K Holm", "basedIn", "Norway"), ("Kenji Sato", "basedIn", "Japan"),
      ("Lee Min-ho", L, "Ministry of Science and ICT")}, set()),
    # offices and titles of governments
    ("In a statement, Republican House Speaker Tom Blake hinted at talks. Chen Wei, Vice "
     "Premier of the State Council, met Jensen Huang.",
     {("Tom Blake", L, "House of Representatives"), ("Chen Wei", W, "State Council")},
     {("Chen Wei", L, "State Council")}),
    # a spokeswoman with no organisation named speaks for the latest speaker
    ("Intel shipped the chips. China's Ministry of Commerce said it opposes the measure. "
     "\"It is unfair,\" spokeswoman Li Na told a briefing.",
     {("Li Na", W, "Chinese Ministry of Commerce")}, {("Li Na", W, "Intel")}),
])
def test_government_people(nlp, text, expected, absent):
    check_facts(nlp, text, expected, absent)


@pytest.mark.parametrize("text, expected, absent", [
    # the meeting "with" someone: the clause's subject is the other party
    ("Intel CEO Anna Berg described the meeting with Japan's trade minister Kenji Sato, "
     "saying talks went well.", {("Anna Berg", "meetsWith", "Kenji Sato")}, set()),
])
def test_meetings(nlp, text, expected, absent):
    check_facts(nlp, text, expected, absent)
