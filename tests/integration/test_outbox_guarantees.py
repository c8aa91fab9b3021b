"""The outbox's delivery guarantees against real parts: Redis, Celery worker processes and an SMTP
server (ARCHITECTURE.md, "How an event becomes an e-mail"; portal/services/outbox.py).

"Once" is counted at the SMTP server, by the X-Portal-Notification header (the row's event +
recipient key) and by Message-ID. The tests that stop the broker or kill a worker do it to a
redis-server, an SMTP server and workers of their own (`private_stack`); the others use the
session's worker.
"""

import random
import re
import threading
import time
import uuid
from collections import Counter

import pytest
from django.db import connection, transaction

from core.models import Notification
from core.services.outbox import Recipient, notify
from core.tasks import notifications_sweep
from tests.integration.conftest import CLAIM_TIMEOUT
from tests.integration.support import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

KEY = "X-Portal-Notification"
TEMPLATE = "portal/contact_bounced"
CONTEXT = {
    "contact_name": "Nico",
    "contact_email": "nico@acme.test",
    "bounce_reason": "550 no such user",
    "path": "/notifications/",
}
# (a): 50 notify() calls with the broker down, each in its own transaction, as 50 requests.
OUTAGE_BOUND = 10.0


class Rollback(Exception):
    pass


def _notify(event: str, *emails: str) -> list[int]:
    """`event` for `emails`, recorded as a request records it: in a transaction of its own."""
    with transaction.atomic():
        return notify(
            event=event,
            template=TEMPLATE,
            recipients=[
                Recipient(email=email, name="", language="en", reason=Notification.Reason.TEAM)
                for email in emails
            ],
            context=CONTEXT,
        )


def _keys() -> Counter[str]:
    """Each row's key once: what the SMTP server must have received, no more, no less."""
    return Counter(Notification.objects.values_list("key", flat=True))


def _message_ids() -> Counter[str]:
    return Counter(row.message_id for row in Notification.objects.all())


def _sent(count: int):
    return lambda: Notification.objects.filter(status=Notification.Status.SENT).count() >= count


def _drain(sink, *, timeout: float = 30) -> str:
    """Send one last notification and wait for it. A solo worker takes its queue in order, so
    whatever was enqueued before it (a duplicate task included) has been handled by then."""
    [pk] = _notify(f"drain:{uuid.uuid4().hex}", "drain@acme.test")
    key = Notification.objects.get(pk=pk).key
    wait_until(lambda: key in sink.count_by(KEY), timeout=timeout, what="the drain notification")
    return key


def _window_share(sink, cycle: float, *, but: set[str]) -> float:
    """The mean time from the server's "250" to the worker's `sent_at` (taken as it sends the
    UPDATE), as a share of a delivery: how often a SIGKILL at a random moment lands there.
    `but`: the keys sent twice, whose `sent_at` is the second send's."""
    sent_at = dict(Notification.objects.filter(sent_at__isnull=False).values_list("key", "sent_at"))
    gaps = [
        sent_at[key].timestamp() - at  # type: ignore[union-attr]  # filtered: sent_at is set
        for key, at in sink.arrived_at(KEY).items()
        if key in sent_at and key not in but
    ]
    return sum(gaps) / len(gaps) / cycle


# --- (a) the broker is down while notifications are created -------------------------------------
def test_notifications_made_while_the_broker_is_down_are_sent_once_when_it_returns(
    private_stack,
):
    stack = private_stack
    stack.start_worker()
    # The web process has published before the outage: its pooled connection goes stale.
    _notify("outage:before", "before@acme.test")
    wait_until(_sent(1), timeout=30, what="the notification sent before the outage")

    stack.redis.stop()
    started = time.monotonic()
    for n in range(50):
        _notify(f"outage:{n}", f"person{n}@acme.test")  # raises nothing
        elapsed = time.monotonic() - started
        if elapsed > OUTAGE_BOUND:
            pytest.fail(
                f"with the broker down, {n + 1} notify() calls took {elapsed:.1f}s (the bound "
                f"for 50 is {OUTAGE_BOUND:.0f}s): each waits for Celery to give up connecting"
            )
    assert Notification.objects.filter(status=Notification.Status.PENDING).count() == 50

    stack.redis.start()  # empty: the broker lost whatever it held
    # What beat publishes every minute (a real beat would first fire a minute later): the
    # rows were never queued, so the sweep enqueues them.
    notifications_sweep.delay()

    wait_until(_sent(51), timeout=60, what="the 50 notifications after the broker returned")
    _drain(stack.smtp)
    assert stack.smtp.count_by(KEY) == _keys()
    assert stack.smtp.count_by("Message-ID") == _message_ids()


# --- (b) the worker is killed in the middle of a burst --------------------------------------------
def test_a_worker_killed_mid_burst_loses_nothing_and_repeats_nothing(private_stack, capsys):
    stack = private_stack
    for n in range(200):
        _notify(f"burst:{n}", f"person{n}@acme.test")
    first = stack.start_worker("first")

    # SIGKILL at a random point of the burst (after the k-th delivery, k uniform) and a random
    # moment of a delivery (0-2 mean delivery times later, timed by another process): each step
    # of a delivery is hit as often as it lasts, the window between the server's "250" and the
    # "sent" mark included.
    sink = stack.smtp
    k = random.randint(10, 170)  # noqa: S311
    wait_until(lambda: len(sink.received()) >= k, timeout=60, what=f"{k} deliveries")
    arrivals = sink.arrivals[:]
    cycle = (arrivals[-1] - arrivals[0]) / (len(arrivals) - 1)
    first.kill(after=random.uniform(0, 2 * cycle))  # noqa: S311
    killed_at = time.monotonic()
    at_kill = len(sink.received())
    in_flight = set(
        Notification.objects.filter(status=Notification.Status.SENDING).values_list(
            "key", flat=True
        )
    )
    quit_share = sum(sink.accepted_to_quit) / (sink.arrivals[-1] - sink.arrivals[0])
    assert at_kill < 200, "the burst was over before the kill: nothing was tested"

    stack.start_worker("second")
    wait_until(
        lambda: (
            stack.queued() == 0
            and Notification.objects.exclude(status=Notification.Status.SENT).count() <= 1
        ),
        timeout=60,
        what="the second worker to take the rest of the queue",
    )
    # The killed worker's task is gone (Redis gives it back after an hour), so its row waits
    # for the sweep: claimed, or queued, longer than NOTIFICATION_CLAIM_TIMEOUT ago.
    time.sleep(max(0, killed_at + CLAIM_TIMEOUT + 0.5 - time.monotonic()))
    notifications_sweep.delay()

    wait_until(_sent(200), timeout=60, what="every notification of the burst to be sent")
    _drain(stack.smtp)
    received = stack.smtp.count_by(KEY)
    twice = {key for key, count in received.items() if count > 1}
    window = bool(twice) and twice <= in_flight
    with capsys.disabled():
        print(
            f"\n[SIGKILL] killed after {at_kill}/200 delivered; in flight: {len(in_flight)}; "
            f"sent twice: {len(twice)}; window hit: {window}; share of a delivery between the "
            f"server's 250 and the sent mark: {_window_share(sink, cycle, but=twice):.2%} (to "
            f"QUIT: "
            f"{quit_share:.2%}; one delivery every {cycle * 1000:.1f} ms)"
        )
    assert set(received) == set(_keys()), "a notification was never delivered"
    # Exactly once, except the window the outbox documents: the killed worker's own message,
    # accepted by the server before the row was marked sent. Its copy has the same Message-ID.
    assert not twice or (window and len(twice) == 1), f"sent twice: {sorted(twice)}"
    assert max(received.values()) <= 2
    message_ids = stack.smtp.count_by("Message-ID")
    assert set(message_ids) == set(_message_ids())
    repeated = {message_id for message_id, count in message_ids.items() if count > 1}
    assert repeated == {row.message_id for row in Notification.objects.filter(key__in=twice)}


# --- (c) the SMTP server answers 451, then 550 ---------------------------------------------------
@pytest.mark.parametrize("command", ["RCPT", "DATA"])
def test_a_temporary_refusal_is_retried_until_delivered_once(live_celery, smtp_sink, command):
    smtp_sink.fail(command, "451 4.3.0 Try again later", times=2)

    [pk] = _notify("refused:451", "busy@acme.test")

    wait_until(_sent(1), timeout=30, what="the notification after two 451 answers")
    row = Notification.objects.get(pk=pk)
    assert row.attempts == 3
    assert row.last_error == ""
    assert smtp_sink.refused == [(command, "451 4.3.0 Try again later")] * 2
    _drain(smtp_sink)
    assert smtp_sink.count_by(KEY)[row.key] == 1
    assert smtp_sink.count_by("Message-ID")[row.message_id] == 1


def test_a_permanent_refusal_fails_the_row_with_the_servers_answer(live_celery, smtp_sink):
    smtp_sink.fail(
        "RCPT", "550 5.1.1 <gone@acme.test>: mailbox unavailable", address="gone@acme.test"
    )

    _notify("refused:550", "gone@acme.test", "here@acme.test")

    gone = Notification.objects.get(to_email="gone@acme.test")
    wait_until(
        lambda: Notification.objects.filter(pk=gone.pk, status=Notification.Status.FAILED).exists(),
        timeout=30,
        what="the refused notification to fail",
    )
    gone.refresh_from_db()
    assert gone.attempts == 1  # a 5xx is not retried
    assert "550" in gone.last_error
    assert "mailbox unavailable" in gone.last_error
    assert gone.sent_at is None
    _drain(smtp_sink)
    here = Notification.objects.get(to_email="here@acme.test")
    assert here.status == Notification.Status.SENT
    received = smtp_sink.count_by(KEY)
    assert received[here.key] == 1
    assert gone.key not in received


# --- (d) a transaction that rolls back ------------------------------------------------------------
def test_a_rolled_back_transaction_sends_nothing(live_celery, smtp_sink):
    log_start = live_celery.log_size()

    def notify_then_fail():
        _notify("rolled-back", "nobody@acme.test")
        raise Rollback

    with pytest.raises(Rollback), transaction.atomic():
        notify_then_fail()

    assert not Notification.objects.exists()
    drain = _drain(smtp_sink)
    assert list(smtp_sink.count_by(KEY)) == [drain]
    tasks = re.findall(r"notifications?_deliver\[[^\]]+\] received", live_celery.log(log_start))
    assert len(tasks) == 1, "the worker got a task for the rolled-back notification"


# --- (e) the same event recorded twice -----------------------------------------------------------
def test_the_same_event_recorded_twice_is_one_email_per_recipient(live_celery, smtp_sink):
    recipients = ("ana@acme.test", "bo@acme.test")

    first = _notify("ticket:T-1:waiting", *recipients)
    again = _notify("ticket:T-1:waiting", *recipients, "cy@acme.test")

    assert len(first) == 2
    assert len(again) == 1
    _drain(smtp_sink)
    assert smtp_sink.count_by(KEY) == _keys()
    assert len(_keys()) == 4  # three recipients and the drain


def test_the_same_event_recorded_by_two_transactions_at_once_is_one_email_per_recipient(
    live_celery, smtp_sink
) -> None:
    recipients = ("ana@acme.test", "bo@acme.test", "cy@acme.test")
    barrier = threading.Barrier(2)
    written: list[list[int]] = []
    errors: list[BaseException] = []

    def record() -> None:
        try:
            with transaction.atomic():
                barrier.wait(timeout=10)
                written.append(_notify("change:C-7:scheduled", *recipients))
                time.sleep(0.3)  # keep the transaction open while the other one inserts
        except BaseException as error:  # noqa: BLE001 - reported by the test thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=record) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    assert sorted(len(ids) for ids in written) == [0, 3]  # the second one waited, then wrote none
    _drain(smtp_sink)
    assert smtp_sink.count_by(KEY) == _keys()
    assert len(_keys()) == 4  # three recipients and the drain
