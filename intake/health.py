"""`GET /healthz`: is the database answering, is the queue answering, how much work is waiting."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from redis.exceptions import RedisError
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from intake import extensions
from intake.models import OutboxJob
from workers import queues

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    body: dict[str, Any] = {"database": {"ok": False}, "queue": {"ok": False}}
    try:
        session = extensions.session()
        session.execute(text("SELECT 1"))
        pending = session.scalar(
            select(func.count(OutboxJob.id)).where(
                OutboxJob.enqueued_at.is_(None), OutboxJob.completed_at.is_(None)
            )
        )
        body["database"] = {
            "ok": True,
            "dialect": session.get_bind().dialect.name,
            "outbox_pending": pending,
        }
    except SQLAlchemyError as exc:
        body["database"]["error"] = type(exc).__name__
    try:
        connection = extensions.redis()
        connection.ping()
        body["queue"] = {
            "ok": True,
            "queued": {name: queues.queue(name, connection).count for name in queues.ALL_QUEUES},
        }
    except (RedisError, OSError) as exc:
        body["queue"]["error"] = type(exc).__name__
    # A dead queue is degraded, not down: submissions are still safe in the outbox.
    body["status"] = (
        "ok"
        if body["database"]["ok"] and body["queue"]["ok"]
        else ("degraded" if body["database"]["ok"] else "down")
    )
    return jsonify(body), 200 if body["database"]["ok"] else 503
