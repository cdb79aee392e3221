"""Settings, read from the environment when the app or a worker starts (never at import time)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _int(env: Mapping[str, str], name: str, default: str) -> int:
    raw = env.get(name, default)
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None


def _default_instance_dir() -> Path:
    return Path(os.environ.get("FRONTDOOR_INSTANCE_DIR", PROJECT_ROOT / "instance"))


PUBLIC_RATE_LIMIT = "300 per minute;6000 per hour"


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with the embedded defaults a fresh machine runs on."""

    database_url: str = ""
    redis_url: str = ""
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    instance_dir: Path = field(default_factory=_default_instance_dir)
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from_number: str = ""
    twilio_api_base: str = ""
    smtp_host: str = ""
    smtp_port: int = 25
    mail_from: str = "mash-frontdoor@localhost"
    smtpd_host: str = "127.0.0.1"
    smtpd_port: int = 2525
    smtpd_max_message_bytes: int = 10 * 1024 * 1024
    smtpd_tls_cert: str = ""
    smtpd_tls_key: str = ""
    intake_addresses: tuple[str, ...] = ("mash@localhost",)
    duty_phone_number: str = ""
    # Press 0 on the phone line: put through to a contact officer during opening hours.
    officer_phone_number: str = ""
    opening_hours: str = "Mon-Fri 09:00-17:00 Europe/London"
    encryption_keys: tuple[str, ...] = ()
    rating_rules_path: str = ""
    # A YAML file of this hub's timescales over taxonomy.yaml's defaults (workers.rating).
    timescales_path: str = ""
    repeat_threshold: int = 3
    match_threshold: float = 0.95
    possible_threshold: float = 0.85
    conversation_idle_minutes: int = 60
    resume_token_max_age_days: int = 28
    retention_days: int = 183
    draft_retention_days: int = 30
    rate_limits_enabled: bool = True
    # Per address. Schools, GP practices, hospitals and councils send everyone through one
    # address, and one referral is about a hundred requests (a page and an answer per question):
    # 6,000 an hour lets sixty referrals an hour through from one building; a flood still stops.
    rate_limit_public: str = PUBLIC_RATE_LIMIT
    rate_limit_partner: str = "600 per minute"
    testing: bool = False

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite:///{self.instance_dir / 'frontdoor.sqlite3'}"

    def with_overrides(self, **overrides: Any) -> Settings:
        return replace(self, **overrides)


def normalise_database_url(url: str) -> str:
    """Accept the usual `postgres://` and `postgresql://` forms and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _csv(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def load_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """Build settings from the environment, then apply explicit overrides (tests, the CLI)."""
    env = os.environ
    instance_dir = _default_instance_dir()
    secret_key = env.get("SECRET_KEY", "")
    if not secret_key:
        secret_key = _instance_secret(instance_dir)
    values: dict[str, Any] = {
        "database_url": env.get("DATABASE_URL", ""),
        "redis_url": env.get("REDIS_URL", ""),
        "secret_key": secret_key,
        "base_url": env.get("FRONTDOOR_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        "instance_dir": instance_dir,
        "twilio_account_sid": env.get("TWILIO_ACCOUNT_SID", ""),
        "twilio_auth_token": env.get("TWILIO_AUTH_TOKEN", ""),
        "twilio_from_number": env.get("TWILIO_FROM_NUMBER", ""),
        "twilio_api_base": env.get("TWILIO_API_BASE", ""),
        "smtp_host": env.get("SMTP_HOST", ""),
        "smtp_port": _int(env, "SMTP_PORT", "25"),
        "mail_from": env.get("FRONTDOOR_MAIL_FROM", "mash-frontdoor@localhost"),
        "smtpd_host": env.get("SMTPD_HOST", "127.0.0.1"),
        "smtpd_port": _int(env, "SMTPD_PORT", "2525"),
        "smtpd_max_message_bytes": _int(env, "SMTPD_MAX_MESSAGE_BYTES", str(10 * 1024 * 1024)),
        "smtpd_tls_cert": env.get("SMTPD_TLS_CERT", ""),
        "smtpd_tls_key": env.get("SMTPD_TLS_KEY", ""),
        "intake_addresses": _csv(env.get("FRONTDOOR_INTAKE_ADDRESSES", "mash@localhost")),
        "duty_phone_number": env.get("FRONTDOOR_DUTY_PHONE", ""),
        "officer_phone_number": env.get("FRONTDOOR_OFFICER_PHONE", ""),
        "opening_hours": env.get("FRONTDOOR_OPENING_HOURS", "Mon-Fri 09:00-17:00 Europe/London"),
        "encryption_keys": _csv(env.get("FRONTDOOR_ENCRYPTION_KEYS", "")),
        "rating_rules_path": env.get("FRONTDOOR_RATING_RULES", ""),
        "timescales_path": env.get("FRONTDOOR_TIMESCALES", ""),
        "repeat_threshold": _int(env, "FRONTDOOR_REPEAT_THRESHOLD", "3"),
        "conversation_idle_minutes": _int(env, "FRONTDOOR_CONVERSATION_IDLE_MINUTES", "60"),
        "retention_days": _int(env, "FRONTDOOR_RETENTION_DAYS", "183"),
        "draft_retention_days": _int(env, "FRONTDOOR_DRAFT_RETENTION_DAYS", "30"),
        "rate_limits_enabled": env.get("FRONTDOOR_RATE_LIMITS", "on") != "off",
        "rate_limit_public": env.get("FRONTDOOR_RATE_LIMIT_PUBLIC", PUBLIC_RATE_LIMIT),
        "rate_limit_partner": env.get("FRONTDOOR_RATE_LIMIT_PARTNER", "600 per minute"),
    }
    if overrides:
        known = {f.name for f in fields(Settings)}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f"unknown settings: {sorted(unknown)}")
        values.update(overrides)
    return Settings(**values)


def _instance_secret(instance_dir: Path) -> str:
    """The embedded default keeps a generated secret under instance/ so restarts keep sessions.

    Production sets SECRET_KEY; this file is only for a single-machine trial.
    """
    path = instance_dir / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        instance_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key
