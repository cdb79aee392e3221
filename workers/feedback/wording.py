"""The default wording of every message, in plain English. Admins can override any of it.

Placeholders are written `((name))`, as in GOV.UK Notify. Only these exist:
- `((reference))` the contact's reference, which every message carries;
- `((contact_us))` how to reach the hub ("call the MASH on 0113 496 0000", or "contact the MASH");
- `((outcome))` the outcome's label, in messages to professionals only.
Nothing about the child, the family or the concern can be filled in: there is no placeholder
for it, so no wording, default or edited, can carry it.

Text messages use only the standard text message alphabet (no curly quotes or dashes), which
keeps each part at 160 characters rather than 70.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Wording:
    subject: str | None
    body: str


EMAIL_FOOTER = "This email does not contain any details of the referral, to keep them confidential."
DANGER_LINE = "If a child is in immediate danger, call 999."
CHILDLINE_EMAIL = (
    "You can talk to Childline about anything, any time, on 0800 1111 or at childline.org.uk. "
    "It is free."
)

ACKNOWLEDGEMENTS: dict[tuple[str, str], Wording] = {
    ("professional", "sms"): Wording(
        None,
        "MASH: we have received your referral, reference ((reference)). A MASH officer will "
        "review it within 1 working day, sooner if a child may be at risk of serious harm, and "
        "we will tell you the outcome. Questions: ((contact_us)), quoting the reference.",
    ),
    ("professional", "email"): Wording(
        "Referral received: ((reference))",
        "We have received your referral.\n\n"
        "Reference: ((reference))\n\n"
        "What happens next\n\n"
        "A MASH contact officer will review your referral within 1 working day, and within hours "
        "if a child may be at risk of serious harm. They will check what partner agencies "
        "already know and decide what happens next, usually within 3 working days.\n\n"
        "We will email you the outcome.\n\n"
        "If the situation changes or you have more information, ((contact_us)) and quote the "
        "reference. " + DANGER_LINE + "\n\n" + EMAIL_FOOTER,
    ),
    ("family", "sms"): Wording(
        None,
        "Thank you for contacting the MASH. Your reference is ((reference)). We will look at "
        "what you told us within 1 working day. If a child is in danger now, call 999. To tell "
        "us more, ((contact_us)) and quote the reference.",
    ),
    ("family", "email"): Wording(
        "We have received your referral: ((reference))",
        "Thank you for contacting the MASH.\n\n"
        "Your reference is ((reference)). Please keep it in case you need to contact us.\n\n"
        "What happens next\n\n"
        "A MASH officer will look at what you told us within 1 working day. We will let you "
        "know when we have looked at it and acted on it. To protect the family's privacy we "
        "cannot tell you what we decide.\n\n"
        "If anything changes or you want to tell us more, ((contact_us)) and quote the "
        "reference. " + DANGER_LINE + "\n\n" + EMAIL_FOOTER,
    ),
    ("public", "sms"): Wording(
        None,
        "Thank you for contacting the MASH. Your reference is ((reference)). We will look at "
        "what you told us within 1 working day. If a child is in danger now, call 999. To tell "
        "us more, ((contact_us)) and quote the reference.",
    ),
    ("public", "email"): Wording(
        "We have received your referral: ((reference))",
        "Thank you for telling us you are worried about a child.\n\n"
        "Your reference is ((reference)). Please keep it in case you need to contact us.\n\n"
        "What happens next\n\n"
        "A MASH officer will look at what you told us within 1 working day. We will let you "
        "know when we have looked at it and acted on it. To protect the family's privacy we "
        "cannot tell you what we decide.\n\n"
        "If anything changes or you want to tell us more, ((contact_us)) and quote the "
        "reference. " + DANGER_LINE + "\n\n" + EMAIL_FOOTER,
    ),
    ("self", "sms"): Wording(
        None,
        "Thank you for telling us. Your reference is ((reference)). Someone from the MASH team "
        "will read what you sent within 1 working day. If you are in danger now, call 999. You "
        "can talk to Childline any time on 0800 1111. It is free.",
    ),
    ("self", "email"): Wording(
        "We got your message: ((reference))",
        "Thank you for telling us. It takes courage to do that.\n\n"
        "Your reference is ((reference)). Keep it in case you want to talk to us again.\n\n"
        "Someone from the MASH, the team at the council that helps keep children safe, will "
        "read what you sent within 1 working day. They may get in touch to talk with you "
        "about it.\n\n"
        "If you are in danger now, call 999.\n\n" + CHILDLINE_EMAIL + "\n\n"
        "If you want to tell us more, ((contact_us)) and give your reference.",
    ),
}

# Per outcome: one sentence for a text message, a paragraph for an email. Professionals only.
OUTCOME_EXPLANATIONS: dict[str, tuple[str, str]] = {
    "nfa": (
        "If you stay worried or anything changes, please refer again.",
        "The MASH will take no further action at this time. If you stay worried, or anything "
        "changes, please make a new referral: repeated concerns are looked at together.",
    ),
    "advice": (
        "If you stay worried or anything changes, please refer again.",
        "Information and advice have been given, and the MASH will take no further action. If "
        "you stay worried, or anything changes, please make a new referral.",
    ),
    "signpost": (
        "If you stay worried or anything changes, please refer again.",
        "The family have been pointed to universal or community services that can help. If "
        "you stay worried, or anything changes, please make a new referral.",
    ),
    "early_help": (
        "Early Help is voluntary for the family. The Early Help team may contact you.",
        "The family will be offered Early Help. It is voluntary: the family decide whether to "
        "take it up. The Early Help team may contact you about the support your service can "
        "give.",
    ),
    "csc_assessment": (
        "A social worker may contact you for more information.",
        "The referral has been passed to Children's Social Care for an assessment. A social "
        "worker may contact you for more information.",
    ),
    "strategy_discussion": (
        "You may be asked to take part or to share information.",
        "A strategy discussion will be held under section 47 of the Children Act 1989. You may "
        "be asked to take part or to share what your service knows.",
    ),
    "police": (
        "The police may contact you.",
        "The referral has been passed to the police, who may contact you.",
    ),
    "already_open": (
        "The child's allocated worker may contact you.",
        "The child already has an allocated worker, who has been given your referral and may "
        "contact you.",
    ),
}


def professional_outcome(outcome: str, transport: str) -> Wording:
    sms_line, email_paragraph = OUTCOME_EXPLANATIONS[outcome]
    if transport == "sms":
        return Wording(
            None,
            "MASH: outcome of your referral ((reference)): ((outcome)). "
            + sms_line
            + " Questions: ((contact_us)), quoting the reference.",
        )
    return Wording(
        "Outcome of referral ((reference))",
        "The MASH has decided the outcome of your referral ((reference)):\n\n"
        "((outcome))\n\n" + email_paragraph + "\n\n"
        "If you have questions, or anything changes, ((contact_us)) and quote the reference. "
        + DANGER_LINE
        + "\n\n"
        + EMAIL_FOOTER,
    )


# Family members, the public and young people are never told what was decided about a family
# (domain.md: "members of the public get only what is safe to tell them"), so they have one
# general outcome message whatever the outcome.
GENERAL_OUTCOMES: dict[tuple[str, str], Wording] = {
    ("family", "sms"): Wording(
        None,
        "MASH: your referral ((reference)) has been looked at and acted on. To protect the "
        "family's privacy we cannot tell you what was decided. If you are still worried, "
        "((contact_us)). In an emergency call 999.",
    ),
    ("family", "email"): Wording(
        "Your referral ((reference)) has been looked at",
        "Thank you for contacting the MASH.\n\n"
        "Your referral ((reference)) has been looked at and acted on. To protect the family's "
        "privacy we cannot tell you what was decided. We know it can be hard not to know "
        "more.\n\n"
        "If you are still worried, or anything changes, ((contact_us)) and quote the "
        "reference. " + DANGER_LINE + "\n\n" + EMAIL_FOOTER,
    ),
    ("public", "sms"): Wording(
        None,
        "MASH: your referral ((reference)) has been looked at and acted on. To protect the "
        "family's privacy we cannot tell you what was decided. If you are still worried, "
        "((contact_us)). In an emergency call 999.",
    ),
    ("public", "email"): Wording(
        "Your referral ((reference)) has been looked at",
        "Thank you for telling us you were worried about a child.\n\n"
        "Your referral ((reference)) has been looked at and acted on. To protect the family's "
        "privacy we cannot tell you what was decided.\n\n"
        "If you are still worried, or anything changes, ((contact_us)) and quote the "
        "reference. " + DANGER_LINE + "\n\n" + EMAIL_FOOTER,
    ),
    ("self", "sms"): Wording(
        None,
        "MASH: we have looked at what you told us (ref ((reference))) and decided what happens "
        "next. Someone may get in touch to talk with you. If you are in danger now, call 999. "
        "Childline: 0800 1111, free, any time.",
    ),
    ("self", "email"): Wording(
        "We have looked at what you told us: ((reference))",
        "Thank you for telling us what is happening.\n\n"
        "We have looked at what you told us (your reference is ((reference))) and decided what "
        "happens next. Someone may get in touch to talk with you about it.\n\n"
        "If you are in danger now, call 999.\n\n" + CHILDLINE_EMAIL + "\n\n"
        "If you want to tell us more, ((contact_us)) and give your reference.",
    ),
}
