"""Time left before a decision, on the clock each rating is kept on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from intake.review.timeliness import duration, time_left
from workers.rating import WorkingCalendar

# A calendar with no bank holidays, so the arithmetic below is plain.
CALENDAR = WorkingCalendar()
# Friday 13 November 2026, 15:00 in London (GMT, so also 15:00 UTC).
FRIDAY_3PM = datetime(2026, 11, 13, 15, 0, tzinfo=UTC)


def test_a_red_contact_counts_calendar_minutes():
    left = time_left("red", FRIDAY_3PM + timedelta(hours=3), FRIDAY_3PM, calendar=CALENDAR)
    assert (left.minutes, left.working, left.overdue) == (180, False, False)
    assert left.text == "3 h left"


def test_an_amber_contact_counts_only_working_minutes_across_the_weekend():
    monday_11am = datetime(2026, 11, 16, 11, 0, tzinfo=UTC)
    left = time_left("amber", monday_11am, FRIDAY_3PM, calendar=CALENDAR)
    assert left.minutes == 2 * 60 + 2 * 60  # Friday 15:00-17:00 and Monday 09:00-11:00
    assert left.text == "4 h working time left"


def test_an_overdue_contact_says_by_how_much():
    left = time_left("red", FRIDAY_3PM - timedelta(minutes=75), FRIDAY_3PM, calendar=CALENDAR)
    assert left.overdue and left.status == "overdue"
    assert left.text == "Overdue by 1 h 15 min"


def test_a_working_clock_overdue_out_of_hours_is_simply_overdue():
    saturday = datetime(2026, 11, 14, 10, 0, tzinfo=UTC)
    left = time_left("amber", FRIDAY_3PM + timedelta(hours=2), saturday, calendar=CALENDAR)
    assert left.overdue and left.text == "Overdue"


def test_less_than_a_quarter_of_the_time_left_is_due_soon():
    left = time_left("red", FRIDAY_3PM + timedelta(minutes=59), FRIDAY_3PM, calendar=CALENDAR)
    assert left.due_soon and left.status == "due_soon"
    plenty = time_left("red", FRIDAY_3PM + timedelta(minutes=61), FRIDAY_3PM, calendar=CALENDAR)
    assert not plenty.due_soon


def test_no_deadline_yet_is_said_plainly():
    left = time_left(None, None, FRIDAY_3PM)
    assert left.text == "No deadline yet" and left.status == "none"


@pytest.mark.parametrize(
    ("minutes", "in_days", "text"),
    [
        (45, True, "45 min"),
        (185, True, "3 h 5 min"),
        (1500, True, "1 d 1 h"),
        (1500, False, "25 h"),
    ],
)
def test_durations_read_naturally(minutes, in_days, text):
    assert duration(minutes, in_days=in_days) == text


@pytest.mark.parametrize(
    ("provisional", "final", "clock"),
    [
        ("red", "amber", "red"),  # taken down: Red's deadline, and its calendar clock, stand
        ("amber", "red", "red"),  # escalated: the deadline came forward to Red's
        ("green", None, "green"),
        (None, None, None),
    ],
)
def test_time_left_is_counted_on_the_clock_of_the_rating_that_set_the_deadline(
    provisional, final, clock
):
    from intake.review.timeliness import deadline_rating

    assert deadline_rating(provisional, final) == clock


def test_a_red_taken_down_to_amber_out_of_hours_still_shows_its_hours_left():
    from intake.review.timeliness import deadline_rating

    sunday_11pm = datetime(2026, 11, 15, 23, 0, tzinfo=UTC)
    deadline = sunday_11pm + timedelta(hours=4)  # Red's, set on the calendar clock
    left = time_left(deadline_rating("red", "amber"), deadline, sunday_11pm, calendar=CALENDAR)
    assert left.text == "4 h left" and not left.due_soon
