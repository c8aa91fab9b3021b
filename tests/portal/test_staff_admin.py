"""The provider's staff in the Django admin: the last-administrator rule holds there too, staff
changes to memberships are audited and end sessions like the portal's own, audited customers
cannot be deleted, and the admin wears the provider's name (R-POR-5)."""

from urllib.parse import urlsplit

import pytest
from allauth.usersessions.models import UserSession
from django.db import transaction
from django.db.models import ProtectedError
from django.test import Client

from core.models import AuditEvent, Customer, Level, Membership
from tests.admin_forms import change_form_data
from tests.factories import MembershipFactory

Action = AuditEvent.Action
LAST_ADMIN = (
    "Acme Logística needs at least one active portal administrator: appoint another one first."
)


def _membership_url(membership) -> str:
    return f"/admin/portal/membership/{membership.pk}/change/"


def _customer_url(customer) -> str:
    return f"/admin/portal/customer/{customer.pk}/change/"


def _inline_key(response, membership, field: str) -> str:
    """The inline field name (e.g. memberships-0-role) of `membership` on the change form."""
    for inline in response.context["inline_admin_formsets"]:
        for form in inline.formset.forms:
            if form.instance.pk == membership.pk:
                return form.add_prefix(field)
    raise AssertionError(f"{membership} is not in the inline")


def _snapshot(membership) -> dict:
    membership.refresh_from_db()
    return {"role": membership.role, "is_active": membership.is_active, **membership.levels()}


# --- 7. the last active administrator ----------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [{"role": Membership.Role.USER}, {"is_active": False}],
    ids=["demote", "deactivate"],
)
def test_staff_cannot_demote_or_deactivate_the_last_admin_on_the_membership_page(
    root_client, admin_membership, change
):
    before = _snapshot(admin_membership)
    data = change_form_data(root_client.get(_membership_url(admin_membership)))
    if change.get("is_active") is False:
        data.pop("is_active")
    else:
        data.update(change)

    response = root_client.post(_membership_url(admin_membership), data)

    assert response.status_code == 400  # the form shown again with its error
    assert LAST_ADMIN in response.content.decode()
    assert _snapshot(admin_membership) == before
    assert not AuditEvent.objects.exists()


def test_staff_can_demote_an_admin_when_another_active_admin_remains(
    root_client, admin_membership, customer, root
):
    MembershipFactory(customer=customer, admin=True, user__email="second@acme.test")
    data = change_form_data(root_client.get(_membership_url(admin_membership)))
    data.update(role=Membership.Role.USER, services=Level.NONE, tickets=Level.VIEW)

    response = root_client.post(_membership_url(admin_membership), data)

    assert response.status_code == 302
    assert _snapshot(admin_membership)["role"] == Membership.Role.USER
    event = AuditEvent.objects.get(action=Action.PERMISSIONS_CHANGE)
    assert event.actor == root
    assert event.target_email == "admin@acme.test"
    assert event.detail["by"] == "staff"


def test_staff_cannot_demote_the_last_admin_in_the_customer_page_inline(
    root_client, admin_membership, limited_membership, customer
):
    before = _snapshot(admin_membership)
    page = root_client.get(_customer_url(customer))
    data = change_form_data(page)
    data[_inline_key(page, admin_membership, "role")] = Membership.Role.USER

    response = root_client.post(_customer_url(customer), data)

    assert response.status_code == 400  # shown again with the error, nothing saved
    assert LAST_ADMIN in response.content.decode()
    assert _snapshot(admin_membership) == before
    assert not AuditEvent.objects.exists()


def test_staff_cannot_demote_both_admins_at_once_in_the_customer_page_inline(
    root_client, admin_membership, customer
):
    """Each inline form checks only the stored state: together the two edits leave none."""
    second = MembershipFactory(customer=customer, admin=True, user__email="second@acme.test")
    page = root_client.get(_customer_url(customer))
    data = change_form_data(page)
    data[_inline_key(page, admin_membership, "role")] = Membership.Role.USER
    data.pop(_inline_key(page, second, "is_active"))

    response = root_client.post(_customer_url(customer), data)

    assert response.status_code == 400  # shown again with the error, nothing saved
    assert LAST_ADMIN in response.content.decode()
    assert (
        Membership.objects.filter(
            customer=customer, role=Membership.Role.ADMIN, is_active=True
        ).count()
        == 2
    )


def test_staff_cannot_delete_the_last_admin_inline_or_from_its_own_page(
    root_client, admin_membership, limited_membership, customer
):
    page = root_client.get(_customer_url(customer))
    data = change_form_data(page)
    data[_inline_key(page, admin_membership, "DELETE")] = "on"

    inline = root_client.post(_customer_url(customer), data)
    own_page = root_client.post(
        f"/admin/portal/membership/{admin_membership.pk}/delete/", {"post": "yes"}
    )

    assert inline.status_code == 400
    assert LAST_ADMIN in inline.content.decode()
    assert own_page.status_code == 403
    assert Membership.objects.filter(pk=admin_membership.pk, is_active=True).exists()


# --- 8. deactivation by staff -------------------------------------------------------------------


def _deactivate_in_admin(root_client, membership, capture):
    data = change_form_data(root_client.get(_membership_url(membership)))
    data.pop("is_active")
    with capture(execute=True):
        response = root_client.post(_membership_url(membership), data)
    assert response.status_code == 302
    membership.refresh_from_db()
    assert not membership.is_active


def test_staff_deactivating_a_user_is_audited_and_ends_their_sessions(
    root_client,
    root,
    limited_membership,
    customer,
    sign_in,
    django_capture_on_commit_callbacks,
):
    person = Client()
    assert sign_in(person, "noc@acme.test").status_code == 302
    assert person.get("/").status_code == 200
    assert UserSession.objects.filter(user=limited_membership.user).count() == 1

    _deactivate_in_admin(root_client, limited_membership, django_capture_on_commit_callbacks)

    event = AuditEvent.objects.get(action=Action.DEACTIVATE)
    assert event.customer == customer
    assert event.actor == root
    assert event.actor_email == "root@provider.test"
    assert event.target_email == "noc@acme.test"
    assert event.detail == {"by": "staff"}
    assert not UserSession.objects.filter(user=limited_membership.user).exists()
    next_request = person.get("/")
    assert next_request.status_code == 302
    assert urlsplit(next_request["Location"]).path == "/accounts/login/"


def test_staff_deactivating_one_customer_keeps_the_session_of_a_member_of_another(
    root_client, limited_membership, other_customer, sign_in, django_capture_on_commit_callbacks
):
    MembershipFactory(customer=other_customer, user=limited_membership.user, tickets=Level.VIEW)
    person = Client()
    assert sign_in(person, "noc@acme.test").status_code == 302
    assert person.get("/").context["active_customer"].display_name == "Acme Logística"

    _deactivate_in_admin(root_client, limited_membership, django_capture_on_commit_callbacks)

    assert AuditEvent.objects.get(action=Action.DEACTIVATE).detail == {"by": "staff"}
    assert UserSession.objects.filter(user=limited_membership.user).count() == 1
    dashboard = person.get("/")
    assert dashboard.status_code == 200
    assert dashboard.context["active_customer"].display_name == "Globex Telecom"
    assert "Acme Logística" not in dashboard.content.decode()


# --- 9. permission changes by staff on the customer's audit page -------------------------------


def test_staff_permission_change_is_audited_and_shown_on_the_customers_audit_page(
    root_client, root, portal_admin_client, customer
):
    membership = MembershipFactory(
        customer=customer,
        user__email="viewer@acme.test",
        tickets=Level.VIEW,
        billing=Level.VIEW,
    )
    data = change_form_data(root_client.get(_membership_url(membership)))
    data["tickets"] = Level.ACT

    response = root_client.post(_membership_url(membership), data)

    assert response.status_code == 302
    event = AuditEvent.objects.get(action=Action.PERMISSIONS_CHANGE)
    assert event.customer == customer
    assert event.actor == root
    assert event.target_email == "viewer@acme.test"
    assert event.detail["before"]["tickets"] == Level.VIEW
    assert event.detail["after"]["tickets"] == Level.ACT
    assert event.detail["by"] == "staff"
    audit_page = portal_admin_client.get("/audit/").content.decode()
    assert "Changed permissions" in audit_page
    assert "Trouble tickets: View → View and act" in audit_page
    assert "Billing: View → View" not in audit_page


# --- 10. audited customers are kept ------------------------------------------------------------


def test_customer_with_audit_events_cannot_be_deleted_from_the_admin(
    root_client, customer, limited_membership, portal_admin_client
):
    portal_admin_client.post(
        f"/users/{limited_membership.reference}/", {"role": "user", "tickets": "view"}
    )
    events = AuditEvent.objects.filter(customer=customer).count()
    assert events == 1
    url = f"/admin/portal/customer/{customer.pk}/delete/"

    page = root_client.get(url)
    refused = root_client.post(url, {"post": "yes"})

    # PROTECT: the page is shown again (a CASCADE would answer 403 for lack of permission).
    assert page.status_code == refused.status_code == 200
    for response in (page, refused):
        body = response.content.decode()
        assert "Cannot delete customer" in body
        assert "audit event" in body
    assert Customer.objects.filter(pk=customer.pk).exists()
    assert AuditEvent.objects.filter(customer=customer).count() == events
    assert Membership.objects.filter(customer=customer).count() == 2
    with pytest.raises(ProtectedError), transaction.atomic():
        Customer.objects.get(pk=customer.pk).delete()


# --- 11. the provider's name ------------------------------------------------------------------


def test_admin_header_names_the_provider_not_django(root_client):
    body = root_client.get("/admin/").content.decode()

    assert "Lumen staff administration" in body
    assert "Django administration" not in body
    assert "Django site admin" not in body
