"""Demo billing for seed_demo (idempotent): 12 months of Acme invoices (connectivity in
Argentina in ARS, the Chilean sites in USD, IVA 21%), 6 months of Globex invoices in BRL
(ICMS, ISS, PIS and COFINS), each with a one-page PDF; a dispute in analysis, a credit issued
for the outage of a resolved ticket, a question waiting for the customer, a pending
billing-data change and, when the directory has Argentina's address, a PO request.

The invoices go through the batch import (billing.importing) and the requests through the
real services, so the notices are in the outbox; rows are then moved back in time with
.update() where the story needs a past. Billing Customer Care's hands are the demo superuser's.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TypedDict
from zoneinfo import ZoneInfo

from babel.dates import format_date
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.utils import timezone

from billing import importing, rules, services
from billing.models import (
    BillingDataChange,
    BillingMessage,
    BillingRequest,
    Credit,
    Invoice,
    PurchaseOrderRequest,
)
from billing.money import money
from contacts.selectors import po_address
from core.models import Customer, Notification, User
from tickets.models import Ticket

STAFF_EMAIL = "root@provider.example"  # the demo's Billing Customer Care hands
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Charge:
    service_id: str | None
    description: str
    amount: Decimal  # this month's; earlier months follow `monthly_rise`
    tax: str = "default"  # which tax of the series applies (Brazil: telecom or services)
    usage: bool = False  # varies month to month


@dataclass(frozen=True)
class Series:
    key: str  # which demo customer
    currency: str
    prefix: str  # the billing system's numbering: type and point of sale
    first_number: int
    months: int
    charges: tuple[Charge, ...]
    taxes: tuple[tuple[str, str, Decimal], ...]  # (label, applies to, rate)
    monthly_rise: Decimal = Decimal("0")  # price indexation, per month
    language: str = "es"


D = Decimal
ACME_ARS = Series(
    key="acme",
    currency="ARS",
    prefix="A-0003-",
    first_number=45120,
    months=12,
    monthly_rise=D("0.025"),
    charges=(
        Charge(
            "AR-BUE-IPVPN-10231", "Abono IP VPN 200 Mbps gestionado - Casa central", D("1850000")
        ),
        Charge(
            "AR-BUE-IPVPN-10232",
            "Abono IP VPN 100 Mbps gestionado - Depósito Barracas",
            D("1120000"),
        ),
        Charge(
            "AR-COR-IPVPN-10418",
            "Abono IP VPN 100 Mbps gestionado - Centro logístico Córdoba",
            D("1120000"),
        ),
        Charge("AR-ROS-IPVPN-10577", "Abono IP VPN 50 Mbps - Terminal Rosario", D("690000")),
        Charge("AR-BUE-INT-20045", "Abono Internet dedicado 1 Gbps - Casa central", D("2380000")),
        Charge(
            "AR-NQN-INT-20311", "Abono Internet satelital 20 Mbps - Base Vaca Muerta", D("980000")
        ),
        Charge("AR-BUE-SIP-40017", "Abono troncal SIP 60 canales - Casa central", D("540000")),
        Charge(
            "AR-BUE-SIP-40017",
            "Consumo de minutos salientes (locales, larga distancia y celulares)",
            D("186400"),
            usage=True,
        ),
    ),
    taxes=(("IVA 21%", "all", D("0.21")),),
)
ACME_USD = Series(
    key="acme",
    currency="USD",
    prefix="A-0007-",
    first_number=3310,
    months=12,
    charges=(
        Charge(
            "CL-SCL-IPVPN-30102", "IP VPN 100 Mbps gestionado - Oficina Santiago (Chile)", D("1450")
        ),
        Charge(
            "CL-SCL-INT-30188", "Internet dedicado 300 Mbps - Oficina Santiago (Chile)", D("890")
        ),
        Charge(None, "Mesa de ayuda regional 24x7 - sitios de Chile", D("150")),
    ),
    taxes=(("IVA 21%", "all", D("0.21")),),
)
GLOBEX_BRL = Series(
    key="globex",
    currency="BRL",
    prefix="NFCOM-001-",
    first_number=208815,
    months=6,
    language="pt-br",
    charges=(
        Charge(
            "BR-SPO-ETH-50210",
            "Circuito Ethernet 10 Gbps - PoP São Paulo Cotia",
            D("18500"),
            "telecom",
        ),
        Charge(
            "BR-RJO-ETH-50388",
            "Circuito Ethernet 10 Gbps - PoP Rio de Janeiro",
            D("19200"),
            "telecom",
        ),
        Charge(
            "BR-SPO-INT-60077", "Trânsito IP 20 Gbps - PoP São Paulo Cotia", D("32000"), "telecom"
        ),
        Charge(
            "BR-SPO-CDN-70009",
            "CDN - tráfego entregue no mês (burst 40 Gbps)",
            D("9870"),
            "services",
            True,
        ),
        Charge(
            "BR-SPO-COL-80031",
            "Colocation 4 racks, 16 kW - Data Center Cotia",
            D("24800"),
            "services",
        ),
    ),
    taxes=(
        ("ICMS 18% (telecomunicações)", "telecom", D("0.18")),
        ("ISS 2% (serviços)", "services", D("0.02")),
        ("PIS 0,65%", "all", D("0.0065")),
        ("COFINS 3%", "all", D("0.03")),
    ),
)
SERIES = (ACME_ARS, ACME_USD, GLOBEX_BRL)
# Usage lines vary month to month (most recent first).
USAGE = (D("1"), D("0.93"), D("1.08"), D("0.97"), D("1.12"), D("0.88"), D("1.04"), D("0.95"))
# A price rise announced to Acme for the Chilean Internet access: the subject of a question.
USD_RISE = ("CL-SCL-INT-30188", D("940"))
NEW_CUIT = "30-71654321-4"


def seed_billing(customers: dict[str, Customer]) -> None:
    staff = User.objects.filter(email=STAFF_EMAIL).first()
    acme, globex = customers["acme"], customers["globex"]
    for customer in (acme, globex):
        if not Invoice.objects.filter(customer=customer).exists():
            _load_invoices(customer, [s for s in SERIES if customers[s.key] == customer])
    if staff is not None:
        _seed_requests(acme, staff)
    _seed_data_change(acme)
    _seed_po_request(acme)
    services.invoices_mark_overdue()


# --- Invoices ---------------------------------------------------------------------------------


def _month_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, min(day.day, 28))


def _money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _series_invoices(customer: Customer, series: Series) -> list[tuple[dict, list]]:
    """Each month's invoice as the import reads it, with its tax breakdown for the PDF."""
    today = rules.customer_today(customer)
    last_issued = today - timedelta(days=4)
    rows = []
    for back in range(series.months - 1, -1, -1):
        issued_on = _month_back(last_issued, back)
        due_on = issued_on + timedelta(days=20)
        lines = []
        for charge in series.charges:
            amount = charge.amount / (1 + series.monthly_rise) ** back
            if charge.usage:
                amount *= USAGE[back % len(USAGE)]
            if series.currency == "USD" and charge.service_id == USD_RISE[0] and back == 0:
                amount = USD_RISE[1]
            line = {"description": charge.description, "amount": str(_money(amount))}
            if charge.service_id:
                line["service_id"] = charge.service_id
            lines.append((line, charge.tax))
        if series.currency == "ARS" and back == 5:
            lines.append(
                (
                    {
                        "service_id": "AR-COR-IPVPN-10418",
                        "description": "Cargo único: traslado del equipo a la nueva sala de racks",
                        "amount": str(_money(D("385000") / (1 + series.monthly_rise) ** back)),
                    },
                    "default",
                )
            )
        breakdown = []
        for label, applies, rate in series.taxes:
            base = sum(
                (D(line["amount"]) for line, kind in lines if applies in ("all", kind)), D("0")
            )
            breakdown.append((label, _money(base * rate)))
        tax = sum((amount for _label, amount in breakdown), D("0"))
        invoice = {
            "customer_tax_id": customer.tax_id,
            "number": f"{series.prefix}{series.first_number + (series.months - 1 - back) * 37:08d}",
            "period": issued_on.strftime("%Y-%m"),
            "issued_on": issued_on.isoformat(),
            "due_on": due_on.isoformat(),
            "currency": series.currency,
            "tax": str(tax),
            "lines": [line for line, _kind in lines],
        }
        # Paid a few days before the due date, except the latest (open) and, in ARS, the two
        # before it: one becomes disputed, the other overdue.
        if back >= 1 and not (series.currency == "ARS" and back in (1, 2)):
            invoice["status"] = "paid"
            invoice["paid_on"] = min(due_on - timedelta(days=2 + back % 4), today).isoformat()
        rows.append((invoice, breakdown))
    return rows


def _load_invoices(customer: Customer, series: list[Series]) -> None:
    batch, breakdowns = [], {}
    for one in series:
        for row, breakdown in _series_invoices(customer, one):
            batch.append(row)
            breakdowns[row["number"]] = breakdown
    name = f"demo-{customer.display_name.split()[0].lower()}.json"
    report = importing.invoices_import(content=json.dumps(batch).encode(), filename=name)
    if not report.ok:
        problems = "; ".join(f"{p.where} {p.field}: {p.message}" for p in report.errors)
        raise RuntimeError(f"The demo invoices of {customer} do not import: {problems}")
    for invoice in Invoice.objects.filter(customer=customer).prefetch_related("lines__service"):
        language = next(s.language for s in series if s.currency == invoice.currency)
        document = invoice_pdf(invoice, breakdowns[invoice.number], language=language)
        invoice.pdf.save(f"{invoice.number}.pdf", ContentFile(document), save=True)


# --- Requests, a credit, a data change and a PO request -----------------------------------------


def _at(customer: Customer, day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(rules.customer_zone(customer)))


def _back_date(request_obj: BillingRequest, *, since: datetime, at: datetime) -> None:
    """Move what the last step wrote (at or after `since`) to the step's moment `at`."""
    BillingRequest.objects.filter(pk=request_obj.pk, created_at__gte=since).update(created_at=at)
    BillingRequest.objects.filter(pk=request_obj.pk, resolved_at__gte=since).update(resolved_at=at)
    BillingMessage.objects.filter(request=request_obj, created_at__gte=since).update(created_at=at)
    Credit.objects.filter(request=request_obj, issued_at__gte=since).update(issued_at=at)
    Notification.objects.filter(subject_reference=request_obj.number, created_at__gte=since).update(
        created_at=F("created_at") - (timezone.now() - at)
    )


def _step(request_obj, at: datetime, perform):
    since = timezone.now()
    result = perform()
    _back_date(request_obj or result, since=since, at=at)
    return result


def _seed_requests(acme: Customer, staff: User) -> None:
    if BillingRequest.objects.filter(customer=acme).exists():
        return
    admin = User.objects.filter(memberships__customer=acme, memberships__role="admin").first()
    ars = list(Invoice.objects.filter(customer=acme, currency="ARS").order_by("-period"))
    usd = list(Invoice.objects.filter(customer=acme, currency="USD").order_by("-period"))
    if admin is None or len(ars) < 2 or not usd:
        return
    today = rules.customer_today(acme)

    # 1. A dispute in analysis: a suspended site still billed in full, last month's invoice.
    disputed = ars[1]
    rosario = disputed.lines.get(service__service_id="AR-ROS-IPVPN-10577")
    dispute = _step(
        None,
        _at(acme, disputed.issued_on + timedelta(days=6), 11),
        lambda: services.billing_request_create(
            customer=acme,
            user=admin,
            kind=BillingRequest.Kind.DISPUTE,
            subject="Abono de Terminal Rosario facturado con el servicio suspendido",
            description="El enlace de Terminal Rosario está suspendido a pedido nuestro desde "
            "hace meses y en esta factura se cobra el abono completo. Pedimos que se anule el "
            "cargo de la línea correspondiente.",
            invoice=disputed,
            disputed={rosario.pk: rosario.amount},
        ),
    )
    _step(
        dispute,
        _at(acme, disputed.issued_on + timedelta(days=8), 15),
        lambda: services.billing_request_staff_message(
            request_obj=dispute,
            staff=staff,
            status=BillingRequest.Status.IN_ANALYSIS,
            body="Recibimos el reclamo. Estamos verificando con Provisioning la fecha de la "
            "suspensión y la tarifa de suspensión que corresponde al contrato.",
        ),
    )

    # 2. A credit issued for the outage of a resolved ticket, applied to the latest invoice.
    latest = ars[0]
    ticket = (
        Ticket.objects.filter(
            customer=acme,
            services__service_id="AR-BUE-IPVPN-10232",
            status__in=services.CREDITABLE_TICKET_STATUSES,
        )
        .order_by("-opened_at")
        .first()
    )
    barracas = latest.lines.get(service__service_id="AR-BUE-IPVPN-10232")
    asked = _money(barracas.amount * D("0.10"))
    asked_at = _at(acme, today - timedelta(days=3), 10)
    ticket_end = ticket and (ticket.closed_at or ticket.resolved_at)
    if ticket_end and ticket_end > asked_at:
        asked_at = ticket_end + timedelta(hours=2)
    asked_at = min(asked_at, timezone.now() - timedelta(hours=30))  # resolved 26 h later
    credit_request = _step(
        None,
        asked_at,
        lambda: services.billing_request_create(
            customer=acme,
            user=admin,
            kind=BillingRequest.Kind.CREDIT,
            subject="Crédito por el corte del Depósito Barracas",
            description="El depósito estuvo sin servicio por el corte informado en el ticket. "
            "Según el SLA del contrato corresponde un crédito del 10% del abono mensual.",
            invoice=latest,
            requested_amount=asked,
            ticket=ticket,
            service=barracas.service,
            outage_start=ticket.problem_started_at if ticket else None,
            outage_end=ticket.restored_at if ticket and ticket.restored_at else None,
        ),
    )
    _step(
        credit_request,
        asked_at + timedelta(hours=26),
        lambda: services.credit_issue(
            request_obj=credit_request,
            staff=staff,
            amount=asked,
            invoice=latest,
            answer="Confirmamos el corte y aplicamos un crédito de "
            f"{money(asked, 'ARS', language='es', country='AR')} "
            f"sobre la factura {latest.number}, según el SLA del contrato.",
        ),
    )

    # 3. A question waiting for the customer: the Chilean Internet access costs more.
    asked_on = timezone.now() - timedelta(days=2)
    question = _step(
        None,
        asked_on,
        lambda: services.billing_request_create(
            customer=acme,
            user=admin,
            kind=BillingRequest.Kind.QUESTION,
            subject="Aumento del cargo de Internet de la oficina Santiago",
            description="En la última factura en dólares el Internet de 300 Mbps de Santiago pasó "
            "de USD 890 a USD 940. ¿A qué se debe?",
            invoice=usd[0],
        ),
    )
    _step(
        question,
        asked_on + timedelta(hours=20),
        lambda: services.billing_request_staff_message(
            request_obj=question,
            staff=staff,
            status=BillingRequest.Status.WAITING,
            body="El ajuste anual de precio de los accesos en Chile se informó por nota al área "
            "de Compras. ¿Nos confirma quién la recibió? Si no la tienen, se la reenviamos.",
        ),
    )


def _seed_data_change(acme: Customer) -> None:
    if BillingDataChange.objects.filter(customer=acme).exists():
        return
    admin = User.objects.filter(memberships__customer=acme, memberships__role="admin").first()
    if admin is None:
        return
    services.billing_data_change_create(
        customer=acme,
        user=admin,
        data={
            "company_name": "Acme Logística y Distribución S.A.",
            "tax_id": NEW_CUIT,
            "billing_address": (
                "Av. Corrientes 1234, piso 8, C1043AAZ Ciudad Autónoma de Buenos Aires"
            ),
            "comment": "Acme Logística absorbió a Distribuidora del Plata; desde la fusión "
            "facturamos con la razón social y el CUIT de la nueva sociedad.",
        },
    )


def _seed_po_request(acme: Customer) -> None:
    if PurchaseOrderRequest.objects.filter(customer=acme).exists():
        return
    if po_address(acme.country) is None:
        return
    admin = User.objects.filter(memberships__customer=acme, memberships__role="admin").first()
    if admin is None:
        return
    today = rules.customer_today(acme)
    next_period = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    support = pdf_document(
        [
            ("Acme Logística S.A.", 16, True),
            ("Orden de compra 4500123456", 13, True),
            ("", 11, False),
            ("Proveedor: " + settings.PROVIDER_NAME, 11, False),
            ("Objeto: servicios de conectividad IP VPN, Internet y telefonía SIP.", 11, False),
            (
                "Vigencia: 12 meses desde " + format_date(next_period, "LLLL y", locale="es") + ".",
                11,
                False,
            ),
            ("", 11, False),
            (
                "Condición de pago: las facturas deben indicar el número de esta orden de compra;",
                11,
                False,
            ),
            ("sin él no pueden ingresar al circuito de pagos.", 11, False),
        ],
        title="OC 4500123456",
    )
    services.po_request_create(
        customer=acme,
        user=admin,
        kind=PurchaseOrderRequest.Kind.PO,
        reference="4500123456",
        support=SimpleUploadedFile("OC-4500123456.pdf", support, content_type="application/pdf"),
        from_period=next_period,
        comment="Desde el próximo mes Compras exige el número de OC impreso en cada factura.",
    )


# --- One A4 page of Helvetica text, drawn with fpdf2 ---------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = 595, 842
# The core Helvetica only has Latin-1; Babel separates thousands with no-break spaces.
_PRINTABLE = str.maketrans({"\u00a0": " ", "\u202f": " ", "—": "-", "…": "..."})


def _printable(text: str) -> str:
    return text.translate(_PRINTABLE).encode("latin-1", errors="replace").decode("latin-1")


class _Page:
    """Coordinates in points from the bottom left, as the layouts below were measured."""

    def __init__(self, title: str):
        # fpdf2 is in the dev extra: only seed_demo draws PDFs, the production image lacks it.
        from fpdf import FPDF  # noqa: PLC0415

        self.pdf = FPDF(unit="pt", format="A4")
        self.pdf.pdf_version = "1.4"
        self.pdf.set_title(_printable(title))
        self.pdf.set_producer(settings.PROVIDER_NAME + " portal demo")
        self.pdf.set_auto_page_break(False)
        self.pdf.add_page()

    def width(self, text: str, *, size: float = 9, bold=False) -> float:
        self.pdf.set_font("Helvetica", "B" if bold else "", size)
        return self.pdf.get_string_width(_printable(text))

    def text(self, x: float, y: float, text: str, *, size: float = 9, bold=False, right=False):
        if right:
            x -= self.width(text, size=size, bold=bold)
        self.pdf.set_font("Helvetica", "B" if bold else "", size)
        self.pdf.text(x, PAGE_HEIGHT - y, _printable(text))

    def rule(self, x1: float, y: float, x2: float, *, width: float = 0.5):
        self.pdf.set_line_width(width)
        self.pdf.line(x1, PAGE_HEIGHT - y, x2, PAGE_HEIGHT - y)

    def band(self, x: float, y: float, w: float, h: float, gray: float = 0.92):
        self.pdf.set_fill_color(round(gray * 255))
        self.pdf.rect(x, PAGE_HEIGHT - y - h, w, h, style="F")

    def document(self) -> bytes:
        return bytes(self.pdf.output())


def pdf_document(paragraphs: list[tuple[str, float, bool]], *, title: str) -> bytes:
    """A page of left-aligned lines: (text, size, bold)."""
    page = _Page(title)
    y: float = PAGE_HEIGHT - 72
    for text, size, bold in paragraphs:
        if text:
            page.text(56, y, text, size=size, bold=bold)
        y -= size * 1.5
    return page.document()


class _Words(TypedDict):
    invoice: str
    customer: str
    tax_id: dict[str, str]  # country -> the tax id's name
    number: str
    period: str
    issued: str
    due: str
    currency: str
    line: str
    service: str
    description: str
    quantity: str
    amount: str
    subtotal: str
    total: str
    footer: str


_WORDS: dict[str, _Words] = {
    "es": {
        "invoice": "FACTURA",
        "customer": "Cliente",
        "tax_id": {"AR": "CUIT", "BR": "CNPJ"},
        "number": "Número",
        "period": "Período",
        "issued": "Fecha de emisión",
        "due": "Vencimiento",
        "currency": "Moneda",
        "line": "#",
        "service": "Servicio",
        "description": "Descripción",
        "quantity": "Cant.",
        "amount": "Importe",
        "subtotal": "Subtotal",
        "total": "Total",
        "footer": "Documento de demostración generado por el portal: sin validez fiscal.",
    },
    "pt-br": {
        "invoice": "FATURA",
        "customer": "Cliente",
        "tax_id": {"AR": "CUIT", "BR": "CNPJ"},
        "number": "Número",
        "period": "Período",
        "issued": "Data de emissão",
        "due": "Vencimento",
        "currency": "Moeda",
        "line": "#",
        "service": "Serviço",
        "description": "Descrição",
        "quantity": "Qtd.",
        "amount": "Valor",
        "subtotal": "Subtotal",
        "total": "Total",
        "footer": "Documento de demonstração gerado pelo portal: sem validade fiscal.",
    },
}


def invoice_pdf(invoice: Invoice, breakdown: list[tuple[str, Decimal]], *, language: str) -> bytes:
    """A one-page invoice: header, customer, number, period, lines and totals."""
    words = _WORDS[language]
    locale = "pt_BR" if language == "pt-br" else "es"
    customer = invoice.customer

    def amount(value: Decimal) -> str:
        return money(value, invoice.currency, language=language, country=customer.country)

    def day(value: date) -> str:
        return value.strftime("%d/%m/%Y")

    page = _Page(f"{words['invoice']} {invoice.number}")
    left, right = 48, PAGE_WIDTH - 48
    page.band(left - 8, 760, right - left + 16, 50)
    page.text(left, 782, settings.PROVIDER_NAME, size=20, bold=True)
    page.text(right, 790, words["invoice"], size=14, bold=True, right=True)
    page.text(right, 772, invoice.number, size=11, right=True)

    y = 730
    page.text(left, y, words["customer"], size=8)
    page.text(left, y - 14, customer.legal_name, size=11, bold=True)
    tax_label = words["tax_id"].get(customer.country, "Tax ID")
    page.text(left, y - 28, f"{tax_label} {customer.tax_id}", size=9)
    facts = [
        (words["number"], invoice.number),
        (words["period"], format_date(invoice.period, "LLLL y", locale=locale).capitalize()),
        (words["issued"], day(invoice.issued_on)),
        (words["due"], day(invoice.due_on)),
        (words["currency"], invoice.currency),
    ]
    for index, (label, value) in enumerate(facts):
        row_y = y - index * 13
        page.text(360, row_y, label, size=8)
        page.text(right, row_y, value, size=9, bold=index == 0, right=True)

    y = 640
    page.band(left - 8, y - 5, right - left + 16, 18)
    columns = {"line": left, "service": left + 20, "description": left + 130, "quantity": 440}
    page.text(columns["line"], y, words["line"], size=8, bold=True)
    page.text(columns["service"], y, words["service"], size=8, bold=True)
    page.text(columns["description"], y, words["description"], size=8, bold=True)
    page.text(columns["quantity"], y, words["quantity"], size=8, bold=True, right=True)
    page.text(right, y, words["amount"], size=8, bold=True, right=True)
    y -= 20
    for line in invoice.lines.all():
        description = line.description
        while page.width(description, size=8) > columns["quantity"] - columns["description"] - 30:
            description = description[:-2] + "…"
        page.text(columns["line"], y, str(line.position), size=8)
        page.text(columns["service"], y, line.service.service_id if line.service else "—", size=8)
        page.text(columns["description"], y, description, size=8)
        page.text(columns["quantity"], y, f"{line.quantity.normalize():f}", size=8, right=True)
        page.text(right, y, amount(line.amount), size=8, right=True)
        y -= 15
    page.rule(left, y + 5, right)
    y -= 12
    for label, figure in [(words["subtotal"], invoice.subtotal), *breakdown]:
        page.text(330, y, label, size=9)
        page.text(right, y, amount(figure), size=9, right=True)
        y -= 14
    page.rule(330, y + 8, right, width=1)
    y -= 6
    page.text(330, y, words["total"], size=12, bold=True)
    page.text(right, y, amount(invoice.total), size=12, bold=True, right=True)
    page.text(left, 48, words["footer"], size=7)
    return page.document()
