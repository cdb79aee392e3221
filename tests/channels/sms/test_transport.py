"""`send_sms` against a local stand-in for Twilio's REST API."""

import pytest

from channels.outbound import PermanentFailure, TemporaryFailure
from channels.sms import transport
from intake.config import load_settings
from tests.fake_twilio import FakeTwilio
from tests.feedback_support import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, twilio_settings
from tests.redis_server import free_port


@pytest.fixture
def twilio():
    fake = FakeTwilio().start()
    yield fake
    fake.stop()


def settings_for(api_base, **overrides):
    return load_settings(
        {
            "secret_key": "x",
            "base_url": "https://frontdoor.example.gov.uk",
            **twilio_settings(api_base),
            **overrides,
        }
    )


def test_a_text_is_posted_to_the_configured_api_with_our_credentials_and_status_callback(twilio):
    sid = transport.send_sms(
        settings_for(twilio.url), "+447700900123", "Your reference is ABCD-EFGH"
    )
    [sent] = twilio.requests
    assert sid.startswith("SM") and len(sid) == 34
    assert (sent.account_sid, sent.username, sent.password) == (
        ACCOUNT_SID,
        ACCOUNT_SID,
        AUTH_TOKEN,
    )
    assert sent.form == {
        "To": "+447700900123",
        "From": FROM_NUMBER,
        "Body": "Your reference is ABCD-EFGH",
        "StatusCallback": "https://frontdoor.example.gov.uk/channels/sms/status",
    }


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_a_busy_or_broken_twilio_is_a_temporary_failure(twilio, status):
    twilio.fail_times, twilio.fail_status = 1, status
    with pytest.raises(TemporaryFailure, match=f"HTTP {status}"):
        transport.send_sms(settings_for(twilio.url), "+447700900123", "hello")
    assert twilio.requests == []


@pytest.mark.parametrize("code", [21211, 21614, 21610])
def test_a_number_that_cannot_take_texts_is_a_permanent_failure_without_the_number(twilio, code):
    twilio.error_code = code
    with pytest.raises(PermanentFailure) as failure:
        transport.send_sms(settings_for(twilio.url), "+447700900123", "hello")
    assert (
        str(failure.value)
        == f"twilio error {code} (HTTP 400): the number cannot take text messages"
    )


def test_a_refusal_of_our_credentials_is_permanent_until_someone_fixes_them(twilio):
    twilio.error_code, twilio.error_status = 20003, 401
    with pytest.raises(
        PermanentFailure, match="twilio error 20003 \\(HTTP 401\\): Twilio refused the request"
    ):
        transport.send_sms(settings_for(twilio.url), "+447700900123", "hello")


def test_twilio_out_of_reach_is_a_temporary_failure():
    nothing_listening = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(TemporaryFailure, match="twilio unreachable: ConnectionError"):
        transport.send_sms(settings_for(nothing_listening), "+447700900123", "hello")


def test_a_twilio_that_does_not_answer_in_time_is_a_temporary_failure(twilio, monkeypatch):
    monkeypatch.setattr(transport, "REQUEST_TIMEOUT_SECONDS", 0.2)
    twilio.delay = 1.0
    with pytest.raises(TemporaryFailure, match="twilio unreachable: ReadTimeout"):
        transport.send_sms(settings_for(twilio.url), "+447700900123", "hello")


def test_without_twilio_settings_nothing_is_sent(twilio):
    settings = settings_for(twilio.url, twilio_auth_token="")
    assert not transport.is_configured(settings)
    with pytest.raises(PermanentFailure, match="not configured"):
        transport.send_sms(settings, "+447700900123", "hello")
    assert twilio.requests == []
