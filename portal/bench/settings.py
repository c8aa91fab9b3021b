"""The portal as production runs it (DEBUG off), served over plain HTTP on 127.0.0.1 so that
the load generator can reach it, plus the baseline page (portal.bench.urls)."""

import warnings

from portal.settings import *  # noqa: F403
from portal.settings import STORAGES

ROOT_URLCONF = "portal.bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# No collectstatic before a benchmark: the pages name their static files without the manifest.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# WhiteNoise warns once per worker that there is no collected static folder; the benchmark serves
# the pages, not the static files.
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise")
