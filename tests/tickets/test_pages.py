"""The customer's trouble ticket pages (R-TT-1..4): the list, its filters and CSV, opening a
ticket with attachments, the ticket page with its SLA clock (R-TT-3), the customer's actions,
attachment downloads, the tenancy verdicts and a fixed query count. Internal notes never leak."""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import Level, Service
from tests.factories import MembershipFactory, ServiceFactory, UserFactory, ticket_open_for
from tickets import services
from tickets.models import Attachment, Message, PauseInterval, Ticket, Watcher

pytestmark = pytest.mark.django_db

# The export's header, written out: the contract with the customers' spreadsheets.
CSV_COLUMNS = [
    "number",
    "subject",
    "services",
    "impact",
    "status",
    "opened_through",
    "opened_by",
    "opened_at",
    "problem_started_at",
    "response_target_minutes",
    "restoration_target_minutes",
    "sla_elapsed_minutes",
    "sla_paused_minutes",
    "sla_state",
    "restoration_deadline",
    "service_restored_at",
    "resolved_at",
]
UTC = datetime.UTC
BUENOS_AIRES = ZoneInfo("America/Argentina/Buenos_Aires")
SECRET = "Internal: the customer's router firmware is ancient, do not tell them"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def _pdf(name="report.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def service(customer):
    return ServiceFactory(customer=customer, service_id="AR-BUE-IPVPN-10001", site_name="Planta")


@pytest.fixture
def ticket(customer, portal_admin_user, service):
    return ticket_open_for(customer, portal_admin_user, service=service, subject="Main link down")


@pytest.fixture
def viewer_client(client, customer, admin_membership):
    """A member who may read tickets but not act on them."""
    membership = MembershipFactory(
        customer=customer, user__email="viewer@acme.test", tickets=Level.VIEW
    )
    client.force_login(membership.user)
    return client


@pytest.fixture
def no_tickets_client(client, customer, admin_membership):
    membership = MembershipFactory(
        customer=customer, user__email="billing@acme.test", tickets=Level.NONE
    )
    client.force_login(membership.user)
    return client


@pytest.fixture
def other_client(client, other_user):
    client.force_login(other_user)
    return client


def _detail(ticket):
    return reverse("tickets:detail", kwargs={"number": ticket.number})


def _url(name, ticket, **kwargs):
    return reverse(f"tickets:{name}", kwargs={"number": ticket.number, **kwargs})


def _wait(ticket, staff_user, reason=PauseInterval.Reason.SITE_ACCESS, message=""):
    return services.ticket_wait_for_customer(
        ticket=ticket, reason=reason, actor=staff_user, message=message
    )


def _open_form(service, **overrides):
    data = {
        "services": [service.service_id],
        "impact": "down",
        "problem_started_at": "2026-03-10T08:30",
        "subject": "No traffic on the Planta link",
        "description": "The router shows the WAN port down.",
        "site_contact_name": "Nico NOC",
        "site_contact_phone": "+54 11 5555 0101",
        "site_contact_email": "noc@acme.test",
        "access_hours": "24x7",
        "checks_done": "Power and cabling",
    }
    return {**data, **overrides}


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["list", "export", "create"])
def test_anonymous_people_are_sent_to_sign_in(client, name):
    response = client.get(reverse(f"tickets:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", ["list", "export", "create"])
def test_a_member_without_the_tickets_permission_gets_403(no_tickets_client, name):
    assert no_tickets_client.get(reverse(f"tickets:{name}")).status_code == 403


def test_a_member_who_may_only_view_cannot_open_or_act(viewer_client, ticket):
    assert viewer_client.get(reverse("tickets:list")).status_code == 200
    assert viewer_client.get(_detail(ticket)).status_code == 200
    assert viewer_client.get(reverse("tickets:create")).status_code == 403
    for name in ("reply", "escalate", "reopen", "cancel", "watcher_add", "watcher_remove"):
        assert viewer_client.post(_url(name, ticket), {"body": "x"}).status_code == 403, name
    page = viewer_client.get(_detail(ticket)).content.decode()
    assert 'data-testid="reply-form"' not in page
    assert 'data-testid="escalate-form"' not in page


@pytest.mark.parametrize(
    "name", ["reply", "escalate", "reopen", "cancel", "watcher_add", "watcher_remove"]
)
def test_writes_refuse_get_with_405(portal_admin_client, ticket, name):
    assert portal_admin_client.get(_url(name, ticket)).status_code == 405


@pytest.mark.parametrize(
    "name", ["detail", "reply", "escalate", "reopen", "cancel", "watcher_add", "watcher_remove"]
)
def test_another_customers_ticket_is_404(other_client, ticket, name):
    send = other_client.get if name == "detail" else other_client.post
    response = send(_url(name, ticket), {"body": "x", "reason": "x", "email": "a@b.test"})
    assert response.status_code == 404
    assert "Main link down" not in response.content.decode()


# --- the list -------------------------------------------------------------------------------


def test_the_list_shows_each_ticket_with_its_sla(portal_admin_client, ticket, service):
    # A minute into the 4 h restoration target (the clock starts when the ticket is opened).
    with time_machine.travel(ticket.opened_at + datetime.timedelta(minutes=1), tick=False):
        page = portal_admin_client.get(reverse("tickets:list")).content.decode()
    assert ticket.number in page
    assert "Main link down" in page
    assert service.service_id in page
    assert "Service down" in page
    assert 'data-state="running"' in page
    assert "3 h 59 min left" in page


def test_the_list_flags_breached_paused_and_phone_tickets(
    portal_admin_client, customer, portal_admin_user, staff_user, service
):
    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=UTC), tick=False):
        late = ticket_open_for(customer, portal_admin_user, service=service, subject="Late one")
        paused = ticket_open_for(customer, portal_admin_user, service=service, subject="Paused one")
        _wait(paused, staff_user)
        phoned = ticket_open_for(
            customer, staff_user, service=service, subject="Phoned", channel="phone"
        )
    with time_machine.travel(datetime.datetime(2026, 3, 10, 17, tzinfo=UTC), tick=False):
        page = portal_admin_client.get(reverse("tickets:list")).content.decode()
    rows = {t.number: _row(page, t.number) for t in (late, paused, phoned)}
    assert 'data-state="breached"' in rows[late.number]
    assert 'data-state="paused"' in rows[paused.number]
    assert "4 h left" in rows[paused.number]  # paused at once: the whole target is left
    assert 'data-testid="ticket-phone"' in rows[phoned.number]
    assert 'data-testid="ticket-phone"' not in rows[late.number]


def _row(page: str, number: str) -> str:
    start = page.index(f'data-number="{number}"')
    return page[start : page.index("</tr>", start)]


def test_the_list_filters(portal_admin_client, customer, portal_admin_user, staff_user, service):
    other_service = ServiceFactory(customer=customer, service_id="AR-COR-INT-20002")
    colleague = MembershipFactory(customer=customer, user__email="colleague@acme.test").user
    with time_machine.travel(datetime.datetime(2026, 2, 1, 12, tzinfo=UTC), tick=False):
        old = ticket_open_for(
            customer, portal_admin_user, service=service, subject="February fault"
        )
    with time_machine.travel(datetime.datetime(2026, 3, 5, 12, tzinfo=UTC), tick=False):
        degraded = ticket_open_for(
            customer, colleague, service=other_service, impact="degraded", subject="Slow"
        )
        phoned = ticket_open_for(customer, staff_user, service=service, channel="phone")
        done = ticket_open_for(customer, portal_admin_user, service=service, subject="Fixed")
        services.ticket_resolve(ticket=done, actor=staff_user, resolution="Replaced the SFP")

    def numbers(**query):
        response = portal_admin_client.get(reverse("tickets:list"), query)
        assert response.status_code == 200
        return {t.number for t in Ticket.objects.all() if t.number in response.content.decode()}

    everyone = {old.number, degraded.number, phoned.number, done.number}
    assert numbers() == everyone
    assert numbers(status="active") == everyone - {done.number}
    assert numbers(status="resolved") == {done.number}
    assert numbers(impact="degraded") == {degraded.number}
    assert numbers(service=other_service.service_id) == {degraded.number}
    assert numbers(opened_by="phone") == {phoned.number}
    assert numbers(opened_by="colleague@acme.test") == {degraded.number}
    assert numbers(opened_from="2026-03-01") == everyone - {old.number}
    assert numbers(opened_to="2026-02-28") == {old.number}
    assert numbers(q="slow") == {degraded.number}
    assert numbers(q=old.number) == {old.number}


def test_a_bad_filter_is_a_400_with_a_message(portal_admin_client, ticket):
    response = portal_admin_client.get(
        reverse("tickets:list"), {"opened_from": "2026-03-10", "opened_to": "2026-03-01"}
    )
    assert response.status_code == 400
    assert "The start date is after the end date." in response.content.decode()
    assert portal_admin_client.get(reverse("tickets:list"), {"status": "nope"}).status_code == 400


def test_the_list_pages(portal_admin_client, customer, portal_admin_user, service, settings):
    settings.TICKETS_PAGE_SIZE = 2
    for n in range(3):
        ticket_open_for(customer, portal_admin_user, service=service, subject=f"Fault {n}")
    first = portal_admin_client.get(reverse("tickets:list")).content.decode()
    assert first.count('data-testid="ticket-row"') == 2
    assert "Page 1 of 2" in first
    second = portal_admin_client.get(reverse("tickets:list"), {"page": 2}).content.decode()
    assert second.count('data-testid="ticket-row"') == 1


def _numbers_listed(client, **query) -> list[str]:
    response = client.get(reverse("tickets:list"), query)
    assert response.status_code == 200
    return [row["ticket"].number for row in response.context["rows"]]


def test_every_page_lists_its_share_of_the_order_ties_included(
    portal_admin_client, customer, portal_admin_user, other_customer, other_user, service, settings
):
    """A later page reads its keys first (core.lib.listing.KeysFirst): pages 1 to 4 together
    are the list's order exactly (newest first, the later id first among tickets opened in the
    same second), each ticket once; a search (DISTINCT) pages the same way; another customer's
    tickets never fill a page."""
    settings.TICKETS_PAGE_SIZE = 3
    same_second = datetime.datetime(2026, 3, 5, 12, tzinfo=UTC)
    for n in range(10):
        opened = same_second if n % 3 == 0 else same_second + datetime.timedelta(minutes=n)
        with time_machine.travel(opened, tick=False):
            ticket_open_for(customer, portal_admin_user, service=service, subject=f"Fault {n}")
    other_service = ServiceFactory(customer=other_customer)
    with time_machine.travel(same_second, tick=False):
        ticket_open_for(other_customer, other_user, service=other_service, subject="Fault")
    order = list(
        Ticket.objects.filter(customer=customer)
        .order_by("-opened_at", "-id")
        .values_list("number", flat=True)
    )

    pages = [_numbers_listed(portal_admin_client, page=page) for page in (1, 2, 3, 4)]
    searched = [_numbers_listed(portal_admin_client, page=page, q="Fault") for page in (1, 2, 3, 4)]

    assert [len(page) for page in pages] == [3, 3, 3, 1]
    assert sum(pages, []) == order
    assert sum(searched, []) == order


def test_every_page_reads_its_keys_then_its_rows(
    portal_admin_client, customer, portal_admin_user, service, settings
):
    """Page 1 and page 3 do the same work: the page's keys alone (LIMIT, and OFFSET after the
    first page), then its rows by key; the same number of queries."""
    settings.TICKETS_PAGE_SIZE = 2
    for n in range(5):
        ticket_open_for(customer, portal_admin_user, service=service, subject=f"Fault {n}")
    portal_admin_client.get(reverse("tickets:list"))  # the session's first activity is written

    with CaptureQueriesContext(connection) as first:
        portal_admin_client.get(reverse("tickets:list"))
    with CaptureQueriesContext(connection) as later:
        portal_admin_client.get(reverse("tickets:list"), {"page": 3})

    def key_reads(queries) -> list[str]:
        return [
            q["sql"]
            for q in queries
            if q["sql"].startswith('SELECT "tickets_ticket"."id" AS "pk" FROM "tickets_ticket"')
        ]

    assert [("LIMIT 2" in sql, "OFFSET" in sql) for sql in key_reads(first.captured_queries)] == [
        (True, False)
    ]
    assert [("LIMIT 1 OFFSET 4" in sql) for sql in key_reads(later.captured_queries)] == [True]
    assert len(later.captured_queries) == len(first.captured_queries)


def test_the_empty_list_invites_to_open_a_ticket(portal_admin_client):
    page = portal_admin_client.get(reverse("tickets:list")).content.decode()
    assert 'data-testid="tickets-empty"' in page
    assert "No trouble tickets yet" in page
    assert reverse("tickets:create") in page


def test_the_empty_list_of_a_viewer_says_who_can_open_one(viewer_client):
    page = viewer_client.get(reverse("tickets:list")).content.decode()
    assert "No trouble tickets yet" in page
    assert reverse("tickets:create") not in page
    assert "A colleague who may act on tickets" in page


def test_another_customers_tickets_are_not_listed(other_client, ticket):
    page = other_client.get(reverse("tickets:list")).content.decode()
    assert ticket.number not in page
    assert "No trouble tickets yet" in page


# --- the CSV --------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="tickets-')
    assert "no-store" in response["Cache-Control"]
    return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))


def test_the_export_has_the_filtered_list_and_no_internal_note(
    portal_admin_client, customer, portal_admin_user, staff_user, service
):
    down = ticket_open_for(customer, portal_admin_user, service=service, subject="=HYPERLINK(1)")
    ticket_open_for(customer, portal_admin_user, service=service, impact="degraded")
    services.ticket_reply(ticket=down, author=staff_user, body=SECRET, internal=True)
    services.ticket_reply(ticket=down, author=staff_user, body="We are on it.")

    rows = _csv(portal_admin_client.get(reverse("tickets:export"), {"impact": "down"}))

    assert rows[0] == CSV_COLUMNS
    assert len(rows) == 2
    row = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert row["number"] == down.number
    assert row["subject"] == "'=HYPERLINK(1)"  # a formula is defused
    assert row["services"] == service.service_id
    assert row["sla_state"] == "running"
    assert row["restoration_target_minutes"] == "240"
    body = portal_admin_client.get(reverse("tickets:export")).getvalue().decode()
    assert SECRET not in body


# --- opening a ticket (R-TT-2) ----------------------------------------------------------------


def test_the_form_is_prefilled_from_the_person_and_shows_the_targets(
    portal_admin_client, portal_admin_user, service, customer
):
    portal_admin_user.phone = "+54 11 4444 0000"
    portal_admin_user.save()
    ServiceFactory(customer=customer, service_id="AR-OLD-0001", status=Service.Status.DISCONNECTED)
    ServiceFactory(service_id="BR-SAO-OTHER-1")  # another customer's

    response = portal_admin_client.get(reverse("tickets:create"), {"service": service.service_id})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Ana Admin"' in page
    assert 'value="+54 11 4444 0000"' in page
    assert 'value="admin@acme.test"' in page
    assert f'value="{service.service_id}" id="id_services_0" checked' in page
    assert "AR-OLD-0001" not in page
    assert "BR-SAO-OTHER-1" not in page
    assert "Answer within 15 min · restoration within 4 h" in page
    assert "Answer within 4 h · restoration within 3 d" in page
    assert 'type="datetime-local"' in page
    assert "multiple" in page
    assert 'enctype="multipart/form-data"' in page


def test_opening_a_ticket_redirects_to_it_with_its_number_and_targets(
    portal_admin_client, portal_admin_user, service, customer
):
    portal_admin_user.timezone = "America/Argentina/Buenos_Aires"
    portal_admin_user.save()
    second = ServiceFactory(customer=customer, service_id="AR-BUE-IPVPN-10002")
    with time_machine.travel(datetime.datetime(2026, 3, 10, 14, tzinfo=UTC), tick=False):
        response = portal_admin_client.post(
            reverse("tickets:create"),
            _open_form(
                service, services=[service.service_id, second.service_id], attachments=[_pdf()]
            ),
            follow=True,
        )
    ticket = Ticket.objects.get()
    assert response.redirect_chain[-1][0] == _detail(ticket)
    page = response.content.decode()
    assert f"Ticket {ticket.number} is open." in page
    assert "answers within 15 min" in page
    assert "within 4 h" in page
    assert {s.service_id for s in ticket.services.all()} == {
        service.service_id,
        "AR-BUE-IPVPN-10002",
    }
    # 08:30 typed by a person in Buenos Aires (UTC-3) is 11:30 UTC.
    assert ticket.problem_started_at == datetime.datetime(2026, 3, 10, 11, 30, tzinfo=UTC)
    assert ticket.opened_by == portal_admin_user
    assert ticket.channel == Ticket.Channel.PORTAL
    assert ticket.attachments.get().filename == "report.pdf"


def test_an_on_site_address_longer_than_the_database_keeps_is_a_form_error(
    portal_admin_client, service
):
    with time_machine.travel(datetime.datetime(2026, 3, 10, 14, tzinfo=UTC), tick=False):
        response = portal_admin_client.post(
            reverse("tickets:create"),
            _open_form(service, site_contact_email="n" * 250 + "@acme.test"),
        )

    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_the_limited_persona_may_open_a_ticket(limited_client, service):
    with time_machine.travel(datetime.datetime(2026, 3, 10, 14, tzinfo=UTC), tick=False):
        response = limited_client.post(reverse("tickets:create"), _open_form(service))
    assert response.status_code == 302
    assert Ticket.objects.get().opened_by.email == "noc@acme.test"


def test_a_form_with_missing_facts_is_a_400_with_messages(portal_admin_client, service):
    response = portal_admin_client.post(
        reverse("tickets:create"), _open_form(service, services=[], impact="", access_hours="")
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose the affected service." in page
    assert "Say how the fault affects you." in page
    assert "This field is required." in page
    assert not Ticket.objects.exists()


def test_the_messages_are_translated(portal_admin_client, portal_admin_user, service):
    portal_admin_user.language = "es"
    portal_admin_user.save()
    response = portal_admin_client.post(
        reverse("tickets:create"), _open_form(service, access_hours="")
    )
    assert response.status_code == 400
    assert "Este campo es obligatorio." in response.content.decode()


def test_another_customers_or_a_disconnected_service_is_refused(
    portal_admin_client, customer, service
):
    foreign = ServiceFactory(service_id="BR-SAO-OTHER-1")
    gone = ServiceFactory(customer=customer, service_id="AR-OLD-1", status="disconnected")
    for service_id in (foreign.service_id, gone.service_id):
        response = portal_admin_client.post(
            reverse("tickets:create"), _open_form(service, services=[service_id])
        )
        assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_a_problem_that_starts_in_the_future_is_refused_on_its_field(portal_admin_client, service):
    with time_machine.travel(datetime.datetime(2026, 3, 10, 14, tzinfo=UTC), tick=False):
        response = portal_admin_client.post(
            reverse("tickets:create"), _open_form(service, problem_started_at="2026-03-11T10:00")
        )
    assert response.status_code == 400
    assert "The problem cannot start in the future." in response.content.decode()


def test_a_renamed_executable_is_refused_with_a_message(portal_admin_client, service):
    """Checked by content, not by name (R-TT-2)."""
    response = portal_admin_client.post(
        reverse("tickets:create"),
        _open_form(service, attachments=[_pdf("report.pdf", EXE)]),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "report.pdf is not a file type we accept." in page
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()


def test_an_oversized_file_is_refused(portal_admin_client, service, settings):
    settings.TICKET_ATTACHMENT_MAX_MB = 1
    big = _pdf("big.pdf", PDF + b"0" * (1024 * 1024))
    response = portal_admin_client.post(
        reverse("tickets:create"), _open_form(service, attachments=[big])
    )
    assert response.status_code == 400
    assert "big.pdf is larger than 1 MB." in response.content.decode()
    assert not Ticket.objects.exists()


# --- the ticket page ------------------------------------------------------------------------


def test_the_page_shows_the_facts_the_clock_and_the_tsc_card(portal_admin_client, ticket, service):
    page = portal_admin_client.get(_detail(ticket)).content.decode()
    assert ticket.number in page
    assert "Main link down" in page
    assert reverse("services:detail", kwargs={"service_id": service.service_id}) in page
    assert "Nico NOC" in page
    assert "+54 11 5555 0101" in page
    assert "24x7" in page
    assert 'data-testid="clock"' in page
    assert 'data-state="running"' in page
    assert 'data-testid="no-pauses"' in page
    assert 'data-testid="tsc-card"' in page
    assert "tickets-clock.js" in page


def test_the_clock_shows_elapsed_paused_remaining_and_the_pauses(
    portal_admin_client, customer, portal_admin_user, staff_user, service
):
    start = datetime.datetime(2026, 3, 10, 12, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        ticket = ticket_open_for(customer, portal_admin_user, service=service)
        clock.move_to(start + datetime.timedelta(minutes=30))
        _wait(ticket, staff_user, message="We need the key of the rack room.")
        clock.move_to(start + datetime.timedelta(hours=1, minutes=30))
        services.ticket_reply(ticket=ticket, author=portal_admin_user, body="Key is at reception.")
        clock.move_to(start + datetime.timedelta(hours=2))
        _wait(ticket, staff_user, reason=PauseInterval.Reason.CONTACT_UNREACHABLE)
        clock.move_to(start + datetime.timedelta(hours=2, minutes=15))
        response = portal_admin_client.get(_detail(ticket))
    page = response.content.decode()
    # Elapsed: 2 h 15 min of wall clock minus 1 h 15 min paused = 1:00:00; 3 h remain.
    assert 'data-counter="elapsed" data-seconds="3600">1:00:00' in page
    assert 'data-counter="paused" data-seconds="4500">1:15:00' in page
    assert 'data-counter="remaining" data-seconds="10800">3:00:00' in page
    assert 'data-state="paused"' in page
    assert page.count('data-testid="pause"') == 2
    assert "Waiting for access to the site" in page
    assert "Local contact unreachable" in page
    assert "Still waiting" in page
    assert 'data-counter="open-pause" data-seconds="900">0:15:00' in page
    # The deadline in the viewer's timezone: 12:00 UTC + 4 h + 1 h 15 min = 14:15 in Buenos Aires.
    assert '<time datetime="2026-03-10T14:15:00-03:00">March 10, 2026, 2:15 p.m.' in page
    assert "America/Argentina/Buenos_Aires" in page


def test_a_waiting_ticket_puts_the_reason_and_the_reply_form_on_top(
    portal_admin_client, ticket, staff_user
):
    _wait(ticket, staff_user, message="We need the key of the rack room.")
    page = portal_admin_client.get(_detail(ticket)).content.decode()
    assert 'data-testid="waiting-panel"' in page
    assert "Waiting for access to the site" in page
    assert "We need the key of the rack room." in page
    assert "Answering restarts the clock" in page
    assert page.index('data-testid="reply-form"') < page.index('data-testid="clock"')


def test_a_breached_ticket_says_so(portal_admin_client, customer, portal_admin_user, service):
    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=UTC), tick=False):
        ticket = ticket_open_for(customer, portal_admin_user, service=service)
    with time_machine.travel(datetime.datetime(2026, 3, 10, 17, tzinfo=UTC), tick=False):
        page = portal_admin_client.get(_detail(ticket)).content.decode()
    assert "ticket-clock-breached" in page
    assert "Breached by" in page
    assert 'data-counter="remaining" data-seconds="-3600">1:00:00' in page
    assert "Target missed" in page


def test_the_response_target_met_is_shown(
    portal_admin_client, customer, portal_admin_user, staff_user, service
):
    start = datetime.datetime(2026, 3, 10, 12, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        ticket = ticket_open_for(customer, portal_admin_user, service=service)
        clock.move_to(start + datetime.timedelta(minutes=10))
        services.ticket_reply(ticket=ticket, author=staff_user, body="Looking at it.")
        page = portal_admin_client.get(_detail(ticket)).content.decode()
    assert "Target met" in page
    assert "in 10 min (target 15 min)" in page


def test_internal_notes_and_their_files_never_reach_the_page(
    portal_admin_client, ticket, staff_user
):
    note = services.ticket_reply(
        ticket=ticket,
        author=staff_user,
        body=SECRET,
        internal=True,
        attachments=[_pdf("internal-diagram.pdf")],
    )
    services.ticket_reply(ticket=ticket, author=staff_user, body="We are on it.")
    page = portal_admin_client.get(_detail(ticket)).content.decode()
    assert SECRET not in page
    assert "internal-diagram.pdf" not in page
    assert "We are on it." in page
    internal = Attachment.objects.get(message=note)
    download = _url("attachment", ticket, reference=internal.reference)
    assert portal_admin_client.get(download).status_code == 404


def test_a_phone_ticket_is_marked(
    portal_admin_client, customer, staff_user, portal_admin_user, service
):
    ticket = ticket_open_for(
        customer, staff_user, service=service, channel="phone", requester=portal_admin_user
    )
    page = portal_admin_client.get(_detail(ticket)).content.decode()
    assert 'data-testid="ticket-phone"' in page
    assert "Opened by phone" in page


# --- the customer's actions -----------------------------------------------------------------


def test_a_reply_while_waiting_ends_the_pause_and_puts_the_ticket_in_progress(
    portal_admin_client, ticket, staff_user
):
    """R-TT-3: the customer's answer restarts the clock."""
    _wait(ticket, staff_user)
    response = portal_admin_client.post(
        _url("reply", ticket), {"body": "The key is at reception.", "attachments": [_pdf()]}
    )
    assert response.status_code == 302
    assert response["Location"] == _detail(ticket) + "#conversation"
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS
    assert ticket.pauses.get().ended_at is not None
    page = portal_admin_client.get(_detail(ticket)).content.decode()
    assert "The key is at reception." in page
    assert 'data-state="running"' in page
    assert 'data-testid="waiting-panel"' not in page


def test_an_empty_reply_is_a_400(portal_admin_client, ticket):
    response = portal_admin_client.post(_url("reply", ticket), {"body": "  "})
    assert response.status_code == 400
    assert "Write a message or attach a file." in response.content.decode()


def test_a_reply_with_a_bad_file_is_refused(portal_admin_client, ticket):
    response = portal_admin_client.post(
        _url("reply", ticket), {"body": "See attached", "attachments": [_pdf("x.pdf", EXE)]}
    )
    assert response.status_code == 400
    assert "x.pdf is not a file type we accept." in response.content.decode()
    assert not Message.objects.filter(body="See attached").exists()


def test_a_reply_on_a_closed_ticket_shows_the_services_message(portal_admin_client, ticket):
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.CLOSED)
    response = portal_admin_client.post(_url("reply", ticket), {"body": "Hello?"})
    assert response.status_code == 400
    assert "open a new ticket" in response.content.decode()


def test_escalating_is_allowed_once_an_hour(portal_admin_client, ticket):
    start = datetime.datetime(2026, 3, 10, 12, tzinfo=UTC)
    url = _url("escalate", ticket)
    with time_machine.travel(start, tick=False) as clock:
        assert (
            portal_admin_client.post(url, {"escalate-reason": "Plant stopped"}).status_code == 302
        )
        again = portal_admin_client.post(url, {"escalate-reason": "Still stopped"})
        assert again.status_code == 400
        assert "escalated less than an hour ago" in again.content.decode()
        clock.move_to(start + datetime.timedelta(minutes=61))
        assert (
            portal_admin_client.post(url, {"escalate-reason": "Still stopped"}).status_code == 302
        )
    assert Message.objects.filter(kind=Message.Kind.ESCALATION).count() == 2
    assert "Plant stopped" in portal_admin_client.get(_detail(ticket)).content.decode()


def test_an_escalation_needs_a_reason(portal_admin_client, ticket):
    response = portal_admin_client.post(_url("escalate", ticket), {"escalate-reason": ""})
    assert response.status_code == 400
    assert "Say why." in response.content.decode()


def test_a_resolved_ticket_can_be_reopened_within_the_allowed_days(
    portal_admin_client, ticket, staff_user, settings
):
    settings.TICKET_CLOSE_AFTER_DAYS = 5
    services.ticket_resolve(ticket=ticket, actor=staff_user, resolution="Replaced the SFP")
    page = portal_admin_client.get(_detail(ticket)).content.decode()
    assert "Replaced the SFP" in page
    assert 'data-testid="reopen-form"' in page
    response = portal_admin_client.post(_url("reopen", ticket), {"reopen-reason": "Down again"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS


def test_a_resolved_ticket_cannot_be_reopened_after_the_allowed_days(
    portal_admin_client, customer, portal_admin_user, service, staff_user, settings
):
    settings.TICKET_CLOSE_AFTER_DAYS = 5
    with time_machine.travel(timezone.now() - datetime.timedelta(days=6), tick=False):
        ticket = ticket_open_for(customer, portal_admin_user, service=service)
        services.ticket_resolve(ticket=ticket, actor=staff_user, resolution="Fixed")
    assert (
        'data-testid="reopen-form"' not in portal_admin_client.get(_detail(ticket)).content.decode()
    )
    response = portal_admin_client.post(_url("reopen", ticket), {"reopen-reason": "Down again"})
    assert response.status_code == 400
    assert "can no longer be reopened" in response.content.decode()


def test_an_active_ticket_can_be_cancelled(portal_admin_client, ticket):
    response = portal_admin_client.post(_url("cancel", ticket), {"cancel-reason": "It works again"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CANCELLED
    page = portal_admin_client.get(_detail(ticket)).content.decode()
    assert "This ticket was cancelled." in page
    assert 'data-testid="cancel-form"' not in page
    again = portal_admin_client.post(_url("cancel", ticket), {"cancel-reason": ""})
    assert again.status_code == 400


def test_people_can_be_copied_and_removed(portal_admin_client, ticket):
    url = _url("watcher_add", ticket)
    assert (
        portal_admin_client.post(url, {"email": "Boss@Acme.test", "name": "Boss"}).status_code
        == 302
    )
    assert Watcher.objects.get(ticket=ticket).email == "boss@acme.test"
    assert "boss@acme.test" in portal_admin_client.get(_detail(ticket)).content.decode()
    duplicate = portal_admin_client.post(url, {"email": "boss@acme.test"})
    assert duplicate.status_code == 400
    assert "boss@acme.test is already copied." in duplicate.content.decode()
    assert portal_admin_client.post(url, {"email": "not an address"}).status_code == 400
    response = portal_admin_client.post(_url("watcher_remove", ticket), {"email": "boss@acme.test"})
    assert response.status_code == 302
    assert not Watcher.objects.exists()


# --- attachments ----------------------------------------------------------------------------


def test_a_pdf_is_downloadable_as_an_attachment_only(
    portal_admin_client, viewer_client, customer, portal_admin_user, service
):
    ticket = ticket_open_for(
        customer, portal_admin_user, service=service, attachments=[_pdf('my "report".pdf')]
    )
    attachment = ticket.attachments.get()
    assert attachment.content_type == "application/pdf"
    page = viewer_client.get(_detail(ticket)).content.decode()
    url = _url("attachment", ticket, reference=attachment.reference)
    assert url in page

    response = viewer_client.get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="my_report.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    response.close()


def test_another_customers_attachment_is_404(
    client, other_user, customer, portal_admin_user, service
):
    ticket = ticket_open_for(customer, portal_admin_user, service=service, attachments=[_pdf()])
    client.force_login(other_user)
    url = _url("attachment", ticket, reference=ticket.attachments.get().reference)
    assert client.get(url).status_code == 404
    # Their own ticket number with Acme's file reference is a 404 too.
    other_ticket = ticket_open_for(other_user.memberships.get().customer, other_user)
    url = _url("attachment", other_ticket, reference=ticket.attachments.get().reference)
    assert client.get(url).status_code == 404


def test_downloads_need_the_permission(no_tickets_client, customer, portal_admin_user, service):
    ticket = ticket_open_for(customer, portal_admin_user, service=service, attachments=[_pdf()])
    url = _url("attachment", ticket, reference=ticket.attachments.get().reference)
    assert no_tickets_client.get(url).status_code == 403


# --- a fixed number of queries --------------------------------------------------------------


def _query_count(client, path) -> int:
    client.get(path)  # the first request of a session records the session itself
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        assert response.status_code == 200
        if response.streaming:  # the CSV's rows are read while it is sent
            response.getvalue()
    return len(queries)


def test_the_list_runs_the_same_queries_for_1_and_200_tickets(
    portal_admin_client, customer, portal_admin_user, staff_user, service, settings
):
    settings.TICKETS_PAGE_SIZE = 200
    first = ticket_open_for(customer, portal_admin_user, service=service)
    _wait(first, staff_user)
    one = _query_count(portal_admin_client, reverse("tickets:list"))
    extra = ServiceFactory(customer=customer)
    for n in range(199):
        ticket = ticket_open_for(
            customer, UserFactory() if n % 2 else portal_admin_user, service=extra
        )
        ticket.services.add(service)
        if n % 3 == 0:
            _wait(ticket, staff_user)
    many = _query_count(portal_admin_client, reverse("tickets:list"))
    assert many == one
    assert _query_count(portal_admin_client, reverse("tickets:export")) <= one


def test_the_ticket_page_runs_the_same_queries_however_long_its_history(
    portal_admin_client, customer, portal_admin_user, staff_user, service, settings
):
    settings.TICKET_WATCHERS_MAX = 15
    few = ticket_open_for(customer, portal_admin_user, service=service)
    services.ticket_reply(ticket=few, author=staff_user, body="On it")
    baseline = _query_count(portal_admin_client, _detail(few))

    many = ticket_open_for(customer, portal_admin_user, service=service)
    many.services.add(ServiceFactory(customer=customer))
    for n in range(15):
        _wait(many, staff_user)
        services.ticket_reply(
            ticket=many,
            author=portal_admin_user,
            body=f"Answer {n}",
            attachments=[_pdf(f"{n}.pdf")],
        )
        services.ticket_reply(ticket=many, author=staff_user, body=f"Note {n}", internal=True)
        services.ticket_watcher_add(ticket=many, actor=portal_admin_user, email=f"w{n}@acme.test")
    services.ticket_escalate(ticket=many, actor=portal_admin_user, reason="Hurry")
    assert _query_count(portal_admin_client, _detail(many)) == baseline


def _tables_read(client, path) -> list[str]:
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return [q["sql"].split(" FROM ", 1)[1].split()[0] for q in queries if " FROM " in q["sql"]]


def test_the_ticket_page_reads_its_pauses_once(
    portal_admin_client, customer, portal_admin_user, staff_user, service
):
    """The page lists the pauses and its SLA clock adds them up: one read serves both."""
    ticket = ticket_open_for(customer, portal_admin_user, service=service)
    _wait(ticket, staff_user)

    tables = _tables_read(portal_admin_client, _detail(ticket))

    assert tables.count('"tickets_pauseinterval"') == 1


def test_the_list_reads_only_the_columns_of_its_rows(
    portal_admin_client, customer, portal_admin_user, service
):
    """No description, resolution or password leaves the database for the list (issue 15)."""
    ticket_open_for(customer, portal_admin_user, service=service)
    portal_admin_client.get(reverse("tickets:list"))
    with CaptureQueriesContext(connection) as queries:
        portal_admin_client.get(reverse("tickets:list"))
    rows = next(
        q["sql"] for q in queries if 'FROM "tickets_ticket"' in q["sql"] and "LIMIT" in q["sql"]
    )

    assert '"tickets_ticket"."description"' not in rows
    assert '"tickets_ticket"."resolution"' not in rows
    assert '"portal_user"."password"' not in rows
