"""The customer's orders pages (R-ORD-1, R-ORD-2, R-TEAM-3): list, filters, CSV, the order page
with its six touchpoints, the answer to TP1, the calendar files and a fixed query count."""

import csv
import datetime
import io
import re

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from core.models import Level, Notification, ProductLine, Service
from orders.models import Order, OrderEvent, Step, Touchpoint
from orders.services import (
    first_invoice_record,
    order_cancel,
    order_create,
    technical_details_answer,
    touchpoint_record,
)
from team.models import TeamMailbox, TeamRole
from tests.factories import (
    MembershipFactory,
    NotificationContactFactory,
    OrderFactory,
    TeamPersonFactory,
    provisioning_service,
)

pytestmark = pytest.mark.django_db

# The export's header, written out: the contract with the customers' spreadsheets.
CSV_COLUMNS = [
    "number",
    "title",
    "product_line",
    "status",
    "touchpoints_done",
    "next_touchpoint",
    "received_on",
    "estimated_activation_on",
    "installation_on",
    "activated_on",
    "first_invoice_on",
    "care_manager",
    "services",
]
UTC = datetime.UTC
WINDOW_START = datetime.datetime(2026, 12, 17, 12, tzinfo=UTC)
WINDOW_END = datetime.datetime(2026, 12, 17, 16, tzinfo=UTC)
DETAILS = ["LAN IP range", "Rack position"]


@pytest.fixture
def ccm():
    return TeamPersonFactory(
        full_name="Carla Care", email="carla@provider.test", phone="+541151705383"
    )


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run a service and deliver its e-mails as the worker would after the commit."""

    def _send(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return _send


@pytest.fixture
def make_order(customer, portal_admin_user, ccm):
    def _make(title="Internet 1 Gbps, Buenos Aires", service_id="AR-BUE-INT-90001", **kwargs):
        service = provisioning_service(customer, service_id=service_id, site_name="Casa central")
        defaults = {
            "customer": customer,
            "product_line": ProductLine.INTERNET,
            "title": title,
            "services": [service],
            "requester": portal_admin_user,
            "care_manager": ccm,
            "received_on": datetime.date(2026, 11, 2),
        }
        return order_create(**{**defaults, **kwargs})

    return _make


@pytest.fixture
def order(make_order):
    return make_order()


@pytest.fixture
def advance(send, staff_user, portal_admin_user):
    """Record the touchpoints up to `until` (TP1 answered unless `answer` is False)."""
    values = {
        Step.TECHNICAL_DETAILS: {"details_requested": DETAILS},
        Step.ESTIMATED_ACTIVATION: {
            "estimated_activation_on": datetime.date(2026, 12, 18),
            "installation_on": datetime.date(2026, 12, 10),
        },
        Step.INSTALLATION_REMINDER: {
            "installation_on": datetime.date(2026, 12, 10),
            "site_preparation": "Power and one rack unit",
        },
        Step.ACTIVATION_PLANNING: {"activation_start": WINDOW_START, "activation_end": WINDOW_END},
        Step.CONNECTION: {"activated_on": datetime.date(2026, 12, 17)},
    }

    def _answer(order):
        send(
            technical_details_answer,
            order=order,
            answers=["10.20.0.0/24", "Rack B, unit 12"],
            actor=portal_admin_user,
        )
        order.refresh_from_db()

    def _advance(order, until: int, *, answer: bool = True):
        for step in range((order.last_step or 0) + 1, until + 1):
            if order.status == Order.Status.WAITING_CUSTOMER:
                _answer(order)
            send(
                touchpoint_record, order=order, step=step, actor=staff_user, **values.get(step, {})
            )
            order.refresh_from_db()
            if step == Step.TECHNICAL_DETAILS and answer:
                _answer(order)
        return order

    return _advance


@pytest.fixture
def waiting(order, advance):
    """An order whose TP1 waits for the customer's answer."""
    return advance(order, Step.TECHNICAL_DETAILS, answer=False)


def _detail(order) -> str:
    return reverse("orders:detail", args=[order.number])


def _answer(order) -> str:
    return reverse("orders:answer", args=[order.number])


def _calendar(order, which: str) -> str:
    return reverse("orders:calendar", args=[order.number, which])


def _numbers(response) -> list[str]:
    return [o.number for o in response.context["page"]]


def _states(body: str) -> list[str]:
    return re.findall(r'data-testid="step" data-step="\d" data-state="(\w+)"', body)


# --- access ---------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client, waiting):
    for path in [
        reverse("orders:list"),
        reverse("orders:export"),
        _detail(waiting),
        _calendar(waiting, "installation"),
    ]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/?next=")
    response = client.post(_answer(waiting), {"detail_0": "x", "detail_1": "y"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_another_customers_order_is_not_found(client, other_user, waiting, advance):
    advance(waiting, Step.ACTIVATION_PLANNING)
    client.force_login(other_user)
    for path in [_detail(waiting), _calendar(waiting, "installation")]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Internet 1 Gbps" not in response.content.decode()
    assert client.post(_answer(waiting), {"detail_0": "x"}).status_code == 404
    listing = client.get(reverse("orders:list")).content.decode()
    assert waiting.number not in listing
    assert waiting.number not in client.get(reverse("orders:export")).getvalue().decode()


def test_a_member_without_the_orders_permission_is_refused(limited_client, waiting):
    for path in [
        reverse("orders:list"),
        reverse("orders:export"),
        _detail(waiting),
        _calendar(waiting, "installation"),
    ]:
        assert limited_client.get(path).status_code == 403, path
    assert limited_client.post(_answer(waiting), {"detail_0": "x"}).status_code == 403


def test_orders_appear_in_the_navigation_only_with_the_permission(
    client, portal_admin_user, limited_user
):
    client.force_login(portal_admin_user)
    assert 'href="/orders/"' in client.get("/").content.decode()
    client.force_login(limited_user)
    assert 'href="/orders/"' not in client.get("/").content.decode()


@pytest.fixture
def viewer_client(client, customer, admin_membership):
    membership = MembershipFactory(
        customer=customer, user__email="viewer@acme.test", orders=Level.VIEW
    )
    client.force_login(membership.user)
    return client


def test_a_view_only_member_sees_the_questions_but_cannot_answer(viewer_client, waiting):
    """Answering TP1 is acting on the order: the orders area's act level."""
    body = viewer_client.get(_detail(waiting)).content.decode()
    assert "LAN IP range" in body
    assert 'data-testid="answer-not-allowed"' in body
    assert 'data-testid="answer-form"' not in body
    response = viewer_client.post(_answer(waiting), {"detail_0": "x", "detail_1": "y"})
    assert response.status_code == 403
    waiting.refresh_from_db()
    assert waiting.status == Order.Status.WAITING_CUSTOMER
    assert Touchpoint.objects.get(order=waiting, step=1).answers == []


def test_get_on_the_answer_is_refused(portal_admin_client, waiting):
    assert portal_admin_client.get(_answer(waiting)).status_code == 405


def test_an_unknown_calendar_or_one_without_a_date_is_not_found(
    portal_admin_client, order, advance
):
    assert portal_admin_client.get(_calendar(order, "installation")).status_code == 404
    assert portal_admin_client.get(_calendar(order, "activation")).status_code == 404
    assert portal_admin_client.get(_calendar(order, "party")).status_code == 404
    advance(order, Step.ESTIMATED_ACTIVATION)  # the installation date is known, the window not
    assert portal_admin_client.get(_calendar(order, "installation")).status_code == 200
    assert portal_admin_client.get(_calendar(order, "activation")).status_code == 404


# --- the list -------------------------------------------------------------------------------


@pytest.fixture
def several(make_order, advance, other_customer):
    internet = make_order(received_on=datetime.date(2026, 9, 1))
    voice = make_order(
        title="SIP trunk 60 channels",
        product_line=ProductLine.VOICE,
        service_id="AR-BUE-SIP-90002",
        received_on=datetime.date(2026, 10, 15),
    )
    advance(voice, Step.TECHNICAL_DETAILS, answer=False)
    vpn = make_order(
        title="IP VPN Córdoba",
        product_line=ProductLine.IP_VPN,
        service_id="AR-COR-VPN-90003",
        received_on=datetime.date(2026, 11, 20),
    )
    advance(vpn, Step.ESTIMATED_ACTIVATION)
    OrderFactory(customer=other_customer, number="ORD-2026-99999", title="Globex secret link")
    return {"internet": internet, "voice": voice, "vpn": vpn}


def test_the_list_shows_the_customers_orders_newest_first(portal_admin_client, several):
    response = portal_admin_client.get(reverse("orders:list"))
    assert response.status_code == 200
    assert _numbers(response) == [several[k].number for k in ("vpn", "voice", "internet")]
    body = response.content.decode()
    assert "ORD-2026-99999" not in body
    assert "Globex secret link" not in body
    assert "Carla Care" in body
    assert "Next: TP4 · Installation reminder" in body  # the VPN's next touchpoint
    assert "Next: TP1 · Technical details requested" in body


def test_an_order_waiting_for_the_customer_stands_out_in_the_list(portal_admin_client, several):
    body = portal_admin_client.get(reverse("orders:list")).content.decode()
    assert body.count('class="order-row-waiting"') == 1
    assert "1 order is waiting for technical details from you." in body
    assert "Your answer to TP1" in body
    assert "order-badge-waiting" in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "waiting_customer"}, ["voice"]),
        ({"status": "in_progress"}, ["vpn", "internet"]),
        ({"product_line": "voice"}, ["voice"]),
        ({"received_from": "2026-10-01"}, ["vpn", "voice"]),
        ({"received_to": "2026-10-31"}, ["voice", "internet"]),
        ({"received_from": "2026-10-01", "received_to": "2026-10-31"}, ["voice"]),
        ({"status": "cancelled"}, []),
    ],
)
def test_the_list_filters_by_status_product_line_and_date(
    portal_admin_client, several, query, expected
):
    response = portal_admin_client.get(reverse("orders:list"), query)
    assert response.status_code == 200
    assert _numbers(response) == [several[k].number for k in expected]


def test_the_product_line_filter_offers_the_lines_the_customer_ordered(
    portal_admin_client, several
):
    choices = portal_admin_client.get(reverse("orders:list")).context["form"].fields["product_line"]
    assert [value for value, _label in choices.choices] == ["", "internet", "ip_vpn", "voice"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"status": "exploded"}, "Select a valid choice"),
        ({"product_line": "teleport"}, "Select a valid choice"),
        ({"received_from": "yesterday"}, "Enter a valid date"),
        ({"received_from": "2026-12-01", "received_to": "2026-01-01"}, "start date is after"),
        ({"sort": "password"}, "Select a valid choice"),
    ],
)
def test_bad_filters_are_answered_with_a_message_not_an_error(
    portal_admin_client, several, query, message
):
    for name in ("orders:list", "orders:export"):
        response = portal_admin_client.get(reverse(name), query)
        assert response.status_code == 400
        assert message in response.content.decode()


def test_the_list_sorts_both_ways_and_marks_the_sorted_column(portal_admin_client, several):
    response = portal_admin_client.get(reverse("orders:list"), {"sort": "received"})
    assert _numbers(response) == [several[k].number for k in ("internet", "voice", "vpn")]
    assert 'aria-sort="ascending"' in response.content.decode()
    response = portal_admin_client.get(reverse("orders:list"), {"sort": "-number"})
    assert _numbers(response) == sorted(_numbers(response), reverse=True)
    assert 'aria-sort="descending"' in response.content.decode()


def test_the_list_paginates_and_keeps_the_filters(portal_admin_client, customer, settings):
    settings.ORDERS_PAGE_SIZE = 5
    for n in range(12):
        OrderFactory(
            customer=customer,
            number=f"ORD-2026-{n + 1:05d}",
            received_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=n),
        )
    response = portal_admin_client.get(
        reverse("orders:list"), {"status": "in_progress", "sort": "received", "page": 3}
    )
    assert _numbers(response) == ["ORD-2026-00011", "ORD-2026-00012"]
    assert "status=in_progress&amp;sort=received&amp;page=2" in response.content.decode()


def test_the_list_without_orders_explains_what_will_be_here(portal_admin_client, customer):
    body = portal_admin_client.get(reverse("orders:list")).content.decode()
    assert 'data-testid="orders-empty"' in body
    assert "No orders yet" in body
    assert "Export CSV" not in body
    filtered = portal_admin_client.get(reverse("orders:list"), {"status": "activated"})
    assert "No order matches these filters." in filtered.content.decode()


def test_the_export_is_the_filtered_list_as_csv(portal_admin_client, several, make_order):
    make_order(
        title='=HYPERLINK("http://evil.example")',
        service_id="AR-BUE-INT-90009",
        received_on=datetime.date(2026, 8, 1),
    )
    response = portal_admin_client.get(reverse("orders:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="orders-')
    assert "no-store" in response["Cache-Control"]
    text = response.getvalue().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == CSV_COLUMNS
    assert [row[0] for row in rows[1:]] == [
        several["vpn"].number,
        several["voice"].number,
        several["internet"].number,
        Order.objects.get(title__startswith="=HYPERLINK").number,
    ]
    vpn = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert vpn["status"] == "In progress"
    assert vpn["touchpoints_done"] == "3"
    assert vpn["next_touchpoint"] == "TP4 Installation reminder"
    assert vpn["estimated_activation_on"] == "2026-12-18"
    assert vpn["care_manager"] == "Carla Care"
    assert vpn["services"] == "AR-COR-VPN-90003"
    # A cell that a spreadsheet would execute is defused.
    assert rows[-1][1].startswith("'=HYPERLINK")
    assert "ORD-2026-99999" not in text


def test_the_export_keeps_the_lists_filters(portal_admin_client, several):
    response = portal_admin_client.get(reverse("orders:export"), {"status": "waiting_customer"})
    rows = list(csv.reader(io.StringIO(response.getvalue().decode().lstrip("\ufeff"))))
    assert [row[0] for row in rows[1:]] == [several["voice"].number]
    assert rows[1][CSV_COLUMNS.index("status")] == "Waiting for you"


# --- the order page -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("until", "answer", "states"),
    [
        (0, True, ["current", "next", "next", "next", "next", "next"]),
        (1, False, ["current", "next", "next", "next", "next", "next"]),
        (1, True, ["done", "current", "next", "next", "next", "next"]),
        (3, True, ["done", "done", "done", "current", "next", "next"]),
        (6, True, ["done"] * 6),
    ],
)
def test_the_stepper_shows_done_current_and_next(
    portal_admin_client, order, advance, until, answer, states
):
    advance(order, until, answer=answer)
    body = portal_admin_client.get(_detail(order)).content.decode()
    assert _states(body) == states
    assert body.count('aria-current="step"') == states.count("current")


def test_a_waiting_order_asks_for_the_details_at_the_top(portal_admin_client, waiting):
    response = portal_admin_client.get(_detail(waiting))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Waiting for you" in body
    assert body.index('data-testid="answer-form"') < body.index('data-testid="stepper"')
    form = response.context["form"]
    assert [field.label for field in form] == DETAILS
    assert body.count("<textarea") == 2
    assert "Waiting for your answer" in body


def test_the_page_shows_what_each_touchpoint_carried(
    portal_admin_client, order, advance, portal_admin_user
):
    portal_admin_user.timezone = "America/Argentina/Buenos_Aires"
    portal_admin_user.save()
    advance(order, Step.CONNECTION)
    body = portal_admin_client.get(_detail(order)).content.decode()
    # TP1: questions and answers, and who answered.
    assert "LAN IP range" in body
    assert "10.20.0.0/24" in body
    assert "Rack B, unit 12" in body
    assert "Answered by Ana Admin" in body
    # TP3, TP4, TP6 dates; TP4's site preparation.
    assert "Estimated activation: <strong>Dec. 18, 2026</strong>" in body
    assert "Installation: <strong>Dec. 10, 2026</strong>" in body
    assert "Power and one rack unit" in body
    assert "Active since <strong>Dec. 17, 2026</strong>" in body
    # TP5: 12:00-16:00 UTC is 09:00-13:00 in Buenos Aires, with the zone named.
    assert "Dec. 17, 2026, 9 a.m." in body
    assert "Dec. 17, 2026, 1 p.m." in body
    assert "(America/Argentina/Buenos_Aires)" in body
    # The services, active since TP6, linked to their page.
    assert reverse("services:detail", args=["AR-BUE-INT-90001"]) in body
    assert "Active" in body
    assert "Your services have been active since Dec. 17, 2026." in body


def test_the_activation_window_is_shown_in_the_viewers_timezone(
    portal_admin_client, order, advance, portal_admin_user
):
    """A viewer in Bogotá sees the window at their own hour, and the site's hour beside it."""
    portal_admin_user.timezone = "America/Bogota"
    portal_admin_user.save()
    advance(order, Step.ACTIVATION_PLANNING)
    body = portal_admin_client.get(_detail(order)).content.decode()
    assert "Dec. 17, 2026, 7 a.m." in body
    assert "(America/Bogota)" in body
    assert (
        "Site time: Dec. 17, 2026, 9 a.m. – Dec. 17, 2026, 1 p.m. (America/Argentina/Buenos_Aires)"
        in body
    )


def test_the_care_manager_card_names_who_follows_the_order(portal_admin_client, waiting):
    body = portal_admin_client.get(_detail(waiting)).content.decode()
    card = body[body.index('data-testid="care-manager"') :]
    assert "Carla Care" in card
    assert 'href="mailto:carla@provider.test?subject=' + waiting.number in card
    assert 'href="tel:+541151705383"' in card


def test_without_a_care_manager_the_page_says_whom_to_write(
    portal_admin_client, make_order, customer
):
    """R-TEAM-3: nobody named yet: the care team's mailbox; with none, the account team."""
    order = make_order(care_manager=None)
    body = portal_admin_client.get(_detail(order)).content.decode()
    assert 'data-testid="care-manager-unassigned"' in body
    assert reverse("portal:team") in body
    TeamMailbox.objects.create(role=TeamRole.CUSTOMER_CARE_MANAGER, email="care@provider.test")
    body = portal_admin_client.get(_detail(order)).content.decode()
    assert 'data-testid="care-manager-mailbox"' in body
    assert "mailto:care@provider.test" in body


def test_the_timeline_lists_each_event_with_the_emails_it_sent(
    portal_admin_client, order, advance, customer
):
    NotificationContactFactory(customer=customer, name="Ops Desk", email="ops@acme.test")
    advance(order, Step.ESTIMATED_ACTIVATION)
    failed = Notification.objects.get(event=f"order:{order.number}:tp3", to_email="ops@acme.test")
    Notification.objects.filter(pk=failed.pk).update(
        status=Notification.Status.FAILED, last_error="550 mailbox smtp.internal.example full"
    )
    body = portal_admin_client.get(_detail(order)).content.decode()
    kinds = re.findall(r'data-testid="timeline-entry" data-kind="(\w+)"', body)
    assert kinds == ["touchpoint", "touchpoint", "answered", "touchpoint", "received"]
    assert "TP3 · Estimated activation date" in body
    assert "Ops Desk" in body
    assert "&lt;ops@acme.test&gt;" in body
    assert "Carla Care" in body  # the TP1 answer went to the care manager
    assert body.count('data-testid="timeline-mail" data-status="sent"') == 6
    assert body.count('data-testid="timeline-mail" data-status="failed"') == 1
    assert "Not delivered" in body
    assert "550 mailbox" not in body
    assert "smtp.internal" not in body


def test_the_scheduled_activation_reminder_is_listed_under_tp5(portal_admin_client, order, advance):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 12, tzinfo=UTC), tick=False):
        advance(order, Step.ACTIVATION_PLANNING)
    reminder = Notification.objects.get(template="orders/activation_reminder")
    assert reminder.status == Notification.Status.PENDING
    body = portal_admin_client.get(_detail(order)).content.decode()
    tp5 = body[body.index("TP5 · Activation planning") :]
    tp5 = tp5[: tp5.index("TP4 · Installation reminder")]
    assert 'data-status="pending"' in tp5
    assert "Scheduled" in tp5


def test_a_cancelled_order_says_so_with_its_reason(portal_admin_client, waiting, staff_user, send):
    send(order_cancel, order=waiting, reason="The site moved to another city.", actor=staff_user)
    body = portal_admin_client.get(_detail(waiting)).content.decode()
    assert "This order was cancelled." in body
    assert "The site moved to another city." in body
    assert 'data-testid="answer-form"' not in body
    assert "ics-installation" not in body


def test_a_closed_order_shows_its_first_invoice(
    portal_admin_client, order, advance, staff_user, send
):
    advance(order, Step.CONNECTION)
    send(
        first_invoice_record,
        order=order,
        invoiced_on=datetime.date(2027, 1, 5),
        actor=staff_user,
    )
    body = portal_admin_client.get(_detail(order)).content.decode()
    assert "This order is closed: its first invoice was issued on Jan. 5, 2027." in body
    assert "First invoice issued" in body


# --- answering TP1 --------------------------------------------------------------------------


def test_answering_tp1_stores_the_answers_and_tells_the_care_manager(
    portal_admin_client, waiting, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = portal_admin_client.post(
            _answer(waiting), {"detail_0": " 10.20.0.0/24 ", "detail_1": "Rack B, unit 12"}
        )
    assert response.status_code == 302
    assert response["Location"] == _detail(waiting)
    touchpoint = Touchpoint.objects.get(order=waiting, step=Step.TECHNICAL_DETAILS)
    assert touchpoint.answer_pairs == [
        ("LAN IP range", "10.20.0.0/24"),
        ("Rack position", "Rack B, unit 12"),
    ]
    assert touchpoint.answered_by.email == "admin@acme.test"
    waiting.refresh_from_db()
    assert waiting.status == Order.Status.IN_PROGRESS
    assert OrderEvent.objects.filter(order=waiting, kind=OrderEvent.Kind.ANSWERED).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["Carla Care <carla@provider.test>"]
    assert "10.20.0.0/24" in mail.outbox[0].body
    page = portal_admin_client.get(response["Location"]).content.decode()
    assert "Your customer care manager has your answers." in page
    assert _states(page)[:2] == ["done", "current"]


def test_an_answer_with_a_missing_detail_shows_the_form_again(portal_admin_client, waiting):
    response = portal_admin_client.post(
        _answer(waiting), {"detail_0": "10.20.0.0/24", "detail_1": "  "}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Answer this detail." in body
    assert 'data-testid="answer-form"' in body
    assert "10.20.0.0/24" in body  # what was typed is kept
    assert Touchpoint.objects.get(order=waiting, step=1).answered_at is None
    waiting.refresh_from_db()
    assert waiting.status == Order.Status.WAITING_CUSTOMER


def test_answering_an_order_that_does_not_wait_changes_nothing(portal_admin_client, order, advance):
    advance(order, Step.ORDER_CONFIRMED)
    before = Touchpoint.objects.get(order=order, step=1).answers
    response = portal_admin_client.post(
        _answer(order), {"detail_0": "other", "detail_1": "other"}, follow=True
    )
    assert response.status_code == 200
    assert "This order is not waiting for technical details." in response.content.decode()
    assert Touchpoint.objects.get(order=order, step=1).answers == before
    assert OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.ANSWERED).count() == 1


def test_a_cancelled_order_takes_no_answer(portal_admin_client, waiting, staff_user, send):
    send(order_cancel, order=waiting, reason="Site closed.", actor=staff_user)
    response = portal_admin_client.post(
        _answer(waiting), {"detail_0": "a", "detail_1": "b"}, follow=True
    )
    assert "This order is not waiting for technical details." in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Order.Status.CANCELLED
    assert Touchpoint.objects.get(order=waiting, step=1).answered_at is None


# --- calendar files -------------------------------------------------------------------------


def test_the_calendar_files_hold_the_installation_day_and_the_activation_window(
    portal_admin_client, order, advance
):
    advance(order, Step.ACTIVATION_PLANNING)
    body = portal_admin_client.get(_detail(order)).content.decode()
    assert _calendar(order, "installation") in body
    assert _calendar(order, "activation") in body

    response = portal_admin_client.get(_calendar(order, "installation"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert (
        response["Content-Disposition"] == f'attachment; filename="{order.number}-installation.ics"'
    )
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == datetime.date(2026, 12, 10)
    assert event.decoded("dtend") == datetime.date(2026, 12, 11)
    assert order.number in str(event["summary"])

    response = portal_admin_client.get(_calendar(order, "activation"))
    assert (
        response["Content-Disposition"] == f'attachment; filename="{order.number}-activation.ics"'
    )
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == WINDOW_START
    assert event.decoded("dtend") == WINDOW_END
    assert "AR-BUE-INT-90001" in str(event["location"])


# --- a fixed number of queries --------------------------------------------------------------


def _query_count(client, path) -> int:
    client.get(path)  # the first request of a session records the session itself
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_list_runs_the_same_queries_for_1_and_50_orders(portal_admin_client, customer, ccm):
    OrderFactory(customer=customer, care_manager=ccm)
    one = _query_count(portal_admin_client, reverse("orders:list"))
    for n in range(49):
        order = OrderFactory(
            customer=customer,
            care_manager=TeamPersonFactory(),
            status=Order.Status.WAITING_CUSTOMER if n % 3 else Order.Status.IN_PROGRESS,
            last_step=1,
        )
        order.services.add(provisioning_service(customer))
    fifty = _query_count(portal_admin_client, reverse("orders:list"))
    assert fifty == one
    assert _query_count(portal_admin_client, reverse("orders:export")) <= one


def test_the_order_page_runs_the_same_queries_however_long_its_history(
    portal_admin_client, make_order, advance, customer
):
    few = make_order(title="Few", service_id="AR-Q-1")
    baseline = _query_count(portal_admin_client, _detail(few))
    for n in range(5):
        NotificationContactFactory(customer=customer, email=f"ops{n}@acme.test")
    many = make_order(title="Many", service_id="AR-Q-2")
    for n in range(4):
        many.services.add(provisioning_service(customer, service_id=f"AR-Q-2{n}"))
    advance(many, Step.CONNECTION)
    assert Notification.objects.filter(subject_reference=many.number).count() > 30
    assert _query_count(portal_admin_client, _detail(many)) == baseline


def test_services_status_changes_are_visible_on_the_page(portal_admin_client, order, advance):
    advance(order, Step.CONNECTION)
    assert Service.objects.get(service_id="AR-BUE-INT-90001").status == Service.Status.ACTIVE
    body = portal_admin_client.get(_detail(order)).content.decode()
    service = body[body.index('data-testid="order-service"') :]
    assert "badge-ok" in service[:600]
