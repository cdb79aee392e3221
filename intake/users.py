"""Creating staff accounts (the CLI and the admin pages share this)."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intake.models import Role, User
from intake.passwords import hash_password

_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s.][^@\s]*$")


def is_email_shape(email: str) -> bool:
    """One @ with something either side and no spaces: the admin page and the CLI agree."""
    return bool(_EMAIL_SHAPE.match(email.strip().lower()))


def create_user(
    session: Session,
    email: str,
    role: str,
    password: str,
    *,
    name: str = "",
    can_see_restricted: bool = False,
) -> User:
    email = email.strip().lower()
    name = name.strip()
    # A plain shape check: staff addresses may be on internal domains (mash.local) that an
    # email validator would refuse as not deliverable.
    if not is_email_shape(email):
        raise ValueError(f"{email!r} is not an email address: staff sign in with theirs")
    if len(email) > 254 or len(name) > 200:
        raise ValueError("the email must be at most 254 characters and the name at most 200")
    if role not in {r.value for r in Role}:
        raise ValueError(f"role must be one of {', '.join(r.value for r in Role)}")
    if session.scalar(select(User).where(func.lower(User.email) == email)) is not None:
        raise ValueError(f"a user with the email {email} already exists")
    user = User(
        email=email,
        role=role,
        name=name or email.split("@")[0],
        password_hash=hash_password(password),
        can_see_restricted=can_see_restricted,
    )
    session.add(user)
    session.flush()
    return user
