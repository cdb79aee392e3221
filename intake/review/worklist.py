"""The review queue, the drafts list and failed messages: the queries behind `queue.py`.

The queue is read one page at a time, in deadline order, from the `(status, deadline)` index;
the children's ages and the matches waiting for confirmation are loaded for that page only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session, load_only, selectinload

from intake.models import (
    Channel,
    Contact,
    ContactPerson,
    ContactStatus,
    MessageStatus,
    OutboundMessage,
    User,
)
from intake.review import matches
from intake.review.paging import PER_PAGE, Page, offset
from intake.review.timeliness import TimeLeft, deadline_rating, time_left
from intake.review.vocabulary import CATEGORY_LABELS, RATINGS_BY_URGENCY

QUEUE_STATUSES = (ContactStatus.AWAITING_REVIEW, ContactStatus.SUBMITTED, ContactStatus.PROCESSING)
BEING_PROCESSED = (ContactStatus.SUBMITTED, ContactStatus.PROCESSING)
# Drafts worth a call back: channels where someone started talking to us and stopped.
DRAFT_CHANNELS = (Channel.EMAIL, Channel.VOICE, Channel.SMS)
FAILED_MESSAGE_STATUSES = (MessageStatus.FAILED, MessageStatus.UNDELIVERED)

QUEUE_COLUMNS = (
    Contact.reference,
    Contact.channel,
    Contact.status,
    Contact.submitted_at,
    Contact.immediate_danger,
    Contact.categories,
    Contact.provisional_rating,
    Contact.final_rating,
    Contact.deadline,
    Contact.assigned_to_id,
    Contact.restricted,
)

STATUS_FILTERS = {"awaiting_review": "Awaiting review", "processing": "Being processed"}


@dataclass(frozen=True)
class QueueFilters:
    rating: str = ""
    category: str = ""
    status: str = ""
    channel: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> QueueFilters:
        """Only known codes are kept: an unknown one in a shared link shows the whole queue."""

        def known(name: str, allowed: Sequence[str]) -> str:
            value = args.get(name, "")
            return value if value in allowed else ""

        return cls(
            rating=known("rating", RATINGS_BY_URGENCY),
            category=known("category", tuple(CATEGORY_LABELS)),
            status=known("status", tuple(STATUS_FILTERS)),
            channel=known("channel", tuple(c.value for c in Channel)),
        )

    @property
    def active(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


@dataclass(frozen=True)
class QueueRow:
    contact: Contact
    time_left: TimeLeft
    ages: tuple[str, ...]
    matches_to_confirm: int
    assigned_to: str | None

    @property
    def being_processed(self) -> bool:
        return self.contact.status in BEING_PROCESSED


def queue_page(
    session: Session,
    filters: QueueFilters,
    number: int,
    now: datetime,
    *,
    can_see_restricted: bool,
) -> Page[QueueRow]:
    query = select(Contact)
    if not can_see_restricted and (filters.category or filters.channel):
        # A restricted contact's row hides its categories and channel; a filter must not
        # reveal them either.
        query = query.where(Contact.restricted.is_(False))
    if filters.status == "awaiting_review":
        query = query.where(Contact.status == ContactStatus.AWAITING_REVIEW)
    elif filters.status == "processing":
        query = query.where(Contact.status.in_(BEING_PROCESSED))
    else:
        query = query.where(Contact.status.in_(QUEUE_STATUSES))
    if filters.rating:
        query = query.where(
            func.coalesce(Contact.final_rating, Contact.provisional_rating) == filters.rating
        )
    if filters.channel:
        query = query.where(Contact.channel == filters.channel)
    if filters.category:
        # Codes are plain identifiers, so the quoted code matches exactly one JSON list item,
        # the same way on PostgreSQL and SQLite.
        query = query.where(
            cast(Contact.categories, String).contains(f'"{filters.category}"', autoescape=True)
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    contacts = session.scalars(
        # Only what a row shows: the free-text columns are encrypted and costly to load.
        query.options(load_only(*QUEUE_COLUMNS), selectinload(Contact.people))
        # Not rated yet first: nobody knows yet how urgent it is, and one the worker has not
        # reached (a slow or failed job) must not wait on the last page behind a day's Ambers,
        # least of all one where the referrer said a child is in danger now. Then soonest due.
        # The open contacts are a few thousand at most, read from ix_contacts_open_by_deadline.
        .order_by(
            Contact.deadline.is_(None).desc(),
            Contact.deadline.asc(),
            Contact.immediate_danger.is_(True).desc(),
            Contact.submitted_at,
            Contact.id,
        )
        .offset(offset(number))
        .limit(PER_PAGE)
    ).all()
    to_confirm = matches.proposed_counts(session, [c.id for c in contacts])
    names = _user_names(session, {c.assigned_to_id for c in contacts if c.assigned_to_id})
    rows = [
        QueueRow(
            contact=c,
            time_left=time_left(
                deadline_rating(c.provisional_rating, c.final_rating), c.deadline, now
            ),
            ages=tuple(child_age(p, now.date()) for p in c.children),
            matches_to_confirm=to_confirm.get(c.id, 0),
            assigned_to=names.get(c.assigned_to_id) if c.assigned_to_id else None,
        )
        for c in contacts
    ]
    return Page(items=rows, number=number, per_page=PER_PAGE, total=total)


def child_age(person: ContactPerson, today: date) -> str:
    """ "7", "under 1", "unborn" or "age not known", as an officer would say it."""
    if person.date_of_birth is not None:
        born = person.date_of_birth
        years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        return "under 1" if years < 1 else str(years)
    if person.age_years is not None:
        return "under 1" if person.age_years < 1 else str(person.age_years)
    if person.expected_date is not None:
        return "unborn"
    return "age not known"


def _user_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.name, User.email).where(User.id.in_(ids)))
    return {user_id: name or email for user_id, name, email in rows}


def drafts_page(session: Session, number: int) -> Page[Contact]:
    """Conversations that stopped part way: an email missing answers, a call that hung up."""
    query = select(Contact).where(
        Contact.status == ContactStatus.DRAFT, Contact.channel.in_(DRAFT_CHANNELS)
    )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        # A referrer who said a child is in danger now and then stopped needs a call first.
        query.order_by(
            Contact.immediate_danger.is_(True).desc(), Contact.updated_at.desc(), Contact.id.desc()
        )
        .offset(offset(number))
        .limit(PER_PAGE)
    ).all()
    return Page(items=rows, number=number, per_page=PER_PAGE, total=total)


@dataclass(frozen=True)
class FailedMessage:
    message: OutboundMessage
    reference: str | None
    restricted: bool


def failed_messages(session: Session, limit: int = 200) -> list[FailedMessage]:
    rows = session.execute(
        select(OutboundMessage, Contact.reference, Contact.restricted)
        .outerjoin(Contact, Contact.id == OutboundMessage.contact_id)
        .where(OutboundMessage.status.in_(FAILED_MESSAGE_STATUSES))
        .order_by(OutboundMessage.updated_at.desc())
        .limit(limit)
    ).all()
    return [
        FailedMessage(message=m, reference=ref, restricted=bool(restricted))
        for m, ref, restricted in rows
    ]


def counts_for_tabs(session: Session) -> dict[str, int]:
    """The numbers on the queue's tabs."""
    awaiting = session.scalar(select(func.count()).where(Contact.status.in_(QUEUE_STATUSES)))
    drafts = session.scalar(
        select(func.count()).where(
            Contact.status == ContactStatus.DRAFT, Contact.channel.in_(DRAFT_CHANNELS)
        )
    )
    failed = session.scalar(
        select(func.count()).where(OutboundMessage.status.in_(FAILED_MESSAGE_STATUSES))
    )
    return {"queue": awaiting or 0, "drafts": drafts or 0, "messages": failed or 0}
