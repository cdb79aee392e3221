"""A phone call taken through the question flow: the logic behind `/channels/voice/...`.

Each Twilio request is one turn: the caller's answer to the last `<Gather>` comes in, and the
TwiML for the next thing to say goes back. The call's conversation is keyed by its CallSid;
the flow's answers and a transcript of everything asked and heard are saved on the draft
contact at every turn, so a caller who hangs up part way leaves a draft an officer can read
and call back (the caller's number is `Contact.origin_address`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from channels import danger
from channels.twilio_common import conversations
from channels.twilio_common.conversations import HUNG_UP, SUBMITTED
from channels.twilio_common.labels import short_label
from channels.voice import opening_hours, prompts, speech
from channels.voice.speech import CANNOT_ANSWER_KEY, Heard
from forms import flow
from forms.flow import FlowState, Step
from forms.parsing import ParseError, format_phone_for_display, parse_yes_no
from forms.questions import Kind, Question, question_for_key
from forms.summary import summarise
from intake import service
from intake.config import Settings
from intake.models import Contact, Conversation

log = logging.getLogger(__name__)

CHANNEL = "voice"
PATH = "/channels/voice"
CALL_BACK = "call_back"

# Keys in `Conversation.state`.
TRIES = "tries"
PENDING = "pending"
CHANGE_KEYS = "change_keys"

# Call statuses that mean the call is over (Twilio's StatusCallback).
FINAL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
# A number Twilio gives for a caller who withheld theirs is not a number we can call back.
_CALLABLE = re.compile(r"^\+[1-9]\d{6,14}$")
# Questions whose answer is the caller's own words: danger said there is an answer too.
_FREE_TEXT_KINDS = frozenset({Kind.TEXT, Kind.LONG_TEXT})
_WITHHELD = frozenset({"+266696687", "+7378742833", "+2562533", "+86282452253", "+8656696"})

_NEEDS_READBACK = frozenset({Kind.EMAIL})


@dataclass
class Call:
    """One turn of a call: its conversation, the flow's state and what to say back."""

    session: Session
    settings: Settings
    conversation: Conversation
    state: FlowState
    mode: dict[str, Any]
    caller: str | None
    now: datetime
    response: VoiceResponse = field(default_factory=VoiceResponse)

    @property
    def contact(self) -> Contact:
        return self.conversation.contact

    def url(self, path: str = "", **query: str) -> str:
        base = f"{self.settings.base_url.rstrip('/')}{PATH}{path}"
        return f"{base}?{urlencode(query)}" if query else base

    def say(self, text: str) -> None:
        prompts.say(self.response, text)


def callable_number(number: str) -> str | None:
    number = number.strip()
    return number if _CALLABLE.match(number) and number not in _WITHHELD else None


def open_call(
    session: Session, settings: Settings, call_sid: str, caller: str, now: datetime
) -> Call:
    """The call's conversation, started if this is the first we have heard of it."""
    conversations.lock_thread(session, CHANNEL, call_sid)
    conversation = conversations.latest_conversation(session, CHANNEL, call_sid)
    number = callable_number(caller)
    if conversation is None:
        conversation = conversations.start_conversation(
            session, CHANNEL, call_sid, origin_address=number, now=now
        )
        log.info("voice call started conversation %s", conversation.id)
    return Call(
        session=session,
        settings=settings,
        conversation=conversation,
        state=service.load_state(conversation.contact),
        mode=conversations.channel_state(conversation),
        caller=number,
        now=now,
    )


def finish(call: Call) -> None:
    if call.conversation.closed_at is None:
        conversations.touch(call.conversation, call.now)
    conversations.save_channel_state(call.conversation, call.mode)
    service.save_state(call.contact, call.state)


# --- turns ----------------------------------------------------------------------------------


def greet(call: Call) -> None:
    if _ended(call):
        return
    offers = [prompts.DUTY_OFFER] if call.settings.duty_phone_number else []
    text = " ".join([prompts.GREETING, *offers, prompts.OFFICER_OFFER, prompts.INTRODUCTION])
    prompts.gather_keys(call.response, call.url("/menu"), text)


def menu(call: Call, heard: Heard) -> None:
    """After the greeting or the danger advice: 9 for the duty line, 0 for an officer."""
    if _ended(call):
        return
    if heard.digits == "9":
        _put_through_to_duty(call)
    elif heard.digits == "0":
        _put_through_to_officer(call)
    else:
        ask(call)


def ask(call: Call, lead_in: str = "") -> None:
    """Ask the question the flow is on, or offer to send the referral when all are answered."""
    if _ended(call):
        return
    step = flow.current_step(call.state)
    if step is None:
        if lead_in:
            call.say(lead_in)
        prompts.gather_keys(call.response, call.url("/check"), prompts.CHECK, speech=True)
        return
    prompts.gather_answer(
        call.response,
        step,
        call.url("/answer", key=step.key),
        caller_known=call.caller is not None,
        optional=not flow.is_required(step, call.state.answers),
        lead_in=lead_in,
    )


def answer(call: Call, key: str, heard: Heard) -> None:
    if _ended(call):
        return
    if heard.digits == "0":
        # 0 on its own is always the officer, as the greeting promised; a baby's age of 0 is
        # said ("zero") rather than typed.
        _put_through_to_officer(call)
        return
    step = flow.current_step(call.state)
    if step is None or step.key != key:
        # A late or repeated request for a question already dealt with: carry on from here.
        ask(call)
        return
    command = speech.command(heard)
    if command is not None:
        _command(call, step, command)
        return
    _transcribe(call, step.question.prompt, heard)
    if heard.digits == CANNOT_ANSWER_KEY:
        if call.caller and flow.is_required(step, call.state.answers):
            _call_back(call)
        else:
            _cannot_answer(call, step)
        return
    if (
        heard.speech
        and step.question.kind not in _FREE_TEXT_KINDS
        and danger.says_danger_now(heard.speech)
    ):
        # "He's got a knife now" said at any question: the advice first; the question after.
        _danger(call, heard)
        return
    raw = (
        speech.keyed(step.question, heard.digits, call.caller)
        if heard.digits
        else speech.spoken(step.question, heard.speech)
    )
    if heard.silent or heard.unsure or raw is None:
        _not_caught(call, step)
        return
    try:
        value = step.question.parse(raw, call.state.answers, call.now.date())
    except ParseError as exc:
        _not_caught(call, step, f"Sorry, {_lower_first(str(exc))}.")
        return
    if value is None and flow.is_required(step, call.state.answers):
        _not_caught(call, step, f"Sorry, {_lower_first(flow.required_message(step))}.")
        return
    if heard.speech and value is not None and _needs_readback(step.question):
        call.mode[PENDING] = {
            "key": key,
            "raw": raw,
            "heard": heard.speech,
            "confidence": heard.confidence,
        }
        prompts.gather_keys(
            call.response,
            call.url("/confirm", key=key),
            prompts.readback(step.question, value),
            speech=True,
        )
        return
    _accept(call, step, raw, heard)


def confirm(call: Call, key: str, heard: Heard) -> None:
    """The caller's yes or no to "I heard 3rd of April 2015, is that right?"."""
    if _ended(call):
        return
    if heard.digits == "0":
        _put_through_to_officer(call)
        return
    pending = call.mode.get(PENDING)
    step = flow.current_step(call.state)
    if not pending or pending.get("key") != key or step is None or step.key != key:
        ask(call)
        return
    _transcribe(call, "Is that right?", heard)
    right = _yes_or_no(heard)
    if right is True:
        call.mode.pop(PENDING)
        said = Heard(speech=pending["heard"], confidence=pending.get("confidence"))
        _accept(call, step, pending["raw"], said)
        return
    tries = _count_try(call, f"confirm:{key}")
    if right is False or tries >= 2:
        call.mode.pop(PENDING)
        _reset_tries(call, key)
        ask(call, prompts.LET_US_TRY_AGAIN)
        return
    question, _index = question_for_key(key)
    value = question.parse(pending["raw"], call.state.answers, call.now.date())
    prompts.gather_keys(
        call.response, call.url("/confirm", key=key), prompts.readback(question, value), speech=True
    )


def check(call: Call, heard: Heard) -> None:
    """All answered: send, hear the answers, or change one."""
    if _ended(call):
        return
    if flow.current_step(call.state) is not None:
        ask(call)
        return
    said = heard.speech.lower()
    if heard.digits == "0":
        _put_through_to_officer(call)
    elif heard.digits == "1" or any(w in said for w in ("send", "yes")):
        _submit(call)
    elif heard.digits == "2" or any(w in said for w in ("hear", "read", "answers")):
        _read_answers(call)
        prompts.gather_keys(call.response, call.url("/check"), prompts.CHECK, speech=True)
    elif heard.digits == "3" or "change" in said:
        call.mode[CHANGE_KEYS] = [key for key, _line in _answer_lines(call.state)]
        prompts.gather_keys(call.response, call.url("/change"), prompts.CHANGE_WHICH, single=False)
    else:
        prompts.gather_keys(call.response, call.url("/check"), prompts.CHECK, speech=True)


def change(call: Call, heard: Heard) -> None:
    if _ended(call):
        return
    keys: list[str] = list(call.mode.get(CHANGE_KEYS) or [])
    digits = heard.digits
    if digits == "2":
        _read_answers(call)
        prompts.gather_keys(call.response, call.url("/change"), prompts.CHANGE_WHICH, single=False)
        return
    if not digits.isdigit() or not 1 <= int(digits) <= len(keys):
        ask(call, "Sorry, that is not one of the numbers.")
        return
    key = keys[int(digits) - 1]
    flow.change(call.state, key)
    call.mode.pop(CHANGE_KEYS, None)
    question, _index = question_for_key(key)
    value = call.state.answers.get(key)
    ask(call, f"Your answer was {prompts.spoken_value(question, value)}.")


def dial_ended(call: Call, dial_status: str) -> None:
    """Back from the duty line or an officer: done if they spoke, else take the referral."""
    if dial_status == "completed":
        call.say(prompts.DIAL_FINISHED)
        call.response.hangup()
        return
    ask(call, prompts.NO_ONE_ANSWERED)


def call_ended(session: Session, call_sid: str, call_status: str, now: datetime) -> int | None:
    """Twilio's status callback: a call that ends before it is sent leaves a draft for officers.

    Returns the contact id of a draft left behind, or None.
    """
    if call_status not in FINAL_STATUSES:
        return None
    conversations.lock_thread(session, CHANNEL, call_sid)
    conversation = conversations.open_conversation(session, CHANNEL, call_sid)
    if conversation is None:
        return None
    conversations.close(conversation, HUNG_UP, now)
    contact = conversation.contact
    answered = len(service.load_state(contact).answers)
    service.event(session, contact, "call_ended_before_submission", answers=answered)
    log.info("voice conversation %s ended before submission; draft kept", conversation.id)
    return contact.id


# --- helpers --------------------------------------------------------------------------------


def _ended(call: Call) -> bool:
    """A call whose referral was sent (or that asked for a call back) has nothing more to ask."""
    if call.conversation.closed_at is None:
        return False
    if call.conversation.close_reason == SUBMITTED:
        call.say(
            f"Your referral has been sent. Your reference is {prompts.spell(call.contact.reference)}."
        )
    call.response.hangup()
    return True


def _accept(call: Call, step: Step, raw: Any, heard: Heard) -> None:
    result = flow.answer(call.state, raw, step.key, today=call.now.date())
    if not result.ok:
        _not_caught(call, step, f"Sorry, {_lower_first(result.error or '')}.")
        return
    service.record_answer(
        call.session,
        call.contact,
        step.key,
        heard.as_text or None,
        result.value,
        CHANNEL,
        confidence=heard.confidence if heard.speech else None,
    )
    _reset_tries(call, step.key)
    if (step.key == "immediate_danger" and result.value is True) or (
        heard.speech
        and step.question.kind in _FREE_TEXT_KINDS
        and danger.says_danger_now(heard.speech)
    ):
        _danger(call, heard)
        return
    ask(call)


def _danger(call: Call, heard: Heard) -> None:
    """A child in danger now: mark the referral, give the advice, offer the duty line; the
    menu then carries on with the questions."""
    danger.flag(call.session, call.contact, call.state, heard.as_text or None, CHANNEL)
    offers = [prompts.DUTY_OFFER] if call.settings.duty_phone_number else []
    prompts.gather_keys(call.response, call.url("/menu"), " ".join([prompts.DANGER, *offers]))


def _not_caught(call: Call, step: Step, reason: str = prompts.NOT_CAUGHT) -> None:
    """Silence, low confidence or an answer that does not fit: ask again once, then help."""
    if _count_try(call, step.key) < 2:
        ask(call, reason)
        return
    _cannot_answer(call, step, reason)


def _cannot_answer(call: Call, step: Step, reason: str = "") -> None:
    """Skip an optional question; for a required one, offer the keypad or a call back."""
    if not flow.is_required(step, call.state.answers):
        flow.answer(call.state, "", step.key)
        service.record_answer(call.session, call.contact, step.key, None, None, CHANNEL)
        _reset_tries(call, step.key)
        ask(call, prompts.SKIPPED)
        return
    offers = [reason] if reason else []
    if speech.keyed(step.question, "1", call.caller) is not None:
        offers.append("You can type your answer on your keypad, then press hash.")
    if call.caller:
        offers.append("Or press star, and a contact officer will call you back on this number.")
    # "Or" only after another way to answer: alone, it would hang on nothing.
    offers.append(
        "Or press 0 to speak to a contact officer now."
        if offers
        else "Press 0 to speak to a contact officer now."
    )
    prompts.gather_answer(
        call.response,
        step,
        call.url("/answer", key=step.key),
        caller_known=call.caller is not None,
        optional=False,
        lead_in=" ".join(o for o in offers if o),
    )


def _call_back(call: Call) -> None:
    service.event(call.session, call.contact, "call_back_requested", channel=CHANNEL)
    conversations.close(call.conversation, CALL_BACK, call.now)
    call.say(prompts.CALL_BACK)
    call.response.hangup()
    log.info("voice conversation %s asked for a call back", call.conversation.id)


def _command(call: Call, step: Step, command: str) -> None:
    match command:
        case "back":
            target = flow.back(call.state)
            ask(call, prompts.FIRST_QUESTION if target is None or target.key == step.key else "")
        case "restart":
            flow.restart(call.state)
            service.event(call.session, call.contact, "restarted")
            ask(call, prompts.RESTARTED)
        case "help":
            ask(call, prompts.HELP)
        case "skip":
            _cannot_answer(call, step)
        case _:
            ask(call)


def _submit(call: Call) -> None:
    contact = call.contact
    service.submit(call.session, contact, call.state)
    conversations.close(call.conversation, SUBMITTED, call.now)
    spelled = prompts.spell(contact.reference)
    call.say(
        f"Thank you. Your referral has been sent. Your reference is {spelled}. "
        f"I will say that again: {spelled}. A contact officer will look at it soon. "
        "If a child is in immediate danger, hang up and call 999. Goodbye."
    )
    call.response.hangup()
    log.info("voice conversation %s submitted contact %s", call.conversation.id, contact.id)


def _read_answers(call: Call) -> None:
    lines = [f"{n}. {line}" for n, (_key, line) in enumerate(_answer_lines(call.state), 1)]
    call.say("Here are your answers.")
    # Twilio reads at most 4,096 characters in one <Say>.
    chunk: list[str] = []
    for line in lines:
        if sum(len(c) + 1 for c in chunk) + len(line) > 3000:
            call.say(" ".join(chunk))
            chunk = []
        chunk.append(line)
    if chunk:
        call.say(" ".join(chunk))


def _answer_lines(state: FlowState) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    for section in summarise(state):
        for row in section.rows:
            question, _index = question_for_key(row.key)
            value = prompts.spoken_value(question, state.answers.get(row.key))
            lines.append((row.key, f"{short_label(row.key)}: {value}."))
    return lines


def _put_through_to_duty(call: Call) -> None:
    number = call.settings.duty_phone_number
    if not number:
        ask(
            call,
            f"{prompts.CANNOT_PUT_THROUGH} If a child is in immediate danger, hang up and call 999.",
        )
        return
    service.event(call.session, call.contact, "put_through", line="duty")
    call.say("Putting you through to the duty social worker.")
    call.response.dial(number, action=call.url("/dial-ended"), timeout=30)


def _put_through_to_officer(call: Call) -> None:
    settings = call.settings
    try:
        open_now = opening_hours.is_open(settings.opening_hours, call.now)
        hours = opening_hours.describe(settings.opening_hours)
    except opening_hours.OpeningHoursError:
        log.warning("FRONTDOOR_OPENING_HOURS cannot be read; treating the officers' line as closed")
        open_now, hours = False, ""
    if open_now and settings.officer_phone_number:
        service.event(call.session, call.contact, "put_through", line="officer")
        call.say("Putting you through to a contact officer.")
        call.response.dial(
            settings.officer_phone_number, action=call.url("/dial-ended"), timeout=30
        )
        return
    advice = [
        f"Our contact officers answer calls {hours}." if hours else "",
        "No one can take your call just now.",
        "If a child is in immediate danger, hang up and call 999.",
    ]
    if settings.duty_phone_number:
        advice.append(
            "If you are worried about a child's safety today, press 9 for the duty social "
            f"worker, or call {format_phone_for_display(settings.duty_phone_number)}."
        )
    advice.append("Or stay on the line and I will take your referral now.")
    prompts.gather_keys(call.response, call.url("/menu"), " ".join(a for a in advice if a))


def _transcribe(call: Call, asked: str, heard: Heard) -> None:
    if heard.speech:
        said = f"Said: {heard.speech}"
        if heard.confidence is not None:
            said += f" (confidence {heard.confidence:.2f})"
    elif heard.digits:
        said = f"Pressed: {heard.digits}"
    else:
        said = "Said nothing"
    conversations.append_transcript(call.contact, f"Asked: {asked}\n{said}")


def _needs_readback(question: Question) -> bool:
    return question.confirm_by_voice or question.kind in _NEEDS_READBACK


def _yes_or_no(heard: Heard) -> bool | None:
    if heard.digits:
        return {"1": True, "2": False}.get(heard.digits)
    try:
        return parse_yes_no(heard.speech) if heard.speech else None
    except ParseError:
        return None


def _count_try(call: Call, key: str) -> int:
    tries = dict(call.mode.get(TRIES) or {})
    tries[key] = tries.get(key, 0) + 1
    call.mode[TRIES] = tries
    return int(tries[key])


def _reset_tries(call: Call, key: str) -> None:
    tries = dict(call.mode.get(TRIES) or {})
    tries.pop(key, None)
    call.mode[TRIES] = tries


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text
