import html
import re
from datetime import date

import pytest

from channels.web.views import MAX_FORM_BYTES
from tests.channels.web.referrer import PROFESSIONAL, field, fill, referral

TODAY = date.today()


def reach(client, key, answers=PROFESSIONAL):
    """Answer everything before `key`, leaving the form on that question."""
    before = {}
    for k, v in answers.items():
        if k == key:
            break
        before[k] = v
    with pytest.raises(AssertionError, match=f"asked '{re.escape(key)}'"):
        fill(client, before)
    return f"/refer/q/{key}"


def dob(day, month, year):
    return {"answer-day": str(day), "answer-month": str(month), "answer-year": str(year)}


BAD_ANSWERS = [
    pytest.param(
        "child.0.date_of_birth",
        dob(1, 1, TODAY.year + 1),
        "The date of birth must be in the past",
        "answer-day",
        id="date of birth in the future",
    ),
    pytest.param(
        "child.0.date_of_birth",
        dob(1, 1, TODAY.year - 19),
        "The child must be under 18",
        "answer-day",
        id="date of birth of an adult",
    ),
    pytest.param(
        "child.0.date_of_birth",
        {"answer-day": "3", "answer-month": "", "answer-year": "2019"},
        "The date must include a month",
        "answer-day",
        id="date without a month",
    ),
    pytest.param(
        "child.0.date_of_birth",
        dob(31, 2, 2019),
        "The date must be a real date",
        "answer-day",
        id="a date that does not exist",
    ),
    pytest.param(
        "child.0.date_of_birth",
        dob("", "", ""),
        "Enter the child's date of birth",
        "answer-day",
        id="no date",
    ),
    pytest.param(
        "child.0.postcode",
        "LS1 4A",
        "Enter a real postcode",
        "answer",
        id="bad postcode",
    ),
    pytest.param(
        "referrer_phone",
        "01234",
        "Enter a real phone number",
        "answer",
        id="bad phone number",
    ),
    pytest.param(
        "referrer_email",
        "sam at school",
        "Enter an email address in the correct format",
        "answer",
        id="bad email",
    ),
    pytest.param(
        "referrer_name",
        "",
        "Enter your name",
        "answer",
        id="a professional without a name",
    ),
    pytest.param(
        "referrer_email",
        "",
        "Enter an email address so we can reach you",
        "answer",
        id="a professional without an email",
    ),
    pytest.param("referrer_type", "", "Select an answer", "answer", id="no choice made"),
    pytest.param("child.0.more", "", "Select yes or no", "answer", id="yes or no not chosen"),
    pytest.param(
        "home_concerns",
        [],
        "Select at least one option",
        "answer",
        id="no checkbox ticked",
    ),
    pytest.param(
        "home_concerns",
        ["none", "domestic_abuse"],
        "Choose 'None of these'",
        "answer",
        id="none of these with a concern",
    ),
    pytest.param(
        "concern",
        "x" * 20001,
        "Your answer must be 20,000 characters or fewer",
        "answer",
        id="concern too long",
    ),
    pytest.param("concern", "   ", "Tell us what has happened", "answer", id="blank concern"),
]


@pytest.mark.parametrize(("key", "reply", "message", "field_id"), BAD_ANSWERS)
def test_a_bad_answer_is_shown_again_with_a_linked_error_summary_and_a_message_by_the_field(
    client, key, reply, message, field_id
):
    location = reach(client, key)

    response = client.post(location, data=reply if isinstance(reply, dict) else {"answer": reply})

    assert response.status_code == 200
    page = html.unescape(response.text)
    assert re.search(r"<title>Error: [^<]+ – Tell us you are worried about a child", page)
    summary = re.search(
        r'<a href="#([\w-]+)">([^<]+)</a>', page[page.index("govuk-error-summary") :]
    )
    assert summary.group(1) == field_id and message in summary.group(2)
    assert re.search(f'id="{field_id}"', page), "the summary links to a field that is not there"
    assert "govuk-form-group--error" in page
    assert re.search(
        r'class="govuk-error-message">\s*<span class="govuk-visually-hidden">Error:</span> '
        + re.escape(message),
        page,
    )


def test_what_was_typed_is_kept_when_an_answer_is_refused(client):
    location = reach(client, "child.0.postcode")
    page = client.post(location, data={"answer": "NOT A POSTCODE"}).text
    assert field(page, "answer")["value"] == "NOT A POSTCODE"

    location = reach(client, "child.0.date_of_birth", referral())
    page = client.post(location, data=dob(1, 1, TODAY.year + 1)).text
    assert field(page, "answer-year")["value"] == str(TODAY.year + 1)


def test_the_error_clears_once_the_answer_is_fixed(client):
    location = reach(client, "child.0.date_of_birth")
    assert client.post(location, data=dob(1, 1, TODAY.year + 1)).status_code == 200

    fixed = client.post(location, data=dob(1, 1, TODAY.year - 5))

    assert fixed.location == "/refer/q/child.0.gender"


GARBAGE = [
    {"answer": "x" * 200_000},
    {"answer": "\x00\x01\x02\u202e\ufeff"},
    {"answer": ["yes", "no", "maybe"]},
    {"answer-day": "9" * 5000, "answer-month": "99999999999999999999", "answer-year": "-1"},
    {"answer-day": "1", "answer-month": "1", "answer-year": "99999999999999999999"},
    {"answer-given": "y" * 5000, "answer-family": "\x00"},
    {"unexpected": "field", "csrf_token": "nonsense"},
    {},
]


def test_garbage_posted_to_any_question_gets_a_page_never_a_server_error(client):
    fill(client, referral(consent="no", consent_reason="other"))
    page = client.get("/refer/check").text
    keys = re.findall(r'href="/refer/q/([\w.]+)\?change=1"', page)
    assert len(keys) > 30
    for key in keys:
        for body in GARBAGE:
            response = client.post(f"/refer/q/{key}", data=body)
            assert response.status_code in (200, 302), (key, body, response.status_code)
            if response.status_code == 200:
                assert "govuk-error-summary" in response.text, (key, body)


def test_a_body_larger_than_any_answer_could_need_gets_a_kind_page_not_a_server_error(client):
    response = client.post("/refer/q/immediate_danger", data={"answer": "x" * (MAX_FORM_BYTES + 1)})
    assert response.status_code == 413
    assert "What you sent was too large" in response.text


def test_the_longest_allowed_answer_in_any_alphabet_fits_within_the_body_limit(client):
    location = reach(client, "concern")
    response = client.post(location, data={"answer": "😀" * 20_000})
    assert response.location == "/refer/q/concern_when"


@pytest.mark.parametrize(
    "path",
    ["/refer/q/nonsense", "/refer/q/child.99.name", "/refer/q/child.x.name", "/refer/q/..%2F"],
)
def test_unknown_question_addresses_are_not_found(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.text and "call 999" in response.text


def test_a_question_that_does_not_apply_sends_the_person_to_where_they_are(client):
    fill(client, PROFESSIONAL)
    response = client.get("/refer/q/child.0.expected_date")
    assert response.location == "/refer/continue"
    assert client.get(response.location).location == "/refer/check"
