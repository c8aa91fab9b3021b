from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    """The services inventory, "Mis Servicios", and the customers' expansion requests (R-POR-2)."""

    name = "inventory"
    verbose_name = _("Services inventory")

    def ready(self) -> None:
        from inventory import cards, emails  # noqa: F401 - registers cards and e-mail builders
