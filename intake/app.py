"""The Flask application factory: `gunicorn 'intake.app:create_app()'`."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, Map

from intake import extensions, limits
from intake.config import PROJECT_ROOT, load_settings
from intake.db import open_database
from intake.review import error_pages

log = logging.getLogger(__name__)

csrf = CSRFProtect()

MAX_CONTENT_LENGTH = 12 * 1024 * 1024  # emails with attachments arrive over HTTP too

# A dropped database connection is over in a moment: the pool reconnects on the next checkout.
DATABASE_RETRY_AFTER_SECONDS = 1

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)


class DatabaseId(IntegerConverter):
    """`<int:…>` in a URL, but only ids a database column can hold: a 23-digit id is a 404,
    not an overflow in SQLite's driver (a 500)."""

    def __init__(self, url_map: Map, fixed_digits: int = 0, min: int | None = None) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=2**63 - 1)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    overrides = dict(overrides or {})
    flask_config = {k: overrides.pop(k) for k in list(overrides) if k.isupper()}
    settings = load_settings(overrides)
    app = Flask(
        __name__,
        # GOV.UK Frontend's stylesheet points at /assets/fonts and /assets/images.
        static_folder=str(PROJECT_ROOT / "intake" / "static" / "govuk"),
        static_url_path="/assets",
        template_folder=str(PROJECT_ROOT / "intake" / "templates"),
    )
    app.url_map.converters["int"] = DatabaseId
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
        WTF_CSRF_TIME_LIMIT=None,  # a referral can take a long time to write; the session bounds it
        TESTING=settings.testing,
    )
    app.config.update(flask_config)
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "intake" / "templates")),
            FileSystemLoader(str(PROJECT_ROOT / "channels" / "web" / "templates")),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    extensions.init_app(app, settings, open_database(settings))
    csrf.init_app(app)
    _register_blueprints(app)
    _register_error_handlers(app)
    app.after_request(_security_headers)
    return app


def _register_blueprints(app: Flask) -> None:
    from channels.web.views import bp as web_bp
    from intake.api import bp as api_bp
    from intake.api import openapi_bp
    from intake.health import bp as health_bp

    for bp in (health_bp, api_bp, openapi_bp, web_bp):
        app.register_blueprint(bp)
    # Machines authenticate these with keys or signatures, not cookies: no CSRF token.
    csrf.exempt(api_bp)
    _register_sms_status(app)
    _register_twilio_conversations(app)
    email_bp = _register_email_intake(app)
    officer_sign_in_bp = _register_officer_desk(app)
    limits.init_app(
        app,
        extensions.settings_of(app),
        public=[web_bp, officer_sign_in_bp],
        partner=[api_bp, email_bp],
    )


def _register_officer_desk(app: Flask) -> Blueprint:
    # The officer pages, behind staff sign-in; the sign-in pages are rate limited like the public.
    from intake import review

    return review.init_app(app)


def _register_sms_status(app: Flask) -> None:
    # Twilio's delivery receipts for the messages we send; signed by Twilio, so no CSRF token.
    from channels.sms.status import bp as sms_status_bp

    app.register_blueprint(sms_status_bp)
    csrf.exempt(sms_status_bp)


def _register_twilio_conversations(app: Flask) -> None:
    # Referrals by text and by phone: Twilio webhooks, signed by Twilio, so no CSRF token.
    from channels.sms.webhook import bp as sms_bp
    from channels.voice.webhook import bp as voice_bp

    for bp in (sms_bp, voice_bp):
        app.register_blueprint(bp)
        csrf.exempt(bp)


def _register_email_intake(app: Flask) -> Blueprint:
    # Raw emails forwarded by a mail provider, with a partner key, so no CSRF token.
    from channels.email.http import bp as email_bp

    app.register_blueprint(email_bp)
    csrf.exempt(email_bp)
    return email_bp


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/channels/", "/healthz", "/openapi"))


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> tuple[str, int]:
        if _is_officer_page():
            return error_pages.officer_page(
                400,
                "This form was out of date",
                "You may have been signed out, or the page was open for a long time. Go back, "
                "reload the page and try again.",
            )
        return render_template("errors/session_expired.html"), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[Response | str, int]:
        code = exc.code or 500
        if _wants_json():
            return jsonify({"message": exc.description or exc.name}), code
        if _is_officer_page():  # an unknown /officer/ address, a wrong method: never routed
            return error_pages.page(exc)
        return render_template(
            "errors/http.html", code=code, title=exc.name, description=exc.description
        ), code

    @app.errorhandler(DBAPIError)
    @app.errorhandler(PoolTimeoutError)
    def database_error(exc: Exception) -> tuple[Response | str, int]:
        if not _is_transient(exc):
            return unexpected(exc)
        return _database_unavailable(exc)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> tuple[Response | str, int]:
        log.exception("unhandled error on %s %s", request.method, request.url_rule)
        if _is_officer_page() and not _wants_json():
            with contextlib.suppress(Exception):  # the page reads who is signed in
                extensions.session().rollback()
                return error_pages.officer_page(
                    500,
                    "Sorry, there is a problem",
                    "Something went wrong on our side. What you were doing may not have been "
                    "saved: open the contact again to check before you carry on.",
                )
        if _wants_json():
            return jsonify(
                {
                    "message": "Something went wrong on our side. Nothing you sent was lost if you "
                    "received a reference; otherwise please try again."
                }
            ), 500
        return render_template(
            "errors/http.html",
            code=500,
            title="Sorry, there is a problem with the service",
            description=None,
        ), 500


def _is_officer_page() -> bool:
    # The desk's own pages speak to staff; the site's speak to referrers ("start the form").
    return request.path == "/officer" or request.path.startswith("/officer/")


def _is_transient(exc: Exception) -> bool:
    """A lost or refused connection, a deadlock, a full pool: the same request can simply be retried."""
    if isinstance(exc, PoolTimeoutError):
        return True
    return isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    )


def _database_unavailable(exc: Exception) -> tuple[Response | str, int]:
    """503 with Retry-After: the server rolled the request's transaction back, so trying again
    is safe (the one exception, a connection lost during COMMIT itself, is why partners send an
    Idempotency-Key and why the web form and SMS find an already submitted referral)."""
    log.warning(
        "database unavailable on %s %s (%s)", request.method, request.url_rule, type(exc).__name__
    )
    # The request's session holds the broken transaction; anything the page needs starts afresh.
    with contextlib.suppress(SQLAlchemyError):  # gone with its connection, server-side too
        extensions.session().rollback()
    retry_after = str(DATABASE_RETRY_AFTER_SECONDS)
    if _wants_json():
        response = jsonify(
            {
                "message": "We lost touch with our database just now. Please try again in a "
                "moment; send the same Idempotency-Key, if you used one, so the referral is made "
                "only once."
            }
        )
        response.status_code = 503
    else:
        response = Response(
            render_template(
                "errors/http.html",
                code=503,
                title="Sorry, there is a problem with the service",
                description=None,
            ),
            status=503,
            mimetype="text/html",
        )
    response.headers["Retry-After"] = retry_after
    return response, 503


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.scheme == "https" or request.headers.get("X-Forwarded-Proto") == "https":
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
        )
    if not request.path.startswith("/assets/"):
        # Pages hold children's details: never keep them in shared caches or the back-forward cache.
        response.headers.setdefault("Cache-Control", "no-store")
    return response
