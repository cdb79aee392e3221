"""Shared pieces for the feedback tests: referrers of each kind, Twilio settings, signing."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from intake.models import Contact, ContactPerson
from tests.builders import create_contact

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "test-twilio-auth-token"
FROM_NUMBER = "+447700900000"
BASE_URL = "http://frontdoor.test"  # tests/conftest.py's base_url
STATUS_URL = BASE_URL + "/channels/sms/status"

PROFESSIONAL = {
    "type": "school",
    "name": "Sam Patel",
    "role": "Designated Safeguarding Lead",
    "organisation": "Riverside Primary School",
    "phone": "07700 900123",
    "email": "sam.patel@riverside.example.org",
    "anonymous": False,
    "feedback_by": "email",
}
FAMILY = {
    "type": "family",
    "name": "Pat Jones",
    "phone": "07700 900456",
    "anonymous": False,
    "feedback_by": "sms",
}
PUBLIC = {
    "type": "public",
    "email": "a.neighbour@example.com",
    "anonymous": False,
    "feedback_by": "email",
}
SELF = {"type": "self", "phone": "07700 900789", "anonymous": False, "feedback_by": "sms"}
ANONYMOUS = {"type": "public", "anonymous": True}


def twilio_settings(api_base: str) -> dict[str, Any]:
    return {
        "twilio_account_sid": ACCOUNT_SID,
        "twilio_auth_token": AUTH_TOKEN,
        "twilio_from_number": FROM_NUMBER,
        "twilio_api_base": api_base,
    }


def submit(session: Session, referrer: dict[str, Any], **overrides: Any) -> Contact:
    """A contact submitted through the real flow, by this referrer."""
    return create_contact(session, referrer=dict(referrer), **overrides)


def sign(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


def contact_with_child_details(**fields: Any) -> Contact:
    """An unsaved contact whose child, family and concern details are all filled in."""
    defaults: dict[str, Any] = {
        "reference": "ABCD-EFGH",
        "channel": "web",
        "referrer_type": "school",
        "referrer_name": "Sam Patel",
        "referrer_phone": "+447700900123",
        "referrer_email": "sam.patel@riverside.example.org",
        "feedback_by": "email",
        "concern_description": "Jordan said his stepdad hit him with a belt",
        "outcome": "csc_assessment",
    }
    contact = Contact(**{**defaults, **fields})
    contact.people = [
        ContactPerson(
            kind="child",
            given_name="Jordan",
            family_name="Smithson",
            date_of_birth=date(2015, 4, 3),
            postcode="LS1 4AP",
            address="10 High Street, Leeds",
            school="Riverside Primary School",
        ),
        ContactPerson(
            kind="adult", given_name="Kelly", family_name="Smithson", relationship_to_child="mother"
        ),
    ]
    return contact


CHILD_DETAILS = (
    "Jordan",
    "Smithson",
    "Kelly",
    "2015",
    "03/04",
    "3 April",
    "LS1",
    "4AP",
    "High Street",
    "Riverside",
    "belt",
    "stepdad",
)
