"""The referrer's free text cut into plain and highlighted pieces for the NLP's mentions.

The template escapes every piece; nothing here builds HTML. A mention whose offsets do not fit
the text (the text was changed after extraction) is listed but not highlighted, rather than
highlighting the wrong words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from intake.review.vocabulary import (
    CATEGORY_LABELS,
    QUALIFIER_LABELS,
    RISK_INDICATOR_LABELS,
    label,
)

QUALIFIERS = ("negated", "possible", "historical", "other_experiencer")


@dataclass(frozen=True)
class Mention:
    code: str
    start: int
    end: int
    text: str
    qualifiers: tuple[str, ...]

    @property
    def label(self) -> str:
        if self.code in RISK_INDICATOR_LABELS:
            return RISK_INDICATOR_LABELS[self.code]
        return label(CATEGORY_LABELS, self.code)

    @property
    def qualifier_labels(self) -> tuple[str, ...]:
        return tuple(QUALIFIER_LABELS[q] for q in self.qualifiers)

    @property
    def description(self) -> str:
        """ "Physical abuse, possible, in the past": what is read out and shown after the words."""
        return ", ".join((self.label, *self.qualifier_labels))


@dataclass(frozen=True)
class Piece:
    text: str
    mentions: tuple[Mention, ...] = ()


def read_mentions(extraction: Mapping[str, Any] | None) -> list[Mention]:
    raw = (extraction or {}).get("mentions") or []
    found: list[Mention] = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, Mapping):
            continue
        try:
            start, end = int(item["start"]), int(item["end"])
        except (KeyError, TypeError, ValueError):
            continue
        found.append(
            Mention(
                code=str(item.get("code", "")),
                start=start,
                end=end,
                text=str(item.get("text", "")),
                qualifiers=tuple(q for q in QUALIFIERS if item.get(q)),
            )
        )
    return sorted(found, key=lambda m: (m.start, -m.end))


def highlight(text: str, mentions: Sequence[Mention]) -> list[Piece]:
    """Split `text` at the mentions; mentions over the same words share one highlight."""
    fitting = [
        m for m in mentions if 0 <= m.start < m.end <= len(text) and text[m.start : m.end] == m.text
    ]
    pieces: list[Piece] = []
    cursor = 0
    i = 0
    while i < len(fitting):
        first = fitting[i]
        group = [first]
        end = first.end
        j = i + 1
        while j < len(fitting) and fitting[j].start < end:
            group.append(fitting[j])
            end = max(end, fitting[j].end)
            j += 1
        if first.start > cursor:
            pieces.append(Piece(text[cursor : first.start]))
        pieces.append(Piece(text[first.start : end], tuple(group)))
        cursor = end
        i = j
    if cursor < len(text):
        pieces.append(Piece(text[cursor:]))
    return pieces
