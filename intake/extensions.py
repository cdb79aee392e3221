"""Per-app resources (database, queue connection, settings) and the per-request session."""

from __future__ import annotations

from typing import cast

from flask import Flask, Response, current_app, g
from redis import Redis
from sqlalchemy.orm import Session

from intake.config import Settings
from intake.db import Database
from workers import queues, relay

_DB = "frontdoor.db"
_SETTINGS = "frontdoor.settings"
_REDIS = "frontdoor.redis"


def init_app(app: Flask, settings: Settings, db: Database) -> None:
    app.extensions[_SETTINGS] = settings
    app.extensions[_DB] = db
    app.after_request(_enqueue_committed)
    app.teardown_appcontext(_close_session)


def settings() -> Settings:
    return settings_of(current_app)


def settings_of(app: Flask) -> Settings:
    return cast(Settings, app.extensions[_SETTINGS])


def database() -> Database:
    return cast(Database, current_app.extensions[_DB])


def session() -> Session:
    """The request's session; requests commit explicitly at the end of a successful change."""
    if "db_session" not in g:
        g.db_session = database().session()
    return cast(Session, g.db_session)


def _enqueue_committed(response: Response) -> Response:
    # Every request that committed work (a submission, an acknowledgement, an outcome message)
    # has it queued now, before the response leaves; the relay loop catches anything missed.
    sess = g.get("db_session")
    if sess is not None and relay.has_committed(sess):
        relay.enqueue_committed(sess, redis())
    return response


def _close_session(_exc: BaseException | None) -> None:
    sess = g.pop("db_session", None)
    if sess is not None:
        sess.close()


def redis() -> Redis:
    """The queue connection, made on first use so the app starts even when Redis is down."""
    app = current_app
    if _REDIS not in app.extensions:
        app.extensions[_REDIS] = queues.connect(settings())
    return cast(Redis, app.extensions[_REDIS])
