"""Administrators manage staff accounts: create, change role and restricted access, deactivate,
reset a password or second factor, unlock. Every change is audited.

New and reset passwords are generated and shown once, for the administrator to pass on; the
member of staff sets up their authenticator app at their next sign-in.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from intake import extensions
from intake.models import Role, User, utcnow
from intake.passwords import hash_password
from intake.review import accounts, audit
from intake.review.audit import Action
from intake.review.permissions import Permission, current_staff, requires
from intake.users import create_user, is_email_shape

bp = Blueprint("officer_admin", __name__, url_prefix="/officer/admin")

ROLE_LABELS = {
    Role.OFFICER: "Contact officer",
    Role.MANAGER: "Manager",
    Role.ADMIN: "Administrator",
}


def _user(user_id: int) -> User:
    user = extensions.session().get(User, user_id)
    if user is None:
        abort(404, description="There is no account with that number.")
    return user


def _record(action: str, subject: User, **detail: object) -> None:
    audit.record(
        extensions.session(),
        action,
        current_staff(),
        "user",
        subject.id,
        audit.client_ip(),
        **detail,
    )


@bp.get("/users")
@requires(Permission.MANAGE_USERS)
def users() -> str:
    rows = extensions.session().scalars(select(User).order_by(User.active.desc(), User.email))
    return render_template(
        "officer/admin/users.html", users=list(rows), roles=ROLE_LABELS, now=utcnow()
    )


@bp.route("/users/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def new_user() -> str | tuple[str, int]:
    form = request.form
    if request.method == "GET":
        return render_template("officer/admin/new_user.html", errors={}, form={}, roles=ROLE_LABELS)
    errors: dict[str, str] = {}
    email = form.get("email", "").strip()[:254]
    role = form.get("role", "")
    if not is_email_shape(email):
        errors["email"] = "Enter an email address, like name@council.gov.uk"
    if role not in ROLE_LABELS:
        errors["role"] = "Choose a role"
    session = extensions.session()
    if not errors and accounts.find_user(session, email) is not None:
        errors["email"] = "There is already an account with this email address"
    if errors:
        return render_template(
            "officer/admin/new_user.html", errors=errors, form=form, roles=ROLE_LABELS
        ), 400
    password = accounts.new_password()
    user = create_user(
        session,
        email,
        role,
        password,
        name=form.get("name", "").strip()[:200],
        can_see_restricted=form.get("restricted") == "yes",
    )
    _record(Action.USER_CREATED, user, role=role, restricted=user.can_see_restricted)
    session.commit()
    return render_template("officer/admin/password.html", user=user, password=password, new=True)


@bp.get("/users/<int:user_id>")
@requires(Permission.MANAGE_USERS)
def user(user_id: int) -> str:
    return render_template(
        "officer/admin/user.html", user=_user(user_id), errors={}, roles=ROLE_LABELS, now=utcnow()
    )


def _active_admins(session: Session) -> int:
    count = session.scalar(
        select(func.count()).where(User.role == Role.ADMIN, User.active.is_(True))
    )
    return count or 0


@bp.post("/users/<int:user_id>")
@requires(Permission.MANAGE_USERS)
def change_user(user_id: int) -> Response | tuple[str, int]:
    session = extensions.session()
    user = _user(user_id)
    role = request.form.get("role", "")
    active = request.form.get("active") == "yes"
    restricted = request.form.get("restricted") == "yes"
    errors: dict[str, str] = {}
    if role not in ROLE_LABELS:
        errors["role"] = "Choose a role"
    removes_admin = user.role == Role.ADMIN and user.active and (role != Role.ADMIN or not active)
    if removes_admin and _active_admins(session) <= 1:
        errors["role"] = "Keep at least one active administrator, or no one can manage accounts"
    if user.id == current_staff().id and not active:
        errors["active"] = "You cannot deactivate your own account"
    if errors:
        return render_template(
            "officer/admin/user.html", user=user, errors=errors, roles=ROLE_LABELS, now=utcnow()
        ), 400
    before = {"role": user.role, "active": user.active, "restricted": user.can_see_restricted}
    user.role, user.active, user.can_see_restricted = role, active, restricted
    after = {"role": role, "active": active, "restricted": restricted}
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        _record(Action.USER_CHANGED, user, **changed)
        session.commit()
        flash(f"Saved the changes to {user.email}", "success")
    return redirect(url_for("officer_admin.user", user_id=user.id))


@bp.post("/users/<int:user_id>/password")
@requires(Permission.MANAGE_USERS)
def reset_password(user_id: int) -> str:
    session = extensions.session()
    user = _user(user_id)
    password = accounts.new_password()
    user.password_hash = hash_password(password)
    accounts.unlock(user)
    _record(Action.PASSWORD_RESET, user)
    session.commit()
    return render_template("officer/admin/password.html", user=user, password=password, new=False)


@bp.post("/users/<int:user_id>/second-factor")
@requires(Permission.MANAGE_USERS)
def reset_second_factor(user_id: int) -> Response:
    session = extensions.session()
    user = _user(user_id)
    accounts.reset_second_factor(user)
    _record(Action.SECOND_FACTOR_RESET, user)
    session.commit()
    flash(f"{user.email} will set up their authenticator app when they next sign in", "success")
    return redirect(url_for("officer_admin.user", user_id=user.id))


@bp.post("/users/<int:user_id>/unlock")
@requires(Permission.MANAGE_USERS)
def unlock(user_id: int) -> Response:
    session = extensions.session()
    user = _user(user_id)
    accounts.unlock(user)
    _record(Action.USER_UNLOCKED, user)
    session.commit()
    flash(f"{user.email} can sign in again", "success")
    return redirect(url_for("officer_admin.user", user_id=user.id))
