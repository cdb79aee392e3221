"""Other people recorded at the same dwelling as a matched record: the child's household."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.models.records import PersonRecord

# A hostel or a block recorded without flat numbers can hold hundreds of records; an officer
# needs the family, not the building.
MAX_HOUSEHOLD = 100


def household_of(
    session: Session, record_ids: Iterable[int], limit: int = MAX_HOUSEHOLD
) -> list[PersonRecord]:
    """Records sharing a dwelling (household_key: postcode and house numbers) with any of the
    given records, not including those records themselves.

    Restricted records are included, marked `restricted`: callers show only that one exists.
    """
    ids = sorted(set(record_ids))
    if not ids:
        return []
    keys = select(PersonRecord.household_key).where(
        PersonRecord.id.in_(ids), PersonRecord.household_key.is_not(None)
    )
    found = session.scalars(
        select(PersonRecord)
        .where(PersonRecord.household_key.in_(keys), PersonRecord.id.not_in(ids))
        .order_by(
            PersonRecord.household_key,
            PersonRecord.date_of_birth.asc().nulls_last(),
            PersonRecord.family_name,
            PersonRecord.given_name,
            PersonRecord.id,
        )
        .limit(limit)
    )
    return list(found)
