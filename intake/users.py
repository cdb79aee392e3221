"""Creating staff accounts (the CLI and the admin pages share this)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intake.models import Role, User
from intake.passwords import hash_password


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
