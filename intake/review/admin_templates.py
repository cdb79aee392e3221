"""Administrators edit the wording of messages to referrers (rules and rendering live in
`workers.feedback.templates`; this is only the page). Each change is audited."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from intake import extensions
from intake.review import audit
from intake.review.audit import Action
from intake.review.permissions import Permission, current_staff, requires
from workers.feedback import templates

bp = Blueprint("officer_templates", __name__, url_prefix="/officer/admin")


def _template(key: str) -> templates.Template:
    try:
        return templates.get_template(extensions.session(), key)
    except KeyError:
        abort(404, description="There is no message with that name.")


@bp.get("/templates")
@requires(Permission.MANAGE_TEMPLATES)
def list_templates() -> str:
    session = extensions.session()
    rows = [templates.get_template(session, key) for key in templates.template_keys()]
    return render_template("officer/admin/templates.html", templates=rows)


@bp.get("/templates/<key>")
@requires(Permission.MANAGE_TEMPLATES)
def edit_template(key: str) -> str:
    template = _template(key)
    return render_template(
        "officer/admin/template.html",
        template=template,
        subject=template.subject or "",
        body=template.body,
        errors={},
        preview=None,
    )


@bp.post("/templates/<key>")
@requires(Permission.MANAGE_TEMPLATES)
def save_template(key: str) -> Response | str | tuple[str, int]:
    template = _template(key)
    session = extensions.session()
    subject = request.form.get("subject", "")[: templates.SUBJECT_MAX * 2]
    body = request.form.get("body", "")[: templates.BODY_MAX * 2]
    action = request.form.get("action", "save")

    def again(errors: dict[str, str], preview: object = None, status: int = 400) -> tuple[str, int]:
        return render_template(
            "officer/admin/template.html",
            template=template,
            subject=subject,
            body=body,
            errors=errors,
            preview=preview,
        ), status

    if action == "reset":
        templates.reset_template(session, key)
        audit.record(
            session,
            Action.TEMPLATE_CHANGED,
            current_staff(),
            "message_template",
            key,
            audit.client_ip(),
            reset=True,
        )
        session.commit()
        flash("The message is back to its standard wording", "success")
        return redirect(url_for("officer_templates.edit_template", key=key))
    errors = templates.validate(
        templates.TemplateKey.parse(key), subject.strip() or None, body.strip()
    )
    if errors:
        return again(errors)
    if action == "preview":
        return again({}, templates.preview(key, subject or None, body), status=200)
    try:
        templates.save_template(session, key, subject, body, current_staff().id)
    except templates.TemplateError as problem:
        return again(problem.errors)
    audit.record(
        session,
        Action.TEMPLATE_CHANGED,
        current_staff(),
        "message_template",
        key,
        audit.client_ip(),
    )
    session.commit()
    flash("Saved. New messages use this wording from now on", "success")
    return redirect(url_for("officer_templates.edit_template", key=key))
