"""The worker's `contact.history` (earlier contacts, family, repeats) as the contact page shows it.

The worker writes plain JSON: single figures (`contacts_12m`, `repeat_pattern`) and lists of
objects (`earlier_contacts`, `family`...). Known keys are given words and formats; a key added
later still shows, as a table or a figure, rather than being dropped.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import url_for

from intake.models import User
from intake.review.template_helpers import hub_date
from intake.review.vocabulary import CATEGORY_LABELS, OUTCOME_LABELS, label, rating_label

HEADINGS = {
    "contacts_12m": "Contacts in the last 12 months (this one included)",
    "repeat_threshold": "A repeat pattern is",
    "repeat_pattern": "Repeat pattern",
    "earlier_contacts": "Earlier contacts about these children",
    "family_earlier_contacts": "Earlier contacts about their family",
    "family": "Family members on record",
    "categories_over_time": "Concerns over the last 12 months",
    "submitted_at": "Received",
    "given_name": "First name",
    "family_name": "Last name",
}
# Internal ids mean nothing to an officer.
HIDDEN_COLUMNS = frozenset({"restricted", "person_record_id", "id"})


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None


@dataclass(frozen=True)
class HistorySection:
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    note: str | None = None


def heading(key: str) -> str:
    return HEADINGS.get(key, key.replace("_", " ").capitalize())


def facts(history: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """The single figures, such as how many contacts there have been in 12 months."""
    found = []
    for key, value in (history or {}).items():
        if key == "repeat_threshold" and isinstance(value, int):
            found.append((heading(key), f"{value} or more contacts in 12 months"))
        elif isinstance(value, str | int | float | bool):
            found.append((heading(key), _text(key, value)))
    return found


def references(history: Mapping[str, Any] | None) -> set[str]:
    """Every contact reference the history names, to look up which are restricted now."""
    return {
        str(item["reference"])
        for value in (history or {}).values()
        if isinstance(value, list)
        for item in value
        if isinstance(item, Mapping) and item.get("reference")
    }


def sections(
    history: Mapping[str, Any] | None, user: User, restricted_now: Collection[str] = ()
) -> list[HistorySection]:
    """Each list of objects as a table. A restricted entry is shown only to staff who may see
    restricted records, and only if the worker kept more about it than that it exists.

    The history is written when the contact is processed; `restricted_now` names the contacts
    restricted since, which are hidden as if the worker had known."""
    tables: list[HistorySection] = []
    for key, value in (history or {}).items():
        if not isinstance(value, list):
            continue
        visible: list[Mapping[str, Any]] = []
        hidden = 0
        for item in (v for v in value if isinstance(v, Mapping)):
            details = [k for k in item if k not in HIDDEN_COLUMNS]
            restricted = item.get("restricted") or item.get("reference") in restricted_now
            if restricted and (not user.can_see_restricted or not details):
                hidden += 1
            else:
                visible.append(item)
        columns: list[str] = []
        for item in visible:
            columns += [k for k in item if k not in columns and k not in HIDDEN_COLUMNS]
        tables.append(
            HistorySection(
                title=heading(key),
                columns=[heading(c) for c in columns],
                rows=[[_cell(c, item.get(c)) for c in columns] for item in visible],
                note=_hidden_note(hidden, user),
            )
        )
    return tables


def _hidden_note(hidden: int, user: User) -> str | None:
    if not hidden:
        return None
    what = "restricted record is" if hidden == 1 else "restricted records are"
    note = f"{hidden} {what} not shown here."
    if not user.can_see_restricted:
        note += " Ask a colleague with access to restricted records."
    return note


def _cell(key: str, value: Any) -> Cell:
    if key == "reference" and isinstance(value, str) and value:
        return Cell(value, url_for("officer_contact.show", reference=value))
    return Cell(_text(key, value))


def _text(key: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if key == "categories" and isinstance(value, list):
        return ", ".join(label(CATEGORY_LABELS, str(c)) for c in value) or "None found"
    if key == "rating":
        return rating_label(str(value))
    if key == "outcome":
        return label(OUTCOME_LABELS, str(value))
    if key in ("submitted_at", "date_of_birth", "decided_at") and isinstance(value, str):
        return _date(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(_text("", v).replace("_", " ") for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{heading(str(k))}: {_text(str(k), v)}" for k, v in value.items())
    return str(value)


def _date(value: str) -> str:
    """An ISO date or timestamp as a date in the hub's zone; anything else as it came."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return hub_date(moment if moment.tzinfo else moment.date())
