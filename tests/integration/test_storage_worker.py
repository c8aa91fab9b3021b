"""Issue 16, part 1, with the real parts: a worker process that shares nothing with the web side
but the database, the broker and the bucket (its own settings, no MEDIA_ROOT of the test's)
attaches the customer's contract support, read from the bucket, to the PO e-mail."""

import email

import pytest

from billing.models import PurchaseOrderRequest
from contacts.models import PoAddress
from core.models import Notification
from tests.factories import PDF_BYTES
from tests.integration.support import wait_until
from tests.s3 import po_request_posted

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_worker_attaches_the_contract_support_from_the_bucket(
    private_stack, portal_admin_client, customer, bucket, settings
):
    PoAddress.objects.all().delete()
    PoAddress.objects.create(countries=["AR"], email="po-ar@provider.test")
    private_stack.start_worker(env={"STORAGE_URL": settings.STORAGE_URL})

    response = po_request_posted(portal_admin_client, customer)

    assert response.status_code == 302
    po = PurchaseOrderRequest.objects.get()
    assert not (settings.MEDIA_ROOT / po.support.name).exists()  # only in the bucket
    wait_until(
        lambda: Notification.objects.filter(
            template="billing/po_request", status=Notification.Status.SENT
        ).exists(),
        timeout=60,
        what="the worker to send the PO e-mail",
    )
    messages = [email.message_from_bytes(raw) for raw in private_stack.smtp.received()]
    (message,) = [m for m in messages if "po-ar@provider.test" in m["To"]]
    (part,) = [p for p in message.walk() if p.get_filename() == "orden.pdf"]
    assert part.get_payload(decode=True) == PDF_BYTES
