"""The wall screen: today's counts and timeliness by rating, refreshing itself every minute.

The refresh is `static/dashboard.js`, served from /assets/officer/ by `assets_bp` (the content
security policy allows no inline script). It swaps in new figures rather than reloading the page,
and has a button to stop it: a page that reloads itself on a timer fails WCAG 2.2.1 and 2.2.2.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from intake import extensions
from intake.models import utcnow
from intake.review import figures
from intake.review.permissions import Permission, requires

bp = Blueprint("officer_dashboard", __name__, url_prefix="/officer")
# The officer pages' script: no data in it, so it needs no sign-in and may be cached.
assets_bp = Blueprint(
    "officer_assets", __name__, static_folder="static", static_url_path="/assets/officer"
)

REFRESH_SECONDS = 60


@bp.get("/dashboard")
@requires(Permission.SEE_DASHBOARD)
def dashboard() -> str:
    now = utcnow()
    return render_template(
        "officer/dashboard.html",
        today=figures.today(extensions.session(), now),
        now=now,
        refresh_seconds=REFRESH_SECONDS,
    )
