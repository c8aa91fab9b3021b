"""Playwright (sync API) driving the system Chromium against pytest-django's live server."""

import os
import re
from importlib import import_module
from pathlib import Path

import pytest
from django.db import connections
from django.test import override_settings
from playwright.sync_api import sync_playwright

from tests.conftest import CHROMIUM

# The sync API runs an event loop in this thread; Django's ORM calls from the test body are safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 800}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser(django_db_setup):
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        # The sync API runs an asyncio loop in this thread, and from then on asgiref hands
        # Django a second set of connection objects here. They must carry the migrations' data
        # that the test databases were serialized with, or serialized_rollback restores nothing
        # (the staff groups and the change catalog, after an earlier live-server test's flush).
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
        # Those second connections close with the loop, or the test database cannot be dropped.
        connections.close_all()


@pytest.fixture(scope="session")
def _plain_http():
    # The live server speaks plain HTTP: no redirect to HTTPS, cookies without the Secure flag.
    # SecurityMiddleware reads its settings once, when the server thread starts.
    with override_settings(
        SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False
    ):
        yield


@pytest.fixture(scope="session")
def live_server(_plain_http, live_server):
    return live_server


@pytest.fixture
def _directory_seed(transactional_db):
    """The contact directory is seed data from a migration; a transactional test before this one
    flushed it, so it is loaded again (the same rows: the migration's own function)."""
    from django.apps import apps

    from contacts.models import SupportLine

    if not SupportLine.objects.exists():
        import_module("contacts.migrations.0002_seed_handbook").load(apps, None)


@pytest.fixture
def portal_url(live_server, settings, transactional_db, _directory_seed):
    """The live server's address; links in e-mails point to it too."""
    settings.PORTAL_BASE_URL = live_server.url
    return live_server.url


@pytest.fixture
def new_page(browser, portal_url):
    """Open a page in a fresh browser context (its own cookies: a different person or device).

    A console error (a CSP violation, a broken script), an uncaught page error or a stylesheet,
    script or image that fails to load fails the test. Pages themselves may answer 4xx: the
    tests assert those.
    """
    contexts, problems = [], []

    def _on_console(msg):
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            problems.append(f"console error: {msg.text}")

    def _on_response(response):
        if response.status >= 400 and response.request.resource_type != "document":
            problems.append(f"{response.status} for {response.url}")

    def _on_request_failed(request):
        # A click that leaves the page cancels the images still loading (net::ERR_ABORTED):
        # that is the browser's normal behaviour, not a resource that failed.
        if "ERR_ABORTED" not in (request.failure or ""):
            problems.append(f"failed: {request.url} ({request.failure})")

    def _new_page(viewport=DESKTOP, **options):
        context = browser.new_context(viewport=viewport, base_url=portal_url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("console", _on_console)
        page.on("response", _on_response)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("requestfailed", _on_request_failed)
        return page

    yield _new_page
    for context in contexts:
        context.close()
    assert not problems, "The browser reported errors:\n" + "\n".join(problems)


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def screenshot(request):
    """screenshot(page, "step") saves var/screenshots/<test-name>-<step>.png (the full page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")

    def _screenshot(page, step: str) -> Path:
        path = SCREENSHOTS / f"{test_name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _screenshot
