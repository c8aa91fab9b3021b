"""The customer's standard change pages (R-CHG-1..6): the list with its countdown, the catalog,
the request form and its check step, "my need is not on the list", the request page, and who may
do what. The clock is frozen on Monday 2026-03-02 10:00 in Buenos Aires (13:00 UTC)."""

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse

from changes.models import ChangeEvent, ChangeRequest, Impact, Maintenance
from changes.services.maintenance import maintenance_confirm, maintenance_create
from changes.services.requests import (
    change_request_progress,
    change_request_route,
    change_request_submit,
)
from core.models import Level, ProductLine
from team.models import TeamAssignment, TeamRole
from tests.factories import MembershipFactory, ServiceFactory, TeamPersonFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)  # Monday 10:00 in Buenos Aires
# R-CHG-4: 72 business hours from Monday 10:00 = Thursday of the next week, 10:00.
DEADLINE_ISO = "2026-03-12T10:00:00-03:00"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sites(customer):
    """Eleven active IP VPN services: one more than a standard change covers (R-CHG-2)."""
    return [
        ServiceFactory(customer=customer, service_id=f"AR-BUE-IPVPN-{n:05d}", site_name=f"Sede {n}")
        for n in range(1, 12)
    ]


@pytest.fixture
def viewer_client(client, customer, admin_membership):
    membership = MembershipFactory(customer=customer, changes=Level.VIEW, services=Level.VIEW)
    client.force_login(membership.user)
    return client


def _form(services, **extra) -> dict:
    data = {
        "type": "bandwidth",
        "services": [s.service_id for s in services],
        "param_bandwidth": "200 Mbps",
        "execution": "any_slot",
        "description": "Black Friday traffic",
    }
    return {**data, **extra}


def _submitted(membership, services, **extra):
    from changes.models import StandardChange

    arguments = {
        "membership": membership,
        "change_type": StandardChange.objects.get(code="bandwidth"),
        "services": services,
        "parameters": {"bandwidth": "200 Mbps"},
        "execution": "any_slot",
        **extra,
    }
    return change_request_submit(**arguments)


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- who may do what --------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, admin_membership, sites):
    change = _submitted(admin_membership, sites[:1])
    for path in ("/changes/", "/changes/new/", "/changes/other/", f"/changes/{change.number}/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    assert client.post("/changes/new/check/", _form(sites[:1])).status_code == 302


def test_view_level_reads_but_does_not_request(viewer_client, admin_membership, sites):
    change = _submitted(admin_membership, sites[:1])
    assert viewer_client.get("/changes/").status_code == 200
    page = viewer_client.get(f"/changes/{change.number}/")
    assert page.status_code == 200
    assert "Request another change" not in page.content.decode()
    assert "Request a standard change" not in viewer_client.get("/changes/").content.decode()
    assert viewer_client.get("/changes/new/").status_code == 403
    assert viewer_client.get("/changes/other/").status_code == 403
    assert viewer_client.post("/changes/new/check/", _form(sites[:1])).status_code == 403
    assert viewer_client.post("/changes/new/", _form(sites[:1])).status_code == 403
    assert ChangeRequest.objects.count() == 1


def test_no_changes_permission_is_403(limited_client, sites):
    assert limited_client.get("/changes/").status_code == 403


def test_another_customers_request_is_404(client, admin_membership, other_user, sites):
    change = _submitted(admin_membership, sites[:1])
    client.force_login(other_user)
    response = client.get(f"/changes/{change.number}/")
    assert response.status_code == 404
    assert "Acme" not in response.content.decode()


def test_the_check_is_post_only(portal_admin_client):
    assert portal_admin_client.get("/changes/new/check/").status_code == 405


# --- the catalog (R-CHG-1, R-CHG-3) -----------------------------------------------------------


def _codes(response) -> set[str]:
    return set(re.findall(r'data-code="([\w-]+)"', response.content.decode()))


def test_catalog_lists_only_changes_that_apply(portal_admin_client, customer, sites):
    codes = _codes(portal_admin_client.get("/changes/new/"))
    assert {"bandwidth", "vlan", "qos"} <= codes
    assert "firewall_rule" not in codes  # managed services only
    assert "sip_channels" not in codes
    # The firewall change is refused on an IP VPN service even when posted by hand.
    assert portal_admin_client.get("/changes/new/?type=firewall_rule").status_code == 400

    ServiceFactory(customer=customer, product_line=ProductLine.MANAGED, service_id="AR-MNG-1")
    assert "firewall_rule" in _codes(portal_admin_client.get("/changes/new/"))
    form = portal_admin_client.get("/changes/new/?type=firewall_rule")
    assert form.status_code == 200
    assert "AR-MNG-1" in form.content.decode()
    assert "AR-BUE-IPVPN-00001" not in form.content.decode()


def test_satellite_services_accept_every_standard_change(portal_admin_client, customer):
    """R-CHG-3."""
    ServiceFactory(
        customer=customer, product_line=ProductLine.VYVX, satellite=True, service_id="AR-SAT-7"
    )
    codes = _codes(portal_admin_client.get("/changes/new/"))
    assert {"bandwidth", "firewall_rule", "sip_channels", "dns_record"} <= codes
    page = portal_admin_client.get("/changes/new/?type=sip_channels")
    assert "AR-SAT-7" in page.content.decode()
    assert "Number of channels" in page.content.decode()


def test_catalog_names_follow_the_language(client, portal_admin_user, sites):
    portal_admin_user.language = "es"
    portal_admin_user.save()
    client.force_login(portal_admin_user)
    page = client.get("/changes/new/", HTTP_ACCEPT_LANGUAGE="es")
    assert "Cambio de ancho de banda" in page.content.decode()


def test_an_unknown_change_type_is_400(portal_admin_client, sites):
    response = portal_admin_client.get("/changes/new/?type=nonsense")
    assert response.status_code == 400
    assert "Choose a change from the list." in response.content.decode()
    assert portal_admin_client.post("/changes/new/", {"type": "x"}).status_code == 400
    assert portal_admin_client.post("/changes/new/check/", {}).status_code == 400


# --- the check step and the submission --------------------------------------------------------


def test_check_shows_the_deadline_to_the_minute_and_creates_nothing(portal_admin_client, sites):
    response = portal_admin_client.post("/changes/new/check/", _form(sites[:3]))
    assert response.status_code == 200
    text = _text(response)
    assert 'data-testid="preview"' in text
    assert f'datetime="{DEADLINE_ISO}"' in text
    assert "Send the request" in text
    assert ChangeRequest.objects.count() == 0


def test_ten_sites_are_a_standard_change(portal_admin_client, admin_membership, sites):
    """R-CHG-2: ten is allowed."""
    response = portal_admin_client.post("/changes/new/", _form(sites[:10]))
    assert response.status_code == 302
    change = ChangeRequest.objects.get()
    assert response["Location"] == reverse("changes:detail", kwargs={"number": change.number})
    assert change.services.count() == 10
    assert change.parameters == {"bandwidth": "200 Mbps"}
    assert change.execution == "any_slot"
    assert change.analysis_deadline == datetime(2026, 3, 12, 13, 0, tzinfo=UTC)
    assert change.requested_by == admin_membership.user
    page = portal_admin_client.get(response["Location"])
    text = _text(page)
    assert f'datetime="{DEADLINE_ISO}"' in text
    assert "72 business hours left" in text
    assert "200 Mbps" in text
    assert "Black Friday traffic" in text
    assert len(re.findall(r">AR-BUE-IPVPN-000\d\d<", text)) == 10


@pytest.mark.parametrize("step", ["/changes/new/check/", "/changes/new/"])
def test_the_eleventh_site_is_refused_with_the_other_route(portal_admin_client, sites, step):
    """R-CHG-2 refused by the service; R-CHG-6 offered with the chosen services."""
    response = portal_admin_client.post(step, _form(sites))
    assert response.status_code == 400
    text = _text(response)
    assert "A standard change covers at most 10 sites (you chose 11)" in text
    assert 'data-testid="too-many-sites"' in text
    link = re.search(r'href="(/changes/other/\?[^"]+)" data-testid="route-other"', text).group(1)
    query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    assert query["reason"] == ["sites"]
    assert query["type"] == ["bandwidth"]
    assert len(query["services"]) == 11
    assert ChangeRequest.objects.count() == 0


def test_the_eleventh_site_is_said_even_when_other_fields_are_wrong(portal_admin_client, sites):
    response = portal_admin_client.post("/changes/new/check/", _form(sites, execution=""))
    assert response.status_code == 400
    text = _text(response)
    assert "at most 10 sites" in text
    assert "Say when the change may be applied" in text


def test_the_other_route_carries_the_chosen_services(portal_admin_client, admin_membership, sites):
    query = "reason=sites&type=bandwidth&" + "&".join(f"services={s.service_id}" for s in sites)
    page = portal_admin_client.get(f"/changes/other/?{query}")
    assert page.status_code == 200
    assert page.content.decode().count("checked") == 11
    data = {
        "reason": "sites",
        "description": "Bandwidth upgrade at 11 sites",
        "services": [s.service_id for s in sites],
    }
    response = portal_admin_client.post("/changes/other/", data)
    change = ChangeRequest.objects.get()
    assert response.status_code == 302
    assert change.status == ChangeRequest.Status.ROUTED
    assert change.services.count() == 11
    assert change.routed_reason == "More than 10 sites for one standard change."


def test_parameters_and_execution_are_required(portal_admin_client, sites):
    """R-CHG-5: the execution choice is explicit; every parameter of the type is asked."""
    response = portal_admin_client.post(
        "/changes/new/", _form(sites[:1], execution="", param_bandwidth="")
    )
    assert response.status_code == 400
    text = _text(response)
    assert "Say when the change may be applied." in text
    assert "Fill in this value." in text
    assert ChangeRequest.objects.count() == 0


def test_a_preset_window_needs_its_date_and_times(portal_admin_client, sites):
    response = portal_admin_client.post("/changes/new/check/", _form(sites[:1], execution="preset"))
    assert response.status_code == 400
    assert "Give the window&#x27;s date, start and end." in response.content.decode()


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        ("2026-03-14", "10:00", "12:00"),  # a Saturday
        ("2026-03-13", "17:00", "19:00"),  # runs past 18:00
        ("2026-03-13", "07:00", "09:30"),  # starts before 09:00
        ("2026-03-24", "10:00", "12:00"),  # a national holiday in Argentina
    ],
)
def test_a_window_outside_business_hours_is_refused(portal_admin_client, sites, day, start, end):
    """R-CHG-4: execution in business hours."""
    data = _form(sites[:1], execution="preset", window_date=day, window_start=start, window_end=end)
    response = portal_admin_client.post("/changes/new/check/", data)
    assert response.status_code == 400
    assert "The window must fall inside business hours" in response.content.decode()
    assert portal_admin_client.post("/changes/new/", data).status_code == 400
    assert ChangeRequest.objects.count() == 0


def test_a_window_before_the_analysis_deadline_is_refused(portal_admin_client, sites):
    data = _form(
        sites[:1],
        execution="preset",
        window_date="2026-03-12",
        window_start="09:00",
        window_end="11:00",
    )
    response = portal_admin_client.post("/changes/new/check/", data)
    assert response.status_code == 400
    text = response.content.decode()
    assert (
        "The window must start after the analysis, which may take until March 12, 2026, 10 a.m."
        in text
    )


def test_a_window_after_the_deadline_is_kept_in_the_customers_time(portal_admin_client, sites):
    data = _form(
        sites[:2],
        execution="preset",
        window_date="2026-03-12",
        window_start="10:00",
        window_end="12:30",
    )
    check = portal_admin_client.post("/changes/new/check/", data)
    assert check.status_code == 200
    assert 'data-testid="no-clash"' in check.content.decode()
    response = portal_admin_client.post("/changes/new/", data)
    assert response.status_code == 302
    change = ChangeRequest.objects.get()
    assert change.window_start == datetime(2026, 3, 12, 13, 0, tzinfo=UTC)
    assert change.window_end == datetime(2026, 3, 12, 15, 30, tzinfo=UTC)
    page = _text(portal_admin_client.get(response["Location"]))
    assert 'datetime="2026-03-12T10:00:00-03:00"' in page
    assert 'datetime="2026-03-12T12:30:00-03:00"' in page


def test_a_maintenance_clash_is_shown_before_submitting(portal_admin_client, staff_user, sites):
    """The provider's announced work on a chosen service during the window: shown, not blocking."""
    maintenance = maintenance_create(
        reason="Fibre repair on the Córdoba ring",
        kind=Maintenance.Kind.EMERGENCY,
        start=datetime(2026, 3, 13, 14, 0, tzinfo=UTC),  # 11:00-13:00 in Buenos Aires
        end=datetime(2026, 3, 13, 16, 0, tzinfo=UTC),
        entered_timezone="America/Argentina/Buenos_Aires",
        impacts=[(sites[1], Impact.OUTAGE, 30)],
        actor=staff_user,
    )
    maintenance_confirm(maintenance=maintenance, actor=staff_user)
    data = _form(
        sites[:3],
        execution="preset",
        window_date="2026-03-13",
        window_start="10:00",
        window_end="12:00",
    )
    response = portal_admin_client.post("/changes/new/check/", data)
    assert response.status_code == 200
    text = _text(response)
    assert 'data-testid="clashes"' in text
    assert maintenance.reference in text
    assert "AR-BUE-IPVPN-00002" in text
    assert "Outage" in text
    # Another window is clear; and the clash does not block the submission.
    clear = portal_admin_client.post("/changes/new/check/", {**data, "window_date": "2026-03-16"})
    assert 'data-testid="clashes"' not in clear.content.decode()
    assert portal_admin_client.post("/changes/new/", data).status_code == 302


@pytest.mark.parametrize(
    "bad",
    [
        {"window_date": "32/13/2026", "execution": "preset", "window_start": "x"},
        {"services": ["NOT-MINE"]},
        {"execution": "tomorrow"},
        {"window_start": "25:99", "execution": "preset", "window_date": "2026-03-13"},
    ],
)
def test_bad_input_is_400_never_500(portal_admin_client, sites, bad):
    data = {**_form(sites[:1]), **bad}
    assert portal_admin_client.post("/changes/new/check/", data).status_code == 400
    assert portal_admin_client.post("/changes/new/", data).status_code == 400


def test_another_customers_service_is_refused(portal_admin_client, other_customer, sites):
    theirs = ServiceFactory(customer=other_customer, service_id="BR-SAO-IPVPN-1", country="BR")
    response = portal_admin_client.post("/changes/new/", _form([sites[0], theirs]))
    assert response.status_code == 400
    assert "BR-SAO-IPVPN-1 is not one of your services" in response.content.decode()


# --- the list ---------------------------------------------------------------------------------


def test_empty_list_explains_and_offers_both_routes(portal_admin_client):
    text = _text(portal_admin_client.get("/changes/"))
    assert "No change requests yet" in text
    assert 'href="/changes/new/"' in text
    assert 'href="/changes/other/"' in text


def test_list_shows_countdown_overdue_and_filters(
    portal_admin_client, admin_membership, staff_user, sites, clock
):
    old = _submitted(admin_membership, sites[:2])
    clock.move_to(datetime(2026, 3, 16, 13, 0, tzinfo=UTC))  # two weeks later: overdue
    portal_admin_client.force_login(admin_membership.user)  # the first session has expired by then
    fresh = _submitted(admin_membership, sites[:3])
    done = _submitted(admin_membership, sites[:1])
    change_request_progress(
        change=done, status="rejected", actor=staff_user, message="Capacity not available"
    )
    text = _text(portal_admin_client.get("/changes/"))
    row = re.search(rf'data-number="{old.number}".*?</tr>', text).group(0)
    assert "Overdue" in row
    assert "change-row-overdue" in text
    row = re.search(rf'data-number="{fresh.number}".*?</tr>', text).group(0)
    assert "72 business hours left" in row
    assert ">3<" in row  # three services
    open_only = portal_admin_client.get("/changes/?status=open").content.decode()
    assert old.number in open_only
    assert fresh.number in open_only
    assert done.number not in open_only
    rejected = portal_admin_client.get("/changes/?status=rejected").content.decode()
    assert done.number in rejected
    assert old.number not in rejected
    assert (
        "No request has this status."
        in portal_admin_client.get("/changes/?status=executed").content.decode()
    )


def test_a_bad_filter_is_400(portal_admin_client):
    assert portal_admin_client.get("/changes/?status=bogus").status_code == 400


def test_list_paginates(portal_admin_client, admin_membership, settings, sites):
    settings.CHANGES_PAGE_SIZE = 2
    numbers = [_submitted(admin_membership, sites[:1]).number for _ in range(3)]
    first = portal_admin_client.get("/changes/").content.decode()
    assert "Page 1 of 2" in first
    second = portal_admin_client.get("/changes/?page=2").content.decode()
    assert numbers[0] in second
    assert numbers[0] not in first


def test_countdown_counts_business_hours_only(portal_admin_client, admin_membership, sites, clock):
    change = _submitted(admin_membership, sites[:1])
    clock.move_to(datetime(2026, 3, 11, 23, 0, tzinfo=UTC))  # Wednesday 20:00: 1 hour left
    portal_admin_client.force_login(admin_membership.user)  # the first session has expired by then
    text = _text(portal_admin_client.get(f"/changes/{change.number}/"))
    assert "1 business hour left" in text
    clock.move_to(datetime(2026, 3, 12, 12, 30, tzinfo=UTC))  # Thursday 09:30
    portal_admin_client.force_login(admin_membership.user)
    assert "30 business minutes left" in _text(
        portal_admin_client.get(f"/changes/{change.number}/")
    )


# --- "my need is not on the list" (R-CHG-6) ---------------------------------------------------


def test_a_need_outside_the_catalog_goes_to_the_service_manager(
    portal_admin_client, customer, sites, mailoutbox, django_capture_on_commit_callbacks
):
    person = TeamPersonFactory(full_name="Sara Service", email="sara@provider.test")
    TeamAssignment.objects.create(customer=customer, role=TeamRole.SERVICE_MANAGER, person=person)
    data = {"description": "A second internet exit with BGP", "services": [sites[0].service_id]}
    with django_capture_on_commit_callbacks(execute=True):
        response = portal_admin_client.post("/changes/other/", data, follow=True)
    change = ChangeRequest.objects.get()
    assert change.status == ChangeRequest.Status.ROUTED
    assert change.change_type is None
    assert change.routed_to == "sara@provider.test"
    assert list(change.services.all()) == [sites[0]]
    text = _text(response)
    assert f"Request {change.number} went to your service manager" in text
    assert "Sent to your service manager" in text
    assert "Not in the standard catalog." in text


def test_without_service_manager_it_goes_to_the_account_manager(portal_admin_client, customer):
    person = TeamPersonFactory(email="alex@provider.test")
    TeamAssignment.objects.create(customer=customer, role=TeamRole.ACCOUNT_MANAGER, person=person)
    response = portal_admin_client.post(
        "/changes/other/", {"description": "Move a rack"}, follow=True
    )
    assert "went to your account manager" in _text(response)
    assert ChangeRequest.objects.get().routed_to == "alex@provider.test"


def test_the_other_form_needs_a_description(portal_admin_client):
    response = portal_admin_client.post("/changes/other/", {"description": "  "})
    assert response.status_code == 400
    assert ChangeRequest.objects.count() == 0
    bad = portal_admin_client.post(
        "/changes/other/", {"description": "x", "services": ["NOT-MINE"]}
    )
    assert bad.status_code == 400


# --- the request page -------------------------------------------------------------------------


def test_request_page_shows_history_slot_and_reasons(
    portal_admin_client, admin_membership, staff_user, sites
):
    change = _submitted(admin_membership, sites[:2])
    change_request_progress(
        change=change, status="in_analysis", actor=staff_user, message="Checking capacity"
    )
    change_request_progress(
        change=change,
        status="approved",
        actor=staff_user,
        message="Approved for Friday",
        scheduled_start=datetime(2026, 3, 13, 13, 0, tzinfo=UTC),
        scheduled_end=datetime(2026, 3, 13, 15, 0, tzinfo=UTC),
    )
    text = _text(portal_admin_client.get(f"/changes/{change.number}/"))
    assert text.count('data-testid="event"') == 3
    assert "Checking capacity" in text
    assert "Approved for Friday" in text
    assert 'datetime="2026-03-13T10:00:00-03:00"' in text
    assert 'data-testid="scheduled"' in text
    assert "The analysis is over." in text  # no countdown once approved

    rejected = _submitted(admin_membership, sites[:1])
    change_request_progress(
        change=rejected, status="rejected", actor=staff_user, message="Port capacity exhausted"
    )
    text = _text(portal_admin_client.get(f"/changes/{rejected.number}/"))
    assert "The provider rejected this request." in text
    assert "Port capacity exhausted" in text


def test_request_page_in_the_viewers_timezone(client, admin_membership, sites):
    change = _submitted(admin_membership, sites[:1])
    user = admin_membership.user
    user.timezone = "America/Mexico_City"
    user.save()
    client.force_login(user)
    text = _text(client.get(f"/changes/{change.number}/"))
    assert 'datetime="2026-03-12T07:00:00-06:00"' in text  # the same minute, the viewer's clock
    assert "America/Mexico_City" in text


def test_a_routed_standard_request_says_why(
    portal_admin_client, admin_membership, staff_user, sites
):
    change = _submitted(admin_membership, sites[:1])
    change_request_route(
        membership=admin_membership,
        description="",
        change=change,
        reason="The window cannot be met",
        actor=staff_user,
    )
    text = _text(portal_admin_client.get(f"/changes/{change.number}/"))
    assert "The window cannot be met" in text
    assert ChangeEvent.objects.filter(request=change).count() == 2
