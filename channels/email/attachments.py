"""Keep an email's attachments with the contact, safely.

Only document and photo types a referrer plausibly sends are kept, and only when the file's
first bytes agree with its name, so a renamed executable is refused. Files are written under
`instance/attachments/` with random names and no extension, encrypted with the keys that encrypt
free text in the database (intake.crypto): a referral form or a photo says as much about a child
as the concern does, and a copy of the folder or a backup must not give it away. The original
name is kept, cleaned and encrypted, for display only. Nothing here opens, converts or runs a
file. Whoever serves one must send `download_headers()` so a browser downloads it and never
sniffs it into something runnable.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from cryptography.fernet import InvalidToken
from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.email.parse import RawAttachment
from intake import crypto
from intake.config import Settings
from intake.models import Attachment, Contact

MAX_ATTACHMENT_BYTES = 8 * 1024 * 1024
MAX_ATTACHMENTS = 20
MAX_DISPLAY_NAME = 120


def _starts(*prefixes: bytes) -> Callable[[bytes], bool]:
    return lambda data: data.startswith(prefixes)


def _is_heic(data: bytes) -> bool:
    return data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc")


def _is_text(data: bytes) -> bool:
    return b"\x00" not in data[:8192]


_ZIP = _starts(b"PK\x03\x04")
_OLE = _starts(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


@dataclass(frozen=True)
class AllowedType:
    content_type: str
    looks_right: Callable[[bytes], bool]


ALLOWED: dict[str, AllowedType] = {
    "pdf": AllowedType("application/pdf", _starts(b"%PDF-")),
    "docx": AllowedType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP
    ),
    "doc": AllowedType("application/msword", _OLE),
    "odt": AllowedType("application/vnd.oasis.opendocument.text", _ZIP),
    "rtf": AllowedType("application/rtf", _starts(b"{\\rtf")),
    "txt": AllowedType("text/plain", _is_text),
    "jpg": AllowedType("image/jpeg", _starts(b"\xff\xd8\xff")),
    "jpeg": AllowedType("image/jpeg", _starts(b"\xff\xd8\xff")),
    "png": AllowedType("image/png", _starts(b"\x89PNG\r\n\x1a\n")),
    "heic": AllowedType("image/heic", _is_heic),
}
# When a part has no file name, its declared type says which extension to expect.
_EXTENSION_FOR_TYPE = {
    allowed.content_type: extension for extension, allowed in ALLOWED.items() if extension != "jpeg"
}


@dataclass(frozen=True)
class Refused:
    extension: str
    reason: str  # not_allowed | too_large | content_mismatch | too_many


@dataclass(frozen=True)
class StoreResult:
    stored: list[Attachment]
    refused: list[Refused]


def attachments_dir(settings: Settings) -> Path:
    return settings.instance_dir / "attachments"


def display_name(filename: str, extension: str) -> str:
    """The sender's file name made safe to show: no path, no control characters, bounded."""
    name = unicodedata.normalize("NFKC", filename)
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in ("C", "Z") or ch == " ")
    name = re.sub(r"[^\w .()\-]", "_", name)
    stem = (name.rsplit(".", 1)[0] if "." in name else name).strip(" .")
    stem = stem[: MAX_DISPLAY_NAME - len(extension) - 1] or "attachment"
    return f"{stem}.{extension}"


def extension_of(attachment: RawAttachment) -> str:
    name = attachment.filename.strip().lower()
    if "." in name:
        return name.rsplit(".", 1)[-1].strip()
    return _EXTENSION_FOR_TYPE.get(attachment.declared_type.lower(), "")


def store_attachments(
    session: Session, settings: Settings, contact: Contact, attachments: list[RawAttachment]
) -> StoreResult:
    """Write allowed attachments to disk and add their rows; the caller commits.

    If the transaction is rolled back the files are orphans, which `remove_files` cleans up.
    """
    stored: list[Attachment] = []
    refused: list[Refused] = []
    folder = attachments_dir(settings)
    for raw in attachments:
        extension = extension_of(raw)
        problem = _problem(raw, extension, len(stored))
        if problem is not None:
            refused.append(Refused(extension[:10], problem))
            continue
        allowed = ALLOWED[extension]
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / secrets.token_hex(16)
        _write_private(path, crypto.encrypt_bytes(raw.data))
        row = Attachment(
            contact_id=contact.id,
            filename=display_name(raw.filename, "jpg" if extension == "jpeg" else extension),
            content_type=allowed.content_type,
            size=len(raw.data),
            sha256=_sha256(raw.data),
            storage_path=path.name,
        )
        session.add(row)
        stored.append(row)
    return StoreResult(stored, refused)


def _problem(raw: RawAttachment, extension: str, already_stored: int) -> str | None:
    if extension not in ALLOWED:
        return "not_allowed"
    if len(raw.data) > MAX_ATTACHMENT_BYTES:
        return "too_large"
    if not ALLOWED[extension].looks_right(raw.data):
        return "content_mismatch"
    if already_stored >= MAX_ATTACHMENTS:
        return "too_many"
    return None


def _write_private(path: Path, data: bytes) -> None:
    # O_EXCL: a random name that somehow exists is never overwritten; 0600: only this service.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def remove_files(settings: Settings, rows: list[Attachment]) -> None:
    for row in rows:
        (attachments_dir(settings) / row.storage_path).unlink(missing_ok=True)


def file_path(settings: Settings, attachment: Attachment) -> Path:
    """Where a stored attachment is on disk (storage_path is a bare random name)."""
    return attachments_dir(settings) / Path(attachment.storage_path).name


class AttachmentUnavailable(Exception):
    """A stored attachment that cannot be given back as it was received."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # missing | unreadable | changed


def read_attachment(settings: Settings, attachment: Attachment) -> bytes:
    """The file as it was received. Raises AttachmentUnavailable when its file is gone (removed
    by hand, or not restored from a backup), no configured key opens it, or what it holds is not
    what was received (its checksum differs)."""
    try:
        stored = file_path(settings, attachment).read_bytes()
    except FileNotFoundError as exc:
        raise AttachmentUnavailable("missing") from exc
    return _contents(stored, attachment)


def _contents(stored: bytes, attachment: Attachment) -> bytes:
    try:
        data = crypto.decrypt_bytes(stored)
    except InvalidToken:
        # Written before attachments were encrypted: the checksum taken when it arrived says
        # whether this is that file. `rotate_files` encrypts such files.
        if _sha256(stored) == attachment.sha256:
            return stored
        raise AttachmentUnavailable("unreadable") from None
    if _sha256(data) != attachment.sha256:
        raise AttachmentUnavailable("changed")
    return data


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class RotateResult:
    rewritten: int
    # (attachment id, AttachmentUnavailable.reason) of each file that could not be rewritten
    problems: list[tuple[int, str]]


def rotate_files(session: Session, settings: Settings) -> RotateResult:
    """Re-encrypt every stored attachment under the newest key, and encrypt any written before
    attachments were encrypted. Each file is replaced whole (written beside it, then renamed
    over it), so a crash leaves either the old file or the new one, both readable."""
    rewritten = 0
    problems: list[tuple[int, str]] = []
    for attachment in session.scalars(select(Attachment).order_by(Attachment.id)):
        try:
            data = read_attachment(settings, attachment)
        except AttachmentUnavailable as exc:
            problems.append((attachment.id, exc.reason))
            continue
        path = file_path(settings, attachment)
        temporary = path.with_name(path.name + ".rotating")
        temporary.unlink(missing_ok=True)  # left by a run that stopped half-way
        _write_private(temporary, crypto.encrypt_bytes(data))
        os.replace(temporary, path)
        rewritten += 1
    return RotateResult(rewritten, problems)


def download_headers(attachment: Attachment) -> dict[str, str]:
    """Headers for serving a stored attachment: always a download, never sniffed or run."""
    # The name as given for browsers that read RFC 6266's filename* ("Zoë's form.pdf"), and an
    # ASCII stand-in for any that do not.
    ascii_name = attachment.filename.encode("ascii", "replace").decode().replace('"', "_")
    utf8_name = quote(attachment.filename, safe="")
    return {
        "Content-Type": attachment.content_type,
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{utf8_name}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "no-store",
    }
