"""The partner API fuzzed from its own OpenAPI description: never a 5xx, responses as described."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from intake import partner_keys
from intake.app import create_app
from intake.migrate import upgrade


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    # The embedded default keeps this module's many requests away from the shared databases.
    app = create_app(
        {
            "secret_key": "fuzz",
            "instance_dir": tmp_path_factory.mktemp("fuzz"),
            "database_url": "",
            "redis_url": "redis://127.0.0.1:1/0",  # a dead queue: submissions must still succeed
            "rate_limits_enabled": False,
            "testing": True,
        }
    )
    database = app.extensions["frontdoor.db"]
    upgrade(database)
    with database.transaction() as session:
        _row, key = partner_keys.create(session, "fuzzer")
    app.config["FUZZ_KEY"] = key
    yield app
    database.dispose()


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("operation_id", ["createReferral", "getReferral"])
def test_the_api_never_fails_with_a_server_error_and_answers_as_described(fuzz_app, operation_id):
    operation = next(
        op for op in _operations(fuzz_app) if op.definition.raw.get("operationId") == operation_id
    )
    headers = {"Authorization": f"Bearer {fuzz_app.config['FUZZ_KEY']}"}
    seen: set[int] = set()

    @given(case=operation.as_strategy())
    @settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case):
        response = case.call(headers=headers)
        seen.add(response.status_code)
        assert response.status_code < 500, response.text
        case.validate_response(response, checks=[schemathesis.checks.not_a_server_error])

    check()
    # Random data is nearly always refused; what matters is that it was refused cleanly.
    assert seen and all(400 <= code < 500 for code in seen - {200, 201}), seen
