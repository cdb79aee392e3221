"""Whether a referrer hears back, how, and which wording they get.

Each rule is written down with its reason, because these are safeguarding decisions someone
will need to explain: the reason is what an officer reads next to a message that was held or
never written. The first rule that applies decides.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from forms.choices import is_professional
from intake.models import Contact


class Purpose(enum.StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    OUTCOME = "outcome"


class Audience(enum.StrEnum):
    """Who the referrer is, as far as what we may tell them goes."""

    PROFESSIONAL = "professional"
    FAMILY = "family"
    PUBLIC = "public"
    SELF = "self"


class Verdict(enum.StrEnum):
    SEND = "send"  # write the message and send it
    HOLD = "hold"  # write it and keep it for an officer to decide; never sent on its own
    SKIP = "skip"  # write nothing: there is no one to send it to


@dataclass(frozen=True)
class Route:
    transport: str  # sms | email
    recipient: str


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    rule: str
    reason: str
    audience: Audience
    route: Route | None


@dataclass(frozen=True)
class Rule:
    name: str
    verdict: Verdict
    reason: str
    applies: Callable[[Contact, Purpose, Route | None], bool]


def audience_of(contact: Contact) -> Audience:
    if is_professional(contact.referrer_type):
        return Audience.PROFESSIONAL
    if contact.referrer_type == "family":
        return Audience.FAMILY
    if contact.referrer_type == "self":
        return Audience.SELF
    # Neighbours, friends, the public, and anyone whose role we do not know get the most
    # general wording: it says nothing that is not safe for anyone to read.
    return Audience.PUBLIC


def route_of(contact: Contact) -> Route | None:
    """The way the referrer asked to hear back, if we have the details for it."""
    if contact.feedback_by == "sms" and contact.referrer_phone:
        return Route("sms", contact.referrer_phone)
    if contact.feedback_by == "email" and contact.referrer_email:
        return Route("email", contact.referrer_email)
    # Partner systems may leave the choice out. Professionals must give a work email address,
    # and the hub owes them the outcome, so that is where it goes.
    if (
        contact.feedback_by is None
        and is_professional(contact.referrer_type)
        and contact.referrer_email
    ):
        return Route("email", contact.referrer_email)
    return None


def _consent_withheld_for_risk(contact: Contact) -> bool:
    return (
        contact.consent_answer in ("no", "not_asked") and contact.consent_reason == "risk_of_harm"
    )


RULES: tuple[Rule, ...] = (
    Rule(
        "anonymous",
        Verdict.SKIP,
        "The referrer chose to stay anonymous, so we hold no way to reach them and must not "
        "look for one.",
        lambda contact, _purpose, _route: contact.referrer_anonymous,
    ),
    Rule(
        "no_reply_wanted",
        Verdict.SKIP,
        "The referrer said they do not need to hear back.",
        lambda contact, _purpose, _route: contact.feedback_by == "none",
    ),
    Rule(
        "no_route",
        Verdict.SKIP,
        "The referrer did not choose a way to hear back, or gave no phone number or email "
        "address for the way they chose. A family phone may be shared with the adults the "
        "concern is about, so we only use details the referrer gave for this purpose.",
        lambda _contact, _purpose, route: route is None,
    ),
    Rule(
        "outcome_not_recorded",
        Verdict.SKIP,
        "No outcome has been recorded yet, so there is nothing to tell the referrer.",
        lambda contact, purpose, _route: purpose is Purpose.OUTCOME and not contact.outcome,
    ),
    Rule(
        "household_at_risk_outcome",
        Verdict.HOLD,
        "The referrer said asking the parents or carers would put the child at risk. An outcome "
        "message arrives days later, unannounced, on a phone or inbox the referrer may share "
        "with those adults, so it is held for an officer to decide whether and how to tell "
        "them. (The acknowledgement still goes: it is sent at once, while the referrer is at "
        "the phone or inbox they have just chosen.)",
        lambda contact, purpose, _route: (
            purpose is Purpose.OUTCOME
            and audience_of(contact) in (Audience.FAMILY, Audience.SELF)
            and _consent_withheld_for_risk(contact)
        ),
    ),
)

DEFAULT_RULE = Rule(
    "referrer_asked",
    Verdict.SEND,
    "The referrer asked to hear back this way. Professionals are told the outcome; everyone "
    "else is told only that the referral was looked at and acted on.",
    lambda _contact, _purpose, _route: True,
)


def decide(contact: Contact, purpose: Purpose) -> Decision:
    route = route_of(contact)
    rule = next((r for r in RULES if r.applies(contact, purpose, route)), DEFAULT_RULE)
    return Decision(
        verdict=rule.verdict,
        rule=rule.name,
        reason=rule.reason,
        audience=audience_of(contact),
        route=route if rule.verdict is not Verdict.SKIP else None,
    )


def reason_for(rule_name: str) -> str:
    """The written reason for a rule, for pages that show why a message was held or skipped."""
    for rule in (*RULES, DEFAULT_RULE):
        if rule.name == rule_name:
            return rule.reason
    return rule_name
