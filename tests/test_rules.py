"""The relation-rule registry: ids, triggers, properties, cue words as data, and the table of
docs/extraction.md, which lists every registered rule once."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

from extract.gazetteer import _cue_sets, load_lexicon
from extract.rules import REGISTRY, OnDocument, OnSentence, OnToken, get, rule
from extract.schema import PROPERTIES

DOC = ROOT / "docs" / "extraction.md"


def _doc_rows() -> dict[str, str]:
    """Rule id -> its row, from the table of section 4 of docs/extraction.md."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## 4. Relations") : text.index("## 5.")]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        m = re.match(r"\| `([^`]+)` \|", line)
        if m:
            assert m.group(1) not in rows, f"rule {m.group(1)} has two rows"
            rows[m.group(1)] = line
    return rows


def test_rules_doc_table_and_registry_match_one_to_one():
    rows = _doc_rows()
    assert set(rows) == set(REGISTRY), (
        f"in the registry, not in docs/extraction.md: {sorted(set(REGISTRY) - set(rows))}; "
        f"in the docs only: {sorted(set(rows) - set(REGISTRY))}")
    for rule_id, row in rows.items():
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[2] == ", ".join(REGISTRY[rule_id].props), rule_id


def test_rules_state_only_scheme_properties_and_have_an_example():
    for r in REGISTRY.values():
        assert r.props and set(r.props) <= set(PROPERTIES), r.id
        assert r.example and r.doc, f"rule {r.id} needs an example and a docstring"


def test_rules_token_triggers_name_known_word_sets():
    lex = load_lexicon()
    for r in REGISTRY.values():
        if isinstance(r.trigger, OnToken):
            assert r.trigger.keys(lex), f"rule {r.id} is triggered by no word"
        else:
            assert isinstance(r.trigger, (OnSentence, OnDocument))


def test_rules_unknown_id_property_or_duplicate_is_an_error():
    with pytest.raises(KeyError, match="no relation rule 'nope'"):
        get("nope")
    with pytest.raises(ValueError, match="unknown properties"):
        rule("x-test", OnSentence(), ("ownz",))
    with pytest.raises(ValueError, match="registered twice"):
        rule("poss", OnSentence(), ("owns",))(lambda ctx, sent: None)


def test_rules_unknown_cue_set_is_an_error_naming_the_known_ones():
    lex = load_lexicon()
    with pytest.raises(KeyError, match="no cue set 'facilty'.*facility"):
        lex.cue("facilty")


def test_rules_cue_sets_include_other_sets_and_refuse_cycles():
    sets = _cue_sets([{"set": "a", "word": "Ban"}, {"set": "b", "word": "@a"},
                      {"set": "b", "word": "curb"}])
    assert sets["b"] == {"ban", "curb"}
    with pytest.raises(ValueError, match="includes itself"):
        _cue_sets([{"set": "a", "word": "@b"}, {"set": "b", "word": "@a"}])
    with pytest.raises(ValueError, match="unknown"):
        _cue_sets([{"set": "a", "word": "@missing"}])


def test_rules_state_verbs_include_the_restricting_verbs():
    lex = load_lexicon()
    assert lex.cue("restrict_verbs") <= lex.cue("state_verbs")
    assert "retaliate" in lex.cue("state_verbs")


def test_rules_run_in_registration_order_by_phase():
    ids = list(REGISTRY)
    assert ids.index("title") < ids.index("former")  # former reads the title facts
    kinds = [type(r.trigger).__name__ for r in REGISTRY.values()]
    assert "OnDocument" in kinds and "OnToken" in kinds
