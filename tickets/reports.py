"""The availability report (R-TT-3): HELPER-E replaces this skeleton."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


availability = availability_export = _todo
