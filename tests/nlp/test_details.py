"""Details for pre-filling answers: dates of birth, ages, postcodes, phones, emails, names,
schools."""

import datetime as dt

from nlp import extract
from nlp.details import find_details


def values(items):
    return [item.value for item in items]


def test_a_numeric_date_of_birth_is_read_day_first():
    assert values(extract("DOB 03/04/2015").entities.dates_of_birth) == ["2015-04-03"]


def test_a_written_date_of_birth_is_read():
    assert values(extract("She was born 3rd April 2015.").entities.dates_of_birth) == ["2015-04-03"]


def test_a_date_of_birth_in_brackets_after_a_name_is_read():
    entities = extract("Jordan Smith (03.04.2015) attends Year 5.").entities
    assert values(entities.dates_of_birth) == ["2015-04-03"]


def test_a_two_digit_year_is_this_century_unless_in_the_future():
    entities = find_details("d.o.b. 1/2/09", today=dt.date(2026, 1, 1))
    assert values(entities.dates_of_birth) == ["2009-02-01"]


def test_an_impossible_date_is_not_a_date_of_birth():
    assert extract("DOB 31/02/2015").entities.dates_of_birth == []


def test_a_date_that_is_not_a_birth_date_is_not_taken():
    assert extract("The incident happened on 03/04/2024.").entities.dates_of_birth == []


def test_ages_are_read_in_several_forms():
    text = "She's 7. Her brother, aged 12, and a 4-year-old cousin; also a 15yo friend."
    ages = extract(text).entities.ages
    assert [(a.value, a.unit) for a in ages] == [
        (7, "years"),
        (12, "years"),
        (4, "years"),
        (15, "years"),
    ]


def test_an_age_in_months_keeps_its_unit():
    ages = extract("a 6 month old baby").entities.ages
    assert [(a.value, a.unit) for a in ages] == [(6, "months")]


def test_an_adults_age_is_not_a_childs_age():
    assert extract("Dad is 34 and mum is 29.").entities.ages == []


def test_a_time_is_not_an_age():
    assert extract("He is 7 o'clock late, she was 5 minutes late.").entities.ages == []


def test_a_postcode_is_normalised():
    entities = extract("They live at 10 High Street, ls1 4ap.").entities
    assert values(entities.postcodes) == ["LS1 4AP"]


def test_a_phone_number_is_found_as_e164():
    entities = extract("Call me on 07700 900123 after 3pm.").entities
    assert values(entities.phones) == ["+447700900123"]
    assert entities.phones[0].text == "07700 900123"


def test_an_email_is_found():
    entities = extract("Email sam.patel@riverside.example.org please.").entities
    assert values(entities.emails) == ["sam.patel@riverside.example.org"]


def test_a_school_is_found_after_goes_to():
    assert values(extract("He goes to Riverside Primary.").entities.schools) == [
        "Riverside Primary"
    ]


def test_a_school_is_found_in_a_lowercase_transcript():
    assert values(extract("um she goes to oakwood academy").entities.schools) == ["oakwood academy"]


def test_a_church_school_name_is_kept_whole():
    schools = extract("She attends St Mary's C of E Primary School.").entities.schools
    assert values(schools) == ["St Mary's C of E Primary School"]


def test_the_referrers_name_is_taken_from_my_name_is():
    names = extract("Hello, my name is Sarah Jones and I'm a teacher.").entities.names
    assert [(n.value, n.role) for n in names] == [("Sarah Jones", "referrer")]


def test_a_lowercase_spoken_name_is_title_cased():
    names = extract("um hi my name is sarah jones").entities.names
    assert [(n.value, n.role) for n in names] == [("Sarah Jones", "referrer")]


def test_the_childs_name_is_taken_from_the_child_is_called():
    names = extract("The child is called Jordan Smith.").entities.names
    assert [(n.value, n.role) for n in names] == [("Jordan Smith", "child")]


def test_a_parents_name_is_taken_with_its_role():
    names = extract("Dad, Mark Jones, was at the address.").entities.names
    assert [(n.value, n.role) for n in names] == [("Mark Jones", "father")]


def test_a_name_with_a_date_of_birth_is_the_childs():
    names = extract("Jordan Smith (DOB 03/04/2015) was seen today.").entities.names
    assert [(n.value, n.role) for n in names] == [("Jordan Smith", "child")]


def test_a_capitalised_word_is_not_a_name_unless_the_text_says_so():
    assert extract("Police Attended The House On Tuesday.").entities.names == []


def test_entity_offsets_quote_the_original_text():
    text = "<b>DOB</b> 03/04/2015, call 07700&nbsp;900123"
    entities = extract(text).entities
    for item in [*entities.dates_of_birth, *entities.phones]:
        assert text[item.start : item.end] == item.text
