"""Errors to Sentry (issue 16, part 3): with SENTRY_DSN set, an error in a request reaches the
Sentry server (a local HTTP server standing in for it), and nothing personal goes with it: no
cookie, session, query string, e-mail address, user or local variable."""

import gzip
import json
import threading
import zlib
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests.portal.settings_env import _manage


class _Envelopes(HTTPServer):
    def __init__(self):
        self.received: list[bytes] = []
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli  # only if sentry-sdk found it installed

            body = brotli.decompress(body)
        self.server.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_server():
    server = _Envelopes()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


# A request that fails inside a view, with personal data in every place a report could copy it
# from: the query string, a cookie, a header, the exception's message and a local variable.
_FAILING_REQUEST = """
from django.test import Client
import portal.views.health as health
import sentry_sdk

def broken():
    customer_email = "ana.perez@acme.example"
    raise RuntimeError(f"could not reach ana.perez@acme.example for {customer_email}")

health.health_status = broken
client = Client(raise_request_exception=False)
client.cookies["csrftoken"] = "secret-session-key"
response = client.get(
    "/healthz?email=ana.perez@acme.example", HTTP_AUTHORIZATION="Bearer secret-token"
)
print(response.status_code)
sentry_sdk.flush(timeout=10)
"""


def test_an_error_reaches_sentry_without_personal_data(production_env, sentry_server):
    production_env["SENTRY_DSN"] = f"http://publickey@127.0.0.1:{sentry_server.server_port}/1"
    production_env["ALLOWED_HOSTS"] = "testserver"

    result = _manage(production_env, "shell", "-c", _FAILING_REQUEST)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "500"
    events = [
        json.loads(line)
        for body in sentry_server.received
        for line in body.splitlines()
        if line.startswith(b"{") and b'"exception"' in line
    ]
    # Django's handler reports it, and so may its "Internal Server Error" log line.
    assert events
    for event in events:
        assert event["exception"]["values"][-1]["type"] == "RuntimeError"
        assert event["exception"]["values"][-1]["value"] == "could not reach [email] for [email]"
        assert "user" not in event
    event = next(event for event in events if event.get("transaction"))
    assert "healthz" in event.get("transaction", ""), event.get("transaction")
    raw = b"".join(sentry_server.received).decode()
    for secret in ("ana.perez", "acme.example", "secret-session-key", "secret-token"):
        assert secret not in raw
    frames = event["exception"]["values"][-1]["stacktrace"]["frames"]
    assert frames
    assert all("vars" not in frame for frame in frames)


def test_without_a_dsn_nothing_is_loaded(production_env):
    code = "import sys; print('sentry_sdk' in sys.modules)"
    result = _manage(production_env, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"
