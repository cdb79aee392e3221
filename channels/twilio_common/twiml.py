"""TwiML as a Flask response."""

from __future__ import annotations

from flask import Response

CONTENT_TYPE = "text/xml; charset=utf-8"


def twiml_response(xml: str) -> Response:
    return Response(xml, status=200, content_type=CONTENT_TYPE)
