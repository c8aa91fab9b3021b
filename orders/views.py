"""The customer's orders (R-ORD-2): the list, its CSV, the order page with its six touchpoints,
the answer to TP1 and the calendar files. Reads need the orders area; answering needs act."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import member_required
from core.errors import DomainError
from core.lib.csv_export import csv_response
from core.lib.listing import list_page
from core.models import Area, Level
from orders import selectors
from orders.calendar import activation_ics, installation_ics
from orders.forms import OrderFilterForm, TechnicalDetailsForm
from orders.models import Order
from orders.services import technical_details_answer

_FILTERS = ("status", "product_line", "received_from", "received_to")
_CALENDARS = {"installation": installation_ics, "activation": activation_ics}
CSV_COLUMNS = [
    "number",
    "title",
    "product_line",
    "status",
    "touchpoints_done",
    "next_touchpoint",
    "received_on",
    "estimated_activation_on",
    "installation_on",
    "activated_on",
    "first_invoice_on",
    "care_manager",
    "services",
]


def _filtered_orders(request):
    form = OrderFilterForm(
        request.GET or None,
        product_lines=selectors.order_product_lines_for_customer(request.customer),
    )
    if form.is_bound and not form.is_valid():
        return form, None
    return form, selectors.orders_for_customer(request.customer, **form.filters())


@member_required(Area.ORDERS)
def order_list(request):
    form, orders = _filtered_orders(request)
    if orders is None:
        return render(request, "orders/list.html", {"form": form}, status=400)
    context = {
        "form": form,
        **list_page(request, orders, per_page=settings.ORDERS_PAGE_SIZE),
        "sort": form.filters()["sort"],
        "filtered": any(request.GET.get(name) for name in _FILTERS),
        "waiting_count": selectors.orders_waiting_count(request.customer),
    }
    return render(request, "orders/list.html", context)


def _date(value) -> str:
    return value.isoformat() if value else ""


def _order_cells(order: Order) -> list[str]:
    following = order.next_step
    return [
        order.number,
        order.title,
        order.get_product_line_display(),
        order.get_status_display(),
        str(order.last_step or 0),
        f"TP{int(following)} {following.label}" if following else "",
        _date(order.received_on),
        _date(order.estimated_activation_on),
        _date(order.installation_on),
        _date(order.activated_on),
        _date(order.first_invoice_on),
        order.care_manager.full_name if order.care_manager else "",
        " ".join(service.service_id for service in order.services.all()),
    ]


@member_required(Area.ORDERS)
def order_export(request):
    """The list as CSV, with the filters and order it shows (no pagination); cells that a
    spreadsheet would run as formulas are defused."""
    form, orders = _filtered_orders(request)
    if orders is None:
        return render(request, "orders/list.html", {"form": form}, status=400)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    rows = (_order_cells(order) for order in orders.prefetch_related("services"))
    return csv_response(f"orders-{stamp}.csv", CSV_COLUMNS, rows)


def _render_detail(request, number: str, *, form=None, status: int = 200):
    page = selectors.order_page(request.customer, number)
    tp1 = page["tp1"]
    can_answer = request.membership.can(Area.ORDERS, Level.ACT)
    if form is None and can_answer and tp1 is not None and tp1.awaits_answer:
        form = TechnicalDetailsForm(details=tp1.details_requested)
    context = {
        **page,
        "form": form,
        "can_answer": can_answer,
        "can_view_services": request.membership.can(Area.SERVICES),
        "now": timezone.now(),
    }
    return render(request, "orders/detail.html", context, status=status)


@member_required(Area.ORDERS)
def order_detail(request, number):
    return _render_detail(request, number)


@member_required(Area.ORDERS, Level.ACT, methods=("POST",))
def order_answer(request, number):
    """The customer answers TP1 (R-ORD-1); the care manager is told (R-TEAM-3) and the order is
    back in progress. A cancelled order keeps its unanswered TP1 but takes no answer."""
    order, tp1 = selectors.order_with_technical_details(request.customer, number)
    if order.status != Order.Status.WAITING_CUSTOMER or tp1 is None or not tp1.awaits_answer:
        messages.warning(request, _("This order is not waiting for technical details."))
        return redirect("orders:detail", number=order.number)
    form = TechnicalDetailsForm(request.POST, details=tp1.details_requested)
    if form.is_valid():
        try:
            technical_details_answer(order=order, answers=form.answers, actor=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Thank you. Your customer care manager has your answers."))
            return redirect("orders:detail", number=order.number)
    return _render_detail(request, number, form=form, status=400)


@member_required(Area.ORDERS)
def order_calendar(request, number, which):
    """The installation day or the activation window as a calendar file (.ics)."""
    order = selectors.order_calendar_get(request.customer, number, which)
    response = HttpResponse(_CALENDARS[which](order), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{order.number}-{which}.ics"'
    return response
