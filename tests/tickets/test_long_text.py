"""Text a customer pastes into a ticket or billing form (QA review of issue 13): at most 100,000
characters, far below the 2.5 MB of DATA_UPLOAD_MAX_MEMORY_SIZE. A longer paste gets a form error
that keeps what was typed and says to attach the log as a file, not the 413 page; the browser
counts a line break as one character and so does the form (it arrives as CR LF)."""

import html

import pytest
from django.urls import reverse

from billing import services as billing_services
from billing.models import BillingMessage
from tests.factories import ServiceFactory, invoice_with_lines, ticket_open_for
from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db

LIMIT = 100_000
LINE = "2026-12-07 03:12:44 ge-0/0/1 link down (LOS) · BGP 203.0.113.1 Idle -> Active"  # 80


def _log(characters: int) -> str:
    """A router log of exactly `characters` characters, lines ending in \\n."""
    text = (LINE + "\n") * (characters // (len(LINE) + 1) + 1)
    return text[: characters - 1] + "E"


@pytest.fixture
def ticket(customer, portal_admin_user):
    return ticket_open_for(customer, portal_admin_user, service=ServiceFactory(customer=customer))


@pytest.fixture
def billing_request(customer, portal_admin_user):
    return billing_services.billing_request_create(
        customer=customer,
        user=portal_admin_user,
        kind="question",
        subject="Two installation fees",
        description="Line 2 looks like a second installation fee.",
        invoice=invoice_with_lines(customer, number="FA-0001-00000090"),
        attachments=[],
    )


def _english(portal_admin_user):
    portal_admin_user.language = "en"
    portal_admin_user.save()


def test_the_reply_boxes_say_their_limit_to_the_browser(
    portal_admin_client, ticket, billing_request
):
    for url in (
        reverse("tickets:detail", args=[ticket.number]),
        reverse("tickets:create"),
        reverse("billing:request_detail", args=[billing_request.number]),
    ):
        page = portal_admin_client.get(url).content.decode()
        assert f'maxlength="{LIMIT}"' in page, url


def test_a_reply_over_the_limit_is_a_form_error_that_keeps_the_text(
    portal_admin_client, portal_admin_user, ticket
):
    _english(portal_admin_user)
    log = _log(LIMIT + 1)

    response = portal_admin_client.post(
        reverse("tickets:reply", args=[ticket.number]), {"body": log}
    )

    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert (
        "This text has 100,001 characters, more than the 100,000 a message can have. Attach "
        "long logs as a .txt or .log file instead."
    ) in page
    assert log in page  # still in the box, to be cut down or saved to a file
    assert not Message.objects.filter(ticket=ticket, kind=Message.Kind.PUBLIC).exists()


def test_the_limit_counts_a_line_break_once_as_the_browser_does(portal_admin_client, ticket):
    log = _log(LIMIT)
    assert log.count("\n") > 1000

    response = portal_admin_client.post(
        reverse("tickets:reply", args=[ticket.number]), {"body": log.replace("\n", "\r\n")}
    )

    assert response.status_code == 302
    assert Message.objects.get(ticket=ticket, kind=Message.Kind.PUBLIC).body == log


def test_a_ticket_description_over_the_limit_is_a_form_error_in_spanish(
    portal_admin_client, portal_admin_user, customer
):
    portal_admin_user.language = "es"
    portal_admin_user.save()
    service = ServiceFactory(customer=customer)
    description = _log(LIMIT + 500)

    response = portal_admin_client.post(
        reverse("tickets:create"),
        {
            "services": [service.service_id],
            "impact": "down",
            "problem_started_at": "2020-01-01T08:00",
            "subject": "Link down",
            "description": description,
            "site_contact_name": "Nico",
            "site_contact_phone": "+54 11 5555 0101",
            "access_hours": "24x7",
        },
    )

    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    # Spanish groups thousands with a no-break space (Django's es formats).
    assert (
        "Este texto tiene 100\xa0500 caracteres, más de los 100\xa0000 que admite un mensaje."
        in page
    )
    assert description in page
    assert not Ticket.objects.filter(subject="Link down").exists()


def test_a_billing_reply_over_the_limit_is_a_form_error(
    portal_admin_client, portal_admin_user, billing_request
):
    _english(portal_admin_user)
    log = _log(LIMIT + 1)

    response = portal_admin_client.post(
        reverse("billing:request_reply", args=[billing_request.number]), {"body": log}
    )

    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "This text has 100,001 characters, more than the 100,000" in page
    assert log in page
    assert not BillingMessage.objects.filter(
        request=billing_request, author=portal_admin_user
    ).exists()


def test_a_billing_request_description_keeps_its_10000_characters_with_the_same_error(
    portal_admin_client, portal_admin_user, customer
):
    _english(portal_admin_user)
    invoice = invoice_with_lines(customer, number="FA-0001-00000091")
    description = _log(10_001)

    response = portal_admin_client.post(
        reverse("billing:request_create"),
        {
            "kind": "question",
            "subject": "Lines",
            "description": description,
            "invoice": invoice.number,
        },
    )

    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "This text has 10,001 characters, more than the 10,000 a message can have." in page
    assert 'maxlength="10000"' in page
    assert description in page
