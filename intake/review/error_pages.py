"""Error pages for staff: what went wrong in the words of the view that refused, and a way back.

The site's own error page speaks to referrers ("go to the start of the form"); an officer who
is refused a restricted contact needs to be told that, and that it was recorded. The app's error
handlers (intake.app) use these for every address under /officer/, routed or not.
"""

from __future__ import annotations

from flask import render_template
from werkzeug.exceptions import HTTPException

HEADINGS = {
    403: "You cannot see this",
    404: "Page not found",
    405: "Sorry, we could not do that",
    410: "This file is no longer stored",
}


def page(exc: HTTPException) -> tuple[str, int]:
    code = exc.code or 500
    return officer_page(code, HEADINGS.get(code, "Sorry, there is a problem"), exc.description)


def officer_page(code: int, heading: str, description: str | None) -> tuple[str, int]:
    return render_template(
        "officer/error.html", heading=heading, description=description, code=code
    ), code
