"""Operations: /healthz, the demo data command, the staff groups migration and the admin pages."""

import socket
import threading
from datetime import timedelta
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent, Customer, Heartbeat, Invitation, Membership, Notification, User
from core.services import audit_record
from core.services.outbox import notifications_sweep
from tests.conftest import staff_login
from tests.factories import NotificationFactory, UserFactory

# --- /healthz ------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def unreachable_broker(settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_closed_port()}/0"


@pytest.fixture
def beat_ran(db):
    """Beat's sweep ran a moment ago."""
    notifications_sweep()


def _beat_ran_ago(seconds: int) -> None:
    Heartbeat.objects.filter(name="beat").update(beat_at=Now() - timedelta(seconds=seconds))


def test_healthz_reports_database_broker_beat_and_the_outbox(client, beat_ran):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "beat": "ok",
        "beat_age_seconds": body["beat_age_seconds"],
        "failed_notifications": 0,
        "oldest_due_pending_seconds": None,
    }
    assert 0 <= body["beat_age_seconds"] < 60


def test_healthz_is_503_with_a_broker_error_when_the_broker_is_unreachable(
    client, beat_ran, unreachable_broker
):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert (response.json()["status"], response.json()["broker"]) == ("error", "error")
    assert response.json()["database"] == "ok"


def test_healthz_is_503_when_beat_has_not_swept_for_five_minutes(client, beat_ran):
    _beat_ran_ago(4 * 60)
    assert client.get("/healthz").status_code == 200

    _beat_ran_ago(5 * 60 + 30)
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["beat"] == "late"
    assert response.json()["beat_age_seconds"] >= 330


def test_a_fresh_deployment_gives_beat_five_minutes_to_start(client, db):
    """No sweep yet: the first look starts the clock; beat must run within five minutes."""
    first = client.get("/healthz")
    assert first.status_code == 200
    assert first.json()["beat"] == "starting"

    Heartbeat.objects.filter(name="beat").update(created_at=Now() - timedelta(minutes=6))
    late = client.get("/healthz")
    assert late.status_code == 503
    assert late.json()["beat"] == "never ran"

    notifications_sweep()
    assert client.get("/healthz").json()["beat"] == "ok"


def test_healthz_reports_failed_rows_and_the_oldest_due_pending_row(client, beat_ran, customer):
    def row(event: str, **values) -> Notification:
        return NotificationFactory.create(
            key=event, event=event, customer=customer, reason=Notification.Reason.TEAM, **values
        )

    row("failed-1", status=Notification.Status.FAILED)
    row("failed-2", status=Notification.Status.FAILED)
    row("due-for-ten-minutes", next_attempt_at=timezone.now() - timedelta(minutes=10))
    row("due-for-a-minute", next_attempt_at=timezone.now() - timedelta(minutes=1))
    row("scheduled", next_attempt_at=timezone.now() + timedelta(days=1))

    body = client.get("/healthz").json()

    assert body["failed_notifications"] == 2
    assert 595 <= body["oldest_due_pending_seconds"] <= 660
    assert body["status"] == "ok"  # reported for alerting; the portal itself is up


class _CountingListener:
    """A TCP port that counts connections and closes each at once, as a broker that answers
    nothing useful: how often /healthz reaches for the broker."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


def test_anonymous_healthz_calls_share_one_broker_probe(client, beat_ran, settings):
    listener = _CountingListener()
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{listener.port}/0"
    try:
        answers = [client.get("/healthz") for _ in range(20)]
    finally:
        listener.close()

    assert {answer.status_code for answer in answers} == {503}
    assert {answer.json()["broker"] for answer in answers} == {"error"}
    # One probe (kombu may reconnect once inside it), not one per call.
    assert 1 <= listener.connections <= 2


# --- seed_demo -----------------------------------------------------------------------------

_SEEDED_MODELS = [Customer, User, Membership, EmailAddress, User.groups.through]


def _row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in _SEEDED_MODELS}


def _seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_seed_demo_loads_the_demo_customers_and_people(db, settings):
    settings.DEBUG = True

    output = _seed()

    assert set(Customer.objects.values_list("legal_name", flat=True)) == {
        "Acme Logística S.A.",
        "Globex Telecom Ltda.",
    }
    acme_admin = Membership.objects.get(user__email="admin@acme.example")
    assert acme_admin.role == Membership.Role.ADMIN
    assert acme_admin.customer.country == "AR"
    noc = Membership.objects.get(user__email="noc@acme.example")
    assert noc.role == Membership.Role.USER
    assert (noc.tickets, noc.services, noc.billing) == ("act", "view", "none")
    globex = Customer.objects.get(legal_name="Globex Telecom Ltda.")
    assert (globex.country, globex.segment, globex.language) == ("BR", "wholesale", "pt-br")
    tsc = User.objects.get(email="tsc@provider.example")
    assert tsc.is_staff
    assert not tsc.memberships.exists()
    assert list(tsc.groups.values_list("name", flat=True)) == ["TSC"]
    assert User.objects.get(email="root@provider.example").is_superuser
    assert all(user.check_password("demo-portal-2026") for user in User.objects.all())
    assert "admin@acme.example" in output


def test_seed_demo_is_idempotent(db, settings):
    settings.DEBUG = True
    _seed()
    first = _row_counts()

    _seed()

    assert _row_counts() == first
    assert first["Customer"] == 2
    assert first["User"] == 5


def test_seed_demo_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        _seed()

    assert not User.objects.filter(email__endswith=".example").exists()


def test_seed_demo_runs_with_debug_off_when_forced(db, settings):
    settings.DEBUG = False

    _seed(force=True)

    assert User.objects.filter(email="admin@acme.example").exists()


# --- Staff groups (data migration) ---------------------------------------------------------

STAFF_GROUPS = ["TSC", "Customer Care", "Billing", "Change Management"]


def _codenames(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return set(group.permissions.values_list("codename", flat=True))


@pytest.mark.parametrize("name", STAFF_GROUPS)
def test_migration_creates_each_staff_group_with_view_permissions(db, name):
    codenames = _codenames(name)

    assert {"view_customer", "view_membership", "view_user", "view_auditevent"} <= codenames


def test_customer_care_may_change_memberships_and_tsc_may_only_view(db):
    assert {"change_customer", "add_membership", "change_membership"} <= _codenames("Customer Care")
    tsc = Group.objects.get(name="TSC").permissions.select_related("content_type")
    # The TSC works trouble tickets and keeps the SLA targets (R-TT-1, R-TT-3) ...
    assert {"add_ticket", "change_ticket", "add_message", "change_slatarget"} <= _codenames("TSC")
    assert not {p.codename for p in tsc if p.codename.startswith("delete_")}
    # ... and only views every other app.
    others = {p.codename for p in tsc if p.content_type.app_label != "tickets"}
    assert others
    assert all(codename.startswith("view_") for codename in others)


def test_no_staff_group_may_edit_the_audit_log(db):
    for name in STAFF_GROUPS:
        assert not {"change_auditevent", "delete_auditevent"} & _codenames(name)


def test_staff_member_of_a_group_can_open_the_admin_pages_it_grants(client, db):
    tsc = UserFactory(email="tsc@provider.test", is_staff=True)
    tsc.groups.add(Group.objects.get(name="TSC"))
    staff_login(client, tsc)

    assert client.get(reverse("admin:portal_customer_changelist")).status_code == 200
    assert client.get(reverse("admin:portal_customer_add")).status_code == 403


# --- Admin pages for a superuser -----------------------------------------------------------


@pytest.fixture
def superuser_client(client, admin_membership, root):
    audit_record(
        action=AuditEvent.Action.SIGN_IN,
        customer=admin_membership.customer,
        actor=admin_membership.user,
        target_email=admin_membership.user.email,
    )
    return staff_login(client, root)


def _admin_urls(admin_membership) -> list[str]:
    event = AuditEvent.objects.first()
    urls = []
    for model, obj in [
        (Customer, admin_membership.customer),
        (Membership, admin_membership),
        (User, admin_membership.user),
        (AuditEvent, event),
        (Invitation, None),
    ]:
        name = f"admin:portal_{model._meta.model_name}"
        urls.append(reverse(f"{name}_changelist"))
        urls.append(reverse(f"{name}_changelist") + "?q=acme")
        if obj is not None:
            urls.append(reverse(f"{name}_change", args=[obj.pk]))
    urls += [reverse(f"admin:portal_{m}_add") for m in ("customer", "membership", "user")]
    return urls


def test_admin_pages_load_for_a_superuser(superuser_client, admin_membership):
    statuses = {url: superuser_client.get(url).status_code for url in _admin_urls(admin_membership)}

    assert statuses == dict.fromkeys(statuses, 200)


def test_admin_audit_log_is_read_only(superuser_client):
    event = AuditEvent.objects.get()

    assert superuser_client.get(reverse("admin:portal_auditevent_add")).status_code == 403
    superuser_client.post(
        reverse("admin:portal_auditevent_delete", args=[event.pk]), {"post": "yes"}
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()
