"""The fixed lists a referrer chooses from, with the words people use for each option."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    synonyms: tuple[str, ...] = ()
    hint: str = ""


@dataclass(frozen=True)
class ReferrerType:
    value: str
    label: str
    source_code: str  # the London MASH data return code in taxonomy.yaml
    professional: bool
    synonyms: tuple[str, ...] = ()


REFERRER_TYPES: tuple[ReferrerType, ...] = (
    ReferrerType(
        "school",
        "School or college",
        "2A",
        True,
        ("teacher", "dsl", "school", "college", "head", "teaching assistant"),
    ),
    ReferrerType(
        "early_years",
        "Nursery or early years",
        "2B",
        True,
        ("nursery", "early years", "childminder setting", "pre-school", "preschool"),
    ),
    ReferrerType(
        "gp", "GP or GP practice", "3A", True, ("gp", "doctor", "surgery", "practice nurse")
    ),
    ReferrerType(
        "health_visitor", "Health visitor or midwife", "3B", True, ("health visitor", "midwife")
    ),
    ReferrerType("school_nurse", "School nurse", "3C", True, ("school nurse",)),
    ReferrerType(
        "hospital",
        "Hospital or A&E",
        "3E",
        True,
        ("hospital", "a&e", "a and e", "emergency department", "paediatric", "ward"),
    ),
    ReferrerType(
        "other_health",
        "Other health service",
        "3F",
        True,
        ("camhs", "dentist", "pharmacist", "mental health", "nhs"),
    ),
    ReferrerType("police", "Police", "6", True, ("police", "officer", "pc ", "constable")),
    ReferrerType("housing", "Housing", "4", True, ("housing", "landlord", "housing officer")),
    ReferrerType(
        "adult_social_care",
        "Adult social care",
        "5A",
        True,
        ("adult social care", "adult services"),
    ),
    ReferrerType(
        "council",
        "Other council service",
        "5B",
        True,
        ("council", "youth offending", "yot", "local authority"),
    ),
    ReferrerType(
        "probation",
        "Probation, courts or other legal service",
        "7",
        True,
        ("probation", "court", "cafcass", "prison", "immigration", "solicitor"),
    ),
    ReferrerType(
        "voluntary",
        "Voluntary sector or children's centre",
        "8",
        True,
        ("charity", "voluntary", "children's centre", "youth worker", "church"),
    ),
    ReferrerType(
        "other_professional", "Another professional", "8", True, ("professional", "worker")
    ),
    ReferrerType(
        "family",
        "A family member or carer of the child",
        "1A",
        False,
        (
            "family",
            "mum",
            "dad",
            "mother",
            "father",
            "parent",
            "grandparent",
            "nan",
            "grandma",
            "auntie",
            "aunt",
            "uncle",
            "carer",
            "relative",
        ),
    ),
    ReferrerType(
        "acquaintance",
        "A neighbour, friend or childminder",
        "1B",
        False,
        ("neighbour", "neighbor", "friend", "childminder"),
    ),
    ReferrerType(
        "self",
        "I am the young person",
        "1C",
        False,
        ("me", "myself", "young person", "i am the child", "about me"),
    ),
    ReferrerType(
        "public",
        "A member of the public",
        "1D",
        False,
        ("public", "member of the public", "someone", "stranger", "passer"),
    ),
)
REFERRER_TYPES_BY_VALUE = {r.value: r for r in REFERRER_TYPES}
ANONYMOUS_SOURCE_CODE = "9"


def referrer_choices() -> tuple[Choice, ...]:
    return tuple(Choice(r.value, r.label, r.synonyms) for r in REFERRER_TYPES)


def is_professional(referrer_type: str | None) -> bool:
    found = REFERRER_TYPES_BY_VALUE.get(referrer_type or "")
    return bool(found and found.professional)


def source_code(referrer_type: str | None, anonymous: bool) -> str:
    if anonymous:
        return ANONYMOUS_SOURCE_CODE
    found = REFERRER_TYPES_BY_VALUE.get(referrer_type or "")
    return found.source_code if found else "10"


FEEDBACK = (
    Choice("email", "By email", ("email", "e-mail", "mail")),
    Choice("sms", "By text message", ("text", "sms", "message", "mobile")),
    Choice("none", "I do not need to hear back", ("none", "no", "don't", "do not", "nothing")),
)

AGE_KNOWN = (
    Choice(
        "date_of_birth",
        "I know their date of birth",
        ("date of birth", "dob", "d.o.b", "birthday", "born", "date", "yes", "yeah", "yep"),
    ),
    Choice("age", "I know roughly how old they are", ("age", "years", "old", "roughly", "about")),
    Choice(
        "unborn", "The baby is not born yet", ("unborn", "pregnant", "expecting", "not born", "due")
    ),
    Choice(
        "unknown",
        "I do not know",
        (
            "don't know",
            "dont know",
            "do not know",
            "not sure",
            "unknown",
            "no idea",
            "dunno",
            "idk",
        ),
    ),
)

GENDERS = (
    Choice("female", "Female", ("female", "girl", "she", "her", "f")),
    Choice("male", "Male", ("male", "boy", "he", "him", "m")),
    Choice("other", "In another way", ("other", "non-binary", "nonbinary", "another")),
    Choice("unknown", "Not known", ("not known", "unknown", "don't know", "dont know", "not sure")),
)

RELATIONSHIPS = (
    Choice("mother", "Mother", ("mother", "mum", "mom", "mam", "mummy")),
    Choice("father", "Father", ("father", "dad", "daddy")),
    Choice(
        "step_parent",
        "Step-parent or parent's partner",
        ("step", "stepdad", "stepmum", "partner", "boyfriend", "girlfriend"),
    ),
    Choice(
        "grandparent",
        "Grandparent",
        (
            "grandparent",
            "gran",
            "nan",
            "nana",
            "grandma",
            "grandad",
            "granddad",
            "grandfather",
            "grandmother",
        ),
    ),
    Choice("sibling", "Brother or sister", ("brother", "sister", "sibling")),
    Choice("carer", "Other carer", ("carer", "foster", "guardian")),
    Choice("other", "Someone else", ("other", "lodger", "friend", "uncle", "aunt")),
)

HOW_KNOWN = (
    Choice("seen", "I saw or heard it myself", ("saw", "seen", "heard", "witnessed", "myself")),
    Choice(
        "told_by_child",
        "The child told me",
        (
            "child told",
            "told by the child",
            "by the child",
            "told me",
            "disclosed",
            "said",
            "child",
        ),
    ),
    Choice(
        "told_by_other",
        "Someone else told me",
        ("someone else", "other", "parent told", "heard from", "told by"),
    ),
    Choice("other", "Another way", ("another", "other way", "records", "report")),
)

HOME_CONCERNS = (
    Choice("domestic_abuse", "Domestic abuse in the home", ("domestic", "dv", "violence", "abuse")),
    Choice(
        "substance_misuse",
        "Drug or alcohol misuse by an adult",
        ("drug", "drugs", "alcohol", "drink", "drinking", "substance"),
    ),
    Choice(
        "mental_health",
        "An adult's mental health",
        ("mental", "depression", "depressed", "anxiety"),
    ),
    Choice("none", "None of these", ("none", "no", "nothing")),
    Choice("unknown", "I do not know", ("don't know", "dont know", "not sure", "unknown")),
)

CONSENT = (
    Choice("yes", "Yes, they know and agree", ("yes", "agree", "agreed", "they know", "consent")),
    Choice(
        "no",
        "No, they do not agree",
        ("no", "refused", "disagree", "don't agree", "do not agree", "said no"),
    ),
    Choice(
        "not_asked",
        "I have not asked them",
        (
            "not asked",
            "haven't",
            "have not",
            "didn't ask",
            "did not ask",
            "not told",
            "doesn't know",
            "doesnt know",
            "does not know",
            "don't know",
            "dont know",
            "do not know",
            "no one knows",
            "nobody knows",
            "unaware",
            "not aware",
        ),
    ),
)

CONSENT_REASONS = (
    Choice(
        "risk_of_harm",
        "Asking would put the child at risk",
        ("risk", "danger", "harm", "unsafe", "worse", "section 47"),
    ),
    Choice(
        "could_not_reach",
        "I could not reach them",
        ("reach", "contact", "get hold", "no answer", "couldn't"),
    ),
    Choice("other", "Another reason", ("other", "another")),
)
