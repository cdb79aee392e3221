"""A new user makes referrals in headless Chromium, with and without JavaScript, and axe-core
checks every page they see."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect
from redis import Redis
from rq import Queue
from sqlalchemy import select

from intake.models import Contact, OutboxJob
from intake.references import REFERENCE_PATTERN
from tests.browser import axe
from tests.browser.referrer import Referrer
from workers import queues
from workers.context import get_context
from workers.runner import run_worker

pytestmark = pytest.mark.browser

TODAY = date.today()


@pytest.fixture
def accessibility_report():
    """Every page's serious and critical axe violations, reported together at the end."""
    problems: list[str] = []
    checked: list[str] = []

    def check(page):
        checked.append(page.url)
        found = axe.violations(page)
        if found:
            problems.append(axe.describe(page.url, found))

    yield check
    assert not problems, "axe-core found accessibility problems:\n" + "\n".join(problems)


def reference_on(page):
    panel = page.locator(".govuk-panel")
    expect(panel).to_contain_text("Referral received")
    return REFERENCE_PATTERN.search(panel.inner_text()).group()


def test_a_professional_refers_two_children_and_every_page_passes_axe(
    browser, live_server, accessibility_report, db, settings_overrides
):
    # bypass_csp lets axe-core be injected; the policy itself is tested below.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    person = Referrer(page, live_server, accessibility_report)

    person.open("/")
    expect(page).to_have_url(live_server + "/refer")
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        "If a child is in immediate danger, call 999"
    )
    person.click("Start now")

    person.choose("Is a child in immediate danger right now?", "No")
    person.choose("Who are you?", "School or college")
    person.write("What is your name?", "Sam Patel")
    person.write("What is your role?", "Designated Safeguarding Lead")
    person.write("Which organisation do you work for?", "Riverside Primary School")
    person.write("What is your phone number?", "07700 900123")
    person.write("What is your email address?", "sam.patel@riverside.example.org")
    person.choose("How would you like us to tell you what happens?", "By email")

    person.name("What is the child's name?", "Jordan", "Smith")
    person.choose("Do you know the child's date of birth?", "I know their date of birth")
    # A slip of the year: the date is in the future.
    person.date("What is the child's date of birth?", 3, 4, TODAY.year + 1)
    assert "The date of birth must be in the past" in person.error_summary()
    expect(page).to_have_title(re.compile(r"^Error: Child 1: What is the child's date of birth\?"))
    # GOV.UK Frontend moves focus to the summary, and its link to the field.
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    page.get_by_role("link", name=re.compile("The date of birth must be in the past")).click()
    expect(page.get_by_label("Day")).to_be_focused()
    person.date("What is the child's date of birth?", 3, 4, TODAY.year - 9)
    person.choose("What is the child's sex or gender?", "Male")
    person.write("What is the child's address?", "10 High Street, Leeds")
    person.write("What is the child's postcode?", "ls1 4ap")
    person.write("Which school or nursery does the child go to?", "Riverside Primary School")
    person.write("What language does the child's family speak at home?", "")
    person.write("Does the child have a disability or additional needs?", "")
    person.choose("Is this referral about another child as well?", "Yes")

    expect(page.locator(".govuk-caption-l")).to_have_text("Child 2")
    person.name("What is the child's name?", "Amy", "Smith")
    person.choose("Do you know the child's date of birth?", "I know their date of birth")
    person.date("What is the child's date of birth?", 20, 11, TODAY.year - 4)
    person.choose("What is the child's sex or gender?", "Female")
    person.write("What is the child's address?", "10 High Street, Leeds")
    person.write("What is the child's postcode?", "LS1 4AP")
    person.write("Which school or nursery does the child go to?", "Little Acorns Nursery")
    person.write("What language does the child's family speak at home?", "English")
    person.write("Does the child have a disability or additional needs?", "")
    person.choose("Is this referral about another child as well?", "No")

    person.choose("Do you know who the child lives with?", "Yes")
    person.name("What is this person's name?", "Kelly", "Smith")
    person.choose("How are they related to the child?", "Mother")
    person.choose("Does anyone else live with the child?", "No")

    person.write(
        "What has happened?",
        "Jordan came in with a bruise on his cheek.\nHe said mum's boyfriend hit him.",
    )
    person.write("When did this happen?", "yesterday")
    person.choose("How do you know about this?", "The child told me")
    person.write("What are you worried will happen to the child?", "")
    person.write("What has the child said, if anything?", "He hit me with his belt")
    person.tick(
        "Are you worried about any of these in the child's home?", "Domestic abuse in the home"
    )
    person.choose(
        "Do the child's parents or carers know about this referral", "I have not asked them"
    )
    person.choose(
        "Why have they not agreed, or why have you not asked?", "Asking would put the child at risk"
    )
    person.write("Tell us more about why", "Telling mum would warn her boyfriend.")
    person.write("Which other services are involved with the child or family?", "none")

    person.sees_question("Check your answers")
    expect(page.locator("main")).to_contain_text("Amy Smith")
    page.get_by_role("link", name="Change When did this happen? (Your concern)").click()
    page.wait_for_load_state("load")
    person.visited.append(page.url)
    expect(page.get_by_label("When did this happen?")).to_have_value("yesterday")
    person.write("When did this happen?", "Monday afternoon, after school")
    person.sees_question("Check your answers")
    expect(page.locator("main")).to_contain_text("Monday afternoon, after school")

    person.click("Submit referral")
    reference = reference_on(page)
    expect(page.locator("main")).to_contain_text("What happens next")
    context.close()

    with db.session() as session:
        contact = session.scalar(select(Contact).where(Contact.reference == reference))
        assert contact.status == "submitted" and contact.channel == "web"
        assert [(c.given_name, c.postcode) for c in contact.children] == [
            ("Jordan", "LS1 4AP"),
            ("Amy", "LS1 4AP"),
        ]
        assert contact.concern_when == "Monday afternoon, after school"
        assert (contact.consent_answer, contact.consent_reason) == ("not_asked", "risk_of_harm")
        outbox = session.scalar(
            select(OutboxJob).where(
                OutboxJob.kind == "process_contact", OutboxJob.subject_id == contact.id
            )
        )
        assert outbox is not None
        queued = Queue(queues.CONTACTS, connection=Redis.from_url(settings_overrides["redis_url"]))
        assert queued.job_ids == [outbox.job_id], "queued by id straight after the commit"

    run_worker(
        get_context(),
        Redis.from_url(settings_overrides["redis_url"]),
        burst=True,
        fork=False,
        with_relay=False,
    )

    with db.session() as session:
        contact = session.scalar(select(Contact).where(Contact.reference == reference))
        assert contact.status == "awaiting_review"
    assert len(set(person.visited)) >= 40, "every question page should have been checked"


def test_the_whole_form_works_without_javascript_including_save_and_come_back_later(
    browser, live_server, db
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    person = Referrer(page, live_server, lambda _page: None)

    person.open("/refer")
    person.click("Start now")
    person.choose("Is a child in immediate danger right now?", "Yes")
    person.sees_question("Call 999 now")
    person.click("Continue with the referral")
    person.choose("Who are you?", "A member of the public")
    person.choose("Do you want to stay anonymous?", "Yes")
    person.name("What is the child's name?", "Riley", "")
    person.choose("Do you know the child's date of birth?", "I know roughly how old they are")
    person.write("How old is the child?", "twenty")
    assert "between 0 and 17" in person.error_summary()
    person.write("How old is the child?", "6")
    person.choose("What is the child's sex or gender?", "Not known")

    # Type the address, save without pressing Continue, close the browser, and come back with
    # the link: the address typed is kept, and the next question is the one after it.
    person.sees_question("What is the child's address?")
    page.get_by_label(re.compile("What is the child's address")).fill("Flat 2, 14 Mill Street")
    person.click("Save and come back later")
    link = page.locator("#resume-link").get_attribute("href")
    assert link.startswith(live_server + "/refer/resume/")
    context.close()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    person = Referrer(page, live_server, lambda _page: None)
    person.open(link.removeprefix(live_server))

    person.write("What is the child's postcode?", "")
    person.write("Which school or nursery does the child go to?", "")
    person.write("What language does the child's family speak at home?", "")
    person.write("Does the child have a disability or additional needs?", "")
    person.choose("Is this referral about another child as well?", "No")
    person.choose("Do you know who the child lives with?", "No")
    person.write(
        "What has happened?",
        "I heard screaming from the flat next door and a child crying for hours.",
    )
    person.write("When did this happen?", "last night")
    person.choose("How do you know about this?", "I saw or heard it myself")
    person.write("What are you worried will happen to the child?", "")
    person.write("What has the child said, if anything?", "")
    person.tick("Are you worried about any of these in the child's home?", "I do not know")
    person.choose(
        "Do the child's parents or carers know about this referral", "I have not asked them"
    )
    person.choose("Why have they not agreed, or why have you not asked?", "Another reason")
    person.write("Tell us more about why", "I do not know them.")
    person.write("Which other services are involved with the child or family?", "not known")
    person.sees_question("Check your answers")
    expect(page.locator("main")).to_contain_text("Flat 2, 14 Mill Street")
    person.click("Submit referral")
    reference = reference_on(page)
    expect(page.locator("main")).to_contain_text("You chose to stay anonymous")
    context.close()

    with db.session() as session:
        contact = session.scalar(select(Contact).where(Contact.reference == reference))
        assert contact.status == "submitted" and contact.immediate_danger is True
        assert contact.referrer_anonymous and contact.referrer_name is None
        assert [(c.given_name, c.age_years) for c in contact.children] == [("Riley", 6)]


def test_the_pages_scripts_run_under_the_content_security_policy(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    page.goto(live_server + "/refer/q/immediate_danger")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state("load")

    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert not blocked, blocked
    context.close()
