"""The desk's labels cover exactly the codes the rest of the service uses."""

from __future__ import annotations

from forms.choices import REFERRER_TYPES
from intake.review import vocabulary
from nlp import codes
from workers.rating.vocabulary import CATEGORY_CODES, RATINGS, RISK_INDICATOR_CODES


def test_every_category_and_risk_indicator_has_a_label():
    assert set(vocabulary.CATEGORY_LABELS) == set(codes.CATEGORY_CODES) == CATEGORY_CODES
    assert set(vocabulary.RISK_INDICATOR_LABELS) == set(codes.RISK_INDICATOR_CODES)
    assert set(vocabulary.RISK_INDICATOR_LABELS) == RISK_INDICATOR_CODES


def test_every_rating_has_a_label_a_tag_and_a_chart_colour():
    assert set(vocabulary.RATINGS_BY_URGENCY) == set(RATINGS)
    for rating in RATINGS:
        assert rating in vocabulary.RATING_LABELS
        assert rating in vocabulary.RATING_TAG_CLASSES
        assert rating in vocabulary.RATING_FILLS


def test_every_source_code_the_form_can_give_has_a_label():
    assert {r.source_code for r in REFERRER_TYPES} <= set(vocabulary.SOURCE_LABELS)
    assert {"9", "10"} <= set(vocabulary.SOURCE_LABELS)


def test_a_code_added_later_still_shows_something_readable():
    assert vocabulary.label(vocabulary.CATEGORY_LABELS, "new_thing") == "New thing"
    assert vocabulary.rating_label(None) == "Not rated yet"
