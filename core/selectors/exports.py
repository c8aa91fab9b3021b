"""A person's own CSV exports: nobody else's, not even another member of the same customer (they
hold the rows that person was allowed to see when asking, and the filters they typed)."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from core.models import Customer, Export, User

RECENT = 20


def exports_for_member(customer: Customer, user: User) -> QuerySet[Export]:
    return Export.objects.filter(customer=customer, requested_by=user).order_by(
        "-created_at", "-id"
    )


def export_get(customer: Customer, user: User, reference) -> Export:
    """Another customer's or another person's export is a 404."""
    return get_object_or_404(exports_for_member(customer, user), reference=reference)


def export_under_way(customer: Customer, user: User, kind: str, params: dict) -> Export | None:
    return (
        exports_for_member(customer, user)
        .filter(kind=kind, params=params, status__in=Export.ACTIVE_STATUSES)
        .first()
    )
