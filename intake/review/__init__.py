"""The officer's desk: sign-in, the review queue, contacts, decisions, audit, reports, admin.

`init_app` puts every officer blueprint but sign-in behind `auth.require_signed_in`; the
permission tests enumerate the URL map to prove no page was left open.
"""

from __future__ import annotations

from flask import Blueprint, Flask, request
from werkzeug.wrappers import Response


def init_app(app: Flask) -> Blueprint:
    """Register the officer pages; returns the sign-in blueprint, for the public rate limit."""
    from intake.review import (
        admin,
        admin_keys,
        admin_templates,
        audit,
        auth,
        contact,
        dashboard,
        queue,
        reports,
        template_helpers,
    )

    auth.init_login(app)
    template_helpers.install(app)
    guarded = (
        queue.bp,
        dashboard.bp,
        contact.bp,
        reports.bp,
        audit.bp,
        admin.bp,
        admin_keys.bp,
        admin_templates.bp,
    )
    for bp in (auth.bp, dashboard.assets_bp, *guarded):
        app.register_blueprint(bp)
    guarded_names = frozenset(bp.name for bp in guarded)

    @app.before_request
    def _require_sign_in() -> Response | None:
        if request.blueprint in guarded_names:
            return auth.require_signed_in()
        return None

    return auth.bp
