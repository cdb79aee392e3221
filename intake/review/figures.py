"""Today's figures for the dashboard: what arrived, what is waiting, what is late, by rating.

"Today" is the hub's day in Europe/London, whatever the server's clock zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from intake.models import Contact, ContactStatus, OutboundMessage
from intake.review.vocabulary import RATINGS_BY_URGENCY
from intake.review.worklist import BEING_PROCESSED, FAILED_MESSAGE_STATUSES

HUB_ZONE = ZoneInfo("Europe/London")
DUE_SOON = timedelta(hours=1)
NOT_RATED = "not_rated"


@dataclass
class RatingFigures:
    received: int = 0
    waiting: int = 0
    overdue: int = 0
    due_soon: int = 0
    decided: int = 0
    decided_on_time: int = 0

    @property
    def on_time_percent(self) -> int | None:
        if not self.decided:
            return None
        return round(100 * self.decided_on_time / self.decided)


@dataclass
class Today:
    day_start: datetime
    by_rating: dict[str, RatingFigures] = field(default_factory=dict)
    being_processed: int = 0
    messages_sent: int = 0
    messages_failed: int = 0

    @property
    def totals(self) -> RatingFigures:
        total = RatingFigures()
        for figures in self.by_rating.values():
            for name in vars(total):
                setattr(total, name, getattr(total, name) + getattr(figures, name))
        return total


def day_start(now: datetime) -> datetime:
    local = now.astimezone(HUB_ZONE)
    return datetime.combine(local.date(), time(), HUB_ZONE).astimezone(UTC)


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def today(session: Session, now: datetime) -> Today:
    start = day_start(now)
    rating = func.coalesce(Contact.final_rating, Contact.provisional_rating, NOT_RATED)
    open_statuses = (ContactStatus.AWAITING_REVIEW, *BEING_PROCESSED)
    is_open = Contact.status.in_(open_statuses)
    decided_today = and_(Contact.decided_at >= start, Contact.decided_at.is_not(None))
    rows = session.execute(
        select(
            rating,
            _count(Contact.submitted_at >= start),
            _count(Contact.status == ContactStatus.AWAITING_REVIEW),
            _count(and_(is_open, Contact.deadline <= now)),
            _count(and_(is_open, Contact.deadline > now, Contact.deadline <= now + DUE_SOON)),
            _count(decided_today),
            _count(and_(decided_today, Contact.decided_at <= Contact.deadline)),
            _count(Contact.status.in_(BEING_PROCESSED)),
        )
        # Only contacts that can count today: open ones, and ones received or decided today.
        .where(
            (Contact.status.in_(open_statuses))
            | (Contact.submitted_at >= start)
            | (Contact.decided_at >= start)
        )
        .group_by(rating)
    ).all()
    result = Today(
        day_start=start,
        by_rating={code: RatingFigures() for code in (*RATINGS_BY_URGENCY, NOT_RATED)},
    )
    for code, received, waiting, overdue, soon, decided, on_time, processing in rows:
        figures = result.by_rating.setdefault(str(code), RatingFigures())
        figures.received = int(received or 0)
        figures.waiting = int(waiting or 0)
        figures.overdue = int(overdue or 0)
        figures.due_soon = int(soon or 0)
        figures.decided = int(decided or 0)
        figures.decided_on_time = int(on_time or 0)
        result.being_processed += int(processing or 0)
    message_rows = session.execute(
        select(
            _count(OutboundMessage.status.in_(FAILED_MESSAGE_STATUSES)),
            _count(OutboundMessage.status.in_(("sent", "delivered"))),
        ).where(OutboundMessage.updated_at >= start)
    ).one()
    result.messages_failed = int(message_rows[0] or 0)
    result.messages_sent = int(message_rows[1] or 0)
    return result
