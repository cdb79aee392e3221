"""The finished referral as plain data, read from a conversation's answers.

Only answers to questions that still apply are read, so a changed branch (an age given instead
of a date of birth, say) never leaves a stale answer behind in the contact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from forms.choices import source_code
from forms.flow import FlowState, count, steps
from forms.questions import Group


@dataclass(frozen=True)
class PersonData:
    kind: str  # child | adult
    given_name: str | None = None
    family_name: str | None = None
    date_of_birth: date | None = None
    age_years: int | None = None
    expected_date: date | None = None
    gender: str | None = None
    address: str | None = None
    postcode: str | None = None
    school: str | None = None
    language: str | None = None
    disability: str | None = None
    relationship: str | None = None


@dataclass(frozen=True)
class Referral:
    immediate_danger: bool | None
    referrer_type: str | None
    referrer_source: str
    anonymous: bool
    referrer_name: str | None
    referrer_role: str | None
    referrer_organisation: str | None
    referrer_phone: str | None
    referrer_email: str | None
    feedback_by: str | None
    children: list[PersonData] = field(default_factory=list)
    household: list[PersonData] = field(default_factory=list)
    concern: str | None = None
    concern_when: str | None = None
    how_known: str | None = None
    fears: str | None = None
    child_said: str | None = None
    home_concerns: list[str] = field(default_factory=list)
    consent: str | None = None
    consent_reason: str | None = None
    consent_reason_detail: str | None = None
    other_agencies: str | None = None


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


def build_referral(state: FlowState) -> Referral:
    live = {step.key: state.answers.get(step.key) for step in steps(state.answers)}
    anonymous = live.get("anonymous") is True
    children = [_person(live, Group.CHILD, i) for i in range(count(state.answers, Group.CHILD))]
    household: list[PersonData] = []
    if live.get("household_known") is True:
        household = [
            _person(live, Group.HOUSEHOLD, i) for i in range(count(state.answers, Group.HOUSEHOLD))
        ]
    feedback = live.get("feedback_by")
    return Referral(
        immediate_danger=live.get("immediate_danger"),
        referrer_type=live.get("referrer_type"),
        referrer_source=source_code(live.get("referrer_type"), anonymous),
        anonymous=anonymous,
        referrer_name=live.get("referrer_name"),
        referrer_role=live.get("referrer_role"),
        referrer_organisation=live.get("referrer_organisation"),
        referrer_phone=live.get("referrer_phone"),
        referrer_email=live.get("referrer_email"),
        feedback_by="none" if anonymous else feedback,
        children=children,
        household=household,
        concern=live.get("concern"),
        concern_when=live.get("concern_when"),
        how_known=live.get("how_known"),
        fears=live.get("fears"),
        child_said=live.get("child_said"),
        home_concerns=list(live.get("home_concerns") or []),
        consent=live.get("consent"),
        consent_reason=live.get("consent_reason"),
        consent_reason_detail=live.get("consent_reason_detail"),
        other_agencies=live.get("other_agencies"),
    )


def _person(live: dict[str, Any], group: Group, index: int) -> PersonData:
    def get(name: str) -> Any:
        return live.get(f"{group}.{index}.{name}")

    name = get("name") or {}
    return PersonData(
        kind="child" if group is Group.CHILD else "adult",
        given_name=name.get("given"),
        family_name=name.get("family"),
        date_of_birth=_date(get("date_of_birth")),
        age_years=get("age"),
        expected_date=_date(get("expected_date")),
        gender=get("gender"),
        address=get("address"),
        postcode=get("postcode"),
        school=get("school"),
        language=get("language"),
        disability=get("disability"),
        relationship=get("relationship"),
    )
