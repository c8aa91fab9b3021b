from celery import shared_task

from billing.services import invoices_mark_overdue as mark


@shared_task
def invoices_mark_overdue() -> int:
    """Issued invoices turn overdue the day after their due date, in the customer's timezone."""
    return mark()
