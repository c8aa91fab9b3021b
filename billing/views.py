"""Placeholder views: the billing pages are being built."""

from django.http import Http404

from portal.access import member_required
from portal.models import Area, Level


def _todo(*args, **kwargs):
    raise Http404


billing_home = member_required(Area.BILLING)(_todo)
invoice_list = member_required(Area.BILLING)(_todo)
invoice_export = member_required(Area.BILLING)(_todo)
invoice_detail = member_required(Area.BILLING)(_todo)
invoice_pdf = member_required(Area.BILLING)(_todo)
request_list = member_required(Area.BILLING)(_todo)
request_create = member_required(Area.BILLING, Level.ACT, methods=("GET", "POST"))(_todo)
request_detail = member_required(Area.BILLING)(_todo)
request_reply = member_required(Area.BILLING, Level.ACT, methods=("POST",))(_todo)
request_attachment = member_required(Area.BILLING)(_todo)
data_change_list = member_required(Area.BILLING)(_todo)
data_change_create = member_required(Area.BILLING, Level.ACT, methods=("GET", "POST"))(_todo)
po_request_list = member_required(Area.BILLING)(_todo)
po_request_create = member_required(Area.BILLING, Level.ACT, methods=("GET", "POST"))(_todo)
po_request_support = member_required(Area.BILLING)(_todo)
