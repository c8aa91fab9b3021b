"""The customer's billing-data pages, the "Consulta" option (R-BIL-2): the list, the form that
shows the first invoice before sending (R-BIL-4), its refusals, its e-mails, and who may do what
on every billing-data and PO / HES / MIGO URL. The clock is frozen on Tuesday 2026-03-10 10:00
in Buenos Aires (13:00 UTC) unless a test moves it."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from billing import services
from billing.models import BillingDataChange
from contacts.models import PoAddress
from core.models import Level
from team.models import TeamAssignment, TeamRole
from tests.factories import (
    PDF_BYTES,
    CustomerFactory,
    MembershipFactory,
    NotificationContactFactory,
    TeamPersonFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)  # Tuesday 10:00 in Buenos Aires


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def viewer_client(client, customer, admin_membership):
    """Billing view level only."""
    membership = MembershipFactory(customer=customer, billing=Level.VIEW, services=Level.VIEW)
    client.force_login(membership.user)
    return client


@pytest.fixture
def po_request(customer, portal_admin_user):
    PoAddress.objects.create(countries=["AR"], email="po-ar@provider.test")
    return services.po_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="po",
        reference="4500012345",
        support=SimpleUploadedFile("orden.pdf", PDF_BYTES),
        from_period=date(2026, 4, 1),
    )


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _address(message) -> str:
    return message.to[0].split("<")[-1].rstrip(">")


def _change(customer, user, **data) -> BillingDataChange:
    return services.billing_data_change_create(
        customer=customer, user=user, data=data or {"billing_address": "Av. Corrientes 1234"}
    )


# --- who may do what ----------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, po_request):
    paths = [
        "/billing/data/",
        "/billing/data/new/",
        "/billing/po/",
        "/billing/po/new/",
        f"/billing/po/{po_request.number}/support/",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/?next=")
    for path in ("/billing/data/new/", "/billing/po/new/"):
        assert client.post(path, {"company_name": "X"})["Location"].startswith("/accounts/login/")
    assert not BillingDataChange.objects.exists()


def test_no_billing_permission_is_403_everywhere(limited_client, po_request):
    for path in (
        "/billing/data/",
        "/billing/data/new/",
        "/billing/po/",
        "/billing/po/new/",
        f"/billing/po/{po_request.number}/support/",
    ):
        assert limited_client.get(path).status_code == 403, path
    assert limited_client.post("/billing/data/new/", {"company_name": "X"}).status_code == 403
    assert limited_client.post("/billing/po/new/", {"reference": "1"}).status_code == 403
    assert not BillingDataChange.objects.exists()


def test_view_level_lists_but_cannot_ask(viewer_client, customer, portal_admin_user, po_request):
    _change(customer, portal_admin_user)
    page = viewer_client.get("/billing/data/")
    assert page.status_code == 200
    assert 'data-testid="data-change-row"' in page.content.decode()
    assert 'data-testid="ask-data-change"' not in page.content.decode()
    assert viewer_client.get("/billing/data/new/").status_code == 403
    assert viewer_client.post("/billing/data/new/", {"company_name": "X"}).status_code == 403
    po_page = viewer_client.get("/billing/po/")
    assert po_page.status_code == 200
    assert 'data-testid="ask-po"' not in po_page.content.decode()
    assert viewer_client.get("/billing/po/new/").status_code == 403
    assert viewer_client.post("/billing/po/new/", {"reference": "1"}).status_code == 403
    # Reading includes the customer's own support file.
    assert viewer_client.get(f"/billing/po/{po_request.number}/support/").status_code == 200
    assert BillingDataChange.objects.count() == 1


def test_another_customers_rows_and_support_file_are_invisible(
    client, customer, portal_admin_user, other_user, po_request
):
    _change(customer, portal_admin_user, company_name="Acme Secret Holdings")
    client.force_login(other_user)
    response = client.get(f"/billing/po/{po_request.number}/support/")
    assert response.status_code == 404
    assert "Acme" not in response.content.decode()
    assert "Acme Secret Holdings" not in client.get("/billing/data/").content.decode()
    assert po_request.number not in client.get("/billing/po/").content.decode()


def test_methods(portal_admin_client, po_request):
    assert portal_admin_client.post("/billing/data/").status_code == 405
    assert portal_admin_client.post("/billing/po/").status_code == 405
    assert portal_admin_client.post(f"/billing/po/{po_request.number}/support/").status_code == 405
    assert portal_admin_client.put("/billing/data/new/").status_code == 405
    assert portal_admin_client.delete("/billing/po/new/").status_code == 405
    assert portal_admin_client.head("/billing/data/").status_code == 200


# --- the form: the first invoice before sending (R-BIL-4) -----------------------------------


def test_the_form_shows_the_first_invoice_and_the_rule_before_sending(portal_admin_client):
    text = _text(portal_admin_client.get("/billing/data/new/"))
    assert (
        'Sent today, March 10, 2026, this change first applies to <strong data-testid="first-'
        'invoice-period">the invoice for April 2026</strong>.'
    ) in text
    assert (
        "Changes asked for on days 1 to 15 of a month apply from the next invoice; from day 16 to "
        "the month end, from the invoice after next. The day counts in your company's timezone "
        "(America/Argentina/Buenos_Aires)."
    ) in text
    assert 'data-testid="first-invoice-later"' not in text  # the 10th: no hurry


@pytest.mark.parametrize("day", [13, 14, 15])
def test_on_the_13th_to_the_15th_the_form_warns_it_would_be_one_invoice_later(
    portal_admin_client, portal_admin_user, clock, day
):
    clock.move_to(datetime(2026, 3, day, 15, 0, tzinfo=UTC))
    portal_admin_client.force_login(portal_admin_user)  # the first session has expired by then
    text = _text(portal_admin_client.get("/billing/data/new/"))
    assert "the invoice for April 2026</strong>" in text
    assert (
        '<p class="billing-data-soon" data-testid="first-invoice-later">Sent from day 16 on, it '
        "would reach one invoice later: the invoice for May 2026.</p>"
    ) in text


@pytest.mark.parametrize("day", [12, 16])
def test_no_warning_outside_the_13th_to_the_15th(
    portal_admin_client, portal_admin_user, clock, day
):
    clock.move_to(datetime(2026, 3, day, 15, 0, tzinfo=UTC))
    portal_admin_client.force_login(portal_admin_user)
    text = _text(portal_admin_client.get("/billing/data/new/"))
    assert 'data-testid="first-invoice-later"' not in text
    expected = "April 2026" if day == 12 else "May 2026"
    assert f"the invoice for {expected}</strong>" in text


def test_midnight_of_the_15th_passing_while_the_form_is_open_is_said(
    portal_admin_client, portal_admin_user, clock
):
    """R-BIL-4: the page showed April; sent at 00:01 on the 16th it reaches May, and says so."""
    clock.move_to(datetime(2026, 3, 16, 2, 58, tzinfo=UTC))  # 23:58 on the 15th
    portal_admin_client.force_login(portal_admin_user)
    page = _text(portal_admin_client.get("/billing/data/new/"))
    assert "the invoice for April 2026</strong>" in page
    assert 'name="shown_period" value="2026-04"' in page
    clock.move_to(datetime(2026, 3, 16, 3, 1, tzinfo=UTC))  # 00:01 on the 16th
    portal_admin_client.force_login(portal_admin_user)
    data = {"shown_period": "2026-04", "postal_address": "Casilla 123"}
    text = _text(portal_admin_client.post("/billing/data/new/", data, follow=True))
    change = BillingDataChange.objects.get()
    assert change.target_period == date(2026, 5, 1)
    assert "It applies from the invoice for May 2026." in text
    assert "The date changed while you filled in the form" in text


@pytest.mark.parametrize(
    ("country", "zone", "label", "help_text"),
    [
        ("AR", "America/Argentina/Buenos_Aires", "New tax id (CUIT)", "CUIT, e.g. 20-26756539-3"),
        ("BR", "America/Sao_Paulo", "New tax id (CNPJ)", "CNPJ, e.g. 11.222.333/0001-81"),
        ("CL", "America/Santiago", "New tax id (RUT)", "RUT, e.g. 76.086.428-5"),
        ("MX", "America/Mexico_City", "New tax id (RFC)", "RFC, e.g. GODE561231GR8"),
    ],
)
def test_the_tax_id_field_names_the_countrys_id_and_example(
    client, country, zone, label, help_text
):
    customer = CustomerFactory(country=country, timezone=zone, tax_id="X-1")
    client.force_login(MembershipFactory(customer=customer, admin=True).user)
    text = _text(client.get("/billing/data/new/"))
    assert f'<label for="id_tax_id">{label}</label>' in text
    assert f'<p class="help">{help_text}</p>' in text
    assert "Now: " + customer.legal_name + ", tax id X-1." in text
    # The example is in the help text only: an empty field must not look already filled.
    tax_id_input = text[text.index('name="tax_id"') :].split(">", 1)[0]
    assert "placeholder" not in tax_id_input


def test_a_country_without_a_known_tax_id_gets_a_plain_field(client):
    customer = CustomerFactory(country="PA", timezone="America/Panama")
    client.force_login(MembershipFactory(customer=customer, admin=True).user)
    text = _text(client.get("/billing/data/new/"))
    assert '<label for="id_tax_id">New tax id</label>' in text
    response = client.post("/billing/data/new/", {"tax_id": "155596713-2-2015 DV 59"})
    assert response.status_code == 302
    assert BillingDataChange.objects.get().tax_id == "155596713-2-2015 DV 59"


def test_the_form_names_the_changes_still_waiting_to_be_handled(
    portal_admin_client, customer, portal_admin_user, staff_user
):
    """A second change while another is pending is no surprise (review 7, §13)."""
    assert 'data-testid="data-change-pending"' not in _text(
        portal_admin_client.get("/billing/data/new/")
    )
    pending = _change(
        customer, portal_admin_user, company_name="Acme Logística y Distribución S.A."
    )
    handled = _change(customer, portal_admin_user, billing_address="Av. Siempre Viva 742")
    services.billing_data_change_handle(change=handled, staff=staff_user, status="applied")

    text = _text(portal_admin_client.get("/billing/data/new/"))

    notice = text[text.index('data-testid="data-change-pending"') :].split("</div>", 1)[0]
    assert "A change you asked for is still waiting to be handled:" in notice
    assert pending.number in notice
    assert handled.number not in notice
    assert "asked for on 03/10/2026 for the invoice for April 2026" in notice
    assert "new company name <q>Acme Logística y Distribución S.A.</q>" in notice
    assert "If the one you send now replaces it, say so in the comment." in notice


def test_the_billing_tabs_come_first_on_the_data_and_po_pages(portal_admin_client):
    """As on every other billing page, so the tabs do not jump when switching (review 7)."""
    for path in ("/billing/data/", "/billing/data/new/", "/billing/po/", "/billing/po/new/"):
        text = _text(portal_admin_client.get(path))
        main = text[text.index('<main id="main"') :].split(">", 1)[1].lstrip()
        assert main.startswith('<nav class="tabs billing-tabs"'), path


# --- sending -------------------------------------------------------------------------------


def test_a_change_is_recorded_and_the_list_names_its_first_invoice(portal_admin_client, customer):
    data = {
        "company_name": "Acme Logística S.R.L.",
        "tax_id": "30714416401",
        "split": "by_site",
        "split_detail": "One invoice for Buenos Aires, one for Córdoba",
        "billing_contacts": "Paula Pagos <pagos@acme.test>",
        "billing_address": "Av. Corrientes 1234, CABA",
        "postal_address": "",
        "comment": "From the new fiscal year",
    }
    response = portal_admin_client.post("/billing/data/new/", data, follow=True)
    assert response.redirect_chain == [("/billing/data/", 302)]
    change = BillingDataChange.objects.get()
    assert change.customer == customer
    assert change.tax_id == "30-71441640-1"  # stored printed (R-BIL-2)
    assert change.split == "by_site"
    assert change.requested_on == date(2026, 3, 10)
    assert change.target_period == date(2026, 4, 1)
    assert change.status == BillingDataChange.Status.RECEIVED
    text = _text(response)
    assert (
        f"Change {change.number} is registered. It applies from the invoice for April 2026." in text
    )
    row = re.search(r'data-testid="data-change-row".*?</tr>', text).group(0)
    assert "New company name" in row
    assert "Acme Logística S.R.L." in row
    assert "30-71441640-1" in row
    assert "One invoice per site" in row
    assert "Postal address" not in row  # left empty: not changed
    assert "03/10/2026" in row
    assert "the invoice for April 2026" in row
    assert "Received" in row


def test_the_answer_of_a_rejected_change_shows_in_the_list(
    portal_admin_client, customer, portal_admin_user, staff_user
):
    change = _change(customer, portal_admin_user)
    services.billing_data_change_handle(
        change=change, staff=staff_user, status="rejected", answer="Send the AFIP certificate"
    )
    row = re.search(
        r'data-testid="data-change-row".*?</tr>', _text(portal_admin_client.get("/billing/data/"))
    )
    assert "Rejected" in row.group(0)
    assert "Send the AFIP certificate" in row.group(0)


def test_an_invalid_tax_id_is_a_400_with_the_expected_format(portal_admin_client):
    response = portal_admin_client.post(
        "/billing/data/new/", {"tax_id": "20-26756539-4", "company_name": "Acme"}
    )
    assert response.status_code == 400
    assert (
        '<p class="field-error">This is not a valid CUIT. Expected a number like '
        "20-26756539-3.</p>" in _text(response)
    )
    assert 'value="20-26756539-4"' in _text(response)  # what was typed stays to correct it
    assert not BillingDataChange.objects.exists()


def test_nothing_to_change_is_a_400(portal_admin_client):
    response = portal_admin_client.post(
        "/billing/data/new/", {"comment": "Just saying hi", "split": ""}
    )
    assert response.status_code == 400
    assert "Say at least one thing to change." in _text(response)
    assert 'data-testid="first-invoice"' in _text(response)  # still shows the first invoice
    assert not BillingDataChange.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"split": "by_group"}, "Say which sites or service groups go on each invoice."),
        ({"split": "weekly"}, "Choose how to split the invoices."),
        ({"company_name": "x" * 201}, "Ensure this value has at most 200 characters"),
    ],
)
def test_bad_input_is_a_400_with_a_message(portal_admin_client, data, message):
    response = portal_admin_client.post("/billing/data/new/", data)
    assert response.status_code == 400
    assert message in _text(response)
    assert not BillingDataChange.objects.exists()


def test_the_change_notifies_billing_care_and_the_billing_contacts(
    portal_admin_client, customer, mailoutbox, django_capture_on_commit_callbacks
):
    person = TeamPersonFactory(full_name="Bea Billing", email="bea@provider.test")
    TeamAssignment.objects.create(customer=customer, role=TeamRole.BILLING_CARE, person=person)
    NotificationContactFactory(
        customer=customer, email="pagos@acme.test", orders=False, billing=True
    )
    NotificationContactFactory(customer=customer, email="noc@acme.test", orders=True, billing=False)
    with django_capture_on_commit_callbacks(execute=True):
        portal_admin_client.post("/billing/data/new/", {"billing_address": "Av. Corrientes 1234"})
    change = BillingDataChange.objects.get()
    by_address = {_address(message): message for message in mail.outbox}
    assert set(by_address) == {"bea@provider.test", "pagos@acme.test", "admin@acme.test"}
    staff = by_address["bea@provider.test"]
    # Staff read the portal's language (Spanish), the contact its own (Spanish too).
    assert staff.subject.startswith(
        f"{change.number} · Cambio de datos de facturación de Acme Logística"
    )
    assert "Av. Corrientes 1234" in staff.body
    assert staff.reply_to == ["admin@acme.test"]
    contact = by_address["pagos@acme.test"]
    assert contact.subject.startswith(
        f"{change.number} · Recibimos su cambio de datos de facturación"
    )
    assert "a partir de la factura de" in contact.body.lower()


def test_without_a_billing_care_person_the_billing_mailbox_is_told(
    portal_admin_client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.BILLING_MAILBOX = "facturacion@provider.test"
    with django_capture_on_commit_callbacks(execute=True):
        portal_admin_client.post("/billing/data/new/", {"company_name": "Acme Nueva S.A."})
    assert "facturacion@provider.test" in {_address(message) for message in mail.outbox}
