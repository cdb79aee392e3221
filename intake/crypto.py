"""Encryption at rest for free text: concerns, transcripts, email bodies, and the JSON that
quotes them (the conversation so far, NLP evidence, rating reasons); and for the files emailed
with a referral (channels.email.attachments).

Keys come from `FRONTDOOR_ENCRYPTION_KEYS` (comma-separated Fernet keys, newest first). Rotation:
put a new key first, keep the old ones after it until `frontdoor encryption rotate` has
re-encrypted every row, then drop them. Without configured keys a key is derived from SECRET_KEY,
so the embedded default still never stores the text in the clear.

An encrypted column can only be read whole, in Python: SQL cannot filter, sort or index on what
is inside it. Anything a query needs belongs in a clear column of codes beside it.
"""

from __future__ import annotations

import base64
import hashlib
import json
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
    # The key derived from SECRET_KEY (the embedded default's) is always last, for reading
    # only: a hub that starts setting FRONTDOOR_ENCRYPTION_KEYS can still read, and rotate,
    # what was stored before, without having to work that key out.
    material = list(keys)
    if secret_key and (derived := derive_key(secret_key)) not in material:
        material.append(derived)
    if not material:
        raise ValueError("no encryption key: set FRONTDOOR_ENCRYPTION_KEYS or SECRET_KEY")
    try:
        _cipher = MultiFernet([Fernet(k.encode()) for k in material])
    except ValueError:
        raise ValueError(
            "FRONTDOOR_ENCRYPTION_KEYS holds something that is not a Fernet key (32 url-safe "
            "base64-encoded bytes, as Fernet.generate_key() makes)"
        ) from None


def is_configured() -> bool:
    return _cipher is not None


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


def encrypt_bytes(plain: bytes) -> bytes:
    """A file's contents as a Fernet token (authenticated: a changed byte will not decrypt)."""
    return _require_cipher().encrypt(plain)


def decrypt_bytes(token: bytes) -> bytes:
    """The contents of a file written by `encrypt_bytes`. Raises InvalidToken when no configured
    key opens it, or it has been changed."""
    return _require_cipher().decrypt(token)


class EncryptedText(TypeDecorator[str]):
    """A text column that is encrypted before it reaches the database."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else decrypt(str(value))


def encrypt_json(value: Any) -> str:
    """The token an EncryptedJSON column stores for `value` (for bulk loads that bypass the ORM)."""
    return encrypt(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def decrypt_json(token: str) -> Any:
    return json.loads(decrypt(token))


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON value (dict, list, ...) stored as one Fernet token in a text column; NULL stays NULL.

    Change tracking: like a plain JSON column, changes are seen when a new value is assigned, not
    when the loaded dict is changed in place. Unlike JSON, any assignment is written, even of an
    equal value: code that changed the loaded value in place and then assigns a copy must not be
    taken for "no change" because the old value now equals the new one.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else encrypt_json(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else decrypt_json(str(value))

    def compare_values(self, x: Any, y: Any) -> bool:
        return x is y


ENCRYPTED_TYPES = (EncryptedText, EncryptedJSON)


def encrypted_columns(mapped: Any) -> list[str]:
    """Names of a table's columns that hold Fernet tokens."""
    return [c.name for c in mapped.columns if isinstance(c.type, ENCRYPTED_TYPES)]


def rotate_all(session: Any, batch: int = 1000) -> int:
    """Re-encrypt every encrypted column under the newest key; returns the values rewritten.

    Reads and writes the stored tokens directly (not through the ORM), so it touches every row
    of every table once, in batches, whatever model owns the column.
    """
    from sqlalchemy import bindparam, column, select, table, update

    from intake.models import Base

    rewritten = 0
    for mapped in Base.metadata.sorted_tables:
        encrypted = encrypted_columns(mapped)
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
