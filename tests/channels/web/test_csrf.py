import re

import pytest

from tests.channels.web.referrer import FIRST


@pytest.fixture
def settings_overrides(settings_overrides):
    return {**settings_overrides, "WTF_CSRF_ENABLED": True}


def token_on(page):
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_an_answer_without_the_forms_token_is_refused_with_a_kind_page(client):
    response = client.post(FIRST, data={"answer": "no"})
    assert response.status_code == 400
    assert "Sorry, that page had expired" in response.text
    assert "call 999" in response.text


def test_an_answer_with_the_token_from_the_page_is_accepted(client):
    token = token_on(client.get(FIRST).text)
    response = client.post(FIRST, data={"answer": "no", "csrf_token": token})
    assert response.location == "/refer/q/referrer_type"


def test_submitting_needs_the_token_too(client):
    token = token_on(client.get(FIRST).text)
    client.post(FIRST, data={"answer": "no", "csrf_token": token})
    assert client.post("/refer/check").status_code == 400


def test_a_token_from_another_browser_is_refused(app, client):
    token = token_on(app.test_client().get(FIRST).text)
    assert client.post(FIRST, data={"answer": "no", "csrf_token": token}).status_code == 400
