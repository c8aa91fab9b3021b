"""How fast a large maintenance reaches its customers (issue 6, Figures): one maintenance
affecting 5,000 services of 1,000 customers, each with 3 maintenance contacts; the time from
confirming it (changes.services.maintenance.maintenance_confirm: the rule check, one notice per
customer, R-GCR-2/3) to the last of the 3,000 e-mails accepted by a local SMTP server, delivered
by two worker processes (`--pool prefork --concurrency 2`, as docker-compose.yml runs them).

The figure is printed; the test fails only if an e-mail is lost or repeated, if a sampled
e-mail's iCalendar lists a service that is not its customer's (or misses one of them), or if it
takes longer than a generous bound. Reproduce with:

    REDIS_URL=redis://127.0.0.1:6379/5 CELERY_BROKER_URL=redis://127.0.0.1:6379/5 SECRET_KEY=x \\
        DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal \\
        .venv/bin/python -m pytest -p no:cacheprovider -m benchmark -s \\
        tests/integration/test_maintenance_benchmark.py

(REDIS_URL only switches the integration tests on: the e-mails go through a redis-server of the
test's own, on a free port, so /usr/bin/redis-server must exist.)
"""

import datetime
import email
import random
import time
from email.policy import default as default_policy
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar

from changes.models import Impact, Maintenance
from changes.services.maintenance import maintenance_confirm, maintenance_create
from core.models import Customer, Notification, NotificationContact, Service
from tests.integration.support import wait_until

CUSTOMERS = 1000
SERVICES_EACH = 5
CONTACTS_EACH = 3
EMAILS = CUSTOMERS * CONTACTS_EACH
SAMPLE = 20
BOUND = 600.0  # seconds, confirm to last delivery
ZONE = ZoneInfo("America/Argentina/Buenos_Aires")


def _population() -> tuple[dict[str, set[str]], list[Service]]:
    """1,000 customers, 5 services and 3 confirmed maintenance contacts each; returns each
    contact address's customer's service ids."""
    customers = Customer.objects.bulk_create(
        Customer(
            legal_name=f"Bench {n:04d} S.A.",
            display_name=f"Bench {n:04d}",
            tax_id=f"30-9{n:07d}-1",
            country="AR",
            segment=Customer.Segment.ENTERPRISE,
            language="es",
            timezone=str(ZONE),
        )
        for n in range(CUSTOMERS)
    )
    services = Service.objects.bulk_create(
        Service(
            customer=customer,
            service_id=f"AR-BEN-IPVPN-{n:04d}{s}",
            product_line="ip_vpn",
            site_name=f"Sitio {s} de Bench {n:04d}",
            site_address="Av. Corrientes 1234, CABA",
            country="AR",
            capacity="100 Mbps",
            status=Service.Status.ACTIVE,
            activated_on=datetime.date(2024, 3, 1),
        )
        for n, customer in enumerate(customers)
        for s in range(SERVICES_EACH)
    )
    now = timezone.now()
    NotificationContact.objects.bulk_create(
        NotificationContact(
            customer=customer,
            name=f"NOC {k} Bench {n:04d}",
            email=f"noc{k}-{n:04d}@bench.test",
            language=("es", "pt-br", "en")[k],
            maintenance=True,
            confirmed_at=now,
        )
        for n, customer in enumerate(customers)
        for k in range(CONTACTS_EACH)
    )
    by_customer: dict[int, set[str]] = {}
    for service in services:
        by_customer.setdefault(service.customer_id, set()).add(service.service_id)
    addresses = {
        f"noc{k}-{n:04d}@bench.test": by_customer[customer.pk]
        for n, customer in enumerate(customers)
        for k in range(CONTACTS_EACH)
    }
    return addresses, services


def _calendar_object_ids(raw: bytes) -> tuple[str, set[str]]:
    message = email.message_from_bytes(raw, policy=default_policy)
    to = message["To"].addresses[0].addr_spec
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            calendar = Calendar.from_ical(part.get_payload(decode=True))
            (event,) = calendar.walk("VEVENT")
            ids = event.get("X-MAINTNOTE-OBJECT-ID")
            ids = ids if isinstance(ids, list) else [ids]
            return to, {str(value) for value in ids}
    raise AssertionError(f"no text/calendar part in the e-mail to {to}")


@pytest.mark.benchmark
@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_maintenance_on_5000_services_of_1000_customers_reaches_3000_contacts(
    private_stack, capsys
):
    stack = private_stack
    # Prefork enforces the delivery time limits, which stay below the claim timeout: the
    # stack's 2-second claim (for the SIGKILL test) would cut a fresh process's first delivery.
    stack.start_worker(
        "bench", pool="prefork", concurrency=2, env={"NOTIFICATION_CLAIM_TIMEOUT": "300"}
    )
    services_of, services = _population()
    day = timezone.now().astimezone(ZONE).date() + datetime.timedelta(days=20)
    start = datetime.datetime.combine(day, datetime.time(2), tzinfo=ZONE)  # keeps A.1 and A.2
    maintenance = maintenance_create(
        reason="Ampliación del núcleo / Ampliação do núcleo / Core upgrade",
        kind=Maintenance.Kind.PLANNED,
        start=start,
        end=start + datetime.timedelta(hours=2),
        entered_timezone=str(ZONE),
        impacts=[(service, Impact.OUTAGE, 15) for service in services],
        actor=None,
    )

    started = time.time()
    with transaction.atomic():
        maintenance_confirm(maintenance=maintenance, actor=None)
    confirmed = time.time() - started
    wait_until(
        lambda: len(stack.smtp.received()) >= EMAILS,
        timeout=BOUND,
        what=f"{EMAILS} e-mails at the SMTP server",
    )
    seconds = max(stack.smtp.arrivals) - started
    delivering = max(stack.smtp.arrivals) - min(stack.smtp.arrivals)
    with capsys.disabled():
        print(
            f"\n[maintenance benchmark] {CUSTOMERS} customers, {len(services)} services, "
            f"{EMAILS} e-mails: confirm to last delivery {seconds:.1f} s "
            f"({EMAILS / seconds:.0f} msgs/s) with 2 worker processes (prefork, concurrency 2); "
            f"maintenance_confirm took {confirmed:.1f} s, first to last delivery "
            f"{delivering:.1f} s"
        )

    sent = Notification.objects.filter(template="changes/maintenance")  # not the reminders
    wait_until(
        lambda: sent.filter(status=Notification.Status.SENT).count() == EMAILS,
        timeout=30,
        what="every notice marked sent",
    )
    time.sleep(1)  # a repeated message would arrive now
    keys = stack.smtp.count_by("X-Portal-Notification")
    assert len(keys) == EMAILS
    assert set(keys.values()) == {1}
    recipients = stack.smtp.count_by("To")
    assert len(recipients) == EMAILS

    for raw in random.Random(6).sample(stack.smtp.received(), SAMPLE):
        to, object_ids = _calendar_object_ids(raw)
        assert object_ids == services_of[to]  # its own five services, nobody else's (R-GCR-2)
    assert seconds < BOUND
