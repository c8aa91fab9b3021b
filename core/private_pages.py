"""No cache keeps a signed-in person's pages (issue 13, section 5).

Every page a signed-in person sees carries their customer's data (invoices, tickets, users, the
audit log). `Cache-Control: private, no-store` keeps it out of shared caches (a corporate proxy,
a CDN) and out of the browser's disk cache and back-button history on a shared computer after
sign-out. Anonymous pages (sign-in, the public directory, static files) keep their caching.
"""

from django.utils.cache import patch_cache_control


class PrivatePagesMiddleware:
    """Sits after AuthenticationMiddleware, so it sees who the response was for: someone who
    signed in during this request (the sign-in POST) too, no longer someone who signed out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
