"""Retention: what the hub no longer needs about a child is reduced, and the reduction recorded.

After `retention_days` (Brent keeps MASH records six months) a decided or closed contact keeps
only what the monthly data return needs — reference, dates, source code, categories, ratings,
outcome, timeliness — and loses every name, address, free text, answer, transcript, attachment
and message body. Drafts nobody finished are deleted after `draft_retention_days`. Each run
writes one audit event with the counts, so "did we delete it?" always has an answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from intake.models import (
    Answer,
    Attachment,
    AuditEvent,
    Contact,
    ContactEvent,
    ContactPerson,
    ContactStatus,
    Conversation,
    InboundMessage,
    OutboundMessage,
    utcnow,
)

log = logging.getLogger(__name__)

REDUCED = "retention_reduced"
# The shortest retention a hub may set: a month of decided contacts stays whatever the setting.
MINIMUM_RETENTION_DAYS = 30


@dataclass(frozen=True)
class RetentionResult:
    reduced: int
    drafts_deleted: int


def apply_retention(
    session: Session,
    *,
    retention_days: int,
    draft_retention_days: int,
    now: datetime | None = None,
    batch: int = 500,
) -> RetentionResult:
    if retention_days < MINIMUM_RETENTION_DAYS or draft_retention_days < 1:
        raise ValueError(
            f"retention of {retention_days} days (drafts {draft_retention_days}) is too short: "
            f"contacts are kept at least {MINIMUM_RETENTION_DAYS} days and drafts at least 1, "
            "so a mistyped setting cannot wipe this month's work"
        )
    now = now or utcnow()
    # In batches, until none is left: a run after a long pause may have thousands to do.
    reduced = drafts = 0
    while done := _reduce_decided(session, now - timedelta(days=retention_days), batch):
        reduced += done
    while done := _delete_stale_drafts(session, now - timedelta(days=draft_retention_days), batch):
        drafts += done
    session.add(
        AuditEvent(
            at=now,
            actor="system",
            action="retention.applied",
            detail={
                "reduced": reduced,
                "drafts_deleted": drafts,
                "retention_days": retention_days,
                "draft_retention_days": draft_retention_days,
            },
        )
    )
    log.info("retention: %d contacts reduced, %d drafts deleted", reduced, drafts)
    return RetentionResult(reduced, drafts)


def _reduce_decided(session: Session, cutoff: datetime, batch: int) -> int:
    already = select(ContactEvent.contact_id).where(ContactEvent.step == REDUCED)
    ids = list(
        session.scalars(
            select(Contact.id)
            .where(
                Contact.status.in_([ContactStatus.DECIDED, ContactStatus.CLOSED]),
                Contact.decided_at < cutoff,
                Contact.id.not_in(already),
            )
            .limit(batch)
        )
    )
    if not ids:
        return 0
    _remove_files(session, ids)
    for model in (Answer, ContactPerson, Conversation, Attachment):
        session.execute(delete(model).where(model.contact_id.in_(ids)))
    session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.contact_id.in_(ids))
        .values(recipient="", subject=None, body="")
    )
    session.execute(
        update(InboundMessage).where(InboundMessage.contact_id.in_(ids)).values(response=None)
    )
    session.execute(
        update(Contact)
        .where(Contact.id.in_(ids))
        .values(
            status=ContactStatus.CLOSED,
            referrer_name=None,
            referrer_role=None,
            referrer_phone=None,
            referrer_email=None,
            concern_description=None,
            concern_when=None,
            concern_fears=None,
            child_said=None,
            consent_reason_detail=None,
            other_agencies=None,
            outcome_note=None,
            raw_text=None,
            origin_address=None,
            flow_state={},
            extraction=None,
            history=None,
            rating_reasons=[],
        )
    )
    session.add_all(ContactEvent(contact_id=i, step=REDUCED, detail={}) for i in ids)
    session.flush()  # the next batch's query must see these as reduced
    return len(ids)


def _delete_stale_drafts(session: Session, cutoff: datetime, batch: int) -> int:
    ids = list(
        session.scalars(
            select(Contact.id)
            .where(Contact.status == ContactStatus.DRAFT, Contact.updated_at < cutoff)
            .limit(batch)
        )
    )
    if not ids:
        return 0
    _remove_files(session, ids)
    session.execute(
        update(InboundMessage)
        .where(InboundMessage.contact_id.in_(ids))
        .values(contact_id=None, response=None)
    )
    for model in (Answer, ContactPerson, Conversation, Attachment, ContactEvent, OutboundMessage):
        session.execute(delete(model).where(model.contact_id.in_(ids)))
    session.execute(delete(Contact).where(Contact.id.in_(ids)))
    return len(ids)


def _remove_files(session: Session, contact_ids: list[int]) -> None:
    for path in session.scalars(
        select(Attachment.storage_path).where(Attachment.contact_id.in_(contact_ids))
    ):
        Path(path).unlink(missing_ok=True)
