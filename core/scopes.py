"""Tenancy fails closed (ARCHITECTURE "Tenancy"): every customer-owned model's default manager
is scoped by django-scopes. A query on one of them raises `ScopeError` unless a scope is open:

- a customer page runs inside `customer_scope(request.customer)` (`core.access.member_required`),
  and every query of a scoped model is filtered to that customer, even one that forgot it;
- every other request runs in an empty scope (`TenantScopeMiddleware`), so a public page or an
  allauth page that touched customer data would raise instead of showing it;
- the staff's admin, Celery tasks, management commands and migrations open the scope explicitly
  with `scopes_disabled()` (migrations use historical models, whose managers are not scoped).

In a shell: `from core.scopes import scopes_disabled; with scopes_disabled(): ...`.
`dumpdata` needs `--all` (it then reads through the unscoped base managers)."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import models
from django.db.models import Q
from django_scopes import scope, scopes_disabled
from django_scopes.exceptions import ScopeError
from django_scopes.state import get_scope

__all__ = [
    "ScopeError",
    "customer_scope",
    "customer_scoped_manager",
    "is_customer_scoped",
    "scope",
    "scopes_disabled",
]


class CustomerScopedQuerySet(models.QuerySet):
    """Checks the scope when the query runs, not when it is built. django-scopes' own manager
    checks at `Model.objects` time, which refuses the querysets Django builds while importing a
    ModelForm (its choice fields) and accepts, inside a scope, a queryset built outside it. Here a
    queryset may be built anywhere; running it needs a customer scope (it is then filtered to that
    customer) or `scopes_disabled()`."""

    customer_path = "customer"
    _scope_applied = False

    def _clone(self):
        clone = super()._clone()
        clone.customer_path = self.customer_path
        clone._scope_applied = self._scope_applied
        return clone

    def _apply_scope(self) -> None:
        if self._scope_applied:
            return
        current = get_scope()
        if current.get("_enabled", True):
            customer = current.get("customer")
            if customer is None:
                raise ScopeError(
                    f"{self.model.__name__} belongs to a customer: open a customer scope "
                    "(core.scopes.customer_scope) or scopes_disabled() before querying it."
                )
            self.query.add_q(Q(**{self.customer_path: customer}))
        self._scope_applied = True

    def _fetch_all(self):
        if self._result_cache is None:
            self._apply_scope()
        super()._fetch_all()

    def iterator(self, *args, **kwargs):
        self._apply_scope()
        return super().iterator(*args, **kwargs)

    def count(self):
        if self._result_cache is None:
            self._apply_scope()
        return super().count()

    def exists(self):
        if self._result_cache is None:
            self._apply_scope()
        return super().exists()

    def aggregate(self, *args, **kwargs):
        self._apply_scope()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs):
        self._apply_scope()
        return super().update(**kwargs)

    def delete(self):
        self._apply_scope()
        return super().delete()

    def explain(self, **options):
        self._apply_scope()
        return super().explain(**options)


_CustomerScopedManagerBase = models.Manager.from_queryset(CustomerScopedQuerySet)


class CustomerScopedManager(_CustomerScopedManagerBase):
    # A class attribute, not an __init__ argument: Django builds related managers
    # (`customer.tickets`) by subclassing the default manager's class and calling it bare.
    customer_path = "customer"

    def get_queryset(self):
        queryset = super().get_queryset()
        queryset.customer_path = self.customer_path
        return queryset


def customer_scoped_manager(path: str = "customer") -> models.Manager:
    """The default manager of a customer-owned model; `path` leads from the row to its customer
    (`customer`, or `ticket__customer` for a row that belongs to a ticket)."""
    if path == CustomerScopedManager.customer_path:
        return CustomerScopedManager()
    manager_class = type("CustomerScopedManager", (CustomerScopedManager,), {"customer_path": path})
    return manager_class()


def is_customer_scoped(model: type[models.Model]) -> bool:
    return isinstance(model._default_manager, CustomerScopedManager)


@contextmanager
def customer_scope(customer) -> Iterator[None]:
    # django-scopes reads a None dimension as "no filter": that would open every customer.
    if customer is None:
        raise ScopeError("A customer scope needs a customer.")
    with scope(customer=customer):
        yield
