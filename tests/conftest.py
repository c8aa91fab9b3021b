"""Personas of every test: the customer's portal administrator, a limited user, a user of another
customer, and the provider's staff (a plain staff member, one per staff group, a superuser)
(STYLE.md)."""

import os
import shutil
import time

import pytest
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client, RequestFactory

from core.models import Level, User
from core.scopes import scopes_disabled
from tests.factories import CustomerFactory, MembershipFactory, UserFactory

# A real S3 API server and a bucket per test (tests/s3.py), for every test directory.
from tests.s3 import bucket as bucket
from tests.s3 import s3_server as s3_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# .ci/run sets REQUIRE_REAL_PARTS=1: there a missing browser or Redis fails instead of skipping.
REQUIRE_REAL_PARTS = os.environ.get("REQUIRE_REAL_PARTS") == "1"


def pytest_collection_modifyitems(config, items):
    reasons = {}
    if not os.environ.get("REDIS_URL"):
        reasons["integration"] = "REDIS_URL is not set: the real Redis/worker/SMTP tests need it"
    if not (shutil.which(CHROMIUM) or os.path.exists(CHROMIUM)):
        reasons["browser"] = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    wanted = {marker for marker in reasons if any(marker in item.keywords for item in items)}
    if REQUIRE_REAL_PARTS and wanted:
        raise pytest.UsageError(
            "REQUIRE_REAL_PARTS=1 but " + "; ".join(reasons[m] for m in sorted(wanted))
        )
    for item in items:
        for marker, reason in reasons.items():
            if marker in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))
        _restore_seed_data_after_flushes(item)


def pytest_itemcollected(item):
    """Under pytest-xdist (`make test`: -n auto --dist loadgroup) the integration tests run in
    one worker, one after another: they share that worker's Celery worker and SMTP sink
    (session fixtures), and each starts real processes of its own and times them. (Marked as
    each test is collected: xdist reads the groups before pytest_collection_modifyitems here.)"""
    if item.get_closest_marker("integration") and item.config.pluginmanager.hasplugin("xdist"):
        item.add_marker(pytest.mark.xdist_group("integration"))


def _restore_seed_data_after_flushes(item) -> None:
    """Every test that commits (live server, real worker) starts from the migrations' own data
    (staff groups, the change catalog, the directory, SLA targets) and flushes without
    re-creating content types, whatever ran before it: serialized rollback for all of them.
    One transactional test without it would re-create the content types under new ids after
    its flush, and the next serialized restore would collide with them."""
    marker = item.get_closest_marker("django_db")
    own = dict(marker.kwargs) if marker is not None else {}
    transactional = own.get("transaction") or any(
        name in item.fixturenames for name in ("transactional_db", "live_server")
    )
    if transactional:
        own.update(transaction=True, serialized_rollback=True)
        # Prepended: the closest marker wins, and a test's own decorator would come first.
        item.add_marker(pytest.mark.django_db(**own), append=False)


@pytest.fixture(autouse=True, scope="session")
def _test_code_sees_every_customer():
    """Test code sets up and inspects rows of several customers, so it runs with the customer
    scopes disabled (core/scopes.py). The code under test does not inherit that: every request
    opens its own scope (TenantScopeMiddleware, member_required) and every task disables them
    itself, as in production. tests/core/test_scopes.py shows the scopes closed."""
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def _clean_cache(settings):
    # Rate-limit counters live in the cache; each test starts from zero.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    from portal.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


# The TOTP secret of every staff member signed in by staff_login (base32, 20 bytes).
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = STAFF_TOTP_SECRET, at: float | None = None) -> str:
    """The code an authenticator app shows for `secret` now (or at the Unix time `at`)."""
    return format_hotp_value(hotp_value(secret, int(time.time() if at is None else at) // 30))


def staff_totp(user, secret: str = STAFF_TOTP_SECRET) -> Authenticator:
    """Give `user` an authenticator app (allauth's own TOTP record), once."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return existing or TOTP.activate(user, secret).instance


def staff_login(client, user):
    """Sign a staff member in as allauth does after the password and the TOTP code.

    /admin/ requires TOTP and a session that passed it (A1). force_login alone is a
    password-only session, so this also creates the authenticator and writes the session's
    authentication records with allauth's own function, as its MFA stage does. Returns the client.
    """
    authenticator = staff_totp(user)
    client.force_login(user)
    request = RequestFactory().get("/")
    request.session = client.session
    request.user = user
    record_authentication(request, user, "password", email=user.email)
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
    request.session.save()
    return client


@pytest.fixture
def customer(db):
    return CustomerFactory(display_name="Acme Logística", legal_name="Acme Logística S.A.")


@pytest.fixture
def other_customer(db):
    return CustomerFactory(
        display_name="Globex Telecom", country="BR", language="pt-br", timezone="America/Sao_Paulo"
    )


@pytest.fixture
def admin_membership(customer):
    return MembershipFactory(
        customer=customer, admin=True, user__email="admin@acme.test", user__full_name="Ana Admin"
    )


@pytest.fixture
def portal_admin_user(admin_membership):
    """The customer's portal administrator (not pytest-django's `admin_user`, a superuser)."""
    return admin_membership.user


@pytest.fixture
def limited_membership(customer, admin_membership):
    return MembershipFactory(
        customer=customer,
        user__email="noc@acme.test",
        user__full_name="Nico NOC",
        tickets=Level.ACT,
        services=Level.VIEW,
    )


@pytest.fixture
def limited_user(limited_membership):
    return limited_membership.user


@pytest.fixture
def other_membership(other_customer):
    return MembershipFactory(customer=other_customer, admin=True, user__email="admin@globex.test")


@pytest.fixture
def other_user(other_membership):
    return other_membership.user


@pytest.fixture
def staff_user(db):
    return UserFactory(email="tsc@provider.test", is_staff=True)


@pytest.fixture
def portal_admin_client(client, portal_admin_user):
    """Signed in as the portal administrator (pytest-django's `admin_client` is a superuser)."""
    client.force_login(portal_admin_user)
    return client


@pytest.fixture
def limited_client(client, limited_user):
    client.force_login(limited_user)
    return client


# --- The provider's staff -------------------------------------------------------------------
# One persona per staff group (the migrations create the groups with their permissions) and a
# superuser. Each *_client is signed in as /admin/ requires: password and TOTP (staff_login).


def staff_member(
    group: str | None = None, *, email: str, superuser: bool = False, **fields
) -> User:
    """A staff member with exactly the permissions of `group` (none without one), or a
    superuser."""
    user = UserFactory.create(email=email, is_staff=True, is_superuser=superuser, **fields)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def tsc_staff(db):
    return staff_member("TSC", email="tsc-staff@provider.test")


@pytest.fixture
def tsc_client(tsc_staff):
    return staff_login(Client(), tsc_staff)


@pytest.fixture
def care_staff(db):
    """Customer Care."""
    return staff_member("Customer Care", email="care@provider.test")


@pytest.fixture
def care_client(care_staff):
    return staff_login(Client(), care_staff)


@pytest.fixture
def billing_staff(db):
    """Billing Customer Care (the "Billing" group)."""
    return staff_member("Billing", email="billing@provider.test")


@pytest.fixture
def billing_client(billing_staff):
    return staff_login(Client(), billing_staff)


@pytest.fixture
def change_staff(db):
    """Change Management."""
    return staff_member("Change Management", email="cm@provider.test")


@pytest.fixture
def change_client(change_staff):
    return staff_login(Client(), change_staff)


@pytest.fixture
def root(db):
    """A superuser of the provider."""
    return staff_member(email="root@provider.test", superuser=True)


@pytest.fixture
def root_client(root):
    return staff_login(Client(), root)
