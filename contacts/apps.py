from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("Contact directory")

    def ready(self) -> None:
        from contacts import cards  # noqa: F401 - registers the TSC card on the dashboard
