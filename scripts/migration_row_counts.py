"""Proves that migrating keeps every row: count the rows of every table, or compare two counts.

    python scripts/migration_row_counts.py count DATABASE_URL > before.json
    python scripts/migration_row_counts.py compare before.json after.json

`compare` fails when a table that existed before lost rows or vanished. Only Django's own
bookkeeping may grow: the migration history, and the content type and permissions of a model
added since (with the staff groups' grants of them, which a data migration gives); any other table
that gained rows is reported too, since a migration that only moves models should add none. Used
by `.ci/run` across the layout change of issue 14."""

import json
import sqlite3
import sys
from urllib.parse import urlsplit

ALLOWED_TO_GROW = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "auth_group_permissions",
}


def _connect(url: str):
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return sqlite3.connect(parts.path if not parts.path.startswith("//") else parts.path[1:])
    import psycopg  # noqa: PLC0415 - only for PostgreSQL URLs; SQLite needs no driver

    return psycopg.connect(url.replace("postgres://", "postgresql://", 1))


def _tables(cursor, sqlite: bool) -> list[str]:
    if sqlite:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return sorted(row[0] for row in cursor.fetchall())


def count(url: str) -> dict[str, int]:
    connection = _connect(url)
    cursor = connection.cursor()
    sqlite = isinstance(connection, sqlite3.Connection)
    counts = {}
    for table in _tables(cursor, sqlite):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names come from the catalogue
        counts[table] = cursor.fetchone()[0]
    connection.close()
    return counts


def compare(before: dict[str, int], after: dict[str, int]) -> list[str]:
    problems = []
    for table, rows in sorted(before.items()):
        if table not in after:
            problems.append(f"{table}: gone ({rows} rows before)")
        elif after[table] < rows:
            problems.append(f"{table}: {rows} rows before, {after[table]} after")
        elif after[table] > rows and table not in ALLOWED_TO_GROW:
            problems.append(f"{table}: gained rows ({rows} -> {after[table]})")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "count":
        json.dump(count(argv[1]), sys.stdout, indent=1, sort_keys=True)
        return 0
    if len(argv) == 3 and argv[0] == "compare":
        with open(argv[1]) as a, open(argv[2]) as b:
            before, after = json.load(a), json.load(b)
        problems = compare(before, after)
        kept = sum(before.values())
        for line in problems:
            print(line)
        print(f"{len(before)} tables, {kept} rows before; {len(problems)} problem(s)")
        return 1 if problems else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
