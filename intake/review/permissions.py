"""Who may do what on the officer pages, and the record of every refusal.

Permissions are granted per role rather than by rank: an administrator manages accounts and keys
but, like the hub's firewall in the source documents, does not read children's records.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn, ParamSpec, TypeVar

from flask import abort, request
from flask_login import current_user

from intake import extensions
from intake.models import Contact, Role, User

REFUSED_MESSAGE = (
    "Your account does not give you access to this. If you need it for your work, ask a manager "
    "or an administrator. This refusal has been recorded."
)

P = ParamSpec("P")
R = TypeVar("R")


class Permission(enum.StrEnum):
    WORK_CONTACTS = "work_contacts"  # the queue, contact pages, decisions
    SEE_DASHBOARD = "see_dashboard"
    SEE_REPORTS = "see_reports"
    SEARCH_AUDIT = "search_audit"
    MANAGE_USERS = "manage_users"
    MANAGE_KEYS = "manage_keys"
    MANAGE_TEMPLATES = "manage_templates"


ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.OFFICER: frozenset({Permission.WORK_CONTACTS, Permission.SEE_DASHBOARD}),
    Role.MANAGER: frozenset(
        {
            Permission.WORK_CONTACTS,
            Permission.SEE_DASHBOARD,
            Permission.SEE_REPORTS,
            Permission.SEARCH_AUDIT,
        }
    ),
    Role.ADMIN: frozenset(
        {
            Permission.SEE_DASHBOARD,
            Permission.SEARCH_AUDIT,
            Permission.MANAGE_USERS,
            Permission.MANAGE_KEYS,
            Permission.MANAGE_TEMPLATES,
        }
    ),
}


def has_permission(user: User, permission: Permission) -> bool:
    return user.active and permission in ROLE_PERMISSIONS.get(user.role, frozenset())


def can_see_contact(user: User, contact: Contact) -> bool:
    return has_permission(user, Permission.WORK_CONTACTS) and (
        not contact.restricted or user.can_see_restricted
    )


def current_staff() -> User:
    """The signed-in member of staff; only call it behind `login_required`."""
    staff: Any = current_user
    user = getattr(staff, "user", None)
    if not isinstance(user, User):
        abort(401)
    return user


def signed_in_staff() -> User | None:
    staff: Any = current_user
    user = getattr(staff, "user", None)
    return user if isinstance(user, User) else None


def requires(permission: Permission) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Refuse (and audit the refusal) unless the signed-in user's role has `permission`.

    Sign-in itself is checked for the whole area by the auth guard before this runs.
    """

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            user = current_staff()
            if not has_permission(user, permission):
                refuse(user, "page", request.path, permission=permission.value)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def refuse(user: User, subject_type: str, subject_id: str, **detail: Any) -> NoReturn:
    """Audit a refused access, commit it whatever happens next, and answer 403."""
    from intake.review import audit

    session = extensions.session()
    session.rollback()  # nothing half-done on this request may ride along with the audit row
    audit.record(
        session,
        audit.Action.ACCESS_REFUSED,
        user,
        subject_type,
        subject_id,
        audit.client_ip(),
        path=request.path,
        **detail,
    )
    session.commit()
    abort(403, description=REFUSED_MESSAGE)
