"""The OpenAPI 3.0 description of the partner API, served at `/openapi.json`."""

from __future__ import annotations

from typing import Any

from forms.choices import CONSENT, GENDERS, HOW_KNOWN, REFERRER_TYPES

_STR = {"type": "string"}
_NSTR = {"type": "string", "nullable": True}


def _child() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "description": "At least one of given_name, family_name, date_of_birth, age, "
        "expected_date, address, postcode or school; at most one of date_of_birth, age or "
        "expected_date.",
        "properties": {
            "given_name": {**_NSTR, "maxLength": 100},
            "family_name": {**_NSTR, "maxLength": 100},
            "date_of_birth": {
                **_NSTR,
                "format": "date",
                "description": "YYYY-MM-DD; under 18, not in the future",
            },
            "age": {"type": "integer", "minimum": 0, "maximum": 17, "nullable": True},
            "expected_date": {
                **_NSTR,
                "format": "date",
                "description": "due date of an unborn baby",
            },
            "gender": {**_NSTR, "enum": [g.value for g in GENDERS] + [None]},
            "address": {**_NSTR, "maxLength": 300},
            "postcode": {**_NSTR, "description": "a UK postcode"},
            "school": {**_NSTR, "maxLength": 200},
            "language": {**_NSTR, "maxLength": 100},
            "disability": {**_NSTR, "maxLength": 300},
        },
    }


def openapi_document() -> dict[str, Any]:
    referral = {
        "type": "object",
        "additionalProperties": False,
        "required": ["immediate_danger", "referrer", "children", "concern", "consent"],
        "properties": {
            "immediate_danger": {"type": "boolean"},
            "referrer": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "source": {
                        **_STR,
                        "description": "referrer source code of the London MASH data return",
                        "enum": sorted({t.source_code for t in REFERRER_TYPES} | {"9"}),
                    },
                    "type": {**_STR, "enum": [t.value for t in REFERRER_TYPES]},
                    "name": {**_NSTR, "maxLength": 200},
                    "role": {**_NSTR, "maxLength": 200},
                    "organisation": {**_NSTR, "maxLength": 200},
                    "phone": {**_NSTR, "description": "a UK phone number"},
                    "email": {**_NSTR, "format": "email"},
                    "anonymous": {"type": "boolean", "nullable": True},
                    "feedback_by": {**_NSTR, "enum": ["email", "sms", "none", None]},
                },
            },
            "children": {"type": "array", "minItems": 1, "maxItems": 12, "items": _child()},
            "household": {
                "type": "array",
                "maxItems": 12,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "given_name": _NSTR,
                        "family_name": _NSTR,
                        "relationship": _NSTR,
                    },
                },
            },
            "concern": {
                "type": "object",
                "additionalProperties": False,
                "required": ["description"],
                "properties": {
                    "description": {**_STR, "maxLength": 20000},
                    "when": {**_NSTR, "maxLength": 200},
                    "how_known": {
                        **_NSTR,
                        "description": "one of " + ", ".join(c.value for c in HOW_KNOWN),
                    },
                    "fears": {**_NSTR, "maxLength": 5000},
                    "child_said": {**_NSTR, "maxLength": 5000},
                    "home_concerns": {"type": "array", "items": _STR, "nullable": True},
                },
            },
            "consent": {
                "type": "object",
                "additionalProperties": False,
                "required": ["answer"],
                "properties": {
                    "answer": {**_STR, "enum": [c.value for c in CONSENT]},
                    "reason": {
                        **_NSTR,
                        "description": "required unless the answer is yes",
                        "maxLength": 1000,
                    },
                    "reason_code": {
                        **_NSTR,
                        "enum": ["risk_of_harm", "could_not_reach", "other", None],
                    },
                },
            },
            "other_agencies": {**_NSTR, "maxLength": 1000},
        },
    }
    error = {
        "type": "object",
        "required": ["message"],
        "properties": {"message": _STR, "errors": {"type": "object", "additionalProperties": _STR}},
    }
    created = {
        "type": "object",
        "required": ["reference", "status"],
        "properties": {"reference": _STR, "status": _STR},
    }
    rating = {
        "type": "object",
        "nullable": True,
        "properties": {
            "provisional": {**_STR, "enum": ["red", "amber", "green", "blue"]},
            "final": {**_NSTR},
            "reasons": {"type": "array", "items": {"type": "object"}},
            "rules_version": _NSTR,
            "deadline": {**_NSTR, "format": "date-time"},
        },
    }
    status_view = {
        "type": "object",
        "required": ["reference", "status", "categories", "rating"],
        "properties": {
            "reference": _STR,
            "status": _STR,
            "submitted_at": {**_NSTR, "format": "date-time"},
            "processed_at": {**_NSTR, "format": "date-time"},
            "categories": {"type": "array", "items": _STR},
            "risk_indicators": {"type": "array", "items": _STR},
            "rating": rating,
            "outcome": _NSTR,
            "children": {"type": "integer"},
            "history": {"type": "object", "nullable": True},
            "matches": {"type": "array", "items": {"type": "object"}},
        },
    }

    def responses(*codes: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for code in codes:
            out[str(code)] = {
                "description": {
                    400: "Malformed request",
                    401: "No valid partner key",
                    404: "Not found",
                    413: "Body too large",
                    415: "Not JSON",
                    422: "Field errors, each under the path of the field in the request (for "
                    "example children[0].postcode); or an Idempotency-Key already used with a "
                    "different referral",
                    429: "Too many requests from this key: wait for the Retry-After seconds",
                    503: "The database could not be reached: try again after the Retry-After "
                    "seconds, with the same Idempotency-Key",
                }.get(code, "Error"),
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        return out

    return {
        "openapi": "3.0.3",
        "info": {
            "title": "frontdoor referral API",
            "version": "1.0.0",
            "description": "Referrals about children to the Multi-Agency Safeguarding Hub. "
            "If a child is in immediate danger, call 999 first.",
        },
        "components": {
            "securitySchemes": {"partnerKey": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Referral": referral,
                "Error": error,
                "Created": created,
                "ReferralStatus": status_view,
            },
        },
        "security": [{"partnerKey": []}],
        "paths": {
            "/api/v1/referrals": {
                "post": {
                    "summary": "Make a referral",
                    "operationId": "createReferral",
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "schema": {"type": "string", "minLength": 1, "maxLength": 128},
                            "description": "Retries with the same key and body return the first response",
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Referral"}
                            }
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Received",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Created"}
                                }
                            },
                        },
                        **responses(400, 401, 413, 415, 422, 429, 503),
                    },
                }
            },
            "/api/v1/referrals/{reference}": {
                "get": {
                    "summary": "Read a referral's progress",
                    "operationId": "getReferral",
                    "parameters": [
                        {"name": "reference", "in": "path", "required": True, "schema": _STR}
                    ],
                    "responses": {
                        "200": {
                            "description": "The referral",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/ReferralStatus"}
                                }
                            },
                        },
                        **responses(401, 404),
                    },
                }
            },
        },
    }
