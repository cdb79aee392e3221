"""Builders for the officer desk's tests: staff personas, contacts as the worker leaves them,
candidate matches, messages, and signing in through the real pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pyotp
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intake.models import Contact, MessageStatus, OutboundMessage, User, utcnow
from intake.models.records import PersonMatch, PersonRecord
from intake.review import accounts
from tests.builders import create_contact

PASSWORD = "correct horse battery staple"

CONCERN = "Jordan came in with a bruise on his cheek and said mum's boyfriend hit him."


@dataclass(frozen=True)
class Persona:
    name: str
    role: str
    restricted: bool

    @property
    def email(self) -> str:
        return f"{self.name.replace('_', '.')}@mash.example.gov.uk"


PERSONAS = {
    p.name: p
    for p in (
        Persona("officer", "officer", restricted=True),
        Persona("officer_unrestricted", "officer", restricted=False),
        Persona("manager", "manager", restricted=True),
        Persona("admin", "admin", restricted=False),
    )
}


def make_user(session: Session, persona: Persona) -> User:
    user = accounts.ensure_user(
        session,
        persona.email,
        persona.role,
        PASSWORD,
        name=persona.name.replace("_", " ").title(),
        totp_secret=pyotp.random_base32(),
        can_see_restricted=persona.restricted,
    )
    session.commit()
    return user


def code_for(user: User, offset_steps: int = 0) -> str:
    totp = pyotp.TOTP(user.totp_secret or "")
    return totp.at(utcnow() + timedelta(seconds=30 * offset_steps))


def sign_in(client: FlaskClient, user: User, password: str = PASSWORD) -> None:
    """Sign in through the real pages: password, then the code from the authenticator app."""
    response = client.post("/officer/sign-in", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith("/officer/sign-in/code")
    response = client.post("/officer/sign-in/code", data={"code": code_for(user)})
    assert response.status_code == 302, response.get_data(as_text=True)


def reviewable_contact(session: Session, **fields: Any) -> Contact:
    """A contact as the worker leaves it: extracted, matched, rated, awaiting review."""
    payload_overrides = fields.pop("payload", {})
    contact = create_contact(session, **payload_overrides)
    now = utcnow()
    start = CONCERN.index("bruise")
    values: dict[str, Any] = {
        "status": "awaiting_review",
        "provisional_rating": "amber",
        "deadline": now + timedelta(hours=6),
        "categories": ["physical_abuse"],
        "risk_indicators": [],
        "extraction": {
            "mentions": [
                {
                    "code": "physical_abuse",
                    "start": start,
                    "end": start + len("bruise"),
                    "text": "bruise",
                    "negated": False,
                    "possible": False,
                    "historical": False,
                    "other_experiencer": False,
                },
                {
                    "code": "physical_abuse",
                    "start": CONCERN.index("hit him"),
                    "end": CONCERN.index("hit him") + len("hit him"),
                    "text": "hit him",
                    "negated": False,
                    "possible": True,
                    "historical": False,
                    "other_experiencer": False,
                },
            ]
        },
        "rating_reasons": [
            {
                "rule_id": "physical_injury",
                "description": "A child has an injury someone caused",
                "proposes": "amber",
                "raise_by": 0,
                "at_least": None,
                "evidence": {"mentions": [{"text": "bruise"}], "records": [], "facts": []},
            }
        ],
        "history": {"earlier_contacts": [], "family": []},
        "processed_at": now,
        "rated_at": now,
    }
    values.update(fields)
    for name, value in values.items():
        setattr(contact, name, value)
    session.commit()
    return contact


def person_match(
    session: Session,
    contact: Contact,
    *,
    restricted: bool = False,
    record_id: str = "SC-1001",
    probability: float = 0.97,
) -> PersonMatch:
    child = contact.children[0]
    record = PersonRecord(
        source="social_care",
        record_id=record_id,
        given_name="Jordan",
        family_name="Smyth",
        date_of_birth=child.date_of_birth,
        postcode="LS1 4AP",
        flags=["cin"],
        restricted=restricted,
        row_hash="x" * 32,
    )
    session.add(record)
    session.flush()
    match = PersonMatch(
        contact_person_id=child.id,
        person_record_id=record.id,
        probability=probability,
        band="match" if probability >= 0.95 else "possible",
        agreements=[
            {"field": "given_name", "level": "exact", "weight": 4.1, "note": None},
            {"field": "family_name", "level": "disagree", "weight": -2.3, "note": "Smith / Smyth"},
            {"field": "date_of_birth", "level": "exact", "weight": 6.0, "note": None},
        ],
        status="proposed",
    )
    session.add(match)
    session.commit()
    return match


def outbound_message(
    session: Session, contact: Contact, status: str = MessageStatus.FAILED, **fields: Any
) -> OutboundMessage:
    taken = session.scalar(
        select(func.max(OutboundMessage.attempt_group)).where(
            OutboundMessage.contact_id == contact.id
        )
    )
    message = OutboundMessage(
        contact_id=contact.id,
        attempt_group=0 if taken is None else taken + 1,
        purpose="acknowledgement",
        transport="email",
        recipient="sam.patel@riverside.example.org",
        subject="Your referral",
        body=f"We have your referral {contact.reference}.",
        status=status,
        last_error="550 mailbox unavailable" if status == MessageStatus.FAILED else None,
        **fields,
    )
    session.add(message)
    session.commit()
    return message


def hidden_value(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden {name} in the page"
    return found.group(1)
