"""Sending a link again from an administrator's list (an invitation, a contact's confirmation):
one flow for both pages."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect

from core.errors import DomainError, RateLimited


def link_resend(
    request,
    send: Callable[[], object],
    *,
    sent: str,
    render_list: Callable[..., HttpResponse],
    list_url: str,
) -> HttpResponse:
    """Run `send`; too many sends show the list again with the message, as a 429; another
    refusal or `sent` (the success message) is shown on the list it redirects to."""
    try:
        send()
    except RateLimited as error:
        messages.error(request, error.message)
        return render_list(request, status=error.status)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, sent)
    return redirect(list_url)
