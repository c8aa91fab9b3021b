"""PO / HES / MIGO numbers on invoices (R-BIL-3): the request needs the contract support
(checked by its content), goes to the address the contact directory gives the customer's
country (else Billing Customer Care) with the support attached and replies to the requester,
and is recorded for the customer to follow. The clock is frozen on 2026-03-10 in Buenos Aires."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from billing.models import PurchaseOrderRequest
from contacts.models import PoAddress
from team.models import TeamAssignment, TeamRole
from tests.factories import PDF_BYTES, CustomerFactory, TeamPersonFactory, invoice_with_lines

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
# The start of a Windows executable: "MZ", the DOS stub, the PE offset.
EXE_BYTES = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def addresses(db):
    """The directory's rows for these tests only (the seeded handbook rows are replaced)."""
    PoAddress.objects.all().delete()
    PoAddress.objects.create(countries=["AR", "PE"], email="po-ar@provider.test")
    PoAddress.objects.create(countries=["BR"], email="po-br@provider.test")


@pytest.fixture
def invoice(customer):
    return invoice_with_lines(
        customer, number="FA-0001-00000042", amounts=("100.00",), period=date(2026, 2, 1)
    )


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _address(message) -> str:
    return message.to[0].split("<")[-1].rstrip(">")


def _form(*, invoices=(), support=("orden-de-compra.pdf", PDF_BYTES), **extra) -> dict:
    data = {
        "kind": "po",
        "reference": "4500012345",
        "invoices": [getattr(invoice, "number", invoice) for invoice in invoices],
        "comment": "Our accounts payable needs it",
        **extra,
    }
    if support is not None:
        data["support"] = SimpleUploadedFile(support[0], support[1])
    return data


# --- where it goes ------------------------------------------------------------------------


def test_the_form_says_where_the_request_goes_for_the_customers_country(
    portal_admin_client, other_user, client, addresses
):
    text = _text(portal_admin_client.get("/billing/po/new/"))
    assert "We send your request, with the support attached, to <strong>po-ar@provider.test" in text
    client.force_login(other_user)  # Globex, in Brazil
    assert "<strong>po-br@provider.test</strong>" in _text(client.get("/billing/po/new/"))


def test_argentine_and_brazilian_requests_go_to_their_own_addresses(
    portal_admin_client, client, other_user, other_customer, invoice, addresses
):
    response = portal_admin_client.post("/billing/po/new/", _form(invoices=[invoice]))
    assert response.status_code == 302
    assert PurchaseOrderRequest.objects.get(customer=invoice.customer).routed_to == (
        "po-ar@provider.test"
    )
    brazilian = invoice_with_lines(other_customer, number="NF-000777", period=date(2026, 2, 1))
    client.force_login(other_user)
    assert client.post("/billing/po/new/", _form(invoices=[brazilian])).status_code == 302
    assert PurchaseOrderRequest.objects.get(customer=other_customer).routed_to == (
        "po-br@provider.test"
    )


def test_without_an_address_for_the_country_it_goes_to_billing_customer_care(
    client, invoice, addresses
):
    from tests.factories import MembershipFactory

    chilean = CustomerFactory(country="CL", timezone="America/Santiago")
    person = TeamPersonFactory(email="carla.care@provider.test")
    TeamAssignment.objects.create(customer=chilean, role=TeamRole.BILLING_CARE, person=person)
    client.force_login(MembershipFactory(customer=chilean, admin=True).user)
    assert "<strong>carla.care@provider.test</strong>" in _text(client.get("/billing/po/new/"))
    response = client.post("/billing/po/new/", _form(from_period="2026-04"))
    assert response.status_code == 302
    assert PurchaseOrderRequest.objects.get().routed_to == "carla.care@provider.test"


def test_with_no_address_at_all_the_page_says_so_and_refuses(portal_admin_client, settings):
    PoAddress.objects.all().delete()
    settings.BILLING_MAILBOX = ""
    settings.TEAM_MAILBOX = ""
    page = portal_admin_client.get("/billing/po/new/")
    assert 'data-testid="po-no-route"' in page.content.decode()
    response = portal_admin_client.post("/billing/po/new/", _form(from_period="2026-04"))
    assert response.status_code == 400
    assert "There is no address for these requests in your country yet." in _text(response)
    assert not PurchaseOrderRequest.objects.exists()


# --- sending ------------------------------------------------------------------------------


def test_the_request_is_sent_with_the_support_attached_and_replies_to_the_requester(
    portal_admin_client,
    customer,
    invoice,
    addresses,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = portal_admin_client.post(
            "/billing/po/new/", _form(invoices=[invoice]), follow=True
        )
    po = PurchaseOrderRequest.objects.get()
    assert response.redirect_chain == [("/billing/po/", 302)]
    assert (po.kind, po.reference, po.status) == ("po", "4500012345", "sent")
    assert list(po.invoices.all()) == [invoice]
    assert po.support_name == "orden-de-compra.pdf"
    assert po.support_type == "application/pdf"
    assert po.requested_by.email == "admin@acme.test"
    text = _text(response)
    assert (
        f"Request {po.number} was sent to po-ar@provider.test with your contract support." in text
    )

    by_address = {_address(message): message for message in mail.outbox}
    assert set(by_address) == {"po-ar@provider.test", "admin@acme.test"}
    routed = by_address["po-ar@provider.test"]
    assert routed.reply_to == ["admin@acme.test"]
    assert routed.attachments == [("orden-de-compra.pdf", PDF_BYTES, "application/pdf")]
    assert "4500012345" in routed.body
    assert "FA-0001-00000042" in routed.body
    assert customer.legal_name in routed.subject
    copy = by_address["admin@acme.test"]
    assert copy.subject.startswith(f"{po.number} · Your request was sent to billing")
    assert not copy.attachments  # the customer's own file is not sent back


def test_the_list_shows_kind_number_invoices_destination_status_and_answer(
    portal_admin_client, customer, portal_admin_user, staff_user, invoice, addresses
):
    from billing.services import po_request_create, po_request_handle

    first = po_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="hes",
        reference="HES-1000200",
        support=SimpleUploadedFile("hes.png", PNG_BYTES),
        invoices=[invoice],
    )
    second = po_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="migo",
        reference="5000098765",
        support=SimpleUploadedFile("migo.pdf", PDF_BYTES),
        from_period=date(2026, 4, 1),
    )
    po_request_handle(po=second, staff=staff_user, status="rejected", answer="Expired contract")
    text = _text(portal_admin_client.get("/billing/po/"))
    rows = dict(re.findall(r'data-testid="po-row" data-number="([^"]+)">(.*?)</tr>', text))
    assert "Service entry sheet (HES)" in rows[first.number]
    assert "HES-1000200" in rows[first.number]
    assert "FA-0001-00000042" in rows[first.number]
    assert "po-ar@provider.test" in rows[first.number]
    assert "Sent" in rows[first.number]
    assert "From the invoice for April 2026" in rows[second.number]
    assert "Rejected" in rows[second.number]
    assert "Expired contract" in rows[second.number]


def test_the_list_caption_and_columns_read_well(
    portal_admin_client, customer, portal_admin_user, addresses
):
    """The caption is capitalised; the kind sits under the number to print; the address
    breaks only before its "@" (review 7, §11 and §12)."""
    from billing.services import po_request_create

    po_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="po",
        reference="4500012345",
        support=SimpleUploadedFile("po.pdf", PDF_BYTES),
        from_period=date(2026, 4, 1),
    )
    text = _text(portal_admin_client.get("/billing/po/"))
    assert '<caption class="sr-only">Requests for PO / HES / MIGO numbers</caption>' in text
    assert (
        '<strong class="mono billing-po-reference">4500012345</strong><br>'
        '<span class="muted small">Purchase order (PO)</span>'
    ) in text
    assert (
        '<span class="nowrap">po-ar</span><wbr><span class="nowrap">@provider.test</span>'
    ) in text


def test_a_month_before_the_first_one_the_customer_sees_is_refused(portal_admin_client, addresses):
    """On 2026-03-10 the portal shows the invoices from April 2024 (24 months): a PO cannot
    start six years back (review 7, §7). The service checks it again."""
    text = _text(portal_admin_client.get("/billing/po/new/"))
    assert 'type="month"' in text
    assert 'min="2024-04"' in text

    response = portal_admin_client.post("/billing/po/new/", _form(from_period="2020-01"))

    assert response.status_code == 400
    assert "Choose a month from April 2024 on: older invoices are closed." in _text(response)
    assert not PurchaseOrderRequest.objects.exists()
    response = portal_admin_client.post("/billing/po/new/", _form(from_period="2024-04"))
    assert response.status_code == 302
    assert PurchaseOrderRequest.objects.get().from_period == date(2024, 4, 1)


def test_an_invoice_link_preselects_it(portal_admin_client, invoice, addresses):
    text = _text(portal_admin_client.get(f"/billing/po/new/?invoice={invoice.number}"))
    assert re.search(rf'value="{invoice.number}"[^>]*checked', text)


def test_an_image_is_accepted_as_support(portal_admin_client, addresses):
    response = portal_admin_client.post(
        "/billing/po/new/", _form(from_period="2026-04", support=("clausula.png", PNG_BYTES))
    )
    assert response.status_code == 302
    po = PurchaseOrderRequest.objects.get()
    assert po.support_type == "image/png"
    assert po.from_period == date(2026, 4, 1)


# --- refusals -----------------------------------------------------------------------------


def test_missing_support_is_a_400(portal_admin_client, invoice, addresses, mailoutbox):
    response = portal_admin_client.post("/billing/po/new/", _form(invoices=[invoice], support=None))
    assert response.status_code == 400
    assert "Attach the contract support (the PO, or the contract clause that requires it)." in (
        _text(response)
    )
    assert not PurchaseOrderRequest.objects.exists()
    assert not mailoutbox


@pytest.mark.parametrize(
    ("name", "content"),
    [("contrato.pdf", EXE_BYTES), ("contrato.exe", EXE_BYTES), ("orden.pdf", b"just some text\n")],
)
def test_a_support_that_is_not_a_pdf_or_an_image_is_a_400(
    portal_admin_client, invoice, addresses, name, content
):
    """R-BIL-3: checked by content: a renamed executable is refused whatever its name."""
    response = portal_admin_client.post(
        "/billing/po/new/", _form(invoices=[invoice], support=(name, content))
    )
    assert response.status_code == 400
    assert f"{name} is not a PDF or an image (PNG, JPEG)." in _text(response)
    assert not PurchaseOrderRequest.objects.exists()


def test_an_empty_support_is_a_400(portal_admin_client, invoice, addresses):
    response = portal_admin_client.post(
        "/billing/po/new/", _form(invoices=[invoice], support=("orden.pdf", b""))
    )
    assert response.status_code == 400
    assert "The file you attached is empty." in _text(response)


def test_a_support_over_the_size_limit_is_a_400(portal_admin_client, invoice, addresses, settings):
    settings.TICKET_ATTACHMENT_MAX_MB = 1
    big = PDF_BYTES + b"%" * (1024 * 1024)
    response = portal_admin_client.post(
        "/billing/po/new/", _form(invoices=[invoice], support=("orden.pdf", big))
    )
    assert response.status_code == 400
    assert "orden.pdf is larger than 1 MB." in _text(response)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({}, "Choose the invoices, or the month from which to print it."),
        ({"from_period": "2026-13"}, "Enter the month as year and month, e.g. 2026-04."),
        ({"from_period": "April"}, "Enter the month as year and month, e.g. 2026-04."),
        ({"kind": "invoice"}, "Choose what to add to the invoices."),
        ({"reference": "  "}, "Enter the number to print on the invoices."),
        ({"reference": "9" * 81}, "Ensure this value has at most 80 characters"),
        ({"invoices": ["FA-NOT-MINE"]}, "FA-NOT-MINE is not one of your invoices."),
    ],
)
def test_bad_input_is_a_400_with_a_message(portal_admin_client, addresses, extra, message):
    response = portal_admin_client.post("/billing/po/new/", _form(**extra))
    assert response.status_code == 400
    assert message in _text(response)
    assert not PurchaseOrderRequest.objects.exists()


def test_another_customers_or_an_old_invoice_cannot_be_chosen(
    portal_admin_client, customer, other_customer, addresses
):
    foreign = invoice_with_lines(other_customer, number="NF-000001", period=date(2026, 2, 1))
    old = invoice_with_lines(customer, number="FA-OLD-1", period=date(2023, 1, 1))
    for chosen in (foreign, old):
        response = portal_admin_client.post("/billing/po/new/", _form(invoices=[chosen]))
        assert response.status_code == 400
        assert f"{chosen.number} is not one of your invoices." in _text(response)
    assert "NF-000001" not in _text(portal_admin_client.get("/billing/po/new/"))
    assert not PurchaseOrderRequest.objects.exists()


# --- the support download -----------------------------------------------------------------


def test_the_support_downloads_as_an_attachment_never_cached(portal_admin_client, addresses):
    portal_admin_client.post(
        "/billing/po/new/", _form(from_period="2026-04", support=('clá"usula.pdf', PDF_BYTES))
    )
    po = PurchaseOrderRequest.objects.get()
    response = portal_admin_client.get(f"/billing/po/{po.number}/support/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert '"' not in response["Content-Disposition"].split("filename", 1)[1].strip('="')
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_unknown_request_number_is_a_404(portal_admin_client):
    assert portal_admin_client.get("/billing/po/POR-2026-99999/support/").status_code == 404
