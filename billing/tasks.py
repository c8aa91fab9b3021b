from celery import shared_task


@shared_task
def invoices_mark_overdue() -> int:
    """Issued invoices turn overdue the day after their due date, in the customer's timezone."""
    from billing.services import invoices_mark_overdue as mark

    return mark()
