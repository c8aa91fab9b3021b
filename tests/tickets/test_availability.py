"""The availability report (R-TT-3): per service and month, the downtime of "service down"
tickets minus their pauses, clipped to the month in the customer's timezone; page, CSV, chart."""

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import Level
from tests.factories import MembershipFactory, ServiceFactory, ticket_open_for
from tickets import availability as av
from tickets.models import PauseInterval
from tickets.services import (
    ticket_cancel,
    ticket_reopen,
    ticket_reply,
    ticket_resolve,
    ticket_wait_for_customer,
)

BA = ZoneInfo("America/Argentina/Buenos_Aires")  # the customer persona's timezone, UTC-3
H = timedelta(hours=1)
ACCESS = PauseInterval.Reason.SITE_ACCESS
URL = reverse("tickets:availability")
CSV_URL = reverse("tickets:availability_export")


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=BA)


NOVEMBER = av.month_of(2026, 11, BA)
OCTOBER = av.month_of(2026, 10, BA)
NOW = at(2026, 11, 16, 12, 0)


# --- Pure arithmetic ------------------------------------------------------------------------------


def _segments(month, *, opened, restored=None, pauses=(), now=NOW):
    return av.down_segments(
        opened_at=opened,
        restored_at=restored,
        pauses=[av.sla.Interval(start, end) for start, end in pauses],
        start=month.start,
        end=month.end,
        now=now,
    )


SPANNING = {
    "opened": at(2026, 10, 30, 20, 0),
    "restored": at(2026, 11, 2, 10, 0),
    "pauses": [(at(2026, 10, 31, 22, 0), at(2026, 11, 1, 3, 0))],
}


def test_a_ticket_across_a_month_end_counts_only_its_part_inside_each_month():
    november = _segments(NOVEMBER, **SPANNING)
    assert november == [(at(2026, 11, 1, 3, 0), at(2026, 11, 2, 10, 0))]
    assert av.covered(november) == timedelta(hours=31)  # 34 h in November, 3 h paused
    october = _segments(OCTOBER, **SPANNING)
    assert october == [(at(2026, 10, 30, 20, 0), at(2026, 10, 31, 22, 0))]
    assert av.covered(october) == timedelta(hours=26)  # 28 h in October, 2 h paused


def test_two_pauses_split_the_downtime_to_the_second():
    segments = _segments(
        NOVEMBER,
        opened=at(2026, 11, 3, 9, 0),
        restored=at(2026, 11, 3, 15, 0, 30),
        pauses=[
            (at(2026, 11, 3, 10, 0), at(2026, 11, 3, 10, 20, 15)),
            (at(2026, 11, 3, 12, 0), at(2026, 11, 3, 13, 0)),
        ],
    )
    assert av.covered(segments) == timedelta(hours=4, minutes=40, seconds=15)


def test_a_ticket_still_down_counts_to_now_and_an_open_pause_does_not():
    segments = _segments(
        NOVEMBER, opened=at(2026, 11, 15, 10, 0), pauses=[(at(2026, 11, 16, 11, 0), None)]
    )
    assert av.covered(segments) == timedelta(hours=25)


def test_a_ticket_outside_the_month_counts_nothing():
    assert _segments(NOVEMBER, opened=at(2026, 10, 1, 9), restored=at(2026, 10, 31, 23, 59)) == []
    assert _segments(OCTOBER, opened=at(2026, 11, 1, 0, 0), restored=at(2026, 11, 1, 2)) == []


def test_a_pause_covering_the_whole_stretch_leaves_nothing():
    segments = _segments(
        NOVEMBER,
        opened=at(2026, 11, 3, 9),
        restored=at(2026, 11, 3, 11),
        pauses=[(at(2026, 11, 3, 8), at(2026, 11, 3, 12))],
    )
    assert segments == []


def test_overlapping_downtime_counts_once():
    first = (at(2026, 11, 3, 9), at(2026, 11, 3, 12))
    second = (at(2026, 11, 3, 11), at(2026, 11, 3, 13))
    inside = (at(2026, 11, 3, 9, 30), at(2026, 11, 3, 10))
    assert av.covered([second, first, inside]) == 4 * H


@pytest.mark.parametrize(
    ("unavailable", "percent"),
    [
        (timedelta(0), "100.000"),
        (timedelta(seconds=1), "99.999"),  # any downtime shows
        (timedelta(hours=31), "95.694"),
        (timedelta(days=30), "0.000"),
        (timedelta(days=40), "0.000"),
    ],
)
def test_availability_percent_of_a_thirty_day_month(unavailable, percent):
    assert av.availability_percent(unavailable, NOVEMBER.length) == Decimal(percent)


def test_a_month_is_measured_in_the_customers_timezone():
    assert NOVEMBER.start == datetime(2026, 11, 1, 3, 0, tzinfo=ZoneInfo("UTC"))
    assert NOVEMBER.minutes == 30 * 24 * 60
    assert av.month_of(2026, 2, BA).minutes == 28 * 24 * 60
    new_york = av.month_of(2026, 3, ZoneInfo("America/New_York"))
    assert new_york.minutes == 31 * 24 * 60 - 60  # the hour lost to daylight saving time
    assert av.month_of(2026, 12, BA).end == at(2027, 1, 1)


def test_the_default_month_is_the_current_one_in_the_customers_timezone():
    # 1 Dec 01:00 UTC is still 30 Nov 22:00 in Buenos Aires.
    now = datetime(2026, 12, 1, 1, 0, tzinfo=ZoneInfo("UTC"))
    assert av.month_parse("", tz=BA, now=now).key == "2026-11"
    assert av.month_parse(" 2026-03 ", tz=BA, now=now).key == "2026-03"


@pytest.mark.parametrize(
    "value", ["2026-13", "2026-00", "2026-1", "11-2026", "abc", "2026-11-01", "1999-12", "2027-01"]
)
def test_a_bad_or_future_month_is_refused(value):
    with pytest.raises(av.MonthError):
        av.month_parse(value, tz=BA, now=NOW)


def test_month_neighbours_stop_at_the_current_month_and_the_first_year():
    assert av.month_neighbours(NOVEMBER, tz=BA, now=NOW) == (OCTOBER, None)
    previous, following = av.month_neighbours(av.month_of(2000, 1, BA), tz=BA, now=NOW)
    assert previous is None
    assert following.key == "2000-02"
    assert av.month_of(2026, 1, BA).shifted(-1, BA).key == "2025-12"


# --- Through the services and the database ------------------------------------------------------


@pytest.fixture
def travel(db):
    traveller = time_machine.travel(at(2026, 10, 1, 0, 0), tick=False)
    coordinates = traveller.start()
    yield coordinates.move_to
    traveller.stop()


@pytest.fixture
def act(travel, django_capture_on_commit_callbacks):
    def _act(when, function, **kwargs):
        travel(when)
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return _act


@pytest.fixture
def world(customer, other_customer, portal_admin_user, other_user, staff_user, act, travel):
    """Acme: a ticket across October/November with a pause across the month end (service A);
    one still down now with a pause running (B); a degraded ticket (C) and a cancelled one (A)
    that do not count; Globex: a down ticket of its own."""
    a = ServiceFactory(customer=customer, service_id="AR-BUE-IPVPN-00001", site_name="Depósito")
    b = ServiceFactory(customer=customer, service_id="AR-BUE-IPVPN-00002", site_name="Oficina")
    c = ServiceFactory(customer=customer, service_id="AR-BUE-IPVPN-00003", site_name="Planta")
    globex = ServiceFactory(customer=other_customer, service_id="BR-SAO-IPVPN-00009")

    spanning = act(
        at(2026, 10, 30, 20, 0),
        ticket_open_for,
        customer=customer,
        user=portal_admin_user,
        service=a,
    )
    act(
        at(2026, 10, 31, 22, 0),
        ticket_wait_for_customer,
        ticket=spanning,
        reason=ACCESS,
        actor=staff_user,
    )
    act(at(2026, 11, 1, 3, 0), ticket_reply, ticket=spanning, author=portal_admin_user, body="Open")
    act(at(2026, 11, 2, 10, 0), ticket_resolve, ticket=spanning, actor=staff_user, resolution="Ok")

    running = act(
        at(2026, 11, 15, 10, 0),
        ticket_open_for,
        customer=customer,
        user=portal_admin_user,
        service=b,
    )
    act(
        at(2026, 11, 16, 11, 0),
        ticket_wait_for_customer,
        ticket=running,
        reason=ACCESS,
        actor=staff_user,
    )

    act(
        at(2026, 11, 5, 9, 0),
        ticket_open_for,
        customer=customer,
        user=portal_admin_user,
        service=c,
        impact="degraded",
    )
    cancelled = act(
        at(2026, 11, 6, 9, 0), ticket_open_for, customer=customer, user=portal_admin_user, service=a
    )
    act(
        at(2026, 11, 6, 9, 5),
        ticket_cancel,
        ticket=cancelled,
        actor=portal_admin_user,
        reason="Mistake",
    )
    act(
        at(2026, 11, 7, 9, 0),
        ticket_open_for,
        customer=other_customer,
        user=other_user,
        service=globex,
    )
    travel(NOW)
    return {
        "a": a,
        "b": b,
        "c": c,
        "spanning": spanning,
        "running": running,
        "cancelled": cancelled,
    }


def _rows(report):
    return {row.service.service_id: row for row in report.rows}


def test_the_report_counts_down_tickets_minus_pauses_clipped_to_the_month(customer, world):
    report = av.availability_for_customer(customer, NOVEMBER)
    rows = _rows(report)
    assert list(rows) == ["AR-BUE-IPVPN-00001", "AR-BUE-IPVPN-00002", "AR-BUE-IPVPN-00003"]

    a = rows["AR-BUE-IPVPN-00001"]
    assert a.unavailable == timedelta(hours=31)
    assert a.percent == Decimal("95.694")
    assert [item.ticket for item in a.tickets] == [world["spanning"]]
    (spanning,) = a.tickets
    assert (spanning.start, spanning.end) == (at(2026, 11, 1, 0, 0), at(2026, 11, 2, 10, 0))
    assert spanning.paused == 3 * H

    b = rows["AR-BUE-IPVPN-00002"]
    assert b.unavailable == timedelta(hours=25)  # 26 h to now, the running pause left out
    assert b.percent == Decimal("96.527")
    assert b.tickets[0].end == NOW

    c = rows["AR-BUE-IPVPN-00003"]  # only a degraded ticket: fully available
    assert (c.unavailable, c.percent, c.tickets) == (timedelta(0), Decimal("100.000"), [])
    assert [item.ticket for item in report.tickets] == [world["spanning"], world["running"]]


def test_october_gets_the_other_part_of_the_spanning_ticket(customer, world):
    rows = _rows(av.availability_for_customer(customer, OCTOBER))
    assert rows["AR-BUE-IPVPN-00001"].unavailable == timedelta(hours=26)
    assert rows["AR-BUE-IPVPN-00001"].percent == Decimal("96.505")  # 1 - 26 h / 744 h
    assert rows["AR-BUE-IPVPN-00002"].unavailable == timedelta(0)


def test_the_running_ticket_grows_while_the_clock_runs(customer, world, act, portal_admin_user):
    act(
        at(2026, 11, 16, 13, 0),
        ticket_reply,
        ticket=world["running"],
        author=portal_admin_user,
        body="Ok",
    )
    report = av.availability_for_customer(customer, NOVEMBER, now=at(2026, 11, 16, 14, 30))
    # 10:00 (15th) -> 14:30 (16th) is 28.5 h; the pause 11:00 -> 13:00 took 2 h out.
    assert _rows(report)["AR-BUE-IPVPN-00002"].unavailable == timedelta(hours=26, minutes=30)


def test_a_reopened_ticket_counts_the_time_it_was_wrongly_resolved(
    customer, portal_admin_user, staff_user, act
):
    service = ServiceFactory(customer=customer)
    ticket = act(
        at(2026, 11, 3, 9, 0),
        ticket_open_for,
        customer=customer,
        user=portal_admin_user,
        service=service,
    )
    act(at(2026, 11, 3, 10, 0), ticket_resolve, ticket=ticket, actor=staff_user, resolution="Ok")
    act(
        at(2026, 11, 3, 12, 0),
        ticket_reopen,
        ticket=ticket,
        actor=portal_admin_user,
        reason="Still down",
    )
    act(
        at(2026, 11, 3, 13, 0), ticket_resolve, ticket=ticket, actor=staff_user, resolution="Ok now"
    )
    row = av.availability_for_customer(customer, NOVEMBER, now=NOW).rows[0]
    assert row.unavailable == 4 * H


def test_two_tickets_for_one_outage_count_its_time_once(
    customer, portal_admin_user, staff_user, act
):
    service = ServiceFactory(customer=customer)
    first = act(
        at(2026, 11, 3, 9, 0),
        ticket_open_for,
        customer=customer,
        user=portal_admin_user,
        service=service,
    )
    second = act(
        at(2026, 11, 3, 10, 0),
        ticket_open_for,
        customer=customer,
        user=portal_admin_user,
        service=service,
    )
    act(at(2026, 11, 3, 11, 0), ticket_resolve, ticket=first, actor=staff_user, resolution="Ok")
    act(at(2026, 11, 3, 12, 0), ticket_resolve, ticket=second, actor=staff_user, resolution="Ok")
    row = av.availability_for_customer(customer, NOVEMBER, now=NOW).rows[0]
    assert row.unavailable == 3 * H
    assert [item.counted for item in row.tickets] == [2 * H, 2 * H]


def test_a_ticket_on_two_services_counts_for_both(customer, portal_admin_user, staff_user, act):
    from tickets.services import ticket_open

    one, two = ServiceFactory(customer=customer), ServiceFactory(customer=customer)
    act(at(2026, 11, 3, 9, 0), lambda: None)
    ticket = ticket_open(
        customer=customer,
        opened_by=portal_admin_user,
        services=[one, two],
        impact="down",
        subject="Both down",
        description="Fibre cut",
        problem_started_at=at(2026, 11, 3, 8, 50),
        site_contact_name="Nico",
        site_contact_phone="+54 11 5555 0101",
        access_hours="24x7",
    )
    act(
        at(2026, 11, 3, 10, 30),
        ticket_resolve,
        ticket=ticket,
        actor=staff_user,
        resolution="Spliced",
    )
    rows = av.availability_for_customer(customer, NOVEMBER, now=NOW).rows
    assert [row.unavailable for row in rows] == [timedelta(minutes=90)] * 2


def test_the_chart_draws_only_services_with_downtime(customer, world):
    chart = av.chart_layout(av.availability_for_customer(customer, NOVEMBER).rows)
    assert [bar.row.service.service_id for bar in chart.bars] == [
        "AR-BUE-IPVPN-00001",
        "AR-BUE-IPVPN-00002",
    ]
    assert chart.floor == 94  # the lowest (95.694 %) sits above the axis start
    assert 0 < chart.bars[0].width < chart.bars[1].width < chart.bar_width
    assert av.chart_layout([]) is None


# --- The page and the CSV -----------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert client.get(CSV_URL).status_code == 302


def test_a_member_without_the_tickets_permission_is_refused(client, customer, admin_membership):
    membership = MembershipFactory(customer=customer, tickets=Level.NONE, services=Level.VIEW)
    client.force_login(membership.user)
    assert client.get(URL).status_code == 403
    assert client.get(CSV_URL).status_code == 403


def test_post_is_refused(portal_admin_client):
    assert portal_admin_client.post(URL).status_code == 405
    assert portal_admin_client.post(CSV_URL).status_code == 405


def test_the_page_shows_each_service_its_availability_and_tickets(portal_admin_client, world):
    response = portal_admin_client.get(URL, {"month": "2026-11"})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="availability-row"') == 3
    assert "31:00:00" in page
    assert "25:00:00" in page
    assert "0:00:00" in page
    assert world["spanning"].number in page
    assert world["running"].number in page
    assert world["cancelled"].number not in page
    assert 'data-testid="availability-chart"' in page
    assert "<svg" in page
    assert page.count('class="chart-bar') == 2
    assert reverse("tickets:list") in page
    assert f"{CSV_URL}?month=2026-11" in page
    assert "?month=2026-10" in page  # the previous month; no next month after the current one
    assert "?month=2026-12" not in page
    assert "BR-SAO-IPVPN-00009" not in page
    assert response.context["report"].month == NOVEMBER


def test_the_page_defaults_to_the_current_month_in_the_customers_timezone(
    client, portal_admin_user, world, travel
):
    travel(datetime(2026, 12, 1, 1, 0, tzinfo=ZoneInfo("UTC")))  # 30 Nov 22:00 in Buenos Aires
    client.force_login(portal_admin_user)  # signed in at the travelled time: the session is fresh
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["month"] == NOVEMBER
    assert 'value="2026-11"' in response.content.decode()


def test_another_customer_sees_only_their_own_services(client, other_user, world):
    client.force_login(other_user)
    page = client.get(URL, {"month": "2026-11"}).content.decode()
    assert "BR-SAO-IPVPN-00009" in page
    assert "AR-BUE-IPVPN-0000" not in page
    assert world["spanning"].number not in page
    rows = list(
        csv.reader(
            io.StringIO(client.get(CSV_URL, {"month": "2026-11"}).getvalue().decode("utf-8-sig"))
        )
    )
    assert [row[1] for row in rows[1:]] == ["BR-SAO-IPVPN-00009"]


def test_a_month_without_down_tickets_shows_every_service_at_100(portal_admin_client, world):
    page = portal_admin_client.get(URL, {"month": "2026-09"}).content.decode()
    assert page.count('data-testid="availability-row"') == 3
    assert page.count("100.000 %") == 3
    assert 'data-testid="availability-all-up"' in page


@pytest.mark.parametrize("month", ["2026-13", "nov", "2026-11-01", "1999-12", "2027-01", "2026-1"])
def test_a_bad_month_is_a_400_with_a_message(portal_admin_client, world, month):
    response = portal_admin_client.get(URL, {"month": month})
    assert response.status_code == 400
    assert 'data-testid="availability-error"' in response.content.decode()
    assert "YYYY-MM" in response.content.decode()
    assert portal_admin_client.get(CSV_URL, {"month": month}).status_code == 400


def test_the_csv_has_one_row_per_service_to_the_second(portal_admin_client, world):
    response = portal_admin_client.get(CSV_URL, {"month": "2026-11"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="availability-2026-11.csv"'
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert rows[0] == [
        "month",
        "service_id",
        "site_name",
        "product_line",
        "minutes_in_month",
        "unavailable_seconds",
        "unavailable",
        "availability_percent",
        "tickets",
    ]
    by_service = {row[1]: row for row in rows[1:]}
    assert list(by_service) == ["AR-BUE-IPVPN-00001", "AR-BUE-IPVPN-00002", "AR-BUE-IPVPN-00003"]
    assert by_service["AR-BUE-IPVPN-00001"][2] == "Depósito"
    assert by_service["AR-BUE-IPVPN-00001"][4:] == [
        "43200",
        "111600",
        "31:00:00",
        "95.694",
        world["spanning"].number,
    ]
    assert by_service["AR-BUE-IPVPN-00002"][5:] == [
        "90000",
        "25:00:00",
        "96.527",
        world["running"].number,
    ]
    assert by_service["AR-BUE-IPVPN-00003"][5:] == ["0", "0:00:00", "100.000", ""]


def test_a_csv_cell_that_looks_like_a_formula_is_defused(portal_admin_client, customer, db):
    ServiceFactory(customer=customer, site_name="=HYPERLINK(1)")
    rows = list(
        csv.reader(io.StringIO(portal_admin_client.get(CSV_URL).getvalue().decode("utf-8-sig")))
    )
    assert rows[1][2] == "'=HYPERLINK(1)"


def _count_queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_services_and_tickets(
    portal_admin_client, customer, portal_admin_user, staff_user, act, travel
):
    def add(count: int) -> None:
        for hour in range(count):
            service = ServiceFactory(customer=customer)
            ticket = act(
                at(2026, 11, 2, hour % 20, 0),
                ticket_open_for,
                customer=customer,
                user=portal_admin_user,
                service=service,
            )
            act(
                at(2026, 11, 2, hour % 20, 10),
                ticket_wait_for_customer,
                ticket=ticket,
                reason=ACCESS,
                actor=staff_user,
            )
            act(
                at(2026, 11, 2, hour % 20, 40),
                ticket_reply,
                ticket=ticket,
                author=portal_admin_user,
                body="Ok",
            )

    add(1)
    travel(NOW)
    _count_queries(portal_admin_client, URL, {"month": "2026-11"})  # the session's first use
    one = {
        url: _count_queries(portal_admin_client, url, {"month": "2026-11"})
        for url in (URL, CSV_URL)
    }
    add(29)
    travel(NOW)
    thirty = {
        url: _count_queries(portal_admin_client, url, {"month": "2026-11"})
        for url in (URL, CSV_URL)
    }
    assert one == thirty
    page = portal_admin_client.get(URL, {"month": "2026-11"}).content.decode()
    assert page.count('data-testid="availability-row"') == 30
    assert page.count('data-testid="availability-ticket"') == 30
