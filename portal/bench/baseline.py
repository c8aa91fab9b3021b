"""The baseline of the web benchmark: what a minimal Django list page costs on this machine and
database. A signed-in session, 25 rows of the same tickets table, a plain template; served by a
handler with Django's default middleware only (startproject's list), so the ratio of a portal page
to it measures everything the portal adds: its middleware, queries, and templates."""

from django.contrib.auth.decorators import login_required
from django.core.handlers.wsgi import WSGIHandler
from django.shortcuts import render
from django.test.utils import override_settings

from core.scopes import scopes_disabled
from tickets.models import Ticket

PATH = "/__bench__/baseline/"
DJANGO_DEFAULT_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]


@login_required
def baseline(request):
    # The tenancy scopes are the portal's; the baseline reads the way a plain Django page would.
    with scopes_disabled():
        tickets = list(
            Ticket.objects.filter(customer__memberships__user=request.user).order_by(
                "-opened_at", "-id"
            )[:25]
        )
    return render(request, "bench/baseline.html", {"tickets": tickets})


class BaselineHandler(WSGIHandler):
    """A WSGI handler of its own, in the same process as the portal's, with the default
    middleware instead of the portal's."""

    def load_middleware(self, is_async=False):
        with override_settings(MIDDLEWARE=DJANGO_DEFAULT_MIDDLEWARE):
            super().load_middleware(is_async)
