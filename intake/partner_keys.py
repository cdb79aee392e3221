"""Partner API keys: shown once, stored as a SHA-256 hash (they are long random secrets)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.models import PartnerKey, utcnow

PREFIX = "fdk_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


# A partner system makes referrals. Posting raw email (`POST /channels/email`) is for the
# council's own mail gateway: it is trusted to say who an email is from, which lets it add to
# that person's email referrals, so it is given only on purpose (`keys create --scope email`).
DEFAULT_SCOPES = ("referrals",)


def create(
    session: Session, name: str, scopes: tuple[str, ...] = DEFAULT_SCOPES
) -> tuple[PartnerKey, str]:
    name = name.strip()
    if not name or len(name) > 100:
        raise ValueError("a key's name must be 1 to 100 characters: the partner it is for")
    if session.scalar(select(PartnerKey).where(PartnerKey.name == name)) is not None:
        raise ValueError(
            f"a key named {name!r} already exists, in use or revoked (a revoked key keeps its "
            "name for the record): choose another, for example with the year"
        )
    public = secrets.token_hex(4)
    key = f"{PREFIX}{public}_{secrets.token_urlsafe(32)}"
    row = PartnerKey(
        name=name, prefix=public, key_hash=_hash(key), scopes=list(dict.fromkeys(scopes))
    )
    session.add(row)
    session.flush()
    return row, key


def revoke(session: Session, name: str) -> bool:
    row = session.scalar(
        select(PartnerKey).where(PartnerKey.name == name, PartnerKey.revoked_at.is_(None))
    )
    if row is None:
        return False
    row.revoked_at = utcnow()
    return True


def authenticate(session: Session, header: str | None) -> PartnerKey | None:
    """The active key named by an `Authorization: Bearer <key>` header, or None."""
    if not header or not header.startswith("Bearer "):
        return None
    key = header.removeprefix("Bearer ").strip()
    if not key.startswith(PREFIX) or len(key) > 200:
        return None
    public = key[len(PREFIX) :].split("_", 1)[0]
    row = session.scalar(select(PartnerKey).where(PartnerKey.prefix == public))
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.key_hash, _hash(key)):
        return None
    return row
