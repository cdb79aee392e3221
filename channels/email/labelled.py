"""Answers from "Label: value" lines, the layout of emails that copy a referral form.

Many professionals paste their own agency's referral template into an email ("Child's name:
Jordan Smith", "DOB: 03/04/2015", "Consent: not sought, would place child at risk"). Each label
people use is mapped to a flow key; the value is handed to that question's own parser later, so
nothing is accepted here that the web form would refuse. Unknown labels are left in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from forms.choices import CONSENT_REASONS, RELATIONSHIPS
from forms.questions import match_choice

# label (normalised: lower case, letters, digits and single spaces) -> field
_LABELS: dict[str, str] = {}


def _labels(field_name: str, *labels: str) -> None:
    for label in labels:
        _LABELS[label] = field_name


_labels(
    "immediate_danger",
    "immediate danger",
    "in immediate danger",
    "is the child in immediate danger",
    "is a child in immediate danger",
    "is a child in immediate danger right now",
    "child in immediate danger",
    "immediate risk",
    "danger now",
)
_labels(
    "referrer_type",
    "referrer type",
    "type of referrer",
    "i am a",
    "who are you",
    "referring as",
    "agency type",
)
_labels("anonymous", "anonymous", "remain anonymous", "stay anonymous")
_labels(
    "referrer_name",
    "your name",
    "referrer",
    "referrer name",
    "referrers name",
    "name of referrer",
    "referred by",
    "referring professional",
    "name of person referring",
    "professional name",
)
_labels(
    "referrer_role",
    "your role",
    "role",
    "referrer role",
    "referrers role",
    "job title",
    "position",
    "designation",
)
_labels(
    "referrer_organisation",
    "your organisation",
    "organisation",
    "organization",
    "referrer organisation",
    "referrers organisation",
    "agency",
    "referring agency",
    "employer",
    "setting",
)
_labels(
    "referrer_phone",
    "your phone",
    "phone",
    "phone number",
    "telephone",
    "telephone number",
    "tel",
    "mobile",
    "contact number",
    "referrer phone",
    "referrers phone",
    "direct line",
)
_labels(
    "referrer_email",
    "your email",
    "email",
    "email address",
    "e mail",
    "referrer email",
    "referrers email",
)
_labels("feedback_by", "feedback", "feedback by", "how should we contact you", "preferred contact")
_labels(
    "child.name",
    "child",
    "child name",
    "childs name",
    "name of child",
    "childs full name",
    "child full name",
    "young person",
    "young persons name",
    "name of young person",
    "name of child or young person",
)
_labels(
    "child.date_of_birth",
    "date of birth",
    "dob",
    "d o b",
    "childs date of birth",
    "childs dob",
    "child dob",
    "born",
)
_labels("child.age", "age", "childs age", "child age")
_labels(
    "child.expected_date",
    "due date",
    "expected date",
    "edd",
    "expected date of delivery",
    "expected due date",
)
_labels("child.gender", "gender", "sex", "childs gender", "childs sex")
_labels("child.address", "address", "home address", "childs address", "current address")
_labels("child.postcode", "postcode", "post code", "childs postcode")
_labels(
    "child.school",
    "school",
    "childs school",
    "school or nursery",
    "nursery",
    "school nursery",
    "education setting",
    "school attended",
)
_labels(
    "child.language",
    "language",
    "first language",
    "home language",
    "language spoken at home",
    "interpreter",
    "interpreter needed",
)
_labels(
    "child.disability",
    "disability",
    "disabilities",
    "additional needs",
    "send",
    "sen",
    "special needs",
    "disability or additional needs",
)
_labels(
    "other_children",
    "other children",
    "siblings",
    "any other children",
    "other children in the household",
    "other children in household",
)
_labels(
    "household",
    "lives with",
    "household",
    "household members",
    "parents",
    "parents carers",
    "parent carer",
    "parents or carers",
    "who does the child live with",
    "child lives with",
)
_labels(
    "concern",
    "concern",
    "concerns",
    "what happened",
    "what has happened",
    "details of concern",
    "details of concerns",
    "nature of concern",
    "reason for referral",
    "referral reason",
    "description",
    "description of concern",
    "summary",
    "summary of concern",
    "summary of concerns",
    "presenting concern",
    "presenting concerns",
)
_labels(
    "concern_when",
    "when",
    "when did this happen",
    "when did it happen",
    "date of incident",
    "incident date",
    "date and time of incident",
)
_labels(
    "how_known",
    "how do you know",
    "how known",
    "how do you know about this",
    "source of information",
    "how did you find out",
)
_labels(
    "fears",
    "fears",
    "worries",
    "what are you worried will happen",
    "what are you worried will happen to the child",
    "impact on the child",
    "impact on child",
    "risk to the child",
)
_labels(
    "child_said",
    "child said",
    "what the child said",
    "what has the child said",
    "childs words",
    "voice of the child",
    "childs voice",
    "childs views",
    "disclosure",
)
_labels(
    "home_concerns",
    "home concerns",
    "concerns at home",
    "concerns in the home",
    "domestic abuse substance misuse or mental health",
    "toxic trio",
)
_labels(
    "consent",
    "consent",
    "parental consent",
    "consent to referral",
    "consent given",
    "consent obtained",
    "do parents know",
    "are parents aware",
    "parents aware",
    "parents informed",
    "have parents been informed",
    "family aware",
    "parents carers aware",
    "parents or carers aware",
)
_labels(
    "consent_reason",
    "consent reason",
    "reason consent not sought",
    "reason consent not obtained",
    "reason for no consent",
    "why not",
    "if no why",
    "if not why",
)
_labels(
    "other_agencies",
    "other agencies",
    "agencies involved",
    "other agencies involved",
    "other professionals",
    "other professionals involved",
    "professionals involved",
    "other services",
    "other services involved",
    "services involved",
)

# Free text runs over lines and paragraphs until the next known label.
FREE_TEXT_FIELDS = frozenset({"concern", "fears", "child_said"})
# These may wrap onto the lines just below, up to a blank line or another "Label:" line (often
# a template field we do not use, such as "Ethnicity:").
WRAPPING_FIELDS = frozenset({"other_agencies", "consent", "consent_reason", "household"})

_LABEL_LINE = re.compile(
    r"^\s*(?:[-*•]\s*)?(?P<label>[A-Za-z][A-Za-z0-9 '’/()&.,?-]{0,70}?)\s*[:：]\s*(?P<value>.*)$"
)
_CHILD_NUMBER = re.compile(
    r"^(?:child|young person)\s+(\d{1,2}|one|two|three|four|five|six)\s+(.*)$"
)
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_NONE = re.compile(r"^\s*(none|no|nil|n/?a|not applicable|no others?|only child)\b", re.IGNORECASE)
_UNKNOWN = re.compile(
    r"^\s*(not known|unknown|don'?t know|do not know|not sure|unsure)\b", re.IGNORECASE
)
_RELATIONSHIP_WORDS = frozenset(
    word for choice in RELATIONSHIPS for synonym in choice.synonyms for word in synonym.split()
)

# How referral templates word consent, mapped to the flow's three answers.
_CONSENT_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"\bnot (been )?(sought|obtained|requested|asked|informed|told|aware)\b|\bunaware\b|\bhave not asked\b|\bhaven'?t asked\b",
            re.I,
        ),
        "not_asked",
    ),
    (
        re.compile(
            r"\b(refused|declined|withheld|do(es)? not (consent|agree)|don'?t (consent|agree)|not given|disagree)\b",
            re.I,
        ),
        "no",
    ),
    (
        re.compile(
            r"\b(yes|given|obtained|agreed?|agrees|consent(s|ed)?|aware and (agree|happy))\b", re.I
        ),
        "yes",
    ),
)


@dataclass
class Labelled:
    # flow key -> raw text as written, for each question's own parser
    values: dict[str, Any] = field(default_factory=dict)
    # Indexes of the lines that were labelled fields, so the rest can be read as the concern.
    used_lines: set[int] = field(default_factory=set)


def normalise_label(label: str) -> str:
    text = label.lower().replace("’", "").replace("'", "")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _field_for(label: str) -> tuple[str, int] | None:
    """The field a label names, and the child it is about (0 unless "Child 2 DOB")."""
    normal = normalise_label(label)
    index = 0
    numbered = _CHILD_NUMBER.match(normal)
    if numbered:
        number = numbered.group(1)
        index = (int(number) if number.isdigit() else _NUMBER_WORDS[number]) - 1
        normal = numbered.group(2)
        if not normal.startswith("child"):
            normal = f"child {normal}" if f"child {normal}" in _LABELS else normal
    found = _LABELS.get(normal)
    if found is None or not 0 <= index < 12:
        return None
    return found, index


def read_labelled(text: str) -> Labelled:
    lines = text.split("\n")
    fields: list[tuple[str, int, list[str]]] = []
    result = Labelled()
    current: tuple[str, int, list[str]] | None = None
    for number, line in enumerate(lines):
        match = _LABEL_LINE.match(line)
        found = _field_for(match.group("label")) if match else None
        if match and found:
            current = (found[0], found[1], [match.group("value").strip()])
            fields.append(current)
            result.used_lines.add(number)
        elif current is not None and _continues(current[0], line, looks_labelled=bool(match)):
            current[2].append(line.strip())
            if line.strip():
                result.used_lines.add(number)
        else:
            current = None
    children_seen = 0
    for name, index, parts in fields:
        value = "\n".join(parts).strip()
        if value:
            _apply(result.values, name, index, value)
            if name.startswith("child."):
                children_seen = max(children_seen, index + 1)
    _link_children(result.values, children_seen)
    return result


def _continues(field_name: str, line: str, *, looks_labelled: bool) -> bool:
    if field_name in FREE_TEXT_FIELDS:
        return True
    return field_name in WRAPPING_FIELDS and bool(line.strip()) and not looks_labelled


def _apply(values: dict[str, Any], name: str, index: int, value: str) -> None:
    if name.startswith("child."):
        _apply_child(values, name.removeprefix("child."), index, value)
    elif name == "household":
        values.update(household_answers(value))
    elif name == "other_children":
        if _NONE.match(value):
            values["other_children"] = False
    elif name == "consent":
        values.update(consent_answers(value))
    elif name == "consent_reason":
        values.setdefault("consent_reason", value)
        values.setdefault("consent_reason_detail", value)
    else:
        values.setdefault(name, value)


def _apply_child(values: dict[str, Any], question: str, index: int, value: str) -> None:
    prefix = f"child.{index}."
    if question == "date_of_birth":
        values.setdefault(prefix + "age_known", "date_of_birth")
        values.setdefault(prefix + "date_of_birth", date_text(value))
    elif question == "age":
        values.setdefault(prefix + "age_known", "age")
        values.setdefault(prefix + "age", value)
    elif question == "expected_date":
        values.setdefault(prefix + "age_known", "unborn")
        values.setdefault(prefix + "expected_date", date_text(value))
    elif question == "postcode":
        values.setdefault(prefix + "postcode", postcode_text(value))
    else:
        values.setdefault(prefix + question, value)


def _link_children(values: dict[str, Any], children: int) -> None:
    """Child 1..n were described: each but the last has a 'more'; the last only if stated."""
    for index in range(children - 1):
        values.setdefault(f"child.{index}.more", True)
    if children and values.pop("other_children", None) is False:
        values.setdefault(f"child.{children - 1}.more", False)


_DATE_TEXT = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[A-Za-z]{3,9},?\s+\d{2,4}",
)
_POSTCODE_TEXT = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)


def date_text(value: str) -> str:
    """The date in "03/04/2015 (age 9)", so the date parser sees only the date."""
    found = _DATE_TEXT.search(value)
    return found.group() if found else value


def postcode_text(value: str) -> str:
    found = _POSTCODE_TEXT.search(value)
    return found.group() if found else value


def consent_answers(value: str) -> dict[str, Any]:
    """ "Not sought - asking would put the child at risk" -> consent, reason and its detail."""
    answers: dict[str, Any] = {}
    for pattern, answer in _CONSENT_WORDS:
        if pattern.search(value):
            answers["consent"] = answer
            break
    else:
        answers["consent"] = value
    if answers["consent"] in ("no", "not_asked"):
        reason = match_choice(CONSENT_REASONS, value)
        if reason is not None:
            answers["consent_reason"] = reason
        answers["consent_reason_detail"] = value
    return answers


def household_answers(value: str) -> dict[str, Any]:
    """ "Mother (Kelly Smith) and her partner Dean Jones" -> household members and relationships."""
    if _UNKNOWN.match(value):
        return {"household_known": False}
    parts = [p.strip() for p in re.split(r"[,;\n]|\band\b|&", value) if p.strip()]
    members: list[tuple[str | None, str]] = []
    for part in parts:
        relationship = match_choice(RELATIONSHIPS, part.lower())
        name = _person_name(part)
        if relationship is None and name is None:
            continue
        members.append((relationship, name or ""))
    if not members:
        return {}
    answers: dict[str, Any] = {"household_known": True}
    for index, (relationship, name) in enumerate(members[:12]):
        prefix = f"household.{index}."
        if name:
            answers[prefix + "name"] = name
        if relationship is not None:
            answers[prefix + "relationship"] = relationship
        answers[prefix + "more"] = index < len(members) - 1
    return answers


def _person_name(part: str) -> str | None:
    inside = re.findall(r"\(([^)]*)\)", part)
    outside = re.sub(r"\([^)]*\)", " ", part)
    for candidate in (outside, *inside):
        tokens = [
            t
            for t in re.findall(r"[A-Z][a-zA-Z'’-]+", candidate)
            if t.lower().strip("'’s") not in _RELATIONSHIP_WORDS
            and t.lower() not in ("her", "his", "their", "the", "mr", "mrs", "ms", "miss")
        ]
        if tokens:
            return " ".join(tokens)
    return None
