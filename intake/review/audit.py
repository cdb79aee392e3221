"""The append-only audit log: who did what, to which record, when and from where.

`record()` is called for every sign-in (and failed one), every view of a contact, every change,
every export and every refused access. Rows are only inserted; the database refuses updates and
deletes (see the migration that adds the triggers). Managers search it here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, render_template, request
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from intake import extensions
from intake.models import AuditEvent, User, utcnow
from intake.review.paging import PER_PAGE, Page, offset, page_number
from intake.review.permissions import Permission, current_staff, requires

bp = Blueprint("officer_audit", __name__, url_prefix="/officer")


class Action(enum.StrEnum):
    SIGNED_IN = "signed_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_IN_LOCKED = "sign_in_locked"
    SECOND_FACTOR_FAILED = "second_factor_failed"
    SECOND_FACTOR_ENROLLED = "second_factor_enrolled"
    SIGNED_OUT = "signed_out"
    SESSION_EXPIRED = "session_expired"
    ACCESS_REFUSED = "access_refused"
    CONTACT_VIEWED = "contact_viewed"
    RATING_CONFIRMED = "rating_confirmed"
    RATING_CHANGED = "rating_changed"
    OUTCOME_RECORDED = "outcome_recorded"
    CONTACT_ASSIGNED = "contact_assigned"
    MATCH_CONFIRMED = "match_confirmed"
    MATCH_REJECTED = "match_rejected"
    MESSAGE_RESENT = "message_resent"
    ATTACHMENT_DOWNLOADED = "attachment_downloaded"
    REPORT_VIEWED = "report_viewed"
    REPORT_EXPORTED = "report_exported"
    AUDIT_SEARCHED = "audit_searched"
    USER_CREATED = "user_created"
    USER_CHANGED = "user_changed"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (an action name, not a password)
    SECOND_FACTOR_RESET = "second_factor_reset"
    USER_UNLOCKED = "user_unlocked"
    KEY_CREATED = "key_created"
    KEY_REVOKED = "key_revoked"
    TEMPLATE_CHANGED = "template_changed"


def record(
    session: Session,
    action: str,
    user: User | str | None,
    subject_type: str | None,
    subject_id: str | int | None,
    ip: str | None,
    /,
    **detail: Any,
) -> AuditEvent:
    """Add one audit row to `session`; the caller commits it with the change it describes.

    `user` is the member of staff, or a plain actor name ("system", a partner key's name, or
    the address typed at a failed sign-in). `detail` must hold codes and ids, not the contents
    of a record: the log is kept longer than the records it describes. The first six arguments
    are positional only, so `detail` may use any name (`user=`, `ip=`) without a clash.
    """
    if isinstance(user, User):
        user_id: int | None = user.id
        actor = user.email
    else:
        user_id, actor = None, user or "system"
    row = AuditEvent(
        at=utcnow(),
        user_id=user_id,
        actor=actor[:254],
        action=str(action),
        subject_type=subject_type,
        subject_id=None if subject_id is None else str(subject_id)[:64],
        ip_address=(ip or "")[:64] or None,
        detail=detail,
    )
    session.add(row)
    return row


def client_ip() -> str | None:
    # Behind a proxy, deploy with werkzeug's ProxyFix so this is the client, not the proxy.
    return request.remote_addr


@dataclass(frozen=True)
class AuditSearch:
    user: str = ""
    action: str = ""
    reference: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.user or self.action or self.reference or self.date_from or self.date_to)

    def as_detail(self) -> dict[str, str]:
        """The filters used, for the audit row of the search itself."""
        values = {
            "user": self.user,
            "action": self.action,
            "reference": self.reference,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return {k: v for k, v in values.items() if v}


def parse_search(args: Any) -> tuple[AuditSearch, dict[str, str]]:
    errors: dict[str, str] = {}
    dates: dict[str, date | None] = {}
    for name in ("date_from", "date_to"):
        raw = (args.get(name) or "").strip()
        dates[name] = None
        if raw:
            try:
                parsed = date.fromisoformat(raw)
            except ValueError:
                errors[name] = "Enter a date like 2026-11-03"
                continue
            # 9999-12-31 parses, but the day after it (the search's end) does not exist.
            if not date(2000, 1, 1) <= parsed <= date(2999, 12, 31):
                errors[name] = "Enter a date between the years 2000 and 2999"
                continue
            dates[name] = parsed
    if dates["date_from"] and dates["date_to"] and dates["date_from"] > dates["date_to"]:
        errors["date_to"] = "The end date must be the same as or after the start date"
    search = AuditSearch(
        user=(args.get("user") or "").strip().lower()[:254],
        action=(args.get("action") or "").strip()[:48],
        reference=(args.get("reference") or "").strip().upper()[:64],
        date_from=dates["date_from"],
        date_to=dates["date_to"],
    )
    return search, errors


def search_query(search: AuditSearch) -> Select[tuple[AuditEvent]]:
    query = select(AuditEvent)
    if search.user:
        query = query.where(func.lower(AuditEvent.actor).contains(search.user, autoescape=True))
    if search.action:
        query = query.where(AuditEvent.action == search.action)
    if search.reference:
        query = query.where(
            AuditEvent.subject_type == "contact", AuditEvent.subject_id == search.reference
        )
    if search.date_from:
        query = query.where(AuditEvent.at >= datetime.combine(search.date_from, time(), UTC))
    if search.date_to:
        end = datetime.combine(search.date_to, time(), UTC) + timedelta(days=1)
        query = query.where(AuditEvent.at < end)
    return query


def search_page(session: Session, search: AuditSearch, number: int) -> Page[AuditEvent]:
    query = search_query(search)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset(offset(number))
        .limit(PER_PAGE)
    ).all()
    return Page(items=rows, number=number, per_page=PER_PAGE, total=total)


@bp.get("/audit")
@requires(Permission.SEARCH_AUDIT)
def search_log() -> str:
    session = extensions.session()
    search, errors = parse_search(request.args)
    page = search_page(session, AuditSearch() if errors else search, page_number(request.args))
    if not search.is_empty and not errors:
        record(
            session,
            Action.AUDIT_SEARCHED,
            current_staff(),
            None,
            None,
            client_ip(),
            **search.as_detail(),
        )
        session.commit()
    return render_template(
        "officer/audit.html",
        search=search,
        errors=errors,
        page=page,
        actions=[a.value for a in Action],
        args=request.args,
    )
