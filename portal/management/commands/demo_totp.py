"""Print the current code of the demo staff logins' authenticator (`make totp`)."""

import time

from allauth.mfa import app_settings
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.mfa import totp_value
from core.scopes import scopes_disabled
from portal.management.commands.seed_demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the TOTP code of the demo staff logins now (the published demo secret only)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    @scopes_disabled()  # a command works across customers (core/scopes.py)
    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("demo_totp is for the demo; it refuses to run with DEBUG off.")
        now = time.time()
        left = app_settings.TOTP_PERIOD - int(now) % app_settings.TOTP_PERIOD
        self.stdout.write(f"{totp_value(DEMO_TOTP_SECRET, now)}  (valid for {left} more seconds)")
