"""The steps of `process_contact`, in order. Each reads and writes the contact it is given."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from intake.models import Contact


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[Session, Contact], None]


STEPS: tuple[Step, ...] = ()
