"""Notification contacts (R-GCR-4): HELPER-B replaces this skeleton."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


contact_list = contact_create = contact_edit = contact_remove = contact_resend = _todo
contact_confirm = _todo
