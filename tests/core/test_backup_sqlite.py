"""`make backup` on the SQLite database of `make run` says what to do instead (issue 16)."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

pytestmark = pytest.mark.django_db


def test_a_backup_of_sqlite_says_to_copy_the_file():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL backs up for real: tests/integration/test_backup.py")
    with pytest.raises(CommandError, match="Backups are made of PostgreSQL"):
        call_command("backup")
