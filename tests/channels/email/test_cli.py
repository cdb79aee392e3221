"""`frontdoor smtpd`, run as the command it is, on the embedded default."""

from __future__ import annotations

import os
import signal
import smtplib
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.channels.email.mail import COMPLETE_SCHOOL_REFERRAL, plain_email
from tests.redis_server import free_port

pytestmark = pytest.mark.slow


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "frontdoor smtpd exited early"
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("frontdoor smtpd did not start listening")


def test_frontdoor_smtpd_takes_mail_for_the_intake_addresses_and_stops_cleanly(tmp_path: Path):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "FRONTDOOR_INSTANCE_DIR": str(tmp_path),
        "SECRET_KEY": "cli-test-secret",
        "SMTPD_HOST": "127.0.0.1",
        "SMTPD_PORT": str(port),
        "FRONTDOOR_INTAKE_ADDRESSES": "mash@frontdoor.test, duty@frontdoor.test",
    }
    frontdoor = [sys.executable, "-m", "intake.cli"]
    subprocess.run([*frontdoor, "db", "upgrade"], env=env, check=True, capture_output=True)
    server = subprocess.Popen([*frontdoor, "smtpd"], env=env, stderr=subprocess.PIPE)
    try:
        _wait_for_port(port, server)
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.ehlo()
            client.mail("sam.patel@riverside.sch.uk")
            assert client.rcpt("nobody@frontdoor.test")[0] == 550
            client.rset()
            refused = client.send_message(
                plain_email(COMPLETE_SCHOOL_REFERRAL), to_addrs=["duty@frontdoor.test"]
            )
            assert refused == {}
    finally:
        server.send_signal(signal.SIGTERM)
        _out, errors = server.communicate(timeout=30)
    assert server.returncode == 0, errors.decode()[-2000:]
    engine = create_engine(f"sqlite:///{tmp_path / 'frontdoor.sqlite3'}")
    with engine.connect() as connection:
        statuses = connection.execute(text("SELECT status, channel FROM contacts")).all()
    engine.dispose()
    assert statuses == [("submitted", "email")]
