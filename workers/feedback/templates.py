"""Message templates: the default wording, admins' overrides of it, and rendering.

A template is keyed by purpose, outcome, audience and transport:
- `acknowledgement.<audience>.<transport>`
- `outcome.<outcome code>.professional.<transport>`: professionals are told the outcome;
- `outcome.general.<audience>.<transport>` for family, public and self: one general message,
  because they are never told what was decided about a family.
Anonymous referrers have no templates: they are never sent anything.

Overrides live in `MessageTemplate` rows; a key without a row uses the default in `wording`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.config import Settings
from intake.models import Contact, MessageTemplate, utcnow
from intake.review.vocabulary import OUTCOME_LABELS
from workers.feedback.rules import Audience, Purpose
from workers.feedback.wording import (
    ACKNOWLEDGEMENTS,
    GENERAL_OUTCOMES,
    Wording,
    professional_outcome,
)

TRANSPORTS = ("sms", "email")
GENERAL = "general"
PLACEHOLDER = re.compile(r"\(\(\s*([^()]*?)\s*\)\)")

COMMON_PLACEHOLDERS = ("reference", "contact_us")
OUTCOME_PLACEHOLDER = "outcome"

SUBJECT_MAX = 200  # MessageTemplate.subject
BODY_MAX = 2000  # MessageTemplate.body
# Four parts of a long text message. Longer texts arrive out of order on some phones and cost more.
SMS_MAX = 612

# The GSM 03.38 default alphabet and its extension table: anything else makes a text message
# fall back to UCS-2, which fits 70 characters a part instead of 160.
GSM_CHARACTERS = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
    "^{}\\[~]|€"
)

TRANSPORT_LABELS = {"sms": "text message", "email": "email"}
AUDIENCE_LABELS = {
    Audience.PROFESSIONAL: "a professional",
    Audience.FAMILY: "a family member",
    Audience.PUBLIC: "a member of the public",
    Audience.SELF: "a young person referring themself",
}


class TemplateError(ValueError):
    """The wording cannot be saved; `errors` maps each field to what to change."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class TemplateKey:
    purpose: Purpose
    audience: Audience
    transport: str
    outcome: str | None = None  # an outcome code, GENERAL, or None for acknowledgements

    def __str__(self) -> str:
        parts = [str(self.purpose)]
        if self.outcome is not None:
            parts.append(self.outcome)
        parts += [str(self.audience), self.transport]
        return ".".join(parts)

    @classmethod
    def parse(cls, key: str) -> TemplateKey:
        for candidate in all_keys():
            if str(candidate) == key:
                return candidate
        raise KeyError(f"no message template {key!r}")

    @property
    def placeholders(self) -> tuple[str, ...]:
        # Only professionals are told the outcome, so only their wording can name it.
        if self.purpose is Purpose.OUTCOME and self.audience is Audience.PROFESSIONAL:
            return (*COMMON_PLACEHOLDERS, OUTCOME_PLACEHOLDER)
        return COMMON_PLACEHOLDERS

    @property
    def label(self) -> str:
        if self.purpose is Purpose.ACKNOWLEDGEMENT:
            what = "Acknowledgement"
        elif self.outcome == GENERAL:
            what = "Outcome (general: what was decided is not said)"
        else:
            what = f"Outcome: {OUTCOME_LABELS.get(self.outcome or '', self.outcome)}"
        return f"{what}, to {AUDIENCE_LABELS[self.audience]}, by {TRANSPORT_LABELS[self.transport]}"


@dataclass(frozen=True)
class Template:
    key: str
    label: str
    transport: str
    subject: str | None
    body: str
    customised: bool
    default: Wording
    placeholders: tuple[str, ...]


def all_keys() -> list[TemplateKey]:
    keys: list[TemplateKey] = []
    for audience in Audience:
        for transport in TRANSPORTS:
            keys.append(TemplateKey(Purpose.ACKNOWLEDGEMENT, audience, transport))
    for outcome in OUTCOME_LABELS:
        for transport in TRANSPORTS:
            keys.append(TemplateKey(Purpose.OUTCOME, Audience.PROFESSIONAL, transport, outcome))
    for audience in (Audience.FAMILY, Audience.PUBLIC, Audience.SELF):
        for transport in TRANSPORTS:
            keys.append(TemplateKey(Purpose.OUTCOME, audience, transport, GENERAL))
    return keys


def template_keys() -> list[str]:
    return [str(key) for key in all_keys()]


def key_for(purpose: Purpose, audience: Audience, transport: str, outcome: str | None) -> str:
    if purpose is Purpose.ACKNOWLEDGEMENT:
        return str(TemplateKey(purpose, audience, transport))
    if audience is Audience.PROFESSIONAL:
        if outcome not in OUTCOME_LABELS:
            raise ValueError(f"unknown outcome {outcome!r}")
        return str(TemplateKey(purpose, audience, transport, outcome))
    return str(TemplateKey(purpose, audience, transport, GENERAL))


def default_wording(key: TemplateKey) -> Wording:
    if key.purpose is Purpose.ACKNOWLEDGEMENT:
        return ACKNOWLEDGEMENTS[(key.audience, key.transport)]
    if key.outcome == GENERAL:
        return GENERAL_OUTCOMES[(key.audience, key.transport)]
    return professional_outcome(key.outcome or "", key.transport)


def get_template(session: Session, key: str) -> Template:
    parsed = TemplateKey.parse(key)
    default = default_wording(parsed)
    with session.no_autoflush:  # nothing pending changes a template: don't write half a change
        row = session.scalar(select(MessageTemplate).where(MessageTemplate.key == key))
    return Template(
        key=key,
        label=parsed.label,
        transport=parsed.transport,
        subject=(row.subject if row else default.subject),
        body=(row.body if row else default.body),
        customised=row is not None,
        default=default,
        placeholders=parsed.placeholders,
    )


def save_template(
    session: Session, key: str, subject: str | None, body: str, user_id: int | None
) -> Template:
    """Store an admin's wording for `key`. Raises TemplateError with an error per field."""
    parsed = TemplateKey.parse(key)
    subject = (subject or "").strip() or None
    body = body.replace("\r\n", "\n").strip()
    errors = validate(parsed, subject, body)
    if errors:
        raise TemplateError(errors)
    row = session.scalar(select(MessageTemplate).where(MessageTemplate.key == key))
    if row is None:
        row = MessageTemplate(key=key, body=body)
        session.add(row)
    row.subject = subject if parsed.transport == "email" else None
    row.body = body
    row.updated_by_id = user_id
    row.updated_at = utcnow()
    session.flush()
    return get_template(session, key)


def reset_template(session: Session, key: str) -> Template:
    """Go back to the default wording."""
    TemplateKey.parse(key)
    row = session.scalar(select(MessageTemplate).where(MessageTemplate.key == key))
    if row is not None:
        session.delete(row)
        session.flush()
    return get_template(session, key)


def validate(key: TemplateKey, subject: str | None, body: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    allowed = ", ".join(f"(({name}))" for name in key.placeholders)
    if key.transport == "email":
        if not subject:
            errors["subject"] = "Enter a subject line"
        elif len(subject) > SUBJECT_MAX:
            errors["subject"] = f"The subject must be {SUBJECT_MAX} characters or fewer"
        elif any(ch in subject for ch in "\r\n\x00"):
            # A header cannot hold a line break: every email from the template would fail.
            errors["subject"] = "The subject must be one line"
        elif problem := _placeholder_problem(key, subject, allowed):
            errors["subject"] = problem
    if not body:
        errors["body"] = "Enter the message"
        return errors
    limit = SMS_MAX if key.transport == "sms" else BODY_MAX
    if len(body) > limit:
        errors["body"] = f"The message must be {limit} characters or fewer; it has {len(body)}"
    elif problem := _placeholder_problem(key, body, allowed):
        errors["body"] = problem
    elif "reference" not in placeholders_in(body):
        errors["body"] = (
            "Include ((reference)): people need it to contact the hub about this referral"
        )
    elif key.transport == "sms" and (odd := sorted(set(body) - GSM_CHARACTERS)):
        errors["body"] = (
            "Use plain characters only in text messages. Replace "
            + " ".join(repr(ch) for ch in odd)
            + " (curly quotes and long dashes are common culprits)"
        )
    return errors


def _placeholder_problem(key: TemplateKey, text: str, allowed: str) -> str | None:
    unknown = [name for name in placeholders_in(text) if name not in key.placeholders]
    if not unknown:
        return None
    if OUTCOME_PLACEHOLDER in unknown:
        return (
            "Only messages to professionals can say what was decided: remove ((outcome)). "
            f"You can use {allowed}"
        )
    return f"(({unknown[0]})) is not something we can fill in. You can use {allowed}"


def placeholders_in(text: str) -> list[str]:
    return [match.group(1) for match in PLACEHOLDER.finditer(text)]


def placeholder_values(contact: Contact, settings: Settings) -> dict[str, str]:
    """What the placeholders are filled with: never anything about the child or the concern."""
    values = {
        "reference": contact.reference,
        "contact_us": (
            f"call the MASH on {settings.duty_phone_number}"
            if settings.duty_phone_number
            else "contact the MASH"
        ),
    }
    if contact.outcome:
        values["outcome"] = OUTCOME_LABELS.get(contact.outcome, contact.outcome)
    return values


def fill(text: str, values: Mapping[str, str], allowed: tuple[str, ...]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return values[name] if name in allowed and name in values else match.group(0)

    return PLACEHOLDER.sub(replace, text)


def render(session: Session, key: str, contact: Contact, settings: Settings) -> Wording:
    """The wording for `key` with this contact's reference (and outcome, where allowed)."""
    template = get_template(session, key)
    values = placeholder_values(contact, settings)
    subject = fill(template.subject, values, template.placeholders) if template.subject else None
    return Wording(subject, fill(template.body, values, template.placeholders))


SAMPLE_VALUES = {
    "reference": "ABCD-EFGH",
    "contact_us": "call the MASH on 0113 496 0000",
    "outcome": OUTCOME_LABELS["early_help"],
}


def preview(key: str, subject: str | None, body: str) -> Wording:
    """Wording as it would read, with sample values, for an admin checking an edit."""
    parsed = TemplateKey.parse(key)
    return Wording(
        fill(subject, SAMPLE_VALUES, parsed.placeholders) if subject else None,
        fill(body, SAMPLE_VALUES, parsed.placeholders),
    )
