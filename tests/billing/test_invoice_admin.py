"""Billing Customer Care's invoices in the admin (R-TEAM-5): the Billing group adds and changes
invoices with their lines and PDF, Customer Care and the TSC only read them; totals come from
the lines; "mark as paid" and the overdue check; the staff PDF download."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from billing import services
from billing.models import Invoice
from tests.conftest import staff_login
from tests.factories import (
    PDF_BYTES,
    CustomerFactory,
    ServiceFactory,
    UserFactory,
    invoice_with_lines,
)

pytestmark = pytest.mark.django_db

ADD = reverse("admin:billing_invoice_add")
CHANGELIST = reverse("admin:billing_invoice_changelist")
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture(autouse=True)
def clock():
    """A day after the issue dates the forms below use: a future issue date is refused."""
    with time_machine.travel(datetime.datetime(2026, 11, 28, 15, 0, tzinfo=datetime.UTC)):
        yield


def _change_url(invoice) -> str:
    return reverse("admin:billing_invoice_change", args=[invoice.pk])


def _form(customer, lines, **overrides) -> dict:
    data = {
        "customer": customer.pk,
        "number": "A-0003-00012345",
        "period": "2026-11-17",
        "issued_on": "2026-11-03",
        "due_on": "2026-11-23",
        "currency": "ARS",
        "tax": "210.00",
        "status": "issued",
        "paid_on": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, (service, description, amount) in enumerate(lines):
        data.update(
            {
                f"lines-{index}-position": str(index + 1),
                f"lines-{index}-service": str(service.pk) if service else "",
                f"lines-{index}-description": description,
                f"lines-{index}-quantity": "1",
                f"lines-{index}-amount": amount,
            }
        )
    data.update(overrides)
    return data


def _page(response) -> str:
    return response.content.decode()


# --- Adding an invoice --------------------------------------------------------------------------


def test_the_add_page_asks_for_the_customer_then_offers_only_its_services(
    billing_client, customer, other_customer
):
    mine = ServiceFactory(customer=customer, service_id="AR-BUE-IPVPN-00001")
    theirs = ServiceFactory(customer=other_customer, service_id="BR-SPO-ETH-00002")

    chooser = billing_client.get(ADD)
    assert chooser.status_code == 200
    assert 'name="customer"' in _page(chooser)
    assert "lines-TOTAL_FORMS" not in _page(chooser)

    form = billing_client.get(ADD, {"customer": customer.pk})
    assert form.status_code == 200
    assert mine.service_id in _page(form)
    assert theirs.service_id not in _page(form)
    assert f'<option value="{customer.pk}" selected>' in _page(form)


def test_billing_staff_add_an_invoice_with_lines_pdf_and_computed_totals(billing_client, customer):
    """R-TEAM-5: the period is normalised to the 1st, totals are the lines plus the taxes."""
    vpn = ServiceFactory(customer=customer)
    data = _form(
        customer,
        [(vpn, "IP VPN 200 Mbps", "1000.00"), (None, "Installation fee", "250.50")],
        pdf=SimpleUploadedFile("whatever.bin", PDF_BYTES, content_type="application/octet-stream"),
        subtotal="1",  # read-only: ignored
        total="999999",
    )

    response = billing_client.post(f"{ADD}?customer={customer.pk}", data)

    assert response.status_code == 302, _page(response)[:3000]
    invoice = Invoice.objects.get()
    assert invoice.customer == customer
    assert invoice.period == datetime.date(2026, 11, 1)
    assert invoice.subtotal == Decimal("1250.50")
    assert invoice.total == Decimal("1460.50")
    assert [(line.position, line.service, line.amount) for line in invoice.lines.all()] == [
        (1, vpn, Decimal("1000.00")),
        (2, None, Decimal("250.50")),
    ]
    assert invoice.pdf.read() == PDF_BYTES


def test_the_form_refuses_a_line_on_another_customers_service(
    billing_client, customer, other_customer
):
    """R-TEAM-5: checked on the server, whatever the page offered."""
    theirs = ServiceFactory(customer=other_customer, service_id="BR-SPO-ETH-00009")

    response = billing_client.post(ADD, _form(customer, [(theirs, "Ethernet", "10.00")]))

    assert response.status_code == 400
    assert "BR-SPO-ETH-00009 is not a service of this invoice&#x27;s customer" in _page(response)
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("number", ["FA 0001", "FA/0001", "../0001", "FA#1", "-0001"])
def test_the_number_must_be_safe_in_a_url(billing_client, customer, number):
    response = billing_client.post(ADD, _form(customer, [(None, "Fee", "1.00")], number=number))

    assert response.status_code == 400
    assert "Use only letters, digits" in _page(response)
    assert not Invoice.objects.exists()


def test_the_number_is_unique_per_customer_with_a_clear_message(
    billing_client, customer, other_customer
):
    invoice_with_lines(customer, number="A-0003-00012345")

    response = billing_client.post(ADD, _form(customer, [(None, "Fee", "1.00")]))

    assert response.status_code == 400
    assert "Acme Logística already has an invoice A-0003-00012345" in _page(response)
    assert "already exists" not in _page(response)  # not also Django's generic message
    # The same number for another customer is fine.
    response = billing_client.post(ADD, _form(other_customer, [(None, "Fee", "1.00")]))
    assert response.status_code == 302
    assert Invoice.objects.filter(number="A-0003-00012345").count() == 2


def test_the_due_date_cannot_be_before_the_issue_date(billing_client, customer):
    response = billing_client.post(
        ADD, _form(customer, [(None, "Fee", "1.00")], due_on="2026-11-02")
    )

    assert response.status_code == 400
    assert "The due date cannot be before the issue date." in _page(response)
    assert "Constraint" not in _page(response)  # one clear message, not the database's


@time_machine.travel(datetime.datetime(2026, 11, 29, 1, 30, tzinfo=datetime.UTC))
def test_an_issue_date_in_the_future_is_refused(billing_client, customer):
    """Billing systems issue on the day: a later date is a typo. "Today" is the customer's:
    01:30 UTC on the 29th is still the 28th in Buenos Aires."""
    tomorrow = billing_client.post(
        f"{ADD}?customer={customer.pk}",
        _form(customer, [(None, "Fee", "10.00")], issued_on="2026-11-29", due_on="2026-12-20"),
    )
    assert tomorrow.status_code == 400
    assert "The issue date cannot be in the future: it is Nov. 28, 2026 for Acme" in _page(tomorrow)
    assert not Invoice.objects.exists()

    today = billing_client.post(
        f"{ADD}?customer={customer.pk}",
        _form(customer, [(None, "Fee", "10.00")], issued_on="2026-11-28", due_on="2026-12-20"),
    )
    assert today.status_code == 302, _page(today)[:3000]


def test_changing_an_invoice_to_a_future_issue_date_is_refused(billing_client, customer):
    invoice = invoice_with_lines(customer, issued_on=datetime.date(2026, 11, 3))
    data = _change_data(billing_client, invoice)
    data["issued_on"] = "2099-01-01"
    data["due_on"] = "2099-02-01"

    response = billing_client.post(_change_url(invoice), data)

    assert response.status_code == 400
    assert "The issue date cannot be in the future" in _page(response)
    invoice.refresh_from_db()
    assert invoice.issued_on == datetime.date(2026, 11, 3)


def test_a_paid_invoice_needs_its_payment_date(billing_client, customer):
    response = billing_client.post(ADD, _form(customer, [(None, "Fee", "1.00")], status="paid"))

    assert response.status_code == 400
    assert "Enter the payment date of a paid invoice." in _page(response)


def test_an_invoice_needs_a_line(billing_client, customer):
    response = billing_client.post(ADD, _form(customer, []))

    assert response.status_code == 400
    assert "An invoice has at least one line." in _page(response)
    assert not Invoice.objects.exists()


def test_a_renamed_program_is_refused_as_the_pdf(billing_client, customer):
    upload = SimpleUploadedFile("invoice.pdf", EXE_BYTES, content_type="application/pdf")

    response = billing_client.post(ADD, _form(customer, [(None, "Fee", "1.00")], pdf=upload))

    assert response.status_code == 400
    assert "invoice.pdf is not a PDF: its content is a .exe file" in _page(response)
    assert not Invoice.objects.exists()


def test_a_pdf_above_the_size_limit_is_refused(billing_client, customer, settings):
    settings.INVOICE_PDF_MAX_MB = 1
    big = PDF_BYTES + b"%" + b"x" * (1024 * 1024)
    upload = SimpleUploadedFile("big.pdf", big, content_type="application/pdf")

    response = billing_client.post(ADD, _form(customer, [(None, "Fee", "1.00")], pdf=upload))

    assert response.status_code == 400
    assert "The PDF is larger than 1 MB." in _page(response)


# --- Changing an invoice ------------------------------------------------------------------------


def _change_data(client, invoice) -> dict:
    """The change form as the page renders it, ready to post back."""
    page = client.get(_change_url(invoice))
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if name == "pdf":
            continue
        data[name] = "" if value is None else value
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management[name].value()
        for line_form in formset.forms:
            for name in line_form.fields:
                value = line_form[name].value()
                data[line_form.add_prefix(name)] = "" if value is None else value
    return {key: value for key, value in data.items() if value is not None}


def test_changing_a_line_amount_recomputes_the_totals(billing_client, customer):
    invoice = invoice_with_lines(customer, amounts=("100.00", "50.00"), tax="31.50")
    data = _change_data(billing_client, invoice)
    data["lines-1-amount"] = "80.00"

    response = billing_client.post(_change_url(invoice), data)

    assert response.status_code == 302, _page(response)[:3000]
    invoice.refresh_from_db()
    assert (invoice.subtotal, invoice.total) == (Decimal("180.00"), Decimal("211.50"))


def test_a_disputed_line_cannot_drop_below_the_disputed_amount(
    billing_client, customer, portal_admin_user
):
    invoice = invoice_with_lines(customer, amounts=("100.00",))
    line = invoice.lines.get()
    services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="dispute",
        subject="Doubled",
        description="Charged twice",
        invoice=invoice,
        disputed={line.pk: Decimal("60.00")},
    )
    data = _change_data(billing_client, invoice)
    data["lines-0-amount"] = "59.99"

    response = billing_client.post(_change_url(invoice), data)

    assert response.status_code == 400
    assert "The customer disputes $60.00 of this line" in _page(response)
    line.refresh_from_db()
    assert line.amount == Decimal("100.00")


def test_the_customer_of_a_saved_invoice_is_read_only(billing_client, customer, other_customer):
    invoice = invoice_with_lines(customer)
    data = _change_data(billing_client, invoice)
    data["customer"] = other_customer.pk

    response = billing_client.post(_change_url(invoice), data)

    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.customer == customer


# --- Actions ------------------------------------------------------------------------------------


@time_machine.travel(datetime.datetime(2026, 11, 12, 1, 30, tzinfo=datetime.UTC))
def test_mark_as_paid_uses_the_customers_today_and_skips_disputed_invoices(
    billing_client, customer, portal_admin_user
):
    """Buenos Aires is still on the 11th at 01:30 UTC."""
    issued = invoice_with_lines(customer, number="A-1")
    overdue = invoice_with_lines(customer, number="A-2", status="overdue")
    disputed = invoice_with_lines(customer, number="A-3", status="in_dispute")

    response = billing_client.post(
        CHANGELIST,
        {"action": "mark_paid", "_selected_action": [issued.pk, overdue.pk, disputed.pk]},
        follow=True,
    )

    assert "2 invoices marked as paid." in _page(response)
    assert "A-3 is in dispute: resolve the dispute first." in _page(response)
    for invoice in (issued, overdue):
        invoice.refresh_from_db()
        assert (invoice.status, invoice.paid_on) == ("paid", datetime.date(2026, 11, 11))
    disputed.refresh_from_db()
    assert disputed.status == "in_dispute"
    assert disputed.paid_on is None


def test_the_overdue_check_button_runs_the_service(billing_client, customer):
    late = invoice_with_lines(
        customer,
        number="A-1",
        issued_on=datetime.date(2020, 1, 1),
        due_on=datetime.date(2020, 1, 20),
        period=datetime.date(2020, 1, 1),
    )
    url = reverse("admin:billing_invoice_overdue_check")

    assert billing_client.get(url).status_code == 405
    response = billing_client.post(url, follow=True)

    assert "1 invoice marked overdue" in _page(response)
    late.refresh_from_db()
    assert late.status == "overdue"


# --- The list -----------------------------------------------------------------------------------


def test_the_list_shows_the_columns_and_filters(billing_client, customer, other_customer):
    invoice_with_lines(customer, number="A-ARS-1", currency="ARS", pdf=True)
    invoice_with_lines(other_customer, number="NF-BRL-1", currency="BRL")

    page = _page(billing_client.get(CHANGELIST))
    assert "A-ARS-1" in page
    assert "NF-BRL-1" in page
    assert "Acme Logística" in page
    assert "Globex Telecom" in page
    for column in ("customer", "number", "period_display", "due_on", "currency"):
        assert f'class="sortable column-{column}' in page
    for column in ("total_display", "status", "has_pdf"):
        assert f"column-{column}" in page

    for query, shown, hidden in [
        ({"currency__exact": "BRL"}, "NF-BRL-1", "A-ARS-1"),
        ({"customer__country__exact": "AR"}, "A-ARS-1", "NF-BRL-1"),
        ({"pdf": "yes"}, "A-ARS-1", "NF-BRL-1"),
        ({"q": "Globex"}, "NF-BRL-1", "A-ARS-1"),
        ({"q": "A-ARS"}, "A-ARS-1", "NF-BRL-1"),
    ]:
        page = _page(billing_client.get(CHANGELIST, query))
        assert shown in page, query
        assert hidden not in page, query


def test_the_search_finds_a_tax_id_written_without_separators(billing_client):
    acme = CustomerFactory(tax_id="30-71234567-9")
    invoice_with_lines(acme, number="A-1")
    invoice_with_lines(CustomerFactory(), number="B-1")

    page = _page(billing_client.get(CHANGELIST, {"q": "30712345679"}))

    assert "A-1" in page
    assert "B-1" not in page


@time_machine.travel(datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC))
def test_the_period_status_and_overdue_filters(billing_client, customer):
    invoice_with_lines(
        customer,
        number="OLD-LATE",
        period=datetime.date(2026, 9, 1),
        due_on=datetime.date(2026, 9, 25),
    )
    invoice_with_lines(customer, number="NEW", period=datetime.date(2026, 11, 1))
    invoice_with_lines(customer, number="PAID", period=datetime.date(2026, 9, 1), status="paid")

    overdue = _page(billing_client.get(CHANGELIST, {"overdue": "yes"}))
    assert "OLD-LATE" in overdue
    assert "NEW" not in overdue
    assert "PAID" not in overdue
    september = _page(billing_client.get(CHANGELIST, {"period": "2026-09"}))
    assert "OLD-LATE" in september
    assert "PAID" in september
    assert ">NEW<" not in september
    paid = _page(billing_client.get(CHANGELIST, {"status__exact": "paid"}))
    assert "PAID" in paid
    assert "OLD-LATE" not in paid


# --- Who may do what (R-TEAM-5) -------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["care_client", "tsc_client"])
def test_customer_care_and_tsc_only_read_invoices(request, persona, customer):
    client = request.getfixturevalue(persona)
    invoice = invoice_with_lines(customer, number="A-1", pdf=True)

    listing = client.get(CHANGELIST)
    assert listing.status_code == 200
    assert "A-1" in _page(listing)
    assert "mark_paid" not in _page(listing)
    assert reverse("admin:billing_invoice_import") not in _page(listing)
    assert "Run the overdue check now" not in _page(listing)

    change = client.get(_change_url(invoice))
    assert change.status_code == 200
    assert 'name="number"' not in _page(change)  # read-only
    assert reverse("admin:billing_invoice_pdf", args=[invoice.pk]) in _page(change)

    assert client.post(_change_url(invoice), {"number": "HACKED"}).status_code == 403
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, _form(customer, [(None, "Fee", "1.00")])).status_code == 403
    assert client.get(reverse("admin:billing_invoice_import")).status_code == 403
    assert client.post(reverse("admin:billing_invoice_overdue_check")).status_code == 403
    action = client.post(CHANGELIST, {"action": "mark_paid", "_selected_action": [invoice.pk]})
    assert action.status_code == 200  # the action is not theirs: the list is shown again
    invoice.refresh_from_db()
    assert (invoice.number, invoice.status) == ("A-1", "issued")
    assert not Invoice.objects.exclude(pk=invoice.pk).exists()


def test_the_billing_group_sees_the_tools(billing_client, customer):
    invoice_with_lines(customer, number="A-1")

    page = _page(billing_client.get(CHANGELIST))

    assert "mark_paid" in page
    assert reverse("admin:billing_invoice_import") in page
    assert "Run the overdue check now" in page


def test_the_change_form_links_the_pdf_to_the_staff_download(billing_client, customer):
    invoice = invoice_with_lines(customer, number="A-7", pdf=True)

    page = _page(billing_client.get(_change_url(invoice)))

    assert f'href="{reverse("admin:billing_invoice_pdf", args=[invoice.pk])}">A-7.pdf</a>' in page
    assert invoice.pdf.name not in page  # never the storage path


def test_staff_download_the_pdf_uncached(care_client, customer):
    invoice = invoice_with_lines(customer, number="A-0003-1", pdf=True)

    response = care_client.get(reverse("admin:billing_invoice_pdf", args=[invoice.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert (
        care_client.post(reverse("admin:billing_invoice_pdf", args=[invoice.pk])).status_code == 405
    )
    assert "no-store" in response["Cache-Control"]
    assert 'filename="A-0003-1.pdf"' in response["Content-Disposition"]


def test_the_pdf_download_needs_staff_with_billing_view(client, portal_admin_client, customer):
    invoice = invoice_with_lines(customer, pdf=True)
    url = reverse("admin:billing_invoice_pdf", args=[invoice.pk])

    assert client.get(url).status_code == 302  # anonymous: to the admin login
    assert portal_admin_client.get(url).status_code == 302  # a customer is no staff
    bare = UserFactory(email="bare@provider.test", is_staff=True)
    bare_client = Client()
    staff_login(bare_client, bare)
    assert bare_client.get(url).status_code == 403


def test_an_invoice_without_pdf_has_no_download(billing_client, customer):
    invoice = invoice_with_lines(customer)

    response = billing_client.get(reverse("admin:billing_invoice_pdf", args=[invoice.pk]))

    assert response.status_code == 404
