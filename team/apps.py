from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamConfig(AppConfig):
    """The account team the provider assigns to each customer (R-TEAM-1..8)."""

    name = "team"
    verbose_name = _("Account team")

    def ready(self) -> None:
        from team import cards  # noqa: F401 - registers the dashboard card
