"""The billing request services (R-BIL-1, R-TEAM-5): the limits of a dispute and of a credit,
the override that is audited, the invoice's status through a dispute and its resolution, the
conversation's status changes, and credit requests that start from a resolved ticket."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from billing import services
from billing.models import BillingMessage, BillingRequest, Credit, Invoice
from core.errors import DomainError
from core.models import AuditEvent, Notification
from tests.factories import ServiceFactory, UserFactory, invoice_with_lines, ticket_open_for
from tickets.services import ticket_resolve

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def _english():
    """The refusals read as written here (the portal's default language is Spanish)."""
    with translation.override("en"):
        yield


@pytest.fixture
def staff(db):
    return UserFactory(email="care@provider.test", is_staff=True)


def _invoice(customer, amounts=("100.00", "50.00"), currency="USD", *, due_in=20, **kwargs):
    """An unpaid invoice due `due_in` days from today (negative: already overdue)."""
    today = timezone.localdate()
    return invoice_with_lines(
        customer,
        amounts=amounts,
        currency=currency,
        issued_on=today - timedelta(days=40),
        period=(today - timedelta(days=40)).replace(day=1),
        due_on=today + timedelta(days=due_in),
        **kwargs,
    )


@pytest.fixture
def invoice(customer):
    return _invoice(customer)


def _line(invoice, position=1):
    return invoice.lines.get(position=position)


def _dispute(customer, user, invoice, amounts: dict | None = None) -> BillingRequest:
    amounts = amounts or {1: "40.00"}
    return services.billing_request_create(
        customer=customer,
        user=user,
        kind="dispute",
        subject="Cargo mal calculado",
        description="La línea está mal.",
        invoice=invoice,
        disputed={_line(invoice, position).pk: D(amount) for position, amount in amounts.items()},
    )


def _question(customer, user, invoice) -> BillingRequest:
    return services.billing_request_create(
        customer=customer,
        user=user,
        kind="question",
        subject="¿Qué es este cargo?",
        description="No lo entiendo.",
        invoice=invoice,
    )


def _status(invoice) -> str:
    invoice.refresh_from_db()
    return invoice.status


# --- Disputes: R-BIL-1's limits ---------------------------------------------------------------


def test_a_dispute_of_the_whole_line_amount_is_accepted(customer, portal_admin_user, invoice):
    request_obj = _dispute(customer, portal_admin_user, invoice, {1: "100.00", 2: "50.00"})

    assert request_obj.requested_amount == D("150.00")
    assert request_obj.currency == "USD"
    assert sorted(request_obj.disputed_lines.values_list("amount", flat=True)) == [
        D("50.00"),
        D("100.00"),
    ]


def test_a_dispute_one_cent_above_the_line_amount_is_refused(customer, portal_admin_user, invoice):
    with pytest.raises(
        DomainError, match=r"Line 2: .* at most the line's amount, \$50.00\."
    ) as refused:
        _dispute(customer, portal_admin_user, invoice, {1: "40.00", 2: "50.01"})

    assert refused.value.rule == "R-BIL-1"
    assert not BillingRequest.objects.exists()
    assert _status(invoice) == Invoice.Status.ISSUED


@pytest.mark.parametrize("amount", ["0", "-1.00"])
def test_a_disputed_amount_must_be_positive(customer, portal_admin_user, invoice, amount):
    with pytest.raises(DomainError, match="must be more than zero"):
        _dispute(customer, portal_admin_user, invoice, {1: amount})

    assert not BillingRequest.objects.exists()


def test_a_dispute_needs_at_least_one_line(customer, portal_admin_user, invoice):
    with pytest.raises(DomainError, match="Choose the lines you dispute"):
        services.billing_request_create(
            customer=customer,
            user=portal_admin_user,
            kind="dispute",
            subject="x",
            description="y",
            invoice=invoice,
            disputed={},
        )


def test_a_line_of_another_invoice_is_refused(customer, portal_admin_user, invoice):
    other_invoice = _invoice(customer, amounts=("500.00",))

    with pytest.raises(DomainError, match="Choose lines of this invoice"):
        services.billing_request_create(
            customer=customer,
            user=portal_admin_user,
            kind="dispute",
            subject="x",
            description="y",
            invoice=invoice,
            disputed={_line(other_invoice).pk: D("10")},
        )


def test_a_line_under_an_open_dispute_is_refused_until_that_dispute_is_resolved(
    customer, portal_admin_user, staff, invoice
):
    first = _dispute(customer, portal_admin_user, invoice, {1: "40.00"})

    with pytest.raises(DomainError, match=f"already disputed in {first.number}"):
        _dispute(customer, portal_admin_user, invoice, {1: "10.00"})
    other_line = _dispute(
        customer, portal_admin_user, invoice, {2: "10.00"}
    )  # another line is fine

    services.billing_request_answer(request_obj=first, staff=staff, answer="El cargo es correcto.")
    again = _dispute(customer, portal_admin_user, invoice, {1: "10.00"})

    assert other_line.pk
    assert again.disputed_lines.get().line == _line(invoice)


def test_a_dispute_marks_the_invoice_in_dispute(customer, portal_admin_user, invoice):
    _dispute(customer, portal_admin_user, invoice)

    assert _status(invoice) == Invoice.Status.IN_DISPUTE


def test_a_question_leaves_the_invoice_as_it_was(customer, portal_admin_user, invoice):
    _question(customer, portal_admin_user, invoice)

    assert _status(invoice) == Invoice.Status.ISSUED


def test_an_invoice_of_another_customer_cannot_be_disputed(
    customer, portal_admin_user, other_customer
):
    foreign = _invoice(other_customer, currency="BRL")

    with pytest.raises(DomainError, match="of yours"):
        _dispute(customer, portal_admin_user, foreign)

    assert _status(foreign) == Invoice.Status.ISSUED


# --- Credits: up to what was asked, unless overridden (audited) -------------------------------


def test_a_credit_of_exactly_the_disputed_amount_needs_no_override(
    customer, portal_admin_user, staff, invoice
):
    request_obj = _dispute(customer, portal_admin_user, invoice, {1: "40.00"})

    credit = services.credit_issue(
        request_obj=request_obj, staff=staff, amount=D("40.00"), invoice=invoice
    )

    assert (credit.amount, credit.currency, credit.invoice) == (D("40.00"), "USD", invoice)
    assert credit.override is False
    assert credit.override_reason == ""
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CREDIT_OVERRIDE).exists()
    request_obj.refresh_from_db()
    assert (request_obj.status, request_obj.outcome) == ("resolved", "credit")
    assert request_obj.resolved_at is not None


def test_a_credit_above_the_disputed_amount_is_refused_without_the_override(
    customer, portal_admin_user, staff, invoice
):
    request_obj = _dispute(customer, portal_admin_user, invoice, {1: "40.00"})

    with pytest.raises(DomainError, match="more than the customer asked for") as refused:
        services.credit_issue(
            request_obj=request_obj, staff=staff, amount=D("40.01"), invoice=invoice
        )

    assert refused.value.rule == "R-BIL-1"
    assert not Credit.objects.exists()
    request_obj.refresh_from_db()
    assert request_obj.is_open


def test_a_credit_above_the_requested_amount_is_refused_without_the_override(
    customer, portal_admin_user, staff, invoice
):
    request_obj = services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="credit",
        subject="Corte",
        description="Sin servicio 6 horas",
        invoice=invoice,
        requested_amount=D("30.00"),
    )

    with pytest.raises(DomainError, match="more than the customer asked for"):
        services.credit_issue(
            request_obj=request_obj, staff=staff, amount=D("30.50"), invoice=invoice
        )
    credit = services.credit_issue(
        request_obj=request_obj, staff=staff, amount=D("30.00"), invoice=invoice
    )

    assert credit.override is False


def test_the_override_without_a_reason_is_refused(customer, portal_admin_user, staff, invoice):
    request_obj = _dispute(customer, portal_admin_user, invoice, {1: "40.00"})

    with pytest.raises(DomainError, match="Say why"):
        services.credit_issue(
            request_obj=request_obj,
            staff=staff,
            amount=D("45.00"),
            invoice=invoice,
            override=True,
            override_reason="   ",
        )

    assert not Credit.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_override_with_a_reason_flags_the_credit_and_is_audited(
    customer, portal_admin_user, staff, invoice
):
    request_obj = _dispute(customer, portal_admin_user, invoice, {1: "40.00"})

    credit = services.credit_issue(
        request_obj=request_obj,
        staff=staff,
        amount=D("45.00"),
        invoice=invoice,
        override=True,
        override_reason="Cliente estratégico",
    )

    assert credit.override is True
    assert credit.override_reason == "Cliente estratégico"
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREDIT_OVERRIDE)
    assert event.customer == customer
    assert event.actor == staff
    assert event.actor_email == "care@provider.test"
    assert event.detail == {
        "request": request_obj.number,
        "invoice": invoice.number,
        "amount": "45.00",
        "ceiling": "40.00",
        "currency": "USD",
        "reason": "Cliente estratégico",
    }


def test_the_override_ticked_for_a_credit_within_the_amount_is_not_recorded(
    customer, portal_admin_user, staff, invoice
):
    request_obj = _dispute(customer, portal_admin_user, invoice, {1: "40.00"})

    credit = services.credit_issue(
        request_obj=request_obj,
        staff=staff,
        amount=D("20.00"),
        invoice=invoice,
        override=True,
        override_reason="not needed",
    )

    assert credit.override is False
    assert credit.override_reason == ""
    assert not AuditEvent.objects.exists()


def test_a_credit_never_exceeds_the_invoice_total_even_with_the_override(
    customer, portal_admin_user, staff
):
    invoice = _invoice(customer, amounts=("100.00", "50.00"))  # total 150.00
    request_obj = _dispute(customer, portal_admin_user, invoice, {1: "100.00"})

    with pytest.raises(DomainError, match="more than the invoice's total"):
        services.credit_issue(
            request_obj=request_obj,
            staff=staff,
            amount=D("150.01"),
            invoice=invoice,
            override=True,
            override_reason="Goodwill",
        )
    credit = services.credit_issue(
        request_obj=request_obj,
        staff=staff,
        amount=D("150.00"),
        invoice=invoice,
        override=True,
        override_reason="Goodwill",
    )

    assert credit.amount == invoice.total == D("150.00")


def test_credits_on_one_invoice_never_add_up_to_more_than_its_total(
    customer, portal_admin_user, staff
):
    invoice = _invoice(customer, amounts=("100.00", "50.00"))  # total 150.00
    first = _dispute(customer, portal_admin_user, invoice, {1: "100.00"})
    services.credit_issue(request_obj=first, staff=staff, amount=D("100.00"), invoice=invoice)
    second = _dispute(customer, portal_admin_user, invoice, {2: "50.00"})

    with pytest.raises(DomainError, match="what is left of the invoice's total"):
        services.credit_issue(
            request_obj=second,
            staff=staff,
            amount=D("50.01"),
            invoice=invoice,
            override=True,
            override_reason="x",
        )
    services.credit_issue(request_obj=second, staff=staff, amount=D("50.00"), invoice=invoice)

    assert sum(c.amount for c in invoice.credits.all()) == invoice.total


def test_a_credit_on_another_customers_invoice_is_refused(
    customer, portal_admin_user, staff, invoice, other_customer
):
    request_obj = _dispute(customer, portal_admin_user, invoice)
    foreign = _invoice(other_customer, currency="USD", amounts=("900.00",))

    with pytest.raises(DomainError, match="invoice of this customer"):
        services.credit_issue(request_obj=request_obj, staff=staff, amount=D("10"), invoice=foreign)

    assert not Credit.objects.exists()
    assert _status(foreign) == Invoice.Status.ISSUED


def test_a_credit_on_an_invoice_in_another_currency_is_refused(
    customer, portal_admin_user, staff, invoice
):
    request_obj = _dispute(customer, portal_admin_user, invoice)
    in_pesos = _invoice(customer, currency="ARS", amounts=("90000.00",))

    with pytest.raises(DomainError, match="invoice in USD"):
        services.credit_issue(
            request_obj=request_obj, staff=staff, amount=D("10"), invoice=in_pesos
        )

    assert not Credit.objects.exists()


def test_a_credit_on_another_invoice_of_the_customer_in_the_currency_is_accepted(
    customer, portal_admin_user, staff, invoice
):
    request_obj = _dispute(customer, portal_admin_user, invoice, {1: "40.00"})
    next_month = _invoice(customer, amounts=("120.00",))

    credit = services.credit_issue(
        request_obj=request_obj, staff=staff, amount=D("40"), invoice=next_month
    )

    assert credit.invoice == next_month
    # Neither is covered by it: the disputed one leaves "in dispute", both are still owed.
    assert _status(next_month) == _status(invoice) == Invoice.Status.ISSUED


def test_a_question_cannot_be_credited(customer, portal_admin_user, staff, invoice):
    question = _question(customer, portal_admin_user, invoice)

    with pytest.raises(DomainError, match="answered, not credited"):
        services.credit_issue(
            request_obj=question,
            staff=staff,
            amount=D("1"),
            invoice=invoice,
            override=True,
            override_reason="x",
        )

    assert not Credit.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-10"])
def test_a_credit_must_be_positive(customer, portal_admin_user, staff, invoice, amount):
    request_obj = _dispute(customer, portal_admin_user, invoice)

    with pytest.raises(DomainError, match="more than zero"):
        services.credit_issue(
            request_obj=request_obj, staff=staff, amount=D(amount), invoice=invoice
        )


def test_a_credit_covering_the_invoice_marks_it_credited_but_never_a_paid_one(
    customer, portal_admin_user, staff
):
    invoice = _invoice(customer, amounts=("40.00",))
    request_obj = _dispute(customer, portal_admin_user, invoice, {1: "40.00"})
    paid = _invoice(customer, amounts=("300.00",))
    services.invoice_mark_paid(invoice=paid, paid_on=timezone.localdate())
    on_paid = _dispute(customer, portal_admin_user, paid, {1: "40.00"})

    services.credit_issue(request_obj=request_obj, staff=staff, amount=D("40"), invoice=invoice)
    services.credit_issue(request_obj=on_paid, staff=staff, amount=D("40"), invoice=paid)

    assert _status(invoice) == Invoice.Status.CREDITED  # nothing left to pay
    assert _status(paid) == Invoice.Status.PAID  # the credit is in the customer's favour


def test_a_partial_credit_leaves_the_invoice_owed(customer, portal_admin_user, staff, invoice):
    request_obj = _dispute(customer, portal_admin_user, invoice, {1: "40.00"})

    services.credit_issue(request_obj=request_obj, staff=staff, amount=D("40"), invoice=invoice)

    assert _status(invoice) == Invoice.Status.ISSUED  # 110 of 150 still to pay


def test_a_dispute_never_turns_a_paid_invoice_into_a_debt(customer, portal_admin_user, staff):
    paid = _invoice(customer, amounts=("300.00",), due_in=-30)
    services.invoice_mark_paid(invoice=paid, paid_on=timezone.localdate())

    request_obj = _dispute(customer, portal_admin_user, paid, {1: "100.00"})
    assert _status(paid) == Invoice.Status.PAID
    services.billing_request_answer(request_obj=request_obj, staff=staff, answer="Correct.")

    assert _status(paid) == Invoice.Status.PAID


def test_a_dispute_resolved_without_credit_gives_an_overdue_invoice_back_overdue(
    customer, portal_admin_user, staff
):
    late = _invoice(customer, due_in=-5, status="overdue")
    request_obj = _dispute(customer, portal_admin_user, late, {1: "10.00"})
    assert _status(late) == Invoice.Status.IN_DISPUTE

    services.billing_request_answer(request_obj=request_obj, staff=staff, answer="Correct.")

    assert _status(late) == Invoice.Status.OVERDUE


def test_a_credit_leaves_the_invoice_in_dispute_while_another_dispute_on_it_is_open(
    customer, portal_admin_user, staff, invoice
):
    first = _dispute(customer, portal_admin_user, invoice, {1: "40.00"})
    second = _dispute(customer, portal_admin_user, invoice, {2: "10.00"})

    services.credit_issue(request_obj=first, staff=staff, amount=D("40"), invoice=invoice)
    assert _status(invoice) == Invoice.Status.IN_DISPUTE

    services.billing_request_answer(request_obj=second, staff=staff, answer="Correcto.")
    assert _status(invoice) == Invoice.Status.ISSUED  # 110 of 150 is still to pay


def test_the_default_answer_of_a_credit_is_in_the_customers_language_and_format(
    other_customer, other_user, staff
):
    invoice = _invoice(other_customer, currency="BRL", amounts=("1500.00",))
    request_obj = _dispute(other_customer, other_user, invoice, {1: "1234.56"})

    services.credit_issue(
        request_obj=request_obj, staff=staff, amount=D("1234.56"), invoice=invoice
    )

    request_obj.refresh_from_db()
    assert "R$\xa01.234,56" in request_obj.outcome_reason
    assert invoice.number in request_obj.outcome_reason
    resolution = request_obj.messages.get(status="resolved")
    assert resolution.body == request_obj.outcome_reason
    assert resolution.from_provider


# --- Resolved requests take nothing more -------------------------------------------------------


@pytest.fixture
def resolved(customer, portal_admin_user, staff, invoice):
    request_obj = _dispute(customer, portal_admin_user, invoice)
    return services.billing_request_answer(request_obj=request_obj, staff=staff, answer="No.")


def test_a_resolved_request_refuses_the_customers_reply(resolved, portal_admin_user):
    with pytest.raises(DomainError, match="already resolved"):
        services.billing_request_reply(request_obj=resolved, user=portal_admin_user, body="¿Y?")


def test_a_resolved_request_refuses_staff_messages_credits_and_answers(resolved, staff, invoice):
    with pytest.raises(DomainError, match="already resolved"):
        services.billing_request_staff_message(request_obj=resolved, staff=staff, body="x")
    with pytest.raises(DomainError, match="already resolved"):
        services.credit_issue(request_obj=resolved, staff=staff, amount=D("1"), invoice=invoice)
    with pytest.raises(DomainError, match="already resolved"):
        services.billing_request_answer(request_obj=resolved, staff=staff, answer="Otra vez")

    assert not Credit.objects.exists()
    assert resolved.messages.count() == 1


def test_a_closed_request_refuses_a_credit(customer, portal_admin_user, staff, invoice):
    request_obj = _dispute(customer, portal_admin_user, invoice)
    services.billing_request_close(request_obj=request_obj, staff=staff)

    with pytest.raises(DomainError, match="already resolved"):
        services.credit_issue(request_obj=request_obj, staff=staff, amount=D("1"), invoice=invoice)


# --- The invoice after a dispute without credit ------------------------------------------------


def test_a_dispute_answered_without_credit_gives_the_invoice_back_issued(
    customer, portal_admin_user, staff, invoice
):
    request_obj = _dispute(customer, portal_admin_user, invoice)

    services.billing_request_answer(request_obj=request_obj, staff=staff, answer="Correcto.")

    request_obj.refresh_from_db()
    assert (request_obj.status, request_obj.outcome) == ("resolved", "no_credit")
    assert request_obj.outcome_reason == "Correcto."
    assert _status(invoice) == Invoice.Status.ISSUED


def test_a_dispute_answered_without_credit_after_the_due_date_leaves_it_overdue(
    customer, portal_admin_user, staff
):
    invoice = _invoice(customer, due_in=-3)
    request_obj = _dispute(customer, portal_admin_user, invoice)

    services.billing_request_answer(request_obj=request_obj, staff=staff, answer="Correcto.")

    assert _status(invoice) == Invoice.Status.OVERDUE


def test_the_invoice_stays_in_dispute_while_another_dispute_on_it_is_open(
    customer, portal_admin_user, staff, invoice
):
    first = _dispute(customer, portal_admin_user, invoice, {1: "40.00"})
    second = _dispute(customer, portal_admin_user, invoice, {2: "10.00"})

    services.billing_request_answer(request_obj=first, staff=staff, answer="Correcto.")
    assert _status(invoice) == Invoice.Status.IN_DISPUTE

    services.billing_request_answer(request_obj=second, staff=staff, answer="También.")
    assert _status(invoice) == Invoice.Status.ISSUED


def test_closing_an_open_dispute_releases_the_invoice(customer, portal_admin_user, staff, invoice):
    request_obj = _dispute(customer, portal_admin_user, invoice)

    services.billing_request_close(request_obj=request_obj, staff=staff)

    request_obj.refresh_from_db()
    assert request_obj.status == BillingRequest.Status.CLOSED
    assert _status(invoice) == Invoice.Status.ISSUED


def test_a_question_is_answered(customer, portal_admin_user, staff, invoice):
    question = _question(customer, portal_admin_user, invoice)

    with pytest.raises(DomainError, match="Write the answer"):
        services.billing_request_answer(request_obj=question, staff=staff, answer="  ")
    services.billing_request_answer(request_obj=question, staff=staff, answer="Es el IVA.")

    question.refresh_from_db()
    assert (question.status, question.outcome) == ("resolved", "answered")


# --- The conversation -------------------------------------------------------------------------


def test_the_customers_reply_while_waiting_takes_the_request_back_into_analysis(
    customer, portal_admin_user, staff, invoice
):
    request_obj = _question(customer, portal_admin_user, invoice)
    services.billing_request_staff_message(
        request_obj=request_obj, staff=staff, body="¿De qué línea?", status="waiting"
    )
    request_obj.refresh_from_db()
    assert request_obj.status == BillingRequest.Status.WAITING

    message = services.billing_request_reply(
        request_obj=request_obj, user=portal_admin_user, body="La 2"
    )

    request_obj.refresh_from_db()
    assert request_obj.status == BillingRequest.Status.IN_ANALYSIS
    assert message.status == BillingRequest.Status.IN_ANALYSIS


def test_the_customers_reply_on_a_received_request_keeps_it_received(
    customer, portal_admin_user, invoice
):
    request_obj = _question(customer, portal_admin_user, invoice)

    services.billing_request_reply(request_obj=request_obj, user=portal_admin_user, body="Algo más")

    request_obj.refresh_from_db()
    assert request_obj.status == BillingRequest.Status.RECEIVED


def test_a_staff_internal_note_changes_nothing_and_sends_nothing(
    customer, portal_admin_user, staff, invoice
):
    request_obj = _question(customer, portal_admin_user, invoice)
    before = Notification.objects.count()

    note = services.billing_request_staff_message(
        request_obj=request_obj, staff=staff, body="Debe tres facturas.", internal=True
    )

    assert note.internal
    assert note.from_provider
    assert note.status == ""
    assert Notification.objects.count() == before
    request_obj.refresh_from_db()
    assert request_obj.status == BillingRequest.Status.RECEIVED
    with pytest.raises(DomainError, match="cannot change the status"):
        services.billing_request_staff_message(
            request_obj=request_obj, staff=staff, body="x", internal=True, status="waiting"
        )


def test_a_public_staff_message_notifies_the_customer(customer, portal_admin_user, staff, invoice):
    request_obj = _question(customer, portal_admin_user, invoice)
    before = Notification.objects.count()

    services.billing_request_staff_message(
        request_obj=request_obj, staff=staff, body="Lo revisamos.", status="in_analysis"
    )

    request_obj.refresh_from_db()
    assert request_obj.status == BillingRequest.Status.IN_ANALYSIS
    assert Notification.objects.count() == before + 1
    assert Notification.objects.latest("pk").to_email == portal_admin_user.email


def test_staff_cannot_resolve_through_a_message(customer, portal_admin_user, staff, invoice):
    request_obj = _question(customer, portal_admin_user, invoice)

    with pytest.raises(DomainError, match="its own action"):
        services.billing_request_staff_message(
            request_obj=request_obj, staff=staff, body="x", status="resolved"
        )


def test_staff_may_send_a_file_without_a_message(customer, portal_admin_user, staff, invoice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    request_obj = _question(customer, portal_admin_user, invoice)

    message = services.billing_request_staff_message(
        request_obj=request_obj,
        staff=staff,
        body="",
        attachments=[SimpleUploadedFile("detalle.csv", b"linea;monto\n1;100\n")],
    )

    # Text is stored and served as .txt, whatever it was called (issue 13, item 4).
    assert message.attachments.get().filename == "detalle.txt"
    assert BillingMessage.objects.filter(request=request_obj).count() == 1


# --- Credit requests from a ticket -------------------------------------------------------------


def _credit_request(customer, user, **kwargs) -> BillingRequest:
    values = {
        "kind": "credit",
        "subject": "Crédito por corte",
        "description": "El enlace estuvo caído.",
        "requested_amount": D("80.00"),
        "currency": "USD",
        **kwargs,
    }
    return services.billing_request_create(customer=customer, user=user, **values)


def test_a_credit_request_can_start_from_a_resolved_ticket(customer, portal_admin_user, staff):
    service = ServiceFactory(customer=customer)
    ticket = ticket_open_for(customer, portal_admin_user, service=service)
    ticket_resolve(ticket=ticket, actor=staff, resolution="Se cambió el CPE.")
    ticket.refresh_from_db()
    start = ticket.problem_started_at
    end = ticket.restored_at

    request_obj = _credit_request(
        customer,
        portal_admin_user,
        ticket=ticket,
        service=service,
        outage_start=start,
        outage_end=end,
    )

    assert (request_obj.ticket, request_obj.service) == (ticket, service)
    assert (request_obj.outage_start, request_obj.outage_end) == (start, end)


def test_a_credit_request_from_an_open_ticket_is_refused(customer, portal_admin_user):
    service = ServiceFactory(customer=customer)
    ticket = ticket_open_for(customer, portal_admin_user, service=service)

    with pytest.raises(DomainError, match="once the ticket is resolved"):
        _credit_request(customer, portal_admin_user, ticket=ticket, service=service)

    assert not BillingRequest.objects.exists()


def test_a_credit_request_for_a_service_not_on_the_ticket_is_refused(
    customer, portal_admin_user, staff
):
    ticket = ticket_open_for(customer, portal_admin_user)
    ticket = ticket_resolve(ticket=ticket, actor=staff, resolution="Listo.")
    elsewhere = ServiceFactory(customer=customer)

    with pytest.raises(DomainError, match="one of the ticket's services"):
        _credit_request(customer, portal_admin_user, ticket=ticket, service=elsewhere)


def test_a_credit_request_from_another_customers_ticket_is_refused(
    customer, portal_admin_user, other_customer, other_user, staff
):
    ticket = ticket_open_for(other_customer, other_user)
    ticket = ticket_resolve(ticket=ticket, actor=staff, resolution="Listo.")

    with pytest.raises(DomainError, match="of yours"):
        _credit_request(customer, portal_admin_user, ticket=ticket)


def test_a_credit_request_needs_a_positive_amount_and_an_ordered_outage(
    customer, portal_admin_user
):
    now = timezone.now()
    with pytest.raises(DomainError, match="how much credit"):
        _credit_request(customer, portal_admin_user, requested_amount=D("0"))
    with pytest.raises(DomainError, match="end after it starts"):
        _credit_request(customer, portal_admin_user, outage_start=now, outage_end=now)


def test_a_credit_request_on_an_invoice_cannot_ask_more_than_its_total(
    customer, portal_admin_user, invoice
):
    with pytest.raises(DomainError, match="more than the invoice's total"):
        _credit_request(customer, portal_admin_user, invoice=invoice, requested_amount=D("150.01"))

    request_obj = _credit_request(
        customer, portal_admin_user, invoice=invoice, requested_amount=D("150.00"), currency="ARS"
    )
    assert request_obj.currency == "USD"  # the invoice's currency wins
