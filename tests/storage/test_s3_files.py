"""Issue 16, part 1: private files in an S3 bucket (a real S3 API server, tests/storage/conftest).

Uploads go to the bucket and nowhere else; they come back only through the permission-checked
views, streamed or as a presigned URL of a minute that forces a download; another customer's
file is a 404 in both modes; no page or e-mail names the bucket; the PO e-mail attaches the
contract support read from the bucket; a bucket that does not answer is a 503 to the person and a
retry to the outbox, never a 500 or a lost e-mail."""

import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import Notification
from tests.factories import PDF_BYTES, ticket_open_for
from tests.s3 import bucket_keys, po_request_posted

pytestmark = pytest.mark.django_db


def _pdf(name="report.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def _attachment_url(ticket, attachment) -> str:
    return reverse(
        "tickets:attachment", kwargs={"number": ticket.number, "reference": attachment.reference}
    )


@pytest.fixture
def ticket(portal_admin_client, customer, portal_admin_user, service, bucket):
    ticket = ticket_open_for(customer, portal_admin_user, service=service)
    response = portal_admin_client.post(
        reverse("tickets:reply", kwargs={"number": ticket.number}),
        {"body": "The diagram of the site.", "attachments": [_pdf('site "plan".pdf')]},
    )
    assert response.status_code == 302
    return ticket


def test_an_upload_lands_in_the_bucket_and_not_on_the_disk(ticket, s3_server, bucket, settings):
    attachment = ticket.attachments.get()
    assert bucket_keys(s3_server, bucket) == [attachment.file.name]
    assert not (settings.MEDIA_ROOT / attachment.file.name).exists()
    body = s3_server.client().get_object(Bucket=bucket, Key=attachment.file.name)["Body"].read()
    assert body == PDF_BYTES


def test_the_bucket_is_private(ticket, s3_server, bucket):
    """Without a signature the bucket gives nothing (moto, like S3, answers 403 to an anonymous
    GET of a private object)."""
    key = ticket.attachments.get().file.name
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3_server.endpoint}/{bucket}/{key}", timeout=5)
    assert refused.value.code == 403


def test_a_member_streams_the_file_through_the_view(viewer_client, ticket):
    response = viewer_client.get(_attachment_url(ticket, ticket.attachments.get()))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="site_plan.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_BYTES
    response.close()


def test_a_member_is_redirected_to_a_link_of_a_minute_that_forces_a_download(
    viewer_client, ticket, settings, s3_server
):
    settings.STORAGE_DOWNLOADS = "redirect"

    response = viewer_client.get(_attachment_url(ticket, ticket.attachments.get()))

    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    signed = urlsplit(response["Location"])
    assert f"{signed.scheme}://{signed.netloc}" == s3_server.endpoint
    query = parse_qs(signed.query)
    assert query["X-Amz-Expires"] == ["60"]
    assert query["response-content-disposition"] == ['attachment; filename="site_plan.pdf"']
    with urllib.request.urlopen(response["Location"], timeout=5) as fetched:
        assert fetched.read() == PDF_BYTES
        assert fetched.headers["Content-Disposition"] == 'attachment; filename="site_plan.pdf"'
        assert fetched.headers["Content-Type"] == "application/pdf"
        assert fetched.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("downloads", ["stream", "redirect"])
def test_another_customers_file_is_404_and_no_link(client, other_user, ticket, settings, downloads):
    settings.STORAGE_DOWNLOADS = downloads
    client.force_login(other_user)

    response = client.get(_attachment_url(ticket, ticket.attachments.get()))

    assert response.status_code == 404
    assert "Location" not in response


def test_no_page_or_email_names_the_bucket(
    portal_admin_client, ticket, s3_server, bucket, settings, tsc_client
):
    settings.STORAGE_DOWNLOADS = "redirect"
    pages = [
        portal_admin_client.get(reverse("tickets:detail", kwargs={"number": ticket.number})),
        tsc_client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])),
    ]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert str(ticket.attachments.get().reference) in html
        assert str(s3_server.port) not in html
        assert bucket not in html
    for message in mail.outbox:
        raw = message.message().as_string()
        assert str(s3_server.port) not in raw
        assert bucket not in raw


def test_a_file_gone_from_the_bucket_is_a_404(viewer_client, ticket, s3_server, bucket, settings):
    attachment = ticket.attachments.get()
    s3_server.client().delete_object(Bucket=bucket, Key=attachment.file.name)
    for downloads in ("stream", "redirect"):
        settings.STORAGE_DOWNLOADS = downloads
        assert viewer_client.get(_attachment_url(ticket, attachment)).status_code == 404


def test_a_bucket_that_does_not_answer_is_a_503_that_says_to_try_again(
    viewer_client, ticket, settings, s3_server
):
    attachment = ticket.attachments.get()
    unreachable = {
        **settings.STORAGES["default"],
        "OPTIONS": {
            **settings.STORAGES["default"]["OPTIONS"],
            "endpoint_url": "http://127.0.0.1:9",
        },
    }
    settings.STORAGES = {**settings.STORAGES, "default": unreachable}

    response = viewer_client.get(_attachment_url(ticket, attachment))

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "Try again in a few minutes" in response.content.decode()


# --- The PO e-mail reads the contract support from the bucket (the worker's side) -------------
@pytest.fixture
def po_address(db):
    from contacts.models import PoAddress

    PoAddress.objects.all().delete()
    PoAddress.objects.create(countries=["AR"], email="po-ar@provider.test")


def _po_notice():
    return Notification.objects.get(template="billing/po_request")


def test_the_po_email_attaches_the_support_read_from_the_bucket(
    portal_admin_client, customer, po_address, bucket, s3_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert po_request_posted(portal_admin_client, customer).status_code == 302

    from billing.models import PurchaseOrderRequest

    po = PurchaseOrderRequest.objects.get()
    assert bucket_keys(s3_server, bucket) == [po.support.name]
    assert _po_notice().status == Notification.Status.SENT
    (routed,) = [m for m in mail.outbox if "po-ar@provider.test" in m.to[0]]
    assert routed.attachments == [("orden.pdf", PDF_BYTES, "application/pdf")]


def test_a_bucket_that_does_not_answer_delays_the_po_email_and_loses_nothing(
    portal_admin_client, customer, po_address, bucket, settings, django_capture_on_commit_callbacks
):
    from core.services.outbox import notification_deliver

    with django_capture_on_commit_callbacks(execute=False):  # written, not yet delivered
        assert po_request_posted(portal_admin_client, customer).status_code == 302
    reachable = settings.STORAGES
    settings.STORAGES = {
        **reachable,
        "default": {
            **reachable["default"],
            "OPTIONS": {**reachable["default"]["OPTIONS"], "endpoint_url": "http://127.0.0.1:9"},
        },
    }

    assert notification_deliver(notification_id=_po_notice().pk) == "retry"
    row = _po_notice()
    assert row.status == Notification.Status.PENDING
    assert "127.0.0.1:9" in row.last_error

    settings.STORAGES = reachable
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=row.created_at)
    assert notification_deliver(notification_id=row.pk) == "sent"
    (routed,) = [m for m in mail.outbox if "po-ar@provider.test" in m.to[0]]
    assert routed.attachments == [("orden.pdf", PDF_BYTES, "application/pdf")]
