"""Error pages the portal renders itself instead of Django's defaults."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults

from core.lib.uploads import RequestTooLarge


def bad_request(request, exception):
    """handler400. A body over the limit (portal.uploads) ends here, wherever it was refused,
    CsrfViewMiddleware included: it gets the 413 page that says what to do instead. The two
    limits are told apart: RequestTooLarge is the whole body (files, mostly) over
    REQUEST_BODY_MAX_MB; RequestDataTooBig is the text of the form's fields over
    DATA_UPLOAD_MAX_MEMORY_SIZE (a log pasted into a reply), which files do not count in."""
    if isinstance(exception, RequestTooLarge):
        return request_too_large(request)
    if isinstance(exception, RequestDataTooBig):
        return request_too_large(request, text=True)
    return defaults.bad_request(request, exception)


def request_too_large(request, *, text: bool = False):
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    context = {
        "limit_mb": settings.REQUEST_BODY_MAX_MB,
        "file_mb": settings.TICKET_ATTACHMENT_MAX_MB,
        "text": text,
        "text_limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        "back": back,
    }
    return render(request, "portal/too_large.html", context, status=413)
