"""The request id (issue 16, part 3): taken from a sane X-Request-ID or made, sent back, and in
every log line of the request, as text or as JSON."""

import json
import logging

import pytest

from core.lib.request_id import JsonFormatter, RequestIdFilter, request_id

pytestmark = pytest.mark.django_db


def test_a_sane_request_id_from_the_proxy_is_kept_and_sent_back(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="nginx-4f1c2a9e7b")
    assert response["X-Request-ID"] == "nginx-4f1c2a9e7b"


@pytest.mark.parametrize("offered", [None, "", "short", 'two words "quoted"', "x" * 65, "a\nb" * 8])
def test_anything_else_gets_a_new_id(client, offered):
    extra = {"HTTP_X_REQUEST_ID": offered} if offered is not None else {}
    response = client.get("/healthz", **extra)
    assert len(response["X-Request-ID"]) == 32
    assert response["X-Request-ID"] != offered
    assert client.get("/healthz")["X-Request-ID"] != response["X-Request-ID"]


def _record(message: str, *args) -> logging.LogRecord:
    record = logging.LogRecord("portal.test", logging.WARNING, __file__, 1, message, args, None)
    RequestIdFilter().filter(record)
    return record


def test_a_json_line_carries_the_request_id_and_the_message():
    token = request_id.set("req-abcdef12")
    try:
        line = json.loads(JsonFormatter().format(_record("ticket %s: %s", "TT-1", "ñandú")))
    finally:
        request_id.reset(token)

    assert line["request_id"] == "req-abcdef12"
    assert line["message"] == "ticket TT-1: ñandú"
    assert (line["level"], line["logger"]) == ("WARNING", "portal.test")
    assert line["time"].endswith("+00:00")


def test_outside_a_request_the_id_is_a_dash():
    assert json.loads(JsonFormatter().format(_record("beat")))["request_id"] == "-"
