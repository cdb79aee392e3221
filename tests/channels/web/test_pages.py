import re

import pytest

from tests.channels.web.referrer import CHECK, FIRST, PROFESSIONAL, SECOND_CHILD, fill, submit


@pytest.fixture  # the MASH duty line, shown on the start page
def settings_overrides(settings_overrides):
    return {**settings_overrides, "duty_phone_number": "+441134960000"}


def test_the_home_page_sends_people_to_the_start_of_the_form(client):
    assert client.get("/").location == "/refer"


def test_the_start_page_says_to_call_999_first_and_starts_the_form(client):
    page = client.get("/refer").text
    assert (
        "<title>Start – Tell us you are worried about a child – Children&#39;s Services</title>"
        in page
    )
    warning = page.index("If a child is in immediate danger, call 999.")
    start = page.index(f'href="{FIRST}"')
    assert warning < start, "the 999 warning must come before the Start button"
    assert "govuk-button--start" in page
    assert "Before you start" in page and "15 minutes" in page
    assert "Other ways to tell us" in page


def test_the_start_page_gives_the_mash_phone_number_when_one_is_set(client):
    assert "call the MASH on <strong>0113 496 0000</strong>" in client.get("/refer").text


def test_the_start_page_offers_to_continue_a_referral_in_progress(client):
    assert "/refer/continue" not in client.get("/refer").text
    client.post(FIRST, data={"answer": "no"})
    assert 'href="/refer/continue"' in client.get("/refer").text


def test_the_organisation_name_can_be_set(settings_overrides):
    from intake.app import create_app

    app = create_app({**settings_overrides, "ORGANISATION_NAME": "Leeds City Council"})
    page = app.test_client().get("/refer").text
    assert "Start – Tell us you are worried about a child – Leeds City Council</title>" in page
    app.extensions["frontdoor.db"].dispose()


def every_page(client):
    """Each page a referrer can see, fetched once, with its path."""
    pages = [("/refer", client.get("/refer"))]
    danger = client.post(FIRST, data={"answer": "yes"})
    pages.append((danger.location, client.get(danger.location)))
    answers = {**PROFESSIONAL, **SECOND_CHILD, "immediate_danger": "yes"}
    fill(client, answers, location="/refer/q/referrer_type")
    for key in answers:
        pages.append((key, client.get(f"/refer/q/{key}")))
    pages.append(("error", client.post("/refer/q/child.0.postcode", data={"answer": "nope"})))
    pages.append((CHECK, client.get(CHECK)))
    pages.append(("/refer/save", client.get("/refer/save")))
    submit(client)
    pages.append(("/refer/confirmation", client.get("/refer/confirmation")))
    pages.append(("resume", client.get("/refer/resume/not-a-token")))
    pages.append(("404", client.get("/nowhere")))
    return pages


def test_no_page_has_inline_scripts_or_styles_that_the_content_security_policy_would_block(client):
    for path, response in every_page(client):
        page = response.text
        assert "Content-Security-Policy" in response.headers, path
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), f"inline script on {path}"
        assert not re.search(r"<style\b|\bstyle=\"", page), f"inline style on {path}"
        assert not re.search(r"\bon[a-z]+=\"", page), f"inline event handler on {path}"


def test_every_page_has_the_layout_a_page_title_and_one_main_heading(client):
    titles = []
    for path, response in every_page(client):
        page = response.text
        assert '<html lang="en" class="govuk-template">' in page, path
        assert 'href="#main-content" class="govuk-skip-link"' in page, path
        assert 'id="main-content"' in page, path
        assert '<link rel="stylesheet" href="/assets/govuk-frontend.min.css">' in page, path
        assert '<script type="module" src="/assets/site/init.js"></script>' in page, path
        assert "govuk-phase-banner" in page and "govuk-footer" in page, path
        assert len(re.findall(r"<h1\b", page)) == 1, path
        titles.append(re.search(r"<title>([^<]+)</title>", page).group(1))
    question_titles = [t for t in titles if not t.startswith("Error:")]
    assert len(set(question_titles)) == len(question_titles), "two pages share a title"


def test_the_site_script_is_served_as_javascript_that_may_be_cached(client):
    response = client.get("/assets/site/init.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert "initAll" in response.text
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_pages_with_answers_on_them_are_never_cached(client):
    client.post(FIRST, data={"answer": "no"})
    assert client.get(FIRST).headers["Cache-Control"] == "no-store"


def test_errors_are_gov_uk_pages_that_still_say_call_999(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert "<title>Page not found – Tell us you are worried about a child" in response.text
    assert "If a child is in immediate danger, call 999." in response.text
