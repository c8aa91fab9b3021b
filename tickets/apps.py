from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Trouble tickets")

    def ready(self) -> None:
        # Registers its cards, e-mail builders and background CSV export.
        from tickets import cards, emails, exports  # noqa: F401
