"""When contact officers answer the phone: `FRONTDOOR_OPENING_HOURS`, e.g.
"Mon-Fri 09:00-17:00 Europe/London". Bank holidays in England and Wales are closed days.

The hours are read with the same `WorkingCalendar` that times the hub's deadlines, so "open"
means the same thing to the phone line and to the rating clock.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from workers.rating.deadlines import WorkingCalendar, england_and_wales_bank_holidays

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPEC = re.compile(
    r"^\s*(?P<first>[a-z]{3})(?:\s*-\s*(?P<last>[a-z]{3}))?\s+"
    r"(?P<opens>\d{1,2}:\d{2})\s*-\s*(?P<closes>\d{1,2}:\d{2})\s+(?P<zone>\S+)\s*$",
    re.IGNORECASE,
)


class OpeningHoursError(ValueError):
    """The opening hours setting cannot be read."""


@functools.cache
def calendar(spec: str) -> WorkingCalendar:
    found = _SPEC.match(spec)
    if not found:
        raise OpeningHoursError(
            f"opening hours must look like 'Mon-Fri 09:00-17:00 Europe/London', not {spec!r}"
        )
    first, last = found["first"].lower(), (found["last"] or found["first"]).lower()
    if first not in DAYS or last not in DAYS:
        raise OpeningHoursError(f"opening hours: days are Mon to Sun, not {first!r} or {last!r}")
    start, end = DAYS.index(first), DAYS.index(last)
    weekdays = range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)]
    try:
        ZoneInfo(found["zone"])
        return WorkingCalendar(
            closed_days=england_and_wales_bank_holidays(),
            opens=time.fromisoformat(found["opens"].zfill(5)),
            closes=time.fromisoformat(found["closes"].zfill(5)),
            weekdays=frozenset(weekdays),
            zone=found["zone"],
        )
    except (ValueError, ZoneInfoNotFoundError) as exc:
        raise OpeningHoursError(f"opening hours: {exc}") from exc


def is_open(spec: str, now: datetime) -> bool:
    hub = calendar(spec)
    local = now.astimezone(ZoneInfo(hub.zone))
    return hub.is_working_day(local.date()) and hub.opens <= local.time() < hub.closes


def describe(spec: str) -> str:
    """The hours in words for the phone: "Monday to Friday, 9am to 5pm"."""
    hub = calendar(spec)
    names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    days = sorted(hub.weekdays)
    span = names[days[0]] if len(days) == 1 else f"{names[days[0]]} to {names[days[-1]]}"
    return f"{span}, {_spoken_time(hub.opens)} to {_spoken_time(hub.closes)}"


def _spoken_time(moment: time) -> str:
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if not moment.minute else f"{hour}:{moment.minute:02d}{suffix}"
