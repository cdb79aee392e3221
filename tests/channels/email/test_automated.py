"""Mail no person wrote is recognised, so it never starts a referral or a mail loop."""

from __future__ import annotations

import pytest

from channels.email.automated import Automated, automated_reason
from channels.email.parse import ParsedEmail
from intake.config import Settings

SETTINGS = Settings(mail_from="mash-frontdoor@frontdoor.test")


def _parsed(**overrides: object) -> ParsedEmail:
    parsed = ParsedEmail(
        message_id="<abc@riverside.sch.uk>",
        from_address="sam@riverside.sch.uk",
        subject="Referral",
    )
    for name, value in overrides.items():
        setattr(parsed, name, value)
    return parsed


@pytest.mark.parametrize(
    ("parsed", "envelope_from", "reason"),
    [
        (_parsed(), "", Automated.BOUNCE),
        (_parsed(), "<>", Automated.BOUNCE),
        (_parsed(content_type="multipart/report"), "x@y.example", Automated.BOUNCE),
        (_parsed(from_address="mailer-daemon@riverside.sch.uk"), None, Automated.BOUNCE),
        (_parsed(from_address="mash-frontdoor@frontdoor.test"), None, Automated.OWN_MAIL),
        (_parsed(message_id="<fd.1700000000.ab12@frontdoor.test>"), None, Automated.OWN_MAIL),
        (_parsed(headers={"auto-submitted": "auto-replied"}), None, Automated.AUTO_REPLY),
        (_parsed(headers={"x-autoreply": "yes"}), None, Automated.AUTO_REPLY),
        (_parsed(headers={"x-autorespond": "1"}), None, Automated.AUTO_REPLY),
        (_parsed(headers={"precedence": "bulk"}), None, Automated.BULK),
        (_parsed(headers={"precedence": "junk"}), None, Automated.BULK),
        (_parsed(headers={"precedence": "list"}), None, Automated.BULK),
        (_parsed(subject="Automatic reply: Referral ABCD-EFGH"), None, Automated.AUTO_REPLY),
        (_parsed(subject="Out of Office: back Monday"), None, Automated.AUTO_REPLY),
        (_parsed(subject="[Auto-Reply] On annual leave"), None, Automated.AUTO_REPLY),
        (_parsed(subject="Undeliverable: Referral ABCD-EFGH"), None, Automated.AUTO_REPLY),
        (_parsed(subject="Abwesend: Referral ABCD-EFGH"), None, Automated.AUTO_REPLY),
        (_parsed(subject="Autosvar: Referral ABCD-EFGH"), None, Automated.AUTO_REPLY),
        (_parsed(subject="Automatische Antwort: Referral"), None, Automated.AUTO_REPLY),
        (_parsed(subject="Automatisch antwoord: Referral"), None, Automated.AUTO_REPLY),
    ],
)
def test_automatic_mail_is_recognised(parsed, envelope_from, reason):
    assert automated_reason(parsed, envelope_from, SETTINGS) == reason


@pytest.mark.parametrize(
    "parsed",
    [
        _parsed(),
        _parsed(headers={"auto-submitted": "no"}),
        # A colleague at the council, writing from the hub's own domain, is a person.
        _parsed(from_address="housing.officer@frontdoor.test", message_id="<x1@frontdoor.test>"),
        _parsed(subject="Re: Referral ABCD-EFGH: we need a few more details"),
        _parsed(subject="Office move - child seen at the out of hours clinic"),
        _parsed(subject="Absence from school - worried about Jordan"),
    ],
)
def test_mail_from_a_person_is_not_taken_for_automatic_mail(parsed):
    assert automated_reason(parsed, "sam@riverside.sch.uk", SETTINGS) is None
