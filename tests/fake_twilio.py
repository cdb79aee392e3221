"""A local stand-in for Twilio's REST API: `POST /2010-04-01/Accounts/<sid>/Messages.json`.

It answers with Twilio-shaped JSON, records every request, and can be told to fail: with 500 the
next N times, with a Twilio error code (400 and 21211, say), or slowly.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC\w+)/Messages\.json$")


@dataclass
class SentRequest:
    account_sid: str
    username: str
    password: str
    form: dict[str, str]


@dataclass
class FakeTwilio:
    requests: list[SentRequest] = field(default_factory=list)
    fail_times: int = 0  # answer the next N requests with this status
    fail_status: int = 500
    error_code: int | None = None  # answer every request with a Twilio error of this code
    error_status: int = 400
    delay: float = 0.0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeTwilio:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(
        self, account_sid: str, auth: str, form: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        username, _, password = (
            base64.b64decode(auth.removeprefix("Basic ")).decode().partition(":")
        )
        with self._lock:
            if self.fail_times > 0:
                self.fail_times -= 1
                return self.fail_status, {
                    "code": 20500,
                    "message": "Internal Server Error",
                    "status": self.fail_status,
                }
            if self.error_code is not None:
                return self.error_status, {
                    "code": self.error_code,
                    "message": f"The 'To' number {form.get('To')} is not a valid phone number.",
                    "more_info": f"https://www.twilio.com/docs/errors/{self.error_code}",
                    "status": self.error_status,
                }
            self.requests.append(SentRequest(account_sid, username, password, form))
        sid = "SM" + uuid.uuid4().hex
        return 201, {
            "sid": sid,
            "account_sid": account_sid,
            "to": form.get("To"),
            "from": form.get("From"),
            "body": form.get("Body"),
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "date_created": "Mon, 23 Nov 2026 12:00:00 +0000",
            "date_updated": "Mon, 23 Nov 2026 12:00:00 +0000",
            "date_sent": None,
            "price": None,
            "error_code": None,
            "error_message": None,
            "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
        }


def _handler_for(fake: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            match = MESSAGES_PATH.match(self.path)
            length = int(self.headers.get("Content-Length", 0))
            raw = self.rfile.read(length).decode()
            if match is None:
                self._reply(404, {"code": 20404, "message": "Not found", "status": 404})
                return
            if fake.delay:
                time.sleep(fake.delay)
            form = {key: values[0] for key, values in parse_qs(raw).items()}
            status, body = fake.answer(
                match["account"], self.headers.get("Authorization", ""), form
            )
            self._reply(status, body)

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting, as a timed-out send does

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet

    return Handler
