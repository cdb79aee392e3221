"""Builders for test data: a complete referral, as the API takes it and as flow answers."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy.orm import Session

from forms.api_payload import read_payload
from intake import service
from intake.models import Contact

REFERRAL: dict[str, Any] = {
    "immediate_danger": False,
    "referrer": {
        "source": "2A",
        "name": "Sam Patel",
        "role": "Designated Safeguarding Lead",
        "organisation": "Riverside Primary School",
        "phone": "07700 900123",
        "email": "sam.patel@riverside.example.org",
        "anonymous": False,
        "feedback_by": "email",
    },
    "children": [
        {
            "given_name": "Jordan",
            "family_name": "Smith",
            "date_of_birth": "2015-04-03",
            "gender": "male",
            "address": "10 High Street, Leeds",
            "postcode": "LS1 4AP",
            "school": "Riverside Primary School",
        }
    ],
    "household": [{"given_name": "Kelly", "family_name": "Smith", "relationship": "mother"}],
    "concern": {
        "description": "Jordan came in with a bruise on his cheek and said mum's boyfriend hit him.",
        "when": "yesterday",
        "how_known": "told_by_child",
    },
    "consent": {"answer": "not_asked", "reason": "Asking would put Jordan at risk"},
    "other_agencies": "none",
}


def referral_payload(**overrides: Any) -> dict[str, Any]:
    payload = copy.deepcopy(REFERRAL)
    for key, value in overrides.items():
        payload[key] = value
    return payload


def create_contact(session: Session, channel: str = "api", **overrides: Any) -> Contact:
    """A submitted contact, built through the real flow and service."""
    result = read_payload(referral_payload(**overrides))
    assert not result.errors, result.errors
    contact = service.new_contact(session, channel)
    service.submit(session, contact, result.state)
    session.commit()
    return contact
