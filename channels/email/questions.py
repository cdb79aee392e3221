"""The flow's questions asked by email, as a numbered list, and the numbered answers read back.

An email round trip is slow, so a reply lists every required question still missing at once,
and a few questions are asked in the combined way people answer them in writing ("date of birth,
or roughly how old they are"). Answers are parsed by the flow's own questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from channels.email.labelled import consent_answers, date_text, household_answers
from forms.flow import FlowState, Step, count, missing_required, record, step_for
from forms.parsing import (
    ParseError,
    parse_age,
    parse_date_of_birth,
    parse_expected_date,
    parse_yes_no,
)
from forms.questions import (
    AFTER_HOUSEHOLD,
    BEFORE_CHILDREN,
    CHILD_QUESTIONS,
    HOUSEHOLD_QUESTIONS,
    HOUSEHOLD_START,
    Group,
    Kind,
    Question,
    question_for_key,
)

# Asked alongside "Who are you?" so a professional answers everything about themself in one go.
PROFESSIONAL_DETAILS = ("referrer_name", "referrer_role", "referrer_organisation", "referrer_phone")
# Any professional will do: it only decides which questions apply, never what is stored.
_SOME_PROFESSIONAL = "other_professional"

# "3. yes", "3) yes", "Q3: yes"; not "10:30 last night" or "3.5 hours", which are answers.
_NUMBERED = re.compile(
    r"^\s*(?:q(?:uestion)?\s*)?(\d{1,2})\s*[.):\-](?=\s|$|[^\W\d])\s*(.*)$", re.IGNORECASE
)
_DONT_KNOW = re.compile(
    r"^\s*(not known|unknown|don'?t know|do not know|not sure|unsure|no idea)\b", re.IGNORECASE
)
_DUE = re.compile(r"\b(due|expected|expecting|pregnan\w*|unborn|not (yet )?born)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Asked:
    key: str
    prompt: str


def questions_to_ask(state: FlowState) -> list[Asked]:
    """Every required question still unanswered, worded for an email, in the flow's order."""
    missing = [step.key for step in missing_required(state)]
    if "referrer_type" in missing:
        # Whether these apply depends on the answer to "Who are you?"; ask them now, marked as
        # for professionals, rather than in a second round trip.
        hypothetical = FlowState(answers={**state.answers, "referrer_type": _SOME_PROFESSIONAL})
        extra = [
            step.key
            for step in missing_required(hypothetical)
            if step.key in PROFESSIONAL_DETAILS and step.key not in missing
        ]
        at = missing.index("referrer_type") + 1
        missing[at:at] = extra
    several_children = count(state.answers, Group.CHILD) > 1
    asked: list[Asked] = []
    for key in missing:
        step = step_for(key, state.answers) or _step_for_any(key)
        prompt = email_prompt(step, several_children=several_children)
        if key in PROFESSIONAL_DETAILS and step_for(key, state.answers) is None:
            prompt = f"If you are contacting us as a professional: {prompt}"
        asked.append(Asked(key, prompt))
    return asked


def asked_again(keys: list[str]) -> list[Asked]:
    """The questions of an email we sent, from the keys stored when it was sent."""
    asked: list[Asked] = []
    for key in keys:
        try:
            prompt = email_prompt(_step_for_any(key))
        except KeyError:
            # A question removed from the flow since: kept so the numbers still line up, and
            # its answer is not read.
            prompt = ""
        asked.append(Asked(key, prompt))
    return asked


def _step_for_any(key: str) -> Step:
    question, index = question_for_key(key)
    return Step(key, question, index)


def email_prompt(step: Step, *, several_children: bool = True) -> str:
    q = step.question
    if q.id == "age_known":
        text = (
            "What is the child's date of birth? If you do not know it, tell us roughly how old "
            "they are, or when the baby is due."
        )
    elif q is HOUSEHOLD_START:
        text = (
            "Who does the child live with? Tell us their names and how they are related to the "
            "child (for example: mother, Kelly Smith), or say that you do not know."
        )
    elif q.id == "consent":
        text = f"{q.prompt} ({_options(step)}) If not, please tell us why."
    elif q.id == "referrer_type":
        text = q.short_prompt
    elif q.kind is Kind.YES_NO:
        text = f"{q.prompt} (yes or no)"
    elif q.kind is Kind.CHOICE:
        text = f"{q.prompt} ({_options(step)})"
    elif q.kind is Kind.MULTI_CHOICE:
        text = f"{q.prompt} (any of: {_options(step)})"
    else:
        text = q.prompt
    # Choices list their options instead, and the combined questions above say what their
    # hints would.
    combined = q.id == "age_known" or q is HOUSEHOLD_START
    if q.hint and q.kind not in (Kind.CHOICE, Kind.MULTI_CHOICE) and not combined:
        text = f"{text} {q.hint}"
    if q.group is Group.HOUSEHOLD or (q.group is Group.CHILD and several_children):
        who = "Child" if q.group is Group.CHILD else "Household member"
        text = f"{who} {step.number}: {text}"
    return text


def _options(step: Step) -> str:
    return "; ".join(choice.label for choice in step.question.choices)


def numbered_answers(text: str, asked: list[Asked]) -> dict[str, str]:
    """Answers keyed by flow key, from "3. yes" lines or text under a quoted "> 3. ..." line.

    A line starting with a number we asked starts that answer; the lines below it continue it.
    When the person wrote between our quoted questions, the quoted line names the question and
    their unquoted lines under it are the answer.
    """
    collected: dict[int, list[str]] = {}
    current: int | None = None
    for line in text.split("\n"):
        quoted = line.lstrip().startswith(">")
        body = re.sub(r"^\s*(>\s?)+", "", line).strip()
        match = _NUMBERED.match(body)
        if match and not 1 <= int(match.group(1)) <= len(asked):
            current = None  # a number we did not ask: not part of the answer above it
            continue
        if match:
            current = int(match.group(1))
            collected[current] = (
                [] if quoted else [_without_prompt(match.group(2), asked[current - 1])]
            )
            continue
        if quoted:
            if current is not None and collected.get(current):
                current = None  # the quoted text after an answer is the rest of our message
            continue
        if current is not None:
            collected[current].append(body)
    answers: dict[str, str] = {}
    for number, lines in collected.items():
        answer = "\n".join(lines).strip()
        if answer:
            answers[asked[number - 1].key] = answer
    return answers


def _without_prompt(answer: str, asked: Asked) -> str:
    """People paste the question before their answer: "2. What is your role? DSL"."""
    for prompt in (asked.prompt, asked.prompt.split("?")[0] + "?"):
        if answer.lower().startswith(prompt.lower()):
            return answer[len(prompt) :].strip(" :-")
    return answer


@dataclass
class Applied:
    """What applying answers did: the values recorded (with what was written) and the problems."""

    values: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def merge(self, other: Applied) -> Applied:
        self.values.update(other.values)
        self.raw.update(other.raw)
        self.sources.update(other.sources)
        for key, message in other.errors.items():
            self.errors.setdefault(key, message)
        return self


def apply_answer(state: FlowState, key: str, raw: str) -> Applied:
    """Apply one typed answer to a question we asked, in the combined forms we ask some in."""
    try:
        question, _index = question_for_key(key)
    except KeyError:
        return Applied()
    if question.id == "age_known":
        return _apply_age(state, key, raw)
    if question.id == "consent":
        return apply_values(state, consent_answers(raw), source="referrer", reported_as=key)
    if question is HOUSEHOLD_START:
        try:
            known = parse_yes_no(raw)
        except ParseError:
            household = household_answers(raw)
            return apply_values(state, household or {key: raw}, source="referrer", reported_as=key)
        return apply_values(state, {key: known}, source="referrer")
    if _one_line(question):
        # A short answer is one line; lines under it are a name or signature, not the answer.
        raw = next((line.strip() for line in raw.splitlines() if line.strip()), raw)
    return apply_values(state, {key: raw}, source="referrer")


def _one_line(question: Question) -> bool:
    if question.kind in (Kind.LONG_TEXT, Kind.MULTI_CHOICE):
        return False
    # Addresses, disabilities and other agencies can run over a few lines.
    return not (question.kind is Kind.TEXT and question.max_length > 200)


def _apply_age(state: FlowState, key: str, raw: str) -> Applied:
    prefix = key.rsplit(".", 1)[0]
    candidates: list[tuple[str, str, str]] = []
    if _DONT_KNOW.match(raw):
        candidates.append(("unknown", "", ""))
    elif _DUE.search(raw):
        candidates.append(("unborn", "expected_date", date_text(raw)))
    else:
        candidates.append(("date_of_birth", "date_of_birth", date_text(raw)))
        candidates.append(("age", "age", raw))
    error: str | None = None
    for age_known, field_name, value in candidates:
        try:
            if field_name == "date_of_birth":
                parse_date_of_birth(value)
            elif field_name == "expected_date":
                parse_expected_date(value)
            elif field_name == "age":
                parse_age(value)
        except ParseError as exc:
            error = error or str(exc)
            continue
        values: dict[str, Any] = {key: age_known}
        if field_name:
            values[f"{prefix}.{field_name}"] = value
        return apply_values(state, values, source="referrer")
    return Applied(errors={key: error or "Tell us the child's date of birth or age"})


def apply_values(
    state: FlowState,
    values: dict[str, Any],
    *,
    source: str,
    overwrite: bool = True,
    reported_as: str | None = None,
) -> Applied:
    """Parse and record raw values in the flow's order.

    A value for a question that does not apply yet (a role before "Who are you?" is answered)
    is still checked by its question and kept, so it counts once the question applies. Problems
    are reported against `reported_as` when the values came from one combined answer.
    """
    applied = Applied()
    for key in sorted(values, key=flow_position):
        if not overwrite and key in state.answers:
            continue
        try:
            question, _index = question_for_key(key)
            value = question.parse(values[key], state.answers)
        except KeyError:
            continue
        except ParseError as exc:
            applied.errors.setdefault(reported_as or key, str(exc))
            continue
        if value is None:
            continue
        if source == "referrer":
            record(state, key, value, source)
        else:
            # Pre-filled, not asked: like `flow.prefill`, kept out of the BACK history.
            state.answers[key] = value
            state.sources[key] = source
        applied.values[key] = value
        applied.raw[key] = values[key]
        applied.sources[key] = source
    return applied


_TOP_ORDER = [q.id for q in BEFORE_CHILDREN]
_CHILD_ORDER = [q.id for q in CHILD_QUESTIONS]
_HOUSEHOLD_ORDER = [q.id for q in HOUSEHOLD_QUESTIONS]
_AFTER_ORDER = [q.id for q in AFTER_HOUSEHOLD]


def flow_position(key: str) -> tuple[int, int, int]:
    """Where a key comes in the flow, so answers that decide what applies are recorded first."""
    if key in _TOP_ORDER:
        return (0, 0, _TOP_ORDER.index(key))
    if key == HOUSEHOLD_START.id:
        return (2, 0, 0)
    if key in _AFTER_ORDER:
        return (4, 0, _AFTER_ORDER.index(key))
    group, _, rest = key.partition(".")
    index, _, question = rest.partition(".")
    if group == "child" and question in _CHILD_ORDER and index.isdigit():
        return (1, int(index), _CHILD_ORDER.index(question))
    if group == "household" and question in _HOUSEHOLD_ORDER and index.isdigit():
        return (3, int(index), _HOUSEHOLD_ORDER.index(question))
    return (5, 0, 0)
