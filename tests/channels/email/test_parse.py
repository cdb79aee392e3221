"""Reading raw messages: parts, charsets, transfer encodings, forwards, and garbage."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from channels.email.html_text import html_to_text
from channels.email.parse import FORWARD_MARKER, parse_email


def _message(**headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = headers.pop("From", "Sam Patel <Sam.Patel@Riverside.sch.uk>")
    message["To"] = "mash@frontdoor.test"
    message["Subject"] = headers.pop("Subject", "Referral")
    message["Message-ID"] = headers.pop("Message_ID", "<abc@riverside.sch.uk>")
    return message


def test_multipart_alternative_prefers_the_plain_text_the_sender_wrote():
    message = _message()
    message.set_content("Plain words.")
    message.add_alternative("<p>HTML <b>words</b>.</p>", subtype="html")
    parsed = parse_email(message.as_bytes())
    assert parsed.text == "Plain words."
    assert parsed.from_address == "sam.patel@riverside.sch.uk" and parsed.from_name == "Sam Patel"
    assert parsed.message_id == "<abc@riverside.sch.uk>"


def test_an_empty_plain_part_falls_back_to_the_html_one():
    message = _message()
    message.set_content("   ")
    message.add_alternative("<p>Only the HTML says it.</p>", subtype="html")
    assert parse_email(message.as_bytes()).text == "Only the HTML says it."


@pytest.mark.parametrize("cte", ["quoted-printable", "base64"])
def test_transfer_encodings_are_decoded(cte):
    message = _message()
    message.set_content("Zoë’s mum said “not today” – £5 owed.", cte=cte)
    assert cte in message.as_string()
    assert parse_email(message.as_bytes()).text == "Zoë’s mum said “not today” – £5 owed."


def test_latin_1_labelled_text_is_read_as_windows_1252_as_mail_programs_mean_it():
    raw = (
        b"From: a@b.example\r\nSubject: x\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\nShe said \x93stop\x94 and it\x92s \xa35.\r\n"
    )
    assert parse_email(raw).text == "She said “stop” and it’s £5."


def test_an_unknown_charset_does_not_stop_the_message_being_read():
    raw = (
        b"From: a@b.example\r\nSubject: x\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\n"
        b"Plain enough.\r\n"
    )
    assert parse_email(raw).text == "Plain enough."


def test_a_forwarded_message_part_is_inlined_with_its_attachments():
    inner = _message(Subject="Concern about Jordan", From="Tina <tina@riverside.sch.uk>")
    inner.set_content("Jordan told me he was hit.")
    inner.add_attachment(b"%PDF-1.4 notes", maintype="application", subtype="pdf", filename="n.pdf")
    outer = _message(Subject="Referral")
    outer.set_content("See the message below.")
    outer.add_attachment(inner)
    parsed = parse_email(outer.as_bytes())
    assert parsed.forwarded
    assert parsed.text.startswith("See the message below.")
    assert FORWARD_MARKER in parsed.text and "Jordan told me he was hit." in parsed.text
    assert [a.filename for a in parsed.attachments] == ["n.pdf"]


def test_thread_headers_are_read_nearest_first():
    message = _message()
    message["In-Reply-To"] = "<b@frontdoor.test>"
    message["References"] = "<a@frontdoor.test> <b@frontdoor.test>"
    message.set_content("Answers")
    parsed = parse_email(message.as_bytes())
    assert parsed.thread_ids == ["<b@frontdoor.test>", "<b@frontdoor.test>", "<a@frontdoor.test>"]


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe garbage \x80\x81",
        b"From: \r\nSubject: =?utf-8?B?broken?=\r\nContent-Type: multipart/mixed\r\n\r\nno boundary",
        b"Content-Type: text/plain; charset=\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64",
        b"Message-ID: " + b"<" + b"x" * 5000 + b">\r\n\r\nbody",
    ],
)
def test_garbage_never_raises(raw):
    parsed = parse_email(raw)
    assert isinstance(parsed.text, str) and parsed.from_address == ""


def test_html_is_turned_into_readable_text_without_scripts_or_styles():
    text = html_to_text(
        "<html><head><title>t</title><style>p{color:red}</style></head><body>"
        "<p>Hello&nbsp;there,</p><p>Jordan   came in <b>bruised</b>.<br>Today.</p>"
        "<script>alert('x')</script><ul><li>one</li><li>two</li></ul>"
        "<blockquote><p>Our earlier email</p></blockquote></body></html>"
    )
    assert (
        text
        == "Hello there,\n\nJordan came in bruised.\nToday.\n\n- one\n- two\n> Our earlier email"
    )
