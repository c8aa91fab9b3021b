"""Change requests and maintenance pages: HELPERS replace this skeleton."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


change_list = change_create = change_check = change_other = change_detail = _todo
maintenance_calendar = maintenance_detail = maintenance_object = maintenance_ics = _todo
feed = feed_rotate = _todo
