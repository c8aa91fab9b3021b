"""Trouble ticket pages (R-TT): HELPER-D replaces this skeleton."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


ticket_list = ticket_export = ticket_create = ticket_detail = ticket_reply = _todo
ticket_escalate = ticket_reopen = ticket_cancel = watcher_add = watcher_remove = _todo
attachment_download = _todo
