import pytest

from intake import partner_keys
from tests.builders import referral_payload


@pytest.fixture
def settings_overrides(settings_overrides):
    return {
        **settings_overrides,
        "rate_limit_partner": "3 per minute",
        "rate_limit_public": "3 per minute",
    }


def test_a_partner_flooding_the_api_is_slowed_with_a_kind_429(client, db):
    with db.transaction() as s:
        _row, key = partner_keys.create(s, "noisy")
    headers = {"Authorization": f"Bearer {key}"}
    statuses = [
        client.post("/api/v1/referrals", json=referral_payload(), headers=headers).status_code
        for _ in range(4)
    ]
    assert statuses == [201, 201, 201, 429]
    last = client.post("/api/v1/referrals", json=referral_payload(), headers=headers)
    assert 0 < int(last.headers["Retry-After"]) <= 60
    assert "try again" in last.json["message"]


def test_limits_are_per_partner_key(client, db):
    with db.transaction() as s:
        _a, key_a = partner_keys.create(s, "a")
        _b, key_b = partner_keys.create(s, "b")
    for _ in range(3):
        client.post(
            "/api/v1/referrals",
            json=referral_payload(),
            headers={"Authorization": f"Bearer {key_a}"},
        )
    response = client.post(
        "/api/v1/referrals", json=referral_payload(), headers={"Authorization": f"Bearer {key_b}"}
    )
    assert response.status_code == 201


def test_with_redis_down_the_limiter_lets_referrals_through_and_the_outbox_keeps_them(app_factory):
    app = app_factory(redis_url="redis://127.0.0.1:1/0")
    with app.extensions["frontdoor.db"].transaction() as s:
        _row, key = partner_keys.create(s, "p")
    response = app.test_client().post(
        "/api/v1/referrals", json=referral_payload(), headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 201


@pytest.fixture
def app_factory(settings_overrides):
    from intake.app import create_app

    apps = []

    def make(**extra):
        apps.append(create_app({**settings_overrides, **extra}))
        return apps[-1]

    yield make
    for a in apps:
        a.extensions["frontdoor.db"].dispose()


def test_the_embedded_redis_socket_is_a_storage_the_limiter_understands(app_factory):
    app = app_factory(redis_url="unix:///tmp/frontdoor-test-no-such.socket")
    assert app.extensions["limiter"]
