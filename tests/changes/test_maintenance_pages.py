"""The customer's maintenance pages (R-GCR-1..5): the calendar, a maintenance's page, its .ics,
the request to reschedule (R-GCR-2), the private calendar feed, and the maintenance on the
dashboard and on a service's page. A customer only ever sees its own affected services."""

import itertools
import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from changes.models import (
    CalendarFeed,
    ChangeRequest,
    Impact,
    Maintenance,
    MaintenanceEvent,
    MaintenanceImpact,
    MaintenanceObjection,
)
from changes.services.maintenance import calendar_feed_rotate
from core.models import AuditEvent, Level
from tests.factories import MembershipFactory, ServiceFactory

_numbers = itertools.count(1)
SECRET = "Globex Rio Secret Site"


def make_maintenance(
    rows,
    *,
    start=None,
    hours=1.5,
    status=Maintenance.Status.SCHEDULED,
    kind=Maintenance.Kind.PLANNED,
    reason="Fibre splice on the Riachuelo ring",
):
    """An announced maintenance on `rows` = [(service, impact, minutes)], as the lead's services
    leave it (with its first history step)."""
    start = start or datetime.combine(
        timezone.now().date() + timedelta(days=12), time(7), tzinfo=UTC
    )
    maintenance = Maintenance.objects.create(
        reference=f"MNT-2099-{next(_numbers):04d}",
        reason=reason,
        kind=kind,
        status=status,
        start=start,
        end=start + timedelta(hours=hours),
        announced_at=None if status == Maintenance.Status.DRAFT else timezone.now(),
        sequence=0 if status == Maintenance.Status.DRAFT else 1,
    )
    for service, impact, minutes in rows:
        MaintenanceImpact.objects.create(
            maintenance=maintenance, service=service, impact=impact, expected_outage_minutes=minutes
        )
    if status != Maintenance.Status.DRAFT:
        MaintenanceEvent.objects.create(
            maintenance=maintenance, status=status, start=maintenance.start, end=maintenance.end
        )
    return maintenance


@pytest.fixture
def acme_services(customer):
    return {
        "ar": ServiceFactory(
            customer=customer, service_id="AR-BUE-IPVPN-77001", site_name="Casa central"
        ),
        "mx": ServiceFactory(
            customer=customer,
            service_id="MX-MEX-INT-77002",
            site_name="Planta Toluca",
            country="MX",
        ),
        "idle": ServiceFactory(customer=customer, service_id="AR-COR-INT-77003"),
    }


@pytest.fixture
def globex_service(other_customer):
    return ServiceFactory(
        customer=other_customer,
        service_id="BR-RIO-IPVPN-99001",
        site_name=SECRET,
        country="BR",
    )


@pytest.fixture
def shared(acme_services, globex_service):
    """Planned work on Acme's two services and on Globex's."""
    return make_maintenance(
        [
            (acme_services["ar"], Impact.OUTAGE, 45),
            (acme_services["mx"], Impact.REDUCED_REDUNDANCY, 0),
            (globex_service, Impact.OUTAGE, 90),
        ]
    )


def _url(name, maintenance=None, **kwargs):
    if maintenance is not None:
        kwargs["reference"] = maintenance.reference
    return reverse(f"changes:{name}", kwargs=kwargs)


def _assert_no_globex(text: str) -> None:
    assert "BR-RIO-IPVPN-99001" not in text
    assert SECRET not in text
    assert "Globex" not in text


def _ical(response) -> Calendar:
    return Calendar.from_ical(response.content)


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["maintenance_detail", "maintenance_ics"])
def test_anonymous_is_sent_to_sign_in(client, shared, name):
    response = client.get(_url(name, shared))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_anonymous_calendar_is_sent_to_sign_in(client, db):
    response = client.get(_url("maintenance"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["maintenance_detail", "maintenance_ics"])
def test_another_customer_gets_404_for_maintenance_not_on_its_services(
    client, other_user, acme_services, name
):
    only_acme = make_maintenance([(acme_services["ar"], Impact.OUTAGE, 30)])
    client.force_login(other_user)
    assert client.get(_url(name, only_acme)).status_code == 404
    assert client.post(_url("maintenance_object", only_acme), {"message": "No"}).status_code == 404


def test_member_without_changes_permission_gets_403(limited_client, shared):
    for url in (_url("maintenance"), _url("maintenance_detail", shared)):
        assert limited_client.get(url).status_code == 403
    assert limited_client.get(_url("maintenance_ics", shared)).status_code == 403
    response = limited_client.post(_url("maintenance_object", shared), {"message": "Later"})
    assert response.status_code == 403
    assert not MaintenanceObjection.objects.exists()


def test_draft_maintenance_is_invisible(portal_admin_client, portal_admin_user, acme_services):
    draft = make_maintenance(
        [(acme_services["ar"], Impact.OUTAGE, 30)], status=Maintenance.Status.DRAFT
    )
    assert portal_admin_client.get(_url("maintenance_detail", draft)).status_code == 404
    assert portal_admin_client.get(_url("maintenance_ics", draft)).status_code == 404
    assert draft.reference not in portal_admin_client.get(_url("maintenance")).content.decode()
    month = draft.start.strftime("%Y-%m")
    page = portal_admin_client.get(_url("maintenance") + f"?view=month&month={month}")
    assert draft.reference not in page.content.decode()
    token, _replaced = calendar_feed_rotate(membership=portal_admin_user.memberships.get())
    feed = _ical(portal_admin_client.get(_url("feed", token=token)))
    assert not feed.walk("VEVENT")


# --- a maintenance's page ----------------------------------------------------------------------


def test_maintenance_page_shows_own_services_impacts_and_local_times(portal_admin_client, shared):
    response = portal_admin_client.get(_url("maintenance_detail", shared))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fibre splice on the Riachuelo ring" in html
    assert "AR-BUE-IPVPN-77001" in html
    assert "MX-MEX-INT-77002" in html
    assert "AR-COR-INT-77003" not in html  # not affected
    assert "45 minutes of outage expected" in html
    assert "Reduced redundancy" in html
    assert "Outage" in html
    # The viewer's timezone (Buenos Aires, the customer's) and each site's local time.
    start_ba = shared.start.astimezone(timezone.get_fixed_timezone(-180)).isoformat()
    start_mx = shared.start.astimezone(timezone.get_fixed_timezone(-360)).isoformat()
    assert f'datetime="{start_ba}"' in html
    assert f'datetime="{start_mx}"' in html
    assert "America/Mexico_City" in html
    assert len(response.context["events"]) == 1  # the status history
    _assert_no_globex(html)


def test_another_customer_sees_only_its_own_service_of_a_shared_maintenance(
    client, other_user, shared
):
    client.force_login(other_user)
    html = client.get(_url("maintenance_detail", shared)).content.decode()
    assert "BR-RIO-IPVPN-99001" in html
    assert "AR-BUE-IPVPN-77001" not in html
    assert "Casa central" not in html
    assert "Acme" not in html


def test_emergency_and_status_history_are_shown(portal_admin_client, acme_services):
    emergency = make_maintenance(
        [(acme_services["ar"], Impact.DEGRADED, 10)],
        kind=Maintenance.Kind.EMERGENCY,
        start=timezone.now() + timedelta(hours=20),
    )
    emergency.status = Maintenance.Status.RESCHEDULED
    emergency.save()
    MaintenanceEvent.objects.create(
        maintenance=emergency,
        status=Maintenance.Status.RESCHEDULED,
        start=emergency.start,
        end=emergency.end,
        note="Moved two hours later",
    )
    response = portal_admin_client.get(_url("maintenance_detail", emergency))
    assert 'data-testid="emergency-note"' in response.content.decode()
    assert [e.status for e in response.context["events"]] == ["scheduled", "rescheduled"]
    assert "Moved two hours later" in response.content.decode()


def test_ics_download_carries_only_own_services(portal_admin_client, customer, shared):
    response = portal_admin_client.get(_url("maintenance_ics", shared))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{shared.reference}.ics"'
    _assert_no_globex(response.content.decode())
    (event,) = _ical(response).walk("VEVENT")
    objects = event.get("X-MAINTNOTE-OBJECT-ID")
    assert sorted(str(o) for o in objects) == ["AR-BUE-IPVPN-77001", "MX-MEX-INT-77002"]
    assert str(event["X-MAINTNOTE-ACCOUNT"]) == str(customer.reference)
    assert str(event["X-MAINTNOTE-IMPACT"]) == "OUTAGE"


# --- the request to reschedule (R-GCR-2) --------------------------------------------------------


def test_request_to_reschedule_is_recorded_and_shown(
    portal_admin_client, portal_admin_user, shared
):
    response = portal_admin_client.post(
        _url("maintenance_object", shared), {"message": "Month-end closing: any night after 3rd"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(_url("maintenance_detail", shared) + "#reschedule")
    objection = MaintenanceObjection.objects.get()
    assert (objection.maintenance, objection.author) == (shared, portal_admin_user)
    assert objection.customer == portal_admin_user.memberships.get().customer
    page = portal_admin_client.get(response["Location"]).content.decode()
    assert "Change Management received your request" in page
    assert "Received by Change Management" in page
    assert "Month-end closing" in page


def test_request_to_reschedule_is_refused_when_completed(portal_admin_client, acme_services):
    done = make_maintenance(
        [(acme_services["ar"], Impact.OUTAGE, 30)],
        start=timezone.now() - timedelta(days=3),
        status=Maintenance.Status.COMPLETED,
    )
    page = portal_admin_client.get(_url("maintenance_detail", done)).content.decode()
    assert 'data-testid="reschedule-submit"' not in page
    response = portal_admin_client.post(_url("maintenance_object", done), {"message": "Too late?"})
    assert response.status_code == 400
    assert "can no longer be rescheduled" in response.content.decode()
    assert not MaintenanceObjection.objects.exists()


def test_request_to_reschedule_needs_a_message_and_post(portal_admin_client, shared):
    response = portal_admin_client.post(_url("maintenance_object", shared), {"message": "  "})
    assert response.status_code == 400
    assert portal_admin_client.get(_url("maintenance_object", shared)).status_code == 405
    assert not MaintenanceObjection.objects.exists()


def test_view_only_member_cannot_request_to_reschedule(client, customer, shared):
    viewer = MembershipFactory(customer=customer, changes=Level.VIEW).user
    client.force_login(viewer)
    page = client.get(_url("maintenance_detail", shared))
    assert page.status_code == 200
    assert 'data-testid="reschedule-submit"' not in page.content.decode()
    response = client.post(_url("maintenance_object", shared), {"message": "Later"})
    assert response.status_code == 403
    assert not MaintenanceObjection.objects.exists()


# --- the calendar ---------------------------------------------------------------------------


def test_upcoming_and_past_lists(portal_admin_client, acme_services, shared):
    past = make_maintenance(
        [(acme_services["ar"], Impact.DEGRADED, 5)],
        start=timezone.now() - timedelta(days=20),
        status=Maintenance.Status.COMPLETED,
    )
    cancelled = make_maintenance(
        [(acme_services["mx"], Impact.NO_IMPACT, 0)],
        start=timezone.now() + timedelta(days=15),
        status=Maintenance.Status.CANCELLED,
    )
    upcoming = portal_admin_client.get(_url("maintenance"))
    assert upcoming.status_code == 200
    references = [m.reference for m in upcoming.context["rows"]]
    assert references == [shared.reference, cancelled.reference]
    html = upcoming.content.decode()
    assert "Cancelled" in html
    assert "2 services" in html
    _assert_no_globex(html)
    row = upcoming.context["rows"][0]
    assert row.worst == Impact.OUTAGE
    old = portal_admin_client.get(_url("maintenance") + "?view=past")
    assert [m.reference for m in old.context["rows"]] == [past.reference]


def test_filters_by_service_and_impact(portal_admin_client, acme_services, shared):
    other = make_maintenance(
        [(acme_services["mx"], Impact.DEGRADED, 5)], start=timezone.now() + timedelta(days=20)
    )
    by_service = portal_admin_client.get(_url("maintenance") + "?service=AR-BUE-IPVPN-77001")
    assert [m.reference for m in by_service.context["rows"]] == [shared.reference]
    by_impact = portal_admin_client.get(_url("maintenance") + "?impact=degraded")
    assert [m.reference for m in by_impact.context["rows"]] == [other.reference]
    # Another customer's service id is not a choice: refused, never a leak.
    assert (
        portal_admin_client.get(_url("maintenance") + "?service=BR-RIO-IPVPN-99001").status_code
        == 400
    )


def test_month_view_places_maintenance_on_its_day(portal_admin_client, shared):
    local_start = timezone.localtime(shared.start, timezone.get_fixed_timezone(-180))
    month = local_start.strftime("%Y-%m")
    response = portal_admin_client.get(_url("maintenance") + f"?month={month}")
    assert response.status_code == 200
    assert response.context["view"] == "month"
    busy = [
        cell["day"]
        for week in response.context["weeks"]
        for cell in week
        if shared in cell["items"]
    ]
    assert busy == [local_start.date()]
    html = response.content.decode()
    assert shared.reference in html
    first = local_start.date().replace(day=1)
    previous = (first - timedelta(days=1)).strftime("%Y-%m")
    assert f"month={previous}" in html
    _assert_no_globex(html)
    assert portal_admin_client.get(_url("maintenance") + "?view=month").status_code == 200


@pytest.mark.parametrize("month", ["2026-13", "abcd", "2026-5", "99999-01", "1900-01"])
def test_bad_month_is_a_400_with_a_message(portal_admin_client, db, month):
    response = portal_admin_client.get(_url("maintenance") + f"?view=month&month={month}")
    assert response.status_code == 400
    assert "YYYY-MM" in response.content.decode()


# --- the private feed -------------------------------------------------------------------------


def test_feed_works_without_sign_in_and_carries_bcop_events(
    client, customer, admin_membership, acme_services
):
    upcoming = make_maintenance([(acme_services["ar"], Impact.OUTAGE, 30)])
    recent = make_maintenance(
        [(acme_services["mx"], Impact.DEGRADED, 5)],
        start=timezone.now() - timedelta(days=30),
        status=Maintenance.Status.COMPLETED,
    )
    ancient = make_maintenance(
        [(acme_services["mx"], Impact.DEGRADED, 5)],
        start=timezone.now() - timedelta(days=100),
        status=Maintenance.Status.COMPLETED,
    )
    token, _replaced = calendar_feed_rotate(membership=admin_membership)
    response = client.get(_url("feed", token=token))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    events = {str(e["X-MAINTNOTE-MAINTENANCE-ID"]): e for e in _ical(response).walk("VEVENT")}
    assert set(events) == {upcoming.reference, recent.reference}
    assert ancient.reference not in events
    event = events[upcoming.reference]
    assert str(event["X-MAINTNOTE-STATUS"]) == "CONFIRMED"
    assert str(event["X-MAINTNOTE-IMPACT"]) == "OUTAGE"
    assert str(event["X-MAINTNOTE-OBJECT-ID"]) == "AR-BUE-IPVPN-77001"
    assert str(event["X-MAINTNOTE-ACCOUNT"]) == str(customer.reference)
    assert str(events[recent.reference]["X-MAINTNOTE-STATUS"]) == "COMPLETED"


def test_feed_never_carries_another_customers_service(client, admin_membership, shared):
    token, _replaced = calendar_feed_rotate(membership=admin_membership)
    response = client.get(_url("feed", token=token))
    _assert_no_globex(response.content.decode())
    (event,) = _ical(response).walk("VEVENT")
    assert sorted(str(o) for o in event["X-MAINTNOTE-OBJECT-ID"]) == [
        "AR-BUE-IPVPN-77001",
        "MX-MEX-INT-77002",
    ]


def test_wrong_feed_token_is_404(client, admin_membership):
    calendar_feed_rotate(membership=admin_membership)
    assert client.get(_url("feed", token="not-the-token")).status_code == 404


def test_rotating_the_feed_stops_the_old_address(
    portal_admin_client, client, customer, portal_admin_user
):
    page = portal_admin_client.get(_url("maintenance"))
    assert 'data-testid="feed-rotate"' in page.content.decode()
    assert portal_admin_client.get(_url("feed_rotate")).status_code == 405
    old, _replaced = calendar_feed_rotate(membership=portal_admin_user.memberships.get())
    response = portal_admin_client.post(_url("feed_rotate"))
    assert response.status_code == 302
    new = re.search(
        r"/feed/([^/\"]+)\.ics", portal_admin_client.get(_url("maintenance")).content.decode()
    )
    assert new
    assert new.group(1) != old
    portal_admin_client.logout()
    assert client.get(_url("feed", token=old)).status_code == 404
    assert client.get(_url("feed", token=new.group(1))).status_code == 200
    event = AuditEvent.objects.filter(action="feed_rotate").latest("id")
    assert (event.customer, event.actor) == (customer, portal_admin_user)


def test_every_member_with_maintenance_makes_an_address_but_no_one_sees_anothers(
    client, customer, admin_membership
):
    admins, _replaced = calendar_feed_rotate(membership=admin_membership)
    viewer = MembershipFactory(customer=customer, changes=Level.ACT).user
    client.force_login(viewer)
    page = client.get(_url("maintenance")).content.decode()
    assert admins not in page
    assert 'data-testid="feed-rotate"' in page
    assert client.post(_url("feed_rotate")).status_code == 302
    assert CalendarFeed.objects.filter(membership__user=viewer).exists()


# --- the dashboard and a service's page --------------------------------------------------------


def test_dashboard_cards_for_maintenance_and_changes(
    portal_admin_client, portal_admin_user, acme_services
):
    soon = make_maintenance(
        [(acme_services["ar"], Impact.OUTAGE, 30)],
        kind=Maintenance.Kind.EMERGENCY,
        start=timezone.now() + timedelta(days=1),
    )
    later = make_maintenance(
        [(acme_services["ar"], Impact.OUTAGE, 30)], start=timezone.now() + timedelta(days=40)
    )
    change = ChangeRequest.objects.create(
        customer=acme_services["ar"].customer,
        number="CHG-2099-00001",
        status=ChangeRequest.Status.IN_ANALYSIS,
        analysis_deadline=timezone.now() + timedelta(days=2),
        requested_by=portal_admin_user,
    )
    ChangeRequest.objects.create(
        customer=acme_services["ar"].customer,
        number="CHG-2099-00002",
        status=ChangeRequest.Status.EXECUTED,
        requested_by=portal_admin_user,
    )
    response = portal_admin_client.get(reverse("portal:dashboard"))
    html = response.content.decode()
    assert 'data-testid="card-maintenance"' in html
    assert 'data-testid="card-changes"' in html
    assert soon.reference in html
    assert later.reference not in html
    cancelled = make_maintenance(
        [(acme_services["ar"], Impact.OUTAGE, 30)],
        start=timezone.now() + timedelta(days=5),
        status=Maintenance.Status.CANCELLED,
    )
    html = portal_admin_client.get(reverse("portal:dashboard")).content.decode()
    assert cancelled.reference not in html
    assert response.context["maintenance"]["count"] == 1
    assert response.context["maintenance"]["upcoming"][0].worst == Impact.OUTAGE
    assert change.number in html
    assert "CHG-2099-00002" not in html
    assert "analysis by" in html


def test_dashboard_cards_count_beyond_the_five_they_list(
    portal_admin_client, portal_admin_user, acme_services, globex_service
):
    """The cards list 5 and count every one (with the rows, one query each): a maintenance on
    two of the customer's services counts once; another customer's does not count."""
    for day in range(1, 8):
        make_maintenance(
            [(acme_services["ar"], Impact.OUTAGE, 30), (acme_services["mx"], Impact.DEGRADED, 0)],
            start=timezone.now() + timedelta(days=day),
        )
        ChangeRequest.objects.create(
            customer=acme_services["ar"].customer,
            number=f"CHG-2099-0010{day}",
            status=ChangeRequest.Status.IN_ANALYSIS,
            requested_by=portal_admin_user,
        )
    make_maintenance(
        [(globex_service, Impact.OUTAGE, 30)], start=timezone.now() + timedelta(days=2)
    )

    response = portal_admin_client.get(reverse("portal:dashboard"))

    assert response.context["maintenance"]["count"] == 7
    assert len(response.context["maintenance"]["upcoming"]) == 5
    assert response.context["changes"]["count"] == 7
    assert len(response.context["changes"]["open"]) == 5
    html = response.content.decode()
    assert html.count('href="/changes/maintenance/MNT-2099-') == 5
    assert '<span class="count">7</span>' in html


def test_dashboard_has_no_maintenance_cards_without_changes_permission(limited_client, shared):
    html = limited_client.get(reverse("portal:dashboard")).content.decode()
    assert 'data-testid="card-maintenance"' not in html
    assert 'data-testid="card-changes"' not in html


def test_service_page_lists_its_maintenance(portal_admin_client, acme_services, shared):
    only_mx = make_maintenance(
        [(acme_services["mx"], Impact.DEGRADED, 5)], start=timezone.now() + timedelta(days=14)
    )
    past = make_maintenance(
        [(acme_services["ar"], Impact.DEGRADED, 5)],
        start=timezone.now() - timedelta(days=10),
        status=Maintenance.Status.COMPLETED,
    )
    response = portal_admin_client.get(reverse("services:detail", args=["AR-BUE-IPVPN-77001"]))
    html = response.content.decode()
    assert 'data-testid="service-maintenance"' in html
    assert shared.reference in html
    assert past.reference in html
    assert only_mx.reference not in html
    assert response.context["maintenance"]["upcoming"][0].service_impact.impact == Impact.OUTAGE
    _assert_no_globex(html)


def test_service_page_has_no_maintenance_without_changes_permission(limited_client, shared):
    response = limited_client.get(reverse("services:detail", args=["AR-BUE-IPVPN-77001"]))
    assert response.status_code == 200
    assert 'data-testid="service-maintenance"' not in response.content.decode()
