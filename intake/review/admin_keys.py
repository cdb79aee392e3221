"""Administrators create and revoke partner API keys. A new key is shown once, never again."""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from intake import extensions, partner_keys
from intake.models import PartnerKey
from intake.review import audit
from intake.review.audit import Action
from intake.review.permissions import Permission, current_staff, requires

bp = Blueprint("officer_keys", __name__, url_prefix="/officer/admin")

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{1,99}$")


def _keys() -> list[PartnerKey]:
    return list(
        extensions.session().scalars(
            select(PartnerKey).order_by(PartnerKey.revoked_at.is_not(None), PartnerKey.name)
        )
    )


@bp.get("/keys")
@requires(Permission.MANAGE_KEYS)
def keys() -> str:
    return render_template("officer/admin/keys.html", keys=_keys(), errors={}, name="")


@bp.post("/keys")
@requires(Permission.MANAGE_KEYS)
def create_key() -> str | tuple[str, int]:
    name = request.form.get("name", "").strip()
    session = extensions.session()
    error = None
    if not NAME.match(name):
        error = "Enter a name of 2 to 100 letters, numbers, spaces, dots, dashes or underscores"
    else:
        try:
            row, key = partner_keys.create(session, name)
        except ValueError:
            # A revoked key keeps its name, so the audit log always says whose key it was.
            error = (
                "There is already a key with this name, in use or revoked (a revoked key keeps "
                "its name for the record): choose another, for example with the year"
            )
    if error is not None:
        return render_template(
            "officer/admin/keys.html", keys=_keys(), errors={"name": error}, name=name
        ), 400
    audit.record(
        session,
        Action.KEY_CREATED,
        current_staff(),
        "partner_key",
        row.id,
        audit.client_ip(),
        name=row.name,
    )
    session.commit()
    return render_template("officer/admin/key_created.html", key_row=row, key=key)


@bp.post("/keys/<int:key_id>/revoke")
@requires(Permission.MANAGE_KEYS)
def revoke_key(key_id: int) -> Response:
    session = extensions.session()
    row = session.get(PartnerKey, key_id)
    if row is None:
        abort(404, description="There is no key with that number.")
    if partner_keys.revoke(session, row.name):
        audit.record(
            session,
            Action.KEY_REVOKED,
            current_staff(),
            "partner_key",
            row.id,
            audit.client_ip(),
            name=row.name,
        )
        session.commit()
        flash(f"The key for {row.name} is revoked: it no longer works", "success")
    return redirect(url_for("officer_keys.keys"))
