"""A worker process keeps one SMTP connection for its e-mails (core.lib.mail.mailer_open), against
a real worker and a real SMTP server of the test's own: the connections are counted at the server.
A connection the server dropped is found by the RSET probe before the next e-mail is handed to
it: that e-mail goes out at once over a new connection, nothing lost, nothing sent twice."""

import pytest
from django.db import transaction

from core.models import Notification
from core.services.outbox import Recipient, notify
from tests.integration.support import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

KEY = "X-Portal-Notification"
CONTEXT = {
    "contact_name": "Nico",
    "contact_email": "nico@acme.test",
    "bounce_reason": "550 no such user",
    "path": "/notifications/",
}


def _notify(*numbers: int) -> None:
    for n in numbers:
        with transaction.atomic():  # one request each
            notify(
                event=f"connection:{n}",
                template="portal/contact_bounced",
                recipients=[
                    Recipient(
                        email=f"person{n}@acme.test",
                        language="en",
                        reason=Notification.Reason.TEAM,
                    )
                ],
                context=CONTEXT,
            )


def _sent(count: int):
    return lambda: Notification.objects.filter(status=Notification.Status.SENT).count() == count


def test_a_worker_sends_over_one_connection_and_reconnects_when_the_server_drops_it(
    private_stack,
):
    stack = private_stack
    sink = stack.smtp
    stack.start_worker()  # solo: one process, so one connection
    _notify(*range(6))
    wait_until(_sent(6), timeout=60, what="the first 6 e-mails")
    assert len(sink.received()) == 6
    assert len(sink.connections) == 1, "a connection per e-mail"
    assert sink.connections_used() == 1

    sink.drop_connections()  # as a relay restarting or timing out an idle session
    _notify(*range(6, 10))
    wait_until(_sent(10), timeout=60, what="the 4 e-mails after the server dropped the connection")

    received = sink.count_by(KEY)
    keys = set(Notification.objects.values_list("key", flat=True))
    assert set(received) == keys  # nothing lost
    assert set(received.values()) == {1}  # nothing twice
    assert len(sink.connections) == 2  # one reconnect, then reused again
    assert sink.connections_used() == 2
    # Each went out at its first try: the dead connection was found before sending on it.
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}
    assert set(Notification.objects.values_list("last_error", flat=True)) == {""}


def test_a_connection_that_breaks_during_a_send_is_dropped_and_the_email_retried(private_stack):
    """A refusal in the middle of a message (a 421 after DATA: the server is closing) leaves the
    session's state unknown: the worker drops that connection, the row is retried by the outbox
    (NOTIFICATION_RETRY_SCHEDULE, a second in the stack) and delivered once."""
    stack = private_stack
    sink = stack.smtp
    stack.start_worker()
    _notify(0)
    wait_until(_sent(1), timeout=60, what="the first e-mail")
    sink.fail("DATA", "421 4.3.2 Service shutting down", times=1)

    _notify(1, 2)
    wait_until(_sent(3), timeout=60, what="the e-mails after the refusal")

    received = sink.count_by(KEY)
    assert set(received) == set(Notification.objects.values_list("key", flat=True))
    assert set(received.values()) == {1}
    assert sink.refused == [("DATA", "421 4.3.2 Service shutting down")]
    retried = Notification.objects.get(attempts=2)
    assert retried.key in {"connection:1|person1@acme.test", "connection:2|person2@acme.test"}
    assert len(sink.connections) == 2  # the failed session was given up for a new one
