"""What the officer templates can call: labels, permissions, and times in the hub's zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask

from intake.models import User
from intake.review import vocabulary
from intake.review.permissions import Permission, has_permission, signed_in_staff

HUB_ZONE = ZoneInfo("Europe/London")


def hub_datetime(moment: datetime | None) -> str:
    """'3 Nov 2026 at 2:05pm', in UK time, as GOV.UK writes times."""
    if moment is None:
        return ""
    local = moment.astimezone(HUB_ZONE)
    clock = local.strftime("%-I:%M%p").lower().replace(":00", "")
    return f"{local.day} {local:%b %Y} at {clock}"


def hub_date(moment: datetime | date | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        moment = moment.astimezone(HUB_ZONE).date()
    return f"{moment.day} {moment:%B %Y}"


def staff_can(user: User | None, permission: str) -> bool:
    return user is not None and has_permission(user, Permission(permission))


def install(app: Flask) -> None:
    app.jinja_env.globals["vocab"] = vocabulary
    app.add_template_global(signed_in_staff, "signed_in_staff")
    app.add_template_global(staff_can, "staff_can")
    app.add_template_filter(hub_datetime, "hub_datetime")
    app.add_template_filter(hub_date, "hub_date")
