"""Tenancy fails closed (ARCHITECTURE "Tenancy", issue 14): a customer-owned model cannot be
queried without a customer scope, and inside one it only ever answers that customer's rows."""

import pytest
from django.apps import apps
from django.urls import reverse
from django_scopes import scope

from core.models import Invitation, Membership, Notification, Service
from core.scopes import ScopeError, customer_scope, is_customer_scoped, scopes_disabled
from orders.models import Order
from portal.celery import app
from tests.factories import OrderFactory, ServiceFactory

# Rows with a customer that are not the customer's data but the links to it (a person's
# membership, an invitation found by its token) or the provider's machinery (the outbox).
NOT_SCOPED = {Membership, Invitation, Notification}


def test_an_unscoped_query_of_customer_data_raises(customer):
    ServiceFactory(customer=customer)
    with scope():  # what a request or a task starts with, before it opens a scope
        with pytest.raises(ScopeError, match="Service belongs to a customer"):
            list(Service.objects.all())
        with pytest.raises(ScopeError):
            Service.objects.count()
        with pytest.raises(ScopeError):
            Service.objects.filter(customer=customer).exists()
        with pytest.raises(ScopeError):
            customer.services.first()


def test_a_query_that_forgets_the_customer_only_sees_the_scoped_customers_rows(
    customer, other_customer
):
    mine = ServiceFactory(customer=customer)
    ServiceFactory(customer=other_customer)
    with customer_scope(customer):
        assert list(Service.objects.all()) == [mine]
        assert Service.objects.count() == 1
        assert Service.objects.filter(pk__gt=0).update(notes="seen") == 1
    with scopes_disabled():
        assert Service.objects.filter(notes="seen").get() == mine


def test_a_queryset_built_outside_a_scope_runs_inside_it(customer, other_customer):
    """Django builds querysets while importing forms; what matters is the scope when they run."""
    mine = ServiceFactory(customer=customer)
    ServiceFactory(customer=other_customer)
    with scope():
        built_without_scope = Service.objects.order_by("pk")
    with customer_scope(customer):
        assert list(built_without_scope) == [mine]


def test_a_customer_scope_needs_a_customer():
    with pytest.raises(ScopeError), customer_scope(None):
        pass


def test_every_model_with_a_customer_is_scoped_or_named_here():
    """A new customer-owned model without the scoped manager fails here, not in production."""
    unscoped = [
        model._meta.label
        for model in apps.get_models()
        if any(f.name == "customer" and f.is_relation for f in model._meta.get_fields())
        and not is_customer_scoped(model)
        and model not in NOT_SCOPED
    ]
    assert unscoped == []


def test_a_customer_page_runs_in_its_customers_scope(portal_admin_client, customer, other_customer):
    ServiceFactory(customer=customer, service_id="SVC-MINE")
    ServiceFactory(customer=other_customer, service_id="SVC-THEIRS")
    page = portal_admin_client.get(reverse("services:list")).content.decode()
    assert "SVC-MINE" in page
    assert "SVC-THEIRS" not in page


def test_staff_admin_works_across_customers(root_client, customer, other_customer):
    ServiceFactory(customer=customer, service_id="SVC-MINE")
    ServiceFactory(customer=other_customer, service_id="SVC-THEIRS")
    page = root_client.get("/admin/portal/service/").content.decode()
    assert "SVC-MINE" in page
    assert "SVC-THEIRS" in page


def test_a_task_works_across_customers(customer, other_customer):
    ServiceFactory(customer=customer)
    ServiceFactory(customer=other_customer)
    counted = []

    @app.task(name="tests.count_services")
    def count_services():
        counted.append(Service.objects.count())

    with scope():  # a worker starts with no scope at all
        count_services.apply()
    assert counted == [2]


def test_orders_of_another_customer_stay_out_of_a_scoped_related_query(customer, other_customer):
    OrderFactory(customer=customer)
    OrderFactory(customer=other_customer)
    with customer_scope(customer):
        assert Order.objects.count() == 1
        assert other_customer.orders.count() == 0
