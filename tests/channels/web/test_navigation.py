import re
from itertools import pairwise

from tests.channels.web.referrer import CHECK, FIRST, PROFESSIONAL, SECOND_CHILD, field, fill, name


def back_link(page):
    return re.search(r'<a href="([^"]+)" class="govuk-back-link">', page).group(1)


def test_the_first_question_goes_back_to_the_start_page(client):
    assert back_link(client.get(FIRST).text) == "/refer"


def test_every_question_goes_back_to_the_one_asked_before_it(client):
    asked = fill(client, PROFESSIONAL)
    for previous, key in pairwise(asked):
        assert back_link(client.get(f"/refer/q/{key}").text) == f"/refer/q/{previous}", key


def test_going_back_shows_the_answer_given_and_continuing_walks_forward_through_the_answers(client):
    fill(client, PROFESSIONAL)
    phone = field(client.get("/refer/q/referrer_phone").text, "answer")
    assert phone["value"] == "07700 900123"
    assert phone["type"] == "tel" and phone["autocomplete"] == "tel"

    response = client.post("/refer/q/referrer_phone", data={"answer": "07700 900456"})

    assert response.location == "/refer/q/referrer_email"
    assert (
        field(client.get(response.location).text, "answer")["value"]
        == "sam.patel@riverside.example.org"
    )


def test_answers_are_shown_again_in_the_fields_they_were_given_in(client):
    fill(client, PROFESSIONAL)
    date_page = client.get("/refer/q/child.0.date_of_birth").text
    for part, value in PROFESSIONAL["child.0.date_of_birth"].items():
        assert field(date_page, part)["value"] == value
    name_page = client.get("/refer/q/child.0.name").text
    assert field(name_page, "answer-given")["value"] == "Jordan"
    assert field(name_page, "answer-family")["value"] == "Smith"
    checkbox_page = client.get("/refer/q/home_concerns").text
    assert re.search(r'value="domestic_abuse" checked', checkbox_page)
    assert not re.search(r'value="mental_health" checked', checkbox_page)
    radio_page = client.get("/refer/q/child.0.more").text
    assert re.search(r'value="no" checked', radio_page)


def test_a_change_from_check_answers_returns_to_check_answers_with_the_new_answer(client):
    fill(client, PROFESSIONAL)
    page = client.get("/refer/q/concern_when?change=1").text
    assert back_link(page) == CHECK
    assert 'action="/refer/q/concern_when?change=1"' in page

    response = client.post("/refer/q/concern_when?change=1", data={"answer": "last Tuesday"})

    assert response.location == CHECK
    assert "last Tuesday" in client.get(CHECK).text


def test_adding_a_child_from_check_answers_asks_about_them_then_returns(client):
    fill(client, PROFESSIONAL)

    asked = fill(
        client, {**PROFESSIONAL, **SECOND_CHILD}, location="/refer/q/child.0.more?change=1"
    )

    assert asked == list(SECOND_CHILD)
    assert "Amy Smith" in client.get(CHECK).text


def test_changing_consent_to_not_asked_asks_why_before_returning(client):
    fill(client, {**PROFESSIONAL, "consent": "yes"})
    answers = {
        **PROFESSIONAL,
        "consent": "no",
        "consent_reason": "other",
        "consent_reason_detail": "Dad refused to talk to me.",
    }

    asked = fill(client, answers, location="/refer/q/consent?change=1")

    assert asked == ["consent", "consent_reason", "consent_reason_detail"]
    assert "Dad refused to talk to me." in client.get(CHECK).text


def test_a_question_for_the_second_child_has_its_own_heading_and_page_title(client):
    fill(client, {**PROFESSIONAL, **SECOND_CHILD})
    page = client.get("/refer/q/child.1.name").text
    assert "<title>Child 2: What is the child&#39;s name? – " in page
    assert '<span class="govuk-caption-l">Child 2</span> What is the child&#39;s name?' in page


def test_household_members_are_numbered_too(client):
    answers = {
        **PROFESSIONAL,
        "household.0.more": "yes",
        "household.1.name": name("Darren", "Jones"),
        "household.1.relationship": "step_parent",
        "household.1.more": "no",
    }
    fill(client, answers)
    page = client.get("/refer/q/household.1.relationship").text
    assert "<title>Household member 2: How are they related to the child? – " in page
