"""Staff cannot delete what tickets, orders, changes or invoices point at (issue 13 item 1,
review D2): they retire it instead (a service is disconnected, a team person or a user made
inactive). Checked on the group permissions and through the real admin delete pages, for every
staff group and a superuser, single rows and the bulk "delete selected" action."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group

from billing.models import InvoiceLine, PurchaseOrderRequest
from core.models import Service, User
from orders.models import Order
from team.models import TeamPerson
from tests.admin_forms import change_form_data
from tests.factories import (
    OrderFactory,
    ServiceFactory,
    TeamPersonFactory,
    invoice_with_lines,
    ticket_open_for,
)
from tests.portal.conftest import STAFF_GROUPS as GROUPS

# The only rows a staff group may delete: the contact directory and the account-team set-up,
# which nothing in the customers' history points at (their edits are kept as DirectoryChange).
DELETABLE_BY_GROUPS = {
    "contacts.delete_billingline",
    "contacts.delete_office",
    "contacts.delete_poaddress",
    "contacts.delete_portalassignment",
    "contacts.delete_supportline",
    "contacts.delete_supportnumber",
    "team.delete_teamassignment",
    "team.delete_teammailbox",
}
# Where the customers' history lives: a row any of these point at is retired, not deleted.
HISTORY_APPS = {"tickets", "orders", "changes", "billing"}


def _pointed_at_by_history(model) -> list[str]:
    """Relations from the history apps to `model` (tickets' services, orders' care manager...)."""
    return [
        f"{field.related_model._meta.label}.{field.field.name}"
        for field in model._meta.get_fields(include_hidden=True)
        if field.auto_created
        and not field.concrete
        and field.related_model is not None
        and field.related_model._meta.app_label in HISTORY_APPS
    ]


@pytest.mark.parametrize("group", GROUPS)
def test_no_staff_group_may_delete_anything_history_points_at(db, group):
    granted = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=group).permissions.filter(codename__startswith="delete_")
    }

    assert granted <= DELETABLE_BY_GROUPS, sorted(granted - DELETABLE_BY_GROUPS)


def test_every_admin_of_a_row_that_history_points_at_refuses_deletion_of_such_a_row():
    """Walks every registered ModelAdmin: where the history apps point at the model, deleting
    is refused outright or for a row that is referenced (a mixin checks it), and never offered
    in bulk, where rows are not looked at one by one."""
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = User(is_staff=True, is_superuser=True, is_active=True)
    unguarded = []
    for model, model_admin in admin.site._registry.items():
        if not _pointed_at_by_history(model) or model._meta.label == "portal.Customer":
            continue  # Customer: every history relation is PROTECT (test_staff_admin covers it)
        if model_admin.has_delete_permission(request, None):
            unguarded.append(model._meta.label)
    assert unguarded == []


# --- Services ---------------------------------------------------------------------------------


def _service_with_history(customer, portal_admin_user, kind: str) -> Service:
    service = ServiceFactory.create(customer=customer, service_id=f"AR-BUE-IPVPN-{kind.upper()}")
    if kind == "ticket":
        ticket_open_for(customer, portal_admin_user, service=service)
    elif kind == "order":
        OrderFactory.create(customer=customer).services.add(service)
    elif kind == "invoice":
        invoice_with_lines(customer, amounts=("10.00",), services=[service])
    return service


@pytest.mark.parametrize("kind", ["ticket", "order", "invoice"])
def test_nobody_deletes_a_service_that_history_points_at(
    editor, editor_client, customer, portal_admin_user, kind
):
    service = _service_with_history(customer, portal_admin_user, kind)
    url = f"/admin/portal/service/{service.pk}/delete/"

    page = editor_client.get(url)
    refused = editor_client.post(url, {"post": "yes"})
    bulk = editor_client.post(
        "/admin/portal/service/",
        {"action": "delete_selected", "_selected_action": [str(service.pk)], "post": "yes"},
    )

    assert page.status_code == refused.status_code == 403
    assert bulk.status_code == 200  # no delete action is offered: the list is shown again
    assert Service.objects.filter(pk=service.pk).exists()
    if kind == "ticket":
        assert service.tickets.count() == 1
    if kind == "order":
        assert Order.objects.filter(services=service).count() == 1
    if kind == "invoice":
        assert InvoiceLine.objects.get().service == service
    change_page = editor_client.get(f"/admin/portal/service/{service.pk}/change/")
    assert f"/admin/portal/service/{service.pk}/delete/" not in change_page.content.decode()


def test_customer_care_retires_a_service_by_disconnecting_it(
    care_client, customer, portal_admin_user
):
    client = care_client
    service = _service_with_history(customer, portal_admin_user, "ticket")
    url = f"/admin/portal/service/{service.pk}/change/"
    data = change_form_data(client.get(url))
    data["status"] = Service.Status.DISCONNECTED

    response = client.post(url, data)

    assert response.status_code == 302
    service.refresh_from_db()
    assert service.status == Service.Status.DISCONNECTED
    assert service.tickets.count() == 1


def test_a_superuser_may_delete_a_service_that_nothing_points_at(root_client, customer):
    client = root_client
    service = ServiceFactory(customer=customer)

    response = client.post(f"/admin/portal/service/{service.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Service.objects.filter(pk=service.pk).exists()


def test_customer_care_may_no_longer_delete_even_an_unused_service(care_client, customer):
    client = care_client
    service = ServiceFactory(customer=customer)

    response = client.post(f"/admin/portal/service/{service.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert Service.objects.filter(pk=service.pk).exists()


# --- Other rows history points at -------------------------------------------------------------


def test_nobody_deletes_a_team_person_named_on_an_order(editor, editor_client, customer):
    person = TeamPersonFactory()
    OrderFactory(customer=customer, care_manager=person)

    response = editor_client.post(f"/admin/team/teamperson/{person.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert TeamPerson.objects.filter(pk=person.pk).exists()


def test_nobody_deletes_an_invoice_a_po_request_points_at(
    editor, editor_client, customer, portal_admin_user
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from billing.services import po_request_create
    from tests.factories import PDF_BYTES

    invoice = invoice_with_lines(customer, amounts=("10.00",))
    po_request_create(
        customer=customer,
        user=portal_admin_user,
        kind=PurchaseOrderRequest.Kind.values[0],
        reference="PO-1",
        support=SimpleUploadedFile("po.pdf", PDF_BYTES, content_type="application/pdf"),
        invoices=[invoice],
    )

    response = editor_client.post(f"/admin/billing/invoice/{invoice.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert PurchaseOrderRequest.objects.get().invoices.get() == invoice


def test_nobody_deletes_a_person_whose_name_is_on_a_ticket(
    editor, editor_client, customer, portal_admin_user
):
    ticket_open_for(customer, portal_admin_user)

    response = editor_client.post(
        f"/admin/portal/user/{portal_admin_user.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 403
    assert User.objects.filter(pk=portal_admin_user.pk).exists()
