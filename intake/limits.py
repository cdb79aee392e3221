"""Rate limits on the public endpoints, kept in Redis so every gunicorn worker shares them.

Limits protect the service from floods, not people from the service: they are generous, the
message is kind, and a limit that cannot be checked (Redis down) lets the request through —
a referral must never be refused because the limiter's storage is unavailable.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Flask, Response, jsonify, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from intake.config import Settings


def _key() -> str:
    # Partner systems are limited per key, people per address.
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        token = auth.removeprefix("Bearer ")
        return "key:" + hashlib.sha256(token.encode()).hexdigest()[:16]
    return "ip:" + (get_remote_address() or "unknown")


def _too_many_requests(_exc: Exception) -> Response:
    retry = "Please wait a minute and try again."
    if request.path.startswith(("/api/", "/channels/")):
        response = jsonify({"message": f"Too many requests. {retry}"})
    else:
        response = Response(render_template("errors/too_many_requests.html"), mimetype="text/html")
    response.status_code = 429
    response.headers["Retry-After"] = "60"
    return response


def _storage_uri(redis_url: str) -> str:
    # The `limits` library names a unix-socket Redis (the embedded default's) `redis+unix://`.
    if not redis_url:
        return "memory://"
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url.removeprefix("unix://")
    return redis_url


def init_app(
    app: Flask, settings: Settings, public: list[Blueprint], partner: list[Blueprint]
) -> Limiter:
    limiter = Limiter(
        _key,
        app=app,
        storage_uri=_storage_uri(settings.redis_url),
        strategy="moving-window",
        swallow_errors=True,
        in_memory_fallback_enabled=True,
        headers_enabled=True,
        enabled=settings.rate_limits_enabled,
        key_prefix="frontdoor-limits",
    )
    app.register_error_handler(429, _too_many_requests)
    for bp in public:
        limiter.limit(settings.rate_limit_public)(bp)
    for bp in partner:
        limiter.limit(settings.rate_limit_partner)(bp)
    return limiter
