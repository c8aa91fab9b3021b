"""The issue's figure: with 200,000 tickets across 200 customers, the customer's ticket list (first
page and page 50) renders in under 100 ms server time.

    createdb portal_bench && DATABASE_URL=postgres://.../portal_bench python manage.py migrate
    DATABASE_URL=postgres://.../portal_bench python manage.py bench_tickets --force

Loads the data with bulk_create (customers, services, tickets, their service links, pauses), then
signs in as a member of the largest customer and times GET /tickets/ and /tickets/?page=50 with
django.test.Client (the whole request: middleware, view, queries, template). It refuses to run
with DEBUG off unless --force, and refuses a database holding tickets other than its own."""

import random
import statistics
import time
import warnings
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from core.models import Area, Customer, Level, Membership, ProductLine, Service, User
from core.scopes import scopes_disabled
from tickets.models import Impact, Message, PauseInterval, Ticket
from tickets.selectors import tickets_for_customer
from tickets.sla import DEFAULT_TARGETS, ticket_clock

TAX_PREFIX = "BENCH-"
MEMBER_EMAIL = "bench-member@bench.invalid"
# A member of the second customer, which holds --giant tickets (page 50 must cost what page 1 does).
GIANT_MEMBER_EMAIL = "bench-giant@bench.invalid"
# The ticket page of the web benchmark: 27 messages and 3 pauses, in the measured customer.
SHOWCASE_NUMBER = "TT-B-SHOWCASE"
SHOWCASE_MESSAGES = 27
SHOWCASE_PAUSES = 3
SERVICES_PER_CUSTOMER = 8
BATCH = 5000
PAGES = (1, 50)


class Command(BaseCommand):
    help = "Load N tickets across M customers and time the customer's ticket list (page 1, 50)."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=200_000)
        parser.add_argument("--customers", type=int, default=200)
        parser.add_argument("--requests", type=int, default=20, help="Timed requests per page.")
        parser.add_argument(
            "--giant", type=int, default=0, help="Tickets of a second, much larger customer."
        )
        parser.add_argument("--load-only", action="store_true", help="Load; time nothing.")
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    @scopes_disabled()  # a command works across customers (core/scopes.py)
    def handle(
        self,
        *args,
        tickets: int,
        customers: int,
        requests: int,
        giant: int,
        load_only: bool,
        force: bool,
        **options,
    ):
        if not settings.DEBUG and not force:
            raise CommandError(
                "bench_tickets loads fake data; it refuses with DEBUG off (--force)."
            )
        if Ticket.objects.exclude(customer__tax_id__startswith=TAX_PREFIX).exists():
            raise CommandError("This database holds real tickets: run it on an empty database.")
        per_page = settings.TICKETS_PAGE_SIZE
        # The measured customer is the largest: page 50 must exist, with room to spare.
        largest = max(2 * tickets // customers, per_page * max(PAGES) + per_page)
        if not Ticket.objects.exists():
            started = time.perf_counter()
            self._load(tickets=tickets, customers=customers, largest=largest, giant=giant)
            self.stdout.write(f"Loaded in {time.perf_counter() - started:.0f} s.")
        customer = Customer.objects.get(tax_id=f"{TAX_PREFIX}00000")
        if load_only:
            return
        self._report(customer, requests=requests, per_page=per_page)

    # --- Data -------------------------------------------------------------------------------
    def _load(self, *, tickets: int, customers: int, largest: int, giant: int = 0) -> None:
        rng = random.Random(5)  # noqa: S311 - fake data, reproducible
        now = timezone.now()
        with transaction.atomic():
            rows = Customer.objects.bulk_create(
                Customer(
                    legal_name=f"Bench customer {n} S.A.",
                    display_name=f"Bench {n:05d}",
                    tax_id=f"{TAX_PREFIX}{n:05d}",
                    country="AR",
                    segment=Customer.Segment.ENTERPRISE,
                    language="es",
                    timezone="America/Argentina/Buenos_Aires",
                )
                for n in range(customers)
            )
            user = User.objects.create_user(email=MEMBER_EMAIL, password=None, full_name="Bench")
            Membership.objects.create(
                user=user,
                customer=rows[0],
                role=Membership.Role.USER,
                **{area.value: Level.VIEW for area in Area},
            )
            if giant:
                giant_user = User.objects.create_user(
                    email=GIANT_MEMBER_EMAIL, password=None, full_name="Bench giant"
                )
                Membership.objects.create(
                    user=giant_user,
                    customer=rows[1],
                    role=Membership.Role.USER,
                    **{area.value: Level.VIEW for area in Area},
                )
            services = Service.objects.bulk_create(
                Service(
                    customer=row,
                    service_id=f"BN-{n:05d}-{s:02d}",
                    product_line=ProductLine.IP_VPN,
                    site_name=f"Site {s}",
                    site_address="Av. Corrientes 1234, CABA",
                    country="AR",
                    capacity="100 Mbps",
                    status=Service.Status.ACTIVE,
                    activated_on=now.date() - timedelta(days=3 * 365),
                )
                for n, row in enumerate(rows)
                for s in range(SERVICES_PER_CUSTOMER)
            )
            by_customer: dict[int, list[Service]] = {}
            for service in services:
                by_customer.setdefault(service.customer_id, []).append(service)
        member_id = user.pk
        if giant:
            counts = [largest, giant] + _spread(tickets - largest - giant, customers - 2)
        else:
            counts = [largest] + _spread(tickets - largest, customers - 1)
        number = 0
        pending: list[tuple[Ticket, Service]] = []
        for row, count in zip(rows, counts, strict=True):
            for _ in range(count):
                number += 1
                pending.append(_ticket(row, number, now, rng, by_customer[row.pk], member_id))
                if len(pending) >= BATCH:
                    self._flush(pending, now, rng)
                    pending = []
        self._flush(pending, now, rng)
        _showcase(rows[0], by_customer[rows[0].pk][0], member_id, now)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            with connection.cursor() as cursor:  # what autovacuum does on a live database
                for model in (Ticket, Ticket.services.through, PauseInterval, Service, Customer):
                    cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')

    @staticmethod
    def _flush(pending: list, now, rng) -> None:
        with transaction.atomic():
            created = Ticket.objects.bulk_create([ticket for ticket, _service in pending])
            Link = Ticket.services.through
            Link.objects.bulk_create(
                Link(ticket_id=ticket.pk, service_id=service.pk)
                for ticket, (_t, service) in zip(created, pending, strict=True)
            )
            pauses = []
            for ticket in created:
                waiting = ticket.status == Ticket.Status.WAITING_CUSTOMER
                if waiting or rng.random() < 0.2:
                    start = ticket.opened_at + timedelta(minutes=rng.randint(5, 90))
                    end = None if waiting else start + timedelta(minutes=rng.randint(10, 600))
                    pauses.append(
                        PauseInterval(
                            ticket=ticket, reason="site_access", started_at=start, ended_at=end
                        )
                    )
            PauseInterval.objects.bulk_create(pauses)

    # --- Timing -----------------------------------------------------------------------------
    def _report(self, customer: Customer, *, requests: int, per_page: int) -> None:
        # Serve the request as production would, minus what needs a deployment: the test
        # client's host name, the collected static manifest and the TLS proxy in front.
        storages = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        hosts = [*settings.ALLOWED_HOSTS, "testserver"]
        warnings.filterwarnings("ignore", message="No directory at")  # whitenoise, no collectstatic
        with override_settings(ALLOWED_HOSTS=hosts, STORAGES=storages, SECURE_SSL_REDIRECT=False):
            self._measure(customer, requests=requests, per_page=per_page)

    def _measure(self, customer: Customer, *, requests: int, per_page: int) -> None:
        total = Ticket.objects.count()
        mine = Ticket.objects.filter(customer=customer).count()
        self.stdout.write(
            f"{total} tickets, {Customer.objects.count()} customers; "
            f"measured customer: {mine} tickets, {per_page} per page, database {connection.vendor}."
        )
        client = Client()
        client.force_login(User.objects.get(email=MEMBER_EMAIL))
        url = reverse("tickets:list")
        status = client.get(url).status_code
        if status != 200:
            self.stdout.write(f"GET {url} answered {status}: timing selector + paginator instead.")
            for page in PAGES:
                self._line(
                    f"selector page {page}",
                    self._time(lambda p=page: _selector(customer, p, per_page), requests),
                )
            return
        for page in PAGES:
            path = f"{url}?page={page}"
            queries = _Counter()
            with connection.execute_wrapper(queries):
                response = client.get(path)
            if response.status_code != 200:
                raise CommandError(f"GET {path} answered {response.status_code}.")
            samples = self._time(lambda p=path: client.get(p), requests)
            self._line(f"GET {path}", samples, queries=queries.count)

    @staticmethod
    def _time(call, requests: int) -> list[float]:
        call()  # warm up
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            call()
            samples.append((time.perf_counter() - started) * 1000)
        return samples

    def _line(self, label: str, samples: list[float], queries: int | None = None) -> None:
        median = statistics.median(samples)
        p95 = sorted(samples)[max(0, int(len(samples) * 0.95) - 1)]
        extra = f", {queries} queries" if queries is not None else ""
        verdict = "OK" if median < 100 else "SLOWER THAN 100 ms"
        self.stdout.write(
            f"{label:<28} median {median:6.1f} ms  p95 {p95:6.1f} ms  "
            f"(n={len(samples)}{extra})  {verdict}"
        )


class _Counter:
    """A database execute wrapper that counts the queries of one request."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _showcase(customer: Customer, service: Service, member_id: int, now) -> None:
    """A long-running ticket with a full conversation: 27 messages (public, status changes) and
    3 pauses, the last one still open (waiting for the customer)."""
    opened = now - timedelta(days=3)
    response, restoration = DEFAULT_TARGETS[Impact.DEGRADED]
    ticket = Ticket.objects.create(
        customer=customer,
        number=SHOWCASE_NUMBER,
        impact=Impact.DEGRADED,
        status=Ticket.Status.WAITING_CUSTOMER,
        subject="Packet loss on the Córdoba IP VPN at peak hours",
        description="Between 18:00 and 21:00 the loss reaches 4% on the MPLS link.",
        problem_started_at=opened,
        site_contact_name="Bench",
        site_contact_phone="+54 11 5555 0000",
        access_hours="24x7",
        opened_by_id=member_id,
        response_target=response,
        restoration_target=restoration,
        opened_at=opened,
        first_response_at=opened + timedelta(minutes=12),
        restoration_deadline=opened + restoration,
    )
    ticket.services.add(service)
    Message.objects.bulk_create(
        Message(
            ticket=ticket,
            kind=Message.Kind.STATUS if n % 9 == 8 else Message.Kind.PUBLIC,
            status=Ticket.Status.WAITING_CUSTOMER if n % 9 == 8 else "",
            author_id=None if n % 2 else member_id,
            from_staff=bool(n % 2),
            body=f"Message {n + 1}: the trace from the customer edge router shows "
            "retransmissions between 18:40 and 19:10; attached is the capture.",
            created_at=opened + timedelta(minutes=20 + 150 * n),
        )
        for n in range(SHOWCASE_MESSAGES)
    )
    PauseInterval.objects.bulk_create(
        PauseInterval(
            ticket=ticket,
            reason="site_access",
            started_at=opened + timedelta(hours=12 + 20 * n),
            ended_at=(None if n == SHOWCASE_PAUSES - 1 else opened + timedelta(hours=14 + 20 * n)),
        )
        for n in range(SHOWCASE_PAUSES)
    )


def _spread(total: int, parts: int) -> list[int]:
    if parts <= 0:
        return []
    base, extra = divmod(max(total, 0), parts)
    return [base + (1 if n < extra else 0) for n in range(parts)]


STATUS_WEIGHTS = [
    (Ticket.Status.CLOSED, 70),
    (Ticket.Status.RESOLVED, 8),
    (Ticket.Status.CANCELLED, 7),
    (Ticket.Status.IN_PROGRESS, 8),
    (Ticket.Status.OPEN, 4),
    (Ticket.Status.WAITING_CUSTOMER, 3),
]


def _ticket(customer: Customer, number: int, now, rng, services: list, member_id: int) -> tuple:
    status = rng.choices([s for s, _w in STATUS_WEIGHTS], [w for _s, w in STATUS_WEIGHTS])[0]
    impact = rng.choice(Impact.values)
    response, restoration = DEFAULT_TARGETS[Impact(impact)]
    opened = now - timedelta(minutes=rng.randint(10, 3 * 365 * 24 * 60))
    done = status in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)
    restored = opened + timedelta(minutes=rng.randint(20, 600)) if done else None
    ticket = Ticket(
        customer=customer,
        number=f"TT-B-{number:08d}",
        impact=impact,
        status=status,
        subject=f"Bench ticket {number}",
        description="Generated by bench_tickets.",
        problem_started_at=opened,
        site_contact_name="Bench",
        site_contact_phone="+54 11 5555 0000",
        access_hours="24x7",
        opened_by_id=member_id,
        response_target=response,
        restoration_target=restoration,
        opened_at=opened,
        first_response_at=opened + timedelta(minutes=rng.randint(1, 60)),
        restored_at=restored,
        resolved_at=restored,
        closed_at=(
            restored + timedelta(days=5)
            if restored is not None and status == Ticket.Status.CLOSED
            else None
        ),
        resolution="Fixed." if done else "",
        restoration_deadline=opened + restoration,
    )
    return ticket, rng.choice(services)


def _selector(customer: Customer, page: int, per_page: int) -> None:
    now = timezone.now()
    rows = Paginator(tickets_for_customer(customer), per_page).get_page(page)
    for ticket in rows:
        ticket_clock(ticket, now=now)
        ticket.services.all()
