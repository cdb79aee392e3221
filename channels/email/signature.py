"""The referrer's name, role, organisation and phone, read from their email signature.

A professional's signature is the most reliable place for these ("Sam Patel / Designated
Safeguarding Lead / Riverside Primary School / Tel: 0113 496 0123"). Lines are classified by
what they contain; anything uncertain is left out so the question is asked instead.
"""

from __future__ import annotations

import re

from forms.parsing import ParseError, parse_phone

_ORGANISATION_WORDS = re.compile(
    r"\b(school|academy|primary|secondary|college|nursery|pre-?school|surgery|practice|"
    r"medical|health cent(re|er)|nhs|trust|hospital|police|constabulary|council|borough|"
    r"housing|association|cent(re|er)|services?|charity|foundation|probation|cafcass|camhs|"
    r"church|ltd|limited|partnership|federation|university|clinic|department|team|unit)\b",
    re.IGNORECASE,
)
_ROLE_WORDS = re.compile(
    r"\b(lead|teacher|head(teacher)?|deputy|officer|nurse|doctor|gp|visitor|midwife|"
    r"manager|worker|co-?ordinator|designated|dsl|senco|assistant|director|practitioner|"
    r"sergeant|constable|pc|detective|inspector|advis[oe]r|consultant|mentor|support|"
    r"administrator|paediatrician|pediatrician|therapist|psychologist|caseworker|"
    r"keyworker|principal|governor|chair|clerk|secretary)\b",
    re.IGNORECASE,
)
_PHONE_LABEL = re.compile(
    r"^\s*(tel(ephone)?|phone|mob(ile)?|direct( line| dial)?|ddi|office|work|t|m|p)\b\.?\s*[:.]?\s*",
    re.IGNORECASE,
)
_PHONE_TEXT = re.compile(r"\+?\(?\d[\d\s().-]{8,18}\d")
_NAME_TOKEN = re.compile(r"^(Dr|Mr|Mrs|Ms|Miss|Mx)\.?$|^[A-Z][a-zA-Z'’-]+$")
_NOT_TEXT = re.compile(r"(@|https?://|www\.|\d{3,})")


def referrer_from_signature(signature: str, from_name: str = "") -> dict[str, str]:
    """Raw answers for referrer_name/role/organisation/phone; only what was recognised."""
    found: dict[str, str] = {}
    parts: list[str] = []
    for line in signature.splitlines():
        for part in re.split(r"\s[|•·]\s|\t", line):
            phone = phone_in(part)
            if phone:
                found.setdefault("referrer_phone", phone)
            elif part.strip(" ,-–") and not _NOT_TEXT.search(part) and len(part) <= 120:
                parts.append(part.strip(" ,-–"))
    name = next((p for p in parts[:2] if looks_like_name(p)), None)
    # "Thanks, Sam" signs with a first name; the From header often has the full one.
    signed_first_name_only = (
        name is not None and " " not in name and from_name.lower().startswith(name.lower())
    )
    if (name is None or signed_first_name_only) and looks_like_name(from_name):
        name = from_name
    if name is not None and " " in name.strip():
        found["referrer_name"] = name.strip()
    rest = [p for p in parts if p != name]
    organisation = next((p for p in rest if _ORGANISATION_WORDS.search(p)), None)
    role = next((p for p in rest if p != organisation and _ROLE_WORDS.search(p)), None)
    if organisation is not None:
        found["referrer_organisation"] = organisation
    if role is not None:
        found["referrer_role"] = role
    return found


def looks_like_name(text: str) -> bool:
    tokens = text.split()
    if not 1 <= len(tokens) <= 4 or _ORGANISATION_WORDS.search(text) or _ROLE_WORDS.search(text):
        return False
    return all(_NAME_TOKEN.match(token) for token in tokens)


def phone_in(line: str) -> str | None:
    """A phone number on a signature line ("Tel: 0113 496 0123", "M 07700 900123")."""
    candidate = _PHONE_TEXT.search(_PHONE_LABEL.sub("", line))
    if candidate is None:
        return None
    try:
        parse_phone(candidate.group())
    except ParseError:
        return None
    return candidate.group().strip()
