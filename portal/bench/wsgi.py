"""gunicorn portal.bench.wsgi:application (DJANGO_SETTINGS_MODULE=portal.bench.settings): the
portal's own WSGI application, and the baseline page on a handler of its own."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.bench.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402 - after the settings module

portal_application = get_wsgi_application()

from portal.bench.baseline import PATH, BaselineHandler  # noqa: E402 - needs Django set up

baseline_application = BaselineHandler()


def application(environ, start_response):
    if environ.get("PATH_INFO", "").startswith(PATH):
        return baseline_application(environ, start_response)
    return portal_application(environ, start_response)
