"""`manage.py restore DIR [--database-url URL]` (make restore BACKUP=DIR): into an empty
database, then the files; every table's rows and every file's checksum are checked against the
backup's manifest (core/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import restore
from core.errors import DomainError


class Command(BaseCommand):
    help = "Restore a backup of `manage.py backup` into an empty database, and its files."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="A directory `manage.py backup` wrote.")
        parser.add_argument(
            "--database-url",
            default=None,
            help="Restore into this empty database instead of DATABASE_URL's.",
        )

    def handle(self, *args, directory: str, database_url: str | None, **options):
        try:
            result = restore(Path(directory), database_url=database_url)
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored {result.rows} rows in {result.tables} tables and {result.files} files "
            f"from {result.directory}; each checked against the manifest."
        )
