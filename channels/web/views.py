"""The web form: a start page, one question per page, check answers, submit, confirmation.

The pages only show questions and read replies; what is asked, in which order, and whether a
reply is good enough is decided by `forms`. Every page is a plain HTML form, so the whole
referral can be made without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from markupsafe import Markup, escape
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from channels.web import drafts, fields, navigation, resume
from forms import flow
from forms.choices import is_professional
from forms.flow import FlowState, Step
from forms.parsing import format_phone_for_display
from forms.questions import question_for_key
from forms.summary import Section, summarise
from intake import extensions, service
from intake.models import Contact, ContactStatus

# Served under /assets/ so, like GOV.UK Frontend's files, the script may be cached.
bp = Blueprint(
    "web",
    __name__,
    static_folder="static",
    static_url_path="/assets/site",
)

SERVICE_NAME = "Tell us you are worried about a child"
DEFAULT_ORGANISATION = "Children's Services"

# The longest answer is 20,000 characters: URL-encoded, well under this. The app allows 12 MB
# for emails arriving over HTTP; a page of the form has no need to read that much.
MAX_FORM_BYTES = 1024 * 1024


@bp.url_value_preprocessor
def limit_body(_endpoint: str | None, _values: dict[str, Any] | None) -> None:
    # A URL value preprocessor, because these run before every before_request function, and
    # CSRF protection reads the form in one of those.
    request.max_content_length = MAX_FORM_BYTES


@bp.app_context_processor
def layout_context() -> dict[str, Any]:
    """What the site's layout shows on every page, whichever blueprint renders it."""
    duty = extensions.settings().duty_phone_number
    return {
        "service_name": SERVICE_NAME,
        "organisation_name": current_app.config.get("ORGANISATION_NAME", DEFAULT_ORGANISATION),
        "duty_phone": format_phone_for_display(duty) if duty else None,
    }


@bp.get("/")
def home() -> Response:
    return redirect(url_for(".start"))


@bp.get("/refer")
def start() -> str:
    has_draft = drafts.current(extensions.session()) is not None
    return render_template(
        "web/start.html", has_draft=has_draft, first_question=navigation.FIRST_QUESTION
    )


@bp.get("/refer/continue")
def carry_on() -> Response:
    """Where this browser's referral is up to: the next question, or the answers to check."""
    contact = drafts.current(extensions.session())
    if contact is None:
        return redirect(url_for(".start"))
    step = flow.current_step(service.load_state(contact))
    return redirect(_question_url(step.key) if step else url_for(".check"))


@dataclass(frozen=True)
class _Question:
    """A question page's draft (None before the first answer), conversation and step."""

    contact: Contact | None
    state: FlowState
    step: Step


def _open_question(key: str, *, for_update: bool) -> _Question | Response:
    try:
        question_for_key(key)
    except KeyError:
        abort(404)
    contact = drafts.current(extensions.session(), for_update=for_update)
    if contact is None and key != navigation.FIRST_QUESTION:
        # Not started in this browser, or its session has ended: begin at the beginning.
        return redirect(url_for(".start"))
    state = service.load_state(contact) if contact else FlowState()
    step = flow.step_for(key, state.answers)
    if step is None or not navigation.may_visit(state, key):
        return redirect(url_for(".carry_on") if contact else url_for(".start"))
    return _Question(contact, state, step)


@bp.route("/refer/q/<key>", methods=["GET", "POST"])
def question(key: str) -> Response | str:
    # An answer locks the draft until it commits, so two tabs cannot lose each other's answers.
    opened = _open_question(key, for_update=request.method == "POST")
    if isinstance(opened, Response):
        return opened
    if request.method == "GET":
        reply = fields.as_reply(opened.step.question, opened.state.answers.get(key))
        return _question_page(opened, reply, None)
    return _answer(opened)


def _answer(opened: _Question) -> Response | str:
    state, key = opened.state, opened.step.key
    raw = fields.read_reply(opened.step.question, request.form)
    # "Save and come back later" keeps what was typed on this page too, when it is a whole
    # answer; a half-typed or empty one is left for when they come back, not refused or
    # taken as skipped.
    saving = request.form.get("save") == "1" and opened.contact is not None
    result = flow.answer(state, raw, key)
    if saving and (not result.ok or result.value is None):
        return redirect(url_for(".save"))
    if not result.ok:
        return _question_page(opened, raw, result.error)

    db = extensions.session()
    contact = opened.contact
    if contact is None:
        contact = drafts.start(db)
        drafts.remember(contact)
    service.record_answer(db, contact, key, raw, result.value, drafts.CHANNEL)
    service.save_state(contact, state)
    in_danger = key == navigation.FIRST_QUESTION and result.value is True
    if in_danger:
        # Flag the draft at once, not only on submission: the person may never finish.
        contact.immediate_danger = True
        service.event(db, contact, "told_to_call_999", channel=drafts.CHANNEL)
    db.commit()
    if saving:
        return redirect(url_for(".save"))
    if in_danger:
        return redirect(url_for(".danger", change="1" if _changing() else None))
    return redirect(_after(state, key, changing=_changing()))


@bp.get("/refer/danger")
def danger() -> Response | str:
    contact = drafts.current(extensions.session())
    if contact is None:
        return redirect(url_for(".start"))
    state = service.load_state(contact)
    return render_template(
        "web/danger.html",
        continue_url=_after(state, navigation.FIRST_QUESTION, changing=_changing()),
    )


@bp.get("/refer/check")
def check() -> Response | str:
    contact = drafts.current(extensions.session())
    if contact is None:
        return redirect(url_for(".start"))
    state = service.load_state(contact)
    unanswered = flow.next_unanswered(state)
    if unanswered is not None:
        return redirect(_question_url(unanswered.key))
    return render_template("web/check.html", sections=_summary_lists(summarise(state)))


@bp.post("/refer/check")
def submit() -> Response:
    db = extensions.session()
    contact = drafts.current(db, for_update=True)
    if contact is None:
        # Already submitted (a second click, another tab) or never started.
        if drafts.submitted(db) is not None:
            return redirect(url_for(".confirmation"))
        return redirect(url_for(".start"))
    state = service.load_state(contact)
    unanswered = flow.next_unanswered(state)
    if unanswered is not None:
        return redirect(_question_url(unanswered.key))
    contact_id = contact.id
    try:
        service.submit(db, contact, state)
        db.commit()
    except IntegrityError:
        # Two submits of one draft at once where the draft cannot be locked (the embedded
        # SQLite): the other one sent it first, and its acknowledgement is the one kept.
        db.rollback()
        sent = db.get(Contact, contact_id)
        if sent is None or sent.status == ContactStatus.DRAFT:
            raise
        contact = sent
    drafts.remember_submitted(contact)
    return redirect(url_for(".confirmation"))


@bp.get("/refer/confirmation")
def confirmation() -> Response | str:
    contact = drafts.submitted(extensions.session())
    if contact is None:
        return redirect(url_for(".start"))
    return render_template(
        "web/confirmation.html",
        reference=contact.reference,
        anonymous=contact.referrer_anonymous,
        feedback_by=contact.feedback_by,
        professional=is_professional(contact.referrer_type),
    )


@bp.get("/refer/save")
def save() -> Response | str:
    db = extensions.session()
    contact = drafts.current(db)
    if contact is None:
        return redirect(url_for(".start"))
    settings = extensions.settings()
    token = resume.make_token(settings.secret_key, contact)
    service.event(db, contact, "resume_link_made", channel=drafts.CHANNEL)
    db.commit()
    return render_template(
        "web/save.html",
        link=settings.base_url + url_for(".resume_draft", token=token),
        days=settings.resume_token_max_age_days,
    )


@bp.get("/refer/resume/<token>")
def resume_draft(token: str) -> Response | tuple[str, int]:
    db = extensions.session()
    settings = extensions.settings()
    opened = resume.open_token(
        db, settings.secret_key, token, timedelta(days=settings.resume_token_max_age_days)
    )
    if opened.contact is None:
        status = 404 if opened.problem is resume.Problem.INVALID else 410
        page = render_template(
            "web/resume_problem.html",
            problem=str(opened.problem),
            days=settings.resume_token_max_age_days,
        )
        return page, status
    drafts.remember(opened.contact)
    service.event(db, opened.contact, "resumed", channel=drafts.CHANNEL)
    db.commit()
    return redirect(url_for(".carry_on"))


# --- helpers --------------------------------------------------------------------------------


def _changing() -> bool:
    """Whether the person came from the check-answers page to change this answer."""
    return request.args.get("change") == "1"


def _question_url(key: str, *, changing: bool = False) -> str:
    return url_for(".question", key=key, change="1" if changing else None)


def _after(state: FlowState, key: str, *, changing: bool) -> str:
    following = navigation.after_answer(state, key, changing=changing)
    if following is None:
        return url_for(".check")
    return _question_url(following, changing=changing)


def _question_page(opened: _Question, reply: Any, error: str | None) -> str:
    step, changing = opened.step, _changing()
    if changing:
        back_url = url_for(".check")
    else:
        previous = navigation.before(opened.state, step.key)
        back_url = _question_url(previous) if previous else url_for(".start")
    return render_template(
        "web/question.html",
        title=fields.page_title(step),
        widget=fields.widget(step, reply, error),
        error=error,
        back_url=back_url,
        action=_question_url(step.key, changing=changing),
        can_save=opened.contact is not None,
    )


def _summary_lists(sections: list[Section]) -> list[dict[str, Any]]:
    """govukSummaryList parameters for each section of the answers."""
    return [
        {
            "title": section.title,
            "rows": [
                {
                    "key": {"text": row.label},
                    "value": {"html": _with_line_breaks(row.value)},
                    "actions": {
                        "items": [
                            {
                                "href": _question_url(row.key, changing=True),
                                "text": "Change",
                                "visuallyHiddenText": f"{row.label} ({section.title})",
                            }
                        ]
                    },
                }
                for row in section.rows
            ],
        }
        for section in sections
    ]


def _with_line_breaks(text: str) -> Markup:
    # Long answers keep the person's paragraphs on the check-answers page.
    return Markup("<br>").join(escape(line) for line in text.splitlines()) or Markup("")
