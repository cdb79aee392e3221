"""Deadlines: working minutes in Europe/London office hours, bank holidays, clock changes.

Expected values are worked out by hand in the comments; times in London are given as local
time with GMT or BST, and asserted in UTC.
"""

from __future__ import annotations

import socket
import textwrap
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from workers.rating import (
    DEFAULT_TIMESCALES,
    Mention,
    RatingInput,
    Timescale,
    Timescales,
    WorkingCalendar,
    compute_deadline,
    england_and_wales_bank_holidays,
    load_rules,
    load_timescales,
    rate,
)

LONDON = ZoneInfo("Europe/London")
CALENDAR = WorkingCalendar.england_and_wales()


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Bank holidays -----------------------------------------------------------------------------


def test_bank_holidays_come_from_the_bundled_list_without_the_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the bank holiday list must not be downloaded")

    monkeypatch.setattr(requests, "get", no_network)
    monkeypatch.setattr(requests.Session, "request", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    england_and_wales_bank_holidays.cache_clear()

    holidays = england_and_wales_bank_holidays()

    assert date(2025, 8, 25) in holidays  # summer bank holiday
    assert date(2025, 12, 26) in holidays
    assert date(2026, 12, 28) in holidays  # Boxing Day substitute: the 26th is a Saturday


def test_only_england_and_wales_bank_holidays_count():
    # 1 August 2025 is a bank holiday in Scotland only; St Patrick's Day in Northern Ireland only.
    assert CALENDAR.is_working_day(date(2025, 8, 4))
    assert CALENDAR.is_working_day(date(2025, 3, 17))
    assert not CALENDAR.is_working_day(date(2025, 5, 26))


def test_the_calendar_says_how_far_ahead_it_knows_bank_holidays():
    known_until = CALENDAR.closed_days_known_until

    assert known_until is not None
    assert known_until >= date(2026, 12, 28)


# Adding working minutes --------------------------------------------------------------------


def test_a_contact_at_1655_on_the_friday_before_a_bank_holiday_runs_into_tuesday():
    # Fri 22 Aug 2025 16:55 BST: 5 minutes on Friday; Sat, Sun, and Mon 25 Aug (bank holiday)
    # do not count; 475 minutes from 09:00 BST on Tue 26 Aug is 16:55 BST = 15:55 UTC.
    start = london(2025, 8, 22, 16, 55)

    assert CALENDAR.add_working_minutes(start, 480) == utc(2025, 8, 26, 15, 55)
    assert CALENDAR.add_working_minutes(start, 5) == utc(2025, 8, 22, 16, 0)
    assert CALENDAR.add_working_minutes(start, 6) == utc(2025, 8, 26, 8, 1)


def test_three_working_days_from_that_friday_end_on_thursday_afternoon():
    # 5 on Friday + 480 Tue + 480 Wed = 965; 475 more on Thu 28 Aug: 16:55 BST.
    assert CALENDAR.add_working_minutes(london(2025, 8, 22, 16, 55), 1440) == utc(
        2025, 8, 28, 15, 55
    )


def test_a_contact_at_exactly_0900_gets_the_whole_working_day():
    assert CALENDAR.add_working_minutes(london(2025, 9, 1, 9, 0), 480) == utc(2025, 9, 1, 16, 0)


def test_a_deadline_can_fall_at_exactly_1700():
    assert CALENDAR.add_working_minutes(london(2025, 9, 1, 16, 0), 60) == utc(2025, 9, 1, 16, 0)


def test_a_contact_at_exactly_1700_starts_counting_the_next_morning():
    start = london(2025, 9, 1, 17, 0)

    assert CALENDAR.add_working_minutes(start, 1) == utc(2025, 9, 2, 8, 1)
    assert CALENDAR.add_working_minutes(start, 0) == utc(2025, 9, 2, 8, 0)


def test_a_contact_before_opening_starts_counting_at_0900():
    assert CALENDAR.add_working_minutes(london(2025, 9, 1, 8, 59), 60) == utc(2025, 9, 1, 9, 0)


def test_an_evening_contact_starts_counting_the_next_working_morning():
    # Wed 3 Sep 2025 22:30 BST: counting starts Thu 09:00 BST.
    assert CALENDAR.add_working_minutes(london(2025, 9, 3, 22, 30), 30) == utc(2025, 9, 4, 8, 30)


def test_a_weekend_contact_starts_counting_on_monday_morning():
    # Sat 6 Sep 2025 11:00: a whole working day from Mon 8 Sep 09:00 BST ends 17:00 BST.
    assert CALENDAR.add_working_minutes(london(2025, 9, 6, 11, 0), 480) == utc(2025, 9, 8, 16, 0)


def test_a_contact_on_a_bank_holiday_starts_counting_the_next_working_day():
    assert CALENDAR.add_working_minutes(london(2025, 8, 25, 10, 0), 60) == utc(2025, 8, 26, 9, 0)


def test_christmas_and_boxing_day_are_skipped():
    # Wed 24 Dec 2025 16:00 GMT: 60 on Christmas Eve; Thu 25, Fri 26, Sat, Sun off;
    # 420 from Mon 29 Dec 09:00 GMT is 16:00 GMT.
    assert CALENDAR.add_working_minutes(london(2025, 12, 24, 16, 0), 480) == utc(
        2025, 12, 29, 16, 0
    )


def test_new_years_day_is_skipped():
    # Wed 31 Dec 2025 16:30 GMT: 30 minutes, then Thu 1 Jan 2026 off; Fri 2 Jan 09:30 GMT.
    assert CALENDAR.add_working_minutes(london(2025, 12, 31, 16, 30), 60) == utc(2026, 1, 2, 9, 30)


def test_a_substitute_bank_holiday_is_skipped():
    # Thu 24 Dec 2026 16:00 GMT: 60 minutes; Fri 25 off, weekend, Mon 28 Dec (substitute for
    # Boxing Day) off; Tue 29 Dec 10:00 GMT.
    assert CALENDAR.add_working_minutes(london(2026, 12, 24, 16, 0), 120) == utc(
        2026, 12, 29, 10, 0
    )


def test_working_minutes_carry_over_the_spring_clock_change():
    # Fri 28 Mar 2025 16:00 GMT: 60 minutes to 17:00 GMT. Clocks go forward on Sunday 30 Mar.
    # Mon 31 Mar opens at 09:00 BST = 08:00 UTC; 60 more is 09:00 UTC (10:00 BST).
    assert CALENDAR.add_working_minutes(london(2025, 3, 28, 16, 0), 120) == utc(2025, 3, 31, 9, 0)


def test_working_minutes_carry_over_the_autumn_clock_change():
    # Fri 24 Oct 2025 16:00 BST (15:00 UTC): 60 minutes. Clocks go back on Sunday 26 Oct.
    # Mon 27 Oct opens at 09:00 GMT = 09:00 UTC; 60 more is 10:00 UTC.
    assert CALENDAR.add_working_minutes(london(2025, 10, 24, 16, 0), 120) == utc(
        2025, 10, 27, 10, 0
    )


def test_a_start_in_any_time_zone_is_read_as_the_same_instant():
    new_york = timezone(timedelta(hours=-4))
    # 11:55 in New York (UTC-4) is 16:55 BST on Fri 22 Aug 2025.
    start = datetime(2025, 8, 22, 11, 55, tzinfo=new_york)

    assert CALENDAR.add_working_minutes(start, 480) == utc(2025, 8, 26, 15, 55)


def test_a_naive_start_or_negative_minutes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        CALENDAR.add_working_minutes(datetime(2025, 9, 1, 10, 0), 60)
    with pytest.raises(ValueError, match="negative"):
        CALENDAR.add_working_minutes(london(2025, 9, 1, 10, 0), -1)


# Hub-specific hours and closures -----------------------------------------------------------


def test_a_hub_can_set_its_own_working_hours():
    calendar = WorkingCalendar.england_and_wales(opens=time(8, 0), closes=time(18, 0))
    # Fri 22 Aug 2025 17:30 BST: 30 minutes to 18:00; Tue 26 Aug from 08:00 BST, 30 more.
    assert calendar.add_working_minutes(london(2025, 8, 22, 17, 30), 60) == utc(2025, 8, 26, 7, 30)


def test_a_hub_can_add_its_own_closed_days():
    calendar = WorkingCalendar.england_and_wales(extra_closed_days=[date(2025, 12, 29)])
    # As the Christmas case, but Mon 29 Dec is closed too: 420 minutes on Tue 30 Dec.
    assert calendar.add_working_minutes(london(2025, 12, 24, 16, 0), 480) == utc(
        2025, 12, 30, 16, 0
    )


def test_a_hub_open_on_saturdays_counts_them():
    calendar = WorkingCalendar.england_and_wales(weekdays=range(6))
    assert calendar.add_working_minutes(london(2025, 9, 5, 16, 30), 60) == utc(2025, 9, 6, 8, 30)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"opens": time(17, 0), "closes": time(9, 0)},
        {"opens": time(9, 0), "closes": time(9, 0)},
        {"weekdays": frozenset()},
        {"weekdays": frozenset({7})},
        {"opens": time(9, 0, tzinfo=UTC)},
    ],
)
def test_impossible_working_hours_are_refused(kwargs):
    with pytest.raises(ValueError):
        WorkingCalendar(**kwargs)


# Working minutes between two moments -------------------------------------------------------


def test_working_minutes_between_skip_nights_weekends_and_bank_holidays():
    friday = london(2025, 8, 22, 16, 55)
    tuesday = london(2025, 8, 26, 16, 55)

    assert CALENDAR.working_minutes_between(friday, tuesday) == 480
    assert (
        CALENDAR.working_minutes_between(london(2025, 9, 1, 10), london(2025, 9, 1, 10, 30)) == 30
    )
    assert CALENDAR.working_minutes_between(london(2025, 9, 6, 9), london(2025, 9, 7, 17)) == 0


def test_time_left_is_negative_once_the_deadline_has_passed():
    deadline = london(2025, 9, 1, 10, 0)

    assert CALENDAR.working_minutes_between(london(2025, 9, 1, 11, 30), deadline) == -90


def test_working_minutes_between_spans_a_clock_change():
    # Fri 28 Mar 2025 16:00 GMT to Mon 31 Mar 10:00 BST: 60 + 60.
    assert (
        CALENDAR.working_minutes_between(london(2025, 3, 28, 16, 0), london(2025, 3, 31, 10, 0))
        == 120
    )


@given(
    start=st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 1), timezones=st.just(UTC)
    ),
    minutes=st.integers(0, 5000),
)
@settings(max_examples=300)
def test_counting_back_the_minutes_added_gives_the_same_number(start, minutes):
    end = CALENDAR.add_working_minutes(start, minutes)

    assert end >= start
    assert CALENDAR.working_minutes_between(start, end) == minutes
    if minutes:
        local = end.astimezone(LONDON)
        assert CALENDAR.is_working_day(local.date())
        assert time(9, 0) < local.time() <= time(17, 0)


# Timescales and the deadline ---------------------------------------------------------------


def test_the_default_timescales_are_those_of_the_taxonomy():
    taxonomy = Timescales(
        red=Timescale(240, "calendar"),
        amber=Timescale(480, "working"),
        green=Timescale(1440, "working"),
        blue=Timescale(1440, "working"),
    )

    assert taxonomy == DEFAULT_TIMESCALES


def test_timescales_load_from_the_taxonomy_file_itself(tmp_path):
    taxonomy = tmp_path / "taxonomy.yaml"
    taxonomy.write_text(
        textwrap.dedent(
            """
            version: 1
            timescales_default:
              red:   {minutes: 240, clock: calendar}
              amber: {minutes: 480, clock: working}
              green: {minutes: 1440, clock: working}
              blue:  {minutes: 1440, clock: working}
            """
        )
    )

    assert load_timescales(taxonomy) == DEFAULT_TIMESCALES


def test_a_hub_can_change_some_timescales_and_keep_the_rest(tmp_path):
    merton = tmp_path / "merton.yaml"
    merton.write_text("timescales:\n  red: {minutes: 120}\n  amber: {minutes: 360}\n")

    timescales = load_timescales(merton)

    assert timescales.red == Timescale(120, "calendar")
    assert timescales.amber == Timescale(360, "working")
    assert timescales.green == DEFAULT_TIMESCALES.green


def test_a_hub_can_put_red_on_the_working_clock():
    timescales = DEFAULT_TIMESCALES.with_overrides({"red": {"clock": "working"}})

    assert timescales.red == Timescale(240, "working")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"purple": {"minutes": 10}}, "unknown rating 'purple'"),
        ({"red": 240}, "red must be a mapping"),
        ({"red": {"minutes": 0}}, "red: minutes must be more than 0"),
        ({"red": {"minutes": "4 hours"}}, "red: minutes must be a whole number"),
        ({"amber": {"clock": "wall"}}, "amber: clock must be one of working, calendar"),
        ({"green": {"mins": 10}}, "green has unknown keys ['mins']"),
    ],
)
def test_broken_timescales_are_refused_with_a_clear_message(overrides, message):
    with pytest.raises(ValueError) as refused:
        DEFAULT_TIMESCALES.with_overrides(overrides)

    assert message in str(refused.value)


def test_a_calendar_clock_adds_real_minutes_across_a_clock_change():
    # Sat 29 Mar 2025 23:00 GMT plus 240 minutes is 03:00 UTC, which is 04:00 BST on Sunday:
    # adding on the London wall clock would wrongly give 03:00 BST.
    deadline = compute_deadline(london(2025, 3, 29, 23, 0), Timescale(240, "calendar"), CALENDAR)

    assert deadline == utc(2025, 3, 30, 3, 0)
    assert deadline.tzinfo is UTC


def test_a_red_contact_late_on_the_friday_before_a_bank_holiday_is_due_that_evening():
    inp = RatingInput(
        received_at=london(2025, 8, 22, 16, 55), risk_indicators=(Mention("child_alone"),)
    )

    result = rate(inp, load_rules(), DEFAULT_TIMESCALES, CALENDAR)

    assert result.rating == "red"
    assert result.deadline == utc(2025, 8, 22, 19, 55)


def test_an_amber_contact_late_on_the_friday_before_a_bank_holiday_is_due_on_tuesday():
    inp = RatingInput(received_at=london(2025, 8, 22, 16, 55), categories=(Mention("neglect"),))

    result = rate(inp, load_rules(), DEFAULT_TIMESCALES, CALENDAR)

    assert (result.rating, result.clock, result.minutes) == ("amber", "working", 480)
    assert result.deadline == utc(2025, 8, 26, 15, 55)


def test_a_hubs_own_timescales_set_the_deadline():
    merton = DEFAULT_TIMESCALES.with_overrides({"amber": {"minutes": 360, "clock": "calendar"}})
    inp = RatingInput(received_at=london(2025, 8, 22, 16, 55), categories=(Mention("neglect"),))

    result = rate(inp, load_rules(), merton, CALENDAR)

    assert (result.clock, result.minutes) == ("calendar", 360)
    assert result.deadline == utc(2025, 8, 22, 21, 55)
