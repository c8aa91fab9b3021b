"""`manage.py backup [--to DIR]` (make backup): the database and the private files, with a
manifest to check a restore against (core/backup.py)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backup import backup
from core.errors import DomainError


class Command(BaseCommand):
    help = "Back up the database (pg_dump) and the private files, with a manifest."

    def add_arguments(self, parser):
        parser.add_argument(
            "--to", default=str(Path(settings.BASE_DIR) / "var" / "backups"), help="Directory."
        )

    def handle(self, *args, to: str, **options):
        try:
            result = backup(Path(to))
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Backed up {result.rows} rows in {result.tables} tables and {result.files} files "
            f"to {result.directory}"
        )
