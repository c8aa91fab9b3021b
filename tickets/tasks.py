from celery import shared_task


@shared_task
def tickets_close_resolved() -> int:
    """Resolved tickets close TICKET_CLOSE_AFTER_DAYS after their resolution."""
    from tickets.services import tickets_close_resolved as close

    return close()
