"""The monthly MASH data return: contacts by source, category, rating (start and end),
outcome, and timeliness against the deadline by rating.

Counted over the contacts received in the month (Europe/London), as the London data return
template counts them. Aggregated in Python from one narrow query: a month is at most a few
thousand contacts, and the same code then runs on PostgreSQL and SQLite.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.models import Contact, ContactStatus
from intake.review.vocabulary import (
    CATEGORY_LABELS,
    OUTCOME_LABELS,
    RATING_LABELS,
    RATINGS_BY_URGENCY,
    SOURCE_LABELS,
    label,
)

HUB_ZONE = ZoneInfo("Europe/London")
NOT_RATED = "not_rated"
NOT_DECIDED = "not_decided"
UNKNOWN_SOURCE = "10"
RATING_ROWS = (*RATINGS_BY_URGENCY, NOT_RATED)
FINAL_COLUMNS = (*RATINGS_BY_URGENCY, NOT_DECIDED)
TIMELINESS = ("on_time", "late", "open_overdue", "open_in_time")
TIMELINESS_LABELS = {
    "on_time": "Decided on time",
    "late": "Decided late",
    "open_overdue": "Not decided, overdue",
    "open_in_time": "Not decided, still in time",
}
EXTRA_LABELS = {NOT_RATED: "Not rated", NOT_DECIDED: "Not decided yet"}


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, value: str) -> Month:
        """'2026-11' -> Month(2026, 11); raises ValueError for anything else."""
        parts = value.split("-")
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            raise ValueError("a month is written like 2026-11")
        year, month = int(parts[0]), int(parts[1])
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise ValueError("a month is written like 2026-11")
        return cls(year, month)

    @classmethod
    def containing(cls, moment: datetime) -> Month:
        local = moment.astimezone(HUB_ZONE)
        return cls(local.year, local.month)

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    @property
    def start(self) -> datetime:
        return datetime.combine(date(self.year, self.month, 1), time(), HUB_ZONE).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return self.next().start

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return date(self.year, self.month, 1).strftime("%B %Y")


@dataclass(frozen=True)
class Line:
    code: str
    label: str
    count: int


@dataclass
class MonthlyReturn:
    month: Month
    total: int = 0
    sources: list[Line] = field(default_factory=list)
    categories: list[Line] = field(default_factory=list)
    outcomes: list[Line] = field(default_factory=list)
    # matrix[initial][final] = count
    matrix: dict[str, dict[str, int]] = field(default_factory=dict)
    # timeliness[rating][kind] = count, rating being the final (or else provisional) one
    timeliness: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def escalated(self) -> int:
        """Contacts whose final rating is more urgent than the provisional one."""
        return self._moved(lambda start, end: end < start)

    @property
    def de_escalated(self) -> int:
        return self._moved(lambda start, end: end > start)

    def _moved(self, direction: Callable[[int, int], bool]) -> int:
        order = {code: i for i, code in enumerate(RATINGS_BY_URGENCY)}
        moved = 0
        for start, row in self.matrix.items():
            for end, count in row.items():
                if start in order and end in order and direction(order[start], order[end]):
                    moved += count
        return moved

    def on_time_percent(self, rating: str) -> int | None:
        counts = self.timeliness.get(rating, {})
        decided = counts.get("on_time", 0) + counts.get("late", 0)
        return round(100 * counts.get("on_time", 0) / decided) if decided else None


def build(session: Session, month: Month) -> MonthlyReturn:
    rows = session.execute(
        select(
            Contact.referrer_source,
            Contact.categories,
            Contact.provisional_rating,
            Contact.final_rating,
            Contact.outcome,
            Contact.deadline,
            Contact.decided_at,
            Contact.status,
        ).where(
            Contact.submitted_at >= month.start,
            Contact.submitted_at < month.end,
            Contact.status != ContactStatus.DRAFT,
        )
    ).all()
    now = datetime.now(UTC)
    sources: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    report = MonthlyReturn(
        month=month,
        total=len(rows),
        matrix={r: dict.fromkeys(FINAL_COLUMNS, 0) for r in RATING_ROWS},
        timeliness={r: dict.fromkeys(TIMELINESS, 0) for r in RATING_ROWS},
    )
    for source, cats, provisional, final, outcome, deadline, decided_at, _status in rows:
        sources[source or UNKNOWN_SOURCE] += 1
        categories.update(c for c in dict.fromkeys(cats or []) if isinstance(c, str))
        outcomes[outcome or NOT_DECIDED] += 1
        start = provisional if provisional in RATING_LABELS else NOT_RATED
        end = final if final in RATING_LABELS and decided_at is not None else NOT_DECIDED
        report.matrix[start][end] += 1
        rating = final if final in RATING_LABELS else start
        report.timeliness[rating][_timeliness(deadline, decided_at, now)] += 1
    report.sources = _lines(sources, SOURCE_LABELS, all_codes=True)
    report.categories = _lines(categories, CATEGORY_LABELS, all_codes=True)
    report.outcomes = _lines(outcomes, {**OUTCOME_LABELS, **EXTRA_LABELS}, all_codes=True)
    return report


def _timeliness(deadline: datetime | None, decided_at: datetime | None, now: datetime) -> str:
    if decided_at is not None:
        return "on_time" if deadline is None or decided_at <= deadline else "late"
    return "open_overdue" if deadline is not None and deadline <= now else "open_in_time"


def _lines(counts: Counter[str], labels: dict[str, str], *, all_codes: bool) -> list[Line]:
    """Every known code in the template's order (zeros too: the return lists them), then any
    code the template does not know."""
    codes = list(labels) if all_codes else []
    codes += sorted(c for c in counts if c not in labels)
    return [Line(code, label(labels, code), counts.get(code, 0)) for code in codes]


def rating_or_extra_label(code: str) -> str:
    return RATING_LABELS.get(code) or EXTRA_LABELS.get(code, code)


def to_csv(report: MonthlyReturn) -> str:
    """One long table: section, code, label, count — easy to pivot in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["month", "section", "code", "label", "count"])
    month = str(report.month)
    writer.writerow([month, "total", "contacts", "Contacts received", report.total])
    for section, lines in (
        ("source", report.sources),
        ("category", report.categories),
        ("outcome", report.outcomes),
    ):
        for line in lines:
            writer.writerow([month, section, line.code, _safe(line.label), line.count])
    for start, row in report.matrix.items():
        for end, count in row.items():
            writer.writerow(
                [
                    month,
                    "rating_change",
                    f"{start}>{end}",
                    f"{rating_or_extra_label(start)} to {rating_or_extra_label(end)}",
                    count,
                ]
            )
    for rating, counts in report.timeliness.items():
        for kind, count in counts.items():
            writer.writerow(
                [
                    month,
                    "timeliness",
                    f"{rating}.{kind}",
                    f"{rating_or_extra_label(rating)}: {TIMELINESS_LABELS[kind]}",
                    count,
                ]
            )
    return out.getvalue()


def _safe(text: str) -> str:
    # A cell starting with = + - @ is run as a formula by spreadsheets (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
