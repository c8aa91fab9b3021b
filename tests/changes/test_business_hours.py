"""R-CHG-4: the analysis deadline is 72 business hours after the submission, on the customer's
country calendar (Monday-Friday 09:00-18:00 local time, national holidays excluded), with a
controlled clock, through change_request_submit. Every expected deadline was counted by hand;
each case names its count."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from changes.models import StandardChange
from changes.services.requests import change_request_submit
from tests.factories import CustomerFactory, MembershipFactory, ServiceFactory

pytestmark = pytest.mark.django_db

BUENOS_AIRES = ZoneInfo("America/Argentina/Buenos_Aires")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
MEXICO_CITY = ZoneInfo("America/Mexico_City")


def _submit(country: str, zone: str, at: datetime):
    customer = CustomerFactory(country=country, timezone=zone)
    membership = MembershipFactory.create(customer=customer, admin=True)
    service = ServiceFactory.create(customer=customer, country=country)
    with time_machine.travel(at, tick=False):
        change = change_request_submit(
            membership=membership,
            change_type=StandardChange.objects.get(code="bandwidth"),
            services=[service],
            parameters={"bandwidth": "1 Gbps"},
            execution="any_slot",
        )
    assert change.created_at == at
    return change.analysis_deadline


CASES = [
    pytest.param(
        # Fri 3 h (69 left); Mon 9-Fri 13: 45 (24); Mon 16, Tue 17: 18 (6); Wed 18 09:00 + 6 h.
        "AR",
        datetime(2026, 3, 6, 15, 0, tzinfo=BUENOS_AIRES),
        datetime(2026, 3, 18, 15, 0, tzinfo=BUENOS_AIRES),
        id="friday-afternoon",
    ),
    pytest.param(
        # Eve of Mon 7 and Tue 8 December (Argentine holidays): Fri 2 h (70); Wed 9-Fri 11: 27
        # (43); Mon 14-Thu 17: 36 (7); Fri 18 09:00 + 7 h.
        "AR",
        datetime(2026, 12, 4, 16, 0, tzinfo=BUENOS_AIRES),
        datetime(2026, 12, 18, 16, 0, tzinfo=BUENOS_AIRES),
        id="argentina-holiday-eve",
    ),
    pytest.param(
        # Eve of Fri 20 November (Consciência Negra, Brazil): Thu 3.5 h (68.5); Mon 23-Fri 27: 45
        # (23.5); Mon 30, Tue 1: 18 (5.5); Wed 2 December 09:00 + 5.5 h.
        "BR",
        datetime(2026, 11, 19, 14, 30, tzinfo=SAO_PAULO),
        datetime(2026, 12, 2, 14, 30, tzinfo=SAO_PAULO),
        id="brazil-holiday-eve",
    ),
    pytest.param(
        # After 18:00: counting starts Wed 09:00; eight whole days end Fri 13 at 18:00.
        "AR",
        datetime(2026, 3, 3, 21, 15, tzinfo=BUENOS_AIRES),
        datetime(2026, 3, 13, 18, 0, tzinfo=BUENOS_AIRES),
        id="evening",
    ),
    pytest.param(
        # Before 09:00: counting starts the same day at 09:00; eight whole days, Mon 9-Wed 18.
        "AR",
        datetime(2026, 3, 9, 7, 45, tzinfo=BUENOS_AIRES),
        datetime(2026, 3, 18, 18, 0, tzinfo=BUENOS_AIRES),
        id="early-morning",
    ),
    pytest.param(
        # At 18:00 sharp nothing is left of the day: it starts Tue 09:00 (Tue 10-Thu 19).
        "AR",
        datetime(2026, 3, 9, 18, 0, tzinfo=BUENOS_AIRES),
        datetime(2026, 3, 19, 18, 0, tzinfo=BUENOS_AIRES),
        id="at-closing-time",
    ),
    pytest.param(
        # Saturday: counting starts Mon 9 at 09:00, like the early morning case.
        "AR",
        datetime(2026, 3, 7, 11, 0, tzinfo=BUENOS_AIRES),
        datetime(2026, 3, 18, 18, 0, tzinfo=BUENOS_AIRES),
        id="saturday",
    ),
    pytest.param(
        "AR",
        datetime(2026, 3, 8, 23, 59, tzinfo=BUENOS_AIRES),
        datetime(2026, 3, 18, 18, 0, tzinfo=BUENOS_AIRES),
        id="sunday-night",
    ),
    pytest.param(
        # On a holiday (Tue 24 March) with Thu 2 and Fri 3 April (holidays) ahead: Wed 25, Thu
        # 26, Fri 27, Mon 30, Tue 31, Wed 1, then Mon 6 and Tue 7 April end at 18:00.
        "AR",
        datetime(2026, 3, 24, 11, 0, tzinfo=BUENOS_AIRES),
        datetime(2026, 4, 7, 18, 0, tzinfo=BUENOS_AIRES),
        id="on-a-holiday-before-easter",
    ),
    pytest.param(
        # A Mexican customer: Fri 13 at 17:00 in Mexico City (20:00 in Buenos Aires, already
        # closed there): Fri 1 h (71); Mon 16 is Benito Juárez's day; Tue 17-Fri 20: 36 (35);
        # Mon 23-Wed 25: 27 (8); Thu 26 09:00 + 8 h = 17:00 Mexico City (23:00 UTC).
        "MX",
        datetime(2026, 3, 13, 17, 0, tzinfo=MEXICO_CITY),
        datetime(2026, 3, 26, 17, 0, tzinfo=MEXICO_CITY),
        id="mexico-city",
    ),
]


@pytest.mark.parametrize(("country", "submitted", "expected"), CASES)
def test_analysis_deadline_to_the_minute(country, submitted, expected):
    zone = {"AR": BUENOS_AIRES, "BR": SAO_PAULO, "MX": MEXICO_CITY}[country]
    deadline = _submit(country, zone.key, submitted)
    assert deadline == expected
    assert deadline.astimezone(zone).strftime("%Y-%m-%d %H:%M") == expected.strftime(
        "%Y-%m-%d %H:%M"
    )


def test_the_same_moment_gives_different_deadlines_by_country():
    """Fri 13 March 2026 20:00 UTC: 17:00 in Buenos Aires (1 h left that day), 14:00 in Mexico
    City (4 h left, and Mon 16 is a Mexican holiday)."""
    moment = datetime(2026, 3, 13, 20, 0, tzinfo=UTC)
    # AR: Fri 1 h (71); Mon 16-Fri 20: 45 (26); Mon 23 and Tue 24 are holidays; Wed 25, Thu
    # 26: 18 (8); Fri 27 09:00 + 8 h = 17:00.
    assert _submit("AR", BUENOS_AIRES.key, moment) == datetime(
        2026, 3, 27, 17, 0, tzinfo=BUENOS_AIRES
    )
    # MX: Fri 4 h (68); Tue 17-Fri 20: 36 (32); Mon 23-Wed 25: 27 (5); Thu 26 09:00 + 5 h.
    assert _submit("MX", MEXICO_CITY.key, moment) == datetime(
        2026, 3, 26, 14, 0, tzinfo=MEXICO_CITY
    )
