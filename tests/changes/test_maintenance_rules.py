"""R-GCR-3 with its settings (issue 6, section 2): A.1, the window inside 00:00-06:00 local time
of every affected site; A.2, announced at least 10 calendar days ahead. A planned maintenance that
breaks them is not confirmed, and the error names the rule and the service; an emergency may break
them and is announced at once (R-GCR-5); a reschedule is checked again."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from changes.models import Maintenance, MaintenanceEvent
from changes.services.maintenance import (
    maintenance_confirm,
    maintenance_create,
    maintenance_reschedule,
    maintenance_rule_breaks,
)
from core.errors import DomainError
from tests.factories import NotificationContactFactory, ServiceFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
START = datetime(2026, 12, 5, 4, 0, tzinfo=UTC)  # 01:00 in Buenos Aires


@pytest.fixture
def sites(customer):
    """Argentina (UTC-3 all year), Chile (UTC-3 in December, UTC-4 in July), Colombia (UTC-5)."""
    NotificationContactFactory(
        customer=customer, email="noc@acme.test", language="en", orders=False, maintenance=True
    )
    return {
        "AR": ServiceFactory(customer=customer, service_id="AR-BUE-IPVPN-00001"),
        "CL": ServiceFactory(customer=customer, service_id="CL-SCL-IPVPN-00002", country="CL"),
        "CO": ServiceFactory(customer=customer, service_id="CO-BOG-IPVPN-00003", country="CO"),
    }


def _draft(services, *, start=START, hours=2, kind=Maintenance.Kind.PLANNED):
    with time_machine.travel(T0, tick=False):
        return maintenance_create(
            reason="Backbone",
            kind=kind,
            start=start,
            end=start + timedelta(hours=hours),
            entered_timezone="UTC",
            impacts=[(service, "outage", 10) for service in services],
            actor=None,
        )


def _confirm(maintenance, at=T0, capture=None):
    with time_machine.travel(at, tick=False), capture(execute=True):
        return maintenance_confirm(maintenance=maintenance, actor=None)


def test_a1_inside_the_night_window_of_every_site_is_confirmed(
    sites, django_capture_on_commit_callbacks
):
    maintenance = _draft([sites["AR"], sites["CL"]])  # 01:00-03:00 in both in December
    assert maintenance_rule_breaks(maintenance, announce_at=T0) == []
    confirmed = _confirm(maintenance, capture=django_capture_on_commit_callbacks)
    assert confirmed.status == Maintenance.Status.SCHEDULED
    assert len(mail.outbox) == 1


def test_a1_refused_when_one_of_several_sites_is_outside_its_window(
    sites, django_capture_on_commit_callbacks
):
    """04:00-06:00 UTC is 01:00-03:00 in Buenos Aires but 23:00-01:00 in Bogotá."""
    maintenance = _draft([sites["AR"], sites["CO"]])
    breaks = maintenance_rule_breaks(maintenance, announce_at=T0)
    assert [(b.rule, b.service_id) for b in breaks] == [("A.1", "CO-BOG-IPVPN-00003")]

    with pytest.raises(DomainError) as refused:
        _confirm(maintenance, capture=django_capture_on_commit_callbacks)
    assert refused.value.rule == "R-GCR-3"
    assert "R-GCR-3 A.1" in str(refused.value)
    assert "CO-BOG-IPVPN-00003" in str(refused.value)
    assert "America/Bogota" in str(refused.value)
    assert "AR-BUE-IPVPN-00001" not in str(refused.value)
    maintenance.refresh_from_db()
    assert maintenance.status == Maintenance.Status.DRAFT
    assert maintenance.sequence == 0
    assert mail.outbox == []


def test_a1_follows_chiles_winter_offset(sites):
    """In July Santiago is UTC-4: a window at 00:00-02:00 in Buenos Aires starts at 23:00 the
    day before in Santiago."""
    start = datetime(2026, 7, 20, 3, 0, tzinfo=UTC)
    with time_machine.travel(datetime(2026, 7, 1, tzinfo=UTC), tick=False):
        maintenance = _draft([sites["AR"], sites["CL"]], start=start)
        breaks = maintenance_rule_breaks(maintenance)
    assert [(b.rule, b.service_id) for b in breaks] == [("A.1", "CL-SCL-IPVPN-00002")]
    assert "2026-07-19 23:00" in str(breaks[0].message)


def test_a1_refuses_a_window_that_runs_past_six(sites):
    maintenance = _draft([sites["AR"]], start=START + timedelta(hours=4))  # 05:00-07:00 local
    assert [b.rule for b in maintenance_rule_breaks(maintenance, announce_at=T0)] == ["A.1"]


@pytest.mark.parametrize(
    ("announced", "accepted"),
    [
        (START - timedelta(days=9, hours=23), False),
        (START - timedelta(days=10), True),
    ],
)
def test_a2_ten_calendar_days_of_notice(
    sites, announced, accepted, django_capture_on_commit_callbacks
):
    maintenance = _draft([sites["AR"]])
    if accepted:
        assert _confirm(maintenance, at=announced, capture=django_capture_on_commit_callbacks)
        assert len(mail.outbox) == 1
        return
    with pytest.raises(DomainError) as refused:
        _confirm(maintenance, at=announced, capture=django_capture_on_commit_callbacks)
    assert refused.value.rule == "R-GCR-3"
    assert "R-GCR-3 A.2" in str(refused.value)
    assert "10 days" in str(refused.value)
    assert "9 days, 23:00:00" in str(refused.value)
    assert mail.outbox == []


def test_emergency_may_break_both_rules_and_is_announced_at_once(
    sites, django_capture_on_commit_callbacks
):
    start = T0 + timedelta(hours=3)  # 12:00 in Bogotá and Buenos Aires, three hours ahead
    maintenance = _draft([sites["AR"], sites["CO"]], start=start, kind=Maintenance.Kind.EMERGENCY)
    assert {b.rule for b in maintenance_rule_breaks(maintenance, announce_at=T0)} == {"A.1", "A.2"}
    confirmed = _confirm(maintenance, capture=django_capture_on_commit_callbacks)
    assert confirmed.status == Maintenance.Status.SCHEDULED
    assert confirmed.announced_at == T0
    (message,) = mail.outbox
    assert message.subject.startswith(f"EMERGENCY · {confirmed.reference} · ")
    assert "EMERGENCY MAINTENANCE" in message.body


def test_settings_change_the_verdict(sites, settings, django_capture_on_commit_callbacks):
    maintenance = _draft([sites["AR"]], start=START + timedelta(hours=4))  # 05:00-07:00 local
    late = START - timedelta(days=6)
    assert {b.rule for b in maintenance_rule_breaks(maintenance, announce_at=late)} == {
        "A.1",
        "A.2",
    }
    settings.MAINTENANCE_WINDOW_END_HOUR = 8
    settings.MAINTENANCE_NOTICE_DAYS = 5
    assert maintenance_rule_breaks(maintenance, announce_at=late) == []
    assert _confirm(maintenance, at=late, capture=django_capture_on_commit_callbacks)

    settings.MAINTENANCE_WINDOW_START_HOUR = 2  # 01:00 local no longer fits
    early = _draft([sites["AR"]])
    assert [b.rule for b in maintenance_rule_breaks(early, announce_at=T0)] == ["A.1"]
    settings.MAINTENANCE_NOTICE_DAYS = 20
    assert {b.rule for b in maintenance_rule_breaks(early, announce_at=T0)} == {"A.1", "A.2"}


def test_reschedule_is_checked_again(sites, django_capture_on_commit_callbacks):
    maintenance = _confirm(_draft([sites["AR"]]), capture=django_capture_on_commit_callbacks)
    daytime = START + timedelta(hours=12)  # 13:00 in Buenos Aires
    with (
        time_machine.travel(T0, tick=False),
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(DomainError) as refused,
    ):
        maintenance_reschedule(
            maintenance=maintenance, start=daytime, end=daytime + timedelta(hours=1), actor=None
        )
    assert refused.value.rule == "R-GCR-3"
    assert "A.1" in str(refused.value)
    assert "AR-BUE-IPVPN-00001" in str(refused.value)

    too_soon = T0 + timedelta(days=3, hours=-8)  # 01:00 local, but only 3 days ahead
    with (
        time_machine.travel(T0, tick=False),
        pytest.raises(DomainError) as refused,
    ):
        maintenance_reschedule(
            maintenance=maintenance, start=too_soon, end=too_soon + timedelta(hours=1), actor=None
        )
    assert "A.2" in str(refused.value)

    maintenance.refresh_from_db()
    assert (maintenance.start, maintenance.status, maintenance.sequence) == (
        START,
        Maintenance.Status.SCHEDULED,
        1,
    )
    assert MaintenanceEvent.objects.filter(maintenance=maintenance).count() == 1
    assert len(mail.outbox) == 1  # only the first announcement
