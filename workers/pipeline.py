"""`process_contact`: everything the hub's researcher would do first, done as a job.

The job takes only the contact id. It runs in one database transaction, so a worker killed part
way leaves nothing half-written, and it is idempotent: a contact already processed is left alone.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.orm import Session, defer

from intake.models import Contact, ContactEvent, ContactStatus, utcnow
from workers import relay
from workers.context import get_context
from workers.steps import STEPS, PipelineRun

log = logging.getLogger(__name__)

KIND = "process_contact"

# Encrypted columns the steps never read (the conversation so far, the raw inbound text, the
# officer's notes) or only write: left unloaded, they are not fetched and decrypted for nothing.
_NOT_READ = (
    Contact.flow_state,
    Contact.raw_text,
    Contact.consent_reason_detail,
    Contact.other_agencies,
    Contact.rating_change_reason,
    Contact.outcome_note,
    Contact.extraction,
    Contact.rating_reasons,
)
_READ = (
    select(Contact)
    .where(Contact.id == bindparam("contact_id"))
    .options(*(defer(column) for column in _NOT_READ))
)
# Claim the contact: a duplicate job for it waits here, then sees it is done.
_CLAIM = _READ.with_for_update()


def process_contact(contact_id: int) -> str:
    context = get_context()
    with context.db.transaction() as session:
        return run_pipeline(session, contact_id)


def run_pipeline(session: Session, contact_id: int) -> str:
    query = _CLAIM if session.get_bind().dialect.name == "postgresql" else _READ
    contact = session.scalar(query, {"contact_id": contact_id})
    if contact is None:
        log.warning("process_contact: contact %s does not exist", contact_id)
        return "missing"
    if contact.status not in (ContactStatus.SUBMITTED, ContactStatus.PROCESSING):
        relay.mark_completed(session, KIND, contact_id)
        return "already processed"
    contact.status = ContactStatus.PROCESSING
    events = [_event(contact, "processing_started")]
    run = PipelineRun(session, contact, get_context().settings)
    # Nothing the steps read depends on what they have written (they hand results on through
    # `run`), so their queries need not flush: everything is written once, at the commit, with
    # one UPDATE of the contact, not one after each step.
    with session.no_autoflush:
        for step in STEPS:
            step.run(run)
            events.append(_event(contact, step.name))  # stamped now, written at the end
    contact.status = ContactStatus.AWAITING_REVIEW
    contact.processed_at = utcnow()
    events.append(_event(contact, "processed"))
    # The timeline rows in one INSERT, as `intake.service.event` would write them one by one.
    session.execute(insert(cast(Table, ContactEvent.__table__)), events)
    relay.mark_completed(session, KIND, contact_id)
    log.info("contact %s processed", contact_id)
    return "processed"


def _event(contact: Contact, step: str) -> dict[str, Any]:
    return {"contact_id": contact.id, "step": step, "at": utcnow(), "detail": {}}
