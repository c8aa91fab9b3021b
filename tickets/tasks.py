from celery import shared_task

from tickets import services


@shared_task
def tickets_close_resolved() -> int:
    """Resolved tickets close TICKET_CLOSE_AFTER_DAYS after their resolution."""
    return services.tickets_close_resolved()
