from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Customer Portal")

    def ready(self) -> None:
        from portal import checks, emails  # noqa: F401 - registers the checks and e-mail builders
