"""Save and come back later: a signed, time-limited link that opens a draft again.

The token names the contact by id and reference, signed with the app's secret key, so it cannot
be forged or pointed at someone else's draft. A draft's reference is never reused, so a token
also stops working if the database it was made for is replaced. Once the referral is submitted
the link has done its job and opens nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from intake.models import Contact, ContactStatus

SALT = "frontdoor.web.resume"


class Problem(enum.StrEnum):
    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"


@dataclass(frozen=True)
class Opened:
    contact: Contact | None
    problem: Problem | None = None


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def make_token(secret_key: str, contact: Contact) -> str:
    return _serializer(secret_key).dumps({"id": contact.id, "ref": contact.reference})


def open_token(session: Session, secret_key: str, token: str, max_age: timedelta) -> Opened:
    try:
        data = _serializer(secret_key).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired:
        return Opened(None, Problem.EXPIRED)
    except BadSignature:
        return Opened(None, Problem.INVALID)
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        return Opened(None, Problem.INVALID)
    contact = session.get(Contact, data["id"])
    if contact is None or contact.reference != data.get("ref"):
        return Opened(None, Problem.INVALID)
    if contact.status != ContactStatus.DRAFT:
        return Opened(None, Problem.USED)
    return Opened(contact)
