"""Demo change requests and maintenance for seed_demo (idempotent): 3 Acme change requests (one
overdue in analysis, one approved with its slot, one routed because it is not in the catalog) and
3 maintenances (planned next month on Acme and Globex services, an emergency tomorrow, one
completed last week).

Everything goes through the real services, so the notices are in the outbox and reach var/mail/
when the workers start; rows are then moved back in time with .update() where the story needs a
past (the overdue analysis, last week's work)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from changes.models import (
    ChangeEvent,
    ChangeRequest,
    Impact,
    Maintenance,
    MaintenanceEvent,
    StandardChange,
)
from changes.services import (
    analysis_deadline,
    change_request_progress,
    change_request_route,
    change_request_submit,
)
from changes.services.maintenance import (
    maintenance_advance,
    maintenance_confirm,
    maintenance_create,
)
from core.lib.business_time import is_business_day
from core.models import Customer, Membership, Service, User

STAFF_EMAIL = "root@provider.example"  # the demo's Change Management hands
ZONE = ZoneInfo("America/Argentina/Buenos_Aires")

PLANNED_REASON = (
    "Ampliación de capacidad del anillo de fibra Buenos Aires - São Paulo / Ampliação de "
    "capacidade do anel de fibra Buenos Aires - São Paulo"
)
EMERGENCY_REASON = (
    "Reemplazo urgente de un amplificador óptico dañado por obras viales en la traza Córdoba"
)
COMPLETED_REASON = "Actualización de software de los routers de borde de Buenos Aires"

MAINTENANCES = [
    # reason, kind, [(service id, impact, expected outage minutes)]
    (
        PLANNED_REASON,
        Maintenance.Kind.PLANNED,
        [
            ("AR-BUE-IPVPN-10231", Impact.OUTAGE, 20),
            ("CL-SCL-IPVPN-30102", Impact.REDUCED_REDUNDANCY, 0),
            ("BR-SPO-ETH-50210", Impact.OUTAGE, 20),
            ("BR-RJO-ETH-50388", Impact.DEGRADED, 0),
        ],
    ),
    (
        EMERGENCY_REASON,
        Maintenance.Kind.EMERGENCY,
        [
            ("AR-COR-IPVPN-10418", Impact.OUTAGE, 45),
            ("AR-BUE-INT-20045", Impact.REDUCED_REDUNDANCY, 0),
        ],
    ),
    (
        COMPLETED_REASON,
        Maintenance.Kind.PLANNED,
        [
            ("AR-BUE-IPVPN-10232", Impact.OUTAGE, 10),
            ("AR-BUE-SIP-40017", Impact.DEGRADED, 0),
        ],
    ),
]


def seed_changes(customers: dict[str, Customer]) -> None:
    staff = User.objects.filter(email=STAFF_EMAIL).first()
    if staff is None:
        return
    _seed_requests(customers["acme"], staff)
    _seed_maintenance(staff)


def _at(day: date, hour: int, zone: ZoneInfo = ZONE) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=zone)


def _business_day(country: str, after: date) -> date:
    day = after
    while not is_business_day(day, country):
        day += timedelta(days=1)
    return day


# --- Change requests (R-CHG) -------------------------------------------------------------------


def _seed_requests(acme: Customer, staff: User) -> None:
    if ChangeRequest.objects.filter(customer=acme).exists():
        return
    membership = Membership.objects.filter(customer=acme, role=Membership.Role.ADMIN).first()
    if membership is None:
        return
    catalog = {entry.code: entry for entry in StandardChange.objects.all()}
    services = {s.service_id: s for s in Service.objects.filter(customer=acme)}
    zone = ZoneInfo(acme.timezone)

    # 1. In analysis and overdue: submitted three weeks ago, its 72 business hours long gone.
    overdue = change_request_submit(
        membership=membership,
        change_type=catalog["bandwidth"],
        services=[services["AR-BUE-IPVPN-10231"]],
        parameters={"bandwidth": "500 Mbps"},
        description="La casa central migra el ERP a la nube.",
        execution=ChangeRequest.Execution.ANY_SLOT,
    )
    change_request_progress(
        change=overdue,
        status=ChangeRequest.Status.IN_ANALYSIS,
        actor=staff,
        message="Revisamos la capacidad del acceso.",
    )
    submitted = timezone.now() - timedelta(days=21)
    ChangeRequest.objects.filter(pk=overdue.pk).update(
        created_at=submitted,
        analysis_deadline=analysis_deadline(submitted_at=submitted, customer=acme),
    )
    for position, event in enumerate(overdue.events.order_by("id")):
        ChangeEvent.objects.filter(pk=event.pk).update(
            created_at=submitted + timedelta(days=position)
        )

    # 2. Approved, to be executed in a business-hours slot after next week.
    approved = change_request_submit(
        membership=membership,
        change_type=catalog["static_route"],
        services=[services["AR-COR-IPVPN-10418"], services["CL-SCL-IPVPN-30102"]],
        parameters={"routes": "10.40.0.0/16 via 10.1.1.254"},
        execution=ChangeRequest.Execution.ANY_SLOT,
    )
    day = _business_day(acme.country, timezone.now().astimezone(zone).date() + timedelta(days=12))
    change_request_progress(
        change=approved,
        status=ChangeRequest.Status.APPROVED,
        actor=staff,
        message="Aplicamos las rutas en la ventana indicada.",
        scheduled_start=_at(day, 10, zone),
        scheduled_end=_at(day, 11, zone),
    )

    # 3. Not in the catalog: straight to the service manager (R-CHG-6).
    change_request_route(
        membership=membership,
        description="Necesitamos un enlace de respaldo satelital para la base Vaca Muerta que "
        "conmute solo cuando cae la fibra.",
        services=[services["AR-NQN-INT-20311"]],
    )


# --- Maintenance (R-GCR) -----------------------------------------------------------------------


def _announced(reason: str, *, start: datetime, hours: int, staff: User) -> Maintenance:
    """The maintenance of MAINTENANCES given by `reason`, created and confirmed (announced)."""
    kind, rows = next((kind, rows) for name, kind, rows in MAINTENANCES if name == reason)
    services = {
        s.service_id: s for s in Service.objects.filter(service_id__in=[r[0] for r in rows])
    }
    maintenance = maintenance_create(
        reason=reason,
        kind=kind,
        start=start,
        end=start + timedelta(hours=hours),
        entered_timezone=str(ZONE),
        impacts=[(services[sid], impact, minutes) for sid, impact, minutes in rows],
        actor=staff,
    )
    maintenance_confirm(maintenance=maintenance, actor=staff)
    return maintenance


def _seed_maintenance(staff: User) -> None:
    today = timezone.now().astimezone(ZONE).date()
    existing = set(Maintenance.objects.values_list("reason", flat=True))

    if PLANNED_REASON not in existing:
        # Next month, 02:00-04:00 local at every site (A.1), well over 10 days ahead (A.2).
        next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=15)
        _announced(PLANNED_REASON, start=_at(next_month, 2), hours=2, staff=staff)

    if EMERGENCY_REASON not in existing:
        # Tomorrow at 01:00: no 10 days' notice, announced at once as an emergency (R-GCR-5).
        _announced(EMERGENCY_REASON, start=_at(today + timedelta(days=1), 1), hours=3, staff=staff)

    if COMPLETED_REASON not in existing:
        # Confirmed with a window that kept the rules then; the story is moved to last week.
        done = _announced(
            COMPLETED_REASON, start=_at(today + timedelta(days=11), 2), hours=2, staff=staff
        )
        start = _at(today - timedelta(days=7), 2)
        end = start + timedelta(hours=2)
        announced = start - timedelta(days=12)
        Maintenance.objects.filter(pk=done.pk).update(
            start=start, end=end, announced_at=announced, created_at=announced
        )
        MaintenanceEvent.objects.filter(maintenance=done).update(
            start=start, end=end, created_at=announced
        )
        done.refresh_from_db()
        done = maintenance_advance(
            maintenance=done, status=Maintenance.Status.IN_PROGRESS, actor=staff
        )
        MaintenanceEvent.objects.filter(maintenance=done, status="in_progress").update(
            created_at=start
        )
        done = maintenance_advance(
            maintenance=done,
            status=Maintenance.Status.COMPLETED,
            actor=staff,
            note="Trabajo terminado sin novedades.",
        )
        MaintenanceEvent.objects.filter(maintenance=done, status="completed").update(
            created_at=end - timedelta(minutes=25)
        )
