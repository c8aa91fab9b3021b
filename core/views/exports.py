"""CSV exports too large to stream (issue 15): the offer to prepare one, asking for it (POST),
its progress (the page polls itself with htmx; without JavaScript, a link reloads it), and the
download. Each person sees only their own exports, and only while they keep the area's view
level; another customer's or another person's export is a 404."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from core.access import member_required
from core.errors import DomainError
from core.exports import ExportKind, export_kind_get
from core.lib.downloads import stored_download
from core.models import Export
from core.selectors import exports as selectors
from core.services.exports import export_filters, export_request


def _kind(request, key: str) -> ExportKind:
    kind = export_kind_get(key)
    if kind is None:
        raise Http404
    if not request.membership.can(kind.area):
        raise PermissionDenied
    return kind


def export_offer(request, *, kind_key: str, rows_total: int, error: str = "", status=200):
    """What a download above CSV_EXPORT_INLINE_MAX_ROWS answers: the offer to prepare it."""
    kind = _kind(request, kind_key)
    params = export_filters(kind, request.GET if request.method == "GET" else request.POST)
    context = {
        "kind": kind,
        "params": params,
        "rows_total": rows_total,
        "limit": settings.CSV_EXPORT_INLINE_MAX_ROWS,
        "under_way": selectors.export_under_way(request.customer, request.user, kind.key, params),
        "error": error,
    }
    return render(request, "portal/exports/offer.html", context, status=status)


@member_required(methods=("POST",))
def export_start(request):
    kind = _kind(request, request.POST.get("kind", ""))
    try:
        export = export_request(
            customer=request.customer, user=request.user, kind=kind.key, params=request.POST
        )
    except DomainError as error:
        return export_offer(
            request, kind_key=kind.key, rows_total=0, error=error.message, status=400
        )
    return redirect("portal:export_detail", reference=export.reference)


@member_required()
def export_list(request):
    exports = list(selectors.exports_for_member(request.customer, request.user)[: selectors.RECENT])
    rows = [(export, export_kind_get(export.kind)) for export in exports]
    context = {"rows": rows, "keep_hours": settings.CSV_EXPORT_KEEP_HOURS}
    return render(request, "portal/exports/list.html", context)


def _own(request, reference) -> tuple[Export, ExportKind]:
    export = selectors.export_get(request.customer, request.user, reference)
    return export, _kind(request, export.kind)


@member_required()
def export_detail(request, reference):
    export, kind = _own(request, reference)
    context = {
        "export": export,
        "kind": kind,
        "keep_hours": settings.CSV_EXPORT_KEEP_HOURS,
        "list_url": f"{reverse(kind.list_url)}?{urlencode(export.params)}",
    }
    template = "portal/exports/detail.html"
    if getattr(request, "htmx", False):
        template += "#progress"  # the polled part alone
    return render(request, template, context)


@member_required()
def export_download(request, reference):
    export, _kind_ = _own(request, reference)
    if export.status != Export.Status.DONE or not export.file:
        raise Http404
    return stored_download(
        export.file, filename=export.filename, content_type="text/csv; charset=utf-8"
    )
