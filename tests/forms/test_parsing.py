from datetime import date

import pytest

from forms import parsing
from forms.parsing import ParseError, can_take_texts

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03/04/2015", date(2015, 4, 3)),
        ("3/4/15", date(2015, 4, 3)),
        ("2015-04-03", date(2015, 4, 3)),
        ("3rd April 2015", date(2015, 4, 3)),
        ("born the 3rd of april 2015", date(2015, 4, 3)),
        ("April 3rd, 2015", date(2015, 4, 3)),
        ({"day": "3", "month": "4", "year": "2015"}, date(2015, 4, 3)),
    ],
)
def test_dates_are_read_day_first_the_british_way(text, expected):
    assert parsing.parse_date(text) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"day": "31", "month": "2", "year": "2015"}, "real date"),
        ({"day": "3", "month": "", "year": "2015"}, "must include a month"),
        ("next tuesday", "day, month and year"),
        (42, "Enter a date"),
    ],
)
def test_a_bad_date_says_how_to_put_it_right(raw, message):
    with pytest.raises(ParseError, match=message):
        parsing.parse_date(raw)


def test_a_date_of_birth_in_the_future_is_refused_and_points_to_unborn():
    with pytest.raises(ParseError, match="not born yet"):
        parsing.parse_date_of_birth("1/1/2027", TODAY)


def test_a_date_of_birth_of_an_adult_is_refused():
    with pytest.raises(ParseError, match="under 18"):
        parsing.parse_date_of_birth("22/11/2008", TODAY)
    assert parsing.parse_date_of_birth("24/11/2008", TODAY) == date(2008, 11, 24)


def test_an_expected_date_must_be_within_ten_months():
    assert parsing.parse_expected_date("1/3/2027", TODAY) == date(2027, 3, 1)
    with pytest.raises(ParseError):
        parsing.parse_expected_date("1/3/2028", TODAY)


@pytest.mark.parametrize(
    ("raw", "expected"), [("ls14ap", "LS1 4AP"), (" sw1a 1aa ", "SW1A 1AA"), ("M1 1AE", "M1 1AE")]
)
def test_postcodes_are_normalised(raw, expected):
    assert parsing.parse_postcode(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "LS1", "QQ1 1QQ", "", "LS1 4AP LS1 4AP"])
def test_bad_postcodes_are_refused(raw):
    with pytest.raises(ParseError):
        parsing.parse_postcode(raw)


def test_phone_numbers_are_stored_in_international_form():
    assert parsing.parse_phone("07700 900123") == "+447700900123"
    assert parsing.parse_phone("0113 496 0000") == "+441134960000"
    assert parsing.parse_phone("+44 20 7946 0018") == "+442079460018"


@pytest.mark.parametrize("raw", ["0770090", "not a number", "+44 1", "07700 900123 4"])
def test_bad_phone_numbers_are_refused(raw):
    with pytest.raises(ParseError):
        parsing.parse_phone(raw)


def test_emails_are_checked_for_form_only():
    assert parsing.parse_email("Sam@Example.org") == "Sam@example.org"
    with pytest.raises(ParseError):
        parsing.parse_email("sam@")


def test_a_typed_name_is_split_into_first_and_last():
    assert parsing.parse_name("my name is Mary Ann Jones").as_dict() == {
        "given": "Mary Ann",
        "family": "Jones",
    }
    assert parsing.parse_name("Jordan").as_dict() == {"given": "Jordan", "family": None}


@pytest.mark.parametrize(
    ("raw", "expected"), [("yes", True), ("Yeah I think so", True), ("no", False), ("NOPE", False)]
)
def test_yes_and_no_are_understood(raw, expected):
    assert parsing.parse_yes_no(raw) is expected


def test_control_characters_are_removed_from_text():
    assert parsing.clean_text("a\x00b\x1bc\nd", max_length=10, what="x") == "abc\nd"


@pytest.mark.parametrize(
    ("typed", "years"),
    [
        ("7", 7),
        ("she's about seven", 7),
        ("7 yrs", 7),
        ("6 months", 0),  # a baby: never six years
        ("six months", 0),
        ("3 weeks", 0),
        ("10 days", 0),
        ("18 months", 1),
        ("2.5", 2),
    ],
)
def test_an_age_is_read_in_whole_years_whatever_the_unit(typed, years):
    assert parsing.parse_age(typed) == years


@pytest.mark.parametrize("typed", ["-1", "old", "18", "20", "no one knows"])
def test_an_age_that_is_not_a_childs_is_refused(typed):
    with pytest.raises(parsing.ParseError):
        parsing.parse_age(typed)


@pytest.mark.parametrize(
    ("number", "texts"),
    [
        ("+447700900123", True),  # Ofcom's drama mobile range
        ("+447911123456", True),
        ("+441134960123", False),  # Ofcom's drama Leeds range: a landline
        ("+441132345678", False),
        ("+33612345678", True),  # a French mobile
        ("+4930123456", False),  # a Berlin landline
    ],
)
def test_only_a_number_that_can_take_texts_is_offered_them(number, texts):
    assert can_take_texts(number) is texts
