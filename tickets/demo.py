"""Demo trouble tickets for seed_demo: 8 Acme tickets in every status (one opened by phone, one
with two pauses of the SLA clock, one breached) and 3 Globex tickets in Portuguese.

Each ticket goes through the real services, step by step; after each step the rows it wrote are
moved back to the step's moment (as demo_orders does), and the stored restoration deadline is
recomputed from the back-dated pauses with the same clock the pages use (R-TT-3)."""

from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone

from core.models import Customer, Notification, Service, User
from tickets import services
from tickets.models import Attachment, Message, PauseInterval, Ticket

STAFF_EMAIL = "tsc@provider.example"

# A step: (hours after opening, what, arguments). "who" is "staff" or a customer member's e-mail.
ACME = [
    {
        "service": "AR-NQN-INT-20311",
        "impact": "down",
        "opened_hours_ago": 0.4,
        "by_phone": "noc@acme.example",
        "subject": "Sin Internet en la base Vaca Muerta",
        "description": "Llamó Nicolás Ortega al TSC: el portal no carga desde la base y no hay "
        "navegación desde las 7:40.",
        "checks": "Reiniciaron el router del sitio.",
        "steps": [],
    },
    {
        "service": "AR-BUE-IPVPN-10231",
        "impact": "degraded",
        "opened_hours_ago": 3,
        "subject": "Latencia alta en la VPN de la casa central",
        "description": "Desde las 9 la latencia hacia los depósitos supera los 180 ms.",
        "checks": "Probamos desde dos equipos distintos; mismo resultado.",
        "steps": [
            (0.2, "reply", {"body": "Recibimos el reporte; revisamos el enlace de acceso."}),
            (0.5, "note", {"body": "Errores CRC en el puerto del PE, pedir cambio de SFP."}),
            (0.6, "assign", {}),
        ],
    },
    {
        "service": "AR-COR-IPVPN-10418",
        "impact": "down",
        "opened_hours_ago": 2,
        "subject": "Centro logístico Córdoba sin servicio",
        "description": "El enlace VPN del centro logístico está caído.",
        "steps": [
            (0.1, "reply", {"body": "Un técnico va en camino al sitio."}),
            (
                1,
                "wait",
                {
                    "reason": "site_access",
                    "message": "El técnico está en la puerta y no lo dejan ingresar a la sala "
                    "de equipos. ¿Pueden autorizarlo?",
                },
            ),
        ],
    },
    {
        # Two pauses: 9 h waiting for information, then 12 h for site access, across midnight.
        "service": "AR-BUE-INT-20045",
        "impact": "degraded",
        "opened_hours_ago": 26,
        "subject": "Pérdida de paquetes en Internet de la casa central",
        "description": "Pérdida de paquetes del 5% en horario pico.",
        "steps": [
            (0.25, "reply", {"body": "Estamos analizando el tráfico del puerto."}),
            (
                1,
                "wait",
                {
                    "reason": "information",
                    "message": "¿Nos envían un traceroute desde la LAN hacia 8.8.8.8?",
                },
            ),
            (10, "customer_reply", {"body": "Adjuntamos el traceroute pedido."}),
            (
                12,
                "wait",
                {"reason": "site_access", "message": "Necesitamos acceso al rack el lunes."},
            ),
            (24, "resume", {}),
            (24.5, "reply", {"body": "Cambiamos el patchcord; seguimos monitoreando."}),
        ],
    },
    {
        # Breached: 7 h into a 4 h target, with a late first response and an escalation.
        "service": "CL-SCL-IPVPN-30102",
        "impact": "down",
        "opened_hours_ago": 7,
        "subject": "Oficina Santiago sin VPN",
        "description": "La oficina de Santiago no llega a los servidores de Buenos Aires.",
        "steps": [
            (0.5, "reply", {"body": "Detectamos un corte de fibra del proveedor local."}),
            (5, "escalate", {"reason": "Llevamos 5 horas sin servicio en Santiago."}),
            (5.5, "reply", {"body": "La cuadrilla está empalmando la fibra."}),
        ],
    },
    {
        "service": "AR-BUE-SIP-40017",
        "impact": "no_impact",
        "opened_hours_ago": 48,
        "subject": "Consulta: identificador de llamadas en la troncal SIP",
        "description": "¿Podemos mostrar el número principal en todas las llamadas salientes?",
        "steps": [
            (1, "reply", {"body": "Sí: lo configuramos en la troncal esta tarde."}),
            (
                6,
                "resolve",
                {"resolution": "Se configuró el número principal como CLI.", "restored": 5.5},
            ),
        ],
    },
    {
        "service": "AR-BUE-IPVPN-10232",
        "impact": "down",
        "opened_hours_ago": 9 * 24,
        "subject": "Depósito Barracas sin servicio",
        "description": "Corte total en el depósito desde las 14:10.",
        "steps": [
            (0.1, "reply", {"body": "Vemos el CPE sin energía. ¿Hay corte eléctrico?"}),
            (
                0.5,
                "wait",
                {"reason": "contact_unreachable", "message": "No logramos hablar con el sitio."},
            ),
            (2, "customer_reply", {"body": "Sí, se cortó la luz; ya volvió."}),
            (
                3.5,
                "resolve",
                {"resolution": "Corte de energía en el sitio; el CPE volvió.", "restored": 2},
            ),
            (3.5 + 5 * 24 + 1, "close", {}),
        ],
    },
    {
        "service": "CL-SCL-INT-30188",
        "impact": "degraded",
        "opened_hours_ago": 4 * 24,
        "subject": "Internet lento en la oficina Santiago",
        "description": "La navegación está lenta desde la mañana.",
        "steps": [
            (
                0.3,
                "cancel",
                {
                    "who": "admin@acme.example",
                    "reason": "Falsa alarma: era una descarga masiva interna.",
                },
            ),
        ],
    },
]

GLOBEX = [
    {
        "service": "BR-SPO-ETH-50210",
        "impact": "down",
        "opened_hours_ago": 1,
        "subject": "Circuito Ethernet São Paulo fora do ar",
        "description": "O circuito até o PoP Cotia caiu às 10h15; sem link nas duas pontas.",
        "checks": "Trocamos o cabo do lado do cliente.",
        "steps": [
            (0.2, "reply", {"body": "Identificamos o alarme no equipamento; equipe acionada."})
        ],
    },
    {
        "service": "BR-RJO-ETH-50388",
        "impact": "degraded",
        "opened_hours_ago": 5,
        "subject": "Erros de CRC no circuito do Rio de Janeiro",
        "description": "Muitos erros de CRC na interface desde ontem à noite.",
        "steps": [
            (0.3, "reply", {"body": "Vamos testar o circuito com loop."}),
            (
                1,
                "wait",
                {
                    "reason": "contact_unreachable",
                    "message": "Não conseguimos falar com o contato local para o teste.",
                },
            ),
        ],
    },
    {
        "service": "BR-SPO-CDN-70009",
        "impact": "no_impact",
        "opened_hours_ago": 3 * 24,
        "subject": "Dúvida sobre o relatório de tráfego da CDN",
        "description": "Como exportar o relatório de tráfego por hora?",
        "steps": [
            (2, "reply", {"body": "Enviamos o passo a passo por aqui."}),
            (3, "resolve", {"resolution": "Orientação enviada ao cliente.", "restored": 3}),
        ],
    },
]

TICKETS = {"acme": ACME, "globex": GLOBEX}


def seed_tickets(customers: dict[str, Customer]) -> None:
    staff = User.objects.filter(email=STAFF_EMAIL).first()
    if staff is None:
        return
    for key, specs in TICKETS.items():
        customer = customers[key]
        if Ticket.objects.filter(customer=customer).exists():
            continue
        members = User.objects.filter(memberships__customer=customer).order_by("pk")
        people = {user.email: user for user in members}
        admin = members.filter(memberships__role="admin").first()
        for spec in specs:
            _seed_ticket(customer, spec, staff=staff, people=people, admin=admin)


def _seed_ticket(customer: Customer, spec: dict, *, staff: User, people: dict, admin: User | None):
    now = timezone.now()
    opened = now - timedelta(hours=spec["opened_hours_ago"])
    requester = people.get(spec.get("by_phone", ""), admin)
    service = Service.objects.get(service_id=spec["service"])
    assert requester is not None  # the demo's people and administrators exist
    ticket = services.ticket_open(
        customer=customer,
        opened_by=staff if spec.get("by_phone") else requester,
        requester=requester,
        channel=Ticket.Channel.PHONE if spec.get("by_phone") else Ticket.Channel.PORTAL,
        services=[service],
        impact=spec["impact"],
        subject=spec["subject"],
        description=spec["description"],
        problem_started_at=now,
        site_contact_name=requester.get_full_name(),
        site_contact_phone=requester.phone or "+54 11 5555 0100",
        site_contact_email=requester.email,
        access_hours="Lunes a viernes 8 a 18" if customer.language == "es" else "24x7",
        checks_done=spec.get("checks", ""),
    )
    Ticket.objects.filter(pk=ticket.pk).update(
        opened_at=opened, problem_started_at=opened - timedelta(minutes=20)
    )
    _back_date(ticket, since=now, at=opened)
    for hours, what, arguments in spec["steps"]:
        since = timezone.now()
        _step(ticket, what, dict(arguments), opened=opened, staff=staff, requester=requester)
        _back_date(ticket, since=since, at=opened + timedelta(hours=hours))
    _deadline_recompute(ticket)


def _step(ticket: Ticket, what: str, arguments: dict, *, opened, staff, requester) -> None:
    ticket = Ticket.objects.get(pk=ticket.pk)
    actor = staff
    if "who" in arguments:
        actor = User.objects.get(email=arguments.pop("who"))
    if what == "reply":
        services.ticket_reply(ticket=ticket, author=staff, body=arguments["body"])
    elif what == "note":
        services.ticket_reply(ticket=ticket, author=staff, body=arguments["body"], internal=True)
    elif what == "customer_reply":
        services.ticket_reply(ticket=ticket, author=requester, body=arguments["body"])
    elif what == "assign":
        services.ticket_assign(ticket=ticket, staff=staff)
    elif what == "wait":
        services.ticket_wait_for_customer(ticket=ticket, actor=staff, **arguments)
    elif what == "resume":
        services.ticket_resume(ticket=ticket, actor=staff)
    elif what == "escalate":
        services.ticket_escalate(ticket=ticket, actor=requester, reason=arguments["reason"])
    elif what == "resolve":
        services.ticket_resolve(
            ticket=ticket,
            actor=staff,
            resolution=arguments["resolution"],
            restored_at=opened + timedelta(hours=arguments["restored"]),
        )
    elif what == "cancel":
        services.ticket_cancel(ticket=ticket, actor=actor, reason=arguments["reason"])
    elif what == "close":
        services.tickets_close_resolved()


def _back_date(ticket: Ticket, *, since: datetime, at: datetime) -> None:
    """Move what the last step wrote (at or after `since`) to the step's moment `at`."""
    Message.objects.filter(ticket=ticket, created_at__gte=since).update(created_at=at)
    Attachment.objects.filter(ticket=ticket, created_at__gte=since).update(created_at=at)
    pauses = PauseInterval.objects.filter(ticket=ticket)
    pauses.filter(started_at__gte=since).update(started_at=at)
    pauses.filter(ended_at__gte=since).update(ended_at=at)
    tickets = Ticket.objects.filter(pk=ticket.pk)
    for field in ("first_response_at", "resolved_at", "closed_at", "last_escalated_at"):
        tickets.filter(**{f"{field}__gte": since}).update(**{field: at})
    Notification.objects.filter(subject_reference=ticket.number, created_at__gte=since).update(
        created_at=F("created_at") - (timezone.now() - at)
    )


def _deadline_recompute(ticket: Ticket) -> None:
    """The deadline as the services store it, as of the ticket's last change (R-TT-3): while a
    pause runs, the pause's start plus what remained."""
    ticket = Ticket.objects.prefetch_related("pauses").get(pk=ticket.pk)
    as_of = timezone.now()
    running = [pause for pause in ticket.pauses.all() if pause.ended_at is None]
    if running:
        as_of = running[0].started_at
    elif ticket.status == Ticket.Status.CANCELLED and ticket.closed_at:
        as_of = ticket.closed_at
    deadline = services.ticket_clock(ticket, now=as_of).deadline
    Ticket.objects.filter(pk=ticket.pk).update(restoration_deadline=deadline)
