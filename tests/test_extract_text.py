"""Text as it comes: apostrophe variants, official names in lower case, wire headlines in
capitals; offsets and evidence stay true to the article's own text."""

from __future__ import annotations

import extract


def _one(nlp, text: str):
    [x] = extract.extract_texts(nlp, [text])
    return x


def test_text_apostrophe_variants_read_as_possessives_with_evidence_as_written(nlp):
    for mark in ("\u00b4", "\u02bc", "\u2019", "'"):
        text = f"Tencent{mark}s chatbot Yuanbao now runs on its own servers."
        x = _one(nlp, text)
        facts = {(r.subject, r.predicate, r.object) for r in x.relations}
        assert ("Tencent", "owns", "Yuanbao") in facts, (mark, facts)
        for r in x.relations:
            ev = r.evidence
            assert ev.sentence == text[ev.sentence_start : ev.sentence_end]  # as written
            assert ev.surface == text[ev.start : ev.end]


def test_text_official_names_in_lower_case_are_found(nlp):
    x = _one(nlp, "Last week the bureau of industry and security put Sophgo on a watch list.")
    assert ("Bureau of Industry and Security", "GovernmentBody") in {
        (e.label, e.cls) for e in x.entities}


def test_text_lower_case_short_names_are_not_official_names(nlp):
    x = _one(nlp, "Reporters waited outside the white house of the mayor in Lisbon.")
    assert "White House" not in {e.label for e in x.entities}


def test_text_words_of_a_capitals_headline_are_not_firms(nlp):
    text = ("SHARES SLIDE AS FURY MOUNTS OVER OPEC QUOTA\n\n"
            "Oil ministers of OPEC met in Vienna on Monday, and Exxon said prices would hold.")
    labels = {e.label for e in _one(nlp, text).entities}
    assert not labels & {"SHARES", "FURY", "QUOTA", "SHARES SLIDE"}, labels
    assert {"OPEC", "Exxon"} <= labels  # an acronym the body uses too stays


def test_text_headline_in_capitals_keeps_known_names(nlp):
    text = "NVIDIA AND TSMC WIDEN LEAD\n\nThe two firms reported record sales."
    labels = {e.label for e in _one(nlp, text).entities}
    assert {"Nvidia", "Taiwan Semiconductor Manufacturing Co"} <= labels


def test_text_model_entities_of_a_title_case_headline_need_the_body(nlp):
    text = ("Regulators Clear Cloud Chip Shipments to Gulf Campus\n"
            "Washington approved the shipments to a campus run by Microsoft in Abu Dhabi.")
    labels = {e.label for e in _one(nlp, text).entities}
    assert not any("Shipments" in label or "Cloud Chip" in label for label in labels), labels
    assert "Microsoft" in labels


def test_text_place_pairs_demonyms_and_credits_are_not_firms(nlp):
    text = ("U.S.-China tensions rose as American AI labs hired more staff. Photo: Courtesy "
            "of the company. The plant draws 300 MW.")
    labels = {e.label for e in _one(nlp, text).entities}
    assert not labels & {"U.S.-China", "American AI", "Courtesy", "MW"}, labels
