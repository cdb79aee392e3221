"""What the phone line says, and each question as a `<Gather>` that listens and takes keys.

Spoken prompts use the question's full wording (the web form's heading) and then say how to
answer: yes or no and short lists can be pressed on the keypad; dates, ages and phone numbers
can be typed; everything can be said. Values read back are spoken the way people say them
("3rd of April 2015", "L S 1, 4 A P").
"""

from __future__ import annotations

from datetime import date
from typing import Any

from twilio.twiml.voice_response import Gather, VoiceResponse

from forms.flow import Step
from forms.parsing import format_phone_for_display
from forms.questions import Group, Kind, Question
from forms.summary import display_value

VOICE = "Polly.Amy"  # a British English voice
LANGUAGE = "en-GB"
# Seconds to wait for the caller to start answering: people on the phone to a safeguarding
# line are often upset, looking something up, or checking with a colleague.
ANSWER_TIMEOUT = 8
# Seconds of silence that end a long spoken answer (what happened). "auto" ends at the first
# pause, which cuts people off mid-account.
LONG_ANSWER_SILENCE = "4"
MAX_KEYPAD_CHOICES = 9
# Long answers are summarised when read back: the caller said them a minute ago.
READBACK_MAX_CHARS = 120

GREETING = (
    "Hello. This is the children's safeguarding front door, the MASH. "
    "If a child is in immediate danger, hang up and call 999."
)
DUTY_OFFER = "To be put through to the duty social worker now, press 9."
OFFICER_OFFER = "You can press 0 at any time to speak to a contact officer."
INTRODUCTION = (
    "Otherwise, stay on the line and I will ask you some questions about the child you are "
    "worried about. You can say go back, or help, at any time."
)
HELP = (
    "Answer each question by speaking, or with your keypad where I say so. Say go back to go "
    "back a question, or start again to start again. Press 0 to speak to a contact officer."
)
NOT_CAUGHT = "Sorry, I did not catch that."
LET_US_TRY_AGAIN = "Sorry about that. Let's try again."
SKIPPED = "That's fine, let's leave that one."
FIRST_QUESTION = "That is the first question."
RESTARTED = "I have cleared your answers. Let's start again."
DANGER = (
    "If a child is in immediate danger, hang up now and call 999. "
    "Or stay on the line and we will carry on."
)
CHECK = (
    "That is all the questions. To send your referral now, press 1 or say send. To hear your "
    "answers, press 2. To change an answer, press 3."
)
CHANGE_WHICH = (
    "Type the number of the answer you want to change, then press hash. "
    "To hear the answers and their numbers, press 2 then hash."
)
CONFIRM_KEYS = "Press 1 if that is right, or 2 if it is not."
CALL_BACK = (
    "Thank you. A contact officer will call you back on the number you are calling from, as "
    "soon as they can. Everything you have told us is saved. If a child is in immediate "
    "danger, hang up and call 999. Goodbye."
)
NO_ONE_ANSWERED = "Sorry, no one could answer just now. I will take your referral instead."
DIAL_FINISHED = "Thank you for calling. Goodbye."
CANNOT_PUT_THROUGH = "Sorry, we cannot put you through from this line just now."
SORRY = (
    "Sorry, something went wrong on our side. Everything you told us before this is saved. "
    "If a child is in immediate danger, hang up and call 999. Otherwise please call us again."
)


def say(node: VoiceResponse | Gather, text: str) -> None:
    node.say(text, voice=VOICE, language=LANGUAGE)


def question_prompt(step: Step, *, caller_known: bool, optional: bool) -> str:
    question = step.question
    parts = [_about(step), question.prompt, _how_to_answer(question)]
    if step.key == "referrer_phone" and caller_known:
        parts.append("To use the number you are calling from, press 1 then hash.")
    if optional:
        parts.append("If you do not know, say skip or press star.")
    return " ".join(part for part in parts if part)


def _about(step: Step) -> str:
    if not step.index:
        return ""
    if step.question.group is Group.CHILD:
        return f"About child {step.number}."
    return f"About person {step.number} in the child's home."


def _how_to_answer(question: Question) -> str:
    match question.kind:
        case Kind.YES_NO:
            return "Say yes or no, or press 1 for yes and 2 for no."
        case Kind.CHOICE if len(question.choices) <= MAX_KEYPAD_CHOICES:
            options = " ".join(
                f"Press {n} for {c.label}." for n, c in enumerate(question.choices, 1)
            )
            return f"{options} Or say your answer."
        case Kind.CHOICE:
            examples = ", ".join(question.speech_hints[:6])
            return f"Say who you are, for example {examples}."
        case Kind.MULTI_CHOICE:
            options = " ".join(f"{n}, {c.label}." for n, c in enumerate(question.choices, 1))
            return f"Say any that apply, or type their numbers then press hash. {options}"
        case Kind.DATE_OF_BIRTH | Kind.EXPECTED_DATE:
            return (
                "Say the date, or type it as day, month and year, for example 0 3 0 4 2 0 1 5, "
                "then press hash."
            )
        case Kind.AGE:
            return "Say their age in years, or type it then press hash."
        case Kind.PHONE:
            return "Say the number, or type it then press hash."
        case Kind.POSTCODE:
            return "Say the postcode one letter or number at a time."
        case Kind.EMAIL:
            return "Say the address, saying at and dot where they come."
        case Kind.LONG_TEXT:
            return "Take your time. When you have finished, stay quiet for a few seconds."
    return ""


def hints(question: Question) -> str:
    """Words Twilio should expect, so "GP" is not heard as "cheap"."""
    phrases: list[str] = [*question.speech_hints]
    for choice in question.choices:
        phrases.append(choice.label)
        phrases.extend(s for s in choice.synonyms if len(s) > 2)
    if question.kind is Kind.YES_NO:
        phrases.extend(["yes", "no"])
    phrases.extend(["go back", "help", "skip", "start again"])
    unique = list(dict.fromkeys(p.strip() for p in phrases if p.strip()))
    return ", ".join(unique[:100])


def gather_answer(
    response: VoiceResponse,
    step: Step,
    action: str,
    *,
    caller_known: bool,
    optional: bool,
    lead_in: str = "",
) -> None:
    question = step.question
    keyed_singly = question.kind is Kind.YES_NO or (
        question.kind is Kind.CHOICE and len(question.choices) <= MAX_KEYPAD_CHOICES
    )
    options: dict[str, Any] = {"num_digits": 1} if keyed_singly else {"finish_on_key": "#"}
    gather = response.gather(
        input="speech dtmf",
        action=action,
        method="POST",
        language=LANGUAGE,
        hints=hints(question),
        speech_timeout=LONG_ANSWER_SILENCE if question.kind is Kind.LONG_TEXT else "auto",
        timeout=ANSWER_TIMEOUT,
        action_on_empty_result=True,
        # Safeguarding needs the words as said; Twilio's filter would turn them into asterisks.
        profanity_filter=False,
        **options,
    )
    if lead_in:
        say(gather, lead_in)
    say(gather, question_prompt(step, caller_known=caller_known, optional=optional))


def gather_keys(
    response: VoiceResponse, action: str, text: str, *, single: bool = True, speech: bool = False
) -> Gather:
    """A keypad menu ("press 1 for yes"), optionally also listening for a spoken answer."""
    options: dict[str, Any] = {"num_digits": 1} if single else {"finish_on_key": "#"}
    gather = response.gather(
        input="speech dtmf" if speech else "dtmf",
        action=action,
        method="POST",
        language=LANGUAGE,
        timeout=ANSWER_TIMEOUT,
        action_on_empty_result=True,
        **options,
    )
    say(gather, text)
    return gather


def readback(question: Question, value: Any) -> str:
    return f"I heard {spoken_value(question, value)}. Is that right? {CONFIRM_KEYS}"


def spoken_value(question: Question, value: Any) -> str:
    if value is None:
        return "not given"
    match question.kind:
        case Kind.DATE_OF_BIRTH | Kind.EXPECTED_DATE:
            day = date.fromisoformat(value)
            return f"{_ordinal(day.day)} of {day:%B %Y}"
        case Kind.POSTCODE:
            outward, _, inward = str(value).partition(" ")
            return f"{' '.join(outward)}, {' '.join(inward)}"
        case Kind.PHONE:
            groups = format_phone_for_display(str(value)).split(" ")
            return ", ".join(" ".join(group) for group in groups)
        case Kind.EMAIL:
            return str(value).replace(".", " dot ").replace("@", " at ")
    text = " ".join(display_value(question, value).split())
    if len(text) > READBACK_MAX_CHARS:
        return text[:READBACK_MAX_CHARS].rsplit(" ", 1)[0] + ", and so on"
    return text


def spell(reference: str) -> str:
    """A reference read one character at a time: "A, B, C, D, then E, F, G, H"."""
    first, _, second = reference.partition("-")
    return f"{', '.join(first)}, then {', '.join(second)}"


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"
