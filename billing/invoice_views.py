"""The customer's invoices: billing home, list, invoice page, PDF, CSV. (placeholders being built)"""

from django.http import Http404

from portal.access import member_required
from portal.models import Area, Level  # noqa: F401


@member_required(Area.BILLING)
def billing_home(request, **kwargs):
    raise Http404


@member_required(Area.BILLING)
def invoice_list(request, **kwargs):
    raise Http404


@member_required(Area.BILLING)
def invoice_export(request, **kwargs):
    raise Http404


@member_required(Area.BILLING)
def invoice_detail(request, **kwargs):
    raise Http404


@member_required(Area.BILLING)
def invoice_pdf(request, **kwargs):
    raise Http404
