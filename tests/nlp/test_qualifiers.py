"""The ConText qualifiers: negated, possible, historical, other_experiencer."""

from nlp import extract


def test_no_evidence_of_negates(mention):
    assert mention("There is no evidence of bruising.", "physical_abuse").negated


def test_no_concerns_about_negates_and_drops_the_category(mention):
    assert mention("No concerns about neglect.", "neglect").negated
    assert extract("No concerns about neglect.").categories == []


def test_an_adults_denial_is_not_a_negation(mention):
    found = mention("Dad denies hitting him.", "physical_abuse")
    assert not found.negated
    assert "physical_abuse" in extract("Dad denies hitting him.").categories


def test_no_longer_is_negated_and_historical(mention):
    found = mention("Mum no longer drinks.", "parental_substance_misuse")
    assert found.negated
    assert found.historical


def test_a_double_negative_does_not_negate(mention):
    found = mention("I can't say there are no concerns about neglect.", "neglect")
    assert not found.negated


def test_each_item_of_a_negated_list_is_negated():
    result = extract("There was no bruising and no marks on his body.")
    assert result.mentions
    assert all(m.negated for m in result.mentions if m.code == "physical_abuse")


def test_a_negation_does_not_reach_past_but(mention):
    found = mention("No concerns about school but he has bruises on his arm.", "physical_abuse")
    assert not found.negated


def test_a_negation_does_not_reach_into_the_next_sentence(mention):
    found = mention("There is no food in the fridge. He has bruises.", "physical_abuse")
    assert not found.negated


def test_a_concern_that_contains_a_negation_is_not_negated(mention):
    assert not mention("The children have had no food for two days.", "neglect").negated


def test_a_contrasted_person_is_not_a_negation(mention):
    found = mention("Her brother, not her, self-harms.", "child_mental_health")
    assert not found.negated
    assert found.other_experiencer


def test_may_marks_a_mention_possible(mention):
    found = mention("I'm worried she may be being groomed.", "child_sexual_exploitation")
    assert found.possible
    assert not found.negated


def test_a_possible_concern_is_still_a_category():
    assert "child_sexual_exploitation" in extract("She might be being groomed.").categories


def test_a_year_in_the_past_marks_a_mention_historical(mention):
    found = mention("There was domestic abuse in 2019.", "domestic_abuse")
    assert found.historical
    assert not found.negated


def test_used_to_marks_a_mention_historical(mention):
    assert mention("Dad used to take heroin.", "parental_substance_misuse").historical


def test_a_historical_concern_is_still_a_category():
    assert "domestic_abuse" in extract("There was domestic violence years ago.").categories


def test_a_current_concern_is_not_historical(mention):
    assert not mention("Dad hit him yesterday.", "physical_abuse").historical


def test_a_siblings_self_harm_is_about_another_child(mention):
    found = mention("His sister has been self-harming.", "child_mental_health")
    assert found.other_experiencer


def test_a_parents_condition_is_relabelled_not_marked(mention):
    found = mention("Mum has been self-harming.", "parental_mental_health")
    assert not found.other_experiencer


def test_a_pronoun_after_a_reporting_verb_is_the_child(mention):
    found = mention("Mum says she is cutting herself.", "child_mental_health")
    assert not found.other_experiencer


def test_a_negation_inside_a_gap_still_negates(mention):
    assert mention("The baby had no bruising at all.", "injury_non_mobile_baby").negated
