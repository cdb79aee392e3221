"""The review queue (deadline order, with filters), unfinished drafts, and failed messages."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from intake import extensions
from intake.models import utcnow
from intake.review import worklist
from intake.review.paging import page_number
from intake.review.permissions import Permission, current_staff, requires
from intake.review.vocabulary import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    RATING_LABELS,
    RATINGS_BY_URGENCY,
)

bp = Blueprint("officer_queue", __name__, url_prefix="/officer")


@bp.get("/queue")
@requires(Permission.WORK_CONTACTS)
def queue() -> str:
    session = extensions.session()
    filters = worklist.QueueFilters.from_args(request.args)
    user = current_staff()
    page = worklist.queue_page(
        session,
        filters,
        page_number(request.args),
        utcnow(),
        can_see_restricted=user.can_see_restricted,
    )
    return render_template(
        "officer/queue.html",
        page=page,
        filters=filters,
        tabs=worklist.counts_for_tabs(session),
        user=user,
        rating_options=[(code, RATING_LABELS[code]) for code in RATINGS_BY_URGENCY],
        category_options=sorted(CATEGORY_LABELS.items(), key=lambda item: item[1]),
        status_options=list(worklist.STATUS_FILTERS.items()),
        channel_options=list(CHANNEL_LABELS.items()),
    )


@bp.get("/drafts")
@requires(Permission.WORK_CONTACTS)
def drafts() -> str:
    session = extensions.session()
    return render_template(
        "officer/drafts.html",
        page=worklist.drafts_page(session, page_number(request.args)),
        tabs=worklist.counts_for_tabs(session),
    )


@bp.get("/messages")
@requires(Permission.WORK_CONTACTS)
def failed_messages() -> str:
    session = extensions.session()
    return render_template(
        "officer/messages.html",
        messages=worklist.failed_messages(session),
        tabs=worklist.counts_for_tabs(session),
        user=current_staff(),
    )
