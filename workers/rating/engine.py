"""Rate a contact: apply the rules, enforce the Red floor, and work out the deadline."""

from __future__ import annotations

from workers.rating.deadlines import Timescales, WorkingCalendar, compute_deadline
from workers.rating.inputs import RatingInput
from workers.rating.result import Evidence, RatingResult, Reason
from workers.rating.rules import RuleSet
from workers.rating.vocabulary import Rating, higher, level, raised

ALWAYS_RED_ID = "always_red"
ALWAYS_RED_DESCRIPTION = (
    "A risk indicator in the referral, or a yes to 'is a child in danger now', always makes it "
    "Red, whatever the hub's rules say."
)
DEFAULT_ID = "default"


def rate(
    inp: RatingInput, rules: RuleSet, timescales: Timescales, calendar: WorkingCalendar
) -> RatingResult:
    """The provisional rating of a contact, every rule that fired, and when it is due.

    The highest rating any rule proposes wins: where the rules are unsure between two levels
    the safer one is proposed and the officer decides. Raising rules then apply in file order.
    """
    reasons = [reason for rule in rules.rules if (reason := rule.fire(inp)) is not None]
    proposals = [reason.proposes for reason in reasons if reason.proposes is not None]
    if proposals:
        rating: Rating = max(proposals, key=level)
    else:
        rating = rules.default_rating
        reasons.insert(
            0, Reason(DEFAULT_ID, rules.default_description, proposes=rules.default_rating)
        )
    for reason in reasons:
        if reason.raise_by:
            rating = raised(rating, reason.raise_by)
            if reason.at_least is not None:
                rating = higher(rating, reason.at_least)

    floor = _always_red(inp, reasons, rating)
    if floor is not None:
        reasons.append(floor)
        rating = "red"

    timescale = timescales.for_rating(rating)
    return RatingResult(
        rating=rating,
        reasons=tuple(reasons),
        rules_version=rules.version,
        deadline=compute_deadline(inp.received_at, timescale, calendar),
        clock=timescale.clock,
        minutes=timescale.minutes,
    )


def _always_red(inp: RatingInput, reasons: list[Reason], rating: Rating) -> Reason | None:
    """The one rule that lives in code, so that no rules file can switch it off.

    It shows up as a reason when it changed the rating, or when the rules made the contact Red
    for something else and a risk indicator would otherwise go unmentioned.
    """
    live = inp.live_risk_indicators()
    in_danger = inp.immediate_danger is True
    if not live and not in_danger:
        return None
    if rating != "red":
        facts = ("The referrer answered yes to 'is a child in danger now'",) if in_danger else ()
        return Reason(
            ALWAYS_RED_ID,
            ALWAYS_RED_DESCRIPTION,
            proposes="red",
            evidence=Evidence(mentions=live, facts=facts),
        )
    cited = {m for reason in reasons if reason.proposes == "red" for m in reason.evidence.mentions}
    uncited = tuple(m for m in live if m not in cited)
    if not uncited:
        return None
    return Reason(
        ALWAYS_RED_ID, ALWAYS_RED_DESCRIPTION, proposes="red", evidence=Evidence(mentions=uncited)
    )
