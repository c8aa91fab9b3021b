"""Billing inquiries, disputes and credit requests (R-BIL-1). (placeholders being built)"""

from django.http import Http404

from portal.access import member_required
from portal.models import Area, Level  # noqa: F401


@member_required(Area.BILLING)
def request_list(request, **kwargs):
    raise Http404


@member_required(Area.BILLING, Level.ACT, methods=("GET", "POST"))
def request_create(request, **kwargs):
    raise Http404


@member_required(Area.BILLING)
def request_detail(request, **kwargs):
    raise Http404


@member_required(Area.BILLING, Level.ACT, methods=("POST",))
def request_reply(request, **kwargs):
    raise Http404


@member_required(Area.BILLING)
def request_attachment(request, **kwargs):
    raise Http404
