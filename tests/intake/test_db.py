"""The database wrapper: what an error may say."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from intake.db import Database


def test_a_database_error_does_not_carry_the_values_it_was_given(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with database.engine.begin() as conn:
        conn.execute(text("CREATE TABLE people (name TEXT UNIQUE)"))
        conn.execute(text("INSERT INTO people VALUES (:name)"), {"name": "Jordan Smith"})
    with pytest.raises(IntegrityError) as refused, database.engine.begin() as conn:
        conn.execute(text("INSERT INTO people VALUES (:name)"), {"name": "Jordan Smith"})
    assert "Jordan Smith" not in str(refused.value)
    assert "INSERT INTO people" in str(refused.value), "the statement is still there to debug"
    database.dispose()
