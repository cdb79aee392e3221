"""What the service says by text. Plain, short English for someone who may be frightened."""

from __future__ import annotations

from channels.danger import duty_line

GREETING = (
    "This is the children's safeguarding front door (MASH). We will ask you some questions, "
    "one text at a time. Reply HELP at any time. If a child is in danger now, call 999."
)
HELP = (
    "Answer each question in a text. Reply BACK to go back, CHANGE to change an answer, "
    "RESTART to start again, or STOP to end. If a child is in danger now, call 999."
)
PICTURES = (
    "Sorry, we cannot take pictures or files by text. Please tell us in words. "
    "An officer will ask for pictures if they need them."
)
EMPTY = "We did not get any words in your message."
PREFILLED = "Thank you. We have taken the details we could from your message, so we will only ask what is missing."
RESTARTED = "We have cleared your answers. Let's start again."
RESUMED = "Welcome back. Let's carry on where you left off."
NOTHING_TO_RESUME = (
    "There is no unfinished referral from this number to carry on with, so we will start a new one."
)
NOTHING_TO_CHANGE = "You have not answered any questions yet, so there is nothing to change."
CONFIRM = "Reply YES to send this referral, or CHANGE to change an answer."
NOT_SENT = "Nothing has been sent yet. Reply YES to send it, CHANGE to change an answer, or STOP to end without sending."
CHANGE_PICK = "Reply with the number of the answer you want to change."
FIRST_QUESTION = "That is the first question."
YOUR_ANSWER = "Your answer was: {value}."


def emergency(duty_phone_number: str) -> str:
    return (
        "If a child is in danger now, call 999 straight away."
        + duty_line(duty_phone_number)
        + " We will keep taking your referral here."
    )


def paused(idle_minutes: int) -> str:
    return (
        f"We paused your referral because we had not heard from you for {idle_minutes} "
        "minutes. Nothing has been sent yet. Reply RESUME to carry on where you left off, or "
        "RESTART to start again."
    )


def change_out_of_range(count: int) -> str:
    return (
        f"Please reply with a number from 1 to {count}, or RESUME to carry on without "
        "changing anything."
    )


def already_sent(reference: str) -> str:
    return (
        f"Your referral {reference} has been sent. To tell us about another child or a new "
        "worry, text us what has happened. If a child is in danger now, call 999."
    )


def submitted(reference: str, anonymous: bool) -> str:
    text = f"Thank you. Your referral has been sent. Your reference is {reference}. "
    if anonymous:
        text += "A MASH contact officer will look at it soon."
    else:
        text += "A MASH contact officer will look at it soon and may contact you."
    return text + " If a child is in danger now, call 999."
