"""Attachments are kept only when their type is allowed and their content agrees with it."""

from __future__ import annotations

import stat

import pytest
from cryptography.fernet import Fernet

from channels.email.attachments import (
    MAX_ATTACHMENT_BYTES,
    AttachmentUnavailable,
    display_name,
    download_headers,
    file_path,
    read_attachment,
    rotate_files,
    store_attachments,
)
from channels.email.parse import RawAttachment
from intake import crypto, service
from intake.models import Attachment

PDF = b"%PDF-1.7\n% a referral form\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
DOCX = b"PK\x03\x04" + b"\x00" * 20


@pytest.fixture
def contact(session):
    contact = service.new_contact(session, "email", origin_address="sam@riverside.sch.uk")
    session.flush()
    return contact


def test_allowed_files_are_stored_privately_under_random_names(session, app, contact):
    settings = app.extensions["frontdoor.settings"]
    result = store_attachments(
        session,
        settings,
        contact,
        [
            RawAttachment("form.pdf", "application/pdf", PDF),
            RawAttachment("bruise.PNG", "image/png", PNG),
            RawAttachment(
                "", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", DOCX
            ),
        ],
    )
    session.commit()
    assert [a.filename for a in result.stored] == ["form.pdf", "bruise.png", "attachment.docx"]
    assert result.refused == []
    for row in result.stored:
        path = file_path(settings, row)
        assert path.parent == settings.instance_dir / "attachments" and "." not in path.name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_attachment(settings, result.stored[0]) == PDF


def test_files_are_encrypted_on_disk(session, app, contact):
    settings = app.extensions["frontdoor.settings"]
    [row] = store_attachments(
        session, settings, contact, [RawAttachment("form.pdf", "application/pdf", PDF)]
    ).stored
    on_disk = file_path(settings, row).read_bytes()
    assert b"%PDF" not in on_disk and b"referral form" not in on_disk
    assert crypto.decrypt_bytes(on_disk) == PDF


def test_a_file_changed_on_disk_is_not_given_back(session, app, contact):
    settings = app.extensions["frontdoor.settings"]
    [row] = store_attachments(
        session, settings, contact, [RawAttachment("form.pdf", "application/pdf", PDF)]
    ).stored
    path = file_path(settings, row)
    token = bytearray(path.read_bytes())
    token[len(token) // 2] ^= 1
    path.write_bytes(bytes(token))
    with pytest.raises(AttachmentUnavailable) as unreadable:
        read_attachment(settings, row)
    assert unreadable.value.reason == "unreadable"
    # Encrypted properly, but not what arrived (its checksum differs): swapped for another file.
    path.write_bytes(crypto.encrypt_bytes(PDF + b"more"))
    with pytest.raises(AttachmentUnavailable) as changed:
        read_attachment(settings, row)
    assert changed.value.reason == "changed"
    path.unlink()
    with pytest.raises(AttachmentUnavailable) as missing:
        read_attachment(settings, row)
    assert missing.value.reason == "missing"


def test_a_file_stored_before_encryption_is_read_and_rotation_encrypts_it(session, app, contact):
    settings = app.extensions["frontdoor.settings"]
    [row] = store_attachments(
        session, settings, contact, [RawAttachment("form.pdf", "application/pdf", PDF)]
    ).stored
    session.commit()
    path = file_path(settings, row)
    path.write_bytes(PDF)  # as an earlier version wrote it
    assert read_attachment(settings, row) == PDF
    result = rotate_files(session, settings)
    assert (result.rewritten, result.problems) == (1, [])
    assert b"%PDF" not in path.read_bytes() and read_attachment(settings, row) == PDF
    assert not list(path.parent.glob("*.rotating"))


def test_rotation_rewrites_files_under_the_newest_key_and_reports_missing_ones(
    session, app, contact
):
    settings = app.extensions["frontdoor.settings"]
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    crypto.configure((old_key,), "unused")
    try:
        kept, lost = store_attachments(
            session,
            settings,
            contact,
            [
                RawAttachment("form.pdf", "application/pdf", PDF),
                RawAttachment("photo.png", "image/png", PNG),
            ],
        ).stored
        session.commit()
        file_path(settings, lost).unlink()
        crypto.configure((new_key, old_key), "unused")
        result = rotate_files(session, settings)
        assert (result.rewritten, result.problems) == (1, [(lost.id, "missing")])
        crypto.configure((new_key,), "unused")  # the old key removed
        assert read_attachment(settings, kept) == PDF
    finally:
        settings_keys = settings.encryption_keys
        crypto.configure(settings_keys, settings.secret_key)


@pytest.mark.parametrize(
    ("attachment", "reason"),
    [
        (RawAttachment("run.exe", "application/octet-stream", b"MZ\x90\x00"), "not_allowed"),
        (RawAttachment("page.html", "text/html", b"<script>x</script>"), "not_allowed"),
        (
            RawAttachment("form.pdf", "application/pdf", b"MZ\x90\x00 renamed program"),
            "content_mismatch",
        ),
        (RawAttachment("photo.jpg", "image/jpeg", PNG), "content_mismatch"),
        (
            RawAttachment("big.pdf", "application/pdf", PDF + b"0" * MAX_ATTACHMENT_BYTES),
            "too_large",
        ),
    ],
)
def test_other_files_are_refused_with_a_reason(session, app, contact, attachment, reason):
    settings = app.extensions["frontdoor.settings"]
    result = store_attachments(session, settings, contact, [attachment])
    assert result.stored == [] and [r.reason for r in result.refused] == [reason]
    assert not (settings.instance_dir / "attachments").exists() or not any(
        (settings.instance_dir / "attachments").iterdir()
    )


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\sam\\Jordan notes.pdf", "Jordan notes.pdf"),
        ("invoice\u202egnp.pdf", "invoicegnp.pdf"),  # no right-to-left override trick
        ('"quoted"<b>.pdf', "_quoted__b_.pdf"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
        (".pdf", "attachment.pdf"),
    ],
)
def test_the_senders_file_name_is_made_safe_to_show(name, shown):
    assert display_name(name, "pdf") == shown


def test_a_stored_attachment_is_only_ever_served_as_a_download():
    headers = download_headers(
        Attachment(filename="Jordan notes.pdf", content_type="application/pdf")
    )
    assert headers["Content-Disposition"] == (
        "attachment; filename=\"Jordan notes.pdf\"; filename*=UTF-8''Jordan%20notes.pdf"
    )
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]


def test_a_file_name_beyond_ascii_is_given_to_browsers_whole():
    headers = download_headers(
        Attachment(filename="Zoë's form.pdf", content_type="application/pdf")
    )
    assert headers["Content-Disposition"] == (
        "attachment; filename=\"Zo?'s form.pdf\"; filename*=UTF-8''Zo%C3%AB%27s%20form.pdf"
    )
