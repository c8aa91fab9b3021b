"""How fast the outbox empties a burst: 1,000 notifications, each recorded by its own notify()
call in its own transaction (as 1,000 requests would), delivered by two worker processes
(`--pool prefork --concurrency 2`, as docker-compose.yml runs them) to a local SMTP server.

The figure is printed; the test fails only if a message is lost or repeated, or if the burst
takes longer than a generous bound. Reproduce with:

    REDIS_URL=redis://127.0.0.1:6379/0 SECRET_KEY=x \\
        DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal \\
        .venv/bin/python -m pytest -p no:cacheprovider -m benchmark -s \\
        tests/integration/test_outbox_benchmark.py

(REDIS_URL only switches the integration tests on: the burst goes through a redis-server of its
own, on a free port, so /usr/bin/redis-server must exist.)
"""

import time

import pytest
from django.db import transaction

from core.models import Notification
from core.services.outbox import Recipient, notify
from tests.integration.support import wait_until

BURST = 1000
BOUND = 120.0  # seconds, enqueue to last delivery


@pytest.mark.benchmark
@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_deliver_a_burst_of_1000_notifications(private_stack, capsys):
    stack = private_stack
    # Prefork enforces the delivery time limits, which stay below the claim timeout: the
    # stack's 2-second claim (for the SIGKILL test) would cut a fresh process's first delivery.
    stack.start_worker(
        "bench", pool="prefork", concurrency=2, env={"NOTIFICATION_CLAIM_TIMEOUT": "300"}
    )

    started = time.time()
    for n in range(BURST):
        with transaction.atomic():
            notify(
                event=f"bench:{n}",
                template="portal/contact_bounced",
                recipients=[
                    Recipient(
                        email=f"person{n}@acme.test",
                        name=f"Person {n}",
                        language="es",
                        reason=Notification.Reason.TEAM,
                    )
                ],
                context={
                    "contact_name": "Nico",
                    "contact_email": "nico@acme.test",
                    "bounce_reason": "550 no such user",
                    "path": "/notifications/",
                },
            )
    enqueued = time.time() - started
    wait_until(
        lambda: len(stack.smtp.received()) >= BURST,
        timeout=BOUND,
        what=f"{BURST} e-mails at the SMTP server",
    )
    seconds = max(stack.smtp.arrivals) - started
    delivering = max(stack.smtp.arrivals) - min(stack.smtp.arrivals)

    with capsys.disabled():
        print(
            f"\n[outbox benchmark] {BURST} e-mails, enqueue to last delivery: {seconds:.1f} s = "
            f"{BURST / seconds:.0f} msgs/s with 2 worker processes (prefork, concurrency 2); "
            f"enqueueing took {enqueued:.1f} s, first to last delivery {delivering:.1f} s"
        )
    wait_until(
        lambda: Notification.objects.filter(status=Notification.Status.SENT).count() == BURST,
        timeout=10,
        what="every row marked sent",
    )
    keys = stack.smtp.count_by("X-Portal-Notification")
    assert len(keys) == BURST
    assert set(keys.values()) == {1}
    assert seconds < BOUND
