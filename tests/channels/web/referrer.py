"""A referrer filling in the web form through the Flask test client, with answers by question key."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from intake.references import REFERENCE_PATTERN

FIRST = "/refer/q/immediate_danger"
CHECK = "/refer/check"

_TODAY = date.today()
DOB = {"answer-day": "3", "answer-month": "4", "answer-year": str(_TODAY.year - 9)}
SISTER_DOB = {"answer-day": "20", "answer-month": "11", "answer-year": str(_TODAY.year - 4)}


def name(given: str, family: str) -> dict[str, str]:
    return {"answer-given": given, "answer-family": family}


# A designated safeguarding lead referring one child, as the questions are asked.
PROFESSIONAL: dict[str, Any] = {
    "immediate_danger": "no",
    "referrer_type": "school",
    "referrer_name": "Sam Patel",
    "referrer_role": "Designated Safeguarding Lead",
    "referrer_organisation": "Riverside Primary School",
    "referrer_phone": "07700 900123",
    "referrer_email": "sam.patel@riverside.example.org",
    "feedback_by": "email",
    "child.0.name": name("Jordan", "Smith"),
    "child.0.age_known": "date_of_birth",
    "child.0.date_of_birth": DOB,
    "child.0.gender": "male",
    "child.0.address": "10 High Street, Leeds",
    "child.0.postcode": "ls1 4ap",
    "child.0.school": "Riverside Primary School",
    "child.0.language": "",
    "child.0.disability": "",
    "child.0.more": "no",
    "household_known": "yes",
    "household.0.name": name("Kelly", "Smith"),
    "household.0.relationship": "mother",
    "household.0.more": "no",
    "concern": "Jordan came in with a bruise on his cheek.\nHe said mum's boyfriend hit him.",
    "concern_when": "yesterday",
    "how_known": "told_by_child",
    "fears": "",
    "child_said": "He hit me with his belt",
    "home_concerns": ["domestic_abuse", "substance_misuse"],
    "consent": "not_asked",
    "consent_reason": "risk_of_harm",
    "consent_reason_detail": "Telling mum would warn her boyfriend.",
    "other_agencies": "none",
}

SECOND_CHILD: dict[str, Any] = {
    "child.0.more": "yes",
    "child.1.name": name("Amy", "Smith"),
    "child.1.age_known": "date_of_birth",
    "child.1.date_of_birth": SISTER_DOB,
    "child.1.gender": "female",
    "child.1.address": "10 High Street, Leeds",
    "child.1.postcode": "LS1 4AP",
    "child.1.school": "Little Acorns Nursery",
    "child.1.language": "",
    "child.1.disability": "",
    "child.1.more": "no",
}


def referral(**changes: Any) -> dict[str, Any]:
    """The professional's answers with some changed; a value of None removes that answer."""
    answers = {**PROFESSIONAL, **changes}
    return {key: value for key, value in answers.items() if value is not None}


def as_form(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {"answer": value}


def key_of(location: str) -> str:
    return location.removeprefix("/refer/q/").split("?")[0]


def error_of(response: TestResponse) -> str:
    found = re.search(
        r'class="govuk-error-message">\s*<span[^>]*>Error:</span>\s*([^<]+)', response.text
    )
    return found.group(1).strip() if found else f"no error shown (status {response.status_code})"


def fill(client: FlaskClient, answers: dict[str, Any], location: str = FIRST) -> list[str]:
    """Answer each question the form asks until it shows the answers to check.

    Returns the keys in the order they were asked, so tests can see what was and was not asked.
    """
    asked: list[str] = []
    while location.startswith("/refer/q/"):
        key = key_of(location)
        assert key in answers, f"the form asked {key!r}, which this test has no answer for"
        response = client.post(location, data=as_form(answers[key]))
        assert response.status_code == 302, f"{key}: {error_of(response)}"
        asked.append(key)
        location = response.location
        if location.startswith("/refer/danger"):
            page = client.get(location)
            location = re.search(r'href="(/refer/[^"]+)" role="button"', page.text).group(1)
    assert location.startswith(CHECK), location
    return asked


def submit(client: FlaskClient) -> str:
    """Send the checked answers and return the reference shown on the confirmation page."""
    response = client.post(CHECK)
    assert response.status_code == 302 and response.location == "/refer/confirmation"
    page = client.get("/refer/confirmation")
    found = REFERENCE_PATTERN.search(page.text)
    assert found, "no reference on the confirmation page"
    return found.group()


def field(page: str, field_id: str) -> dict[str, str]:
    """The attributes of the input or textarea with this id."""
    tag = re.search(rf'<(?:input|textarea)\b[^>]*\bid="{re.escape(field_id)}"[^>]*>', page)
    assert tag, f"no field with id {field_id!r}"
    return dict(re.findall(r'([\w-]+)="([^"]*)"', tag.group()))
