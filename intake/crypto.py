"""Encryption at rest for free text: concerns, transcripts, email bodies.

Keys come from `FRONTDOOR_ENCRYPTION_KEYS` (comma-separated Fernet keys, newest first). Rotation:
put a new key first, keep the old ones after it until `frontdoor keys rotate-data` has re-encrypted
every row, then drop them. Without configured keys a key is derived from SECRET_KEY, so the
embedded default still never stores the text in the clear.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

_cipher: MultiFernet | None = None


def derive_key(secret: str) -> str:
    digest = hashlib.sha256(b"frontdoor-at-rest:" + secret.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def configure(keys: tuple[str, ...], secret_key: str) -> None:
    """Set the process-wide cipher; called by create_app and the worker before any query."""
    global _cipher
    material = list(keys) or [derive_key(secret_key)]
    _cipher = MultiFernet([Fernet(k.encode()) for k in material])


def _require_cipher() -> MultiFernet:
    if _cipher is None:
        raise RuntimeError("encryption is not configured: call intake.crypto.configure() first")
    return _cipher


def encrypt(plain: str) -> str:
    return _require_cipher().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _require_cipher().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise RuntimeError("stored text cannot be decrypted with the configured keys") from exc


def rotate(token: str) -> str:
    """Re-encrypt a stored value under the newest key."""
    return _require_cipher().rotate(token.encode()).decode()


class EncryptedText(TypeDecorator[str]):
    """A text column that is encrypted before it reaches the database."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else decrypt(str(value))


def rotate_all(session: Any, batch: int = 1000) -> int:
    """Re-encrypt every encrypted column under the newest key; returns the values rewritten.

    Reads and writes the stored tokens directly (not through the ORM), so it touches every row
    of every table once, in batches, whatever model owns the column.
    """
    from sqlalchemy import bindparam, column, select, table, update

    from intake.models import Base

    rewritten = 0
    for mapped in Base.metadata.sorted_tables:
        encrypted = [c.name for c in mapped.columns if isinstance(c.type, EncryptedText)]
        if not encrypted:
            continue
        raw = table(mapped.name, column("id"), *(column(name, Text) for name in encrypted))
        last_id = 0
        while True:
            rows = session.execute(
                select(raw).where(raw.c.id > last_id).order_by(raw.c.id).limit(batch)
            ).all()
            if not rows:
                break
            last_id = rows[-1].id
            for row in rows:
                values = {
                    n: rotate(getattr(row, n)) for n in encrypted if getattr(row, n) is not None
                }
                if values:
                    session.execute(
                        update(raw).where(raw.c.id == bindparam("row_id")),
                        {"row_id": row.id, **values},
                    )
                    rewritten += len(values)
            session.commit()
    return rewritten
