"""Demo orders and notification contacts for seed_demo: 4 Acme orders at different touchpoints
(one waiting for the customer's TP1 answer) and 2 Globex orders. They go through the real
services, so the outbox writes their e-mails (under var/mail/ in the embedded mode)."""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import F
from django.utils import timezone

from core.lib.business_time import business_days_before
from core.models import Customer, Notification, NotificationContact, Service, User
from orders.models import Order, OrderEvent, Step, Touchpoint
from orders.services import order_create, technical_details_answer, touchpoint_record

# Each contact is its name, e-mail, language, kinds and whether it confirmed.
CONTACTS: dict[str, list[tuple[str, str, str, tuple[str, ...], bool]]] = {
    "acme": [
        (
            "Guardia NOC Acme",
            "noc-guardia@acme.example",
            "es",
            ("orders", "tickets", "maintenance"),
            True,
        ),
        ("Compras Acme", "compras@acme.example", "es", ("orders",), True),
        ("Finanzas Acme", "finanzas@acme.example", "es", ("billing",), False),
    ],
    "globex": [
        ("NOC Globex", "noc@globex.example", "pt-br", ("orders", "tickets", "maintenance"), True),
    ],
}

# (service id, product line, site, address, country, capacity)
_Site = tuple[str, str, str, str, str, str]
ORDERS: dict[str, list[dict]] = {
    "acme": [
        {
            "title": "SD-WAN en la sucursal Rosario",
            "product_line": "sd_wan",
            "services": [
                (
                    "AR-ROS-SDWAN-20011",
                    "sd_wan",
                    "Sucursal Rosario",
                    "Bv. Oroño 1450, Rosario",
                    "AR",
                    "2 x 100 Mbps",
                ),
            ],
            "until": Step.TECHNICAL_DETAILS,
            "received_days_ago": 6,
            "details": [
                "Rango de IP de la LAN de la sucursal",
                "Nombre y teléfono del contacto en el sitio",
                "Horario de acceso al edificio",
            ],
        },
        {
            "title": "Internet 1 Gbps en el centro logístico Mendoza",
            "product_line": "internet",
            "services": [
                (
                    "AR-MDZ-INT-20107",
                    "internet",
                    "Centro logístico Mendoza",
                    "Acceso Este 3280, Mendoza",
                    "AR",
                    "1 Gbps",
                ),
            ],
            "until": Step.ESTIMATED_ACTIVATION,
            "received_days_ago": 20,
            "installation_in_business_days": 6,
        },
        {
            "title": "IP VPN para la nueva oficina de Santiago",
            "product_line": "ip_vpn",
            "services": [
                (
                    "CL-SCL-IPVPN-20233",
                    "ip_vpn",
                    "Oficina Santiago",
                    "Av. Apoquindo 4500, Las Condes",
                    "CL",
                    "100 Mbps",
                ),
            ],
            "until": Step.ACTIVATION_PLANNING,
            "received_days_ago": 35,
            "installation_in_business_days": -3,
        },
        {
            "title": "Troncal SIP de 30 canales para el contact center",
            "product_line": "voice",
            "services": [
                (
                    "AR-BUE-SIP-20302",
                    "voice",
                    "Casa central",
                    "Av. Corrientes 1234, CABA",
                    "AR",
                    "30 SIP channels",
                ),
            ],
            "until": Step.CONNECTION,
            "received_days_ago": 50,
            "installation_in_business_days": -12,
        },
    ],
    "globex": [
        {
            "title": "IP transit 10 Gbps em São Paulo",
            "product_line": "internet",
            "services": [
                (
                    "BR-SAO-IPT-30041",
                    "internet",
                    "PoP São Paulo",
                    "Av. Paulista 1000, São Paulo",
                    "BR",
                    "10 Gbps",
                ),
            ],
            "until": Step.ORDER_CONFIRMED,
            "received_days_ago": 9,
            "details": ["ASN e prefixos a anunciar", "Porta e óptica no PoP"],
            "answers": ["AS64500: 203.0.113.0/24", "100GBASE-LR4, rack 14"],
        },
        {
            "title": "Colocation no Rio de Janeiro: 2 racks",
            "product_line": "colocation",
            "services": [
                (
                    "BR-RIO-COLO-30077",
                    "colocation",
                    "Data center Rio",
                    "Av. Brasil 500, Rio de Janeiro",
                    "BR",
                    "2 racks, 8 kW",
                ),
            ],
            "until": Step.INSTALLATION_REMINDER,
            "received_days_ago": 28,
            "details": ["Contato no local no dia da instalação"],
            "answers": ["Rafael Costa, +55 21 5555 0101"],
            "site_preparation": "Acesso ao data center liberado para a equipe técnica e "
            "energia redundante nos dois racks.",
            "installation_in_business_days": 1,
        },
    ],
}

_ANSWERS = ["10.20.30.0/24", "Lucas Benítez, +54 341 555 0101", "Lunes a viernes de 8 a 17"]


def seed_contacts(customers: dict[str, Customer]) -> None:
    for key, rows in CONTACTS.items():
        for name, email, language, kinds, confirmed in rows:
            NotificationContact.objects.get_or_create(
                customer=customers[key],
                email=email,
                defaults={
                    "name": name,
                    "language": language,
                    "confirmed_at": timezone.now() if confirmed else None,
                    "confirmation_sent_at": timezone.now(),
                    **dict.fromkeys(kinds, True),
                },
            )


def _installation_day(customer: Customer, business_days: int) -> date:
    """A business day `business_days` from today (negative: in the past)."""
    today = timezone.localdate()
    if business_days >= 0:
        # business_days_before walks backwards; walk forwards by trying later days.
        day = today
        while business_days_before(day, business_days, customer.country) < today:
            day += timedelta(days=1)
        return day
    return business_days_before(today, -business_days, customer.country)


def _local(customer: Customer, day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(customer.timezone))


def seed_orders(customers: dict[str, Customer]) -> None:
    for key, orders in ORDERS.items():
        customer = customers[key]
        if Order.objects.filter(customer=customer).exists():
            continue
        requester = User.objects.filter(
            memberships__customer=customer, memberships__role="admin"
        ).first()
        assert requester is not None  # seed_demo gives every customer an administrator
        for spec in orders:
            _seed_order(customer, requester, spec)


def _seed_order(customer: Customer, requester: User, spec: dict) -> None:
    today = timezone.localdate()
    services = []
    for service_id, line, site, address, country, capacity in spec["services"]:
        service, _ = Service.objects.get_or_create(
            service_id=service_id,
            defaults={
                "customer": customer,
                "product_line": line,
                "site_name": site,
                "site_address": address,
                "country": country,
                "capacity": capacity,
                "status": Service.Status.PROVISIONING,
            },
        )
        services.append(service)
    received = today - timedelta(days=spec["received_days_ago"])
    order = order_create(
        customer=customer,
        product_line=spec["product_line"],
        title=spec["title"],
        services=services,
        requester=requester,
        received_on=received,
    )
    installation = None
    if "installation_in_business_days" in spec:
        installation = _installation_day(customer, spec["installation_in_business_days"])
    activation_day = (installation or today) + timedelta(days=7)
    values: dict[int, dict[str, Any]] = {
        Step.TECHNICAL_DETAILS: {
            "details_requested": spec.get("details", ["Rango de IP de la LAN de cada sitio"])
        },
        Step.ORDER_CONFIRMED: {},
        Step.ESTIMATED_ACTIVATION: {
            "estimated_activation_on": activation_day,
            "installation_on": installation,
        },
        Step.INSTALLATION_REMINDER: {
            "installation_on": installation,
            "site_preparation": spec.get(
                "site_preparation",
                "Acceso al sitio y a la sala de equipos, energía y espacio en rack, y una "
                "persona de contacto el día de la instalación.",
            ),
        },
        Step.ACTIVATION_PLANNING: {
            "activation_start": _local(customer, activation_day, 10),
            "activation_end": _local(customer, activation_day, 14),
        },
        Step.CONNECTION: {"activated_on": activation_day},
    }
    for step in range(1, spec["until"] + 1):
        touchpoint_record(order=order, step=step, actor=None, **values[step])
        if step == Step.TECHNICAL_DETAILS and spec["until"] > step:
            count = len(values[step]["details_requested"])
            answers = spec.get("answers", _ANSWERS)[:count]
            technical_details_answer(order=order, answers=answers, actor=requester)
    _spread_over_time(order, received)


def _spread_over_time(order: Order, received: date) -> None:
    """The demo records every step now; spread them between reception and today so the
    timeline reads like a real order's."""
    now = timezone.now()
    span = max((timezone.localdate() - received).days, 1)
    steps = Touchpoint.objects.filter(order=order).count()
    for index, touchpoint in enumerate(Touchpoint.objects.filter(order=order).order_by("step")):
        when = now - timedelta(days=span * (steps - index) / (steps + 1))
        Touchpoint.objects.filter(pk=touchpoint.pk).update(recorded_at=when)
        OrderEvent.objects.filter(order=order, step=touchpoint.step).update(created_at=when)
        Notification.objects.filter(event=f"order:{order.number}:tp{touchpoint.step}").update(
            created_at=when
        )
    OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.RECEIVED).update(
        created_at=now - timedelta(days=span)
    )
    answered = OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.ANSWERED).first()
    if answered:
        tp1 = OrderEvent.objects.get(order=order, step=Step.TECHNICAL_DETAILS)
        answered_at = tp1.created_at + timedelta(hours=20)
        OrderEvent.objects.filter(pk=answered.pk).update(created_at=answered_at)
        Touchpoint.objects.filter(order=order, step=Step.TECHNICAL_DETAILS).update(
            answered_at=answered_at
        )
        Notification.objects.filter(event=answered.event_key).update(
            created_at=F("created_at") - (now - answered_at)
        )
