"""Staff sign-in: password and authenticator code, first-time set-up, lockout, expiry, audit."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pyotp
import pytest
from sqlalchemy import select

from intake.models import AuditEvent, User, utcnow
from intake.review import accounts, auth
from tests.review.support import PASSWORD, code_for, sign_in


def actions(session, **where) -> list[str]:
    session.expire_all()
    query = select(AuditEvent.action).order_by(AuditEvent.id)
    for name, value in where.items():
        query = query.where(getattr(AuditEvent, name) == value)
    return list(session.scalars(query))


def test_an_officer_signs_in_with_password_and_code_and_lands_on_the_queue(
    app, client, staff, session
):
    officer = staff["officer"]
    response = client.post("/officer/sign-in", data={"email": officer.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/officer/sign-in/code")
    # The password alone opens nothing.
    assert client.get("/officer/queue").status_code == 302
    response = client.post("/officer/sign-in/code", data={"code": code_for(officer)})
    assert response.headers["Location"].endswith("/officer/queue")
    assert client.get("/officer/queue").status_code == 200
    assert actions(session, user_id=officer.id) == ["signed_in"]
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "signed_in"))
    assert event.ip_address == "127.0.0.1"


def test_the_email_address_is_not_case_sensitive(client, staff):
    officer = staff["officer"]
    response = client.post(
        "/officer/sign-in", data={"email": officer.email.upper(), "password": PASSWORD}
    )
    assert response.headers["Location"].endswith("/officer/sign-in/code")


def test_a_wrong_password_is_refused_kindly_and_audited(client, staff, session):
    officer = staff["officer"]
    response = client.post("/officer/sign-in", data={"email": officer.email, "password": "nope"})
    assert response.status_code == 400
    assert "The email address or password is not right" in response.get_data(as_text=True)
    assert actions(session, user_id=officer.id) == ["sign_in_failed"]


def test_an_unknown_address_is_audited_without_keeping_what_was_typed_if_it_is_no_address(
    client, staff, session
):
    client.post("/officer/sign-in", data={"email": "nobody@example.org", "password": "x" * 12})
    client.post("/officer/sign-in", data={"email": "my secret password", "password": "x"})
    actors = list(
        session.scalars(select(AuditEvent.actor).where(AuditEvent.action == "sign_in_failed"))
    )
    assert actors == ["nobody@example.org", "unrecognised"]


def test_an_empty_form_says_what_to_enter(client):
    response = client.post("/officer/sign-in", data={"email": "", "password": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter your email address" in page and "Enter your password" in page


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(client, staff, session):
    officer = staff["officer"]
    for _ in range(accounts.MAX_FAILURES):
        client.post("/officer/sign-in", data={"email": officer.email, "password": "wrong guess"})
    # Even the right password is refused while locked.
    response = client.post("/officer/sign-in", data={"email": officer.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Sign-in is locked after 5 wrong attempts" in response.get_data(as_text=True)
    session.expire_all()
    user = session.get(User, officer.id)
    assert user.locked_until - utcnow() > timedelta(minutes=14)
    assert actions(session, user_id=officer.id)[-2:] == ["sign_in_locked", "sign_in_locked"]


def test_the_lock_lifts_after_fifteen_minutes(client, staff, session):
    officer = session.get(User, staff["officer"].id)
    officer.locked_until = utcnow() - timedelta(seconds=1)
    session.commit()
    response = client.post("/officer/sign-in", data={"email": officer.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/officer/sign-in/code")


def test_wrong_codes_count_towards_the_lockout_too(client, staff, session):
    officer = staff["officer"]
    client.post("/officer/sign-in", data={"email": officer.email, "password": PASSWORD})
    for _ in range(accounts.MAX_FAILURES - 1):
        response = client.post("/officer/sign-in/code", data={"code": "000000"})
        assert "The code is not right" in response.get_data(as_text=True)
    response = client.post("/officer/sign-in/code", data={"code": "000000"})
    assert response.headers["Location"].endswith("/officer/sign-in")
    session.expire_all()
    assert session.get(User, officer.id).locked_until is not None
    assert actions(session, user_id=officer.id).count("second_factor_failed") == 5


def test_a_code_with_other_kinds_of_digit_is_wrong_not_an_error(client, staff):
    officer = staff["officer"]
    client.post("/officer/sign-in", data={"email": officer.email, "password": PASSWORD})
    response = client.post("/officer/sign-in/code", data={"code": "12345²"})
    assert response.status_code == 400
    assert "The code is not right" in response.get_data(as_text=True)


def test_a_code_cannot_be_used_twice(app, staff):
    officer = staff["officer"]
    first, second = app.test_client(), app.test_client()
    sign_in(first, officer)
    second.post("/officer/sign-in", data={"email": officer.email, "password": PASSWORD})
    response = second.post("/officer/sign-in/code", data={"code": code_for(officer)})
    assert response.status_code == 400


def test_a_code_from_a_phone_a_little_slow_is_accepted(client, staff):
    officer = staff["officer"]
    client.post("/officer/sign-in", data={"email": officer.email, "password": PASSWORD})
    response = client.post("/officer/sign-in/code", data={"code": code_for(officer, -1)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/officer/queue")


def test_a_new_user_sets_up_their_app_at_first_sign_in_from_a_key_shown_as_text(client, session):
    user = accounts.ensure_user(session, "new.officer@mash.example.gov.uk", "officer", PASSWORD)
    session.commit()
    response = client.post("/officer/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/officer/sign-in/set-up")
    page = unescape(client.get("/officer/sign-in/set-up").get_data(as_text=True))
    secret = re.search(r'id="secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    uri = re.search(r'id="otpauth-uri">([^<]+)<', page).group(1)
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri
    assert "<img" not in page  # no QR code fetched from anywhere
    # Nothing is stored until the app has proved it works.
    session.expire_all()
    assert session.get(User, user.id).totp_secret is None
    wrong = client.post("/officer/sign-in/set-up", data={"code": "123456"})
    assert wrong.status_code == 400
    response = client.post("/officer/sign-in/set-up", data={"code": pyotp.TOTP(secret).now()})
    assert response.headers["Location"].endswith("/officer/queue")
    session.expire_all()
    assert session.get(User, user.id).totp_secret == secret
    assert actions(session, user_id=user.id) == ["second_factor_enrolled", "signed_in"]


def test_the_set_up_key_is_not_kept_in_the_session_cookie(client, session):
    user = accounts.ensure_user(session, "cookie.check@mash.example.gov.uk", "officer", PASSWORD)
    session.commit()
    client.post("/officer/sign-in", data={"email": user.email, "password": PASSWORD})
    page = client.get("/officer/sign-in/set-up").get_data(as_text=True)
    secret = re.search(r'id="secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    with client.session_transaction() as cookie:
        assert secret not in repr(dict(cookie))


def test_the_code_page_sends_you_back_if_the_password_step_was_too_long_ago(client, staff):
    officer = staff["officer"]
    client.post("/officer/sign-in", data={"email": officer.email, "password": PASSWORD})
    with client.session_transaction() as cookie:
        pending = cookie[auth.PENDING]
        pending["at"] -= auth.SECOND_STEP_LIMIT.total_seconds() + 1
        cookie[auth.PENDING] = pending
    response = client.post("/officer/sign-in/code", data={"code": code_for(officer)})
    assert response.headers["Location"].endswith("/officer/sign-in")


@pytest.mark.parametrize(
    ("key", "age", "reason"),
    [
        (auth.SEEN_AT, timedelta(minutes=31), "idle"),
        (auth.SIGNED_IN_AT, timedelta(hours=8, minutes=1), "limit"),
    ],
)
def test_a_session_ends_after_30_idle_minutes_or_8_hours(officer, staff, session, key, age, reason):
    assert officer.get("/officer/queue").status_code == 200
    with officer.session_transaction() as cookie:
        cookie[key] -= age.total_seconds()
    response = officer.get("/officer/queue")
    assert response.status_code == 302
    assert "/officer/sign-in" in response.headers["Location"]
    assert officer.get("/officer/queue").status_code == 302  # and it stays ended
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "session_expired"))
    assert event.user_id == staff["officer"].id and event.detail == {"reason": reason}


def test_activity_keeps_a_session_alive(officer):
    with officer.session_transaction() as cookie:
        cookie[auth.SEEN_AT] -= timedelta(minutes=29).total_seconds()
    assert officer.get("/officer/queue").status_code == 200
    with officer.session_transaction() as cookie:
        cookie[auth.SEEN_AT] -= timedelta(minutes=29).total_seconds()
    assert officer.get("/officer/queue").status_code == 200


def test_resetting_a_password_ends_the_sessions_made_with_the_old_one(officer, admin, staff):
    assert officer.get("/officer/queue").status_code == 200
    admin.post(f"/officer/admin/users/{staff['officer'].id}/password")
    assert officer.get("/officer/queue").status_code == 302


def test_a_deactivated_account_is_signed_out_at_once(officer, admin, staff):
    admin.post(
        f"/officer/admin/users/{staff['officer'].id}", data={"role": "officer", "active": ""}
    )
    assert officer.get("/officer/queue").status_code == 302


def test_sign_in_returns_to_the_page_asked_for_but_never_to_another_site(client, staff):
    officer = staff["officer"]
    response = client.get("/officer/dashboard")
    assert "next=/officer/dashboard" in response.headers["Location"].replace("%2F", "/")
    attempts = (("/officer/dashboard", "/officer/dashboard"), ("//evil.example", "/officer/queue"))
    # The second sign-in uses the next step's code: a code is accepted only once.
    for step, (target, lands) in enumerate(attempts):
        fresh = client.application.test_client()
        fresh.post(
            "/officer/sign-in", data={"email": officer.email, "password": PASSWORD, "next": target}
        )
        response = fresh.post("/officer/sign-in/code", data={"code": code_for(officer, step)})
        assert response.headers["Location"].endswith(lands)


def test_signing_out_ends_the_session_and_is_audited(officer, staff, session):
    response = officer.post("/officer/sign-out")
    assert response.headers["Location"].endswith("/officer/sign-in")
    assert officer.get("/officer/queue").status_code == 302
    assert actions(session, user_id=staff["officer"].id)[-1] == "signed_out"


def test_officer_forms_need_a_csrf_token(app, staff):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post(
        "/officer/sign-in", data={"email": staff["officer"].email, "password": PASSWORD}
    )
    assert response.status_code == 400
    assert "/officer/sign-in/code" not in response.headers.get("Location", "")


def test_a_page_refreshing_itself_does_not_keep_an_unattended_session_alive(officer):
    background = {auth.BACKGROUND_HEADER: "refresh"}
    with officer.session_transaction() as cookie:
        cookie[auth.SEEN_AT] -= timedelta(minutes=20).total_seconds()
    assert officer.get("/officer/queue", headers=background).status_code == 200
    with officer.session_transaction() as cookie:
        cookie[auth.SEEN_AT] -= timedelta(minutes=20).total_seconds()
    # 40 minutes with only the page refreshing itself: signed out.
    response = officer.get("/officer/queue", headers=background)
    assert response.status_code == 302 and "/officer/sign-in" in response.headers["Location"]
