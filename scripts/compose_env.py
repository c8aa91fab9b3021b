"""Write `.env` for docker compose with fresh random secrets, once (`make .env`; `make compose`
runs it). An existing `.env` is never touched: the database and the bucket already use its
passwords. The compose file has no default for any secret, so a missing one stops it."""

import secrets
import sys
from datetime import UTC, datetime
from pathlib import Path

TEMPLATE = """# docker compose's secrets, written by `make .env` on {today}. Keep this file off git
# (it is ignored) and back it up with the database: the database and the bucket use them.
SECRET_KEY={secret_key}
POSTGRES_PASSWORD={postgres}
REDIS_PASSWORD={redis}
MINIO_ROOT_PASSWORD={minio}
# Prometheus' bearer token for /metrics (empty: no /metrics).
METRICS_TOKEN={metrics}
# The trial's mail catcher (docker compose --profile trial up): set your relay for production,
# e.g. EMAIL_URL=smtp+tls://user:password@smtp.example.com:587
EMAIL_URL=smtp://mailpit:1025
"""


def main(path: str = ".env") -> int:
    target = Path(path)
    if target.exists():
        print(f"{target} exists: left as it is.")
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        TEMPLATE.format(
            today=datetime.now(UTC).date().isoformat(),
            secret_key=secrets.token_urlsafe(50),
            postgres=secrets.token_hex(24),
            redis=secrets.token_hex(24),
            minio=secrets.token_hex(24),
            metrics=secrets.token_hex(24),
        )
    )
    target.chmod(0o600)
    print(f"Wrote {target} with new secrets.")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
