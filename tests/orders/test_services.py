"""Orders and their six touchpoints (R-ORD-1..3, R-TEAM-3): the rules of orders.services."""

import datetime
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from core.errors import DomainError
from core.models import Notification, Service
from orders.models import Order, OrderEvent, Step, Touchpoint
from orders.services import (
    first_invoice_record,
    installation_reminder_due_at,
    installation_reminders_send,
    order_cancel,
    order_create,
    technical_details_answer,
    touchpoint_record,
)
from tests.factories import (
    CustomerFactory,
    NotificationContactFactory,
    OrderFactory,
    TeamPersonFactory,
    provisioning_service,
)

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


@pytest.fixture
def ccm():
    return TeamPersonFactory(full_name="Carla Care", email="carla@provider.test", languages=["es"])


@pytest.fixture
def order(customer, portal_admin_user, ccm):
    service = provisioning_service(customer, service_id="AR-BUE-INT-90001")
    return order_create(
        customer=customer,
        product_line="internet",
        title="Internet 1 Gbps, Buenos Aires",
        services=[service],
        requester=portal_admin_user,
        care_manager=ccm,
        received_on=datetime.date(2026, 11, 2),
    )


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run a service and deliver its e-mails as the worker would after the commit."""

    def _send(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return _send


def _advance(order, staff, send, until: int):
    values: dict[int, dict[str, Any]] = {
        Step.TECHNICAL_DETAILS: {"details_requested": ["LAN range"]},
        Step.ESTIMATED_ACTIVATION: {"estimated_activation_on": datetime.date(2026, 12, 18)},
        Step.INSTALLATION_REMINDER: {
            "installation_on": datetime.date(2026, 12, 10),
            "site_preparation": "Power and a rack unit",
        },
        Step.ACTIVATION_PLANNING: {
            "activation_start": datetime.datetime(2026, 12, 17, 12, tzinfo=UTC),
            "activation_end": datetime.datetime(2026, 12, 17, 16, tzinfo=UTC),
        },
        Step.CONNECTION: {"activated_on": datetime.date(2026, 12, 17)},
    }
    for step in range((order.last_step or 0) + 1, until + 1):
        send(touchpoint_record, order=order, step=step, actor=staff, **values.get(step, {}))
        if step == Step.TECHNICAL_DETAILS:
            send(
                technical_details_answer,
                order=order,
                answers=["10.0.0.0/24"],
                actor=order.requester,
            )
        order.refresh_from_db()
    return order


def test_a_new_order_gets_a_public_number_and_its_first_timeline_entry(order):
    year = timezone.now().year
    assert order.number == f"ORD-{year}-00001"
    assert order.status == Order.Status.IN_PROGRESS
    assert order.next_step == Step.TECHNICAL_DETAILS
    assert list(order.events.values_list("kind", flat=True)) == ["received"]


def test_an_order_delivers_new_services_of_its_own_customer(customer, other_customer):
    with pytest.raises(DomainError):
        order_create(
            customer=customer,
            product_line="internet",
            title="x",
            services=[provisioning_service(other_customer)],
        )
    active = provisioning_service(customer)
    Service.objects.filter(pk=active.pk).update(status="active", activated_on="2025-01-01")
    active.refresh_from_db()
    with pytest.raises(DomainError):
        order_create(customer=customer, product_line="internet", title="x", services=[active])


def test_a_touchpoint_cannot_be_recorded_before_the_previous_one(order, staff_user):
    """R-ORD-1: the six touchpoints come in order."""
    with pytest.raises(DomainError) as error:
        touchpoint_record(
            order=order,
            step=Step.ESTIMATED_ACTIVATION,
            actor=staff_user,
            estimated_activation_on=datetime.date(2026, 12, 1),
        )
    assert error.value.rule == "R-ORD-1"
    assert "TP1" in str(error.value.message)
    assert not Touchpoint.objects.exists()


def test_tp1_waits_for_the_customer_and_their_answer_goes_to_the_care_manager(
    order, staff_user, portal_admin_user, send
):
    send(
        touchpoint_record,
        order=order,
        step=Step.TECHNICAL_DETAILS,
        actor=staff_user,
        details_requested=["LAN IP range", "  ", "Rack position"],
    )
    order.refresh_from_db()
    assert order.status == Order.Status.WAITING_CUSTOMER
    assert order.touchpoints.get().details_requested == ["LAN IP range", "Rack position"]
    # TP2 waits for the answer.
    with pytest.raises(DomainError):
        touchpoint_record(order=order, step=Step.ORDER_CONFIRMED, actor=staff_user)
    with pytest.raises(DomainError):
        technical_details_answer(order=order, answers=["10.0.0.0/24", " "], actor=portal_admin_user)
    mail.outbox.clear()

    send(
        technical_details_answer,
        order=order,
        answers=["10.0.0.0/24", "Rack 12, U20"],
        actor=portal_admin_user,
    )

    order.refresh_from_db()
    assert order.status == Order.Status.IN_PROGRESS
    tp1 = order.touchpoints.get()
    assert tp1.answer_pairs == [("LAN IP range", "10.0.0.0/24"), ("Rack position", "Rack 12, U20")]
    (to_ccm,) = mail.outbox
    assert to_ccm.to == ["Carla Care <carla@provider.test>"]
    assert "Rack 12, U20" in to_ccm.body
    assert "/admin/orders/order/" in to_ccm.body
    with pytest.raises(DomainError):  # answered once
        technical_details_answer(order=order, answers=["a", "b"], actor=portal_admin_user)


def test_each_touchpoint_reaches_the_order_contacts_and_the_requester_only(
    customer, order, staff_user, send
):
    NotificationContactFactory(customer=customer, email="orders@acme.test", language="en")
    NotificationContactFactory(customer=customer, email="tickets@acme.test", orders=False)
    NotificationContactFactory(customer=customer, email="new@acme.test", confirmed_at=None)
    NotificationContactFactory(
        customer=customer, email="bounced@acme.test", bounced_at=timezone.now()
    )
    NotificationContactFactory(email="other-customer@globex.test")

    send(
        touchpoint_record,
        order=order,
        step=Step.TECHNICAL_DETAILS,
        actor=staff_user,
        details_requested=["LAN range"],
    )

    recipients = sorted(address.split("<")[1].rstrip(">") for m in mail.outbox for address in m.to)
    assert recipients == ["admin@acme.test", "orders@acme.test"]
    english = next(m for m in mail.outbox if "orders@acme.test" in m.to[0])
    assert english.subject == f"{order.number} · TP1 of 6: Technical details requested"
    assert "LAN range" in english.body
    assert f"/orders/{order.number}/" in english.body
    reasons = dict(Notification.objects.values_list("to_email", "reason"))
    assert reasons == {"admin@acme.test": "requester", "orders@acme.test": "contact"}


def test_tp3_carries_the_estimated_activation_date(order, staff_user, send):
    order = _advance(order, staff_user, send, until=Step.ORDER_CONFIRMED)
    with pytest.raises(DomainError):
        touchpoint_record(order=order, step=Step.ESTIMATED_ACTIVATION, actor=staff_user)
    with pytest.raises(DomainError):  # before the order was received
        touchpoint_record(
            order=order,
            step=Step.ESTIMATED_ACTIVATION,
            actor=staff_user,
            estimated_activation_on=datetime.date(2026, 10, 1),
        )
    send(
        touchpoint_record,
        order=order,
        step=Step.ESTIMATED_ACTIVATION,
        actor=staff_user,
        estimated_activation_on=datetime.date(2026, 12, 18),
        installation_on=datetime.date(2026, 12, 10),
    )
    order.refresh_from_db()
    assert order.estimated_activation_on == datetime.date(2026, 12, 18)
    assert order.installation_on == datetime.date(2026, 12, 10)


def test_tp4_carries_the_installation_day_and_a_calendar_file(order, staff_user, send):
    order = _advance(order, staff_user, send, until=Step.ESTIMATED_ACTIVATION)
    with pytest.raises(DomainError):  # staff say what the site must prepare
        touchpoint_record(
            order=order,
            step=Step.INSTALLATION_REMINDER,
            actor=staff_user,
            installation_on=datetime.date(2026, 12, 10),
        )
    mail.outbox.clear()
    send(
        touchpoint_record,
        order=order,
        step=Step.INSTALLATION_REMINDER,
        actor=staff_user,
        installation_on=datetime.date(2026, 12, 10),
        site_preparation="Free rack unit and 220 V power",
    )
    (message,) = mail.outbox
    assert "Free rack unit and 220 V power" in message.body
    ((filename, content, mimetype),) = message.attachments
    assert filename == f"{order.number}-installation.ics"
    assert mimetype.startswith("text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == datetime.date(2026, 12, 10)
    assert event.decoded("dtend") == datetime.date(2026, 12, 11)


def test_tp5_needs_an_ordered_window_and_schedules_a_reminder_the_day_before(
    order, staff_user, send
):
    order = _advance(order, staff_user, send, until=Step.INSTALLATION_REMINDER)
    start = datetime.datetime(2026, 12, 17, 12, tzinfo=UTC)
    with pytest.raises(DomainError):
        touchpoint_record(
            order=order,
            step=Step.ACTIVATION_PLANNING,
            actor=staff_user,
            activation_start=start,
            activation_end=start,
        )
    with time_machine.travel(datetime.datetime(2026, 12, 1, tzinfo=UTC), tick=False):
        mail.outbox.clear()
        send(
            touchpoint_record,
            order=order,
            step=Step.ACTIVATION_PLANNING,
            actor=staff_user,
            activation_start=start,
            activation_end=start + timedelta(hours=4),
        )
    (message,) = mail.outbox
    assert "(America/Argentina/Buenos_Aires)" in message.body
    assert message.attachments[0][0] == f"{order.number}-activation.ics"
    reminder = Notification.objects.get(template="orders/activation_reminder")
    assert reminder.status == "pending"
    assert reminder.next_attempt_at == start - timedelta(hours=24)


def test_tp6_turns_the_services_active_and_the_first_invoice_closes_the_order(
    order, staff_user, send
):
    """R-ORD-3: the order's lifecycle ends at its first invoice."""
    order = _advance(order, staff_user, send, until=Step.ACTIVATION_PLANNING)
    with pytest.raises(DomainError) as error:
        first_invoice_record(order=order, invoiced_on=datetime.date(2026, 12, 20), actor=None)
    assert error.value.rule == "R-ORD-3"
    send(
        touchpoint_record,
        order=order,
        step=Step.CONNECTION,
        actor=staff_user,
        activated_on=datetime.date(2026, 12, 17),
    )
    order.refresh_from_db()
    assert order.status == Order.Status.ACTIVATED
    assert order.next_step is None
    service = order.services.get()
    assert (service.status, service.activated_on) == ("active", datetime.date(2026, 12, 17))
    with pytest.raises(DomainError):
        touchpoint_record(order=order, step=7, actor=staff_user)
    with pytest.raises(DomainError):  # before activation
        first_invoice_record(order=order, invoiced_on=datetime.date(2026, 12, 1), actor=None)

    send(first_invoice_record, order=order, invoiced_on=datetime.date(2027, 1, 5), actor=None)

    order.refresh_from_db()
    assert (order.status, order.first_invoice_on) == ("closed", datetime.date(2027, 1, 5))
    closed = Notification.objects.get(template="orders/closed")
    assert closed.status == "sent"
    assert mail.outbox[-1].subject.startswith(order.number)
    with pytest.raises(DomainError):
        touchpoint_record(order=order, step=Step.CONNECTION, actor=staff_user)


def test_cancelling_disconnects_the_new_services_and_withdraws_the_reminder(
    order, staff_user, send
):
    order = _advance(order, staff_user, send, until=Step.INSTALLATION_REMINDER)
    with time_machine.travel(datetime.datetime(2026, 12, 1, tzinfo=UTC), tick=False):
        _advance(order, staff_user, send, until=Step.ACTIVATION_PLANNING)
    with pytest.raises(DomainError):
        order_cancel(order=order, reason="  ", actor=staff_user)
    send(order_cancel, order=order, reason="Site closed", actor=staff_user)
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert order.services.get().status == "disconnected"
    reminder = Notification.objects.get(template="orders/activation_reminder")
    assert reminder.status == "cancelled"
    assert OrderEvent.objects.filter(order=order, kind="cancelled").exists()
    with pytest.raises(DomainError):
        order_cancel(order=order, reason="again", actor=staff_user)


# --- TP4 by itself, 2 business days before installation (R-ORD default) -----------------------


@pytest.mark.parametrize(
    ("country", "zone", "installation", "due_local"),
    [
        # A Wednesday installation: Monday 09:00.
        ("AR", "America/Argentina/Buenos_Aires", "2026-12-16", "2026-12-14 09:00"),
        # A Monday installation: the Thursday before, the weekend does not count.
        ("AR", "America/Argentina/Buenos_Aires", "2026-12-14", "2026-12-10 09:00"),
        # Thursday 10 Dec; Monday 7 (a bridge holiday) and Tuesday 8 Dec are holidays in
        # Argentina: Wednesday 9 and then Friday 4.
        ("AR", "America/Argentina/Buenos_Aires", "2026-12-10", "2026-12-04 09:00"),
        # Monday 23 Nov; Friday 20 Nov is Consciência Negra in Brazil: Wednesday 18.
        ("BR", "America/Sao_Paulo", "2026-11-23", "2026-11-18 09:00"),
        # The same Monday in Chile, where 20 Nov is a working day: Thursday 19.
        ("CL", "America/Santiago", "2026-11-23", "2026-11-19 09:00"),
    ],
)
def test_the_installation_reminder_is_due_two_business_days_before_in_the_customer_country(
    country, zone, installation, due_local
):
    order = OrderFactory(
        customer=CustomerFactory(country=country, timezone=zone),
        installation_on=datetime.date.fromisoformat(installation),
    )
    expected = datetime.datetime.fromisoformat(due_local).replace(tzinfo=ZoneInfo(zone))
    assert installation_reminder_due_at(order) == expected


def _ready_for_tp4(order, staff_user, send, installation="2026-12-10"):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 12, tzinfo=UTC), tick=False):
        _advance(order, staff_user, send, until=Step.ORDER_CONFIRMED)
        send(
            touchpoint_record,
            order=order,
            step=Step.ESTIMATED_ACTIVATION,
            actor=staff_user,
            estimated_activation_on=datetime.date(2026, 12, 18),
            installation_on=datetime.date.fromisoformat(installation),
        )
    order.refresh_from_db()
    return order


def test_tp4_goes_out_by_itself_exactly_once_when_due(order, staff_user, send, customer):
    order = _ready_for_tp4(order, staff_user, send)
    customer.timezone = "America/Argentina/Buenos_Aires"
    customer.save()
    due = datetime.datetime(2026, 12, 4, 9, tzinfo=ZoneInfo(customer.timezone))
    mail.outbox.clear()

    with time_machine.travel(due - timedelta(minutes=1), tick=False):
        assert send(installation_reminders_send) == []
    with time_machine.travel(due, tick=False):
        assert send(installation_reminders_send) == [order.number]
        assert send(installation_reminders_send) == []  # beat runs again: nothing new
    with time_machine.travel(due + timedelta(hours=5), tick=False):
        assert send(installation_reminders_send) == []

    tp4 = order.touchpoints.get(step=Step.INSTALLATION_REMINDER)
    assert tp4.automatic
    assert tp4.recorded_by is None
    assert tp4.installation_on == datetime.date(2026, 12, 10)
    assert len(mail.outbox) == 1  # the requester; no order contacts in this test
    assert "TP4" in mail.outbox[0].subject
    assert mail.outbox[0].attachments[0][0].endswith("installation.ics")


def test_tp4_sent_by_hand_is_not_sent_again(order, staff_user, send):
    order = _ready_for_tp4(order, staff_user, send)
    send(
        touchpoint_record,
        order=order,
        step=Step.INSTALLATION_REMINDER,
        actor=staff_user,
        site_preparation="Rack",
    )
    with time_machine.travel(datetime.datetime(2026, 12, 9, 13, tzinfo=UTC), tick=False):
        assert send(installation_reminders_send) == []
    assert order.touchpoints.filter(step=Step.INSTALLATION_REMINDER).count() == 1


def test_no_reminder_for_an_installation_already_past(order, staff_user, send):
    order = _ready_for_tp4(order, staff_user, send, installation="2026-12-10")
    with time_machine.travel(datetime.datetime(2026, 12, 11, 13, tzinfo=UTC), tick=False):
        assert send(installation_reminders_send) == []


def test_a_cancelled_order_cannot_be_answered(order, staff_user, portal_admin_user, send):
    send(
        touchpoint_record,
        order=order,
        step=Step.TECHNICAL_DETAILS,
        actor=staff_user,
        details_requested=["LAN range"],
    )
    send(order_cancel, order=order, reason="Site closed", actor=staff_user)
    with pytest.raises(DomainError):
        technical_details_answer(order=order, answers=["10.0.0.0/24"], actor=portal_admin_user)
    order.refresh_from_db()
    assert order.status == "cancelled"


def test_tp6_withdraws_the_pending_activation_reminder(order, staff_user, send):
    with time_machine.travel(datetime.datetime(2026, 12, 1, tzinfo=UTC), tick=False):
        order = _advance(order, staff_user, send, until=Step.ACTIVATION_PLANNING)
        assert Notification.objects.get(template="orders/activation_reminder").status == "pending"
        _advance(order, staff_user, send, until=Step.CONNECTION)
    assert Notification.objects.get(template="orders/activation_reminder").status == "cancelled"


def test_one_broken_order_does_not_hold_back_the_other_reminders(
    order, customer, portal_admin_user, ccm, staff_user, send, monkeypatch
):
    """Review §5: an unexpected error on one order (a bug, a row it cannot render) used to stop
    the whole run, so no other order got its TP4 until that one was mended."""
    import orders.services as order_services

    second = order_create(
        customer=customer,
        product_line="internet",
        title="Internet 1 Gbps, Córdoba",
        services=[provisioning_service(customer, service_id="AR-COR-INT-90002")],
        requester=portal_admin_user,
        care_manager=ccm,
        received_on=datetime.date(2026, 11, 2),
    )
    first = _ready_for_tp4(order, staff_user, send)
    second = _ready_for_tp4(second, staff_user, send)
    real = order_services.touchpoint_record

    def broken_for_the_first(*, order, **kwargs):
        if order.pk == first.pk:
            raise ValueError("a bug that only this order triggers")
        return real(order=order, **kwargs)

    monkeypatch.setattr(order_services, "touchpoint_record", broken_for_the_first)
    with time_machine.travel(datetime.datetime(2026, 12, 9, 13, tzinfo=UTC), tick=False):
        assert send(installation_reminders_send) == [second.number]
