"""The review queue, the unfinished drafts and the failed messages lists."""

from __future__ import annotations

import re
from datetime import timedelta

from intake import service
from intake.models import utcnow
from tests.review.support import outbound_message, person_match, reviewable_contact


def queue_references(page: str) -> list[str]:
    return re.findall(r'href="/officer/contacts/([A-Z0-9-]+)"', page)


def test_the_queue_lists_contacts_soonest_due_first_with_red_at_the_top(officer, session):
    now = utcnow()
    green = reviewable_contact(
        session, provisional_rating="green", deadline=now + timedelta(days=2)
    )
    red = reviewable_contact(session, provisional_rating="red", deadline=now + timedelta(hours=3))
    amber = reviewable_contact(
        session, provisional_rating="amber", deadline=now + timedelta(hours=7)
    )
    page = officer.get("/officer/queue").get_data(as_text=True)
    assert queue_references(page) == [red.reference, amber.reference, green.reference]


def test_a_rating_is_shown_as_a_word_and_a_colour(officer, session):
    reviewable_contact(session, provisional_rating="red")
    page = officer.get("/officer/queue").get_data(as_text=True)
    assert '<strong class="govuk-tag govuk-tag--red">Red</strong>' in page


def test_the_queue_shows_time_left_overdue_categories_channel_ages_and_matches(officer, session):
    now = utcnow()
    late = reviewable_contact(
        session,
        provisional_rating="red",
        deadline=now - timedelta(minutes=90),
        categories=["physical_abuse", "domestic_abuse"],
    )
    person_match(session, late)
    page = officer.get("/officer/queue").get_data(as_text=True)
    row = page[page.index(late.reference) :].split("</tr>")[0]
    assert "Overdue by 1 h 30 min" in row or "Overdue by 1 h 29 min" in row
    assert "Physical abuse, Domestic abuse" in row
    assert "Partner system" in row
    born = late.children[0].date_of_birth
    today = now.date()
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    assert f">{age}<" in row
    assert "1 to confirm" in row


def test_contacts_still_being_processed_are_listed_with_a_note(officer, session):
    from tests.builders import create_contact

    submitted = create_contact(session)
    page = officer.get("/officer/queue").get_data(as_text=True)
    row = page[page.index(submitted.reference) :].split("</tr>")[0]
    assert "Being processed" in row


def test_filters_narrow_the_queue_by_rating_category_status_and_channel(officer, session):
    red = reviewable_contact(session, provisional_rating="red", categories=["neglect"])
    amber = reviewable_contact(session, provisional_rating="amber", categories=["physical_abuse"])
    from tests.builders import create_contact

    processing = create_contact(session, channel="web")

    def refs(query: str) -> set[str]:
        return set(queue_references(officer.get(f"/officer/queue?{query}").get_data(as_text=True)))

    assert refs("rating=red") == {red.reference}
    assert refs("category=physical_abuse") == {amber.reference}
    assert refs("status=processing") == {processing.reference}
    assert refs("status=awaiting_review") == {red.reference, amber.reference}
    assert refs("channel=web") == {processing.reference}
    # An unknown filter value is ignored rather than emptying the queue.
    assert refs("rating=purple") == {red.reference, amber.reference, processing.reference}


def test_a_changed_rating_is_what_the_queue_filters_and_shows(officer, session):
    changed = reviewable_contact(session, provisional_rating="green", final_rating="red")
    page = officer.get("/officer/queue?rating=red").get_data(as_text=True)
    assert queue_references(page) == [changed.reference]
    assert "changed from Green" in page


def test_decided_contacts_leave_the_queue(officer, session):
    decided = reviewable_contact(session, status="decided", outcome="nfa")
    assert decided.reference not in officer.get("/officer/queue").get_data(as_text=True)


def test_a_restricted_contact_shows_only_its_reference_and_rating_to_staff_without_access(
    client_for, session
):
    hidden = reviewable_contact(session, restricted=True, categories=["sexual_abuse"])
    unrestricted = client_for("officer_unrestricted")
    page = unrestricted.get("/officer/queue").get_data(as_text=True)
    row = page[page.index(hidden.reference) :].split("</tr>")[0]
    assert "Restricted" in row and ">Amber<" in row
    assert "Sexual abuse" not in row
    assert f'href="/officer/contacts/{hidden.reference}"' not in page
    # Nor can a filter tell them what the hidden row does not.
    filtered = unrestricted.get("/officer/queue?category=sexual_abuse").get_data(as_text=True)
    assert hidden.reference not in filtered
    allowed = client_for("officer").get("/officer/queue").get_data(as_text=True)
    assert "Sexual abuse" in allowed[allowed.index(hidden.reference) :].split("</tr>")[0]


def test_the_queue_is_paged_fifty_at_a_time(officer, session):
    for _ in range(51):
        reviewable_contact(session)
    first = officer.get("/officer/queue").get_data(as_text=True)
    second = officer.get("/officer/queue?page=2").get_data(as_text=True)
    assert len(queue_references(first)) == 50
    assert len(queue_references(second)) == 1
    assert "Page 1 of 2" in first


def test_unfinished_calls_and_emails_are_listed_with_where_they_came_from(officer, session):
    call = service.new_contact(session, "voice", origin_address="+447700900456")
    web_draft = service.new_contact(session, "web")
    session.commit()
    page = officer.get("/officer/drafts").get_data(as_text=True)
    assert call.reference in page and "+447700900456" in page and "Phone call" in page
    assert web_draft.reference not in page  # web drafts belong to the browser that started them
    assert call.reference not in officer.get("/officer/queue").get_data(as_text=True)


def test_failed_messages_are_listed_for_follow_up(officer, session):
    contact = reviewable_contact(session)
    outbound_message(session, contact, status="failed")
    outbound_message(session, contact, status="delivered")
    page = officer.get("/officer/messages").get_data(as_text=True)
    assert page.count(f'href="/officer/contacts/{contact.reference}#messages"') == 1
    assert "550 mailbox unavailable" in page


def test_a_contact_not_yet_rated_comes_first_danger_now_before_the_rest(officer, session):
    now = utcnow()
    red = reviewable_contact(session, provisional_rating="red", deadline=now + timedelta(hours=1))
    stuck = reviewable_contact(session, status="processing", provisional_rating=None, deadline=None)
    in_danger = reviewable_contact(
        session,
        status="processing",
        provisional_rating=None,
        deadline=None,
        immediate_danger=True,
    )
    page = officer.get("/officer/queue").get_data(as_text=True)
    assert queue_references(page) == [in_danger.reference, stuck.reference, red.reference]


def test_an_unfinished_referral_in_danger_now_is_listed_first_and_tagged(officer, session):
    in_danger = service.new_contact(session, "email", origin_address="teacher@school.example")
    in_danger.immediate_danger = True
    session.commit()
    later = service.new_contact(session, "voice", origin_address="+447700900456")
    session.commit()
    page = officer.get("/officer/drafts").get_data(as_text=True)
    assert queue_references(page) == [in_danger.reference, later.reference]
    row = page[page.index(in_danger.reference) :].split("</tr>")[0]
    assert "Danger now" in row and "Danger now" not in page[page.index(later.reference) :]


def test_odd_page_numbers_show_the_first_page_not_an_error(officer, session):
    reviewable_contact(session)
    for page in ("²", "١", "-1", "99999999999999999999999"):
        assert officer.get(f"/officer/queue?page={page}").status_code == 200
        assert officer.get(f"/officer/drafts?page={page}").status_code == 200


def test_a_page_past_the_end_says_so_and_links_to_the_last(officer, session):
    reviewable_contact(session)
    page = officer.get("/officer/queue?page=99").get_data(as_text=True)
    assert "There is nothing on page 99: the list has 1 page." in page
    assert 'href="/officer/queue?page=1">Go to the last page' in page
    assert "showing" not in page
