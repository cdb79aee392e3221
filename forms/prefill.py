"""Answers read from free text (a long SMS, a call, an email), ready for `flow.prefill`.

Every channel that takes free text does the same thing:

    values = answers_from_extraction(nlp.extract(text), text)
    filled = flow.prefill(state, values, source="nlp")

`flow.prefill` validates each value as if it had been typed and never overwrites an answer the
referrer gave, so this mapping can offer what it finds and leave the checking to the flow. The
referrer sees every pre-filled answer in the check-answers summary before anything is sent.

Only the first child gets a date of birth, age, postcode and school: the text rarely says
which detail belongs to which child, and a wrong guess about a child is worse than a question.
Household members are pre-filled (name and relationship) but `household_known` is not: someone
named in the text may not live with the child, so the flow still asks, and the people it found
are waiting as the answers if the referrer says yes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from forms.questions import MAX_CHILDREN, MAX_HOUSEHOLD

if TYPE_CHECKING:
    # Types only: importing nlp at run time loads spaCy, which the web form does not need.
    from nlp.extraction import Detail, Entities, Extraction, Name

# Shorter than this, a message is a greeting or an answer, not an account of what happened.
CONCERN_MIN_CHARS = 100

# The names nlp finds, by role, as the household relationships the flow offers. "other" is left
# out: it is anyone the text names without saying who they are to the child.
_RELATIONSHIP_OF_ROLE = {
    "mother": "mother",
    "father": "father",
    "stepmother": "step_parent",
    "stepfather": "step_parent",
    "partner": "step_parent",
    "grandmother": "grandparent",
    "grandfather": "grandparent",
    "brother": "sibling",
    "sister": "sibling",
    "carer": "carer",
    "uncle": "other",
    "aunt": "other",
}

_YEAR_UNITS = {"years": 1, "months": 12, "weeks": 52, "days": 365}


def answers_from_extraction(
    extraction: Extraction, text: str, *, concern_min_chars: int = CONCERN_MIN_CHARS
) -> dict[str, Any]:
    """Flow answers (by key) for what the text says; values are raw, as if the person typed them."""
    entities = extraction.entities
    values: dict[str, Any] = {}
    _child_age(entities, values)
    _first(entities.postcodes, "child.0.postcode", values)
    _first(entities.schools, "child.0.school", values)
    _first(entities.phones, "referrer_phone", values)
    _first(entities.emails, "referrer_email", values)
    _names(entities.names, values)
    if len(text.strip()) >= concern_min_chars:
        values["concern"] = text.strip()
    return values


def _first(details: list[Detail], key: str, values: dict[str, Any]) -> None:
    if details:
        values[key] = details[0].value


def _child_age(entities: Entities, values: dict[str, Any]) -> None:
    if entities.dates_of_birth:
        values["child.0.age_known"] = "date_of_birth"
        values["child.0.date_of_birth"] = entities.dates_of_birth[0].value
        return
    if entities.ages:
        age = entities.ages[0]
        values["child.0.age_known"] = "age"
        values["child.0.age"] = age.value // _YEAR_UNITS.get(age.unit, 1)


def _names(names: list[Name], values: dict[str, Any]) -> None:
    children = [n.value for n in names if n.role == "child"][:MAX_CHILDREN]
    for index, name in enumerate(children):
        values[f"child.{index}.name"] = name
        if index:
            values[f"child.{index - 1}.more"] = True
    household = [n for n in names if n.role in _RELATIONSHIP_OF_ROLE][:MAX_HOUSEHOLD]
    for index, person in enumerate(household):
        values[f"household.{index}.name"] = person.value
        values[f"household.{index}.relationship"] = _RELATIONSHIP_OF_ROLE[person.role]
        if index:
            values[f"household.{index - 1}.more"] = True
    referrer = next((n.value for n in names if n.role == "referrer"), None)
    if referrer is not None:
        values["referrer_name"] = referrer
