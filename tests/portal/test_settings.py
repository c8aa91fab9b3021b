"""Configuration from the environment (strict parsing, deploy checks) and the security headers
of every page."""

import re

import pytest

from tests.portal.settings_env import BASE_DIR, _manage


def test_deploy_check_passes_with_production_values(production_env):
    result = _manage(production_env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "nonsense://x"),
        ("DATABASE_URL", "postgres://postgres@db.example.com:port/portal"),
        ("EMAIL_URL", "ftp://x"),
        ("EMAIL_URL", "smtp://mail.example.com:99999"),
        ("CELERY_BROKER_URL", "bogus://"),
        ("REDIS_URL", "http://redis.example.com:6379/0"),
        ("CACHE_URL", "memcached://cache.example.com"),
        ("TIME_ZONE", "Mars/Base"),
        ("CSRF_TRUSTED_ORIGINS", "example.com"),
        ("PORTAL_BASE_URL", "portal.example.com"),
        ("SECURE_HSTS_SECONDS", "a year"),
        ("INVITATION_VALID_DAYS", "seven"),
        ("TEAM_MAILBOX", "the account team"),
        ("SERVICES_PAGE_SIZE", "many"),
        ("FEEDBACK_PER_HOUR", "5.5"),
        ("REQUEST_BODY_MAX_MB", "a hundred"),
        # Smaller than one invoice PDF (INVOICE_PDF_MAX_MB, 20): it would refuse what we accept.
        ("REQUEST_BODY_MAX_MB", "15"),
        ("TICKET_WATCHERS_MAX", "ten"),
        ("INVITATIONS_PER_DAY", "30/day"),
        ("ALLAUTH_TRUSTED_PROXY_COUNT", "one"),
        ("ALLAUTH_TRUSTED_PROXY_COUNT", "-1"),
        ("NOTIFICATION_RETRY_SCHEDULE", "1m,soon"),
        ("NOTIFICATION_RETRY_SCHEDULE", "1m,-5m"),
        ("SUPPORT_FALLBACK_MAILBOX", "the support team"),
        ("STORAGE_URL", "ftp://files.example.com/media"),
        ("STORAGE_URL", "s3://key:secret@minio.example.com:9000/"),  # no bucket
        ("STORAGE_URL", "s3://key:secret@/portal-private"),  # no host
        ("STORAGE_DOWNLOADS", "email"),
        ("STORAGE_URL_EXPIRY", "3600"),  # a link must not outlive a minute
        ("STORAGE_DOWNLOADS", "redirect"),  # without a bucket there is nothing to presign
        ("METRICS_TOKEN", "short"),
    ],
)
def test_malformed_value_stops_start_up_naming_the_variable(production_env, variable, value):
    production_env[variable] = value

    result = _manage(production_env, "check")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.strip().splitlines()[-1]


def test_an_s3_storage_url_becomes_a_private_bucket(production_env):
    """Issue 16: keys percent-encoded in the URL (a secret with "/" and "+"), signed links of a
    minute, no ACL of ours, no overwriting."""
    production_env["STORAGE_URL"] = (
        "s3://portal:se%2Fcr%2Bet@minio.internal:9000/portal-private?tls=false&prefix=media"
    )
    production_env["STORAGE_DOWNLOADS"] = "redirect"
    code = (
        "from django.conf import settings; o = settings.STORAGES['default']; "
        "c = o['OPTIONS'].pop('client_config'); "
        "print(o['BACKEND']); print(sorted(o['OPTIONS'].items())); "
        "print(c.signature_version, c.s3, c.connect_timeout, c.retries)"
    )

    result = _manage(production_env, "shell", "-c", code)

    assert result.returncode == 0, result.stderr
    backend, options, client = result.stdout.strip().splitlines()[-3:]
    assert backend == "storages.backends.s3.S3Storage"
    assert options == repr(
        sorted(
            {
                "bucket_name": "portal-private",
                "endpoint_url": "http://minio.internal:9000",
                "region_name": "us-east-1",
                "access_key": "portal",
                "secret_key": "se/cr+et",
                "location": "media",
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 60,
                "file_overwrite": False,
            }.items()
        )
    )
    assert client == ("s3v4 {'addressing_style': 'path'} 5 {'max_attempts': 3, 'mode': 'standard'}")


@pytest.mark.parametrize(("value", "expected"), [(None, "0"), ("1", "1"), (" 2 ", "2")])
def test_the_trusted_proxy_count_comes_from_the_environment(production_env, value, expected):
    """Issue 13 section 5: allauth's rate limits and our audit log read the client address
    through the proxies this names; none unless the operator says so."""
    if value is not None:
        production_env["ALLAUTH_TRUSTED_PROXY_COUNT"] = value
    code = "from allauth import app_settings; print(app_settings.TRUSTED_PROXY_COUNT)"

    result = _manage(production_env, "shell", "-c", code)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def test_debug_off_without_a_secret_key_refuses_to_start(production_env):
    del production_env["SECRET_KEY"]

    result = _manage(production_env, "check")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr.strip().splitlines()[-1]


def test_makemigrations_check_runs_without_a_secret_key(production_env):
    """It signs nothing, so a plain shell (or a pre-commit check) needs no secret."""
    del production_env["SECRET_KEY"]

    result = _manage(production_env, "makemigrations", "--check", "--dry-run")

    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_in_development_routed_work_falls_back_to_a_local_mailbox(production_env):
    """`make run` has no mail relay and no staff mailboxes: an escalation still lands somewhere
    a newcomer can read it (var/mail), while production must name a real one (portal.E001)."""
    del production_env["SUPPORT_FALLBACK_MAILBOX"]
    production_env["DEBUG"] = "1"
    code = "from django.conf import settings; print(settings.TSC_MAILBOX)"

    result = _manage(production_env, "shell", "-c", code)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "support@localhost"


def test_debug_on_starts_without_a_secret_key(production_env):
    del production_env["SECRET_KEY"]
    production_env["DEBUG"] = "1"

    result = _manage(production_env, "check")

    assert result.returncode == 0, result.stderr


# --- Security headers on every page --------------------------------------------------------


def _csp(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture(params=["login", "dashboard", "not_found"])
def page(request, client, portal_admin_user):
    if request.param == "dashboard":
        client.force_login(portal_admin_user)
    path = {"login": "/accounts/login/", "dashboard": "/", "not_found": "/no-such-page/"}
    return client, path[request.param], 404 if request.param == "not_found" else 200


def test_every_page_sends_a_content_security_policy(page):
    client, path, status = page

    response = client.get(path)

    assert response.status_code == status
    csp = _csp(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in csp.get("default-src", [])


def test_every_page_sends_nosniff_referrer_policy_and_frame_denial(page):
    client, path, status = page

    response = client.get(path)

    assert response.status_code == status
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] in {"same-origin", "strict-origin-when-cross-origin"}
    assert response["X-Frame-Options"] == "DENY"


def test_every_page_sends_hsts_in_production(page, settings):
    settings.SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    client, path, status = page

    response = client.get(path, secure=True)

    assert response.status_code == status
    assert "max-age=31536000" in response["Strict-Transport-Security"]


def test_plain_http_is_redirected_to_https_in_production_except_healthz(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/accounts/login/")

    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200  # answered in plain HTTP, not redirected


# --- Templates: no inline scripts, no CDN ---------------------------------------------------

_TEMPLATES = sorted((BASE_DIR / "templates").rglob("*.html"))
_SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
_REMOTE_ASSET = re.compile(
    r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", re.IGNORECASE
)


def test_there_are_templates_to_inspect():
    assert any(path.name == "base.html" for path in _TEMPLATES)


@pytest.mark.parametrize("path", _TEMPLATES, ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_template_has_no_inline_script(path):
    text = path.read_text(encoding="utf-8")

    inline = [attrs for attrs in _SCRIPT_TAG.findall(text) if not re.search(r"\bsrc\s*=", attrs)]

    assert inline == []
    assert not re.search(r"\son[a-z]+\s*=", text, re.IGNORECASE), "inline event handler"


@pytest.mark.parametrize("path", _TEMPLATES, ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_template_loads_no_script_or_stylesheet_from_another_site(path):
    text = path.read_text(encoding="utf-8")

    assert _REMOTE_ASSET.findall(text) == []
