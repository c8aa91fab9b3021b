"""Billing-data changes (R-BIL-2, R-BIL-4) and PO / HES / MIGO requests (R-BIL-3). (placeholders being built)"""

from django.http import Http404

from portal.access import member_required
from portal.models import Area, Level  # noqa: F401


@member_required(Area.BILLING)
def data_change_list(request, **kwargs):
    raise Http404


@member_required(Area.BILLING, Level.ACT, methods=("GET", "POST"))
def data_change_create(request, **kwargs):
    raise Http404


@member_required(Area.BILLING)
def po_request_list(request, **kwargs):
    raise Http404


@member_required(Area.BILLING, Level.ACT, methods=("GET", "POST"))
def po_request_create(request, **kwargs):
    raise Http404


@member_required(Area.BILLING)
def po_request_support(request, **kwargs):
    raise Http404
