"""The billing request e-mails through the outbox (issue 7 section 2, R-TEAM-5, R-BIL-1): Billing
Customer Care hears of each request with the admin link and replies going to the requester; the
customer's billing contacts and the requester get the portal link, each in their language with
amounts written their way; the credit e-mail names the amount and the invoice; internal notes
never reach an e-mail."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from billing import services
from billing.models import BillingRequest
from core.models import Notification
from core.services.outbox import Recipient, notify
from team.models import TeamAssignment, TeamRole
from tests.factories import (
    NotificationContactFactory,
    TeamPersonFactory,
    UserFactory,
    invoice_with_lines,
)

pytestmark = pytest.mark.django_db

MAILBOX = "billing@provider.test"
SECRET = "INTERNAL-NOTE-debe-tres-facturas"
# Acme's billing contacts read Spanish and Portuguese; the requester (portal_admin_user) English.
LANGUAGES = {"billing-es@acme.test": "es", "billing-br@acme.test": "pt-br", "admin@acme.test": "en"}


def _address(message) -> str:
    return message.to[0].split("<")[-1].rstrip(">")


def _html(message) -> str:
    return message.alternatives[0].content


def _texts(message) -> list[str]:
    return [message.subject, message.body, _html(message)]


@pytest.fixture(autouse=True)
def _mailbox(settings):
    settings.BILLING_MAILBOX = MAILBOX
    settings.TEAM_MAILBOX = ""


@pytest.fixture
def contacts(customer):
    """Two confirmed billing contacts, and two who must get nothing: one unconfirmed, one for
    orders only."""
    for email, language in (("billing-es@acme.test", "es"), ("billing-br@acme.test", "pt-br")):
        NotificationContactFactory(
            customer=customer, email=email, language=language, orders=False, billing=True
        )
    NotificationContactFactory(
        customer=customer, email="pending@acme.test", billing=True, confirmed_at=None
    )
    NotificationContactFactory(customer=customer, email="orders@acme.test", orders=True)


@pytest.fixture
def staff(db):
    return UserFactory(email="care@provider.test", full_name="Carla Cobranzas", is_staff=True)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run a service and return the e-mails it sent (delivered by the eager worker)."""

    def _send(function, **kwargs):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            result = function(**kwargs)
        return result, mail.outbox[before:]

    return _send


@pytest.fixture
def invoice(customer):
    return invoice_with_lines(customer, amounts=("1234.56", "100.00"), currency="USD")


@pytest.fixture
def dispute(customer, portal_admin_user, contacts, invoice, send):
    request_obj, sent = send(
        services.billing_request_create,
        customer=customer,
        user=portal_admin_user,
        kind="dispute",
        subject="Cargo duplicado",
        description="La línea 1 está cobrada dos veces.",
        invoice=invoice,
        disputed={invoice.lines.get(position=1).pk: Decimal("1000.00")},
    )
    request_obj.sent = sent
    return request_obj


def _by_address(sent) -> dict:
    return {_address(message): message for message in sent}


# --- A new request --------------------------------------------------------------------------


def test_a_new_request_reaches_the_billing_mailbox_with_the_admin_link_and_reply_to(
    dispute, portal_admin_user
):
    sent = _by_address(dispute.sent)

    assert set(sent) == {MAILBOX, *LANGUAGES}
    care = sent[MAILBOX]
    admin_url = settings.PORTAL_BASE_URL + reverse(
        "admin:billing_billingrequest_change", args=[dispute.pk]
    )
    assert care.reply_to == [portal_admin_user.email]
    assert dispute.number in care.subject
    assert "Acme Logística" in care.subject
    for text in (care.body, _html(care)):
        assert admin_url in text
        assert "Cargo duplicado" in text
        assert "La línea 1 está cobrada dos veces." in text
        assert portal_admin_user.email in text
    assert reverse("billing:request_detail", kwargs={"number": dispute.number}) not in care.body


def test_the_customers_billing_care_person_receives_it_instead_of_the_mailbox(
    customer, portal_admin_user, invoice, send
):
    person = TeamPersonFactory(email="beatriz.billing@provider.test")
    TeamAssignment.objects.create(customer=customer, role=TeamRole.BILLING_CARE, person=person)

    _request, sent = send(
        services.billing_request_create,
        customer=customer,
        user=portal_admin_user,
        kind="question",
        subject="¿IVA?",
        description="?",
        invoice=invoice,
    )

    addresses = {_address(message) for message in sent}
    assert "beatriz.billing@provider.test" in addresses
    assert MAILBOX not in addresses
    (care,) = [m for m in sent if _address(m) == "beatriz.billing@provider.test"]
    assert care.reply_to == [portal_admin_user.email]
    assert "/admin/billing/billingrequest/" in care.body


def test_billing_contacts_and_the_requester_get_the_portal_link_in_their_language(dispute):
    sent = _by_address(dispute.sent)
    portal_url = settings.PORTAL_BASE_URL + reverse(
        "billing:request_detail", kwargs={"number": dispute.number}
    )
    rows = Notification.objects.filter(event__endswith=":received")

    for address, language in LANGUAGES.items():
        message = sent[address]
        assert rows.get(to_email=address).language == language
        assert message.subject.startswith(dispute.number)
        assert portal_url in message.body
        assert portal_url in _html(message)
        assert "/admin/" not in message.body
        assert message.reply_to == []
        assert "Cargo duplicado" in message.body
    # The footer says, in each reader's language, why they receive it.
    assert "como contacto para facturación." in sent["billing-es@acme.test"].body
    assert "como contato para faturamento." in sent["billing-br@acme.test"].body
    assert f"you are the requester of {dispute.number}" in sent["admin@acme.test"].body


def test_amounts_are_written_the_way_each_reader_writes_them(dispute):
    sent = _by_address(dispute.sent)

    # The line (1.234,56) and the disputed amount (1.000,00), in US dollars.
    assert "US$\xa01.234,56" in sent["billing-br@acme.test"].body
    assert "US$\xa01.000,00" in sent["billing-br@acme.test"].body
    assert "US$\xa01.234,56" in sent["billing-es@acme.test"].body  # Argentina's Spanish
    assert "$1,234.56" in sent["admin@acme.test"].body
    assert "$1,000.00" in sent["admin@acme.test"].body


def test_brazilian_reais_read_r_dollar_with_brazilian_separators(
    other_customer, other_user, staff, send
):
    NotificationContactFactory(
        customer=other_customer,
        email="financeiro@globex.test",
        language="pt-br",
        orders=False,
        billing=True,
    )
    other_user.language = "en"
    other_user.save(update_fields=["language"])
    invoice = invoice_with_lines(other_customer, amounts=("1500.00",), currency="BRL")
    request_obj, _sent = send(
        services.billing_request_create,
        customer=other_customer,
        user=other_user,
        kind="dispute",
        subject="Cobrança em dobro",
        description="x",
        invoice=invoice,
        disputed={invoice.lines.get().pk: Decimal("1234.56")},
    )

    _credit, sent = send(
        services.credit_issue,
        request_obj=request_obj,
        staff=staff,
        amount=Decimal("1234.56"),
        invoice=invoice,
    )

    by_address = _by_address(sent)
    portuguese, english = by_address["financeiro@globex.test"], by_address[other_user.email]
    assert "R$ 1.234,56" in portuguese.subject  # subjects fold the no-break space
    assert "R$\xa01.234,56" in portuguese.body
    assert "R$\xa01.234,56" in _html(portuguese)
    assert "R$ 1,234.56" in english.subject
    assert "R$\xa01,234.56" in english.body


# --- Updates ----------------------------------------------------------------------------------


def test_asking_the_customer_tells_contacts_and_requester_not_billing_care(dispute, staff, send):
    _message, sent = send(
        services.billing_request_staff_message,
        request_obj=dispute,
        staff=staff,
        body="Envíe el detalle de llamadas de octubre.",
        status="waiting",
    )

    assert {_address(m) for m in sent} == set(LANGUAGES)
    english = _by_address(sent)["admin@acme.test"]
    assert english.subject == f"{dispute.number} · Billing Customer Care needs your answer"
    assert "needs something from you" in english.body
    for message in sent:
        assert "Envíe el detalle de llamadas de octubre." in message.body
        assert "/billing/requests/" in message.body


def test_the_customers_reply_reaches_billing_care_with_reply_to_the_requester(
    dispute, portal_admin_user, staff, send
):
    services.billing_request_staff_message(
        request_obj=dispute, staff=staff, body="¿Qué línea?", status="waiting"
    )
    _message, sent = send(
        services.billing_request_reply,
        request_obj=dispute,
        user=portal_admin_user,
        body="La línea 1, adjunto el detalle.",
    )

    (care,) = sent
    assert _address(care) == MAILBOX
    assert care.reply_to == [portal_admin_user.email]
    assert "La línea 1, adjunto el detalle." in care.body
    assert "/admin/billing/billingrequest/" in care.body


def test_the_credit_email_names_the_amount_and_the_invoice(dispute, invoice, staff, send):
    _credit, sent = send(
        services.credit_issue,
        request_obj=dispute,
        staff=staff,
        amount=Decimal("1000.00"),
        invoice=invoice,
        answer="Corresponde: el cargo se duplicó.",
    )

    by_address = _by_address(sent)
    assert set(by_address) == set(LANGUAGES)
    english = by_address["admin@acme.test"]
    assert english.subject == f"{dispute.number} · Credit issued: $1,000.00"
    assert (
        f"resolved {dispute.number} with a credit of $1,000.00, applied to invoice "
        f"{invoice.number}." in english.body
    )
    for message in sent:
        for text in (message.body, _html(message)):
            assert invoice.number in text
            assert "Corresponde: el cargo se duplicó." in text
    assert "US$ 1.000,00" in by_address["billing-br@acme.test"].subject


def test_a_credit_without_an_answer_says_it_once_in_the_readers_words(
    dispute, invoice, staff, send
):
    _credit, sent = send(
        services.credit_issue,
        request_obj=dispute,
        staff=staff,
        amount=Decimal("1000.00"),
        invoice=invoice,
    )

    dispute.refresh_from_db()
    stored = dispute.outcome_reason  # the conversation's entry, in the customer's language
    assert stored
    for message in sent:
        assert stored not in message.body
        assert invoice.number in message.body
    assert "with a credit of $1,000.00" in _by_address(sent)["admin@acme.test"].body


def test_a_dispute_resolved_without_credit_says_so_with_the_answer(dispute, staff, send):
    _request, sent = send(
        services.billing_request_answer,
        request_obj=dispute,
        staff=staff,
        answer="El cargo corresponde a dos enlaces distintos.",
    )

    english = _by_address(sent)["admin@acme.test"]
    assert english.subject == f"{dispute.number} · Your billing request is resolved"
    assert f"resolved {dispute.number} without a credit." in english.body
    for message in sent:
        assert "El cargo corresponde a dos enlaces distintos." in message.body


def test_a_resolution_delivered_after_closing_still_reads_as_the_resolution(
    dispute, staff, django_capture_on_commit_callbacks
):
    """The e-mail is rendered at delivery: a request closed meanwhile keeps its text."""
    services.billing_request_answer(request_obj=dispute, staff=staff, answer="Correcto.")
    services.billing_request_close(request_obj=dispute, staff=staff)
    mail.outbox.clear()

    row = Notification.objects.get(event__endswith=":resolved", to_email="admin@acme.test")
    from core.notifications import notification_message

    message = notification_message(row)
    assert f"resolved {dispute.number} without a credit." in message.body


# --- Internal notes ---------------------------------------------------------------------------


def test_internal_notes_never_reach_an_email(dispute, portal_admin_user, invoice, staff, send):
    """A note at every step of the request's life; no e-mail, to anybody, carries it."""
    note, sent = send(
        services.billing_request_staff_message,
        request_obj=dispute,
        staff=staff,
        body=SECRET,
        internal=True,
    )
    assert sent == []
    everything = list(dispute.sent)
    for step in (
        lambda: services.billing_request_staff_message(
            request_obj=dispute, staff=staff, body="¿Qué línea?", status="waiting"
        ),
        lambda: services.billing_request_staff_message(
            request_obj=dispute, staff=staff, body=f"{SECRET} 2", internal=True
        ),
        lambda: services.billing_request_reply(
            request_obj=dispute, user=portal_admin_user, body="La 1"
        ),
        lambda: services.credit_issue(
            request_obj=dispute, staff=staff, amount=Decimal("10"), invoice=invoice
        ),
    ):
        _result, sent = send(step)
        everything += sent
    assert len(everything) == 4 + 3 + 1 + 3  # received, waiting, reply to care, credit
    for message in everything:
        for text in _texts(message):
            assert SECRET not in text

    # Even an outbox row that names the note does not render it: it is cancelled.
    mail.outbox.clear()
    send(
        notify,
        event=f"billing:{dispute.number}:forged",
        template="billing/request_update",
        recipients=[Recipient("admin@acme.test", "en", Notification.Reason.REQUESTER)],
        customer=dispute.customer,
        kind="billing",
        subject_reference=dispute.number,
        context={"request": dispute.pk, "message": note.pk, "path": "/billing/"},
    )
    assert mail.outbox == []
    forged = Notification.objects.get(event__endswith=":forged")
    assert forged.status == Notification.Status.CANCELLED


def test_an_email_row_never_renders_another_customers_request(dispute, other_customer, send):
    send(
        notify,
        event="billing:forged-customer",
        template="billing/request_received",
        recipients=[Recipient("admin@globex.test", "pt-br", Notification.Reason.REQUESTER)],
        customer=other_customer,
        kind="billing",
        context={"request": dispute.pk, "path": "/billing/"},
    )

    row = Notification.objects.get(event="billing:forged-customer")
    assert row.status == Notification.Status.CANCELLED
    assert not [m for m in mail.outbox if "Cargo duplicado" in m.body and "globex" in m.to[0]]


def test_the_request_kinds_read_in_the_email(customer, portal_admin_user, contacts, invoice, send):
    request_obj, sent = send(
        services.billing_request_create,
        customer=customer,
        user=portal_admin_user,
        kind="credit",
        subject="Corte de 6 horas",
        description="SLA",
        requested_amount=Decimal("80.00"),
        currency="USD",
    )

    english = _by_address(sent)["admin@acme.test"]
    assert "Kind: Credit request" in english.body
    assert "Amount asked for: $80.00" in english.body
    assert BillingRequest.objects.get().number == request_obj.number
