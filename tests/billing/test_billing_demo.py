"""The demo billing loaded by seed_demo: 12 months of Acme invoices in ARS and USD and 6 of
Globex in BRL, each with a readable one-page PDF; a dispute in analysis, a credit issued, a
question waiting for the customer, a pending billing-data change and a PO request; the demo
sign-ins see it; loading twice changes nothing."""

import io
import re
import zlib
from decimal import Decimal

import filetype
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from billing.demo import NEW_CUIT
from billing.models import (
    BillingDataChange,
    BillingMessage,
    BillingRequest,
    Credit,
    DisputedLine,
    Invoice,
    InvoiceLine,
    PurchaseOrderRequest,
)
from core.models import Customer, User
from tests.conftest import staff_login

pytestmark = pytest.mark.django_db

COUNTED = [
    Invoice,
    InvoiceLine,
    BillingRequest,
    BillingMessage,
    DisputedLine,
    Credit,
    BillingDataChange,
    PurchaseOrderRequest,
]


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    return {
        "acme": Customer.objects.get(display_name="Acme Logística"),
        "globex": Customer.objects.get(display_name="Globex Telecom"),
    }


def _months(invoices) -> list[tuple[int, int]]:
    return sorted({(invoice.period.year, invoice.period.month) for invoice in invoices})


def _consecutive(months: list[tuple[int, int]]) -> bool:
    indexes = [year * 12 + month for year, month in months]
    return indexes == list(range(indexes[0], indexes[0] + len(indexes)))


def test_seed_demo_loads_12_months_of_acme_and_6_of_globex(seeded):
    acme, globex = seeded["acme"], seeded["globex"]
    ars = list(Invoice.objects.filter(customer=acme, currency="ARS").order_by("-period"))
    usd = list(Invoice.objects.filter(customer=acme, currency="USD").order_by("-period"))
    brl = list(Invoice.objects.filter(customer=globex, currency="BRL").order_by("-period"))

    assert (len(ars), len(usd), len(brl)) == (12, 12, 6)
    assert Invoice.objects.count() == 30
    for series in (ars, usd, brl):
        assert len(_months(series)) == len(series)
        assert _consecutive(_months(series))
    # Older ones paid; the latest open (partly credited, still owed); one in dispute; one
    # overdue.
    assert [invoice.status for invoice in ars[:3]] == ["issued", "in_dispute", "overdue"]
    assert ars[0].credits.exists()
    assert {invoice.status for invoice in ars[3:]} == {"paid"}
    assert [invoice.status for invoice in usd[:1]] == ["issued"]
    assert {invoice.status for invoice in usd[1:]} == {"paid"}
    assert brl[0].status == "issued"
    assert {invoice.status for invoice in brl[1:]} == {"paid"}
    assert all(invoice.paid_on for invoice in Invoice.objects.filter(status="paid"))
    assert all(invoice.due_on >= invoice.issued_on for invoice in Invoice.objects.all())


def test_the_demo_invoices_add_up_with_their_taxes_and_bill_the_customers_services(seeded):
    for invoice in Invoice.objects.prefetch_related("lines__service").select_related("customer"):
        lines = list(invoice.lines.all())
        assert lines
        assert invoice.subtotal == sum(line.amount for line in lines)
        assert invoice.total == invoice.subtotal + invoice.tax
        assert all(line.amount > 0 and line.description for line in lines)
        assert all(
            line.service is None or line.service.customer_id == invoice.customer_id
            for line in lines
        )
        if invoice.customer.country == "AR":  # IVA 21%
            assert abs(invoice.tax - invoice.subtotal * Decimal("0.21")) <= Decimal("0.01")
        else:  # ICMS on telecom, ISS on services, PIS and COFINS on all
            assert Decimal("0.10") < invoice.tax / invoice.subtotal < Decimal("0.20")
    # Argentine prices follow the monthly indexation: the latest dearer than a year before.
    acme_vpn = InvoiceLine.objects.filter(
        service__service_id="AR-BUE-IPVPN-10231", invoice__currency="ARS"
    ).order_by("invoice__period")
    assert acme_vpn.last().amount > acme_vpn.first().amount * Decimal("1.2")


def _pdf_text(document: bytes) -> str:
    """The text shown by the page's content stream."""
    match = re.search(rb"stream\n(.*?)\nendstream", document, re.S)
    assert match is not None
    content = zlib.decompress(match.group(1)).decode("latin-1")
    strings = re.findall(r"\((.*?)\) Tj", content)
    return " ".join(
        re.sub(r"\\(\d{3})", lambda m: bytes([int(m.group(1), 8)]).decode("cp1252"), s)
        for s in strings
    )


def test_every_demo_invoice_has_a_readable_one_page_pdf(seeded):
    for invoice in Invoice.objects.select_related("customer"):
        assert invoice.pdf
        document = invoice.pdf.read()
        assert filetype.guess(document).mime == "application/pdf"
        assert document.startswith(b"%PDF-1.4")
        assert document.rstrip().endswith(b"%%EOF")
        assert b"/Count 1" in document
        assert b"/BaseFont /Helvetica" in document
        # The cross-reference table points at each object.
        xref = int(re.search(rb"startxref\n(\d+)", document).group(1))
        assert document[xref:].startswith(b"xref")
        offsets = re.findall(rb"(\d{10}) 00000 n", document)
        for number, offset in enumerate(offsets, start=1):
            assert document[int(offset) :].startswith(f"{number} 0 obj".encode())
        text = _pdf_text(document)
        assert invoice.number in text
        assert invoice.customer.legal_name in text
        assert "Total" in text
        for line in invoice.lines.all():
            if line.service:
                assert line.service.service_id in text
    acme_text = _pdf_text(Invoice.objects.filter(currency="ARS").first().pdf.read())
    assert "IVA 21%" in acme_text
    assert "FACTURA" in acme_text
    globex_text = _pdf_text(Invoice.objects.filter(currency="BRL").first().pdf.read())
    assert "ICMS" in globex_text
    assert "COFINS" in globex_text
    assert "FATURA" in globex_text


def test_the_demo_requests_tell_the_billing_stories(seeded):
    acme = seeded["acme"]
    requests = {r.kind: r for r in BillingRequest.objects.filter(customer=acme)}

    dispute = requests["dispute"]
    assert dispute.status == "in_analysis"
    assert dispute.invoice.status == "in_dispute"
    disputed = dispute.disputed_lines.get()
    assert disputed.line.service.service_id == "AR-ROS-IPVPN-10577"
    assert disputed.amount == disputed.line.amount == dispute.requested_amount
    assert dispute.messages.filter(from_provider=True, status="in_analysis").exists()

    credit_request = requests["credit"]
    assert (credit_request.status, credit_request.outcome) == ("resolved", "credit")
    assert credit_request.ticket is not None
    assert credit_request.ticket.status == "closed"
    assert credit_request.outage_start < credit_request.outage_end
    credit = credit_request.credit
    assert credit.amount == credit_request.requested_amount
    assert not credit.override
    # A partial credit: the invoice is still owed, less the credit.
    assert credit.invoice.status == "issued"
    assert credit.currency == "ARS"

    question = requests["question"]
    assert question.status == "waiting"
    assert question.invoice.currency == "USD"
    # The stories happened in the past, in order.
    assert dispute.created_at < credit_request.created_at < credit.issued_at
    for request_obj in (dispute, credit_request, question):
        times = [m.created_at for m in request_obj.messages.order_by("id")]
        assert times == sorted(times)
        assert all(t > request_obj.created_at for t in times)

    change = BillingDataChange.objects.get(customer=acme)
    assert change.status == "received"
    assert change.tax_id == NEW_CUIT
    po = PurchaseOrderRequest.objects.get(customer=acme)
    assert po.reference == "4500123456"
    assert po.routed_to
    assert filetype.guess(po.support.read()).mime == "application/pdf"


def test_seed_demo_twice_loads_the_billing_once(seeded, settings):
    before = {model.__name__: model.objects.count() for model in COUNTED}

    call_command("seed_demo", stdout=io.StringIO())

    assert {model.__name__: model.objects.count() for model in COUNTED} == before
    assert before["Invoice"] == 30
    assert before["BillingRequest"] == 3


def _signed_in(email: str) -> Client:
    client = Client()
    user = User.objects.get(email=email)
    if user.is_staff:
        staff_login(client, user)  # the admin asks staff for their TOTP code too
    else:
        client.force_login(user)
    return client


def test_the_demo_sign_ins_see_their_invoices_and_pdfs(seeded):
    acme_admin = _signed_in("admin@acme.example")
    latest = Invoice.objects.filter(customer=seeded["acme"], currency="ARS").first()

    listing = acme_admin.get(reverse("billing:list"))
    assert listing.status_code == 200
    assert latest.number in listing.content.decode()
    pdf = acme_admin.get(reverse("billing:invoice_pdf", kwargs={"number": latest.number}))
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    requests = acme_admin.get(reverse("billing:requests")).content.decode()
    for request_obj in BillingRequest.objects.filter(customer=seeded["acme"]):
        assert request_obj.number in requests

    globex_admin = _signed_in("admin@globex.example")
    brl = Invoice.objects.filter(customer=seeded["globex"]).first()
    assert brl.number in globex_admin.get(reverse("billing:list")).content.decode()
    assert (
        globex_admin.get(reverse("billing:invoice", kwargs={"number": latest.number})).status_code
        == 404
    )

    # Staff: the TSC reads the invoices in the admin.
    tsc = _signed_in("tsc@provider.example")
    assert latest.number in tsc.get(reverse("admin:billing_invoice_changelist")).content.decode()
