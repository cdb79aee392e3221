"""Time left before a decision is due, on the clock each rating's timescale is kept on.

Working-clock ratings (Amber, Green, Blue by default) count only the hub's opening hours, so
"2 hours left" on a Friday afternoon means 2 working hours, not 2 hours of the weekend.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import has_app_context

from intake import extensions
from workers import rating
from workers.rating import Timescales, WorkingCalendar, compute_deadline
from workers.rating.vocabulary import higher, is_rating

# Less than this share of the timescale left and the contact is shown as due soon.
DUE_SOON_SHARE = 0.25


@functools.cache
def hub_calendar() -> WorkingCalendar:
    return WorkingCalendar.england_and_wales()


def hub_timescales() -> Timescales:
    # The same file the workers rate by, so the page counts down to the deadline they set.
    return rating.hub_timescales(extensions.settings().timescales_path if has_app_context() else "")


@dataclass(frozen=True)
class TimeLeft:
    """How long until (or since) a contact's deadline, in the minutes of its clock."""

    minutes: int | None
    working: bool
    overdue: bool
    due_soon: bool

    @property
    def text(self) -> str:
        if self.minutes is None:
            return "No deadline yet"
        amount = duration(abs(self.minutes), in_days=not self.working)
        kind = " working time" if self.working else ""
        if self.overdue:
            # Out of hours a working clock stands still: overdue, by no working time yet.
            return f"Overdue by {amount}{kind}" if self.minutes else "Overdue"
        return f"{amount}{kind} left"

    @property
    def status(self) -> str:
        """For styling and filters: overdue, due_soon, on_track or none."""
        if self.minutes is None:
            return "none"
        if self.overdue:
            return "overdue"
        return "due_soon" if self.due_soon else "on_track"


NO_DEADLINE = TimeLeft(minutes=None, working=False, overdue=False, due_soon=False)


def time_left(
    rating: str | None,
    deadline: datetime | None,
    now: datetime,
    *,
    calendar: WorkingCalendar | None = None,
    timescales: Timescales | None = None,
) -> TimeLeft:
    if deadline is None:
        return NO_DEADLINE
    calendar = calendar or hub_calendar()
    timescales = timescales or hub_timescales()
    overdue = deadline <= now
    timescale = timescales.for_rating(rating) if is_rating(rating) else None
    working = timescale is not None and timescale.clock == "working"
    if working:
        minutes = calendar.working_minutes_between(now, deadline)
    else:
        minutes = int((deadline - now) / timedelta(minutes=1))
    allowed = timescale.minutes if timescale else 240
    due_soon = not overdue and minutes < allowed * DUE_SOON_SHARE
    return TimeLeft(minutes=minutes, working=working, overdue=overdue, due_soon=due_soon)


def deadline_rating(provisional: str | None, final: str | None) -> str | None:
    """The rating whose timescale set the deadline, so time left is counted on its clock: the
    higher of the two, since an escalation brings the deadline forward and a de-escalation
    never moves it (a Red taken down to Amber keeps Red's calendar-hours deadline)."""
    if is_rating(provisional) and is_rating(final):
        return higher(provisional, final)
    return final or provisional


def deadline_for(rating: str, received_at: datetime) -> datetime:
    """The deadline a contact of `rating` received at `received_at` has under the hub's rules."""
    if not is_rating(rating):
        raise ValueError(f"not a rating: {rating!r}")
    return compute_deadline(received_at, hub_timescales().for_rating(rating), hub_calendar())


def duration(minutes: int, *, in_days: bool = True) -> str:
    """ "45 min", "3 h 5 min", "2 d 1 h". Working time stays in hours: its days are not 24 h."""
    if minutes < 60:
        return f"{minutes} min"
    hours, mins = divmod(minutes, 60)
    if hours < 24 or not in_days:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"
