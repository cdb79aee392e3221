"""How long the hub has to decide on a contact, and the moment that time runs out.

A timescale is a number of minutes on one of two clocks: `calendar` (every minute counts, the
default for Red) or `working` (only minutes inside the hub's opening hours, on weekdays that are
not bank holidays). All arithmetic is done in UTC: adding a timedelta to a Europe/London time
adds wall-clock time, which is an hour out across a clock change.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo

import yaml
from govuk_bank_holidays.bank_holidays import BankHolidays

from workers.rating.vocabulary import Rating

Clock = Literal["working", "calendar"]
CLOCKS: tuple[Clock, ...] = get_args(Clock)


def parse_clock(value: object) -> Clock:
    for clock in CLOCKS:
        if value == clock:
            return clock
    raise ValueError(f"clock must be one of {', '.join(CLOCKS)}, not {value!r}")


@dataclass(frozen=True)
class Timescale:
    minutes: int
    clock: Clock

    def __post_init__(self) -> None:
        # bool is an int in Python; `minutes: true` in a YAML file is a mistake, not 1 minute.
        if isinstance(self.minutes, bool) or not isinstance(self.minutes, int):
            raise ValueError(f"minutes must be a whole number, not {self.minutes!r}")
        if self.minutes <= 0:
            raise ValueError(f"minutes must be more than 0, not {self.minutes}")
        parse_clock(self.clock)


@dataclass(frozen=True)
class Timescales:
    """The time allowed for each rating, from receipt to a manager's decision."""

    red: Timescale
    amber: Timescale
    green: Timescale
    blue: Timescale

    def for_rating(self, rating: Rating) -> Timescale:
        timescale: Timescale = getattr(self, rating)
        return timescale

    def with_overrides(self, overrides: Mapping[str, Any]) -> Timescales:
        """A copy with a hub's changes, e.g. `{"amber": {"minutes": 360}}`.

        Only what is given changes; a rating left out keeps its timescale, and a timescale
        that gives only `minutes` keeps its clock.
        """
        ratings = {f.name for f in fields(self)}
        changes: dict[str, Timescale] = {}
        for rating, value in overrides.items():
            if rating not in ratings:
                raise ValueError(f"timescales: unknown rating {rating!r}")
            if not isinstance(value, Mapping):
                raise ValueError(f"timescales: {rating} must be a mapping of minutes and clock")
            unknown = set(value) - {"minutes", "clock"}
            if unknown:
                raise ValueError(f"timescales: {rating} has unknown keys {sorted(unknown)}")
            current: Timescale = getattr(self, rating)
            try:
                changes[rating] = Timescale(
                    minutes=value.get("minutes", current.minutes),
                    clock=parse_clock(value.get("clock", current.clock)),
                )
            except ValueError as error:
                raise ValueError(f"timescales: {rating}: {error}") from None
        return replace(self, **changes)


# Copied from taxonomy.yaml `timescales_default`; each hub overrides them in its configuration.
DEFAULT_TIMESCALES = Timescales(
    red=Timescale(minutes=240, clock="calendar"),
    amber=Timescale(minutes=480, clock="working"),
    green=Timescale(minutes=1440, clock="working"),
    blue=Timescale(minutes=1440, clock="working"),
)


def load_timescales(path: str | os.PathLike[str]) -> Timescales:
    """A hub's timescales from a YAML file, over the defaults.

    Reads taxonomy.yaml itself (its `timescales_default`), a file with a `timescales` key, or a
    file that is just the mapping of ratings.
    """
    with open(path, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    if not isinstance(document, Mapping):
        raise ValueError(f"{path}: expected a mapping of ratings to timescales")
    for key in ("timescales_default", "timescales"):
        if key in document:
            document = document[key]
            break
    if not isinstance(document, Mapping):
        raise ValueError(f"{path}: expected a mapping of ratings to timescales")
    return DEFAULT_TIMESCALES.with_overrides(document)


@functools.cache
def hub_timescales(path: str = "") -> Timescales:
    """The hub's timescales (`FRONTDOOR_TIMESCALES`), read once per process; none: the defaults."""
    return load_timescales(path) if path else DEFAULT_TIMESCALES


@functools.cache
def england_and_wales_bank_holidays() -> frozenset[date]:
    """Bank holidays in England and Wales from the list bundled in govuk-bank-holidays.

    `use_cached_holidays=True` reads the package's own JSON file; without it the library first
    tries to download the list from gov.uk, and a worker must not depend on the network.
    """
    bank_holidays = BankHolidays(use_cached_holidays=True)
    events = bank_holidays.get_holidays(division=BankHolidays.ENGLAND_AND_WALES)
    return frozenset(event["date"] for event in events)


@dataclass(frozen=True)
class WorkingCalendar:
    """The hub's working time: opening hours on working weekdays, less its closed days.

    Build the usual one with `WorkingCalendar.england_and_wales()`.
    """

    closed_days: frozenset[date] = frozenset()
    opens: time = time(9, 0)
    closes: time = time(17, 0)
    weekdays: frozenset[int] = frozenset(range(5))  # Monday is 0
    zone: str = "Europe/London"
    _tz: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("opening hours are local times; give them without a time zone")
        if not self.opens < self.closes:
            raise ValueError("the hub must open before it closes")
        if not self.weekdays or not self.weekdays <= frozenset(range(7)):
            raise ValueError("working weekdays must be some of 0 (Monday) to 6 (Sunday)")
        object.__setattr__(self, "_tz", ZoneInfo(self.zone))

    @classmethod
    def england_and_wales(
        cls,
        *,
        extra_closed_days: Iterable[date] = (),
        opens: time = time(9, 0),
        closes: time = time(17, 0),
        weekdays: Iterable[int] = range(5),
    ) -> WorkingCalendar:
        return cls(
            closed_days=england_and_wales_bank_holidays() | frozenset(extra_closed_days),
            opens=opens,
            closes=closes,
            weekdays=frozenset(weekdays),
        )

    @property
    def closed_days_known_until(self) -> date | None:
        """The last closed day this calendar knows; beyond it only weekends are skipped."""
        return max(self.closed_days, default=None)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.closed_days

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        """The moment `minutes` working minutes after `start`, in UTC.

        A start outside opening hours counts from the next opening. The working day is taken
        as [opens, closes): a deadline can fall exactly at closing time, but a contact that
        arrives at closing time starts counting the next working morning.
        """
        _require_aware(start, "start")
        if minutes < 0:
            raise ValueError("minutes cannot be negative")
        remaining = timedelta(minutes=minutes)
        cursor = start.astimezone(UTC)
        day = cursor.astimezone(self._tz).date()
        while True:
            if self.is_working_day(day):
                opening, closing = self._hours_utc(day)
                begin = max(cursor, opening)
                if begin < closing:
                    if remaining <= closing - begin:
                        return begin + remaining
                    remaining -= closing - begin
            day += timedelta(days=1)

    def working_minutes_between(self, start: datetime, end: datetime) -> int:
        """Whole working minutes from `start` to `end`; negative if `end` is earlier.

        For "time left" on the queue: negative means overdue by that many working minutes.
        """
        _require_aware(start, "start")
        _require_aware(end, "end")
        if end < start:
            return -self.working_minutes_between(end, start)
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        worked = timedelta(0)
        day = start.astimezone(self._tz).date()
        last_day = end.astimezone(self._tz).date()
        while day <= last_day:
            if self.is_working_day(day):
                opening, closing = self._hours_utc(day)
                overlap = min(end, closing) - max(start, opening)
                if overlap > timedelta(0):
                    worked += overlap
            day += timedelta(days=1)
        return worked // timedelta(minutes=1)

    def _hours_utc(self, day: date) -> tuple[datetime, datetime]:
        opening = datetime.combine(day, self.opens, tzinfo=self._tz)
        closing = datetime.combine(day, self.closes, tzinfo=self._tz)
        return opening.astimezone(UTC), closing.astimezone(UTC)


def compute_deadline(
    received_at: datetime, timescale: Timescale, calendar: WorkingCalendar
) -> datetime:
    """When a decision is due, in UTC, for a contact received at `received_at`."""
    _require_aware(received_at, "received_at")
    if timescale.clock == "calendar":
        return received_at.astimezone(UTC) + timedelta(minutes=timescale.minutes)
    return calendar.add_working_minutes(received_at, timescale.minutes)


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
