"""Error pages for staff: what went wrong in the words of the view that refused, and a way back.

The site's own error page speaks to referrers ("go to the start of the form"); an officer who
is refused a restricted contact needs to be told that, and that it was recorded.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from werkzeug.exceptions import HTTPException

HEADINGS = {
    403: "You cannot see this",
    404: "Page not found",
    405: "Sorry, we could not do that",
    410: "This file is no longer stored",
}


def page(exc: HTTPException) -> tuple[str, int]:
    code = exc.code or 500
    heading = HEADINGS.get(code, "Sorry, there is a problem")
    return render_template(
        "officer/error.html", heading=heading, description=exc.description, code=code
    ), code


def officer_page(code: int, heading: str, description: str) -> tuple[str, int]:
    return render_template(
        "officer/error.html", heading=heading, description=description, code=code
    ), code


def install(bp: Blueprint) -> None:
    bp.register_error_handler(HTTPException, page)
