"""How each kind of question looks on a GOV.UK page, and how its form fields are read back.

A question is shown with one of the GOV.UK Frontend macros; this module builds that macro's
parameters from the `forms` Question, so the template only chooses which macro to call. Replies
are read into the shapes `Question.parse` already understands (a string, a list, a dict of
parts), and stored answers are turned back into those shapes to fill the fields in again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from forms.flow import Step
from forms.parsing import format_phone_for_display
from forms.questions import Group, Kind, Question

FIELD = "answer"
DATE_PARTS = ("day", "month", "year")
NAME_PARTS = ("given", "family")

# Autocomplete only where the question is about the person filling in the form (WCAG 1.3.5);
# the child's details are not theirs, and the browser must not offer the referrer's own.
REFERRER_AUTOCOMPLETE = {
    "referrer_name": "name",
    "referrer_role": "organization-title",
    "referrer_organisation": "organization",
    "referrer_phone": "tel",
    "referrer_email": "email",
}

# The options that stand on their own in a list of checkboxes.
EXCLUSIVE_CHOICES = frozenset({"none", "unknown"})


@dataclass(frozen=True)
class Widget:
    """Which macro to call (`radios`, `checkboxes`, `date`, `name`, `input`, `textarea`),
    its parameters, and the id of the field an error summary link should move focus to."""

    macro: str
    params: dict[str, Any]
    error_target: str


def caption(step: Step) -> str | None:
    if step.question.group is None or step.number is None:
        return None
    if step.question.group is Group.CHILD:
        return f"Child {step.number}"
    return f"Household member {step.number}"


def page_title(step: Step) -> str:
    """The heading in words, unique per page: 'Child 2: What is the child's name?'."""
    prefix = caption(step)
    return f"{prefix}: {step.question.prompt}" if prefix else step.question.prompt


def _heading_html(step: Step) -> Markup:
    prefix = caption(step)
    heading = escape(step.question.prompt)
    if prefix:
        return Markup('<span class="govuk-caption-l">{}</span> {}').format(prefix, heading)
    return heading


def read_reply(question: Question, form: MultiDict[str, str]) -> Any:
    """The submitted fields for one question, as the raw reply `Question.parse` takes."""
    match question.kind:
        case Kind.MULTI_CHOICE:
            return form.getlist(FIELD)
        case Kind.NAME:
            return {part: form.get(f"{FIELD}-{part}", "") for part in NAME_PARTS}
        case Kind.DATE_OF_BIRTH | Kind.EXPECTED_DATE:
            return {part: form.get(f"{FIELD}-{part}", "") for part in DATE_PARTS}
    return form.get(FIELD, "")


def as_reply(question: Question, value: Any) -> Any:
    """A stored answer in the shape `read_reply` gives, to fill the fields in again."""
    if value is None:
        return None
    match question.kind:
        case Kind.YES_NO:
            return "yes" if value else "no"
        case Kind.MULTI_CHOICE:
            return list(value)
        case Kind.NAME:
            return {part: value.get(part) or "" for part in NAME_PARTS}
        case Kind.DATE_OF_BIRTH | Kind.EXPECTED_DATE:
            parsed = date.fromisoformat(value)
            return {"day": str(parsed.day), "month": str(parsed.month), "year": str(parsed.year)}
        case Kind.PHONE:
            return format_phone_for_display(value)
    return str(value)


def widget(step: Step, reply: Any, error: str | None) -> Widget:
    """The macro and parameters that show this question, filled with `reply`."""
    question = step.question
    error_message = {"text": error} if error else None
    hint = {"text": question.hint} if question.hint else None
    legend = {
        "html": _heading_html(step),
        "isPageHeading": True,
        "classes": "govuk-fieldset__legend--l",
    }
    label = {"html": _heading_html(step), "isPageHeading": True, "classes": "govuk-label--l"}

    match question.kind:
        case Kind.YES_NO | Kind.CHOICE:
            return Widget("radios", _radios(question, reply, legend, hint, error_message), FIELD)
        case Kind.MULTI_CHOICE:
            return Widget(
                "checkboxes", _checkboxes(question, reply, legend, hint, error_message), FIELD
            )
        case Kind.DATE_OF_BIRTH | Kind.EXPECTED_DATE:
            return Widget("date", _date(reply, legend, hint, error_message), f"{FIELD}-day")
        case Kind.NAME:
            return Widget("name", _name(reply, legend, hint, error), f"{FIELD}-{NAME_PARTS[0]}")
        case Kind.LONG_TEXT:
            return Widget(
                "textarea",
                {
                    "id": FIELD,
                    "name": FIELD,
                    "label": label,
                    "hint": hint,
                    "errorMessage": error_message,
                    "value": reply or "",
                    "maxlength": question.max_length,
                    "rows": 8,
                },
                FIELD,
            )
    return Widget("input", _input(question, reply, label, hint, error_message), FIELD)


def _radios(
    question: Question,
    reply: Any,
    legend: dict[str, Any],
    hint: dict[str, Any] | None,
    error_message: dict[str, Any] | None,
) -> dict[str, Any]:
    if question.kind is Kind.YES_NO:
        items: list[dict[str, Any]] = [
            {"value": "yes", "text": "Yes"},
            {"value": "no", "text": "No"},
        ]
        classes = "govuk-radios--inline"
    else:
        items = [_item(choice.value, choice.label, choice.hint) for choice in question.choices]
        classes = ""
    return {
        "idPrefix": FIELD,
        "name": FIELD,
        "fieldset": {"legend": legend},
        "hint": hint,
        "errorMessage": error_message,
        "items": items,
        "value": reply if isinstance(reply, str) else None,
        "classes": classes,
    }


def _checkboxes(
    question: Question,
    reply: Any,
    legend: dict[str, Any],
    hint: dict[str, Any] | None,
    error_message: dict[str, Any] | None,
) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    for choice in question.choices:
        exclusive = choice.value in EXCLUSIVE_CHOICES
        if exclusive and not any(item.get("behaviour") for item in items):
            items.append({"divider": "or"})
        item = _item(choice.value, choice.label, choice.hint)
        if exclusive:
            item["behaviour"] = "exclusive"
        items.append(item)
    return {
        "idPrefix": FIELD,
        "name": FIELD,
        "fieldset": {"legend": legend},
        "hint": hint,
        "errorMessage": error_message,
        "items": items,
        "values": [v for v in reply if isinstance(v, str)] if isinstance(reply, list) else [],
    }


def _item(value: str, label: str, hint: str) -> dict[str, Any]:
    item: dict[str, Any] = {"value": value, "text": label}
    if hint:
        item["hint"] = {"text": hint}
    return item


def _date(
    reply: Any,
    legend: dict[str, Any],
    hint: dict[str, Any] | None,
    error_message: dict[str, Any] | None,
) -> dict[str, Any]:
    parts = reply if isinstance(reply, dict) else {}
    error_class = " govuk-input--error" if error_message else ""
    return {
        "id": FIELD,
        "namePrefix": FIELD,
        "fieldset": {"legend": legend},
        "hint": hint,
        "errorMessage": error_message,
        "items": [
            {
                "name": part,
                "classes": f"govuk-input--width-{4 if part == 'year' else 2}{error_class}",
                "value": parts.get(part, ""),
            }
            for part in DATE_PARTS
        ],
    }


def _name(
    reply: Any,
    legend: dict[str, Any],
    hint: dict[str, Any] | None,
    error: str | None,
) -> dict[str, Any]:
    """Two inputs in a fieldset; the template lays them out (there is no GOV.UK name macro)."""
    parts = reply if isinstance(reply, dict) else {}
    error_class = " govuk-input--error" if error else ""
    labels = {"given": "First name", "family": "Last name"}
    described_by = " ".join(
        part for part, shown in ((f"{FIELD}-hint", hint), (f"{FIELD}-error", error)) if shown
    )
    return {
        "fieldset": {"legend": legend, "describedBy": described_by or None},
        "hint": hint,
        "error": error,
        "inputs": [
            {
                "id": f"{FIELD}-{part}",
                "name": f"{FIELD}-{part}",
                "label": {"text": labels[part]},
                "value": parts.get(part, ""),
                "classes": f"govuk-!-width-two-thirds{error_class}",
                "spellcheck": False,
                "autocomplete": "off",
            }
            for part in NAME_PARTS
        ],
    }


def _input(
    question: Question,
    reply: Any,
    label: dict[str, Any],
    hint: dict[str, Any] | None,
    error_message: dict[str, Any] | None,
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "id": FIELD,
        "name": FIELD,
        "label": label,
        "hint": hint,
        "errorMessage": error_message,
        "value": reply if isinstance(reply, str) else "",
        "autocomplete": REFERRER_AUTOCOMPLETE.get(question.id, "off"),
    }
    match question.kind:
        case Kind.POSTCODE:
            params.update(classes="govuk-input--width-10", spellcheck=False)
        case Kind.PHONE:
            params.update(type="tel", classes="govuk-input--width-20", spellcheck=False)
        case Kind.EMAIL:
            params.update(
                type="email", spellcheck=False, autocapitalize="none", classes="govuk-!-width-full"
            )
        case Kind.AGE:
            params.update(
                classes="govuk-input--width-2",
                inputmode="numeric",
                spellcheck=False,
                suffix={"text": "years"},
            )
        case _:
            params.update(classes="govuk-!-width-full")
    return params
