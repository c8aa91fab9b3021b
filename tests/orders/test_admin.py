"""Staff triage orders in the admin: create, record each touchpoint with what it carries
(R-ORD-1), the first invoice (R-ORD-3), cancel, filters; and the outbox's failed e-mails."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from orders.models import Order, OrderEvent, Step
from orders.services import touchpoint_record
from tests.factories import (
    NotificationContactFactory,
    NotificationFactory,
    OrderFactory,
    TeamPersonFactory,
    provisioning_service,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(customer, portal_admin_user):
    order = OrderFactory(customer=customer, requester=portal_admin_user)
    order.services.add(provisioning_service(customer))
    OrderEvent.objects.create(order=order, kind=OrderEvent.Kind.RECEIVED)
    return order


def _touchpoint_url(order):
    return reverse("admin:orders_order_touchpoint", args=[order.pk])


def test_customer_care_creates_an_order_with_a_number_and_the_customers_care_manager(
    care_client, customer, portal_admin_user
):
    from team.models import TeamAssignment, TeamRole

    ccm = TeamPersonFactory(full_name="Lucía Romero")
    TeamAssignment.objects.create(
        customer=customer, role=TeamRole.CUSTOMER_CARE_MANAGER, person=ccm
    )
    service = provisioning_service(customer)
    response = care_client.post(
        reverse("admin:orders_order_add"),
        {
            "customer": customer.pk,
            "product_line": "internet",
            "title": "Internet 1 Gbps Mendoza",
            "description": "",
            "services": [service.pk],
            "requester": portal_admin_user.pk,
            "care_manager": "",
            "received_on": "2026-11-20",
            "installation_on": "",
            "site_preparation": "",
            "touchpoints-TOTAL_FORMS": "0",
            "touchpoints-INITIAL_FORMS": "0",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    order = Order.objects.get()
    assert order.number == f"ORD-{timezone.now().year}-00001"
    assert order.care_manager == ccm  # R-TEAM-3
    assert list(order.services.all()) == [service]
    assert order.events.get().kind == "received"


def test_the_add_form_refuses_a_service_of_another_customer(care_client, customer, other_customer):
    response = care_client.post(
        reverse("admin:orders_order_add"),
        {
            "customer": customer.pk,
            "product_line": "internet",
            "title": "x",
            "services": [provisioning_service(other_customer).pk],
            "received_on": "2026-11-20",
            "touchpoints-TOTAL_FORMS": "0",
            "touchpoints-INITIAL_FORMS": "0",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 400
    assert "Not services of this customer" in response.content.decode()
    assert not Order.objects.exists()


def test_the_touchpoint_page_shows_only_what_the_next_touchpoint_carries(care_client, order):
    page = care_client.get(_touchpoint_url(order)).content.decode()
    assert "Record TP1" in page
    assert 'name="details_requested"' in page
    assert 'name="estimated_activation_on"' not in page


def test_recording_tp1_in_admin_notifies_and_waits_for_the_customer(
    care_client, order, customer, django_capture_on_commit_callbacks
):
    NotificationContactFactory(customer=customer, email="orders@acme.test")
    with django_capture_on_commit_callbacks(execute=True):
        response = care_client.post(
            _touchpoint_url(order),
            {"details_requested": "LAN IP range\n\nRack position\n", "message": "Gracias"},
        )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "waiting_customer"
    tp1 = order.touchpoints.get()
    assert tp1.details_requested == ["LAN IP range", "Rack position"]
    assert tp1.recorded_by.email == "care@provider.test"
    assert sorted(m.to[0].split("<")[1] for m in mail.outbox) == [
        "admin@acme.test>",
        "orders@acme.test>",
    ]
    # While waiting, the change page says so and offers no TP2 button.
    change = care_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert "Waiting for the customer" in change.content.decode()
    assert "Record TP2" not in change.content.decode()


def test_a_bad_touchpoint_form_answers_400_and_records_nothing(care_client, order, staff_user):
    touchpoint_record(
        order=order, step=Step.TECHNICAL_DETAILS, actor=staff_user, details_requested=["x"]
    )
    from orders.services import technical_details_answer

    technical_details_answer(order=order, answers=["y"], actor=order.requester)
    touchpoint_record(order=order, step=Step.ORDER_CONFIRMED, actor=staff_user)
    response = care_client.post(_touchpoint_url(order), {"estimated_activation_on": "31/02/2026"})
    assert response.status_code == 400
    assert order.touchpoints.count() == 2
    response = care_client.post(_touchpoint_url(order), {"estimated_activation_on": "2020-01-01"})
    assert response.status_code == 400
    assert "before the order was received" in response.content.decode()


def test_tp5_window_is_entered_in_the_customers_timezone(care_client, order, staff_user):
    for step, values in [
        (1, {"details_requested": ["x"]}),
        (2, {}),
        (3, {"estimated_activation_on": datetime.date(2026, 12, 18)}),
        (4, {"installation_on": datetime.date(2026, 12, 10), "site_preparation": "Rack"}),
    ]:
        touchpoint_record(order=order, step=step, actor=staff_user, **values)
        if step == 1:
            from orders.services import technical_details_answer

            technical_details_answer(order=order, answers=["y"], actor=order.requester)
    response = care_client.post(
        _touchpoint_url(order),
        {"activation_start": "2026-12-17T10:00", "activation_end": "2026-12-17T14:00"},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    # 10:00 in Buenos Aires (UTC-3) is 13:00 UTC.
    assert order.activation_start == datetime.datetime(2026, 12, 17, 13, tzinfo=datetime.UTC)


def test_first_invoice_and_cancel_pages(care_client, customer, portal_admin_user, staff_user):
    activated = OrderFactory(customer=customer, status="activated", last_step=6)
    activated.activated_on = datetime.date(2026, 11, 10)
    activated.save()
    response = care_client.post(
        reverse("admin:orders_order_first_invoice", args=[activated.pk]),
        {"first_invoice_on": "2026-11-30"},
    )
    assert response.status_code == 302
    activated.refresh_from_db()
    assert activated.status == "closed"

    open_order = OrderFactory(customer=customer)
    response = care_client.post(
        reverse("admin:orders_order_cancel", args=[open_order.pk]), {"cancel_reason": ""}
    )
    assert response.status_code == 400
    response = care_client.post(
        reverse("admin:orders_order_cancel", args=[open_order.pk]),
        {"cancel_reason": "El sitio cerró"},
    )
    assert response.status_code == 302
    open_order.refresh_from_db()
    assert (open_order.status, open_order.cancel_reason) == ("cancelled", "El sitio cerró")


def test_tsc_staff_may_read_orders_but_not_record_touchpoints(tsc_client, order):
    assert tsc_client.get(reverse("admin:orders_order_change", args=[order.pk])).status_code == 200
    assert tsc_client.get(_touchpoint_url(order)).status_code == 403
    assert tsc_client.post(_touchpoint_url(order), {"details_requested": "x"}).status_code == 403
    assert not order.touchpoints.exists()


def test_staff_filter_overdue_and_waiting_and_search_by_service_id(care_client, customer):
    today = timezone.localdate()
    late = OrderFactory(
        customer=customer, title="Late one", estimated_activation_on=today - datetime.timedelta(1)
    )
    OrderFactory(customer=customer, title="On time", estimated_activation_on=today)
    waiting = OrderFactory(customer=customer, title="Waiting one", status="waiting_customer")
    service = provisioning_service(customer, service_id="AR-XYZ-99999")
    waiting.services.add(service)
    changelist = reverse("admin:orders_order_changelist")

    overdue = care_client.get(changelist, {"overdue": "yes"}).content.decode()
    assert "Late one" in overdue
    assert "On time" not in overdue
    by_status = care_client.get(changelist, {"status__exact": "waiting_customer"}).content.decode()
    assert "Waiting one" in by_status
    assert "Late one" not in by_status
    found = care_client.get(changelist, {"q": "AR-XYZ-99999"}).content.decode()
    assert waiting.number in found
    assert late.number not in found


def test_changing_the_installation_date_shows_in_the_timeline(care_client, order):
    url = reverse("admin:orders_order_change", args=[order.pk])
    response = care_client.get(url)
    data = {
        "title": order.title,
        "description": "",
        "services": [s.pk for s in order.services.all()],
        "requester": order.requester_id,
        "care_manager": "",
        "installation_on": "2026-12-10",
        "site_preparation": "Rack",
        "touchpoints-TOTAL_FORMS": "0",
        "touchpoints-INITIAL_FORMS": "0",
        "events-TOTAL_FORMS": str(order.events.count()),
        "events-INITIAL_FORMS": str(order.events.count()),
    }
    for index, event in enumerate(order.events.all()):
        data[f"events-{index}-id"] = event.pk
        data[f"events-{index}-order"] = order.pk
    assert response.status_code == 200
    response = care_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = order.events.get(kind="installation_date")
    assert event.detail == "2026-12-10"


# --- the outbox in admin -------------------------------------------------------------------------


def test_staff_see_a_failed_email_with_its_error_and_retry_it(
    care_client, customer, django_capture_on_commit_callbacks
):
    failed = NotificationFactory(
        customer=customer,
        context={"contact_name": "N", "contact_email": "n@acme.test", "bounce_reason": "r"},
        to_email="a@acme.test",
        reason="team",  # a mailbox: a contact is checked again at delivery
        status="failed",
        attempts=8,
        last_error="SMTPServerDisconnected: gone",
    )
    changelist = reverse("admin:portal_notification_changelist")
    listing = care_client.get(changelist, {"status__exact": "failed"}).content.decode()
    assert "SMTPServerDisconnected: gone" in listing
    with django_capture_on_commit_callbacks(execute=True):
        response = care_client.post(
            changelist, {"action": "retry", "_selected_action": [failed.pk]}
        )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == "sent"
    assert len(mail.outbox) == 1


def test_notifications_cannot_be_added_or_deleted_in_admin(care_client):
    assert care_client.get(reverse("admin:portal_notification_add")).status_code == 403
