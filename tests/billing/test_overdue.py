"""The beat task billing.tasks.invoices_mark_overdue: an issued invoice turns overdue the day
after its due date in the customer's own calendar (Buenos Aires is UTC-3: due on 2026-11-10
means overdue from 2026-11-11 00:00 local = 03:00 UTC); paid, disputed and credited invoices
are never touched."""

import datetime

import pytest
import time_machine

from billing import rules
from billing.models import Invoice
from billing.tasks import invoices_mark_overdue
from tests.factories import CustomerFactory, invoice_with_lines

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
DUE = datetime.date(2026, 11, 10)


def _invoice(customer, number="A-1", status="issued", due_on=DUE):
    return invoice_with_lines(
        customer,
        number=number,
        status=status,
        period=datetime.date(2026, 10, 1),
        issued_on=datetime.date(2026, 10, 20),
        due_on=due_on,
    )


def _status(invoice) -> str:
    invoice.refresh_from_db()
    return invoice.status


def _run_task_at(moment: datetime.datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return invoices_mark_overdue.delay().get()


def test_buenos_aires_invoice_is_not_overdue_on_its_due_day(customer):
    invoice = _invoice(customer)

    # 02:59 UTC on the 11th is 23:59 on the 10th in Buenos Aires: still the due day.
    assert _run_task_at(datetime.datetime(2026, 11, 11, 2, 59, 59, tzinfo=UTC)) == 0

    assert _status(invoice) == "issued"


def test_buenos_aires_invoice_is_overdue_from_local_midnight(customer):
    invoice = _invoice(customer)

    # 03:00 UTC on the 11th is 00:00 on the 11th in Buenos Aires.
    assert _run_task_at(datetime.datetime(2026, 11, 11, 3, 0, tzinfo=UTC)) == 1

    assert _status(invoice) == "overdue"
    # The next hourly run finds nothing new.
    assert _run_task_at(datetime.datetime(2026, 11, 11, 4, 0, tzinfo=UTC)) == 0


def test_each_customer_turns_overdue_at_its_own_midnight(customer):
    mexico = CustomerFactory(country="MX", timezone="America/Mexico_City")  # UTC-6
    buenos_aires = _invoice(customer, number="AR-1")
    mexico_city = _invoice(mexico, number="MX-1")

    _run_task_at(datetime.datetime(2026, 11, 11, 5, 0, tzinfo=UTC))
    assert (_status(buenos_aires), _status(mexico_city)) == ("overdue", "issued")

    _run_task_at(datetime.datetime(2026, 11, 11, 6, 0, tzinfo=UTC))
    assert _status(mexico_city) == "overdue"


def test_paid_disputed_and_credited_invoices_are_never_touched(customer):
    untouched = [
        _invoice(customer, number="PAID", status="paid"),
        _invoice(customer, number="DISPUTE", status="in_dispute"),
        _invoice(customer, number="CREDITED", status="credited"),
    ]
    not_due = _invoice(customer, number="LATER", due_on=datetime.date(2026, 11, 30))

    assert _run_task_at(datetime.datetime(2026, 11, 20, 12, 0, tzinfo=UTC)) == 0

    assert [_status(invoice) for invoice in untouched] == ["paid", "in_dispute", "credited"]
    assert _status(not_due) == "issued"


def test_the_check_runs_every_hour_so_no_timezone_waits_a_day():
    from portal.celery import app

    entry = next(
        entry
        for entry in app.conf.beat_schedule.values()
        if entry["task"] == "billing.tasks.invoices_mark_overdue"
    )
    assert entry["schedule"] <= 3600


# --- Two bugs found while testing, fixed in services.invoices_mark_overdue ----------------------


def test_a_customer_ahead_of_utc_turns_overdue_at_its_own_midnight():
    """Any 'Area/City' timezone is allowed: a pre-filter on UTC's date missed those ahead."""
    madrid = CustomerFactory(country="US", timezone="Europe/Madrid")  # UTC+1 in November
    invoice = _invoice(madrid, number="ES-1")

    # 22:59 UTC on the 10th is 23:59 on the 10th in Madrid: still the due day.
    _run_task_at(datetime.datetime(2026, 11, 10, 22, 59, tzinfo=UTC))
    assert _status(invoice) == "issued"

    # 23:30 UTC on the 10th is 00:30 on the 11th in Madrid.
    _run_task_at(datetime.datetime(2026, 11, 10, 23, 30, tzinfo=UTC))

    assert _status(invoice) == "overdue"


def test_a_payment_recorded_during_the_check_is_not_overwritten(customer, monkeypatch):
    """The check must not save a stale row over a payment recorded meanwhile."""
    invoice = _invoice(customer)
    real_today = rules.customer_today

    def paid_meanwhile(customer, now=None):
        # Billing Customer Care marks it paid while the check walks its candidates.
        Invoice.objects.filter(pk=invoice.pk).update(
            status="paid", paid_on=datetime.date(2026, 11, 11)
        )
        return real_today(customer, now)

    monkeypatch.setattr(rules, "customer_today", paid_meanwhile)

    _run_task_at(datetime.datetime(2026, 11, 11, 12, 0, tzinfo=UTC))

    assert _status(invoice) == "paid"
