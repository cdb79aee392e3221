"""One text message, taken through the question flow: the logic behind `POST /channels/sms`.

The conversation is keyed by the sender's number and lives in the database: the flow's answers
on the draft contact (`forms.flow`), the thread's own mode (answering, choosing an answer to
change) on the `Conversation` row. This module decides what to say; the view turns it into
TwiML. Nothing here logs what anyone wrote.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from channels.danger import flag as mark_danger
from channels.sms import render, wording
from channels.sms.keywords import Command, Danger, is_courtesy, read_command, read_danger
from channels.twilio_common import conversations
from channels.twilio_common.conversations import IDLE, OPTED_OUT, SUBMITTED
from forms import flow
from forms.flow import FlowState, Step
from forms.parsing import ParseError, parse_yes_no
from forms.prefill import CONCERN_MIN_CHARS, answers_from_extraction
from forms.questions import Kind
from intake import service
from intake.config import Settings
from intake.models import Conversation

log = logging.getLogger(__name__)

CHANNEL = "sms"

# The thread's mode, kept in `Conversation.state`.
MODE = "mode"
ASKING = "asking"
CHOOSING_CHANGE = "choosing_change"
CHANGE_KEYS = "change_keys"

# "Don't know" as people text it: a blank answer, never a name, an address or a school.
_DONT_KNOW_WORDS = frozenset(
    {
        "don't know", "dont know", "do not know", "i don't know", "i dont know", "not sure",
        "idk", "dunno", "no idea", "not known", "unknown", "n/k",
    }
)  # fmt: skip
# How long after a referral is sent a "thanks" from the number is about that referral.
_AFTER_SENDING = timedelta(hours=4)
# What "Do you know the child's date of birth?" leads to, and a choice given by its number.
_LEADS_TO = frozenset({Kind.DATE_OF_BIRTH, Kind.AGE, Kind.EXPECTED_DATE})
_CHOICE_NUMBER = re.compile(r"^\s*\d\b[.):,\-]?\s*")
# Questions whose answer is the person's own words: an alarm there is an answer too.
_FREE_TEXT_KINDS = frozenset({Kind.TEXT, Kind.LONG_TEXT})
# Questions answered from a list, where "don't know" is one of the options, not a blank.
_CHOSEN_KINDS = frozenset({Kind.YES_NO, Kind.CHOICE, Kind.MULTI_CHOICE})
_SAME_NUMBER_WORDS = frozenset({"same", "this", "this number", "this one", "same number"})


@dataclass(frozen=True)
class IncomingText:
    sender: str
    body: str
    media_count: int = 0


@dataclass
class Reply:
    """What to send back: `parts` go in one message, `pieces` (a summary) in their own."""

    parts: list[str] = field(default_factory=list)
    pieces: list[str] = field(default_factory=list)
    contact_id: int | None = None

    @property
    def messages(self) -> list[str]:
        return [*render.one_message(self.parts), *self.pieces] if self.parts else self.pieces


@dataclass
class _Thread:
    """The conversation being worked on during one message."""

    session: Session
    settings: Settings
    conversation: Conversation
    state: FlowState
    mode: dict[str, Any]
    sender: str
    reply: Reply
    now: datetime
    danger: Danger


def handle_text(session: Session, settings: Settings, text: IncomingText, now: datetime) -> Reply:
    conversations.lock_thread(session, CHANNEL, text.sender)
    body = text.body.strip()
    command, argument = read_command(body)
    conversation = conversations.open_conversation(session, CHANNEL, text.sender)
    if command is Command.OPT_OUT:
        return _opt_out(session, conversation, now)

    reply = Reply()
    danger = read_danger(body)
    if danger.mentioned:
        reply.parts.append(wording.emergency(settings.duty_phone_number))
    if text.media_count:
        reply.parts.append(wording.PICTURES)

    if conversation is not None and conversations.is_idle(
        conversation, now, settings.conversation_idle_minutes
    ):
        _pause(session, conversation, now)
        conversation = None
    if conversation is None:
        max_age = timedelta(days=settings.resume_token_max_age_days)
        paused = conversations.resumable_conversation(session, CHANNEL, text.sender, now, max_age)
        if paused is None:
            sent = _just_sent(session, text.sender, now) if is_courtesy(body) else None
            if sent is not None:
                reply.contact_id = sent.contact_id
                reply.parts.append(wording.already_sent(sent.contact.reference))
                return reply
            started = conversations.start_conversation(
                session, CHANNEL, text.sender, origin_address=text.sender, now=now
            )
            thread = _thread(session, settings, started, text.sender, reply, now, danger)
            _first_message(thread, body, command)
            return _finish(thread)
        if command not in (Command.RESUME, Command.RESTART) and not danger.alarm:
            # Not taken as an answer: it may be hours later, about something else entirely.
            # (An alarm reopens the referral: the advice says we carry on taking it here.)
            _keep_words(paused, body)
            reply.contact_id = paused.contact_id
            reply.parts.append(wording.paused(settings.conversation_idle_minutes))
            return reply
        conversations.reopen(paused, now)
        service.event(session, paused.contact, "conversation_resumed", channel=CHANNEL)
        conversation = paused

    _keep_words(conversation, body)
    thread = _thread(session, settings, conversation, text.sender, reply, now, danger)
    if danger.alarm:
        _flag_danger(thread, body)
        step = flow.current_step(thread.state)
        if (
            step is not None
            and step.question.kind in _FREE_TEXT_KINDS
            and thread.mode.get(MODE) != CHOOSING_CHANGE
        ):
            _answer(thread, body)
        else:
            _ask_next(thread)
    elif command is not None:
        _command(thread, command, argument)
    elif not body:
        if not text.media_count:
            reply.parts.append(wording.EMPTY)
        _ask_next(thread)
    elif thread.mode.get(MODE) == CHOOSING_CHANGE:
        _choose_change(thread, body)
    else:
        _answer(thread, body)
    return _finish(thread)


def _just_sent(session: Session, sender: str, now: datetime) -> Conversation | None:
    """The conversation that sent a referral from this number in the last few hours, for a
    "thanks" or "ok" after it (or the phone sending YES again): that is not a new referral."""
    latest = conversations.latest_conversation(session, CHANNEL, sender)
    if (
        latest is None
        or latest.close_reason != SUBMITTED
        or latest.closed_at is None
        or now - latest.closed_at > _AFTER_SENDING
    ):
        return None
    return latest


def _pause(session: Session, conversation: Conversation, now: datetime) -> None:
    conversations.close(conversation, IDLE, now)
    service.event(session, conversation.contact, "conversation_paused", channel=CHANNEL)
    log.info("sms conversation %s paused after being idle", conversation.id)


def _keep_words(conversation: Conversation, body: str) -> None:
    if body:
        conversations.append_transcript(conversation.contact, body)


def _thread(
    session: Session,
    settings: Settings,
    conversation: Conversation,
    sender: str,
    reply: Reply,
    now: datetime,
    danger: Danger,
) -> _Thread:
    reply.contact_id = conversation.contact_id
    return _Thread(
        session=session,
        settings=settings,
        conversation=conversation,
        state=service.load_state(conversation.contact),
        mode=conversations.channel_state(conversation),
        sender=sender,
        reply=reply,
        now=now,
        danger=danger,
    )


def _finish(thread: _Thread) -> Reply:
    if thread.conversation.closed_at is None:
        conversations.touch(thread.conversation, thread.now)
    conversations.save_channel_state(thread.conversation, thread.mode)
    service.save_state(thread.conversation.contact, thread.state)
    return thread.reply


def _opt_out(session: Session, conversation: Conversation | None, now: datetime) -> Reply:
    """Twilio has already told the sender they will get no more texts; close quietly."""
    if conversation is None:
        return Reply()
    conversations.close(conversation, OPTED_OUT, now)
    service.event(session, conversation.contact, "conversation_stopped", channel=CHANNEL)
    log.info("sms conversation %s stopped by the sender", conversation.id)
    return Reply(contact_id=conversation.contact_id)


def _first_message(thread: _Thread, body: str, command: Command | None) -> None:
    """Greet a new sender; a long first message is read for answers before asking anything."""
    _keep_words(thread.conversation, body)
    thread.reply.parts.insert(0, wording.GREETING)
    if command is Command.HELP:
        thread.reply.parts.append(wording.HELP)
    elif command is Command.RESUME:
        thread.reply.parts.append(wording.NOTHING_TO_RESUME)
    if thread.danger.alarm:
        _flag_danger(thread, body)
    elif len(body) >= CONCERN_MIN_CHARS and _prefill(thread, body):
        thread.reply.parts.append(wording.PREFILLED)
    _ask_next(thread)


def _prefill(thread: _Thread, text: str) -> list[str]:
    # Imported here: spaCy is heavy, and only a long message needs it.
    from nlp import extract

    try:
        extraction = extract(text)
    except Exception as exc:
        # Pre-filling only saves the referrer some typing; the questions still get asked.
        log.warning("sms pre-fill skipped: %s", type(exc).__name__)
        return []
    values = answers_from_extraction(extraction, text)
    filled = flow.prefill(thread.state, values, source="nlp")
    contact = thread.conversation.contact
    for key in filled:
        service.record_answer(
            thread.session, contact, key, None, thread.state.answers[key], CHANNEL, source="nlp"
        )
    return filled


def _flag_danger(thread: _Thread, body: str) -> None:
    """An alarm mid-conversation: the advice is already in the reply; mark the referral."""
    mark_danger(thread.session, thread.conversation.contact, thread.state, body, CHANNEL)


def _command(thread: _Thread, command: Command, argument: str) -> None:
    state, reply = thread.state, thread.reply
    match command:
        case Command.HELP:
            reply.parts.append(wording.HELP)
            _ask_next(thread)
        case Command.BACK:
            before = flow.current_step(state)
            target = flow.back(state)
            if target is None or (before is not None and target.key == before.key):
                reply.parts.append(wording.FIRST_QUESTION)
            _ask_next(thread, remind=True)
        case Command.CHANGE:
            pieces, keys = render.change_messages(state)
            if not keys:
                reply.parts.append(wording.NOTHING_TO_CHANGE)
                _ask_next(thread)
            elif argument:
                thread.mode[CHANGE_KEYS] = keys
                _choose_change(thread, argument)
            else:
                reply.pieces.extend(pieces)
                thread.mode.update({MODE: CHOOSING_CHANGE, CHANGE_KEYS: keys})
        case Command.RESTART:
            flow.restart(state)
            service.event(thread.session, thread.conversation.contact, "restarted")
            reply.parts.append(wording.RESTARTED)
            _ask_next(thread)
        case Command.RESUME:
            reply.parts.append(wording.RESUMED)
            _ask_next(thread)
        case Command.OPT_OUT:
            raise AssertionError("opt-out is handled before the conversation is loaded")


def _choose_change(thread: _Thread, body: str) -> None:
    keys: list[str] = list(thread.mode.get(CHANGE_KEYS) or [])
    choice = body.strip().rstrip(".")
    if not choice.isdigit() or not 1 <= int(choice) <= len(keys):
        thread.reply.parts.append(wording.change_out_of_range(len(keys)))
        return
    flow.change(thread.state, keys[int(choice) - 1])
    _ask_next(thread, remind=True)


def _answer(thread: _Thread, body: str) -> None:
    state, reply = thread.state, thread.reply
    step = flow.current_step(state)
    if step is None:
        _confirm(thread, body)
        return
    raw = _raw_answer(step, body, thread.sender)
    result = flow.answer(state, raw, today=thread.now.date())
    if not result.ok:
        reply.parts.append(f"{result.error}. {_prompt(thread, step)}")
        return
    contact = thread.conversation.contact
    service.record_answer(thread.session, contact, step.key, body, result.value, CHANNEL)
    if step.key == "immediate_danger" and result.value is True and not thread.danger.mentioned:
        reply.parts.append(wording.emergency(thread.settings.duty_phone_number))
    if step.question.id == "age_known":
        _carry_on_into_the_date_or_age(thread, body)
    if step.question.kind is Kind.LONG_TEXT and len(body) >= CONCERN_MIN_CHARS:
        # An account of what happened often names the school or gives a date of birth that
        # was skipped earlier: fill those gaps (never changing an answer) before the summary.
        _prefill(thread, body)
    _ask_next(thread)


def _carry_on_into_the_date_or_age(thread: _Thread, body: str) -> None:
    """ "She's about 7", "dob 3/4/15" to "Do you know the child's date of birth?" choose how,
    and give the age or the date too: take it rather than ask for it again. (Only what parses:
    otherwise the next question is asked as usual.)"""
    step = flow.current_step(thread.state)
    if step is None or step.question.kind not in _LEADS_TO:
        return
    rest = _CHOICE_NUMBER.sub("", body, count=1)  # "2. about 7": the 2 chose; 7 is the age
    if not rest.strip():
        return
    result = flow.answer(thread.state, rest, today=thread.now.date())
    if result.ok:
        contact = thread.conversation.contact
        service.record_answer(thread.session, contact, step.key, body, result.value, CHANNEL)


def _raw_answer(step: Step, body: str, sender: str) -> str:
    """The reply as the flow should read it: SKIP is a blank answer, SAME is this number."""
    words = body.strip().rstrip(".!").lower()
    if words == "skip":
        return ""
    if words in _DONT_KNOW_WORDS and step.question.kind not in _CHOSEN_KINDS:
        return step.question.dont_know or ""
    if step.key == "referrer_phone" and words in _SAME_NUMBER_WORDS:
        return sender
    return body


def _confirm(thread: _Thread, body: str) -> None:
    try:
        send = parse_yes_no(body)
    except ParseError:
        thread.reply.parts.append(wording.CONFIRM)
        return
    if not send:
        thread.reply.parts.append(wording.NOT_SENT)
        return
    contact = thread.conversation.contact
    service.submit(thread.session, contact, thread.state)
    conversations.close(thread.conversation, SUBMITTED, thread.now)
    thread.reply.parts.append(wording.submitted(contact.reference, contact.referrer_anonymous))
    log.info("sms conversation %s submitted contact %s", thread.conversation.id, contact.id)


def _ask_next(thread: _Thread, *, remind: bool = False) -> None:
    """Ask the question the flow is on, or read the answers back for confirmation."""
    thread.mode[MODE] = ASKING
    thread.mode.pop(CHANGE_KEYS, None)
    step = flow.current_step(thread.state)
    if step is None:
        thread.reply.pieces.extend(render.summary_messages(thread.state))
        return
    if remind:
        reminder = render.previous_answer(thread.state, step.key)
        if reminder:
            thread.reply.parts.append(reminder)
    thread.reply.parts.append(_prompt(thread, step))


def _prompt(thread: _Thread, step: Step) -> str:
    return render.prompt(step, offer_same_number=True)
