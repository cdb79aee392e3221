"""Builders for the emails referrers send, as mail programs write them."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.models import Contact

INTAKE = "mash@frontdoor.test"
SCHOOL = "sam.patel@riverside.sch.uk"

SCHOOL_SIGNATURE = """Kind regards,

Sam Patel
Designated Safeguarding Lead
Riverside Primary School
Tel: 0113 496 0123

This email and any attachments are confidential and intended solely for the addressee. If you
have received this email in error please notify the sender and delete it."""

COMPLETE_SCHOOL_REFERRAL = f"""Dear MASH team,

I am writing to refer Jordan, who is in Year 4 with us. This morning Jordan came into school
with a large bruise on his left cheek. When his class teacher asked him about it he said that
his mum's boyfriend hit him last night because he would not go to bed, and that he is scared to
go home. He has been withdrawn and tired for the last few weeks.

Immediate danger: No
Child's name: Jordan Smith
Date of birth: 03/04/2015
Gender: Male
Address: 10 High Street, Leeds
Postcode: LS1 4AP
School: Riverside Primary School
Other children: none
Lives with: mother Kelly Smith and her partner Dean Jones
When: last night
How do you know: The child told us
Concerns at home: domestic abuse
Consent: Not sought - asking would put Jordan at risk
Other agencies: None known

{SCHOOL_SIGNATURE}
"""

SPARSE_REFERRAL = """Hello,

I'm worried about a boy called Jordan Smith in my class. He came in with a bruise on his cheek
today and said his mum's boyfriend did it. Please can someone look into this.

Thanks
Sam
"""


def plain_email(
    body: str,
    *,
    sender: str = SCHOOL,
    name: str = "Sam Patel",
    subject: str = "Safeguarding referral",
    message_id: str | None = None,
    **headers: str,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"{name} <{sender}>"
    message["To"] = INTAKE
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="riverside.sch.uk")
    for header, value in headers.items():
        message[header.replace("_", "-")] = value
    message.set_content(body)
    return message


def contacts(session: Session) -> list[Contact]:
    session.expire_all()
    return list(session.scalars(select(Contact).order_by(Contact.id)))
