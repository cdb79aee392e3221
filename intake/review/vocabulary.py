"""What officers read for each code of taxonomy.yaml: ratings, categories, outcomes, sources.

The codes are the stable identifiers every part of the service uses; the labels are copied here
so the pages have nothing to find at run time. A test checks the codes agree with the NLP's and
the rating's own lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

RATING_LABELS: Final[dict[str, str]] = {
    "red": "Red",
    "amber": "Amber",
    "green": "Green",
    "blue": "Blue",
}
# Most urgent first: the order of every table, filter and chart.
RATINGS_BY_URGENCY: Final[tuple[str, ...]] = ("red", "amber", "green", "blue")

RATING_MEANINGS: Final[dict[str, str]] = {
    "red": "At risk of immediate and/or serious harm (level 4)",
    "amber": "At risk of harm, not imminent, possibly less serious (level 3)",
    "green": "Wellbeing concerns that may lead to poor outcomes if not addressed (level 2)",
    "blue": "Information request or advice; no safeguarding checks needed",
}

# GOV.UK Frontend tag modifiers. The word is always shown too: colour is never the only signal.
RATING_TAG_CLASSES: Final[dict[str, str]] = {
    "red": "govuk-tag--red",
    "amber": "govuk-tag--orange",
    "green": "govuk-tag--green",
    "blue": "govuk-tag--blue",
}

# Chart fills with at least 3:1 contrast against white (WCAG 1.4.11 non-text contrast).
RATING_FILLS: Final[dict[str, str]] = {
    "red": "#aa2a16",
    "amber": "#8f4a00",
    "green": "#0f7a52",
    "blue": "#1d70b8",
}

CATEGORY_LABELS: Final[dict[str, str]] = {
    "physical_abuse": "Physical abuse",
    "emotional_abuse": "Emotional abuse",
    "sexual_abuse": "Sexual abuse",
    "neglect": "Neglect",
    "domestic_abuse": "Domestic abuse",
    "child_sexual_exploitation": "Risk of child sexual exploitation",
    "child_criminal_exploitation": "Criminal exploitation and gangs",
    "trafficking": "Trafficking or modern slavery",
    "missing": "Missing from home or care",
    "child_mental_health": "Child mental health",
    "child_substance_misuse": "Child substance misuse",
    "parental_mental_health": "Parental mental health",
    "parental_substance_misuse": "Parental substance misuse",
    "homelessness": "Homelessness or housing",
    "anti_social_behaviour": "Anti-social behaviour",
    "youth_offending": "Arrest or offending",
    "radicalisation": "Radicalisation",
    "fgm": "Female genital mutilation",
    "honour_based_abuse": "Honour-based abuse or forced marriage",
    "private_fostering": "Private fostering",
    "unaccompanied_child": "Unaccompanied asylum-seeking child",
    "child_disability": "Disabled child or child's needs",
}

RISK_INDICATOR_LABELS: Final[dict[str, str]] = {
    "immediate_danger": "In danger now",
    "serious_injury": "Serious injury",
    "injury_non_mobile_baby": "Injury to a baby who is not yet mobile",
    "sexual_abuse_disclosure": "Disclosure of sexual abuse",
    "weapon": "Weapon used or threatened",
    "strangulation": "Choking or strangling",
    "child_alone": "Young child left alone",
    "suicide_risk": "Suicidal intent, plan or attempt",
    "missing_now": "Missing now",
    "fgm_imminent": "At risk of FGM soon",
}

QUALIFIER_LABELS: Final[dict[str, str]] = {
    "negated": "negated",
    "possible": "possible",
    "historical": "in the past",
    "other_experiencer": "about someone else",
}

OUTCOME_LABELS: Final[dict[str, str]] = {
    "nfa": "No further action",
    "advice": "Information and advice given",
    "signpost": "Signposted to universal or community services",
    "early_help": "Stepped across to Early Help",
    "csc_assessment": "Referred to Children's Social Care for assessment (section 17)",
    "strategy_discussion": "Strategy discussion (section 47)",
    "police": "Passed to police",
    "already_open": "Passed to the allocated worker of an open case",
}

SOURCE_LABELS: Final[dict[str, str]] = {
    "1A": "Family member, relative or carer",
    "1B": "Acquaintance (neighbour, childminder)",
    "1C": "Self (the child or young person)",
    "1D": "Other member of the public",
    "2A": "School",
    "2B": "Education services",
    "3A": "GP",
    "3B": "Health visitor",
    "3C": "School nurse",
    "3D": "Other primary health",
    "3E": "A&E",
    "3F": "Other health",
    "4": "Housing",
    "5A": "Adult social care",
    "5B": "Other local authority department",
    "6": "Police",
    "7": "Other legal agency (courts, probation, immigration, CAFCASS, prison)",
    "8": "Other (children's centre, voluntary sector)",
    "9": "Anonymous",
    "10": "Unknown",
}

CHANNEL_LABELS: Final[dict[str, str]] = {
    "web": "Online form",
    "api": "Partner system",
    "sms": "Text message",
    "voice": "Phone call",
    "email": "Email",
}

STATUS_LABELS: Final[dict[str, str]] = {
    "draft": "Not finished",
    "submitted": "Being processed",
    "processing": "Being processed",
    "awaiting_review": "Awaiting review",
    "decided": "Decided",
    "closed": "Closed",
}


def rating_label(code: str | None) -> str:
    return RATING_LABELS.get(code or "", "Not rated yet")


def label(labels: dict[str, str], code: str | None) -> str:
    """The label of a code, or the code itself: a code added later still shows, never blank."""
    if code is None:
        return "Not known"
    return labels.get(code, code.replace("_", " ").capitalize())


# What a rating reason resting only on restricted records says to anyone who may not see them
# (the desk without restricted access, the hub's systems through the API): not the rule's words.
RESTRICTED_REASON = "Something on a restricted record changed the rating"


def rests_only_on_restricted(evidence: Mapping[str, Any]) -> bool:
    """Whether a reason's evidence cites records, all of them restricted."""
    cited = [r for r in evidence.get("records") or [] if isinstance(r, Mapping)]
    return bool(cited) and all(r.get("restricted") for r in cited)
