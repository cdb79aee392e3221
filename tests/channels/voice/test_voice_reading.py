"""Reading what callers say and press, and the officers' opening hours."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels.voice import opening_hours, prompts, speech
from forms.parsing import parse_date
from forms.questions import BEFORE_CHILDREN, CHILD_QUESTIONS, TOP_LEVEL

DOB = next(q for q in CHILD_QUESTIONS if q.id == "date_of_birth")
AGE = next(q for q in CHILD_QUESTIONS if q.id == "age")
POSTCODE = next(q for q in CHILD_QUESTIONS if q.id == "postcode")
PHONE = next(q for q in BEFORE_CHILDREN if q.id == "referrer_phone")
EMAIL = next(q for q in BEFORE_CHILDREN if q.id == "referrer_email")


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("the third of April twenty fifteen", "2015-04-03"),
        ("3rd of April 2015", "2015-04-03"),
        ("April 3rd, 2015", "2015-04-03"),
        ("twenty first of March two thousand and nine", "2009-03-21"),
        ("the thirtieth of June twenty twenty", "2020-06-30"),
    ],
)
def test_spoken_dates_are_read_the_way_people_say_them(said, expected):
    assert parse_date(speech.spoken(DOB, said)).isoformat() == expected


def test_spoken_numbers_postcodes_phones_and_emails_become_what_a_person_would_type():
    assert AGE.parse(speech.spoken(AGE, "she's seven"), {}) == 7
    assert POSTCODE.parse(speech.spoken(POSTCODE, "L S one four A P"), {}) == "LS1 4AP"
    assert (
        PHONE.parse(speech.spoken(PHONE, "oh seven seven double oh nine oh oh one two three"), {})
        == "+447700900123"
    )
    assert (
        EMAIL.parse(speech.spoken(EMAIL, "sam dot patel at riverside dot example dot org"), {})
        == "sam.patel@riverside.example.org"
    )


def test_keypad_digits_stand_for_yes_no_choices_dates_and_this_phone():
    assert speech.keyed(TOP_LEVEL["immediate_danger"], "1", None) == "yes"
    assert speech.keyed(TOP_LEVEL["home_concerns"], "12", None) == [
        "domestic_abuse",
        "substance_misuse",
    ]
    assert speech.keyed(DOB, "03042015", None) == "03 04 2015"
    assert speech.keyed(PHONE, "1", "+447700900456") == "+447700900456"
    assert speech.keyed(TOP_LEVEL["concern"], "1", None) is None  # words cannot be keyed


def test_values_are_read_back_as_they_are_said():
    assert prompts.spoken_value(DOB, "2015-04-03") == "3rd of April 2015"
    assert prompts.spoken_value(DOB, "2015-04-11") == "11th of April 2015"
    assert prompts.spoken_value(POSTCODE, "LS1 4AP") == "L S 1, 4 A P"
    assert prompts.spoken_value(PHONE, "+447700900123") == "0 7 7 0 0, 9 0 0 1 2 3"
    assert prompts.spell("ABCD-EFG2") == "A, B, C, D, then E, F, G, 2"


def test_low_confidence_speech_is_unsure_but_a_key_press_never_is():
    assert speech.Heard(speech="yes", confidence=0.49).unsure
    assert not speech.Heard(speech="yes", confidence=0.5).unsure
    assert not speech.Heard(speech="yes").unsure  # Twilio sent no confidence
    assert not speech.Heard(digits="1", confidence=0.1).unsure


HOURS = "Mon-Fri 09:00-17:00 Europe/London"


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (datetime(2026, 11, 24, 9, 0, tzinfo=UTC), True),  # Tuesday 9am in London (GMT)
        (datetime(2026, 11, 24, 16, 59, tzinfo=UTC), True),
        (datetime(2026, 11, 24, 17, 0, tzinfo=UTC), False),
        (datetime(2026, 11, 28, 12, 0, tzinfo=UTC), False),  # Saturday
        (datetime(2026, 7, 14, 8, 30, tzinfo=UTC), True),  # 9:30am in London (BST)
        (datetime(2026, 12, 25, 12, 0, tzinfo=UTC), False),  # Christmas Day
    ],
)
def test_officers_are_available_in_opening_hours_on_working_days(moment, open_):
    assert opening_hours.is_open(HOURS, moment) is open_


def test_opening_hours_are_described_in_words_and_bad_settings_are_refused():
    assert opening_hours.describe(HOURS) == "Monday to Friday, 9am to 5pm"
    assert opening_hours.describe("Sat 10:30-13:00 Europe/London") == "Saturday, 10:30am to 1pm"
    for bad in (
        "weekdays 9-5",
        "Mon-Fri 17:00-09:00 Europe/London",
        "Mon-Fri 09:00-17:00 Mars/Olympus",
    ):
        with pytest.raises(opening_hours.OpeningHoursError):
            opening_hours.calendar(bad)
