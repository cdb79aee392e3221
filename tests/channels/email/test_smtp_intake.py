"""Referrals by email, end to end: real SMTP sessions to the running intake server."""

from __future__ import annotations

import re
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from sqlalchemy import func, select

from channels.email.attachments import read_attachment
from intake.models import Attachment, InboundMessage, OutboundMessage
from tests.channels.email.mail import (
    COMPLETE_SCHOOL_REFERRAL,
    INTAKE,
    SCHOOL,
    SPARSE_REFERRAL,
    contacts,
    plain_email,
)

# What a teacher would write against each question our reply asks, found by its wording.
ANSWERS_BY_PROMPT = {
    "immediate danger": "No",
    "who are you": "I am his class teacher",
    "what is your role": "Class teacher",
    "which organisation": "Riverside Primary School",
    "phone number": "0113 496 0123",
    "date of birth": "3rd April 2015",
    "another child": "No",
    "who does the child live with": "His mother Kelly Smith and her boyfriend Dean Jones",
    "when did this happen": "Last night",
    "how do you know": "The child told me",
    "in the child's home": "Domestic abuse",
    "parents or carers know": "I have not asked them, because asking would put Jordan at risk",
    "other services": "None that I know of",
    "what is your name": "Sam Patel",
}


def _answer_for(prompt: str) -> str:
    for words, answer in ANSWERS_BY_PROMPT.items():
        if words in prompt.lower():
            return answer
    raise AssertionError(f"the test has no answer for: {prompt}")


def _numbered_questions(body: str) -> list[tuple[int, str]]:
    return [(int(n), text) for n, text in re.findall(r"^(\d+)\. (.+)$", body, re.MULTILINE)]


@pytest.mark.parametrize("backend", ["postgres", "embedded"], indirect=True)
def test_a_plain_text_referral_from_a_school_with_all_details_becomes_a_submitted_contact(
    send, session
):
    message = plain_email(COMPLETE_SCHOOL_REFERRAL)
    send(message)

    [contact] = contacts(session)
    assert contact.status == "submitted" and contact.channel == "email"
    assert contact.origin_address == SCHOOL and contact.referrer_email == SCHOOL
    assert (contact.referrer_name, contact.referrer_role, contact.referrer_organisation) == (
        "Sam Patel",
        "Designated Safeguarding Lead",
        "Riverside Primary School",
    )
    assert contact.referrer_type == "school" and contact.referrer_phone == "+441134960123"
    [child] = contact.children
    assert (child.given_name, child.family_name, str(child.date_of_birth)) == (
        "Jordan",
        "Smith",
        "2015-04-03",
    )
    assert child.postcode == "LS1 4AP"
    assert [p.relationship_to_child for p in contact.household] == ["mother", "step_parent"]
    assert (contact.consent_answer, contact.consent_reason) == ("not_asked", "risk_of_harm")
    assert "his mum's boyfriend hit him" in contact.concern_description
    assert "Kind regards" not in contact.concern_description
    assert "confidential" not in contact.concern_description
    assert "Tel: 0113 496 0123" in contact.raw_text  # the email as received, for the officer
    # The acknowledgement submission queued is a reply in the referrer's thread.
    [ack] = session.scalars(select(OutboundMessage)).all()
    assert (ack.purpose, ack.transport, ack.recipient) == ("acknowledgement", "email", SCHOOL)
    assert ack.in_reply_to == message["Message-ID"]


def test_a_sparse_email_gets_a_reply_listing_the_missing_questions_and_the_answers_complete_it(
    send, session, relay, run_jobs
):
    send(plain_email(SPARSE_REFERRAL))
    [contact] = contacts(session)
    assert contact.status == "draft"
    run_jobs()

    [asking] = relay.received
    assert asking.recipients == [SCHOOL]
    assert asking.message["Subject"] == f"Referral {contact.reference}: we need a few more details"
    assert asking.message["Auto-Submitted"] == "auto-replied"
    text = asking.message.get_content()
    assert contact.reference in text and "/refer/resume/" in text
    questions = _numbered_questions(text)
    prompts = " ".join(prompt for _n, prompt in questions)
    assert "Is a child in immediate danger right now?" in prompts
    assert "Do the child's parents or carers know about this referral" in prompts
    assert "What is the child's name?" not in prompts  # the email said it

    reply = EmailMessage()
    reply["From"] = f"Sam Patel <{SCHOOL}>"
    reply["To"] = INTAKE
    reply["Subject"] = "Re: " + asking.message["Subject"]
    reply["Message-ID"] = make_msgid(domain="riverside.sch.uk")
    reply["In-Reply-To"] = asking.message["Message-ID"]
    reply["References"] = asking.message["Message-ID"]
    answers = "\n".join(f"{n}. {_answer_for(prompt)}" for n, prompt in questions)
    quoted = "\n".join(f"> {line}" for line in text.splitlines())
    reply.set_content(
        f"{answers}\n\nThanks\nSam\n\nOn Mon, 3 Jun 2024 at 10:00, MASH <{INTAKE}> wrote:\n{quoted}\n"
    )
    send(reply)

    [contact] = contacts(session)
    assert contact.status == "submitted"
    assert contact.referrer_role == "Class teacher" and contact.referrer_type == "school"
    assert contact.consent_reason == "risk_of_harm"
    assert [p.relationship_to_child for p in contact.household] == ["mother", "step_parent"]
    assert "bruise on his cheek" in contact.concern_description
    run_jobs()
    acknowledgement = relay.received[-1].message
    assert acknowledgement["Subject"] == f"Referral received: {contact.reference}"
    assert acknowledgement["In-Reply-To"] == reply["Message-ID"]


HTML_CP1252 = """<html><head><style>p { color: red }</style>
<script>document.write('not part of the referral')</script></head>
<body><p>Dear MASH,</p>
<p>I am worried about Zo\u00eb Brown, aged 6, who lives in the flat next to mine. Her mum\u2019s
new partner shouts at her every night and I heard her crying \u201cstop, please stop\u201d
through the wall. She owes the ice cream van \u00a35 and says she is hungry.</p>
<p>Kind regards,<br>Pat Jones</p></body></html>"""


def test_an_html_only_email_in_windows_1252_is_read_as_text(send, session):
    message = EmailMessage()
    message["From"] = "Pat Jones <pat.jones@example.com>"
    message["To"] = INTAKE
    message["Subject"] = "Worried about the girl next door"
    message["Message-ID"] = make_msgid(domain="example.com")
    message.set_content(HTML_CP1252, subtype="html", charset="windows-1252", cte="quoted-printable")
    assert b"Zo=EB" in message.as_bytes()  # really sent in windows-1252, not UTF-8
    send(message)

    [contact] = contacts(session)
    concern = contact.raw_text
    assert "Zo\u00eb Brown" in concern and "\u00a35" in concern and "mum\u2019s" in concern
    assert "document.write" not in concern and "color: red" not in concern
    state = contact.flow_state["answers"]
    assert state["concern"].startswith("I am worried about Zo\u00eb Brown")
    assert "Kind regards" not in state["concern"]


def _pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_a_forwarded_email_keeps_the_forwarded_referral_and_its_pdf(send, session, app):
    message = EmailMessage()
    message["From"] = f"Sam Patel <{SCHOOL}>"
    message["To"] = INTAKE
    message["Subject"] = "Fwd: Concern about Jordan"
    message["Message-ID"] = make_msgid(domain="riverside.sch.uk")
    message.set_content(
        "Forwarding this from our class teacher, with her notes attached.\n\n"
        "Sam\n\n"
        "---------- Forwarded message ---------\n"
        "From: Tina Teacher <tina.teacher@riverside.sch.uk>\n"
        "Date: Mon, 3 Jun 2024 at 08:55\n"
        "Subject: Concern about Jordan\n"
        "To: Sam Patel <sam.patel@riverside.sch.uk>\n\n"
        "Jordan told me this morning that his mum's boyfriend hit him across the face last\n"
        "night and that he does not want to go home. He has a bruise on his cheek.\n\n"
        "Tina\n"
    )
    message.add_attachment(
        _pdf(), maintype="application", subtype="pdf", filename="../../Jordan notes.pdf"
    )
    message.add_attachment(
        b"MZ\x90\x00 not really a program",
        maintype="application",
        subtype="octet-stream",
        filename="invoice.exe",
    )
    send(message)

    [contact] = contacts(session)
    concern = contact.flow_state["answers"]["concern"]
    assert "his mum's boyfriend hit him across the face" in concern
    assert "Forwarding this from our class teacher" in concern
    [attachment] = session.scalars(select(Attachment)).all()
    assert attachment.contact_id == contact.id
    assert (attachment.filename, attachment.content_type) == ("Jordan notes.pdf", "application/pdf")
    stored = (
        app.extensions["frontdoor.settings"].instance_dir / "attachments" / attachment.storage_path
    )
    assert re.fullmatch(r"[0-9a-f]{32}", stored.name)
    assert b"%PDF" not in stored.read_bytes()  # encrypted at rest
    assert read_attachment(app.extensions["frontdoor.settings"], attachment) == _pdf()
    [received] = [e.detail for e in contact.events if e.step == "email_received"]
    assert received["attachments_refused"] == ["not_allowed"]
    assert received["intake_addresses"] == [INTAKE]


@pytest.mark.parametrize(
    ("headers", "mail_from"),
    [
        ({"Subject": "Automatic reply: Referral received", "Auto-Submitted": "auto-replied"}, None),
        ({"Subject": "Out of Office: back on Monday"}, None),
        ({"Subject": "Weekly safeguarding bulletin", "Precedence": "bulk"}, None),
        ({"Subject": "Delivery Status Notification (Failure)"}, ""),
    ],
    ids=["auto-submitted", "out-of-office-subject", "bulk", "bounce"],
)
def test_automatic_mail_is_ignored_and_never_answered(
    intake_server, session, relay, run_jobs, headers, mail_from
):
    message = plain_email("I am out of the office until Monday with no access to email.")
    del message["Subject"]
    for name, value in headers.items():
        message[name] = value
    with smtplib.SMTP("127.0.0.1", intake_server.port) as client:
        refused = client.send_message(
            message, from_addr=SCHOOL if mail_from is None else mail_from, to_addrs=[INTAKE]
        )
    assert refused == {}  # accepted, so the sender does not retry, but...
    run_jobs()
    assert contacts(session) == [] and relay.received == []


def test_the_same_message_delivered_twice_makes_one_contact_and_one_reply(send, session):
    message = plain_email(SPARSE_REFERRAL)
    send(message)
    send(message)
    assert len(contacts(session)) == 1
    assert session.scalar(select(func.count()).select_from(InboundMessage)) == 1
    assert session.scalar(select(func.count()).select_from(OutboundMessage)) == 1


def test_an_oversized_message_is_refused_with_552(start_server, session):
    server = start_server(smtpd_max_message_bytes=50_000)
    message = plain_email("A long message. " * 5_000)
    with smtplib.SMTP("127.0.0.1", server.port) as client:
        client.ehlo()
        assert client.esmtp_features["size"] == "50000"
        # A client that does not declare the size is stopped at the end of DATA...
        assert client.mail(SCHOOL)[0] == 250 and client.rcpt(INTAKE)[0] == 250
        code, _text = client.data(message.as_bytes(policy=message.policy.clone(linesep="\r\n")))
        assert code == 552
    with smtplib.SMTP("127.0.0.1", server.port) as client:
        # ...and one that does is stopped before sending it.
        with pytest.raises(smtplib.SMTPSenderRefused) as too_big:
            client.send_message(message, to_addrs=[INTAKE])
        assert too_big.value.smtp_code == 552
    assert contacts(session) == []


def test_a_message_to_an_address_we_do_not_take_mail_for_is_refused_with_550(
    intake_server, session
):
    with smtplib.SMTP("127.0.0.1", intake_server.port) as client:
        client.ehlo()
        client.mail(SCHOOL)
        code, _text = client.rcpt("someone-else@frontdoor.test")
        assert code == 550
        assert client.rcpt(INTAKE.upper())[0] == 250  # addresses are not case-sensitive
    with (
        smtplib.SMTP("127.0.0.1", intake_server.port) as client,
        pytest.raises(smtplib.SMTPRecipientsRefused),
    ):
        client.send_message(plain_email(SPARSE_REFERRAL), to_addrs=["someone-else@frontdoor.test"])
    assert contacts(session) == []


def test_the_smtp_conversation_logs_no_sender_address(send, caplog):
    caplog.set_level("DEBUG")  # everything the service would log, were it set to log everything
    send(plain_email(SPARSE_REFERRAL))
    assert caplog.records, "the conversation was logged at all"
    assert SCHOOL not in caplog.text and SCHOOL.split("@")[0] not in caplog.text
