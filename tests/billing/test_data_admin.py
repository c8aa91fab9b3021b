"""Billing Customer Care works billing-data changes (R-BIL-2, R-BIL-4) and PO / HES / MIGO
requests (R-BIL-3) in the staff admin, through the real pages: queues filtered by status, first
invoice and customer; apply / reject (with a reason) and done / reject, each calling the
service, which notifies the customer. The Billing group acts; Customer Care only looks; TSC does
not see them."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from billing import services
from billing.models import BillingDataChange, PurchaseOrderRequest
from tests.factories import PDF_BYTES, CustomerFactory, UserFactory, invoice_with_lines

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)  # the 10th in Buenos Aires: April's invoice


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def change(customer, portal_admin_user):
    return services.billing_data_change_create(
        customer=customer,
        user=portal_admin_user,
        data={
            "company_name": "Acme Logística S.R.L.",
            "tax_id": "30714416401",
            "billing_address": "Av. Corrientes 1234, CABA",
        },
    )


@pytest.fixture
def po(customer, portal_admin_user):
    invoice = invoice_with_lines(customer, number="FA-0001-00000042", period=date(2026, 2, 1))
    return services.po_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="po",
        reference="4500012345",
        support=SimpleUploadedFile("orden.pdf", PDF_BYTES),
        invoices=[invoice],
    )


def _url(name: str, obj) -> str:
    return reverse(f"admin:billing_{obj._meta.model_name}_{name}", args=[obj.pk])


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _sent_to(address: str) -> list:
    return [m for m in mail.outbox for to in m.to if address in to]


# --- who may do what ----------------------------------------------------------------------


def test_customer_care_sees_changes_and_requests_but_cannot_act(care_client, change, po):
    for obj, steps in ((change, ("apply", "reject")), (po, ("done", "reject"))):
        page = care_client.get(_url("change", obj))
        assert page.status_code == 200
        for step in steps:
            url = _url(step, obj)
            assert url not in page.content.decode()
            assert care_client.get(url).status_code == 403
            assert care_client.post(url, {"answer": "x"}).status_code == 403
    change.refresh_from_db()
    po.refresh_from_db()
    assert change.status == "received"
    assert po.status == "sent"
    # Looking includes the contract support.
    assert care_client.get(_url("support", po)).status_code == 200


def test_tsc_does_not_see_them(tsc_client, change, po):
    assert tsc_client.get(reverse("admin:billing_billingdatachange_changelist")).status_code == 403
    assert tsc_client.get(_url("change", change)).status_code == 403
    assert tsc_client.get(_url("support", po)).status_code == 403
    assert tsc_client.post(_url("apply", change), {}).status_code == 403


def test_nobody_adds_or_deletes_them_in_admin(billing_client, change, po):
    assert billing_client.get(reverse("admin:billing_billingdatachange_add")).status_code == 403
    assert billing_client.get(reverse("admin:billing_purchaseorderrequest_add")).status_code == 403
    assert billing_client.post(_url("delete", change), {"post": "yes"}).status_code == 403
    page = _text(billing_client.get(_url("change", change)))
    assert 'name="_save"' not in page  # read-only: the buttons are the only way to act


# --- billing-data changes -----------------------------------------------------------------


def test_the_queue_filters_by_status_first_invoice_and_customer(
    billing_client, customer, portal_admin_user, change
):
    other = CustomerFactory(display_name="Initech")
    later = services.billing_data_change_create(
        customer=other,
        user=portal_admin_user,
        data={"postal_address": "Casilla 9"},
        now=datetime(2026, 3, 20, 13, 0, tzinfo=UTC),  # the 20th: May's invoice
    )
    url = reverse("admin:billing_billingdatachange_changelist")
    page = _text(billing_client.get(url))
    assert change.number in page
    assert later.number in page
    assert "April 2026" in page
    assert "May 2026" in page

    april = _text(billing_client.get(url, {"target": "2026-04"}))
    assert change.number in april
    assert later.number not in april
    by_customer = _text(billing_client.get(url, {"customer__id__exact": other.pk}))
    assert later.number in by_customer
    assert change.number not in by_customer
    services.billing_data_change_handle(change=change, staff=UserFactory(), status="applied")
    received = _text(billing_client.get(url, {"status__exact": "received"}))
    assert later.number in received
    assert change.number not in received


def test_the_change_page_shows_what_changes_and_the_buttons(billing_client, change):
    page = _text(billing_client.get(_url("change", change)))
    assert "Acme Logística S.R.L." in page
    assert "30-71441640-1" in page
    assert "Av. Corrientes 1234, CABA" in page
    assert "April 2026" in page
    assert _url("apply", change) in page
    assert _url("reject", change) in page


def test_applying_copies_company_name_and_tax_id_to_the_customer(
    billing_client, customer, change, django_capture_on_commit_callbacks
):
    confirm = _text(billing_client.get(_url("apply", change)))
    assert "Applying it copies the new company name and tax id to the customer" in confirm
    assert "From the invoice for April 2026" in confirm
    with django_capture_on_commit_callbacks(execute=True):
        response = billing_client.post(_url("apply", change), {"answer": "Done from April"})
    assert response.status_code == 302
    assert response["Location"] == _url("change", change)
    change.refresh_from_db()
    customer.refresh_from_db()
    assert change.status == BillingDataChange.Status.APPLIED
    assert change.staff_answer == "Done from April"
    assert change.handled_at is not None
    assert customer.legal_name == "Acme Logística S.R.L."
    assert customer.tax_id == "30-71441640-1"
    assert customer.display_name == "Acme Logística"  # only the billing data changes
    [notice] = _sent_to("admin@acme.test")
    assert notice.subject.startswith(f"{change.number} · Your billing-data change is applied")
    page = _text(billing_client.get(_url("change", change)))
    assert _url("apply", change) not in page  # handled: no more buttons


def test_applying_a_change_without_company_data_leaves_the_customer_alone(
    billing_client, customer, portal_admin_user
):
    change = services.billing_data_change_create(
        customer=customer, user=portal_admin_user, data={"postal_address": "Casilla 123"}
    )
    before = (customer.legal_name, customer.tax_id)
    assert billing_client.post(_url("apply", change), {"answer": ""}).status_code == 302
    customer.refresh_from_db()
    assert (customer.legal_name, customer.tax_id) == before


def test_applying_a_tax_id_another_customer_holds_is_refused(billing_client, customer, change):
    """Customers are unique by country and tax id: a 400 on the form, never a 500."""
    CustomerFactory(country="AR", tax_id="30-71441640-1", display_name="Initech")
    response = billing_client.post(_url("apply", change), {"answer": ""})
    assert response.status_code == 400
    assert "already has tax id 30-71441640-1" in _text(response)
    change.refresh_from_db()
    customer.refresh_from_db()
    assert change.status == BillingDataChange.Status.RECEIVED
    assert customer.legal_name == "Acme Logística S.A."


def test_rejecting_needs_a_reason(billing_client, customer, change):
    response = billing_client.post(_url("reject", change), {"answer": "  "})
    assert response.status_code == 400
    assert "Say why, for the customer." in _text(response)
    change.refresh_from_db()
    assert change.status == BillingDataChange.Status.RECEIVED

    response = billing_client.post(_url("reject", change), {"answer": "Send the AFIP form"})
    assert response.status_code == 302
    change.refresh_from_db()
    customer.refresh_from_db()
    assert change.status == BillingDataChange.Status.REJECTED
    assert change.staff_answer == "Send the AFIP form"
    assert customer.legal_name == "Acme Logística S.A."  # nothing copied


def test_the_reject_page_does_not_explain_applying(billing_client, change):
    """Before: the reject page said "Applying it copies the new company name…", which only
    applying does."""
    page = _text(billing_client.get(_url("reject", change)))

    assert "Applying it copies" not in page
    assert "Rejecting it changes nothing" in page
    assert "Acme Logística S.R.L." in page  # what is asked for is still shown
    assert "Applying it copies" in _text(billing_client.get(_url("apply", change)))


def test_a_handled_change_cannot_be_handled_again(billing_client, change):
    assert billing_client.post(_url("reject", change), {"answer": "No"}).status_code == 302
    response = billing_client.post(_url("apply", change), {"answer": ""})
    assert response.status_code == 400
    assert "This change was already handled." in _text(response)
    change.refresh_from_db()
    assert change.status == BillingDataChange.Status.REJECTED


# --- PO / HES / MIGO requests -------------------------------------------------------------


def test_the_request_page_links_the_support_and_the_steps(billing_client, po):
    page = _text(billing_client.get(_url("change", po)))
    assert "4500012345" in page
    assert "FA-0001-00000042" in page
    assert po.routed_to in page
    assert _url("support", po) in page
    assert _url("done", po) in page
    assert _url("reject", po) in page


def test_staff_download_the_support_never_cached(billing_client, po):
    response = billing_client.get(_url("support", po))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    missing = reverse("admin:billing_purchaseorderrequest_support", args=[po.pk + 1000])
    assert billing_client.get(missing).status_code == 404


def test_done_notifies_the_customer(billing_client, po, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = billing_client.post(_url("done", po), {"answer": "From the March invoice"})
    assert response.status_code == 302
    po.refresh_from_db()
    assert po.status == PurchaseOrderRequest.Status.DONE
    assert po.staff_answer == "From the March invoice"
    [notice] = _sent_to("admin@acme.test")
    assert notice.subject.startswith(f"{po.number} · Your number will be on the invoices")


def test_rejecting_a_request_needs_a_reason(billing_client, po):
    assert billing_client.post(_url("reject", po), {"answer": ""}).status_code == 400
    po.refresh_from_db()
    assert po.status == PurchaseOrderRequest.Status.SENT
    assert billing_client.post(_url("reject", po), {"answer": "PO expired"}).status_code == 302
    po.refresh_from_db()
    assert (po.status, po.staff_answer) == ("rejected", "PO expired")
    assert billing_client.post(_url("done", po), {"answer": ""}).status_code == 400


def test_the_request_queue_filters_by_status(billing_client, po, customer, portal_admin_user):
    other = services.po_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="hes",
        reference="HES-77",
        support=SimpleUploadedFile("hes.pdf", PDF_BYTES),
        from_period=date(2026, 4, 1),
    )
    services.po_request_handle(po=other, staff=UserFactory(), status="done")
    url = reverse("admin:billing_purchaseorderrequest_changelist")
    sent = _text(billing_client.get(url, {"status__exact": "sent"}))
    assert po.number in sent
    assert other.number not in sent
    hes = _text(billing_client.get(url, {"kind__exact": "hes"}))
    assert other.number in hes
    assert po.number not in hes
