"""Create the PostgreSQL database of a DATABASE_URL if it does not exist (make bench-web).

python scripts/createdb.py postgres://postgres@127.0.0.1:5432/portal_bench
"""

import sys
from urllib.parse import urlsplit

import psycopg
from psycopg import sql


def main(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    server = urlsplit(url)._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created the database {name}.")


if __name__ == "__main__":
    main(sys.argv[1])
