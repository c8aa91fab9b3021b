"""Data built once for a test module instead of once per test.

`module_world(build, django_db_blocker, media)` runs `build()` in a transaction that stays open
for the module and is rolled back at its end, on SQLite and PostgreSQL alike; each test then runs
in a savepoint of it (pytest-django's `db`), so what a test writes is undone before the next one.
With pytest-xdist each worker builds its own, in its own test database and temporary folder.
The settings are those tests/conftest.py gives every test, since its per-test fixtures have not
run when a module fixture does; files land in `media`, which each test copies into its own
MEDIA_ROOT (`copy_media`)."""

import shutil
from contextlib import contextmanager

from django.db import transaction
from django.test import override_settings

from portal.celery import app as celery_app

MODULE_SETTINGS = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "MAILERS": {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}},
    "CELERY_TASK_ALWAYS_EAGER": True,
    "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
}


@contextmanager
def module_world(build, django_db_blocker, media, **extra_settings):
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with (
            django_db_blocker.unblock(),
            override_settings(**MODULE_SETTINGS, MEDIA_ROOT=media, **extra_settings),
            transaction.atomic(),
        ):
            yield build()
            transaction.set_rollback(True)
    finally:
        celery_app.conf.task_always_eager = eager


def copy_media(media, settings) -> None:
    shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
