"""The wall screen: today's counts and timeliness by rating, refreshing itself."""

from __future__ import annotations

import re
from datetime import timedelta

from intake.models import utcnow
from intake.review import figures
from tests.review.support import outbound_message, reviewable_contact


def cell(page: str, rating_word: str, column: int) -> str:
    row = page[page.index(f">{rating_word}</strong></th>") :].split("</tr>")[0]
    return re.findall(r'numeric">(?:<strong>)?([^<]*)', row)[column]


def test_the_dashboard_refreshes_its_figures_from_a_script_file_with_a_link_as_fallback(
    officer, client
):
    page = officer.get("/officer/dashboard").get_data(as_text=True)
    assert '<script type="module" src="/assets/officer/dashboard.js"></script>' in page
    assert 'id="figures" data-refresh-seconds="60"' in page
    assert 'href="/officer/dashboard">Refresh the figures' in page
    assert "<script>" not in page and 'http-equiv="refresh"' not in page
    script = client.get("/assets/officer/dashboard.js")
    assert script.status_code == 200 and "Stop updating" in script.get_data(as_text=True)


def test_the_dashboard_counts_today_by_rating(officer, session):
    now = utcnow()
    reviewable_contact(session, provisional_rating="red", deadline=now - timedelta(minutes=5))
    reviewable_contact(session, provisional_rating="red", deadline=now + timedelta(minutes=30))
    reviewable_contact(
        session,
        provisional_rating="amber",
        final_rating="amber",
        status="decided",
        decided_at=now,
        deadline=now + timedelta(hours=1),
    )
    reviewable_contact(
        session,
        provisional_rating="amber",
        final_rating="amber",
        status="decided",
        decided_at=now,
        deadline=now - timedelta(hours=1),
    )
    page = officer.get("/officer/dashboard").get_data(as_text=True)
    assert re.search(r'id="received-count">4<', page)
    assert re.search(r'id="overdue-count">1<', page)
    assert re.search(r'id="decided-count">2<', page)
    # Red: received 2, waiting 2, due within the hour 1, overdue 1.
    assert [cell(page, "Red", i) for i in range(4)] == ["2", "2", "1", "1"]
    # Amber: two decided today, one of them on time.
    assert cell(page, "Amber", 4) == "2" and cell(page, "Amber", 5) == "50%"


def test_contacts_from_before_today_count_only_while_they_are_open(session):
    now = utcnow()
    yesterday = figures.day_start(now) - timedelta(hours=2)
    reviewable_contact(session, provisional_rating="green", submitted_at=yesterday)
    reviewable_contact(
        session,
        provisional_rating="green",
        submitted_at=yesterday,
        status="decided",
        decided_at=yesterday,
    )
    today = figures.today(session, now)
    assert today.by_rating["green"].received == 0
    assert today.by_rating["green"].waiting == 1
    assert today.by_rating["green"].decided == 0


def test_undelivered_messages_today_are_counted_for_follow_up(officer, session):
    contact = reviewable_contact(session)
    outbound_message(session, contact, status="failed")
    page = officer.get("/officer/dashboard").get_data(as_text=True)
    assert "1 not delivered" in page and 'href="/officer/messages"' in page
