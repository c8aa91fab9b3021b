"""Reads of the services inventory and expansion requests; every one takes the customer."""

from django.db.models import QuerySet
from django.http import Http404

from core.models import Customer, Service
from inventory.models import ExpansionRequest


def expansion_requests_for_customer(
    customer: Customer, *, status: str = "", service: Service | None = None
) -> QuerySet[ExpansionRequest]:
    requests = ExpansionRequest.objects.filter(customer=customer).select_related(
        "service", "requested_by"
    )
    if status == "open":
        requests = requests.filter(status__in=ExpansionRequest.OPEN_STATUSES)
    elif status:
        requests = requests.filter(status=status)
    if service is not None:
        requests = requests.filter(service=service)
    return requests.order_by("-created_at", "-id")


def expansion_request_get(customer: Customer, number: str) -> ExpansionRequest:
    request = (
        expansion_requests_for_customer(customer)
        .filter(number=number)
        .prefetch_related("events")
        .first()
    )
    if request is None:
        raise Http404
    return request
