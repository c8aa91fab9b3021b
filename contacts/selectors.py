"""Reads of the contact directory. The directory is public (R-TT-4) and small: each reader loads
the rows it needs in one or two queries and filters countries in Python."""

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from contacts.models import (
    MANAGED_LINES,
    BillingLine,
    CountryCode,
    Office,
    PoAddress,
    PortalAssignment,
    ServiceLine,
    SupportLine,
    SupportNumber,
)
from core.lib import phones
from core.models import ProductLine


class Need:
    """The directory filter "what do you need?"."""

    FAULT = "fault"
    BILLING = "billing"
    MANAGED = "managed"
    CHOICES = [
        (FAULT, _("Report a fault")),
        (BILLING, _("Billing")),
        (MANAGED, _("Managed services")),
    ]


@dataclass(frozen=True)
class TscNumber:
    phone: phones.Phone
    printed: str
    menu_option: int | None

    @property
    def display(self) -> str:
        return self.phone.display

    @property
    def href(self) -> str:
        return self.phone.href


@dataclass(frozen=True)
class TscCard:
    """Which TSC number a customer calls for a service (R-TEAM-8, R-TT-1, R-TT-4)."""

    country: str
    country_label: str | Promise
    service_line: str
    service_line_label: str | Promise
    toll_free: list[TscNumber] = field(default_factory=list)
    local: list[TscNumber] = field(default_factory=list)
    # "" when the country has a line for this service; "country" when the country's general TSC
    # line answers instead; "regional" when the +1 regional centre (CR/US/PA) does.
    fallback: str = ""

    @property
    def is_fallback(self) -> bool:
        return bool(self.fallback)

    @property
    def is_regional(self) -> bool:
        return self.fallback == "regional"

    @property
    def numbers(self) -> list[TscNumber]:
        return [*self.toll_free, *self.local]


_PRODUCT_TO_LINE: dict[str, ServiceLine] = {
    ProductLine.INTERNET: ServiceLine.DATA,
    ProductLine.IP_VPN: ServiceLine.DATA,
    ProductLine.SD_WAN: ServiceLine.DATA,
    ProductLine.CLOUD_CONNECT: ServiceLine.DATA,
    ProductLine.COLOCATION: ServiceLine.DATA,
    ProductLine.VOICE: ServiceLine.VOICE,
    ProductLine.CONTACT_CENTRE: ServiceLine.VOICE,
    ProductLine.CDN: ServiceLine.CDN,
    ProductLine.UCC: ServiceLine.VIDEO_COLLABORATION,
    ProductLine.MANAGED: ServiceLine.NETWORK_MANAGEMENT,
    ProductLine.VYVX: ServiceLine.VYVX,
}
_MANAGED_VARIANT = {
    ServiceLine.DATA: ServiceLine.NETWORK_MANAGEMENT,
    ServiceLine.VOICE: ServiceLine.MANAGED_VOICE,
}


def service_line_for(product_line: str, *, managed: bool) -> str:
    """internet/ip_vpn/sd_wan/cloud_connect/colocation -> data (network_management if managed);
    voice/contact_centre -> voice (managed_voice if managed); cdn; ucc -> video_collaboration;
    managed -> network_management; vyvx. Unknown product lines are treated as data."""
    line = _PRODUCT_TO_LINE.get(product_line, ServiceLine.DATA)
    return _MANAGED_VARIANT.get(line, line) if managed else line


def support_lines() -> list[SupportLine]:
    return list(SupportLine.objects.prefetch_related("numbers"))


def _line_for(
    lines: list[SupportLine], country: str, service_line: str
) -> tuple[SupportLine | None, str]:
    own = [line for line in lines if country in line.countries]
    exact = next((line for line in own if line.serves(service_line)), None)
    if exact is not None:
        return exact, ""
    general = _main_line(own)
    if general is not None:
        return general, "country"
    regional = [line for line in lines if line.is_regional]
    exact = next((line for line in regional if line.serves(service_line)), None)
    return (exact or _main_line(regional)), "regional"


def _main_line(lines: list[SupportLine]) -> SupportLine | None:
    """The general line among `lines`: the one for every service, else the data line, else the
    first."""
    return (
        next((line for line in lines if line.serves_all_lines), None)
        or next((line for line in lines if line.serves(ServiceLine.DATA)), None)
        or next(iter(lines), None)
    )


def _card_lines() -> list[SupportLine]:
    """The lines a card may name, in the directory's order, each with its numbers (`card_numbers`),
    in one query: a card is its line's numbers, so a line without any (a row still being set up)
    is never a card's."""
    lines: dict[int, SupportLine] = {}
    for number in SupportNumber.objects.select_related("line").order_by(
        "line__position", "line_id", "position", "pk"
    ):
        line = lines.setdefault(number.line_id, number.line)
        if not hasattr(line, "card_numbers"):
            line.card_numbers = []  # type: ignore[attr-defined]  # for _card
        line.card_numbers.append(number)  # type: ignore[attr-defined]
    return list(lines.values())


def _numbers(line: SupportLine, kind: str) -> list[TscNumber]:
    return [
        TscNumber(phone=number.phone, printed=number.printed, menu_option=number.menu_option)
        for number in line.card_numbers  # type: ignore[attr-defined]  # from _card_lines
        if number.kind == kind
    ]


def _card(
    line: SupportLine | None, *, country: str, service_line: str, fallback: str
) -> TscCard | None:
    if line is None:
        return None
    return TscCard(
        country=country,
        country_label=dict(CountryCode.choices).get(country, country),
        service_line=service_line,
        service_line_label=ServiceLine(service_line).label,
        toll_free=_numbers(line, SupportNumber.Kind.TOLL_FREE),
        local=_numbers(line, SupportNumber.Kind.LOCAL),
        fallback=fallback,
    )


def tsc_card(*, country: str, product_line: str, managed: bool) -> TscCard | None:
    """Which TSC number does this customer call for this service? `country` is the service's
    country (callers fall back to the customer's). None only when the directory is empty."""
    service_line = service_line_for(product_line, managed=managed)
    line, fallback = _line_for(_card_lines(), country or "", service_line)
    return _card(line, country=country, service_line=service_line, fallback=fallback)


def tsc_card_for_service(service) -> TscCard | None:
    """The card of one portal.models.Service: its country, else its customer's."""
    return tsc_card(
        country=service.country or service.customer.country,
        product_line=service.product_line,
        managed=service.managed,
    )


def tsc_card_for_country(country: str) -> TscCard | None:
    """The country's main TSC line (the dashboard's card); the regional centre when it has none."""
    lines = _card_lines()
    own = _main_line([line for line in lines if country in line.countries])
    if own is not None:
        service_line = ServiceLine.DATA if own.serves(ServiceLine.DATA) else own.lines[0]
        return _card(own, country=country, service_line=service_line, fallback="")
    regional = _main_line([line for line in lines if line.is_regional])
    return _card(regional, country=country, service_line=ServiceLine.DATA, fallback="regional")


def billing_contact(country: str) -> BillingLine | None:
    """The billing phone numbers of a country (R-BIL-5)."""
    return next((row for row in BillingLine.objects.all() if country in row.countries), None)


def po_address(country: str) -> PoAddress | None:
    """Where the country's customers ask for PO/HES/MIGO numbers on invoices (R-BIL-3)."""
    return next((row for row in PoAddress.objects.all() if country in row.countries), None)


def portal_for_country(country: str) -> PortalAssignment | None:
    return next((row for row in PortalAssignment.objects.all() if country in row.countries), None)


# --- the public directory page -------------------------------------------------------------


@dataclass
class CountrySection:
    code: str
    label: str | Promise
    tsc: list[SupportLine] = field(default_factory=list)
    billing: BillingLine | None = None
    portal: PortalAssignment | None = None
    po_address: PoAddress | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.tsc or self.billing or self.portal or self.po_address)


def _wanted_line(line: SupportLine, need: str) -> bool:
    if need == Need.MANAGED:
        return any(line.serves(code) for code in MANAGED_LINES)
    return True


def directory(*, country: str = "", need: str = "") -> dict:
    """The directory grouped by country, filtered by country and need (both optional)."""
    codes = [country] if country else list(CountryCode.values)
    show_tsc = need in ("", Need.FAULT, Need.MANAGED)
    show_billing = need in ("", Need.BILLING)
    lines = support_lines() if show_tsc else []
    billing = list(BillingLine.objects.all()) if show_billing else []
    portals = list(PortalAssignment.objects.all()) if show_billing else []
    po_addresses = list(PoAddress.objects.all()) if show_billing else []
    labels = dict(CountryCode.choices)
    sections = []
    for code in codes:
        section = CountrySection(code=code, label=labels[code])
        section.tsc = [ln for ln in lines if code in ln.countries and _wanted_line(ln, need)]
        section.billing = next((row for row in billing if code in row.countries), None)
        section.portal = next((row for row in portals if code in row.countries), None)
        section.po_address = next((row for row in po_addresses if code in row.countries), None)
        if not section.is_empty:
            sections.append(section)
    # The offices table belongs to the whole directory, not to a need.
    offices = [] if need else [o for o in Office.objects.all() if o.country in codes]
    return {
        "sections": sections,
        "offices": offices,
        "show_tsc": show_tsc,
        "show_billing": show_billing,
    }
