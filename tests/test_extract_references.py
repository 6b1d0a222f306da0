"""References across sentences: pronouns and definite descriptions resolved to the entity
they refer to (extract/resolve.py). Test sentences are our own wording."""

from __future__ import annotations

from extract.pipeline import _data
from extract.resolve import Resolver
from tests.test_extract import check_facts


def refs(nlp, text: str) -> dict[str, list[str]]:
    """``word@index`` of every reference token -> the keys it resolves to."""
    doc = nlp(text)
    gaz, lex = _data(None, None)
    res = Resolver(doc, doc._.kg_mentions, lex, gaz)
    return {f"{t.text}@{t.i}": [m.key for m in res.refer(t)]
            for t in doc if t.i not in res.at and res.refer(t)}


def ref_of(nlp, text: str, word: str) -> list[str]:
    found = [v for k, v in refs(nlp, text).items() if k.split("@")[0] == word]
    return found[-1] if found else []


def test_description_agrees_with_its_country(nlp):
    # "the US company" is not one of the Korean firms of the same sentence
    text = ("OpenAI is expanding fast. Sam Altman met the heads of Korean firms Samsung and "
            "LG, with both agreeing to sell memory chips to the US company.")
    assert ref_of(nlp, text, "company") == ["OpenAI"]
    check_facts(nlp, text, set(), {("Samsung Electronics", "headquarteredIn", "United States"),
                                   ("LG", "headquarteredIn", "United States")})


def test_description_with_no_fitting_firm_refers_to_none(nlp):
    text = "Sam Altman met the heads of Korean firms Samsung and LG about the US company."
    assert ref_of(nlp, text, "company") == []


def test_its_is_the_clause_subject_of_another_class(nlp):
    # the subject is a service, not a firm: "its" is not the chip maker named after it
    text = ("Ernie Bot announced plans to deploy AMD's MI300 chips across its global data "
            "centers.")
    assert ref_of(nlp, text, "its") == []
    check_facts(nlp, text, set(), {("AMD", "operates", "global data centers")})


def test_its_is_the_reporting_firm(nlp):
    text = "Nvidia is growing. Intel said its new plant in Ohio would open in 2027."
    assert ref_of(nlp, text, "its") == ["Intel"]


def test_it_after_a_facility_subject_is_not_a_firm(nlp):
    text = ("Nvidia is the largest customer. The Arizona facility built by Intel will be the "
            "biggest when it opens in 2027.")
    assert ref_of(nlp, text, "it") == []


def test_its_in_apposition_is_not_the_name(nlp):
    text = "OpenAI cut its reliance on Microsoft, its largest backer."
    found = refs(nlp, text)
    assert found["its@7"] == ["OpenAI"]
    check_facts(nlp, text, {("Microsoft", "investsIn", "OpenAI")})


def test_upper_case_it_is_no_pronoun(nlp):
    text = "Wipro grew last year. Infosys, the biggest IT services provider, hired more staff."
    assert "IT@7" not in refs(nlp, text)



def test_its_after_a_conjoined_name_is_that_name(nlp):
    text = "The Commerce Department added Megvii and its subsidiaries to its export list."
    found = refs(nlp, text)
    assert found["its@6"] == ["Megvii"]
    assert found["its@9"] == ["Department of Commerce"]



def test_we_in_a_quotation_is_the_speakers_firm(nlp):
    text = ("“We will use what we are building with Nvidia to train new models,” said Sam "
            "Altman, CEO of OpenAI.")
    assert ref_of(nlp, text, "We") == ["OpenAI"]
    check_facts(nlp, text, {("OpenAI", "partnersWith", "Nvidia")})


def test_we_with_no_single_firm_of_the_speaker_is_nobody(nlp):
    text = "“Our chips are the best,” said Lisa Su, who runs AMD and met Intel."
    assert ref_of(nlp, text, "Our") == []
    assert ref_of(nlp, "Analysts said we would see more chips from Intel.", "we") == []
