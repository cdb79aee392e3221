"""Fixtures for the officer desk: staff personas and clients signed in as each of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from intake import passwords
from intake.models import User
from tests.review.support import PERSONAS, make_user, sign_in


@pytest.fixture
def settings_overrides(settings_overrides: dict[str, Any]) -> dict[str, Any]:
    # Every officer form carries a CSRF token; tests that are not about CSRF post without one.
    settings_overrides["WTF_CSRF_ENABLED"] = False
    return settings_overrides


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # argon2's production cost is deliberate (about 0.1 s a hash); these tests sign in hundreds
    # of times and are not about the hash's strength, which intake.passwords' own tests cover.
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def staff(session: Session) -> dict[str, User]:
    return {name: make_user(session, persona) for name, persona in PERSONAS.items()}


@pytest.fixture
def client_for(app: Flask, staff: dict[str, User]) -> Callable[[str], FlaskClient]:
    """A test client signed in as the named persona (one client per persona)."""
    clients: dict[str, FlaskClient] = {}

    def get(name: str) -> FlaskClient:
        if name not in clients:
            clients[name] = app.test_client()
            sign_in(clients[name], staff[name])
        return clients[name]

    return get


@pytest.fixture
def officer(client_for: Callable[[str], FlaskClient]) -> FlaskClient:
    return client_for("officer")


@pytest.fixture
def manager(client_for: Callable[[str], FlaskClient]) -> FlaskClient:
    return client_for("manager")


@pytest.fixture
def admin(client_for: Callable[[str], FlaskClient]) -> FlaskClient:
    return client_for("admin")
