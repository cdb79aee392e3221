"""Everything the contact page shows, gathered from the contact and its neighbours.

Plain functions over the database session and the signed-in user; `contact.py` renders them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.questions import question_for_key
from forms.summary import Section, display_value, summarise
from intake.models import Answer, Attachment, Contact, ContactEvent, OutboundMessage, User
from intake.models.records import PersonRecord
from intake.review import history_view, matches, mentions
from intake.review.permissions import Permission, has_permission
from intake.review.timeliness import TimeLeft, deadline_rating, time_left
from intake.review.vocabulary import RESTRICTED_REASON, rests_only_on_restricted
from intake.service import load_state
from workers.feedback import messages as feedback_messages


@dataclass(frozen=True)
class AnswerRow:
    question: str
    channel: str
    raw: str | None
    value: str
    source: str
    at: datetime


@dataclass(frozen=True)
class ReasonView:
    rule_id: str
    description: str
    proposes: str | None
    raise_by: int
    at_least: str | None
    mentions: list[str]
    records: list[str]
    facts: list[str]
    repeat_contacts: int | None


@dataclass
class ContactPage:
    contact: Contact
    time_left: TimeLeft
    sections: list[Section]
    answers: list[AnswerRow]
    pieces: list[mentions.Piece]
    mentions: list[mentions.Mention]
    people_matches: list[matches.PersonMatches]
    history: list[history_view.HistorySection]
    history_facts: list[tuple[str, str]]
    reasons: list[ReasonView]
    messages: list[OutboundMessage]
    attachments: list[Attachment]
    events: list[ContactEvent]
    colleagues: list[User]
    names: dict[int, str]
    errors: dict[str, str] = field(default_factory=dict)
    form: Mapping[str, str] = field(default_factory=dict)

    def can_resend(self, message: OutboundMessage) -> bool:
        return feedback_messages.can_resend(message)

    def message_status(self, message: OutboundMessage) -> str:
        return feedback_messages.STATUS_LABELS.get(message.status, message.status)

    @staticmethod
    def file_size(size: int) -> str:
        """A file's size as people read it: 940 bytes, 12 KB, 2.4 MB."""
        if size < 1000:
            return f"{size} bytes"
        if size < 1_000_000:
            return f"{round(size / 1000)} KB"
        return f"{size / 1_000_000:.1f} MB"


def build(
    session: Session,
    contact: Contact,
    user: User,
    now: datetime,
    errors: dict[str, str] | None = None,
    form: Mapping[str, str] | None = None,
) -> ContactPage:
    found = mentions.read_mentions(contact.extraction)
    record_names = _record_names(session, contact.rating_reasons)
    colleagues = [
        u
        for u in session.scalars(select(User).where(User.active.is_(True)).order_by(User.name))
        if has_permission(u, Permission.WORK_CONTACTS)
        and (u.can_see_restricted or not contact.restricted)
    ]
    names = {u.id: u.name or u.email for u in colleagues}
    for user_id in (contact.decided_by_id, contact.assigned_to_id):
        if user_id is not None and user_id not in names:
            other = session.get(User, user_id)
            names[user_id] = (other.name or other.email) if other else "a former colleague"
    return ContactPage(
        contact=contact,
        time_left=time_left(
            deadline_rating(contact.provisional_rating, contact.final_rating),
            contact.deadline,
            now,
        ),
        sections=_sections(contact),
        answers=[_answer_row(a) for a in contact.answers],
        pieces=mentions.highlight(contact.concern_description or "", found),
        mentions=found,
        people_matches=matches.for_contact(session, contact.people, user),
        history=history_view.sections(
            contact.history,
            user,
            _restricted_now(session, history_view.references(contact.history)),
        ),
        history_facts=history_view.facts(contact.history),
        reasons=[
            _reason(r, user, record_names) for r in contact.rating_reasons if isinstance(r, Mapping)
        ],
        messages=list(
            session.scalars(
                select(OutboundMessage)
                .where(OutboundMessage.contact_id == contact.id)
                .order_by(OutboundMessage.created_at, OutboundMessage.id)
            )
        ),
        attachments=list(
            session.scalars(
                select(Attachment)
                .where(Attachment.contact_id == contact.id)
                .order_by(Attachment.id)
            )
        ),
        events=list(contact.events),
        colleagues=colleagues,
        names=names,
        errors=errors or {},
        form=form or {},
    )


def _restricted_now(session: Session, references: set[str]) -> set[str]:
    if not references:
        return set()
    return set(
        session.scalars(
            select(Contact.reference).where(
                Contact.reference.in_(references), Contact.restricted.is_(True)
            )
        )
    )


def _sections(contact: Contact) -> list[Section]:
    try:
        return summarise(load_state(contact))
    except (KeyError, TypeError, ValueError):
        # A draft saved by an older version of the flow: the answers table still shows it all.
        return []


def _answer_row(answer: Answer) -> AnswerRow:
    try:
        question, index = question_for_key(answer.question_key)
    except KeyError:
        label = answer.question_key.replace("_", " ").capitalize()
        value = answer.value or ""
    else:
        label = question.prompt
        if index is not None:
            label = f"{answer.question_key.split('.')[0].capitalize()} {index + 1}: {label}"
        value = _display(question, answer.value)
    return AnswerRow(
        question=label,
        channel=answer.channel,
        raw=answer.raw,
        value=value,
        source=answer.source,
        at=answer.created_at,
    )


def _display(question: Any, stored: str | None) -> str:
    if stored is None:
        return "Not given"
    try:
        return display_value(question, json.loads(stored))
    except (ValueError, TypeError, AttributeError):
        return stored


FLAG_WORDS = {
    "cp_plan": "child protection plan",
    "cin": "child in need",
    "lac": "looked after",
    "open_case": "open case",
}


def _record_names(session: Session, reasons: Any) -> dict[str, str]:
    """The source's own name for each record a reason cites ("social_care SC-1001"): the reason
    keeps the index's internal id, which means nothing to an officer."""
    ids = {
        int(record["record_id"])
        for reason in reasons or []
        if isinstance(reason, Mapping) and isinstance(reason.get("evidence"), Mapping)
        for record in reason["evidence"].get("records") or []
        if isinstance(record, Mapping)
        and str(record.get("record_id", "")).isdecimal()
        and len(str(record["record_id"])) < 19
    }
    if not ids:
        return {}
    rows = session.execute(
        select(PersonRecord.id, PersonRecord.source, PersonRecord.record_id).where(
            PersonRecord.id.in_(ids)
        )
    )
    return {str(id_): f"{source} record {record_id}" for id_, source, record_id in rows}


def _reason(data: Mapping[str, Any], user: User, record_names: Mapping[str, str]) -> ReasonView:
    evidence = data.get("evidence") if isinstance(data.get("evidence"), Mapping) else {}
    assert isinstance(evidence, Mapping)
    records = []
    for record in evidence.get("records") or []:
        if not isinstance(record, Mapping):
            continue
        if record.get("restricted") and not user.can_see_restricted:
            records.append("A restricted record (ask a colleague with restricted access)")
            continue
        flags = ", ".join(FLAG_WORDS.get(str(f), str(f)) for f in record.get("flags") or [])
        record_id = str(record.get("record_id", ""))
        name = record_names.get(record_id, f"record {record_id}")
        records.append(name + (f" ({flags})" if flags else ""))
    repeat = evidence.get("repeat_contacts")
    description = str(data.get("description", ""))
    if rests_only_on_restricted(evidence) and not user.can_see_restricted:
        # The rule's own words ("is on a child protection plan") would say what the record holds.
        description = RESTRICTED_REASON
    return ReasonView(
        rule_id=str(data.get("rule_id") or data.get("id") or ""),
        description=description,
        proposes=_str_or_none(data.get("proposes")),
        raise_by=int(data.get("raise_by") or 0),
        at_least=_str_or_none(data.get("at_least")),
        mentions=[
            str(m.get("text", "")) for m in evidence.get("mentions") or [] if isinstance(m, Mapping)
        ],
        records=records,
        facts=[str(f) for f in evidence.get("facts") or []],
        repeat_contacts=int(repeat) if isinstance(repeat, int) else None,
    )


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
