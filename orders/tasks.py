from celery import shared_task


@shared_task
def installation_reminders_send() -> list[str]:
    """R-ORD default: TP4 two business days before installation, when staff have not sent it."""
    from orders.services import installation_reminders_send as send

    return send()
