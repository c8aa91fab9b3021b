"""The customer's billing inquiries, disputes and credit requests (R-BIL-1): the list and its
filters, the one form for the three kinds (a dispute line by line, a credit from a resolved
ticket), the request page with its public conversation, the reply, the file downloads, the
tenancy verdicts and a fixed query count. Internal notes and their files never leak."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing import services
from billing.models import BillingAttachment, BillingMessage, BillingRequest, DisputedLine, Invoice
from core.models import Level
from team.models import TeamAssignment, TeamRole
from tests.factories import (
    MembershipFactory,
    ServiceFactory,
    TeamPersonFactory,
    invoice_with_lines,
    ticket_open_for,
)
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
BUENOS_AIRES = ZoneInfo("America/Argentina/Buenos_Aires")
SECRET = "Internal: this customer was already credited twice this year"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
LIST = reverse("billing:requests")
NEW = reverse("billing:request_create")


def _pdf(name="statement.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def invoice(customer):
    return invoice_with_lines(customer, number="FA-0001-00012345", amounts=("1000.00", "250.50"))


@pytest.fixture
def lines(invoice):
    return list(invoice.lines.order_by("position"))


@pytest.fixture
def billing_request(customer, portal_admin_user, invoice):
    return services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="question",
        subject="Why two installation fees?",
        description="Line 2 looks like a second installation fee.",
        invoice=invoice,
        attachments=[_pdf()],
    )


@pytest.fixture
def viewer_client(client, customer, admin_membership):
    """A member who may read billing but not act on it."""
    membership = MembershipFactory(
        customer=customer, user__email="viewer@acme.test", billing=Level.VIEW
    )
    client.force_login(membership.user)
    return client


@pytest.fixture
def other_client(client, other_user):
    client.force_login(other_user)
    return client


@pytest.fixture
def resolved_ticket(customer, portal_admin_user, staff_user):
    """A four-hour outage, 08:00 to 12:00 in Buenos Aires (11:00 to 15:00 UTC)."""
    service = ServiceFactory(customer=customer, service_id="AR-BUE-IPVPN-10001")
    start = datetime.datetime(2026, 3, 10, 11, tzinfo=UTC)
    with time_machine.travel(start + datetime.timedelta(minutes=5), tick=False) as clock:
        ticket = ticket_open_for(
            customer,
            portal_admin_user,
            service=service,
            problem_started_at=start,
            subject="Link down",
        )
        clock.move_to(start + datetime.timedelta(hours=4, minutes=30))
        ticket_services.ticket_resolve(
            ticket=ticket,
            actor=staff_user,
            resolution="Fibre cut repaired",
            restored_at=start + datetime.timedelta(hours=4),
        )
    return ticket


def _detail(request_obj):
    return reverse("billing:request_detail", kwargs={"number": request_obj.number})


def _reply(request_obj):
    return reverse("billing:request_reply", kwargs={"number": request_obj.number})


def _file(request_obj, attachment):
    return reverse(
        "billing:request_attachment",
        kwargs={"number": request_obj.number, "reference": attachment.reference},
    )


def _question(invoice, **overrides):
    return {
        "kind": "question",
        "invoice": invoice.number,
        "subject": "Why two installation fees?",
        "description": "Line 2 looks like a second installation fee.",
        **overrides,
    }


def _dispute(invoice, **overrides):
    return {
        "kind": "dispute",
        "invoice": invoice.number,
        "subject": "Line billed twice",
        "description": "The backup link was billed although it was cancelled.",
        **overrides,
    }


def _credit(**overrides):
    return {
        "kind": "credit",
        "subject": "SLA credit",
        "description": "Four hours without the main link.",
        "requested_amount": "120.00",
        "currency": "USD",
        **overrides,
    }


def _wait(request_obj, staff_user, body="Which purchase order does line 2 belong to?"):
    return services.billing_request_staff_message(
        request_obj=request_obj, staff=staff_user, body=body, status="waiting"
    )


# --- access -----------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client, billing_request):
    attachment = billing_request.attachments.get()
    for path in (LIST, NEW, _detail(billing_request), _file(billing_request, attachment)):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/")
    assert client.post(_reply(billing_request), {"body": "x"}).status_code == 302
    assert BillingMessage.objects.filter(body="x").count() == 0


def test_a_member_without_billing_gets_403(limited_client, billing_request, invoice):
    attachment = billing_request.attachments.get()
    for path in (LIST, NEW, _detail(billing_request), _file(billing_request, attachment)):
        assert limited_client.get(path).status_code == 403, path
    assert limited_client.post(NEW, _question(invoice)).status_code == 403
    assert limited_client.post(_reply(billing_request), {"body": "x"}).status_code == 403
    assert BillingRequest.objects.count() == 1


def test_a_member_who_may_only_view_billing_reads_but_cannot_write(
    viewer_client, billing_request, invoice, staff_user
):
    assert viewer_client.get(LIST).status_code == 200
    page = viewer_client.get(_detail(billing_request)).content.decode()
    assert "Why two installation fees?" in page
    assert 'data-testid="reply-form"' not in page
    assert viewer_client.get(NEW).status_code == 403
    assert viewer_client.post(NEW, _question(invoice)).status_code == 403
    assert viewer_client.post(_reply(billing_request), {"body": "x"}).status_code == 403
    assert 'data-testid="new-request"' not in viewer_client.get(LIST).content.decode()
    _wait(billing_request, staff_user)
    page = viewer_client.get(_detail(billing_request)).content.decode()
    assert 'data-testid="waiting-panel"' in page
    assert 'data-testid="reply-form"' not in page
    assert BillingRequest.objects.count() == 1
    download = viewer_client.get(_file(billing_request, billing_request.attachments.get()))
    assert download.status_code == 200
    download.close()  # last: closing a response ends the test client's "request"


def test_the_reply_refuses_get_with_405(portal_admin_client, billing_request):
    assert portal_admin_client.get(_reply(billing_request)).status_code == 405


def test_another_customers_request_and_file_are_404(other_client, billing_request):
    attachment = billing_request.attachments.get()
    for response in (
        other_client.get(_detail(billing_request)),
        other_client.post(_reply(billing_request), {"body": "Hello?"}),
        other_client.get(_file(billing_request, attachment)),
    ):
        assert response.status_code == 404
        assert "Why two installation fees?" not in response.content.decode()
    assert not BillingMessage.objects.filter(body="Hello?").exists()


def test_another_customers_request_number_with_our_file_is_404(
    client, other_user, billing_request, other_customer
):
    """Their own request number with Acme's file reference finds nothing either."""
    theirs = services.billing_request_create(
        customer=other_customer,
        user=other_user,
        kind="question",
        subject="Pergunta",
        description="?",
        invoice=invoice_with_lines(other_customer, currency="BRL"),
    )
    client.force_login(other_user)
    assert client.get(_file(theirs, billing_request.attachments.get())).status_code == 404


def test_another_customers_invoice_in_the_address_is_404(portal_admin_client, other_customer):
    foreign = invoice_with_lines(other_customer, number="NF-999", currency="BRL")
    response = portal_admin_client.get(NEW, {"kind": "dispute", "invoice": foreign.number})
    assert response.status_code == 404
    assert 'option value="NF-999"' not in response.content.decode()


def test_another_customers_invoice_posted_is_refused(portal_admin_client, other_customer):
    foreign = invoice_with_lines(other_customer, number="NF-999", currency="BRL")
    response = portal_admin_client.post(NEW, _question(foreign))
    assert response.status_code == 400
    assert not BillingRequest.objects.exists()


# --- the list ---------------------------------------------------------------------------------


def test_the_list_shows_each_request_with_its_amount_status_and_outcome(
    portal_admin_client, customer, portal_admin_user, staff_user, invoice, lines
):
    dispute = services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="dispute",
        subject="Backup link billed",
        description="Cancelled in January",
        invoice=invoice,
        disputed={lines[1].pk: Decimal("250.50")},
    )
    services.credit_issue(
        request_obj=dispute, staff=staff_user, amount=Decimal("200.00"), invoice=invoice
    )
    question = services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="question",
        subject="Exchange rate?",
        description="Which rate?",
        invoice=invoice,
    )
    _wait(question, staff_user)

    page = portal_admin_client.get(LIST).content.decode()

    assert page.count('data-testid="request-row"') == 2
    row = _row(page, dispute.number)
    assert "Backup link billed" in row
    assert "Dispute of invoice lines" in row
    assert invoice.number in row
    assert reverse("billing:invoice", args=[invoice.number]) in row
    assert "$250.50" in row  # the disputed amount, in the reader's (English) format
    assert "Resolved" in row
    assert "$200.00" in row
    # Numbers never break in the middle: the invoice's and the outcome's stay on one line.
    assert f'on invoice <span class="nowrap">{invoice.number}</span>' in row
    assert f'class="mono nowrap" href="{reverse("billing:invoice", args=[invoice.number])}"' in row
    waiting = _row(page, question.number)
    assert "Waiting for you" in waiting
    assert "bil-row-waiting" in page
    assert "1 request is waiting for your answer." in page


def _row(page: str, number: str) -> str:
    start = page.index(f'data-number="{number}"')
    return page[start : page.index("</tr>", start)]


def test_the_list_filters_by_status_and_kind(
    portal_admin_client, customer, portal_admin_user, staff_user, invoice, lines
):
    question = services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="question",
        subject="Q",
        description="?",
        invoice=invoice,
    )
    answered = services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="question",
        subject="A",
        description="?",
        invoice=invoice,
    )
    services.billing_request_answer(request_obj=answered, staff=staff_user, answer="It is right")
    dispute = services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="dispute",
        subject="D",
        description="!",
        invoice=invoice,
        disputed={lines[0].pk: Decimal("10")},
    )

    def numbers(**query):
        response = portal_admin_client.get(LIST, query)
        assert response.status_code == 200
        page = response.content.decode()
        return {r.number for r in BillingRequest.objects.all() if r.number in page}

    assert numbers() == {question.number, answered.number, dispute.number}
    assert numbers(status="open") == {question.number, dispute.number}
    assert numbers(status="resolved") == {answered.number}
    assert numbers(kind="dispute") == {dispute.number}
    assert numbers(status="open", kind="question") == {question.number}


def test_a_bad_filter_is_a_400(portal_admin_client):
    response = portal_admin_client.get(LIST, {"status": "lost"})
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()


def test_the_list_pages(portal_admin_client, customer, portal_admin_user, invoice, settings):
    settings.BILLING_PAGE_SIZE = 2
    for n in range(3):
        services.billing_request_create(
            customer=customer,
            user=portal_admin_user,
            kind="question",
            subject=f"Q{n}",
            description="?",
            invoice=invoice,
        )
    first = portal_admin_client.get(LIST).content.decode()
    assert first.count('data-testid="request-row"') == 2
    assert "Page 1 of 2" in first
    second = portal_admin_client.get(LIST, {"page": 2}).content.decode()
    assert second.count('data-testid="request-row"') == 1


def test_the_empty_list_invites_to_raise_one(portal_admin_client):
    page = portal_admin_client.get(LIST).content.decode()
    assert "No inquiries yet" in page
    assert NEW in page


def test_another_customers_requests_are_not_listed(other_client, billing_request):
    assert billing_request.number not in other_client.get(LIST).content.decode()


# --- the form: a question ---------------------------------------------------------------------


def test_a_question_is_received_with_its_files_and_says_who_answers(
    portal_admin_client, customer, invoice
):
    person = TeamPersonFactory(full_name="Beatriz Cobranzas")
    TeamAssignment.objects.create(customer=customer, role=TeamRole.BILLING_CARE, person=person)

    response = portal_admin_client.post(NEW, _question(invoice, attachments=[_pdf()]), follow=True)

    request_obj = BillingRequest.objects.get()
    assert response.redirect_chain[-1][0] == _detail(request_obj)
    page = response.content.decode()
    assert f"We received {request_obj.number}." in page
    assert "Beatriz Cobranzas, of Billing Customer Care, will answer you" in page
    assert request_obj.kind == "question"
    assert request_obj.invoice == invoice
    assert request_obj.requested_amount is None
    assert request_obj.attachments.get().filename == "statement.pdf"
    assert "statement.pdf" in page


def test_the_form_is_preselected_from_the_address(portal_admin_client, invoice, lines):
    response = portal_admin_client.get(NEW, {"kind": "dispute", "invoice": invoice.number})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="dispute" id="id_kind_1" required checked' in page
    assert f'<option value="{invoice.number}" selected>' in page
    assert page.count('data-testid="dispute-line"') == 2
    assert f'data-line-amount="{lines[0].amount}"' in page
    assert f"Dispute of invoice {invoice.number}" in page
    assert 'enctype="multipart/form-data"' in page
    assert "billing-dispute.js" in page


def test_htmx_asking_for_another_invoice_gets_its_lines_only(portal_admin_client, invoice, lines):
    # What the invoice field sends when the invoice changes (hx-get, request_form.html).
    response = portal_admin_client.get(
        NEW, {"invoice": invoice.number}, headers={"HX-Request": "true"}
    )
    fragment = response.content.decode()
    assert response.status_code == 200
    assert fragment.count('data-testid="dispute-line"') == 2
    assert f'data-line-amount="{lines[1].amount}"' in fragment
    assert "data-dispute-total" in fragment
    # The partial alone: no page, no form around it, not even the invoice field.
    assert "<html" not in fragment
    assert "<form" not in fragment
    assert "id_invoice" not in fragment
    assert "HX-Request" in response["Vary"]

    # No invoice: the hint to choose one; the same address without htmx is the whole page.
    response = portal_admin_client.get(NEW, {"invoice": ""}, headers={"HX-Request": "true"})
    assert 'data-testid="lines-choose-invoice"' in response.content.decode()
    assert "<form" not in response.content.decode()
    page = portal_admin_client.get(NEW, {"invoice": invoice.number}).content.decode()
    assert "<html" in page
    assert 'id="dispute-lines"' in page
    assert "htmx.min.js" in page
    assert page.count('data-testid="dispute-line"') == 2


def test_a_question_needs_its_invoice_subject_and_description(portal_admin_client):
    response = portal_admin_client.post(NEW, {"kind": "question"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in page
    response = portal_admin_client.post(
        NEW, {"kind": "question", "subject": "S", "description": "D"}
    )
    assert response.status_code == 400
    assert "Choose the invoice." in response.content.decode()
    assert not BillingRequest.objects.exists()


def test_the_messages_are_translated(portal_admin_client, portal_admin_user):
    portal_admin_user.language = "es"
    portal_admin_user.save()
    response = portal_admin_client.post(NEW, {"kind": "question"})
    assert response.status_code == 400
    assert "Este campo es obligatorio." in response.content.decode()


def test_a_renamed_executable_is_refused_and_nothing_is_stored(portal_admin_client, invoice):
    response = portal_admin_client.post(
        NEW, _question(invoice, attachments=[_pdf("statement.pdf", EXE)])
    )
    assert response.status_code == 400
    assert "statement.pdf is not a file type we accept." in response.content.decode()
    assert not BillingRequest.objects.exists()
    assert not BillingAttachment.objects.exists()


# --- the form: a dispute (R-BIL-1) ------------------------------------------------------------


def test_a_dispute_records_each_line_and_puts_the_invoice_in_dispute(
    portal_admin_client, invoice, lines
):
    """A ticked line without an amount disputes all of it; a typed amount disputes that much."""
    data = _dispute(invoice, lines=[str(lines[0].pk)], **{f"amount_{lines[1].pk}": "100.25"})

    response = portal_admin_client.post(NEW, data)

    request_obj = BillingRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _detail(request_obj)
    assert dict(request_obj.disputed_lines.values_list("line_id", "amount")) == {
        lines[0].pk: Decimal("1000.00"),
        lines[1].pk: Decimal("100.25"),
    }
    assert request_obj.requested_amount == Decimal("1100.25")
    assert request_obj.currency == "USD"
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.IN_DISPUTE
    page = portal_admin_client.get(_detail(request_obj)).content.decode()
    assert page.count('data-testid="disputed-line"') == 2
    assert "$1,100.25" in page


def test_a_dispute_above_the_line_amount_is_a_400_next_to_the_line(
    portal_admin_client, invoice, lines
):
    """R-BIL-1: a disputed amount never exceeds the line's amount; nothing is stored."""
    data = _dispute(
        invoice,
        lines=[str(lines[0].pk)],  # line 2 is not ticked: its typed amount disputes it
        **{f"amount_{lines[0].pk}": "10", f"amount_{lines[1].pk}": "250.51"},
    )

    response = portal_admin_client.post(NEW, data)

    page = response.content.decode()
    assert response.status_code == 400
    row = page[page.index('data-line="2"') : page.index("</tr>", page.index('data-line="2"'))]
    assert "You can dispute at most the line&#x27;s amount, $250.50." in row
    assert "bil-line-error" in page
    assert f'value="{lines[1].pk}" id="id_lines_1" checked' in page  # the typed line stays ticked
    assert not BillingRequest.objects.exists()
    assert not DisputedLine.objects.exists()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED


def test_each_line_carries_the_servers_too_much_message_and_the_page_an_amount_sample(
    portal_admin_client, invoice, lines
):
    """R-BIL-1: billing-dispute.js never lowers an amount behind the person's back; it shows
    the server's own message next to the line (data-too-much) and writes the live total like
    the rest of the page (data-money-sample)."""
    page = portal_admin_client.get(
        NEW, {"kind": "dispute", "invoice": invoice.number}
    ).content.decode()

    assert 'data-money-sample="$1,234,567.00"' in page
    amount = page[page.index(f'name="amount_{lines[0].pk}"') :].split(">", 1)[0]
    assert 'data-too-much="You can dispute at most the line&#x27;s amount, $1,000.00."' in amount
    response = portal_admin_client.post(
        NEW, _dispute(invoice, lines=[lines[0].pk], **{f"amount_{lines[0].pk}": "1000.01"})
    )
    assert "You can dispute at most the line&#x27;s amount, $1,000.00." in (
        response.content.decode()
    )


def test_a_dispute_without_lines_is_a_400(portal_admin_client, invoice):
    response = portal_admin_client.post(NEW, _dispute(invoice))
    assert response.status_code == 400
    assert "Choose the lines you dispute and the amount of each." in response.content.decode()
    assert not BillingRequest.objects.exists()


def test_a_zero_or_negative_amount_is_refused(portal_admin_client, invoice, lines):
    response = portal_admin_client.post(
        NEW, _dispute(invoice, lines=[str(lines[0].pk)], **{f"amount_{lines[0].pk}": "-5"})
    )
    assert response.status_code == 400
    assert not BillingRequest.objects.exists()


def test_a_line_already_under_an_open_dispute_cannot_be_disputed_again(
    portal_admin_client, customer, portal_admin_user, invoice, lines
):
    first = services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="dispute",
        subject="First",
        description="!",
        invoice=invoice,
        disputed={lines[0].pk: Decimal("50")},
    )
    form = portal_admin_client.get(
        NEW, {"kind": "dispute", "invoice": invoice.number}
    ).content.decode()
    assert form.count('data-testid="under-dispute"') == 1

    response = portal_admin_client.post(NEW, _dispute(invoice, lines=[str(lines[0].pk)]))

    assert response.status_code == 400
    assert "This line is already under an open dispute." in response.content.decode()
    assert list(BillingRequest.objects.all()) == [first]


def test_a_line_of_another_invoice_is_refused(portal_admin_client, customer, invoice):
    other_invoice = invoice_with_lines(customer, number="FA-0001-00099999")
    foreign_line = other_invoice.lines.first()
    response = portal_admin_client.post(NEW, _dispute(invoice, lines=[str(foreign_line.pk)]))
    assert response.status_code == 400
    assert not BillingRequest.objects.exists()


# --- the form: a credit, from a resolved ticket -----------------------------------------------


def test_a_credit_from_a_resolved_ticket_prefills_the_service_and_the_outage(
    portal_admin_client, portal_admin_user, resolved_ticket
):
    portal_admin_user.timezone = "America/Argentina/Buenos_Aires"
    portal_admin_user.save()

    response = portal_admin_client.get(NEW, {"kind": "credit", "ticket": resolved_ticket.number})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="credit" id="id_kind_2" required checked' in page
    assert '<option value="AR-BUE-IPVPN-10001" selected>' in page
    # 11:00 to 15:00 UTC is 08:00 to 12:00 in Buenos Aires.
    assert 'name="outage_start" value="2026-03-10T08:00"' in page
    assert 'name="outage_end" value="2026-03-10T12:00"' in page
    assert f'name="ticket" value="{resolved_ticket.number}"' in page
    assert f"From ticket {resolved_ticket.number}" in page
    assert f"Credit for the outage of ticket {resolved_ticket.number}" in page


def test_a_credit_from_a_ticket_is_stored_with_it(
    portal_admin_client, portal_admin_user, resolved_ticket
):
    portal_admin_user.timezone = "America/Argentina/Buenos_Aires"
    portal_admin_user.save()
    data = _credit(
        ticket=resolved_ticket.number,
        service="AR-BUE-IPVPN-10001",
        outage_start="2026-03-10T08:00",
        outage_end="2026-03-10T12:00",
    )

    response = portal_admin_client.post(NEW, data)

    request_obj = BillingRequest.objects.get()
    assert response.status_code == 302
    assert request_obj.ticket == resolved_ticket
    assert request_obj.service.service_id == "AR-BUE-IPVPN-10001"
    assert request_obj.outage_start == datetime.datetime(2026, 3, 10, 11, tzinfo=UTC)
    assert request_obj.outage_end == datetime.datetime(2026, 3, 10, 15, tzinfo=UTC)
    assert request_obj.requested_amount == Decimal("120.00")
    assert request_obj.currency == "USD"
    page = portal_admin_client.get(_detail(request_obj)).content.decode()
    assert reverse("tickets:detail", args=[resolved_ticket.number]) in page
    assert 'data-testid="outage"' in page


def test_a_credit_from_an_unresolved_ticket_is_a_400(
    portal_admin_client, customer, portal_admin_user
):
    ticket = ticket_open_for(customer, portal_admin_user)
    response = portal_admin_client.get(NEW, {"kind": "credit", "ticket": ticket.number})
    assert response.status_code == 400
    assert "A credit can start from a ticket once the ticket is resolved." in (
        response.content.decode()
    )
    response = portal_admin_client.post(NEW, _credit(ticket=ticket.number))
    assert response.status_code == 400
    assert "once the ticket is resolved" in response.content.decode()
    assert not BillingRequest.objects.exists()


def test_a_credit_from_another_customers_ticket_is_404(
    portal_admin_client, other_customer, other_user, staff_user
):
    ticket = ticket_open_for(other_customer, other_user, subject="Enlace caído")
    ticket_services.ticket_resolve(ticket=ticket, actor=staff_user, resolution="ok")
    assert portal_admin_client.get(NEW, {"ticket": ticket.number}).status_code == 404
    assert portal_admin_client.post(NEW, _credit(ticket=ticket.number)).status_code == 404
    assert not BillingRequest.objects.exists()


def test_a_ticket_without_impact_on_the_service_cannot_start_a_credit(
    portal_admin_client, customer, portal_admin_user, staff_user
):
    """R-BIL-1: a question or a request to the TSC is not an outage."""
    ticket = ticket_open_for(customer, portal_admin_user, impact="no_impact", subject="Caller ID?")
    ticket_services.ticket_resolve(ticket=ticket, actor=staff_user, resolution="Answered")
    page = portal_admin_client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert 'data-testid="ticket-credit"' not in page

    response = portal_admin_client.get(NEW, {"kind": "credit", "ticket": ticket.number})

    text = response.content.decode()
    assert response.status_code == 400
    assert "This ticket reported no impact on the service, so it cannot support a credit." in text
    assert 'name="outage_start" value=' not in text  # nothing prefilled from it
    response = portal_admin_client.post(NEW, _credit(ticket=ticket.number))
    assert response.status_code == 400
    assert "so it cannot support a credit." in response.content.decode()
    assert not BillingRequest.objects.exists()


def _credit_from(customer, user, ticket, **overrides) -> BillingRequest:
    ticket.refresh_from_db()
    return services.billing_request_create(
        customer=customer,
        user=user,
        kind="credit",
        subject="SLA credit",
        description="Four hours down",
        requested_amount=Decimal("100"),
        currency="USD",
        ticket=ticket,
        **overrides,
    )


def test_a_ticket_with_a_credit_request_links_to_it_instead_of_offering_another(
    portal_admin_client, customer, portal_admin_user, staff_user, resolved_ticket
):
    """One ticket, one credit claim: the ticket page and the form lead to the one raised."""
    claim = _credit_from(customer, portal_admin_user, resolved_ticket)
    url = reverse("tickets:detail", args=[resolved_ticket.number])

    page = portal_admin_client.get(url).content.decode()

    assert 'data-testid="request-credit"' not in page
    assert f'href="{_detail(claim)}" data-testid="credit-claim">{claim.number}<' in page
    response = portal_admin_client.get(NEW, {"kind": "credit", "ticket": resolved_ticket.number})
    text = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="ticket-claim"' in text
    assert f'<a href="{_detail(claim)}">{claim.number}</a>' in text
    response = portal_admin_client.post(NEW, _credit(ticket=resolved_ticket.number))
    assert response.status_code == 400
    assert f"A credit for this ticket was already requested in {claim.number}." in (
        response.content.decode()
    )
    assert BillingRequest.objects.count() == 1

    # Refused without a credit, the claim no longer stands: the ticket offers one again.
    services.billing_request_answer(request_obj=claim, staff=staff_user, answer="Not billed.")
    page = portal_admin_client.get(url).content.decode()
    assert 'data-testid="request-credit"' in page
    assert 'data-testid="credit-claim"' not in page


def test_a_credit_from_a_ticket_prefills_its_services_currency_among_the_billed_ones(
    portal_admin_client, customer, resolved_ticket
):
    service = resolved_ticket.services.get()
    invoice_with_lines(
        customer,
        number="FA-ARS-1",
        currency="ARS",
        period=datetime.date(2026, 1, 1),
        amounts=("500.00",),
        services=[service],
    )
    invoice_with_lines(
        customer, number="FA-USD-1", currency="USD", period=datetime.date(2026, 2, 1)
    )

    page = portal_admin_client.get(NEW, {"kind": "credit", "ticket": resolved_ticket.number})

    text = page.content.decode()
    assert '<option value="ARS" selected>' in text
    assert '<option value="USD">' in text
    assert 'value="BRL"' not in text
    assert 'value="VES"' not in text
    response = portal_admin_client.post(NEW, _credit(currency="BRL"))
    assert response.status_code == 400
    assert "Select a valid choice. BRL is not one of the available choices." in (
        response.content.decode()
    )


def test_without_invoices_every_currency_can_be_chosen(portal_admin_client):
    text = portal_admin_client.get(NEW, {"kind": "credit"}).content.decode()
    assert '<option value="BRL">' in text
    assert '<option value="VES">' in text


def test_an_outage_in_the_future_is_refused_on_its_field(portal_admin_client, portal_admin_user):
    portal_admin_user.timezone = "America/Argentina/Buenos_Aires"
    portal_admin_user.save()
    with time_machine.travel(datetime.datetime(2026, 11, 28, 17, 40, tzinfo=UTC), tick=False):
        response = portal_admin_client.post(
            NEW, _credit(outage_start="2026-11-28T10:00", outage_end="2027-01-26T10:00")
        )
        text = response.content.decode()
        assert response.status_code == 400
        future = "A credit is for an outage that has happened: the times cannot be in the future."
        assert text.index(future) > text.index('"outage_end"')  # on its field
        response = portal_admin_client.post(
            NEW, _credit(outage_start="2026-11-28T15:00", outage_end="")
        )
        assert response.status_code == 400
        text = response.content.decode()
        assert text.index(future) > text.index('"outage_start"')
        assert text.count(future) == 1
        response = portal_admin_client.post(
            NEW, _credit(outage_start="2026-11-28T10:00", outage_end="2026-11-28T14:30")
        )
        assert response.status_code == 302
    assert BillingRequest.objects.count() == 1


def test_the_ticket_summary_shows_the_outage_apart_from_the_sla_restoration_time(
    portal_admin_client, portal_admin_user, resolved_ticket
):
    """The outage is problem start to restoration (4 h); the SLA clock counts from the
    ticket's opening five minutes later (3 h 55 min): each says which it is."""
    portal_admin_user.timezone = "America/Argentina/Buenos_Aires"
    portal_admin_user.save()

    page = portal_admin_client.get(NEW, {"kind": "credit", "ticket": resolved_ticket.number})

    text = " ".join(page.content.decode().split())
    assert "<strong>Outage: 4 h</strong>, from 03/10/2026 8 a.m. to 03/10/2026 noon." in text
    assert "SLA restoration time 3 h 55 min, within the 4 h target" in text
    assert "(counted from the ticket's opening, without the pauses)" in text


def test_a_credit_needs_an_amount_and_a_sane_outage(portal_admin_client, invoice):
    response = portal_admin_client.post(NEW, _credit(requested_amount=""))
    assert response.status_code == 400
    assert "Say how much credit you ask for." in response.content.decode()
    response = portal_admin_client.post(
        NEW, _credit(outage_start="2026-03-10T12:00", outage_end="2026-03-10T08:00")
    )
    assert response.status_code == 400
    assert "The outage must end after it starts." in response.content.decode()
    response = portal_admin_client.post(
        NEW, _credit(invoice=invoice.number, requested_amount="5000")
    )
    assert response.status_code == 400
    assert "The credit cannot be more than the invoice&#x27;s total." in response.content.decode()
    response = portal_admin_client.post(NEW, _credit(currency=""))
    assert response.status_code == 400
    assert "Choose the currency." in response.content.decode()
    assert not BillingRequest.objects.exists()


def test_a_credit_takes_the_currency_of_its_invoice(portal_admin_client, invoice):
    response = portal_admin_client.post(NEW, _credit(invoice=invoice.number, currency="ARS"))
    assert response.status_code == 302
    assert BillingRequest.objects.get().currency == "USD"


def test_what_another_kind_uses_does_not_stop_a_question(portal_admin_client, invoice, lines):
    """Without CSS every part of the form shows; a stray credit amount is ignored."""
    data = _question(invoice, requested_amount="abc", **{f"amount_{lines[0].pk}": "99999"})
    response = portal_admin_client.post(NEW, data)
    assert response.status_code == 302
    request_obj = BillingRequest.objects.get()
    assert request_obj.requested_amount is None
    assert not request_obj.disputed_lines.exists()


# --- the ticket page links to a credit --------------------------------------------------------


def test_a_resolved_ticket_offers_a_credit_to_people_who_may_act_on_billing(
    portal_admin_client, client, limited_user, resolved_ticket, customer, portal_admin_user
):
    url = reverse("tickets:detail", args=[resolved_ticket.number])
    link = f"{NEW}?kind=credit&amp;ticket={resolved_ticket.number}"
    assert link in portal_admin_client.get(url).content.decode()
    client.force_login(limited_user)
    assert 'data-testid="request-credit"' not in client.get(url).content.decode()
    client.force_login(portal_admin_user)
    active = ticket_open_for(customer, portal_admin_user)
    page = client.get(reverse("tickets:detail", args=[active.number])).content.decode()
    assert 'data-testid="request-credit"' not in page


# --- the request page -------------------------------------------------------------------------


def test_the_page_shows_the_request_its_files_and_who_answers(
    portal_admin_client, customer, billing_request, invoice
):
    TeamAssignment.objects.create(
        customer=customer,
        role=TeamRole.BILLING_CARE,
        person=TeamPersonFactory(full_name="Beatriz Cobranzas", email="beatriz@provider.test"),
    )
    page = portal_admin_client.get(_detail(billing_request)).content.decode()
    assert billing_request.number in page
    assert "Why two installation fees?" in page
    assert "Line 2 looks like a second installation fee." in page
    assert reverse("billing:invoice", args=[invoice.number]) in page
    assert _file(billing_request, billing_request.attachments.get()) in page
    assert 'data-testid="step"' in page
    assert 'data-state="current"' in page
    assert "Beatriz Cobranzas" in page
    assert "beatriz@provider.test" in page
    assert 'data-testid="reply-form"' in page


def test_internal_notes_and_their_files_never_reach_the_page(
    portal_admin_client, billing_request, staff_user
):
    note = services.billing_request_staff_message(
        request_obj=billing_request,
        staff=staff_user,
        body=SECRET,
        internal=True,
        attachments=[_pdf("credit-history.pdf")],
    )
    services.billing_request_staff_message(
        request_obj=billing_request, staff=staff_user, body="We are checking line 2."
    )
    page = portal_admin_client.get(_detail(billing_request)).content.decode()
    assert SECRET not in page
    assert "credit-history.pdf" not in page
    assert "We are checking line 2." in page
    internal = BillingAttachment.objects.get(message=note)
    assert portal_admin_client.get(_file(billing_request, internal)).status_code == 404


def test_a_waiting_request_asks_on_top_and_a_reply_puts_it_back_in_analysis(
    portal_admin_client, billing_request, staff_user
):
    _wait(billing_request, staff_user)
    page = portal_admin_client.get(_detail(billing_request)).content.decode()
    assert 'data-testid="waiting-panel"' in page
    assert "Which purchase order does line 2 belong to?" in page
    assert page.index('data-testid="reply-form"') < page.index('data-testid="progress"')

    response = portal_admin_client.post(
        _reply(billing_request), {"body": "PO 4500012345", "attachments": [_pdf("po.pdf")]}
    )

    assert response.status_code == 302
    assert response["Location"] == _detail(billing_request) + "#conversation"
    billing_request.refresh_from_db()
    assert billing_request.status == BillingRequest.Status.IN_ANALYSIS
    page = portal_admin_client.get(_detail(billing_request)).content.decode()
    assert "PO 4500012345" in page
    assert "po.pdf" in page
    assert 'data-testid="waiting-panel"' not in page
    assert "Your message was sent to Billing Customer Care." in page


def test_an_empty_reply_or_a_bad_file_is_a_400(portal_admin_client, billing_request):
    response = portal_admin_client.post(_reply(billing_request), {"body": "  "})
    assert response.status_code == 400
    assert "Write a message or attach a file." in response.content.decode()
    response = portal_admin_client.post(
        _reply(billing_request), {"body": "See file", "attachments": [_pdf("x.pdf", EXE)]}
    )
    assert response.status_code == 400
    assert "x.pdf is not a file type we accept." in response.content.decode()
    assert not BillingMessage.objects.filter(body="See file").exists()


def test_a_reply_on_a_resolved_request_is_a_400(portal_admin_client, billing_request, staff_user):
    services.billing_request_answer(
        request_obj=billing_request, staff=staff_user, answer="Line 2 is the new site."
    )
    page = portal_admin_client.get(_detail(billing_request)).content.decode()
    assert 'data-testid="reply-form"' not in page
    assert "Answered." in page
    assert "Line 2 is the new site." in page

    response = portal_admin_client.post(_reply(billing_request), {"body": "But why?"})

    assert response.status_code == 400
    assert "This request is already resolved." in response.content.decode()
    assert not BillingMessage.objects.filter(body="But why?").exists()


def test_a_credit_shows_its_amount_and_invoice(
    portal_admin_client, customer, portal_admin_user, staff_user, invoice, lines
):
    dispute = services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="dispute",
        subject="Backup link",
        description="Cancelled",
        invoice=invoice,
        disputed={lines[1].pk: Decimal("250.50")},
    )
    later = invoice_with_lines(customer, number="FA-0001-00012400", amounts=("900.00",))
    services.credit_issue(
        request_obj=dispute, staff=staff_user, amount=Decimal("250.50"), invoice=later
    )

    page = portal_admin_client.get(_detail(dispute)).content.decode()

    banner = page[page.index('data-testid="request-banner"') :]
    assert "Credit issued: $250.50 on invoice" in banner
    assert reverse("billing:invoice", args=[later.number]) in banner
    assert 'data-testid="credit-card"' in page
    assert 'data-state="current"' in page
    assert 'data-step="resolved"' in page
    assert 'data-testid="reply-form"' not in page


def _step(page: str, step: str) -> tuple[str, str, datetime.datetime | None]:
    """(label, state, time shown) of one progress step."""
    start = page.index(f'data-step="{step}"')
    item = page[page.rindex("<li", 0, start) : page.index("</li>", start)]
    label = item.split("<strong>", 1)[1].split("</strong>", 1)[0]
    state = item.split('data-state="', 1)[1].split('"', 1)[0]
    moment = item.split('datetime="', 1)[1].split('"', 1)[0] if 'datetime="' in item else None
    return label, state, datetime.datetime.fromisoformat(moment) if moment else None


def test_each_step_shows_when_the_request_last_entered_it(
    portal_admin_client, customer, portal_admin_user, staff_user, invoice
):
    """Received at T0, taken into analysis at T1, waiting for the customer at T2, resumed by
    the customer's reply at T3, resolved at T4: the second step shows T2 while it waits and
    T3 afterwards, the time analysis resumed (never the time the wait began)."""
    t0 = datetime.datetime(2026, 11, 26, 17, 56, tzinfo=UTC)
    times = [t0 + datetime.timedelta(hours=hours) for hours in (0, 2, 17, 48, 50)]
    with time_machine.travel(times[0], tick=False) as clock:
        request_obj = services.billing_request_create(
            customer=customer,
            user=portal_admin_user,
            kind="question",
            subject="Why?",
            description="?",
            invoice=invoice,
        )
        clock.move_to(times[1])
        services.billing_request_staff_message(
            request_obj=request_obj, staff=staff_user, body="", status="in_analysis"
        )
        clock.move_to(times[2])
        _wait(request_obj, staff_user)

    page = portal_admin_client.get(_detail(request_obj)).content.decode()
    assert _step(page, "received") == ("Received", "done", times[0])
    assert _step(page, "in_analysis") == ("Waiting for you", "current", times[2])

    with time_machine.travel(times[3], tick=False) as clock:
        services.billing_request_reply(
            request_obj=request_obj, user=portal_admin_user, body="PO 45"
        )
        page = portal_admin_client.get(_detail(request_obj)).content.decode()
        assert _step(page, "in_analysis") == ("In analysis", "current", times[3])
        clock.move_to(times[4])
        services.billing_request_answer(request_obj=request_obj, staff=staff_user, answer="Ok")

    page = portal_admin_client.get(_detail(request_obj)).content.decode()
    assert _step(page, "in_analysis") == ("In analysis", "done", times[3])
    assert _step(page, "resolved") == ("Resolved", "current", times[4])
    assert _step(page, "closed") == ("Closed", "next", None)


def test_a_message_repeating_the_status_does_not_move_its_step(
    portal_admin_client, customer, portal_admin_user, staff_user, invoice
):
    t0 = datetime.datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    with time_machine.travel(t0, tick=False) as clock:
        request_obj = services.billing_request_create(
            customer=customer,
            user=portal_admin_user,
            kind="question",
            subject="S",
            description="D",
            invoice=invoice,
        )
        clock.move_to(t0 + datetime.timedelta(hours=1))
        services.billing_request_staff_message(
            request_obj=request_obj, staff=staff_user, body="", status="in_analysis"
        )
        clock.move_to(t0 + datetime.timedelta(hours=5))
        services.billing_request_staff_message(
            request_obj=request_obj, staff=staff_user, body="Still on it", status="in_analysis"
        )
    page = portal_admin_client.get(_detail(request_obj)).content.decode()
    assert _step(page, "in_analysis") == (
        "In analysis",
        "current",
        t0 + datetime.timedelta(hours=1),
    )


def test_a_request_resolved_while_waiting_shows_no_time_for_an_analysis_it_never_had(
    portal_admin_client, customer, portal_admin_user, staff_user, billing_request
):
    _wait(billing_request, staff_user)
    services.billing_request_answer(request_obj=billing_request, staff=staff_user, answer="Ok")
    page = portal_admin_client.get(_detail(billing_request)).content.decode()
    assert _step(page, "in_analysis") == ("In analysis", "done", None)


# --- files ------------------------------------------------------------------------------------


def test_a_file_is_downloaded_as_an_attachment_that_no_cache_keeps(
    portal_admin_client, customer, portal_admin_user, invoice
):
    request_obj = services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="question",
        subject="S",
        description="D",
        invoice=invoice,
        attachments=[_pdf('my "statement".pdf')],
    )
    response = portal_admin_client.get(_file(request_obj, request_obj.attachments.get()))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my_statement.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    response.close()


# --- a fixed number of queries ----------------------------------------------------------------


def _query_count(client, path) -> int:
    client.get(path)  # the first request of a session records the session itself
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_list_runs_the_same_queries_for_1_and_30_requests(
    portal_admin_client, customer, portal_admin_user, staff_user, invoice, settings
):
    settings.BILLING_PAGE_SIZE = 50
    services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="question",
        subject="Q",
        description="?",
        invoice=invoice,
    )
    one = _query_count(portal_admin_client, LIST)
    for n in range(29):
        request_obj = services.billing_request_create(
            customer=customer,
            user=portal_admin_user,
            kind="credit",
            subject=f"C{n}",
            description="!",
            invoice=invoice,
            requested_amount=Decimal("5"),
        )
        if n % 3 == 0:
            services.credit_issue(
                request_obj=request_obj, staff=staff_user, amount=Decimal("5"), invoice=invoice
            )
    assert _query_count(portal_admin_client, LIST) == one


def test_the_request_page_runs_the_same_queries_however_long_its_history(
    portal_admin_client, customer, portal_admin_user, staff_user, invoice, lines
):
    few = services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="dispute",
        subject="D",
        description="!",
        invoice=invoice,
        disputed={lines[0].pk: Decimal("1")},
    )
    services.billing_request_staff_message(request_obj=few, staff=staff_user, body="On it")
    baseline = _query_count(portal_admin_client, _detail(few))
    other_invoice = invoice_with_lines(customer, number="FA-0001-00077777", amounts=["10"] * 8)
    many = services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="dispute",
        subject="D",
        description="!",
        invoice=other_invoice,
        disputed={line.pk: Decimal("1") for line in other_invoice.lines.all()},
        attachments=[_pdf("a.pdf"), _pdf("b.pdf")],
    )
    for n in range(8):
        _wait(many, staff_user, body=f"Question {n}")
        services.billing_request_reply(
            request_obj=many,
            user=portal_admin_user,
            body=f"Answer {n}",
            attachments=[_pdf(f"{n}.pdf")],
        )
        services.billing_request_staff_message(
            request_obj=many, staff=staff_user, body=f"Note {n}", internal=True
        )
    assert _query_count(portal_admin_client, _detail(many)) == baseline
