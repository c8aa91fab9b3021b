"""make bench-web's own parts (portal/bench, bench_web): the baseline page is served by a handler
with Django's default middleware and reads 25 rows, the portal's pages by the portal's; wrk's
output is read into the figures; a page that answers errors under load stops the benchmark."""

import io
import sys
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.management.base import CommandError
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

from portal.management.commands.bench_web import BASELINE, PAGES, Command, Figures, Run, wrk_run
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8765/tickets/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   339.81ms   51.92ms 795.85ms   79.89%
    Req/Sec    24.10      9.76    50.00     62.50%
  Latency Distribution
     50%  332.06ms
     75%  358.77ms
     90%  398.33ms
     99%    1.02s
  471 requests in 10.04s, 13.51MB read
Requests/sec:     46.90
Transfer/sec:      1.35MB
"""


@pytest.fixture
def bench_application(settings):
    settings.ROOT_URLCONF = "portal.bench.urls"
    settings.ALLOWED_HOSTS = ["testserver"]
    sys.modules.pop("portal.bench.wsgi", None)
    from portal.bench import wsgi

    return wsgi.application


def _get(application, path: str, cookie: str) -> tuple[str, dict, str]:
    environ: dict = {"PATH_INFO": path, "HTTP_COOKIE": cookie, "HTTP_HOST": "testserver"}
    setup_testing_defaults(environ)
    environ["wsgi.input"] = io.BytesIO()
    answer: dict = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    # As Django's test client does: the test's database connection stays open across requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = b"".join(application(environ, start_response)).decode()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], body


def test_the_baseline_page_lists_25_tickets_behind_djangos_default_middleware(
    bench_application, customer, portal_admin_user
):
    TicketFactory.create_batch(30, customer=customer, opened_by=portal_admin_user)
    client = Client()
    client.force_login(portal_admin_user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"

    status, headers, body = _get(bench_application, "/__bench__/baseline/", cookie)
    portal_status, portal_headers, _ = _get(bench_application, "/accounts/login/", "")

    assert status.startswith("200")
    assert body.count("<tr><td>") == 25
    # The portal's own middleware (its Content Security Policy) is not in front of the baseline.
    assert "Content-Security-Policy" not in headers
    assert portal_status.startswith("200")
    assert "Content-Security-Policy" in portal_headers


def test_the_baseline_page_needs_a_signed_in_session(bench_application):
    status, headers, _ = _get(bench_application, "/__bench__/baseline/", "")

    assert status.startswith("302")
    assert headers["Location"].startswith("/accounts/login/")


def test_the_portal_settings_do_not_mount_the_baseline(client, portal_admin_user):
    client.force_login(portal_admin_user)

    assert client.get("/__bench__/baseline/").status_code == 404


def test_wrk_output_becomes_the_figures_of_a_run():
    run = wrk_run(WRK_OUTPUT, cpu_ms=9420.0, path="/tickets/")

    assert run.requests_per_second == 46.90
    assert (run.p50_ms, run.p99_ms) == (332.06, 1020.0)
    assert run.cpu_ms_per_request == pytest.approx(20.0)


def test_a_page_that_answers_errors_under_load_stops_the_benchmark():
    output = WRK_OUTPUT.replace("Requests/sec", "  Non-2xx or 3xx responses: 12\nRequests/sec")

    with pytest.raises(CommandError, match="answered errors"):
        wrk_run(output, cpu_ms=1.0, path="/tickets/")


def _figures(*, page_50_cost: float, page_50_slowdown: float) -> dict:
    """3 rounds; page 1 costs 3x the baseline's CPU per request, page 50 `page_50_cost` x; the
    machine runs `page_50_slowdown` x slower while page 50 and its baseline run."""
    figures = {page.name: Figures() for page in [BASELINE, *PAGES]}
    for _round in range(3):
        for page in PAGES:
            fiftieth = "page 50" in page.name
            speed = page_50_slowdown if fiftieth else 1.0
            base = Run(300, 50, 90, 4.0 * speed)
            factor = page_50_cost if fiftieth else 3.0
            run = Run(150, 100, 180, 4.0 * speed * factor)
            figures[BASELINE.name].runs.append(base)
            figures[page.name].runs.append(run)
            figures[page.name].ratios.append(run.requests_per_second / base.requests_per_second)
            figures[page.name].cpu_ratios.append(run.cpu_ms_per_request / base.cpu_ms_per_request)
    return figures


def test_page_50_is_compared_with_page_1_against_the_baseline_of_each_round():
    """A machine that slows down between page 1's run and page 50's is no cost of page 50; a
    page 50 that costs 10% more than page 1 in every round is."""
    command = Command(stdout=io.StringIO())
    page = "Page 50 against page 1, customer with 2,000 tickets: "

    drifting = _figures(page_50_cost=3.0, page_50_slowdown=1.15)
    failures = command._report(drifting, 100.0, 100.0)
    assert not any("page 50" in failure for failure in failures), failures
    assert page + "1.00x" in command.stdout.getvalue()

    dearer = _figures(page_50_cost=3.3, page_50_slowdown=1.0)
    failures = Command(stdout=io.StringIO())._report(dearer, 100.0, 100.0)
    assert "page 50 costs 1.10x page 1 (2,000 tickets)" in failures
