"""Service expansion requests (R-POR-2): sent by the customer, numbered, e-mailed to the account
manager (R-TEAM-1), progressed by staff in admin, every step visible to the customer."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.models import Service
from inventory.models import ExpansionRequest
from team.models import TeamAssignment, TeamMailbox, TeamRole
from tests.factories import ServiceFactory, TeamPersonFactory


@pytest.fixture
def service(customer):
    return ServiceFactory(customer=customer, service_id="AR-BUE-IPVPN-00001")


@pytest.fixture
def account_manager(customer):
    person = TeamPersonFactory(full_name="Mariana Pérez", email="mariana@provider.test")
    TeamAssignment.objects.create(customer=customer, role=TeamRole.ACCOUNT_MANAGER, person=person)
    return person


def _capacity(service, **extra):
    return {
        "kind": "capacity",
        "service": service.service_id,
        "capacity": "500 Mbps",
        "description": "The ERP moves to the cloud.",
        **extra,
    }


def _send(client, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("services:request_create"), data)


def test_a_request_is_numbered_recorded_and_mailed_to_the_account_manager(
    portal_admin_client,
    portal_admin_user,
    service,
    account_manager,
    django_capture_on_commit_callbacks,
):
    response = _send(portal_admin_client, _capacity(service), django_capture_on_commit_callbacks)
    expansion = ExpansionRequest.objects.get()
    year = timezone.now().year
    assert expansion.number == f"EXP-{year}-00001"
    assert response.status_code == 302
    assert response["Location"] == reverse("services:request_detail", args=[expansion.number])
    assert expansion.service == service
    assert expansion.product_line == service.product_line
    assert expansion.requested_by == portal_admin_user
    assert expansion.notified_to == "mariana@provider.test"
    assert list(expansion.events.values_list("status", flat=True)) == ["received"]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mariana@provider.test"]
    assert message.reply_to == [portal_admin_user.email]
    assert expansion.number in message.subject
    assert "500 Mbps" in message.body
    assert "AR-BUE-IPVPN-00001" in message.body
    assert f"/admin/inventory/expansionrequest/{expansion.pk}/change/" in message.body


def test_numbers_follow_each_other(
    portal_admin_client, service, django_capture_on_commit_callbacks
):
    for _ in range(3):
        _send(portal_admin_client, _capacity(service), django_capture_on_commit_callbacks)
    year = timezone.now().year
    assert sorted(ExpansionRequest.objects.values_list("number", flat=True)) == [
        f"EXP-{year}-00001",
        f"EXP-{year}-00002",
        f"EXP-{year}-00003",
    ]


def test_a_vacant_account_manager_means_the_team_mailbox(
    portal_admin_client, customer, service, django_capture_on_commit_callbacks
):
    TeamAssignment.objects.create(customer=customer, role=TeamRole.ACCOUNT_MANAGER, person=None)
    TeamMailbox.objects.create(role=TeamRole.ACCOUNT_MANAGER, email="cuentas@provider.test")
    _send(portal_admin_client, _capacity(service), django_capture_on_commit_callbacks)
    assert mail.outbox[0].to == ["cuentas@provider.test"]


def test_without_any_address_the_request_is_still_recorded_for_staff(
    portal_admin_client, service, settings, django_capture_on_commit_callbacks
):
    settings.TEAM_MAILBOX = ""
    response = _send(portal_admin_client, _capacity(service), django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert ExpansionRequest.objects.get().notified_to == ""
    assert mail.outbox == []


def test_a_new_site_needs_no_service_but_its_address(
    portal_admin_client, django_capture_on_commit_callbacks
):
    data = {"kind": "new_site", "description": "A branch in Rosario", "product_line": "internet"}
    response = _send(portal_admin_client, data, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "A new site needs its address and country." in response.content.decode()
    data |= {"site_name": "Rosario", "site_address": "Córdoba 1500, Rosario", "country": "AR"}
    response = _send(portal_admin_client, data, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert ExpansionRequest.objects.get().service is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "capacity", "description": "x"}, "Choose the service that needs more capacity."),
        (
            {"kind": "capacity", "service": "AR-BUE-IPVPN-00001", "description": "x"},
            "Say how much bandwidth or capacity you need.",
        ),
        ({"kind": "new_product", "description": "x"}, "Choose the product you are interested in."),
        ({"kind": "other", "description": ""}, "This field is required."),
        ({"kind": "teleport", "description": "x"}, "Select a valid choice."),
        (
            {"kind": "other", "description": "x", "wanted_by": "2001-01-01"},
            "Choose a date from today on.",
        ),
    ],
)
def test_bad_requests_get_400_and_say_what_is_wrong(
    portal_admin_client, service, data, message, django_capture_on_commit_callbacks
):
    response = _send(portal_admin_client, data, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ExpansionRequest.objects.exists()


def test_another_customers_service_cannot_be_named(
    portal_admin_client, other_customer, django_capture_on_commit_callbacks
):
    foreign = ServiceFactory(customer=other_customer, service_id="BR-SPO-ETH-99999")
    response = _send(portal_admin_client, _capacity(foreign), django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert not ExpansionRequest.objects.exists()
    prefill = portal_admin_client.get(
        reverse("services:request_create"), {"service": foreign.service_id}
    )
    assert prefill.status_code == 404


def test_a_disconnected_service_is_not_offered(portal_admin_client, customer, service):
    ServiceFactory(customer=customer, service_id="AR-OLD-1", status=Service.Status.DISCONNECTED)
    body = portal_admin_client.get(reverse("services:request_create")).content.decode()
    assert "AR-BUE-IPVPN-00001" in body
    assert "AR-OLD-1" not in body


def test_the_form_is_prefilled_from_a_service(portal_admin_client, service):
    response = portal_admin_client.get(
        reverse("services:request_create"), {"service": service.service_id}
    )
    assert response.status_code == 200
    assert response.context["form"].initial["service"] == service


def test_view_only_users_see_requests_but_cannot_send_them(
    limited_client, service, django_capture_on_commit_callbacks
):
    assert limited_client.get(reverse("services:requests")).status_code == 200
    assert limited_client.get(reverse("services:request_create")).status_code == 403
    response = _send(limited_client, _capacity(service), django_capture_on_commit_callbacks)
    assert response.status_code == 403
    assert not ExpansionRequest.objects.exists()


@pytest.fixture
def sent(portal_admin_client, service, account_manager, django_capture_on_commit_callbacks):
    _send(portal_admin_client, _capacity(service), django_capture_on_commit_callbacks)
    mail.outbox.clear()
    return ExpansionRequest.objects.get()


def test_my_requests_lists_this_customers_requests_with_status_filter(
    limited_client, sent, other_customer
):
    body = limited_client.get(reverse("services:requests")).content.decode()
    assert sent.number in body
    assert (
        sent.number
        in limited_client.get(reverse("services:requests"), {"status": "open"}).content.decode()
    )
    assert (
        sent.number
        not in limited_client.get(
            reverse("services:requests"), {"status": "declined"}
        ).content.decode()
    )


def test_another_customers_request_is_404(client, other_user, sent):
    client.force_login(other_user)
    assert client.get(reverse("services:request_detail", args=[sent.number])).status_code == 404
    assert sent.number not in client.get(reverse("services:requests")).content.decode()


def _progress(root_client, expansion, status, message, django_capture_on_commit_callbacks):
    url = reverse("admin:inventory_expansionrequest_change", args=[expansion.pk])
    events = list(expansion.events.all())
    data = {
        "next_status": status,
        "message": message,
        "events-TOTAL_FORMS": str(len(events)),
        "events-INITIAL_FORMS": str(len(events)),
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
    }
    for n, event in enumerate(events):
        data |= {f"events-{n}-id": str(event.pk), f"events-{n}-request": str(expansion.pk)}
    with django_capture_on_commit_callbacks(execute=True):
        return root_client.post(url, data)


def test_staff_progress_is_shown_to_the_customer_and_mailed_to_the_requester(
    root_client, sent, portal_admin_client, portal_admin_user, django_capture_on_commit_callbacks
):
    portal_admin_user.language = "es"
    portal_admin_user.save()
    response = _progress(
        root_client,
        sent,
        "quoted",
        "Quote sent: 1.200 USD/month.",
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    sent.refresh_from_db()
    assert sent.status == "quoted"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [f"Ana Admin <{portal_admin_user.email}>"]
    assert "Cotizada" in mail.outbox[0].subject
    page = portal_admin_client.get(
        reverse("services:request_detail", args=[sent.number])
    ).content.decode()
    assert "Quote sent: 1.200 USD/month." in page


def test_declining_needs_a_reason_and_finished_requests_stay_finished(
    root_client, sent, django_capture_on_commit_callbacks
):
    response = _progress(root_client, sent, "declined", "", django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "Tell the customer why the request is declined." in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == "received"
    _progress(root_client, sent, "ordered", "", django_capture_on_commit_callbacks)
    sent.refresh_from_db()
    assert sent.status == "ordered"
    response = _progress(
        root_client, sent, "declined", "Too late", django_capture_on_commit_callbacks
    )
    assert response.status_code == 400
    sent.refresh_from_db()
    assert sent.status == "ordered"
    assert sent.events.count() == 2
