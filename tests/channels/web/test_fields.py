from datetime import date, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from channels.web import fields
from forms.flow import Step
from forms.questions import question_for_key
from tests.channels.web.referrer import PROFESSIONAL, as_form

DUE = date.today() + timedelta(days=90)
EXTRA = {
    "child.0.age": "7",
    "child.0.expected_date": {
        "answer-day": str(DUE.day),
        "answer-month": str(DUE.month),
        "answer-year": str(DUE.year),
    },
}


def as_multidict(form):
    return MultiDict(
        [
            (k, v)
            for k, values in form.items()
            for v in (values if isinstance(values, list) else [values])
        ]
    )


def step(key):
    question, index = question_for_key(key)
    return Step(key, question, index)


@pytest.mark.parametrize("key", [*PROFESSIONAL, *EXTRA])
def test_a_stored_answer_fills_the_fields_so_that_sending_them_again_keeps_it(key):
    question = step(key).question
    context = {"referrer_email": "sam@example.org"}  # feedback by email needs an address
    raw = {**PROFESSIONAL, **EXTRA}[key]
    value = question.parse(fields.read_reply(question, as_multidict(as_form(raw))), context)

    shown = fields.as_reply(question, value)
    again = fields.read_reply(question, as_multidict(_to_form(shown)))

    assert question.parse(again, context) == value


def _to_form(shown):
    if shown is None:
        return {}
    if isinstance(shown, dict):
        return {f"answer-{part}": v for part, v in shown.items()}
    return {"answer": shown}


@pytest.mark.parametrize(
    ("key", "macro", "target"),
    [
        ("immediate_danger", "radios", "answer"),
        ("home_concerns", "checkboxes", "answer"),
        ("child.0.date_of_birth", "date", "answer-day"),
        ("child.0.name", "name", "answer-given"),
        ("concern", "textarea", "answer"),
        ("child.0.postcode", "input", "answer"),
    ],
)
def test_each_kind_of_question_is_shown_with_its_gov_uk_component(key, macro, target):
    widget = fields.widget(step(key), None, "Something is wrong")
    assert widget.macro == macro
    assert widget.error_target == target


def test_only_the_referrers_own_details_are_offered_for_autocomplete():
    assert fields.widget(step("referrer_email"), None, None).params["autocomplete"] == "email"
    assert fields.widget(step("child.0.address"), None, None).params["autocomplete"] == "off"
    name_inputs = fields.widget(step("child.0.name"), None, None).params["inputs"]
    assert {i["autocomplete"] for i in name_inputs} == {"off"}


def test_none_of_these_and_i_do_not_know_stand_apart_from_the_concerns():
    items = fields.widget(step("home_concerns"), None, None).params["items"]
    assert [i.get("divider") or i["value"] for i in items] == [
        "domestic_abuse",
        "substance_misuse",
        "mental_health",
        "or",
        "none",
        "unknown",
    ]
    assert [i["value"] for i in items if i.get("behaviour") == "exclusive"] == ["none", "unknown"]


def test_the_long_answer_box_counts_to_the_questions_limit():
    params = fields.widget(step("concern"), None, None).params
    assert params["maxlength"] == 20000
