"""The availability report (R-TT-3): per service, for a month the customer chooses, the time
"service down" tickets kept it down minus the "Espera por el Cliente" pauses; as a page with an
SVG chart and as CSV. The arithmetic lives in tickets/availability.py."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import member_required
from core.lib.csv_export import csv_response
from core.lib.durations import duration_clock
from core.models import Area
from tickets.availability import (
    FIRST_YEAR,
    Month,
    MonthError,
    availability_for_customer,
    chart_layout,
    customer_timezone,
    month_neighbours,
    month_parse,
)

TEMPLATE = "tickets/availability.html"
CSV_COLUMNS = [
    "month",
    "service_id",
    "site_name",
    "product_line",
    "minutes_in_month",
    "unavailable_seconds",
    "unavailable",
    "availability_percent",
    "tickets",
]


def _month(request) -> Month:
    return month_parse(
        request.GET.get("month", ""), tz=customer_timezone(request.customer), now=timezone.now()
    )


def _bad_month(request):
    message = _("Choose a month as YYYY-MM, from %(first)s up to the current month.") % {
        "first": f"{FIRST_YEAR}-01"
    }
    context = {"error": message, "month_value": request.GET.get("month", "")[:20]}
    return render(request, TEMPLATE, context, status=400)


@member_required(Area.TICKETS)
def availability(request):
    try:
        month = _month(request)
    except MonthError:
        return _bad_month(request)
    tz = customer_timezone(request.customer)
    report = availability_for_customer(request.customer, month)
    previous, following = month_neighbours(month, tz=tz, now=report.now)
    context = {
        "report": report,
        "month": month,
        "month_value": month.key,
        "month_max": timezone.localtime(report.now, tz).strftime("%Y-%m"),
        "previous": previous,
        "next": following,
        "chart": chart_layout(report.rows),
        "timezone_name": str(tz),
    }
    return render(request, TEMPLATE, context)


@member_required(Area.TICKETS)
def availability_export(request):
    """One row per service: the month, the downtime to the second, the percentage, the tickets."""
    try:
        month = _month(request)
    except MonthError:
        return _bad_month(request)
    report = availability_for_customer(request.customer, month)
    rows = (
        [
            month.key,
            row.service.service_id,
            row.service.site_name,
            row.service.get_product_line_display(),
            month.minutes,
            int(row.unavailable.total_seconds()),
            duration_clock(row.unavailable),
            f"{row.percent:.3f}",
            " ".join(item.ticket.number for item in row.tickets),
        ]
        for row in report.rows
    )
    return csv_response(f"availability-{month.key}.csv", CSV_COLUMNS, rows)
