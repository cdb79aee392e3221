import re

import pytest
from rq import Queue
from sqlalchemy import func, select

from intake import service
from intake.models import Answer, Contact, ContactEvent, OutboundMessage, OutboxJob
from tests.channels.web.referrer import (
    CHECK,
    FIRST,
    PROFESSIONAL,
    SECOND_CHILD,
    fill,
    name,
    referral,
    submit,
)
from workers import queues

PROCESS_JOBS = (
    select(func.count()).select_from(OutboxJob).where(OutboxJob.kind == "process_contact")
)


def contact_by_reference(session, reference):
    return session.scalar(select(Contact).where(Contact.reference == reference))


@pytest.mark.parametrize("backend", ["postgres", "embedded"], indirect=True)
def test_a_professional_refers_one_child_and_the_contact_is_stored_with_answers_and_queued(
    client, session, redis_conn
):
    asked = fill(client, PROFESSIONAL)
    assert asked == list(PROFESSIONAL)

    reference = submit(client)

    contact = contact_by_reference(session, reference)
    assert contact.status == "submitted" and contact.channel == "web"
    assert (
        contact.referrer_source == "2A"
        and contact.referrer_email == "sam.patel@riverside.example.org"
    )
    assert contact.referrer_phone == "+447700900123"
    assert [(c.given_name, c.family_name, c.postcode) for c in contact.children] == [
        ("Jordan", "Smith", "LS1 4AP")
    ]
    assert [(p.given_name, p.relationship_to_child) for p in contact.household] == [
        ("Kelly", "mother")
    ]
    assert contact.concern_description.startswith("Jordan came in with a bruise")
    assert contact.home_concerns == ["domestic_abuse", "substance_misuse"]
    answered = session.scalars(
        select(Answer.question_key).where(Answer.contact_id == contact.id)
    ).all()
    assert sorted(answered) == sorted(PROFESSIONAL)
    assert (
        session.scalar(select(Answer.raw).where(Answer.question_key == "child.0.postcode"))
        == "ls1 4ap"
    )
    outbox = session.scalars(
        select(OutboxJob).where(
            OutboxJob.kind == "process_contact", OutboxJob.subject_id == contact.id
        )
    ).all()
    assert len(outbox) == 1
    assert Queue(queues.CONTACTS, connection=redis_conn).job_ids == [outbox[0].job_id]


def test_the_confirmation_page_shows_the_reference_and_what_happens_next(client):
    fill(client, PROFESSIONAL)
    reference = submit(client)

    page = client.get("/refer/confirmation").text
    assert "Referral received" in page
    assert f"Your reference is<br><strong>{reference}</strong>" in page
    assert "What happens next" in page
    assert "We will email you" in page and "what we decide" in page
    assert "call 999" in page


def test_two_children_and_two_household_members_are_stored_in_one_contact(client, session):
    answers = referral(
        **SECOND_CHILD,
        **{
            "household.0.more": "yes",
            "household.1.name": name("Darren", "Jones"),
            "household.1.relationship": "step_parent",
            "household.1.more": "no",
        },
    )
    asked = fill(client, answers)
    assert "child.1.name" in asked and "household.1.relationship" in asked

    check = client.get(CHECK).text
    assert "Child 1" in check and "Child 2" in check and "Household member 2" in check

    contact = contact_by_reference(session, submit(client))
    assert [(c.given_name, c.gender, c.school) for c in contact.children] == [
        ("Jordan", "male", "Riverside Primary School"),
        ("Amy", "female", "Little Acorns Nursery"),
    ]
    assert [p.relationship_to_child for p in contact.household] == ["mother", "step_parent"]


def test_saying_a_child_is_in_immediate_danger_shows_call_999_then_carries_on_and_flags_it(
    client, session
):
    response = client.post(FIRST, data={"answer": "yes"})
    assert response.location == "/refer/danger"
    page = client.get("/refer/danger").text
    assert "Call 999 now" in page
    assert 'href="/refer/q/referrer_type" role="button"' in page

    fill(client, referral(immediate_danger="yes"), location="/refer/q/referrer_type")
    contact = contact_by_reference(session, submit(client))
    assert contact.immediate_danger is True
    steps = session.scalars(
        select(ContactEvent.step).where(ContactEvent.contact_id == contact.id)
    ).all()
    assert "told_to_call_999" in steps


def test_consent_not_asked_is_stored_with_its_reason_and_the_persons_words(client, session):
    fill(client, PROFESSIONAL)
    contact = contact_by_reference(session, submit(client))
    assert contact.consent_answer == "not_asked"
    assert contact.consent_reason == "risk_of_harm"
    assert contact.consent_reason_detail == "Telling mum would warn her boyfriend."


def test_consent_given_skips_the_reason_questions(client, session):
    asked = fill(client, referral(consent="yes"))
    assert "consent_reason" not in asked and "consent_reason_detail" not in asked
    contact = contact_by_reference(session, submit(client))
    assert contact.consent_answer == "yes" and contact.consent_reason is None


def test_a_member_of_the_public_can_stay_anonymous_and_is_not_asked_for_contact_details(
    client, session
):
    answers = referral(
        referrer_type="public",
        anonymous="yes",
        referrer_name=None,
        referrer_role=None,
        referrer_organisation=None,
        referrer_phone=None,
        referrer_email=None,
        feedback_by=None,
    )
    asked = fill(client, answers)
    assert not {"referrer_name", "referrer_phone", "referrer_email", "feedback_by"} & set(asked)
    reference = submit(client)
    assert "you chose to stay anonymous" in client.get("/refer/confirmation").text.lower()
    contact = contact_by_reference(session, reference)
    assert contact.referrer_anonymous and contact.referrer_source == "9"


def test_submitting_twice_sends_the_referral_once(client, session):
    fill(client, PROFESSIONAL)
    reference = submit(client)

    again = client.post(CHECK)

    assert again.location == "/refer/confirmation"
    assert reference in client.get("/refer/confirmation").text
    assert session.scalar(select(func.count()).select_from(Contact)) == 1
    assert session.scalar(PROCESS_JOBS) == 1


def test_a_second_tab_submitting_the_same_draft_gets_the_confirmation_not_a_second_contact(
    app, session
):
    first = app.test_client()
    fill(first, PROFESSIONAL)
    second = app.test_client()
    second.set_cookie("session", first.get_cookie("session").value)

    reference = submit(first)
    response = second.post(CHECK)

    assert response.location == "/refer/confirmation"
    assert reference in second.get("/refer/confirmation").text
    assert session.scalar(PROCESS_JOBS) == 1


def test_old_question_pages_cannot_change_a_submitted_referral(client, session):
    fill(client, PROFESSIONAL)
    reference = submit(client)

    get = client.get("/refer/q/referrer_name")
    post = client.post("/refer/q/referrer_name", data={"answer": "Someone Else"})

    assert get.location == "/refer" and post.location == "/refer"
    contact = contact_by_reference(session, reference)
    assert contact.referrer_name == "Sam Patel"
    assert contact.flow_state["answers"]["referrer_name"] == "Sam Patel"


def test_questions_cannot_be_skipped_by_typing_their_address(client):
    client.post(FIRST, data={"answer": "no"})

    response = client.get("/refer/q/concern")

    assert response.location == "/refer/continue"
    assert client.get("/refer/continue").location == "/refer/q/referrer_type"


def test_check_answers_sends_an_unfinished_referral_back_to_the_next_question(client):
    client.post(FIRST, data={"answer": "no"})
    assert client.get(CHECK).location == "/refer/q/referrer_type"
    assert client.post(CHECK).location == "/refer/q/referrer_type"


def test_pages_after_the_first_need_a_referral_in_progress(client):
    for path in (
        "/refer/q/referrer_type",
        "/refer/check",
        "/refer/save",
        "/refer/danger",
        "/refer/continue",
        "/refer/confirmation",
    ):
        assert client.get(path).location == "/refer", path


def test_check_answers_lists_every_answer_with_a_change_link(client):
    fill(client, PROFESSIONAL)

    page = client.get(CHECK).text

    for key in PROFESSIONAL:
        assert f'href="/refer/q/{key}?change=1"' in page, key
    assert "Jordan Smith" in page and "LS1 4AP" in page and "07700 900123" in page
    assert (
        "Jordan came in with a bruise on his cheek.<br>He said mum&#39;s boyfriend hit him." in page
    )
    assert re.search(
        r'Change<span class="govuk-visually-hidden"> What is the child&#39;s name\? \(Child 1\)</span>',
        page,
    )


@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
def test_a_submit_that_loses_a_race_for_the_same_draft_shows_the_confirmation(
    client, db, session, monkeypatch
):
    # SQLite cannot lock the draft row, so two submits at once (two tabs, a script) both get
    # past the check; the one that commits second must not fail with a 500.
    fill(client, PROFESSIONAL)
    submit_now = service.submit

    def the_other_tab_first(db_session, contact, state):
        with db.session() as other:
            theirs = other.get(Contact, contact.id)
            submit_now(other, theirs, service.load_state(theirs))
            other.commit()
        submit_now(db_session, contact, state)

    monkeypatch.setattr(service, "submit", the_other_tab_first)
    response = client.post(CHECK)
    assert response.status_code == 302 and response.location == "/refer/confirmation"
    contact = session.scalars(select(Contact)).one()
    assert contact.reference in client.get("/refer/confirmation").text
    acknowledgements = session.scalars(
        select(OutboundMessage).where(OutboundMessage.contact_id == contact.id)
    ).all()
    assert len(acknowledgements) == 1


def test_a_named_member_of_the_public_with_no_phone_or_email_is_told_we_cannot_reply(client):
    answers = referral(
        referrer_type="public",
        anonymous="no",
        referrer_role=None,
        referrer_organisation=None,
        referrer_phone="",
        referrer_email="",
        feedback_by=None,
    )
    asked = fill(client, answers)
    assert "feedback_by" not in asked
    submit(client)
    page = client.get("/refer/confirmation").text
    assert "You did not give us a phone number or email address" in page
    assert "You told us you do not need to hear back" not in page
