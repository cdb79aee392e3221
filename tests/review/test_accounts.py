"""Sign-in rules as plain functions: the demo account, set-up keys, one-time codes."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest

from intake.models import User, utcnow
from intake.review import accounts

DEMO_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_ensure_user_makes_an_account_with_a_known_secret_once(session):
    first = accounts.ensure_user(
        session,
        "demo.officer@mash.example.gov.uk",
        "officer",
        "demo-password-1",
        totp_secret=DEMO_SECRET,
    )
    again = accounts.ensure_user(
        session, "Demo.Officer@mash.example.gov.uk", "manager", "another-password-2"
    )
    assert again.id == first.id and again.role == "officer"
    assert first.totp_secret == DEMO_SECRET


def test_ensure_user_refuses_a_secret_an_app_could_not_use(session):
    with pytest.raises(ValueError, match="TOTP secret"):
        accounts.ensure_user(
            session,
            "x@mash.example.gov.uk",
            "officer",
            "demo-password-1",
            totp_secret="not-base32!",
        )


def test_the_set_up_key_depends_on_the_user_and_the_nonce_and_nothing_random():
    alice, bob = User(id=1), User(id=2)
    key = accounts.enrolment_secret("secret", alice, "n1")
    assert key == accounts.enrolment_secret("secret", alice, "n1")
    assert key != accounts.enrolment_secret("secret", bob, "n1")
    assert key != accounts.enrolment_secret("secret", alice, "n2")
    assert accounts.is_base32_secret(key) and len(key) == 32


def test_a_code_is_accepted_once_and_an_older_one_never_after_it():
    now = utcnow()
    user = User(id=1, totp_secret=DEMO_SECRET)
    totp = pyotp.TOTP(DEMO_SECRET)
    assert accounts.verify_second_factor(user, totp.at(now), now)
    assert not accounts.verify_second_factor(user, totp.at(now), now)
    assert not accounts.verify_second_factor(user, totp.at(now - timedelta(seconds=30)), now)
    assert accounts.verify_second_factor(user, totp.at(now + timedelta(seconds=30)), now)


def test_codes_far_from_now_or_malformed_are_refused():
    now = utcnow()
    user = User(id=1, totp_secret=DEMO_SECRET)
    old = pyotp.TOTP(DEMO_SECRET).at(now - timedelta(minutes=5))
    assert not accounts.verify_second_factor(user, old, now)
    assert not accounts.verify_second_factor(user, "12345", now)
    assert not accounts.verify_second_factor(User(id=2), "123456", now)


def test_the_fifth_failure_locks_and_the_count_starts_again():
    now = utcnow()
    user = User(id=1, failed_logins=0)
    assert [accounts.register_failure(user, now) for _ in range(5)] == [False] * 4 + [True]
    assert user.locked_until == now + accounts.LOCKOUT and user.failed_logins == 0
    assert accounts.is_locked(user, now + timedelta(minutes=14))
    assert not accounts.is_locked(user, now + timedelta(minutes=15))


def test_generated_passwords_are_long_enough_and_differ():
    first, second = accounts.new_password(), accounts.new_password()
    assert first != second and len(first) >= 12
