"""Change Management works the change-request queue and the provider's maintenance in admin:
the steps call the services (R-CHG-4..6, R-GCR-2..5); other staff groups only look."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from changes.models import (
    ChangeRequest,
    Impact,
    Maintenance,
    MaintenanceEvent,
    MaintenanceObjection,
    StandardChange,
)
from changes.services.maintenance import maintenance_confirm, maintenance_create
from core.lib.business_time import is_business_day
from tests.factories import (
    ChangeRequestFactory,
    CustomerFactory,
    NotificationContactFactory,
    ServiceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BUENOS_AIRES = ZoneInfo("America/Argentina/Buenos_Aires")


@pytest.fixture
def service(customer):
    return ServiceFactory(customer=customer, service_id="AR-BUE-IPVPN-90001")


@pytest.fixture
def contact(customer):
    return NotificationContactFactory(
        customer=customer, email="noc@acme.test", orders=False, maintenance=True
    )


def _change(customer, user, *, deadline, status=ChangeRequest.Status.SUBMITTED, **fields):
    """A bandwidth change on no service unless told (`services=[...]`)."""
    fields.setdefault("services", [])
    return ChangeRequestFactory(
        customer=customer, requested_by=user, status=status, analysis_deadline=deadline, **fields
    )


@pytest.fixture
def change(customer, portal_admin_user, service):
    return _change(
        customer,
        portal_admin_user,
        deadline=timezone.now() + datetime.timedelta(days=5),
        services=[service],
    )


def _sent_to(address: str) -> int:
    return sum(1 for m in mail.outbox for to in m.to if address in to)


def _business_day(ahead: int) -> datetime.date:
    day = timezone.now().astimezone(BUENOS_AIRES).date() + datetime.timedelta(days=ahead)
    while not is_business_day(day, "AR"):
        day += datetime.timedelta(days=1)
    return day


def _saturday() -> datetime.date:
    day = timezone.now().astimezone(BUENOS_AIRES).date() + datetime.timedelta(days=3)
    while day.weekday() != 5:
        day += datetime.timedelta(days=1)
    return day


def _at(day: datetime.date, hour: int, zone=BUENOS_AIRES) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)


# --- Permissions -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["analysis", "approve", "executed", "reject", "route"])
def test_tsc_and_billing_see_change_requests_but_their_steps_are_403(
    tsc_client, billing_client, change, name
):
    url = reverse(f"admin:changes_changerequest_{name}", args=[change.pk])
    for client in (tsc_client, billing_client):
        assert client.get(url).status_code == 403
        assert client.post(url, {"message": "x"}).status_code == 403
        page = client.get(reverse("admin:changes_changerequest_change", args=[change.pk]))
        assert page.status_code == 200
        assert url not in page.content.decode()
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.SUBMITTED


def test_tsc_and_billing_cannot_act_on_maintenance(tsc_client, billing_client, service):
    maintenance = _draft([service], start=_at(_business_day(20), 2))
    objection_user = UserFactory()
    objection = MaintenanceObjection.objects.create(
        maintenance=maintenance, customer=service.customer, author=objection_user, message="No"
    )
    for client in (tsc_client, billing_client):
        for name in ("confirm", "reschedule", "start", "complete", "cancel"):
            url = reverse(f"admin:changes_maintenance_{name}", args=[maintenance.pk])
            assert client.get(url).status_code == 403
            assert client.post(url, {}).status_code == 403
        url = reverse("admin:changes_maintenance_objection_handled", args=[objection.pk])
        assert client.post(url, {}).status_code == 403
    maintenance.refresh_from_db()
    objection.refresh_from_db()
    assert maintenance.status == Maintenance.Status.DRAFT
    assert objection.handled_at is None
    assert (
        tsc_client.get(
            reverse("admin:changes_maintenance_change", args=[maintenance.pk])
        ).status_code
        == 200
    )
    assert billing_client.get(reverse("admin:changes_maintenance_changelist")).status_code == 200


# --- The change-request queue ------------------------------------------------------------------


def test_queue_sorted_by_deadline_with_overdue_marked_and_filtered(
    change_client, customer, portal_admin_user
):
    now = timezone.now()
    late = _change(customer, portal_admin_user, deadline=now - datetime.timedelta(hours=3))
    soon = _change(customer, portal_admin_user, deadline=now + datetime.timedelta(days=2))
    later = _change(customer, portal_admin_user, deadline=now + datetime.timedelta(days=6))
    done = _change(
        customer,
        portal_admin_user,
        deadline=now - datetime.timedelta(days=3),
        status=ChangeRequest.Status.REJECTED,
    )
    url = reverse("admin:changes_changerequest_changelist")
    page = change_client.get(url).content.decode()
    positions = [page.index(c.number) for c in (done, late, soon, later)]
    assert positions == sorted(positions)  # by analysis deadline
    assert page.count('class="change-overdue"') == 1  # the rejected one is not overdue

    overdue = change_client.get(url, {"deadline": "overdue"}).content.decode()
    assert late.number in overdue
    assert soon.number not in overdue
    assert done.number not in overdue


def test_due_today_is_today_in_the_customers_timezone(change_client, customer, portal_admin_user):
    tokyo = CustomerFactory(timezone="Asia/Tokyo", country="US")
    local_today = timezone.now().astimezone(BUENOS_AIRES).date()
    today = _change(customer, portal_admin_user, deadline=_at(local_today, 23).replace(minute=59))
    tomorrow = _change(
        customer, portal_admin_user, deadline=_at(local_today + datetime.timedelta(days=1), 12)
    )
    # 12:00 of Buenos Aires' day is 00:00 the next day in Tokyo: due tomorrow there.
    tokyo_today = timezone.now().astimezone(ZoneInfo("Asia/Tokyo")).date()
    tokyo_due = _change(
        tokyo, portal_admin_user, deadline=_at(tokyo_today, 20, ZoneInfo("Asia/Tokyo"))
    )
    tokyo_not = _change(
        tokyo,
        portal_admin_user,
        deadline=_at(tokyo_today + datetime.timedelta(days=1), 0, ZoneInfo("Asia/Tokyo")),
    )
    page = change_client.get(
        reverse("admin:changes_changerequest_changelist"), {"deadline": "today"}
    ).content.decode()
    assert today.number in page
    assert tokyo_due.number in page
    assert tomorrow.number not in page
    assert tokyo_not.number not in page


def test_queue_searches_by_service_id(change_client, change, customer, portal_admin_user):
    other = _change(customer, portal_admin_user, deadline=timezone.now())
    page = change_client.get(
        reverse("admin:changes_changerequest_changelist"), {"q": "AR-BUE-IPVPN-90001"}
    ).content.decode()
    assert change.number in page
    assert other.number not in page


# --- The steps ---------------------------------------------------------------------------------


def test_change_management_puts_a_request_in_analysis_and_the_customer_is_told(
    change_client, change, contact, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = change_client.post(
            reverse("admin:changes_changerequest_analysis", args=[change.pk]), {"message": ""}
        )
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.IN_ANALYSIS
    assert change.events.get().actor.email == "cm@provider.test"
    assert _sent_to("noc@acme.test") == 1


def test_approve_outside_business_hours_is_refused(change_client, change):
    """R-CHG-4: the slot, typed in the customer's timezone, must fall in business hours."""
    saturday = _saturday()
    response = change_client.post(
        reverse("admin:changes_changerequest_approve", args=[change.pk]),
        {
            "scheduled_start": f"{saturday}T10:00",
            "scheduled_end": f"{saturday}T12:00",
            "message": "",
        },
    )
    assert response.status_code == 400
    assert "business hours" in response.content.decode()
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.SUBMITTED
    assert change.scheduled_start is None


def test_approve_reads_the_slot_in_the_customers_timezone(change_client, change):
    day = _business_day(3)
    response = change_client.post(
        reverse("admin:changes_changerequest_approve", args=[change.pk]),
        {"scheduled_start": f"{day}T10:00", "scheduled_end": f"{day}T12:00", "message": "OK"},
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.APPROVED
    assert change.scheduled_start == _at(day, 10)  # 10:00 Buenos Aires = 13:00 UTC
    assert change.scheduled_end == _at(day, 12)


def test_reject_needs_a_reason(change_client, change):
    url = reverse("admin:changes_changerequest_reject", args=[change.pk])
    assert change_client.post(url, {"message": ""}).status_code == 400
    assert change_client.post(url, {"message": "Not possible on this port"}).status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.REJECTED
    assert change.rejection_reason == "Not possible on this port"


def test_route_to_service_management_on_the_requesters_behalf(change_client, change, settings):
    settings.SERVICE_MANAGEMENT_MAILBOX = "service-management@provider.test"
    response = change_client.post(
        reverse("admin:changes_changerequest_route", args=[change.pk]),
        {"reason": "Needs a new port"},
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.ROUTED
    assert change.routed_reason == "Needs a new port"
    assert change.routed_to == "service-management@provider.test"
    assert change.events.get().actor.email == "cm@provider.test"


# --- The catalog -------------------------------------------------------------------------------


def test_catalog_entry_validates_its_parameters(change_client):
    data = {
        "code": "mtu",
        "name_es": "Cambio de MTU",
        "name_pt": "Alteração de MTU",
        "name_en": "MTU change",
        "description_es": "",
        "description_pt": "",
        "description_en": "",
        "product_lines": ["ip_vpn", "internet"],
        "parameters": '[{"key": "mtu", "label_es": "MTU"}]',
        "is_active": "on",
        "position": "20",
    }
    url = reverse("admin:changes_standardchange_add")
    response = change_client.post(url, data)
    assert response.status_code == 400
    assert "label_pt" in response.content.decode()
    data["parameters"] = '[{"key": "mtu", "label_es": "MTU", "label_pt": "MTU", "label_en": "MTU"}]'
    assert change_client.post(url, data).status_code == 302
    entry = StandardChange.objects.get(code="mtu")
    assert entry.product_lines == ["ip_vpn", "internet"]
    assert entry.parameter_labels()
    assert entry.is_active


# --- Maintenance -------------------------------------------------------------------------------


def _draft(services, *, start, hours=2, kind=Maintenance.Kind.PLANNED):
    return maintenance_create(
        reason="Fibre ring upgrade",
        kind=kind,
        start=start,
        end=start + datetime.timedelta(hours=hours),
        entered_timezone="America/Argentina/Buenos_Aires",
        impacts=[(s, Impact.OUTAGE, 30) for s in services],
        actor=None,
    )


def test_change_management_creates_a_maintenance_with_a_generated_reference(change_client, service):
    day = _business_day(20)
    response = change_client.post(
        reverse("admin:changes_maintenance_add"),
        {
            "reason": "Core router replacement",
            "kind": "planned",
            "entered_timezone": "America/Argentina/Buenos_Aires",
            "start": f"{day}T02:00",
            "end": f"{day}T04:00",
            "impacts-TOTAL_FORMS": "1",
            "impacts-INITIAL_FORMS": "0",
            "impacts-MIN_NUM_FORMS": "0",
            "impacts-MAX_NUM_FORMS": "1000",
            "impacts-0-service": service.pk,
            "impacts-0-impact": "outage",
            "impacts-0-expected_outage_minutes": "20",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    maintenance = Maintenance.objects.get()
    assert maintenance.reference.startswith("MNT-")
    assert maintenance.status == Maintenance.Status.DRAFT
    assert maintenance.start == _at(day, 2)  # entered in Buenos Aires, stored UTC
    assert maintenance.start.astimezone(datetime.UTC).hour == 5
    impact = maintenance.impacts.get()
    assert impact.service == service
    assert impact.expected_outage_minutes == 20


def test_a_maintenance_needs_an_affected_service(change_client):
    day = _business_day(20)
    response = change_client.post(
        reverse("admin:changes_maintenance_add"),
        {
            "reason": "Core router replacement",
            "kind": "planned",
            "entered_timezone": "UTC",
            "start": f"{day}T05:00",
            "end": f"{day}T07:00",
            "impacts-TOTAL_FORMS": "0",
            "impacts-INITIAL_FORMS": "0",
            "impacts-MIN_NUM_FORMS": "0",
            "impacts-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 400
    assert "Add the affected services." in response.content.decode()
    assert not Maintenance.objects.exists()


@pytest.fixture
def mexico_service(other_customer):
    return ServiceFactory(customer=other_customer, service_id="MX-MEX-INET-00007", country="MX")


def test_planned_maintenance_breaking_a1_and_a2_is_refused_naming_rule_and_service(
    change_client, service, mexico_service, contact
):
    """R-GCR-3: 02:00-04:00 in Buenos Aires is 23:00-01:00 in Mexico City (A.1 at that site
    only), and 5 days is less than the 10 days' notice (A.2)."""
    maintenance = _draft([service, mexico_service], start=_at(_business_day(5), 2))
    page = change_client.get(reverse("admin:changes_maintenance_change", args=[maintenance.pk]))
    preview = page.content.decode()
    assert "A.1" in preview
    assert "MX-MEX-INET-00007" in preview
    assert "A.2" in preview

    response = change_client.post(
        reverse("admin:changes_maintenance_confirm", args=[maintenance.pk]), {}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "R-GCR-3 A.1: at MX-MEX-INET-00007" in text
    assert "R-GCR-3 A.1: at AR-BUE-IPVPN-90001" not in text
    assert "R-GCR-3 A.2" in text
    maintenance.refresh_from_db()
    assert maintenance.status == Maintenance.Status.DRAFT
    assert maintenance.sequence == 0
    assert mail.outbox == []


def test_emergency_maintenance_is_confirmed_anyway_and_marked(
    change_client, service, mexico_service, contact, django_capture_on_commit_callbacks
):
    """R-GCR-5: an emergency may break A.1 and A.2; it is announced at once, marked."""
    maintenance = _draft(
        [service, mexico_service],
        start=timezone.now() + datetime.timedelta(hours=3),
        kind=Maintenance.Kind.EMERGENCY,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = change_client.post(
            reverse("admin:changes_maintenance_confirm", args=[maintenance.pk]), {}
        )
    assert response.status_code == 302
    maintenance.refresh_from_db()
    assert maintenance.status == Maintenance.Status.SCHEDULED
    assert maintenance.announced_at
    assert _sent_to("noc@acme.test") == 1
    listing = change_client.get(reverse("admin:changes_maintenance_changelist")).content.decode()
    assert 'class="maintenance-emergency"' in listing
    page = change_client.get(reverse("admin:changes_maintenance_change", args=[maintenance.pk]))
    assert "R-GCR-5" in page.content.decode()


def test_reschedule_grows_the_sequence_and_notifies(
    change_client, service, contact, django_capture_on_commit_callbacks
):
    maintenance = _draft([service], start=_at(_business_day(20), 2))
    maintenance_confirm(maintenance=maintenance, actor=None)
    maintenance.refresh_from_db()
    assert maintenance.sequence == 1
    mail.outbox.clear()
    day = _business_day(25)
    url = reverse("admin:changes_maintenance_reschedule", args=[maintenance.pk])
    assert change_client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = change_client.post(
            url,
            {
                "entered_timezone": "America/Mexico_City",
                # 23:00 in Mexico City is 02:00 the next day in Buenos Aires
                "start": f"{day}T23:00",
                "end": f"{day}T23:30",
                "note": "Moved at the customer's request",
            },
        )
    assert response.status_code == 302
    maintenance.refresh_from_db()
    assert maintenance.status == Maintenance.Status.RESCHEDULED
    assert maintenance.sequence == 2
    assert maintenance.start == _at(day, 23, ZoneInfo("America/Mexico_City"))
    assert maintenance.entered_timezone == "America/Mexico_City"
    assert MaintenanceEvent.objects.filter(
        maintenance=maintenance, status="rescheduled", note="Moved at the customer's request"
    ).exists()
    assert _sent_to("noc@acme.test") == 1


def test_reschedule_outside_the_night_window_is_refused(change_client, service, contact):
    maintenance = _draft([service], start=_at(_business_day(20), 2))
    maintenance_confirm(maintenance=maintenance, actor=None)
    day = _business_day(25)
    response = change_client.post(
        reverse("admin:changes_maintenance_reschedule", args=[maintenance.pk]),
        {
            "entered_timezone": "America/Argentina/Buenos_Aires",
            "start": f"{day}T10:00",
            "end": f"{day}T11:00",
            "note": "",
        },
    )
    assert response.status_code == 400
    assert "A.1" in response.content.decode()
    maintenance.refresh_from_db()
    assert maintenance.sequence == 1


def test_start_complete_and_cancel_go_through_the_lifecycle(change_client, service, contact):
    maintenance = _draft([service], start=_at(_business_day(20), 2))
    maintenance_confirm(maintenance=maintenance, actor=None)
    for name, status in (("start", "in_progress"), ("complete", "completed")):
        response = change_client.post(
            reverse(f"admin:changes_maintenance_{name}", args=[maintenance.pk]), {"note": ""}
        )
        assert response.status_code == 302
        maintenance.refresh_from_db()
        assert maintenance.status == status
    assert maintenance.sequence == 3
    response = change_client.post(
        reverse("admin:changes_maintenance_cancel", args=[maintenance.pk]), {"note": ""}
    )
    assert response.status_code == 400  # a completed maintenance cannot be cancelled


def test_window_and_services_are_read_only_once_announced(change_client, service, contact):
    maintenance = _draft([service], start=_at(_business_day(20), 2))
    url = reverse("admin:changes_maintenance_change", args=[maintenance.pk])
    assert 'name="start"' in change_client.get(url).content.decode()
    maintenance_confirm(maintenance=maintenance, actor=None)
    page = change_client.get(url).content.decode()
    assert 'name="start"' not in page
    assert 'name="impacts-0-impact"' not in page
    assert reverse("admin:changes_maintenance_reschedule", args=[maintenance.pk]) in page


def test_objections_are_visible_and_can_be_marked_handled(
    change_client, service, mexico_service, contact, portal_admin_user
):
    """R-GCR-2: the customer's request to reschedule reaches Change Management."""
    maintenance = _draft([service], start=_at(_business_day(20), 2))
    maintenance_confirm(maintenance=maintenance, actor=None)
    objection = MaintenanceObjection.objects.create(
        maintenance=maintenance,
        customer=service.customer,
        author=portal_admin_user,
        message="Our quarter-end closing runs that night",
    )
    listing = change_client.get(reverse("admin:changes_maintenance_changelist")).content.decode()
    assert '<td class="field-objections_count">1</td>' in listing
    page = change_client.get(
        reverse("admin:changes_maintenance_change", args=[maintenance.pk])
    ).content.decode()
    assert "Our quarter-end closing runs that night" in page
    assert "Acme Logística" in page
    url = reverse("admin:changes_maintenance_objection_handled", args=[objection.pk])
    assert url in page
    assert change_client.get(url).status_code == 200
    assert change_client.post(url, {}).status_code == 302
    objection.refresh_from_db()
    assert objection.handled_at is not None


# --- Demo data ---------------------------------------------------------------------------------


def test_seed_demo_loads_change_requests_and_maintenance_idempotently(db, settings, change_client):
    from django.core.management import call_command

    from core.models import Notification

    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    changes = ChangeRequest.objects.filter(customer__display_name__startswith="Acme")
    assert sorted(changes.values_list("status", flat=True)) == ["approved", "in_analysis", "routed"]
    overdue = change_client.get(
        reverse("admin:changes_changerequest_changelist"), {"deadline": "overdue"}
    ).content.decode()
    assert changes.get(status="in_analysis").number in overdue
    approved = changes.get(status="approved")
    assert approved.scheduled_start is not None
    assert changes.get(status="routed").change_type is None

    rows = {m.kind + "/" + m.status: m for m in Maintenance.objects.all()}
    assert set(rows) == {"planned/scheduled", "emergency/scheduled", "planned/completed"}
    planned = rows["planned/scheduled"]
    assert planned.impacts.values("service__customer").distinct().count() == 2
    assert planned.start > timezone.now() + datetime.timedelta(days=10)
    assert rows["planned/completed"].end < timezone.now()
    notices = Notification.objects.filter(subject_reference__startswith="MNT-")
    assert {"noc-guardia@acme.example", "noc@globex.example"} <= set(
        notices.values_list("to_email", flat=True)
    )


def test_admin_pages_render(change_client, change, service):
    maintenance = _draft([service], start=_at(_business_day(20), 2))
    for url in (
        reverse("admin:changes_standardchange_changelist"),
        reverse("admin:changes_standardchange_add"),
        reverse("admin:changes_standardchange_change", args=[StandardChange.objects.first().pk]),
        reverse("admin:changes_changerequest_changelist"),
        reverse("admin:changes_changerequest_change", args=[change.pk]),
        reverse("admin:changes_changerequest_approve", args=[change.pk]),
        reverse("admin:changes_maintenance_changelist"),
        reverse("admin:changes_maintenance_add"),
        reverse("admin:changes_maintenance_change", args=[maintenance.pk]),
        reverse("admin:changes_maintenance_confirm", args=[maintenance.pk]),
    ):
        assert change_client.get(url).status_code == 200, url
