"""`process_contact`: everything the hub's researcher would do first, done as a job.

The job takes only the contact id. It runs in one database transaction, so a worker killed part
way leaves nothing half-written, and it is idempotent: a contact already processed is left alone.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.models import Contact, ContactStatus, utcnow
from intake.service import event
from workers import relay
from workers.context import get_context
from workers.steps import STEPS

log = logging.getLogger(__name__)

KIND = "process_contact"


def process_contact(contact_id: int) -> str:
    context = get_context()
    with context.db.transaction() as session:
        return run_pipeline(session, contact_id)


def run_pipeline(session: Session, contact_id: int) -> str:
    query = select(Contact).where(Contact.id == contact_id)
    if session.get_bind().dialect.name == "postgresql":
        # Claim the contact: a duplicate job for it waits here, then sees it is done.
        query = query.with_for_update()
    contact = session.scalar(query)
    if contact is None:
        log.warning("process_contact: contact %s does not exist", contact_id)
        return "missing"
    if contact.status not in (ContactStatus.SUBMITTED, ContactStatus.PROCESSING):
        relay.mark_completed(session, KIND, contact_id)
        return "already processed"
    contact.status = ContactStatus.PROCESSING
    event(session, contact, "processing_started")
    for step in STEPS:
        step.run(session, contact)
        # Stamped now, written with the rest at the end: one INSERT for the steps, not one each.
        event(session, contact, step.name)
    contact.status = ContactStatus.AWAITING_REVIEW
    contact.processed_at = utcnow()
    event(session, contact, "processed")
    relay.mark_completed(session, KIND, contact_id)
    log.info("contact %s processed", contact_id)
    return "processed"
