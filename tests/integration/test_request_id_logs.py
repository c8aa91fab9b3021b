"""Issue 16, part 3: with LOG_FORMAT=json the worker writes JSON lines, and the request id of the
request that queued a task is in the lines of that task (a real worker process, a real Redis)."""

import json

import pytest

from core.models import Notification
from tests.integration.support import wait_until
from tests.portal.test_account_emails import invite_nora

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REQUEST_ID = "req-0123456789abcdef"


def test_the_request_id_follows_the_request_into_the_worker_log(
    private_stack, portal_admin_client, customer
):
    worker = private_stack.start_worker(env={"LOG_FORMAT": "json"})

    response = invite_nora(portal_admin_client, HTTP_X_REQUEST_ID=REQUEST_ID)

    assert response.status_code == 302
    assert response["X-Request-ID"] == REQUEST_ID
    row = Notification.objects.get(to_email="nora@acme.test")
    wait_until(
        lambda: Notification.objects.filter(pk=row.pk, status="sent").exists(),
        timeout=60,
        what="the worker to send the invitation",
    )
    lines = [json.loads(line) for line in worker.log().splitlines() if line.startswith("{")]
    assert lines, "the worker wrote no JSON line"
    assert all({"time", "level", "logger", "message", "request_id"} <= set(line) for line in lines)
    sent = [line for line in lines if line["message"].startswith(f"notification {row.pk} sent")]
    assert [line["request_id"] for line in sent] == [REQUEST_ID]
    # The worker's own lines outside any request say so.
    assert any(line["request_id"] == "-" for line in lines)
