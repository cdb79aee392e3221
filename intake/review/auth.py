"""Staff sign-in with a password and a code from an authenticator app, and sign-out.

Flow: email and password -> (first time: set up the authenticator app) -> six-digit code ->
signed in. Five wrong passwords or codes lock the account for 15 minutes. A session ends after
30 minutes without activity or 8 hours in all, and at once if the password or second factor is
reset. Every sign-in, failure and sign-out is audited.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, login_user, logout_user
from werkzeug.wrappers import Response

from intake import extensions
from intake.models import User, utcnow
from intake.review import accounts, audit
from intake.review.audit import Action
from intake.review.permissions import Permission, has_permission, signed_in_staff

bp = Blueprint("officer_auth", __name__, url_prefix="/officer")

IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_LIMIT = timedelta(hours=8)
# The gap allowed between the password and the code (or setting up the app).
SECOND_STEP_LIMIT = timedelta(minutes=5)

PENDING = "officer_pending"
SIGNED_IN_AT = "officer_signed_in_at"
SEEN_AT = "officer_seen_at"
# Sent by a page's own script when it fetches itself again (see static/dashboard.js).
BACKGROUND_HEADER = "X-Frontdoor-Background"
STAMP = "officer_stamp"

HUB_ZONE = ZoneInfo("Europe/London")


class StaffLogin:
    """What flask-login keeps for a signed-in member of staff."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, user: User) -> None:
        self.user = user

    @property
    def is_active(self) -> bool:
        return self.user.active

    def get_id(self) -> str:
        return str(self.user.id)


def init_login(app: Flask) -> None:
    app.config.setdefault("OFFICER_IDLE_TIMEOUT", IDLE_TIMEOUT)
    app.config.setdefault("OFFICER_SESSION_LIMIT", SESSION_LIMIT)
    manager = LoginManager()
    manager.login_view = "officer_auth.sign_in"
    # A session cookie copied to another browser or network is refused.
    manager.session_protection = "strong"
    manager.user_loader(_load_user)
    manager.init_app(app)


def _load_user(user_id: str) -> StaffLogin | None:
    if not user_id.isdigit():
        return None
    user = extensions.session().get(User, int(user_id))
    return StaffLogin(user) if user is not None and user.active else None


def require_signed_in() -> Response | None:
    """Runs before every officer page but the sign-in ones: signed in, and not expired."""
    user = signed_in_staff()
    if user is None:
        return redirect(url_for("officer_auth.sign_in", next=_return_path()))
    reason = _expiry_reason(user)
    if reason is not None:
        db = extensions.session()
        db.rollback()
        audit.record(
            db, Action.SESSION_EXPIRED, user, "user", user.id, audit.client_ip(), reason=reason
        )
        db.commit()
        logout_user()
        session.clear()
        flash(_EXPIRY_MESSAGES[reason], "important")
        return redirect(url_for("officer_auth.sign_in", next=_return_path()))
    # A page refreshing itself (the dashboard, every minute) is not someone at the desk: counted
    # as activity, it would keep an unattended browser signed in until the 8-hour limit.
    if request.headers.get(BACKGROUND_HEADER) != "refresh":
        session[SEEN_AT] = int(time.time())
    return None


_EXPIRY_MESSAGES = {
    "idle": "You were signed out because you had not done anything for 30 minutes. "
    "Sign in again to carry on.",
    "limit": "You were signed out because you had been signed in for 8 hours. "
    "Sign in again to carry on.",
    "credentials": "You were signed out because your password or sign-in app was changed. "
    "Sign in again.",
}


def _expiry_reason(user: User) -> str | None:
    now = time.time()
    idle: timedelta = current_app.config["OFFICER_IDLE_TIMEOUT"]
    limit: timedelta = current_app.config["OFFICER_SESSION_LIMIT"]
    if session.get(STAMP) != accounts.credential_stamp(user):
        return "credentials"
    if now - float(session.get(SIGNED_IN_AT, 0)) > limit.total_seconds():
        return "limit"
    if now - float(session.get(SEEN_AT, 0)) > idle.total_seconds():
        return "idle"
    return None


def _return_path() -> str | None:
    # Only a page can be returned to: a form posted after the session ended is not resent.
    if request.method != "GET":
        return None
    return request.full_path.rstrip("?")


def _safe_next(value: str | None) -> str | None:
    if value and value.startswith("/officer/") and not value.startswith("//") and "\\" not in value:
        return value
    return None


def home_for(user: User) -> str:
    if has_permission(user, Permission.WORK_CONTACTS):
        return url_for("officer_queue.queue")
    if has_permission(user, Permission.MANAGE_USERS):
        return url_for("officer_admin.users")
    return url_for("officer_dashboard.dashboard")


@bp.get("/")
def home() -> Response:
    user = signed_in_staff()
    if user is None:
        return redirect(url_for("officer_auth.sign_in"))
    return redirect(home_for(user))


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Response | str | tuple[str, int]:
    user = signed_in_staff()
    if user is not None:
        return redirect(home_for(user))
    next_path = _safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("officer/sign_in.html", errors={}, email="", next=next_path)

    email = request.form.get("email", "").strip()[:254]
    password = request.form.get("password", "")[:1024]
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = "Enter your email address"
    if not password:
        errors["password"] = "Enter your password"  # noqa: S105 (a message)
    if errors:
        return render_template(
            "officer/sign_in.html", errors=errors, email=email, next=next_path
        ), 400

    db = extensions.session()
    now = utcnow()
    check = accounts.check_password(db, email, password, now)
    if not check.ok:
        actor: User | str = check.user or _typed_address(email)
        action = Action.SIGN_IN_LOCKED if check.locked else Action.SIGN_IN_FAILED
        subject = check.user.id if check.user is not None else None
        audit.record(db, action, actor, "user", subject, audit.client_ip())
        db.commit()
        if check.locked and check.user is not None:
            errors["email"] = _locked_message(check.user)
        else:
            errors["email"] = "The email address or password is not right"
        return render_template(
            "officer/sign_in.html", errors=errors, email=email, next=next_path
        ), 400

    assert check.user is not None
    pending: dict[str, Any] = {
        "user_id": check.user.id,
        "at": int(time.time()),
        "stamp": accounts.credential_stamp(check.user),
        "next": next_path,
    }
    if not check.user.totp_secret:
        pending["nonce"] = accounts.new_nonce()
    db.commit()  # a rehashed password, if argon2's parameters have changed
    session.clear()
    session[PENDING] = pending
    if "nonce" in pending:
        return redirect(url_for("officer_auth.set_up_app"))
    return redirect(url_for("officer_auth.enter_code"))


def _typed_address(email: str) -> str:
    # People sometimes type a password into the email box: only keep what looks like an address.
    if "@" in email and " " not in email:
        return email.lower()
    return "unrecognised"


def _locked_message(user: User) -> str:
    until = user.locked_until.astimezone(HUB_ZONE) if user.locked_until else None
    when = f"after {until:%H:%M}" if until else "in 15 minutes"
    return (
        f"Sign-in is locked after {accounts.MAX_FAILURES} wrong attempts. Try again {when}, "
        "or ask an administrator to unlock your account."
    )


def _pending_user() -> tuple[User, dict[str, Any]] | None:
    """The user who has given the right password and now owes the second step."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    if time.time() - float(pending.get("at", 0)) > SECOND_STEP_LIMIT.total_seconds():
        session.pop(PENDING, None)
        return None
    user = extensions.session().get(User, int(pending.get("user_id", 0)))
    if user is None or not user.active or pending.get("stamp") != accounts.credential_stamp(user):
        session.pop(PENDING, None)
        return None
    return user, pending


def _start_again() -> Response:
    flash("Sign in again: the time to enter your code ran out.", "important")
    return redirect(url_for("officer_auth.sign_in"))


@bp.route("/sign-in/code", methods=["GET", "POST"])
def enter_code() -> Response | str | tuple[str, int]:
    found = _pending_user()
    if found is None:
        return _start_again()
    user, pending = found
    if not user.totp_secret:
        return redirect(url_for("officer_auth.set_up_app"))
    if request.method == "GET":
        return render_template("officer/sign_in_code.html", errors={})

    db = extensions.session()
    now = utcnow()
    code = request.form.get("code", "")[:32]
    if not code.strip():
        return render_template(
            "officer/sign_in_code.html", errors={"code": "Enter the 6-digit code from your app"}
        ), 400
    if accounts.is_locked(user, now):
        session.pop(PENDING, None)
        flash(_locked_message(user), "important")
        return redirect(url_for("officer_auth.sign_in"))
    if not accounts.verify_second_factor(user, code, now):
        locked = accounts.register_failure(user, now)
        audit.record(db, Action.SECOND_FACTOR_FAILED, user, "user", user.id, audit.client_ip())
        db.commit()
        if locked:
            session.pop(PENDING, None)
            flash(_locked_message(user), "important")
            return redirect(url_for("officer_auth.sign_in"))
        return render_template(
            "officer/sign_in_code.html",
            errors={"code": "The code is not right. Enter the code your app shows now"},
        ), 400
    return _finish_sign_in(user, pending)


@bp.route("/sign-in/set-up", methods=["GET", "POST"])
def set_up_app() -> Response | str | tuple[str, int]:
    found = _pending_user()
    if found is None:
        return _start_again()
    user, pending = found
    if user.totp_secret or "nonce" not in pending:
        return redirect(url_for("officer_auth.enter_code"))
    secret = accounts.enrolment_secret(
        extensions.settings().secret_key, user, str(pending["nonce"])
    )
    page = {
        "secret": accounts.grouped_secret(secret),
        "uri": accounts.provisioning_uri(secret, user.email),
    }
    if request.method == "GET":
        return render_template("officer/set_up_app.html", errors={}, **page)

    db = extensions.session()
    now = utcnow()
    if not accounts.complete_enrolment(user, secret, request.form.get("code", "")[:32], now):
        return render_template(
            "officer/set_up_app.html",
            errors={"code": "The code is not right. Check the key you typed and try again"},
            **page,
        ), 400
    audit.record(db, Action.SECOND_FACTOR_ENROLLED, user, "user", user.id, audit.client_ip())
    return _finish_sign_in(user, pending)


def _finish_sign_in(user: User, pending: dict[str, Any]) -> Response:
    db = extensions.session()
    accounts.register_success(user, utcnow())
    audit.record(db, Action.SIGNED_IN, user, "user", user.id, audit.client_ip())
    db.commit()
    session.clear()
    login_user(StaffLogin(user))
    now = int(time.time())
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now
    session[STAMP] = accounts.credential_stamp(user)
    return redirect(_safe_next(pending.get("next")) or home_for(user))


@bp.post("/sign-out")
def sign_out() -> Response:
    user = signed_in_staff()
    if user is not None:
        db = extensions.session()
        audit.record(db, Action.SIGNED_OUT, user, "user", user.id, audit.client_ip())
        db.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("officer_auth.sign_in"))
