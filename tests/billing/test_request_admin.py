"""Billing Customer Care in the staff admin (R-TEAM-5, R-BIL-1), through the real admin pages:
the queue with its filters and search, the change page with the facts, the disputed lines and the
whole conversation (internal notes marked), the reply / credit / answer / close pages calling the
services, every broken rule on the form (400, never a 500), and only the "Billing" group acting."""

import html
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from billing import services
from billing.models import BillingMessage, BillingRequest, Credit, Invoice
from core.models import AuditEvent, Notification
from tests.conftest import staff_login, staff_member
from tests.factories import CustomerFactory, UserFactory, invoice_with_lines

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:billing_billingrequest_changelist"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def invoice(customer):
    return invoice_with_lines(
        customer,
        amounts=("1000.00", "250.50"),
        currency="USD",
        number="FA-0001",
        due_on=timezone.localdate() + timedelta(days=30),
    )


@pytest.fixture
def dispute(customer, portal_admin_user, invoice):
    first = invoice.lines.get(position=1)
    return services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="dispute",
        subject="Cargo duplicado",
        description="La línea 1 está cobrada dos veces.",
        invoice=invoice,
        disputed={first.pk: Decimal("400.00")},
        attachments=[SimpleUploadedFile("detalle.pdf", PDF)],
    )


def _url(name: str, request_obj) -> str:
    return reverse(f"admin:billing_billingrequest_{name}", args=[request_obj.pk])


def _plain(response) -> str:
    """The page's text with entities decoded and whitespace collapsed."""
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


def _numbers(client, **params) -> set[str]:
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    return {row.number for row in response.context["cl"].result_list}


# --- The queue ------------------------------------------------------------------------------


def test_the_list_shows_number_customer_kind_invoice_amount_status_and_age(billing_client, dispute):
    BillingRequest.objects.filter(pk=dispute.pk).update(
        created_at=timezone.now() - timedelta(days=2, hours=3)
    )
    page = billing_client.get(reverse(CHANGELIST)).content.decode()

    assert dispute.number in page
    assert "Acme Logística" in page
    assert "Dispute of invoice lines" in page
    assert "FA-0001" in page
    assert '<td class="field-amount_asked">$400.00</td>' in page
    assert "Received" in page
    assert "2 d 3 h" in page


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(CHANGELIST)).status_code == 200
    return len(queries)


def test_the_list_query_count_is_the_same_for_1_and_30_requests(
    billing_client, customer, portal_admin_user, dispute
):
    _list_queries(billing_client)  # warm the per-process caches (content types, permissions)
    one = _list_queries(billing_client)
    for index in range(29):
        invoice = invoice_with_lines(customer, amounts=("10.00",), number=f"FA-1{index:03d}")
        services.billing_request_create(
            customer=customer,
            user=portal_admin_user,
            kind="question" if index % 2 else "dispute",
            subject=f"Consulta {index}",
            description="x",
            invoice=invoice,
            disputed={invoice.lines.get().pk: Decimal("5")},
        )

    assert BillingRequest.objects.count() == 30
    assert _list_queries(billing_client) == one


def test_filters_by_status_kind_outcome_country_and_whose_turn(
    billing_client, billing_staff, customer, portal_admin_user, other_customer, other_user, dispute
):
    question = services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="question",
        subject="¿Por qué sube?",
        description="x",
        invoice=invoice_with_lines(customer, amounts=("10.00",), number="FA-0002"),
    )
    services.billing_request_staff_message(
        request_obj=question, staff=billing_staff, body="¿Qué período?", status="waiting"
    )
    brazil = services.billing_request_create(
        customer=other_customer,
        user=other_user,
        kind="credit",
        subject="Queda do link",
        description="y",
        requested_amount=Decimal("100"),
        currency="BRL",
    )
    services.billing_request_answer(request_obj=brazil, staff=billing_staff, answer="Não.")

    assert _numbers(billing_client, status="waiting") == {question.number}
    assert _numbers(billing_client, turn="customer") == {question.number}
    assert _numbers(billing_client, turn="us") == {dispute.number}
    assert _numbers(billing_client, kind__exact="credit") == {brazil.number}
    assert _numbers(billing_client, outcome__exact="no_credit") == {brazil.number}
    assert _numbers(billing_client, country="BR") == {brazil.number}
    assert _numbers(billing_client, country="AR") == {question.number, dispute.number}


def test_search_by_number_customer_invoice_and_subject(
    billing_client, customer, portal_admin_user, dispute
):
    other = CustomerFactory(display_name="Initech")
    services.billing_request_create(
        customer=other,
        user=UserFactory(),
        kind="question",
        subject="Otra cosa",
        description="z",
        invoice=invoice_with_lines(other, amounts=("5.00",), number="ZZ-9"),
    )

    for term in (dispute.number, "Acme", "FA-0001", "duplicado"):
        assert _numbers(billing_client, q=term) == {dispute.number}, term


# --- The change page ------------------------------------------------------------------------


def test_the_change_page_shows_facts_lines_files_and_every_message_notes_marked(
    billing_client, billing_staff, portal_admin_user, dispute, invoice
):
    services.billing_request_staff_message(
        request_obj=dispute, staff=billing_staff, body="Revisamos con facturación."
    )
    services.billing_request_staff_message(
        request_obj=dispute, staff=billing_staff, body="NOTA-INTERNA-42", internal=True
    )
    services.billing_request_reply(request_obj=dispute, user=portal_admin_user, body="Gracias.")

    response = billing_client.get(_url("change", dispute))
    page = response.content.decode()

    assert response.status_code == 200
    assert reverse("admin:billing_invoice_change", args=[invoice.pk]) in page
    assert "La línea 1 está cobrada dos veces." in page
    assert "Monthly charge 1" in page
    assert "$1,000.00" in page
    assert "$400.00" in page
    attachment = dispute.attachments.get()
    assert reverse("admin:billing_billingrequest_attachment", args=[attachment.reference]) in page
    assert "Revisamos con facturación." in page
    assert "Gracias." in page
    assert "NOTA-INTERNA-42" in page
    assert "Internal note (staff only)" in page
    for name in ("reply", "credit", "answer", "close"):
        assert _url(name, dispute) in page, name
    assert 'name="_save"' not in page  # nothing is edited on this page


def test_the_close_action_is_called_close_the_request_not_close(billing_client, dispute):
    """Django's own grey "Close" (back to the list) stays; the action that closes the request
    says so, on its button and its page."""
    page = billing_client.get(_url("change", dispute)).content.decode()
    tools = page.split('class="object-tools"')[1].split("</ul>")[0]
    assert re.search(rf'<a href="{_url("close", dispute)}">\s*Close the request\s*</a>', tools)
    assert not re.search(r">\s*Close\s*</a>", tools)

    close_page = billing_client.get(_url("close", dispute)).content.decode()
    assert "<title>Close the request" in close_page
    assert 'value="Close the request"' in close_page


def test_the_disputed_lines_are_read_only_rows_titled_by_their_line(
    billing_client, dispute, invoice
):
    page = billing_client.get(_url("change", dispute)).content.decode()
    line = invoice.lines.get(position=1)

    assert "Add another" not in page
    assert f"Line 1 · {line.description}" in page
    assert str(dispute.disputed_lines.get()) not in page  # "BIL-… FA-0001 #1"
    assert 'name="disputed_lines-0-DELETE"' not in page


CUSTOMER_ZONE = "America/Argentina/Buenos_Aires"


def test_times_on_the_change_page_are_labelled_and_on_the_customers_clock_too(
    billing_client, billing_staff, dispute
):
    """Staff read UTC (their own timezone when set), always named, and the customer's time
    next to it: 17:43 UTC is 14:43 in Buenos Aires."""
    received = datetime(2026, 11, 28, 17, 43, tzinfo=UTC)
    BillingRequest.objects.filter(pk=dispute.pk).update(created_at=received)
    message = services.billing_request_staff_message(
        request_obj=dispute, staff=billing_staff, body="¿Qué línea?"
    )
    BillingMessage.objects.filter(pk=message.pk).update(
        created_at=datetime(2026, 11, 29, 1, 5, tzinfo=UTC)  # still the 28th in Buenos Aires
    )
    resolved = services.billing_request_answer(
        request_obj=dispute, staff=billing_staff, answer="Listo."
    )
    BillingRequest.objects.filter(pk=resolved.pk).update(
        resolved_at=datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    )

    page = _plain(billing_client.get(_url("change", dispute)))

    assert f"2026-11-28 17:43 UTC · 14:43 {CUSTOMER_ZONE}" in page  # received
    assert f"2026-11-29 01:05 UTC · 2026-11-28 22:05 {CUSTOMER_ZONE}" in page  # the message
    assert f"2026-11-30 12:00 UTC · 09:00 {CUSTOMER_ZONE}" in page  # resolved
    close_page = _plain(billing_client.get(_url("close", dispute)))
    assert f"Received: 2026-11-28 17:43 UTC · 14:43 {CUSTOMER_ZONE}" in close_page
    assert f"Resolved: 2026-11-30 12:00 UTC · 09:00 {CUSTOMER_ZONE}" in close_page


def test_the_outage_of_a_credit_request_reads_on_both_clocks(
    billing_client, customer, portal_admin_user
):
    request_obj = services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="credit",
        subject="Corte",
        description="Sin servicio.",
        requested_amount=Decimal("25.00"),
        currency="USD",
    )
    BillingRequest.objects.filter(pk=request_obj.pk).update(
        outage_start=datetime(2026, 11, 27, 17, 19, tzinfo=UTC),
        outage_end=datetime(2026, 11, 27, 19, 39, tzinfo=UTC),
    )

    page = _plain(billing_client.get(_url("change", request_obj)))

    assert f"2026-11-27 17:19 UTC · 14:19 {CUSTOMER_ZONE}" in page
    assert f"– 2026-11-27 19:39 UTC · 16:39 {CUSTOMER_ZONE}" in page


def test_staff_in_the_customers_timezone_read_one_named_time(billing_staff, dispute):
    billing_staff.timezone = CUSTOMER_ZONE
    billing_staff.save()
    BillingRequest.objects.filter(pk=dispute.pk).update(
        created_at=datetime(2026, 11, 28, 17, 43, tzinfo=UTC)
    )

    page = _plain(staff_login(Client(), billing_staff).get(_url("reply", dispute)))

    assert f"Received: 2026-11-28 14:43 {CUSTOMER_ZONE}" in page
    assert "UTC" not in page.split("Received:")[1].split("<")[0]


def test_a_question_offers_no_credit_button(billing_client, customer, portal_admin_user, invoice):
    question = services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="question",
        subject="?",
        description="?",
        invoice=invoice,
    )
    page = billing_client.get(_url("change", question)).content.decode()

    assert _url("reply", question) in page
    assert _url("credit", question) not in page


def test_staff_download_an_attachment_as_a_file_never_cached(billing_client, dispute):
    attachment = dispute.attachments.get()
    response = billing_client.get(
        reverse("admin:billing_billingrequest_attachment", args=[attachment.reference])
    )

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "no-store" in response["Cache-Control"]
    assert "attachment" in response["Content-Disposition"]


# --- Reply / ask the customer ---------------------------------------------------------------


def test_asking_the_customer_sets_waiting_and_notifies_them(
    billing_client, dispute, django_capture_on_commit_callbacks
):
    form_page = billing_client.get(_url("reply", dispute))
    assert form_page.status_code == 200
    assert 'value="Send"' in form_page.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = billing_client.post(
            _url("reply", dispute), {"body": "Envíe el detalle de llamadas.", "status": "waiting"}
        )

    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == BillingRequest.Status.WAITING
    assert any("Envíe el detalle de llamadas." in m.body for m in mail.outbox)


def test_an_internal_note_with_a_file_notifies_nobody_and_keeps_the_status(
    billing_client, dispute, django_capture_on_commit_callbacks
):
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = billing_client.post(
            _url("reply", dispute),
            {
                "body": "El cliente debe tres facturas.",
                "internal": "on",
                "attachments": [SimpleUploadedFile("nota.pdf", PDF)],
            },
        )

    assert response.status_code == 302
    note = BillingMessage.objects.get(internal=True)
    assert note.body == "El cliente debe tres facturas."
    assert note.attachments.count() == 1
    assert Notification.objects.count() == before
    dispute.refresh_from_db()
    assert dispute.status == BillingRequest.Status.RECEIVED


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"body": " "}, "Write a message."),
        ({"body": "", "status": "waiting"}, "Say what you need from the customer."),
        ({"body": "x", "status": "waiting", "internal": "on"}, "cannot change the status"),
    ],
)
def test_a_bad_reply_is_refused_on_the_form(billing_client, dispute, data, error):
    response = billing_client.post(_url("reply", dispute), data)

    assert response.status_code == 400
    assert error in response.content.decode()


# --- Issue a credit -------------------------------------------------------------------------


def test_the_credit_page_prefills_the_amount_asked_and_the_invoice_and_warns_of_the_audit(
    billing_client, customer, dispute, invoice
):
    in_pesos = invoice_with_lines(customer, amounts=("9.00",), currency="ARS", number="FA-ARS")
    later = invoice_with_lines(customer, amounts=("80.00",), currency="USD", number="FA-0003")

    response = billing_client.get(_url("credit", dispute))
    form = response.context["form"]
    page = response.content.decode()

    assert response.status_code == 200
    assert form["amount"].value() == Decimal("400.00")
    assert form["invoice"].value() == invoice.pk
    assert set(form.fields["invoice"].queryset) == {invoice, later}  # USD only
    assert in_pesos.number not in page
    assert "It will be audited" in page
    assert "$1,000.00" in page
    assert "$400.00" in page


def test_the_credit_page_names_the_invoice_field_and_refuses_it_empty(
    billing_client, dispute, invoice
):
    """The request's invoice is chosen beforehand; an empty choice is refused with a clear
    message, never replaced by anything."""
    page = billing_client.get(_url("credit", dispute)).content.decode()
    assert re.search(r'<label[^>]*for="id_invoice"[^>]*class="required"', page)
    assert "Invoice to credit:" in page
    assert f'<option value="{invoice.pk}" selected>' in page
    assert "— Choose the invoice —" in page
    assert f"The request&#x27;s invoice, {invoice.number}, is chosen." in page

    response = billing_client.post(_url("credit", dispute), {"amount": "10", "invoice": ""})

    assert response.status_code == 400
    assert "Choose the invoice the credit applies to." in response.content.decode()
    assert not Credit.objects.exists()


def test_a_credit_request_without_invoice_asks_for_one(
    billing_client, customer, portal_admin_user, invoice
):
    request_obj = services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="credit",
        subject="Corte del enlace",
        description="Tres horas sin servicio.",
        requested_amount=Decimal("25.00"),
        currency="USD",
    )
    page = billing_client.get(_url("credit", request_obj)).content.decode()
    assert '<option value="" selected>— Choose the invoice —</option>' in page
    assert f'<option value="{invoice.pk}" selected>' not in page
    assert "The request names no invoice: choose the one the credit applies to." in page

    refused = billing_client.post(_url("credit", request_obj), {"amount": "25.00"})
    assert refused.status_code == 400
    assert "Choose the invoice the credit applies to." in refused.content.decode()
    done = billing_client.post(_url("credit", request_obj), {"amount": "25", "invoice": invoice.pk})
    assert done.status_code == 302
    assert Credit.objects.get().invoice == invoice


def test_staff_issue_a_credit_through_the_page(
    billing_client, billing_staff, dispute, invoice, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = billing_client.post(
            _url("credit", dispute),
            {"amount": "400.00", "invoice": invoice.pk, "answer": "Corresponde el crédito."},
        )

    assert response.status_code == 302
    assert response["Location"] == _url("change", dispute)
    credit = Credit.objects.get()
    assert (credit.amount, credit.invoice, credit.issued_by) == (
        Decimal("400.00"),
        invoice,
        billing_staff,
    )
    assert credit.override is False
    dispute.refresh_from_db()
    assert (dispute.status, dispute.outcome) == ("resolved", "credit")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED  # 400 of 1,250.50 credited: still to pay
    assert any("Corresponde el crédito." in m.body for m in mail.outbox)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CREDIT_OVERRIDE).exists()


def test_a_credit_above_the_amount_asked_needs_the_override_and_is_audited(
    billing_client, billing_staff, dispute, invoice
):
    url = _url("credit", dispute)
    above = {"amount": "450.00", "invoice": invoice.pk}

    refused = billing_client.post(url, above)
    no_reason = billing_client.post(url, {**above, "override": "on"})
    done = billing_client.post(url, {**above, "override": "on", "override_reason": "Goodwill"})

    assert refused.status_code == 400
    assert "more than the customer asked for" in refused.content.decode()
    assert no_reason.status_code == 400
    assert "Say why the credit is above what was asked." in no_reason.content.decode()
    assert done.status_code == 302
    credit = Credit.objects.get()
    assert credit.override
    assert credit.override_reason == "Goodwill"
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREDIT_OVERRIDE)
    assert event.actor == billing_staff
    assert event.detail["amount"] == "450.00"
    assert event.detail["reason"] == "Goodwill"


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        ("0", "The credit must be more than zero."),
        ("-5", "The credit must be more than zero."),
        ("abc", "Enter a number."),
        ("", "This field is required."),
    ],
)
def test_a_bad_credit_amount_is_refused_on_the_form(
    billing_client, dispute, invoice, amount, error
):
    response = billing_client.post(
        _url("credit", dispute), {"amount": amount, "invoice": invoice.pk}
    )

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Credit.objects.exists()


def test_a_credit_above_the_invoice_total_is_refused_even_with_override(
    billing_client, customer, dispute
):
    small = invoice_with_lines(customer, amounts=("50.00",), currency="USD", number="FA-SMALL")
    response = billing_client.post(
        _url("credit", dispute),
        {"amount": "60.00", "invoice": small.pk, "override": "on", "override_reason": "x"},
    )

    assert response.status_code == 400
    assert "more than the invoice&#x27;s total" in response.content.decode()
    assert not Credit.objects.exists()


def test_an_invoice_of_another_customer_cannot_be_chosen(billing_client, dispute, other_customer):
    foreign = invoice_with_lines(other_customer, amounts=("900.00",), currency="USD")

    response = billing_client.post(_url("credit", dispute), {"amount": "10", "invoice": foreign.pk})

    assert response.status_code == 400
    assert not Credit.objects.exists()


def _followed_message(client, response) -> str:
    """The page a refused action sends back to, with its message."""
    assert response.status_code == 302
    page = client.get(response["Location"])
    return " ".join(str(m) for m in page.context["messages"])


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_resolved_request_cannot_be_credited_replied_or_resolved_again(
    billing_client, billing_staff, dispute, invoice, method
):
    """Before: the credit page showed its whole form on a resolved request and failed only
    after submit. Now each page sends back to the request with the reason, and the change page
    offers only "Close the request"."""
    services.billing_request_answer(request_obj=dispute, staff=billing_staff, answer="No.")
    messages_before = BillingMessage.objects.count()
    data = {
        "reply": {"body": "¿Algo más?"},
        "credit": {"amount": "10", "invoice": invoice.pk},
        "answer": {"answer": "Otra vez"},
    }
    reasons = {
        "reply": "nothing more can be sent on it",
        "credit": "no credit can be issued on it",
        "answer": "it cannot be resolved again",
    }

    for name in ("reply", "credit", "answer"):
        url = _url(name, dispute)
        response = getattr(billing_client, method)(url, data[name] if method == "post" else None)
        assert response["Location"] == _url("change", dispute), name
        message = _followed_message(billing_client, response)
        assert f"{dispute.number} is no longer open (status: Resolved)" in message, name
        assert reasons[name] in message, name

    assert not Credit.objects.exists()
    assert BillingMessage.objects.count() == messages_before
    dispute.refresh_from_db()
    assert (dispute.status, dispute.outcome) == ("resolved", "no_credit")
    page = billing_client.get(_url("change", dispute)).content.decode()
    for name in ("reply", "credit", "answer"):
        assert _url(name, dispute) not in page, name
    assert _url("close", dispute) in page


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_question_has_no_credit_page(
    billing_client, customer, portal_admin_user, invoice, method
):
    question = services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="question",
        subject="¿Por qué sube?",
        description="?",
        invoice=invoice,
    )
    data = {"amount": "10", "invoice": invoice.pk} if method == "post" else None

    response = getattr(billing_client, method)(_url("credit", question), data)

    message = _followed_message(billing_client, response)
    assert f"{question.number} is a question: it is answered, not credited" in message
    assert not Credit.objects.exists()
    # Replying and answering a question stay possible.
    assert billing_client.get(_url("reply", question)).status_code == 200
    assert billing_client.get(_url("answer", question)).status_code == 200


def test_a_closed_request_offers_nothing_and_its_pages_send_back(
    billing_client, billing_staff, dispute
):
    services.billing_request_close(request_obj=dispute, staff=billing_staff)
    page = billing_client.get(_url("change", dispute)).content.decode()
    for name in ("reply", "credit", "answer", "close"):
        assert _url(name, dispute) not in page, name

    for name in ("reply", "credit", "answer"):
        response = billing_client.get(_url(name, dispute))
        assert "is no longer open (status: Closed)" in _followed_message(billing_client, response)
    closed_again = billing_client.post(_url("close", dispute))
    assert f"{dispute.number} is already closed." in _followed_message(billing_client, closed_again)
    assert BillingMessage.objects.filter(status="closed").count() == 1


# --- Resolve without credit, close ----------------------------------------------------------


def test_resolving_without_credit_sends_the_answer_and_releases_the_invoice(
    billing_client, dispute, invoice, django_capture_on_commit_callbacks
):
    assert billing_client.get(_url("answer", dispute)).status_code == 200
    refused = billing_client.post(_url("answer", dispute), {"answer": " "})
    assert refused.status_code == 400
    assert "Write the answer." in refused.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = billing_client.post(_url("answer", dispute), {"answer": "El cargo es correcto."})

    assert response.status_code == 302
    dispute.refresh_from_db()
    assert (dispute.status, dispute.outcome) == ("resolved", "no_credit")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED
    assert any("El cargo es correcto." in m.body for m in mail.outbox)
    page = billing_client.get(_url("change", dispute)).content.decode()
    assert _url("credit", dispute) not in page
    assert _url("close", dispute) in page


def test_close_ends_the_request(billing_client, billing_staff, dispute):
    services.billing_request_answer(request_obj=dispute, staff=billing_staff, answer="Listo.")

    assert billing_client.get(_url("close", dispute)).status_code == 200
    response = billing_client.post(_url("close", dispute))

    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == BillingRequest.Status.CLOSED
    page = billing_client.get(_url("change", dispute)).content.decode()
    assert _url("close", dispute) not in page
    assert _url("reply", dispute) not in page


# --- Who may act ----------------------------------------------------------------------------


@pytest.mark.parametrize("group", ["Customer Care", "TSC"])
def test_other_staff_groups_only_view(group, dispute, invoice):
    client = staff_login(
        Client(), staff_member(group, email=f"{group.replace(' ', '')}@provider.test")
    )

    assert client.get(reverse(CHANGELIST)).status_code == 200
    page = client.get(_url("change", dispute)).content.decode()
    assert dispute.number in page
    for name in ("reply", "credit", "answer", "close"):
        assert _url(name, dispute) not in page, name
        assert client.get(_url(name, dispute)).status_code == 403, name
    posts = {
        "reply": {"body": "x"},
        "credit": {"amount": "10", "invoice": invoice.pk},
        "answer": {"answer": "x"},
        "close": {},
    }
    for name, data in posts.items():
        assert client.post(_url(name, dispute), data).status_code == 403, name
    assert not Credit.objects.exists()
    dispute.refresh_from_db()
    assert dispute.status == BillingRequest.Status.RECEIVED
    assert client.get(reverse("admin:billing_credit_changelist")).status_code == 200  # to read


def test_a_superuser_may_act(root_client, dispute, invoice):
    response = root_client.post(_url("credit", dispute), {"amount": "100", "invoice": invoice.pk})

    assert response.status_code == 302
    assert Credit.objects.get().amount == Decimal("100")


def test_a_customer_member_cannot_open_the_billing_admin(client, portal_admin_user, dispute):
    client.force_login(portal_admin_user)

    for url in (reverse(CHANGELIST), _url("change", dispute), _url("credit", dispute)):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login/" in response["Location"], url


def test_the_tsc_cannot_download_attachments(tsc_client, dispute):
    attachment = dispute.attachments.get()

    response = tsc_client.get(
        reverse("admin:billing_billingrequest_attachment", args=[attachment.reference])
    )

    assert response.status_code == 403


# --- Credits list ---------------------------------------------------------------------------


def test_the_credits_list_is_read_only_and_filters_the_overrides(
    billing_client, billing_staff, dispute, invoice, customer, portal_admin_user
):
    services.credit_issue(
        request_obj=dispute,
        staff=billing_staff,
        amount=Decimal("450"),
        invoice=invoice,
        override=True,
        override_reason="Goodwill",
    )
    changelist = reverse("admin:billing_credit_changelist")

    response = billing_client.get(changelist, {"override__exact": "1"})

    assert response.status_code == 200
    assert [c.request.number for c in response.context["cl"].result_list] == [dispute.number]
    assert billing_client.get(changelist, {"override__exact": "0"}).context["cl"].result_count == 0
    assert billing_client.get(reverse("admin:billing_credit_add")).status_code == 403
    credit = Credit.objects.get()
    page = billing_client.get(reverse("admin:billing_credit_change", args=[credit.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
