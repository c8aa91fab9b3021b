"""Staff triage of trouble tickets in the admin (R-TT-1..4): the queue with the SLA clock and its
filters, actions and buttons that call the services, the timeline and the reply form (internal
notes never reach the customer), tickets opened on a customer's behalf, downloads, SLA targets."""

import datetime
import io

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from tests.conftest import staff_member
from tests.factories import MembershipFactory, ServiceFactory, ticket_open_for
from tickets.models import Attachment, Message, PauseInterval, SlaTarget, Ticket
from tickets.selectors import tickets_for_customer
from tickets.services import (
    ticket_assign,
    ticket_reply,
    ticket_resolve,
    ticket_wait_for_customer,
)

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 10, 15, 0, tzinfo=datetime.UTC)
CHANGELIST = "admin:tickets_ticket_changelist"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def ticket(customer, portal_admin_user):
    return ticket_open_for(customer, portal_admin_user, subject="Enlace caído en Rosario")


def _opened(customer, user, *, ago: datetime.timedelta, impact="down", **kwargs) -> Ticket:
    with time_machine.travel(NOW - ago, tick=False):
        return ticket_open_for(customer, user, impact=impact, **kwargs)


def _numbers(client, **params) -> set[str]:
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    return {ticket.number for ticket in response.context["cl"].result_list}


# --- The list -------------------------------------------------------------------------------


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(CHANGELIST)).status_code == 200
    return len(queries)


def test_the_list_query_count_is_the_same_for_1_and_50_tickets(
    tsc_client, tsc_staff, customer, portal_admin_user
):
    ticket_open_for(customer, portal_admin_user)
    _list_queries(tsc_client)  # warm the per-process caches (content types, permissions)
    one = _list_queries(tsc_client)

    for index in range(49):
        ticket = ticket_open_for(customer, portal_admin_user, impact="degraded")
        ticket.services.add(ServiceFactory(customer=customer))
        if index % 3 == 0:
            ticket_wait_for_customer(ticket=ticket, reason="site_access", actor=tsc_staff)
        if index % 5 == 0:
            ticket_assign(ticket=ticket, staff=tsc_staff)

    assert Ticket.objects.count() == 50
    assert _list_queries(tsc_client) == one


def test_the_list_shows_service_impact_status_sla_and_assignee(
    tsc_client, tsc_staff, customer, portal_admin_user
):
    service = ServiceFactory(customer=customer, service_id="AR-ROS-SDWAN-20011")
    ticket = _opened(customer, portal_admin_user, ago=datetime.timedelta(hours=1), service=service)
    ticket.services.add(ServiceFactory(customer=customer, service_id="AR-ROS-SDWAN-20012"))
    ticket_assign(ticket=ticket, staff=tsc_staff)
    with time_machine.travel(NOW, tick=False):
        page = tsc_client.get(reverse(CHANGELIST)).content.decode()

    assert ticket.number in page
    assert "AR-ROS-SDWAN-20011 (+1)" in page
    assert "Service down" in page
    assert "3 h 00 min left" in page  # 4 h restoration target, 1 h elapsed (R-TT-3)
    assert "tsc-staff@provider.test" in page


def test_a_waiting_ticket_shows_its_frozen_remaining_time_as_paused(
    tsc_client, tsc_staff, customer, portal_admin_user
):
    ticket = _opened(customer, portal_admin_user, ago=datetime.timedelta(hours=3))
    with time_machine.travel(NOW - datetime.timedelta(hours=2), tick=False):
        ticket_wait_for_customer(ticket=ticket, reason="site_access", actor=tsc_staff)
    with time_machine.travel(NOW, tick=False):
        page = tsc_client.get(reverse(CHANGELIST)).content.decode()

    assert "Paused · 3 h 00 min left" in page
    assert "Waiting for the customer" in page


# --- Filters --------------------------------------------------------------------------------


@pytest.fixture
def breach_cases(customer, portal_admin_user, tsc_staff):
    """Tickets on both sides of every breach rule, as of NOW (4 h target for "down")."""
    hour = datetime.timedelta(hours=1)
    cases = {
        "breached_running": _opened(customer, portal_admin_user, ago=5 * hour),
        "due_in_30_min": _opened(customer, portal_admin_user, ago=3.5 * hour),
        "due_in_2_h": _opened(customer, portal_admin_user, ago=2 * hour),
        # Paused at 3 h 25 min: the stored deadline is in 30 min, but the clock is stopped.
        "paused_near_deadline": _opened(customer, portal_admin_user, ago=3.5 * hour),
        # Paused after 1 h, 9 h ago: the stored deadline has passed, yet only 1 h counts.
        "paused_long_ago": _opened(customer, portal_admin_user, ago=10 * hour),
        # Paused when already 5 h into a 4 h target: breached while it waits.
        "paused_after_breach": _opened(customer, portal_admin_user, ago=6 * hour),
        "resolved_late": _opened(customer, portal_admin_user, ago=30 * hour),
        "resolved_in_time": _opened(customer, portal_admin_user, ago=30 * hour),
    }
    pauses = {
        "paused_near_deadline": NOW - datetime.timedelta(minutes=5),
        "paused_long_ago": NOW - 9 * hour,
        "paused_after_breach": NOW - hour,
    }
    for key, at in pauses.items():
        with time_machine.travel(at, tick=False):
            ticket_wait_for_customer(
                ticket=cases[key], reason="contact_unreachable", actor=tsc_staff
            )
    with time_machine.travel(NOW - 20 * hour, tick=False):
        ticket_resolve(ticket=cases["resolved_late"], actor=tsc_staff, resolution="Fibra reparada")
        ticket_resolve(
            ticket=cases["resolved_in_time"],
            actor=tsc_staff,
            resolution="Reinicio del CPE",
            restored_at=NOW - 28 * hour,
        )
    return {key: ticket.number for key, ticket in cases.items()}


def test_breached_filter_counts_paused_time_correctly(tsc_client, breach_cases):
    with time_machine.travel(NOW, tick=False):
        found = _numbers(tsc_client, breach="breached")

    assert found == {
        breach_cases["breached_running"],
        breach_cases["paused_after_breach"],
        breach_cases["resolved_late"],
    }


def test_breach_within_1_hour_leaves_out_waiting_tickets(tsc_client, breach_cases):
    with time_machine.travel(NOW, tick=False):
        found = _numbers(tsc_client, breach="soon")

    # "paused_near_deadline" has the same stored deadline, but its clock is stopped (R-TT-3).
    assert found == {breach_cases["due_in_30_min"]}


def test_the_tsc_queue_lists_unassigned_active_tickets(
    tsc_client, tsc_staff, customer, portal_admin_user
):
    queued = ticket_open_for(customer, portal_admin_user)
    waiting = ticket_open_for(customer, portal_admin_user)
    ticket_wait_for_customer(ticket=waiting, reason="information", actor=tsc_staff)
    assigned = ticket_open_for(customer, portal_admin_user)
    ticket_assign(ticket=assigned, staff=tsc_staff)
    resolved = ticket_open_for(customer, portal_admin_user)
    ticket_resolve(ticket=resolved, actor=tsc_staff, resolution="OK")

    assert _numbers(tsc_client, queue="tsc") == {queued.number, waiting.number}
    assert _numbers(tsc_client, queue="mine") == {assigned.number}


def test_search_finds_a_ticket_by_service_id_once(tsc_client, customer, portal_admin_user):
    service = ServiceFactory(customer=customer, service_id="AR-MDZ-INT-20107")
    ticket = ticket_open_for(customer, portal_admin_user, service=service)
    ticket.services.add(ServiceFactory(customer=customer, service_id="AR-MDZ-INT-20108"))
    ticket_open_for(customer, portal_admin_user)

    response = tsc_client.get(reverse(CHANGELIST), {"q": "AR-MDZ-INT-2010"})

    assert [t.number for t in response.context["cl"].result_list] == [ticket.number]


# --- Actions --------------------------------------------------------------------------------


def _action(client, action: str, tickets, **data):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [t.pk for t in tickets], **data},
    )


def test_assign_to_me_assigns_the_selected_tickets(
    tsc_client, tsc_staff, ticket, customer, portal_admin_user
):
    other = ticket_open_for(customer, portal_admin_user)

    response = _action(tsc_client, "assign_to_me", [ticket, other])

    assert response.status_code == 302
    assert set(Ticket.objects.values_list("assignee", flat=True)) == {tsc_staff.pk}


def test_set_waiting_for_customer_asks_the_reason_then_pauses_the_clock(
    tsc_client, ticket, django_capture_on_commit_callbacks
):
    page = _action(tsc_client, "wait_for_customer", [ticket])
    assert page.status_code == 200
    assert "Local contact unreachable" in page.content.decode()
    assert Ticket.objects.get().status == "open"

    with django_capture_on_commit_callbacks(execute=True):
        response = _action(
            tsc_client,
            "wait_for_customer",
            [ticket],
            apply="1",
            reason="site_access",
            message="Necesitamos acceso a la sala.",
        )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "waiting_customer"
    assert ticket.pauses.get().reason == "site_access"
    assert any("Necesitamos acceso a la sala." in m.body for m in mail.outbox)


def test_set_waiting_without_a_reason_is_refused(tsc_client, ticket):
    response = _action(tsc_client, "wait_for_customer", [ticket], apply="1", reason="")

    assert response.status_code == 400
    assert not PauseInterval.objects.exists()


def test_resolve_action_records_resolution_and_restoration_time(
    tsc_client, customer, portal_admin_user
):
    ticket = _opened(customer, portal_admin_user, ago=datetime.timedelta(hours=2))
    restored = timezone.localtime(NOW - datetime.timedelta(hours=1))

    with time_machine.travel(NOW, tick=False):
        response = _action(
            tsc_client,
            "resolve",
            [ticket],
            apply="1",
            resolution="Se reemplazó el transceptor.",
            restored_at=restored.strftime("%Y-%m-%dT%H:%M"),
        )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    assert ticket.resolution == "Se reemplazó el transceptor."
    assert ticket.restored_at == NOW - datetime.timedelta(hours=1)


def test_an_action_refused_by_the_service_reports_the_ticket(tsc_client, tsc_staff, ticket):
    ticket_resolve(ticket=ticket, actor=tsc_staff, resolution="OK")

    response = _action(
        tsc_client, "wait_for_customer", [ticket], apply="1", reason="information", follow=True
    )

    page = tsc_client.get(reverse(CHANGELIST)).content.decode()
    assert response.status_code == 302
    assert f"{ticket.number}: Only an open ticket can wait for the customer." in page


# --- Change page: timeline, reply, buttons --------------------------------------------------


def _change_url(ticket) -> str:
    return reverse("admin:tickets_ticket_change", args=[ticket.pk])


def test_the_change_page_shows_every_message_internal_notes_marked_and_pauses(
    tsc_client, tsc_staff, ticket, portal_admin_user
):
    ticket_reply(ticket=ticket, author=tsc_staff, body="Revisamos el enlace.")
    ticket_reply(ticket=ticket, author=tsc_staff, body="Parece el CPE.", internal=True)
    ticket_wait_for_customer(ticket=ticket, reason="site_access", actor=tsc_staff)
    ticket_reply(ticket=ticket, author=portal_admin_user, body="Ya pueden ingresar.")

    page = tsc_client.get(_change_url(ticket)).content.decode()

    assert "Revisamos el enlace." in page
    assert "Parece el CPE." in page
    assert "Internal note" in page
    assert "Ya pueden ingresar." in page
    assert "Status: Waiting for the customer" in page
    assert "Waiting for access to the site" in page  # the pause row
    assert reverse("admin:tickets_ticket_reply", args=[ticket.pk]) in page


def test_a_public_reply_reaches_the_customer_and_counts_as_first_response(
    tsc_client, ticket, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = tsc_client.post(
            reverse("admin:tickets_ticket_reply", args=[ticket.pk]),
            {"kind": "public", "body": "Estamos revisando el enlace."},
        )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None
    assert ticket.status == "in_progress"
    assert [m.to[0] for m in mail.outbox if "Estamos revisando el enlace." in m.body]


def test_an_internal_note_never_reaches_the_customer(
    tsc_client, ticket, customer, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = tsc_client.post(
            reverse("admin:tickets_ticket_reply", args=[ticket.pk]),
            {
                "kind": "internal",
                "body": "El cliente no pagó la última factura.",
                "attachments": [SimpleUploadedFile("nota.pdf", PDF)],
            },
        )

    assert response.status_code == 302
    note = Message.objects.get(kind="internal")
    assert note.body == "El cliente no pagó la última factura."
    assert note.attachments.get().internal is True
    assert mail.outbox == []
    assert Notification.objects.count() == before
    ticket.refresh_from_db()
    assert ticket.first_response_at is None  # a note is not a response (R-TT-3)


def test_an_empty_reply_is_refused_with_400(tsc_client, ticket):
    response = tsc_client.post(
        reverse("admin:tickets_ticket_reply", args=[ticket.pk]), {"kind": "public", "body": " "}
    )

    assert response.status_code == 400
    assert "Write a message or attach a file." in response.content.decode()


def test_a_renamed_executable_is_refused_on_the_reply_form(tsc_client, ticket):
    response = tsc_client.post(
        reverse("admin:tickets_ticket_reply", args=[ticket.pk]),
        {
            "kind": "public",
            "body": "Adjunto",
            "attachments": [SimpleUploadedFile("log.pdf", b"MZ\x90\x00" + b"\x00" * 200)],
        },
    )

    assert response.status_code == 400
    assert not Attachment.objects.exists()


def test_the_buttons_wait_resume_resolve_for_the_tsc(tsc_client, ticket):
    url = lambda name: reverse(f"admin:tickets_ticket_{name}", args=[ticket.pk])  # noqa: E731

    assert tsc_client.get(url("wait")).status_code == 200
    assert tsc_client.post(url("wait"), {"reason": "information"}).status_code == 302
    assert Ticket.objects.get().status == "waiting_customer"
    assert url("resume") in tsc_client.get(_change_url(ticket)).content.decode()

    assert tsc_client.post(url("resume"), {}).status_code == 302
    assert Ticket.objects.get().status == "in_progress"
    assert PauseInterval.objects.get().ended_at is not None

    assert tsc_client.post(url("resolve"), {"resolution": ""}).status_code == 400
    assert tsc_client.post(url("resolve"), {"resolution": "Reparado"}).status_code == 302
    assert Ticket.objects.get().status == "resolved"


def test_the_cancel_button_cancels_an_open_ticket(tsc_client, ticket):
    response = tsc_client.post(
        reverse("admin:tickets_ticket_cancel", args=[ticket.pk]), {"reason": "Duplicado"}
    )

    assert response.status_code == 302
    assert Ticket.objects.get().status == "cancelled"


def test_resume_of_a_ticket_not_waiting_puts_the_rule_on_the_page(tsc_client, ticket):
    response = tsc_client.post(reverse("admin:tickets_ticket_resume", args=[ticket.pk]), {})

    assert response.status_code == 400
    assert "This ticket is not waiting for the customer." in response.content.decode()


def test_assignee_is_the_only_editable_field(tsc_client, tsc_staff, ticket):
    response = tsc_client.post(
        _change_url(ticket),
        {
            "assignee": tsc_staff.pk,
            "subject": "changed",
            "pauses-TOTAL_FORMS": "0",
            "pauses-INITIAL_FORMS": "0",
            "messages-TOTAL_FORMS": "0",
            "messages-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    ticket.refresh_from_db()
    assert ticket.assignee == tsc_staff
    assert ticket.subject == "Enlace caído en Rosario"


def _assignee_post(assignee) -> dict:
    return {
        "assignee": assignee.pk,
        "pauses-TOTAL_FORMS": "0",
        "pauses-INITIAL_FORMS": "0",
        "messages-TOTAL_FORMS": "0",
        "messages-INITIAL_FORMS": "0",
    }


def test_the_assignee_is_chosen_among_active_staff_only(
    tsc_client, tsc_staff, ticket, portal_admin_user
):
    gone = staff_member("TSC", email="gone@provider.test")
    gone.is_active = False
    gone.save()

    page = tsc_client.get(_change_url(ticket))

    choices = {value for value, _label in page.context["adminform"].form.fields["assignee"].choices}
    offered = {int(str(value)) for value in choices if value}
    assert offered == {tsc_staff.pk}


@pytest.mark.parametrize("who", ["customer", "inactive staff"])
def test_picking_a_non_staff_or_inactive_assignee_is_a_form_error_not_a_500(
    tsc_client, ticket, portal_admin_user, who
):
    if who == "customer":
        assignee = portal_admin_user
    else:
        assignee = staff_member("TSC", email="gone@provider.test")
        assignee.is_active = False
        assignee.save()

    response = tsc_client.post(_change_url(ticket), _assignee_post(assignee))

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_a_ticket_kept_by_a_staff_member_who_left_can_still_be_saved(tsc_client, tsc_staff, ticket):
    """The current assignee stays a valid choice, so the ticket can be handed to someone else."""
    gone = staff_member("TSC", email="gone@provider.test")
    Ticket.objects.filter(pk=ticket.pk).update(assignee=gone)
    gone.is_active = False
    gone.save()

    kept = tsc_client.post(_change_url(ticket), _assignee_post(gone))
    handed_over = tsc_client.post(_change_url(ticket), _assignee_post(tsc_staff))

    assert kept.status_code == handed_over.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == tsc_staff


# --- Open a ticket on a customer's behalf (R-TT-4) ------------------------------------------


def test_staff_open_a_ticket_for_a_customer_who_phoned(
    tsc_client,
    tsc_staff,
    customer,
    other_customer,
    limited_user,
    django_capture_on_commit_callbacks,
):
    mine = ServiceFactory(customer=customer, service_id="AR-BUE-IPVPN-10231")
    ServiceFactory(customer=other_customer, service_id="BR-SAO-IPT-30041")
    add = reverse("admin:tickets_ticket_add")

    assert "Continue" in tsc_client.get(add).content.decode()
    form_page = tsc_client.get(add, {"customer": customer.pk}).content.decode()
    assert "AR-BUE-IPVPN-10231" in form_page
    assert "BR-SAO-IPT-30041" not in form_page

    with django_capture_on_commit_callbacks(execute=True):
        response = tsc_client.post(
            f"{add}?customer={customer.pk}",
            {
                "services": [mine.pk],
                "impact": "down",
                "requester": limited_user.pk,
                "subject": "Sin servicio en casa central",
                "description": "Llamó por teléfono: el portal no carga.",
                "problem_started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "site_contact_name": "Nico NOC",
                "site_contact_phone": "+54 11 5555 0101",
                "access_hours": "24x7",
            },
        )

    assert response.status_code == 302, response.content.decode()[:3000]
    ticket = Ticket.objects.get()
    assert ticket.channel == Ticket.Channel.PHONE
    assert ticket.opened_by == tsc_staff
    assert ticket.requester == limited_user
    assert list(tickets_for_customer(customer)) == [ticket]
    assert list(tickets_for_customer(customer, opened_by="phone")) == [ticket]
    assert any(limited_user.email in m.to[0] and ticket.number in m.subject for m in mail.outbox)


def test_opening_for_a_customer_refuses_another_customers_requester_and_service(
    tsc_client, customer, other_customer, other_user
):
    response = tsc_client.post(
        f"{reverse('admin:tickets_ticket_add')}?customer={customer.pk}",
        {
            "services": [ServiceFactory(customer=other_customer).pk],
            "impact": "down",
            "requester": other_user.pk,
            "subject": "x",
            "description": "x",
            "problem_started_at": "2026-01-01T10:00",
            "site_contact_name": "x",
            "site_contact_phone": "1",
            "access_hours": "24x7",
        },
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"services", "requester"}
    assert not Ticket.objects.exists()


# --- Downloads, SLA targets, permissions ----------------------------------------------------


def test_staff_download_an_attachment_as_a_file_never_cached(tsc_client, tsc_staff, ticket):
    ticket_reply(
        ticket=ticket,
        author=tsc_staff,
        body="Captura",
        internal=True,
        attachments=[SimpleUploadedFile('inf"orme<script>.pdf', PDF)],
    )
    attachment = Attachment.objects.get()

    response = tsc_client.get(
        reverse("admin:tickets_ticket_attachment", args=[attachment.reference])
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "<" not in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF


def test_editing_an_sla_target_does_not_change_existing_tickets(tsc_client, ticket):
    target = SlaTarget.objects.get(impact="down")

    response = tsc_client.post(
        reverse("admin:tickets_slatarget_change", args=[target.pk]),
        {"response": "00:10:00", "restoration": "02:00:00"},
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.restoration_target == datetime.timedelta(hours=4)
    assert tsc_client.get(reverse("admin:tickets_slatarget_changelist")).status_code == 200


def test_billing_only_views_tickets(billing_client, ticket, tsc_staff):
    ticket_reply(
        ticket=ticket, author=tsc_staff, body="x", attachments=[SimpleUploadedFile("a.pdf", PDF)]
    )
    attachment = Attachment.objects.get()

    assert billing_client.get(reverse(CHANGELIST)).status_code == 200
    assert billing_client.get(_change_url(ticket)).status_code == 200
    for name in ("reply", "wait", "resume", "resolve", "cancel"):
        url = reverse(f"admin:tickets_ticket_{name}", args=[ticket.pk])
        assert billing_client.get(url).status_code == 403, name
        assert billing_client.post(url, {"reason": "information"}).status_code == 403, name
    assert billing_client.get(reverse("admin:tickets_ticket_add")).status_code == 403
    download = reverse("admin:tickets_ticket_attachment", args=[attachment.reference])
    assert billing_client.get(download).status_code == 403
    # The action is not theirs: the list is shown again and nothing is assigned.
    assert _action(billing_client, "assign_to_me", [ticket]).status_code == 200
    assert Ticket.objects.get().assignee is None


def test_a_member_of_a_customer_is_not_staff_and_cannot_open_the_admin(client, customer):
    member = MembershipFactory(customer=customer).user
    client.force_login(member)

    response = client.get(reverse(CHANGELIST))

    assert response.status_code == 302


# --- Demo data ------------------------------------------------------------------------------


def test_seed_demo_loads_tickets_in_every_status_and_is_idempotent(db, settings):
    from django.core.management import call_command

    from core.models import Customer
    from tickets.sla import ticket_clock

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    acme = Customer.objects.get(display_name="Acme Logística")
    globex = Customer.objects.get(display_name="Globex Telecom")
    tickets = list(Ticket.objects.filter(customer=acme).prefetch_related("pauses"))
    assert len(tickets) == 8
    assert Ticket.objects.filter(customer=globex).count() == 3
    assert {t.status for t in tickets} == set(Ticket.Status.values)
    assert sum(t.channel == "phone" for t in tickets) == 1
    assert any(len(t.pauses.all()) == 2 for t in tickets)
    clocks = {t.number: ticket_clock(t) for t in tickets if t.is_active}
    assert sum(clock.breached for clock in clocks.values()) == 1
    for ticket in tickets:
        if ticket.status == "waiting_customer":
            pause = ticket.pauses.get(ended_at__isnull=True)
            assert (
                ticket.restoration_deadline == ticket_clock(ticket, now=pause.started_at).deadline
            )
        elif ticket.is_active:
            assert ticket.restoration_deadline == ticket_clock(ticket).deadline
        assert ticket.opened_at <= min(m.created_at for m in ticket.messages.all())


# --- The benchmark command ------------------------------------------------------------------


def test_bench_tickets_refuses_with_debug_off(settings):
    from django.core.management import CommandError, call_command

    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("bench_tickets", tickets=10, customers=2, stdout=io.StringIO())
    assert not Ticket.objects.exists()


def test_bench_tickets_refuses_a_database_with_real_tickets(settings, ticket):
    from django.core.management import CommandError, call_command

    settings.DEBUG = True
    with pytest.raises(CommandError, match="real tickets"):
        call_command("bench_tickets", tickets=10, customers=2, stdout=io.StringIO())


def test_bench_tickets_gives_a_second_customer_the_giant_share(settings):
    from django.core.management import call_command

    from core.models import User

    settings.DEBUG = True
    call_command(
        "bench_tickets", tickets=2400, customers=4, giant=900, load_only=True, stdout=io.StringIO()
    )

    giant = User.objects.get(email="bench-giant@bench.invalid").memberships.get().customer
    assert Ticket.objects.filter(customer=giant).count() == 900
    assert Ticket.objects.exclude(number="TT-B-SHOWCASE").count() == 2400


def test_bench_tickets_loads_the_data_and_times_page_1_and_50(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    out = io.StringIO()
    call_command("bench_tickets", tickets=1400, customers=3, requests=2, stdout=out)

    # The web benchmark's ticket page comes on top: 27 messages, 3 pauses, waiting on the customer.
    assert Ticket.objects.count() == 1400 + 1
    assert Ticket.services.through.objects.count() == 1400 + 1
    showcase = Ticket.objects.get(number="TT-B-SHOWCASE")
    assert (showcase.messages.count(), showcase.pauses.count()) == (27, 3)
    assert (
        PauseInterval.objects.filter(ended_at__isnull=True).count()
        == Ticket.objects.filter(status="waiting_customer").count()
    )
    assert "GET /tickets/?page=50" in out.getvalue()
