"""The directory's seed data is the handbook's contact tables, row by row (R-CON-1, R-CON-2,
R-BIL-3, R-BIL-5). "A wrong digit in a support number is a real outage for a customer": the
expected tables below were written by reading handbook-latam-es.txt lines 55-138 by hand."""

import importlib
import re
from collections import Counter
from pathlib import Path

import pytest
from django.apps import apps

from contacts.models import (
    BillingLine,
    Office,
    PoAddress,
    PortalAssignment,
    SupportLine,
    SupportNumber,
)

# A copy of ../shared/handbook kept in the repository, so CI reads the same text.
HANDBOOK = Path(__file__).resolve().parents[2] / "docs" / "handbook" / "handbook-latam-es.txt"
REGION = ["CR", "PA", "US"]
ALL = "all"
MANAGED_VIDEO = ["managed_voice", "managed_video", "video_collaboration"]

# (countries, service lines or ALL, [(kind, printed, e164, tel href, menu option)])
EXPECTED_TSC = [
    (
        ["AR"],
        ALL,
        [
            ("toll_free", "0800 800 5383", "+548008005383", "tel:08008005383", None),
            ("local", "+54 11 5170 5383", "+541151705383", "tel:+541151705383", None),
        ],
    ),
    (
        ["BR"],
        ALL,
        [
            ("toll_free", "0800 887 3333", "+558008873333", "tel:08008873333", None),
            ("local", "+55 11 3957 2288", "+551139572288", "tel:+551139572288", None),
        ],
    ),
    (
        ["CL"],
        ALL,
        [
            ("toll_free", "800 360 303", "+56800360303", "tel:800360303", None),
            ("local", "+56 22 422 5803", "+56224225803", "tel:+56224225803", None),
        ],
    ),
    (
        ["CO"],
        ALL,
        [
            ("toll_free", "01 8000 117997", "+5718000117997", "tel:018000117997", None),
            ("local", "+57 60 1 611 9013", "+576016119013", "tel:+576016119013", None),
        ],
    ),
    (
        ["EC"],
        ALL,
        [
            ("toll_free", "1800 400 408", "+5931800400408", "tel:1800400408", None),
            ("local", "+593 2 400 5080", "+59324005080", "tel:+59324005080", None),
        ],
    ),
    # Mexico dropped the 01 prefix in 2019: the link dials 800 999 1422.
    (
        ["MX"],
        ALL,
        [
            ("toll_free", "01 800 999 1422", "+528009991422", "tel:8009991422", None),
            ("local", "+52 55 2581 6333", "+525525816333", "tel:+525525816333", None),
        ],
    ),
    (
        ["PE"],
        ALL,
        [
            ("toll_free", "0800 7 0662", "+5180070662", "tel:080070662", None),
            ("local", "+51 1 705 5777", "+5117055777", "tel:+5117055777", None),
        ],
    ),
    # The +1 toll-free is printed internationally: its link is the E.164.
    (
        REGION,
        ["data", "voice", "cdn"],
        [
            ("toll_free", "+1 800 467 7288", "+18004677288", "tel:+18004677288", None),
            ("local", "+1 305 808 6010", "+13058086010", "tel:+13058086010", None),
        ],
    ),
    (
        REGION,
        ["network_management", *MANAGED_VIDEO],  # merged cells: the numbers above
        [
            ("toll_free", "+1 800 467 7288", "+18004677288", "tel:+18004677288", None),
            ("local", "+1 305 808 6010", "+13058086010", "tel:+13058086010", None),
        ],
    ),
    (REGION, ["vyvx"], [("local", "+55 11 3957 2288", "+551139572288", "tel:+551139572288", 4)]),
    (
        ["VE"],
        ["data", "voice", "cdn"],
        [
            ("toll_free", "0800 285 8300", "+588002858300", "tel:08002858300", None),
            ("local", "+58 212 204 9378", "+582122049378", "tel:+582122049378", None),
            ("local", "+58 212 600 9800", "+582126009800", "tel:+582126009800", None),
            ("local", "+58 212 204 9351", "+582122049351", "tel:+582122049351", None),
            ("local", "+58 212 204 9364", "+582122049364", "tel:+582122049364", None),
        ],
    ),
    # "+212 204 9306": country code missing; Caracas, not Morocco.
    (
        ["VE"],
        MANAGED_VIDEO,
        [("local", "+212 204 9306", "+582122049306", "tel:+582122049306", None)],
    ),
    (
        ["VE"],
        ["vyvx"],
        [
            ("toll_free", "0800 134 1064", "+588001341064", "tel:08001341064", None),
            ("local", "+55 11 3957 2288", "+551139572288", "tel:+551139572288", None),
        ],
    ),
]

# (countries, toll-free printed, toll-free e164, local printed, local e164)
EXPECTED_BILLING = [
    (["AR"], "0800 800 5853", "+548008005853", "+54 11 5170 5383", "+541151705383"),  # not 5383!
    (["BR"], "0800 887 3333", "+558008873333", "+55 11 3957 2288", "+551139572288"),
    (["CL"], "800 360 303", "+56800360303", "+56 22 422 5803", "+56224225803"),
    (["CO"], "01 800 011 7997", "+5718000117997", "+57 60 1 611 9013", "+576016119013"),
    (REGION, "+1 800 467 7288", "+18004677288", "+1 305 808 6010", "+13058086010"),
    (["EC"], "1 800 400 408", "+5931800400408", "+593 2 400 5080", "+59324005080"),
    (["MX"], "01 800 999 1422", "+528009991422", "+52 55 2581 6333", "+525525816333"),
    (["PE"], "0800 7 0662", "+5180070662", "+51 1 705 5777", "+5117055777"),
    (["VE"], "0800 285 8300", "+588002858300", "+58 212 204 9378", "+582122049378"),
]

EXPECTED_PORTALS = {
    "customer_portal": ["AR", "BR", "CL", "CO", "EC", "PE", "VE"],
    "control_center": ["CR", "MX", "PA", "US"],
}

EXPECTED_PO = {
    "Pre-Requisitos_LATAM@lumen.com": ["AR", "CL", "CO", "CR", "EC", "MX", "PA", "PE", "US"],
    "BRA-billing@lumen.com": ["BR"],
    "Ven-grp-facturacion@lumen.com": ["VE"],
}

# (country, site, code printed, number printed, e164)
EXPECTED_OFFICES = [
    ("AR", "", "+54 11", "5170 0000", "+541151700000"),
    ("BR", "Cotia", "+55 11", "3957 2200", "+551139572200"),
    ("BR", "Morumbi", "+55 11", "3957 1900", "+551139571900"),
    ("CL", "", "+56 2", "2422 5900", "+56224225900"),
    ("CO", "", "+57 1", "611 9000", "+576016119000"),  # pre-2021 plan; Bogotá is now 601
    ("EC", "", "+593 2", "400 4040", "+59324004040"),
    ("US", "", "+1 305", "808 5934", "+13058085934"),
    ("MX", "", "+52 55", "25816270", "+525525816270"),
    ("PA", "", "+50 7", "314 0324", "+5073140324"),  # +507
    ("PE", "", "+51 1", "705 5700", "+5117055700"),
    ("VE", "", "+58 212", "204 9275", "+582122049275"),
]


def _tsc_rows():
    rows = []
    for line in SupportLine.objects.prefetch_related("numbers"):
        lines = ALL if line.serves_all_lines else line.service_lines
        numbers = [
            (n.kind, n.printed, n.e164, n.phone.href, n.menu_option) for n in line.numbers.all()
        ]
        rows.append((line.countries, lines, numbers))
    return rows


@pytest.mark.django_db
def test_every_tsc_row_of_the_handbook_is_seeded_with_the_right_numbers():
    assert _tsc_rows() == EXPECTED_TSC


@pytest.mark.django_db
def test_every_billing_row_is_seeded_and_argentinas_billing_toll_free_differs_from_the_tsc():
    rows = [
        (b.countries, b.toll_free_printed, b.toll_free_e164, b.local_printed, b.local_e164)
        for b in BillingLine.objects.all()
    ]
    assert rows == EXPECTED_BILLING
    argentina_tsc = SupportNumber.objects.get(line__position=10, kind="toll_free")
    assert argentina_tsc.e164 == "+548008005383"
    assert BillingLine.objects.get(region_printed="Argentina").toll_free.href == "tel:08008005853"


@pytest.mark.django_db
def test_portals_and_po_hes_migo_addresses_per_country_are_seeded():
    assert {p.portal: p.countries for p in PortalAssignment.objects.all()} == EXPECTED_PORTALS
    assert {p.email: p.countries for p in PoAddress.objects.all()} == EXPECTED_PO


@pytest.mark.django_db
def test_every_office_is_seeded_with_brazils_two_offices():
    rows = [
        (o.country, o.site, o.code_printed, o.number_printed, o.e164) for o in Office.objects.all()
    ]
    assert rows == EXPECTED_OFFICES


@pytest.mark.django_db
def test_every_seeded_number_is_a_valid_e164_number():
    import phonenumbers

    e164s = [n.e164 for n in SupportNumber.objects.all()] + [o.e164 for o in Office.objects.all()]
    for billing in BillingLine.objects.all():
        e164s += [billing.toll_free_e164, billing.local_e164]
    for e164 in e164s:
        number = phonenumbers.parse(e164)
        assert phonenumbers.is_valid_number(number), e164
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == e164


# --- the handbook file itself: a row missing from the seed fails here ---------------------

_NUMBER = re.compile(r"\+?\d[\d ]*\d")
_NUMBER_CELL = re.compile(r"\+?[\d ][\d +]*")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def _section(lines, start: str, end: str | None) -> list[str]:
    first = next(i for i, line in enumerate(lines) if line.startswith(start))
    last = (
        len(lines)
        if end is None
        else next(i for i, line in enumerate(lines) if i > first and line.startswith(end))
    )
    return lines[first:last]


def _printed_numbers(lines) -> Counter:
    found: Counter[str] = Counter()
    for line in lines:
        for cell in line.split("|"):
            body = re.sub(r",\s*opción \d+$", "", cell.strip())
            digits = sum(c.isdigit() for c in body)
            # Whole number cells only; an office's dialling code ("+56 2") has few digits.
            if _NUMBER_CELL.fullmatch(body) and (digits >= 4 or body.startswith("+")):
                found.update(number.strip() for number in _NUMBER.findall(body))
    return found


@pytest.fixture
def handbook_lines():
    return HANDBOOK.read_text(encoding="utf-8").splitlines()


@pytest.mark.django_db
def test_every_number_printed_in_the_handbooks_tsc_tables_is_in_the_directory(handbook_lines):
    printed = _printed_numbers(
        _section(handbook_lines, "Pais | Toll-free | Local | Descripción", "El equipo de Billing")
    )
    assert sum(printed.values()) >= 25  # the parser did find the tables
    stored = Counter(SupportNumber.objects.values_list("printed", flat=True))
    assert printed - stored == Counter()


@pytest.mark.django_db
def test_every_number_printed_in_the_handbooks_billing_table_is_in_the_directory(handbook_lines):
    billing = _section(handbook_lines, "En caso de no poder acceder al Portal", "Desde el Portal")
    printed = _printed_numbers(billing)
    assert sum(printed.values()) == 18
    stored = Counter()
    for row in BillingLine.objects.all():
        stored.update([row.toll_free_printed, row.local_printed])
    assert printed == stored


@pytest.mark.django_db
def test_every_office_number_and_po_address_in_the_handbook_is_in_the_directory(handbook_lines):
    offices = _printed_numbers(_section(handbook_lines, "Pais | Código directo", None))
    assert sum(offices.values()) == 22
    stored = Counter()
    for office in Office.objects.all():
        stored.update([office.code_printed, office.number_printed])
    assert offices == stored
    emails = {
        email
        for line in _section(handbook_lines, "En caso de solicitar", "Las modificaciones")
        for email in _EMAIL.findall(line)
    }
    assert emails == set(PoAddress.objects.values_list("email", flat=True))


@pytest.mark.django_db
def test_the_seed_migration_is_reversible():
    seed = importlib.import_module("contacts.migrations.0002_seed_handbook")
    seed.unload(apps, None)
    assert not SupportLine.objects.exists()
    assert not Office.objects.exists()
    seed.load(apps, None)
    assert _tsc_rows() == EXPECTED_TSC
    assert BillingLine.objects.count() == len(EXPECTED_BILLING)
