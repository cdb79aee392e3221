"""Read the partner API's referral JSON into the same answers the other channels collect.

The JSON field names are fixed by design.md. Every value is checked by the same question that
checks a typed answer, so the API can never accept what the web form would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from forms.choices import ANONYMOUS_SOURCE_CODE, CONSENT_REASONS, REFERRER_TYPES
from forms.flow import FlowState, is_required, record, steps
from forms.parsing import ParseError
from forms.questions import MAX_CHILDREN, MAX_HOUSEHOLD, match_choice, question_for_key

TOP_FIELDS = {
    "immediate_danger",
    "referrer",
    "children",
    "household",
    "concern",
    "consent",
    "other_agencies",
}
REFERRER_FIELDS = {
    "source",
    "type",
    "name",
    "role",
    "organisation",
    "phone",
    "email",
    "anonymous",
    "feedback_by",
}
CHILD_FIELDS = {
    "given_name",
    "family_name",
    "date_of_birth",
    "age",
    "expected_date",
    "gender",
    "address",
    "postcode",
    "school",
    "language",
    "disability",
}
HOUSEHOLD_FIELDS = {"given_name", "family_name", "relationship"}
CONCERN_FIELDS = {"description", "when", "how_known", "fears", "child_said", "home_concerns"}
CONSENT_FIELDS = {"answer", "reason", "reason_code"}


@dataclass
class PayloadResult:
    state: FlowState
    errors: dict[str, str] = field(default_factory=dict)


class _Reader:
    def __init__(self) -> None:
        self.raw: dict[str, Any] = {}
        self.paths: dict[str, str] = {}
        self.errors: dict[str, str] = {}

    def put(self, key: str, value: Any, path: str) -> None:
        self.raw[key] = value
        self.paths[key] = path

    def obj(self, value: Any, path: str, allowed: set[str]) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.errors[path] = "must be an object"
            return {}
        for unknown in sorted(set(value) - allowed):
            self.errors[f"{path}.{unknown}" if path else unknown] = "is not a known field"
        return value

    def text(self, value: Any, path: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            self.errors[path] = "must be a string"
            return None
        return value

    def boolean(self, value: Any, path: str) -> bool | None:
        if value is None:
            return None
        if not isinstance(value, bool):
            self.errors[path] = "must be true or false"
            return None
        return value


def read_payload(payload: Any) -> PayloadResult:
    r = _Reader()
    body = r.obj(payload, "", TOP_FIELDS)
    if not isinstance(payload, dict):
        return PayloadResult(FlowState(), {"": "the body must be a JSON object"})

    r.put(
        "immediate_danger",
        r.boolean(body.get("immediate_danger"), "immediate_danger"),
        "immediate_danger",
    )
    _read_referrer(r, r.obj(body.get("referrer"), "referrer", REFERRER_FIELDS))
    _read_children(r, body.get("children"))
    _read_household(r, body.get("household"))
    concern = r.obj(body.get("concern"), "concern", CONCERN_FIELDS)
    for field_name, key in (
        ("description", "concern"),
        ("when", "concern_when"),
        ("how_known", "how_known"),
        ("fears", "fears"),
        ("child_said", "child_said"),
    ):
        r.put(
            key, r.text(concern.get(field_name), f"concern.{field_name}"), f"concern.{field_name}"
        )
    home = concern.get("home_concerns")
    if home is not None and not (isinstance(home, list) and all(isinstance(h, str) for h in home)):
        r.errors["concern.home_concerns"] = "must be a list of strings"
    else:
        r.put("home_concerns", home if home else ["unknown"], "concern.home_concerns")
    _read_consent(r, r.obj(body.get("consent"), "consent", CONSENT_FIELDS))
    r.put(
        "other_agencies",
        r.text(body.get("other_agencies"), "other_agencies") or "not known",
        "other_agencies",
    )

    state = FlowState()
    if r.errors:
        return PayloadResult(state, r.errors)
    _apply(state, r)
    return PayloadResult(state, r.errors)


def _read_referrer(r: _Reader, ref: dict[str, Any]) -> None:
    source = r.text(ref.get("source"), "referrer.source")
    kind = r.text(ref.get("type"), "referrer.type")
    anonymous = r.boolean(ref.get("anonymous"), "referrer.anonymous")
    if source == ANONYMOUS_SOURCE_CODE:
        anonymous = True
        kind = kind or "public"
    if kind is None and source is not None:
        kind = next((t.value for t in REFERRER_TYPES if t.source_code == source), None)
        if kind is None:
            r.errors["referrer.source"] = "is not a referrer source code of the taxonomy"
    r.put(
        "referrer_type", kind, "referrer.type" if ref.get("type") is not None else "referrer.source"
    )
    r.put("anonymous", anonymous, "referrer.anonymous")
    for name in ("name", "role", "organisation", "phone", "email"):
        r.put(f"referrer_{name}", r.text(ref.get(name), f"referrer.{name}"), f"referrer.{name}")
    feedback = r.text(ref.get("feedback_by"), "referrer.feedback_by")
    r.put("feedback_by", feedback, "referrer.feedback_by")


def _list(r: _Reader, value: Any, path: str, limit: int) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        r.errors[path] = "must be a list"
        return []
    if len(value) > limit:
        r.errors[path] = f"must have {limit} items or fewer"
        return []
    return value


IDENTIFYING_FIELDS = (
    "given_name", "family_name", "date_of_birth", "age", "expected_date", "address", "postcode",
    "school",
)  # fmt: skip


def _read_children(r: _Reader, value: Any) -> None:
    children = _list(r, value, "children", MAX_CHILDREN)
    if not children and "children" not in r.errors:
        r.errors["children"] = "must list at least one child"
    for i, raw_child in enumerate(children):
        path = f"children[{i}]"
        child = r.obj(raw_child, path, CHILD_FIELDS)
        given = r.text(child.get("given_name"), f"{path}.given_name")
        family = r.text(child.get("family_name"), f"{path}.family_name")
        r.put(f"child.{i}.name", {"given": given, "family": family}, f"{path}.given_name")
        given_ways = [
            k for k in ("date_of_birth", "age", "expected_date") if child.get(k) is not None
        ]
        if len(given_ways) > 1:
            r.errors[path] = "give only one of date_of_birth, age or expected_date"
        way = given_ways[0] if given_ways else None
        age_known = {
            "date_of_birth": "date_of_birth",
            "age": "age",
            "expected_date": "unborn",
            None: "unknown",
        }[way]
        r.put(f"child.{i}.age_known", age_known, path)
        if way == "age":
            age = child.get("age")
            if not isinstance(age, int) or isinstance(age, bool):
                r.errors[f"{path}.age"] = "must be a whole number"
            r.put(f"child.{i}.age", age, f"{path}.age")
        elif way is not None:
            r.put(f"child.{i}.{way}", r.text(child.get(way), f"{path}.{way}"), f"{path}.{way}")
        for name in ("gender", "address", "postcode", "school", "language", "disability"):
            r.put(f"child.{i}.{name}", r.text(child.get(name), f"{path}.{name}"), f"{path}.{name}")
        # A partner system knows something about the child it refers: with nothing at all, no
        # officer could find out who the child is.
        if isinstance(raw_child, dict) and not any(
            child.get(k) not in (None, "") for k in IDENTIFYING_FIELDS
        ):
            r.errors.setdefault(
                path,
                "give at least one of given_name, family_name, date_of_birth, age, "
                "expected_date, address, postcode or school",
            )
        r.put(f"child.{i}.more", i < len(children) - 1, path)


def _read_household(r: _Reader, value: Any) -> None:
    members = _list(r, value, "household", MAX_HOUSEHOLD)
    r.put("household_known", bool(members), "household")
    for i, raw_member in enumerate(members):
        path = f"household[{i}]"
        member = r.obj(raw_member, path, HOUSEHOLD_FIELDS)
        given = r.text(member.get("given_name"), f"{path}.given_name")
        family = r.text(member.get("family_name"), f"{path}.family_name")
        r.put(f"household.{i}.name", {"given": given, "family": family}, f"{path}.given_name")
        r.put(
            f"household.{i}.relationship",
            r.text(member.get("relationship"), f"{path}.relationship") or "other",
            f"{path}.relationship",
        )
        r.put(f"household.{i}.more", i < len(members) - 1, path)


def _read_consent(r: _Reader, consent: dict[str, Any]) -> None:
    r.put("consent", r.text(consent.get("answer"), "consent.answer"), "consent.answer")
    reason = r.text(consent.get("reason"), "consent.reason")
    code = r.text(consent.get("reason_code"), "consent.reason_code")
    if code is None and reason is not None:
        code = match_choice(CONSENT_REASONS, reason) or "other"
    r.put("consent_reason", code, "consent.reason")
    # Put even when there are no words, so "other" with none is an error under consent.reason.
    r.put("consent_reason_detail", reason if reason != code else None, "consent.reason")


def _apply(state: FlowState, r: _Reader) -> None:
    """Answer the questions in flow order, so each check sees the answers before it."""
    seen: set[str] = set()
    progressed = True
    # Answers open new questions (a second child, a consent reason), so walk until stable.
    while progressed:
        progressed = False
        for step in list(steps(state.answers)):
            if step.key in seen:
                continue
            seen.add(step.key)
            progressed = True
            path = r.paths.get(step.key, step.key)
            raw = r.raw.get(step.key)
            try:
                value = step.question.parse(raw, state.answers)
            except ParseError as exc:
                r.errors.setdefault(path, str(exc))
                continue
            if value is None and is_required(step, state.answers):
                r.errors.setdefault(path, "is required")
                continue
            record(state, step.key, value, "api")
    for key, path in r.paths.items():
        if key not in seen and r.raw.get(key) not in (None, "", False) and _is_question(key):
            # A value for a question that does not apply, e.g. a reason when consent was given.
            r.errors.setdefault(path, "does not apply given the other answers")
    if r.raw.get("anonymous") is True and "anonymous" not in seen:
        # Only a member of the public may stay anonymous; a professional's referral says who.
        r.errors.setdefault(
            r.paths["anonymous"],
            "is only for members of the public; a professional must give their name",
        )


def _is_question(key: str) -> bool:
    try:
        question_for_key(key)
    except KeyError:
        return False
    return key not in {"household_known", "anonymous"} and not key.endswith((".more", ".age_known"))
