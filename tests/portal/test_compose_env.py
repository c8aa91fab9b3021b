"""`make .env` (scripts/compose_env.py, issue 16 part 4): docker compose's secrets, random, written
once, readable by their owner only, never overwritten."""

import re
import stat
import subprocess
import sys
from pathlib import Path

from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "compose_env.py"


def _write(path: Path) -> str:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True, check=True
    )
    return result.stdout


def _values(path: Path) -> dict[str, str]:
    return dict(re.findall(r"^([A-Z_]+)=(.*)$", path.read_text(), re.MULTILINE))


def test_the_secrets_are_random_strong_private_and_written_once(tmp_path):
    first, second = tmp_path / "a" / ".env", tmp_path / "b" / ".env"
    assert "Wrote" in _write(first)
    _write(second)

    values = _values(first)
    secrets_ = ("SECRET_KEY", "POSTGRES_PASSWORD", "REDIS_PASSWORD", "MINIO_ROOT_PASSWORD")
    for name in (*secrets_, "METRICS_TOKEN"):
        assert len(values[name]) >= 48, name
        assert values[name] != _values(second)[name], name
    assert values["EMAIL_URL"] == "smtp://mailpit:1025"
    assert stat.S_IMODE(first.stat().st_mode) == 0o600

    before = first.read_text()
    assert "left as it is" in _write(first)
    assert first.read_text() == before
