"""One page of a long list, with what the GOV.UK pagination component needs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from werkzeug.datastructures import MultiDict

T = TypeVar("T")

PER_PAGE = 50


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def past_the_end(self) -> bool:
        """A page after the last (an old link, a list that has shrunk): nothing on it."""
        return self.number > self.pages

    @property
    def first_shown(self) -> int:
        if self.total == 0 or self.past_the_end:
            return 0
        return (self.number - 1) * self.per_page + 1

    @property
    def last_shown(self) -> int:
        return min(self.total, self.number * self.per_page)


def page_number(args: MultiDict[str, str]) -> int:
    """The `page` query argument, or 1 for anything that is not a positive whole number."""
    number = whole_number(args.get("page", "1"), below=100_000)
    return number if number else 1


def whole_number(raw: str, *, below: int) -> int | None:
    """A number typed or sent in a form, or None. ASCII digits only: isdigit() is true of "²",
    which int() refuses, and of "١", which it reads as 1."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(below)):
        return None
    number = int(raw)
    return number if number < below else None


def offset(number: int, per_page: int = PER_PAGE) -> int:
    return (number - 1) * per_page
