"""A hub's own timescales (FRONTDOOR_TIMESCALES) set the deadlines the worker and officers see."""

from __future__ import annotations

from datetime import timedelta

import pytest

from intake.config import load_settings
from intake.models import Contact, utcnow
from intake.review.timeliness import deadline_for
from tests.builders import create_contact
from workers.pipeline import process_contact
from workers.rating import DEFAULT_TIMESCALES, Timescale, hub_timescales

RED_IN_AN_HOUR = "timescales:\n  red: {minutes: 60, clock: calendar}\n"


@pytest.fixture
def hub_file(tmp_path):
    path = tmp_path / "hub-timescales.yaml"
    path.write_text(RED_IN_AN_HOUR)
    return path


@pytest.fixture
def settings_overrides(settings_overrides, hub_file):
    return {**settings_overrides, "timescales_path": str(hub_file)}


def test_without_a_hub_file_the_taxonomy_defaults_apply():
    assert hub_timescales("") == DEFAULT_TIMESCALES


def test_the_setting_comes_from_the_environment(monkeypatch, hub_file):
    monkeypatch.setenv("FRONTDOOR_TIMESCALES", str(hub_file))
    assert load_settings().timescales_path == str(hub_file)


def test_a_red_contact_is_due_on_the_hubs_timescale_not_the_default(db, hub_file):
    assert hub_timescales(str(hub_file)).red == Timescale(60, "calendar")
    with db.session() as s:
        contact = create_contact(
            s,
            concern={
                "description": "Mum's partner grabbed him by the throat last night.",
                "when": "last night",
                "how_known": "told_by_child",
            },
        )
    assert process_contact(contact.id) == "processed"
    with db.session() as s:
        rated = s.get(Contact, contact.id)
        assert rated.provisional_rating == "red"
        assert rated.deadline == rated.submitted_at + timedelta(minutes=60)


def test_the_officer_pages_count_down_to_the_same_deadline(app):
    assert DEFAULT_TIMESCALES.red.minutes != 60, "the default would give a different deadline"
    now = utcnow()
    with app.app_context():
        assert deadline_for("red", now) == now + timedelta(minutes=60)
