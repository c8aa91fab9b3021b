"""Orders pages (R-ORD-2): HELPER-C replaces this skeleton."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


order_list = order_export = order_detail = order_answer = order_calendar = _todo
