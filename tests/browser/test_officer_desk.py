"""An officer works a Red contact from the top of the queue to an outcome in headless Chromium,
then a manager finds every step in the audit log. axe-core checks each page on the way."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from channels.email.attachments import store_attachments
from channels.email.parse import RawAttachment
from intake.models import AuditEvent, Contact, utcnow
from intake.models.records import PersonMatch
from tests.browser import axe
from tests.review.support import PASSWORD, PERSONAS, make_user, person_match, reviewable_contact

pytestmark = pytest.mark.browser


@pytest.fixture
def accessibility_report():
    problems: list[str] = []

    def check(page: Page) -> None:
        found = axe.violations(page)
        if found:
            problems.append(axe.describe(page.url, found))

    yield check
    assert not problems, "axe-core found accessibility problems:\n" + "\n".join(problems)


FORM = b"%PDF-1.7\n% the school's referral form\n%%EOF"


@pytest.fixture
def desk(db, app):
    """An officer and a manager, and a queue with a Red contact due first, which came by email
    with the school's referral form attached."""
    now = utcnow()
    with db.session() as session:
        officer = make_user(session, PERSONAS["officer"])
        manager = make_user(session, PERSONAS["manager"])
        reviewable_contact(session, provisional_rating="green", deadline=now + timedelta(days=2))
        red = reviewable_contact(
            session,
            provisional_rating="red",
            deadline=now + timedelta(hours=3),
            categories=["physical_abuse", "domestic_abuse"],
        )
        reviewable_contact(session, provisional_rating="amber", deadline=now + timedelta(hours=6))
        match = person_match(session, red)
        store_attachments(
            session,
            app.extensions["frontdoor.settings"],
            red,
            [RawAttachment("Referral form.pdf", "application/pdf", FORM)],
        )
        session.commit()
        return {
            "officer": (officer.email, officer.totp_secret),
            "manager": (manager.email, manager.totp_secret),
            "reference": red.reference,
            "match_id": match.id,
        }


def sign_in(page: Page, base: str, email: str, secret: str, check) -> None:
    page.goto(base + "/officer/")
    expect(page).to_have_url(re.compile(r"/officer/sign-in"))
    check(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(
        page.get_by_role("heading", name="Enter the code from your authenticator app")
    ).to_be_visible()
    check(page)
    page.get_by_label("Enter the code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Sign in").click()


def test_an_officer_decides_a_red_contact_and_a_manager_sees_it_in_the_audit_log(
    browser, live_server, desk, db, accessibility_report
):
    check = accessibility_report
    # bypass_csp lets axe-core be injected; the policy itself is checked in the next test.
    officer = browser.new_context(bypass_csp=True).new_page()
    sign_in(officer, live_server, *desk["officer"], check)

    expect(officer.get_by_role("heading", name="Review queue")).to_be_visible()
    check(officer)
    first_row = officer.locator("#queue tbody tr").first
    expect(first_row).to_contain_text("Red")
    expect(first_row).to_contain_text(desk["reference"])
    expect(first_row).to_contain_text("1 to confirm")
    first_row.get_by_role("link", name=desk["reference"]).click()

    expect(officer.get_by_role("heading", name=f"Contact {desk['reference']}")).to_be_visible()
    expect(officer.locator("#concern-text mark").first).to_have_text("bruise")
    check(officer)

    with officer.expect_download() as downloading:
        officer.get_by_role("link", name="Download Referral form.pdf").click()
    download = downloading.value
    assert download.suggested_filename == "Referral form.pdf"
    assert Path(download.path()).read_bytes() == FORM

    match = officer.locator(f"#match-{desk['match_id']}")
    expect(match).to_contain_text("Disagrees")
    match.get_by_role("button", name=re.compile("Confirm: same person")).click()
    expect(officer.locator(".govuk-notification-banner")).to_contain_text("Match confirmed")
    check(officer)

    officer.get_by_label("Amber", exact=True).check()
    officer.get_by_role("button", name="Save rating").click()
    expect(officer.locator(".govuk-error-summary")).to_contain_text(
        "Explain why you are changing the rating from Red to Amber"
    )
    check(officer)
    officer.get_by_label("Amber", exact=True).check()
    officer.get_by_label("Why you are changing the rating").fill(
        "Police confirm the adult has left the home; the child is safe tonight."
    )
    officer.get_by_role("button", name="Save rating").click()
    expect(officer.locator("#rating-now")).to_contain_text("changed from Red")

    officer.get_by_label("Stepped across to Early Help").check()
    officer.get_by_label("Note about the decision").fill("Mother agrees to Early Help support.")
    officer.get_by_role("button", name="Record the outcome").click()
    expect(officer.locator(".govuk-notification-banner")).to_contain_text("Outcome recorded")
    expect(officer.locator("#outcome-recorded")).to_have_text("Stepped across to Early Help")
    check(officer)

    officer.goto(live_server + "/officer/dashboard")
    check(officer)
    officer.goto(live_server + "/officer/drafts")
    check(officer)
    officer.goto(live_server + "/officer/messages")
    check(officer)

    with db.session() as session:
        contact = session.scalar(select(Contact).where(Contact.reference == desk["reference"]))
        assert (contact.provisional_rating, contact.final_rating) == ("red", "amber")
        assert contact.status == "decided" and contact.outcome == "early_help"
        assert session.get(PersonMatch, desk["match_id"]).status == "confirmed"

    manager = browser.new_context(bypass_csp=True).new_page()
    sign_in(manager, live_server, *desk["manager"], check)
    manager.goto(live_server + "/officer/audit")
    check(manager)
    manager.get_by_label("Contact reference").fill(desk["reference"])
    manager.get_by_role("button", name="Search").click()
    log = manager.locator("#audit-entries")
    for action in (
        "Contact viewed",
        "Attachment downloaded",
        "Match confirmed",
        "Rating changed",
        "Outcome recorded",
    ):
        expect(log).to_contain_text(action)
    expect(log).to_contain_text(desk["officer"][0])
    check(manager)
    manager.goto(live_server + "/officer/reports")
    check(manager)


def test_the_officer_pages_work_under_the_content_security_policy(browser, live_server, desk, db):
    """No inline script or style is blocked: the browser reports no CSP violation."""
    page = browser.new_context().new_page()
    blocked: list[str] = []
    page.on(
        "console",
        lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    sign_in(page, live_server, *desk["officer"], lambda _page: None)
    for path in ("/officer/queue", f"/officer/contacts/{desk['reference']}", "/officer/dashboard"):
        page.goto(live_server + path)
        expect(page.locator("main")).to_be_visible()
    # The dashboard's own script ran: it offers to stop the updates it started.
    stop = page.get_by_role("button", name="Stop updating")
    expect(stop).to_be_visible()
    stop.click()
    expect(page.get_by_role("button", name="Start updating again")).to_be_visible()
    assert blocked == []
    with db.session() as session:
        assert (
            session.scalar(select(AuditEvent).where(AuditEvent.action == "contact_viewed"))
            is not None
        )
