"""Loading a threshold document: the shipped defaults, a hub's own file, and clear refusals."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from workers.rating import (
    DEFAULT_TIMESCALES,
    ChildFacts,
    MatchedRecord,
    Mention,
    RatingInput,
    RulesError,
    WorkingCalendar,
    load_rules,
    parse_rules,
    rate,
)

RECEIVED = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def calendar():
    return WorkingCalendar.england_and_wales()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hub_rules.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def one_rule(**rule) -> dict:
    base = {"id": "r1", "description": "A rule for the test.", "when": {"immediate_danger": True}}
    base.update(rule)
    return {"version": "1", "rules": [base]}


# The shipped defaults ----------------------------------------------------------------------


def test_the_default_rules_load_when_no_path_is_given():
    for path in (None, ""):
        rules = load_rules(path)
        assert rules.version == "2025.1"
        assert rules.source.endswith("default_rules.yaml")
        assert len(rules.rules) >= 20


def test_every_default_rule_has_a_plain_english_sentence_for_officers():
    for rule in load_rules().rules:
        assert len(rule.description.split()) >= 8, rule.id
        assert rule.description[0].isupper(), rule.id
        assert rule.description.endswith("."), rule.id
        assert "_" not in rule.description, rule.id


def test_the_default_rules_file_is_plain_yaml_a_hub_can_copy(tmp_path):
    copy = tmp_path / "copy.yaml"
    copy.write_text(Path(load_rules().source).read_text())

    assert [r.id for r in load_rules(copy).rules] == [r.id for r in load_rules().rules]


def test_the_loader_never_reads_the_environment(monkeypatch):
    monkeypatch.setenv("FRONTDOOR_RATING_RULES", "/nowhere/rules.yaml")

    assert load_rules().version == "2025.1"


# A hub's own file --------------------------------------------------------------------------


def test_a_hubs_own_rules_file_is_used_and_its_version_reported(tmp_path, calendar):
    path = write(
        tmp_path,
        """
        version: merton-2025-03
        default:
          rating: amber
          description: Merton looks at everything it cannot place within six hours.
        rules:
          - id: any_homelessness
            description: Any housing concern is Amber in this hub.
            when:
              category_any: [homelessness]
            rating: amber
          - id: many_contacts
            description: Five contacts in a year raise the rating one level.
            when:
              repeat_contacts_at_least: 5
            raise_by: 1
        """,
    )
    rules = load_rules(path)
    housing = RatingInput(received_at=RECEIVED, categories=(Mention("homelessness"),))
    repeats = RatingInput(received_at=RECEIVED, repeat_contacts_12m=5)

    result = rate(housing, rules, DEFAULT_TIMESCALES, calendar)
    raised = rate(repeats, rules, DEFAULT_TIMESCALES, calendar)

    assert (result.rating, result.rules_version) == ("amber", "merton-2025-03")
    assert [r.rule_id for r in result.reasons] == ["any_homelessness"]
    assert raised.rating == "red"
    assert [r.rule_id for r in raised.reasons] == ["default", "many_contacts"]
    assert raised.reasons[1].evidence.repeat_contacts == 5


def test_a_hub_can_count_only_well_matched_records(calendar):
    rules = parse_rules(
        {
            "version": 1,
            "rules": [
                {
                    "id": "sure_cp",
                    "description": "A child protection plan on a sure match is Amber.",
                    "when": {"matched_flag_any": ["cp_plan"], "min_match_probability": 0.95},
                    "rating": "amber",
                }
            ],
            "default": {"rating": "green"},
        }
    )

    def rating_with(probability: float) -> str:
        record = MatchedRecord(record_id="R", probability=probability, cp_plan=True)
        inp = RatingInput(received_at=RECEIVED, children=(ChildFacts(matched_records=(record,)),))
        return rate(inp, rules, DEFAULT_TIMESCALES, calendar).rating

    assert rating_with(0.96) == "amber"
    assert rating_with(0.90) == "green"


def test_a_hub_can_ignore_possible_and_other_person_mentions(calendar):
    rules = parse_rules(
        one_rule(
            when={
                "category_any": ["neglect"],
                "qualifiers": ["not_possible", "not_other_experiencer"],
            },
            rating="amber",
        )
    )

    def rating_with(**flags: bool) -> str:
        inp = RatingInput(received_at=RECEIVED, categories=(Mention("neglect", **flags),))
        return rate(inp, rules, DEFAULT_TIMESCALES, calendar).rating

    assert rating_with() == "amber"
    assert rating_with(possible=True) == "green"
    assert rating_with(other_experiencer=True) == "green"


def test_bare_yes_and_no_in_consent_answers_are_read_as_the_answers(tmp_path):
    path = write(
        tmp_path,
        """
        version: 1
        rules:
          - id: no_consent
            description: No consent is Amber in this hub.
            when:
              consent_answer_any: [no, yes]
            rating: amber
        """,
    )
    rule = load_rules(path).rules[0]

    assert rule.fire(RatingInput(received_at=RECEIVED, consent_answer="no")) is not None
    assert rule.fire(RatingInput(received_at=RECEIVED, consent_answer="not_asked")) is None


def test_a_hub_can_add_codes_its_taxonomy_has_grown():
    document = one_rule(when={"category_any": ["no_recourse_to_public_funds"]}, rating="green")

    with pytest.raises(RulesError):
        parse_rules(document)
    rules = parse_rules(document, categories=frozenset({"no_recourse_to_public_funds"}))
    assert rules.rules[0].id == "r1"


# Refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "expected a mapping with `version` and `rules`"),
        ({"rules": one_rule()["rules"]}, "`version` is required"),
        ({"version": "1"}, "`rules` must be a list with at least one rule"),
        ({"version": "1", "rules": []}, "`rules` must be a list with at least one rule"),
        ({**one_rule(), "threshold": 3}, "unknown key 'threshold'"),
        ({**one_rule(), "default": {"rating": "pink"}}, "default: `rating` must be one of"),
        (one_rule(rating="crimson"), "rule 1 ('r1'): `rating` must be one of red, amber"),
        (one_rule(rating="Red"), "`rating` must be one of red, amber, green, blue, not 'Red'"),
        (one_rule(), "give either `rating` (red, amber, green, blue) or `raise_by`"),
        (one_rule(rating="red", raise_by=1), "give either `rating`"),
        (one_rule(raise_by=0), "`raise_by` must be 1, 2 or 3 levels"),
        (one_rule(raise_by=True), "`raise_by` must be 1, 2 or 3 levels"),
        (one_rule(raise_by=1, at_least="high"), "`at_least` must be one of"),
        (one_rule(rating="red", at_least="amber"), "`at_least` goes with `raise_by`"),
        (one_rule(rating="red", description=""), "`description` is required"),
        (one_rule(rating="red", id=""), "`id` is required"),
        (one_rule(rating="red", priority=1), "unknown key 'priority'"),
        (one_rule(rating="red", when={}), "`when` must be a mapping with at least one"),
        ({"version": "1", "rules": ["red"]}, "each rule must be a mapping"),
        (
            one_rule(rating="red", when={"category_anyy": ["fgm"]}),
            "unknown condition 'category_anyy'; did you mean 'category_any'?",
        ),
        (
            one_rule(rating="red", when={"category_any": ["sexual abuse"]}),
            "unknown category 'sexual abuse'; did you mean 'sexual_abuse'?",
        ),
        (
            one_rule(rating="red", when={"risk_indicator_any": ["knife"]}),
            "unknown risk indicator 'knife'",
        ),
        (one_rule(rating="red", when={"category_any": []}), "at least one code"),
        (
            one_rule(rating="red", when={"category_any": ["fgm"], "qualifiers": ["old"]}),
            "unknown qualifier 'old'",
        ),
        (
            one_rule(
                rating="red",
                when={"category_any": ["fgm"], "qualifiers": ["not_historical", "historical_only"]},
            ),
            "cannot have both not_historical and historical_only",
        ),
        (
            one_rule(rating="red", when={"qualifiers": ["not_historical"]}),
            "`qualifiers` only apply with category_any",
        ),
        (
            one_rule(rating="red", when={"min_match_probability": 0.9}),
            "`min_match_probability` only applies with matched_flag_any",
        ),
        (
            one_rule(
                rating="red", when={"matched_flag_any": ["cp_plan"], "min_match_probability": 2}
            ),
            "between 0 and 1",
        ),
        (
            one_rule(rating="red", when={"matched_flag_any": ["child_protection"]}),
            "unknown record flag 'child_protection'",
        ),
        (one_rule(rating="red", when={"child_under_months": 0}), "whole number above 0"),
        (one_rule(rating="red", when={"repeat_contacts_at_least": True}), "whole number above 0"),
        (one_rule(rating="red", when={"immediate_danger": "yes"}), "must be true or false"),
        (
            one_rule(rating="red", when={"consent_answer_any": ["maybe"]}),
            "unknown consent answer 'maybe'",
        ),
    ],
)
def test_a_broken_rules_document_is_refused_with_a_clear_message(document, message):
    with pytest.raises(RulesError) as refused:
        parse_rules(document, source="hub.yaml")

    assert str(refused.value).startswith("hub.yaml")
    assert message in str(refused.value)


def test_a_rule_id_used_twice_is_refused():
    rule = one_rule(rating="red")["rules"][0]

    with pytest.raises(RulesError, match="rule 2: the id 'r1' is used twice"):
        parse_rules({"version": "1", "rules": [rule, rule]})


def test_a_rules_file_that_is_not_yaml_is_refused_with_its_path(tmp_path):
    path = write(tmp_path, "version: 1\nrules: [\n")

    with pytest.raises(RulesError, match=rf"^{path}: not valid YAML"):
        load_rules(path)


def test_a_missing_rules_file_is_refused_with_its_path(tmp_path):
    path = tmp_path / "absent.yaml"

    with pytest.raises(RulesError, match=rf"^{path}: cannot read the rules file"):
        load_rules(path)


def test_a_refusal_names_the_rule_by_position_and_id(tmp_path):
    path = write(
        tmp_path,
        """
        version: 2
        rules:
          - id: fine
            description: A rule that loads.
            when: {immediate_danger: true}
            rating: red
          - id: babies
            description: A rule with a misspelt condition.
            when: {child_under_month: 6}
            rating: red
        """,
    )

    with pytest.raises(RulesError) as refused:
        load_rules(path)

    assert str(refused.value) == (
        f"{path}: rule 2 ('babies'): when: unknown condition 'child_under_month'; "
        "did you mean 'child_under_months'? (known: immediate_danger, risk_indicator_any, "
        "category_any, category_all, concerns_found, child_under_months, unborn_child, "
        "matched_flag_any, repeat_contacts_at_least, repeat_threshold_reached, "
        "consent_answer_any, consent_reason_any, information_request, concern_text, "
        "qualifiers, min_match_probability)"
    )
