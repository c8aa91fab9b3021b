"""The batch import of invoices from CSV or JSON (R-TEAM-5): the whole batch is checked first;
one bad row rejects it with a report of every problem; a good batch is loaded with its
summary and source "import:<file name>"; no bad file ever gives a 500."""

import datetime
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from billing import importing, services
from billing.importing import invoices_import
from billing.models import Invoice, InvoiceLine
from tests.conftest import staff_login, staff_member
from tests.factories import PDF_BYTES, CustomerFactory, ServiceFactory

pytestmark = pytest.mark.django_db

URL = reverse("admin:billing_invoice_import")
HEADER = (
    "customer_tax_id,invoice_number,period,issued_on,due_on,currency,tax,status,paid_on,"
    "service_id,description,quantity,amount,total"
)


@pytest.fixture
def acme(db):
    return CustomerFactory(display_name="Acme Logística", tax_id="30-71234567-1")


@pytest.fixture
def globex(db):
    return CustomerFactory(
        display_name="Globex Telecom",
        tax_id="11.222.333/0001-81",
        country="BR",
        timezone="America/Sao_Paulo",
    )


@pytest.fixture
def vpn(acme):
    return ServiceFactory(customer=acme, service_id="AR-BUE-IPVPN-10231")


@pytest.fixture
def ethernet(globex):
    return ServiceFactory(customer=globex, service_id="BR-SPO-ETH-50210", country="BR")


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


GOOD_CSV_ROWS = [
    "30-71234567-1,A-0003-1,2026-11,2026-11-03,2026-11-23,ARS,399.00,,,AR-BUE-IPVPN-10231,"
    "IP VPN 200 Mbps,1,1500.00,2299.00",
    "30-71234567-1,A-0003-1,2026-11,2026-11-03,2026-11-23,ARS,399.00,,,,Installation fee,2,400.00,"
    "2299.00",
    '30712345671,A-0004-7,2026-10,2026-10-03,2026-10-23,USD,0,paid,2026-10-20,,"Cloud, backup",'
    "0.5,99.99,",
    "11222333000181,NF-1,2026-11,2026-11-05,2026-12-05,brl,216.50,,,BR-SPO-ETH-50210,"
    "Ethernet 10 Gbps,,1000.00,",
]


def _upload(client, content: bytes, name: str = "batch.csv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, content)})


def _problems(report) -> list[tuple[str, str, str]]:
    return [(p.where, p.field, p.message) for p in report.errors]


# --- A good batch ------------------------------------------------------------------------------


def test_a_good_csv_batch_is_loaded_with_its_summary(billing_client, acme, globex, vpn, ethernet):
    content = b"\xef\xbb\xbf" + _csv(*GOOD_CSV_ROWS)  # Excel's BOM

    response = _upload(billing_client, content, "nov-2026.csv")

    page = response.content.decode()
    assert response.status_code == 200, page
    assert "3 invoices with 4 lines" in page
    assert "import:nov-2026.csv" in page
    assert "Acme Logística (AR)</td><td>2" in page
    assert "Globex Telecom (BR)</td><td>1" in page
    assert Invoice.objects.count() == 3
    assert set(Invoice.objects.values_list("source", flat=True)) == {"import:nov-2026.csv"}
    ars = Invoice.objects.get(number="A-0003-1")
    assert (ars.customer, ars.period, ars.currency) == (acme, datetime.date(2026, 11, 1), "ARS")
    assert (ars.subtotal, ars.tax, ars.total, ars.status) == (
        Decimal("1900.00"),
        Decimal("399.00"),
        Decimal("2299.00"),
        "issued",
    )
    assert [
        (line.position, line.service, line.quantity, line.amount) for line in ars.lines.all()
    ] == [
        (1, vpn, Decimal("1"), Decimal("1500.00")),
        (2, None, Decimal("2"), Decimal("400.00")),
    ]
    usd = Invoice.objects.get(number="A-0004-7")
    assert (usd.customer, usd.status, usd.paid_on) == (acme, "paid", datetime.date(2026, 10, 20))
    assert usd.lines.get().description == "Cloud, backup"
    brl = Invoice.objects.get(number="NF-1")
    assert (brl.customer, brl.currency, brl.total) == (globex, "BRL", Decimal("1216.50"))
    # The same totals as the service computes.
    for invoice in Invoice.objects.all():
        before = (invoice.subtotal, invoice.total)
        assert (services.invoice_totals_recompute(invoice).subtotal, invoice.total) == before


def test_a_semicolon_separated_csv_from_a_spanish_excel_is_read(acme):
    content = _csv(
        "30-71234567-1;A-1;2026-11;2026-11-03;2026-11-23;ARS;21;;;;Abono;1;100.00;121.00",
        header=HEADER.replace(",", ";"),
    )

    report = invoices_import(content=content, filename="abono.csv")

    assert report.ok, _problems(report)
    assert Invoice.objects.get().total == Decimal("121.00")


def test_a_good_json_batch_is_loaded(billing_client, acme, globex, vpn):
    batch = [
        {
            "customer_tax_id": "30.71234567.1",
            "number": "A-0004-00000871",
            "period": "2026-11",
            "issued_on": "2026-11-03",
            "due_on": "2026-11-23",
            "currency": "USD",
            "tax": 609,
            "total": "3509.00",
            "lines": [
                {"service_id": "AR-BUE-IPVPN-10231", "description": "IP VPN", "amount": 2000.00},
                {"description": "Installation fee", "quantity": 1, "amount": "900.00"},
            ],
        },
        {
            "customer_tax_id": "11.222.333/0001-81",
            "number": "NF-2",
            "period": "2026-10",
            "issued_on": "2026-10-05",
            "due_on": "2026-10-25",
            "currency": "BRL",
            "tax": "0.10",
            "lines": [{"description": "CDN", "amount": 0.2}],
        },
    ]

    response = _upload(billing_client, json.dumps(batch).encode(), "batch.json")

    assert response.status_code == 200, response.content.decode()
    assert "2 invoices with 3 lines" in response.content.decode()
    usd = Invoice.objects.get(number="A-0004-00000871")
    assert (usd.customer, usd.total, usd.source) == (acme, Decimal("3509.00"), "import:batch.json")
    assert usd.lines.first().service == vpn
    assert Invoice.objects.get(number="NF-2").total == Decimal("0.30")  # no float rounding


# --- A bad batch: nothing written, every problem reported --------------------------------------


def test_one_bad_row_rejects_the_whole_batch_and_every_problem_is_listed(
    billing_client, acme, globex, vpn, ethernet
):
    rows = [
        *GOOD_CSV_ROWS,
        "30-71234567-1,A-0003-9,2026-13,2026-11-03,2026-11-01,XYZ,1.234,,,BR-SPO-ETH-50210,"
        'Fee,1,"1.234,56",',
    ]

    response = _upload(billing_client, _csv(*rows))

    page = response.content.decode()
    assert response.status_code == 400
    assert not Invoice.objects.exists()
    assert not InvoiceLine.objects.exists()
    assert "Nothing was imported: 6 problems were found." in page
    for where, field, message in [
        ("6", "period", "is not a valid date: write it as YYYY-MM"),
        ("6", "due_on", "The due date cannot be before the issue date."),
        ("6", "currency", "Unknown currency “XYZ”"),
        ("6", "tax", "At most 2 decimals. Thousands separators are not allowed"),
        ("6", "service_id", "Service BR-SPO-ETH-50210 is not a service of Acme Logística."),
        ("6", "amount", "write numbers with a decimal point and no thousands separators"),
    ]:
        assert f"<tr><td>{where}</td><td>{field}</td><td>" in page
        assert message in page


def _errors(content: bytes, filename: str = "batch.csv"):
    report = invoices_import(content=content, filename=filename)
    assert not report.ok
    assert not Invoice.objects.exists()
    return _problems(report)


ROW = "30-71234567-1,{number},2026-11,2026-11-03,2026-11-23,ARS,0,,,,Fee,1,{amount},{total}"


def _row(number="A-1", amount="10.00", total=""):
    return ROW.format(number=number, amount=amount, total=total)


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (_row(number="A 1"), "invoice_number", "Use only letters, digits, '-', '_' and '.'"),
        (_row(number="../etc"), "invoice_number", "starting with a letter or a digit"),
        (_row(amount="10.001"), "amount", "At most 2 decimals."),
        (_row(amount="diez"), "amount", "“diez” is not a number"),
        (_row(amount=""), "amount", "This is required."),
        (_row(amount="1000000000000"), "amount", "This number is too large."),
        (_row(total="10.01"), "total", "is not the sum of the lines plus the taxes"),
        (_row().replace("2026-11-03", "2026-02-30"), "issued_on", "is not a valid date"),
        (_row().replace(",,,,Fee", ",pagada,,,Fee"), "status", "Unknown status “pagada”"),
        (_row().replace(",,,,Fee", ",paid,,,Fee"), "paid_on", "Enter the payment date"),
        (_row().replace(",,,,Fee", ",,2026-11-20,,Fee"), "paid_on", "Only a paid invoice"),
        (_row().replace(",Fee,1,", ",Fee,0,"), "quantity", "more than zero"),
        (_row().replace(",Fee,", ",,"), "description", "This is required."),
        (_row().replace("30-71234567-1", "20-26756539-3"), "customer_tax_id", "No customer"),
        (_row().replace(",,,,Fee", ",,,AR-NOPE-1,Fee"), "service_id", "No service has the id"),
        (_row() + ",extra", "", "This row has 15 cells and the header 14"),
    ],
)
def test_each_check_names_the_line_and_the_field(acme, row, field, message):
    problems = _errors(_csv(row))

    assert [(where, name) for where, name, _m in problems] == [("2", field)]
    assert message in problems[0][2]


def test_the_rows_of_one_invoice_must_agree_and_stay_together(acme):
    problems = _errors(
        _csv(
            _row(number="A-1"),
            _row(number="A-1").replace("ARS", "USD"),
            _row(number="A-2"),
            _row(number="A-1"),
        )
    )

    assert [(where, field) for where, field, _m in problems] == [
        ("3", "currency"),
        ("5", "invoice_number"),
    ]
    assert "differs from line 2" in problems[0][2]
    assert "already appeared from line 2" in problems[1][2]


def test_a_number_already_loaded_or_repeated_in_the_batch_is_refused(acme, portal_admin_user):
    Invoice.objects.create(
        customer=acme,
        number="A-OLD",
        period=datetime.date(2026, 10, 1),
        issued_on=datetime.date(2026, 10, 1),
        due_on=datetime.date(2026, 10, 20),
        currency="ARS",
    )
    item = {
        "customer_tax_id": "30-71234567-1",
        "period": "2026-11",
        "issued_on": "2026-11-03",
        "due_on": "2026-11-23",
        "currency": "ARS",
        "tax": "0",
        "lines": [{"description": "Fee", "amount": "1.00"}],
    }
    batch = [{**item, "number": "A-OLD"}, {**item, "number": "A-NEW"}, {**item, "number": "A-NEW"}]

    report = invoices_import(content=json.dumps(batch).encode(), filename="batch.json")

    assert _problems(report) == [
        ("$[0].number", "number", "Acme Logística already has invoice A-OLD loaded."),
        (
            "$[2].number",
            "number",
            "Invoice A-NEW of Acme Logística is repeated in this file (also at $[1].number).",
        ),
    ]
    assert Invoice.objects.count() == 1


def test_a_tax_id_is_compared_without_separators_and_an_ambiguous_one_is_refused(acme):
    CustomerFactory(display_name="Acme Chile", tax_id="30712345671", country="CL")

    problems = _errors(_csv(_row()))

    assert problems[0][:2] == ("2", "customer_tax_id")
    assert "belongs to several customers (Acme Logística (AR), Acme Chile (CL))" in problems[0][2]


def test_json_problems_are_located_by_path(acme, vpn):
    batch = [
        {
            "customer_tax_id": "30-71234567-1",
            "number": "A-1",
            "period": "2026-11",
            "issued_on": "2026-11-03",
            "due_on": "2026-11-23",
            "currency": "ARS",
            "tax": True,
            "colour": "blue",
            "lines": [
                {"description": "Fee", "amount": "1.00"},
                {"description": 5, "amount": 1.005, "service": "x"},
            ],
        },
        {"customer_tax_id": "30-71234567-1", "number": "A-2", "lines": []},
        "not an invoice",
    ]

    problems = _errors(json.dumps(batch).encode(), "batch.json")

    assert [(where, field) for where, field, _m in problems] == [
        ("$[0]", "colour"),
        ("$[0].tax", "tax"),
        ("$[0].lines[1]", "service"),
        ("$[0].lines[1]", "description"),
        ("$[0].lines[1]", "amount"),
        ("$[1].lines", "lines"),
        ("$[1].period", "period"),
        ("$[1].issued_on", "issued_on"),
        ("$[1].due_on", "due_on"),
        ("$[1].currency", "currency"),
        ("$[1].tax", "tax"),
        ("$[2]", ""),
    ]


def test_a_header_with_missing_or_unknown_columns_is_refused(acme):
    problems = _errors(b"customer_tax_id,invoice_number,amout\n30-71234567-1,A-1,1\n")

    assert ("1", "amout") in [(where, field) for where, field, _m in problems]
    missing = {field for where, field, m in problems if "missing" in m}
    assert missing == {"period", "issued_on", "due_on", "currency", "tax", "description", "amount"}


# --- Files that are not a batch at all: a report, never a 500 ------------------------------------


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "batch.csv", "The file is empty."),
        (b"   \n\n", "batch.csv", "The file is empty."),
        (HEADER.encode() + b"\n", "batch.csv", "a header but no rows"),
        (bytes(range(256)) * 4, "batch.csv", "not a CSV or JSON file"),
        (PDF_BYTES, "batch.csv", "This is a PDF document, not a CSV or JSON file."),
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "batch.csv", "not a CSV or JSON file"),
        (_xlsx(), "batch.xlsx", "save it as “CSV UTF-8”"),
        (
            _csv(_row().replace("Fee", "Abono telefonía")).decode().encode("latin-1"),
            "b.csv",
            "not UTF-8",
        ),
        (b'[{"customer_tax_id": "1",', "batch.json", "This is not valid JSON"),
        (b'{"invoices": []}', "batch.json", "must hold a list of invoices"),
        (b"[]", "batch.json", "The list of invoices is empty."),
        (b"[NaN]", "batch.json", "This is not valid JSON"),
        (b"[" * 100_000, "batch.json", "This is not valid JSON"),
        (b"hello world\n", "notes.docx", "neither a CSV nor a JSON file"),
    ],
)
def test_a_file_that_is_no_batch_gets_a_clear_report_never_a_500(
    billing_client, acme, content, name, message
):
    response = _upload(billing_client, content, name)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Invoice.objects.exists()


def test_a_file_above_the_limit_is_refused_unread(billing_client, monkeypatch):
    monkeypatch.setattr("billing.importing.MAX_BYTES", 100)

    response = _upload(billing_client, b"x" * 101)

    assert response.status_code == 400
    assert "The file is larger than" in response.content.decode()


def test_the_page_documents_the_format_with_examples(billing_client):
    page = billing_client.get(URL).content.decode()

    assert "customer_tax_id,invoice_number,period" in page
    assert "A-0003-00012345" in page  # the CSV example
    assert "&quot;lines&quot;" in page  # the JSON example
    assert "1.234,56" in page


# --- Who may import ----------------------------------------------------------------------------


@pytest.mark.parametrize("group", ["Customer Care", "TSC"])
def test_only_staff_who_add_invoices_may_import(group, acme):
    client = staff_login(
        Client(), staff_member(group, email=f"{group.replace(' ', '')}@provider.test")
    )

    assert client.get(URL).status_code == 403
    response = client.post(URL, {"file": SimpleUploadedFile("b.csv", _csv(_row()))})
    assert response.status_code == 403
    assert not Invoice.objects.exists()


def test_anonymous_and_customers_are_sent_to_the_admin_login(client, portal_admin_client):
    assert client.get(URL).status_code == 302
    assert portal_admin_client.get(URL).status_code == 302


def test_other_methods_are_not_allowed(billing_client):
    assert billing_client.put(URL).status_code == 405


# --- The same import from the command line -----------------------------------------------------


def test_the_import_command_loads_a_good_file(tmp_path, acme):
    from django.core.management import call_command

    path = tmp_path / "nov.csv"
    path.write_bytes(_csv(_row(number="A-1"), _row(number="A-2")))
    out = io.StringIO()

    call_command("import_invoices", str(path), stdout=out)

    assert "Imported 2 invoices with 2 lines as import:nov.csv." in out.getvalue()
    assert Invoice.objects.filter(source="import:nov.csv").count() == 2


def test_the_import_command_fails_with_every_problem_and_loads_nothing(tmp_path, acme):
    from django.core.management import CommandError, call_command

    path = tmp_path / "bad.csv"
    path.write_bytes(_csv(_row(number="A-1"), _row(number="A 2", amount="1.555")))
    err = io.StringIO()

    with pytest.raises(CommandError, match="Nothing was imported: 2 problem"):
        call_command("import_invoices", str(path), stderr=err)

    assert "3 invoice_number: Use only letters" in err.getvalue()
    assert "3 amount: " in err.getvalue()
    assert not Invoice.objects.exists()


def test_a_very_long_report_shows_the_first_problems_and_counts_the_rest(
    billing_client, acme, monkeypatch
):
    monkeypatch.setattr("billing.admin.importing.SHOWN_PROBLEMS", 2)
    rows = [_row(number=f"A {n}") for n in range(3)]

    response = _upload(billing_client, _csv(*rows))

    page = response.content.decode()
    assert "Nothing was imported: 3 problems were found." in page
    assert page.count("Use only letters, digits") == 2
    assert "1 more problem is not shown: fix these first." in page


def test_the_documented_examples_import(acme):
    from billing.importing import CSV_EXAMPLE, JSON_EXAMPLE

    for service_id in ("AR-BUE-IPVPN-10231", "AR-BUE-INT-20045", "CL-SCL-IPVPN-30102"):
        ServiceFactory(customer=acme, service_id=service_id)

    csv_report = invoices_import(content=CSV_EXAMPLE.encode(), filename="example.csv")
    json_report = invoices_import(content=JSON_EXAMPLE.encode(), filename="example.json")

    problems = _problems(csv_report) + _problems(json_report)
    assert csv_report.ok, problems
    assert json_report.ok, problems
    assert (csv_report.invoices, csv_report.lines, json_report.lines) == (1, 2, 2)


def test_the_old_tax_id_still_imports_after_a_tax_id_change_applied(customer, staff_user):
    """R-BIL-4: invoices issued before the change applies still carry the old tax id."""
    from billing.services import billing_data_change_create, billing_data_change_handle

    old = customer.tax_id
    change = billing_data_change_create(
        customer=customer, user=staff_user, data={"tax_id": "20-26756539-3"}
    )
    billing_data_change_handle(change=change, staff=staff_user, status="applied")
    customer.refresh_from_db()
    assert customer.tax_id == "20-26756539-3"
    change.refresh_from_db()
    assert change.replaced_tax_id == old

    for tax_id in (old, "20267565393"):
        found = importing.customers_by_tax_id({importing.tax_id_compact(tax_id)})
        assert found[importing.tax_id_compact(tax_id)] == [customer]


def test_an_issue_date_in_the_future_of_the_customer_is_refused(acme, time_machine):
    # 01:30 UTC on 29 Nov is still the 28th in Buenos Aires.
    time_machine.move_to(datetime.datetime(2026, 11, 29, 1, 30, tzinfo=datetime.UTC))

    def row(number, issued):
        return f"30-71234567-1,{number},2026-11,{issued},2026-12-20,ARS,0,,,,Fee,1,10.00,"

    problems = _errors(_csv(row("A-FUT", "2026-11-29")))
    assert [(field, "future" in message) for _where, field, message in problems] == [
        ("issued_on", True)
    ]
    assert invoices_import(content=_csv(row("A-TODAY", "2026-11-28")), filename="b.csv").ok
