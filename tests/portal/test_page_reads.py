"""What reading a customer page costs the database (issue 15): a fixed number of queries, however
many rows the customer has, and no write. The one write a read may cause is
the session's activity (last seen, address, browser: the sessions list of the profile page),
at most once per SESSION_ACTIVITY_INTERVAL per session (core.middleware.SessionActivityMiddleware);
allauth's own tracking rewrote the session's row on every request.

The pages are those of the demo (seed_demo, loaded once for the module), every customer page a
member with every permission reads, with one object of each kind."""

import io
import socket
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing.models import Invoice
from changes.models import ChangeRequest, Maintenance
from core.models import Customer, Service, User
from inventory.models import ExpansionRequest
from orders.models import Order
from portal.management.commands.seed_demo import DEMO_PASSWORD
from tests.factories import (
    BillingRequestFactory,
    ChangeRequestFactory,
    ExpansionRequestFactory,
    InvoiceLineFactory,
    MembershipFactory,
    NotificationContactFactory,
    OrderFactory,
    PurchaseOrderRequestFactory,
    ServiceFactory,
    invoice_with_lines,
    ticket_open_for,
)
from tests.module_world import copy_media, module_world
from tickets.models import Ticket
from tickets.services import ticket_reply

pytestmark = pytest.mark.django_db

ADMIN = "admin@acme.example"
WRITES = ("INSERT", "UPDATE", "DELETE")


def _seed() -> dict:
    call_command("seed_demo", stdout=io.StringIO())
    acme = Customer.objects.get(display_name="Acme Logística")
    return {"acme": acme}


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("demo-media")
    with module_world(_seed, django_db_blocker, media, DEBUG=True) as seeded:
        yield seeded, media


@pytest.fixture
def acme(_seeded_once, db, settings):
    seeded, media = _seeded_once
    copy_media(media, settings)
    return seeded["acme"]


def _signed_in(address: str = "198.51.100.7") -> Client:
    """Signed in through allauth's form, as a person is (allauth writes the session's row)."""
    client = Client(REMOTE_ADDR=address)
    response = client.post("/accounts/login/", {"login": ADMIN, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def _customer_pages(acme) -> list[str]:
    first: dict[str, Any] = {
        "ticket": Ticket.objects.filter(customer=acme).order_by("id").first(),
        "order": Order.objects.filter(customer=acme).order_by("id").first(),
        "change": ChangeRequest.objects.filter(customer=acme).order_by("id").first(),
        "invoice": Invoice.objects.filter(customer=acme).order_by("id").first(),
        "service": Service.objects.filter(customer=acme).order_by("id").first(),
        "expansion": ExpansionRequest.objects.filter(customer=acme).order_by("id").first(),
        "maintenance": Maintenance.objects.filter(impacts__service__customer=acme).first(),
    }
    assert all(first.values()), first
    member = User.objects.get(email="noc@acme.example").memberships.get(customer=acme)
    return [
        "/",
        "/tickets/",
        f"/tickets/{first['ticket'].number}/",
        "/services/",
        f"/services/{first['service'].service_id}/",
        "/services/requests/",
        f"/services/requests/{first['expansion'].number}/",
        "/orders/",
        f"/orders/{first['order'].number}/",
        "/changes/",
        f"/changes/{first['change'].number}/",
        "/changes/maintenance/",
        f"/changes/maintenance/{first['maintenance'].reference}/",
        "/billing/",
        "/billing/invoices/",
        f"/billing/invoices/{first['invoice'].number}/",
        "/billing/requests/",
        "/billing/data/",
        "/billing/po/",
        "/users/",
        f"/users/{member.reference}/",
        "/audit/",
        "/profile/",
        "/team/",
        "/notifications/",
        "/contacts/",
        "/help/",
    ]


def _writes(queries) -> list[str]:
    return [q["sql"][:160] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_no_customer_page_writes_to_the_database(acme):
    client = _signed_in()
    problems = []
    for path in _customer_pages(acme):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            problems.append(f"{path}: {response.status_code}")
        problems += [f"{path}: {sql}" for sql in _writes(queries.captured_queries)]

    assert not problems, "\n".join(problems)


def _query_counts(client, paths: list[str]) -> dict[str, int]:
    counts = {}
    for path in paths:
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        counts[path] = len(queries.captured_queries)
    return counts


def _more_of_everything(acme, n: int = 8) -> None:
    """n more rows of every kind a customer page lists, for Acme; and a longer history on the
    first ticket, order, invoice and change that the detail pages show."""
    admin = User.objects.get(email=ADMIN)
    staff = User.objects.filter(is_staff=True).order_by("id")[0]
    for row in range(n):
        service = ServiceFactory(customer=acme)
        ticket = ticket_open_for(acme, admin, service=service)
        ticket_reply(ticket=ticket, author=staff, body="On it")
        OrderFactory(customer=acme, number=f"ORD-2026-8{row:04d}")
        ChangeRequestFactory(customer=acme)
        invoice_with_lines(acme, amounts=("100.00", "200.00", "300.00"))
        ExpansionRequestFactory(customer=acme, service=service)
        MembershipFactory(customer=acme)
        NotificationContactFactory(customer=acme)
        BillingRequestFactory(customer=acme)
        PurchaseOrderRequestFactory(customer=acme)
    first = Ticket.objects.filter(customer=acme).order_by("id")[0]
    for n_reply in range(n):
        ticket_reply(ticket=first, author=staff, body=f"Update {n_reply}")
        ticket_reply(ticket=first, author=admin, body=f"Answer {n_reply}")
    InvoiceLineFactory.create_batch(
        n, invoice=Invoice.objects.filter(customer=acme).order_by("id").first()
    )


def test_no_customer_page_runs_more_queries_with_more_rows(acme):
    """The query count of every customer page is fixed: more tickets, orders, invoices,
    services, people or messages never add a query (no query per row)."""
    client = _signed_in()
    pages = _customer_pages(acme)
    before = _query_counts(client, pages)

    _more_of_everything(acme)
    after = _query_counts(client, pages)

    grown = {path: (before[path], after[path]) for path in pages if after[path] > before[path]}
    assert not grown, f"queries before -> after more rows: {grown}"


def test_the_sessions_activity_is_written_once_per_interval(acme, settings):
    settings.SESSION_ACTIVITY_INTERVAL = 300
    signed_in_at = timezone.now()
    with time_machine.travel(signed_in_at, tick=False):
        client = _signed_in()
        session = UserSession.objects.get(session_key=client.session.session_key)
        assert session.last_seen_at == signed_in_at
    with time_machine.travel(signed_in_at + timedelta(seconds=299), tick=False):
        with CaptureQueriesContext(connection) as queries:
            client.get("/tickets/")
        assert _writes(queries.captured_queries) == []

    later = signed_in_at + timedelta(seconds=301)
    with time_machine.travel(later, tick=False), CaptureQueriesContext(connection) as queries:
        client.get("/tickets/")
        client.get("/services/")

    writes = _writes(queries.captured_queries)
    assert len(writes) == 1
    assert writes[0].startswith('UPDATE "usersessions_usersession"')
    session.refresh_from_db()
    assert session.last_seen_at == later


def test_a_new_address_is_recorded_at_the_next_write(acme, settings):
    settings.SESSION_ACTIVITY_INTERVAL = 300
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = _signed_in(address="198.51.100.7")
    client.defaults["REMOTE_ADDR"] = "203.0.113.9"
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        client.get("/")

    session = UserSession.objects.get(session_key=client.session.session_key)
    assert session.ip == "203.0.113.9"


def test_the_cache_never_holds_the_session_key_in_clear(acme):
    client = _signed_in()
    client.get("/")
    key = client.session.session_key
    stored = list(cache._cache)  # the tests' cache is Django's in-memory one

    assert any("session-activity:" in name for name in stored)
    assert not any(key in name for name in stored)


def test_the_sessions_list_leaves_out_an_expired_session_and_the_hourly_task_deletes_it(acme):
    from django.contrib.sessions.models import Session

    from core.tasks import sessions_clear_expired

    here, elsewhere = _signed_in(), _signed_in(address="203.0.113.9")
    gone = elsewhere.session.session_key
    Session.objects.filter(session_key=gone).update(expire_date=timezone.now())
    here.get("/profile/")

    with CaptureQueriesContext(connection) as queries:
        response = here.get("/profile/")

    assert _writes(queries.captured_queries) == []
    listed = [session.session_key for session in response.context["sessions"]]
    assert listed == [here.session.session_key]
    assert UserSession.objects.filter(session_key=gone).exists()  # the page deleted nothing

    sessions_clear_expired()

    assert not UserSession.objects.filter(session_key=gone).exists()
    assert UserSession.objects.filter(session_key=here.session.session_key).exists()


def _dead_redis() -> dict:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens there once the socket is closed
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }


def test_pages_answer_when_the_cache_is_down(acme):
    """The throttle lives in the cache (Redis in production): a dead Redis costs the throttle,
    not the pages."""
    client = _signed_in()

    with override_settings(CACHES=_dead_redis()):
        assert client.get("/tickets/").status_code == 200
        assert client.get("/").status_code == 200


def test_a_process_asks_the_cache_once_per_interval_per_session(acme, settings):
    """The process remembers the sessions it wrote or found throttled: within the interval a
    request costs no cache round trip (with the cache gone, no write either); past it, the
    process writes once more, then remembers again."""
    settings.SESSION_ACTIVITY_INTERVAL = 300
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = _signed_in()
    with override_settings(CACHES=_dead_redis()):
        moment = time_machine.travel(start + timedelta(seconds=120), tick=False)
        with moment, CaptureQueriesContext(connection) as within:
            assert client.get("/tickets/").status_code == 200
            assert client.get("/").status_code == 200
        moment = time_machine.travel(start + timedelta(seconds=301), tick=False)
        with moment, CaptureQueriesContext(connection) as past:
            assert client.get("/tickets/").status_code == 200
            assert client.get("/").status_code == 200

    assert _writes(within.captured_queries) == []
    writes = _writes(past.captured_queries)
    assert len(writes) == 1
    assert writes[0].startswith('UPDATE "usersessions_usersession"')


def test_the_sessions_list_reads_the_same_queries_for_one_session_or_five(acme):
    here = _signed_in()
    here.get("/profile/")
    with CaptureQueriesContext(connection) as one:
        here.get("/profile/")
    others = [_signed_in(address=f"203.0.113.{n}") for n in range(4)]
    with CaptureQueriesContext(connection) as five:
        response = here.get("/profile/")

    assert len(response.context["sessions"]) == 1 + len(others)
    assert len(five.captured_queries) == len(one.captured_queries)


# What each page of _customer_pages reads, in its order, for the portal administrator of the demo
# customer (the heaviest view of each: every card, every action). A new query on a page is a
# decision to make here, not an accident.
QUERY_BUDGET = [
    ("dashboard", 24),
    ("ticket list", 10),
    ("ticket page", 10),
    ("services", 5),
    ("service page", 13),
    ("expansion requests", 5),
    ("expansion request", 5),
    ("orders", 7),
    ("order", 8),
    ("changes", 6),
    ("change", 6),
    ("maintenance calendar", 8),
    ("maintenance", 7),
    ("billing", 9),
    ("invoices", 7),
    ("invoice", 8),
    ("billing requests", 6),
    ("billing data", 5),
    ("purchase orders", 6),
    ("users", 5),
    ("user", 4),
    ("audit log", 5),
    ("profile", 6),
    ("account team", 7),
    ("notification contacts", 4),
    ("contacts", 9),
    ("help", 3),
]


def test_every_customer_page_stays_within_its_query_budget(acme):
    client = _signed_in()
    pages = _customer_pages(acme)
    assert len(pages) == len(QUERY_BUDGET)
    counts = _query_counts(client, pages)

    over = {
        f"{name} ({path})": (counts[path], budget)
        for (name, budget), path in zip(QUERY_BUDGET, pages, strict=True)
        if counts[path] > budget
    }
    assert not over, f"queries, budget: {over}"
