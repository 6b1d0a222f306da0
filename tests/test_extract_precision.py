"""Facts an analyst must not get: what a firm denies, and a description that belongs to the
last name of a list only (sentences of our own wording)."""

from __future__ import annotations

import extract


def _facts(nlp, text: str) -> set[tuple[str, str, str]]:
    [x] = extract.extract_texts(nlp, [text])
    return {(r.subject, r.predicate, r.object) for r in x.relations}


def test_precision_a_denied_report_states_nothing(nlp):
    facts = _facts(nlp, "Micron denied a report that it had agreed to supply memory chips "
                        "to Huawei.")
    assert ("Micron", "supplies", "Huawei") not in facts, facts
    facts = _facts(nlp, "Micron agreed to supply memory chips to Huawei, the report said.")
    assert ("Micron", "supplies", "Huawei") in facts, facts


def test_precision_a_possessive_inside_a_denial_still_holds(nlp):
    facts = _facts(nlp, "Tencent denied that it had ordered Huawei's Ascend chips.")
    assert ("Tencent", "purchases", "Ascend") not in facts
    assert ("Huawei", "develops", "Ascend") in facts, facts


def test_precision_a_singular_description_after_a_list_is_the_last_name_s(nlp):
    facts = _facts(nlp, "The round drew Sequoia, Temasek and Nordhavn Capital, a Copenhagen-"
                        "based growth fund.")
    assert not {("Sequoia", "headquarteredIn", "Copenhagen"),
                ("Temasek", "headquarteredIn", "Copenhagen")} & facts, facts
    assert ("Nordhavn Capital", "headquarteredIn", "Copenhagen") in facts, facts


def test_precision_a_plural_description_after_a_list_is_everyone_s(nlp):
    facts = _facts(nlp, "Alibaba and Tencent, two Hangzhou-based tech giants, bid for it.")
    assert {("Alibaba", "headquarteredIn", "Hangzhou"),
            ("Tencent", "headquarteredIn", "Hangzhou")} <= facts, facts


def test_precision_chips_powering_a_data_center_are_used_by_its_operator(nlp):
    text = ("Lumen Compute operates the Falcon Ridge data center in Nevada. "
            "It is powered by 40,000 Nvidia H200 GPUs.")
    facts = _facts(nlp, text)
    assert ("Lumen Compute", "uses", "H200") in facts, facts
    text = "Lumen Compute sells servers. A data center in Oslo is powered by Nvidia H200 GPUs."
    assert ("Lumen Compute", "uses", "H200") not in _facts(nlp, text)
