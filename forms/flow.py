"""The conversation: which question comes next, answering, going back, changing, resuming.

The state is plain JSON so any channel can save it with the contact and pick it up later,
even on a different channel. Nothing here knows about HTTP, SMS or speech.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from forms.parsing import ParseError
from forms.questions import (
    AFTER_HOUSEHOLD,
    BEFORE_CHILDREN,
    CHILD_QUESTIONS,
    HOUSEHOLD_QUESTIONS,
    HOUSEHOLD_START,
    MAX_CHILDREN,
    MAX_HOUSEHOLD,
    Answers,
    Group,
    Question,
    question_for_key,
)


@dataclass
class FlowState:
    answers: dict[str, Any] = field(default_factory=dict)
    # Keys in the order they were last answered, for BACK.
    history: list[str] = field(default_factory=list)
    # Where each answer came from: referrer (asked), nlp (pre-filled from free text), api.
    sources: dict[str, str] = field(default_factory=dict)
    # The question being asked now, when the referrer went back or chose to change one.
    current: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "answers": self.answers,
            "history": self.history,
            "sources": self.sources,
            "current": self.current,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> FlowState:
        data = data or {}
        return cls(
            answers=dict(data.get("answers") or {}),
            history=list(data.get("history") or []),
            sources=dict(data.get("sources") or {}),
            current=data.get("current"),
        )


@dataclass(frozen=True)
class Step:
    key: str
    question: Question
    index: int | None

    @property
    def number(self) -> int | None:
        """The 1-based child or household member number, for 'Child 2' headings."""
        return None if self.index is None else self.index + 1


@dataclass(frozen=True)
class AnswerResult:
    ok: bool
    error: str | None = None
    value: Any = None


def item_answers(answers: Answers, group: Group, index: int) -> dict[str, Any]:
    prefix = f"{group}.{index}."
    return {k[len(prefix) :]: v for k, v in answers.items() if k.startswith(prefix)}


def steps(answers: Answers) -> Iterator[Step]:
    """Every question that applies given the answers so far, in the order they are asked."""
    for q in BEFORE_CHILDREN:
        if q.applies(answers, {}):
            yield Step(q.key(), q, None)
    yield from _group_steps(answers, Group.CHILD, CHILD_QUESTIONS, MAX_CHILDREN)
    yield Step(HOUSEHOLD_START.key(), HOUSEHOLD_START, None)
    if answers.get(HOUSEHOLD_START.key()) is True:
        yield from _group_steps(answers, Group.HOUSEHOLD, HOUSEHOLD_QUESTIONS, MAX_HOUSEHOLD)
    for q in AFTER_HOUSEHOLD:
        if q.applies(answers, {}):
            yield Step(q.key(), q, None)


def _group_steps(
    answers: Answers, group: Group, questions: tuple[Question, ...], limit: int
) -> Iterator[Step]:
    index = 0
    while True:
        item = item_answers(answers, group, index)
        for q in questions:
            if q.id == "more" and index == limit - 1:
                continue  # no room for another; don't offer one
            if q.applies(answers, item):
                yield Step(q.key(index), q, index)
        if item.get("more") is True and index < limit - 1:
            index += 1
        else:
            return


def count(answers: Answers, group: Group) -> int:
    """How many children (or household members) the answers describe: one, plus each 'more'."""
    limit = MAX_CHILDREN if group is Group.CHILD else MAX_HOUSEHOLD
    total = 1
    while total < limit and item_answers(answers, group, total - 1).get("more") is True:
        total += 1
    return total


def is_required(step: Step, answers: Answers) -> bool:
    group, index = step.question.group, step.index
    item = item_answers(answers, group, index) if group is not None and index is not None else {}
    return step.question.required(answers, item)


def step_for(key: str, answers: Answers) -> Step | None:
    """The step for a key, or None if the key is unknown or does not apply to these answers."""
    try:
        question_for_key(key)  # cheap rejection of keys that can never exist
    except KeyError:
        return None
    return next((step for step in steps(answers) if step.key == key), None)


def next_unanswered(state: FlowState) -> Step | None:
    for step in steps(state.answers):
        if step.key not in state.answers:
            return step
        if state.answers[step.key] is None and is_required(step, state.answers):
            return step
    return None


def current_step(state: FlowState) -> Step | None:
    """What to ask now: a question the referrer went back to, else the first one not answered.

    None means everything is answered: show the answers to check.
    """
    if state.current:
        step = step_for(state.current, state.answers)
        if step is not None:
            return step
        state.current = None
    return next_unanswered(state)


def missing_required(state: FlowState) -> list[Step]:
    return [
        step
        for step in steps(state.answers)
        if state.answers.get(step.key) is None and is_required(step, state.answers)
    ]


def is_complete(state: FlowState) -> bool:
    return not missing_required(state)


def answer(
    state: FlowState,
    raw: Any,
    key: str | None = None,
    *,
    source: str = "referrer",
    today: date | None = None,
) -> AnswerResult:
    """Answer the current question (or `key`), moving the conversation on if it is valid."""
    step = step_for(key, state.answers) if key else current_step(state)
    if step is None:
        return AnswerResult(False, "That question does not apply any more")
    try:
        value = step.question.parse(raw, state.answers, today)
    except ParseError as exc:
        return AnswerResult(False, str(exc))
    if value is None and is_required(step, state.answers):
        return AnswerResult(False, required_message(step))
    record(state, step.key, value, source)
    if state.current == step.key:
        state.current = None
    return AnswerResult(True, value=value)


def record(state: FlowState, key: str, value: Any, source: str) -> None:
    state.answers[key] = value
    state.sources[key] = source
    if key in state.history:
        state.history.remove(key)
    state.history.append(key)


def prefill(state: FlowState, values: dict[str, Any], *, source: str = "nlp") -> list[str]:
    """Fill answers from free text or a partner system, never overwriting what the person said.

    Each value is validated by its question exactly as if typed; invalid ones are dropped
    so the question is simply asked. Returns the keys that were filled.
    """
    filled: list[str] = []
    for key, raw in values.items():
        if key in state.answers:
            continue
        step = step_for(key, {**state.answers, key: None})
        if step is None:
            try:
                question, _index = question_for_key(key)
            except KeyError:
                continue
            parse_question = question
        else:
            parse_question = step.question
        try:
            value = parse_question.parse(raw, state.answers)
        except ParseError:
            continue
        if value is None:
            continue
        state.answers[key] = value
        state.sources[key] = source
        filled.append(key)
    return filled


def back(state: FlowState) -> Step | None:
    """Step back to the question answered before the current one."""
    here = current_step(state)
    answered = [k for k in state.history if step_for(k, state.answers) is not None]
    if here is not None and here.key in answered:
        position = answered.index(here.key)
        target = answered[position - 1] if position > 0 else None
    else:
        target = answered[-1] if answered else None
    if target is None:
        return here
    state.current = target
    return step_for(target, state.answers)


def previous_key(state: FlowState, key: str) -> str | None:
    """The question before `key` in the flow, for a web page's back link."""
    previous: str | None = None
    for step in steps(state.answers):
        if step.key == key:
            return previous
        previous = step.key
    return previous


def change(state: FlowState, key: str) -> Step | None:
    step = step_for(key, state.answers)
    if step is not None:
        state.current = key
    return step


def restart(state: FlowState) -> None:
    state.answers.clear()
    state.history.clear()
    state.sources.clear()
    state.current = None


def required_message(step: Step) -> str:
    q = step.question
    if q.kind in ("choice", "yes_no"):
        return "Select an answer" if q.kind == "choice" else "Select yes or no"
    if q.kind == "multi_choice":
        return "Select at least one option"
    return {
        "referrer_name": "Enter your name",
        "referrer_role": "Enter your role",
        "referrer_organisation": "Enter the name of your organisation",
        "referrer_phone": "Enter a phone number so we can reach you",
        "referrer_email": "Enter an email address so we can reach you",
        "date_of_birth": "Enter the child's date of birth",
        "age": "Enter the child's age in years, for example 7",
        "expected_date": "Enter the date the baby is due",
        "concern": "Tell us what has happened",
        "concern_when": "Tell us when this happened, even roughly",
        "consent_reason_detail": "Tell us why consent was not given or not asked for",
        "other_agencies": "Tell us which other services are involved, or write 'none'",
    }.get(q.id, "Answer this question")
