"""The referral a browser is filling in: a draft contact whose id is kept in the Flask session.

The signed session cookie holds only ids. The answers live in the database with the contact,
so a referral survives a closed browser (through a resume link) and can be finished on another
channel. Once a draft is submitted the session lets go of it, and its pages no longer change it.
"""

from __future__ import annotations

import logging

from flask import session as cookie
from sqlalchemy import select
from sqlalchemy.orm import Session

from intake import service
from intake.models import Contact, ContactStatus

log = logging.getLogger(__name__)

CHANNEL = "web"
_DRAFT = "web_draft_id"
_SUBMITTED = "web_submitted_id"


def current(session: Session, *, for_update: bool = False) -> Contact | None:
    """This browser's draft, or None if it has none (or it has been submitted meanwhile)."""
    contact_id = cookie.get(_DRAFT)
    if not isinstance(contact_id, int):
        return None
    query = select(Contact).where(Contact.id == contact_id)
    if for_update and session.get_bind().dialect.name == "postgresql":
        # Two submits racing (a double click, two tabs) queue here; the second sees it is done.
        query = query.with_for_update()
    contact = session.scalar(query)
    if contact is None:
        forget()
        return None
    if contact.status != ContactStatus.DRAFT:
        # Submitted meanwhile (a second click, another tab): show its confirmation instead.
        remember_submitted(contact)
        return None
    return contact


def start(session: Session) -> Contact:
    contact = service.new_contact(session, CHANNEL)
    log.info("web draft %s started", contact.id)
    return contact


def remember(contact: Contact) -> None:
    cookie[_DRAFT] = contact.id


def forget() -> None:
    cookie.pop(_DRAFT, None)


def remember_submitted(contact: Contact) -> None:
    forget()
    cookie[_SUBMITTED] = contact.id


def submitted(session: Session) -> Contact | None:
    """The contact this browser submitted last, for its confirmation page."""
    contact_id = cookie.get(_SUBMITTED)
    if not isinstance(contact_id, int):
        return None
    contact = session.get(Contact, contact_id)
    if contact is None or contact.status == ContactStatus.DRAFT:
        return None
    return contact
