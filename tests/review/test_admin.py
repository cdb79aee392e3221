"""Administrators manage staff accounts, partner keys and message wording in the UI."""

from __future__ import annotations

import re

from sqlalchemy import select

from intake.models import AuditEvent, PartnerKey, User, utcnow
from tests.builders import referral_payload
from tests.review.support import PASSWORD


def actions(session) -> list[str]:
    session.expire_all()
    return list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.subject_type.in_(("user", "partner_key", "message_template")))
            .where(AuditEvent.action.not_in(("signed_in",)))
            .order_by(AuditEvent.id)
        )
    )


def test_an_admin_adds_an_account_and_sees_its_password_once(app, admin, session):
    response = admin.post(
        "/officer/admin/users/new",
        data={"email": "Priya.Shah@mash.example.gov.uk", "name": "Priya Shah", "role": "manager"},
    )
    page = response.get_data(as_text=True)
    password = re.search(r'id="new-password">([^<]+)<', page).group(1)
    user = session.scalar(select(User).where(User.email == "priya.shah@mash.example.gov.uk"))
    assert user.role == "manager" and not user.can_see_restricted and user.totp_secret is None
    assert password not in admin.get(f"/officer/admin/users/{user.id}").get_data(as_text=True)
    # The new account signs in with it and is asked to set up an app.
    fresh = app.test_client()
    response = fresh.post("/officer/sign-in", data={"email": user.email, "password": password})
    assert response.headers["Location"].endswith("/officer/sign-in/set-up")
    assert actions(session) == ["user_created"]


def test_a_duplicate_or_malformed_account_is_refused_with_messages(admin, staff):
    response = admin.post(
        "/officer/admin/users/new", data={"email": staff["officer"].email, "role": "officer"}
    )
    assert "There is already an account with this email address" in response.get_data(as_text=True)
    response = admin.post("/officer/admin/users/new", data={"email": "not an email", "role": "x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter an email address" in page and "Choose a role" in page
    for odd in ("name@", "@council.gov.uk", "a@b@c"):
        response = admin.post("/officer/admin/users/new", data={"email": odd, "role": "officer"})
        assert response.status_code == 400, odd
        assert "Enter an email address" in response.get_data(as_text=True)


def test_an_admin_changes_role_and_restricted_access(admin, staff, session):
    target = staff["officer_unrestricted"]
    admin.post(
        f"/officer/admin/users/{target.id}",
        data={"role": "manager", "active": "yes", "restricted": "yes"},
    )
    session.expire_all()
    changed = session.get(User, target.id)
    assert changed.role == "manager" and changed.can_see_restricted
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "user_changed"))
    assert event.detail == {"role": "manager", "restricted": True}


def test_the_last_active_admin_cannot_be_demoted_or_deactivate_themself(admin, staff, session):
    me = staff["admin"]
    response = admin.post(
        f"/officer/admin/users/{me.id}", data={"role": "officer", "active": "yes"}
    )
    assert response.status_code == 400
    assert "Keep at least one active administrator" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, me.id).role == "admin"


def test_a_reset_password_works_and_the_old_one_does_not(app, admin, staff, session):
    target = staff["officer"]
    page = admin.post(f"/officer/admin/users/{target.id}/password").get_data(as_text=True)
    password = re.search(r'id="new-password">([^<]+)<', page).group(1)
    client = app.test_client()
    old = client.post("/officer/sign-in", data={"email": target.email, "password": PASSWORD})
    assert old.status_code == 400
    new = client.post("/officer/sign-in", data={"email": target.email, "password": password})
    assert new.status_code == 302
    assert "password_reset" in actions(session)


def test_resetting_the_second_factor_means_setting_up_the_app_again(app, admin, staff, session):
    target = staff["officer"]
    admin.post(f"/officer/admin/users/{target.id}/second-factor")
    response = app.test_client().post(
        "/officer/sign-in", data={"email": target.email, "password": PASSWORD}
    )
    assert response.headers["Location"].endswith("/officer/sign-in/set-up")


def test_an_admin_unlocks_a_locked_account(admin, staff, session):
    from datetime import timedelta

    target = session.get(User, staff["officer"].id)
    target.locked_until = utcnow() + timedelta(minutes=10)
    session.commit()
    page = admin.get(f"/officer/admin/users/{target.id}").get_data(as_text=True)
    assert "Unlock sign-in" in page
    admin.post(f"/officer/admin/users/{target.id}/unlock")
    session.expire_all()
    assert session.get(User, target.id).locked_until is None


def test_a_partner_key_is_shown_once_works_and_stops_working_when_revoked(admin, client, session):
    page = admin.post("/officer/admin/keys", data={"name": "Leeds GP Federation"}).get_data(
        as_text=True
    )
    key = re.search(r'id="new-key">([^<]+)<', page).group(1)
    assert key not in admin.get("/officer/admin/keys").get_data(as_text=True)
    headers = {"Authorization": f"Bearer {key}"}
    assert (
        client.post("/api/v1/referrals", json=referral_payload(), headers=headers).status_code
        == 201
    )
    row = session.scalar(select(PartnerKey).where(PartnerKey.name == "Leeds GP Federation"))
    admin.post(f"/officer/admin/keys/{row.id}/revoke")
    assert (
        client.post("/api/v1/referrals", json=referral_payload(), headers=headers).status_code
        == 401
    )
    assert actions(session) == ["key_created", "key_revoked"]


def test_a_key_name_must_be_new_and_sensible(admin):
    admin.post("/officer/admin/keys", data={"name": "Police"})
    again = admin.post("/officer/admin/keys", data={"name": "Police"})
    assert again.status_code == 400
    assert "There is already a key with this name" in again.get_data(as_text=True)
    odd = admin.post("/officer/admin/keys", data={"name": "<script>"})
    assert odd.status_code == 400


def test_an_admin_previews_saves_and_resets_a_message_template(admin, session):
    url = "/officer/admin/templates/acknowledgement.professional.email"
    preview = admin.post(
        url, data={"action": "preview", "subject": "Got it", "body": "Thanks. Ref ((reference))."}
    )
    assert "Thanks. Ref ABCD-EFGH." in preview.get_data(as_text=True)
    admin.post(
        url, data={"action": "save", "subject": "Got it", "body": "Thanks. Ref ((reference))."}
    )
    listing = admin.get("/officer/admin/templates").get_data(as_text=True)
    assert "Changed" in listing
    admin.post(url, data={"action": "reset"})
    assert "Changed" not in admin.get("/officer/admin/templates").get_data(as_text=True)
    assert actions(session) == ["template_changed", "template_changed"]


def test_a_template_without_the_reference_is_refused_with_the_reason(admin):
    response = admin.post(
        "/officer/admin/templates/acknowledgement.professional.email",
        data={"action": "save", "subject": "Hello", "body": "No reference here"},
    )
    assert response.status_code == 400
    assert "Include ((reference))" in response.get_data(as_text=True)


def test_an_unknown_template_is_a_kind_404(admin):
    assert admin.get("/officer/admin/templates/nonsense").status_code == 404
