"""Regulations on sentences of our own: who issues a rule, what it restricts, whom it
targets, and one node per distinct rule (a Dutch or Japanese rule is not "US export
controls")."""

from __future__ import annotations

import extract
from tests.test_extract import check_facts, facts


def _entities(nlp, text: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    [ex] = extract.extract_texts(nlp, [text])
    return {e.label: (e.cls, e.aliases) for e in ex.entities}


def test_a_state_restricting_exports_by_verb_issues_its_own_controls(nlp):
    check_facts(
        nlp, "The Netherlands said it will restrict more ASML exports to China.",
        {("Dutch export controls", "issuedBy", "Netherlands"),
         ("Dutch export controls", "restricts", "ASML"),
         ("Dutch export controls", "targets", "China")},
        {("US export controls", "issuedBy", "Netherlands"),
         ("US export controls", "restricts", "ASML")})


def test_a_government_body_issues_for_its_country(nlp):
    check_facts(
        nlp, "The Dutch Cabinet announced on Friday that it is restricting exports of "
             "advanced lithography tools.",
        {("Dutch export controls", "issuedBy", "Dutch Cabinet"),
         ("Dutch export controls", "issuedBy", "Netherlands")})


def test_the_bare_controls_of_the_next_sentence_are_the_same_rule(nlp):
    text = ("Japan restricts semiconductor equipment exports to China. The government "
            "will impose export controls on 18 kinds of etching gear.")
    ents = _entities(nlp, text)
    assert "US export controls" not in ents
    cls, aliases = ents["Japanese export controls"]
    assert cls == "Regulation" and "export controls on 18 kinds of etching gear" in aliases
    check_facts(nlp, text, {("Japanese export controls", "issuedBy", "Japan"),
                            ("Japanese export controls", "targets", "China")})


def test_a_bare_reference_is_not_an_alias(nlp):
    ents = _entities(nlp, "Japan restricts chip exports to China. Tokyo Electron said the "
                          "export controls will hurt sales.")
    assert "export controls" not in ents["Japanese export controls"][1]


def test_a_capital_acting_as_state_issues_and_is_targeted_as_its_country(nlp):
    found = check_facts(
        nlp, "Tokyo agreed to join in tightening chip exports to Beijing.",
        {("Japanese export controls", "issuedBy", "Japan"),
         ("Japanese export controls", "targets", "China")})
    assert not {f for f in found if f[2] in {"Tokyo", "Beijing"}}


def test_a_clause_of_its_own_names_no_target(nlp):
    found = facts(nlp, "Japan restricts chipmaking tool exports as Washington seeks to "
                       "contain Beijing.")
    assert ("Japanese export controls", "issuedBy", "Japan") in found
    assert ("Japanese export controls", "targets", "United States") not in found


def test_a_known_topic_names_the_known_rule(nlp):
    check_facts(
        nlp, "China hit back, banning exports of gallium and germanium to the United States.",
        {("gallium and germanium export controls", "issuedBy", "China"),
         ("gallium and germanium export controls", "targets", "United States")},
        {("Chinese export controls", "issuedBy", "China")})


def test_arms_embargoes_are_not_export_controls(nlp):
    ents = _entities(nlp, "Buyers from countries under U.S. arms embargoes are barred.")
    assert ents.get("US arms embargoes", ("",))[0] == "Regulation"
    assert "US export controls" not in ents


def test_a_place_inside_the_restricted_phrase_is_no_issuer(nlp):
    found = facts(nlp, "The U.S. rolled out restrictions on China's memory chip industry.")
    assert ("US export controls", "issuedBy", "China") not in found


def test_what_the_rule_covers_is_not_listed(nlp):
    found = facts(nlp, "The package includes restrictions on shipments of memory chips made "
                       "by Hynix Semiconductor (Hynix) to China.")
    assert not {f for f in found if f[1] == "targets" and f[2].startswith("Hynix")}


def test_administrations_are_government_bodies(nlp):
    ents = _entities(nlp, "The Trump administration's new rule drew criticism.")
    assert ents["Trump administration"][0] == "GovernmentBody"


def test_what_a_rule_affects_is_restricted(nlp):
    check_facts(nlp, "Tokyo Electron said only its newest etching tools are affected by "
                     "the U.S. export controls.",
                {("US export controls", "restricts", "Tokyo Electron")})


def test_a_rule_as_the_reason_a_seller_stops(nlp):
    check_facts(nlp, "Iran has been unable to buy printers from Kodak due to the US embargo.",
                {("US export controls", "restricts", "Kodak"),
                 ("US export controls", "targets", "Iran")})
    check_facts(nlp, "Kodak stopped selling its printers to Iran following U.S. export "
                     "restrictions.",
                {("US export controls", "restricts", "Kodak")})


def test_a_product_made_to_comply_is_restricted_with_its_maker(nlp):
    check_facts(nlp, "AMD designed the MI308 to comply with U.S. export controls.",
                {("US export controls", "restricts", "MI308"),
                 ("US export controls", "restricts", "AMD")})


def test_a_reason_that_stops_nothing_restricts_nothing(nlp):
    found = facts(nlp, "Kodak sold more printers following U.S. export restrictions.")
    assert not {f for f in found if f[1] == "restricts"}


def test_a_government_act_told_by_a_noun(nlp):
    check_facts(nlp, "The deals follow a revision of Obama-era chip export rules by the US "
                     "Commerce Department.",
                {("Obama-era chip export rules", "issuedBy", "Department of Commerce")})
    check_facts(nlp, "The approvals followed China's introduction of interim rules to "
                     "regulate chatbots.",
                {("interim rules", "issuedBy", "China")})


def test_an_administration_imposing_controls_issues_them(nlp):
    check_facts(nlp, "The Trump administration also imposes new controls on 12 more etching "
                     "tools.",
                {("US export controls", "issuedBy", "Trump administration")})


def test_the_pronoun_of_a_reporting_government_issues(nlp):
    check_facts(nlp, "The Bureau of Industry and Security said it plans to issue a "
                     "replacement rule soon.",
                {("replacement rule", "issuedBy", "Bureau of Industry and Security")})


def test_a_body_possessing_a_named_list_issues_it(nlp):
    check_facts(nlp, "Buyers are barred by the U.S. Bureau of Industry and Security's "
                     "Entity List.",
                {("Entity List", "issuedBy", "Bureau of Industry and Security")})


def test_a_rule_does_not_target_its_own_country(nlp):
    found = facts(nlp, "Commerce added Zhipu to its entity list, which restricts their "
                       "access to U.S. technology.")
    assert ("Entity List", "targets", "Zhipu") in found
    assert ("Entity List", "targets", "United States") not in found


def test_who_scraps_another_government_s_rule_did_not_issue_it(nlp):
    check_facts(nlp, "The Commerce Department rescinded the former Biden administration's "
                     "AI diffusion rule on Monday.",
                {("AI diffusion rule", "issuedBy", "Biden administration")},
                {("AI diffusion rule", "issuedBy", "Department of Commerce")})


def test_a_rule_is_named_with_its_topic(nlp):
    check_facts(nlp, "Meta would rather leave than comply with new EU rules on political "
                     "advertising.",
                {("new EU rules on political advertising", "issuedBy", "European Union")})


def test_goods_banned_for_export_are_restricted_with_their_maker(nlp):
    check_facts(nlp, "Nvidia hopes to resume sales. The H20 chip, which had been banned for "
                     "export to China, is back on the market.",
                {("US export controls", "restricts", "H20"),
                 ("US export controls", "restricts", "Nvidia"),
                 ("US export controls", "targets", "China")})


def test_goods_banned_for_export_by_the_state_the_article_names(nlp):
    found = facts(nlp, "China restricts exports of rare metals. Gallium from Chalco, which "
                       "was banned for export, rose in price.")
    assert not {f for f in found if f[0] == "US export controls"}


def test_a_firm_that_needs_a_licence_to_sell_is_restricted(nlp):
    check_facts(nlp, "AMD will need a license to sell the MI308 to China.",
                {("US export controls", "restricts", "AMD"),
                 ("US export controls", "restricts", "MI308"),
                 ("US export controls", "targets", "China")})
    found = facts(nlp, "Japan restricts chip tool exports. Firms such as Tokyo Electron will "
                       "need licenses to ship etching gear.")
    assert ("Japanese export controls", "restricts", "Tokyo Electron") in found
    assert not facts(nlp, "Microsoft does not need a license to ship the chips.") & {
        ("US export controls", "restricts", "Microsoft")}


def test_a_person_s_rule_is_issued_by_that_person(nlp):
    check_facts(
        nlp, "Washington scrapped the AI diffusion rule on Monday. Critics said Biden's rule "
             "had angered partners abroad.",
        {("AI diffusion rule", "issuedBy", "Joe Biden")})
    check_facts(
        nlp, "The US imposed export controls on Huawei. Among Trump's harshest measures, the "
             "new curbs ban shipments of chips.",
        {("US export controls", "issuedBy", "Donald Trump")})


def test_a_country_right_before_a_known_name_issues_it(nlp):
    check_facts(
        nlp, "Intel will get grants under the U.S. Chips and Science Act.",
        {("CHIPS and Science Act", "issuedBy", "United States")})


def test_the_dutch_parliament_and_its_lower_house_are_government_bodies(nlp):
    ents = _entities(nlp, "The minister wrote to the Tweede Kamer, the lower house of Dutch "
                          "parliament, about the new rules.")
    assert ents["Tweede Kamer"][0] == "GovernmentBody"
    assert ents["Dutch parliament"][0] == "GovernmentBody"


def test_a_pact_between_states_to_restrict_exports_is_their_rule(nlp):
    check_facts(
        nlp, "Reports of an agreement between Germany, France and Italy to curb exports of "
             "advanced lithography tools to Russia surfaced in May.",
        {("agreement between Germany, France and Italy", "issuedBy", "Germany"),
         ("agreement between Germany, France and Italy", "issuedBy", "Italy"),
         ("agreement between Germany, France and Italy", "targets", "Russia")},
        {("agreement between Germany, France and Italy", "targets", "Germany")})
    check_facts(
        nlp, "The US-Japan pact to restrict chip exports to China took effect.",
        {("US-Japan pact", "issuedBy", "Japan"), ("US-Japan pact", "issuedBy", "United States"),
         ("US-Japan pact", "targets", "China")})


def test_a_trade_deal_is_no_rule(nlp):
    ents = _entities(nlp, "A deal between Nvidia and Saudi Arabia to supply chips was signed. "
                          "The trade agreement between Japan and India lowers tariffs.")
    assert not [k for k, (cls, _) in ents.items() if cls == "Regulation"]


def test_a_code_of_practice_is_one_rule_however_named(nlp):
    text = ("The European Commission has published a Code of Practice for AI developers. "
            "Several firms said they would sign the EU's new AI code. Meta says the code is "
            "too vague. Developers share source code on GitHub.")
    ents = _entities(nlp, text)
    assert [k for k, (cls, _) in ents.items() if cls == "Regulation"] == ["Code of Practice"]
    check_facts(nlp, text, {("Code of Practice", "issuedBy", "European Commission"),
                            ("Code of Practice", "issuedBy", "European Union")})


def test_a_person_naming_an_era_stays_inside_the_rule(nlp):
    check_facts(
        nlp, "The talks follow a revision of Obama-era chip export rules by the US Commerce "
             "Department.",
        {("Obama-era chip export rules", "issuedBy", "Department of Commerce")})


def test_what_violates_a_rule_is_restricted_by_it(nlp):
    check_facts(
        nlp, "Officials warned that buying Nvidia H100 chips through shell firms violates U.S. "
             "export controls.",
        {("US export controls", "restricts", "H100")})


def test_a_firm_impacted_next_to_a_rule_is_restricted_by_it(nlp):
    check_facts(
        nlp, "Washington announced new export controls on HBM chips to China on Monday. "
             "Analysts expect that SK Hynix will be impacted the most.",
        {("US export controls", "restricts", "SK Hynix")})
    check_facts(
        nlp, "Washington announced new export controls on HBM chips to China on Monday. "
             "SK Hynix was hit by weak demand.",
        set(), {("US export controls", "restricts", "SK Hynix")})


def test_a_firm_withdrawing_to_comply_with_a_rule_is_restricted(nlp):
    check_facts(
        nlp, "Last year Apple withdrew its news app from Europe rather than comply with new EU "
             "rules on content moderation.",
        {("new EU rules on content moderation", "restricts", "Apple")})
    check_facts(
        nlp, "Apple praised the new EU rules on content moderation and said it would comply "
             "with them.",
        set(), {("new EU rules on content moderation", "restricts", "Apple")})


def test_guidance_a_government_body_issues_is_its_rule(nlp):
    check_facts(
        nlp, "The BIS also published new guidance to tighten export controls for AI chips.",
        {("new guidance", "issuedBy", "Bureau of Industry and Security")})
    text = ("The Cyberspace Administration of China summoned Nvidia in May and has since "
            "issued guidance urging Baidu and Tencent to avoid the H20.")
    label = "guidance urging Baidu and Tencent to avoid the H20"
    check_facts(nlp, text, {(label, "issuedBy", "Cyberspace Administration of China"),
                            (label, "targets", "Baidu"), (label, "targets", "Tencent"),
                            (label, "restricts", "H20")})
    ents = _entities(nlp, "Nvidia issued guidance for the next quarter.")
    assert not [k for k, (cls, _) in ents.items() if cls == "Regulation"]
