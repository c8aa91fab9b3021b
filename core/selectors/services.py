from django.db.models import Count, Q, QuerySet
from django.http import Http404

from core.models import Customer, Service


def services_for_customer(
    customer: Customer,
    *,
    search: str = "",
    product_line: str = "",
    country: str = "",
    status: str = "",
    sort: str = "service_id",
) -> QuerySet[Service]:
    services = Service.objects.filter(customer=customer)
    if search:
        services = services.filter(
            Q(service_id__icontains=search)
            | Q(site_name__icontains=search)
            | Q(site_address__icontains=search)
            | Q(capacity__icontains=search)
            | Q(notes__icontains=search)
        )
    if product_line:
        services = services.filter(product_line=product_line)
    if country:
        services = services.filter(country=country)
    if status:
        services = services.filter(status=status)
    descending = sort.startswith("-")
    columns = SERVICE_SORTS.get(sort.lstrip("-"), SERVICE_SORTS["service_id"])
    if descending:
        columns = tuple(f"-{column}" for column in columns)
    return services.order_by(*columns)


def service_get(customer: Customer, service_id: str) -> Service:
    service = Service.objects.filter(customer=customer, service_id=service_id).first()
    if service is None:
        raise Http404
    return service


def service_status_counts_for_customer(customer: Customer) -> list[dict]:
    """Every status with its count, zeroes included, in the lifecycle's order."""
    counts = dict(
        Service.objects.filter(customer=customer)
        .values_list("status")
        .annotate(total=Count("id"))
        .values_list("status", "total")
    )
    return [
        {"status": status.value, "label": status.label, "count": counts.get(status.value, 0)}
        for status in Service.Status
    ]


def service_choices_for_customer(customer: Customer) -> QuerySet[Service]:
    """Services a customer can ask to expand: everything not disconnected."""
    return Service.objects.filter(customer=customer).exclude(status=Service.Status.DISCONNECTED)


# What the list may be sorted by: the public name in ?sort= and the columns it orders by.
SERVICE_SORTS = {
    "service_id": ("service_id",),
    "product_line": ("product_line", "service_id"),
    "site": ("site_name", "service_id"),
    "country": ("country", "site_name", "service_id"),
    "capacity": ("capacity", "service_id"),
    "status": ("status", "service_id"),
    "activated_on": ("activated_on", "service_id"),
}
