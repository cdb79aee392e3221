"""Staff sign-in rules as plain functions: passwords, lockout, the second factor, session stamps.

The views in `auth.py` and `admin.py` call these; nothing here knows about HTTP.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intake.models import User
from intake.passwords import hash_password, needs_rehash, verify_password
from intake.users import create_user

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
TOTP_ISSUER = "frontdoor MASH"
# One 30-second step either side, for phones whose clocks drift a little.
TOTP_WINDOW = 1


@functools.cache
def _dummy_hash() -> str:
    # Verified when the address is unknown, so a wrong address takes as long as a wrong
    # password and the time taken does not tell anyone which addresses have accounts.
    return hash_password(secrets.token_urlsafe(24))


@dataclass(frozen=True)
class PasswordCheck:
    user: User | None
    ok: bool
    locked: bool = False


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def check_password(session: Session, email: str, password: str, now: datetime) -> PasswordCheck:
    """Check a sign-in's first step, counting failures towards the lockout.

    A locked account is refused before its password is checked, so guessing continues to be
    useless for the whole lockout, and the answer does not reveal whether a guess was right.
    """
    user = find_user(session, email)
    if user is None or not user.active:
        verify_password(_dummy_hash(), password)
        return PasswordCheck(user=None, ok=False)
    if is_locked(user, now):
        return PasswordCheck(user=user, ok=False, locked=True)
    if not verify_password(user.password_hash, password):
        locked = register_failure(user, now)
        return PasswordCheck(user=user, ok=False, locked=locked)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return PasswordCheck(user=user, ok=True)


def register_failure(user: User, now: datetime) -> bool:
    """Count a wrong password or code; returns True when this failure locks the account."""
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= MAX_FAILURES:
        # The count starts again after the lockout, so the next period allows 5 more tries.
        user.failed_logins = 0
        user.locked_until = now + LOCKOUT
        return True
    return False


def register_success(user: User, now: datetime) -> None:
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now


def unlock(user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None


def enrolment_secret(secret_key: str, user: User, nonce: str) -> str:
    """The TOTP secret offered to `user` while they set up their authenticator app.

    Derived from the app's secret key and a nonce kept in the session, so the secret itself is
    never put in the (signed but readable) session cookie and nothing is stored until the user
    proves their app works.
    """
    digest = hmac.new(
        secret_key.encode(), f"totp-enrol:{user.id}:{nonce}".encode(), hashlib.sha256
    ).digest()
    return base64.b32encode(digest[:20]).decode()


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)


def grouped_secret(secret: str) -> str:
    """The secret in groups of four, as authenticator apps expect it typed."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def matching_time_step(secret: str, code: str, now: datetime) -> int | None:
    """The 30-second step `code` belongs to, within the drift window, or None."""
    code = "".join(ch for ch in code if ch in "0123456789")  # not "²": compare_digest wants ASCII
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    for drift in range(-TOTP_WINDOW, TOTP_WINDOW + 1):
        moment = now + timedelta(seconds=drift * totp.interval)
        if hmac.compare_digest(totp.at(moment), code):
            return int(totp.timecode(moment))
    return None


def verify_second_factor(user: User, code: str, now: datetime) -> bool:
    """Check a code from the user's app. A code is accepted once only (RFC 6238 section 5.2)."""
    if not user.totp_secret:
        return False
    step = matching_time_step(user.totp_secret, code, now)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def complete_enrolment(user: User, secret: str, code: str, now: datetime) -> bool:
    step = matching_time_step(secret, code, now)
    if step is None:
        return False
    user.totp_secret = secret
    user.totp_last_step = step
    return True


def reset_second_factor(user: User) -> None:
    """The user sets up their authenticator again at their next sign-in."""
    user.totp_secret = None
    user.totp_last_step = None


def credential_stamp(user: User) -> str:
    """Changes whenever the password or second factor does, ending sessions made before."""
    material = f"{user.id}:{user.password_hash}:{user.totp_secret or ''}"
    return hashlib.sha256(material.encode()).hexdigest()[:24]


def new_password() -> str:
    """A temporary password an administrator reads out; long enough, no look-alike letters."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))


def ensure_user(
    session: Session,
    email: str,
    role: str,
    password: str,
    *,
    name: str = "",
    totp_secret: str | None = None,
    can_see_restricted: bool = False,
) -> User:
    """A staff account with a known password and, if given, a known TOTP secret.

    For the demo seed: running it twice leaves the first account as it was. Without a secret
    the user sets up their authenticator app at their first sign-in.
    """
    existing = find_user(session, email)
    if existing is not None:
        return existing
    user = create_user(
        session, email, role, password, name=name, can_see_restricted=can_see_restricted
    )
    if totp_secret is not None:
        if not is_base32_secret(totp_secret):
            raise ValueError("a TOTP secret is at least 16 letters A-Z and digits 2-7")
        user.totp_secret = totp_secret.upper()
    return user


def is_base32_secret(secret: str) -> bool:
    try:
        base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    except ValueError:
        return False
    return len(secret) >= 16
