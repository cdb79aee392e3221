"""The questions of the referral, defined once as data, asked the same way on every channel.

A question knows its wording (a web heading, a short SMS/voice prompt), its kind, its choices,
when it applies and whether it must be answered. Channels decide only how to show it and how to
read the reply; `parse` turns the reply into a stored value.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from forms import parsing
from forms.choices import (
    AGE_KNOWN,
    CONSENT,
    CONSENT_REASONS,
    FEEDBACK,
    GENDERS,
    HOME_CONCERNS,
    HOW_KNOWN,
    RELATIONSHIPS,
    Choice,
    is_professional,
    referrer_choices,
)
from forms.parsing import ParseError, can_take_texts

Answers = Mapping[str, Any]


class Kind(enum.StrEnum):
    YES_NO = "yes_no"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    TEXT = "text"
    LONG_TEXT = "long_text"
    NAME = "name"
    DATE_OF_BIRTH = "date_of_birth"
    EXPECTED_DATE = "expected_date"
    AGE = "age"
    POSTCODE = "postcode"
    PHONE = "phone"
    EMAIL = "email"


class Group(enum.StrEnum):
    CHILD = "child"
    HOUSEHOLD = "household"


# A predicate sees all answers and, for questions in a repeated group, the item's own answers.
Predicate = Callable[[Answers, Answers], bool]


def _always(_answers: Answers, _item: Answers) -> bool:
    return True


@dataclass(frozen=True)
class Question:
    id: str
    kind: Kind
    prompt: str
    short_prompt: str
    section: str
    hint: str = ""
    choices: tuple[Choice, ...] = ()
    group: Group | None = None
    applies: Predicate = _always
    required: Predicate = _always
    max_length: int = 500
    # Read back on the phone before moving on, because speech recognition gets these wrong.
    confirm_by_voice: bool = False
    # Cross-field check run after parsing; returns an error message or None.
    check: Callable[[Any, Answers], str | None] | None = None
    speech_hints: tuple[str, ...] = field(default_factory=tuple)
    # For a yes/no question where "not sure" must not be read as either (is a child in danger?):
    # what to tell someone who is not sure. Without it, "don't know" reads as no.
    unsure: str | None = None
    # What "don't know" stands for where it is an answer in its own right ("Not known" other
    # services), not a gap; channels that read typed words send this instead of a blank.
    dont_know: str | None = None

    def key(self, index: int | None = None) -> str:
        return self.id if self.group is None else f"{self.group}.{index}.{self.id}"

    def choice_label(self, value: str) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        return value

    def parse(self, raw: Any, answers: Answers, today: date | None = None) -> Any:
        """Return the value to store, or raise ParseError with a message for the person."""
        value = self._parse(raw, today)
        if self.check is not None and value is not None:
            problem = self.check(value, answers)
            if problem:
                raise ParseError(problem)
        return value

    def _parse(self, raw: Any, today: date | None) -> Any:
        if _is_blank(raw):
            return None
        match self.kind:
            case Kind.YES_NO:
                if self.unsure and parsing.is_unsure(raw):
                    raise ParseError(self.unsure)
                return parsing.parse_yes_no(raw)
            case Kind.CHOICE:
                return self._parse_choice(raw)
            case Kind.MULTI_CHOICE:
                return self._parse_multi(raw)
            case Kind.TEXT | Kind.LONG_TEXT:
                text = parsing.clean_text(raw, max_length=self.max_length, what="your answer")
                return text or None
            case Kind.NAME:
                name = parsing.parse_name(raw)
                return None if name.given is None and name.family is None else name.as_dict()
            case Kind.DATE_OF_BIRTH:
                return parsing.parse_date_of_birth(raw, today).isoformat()
            case Kind.EXPECTED_DATE:
                return parsing.parse_expected_date(raw, today).isoformat()
            case Kind.AGE:
                return parsing.parse_age(raw)
            case Kind.POSTCODE:
                return parsing.parse_postcode(raw)
            case Kind.PHONE:
                return parsing.parse_phone(raw)
            case Kind.EMAIL:
                return parsing.parse_email(raw)
        raise AssertionError(f"unhandled kind {self.kind}")

    def _parse_choice(self, raw: Any) -> str:
        if not isinstance(raw, str):
            raise ParseError(self._choice_error())
        found = match_choice(self.choices, raw)
        if found is None:
            raise ParseError(self._choice_error())
        return found

    def _parse_multi(self, raw: Any) -> list[str]:
        items = raw if isinstance(raw, list) else re.split(r"[,;/]|\band\b", str(raw))
        values: list[str] = []
        for item in items:
            if not isinstance(item, str) or not item.strip():
                continue
            found = match_choice(self.choices, item)
            if found is None:
                raise ParseError(self._choice_error())
            if found not in values:
                values.append(found)
        exclusive = {"none", "unknown"} & set(values)
        if exclusive and len(values) > 1:
            raise ParseError(
                "Choose 'None of these' or 'I do not know' on its own, or pick the concerns"
            )
        return values

    def _choice_error(self) -> str:
        return "Select " + ("one option" if self.kind is Kind.CHOICE else "all that apply")


def _is_blank(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, dict):
        return all(_is_blank(v) for v in raw.values())
    if isinstance(raw, list):
        return not raw
    return False


_NOT_WORDISH = re.compile(r"[^a-z0-9&' -]")


def match_choice(choices: tuple[Choice, ...], raw: str) -> str | None:
    """Match a typed or spoken reply to a choice: its number, its value, its label or a synonym."""
    text = raw.strip().lower()
    if not text:
        return None
    if text.isdigit() and 1 <= int(text) <= len(choices):
        return choices[int(text) - 1].value
    for choice in choices:
        if text in (choice.value, choice.value.replace("_", " "), choice.label.lower()):
            return choice.value
    padded = " " + _NOT_WORDISH.sub(" ", text) + " "
    best: tuple[int, str] | None = None
    for choice in choices:
        for synonym in choice.synonyms:
            found = f" {synonym.strip()} " in padded or (len(synonym) > 4 and synonym in padded)
            # The longest matching phrase wins: "school nurse" beats "school".
            if found and (best is None or len(synonym) > best[0]):
                best = (len(synonym), choice.value)
    return best[1] if best else None


# --- predicates -----------------------------------------------------------------------------


def _a_child_is_born(answers: Answers, _item: Answers) -> bool:
    """Not every child on the referral is a baby not born yet (who cannot have said anything).
    Only the children the referral still has count: answers left by one taken off do not."""
    index = 0
    while answers.get(f"{Group.CHILD}.{index}.age_known") == "unborn":
        if answers.get(f"{Group.CHILD}.{index}.more") is not True:
            return False
        index += 1
    return True


def _professional(answers: Answers, _item: Answers) -> bool:
    return is_professional(answers.get("referrer_type"))


def _not_anonymous(answers: Answers, _item: Answers) -> bool:
    return answers.get("anonymous") is not True


def _may_be_anonymous(answers: Answers, _item: Answers) -> bool:
    return answers.get("referrer_type") is not None and not is_professional(
        answers.get("referrer_type")
    )


def _item_is(key: str, *values: str) -> Predicate:
    def predicate(_answers: Answers, item: Answers) -> bool:
        return item.get(key) in values

    return predicate


def _item_is_not(key: str, *values: str) -> Predicate:
    def predicate(_answers: Answers, item: Answers) -> bool:
        return item.get(key) not in values

    return predicate


def _consent_not_given(answers: Answers, _item: Answers) -> bool:
    return answers.get("consent") in ("no", "not_asked")


def _consent_reason_other(answers: Answers, _item: Answers) -> bool:
    return _consent_not_given(answers, {}) and answers.get("consent_reason") == "other"


def _never(_answers: Answers, _item: Answers) -> bool:
    return False


def _check_feedback(value: Any, answers: Answers) -> str | None:
    if value == "email" and not answers.get("referrer_email"):
        return "You chose email but have not given an email address. Go back to add one, or choose another way"
    phone = answers.get("referrer_phone")
    if value == "sms" and not phone:
        return "You chose text message but have not given a phone number. Go back to add one, or choose another way"
    if value == "sms" and isinstance(phone, str) and not can_take_texts(phone):
        return "The phone number you gave is a landline, which cannot get text messages. Choose another way, or go back and give a mobile number"
    return None


def _feedback_applies(answers: Answers, item: Answers) -> bool:
    return _not_anonymous(answers, item) and bool(
        answers.get("referrer_email") or answers.get("referrer_phone")
    )


DANGER = "Immediate danger"
ABOUT_YOU = "About you"
CHILD = "Child"
HOUSEHOLD = "Who the child lives with"
CONCERN = "Your concern"
CONSENT_SECTION = "Consent"
OTHERS = "Other agencies"

BEFORE_CHILDREN: tuple[Question, ...] = (
    Question(
        "immediate_danger",
        Kind.YES_NO,
        "Is a child in immediate danger right now?",
        "Is a child in danger right now? Reply YES or NO.",
        DANGER,
        hint="For example, they are hurt and need help, or someone is threatening them now.",
        unsure=(
            "If you are not sure, answer yes so that we treat it as urgent. If a child could be "
            "hurt soon, call 999"
        ),
    ),
    Question(
        "referrer_type",
        Kind.CHOICE,
        "Who are you?",
        "Who are you? For example: teacher, GP, police, family member, neighbour, member of the public, or the young person.",
        ABOUT_YOU,
        choices=referrer_choices(),
        speech_hints=(
            "teacher",
            "school",
            "GP",
            "doctor",
            "health visitor",
            "police",
            "family",
            "neighbour",
            "public",
        ),
    ),
    Question(
        "anonymous",
        Kind.YES_NO,
        "Do you want to stay anonymous?",
        "Do you want to stay anonymous? Reply YES or NO. If you stay anonymous we cannot tell you what happens next.",
        ABOUT_YOU,
        hint="If you stay anonymous we will not ask for your name or contact details, and we cannot tell you what happens next.",
        applies=_may_be_anonymous,
    ),
    Question(
        "referrer_name",
        Kind.TEXT,
        "What is your name?",
        "What is your full name?",
        ABOUT_YOU,
        applies=_not_anonymous,
        required=_professional,
        max_length=200,
        confirm_by_voice=True,
    ),
    Question(
        "referrer_role",
        Kind.TEXT,
        "What is your role?",
        "What is your job or role?",
        ABOUT_YOU,
        hint="For example, Designated Safeguarding Lead, class teacher, practice nurse.",
        applies=_professional,
        required=_professional,
        max_length=200,
    ),
    Question(
        "referrer_organisation",
        Kind.TEXT,
        "Which organisation do you work for?",
        "Which organisation do you work for?",
        ABOUT_YOU,
        hint="For example, Riverside Primary School.",
        applies=_professional,
        required=_professional,
        max_length=200,
    ),
    Question(
        "referrer_phone",
        Kind.PHONE,
        "What is your phone number?",
        "What phone number can we call you on?",
        ABOUT_YOU,
        hint="We will only call you about this referral.",
        applies=_not_anonymous,
        required=_professional,
        confirm_by_voice=True,
    ),
    Question(
        "referrer_email",
        Kind.EMAIL,
        "What is your email address?",
        "What is your email address?",
        ABOUT_YOU,
        applies=_not_anonymous,
        required=_professional,
        max_length=254,
    ),
    Question(
        "feedback_by",
        Kind.CHOICE,
        "How would you like us to tell you what happens?",
        "How should we tell you what happens? Reply EMAIL, TEXT or NONE.",
        ABOUT_YOU,
        choices=FEEDBACK,
        applies=_feedback_applies,
        check=_check_feedback,
    ),
)

CHILD_QUESTIONS: tuple[Question, ...] = (
    Question(
        "name",
        Kind.NAME,
        "What is the child's name?",
        "What is the child's full name? Reply SKIP if you do not know.",
        CHILD,
        hint="Leave this blank if you do not know it, or the baby is not born yet.",
        group=Group.CHILD,
        required=_never,
        confirm_by_voice=True,
    ),
    Question(
        "age_known",
        Kind.CHOICE,
        "Do you know the child's date of birth?",
        "Do you know the child's date of birth? Reply 1 for yes, 2 if you know roughly how old they are, 3 if the baby is not born yet, 4 if you do not know.",
        CHILD,
        choices=AGE_KNOWN,
        group=Group.CHILD,
    ),
    Question(
        "date_of_birth",
        Kind.DATE_OF_BIRTH,
        "What is the child's date of birth?",
        "What is the child's date of birth? For example 27 3 2015.",
        CHILD,
        hint="For example, 27 3 2015",
        group=Group.CHILD,
        applies=_item_is("age_known", "date_of_birth"),
        confirm_by_voice=True,
    ),
    Question(
        "age",
        Kind.AGE,
        "How old is the child?",
        "How old is the child, in years? For a baby, you can say how many months.",
        CHILD,
        hint="In years. Your best guess is fine. For a baby, you can write their age in months, like 6 months.",
        group=Group.CHILD,
        applies=_item_is("age_known", "age"),
    ),
    Question(
        "expected_date",
        Kind.EXPECTED_DATE,
        "When is the baby due?",
        "When is the baby due? For example 27 3 2027.",
        CHILD,
        hint="For example, 27 3 2027",
        group=Group.CHILD,
        applies=_item_is("age_known", "unborn"),
        confirm_by_voice=True,
    ),
    Question(
        "gender",
        Kind.CHOICE,
        "What is the child's sex or gender?",
        "Is the child a girl or a boy? Reply SKIP if you do not know.",
        CHILD,
        choices=GENDERS,
        group=Group.CHILD,
        applies=_item_is_not("age_known", "unborn"),
        required=_never,
    ),
    Question(
        "address",
        Kind.TEXT,
        "What is the child's address?",
        "What is the child's address? Reply SKIP if you do not know.",
        CHILD,
        hint="Where they are living now. Leave blank if you do not know.",
        group=Group.CHILD,
        required=_never,
        max_length=300,
    ),
    Question(
        "postcode",
        Kind.POSTCODE,
        "What is the child's postcode?",
        "What is the child's postcode? Reply SKIP if you do not know.",
        CHILD,
        group=Group.CHILD,
        required=_never,
        confirm_by_voice=True,
    ),
    Question(
        "school",
        Kind.TEXT,
        "Which school or nursery does the child go to?",
        "Which school or nursery does the child go to? Reply SKIP if you do not know.",
        CHILD,
        group=Group.CHILD,
        applies=_item_is_not("age_known", "unborn"),
        required=_never,
        max_length=200,
    ),
    Question(
        "language",
        Kind.TEXT,
        "What language does the child's family speak at home?",
        "What language does the family speak at home? Reply SKIP if you do not know.",
        CHILD,
        hint="Tell us if they need an interpreter.",
        group=Group.CHILD,
        required=_never,
        max_length=100,
    ),
    Question(
        "disability",
        Kind.TEXT,
        "Does the child have a disability or additional needs?",
        "Does the child have a disability or additional needs? Reply SKIP if none or you do not know.",
        CHILD,
        hint="Leave blank if none, or you do not know.",
        group=Group.CHILD,
        required=_never,
        max_length=300,
    ),
    Question(
        "more",
        Kind.YES_NO,
        "Is this referral about another child as well?",
        "Is this about another child as well, such as a brother or sister? Reply YES or NO.",
        CHILD,
        hint="For example, a brother or sister in the same home.",
        group=Group.CHILD,
    ),
)

HOUSEHOLD_START = Question(
    "household_known",
    Kind.YES_NO,
    "Do you know who the child lives with?",
    "Do you know who the child lives with? Reply YES or NO.",
    HOUSEHOLD,
    hint="Parents, carers, or anyone else in the home.",
)

HOUSEHOLD_QUESTIONS: tuple[Question, ...] = (
    Question(
        "name",
        Kind.NAME,
        "What is this person's name?",
        "What is their name?",
        HOUSEHOLD,
        group=Group.HOUSEHOLD,
        required=_never,
    ),
    Question(
        "relationship",
        Kind.CHOICE,
        "How are they related to the child?",
        "How are they related to the child? For example mum, dad, stepdad, grandparent.",
        HOUSEHOLD,
        choices=RELATIONSHIPS,
        group=Group.HOUSEHOLD,
    ),
    Question(
        "more",
        Kind.YES_NO,
        "Does anyone else live with the child?",
        "Does anyone else live with the child? Reply YES or NO.",
        HOUSEHOLD,
        group=Group.HOUSEHOLD,
    ),
)

AFTER_HOUSEHOLD: tuple[Question, ...] = (
    Question(
        "concern",
        Kind.LONG_TEXT,
        "What has happened?",
        "Tell us what has happened and why you are worried.",
        CONCERN,
        hint="Tell us what you saw or heard, who was involved, and how the child seemed.",
        max_length=20000,
    ),
    Question(
        "concern_when",
        Kind.TEXT,
        "When did this happen?",
        "When did this happen?",
        CONCERN,
        hint="For example, this morning, last night, or over the last few months.",
        max_length=200,
    ),
    Question(
        "how_known",
        Kind.CHOICE,
        "How do you know about this?",
        "How do you know? 1 I saw it, 2 the child told me, 3 someone else told me, 4 another way.",
        CONCERN,
        choices=HOW_KNOWN,
    ),
    Question(
        "fears",
        Kind.LONG_TEXT,
        "What are you worried will happen to the child?",
        "What are you worried will happen to the child? Reply SKIP if you are not sure.",
        CONCERN,
        required=_never,
        max_length=5000,
    ),
    Question(
        "child_said",
        Kind.LONG_TEXT,
        "What has the child said, if anything?",
        "What has the child said, in their own words? Reply SKIP if nothing.",
        CONCERN,
        hint="Use their own words if you can.",
        applies=_a_child_is_born,
        required=_never,
        max_length=5000,
    ),
    Question(
        "home_concerns",
        Kind.MULTI_CHOICE,
        "Are you worried about any of these in the child's home?",
        "Are you worried about any of these at home: domestic abuse, drugs or alcohol, an adult's mental health? Reply with any that apply, NONE, or DON'T KNOW.",
        CONCERN,
        hint="Select all that apply.",
        choices=HOME_CONCERNS,
    ),
    Question(
        "consent",
        Kind.CHOICE,
        "Do the child's parents or carers know about this referral, and do they agree?",
        "Do the parents or carers know about this referral and agree? 1 yes, 2 no, 3 I have not asked them.",
        CONSENT_SECTION,
        hint="Do not ask them if that would put the child at risk.",
        choices=CONSENT,
    ),
    Question(
        "consent_reason",
        Kind.CHOICE,
        "Why have they not agreed, or why have you not asked?",
        "Why not? 1 asking would put the child at risk, 2 I could not reach them, 3 another reason.",
        CONSENT_SECTION,
        choices=CONSENT_REASONS,
        applies=_consent_not_given,
    ),
    Question(
        "consent_reason_detail",
        Kind.LONG_TEXT,
        "Tell us more about why",
        "Please tell us more about why. Reply SKIP if you have nothing to add.",
        CONSENT_SECTION,
        hint="This helps the officer decide whether and when to speak to the family.",
        applies=_consent_not_given,
        required=_consent_reason_other,
        max_length=1000,
    ),
    Question(
        "other_agencies",
        Kind.TEXT,
        "Which other services are involved with the child or family?",
        "Which other services are involved, such as a social worker, CAMHS or police? Reply NONE if none, or NOT KNOWN if you do not know.",
        OTHERS,
        hint="For example, a social worker, CAMHS, the police. Write 'none' or 'not known' if so.",
        max_length=1000,
        dont_know="Not known",
    ),
)

TOP_LEVEL: dict[str, Question] = {
    q.id: q for q in (*BEFORE_CHILDREN, HOUSEHOLD_START, *AFTER_HOUSEHOLD)
}
GROUPED: dict[tuple[Group, str], Question] = {
    **{(Group.CHILD, q.id): q for q in CHILD_QUESTIONS},
    **{(Group.HOUSEHOLD, q.id): q for q in HOUSEHOLD_QUESTIONS},
}

MAX_CHILDREN = 12
MAX_HOUSEHOLD = 12


def question_for_key(key: str) -> tuple[Question, int | None]:
    """Look up the question behind a key like `referrer_name` or `child.1.date_of_birth`."""
    if key in TOP_LEVEL:
        return TOP_LEVEL[key], None
    parts = key.split(".")
    if len(parts) == 3 and parts[1].isdigit():
        try:
            group = Group(parts[0])
        except ValueError:
            raise KeyError(key)
        question = GROUPED.get((group, parts[2]))
        index = int(parts[1])
        limit = MAX_CHILDREN if group is Group.CHILD else MAX_HOUSEHOLD
        if question is not None and index < limit:
            return question, index
    raise KeyError(key)
