from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Trouble tickets")

    def ready(self) -> None:
        from tickets import cards, emails  # noqa: F401 - registers its cards and e-mail builders
