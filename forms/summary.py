"""The 'check your answers' view of a conversation, shared by the web page, SMS and voice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from forms.flow import FlowState, Step, steps
from forms.parsing import format_phone_for_display
from forms.questions import Group, Kind, Question


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    value: str


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)


def display_value(question: Question, value: Any) -> str:
    if value is None:
        return "Not given"
    match question.kind:
        case Kind.YES_NO:
            return "Yes" if value else "No"
        case Kind.CHOICE:
            return question.choice_label(str(value))
        case Kind.MULTI_CHOICE:
            return ", ".join(question.choice_label(v) for v in value) or "Not given"
        case Kind.NAME:
            parts = [value.get("given"), value.get("family")]
            return " ".join(p for p in parts if p) or "Not given"
        case Kind.DATE_OF_BIRTH | Kind.EXPECTED_DATE:
            return date.fromisoformat(value).strftime("%-d %B %Y")
        case Kind.AGE:
            if value == 0:
                return "Under 1 year old"
            return f"{value} year{'s' if value != 1 else ''} old"
        case Kind.PHONE:
            return format_phone_for_display(value)
    return str(value)


def _section_title(step: Step) -> str:
    if step.question.group is Group.CHILD:
        return f"Child {step.number}"
    if step.question.group is Group.HOUSEHOLD:
        return f"Household member {step.number}"
    return step.question.section


def summarise(state: FlowState) -> list[Section]:
    sections: dict[str, Section] = {}
    for step in steps(state.answers):
        if step.key not in state.answers:
            continue
        title = _section_title(step)
        section = sections.setdefault(title, Section(title))
        section.rows.append(
            Row(
                step.key,
                step.question.prompt,
                display_value(step.question, state.answers[step.key]),
            )
        )
    return list(sections.values())
