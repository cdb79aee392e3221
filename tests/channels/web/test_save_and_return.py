import re
import time

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from channels.web import resume
from intake.models import Contact
from tests.channels.web.referrer import FIRST, PROFESSIONAL, field, fill, submit
from tests.conftest import SECRET


def start_referral(client):
    client.post(FIRST, data={"answer": "no"})
    client.post("/refer/q/referrer_type", data={"answer": "school"})
    client.post("/refer/q/referrer_name", data={"answer": "Sam Patel"})


def saved_link(client):
    page = client.get("/refer/save").text
    return re.search(r'id="resume-link">([^<]+)</a>', page).group(1)


def test_every_question_page_offers_to_save_once_something_is_answered(client):
    assert 'name="save"' not in client.get(FIRST).text
    start_referral(client)
    page = client.get("/refer/q/referrer_role").text
    # A button of the question's own form, after Continue (which Enter presses).
    buttons = re.findall(r"<button[^>]*>\s*([^<]+?)\s*</button>", page)
    assert buttons[-2:] == ["Continue", "Save and come back later"]
    assert 'value="1" name="save"' in page


def _state(app):
    from intake import extensions

    with app.app_context():
        contact = extensions.session().scalars(select(Contact)).one()
        return contact.flow_state["answers"]


def test_saving_keeps_the_answer_typed_on_the_page(app, client):
    start_referral(client)
    response = client.post("/refer/q/referrer_role", data={"answer": "Head of Year 4", "save": "1"})
    assert response.location == "/refer/save"
    assert _state(app)["referrer_role"] == "Head of Year 4"
    path = saved_link(client).removeprefix("http://frontdoor.test")
    other = app.test_client()
    other.get(path)
    # Back with the link: on to the question after the one saved.
    assert other.get("/refer/continue").location == "/refer/q/referrer_organisation"


def test_saving_a_page_left_empty_or_half_typed_does_not_answer_it(app, client):
    start_referral(client)
    assert client.post("/refer/q/referrer_role", data={"answer": "", "save": "1"}).location == (
        "/refer/save"
    )
    client.post("/refer/q/referrer_role", data={"answer": "Head of Year 4"})
    client.post("/refer/q/referrer_organisation", data={"answer": "Riverside Primary"})
    assert client.get("/refer/continue").location == "/refer/q/referrer_phone"
    response = client.post("/refer/q/referrer_phone", data={"answer": "not a number", "save": "1"})
    assert response.location == "/refer/save"
    answers = _state(app)
    assert "referrer_phone" not in answers
    assert answers.get("referrer_role") == "Head of Year 4"
    assert client.get("/refer/continue").location == "/refer/q/referrer_phone"


def test_the_save_page_gives_a_private_link_that_expires(client):
    start_referral(client)
    page = client.get("/refer/save").text
    link = saved_link(client)
    assert link.startswith("http://frontdoor.test/refer/resume/")
    assert "Keep this link private" in page
    assert "within 28 days" in page


def test_the_link_opens_the_referral_in_another_browser_where_it_was_left(app, client):
    start_referral(client)
    path = saved_link(client).removeprefix("http://frontdoor.test")

    other = app.test_client()
    response = other.get(path)

    assert response.location == "/refer/continue"
    assert other.get("/refer/continue").location == "/refer/q/referrer_role"
    assert field(other.get("/refer/q/referrer_name").text, "answer")["value"] == "Sam Patel"
    fill(other, PROFESSIONAL, location="/refer/q/referrer_role")
    submit(other)


def test_a_changed_link_does_not_open_anything(client):
    start_referral(client)
    path = saved_link(client).removeprefix("http://frontdoor.test")

    response = client.get(path[:-3] + "abc")

    assert response.status_code == 404
    assert "This link does not work" in response.text


def test_a_link_signed_with_another_key_or_for_another_purpose_does_not_open_anything(
    app, client, session
):
    start_referral(client)
    contact = session.scalar(select(Contact))
    for serializer in (
        URLSafeTimedSerializer("another-key", salt=resume.SALT),
        URLSafeTimedSerializer(SECRET, salt="another-purpose"),
    ):
        token = serializer.dumps({"id": contact.id, "ref": contact.reference})
        assert app.test_client().get(f"/refer/resume/{token}").status_code == 404


def test_a_link_for_a_draft_that_no_longer_exists_does_not_open_anything(app, client, session):
    start_referral(client)
    contact = session.scalar(select(Contact))
    token = URLSafeTimedSerializer(SECRET, salt=resume.SALT).dumps(
        {"id": contact.id, "ref": "ZZZZ-ZZZZ"}
    )
    response = app.test_client().get(f"/refer/resume/{token}")
    assert response.status_code == 404


def test_an_expired_link_says_so_kindly(client, monkeypatch):
    start_referral(client)
    path = saved_link(client).removeprefix("http://frontdoor.test")
    later = time.time() + 29 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: later)

    response = client.get(path)

    assert response.status_code == 410
    assert "This link has expired" in response.text
    assert "call 999" in response.text


def test_a_link_to_a_referral_already_sent_says_it_has_been_sent(app, client):
    fill(client, PROFESSIONAL)
    path = saved_link(client).removeprefix("http://frontdoor.test")
    submit(client)

    response = app.test_client().get(path)

    assert response.status_code == 410
    assert "This referral has already been sent" in response.text


def test_saving_needs_a_referral_in_progress(client):
    assert client.get("/refer/save").location == "/refer"
