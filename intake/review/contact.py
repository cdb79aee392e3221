"""The contact page and the officer's decisions on it.

Every view of a contact is audited, and so is every refusal to show one. Decisions are posted
to their own URLs and redirect back to the page (post/redirect/get); a form with problems is
shown again with the problems listed at the top.
"""

from __future__ import annotations

import logging
from typing import TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from channels.email.attachments import AttachmentUnavailable, download_headers, read_attachment
from intake import extensions
from intake.models import Attachment, Contact, OutboundMessage, User, utcnow
from intake.review import audit, contact_page, decisions, matches
from intake.review.audit import Action
from intake.review.paging import whole_number
from intake.review.permissions import (
    Permission,
    can_see_contact,
    current_staff,
    refuse,
    requires,
)
from workers.feedback import messages as feedback_messages

log = logging.getLogger(__name__)
bp = Blueprint("officer_contact", __name__, url_prefix="/officer")


def _load(reference: str) -> Contact:
    """The contact, if it exists and this user may see it; a refusal is audited."""
    user = current_staff()
    query = select(Contact).where(Contact.reference == reference.upper()[:16])
    if request.method == "POST":
        # Two officers deciding the same contact at once: the second waits for the first's
        # commit, then sees the contact already decided instead of overwriting the decision.
        query = query.with_for_update()
    contact = extensions.session().scalar(query)
    if contact is None:
        abort(404, description="There is no contact with that reference. Check it and try again.")
    if not can_see_contact(user, contact):
        refuse(user, "contact", contact.reference, restricted=contact.restricted)
    return contact


_OfContact = TypeVar("_OfContact", OutboundMessage, Attachment)


def _on_contact(model: type[_OfContact], row_id: int, contact: Contact, missing: str) -> _OfContact:
    """A row of this contact (a message, a file), or a 404: an id from another contact's page
    is not found on this one."""
    row = extensions.session().get(model, row_id)
    if row is None or row.contact_id != contact.id:
        abort(404, description=missing)
    return row


def _actor() -> decisions.Actor:
    return decisions.Actor(user=current_staff(), ip=audit.client_ip())


def _page(contact: Contact, errors: dict[str, str] | None = None) -> tuple[str, int]:
    page = contact_page.build(
        extensions.session(),
        contact,
        current_staff(),
        utcnow(),
        errors=errors,
        form=request.form if errors else None,
    )
    return render_template("officer/contact.html", page=page), 400 if errors else 200


def _done(contact: Contact, message: str, anchor: str) -> Response:
    flash(message, "success")
    return redirect(url_for("officer_contact.show", reference=contact.reference, _anchor=anchor))


@bp.get("/contacts/<reference>")
@requires(Permission.WORK_CONTACTS)
def show(reference: str) -> tuple[str, int]:
    contact = _load(reference)
    session = extensions.session()
    audit.record(
        session,
        Action.CONTACT_VIEWED,
        current_staff(),
        "contact",
        contact.reference,
        audit.client_ip(),
    )
    session.commit()
    return _page(contact)


@bp.post("/contacts/<reference>/rating")
@requires(Permission.WORK_CONTACTS)
def rating(reference: str) -> Response | tuple[str, int]:
    contact = _load(reference)
    errors = decisions.set_rating(
        extensions.session(),
        contact,
        _actor(),
        request.form.get("rating", ""),
        request.form.get("reason", ""),
    )
    if errors:
        return _page(contact, errors)
    extensions.session().commit()
    return _done(contact, "Rating saved", "decision")


@bp.post("/contacts/<reference>/outcome")
@requires(Permission.WORK_CONTACTS)
def outcome(reference: str) -> Response | tuple[str, int]:
    contact = _load(reference)
    session = extensions.session()
    errors, _messages = decisions.record_outcome(
        session,
        contact,
        _actor(),
        request.form.get("outcome", ""),
        request.form.get("note", ""),
    )
    if errors:
        return _page(contact, errors)
    session.commit()
    return _done(contact, f"Outcome recorded for {contact.reference}", "decision")


@bp.post("/contacts/<reference>/assign")
@requires(Permission.WORK_CONTACTS)
def assign(reference: str) -> Response | tuple[str, int]:
    contact = _load(reference)
    session = extensions.session()
    raw = request.form.get("assignee", "")
    user_id = whole_number(raw, below=2**31)
    assignee = session.get(User, user_id) if user_id is not None else None
    if raw and assignee is None:
        return _page(contact, {"assignee": "Choose a colleague from the list"})
    errors = decisions.assign(session, contact, _actor(), assignee)
    if errors:
        return _page(contact, errors)
    session.commit()
    who = (assignee.name or assignee.email) if assignee else "no one"
    return _done(contact, f"{contact.reference} is assigned to {who}", "assign")


@bp.post("/contacts/<reference>/matches/<int:match_id>")
@requires(Permission.WORK_CONTACTS)
def decide_match(reference: str, match_id: int) -> Response | tuple[str, int]:
    contact = _load(reference)
    session = extensions.session()
    match = matches.find(session, contact.id, match_id)
    if match is None:
        abort(404, description="That match is not on this contact.")
    user = current_staff()
    if match.person_record.restricted and not user.can_see_restricted:
        refuse(user, "person_record", str(match.person_record_id), contact=contact.reference)
    choice = request.form.get("decision", "")
    if choice not in ("confirm", "reject"):
        return _page(contact, {f"match-{match_id}": "Choose whether this is the same person"})
    errors = decisions.decide_match(session, contact, _actor(), match, choice == "confirm")
    if errors:
        return _page(contact, errors)
    session.commit()
    word = "confirmed" if choice == "confirm" else "rejected"
    return _done(contact, f"Match {word}", f"match-{match_id}")


@bp.post("/contacts/<reference>/messages/<int:message_id>/resend")
@requires(Permission.WORK_CONTACTS)
def resend(reference: str, message_id: int) -> Response | tuple[str, int]:
    contact = _load(reference)
    session = extensions.session()
    message = _on_contact(
        OutboundMessage, message_id, contact, "That message is not on this contact."
    )
    try:
        new = feedback_messages.resend(session, message)
    except feedback_messages.ResendRefused as refused:
        return _page(contact, {f"message-{message_id}": str(refused)})
    audit.record(
        session,
        Action.MESSAGE_RESENT,
        current_staff(),
        "contact",
        contact.reference,
        audit.client_ip(),
        message=message.id,
        new_message=new.id,
    )
    session.commit()
    return _done(contact, "The message will be sent again", "messages")


# What an officer is told when a file cannot be given back, by AttachmentUnavailable.reason.
_UNAVAILABLE = {
    "missing": "The file is no longer stored. Ask the referrer to send it again.",
    "unreadable": "The file cannot be opened with the service's keys. Tell your administrator.",
    "changed": "The file is not the one that was received, so it is not shown. Tell your "
    "administrator.",
}


@bp.get("/contacts/<reference>/attachments/<int:attachment_id>")
@requires(Permission.WORK_CONTACTS)
def attachment(reference: str, attachment_id: int) -> Response:
    """A file emailed with the referral, decrypted, as a download (never shown inline: it came
    from outside). Each download is audited, like a view of the contact."""
    contact = _load(reference)
    session = extensions.session()
    stored = _on_contact(Attachment, attachment_id, contact, "That file is not on this contact.")
    try:
        data = read_attachment(extensions.settings(), stored)
    except AttachmentUnavailable as exc:
        log.error("attachment %s of %s cannot be served: %s", stored.id, contact.reference, exc)
        abort(410 if exc.reason == "missing" else 500, description=_UNAVAILABLE[exc.reason])
    audit.record(
        session,
        Action.ATTACHMENT_DOWNLOADED,
        current_staff(),
        "contact",
        contact.reference,
        audit.client_ip(),
        attachment=stored.id,
    )
    session.commit()
    return Response(data, headers=download_headers(stored))
